//! Loading a site from disk: `site.yaml` and `content/`, parsed, validated and assembled into the model.

mod cache;
pub(crate) mod files;
pub mod frontmatter;
mod records;
pub mod snapshot;

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;

use crate::config::{is_http_url, SiteConfig};
use crate::error::{did_you_mean, Diagnostic, Diagnostics};
use crate::markdown::{self, Source};
use crate::model::*;
use crate::timings::Timings;
pub use cache::LoadCache;
pub use files::{is_ignored, MAX_FILE_BYTES};
use records::*;

/// Top-level output paths the site itself makes; a page may not take one of these names.
pub const RESERVED_PATHS: &[&str] = &[
    "platforms",
    "topics",
    "faq",
    "api",
    "feeds",
    "search",
    "static",
    "assets",
    "404",
    "sitemap",
    "robots",
];

/// Whether `s` is a slug: `^[a-z0-9]+(-[a-z0-9]+)*$`.
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Parses an ISO calendar date, refusing impossible ones such as 2026-02-30.
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    if s.len() != 10 || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
        return None;
    }
    s.parse::<Date>().ok()
}

/// How to load.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    pub drafts: bool,
    /// Overrides `base_url` from site.yaml (`--base-url`, `serve`).
    pub base_url: Option<String>,
}

/// A file copied as is into the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// Path in the output, `/`-separated, relative.
    pub output: String,
    pub source: PathBuf,
}

/// What loading gives the later stages.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub site: Site,
    pub links: Vec<InternalLink>,
    pub assets: Vec<Asset>,
    /// Warnings only: errors make `load` fail (`load_partial` keeps them here too).
    pub warnings: Diagnostics,
    /// The files read under `content/`, by path from the site's root, each with the
    /// `files::content_hash` of the bytes read (empty when loaded through a `LoadCache`).
    pub read: Vec<(String, u64)>,
}

/// Reads and checks `site.yaml` alone.
pub fn load_config(root: &Path) -> Result<SiteConfig, Diagnostics> {
    let path = root.join("site.yaml");
    if !path.is_file() {
        return Err(Diagnostics(vec![Diagnostic::error(
            "site.yaml",
            format!("no site.yaml in {}", root.display()),
        )
        .help("run termtrail in the site's folder, or pass --root DIR")]));
    }
    let inside = path
        .canonicalize()
        .ok()
        .zip(root.canonicalize().ok())
        .is_some_and(|(p, r)| p.starts_with(r));
    if !inside {
        return Err(Diagnostics(vec![Diagnostic::error(
            "site.yaml",
            "symbolic link points outside the site; it is not followed",
        )
        .help("copy the file into the site instead of linking to it")]));
    }
    let found = files::FoundFile {
        path,
        rel: "site.yaml".into(),
        stamp: None,
    };
    let src = files::read_text(&found).map_err(|d| Diagnostics(vec![d]))?;
    SiteConfig::parse(&src, "site.yaml").map_err(Diagnostics)
}

enum Kind {
    Platform(String),
    Snapshot {
        platform: String,
        document: String,
        date: Date,
    },
    Change {
        platform: String,
        key: String,
        date: Date,
    },
    Topic(String),
    Faq(String),
    Page(String),
}

#[allow(clippy::large_enum_variant)] // one a file, each behind an `Arc`
enum Parsed {
    Platform(String, MarkdownLess<PlatformMeta>),
    Snapshot {
        platform: String,
        document: String,
        date: Date,
        file: String,
        src: String,
        snap: snapshot::ParsedSnapshot,
        /// The hash of `src`, set by `LoadCache` (0 without one).
        hash: u64,
    },
    Change {
        platform: String,
        key: String,
        date: Date,
        file: String,
        src: String,
        md: MarkdownFile<ChangeMeta>,
        body: cache::RenderedBody,
        resolved: cache::ResolvedChange,
    },
    Topic(String, String, MarkdownFile<TopicMeta>),
    Faq(String, String, MarkdownFile<FaqMeta>),
    Page(String, String, MarkdownFile<PageMeta>),
}

/// A YAML file's parsed value with its source, for positions.
struct MarkdownLess<T> {
    meta: T,
    src: String,
    file: String,
    /// Its Markdown (a platform's description), rendered.
    rendered: cache::RenderedBody,
}

/// Loads everything; returns every error found, not only the first.
pub fn load(root: &Path, opts: &LoadOptions) -> Result<Loaded, Diagnostics> {
    load_cached(root, opts, None)
}

/// `load`, keeping parsed files, documents and rendered Markdown in `cache` for the next load
/// (`serve`); the result is the same as without a cache.
pub fn load_cached(
    root: &Path,
    opts: &LoadOptions,
    cache: Option<&LoadCache>,
) -> Result<Loaded, Diagnostics> {
    if let Some(c) = cache {
        c.begin();
    }
    let result = load_inner(root, opts, cache, false);
    if let Some(c) = cache {
        c.finish();
    }
    result
}

/// `load`, but also when the content has errors: the site without the files that have errors,
/// with every diagnostic, errors too, in `warnings`. Fails only when `site.yaml` does. For
/// reporting the errors that only rendering finds (dead links) in the same run as the others.
pub fn load_partial(root: &Path, opts: &LoadOptions) -> Result<Loaded, Diagnostics> {
    load_inner(root, opts, None, true)
}

