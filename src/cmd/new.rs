//! `termtrail new change <platform> <document> [--slug SLUG] [--to DATE]`: a draft change record
//! for the two latest versions of a document (or the version of `--to` and the one before it),
//! its front matter filled in and its changed sections listed with their statistics.

use std::path::PathBuf;

use jiff::civil::Date;

use crate::content::{self, is_slug, LoadOptions};
use crate::derive::diff::{diff_snapshots, SectionChange};
use crate::error::{did_you_mean, display_path, Diagnostic, Diagnostics, Error, Result};
use crate::import::snapshot_writer::scalar;
use crate::render::paths;

/// Options of `termtrail new change`.
#[derive(Debug, Clone)]
pub struct NewChangeOptions {
    pub root: PathBuf,
    pub platform: String,
    pub document: String,
    /// The record's slug (default `<document>-changes`).
    pub slug: Option<String>,
    /// The later version (default: the latest).
    pub to: Option<Date>,
}

/// What `new change` wrote.
#[derive(Debug)]
pub struct NewChangeReport {
    pub path: PathBuf,
    pub from: Date,
    pub to: Date,
    pub changed: usize,
    pub added: usize,
    pub removed: usize,
}

fn error(d: Diagnostic) -> Error {
    Error::Content(Diagnostics(vec![d]))
}

