//! How long `diff_snapshots` takes on long documents, against a baseline measured in the same
//! run: the time to read and parse the two files (or, for generated pairs, to copy their text).
//!
//! ```text
//! cargo bench --bench diff            # the benchmark
//! cargo bench --bench diff -- --quick # fewer iterations
//! ```
//!
//! Without `--bench` (as `cargo test --all-targets` runs it) it diffs each pair once, checks
//! the result and exits, so that the test suite stays fast.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use termtrail::content::snapshot;
use termtrail::derive::diff::{diff_snapshots, SectionChange, SnapshotDiff};
use termtrail::model::{Section, Snapshot};

/// A snapshot as the loader would make it (without HTML: the diff does not read it for
/// changed sections, and an unchanged section only shares it).
fn to_snapshot(parsed: snapshot::ParsedSnapshot, file: &str) -> Snapshot {
    Snapshot {
        date: jiff::civil::date(2026, 1, 1),
        title: parsed.title.unwrap_or_default(),
        source_url: parsed.source_url,
        file: file.to_string(),
        sections: parsed
            .sections
            .into_iter()
            .map(|s| Section {
                anchor: s.id.clone(),
                id: s.id,
                heading: s.heading,
                topics: s.topics,
                text: Arc::from(s.text),
                html: Arc::from(""),
            })
            .collect(),
    }
}

fn load(path: &Path) -> Snapshot {
    let file = path.to_string_lossy();
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{file}: {e}"));
    let parsed = snapshot::parse(&src, &file).unwrap_or_else(|e| panic!("{file}: {e:?}"));
    to_snapshot(parsed, &file)
}

/// xorshift64*, for the generated pairs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const WORDS: &[&str] = &[
    "we",
    "may",
    "collect",
    "your",
    "personal",
    "data",
    "and",
    "share",
    "it",
    "with",
    "our",
    "affiliates",
    "service",
    "providers",
    "to",
    "the",
    "extent",
    "permitted",
    "by",
    "law",
    "including",
    "information",
    "about",
    "device",
    "content",
    "you",
    "submit",
    "Services",
    "retain",
    "for",
    "as",
    "long",
    "account",
    "remains",
    "active",
    "unless",
    "opt",
    "out",
    "settings",
    "third",
    "parties",
    "advertising",
    "partners",
    "process",
    "payments",
    "models",
    "train",
    "improve",
    "rights",
    "request",
    "deletion",
    "access",
    "arbitration",
    "binding",
];

fn sentence(rng: &mut Rng) -> String {
    let n = 12 + rng.below(14);
    let mut s: Vec<&str> = (0..n).map(|_| WORDS[rng.below(WORDS.len())]).collect();
    let first = s[0].to_string();
    let mut out = first[..1].to_uppercase() + &first[1..];
    s.remove(0);
    for w in s {
        out.push(' ');
        out.push_str(w);
    }
    out.push('.');
    out
}

/// About `bytes` of text in `sections` sections of paragraphs of sentences.
fn document(rng: &mut Rng, bytes: usize, sections: usize) -> Vec<Vec<Vec<String>>> {
    let per = bytes / sections;
    (0..sections)
        .map(|_| {
            let mut paras = Vec::new();
            let mut len = 0;
            while len < per {
                let p: Vec<String> = (0..3 + rng.below(3)).map(|_| sentence(rng)).collect();
                len += p.iter().map(|s| s.len() + 1).sum::<usize>() + 2;
                paras.push(p);
            }
            paras
        })
        .collect()
}

/// Changes `n` sentences at random places.
fn edit(rng: &mut Rng, doc: &mut [Vec<Vec<String>>], n: usize) {
    for _ in 0..n {
        let s = rng.below(doc.len());
        let p = rng.below(doc[s].len());
        let i = rng.below(doc[s][p].len());
        doc[s][p][i] = sentence(rng);
    }
}

fn snapshot_of(doc: &[Vec<Vec<String>>]) -> Snapshot {
    let sections = doc
        .iter()
        .enumerate()
        .map(|(i, paras)| {
            let text: String = paras
                .iter()
                .map(|p| p.join(" "))
                .collect::<Vec<_>>()
                .join("\n\n");
            Section {
                id: format!("s{i}"),
                anchor: format!("s{i}"),
                heading: Some(format!("Section {i}")),
                topics: vec![],
                text: Arc::from(text),
                html: Arc::from(""),
            }
        })
        .collect();
    Snapshot {
        date: jiff::civil::date(2026, 1, 1),
        title: "Generated".into(),
        source_url: None,
        file: String::new(),
        sections,
    }
}

