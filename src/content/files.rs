//! Finding and reading the site's files: size limits, UTF-8, symlinks that leave the site.

use std::ffi::OsStr;
use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use crate::error::{display_path, Diagnostic};

/// Files larger than this are refused rather than read: no document is this long.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// A hash of a file's bytes (XXH3, seeded with the length): what the build cache knows an
/// input by. It reads at memory speed, so loading hashes what it reads at no visible cost.
pub fn content_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(bytes, bytes.len() as u64)
}

/// A file found under the site root.
#[derive(Debug, Clone)]
pub struct FoundFile {
    pub path: PathBuf,
    /// Relative to the site root, `/`-separated.
    pub rel: String,
    /// Taken by the walk when asked for (`serve`'s cache); `None` also when it failed.
    pub stamp: Option<Stamp>,
}

/// What identifies a version of a file without reading it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Stamp {
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

impl Stamp {
    /// From the same fields as [`linux::stamp`], so that stamps taken both ways compare.
    fn of(m: &Metadata) -> Stamp {
        #[cfg(unix)]
        let inode = std::os::unix::fs::MetadataExt::ino(m);
        #[cfg(not(unix))]
        let inode = 0;
        Stamp {
            len: m.len(),
            modified: m.modified().ok(),
            inode,
        }
    }
}

/// Editor swap files, backups and hidden files, which are never content.
pub fn is_ignored(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.starts_with('#')
}

/// Every regular file under `dir`, sorted; symlinks to places outside `root` are reported.
/// With `stamps`, each file's [`Stamp`] too, taken through its folder's handle (no lookup of
/// the whole path): `serve`'s loads of an unchanged site are mostly this walk.
pub fn walk(root: &Path, dir: &Path, errors: &mut Vec<Diagnostic>, stamps: bool) -> Vec<FoundFile> {
    walk_with(root, dir, errors, stamps, !cfg!(target_os = "linux"))
}

/// `walk`'s result `before`, brought up to date for the paths named in `changed` (relative
/// to the root): the folders that hold them are walked again, the rest of `before` is kept as
/// it was. For `serve`, which hears of every change from its watcher: walking a large site
/// again costs more than rebuilding what one edit touched.
pub fn rewalk(
    root: &Path,
    dir: &Path,
    before: Vec<FoundFile>,
    changed: &[String],
    errors: &mut Vec<Diagnostic>,
) -> Vec<FoundFile> {
    let top = display_path(root, dir);
    let mut folders: Vec<String> = Vec::new();
    for rel in changed {
        let Some(inside) = rel.strip_prefix(&top).and_then(|r| r.strip_prefix('/')) else {
            if *rel == top {
                return walk(root, dir, errors, true);
            }
            continue;
        };
        // The walk does not enter ignored names, so nothing under one is content.
        if inside.split('/').any(is_ignored) {
            continue;
        }
        match folder_to_walk(root, rel) {
            Some(f) if f != top => folders.push(f),
            _ => return walk(root, dir, errors, true),
        }
    }
    folders.sort();
    folders.dedup();
    // A folder inside another one on the list is walked with it.
    let mut outer: Vec<String> = Vec::new();
    for f in folders {
        if !outer.iter().any(|o| f.starts_with(&format!("{o}/"))) {
            outer.push(f);
        }
    }
    // A folder's files, and a file of the same name that the folder replaced.
    let under = |rel: &str| {
        outer.iter().any(|o| {
            rel.strip_prefix(o.as_str())
                .is_some_and(|r| r.is_empty() || r.starts_with('/'))
        })
    };
    // Files not named are not looked at: an edit the watcher did not report is not seen
    // (as in `zola serve` and `hugo server`); taking every file's stamp again would cost
    // more than the rest of a small edit's rebuild.
    let mut found: Vec<FoundFile> = before.into_iter().filter(|f| !under(&f.rel)).collect();
    for o in &outer {
        found.extend(walk(root, &root.join(o), errors, true));
    }
    // The walk's order: depth first, each folder's entries by name.
    found.sort_by(|a, b| a.rel.split('/').cmp(b.rel.split('/')));
    found
}

