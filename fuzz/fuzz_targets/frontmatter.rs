//! Markdown files with front matter (change records, topics, FAQ entries, pages) and the YAML
//! files (platform.yaml, site.yaml): any bytes give a result or diagnostics naming the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use termtrail::config::SiteConfig;
use termtrail::content::parse_source;

const PATHS: &[&str] = &[
    "content/platforms/netflix/changes/2026-01-15-change.md",
    "content/topics/ai-training.md",
    "content/faq/question.md",
    "content/pages/about.md",
    "content/platforms/netflix/platform.yaml",
];

fuzz_target!(|data: &[u8]| {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let src = String::from_utf8_lossy(rest);
    if which as usize % (PATHS.len() + 1) == PATHS.len() {
        if let Err(diags) = SiteConfig::parse(&src, "site.yaml") {
            check(&diags, "site.yaml", &src);
        }
        return;
    }
    let rel = PATHS[which as usize % (PATHS.len() + 1)];
    if let Err(diags) = parse_source(rel, &src) {
        check(&diags, rel, &src);
    }
});

fn check(diags: &[termtrail::error::Diagnostic], rel: &str, src: &str) {
    assert!(!diags.is_empty());
    let lines = src.split('\n').count();
    for d in diags {
        assert_eq!(d.file, rel);
        assert!(d.line.is_none_or(|l| l >= 1 && l <= lines + 1), "{d}");
        let _ = d.clone().with_source(src).to_string();
    }
}
