//! What `serve` keeps from one load to the next, so that a rebuild re-reads and re-renders only
//! what an edit touched. `build` and `check` load without it.
//!
//! Every entry is keyed by everything its value depends on, and a hit is checked for equality,
//! not trusted to a hash: a load with a cache gives exactly what a load without one gives.
//! - a file's parse result, by its path, size, modification time and inode (and a path named
//!   by the watcher is read again whatever its stamp says), or by its text when read again;
//! - a document's snapshots (anchors and HTML), by the document's title, the base path and the
//!   paths and content hashes of its snapshot files;
//! - rendered Markdown, by its text, file, first line and base path; a change record's body
//!   is kept with its parse result instead, by the base path ([`RenderedBody`]), so that an
//!   unchanged record's body is not even hashed;
//! - a change record, with its parse result, by the base path and its document's snapshot
//!   dates ([`ResolvedChange`]).
//!
//! Entries not used by a load are dropped after it, so the cache holds one site, not a history.
//! Values are shared, not copied: a hit costs a pointer, and an unchanged document's snapshots
//! and change records are the same allocations in the sites of two loads.

use std::collections::HashMap;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use jiff::civil::Date;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::error::Diagnostic;
use crate::markdown::{self, Source};
use crate::model::{ChangeRecord, Document, InternalLink};

use super::files::{self, FoundFile, Stamp};
use super::{BuiltDocument, Kind, Parsed, PendingSnapshot};

/// The caches of one `serve` session. See the module documentation.
#[derive(Default)]
pub struct LoadCache {
    /// By path; hashed with Fx, as every load looks up every file (some more than once).
    files: Mutex<FxHashMap<String, CachedFile>>,
    /// Paths to read again whatever their stamp says (named by file-system events).
    stale: Mutex<FxHashSet<String>>,
    all_stale: Mutex<bool>,
    /// Set by [`LoadCache::trust_events`]: the files of `content/` come from `listing` and the
    /// paths named since, not from a walk.
    trust_events: bool,
    /// The last walk's files, when it found no problem.
    listing: Mutex<Option<Vec<FoundFile>>>,
    documents: Mutex<HashMap<u64, Vec<CachedDocument>>>,
    markdown: Mutex<HashMap<u64, Vec<CachedMarkdown>>>,
    /// Counts loads: an entry whose `seen` is not the current load's was not used by it.
    load: AtomicU64,
}

struct CachedFile {
    stamp: Stamp,
    hash: u64,
    parsed: Arc<Parsed>,
    seen: u64,
}

struct CachedDocument {
    title: String,
    base_path: String,
    files: Vec<(String, u64)>,
    built: Arc<BuiltDocument>,
    seen: u64,
}

struct CachedMarkdown {
    md: String,
    file: String,
    first_line: usize,
    base_path: String,
    html: String,
    links: Vec<InternalLink>,
    seen: u64,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

fn hash_of(value: &impl Hash) -> u64 {
    let mut h = DefaultHasher::new();
    value.hash(&mut h);
    h.finish()
}

impl LoadCache {
    pub fn new() -> LoadCache {
        LoadCache::default()
    }

    /// Every change to the site's files will be named with [`LoadCache::invalidate`] (or
    /// [`LoadCache::invalidate_all`]), as `serve`'s watcher does: loads then walk again only the
    /// folders of the paths named, and files not named are not even looked at.
    pub fn trust_events(&mut self) {
        self.trust_events = true;
    }

    /// The next load reads `rel` (a path relative to the site root, `/`-separated) again.
    pub fn invalidate(&self, rel: &str) {
        lock(&self.stale).insert(rel.to_string());
    }

    /// The next load reads every file again (Markdown and snapshots still come from the cache
    /// when their text is unchanged).
    pub fn invalidate_all(&self) {
        *lock(&self.all_stale) = true;
    }

    /// The content hash of a file as the last load read it.
    pub fn file_hash(&self, rel: &str) -> Option<u64> {
        lock(&self.files).get(rel).map(|f| f.hash)
    }

    /// How many files the cache holds (for tests and reports).
    pub fn file_count(&self) -> usize {
        lock(&self.files).len()
    }

    /// The files under `dir` (the site's `content/`): walked, or with [`LoadCache::trust_events`]
    /// the last walk's brought up to date for the paths named since.
    pub(super) fn found_files(
        &self,
        root: &Path,
        dir: &Path,
        diags: &mut Vec<Diagnostic>,
    ) -> Vec<FoundFile> {
        // Taken in any case: a full walk that finds a problem must not leave the listing it
        // replaced behind.
        let listing = lock(&self.listing).take();
        let before = listing.filter(|_| self.trust_events && !*lock(&self.all_stale));
        let mut errors = Vec::new();
        let found = match before {
            Some(before) => {
                let changed: Vec<String> = lock(&self.stale).iter().cloned().collect();
                files::rewalk(root, dir, before, &changed, &mut errors)
            }
            None => files::walk(root, dir, &mut errors, true),
        };
        // After a problem (a link that leaves the site, an unreadable folder) the next load
        // walks everything again, and reports the problem again if it is still there. So it
        // does while the site has linked files: an edit of a link's target names the target,
        // not the link.
        let linked = || found.iter().any(|f| f.path != root.join(&f.rel));
        if self.trust_events && errors.is_empty() && !linked() {
            *lock(&self.listing) = Some(found.clone());
        }
        diags.extend(errors);
        found
    }

