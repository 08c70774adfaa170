//! Stage times on stderr when `TERMTRAIL_TIMINGS` is set: where a build's or a rebuild's time
//! goes, for profiling at scale without a profiler.

use std::sync::Mutex;
use std::time::{Duration, Instant};

/// A stopwatch that prints the time since its last stage, or does nothing when
/// `TERMTRAIL_TIMINGS` is not set.
pub struct Timings(Option<(Instant, Option<Duration>)>);

impl Timings {
    pub fn from_env() -> Timings {
        Timings(std::env::var_os("TERMTRAIL_TIMINGS").map(|_| (Instant::now(), cpu_time())))
    }

    /// Whether times are printed at all.
    pub fn enabled(&self) -> bool {
        self.0.is_some()
    }

    /// Prints the time since the last stage (or since the start) under `name`.
    pub fn stage(&mut self, name: &str) {
        if let Some((t, cpu)) = &mut self.0 {
            let now = cpu_time();
            let used = match (now, *cpu) {
                (Some(n), Some(c)) => format!(" (CPU {:7.1} ms)", (n - c).as_secs_f64() * 1e3),
                _ => String::new(),
            };
            let resident = match resident_mb() {
                Some(mb) => format!(", {mb:5} MB resident"),
                None => String::new(),
            };
            eprintln!(
                "timings: {name:<16} {:8.1} ms{used}{resident}",
                t.elapsed().as_secs_f64() * 1e3
            );
            *t = Instant::now();
            *cpu = now;
        }
    }
}

/// The CPU time of the whole process so far (user and system, all threads), where the
/// system tells it (Linux: `/proc/self/stat`, in clock ticks of 10 ms).
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name may hold spaces; the fields after it are plain numbers.
    let rest = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

/// The process's resident memory now, in MB, where the system tells it (Linux:
/// `/proc/self/statm`, in pages, taken as 4 KiB): where a build's memory grows.
fn resident_mb() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split(' ').nth(1)?.parse().ok()?;
    Some(pages * 4096 / 1_000_000)
}

/// Time summed per kind of work done on many threads (page kinds, say), for
/// `TERMTRAIL_TIMINGS`: which kind of page costs what, and how much of it is the template.
/// Each item's time is measured on its own thread (wall time of that thread, which on a busy
/// machine includes time waiting for the CPU).
#[derive(Default)]
pub struct KindTimes(Mutex<Vec<(&'static str, u64, Duration, Duration)>>);

impl KindTimes {
    /// Adds one item of `kind` that took `total`, `part` of it inside the template engine.
    pub fn add(&self, kind: &'static str, total: Duration, part: Duration) {
        let mut v = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match v.iter_mut().find(|k| k.0 == kind) {
            Some(k) => {
                k.1 += 1;
                k.2 += total;
                k.3 += part;
            }
            None => v.push((kind, 1, total, part)),
        }
    }

    /// Prints one line per kind, costliest first.
    pub fn print(&self, what: &str) {
        let mut v = self.0.lock().unwrap_or_else(|e| e.into_inner()).clone();
        v.sort_by_key(|k| std::cmp::Reverse(k.2));
        for (kind, n, total, part) in v {
            eprintln!(
                "timings:   {what} {kind:<14} {n:6} × {:6.3} ms = {:7.1} ms CPU, {:4.0}% in the template",
                total.as_secs_f64() * 1e3 / n as f64,
                total.as_secs_f64() * 1e3,
                100.0 * part.as_secs_f64() / total.as_secs_f64().max(1e-9)
            );
        }
    }
}