fn load_inner(
    root: &Path,
    opts: &LoadOptions,
    cache: Option<&LoadCache>,
    partial: bool,
) -> Result<Loaded, Diagnostics> {
    let mut config = load_config(root)?;
    if let Some(url) = &opts.base_url {
        config.set_base_url(url).map_err(|e| {
            Diagnostics(vec![Diagnostic::error("site.yaml", e)
                .help("pass an absolute http(s) URL to --base-url")])
        })?;
    }
    let mut timings = Timings::from_env();
    let mut diags: Vec<Diagnostic> = Vec::new();
    let content = root.join("content");
    let found = match cache {
        Some(c) => c.found_files(root, &content, &mut diags),
        None => files::walk(root, &content, &mut diags, false),
    };
    timings.stage("load: walk");
    // Shared with the cache, which keeps them for the next load.
    let parsed: Vec<(Option<(String, u64)>, Result<Arc<Parsed>, Vec<Diagnostic>>)> = match cache {
        Some(c) => c
            .parse_all(found, read_file, parse_text)
            .into_iter()
            .map(|r| (None, r))
            .collect(),
        None => found
            .into_par_iter()
            .map(|f| {
                let (kind, src) = match read_file(&f) {
                    Ok(read) => read,
                    Err(ds) => return (None, Err(ds)),
                };
                let read = (f.rel.clone(), files::content_hash(src.as_bytes()));
                (Some(read), parse_text(src, f.rel, kind).map(Arc::new))
            })
            .collect(),
    };
    timings.stage("load: parse");
    let mut items = Vec::new();
    let mut read = Vec::new();
    for (file, p) in parsed {
        read.extend(file);
        match p {
            Ok(item) => items.push(item),
            Err(ds) => diags.extend(ds),
        }
    }
    let (site, links) = assemble(config, &items, opts, cache, &mut diags);
    timings.stage("load: assemble");
    let assets = collect_assets(root, &site.config, &mut diags);
    check_page_slugs(&site, &assets, &mut diags);
    timings.stage("load: assets");
    let diags = Diagnostics(diags).sorted();
    if diags.has_errors() && !partial {
        return Err(diags);
    }
    Ok(Loaded {
        site,
        links,
        assets,
        warnings: diags,
        read,
    })
}

/// Works out what a file under content/ is from its path.
fn classify(rel: &str) -> Result<Option<Kind>, Diagnostic> {
    let parts: Vec<&str> = rel.split('/').collect();
    let bad_slug = |what: &str, s: &str| {
        Diagnostic::error(rel, format!("`{s}` is not a valid {what} name"))
            .help("names are lower-case letters and digits separated by single hyphens, e.g. `terms-of-service`")
    };
    let stem = |name: &str, ext: &str| name.strip_suffix(ext).map(str::to_string);
    match parts.as_slice() {
        ["content", "platforms", p, rest @ ..] => {
            if !is_slug(p) {
                return Err(bad_slug("platform", p));
            }
            let p = p.to_string();
            match rest {
                ["platform.yaml"] => Ok(Some(Kind::Platform(p))),
                ["snapshots", doc, name] => {
                    if !is_slug(doc) {
                        return Err(bad_slug("document", doc));
                    }
                    let Some(date_str) = stem(name, ".yaml") else {
                        return Err(Diagnostic::error(
                            rel,
                            "a snapshot file must be named <YYYY-MM-DD>.yaml",
                        )
                        .help("rename it, e.g. 2026-01-15.yaml"));
                    };
                    let date = parse_date(&date_str).ok_or_else(|| {
                        Diagnostic::error(rel, format!("`{date_str}` is not a real date"))
                            .help("name the file after the capture date, as YYYY-MM-DD.yaml (e.g. 2026-01-15.yaml)")
                    })?;
                    Ok(Some(Kind::Snapshot {
                        platform: p,
                        document: doc.to_string(),
                        date,
                    }))
                }
                ["changes", name] => {
                    let Some(key) = stem(name, ".md") else {
                        return Ok(None);
                    };
                    let date = key.get(..10).and_then(parse_date);
                    let slug = key.get(11..).unwrap_or("");
                    match date {
                        Some(date) if key.as_bytes().get(10) == Some(&b'-') && is_slug(slug) => Ok(Some(Kind::Change { platform: p, key, date })),
                        Some(_) => Err(bad_slug("change record", slug).help("name the file <YYYY-MM-DD>-<slug>.md, e.g. 2026-01-15-bars-ai-training.md")),
                        None => Err(Diagnostic::error(rel, "a change record's file name must start with a real date")
                            .help("name the file <YYYY-MM-DD>-<slug>.md, e.g. 2026-01-15-bars-ai-training.md")),
                    }
                }
                _ => Ok(None),
            }
        }
        ["content", section @ ("topics" | "faq" | "pages"), name] => {
            let Some(slug) = stem(name, ".md") else {
                return Ok(None);
            };
            if !is_slug(&slug) {
                return Err(bad_slug(section.trim_end_matches('s'), &slug));
            }
            Ok(Some(match *section {
                "topics" => Kind::Topic(slug),
                "faq" => Kind::Faq(slug),
                _ => Kind::Page(slug),
            }))
        }
        _ => Ok(None),
    }
}

