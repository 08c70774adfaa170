//! The site's data files: the JSON API, the sitemap and the search index.

use std::sync::Arc;

use rayon::prelude::*;
use serde_json::json;

use crate::derive::comparison::{shorten, shortened_plain_text};
use crate::derive::Derived;
use crate::model::Site;
use crate::render::paths;
use crate::render::views::ChangeView;
use crate::render::{fragment, RenderCache, Rendered};

/// `top` pretty-printed with its empty array `field` filled with `elements`, each made by
/// [`pretty_element`]: byte for byte what serde_json prints for the whole value, but the
/// elements can be made (and kept) one by one.
fn pretty_with_array(top: &serde_json::Value, field: &str, elements: &[Arc<str>]) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(top).unwrap_or_default();
    if !elements.is_empty() {
        // Quotes inside JSON strings are escaped: only the field itself can match.
        let empty = format!("\n  \"{field}\": []");
        if let Some(at) = s.find(&empty) {
            let size: usize = elements.iter().map(|e| e.len() + 2).sum();
            let mut filled = String::with_capacity(s.len() + size + field.len() + 16);
            filled.push_str(&s[..at]);
            filled.push_str(&format!("\n  \"{field}\": [\n"));
            for (i, e) in elements.iter().enumerate() {
                if i > 0 {
                    filled.push_str(",\n");
                }
                filled.push_str(e);
            }
            filled.push_str("\n  ]");
            filled.push_str(&s[at + empty.len()..]);
            s = filled;
        }
    }
    s.push('\n');
    s.into_bytes()
}

/// An element of a top-level object's array, pretty-printed at its depth (two levels).
fn pretty_element(v: &serde_json::Value) -> String {
    let s = serde_json::to_string_pretty(v).unwrap_or_default();
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    // A JSON text breaks lines only between tokens (newlines in strings are escaped).
    for (i, line) in s.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str("    ");
        out.push_str(line);
    }
    out
}

/// `api/changes.json` and `api/platforms.json` (docs/api.md documents every field).
pub fn write_api(
    site: &Site,
    derived: &Derived,
    views: &[Vec<Arc<ChangeView>>],
    newest: &[(usize, usize)],
    cache: Option<&dyn RenderCache>,
    out: &mut Rendered,
) {
    let cfg = &site.config;
    // The feeds' order: newest first.
    let changes: Vec<Arc<str>> = newest
        .iter()
        .map(|&(pi, ci)| {
            let p = &site.platforms[pi];
            let c = &p.changes[ci];
            let key = cache
                .and_then(|x| x.change_fingerprint(pi, ci))
                .map(|k| hash_of(&("api/changes.json", k)));
            fragment(cache, key, || {
                let v = &views[pi][ci];
                let version_url = |d: Option<jiff::civil::Date>| {
                    d.map(|d| cfg.permalink(&paths::version(&p.slug, &c.document, d)))
                };
                pretty_element(&json!({
                    "id": v.permalink, "url": v.permalink, "date": c.date.to_string(), "title": c.title, "summary": c.summary,
                    "platform": p.slug, "platform_name": p.name, "platform_url": cfg.permalink(&paths::platform(&p.slug)),
                    "document": c.document, "document_title": v.document.title, "document_url": cfg.permalink(&paths::document(&p.slug, &c.document)),
                    "topics": c.topics, "impact": c.impact.as_str(), "from": v.from, "to": v.to,
                    "from_url": version_url(c.from), "to_url": version_url(c.to),
                    "stats": derived.changes[pi][ci].as_ref().map(|d| d.stats), "formatting_only": v.formatting_only,
                }))
            })
        })
        .collect();
    out.insert(
        "api/changes.json".into(),
        pretty_with_array(
            &json!({"version": 1, "site": cfg.base_url, "changes": []}),
            "changes",
            &changes,
        ),
    );

    let platforms: Vec<Arc<str>> = site
        .platforms
        .iter()
        .enumerate()
        .map(|(pi, _)| {
            let key = cache
                .and_then(|x| x.platform_fingerprint(pi))
                .map(|k| hash_of(&("api/platforms.json", k)));
            fragment(cache, key, || {
                pretty_element(&platform_entry(site, derived, pi))
            })
        })
        .collect();
    out.insert(
        "api/platforms.json".into(),
        pretty_with_array(
            &json!({"version": 1, "site": cfg.base_url, "platforms": []}),
            "platforms",
            &platforms,
        ),
    );
}

