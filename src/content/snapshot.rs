//! Snapshot files: a document as captured on a day, in `sections` or `text` form.

use std::collections::HashSet;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::Deserialize;

use crate::config::is_http_url;
use crate::error::Diagnostic;
use crate::markdown::slugify;
use crate::yaml;

mod plain;

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct RawSnapshot {
    title: Option<String>,
    source_url: Option<String>,
    sections: Option<Vec<RawSection>>,
    text: Option<String>,
}

#[derive(Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: SectionId,
    heading: Option<String>,
    #[serde(default)]
    topics: Vec<String>,
    text: String,
}

/// Section ids are strings, but an unquoted `12` or `4.6` is a number in YAML.
#[derive(Debug, Deserialize, PartialEq)]
#[serde(untagged)]
enum SectionId {
    Text(String),
    Int(i64),
    Float(f64),
}

impl SectionId {
    fn into_string(self) -> String {
        match self {
            SectionId::Text(s) => s,
            SectionId::Int(i) => i.to_string(),
            SectionId::Float(f) => f.to_string(),
        }
    }
}

/// A snapshot as parsed, before anchors and HTML are added.
#[derive(Debug, Clone)]
pub struct ParsedSnapshot {
    pub title: Option<String>,
    pub source_url: Option<String>,
    pub sections: Vec<ParsedSection>,
}

#[derive(Debug, Clone)]
pub struct ParsedSection {
    pub id: String,
    pub heading: Option<String>,
    pub topics: Vec<String>,
    pub text: String,
    /// Line of the section's `id:` (sections form) or heading (text form), for messages.
    pub line: usize,
}

