//! Diffs between two snapshots: sections aligned by id, a word-level diff inside changed sections.

use std::sync::Arc;

use similar::{Algorithm, ChangeTag, DiffOp, TextDiff};

use crate::markdown::escape_html;
use crate::model::{Section, Snapshot};

/// What happened to a section between two versions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SectionChange {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// Counts that summarise a diff.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DiffStats {
    pub sections_added: usize,
    pub sections_removed: usize,
    pub sections_changed: usize,
    pub words_added: usize,
    pub words_removed: usize,
}

impl DiffStats {
    pub fn is_empty(&self) -> bool {
        *self == DiffStats::default()
    }

    fn add_words(&mut self, w: WordCounts) {
        self.words_added += w.added;
        self.words_removed += w.removed;
    }
}

/// One section of a diff.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SectionDiff {
    pub id: String,
    pub anchor: String,
    pub heading: String,
    /// The heading in the older version, when it was different.
    pub old_heading: Option<String>,
    pub change: SectionChange,
    /// True for a changed section whose words, ignoring formatting and link targets, are the same.
    pub formatting_only: bool,
    /// Changed, added, removed: the section's text with `<ins>`/`<del>` marks (escaped source
    /// text; CSS keeps line breaks). Unchanged: the section's rendered HTML, shared, not copied.
    #[serde(skip)]
    pub html: Arc<str>,
    pub words_added: usize,
    pub words_removed: usize,
}

/// The diff between two versions of a document.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SnapshotDiff {
    pub sections: Vec<SectionDiff>,
    pub stats: DiffStats,
    /// Only whitespace, Markdown formatting or link targets changed.
    pub formatting_only: bool,
}

#[derive(Debug, Clone, Copy, Default)]
struct WordCounts {
    added: usize,
    removed: usize,
}

/// Texts longer than this many words are shown as removed-then-added instead of word-diffed:
/// past it, a word diff of unrelated text costs more than it tells.
const MAX_WORD_DIFF_TOKENS: usize = 40_000;

/// Diffs two versions of one document.
pub fn diff_snapshots(old: &Snapshot, new: &Snapshot) -> SnapshotDiff {
    let mut stats = DiffStats::default();
    let mut removed_after: Vec<Vec<&Section>> = vec![Vec::new(); new.sections.len() + 1];
    // A removed section is shown after the nearest earlier section that still exists.
    let mut last_kept: usize = 0;
    for s in &old.sections {
        match new.sections.iter().position(|n| n.id == s.id) {
            Some(j) => last_kept = j + 1,
            None => removed_after[last_kept].push(s),
        }
    }
    let mut sections = Vec::with_capacity(new.sections.len());
    let push_removed =
        |list: &Vec<&Section>, sections: &mut Vec<SectionDiff>, stats: &mut DiffStats| {
            for s in list {
                let words = count_words(&s.text);
                stats.sections_removed += 1;
                stats.words_removed += words;
                sections.push(whole(
                    s,
                    SectionChange::Removed,
                    Arc::from(format!("<del>{}</del>", escape_html(&s.text))),
                    0,
                    words,
                ));
            }
        };
    push_removed(&removed_after[0], &mut sections, &mut stats);
    for (j, s) in new.sections.iter().enumerate() {
        match old.sections.iter().find(|o| o.id == s.id) {
            None => {
                let words = count_words(&s.text);
                stats.sections_added += 1;
                stats.words_added += words;
                sections.push(whole(
                    s,
                    SectionChange::Added,
                    Arc::from(format!("<ins>{}</ins>", escape_html(&s.text))),
                    words,
                    0,
                ));
            }
            Some(o) if o.text == s.text && o.heading == s.heading => {
                sections.push(whole(s, SectionChange::Unchanged, s.html.clone(), 0, 0));
            }
            Some(o) => {
                let (html, words) = word_diff(&o.text, &s.text);
                let heading_changed = o.heading != s.heading;
                stats.sections_changed += 1;
                stats.add_words(words);
                let formatting_only = !heading_changed && normalize(&o.text) == normalize(&s.text);
                sections.push(SectionDiff {
                    old_heading: if heading_changed {
                        Some(o.label().to_string())
                    } else {
                        None
                    },
                    change: SectionChange::Changed,
                    formatting_only,
                    html: Arc::from(html),
                    words_added: words.added,
                    words_removed: words.removed,
                    ..whole(s, SectionChange::Changed, Arc::from(""), 0, 0)
                });
            }
        }
        push_removed(&removed_after[j + 1], &mut sections, &mut stats);
    }
    let changed = !stats.is_empty();
    let formatting_only = changed && normalize_all(old) == normalize_all(new);
    SnapshotDiff {
        sections,
        stats,
        formatting_only,
    }
}