/// The snapshot as a YAML file in `dir`, as a contributor would write it.
fn write_yaml(dir: &Path, name: &str, s: &Snapshot) -> PathBuf {
    let mut y = String::from("sections:\n");
    for x in &s.sections {
        y.push_str(&format!("  - id: \"{}\"\n", x.id));
        if let Some(h) = &x.heading {
            y.push_str(&format!("    heading: \"{h}\"\n"));
        }
        y.push_str("    text: |\n");
        for line in x.text.lines() {
            if !line.is_empty() {
                y.push_str("      ");
                y.push_str(line);
            }
            y.push('\n');
        }
    }
    let path = dir.join(name);
    std::fs::write(&path, y).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    path
}

fn size(s: &Snapshot) -> usize {
    s.sections.iter().map(|x| x.text.len()).sum()
}

/// The median of `iters` runs of `f`, in seconds.
fn median<T>(iters: usize, mut f: impl FnMut() -> T) -> f64 {
    let mut times: Vec<Duration> = (0..iters)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    times[times.len() / 2].as_secs_f64()
}

fn check(d: &SnapshotDiff, what: &str) {
    assert!(!d.stats.is_empty(), "{what}: no change found");
    assert!(
        d.sections
            .iter()
            .any(|s| s.change != SectionChange::Unchanged),
        "{what}: no changed section"
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let bench = args.iter().any(|a| a == "--bench");
    let quick = args.iter().any(|a| a == "--quick");
    let iters = if !bench {
        1
    } else if quick {
        5
    } else {
        21
    };

    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("content/platforms/microsoft-copilot/snapshots/privacy-policy");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "yaml"));
    files.sort();

    if bench {
        println!("diff_snapshots: median of {iters} runs; ratio = diff time / baseline time");
        println!(
            "{:<44} {:>9} {:>11} {:>11} {:>7}",
            "pair", "KB", "baseline ms", "diff ms", "ratio"
        );
    }
    let report = |name: &str, kb: usize, base: f64, diff: f64| {
        if bench {
            println!(
                "{name:<44} {kb:>9} {:>11.2} {:>11.2} {:>7.2}",
                base * 1e3,
                diff * 1e3,
                diff / base
            );
        }
    };

    // Real documents: consecutive versions of the Microsoft Privacy Statement (~340 KB each).
    for pair in files.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        let base = median(iters, || (load(a), load(b)));
        let (old, new) = (load(a), load(b));
        let d = diff_snapshots(&old, &new);
        check(&d, "copilot");
        let t = median(iters, || diff_snapshots(&old, &new));
        let name = format!(
            "copilot {} → {}",
            a.file_stem().unwrap_or_default().to_string_lossy(),
            b.file_stem().unwrap_or_default().to_string_lossy()
        );
        report(&name, (size(&old) + size(&new)) / 2000, base, t);
    }

    // Generated 100 KB pairs that differ in a few sentences, in many sections or one; the
    // baseline reads and parses them from YAML files, like the real ones.
    let tmp = std::env::temp_dir().join(format!("termtrail-bench-diff-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let unrelated = (
        snapshot_of(&document(&mut rng, 100_000, 1)),
        snapshot_of(&document(&mut rng, 100_000, 1)),
    );
    let mut pairs = Vec::new();
    for (sections, edits, name) in [
        (30, 3, "100 KB, 30 sections, 3 sentences changed"),
        (1, 3, "100 KB, 1 section, 3 sentences changed"),
        (1, 40, "100 KB, 1 section, 40 sentences changed"),
    ] {
        let old_doc = document(&mut rng, 100_000, sections);
        let mut new_doc = old_doc.clone();
        edit(&mut rng, &mut new_doc, edits);
        pairs.push((name, snapshot_of(&old_doc), snapshot_of(&new_doc)));
    }
    pairs.push((
        "100 KB, 1 section, unrelated texts",
        unrelated.0,
        unrelated.1,
    ));
    for (i, (name, old, new)) in pairs.iter().enumerate() {
        let a = write_yaml(&tmp, &format!("{i}-old.yaml"), old);
        let b = write_yaml(&tmp, &format!("{i}-new.yaml"), new);
        let base = median(iters, || (load(&a), load(&b)));
        let (old, new) = (load(&a), load(&b));
        check(&diff_snapshots(&old, &new), name);
        let t = median(iters, || diff_snapshots(&old, &new));
        report(name, size(&old) / 1000, base, t);
    }
    let _ = std::fs::remove_dir_all(&tmp);
    if bench {
        println!("baseline: reading and parsing the two YAML files of the pair");
    } else {
        println!("diff bench: smoke run passed (run `cargo bench --bench diff` to measure)");
    }
}
