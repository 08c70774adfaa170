//! Diffs between two snapshots: sections aligned by id, a word-level diff inside changed sections.

use std::sync::Arc;

use crate::derive::words;
use crate::markdown::escape_html;
use crate::model::{Section, Snapshot};
use similar::{Algorithm, ChangeTag, DiffOp, TextDiff};

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
    /// The words are the same: at most whitespace, Markdown formatting or link targets changed
    /// (true as well for identical texts).
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
                let mut html = String::with_capacity(s.text.len() + 64);
                mark(&mut html, "del", &s.text);
                sections.push(whole(s, SectionChange::Removed, Arc::from(html), 0, words));
            }
        };
    push_removed(&removed_after[0], &mut sections, &mut stats);
    for (j, s) in new.sections.iter().enumerate() {
        match old.sections.iter().find(|o| o.id == s.id) {
            None => {
                let words = count_words(&s.text);
                stats.sections_added += 1;
                stats.words_added += words;
                let mut html = String::with_capacity(s.text.len() + 64);
                mark(&mut html, "ins", &s.text);
                sections.push(whole(s, SectionChange::Added, Arc::from(html), words, 0));
            }
            Some(o) if o.text == s.text && o.heading == s.heading => {
                sections.push(whole(s, SectionChange::Unchanged, s.html.clone(), 0, 0));
            }
            Some(o) => {
                let (html, words) = word_diff(&o.text, &s.text);
                let heading_changed = o.heading != s.heading;
                stats.sections_changed += 1;
                stats.add_words(words);
                let formatting_only =
                    !heading_changed && plain_words(&o.text).eq(plain_words(&s.text));
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
    // Identical texts count too: a capture whose source differed only in formatting that the
    // snapshot no longer shows is still a formatting-only version, not a change of wording.
    let formatting_only = same_words(&old.sections, &new.sections);
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
    let (a_words, b_words) = (words::word_bounds(a), words::word_bounds(b));
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Myers)
        .diff_slices(&a_words, &b_words);
    // Runs of one tag, in order.
    let mut runs: Vec<(ChangeTag, String)> = Vec::new();
    for change in diff.iter_all_changes() {
        match runs.last_mut() {
            Some((tag, run)) if *tag == change.tag() => run.push_str(change.value()),
            _ => runs.push((change.tag(), change.value().to_string())),
        }
    }
    let is_gap = |r: &(ChangeTag, String)| {
        r.0 == ChangeTag::Equal && r.1.chars().all(|c| c.is_whitespace() && c != '\n')
    };
    let mut i = 0;
    while i < runs.len() {
        if runs[i].0 == ChangeTag::Equal {
            html.push_str(&escape_html(&runs[i].1));
            i += 1;
            continue;
        }
        // A group of changes, with the spaces between them: "Please note that our" → "All"
        // reads as one replacement, not as three marks around two unchanged spaces.
        let mut j = i + 1;
        loop {
            if j < runs.len() && runs[j].0 != ChangeTag::Equal {
                j += 1;
            } else if j + 1 < runs.len() && is_gap(&runs[j]) && runs[j + 1].0 != ChangeTag::Equal {
                j += 2;
            } else {
                break;
            }
        }
        let group = &runs[i..j];
        let has = |t: ChangeTag| group.iter().any(|r| r.0 == t);
        if has(ChangeTag::Delete) && has(ChangeTag::Insert) {
            // The spaces are in both versions: they go into both marks.
            let side = |skip: ChangeTag| -> String {
                group
                    .iter()
                    .filter(|r| r.0 != skip)
                    .map(|r| r.1.as_str())
                    .collect()
            };
            let (old, new) = (side(ChangeTag::Insert), side(ChangeTag::Delete));
            counts.removed += count_words(&old);
            counts.added += count_words(&new);
            mark(html, "del", &old);
            mark(html, "ins", &new);
        } else {
            for (tag, run) in group {
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
            }
        }
        i = j;
    }
}

/// What a screen reader announces at the start of a mark, so a diff reads without colour.
pub const INS_LABEL: &str = "added: ";
/// See [`INS_LABEL`].
pub const DEL_LABEL: &str = "removed: ";

/// `<del>`/`<ins>` around escaped text, trailing line breaks kept outside the mark. Each mark
/// starts with a visually hidden label ("added: ", "removed: "), outside the text's word count.
fn mark(html: &mut String, tag: &str, text: &str) {
    let core = text.trim_end_matches('\n');
    let tail = &text[core.len()..];
    if !core.is_empty() {
        html.push('<');
        html.push_str(tag);
        html.push_str("><span class=\"visually-hidden\">");
        html.push_str(if tag == "ins" { INS_LABEL } else { DEL_LABEL });
        html.push_str("</span>");
        html.push_str(&escape_html(core));
        html.push_str("</");
        html.push_str(tag);
        html.push('>');
    }
    html.push_str(tail);
}

/// Words in the Unicode sense (UAX #29 word boundaries, keeping those with a letter or digit):
/// punctuation and Markdown markers are not words, `don't` is one, and each CJK ideograph is
/// one, so that texts without spaces are counted too.
pub fn count_words(s: &str) -> usize {
    words::count_words(s)
}

/// The words of a text without Markdown formatting, link targets or whitespace differences:
/// runs of characters other than whitespace and `` *_`#>|[]\ ``, a link target `](...)` counting
/// as a separator, leaving out runs made only of `-=+:` (rules, table lines). Slices of `s`,
/// without allocating, so that comparisons stop at the first difference.
fn plain_words(s: &str) -> Words<'_> {
    Words { s, pos: 0 }
}

