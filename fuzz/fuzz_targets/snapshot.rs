//! Snapshot files, in both forms: any bytes give a snapshot or diagnostics naming the file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use termtrail::content::snapshot;

const FILE: &str = "content/platforms/netflix/snapshots/terms-of-use/2026-01-15.yaml";

fuzz_target!(|data: &[u8]| {
    let src = String::from_utf8_lossy(data);
    match snapshot::parse(&src, FILE) {
        Ok(s) => {
            assert!(!s.sections.is_empty());
            let mut ids: Vec<&str> = s.sections.iter().map(|x| x.id.as_str()).collect();
            let n = ids.len();
            ids.sort_unstable();
            ids.dedup();
            assert_eq!(ids.len(), n, "section ids are unique");
        }
        Err(diags) => {
            assert!(!diags.is_empty());
            let lines = src.split('\n').count();
            for d in diags {
                assert_eq!(d.file, FILE);
                assert!(d.line.is_none_or(|l| l >= 1 && l <= lines + 1), "{d}");
                let _ = d.with_source(&src).to_string();
            }
        }
    }
});
