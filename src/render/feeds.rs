//! Feeds of change records: RSS 2.0, Atom 1.0 and JSON Feed 1.1 at every scope.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, OnceLock};

use jiff::civil::Date;
use rayon::prelude::*;
use serde_json::json;

use crate::markdown::{bytes_below, bytes_equal, replace_all};
use crate::model::Site;
use crate::render::paths;
use crate::render::rewrite::absolute_urls;
use crate::render::views::ChangeView;
use crate::render::{RenderCache, Rendered};

/// One feed: a scope of the site and the records in it, newest first.
struct Scope {
    /// Site path of the scope's page, e.g. `/platforms/netflix/`.
    path: String,
    title: String,
    description: String,
    items: Vec<(usize, usize)>,
}

/// Writes the feeds of the site, every platform, document and topic, and returns the paths of
/// those the cache says are unchanged (left out of `out`).
pub fn write_all(
    site: &Site,
    newest: &[(usize, usize)],
    views: &[Vec<Arc<ChangeView>>],
    cache: Option<&dyn RenderCache>,
    out: &mut Rendered,
) -> Vec<String> {
    let cfg = &site.config;
    let limit = cfg.feed_limit;
    let mut scopes = vec![Scope {
        path: "/".into(),
        title: cfg.title.clone(),
        description: if cfg.description.is_empty() {
            format!("Changes recorded by {}", cfg.title)
        } else {
            cfg.description.clone()
        },
        items: newest.iter().copied().take(limit).collect(),
    }];
    // Each platform's records, newest first, sorted out in one pass (not one per platform).
    let mut by_platform: Vec<Vec<(usize, usize)>> = vec![Vec::new(); site.platforms.len()];
    for &(p, c) in newest {
        by_platform[p].push((p, c));
    }
    for (pi, p) in site.platforms.iter().enumerate() {
        let own = &by_platform[pi];
        scopes.push(Scope {
            path: paths::platform(&p.slug),
            title: format!("{}: {}", cfg.title, p.name),
            description: format!("Changes to {}'s documents", p.name),
            items: own.iter().copied().take(limit).collect(),
        });
        for d in &p.documents {
            scopes.push(Scope {
                path: paths::document(&p.slug, &d.id),
                title: format!("{}: {} {}", cfg.title, p.name, d.title),
                description: format!("Changes to {}'s {}", p.name, d.title),
                items: own
                    .iter()
                    .copied()
                    .filter(|&(_, c)| p.changes[c].document == d.id)
                    .take(limit)
                    .collect(),
            });
        }
    }
    for t in &site.topics {
        scopes.push(Scope {
            path: paths::topic(&t.slug),
            title: format!("{}: {}", cfg.title, t.title),
            description: format!("Changes tagged “{}”", t.title),
            items: newest
                .iter()
                .copied()
                .filter(|&(p, c)| site.platforms[p].changes[c].topics.contains(&t.slug))
                .take(limit)
                .collect(),
        });
    }
    // A record's content is made once, however many scopes list it.
    let contents: Vec<Vec<OnceLock<Content>>> = site
        .platforms
        .iter()
        .map(|p| p.changes.iter().map(|_| OnceLock::new()).collect())
        .collect();
    let content = |p: usize, c: usize| {
        contents[p][c].get_or_init(|| {
            let html = absolute_urls(
                &site.platforms[p].changes[c].body_html,
                &cfg.origin,
                &views[p][c].permalink,
            );
            Content {
                xml: esc(&html),
                html,
                rss: OnceLock::new(),
                atom: OnceLock::new(),
                json: OnceLock::new(),
            }
        })
    };
    // Scopes are independent: rendered in parallel, inserted in order. `Err` holds the names
    // of a scope's feeds that the cache still has.
    let rendered: Vec<Result<[(String, String); 3], [String; 3]>> = scopes
        .par_iter()
        .map(|scope| {
            let base = scope.path.trim_start_matches('/');
            let names = [
                format!("{base}rss.xml"),
                format!("{base}atom.xml"),
                format!("{base}feed.json"),
            ];
            let key = scope_key(cache, scope);
            if let (Some(c), Some(k)) = (cache, key) {
                if names.iter().all(|n| c.reuse_file(n, k)) {
                    return Err(names);
                }
            }
            let items: Vec<Item> = scope
                .items
                .iter()
                .map(|&(p, c)| Item {
                    view: &views[p][c],
                    date: site.platforms[p].changes[c].date,
                    content: content(p, c),
                })
                .collect();
            let [rss_name, atom_name, json_name] = names;
            if let (Some(c), Some(k)) = (cache, key) {
                for n in [&rss_name, &atom_name, &json_name] {
                    c.made_file(n, k);
                }
            }
            Ok([
                (rss_name, rss(site, scope, &items)),
                (atom_name, atom(site, scope, &items)),
                (json_name, json_feed(site, scope, &items)),
            ])
        })
        .collect();
    let mut reused = Vec::new();
    for r in rendered {
        match r {
            Ok(files) => {
                for (path, text) in files {
                    out.insert(path, text.into_bytes());
                }
            }
            Err(names) => reused.extend(names),
        }
    }
    reused
}

