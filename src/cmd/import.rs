//! `termtrail import ota <repository> [--service NAME]... [--terms-type TYPE]...`: every recorded
//! version of the chosen documents of an Open Terms Archive versions repository becomes a
//! snapshot, with platforms and documents created as needed.
//!
//! One commit is one version, dated by its commit date; technical upgrades are skipped; a day
//! keeps its last version; a version with the same text as the one before it is not written.
//! An import can be interrupted and run again: existing snapshots are left alone (and not even
//! read from git), platform.yaml files are only added to, and every file is written atomically.

use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::error::{did_you_mean, display_path, Diagnostic, Diagnostics, Error, Result};
use crate::import::ota::{self, BlobReader, History};
use crate::import::snapshot_writer::scalar;
use crate::import::{self, IfExists, InputFormat, NewSnapshot, Written};

/// Options of `termtrail import ota`.
#[derive(Debug, Clone, Default)]
pub struct ImportOtaOptions {
    pub root: PathBuf,
    /// A local clone of a versions repository.
    pub repo: PathBuf,
    /// Service names (folder names) to import; all when empty.
    pub services: Vec<String>,
    /// Terms types (file names without `.md`) to import; all when empty.
    pub terms_types: Vec<String>,
    /// A local clone of the matching declarations repository, for the documents' URLs.
    pub declarations: Option<PathBuf>,
    /// Show a progress bar (on a terminal) instead of progress lines.
    pub progress_bar: bool,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct ImportReport {
    pub documents: usize,
    pub versions: usize,
    pub written: usize,
    pub existing: usize,
    pub identical: usize,
    /// Versions with no text at all (a failed capture).
    pub empty: usize,
    pub technical_skipped: usize,
    pub same_day_skipped: usize,
    pub platforms_created: Vec<String>,
    pub documents_added: Vec<String>,
    /// platform.yaml files whose `url` is a placeholder to replace.
    pub placeholder_urls: Vec<String>,
}

/// Where the platform's own site is unknown (the versions repository does not record it).
pub const PLACEHOLDER_URL: &str = "https://example.com/";

fn refused(msg: String) -> Error {
    Error::Refused(msg)
}

/// Whether progress should be drawn as a bar: standard error is a terminal.
pub fn stderr_is_terminal() -> bool {
    std::io::stderr().is_terminal()
}

pub fn run(opts: &ImportOtaOptions) -> Result<ImportReport> {
    if !opts.root.join("site.yaml").is_file() {
        return Err(Error::Content(Diagnostics(vec![Diagnostic::error(
            "site.yaml",
            format!("no site.yaml in {}", opts.root.display()),
        )
        .help("run termtrail in the site's folder, or pass --root DIR")])));
    }
    if !opts.repo.is_dir() {
        return Err(refused(format!(
            "{} is not a folder: pass the path of a local clone of an Open Terms Archive versions repository",
            opts.repo.display()
        )));
    }
    let history = ota::read_history(&opts.repo, &opts.services, &opts.terms_types)?;
    check_filters(opts, &history)?;
    let declared = match &opts.declarations {
        Some(d) => read_declarations(d),
        None => BTreeMap::new(),
    };

    let mut report = ImportReport {
        documents: history.documents.len(),
        versions: history.len(),
        technical_skipped: history.technical_skipped,
        same_day_skipped: history.same_day_skipped,
        ..ImportReport::default()
    };

    // Platforms and documents first, so that an interrupted import leaves a valid site.
    let mut targets: Vec<(String, String, Option<String>)> = Vec::new(); // (platform, document, source URL)
    for (service, terms_type) in history.documents.keys() {
        let platform = ota::slug(service);
        let document = ota::slug(terms_type);
        let fetch = declared
            .get(&(service.clone(), terms_type.clone()))
            .cloned();
        ensure_document(
            &opts.root,
            &platform,
            service,
            &document,
            terms_type,
            fetch.as_deref(),
            &mut report,
        )?;
        let source_url = fetch.or_else(|| {
            import::read_platform(&opts.root, &platform)
                .ok()
                .and_then(|p| p.documents.into_iter().find(|d| d.id == document))
                .and_then(|d| d.url)
                .filter(|u| crate::config::is_http_url(u))
        });
        targets.push((platform, document, source_url));
    }

    let progress = Progress::new(report.versions as u64, opts.progress_bar);
    let mut reader: Option<BlobReader> = None;
    let mut done = 0usize;
    for ((_, versions), (platform, document, source_url)) in history.documents.iter().zip(&targets)
    {
        for v in versions {
            done += 1;
            let label = format!("{platform}/{document} {}", v.date);
            if import::snapshot_path(&opts.root, platform, document, v.date).exists() {
                report.existing += 1;
                progress.step(done, report.versions, &label, "already there");
                continue;
            }
            if reader.is_none() {
                reader = Some(BlobReader::new(&opts.repo)?);
            }
            let text = reader
                .as_mut()
                .expect("just set")
                .read(&v.commit, &v.path)?;
            if text.trim().is_empty() {
                report.empty += 1;
                progress.step(done, report.versions, &label, "empty, skipped");
                continue;
            }
            let split = import::split(&text, InputFormat::Markdown, source_url.as_deref());
            let written = import::write_snapshot(
                &opts.root,
                NewSnapshot {
                    platform,
                    document,
                    date: v.date,
                    doc: split,
                    source_url: source_url.clone(),
                    if_exists: IfExists::Skip,
                    skip_identical: true,
                },
            )?;
            let what = match written {
                Written::New { sections, .. } => {
                    report.written += 1;
                    format!("written, {sections} sections")
                }
                Written::Exists(_) => {
                    report.existing += 1;
                    "already there".into()
                }
                Written::Identical(d) => {
                    report.identical += 1;
                    format!("same text as {d}, skipped")
                }
            };
            progress.step(done, report.versions, &label, &what);
        }
    }
    progress.finish();
    Ok(report)
}

/// Unknown `--service` or `--terms-type` values are errors, with the names that exist.
fn check_filters(opts: &ImportOtaOptions, h: &History) -> Result<()> {
    for s in &opts.services {
        if !h.all_services.contains(s) {
            let help =
                did_you_mean(s, h.all_services.iter().map(String::as_str)).unwrap_or_else(|| {
                    let list: Vec<&str> =
                        h.all_services.iter().map(String::as_str).take(20).collect();
                    format!("services in the repository include: {}", list.join(", "))
                });
            return Err(refused(format!(
                "the repository has no service `{s}` (service names are its folder names): {help}"
            )));
        }
    }
    for t in &opts.terms_types {
        if !h.all_types.contains(t) {
            let help =
                did_you_mean(t, h.all_types.iter().map(String::as_str)).unwrap_or_else(|| {
                    let list: Vec<&str> = h.all_types.iter().map(String::as_str).collect();
                    format!("terms types in the repository: {}", list.join(", "))
                });
            return Err(refused(format!(
                "the repository has no terms type `{t}`: {help}"
            )));
        }
    }
    Ok(())
}

/// Creates the platform, or adds the document to it, when missing.
fn ensure_document(
    root: &Path,
    platform: &str,
    service: &str,
    document: &str,
    terms_type: &str,
    fetch: Option<&str>,
    report: &mut ImportReport,
) -> Result<()> {
    let dir = import::platform_dir(root, platform);
    let file = dir.join("platform.yaml");
    let rel = display_path(root, &file);
    let title = match terms_type.split_once(" #") {
        Some((t, id)) => format!("{t} ({id})"),
        None => terms_type.to_string(),
    };
    let entry = |indent: &str| {
        let mut s = format!(
            "{indent}- id: {document}\n{indent}  title: {}\n",
            scalar(&title)
        );
        if let Some(u) = fetch {
            s.push_str(&format!("{indent}  url: {}\n", scalar(u)));
        }
        s
    };
    if !file.exists() {
        let url = fetch
            .and_then(crate::import::markdown::origin)
            .map(str::to_string);
        if url.is_none() {
            report.placeholder_urls.push(rel.clone());
        }
        let text = format!(
            "name: {}\nurl: {}\ndocuments:\n{}",
            scalar(service),
            scalar(url.as_deref().unwrap_or(PLACEHOLDER_URL)),
            entry("  ")
        );
        import::write_atomic(&file, text.as_bytes())?;
        report.platforms_created.push(platform.to_string());
        return Ok(());
    }
    let p =
        import::read_platform(root, platform).map_err(|d| Error::Content(Diagnostics(vec![d])))?;
    if p.documents.iter().any(|d| d.id == document) {
        return Ok(());
    }
    let src =
        std::fs::read_to_string(&file).map_err(|e| Error::io(format!("cannot read {rel}"), e))?;
    let Some(updated) = insert_document(&src, &entry) else {
        return Err(Error::Content(Diagnostics(vec![Diagnostic::error(
            &rel,
            format!("cannot add the document `{document}` to this file automatically"),
        )
        .help(format!(
            "add it under `documents` by hand ({}), then run the import again",
            entry("").trim_end().replace('\n', "; ")
        ))])));
    };
    import::write_atomic(&file, updated.as_bytes())?;
    match crate::yaml::parse::<import::PlatformFile>(&updated, &rel, 1, &updated) {
        Ok(p) if p.documents.iter().any(|d| d.id == document) => {}
        _ => {
            // Put the file back as it was.
            import::write_atomic(&file, src.as_bytes())?;
            return Err(refused(format!(
                "adding the document `{document}` to {rel} went wrong; the file is unchanged: add it by hand"
            )));
        }
    }
    report
        .documents_added
        .push(format!("{platform}/{document}"));
    Ok(())
}

/// Appends a list item to the block list under the top-level `documents:` key.
fn insert_document(src: &str, entry: &dyn Fn(&str) -> String) -> Option<String> {
    let lines: Vec<&str> = src.split_inclusive('\n').collect();
    let start = lines
        .iter()
        .position(|l| l.trim_end() == "documents:" || l.starts_with("documents: #"))?;
    let mut last_item_line = start;
    let mut indent: Option<String> = None;
    for (i, l) in lines.iter().enumerate().skip(start + 1) {
        let t = l.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        let lead = &l[..l.len() - l.trim_start().len()];
        if lead.is_empty() && !t.starts_with("- ") && t != "-" {
            break;
        }
        if t.starts_with("- ") && indent.is_none() {
            indent = Some(lead.to_string());
        }
        last_item_line = i;
    }
    let indent = indent?;
    let mut out = String::with_capacity(src.len() + 128);
    for (i, l) in lines.iter().enumerate() {
        out.push_str(l);
        if i == last_item_line {
            if !l.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&entry(&indent));
        }
    }
    Some(out)
}

