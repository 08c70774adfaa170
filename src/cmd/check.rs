//! `termtrail check`: everything `build` validates, nothing written; reports for people and CI.

use std::path::Path;

use crate::content::LoadOptions;
use crate::error::{Diagnostic, Diagnostics, Severity};

/// How `check` prints its findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Github,
    Json,
}

/// Validates the site; returns every error and warning. Drafts are checked too.
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

/// Formats diagnostics in the chosen format.
pub fn format(diags: &Diagnostics, format: Format) -> String {
    match format {
        Format::Human => diags
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join("\n"),
        Format::Github => diags.iter().map(github).collect::<Vec<_>>().join("\n"),
        Format::Json => {
            let list: Vec<&Diagnostic> = diags.iter().collect();
            serde_json::to_string_pretty(&serde_json::json!({"errors": diags.error_count(), "warnings": diags.warning_count(), "diagnostics": list})).unwrap_or_default()
        }
    }
}

/// A GitHub Actions workflow command: `::error file=F,line=L,col=C,title=T::message`.
fn github(d: &Diagnostic) -> String {
    let kind = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut props = vec![format!("file={}", prop(&d.file))];
    if let Some(l) = d.line {
        props.push(format!("line={l}"));
    }
    if let Some(c) = d.column {
        props.push(format!("col={c}"));
    }
    props.push(format!("title={}", prop(&format!("termtrail {kind}"))));
    let mut msg = d.message.clone();
    if let Some(h) = &d.help {
        msg.push_str(&format!("\n{h}"));
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
