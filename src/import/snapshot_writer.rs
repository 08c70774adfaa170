//! Writing snapshot files: YAML in the `sections` form, texts as literal block scalars, checked by
//! reading the file back with the loader's own parser.

use crate::content::snapshot;

/// One section to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutSection {
    pub id: String,
    pub heading: Option<String>,
    pub topics: Vec<String>,
    /// Markdown; a final newline is added when missing.
    pub text: String,
}

/// A snapshot to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutSnapshot {
    pub title: Option<String>,
    pub source_url: Option<String>,
    pub sections: Vec<OutSection>,
}

/// A plain scalar when it reads back as the same string, else double-quoted.
pub fn scalar(value: &str) -> String {
    if plain_ok(value) {
        value.to_string()
    } else {
        quoted(value)
    }
}

fn plain_ok(value: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "y", "yes", "n", "no", "true", "false", "on", "off", "null", "~", "",
    ];
    let first = value.chars().next();
    let ok = value == value.trim()
        && !SPECIAL.contains(&value.to_lowercase().as_str())
        && !value.contains(['\n', '\t', '\r'])
        && !first.is_some_and(|c| "-?:,[]{}#&*!|>'\"%@`".contains(c))
        // Numbers, dates and times would read back as other types in some YAML readers.
        && !first.is_some_and(|c| c.is_ascii_digit() || c == '.' || c == '+')
        && !value.contains(": ")
        && !value.contains(" #")
        && !value.ends_with(':')
        && value.chars().all(|c| !c.is_control() && !is_yaml_break(c));
    ok && matches!(
        serde_yaml::from_str::<serde_yaml::Value>(&format!("k: {value}")),
        Ok(serde_yaml::Value::Mapping(m)) if m.get("k").and_then(|v| v.as_str()) == Some(value)
    )
}

fn is_yaml_break(c: char) -> bool {
    matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}')
}

/// A YAML double-quoted scalar.
pub fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() || is_yaml_break(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A literal block scalar (`|`) for `text`, indented by `indent` spaces, or a double-quoted
/// scalar for a text a block cannot carry exactly.
fn block(text: &str, indent: usize) -> String {
    let mut text = text.trim_end_matches('\n').to_string();
    text.push('\n');
    let blockable = !text.trim().is_empty()
        && text
            .chars()
            .all(|c| c == '\n' || c == '\t' || (!c.is_control() && !is_yaml_break(c)))
        && !text
            .lines()
            .any(|l| l.ends_with([' ', '\t']) && l.trim().is_empty());
    if !blockable {
        return quoted(&text) + "\n";
    }
    let pad = " ".repeat(indent);
    let first = text.split('\n').next().unwrap_or("");
    let header = if first.starts_with(' ') { "|2" } else { "|" };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(header);
    out.push('\n');
    for line in text[..text.len() - 1].split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    out
}

/// The file's text.
pub fn to_yaml(s: &OutSnapshot) -> String {
    yaml_text(s, false)
}

/// The file's text; `quoted_texts` writes texts as double-quoted scalars instead of blocks.
fn yaml_text(s: &OutSnapshot, quoted_texts: bool) -> String {
    let mut out = String::new();
    if let Some(t) = &s.title {
        out.push_str(&format!("title: {}\n", scalar(t)));
    }
    if let Some(u) = &s.source_url {
        out.push_str(&format!("source_url: {}\n", scalar(u)));
    }
    out.push_str("sections:\n");
    for sec in &s.sections {
        out.push_str(&format!("  - id: {}\n", scalar(&sec.id)));
        if let Some(h) = &sec.heading {
            out.push_str(&format!("    heading: {}\n", scalar(h)));
        }
        if !sec.topics.is_empty() {
            out.push_str(&format!("    topics: [{}]\n", sec.topics.join(", ")));
        }
        if quoted_texts {
            let mut t = sec.text.trim_end_matches('\n').to_string();
            t.push('\n');
            out.push_str(&format!("    text: {}\n", quoted(&t)));
        } else {
            out.push_str(&format!("    text: {}", block(&sec.text, 6)));
        }
    }
    out
}

/// Writes the YAML, reads it back as the loader would and checks that it gives back exactly
/// the sections meant. Returns the text, or what differed.
pub fn render_checked(s: &OutSnapshot, file: &str) -> Result<String, String> {
    // Literal blocks read best; should one not read back exactly, every text is quoted.
    check_yaml(s, yaml_text(s, false), file).or_else(|_| check_yaml(s, yaml_text(s, true), file))
}

fn check_yaml(s: &OutSnapshot, yaml: String, file: &str) -> Result<String, String> {
    let parsed = snapshot::parse(&yaml, file).map_err(|d| {
        d.iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("; ")
    })?;
    if parsed.sections.len() != s.sections.len() {
        return Err(format!(
            "{} sections written, {} read back",
            s.sections.len(),
            parsed.sections.len()
        ));
    }
    for (a, b) in s.sections.iter().zip(&parsed.sections) {
        let mut want = a.text.trim_end_matches('\n').to_string();
        want.push('\n');
        if a.id != b.id || a.heading != b.heading || want != b.text || a.topics != b.topics {
            return Err(format!("section `{}` does not read back as written", a.id));
        }
    }
    if parsed.title != s.title || parsed.source_url != s.source_url {
        return Err("the title or source URL does not read back as written".into());
    }
    Ok(yaml)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_round_trip() {
        for v in [
            "introduction",
            "4.6",
            "12",
            "yes",
            "a: b",
            "#x",
            "Terms & Conditions",
            "say \"hi\"",
            "back\\slash",
            "line\u{2028}sep",
            "2024-01-01",
            "Privacy Policy (隐私政策)",
        ] {
            let y = format!("k: {}", scalar(v));
            let m: std::collections::BTreeMap<String, String> = serde_yaml::from_str(&y).unwrap();
            assert_eq!(m["k"], v, "{y}");
        }
        assert_eq!(scalar("introduction"), "introduction");
        assert_eq!(scalar("4.6"), "\"4.6\"");
    }

    #[test]
    fn texts_round_trip() {
        let s = OutSnapshot {
            title: Some("T: x".into()),
            source_url: Some("https://example.com/a?b=c#d".into()),
            sections: vec![
                OutSection {
                    id: "a".into(),
                    heading: Some("1. A".into()),
                    topics: vec!["ai-training".into()],
                    text: "    indented first line\nnext\n\n\nafter blanks\n".into(),
                },
                OutSection {
                    id: "b".into(),
                    heading: None,
                    topics: vec![],
                    text: "odd\u{85}char and a tab\there".into(),
                },
                OutSection {
                    id: "c".into(),
                    heading: None,
                    topics: vec![],
                    text: "\tTabbed first line\n  \nnext".into(),
                },
            ],
        };
        render_checked(&s, "x.yaml").unwrap();
    }
}