/// `(service, terms type)` → the URL its declaration fetches, from a declarations repository
/// (`declarations/<Service>.json`, or `<Service>.json` at its root).
fn read_declarations(dir: &Path) -> BTreeMap<(String, String), String> {
    let mut out = BTreeMap::new();
    let folder = if dir.join("declarations").is_dir() {
        dir.join("declarations")
    } else {
        dir.to_path_buf()
    };
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return out;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(service) = name.strip_suffix(".json") else {
            continue;
        };
        if service.ends_with(".history") || service.ends_with(".filters") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(e.path()) else {
            continue;
        };
        let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let terms = v.get("terms").or_else(|| v.get("documents"));
        let Some(terms) = terms.and_then(|t| t.as_object()) else {
            continue;
        };
        for (terms_type, decl) in terms {
            let fetch = decl.get("fetch").and_then(|f| f.as_str()).or_else(|| {
                decl.get("combine")
                    .and_then(|c| c.as_array())
                    .and_then(|c| c.first())
                    .and_then(|c| c.get("fetch"))
                    .and_then(|f| f.as_str())
            });
            if let Some(f) = fetch.filter(|f| crate::config::is_http_url(f)) {
                out.insert((service.to_string(), terms_type.clone()), f.to_string());
            }
        }
    }
    out
}

