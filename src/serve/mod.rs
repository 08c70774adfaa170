//! `termtrail serve`: builds the site in memory, serves it, watches `site.yaml`, `content/`,
//! `static/` and `themes/`, rebuilds what an edit touched and reloads open pages.
//!
//! - `rebuild`: the incremental build (byte for byte what `build` makes);
//! - `http`: the static-file server;
//! - `reload`: the event stream and the script that reloads pages and shows build errors.
//!
//! The site is served from memory with the local address as its base URL; nothing is written,
//! so the site's `public/` stays as it was.

pub mod http;
pub mod rebuild;
pub mod reload;

use std::collections::BTreeSet;
use std::io::Write;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;
use std::time::Duration;

use notify_debouncer_full::notify::event::{AccessKind, AccessMode};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, DebouncedEvent};

use crate::content::{self, is_ignored, LoadOptions};
use crate::error::{Diagnostics, Error, Result};
use rebuild::Rebuilder;
use reload::{ErrorReport, Hub, State};

/// Options of `serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub bind: IpAddr,
    /// 0: any free port.
    pub port: u16,
    pub drafts: bool,
}

/// How long a file must be quiet before its event is handled. An editor's save (write, or
/// write and rename) takes well under this; it adds directly to the edit-to-page latency.
const DEBOUNCE: Duration = Duration::from_millis(15);
const TICK: Duration = Duration::from_millis(5);
/// After events for several files (a `git checkout`, a search-and-replace), wait until no
/// event came for this long, so that the whole burst makes one rebuild.
const SETTLE: Duration = Duration::from_millis(150);
/// After an event for one new file, how long to wait for events for others (see `run`). Edits
/// of existing files, the common case, do not wait.
const NEW_FILE_PEEK: Duration = Duration::from_millis(40);

enum Msg {
    Events(DebounceEventResult),
    Stop,
}

/// The folders and file `serve` watches, relative to the root.
const WATCHED_DIRS: [&str; 3] = ["content", "static", "themes"];

