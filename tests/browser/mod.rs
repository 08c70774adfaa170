//! Test helpers for looking at built sites in a real browser, without dependencies: a static
//! file server on loopback, and a small WebDriver client for Debian's chromium-driver (headless
//! Chromium), with Chrome DevTools commands for dark mode, phone widths and full-page
//! screenshots.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Flags for headless Chromium on this machine: no sandbox (root), and none of the background
/// connections that a closed network refuses.
pub const CHROME_FLAGS: &[&str] = &[
    "headless=new",
    "no-sandbox",
    "disable-gpu",
    "disable-dev-shm-usage",
    "disable-background-networking",
    "disable-component-update",
    "disable-sync",
    "disable-default-apps",
    "disable-extensions",
    "no-first-run",
    "disable-quic",
    "hide-scrollbars",
];

/// Whether a check that needs a missing tool must fail (in CI) or may be skipped (elsewhere).
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0")
}

/// Reports a missing tool: a failure in CI, a skip with a message elsewhere. Returns `false`
/// (so callers can `if !require(...) { return }`).
pub fn missing(what: &str) -> bool {
    let msg = format!("{what}; scripts/test installs it");
    if in_ci() {
        panic!("{msg} (CI is set, so this fails rather than skips)");
    }
    say(&format!("SKIPPED: {msg}"));
    false
}

/// Writes a line to the real stderr, past the test harness's capture, so that it shows in the
/// output of a passing test too (skips, where screenshots went).
pub fn say(line: &str) {
    let _ = writeln!(std::io::stderr(), "{line}");
}

/// Serves the files under `root` at `http://127.0.0.1:<port><prefix>/` on a background thread
/// until the process ends. `prefix` is "" or a base path like "/atlas". Directories serve their
/// `index.html`; missing files get `root/404.html` (or a short text) with status 404.
pub fn serve(listener: TcpListener, root: PathBuf, prefix: &str) {
    let prefix = prefix.trim_end_matches('/').to_string();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let root = root.clone();
            let prefix = prefix.clone();
            std::thread::spawn(move || {
                let _ = respond(stream, &root, &prefix);
            });
        }
    });
}

fn respond(mut stream: TcpStream, root: &Path, prefix: &str) -> std::io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let path = percent_decode(target.split(['?', '#']).next().unwrap_or("/"));
    let head = method == "HEAD";
    let found = path
        .strip_prefix(prefix)
        .filter(|rest| rest.starts_with('/') || rest.is_empty())
        .filter(|rest| !rest.split('/').any(|s| s == ".."))
        .map(|rest| root.join(rest.trim_start_matches('/')));
    let (status, ctype, body, location) = match found {
        Some(file) if file.is_dir() && !path.ends_with('/') => {
            (301, "text/plain", Vec::new(), Some(format!("{path}/")))
        }
        Some(file) => {
            let file = if file.is_dir() {
                file.join("index.html")
            } else {
                file
            };
            match std::fs::read(&file) {
                Ok(bytes) => (200, content_type(&file), bytes, None),
                Err(_) => not_found(root),
            }
        }
        None => not_found(root),
    };
    let mut out = format!(
        "HTTP/1.1 {status} {}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        if status == 200 { "OK" } else if status == 301 { "Moved Permanently" } else { "Not Found" },
        body.len()
    );
    if let Some(l) = location {
        out.push_str(&format!("Location: {l}\r\n"));
    }
    out.push_str("\r\n");
    stream.write_all(out.as_bytes())?;
    if !head {
        stream.write_all(&body)?;
    }
    stream.flush()
}

fn not_found(root: &Path) -> (u16, &'static str, Vec<u8>, Option<String>) {
    match std::fs::read(root.join("404.html")) {
        Ok(b) => (404, "text/html; charset=utf-8", b, None),
        Err(_) => (404, "text/plain", b"not found".to_vec(), None),
    }
}

