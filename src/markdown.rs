//! Markdown to safe HTML: CommonMark with extensions, heading anchors, internal links, sanitising.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock};

use pulldown_cmark::{html, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::model::InternalLink;

/// Where a piece of Markdown comes from, so links can be reported at their line.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub file: &'a str,
    /// The file's line on which the Markdown starts (1-based).
    pub first_line: usize,
    /// Prepended to internal links: the site's base path (`""` or `/atlas`).
    pub base_path: &'a str,
}

/// Rendered Markdown and the internal links it contains.
#[derive(Debug, Default)]
pub struct Rendered {
    pub html: String,
    pub links: Vec<InternalLink>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
}

/// Renders `md` to sanitised HTML, giving headings anchors and prefixing internal links.
pub fn render(md: &str, src: Source<'_>) -> Rendered {
    render_with(md, src, true)
}

/// `render`; without `may_skip_sanitizer`, even Markdown whose HTML needs no sanitising goes
/// through the sanitiser (for tests that compare the two).
fn render_with(md: &str, src: Source<'_>, may_skip_sanitizer: bool) -> Rendered {
    let mut links = Vec::new();
    let mut events: Vec<Event<'_>> = Vec::new();
    let line_starts = line_starts(md);
    for (event, range) in Parser::new_ext(md, options()).into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = internal(dest_url, range.start, &line_starts, src, &mut links);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = internal(dest_url, range.start, &line_starts, src, &mut links);
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            other => other,
        };
        events.push(event);
    }
    // Columns count characters, not bytes, like every other position in a diagnostic.
    for l in &mut links {
        let start = line_starts[l.line - src.first_line];
        if let Some(before) = md.get(start..start + l.column - 1) {
            l.column = before.chars().count() + 1;
        }
    }
    add_heading_anchors(&mut events);
    let events = drop_textless_headings(unwrap_textless_links(events));
    // Markdown that can only make markup the sanitiser keeps as it is (most of a policy's
    // text) skips it: parsing and writing the HTML again was a twentieth of a build.
    let html = if may_skip_sanitizer && needs_no_sanitizing(&events) && !md.contains(['\r', '\0']) {
        html_as_sanitized(events)
    } else {
        sanitize(&raw_html(events, md.len()))
    };
    Rendered { html, links }
}

/// The HTML of `events` as pulldown-cmark writes it, before sanitising.
fn raw_html(events: Vec<Event<'_>>, len: usize) -> String {
    let mut raw = String::with_capacity(len * 3 / 2);
    html::push_html(&mut raw, events.into_iter());
    drop_empty_table_heads(&mut raw);
    raw
}

/// Whether sanitising the HTML of `events` would give back the same elements and attributes:
/// no raw HTML, no images, links only to plain URLs (`is_plain_url`: the sanitiser keeps them
/// and adds `rel`), and only elements it writes back as pulldown-cmark wrote them (not
/// `<br />`, `<hr />`, classes or inputs). The text itself is escaped as the sanitiser escapes it, by `html_as_sanitized`.
fn needs_no_sanitizing(events: &[Event<'_>]) -> bool {
    events.iter().all(|e| match e {
        Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::End(_) => true,
        Event::Start(tag) => match tag {
            Tag::Paragraph
            | Tag::Item
            | Tag::List(_)
            | Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::BlockQuote(None)
            | Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Indented) => true,
            Tag::CodeBlock(pulldown_cmark::CodeBlockKind::Fenced(lang)) => lang.is_empty(),
            Tag::Link {
                dest_url,
                title,
                id,
                ..
            } => title.is_empty() && id.is_empty() && is_plain_url(dest_url),
            Tag::Heading {
                id, classes, attrs, ..
            } => {
                classes.is_empty()
                    && attrs.is_empty()
                    && id.as_deref().is_none_or(|id| {
                        id.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                    })
            }
            _ => false,
        },
        _ => false,
    })
}

/// Whether the sanitiser keeps a link to `url` as it is and pulldown-cmark writes it as it is:
/// a site path, an in-page anchor or an http(s) URL, made of characters neither escapes.
fn is_plain_url(url: &str) -> bool {
    let allowed = url.starts_with('#')
        || (url.starts_with('/') && !url.starts_with("//"))
        || url.starts_with("https://")
        || url.starts_with("http://");
    allowed
        && url
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%()*+,-./:;=?@^_~".contains(&b))
}

