//! Live reload: a server-sent event stream of the site's state, and the script `serve` adds to
//! every HTML page it serves (never to `build`'s output), which reloads the page when the site
//! changed and shows a build error as an overlay with its file and line.

use std::io::Write;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;

use crate::error::Diagnostics;

/// The path of the event stream.
pub const EVENTS_PATH: &str = "/__termtrail/events";
/// The path of the script.
pub const SCRIPT_PATH: &str = "/__termtrail/reload.js";
/// The id of the overlay element.
pub const OVERLAY_ID: &str = "termtrail-error-overlay";

/// What the pages are told: the generation of the site being served (it goes up when a
/// rebuild changes what is served) and the current build error, if any.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct State {
    pub generation: u64,
    pub error: Option<ErrorReport>,
}

/// A failed build, as the overlay shows it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErrorReport {
    pub summary: String,
    pub diagnostics: Vec<ErrorItem>,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ErrorItem {
    pub severity: String,
    pub file: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub help: Option<String>,
    /// The diagnostic as the terminal shows it (rustc style, with the source line).
    pub text: String,
}

impl ErrorReport {
    pub fn new(diags: &Diagnostics) -> ErrorReport {
        let errors: Vec<_> = diags.iter().filter(|d| d.is_error()).collect();
        ErrorReport {
            summary: format!(
                "termtrail: the site has {} error(s); still serving the last good build",
                errors.len()
            ),
            diagnostics: errors
                .into_iter()
                .map(|d| ErrorItem {
                    severity: "error".into(),
                    file: d.file.clone(),
                    line: d.line,
                    column: d.column,
                    message: d.message.clone(),
                    help: d.help.clone(),
                    text: d.to_string(),
                })
                .collect(),
        }
    }
}

/// The state, shared by the rebuild loop and every open event stream.
#[derive(Default)]
pub struct Hub {
    inner: Mutex<HubInner>,
    changed: Condvar,
}

#[derive(Default)]
struct HubInner {
    state: State,
    /// Goes up with every change of `state`.
    version: u64,
    closed: bool,
}

impl Hub {
    pub fn new() -> Arc<Hub> {
        Arc::new(Hub::default())
    }

    fn lock(&self) -> MutexGuard<'_, HubInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn state(&self) -> State {
        self.lock().state.clone()
    }

    /// Sets the state and tells every stream.
    pub fn set(&self, state: State) {
        let mut g = self.lock();
        if g.state != state {
            g.state = state;
            g.version += 1;
            self.changed.notify_all();
        }
    }

    /// Ends every stream (on shutdown).
    pub fn close(&self) {
        self.lock().closed = true;
        self.changed.notify_all();
    }

    pub fn is_closed(&self) -> bool {
        self.lock().closed
    }

    /// Streams the state to `out` until the client goes away or the hub closes: first the
    /// current state, then every change; a comment every 15 s keeps the connection open.
    pub fn stream(&self, out: &mut impl Write) -> std::io::Result<()> {
        out.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\nretry: 500\n\n",
        )?;
        let mut seen = None;
        loop {
            let (state, version) = {
                let mut g = self.lock();
                loop {
                    if g.closed {
                        return Ok(());
                    }
                    if seen != Some(g.version) {
                        break;
                    }
                    let (ng, timeout) = self
                        .changed
                        .wait_timeout(g, Duration::from_secs(15))
                        .unwrap_or_else(|e| e.into_inner());
                    g = ng;
                    if timeout.timed_out() && seen == Some(g.version) && !g.closed {
                        drop(g);
                        out.write_all(b": keep-alive\n\n")?;
                        out.flush()?;
                        g = self.lock();
                    }
                }
                (g.state.clone(), g.version)
            };
            seen = Some(version);
            let json = serde_json::to_string(&state).unwrap_or_else(|_| "{}".into());
            out.write_all(format!("event: state\ndata: {json}\n\n").as_bytes())?;
            out.flush()?;
        }
    }
}

/// The tag added before `</body>` of every HTML page `serve` sends.
pub fn script_tag(generation: u64) -> String {
    format!("<script src=\"{SCRIPT_PATH}\" data-generation=\"{generation}\"></script>")
}

/// Adds the script tag to an HTML page: before its last `</body>`, or at its end.
pub fn inject(html: &[u8], generation: u64) -> Vec<u8> {
    let tag = script_tag(generation);
    let pos = find_last_ci(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + tag.len());
    out.extend_from_slice(&html[..pos]);
    out.extend_from_slice(tag.as_bytes());
    out.extend_from_slice(&html[pos..]);
    out
}