fn content_type(p: &Path) -> &'static str {
    match p.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "txt" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(hex, 16) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// One HTTP/1.1 request to `127.0.0.1:port`, the whole response read: (status, body).
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> Result<(u16, Vec<u8>), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .map_err(|e| format!("connect to port {port}: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(120))).ok();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    stream
        .write_all(req.as_bytes())
        .map_err(|e| e.to_string())?;
    // Read the head, then exactly the body it announces: servers may keep the connection open.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16384];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = stream
            .read(&mut buf)
            .map_err(|e| format!("{method} {path}: {e}"))?;
        if n == 0 {
            return Err(format!(
                "{method} {path}: the connection closed before the answer"
            ));
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| format!("{method} {path}: bad status line"))?;
    let length: Option<usize> = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok());
    let chunked = head.contains("transfer-encoding: chunked");
    let mut content = raw[split + 4..].to_vec();
    loop {
        let done = match length {
            Some(n) => content.len() >= n,
            None => chunked && content.ends_with(b"0\r\n\r\n"),
        };
        if done {
            break;
        }
        let n = stream
            .read(&mut buf)
            .map_err(|e| format!("{method} {path}: {e}"))?;
        if n == 0 {
            break;
        }
        content.extend_from_slice(&buf[..n]);
    }
    if chunked {
        content = dechunk(&content);
    }
    Ok((status, content))
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            break;
        };
        let size = usize::from_str_radix(
            String::from_utf8_lossy(&b[..eol])
                .split(';')
                .next()
                .unwrap_or("0")
                .trim(),
            16,
        )
        .unwrap_or(0);
        if size == 0 || eol + 2 + size > b.len() {
            break;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + size]);
        b = &b[(eol + 4 + size).min(b.len())..];
    }
    out
}

/// A running chromedriver on a free loopback port; killed when dropped.
pub struct Driver {
    child: Child,
    pub port: u16,
}

