//! Small rewrites of sanitised HTML fragments: giving their ids a per-page prefix, and making
//! their URLs absolute for feeds. Only attribute values inside tags are touched, never text.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use crate::markdown::escape_html;

/// Calls `f(tag, attribute, value)` for every attribute of every start tag (names lower-case,
/// the value as written, still escaped) and puts the returned value, when there is one, in its
/// place. Returns `None` when nothing was replaced.
fn rewrite_attrs(
    html: &str,
    mut f: impl FnMut(&str, &str, &str) -> Option<String>,
) -> Option<String> {
    let b = html.as_bytes();
    let mut out: Option<String> = None;
    // Everything before `copied` is in `out` (when `out` exists).
    let mut copied = 0;
    let mut i = 0;
    while let Some(lt) = html[i..].find('<').map(|k| i + k) {
        i = lt + 1;
        if i >= b.len() || !b[i].is_ascii_alphabetic() {
            // An end tag, a comment or a stray `<`: skip to its end.
            if html[i..].starts_with("!--") {
                i = html[i..].find("-->").map_or(b.len(), |k| i + k + 3);
            } else {
                i = html[i..].find('>').map_or(b.len(), |k| i + k + 1);
            }
            continue;
        }
        let name_end = html[i..]
            .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
            .map_or(b.len(), |k| i + k);
        let tag = html[i..name_end].to_ascii_lowercase();
        i = name_end;
        // Attributes, until `>`.
        loop {
            while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
                i += 1;
            }
            if i >= b.len() || b[i] == b'>' {
                i += 1;
                break;
            }
            let attr_start = i;
            while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/')
            {
                i += 1;
            }
            let attr = html[attr_start..i].to_ascii_lowercase();
            let mut j = i;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            if j >= b.len() || b[j] != b'=' {
                continue;
            }
            j += 1;
            while j < b.len() && b[j].is_ascii_whitespace() {
                j += 1;
            }
            let (value_start, value_end, next) = match b.get(j) {
                Some(&q @ (b'"' | b'\'')) => {
                    let end = html[j + 1..].find(q as char).map_or(b.len(), |k| j + 1 + k);
                    (j + 1, end, (end + 1).min(b.len()))
                }
                _ => {
                    let end = html[j..]
                        .find(|c: char| c.is_ascii_whitespace() || c == '>')
                        .map_or(b.len(), |k| j + k);
                    (j, end, end)
                }
            };
            if let Some(new) = f(&tag, &attr, &html[value_start..value_end]) {
                let o = out.get_or_insert_with(|| String::with_capacity(html.len() + 64));
                o.push_str(&html[copied..value_start]);
                o.push_str(&new);
                copied = value_end;
            }
            i = next;
        }
    }
    out.map(|mut o| {
        o.push_str(&html[copied..]);
        o
    })
}

/// Where the in-document links of a version's sections lead on a page that shows the whole
/// version: a section's anchor, an id inside a section's text (`x` → `<anchor>--x`, as
/// [`scope_ids`] writes it), or the slug of a section's heading (how the page the document was
/// captured from usually named it). Anchors win over inner ids, which win over heading slugs;
/// among equals, the first section.
pub type Targets = HashMap<String, String>;

/// The [`Targets`] of one version, from its sections' anchors, headings and rendered texts.
pub fn targets<'a>(
    sections: impl IntoIterator<Item = (&'a str, Option<&'a str>, &'a str)>,
) -> Targets {
    let mut map = Targets::new();
    let mut inner = Vec::new();
    let mut headings = Vec::new();
    for (anchor, heading, html) in sections {
        map.insert(anchor.to_string(), anchor.to_string());
        if let Some(h) = heading {
            headings.push((crate::markdown::slugify(h), anchor.to_string()));
        }
        if html.contains("id=") {
            rewrite_attrs(html, |_, attr, value| {
                if attr == "id" {
                    inner.push((value.to_string(), format!("{anchor}--{value}")));
                }
                None
            });
        }
    }
    for (id, target) in inner.into_iter().chain(headings) {
        if !id.is_empty() {
            map.entry(id).or_insert(target);
        }
    }
    map
}