/// The folder to walk again for a change to `rel`: itself when it is a folder, else the folder
/// that holds it (for a path that is gone, the nearest folder still there).
fn folder_to_walk(root: &Path, rel: &str) -> Option<String> {
    let is_dir = |r: &str| std::fs::symlink_metadata(root.join(r)).is_ok_and(|m| m.is_dir());
    let mut at = rel;
    while !is_dir(at) {
        at = &at[..at.rfind('/')?];
    }
    Some(at.to_string())
}

fn walk_with(
    root: &Path,
    dir: &Path,
    errors: &mut Vec<Diagnostic>,
    stamps: bool,
    portable: bool,
) -> Vec<FoundFile> {
    let mut out = Vec::new();
    if !dir.exists() {
        return out;
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    // The folder itself (`content`, `static`, a theme) may be a link that leaves the site.
    if !dir
        .canonicalize()
        .is_ok_and(|d| d.starts_with(&canonical_root))
    {
        errors.push(
            Diagnostic::error(
                display_path(root, dir),
                "this folder is a symbolic link that points outside the site; it is not followed",
            )
            .help("move the folder into the site instead of linking to it"),
        );
        return out;
    }
    let mut w = Walker {
        root,
        canonical_root: &canonical_root,
        stamps,
        portable,
        out: &mut out,
        errors,
        #[cfg(target_os = "linux")]
        buf: vec![std::mem::MaybeUninit::uninit(); 8192],
    };
    let rel = display_path(root, dir);
    match std::fs::symlink_metadata(dir) {
        Err(e) => w.cannot_read(dir, e),
        Ok(m) if m.file_type().is_symlink() => {
            w.symlink(dir.to_path_buf(), rel.clone());
            // The folder itself is walked even when it is a link (inside the site).
            match std::fs::metadata(dir) {
                Ok(m) if m.is_dir() => w.dir(dir, &rel),
                Ok(_) => {}
                Err(e) => w.cannot_read(dir, e),
            }
        }
        Ok(m) if m.is_dir() => w.dir(dir, &rel),
        Ok(m) if m.is_file() => w.out.push(FoundFile {
            path: dir.to_path_buf(),
            rel,
            stamp: stamps.then(|| Stamp::of(&m)),
        }),
        Ok(_) => {}
    }
    out
}

struct Walker<'a> {
    root: &'a Path,
    canonical_root: &'a Path,
    stamps: bool,
    /// With `std::fs` only (elsewhere than on Linux, and in tests).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    portable: bool,
    out: &'a mut Vec<FoundFile>,
    errors: &'a mut Vec<Diagnostic>,
    /// For listing a folder; one for all, not one per level of a deep tree.
    #[cfg(target_os = "linux")]
    buf: Vec<std::mem::MaybeUninit<u8>>,
}

/// What a folder's listing says an entry is.
enum EntryType {
    File,
    Dir,
    Symlink,
    Other,
}

