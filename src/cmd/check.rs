//! `termtrail check`: everything `build` validates, nothing written; reports for people and CI.
//!
//! Three formats: `human` (rustc-style, with the offending line), `github` (GitHub Actions
//! workflow commands, so that errors and warnings land on the pull request's lines) and `json`
//! (a machine-readable list). In `github` and `json`, file paths are relative to the root of the
//! git repository that holds the site (found by walking up to `.git`), which is what GitHub
//! expects when the site is a subfolder of the repository; outside a repository they are
//! relative to the site root.

use std::path::{Path, PathBuf};

use crate::content::LoadOptions;
use crate::error::{Diagnostic, Diagnostics, Severity};

/// How `check` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Github,
    Json,
}

/// Validates the site; returns every error and warning (lints included). Drafts are checked too.
pub fn run(root: &Path) -> Diagnostics {
    let opts = LoadOptions {
        drafts: true,
        base_url: None,
    };
    match crate::cmd::build::build_in_memory(root, &opts) {
        Ok(built) => built.loaded.warnings,
        Err(d) => d,
    }
}

/// The git repository's root above `dir` (the first ancestor holding `.git`), if any.
pub fn repo_root(dir: &Path) -> Option<PathBuf> {
    let start = dir.canonicalize().ok()?;
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

/// The site root's path relative to its repository's root, `/`-separated and ending in `/`
/// (empty when the site is the repository, or is in none).
pub fn repo_prefix(root: &Path) -> String {
    let Some(repo) = repo_root(root) else {
        return String::new();
    };
    let Ok(site) = root.canonicalize() else {
        return String::new();
    };
    match site.strip_prefix(&repo) {
        Ok(rel) if rel.as_os_str().is_empty() => String::new(),
        Ok(rel) => format!("{}/", rel.to_string_lossy().replace('\\', "/")),
        Err(_) => String::new(),
    }
}

/// Formats diagnostics in the chosen format; `root` is the site root (for repository paths).
pub fn format(diags: &Diagnostics, format: Format, root: &Path) -> String {
    match format {
        Format::Human => diags
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Github => {
            let prefix = repo_prefix(root);
            diags
                .iter()
                .map(|d| github(d, &prefix))
                .collect::<Vec<_>>()
                .join("\n")
        }
        Format::Json => {
            let prefix = repo_prefix(root);
            let list: Vec<serde_json::Value> = diags
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "severity": d.severity,
                        "file": repo_path(&prefix, &d.file),
                        "line": d.line,
                        "column": d.column,
                        "message": d.message,
                        "help": d.help,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({
                "root": prefix.trim_end_matches('/'),
                "errors": diags.error_count(),
                "warnings": diags.warning_count(),
                "diagnostics": list,
            }))
            .unwrap_or_default()
        }
    }
}

fn repo_path(prefix: &str, file: &str) -> String {
    if file.is_empty() {
        prefix.trim_end_matches('/').to_string()
    } else {
        format!("{prefix}{file}")
    }
}

/// A GitHub Actions workflow command: `::error file=F,line=L,col=C,title=T::message`.
fn github(d: &Diagnostic, prefix: &str) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = Vec::new();
    let file = repo_path(prefix, &d.file);
    if !file.is_empty() {
        props.push(format!("file={}", prop(&file)));
    }
    if let Some(l) = d.line {
        props.push(format!("line={l}"));
    }
    if let Some(c) = d.column {
        props.push(format!("col={c}"));
    }
    props.push(format!(
        "title={}",
        prop(&format!("termtrail: {}", d.message))
    ));
    let mut msg = d.message.clone();
    if let Some(h) = &d.help {
        msg.push_str(&format!("\nhelp: {h}"));
    }
    format!("::{kind} {}::{}", props.join(","), data(&msg))
}

/// Escaping of workflow command data.
fn data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escaping of workflow command properties.
fn prop(s: &str) -> String {
    data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_commands_escape_their_parts() {
        let d = Diagnostic::error("content/a, b.md", "bad: 100%\nreally")
            .at(3, 7)
            .help("fix it");
        let line = github(&d, "site/");
        assert_eq!(
            line,
            "::error file=site/content/a%2C b.md,line=3,col=7,title=termtrail%3A bad%3A 100%25%0Areally::bad: 100%25%0Areally%0Ahelp: fix it"
        );
    }
}
