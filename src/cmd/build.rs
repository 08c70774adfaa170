//! `termtrail build` and the build pipeline the other commands share.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::build_cache;
use crate::content::{self, LoadOptions, Loaded};
use crate::derive::Derived;
use crate::error::{Diagnostics, Error, Result};
use crate::output::{self, WriteStats};
use crate::render::{self, templates, Rendered};
use crate::timings::Timings;

/// Options of a build.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: Option<PathBuf>,
    pub base_url: Option<String>,
    pub drafts: bool,
    pub force: bool,
}

/// A site built in memory, not yet written.
pub struct BuiltSite {
    pub loaded: Loaded,
    pub files: Rendered,
}

/// Loads, derives and renders: everything but writing.
pub fn build_in_memory(
    root: &Path,
    opts: &LoadOptions,
) -> std::result::Result<BuiltSite, Diagnostics> {
    build_into(root, opts, None)
}

/// Loads, derives and renders; pages go to `sink` as they are made, when there is one, and
/// the other files are returned.
pub fn build_into(
    root: &Path,
    opts: &LoadOptions,
    sink: Option<&dyn render::PageSink>,
) -> std::result::Result<BuiltSite, Diagnostics> {
    let mut timings = Timings::from_env();
    let mut loaded = content::load_partial(root, opts)?;
    timings.stage("load");
    if loaded.warnings.has_errors() {
        return Err(with_render_errors(root, loaded));
    }
    let tera = templates::load(root, &loaded.site.config.theme)?;
    timings.stage("templates");
    let derived = Derived::compute(&loaded.site);
    timings.stage("derive");
    let lints = crate::derive::lint::lint(&loaded.site, &derived, root);
    loaded.warnings.extend(lints);
    loaded.warnings = std::mem::take(&mut loaded.warnings).sorted();
    let extra: BTreeSet<String> = loaded
        .assets
        .iter()
        .map(|a| a.output.clone())
        .chain(templates::BUILTIN_ASSETS.iter().map(|(n, _)| n.to_string()))
        .collect();
    let files = render::render(&loaded.site, &derived, &tera, &loaded.links, &extra, sink)?;
    timings.stage("render");
    drop_in_background(derived);
    Ok(BuiltSite { loaded, files })
}

/// The content has errors: renders what did load all the same, so that the errors only
/// rendering finds (dead internal links, templates) are reported in the same run. Links into
/// the pages of files that have errors are not checked: those pages are missing because of
/// errors already reported.
fn with_render_errors(root: &Path, loaded: Loaded) -> Diagnostics {
    let mut diags = loaded.warnings;
    let tera = match templates::load(root, &loaded.site.config.theme) {
        Ok(t) => t,
        Err(d) => {
            diags.extend(d.0);
            return diags.sorted();
        }
    };
    let broken: Vec<String> = diags
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| pages_of_file(&d.file))
        .collect();
    let links: Vec<_> = loaded
        .links
        .into_iter()
        .filter(|l| !broken.iter().any(|b| l.target.starts_with(b.as_str())))
        .collect();
    let derived = Derived::compute(&loaded.site);
    let extra: BTreeSet<String> = loaded
        .assets
        .iter()
        .map(|a| a.output.clone())
        .chain(templates::BUILTIN_ASSETS.iter().map(|(n, _)| n.to_string()))
        .collect();
    if let Err(d) = render::render(&loaded.site, &derived, &tera, &links, &extra, None) {
        diags.extend(d.0);
    }
    diags.sorted()
}

/// The site path under which a content file's pages live (`content/topics/x.md` → `/topics/x/`).
fn pages_of_file(file: &str) -> Option<String> {
    let stem = |s: &str| s.rsplit_once('.').map_or(s, |(a, _)| a).to_string();
    match file.split('/').collect::<Vec<_>>().as_slice() {
        ["content", "platforms", p, "platform.yaml"] => Some(format!("/platforms/{p}/")),
        ["content", "platforms", p, "snapshots", d, ..] => Some(format!("/platforms/{p}/{d}/")),
        ["content", "platforms", p, "changes", name] => {
            Some(format!("/platforms/{p}/changes/{}/", stem(name)))
        }
        ["content", "topics", name] => Some(format!("/topics/{}/", stem(name))),
        ["content", "pages", name] => Some(format!("/{}/", stem(name))),
        _ => None,
    }
}

