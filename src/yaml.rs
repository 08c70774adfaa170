//! YAML parsing, kept behind one module: typed parsing with positions and limits.
//!
//! `serde_yaml` is the maintained `yaml_serde` crate, renamed in Cargo.toml.

use std::cell::Cell;

use serde::de::{self, DeserializeOwned, DeserializeSeed, Deserializer, Visitor};

use crate::error::{did_you_mean, Diagnostic};

/// Deeper nesting of flow collections (`[`, `{`) than this is refused before parsing: no content
/// file needs it, and the parser's time grows with the square of the depth.
const MAX_FLOW_DEPTH: usize = 32;

/// Parses `src` (the YAML of `file`, whose first line is line `first_line` of the file).
///
/// Limits: flow collections nested deeper than `MAX_FLOW_DEPTH` are refused before parsing;
/// block nesting deeper than `yaml_serde`'s recursion limit (128) is refused by the parser;
/// aliases may not make a file larger than it is (see `check_expansion`).
pub fn parse<T: DeserializeOwned>(
    src: &str,
    file: &str,
    first_line: usize,
    full_source: &str,
) -> Result<T, Diagnostic> {
    if let Some((line, column)) = too_deep(src) {
        return Err(Diagnostic::error(
            file,
            format!("YAML is nested more than {MAX_FLOW_DEPTH} levels deep"),
        )
        .at(line + first_line - 1, column)
        .help("content files are nested a few levels deep at most: remove the nesting")
        .with_source(full_source));
    }
    // A byte-order mark (saved by some editors) is not content; libyaml would take it for one.
    let src = src.strip_prefix('\u{feff}').unwrap_or(src);
    // Aliases need an anchor, and an anchor needs `&`: most files skip the extra pass.
    if src.contains('&') {
        check_expansion(src).map_err(|e| to_diagnostic(&e, src, file, first_line, full_source))?;
    }
    serde_yaml::from_str::<T>(src)
        .map_err(|e| to_diagnostic(&e, src, file, first_line, full_source))
}

/// The 1-based line and column where flow collections first nest deeper than the limit.
///
/// A light scan of YAML's structure, enough not to count brackets that are text: inside quoted
/// scalars, comments, block scalars (`|`, `>`) and plain scalars in block context (`a [b`).
fn too_deep(src: &str) -> Option<(usize, usize)> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    // The indentation of the line that opened a block scalar; its content is more indented.
    let mut block_parent: Option<usize> = None;
    for (i, line) in src.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block_parent {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_parent = None;
        }
        // Whether the next character starts a value (where `[`, `{`, `'`, `"`, `|` are indicators).
        let mut at_value_start = quote.is_none();
        // Seen `|` or `>` at a value's start, and only its modifiers after it.
        let mut block_pending = false;
        let mut prev = ' ';
        let mut chars = line.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let next_is_space = chars.peek().is_none_or(|&(_, n)| n == ' ' || n == '\t');
            if let Some(q) = quote {
                if c == '\\' && q == '"' {
                    chars.next();
                } else if c == q {
                    if q == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                        chars.next();
                    } else {
                        quote = None;
                    }
                }
                prev = c;
                continue;
            }
            if c == '#' && (prev == ' ' || prev == '\t') {
                break; // a comment
            }
            match c {
                ' ' | '\t' => {}
                '+' | '-' | '0'..='9' if block_pending => {}
                '[' | '{' if depth > 0 || at_value_start => {
                    depth += 1;
                    if depth > MAX_FLOW_DEPTH {
                        return Some((i + 1, line[..at].chars().count() + 1));
                    }
                    at_value_start = true;
                }
                ']' | '}' if depth > 0 => {
                    depth -= 1;
                    at_value_start = false;
                }
                ',' if depth > 0 => at_value_start = true,
                '\'' | '"' if at_value_start => {
                    quote = Some(c);
                    at_value_start = false;
                }
                '|' | '>' if at_value_start && depth == 0 => {
                    block_pending = true;
                    at_value_start = false;
                }
                '-' | '?' if at_value_start && next_is_space => {}
                ':' if next_is_space || depth > 0 => at_value_start = true,
                _ => {
                    at_value_start = false;
                    block_pending = false;
                }
            }
            prev = c;
        }
        if block_pending {
            block_parent = Some(indent);
        }
    }
    None
}

/// The message of an expansion refused by `check_expansion`.
const EXPANSION: &str = "YAML aliases expand this file to more than twice its size";

/// Walks `src` once as untyped YAML, counting every value an alias repeats, and refuses the file
/// when the values add up to more than its own size allows. Without aliases every value takes
/// at least one byte of the file, so only an alias "bomb" (billion laughs, or one large value
/// repeated by many aliases) can exceed the budget; the walk stops as soon as it does, so a bomb
/// costs time and memory in proportion to the file, not to its expansion.
fn check_expansion(src: &str) -> Result<(), serde_yaml::Error> {
    let budget = Cell::new(src.len() * 2 + 1024);
    Budget(&budget).deserialize(serde_yaml::Deserializer::from_str(src))
}

