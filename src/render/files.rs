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

/// `api/changes.json` and `api/platforms.json` (the README documents their fields).
pub fn write_api(site: &Site, derived: &Derived, views: &[Vec<ChangeView>], out: &mut Rendered) {
    let cfg = &site.config;
    let mut changes = Vec::new();
    for (pi, p) in site.platforms.iter().enumerate() {
        for (ci, c) in p.changes.iter().enumerate() {
            let v = &views[pi][ci];
            changes.push(json!({
                "id": v.permalink, "url": v.permalink, "date": c.date.to_string(), "title": c.title, "summary": c.summary,
                "platform": p.slug, "platform_name": p.name, "document": c.document, "document_title": v.document.title,
                "topics": c.topics, "impact": c.impact.as_str(), "from": v.from, "to": v.to,
                "stats": derived.changes[pi][ci].as_ref().map(|d| d.stats), "formatting_only": v.formatting_only,
            }));
        }
    }
    changes.sort_by(|a, b| {
        (b["date"].as_str(), b["url"].as_str()).cmp(&(a["date"].as_str(), a["url"].as_str()))
    });
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

/// `search-index.json`: platforms, topics, change records and every current section, for the
/// search page's script. Short fields keep it small.
pub fn write_search_index(site: &Site, out: &mut Rendered) {
    let cfg = &site.config;
    let mut entries = Vec::new();
    for p in &site.platforms {
        entries.push(json!({"k": "platform", "t": p.name, "u": cfg.url(&paths::platform(&p.slug)), "x": p.category}));
        for d in &p.documents {
            let Some(cur) = d.current() else { continue };
            for s in &cur.sections {
                let (text, _) = shorten(&plain_text(&s.text), 600);
                entries.push(json!({"k": "section", "t": format!("{} {}: {}", p.name, d.title, s.label()), "u": cfg.url(&format!("{}#{}", paths::document(&p.slug, &d.id), s.anchor)), "x": text}));
            }
        }
        for c in &p.changes {
            entries.push(json!({"k": "change", "t": format!("{}: {}", p.name, c.title), "u": cfg.url(&paths::change(&p.slug, &c.key)), "x": c.summary, "d": c.date.to_string()}));
        }
    }
    for t in &site.topics {
        entries.push(json!({"k": "topic", "t": t.title, "u": cfg.url(&paths::topic(&t.slug)), "x": t.question}));
    }
    out.insert(
        "search-index.json".into(),
        serde_json::to_vec(&entries).unwrap_or_default(),
    );
}