/// Diffs one section's text between two versions (for section histories).
pub fn diff_texts(old: &str, new: &str) -> (String, usize, usize) {
    let (html, w) = word_diff(old, new);
    (html, w.added, w.removed)
}

fn whole(
    s: &Section,
    change: SectionChange,
    html: Arc<str>,
    added: usize,
    removed: usize,
) -> SectionDiff {
    SectionDiff {
        id: s.id.clone(),
        anchor: s.anchor.clone(),
        heading: s.label().to_string(),
        old_heading: None,
        change,
        formatting_only: false,
        html,
        words_added: added,
        words_removed: removed,
    }
}

/// A two-level diff: paragraphs first (cheap), then words inside the paragraphs that changed.
fn word_diff(old: &str, new: &str) -> (String, WordCounts) {
    let old_paras: Vec<&str> = old.split_inclusive('\n').collect();
    let new_paras: Vec<&str> = new.split_inclusive('\n').collect();
    let para_diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .diff_slices(&old_paras, &new_paras);
    let mut html = String::with_capacity(new.len() + 64);
    let mut counts = WordCounts::default();
    for op in para_diff.ops() {
        match *op {
            DiffOp::Equal { old_index, len, .. } => {
                for p in &old_paras[old_index..old_index + len] {
                    html.push_str(&escape_html(p));
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                let text: String = old_paras[old_index..old_index + old_len].concat();
                counts.removed += count_words(&text);
                mark(&mut html, "del", &text);
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => {
                let text: String = new_paras[new_index..new_index + new_len].concat();
                counts.added += count_words(&text);
                mark(&mut html, "ins", &text);
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                let a: String = old_paras[old_index..old_index + old_len].concat();
                let b: String = new_paras[new_index..new_index + new_len].concat();
                inline_words(&a, &b, &mut html, &mut counts);
            }
        }
    }
    (html, counts)
}

fn inline_words(a: &str, b: &str, html: &mut String, counts: &mut WordCounts) {
    if a.len() / 4 > MAX_WORD_DIFF_TOKENS || b.len() / 4 > MAX_WORD_DIFF_TOKENS {
        counts.removed += count_words(a);
        counts.added += count_words(b);
        mark(html, "del", a);
        mark(html, "ins", b);
        return;
    }
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_unicode_words(a, b);
    let mut run = String::new();
    let mut run_tag = ChangeTag::Equal;
    let mut flush = |run: &mut String, tag: ChangeTag, html: &mut String| {
        if run.is_empty() {
            return;
        }
        match tag {
            ChangeTag::Equal => html.push_str(&escape_html(run)),
            ChangeTag::Delete => {
                counts.removed += count_words(run);
                mark(html, "del", run);
            }
            ChangeTag::Insert => {
                counts.added += count_words(run);
                mark(html, "ins", run);
            }
        }
        run.clear();
    };
    for change in diff.iter_all_changes() {
        let tag = change.tag();
        let value = change.value();
        if tag != run_tag {
            flush(&mut run, run_tag, html);
            run_tag = tag;
        }
        run.push_str(value);
    }
    flush(&mut run, run_tag, html);
}

/// `<del>`/`<ins>` around escaped text, trailing line breaks kept outside the mark.
fn mark(html: &mut String, tag: &str, text: &str) {
    let core = text.trim_end_matches('\n');
    let tail = &text[core.len()..];
    if !core.is_empty() {
        html.push('<');
        html.push_str(tag);
        html.push('>');
        html.push_str(&escape_html(core));
        html.push_str("</");
        html.push_str(tag);
        html.push('>');
    }
    html.push_str(tail);
}

/// Words: runs of characters that are not whitespace.
pub fn count_words(s: &str) -> usize {
    s.split_whitespace().count()
}

/// The words of a text without Markdown formatting, link targets or whitespace differences.
fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == ']' && chars.peek() == Some(&'(') {
            // Skip a link target `](...)`, keeping the link text.
            let mut depth = 0;
            for d in chars.by_ref() {
                match d {
                    '(' => depth += 1,
                    ')' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    _ => {}
                }
            }
            out.push(' ');
            continue;
        }
        match c {
            '*' | '_' | '`' | '#' | '>' | '|' | '[' | ']' | '\\' => out.push(' '),
            c if c.is_whitespace() => out.push(' '),
            c => out.push(c),
        }
    }
    out.split_whitespace()
        .filter(|w| {
            !w.chars()
                .all(|c| c == '-' || c == '=' || c == '+' || c == ':')
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn normalize_all(s: &Snapshot) -> String {
    s.sections
        .iter()
        .map(|x| {
            format!(
                "{} {}",
                x.heading.as_deref().unwrap_or(""),
                normalize(&x.text)
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snap(sections: &[(&str, &str)]) -> Snapshot {
        Snapshot {
            date: jiff::civil::date(2026, 1, 1),
            title: "T".into(),
            source_url: None,
            file: String::new(),
            sections: sections
                .iter()
                .map(|(id, text)| Section {
                    id: id.to_string(),
                    anchor: id.to_string(),
                    heading: Some(id.to_uppercase()),
                    topics: vec![],
                    text: Arc::from(*text),
                    html: Arc::from(""),
                })
                .collect(),
        }
    }

    #[test]
    fn aligns_by_id_and_counts_words() {
        let old = snap(&[("a", "one two three"), ("b", "gone text"), ("c", "same")]);
        let new = snap(&[
            ("a", "one 2 three four"),
            ("c", "same"),
            ("d", "brand new words"),
        ]);
        let d = diff_snapshots(&old, &new);
        let kinds: Vec<_> = d
            .sections
            .iter()
            .map(|s| (s.id.as_str(), s.change))
            .collect();
        assert_eq!(
            kinds,
            [
                ("a", SectionChange::Changed),
                ("b", SectionChange::Removed),
                ("c", SectionChange::Unchanged),
                ("d", SectionChange::Added)
            ]
        );
        assert_eq!(
            d.stats,
            DiffStats {
                sections_added: 1,
                sections_removed: 1,
                sections_changed: 1,
                words_added: 5,
                words_removed: 3
            }
        );
        assert!(
            d.sections[0].html.contains("<del>two</del>"),
            "{}",
            d.sections[0].html
        );
        assert!(
            d.sections[0].html.contains("<ins>2</ins>"),
            "{}",
            d.sections[0].html
        );
        assert!(!d.formatting_only);
    }

    #[test]
    fn formatting_only_changes_are_labelled() {
        let old = snap(&[(
            "a",
            "Read [our policy](https://a.example/x) now.\n\nSecond  para.",
        )]);
        let new = snap(&[(
            "a",
            "Read **[our policy](https://b.example/y)** now.\nSecond para.",
        )]);
        let d = diff_snapshots(&old, &new);
        assert!(d.formatting_only);
        assert!(d.sections[0].formatting_only);
    }

    #[test]
    fn escapes_text() {
        let (html, _, _) = diff_texts("a <b>", "a <script>");
        assert!(!html.contains("<script"), "{html}");
        assert!(html.contains("<ins>script</ins>"), "{html}");
    }
}
