//! Feeds of change records: RSS 2.0, Atom 1.0 and JSON Feed 1.1 at every scope.

use jiff::civil::Date;
use serde_json::json;

use crate::markdown::escape_html;
use crate::model::Site;
use crate::render::paths;
use crate::render::views::ChangeView;
use crate::render::Rendered;

/// One feed: a scope of the site and the records in it, newest first.
struct Scope {
    /// Site path of the scope's page, e.g. `/platforms/netflix/`.
    path: String,
    title: String,
    description: String,
    items: Vec<(usize, usize)>,
}

/// Writes the feeds of the site, every platform, document and topic.
pub fn write_all(
    site: &Site,
    newest: &[(usize, usize)],
    views: &[Vec<ChangeView>],
    out: &mut Rendered,
) {
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
    for (pi, p) in site.platforms.iter().enumerate() {
        scopes.push(Scope {
            path: paths::platform(&p.slug),
            title: format!("{}: {}", cfg.title, p.name),
            description: format!("Changes to {}'s documents", p.name),
            items: newest
                .iter()
                .copied()
                .filter(|&(x, _)| x == pi)
                .take(limit)
                .collect(),
        });
        for d in &p.documents {
            scopes.push(Scope {
                path: paths::document(&p.slug, &d.id),
                title: format!("{}: {} {}", cfg.title, p.name, d.title),
                description: format!("Changes to {}'s {}", p.name, d.title),
                items: newest
                    .iter()
                    .copied()
                    .filter(|&(x, c)| x == pi && p.changes[c].document == d.id)
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
    for scope in &scopes {
        let items: Vec<Item> = scope
            .items
            .iter()
            .map(|&(p, c)| {
                let record = &site.platforms[p].changes[c];
                Item {
                    view: &views[p][c],
                    date: record.date,
                    content: absolute_html(&record.body_html, &cfg.origin, &views[p][c].permalink),
                }
            })
            .collect();
        let base = scope.path.trim_start_matches('/');
        out.insert(
            format!("{base}rss.xml"),
            rss(site, scope, &items).into_bytes(),
        );
        out.insert(
            format!("{base}atom.xml"),
            atom(site, scope, &items).into_bytes(),
        );
        out.insert(
            format!("{base}feed.json"),
            json_feed(site, scope, &items).into_bytes(),
        );
    }
}

struct Item<'a> {
    view: &'a ChangeView,
    date: Date,
    content: String,
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

/// Makes root-relative and fragment-only URLs in HTML absolute, as feed readers need.
pub fn absolute_html(html: &str, origin: &str, permalink: &str) -> String {
    let mut s = String::with_capacity(html.len() + 64);
    let mut rest = html;
    while let Some(i) = rest.find(['h', 's']) {
        let (before, after) = rest.split_at(i);
        s.push_str(before);
        let attr = if after.starts_with("href=\"") {
            6
        } else if after.starts_with("src=\"") {
            5
        } else {
            s.push_str(&after[..1]);
            rest = &after[1..];
            continue;
        };
        s.push_str(&after[..attr]);
        let value = &after[attr..];
        if value.starts_with('/') && !value.starts_with("//") {
            s.push_str(origin);
        } else if value.starts_with('#') {
            s.push_str(permalink);
        }
        rest = value;
    }
    s.push_str(rest);
    s
}

fn rss(site: &Site, scope: &Scope, items: &[Item<'_>]) -> String {
    let cfg = &site.config;
    let link = cfg.permalink(&scope.path);
    let self_url = cfg.permalink(&format!("{}rss.xml", scope.path));
    let mut x = String::with_capacity(4096);
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:atom=\"http://www.w3.org/2005/Atom\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n<channel>\n");
    x.push_str(&format!("<title>{}</title>\n<link>{}</link>\n<description>{}</description>\n<language>{}</language>\n", esc(&scope.title), esc(&link), esc(&scope.description), esc(&cfg.language)));
    x.push_str(&format!(
        "<atom:link href=\"{}\" rel=\"self\" type=\"application/rss+xml\"/>\n",
        esc(&self_url)
    ));
    x.push_str(&format!("<lastBuildDate>{}</lastBuildDate>\n<dc:creator>{}</dc:creator>\n<generator>termtrail</generator>\n", rfc822(updated(items)), esc(&cfg.author)));
    for i in items {
        let v = i.view;
        x.push_str("<item>\n");
        x.push_str(&format!("<title>{}</title>\n<link>{}</link>\n<guid isPermaLink=\"true\">{}</guid>\n<pubDate>{}</pubDate>\n", esc(&v.full_title), esc(&v.permalink), esc(&v.permalink), rfc822(i.date)));
        x.push_str(&format!("<dc:creator>{}</dc:creator>\n", esc(&cfg.author)));
        let body = format!(
            "<p><strong>{}</strong></p>{}",
            escape_html(&v.summary),
            i.content
        );
        x.push_str(&format!("<description>{}</description>\n", esc(&body)));
        for t in &v.topics {
            x.push_str(&format!("<category>{}</category>\n", esc(&t.title)));
        }
        x.push_str(&format!(
            "<category domain=\"{}\">{}</category>\n",
            esc(&cfg.permalink(&paths::platform(&v.platform.slug))),
            esc(&v.platform.title)
        ));
        x.push_str(&format!(
            "<category domain=\"{}\">{}</category>\n",
            esc(&cfg.permalink(&paths::document(&v.platform.slug, &v.document.slug))),
            esc(&v.document.title)
        ));
        x.push_str("</item>\n");
    }
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
    for i in items {
        let v = i.view;
        x.push_str("<entry>\n");
        x.push_str(&format!("<title>{}</title>\n<link href=\"{}\" rel=\"alternate\" type=\"text/html\"/>\n<id>{}</id>\n", esc(&v.full_title), esc(&v.permalink), esc(&v.permalink)));
        x.push_str(&format!(
            "<published>{0}</published>\n<updated>{0}</updated>\n",
            rfc3339(i.date)
        ));
        x.push_str(&format!(
            "<summary>{}</summary>\n<content type=\"html\">{}</content>\n",
            esc(&v.summary),
            esc(&i.content)
        ));
        for t in &v.topics {
            x.push_str(&format!(
                "<category term=\"{}\" label=\"{}\"/>\n",
                esc(&t.slug),
                esc(&t.title)
            ));
        }
        x.push_str(&format!(
            "<category term=\"platform:{}\" label=\"{}\"/>\n",
            esc(&v.platform.slug),
            esc(&v.platform.title)
        ));
        x.push_str(&format!(
            "<category term=\"document:{}\" label=\"{}\"/>\n",
            esc(&v.document.slug),
            esc(&v.document.title)
        ));
        x.push_str("</entry>\n");
    }
    x.push_str("</feed>\n");
    x
}

fn json_feed(site: &Site, scope: &Scope, items: &[Item<'_>]) -> String {
    let cfg = &site.config;
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|i| {
            let v = i.view;
            let mut tags: Vec<&str> = v.topics.iter().map(|t| t.title.as_str()).collect();
            tags.push(&v.platform.title);
            json!({
                "id": v.permalink, "url": v.permalink, "title": v.full_title, "summary": v.summary,
                "content_html": i.content, "date_published": rfc3339(i.date), "tags": tags,
                "_termtrail": {"platform": v.platform.slug, "document": v.document.slug, "impact": v.impact, "topics": v.topics.iter().map(|t| &t.slug).collect::<Vec<_>>()}
            })
        })
        .collect();
    let feed = json!({
        "version": "https://jsonfeed.org/version/1.1",
        "title": scope.title,
        "home_page_url": cfg.permalink(&scope.path),
        "feed_url": cfg.permalink(&format!("{}feed.json", scope.path)),
        "description": scope.description,
        "language": cfg.language,
        "authors": [{"name": cfg.author}],
        "items": items,
    });
    let mut s = serde_json::to_string_pretty(&feed).unwrap_or_default();
    s.push('\n');
    s
}

/// XML escaping for text and attribute values; drops characters XML 1.0 forbids.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_urls_absolute() {
        let h = absolute_html("<a href=\"/atlas/faq/\">x</a> <a href=\"#fn1\">1</a> <img src=\"/a.png\"> <a href=\"https://e.org/\">e</a> <a href=\"//cdn\">c</a>", "https://ex.org", "https://ex.org/atlas/p/");
        assert!(h.contains("href=\"https://ex.org/atlas/faq/\""), "{h}");
        assert!(h.contains("href=\"https://ex.org/atlas/p/#fn1\""), "{h}");
        assert!(h.contains("src=\"https://ex.org/a.png\""), "{h}");
        assert!(h.contains("href=\"https://e.org/\""));
        assert!(h.contains("href=\"//cdn\""));
    }

    #[test]
    fn rfc_dates() {
        let d = jiff::civil::date(2026, 1, 15);
        assert_eq!(rfc822(d), "Thu, 15 Jan 2026 00:00:00 +0000");
        assert_eq!(rfc3339(d), "2026-01-15T00:00:00Z");
    }
}
