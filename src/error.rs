//! Diagnostics: content errors and warnings with file, line, column and a hint, collected per run.

use std::fmt;
use std::path::{Path, PathBuf};

/// How serious a diagnostic is: errors fail the build, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in the content, located as precisely as we can.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path relative to the site root, with `/` separators.
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The offending source line, for the rustc-style excerpt.
    #[serde(skip)]
    pub excerpt: Option<String>,
}

impl Diagnostic {
    pub fn error(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            file: file.into(),
            line: None,
            column: None,
            message: message.into(),
            help: None,
            excerpt: None,
        }
    }

    pub fn warning(file: impl Into<String>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(file, message)
        }
    }

    pub fn at(mut self, line: usize, column: usize) -> Self {
        self.line = Some(line.max(1));
        self.column = Some(column.max(1));
        self
    }

    pub fn at_opt(self, pos: Option<(usize, usize)>) -> Self {
        match pos {
            Some((l, c)) => self.at(l, c),
            None => self,
        }
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Attaches the source line the diagnostic points at, taken from the file's text.
    pub fn with_source(mut self, source: &str) -> Self {
        if let Some(line) = self.line {
            self.excerpt = source
                .lines()
                .nth(line - 1)
                .map(|l| l.trim_end().to_string());
        }
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Sort key: file, then position, then text, so reports are stable.
    fn key(&self) -> (&str, usize, usize, &str) {
        (
            &self.file,
            self.line.unwrap_or(0),
            self.column.unwrap_or(0),
            &self.message,
        )
    }
}

impl fmt::Display for Diagnostic {
    /// rustc-style: `error: msg`, ` --> file:line:col`, the line with a marker, `= help: ...`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        writeln!(f, "{label}: {}", self.message)?;
        match (self.line, self.column) {
            (Some(l), Some(c)) => writeln!(f, "  --> {}:{l}:{c}", self.file)?,
            (Some(l), None) => writeln!(f, "  --> {}:{l}", self.file)?,
            _ => writeln!(f, "  --> {}", self.file)?,
        }
        if let (Some(line), Some(text)) = (self.line, &self.excerpt) {
            let num = line.to_string();
            let pad = " ".repeat(num.len());
            let col = self.column.unwrap_or(1);
            let shown: String = text.chars().take(160).collect();
            let marker_at =
                shown
                    .chars()
                    .take(col.saturating_sub(1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' });
            writeln!(f, "{pad} |")?;
            writeln!(f, "{num} | {shown}")?;
            writeln!(f, "{pad} | {}^", marker_at.collect::<String>())?;
        }
        if let Some(help) = &self.help {
            writeln!(f, "  = help: {help}")?;
        }
        Ok(())
    }
}

/// Every diagnostic of one run, in a stable order.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl Diagnostics {
    pub fn push(&mut self, d: Diagnostic) {
        self.0.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.0.len() - self.error_count()
    }

    pub fn sorted(mut self) -> Self {
        self.0.sort_by(|a, b| a.key().cmp(&b.key()));
        self.0.dedup();
        self
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.0.iter()
    }
}

/// Errors of the library: content problems (all of them) or an I/O failure writing output.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the content has {} error(s)", .0.error_count())]
    Content(Diagnostics),
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Refused(String),
    #[error("template error: {0}")]
    Template(String),
}

impl Error {
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// The path of `path` relative to `root`, with forward slashes, for messages.
pub fn display_path(root: &Path, path: &Path) -> String {
    let rel: PathBuf = path
        .strip_prefix(root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| path.to_path_buf());
    rel.to_string_lossy().replace('\\', "/")
}

/// "did you mean `x`?" for a name that is close to one of the known ones.
pub fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    known
        .into_iter()
        .map(|k| (strsim::jaro_winkler(name, k), k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, k)| format!("did you mean `{k}`?"))
}

impl Diagnostics {
    /// Adds the source line to diagnostics that have a line but no excerpt yet.
    pub fn fill_excerpts(&mut self, root: &Path) {
        for d in &mut self.0 {
            if d.excerpt.is_none() && d.line.is_some() {
                // Lossy: the excerpt of an invalid UTF-8 file shows the bad bytes as U+FFFD.
                if let Ok(bytes) = std::fs::read(root.join(&d.file)) {
                    *d = d.clone().with_source(&String::from_utf8_lossy(&bytes));
                }
            }
        }
    }
}
