//! `termtrail serve`: incremental rebuilds equal full builds, the static server (types, index
//! pages, 404, traversal), live state over server-sent events, broken edits and their
//! recovery, bursts of edits, Ctrl-C. The browser test is in serve_browser.rs.

mod common;
mod serve_support;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use serve_support::{edit, raw_request, wait_until, Serve};
use termtrail::cmd::build::build_in_memory;
use termtrail::content::LoadOptions;
use termtrail::serve::rebuild::{Built, Rebuilder};

const RECORD: &str = "content/platforms/netflix/changes/2026-01-15-bars-ai-training.md";
const TITLE: &str = "Netflix bars using its content to train AI models";

fn opts() -> LoadOptions {
    LoadOptions {
        drafts: false,
        base_url: Some("http://127.0.0.1:1111".into()),
    }
}

/// The test site, with more versions so that diffs have neighbours.
fn site(root: &Path) {
    common::full_site(root, "https://example.org/atlas");
    common::write(
        root,
        "content/platforms/netflix/snapshots/terms-of-use/2026-03-01.yaml",
        "sections:\n  - id: \"4.6\"\n    heading: Restrictions on use\n    topics: [ai-training]\n    text: |\n      You agree not to archive or distribute content, or train models on it.\n  - id: \"7\"\n    heading: New section\n    text: A brand new section.\n",
    );
    common::write(
        root,
        "content/platforms/spotify/snapshots/terms/2026-02-01.yaml",
        "sections:\n  - id: ai\n    heading: Machine learning\n    topics: [ai-training]\n    text: Spotify content may never be used to train AI.\n",
    );
}

/// Asserts that the rebuild's output is exactly what a full build of the same files gives.
fn assert_same_as_full_build(built: &Built, root: &Path, what: &str) {
    let full = build_in_memory(root, &opts())
        .unwrap_or_else(|d| panic!("full build after {what} failed: {d:?}"))
        .files;
    let inc: BTreeMap<&str, &Vec<u8>> = built.files.iter().map(|(k, v)| (&**k, &**v)).collect();
    let full_keys: Vec<&str> = full.keys().map(String::as_str).collect();
    let inc_keys: Vec<&str> = inc.keys().copied().collect();
    assert_eq!(inc_keys, full_keys, "after {what}: different files");
    for (k, v) in &full {
        assert!(
            inc[k.as_str()] == v,
            "after {what}: {k} differs from a full build:\n--- incremental\n{}\n--- full\n{}",
            String::from_utf8_lossy(inc[k.as_str()]),
            String::from_utf8_lossy(v)
        );
    }
}

