//! The site's data files: the JSON API, the sitemap and the search index.

use serde_json::json;

use crate::derive::comparison::shorten;
use crate::derive::Derived;
use crate::markdown::plain_text;
use crate::model::Site;
use crate::render::paths;
use crate::render::views::ChangeView;
use crate::render::Rendered;

fn pretty(v: &serde_json::Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s.into_bytes()
}

/// `api/changes.json` and `api/platforms.json` (docs/api.md documents every field).
pub fn write_api(site: &Site, derived: &Derived, views: &[Vec<ChangeView>], out: &mut Rendered) {
    let cfg = &site.config;
    let mut keyed = Vec::new();
    for (pi, p) in site.platforms.iter().enumerate() {
        for (ci, c) in p.changes.iter().enumerate() {
            let v = &views[pi][ci];
            let version_url = |d: Option<jiff::civil::Date>| {
                d.map(|d| cfg.permalink(&paths::version(&p.slug, &c.document, d)))
            };
            let value = json!({
                "id": v.permalink, "url": v.permalink, "date": c.date.to_string(), "title": c.title, "summary": c.summary,
                "platform": p.slug, "platform_name": p.name, "platform_url": cfg.permalink(&paths::platform(&p.slug)),
                "document": c.document, "document_title": v.document.title, "document_url": cfg.permalink(&paths::document(&p.slug, &c.document)),
                "topics": c.topics, "impact": c.impact.as_str(), "from": v.from, "to": v.to,
                "from_url": version_url(c.from), "to_url": version_url(c.to),
                "stats": derived.changes[pi][ci].as_ref().map(|d| d.stats), "formatting_only": v.formatting_only,
            });
            keyed.push(((c.date, &c.key, &p.slug), value));
        }
    }
    // The feeds' order: newest first, by date, then slug, then platform.
    keyed.sort_by(|a, b| b.0.cmp(&a.0));
    let changes: Vec<serde_json::Value> = keyed.into_iter().map(|(_, v)| v).collect();
    out.insert(
        "api/changes.json".into(),
        pretty(&json!({"version": 1, "site": cfg.base_url, "changes": changes})),
    );

    let platforms: Vec<serde_json::Value> = site
        .platforms
        .iter()
        .enumerate()
        .map(|(pi, p)| {
            let documents: Vec<serde_json::Value> = p
                .documents
                .iter()
                .enumerate()
                .map(|(di, d)| {
                    let versions: Vec<serde_json::Value> = d
                        .snapshots
                        .iter()
                        .enumerate()
                        .map(|(si, s)| {
                            let diff = derived.versions[pi][di][si].as_ref();
                            json!({"date": s.date.to_string(), "url": cfg.permalink(&paths::version(&p.slug, &d.id, s.date)), "sections": s.sections.len(),
                                   "stats": diff.map(|x| x.stats), "formatting_only": diff.is_some_and(|x| x.formatting_only)})
                        })
                        .collect();
                    json!({"id": d.id, "title": d.title, "url": cfg.permalink(&paths::document(&p.slug, &d.id)), "source_url": d.url,
                           "current": d.current().map(|s| s.date.to_string()), "versions": versions})
                })
                .collect();
            json!({"slug": p.slug, "name": p.name, "url": cfg.permalink(&paths::platform(&p.slug)), "website": p.url, "category": p.category,
                   "changes": p.changes.len(), "documents": documents})
        })
        .collect();
    out.insert(
        "api/platforms.json".into(),
        pretty(&json!({"version": 1, "site": cfg.base_url, "platforms": platforms})),
    );
}

/// `sitemap.xml`: every HTML page but the 404.
pub fn write_sitemap(site: &Site, out: &mut Rendered) {
    let cfg = &site.config;
    let mut x = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for file in out.keys().filter(|k| k.ends_with("index.html")) {
        let path = format!("/{}", file.trim_end_matches("index.html"));
        x.push_str(&format!(
            "<url><loc>{}</loc></url>\n",
            crate::markdown::escape_html(&cfg.permalink(&path))
        ));
    }
    x.push_str("</urlset>\n");
    out.insert("sitemap.xml".into(), x.into_bytes());
}

/// `search-index.json`: platforms, topics, FAQ entries, change records and every section of
/// every current document, for the search page's script (`assets/search.js`). One object an
/// entry, with short keys to keep it small: `k` kind (`platform`, `topic`, `faq`, `change`,
/// `section`), `t` title, `u` URL (a section's is its anchor on the document page), `c` context
/// (platform and document), `x` text to search and quote (a section's plain text, at most
/// `SEARCH_TEXT` characters), `g` the titles of its topics (so "ai" finds what is tagged "AI
/// training"), `d` date. Empty fields are left out.
pub fn write_search_index(site: &Site, out: &mut Rendered) {
    const SEARCH_TEXT: usize = 2400;
    let cfg = &site.config;
    let topic_titles = |slugs: &[String]| -> Option<String> {
        let titles: Vec<&str> = slugs
            .iter()
            .filter_map(|s| site.topics.iter().find(|t| &t.slug == s))
            .map(|t| t.title.as_str())
            .collect();
        (!titles.is_empty()).then(|| titles.join(" · "))
    };
    let mut entries = Vec::new();
    for p in &site.platforms {
        let documents: Vec<&str> = p.documents.iter().map(|d| d.title.as_str()).collect();
        let about = match &p.category {
            Some(c) => format!("{c} · {}", documents.join(" · ")),
            None => documents.join(" · "),
        };
        entries.push(json!({"k": "platform", "t": p.name, "u": cfg.url(&paths::platform(&p.slug)), "x": about}));
        for d in &p.documents {
            let Some(cur) = d.current() else { continue };
            for s in &cur.sections {
                let (text, _) = shorten(&plain_text(&s.text), SEARCH_TEXT);
                entries.push(json!({"k": "section", "t": s.label(), "c": format!("{} · {}", p.name, d.title),
                                    "u": cfg.url(&format!("{}#{}", paths::document(&p.slug, &d.id), s.anchor)), "x": text, "g": topic_titles(&s.topics)}));
            }
        }
        for c in &p.changes {
            let document = p
                .documents
                .iter()
                .find(|d| d.id == c.document)
                .map_or(c.document.as_str(), |d| d.title.as_str());
            entries.push(json!({"k": "change", "t": c.title, "c": format!("{} · {document}", p.name),
                                "u": cfg.url(&paths::change(&p.slug, &c.key)), "x": c.summary, "g": topic_titles(&c.topics), "d": c.date.to_string()}));
        }
    }
    for t in &site.topics {
        entries.push(json!({"k": "topic", "t": t.title, "u": cfg.url(&paths::topic(&t.slug)), "x": t.question}));
    }
    for f in &site.faq {
        let (text, _) = shorten(&f.answer_text, SEARCH_TEXT);
        entries.push(json!({"k": "faq", "t": f.question, "u": cfg.url(&format!("/faq/#{}", f.slug)), "x": text}));
    }
    for e in &mut entries {
        if let Some(o) = e.as_object_mut() {
            o.retain(|_, v| !v.is_null());
        }
    }
    out.insert(
        "search-index.json".into(),
        serde_json::to_vec(&entries).unwrap_or_default(),
    );
}