/// What a content file is, and its text; a file outside the content format is an error too (a
/// warning), so that nothing about it is kept.
fn read_file(f: &files::FoundFile) -> Result<(Kind, String), Vec<Diagnostic>> {
    let kind = match classify(&f.rel) {
        Ok(Some(kind)) => kind,
        Ok(None) => return Err(vec![Diagnostic::warning(&f.rel, "this file is not part of the content format and is ignored").help(
            "content/ holds platforms/<p>/platform.yaml, platforms/<p>/snapshots/<doc>/<date>.yaml, platforms/<p>/changes/<date>-<slug>.md, topics/, faq/ and pages/",
        )]),
        Err(d) => return Err(vec![d]),
    };
    let src = files::read_text(f).map_err(|d| vec![d])?;
    Ok((kind, src))
}

/// Parses the text of one content file as the loader would if it were at `rel` (a path
/// relative to the site root, such as `content/faq/x.md`): its diagnostics, or none. Files
/// outside the content format parse to nothing. For fuzzing and tools; no panic, whatever
/// the text.
pub fn parse_source(rel: &str, src: &str) -> Result<(), Vec<Diagnostic>> {
    match classify(rel) {
        Ok(Some(kind)) => parse_text(src.to_string(), rel.to_string(), kind).map(|_| ()),
        Ok(None) => Ok(()),
        Err(d) => Err(vec![d]),
    }
}

fn parse_text(src: String, file: String, kind: Kind) -> Result<Parsed, Vec<Diagnostic>> {
    Ok(match kind {
        Kind::Platform(slug) => {
            let meta =
                crate::yaml::parse::<PlatformMeta>(&src, &file, 1, &src).map_err(|d| vec![d])?;
            Parsed::Platform(
                slug,
                MarkdownLess {
                    meta,
                    src,
                    file,
                    rendered: Default::default(),
                },
            )
        }
        Kind::Snapshot {
            platform,
            document,
            date,
        } => {
            let snap = snapshot::parse(&src, &file)?;
            Parsed::Snapshot {
                platform,
                document,
                date,
                file,
                src,
                snap,
                hash: 0,
            }
        }
        Kind::Change {
            platform,
            key,
            date,
        } => {
            let md = records::parse::<ChangeMeta>(&src, &file).map_err(|d| vec![d])?;
            Parsed::Change {
                platform,
                key,
                date,
                file,
                src,
                md,
                body: Default::default(),
                resolved: Default::default(),
            }
        }
        Kind::Topic(slug) => Parsed::Topic(
            slug,
            src.clone(),
            records::parse(&src, &file).map_err(|d| vec![d])?,
        ),
        Kind::Faq(slug) => Parsed::Faq(
            slug,
            src.clone(),
            records::parse(&src, &file).map_err(|d| vec![d])?,
        ),
        Kind::Page(slug) => Parsed::Page(
            slug,
            src.clone(),
            records::parse(&src, &file).map_err(|d| vec![d])?,
        ),
    })
}

#[derive(Clone, Copy)]
struct PendingSnapshot<'a> {
    date: Date,
    file: &'a str,
    src: &'a str,
    snap: &'a snapshot::ParsedSnapshot,
    hash: u64,
}