struct Words<'a> {
    s: &'a str,
    pos: usize,
}

fn is_separator(c: char) -> bool {
    matches!(c, '*' | '_' | '`' | '#' | '>' | '|' | '[' | ']' | '\\') || c.is_whitespace()
}

impl<'a> Iterator for Words<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        loop {
            // Skip separators and link targets.
            let mut chars = self.s[self.pos..].char_indices();
            let start = loop {
                let (i, c) = chars.next()?;
                if c == ']' && self.s[self.pos + i + 1..].starts_with('(') {
                    let mut depth = 0;
                    let mut end = self.s.len() - self.pos;
                    for (j, d) in self.s[self.pos + i + 1..].char_indices() {
                        match d {
                            '(' => depth += 1,
                            ')' => {
                                depth -= 1;
                                if depth == 0 {
                                    end = i + 1 + j + 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                    }
                    let skip_to = self.pos + end;
                    self.pos = skip_to;
                    chars = self.s[self.pos..].char_indices();
                    continue;
                }
                if !is_separator(c) {
                    break self.pos + i;
                }
            };
            let len = self.s[start..]
                .find(is_separator)
                .unwrap_or(self.s.len() - start);
            self.pos = start + len;
            let word = &self.s[start..start + len];
            if !word.chars().all(|c| matches!(c, '-' | '=' | '+' | ':')) {
                return Some(word);
            }
        }
    }
}

/// Whether two versions have the same words once formatting is ignored: their headings and
/// texts' `plain_words`, as one sequence. Sections the same at both ends give the same words on both
/// sides, so only the sections between them are compared, and only up to the first difference.
fn same_words(old: &[Section], new: &[Section]) -> bool {
    let same = |a: &Section, b: &Section| a.heading == b.heading && a.text == b.text;
    let prefix = old.iter().zip(new).take_while(|(a, b)| same(a, b)).count();
    let (old, new) = (&old[prefix..], &new[prefix..]);
    let suffix = old
        .iter()
        .rev()
        .zip(new.iter().rev())
        .take_while(|(a, b)| same(a, b))
        .count();
    all_words(&old[..old.len() - suffix]).eq(all_words(&new[..new.len() - suffix]))
}