#[test]
fn incremental_rebuilds_equal_full_builds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    site(root);
    let mut rb = Rebuilder::new(root, opts());
    let first = rb.rebuild().expect("first build");
    assert_same_as_full_build(&first, root, "the first build");
    let all_pages = first.stats.pages_rendered;
    assert!(all_pages > 20 && first.stats.pages_reused == 0);

    // A change record's title: its own page and the pages listing it, not the others.
    edit(
        root,
        RECORD,
        TITLE,
        "Netflix forbids AI training on its catalogue",
    );
    rb.invalidate(&[RECORD.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "editing a change record");
    assert!(b.stats.pages_reused > 0, "{:?}", b.stats);
    assert!(b.stats.pages_rendered < all_pages / 2, "{:?}", b.stats);
    assert_eq!(b.stats.diffs_computed, 0);
    let page = "platforms/netflix/changes/2026-01-15-bars-ai-training/index.html";
    assert!(b.stats.changed.iter().any(|p| p == page));
    assert!(b
        .stats
        .changed
        .iter()
        .any(|p| p == "platforms/netflix/index.html"));
    assert!(b.stats.changed.iter().any(|p| p == "rss.xml"));
    assert!(!b
        .stats
        .changed
        .iter()
        .any(|p| p.starts_with("platforms/tiktok/")));
    assert!(String::from_utf8_lossy(&b.files[page]).contains("Netflix forbids AI training"));

    // A record's body: the pages that list the record show only its title, so their bytes
    // are taken from before once their context is seen to be the same.
    edit(
        root,
        RECORD,
        "The analysis, with",
        "The whole analysis, with",
    );
    rb.invalidate(&[RECORD.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "editing a change record's body");
    assert!(b.stats.pages_unchanged > 0, "{:?}", b.stats);
    // The feeds carry the body; of the pages, only the record's own changed.
    let pages: Vec<&String> = b
        .stats
        .changed
        .iter()
        .filter(|p| p.ends_with(".html"))
        .collect();
    assert_eq!(pages, vec![page], "{:?}", b.stats);

    // The newest snapshot of a document: only the diff leading to it is made again.
    let snap = "content/platforms/netflix/snapshots/terms-of-use/2026-03-01.yaml";
    edit(root, snap, "train models on it", "train any model on it");
    rb.invalidate(&[snap.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "editing a snapshot");
    assert_eq!(b.stats.diffs_computed, 1, "{:?}", b.stats);
    assert!(b.stats.pages_reused > 0);
    assert!(!b
        .stats
        .changed
        .iter()
        .any(|p| p.starts_with("platforms/spotify/terms/")));

    // A template: only the pages that use it.
    let page_html = termtrail::render::templates::BUILTIN
        .iter()
        .find(|(n, _)| *n == "page.html")
        .unwrap()
        .1;
    // A mark inside the first block (text outside blocks of a child template is not shown).
    let block = page_html.find("{% block").expect("page.html has a block");
    let end = block + page_html[block..].find("%}").unwrap() + 2;
    let marked = format!(
        "{}<!-- theme override -->{}",
        &page_html[..end],
        &page_html[end..]
    );
    common::write(root, "themes/default/templates/page.html", &marked);
    rb.invalidate(&["themes/default/templates/page.html".to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "overriding a template");
    assert_eq!(b.stats.pages_rendered, 1, "{:?}", b.stats);
    assert_eq!(b.stats.changed, vec!["methodology/index.html".to_string()]);

    // A topic's title shows on most pages.
    edit(
        root,
        "content/topics/arbitration.md",
        "title: Arbitration",
        "title: Forced arbitration",
    );
    rb.invalidate(&["content/topics/arbitration.md".to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "renaming a topic");

    // A new record, then its removal.
    let new = "content/platforms/tiktok/changes/2026-02-01-first-capture.md";
    common::write(root, new, "---\ntitle: TikTok terms captured\ndocument: terms\nsummary: First capture.\ntopics: [arbitration]\n---\nNothing yet.\n");
    rb.invalidate(&[new.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "adding a change record");
    std::fs::remove_file(root.join(new)).unwrap();
    rb.invalidate(&[new.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "removing a change record");

    // An edit the watcher did not report is not looked for, as in `zola serve`: the watcher
    // names every change. When it says it lost some (a rescan), everything is looked at.
    std::thread::sleep(Duration::from_millis(20));
    edit(
        root,
        "content/faq/what-is-this.md",
        "A tracker of terms.",
        "A tracker of terms and policies.",
    );
    let b = rb.rebuild().unwrap();
    assert!(b.stats.changed.is_empty(), "{:?}", b.stats);
    rb.invalidate_all();
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "an unreported edit, after a rescan");
    assert!(!b.stats.changed.is_empty());

    // The site's settings.
    edit(
        root,
        "site.yaml",
        "title: Test Atlas",
        "title: Test Atlas, renamed",
    );
    rb.invalidate(&["site.yaml".to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "editing site.yaml");
}

/// A change page lists related records of other platforms (through its topics): an edit of
/// one of them reaches it, though nothing of the page's own platform changed.
#[test]
fn related_records_of_other_platforms_follow_an_edit() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    site(root);
    let other = "content/platforms/tiktok/changes/2026-02-02-bars-ai-training.md";
    common::write(root, other, "---\ntitle: TikTok bars AI training\ndocument: terms\nsummary: No training.\ntopics: [ai-training]\n---\nBody.\n");
    let mut rb = Rebuilder::new(root, opts());
    let first = rb.rebuild().expect("first build");
    let page = "platforms/tiktok/changes/2026-02-02-bars-ai-training/index.html";
    assert!(String::from_utf8_lossy(&first.files[page]).contains(TITLE));

    edit(
        root,
        RECORD,
        TITLE,
        "Netflix keeps its catalogue away from AI models",
    );
    rb.invalidate(&[RECORD.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "editing a related record of another platform");
    assert!(b.stats.changed.iter().any(|p| p == page), "{:?}", b.stats);
    assert!(String::from_utf8_lossy(&b.files[page]).contains("away from AI models"));
}

/// A record removed and restored (an undo, a `git stash pop`): the pages whose jobs shifted in
/// between are not taken for the ones from before.
#[test]
fn a_removed_and_restored_record_gives_the_pages_of_a_full_build() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    site(root);
    let later = "content/platforms/netflix/changes/2026-02-01-later-change.md";
    common::write(
        root,
        later,
        "---\ntitle: A later Netflix change\ndocument: terms-of-use\nsummary: Later.\n---\nBody.\n",
    );
    let mut rb = Rebuilder::new(root, opts());
    rb.rebuild().expect("first build");
    let saved = std::fs::read_to_string(root.join(RECORD)).unwrap();
    std::fs::remove_file(root.join(RECORD)).unwrap();
    rb.invalidate(&[RECORD.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "removing a record");
    common::write(root, RECORD, &saved);
    rb.invalidate(&[RECORD.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "restoring the record");
}

/// A change record that is a link to a file elsewhere in the site: an edit of the file is seen
/// though the watcher names only the file (or, outside the watched folders, nothing of it).
#[test]
fn linked_files_are_looked_at_on_every_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    site(root);
    common::write(
        root,
        "shared/record.md",
        "---\ntitle: A shared record\ndocument: terms\nsummary: Shared.\n---\nBody.\n",
    );
    let link = root.join("content/platforms/spotify/changes/2026-03-01-shared.md");
    std::os::unix::fs::symlink(root.join("shared/record.md"), &link).unwrap();
    let mut rb = Rebuilder::new(root, opts());
    rb.rebuild().expect("first build");
    std::thread::sleep(Duration::from_millis(20));
    edit(
        root,
        "shared/record.md",
        "A shared record",
        "A shared record, edited",
    );
    // Another edit makes the rebuild; the linked file's is not reported.
    edit(
        root,
        "content/faq/what-is-this.md",
        "A tracker of terms.",
        "A tracker.",
    );
    rb.invalidate(&["content/faq/what-is-this.md".to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "editing a linked file");
    let page = "platforms/spotify/changes/2026-03-01-shared/index.html";
    assert!(String::from_utf8_lossy(&b.files[page]).contains("A shared record, edited"));
}

/// Copies the folder `from` to `to` (both under `root`).
fn copy_folder(root: &Path, from: &str, to: &str) {
    for e in walkdir::WalkDir::new(root.join(from)) {
        let e = e.unwrap();
        let dest = root
            .join(to)
            .join(e.path().strip_prefix(root.join(from)).unwrap());
        if e.file_type().is_dir() {
            std::fs::create_dir_all(dest).unwrap();
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// serve trusts its watcher: only the folders of the paths it names are walked again. Folders
/// that come, go and move, as the watcher names them (the folder, not each file in it).
#[test]
fn folders_named_by_the_watcher_are_walked_again() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    site(root);
    let mut rb = Rebuilder::new(root, opts());
    rb.rebuild().expect("first build");

    // A new platform, copied in whole.
    copy_folder(
        root,
        "content/platforms/spotify",
        "content/platforms/deezer",
    );
    edit(
        root,
        "content/platforms/deezer/platform.yaml",
        "name: Spotify",
        "name: Deezer",
    );
    rb.invalidate(&["content/platforms/deezer".to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "adding a platform's folder");
    assert!(b.files.contains_key("platforms/deezer/index.html"));

    // The platform's folder renamed: both names are reported.
    let (from, to) = ("content/platforms/deezer", "content/platforms/qobuz");
    std::fs::rename(root.join(from), root.join(to)).unwrap();
    rb.invalidate(&[from.to_string(), to.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "renaming a platform's folder");
    assert!(b.files.contains_key("platforms/qobuz/index.html"));
    assert!(!b.files.contains_key("platforms/deezer/index.html"));

    // A file in a new folder deep down, reported alone.
    let record = "content/platforms/qobuz/changes/2026-02-02-a-new-record.md";
    std::fs::remove_dir_all(root.join("content/platforms/qobuz/changes")).unwrap();
    common::write(root, record, "---\ntitle: Qobuz terms captured\ndocument: terms\nsummary: First capture.\ntopics: [arbitration]\n---\nNothing yet.\n");
    rb.invalidate(&[record.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "a file in a new folder");

    // Swap and backup files the watcher reports are not content.
    common::write(root, "content/platforms/qobuz/changes/.x.md.swp", "junk");
    rb.invalidate(&["content/platforms/qobuz/changes/.x.md.swp".to_string()]);
    let b = rb.rebuild().unwrap();
    assert!(b.stats.changed.is_empty(), "{:?}", b.stats);

    // A file replaced by a folder of the same name.
    let faq = "content/faq/what-is-this.md";
    std::fs::remove_file(root.join(faq)).unwrap();
    std::fs::create_dir_all(root.join(faq)).unwrap();
    rb.invalidate(&[faq.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "a file replaced by a folder");

    // The platform removed.
    std::fs::remove_dir_all(root.join("content/platforms/qobuz")).unwrap();
    rb.invalidate(&["content/platforms/qobuz".to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "removing a platform's folder");
    assert!(!b.files.contains_key("platforms/qobuz/index.html"));
}

#[test]
fn a_broken_edit_keeps_the_last_good_output() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    site(root);
    let mut rb = Rebuilder::new(root, opts());
    let good = rb.rebuild().unwrap();
    edit(root, RECORD, "impact: high", "impact: huge");
    rb.invalidate(&[RECORD.to_string()]);
    let err = rb.rebuild().err().expect("a bad impact fails");
    let d = err.iter().find(|d| d.is_error()).unwrap();
    assert_eq!(d.file, RECORD);
    assert_eq!(d.line, Some(7));
    assert_eq!(rb.files().len(), good.files.len());
    assert!(rb.files().iter().all(|(k, v)| good.files[k] == *v));
    edit(root, RECORD, "impact: huge", "impact: low");
    rb.invalidate(&[RECORD.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "fixing a broken edit");
}

#[test]
fn serves_the_site_like_a_static_server() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    site(root);
    let s = Serve::start(root, &[]);
    let full = build_in_memory(
        root,
        &LoadOptions {
            drafts: false,
            base_url: Some(s.url.clone()),
        },
    )
    .unwrap()
    .files;
    let tag = termtrail::serve::reload::script_tag(1);

    let home = s.get("/");
    assert_eq!(home.status, 200);
    assert_eq!(
        home.header("content-type"),
        Some("text/html; charset=utf-8")
    );
    // The page is the built page with the reload script before </body>, nothing else.
    let built = String::from_utf8(full["index.html"].clone()).unwrap();
    assert!(home.text().contains(&tag));
    assert_eq!(home.text().replacen(&tag, "", 1), built);
    // Absolute links (canonical, feeds) use the local address.
    assert!(home.text().contains(&format!("{}/", s.url)));

    let faq = s.get("/faq/");
    assert_eq!(faq.status, 200);
    assert_eq!(
        faq.text().replacen(&tag, "", 1).as_bytes(),
        &full["faq/index.html"][..]
    );
    let redirect = s.get("/faq");
    assert_eq!(redirect.status, 301);
    assert_eq!(redirect.header("location"), Some("/faq/"));
    for (path, ctype) in [
        ("/assets/style.css", "text/css; charset=utf-8"),
        ("/rss.xml", "application/xml; charset=utf-8"),
        ("/api/changes.json", "application/json"),
        ("/robots.txt", "text/plain; charset=utf-8"),
        ("/favicon.txt", "text/plain; charset=utf-8"),
        ("/__termtrail/reload.js", "text/javascript; charset=utf-8"),
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 200, "{path}");
        assert_eq!(r.header("content-type"), Some(ctype), "{path}");
        assert_eq!(r.header("x-content-type-options"), Some("nosniff"));
    }
    assert_eq!(s.get("/rss.xml").body, full["rss.xml"]);
    assert_eq!(s.get("/favicon.txt").text(), "icon");

    // A missing page: the site's 404 page, with status 404.
    let missing = s.get("/no/such/page/");
    assert_eq!(missing.status, 404);
    assert_eq!(
        missing.text().replacen(&tag, "", 1).as_bytes(),
        &full["404.html"][..]
    );
    assert_eq!(s.get("/missing.css").status, 404);

    // HEAD: the headers of GET, no body.
    let head = raw_request(
        s.port,
        b"HEAD /faq/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(head.status, 200);
    assert_eq!(
        head.header("content-length"),
        Some(faq.body.len().to_string().as_str())
    );
    assert!(head.body.is_empty());
    let post = raw_request(
        s.port,
        b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(post.status, 405);

    // Nothing outside the site, however the path is spelled.
    for path in [
        "/../site.yaml",
        "/%2e%2e/site.yaml",
        "/%2E%2E/%2E%2E/etc/passwd",
        "/static/..%2f..%2fsite.yaml",
        "/..\\site.yaml",
        "/%5c..%5csite.yaml",
        "/faq/%00",
        "/./site.yaml",
    ] {
        let r = raw_request(
            s.port,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        );
        assert_eq!(r.status, 400, "{path}");
        assert!(!r.text().contains("base_url"), "{path} leaked a file");
    }
    assert_eq!(s.get("/site.yaml").status, 404);

    // Keep-alive: two requests on one connection.
    let mut c = TcpStream::connect(("127.0.0.1", s.port)).unwrap();
    c.write_all(
        b"GET /robots.txt HTTP/1.1\r\nHost: x\r\n\r\nGET /faq/ HTTP/1.1\r\nHost: x\r\n\r\n",
    )
    .unwrap();
    let mut r = BufReader::new(c);
    assert_eq!(serve_support::read_response(&mut r, true).status, 200);
    assert_eq!(serve_support::read_response(&mut r, true).status, 200);

    // serve writes nothing into the site.
    assert!(!root.join("public").exists());
}

/// Reads server-sent events of the live-reload stream.
struct Events {
    reader: BufReader<TcpStream>,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        s.write_all(
            b"GET /__termtrail/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n",
        )
        .unwrap();
        let mut reader = BufReader::new(s);
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        assert!(line.starts_with("HTTP/1.1 200"), "{line}");
        loop {
            line.clear();
            reader.read_line(&mut line).unwrap();
            if line.trim().is_empty() {
                break;
            }
            if line.to_ascii_lowercase().starts_with("content-type") {
                assert!(line.contains("text/event-stream"));
            }
        }
        Events { reader }
    }

    /// The next `state` event's data.
    fn next_state(&mut self) -> serde_json::Value {
        let mut event = String::new();
        loop {
            let mut line = String::new();
            assert!(
                self.reader.read_line(&mut line).unwrap() > 0,
                "stream ended"
            );
            let line = line.trim_end();
            if let Some(e) = line.strip_prefix("event: ") {
                event = e.to_string();
            } else if let Some(d) = line.strip_prefix("data: ") {
                if event == "state" {
                    return serde_json::from_str(d).unwrap();
                }
            }
        }
    }
}

#[test]
fn a_broken_edit_shows_an_error_and_its_fix_clears_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    site(root);
    let mut s = Serve::start(root, &[]);
    let page = "/platforms/netflix/changes/2026-01-15-bars-ai-training/";
    let before = s.get(page).text();
    assert!(before.contains(TITLE));
    let mut events = Events::open(s.port);
    let first = events.next_state();
    assert_eq!(first["generation"], 1);
    assert!(first["error"].is_null());

    edit(root, RECORD, "impact: high", "impact: huge");
    let failed = s.wait_for_line("Build failed", Duration::from_secs(60));
    assert!(failed.contains("1 error"), "{failed}");
    let state = events.next_state();
    assert_eq!(state["generation"], 1, "the served site did not change");
    let d = &state["error"]["diagnostics"][0];
    assert_eq!(d["file"], RECORD);
    assert_eq!(d["line"], 7);
    assert!(d["message"].as_str().unwrap().contains("huge"));
    assert!(d["text"].as_str().unwrap().contains("impact: huge"));
    // The terminal shows it too (stderr is read by a thread of its own, so it may come in a
    // little after the line on stdout), and the last good site is still served.
    wait_until("the error on stderr", Duration::from_secs(10), || {
        s.stderr.lock().unwrap().contains(RECORD).then_some(())
    });
    assert_eq!(s.get(page).text(), before);

    edit(root, RECORD, "impact: huge", "impact: low");
    let fixed = s.wait_for_line("Rebuilt", Duration::from_secs(60));
    assert!(fixed.contains("The error is fixed"), "{fixed}");
    let state = events.next_state();
    assert!(state["error"].is_null());
    assert_eq!(state["generation"], 2);
    let after = s.get(page).text();
    assert!(after.contains("data-generation=\"2\""));
}

#[test]
fn an_edit_is_served_and_a_burst_of_edits_makes_one_rebuild() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    site(root);
    let mut s = Serve::start(root, &[]);
    let page = "/platforms/netflix/changes/2026-01-15-bars-ai-training/";

    // Editor swap and backup files are not content.
    common::write(
        root,
        "content/platforms/netflix/changes/.2026-01-15-bars-ai-training.md.swp",
        "x",
    );
    common::write(
        root,
        "content/platforms/netflix/changes/2026-01-15-bars-ai-training.md~",
        "x",
    );
    edit(root, RECORD, TITLE, "Netflix says no to AI training");
    let changed = s.wait_for_line("Changed: ", Duration::from_secs(60));
    assert_eq!(changed, format!("Changed: {RECORD}"));
    s.wait_for_line("Rebuilt", Duration::from_secs(60));
    wait_until("the new title", Duration::from_secs(10), || {
        s.get(page)
            .text()
            .contains("Netflix says no to AI training")
            .then_some(())
    });

    // A burst, like a `git checkout`: 300 new records at once.
    for i in 0..300 {
        common::write(
            root,
            &format!("content/platforms/spotify/changes/2025-12-01-burst-{i}.md"),
            &format!("---\ntitle: Burst record {i}\ndocument: terms\nsummary: One of many.\n---\nBody {i}.\n"),
        );
    }
    let changed = s.wait_for_line("Changed: ", Duration::from_secs(60));
    assert_eq!(changed, "Changed: 300 files");
    let rebuilt = s.wait_for_line("Rebuilt", Duration::from_secs(120));
    assert!(rebuilt.contains("files changed"));
    // Nothing else follows: the burst made one rebuild.
    let more = s.lines_until_quiet(Duration::from_secs(2));
    assert!(more.is_empty(), "more output after the burst: {more:?}");
    assert_eq!(
        s.get("/platforms/spotify/changes/2025-12-01-burst-299/")
            .status,
        200
    );
}

#[test]
fn ctrl_c_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    site(root);
    let mut s = Serve::start(root, &[]);
    let mut events = Events::open(s.port);
    events.next_state();
    let pid = s.child.id().to_string();
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    s.wait_for_line("Stopped.", Duration::from_secs(30));
    let code = wait_until("serve to exit", Duration::from_secs(30), || {
        s.child.try_wait().unwrap()
    });
    assert!(code.success(), "{code:?}");
    // The event stream was ended, not cut.
    let mut rest = String::new();
    let _ = std::io::Read::read_to_string(&mut events.reader, &mut rest);
    assert!(get_fails(s.port));
}

fn get_fails(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port)).is_err()
}

#[test]
fn serve_refuses_a_folder_without_a_site_and_a_port_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let out = common::termtrail(dir.path(), &["serve", "--port", "0"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("site.yaml"));

    site(dir.path());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = common::termtrail(dir.path(), &["serve", "--port", &port]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use"));
    let out = common::termtrail(dir.path(), &["serve", "--bind", "not-an-address"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn non_loopback_binding_is_announced() {
    let dir = tempfile::tempdir().unwrap();
    site(dir.path());
    let mut s = Serve::start(dir.path(), &["--bind", "0.0.0.0"]);
    let lines = s.lines.lock().unwrap().join("\n");
    assert!(lines.contains("not on loopback"), "{lines}");
    assert!(s.url.starts_with("http://0.0.0.0:"));
    s.wait_for_line("Watching", Duration::from_secs(10));
}

/// On a topic with more records than its page lists, an edit re-renders the page of the
/// topic's list that holds the record, and the result is still a full build's.
#[test]
fn an_edit_on_a_long_topic_list_equals_a_full_build() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::large_site(root, 43, 4, 1);
    let mut rb = Rebuilder::new(root, opts());
    let first = rb.rebuild().expect("first build");
    assert_same_as_full_build(&first, root, "the first build");
    // The oldest records are on the list's second page only.
    let record = "content/platforms/p0/changes/2025-01-02-change-1.md";
    edit(
        root,
        record,
        "title: Change 1 of platform 0",
        "title: Change one of platform 0",
    );
    rb.invalidate(&[record.to_string()]);
    let b = rb.rebuild().unwrap();
    assert_same_as_full_build(&b, root, "editing a record on the second page");
    let changed: Vec<&str> = b
        .stats
        .changed
        .iter()
        .map(String::as_str)
        .filter(|p| p.starts_with("topics/"))
        .collect();
    assert!(
        changed.contains(&"topics/ai-training/changes/2/index.html"),
        "{changed:?}"
    );
    assert!(
        !changed.contains(&"topics/ai-training/changes/index.html"),
        "{changed:?}"
    );
    assert!(
        !changed.contains(&"topics/ai-training/index.html"),
        "{changed:?}"
    );
}
