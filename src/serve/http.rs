//! The static-file server of `serve`, over `std::net`: a thread per connection, HTTP/1.1 with
//! keep-alive, GET and HEAD. Pages come from memory (the last good build); static files from
//! the site's `static/` folders as the build listed them. Directories serve their
//! `index.html`, a directory without its slash redirects to it, a missing page is the site's
//! `404.html` with status 404, and a path that tries to leave the site (`..`, `%2e%2e`,
//! backslashes, NUL) is refused with 400.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use super::rebuild::Files;
use super::reload::{self, Hub};
use crate::render::templates;

/// What is being served: replaced as a whole after each good rebuild.
#[derive(Default)]
pub struct Site {
    /// Goes up with every rebuild that changed the output.
    pub generation: u64,
    pub files: Files,
    /// Static files: output path → source file.
    pub assets: BTreeMap<String, PathBuf>,
    /// False until the first good build.
    pub built: bool,
}

/// Shared by the server threads and the rebuild loop.
pub struct Server {
    pub site: RwLock<Arc<Site>>,
    pub hub: Arc<Hub>,
    connections: AtomicUsize,
}

/// At most this many connections at once; more get 503.
const MAX_CONNECTIONS: usize = 512;
/// Request line and headers together may not be longer.
const MAX_HEAD: usize = 16 * 1024;

impl Server {
    pub fn new(hub: Arc<Hub>) -> Arc<Server> {
        Arc::new(Server {
            site: RwLock::new(Arc::new(Site::default())),
            hub,
            connections: AtomicUsize::new(0),
        })
    }

    pub fn set_site(&self, site: Site) {
        let old = std::mem::replace(
            &mut *self.site.write().unwrap_or_else(|e| e.into_inner()),
            Arc::new(site),
        );
        // Freeing a large site's map takes milliseconds: not while holding the lock, and not
        // on the way to the reload.
        let _ = std::thread::Builder::new()
            .name("termtrail-free".into())
            .spawn(move || drop(old));
    }

    pub fn site(&self) -> Arc<Site> {
        self.site.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Accepts connections until the listener fails; each gets a thread.
    pub fn run(self: Arc<Self>, listener: TcpListener) {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            if self.hub.is_closed() {
                break;
            }
            let server = self.clone();
            if server.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
                server.connections.fetch_sub(1, Ordering::SeqCst);
                let mut s = stream;
                let _ = s.write_all(
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
                continue;
            }
            let spawned = std::thread::Builder::new()
                .name("termtrail-http".into())
                .spawn(move || {
                    let _ = server.connection(stream);
                    server.connections.fetch_sub(1, Ordering::SeqCst);
                });
            if spawned.is_err() {
                self.connections.fetch_sub(1, Ordering::SeqCst);
            }
        }
    }

    fn connection(&self, stream: TcpStream) -> std::io::Result<()> {
        stream.set_read_timeout(Some(Duration::from_secs(30)))?;
        stream.set_nodelay(true)?;
        let mut reader = BufReader::new(stream.try_clone()?);
        let mut out = stream;
        loop {
            let req = match read_request(&mut reader) {
                Ok(Some(r)) => r,
                Ok(None) => return Ok(()),
                Err(status) => {
                    let resp = Response::text(status, reason(status));
                    resp.write(&mut out, false, false)?;
                    return Ok(());
                }
            };
            if req.method == "GET" && req.path_raw == reload::EVENTS_PATH {
                return self.hub.stream(&mut out);
            }
            let head = req.method == "HEAD";
            let resp = self.respond(&req);
            let keep = req.keep_alive && !self.hub.is_closed();
            resp.write(&mut out, head, keep)?;
            if !keep {
                return Ok(());
            }
        }
    }