/// Prefixes every `id` in a fragment with `prefix`, and every `href="#x"` that points at one of
/// those ids, so that one fragment can appear on a page beside others (or twice) without two
/// elements sharing an id. A link to an id outside the fragment is looked up in `outside`, the
/// version's [`Targets`] and the URL of the page that shows it whole (`""` for this page), and
/// left alone when it is not there.
pub fn scope_ids<'a>(
    html: &'a str,
    prefix: &str,
    outside: Option<(&Targets, &str)>,
) -> Cow<'a, str> {
    let has = |needle: &str| memchr::memmem::find(html.as_bytes(), needle.as_bytes()).is_some();
    if !has("id=") && !(outside.is_some() && has("href=\"#")) {
        return Cow::Borrowed(html);
    }
    let mut ids: HashSet<String> = HashSet::new();
    rewrite_attrs(html, |_, attr, value| {
        if attr == "id" {
            ids.insert(value.to_string());
        }
        None
    });
    let prefix = escape_html(prefix);
    let scoped = rewrite_attrs(html, |_, attr, value| match attr {
        "id" => Some(format!("{prefix}{value}")),
        "href" => {
            let v = value.strip_prefix('#')?;
            if ids.contains(v) {
                return Some(format!("#{prefix}{v}"));
            }
            let (targets, page) = outside?;
            let target = targets.get(v)?;
            Some(format!("{}#{}", escape_html(page), escape_html(target)))
        }
        _ => None,
    });
    scoped.map_or(Cow::Borrowed(html), Cow::Owned)
}

/// Makes every relative URL in `href` and `src` attributes absolute: `/x` against `origin`
/// (scheme and host), `//host/x` with `origin`'s scheme, `#x`, `?x` and `x/y` against `base`
/// (the page's own absolute URL). URLs with a scheme are left alone.
pub fn absolute_urls(html: &str, origin: &str, base: &str) -> String {
    let scheme = origin.split(':').next().unwrap_or("https");
    rewrite_attrs(html, |_, attr, value| {
        if !matches!(attr, "href" | "src" | "cite" | "poster") {
            return None;
        }
        let v = value.trim();
        if has_scheme(v) {
            return None;
        }
        let abs = if let Some(rest) = v.strip_prefix("//") {
            format!("{scheme}://{rest}")
        } else if v.starts_with('/') {
            format!("{}{v}", escape_html(origin))
        } else {
            let page = base.split(['#', '?']).next().unwrap_or(base);
            if v.starts_with('#') || v.starts_with('?') || v.is_empty() {
                format!("{}{v}", escape_html(page))
            } else {
                resolve_path(&escape_html(page), v)
            }
        };
        Some(abs)
    })
    .unwrap_or_else(|| html.to_string())
}

