//! The build cache: a build whose inputs are those of the build that wrote the output, into
//! an output nobody touched since, has nothing to do.
//!
//! A build without warnings writes a manifest line into the output's marker file
//! (`output::MARKER`) before the new output is swapped in: a hash of every input (the bytes
//! and paths of `site.yaml`, `content/`, `static/` and `themes/`, the options that change the
//! output, and the termtrail binary itself), a hash of the output's shape (every file's path
//! and size), and the counts the report shows. The next build hashes its inputs; when they
//! match and the output is as it was left (same paths and sizes, no file changed since the
//! marker was last touched, by ctime), it reports the output as
//! unchanged without loading, rendering or writing anything. Inputs are hashed by content, not
//! by modification time, so a file restored with an old mtime or edited within one clock tick
//! still invalidates the cache; the manifest holds nothing specific to the folder, so two
//! builds of the same input still give the same bytes, marker included.

use std::collections::hash_map::DefaultHasher;
use std::fs;
use std::hash::Hasher;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use walkdir::WalkDir;

use crate::content::files::content_hash;
use crate::output::MARKER;

/// What the manifest line starts with; the version changes with its format.
const TAG: &str = "build-cache: v1";

/// The identity of a build's inputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fingerprint(u64);

/// What a build reported, kept to report it again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Counts {
    pub platforms: usize,
    pub documents: usize,
    pub versions: usize,
    pub changes: usize,
    pub pages: usize,
    pub files: usize,
}

/// Whether the output holds a manifest to compare a build's inputs with. Without one, a build
/// hashes its content after loading it, from the bytes loading read (see `Inputs`).
pub fn has_manifest(out: &Path) -> bool {
    fs::read_to_string(out.join(MARKER)).is_ok_and(|t| t.lines().any(|l| l.starts_with(TAG)))
}

/// A build's inputs, hashed: every file with the hash of its bytes, in order, and what else
/// changes the output. Files under `content/` may be left to hash later, from what loading read.
pub struct Inputs {
    head: DefaultHasher,
    /// Path from the root, and the hash of the file's bytes or where to read them later.
    files: Vec<(String, FileHash)>,
}

enum FileHash {
    Hashed(u64),
    Later(PathBuf),
}

impl Inputs {
    /// Hashes the inputs of a build of `root`, leaving out the content's bytes when
    /// `defer_content`; `None` when the binary cannot be identified (then nothing is cached).
    pub fn hash(
        root: &Path,
        drafts: bool,
        base_url: Option<&str>,
        defer_content: bool,
    ) -> Option<Inputs> {
        let exe = fs::metadata(std::env::current_exe().ok()?).ok()?;
        let exe_time = exe
            .modified()
            .ok()?
            .duration_since(std::time::UNIX_EPOCH)
            .ok()?;
        let mut head = DefaultHasher::new();
        head.write(env!("CARGO_PKG_VERSION").as_bytes());
        head.write_u64(exe.len());
        head.write_u128(exe_time.as_nanos());
        head.write_u8(drafts as u8);
        head.write(base_url.unwrap_or("\u{0}none").as_bytes());
        head.write_u8(0xff);
        let mut found: Vec<(String, PathBuf, bool)> = Vec::new();
        for top in ["site.yaml", "content", "static", "themes"] {
            for entry in WalkDir::new(root.join(top))
                .follow_links(false)
                .sort_by_file_name()
            {
                match entry {
                    Ok(e) if !e.file_type().is_dir() => {
                        let rel = e
                            .path()
                            .strip_prefix(root)
                            .unwrap_or(e.path())
                            .to_string_lossy()
                            .into_owned();
                        // A path that is not UTF-8 has a lossy `rel`, which another path may
                        // share: such a file is hashed here, never from what loading read.
                        let later =
                            defer_content && top == "content" && e.path().to_str().is_some();
                        found.push((rel, e.into_path(), later));
                    }
                    Ok(_) => {}
                    // A missing optional folder is fine; any other error is hashed as such.
                    Err(e) => found.push((format!("\u{0}error {e}"), PathBuf::new(), false)),
                }
            }
        }
        // Each file's bytes hashed in parallel; they are combined in order in `fingerprint`.
        let files = found
            .into_par_iter()
            .map(|(rel, path, later)| match later {
                true => (rel, FileHash::Later(path)),
                false => (rel, FileHash::Hashed(read_hash(&path))),
            })
            .collect();
        Some(Inputs { head, files })
    }

