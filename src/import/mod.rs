//! Turning documents into snapshot files: Markdown, HTML and plain text split into sections
//! (`markdown`, `html`), written as YAML that reads back exactly (`snapshot_writer`), and the
//! versions recorded in an Open Terms Archive git repository (`ota`).

pub mod html;
pub mod markdown;
pub mod ota;
pub mod snapshot_writer;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::civil::Date;
use serde::Deserialize;

use crate::content::snapshot as snapshot_file;
use crate::error::{did_you_mean, display_path, Diagnostic, Error};
pub use markdown::{SplitDocument, SplitSection};
use snapshot_writer::{OutSection, OutSnapshot};

/// What a source document is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    /// From the file's extension, else from its content.
    Auto,
    Markdown,
    Html,
    Text,
}

impl InputFormat {
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Auto => "auto",
            InputFormat::Markdown => "Markdown",
            InputFormat::Html => "HTML",
            InputFormat::Text => "plain text",
        }
    }
}

/// The format of a document named `name` (a file name, or None for standard input).
pub fn detect(name: Option<&str>, content: &str) -> InputFormat {
    let ext = name
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("md" | "markdown" | "mdown" | "mkd") => return InputFormat::Markdown,
        Some("html" | "htm" | "xhtml") => return InputFormat::Html,
        Some("txt" | "text") => return InputFormat::Text,
        _ => {}
    }
    let head: String = content
        .trim_start_matches('\u{feff}')
        .trim_start()
        .chars()
        .take(512)
        .collect::<String>()
        .to_ascii_lowercase();
    if head.starts_with("<!doctype html")
        || head.starts_with("<html")
        || head.starts_with("<?xml")
        || head.contains("<body")
        || head.contains("<head")
    {
        InputFormat::Html
    } else {
        InputFormat::Markdown
    }
}

/// Plain text as Markdown: characters that would be Markdown syntax escaped, line breaks kept.
pub fn text_to_markdown(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out = String::with_capacity(text.len() + 64);
    let paragraphs: Vec<&str> = text.split("\n\n").collect();
    for (pi, para) in paragraphs.iter().enumerate() {
        let lines: Vec<&str> = para.split('\n').filter(|l| !l.trim().is_empty()).collect();
        for (i, line) in lines.iter().enumerate() {
            let mut escaped = String::with_capacity(line.len() + 8);
            let trimmed = line.trim();
            for c in trimmed.chars() {
                if matches!(
                    c,
                    '\\' | '*' | '_' | '`' | '[' | ']' | '<' | '>' | '#' | '~' | '|'
                ) {
                    escaped.push('\\');
                }
                escaped.push(c);
            }
            let escaped = escape_block_start(&escaped);
            out.push_str(&escaped);
            if i + 1 < lines.len() {
                // A line break of the text stays one.
                out.push_str("\\\n");
            }
        }
        if !lines.is_empty() && pi + 1 < paragraphs.len() {
            out.push_str("\n\n");
        }
    }
    out.push('\n');
    out
}

/// `1. x` stays a numbered item (`1\. x`, which the splitter understands); `- x`, `+ x`, `= x`
/// stay text.
fn escape_block_start(line: &str) -> String {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 9 && line[digits..].starts_with(['.', ')']) {
        let rest = &line[digits + 1..];
        if rest.is_empty() || rest.starts_with(' ') {
            return format!("{}\\{}", &line[..digits], &line[digits..]);
        }
    }
    if line.starts_with(['-', '+', '=']) {
        return format!("\\{line}");
    }
    line.to_string()
}

/// Converts a document to Markdown and splits it into sections.
pub fn split(content: &str, format: InputFormat, source_url: Option<&str>) -> SplitDocument {
    let md = match format {
        InputFormat::Html => html::to_markdown(content, source_url),
        InputFormat::Text => text_to_markdown(content),
        InputFormat::Markdown | InputFormat::Auto => content.to_string(),
    };
    markdown::import(&md, source_url)
}

// ---------------------------------------------------------------------------------------------
// The site side: platforms, documents, snapshot files.
// ---------------------------------------------------------------------------------------------

/// The parts of platform.yaml that importing needs (unknown keys are the loader's business).
#[derive(Debug, Deserialize)]
pub struct PlatformFile {
    pub name: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub documents: Vec<DocumentEntry>,
}