/// The headings' and texts' words of sections, in order.
fn all_words(sections: &[Section]) -> impl Iterator<Item = &str> {
    sections.iter().flat_map(|x| {
        x.heading
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .chain(plain_words(&x.text))
    })
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
            d.sections[0]
                .html
                .contains("<del><span class=\"visually-hidden\">removed: </span>two</del>"),
            "{}",
            d.sections[0].html
        );
        assert!(
            d.sections[0]
                .html
                .contains("<ins><span class=\"visually-hidden\">added: </span>2</ins>"),
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
        assert!(
            html.contains("<ins><span class=\"visually-hidden\">added: </span>script</ins>"),
            "{html}"
        );
    }

    #[test]
    fn replacements_read_as_one_mark_each_side() {
        let (html, added, removed) =
            diff_texts("Please note that our plans vary.", "All plans vary.");
        assert_eq!(
            html,
            "<del><span class=\"visually-hidden\">removed: </span>Please note that our</del>\
             <ins><span class=\"visually-hidden\">added: </span>All</ins> plans vary."
        );
        assert_eq!((added, removed), (1, 4));
        // Deletions alone keep the spaces between them, which both versions have.
        let (html, _, _) = diff_texts("a b c d", "a d");
        assert_eq!(html.matches("<del>").count(), 1, "{html}");
    }

    #[test]
    fn words_are_words_not_punctuation() {
        let old = snap(&[("a", "Fees apply.\n")]);
        let new = snap(&[("a", "Fees apply, and more fees.\n")]);
        let d = diff_snapshots(&old, &new);
        assert_eq!((d.stats.words_added, d.stats.words_removed), (3, 0));
        assert_eq!(count_words("- **Bold** item: don't stop (viii) 1.2"), 6);
        assert_eq!(count_words("我们收集数据"), 6);
    }

    #[test]
    fn identical_versions_are_formatting_only_without_stats() {
        let a = snap(&[("a", "Same words.\n"), ("b", "More.")]);
        let d = diff_snapshots(&a, &a.clone());
        assert!(d.stats.is_empty());
        assert!(d.formatting_only);
        assert!(d
            .sections
            .iter()
            .all(|s| s.change == SectionChange::Unchanged));
    }

    #[test]
    fn whole_sections_are_labelled_for_screen_readers() {
        let old = snap(&[("a", "Old clause.\n")]);
        let new = snap(&[("b", "New clause.\n")]);
        let d = diff_snapshots(&old, &new);
        assert_eq!(
            &*d.sections[0].html,
            "<del><span class=\"visually-hidden\">removed: </span>Old clause.</del>\n"
        );
        assert_eq!(
            &*d.sections[1].html,
            "<ins><span class=\"visually-hidden\">added: </span>New clause.</ins>\n"
        );
        assert!(!d.formatting_only);
    }
    /// The definition `plain_words` implements, the straightforward way.
    fn reference_words(s: &str) -> Vec<String> {
        let mut out = String::new();
        let mut chars = s.chars().peekable();
        while let Some(c) = chars.next() {
            if c == ']' && chars.peek() == Some(&'(') {
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
            .map(str::to_string)
            .collect()
    }

    #[test]
    fn words_match_their_definition() {
        for s in [
            "",
            "plain words here",
            "  **bold** _it_ `code` # h > q | t [l](https://x.example/(a)b) end",
            "a](unclosed (target",
            "x](y) z ](()) w] (v) ---  === +:+ :-: a-b",
            "Réservé — «données» 数据\u{3000}全角 [lien](/fr/)\\échappé",
            "| a | b |\n|---|:-:|\n| 1 | 2 |",
            "]( ](",
        ] {
            let got: Vec<&str> = plain_words(s).collect();
            assert_eq!(got, reference_words(s), "{s:?}");
        }
    }

    #[test]
    fn unchanged_ends_do_not_change_the_verdict() {
        // Words moved across a boundary between heading-less sections are still the same words.
        let mut old = snap(&[
            ("a", "same"),
            ("b", "one two"),
            ("c", "three"),
            ("d", "tail"),
        ]);
        let mut new = snap(&[
            ("a", "same"),
            ("b", "one"),
            ("c", "two three"),
            ("d", "tail"),
        ]);
        for s in old.sections.iter_mut().chain(new.sections.iter_mut()) {
            s.heading = None;
        }
        assert!(diff_snapshots(&old, &new).formatting_only);
        let changed = snap(&[
            ("a", "same"),
            ("b", "one"),
            ("c", "two four"),
            ("d", "tail"),
        ]);
        assert!(!diff_snapshots(&old, &changed).formatting_only);
    }
}
