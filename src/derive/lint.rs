//! Lints: things that are not errors but that a reviewer wants to hear about before merging.
//!
//! Computed from the model and the diffs between versions:
//! - a version that differs from the one before it with no change record covering it;
//! - a version whose text is the same as the version before it (a duplicate capture), unless a
//!   change record is about that very version;
//! - a topic that no section and no change record is tagged with.
//!
//! Each warning points at the file, and at the line where there is one to point at (the first
//! changed section of a version), so that a pull request's annotations land on it.

use std::collections::BTreeSet;
use std::path::Path;

use crate::derive::Derived;
use crate::error::Diagnostic;
use crate::model::{Document, Platform, Site};

/// Every lint warning of the site. `root` is only read to locate lines in snapshot files.
pub fn lint(site: &Site, derived: &Derived, root: &Path) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (pi, p) in site.platforms.iter().enumerate() {
        for (di, d) in p.documents.iter().enumerate() {
            for i in 1..d.snapshots.len() {
                let Some(diff) = derived
                    .versions
                    .get(pi)
                    .and_then(|v| v.get(di))
                    .and_then(|v| v.get(i))
                    .and_then(Option::as_ref)
                else {
                    continue;
                };
                let (prev, cur) = (&d.snapshots[i - 1], &d.snapshots[i]);
                let same_order = prev.sections.len() == cur.sections.len()
                    && prev
                        .sections
                        .iter()
                        .zip(&cur.sections)
                        .all(|(a, b)| a.id == b.id);
                if diff.stats.is_empty() && same_order {
                    // A record written about this very version says it is meant to be there
                    // (a capture whose source changed only in formatting the snapshot drops).
                    let explained = p
                        .changes
                        .iter()
                        .any(|c| c.document == d.id && c.to == Some(cur.date) && covered(p, d, i));
                    if explained {
                        continue;
                    }
                    out.push(
                        Diagnostic::warning(
                            &cur.file,
                            format!(
                                "this version of {}/{} has the same text as the version of {}: a duplicate capture",
                                p.slug, d.id, prev.date
                            ),
                        )
                        .at(1, 1)
                        .help(format!(
                            "delete this file: a new snapshot is only needed when the text changes, and {} already records this text",
                            prev.file
                        )),
                    );
                    continue;
                }
                if diff.stats.is_empty() || covered(p, d, i) {
                    continue;
                }
                let first_changed = diff
                    .sections
                    .iter()
                    .find(|s| s.change != crate::derive::SectionChange::Unchanged);
                let pos = first_changed.and_then(|s| section_line(root, &cur.file, &s.id));
                let st = diff.stats;
                let mut what = Vec::new();
                if st.sections_changed > 0 {
                    what.push(format!("{} changed", st.sections_changed));
                }
                if st.sections_added > 0 {
                    what.push(format!("{} added", st.sections_added));
                }
                if st.sections_removed > 0 {
                    what.push(format!("{} removed", st.sections_removed));
                }
                let kind = if diff.formatting_only {
                    ", formatting only"
                } else {
                    ""
                };
                let first = first_changed
                    .map(|s| format!(", first `{}`", s.id))
                    .unwrap_or_default();
                let latest = i + 1 == d.snapshots.len();
                let cmd = if latest {
                    format!("termtrail new change {} {}", p.slug, d.id)
                } else {
                    format!("termtrail new change {} {} --to {}", p.slug, d.id, cur.date)
                };
                out.push(
                    Diagnostic::warning(
                        &cur.file,
                        format!(
                            "this version of {}/{} differs from the version of {} (sections: {}{first}; +{} −{} words{kind}) but no change record covers it",
                            p.slug,
                            d.id,
                            prev.date,
                            what.join(", "),
                            st.words_added,
                            st.words_removed
                        ),
                    )
                    .at_opt(pos)
                    .help(format!(
                        "explain the change: `{cmd}` drafts a record with `from: {}` and `to: {}`",
                        prev.date, cur.date
                    )),
                );
            }
        }
    }
    out.extend(unused_topics(site));
    out
}

/// Whether a change record of the platform covers the step from version `i - 1` to `i`.
fn covered(p: &Platform, d: &Document, i: usize) -> bool {
    let (from, to) = (d.snapshots[i - 1].date, d.snapshots[i].date);
    p.changes.iter().any(|c| {
        c.document == d.id && c.from.is_some_and(|f| f <= from) && c.to.is_some_and(|t| t >= to)
    })
}

/// Topics that nothing is tagged with: no section of any version, no change record.
fn unused_topics(site: &Site) -> Vec<Diagnostic> {
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for p in &site.platforms {
        for d in &p.documents {
            for s in d.snapshots.iter() {
                for sec in &s.sections {
                    used.extend(sec.topics.iter().map(String::as_str));
                }
            }
        }
        for c in &p.changes {
            used.extend(c.topics.iter().map(String::as_str));
        }
    }
    site.topics
        .iter()
        .filter(|t| !used.contains(t.slug.as_str()))
        .map(|t| {
            Diagnostic::warning(
                format!("content/topics/{}.md", t.slug),
                format!("no section and no change record is tagged with the topic `{}`", t.slug),
            )
            .help(format!(
                "tag the sections it is about with `topics: [{}]` in their snapshots (or a change record), or delete the topic",
                t.slug
            ))
        })
        .collect()
}

/// Line and column of a section's `- id:` in a snapshot file (sections form), when found.
fn section_line(root: &Path, file: &str, id: &str) -> Option<(usize, usize)> {
    let src = std::fs::read_to_string(root.join(file)).ok()?;
    src.lines().enumerate().find_map(|(i, line)| {
        let t = line.trim_start();
        let v = t.strip_prefix("- id:").or_else(|| {
            line.starts_with(' ')
                .then(|| t.strip_prefix("id:"))
                .flatten()
        })?;
        let v = v.trim();
        let v = v
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .or_else(|| v.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')))
            .unwrap_or(v);
        (v == id).then_some((i + 1, line.len() - t.len() + 1))
    })
}