#[derive(Debug, Deserialize)]
pub struct DocumentEntry {
    pub id: String,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

pub fn platform_dir(root: &Path, platform: &str) -> PathBuf {
    root.join("content").join("platforms").join(platform)
}

pub fn snapshot_path(root: &Path, platform: &str, document: &str, date: Date) -> PathBuf {
    platform_dir(root, platform)
        .join("snapshots")
        .join(document)
        .join(format!("{date}.yaml"))
}

/// Slugs of the platforms that have a platform.yaml.
pub fn platform_slugs(root: &Path) -> Vec<String> {
    let mut out: Vec<String> = std::fs::read_dir(root.join("content").join("platforms"))
        .into_iter()
        .flatten()
        .flatten()
        .filter(|e| e.path().join("platform.yaml").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    out.sort();
    out
}

/// Reads a platform's platform.yaml.
pub fn read_platform(root: &Path, platform: &str) -> Result<PlatformFile, Diagnostic> {
    let path = platform_dir(root, platform).join("platform.yaml");
    let rel = display_path(root, &path);
    let src = std::fs::read_to_string(&path)
        .map_err(|e| Diagnostic::error(&rel, format!("cannot read: {e}")))?;
    crate::yaml::parse::<PlatformFile>(&src, &rel, 1, &src)
}

/// Finds `platform`'s document `document` in platform.yaml, or says what exists.
pub fn find_document(
    root: &Path,
    platform: &str,
    document: &str,
) -> Result<(PlatformFile, usize), Diagnostic> {
    let known = platform_slugs(root);
    if !known.iter().any(|p| p == platform) {
        let file = format!("content/platforms/{platform}/platform.yaml");
        let help = match did_you_mean(platform, known.iter().map(String::as_str)) {
            Some(d) => d,
            None if known.is_empty() => format!(
                "the site has no platforms yet; create {file} with `name`, `url` and `documents`"
            ),
            None => format!(
                "known platforms: {}; or create {file} with `name`, `url` and `documents`",
                known.join(", ")
            ),
        };
        return Err(Diagnostic::error(file, format!("unknown platform `{platform}`")).help(help));
    }
    let p = read_platform(root, platform)?;
    match p.documents.iter().position(|d| d.id == document) {
        Some(i) => Ok((p, i)),
        None => {
            let ids: Vec<&str> = p.documents.iter().map(|d| d.id.as_str()).collect();
            let file = format!("content/platforms/{platform}/platform.yaml");
            let pos = crate::yaml::key_position(
                &std::fs::read_to_string(root.join(&file)).unwrap_or_default(),
                "documents",
            );
            let help = match did_you_mean(document, ids.iter().copied()) {
                Some(d) => d,
                None => format!(
                    "{platform}'s documents are: {}; to add one, list it under `documents` in {file}",
                    ids.join(", ")
                ),
            };
            Err(Diagnostic::error(
                file,
                format!("platform `{platform}` has no document `{document}`"),
            )
            .at_opt(pos)
            .help(help))
        }
    }
}

/// Dates of the document's snapshot files, sorted.
pub fn snapshot_dates(root: &Path, platform: &str, document: &str) -> Vec<Date> {
    let dir = platform_dir(root, platform)
        .join("snapshots")
        .join(document);
    let mut out: Vec<Date> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            crate::content::parse_date(name.strip_suffix(".yaml")?)
        })
        .collect();
    out.sort();
    out
}

/// A snapshot file's sections as (id, heading, topics, text), or None if it does not parse.
fn read_sections(path: &Path) -> Option<Vec<OutSection>> {
    let src = std::fs::read_to_string(path).ok()?;
    let parsed = snapshot_file::parse(&src, &path.to_string_lossy()).ok()?;
    Some(
        parsed
            .sections
            .into_iter()
            .map(|s| OutSection {
                id: s.id,
                heading: s.heading,
                topics: s.topics,
                text: s.text,
            })
            .collect(),
    )
}

/// What to do when the snapshot file exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfExists {
    Refuse,
    Overwrite,
    Skip,
}

/// A snapshot to add to the site.
pub struct NewSnapshot<'a> {
    pub platform: &'a str,
    pub document: &'a str,
    pub date: Date,
    pub doc: SplitDocument,
    pub source_url: Option<String>,
    pub if_exists: IfExists,
    /// Do not write a version whose text is the same as the version before it.
    pub skip_identical: bool,
}

/// What became of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// Written; with the number of sections that kept their topics from another version, and
    /// the date of an earlier version with the very same text, if any.
    New {
        path: PathBuf,
        sections: usize,
        topics_carried: usize,
        same_as: Option<Date>,
    },
    /// The file existed and was left alone.
    Exists(PathBuf),
    /// Not written: the same text as the version of this date.
    Identical(Date),
}