/// The HTML of `events` (which `needs_no_sanitizing` accepted) as the sanitiser would write
/// it: its serialiser escapes text differently from pulldown-cmark (`"` stays, a no-break
/// space becomes `&nbsp;`), so text is escaped here and handed over as markup; links get
/// the `rel` it adds.
fn html_as_sanitized(events: Vec<Event<'_>>) -> String {
    let events = events.into_iter().map(|e| match e {
        Event::Text(t) => Event::InlineHtml(serializer_escape(&t).into()),
        Event::Code(t) => {
            Event::InlineHtml(format!("<code>{}</code>", serializer_escape(&t)).into())
        }
        Event::Start(Tag::Link { dest_url, .. }) => Event::InlineHtml(
            ["<a href=\"", &dest_url, "\" rel=\"noopener noreferrer\">"]
                .concat()
                .into(),
        ),
        other => other,
    });
    let mut out = String::new();
    html::push_html(&mut out, events);
    out
}

/// Text escaped as html5ever's serialiser (the sanitiser's) escapes it: `&`, `<`, `>` and the
/// no-break space (UTF-8 `C2 A0`).
fn serializer_escape(s: &str) -> String {
    replace_all(
        s,
        |w| {
            bytes_equal(w, b'&')
                | bytes_equal(w, b'<')
                | bytes_equal(w, b'>')
                | bytes_equal(w, 0xC2)
        },
        |b, i| match b[i] {
            b'&' => Some(("&amp;", 1)),
            b'<' => Some(("&lt;", 1)),
            b'>' => Some(("&gt;", 1)),
            0xC2 if b.get(i + 1) == Some(&0xA0) => Some(("&nbsp;", 2)),
            _ => None,
        },
    )
}

/// Renders Markdown that has no file position to report (e.g. descriptions in YAML).
pub fn render_inline_doc(md: &str, file: &str, line: usize, base_path: &str) -> Rendered {
    render(
        md,
        Source {
            file,
            first_line: line,
            base_path,
        },
    )
}

fn line_starts(s: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(s.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

/// Records a link starting with `/` and returns it with the base path in front.
fn internal<'a>(
    dest: CowStr<'a>,
    offset: usize,
    starts: &[usize],
    src: Source<'_>,
    links: &mut Vec<InternalLink>,
) -> CowStr<'a> {
    if !dest.starts_with('/') || dest.starts_with("//") {
        return dest;
    }
    let line_idx = starts.partition_point(|&s| s <= offset).saturating_sub(1);
    links.push(InternalLink {
        file: Arc::from(src.file),
        line: src.first_line + line_idx,
        column: offset - starts[line_idx] + 1,
        target: Arc::from(&*dest),
    });
    CowStr::from(format!("{}{}", src.base_path, dest))
}

/// Gives every heading an `id` from its text, unique within this piece of Markdown.
fn add_heading_anchors(events: &mut [Event<'_>]) {
    let mut used: HashMap<String, usize> = HashMap::new();
    let mut i = 0;
    while i < events.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &events[i] {
            let mut text = String::new();
            let mut j = i + 1;
            while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                if let Event::Text(t) | Event::Code(t) = &events[j] {
                    text.push_str(t);
                }
                j += 1;
            }
            let base = match slugify(&text) {
                s if s.is_empty() => "section".to_string(),
                s => s,
            };
            let n = used.entry(base.clone()).or_insert(0);
            *n += 1;
            let anchor = if *n == 1 { base } else { format!("{base}-{n}") };
            if let Event::Start(Tag::Heading {
                level,
                classes,
                attrs,
                ..
            }) = &events[i]
            {
                let (level, classes, attrs): (HeadingLevel, _, _) =
                    (*level, classes.clone(), attrs.clone());
                events[i] = Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(anchor)),
                    classes,
                    attrs,
                });
            }
            i = j;
        }
        i += 1;
    }
}

/// Removes the link around content that has no text (`[](#x)`, or an image without alt text):
/// such a link shows nothing, or nothing a screen reader can name. Texts copied from web pages
/// are full of them (heading anchors, logos). The content, if any, stays.
fn unwrap_textless_links(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut drop = vec![false; events.len()];
    let mut open: Option<usize> = None;
    let mut has_text = false;
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(Tag::Link { .. }) => {
                open = Some(i);
                has_text = false;
            }
            Event::End(TagEnd::Link) => {
                if let Some(start) = open.take() {
                    if !has_text {
                        drop[start] = true;
                        drop[i] = true;
                    }
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) if !t.trim().is_empty() => {
                has_text = true;
            }
            _ => {}
        }
    }
    events
        .into_iter()
        .zip(drop)
        .filter_map(|(e, d)| (!d).then_some(e))
        .collect()
}

