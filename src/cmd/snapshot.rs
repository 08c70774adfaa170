//! `termtrail snapshot <platform> <document> <FILE|->`: a Markdown, HTML or plain-text document
//! made into a snapshot file in the `sections` form.

use std::io::Read;
use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::error::{display_path, Diagnostic, Diagnostics, Error, Result};
use crate::import::{self, IfExists, InputFormat, NewSnapshot, Written};

/// Options of `termtrail snapshot`.
#[derive(Debug, Clone)]
pub struct SnapshotOptions {
    pub root: PathBuf,
    pub platform: String,
    pub document: String,
    /// A file, or `-` for standard input.
    pub input: PathBuf,
    /// The capture date (default: today).
    pub date: Option<Date>,
    pub source_url: Option<String>,
    pub format: InputFormat,
    pub force: bool,
}

/// What `snapshot` did.
#[derive(Debug)]
pub struct SnapshotReport {
    pub path: PathBuf,
    pub sections: usize,
    pub topics_carried: usize,
    pub rule: import::markdown::Rule,
    pub format: InputFormat,
    /// An earlier version with the same text: the new file is a duplicate capture.
    pub same_as: Option<Date>,
}

fn content_error(d: Diagnostic) -> Error {
    Error::Content(Diagnostics(vec![d]))
}

/// Today, in the local time zone.
pub fn today() -> Date {
    jiff::Zoned::now().date()
}

pub fn run(opts: &SnapshotOptions) -> Result<SnapshotReport> {
    if !opts.root.join("site.yaml").is_file() {
        return Err(content_error(
            Diagnostic::error(
                "site.yaml",
                format!("no site.yaml in {}", opts.root.display()),
            )
            .help("run termtrail in the site's folder, or pass --root DIR"),
        ));
    }
    let (platform, doc_index) =
        import::find_document(&opts.root, &opts.platform, &opts.document).map_err(content_error)?;
    let doc = &platform.documents[doc_index];
    if let Some(url) = &opts.source_url {
        if !crate::config::is_http_url(url) {
            return Err(Error::Refused(format!(
                "--source-url must be an http(s) URL, not `{url}`"
            )));
        }
    }
    let (name, bytes) = read_input(&opts.input)?;
    let content = String::from_utf8(bytes).map_err(|e| {
        Error::Refused(format!(
            "{} is not UTF-8 text (invalid byte at offset {}); convert it to UTF-8 first",
            name.as_deref().unwrap_or("standard input"),
            e.utf8_error().valid_up_to()
        ))
    })?;
    if content.trim().is_empty() {
        return Err(Error::Refused(format!(
            "{} is empty: there is no text to make a snapshot of",
            name.as_deref().unwrap_or("standard input")
        )));
    }
    let format = match opts.format {
        InputFormat::Auto => import::detect(name.as_deref(), &content),
        f => f,
    };
    // The source URL: given, else the document's own, which also anchors links like `/x`.
    let source_url = opts
        .source_url
        .clone()
        .or_else(|| doc.url.clone().filter(|u| crate::config::is_http_url(u)));
    let split = import::split(&content, format, source_url.as_deref());
    let rule = split.rule;
    let date = opts.date.unwrap_or_else(today);
    let written = import::write_snapshot(
        &opts.root,
        NewSnapshot {
            platform: &opts.platform,
            document: &opts.document,
            date,
            doc: split,
            source_url,
            if_exists: if opts.force {
                IfExists::Overwrite
            } else {
                IfExists::Refuse
            },
            skip_identical: false,
        },
    )?;
    match written {
        Written::New {
            path,
            sections,
            topics_carried,
            same_as,
        } => Ok(SnapshotReport {
            path,
            sections,
            topics_carried,
            rule,
            format,
            same_as,
        }),
        // Neither happens: an existing file is refused or replaced, identical texts are written.
        Written::Exists(path) => Err(Error::Refused(format!(
            "{} exists and was left alone",
            display_path(&opts.root, &path)
        ))),
        Written::Identical(d) => Err(Error::Refused(format!(
            "the text is the same as the version of {d}; nothing was written"
        ))),
    }
}

/// The input's name (None for standard input) and bytes.
fn read_input(input: &Path) -> Result<(Option<String>, Vec<u8>)> {
    if input.as_os_str() == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .read_to_end(&mut buf)
            .map_err(|e| Error::io("cannot read standard input", e))?;
        return Ok((None, buf));
    }
    let name = input.to_string_lossy().into_owned();
    let meta = std::fs::metadata(input).map_err(|e| Error::io(format!("cannot read {name}"), e))?;
    if meta.len() > crate::content::MAX_FILE_BYTES {
        return Err(Error::Refused(format!(
            "{name} is {} MB; the limit for a document is {} MB",
            meta.len() / 1_000_000,
            crate::content::MAX_FILE_BYTES / 1_000_000
        )));
    }
    let bytes = std::fs::read(input).map_err(|e| Error::io(format!("cannot read {name}"), e))?;
    Ok((Some(name), bytes))
}
