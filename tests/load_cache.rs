//! `content::LoadCache`, as `serve` uses it: a cached load gives exactly what a load without the
//! cache gives, and shares what did not change with the previous load instead of copying it.

mod common;

use std::path::Path;
use std::sync::Arc;

use termtrail::content::{self, LoadCache, LoadOptions, Loaded};
use termtrail::model::{ChangeRecord, Site};

const RECORD: &str = "content/platforms/netflix/changes/2026-01-15-bars-ai-training.md";

fn opts() -> LoadOptions {
    LoadOptions {
        drafts: false,
        base_url: None,
    }
}

/// All a load gives, to compare a cached load with an uncached one.
fn shown(l: &Result<Loaded, termtrail::error::Diagnostics>) -> String {
    match l {
        Ok(l) => format!(
            "{:#?}\n{:#?}\n{:#?}\n{:#?}",
            l.site, l.links, l.assets, l.warnings
        ),
        Err(d) => format!("{d:#?}"),
    }
}

/// A cached load, checked against a load without the cache.
fn load(root: &Path, cache: &LoadCache) -> Result<Loaded, termtrail::error::Diagnostics> {
    let cached = content::load_cached(root, &opts(), Some(cache));
    let full = content::load(root, &opts());
    assert_eq!(shown(&cached), shown(&full), "a cached load differs");
    cached
}

/// Writes `rel` and tells the cache, as `serve`'s watcher does.
fn write(root: &Path, cache: &LoadCache, rel: &str, text: &str) {
    common::write(root, rel, text);
    cache.invalidate(rel);
}

fn edit(root: &Path, cache: &LoadCache, rel: &str, from: &str, to: &str) {
    let text = common::read(root, rel);
    assert!(text.contains(from), "{rel} does not contain {from:?}");
    write(root, cache, rel, &text.replacen(from, to, 1));
}

fn records(site: &Site) -> Vec<&Arc<ChangeRecord>> {
    site.platforms.iter().flat_map(|p| &p.changes).collect()
}

fn record<'a>(site: &'a Site, key: &str) -> &'a Arc<ChangeRecord> {
    records(site).into_iter().find(|c| c.key == key).unwrap()
}

#[test]
fn unchanged_documents_and_records_are_shared_not_copied() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::full_site(root, "https://example.org/atlas");
    let cache = LoadCache::new();
    let a = load(root, &cache).unwrap();
    edit(
        root,
        &cache,
        RECORD,
        "title: Netflix bars",
        "title: Netflix forbids",
    );
    let b = load(root, &cache).unwrap();
    let docs = |l: &Loaded| -> Vec<_> {
        let docs = l.site.platforms.iter().flat_map(|p| &p.documents);
        docs.map(|d| d.snapshots.clone()).collect()
    };
    let (da, db) = (docs(&a), docs(&b));
    assert_eq!(da.len(), db.len());
    assert!(da.iter().zip(&db).all(|(x, y)| Arc::ptr_eq(x, y)));
    assert!(da.iter().all(|d| !d.is_empty()));
    let (ra, rb) = (records(&a.site), records(&b.site));
    assert_eq!(ra.len(), rb.len());
    for (x, y) in ra.iter().zip(&rb) {
        assert_eq!(Arc::ptr_eq(x, y), x.file != RECORD, "{}", x.file);
    }
    assert!(record(&b.site, "2026-01-15-bars-ai-training")
        .title
        .starts_with("Netflix forbids"));

    // A file written again with the same text (a save without changes) is not parsed again.
    let text = common::read(root, RECORD);
    write(root, &cache, RECORD, &text);
    let c = load(root, &cache).unwrap();
    let key = "2026-01-15-bars-ai-training";
    assert!(Arc::ptr_eq(record(&b.site, key), record(&c.site, key)));

    // Nor is any file when every one is read again.
    cache.invalidate_all();
    let d = load(root, &cache).unwrap();
    assert!(docs(&c)
        .iter()
        .zip(&docs(&d))
        .all(|(x, y)| Arc::ptr_eq(x, y)));
    let (rc, rd) = (records(&c.site), records(&d.site));
    assert!(rc.iter().zip(&rd).all(|(x, y)| Arc::ptr_eq(x, y)));
}

#[test]
fn what_a_record_depends_on_outside_its_file_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::full_site(root, "https://example.org/atlas");
    let cache = LoadCache::new();
    let key = "2026-01-15-bars-ai-training";
    let a = load(root, &cache).unwrap();
    assert_eq!(record(&a.site, key).from.unwrap().to_string(), "2025-06-01");

    // A snapshot between the record's two: the record now starts from it.
    let snap = "content/platforms/netflix/snapshots/terms-of-use/2026-01-12.yaml";
    write(
        root,
        &cache,
        snap,
        "sections:\n  - id: \"4.6\"\n    heading: Restrictions on use\n    topics: [ai-training]\n    text: Not in between.\n",
    );
    let b = load(root, &cache).unwrap();
    assert_eq!(record(&b.site, key).from.unwrap().to_string(), "2026-01-12");
    std::fs::remove_file(root.join(snap)).unwrap();
    cache.invalidate(snap);
    let c = load(root, &cache).unwrap();
    assert_eq!(record(&c.site, key).from.unwrap().to_string(), "2025-06-01");

    // A topic that the record and snapshots name is removed, then restored.
    let topic = "content/topics/arbitration.md";
    let text = common::read(root, topic);
    std::fs::remove_file(root.join(topic)).unwrap();
    cache.invalidate(topic);
    let err = load(root, &cache).expect_err("unknown topics are errors");
    assert!(err.iter().any(|d| d.file == RECORD));
    write(root, &cache, topic, &text);
    load(root, &cache).unwrap();

    // The base path, which links and HTML depend on.
    let other = LoadOptions {
        base_url: Some("https://example.org/elsewhere".into()),
        ..opts()
    };
    let cached = content::load_cached(root, &other, Some(&cache));
    assert_eq!(shown(&cached), shown(&content::load(root, &other)));
    load(root, &cache).unwrap();
}