/// Builds the model from parsed files and checks every reference between them.
fn assemble(
    config: SiteConfig,
    items: &[Arc<Parsed>],
    opts: &LoadOptions,
    cache: Option<&LoadCache>,
    diags: &mut Vec<Diagnostic>,
) -> (Site, Vec<InternalLink>) {
    let base_path = config.base_path.clone();
    let mut links = Vec::new();
    let mut platform_meta: BTreeMap<&str, &MarkdownLess<PlatformMeta>> = BTreeMap::new();
    let mut snapshots: Vec<((&str, &str), PendingSnapshot)> = Vec::with_capacity(items.len());
    let mut changes = Vec::new();
    let mut topics = Vec::new();
    let mut faq_raw = Vec::new();
    let mut pages = Vec::new();
    for item in items {
        match &**item {
            Parsed::Platform(slug, m) => {
                platform_meta.insert(slug, m);
            }
            Parsed::Snapshot {
                platform,
                document,
                date,
                file,
                src,
                snap,
                hash,
            } => snapshots.push((
                (platform, document),
                PendingSnapshot {
                    date: *date,
                    file,
                    src,
                    snap,
                    hash: *hash,
                },
            )),
            Parsed::Change {
                platform,
                key,
                date,
                file,
                src,
                md,
                body,
                resolved,
            } => changes.push((platform.as_str(), key, *date, file, src, md, body, resolved)),
            Parsed::Topic(slug, src, md) => {
                let file = format!("content/topics/{slug}.md");
                let r = cache::render_md(
                    cache,
                    &md.body,
                    Source {
                        file: &file,
                        first_line: md.body_line,
                        base_path: &base_path,
                    },
                );
                links.extend(r.links);
                if md.meta.title.trim().is_empty() {
                    diags.push(
                        Diagnostic::error(&file, "`title` is empty")
                            .at_opt(md.key_pos("title"))
                            .with_source(src),
                    );
                }
                topics.push(Topic {
                    slug: slug.clone(),
                    title: md.meta.title.clone(),
                    question: md.meta.question.clone(),
                    body_html: r.html,
                });
            }
            Parsed::Faq(slug, src, md) => faq_raw.push((slug, src, md)),
            Parsed::Page(slug, src, md) => {
                let file = format!("content/pages/{slug}.md");
                let r = cache::render_md(
                    cache,
                    &md.body,
                    Source {
                        file: &file,
                        first_line: md.body_line,
                        base_path: &base_path,
                    },
                );
                links.extend(r.links);
                if md.meta.title.trim().is_empty() {
                    diags.push(
                        Diagnostic::error(&file, "`title` is empty")
                            .at_opt(md.key_pos("title"))
                            .with_source(src),
                    );
                }
                pages.push(Page {
                    slug: slug.clone(),
                    title: md.meta.title.clone(),
                    body_html: r.html,
                });
            }
        }
    }
    topics.sort_by(|a, b| a.slug.cmp(&b.slug));
    pages.sort_by(|a, b| a.slug.cmp(&b.slug));
    let topic_slugs: BTreeSet<String> = topics.iter().map(|t| t.slug.clone()).collect();

    // Platforms and their documents.
    let mut platforms: BTreeMap<String, Platform> = BTreeMap::new();
    for (slug, m) in &platform_meta {
        let (meta, src, file) = (&m.meta, &m.src, &m.file);
        if !is_http_url(&meta.url) {
            diags.push(
                Diagnostic::error(
                    file,
                    format!("`url` must be an http(s) URL, not `{}`", meta.url),
                )
                .at_opt(crate::yaml::key_position(src, "url"))
                .help("write the platform's address, starting with https://")
                .with_source(src),
            );
        }
        if meta.documents.is_empty() {
            diags.push(
                Diagnostic::error(file, "the platform has no documents")
                    .at_opt(crate::yaml::key_position(src, "documents"))
                    .help("list at least one document with an `id` and a `title`")
                    .with_source(src),
            );
        }
        let mut documents: Vec<Document> = Vec::new();
        for d in &meta.documents {
            let pos = || crate::yaml::value_position(src, "id", &d.id);
            if d.id == "changes" {
                diags.push(
                    Diagnostic::error(file, "a document may not be called `changes`")
                        .at_opt(pos())
                        .help(
                            "`/platforms/<p>/changes/` holds the change records; choose another id",
                        )
                        .with_source(src),
                );
            }
            if !is_slug(&d.id) {
                diags.push(
                    Diagnostic::error(file, format!("document id `{}` is not a slug", d.id))
                        .at_opt(pos())
                        .help("use lower-case letters, digits and hyphens, e.g. `terms-of-service`")
                        .with_source(src),
                );
            }
            if documents.iter().any(|x| x.id == d.id) {
                diags.push(
                    Diagnostic::error(file, format!("document id `{}` is listed twice", d.id))
                        .at_opt(pos())
                        .help("give each document its own id")
                        .with_source(src),
                );
                continue;
            }
            if let Some(url) = d.url.as_deref().filter(|u| !is_http_url(u)) {
                diags.push(
                    Diagnostic::error(
                        file,
                        format!("document url must be an http(s) URL, not `{url}`"),
                    )
                    .at_opt(crate::yaml::value_position(src, "url", url))
                    .help("write the full address, starting with https://")
                    .with_source(src),
                );
            }
            documents.push(Document {
                id: d.id.clone(),
                title: d.title.clone(),
                url: d.url.clone(),
                snapshots: Arc::default(),
            });
        }
        let desc = meta.description.as_deref().unwrap_or("");
        let line = || {
            crate::yaml::key_position(src, "description")
                .map(|p| p.0)
                .unwrap_or(1)
        };
        let render = || {
            let source = Source {
                file,
                first_line: line(),
                base_path: &base_path,
            };
            markdown::render(desc, source)
        };
        let r = match cache {
            Some(_) => m.rendered.get(&base_path, render),
            None => render(),
        };
        if !r.links.is_empty() {
            links.extend(relocate_links(r.links, src, line()));
        }
        platforms.insert(
            slug.to_string(),
            Platform {
                slug: slug.to_string(),
                name: meta.name.clone(),
                url: meta.url.clone(),
                category: meta.category.clone(),
                description_html: r.html,
                documents,
                changes: Vec::new(),
            },
        );
    }

    // Snapshots into their documents.
    let mut pending_docs: Vec<(&str, usize, Vec<PendingSnapshot>)> = Vec::new();
    // Files come in path order, so a document's snapshots are together and this sort is cheap.
    snapshots.sort_by(|a, b| a.0.cmp(&b.0));
    for group in snapshots.chunk_by(|a, b| a.0 == b.0) {
        let (p, doc) = group[0].0;
        let mut snaps: Vec<PendingSnapshot> = group.iter().map(|(_, s)| *s).collect();
        let Some(platform) = platforms.get(p) else {
            let file = snaps[0].file;
            diags.push(missing_platform(file, p, platform_meta.keys().copied()));
            continue;
        };
        let Some(idx) = platform.documents.iter().position(|d| d.id == doc) else {
            let known: Vec<&str> = platform.documents.iter().map(|d| d.id.as_str()).collect();
            let mut d = Diagnostic::error(
                snaps[0].file,
                format!("platform `{p}` has no document `{doc}`"),
            );
            d = d.help(match did_you_mean(doc, known.iter().copied()) {
                Some(dym) => format!("{dym} Or add `{doc}` to content/platforms/{p}/platform.yaml"),
                None if known.is_empty() => format!("content/platforms/{p}/platform.yaml lists no documents: add one with `id: {doc}`"),
                None => format!("add a document with `id: {doc}` to content/platforms/{p}/platform.yaml (it has: {})", known.join(", ")),
            });
            diags.push(d);
            continue;
        };
        snaps.sort_by_key(|s| s.date);
        pending_docs.push((p, idx, snaps));
    }
    let built: Vec<_> = pending_docs
        .into_par_iter()
        .map(|(p, idx, snaps)| {
            let title = &platforms[p].documents[idx].title;
            let build = || Arc::new(build_snapshots(&snaps, title, &base_path, cache));
            let built = match cache {
                Some(c) => c.snapshots(&snaps, title, &base_path, build),
                None => build(),
            };
            (p, idx, snaps, built)
        })
        .collect();
    for (p, idx, snaps, built) in built {
        // The sections are searched only when the document names an unknown topic.
        if built.topics.iter().any(|t| !topic_slugs.contains(t)) {
            for s in &snaps {
                for sec in &s.snap.sections {
                    for t in &sec.topics {
                        if !topic_slugs.contains(t) {
                            diags.push(
                                unknown_topic(s.file, t, &topic_slugs)
                                    .at_opt(topic_position(s.src, t, sec.line))
                                    .with_source(s.src),
                            );
                        }
                    }
                }
            }
        }
        links.extend(built.links.iter().cloned());
        platforms.get_mut(p).expect("checked above").documents[idx].snapshots =
            built.snapshots.clone();
    }

    // Change records; with a cache, an unchanged record resolved against the same snapshot
    // dates before is taken as it was (it had no diagnostics, and would have none again).
    let rendered: Vec<_> = changes
        .into_par_iter()
        .map(|(p, key, date, file, src, md, body, resolved)| {
            let hit = cache.and_then(|_| {
                let doc = platforms.get(p)?.document(&md.meta.document)?;
                let topics_known = md.meta.topics.iter().all(|t| topic_slugs.contains(t));
                resolved.get(&base_path, doc).filter(|_| topics_known)
            });
            // The record as resolved before, or its body rendered to resolve it now.
            let found = hit.ok_or_else(|| {
                let source = Source {
                    file,
                    first_line: md.body_line,
                    base_path: &base_path,
                };
                match cache {
                    Some(_) => body.get(&base_path, || markdown::render(&md.body, source)),
                    None => markdown::render(&md.body, source),
                }
            });
            (p, key, date, file, src, md, resolved, found)
        })
        .collect();
    for (p, key, date, file, src, md, resolved, found) in rendered {
        let draft_left_out = md.meta.draft && !opts.drafts;
        let (record, record_links) = match found {
            Ok(hit) => hit,
            Err(r) => {
                let Some(platform) = platforms.get(p) else {
                    diags.push(missing_platform(file, p, platform_meta.keys().copied()));
                    continue;
                };
                // A draft left out is still checked, so that `check` catches its problems too.
                let Some(record) = resolve_change(
                    platform,
                    p,
                    key.to_string(),
                    date,
                    file,
                    src,
                    md,
                    &topic_slugs,
                    diags,
                    r.html,
                ) else {
                    if !draft_left_out {
                        links.extend(r.links);
                    }
                    continue;
                };
                let record = Arc::new(record);
                if let (Some(_), Some(doc)) = (cache, platform.document(&record.document)) {
                    resolved.set(&base_path, doc, record.clone(), &r.links);
                }
                (record, r.links)
            }
        };
        if draft_left_out {
            continue;
        }
        links.extend(record_links);
        platforms
            .get_mut(p)
            .expect("checked above")
            .changes
            .push(record);
    }
    for p in platforms.values_mut() {
        p.changes
            .sort_by(|a, b| (a.date, &a.key).cmp(&(b.date, &b.key)));
        for d in &p.documents {
            if d.snapshots.is_empty() {
                diags.push(
                    Diagnostic::warning(
                        format!("content/platforms/{}/platform.yaml", p.slug),
                        format!("document `{}` has no snapshots yet", d.id),
                    )
                    .help(format!(
                        "add content/platforms/{}/snapshots/{}/<YYYY-MM-DD>.yaml",
                        p.slug, d.id
                    )),
                );
            }
        }
    }

    // FAQ.
    let mut faq = Vec::new();
    for (slug, src, md) in faq_raw {
        let file = format!("content/faq/{slug}.md");
        if let Some(p) = &md.meta.platform {
            if !platforms.contains_key(p) {
                let help = did_you_mean(p, platforms.keys().map(String::as_str))
                    .unwrap_or_else(|| "name a folder under content/platforms/".into());
                diags.push(
                    Diagnostic::error(&file, format!("unknown platform `{p}`"))
                        .at_opt(md.value_pos("platform", p))
                        .help(help)
                        .with_source(src),
                );
            }
        }
        let r = cache::render_md(
            cache,
            &md.body,
            Source {
                file: &file,
                first_line: md.body_line,
                base_path: &base_path,
            },
        );
        links.extend(r.links);
        faq.push(FaqEntry {
            slug: slug.clone(),
            question: md.meta.question.clone(),
            order: md.meta.order.unwrap_or(i64::MAX),
            platform: md.meta.platform.clone(),
            answer_html: r.html,
            answer_text: markdown::plain_text(&md.body),
        });
    }
    faq.sort_by(|a, b| (a.order, &a.slug).cmp(&(b.order, &b.slug)));

    let site = Site {
        config,
        platforms: platforms.into_values().collect(),
        topics,
        faq,
        pages,
    };
    (site, links)
}

