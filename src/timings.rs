//! Stage times on stderr when `TERMTRAIL_TIMINGS` is set: where a build's or a rebuild's time
//! goes, for profiling at scale without a profiler.

use std::time::Instant;

/// A stopwatch that prints the time since its last stage, or does nothing when
/// `TERMTRAIL_TIMINGS` is not set.
pub struct Timings(Option<Instant>);

impl Timings {
    pub fn from_env() -> Timings {
        Timings(std::env::var_os("TERMTRAIL_TIMINGS").map(|_| Instant::now()))
    }

    /// Whether times are printed at all.
    pub fn enabled(&self) -> bool {
        self.0.is_some()
    }

    /// Prints the time since the last stage (or since the start) under `name`.
    pub fn stage(&mut self, name: &str) {
        if let Some(t) = &mut self.0 {
            eprintln!(
                "timings: {name:<16} {:8.1} ms",
                t.elapsed().as_secs_f64() * 1e3
            );
            *t = Instant::now();
        }
    }
}
