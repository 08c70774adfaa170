//! Time of `serve`'s cached load after a one-file edit: loads a site once with a `LoadCache`,
//! then again and again rewrites one change record's title (two values in turn), invalidates
//! it as the watcher would and times `content::load_cached` (and its CPU time, on Linux).
//! Prints the medians of that and of an uncached `content::load`, and their ratio. The site is
//! edited in place (and restored): pass a copy.
//!
//! ```text
//! cp -r /dev/shm/termtrail-bench/site-200-6-5 /dev/shm/load-site
//! cargo run --release --example load-bench -- /dev/shm/load-site [--runs N] [--full-runs N]
//! ```

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use termtrail::content::{self, LoadCache, LoadOptions};

fn median(mut v: Vec<f64>) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// CPU time of every thread of this process so far, in ms (Linux; `None` elsewhere): less
/// disturbed than wall time by other work on the machine.
fn cpu_ms() -> Option<f64> {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let s = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
        ns += s.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 / 1e6)
}

fn first_record(root: &Path) -> Option<String> {
    let platforms = root.join("content/platforms");
    let mut dirs: Vec<_> = std::fs::read_dir(&platforms).ok()?.flatten().collect();
    dirs.sort_by_key(|e| e.file_name());
    for d in dirs {
        let mut files: Vec<_> = std::fs::read_dir(d.path().join("changes"))
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".md"))
            .collect();
        files.sort_by_key(|e| e.file_name());
        if let Some(f) = files.first() {
            let rel = f
                .path()
                .strip_prefix(root)
                .ok()?
                .to_string_lossy()
                .into_owned();
            return Some(rel.replace('\\', "/"));
        }
    }
    None
}

fn main() -> ExitCode {
    let mut root: Option<PathBuf> = None;
    let (mut runs, mut full_runs) = (30usize, 5usize);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--runs" => runs = args.next().and_then(|v| v.parse().ok()).unwrap_or(runs),
            "--full-runs" => {
                full_runs = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(full_runs)
            }
            _ => root = Some(PathBuf::from(a)),
        }
    }
    let Some(root) = root else {
        eprintln!("usage: load-bench SITE [--runs N] [--full-runs N]");
        return ExitCode::FAILURE;
    };
    let Some(rel) = first_record(&root) else {
        eprintln!("no change record under {}", root.display());
        return ExitCode::FAILURE;
    };
    let path = root.join(&rel);
    let original = std::fs::read_to_string(&path).expect("read the record");
    let Some(title_line) = original.lines().find(|l| l.starts_with("title:")) else {
        eprintln!("{rel} has no `title:` line");
        return ExitCode::FAILURE;
    };
    let variants = [
        "title: \"Load bench title A\"",
        "title: \"Load bench title B\"",
    ]
    .map(|t| original.replacen(title_line, t, 1));
    let opts = LoadOptions::default();

    let cache = LoadCache::new();
    let t = Instant::now();
    if let Err(e) = content::load_cached(&root, &opts, Some(&cache)) {
        eprintln!("the site does not load:\n{e:?}");
        return ExitCode::FAILURE;
    }
    println!(
        "first cached load: {:.1} ms ({} files)",
        t.elapsed().as_secs_f64() * 1e3,
        cache.file_count()
    );
    // Timed with the drop of the previous load's site, which a rebuild also pays.
    let mut previous = None;
    let mut cached = Vec::with_capacity(runs);
    let mut cpu = 0.0;
    for i in 0..runs {
        std::fs::write(&path, &variants[i % 2]).expect("write the record");
        cache.invalidate(&rel);
        let c = cpu_ms();
        let t = Instant::now();
        let loaded = content::load_cached(&root, &opts, Some(&cache)).expect("load");
        previous = Some(loaded);
        cached.push(t.elapsed().as_secs_f64() * 1e3);
        cpu += cpu_ms().zip(c).map_or(f64::NAN, |(b, a)| b - a);
    }
    drop(previous);
    let mut full = Vec::with_capacity(full_runs);
    for _ in 0..full_runs {
        let t = Instant::now();
        let loaded = content::load(&root, &opts).expect("load");
        full.push(t.elapsed().as_secs_f64() * 1e3);
        drop(loaded);
    }
    std::fs::write(&path, &original).expect("restore the record");
    let c = median(cached);
    println!("edited {rel}");
    println!("cached load (one record changed): median {c:.1} ms of {runs}");
    println!(
        "  CPU time (all threads):         mean {:.1} ms",
        cpu / runs as f64
    );
    if full_runs > 0 {
        let f = median(full);
        println!("uncached load:                    median {f:.1} ms of {full_runs}");
        println!("ratio cached / uncached: {:.3}", c / f);
    }
    ExitCode::SUCCESS
}
