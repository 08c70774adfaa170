//! Writing the output: built aside, unchanged files hard-linked, swapped in atomically on success.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use rustc_hash::FxHashSet;

use crate::content::Asset;
use crate::error::{Error, Result};
use crate::render::{PageSink, Rendered};

/// Marks a folder as termtrail's output, so a later build may replace it.
pub const MARKER: &str = ".termtrail-output";

/// What a write did.
#[derive(Debug, Default, Clone, Copy)]
pub struct WriteStats {
    pub pages: usize,
    pub files: usize,
    pub written: usize,
    pub unchanged: usize,
}

/// Refuses output folders that would destroy something: the site itself or a folder holding
/// it, the site's sources (`content/`, `static/`, `themes/`), another site, `/`, the home
/// folder, a file; and, unless `force`, a folder with files termtrail did not write.
pub fn check_destination(root: &Path, out: &Path, force: bool) -> Result<()> {
    let abs = resolve(out);
    let root_abs = resolve(root);
    let home = std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| resolve(Path::new(&h)));
    let refuse = |why: String| {
        Err(Error::Refused(format!(
            "refusing to write to {}: {why}",
            out.display()
        )))
    };
    if abs.parent().is_none() {
        return refuse("it is the root of the file system".into());
    }
    if Some(&abs) == home.as_ref() {
        return refuse("it is your home folder".into());
    }
    if abs == root_abs || root_abs.starts_with(&abs) {
        return refuse("it would replace the site itself; choose a folder such as public/".into());
    }
    for source in ["content", "static", "themes"] {
        if abs.starts_with(root_abs.join(source)) {
            return refuse(format!(
                "it is inside the site's {source}/ folder; choose a folder such as public/"
            ));
        }
    }
    if abs.join("content").exists() || abs.join("site.yaml").exists() {
        return refuse("it holds a site (content/ or site.yaml)".into());
    }
    if abs.exists() && !abs.is_dir() {
        return refuse("it is a file, not a folder".into());
    }
    if force || !abs.exists() {
        return Ok(());
    }
    let empty = fs::read_dir(&abs)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if !empty && !abs.join(MARKER).is_file() {
        return refuse("it holds files termtrail did not write; empty it, choose another folder, or pass --force".into());
    }
    Ok(())
}

/// The absolute path `p` names, as the system will resolve it when writing: the part that
/// exists with its symbolic links and `..` resolved, the rest appended (`..` there taking
/// away the last part, as it will once the folders exist). `check_destination` and `write`
/// both use it, so that what is checked is what is written: `x/missing/../../site` is the
/// site, although `canonicalize` cannot tell before `missing` exists.
pub fn resolve(p: &Path) -> PathBuf {
    use std::path::Component;
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::Prefix(_) | Component::RootDir => out.push(c.as_os_str()),
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            Component::Normal(name) => {
                out.push(name);
                // Where the path exists, follow its links now, so that a later `..` goes to
                // the real parent, as it does for the system.
                if let Ok(real) = out.canonicalize() {
                    out = real;
                }
            }
        }
    }
    out
}