    /// The response to a request (without the event stream, handled by the connection).
    pub fn respond(&self, req: &Request) -> Response {
        if req.method != "GET" && req.method != "HEAD" {
            let mut r = Response::text(405, "Method Not Allowed");
            r.headers.push(("Allow".into(), "GET, HEAD".into()));
            return r;
        }
        if req.path_raw == reload::SCRIPT_PATH {
            return Response::new(200, "text/javascript; charset=utf-8", reload::SCRIPT.into());
        }
        let Some(path) = clean_path(&req.path_raw) else {
            return Response::text(400, "Bad Request: the path is not a path inside the site");
        };
        let site = self.site();
        let state = self.hub.state();
        if !site.built {
            let mut r = Response::new(
                500,
                "text/html; charset=utf-8",
                reload::no_site_page(state.generation),
            );
            r.headers.push(("Retry-After".into(), "1".into()));
            return r;
        }
        let generation = site.generation;
        let file = if path.is_empty() || path.ends_with('/') {
            format!("{path}index.html")
        } else {
            path.clone()
        };
        if let Some(resp) = lookup(&site, &file, generation) {
            return resp;
        }
        // A folder asked for without its slash: send the browser to it, so relative links work.
        let index = format!("{path}/index.html");
        if !path.is_empty() && !path.ends_with('/') && lookup(&site, &index, generation).is_some() {
            let mut r = Response::text(301, "Moved Permanently");
            let query = req
                .query
                .as_deref()
                .map(|q| format!("?{q}"))
                .unwrap_or_default();
            r.headers
                .push(("Location".into(), format!("{}/{query}", encode_path(&path))));
            return r;
        }
        match site.files.get("404.html") {
            Some(bytes) => Response::new(
                404,
                "text/html; charset=utf-8",
                reload::inject(bytes, generation),
            ),
            None => Response::text(404, "Not Found"),
        }
    }
}

/// A file of the site: a page from memory, a static file from disk, or a built-in asset.
fn lookup(site: &Site, file: &str, generation: u64) -> Option<Response> {
    let ctype = content_type(file);
    if let Some(bytes) = site.files.get(file) {
        let body = if ctype.starts_with("text/html") {
            reload::inject(bytes, generation)
        } else {
            bytes.as_ref().clone()
        };
        return Some(Response::new(200, ctype, body));
    }
    if let Some(src) = site.assets.get(file) {
        return std::fs::read(src)
            .ok()
            .map(|b| Response::new(200, ctype, b));
    }
    templates::BUILTIN_ASSETS
        .iter()
        .find(|(n, _)| *n == file)
        .map(|(_, b)| Response::new(200, ctype, b.to_vec()))
}

/// A parsed request.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The path as sent (before the query), still percent-encoded.
    pub path_raw: String,
    pub query: Option<String>,
    pub keep_alive: bool,
}

impl Request {
    pub fn get(path: &str) -> Request {
        let (p, q) = match path.split_once('?') {
            Some((p, q)) => (p, Some(q.to_string())),
            None => (path, None),
        };
        Request {
            method: "GET".into(),
            path_raw: p.to_string(),
            query: q,
            keep_alive: false,
        }
    }
}

/// Reads one request (line and headers; a body is read and dropped). `Ok(None)`: the client
/// closed the connection; `Err(status)`: a bad request.
fn read_request(r: &mut BufReader<TcpStream>) -> Result<Option<Request>, u16> {
    let mut total = 0;
    let mut line = String::new();
    // Skip empty lines before a request (allowed by RFC 9112).
    loop {
        line.clear();
        match read_line(r, &mut line, &mut total) {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(e) => return if e == 0 { Ok(None) } else { Err(e) },
        }
        if !line.trim().is_empty() {
            break;
        }
    }
    let mut parts = line.split_whitespace();
    let (Some(method), Some(target), version) = (parts.next(), parts.next(), parts.next()) else {
        return Err(400);
    };
    let version = version.unwrap_or("HTTP/1.0");
    if !version.starts_with("HTTP/1.") || parts.next().is_some() {
        return Err(400);
    }
    let mut keep_alive = version == "HTTP/1.1";
    let mut content_length = 0usize;
    loop {
        let mut h = String::new();
        match read_line(r, &mut h, &mut total) {
            Ok(0) => return Ok(None),
            Ok(_) => {}
            Err(e) => return if e == 0 { Ok(None) } else { Err(e) },
        }
        let h = h.trim_end_matches(['\r', '\n']);
        if h.is_empty() {
            break;
        }
        let Some((name, value)) = h.split_once(':') else {
            return Err(400);
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("connection") {
            let v = value.to_ascii_lowercase();
            if v.contains("close") {
                keep_alive = false;
            } else if v.contains("keep-alive") {
                keep_alive = true;
            }
        } else if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse().map_err(|_| 400u16)?;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // No request to a static server needs a body; refuse rather than misread.
            return Err(400);
        }
    }
    if content_length > 0 {
        if content_length > 1024 * 1024 {
            return Err(413);
        }
        let mut sink = vec![0; content_length];
        r.read_exact(&mut sink).map_err(|_| 400u16)?;
    }
    if !target.starts_with('/') {
        return Err(400);
    }
    let target = target.split('#').next().unwrap_or("");
    let (path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (target, None),
    };
    Ok(Some(Request {
        method: method.to_string(),
        path_raw: path.to_string(),
        query,
        keep_alive,
    }))
}