pub fn parse(src: &str, file: &str) -> Result<ParsedSnapshot, Vec<Diagnostic>> {
    let raw: RawSnapshot = match plain::read(src) {
        Some(raw) => raw,
        None => yaml::parse(src, file, 1, src).map_err(|d| vec![d])?,
    };
    let mut errors = Vec::new();
    if let Some(url) = &raw.source_url {
        if !is_http_url(url) {
            errors.push(
                Diagnostic::error(
                    file,
                    format!("`source_url` must be an http(s) URL, not `{url}`"),
                )
                .at_opt(yaml::key_position(src, "source_url"))
                .help("write the full address, starting with https://")
                .with_source(src),
            );
        }
    }
    let sections = match (raw.sections, raw.text) {
        (Some(_), Some(_)) => {
            errors.push(
                Diagnostic::error(file, "a snapshot has either `sections` or `text`, not both")
                    .at_opt(yaml::key_position(src, "text"))
                    .help("keep one of them")
                    .with_source(src),
            );
            Vec::new()
        }
        (None, None) => {
            errors.push(
                Diagnostic::error(file, "the snapshot has neither `sections` nor `text`")
                    .at(1, 1)
                    .help("add the document's text under `text: |` or as a list of `sections`"),
            );
            Vec::new()
        }
        (Some(list), None) => from_sections(list, src, file, &mut errors),
        (None, Some(text)) => {
            let first = yaml::key_position(src, "text")
                .map(|p| p.0 + 1)
                .unwrap_or(1);
            split_text(&text, first)
        }
    };
    if sections.is_empty() && errors.is_empty() {
        errors.push(
            Diagnostic::error(file, "the snapshot is empty")
                .at(1, 1)
                .help("a snapshot needs at least one section with text"),
        );
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(ParsedSnapshot {
        title: raw.title,
        source_url: raw.source_url,
        sections,
    })
}

fn from_sections(
    list: Vec<RawSection>,
    src: &str,
    file: &str,
    errors: &mut Vec<Diagnostic>,
) -> Vec<ParsedSection> {
    let id_positions = id_positions(src);
    let mut seen = HashSet::new();
    let mut out = Vec::with_capacity(list.len());
    for (i, raw) in list.into_iter().enumerate() {
        let (line, column) = id_positions.get(i).copied().unwrap_or((1, 1));
        let id = raw.id.into_string();
        if id.trim().is_empty() {
            errors.push(
                Diagnostic::error(file, "a section id is empty")
                    .at(line, column)
                    .help("give the section a short, stable id such as \"4.6\"")
                    .with_source(src),
            );
            continue;
        }
        if !seen.insert(id.clone()) {
            errors.push(
                Diagnostic::error(file, format!("section id `{id}` is used twice"))
                    .at(line, column)
                    .help("section ids must be unique in a snapshot; give this one another id")
                    .with_source(src),
            );
            continue;
        }
        if raw.text.trim().is_empty() {
            errors.push(
                Diagnostic::error(file, format!("section `{id}` has no text"))
                    .at(line, column)
                    .help("add its `text`, or remove the section")
                    .with_source(src),
            );
            continue;
        }
        out.push(ParsedSection {
            id,
            heading: raw.heading.filter(|h| !h.trim().is_empty()),
            topics: raw.topics,
            text: raw.text,
            line,
        });
    }
    out
}

/// Line and column of each section's `id:` key, in order, read from the block list under
/// `sections:`. Only lines at the items' own indentation count, so a `- id:` line inside a
/// section's text is not taken for one.
fn id_positions(src: &str) -> Vec<(usize, usize)> {
    let mut lines = src.lines().enumerate();
    if !lines.any(|(_, l)| l.starts_with("sections:")) {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut item_indent: Option<usize> = None;
    // The current item's dash, until its `id:` is found.
    let mut pending: Option<(usize, usize)> = None;
    for (i, line) in lines {
        // YAML indents with spaces only.
        let t = line.trim_start_matches([' ', '\t']);
        let indent = line.len() - t.len();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        if indent == 0 && !t.starts_with('-') {
            break; // the next top-level key
        }
        let items = *item_indent.get_or_insert(indent);
        if indent == items && (t == "-" || t.starts_with("- ")) {
            out.extend(pending.take());
            let after = t.strip_prefix('-').unwrap_or("").trim_start();
            let at = indent + (t.len() - after.len());
            if after.starts_with("id:") {
                out.push((i + 1, at + 1));
            } else {
                pending = Some((i + 1, indent + 1));
            }
        } else if pending.is_some() && indent == items + 2 && t.starts_with("id:") {
            pending = None;
            out.push((i + 1, indent + 1));
        }
    }
    out.extend(pending);
    out
}

/// Splits a whole-document Markdown string at its headings; ids are slugs of the headings.
pub fn split_text(text: &str, first_line: usize) -> Vec<ParsedSection> {
    let mut cuts: Vec<(usize, usize, String)> = Vec::new(); // (heading start, body start, heading text)
    let mut current: Option<(usize, String)> = None;
    for (event, range) in Parser::new_ext(text, pulldown_cmark::Options::all()).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { .. }) => current = Some((range.start, String::new())),
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, h)) = current.as_mut() {
                    h.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((start, h)) = current.take() {
                    cuts.push((start, range.end, h.trim().to_string()));
                }
            }
            _ => {}
        }
    }
    let line_of = |offset: usize| first_line + text[..offset].matches('\n').count();
    let mut out = Vec::new();
    let mut used: HashSet<String> = HashSet::new();
    let mut unique = |base: String| {
        let base = if base.is_empty() {
            "section".to_string()
        } else {
            base
        };
        let mut id = base.clone();
        let mut n = 2;
        while !used.insert(id.clone()) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    };
    let intro_end = cuts.first().map(|c| c.0).unwrap_or(text.len());
    let intro = text[..intro_end].trim();
    if !intro.is_empty() {
        out.push(ParsedSection {
            id: unique("introduction".into()),
            heading: None,
            topics: vec![],
            text: intro.to_string(),
            line: first_line,
        });
    }
    for (i, (start, body_start, heading)) in cuts.iter().enumerate() {
        let end = cuts.get(i + 1).map(|c| c.0).unwrap_or(text.len());
        let body = text[*body_start..end].trim();
        let id = unique(slugify(heading));
        out.push(ParsedSection {
            id,
            heading: Some(heading.clone()).filter(|h| !h.is_empty()),
            topics: vec![],
            text: if body.is_empty() {
                String::new()
            } else {
                body.to_string()
            },
            line: line_of(*start),
        });
    }
    // A heading followed directly by another heading has no text of its own; keep it only if
    // nothing else would remain, so that the document is never empty.
    let nonempty: Vec<ParsedSection> = out.iter().filter(|s| !s.text.is_empty()).cloned().collect();
    if nonempty.is_empty() {
        return out
            .into_iter()
            .filter(|s| s.heading.is_some())
            .map(|mut s| {
                s.text = s.heading.clone().unwrap_or_default();
                s
            })
            .collect();
    }
    nonempty
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_form_splits_at_headings_with_unique_ids() {
        let s = split_text(
            "Intro line.\n\n# Terms\n\nA.\n\nSetext\n------\n\nB.\n\n## Terms\n\nC.\n",
            3,
        );
        let ids: Vec<_> = s.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["introduction", "terms", "setext", "terms-2"]);
        assert_eq!(s[1].text, "A.");
        assert_eq!(s[1].line, 5);
    }

    #[test]
    fn numeric_ids_and_duplicates() {
        let src = "sections:\n  - id: 4.6\n    text: a\n  - id: \"4.6\"\n    text: b\n";
        let e = parse(src, "s.yaml").unwrap_err();
        assert_eq!((e[0].line, e[0].column), (Some(4), Some(5)));
        assert!(e[0].message.contains("used twice"));
    }
}

#[cfg(test)]
mod id_position_tests {
    use super::id_positions;

    #[test]
    fn ids_are_found_at_the_items_indentation_only() {
        let src = "title: T\nsections:\n  - id: a\n    text: |\n      - id: not-a-section\n  - heading: H\n    id: b\n    text: x\n  -\n    id: c\n    text: y\nsource_url: https://e.org\n";
        assert_eq!(id_positions(src), [(3, 5), (7, 5), (10, 5)]);
        assert_eq!(id_positions("sections: [{id: a, text: b}]\n"), []);
    }
}