/// `mailto:`, `https:`: a scheme is letters, digits, `+`, `-`, `.` before the first `:`, and
/// comes before any `/`, `?` or `#`.
fn has_scheme(v: &str) -> bool {
    match v.find(':') {
        Some(i) if i > 0 => {
            let s = &v[..i];
            s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        _ => false,
    }
}

/// Resolves a relative path (`a/b`, `../c`, `./d`) against an absolute page URL.
fn resolve_path(page: &str, rel: &str) -> String {
    // `https://host` + `/dir/`: keep the authority, work on the path.
    let after_scheme = page.find("://").map_or(0, |i| i + 3);
    let path_start = page[after_scheme..]
        .find('/')
        .map_or(page.len(), |i| after_scheme + i);
    let (authority, path) = page.split_at(path_start);
    let dir = &path[..path.rfind('/').map_or(0, |i| i + 1)];
    let (rel_path, suffix) = match rel.find(['?', '#']) {
        Some(i) => rel.split_at(i),
        None => (rel, ""),
    };
    let mut segments: Vec<&str> = dir.split('/').filter(|s| !s.is_empty()).collect();
    let rel_segments: Vec<&str> = rel_path.split('/').collect();
    let last = rel_segments.len() - 1;
    let mut trailing_slash = false;
    for (k, seg) in rel_segments.iter().enumerate() {
        match *seg {
            "." => trailing_slash = k == last,
            ".." => {
                segments.pop();
                trailing_slash = k == last;
            }
            "" => trailing_slash = k == last,
            s => {
                segments.push(s);
                trailing_slash = false;
            }
        }
    }
    let mut out = format!("{authority}/{}", segments.join("/"));
    if trailing_slash && !out.ends_with('/') {
        out.push('/');
    }
    out.push_str(suffix);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_ids_and_their_links_only() {
        let h = r##"<h2 id="terms">Terms</h2><p>See<sup class="footnote-reference"><a href="#1">1</a></sup> and <a href="#other">other</a>. Text id="x" href="#1" stays.</p><div class="footnote-definition" id="1"><p>Note</p></div>"##;
        let s = scope_ids(h, "sec--", None);
        assert!(s.contains(r#"<h2 id="sec--terms">"#), "{s}");
        assert!(s.contains(r##"<a href="#sec--1">1</a>"##), "{s}");
        assert!(s.contains(r##"<a href="#other">"##), "{s}");
        assert!(s.contains(r##"Text id="x" href="#1" stays."##), "{s}");
        assert!(
            s.contains(r#"class="footnote-definition" id="sec--1""#),
            "{s}"
        );
        assert!(matches!(
            scope_ids("<p>no ids</p>", "x-", None),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn links_to_other_sections_follow_their_targets() {
        let first = r#"<h2 id="cookies">Cookies</h2>"#;
        let toc = r##"<a href="#cookies">c</a> <a href="#terms">t</a> <a href="#gone">g</a>"##;
        let t = targets([
            ("privacy", Some("Cookies"), first),
            ("intro-2", Some("1. Introduction"), ""),
            ("terms", None, toc),
        ]);
        assert_eq!(t["cookies"], "privacy--cookies");
        assert_eq!(t["1-introduction"], "intro-2");
        let here = scope_ids(toc, "terms--", Some((&t, "")));
        assert!(here.contains(r##"href="#privacy--cookies""##), "{here}");
        assert!(here.contains(r##"href="#terms""##), "{here}");
        assert!(here.contains(r##"href="#gone""##), "{here}");
        let there = scope_ids(toc, "tt-x--", Some((&t, "/p/d/2026-01-01/")));
        assert!(
            there.contains(r##"href="/p/d/2026-01-01/#privacy--cookies""##),
            "{there}"
        );
    }

    #[test]
    fn makes_every_relative_url_absolute() {
        let h = r##"<a href="/atlas/faq/">x</a> <a href="#fn1">1</a> <img src="/a.png" alt=""> <a href="https://e.org/?a=1&amp;b=2">e</a> <a href="//cdn.example/x">c</a> <a href="../other/">o</a> <a href="child?q=1">q</a> <a href="mailto:a@b.c">m</a> <p>href="/text" stays</p>"##;
        let a = absolute_urls(h, "https://ex.org", "https://ex.org/atlas/p/c/");
        for want in [
            r#"href="https://ex.org/atlas/faq/""#,
            r##"href="https://ex.org/atlas/p/c/#fn1""##,
            r#"src="https://ex.org/a.png""#,
            r#"href="https://e.org/?a=1&amp;b=2""#,
            r#"href="https://cdn.example/x""#,
            r#"href="https://ex.org/atlas/p/other/""#,
            r#"href="https://ex.org/atlas/p/c/child?q=1""#,
            r#"href="mailto:a@b.c""#,
            r#"<p>href="/text" stays</p>"#,
        ] {
            assert!(a.contains(want), "{want} not in {a}");
        }
    }
}