/// What `build` reports.
pub struct BuildReport {
    pub output: PathBuf,
    pub stats: WriteStats,
    pub warnings: Diagnostics,
    pub platforms: usize,
    pub documents: usize,
    pub versions: usize,
    pub changes: usize,
    pub seconds: f64,
}

pub fn output_dir(opts: &BuildOptions, config_dir: &str) -> PathBuf {
    match &opts.output {
        Some(o) => o.clone(),
        None => opts.root.join(config_dir),
    }
}

/// Frees a large value on another thread. Freeing a whole site (millions of small allocations)
/// takes a noticeable part of a build; the command line exits without waiting for it.
pub fn drop_in_background<T: Send + 'static>(value: T) {
    // When no thread can be had, `spawn` drops the closure, and the value with it, right here.
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

/// Builds the site at `opts.root` into its output folder.
pub fn run(opts: &BuildOptions) -> Result<BuildReport> {
    let start = Instant::now();
    let config = content::load_config(&opts.root).map_err(Error::Content)?;
    let out = output_dir(opts, &config.output_dir);
    output::check_destination(&opts.root, &out, opts.force)?;
    let load_opts = LoadOptions {
        drafts: opts.drafts,
        base_url: opts.base_url.clone(),
    };
    // Inputs unchanged since the build that wrote the output, which nobody touched: done.
    let mut timings = Timings::from_env();
    // With no manifest to compare with, the content is hashed after loading, from the bytes
    // loading read, instead of being read twice.
    let compare = build_cache::has_manifest(&out);
    let inputs =
        build_cache::Inputs::hash(&opts.root, opts.drafts, opts.base_url.as_deref(), !compare);
    let early = inputs
        .as_ref()
        .filter(|_| compare)
        .map(|i| i.fingerprint(&Default::default()));
    timings.stage("fingerprint");
    if let Some(c) = early.and_then(|fp| build_cache::reuse(&out, fp)) {
        return Ok(BuildReport {
            output: out,
            stats: WriteStats {
                pages: c.pages,
                files: c.files,
                written: 0,
                unchanged: c.pages + c.files,
            },
            warnings: Diagnostics::default(),
            platforms: c.platforms,
            documents: c.documents,
            versions: c.versions,
            changes: c.changes,
            seconds: start.elapsed().as_secs_f64(),
        });
    }
    // Pages are written into the new output as they are rendered; if the build fails, the
    // staging folder goes and the old output stays.
    let staging = output::Staging::create(&out)?;
    timings.stage("create output");
    let built = build_into(&opts.root, &load_opts, Some(&staging)).map_err(Error::Content)?;
    timings.stage("load to render, in all");
    let site = &built.loaded.site;
    let counts = build_cache::Counts {
        platforms: site.platforms.len(),
        documents: site.platforms.iter().map(|p| p.documents.len()).sum(),
        versions: site
            .platforms
            .iter()
            .flat_map(|p| &p.documents)
            .map(|d| d.snapshots.len())
            .sum(),
        changes: site.platforms.iter().map(|p| p.changes.len()).sum(),
        pages: 0,
        files: 0,
    };
    // Only a build without warnings is cached, so that warnings are shown by every build.
    // With nothing to compare with before, the inputs are hashed now, and what loading read is
    // not read again.
    let cached = match built.loaded.warnings.0.is_empty() {
        false => None,
        true => early.or_else(|| {
            let read = &built.loaded.read;
            let read = read.iter().map(|(f, h)| (f.as_str(), *h)).collect();
            inputs.map(|i| i.fingerprint(&read))
        }),
    };
    timings.stage("fingerprint the content");
    let manifest = |stats: &WriteStats, listing: &output::Listing| match cached {
        Some(fp) => {
            let written = build_cache::Counts {
                pages: stats.pages,
                files: stats.files,
                ..counts
            };
            build_cache::manifest(fp, written, listing)
        }
        None => String::new(),
    };
    let (stats, _) = staging.finish(
        &built.files,
        &built.loaded.assets,
        templates::BUILTIN_ASSETS,
        &manifest,
    )?;
    timings.stage("write the rest");
    let report = BuildReport {
        output: out,
        stats,
        warnings: built.loaded.warnings.clone(),
        platforms: counts.platforms,
        documents: counts.documents,
        versions: counts.versions,
        changes: counts.changes,
        seconds: start.elapsed().as_secs_f64(),
    };
    drop_in_background(built);
    Ok(report)
}