/// Removes headings that have no text (`# [](#top)` once its empty link is gone): an empty
/// heading shows nothing and leaves a hole in the page's outline.
fn drop_textless_headings(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut keep = vec![true; events.len()];
    let mut open: Option<usize> = None;
    let mut has_text = false;
    for (i, e) in events.iter().enumerate() {
        match e {
            Event::Start(Tag::Heading { .. }) => {
                open = Some(i);
                has_text = false;
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some(start) = open.take() {
                    if !has_text {
                        keep[start..=i].iter_mut().for_each(|k| *k = false);
                    }
                }
            }
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) if !t.trim().is_empty() => {
                has_text = true;
            }
            _ => {}
        }
    }
    events
        .into_iter()
        .zip(keep)
        .filter_map(|(e, k)| k.then_some(e))
        .collect()
}

/// Removes a table's `<thead>` when none of its cells has text: a table copied from a web page
/// without a header row gets an empty one in Markdown, and empty header cells announce nothing.
fn drop_empty_table_heads(html: &mut String) {
    let mut from = 0;
    while let Some(start) = html[from..].find("<thead>").map(|i| from + i) {
        let Some(end) = html[start..]
            .find("</thead>")
            .map(|i| start + i + "</thead>".len())
        else {
            return;
        };
        let mut in_tag = false;
        let empty = html[start..end].chars().all(|c| match c {
            '<' => {
                in_tag = true;
                true
            }
            '>' => {
                in_tag = false;
                true
            }
            c => in_tag || c.is_whitespace(),
        });
        if empty {
            html.replace_range(start..end, "");
            from = start;
        } else {
            // A header row with some empty cells: those are not headers of anything.
            let head = html[start..end].replace("<th></th>", "<td></td>");
            let head = empty_th_with_attrs_to_td(&head);
            from = start + head.len();
            html.replace_range(start..end, &head);
        }
    }
}

/// `<th style="…"></th>` → `<td style="…"></td>` (aligned columns carry a style).
fn empty_th_with_attrs_to_td(head: &str) -> String {
    let mut out = String::with_capacity(head.len());
    let mut rest = head;
    while let Some(i) = rest.find("<th ") {
        out.push_str(&rest[..i]);
        let tag_end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
        if rest[tag_end..].starts_with("</th>") {
            out.push_str("<td");
            out.push_str(&rest[i + 3..tag_end]);
            out.push_str("</td>");
            rest = &rest[tag_end + "</th>".len()..];
        } else {
            out.push_str(&rest[i..tag_end]);
            rest = &rest[tag_end..];
        }
    }
    out.push_str(rest);
    out
}

/// Lower-case ASCII letters and digits joined by single `-`; everything else is a separator.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static CLEANER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    CLEANER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        let with_id: HashSet<&str> = ["id"].into();
        for tag in ["h1", "h2", "h3", "h4", "h5", "h6", "div", "li", "sup"] {
            b.add_tag_attributes(tag, with_id.iter().copied());
        }
        b.add_tags(["input"]);
        b.add_tag_attributes("input", ["type", "checked", "disabled"]);
        // Inputs exist for task lists: always a disabled checkbox, never a text or password box.
        b.set_tag_attribute_value("input", "type", "checkbox");
        b.set_tag_attribute_value("input", "disabled", "");
        b.add_allowed_classes("div", ["footnote-definition"]);
        b.add_allowed_classes("sup", ["footnote-reference"]);
        b.add_tag_attributes("th", ["style"]);
        b.add_tag_attributes("td", ["style"]);
        b.link_rel(Some("noopener noreferrer"));
        b.id_prefix(None);
        b
    })
}

/// Removes scripts, event handlers, `javascript:` URLs and anything else unsafe.
pub fn sanitize(html: &str) -> String {
    sanitizer().clean(html).to_string()
}

/// The text of some Markdown without its markup, whitespace collapsed.
pub fn plain_text(md: &str) -> String {
    let mut out = String::with_capacity(md.len());
    for event in Parser::new_ext(md, options()) {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(&t),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => out.push(' '),
            _ => {}
        }
    }
    collapse_whitespace(&out)
}