impl Walker<'_> {
    /// Depth first, each folder's entries in file-name order; ignored names are not entered.
    fn dir(&mut self, path: &Path, rel: &str) {
        #[cfg(target_os = "linux")]
        if !self.portable {
            return match linux::open(rustix::fs::CWD, path) {
                Ok(fd) => linux::dir(self, &fd, path, rel),
                Err(e) => self.cannot_read(path, e.into()),
            };
        }
        let entries = match std::fs::read_dir(path) {
            Ok(rd) => rd,
            Err(e) => return self.cannot_read(path, e),
        };
        let mut list = Vec::new();
        for entry in entries {
            match entry {
                Ok(e) => list.push((e.file_name(), e)),
                Err(e) => self.errors.push(
                    Diagnostic::error("", format!("cannot read: {e}"))
                        .help("check the file's permissions"),
                ),
            }
        }
        list.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, entry) in list {
            let ty = entry.file_type().map(|t| match t {
                t if t.is_symlink() => EntryType::Symlink,
                t if t.is_dir() => EntryType::Dir,
                t if t.is_file() => EntryType::File,
                _ => EntryType::Other,
            });
            self.entry(
                path,
                rel,
                &name,
                ty,
                || entry.metadata().ok().map(|m| Stamp::of(&m)),
                |w, path, rel| w.dir(path, rel),
            );
        }
    }

    /// One entry of the folder at `dir`: `stamp` and `walk` reach it through the folder.
    fn entry(
        &mut self,
        dir: &Path,
        rel: &str,
        name: &OsStr,
        ty: std::io::Result<EntryType>,
        stamp: impl FnOnce() -> Option<Stamp>,
        walk: impl FnOnce(&mut Self, &Path, &str),
    ) {
        let path = dir.join(name);
        let ty = match ty {
            Ok(t) => t,
            Err(e) => return self.cannot_read(&path, e),
        };
        let name = name.to_string_lossy();
        if is_ignored(&name) {
            return;
        }
        let name = name.replace('\\', "/");
        let rel = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        match ty {
            EntryType::Symlink => self.symlink(path, rel),
            EntryType::Dir => walk(self, &path, &rel),
            EntryType::File => {
                let stamp = if self.stamps { stamp() } else { None };
                self.out.push(FoundFile { path, rel, stamp });
            }
            EntryType::Other => {}
        }
    }

    fn symlink(&mut self, path: PathBuf, rel: String) {
        match path.canonicalize() {
            Ok(target) if target.starts_with(self.canonical_root) => {
                if target.is_file() {
                    let stamp = match self.stamps {
                        true => std::fs::metadata(&target).ok().map(|m| Stamp::of(&m)),
                        false => None,
                    };
                    self.out.push(FoundFile {
                        path: target,
                        rel,
                        stamp,
                    });
                } else if target.is_dir() {
                    self.errors.push(
                        Diagnostic::error(rel, "a symbolic link to a folder is not followed")
                            .help("replace the link with the folder itself"),
                    );
                }
            }
            _ => self.errors.push(
                Diagnostic::error(
                    rel,
                    "symbolic link points outside the site; it is not followed",
                )
                .help("copy the file into the site instead of linking to it"),
            ),
        }
    }

    /// Worded as the `walkdir` crate worded it, which this walk replaced.
    fn cannot_read(&mut self, path: &Path, e: std::io::Error) {
        self.errors.push(
            Diagnostic::error(
                display_path(self.root, path),
                format!(
                    "cannot read: IO error for operation on {}: {e}",
                    path.display()
                ),
            )
            .help("check the file's permissions"),
        );
    }
}

/// Reads a file as UTF-8 text, refusing huge files and invalid encodings with a position.
pub fn read_text(file: &FoundFile) -> Result<String, Diagnostic> {
    let meta = std::fs::metadata(&file.path)
        .map_err(|e| Diagnostic::error(&file.rel, format!("cannot read: {e}")))?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(Diagnostic::error(
            &file.rel,
            format!(
                "the file is {} MiB; the limit is {} MiB",
                meta.len() >> 20,
                MAX_FILE_BYTES >> 20
            ),
        )
        .help("split the document, or keep only its text (no embedded data or images)"));
    }
    let bytes = std::fs::read(&file.path)
        .map_err(|e| Diagnostic::error(&file.rel, format!("cannot read: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = valid
            .iter()
            .rposition(|&b| b == b'\n')
            .map(|p| p + 1)
            .unwrap_or(0);
        // Columns count characters; the part before the bad byte is valid UTF-8.
        let col = std::str::from_utf8(&valid[line_start..])
            .map(|s| s.chars().count())
            .unwrap_or(0)
            + 1;
        Diagnostic::error(&file.rel, "the file is not valid UTF-8")
            .at(line, col)
            .help("save the file as UTF-8")
    })
}

/// The walk through `rustix`: folders opened relative to their parent, listed into one
/// buffer, and their files stamped relative to them; about a quarter less time than `std::fs`,
/// which allocates for every entry and opens and stats every folder by its whole path.
#[cfg(target_os = "linux")]
mod linux {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;
    use std::time::{Duration, SystemTime};

    use rustix::fd::{AsFd, OwnedFd};
    use rustix::fs::{openat, statat, AtFlags, FileType, Mode, OFlags, RawDir};

    use super::{Diagnostic, EntryType, Stamp, Walker};

    pub(super) fn open(at: impl AsFd, path: impl rustix::path::Arg) -> rustix::io::Result<OwnedFd> {
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        openat(at, path, flags, Mode::empty())
    }