/// Progress: a bar on a terminal, plain lines otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(total: u64, bar: bool) -> Self {
        if !bar || total == 0 {
            return Progress { bar: None };
        }
        let pb = indicatif::ProgressBar::new(total);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} {msg}",
        ) {
            pb.set_style(style);
        }
        Progress { bar: Some(pb) }
    }

    fn step(&self, done: usize, total: usize, label: &str, what: &str) {
        match &self.bar {
            Some(pb) => {
                pb.set_message(label.to_string());
                pb.set_position(done as u64);
            }
            None => eprintln!("[{done}/{total}] {label}: {what}"),
        }
    }

    fn finish(&self) {
        if let Some(pb) = &self.bar {
            pb.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_are_appended_to_the_list() {
        let entry = |indent: &str| format!("{indent}- id: new\n{indent}  title: New\n");
        let src = "name: X\ndocuments:\n  - id: a\n    title: A\n\ncategory: c\n";
        assert_eq!(
            insert_document(src, &entry).unwrap(),
            "name: X\ndocuments:\n  - id: a\n    title: A\n  - id: new\n    title: New\n\ncategory: c\n"
        );
        let src = "name: X\ndocuments:\n- id: a\n  title: A";
        assert_eq!(
            insert_document(src, &entry).unwrap(),
            "name: X\ndocuments:\n- id: a\n  title: A\n- id: new\n  title: New\n"
        );
        assert!(insert_document("documents: [{id: a}]\n", &entry).is_none());
    }
}
