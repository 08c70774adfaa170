//! Rebuilds: a no-op rebuild touches no file, and the build cache never gives output other
//! than a clean build of the same input.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use common::*;

const MARKER: &str = ".termtrail-output";

/// Every file's (inode, mtime in ns), but the marker's.
fn identities(out: &Path) -> BTreeMap<String, (u64, i128)> {
    tree(out)
        .into_keys()
        .filter(|k| k != MARKER)
        .map(|k| {
            let m = fs::metadata(out.join(&k)).unwrap();
            let id = (
                m.ino(),
                m.mtime() as i128 * 1_000_000_000 + m.mtime_nsec() as i128,
            );
            (k, id)
        })
        .collect()
}

/// Builds `root` with `args` into a fresh folder and asserts that `out` holds the same files
/// with the same bytes, marker included.
fn assert_same_as_clean(root: &Path, out: &Path, args: &[&str]) {
    let clean = tempfile::tempdir().unwrap();
    let clean_out = clean.path().join("out");
    let mut all = vec!["build", "--output", clean_out.to_str().unwrap()];
    all.extend_from_slice(args);
    termtrail_ok(root, &all);
    let (got, want) = (tree(out), tree(&clean_out));
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        want.keys().collect::<Vec<_>>(),
        "the files differ from a clean build's"
    );
    for (name, bytes) in &want {
        assert!(&got[name] == bytes, "{name} differs from a clean build's");
    }
}

fn build(root: &Path, args: &[&str]) -> String {
    let mut all = vec!["build"];
    all.extend_from_slice(args);
    termtrail_ok(root, &all)
}

#[test]
fn a_no_op_rebuild_keeps_every_inode_and_mtime() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    large_site(root, 3, 3, 4);
    build(root, &[]);
    let out = root.join("public");
    let before = identities(&out);
    assert!(before.len() > 50, "the site has pages: {}", before.len());
    let marker = read(&out, MARKER);
    assert!(marker.contains("build-cache: v1"), "{marker}");

    let marker_inode = || fs::metadata(out.join(MARKER)).unwrap().ino();
    let first_marker = marker_inode();

    // From the cache: nothing is written, not even the marker.
    let report = build(root, &[]);
    assert!(report.contains("(0 written,"), "{report}");
    assert_eq!(identities(&out), before);
    assert_eq!(read(&out, MARKER), marker);
    assert_eq!(marker_inode(), first_marker);

    // Without the cache (its manifest removed): every page is rendered again, and each file
    // whose bytes did not change is the old file, linked (same inode, same mtime).
    let plain: String = marker
        .lines()
        .filter(|l| !l.starts_with("build-cache"))
        .map(|l| format!("{l}\n"))
        .collect();
    fs::write(out.join(MARKER), plain).unwrap();
    let report = build(root, &[]);
    assert!(report.contains("(0 written,"), "{report}");
    assert_eq!(identities(&out), before);
    // The build wrote its manifest again, into a new marker file (the marker is not counted).
    assert_eq!(read(&out, MARKER), marker);
    assert_ne!(marker_inode(), first_marker);

    // Every file of that output was linked from the one before, and taking the old output
    // away changed their inodes; the next build still finds the output as it left it.
    assert!(
        from_cache(root),
        "a build after one that linked every file is not taken from the cache"
    );
    assert_eq!(identities(&out), before);
}

/// Builds `root`; whether the build was taken from the cache (it then loads nothing).
fn from_cache(root: &Path) -> bool {
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_termtrail"))
        .arg("build")
        .current_dir(root)
        .env("TERMTRAIL_TIMINGS", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("timings: fingerprint"), "{stderr}");
    !stderr.contains("timings: load")
}

#[test]
fn the_build_cache_never_gives_other_output_than_a_clean_build() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    large_site(root, 2, 3, 3);
    let out = root.join("public");
    build(root, &[]);
    assert_same_as_clean(root, &out, &[]);

    // An edit that keeps the file's size and modification time is still seen.
    let record = fs::read_dir(root.join("content/platforms"))
        .unwrap()
        .flat_map(|p| {
            fs::read_dir(p.unwrap().path().join("changes"))
                .into_iter()
                .flatten()
        })
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .expect("a change record");
    let text = fs::read_to_string(&record).unwrap();
    let mtime = fs::metadata(&record).unwrap().modified().unwrap();
    let (head, body) = text.rsplit_once("\n---\n").expect("front matter");
    let edited = format!("{head}\n---\nZ{}", &body[1..]);
    assert_eq!(edited.len(), text.len());
    assert_ne!(edited, text);
    fs::write(&record, &edited).unwrap();
    fs::File::options()
        .write(true)
        .open(&record)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let report = build(root, &[]);
    assert!(
        !report.contains("(0 written,"),
        "the edit was missed: {report}"
    );
    assert_same_as_clean(root, &out, &[]);

    // A file removed from, added to or changed in the output is put right.
    let page = tree(&out)
        .into_keys()
        .find(|k| k.ends_with("index.html") && k.contains("changes/"))
        .unwrap();
    fs::remove_file(out.join(&page)).unwrap();
    build(root, &[]);
    assert_same_as_clean(root, &out, &[]);
    fs::write(out.join("stray.html"), "not ours").unwrap();
    build(root, &[]);
    assert_same_as_clean(root, &out, &[]);
    let bytes = fs::read(out.join(&page)).unwrap();
    let mut changed = bytes.clone();
    changed[0] ^= 1;
    fs::write(out.join(&page), &changed).unwrap();
    build(root, &[]);
    assert_same_as_clean(root, &out, &[]);

    // Options that change the output are part of the cache's key.
    build(root, &["--base-url", "https://other.example/x"]);
    assert_same_as_clean(root, &out, &["--base-url", "https://other.example/x"]);
    build(root, &[]);
    assert_same_as_clean(root, &out, &[]);

    // A new input file, then its removal.
    write(
        root,
        "content/faq/new-question.md",
        "---\nquestion: A new question?\n---\nAn answer.\n",
    );
    build(root, &[]);
    assert!(out.join("faq/index.html").exists());
    assert!(read(&out, "faq/index.html").contains("A new question?"));
    assert_same_as_clean(root, &out, &[]);
    fs::remove_file(root.join("content/faq/new-question.md")).unwrap();
    build(root, &[]);
    assert!(!read(&out, "faq/index.html").contains("A new question?"));
    assert_same_as_clean(root, &out, &[]);
}