impl Driver {
    /// Starts `chromedriver` and waits until it answers (at most 20 s).
    pub fn start() -> Result<Driver, String> {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {CHROMEDRIVER}: {e}"))?;
        let driver = Driver { child, port };
        let start = Instant::now();
        loop {
            if let Ok((200, body)) = http(port, "GET", "/status", None) {
                let v: Value = serde_json::from_slice(&body).unwrap_or_default();
                if v["value"]["ready"].as_bool() == Some(true) {
                    return Ok(driver);
                }
            }
            if start.elapsed() > Duration::from_secs(20) {
                return Err("chromedriver did not answer within 20 s".into());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A headless Chromium window driven through WebDriver; closed when dropped.
pub struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

impl<'a> Session<'a> {
    /// Opens Chromium with a viewport `width` × `height` CSS pixels; `mobile` emulates a phone
    /// (touch, the viewport meta tag honoured); `dark` sets `prefers-color-scheme: dark`.
    pub fn new(
        driver: &'a Driver,
        width: u32,
        height: u32,
        mobile: bool,
        dark: bool,
    ) -> Result<Self, String> {
        let mut args: Vec<String> = CHROME_FLAGS.iter().map(|f| format!("--{f}")).collect();
        args.push(format!("--window-size={width},{height}"));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
        }}});
        let v = Self::call(driver.port, "POST", "/session", Some(&caps))?;
        let id = v["sessionId"]
            .as_str()
            .ok_or_else(|| format!("no session id in {v}"))?
            .to_string();
        let s = Session { driver, id };
        s.cdp(
            "Emulation.setDeviceMetricsOverride",
            json!({"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile}),
        )?;
        s.cdp(
            "Emulation.setEmulatedMedia",
            json!({"features": [{"name": "prefers-color-scheme", "value": if dark { "dark" } else { "light" }}]}),
        )?;
        Ok(s)
    }

    fn call(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
        let (status, bytes) = http(port, method, path, body)?;
        let v: Value =
            serde_json::from_slice(&bytes).map_err(|e| format!("{method} {path}: {e}"))?;
        if status != 200 {
            return Err(format!(
                "WebDriver {method} {path}: {status} {}",
                v["value"]["message"].as_str().unwrap_or(&v.to_string())
            ));
        }
        Ok(v["value"].clone())
    }

    fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, String> {
        Self::call(
            self.driver.port,
            method,
            &format!("/session/{}{path}", self.id),
            body.as_ref(),
        )
    }

    /// A Chrome DevTools Protocol command.
    pub fn cdp(&self, cmd: &str, params: Value) -> Result<Value, String> {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": cmd, "params": params})),
        )
    }

    pub fn goto(&self, url: &str) -> Result<(), String> {
        self.cmd("POST", "/url", Some(json!({ "url": url })))
            .map(|_| ())
    }

    /// Runs `script` (a function body; `arguments` holds `args`) and returns its value.
    pub fn exec(&self, script: &str, args: Value) -> Result<Value, String> {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
    }

    /// Runs `script` until it returns something truthy, for at most `secs` seconds.
    pub fn wait_for(&self, script: &str, secs: u64) -> Result<Value, String> {
        let start = Instant::now();
        loop {
            let v = self.exec(script, json!([]))?;
            if !(v.is_null() || v == json!(false) || v == json!(0) || v == json!("")) {
                return Ok(v);
            }
            if start.elapsed() > Duration::from_secs(secs) {
                return Err(format!("waited {secs} s for `{script}`"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The element matching a CSS selector: its WebDriver reference.
    pub fn find(&self, css: &str) -> Result<Value, String> {
        let v = self.cmd(
            "POST",
            "/element",
            Some(json!({"using": "css selector", "value": css})),
        )?;
        Ok(v)
    }

    /// Types `text` into an element as a user would, key by key.
    pub fn type_into(&self, element: &Value, text: &str) -> Result<(), String> {
        let id = element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(|v| v.as_str())
            .ok_or("not an element")?;
        self.cmd(
            "POST",
            &format!("/element/{id}/value"),
            Some(json!({ "text": text })),
        )
        .map(|_| ())
    }

    /// Presses and releases each key of `keys` (WebDriver key codes: `\u{E004}` is Tab).
    pub fn press_keys(&self, keys: &str) -> Result<(), String> {
        let mut actions = Vec::new();
        for k in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": k.to_string()}));
            actions.push(json!({"type": "keyUp", "value": k.to_string()}));
        }
        let body = json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]});
        self.cmd("POST", "/actions", Some(body)).map(|_| ())
    }

    /// A PNG of the whole page, however tall (up to `max_height` CSS pixels).
    pub fn screenshot_full_page(&self, max_height: u32) -> Result<Vec<u8>, String> {
        let dims = self.exec(
            "return [document.documentElement.clientWidth, Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)];",
            json!([]),
        )?;
        let w = dims[0].as_f64().unwrap_or(1280.0);
        let h = dims[1].as_f64().unwrap_or(800.0).min(max_height as f64);
        let v = self.cdp(
            "Page.captureScreenshot",
            json!({"format": "png", "captureBeyondViewport": true, "clip": {"x": 0, "y": 0, "width": w, "height": h, "scale": 1}}),
        )?;
        base64_decode(v["data"].as_str().ok_or("no screenshot data")?)
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        let _ = Self::call(
            self.driver.port,
            "DELETE",
            &format!("/session/{}", self.id),
            None,
        );
    }
}

/// Standard base64 (with padding) to bytes.
pub fn base64_decode(s: &str) -> Result<Vec<u8>, String> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let clean: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= val(c).ok_or("bad base64")? << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    Ok(out)
}

/// The width and height of a PNG, from its header.
pub fn png_size(png: &[u8]) -> Option<(u32, u32)> {
    if png.len() < 24 || &png[..8] != b"\x89PNG\r\n\x1a\n" {
        return None;
    }
    let w = u32::from_be_bytes(png[16..20].try_into().ok()?);
    let h = u32::from_be_bytes(png[20..24].try_into().ok()?);
    Some((w, h))
}
