//! `termtrail build` and the build pipeline the other commands share.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::content::{self, LoadOptions, Loaded};
use crate::derive::Derived;
use crate::error::{Diagnostics, Error, Result};
use crate::output::{self, WriteStats};
use crate::render::{self, templates, Rendered};

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
    let mut loaded = content::load(root, opts)?;
    let tera = templates::load(root, &loaded.site.config.theme)?;
    let derived = Derived::compute(&loaded.site);
    let lints = crate::derive::lint::lint(&loaded.site, &derived, root);
    loaded.warnings.extend(lints);
    loaded.warnings = std::mem::take(&mut loaded.warnings).sorted();
    let extra: BTreeSet<String> = loaded
        .assets
        .iter()
        .map(|a| a.output.clone())
        .chain(templates::BUILTIN_ASSETS.iter().map(|(n, _)| n.to_string()))
        .collect();
    let files = render::render(&loaded.site, &derived, &tera, &loaded.links, &extra)?;
    Ok(BuiltSite { loaded, files })
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
    let built = build_in_memory(&opts.root, &load_opts).map_err(Error::Content)?;
    let stats = output::write(
        &out,
        &built.files,
        &built.loaded.assets,
        templates::BUILTIN_ASSETS,
    )?;
    let site = &built.loaded.site;
    Ok(BuildReport {
        output: out,
        stats,
        warnings: built.loaded.warnings.clone(),
        platforms: site.platforms.len(),
        documents: site.platforms.iter().map(|p| p.documents.len()).sum(),
        versions: site
            .platforms
            .iter()
            .flat_map(|p| &p.documents)
            .map(|d| d.snapshots.len())
            .sum(),
        changes: site.platforms.iter().map(|p| p.changes.len()).sum(),
        seconds: start.elapsed().as_secs_f64(),
    })
}