/// The staging folder beside `out`; stale ones from killed builds are removed first.
fn staging_dir(out: &Path) -> Result<PathBuf> {
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    fs::create_dir_all(parent)
        .map_err(|e| Error::io(format!("creating {}", parent.display()), e))?;
    let prefix = format!(".{name}.termtrail-");
    if let Ok(entries) = fs::read_dir(parent) {
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            if n.starts_with(&prefix) && !of_live_build(&n[prefix.len()..]) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    Ok(parent.join(format!("{prefix}staging-{}", std::process::id())))
}

/// Whether a staging folder (`staging-<pid>` or `staging-<pid>.old`) belongs to a build that
/// is still running: another build into the same folder must not take it away mid-render.
/// Where that cannot be told (no `/proc`), it is taken for a leftover of a killed build.
fn of_live_build(suffix: &str) -> bool {
    let pid = suffix
        .strip_prefix("staging-")
        .map(|s| s.trim_end_matches(".old"))
        .and_then(|s| s.parse::<u32>().ok());
    match pid {
        Some(pid) if pid != std::process::id() => Path::new("/proc").join(pid.to_string()).is_dir(),
        _ => false,
    }
}

/// Writes `files` and `assets` as the new content of `out`, replacing it only when all is written.
pub fn write(
    out: &Path,
    files: &Rendered,
    assets: &[Asset],
    builtin: &[(&str, &[u8])],
) -> Result<WriteStats> {
    Staging::create(out)?
        .finish(files, assets, builtin, &|_, _| String::new())
        .map(|(stats, _)| stats)
}

/// Every file of a written output, as a path relative to it (with `/`), and its size.
pub type Listing = Vec<(String, u64)>;

/// A new output being written beside the old one. Files go in as they are made (from many
/// threads), so that a build need not hold the whole site in memory; `finish` adds the rest
/// and swaps it in. Dropped unfinished (the build failed), it is removed and the old output
/// stays as it was.
pub struct Staging {
    out: PathBuf,
    /// Whether there is an old output whose unchanged files can be linked: one with termtrail's
    /// marker. A first build looks for none, and neither does one into a folder without the
    /// marker (`--force`, or a marker deleted by hand): every file is then written anew, with
    /// a new inode and mtime.
    has_old: bool,
    dir: PathBuf,
    progress: Mutex<Progress>,
    finished: bool,
}

/// What has gone into a [`Staging`] so far.
#[derive(Default)]
struct Progress {
    folders: FxHashSet<PathBuf>,
    names: FxHashSet<String>,
    listing: Listing,
    stats: WriteStats,
    /// The first error; later files are not written, and `finish` reports it.
    error: Option<Error>,
}

/// What one output file counts as in [`WriteStats`].
#[derive(Clone, Copy, PartialEq)]
enum Counted {
    Page,
    File,
    Marker,
}

impl Counted {
    fn of(name: &str) -> Counted {
        if name.ends_with(".html") {
            Counted::Page
        } else {
            Counted::File
        }
    }
}

impl Staging {
    /// Makes the staging folder beside `out`.
    pub fn create(out: &Path) -> Result<Staging> {
        let out = resolve(out);
        let dir = staging_dir(&out)?;
        fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
        let has_old = out.join(MARKER).is_file();
        Ok(Staging {
            out,
            has_old,
            dir,
            progress: Mutex::new(Progress::default()),
            finished: false,
        })
    }

    /// Writes one file (a path relative to the output) now. An error is kept for `finish`.
    pub fn put(&self, name: &str, bytes: &[u8]) {
        self.put_counted(name, bytes, Counted::of(name));
    }

    fn put_counted(&self, name: &str, bytes: &[u8], counted: Counted) {
        let folder = Path::new(name)
            .parent()
            .filter(|p| !p.as_os_str().is_empty());
        let new_folder = {
            let mut p = self.lock();
            // A name goes in once: the first file given for it wins (a second write could
            // otherwise rewrite a file hard-linked from the old output).
            if p.error.is_some() || !p.names.insert(name.to_string()) {
                return;
            }
            folder.filter(|f| !p.folders.contains(*f))
        };
        // Two threads may both make a new folder: `create_dir_all` takes that in its stride.
        if let Some(f) = new_folder {
            let dir = self.dir.join(f);
            if let Err(e) = fs::create_dir_all(&dir) {
                self.lock()
                    .error
                    .get_or_insert(Error::io(format!("creating {}", dir.display()), e));
                return;
            }
            self.lock().folders.insert(f.to_path_buf());
        }
        let old = self.has_old.then_some(self.out.as_path());
        let result = put(&self.dir, old, name, bytes);
        let mut p = self.lock();
        match result {
            Ok(written) => {
                // The marker is bookkeeping, not part of the site: the report leaves it out.
                match counted {
                    Counted::Page => p.stats.pages += 1,
                    Counted::File => p.stats.files += 1,
                    Counted::Marker => {}
                }
                match (counted, written) {
                    (Counted::Marker, _) => {}
                    (_, true) => p.stats.written += 1,
                    (_, false) => p.stats.unchanged += 1,
                }
                p.listing.push((name.to_string(), bytes.len() as u64));
            }
            Err(e) => {
                p.error.get_or_insert(e);
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Progress> {
        // A panic while holding the lock leaves plain counters behind: still usable.
        self.progress.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes `files`, `assets` and the built-in files not already put, then the marker, its
    /// text followed by what `marker_note` makes of everything else written (the build cache's
    /// manifest), then puts the new output in place of the old one. Returns what it wrote, and
    /// the list of its files. The marker is whole before the swap, so that where the system
    /// exchanges folders atomically (Linux) a build killed at any point leaves either the old
    /// output or the new one, byte for byte.
    pub fn finish(
        mut self,
        files: &Rendered,
        assets: &[Asset],
        builtin: &[(&str, &[u8])],
        marker_note: &dyn Fn(&WriteStats, &Listing) -> String,
    ) -> Result<(WriteStats, Listing)> {
        let written = self.lock().names.clone();
        // A generated file wins over a static file of the same name, and both over the
        // built-in theme's files.
        let generated = |name: &str| files.contains_key(name) || written.contains(name);
        let asset_names: BTreeSet<&str> = assets.iter().map(|a| a.output.as_str()).collect();
        // Static and built-in files count as files even when their names end in `.html`.
        let mut entries: Vec<(&str, Source<'_>, Counted)> = Vec::with_capacity(files.len() + 16);
        for (name, bytes) in builtin {
            if !asset_names.contains(name) && !generated(name) {
                entries.push((name, Source::Bytes(bytes), Counted::File));
            }
        }
        for a in assets {
            if !generated(&a.output) {
                entries.push((&a.output, Source::File(&a.source), Counted::File));
            }
        }
        for (name, bytes) in files {
            entries.push((name, Source::Bytes(bytes), Counted::of(name)));
        }
        entries
            .par_iter()
            .for_each(|(name, source, counted)| match source {
                Source::Bytes(b) => self.put_counted(name, b, *counted),
                Source::File(path) => match fs::read(path) {
                    Ok(bytes) => self.put_counted(name, &bytes, *counted),
                    Err(e) => {
                        self.lock()
                            .error
                            .get_or_insert(Error::io(format!("reading {}", path.display()), e));
                    }
                },
            });
        // The note is made without the lock held: it may take its time, or look at the output.
        let (stats, listing) = {
            let mut p = self.lock();
            if let Some(e) = p.error.take() {
                return Err(e);
            }
            (p.stats, std::mem::take(&mut p.listing))
        };
        let marker = format!(
            "This folder is written by termtrail; it is replaced by every build.\n{}",
            marker_note(&stats, &listing)
        );
        self.lock().listing = listing;
        self.put_counted(MARKER, marker.as_bytes(), Counted::Marker);
        let progress = std::mem::take(&mut *self.lock());
        if let Some(e) = progress.error {
            return Err(e);
        }
        swap(&self.dir, &self.out)?;
        self.finished = true;
        mark_settled(&self.out);
        Ok((progress.stats, progress.listing))
    }
}

impl PageSink for Staging {
    fn page(&self, file: &str, bytes: &[u8]) {
        self.put(file, bytes);
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.finished {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Makes the marker the output's newest inode change. Removing the old output after the swap
/// unlinks the second name of every file that was hard-linked from it, which changes those
/// files' ctime; the build cache takes a file changed after the marker for an edit by hand.
/// A build killed before this only costs the next build its cache.
fn mark_settled(out: &Path) {
    if let Ok(f) = fs::File::options().write(true).open(out.join(MARKER)) {
        let _ = f.set_modified(std::time::SystemTime::now());
    }
}

/// Where the bytes of an output file come from.
enum Source<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

/// Writes one file into `staging`; returns false when the old output's file had the same bytes
/// and was linked instead.
fn put(staging: &Path, old: Option<&Path>, rel: &str, bytes: &[u8]) -> Result<bool> {
    let dest = staging.join(rel);
    // Same bytes as last time: keep the old file (its inode and mtime), so rsync sees nothing.
    if let Some(previous) = old.map(|o| o.join(rel)) {
        if same_bytes(&previous, bytes) && fs::hard_link(&previous, &dest).is_ok() {
            return Ok(false);
        }
    }
    let mut f =
        fs::File::create(&dest).map_err(|e| Error::io(format!("writing {}", dest.display()), e))?;
    f.write_all(bytes)
        .map_err(|e| Error::io(format!("writing {}", dest.display()), e))?;
    Ok(true)
}

fn same_bytes(path: &Path, bytes: &[u8]) -> bool {
    match fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() == bytes.len() as u64 => {
            fs::read(path).map(|b| b == bytes).unwrap_or(false)
        }
        _ => false,
    }
}

/// Puts `staging` in place of `out` in one step where the system allows it.
fn swap(staging: &Path, out: &Path) -> Result<()> {
    if !out.exists() {
        return fs::rename(staging, out)
            .map_err(|e| Error::io(format!("moving the new output to {}", out.display()), e));
    }
    let exchanged = rustix::fs::renameat_with(
        rustix::fs::CWD,
        staging,
        rustix::fs::CWD,
        out,
        rustix::fs::RenameFlags::EXCHANGE,
    )
    .is_ok();
    if exchanged {
        // `staging` now holds the previous output.
        let _ = fs::remove_dir_all(staging);
        return Ok(());
    }
    // No atomic exchange here (another OS or file system): move the old output aside first.
    let aside = staging.with_extension("old");
    fs::rename(out, &aside)
        .map_err(|e| Error::io(format!("moving the old output {} aside", out.display()), e))?;
    if let Err(e) = fs::rename(staging, out) {
        let _ = fs::rename(&aside, out);
        return Err(Error::io(
            format!("moving the new output to {}", out.display()),
            e,
        ));
    }
    let _ = fs::remove_dir_all(&aside);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The marker's note is made while the old output is still in place and is in the marker
    /// when the new output arrives: no write follows the swap that a kill could cut short.
    #[test]
    fn the_marker_is_whole_when_the_new_output_arrives() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("public");
        write(
            &out,
            &Rendered::from([("a.html".into(), b"old".to_vec())]),
            &[],
            &[],
        )
        .unwrap();
        let staging = Staging::create(&out).unwrap();
        staging.put("a.html", b"new");
        let note = |stats: &WriteStats, listing: &Listing| {
            assert_eq!(fs::read(out.join("a.html")).unwrap(), b"old");
            assert_eq!((stats.pages, listing.len()), (1, 1));
            "note: 1 page\n".to_string()
        };
        let (stats, _) = staging.finish(&Rendered::new(), &[], &[], &note).unwrap();
        assert_eq!((stats.pages, stats.written, stats.unchanged), (1, 1, 0));
        let marker = fs::read_to_string(out.join(MARKER)).unwrap();
        assert!(marker.ends_with("build.\nnote: 1 page\n"), "{marker}");
        let names: Vec<_> = fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }
}
