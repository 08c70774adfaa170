//! HTML to Markdown for snapshots: the document's `main` (or its only `article`, or the body),
//! without scripts, styles, navigation, page headers and footers; headings, paragraphs, lists,
//! links, tables, quotes and emphasis become Markdown. Parsed with html5ever (via `scraper`).

use scraper::{ElementRef, Html, Node, Selector};

/// Converts an HTML document (or fragment) to Markdown. Root-relative links (`/x`) are left as
/// they are (the snapshot step makes them absolute); other relative links are resolved against
/// `source_url`, or unlinked without one.
pub fn to_markdown(html: &str, source_url: Option<&str>) -> String {
    let doc = Html::parse_document(html);
    let root = pick_root(&doc);
    let mut conv = Converter {
        source_url,
        in_sectioning: false,
    };
    let mut blocks = Vec::new();
    conv.blocks(root, &mut blocks);
    let mut out = blocks.join("\n\n");
    out.push('\n');
    out
}

/// The element holding the document's content.
fn pick_root(doc: &Html) -> ElementRef<'_> {
    let sel = |s: &str| Selector::parse(s).expect("static selector");
    if let Some(m) = doc.select(&sel("main")).next() {
        return m;
    }
    let articles: Vec<ElementRef<'_>> = doc.select(&sel("article")).collect();
    if articles.len() == 1 {
        return articles[0];
    }
    doc.select(&sel("body"))
        .next()
        .unwrap_or_else(|| doc.root_element())
}

struct Converter<'u> {
    source_url: Option<&'u str>,
    /// Inside `main`, `article` or `section`: a `header`/`footer` there belongs to the content.
    in_sectioning: bool,
}

const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "center",
    "details",
    "dialog",
    "dd",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
];

/// Elements whose content is never part of the document's text.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "nav", "iframe", "svg", "canvas", "object", "embed",
    "button", "input", "select", "textarea", "option", "menu", "head", "title", "link", "meta",
    "img", "picture", "video", "audio", "map", "dialog",
];

/// Accumulates inline Markdown: whitespace collapsed as HTML does.
#[derive(Default)]
struct Inline {
    s: String,
}

impl Inline {
    fn push_text(&mut self, text: &str) {
        for c in text.chars() {
            if matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{c}') {
                if !self.s.is_empty() && !self.s.ends_with([' ', '\n']) {
                    self.s.push(' ');
                }
            } else {
                self.s.push(c);
            }
        }
    }
    fn push_raw(&mut self, s: &str) {
        self.s.push_str(s);
    }
    fn take(&mut self) -> String {
        std::mem::take(&mut self.s)
    }
}

