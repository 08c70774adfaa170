//! Incremental rebuilds for `serve`: the same site `build` makes, remaking only what an edit
//! touched.
//!
//! Each stage keeps what it made last time, keyed by what it was made from:
//! - loading (`content::LoadCache`): only the folders of the paths the watcher names are
//!   walked again; a file is parsed again only when it changed; a document's snapshots
//!   (anchors, HTML) are rebuilt only when one of its snapshot files changed; Markdown is
//!   rendered again only when its text changed;
//! - templates are compiled again only when a template file changed;
//! - diffs between two snapshots are computed again only when one of the two files changed,
//!   so an edited snapshot re-diffs only its neighbours (an unchanged document's diffs are
//!   found by its snapshots' addresses, see `DiffCache`); section histories and link
//!   targets of a document only when one of its snapshots changed;
//! - a page is rendered again only when its inputs changed: the page's key hashes the
//!   fingerprints of the content it shows (see `Fingerprints`) and of the templates its
//!   template uses. Pages that show only their own platform's content (and, for change pages,
//!   their topics') are reused without a key while those fingerprints stay the same
//!   (`PageEntry::scope`). A change record's edit re-renders its own page, its document's
//!   and platform's pages, the pages of changes listing it (same document or topic) and its
//!   topics' pages; a template's edit re-renders the pages that use it. A page rendered again
//!   whose template context is the same as last time keeps its bytes.
//! - a feed is made again only when a record it lists (or its scope) changed; the JSON API
//!   and the search index are put together from per-record and per-platform parts, each made
//!   again only when its record or platform changed; the sitemap only when pages come or go;
//!   change records' views only when the record or its document changed.
//!
//! The result is byte for byte what `build` writes (tests/serve.rs checks it).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use tera::Tera;

use crate::content::{self, Asset, LoadCache, LoadOptions};
use crate::derive::history::{self, SectionHistory};
use crate::derive::{diff, Comparisons, Derived, SnapshotDiff};
use crate::error::{Diagnostic, Diagnostics};
use crate::model::{Document, Site, Snapshot};
use crate::render::{
    self, json_hash, paths, rewrite, templates, ChangeView, Job, RecordOrders, RenderCache,
};
use crate::timings::Timings;

/// A built site as `serve` holds it: output path → bytes, shared with the HTTP threads.
/// Keys are shared too: a rebuild copies the map (the server goes on serving the old one), and
/// copying a large site's paths would be a good part of a small edit's rebuild.
pub type Files = Arc<FxHashMap<Arc<str>, Arc<Vec<u8>>>>;

/// One successful build.
pub struct Built {
    pub files: Files,
    pub assets: Vec<Asset>,
    pub warnings: Diagnostics,
    pub stats: RebuildStats,
}

/// What a rebuild did, for the terminal and for tests.
#[derive(Debug, Clone, Default)]
pub struct RebuildStats {
    pub pages_rendered: usize,
    /// Of the pages rendered, those whose template and context were the same as last time
    /// (their bytes were taken from before).
    pub pages_unchanged: usize,
    pub pages_reused: usize,
    pub diffs_computed: usize,
    pub templates_compiled: bool,
    /// Output paths whose bytes differ from the previous build (added, changed or removed).
    pub changed: Vec<String>,
    pub millis: f64,
    /// Milliseconds spent loading, diffing (and comparing), rendering.
    pub load_ms: f64,
    pub derive_ms: f64,
    pub render_ms: f64,
    /// Milliseconds of rendering pages (summed over threads); the rest of `render_ms` is
    /// shared work, feeds and data files.
    pub pages_ms: f64,
}

/// Keeps everything between rebuilds. `rebuild` gives what `build_in_memory` gives.
pub struct Rebuilder {
    root: PathBuf,
    opts: LoadOptions,
    load: LoadCache,
    diffs: DiffCache,
    tera: Option<(u64, Arc<Tera>)>,
    /// What the last good render made of each page.
    pages: FxHashMap<Job, PageEntry>,
    /// Per document: fingerprint → (section histories, link targets).
    documents: HashMap<u64, Arc<DocumentData>>,
    /// The last good output.
    files: Files,
    /// Data files (feeds) of the last good output → the fingerprint of their inputs.
    data_files: HashMap<String, u64>,
    /// Parts of data files (API and search index entries) by the fingerprint of their inputs.
    fragments: HashMap<u64, Arc<str>>,
    /// Change records' views, by `change_fingerprint`.
    change_views: HashMap<u64, Arc<ChangeView>>,
    /// Rendered pages' output paths → the fingerprint of their template and context.
    contexts: FxHashMap<String, u64>,
    /// The comparisons, by the fingerprint of the documents they quote.
    comparisons: Option<(u64, Arc<Comparisons>, Arc<ComparisonFingerprints>)>,
}