/// Platform `pi` as `api/platforms.json` lists it.
fn platform_entry(site: &Site, derived: &Derived, pi: usize) -> serde_json::Value {
    let cfg = &site.config;
    let p = &site.platforms[pi];
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
}

pub(super) fn hash_of(value: &impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut h = std::hash::DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// `sitemap.xml`: every HTML page but the 404.
pub fn sitemap(site: &Site, page_files: &[String]) -> String {
    let cfg = &site.config;
    let mut x = String::with_capacity(page_files.len() * (cfg.base_url.len() + 80));
    x.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for file in page_files.iter().filter(|k| k.ends_with("index.html")) {
        x.push_str("<url><loc>");
        crate::markdown::escape_html_into(&mut x, &cfg.base_url);
        x.push('/');
        crate::markdown::escape_html_into(&mut x, file.trim_end_matches("index.html"));
        x.push_str("</loc></url>\n");
    }
    x.push_str("</urlset>\n");
    x
}

/// `search-index.json`: platforms, topics, FAQ entries, change records and every section of
/// every current document, for the search page's script (`assets/search.js`). One object an
/// entry, with short keys to keep it small: `k` kind (`platform`, `topic`, `faq`, `change`,
/// `section`), `t` title, `u` URL (a section's is its anchor on the document page), `c` context
/// (platform and document), `x` text to search and quote (a section's plain text, at most
/// `SEARCH_TEXT` characters), `g` the titles of its topics (so "ai" finds what is tagged "AI
/// training"), `d` date. Empty fields are left out.
pub fn write_search_index(site: &Site, cache: Option<&dyn RenderCache>, out: &mut Rendered) {
    let cfg = &site.config;
    // Each platform's entries are a part of their own, kept between `serve`'s rebuilds.
    let mut parts: Vec<Arc<str>> = site
        .platforms
        .par_iter()
        .enumerate()
        .map(|(pi, _)| {
            let key = cache
                .and_then(|x| x.platform_fingerprint(pi))
                .map(|k| hash_of(&("search-index.json", k)));
            fragment(cache, key, || {
                compact_entries(platform_search_entries(site, pi))
            })
        })
        .collect();
    let mut rest = Vec::new();
    for t in &site.topics {
        rest.push(json!({"k": "topic", "t": t.title, "u": cfg.url(&paths::topic(&t.slug)), "x": t.question}));
    }
    for f in &site.faq {
        let (text, _) = shorten(&f.answer_text, SEARCH_TEXT);
        rest.push(json!({"k": "faq", "t": f.question, "u": cfg.url(&format!("/faq/#{}", f.slug)), "x": text}));
    }
    parts.push(Arc::from(compact_entries(rest)));
    let mut index = String::from("[");
    for part in parts.iter().filter(|p| !p.is_empty()) {
        if index.len() > 1 {
            index.push(',');
        }
        index.push_str(part);
    }
    index.push(']');
    out.insert("search-index.json".into(), index.into_bytes());
}

const SEARCH_TEXT: usize = 2400;

/// Entries as the elements of a compact JSON array (without the brackets), empty fields left out.
fn compact_entries(mut entries: Vec<serde_json::Value>) -> String {
    for e in &mut entries {
        if let Some(o) = e.as_object_mut() {
            o.retain(|_, v| !v.is_null());
        }
    }
    let all = serde_json::to_string(&entries).unwrap_or_default();
    all.get(1..all.len().saturating_sub(1))
        .unwrap_or_default()
        .to_string()
}

/// Platform `pi`, the sections of its current documents and its change records.
fn platform_search_entries(site: &Site, pi: usize) -> Vec<serde_json::Value> {
    let cfg = &site.config;
    let p = &site.platforms[pi];
    let topic_titles = |slugs: &[String]| -> Option<String> {
        let titles: Vec<&str> = slugs
            .iter()
            .filter_map(|s| site.topics.iter().find(|t| &t.slug == s))
            .map(|t| t.title.as_str())
            .collect();
        (!titles.is_empty()).then(|| titles.join(" · "))
    };
    let mut entries = Vec::new();
    let documents: Vec<&str> = p.documents.iter().map(|d| d.title.as_str()).collect();
    let about = match &p.category {
        Some(c) => format!("{c} · {}", documents.join(" · ")),
        None => documents.join(" · "),
    };
    entries.push(
        json!({"k": "platform", "t": p.name, "u": cfg.url(&paths::platform(&p.slug)), "x": about}),
    );
    for d in &p.documents {
        let Some(cur) = d.current() else { continue };
        for s in &cur.sections {
            let (text, _) = shortened_plain_text(&s.text, SEARCH_TEXT);
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
    entries
}