fn find_last_ci(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if hay.len() < needle.len() {
        return None;
    }
    (0..=hay.len() - needle.len())
        .rev()
        .find(|&i| hay[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

/// A page for when there is no good build yet: the overlay shows the error.
pub fn no_site_page(generation: u64) -> Vec<u8> {
    let html = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>termtrail serve: build error</title></head>\n<body><h1>The site does not build yet</h1><p>Fix the error shown here and in the terminal; this page reloads by itself.</p></body></html>\n";
    inject(html.as_bytes(), generation)
}

/// The live-reload script. It reads its page's generation from its own tag, listens to the
/// event stream, reloads when the served site is newer, and shows or hides the error overlay.
pub const SCRIPT: &str = r#"// termtrail serve: live reload. Added by `termtrail serve` only, never by `termtrail build`.
(function () {
  "use strict";
  var me = document.currentScript;
  var generation = me ? Number(me.getAttribute("data-generation")) : -1;
  var OVERLAY = "termtrail-error-overlay";
  function hide() {
    var el = document.getElementById(OVERLAY);
    if (el) el.parentNode.removeChild(el);
  }
  function show(error) {
    hide();
    var el = document.createElement("div");
    el.id = OVERLAY;
    el.setAttribute("role", "alert");
    el.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,24,.94);color:#f4f4f5;font:14px/1.5 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;padding:2rem;";
    var h = document.createElement("h2");
    h.style.cssText = "margin:0 0 1rem;color:#fca5a5;font:bold 18px/1.3 system-ui,sans-serif;";
    h.textContent = error.summary;
    el.appendChild(h);
    error.diagnostics.forEach(function (d) {
      var where = d.file + (d.line ? ":" + d.line + (d.column ? ":" + d.column : "") : "");
      var box = document.createElement("section");
      box.className = "termtrail-error";
      box.style.cssText = "margin:0 0 1.5rem;padding:1rem;border-left:4px solid #f87171;background:#27272a;";
      var loc = document.createElement("div");
      loc.className = "termtrail-error-location";
      loc.style.cssText = "color:#93c5fd;font-weight:bold;";
      loc.textContent = where;
      var pre = document.createElement("pre");
      pre.style.cssText = "margin:.5rem 0 0;white-space:pre-wrap;";
      pre.textContent = d.text;
      box.appendChild(loc);
      box.appendChild(pre);
      el.appendChild(box);
    });
    var note = document.createElement("p");
    note.style.cssText = "color:#a1a1aa;font-family:system-ui,sans-serif;";
    note.textContent = "Fix the file and save: this goes away by itself.";
    el.appendChild(note);
    (document.body || document.documentElement).appendChild(el);
  }
  if (!window.EventSource) return;
  var source = new EventSource("/__termtrail/events");
  source.addEventListener("state", function (e) {
    var state;
    try { state = JSON.parse(e.data); } catch (err) { return; }
    if (state.generation !== generation) {
      source.close();
      window.location.reload();
      return;
    }
    if (state.error) show(state.error); else hide();
  });
  window.addEventListener("pagehide", function () { source.close(); });
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn injects_before_the_last_body_end() {
        let out = String::from_utf8(inject(b"<html><body><p>x</p></BODY></html>", 7)).unwrap();
        assert_eq!(
            out,
            format!("<html><body><p>x</p>{}</BODY></html>", script_tag(7))
        );
        let out = String::from_utf8(inject(b"<p>no body</p>", 1)).unwrap();
        assert!(out.ends_with(&script_tag(1)));
    }

    #[test]
    fn streams_state_changes() {
        let hub = Hub::new();
        hub.set(State {
            generation: 3,
            error: None,
        });
        let h = hub.clone();
        let t = std::thread::spawn(move || {
            let mut buf = Vec::new();
            h.stream(&mut buf).unwrap();
            String::from_utf8(buf).unwrap()
        });
        // Whether the stream starts before or after this change, it sends generation 4.
        std::thread::sleep(Duration::from_millis(50));
        hub.set(State {
            generation: 4,
            error: None,
        });
        std::thread::sleep(Duration::from_millis(50));
        hub.close();
        let text = t.join().unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream"));
        assert!(
            text.contains("data: {\"generation\":4,\"error\":null}"),
            "{text}"
        );
    }
}