impl Rebuilder {
    pub fn new(root: &Path, opts: LoadOptions) -> Rebuilder {
        Rebuilder {
            root: root.to_path_buf(),
            opts,
            load: {
                // serve names every change: the watcher's events.
                let mut c = LoadCache::new();
                c.trust_events();
                c
            },
            diffs: DiffCache::default(),
            tera: None,
            pages: FxHashMap::default(),
            documents: HashMap::new(),
            files: Files::default(),
            data_files: HashMap::new(),
            fragments: HashMap::new(),
            change_views: HashMap::new(),
            contexts: FxHashMap::default(),
            comparisons: None,
        }
    }

    /// The next rebuild reads these files again (paths relative to the site root).
    pub fn invalidate(&mut self, rels: &[String]) {
        for r in rels {
            self.load.invalidate(r);
        }
    }

    /// The next rebuild reads every file again.
    pub fn invalidate_all(&mut self) {
        self.load.invalidate_all();
        self.tera = None;
    }

    /// The last good output.
    pub fn files(&self) -> &Files {
        &self.files
    }

    /// Builds the site from scratch as `build` does and lists the output paths whose bytes
    /// differ from the last good incremental output (empty: they are the same). For checking
    /// the incremental build (`TERMTRAIL_SERVE_VERIFY=1 termtrail serve`).
    pub fn verify(&self) -> Result<Vec<String>, Diagnostics> {
        let full = crate::cmd::build::build_in_memory(&self.root, &self.opts)?.files;
        let mut differ: Vec<String> = full
            .iter()
            .filter(|(k, v)| self.files.get(k.as_str()).is_none_or(|b| &***b != *v))
            .map(|(k, _)| k.clone())
            .collect();
        differ.extend(
            self.files
                .keys()
                .filter(|k| !full.contains_key(&***k))
                .map(|k| k.to_string()),
        );
        differ.sort();
        Ok(differ)
    }