fn is_dropped(el: &ElementRef<'_>, in_sectioning: bool) -> bool {
    let name = el.value().name();
    if DROPPED.contains(&name) {
        return true;
    }
    if (name == "header" || name == "footer") && !in_sectioning {
        return true;
    }
    let v = el.value();
    if v.attr("hidden").is_some() || v.attr("aria-hidden") == Some("true") {
        return true;
    }
    if let Some(role) = v.attr("role") {
        if matches!(
            role,
            "navigation" | "banner" | "contentinfo" | "search" | "dialog" | "alertdialog"
        ) {
            return true;
        }
    }
    if let Some(style) = v.attr("style") {
        let s: String = style.chars().filter(|c| !c.is_whitespace()).collect();
        let s = s.to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    false
}

impl Converter<'_> {
    /// Appends the Markdown blocks of `node`'s children to `out`.
    fn blocks(&mut self, node: ElementRef<'_>, out: &mut Vec<String>) {
        let mut inline = Inline::default();
        for child in node.children() {
            match child.value() {
                Node::Text(t) => inline.push_text(&escape_text(t)),
                Node::Element(_) => {
                    let el = ElementRef::wrap(child).expect("an element");
                    if is_dropped(&el, self.in_sectioning) {
                        continue;
                    }
                    let name = el.value().name();
                    if BLOCKS.contains(&name) {
                        flush(&mut inline, out);
                        self.block(el, out);
                    } else {
                        self.inline(el, &mut inline);
                    }
                }
                _ => {}
            }
        }
        flush(&mut inline, out);
    }

    fn block(&mut self, el: ElementRef<'_>, out: &mut Vec<String>) {
        let name = el.value().name();
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = name[1..].parse::<usize>().unwrap_or(2);
                let text = self.inline_content(el);
                let text = text.replace('\n', " ");
                let text = text.trim().trim_end_matches('\\').trim();
                if !text.is_empty() {
                    out.push(format!("{} {}", "#".repeat(level), text));
                }
            }
            "p" | "dt" | "dd" | "figcaption" | "summary" | "address" => {
                let mut text = self.inline_content(el);
                if name == "dt" && !text.is_empty() {
                    text = format!("**{text}**");
                }
                push_paragraph(text, out);
            }
            "ul" | "ol" => {
                if let Some(list) = self.list(el, name == "ol") {
                    out.push(list);
                }
            }
            "li" => {
                // A list item outside a list: its content, as blocks.
                self.blocks(el, out);
            }
            "blockquote" => {
                let mut inner = Vec::new();
                self.blocks(el, &mut inner);
                if !inner.is_empty() {
                    let text = inner.join("\n\n");
                    out.push(
                        text.lines()
                            .map(|l| {
                                if l.is_empty() {
                                    ">".to_string()
                                } else {
                                    format!("> {l}")
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("\n"),
                    );
                }
            }
            "pre" => {
                let text: String = el.text().collect();
                let text = text.strip_prefix('\n').unwrap_or(&text).trim_end();
                if !text.trim().is_empty() {
                    let longest = longest_run(text, '`');
                    let fence = "`".repeat(longest.max(2) + 1);
                    out.push(format!("{fence}\n{text}\n{fence}"));
                }
            }
            "hr" => out.push("* * *".into()),
            "table" => {
                if let Some(t) = self.table(el) {
                    out.push(t);
                }
            }
            "main" | "article" | "section" => {
                let before = self.in_sectioning;
                self.in_sectioning = true;
                self.blocks(el, out);
                self.in_sectioning = before;
            }
            _ => self.blocks(el, out),
        }
    }

    /// A list: items joined by single newlines, continuation lines indented under the marker.
    fn list(&mut self, el: ElementRef<'_>, ordered: bool) -> Option<String> {
        let mut n: i64 = if ordered {
            el.value()
                .attr("start")
                .and_then(|s| s.trim().parse().ok())
                .unwrap_or(1)
        } else {
            1
        };
        let mut items = Vec::new();
        for child in el.children() {
            let Some(li) = ElementRef::wrap(child) else {
                continue;
            };
            if is_dropped(&li, self.in_sectioning) {
                continue;
            }
            let mut inner = Vec::new();
            if li.value().name() == "li" {
                self.blocks(li, &mut inner);
            } else {
                // Stray content in a list (invalid HTML, but common).
                self.block(li, &mut inner);
            }
            if inner.is_empty() {
                continue;
            }
            let marker = if ordered {
                format!("{}. ", n.max(0))
            } else {
                "- ".to_string()
            };
            n += 1;
            let pad = " ".repeat(marker.len());
            let mut text = String::new();
            for (i, b) in inner.iter().enumerate() {
                if i > 0 {
                    let is_list = b.starts_with("- ")
                        || b.split_once(". ").is_some_and(|(num, _)| {
                            !num.is_empty() && num.bytes().all(|c| c.is_ascii_digit())
                        });
                    text.push_str(if is_list { "\n" } else { "\n\n" });
                }
                text.push_str(b);
            }
            let mut lines = text.split('\n');
            let mut item = format!("{marker}{}", lines.next().unwrap_or(""));
            for l in lines {
                item.push('\n');
                if !l.is_empty() {
                    item.push_str(&pad);
                    item.push_str(l);
                }
            }
            items.push(item);
        }
        (!items.is_empty()).then(|| items.join("\n"))
    }

    fn table(&mut self, el: ElementRef<'_>) -> Option<String> {
        let mut rows: Vec<Vec<String>> = Vec::new();
        let tr = Selector::parse("tr").expect("static selector");
        for row in el.select(&tr) {
            // Rows of nested tables belong to their own table.
            let nearest_table = row
                .ancestors()
                .filter_map(ElementRef::wrap)
                .find(|a| a.value().name() == "table");
            if nearest_table.map(|t| t.id()) != Some(el.id()) {
                continue;
            }
            let mut cells = Vec::new();
            for cell in row.children().filter_map(ElementRef::wrap) {
                let name = cell.value().name();
                if name != "td" && name != "th" {
                    continue;
                }
                let text = self.inline_content(cell);
                let text = text.replace("\\\n", " ").replace('\n', " ");
                cells.push(escape_pipes(text.trim()));
            }
            if !cells.is_empty() {
                rows.push(cells);
            }
        }
        let width = rows.iter().map(Vec::len).max()?;
        if rows.iter().all(|r| r.iter().all(|c| c.is_empty())) {
            return None;
        }
        let line = |cells: &[String]| {
            let mut v: Vec<String> = cells.to_vec();
            v.resize(width, String::new());
            format!("| {} |", v.join(" | "))
        };
        let mut out = vec![line(&rows[0]), format!("|{}", " --- |".repeat(width))];
        out.extend(rows[1..].iter().map(|r| line(r)));
        Some(out.join("\n"))
    }

    /// The inline Markdown of an element's content (block descendants flattened), trimmed.
    fn inline_content(&mut self, el: ElementRef<'_>) -> String {
        self.inline_raw(el).trim_matches(' ').to_string()
    }

    /// The inline Markdown of an element's content, with its edge spaces.
    fn inline_raw(&mut self, el: ElementRef<'_>) -> String {
        let mut inline = Inline::default();
        self.inline_children(el, &mut inline);
        inline.take()
    }

    fn inline_children(&mut self, el: ElementRef<'_>, out: &mut Inline) {
        for child in el.children() {
            match child.value() {
                Node::Text(t) => out.push_text(&escape_text(t)),
                Node::Element(_) => {
                    let c = ElementRef::wrap(child).expect("an element");
                    if is_dropped(&c, true) {
                        continue;
                    }
                    let block = BLOCKS.contains(&c.value().name());
                    if block {
                        out.push_text(" ");
                    }
                    self.inline(c, out);
                    if block {
                        out.push_text(" ");
                    }
                }
                _ => {}
            }
        }
    }

    fn inline(&mut self, el: ElementRef<'_>, out: &mut Inline) {
        let name = el.value().name();
        match name {
            "br" => {
                while out.s.ends_with(' ') {
                    out.s.pop();
                }
                if !out.s.is_empty() && !out.s.ends_with('\n') {
                    out.push_raw("\\\n");
                }
            }
            "em" | "i" | "cite" | "dfn" | "var" => {
                let inner = self.inline_raw(el);
                wrap(out, &inner, "*");
            }
            "strong" | "b" => {
                let inner = self.inline_raw(el);
                wrap(out, &inner, "**");
            }
            "s" | "del" | "strike" => {
                let inner = self.inline_raw(el);
                wrap(out, &inner, "~~");
            }
            "code" | "kbd" | "samp" | "tt" => {
                let text: String = el.text().collect();
                let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                if !text.is_empty() {
                    let ticks = "`".repeat(longest_run(&text, '`') + 1);
                    let pad = if text.starts_with('`') || text.ends_with('`') {
                        " "
                    } else {
                        ""
                    };
                    out.push_raw(&format!("{ticks}{pad}{text}{pad}{ticks}"));
                }
            }
            "a" => match el.value().attr("href").and_then(|h| self.link_target(h)) {
                Some(target) => {
                    let inner = self.inline_raw(el);
                    let core = inner.trim_matches(' ');
                    if core.is_empty() {
                        out.push_text(&inner);
                        return;
                    }
                    let target = if target.contains([' ', '(', ')', '<', '>']) {
                        format!("<{}>", target.replace('<', "%3C").replace('>', "%3E"))
                    } else {
                        target
                    };
                    if inner.starts_with(' ') {
                        out.push_text(" ");
                    }
                    out.push_raw(&format!("[{core}]({target})"));
                    if inner.ends_with(' ') {
                        out.push_text(" ");
                    }
                }
                None => self.inline_children(el, out),
            },
            _ => self.inline_children(el, out),
        }
    }

    /// Where a link goes in the snapshot, or None to keep only its text.
    fn link_target(&self, href: &str) -> Option<String> {
        let href = href.trim();
        if href.is_empty() || href.starts_with('#') {
            return None;
        }
        let lower = href.to_ascii_lowercase();
        if lower.starts_with("javascript:")
            || lower.starts_with("data:")
            || lower.starts_with("vbscript:")
        {
            return None;
        }
        if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("mailto:")
            || lower.starts_with("tel:")
        {
            return Some(href.to_string());
        }
        if let Some(rest) = href.strip_prefix("//") {
            return Some(format!("https://{rest}"));
        }
        if href.starts_with('/') {
            return Some(href.to_string());
        }
        if href
            .split(['/', '?', '#'])
            .next()
            .is_some_and(|s| s.contains(':'))
        {
            // Another scheme: not something a reader can follow.
            return None;
        }
        let base = self.source_url?;
        Some(resolve_relative(base, href))
    }
}

/// `href` (relative, not starting with `/`) against `base`'s folder.
fn resolve_relative(base: &str, href: &str) -> String {
    let base = base.split(['?', '#']).next().unwrap_or(base);
    let scheme_end = base.find("://").map(|i| i + 3).unwrap_or(0);
    let path_start = base[scheme_end..]
        .find('/')
        .map(|i| i + scheme_end)
        .unwrap_or(base.len());
    let origin = &base[..path_start];
    let path = &base[path_start..];
    if href.starts_with('?') {
        return format!("{origin}{path}{href}");
    }
    let dir = match path.rfind('/') {
        Some(i) => &path[..i],
        None => "",
    };
    let mut parts: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let (href_path, suffix) = match href.find(['?', '#']) {
        Some(i) => (&href[..i], &href[i..]),
        None => (href, ""),
    };
    let segs: Vec<&str> = href_path.split('/').collect();
    for (i, seg) in segs.iter().enumerate() {
        match *seg {
            "." => {}
            ".." => {
                parts.pop();
            }
            s if s.is_empty() && i + 1 < segs.len() => {}
            s => parts.push(s),
        }
    }
    let trailing = if href_path.ends_with('/') && !parts.is_empty() {
        "/"
    } else {
        ""
    };
    let joined = parts.join("/");
    let joined = joined.trim_end_matches('/');
    format!("{origin}/{joined}{trailing}{suffix}")
}

/// `|` as `\|` where it is not escaped yet (text is escaped already; code spans are not).
fn escape_pipes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev = None;
    for c in s.chars() {
        if c == '|' && prev != Some('\\') {
            out.push('\\');
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

fn longest_run(s: &str, c: char) -> usize {
    let mut best = 0;
    let mut cur = 0;
    for ch in s.chars() {
        if ch == c {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

/// `*x*` around inline content, its surrounding spaces kept outside the marks.
fn wrap(out: &mut Inline, inner: &str, mark: &str) {
    let core = inner.trim_matches(' ');
    if core.is_empty() {
        out.push_text(inner);
        return;
    }
    if inner.starts_with(' ') {
        out.push_text(" ");
    }
    if core.contains('\n') {
        // A line break inside emphasis: leave the emphasis out rather than risk broken marks.
        out.push_raw(core);
    } else {
        out.push_raw(&format!("{mark}{core}{mark}"));
    }
    if inner.ends_with(' ') {
        out.push_text(" ");
    }
}

/// Backslash-escapes the characters that would make text into Markdown syntax.
fn escape_text(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        match c {
            '\\' | '*' | '`' | '[' | ']' | '<' | '>' | '~' | '#' | '|' => {
                out.push('\\');
                out.push(c);
            }
            '_' => {
                let prev = i.checked_sub(1).map(|j| chars[j]);
                let next = chars.get(i + 1).copied();
                if prev.is_some_and(char::is_alphanumeric)
                    && next.is_some_and(char::is_alphanumeric)
                {
                    out.push('_');
                } else {
                    out.push_str("\\_");
                }
            }
            '&' => {
                // Only where it would read as an entity.
                let rest: String = chars[i + 1..].iter().take(33).collect();
                let entity = rest.find(';').is_some_and(|j| {
                    j > 0
                        && rest[..j]
                            .chars()
                            .all(|c| c.is_ascii_alphanumeric() || c == '#')
                });
                if entity {
                    out.push('\\');
                }
                out.push('&');
            }
            c => out.push(c),
        }
    }
    out
}

/// Pushes a paragraph, escaping what would make its lines start a list, heading or quote.
fn push_paragraph(text: String, out: &mut Vec<String>) {
    let text = text.trim();
    if text.is_empty() || text == "\\" {
        return;
    }
    let lines: Vec<String> = text
        .split('\n')
        .map(|l| escape_line_start(l.trim_start()))
        .collect();
    let joined = lines.join("\n");
    let joined = joined.trim_end_matches('\\').trim_end().to_string();
    if !joined.is_empty() {
        out.push(joined);
    }
}

fn flush(inline: &mut Inline, out: &mut Vec<String>) {
    let s = inline.take();
    push_paragraph(s, out);
}

/// `1. x` → `1\. x`, `- x` → `\- x`, `+ x`, `= x`: text, not structure.
fn escape_line_start(line: &str) -> String {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 && digits <= 9 {
        let after = &line[digits..];
        if let Some(m) = after.chars().next().filter(|c| *c == '.' || *c == ')') {
            let rest = &after[1..];
            if rest.is_empty() || rest.starts_with([' ', '\t']) {
                return format!("{}\\{m}{rest}", &line[..digits]);
            }
        }
    }
    if let Some(c) = line.chars().next() {
        if matches!(c, '-' | '+' | '=') {
            let rest = &line[1..];
            if rest.is_empty() || rest.starts_with([' ', '\t']) || rest.chars().all(|x| x == c) {
                return format!("\\{line}");
            }
        }
    }
    line.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_main_drops_chrome() {
        let html = r##"<!doctype html><html><head><title>T</title><style>p{}</style>
<script>alert(1)</script></head><body>
<header><a href="/">Home</a></header><nav><ul><li><a href="/a">A</a></li></ul></nav>
<main><h1>Privacy  Policy</h1><p>Last <em>updated</em> 2026.</p>
<h2>1. Data we <strong>collect </strong>here</h2><p>We collect <a href="/x">things</a>,
<a href="https://e.com/y?a=1&amp;b=2">more</a> and <a href="#top">anchors</a>.</p>
<ul><li>One</li><li>Two<ul><li>Two a</li></ul></li></ul>
<ol start="3"><li><p>Three</p><p>Again</p></li></ol>
<table><tr><th>Kind</th><th>Use</th></tr><tr><td>Email</td><td>Login | mail</td></tr></table>
<script>track()</script><div hidden>secret</div></main>
<footer>© Corp</footer></body></html>"##;
        let md = to_markdown(html, Some("https://e.com/legal/privacy"));
        assert!(
            !md.contains("alert") && !md.contains("track") && !md.contains("secret"),
            "{md}"
        );
        assert!(!md.contains("Home") && !md.contains("© Corp"), "{md}");
        assert!(
            md.starts_with(
                "# Privacy Policy\n\nLast *updated* 2026.\n\n## 1. Data we **collect** here\n"
            ),
            "{md}"
        );
        assert!(
            md.contains("We collect [things](/x), [more](https://e.com/y?a=1&b=2) and anchors."),
            "{md}"
        );
        assert!(md.contains("- One\n- Two\n  - Two a"), "{md}");
        assert!(md.contains("3. Three\n\n   Again"), "{md}");
        assert!(
            md.contains("| Kind | Use |\n| --- | --- |\n| Email | Login \\| mail |"),
            "{md}"
        );
    }

    #[test]
    fn text_that_looks_like_markdown_is_escaped() {
        let md = to_markdown("<p>1. Not a list *really* [x]</p><p>- nor this</p>", None);
        assert_eq!(md, "1\\. Not a list \\*really\\* \\[x\\]\n\n\\- nor this\n");
    }

    #[test]
    fn relative_links() {
        assert_eq!(
            resolve_relative("https://e.com/a/b/c.html?x", "../d.html#k"),
            "https://e.com/a/d.html#k"
        );
        assert_eq!(resolve_relative("https://e.com", "d"), "https://e.com/d");
    }
}
