//! Snapshot files in the plain shape `termtrail snapshot`, `import` and most people write them
//! (top-level keys, a list of sections with `id`, `heading`, `topics: [a, b]` and `text: |`),
//! read without the YAML parser: on a large site, parsing snapshots with libyaml took a third
//! of the load. Anything outside that shape, and anything YAML could read differently from how
//! it looks (a bare `12` or `null`, escapes, comments, folded or indented block headers), gives
//! `None`, and the YAML parser reads the file instead, with its error messages.

use std::collections::HashSet;

use super::{RawSection, RawSnapshot, SectionId};
use crate::markdown::{bytes_below, bytes_equal, non_ascii, word_at};

/// The snapshot as the YAML parser would read it, when the file is in the plain shape.
pub(super) fn read(src: &str) -> Option<RawSnapshot> {
    // Without a final line break, YAML ends a last block of text without one too.
    if !src.ends_with('\n') || !all_plain(src) {
        return None;
    }
    let mut lines = Lines::new(src);
    let mut raw = RawSnapshot {
        title: None,
        source_url: None,
        sections: None,
        text: None,
    };
    let mut seen = HashSet::new();
    while let Some(line) = lines.next() {
        if line.is_empty() {
            continue;
        }
        let (key, value) = key_value(line)?;
        if !seen.insert(key) {
            return None;
        }
        match key {
            "title" => raw.title = Some(scalar(value)?),
            "source_url" => raw.source_url = Some(scalar(value)?),
            "text" => raw.text = Some(block(value, 0, &mut lines)?),
            "sections" if value.is_empty() => raw.sections = Some(sections(&mut lines)?),
            _ => return None,
        }
    }
    Some(raw)
}

/// Whether every character of `src` is a `plain_char`. Printable ASCII, nearly all of a
/// snapshot, is let through eight bytes at a time.
fn all_plain(src: &str) -> bool {
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = word_at(bytes, i) {
            if non_ascii(word) | bytes_below(word, 0x20) | bytes_equal(word, 0x7f) == 0 {
                i += 8;
                continue;
            }
        }
        // `i` is always at a character's start: only whole ASCII words are skipped.
        let Some(c) = src[i..].chars().next() else {
            break;
        };
        if !plain_char(c) {
            return false;
        }
        i += c.len_utf8();
    }
    true
}

/// Characters libyaml takes as they are. Not: other control characters (refused), the
/// line breaks of YAML 1.1 (U+0085, U+2028, U+2029), CR, and a byte-order mark.
fn plain_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | ' '..='~' | '\u{a0}'..='\u{2027}' | '\u{202a}'..='\u{d7ff}' | '\u{e000}'..='\u{fefe}' | '\u{ff00}'..='\u{fffd}')
        || c >= '\u{10000}'
}

/// The file's lines, with one line of look-ahead.
struct Lines<'a> {
    rest: std::iter::Peekable<std::str::Split<'a, char>>,
}

impl<'a> Lines<'a> {
    fn new(src: &'a str) -> Lines<'a> {
        // The empty piece after the last newline is not a line.
        let src = src.strip_suffix('\n').unwrap_or(src);
        Lines {
            rest: src.split('\n').peekable(),
        }
    }

    fn next(&mut self) -> Option<&'a str> {
        self.rest.next()
    }

    fn peek(&mut self) -> Option<&'a str> {
        self.rest.peek().copied()
    }
}

/// `key: value` or `key:` at the start of `line`; the key in lower case letters and `_`.
fn key_value(line: &str) -> Option<(&str, &str)> {
    let colon = line.find(':')?;
    let key = &line[..colon];
    if key.is_empty() || !key.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') {
        return None;
    }
    match &line[colon + 1..] {
        "" => Some((key, "")),
        rest => Some((key, rest.strip_prefix(' ')?)),
    }
}

/// A scalar on one line: plain, or quoted without anything to unescape.
fn scalar(value: &str) -> Option<String> {
    let value = value.trim_end_matches(' ');
    let first = value.chars().next()?;
    if first == '"' || first == '\'' {
        let inner = value.strip_prefix(first)?.strip_suffix(first)?;
        if inner.contains(first) || (first == '"' && inner.contains('\\')) {
            return None;
        }
        return Some(inner.to_string());
    }
    plain(value).then(|| value.to_string())
}

