//! Writing the output: built aside, unchanged files hard-linked, swapped in atomically on success.

use std::collections::BTreeSet;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::content::Asset;
use crate::error::{Error, Result};
use crate::render::Rendered;

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
            if n.starts_with(&prefix) {
                let _ = fs::remove_dir_all(e.path());
            }
        }
    }
    Ok(parent.join(format!("{prefix}staging-{}", std::process::id())))
}

/// Writes `files` and `assets` as the new content of `out`, replacing it only when all is written.
pub fn write(
    out: &Path,
    files: &Rendered,
    assets: &[Asset],
    builtin: &[(&str, &[u8])],
) -> Result<WriteStats> {
    let out = &resolve(out);
    let staging = staging_dir(out)?;
    let result = fill(&staging, out, files, assets, builtin)
        .and_then(|stats| swap(&staging, out).map(|_| stats));
    if result.is_err() {
        let _ = fs::remove_dir_all(&staging);
    }
    result
}

/// Where the bytes of an output file come from.
enum Source<'a> {
    Bytes(&'a [u8]),
    File(&'a Path),
}

/// What one output file counts as in [`WriteStats`].
#[derive(Clone, Copy, PartialEq)]
enum Counted {
    Page,
    File,
    Marker,
}

fn fill(
    staging: &Path,
    old: &Path,
    files: &Rendered,
    assets: &[Asset],
    builtin: &[(&str, &[u8])],
) -> Result<WriteStats> {
    fs::create_dir_all(staging)
        .map_err(|e| Error::io(format!("creating {}", staging.display()), e))?;
    let asset_names: BTreeSet<&str> = assets.iter().map(|a| a.output.as_str()).collect();
    let mut entries: Vec<(&str, Source<'_>, Counted)> = Vec::with_capacity(files.len() + 16);
    for (name, bytes) in builtin {
        if !asset_names.contains(name) && !files.contains_key(*name) {
            entries.push((name, Source::Bytes(bytes), Counted::File));
        }
    }
    for a in assets {
        // A generated page wins over a static file of the same name.
        if !files.contains_key(&a.output) {
            entries.push((&a.output, Source::File(&a.source), Counted::File));
        }
    }
    for (rel, bytes) in files {
        let counted = if rel.ends_with(".html") {
            Counted::Page
        } else {
            Counted::File
        };
        entries.push((rel, Source::Bytes(bytes), counted));
    }
    entries.push((
        MARKER,
        Source::Bytes(b"This folder is written by termtrail; it is replaced by every build.\n"),
        Counted::Marker,
    ));
    // Folders first, each once; then the files, in parallel.
    let dirs: BTreeSet<&Path> = entries
        .iter()
        .filter_map(|(rel, _, _)| Path::new(rel).parent())
        .filter(|p| !p.as_os_str().is_empty())
        .collect();
    for d in dirs {
        let dir = staging.join(d);
        fs::create_dir_all(&dir)
            .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    }
    let written: Vec<(Counted, bool)> = entries
        .par_iter()
        .map(|(rel, source, counted)| {
            let read;
            let bytes = match source {
                Source::Bytes(b) => *b,
                Source::File(path) => {
                    read = fs::read(path)
                        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
                    &read[..]
                }
            };
            put(staging, old, rel, bytes).map(|w| (*counted, w))
        })
        .collect::<Result<_>>()?;
    let mut stats = WriteStats::default();
    for (counted, was_written) in written {
        match counted {
            Counted::Page => stats.pages += 1,
            Counted::File => stats.files += 1,
            Counted::Marker => {}
        }
        if was_written {
            stats.written += 1;
        } else {
            stats.unchanged += 1;
        }
    }
    Ok(stats)
}

/// Writes one file into `staging`; returns false when the old output's file had the same bytes
/// and was linked instead.
fn put(staging: &Path, old: &Path, rel: &str, bytes: &[u8]) -> Result<bool> {
    let dest = staging.join(rel);
    let previous = old.join(rel);
    // Same bytes as last time: keep the old file (its inode and mtime), so rsync sees nothing.
    if same_bytes(&previous, bytes) && fs::hard_link(&previous, &dest).is_ok() {
        return Ok(false);
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