    pub(super) fn begin(&self) {
        self.load.fetch_add(1, Ordering::Relaxed);
    }

    /// Drops what the load that just ended did not use.
    pub(super) fn finish(&self) {
        let load = self.load.load(Ordering::Relaxed);
        lock(&self.files).retain(|_, f| f.seen == load);
        lock(&self.documents).retain(|_, list| {
            list.retain(|d| d.seen == load);
            !list.is_empty()
        });
        lock(&self.markdown).retain(|_, list| {
            list.retain(|m| m.seen == load);
            !list.is_empty()
        });
    }

    /// The parse result of each file (in order): from the cache when the file's stamp is
    /// unchanged, else from `parse` of what `read` gives, in parallel. A file read again whose
    /// text is the same (touched, or every file read again) keeps its parse result and the
    /// rendered Markdown and change record that hang on it.
    pub(super) fn parse_all(
        &self,
        found: Vec<FoundFile>,
        read: impl Fn(&FoundFile) -> Result<(Kind, String), Vec<Diagnostic>> + Sync,
        parse: impl Fn(String, String, Kind) -> Result<Parsed, Vec<Diagnostic>> + Sync,
    ) -> Vec<Result<Arc<Parsed>, Vec<Diagnostic>>> {
        let load = self.load.load(Ordering::Relaxed);
        // Taken, not cleared at the end: a path named while this load runs is read by the next.
        let stale = std::mem::take(&mut *lock(&self.stale));
        let all_stale = std::mem::take(&mut *lock(&self.all_stale));
        let mut out = Vec::with_capacity(found.len());
        let mut todo = Vec::new();
        {
            let mut files = lock(&self.files);
            for (i, f) in found.into_iter().enumerate() {
                let mut before = None;
                if let Some(c) = files.get_mut(&f.rel) {
                    c.seen = load;
                    if f.stamp == Some(c.stamp) && !all_stale && !stale.contains(&f.rel) {
                        out.push(Some(Ok(c.parsed.clone())));
                        continue;
                    }
                    before = Some((c.parsed.clone(), c.hash));
                }
                out.push(None);
                todo.push((i, f, before));
            }
        }
        let parsed: Vec<_> = todo
            .into_par_iter()
            .map(|(i, f, before)| {
                let parsed = read(&f).and_then(|(kind, src)| {
                    let hash = hash_of(&src.as_str());
                    match before {
                        Some((p, h)) if h == hash && source_of(&p) == src => Ok((p, hash)),
                        _ => {
                            let mut p = parse(src, f.rel.clone(), kind)?;
                            if let Parsed::Snapshot { hash: h, .. } = &mut p {
                                *h = hash;
                            }
                            Ok((Arc::new(p), hash))
                        }
                    }
                });
                (i, f, parsed)
            })
            .collect();
        let mut files = lock(&self.files);
        for (i, f, parsed) in parsed {
            match (&parsed, f.stamp) {
                (Ok((p, hash)), Some(stamp)) => {
                    let entry = CachedFile {
                        stamp,
                        hash: *hash,
                        parsed: p.clone(),
                        seen: load,
                    };
                    files.insert(f.rel, entry);
                }
                // A file that cannot be parsed (or stamped) is not kept, so it is read again.
                _ => {
                    files.remove(&f.rel);
                }
            }
            out[i] = Some(parsed.map(|(p, _)| p));
        }
        out.into_iter()
            .map(|p| p.expect("every file parsed"))
            .collect()
    }