    pub(super) fn dir(w: &mut Walker<'_>, fd: &OwnedFd, path: &Path, rel: &str) {
        let mut list: Vec<(Box<OsStr>, FileType)> = Vec::new();
        let mut buf = std::mem::take(&mut w.buf);
        let mut entries = RawDir::new(fd, &mut buf[..]);
        while let Some(entry) = entries.next() {
            match entry {
                Ok(e) => {
                    let name = e.file_name().to_bytes();
                    if name != b"." && name != b".." {
                        list.push((OsStr::from_bytes(name).into(), e.file_type()));
                    }
                }
                Err(e) => {
                    w.errors.push(
                        Diagnostic::error("", format!("cannot read: {}", std::io::Error::from(e)))
                            .help("check the file's permissions"),
                    );
                    break;
                }
            }
        }
        w.buf = buf;
        list.sort_by(|a, b| a.0.cmp(&b.0));
        for (name, ty) in list {
            let ty = match ty {
                // Some file systems leave the type out of the listing.
                FileType::Unknown => statat(fd, &*name, AtFlags::SYMLINK_NOFOLLOW)
                    .map(|s| FileType::from_raw_mode(s.st_mode))
                    .map_err(std::io::Error::from),
                t => Ok(t),
            }
            .map(|t| match t {
                FileType::Symlink => EntryType::Symlink,
                FileType::Directory => EntryType::Dir,
                FileType::RegularFile => EntryType::File,
                _ => EntryType::Other,
            });
            w.entry(
                path,
                rel,
                &name,
                ty,
                || {
                    statat(fd, &*name, AtFlags::SYMLINK_NOFOLLOW)
                        .ok()
                        .map(|s| stamp(&s))
                },
                |w, path, rel| match open(fd, &*name) {
                    Ok(sub) => dir(w, &sub, path, rel),
                    Err(e) => w.cannot_read(path, e.into()),
                },
            );
        }
    }

    /// As [`Stamp::of`] makes it from `std::fs::Metadata`.
    #[allow(clippy::unnecessary_cast)] // the fields' types differ between targets
    fn stamp(s: &rustix::fs::Stat) -> Stamp {
        let (secs, nanos) = (s.st_mtime as i64, s.st_mtime_nsec as u32);
        let modified = match u64::try_from(secs) {
            Ok(secs) => SystemTime::UNIX_EPOCH.checked_add(Duration::new(secs, nanos)),
            Err(_) => SystemTime::UNIX_EPOCH
                .checked_sub(Duration::from_secs(secs.unsigned_abs()))
                .and_then(|t| t.checked_add(Duration::from_nanos(nanos.into()))),
        };
        Stamp {
            len: s.st_size as u64,
            modified,
            inode: s.st_ino as u64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(unix)]
    fn both_walks_find_the_same() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let (root, outside) = (dir.path().join("site"), dir.path().join("outside"));
        let write = |rel: &str| {
            let p = root.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, rel).unwrap();
        };
        for rel in [
            "content/b.md",
            "content/a/z.md",
            "content/a/y/x.md",
            "content/.hidden/h.md",
            "content/n~",
            "content/#n#",
            "content/back\\slash.md",
            "shared/s.md",
        ] {
            write(rel);
        }
        std::fs::create_dir_all(&outside).unwrap();
        std::fs::write(outside.join("o.md"), "o").unwrap();
        symlink(root.join("shared/s.md"), root.join("content/link.md")).unwrap();
        symlink(root.join("shared"), root.join("content/dirlink")).unwrap();
        symlink(outside.join("o.md"), root.join("content/out.md")).unwrap();
        let deep: String = (0..200).map(|_| "d/").collect();
        let deep = format!("content/{deep}deep.md");
        write(&deep);
        let walk = |portable| {
            let mut errors = Vec::new();
            let found = walk_with(&root, &root.join("content"), &mut errors, true, portable);
            let found: Vec<_> = found
                .into_iter()
                .map(|f| (f.path, f.rel, f.stamp))
                .collect();
            (found, errors)
        };
        let (a, b) = (walk(true), walk(false));
        assert_eq!(a, b);
        let rels: Vec<&str> = a.0.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(
            rels,
            [
                "content/a/y/x.md",
                "content/a/z.md",
                "content/b.md",
                "content/back/slash.md",
                &deep,
                "content/link.md"
            ]
        );
        assert!(a.0.iter().all(|f| f.2.is_some()));
        assert_eq!(a.1.len(), 2, "{:?}", a.1);
    }
}