    /// Builds the site, reusing what did not change since the last good build. On failure the
    /// last good output stays as it was.
    pub fn rebuild(&mut self) -> Result<Built, Diagnostics> {
        let start = Instant::now();
        let loaded = content::load_cached(&self.root, &self.opts, Some(&self.load))?;
        let site = &loaded.site;
        let t_load = start.elapsed();
        let mut timings = Timings::from_env();
        let (tera_fp, template_fps) = template_fingerprints(&self.root, &site.config.theme);
        timings.stage("rebuild: templates");
        let mut stats = RebuildStats::default();
        let tera = match &self.tera {
            Some((fp, t)) if *fp == tera_fp => t.clone(),
            _ => {
                let t = Arc::new(templates::load(&self.root, &site.config.theme)?);
                stats.templates_compiled = true;
                self.tera = Some((tera_fp, t.clone()));
                t
            }
        };
        let computed = std::sync::atomic::AtomicUsize::new(0);
        let base_path = site.config.base_path.clone();
        let differ = |old: &Snapshot, new: &Snapshot| {
            self.diffs.diff(&self.load, &base_path, old, new, || {
                computed.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            })
        };
        let comparisons_key = comparisons_key(site, &self.load);
        timings.stage("rebuild: cmp key");
        let known = self
            .comparisons
            .as_ref()
            .filter(|(k, _, _)| *k == comparisons_key);
        let derived = Derived::compute_with(site, &differ, known.map(|(_, c, _)| c.clone()));
        timings.stage("rebuild: diffs");
        let comparison_fps = match known {
            Some((_, _, f)) => f.clone(),
            None => Arc::new(ComparisonFingerprints::new(&derived.comparisons)),
        };
        self.comparisons = Some((
            comparisons_key,
            derived.comparisons.clone(),
            comparison_fps.clone(),
        ));
        self.diffs.finish(site);
        stats.diffs_computed = computed.into_inner();
        let t_derive = start.elapsed();
        timings.stage("rebuild: cmp fps");
        let orders = Arc::new(RecordOrders::new(site));
        let fps = Fingerprints::new(
            site,
            (&derived.comparisons, &comparison_fps),
            &self.load,
            orders.clone(),
        );
        timings.stage("rebuild: fingerprints");
        let extra: BTreeSet<String> = loaded
            .assets
            .iter()
            .map(|a| a.output.clone())
            .chain(templates::BUILTIN_ASSETS.iter().map(|(n, _)| n.to_string()))
            .collect();
        let cache = PageCache {
            site,
            fps: &fps,
            template_fps: &template_fps,
            previous: &self.pages,
            documents: &self.documents,
            next: Mutex::new(FxHashMap::default()),
            next_documents: Mutex::new(HashMap::new()),
            templates: Mutex::new(HashMap::new()),
            have: &self.files,
            page_micros: Default::default(),
            pages_rendered: Default::default(),
            pages_unchanged: Default::default(),
            print_page_times: std::env::var_os("TERMTRAIL_TIMINGS").is_some(),
            previous_data_files: &self.data_files,
            next_data_files: Mutex::new(HashMap::new()),
            previous_fragments: &self.fragments,
            next_fragments: Mutex::new(HashMap::new()),
            previous_change_views: &self.change_views,
            next_change_views: Mutex::new(HashMap::new()),
            orders,
            previous_contexts: &self.contexts,
            next_contexts: Mutex::new(FxHashMap::default()),
        };
        let (rendered, reused) = render::render_cached(
            site,
            &derived,
            &tera,
            &loaded.links,
            &extra,
            Some(&cache),
            None,
        )?;
        let t_render = start.elapsed();
        timings.stage("rebuild: render");
        stats.load_ms = t_load.as_secs_f64() * 1000.0;
        stats.derive_ms = (t_derive - t_load).as_secs_f64() * 1000.0;
        stats.render_ms = (t_render - t_derive).as_secs_f64() * 1000.0;
        stats.pages_reused = reused.len();
        stats.pages_ms =
            cache.page_micros.load(std::sync::atomic::Ordering::Relaxed) as f64 / 1000.0;
        stats.pages_rendered = cache
            .pages_rendered
            .load(std::sync::atomic::Ordering::Relaxed);
        stats.pages_unchanged = cache
            .pages_unchanged
            .load(std::sync::atomic::Ordering::Relaxed);
        if let Some(missing) = reused.iter().find(|p| !self.files.contains_key(p.as_str())) {
            // Cannot happen: a page is reused only when the last output has it.
            return Err(Diagnostics(vec![Diagnostic::error(
                missing.as_str(),
                "internal error: a reused page is missing",
            )]));
        }
        let next_pages = take(cache.next);
        let next_documents = take(cache.next_documents);
        let next_data_files = take(cache.next_data_files);
        let next_fragments = take(cache.next_fragments);
        let next_change_views = take(cache.next_change_views);
        let next_contexts = take(cache.next_contexts);
        // Reused pages keep their entries; rendered ones get new entries. Every other entry
        // goes: a page that is gone may come back under the same job while its file was
        // written by another job in between (a record removed, then restored).
        self.pages.retain(|_, e| reused.contains(&e.file));
        self.pages.extend(next_pages);
        self.contexts.retain(|file, _| reused.contains(file));
        self.contexts.extend(next_contexts);
        timings.stage("rebuild: page keys");
        // One copy of the map, changed in place: the server goes on serving the old one.
        let mut files = (*self.files).clone();
        let mut changed = Vec::new();
        files.retain(|path, _| {
            let kept = rendered.contains_key(&**path) || reused.contains(&**path);
            if !kept {
                changed.push(path.to_string());
            }
            kept
        });
        for (path, bytes) in rendered {
            if files.get(path.as_str()).is_none_or(|old| **old != bytes) {
                files.insert(Arc::from(path.as_str()), Arc::new(bytes));
                changed.push(path);
            }
        }
        changed.sort_unstable();
        stats.changed = changed;
        timings.stage("rebuild: files");
        self.documents = next_documents;
        self.data_files = next_data_files;
        self.fragments = next_fragments;
        self.change_views = next_change_views;
        self.files = Arc::new(files);
        timings.stage("rebuild: swap");
        stats.millis = start.elapsed().as_secs_f64() * 1000.0;
        Ok(Built {
            files: self.files.clone(),
            assets: loaded.assets,
            warnings: loaded.warnings,
            stats,
        })
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn take<T>(m: Mutex<T>) -> T {
    m.into_inner().unwrap_or_else(|e| e.into_inner())
}

fn hash_of(value: &impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

/// The templates a site renders with (the built-in ones and the theme's), as name → source.
fn template_sources(root: &Path, theme: &str) -> BTreeMap<String, String> {
    let mut sources: BTreeMap<String, String> = templates::BUILTIN
        .iter()
        .map(|(n, s)| (n.to_string(), s.to_string()))
        .collect();
    let dir = root.join("themes").join(theme).join("templates");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let path = e.path();
            if path.extension().is_some_and(|x| x == "html") {
                let name = e.file_name().to_string_lossy().into_owned();
                // An unreadable file gives a fingerprint of its own, and `templates::load`
                // reports it.
                let src = std::fs::read_to_string(&path)
                    .unwrap_or_else(|err| format!("\u{0}unreadable: {err}"));
                sources.insert(name, src);
            }
        }
    }
    sources
}

/// The fingerprint of all templates, and of each template with the templates it uses
/// (extends, imports, includes: any other template whose name it quotes).
fn template_fingerprints(root: &Path, theme: &str) -> (u64, FxHashMap<String, u64>) {
    let sources = template_sources(root, theme);
    let all = hash_of(&sources);
    let mut fps = FxHashMap::default();
    for name in sources.keys() {
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        // Every page may show list items and excerpts made by the macros of `macros.html`
        // (`render::ListedChange`), whether or not its template names that file.
        let mut todo = vec![name.as_str(), "macros.html"];
        todo.retain(|n| sources.contains_key(*n));
        while let Some(n) = todo.pop() {
            if !seen.insert(n) {
                continue;
            }
            let src = &sources[n];
            for other in sources.keys() {
                if !seen.contains(other.as_str())
                    && (src.contains(&format!("\"{other}\""))
                        || src.contains(&format!("'{other}'")))
                {
                    todo.push(other);
                }
            }
        }
        let closure: Vec<(&str, &str)> = seen.iter().map(|n| (*n, sources[*n].as_str())).collect();
        fps.insert(name.clone(), hash_of(&closure));
    }
    (all, fps)
}

/// Diffs between two snapshots, kept by the two files' paths and content hashes, the sections'
/// anchors (which depend on the whole document) and the base path (in unchanged sections' HTML).
///
/// Most documents are unchanged between two rebuilds, and the load cache then gives the very
/// same snapshots (`Arc<[Snapshot]>`): their diffs are found by the snapshots' addresses first,
/// without making a key. `kept` holds the last rebuild's snapshots, so that no other snapshot
/// can have one of those addresses.
#[derive(Default)]
struct DiffCache {
    map: Mutex<HashMap<DiffKey, Arc<SnapshotDiff>>>,
    /// The diffs this rebuild used, by address.
    used: Mutex<FxHashSet<usize>>,
    by_address: FxHashMap<(usize, usize), Arc<SnapshotDiff>>,
    next_by_address: Mutex<FxHashMap<(usize, usize), Arc<SnapshotDiff>>>,
    kept: Vec<Arc<[Snapshot]>>,
}

#[derive(Clone, PartialEq, Eq, Hash)]
struct DiffKey {
    old: (String, u64),
    new: (String, u64),
    /// A hash of the sections' ids and anchors and of the base path: a rebuild makes one key
    /// per pair of changed neighbouring versions, so it is kept small.
    layout: u64,
}

impl DiffCache {
    fn diff(
        &self,
        load: &LoadCache,
        base_path: &str,
        old: &Snapshot,
        new: &Snapshot,
        on_compute: impl Fn(),
    ) -> Arc<SnapshotDiff> {
        let address = (
            old as *const Snapshot as usize,
            new as *const Snapshot as usize,
        );
        let d = match self.by_address.get(&address) {
            Some(d) => d.clone(),
            None => self.by_content(load, base_path, old, new, on_compute),
        };
        lock(&self.used).insert(Arc::as_ptr(&d) as usize);
        lock(&self.next_by_address).insert(address, d.clone());
        d
    }