/// The start of `plain_text(md)`: more than its first `chars` characters (all of it when it
/// is not longer), enough for `shorten(_, chars)` to give what it gives for the whole text,
/// which needs to know that there is more. Events past that are not asked for, so the
/// inline parsing of the rest of `md` is skipped: excerpts show a few hundred characters of
/// sections many times that long.
pub fn plain_text_prefix(md: &str, chars: usize) -> String {
    let mut out = String::new();
    let mut count = 0;
    // A space is written only before the next word, as `collapse_whitespace` joins words.
    let mut space = false;
    let mut push = |piece: &str, out: &mut String| {
        for c in piece.chars() {
            if c.is_whitespace() {
                space = !out.is_empty();
            } else {
                if space {
                    out.push(' ');
                    count += 1;
                    space = false;
                }
                out.push(c);
                count += 1;
            }
        }
        count > chars
    };
    for event in Parser::new_ext(md, options()) {
        let enough = match event {
            Event::Text(t) | Event::Code(t) => push(&t, &mut out),
            Event::SoftBreak | Event::HardBreak | Event::End(_) => push(" ", &mut out),
            _ => false,
        };
        if enough {
            break;
        }
    }
    out
}

/// `s` with each run of whitespace made one space, and none at either end.
fn collapse_whitespace(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `escape_html`, written into `w`: Tera's escape function for what `{{ }}` prints.
pub fn escape_html_to(s: &str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut start = 0;
    for_each_replacement(s, html_may_hit, html_replacement, |i, len, entity| {
        w.write_all(&s.as_bytes()[start..i])?;
        w.write_all(entity.as_bytes())?;
        start = i + len;
        Ok::<(), std::io::Error>(())
    })?;
    w.write_all(&s.as_bytes()[start..])
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    replace_all(s, html_may_hit, html_replacement)
}

/// `escape_html`, appended to `out`: escaping is a good part of rendering pages (Tera escapes
/// every value a template prints).
pub fn escape_html_into(out: &mut String, s: &str) {
    let mut start = 0;
    let _ = for_each_replacement(s, html_may_hit, html_replacement, |i, len, entity| {
        out.push_str(&s[start..i]);
        out.push_str(entity);
        start = i + len;
        Ok::<(), std::convert::Infallible>(())
    });
    out.push_str(&s[start..]);
}

fn html_may_hit(w: u64) -> u64 {
    bytes_equal(w, b'&')
        | bytes_equal(w, b'<')
        | bytes_equal(w, b'>')
        | bytes_equal(w, b'"')
        | bytes_equal(w, b'\'')
}

fn html_replacement(b: &[u8], i: usize) -> Option<(&'static str, usize)> {
    match b[i] {
        b'&' => Some(("&amp;", 1)),
        b'<' => Some(("&lt;", 1)),
        b'>' => Some(("&gt;", 1)),
        b'"' => Some(("&quot;", 1)),
        b'\'' => Some(("&#39;", 1)),
        _ => None,
    }
}

/// The escaping loop every escaper here shares (HTML, the sanitiser's, the feeds' XML): calls
/// `f(i, len, replacement)` for each run of `len` bytes at `i` of `s` that is replaced, in
/// order. `may_hit` says whether eight bytes may hold the start of one (non-zero: maybe, as
/// `bytes_equal` answers), so ordinary text is passed over eight bytes at a time;
/// `replacement` says what replaces the bytes at `i` and how many, if anything does.
pub(crate) fn for_each_replacement<E>(
    s: &str,
    may_hit: impl Fn(u64) -> u64,
    replacement: impl Fn(&[u8], usize) -> Option<(&'static str, usize)>,
    mut f: impl FnMut(usize, usize, &'static str) -> Result<(), E>,
) -> Result<(), E> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(word) = word_at(bytes, i) {
            if may_hit(word) == 0 {
                i += 8;
                continue;
            }
        }
        match replacement(bytes, i) {
            Some((with, len)) => {
                f(i, len, with)?;
                i += len;
            }
            None => i += 1,
        }
    }
    Ok(())
}

/// `s` with every replacement `for_each_replacement` finds made.
pub(crate) fn replace_all(
    s: &str,
    may_hit: impl Fn(u64) -> u64,
    replacement: impl Fn(&[u8], usize) -> Option<(&'static str, usize)>,
) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    let mut start = 0;
    let _ = for_each_replacement(s, may_hit, replacement, |i, len, with| {
        out.push_str(&s[start..i]);
        out.push_str(with);
        start = i + len;
        Ok::<(), std::convert::Infallible>(())
    });
    out.push_str(&s[start..]);
    out
}

const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);