/// A plain scalar YAML reads as this very string: not starting with an indicator, not holding
/// `: ` or ` #`, and not something YAML reads as null, a boolean or a number.
fn plain(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) || first.is_whitespace() {
        return false;
    }
    if s.contains(": ") || s.contains(" #") || s.contains('\t') || s.ends_with(':') {
        return false;
    }
    let lower = s.to_ascii_lowercase();
    if matches!(
        lower.as_str(),
        "~" | "null" | "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n"
    ) {
        return false;
    }
    // Anything that could be a number (`12`, `4.6`, `1e3`, `0x1f`, `.inf`) is left to YAML.
    let numeric = first.is_ascii_digit() || matches!(first, '+' | '.');
    !(numeric
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-._".contains(c)))
}

/// A literal block scalar (`|` or `|-`) under a key at indentation `parent`: the lines after
/// it that are more indented, or empty.
fn block(header: &str, parent: usize, lines: &mut Lines<'_>) -> Option<String> {
    let strip = match header {
        "|" => false,
        "|-" => true,
        _ => return None,
    };
    let mut indent: Option<usize> = None;
    let mut content: Vec<&str> = Vec::new();
    while let Some(line) = lines.peek() {
        if line.is_empty() {
            content.push("");
            lines.next();
            continue;
        }
        let spaces = line.len() - line.trim_start_matches(' ').len();
        if spaces == line.len() {
            // A line of spaces only: how YAML counts it depends on the indentation.
            return None;
        }
        let at = *indent.get_or_insert(spaces);
        if at <= parent {
            // Nothing indented under the key: YAML reads an empty block; leave that to it.
            return None;
        }
        if spaces < at {
            break;
        }
        if line[at..].starts_with('\t') {
            // A tab where YAML may still be reading indentation.
            return None;
        }
        content.push(&line[at..]);
        lines.next();
    }
    indent?;
    while content.last() == Some(&"") {
        content.pop();
    }
    let mut text = content.join("\n");
    if !strip && !text.is_empty() {
        text.push('\n');
    }
    Some(text)
}

/// The list under `sections:`: items at two spaces (`  - id: ...`), their keys at four.
fn sections(lines: &mut Lines<'_>) -> Option<Vec<RawSection>> {
    let mut list = Vec::new();
    while let Some(line) = lines.peek() {
        if line.is_empty() {
            lines.next();
            continue;
        }
        let Some(first) = line.strip_prefix("  - ") else {
            // The next top-level key; anything else is not the plain shape.
            return (!line.starts_with(' ') && !list.is_empty()).then_some(list);
        };
        lines.next();
        list.push(section(first, lines)?);
    }
    (!list.is_empty()).then_some(list)
}

/// One section: its first key on the dash's line, the others on lines of their own.
fn section(first: &str, lines: &mut Lines<'_>) -> Option<RawSection> {
    let mut id = None;
    let mut heading = None;
    let mut topics = None;
    let mut text = None;
    let mut line = first;
    loop {
        let (key, value) = key_value(line)?;
        match key {
            "id" if id.is_none() => id = Some(SectionId::Text(scalar(value)?)),
            "heading" if heading.is_none() => heading = Some(scalar(value)?),
            "topics" if topics.is_none() => topics = Some(flow_list(value)?),
            "text" if text.is_none() => text = Some(block(value, 4, lines)?),
            _ => return None,
        }
        match lines.peek().and_then(|l| l.strip_prefix("    ")) {
            Some(next) if !next.starts_with(' ') => {
                line = next;
                lines.next();
            }
            _ => break,
        }
    }
    Some(RawSection {
        id: id?,
        heading,
        topics: topics.unwrap_or_default(),
        text: text?,
    })
}

