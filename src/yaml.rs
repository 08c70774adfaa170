//! YAML parsing, kept behind one module: typed parsing with positions and limits.
//!
//! `serde_yaml` is the maintained `yaml_serde` crate, renamed in Cargo.toml.

use serde::de::DeserializeOwned;

use crate::error::{did_you_mean, Diagnostic};

/// Deeper nesting than this is refused before parsing: no content file needs it.
const MAX_DEPTH: usize = 64;

/// Parses `src` (the YAML of `file`, whose first line is line `first_line` of the file).
pub fn parse<T: DeserializeOwned>(
    src: &str,
    file: &str,
    first_line: usize,
    full_source: &str,
) -> Result<T, Diagnostic> {
    if let Some(line) = too_deep(src) {
        return Err(Diagnostic::error(
            file,
            format!("YAML is nested more than {MAX_DEPTH} levels deep"),
        )
        .at(line + first_line - 1, 1)
        .help("content files are flat; remove the nesting")
        .with_source(full_source));
    }
    serde_yaml::from_str::<T>(src).map_err(|e| to_diagnostic(&e, file, first_line, full_source))
}

fn to_diagnostic(
    e: &serde_yaml::Error,
    file: &str,
    first_line: usize,
    full_source: &str,
) -> Diagnostic {
    let raw = e.to_string();
    // serde_yaml appends " at line L column C" to the message; the position is carried separately.
    let message = match raw.find(" at line ") {
        Some(i) => raw[..i].to_string(),
        None => raw.clone(),
    };
    let mut d = Diagnostic::error(file, message.clone());
    if let Some(loc) = e.location() {
        d = d.at(loc.line() + first_line - 1, loc.column());
    } else if message.contains("missing field") {
        d = d.at(first_line.saturating_sub(1).max(1), 1);
    }
    d = d.help(hint_for(&message));
    d.with_source(full_source)
}

/// What to do, for the messages serde produces.
fn hint_for(message: &str) -> String {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return match did_you_mean(name, known.iter().copied()) {
            Some(dym) => format!("{dym} (allowed keys: {})", known.join(", ")),
            None => format!("remove `{name}`; allowed keys: {}", known.join(", ")),
        };
    }
    if message.starts_with("missing field") {
        return "add the field; see CONTENT_FORMAT in the README".into();
    }
    if message.contains("invalid type") {
        return "check the value's type (a list is written `[a, b]`, text may need quotes)".into();
    }
    if message.contains("recursion limit") || message.contains("repetition limit") {
        return "aliases and deep nesting are not allowed in content files".into();
    }
    "fix the YAML syntax at the marked position (indentation, a missing `:` or an unquoted `: `)"
        .into()
}

/// The 1-based line where nesting (by flow brackets or indentation) first exceeds the limit.
fn too_deep(src: &str) -> Option<usize> {
    let mut flow = 0usize;
    for (i, line) in src.lines().enumerate() {
        let indent = line.len() - line.trim_start().len();
        for c in line.chars() {
            match c {
                '[' | '{' => flow += 1,
                ']' | '}' => flow = flow.saturating_sub(1),
                _ => {}
            }
        }
        if flow > MAX_DEPTH || indent / 2 > MAX_DEPTH * 2 {
            return Some(i + 1);
        }
    }
    None
}

/// Line and column (1-based) of the top-level key `key:` in `src`, if present.
pub fn key_position(src: &str, key: &str) -> Option<(usize, usize)> {
    src.lines().enumerate().find_map(|(i, line)| {
        let rest = line.strip_prefix(key)?;
        rest.starts_with(':').then_some((i + 1, 1))
    })
}

/// Line and column of the value of `key:` (at any indentation) whose value contains `value`.
pub fn value_position(src: &str, key: &str, value: &str) -> Option<(usize, usize)> {
    src.lines().enumerate().find_map(|(i, line)| {
        let trimmed = line.trim_start().trim_start_matches("- ");
        let rest = trimmed.strip_prefix(key)?.strip_prefix(':')?;
        let at = rest.find(value)?;
        let col = line.len() - trimmed.len() + key.len() + 1 + at + 1;
        Some((i + 1, col))
    })
}

/// Serialises a value as YAML (used by the scaffolding commands).
pub fn to_string<T: serde::Serialize>(value: &T) -> String {
    serde_yaml::to_string(value).unwrap_or_default()
}
