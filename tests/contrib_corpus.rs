//! The Rust splitter against the snapshots the corpus importer committed: every real corpus
//! version split by `termtrail::import` gives the same sections (ids, headings, texts).

use std::path::{Path, PathBuf};

use termtrail::content::snapshot;
use termtrail::import::{self, InputFormat};

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.is_dir().then_some(p)
}

/// Versions the importer changed beyond the splitting rules (rule 0d: a capture holding its
/// text twice, which `termtrail snapshot` keeps as it is).
const IMPORTER_ONLY: &[&str] = &["amazon-prime/terms-of-service/2026-08-15"];

#[test]
fn every_corpus_version_splits_like_the_committed_snapshot() {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: no corpus at ../shared/corpus");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    let mut failures = Vec::new();
    for entry in walkdir::WalkDir::new(&corpus).sort_by_file_name() {
        let entry = entry.unwrap();
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("md") || entry.depth() != 3 {
            continue;
        }
        let rel = path.strip_prefix(&corpus).unwrap().with_extension("");
        let rel = rel.to_string_lossy().replace('\\', "/");
        if IMPORTER_ONLY.contains(&rel.as_str()) {
            continue;
        }
        let parts: Vec<&str> = rel.split('/').collect();
        let committed = root.join(format!(
            "content/platforms/{}/snapshots/{}/{}.yaml",
            parts[0], parts[1], parts[2]
        ));
        let Ok(yaml) = std::fs::read_to_string(&committed) else {
            continue;
        };
        let want = snapshot::parse(&yaml, &rel).unwrap();
        let src = std::fs::read_to_string(path).unwrap();
        let got = import::split(&src, InputFormat::Markdown, want.source_url.as_deref());
        checked += 1;
        let want_ids: Vec<&str> = want.sections.iter().map(|s| s.id.as_str()).collect();
        let got_ids: Vec<&str> = got.sections.iter().map(|s| s.id.as_str()).collect();
        if want_ids != got_ids {
            failures.push(format!(
                "{rel}: ids\n  want {want_ids:?}\n  got  {got_ids:?}"
            ));
            continue;
        }
        for (w, g) in want.sections.iter().zip(&got.sections) {
            if w.heading != g.heading {
                failures.push(format!(
                    "{rel}#{}: heading {:?} != {:?}",
                    w.id, w.heading, g.heading
                ));
            }
            if w.text != g.text {
                failures.push(format!(
                    "{rel}#{}: text differs\n--- want\n{}\n--- got\n{}",
                    w.id, w.text, g.text
                ));
            }
        }
        if want.title != got.title {
            failures.push(format!("{rel}: title {:?} != {:?}", want.title, got.title));
        }
    }
    eprintln!("{checked} corpus versions compared");
    assert!(checked >= 80, "only {checked} corpus versions found");
    assert!(
        failures.is_empty(),
        "{} of {checked} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
