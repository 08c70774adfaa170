//! Rendering: every page, feed and data file of the site, in memory, with internal links checked.

pub mod feeds;
mod files;
mod nest;
pub mod paths;
pub mod rewrite;
pub mod templates;
mod views;

/// What a page shows of a change record; kept between `serve`'s rebuilds.
pub use views::ChangeView;

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use rustc_hash::FxHashSet;
use serde::Serialize;
use serde_json::json;
use tera::{Context, Tera};

use crate::derive::history::{self, SectionHistory, TimelineEntry};
use crate::derive::{Comparisons, Derived};
use crate::error::{did_you_mean, Diagnostic, Diagnostics};
use crate::model::{Document, InternalLink, Site};
use crate::timings::{KindTimes, Timings};
use views::*;

/// The rendered site: output path → bytes. Sorted, so writing and hashing are deterministic.
pub type Rendered = BTreeMap<String, Vec<u8>>;

/// How many change records the home page lists.
pub const HOME_CHANGES: usize = 20;
/// How many related changes a change page lists.
pub const RELATED_CHANGES: usize = 6;
/// How many of its change records, newest first, a topic's page lists; the rest are on the
/// topic's list of changes, [`TOPIC_ARCHIVE_PAGE`] a page.
pub const TOPIC_CHANGES: usize = 30;
pub const TOPIC_ARCHIVE_PAGE: usize = 100;

/// Everything the page renderers share, computed once.
struct Shared<'a> {
    site: &'a Site,
    derived: &'a Derived,
    tera: &'a Tera,
    site_view: SiteView<'a>,
    /// `changes[p][c]`.
    changes: Vec<Vec<Arc<ChangeView>>>,
    /// `sections[p][d]`: every section of the document through time.
    sections: Vec<Vec<Arc<Vec<SectionHistory>>>>,
    /// `targets[p][d][s]`: where in-document links of version `s` lead.
    targets: Vec<Vec<Arc<Vec<rewrite::Targets>>>>,
    /// The orders records are listed in.
    orders: Arc<RecordOrders>,
    site_feeds: FeedLinks,
    /// `platform_cards(site)`.
    platform_cards: Vec<serde_json::Value>,
    cache: Option<&'a dyn RenderCache>,
    /// `listed_values[p][c]`: the record as lists show it, its item made by the theme's
    /// `change_item` macro, as template data; made the first time a page lists the record
    /// (see `listed`).
    listed_values: Vec<Vec<OnceLock<serde_json::Value>>>,
    /// `excerpt_values[topic][i]`: excerpt `i` of the topic's comparison as change pages show
    /// it, its HTML made by the theme's `excerpt` macro, as template data; made the first time
    /// a change page shows it (see `listed_excerpt`).
    excerpt_values: BTreeMap<&'a str, Vec<OnceLock<serde_json::Value>>>,
}

/// A change record's list item as the theme's `change_item` macro renders it, with and without
/// the platform's name.
struct ChangeItems {
    with_platform: String,
    without_platform: String,
}

/// One page to render; indices into the model (platform, document, snapshot or section
/// history, change record, topic, page).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Job {
    Home,
    Platforms,
    Platform(usize),
    Document(usize, usize),
    Version(usize, usize, usize),
    Section(usize, usize, usize),
    Change(usize, usize),
    Topics,
    Topic(usize),
    /// Page `n` (from 1) of a topic's list of change records, when the topic page cannot hold
    /// them all.
    TopicChanges(usize, usize),
    Faq,
    Page(usize),
    Feeds,
    Search,
    NotFound,
}

thread_local! {
    /// The buffer of the last page this thread wrote to a [`PageSink`], for its next page.
    static PAGE_BUFFER: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
    /// Time spent in Tera by the page being rendered on this thread (for `TERMTRAIL_TIMINGS`).
    static TEMPLATE_TIME: std::cell::Cell<std::time::Duration> = const { std::cell::Cell::new(std::time::Duration::ZERO) };
}

impl Job {
    /// The kind of page, for timings.
    fn kind(self) -> &'static str {
        match self {
            Job::Home => "home",
            Job::Platforms => "platforms",
            Job::Platform(..) => "platform",
            Job::Document(..) => "document",
            Job::Version(..) => "version",
            Job::Section(..) => "section",
            Job::Change(..) => "change",
            Job::Topics => "topics",
            Job::Topic(..) => "topic",
            Job::TopicChanges(..) => "topic changes",
            Job::Faq => "faq",
            Job::Page(..) => "page",
            Job::Feeds => "feeds",
            Job::Search => "search",
            Job::NotFound => "404",
        }
    }
}

/// Lets `serve` carry work over from one render to the next. Whatever it does, the output must
/// be what rendering without it gives; `build` renders without one.
pub trait RenderCache: Sync {
    /// The output path of `job`'s page when the page rendered last time is still right (its
    /// bytes are then left out of this render's output), or `None` to render it.
    fn reuse(&self, job: Job) -> Option<String>;
    /// `job` was rendered to the output path `file` (called for every page not reused).
    fn rendered(&self, job: Job, file: &str);
    /// The page at site path `path` is rendered with `template`.
    fn template(&self, _path: &str, _template: &str) {}
    /// `history::section_histories(doc)` of document `di` of platform `pi`.
    fn section_histories(
        &self,
        _pi: usize,
        _di: usize,
        doc: &Document,
    ) -> Arc<Vec<SectionHistory>> {
        Arc::new(history::section_histories(doc))
    }
    /// The link targets of each version of document `di` of platform `pi`.
    fn targets(&self, _pi: usize, _di: usize, doc: &Document) -> Arc<Vec<rewrite::Targets>> {
        Arc::new(document_targets(doc))
    }
    /// A fingerprint of everything change record `ci` of platform `pi` shows in feeds and in
    /// the API: the record, the versions of its document, the site's settings and names. `None`
    /// (without a cache): data files are made anew.
    fn change_fingerprint(&self, _pi: usize, _ci: usize) -> Option<u64> {
        None
    }
    /// A fingerprint of everything platform `pi` shows in the API and the search index.
    fn platform_fingerprint(&self, _pi: usize) -> Option<u64> {
        None
    }
    /// The data file `file` made last time from inputs with fingerprint `key` is still right:
    /// `true` leaves it out of this render's output, as a reused page is.
    fn reuse_file(&self, _file: &str, _key: u64) -> bool {
        false
    }
    /// `file` was made from inputs with fingerprint `key`.
    fn made_file(&self, _file: &str, _key: u64) {}
    /// A part of a data file made last time from inputs with fingerprint `key`.
    fn fragment(&self, _key: u64) -> Option<Arc<str>> {
        None
    }
    /// Keeps a part of a data file for the next render.
    fn keep_fragment(&self, _key: u64, _text: Arc<str>) {}
    /// The view of a change record made last time from inputs with fingerprint `key` (see
    /// `change_fingerprint`).
    fn change_view(&self, _key: u64) -> Option<Arc<ChangeView>> {
        None
    }
    /// Keeps the view of a change record for the next render.
    fn keep_change_view(&self, _key: u64, _view: Arc<ChangeView>) {}
    /// The record orders of this site, when the cache made them already.
    fn record_orders(&self) -> Option<Arc<RecordOrders>> {
        None
    }
    /// The bytes of the page at output path `file` as rendered last time, when `template`
    /// and the page's context (its fingerprint `context`) are the same: a page whose inputs
    /// changed may still show nothing new (a list whose records kept their titles).
    fn same_page(&self, _file: &str, _template: &str, _context: u64) -> Option<Vec<u8>> {
        None
    }
    /// The page at `file` was rendered from `template` and a context with fingerprint
    /// `context`.
    fn keep_page_context(&self, _file: &str, _template: &str, _context: u64) {}
}

