//! `termtrail serve`: builds the site in memory, serves it on loopback, rebuilds on every edit
//! and reloads open pages. The work is in [`crate::serve`].

use crate::error::Result;
pub use crate::serve::ServeOptions;

/// Serves until Ctrl-C, printing progress to stdout and diagnostics to stderr.
pub fn run(opts: &ServeOptions) -> Result<()> {
    crate::serve::run(opts, &mut std::io::stdout())
}
