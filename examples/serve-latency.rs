//! Edit-to-served latency of `termtrail serve`: copies a site to a temporary folder, starts the
//! real binary on it, then again and again changes a change record's title on disk and waits,
//! as an open page does, for `serve`'s reload event, then fetches the record's page over HTTP;
//! the time runs until a fetch returns the new title. Prints every latency and the median.
//! With `--poll`, fetches the page every millisecond instead (which takes CPU from the rebuild
//! on a small machine).
//!
//! ```text
//! cargo build --release
//! cargo run --release --example serve-latency -- [--root DIR] [--runs N] [--record REL]
//! # the synthetic site of 10,000 change records:
//! cargo run --release --example gen-site -- --platforms 200 --records 25 /tmp/site10k
//! cargo run --release --example serve-latency -- --root /tmp/site10k
//! ```
//!
//! `--root` defaults to the current folder (the repository is the example site); `--record` to
//! the first change record found; `--bin` to the `termtrail` beside this example's binary.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

struct Options {
    root: PathBuf,
    runs: usize,
    record: Option<String>,
    bin: PathBuf,
    poll: bool,
}

fn parse_args() -> Result<Options, String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let default_bin = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("termtrail"))
        .unwrap_or_else(|| PathBuf::from("termtrail"));
    let mut o = Options {
        root: PathBuf::from("."),
        runs: 20,
        record: None,
        bin: default_bin,
        poll: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().ok_or(format!("{a} needs a value"));
        match a.as_str() {
            "--root" => o.root = PathBuf::from(value()?),
            "--runs" => o.runs = value()?.parse().map_err(|_| "--runs takes a number")?,
            "--record" => o.record = Some(value()?),
            "--bin" => o.bin = PathBuf::from(value()?),
            "--poll" => o.poll = true,
            _ => {
                return Err(format!(
                    "unknown argument {a}\nusage: serve-latency [--root DIR] [--runs N] [--record REL] [--bin PATH] [--poll]"
                ))
            }
        }
    }
    Ok(o)
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let dest = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            copy_dir(&e.path(), &dest)?;
        } else {
            std::fs::copy(e.path(), dest)?;
        }
    }
    Ok(())
}

/// The first change record under content/platforms/*/changes/, relative to the root.
fn first_record(root: &Path) -> Option<String> {
    let mut platforms: Vec<_> = std::fs::read_dir(root.join("content/platforms"))
        .ok()?
        .flatten()
        .map(|e| e.path())
        .collect();
    platforms.sort();
    for p in platforms {
        let mut records: Vec<_> = std::fs::read_dir(p.join("changes"))
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md"))
            .collect();
        records.sort();
        if let Some(r) = records.first() {
            return Some(
                r.strip_prefix(root)
                    .ok()?
                    .to_string_lossy()
                    .replace('\\', "/"),
            );
        }
    }
    None
}

fn get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    Some(body)
}

/// `serve`'s reload events, as an open page's script receives them: one message per `state`
/// event (sent after every rebuild).
fn reload_events(port: u16) -> mpsc::Receiver<()> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || loop {
        let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
            return;
        };
        let request = "GET /__termtrail/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
        if s.write_all(request.as_bytes()).is_err() {
            return;
        }
        for line in BufReader::new(s).lines().map_while(Result::ok) {
            if line.starts_with("data:") && tx.send(()).is_err() {
                return;
            }
        }
        // The stream ended (the server closes it now and then): connect again.
        std::thread::sleep(Duration::from_millis(5));
    });
    rx
}

