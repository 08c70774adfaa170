//! `termtrail serve` in a real browser: headless Chromium driven by chromedriver's WebDriver
//! HTTP API (a small client over std::net). Opening a page, editing the change record on disk,
//! and seeing the page update by itself; a broken edit shows the error overlay, its fix clears it.
//!
//! scripts/test installs Debian's `chromium` and `chromium-driver`; without them this test
//! fails and says so.

mod common;
mod serve_support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};
use serve_support::{edit, free_port, request, wait_until, Serve};

const RECORD: &str = "content/platforms/netflix/changes/2026-01-15-bars-ai-training.md";
const TITLE: &str = "Netflix bars using its content to train AI models";
const PAGE: &str = "/platforms/netflix/changes/2026-01-15-bars-ai-training/";

fn find(names: &[&str]) -> Option<String> {
    names
        .iter()
        .find(|p| Path::new(p).exists())
        .map(|p| p.to_string())
}

/// chromedriver on a free port, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
    session: Option<String>,
    _profile: tempfile::TempDir,
}

impl Driver {
    fn start() -> Driver {
        let chromedriver = find(&["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"])
            .expect(
            "chromedriver is not installed: run scripts/test, or apt-get install chromium-driver",
        );
        let chromium = find(&["/usr/bin/chromium", "/usr/lib/chromium/chromium"])
            .expect("chromium is not installed: run scripts/test, or apt-get install chromium");
        let port = free_port();
        let child = Command::new(chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::tempdir().unwrap();
        let mut d = Driver {
            child,
            port,
            session: None,
            _profile: profile,
        };
        wait_until("chromedriver", Duration::from_secs(30), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
            let r = request(port, "GET", "/status", None);
            let v: Value = serde_json::from_slice(&r.body).ok()?;
            (v["value"]["ready"] == true).then_some(())
        });
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    format!("--user-data-dir={}", d._profile.path().display()),
                ],
            },
        }}});
        let v = d.call("POST", "/session", Some(caps));
        let id = v["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {v}"))
            .to_string();
        d.session = Some(id);
        d
    }

    /// A WebDriver command; returns its `value`, panicking on an error.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let body = body.map(|b| b.to_string());
        let r = request(self.port, method, path, body.as_deref());
        let v: Value = serde_json::from_slice(&r.body)
            .unwrap_or_else(|e| panic!("{method} {path}: {e}: {}", r.text()));
        assert_eq!(r.status, 200, "{method} {path}: {v}");
        v["value"].clone()
    }

    fn session_path(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session.as_ref().unwrap())
    }

    fn open(&self, url: &str) {
        self.call(
            "POST",
            &self.session_path("/url"),
            Some(json!({"url": url})),
        );
    }

    fn script(&self, js: &str) -> Value {
        self.call(
            "POST",
            &self.session_path("/execute/sync"),
            Some(json!({"script": js, "args": []})),
        )
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        if let Some(id) = &self.session {
            let _ = request(self.port, "DELETE", &format!("/session/{id}"), None);
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const H1: &str = "var h = document.querySelector('h1'); return h ? h.textContent : null;";
const OVERLAY: &str =
    "var o = document.getElementById('termtrail-error-overlay'); return o ? o.textContent : null;";

#[test]
fn an_open_page_follows_edits_and_shows_errors() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::full_site(root, "https://example.org/atlas");
    let mut serve = Serve::start(root, &[]);
    let driver = Driver::start();
    driver.open(&format!("{}{PAGE}", serve.url));
    let h1 = driver.script(H1);
    assert!(h1.as_str().unwrap_or("").contains(TITLE), "{h1}");
    // A mark that only this load of the page has: gone once the page reloads itself.
    driver.script("window.termtrailTestMark = 1; return null;");

    // Edit the title on disk; the test never reloads the page.
    edit(root, RECORD, TITLE, "Netflix now forbids AI training");
    wait_until("the new title in the page", Duration::from_secs(30), || {
        let h1 = driver.script(H1);
        h1.as_str()?
            .contains("Netflix now forbids AI training")
            .then_some(())
    });
    assert_eq!(
        driver.script("return window.termtrailTestMark || null;"),
        Value::Null
    );

    // A broken edit: the overlay names the file and the line; the page keeps its content.
    edit(root, RECORD, "impact: high", "impact: huge");
    serve.wait_for_line("Build failed", Duration::from_secs(60));
    let overlay = wait_until("the error overlay", Duration::from_secs(30), || {
        driver.script(OVERLAY).as_str().map(str::to_string)
    });
    assert!(overlay.contains(&format!("{RECORD}:7")), "{overlay}");
    assert!(overlay.contains("huge"), "{overlay}");
    assert!(driver
        .script(H1)
        .as_str()
        .unwrap()
        .contains("Netflix now forbids AI training"));

    // Fixing it clears the overlay and shows the fixed page.
    edit(root, RECORD, "impact: huge", "impact: medium");
    wait_until("the overlay to clear", Duration::from_secs(30), || {
        driver.script(OVERLAY).is_null().then_some(())
    });
    let h1 = driver.script(H1);
    assert!(h1
        .as_str()
        .unwrap()
        .contains("Netflix now forbids AI training"));
}