    fn by_content(
        &self,
        load: &LoadCache,
        base_path: &str,
        old: &Snapshot,
        new: &Snapshot,
        on_compute: impl Fn(),
    ) -> Arc<SnapshotDiff> {
        let (Some(ho), Some(hn)) = (load.file_hash(&old.file), load.file_hash(&new.file)) else {
            on_compute();
            return Arc::new(diff::diff_snapshots(old, new));
        };
        let key = DiffKey {
            old: (old.file.clone(), ho),
            new: (new.file.clone(), hn),
            layout: {
                let mut h = DefaultHasher::new();
                for s in old.sections.iter().chain(&new.sections) {
                    (&s.id, &s.anchor).hash(&mut h);
                }
                base_path.hash(&mut h);
                h.finish()
            },
        };
        if let Some(d) = lock(&self.map).get(&key) {
            return d.clone();
        }
        on_compute();
        let d = Arc::new(diff::diff_snapshots(old, new));
        lock(&self.map).insert(key, d.clone());
        d
    }

    /// Keeps what `site`'s render used, for the next rebuild.
    fn finish(&mut self, site: &Site) {
        let used = std::mem::take(&mut *lock(&self.used));
        lock(&self.map).retain(|_, d| used.contains(&(Arc::as_ptr(d) as usize)));
        self.by_address = std::mem::take(&mut *lock(&self.next_by_address));
        self.kept = site
            .platforms
            .iter()
            .flat_map(|p| p.documents.iter().map(|d| d.snapshots.clone()))
            .collect();
    }
}

/// Fingerprints of the content, from which each page's key is made. Each covers what a page
/// may show of it; a page's key combines the fingerprints of everything it may show.
struct Fingerprints {
    /// What every page may show: the settings, platforms' and documents' names, topics, pages,
    /// FAQ entries.
    global: u64,
    /// `documents[p][d]`: a document's snapshot files (paths and content hashes).
    documents: Vec<Vec<u64>>,
    /// `changes[p][c]`: a change record's file, content hash and resolved `from`/`to`.
    changes: Vec<Vec<u64>>,
    /// `document_changes[p][d]`: the document with the change records about it.
    document_changes: Vec<Vec<u64>>,
    /// `platforms[p]`: all of a platform's documents and change records.
    platforms: Vec<u64>,
    /// Per topic: the change records tagged with it (with their documents), newest first.
    topics: HashMap<String, Vec<(u64, u64)>>,
    /// Per topic: its comparisons ("how other platforms handle this").
    topic_comparisons: HashMap<String, u64>,
    /// Per topic: all of `topics`, and its comparisons, in one.
    topic_all: HashMap<String, u64>,
    /// The orders the render lists records in.
    orders: Arc<RecordOrders>,
    /// The platforms' cards (home and platform list) and the topics' cards (home and topic
    /// list), as the render makes them.
    platform_cards: u64,
    topic_cards: u64,
}

impl Fingerprints {
    fn new(
        site: &Site,
        comparisons: (&Comparisons, &ComparisonFingerprints),
        load: &LoadCache,
        orders: Arc<RecordOrders>,
    ) -> Fingerprints {
        let (all_comparisons, comparisons) = comparisons;
        let platform_cards = json_hash(&render::platform_cards(site));
        let topic_cards = json_hash(&render::topic_cards(site, all_comparisons, &orders));
        // A file the cache does not know gives a key that matches nothing from before.
        let file_fp = |file: &str| match load.file_hash(file) {
            Some(h) => hash_of(&(file, h)),
            None => fresh(),
        };
        let platform_meta: Vec<_> = site
            .platforms
            .iter()
            .map(|p| {
                let docs: Vec<_> = p
                    .documents
                    .iter()
                    .map(|d| (&d.id, &d.title, &d.url))
                    .collect();
                (
                    &p.slug,
                    &p.name,
                    &p.url,
                    &p.category,
                    &p.description_html,
                    docs,
                )
            })
            .collect();
        let topics: Vec<_> = site
            .topics
            .iter()
            .map(|t| (&t.slug, &t.title, &t.question, &t.body_html))
            .collect();
        let pages: Vec<_> = site
            .pages
            .iter()
            .map(|p| (&p.slug, &p.title, &p.body_html))
            .collect();
        let faq: Vec<_> = site
            .faq
            .iter()
            .map(|f| {
                (
                    &f.slug,
                    &f.question,
                    f.order,
                    &f.platform,
                    &f.answer_html,
                    &f.answer_text,
                )
            })
            .collect();
        let global = hash_of(&(json_hash(&site.config), platform_meta, topics, pages, faq));
        let documents: Vec<Vec<u64>> = site
            .platforms
            .par_iter()
            .map(|p| {
                p.documents
                    .iter()
                    .map(|d| {
                        let snaps: Vec<(u64, jiff::civil::Date)> = d
                            .snapshots
                            .iter()
                            .map(|s| (file_fp(&s.file), s.date))
                            .collect();
                        hash_of(&(&p.slug, &d.id, snaps))
                    })
                    .collect()
            })
            .collect();
        let changes: Vec<Vec<u64>> = site
            .platforms
            .par_iter()
            .map(|p| {
                p.changes
                    .iter()
                    .map(|c| {
                        hash_of(&(
                            file_fp(&c.file),
                            &c.key,
                            &c.platform,
                            &c.document,
                            c.from,
                            c.to,
                        ))
                    })
                    .collect()
            })
            .collect();
        let document_changes: Vec<Vec<u64>> = site
            .platforms
            .iter()
            .enumerate()
            .map(|(pi, p)| {
                p.documents
                    .iter()
                    .enumerate()
                    .map(|(di, d)| {
                        let cs: Vec<u64> = p
                            .changes
                            .iter()
                            .enumerate()
                            .filter(|(_, c)| c.document == d.id)
                            .map(|(ci, _)| changes[pi][ci])
                            .collect();
                        hash_of(&(documents[pi][di], cs))
                    })
                    .collect()
            })
            .collect();
        let platforms: Vec<u64> = (0..site.platforms.len())
            .map(|pi| hash_of(&(&site.platforms[pi].slug, &documents[pi], &changes[pi])))
            .collect();
        let doc_of = |pi: usize, doc: &str| -> u64 {
            site.platforms[pi]
                .documents
                .iter()
                .position(|d| d.id == doc)
                .map(|di| documents[pi][di])
                .unwrap_or(0)
        };
        let by_topic = &orders.by_topic;
        let mut topics: HashMap<String, Vec<(u64, u64)>> = HashMap::new();
        let mut topic_comparisons: HashMap<String, u64> = HashMap::new();
        for t in &site.topics {
            // In the order the topic's pages list them: newest first.
            let tagged: Vec<(u64, u64)> = by_topic
                .get(&t.slug)
                .into_iter()
                .flatten()
                .map(|&(pi, ci)| {
                    let c = &site.platforms[pi].changes[ci];
                    (changes[pi][ci], doc_of(pi, &c.document))
                })
                .collect();
            let cmp = comparisons.topics.get(&t.slug).copied();
            topic_comparisons.insert(t.slug.clone(), hash_of(&(&t.slug, cmp)));
            topics.insert(t.slug.clone(), tagged);
        }
        let topic_all = topics
            .iter()
            .map(|(t, tagged)| (t.clone(), hash_of(&(tagged, topic_comparisons.get(t)))))
            .collect();
        Fingerprints {
            global,
            documents,
            changes,
            document_changes,
            platforms,
            topics,
            topic_comparisons,
            topic_all,
            orders,
            platform_cards,
            topic_cards,
        }
    }