fn same_text(a: &[OutSection], b: &[OutSection]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| {
            x.id == y.id
                && x.heading == y.heading
                && x.text.trim_end_matches('\n') == y.text.trim_end_matches('\n')
        })
}

/// Writes a snapshot file into the site: topics carried over from the nearest other version of
/// the document for sections with the same id, the YAML checked by reading it back, the file
/// written atomically (an interrupted run leaves no half-written snapshot).
pub fn write_snapshot(root: &Path, new: NewSnapshot<'_>) -> Result<Written, Error> {
    let path = snapshot_path(root, new.platform, new.document, new.date);
    let rel = display_path(root, &path);
    if path.exists() {
        match new.if_exists {
            IfExists::Skip => return Ok(Written::Exists(path)),
            IfExists::Refuse => {
                return Err(Error::Content(crate::error::Diagnostics(vec![
                    Diagnostic::error(
                        &rel,
                        "a snapshot of this document already exists for this date",
                    )
                    .help("pass --force to replace it, or --date to give the capture another date"),
                ])))
            }
            IfExists::Overwrite => {}
        }
    }
    let dates = snapshot_dates(root, new.platform, new.document);
    let before = dates.iter().rev().find(|d| **d < new.date).copied();
    let after = dates.iter().find(|d| **d > new.date).copied();
    let prev = before.and_then(|d| {
        read_sections(&snapshot_path(root, new.platform, new.document, d)).map(|s| (d, s))
    });
    let topic_source = prev.clone().or_else(|| {
        after.and_then(|d| {
            read_sections(&snapshot_path(root, new.platform, new.document, d)).map(|s| (d, s))
        })
    });
    let topics: BTreeMap<String, Vec<String>> = topic_source
        .map(|(_, s)| {
            s.into_iter()
                .filter(|x| !x.topics.is_empty())
                .map(|x| (x.id, x.topics))
                .collect()
        })
        .unwrap_or_default();
    let mut topics_carried = 0;
    let sections: Vec<OutSection> = new
        .doc
        .sections
        .into_iter()
        .map(|s| {
            let t = topics.get(&s.id).cloned().unwrap_or_default();
            if !t.is_empty() {
                topics_carried += 1;
            }
            OutSection {
                id: s.id,
                heading: s.heading,
                topics: t,
                text: s.text,
            }
        })
        .collect();
    let same_as = prev
        .as_ref()
        .filter(|(_, p)| same_text(p, &sections))
        .map(|(d, _)| *d);
    if let (true, Some(d)) = (new.skip_identical, same_as) {
        return Ok(Written::Identical(d));
    }
    if sections.iter().all(|s| s.text.trim().is_empty()) {
        return Err(Error::Content(crate::error::Diagnostics(vec![
            Diagnostic::error(&rel, "the document has no text")
                .help("check that the file is the document itself (for HTML, that its text is not loaded by scripts)"),
        ])));
    }
    let out = OutSnapshot {
        title: new.doc.title,
        source_url: new.source_url,
        sections,
    };
    let n = out.sections.len();
    let yaml = snapshot_writer::render_checked(&out, &rel).map_err(|why| {
        Error::Refused(format!(
            "could not write {rel} so that it reads back exactly ({why}); please report this with the source document"
        ))
    })?;
    write_atomic(&path, yaml.as_bytes())?;
    Ok(Written::New {
        path,
        sections: n,
        topics_carried,
        same_as,
    })
}

/// Writes a file through a hidden temporary file in the same folder and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)
        .map_err(|e| Error::io(format!("cannot create {}", dir.display()), e))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)
        .map_err(|e| Error::io(format!("cannot write {}", tmp.display()), e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::io(format!("cannot write {}", path.display()), e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_formats() {
        assert_eq!(detect(Some("a.HTM"), ""), InputFormat::Html);
        assert_eq!(detect(Some("a.md"), "<html>"), InputFormat::Markdown);
        assert_eq!(detect(None, "  <!DOCTYPE html><p>x"), InputFormat::Html);
        assert_eq!(detect(None, "# Title\n"), InputFormat::Markdown);
        assert_eq!(detect(Some("terms.txt"), ""), InputFormat::Text);
    }

    #[test]
    fn plain_text_is_escaped() {
        let md = text_to_markdown("Terms *of* use\n\n1. First [x]\nnext line\n- not a list\n");
        assert_eq!(
            md,
            "Terms \\*of\\* use\n\n1\\. First \\[x\\]\\\nnext line\\\n\\- not a list\n"
        );
    }
}