    /// The fingerprint of these inputs. Files not hashed yet are taken from `read` (path from
    /// the root → `content::files::content_hash` of the bytes a build read) or read now.
    pub fn fingerprint(&self, read: &FxHashMap<&str, u64>) -> Fingerprint {
        let mut h = self.head.clone();
        for (rel, hash) in &self.files {
            let hash = match hash {
                FileHash::Hashed(hash) => *hash,
                FileHash::Later(path) => match read.get(rel.as_str()) {
                    Some(&hash) => hash,
                    None => read_hash(path),
                },
            };
            h.write(rel.as_bytes());
            h.write_u8(0);
            h.write_u64(hash);
        }
        Fingerprint(h.finish())
    }
}

/// The hash of a file's bytes, or of why it cannot be read.
fn read_hash(path: &Path) -> u64 {
    match fs::read(path) {
        Ok(bytes) => content_hash(&bytes),
        Err(e) => xxhash_rust::xxh3::xxh3_64_with_seed(
            format!("\u{0}unreadable {:?}", e.kind()).as_bytes(),
            u64::MAX,
        ),
    }
}

/// The output's shape, and whether any of its files changed after `since` (by ctime).
fn output_shape(out: &Path, since: (i64, i64)) -> Option<u64> {
    let mut h = DefaultHasher::new();
    // The output folder itself comes first, as a folder with an empty path.
    let root = std::iter::once((String::new(), None));
    for (rel, size) in root.chain(shape_under(out, "", since)?) {
        h.write(rel.as_bytes());
        h.write_u8(if size.is_none() { 1 } else { 0 });
        h.write_u64(size.unwrap_or(0));
    }
    Some(h.finish())
}

/// Paths in an output, each with its size, or `None` for a folder.
type ShapeEntries = Vec<(String, Option<u64>)>;

/// The entries under `dir` (whose path in the output is `prefix`), each folder before what it
/// holds and the entries of a folder by name: `(path, None)` for a folder, `(path, Some(size))`
/// for a file. `None` when a file changed after `since` or cannot be read. Folders are read in
/// parallel: with a folder per page, a no-op rebuild is mostly these thousands of `open`,
/// `readdir` and `stat` calls.
fn shape_under(dir: &Path, prefix: &str, since: (i64, i64)) -> Option<ShapeEntries> {
    let mut names: Vec<(std::ffi::OsString, bool)> = Vec::new();
    for entry in fs::read_dir(dir).ok()? {
        let entry = entry.ok()?;
        names.push((entry.file_name(), entry.file_type().ok()?.is_dir()));
    }
    names.sort_unstable();
    let parts: Vec<Option<ShapeEntries>> = names
        .par_iter()
        .map(|(file_name, is_dir)| {
            let path = dir.join(file_name);
            let name = file_name.to_string_lossy();
            let rel = if prefix.is_empty() {
                name.into_owned()
            } else {
                format!("{prefix}/{name}")
            };
            if rel == MARKER {
                Some(Vec::new())
            } else if *is_dir {
                let mut v = vec![(rel.clone(), None)];
                v.extend(shape_under(&path, &rel, since)?);
                Some(v)
            } else {
                // Folders change with every swap, so only files are looked at: one changed since the
                // marker was last touched was edited by hand.
                let meta = fs::symlink_metadata(&path).ok()?;
                (changed_time(&meta) <= since).then(|| vec![(rel, Some(meta.len()))])
            }
        })
        .collect();
    let mut all = Vec::new();
    for p in parts {
        all.extend(p?);
    }
    Some(all)
}