    /// The key of a page: everything it may show, as fingerprints.
    fn job_key(&self, site: &Site, job: Job, template_fp: u64) -> u64 {
        let base = (self.global, template_fp, job);
        match job {
            // The home page shows the cards and the newest records; the lists, their cards.
            Job::Home => {
                let latest: Vec<(u64, Option<u64>)> = self
                    .orders
                    .newest
                    .iter()
                    .take(render::HOME_CHANGES)
                    .map(|&(pi, ci)| (self.changes[pi][ci], self.document_of(site, pi, ci)))
                    .collect();
                hash_of(&(
                    base,
                    self.platform_cards,
                    self.topic_cards,
                    latest,
                    self.orders.newest.len(),
                ))
            }
            Job::Platforms => hash_of(&(base, self.platform_cards)),
            Job::Topics => hash_of(&(base, self.topic_cards)),
            Job::Faq | Job::Page(_) | Job::Feeds | Job::Search | Job::NotFound => hash_of(&base),
            Job::Platform(pi) => hash_of(&(base, &site.platforms[pi].slug, self.platforms[pi])),
            Job::Document(pi, di) => hash_of(&(base, self.document_changes[pi][di])),
            // Version and section pages: see `PageCache::key`.
            Job::Version(pi, di, _) | Job::Section(pi, di, _) => {
                hash_of(&(base, self.document_changes[pi][di]))
            }
            // A change page shows the record, its diff, the earlier records about the same
            // document, "how other platforms handle" its topics, and related records (the
            // newest sharing a topic, as `render` picks them).
            Job::Change(pi, ci) => {
                let p = &site.platforms[pi];
                let c = &p.changes[ci];
                let doc_of = |pi: usize, doc: &str| {
                    site.platforms[pi]
                        .documents
                        .iter()
                        .position(|d| d.id == doc)
                        .map(|di| self.documents[pi][di])
                };
                let earlier: Vec<u64> = p.changes[..ci]
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.document == c.document)
                    .map(|(i, _)| self.changes[pi][i])
                    .collect();
                let related: Vec<(u64, Option<u64>)> = self
                    .orders
                    .newest
                    .iter()
                    .filter(|&&(op, oc)| {
                        (op, oc) != (pi, ci)
                            && site.platforms[op].changes[oc]
                                .topics
                                .iter()
                                .any(|t| c.topics.contains(t))
                    })
                    .filter(|&&(op, oc)| {
                        !(op == pi
                            && oc < ci
                            && site.platforms[op].changes[oc].document == c.document)
                    })
                    .take(render::RELATED_CHANGES)
                    .map(|&(op, oc)| {
                        let o = &site.platforms[op].changes[oc];
                        (self.changes[op][oc], doc_of(op, &o.document))
                    })
                    .collect();
                let comparisons: Vec<Option<u64>> = c
                    .topics
                    .iter()
                    .map(|t| self.topic_comparisons.get(t).copied())
                    .collect();
                hash_of(&(
                    base,
                    self.changes[pi][ci],
                    doc_of(pi, &c.document),
                    earlier,
                    related,
                    comparisons,
                ))
            }
            // A topic's page shows its comparisons and its newest records; each page of its
            // list of records, those records.
            Job::Topic(ti) => {
                let t = &site.topics[ti].slug;
                let tagged = self.topics.get(t).map_or(&[][..], |v| v.as_slice());
                let newest = &tagged[..tagged.len().min(render::TOPIC_CHANGES)];
                hash_of(&(base, t, self.topic_comparisons.get(t), newest, tagged.len()))
            }
            Job::TopicChanges(ti, n) => {
                let t = &site.topics[ti].slug;
                let tagged = self.topics.get(t).map_or(&[][..], |v| v.as_slice());
                let page: Vec<&(u64, u64)> = tagged
                    .iter()
                    .skip((n - 1) * render::TOPIC_ARCHIVE_PAGE)
                    .take(render::TOPIC_ARCHIVE_PAGE)
                    .collect();
                hash_of(&(base, t, page, tagged.len()))
            }
        }
    }

