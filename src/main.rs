//! The `termtrail` command line: parses arguments, runs a command, reports errors once.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use termtrail::cmd::{build, check};
use termtrail::error::{Diagnostics, Error};

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
        Command::Check { root, format } => {
            let mut diags = check::run(&root);
            diags.fill_excerpts(&root);
            let text = check::format(&diags, format);
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
    }
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
