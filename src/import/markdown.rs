//! Splitting a Markdown document into snapshot sections.
//!
//! The rules are the ones stated in the docstring of `scripts/import-corpus.py` (which made the
//! example site's snapshots), so that `termtrail snapshot` on the same text gives the same
//! sections: clean-up (step 0), title (2), split points by headings, numbered items or
//! heading-like lines (3), sections (4), no empty text (5) and ids from headings without their
//! numbering (6). Line numbers below are 0-based indices into the cleaned source's lines.

use std::collections::{HashMap, HashSet};

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// A document split into sections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitDocument {
    /// The document's title (its first top-level heading, when it is of level 1).
    pub title: Option<String>,
    pub sections: Vec<SplitSection>,
    pub rule: Rule,
}

/// One section: `text` is Markdown ending with exactly one newline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitSection {
    pub id: String,
    pub heading: Option<String>,
    pub text: String,
}

/// Which rule gave the split points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Headings,
    Items,
    Lines,
    Whole,
}

impl Rule {
    /// How the document was split, for messages.
    pub fn describe(self) -> &'static str {
        match self {
            Rule::Headings => "split at its headings",
            Rule::Items => "split at its numbered items",
            Rule::Lines => "split at its heading-like lines",
            Rule::Whole => {
                "kept whole: no headings, numbered items or heading-like lines to split at"
            }
        }
    }
}

/// Markdown as the corpus importer parses it: CommonMark with tables and strikethrough.
fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

// ---------------------------------------------------------------------------------------------
// Tokens: the few facts about the block structure the rules need.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Paragraph,
    Heading(u8),
    OrderedList,
    BulletList,
    Item,
    ItemClose,
    BlockQuote,
    Other,
}

#[derive(Debug, Clone)]
struct Tok {
    kind: Kind,
    /// Nesting depth in containers (lists, items, block quotes): 0 is top level.
    level: usize,
    /// Source lines `[start, end)`.
    map: (usize, usize),
    /// Paragraphs and headings: their plain text, split at line breaks.
    inline: Vec<String>,
}

struct LineIndex(Vec<usize>);

impl LineIndex {
    fn new(s: &str) -> Self {
        LineIndex(
            std::iter::once(0)
                .chain(s.match_indices('\n').map(|(i, _)| i + 1))
                .collect(),
        )
    }
    fn line(&self, offset: usize) -> usize {
        self.0.partition_point(|&s| s <= offset).saturating_sub(1)
    }
    /// `[start, end)` lines of a byte range.
    fn lines(&self, r: &std::ops::Range<usize>) -> (usize, usize) {
        let start = self.line(r.start);
        let end = if r.end > r.start {
            self.line(r.end - 1) + 1
        } else {
            start + 1
        };
        (start, end.max(start + 1))
    }
}

fn is_inline_event(e: &Event<'_>) -> bool {
    match e {
        Event::Text(_)
        | Event::Code(_)
        | Event::InlineMath(_)
        | Event::InlineHtml(_)
        | Event::SoftBreak
        | Event::HardBreak
        | Event::FootnoteReference(_)
        | Event::TaskListMarker(_) => true,
        Event::Start(t) => matches!(
            t,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        ),
        Event::End(t) => matches!(
            t,
            TagEnd::Emphasis
                | TagEnd::Strong
                | TagEnd::Strikethrough
                | TagEnd::Superscript
                | TagEnd::Subscript
                | TagEnd::Link
                | TagEnd::Image
        ),
        _ => false,
    }
}

