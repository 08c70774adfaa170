//! Markdown rendering, plain text and the splitting of text snapshots at headings: no panic,
//! no script or event handler in the HTML, links located inside the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use termtrail::content::snapshot::split_text;
use termtrail::markdown::{plain_text, render, Source};

fuzz_target!(|data: &[u8]| {
    let md = String::from_utf8_lossy(data);
    let r = render(
        &md,
        Source {
            file: "x.md",
            first_line: 3,
            base_path: "/atlas",
        },
    );
    let lower = r.html.to_ascii_lowercase();
    assert!(!lower.contains("<script"), "{}", r.html);
    assert!(!lower.contains("href=\"javascript:"), "{}", r.html);
    let lines = md.split('\n').count();
    for l in &r.links {
        assert!(l.line >= 3 && l.line < 3 + lines, "{l:?}");
        assert!(l.column >= 1);
    }
    let _ = plain_text(&md);
    let sections = split_text(&md, 1);
    let mut ids: Vec<&str> = sections.iter().map(|s| s.id.as_str()).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n, "section ids are unique");
});
