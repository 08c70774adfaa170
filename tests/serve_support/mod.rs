//! Helpers for the tests of `termtrail serve`: running the real binary on a free port, reading
//! its output, and a tiny HTTP/1.1 client over `std::net`.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `termtrail serve`, stopped (with SIGKILL) when dropped.
pub struct Serve {
    pub child: Child,
    pub url: String,
    pub port: u16,
    /// Every line printed to stdout so far.
    pub lines: Arc<Mutex<Vec<String>>>,
    pub stderr: Arc<Mutex<String>>,
    new_lines: Receiver<String>,
}

impl Serve {
    /// Starts `termtrail serve --port 0` in `root` and waits until it serves.
    pub fn start(root: &Path, extra: &[&str]) -> Serve {
        let mut child = Command::new(env!("CARGO_BIN_EXE_termtrail"))
            .args(["serve", "--port", "0"])
            .args(extra)
            .current_dir(root)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start termtrail serve");
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (tx, rx) = mpsc::channel();
        let out = child.stdout.take().unwrap();
        let l = lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines() {
                let Ok(line) = line else { break };
                l.lock().unwrap().push(line.clone());
                let _ = tx.send(line);
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let err = child.stderr.take().unwrap();
        let e = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(err).lines() {
                let Ok(line) = line else { break };
                let mut s = e.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
            }
        });
        let mut serve = Serve {
            child,
            url: String::new(),
            port: 0,
            lines,
            stderr,
            new_lines: rx,
        };
        let line = serve.wait_for_line("Serving at ", Duration::from_secs(120));
        let url = line
            .trim_start_matches("Serving at ")
            .trim_end_matches('/')
            .to_string();
        serve.port = url.rsplit(':').next().unwrap().parse().unwrap();
        serve.url = url;
        serve
    }

    /// Waits for the next line of stdout that starts with `prefix`; panics after `timeout`.
    pub fn wait_for_line(&mut self, prefix: &str, timeout: Duration) -> String {
        let end = Instant::now() + timeout;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.new_lines.recv_timeout(left) {
                Ok(l) if l.starts_with(prefix) => return l,
                Ok(_) => {}
                Err(_) => panic!(
                    "no line starting with {prefix:?} within {timeout:?}; stdout:\n{}\nstderr:\n{}",
                    self.lines.lock().unwrap().join("\n"),
                    self.stderr.lock().unwrap()
                ),
            }
        }
    }

    /// Lines printed from now on within `quiet` after the last one (for counting rebuilds).
    pub fn lines_until_quiet(&mut self, quiet: Duration) -> Vec<String> {
        let mut out = Vec::new();
        while let Ok(l) = self.new_lines.recv_timeout(quiet) {
            out.push(l);
        }
        out
    }

    pub fn get(&self, path: &str) -> Response {
        get(self.port, path)
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends `raw` (a whole request) to 127.0.0.1:`port` and reads one response.
pub fn raw_request(port: u16, raw: &[u8]) -> Response {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    s.write_all(raw).unwrap();
    read_response(&mut BufReader::new(s), !raw.starts_with(b"HEAD"))
}

/// `GET path` on 127.0.0.1:`port`.
pub fn get(port: u16, path: &str) -> Response {
    raw_request(
        port,
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    )
}

/// Sends a request with a body (for WebDriver): `method path` with JSON.
pub fn request(port: u16, method: &str, path: &str, body: Option<&str>) -> Response {
    let body = body.unwrap_or("");
    raw_request(
        port,
        format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        )
        .as_bytes(),
    )
}

/// Reads a response: status line, headers, and a body of `Content-Length` bytes, chunked, or
/// up to the end of the connection.
pub fn read_response(r: &mut impl BufRead, with_body: bool) -> Response {
    let mut line = String::new();
    r.read_line(&mut line).expect("status line");
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .unwrap_or_else(|| panic!("bad status line {line:?}"))
        .parse()
        .unwrap();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        r.read_line(&mut h).unwrap();
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':').unwrap();
        headers.push((k.trim().to_string(), v.trim().to_string()));
    }
    let find = |n: &str| {
        headers
            .iter()
            .find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(n))
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if with_body {
        if let Some(len) = find("content-length") {
            body.resize(len.parse().unwrap(), 0);
            r.read_exact(&mut body).unwrap();
        } else if find("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
            loop {
                let mut size = String::new();
                r.read_line(&mut size).unwrap();
                let n = usize::from_str_radix(size.trim(), 16).unwrap();
                let mut chunk = vec![0; n + 2];
                r.read_exact(&mut chunk).unwrap();
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
        } else {
            r.read_to_end(&mut body).unwrap();
        }
    }
    Response {
        status,
        headers,
        body,
    }
}

/// Polls `f` every 50 ms until it gives `Some`, or panics with `what` after `timeout`.
pub fn wait_until<T>(what: &str, timeout: Duration, mut f: impl FnMut() -> Option<T>) -> T {
    let end = Instant::now() + timeout;
    loop {
        if let Some(v) = f() {
            return v;
        }
        if Instant::now() > end {
            panic!("timed out waiting for {what}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A free TCP port on loopback (bound, then released).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Replaces `from` by `to` in the file at `root/rel` (once; the text must be there).
pub fn edit(root: &Path, rel: &str, from: &str, to: &str) {
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{rel} does not contain {from:?}");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
}