/// Reads a line of at most what is left of [`MAX_HEAD`]; `Err(0)` for a closed or timed-out
/// connection, `Err(431)` for a head that is too long, `Err(400)` for bytes that are not text.
fn read_line(
    r: &mut BufReader<TcpStream>,
    line: &mut String,
    total: &mut usize,
) -> Result<usize, u16> {
    let mut buf = Vec::new();
    let limit = (MAX_HEAD - *total) as u64 + 1;
    let n = r
        .by_ref()
        .take(limit)
        .read_until(b'\n', &mut buf)
        .map_err(|_| 0u16)?;
    *total += n;
    if *total > MAX_HEAD {
        return Err(431);
    }
    if n > 0 && !buf.ends_with(b"\n") {
        return Err(0);
    }
    *line = String::from_utf8(buf).map_err(|_| 400u16)?;
    Ok(n)
}

/// The site path a request names, relative (no leading `/`), decoded and checked: `None` when
/// it is not a plain path inside the site.
pub fn clean_path(raw: &str) -> Option<String> {
    let bytes = percent_decode(raw)?;
    let s = String::from_utf8(bytes).ok()?;
    if !s.starts_with('/') || s.contains('\\') || s.contains('\0') {
        return None;
    }
    let rel = &s[1..];
    let trailing = rel.ends_with('/');
    let mut parts = Vec::new();
    for seg in rel.split('/') {
        match seg {
            "" => continue,
            "." | ".." => return None,
            _ if seg.chars().any(char::is_control) => return None,
            _ => parts.push(seg),
        }
    }
    // `//` inside a path is not a folder of its own.
    if s.contains("//") {
        return None;
    }
    let mut out = parts.join("/");
    if trailing && !out.is_empty() {
        out.push('/');
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            let hi = hex(*b.get(i + 1)?)?;
            let lo = hex(*b.get(i + 2)?)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Some(out)
}

/// Percent-encodes what a `Location` header cannot carry as is.
fn encode_path(p: &str) -> String {
    let mut out = String::from("/");
    for b in p.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/!$&'()*+,;=:@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The content type of a file, from its extension.
pub fn content_type(file: &str) -> &'static str {
    let ext = file
        .rsplit('/')
        .next()
        .and_then(|n| n.rsplit_once('.'))
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" | "map" => "application/json",
        "xml" => "application/xml; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "pdf" => "application/pdf",
        "wasm" => "application/wasm",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// A response to write.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body,
        }
    }

    pub fn text(status: u16, text: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            format!("{text}\n").into_bytes(),
        )
    }

    fn write(
        &self,
        out: &mut impl Write,
        head_only: bool,
        keep_alive: bool,
    ) -> std::io::Result<()> {
        let mut head = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        for (k, v) in &self.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str(&format!(
            "Content-Length: {}\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: {}\r\n\r\n",
            self.body.len(),
            if keep_alive { "keep-alive" } else { "close" }
        ));
        out.write_all(head.as_bytes())?;
        if !head_only {
            out.write_all(&self.body)?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_site_are_refused() {
        for bad in [
            "/..",
            "/../etc/passwd",
            "/a/../../b",
            "/%2e%2e/secret",
            "/%2E%2E%2Fsecret",
            "/a/%2e%2e/%2e%2e/b",
            "/a\\..\\b",
            "/a%5c..%5cb",
            "/a%00b",
            "/%zz",
            "/./a",
            "//etc/passwd",
        ] {
            assert_eq!(clean_path(bad), None, "{bad}");
        }
        assert_eq!(clean_path("/").as_deref(), Some(""));
        assert_eq!(clean_path("/faq/").as_deref(), Some("faq/"));
        assert_eq!(clean_path("/a%20b.txt").as_deref(), Some("a b.txt"));
        assert_eq!(
            clean_path("/platforms/x/rss.xml").as_deref(),
            Some("platforms/x/rss.xml")
        );
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("assets/style.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("a/b.JSON"), "application/json");
        assert_eq!(content_type("noext"), "application/octet-stream");
        assert_eq!(content_type("dir.d/noext"), "application/octet-stream");
    }
}