    /// The fingerprint of the document change record `ci` of platform `pi` is about.
    fn document_of(&self, site: &Site, pi: usize, ci: usize) -> Option<u64> {
        let p = &site.platforms[pi];
        let di = p
            .documents
            .iter()
            .position(|d| d.id == p.changes[ci].document)?;
        Some(self.documents[pi][di])
    }

    /// The fingerprint of document `di` of platform `pi`.
    fn document(&self, pi: usize, di: usize) -> u64 {
        self.documents[pi][di]
    }

    /// The change records a version page (or a section page, for each of its versions) lists
    /// for the version of `date`: those about the document whose `from`..`to` covers it.
    fn covering(&self, site: &Site, pi: usize, di: usize, date: jiff::civil::Date) -> Vec<u64> {
        let p = &site.platforms[pi];
        let d = &p.documents[di];
        p.changes
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.document == d.id
                    && c.to.is_some_and(|t| t >= date)
                    && c.from.is_none_or(|f| f < date)
            })
            .map(|(ci, _)| self.changes[pi][ci])
            .collect()
    }
}

/// Fingerprints of the comparisons, of each topic's.
struct ComparisonFingerprints {
    topics: HashMap<String, u64>,
}

impl ComparisonFingerprints {
    fn new(c: &Comparisons) -> ComparisonFingerprints {
        ComparisonFingerprints {
            topics: c
                .by_topic
                .iter()
                .map(|(t, list)| (t.clone(), json_hash(list)))
                .collect(),
        }
    }
}