/// `[a, b]` of topic slugs.
fn flow_list(value: &str) -> Option<Vec<String>> {
    let inner = value
        .trim_end_matches(' ')
        .strip_prefix('[')?
        .strip_suffix(']')?;
    if inner.trim().is_empty() {
        return Some(Vec::new());
    }
    inner
        .split(',')
        .map(|t| {
            let t = t.trim_matches(' ');
            let slug = !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && plain(t);
            slug.then(|| t.to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What the YAML parser makes of `src`, as `parse` calls it.
    fn by_yaml(src: &str) -> Option<RawSnapshot> {
        crate::yaml::parse::<RawSnapshot>(src, "x.yaml", 1, src).ok()
    }

    #[test]
    fn the_plain_shape_reads_as_yaml_does() {
        let src = "title: Terms of Service\nsource_url: https://example.com/terms?lang=en\nsections:\n  - id: \"4.6\"\n    heading: 1. Your Relationship With Us\n    topics: [ai-training, arbitration]\n    text: |\n      First line: with a colon # and a hash.\n\n        Indented more.\n\n\n  - id: 'b'\n    text: |-\n      Stripped.\n  - heading: \"Heading first\"\n    id: c\n    text: |\n      x\n";
        let plain = read(src).expect("the plain shape");
        assert_eq!(Some(plain), by_yaml(src));
        let text = "title: T\ntext: |\n  # Heading\n\n  Body.\n";
        assert_eq!(read(text), by_yaml(text));
        assert!(read(text).is_some());
    }

    #[test]
    fn what_yaml_could_read_otherwise_is_left_to_it() {
        for src in [
            "title: 12\ntext: |\n  x\n",
            "title: null\ntext: |\n  x\n",
            "title: \"a\\nb\"\ntext: |\n  x\n",
            "title: a # comment\ntext: |\n  x\n",
            "# comment\ntext: |\n  x\n",
            "text: >\n  folded\n",
            "text: |2\n  x\n",
            "sections:\n- id: a\n  text: |\n    x\n",
            "sections:\n  - id: 4.6\n    text: |\n      x\n",
            "sections:\n  - id: a\n    topics:\n      - b\n    text: |\n      x\n",
            "text: |\r\n  x\r\n",
            "\u{feff}text: |\n  x\n",
            "text: |\n  a\u{2028}b\n",
            "text: |\n  x\n   \n",
            "text: |\n  x",
            "title: Terms\ntitle: Again\ntext: |\n  x\n",
            "other: 1\n",
        ] {
            assert_eq!(read(src), None, "{src:?}");
        }
    }

    /// One-line scalars as people (and generators) write them, tricky ones included.
    fn scalar_text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-zA-Z0-9 .,:#'\"&*!%@`\\[\\]{}?|>~+-]{0,14}",
            "[0-9.eE+-]{1,6}",
            Just("null".to_string()),
            Just("True".to_string()),
            Just("1. Introduction".to_string()),
            "[\u{a0}-\u{17f}\u{2020}-\u{2030}\t ]{1,6}",
        ]
    }

    fn scalar_as_written() -> impl Strategy<Value = String> {
        (scalar_text(), 0..3u8).prop_map(|(s, q)| match q {
            0 => s,
            1 => format!("\"{s}\""),
            _ => format!("'{s}'"),
        })
    }

    fn block_as_written(indent: usize) -> impl Strategy<Value = String> {
        let line = (0..4usize, "[a-zA-Z0-9 .,:#'\"\t-]{0,12}", any::<bool>());
        (
            prop_oneof![Just("|"), Just("|-"), Just("|+"), Just(">"), Just("| ")],
            proptest::collection::vec(line, 0..6),
        )
            .prop_map(move |(header, lines)| {
                let mut out = format!("{header}\n");
                for (extra, text, empty) in lines {
                    if empty {
                        out.push('\n');
                    } else {
                        // Mostly at the block's indentation, sometimes more or less.
                        let spaces = (indent + extra).saturating_sub(1);
                        out.push_str(&" ".repeat(spaces));
                        out.push_str(&text);
                        out.push('\n');
                    }
                }
                out
            })
    }

    fn section_as_written() -> impl Strategy<Value = String> {
        (
            scalar_as_written(),
            proptest::option::of(scalar_as_written()),
            proptest::option::of("\\[[a-z0-9, -]{0,12}\\]"),
            block_as_written(6),
            any::<bool>(),
        )
            .prop_map(|(id, heading, topics, text, heading_first)| {
                let mut keys = vec![format!("id: {id}")];
                if let Some(h) = heading {
                    keys.insert(usize::from(heading_first), format!("heading: {h}"));
                }
                if let Some(t) = topics {
                    keys.push(format!("topics: {t}"));
                }
                keys.push(format!("text: {text}"));
                let mut out = String::new();
                for (i, k) in keys.iter().enumerate() {
                    out.push_str(if i == 0 { "  - " } else { "    " });
                    out.push_str(k);
                    if !k.ends_with('\n') {
                        out.push('\n');
                    }
                }
                out
            })
    }

    fn snapshot_as_written() -> impl Strategy<Value = String> {
        (
            proptest::option::of(scalar_as_written()),
            proptest::option::of(scalar_as_written()),
            prop_oneof![
                proptest::collection::vec(section_as_written(), 1..4)
                    .prop_map(|s| format!("sections:\n{}", s.concat())),
                block_as_written(2).prop_map(|b| format!("text: {b}")),
            ],
        )
            .prop_map(|(title, url, body)| {
                let mut out = String::new();
                if let Some(t) = title {
                    out.push_str(&format!("title: {t}\n"));
                }
                if let Some(u) = url {
                    out.push_str(&format!("source_url: {u}\n"));
                }
                out.push_str(&body);
                out
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// The word-at-a-time check is the character rule.
        #[test]
        fn all_plain_is_every_char_plain(src in "(\\PC|[\t\n\r\x00-\x1f\x7f\u{85}\u{2028}\u{feff}]|abcdefgh){0,40}") {
            prop_assert_eq!(all_plain(&src), src.chars().all(plain_char), "{:?}", src);
        }

        /// The plain shape is read the plain way, as YAML reads it.
        #[test]
        fn the_plain_shape_is_read_the_plain_way(src in snapshot_in_plain_shape()) {
            let plain = read(&src);
            prop_assert!(plain.is_some(), "{:?}", src);
            prop_assert_eq!(plain, by_yaml(&src), "{:?}", src);
        }

        /// Whenever the plain reader takes a file, it reads what YAML reads.
        #[test]
        fn the_plain_reader_agrees_with_yaml(src in snapshot_as_written()) {
            if let Some(plain) = read(&src) {
                prop_assert_eq!(Some(plain), by_yaml(&src), "{:?}", src);
            }
        }
    }

    /// Snapshots in the plain shape, as `termtrail snapshot` writes them.
    fn snapshot_in_plain_shape() -> impl Strategy<Value = String> {
        let words = "[A-Za-z][A-Za-z0-9 ,.()'’-]{0,20}[A-Za-z.)]";
        let line = "[A-Za-z0-9(][A-Za-z0-9 .,:;#'\"()*_`<>/&-]{0,30}";
        let section = (
            "[a-z0-9.-]{1,6}",
            proptest::option::of(words),
            proptest::collection::vec(proptest::option::of(line), 1..5),
        )
            .prop_map(|(id, heading, lines)| {
                let mut out = format!("  - id: \"{id}\"\n");
                if let Some(h) = heading {
                    out.push_str(&format!("    heading: A {}\n", h.trim_end()));
                }
                out.push_str("    text: |\n      first\n");
                for l in lines {
                    match l {
                        Some(l) => out.push_str(&format!("      {}\n", l.trim_start())),
                        None => out.push('\n'),
                    }
                }
                out
            });
        (words, proptest::collection::vec(section, 1..4)).prop_map(|(title, sections)| {
            // "The" keeps a title from being a word YAML reads as a boolean (`on`).
            format!(
                "title: The {}\nsections:\n{}",
                title.trim_end(),
                sections.concat()
            )
        })
    }

    /// The example site's snapshots are in the plain shape, and read as YAML reads them.
    #[test]
    fn the_example_sites_snapshots_take_the_plain_path() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("content/platforms");
        let (mut all, mut plain) = (0, 0);
        for e in walkdir::WalkDir::new(root) {
            let e = e.unwrap();
            let p = e.path();
            if p.extension().is_some_and(|x| x == "yaml")
                && p.to_string_lossy().contains("/snapshots/")
            {
                let src = std::fs::read_to_string(p).unwrap();
                all += 1;
                if let Some(r) = read(&src) {
                    plain += 1;
                    assert_eq!(Some(r), by_yaml(&src), "{}", p.display());
                }
            }
        }
        assert!(all > 50, "{all} snapshots");
        assert!(
            plain * 10 >= all * 9,
            "only {plain} of {all} snapshots read the plain way"
        );
    }
}