    /// A document's snapshots, built by `build` unless the same files built them last time.
    pub(super) fn snapshots(
        &self,
        snaps: &[PendingSnapshot<'_>],
        title: &str,
        base_path: &str,
        build: impl FnOnce() -> Arc<BuiltDocument>,
    ) -> Arc<BuiltDocument> {
        let files: Vec<(&str, u64)> = snaps.iter().map(|s| (s.file, s.hash)).collect();
        let key = hash_of(&(title, base_path, &files));
        let load = self.load.load(Ordering::Relaxed);
        if let Some(list) = lock(&self.documents).get_mut(&key) {
            let hit = list.iter_mut().find(|d| {
                d.title == title
                    && d.base_path == base_path
                    && d.files
                        .iter()
                        .map(|(f, h)| (f.as_str(), *h))
                        .eq(files.iter().copied())
            });
            if let Some(d) = hit {
                d.seen = load;
                return d.built.clone();
            }
        }
        let built = build();
        let entry = CachedDocument {
            title: title.to_string(),
            base_path: base_path.to_string(),
            files: files.iter().map(|(f, h)| (f.to_string(), *h)).collect(),
            built: built.clone(),
            seen: load,
        };
        lock(&self.documents).entry(key).or_default().push(entry);
        built
    }

    /// `markdown::render`, remembered.
    pub(super) fn render(&self, md: &str, src: Source<'_>) -> markdown::Rendered {
        let key = hash_of(&(md, src.file, src.first_line, src.base_path));
        let load = self.load.load(Ordering::Relaxed);
        if let Some(list) = lock(&self.markdown).get_mut(&key) {
            let hit = list.iter_mut().find(|m| {
                m.md == md
                    && m.file == src.file
                    && m.first_line == src.first_line
                    && m.base_path == src.base_path
            });
            if let Some(m) = hit {
                m.seen = load;
                return markdown::Rendered {
                    html: m.html.clone(),
                    links: m.links.clone(),
                };
            }
        }
        let r = markdown::render(md, src);
        let entry = CachedMarkdown {
            md: md.to_string(),
            file: src.file.to_string(),
            first_line: src.first_line,
            base_path: src.base_path.to_string(),
            html: r.html.clone(),
            links: r.links.clone(),
            seen: load,
        };
        lock(&self.markdown).entry(key).or_default().push(entry);
        r
    }
}

/// A Markdown body rendered for the parse result that holds it: the text, file and first line
/// are the holder's, so the base path is the whole key.
#[derive(Default)]
pub(super) struct RenderedBody(Mutex<Option<BodyMemo>>);

struct BodyMemo {
    base_path: String,
    html: String,
    links: Vec<InternalLink>,
}

impl RenderedBody {
    /// What `render` (of the holder's own text, file and first line) gives for `base_path`.
    pub(super) fn get(
        &self,
        base_path: &str,
        render: impl FnOnce() -> markdown::Rendered,
    ) -> markdown::Rendered {
        let mut memo = lock(&self.0);
        if let Some(m) = memo.as_ref().filter(|m| m.base_path == base_path) {
            return markdown::Rendered {
                html: m.html.clone(),
                links: m.links.clone(),
            };
        }
        let r = render();
        *memo = Some(BodyMemo {
            base_path: base_path.to_string(),
            html: r.html.clone(),
            links: r.links.clone(),
        });
        r
    }
}

/// A change record as resolved for the parse result that holds it, by the base path and the
/// dates of its document's snapshots; the caller checks that the document and the record's
/// topics still exist, and all else it depends on is the holder's. Only a record resolved
/// without diagnostics is kept, with the links in its body.
#[derive(Default)]
pub(super) struct ResolvedChange(Mutex<Option<ResolvedMemo>>);

struct ResolvedMemo {
    base_path: String,
    dates: Vec<Date>,
    record: Arc<ChangeRecord>,
    links: Vec<InternalLink>,
}

impl ResolvedChange {
    pub(super) fn get(
        &self,
        base_path: &str,
        doc: &Document,
    ) -> Option<(Arc<ChangeRecord>, Vec<InternalLink>)> {
        let memo = lock(&self.0);
        let m = memo.as_ref()?;
        let same_dates = m
            .dates
            .iter()
            .copied()
            .eq(doc.snapshots.iter().map(|s| s.date));
        (m.base_path == base_path && same_dates).then(|| (m.record.clone(), m.links.clone()))
    }

    pub(super) fn set(
        &self,
        base_path: &str,
        doc: &Document,
        record: Arc<ChangeRecord>,
        links: &[InternalLink],
    ) {
        *lock(&self.0) = Some(ResolvedMemo {
            base_path: base_path.to_string(),
            dates: doc.snapshots.iter().map(|s| s.date).collect(),
            record,
            links: links.to_vec(),
        });
    }
}

/// The source text a parse result was made from.
fn source_of(p: &Parsed) -> &str {
    match p {
        Parsed::Platform(_, m) => &m.src,
        Parsed::Snapshot { src, .. } | Parsed::Change { src, .. } => src,
        Parsed::Topic(_, src, _) | Parsed::Faq(_, src, _) | Parsed::Page(_, src, _) => src,
    }
}

/// `markdown::render` through the cache when there is one.
pub(super) fn render_md(
    cache: Option<&LoadCache>,
    md: &str,
    src: Source<'_>,
) -> markdown::Rendered {
    match cache {
        Some(c) => c.render(md, src),
        None => markdown::render(md, src),
    }
}
