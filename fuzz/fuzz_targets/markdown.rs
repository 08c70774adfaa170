//! Markdown rendering, plain text and the splitting of text snapshots at headings: no panic,
//! no script or event handler in the HTML, links located inside the text.
//!
//! The HTML is parsed, as `markdown_never_panics_and_stays_inert` in tests/fuzz_props.rs does:
//! text that merely reads `href="javascript:` (ammonia leaves `"` unescaped in text) is inert,
//! so only elements and URL attributes are checked (tests/regressions/inert-javascript-text.*).
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
    assert_inert(&r.html);
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

/// No element or attribute in `html` can run a script.
fn assert_inert(html: &str) {
    let doc = scraper::Html::parse_fragment(html);
    for el in doc
        .root_element()
        .descendants()
        .filter_map(scraper::ElementRef::wrap)
    {
        let name = el.value().name();
        assert!(
            !["script", "iframe", "object", "embed", "style", "form"].contains(&name),
            "{html}"
        );
        for (attr, value) in el.value().attrs() {
            assert!(!attr.starts_with("on"), "{html}");
            if [
                "href",
                "src",
                "action",
                "formaction",
                "poster",
                "xlink:href",
            ]
            .contains(&attr)
            {
                let url: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                assert!(
                    !url.starts_with("javascript:")
                        && !url.starts_with("vbscript:")
                        && !url.starts_with("data:"),
                    "{html}"
                );
            }
        }
    }
}
