//! What `serve` keeps from one load to the next, so that a rebuild re-reads and re-renders only
//! what an edit touched. `build` and `check` load without it.
//!
//! Every entry is keyed by everything its value depends on, and a hit is checked for equality,
//! not trusted to a hash: a load with a cache gives exactly what a load without one gives.
//! - a file's parse result, by its path, size, modification time and inode (and a path named
//!   by the watcher is read again whatever its stamp says);
//! - a document's snapshots (anchors and HTML), by the document's title, the base path and the
//!   paths and content hashes of its snapshot files;
//! - rendered Markdown, by its text, file, first line and base path.
//!
//! Entries not used by a load are dropped after it, so the cache holds one site, not a history.

use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::SystemTime;

use crate::error::Diagnostic;
use crate::markdown::{self, Source};
use crate::model::{InternalLink, Snapshot};

use super::files::FoundFile;
use super::{Parsed, PendingSnapshot};

/// The caches of one `serve` session. See the module documentation.
#[derive(Default)]
pub struct LoadCache {
    files: Mutex<HashMap<String, CachedFile>>,
    /// Paths to read again whatever their stamp says (named by file-system events).
    stale: Mutex<HashSet<String>>,
    all_stale: Mutex<bool>,
    documents: Mutex<HashMap<u64, Vec<Arc<CachedDocument>>>>,
    markdown: Mutex<HashMap<u64, Vec<Arc<CachedMarkdown>>>>,
    /// Keys used by the load under way; everything else is dropped when it ends.
    used_documents: Mutex<HashSet<u64>>,
    used_markdown: Mutex<HashSet<u64>>,
    seen_files: Mutex<HashSet<String>>,
}

/// What identifies a version of a file without reading it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

impl Stamp {
    fn of(path: &std::path::Path) -> Option<Stamp> {
        let m = std::fs::metadata(path).ok()?;
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(&m);
        #[cfg(not(unix))]
        let inode = 0;
        Some(Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            inode,
        })
    }
}

struct CachedFile {
    stamp: Stamp,
    hash: u64,
    parsed: Result<Parsed, Vec<Diagnostic>>,
}

struct CachedDocument {
    title: String,
    base_path: String,
    files: Vec<(String, u64)>,
    snapshots: Vec<Snapshot>,
    links: Vec<InternalLink>,
}

struct CachedMarkdown {
    md: String,
    file: String,
    first_line: usize,
    base_path: String,
    html: String,
    links: Vec<InternalLink>,
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

    pub(super) fn begin(&self) {
        lock(&self.used_documents).clear();
        lock(&self.used_markdown).clear();
        lock(&self.seen_files).clear();
    }

    /// Drops what the load that just ended did not use.
    pub(super) fn finish(&self) {
        let seen = std::mem::take(&mut *lock(&self.seen_files));
        lock(&self.files).retain(|k, _| seen.contains(k));
        let used = std::mem::take(&mut *lock(&self.used_documents));
        lock(&self.documents).retain(|k, _| used.contains(k));
        let used = std::mem::take(&mut *lock(&self.used_markdown));
        lock(&self.markdown).retain(|k, _| used.contains(k));
        lock(&self.stale).clear();
        *lock(&self.all_stale) = false;
    }

    /// The parse result of `f`: from the cache when the file is unchanged, else from `parse`.
    pub(super) fn parsed(
        &self,
        f: &FoundFile,
        parse: impl FnOnce() -> Result<Parsed, Vec<Diagnostic>>,
    ) -> Result<Parsed, Vec<Diagnostic>> {
        lock(&self.seen_files).insert(f.rel.clone());
        let stamp = Stamp::of(&f.path);
        let stale = *lock(&self.all_stale) || lock(&self.stale).contains(&f.rel);
        if let (Some(stamp), false) = (stamp, stale) {
            if let Some(c) = lock(&self.files).get(&f.rel) {
                if c.stamp == stamp {
                    return c.parsed.clone();
                }
            }
        }
        let parsed = parse();
        // The hash is of the text that was parsed; a file that cannot be parsed is read again.
        let hash = match &parsed {
            Ok(p) => Some(hash_of(&source_of(p))),
            Err(_) => None,
        };
        match (stamp, hash) {
            (Some(stamp), Some(hash)) => {
                lock(&self.files).insert(
                    f.rel.clone(),
                    CachedFile {
                        stamp,
                        hash,
                        parsed: parsed.clone(),
                    },
                );
            }
            _ => {
                lock(&self.files).remove(&f.rel);
            }
        }
        parsed
    }

    /// A document's snapshots, built by `build` unless the same files built them last time.
    pub(super) fn snapshots(
        &self,
        snaps: Vec<PendingSnapshot>,
        title: &str,
        base_path: &str,
        build: impl FnOnce(Vec<PendingSnapshot>) -> (Vec<Snapshot>, Vec<InternalLink>),
    ) -> (Vec<Snapshot>, Vec<InternalLink>) {
        let files: Option<Vec<(String, u64)>> = snaps
            .iter()
            .map(|s| Some((s.file.clone(), self.file_hash(&s.file)?)))
            .collect();
        let Some(files) = files else {
            return build(snaps);
        };
        let key = hash_of(&(title, base_path, &files));
        lock(&self.used_documents).insert(key);
        let hit = lock(&self.documents).get(&key).and_then(|list| {
            list.iter()
                .find(|d| d.title == title && d.base_path == base_path && d.files == files)
                .cloned()
        });
        if let Some(d) = hit {
            return (d.snapshots.clone(), d.links.clone());
        }
        let (snapshots, links) = build(snaps);
        let entry = Arc::new(CachedDocument {
            title: title.to_string(),
            base_path: base_path.to_string(),
            files,
            snapshots: snapshots.clone(),
            links: links.clone(),
        });
        lock(&self.documents).entry(key).or_default().push(entry);
        (snapshots, links)
    }

    /// `markdown::render`, remembered.
    pub(super) fn render(&self, md: &str, src: Source<'_>) -> markdown::Rendered {
        let key = hash_of(&(md, src.file, src.first_line, src.base_path));
        lock(&self.used_markdown).insert(key);
        let hit = lock(&self.markdown).get(&key).and_then(|list| {
            list.iter()
                .find(|m| {
                    m.md == md
                        && m.file == src.file
                        && m.first_line == src.first_line
                        && m.base_path == src.base_path
                })
                .cloned()
        });
        if let Some(m) = hit {
            return markdown::Rendered {
                html: m.html.clone(),
                links: m.links.clone(),
            };
        }
        let r = markdown::render(md, src);
        let entry = Arc::new(CachedMarkdown {
            md: md.to_string(),
            file: src.file.to_string(),
            first_line: src.first_line,
            base_path: src.base_path.to_string(),
            html: r.html.clone(),
            links: r.links.clone(),
        });
        lock(&self.markdown).entry(key).or_default().push(entry);
        r
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
