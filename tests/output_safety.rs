//! Issue 7, nothing lost: the output is replaced only by a whole new output; a failed or
//! interrupted build leaves the previous one as it was; dangerous output folders are refused.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{large_site, minimal_site, termtrail, termtrail_err, termtrail_ok, tree, write};

/// Staging folders termtrail leaves beside `out` (`.public.termtrail-*`).
fn staging_leftovers(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".termtrail-"))
        .collect()
}

/// How a build was stopped.
#[derive(Clone, Copy, Debug)]
enum Stop {
    /// A signal this long after the start.
    After(&'static str, u64),
    /// SIGKILL as soon as the staging folder appears: in the middle of writing.
    WhileWriting,
}

/// Starts `termtrail build` in `root`, stops it as `stop` says; returns whether it was
/// stopped (false: it had finished first).
fn interrupted_build(root: &Path, stop: Stop) -> bool {
    let stale = staging_leftovers(root);
    let mut child = Command::new(env!("CARGO_BIN_EXE_termtrail"))
        .args(["build"])
        .current_dir(root)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let signal = match stop {
        Stop::After(signal, ms) => {
            while start.elapsed() < Duration::from_millis(ms) && child.try_wait().unwrap().is_none()
            {
                std::thread::sleep(Duration::from_millis(2));
            }
            signal
        }
        Stop::WhileWriting => {
            while staging_leftovers(root).iter().all(|n| stale.contains(n))
                && child.try_wait().unwrap().is_none()
            {
                std::thread::sleep(Duration::from_micros(200));
            }
            "KILL"
        }
    };
    if child.try_wait().unwrap().is_none() {
        let status = Command::new("kill")
            .args([format!("-{signal}"), child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    match status.signal() {
        Some(_) => true,
        None => {
            assert!(status.success(), "the build failed on its own: {status:?}");
            false
        }
    }
}

#[cfg(unix)]
#[test]
fn an_interrupted_build_leaves_the_previous_output_whole() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    minimal_site(root);
    termtrail_ok(root, &["build"]);
    let previous = tree(&root.join("public"));

    // Now the site grows, and builds of it are stopped at several points.
    std::fs::remove_dir_all(root.join("content")).unwrap();
    large_site(root, 10, 10, 24);
    // The complete output of the larger site, built elsewhere: what a build that got as far
    // as the swap leaves (made only if one does).
    let next = std::cell::OnceCell::new();
    let next = || {
        next.get_or_init(|| {
            let other = tempfile::tempdir().unwrap();
            termtrail_ok(
                root,
                &[
                    "build",
                    "--output",
                    other.path().join("public").to_str().unwrap(),
                ],
            );
            tree(&other.path().join("public"))
        })
        .clone()
    };
    let mut stopped = 0;
    for stop in [
        Stop::After("KILL", 50),
        Stop::After("KILL", 100),
        Stop::After("KILL", 200),
        Stop::After("TERM", 150),
        Stop::After("INT", 150),
        Stop::WhileWriting,
        Stop::WhileWriting,
    ] {
        let was_stopped = interrupted_build(root, stop);
        let now = tree(&root.join("public"));
        if was_stopped {
            stopped += 1;
        }
        if now != previous {
            assert!(now == next(), "{stop:?} (stopped: {was_stopped}): the output is neither the previous one nor the new one, whole");
            // The build got as far as the swap: start over from the previous output.
            std::fs::remove_dir_all(root.join("public")).unwrap();
            let small = tempfile::tempdir().unwrap();
            minimal_site(small.path());
            termtrail_ok(
                small.path(),
                &["build", "--output", root.join("public").to_str().unwrap()],
            );
            assert!(tree(&root.join("public")) == previous);
        } else {
            assert!(
                was_stopped,
                "{stop:?}: the build finished without writing its output"
            );
        }
    }
    assert!(
        stopped >= 3,
        "the builds finished before they could be stopped: make the site larger"
    );

    // A stale staging folder (of a killed build, or made here) is cleaned by the next build.
    std::fs::create_dir_all(root.join(".public.termtrail-staging-4000000000/x")).unwrap();
    termtrail_ok(root, &["build"]);
    let built = tree(&root.join("public"));
    assert!(built != previous && built.contains_key("platforms/p9/terms/index.html"));
    assert_eq!(staging_leftovers(root), Vec::<String>::new());
}

#[test]
fn a_failed_build_keeps_the_output_and_writes_nothing_beside_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    minimal_site(root);
    termtrail_ok(root, &["build"]);
    let before = tree(&root.join("public"));
    let listing = |root: &Path| -> Vec<String> {
        std::fs::read_dir(root)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect()
    };
    let entries = listing(root);
    write(root, "content/pages/broken.md", "---\ntitle: [\n---\n");
    let (code, err) = termtrail_err(root, &["build"]);
    assert_eq!(code, 1);
    assert!(err.contains("content/pages/broken.md"), "{err}");
    assert!(tree(&root.join("public")) == before);
    assert_eq!(
        listing(root),
        entries,
        "a failed build leaves nothing beside the output"
    );
}

/// The whole of `dir` (files and their bytes), to show that a refused build touched nothing.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    tree(dir)
}

#[track_caller]
fn assert_refused(dir: &Path, args: &[&str], why: &str) {
    let (code, err) = termtrail_err(dir, args);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("refusing to write to") && err.contains(why),
        "expected {why:?}:\n{err}"
    );
}