/// The fingerprint of a scope's feeds: the scope and the fingerprints of its records, in order.
fn scope_key(cache: Option<&dyn RenderCache>, scope: &Scope) -> Option<u64> {
    let c = cache?;
    let mut h = DefaultHasher::new();
    (&scope.path, &scope.title, &scope.description).hash(&mut h);
    for &(p, i) in &scope.items {
        c.change_fingerprint(p, i)?.hash(&mut h);
    }
    Some(h.finish())
}

/// A record's content with absolute URLs, as HTML and escaped for XML, and its item in each
/// format: a record is listed in the feeds of the site, its platform, its document and each of
/// its topics, and its item is the same in all of them.
struct Content {
    html: String,
    xml: String,
    rss: OnceLock<String>,
    atom: OnceLock<String>,
    json: OnceLock<String>,
}

struct Item<'a> {
    view: &'a ChangeView,
    date: Date,
    content: &'a Content,
}

/// The newest item's date, or a fixed date for an empty feed, so builds stay byte-identical.
fn updated(items: &[Item<'_>]) -> Date {
    items
        .first()
        .map(|i| i.date)
        .unwrap_or(jiff::civil::date(1970, 1, 1))
}

fn rfc822(d: Date) -> String {
    d.strftime("%a, %d %b %Y 00:00:00 +0000").to_string()
}

fn rfc3339(d: Date) -> String {
    format!("{d}T00:00:00Z")
}

fn rss(site: &Site, scope: &Scope, items: &[Item<'_>]) -> String {
    let cfg = &site.config;
    let link = cfg.permalink(&scope.path);
    let self_url = cfg.permalink(&format!("{}rss.xml", scope.path));
    let mut x = String::with_capacity(4096);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
    x.push_str(&format!("<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>{}</language>\n", esc(&scope.title), esc(&link), esc(&scope.description), esc(&cfg.language)));
    x.push_str(&format!(
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        esc(&self_url)
    ));
    x.push_str(&format!("<lastBuildDate>{}</lastBuildDate>\n<dc:creator>{}</dc:creator>\n<generator>termtrail</generator>\n", rfc822(updated(items)), esc(&cfg.author)));
    let made = items
        .iter()
        .map(|i| i.content.rss.get_or_init(|| rss_item(site, i)));
    push_all(&mut x, made);
    x.push_str("</channel>\n</rss>\n");
    x
}

fn atom(site: &Site, scope: &Scope, items: &[Item<'_>]) -> String {
    let cfg = &site.config;
    let link = cfg.permalink(&scope.path);
    let self_url = cfg.permalink(&format!("{}atom.xml", scope.path));
    let mut x = String::with_capacity(4096);
    x.push_str(&format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n", esc(&cfg.language)));
    x.push_str(&format!(
        "<title>{}</title>\n<subtitle>{}</subtitle>\n",
        esc(&scope.title),
        esc(&scope.description)
    ));
    x.push_str(&format!("<link href=\"{}\" rel=\"self\" type=\"application/atom+xml\"/>\n<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n", esc(&self_url), esc(&link)));
    x.push_str(&format!("<id>{}</id>\n<updated>{}</updated>\n<author><name>{}</name></author>\n<generator>termtrail</generator>\n", esc(&link), rfc3339(updated(items)), esc(&cfg.author)));
    push_all(
        &mut x,
        items
            .iter()
            .map(|i| i.content.atom.get_or_init(|| atom_entry(site, i))),
    );
    x.push_str("</feed>\n");
    x
}

/// Appends `parts`, making room for all of them at once: a feed is mostly its items, and
/// growing it item by item copied it over and over.
fn push_all<'a>(x: &mut String, parts: impl Iterator<Item = &'a String>) {
    let parts: Vec<&String> = parts.collect();
    x.reserve(parts.iter().map(|p| p.len()).sum::<usize>() + 64);
    for p in parts {
        x.push_str(p);
    }
}

/// One record's `<item>`.
fn rss_item(site: &Site, i: &Item<'_>) -> String {
    let cfg = &site.config;
    let v = i.view;
    let mut x = String::with_capacity(1024 + i.content.xml.len());
    x.push_str("<item>\n");
    x.push_str(&format!("<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"true\">{}</guid>\n<pubDate>{}</pubDate>\n", esc(&v.full_title), esc(&v.permalink), esc(&v.permalink), rfc822(i.date)));
    x.push_str(&format!("<dc:creator>{}</dc:creator>\n", esc(&cfg.author)));
    x.push_str(&format!(
        "<description>{}</description>\n<content:encoded>{}</content:encoded>\n",
        // Readers take an RSS description for HTML: the plain-text summary is escaped for
        // HTML first, so that `<b>` in it stays text.
        esc(&crate::markdown::escape_html(&v.summary)),
        i.content.xml
    ));
    let topics = esc(&cfg.permalink(&paths::topics()));
    for t in &v.topics {
        x.push_str(&format!(
            "<category domain=\"{topics}\">{}</category>\n",
            esc(&t.title)
        ));
    }
    x.push_str(&format!(
        "<category domain=\"{}\">{}</category>\n",
        esc(&cfg.permalink(&paths::platforms())),
        esc(&v.platform.title)
    ));
    x.push_str(&format!(
        "<category domain=\"{}\">{}</category>\n",
        esc(&cfg.permalink(&paths::platform(&v.platform.slug))),
        esc(&v.document.title)
    ));
    x.push_str("</item>\n");
    x
}

/// One record's `<entry>`.
fn atom_entry(site: &Site, i: &Item<'_>) -> String {
    let cfg = &site.config;
    let v = i.view;
    let mut x = String::with_capacity(1024 + i.content.xml.len());
    x.push_str("<entry>\n");
    x.push_str(&format!("<title>{}</title>\n<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n<id>{}</id>\n", esc(&v.full_title), esc(&v.permalink), esc(&v.permalink)));
    x.push_str(&format!(
        "<published>{0}</published>\n<updated>{0}</updated>\n",
        rfc3339(i.date)
    ));
    x.push_str(&format!(
        "<summary>{}</summary>\n<content type=\"html\">{}</content>\n",
        esc(&v.summary),
        i.content.xml
    ));
    // Topics, the platform and the document, each in its own scheme: the page listing them.
    let topics = esc(&cfg.permalink(&paths::topics()));
    for t in &v.topics {
        x.push_str(&format!(
            "<category term=\"{}\" scheme=\"{topics}\" label=\"{}\"/>\n",
            esc(&t.slug),
            esc(&t.title)
        ));
    }
    x.push_str(&format!(
        "<category term=\"{}\" scheme=\"{}\" label=\"{}\"/>\n",
        esc(&v.platform.slug),
        esc(&cfg.permalink(&paths::platforms())),
        esc(&v.platform.title)
    ));
    x.push_str(&format!(
        "<category term=\"{}\" scheme=\"{}\" label=\"{}\"/>\n",
        esc(&v.document.slug),
        esc(&cfg.permalink(&paths::platform(&v.platform.slug))),
        esc(&v.document.title)
    ));
    x.push_str("</entry>\n");
    x
}

fn json_feed(site: &Site, scope: &Scope, items: &[Item<'_>]) -> String {
    let cfg = &site.config;
    // Written field by field, in the order and the layout `serde_json::to_string_pretty` gives
    // the whole object (keys sorted), so that each item is made once and copied.
    let text = |v: &str| serde_json::to_string(v).unwrap_or_default();
    let mut s = String::with_capacity(4096);
    s.push_str("{\n  \"authors\": ");
    s.push_str(&pretty_at(&json!([{ "name": cfg.author }]), 2));
    s.push_str(",\n  \"description\": ");
    s.push_str(&text(&scope.description));
    s.push_str(",\n  \"feed_url\": ");
    s.push_str(&text(&cfg.permalink(&format!("{}feed.json", scope.path))));
    s.push_str(",\n  \"home_page_url\": ");
    s.push_str(&text(&cfg.permalink(&scope.path)));
    s.push_str(",\n  \"items\": [");
    let made: Vec<&String> = items
        .iter()
        .map(|i| i.content.json.get_or_init(|| json_item(i)))
        .collect();
    s.reserve(made.iter().map(|m| m.len() + 6).sum::<usize>() + 256);
    for (n, m) in made.into_iter().enumerate() {
        s.push_str(if n == 0 { "\n    " } else { ",\n    " });
        s.push_str(m);
    }
    if !items.is_empty() {
        s.push_str("\n  ");
    }
    s.push_str("],\n  \"language\": ");
    s.push_str(&text(&cfg.language));
    s.push_str(",\n  \"title\": ");
    s.push_str(&text(&scope.title));
    s.push_str(",\n  \"version\": \"https://jsonfeed.org/version/1.1\"\n}\n");
    s
}

/// One record's item, laid out for its place in the feed's `items`.
fn json_item(i: &Item<'_>) -> String {
    let v = i.view;
    let mut tags: Vec<&str> = v.topics.iter().map(|t| t.title.as_str()).collect();
    tags.push(&v.platform.title);
    let item = json!({
        "id": v.permalink, "url": v.permalink, "title": v.full_title, "summary": v.summary,
        "content_html": i.content.html, "date_published": rfc3339(i.date), "tags": tags,
        "_termtrail": {"platform": v.platform.slug, "platform_name": v.platform.title, "document": v.document.slug, "document_title": v.document.title,
                       "impact": v.impact, "topics": v.topics.iter().map(|t| &t.slug).collect::<Vec<_>>()}
    });
    pretty_at(&item, 4)
}

/// `value` as `to_string_pretty` writes it `indent` spaces deep: its lines after the first
/// indented. (A JSON string holds no raw line break, so every line break is the layout's.)
fn pretty_at(value: &serde_json::Value, indent: usize) -> String {
    let pretty = serde_json::to_string_pretty(value).unwrap_or_default();
    pretty.replace('\n', &format!("\n{}", " ".repeat(indent)))
}

/// XML escaping for text and attribute values; drops characters XML 1.0 forbids. Only ASCII
/// and U+FFFE/U+FFFF (bytes EF BF BE/BF) need a look.
fn esc(s: &str) -> String {
    let may_hit = |w| {
        bytes_equal(w, b'&')
            | bytes_equal(w, b'<')
            | bytes_equal(w, b'>')
            | bytes_equal(w, b'"')
            | bytes_equal(w, b'\'')
            | bytes_below(w, 0x20)
            | bytes_equal(w, 0xef)
    };
    replace_all(s, may_hit, |b, i| match b[i] {
        b'&' => Some(("&amp;", 1)),
        b'<' => Some(("&lt;", 1)),
        b'>' => Some(("&gt;", 1)),
        b'"' => Some(("&quot;", 1)),
        b'\'' => Some(("&apos;", 1)),
        b'\t' | b'\n' | b'\r' => None,
        // Not allowed in XML: dropped.
        0..=0x1f => Some(("", 1)),
        0xef if b.get(i + 1) == Some(&0xbf) && matches!(b.get(i + 2), Some(0xbe | 0xbf)) => {
            Some(("", 3))
        }
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `esc` does, character by character.
    fn esc_by_char(s: &str) -> String {
        let mut out = String::new();
        for c in s.chars() {
            match c {
                '&' => out.push_str("&amp;"),
                '<' => out.push_str("&lt;"),
                '>' => out.push_str("&gt;"),
                '"' => out.push_str("&quot;"),
                '\'' => out.push_str("&apos;"),
                '\t' | '\n' | '\r' => out.push(c),
                c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
                c => out.push(c),
            }
        }
        out
    }

    #[test]
    fn xml_escaping_drops_what_xml_forbids() {
        for s in [
            "",
            "plain",
            "a & b < c > d \" e ' f",
            "\u{1}bell\u{7}\ttab\nline\r",
            "\u{FFFE}\u{FFFF}\u{FFFD}\u{EFBF}é€𝄞",
            "ends with \u{FFFF}",
        ] {
            assert_eq!(esc(s), esc_by_char(s), "{s:?}");
        }
        assert_eq!(esc("\u{FFFE}x\u{1}&"), "x&amp;");
    }

    proptest::proptest! {
        #[test]
        fn xml_escaping_is_the_character_rule(s in "(.|[\u{0}-\u{1f}\u{fffe}\u{ffff}&<>\"'])*") {
            proptest::prop_assert_eq!(esc(&s), esc_by_char(&s));
        }
    }

    #[test]
    fn rfc_dates() {
        let d = jiff::civil::date(2026, 1, 15);
        assert_eq!(rfc822(d), "Thu, 15 Jan 2026 00:00:00 +0000");
        assert_eq!(rfc3339(d), "2026-01-15T00:00:00Z");
    }
}