/// A fingerprint of what the comparisons quote: every platform's and document's names and
/// every snapshot file (the current versions' sections, and the anchors, which depend on the
/// whole document).
fn comparisons_key(site: &Site, load: &LoadCache) -> u64 {
    let mut h = DefaultHasher::new();
    for p in &site.platforms {
        (&p.slug, &p.name).hash(&mut h);
        for d in &p.documents {
            (&d.id, &d.title).hash(&mut h);
            for s in d.snapshots.iter() {
                match load.file_hash(&s.file) {
                    Some(fh) => (&s.file, fh, s.date).hash(&mut h),
                    None => fresh().hash(&mut h),
                }
            }
        }
    }
    h.finish()
}

/// A value no earlier key can have.
fn fresh() -> u64 {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    hash_of(&(
        "fresh",
        N.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
    ))
}

/// A document's section histories and link targets.
type DocumentData = (Arc<Vec<SectionHistory>>, Arc<Vec<rewrite::Targets>>);

/// A page as the last good render made it.
#[derive(Clone)]
struct PageEntry {
    key: u64,
    /// For pages that show only their own platform's content: the fingerprint of that
    /// platform and of what every page shows. While it stays the same the page is reused
    /// without working out its key (most pages of a large site are of this kind).
    scope: Option<u64>,
    file: String,
    template: String,
}

/// The render cache of one rebuild.
struct PageCache<'a> {
    site: &'a Site,
    fps: &'a Fingerprints,
    template_fps: &'a FxHashMap<String, u64>,
    previous: &'a FxHashMap<Job, PageEntry>,
    documents: &'a HashMap<u64, Arc<DocumentData>>,
    next: Mutex<FxHashMap<Job, PageEntry>>,
    next_documents: Mutex<HashMap<u64, Arc<DocumentData>>>,
    /// Site path → template, as this render used them.
    templates: Mutex<HashMap<String, String>>,
    have: &'a FxHashMap<Arc<str>, Arc<Vec<u8>>>,
    page_micros: std::sync::atomic::AtomicU64,
    pages_rendered: std::sync::atomic::AtomicUsize,
    pages_unchanged: std::sync::atomic::AtomicUsize,
    /// `TERMTRAIL_TIMINGS` is set: each rendered page's time goes to stderr.
    print_page_times: bool,
    previous_data_files: &'a HashMap<String, u64>,
    next_data_files: Mutex<HashMap<String, u64>>,
    previous_fragments: &'a HashMap<u64, Arc<str>>,
    next_fragments: Mutex<HashMap<u64, Arc<str>>>,
    previous_change_views: &'a HashMap<u64, Arc<ChangeView>>,
    next_change_views: Mutex<HashMap<u64, Arc<ChangeView>>>,
    orders: Arc<RecordOrders>,
    previous_contexts: &'a FxHashMap<String, u64>,
    next_contexts: Mutex<FxHashMap<String, u64>>,
}

thread_local! {
    /// When the page being rendered on this thread started (for `RebuildStats::pages_ms`).
    static PAGE_START: std::cell::Cell<Option<Instant>> = const { std::cell::Cell::new(None) };
}

impl PageCache<'_> {
    fn template_fp(&self, template: &str) -> u64 {
        self.template_fps
            .get(template)
            .copied()
            .unwrap_or_else(fresh)
    }

    /// See `PageEntry::scope`. Version, section and document pages show their document, its
    /// records and what every page shows: all within their platform's fingerprint. A change
    /// page also shows other platforms' records and clauses, but only through its topics.
    fn scope(&self, job: Job, template: &str) -> Option<u64> {
        let fps = self.fps;
        let base = (fps.global, self.template_fp(template), job);
        match job {
            Job::Version(pi, ..) | Job::Section(pi, ..) | Job::Document(pi, _) => {
                Some(hash_of(&(base, *fps.platforms.get(pi)?)))
            }
            Job::Change(pi, ci) => {
                let c = self.site.platforms.get(pi)?.changes.get(ci)?;
                let topics: Vec<Option<&u64>> =
                    c.topics.iter().map(|t| fps.topic_all.get(t)).collect();
                Some(hash_of(&(base, *fps.platforms.get(pi)?, topics)))
            }
            _ => None,
        }
    }

    fn key(&self, job: Job, template: &str) -> u64 {
        let tfp = self.template_fp(template);
        let fps = self.fps;
        let base = (fps.global, tfp, job);
        match job {
            // A version page shows its document and the records covering that version.
            Job::Version(pi, di, si) => {
                let d = &self.site.platforms[pi].documents[di];
                let Some(snap) = d.snapshots.get(si) else {
                    return fresh();
                };
                hash_of(&(
                    base,
                    fps.document(pi, di),
                    fps.covering(self.site, pi, di, snap.date),
                ))
            }
            // A section page shows the section's history and, for each of its versions, the
            // records covering it.
            Job::Section(pi, di, hi) => {
                let d = &self.site.platforms[pi].documents[di];
                let data = self.document_data(pi, di, d);
                let Some(h) = data.0.get(hi) else {
                    return fresh();
                };
                let covering: Vec<Vec<u64>> = h
                    .versions
                    .iter()
                    .map(|v| fps.covering(self.site, pi, di, v.date))
                    .collect();
                hash_of(&(base, fps.document(pi, di), covering))
            }
            _ => fps.job_key(self.site, job, tfp),
        }
    }

    fn document_key(&self, pi: usize, di: usize) -> u64 {
        hash_of(&(self.fps.document(pi, di), &self.site.config.base_path))
    }

    fn document_data(&self, pi: usize, di: usize, doc: &Document) -> Arc<DocumentData> {
        let key = self.document_key(pi, di);
        if let Some(d) = lock(&self.next_documents).get(&key) {
            return d.clone();
        }
        let data = match self.documents.get(&key) {
            Some(d) => d.clone(),
            None => Arc::new((
                Arc::new(history::section_histories(doc)),
                Arc::new(render::document_targets(doc)),
            )),
        };
        lock(&self.next_documents).insert(key, data.clone());
        data
    }
}