/// Parses `src` into block tokens. Paragraphs of tight list items, which pulldown-cmark leaves
/// implicit, are made explicit so that every paragraph has a token, as in CommonMark's model.
fn tokenize(src: &str) -> Vec<Tok> {
    let index = LineIndex::new(src);
    let mut toks: Vec<Tok> = Vec::new();
    // Open containers (lists, items, block quotes, tables) as token indices (None: not recorded).
    let mut containers: Vec<Option<usize>> = Vec::new();
    // The paragraph or heading whose inline content is being collected, and its byte range.
    let mut open_inline: Option<(usize, usize, usize, bool)> = None; // (tok, start, end, implicit)
    let mut in_table = 0usize;
    let mut code_or_html = 0usize;
    let close_implicit = |open: &mut Option<(usize, usize, usize, bool)>, toks: &mut Vec<Tok>| {
        if let Some((t, start, end, true)) = *open {
            toks[t].map = index.lines(&(start..end));
            *open = None;
        }
    };
    for (event, range) in Parser::new_ext(src, options()).into_offset_iter() {
        let inline = is_inline_event(&event);
        if !inline {
            close_implicit(&mut open_inline, &mut toks);
        }
        let level = containers.len();
        match event {
            Event::Start(Tag::Paragraph) if in_table == 0 => {
                toks.push(Tok {
                    kind: Kind::Paragraph,
                    level,
                    map: index.lines(&range),
                    inline: vec![String::new()],
                });
                open_inline = Some((toks.len() - 1, range.start, range.end, false));
            }
            Event::Start(Tag::Heading { level: h, .. }) => {
                toks.push(Tok {
                    kind: Kind::Heading(h as u8),
                    level,
                    map: index.lines(&range),
                    inline: vec![String::new()],
                });
                open_inline = Some((toks.len() - 1, range.start, range.end, false));
            }
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::Heading(_)) => open_inline = None,
            Event::Start(Tag::List(first)) => {
                toks.push(Tok {
                    kind: if first.is_some() {
                        Kind::OrderedList
                    } else {
                        Kind::BulletList
                    },
                    level,
                    map: index.lines(&range),
                    inline: vec![],
                });
                containers.push(Some(toks.len() - 1));
            }
            Event::Start(Tag::Item) => {
                toks.push(Tok {
                    kind: Kind::Item,
                    level,
                    map: index.lines(&range),
                    inline: vec![],
                });
                containers.push(Some(toks.len() - 1));
            }
            Event::Start(Tag::BlockQuote(_)) => {
                toks.push(Tok {
                    kind: Kind::BlockQuote,
                    level,
                    map: index.lines(&range),
                    inline: vec![],
                });
                containers.push(Some(toks.len() - 1));
            }
            Event::End(TagEnd::Item) => {
                containers.pop();
                toks.push(Tok {
                    kind: Kind::ItemClose,
                    level: containers.len(),
                    map: (0, 0),
                    inline: vec![],
                });
            }
            Event::End(TagEnd::List(_)) | Event::End(TagEnd::BlockQuote(_)) => {
                containers.pop();
            }
            Event::Start(Tag::Table(_)) => {
                toks.push(Tok {
                    kind: Kind::Other,
                    level,
                    map: index.lines(&range),
                    inline: vec![],
                });
                in_table += 1;
            }
            Event::End(TagEnd::Table) => in_table = in_table.saturating_sub(1),
            Event::Start(Tag::CodeBlock(_)) | Event::Start(Tag::HtmlBlock) => {
                if code_or_html == 0 && in_table == 0 {
                    toks.push(Tok {
                        kind: Kind::Other,
                        level,
                        map: index.lines(&range),
                        inline: vec![],
                    });
                }
                code_or_html += 1;
            }
            Event::End(TagEnd::CodeBlock) | Event::End(TagEnd::HtmlBlock) => {
                code_or_html = code_or_html.saturating_sub(1)
            }
            Event::Rule => toks.push(Tok {
                kind: Kind::Other,
                level,
                map: index.lines(&range),
                inline: vec![],
            }),
            e if inline && in_table == 0 && code_or_html == 0 => {
                if open_inline.is_none() {
                    // Inline content straight inside a list item: a tight item's paragraph.
                    toks.push(Tok {
                        kind: Kind::Paragraph,
                        level,
                        map: index.lines(&range),
                        inline: vec![String::new()],
                    });
                    open_inline = Some((toks.len() - 1, range.start, range.end, true));
                }
                if let Some((t, start, end, implicit)) = open_inline.as_mut() {
                    if *implicit {
                        *start = (*start).min(range.start);
                        *end = (*end).max(range.end);
                    }
                    let lines = &mut toks[*t].inline;
                    match e {
                        Event::Text(s) | Event::Code(s) => lines.last_mut().unwrap().push_str(&s),
                        Event::SoftBreak | Event::HardBreak => lines.push(String::new()),
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    close_implicit(&mut open_inline, &mut toks);
    toks
}

/// Plain text of a paragraph or heading, line breaks as spaces, whitespace collapsed.
fn inline_text(lines: &[String]) -> String {
    collapse(&lines.join(" "))
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------------------------
// Step 0: clean-up.
// ---------------------------------------------------------------------------------------------

/// Step 0a and 0b: `\n` line endings, no byte-order mark, two-space hard breaks written as
/// backslashes, no trailing whitespace. Control characters that YAML cannot carry are dropped.
pub fn clean(src: &str) -> String {
    let src = src.replace("\r\n", "\n").replace('\r', "\n");
    let src = src.strip_prefix('\u{feff}').unwrap_or(&src);
    let src: String = src
        .chars()
        .filter(|c| *c == '\n' || *c == '\t' || !(c.is_control() || *c == '\u{feff}'))
        .map(|c| match c {
            '\u{2028}' | '\u{2029}' => '\n',
            c => c,
        })
        .collect();
    let mut lines: Vec<String> = src.split('\n').map(str::to_string).collect();
    for t in tokenize(&src) {
        if t.kind != Kind::Paragraph {
            continue;
        }
        let (start, end) = t.map;
        for line in lines.iter_mut().take(end.saturating_sub(1)).skip(start) {
            let stripped = line.trim_end_matches(' ');
            if line.len() - stripped.len() >= 2 && !stripped.trim().is_empty() {
                *line = format!("{}\\", stripped.trim_end());
            }
        }
    }
    lines
        .iter()
        .map(|l| l.trim_end())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Step 0c: `](/path)` destinations made absolute against the origin of `source_url`. Without
/// a usable origin such links are unlinked (their text kept), since they would point into this
/// site, where those pages do not exist.
pub fn absolutize(src: &str, source_url: Option<&str>) -> String {
    match source_url.and_then(origin) {
        Some(origin) => {
            let mut out = String::with_capacity(src.len());
            let mut rest = src;
            while let Some(i) = rest.find("](/") {
                let after = &rest[i + 3..];
                out.push_str(&rest[..i]);
                if after.starts_with('/') {
                    out.push_str("](/");
                } else {
                    out.push_str("](");
                    out.push_str(origin);
                    out.push('/');
                }
                rest = after;
            }
            out.push_str(rest);
            out
        }
        None => unlink_root_relative(src),
    }
}

/// The `scheme://host[:port]` of an http(s) URL.
pub fn origin(url: &str) -> Option<&str> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))?;
    let host_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    if host_len == 0 {
        return None;
    }
    Some(&url[..url.len() - rest.len() + host_len])
}

/// Replaces links and images whose destination starts with a single `/` by their text (a link's
/// Markdown text is kept as written; an image is dropped).
fn unlink_root_relative(src: &str) -> String {
    let mut cuts: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut depth = 0usize;
    // (whole link's range, inner content's range, is an image)
    let mut current: Option<(std::ops::Range<usize>, Option<std::ops::Range<usize>>, bool)> = None;
    for (e, r) in Parser::new_ext(src, options()).into_offset_iter() {
        match e {
            Event::Start(Tag::Link { ref dest_url, .. })
            | Event::Start(Tag::Image { ref dest_url, .. }) => {
                depth += 1;
                if depth == 1 && dest_url.starts_with('/') && !dest_url.starts_with("//") {
                    let is_image = matches!(e, Event::Start(Tag::Image { .. }));
                    current = Some((r, None, is_image));
                    continue;
                }
            }
            Event::End(TagEnd::Link) | Event::End(TagEnd::Image) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    if let Some((range, inner, is_image)) = current.take() {
                        let text = match inner {
                            Some(i) if !is_image => src[i].to_string(),
                            _ => String::new(),
                        };
                        cuts.push((range, text));
                    }
                    continue;
                }
            }
            _ => {}
        }
        if let Some((_, inner, _)) = current.as_mut() {
            *inner = Some(match inner.take() {
                Some(i) => i.start.min(r.start)..i.end.max(r.end),
                None => r,
            });
        }
    }
    let mut out = String::with_capacity(src.len());
    let mut last = 0;
    for (r, text) in cuts {
        if r.start < last {
            continue;
        }
        out.push_str(&src[last..r.start]);
        out.push_str(&text);
        last = r.end;
    }
    out.push_str(&src[last..]);
    out
}

// ---------------------------------------------------------------------------------------------
// Ids (rule 6).
// ---------------------------------------------------------------------------------------------

/// Length in bytes of the leading numbering of a heading (`1.`, `4.6`, `(a)`, `iv)`, `一、`),
/// with the whitespace around it; 0 when there is none.
fn numbering_len(s: &str) -> usize {
    let lead = s.len() - s.trim_start().len();
    let t = &s[lead..];
    let followed_ok = |rest: &str, non_ascii_ok: bool| match rest.chars().next() {
        None => true,
        Some(c) => c.is_whitespace() || (non_ascii_ok && !c.is_ascii()),
    };
    let matched = numbered(t, &followed_ok)
        .or_else(|| {
            // (a)
            let b = t.as_bytes();
            (b.len() >= 3 && b[0] == b'(' && b[1].is_ascii_alphabetic() && b[2] == b')')
                .then_some(3)
                .filter(|&n| followed_ok(&t[n..], false))
        })
        .or_else(|| {
            // a)  A.
            let b = t.as_bytes();
            (b.len() >= 2 && b[0].is_ascii_alphabetic() && (b[1] == b'.' || b[1] == b')'))
                .then_some(2)
                .filter(|&n| followed_ok(&t[n..], false))
        })
        .or_else(|| {
            // iv)  IV.  (iv)
            let open = usize::from(t.starts_with('('));
            let run = t[open..]
                .bytes()
                .take_while(|b| b"ivxlcdmIVXLCDM".contains(b))
                .count();
            let end = open + run;
            (run > 0 && matches!(t.as_bytes().get(end), Some(b'.' | b')')))
                .then_some(end + 1)
                .filter(|&n| followed_ok(&t[n..], false))
        })
        .or_else(|| {
            // 一、
            let run: usize = t
                .chars()
                .take_while(|c| "一二三四五六七八九十百零〇".contains(*c))
                .map(char::len_utf8)
                .sum();
            let next = t[run..].chars().next()?;
            (run > 0 && "、．.".contains(next)).then_some(run + next.len_utf8())
        });
    match matched {
        Some(n) => {
            let rest = &t[n..];
            lead + n + (rest.len() - rest.trim_start().len())
        }
        None => 0,
    }
}

/// `\(?[0-9]+(?:\.[0-9]+)*[.)]?` followed by whitespace, the end or a non-ASCII character.
fn numbered(t: &str, followed_ok: &dyn Fn(&str, bool) -> bool) -> Option<usize> {
    let b = t.as_bytes();
    let mut i = usize::from(b.first() == Some(&b'('));
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let first = digits(i);
    if first == 0 {
        return None;
    }
    i += first;
    // Ends of each possible number of `.digits` groups, longest first (greedy).
    let mut ends = vec![i];
    while b.get(i) == Some(&b'.') && digits(i + 1) > 0 {
        i += 1 + digits(i + 1);
        ends.push(i);
    }
    for &end in ends.iter().rev() {
        if matches!(b.get(end), Some(b'.' | b')')) && followed_ok(&t[end + 1..], true) {
            return Some(end + 1);
        }
        if followed_ok(&t[end..], true) {
            return Some(end);
        }
    }
    None
}

/// A heading without its leading numbering.
pub fn strip_numbering(heading: &str) -> &str {
    &heading[numbering_len(heading)..]
}

/// A section id from a heading: numbering dropped, lower case, runs of other characters than
/// letters and digits as one `-`, `section` when nothing is left.
pub fn slugify(heading: &str) -> String {
    let text = strip_numbering(heading).to_lowercase();
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for ch in text.chars() {
        if ch.is_alphanumeric() {
            out.push(ch);
            dash = false;
        } else if !dash {
            out.push('-');
            dash = true;
        }
    }
    let slug = out.trim_matches('-');
    if slug.is_empty() {
        "section".into()
    } else {
        slug.to_string()
    }
}

// ---------------------------------------------------------------------------------------------
// Steps 1-6: splitting.
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SplitKind {
    Heading,
    Item,
    Line,
}

#[derive(Debug, Clone)]
struct Candidate {
    number: u64,
    start: usize,
    is_list: bool,
    indent: usize,
    list_end: Option<usize>,
    para_map: Option<(usize, usize)>,
    plain_lines: Vec<String>,
}

#[derive(Debug, Clone)]
struct Split {
    /// Source lines `[start, body)` are the split line(s).
    start: usize,
    body: usize,
    heading: String,
    kind: SplitKind,
    item: Option<Candidate>,
}

fn heading_splits(toks: &[Tok], title_idx: Option<usize>) -> Vec<Split> {
    toks.iter()
        .enumerate()
        .filter(|(i, t)| {
            matches!(t.kind, Kind::Heading(1..=3)) && t.level == 0 && Some(*i) != title_idx
        })
        .filter_map(|(_, t)| {
            let text = inline_text(&t.inline);
            (!text.is_empty()).then(|| Split {
                start: t.map.0,
                body: t.map.1,
                heading: text,
                kind: SplitKind::Heading,
                item: None,
            })
        })
        .collect()
}

/// `^[\s\u200b\ufeff]*(\d+)\.(?!\d)\s*(.*)$`: the number and the rest.
fn item_para(s: &str) -> Option<(u64, String)> {
    let t = s.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{200b}' || c == '\u{feff}');
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 || t.as_bytes().get(n) != Some(&b'.') {
        return None;
    }
    if t.as_bytes().get(n + 1).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let number = t[..n].parse().ok()?;
    Some((number, t[n + 1..].trim_start().to_string()))
}

/// `^( *)(\d+)[.)]( *)`: (leading spaces, digits, number, spaces after the marker).
fn item_marker(line: &str) -> Option<(usize, usize, u64, usize)> {
    let lead = line.bytes().take_while(|b| *b == b' ').count();
    let digits = line[lead..].bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || !matches!(line.as_bytes().get(lead + digits), Some(b'.' | b')')) {
        return None;
    }
    let number = line[lead..lead + digits].parse().ok()?;
    let after = line[lead + digits + 1..]
        .bytes()
        .take_while(|b| *b == b' ')
        .count();
    Some((lead, digits, number, after))
}

fn item_splits(toks: &[Tok], lines: &[&str], src_chars: usize) -> Vec<Split> {
    let mut cands: Vec<Candidate> = Vec::new();
    let mut list_end: Option<usize> = None;
    for (i, t) in toks.iter().enumerate() {
        if t.kind == Kind::OrderedList && t.level == 0 {
            list_end = Some(t.map.1);
        }
        if t.kind == Kind::Item && t.level == 1 {
            let Some((lead, digits, number, after)) = item_marker(lines[t.map.0]) else {
                continue;
            };
            let mut indent = lead + digits + 1 + after;
            if after > 4 {
                indent = lead + digits + 2;
            }
            let mut para = None;
            for tk in &toks[i + 1..] {
                if tk.kind == Kind::Paragraph {
                    para = Some(tk);
                    break;
                }
                if tk.kind == Kind::ItemClose {
                    break;
                }
            }
            cands.push(Candidate {
                number,
                start: t.map.0,
                is_list: true,
                indent,
                list_end,
                para_map: para.map(|p| p.map),
                plain_lines: para
                    .map(|p| p.inline.clone())
                    .unwrap_or_else(|| vec![String::new()]),
            });
        } else if t.kind == Kind::Paragraph && t.level == 0 {
            if let Some((number, rest)) = item_para(&t.inline[0]) {
                let mut plain_lines = vec![rest];
                plain_lines.extend(t.inline[1..].iter().cloned());
                cands.push(Candidate {
                    number,
                    start: t.map.0,
                    is_list: false,
                    indent: 0,
                    list_end: None,
                    para_map: Some(t.map),
                    plain_lines,
                });
            }
        }
    }
    let mut accepted: Vec<Candidate> = Vec::new();
    for c in cands {
        let expected = accepted.last().map(|a| a.number + 1).unwrap_or(1);
        if c.number == expected {
            accepted.push(c);
        }
    }
    if accepted.len() < 3 {
        return vec![];
    }
    let before: usize = lines[..accepted[0].start]
        .iter()
        .map(|l| l.chars().count() + 1)
        .sum();
    if before * 2 >= src_chars {
        return vec![];
    }
    accepted
        .into_iter()
        .map(|c| Split {
            start: c.start,
            body: c.start,
            heading: derive_item_heading(&c.plain_lines[0]),
            kind: SplitKind::Item,
            item: Some(c),
        })
        .collect()
}

fn strip_marks(s: &str) -> &str {
    s.trim().trim_matches(|c| c == '*' || c == '_').trim()
}

fn derive_item_heading(first_line: &str) -> String {
    let line = strip_marks(first_line);
    // The first period followed by whitespace or the end.
    let period = line
        .char_indices()
        .find(|&(i, c)| c == '.' && line[i + 1..].chars().next().is_none_or(char::is_whitespace));
    if let Some((at, _)) = period {
        let phrase = strip_marks(&line[..at]);
        if !phrase.is_empty() && phrase.split_whitespace().count() <= 8 {
            return phrase.to_string();
        }
    }
    if line.split_whitespace().count() <= 12 && line.chars().count() <= 100 {
        return strip_marks(line.trim_end_matches(['.', ':', '：'])).to_string();
    }
    let words: Vec<&str> = line.split_whitespace().take(8).collect();
    format!("{}…", words.join(" "))
}

/// `^(.+?)\1main[a-z0-9]*$`: the doubled text T of `TTmain...`.
fn doubled_heading(text: &str) -> Option<&str> {
    let bounds: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .skip(1)
        .chain([text.len()])
        .collect();
    for &k in &bounds {
        let t = &text[..k];
        let rest = &text[k..];
        if let Some(after) = rest.strip_prefix(t) {
            if let Some(tail) = after.strip_prefix("main") {
                if tail
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                {
                    return Some(t);
                }
            }
        }
    }
    None
}

/// Heading-like lines (rule 3c): the splits, and a title when the first block is such a line.
fn line_splits(toks: &[Tok], lines: &[&str]) -> (Vec<Split>, Option<(String, usize)>) {
    let top: Vec<(usize, &Tok)> = toks
        .iter()
        .enumerate()
        .filter(|(_, t)| t.level == 0 && t.kind != Kind::ItemClose)
        .collect();
    let paras: Vec<(usize, &Tok, &str)> = top
        .iter()
        .filter(|(_, t)| t.kind == Kind::Paragraph && t.map.1 - t.map.0 == 1)
        .map(|(i, t)| (*i, *t, lines[t.map.0].trim()))
        .collect();
    let line_split = |t: &Tok, heading: String| Split {
        start: t.map.0,
        body: t.map.1,
        heading,
        kind: SplitKind::Line,
        item: None,
    };
    let out: Vec<Split> = paras
        .iter()
        .filter_map(|(_, t, text)| doubled_heading(text).map(|h| line_split(t, h.trim().into())))
        .collect();
    if out.len() >= 3 {
        return (out, None);
    }
    let first_block = top.first().map(|(i, _)| *i);
    let mut out = Vec::new();
    let mut title = None;
    for (i, t, text) in &paras {
        let words = text.split_whitespace().count();
        if (1..=8).contains(&words)
            && text.chars().next().is_some_and(char::is_uppercase)
            && !text.chars().any(char::is_numeric)
            && !text.chars().any(|c| "*_[]()<>|#".contains(c))
            && !text.ends_with(['.', ':', ';', ',', '!', '?'])
        {
            if Some(*i) == first_block {
                title = Some((text.to_string(), t.map.0));
            } else {
                out.push(line_split(t, text.to_string()));
            }
        }
    }
    if out.len() >= 3 {
        return (out, title);
    }
    (vec![], None)
}

fn trim_blank(lines: Vec<String>) -> Vec<String> {
    let a = lines.iter().position(|l| !l.trim().is_empty());
    let Some(a) = a else { return vec![] };
    let b = lines
        .iter()
        .rposition(|l| !l.trim().is_empty())
        .unwrap_or(a);
    lines[a..=b].to_vec()
}

fn norm_plain(s: &str) -> String {
    let s = collapse(&s.replace(['*', '_'], ""));
    s.trim_end_matches(['.', ':', '：']).trim().to_string()
}

fn indent_of(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// `^(\s*)(\d+)\\?\.(?!\d) *` replaced by its leading whitespace.
fn strip_para_number(line: &str) -> String {
    let t = line.trim_start();
    let lead = &line[..line.len() - t.len()];
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    if n == 0 {
        return line.to_string();
    }
    let mut i = n;
    if t.as_bytes().get(i) == Some(&b'\\') {
        i += 1;
    }
    if t.as_bytes().get(i) != Some(&b'.') || t.as_bytes().get(i + 1).is_some_and(u8::is_ascii_digit)
    {
        return line.to_string();
    }
    format!("{lead}{}", t[i + 1..].trim_start_matches(' '))
}

/// Drops the first `n` characters of `line` (all of it when shorter).
fn drop_chars(line: &str, n: usize) -> &str {
    match line.char_indices().nth(n) {
        Some((i, _)) => &line[i..],
        None => "",
    }
}

/// Text lines of a section starting at `split` and ending before line `end`.
fn body_lines(split: &Split, end: usize, lines: &[&str], skip: &HashSet<usize>) -> Vec<String> {
    let Some(c) = split
        .item
        .as_ref()
        .filter(|_| split.kind == SplitKind::Item)
    else {
        return trim_blank(
            (split.body..end)
                .filter(|i| !skip.contains(i))
                .map(|i| lines[i].to_string())
                .collect(),
        );
    };
    let first = split.start;
    let mut drop: HashSet<usize> = HashSet::new();
    let heading_n = norm_plain(&split.heading);
    let pm = c.para_map;
    if pm.is_some_and(|pm| pm.0 == first) && norm_plain(&c.plain_lines.join(" ")) == heading_n {
        let pm = pm.unwrap();
        drop.extend(pm.0..pm.1);
    } else if norm_plain(&c.plain_lines[0]) == heading_n {
        drop.insert(first);
        let para_end = pm.map(|p| p.1).unwrap_or(first + 1);
        for (j, line) in lines.iter().enumerate().take(para_end).skip(first + 1) {
            if line.chars().any(char::is_alphanumeric) {
                break;
            }
            drop.insert(j);
        }
    }
    let in_list_end = match (c.is_list, c.list_end) {
        (true, Some(le)) => end.min(le),
        _ => end,
    };
    let mut dedent = c.indent;
    if c.is_list {
        let indents = (first + 1..in_list_end)
            .filter(|&i| !lines[i].trim().is_empty() && indent_of(lines[i]) >= c.indent)
            .map(|i| indent_of(lines[i]));
        if let Some(m) = indents.min() {
            dedent = m;
        }
    }
    let mut out = Vec::new();
    for i in first..end {
        if skip.contains(&i) || drop.contains(&i) {
            continue;
        }
        let line = lines[i];
        let line = if c.is_list && i < in_list_end {
            if i == first {
                if line.chars().count() >= c.indent {
                    drop_chars(line, c.indent).to_string()
                } else {
                    line.trim_start().to_string()
                }
            } else {
                let n = indent_of(line);
                line[n.min(dedent)..].to_string()
            }
        } else if !c.is_list && i == first {
            strip_para_number(line)
        } else {
            line.to_string()
        };
        out.push(line);
    }
    trim_blank(out)
}

/// Splits cleaned Markdown (see [`clean`]) into sections.
pub fn split_document(src: &str) -> SplitDocument {
    let lines: Vec<&str> = src.split('\n').collect();
    let toks = tokenize(src);
    // Rule 2: the title.
    let mut title = None;
    let mut title_idx = None;
    let mut skip: HashSet<usize> = HashSet::new();
    if let Some((i, t)) = toks
        .iter()
        .enumerate()
        .find(|(_, t)| matches!(t.kind, Kind::Heading(_)) && t.level == 0)
    {
        if t.kind == Kind::Heading(1) {
            title = Some(inline_text(&t.inline));
            title_idx = Some(i);
            skip = (t.map.0..t.map.1).collect();
        }
    }
    let mut rule = Rule::Headings;
    let mut splits = heading_splits(&toks, title_idx);
    if splits.len() < 3 {
        rule = Rule::Items;
        splits = item_splits(&toks, &lines, src.chars().count());
    }
    if splits.len() < 3 {
        rule = Rule::Lines;
        let (s, line_title) = line_splits(&toks, &lines);
        splits = s;
        if let Some((t, at)) = line_title {
            if title.is_none() {
                title = Some(t);
                skip = HashSet::from([at]);
            }
        }
    }
    if splits.len() < 3 {
        rule = Rule::Whole;
        splits.clear();
    }
    let bodies = |splits: &[Split]| -> Vec<Vec<String>> {
        (0..splits.len())
            .map(|k| {
                let end = splits.get(k + 1).map(|s| s.start).unwrap_or(lines.len());
                body_lines(&splits[k], end, &lines, &skip)
            })
            .collect()
    };
    // Rule 5: no empty texts.
    loop {
        let texts = bodies(&splits);
        let Some(k) = texts.iter().position(Vec::is_empty) else {
            break;
        };
        if k + 1 < splits.len() {
            splits.remove(k + 1);
        } else {
            splits.remove(k);
        }
    }
    let mut sections: Vec<SplitSection> = Vec::new();
    let intro_end = splits.first().map(|s| s.start).unwrap_or(lines.len());
    let intro = trim_blank(
        (0..intro_end)
            .filter(|i| !skip.contains(i))
            .map(|i| lines[i].to_string())
            .collect(),
    );
    if !intro.is_empty() {
        sections.push(SplitSection {
            id: "introduction".into(),
            heading: None,
            text: intro.join("\n") + "\n",
        });
    }
    for (sp, text) in splits.iter().zip(bodies(&splits)) {
        sections.push(SplitSection {
            id: slugify(&sp.heading),
            heading: Some(sp.heading.clone()),
            text: text.join("\n") + "\n",
        });
    }
    // Rule 6: unique ids, `-2`, `-3`... in document order.
    let mut seen: HashMap<String, usize> = HashMap::new();
    for s in &mut sections {
        let base = s.id.clone();
        if let Some(n) = seen.get_mut(&base) {
            *n += 1;
            let mut k = *n;
            let mut id = format!("{base}-{k}");
            while seen.contains_key(&id) {
                k += 1;
                id = format!("{base}-{k}");
            }
            seen.insert(base.clone(), k);
            seen.insert(id.clone(), 1);
            s.id = id;
        } else {
            seen.insert(base, 1);
        }
    }
    if sections.is_empty() {
        // An empty document: one section, so a snapshot is never empty (the caller refuses
        // documents without text before this point).
        sections.push(SplitSection {
            id: "introduction".into(),
            heading: None,
            text: "\n".into(),
        });
    }
    SplitDocument {
        title,
        sections,
        rule,
    }
}

/// Clean-up, links made absolute, then split: what `termtrail snapshot` does to Markdown.
pub fn import(src: &str, source_url: Option<&str>) -> SplitDocument {
    let cleaned = clean(src);
    split_document(&absolutize(&cleaned, source_url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_drop_numbering() {
        assert_eq!(slugify("1. The Netflix Service"), "the-netflix-service");
        assert_eq!(slugify("4.6 Restrictions on use"), "restrictions-on-use");
        assert_eq!(slugify("(a) Scope"), "scope");
        assert_eq!(slugify("iv) Fees"), "fees");
        assert_eq!(slugify("IV. Fees"), "fees");
        assert_eq!(slugify("一、我们如何收集"), "我们如何收集");
        assert_eq!(slugify("6.行使"), "行使");
        assert_eq!(slugify("1.1.Foo"), "1-1-foo");
        assert_eq!(slugify("2024 Update"), "update");
        assert_eq!(slugify("Cookies & You"), "cookies-you");
        assert_eq!(slugify("***"), "section");
        assert_eq!(slugify("A"), "a");
        assert_eq!(slugify("A. Who we are"), "who-we-are");
    }

    #[test]
    fn headings_split_and_title_is_dropped() {
        let d = import(
            "# Terms\n\nIntro.\n\n## 1. One\n\nA.  \nB.\n\n## 2. Two\n\nC.\n\n### Two\n\nD.\n",
            None,
        );
        assert_eq!(d.title.as_deref(), Some("Terms"));
        assert_eq!(d.rule, Rule::Headings);
        let ids: Vec<_> = d.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["introduction", "one", "two", "two-2"]);
        assert_eq!(d.sections[1].text, "A.\\\nB.\n");
        assert_eq!(d.sections[1].heading.as_deref(), Some("1. One"));
    }

    #[test]
    fn empty_sections_merge_into_the_previous_one() {
        let d = split_document("## A\n\n## B\n\ntext b\n\n## C\n\ntext c\n\n## D\n\ntext d\n");
        let ids: Vec<_> = d.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["a", "c", "d"]);
        assert_eq!(d.sections[0].text, "## B\n\ntext b\n");
    }

    #[test]
    fn numbered_items_split() {
        let src = "Intro.\n\n1.  **Membership**\n    \n    1.1. Text one.\n    \n2.  Promotional Offers. We may offer.\n3.  **Billing**\n\n    Pay.\n";
        let d = import(src, None);
        assert_eq!(d.rule, Rule::Items);
        let ids: Vec<_> = d.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "introduction",
                "membership",
                "promotional-offers",
                "billing"
            ]
        );
        assert_eq!(d.sections[1].text, "1.1. Text one.\n");
        assert_eq!(d.sections[2].text, "Promotional Offers. We may offer.\n");
        assert_eq!(d.sections[3].text, "Pay.\n");
    }

    #[test]
    fn heading_like_lines_split() {
        let src = "Amazon Prime Terms\n\nIntro text here.\n\nMembership Cancellation\n\nYou may cancel.\n\nShipping Benefits\n\nShips.\n\nOther Limitations\n\nLimits.\n";
        let d = import(src, None);
        assert_eq!(d.rule, Rule::Lines);
        assert_eq!(d.title.as_deref(), Some("Amazon Prime Terms"));
        let ids: Vec<_> = d.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "introduction",
                "membership-cancellation",
                "shipping-benefits",
                "other-limitations"
            ]
        );
        assert_eq!(d.sections[0].text, "Intro text here.\n");
    }

    #[test]
    fn doubled_headings() {
        assert_eq!(
            doubled_heading("AdvertisingAdvertisingmainadvertisingmodule"),
            Some("Advertising")
        );
        assert_eq!(doubled_heading("Advertising"), None);
    }

    #[test]
    fn root_relative_links() {
        assert_eq!(
            absolutize(
                "[a](/hc/x) [b](//cdn.x/y)",
                Some("https://docs.example.com/p")
            ),
            "[a](https://docs.example.com/hc/x) [b](//cdn.x/y)"
        );
        assert_eq!(
            absolutize("See [the *help*](/hc/x) and ![logo](/l.png).", None),
            "See the *help* and ."
        );
    }
}
