//! Fitting the headings of a rendered Markdown fragment under the heading the page puts above
//! it: the `nest` template filter. A section's text may use `#` to `######` however its source
//! did; placed under an `<h3>`, its headings must start at `<h4>` and never skip a level, or the
//! page's outline breaks (and the HTML checker reports it).

use std::borrow::Cow;
use std::collections::HashMap;

/// Renumbers the headings of `html` (sanitised HTML) so that the highest of them becomes
/// `<h{level}>`, the others keep their relative depth, and none is more than one level below
/// the heading before it (the first is at most `level`). Levels stop at 6. Everything but the
/// headings' tag names is copied as is.
pub fn nest_headings(html: &str, level: u8) -> Cow<'_, str> {
    let level = level.clamp(1, 6);
    if !may_have_headings(html) {
        return Cow::Borrowed(html);
    }
    let tags = heading_tags(html);
    let Some(top) = tags.iter().filter(|t| !t.closing).map(|t| t.level).min() else {
        return Cow::Borrowed(html);
    };
    let mut out = String::with_capacity(html.len());
    let mut copied = 0;
    let mut previous = level - 1;
    let mut current = level;
    let mut changed = false;
    for t in &tags {
        let new = if t.closing {
            current
        } else {
            let wanted = (t.level - top + level).min(previous + 1).clamp(level, 6);
            previous = wanted;
            current = wanted;
            wanted
        };
        if new != t.level {
            changed = true;
        }
        // The digit is the byte right after `<h` or `</h`.
        let digit = t.start + if t.closing { 3 } else { 2 };
        out.push_str(&html[copied..digit]);
        out.push(char::from(b'0' + new));
        copied = digit + 1;
    }
    if !changed {
        return Cow::Borrowed(html);
    }
    out.push_str(&html[copied..]);
    Cow::Owned(out)
}

/// Whether any `<` starts something that looks like a heading tag: most sections have none,
/// and this look is much quicker than parsing every tag.
fn may_have_headings(html: &str) -> bool {
    let b = html.as_bytes();
    memchr::memchr_iter(b'<', b).any(|lt| {
        let name = lt + if b.get(lt + 1) == Some(&b'/') { 2 } else { 1 };
        matches!(b.get(name), Some(b'h' | b'H')) && matches!(b.get(name + 1), Some(b'1'..=b'6'))
    })
}

struct HeadingTag {
    start: usize,
    level: u8,
    closing: bool,
}

/// The `<hN …>` and `</hN>` tags of `html`, skipping comments and quoted attribute values.
fn heading_tags(html: &str) -> Vec<HeadingTag> {
    let b = html.as_bytes();
    let mut tags = Vec::new();
    let mut i = 0;
    while let Some(k) = html[i..].find('<') {
        let lt = i + k;
        if html[lt..].starts_with("<!--") {
            i = html[lt..].find("-->").map_or(b.len(), |e| lt + e + 3);
            continue;
        }
        // The end of the tag: the first `>` outside quotes.
        let mut j = lt + 1;
        let mut quote = 0u8;
        while j < b.len() {
            match b[j] {
                q @ (b'"' | b'\'') if quote == 0 => quote = q,
                q if q == quote => quote = 0,
                b'>' if quote == 0 => break,
                _ => {}
            }
            j += 1;
        }
        let closing = b.get(lt + 1) == Some(&b'/');
        let name = lt + if closing { 2 } else { 1 };
        if matches!(b.get(name), Some(b'h' | b'H'))
            && matches!(b.get(name + 1), Some(b'1'..=b'6'))
            && matches!(b.get(name + 2), Some(c) if c.is_ascii_whitespace() || *c == b'>' || *c == b'/')
        {
            tags.push(HeadingTag {
                start: lt,
                level: b[name + 1] - b'0',
                closing,
            });
        }
        i = (j + 1).min(b.len());
    }
    tags
}

/// The `nest` filter: `{{ s.html | nest(level=4) | safe }}`.
pub struct NestFilter;

impl tera::Filter for NestFilter {
    fn filter(
        &self,
        value: &tera::Value,
        args: &HashMap<String, tera::Value>,
    ) -> tera::Result<tera::Value> {
        Ok(self
            .filter_or_same(value, args)?
            .unwrap_or_else(|| value.clone()))
    }

    /// Most texts have no headings to renumber: those are given back as they are, not copied
    /// (each version page passes its whole text through this filter twice).
    fn filter_or_same(
        &self,
        value: &tera::Value,
        args: &HashMap<String, tera::Value>,
    ) -> tera::Result<Option<tera::Value>> {
        let Some(html) = value.as_str() else {
            return Ok(None);
        };
        let level = args.get("level").and_then(|v| v.as_u64()).ok_or_else(|| {
            tera::Error::msg("the `nest` filter needs `level`, a number from 1 to 6")
        })?;
        Ok(match nest_headings(html, level.min(6) as u8) {
            std::borrow::Cow::Borrowed(_) => None,
            std::borrow::Cow::Owned(nested) => Some(tera::Value::String(nested)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::nest_headings;

    #[test]
    fn highest_heading_takes_the_level_and_depth_is_kept() {
        let html = "<h2 id=\"a\">A</h2><p>x</p><h3 id=\"b\">B</h3><h2>C</h2>";
        assert_eq!(
            nest_headings(html, 4),
            "<h4 id=\"a\">A</h4><p>x</p><h5 id=\"b\">B</h5><h4>C</h4>"
        );
    }

    #[test]
    fn no_level_is_skipped_and_levels_stop_at_six() {
        assert_eq!(
            nest_headings("<h1>A</h1><h4>B</h4><h6>C</h6>", 3),
            "<h3>A</h3><h4>B</h4><h5>C</h5>"
        );
        assert_eq!(
            nest_headings("<h1>A</h1><h2>B</h2><h3>C</h3>", 5),
            "<h5>A</h5><h6>B</h6><h6>C</h6>"
        );
        // A fragment that starts deep still starts at the level.
        assert_eq!(
            nest_headings("<h4>A</h4><h2>B</h2>", 3),
            "<h3>A</h3><h3>B</h3>"
        );
    }

    #[test]
    fn other_tags_text_and_quoted_values_are_untouched() {
        let html = "<p title=\"<h2>\">a &lt;h2&gt; b</p><!-- <h1> --><header>x</header><hr>";
        assert_eq!(nest_headings(html, 3), html);
        let html = "<h3>Same</h3>";
        assert!(matches!(
            nest_headings(html, 3),
            std::borrow::Cow::Borrowed(_)
        ));
    }
}