#[test]
fn the_site_itself_and_its_parents_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    minimal_site(&root);
    write(dir.path(), "beside.txt", "keep me");
    let before = snapshot(dir.path());
    for out in [
        ".",
        "..",
        "./",
        "content/..",
        root.to_str().unwrap(),
        dir.path().to_str().unwrap(),
        "missing/../..",
        "missing/../../site",
        "missing/../../..",
    ] {
        assert_refused(
            &root,
            &["build", "--output", out],
            "it would replace the site itself",
        );
        assert_refused(
            &root,
            &["build", "--output", out, "--force"],
            "it would replace the site itself",
        );
    }
    // `missing/` may have been made by nothing: the check comes first.
    assert!(
        snapshot(dir.path()) == before,
        "a refused build changed files"
    );
    assert!(!root.join("missing").exists());
}

#[test]
fn the_sites_sources_are_refused_even_with_force() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    minimal_site(root);
    write(root, "static/logo.txt", "logo");
    write(root, "themes/mine/templates/page.html", "x");
    let before = snapshot(root);
    for (out, folder) in [
        ("content", "content/"),
        ("content/pages", "content/"),
        ("static", "static/"),
        ("themes/mine", "themes/"),
        ("static/new", "static/"),
    ] {
        assert_refused(
            root,
            &["build", "--output", out, "--force"],
            &format!("inside the site's {folder} folder"),
        );
    }
    assert!(snapshot(root) == before);
}

#[test]
fn another_site_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    minimal_site(&root);
    let other = dir.path().join("other");
    write(
        &other,
        "site.yaml",
        "title: Other\nbase_url: https://other.example\n",
    );
    let third = dir.path().join("third");
    write(&third, "content/notes.md", "mine");
    for out in [&other, &third] {
        assert_refused(
            &root,
            &["build", "--output", out.to_str().unwrap(), "--force"],
            "it holds a site",
        );
    }
    assert!(other.join("site.yaml").is_file() && third.join("content/notes.md").is_file());
}

#[test]
fn the_file_system_root_and_the_home_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    minimal_site(&root);
    assert_refused(
        &root,
        &["build", "--output", "/", "--force"],
        "the root of the file system",
    );
    assert_refused(
        &root,
        &["build", "--output", "/../", "--force"],
        "the root of the file system",
    );
    // The home folder: a stand-in, named by HOME.
    let home = dir.path().join("home");
    write(&home, "notes.txt", "mine");
    for force in [false, true] {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_termtrail"));
        cmd.args(["build", "--output", home.to_str().unwrap()])
            .current_dir(&root)
            .env("HOME", &home);
        if force {
            cmd.arg("--force");
        }
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{err}");
        assert!(err.contains("it is your home folder"), "{err}");
    }
    assert_eq!(
        std::fs::read_to_string(home.join("notes.txt")).unwrap(),
        "mine"
    );
}

#[test]
fn a_folder_of_other_files_needs_force() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    minimal_site(root);
    write(root, "elsewhere/notes.txt", "mine");
    assert_refused(
        root,
        &["build", "--output", "elsewhere"],
        "files termtrail did not write",
    );
    assert_eq!(
        std::fs::read_to_string(root.join("elsewhere/notes.txt")).unwrap(),
        "mine"
    );
    // A file is never an output folder.
    write(root, "a-file", "mine");
    assert_refused(
        root,
        &["build", "--output", "a-file", "--force"],
        "it is a file",
    );
    assert_eq!(
        std::fs::read_to_string(root.join("a-file")).unwrap(),
        "mine"
    );
    // With --force the folder becomes termtrail's output (its other files are replaced).
    termtrail_ok(root, &["build", "--output", "elsewhere", "--force"]);
    assert!(root.join("elsewhere/index.html").is_file());
    assert!(root.join("elsewhere/.termtrail-output").is_file());
    assert!(!root.join("elsewhere/notes.txt").exists());
    // An empty folder, and termtrail's own output, need no --force.
    std::fs::create_dir_all(root.join("empty")).unwrap();
    termtrail_ok(root, &["build", "--output", "empty"]);
    termtrail_ok(root, &["build", "--output", "empty"]);
    // The marker is what makes a folder termtrail's: without it, the output is foreign.
    std::fs::remove_file(root.join("empty/.termtrail-output")).unwrap();
    assert_refused(
        root,
        &["build", "--output", "empty"],
        "files termtrail did not write",
    );
}

#[test]
fn output_dir_in_site_yaml_stays_inside_the_site() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    minimal_site(&root);
    for bad in ["..", "../elsewhere", "/tmp/x", "public/../.."] {
        write(
            &root,
            "site.yaml",
            &format!("title: Minimal\nbase_url: https://example.org\noutput_dir: \"{bad}\"\n"),
        );
        let out = termtrail(&root, &["build"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{bad}: {err}");
        assert!(
            err.contains("--> site.yaml:3:1")
                && err.contains("`output_dir` must be a folder inside the site"),
            "{bad}: {err}"
        );
    }
    for bad in [".", "content", "static"] {
        write(
            &root,
            "site.yaml",
            &format!("title: Minimal\nbase_url: https://example.org\noutput_dir: \"{bad}\"\n"),
        );
        assert_refused(&root, &["build", "--force"], "refusing");
    }
    assert!(root.join("content/topics/ai-training.md").is_file());
}
