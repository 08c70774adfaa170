//! The `termtrail` command line: parses arguments, runs a command, reports errors once.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use termtrail::cmd::{build, check, import, new, serve, snapshot};
use termtrail::error::{Diagnostics, Error};

// A build makes and frees millions of small strings (template output, JSON contexts, diff
// spans); mimalloc's per-thread heaps do that faster than glibc's malloc, and keep less memory.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (v3's `mi_option_t`; the bindings leave it out). The
/// test below checks that this index still names it.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// A build is one pass that ends with the process: memory it frees is never given back to the
/// system (mimalloc would return it after a second, and what a later stage takes again is
/// faulted in and zeroed anew: about a tenth of a large build's system time). `serve`, which
/// runs for hours, keeps giving memory back.
fn keep_freed_memory() {
    // SAFETY: sets one of mimalloc's options; called before any other thread exists.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

#[derive(Parser)]
#[command(
    name = "termtrail",
    version,
    about = "Publish changes to platforms' terms of use and privacy policies as a static site"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the site into its output folder (public/ by default)
    Build {
        /// The site's folder (holding site.yaml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// Where to write the site (default: output_dir from site.yaml)
        #[arg(long)]
        output: Option<PathBuf>,
        /// Use this base URL instead of site.yaml's
        #[arg(long)]
        base_url: Option<String>,
        /// Include change records marked `draft: true`
        #[arg(long)]
        drafts: bool,
        /// Write even into a folder that holds files termtrail did not write
        #[arg(long)]
        force: bool,
    },
    /// Check the content as `build` would, writing nothing
    Check {
        #[arg(long, default_value = ".")]
        root: PathBuf,
        #[arg(long, value_enum, default_value_t = check::Format::Human)]
        format: check::Format,
    },
    /// Build the site in memory, serve it on loopback, rebuild on every edit and reload open pages
    Serve {
        /// The site's folder (holding site.yaml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// The address to listen on; anything but loopback makes the site reachable from elsewhere
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// The port to listen on (0: any free port)
        #[arg(long, default_value_t = 1111)]
        port: u16,
        /// Include change records marked `draft: true`
        #[arg(long)]
        drafts: bool,
    },
    /// Write new content from a template
    New {
        #[command(subcommand)]
        what: NewCommand,
    },
    /// Make a snapshot file from a Markdown, HTML or plain-text document
    Snapshot {
        /// The platform's slug (its folder under content/platforms/)
        platform: String,
        /// The document's id in platform.yaml
        document: String,
        /// The document: a file, or `-` for standard input
        input: PathBuf,
        /// The capture date, YYYY-MM-DD (default: today)
        #[arg(long, value_parser = parse_date_arg)]
        date: Option<jiff::civil::Date>,
        /// Where the document was captured (default: the document's url in platform.yaml)
        #[arg(long)]
        source_url: Option<String>,
        /// The input's format (default: from the file's extension, else its content)
        #[arg(long, value_enum, default_value_t = termtrail::import::InputFormat::Auto)]
        format: termtrail::import::InputFormat,
        /// Replace an existing snapshot of the same date
        #[arg(long)]
        force: bool,
        /// The site's folder (holding site.yaml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// Import snapshots from another archive
    Import {
        #[command(subcommand)]
        source: ImportCommand,
    },
}

#[derive(Subcommand)]
enum NewCommand {
    /// A draft change record for the two latest versions of a document
    Change {
        platform: String,
        document: String,
        /// The record's slug: content/platforms/<p>/changes/<date>-<slug>.md
        #[arg(long)]
        slug: Option<String>,
        /// The later version (default: the latest); the record compares it with the one before
        #[arg(long, value_parser = parse_date_arg)]
        to: Option<jiff::civil::Date>,
        /// The site's folder (holding site.yaml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Every recorded version in a local clone of an Open Terms Archive versions repository
    Ota {
        /// The clone's folder
        repository: PathBuf,
        /// A service to import (its folder name); repeat for several; default: all
        #[arg(long = "service", value_name = "NAME")]
        services: Vec<String>,
        /// A terms type to import (e.g. "Privacy Policy"); repeat for several; default: all
        #[arg(long = "terms-type", value_name = "TYPE")]
        terms_types: Vec<String>,
        /// A clone of the matching declarations repository, for the documents' URLs
        #[arg(long, value_name = "DIR")]
        declarations: Option<PathBuf>,
        /// The site's folder (holding site.yaml)
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn parse_date_arg(s: &str) -> Result<jiff::civil::Date, String> {
    termtrail::content::parse_date(s)
        .ok_or_else(|| format!("`{s}` is not a real date; write it as YYYY-MM-DD"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Build {
            root,
            output,
            base_url,
            drafts,
            force,
        } => {
            keep_freed_memory();
            let opts = build::BuildOptions {
                root: root.clone(),
                output,
                base_url,
                drafts,
                force,
            };
            match build::run(&opts) {
                Ok(report) => {
                    print_warnings(&report.warnings, &root);
                    println!(
                        "Built {} platforms, {} documents, {} versions and {} change records:",
                        report.platforms, report.documents, report.versions, report.changes
                    );
                    println!(
                        "  {} pages and {} other files in {} ({} written, {} unchanged) in {:.0} ms",
                        report.stats.pages,
                        report.stats.files,
                        report.output.display(),
                        report.stats.written,
                        report.stats.unchanged,
                        report.seconds * 1000.0
                    );
                    ExitCode::SUCCESS
                }
                Err(e) => report_error(e, &root),
            }
        }
        Command::Serve {
            root,
            bind,
            port,
            drafts,
        } => {
            let opts = serve::ServeOptions {
                root: root.clone(),
                bind,
                port,
                drafts,
            };
            match serve::run(&opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => report_error(e, &root),
            }
        }
        Command::Check { root, format } => {
            let mut diags = check::run(&root);
            diags.fill_excerpts(&root);
            let text = check::format(&diags, format, &root);
            if !text.is_empty() {
                println!("{text}");
            }
            if format == check::Format::Human {
                eprintln!("{}", summary(&diags));
            }
            if diags.has_errors() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            }
        }
        Command::New {
            what:
                NewCommand::Change {
                    platform,
                    document,
                    slug,
                    to,
                    root,
                },
        } => {
            let opts = new::NewChangeOptions {
                root: root.clone(),
                platform,
                document,
                slug,
                to,
            };
            match new::run(&opts) {
                Ok(r) => {
                    eprintln!(
                        "Drafted a change record for {} → {} ({} changed, {} added, {} removed sections).",
                        r.from, r.to, r.changed, r.added, r.removed
                    );
                    eprintln!("Write its summary and analysis, then remove `draft: true`.");
                    println!("{}", r.path.display());
                    ExitCode::SUCCESS
                }
                Err(e) => report_command_error(e, &root),
            }
        }
        Command::Snapshot {
            platform,
            document,
            input,
            date,
            source_url,
            format,
            force,
            root,
        } => {
            let opts = snapshot::SnapshotOptions {
                root: root.clone(),
                platform,
                document,
                input,
                date,
                source_url,
                format,
                force,
            };
            match snapshot::run(&opts) {
                Ok(r) => {
                    let path = termtrail::error::display_path(&root, &r.path);
                    eprintln!(
                        "Wrote {} sections from {}, {}{}.",
                        r.sections,
                        r.format.name(),
                        r.rule.describe(),
                        if r.topics_carried > 0 {
                            format!(
                                "; {} kept their topics from another version",
                                r.topics_carried
                            )
                        } else {
                            String::new()
                        }
                    );
                    if let Some(d) = r.same_as {
                        eprintln!(
                            "warning: the text is the same as the version of {d}: a duplicate capture (`termtrail check` will say so); delete {path} unless that is what you meant"
                        );
                    }
                    println!("{path}");
                    ExitCode::SUCCESS
                }
                Err(e) => report_command_error(e, &root),
            }
        }
        Command::Import {
            source:
                ImportCommand::Ota {
                    repository,
                    services,
                    terms_types,
                    declarations,
                    root,
                },
        } => {
            let opts = import::ImportOtaOptions {
                root: root.clone(),
                repo: repository,
                services,
                terms_types,
                declarations,
                progress_bar: import::stderr_is_terminal(),
            };
            match import::run(&opts) {
                Ok(r) => {
                    println!(
                        "Imported {} versions of {} documents: {} snapshots written, {} already there, {} with the same text as the version before, {} empty.",
                        r.versions, r.documents, r.written, r.existing, r.identical, r.empty
                    );
                    println!(
                        "Skipped {} technical-upgrade commits and {} earlier commits of the same day.",
                        r.technical_skipped, r.same_day_skipped
                    );
                    if !r.platforms_created.is_empty() {
                        println!("New platforms: {}", r.platforms_created.join(", "));
                    }
                    if !r.documents_added.is_empty() {
                        println!("New documents: {}", r.documents_added.join(", "));
                    }
                    for f in &r.placeholder_urls {
                        eprintln!(
                            "note: {f} has a placeholder `url` ({}): the versions repository does not record the platform's address; set it (or import with --declarations DIR)",
                            import::PLACEHOLDER_URL
                        );
                    }
                    ExitCode::SUCCESS
                }
                Err(e) => report_command_error(e, &root),
            }
        }
    }
}

/// Reports the error of a command that is not a build: content errors with their files and
/// lines, anything else in one line; exit status 1.
fn report_command_error(e: Error, root: &std::path::Path) -> ExitCode {
    match e {
        Error::Content(mut diags) => {
            diags.fill_excerpts(root);
            for d in diags.iter() {
                eprintln!("{d}");
            }
        }
        other => eprintln!("error: {other}"),
    }
    ExitCode::from(1)
}

fn summary(d: &Diagnostics) -> String {
    match (d.error_count(), d.warning_count()) {
        (0, 0) => "No problems found.".into(),
        (0, w) => format!("No errors; {w} warning(s)."),
        (e, w) => format!(
            "{e} error(s), {w} warning(s): nothing was built. Fix the errors above and run again."
        ),
    }
}

fn print_warnings(d: &Diagnostics, root: &std::path::Path) {
    let mut d = d.clone();
    d.fill_excerpts(root);
    for w in d.iter() {
        eprintln!("{w}");
    }
}

/// Reports an error once, at the top, and picks the exit status.
fn report_error(e: Error, root: &std::path::Path) -> ExitCode {
    let color = std::io::stderr().is_terminal();
    match e {
        Error::Content(mut diags) => {
            diags.fill_excerpts(root);
            for d in diags.iter() {
                eprintln!("{d}");
            }
            let s = summary(&diags);
            if color {
                eprintln!("\x1b[1m{s}\x1b[0m The previous output is unchanged.");
            } else {
                eprintln!("{s} The previous output is unchanged.");
            }
            ExitCode::from(1)
        }
        other => {
            eprintln!("error: {other}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// mimalloc v3's purge delay defaults to 1000 ms; no neighbouring option has that default.
    #[test]
    fn the_purge_delay_option_is_the_one_set() {
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_some() {
            return; // the default is not in force
        }
        let delay = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(
            delay, 1000,
            "mimalloc's option {MI_OPTION_PURGE_DELAY} is not purge_delay"
        );
    }
}
