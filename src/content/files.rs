//! Finding and reading the site's files: size limits, UTF-8, symlinks that leave the site.

use std::path::{Path, PathBuf};

use walkdir::WalkDir;

use crate::error::{display_path, Diagnostic};

/// Files larger than this are refused rather than read: no document is this long.
pub const MAX_FILE_BYTES: u64 = 32 * 1024 * 1024;

/// A file found under the site root.
#[derive(Debug, Clone)]
pub struct FoundFile {
    pub path: PathBuf,
    /// Relative to the site root, `/`-separated.
    pub rel: String,
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
pub fn walk(root: &Path, dir: &Path, errors: &mut Vec<Diagnostic>) -> Vec<FoundFile> {
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
    let walker = WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter();
    let mut it =
        walker.filter_entry(|e| e.depth() == 0 || !is_ignored(&e.file_name().to_string_lossy()));
    while let Some(entry) = it.next() {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let file = e.path().map(|p| display_path(root, p)).unwrap_or_default();
                errors.push(
                    Diagnostic::error(file, format!("cannot read: {e}"))
                        .help("check the file's permissions"),
                );
                continue;
            }
        };
        let path = entry.path();
        let rel = display_path(root, path);
        if entry.path_is_symlink() {
            match path.canonicalize() {
                Ok(target) if target.starts_with(&canonical_root) => {
                    if target.is_file() {
                        out.push(FoundFile { path: target, rel });
                    } else if target.is_dir() {
                        errors.push(
                            Diagnostic::error(rel, "a symbolic link to a folder is not followed")
                                .help("replace the link with the folder itself"),
                        );
                    }
                }
                _ => errors.push(
                    Diagnostic::error(
                        rel,
                        "symbolic link points outside the site; it is not followed",
                    )
                    .help("copy the file into the site instead of linking to it"),
                ),
            }
            continue;
        }
        if entry.file_type().is_file() {
            out.push(FoundFile {
                path: path.to_path_buf(),
                rel,
            });
        }
    }
    out
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