/// The title line with `marker` added at the end of its value (inside quotes, if quoted).
fn with_marker(line: &str, marker: &str) -> String {
    let value = line.trim_start_matches("title:").trim();
    for q in ['"', '\''] {
        if value.len() >= 2 && value.starts_with(q) && value.ends_with(q) {
            return format!("title: {} {marker}{q}", &value[..value.len() - 1]);
        }
    }
    format!("title: {value} {marker}")
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn main() -> ExitCode {
    let o = match parse_args() {
        Ok(o) => o,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    if !o.bin.exists() {
        eprintln!(
            "no termtrail binary at {}: run `cargo build --release` first, or pass --bin",
            o.bin.display()
        );
        return ExitCode::from(2);
    }
    let tmp = tempfile::tempdir().expect("temporary folder");
    let site = tmp.path().join("site");
    std::fs::create_dir_all(&site).unwrap();
    std::fs::copy(o.root.join("site.yaml"), site.join("site.yaml")).expect("site.yaml");
    for d in ["content", "static", "themes"] {
        if o.root.join(d).is_dir() {
            copy_dir(&o.root.join(d), &site.join(d)).expect("copy the site");
        }
    }
    let Some(record) = o.record.clone().or_else(|| first_record(&site)) else {
        eprintln!("no change record in {}", o.root.display());
        return ExitCode::from(1);
    };
    let parts: Vec<&str> = record.split('/').collect();
    let (platform, key) = (parts[2], parts[4].trim_end_matches(".md"));
    let page = format!("/platforms/{platform}/changes/{key}/");

    let t = Instant::now();
    let mut child = Command::new(&o.bin)
        .args(["serve", "--port", "0", "--root"])
        .arg(&site)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start termtrail serve");
    let (tx, rx) = mpsc::channel::<String>();
    let out = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for l in BufReader::new(out).lines().map_while(Result::ok) {
            let _ = tx.send(l);
        }
    });
    let port: u16 = loop {
        let l = rx.recv().expect("serve exited");
        if let Some(url) = l.strip_prefix("Serving at ") {
            break url
                .trim_end_matches('/')
                .rsplit(':')
                .next()
                .unwrap()
                .parse()
                .unwrap();
        }
    };
    println!(
        "site {} ({}): first build and start in {:.0} ms; editing {record}",
        o.root.display(),
        site.display(),
        t.elapsed().as_secs_f64() * 1000.0
    );
    let reloads = reload_events(port);
    let path = site.join(&record);
    let original = std::fs::read_to_string(&path).expect("the record");
    let title_line = original
        .lines()
        .find(|l| l.starts_with("title:"))
        .expect("a title line")
        .to_string();
    let mut latencies = Vec::new();
    let mut rebuilds = Vec::new();
    for i in 0..o.runs {
        let marker = format!("latency-run-{i}-{}", std::process::id());
        let text = original.replacen(&title_line, &with_marker(&title_line, &marker), 1);
        while reloads.try_recv().is_ok() {}
        let start = Instant::now();
        std::fs::write(&path, text).unwrap();
        loop {
            if o.poll {
                std::thread::sleep(Duration::from_millis(1));
            } else {
                // A reload event; without one for a while, look anyway.
                let _ = reloads.recv_timeout(Duration::from_secs(2));
            }
            if get(port, &page).is_some_and(|b| b.contains(&marker)) {
                break;
            }
            if start.elapsed() > Duration::from_secs(60) {
                eprintln!("run {i}: the edit was not served within 60 s");
                let _ = child.kill();
                return ExitCode::from(1);
            }
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        // The rebuild's own report ("Rebuilt in N ms ...").
        let mut rebuild = None;
        let wait = Instant::now();
        while rebuild.is_none() && wait.elapsed() < Duration::from_secs(5) {
            if let Ok(l) = rx.recv_timeout(Duration::from_millis(100)) {
                if let Some(rest) = l.strip_prefix("Rebuilt in ") {
                    rebuild = rest.split(' ').next().and_then(|n| n.parse::<f64>().ok());
                    println!("  {l}");
                }
            }
        }
        println!("run {i:>3}: {ms:>7.1} ms edit to served");
        latencies.push(ms);
        rebuilds.extend(rebuild);
        // Let the watcher settle before the next edit.
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    let n = latencies.len();
    let mut sorted = latencies.clone();
    let med = median(&mut sorted);
    println!(
        "edit-to-served latency over {n} runs: median {med:.1} ms, min {:.1} ms, max {:.1} ms; rebuild alone: median {:.1} ms",
        sorted[0],
        sorted[n - 1],
        median(&mut rebuilds)
    );
    ExitCode::SUCCESS
}