impl RenderCache for PageCache<'_> {
    fn reuse(&self, job: Job) -> Option<String> {
        PAGE_START.with(|s| s.set(Some(Instant::now())));
        let e = self.previous.get(&job)?;
        if !self.have.contains_key(e.file.as_str()) {
            return None;
        }
        let scope = self.scope(job, &e.template);
        if scope.is_some() && scope == e.scope {
            return Some(e.file.clone());
        }
        // The key covers the sources of the template the page used and of those it uses.
        if self.key(job, &e.template) != e.key {
            return None;
        }
        if scope != e.scope {
            let entry = PageEntry { scope, ..e.clone() };
            lock(&self.next).insert(job, entry);
        }
        Some(e.file.clone())
    }

    fn rendered(&self, job: Job, file: &str) {
        self.pages_rendered
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = PAGE_START.with(|s| s.take()) {
            let us = t.elapsed().as_micros() as u64;
            if self.print_page_times {
                eprintln!("timings: page {file} {:.1} ms", us as f64 / 1000.0);
            }
            self.page_micros
                .fetch_add(us, std::sync::atomic::Ordering::Relaxed);
        }
        let template = lock(&self.templates).get(file).cloned();
        let entry = match template {
            Some(t) => PageEntry {
                key: self.key(job, &t),
                scope: self.scope(job, &t),
                file: file.to_string(),
                template: t,
            },
            // Rendered without a template: never reused.
            None => PageEntry {
                key: fresh(),
                scope: None,
                file: file.to_string(),
                template: String::new(),
            },
        };
        lock(&self.next).insert(job, entry);
    }

    fn template(&self, path: &str, template: &str) {
        lock(&self.templates).insert(paths::file_for(path), template.to_string());
    }

    fn section_histories(&self, pi: usize, di: usize, doc: &Document) -> Arc<Vec<SectionHistory>> {
        self.document_data(pi, di, doc).0.clone()
    }

    fn targets(&self, pi: usize, di: usize, doc: &Document) -> Arc<Vec<rewrite::Targets>> {
        self.document_data(pi, di, doc).1.clone()
    }

    fn change_fingerprint(&self, pi: usize, ci: usize) -> Option<u64> {
        let fps = self.fps;
        let p = self.site.platforms.get(pi)?;
        let c = p.changes.get(ci)?;
        let document = p
            .documents
            .iter()
            .position(|d| d.id == c.document)
            .map(|di| fps.document(pi, di));
        Some(hash_of(&(fps.global, fps.changes[pi][ci], document)))
    }

    fn platform_fingerprint(&self, pi: usize) -> Option<u64> {
        Some(hash_of(&(self.fps.global, *self.fps.platforms.get(pi)?)))
    }

    fn reuse_file(&self, file: &str, key: u64) -> bool {
        let same = self.previous_data_files.get(file) == Some(&key) && self.have.contains_key(file);
        if same {
            lock(&self.next_data_files).insert(file.to_string(), key);
        }
        same
    }

    fn made_file(&self, file: &str, key: u64) {
        lock(&self.next_data_files).insert(file.to_string(), key);
    }

    fn fragment(&self, key: u64) -> Option<Arc<str>> {
        self.previous_fragments.get(&key).cloned()
    }

    fn keep_fragment(&self, key: u64, text: Arc<str>) {
        lock(&self.next_fragments).insert(key, text);
    }

    fn change_view(&self, key: u64) -> Option<Arc<ChangeView>> {
        self.previous_change_views.get(&key).cloned()
    }

    fn keep_change_view(&self, key: u64, view: Arc<ChangeView>) {
        lock(&self.next_change_views).insert(key, view);
    }

    fn record_orders(&self) -> Option<Arc<RecordOrders>> {
        Some(self.orders.clone())
    }

    fn same_page(&self, file: &str, template: &str, context: u64) -> Option<Vec<u8>> {
        let key = hash_of(&(self.template_fp(template), context));
        if self.previous_contexts.get(file) != Some(&key) {
            return None;
        }
        let bytes = self.have.get(file)?;
        lock(&self.next_contexts).insert(file.to_string(), key);
        self.pages_unchanged
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Some(bytes.to_vec())
    }

    fn keep_page_context(&self, file: &str, template: &str, context: u64) {
        let key = hash_of(&(self.template_fp(template), context));
        lock(&self.next_contexts).insert(file.to_string(), key);
    }
}