fn missing_platform<'a>(file: &str, p: &str, known: impl Iterator<Item = &'a str>) -> Diagnostic {
    Diagnostic::error(file, format!("platform `{p}` has no platform.yaml")).help(format!(
        "create content/platforms/{p}/platform.yaml with `name`, `url` and `documents`{}",
        did_you_mean(p, known)
            .map(|d| format!(", or move the file: {d}"))
            .unwrap_or_default()
    ))
}

fn unknown_topic(file: &str, t: &str, known: &BTreeSet<String>) -> Diagnostic {
    let help = match did_you_mean(t, known.iter().map(String::as_str)) {
        Some(d) => format!("{d} Or create content/topics/{t}.md"),
        None => format!(
            "create content/topics/{t}.md, or use one of: {}",
            known.iter().cloned().collect::<Vec<_>>().join(", ")
        ),
    };
    Diagnostic::error(file, format!("unknown topic `{t}`")).help(help)
}

/// The position of topic `t` at or after `from_line` in a snapshot's source.
fn topic_position(src: &str, t: &str, from_line: usize) -> Option<(usize, usize)> {
    src.lines()
        .enumerate()
        .skip(from_line.saturating_sub(1))
        .find_map(|(i, l)| {
            let trimmed = l.trim_start();
            if trimmed.starts_with("topics:") || trimmed.starts_with("- ") {
                l.find(t).map(|c| (i + 1, c + 1))
            } else {
                None
            }
        })
}