/// The shape `output_shape` finds on disk, worked out from the list of the files written
/// instead of walking them again: the walk visits a folder before what it holds, and the
/// entries of each folder by name, which is the order of the paths' parts compared one by one.
fn shape_of_listing(files: &[(String, u64)]) -> u64 {
    let mut entries: Vec<(Vec<&str>, Option<u64>)> = Vec::with_capacity(files.len() * 2);
    let mut folders: rustc_hash::FxHashSet<&str> = Default::default();
    entries.push((Vec::new(), None));
    for (name, len) in files {
        if name == MARKER {
            continue;
        }
        let mut end = 0;
        while let Some(i) = name[end..].find('/') {
            end += i;
            let folder = &name[..end];
            if folders.insert(folder) {
                entries.push((folder.split('/').collect(), None));
            }
            end += 1;
        }
        entries.push((name.split('/').collect(), Some(*len)));
    }
    entries.sort_unstable_by(|a, b| {
        let (a, b) = (
            a.0.iter().map(|p| p.as_bytes()),
            b.0.iter().map(|p| p.as_bytes()),
        );
        a.cmp(b)
    });
    let mut h = DefaultHasher::new();
    for (parts, len) in &entries {
        h.write(parts.join("/").as_bytes());
        h.write_u8(if len.is_none() { 1 } else { 0 });
        h.write_u64(len.unwrap_or(0));
    }
    h.finish()
}

/// When a file's inode last changed (unix ctime, which no one can set back), else its mtime.
fn changed_time(meta: &fs::Metadata) -> (i64, i64) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        (meta.ctime(), meta.ctime_nsec())
    }
    #[cfg(not(unix))]
    {
        meta.modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| (d.as_secs() as i64, d.subsec_nanos() as i64))
            .unwrap_or((i64::MAX, 0))
    }
}

/// The counts of the build that wrote `out`, when its inputs were `fp` and the output is intact.
pub fn reuse(out: &Path, fp: Fingerprint) -> Option<Counts> {
    let marker = out.join(MARKER);
    let text = fs::read_to_string(&marker).ok()?;
    let line = text.lines().find_map(|l| l.strip_prefix(TAG))?;
    let v: Vec<&str> = line.split_whitespace().collect();
    let [input, shape, platforms, documents, versions, changes, pages, files] = v[..] else {
        return None;
    };
    if u64::from_str_radix(input, 16).ok()? != fp.0 {
        return None;
    }
    let since = changed_time(&fs::metadata(&marker).ok()?);
    if u64::from_str_radix(shape, 16).ok()? != output_shape(out, since)? {
        return None;
    }
    Some(Counts {
        platforms: platforms.parse().ok()?,
        documents: documents.parse().ok()?,
        versions: versions.parse().ok()?,
        changes: changes.parse().ok()?,
        pages: pages.parse().ok()?,
        files: files.parse().ok()?,
    })
}

/// The manifest line for the marker of an output that a build from inputs `fp` writes with the
/// files of `listing`; `output::Staging::finish` puts it into the marker before the swap.
pub fn manifest(fp: Fingerprint, c: Counts, listing: &[(String, u64)]) -> String {
    let shape = shape_of_listing(listing);
    format!(
        "{TAG} {:016x} {shape:016x} {} {} {} {} {} {}\n",
        fp.0, c.platforms, c.documents, c.versions, c.changes, c.pages, c.files
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::Staging;
    use crate::render::Rendered;

    #[test]
    fn the_shape_of_the_listing_is_the_shape_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        // Names whose order differs between whole paths and their parts (`a-b/` sorts before
        // `a/` by bytes, after it by parts), files beside folders of a similar name, capitals
        // and non-ASCII.
        let names = [
            "index.html",
            "a/index.html",
            "a-b/index.html",
            "a.txt",
            "a/b/c/index.html",
            "a/b.json",
            "B/index.html",
            "é/x.xml",
            "z",
        ];
        let staging = Staging::create(&out).unwrap();
        for (i, n) in names.iter().enumerate().skip(2) {
            staging.put(n, &vec![b'x'; i * 7]);
        }
        let mut rest = Rendered::new();
        rest.insert(names[0].into(), b"home".to_vec());
        rest.insert(names[1].into(), Vec::new());
        let (_, listing) = staging
            .finish(&rest, &[], &[], &|_, _| String::new())
            .unwrap();
        assert_eq!(listing.len(), names.len() + 1, "the marker is listed too");
        assert_eq!(
            Some(shape_of_listing(&listing)),
            output_shape(&out, (i64::MAX, 0))
        );
        // And it is a shape: another size gives another hash.
        let mut other = listing.clone();
        other[0].1 += 1;
        assert_ne!(shape_of_listing(&other), shape_of_listing(&listing));
    }
}