/// The eight bytes of `bytes` from `i`, if there are eight.
pub(crate) fn word_at(bytes: &[u8], i: usize) -> Option<u64> {
    let chunk = bytes.get(i..i + 8)?;
    Some(u64::from_ne_bytes(chunk.try_into().ok()?))
}

/// Non-zero when a byte of `word` is `c` (the "has zero byte" bit trick on `word ^ c…c`; it
/// can mark bytes after a match too, so only zero or non-zero is meaningful).
pub(crate) const fn bytes_equal(word: u64, c: u8) -> u64 {
    let x = word ^ (ONES * c as u64);
    x.wrapping_sub(ONES) & !x & HIGHS
}

/// Non-zero when a byte of `word` is not ASCII.
pub(crate) const fn non_ascii(word: u64) -> u64 {
    word & HIGHS
}

/// Non-zero when a byte of `word` is below `n` (at most 128); as `bytes_equal`, only zero or
/// non-zero is meaningful.
pub(crate) const fn bytes_below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * n as u64) & !word & HIGHS
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    proptest::proptest! {
        #[test]
        fn html_escaping_is_the_character_rule(s in "(.|[&<>\"'])*") {
            let by_char: String = s
                .chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    c => c.to_string(),
                })
                .collect();
            proptest::prop_assert_eq!(&escape_html(&s), &by_char);
            let mut written = Vec::new();
            escape_html_to(&s, &mut written).unwrap();
            proptest::prop_assert_eq!(String::from_utf8(written).unwrap(), by_char);
        }
    }

    proptest::proptest! {
        #[test]
        fn serializer_escaping_is_the_character_rule(s in "(.|[&<>\u{a0}\u{c2}\u{100}é])*") {
            let by_char: String = s
                .chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '\u{a0}' => "&nbsp;".to_string(),
                    c => c.to_string(),
                })
                .collect();
            proptest::prop_assert_eq!(serializer_escape(&s), by_char);
        }
    }

    /// Pieces of Markdown that make the elements `needs_no_sanitizing` accepts, the text the
    /// two serialisers escape differently, and some it refuses.
    const PIECES: &[&str] = &[
        "word",
        " ",
        "\"",
        "'",
        "&",
        "<",
        ">",
        "\u{a0}",
        "*",
        "_",
        "**",
        "~~",
        "`",
        "\n",
        "\n\n",
        "1. ",
        "3. ",
        "- ",
        "> ",
        "## ",
        "# x {#id}",
        "    ",
        "```\n",
        "&amp;",
        "&nbsp;",
        "&#34;",
        "\\",
        "[a](/b)",
        "[a](/b/c-d_e.f/#g)",
        "[a](#x)",
        "[a](https://example.org/a?b=1;c=2#d)",
        "[a](http://example.org/%20x)",
        "[a](//example.org)",
        "[a](/b \"t\")",
        "[a](javascript:alert(1))",
        "[a](mailto:a@b.c)",
        "[a](/b&c)",
        "[a](/é)",
        "[a][r]\n\n[r]: /b\n",
        "<https://example.org/x>",
        "<a@b.c>",
        "<b>",
        "---",
        "  \n",
        "| a |\n|---|\n",
        "[^1]",
        "- [ ] ",
    ];

    proptest::proptest! {
        #[test]
        fn markdown_that_skips_the_sanitizer_renders_as_sanitized(
            pieces in proptest::collection::vec(proptest::sample::select(PIECES), 0..40)
        ) {
            let md = pieces.concat();
            proptest::prop_assert_eq!(
                render_with(&md, src(), true).html,
                render_with(&md, src(), false).html
            );
        }
    }

    /// Every section and Markdown file of the example site (real documents) renders the same
    /// with and without the sanitiser when it may be skipped, and many may.
    #[test]
    fn the_example_sites_text_renders_as_sanitized() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let loaded =
            crate::content::load(root, &Default::default()).expect("the example site loads");
        let mut texts: Vec<String> = loaded
            .site
            .platforms
            .iter()
            .flat_map(|p| &p.documents)
            .flat_map(|d| d.snapshots.iter())
            .flat_map(|s| s.sections.iter().map(|x| x.text.to_string()))
            .collect();
        for entry in walkdir::WalkDir::new(root.join("content")) {
            let entry = entry.unwrap();
            if entry.path().extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(entry.path()).unwrap();
                // The body, after the front matter.
                texts.push(
                    text.splitn(3, "---\n")
                        .last()
                        .unwrap_or_default()
                        .to_string(),
                );
            }
        }
        texts.sort();
        texts.dedup();
        let mut skipped = 0;
        for md in &texts {
            let fast = render_with(md, src(), true).html;
            assert_eq!(fast, render_with(md, src(), false).html, "for {md:?}");
            let events: Vec<Event<'_>> = Parser::new_ext(md, options()).collect();
            if needs_no_sanitizing(&events) {
                skipped += 1;
            }
        }
        assert!(texts.len() > 500, "only {} texts", texts.len());
        // Real documents link a lot, and links always go through the sanitiser.
        assert!(
            skipped * 3 > texts.len(),
            "only {skipped} of {} skip the sanitiser",
            texts.len()
        );
    }

    fn src() -> Source<'static> {
        Source {
            file: "x.md",
            first_line: 5,
            base_path: "/atlas",
        }
    }

    #[test]
    fn strips_scripts_and_handlers() {
        let r = render("<script>alert(1)</script><a href=\"javascript:alert(1)\" onclick=\"x()\">a</a><img src=x onerror=alert(1)>", src());
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("javascript:"), "{}", r.html);
        assert!(!r.html.contains("onclick"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
        let r = render(
            "<input type=\"password\" name=\"p\"><input value=\"x\">",
            src(),
        );
        assert_eq!(r.html.matches("type=\"checkbox\"").count(), 2, "{}", r.html);
        assert!(
            !r.html.contains("password") && !r.html.contains("value"),
            "{}",
            r.html
        );
    }

    #[test]
    fn links_without_text_and_empty_table_heads_are_dropped() {
        let r = render("## [](#a)\n\n[![](logo.png)](https://e.org/) [ ](https://e.org/x) [![Logo](l.png)](https://e.org/y) [kept](https://e.org/z)\n\n| | |\n|---|---|\n| 1 | 2 |\n\n| a | |\n|---|---|\n| 3 | 4 |\n", src());
        assert!(!r.html.contains("href=\"#a\""), "{}", r.html);
        assert!(!r.html.contains("href=\"https://e.org/\""), "{}", r.html);
        assert!(!r.html.contains("https://e.org/x"), "{}", r.html);
        assert!(r.html.contains("<img src=\"logo.png\""), "{}", r.html);
        assert!(r.html.contains("href=\"https://e.org/y\""), "{}", r.html);
        assert!(r.html.contains(">kept</a>"), "{}", r.html);
        assert_eq!(r.html.matches("<thead>").count(), 1, "{}", r.html);
        assert!(r.html.contains("<th>a</th><td></td>"), "{}", r.html);
        assert!(
            !r.html.contains("<h2"),
            "an empty heading is dropped: {}",
            r.html
        );
        assert!(r.html.contains("<td>1</td>"), "{}", r.html);
        let r = render("| a | |\n|:--|--:|\n| 1 | 2 |\n", src());
        assert!(
            r.html.contains("<td style=\"text-align: right\"></td>"),
            "{}",
            r.html
        );
    }

    #[test]
    fn internal_links_get_base_path_and_lines() {
        let r = render("intro\n\nsee [faq](/faq/) and [x](https://e.org/)", src());
        assert!(r.html.contains("href=\"/atlas/faq/\""), "{}", r.html);
        assert_eq!(r.links.len(), 1);
        assert_eq!((r.links[0].line, r.links[0].column), (7, 5));
    }

    #[test]
    fn headings_get_unique_anchors_and_extensions_work() {
        let r = render("# Hello World\n\n# Hello World\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n\n~~gone~~ [^1]\n\n[^1]: note", src());
        assert!(r.html.contains("id=\"hello-world\""), "{}", r.html);
        assert!(r.html.contains("id=\"hello-world-2\""), "{}", r.html);
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("checkbox"));
        assert!(r.html.contains("<del>gone</del>"));
        assert!(r.html.contains("footnote"));
    }

    #[test]
    fn link_columns_count_characters() {
        let r = render("Café, voilà: [x](/y/)", src());
        assert_eq!((r.links[0].line, r.links[0].column), (5, 14));
    }

    #[test]
    fn slugs() {
        assert_eq!(slugify("§ 12(a) Arbitration"), "12-a-arbitration");
        assert_eq!(slugify("数据"), "");
    }
}