/// A seed that spends one unit per value and one per byte of text from a shared budget.
#[derive(Clone, Copy)]
struct Budget<'a>(&'a Cell<usize>);

impl Budget<'_> {
    fn spend<E: de::Error>(self, n: usize) -> Result<(), E> {
        match self.0.get().checked_sub(n.saturating_add(1)) {
            Some(left) => {
                self.0.set(left);
                Ok(())
            }
            None => Err(E::custom(EXPANSION)),
        }
    }
}

impl<'de> DeserializeSeed<'de> for Budget<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Budget<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_i128<E: de::Error>(self, _: i128) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_u128<E: de::Error>(self, _: u128) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.spend(v.len())
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<(), E> {
        self.spend(v.len())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.spend(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.spend(0)?;
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.spend(0)?;
        d.deserialize_any(self)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.spend(0)?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.spend(0)?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }
    fn visit_enum<A: de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        // A tagged value (`!tag value`): the tag, then the value.
        use serde::de::VariantAccess;
        self.spend(0)?;
        let ((), variant) = data.variant_seed(self)?;
        variant.newtype_variant_seed(self)
    }
}

/// `e` as a diagnostic of `file`, whose YAML `src` starts at line `first_line` of `full_source`.
fn to_diagnostic(
    e: &serde_yaml::Error,
    src: &str,
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
        // The position comes from the byte index, not from libyaml's line and column: YAML
        // also breaks lines at U+0085, U+2028, U+2029 and a lone `\r`, which editors do not.
        let (line, column) = position_of(src, loc.index());
        d = d.at(line + first_line - 1, column);
    } else if message.contains("missing field") || message.contains(EXPANSION) {
        // A field missing from the top-level mapping: point at the mapping, i.e. its first line.
        d = d.at(first_line, 1);
    }
    d = d.help(hint_for(&message));
    d.with_source(full_source)
}