pub fn run(opts: &NewChangeOptions) -> Result<NewChangeReport> {
    let slug = opts
        .slug
        .clone()
        .unwrap_or_else(|| format!("{}-changes", opts.document));
    if !is_slug(&slug) {
        return Err(Error::Refused(format!(
            "`{slug}` is not a valid slug: use lower-case letters and digits separated by single hyphens, e.g. `bars-ai-training`"
        )));
    }
    let loaded = content::load(
        &opts.root,
        &LoadOptions {
            drafts: true,
            base_url: None,
        },
    )
    .map_err(Error::Content)?;
    let site = &loaded.site;
    let Some(platform) = site.platform(&opts.platform) else {
        let known: Vec<&str> = site.platforms.iter().map(|p| p.slug.as_str()).collect();
        let help = did_you_mean(&opts.platform, known.iter().copied()).unwrap_or_else(|| {
            format!(
                "known platforms: {}",
                if known.is_empty() {
                    "none".into()
                } else {
                    known.join(", ")
                }
            )
        });
        return Err(error(
            Diagnostic::error(
                format!("content/platforms/{}/platform.yaml", opts.platform),
                format!("unknown platform `{}`", opts.platform),
            )
            .help(help),
        ));
    };
    let platform_file = format!("content/platforms/{}/platform.yaml", platform.slug);
    let Some(doc) = platform.document(&opts.document) else {
        let known: Vec<&str> = platform.documents.iter().map(|d| d.id.as_str()).collect();
        let help = did_you_mean(&opts.document, known.iter().copied())
            .unwrap_or_else(|| format!("{}'s documents are: {}", platform.slug, known.join(", ")));
        return Err(error(
            Diagnostic::error(
                &platform_file,
                format!(
                    "platform `{}` has no document `{}`",
                    platform.slug, opts.document
                ),
            )
            .help(help),
        ));
    };
    let snapshots_dir = format!("content/platforms/{}/snapshots/{}/", platform.slug, doc.id);
    let ti = match opts.to {
        None => doc.snapshots.len().checked_sub(1),
        Some(t) => doc.snapshots.iter().position(|s| s.date == t),
    };
    let Some(ti) = ti else {
        let dates: Vec<String> = doc.snapshots.iter().map(|s| s.date.to_string()).collect();
        return Err(error(
            Diagnostic::error(
                &snapshots_dir,
                match opts.to {
                    Some(t) => format!("{}/{} has no version of {t}", platform.slug, doc.id),
                    None => format!("{}/{} has no snapshots", platform.slug, doc.id),
                },
            )
            .help(if dates.is_empty() {
                format!(
                    "add two versions first: `termtrail snapshot {} {} FILE --date YYYY-MM-DD`",
                    platform.slug, doc.id
                )
            } else {
                format!("its versions: {}", dates.join(", "))
            }),
        ));
    };
    if ti == 0 {
        return Err(error(
            Diagnostic::error(
                &doc.snapshots[0].file,
                format!(
                    "the version of {} is the first of {}/{}: there is no earlier version to compare it with",
                    doc.snapshots[0].date, platform.slug, doc.id
                ),
            )
            .help(format!(
                "add the next version with `termtrail snapshot {} {} FILE`, then run this again",
                platform.slug, doc.id
            )),
        ));
    }
    let (old, new) = (&doc.snapshots[ti - 1], &doc.snapshots[ti]);
    let key = format!("{}-{slug}", new.date);
    let rel = format!("content/platforms/{}/changes/{key}.md", platform.slug);
    let path = opts.root.join(&rel);
    if path.exists() {
        return Err(error(
            Diagnostic::error(&rel, "this change record already exists")
                .help("edit it, or pass --slug to write another record for the same versions"),
        ));
    }
    let diff = diff_snapshots(old, new);
    if diff.stats.is_empty() {
        return Err(error(
            Diagnostic::error(
                &new.file,
                format!(
                    "the version of {} has the same text as the version of {}: there is no change to record",
                    new.date, old.date
                ),
            )
            .help("delete the duplicate snapshot instead"),
        ));
    }

    // Topics of the sections that changed, in document order.
    let mut topics: Vec<String> = Vec::new();
    for s in &diff.sections {
        let section = match s.change {
            SectionChange::Unchanged => None,
            SectionChange::Removed => old.sections.iter().find(|x| x.id == s.id),
            _ => new.sections.iter().find(|x| x.id == s.id),
        };
        for t in section.map(|x| x.topics.as_slice()).unwrap_or_default() {
            if !topics.contains(t) {
                topics.push(t.clone());
            }
        }
    }

    let st = diff.stats;
    let mut md = String::new();
    md.push_str("---\n");
    md.push_str(&format!(
        "title: {}\n",
        scalar(&format!("{} updates its {}", platform.name, doc.title))
    ));
    md.push_str(&format!("document: {}\n", doc.id));
    md.push_str("summary: \"\"\n");
    md.push_str(&format!("topics: [{}]\n", topics.join(", ")));
    md.push_str("impact: medium\n");
    md.push_str(&format!("from: {}\n", old.date));
    md.push_str(&format!("to: {}\n", new.date));
    md.push_str("draft: true\n");
    md.push_str("---\n");
    md.push_str(
        "<!-- Drafted by `termtrail new change`. To publish: write `summary` (one or two plain\n\
         sentences for lists and feeds), make the title say what changed, check `topics` and\n\
         `impact` (low, medium or high), write the analysis below in place of the list (quote the\n\
         new wording, say what it means for users), then delete `draft: true`. -->\n\n",
    );
    let version_link = |d: Date| {
        format!(
            "[the version of {d}]({})",
            paths::version(&platform.slug, &doc.id, d)
        )
    };
    md.push_str(&format!(
        "Between {} and {} of the {}: {}.{}\n\n",
        version_link(old.date),
        version_link(new.date),
        escape_md(&doc.title),
        stats_line(
            st.sections_changed,
            st.sections_added,
            st.sections_removed,
            st.words_added,
            st.words_removed
        ),
        if diff.formatting_only {
            " Only formatting, whitespace or link targets changed: the words are the same."
        } else {
            ""
        }
    ));
    md.push_str("## Changed sections\n\n");
    for s in &diff.sections {
        let what = match s.change {
            SectionChange::Unchanged => continue,
            SectionChange::Changed if s.formatting_only => {
                format!(
                    "changed (formatting only), +{} −{} words",
                    s.words_added, s.words_removed
                )
            }
            SectionChange::Changed => {
                let renamed = s
                    .old_heading
                    .as_deref()
                    .map(|h| format!(", heading was “{}”", escape_md(h)))
                    .unwrap_or_default();
                format!(
                    "changed, +{} −{} words{renamed}",
                    s.words_added, s.words_removed
                )
            }
            SectionChange::Added => format!("added, {} words", s.words_added),
            SectionChange::Removed => format!("removed, {} words", s.words_removed),
        };
        md.push_str(&format!(
            "- [{}]({}) (`{}`): {what}\n",
            escape_md(&s.heading),
            paths::section(&platform.slug, &doc.id, &s.anchor),
            s.id.replace('`', "'"),
        ));
    }
    crate::import::write_atomic(&path, md.as_bytes())?;
    Ok(NewChangeReport {
        path: PathBuf::from(display_path(&opts.root, &path)),
        from: old.date,
        to: new.date,
        changed: st.sections_changed,
        added: st.sections_added,
        removed: st.sections_removed,
    })
}

fn stats_line(changed: usize, added: usize, removed: usize, wa: usize, wr: usize) -> String {
    let plural =
        |n: usize, what: &str| format!("{n} section{} {what}", if n == 1 { "" } else { "s" });
    format!(
        "{}, {}, {}; {wa} words added, {wr} removed",
        plural(changed, "changed"),
        plural(added, "added"),
        plural(removed, "removed")
    )
}

/// Escapes text for use inside Markdown link text.
fn escape_md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '[' | ']' | '*' | '_' | '`' | '<' | '>' | '~' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