/// A page's template context, built as JSON and handed to Tera whole: values made as JSON
/// (`put`) move in instead of being copied, as `Context::insert` would copy them.
#[derive(Default)]
struct PageContext(serde_json::Map<String, serde_json::Value>);

impl PageContext {
    fn insert<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) {
        self.put(key, serde_json::to_value(value).unwrap_or_default());
    }

    fn put(&mut self, key: &str, value: serde_json::Value) {
        self.0.insert(key.to_string(), value);
    }

    fn into_tera(self) -> Context {
        Context::from_value(serde_json::Value::Object(self.0)).unwrap_or_default()
    }
}

/// A hash of a value's JSON form (for types that are `Serialize` but not `Hash`), written
/// straight into the hasher.
pub(crate) fn json_hash(value: &impl Serialize) -> u64 {
    use std::hash::Hasher;
    struct HashWriter(std::hash::DefaultHasher);
    impl std::io::Write for HashWriter {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.write(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut w = HashWriter(std::hash::DefaultHasher::new());
    // Serialising these values cannot fail; if it did, the hash would only be less useful.
    let _ = serde_json::to_writer(&mut w, value);
    w.0.finish()
}

/// A part of a data file: taken from the cache when its inputs' fingerprint is known and it
/// was made before, else made (and kept).
pub(crate) fn fragment(
    cache: Option<&dyn RenderCache>,
    key: Option<u64>,
    make: impl FnOnce() -> String,
) -> Arc<str> {
    let (Some(c), Some(k)) = (cache, key) else {
        return Arc::from(make());
    };
    if let Some(f) = c.fragment(k) {
        c.keep_fragment(k, f.clone());
        return f;
    }
    let f: Arc<str> = Arc::from(make());
    c.keep_fragment(k, f.clone());
    f
}

/// The orders in which pages, feeds and the API list change records.
pub struct RecordOrders {
    /// All change records, newest first: (platform index, change index).
    pub newest: Vec<(usize, usize)>,
    /// Per topic slug, the records tagged with it, newest first.
    pub by_topic: BTreeMap<String, Vec<(usize, usize)>>,
}

impl RecordOrders {
    pub fn new(site: &Site) -> RecordOrders {
        let newest = newest_first(site);
        let by_topic = records_by_topic(site, &newest);
        RecordOrders { newest, by_topic }
    }
}

/// Every change record, newest first (date, then slug, then platform, all descending): the
/// order of feeds, lists and the API.
fn newest_first(site: &Site) -> Vec<(usize, usize)> {
    // Sorted by keys gathered side by side, not looked up through the platforms on every
    // comparison. (date, key, platform) is unique, so an unstable sort gives one order.
    let mut keyed: Vec<_> = site
        .platforms
        .iter()
        .enumerate()
        .flat_map(|(pi, p)| {
            p.changes.iter().enumerate().map(move |(ci, c)| {
                (
                    std::cmp::Reverse((c.date, c.key.as_str(), c.platform.as_str())),
                    (pi, ci),
                )
            })
        })
        .collect();
    keyed.sort_unstable();
    keyed.into_iter().map(|(_, at)| at).collect()
}

/// Per topic slug, the records of `newest` tagged with it, in that order.
fn records_by_topic(
    site: &Site,
    newest: &[(usize, usize)],
) -> BTreeMap<String, Vec<(usize, usize)>> {
    let mut by_topic: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for &(p, c) in newest {
        for t in &site.platforms[p].changes[c].topics {
            let list = match by_topic.get_mut(t) {
                Some(list) => list,
                None => by_topic.entry(t.clone()).or_default(),
            };
            // A topic named twice in one record lists the record once.
            if list.last() != Some(&(p, c)) {
                list.push((p, c));
            }
        }
    }
    by_topic
}

/// `f(platform index, document index, document)` for every document, in parallel.
fn per_document<T: Send>(
    site: &Site,
    f: impl Fn(usize, usize, &Document) -> T + Sync,
) -> Vec<Vec<T>> {
    site.platforms
        .par_iter()
        .enumerate()
        .map(|(pi, p)| {
            p.documents
                .par_iter()
                .enumerate()
                .map(|(di, d)| f(pi, di, d))
                .collect()
        })
        .collect()
}

/// How many pages a topic's list of `records` change records takes: none when the topic's
/// own page lists them all.
pub fn topic_archive_pages(records: usize) -> usize {
    if records <= TOPIC_CHANGES {
        0
    } else {
        records.div_ceil(TOPIC_ARCHIVE_PAGE)
    }
}

/// The link targets of each version of a document (what [`RenderCache::targets`] gives).
pub fn document_targets(d: &Document) -> Vec<rewrite::Targets> {
    d.snapshots
        .iter()
        .map(|s| {
            rewrite::targets(
                s.sections
                    .iter()
                    .map(|x| (x.anchor.as_str(), x.heading.as_deref(), &*x.html)),
            )
        })
        .collect()
}

/// Renders the whole site; internal links found while loading are checked against the result.
/// With a sink, pages go to it as they are made and only the other files are returned.
pub fn render(
    site: &Site,
    derived: &Derived,
    tera: &Tera,
    links: &[InternalLink],
    extra_paths: &BTreeSet<String>,
    sink: Option<&dyn PageSink>,
) -> Result<Rendered, Diagnostics> {
    render_cached(site, derived, tera, links, extra_paths, None, sink).map(|(out, _)| out)
}

/// Takes each page as soon as it is rendered: a build writes it out at once, so that the
/// whole site is never held in memory.
pub trait PageSink: Sync {
    fn page(&self, file: &str, bytes: &[u8]);
}

/// What became of a rendered page's bytes.
enum PageBytes {
    Kept(Vec<u8>),
    Sent,
    /// Not rendered: the cache's owner has the bytes from before.
    Reused,
}

/// `render` with a cache: also returns the output paths of the pages the cache reused, which
/// are not in the returned map (the cache's owner has their bytes from before).
pub fn render_cached(
    site: &Site,
    derived: &Derived,
    tera: &Tera,
    links: &[InternalLink],
    extra_paths: &BTreeSet<String>,
    cache: Option<&dyn RenderCache>,
    sink: Option<&dyn PageSink>,
) -> Result<(Rendered, FxHashSet<String>), Diagnostics> {
    let cfg = &site.config;
    let mut timings = Timings::from_env();
    let changes: Vec<Vec<Arc<ChangeView>>> = site
        .platforms
        .par_iter()
        .enumerate()
        .map(|(pi, p)| {
            p.changes
                .iter()
                .enumerate()
                .map(|(ci, c)| {
                    let make = || ChangeView::new(site, p, c, derived.changes[pi][ci].as_deref());
                    let Some((cache, key)) =
                        cache.and_then(|x| Some((x, x.change_fingerprint(pi, ci)?)))
                    else {
                        return Arc::new(make());
                    };
                    let view = cache.change_view(key).unwrap_or_else(|| Arc::new(make()));
                    cache.keep_change_view(key, view.clone());
                    view
                })
                .collect()
        })
        .collect();
    let targets = per_document(site, |pi, di, d| match cache {
        Some(c) => c.targets(pi, di, d),
        None => Arc::new(document_targets(d)),
    });
    let sections = per_document(site, |pi, di, d| match cache {
        Some(c) => c.section_histories(pi, di, d),
        None => Arc::new(history::section_histories_with(
            d,
            &derived.versions[pi][di],
        )),
    });
    let orders = cache
        .and_then(|c| c.record_orders())
        .unwrap_or_else(|| Arc::new(RecordOrders::new(site)));
    let shared = Shared {
        site,
        derived,
        tera,
        site_view: SiteView::new(site),
        changes,
        sections,
        targets,
        orders,
        site_feeds: FeedLinks::new(cfg, "/", format!("{}: all changes", cfg.title)),
        platform_cards: platform_cards(site),
        cache,
        listed_values: site
            .platforms
            .iter()
            .map(|p| p.changes.iter().map(|_| OnceLock::new()).collect())
            .collect(),
        excerpt_values: derived
            .comparisons
            .by_topic
            .iter()
            .map(|(t, list)| (t.as_str(), list.iter().map(|_| OnceLock::new()).collect()))
            .collect(),
    };
    timings.stage("render: shared");
    let jobs = jobs(&shared);
    let kind_times = timings.enabled().then(KindTimes::default);
    let render_pages = || -> Vec<Result<(String, PageBytes), Diagnostic>> {
        jobs.par_iter()
            .map(|&job| {
                if let Some(file) = cache.and_then(|c| c.reuse(job)) {
                    return Ok((file, PageBytes::Reused));
                }
                let started = kind_times.as_ref().map(|_| {
                    // A page that failed on this thread may have left its template time behind.
                    TEMPLATE_TIME.take();
                    std::time::Instant::now()
                });
                let (path, bytes) = shared.render_job(job)?;
                if let (Some(k), Some(t)) = (&kind_times, started) {
                    k.add(job.kind(), t.elapsed(), TEMPLATE_TIME.take());
                }
                let file = paths::file_for(&path);
                if let Some(c) = cache {
                    c.rendered(job, &file);
                }
                match sink {
                    Some(sink) => {
                        sink.page(&file, &bytes);
                        PAGE_BUFFER.set(bytes);
                        Ok((file, PageBytes::Sent))
                    }
                    None => Ok((file, PageBytes::Kept(bytes))),
                }
            })
            .collect()
    };
    // The data files do not depend on each other or on the pages: all are made side by side,
    // and each stage's last few jobs leave no core idle while another stage has work.
    let make_feeds = || {
        let mut f = Rendered::new();
        let reused = feeds::write_all(site, &shared.orders.newest, &shared.changes, cache, &mut f);
        (f, reused)
    };
    let make_api = || {
        let mut f = Rendered::new();
        files::write_api(
            site,
            derived,
            &shared.changes,
            &shared.orders.newest,
            cache,
            &mut f,
        );
        f
    };
    let make_search = || {
        let mut f = Rendered::new();
        files::write_search_index(site, cache, &mut f);
        f
    };
    let (pages, ((feed_files, reused_feeds), (api, search))) = rayon::join(render_pages, || {
        rayon::join(make_feeds, || rayon::join(make_api, make_search))
    });
    timings.stage("render: pages and data");
    if let Some(k) = &kind_times {
        k.print("page");
    }
    let mut out = Rendered::new();
    let mut reused = FxHashSet::default();
    let mut sent = FxHashSet::default();
    // Every page's output path, rendered or reused, for the sitemap.
    let mut page_files = Vec::with_capacity(pages.len());
    let mut diags = Vec::new();
    for r in pages {
        match r {
            Ok((file, bytes)) => {
                page_files.push(file.clone());
                match bytes {
                    PageBytes::Kept(bytes) => {
                        out.insert(file, bytes);
                    }
                    PageBytes::Sent => {
                        sent.insert(file);
                    }
                    PageBytes::Reused => {
                        reused.insert(file);
                    }
                }
            }
            Err(d) => diags.push(d),
        }
    }
    if !diags.is_empty() {
        return Err(Diagnostics(diags).sorted());
    }
    // Inserted one by one: `BTreeMap::append` rebuilds the whole map.
    for (file, bytes) in feed_files.into_iter().chain(api).chain(search) {
        out.insert(file, bytes);
    }
    reused.extend(reused_feeds);
    page_files.sort_unstable();
    // The sitemap changes only when pages come or go.
    let sitemap_key = cache.map(|c| (c, files::hash_of(&(&page_files, &cfg.base_url))));
    match sitemap_key {
        Some((c, key)) if c.reuse_file("sitemap.xml", key) => {
            reused.insert("sitemap.xml".to_string());
        }
        _ => {
            if let Some((c, key)) = sitemap_key {
                c.made_file("sitemap.xml", key);
            }
            out.insert(
                "sitemap.xml".into(),
                files::sitemap(site, &page_files).into_bytes(),
            );
        }
    }
    out.insert(
        "robots.txt".into(),
        format!(
            "User-agent: *\nAllow: /\n\nSitemap: {}/sitemap.xml\n",
            cfg.base_url
        )
        .into_bytes(),
    );
    timings.stage("render: sitemap");
    check_links(
        links,
        |file| {
            out.contains_key(file)
                || reused.contains(file)
                || sent.contains(file)
                || extra_paths.contains(file)
        },
        &page_files,
    )?;
    timings.stage("render: links");
    Ok((out, reused))
}

fn jobs(s: &Shared<'_>) -> Vec<Job> {
    let site = s.site;
    let mut jobs = vec![
        Job::Home,
        Job::Platforms,
        Job::Topics,
        Job::Faq,
        Job::Feeds,
        Job::Search,
        Job::NotFound,
    ];
    for (pi, p) in site.platforms.iter().enumerate() {
        jobs.push(Job::Platform(pi));
        for (di, d) in p.documents.iter().enumerate() {
            jobs.push(Job::Document(pi, di));
            jobs.extend((0..d.snapshots.len()).map(|si| Job::Version(pi, di, si)));
            jobs.extend((0..s.sections[pi][di].len()).map(|hi| Job::Section(pi, di, hi)));
        }
        jobs.extend((0..p.changes.len()).map(|ci| Job::Change(pi, ci)));
    }
    jobs.extend((0..site.topics.len()).map(Job::Topic));
    for (ti, t) in site.topics.iter().enumerate() {
        let pages = topic_archive_pages(s.topic_records(&t.slug).len());
        jobs.extend((1..=pages).map(|n| Job::TopicChanges(ti, n)));
    }
    jobs.extend((0..site.pages.len()).map(Job::Page));
    jobs
}

/// The common part of every page's context.
#[derive(Serialize)]
struct Common<'a> {
    site: &'a SiteView<'a>,
    page_title: String,
    /// The site path of this page (without the base path).
    path: String,
    canonical: String,
    feeds: Vec<FeedLinks>,
    body_class: &'static str,
}

impl<'a> Shared<'a> {
    fn context(
        &self,
        path: &str,
        title: String,
        feeds: Vec<FeedLinks>,
        class: &'static str,
    ) -> PageContext {
        let common = Common {
            site: &self.site_view,
            page_title: title,
            path: path.to_string(),
            canonical: self.site.config.permalink(path),
            feeds,
            body_class: class,
        };
        let mut ctx = PageContext::default();
        if let Ok(serde_json::Value::Object(map)) = serde_json::to_value(common) {
            ctx.0 = map;
        }
        ctx
    }

    fn render(
        &self,
        template: &str,
        path: String,
        ctx: PageContext,
    ) -> Result<(String, Vec<u8>), Diagnostic> {
        let mut seen = None;
        if let Some(c) = self.cache {
            c.template(&path, template);
            let file = paths::file_for(&path);
            let context = json_hash(&ctx.0);
            if let Some(bytes) = c.same_page(&file, template, context) {
                return Ok((path, bytes));
            }
            seen = Some((c, file, context));
        }
        let ctx = ctx.into_tera();
        let started = std::time::Instant::now();
        // Into bytes directly: `render` would check the whole page is UTF-8, which it is.
        // Large enough for most pages: growing a page's buffer copied it each time. A page
        // written out at once leaves its buffer to the thread's next page: a fresh 128 KiB
        // for each of thousands of pages was freed back to the system and faulted in again.
        let mut html = PAGE_BUFFER.take();
        html.clear();
        html.reserve(128 * 1024);
        let rendered = self.tera.render_to(template, &ctx, &mut html);
        TEMPLATE_TIME.set(TEMPLATE_TIME.get() + started.elapsed());
        match rendered {
            Ok(()) => {
                if let Some((c, file, context)) = seen {
                    c.keep_page_context(&file, template, context);
                }
                Ok((path, html))
            }
            Err(e) => Err(Diagnostic::error(
                format!("themes/{}/templates/{template}", self.site.config.theme),
                format!("rendering {path}: {}", templates::describe(&e)),
            )
            .help("fix the template; a variable it uses may not exist on this page")),
        }
    }

    /// Change record `(pi, ci)` as lists show it. Its list item is rendered once, by the
    /// theme's own `change_item` macro, and then copied into every list that shows the record
    /// (as Hugo's `partialCached` does): a record appears in a dozen lists, and a macro call
    /// per appearance was the largest part of rendering those pages.
    ///
    /// Its template data is made once too, and each list gets a copy: copying it takes fewer
    /// instructions than serialising the record again (its flattened fields go through
    /// serde's slower map path).
    fn listed(&self, pi: usize, ci: usize) -> serde_json::Value {
        let value = self.listed_values[pi][ci].get_or_init(|| {
            let change = &*self.changes[pi][ci];
            let items = self.change_items(change);
            let items = items.as_ref();
            serde_json::to_value(ListedChange {
                change,
                item_html: items.map(|i| i.with_platform.as_str()),
                item_html_no_platform: items.map(|i| i.without_platform.as_str()),
            })
            .unwrap_or_default()
        });
        value.clone()
    }

    /// Excerpt `i` of `topic`'s comparison, as change pages show it. Its HTML is rendered once,
    /// by the theme's `excerpt` macro, like a listed record's (see `listed`): the same few
    /// excerpts of each topic appear on most change pages tagged with it. Its template data is
    /// made once, as a listed record's is.
    fn listed_excerpt(&self, topic: &str, i: usize) -> serde_json::Value {
        let value = self.excerpt_values[topic][i].get_or_init(|| {
            let excerpt = &self.derived.comparisons.by_topic[topic][i];
            let view = ExcerptView::new(&self.site.config, excerpt);
            let started = std::time::Instant::now();
            let mut ctx = Context::new();
            ctx.insert("e", &view);
            let html = self.tera.render(templates::EXCERPT, &ctx).ok();
            TEMPLATE_TIME.set(TEMPLATE_TIME.get() + started.elapsed());
            serde_json::to_value(ListedExcerpt {
                excerpt: view,
                html: html.as_deref(),
            })
            .unwrap_or_default()
        });
        value.clone()
    }

    /// `None` when the macro cannot render: lists then call it in place, where its error is
    /// reported with the page.
    fn change_items(&self, change: &ChangeView) -> Option<ChangeItems> {
        let started = std::time::Instant::now();
        let mut ctx = Context::new();
        ctx.insert("c", change);
        ctx.insert("show_platform", &true);
        let with_platform = self.tera.render(templates::CHANGE_ITEM, &ctx).ok();
        ctx.insert("show_platform", &false);
        let without_platform = self.tera.render(templates::CHANGE_ITEM, &ctx).ok();
        TEMPLATE_TIME.set(TEMPLATE_TIME.get() + started.elapsed());
        Some(ChangeItems {
            with_platform: with_platform?,
            without_platform: without_platform?,
        })
    }

    fn feeds_for(&self, scope_path: &str, title: String) -> Vec<FeedLinks> {
        let own = FeedLinks::new(&self.site.config, scope_path, title);
        if scope_path == "/" {
            vec![own]
        } else {
            vec![own, self.site_feeds.clone()]
        }
    }

    fn insert<T: Serialize + ?Sized>(ctx: &mut PageContext, key: &str, value: &T) {
        ctx.insert(key, value);
    }

    fn render_job(&self, job: Job) -> Result<(String, Vec<u8>), Diagnostic> {
        let site = self.site;
        let cfg = &site.config;
        match job {
            Job::Home => {
                let mut ctx = self.context(
                    "/",
                    cfg.title.clone(),
                    self.feeds_for("/", format!("{}: all changes", cfg.title)),
                    "home",
                );
                let latest: Vec<serde_json::Value> = self
                    .orders
                    .newest
                    .iter()
                    .take(HOME_CHANGES)
                    .map(|&(p, c)| self.listed(p, c))
                    .collect();
                ctx.put("changes", latest.into());
                Self::insert(&mut ctx, "platforms", &self.platform_cards);
                Self::insert(&mut ctx, "topics", &self.topic_cards());
                Self::insert(&mut ctx, "change_count", &self.orders.newest.len());
                self.render("index.html", "/".into(), ctx)
            }
            Job::Platforms => {
                let path = paths::platforms();
                let mut ctx = self.context(
                    &path,
                    "Platforms".into(),
                    self.feeds_for("/", format!("{}: all changes", cfg.title)),
                    "platforms",
                );
                Self::insert(&mut ctx, "platforms", &self.platform_cards);
                self.render("platforms.html", path, ctx)
            }
            Job::Platform(pi) => self.platform_page(pi),
            Job::Document(pi, di) => self.document_page(pi, di),
            Job::Version(pi, di, si) => self.version_page(pi, di, si),
            Job::Section(pi, di, hi) => self.section_page(pi, di, hi),
            Job::Change(pi, ci) => self.change_page(pi, ci),
            Job::Topics => {
                let path = paths::topics();
                let mut ctx = self.context(
                    &path,
                    "Topics".into(),
                    self.feeds_for("/", format!("{}: all changes", cfg.title)),
                    "topics",
                );
                Self::insert(&mut ctx, "topics", &self.topic_cards());
                self.render("topics.html", path, ctx)
            }
            Job::Topic(ti) => self.topic_page(ti),
            Job::TopicChanges(ti, n) => self.topic_changes_page(ti, n),
            Job::Faq => {
                let path = "/faq/".to_string();
                let mut ctx = self.context(
                    &path,
                    "Frequently asked questions".into(),
                    self.feeds_for("/", format!("{}: all changes", cfg.title)),
                    "faq",
                );
                let entries: Vec<FaqView> = site.faq.iter().map(|f| FaqView::new(cfg, f)).collect();
                Self::insert(&mut ctx, "entries", &entries);
                Self::insert(&mut ctx, "json_ld", &faq_json_ld(site));
                self.render("faq.html", path, ctx)
            }
            Job::Page(i) => {
                let page = &site.pages[i];
                let path = paths::page(&page.slug);
                let mut ctx = self.context(
                    &path,
                    page.title.clone(),
                    self.feeds_for("/", format!("{}: all changes", cfg.title)),
                    "page",
                );
                Self::insert(&mut ctx, "title", &page.title);
                Self::insert(&mut ctx, "content", &page.body_html);
                self.render("page.html", path, ctx)
            }
            Job::Feeds => {
                let path = "/feeds/".to_string();
                let mut ctx = self.context(
                    &path,
                    "Feeds".into(),
                    self.feeds_for("/", format!("{}: all changes", cfg.title)),
                    "feeds",
                );
                Self::insert(&mut ctx, "groups", &self.feed_groups());
                self.render("feeds.html", path, ctx)
            }
            Job::Search => {
                let path = "/search/".to_string();
                let mut ctx = self.context(
                    &path,
                    "Search".into(),
                    self.feeds_for("/", format!("{}: all changes", cfg.title)),
                    "search",
                );
                Self::insert(&mut ctx, "index_url", &cfg.url("/search-index.json"));
                self.render("search.html", path, ctx)
            }
            Job::NotFound => {
                let ctx = self.context(
                    "/404.html",
                    "Page not found".into(),
                    self.feeds_for("/", format!("{}: all changes", cfg.title)),
                    "not-found",
                );
                self.render("404.html", "/404.html".into(), ctx)
            }
        }
    }

    fn topic_cards(&self) -> Vec<serde_json::Value> {
        topic_cards(self.site, &self.derived.comparisons, &self.orders)
    }

    fn feed_groups(&self) -> Vec<serde_json::Value> {
        let cfg = &self.site.config;
        let mut groups = vec![
            json!({"title": "Everything", "feeds": [FeedLinks::new(cfg, "/", "All changes on this site".into())]}),
        ];
        let mut platform_feeds = Vec::new();
        for p in &self.site.platforms {
            platform_feeds.push(FeedLinks::new(
                cfg,
                &paths::platform(&p.slug),
                format!("{}: all documents", p.name),
            ));
            for d in &p.documents {
                platform_feeds.push(FeedLinks::new(
                    cfg,
                    &paths::document(&p.slug, &d.id),
                    format!("{}: {}", p.name, d.title),
                ));
            }
        }
        groups.push(json!({"title": "By platform and document", "feeds": platform_feeds}));
        let topic_feeds: Vec<FeedLinks> = self
            .site
            .topics
            .iter()
            .map(|t| FeedLinks::new(cfg, &paths::topic(&t.slug), t.title.clone()))
            .collect();
        groups.push(json!({"title": "By topic", "feeds": topic_feeds}));
        groups
    }

    fn platform_page(&self, pi: usize) -> Result<(String, Vec<u8>), Diagnostic> {
        let site = self.site;
        let cfg = &site.config;
        let p = &site.platforms[pi];
        let path = paths::platform(&p.slug);
        let mut ctx = self.context(
            &path,
            p.name.clone(),
            self.feeds_for(&path, format!("{}: all changes", p.name)),
            "platform",
        );
        let timeline: Vec<serde_json::Value> = history::platform_timeline(p)
            .into_iter()
            .map(|e| match e {
                TimelineEntry::Change { change, .. } => {
                    let mut entry = serde_json::Map::new();
                    entry.insert("change".into(), self.listed(pi, change));
                    entry.insert("kind".into(), "change".into());
                    entry.into()
                }
                TimelineEntry::Version { document, snapshot, date } => {
                    let d = &p.documents[document];
                    let diff = self.derived.versions[pi][document][snapshot].as_ref();
                    json!({"kind": "version", "date": paths::date_text(date), "document": {"id": d.id, "title": d.title, "url": cfg.url(&paths::document(&p.slug, &d.id))},
                           "url": cfg.url(&paths::version(&p.slug, &d.id, date)), "first": snapshot == 0,
                           "stats": diff.map(|d| d.stats), "formatting_only": diff.is_some_and(|d| d.formatting_only)})
                }
            })
            .collect();
        let faq: Vec<FaqView> = site
            .faq
            .iter()
            .filter(|f| f.platform.as_deref() == Some(&p.slug))
            .map(|f| FaqView::new(cfg, f))
            .collect();
        Self::insert(
            &mut ctx,
            "platform",
            &json!({"slug": p.slug, "name": p.name, "website": p.url, "category": p.category, "description": p.description_html}),
        );
        Self::insert(&mut ctx, "documents", &self.platform_cards[pi]["documents"]);
        ctx.put("timeline", timeline.into());
        Self::insert(&mut ctx, "faq", &faq);
        self.render("platform.html", path, ctx)
    }

    fn document_page(&self, pi: usize, di: usize) -> Result<(String, Vec<u8>), Diagnostic> {
        let cfg = &self.site.config;
        let p = &self.site.platforms[pi];
        let d = &p.documents[di];
        let path = paths::document(&p.slug, &d.id);
        let mut ctx = self.context(
            &path,
            format!("{}: {}", p.name, d.title),
            self.feeds_for(&path, format!("{}: {}", p.name, d.title)),
            "document",
        );
        self.insert_document_head(&mut ctx, pi, di);
        let current = d.current();
        let sections: Vec<serde_json::Value> = current
            .map(|s| {
                s.sections
                    .iter()
                    .map(|x| {
                        let topics: Vec<Link> = x.topics.iter().map(|t| self.topic_link(t)).collect();
                        json!({"id": x.id, "anchor": x.anchor, "heading": x.heading, "html": section_html(&x.html, &x.anchor, &self.targets[pi][di][d.snapshots.len() - 1]), "topics": topics, "history_url": cfg.url(&paths::section(&p.slug, &d.id, &x.anchor))})
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self::insert(&mut ctx, "snapshot", &current.map(|s| json!({"date": paths::date_text(s.date), "title": s.title, "source_url": s.source_url, "url": cfg.url(&paths::version(&p.slug, &d.id, s.date))})));
        ctx.put("sections", sections.into());
        let versions: Vec<serde_json::Value> = d
            .snapshots
            .iter()
            .enumerate()
            .rev()
            .map(|(si, s)| {
                let diff = self.derived.versions[pi][di][si].as_ref();
                json!({"date": paths::date_text(s.date), "url": cfg.url(&paths::version(&p.slug, &d.id, s.date)), "first": si == 0, "stats": diff.map(|x| x.stats), "formatting_only": diff.is_some_and(|x| x.formatting_only)})
            })
            .collect();
        ctx.put("versions", versions.into());
        let changes: Vec<serde_json::Value> = p
            .changes
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, c)| c.document == d.id)
            .map(|(ci, _)| self.listed(pi, ci))
            .collect();
        ctx.put("changes", changes.into());
        self.render("document.html", path, ctx)
    }

    fn insert_document_head(&self, ctx: &mut PageContext, pi: usize, di: usize) {
        let cfg = &self.site.config;
        let p = &self.site.platforms[pi];
        let d = &p.documents[di];
        Self::insert(
            ctx,
            "platform",
            &Link {
                slug: p.slug.clone(),
                title: p.name.clone(),
                url: cfg.url(&paths::platform(&p.slug)),
            },
        );
        Self::insert(
            ctx,
            "document",
            &json!({"id": d.id, "title": d.title, "source": d.url, "url": cfg.url(&paths::document(&p.slug, &d.id))}),
        );
    }

    fn topic_link(&self, t: &str) -> Link {
        let cfg = &self.site.config;
        Link {
            slug: t.to_string(),
            title: self
                .site
                .topic(t)
                .map(|x| x.title.clone())
                .unwrap_or_else(|| t.to_string()),
            url: cfg.url(&paths::topic(t)),
        }
    }

    fn version_page(
        &self,
        pi: usize,
        di: usize,
        si: usize,
    ) -> Result<(String, Vec<u8>), Diagnostic> {
        let cfg = &self.site.config;
        let p = &self.site.platforms[pi];
        let d = &p.documents[di];
        let snap = &d.snapshots[si];
        let path = paths::version(&p.slug, &d.id, snap.date);
        let mut ctx = self.context(
            &path,
            format!("{}: {}, version of {}", p.name, d.title, snap.date),
            self.feeds_for(
                &paths::document(&p.slug, &d.id),
                format!("{}: {}", p.name, d.title),
            ),
            "version",
        );
        self.insert_document_head(&mut ctx, pi, di);
        let sections: Vec<serde_json::Value> = snap.sections.iter().map(|x| json!({"id": x.id, "anchor": x.anchor, "heading": x.heading, "html": section_html(&x.html, &x.anchor, &self.targets[pi][di][si]), "history_url": cfg.url(&paths::section(&p.slug, &d.id, &x.anchor))})).collect();
        Self::insert(
            &mut ctx,
            "snapshot",
            &json!({"date": paths::date_text(snap.date), "title": snap.title, "source_url": snap.source_url, "current": si + 1 == d.snapshots.len()}),
        );
        ctx.put("sections", sections.into());
        let link = |i: usize| json!({"date": paths::date_text(d.snapshots[i].date), "url": cfg.url(&paths::version(&p.slug, &d.id, d.snapshots[i].date))});
        Self::insert(&mut ctx, "previous", &si.checked_sub(1).map(link));
        Self::insert(
            &mut ctx,
            "next",
            &(si + 1 < d.snapshots.len()).then(|| link(si + 1)),
        );
        let diff = self.derived.versions[pi][di][si].as_ref().map(|x| {
            DiffView::new(
                cfg,
                &p.slug,
                &d.id,
                x,
                d.snapshots[si - 1].date,
                snap.date,
                &self.targets[pi][di][si],
                "",
            )
        });
        Self::insert(&mut ctx, "diff", &diff);
        let covering: Vec<serde_json::Value> = p
            .changes
            .iter()
            .enumerate()
            .filter(|(_, c)| {
                c.document == d.id
                    && c.to.is_some_and(|t| t >= snap.date)
                    && c.from.is_none_or(|f| f < snap.date)
            })
            .map(|(ci, _)| self.listed(pi, ci))
            .collect();
        ctx.put("changes", covering.into());
        self.render("version.html", path, ctx)
    }

    fn section_page(
        &self,
        pi: usize,
        di: usize,
        hi: usize,
    ) -> Result<(String, Vec<u8>), Diagnostic> {
        let cfg = &self.site.config;
        let p = &self.site.platforms[pi];
        let d = &p.documents[di];
        let h = &self.sections[pi][di][hi];
        let path = paths::section(&p.slug, &d.id, &h.anchor);
        let label = h.heading.clone().unwrap_or_else(|| h.id.clone());
        let mut ctx = self.context(
            &path,
            format!("{}: {}, “{}” through time", p.name, d.title, label),
            self.feeds_for(
                &paths::document(&p.slug, &d.id),
                format!("{}: {}", p.name, d.title),
            ),
            "section",
        );
        self.insert_document_head(&mut ctx, pi, di);
        let versions: Vec<serde_json::Value> = h
            .versions
            .iter()
            .rev()
            .map(|v| {
                let date = v.date;
                let records: Vec<&ChangeView> = p
                    .changes
                    .iter()
                    .enumerate()
                    .filter(|(_, c)| c.document == d.id && c.to.is_some_and(|t| t >= date) && c.from.is_none_or(|f| f < date))
                    .map(|(ci, _)| &*self.changes[pi][ci])
                    .collect();
                // Each version's text is on this page once: its ids get the version's date.
                let page = cfg.url(&paths::version(&p.slug, &d.id, date));
                let html = rewrite::scope_ids(&v.html, &["tt-", &paths::date_text(date), "--"].concat(), Some((&self.targets[pi][di][v.snapshot], &page)));
                json!({"date": paths::date_text(date), "url": cfg.url(&paths::version(&p.slug, &d.id, date)), "event": v.event, "heading": v.heading, "old_heading": v.old_heading,
                       "html": html, "diff_html": v.diff_html, "words_added": v.words_added, "words_removed": v.words_removed, "changes": records})
            })
            .collect();
        Self::insert(
            &mut ctx,
            "section",
            &json!({"id": h.id, "anchor": h.anchor, "heading": label, "current": h.current, "url": cfg.url(&format!("{}#{}", paths::document(&p.slug, &d.id), h.anchor))}),
        );
        ctx.put("versions", versions.into());
        self.render("section.html", path, ctx)
    }

    fn change_page(&self, pi: usize, ci: usize) -> Result<(String, Vec<u8>), Diagnostic> {
        let site = self.site;
        let cfg = &site.config;
        let p = &site.platforms[pi];
        let c = &p.changes[ci];
        let view = &self.changes[pi][ci];
        let path = paths::change(&p.slug, &c.key);
        let mut ctx = self.context(
            &path,
            view.full_title.clone(),
            self.feeds_for(
                &paths::platform(&p.slug),
                format!("{}: all changes", p.name),
            ),
            "change",
        );
        Self::insert(&mut ctx, "change", view);
        Self::insert(&mut ctx, "content", &c.body_html);
        let diff = self.derived.changes[pi][ci].as_ref().and_then(|x| {
            let (from, to) = (c.from?, c.to?);
            let di = p.documents.iter().position(|d| d.id == c.document)?;
            let ti = p.documents[di]
                .snapshots
                .iter()
                .position(|s| s.date == to)?;
            let page = cfg.url(&paths::version(&p.slug, &c.document, to));
            Some(DiffView::new(
                cfg,
                &p.slug,
                &c.document,
                x,
                from,
                to,
                &self.targets[pi][di][ti],
                &page,
            ))
        });
        Self::insert(&mut ctx, "diff", &diff);
        let earlier: Vec<serde_json::Value> = p.changes[..ci]
            .iter()
            .enumerate()
            .rev()
            .filter(|(_, e)| e.document == c.document)
            .map(|(i, _)| self.listed(pi, i))
            .collect();
        ctx.put("earlier", earlier.into());
        let comparisons: Vec<serde_json::Value> = c
            .topics
            .iter()
            .map(|t| {
                let excerpts: Vec<serde_json::Value> = self
                    .derived
                    .comparisons
                    .others_at(t, &p.slug, cfg.comparison_limit)
                    .into_iter()
                    .map(|i| self.listed_excerpt(t, i))
                    .collect();
                let mut comparison = serde_json::Map::new();
                comparison.insert("excerpts".into(), excerpts.into());
                comparison.insert("topic".into(), json!(self.topic_link(t)));
                comparison.into()
            })
            .collect();
        ctx.put("comparisons", comparisons.into());
        let related: Vec<serde_json::Value> = self
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
            // Not the ones listed as earlier changes to the same document.
            .filter(|&&(op, oc)| {
                !(op == pi && oc < ci && site.platforms[op].changes[oc].document == c.document)
            })
            .take(RELATED_CHANGES)
            .map(|&(op, oc)| self.listed(op, oc))
            .collect();
        ctx.put("related", related.into());
        self.render("change.html", path, ctx)
    }

    fn topic_page(&self, ti: usize) -> Result<(String, Vec<u8>), Diagnostic> {
        let site = self.site;
        let cfg = &site.config;
        let t = &site.topics[ti];
        let path = paths::topic(&t.slug);
        let mut ctx = self.context(
            &path,
            t.title.clone(),
            self.feeds_for(&path, t.title.clone()),
            "topic",
        );
        Self::insert(
            &mut ctx,
            "topic",
            &json!({"slug": t.slug, "title": t.title, "question": t.question, "content": t.body_html}),
        );
        let groups: Vec<serde_json::Value> = self
            .derived
            .comparisons
            .grouped(&t.slug)
            .into_iter()
            .map(|(slug, list)| {
                let name = list.first().map(|e| e.platform_name.clone()).unwrap_or_default();
                let excerpts: Vec<ExcerptView> = list.into_iter().map(|e| ExcerptView::new(cfg, e)).collect();
                json!({"platform": {"slug": slug, "title": name, "url": cfg.url(&paths::platform(slug))}, "excerpts": excerpts})
            })
            .collect();
        ctx.put("groups", groups.into());
        let records = self.topic_records(&t.slug);
        let changes: Vec<serde_json::Value> = records
            .iter()
            .take(TOPIC_CHANGES)
            .map(|&(p, c)| self.listed(p, c))
            .collect();
        ctx.put("changes", changes.into());
        Self::insert(&mut ctx, "change_count", &records.len());
        let all =
            (records.len() > TOPIC_CHANGES).then(|| cfg.url(&paths::topic_changes(&t.slug, 1)));
        Self::insert(&mut ctx, "all_changes_url", &all);
        self.render("topic.html", path, ctx)
    }

    /// Page `n` of the list of every change record about topic `ti`, newest first.
    fn topic_changes_page(&self, ti: usize, n: usize) -> Result<(String, Vec<u8>), Diagnostic> {
        let cfg = &self.site.config;
        let t = &self.site.topics[ti];
        let path = paths::topic_changes(&t.slug, n);
        let records = self.topic_records(&t.slug);
        let pages = topic_archive_pages(records.len());
        let title = if n > 1 {
            format!("Changes about {}, page {n} of {pages}", t.title)
        } else {
            format!("Changes about {}", t.title)
        };
        let mut ctx = self.context(
            &path,
            title,
            self.feeds_for(&paths::topic(&t.slug), t.title.clone()),
            "topic-changes",
        );
        Self::insert(
            &mut ctx,
            "topic",
            &json!({"slug": t.slug, "title": t.title, "url": cfg.url(&paths::topic(&t.slug))}),
        );
        let changes: Vec<serde_json::Value> = records
            .iter()
            .skip((n - 1) * TOPIC_ARCHIVE_PAGE)
            .take(TOPIC_ARCHIVE_PAGE)
            .map(|&(p, c)| self.listed(p, c))
            .collect();
        ctx.put("changes", changes.into());
        Self::insert(&mut ctx, "change_count", &records.len());
        let page =
            |k: usize| json!({"number": k, "url": cfg.url(&paths::topic_changes(&t.slug, k))});
        Self::insert(
            &mut ctx,
            "paginator",
            &json!({"number": n, "pages": pages, "first_index": (n - 1) * TOPIC_ARCHIVE_PAGE + 1,
                    "previous": (n > 1).then(|| page(n - 1)), "next": (n < pages).then(|| page(n + 1))}),
        );
        self.render("topic_changes.html", path, ctx)
    }

    /// The change records tagged with `topic`, newest first.
    fn topic_records(&self, topic: &str) -> &[(usize, usize)] {
        self.orders.by_topic.get(topic).map_or(&[], Vec::as_slice)
    }
}

/// A section's rendered text as the document and version pages show it: the ids inside it
/// (headings, footnotes) prefixed with `<anchor>--`, so they cannot clash with other sections'
/// anchors or ids. Section anchors never contain `--`.
fn section_html<'a>(
    html: &'a str,
    anchor: &str,
    targets: &rewrite::Targets,
) -> std::borrow::Cow<'a, str> {
    rewrite::scope_ids(html, &format!("{anchor}--"), Some((targets, "")))
}

/// Every platform's card, made once: the home page, the platform list and each platform
/// page show them.
pub fn platform_cards(site: &Site) -> Vec<serde_json::Value> {
    let cfg = &site.config;
    site
        .platforms
        .iter()
        .map(|p| {
            let last = p.changes.last().map(|c| paths::date_text(c.date));
            let docs: Vec<_> = p
                .documents
                .iter()
                .map(|d| json!({"id": d.id, "title": d.title, "url": cfg.url(&paths::document(&p.slug, &d.id)), "versions": d.snapshots.len(), "current": d.current().map(|s| paths::date_text(s.date))}))
                .collect();
            json!({"slug": p.slug, "name": p.name, "url": cfg.url(&paths::platform(&p.slug)), "category": p.category, "documents": docs, "changes": p.changes.len(), "last_change": last})
        })
        .collect()
}

/// The home and topics pages' cards of the topics: each with its counts of platforms
/// compared and of records.
pub fn topic_cards(
    site: &Site,
    comparisons: &Comparisons,
    orders: &RecordOrders,
) -> Vec<serde_json::Value> {
    let cfg = &site.config;
    site.topics
        .iter()
        .map(|t| {
            let platforms: BTreeSet<&str> = comparisons.by_topic.get(&t.slug).into_iter().flatten().map(|e| e.platform.as_str()).collect();
            let changes = orders.by_topic.get(&t.slug).map_or(0, Vec::len);
            json!({"slug": t.slug, "title": t.title, "question": t.question, "url": cfg.url(&paths::topic(&t.slug)), "platforms": platforms.len(), "changes": changes})
        })
        .collect()
}

/// schema.org FAQPage as JSON, safe to place inside `<script>`: `<`, `>` and `&` are escaped.
fn faq_json_ld(site: &Site) -> String {
    let entities: Vec<serde_json::Value> = site
        .faq
        .iter()
        .map(|f| json!({"@type": "Question", "name": f.question, "acceptedAnswer": {"@type": "Answer", "text": f.answer_text}}))
        .collect();
    let doc = json!({"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": entities});
    script_safe_json(&doc)
}

/// JSON with the characters that could end or confuse a `<script>` block escaped.
pub fn script_safe_json(v: &serde_json::Value) -> String {
    serde_json::to_string(v)
        .unwrap_or_default()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
        .replace('\u{2028}', "\\u2028")
        .replace('\u{2029}', "\\u2029")
}

/// Every internal link must name a file the build writes (or a static file).
fn check_links(
    links: &[InternalLink],
    exists: impl Fn(&str) -> bool,
    page_files: &[String],
) -> Result<(), Diagnostics> {
    let mut diags = Vec::new();
    for l in links {
        let target = l.target.split(['#', '?']).next().unwrap_or("");
        let file = paths::file_for(target);
        let ok = exists(&file)
            || (!target.ends_with('/')
                && exists(&format!("{}/index.html", target.trim_start_matches('/'))));
        if !ok {
            let pages: Vec<String> = page_files
                .iter()
                .filter(|k| k.ends_with("index.html"))
                .map(|k| format!("/{}", k.trim_end_matches("index.html")))
                .collect();
            let help = did_you_mean(target, pages.iter().map(String::as_str)).unwrap_or_else(|| "link to a page the site builds, such as /platforms/ or /faq/ (paths end with /)".into());
            diags.push(
                Diagnostic::error(
                    &*l.file,
                    format!("the link `{}` names no page that the build makes", l.target),
                )
                .at(l.line, l.column)
                .help(help),
            );
        }
    }
    if diags.is_empty() {
        Ok(())
    } else {
        Err(Diagnostics(diags))
    }
}