/// A document's snapshots in the model, with the links in them and the topics they name.
struct BuiltDocument {
    snapshots: Arc<[Snapshot]>,
    links: Vec<InternalLink>,
    /// Each once, sorted.
    topics: Vec<String>,
}

/// Turns parsed snapshots into model snapshots: anchors, and HTML rendered once per distinct text.
fn build_snapshots(
    snaps: &[PendingSnapshot<'_>],
    doc_title: &str,
    base_path: &str,
    md_cache: Option<&LoadCache>,
) -> BuiltDocument {
    let ids: Vec<&str> = snaps
        .iter()
        .flat_map(|s| s.snap.sections.iter().map(|x| x.id.as_str()))
        .collect();
    let anchors = section_anchors(ids);
    // Keyed by whole section texts: Fx hashing reads them eight bytes at a time, where the
    // default hasher spent a tenth of loading on them.
    let mut cache: rustc_hash::FxHashMap<Arc<str>, Arc<str>> = Default::default();
    let mut links = Vec::new();
    let mut out = Vec::with_capacity(snaps.len());
    for s in snaps {
        let mut sections = Vec::with_capacity(s.snap.sections.len());
        for sec in &s.snap.sections {
            let (text, html) = match cache.get_key_value(sec.text.as_str()) {
                Some((t, h)) => (t.clone(), h.clone()),
                None => {
                    let r = cache::render_md(
                        md_cache,
                        &sec.text,
                        Source {
                            file: s.file,
                            first_line: sec.line,
                            base_path,
                        },
                    );
                    links.extend(relocate_links(r.links, s.src, sec.line));
                    let t: Arc<str> = Arc::from(sec.text.as_str());
                    let h: Arc<str> = Arc::from(r.html);
                    cache.insert(t.clone(), h.clone());
                    (t, h)
                }
            };
            sections.push(Section {
                id: sec.id.clone(),
                anchor: anchors[sec.id.as_str()].clone(),
                heading: sec.heading.clone(),
                topics: sec.topics.clone(),
                text,
                html,
            });
        }
        out.push(Snapshot {
            date: s.date,
            title: s
                .snap
                .title
                .clone()
                .unwrap_or_else(|| doc_title.to_string()),
            source_url: s.snap.source_url.clone(),
            sections,
            file: s.file.to_string(),
        });
    }
    let topics: BTreeSet<&String> = snaps
        .iter()
        .flat_map(|s| s.snap.sections.iter().flat_map(|x| &x.topics))
        .collect();
    BuiltDocument {
        snapshots: out.into(),
        links,
        topics: topics.into_iter().cloned().collect(),
    }
}

/// Markdown embedded in YAML (a snapshot's text, a description) is indented, folded or split by
/// YAML, so the Markdown's own positions are not the file's: each link is found again in the
/// file's source, in order, from `from_line` on. A link not found keeps its position.
fn relocate_links(mut links: Vec<InternalLink>, src: &str, from_line: usize) -> Vec<InternalLink> {
    if links.is_empty() {
        return links;
    }
    let lines: Vec<&str> = src.lines().collect();
    let mut cursor = (from_line.saturating_sub(1), 0usize);
    for link in &mut links {
        let found = lines
            .iter()
            .enumerate()
            .skip(cursor.0)
            .find_map(|(i, line)| {
                let from = if i == cursor.0 { cursor.1 } else { 0 };
                line.get(from..)?
                    .find(&*link.target)
                    .map(|at| (i, from + at))
            });
        if let Some((i, at)) = found {
            cursor = (i, at + link.target.len());
            let start = link_start(lines[i], at).unwrap_or(at);
            link.line = i + 1;
            link.column = lines[i][..start].chars().count() + 1;
        }
    }
    links
}

/// The `[` opening the inline link whose target starts at byte `at` of `line`, if on the line.
fn link_start(line: &str, at: usize) -> Option<usize> {
    let before = &line[..at];
    let before = before
        .strip_suffix('<')
        .unwrap_or(before)
        .strip_suffix("](")?;
    let mut depth = 0usize;
    for (i, c) in before.char_indices().rev() {
        match c {
            ']' => depth += 1,
            '[' if depth == 0 => return Some(i),
            '[' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Stable anchors for section ids, given in order of first appearance (oldest version first):
/// the id's slug; when an earlier id already has that slug (or the slug is empty or starts
/// with the theme's reserved `tt-`), the slug with a hash of the id. An id keeps its anchor
/// when later versions add ids, so links to sections never break. Anchors are valid HTML ids
/// and URL segments: ASCII letters, digits and single `-`.
pub fn section_anchors<'a>(ids: impl IntoIterator<Item = &'a str>) -> HashMap<&'a str, String> {
    let mut out: HashMap<&'a str, String> = HashMap::new();
    let mut used: HashSet<String> = HashSet::new();
    for id in ids {
        if out.contains_key(id) {
            continue;
        }
        let slug = markdown::slugify(id);
        let reserved = slug == "tt" || slug.starts_with("tt-");
        let base = if slug.is_empty() {
            format!("section-{:08x}", fnv(id) as u32)
        } else if reserved {
            format!("section-{slug}")
        } else if used.contains(&slug) {
            format!("{slug}-{:06x}", fnv(id) as u32 & 0xff_ffff)
        } else {
            slug
        };
        let mut anchor = base.clone();
        let mut n = 2;
        while used.contains(&anchor) {
            anchor = format!("{base}-{n}");
            n += 1;
        }
        used.insert(anchor.clone());
        out.insert(id, anchor);
    }
    out
}

/// FNV-1a: a tiny hash that never changes between builds or versions of Rust.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

#[allow(clippy::too_many_arguments)]
fn resolve_change(
    platform: &Platform,
    p: &str,
    key: String,
    date: Date,
    file: &str,
    src: &str,
    md: &MarkdownFile<ChangeMeta>,
    topics: &BTreeSet<String>,
    diags: &mut Vec<Diagnostic>,
    body_html: String,
) -> Option<ChangeRecord> {
    let m = &md.meta;
    let before = diags.len();
    let err = |msg: String, pos: Option<(usize, usize)>, help: String| {
        Diagnostic::error(file, msg)
            .at_opt(pos)
            .help(help)
            .with_source(src)
    };
    for (field, value) in [("title", &m.title), ("summary", &m.summary)] {
        // A draft may leave its summary to be written (`termtrail new change` does).
        if value.trim().is_empty() && !(field == "summary" && m.draft) {
            diags.push(err(
                format!("`{field}` is empty"),
                md.key_pos(field),
                format!("write the record's {field}"),
            ));
        }
    }
    if let Some(d) = &m.date {
        match parse_date(d) {
            Some(d) if d == date => {}
            Some(d) => diags.push(err(
                format!("`date: {d}` disagrees with the file name's date {date}"),
                md.key_pos("date"),
                "make them the same, or remove `date:`".into(),
            )),
            None => diags.push(err(
                format!("`{d}` is not a real date"),
                md.key_pos("date"),
                "write dates as YYYY-MM-DD".into(),
            )),
        }
    }
    let impact = match m.impact.as_deref() {
        None => Impact::Medium,
        Some("low") => Impact::Low,
        Some("medium") => Impact::Medium,
        Some("high") => Impact::High,
        Some(other) => {
            diags.push(err(
                format!("impact `{other}` is not one of low, medium, high"),
                md.key_pos("impact"),
                "use `low`, `medium` or `high`".into(),
            ));
            Impact::Medium
        }
    };
    for t in &m.topics {
        if !topics.contains(t) {
            diags.push(
                unknown_topic(file, t, topics)
                    .at_opt(md.value_pos("topics", t))
                    .with_source(src),
            );
        }
    }
    let Some(doc) = platform.document(&m.document) else {
        let known: Vec<&str> = platform.documents.iter().map(|d| d.id.as_str()).collect();
        let help = did_you_mean(&m.document, known.iter().copied()).unwrap_or_else(|| match known
            .is_empty()
        {
            true => format!(
                "content/platforms/{p}/platform.yaml lists no documents: add `{}` there",
                m.document
            ),
            false => format!("{p}'s documents are: {}", known.join(", ")),
        });
        diags.push(err(
            format!("platform `{p}` has no document `{}`", m.document),
            md.value_pos("document", &m.document),
            help,
        ));
        return None;
    };
    let dates = || doc.snapshots.iter().map(|s| s.date);
    let named = |field: &str,
                 value: &Option<String>,
                 diags: &mut Vec<Diagnostic>|
     -> Option<Option<Date>> {
        let v = value.as_ref()?;
        let pos = || md.key_pos(field);
        let Some(d) = parse_date(v) else {
            diags.push(err(
                format!("`{field}: {v}` is not a real date"),
                pos(),
                "write dates as YYYY-MM-DD".into(),
            ));
            return Some(None);
        };
        if !dates().any(|x| x == d) {
            let list: Vec<String> = dates().map(|d| d.to_string()).collect();
            let near = did_you_mean(&d.to_string(), list.iter().map(String::as_str))
                .map(|s| format!("{s} "))
                .unwrap_or_default();
            diags.push(err(
                format!("`{field}: {d}` names no snapshot of {p}/{}", doc.id),
                pos(),
                format!(
                    "{near}snapshots of this document: {}",
                    if list.is_empty() {
                        "none".into()
                    } else {
                        list.join(", ")
                    }
                ),
            ));
            return Some(None);
        }
        Some(Some(d))
    };
    let named_from = named("from", &m.from, diags);
    let named_to = named("to", &m.to, diags);
    let to = match named_to {
        Some(t) => t,
        None => dates().rev().find(|d| *d <= date),
    };
    let from = match named_from {
        Some(f) => f,
        None => to.and_then(|t| dates().rev().find(|d| *d < t)),
    };
    if let (Some(f), Some(t)) = (from, to) {
        if f >= t {
            diags.push(err(
                format!("`from: {f}` is not before `to: {t}`"),
                md.key_pos("from"),
                "`from` names the earlier snapshot and `to` the later one".into(),
            ));
        }
    }
    if diags.len() > before {
        return None;
    }
    Some(ChangeRecord {
        platform: p.to_string(),
        key,
        date,
        title: m.title.trim().to_string(),
        document: m.document.clone(),
        summary: m.summary.trim().to_string(),
        topics: m.topics.clone(),
        impact,
        from,
        to,
        draft: m.draft,
        body_html,
        file: file.to_string(),
    })
}

/// Files from `static/` and the theme's `static/` (the site's win), as output paths.
fn collect_assets(root: &Path, config: &SiteConfig, diags: &mut Vec<Diagnostic>) -> Vec<Asset> {
    let mut by_output: BTreeMap<String, PathBuf> = BTreeMap::new();
    for dir in [
        root.join("themes").join(&config.theme).join("static"),
        root.join("static"),
    ] {
        for f in files::walk(root, &dir, diags, false) {
            let rel = f
                .path
                .strip_prefix(&dir)
                .map(|r| r.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            let rel = if rel.is_empty() {
                f.rel.rsplit('/').next().unwrap_or_default().to_string()
            } else {
                rel
            };
            by_output.insert(rel, f.path);
        }
    }
    by_output
        .into_iter()
        .map(|(output, source)| Asset { output, source })
        .collect()
}

/// A page may not take a path the site makes itself, nor a top-level static file's name.
fn check_page_slugs(site: &Site, assets: &[Asset], diags: &mut Vec<Diagnostic>) {
    let static_top: BTreeSet<&str> = assets
        .iter()
        .map(|a| a.output.split('/').next().unwrap_or(""))
        .collect();
    for page in &site.pages {
        let file = format!("content/pages/{}.md", page.slug);
        if RESERVED_PATHS.contains(&page.slug.as_str()) || static_top.contains(page.slug.as_str()) {
            diags.push(
                Diagnostic::error(
                    file,
                    format!(
                        "the page slug `{}` collides with the site's own path /{}/",
                        page.slug, page.slug
                    ),
                )
                .help(format!(
                    "rename the file; reserved names: {}",
                    RESERVED_PATHS.join(", ")
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_dates() {
        assert!(is_slug("terms-of-service"));
        assert!(!is_slug("Terms"));
        assert!(!is_slug("a--b"));
        assert!(parse_date("2024-02-29").is_some());
        assert!(parse_date("2026-02-30").is_none());
        assert!(parse_date("2026-1-5").is_none());
    }

    #[test]
    fn anchors_are_unique_and_stable() {
        let a = section_anchors(["§ 12(a)", "12-a", "4.6", "数据"]);
        assert_eq!(a["4.6"], "4-6");
        assert_ne!(a["§ 12(a)"], a["12-a"]);
        assert!(a["数据"].starts_with("section-"));
        let b = section_anchors(["§ 12(a)", "12-a"]);
        assert_eq!(a["§ 12(a)"], b["§ 12(a)"]);
        // An id added by a later version does not move an earlier id's anchor.
        assert_eq!(a["§ 12(a)"], "12-a");
        assert_eq!(section_anchors(["12-a", "§ 12(a)"])["12-a"], "12-a");
        let c = section_anchors(["tt-history", "main", "", "数据", "数据"]);
        assert_eq!(c["tt-history"], "section-tt-history");
        assert!(c[""].starts_with("section-") && c[""] != c["数据"]);
    }
}