/// Runs until Ctrl-C (or SIGTERM). Writes progress to `out` and diagnostics to stderr.
pub fn run(opts: &ServeOptions, out: &mut dyn Write) -> Result<()> {
    // A missing site.yaml is a usage problem: say so before anything starts.
    content::load_config(&opts.root).map_err(Error::Content)?;
    // Events name absolute paths: the root must be one too.
    let root = opts
        .root
        .canonicalize()
        .map_err(|e| Error::io(format!("reading {}", opts.root.display()), e))?;
    let listener = TcpListener::bind(SocketAddr::new(opts.bind, opts.port)).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AddrInUse {
            Error::Refused(format!(
                "port {} on {} is in use: pass --port N, or --port 0 for any free port",
                opts.port, opts.bind
            ))
        } else {
            Error::io(format!("listening on {}:{}", opts.bind, opts.port), e)
        }
    })?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io("reading the listening address", e))?;
    let base_url = base_url(addr);
    if !opts.bind.is_loopback() {
        let _ = writeln!(
            out,
            "Note: listening on {}, not on loopback: anyone who can reach this machine can read the site.",
            opts.bind
        );
    }

    let (tx, rx) = mpsc::channel::<Msg>();
    let stop = tx.clone();
    ctrlc::set_handler(move || {
        let _ = stop.send(Msg::Stop);
    })
    .map_err(|e| Error::Refused(format!("cannot handle Ctrl-C: {e}")))?;
    let events = tx.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, Some(TICK), move |r: DebounceEventResult| {
        let _ = events.send(Msg::Events(r));
    })
    .map_err(|e| Error::Refused(format!("cannot watch the site's files: {e}")))?;
    let mut watched: BTreeSet<&'static str> = BTreeSet::new();
    if let Err(e) = debouncer.watch(&root, RecursiveMode::NonRecursive) {
        return Err(Error::Refused(format!(
            "cannot watch {}: {e}",
            root.display()
        )));
    }
    watch_dirs(&root, &mut debouncer, &mut watched, &BTreeSet::new());

    let hub = Hub::new();
    let server = http::Server::new(hub.clone());
    let mut rebuilder = Rebuilder::new(
        &root,
        LoadOptions {
            drafts: opts.drafts,
            base_url: Some(base_url.clone()),
        },
    );
    let _ = writeln!(out, "Building the site in {} ...", root.display());
    let mut generation = 0u64;
    let mut failing = false;
    rebuild_once(
        &root,
        &mut rebuilder,
        &server,
        &hub,
        &mut generation,
        &mut failing,
        out,
        true,
    );
    let accept = server.clone();
    std::thread::Builder::new()
        .name("termtrail-accept".into())
        .spawn(move || accept.run(listener))
        .map_err(|e| Error::io("starting the server", e))?;
    let _ = writeln!(out, "Serving at {base_url}/");
    let _ = writeln!(
        out,
        "Watching site.yaml, content/, static/ and themes/ for changes. Press Ctrl-C to stop."
    );
    let _ = out.flush();

    while let Ok(first) = rx.recv() {
        let mut batch = Batch::default();
        if batch.add(first, &root) {
            break;
        }
        if batch.paths.is_empty() && !batch.rescan {
            continue;
        }
        if batch.paths.len() == 1 && batch.created {
            // A new file may be the first of many (a `git checkout` whose writes were spread
            // over more than the debounce): look a little longer for the rest.
            match rx.recv_timeout(NEW_FILE_PEEK) {
                Ok(m) => {
                    if batch.add(m, &root) {
                        return shutdown(&hub, out);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return shutdown(&hub, out),
            }
        }
        if batch.paths.len() > 1 || batch.rescan {
            // A burst: wait for it to end.
            loop {
                match rx.recv_timeout(SETTLE) {
                    Ok(m) => {
                        if batch.add(m, &root) {
                            return shutdown(&hub, out);
                        }
                    }
                    Err(RecvTimeoutError::Timeout) => break,
                    Err(RecvTimeoutError::Disconnected) => return shutdown(&hub, out),
                }
            }
        }
        while let Ok(m) = rx.try_recv() {
            if batch.add(m, &root) {
                return shutdown(&hub, out);
            }
        }
        watch_dirs(&root, &mut debouncer, &mut watched, &batch.paths);
        if batch.rescan {
            rebuilder.invalidate_all();
        } else {
            let rels: Vec<String> = batch.paths.iter().cloned().collect();
            rebuilder.invalidate(&rels);
        }
        let what = match batch.paths.len() {
            1 => batch.paths.iter().next().cloned().unwrap_or_default(),
            n => format!("{n} files"),
        };
        let _ = writeln!(out, "Changed: {what}");
        let static_changed = batch.rescan || batch.paths.iter().any(|p| is_static(p));
        rebuild_and_publish(
            &root,
            &mut rebuilder,
            &server,
            &hub,
            &mut generation,
            &mut failing,
            out,
            false,
            static_changed,
        );
    }
    shutdown(&hub, out)
}

fn shutdown(hub: &Hub, out: &mut dyn Write) -> Result<()> {
    hub.close();
    let _ = writeln!(out, "Stopped.");
    let _ = out.flush();
    Ok(())
}

/// `http://127.0.0.1:1111`, `http://[::1]:1111`.
pub fn base_url(addr: SocketAddr) -> String {
    match addr.ip() {
        IpAddr::V4(ip) => format!("http://{ip}:{}", addr.port()),
        IpAddr::V6(ip) => format!("http://[{ip}]:{}", addr.port()),
    }
}

/// Watches each of `content/`, `static/` and `themes/` that exists and is not watched yet, or
/// that an event named (it may have been removed and made again).
fn watch_dirs<W: notify_debouncer_full::notify::Watcher, C: notify_debouncer_full::FileIdCache>(
    root: &Path,
    debouncer: &mut notify_debouncer_full::Debouncer<W, C>,
    watched: &mut BTreeSet<&'static str>,
    named: &BTreeSet<String>,
) {
    for dir in WATCHED_DIRS {
        let path = root.join(dir);
        let renamed = named.contains(dir);
        if renamed && watched.remove(dir) {
            let _ = debouncer.unwatch(&path);
        }
        if path.is_dir() {
            if !watched.contains(dir) && debouncer.watch(&path, RecursiveMode::Recursive).is_ok() {
                watched.insert(dir);
            }
        } else if watched.remove(dir) {
            let _ = debouncer.unwatch(&path);
        }
    }
}

/// The events gathered for one rebuild.
#[derive(Default)]
struct Batch {
    /// Paths relative to the root that matter to the site.
    paths: BTreeSet<String>,
    /// The watcher lost events: read everything again.
    rescan: bool,
    /// A relevant path was created.
    created: bool,
}

impl Batch {
    /// Adds a message; true when it asks to stop.
    fn add(&mut self, m: Msg, root: &Path) -> bool {
        match m {
            Msg::Stop => true,
            Msg::Events(Err(_)) => {
                // The watcher's own errors (e.g. too many watches): rebuild from scratch.
                self.rescan = true;
                false
            }
            Msg::Events(Ok(events)) => {
                for e in events {
                    self.event(&e, root);
                }
                false
            }
        }
    }

    fn event(&mut self, e: &DebouncedEvent, root: &Path) {
        if e.need_rescan() {
            self.rescan = true;
            return;
        }
        match e.kind {
            EventKind::Access(AccessKind::Close(AccessMode::Write)) => {}
            // Opening or reading a file (the build itself does) changes nothing.
            EventKind::Access(_) => return,
            _ => {}
        }
        for p in &e.paths {
            if let Some(rel) = relevant(root, p) {
                self.paths.insert(rel);
                self.created |= matches!(e.kind, EventKind::Create(_));
            }
        }
    }
}

/// The path relative to the root, when it is one `serve` rebuilds for: `site.yaml`, or a file
/// under `content/`, `static/` or `themes/` that is not an editor's swap or backup file.
fn relevant(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let first = parts.first()?;
    let ok = (parts.len() == 1 && first == "site.yaml") || WATCHED_DIRS.contains(&first.as_str());
    if !ok || parts.iter().any(|p| is_ignored(p)) {
        return None;
    }
    Some(parts.join("/"))
}

/// Rebuilds, publishes the result (or the error) and reports it.
#[allow(clippy::too_many_arguments)]
fn rebuild_once(
    root: &Path,
    rebuilder: &mut Rebuilder,
    server: &http::Server,
    hub: &Hub,
    generation: &mut u64,
    failing: &mut bool,
    out: &mut dyn Write,
    first: bool,
) {
    rebuild_and_publish(
        root, rebuilder, server, hub, generation, failing, out, first, false,
    )
}

/// Whether a changed path is a static file (served from disk, so not in the rebuilt output).
fn is_static(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    matches!(
        parts.as_slice(),
        ["static", ..] | ["themes", _, "static", ..]
    )
}

#[allow(clippy::too_many_arguments)]
fn rebuild_and_publish(
    root: &Path,
    rebuilder: &mut Rebuilder,
    server: &http::Server,
    hub: &Hub,
    generation: &mut u64,
    failing: &mut bool,
    out: &mut dyn Write,
    first: bool,
    static_changed: bool,
) {
    match rebuilder.rebuild() {
        Ok(built) => {
            let s = &built.stats;
            let assets_changed = {
                let old = server.site();
                let new: Vec<(&String, &PathBuf)> = built
                    .assets
                    .iter()
                    .map(|a| (&a.output, &a.source))
                    .collect();
                let old: Vec<(&String, &PathBuf)> = old.assets.iter().collect();
                old != new
            };
            let changed =
                first || !s.changed.is_empty() || assets_changed || static_changed || *failing;
            if changed {
                *generation += 1;
            }
            if first {
                print_warnings(&built.warnings, root);
            }
            server.set_site(http::Site {
                generation: *generation,
                files: built.files,
                assets: built
                    .assets
                    .into_iter()
                    .map(|a| (a.output, a.source))
                    .collect(),
                built: true,
            });
            hub.set(State {
                generation: *generation,
                error: None,
            });
            let fixed = if *failing { " The error is fixed." } else { "" };
            *failing = false;
            let _ = writeln!(
                out,
                "{} in {:.0} ms (load {:.0}, diff {:.0}, render {:.0}, of which pages {:.0} on all threads): {} pages rendered ({} as before), {} reused, {} diffs computed; {} files changed.{fixed}",
                if first { "Built" } else { "Rebuilt" },
                s.millis,
                s.load_ms,
                s.derive_ms,
                s.render_ms,
                s.pages_ms,
                s.pages_rendered,
                s.pages_unchanged,
                s.pages_reused,
                s.diffs_computed,
                s.changed.len()
            );
            if std::env::var_os("TERMTRAIL_SERVE_VERIFY").is_some() {
                match rebuilder.verify() {
                    Ok(d) if d.is_empty() => {
                        let _ = writeln!(out, "Verified: the same bytes as a full build.");
                    }
                    Ok(d) => {
                        let _ = writeln!(
                            out,
                            "Verify FAILED: {} files differ from a full build: {}",
                            d.len(),
                            d.join(", ")
                        );
                    }
                    Err(e) => {
                        let _ = writeln!(out, "Verify: the full build failed: {e:?}");
                    }
                }
            }
        }
        Err(mut diags) => {
            diags.fill_excerpts(root);
            for d in diags.iter() {
                eprintln!("{d}");
            }
            *failing = true;
            hub.set(State {
                generation: *generation,
                error: Some(ErrorReport::new(&diags)),
            });
            let _ = writeln!(
                out,
                "Build failed with {} error(s): still serving the last good build. Fix the file and save.",
                diags.error_count()
            );
        }
    }
    let _ = out.flush();
}

fn print_warnings(d: &Diagnostics, root: &Path) {
    let mut d = d.clone();
    d.fill_excerpts(root);
    for w in d.iter() {
        eprintln!("{w}");
    }
}

/// Serves a site already built by a [`Rebuilder`] on `listener`, in the background: the parts
/// of `serve` without the watcher, for tests and benchmarks of the server.
pub fn spawn_server(listener: TcpListener, files: rebuild::Built) -> Arc<http::Server> {
    let hub = Hub::new();
    let server = http::Server::new(hub.clone());
    server.set_site(http::Site {
        generation: 1,
        files: files.files,
        assets: files
            .assets
            .into_iter()
            .map(|a| (a.output, a.source))
            .collect(),
        built: true,
    });
    hub.set(State {
        generation: 1,
        error: None,
    });
    let s = server.clone();
    std::thread::spawn(move || s.run(listener));
    server
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_site_files_are_relevant() {
        let root = Path::new("/site");
        let r = |p: &str| relevant(root, &root.join(p));
        assert_eq!(r("site.yaml").as_deref(), Some("site.yaml"));
        assert_eq!(
            r("content/platforms/x/changes/2026-01-01-a.md").as_deref(),
            Some("content/platforms/x/changes/2026-01-01-a.md")
        );
        assert_eq!(r("content").as_deref(), Some("content"));
        assert_eq!(
            r("themes/t/templates/base.html").as_deref(),
            Some("themes/t/templates/base.html")
        );
        assert_eq!(r("content/platforms/x/changes/.a.md.swp"), None);
        assert_eq!(r("content/platforms/x/changes/a.md~"), None);
        assert_eq!(r("content/.git/index"), None);
        assert_eq!(r("public/index.html"), None);
        assert_eq!(r("target/debug/x"), None);
        assert_eq!(r("other.yaml"), None);
        assert_eq!(relevant(root, Path::new("/elsewhere/site.yaml")), None);
    }

    #[test]
    fn base_urls() {
        assert_eq!(
            base_url("127.0.0.1:1111".parse().unwrap()),
            "http://127.0.0.1:1111"
        );
        assert_eq!(base_url("[::1]:8080".parse().unwrap()), "http://[::1]:8080");
    }
}