/// The 1-based line and column (in characters, lines ending at `\n`) of byte `index` of `src`.
fn position_of(src: &str, index: usize) -> (usize, usize) {
    let mut at = index.min(src.len());
    while !src.is_char_boundary(at) {
        at -= 1;
    }
    let before = &src[..at];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// What to do, for the messages serde produces. A message may start with the path of the
/// value (`documents[0]: unknown field ...`).
fn hint_for(message: &str) -> String {
    let bare = |prefix: &str| -> Option<&str> {
        message.strip_prefix(prefix).or_else(|| {
            message
                .split_once(": ")
                .and_then(|(_, m)| m.strip_prefix(prefix))
        })
    };
    if let Some(rest) = bare("unknown field `") {
        let (name, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return match did_you_mean(name, known.iter().copied()) {
            Some(dym) => format!("{dym} (allowed keys: {})", known.join(", ")),
            None => format!("remove `{name}`; allowed keys: {}", known.join(", ")),
        };
    }
    if let Some(rest) = bare("missing field `") {
        let name = rest.split('`').next().unwrap_or(rest);
        return format!(
            "add `{name}:` with its value; CONTENT_FORMAT.md lists the fields of every file"
        );
    }
    if message.contains("invalid type") {
        return "check the value's type (a list is written `[a, b]`, text may need quotes)".into();
    }
    if message.contains("more than one document") {
        return "a line `---` (or `...`) inside the YAML starts another document: remove it, or quote the text it belongs to".into();
    }
    if message.contains(EXPANSION) || message.contains("repetition limit") {
        return "content files need no anchors (`&name`) or aliases (`*name`): write the values out".into();
    }
    if message.contains("recursion limit") {
        return "content files are nested a few levels deep at most: remove the nesting".into();
    }
    "fix the YAML syntax at the marked position (indentation, a missing `:` or an unquoted `: `)"
        .into()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Doc {
        title: String,
        #[serde(default)]
        topics: Vec<String>,
        text: Option<String>,
    }

    #[test]
    fn brackets_in_text_are_not_nesting() {
        let text: String = (0..200).map(|_| "  An interval [0, 1) or {a\n").collect();
        let src = format!("title: T\ntext: |\n{text}");
        assert!(parse::<Doc>(&src, "f.yaml", 1, &src).is_ok());
    }

    #[test]
    fn the_depth_scan_reads_yaml_structure() {
        let deep = format!("a: {}", "[".repeat(40));
        assert_eq!(too_deep(&deep), Some((1, 36)));
        for text in [
            format!("a: '{}'", "[".repeat(40)),
            format!("a: \"{}\\\" {}\"", "[".repeat(40), "{".repeat(40)),
            format!("a: text {}", "[".repeat(40)),
            format!("a: |-\n  {}\n\n  {}\nb: x", "[".repeat(40), "{".repeat(40)),
            format!("- >2\n   {}", "[".repeat(40)),
            format!("a: x # {}", "[".repeat(40)),
            format!("a: 'it''s {}'", "[".repeat(40)),
        ] {
            assert_eq!(too_deep(&text), None, "{text}");
        }
        // After a block scalar ends, flow is counted again; a quote in a plain scalar is text.
        let after = format!("a: |\n  text\nb: {}", "[".repeat(40));
        assert_eq!(too_deep(&after).map(|p| p.0), Some(3));
        let plain = format!("a: it's\nb: {}", "{".repeat(40));
        assert_eq!(too_deep(&plain).map(|p| p.0), Some(2));
    }

    #[test]
    fn deep_nesting_is_refused_with_a_position() {
        // Flow nesting, refused before parsing (the parser is quadratic in it).
        let src = format!(
            "title: T\ntopics: {}{}\n",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let d = parse::<serde_yaml::Value>(&src, "f.yaml", 1, &src).unwrap_err();
        assert!(d.message.contains("nested more than"), "{d}");
        assert_eq!((d.line, d.column), (Some(2), Some(41)));
        // Block nesting, refused by yaml_serde's recursion limit.
        let src = format!("title: T\ntopics:\n  {}x\n", "- ".repeat(10_000));
        let d = parse::<serde_yaml::Value>(&src, "f.yaml", 1, &src).unwrap_err();
        assert!(d.message.contains("recursion limit"), "{d}");
        assert_eq!(d.line, Some(3));
        assert!(d.help.unwrap().contains("nesting"));
        let nested: String = (0..300).map(|i| format!("{}a:\n", " ".repeat(i))).collect();
        let d = parse::<serde_yaml::Value>(&nested, "f.yaml", 1, &nested).unwrap_err();
        assert!(d.message.contains("recursion limit"), "{d}");
    }

    #[test]
    fn billion_laughs_is_refused() {
        let mut src = String::from("a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
        for i in 1..10 {
            let refs = vec![format!("*a{}", i - 1); 9].join(", ");
            src.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
        }
        src.push_str("title: T\ntopics: *a9\n");
        let d = parse::<Doc>(&src, "f.yaml", 3, &src).unwrap_err();
        assert!(
            d.message.contains("aliases") || d.message.contains("repetition"),
            "{d}"
        );
        assert!(d.line.is_some());
        assert!(d.help.as_deref().unwrap().contains("aliases"));
    }

    #[test]
    fn one_large_value_repeated_by_many_aliases_is_refused() {
        // Under yaml_serde's own limit (100 alias jumps per event), yet a bomb in memory.
        let big = "x".repeat(100_000);
        let mut src = format!("title: &t \"{big}\"\ntopics:\n");
        for _ in 0..1000 {
            src.push_str("  - *t\n");
        }
        let d = parse::<Doc>(&src, "f.yaml", 1, &src).unwrap_err();
        assert!(d.message.contains(EXPANSION), "{d}");
    }

    #[test]
    fn modest_aliases_still_work() {
        let src = "title: &t Terms & Conditions\ntopics: [*t, b]\n";
        let doc = parse::<Doc>(src, "f.yaml", 1, src).unwrap();
        assert_eq!(doc.topics[0], "Terms & Conditions");
    }

    #[test]
    fn positions_count_only_newlines_as_line_breaks() {
        // libyaml breaks lines at U+2028, U+0085 and a lone CR too; editors do not.
        let src = "title: \"a\u{2028}b\u{85}c\rd\"\ntopics: {a: b}\n";
        let d = parse::<Doc>(src, "f.yaml", 1, src).unwrap_err();
        assert_eq!((d.line, d.column), (Some(2), Some(9)), "{d}");
        let src = "\u{feff}title: T\ntopics: {a: b}\n";
        let d = parse::<Doc>(src, "f.yaml", 1, src).unwrap_err();
        assert_eq!((d.line, d.column), (Some(2), Some(9)), "{d}");
        let src = "\u{feff}title: T\ntopics: [a]\n";
        assert_eq!(parse::<Doc>(src, "f.yaml", 1, src).unwrap().topics, ["a"]);
        let src = "title: \"é\u{2028}\"\r\ntopics: {a: b}\r\n";
        let d = parse::<Doc>(src, "f.yaml", 4, src).unwrap_err();
        assert_eq!((d.line, d.column), (Some(5), Some(9)), "{d}");
    }

    #[test]
    fn locations_are_one_based() {
        let src = "title: T\ntopics: {a: b}\n";
        let d = parse::<Doc>(src, "f.yaml", 1, src).unwrap_err();
        assert_eq!((d.line, d.column), (Some(2), Some(9)), "{d}");
        let src = "title: T\nsummmary: x\n";
        let d = parse::<Doc>(src, "f.yaml", 5, src).unwrap_err();
        assert_eq!((d.line, d.column), (Some(6), Some(1)), "{d}");
    }
}
