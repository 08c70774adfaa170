//! Helpers shared by the integration tests: a small site that uses every feature, and the binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Writes `text` at `root/rel`, creating folders.
pub fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// Reads `root/rel` as text, with a clear failure when it is missing.
pub fn read(root: &Path, rel: &str) -> String {
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("cannot read {rel}: {e}"))
}

/// Runs the real `termtrail` binary with `args` in `dir`.
pub fn termtrail(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_termtrail"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run termtrail")
}

/// Runs termtrail and asserts it succeeded, returning stdout.
pub fn termtrail_ok(dir: &Path, args: &[&str]) -> String {
    let out = termtrail(dir, args);
    assert!(
        out.status.success(),
        "termtrail {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The repository's root (the example site).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/corpus`, when present beside the repository.
pub fn corpus() -> Option<PathBuf> {
    let p = repo_root().join("../shared/corpus");
    p.is_dir().then_some(p)
}

/// A site that uses every feature of the content format: three platforms tagging one topic,
/// both snapshot forms, change records with and without from/to, a draft, FAQ, pages, static.
pub fn full_site(root: &Path, base_url: &str) {
    write(root, "site.yaml", &format!("title: Test Atlas\nbase_url: {base_url}\ndescription: Terms, tracked.\nauthor: Test Team\nfeed_limit: 10\ncomparison_limit: 2\n"));
    write(root, "content/topics/ai-training.md", "---\ntitle: AI training\nquestion: Can your data train AI?\n---\nWhether content may be used to **train** models.\n");
    write(
        root,
        "content/topics/arbitration.md",
        "---\ntitle: Arbitration\n---\nHow disputes are settled.\n",
    );
    write(
        root,
        "content/topics/unused.md",
        "---\ntitle: Unused topic\n---\nNothing is tagged with this.\n",
    );
    write(
        root,
        "content/platforms/netflix/platform.yaml",
        "name: Netflix\nurl: https://www.netflix.com\ncategory: streaming\ndescription: Video *streaming*.\ndocuments:\n  - id: terms-of-use\n    title: Terms of Use\n    url: https://help.netflix.com/legal/termsofuse\n  - id: privacy\n    title: Privacy Statement\n",
    );
    write(
        root,
        "content/platforms/netflix/snapshots/terms-of-use/2025-06-01.yaml",
        "title: Netflix Terms of Use\nsource_url: https://help.netflix.com/legal/termsofuse\nsections:\n  - id: \"4.6\"\n    heading: Restrictions on use\n    topics: [ai-training]\n    text: |\n      You agree not to archive, reproduce or distribute content.\n  - id: \"6\"\n    heading: Disputes\n    topics: [arbitration]\n    text: |\n      Disputes go to the courts of the Netherlands.\n  - id: \"§ 12(a)\"\n    heading: Odd id\n    text: Some text.\n",
    );
    write(
        root,
        "content/platforms/netflix/snapshots/terms-of-use/2026-01-15.yaml",
        "sections:\n  - id: \"4.6\"\n    heading: Restrictions on use\n    topics: [ai-training]\n    text: |\n      You agree not to archive, reproduce or distribute content, or use it to train machine learning models.\n  - id: \"6\"\n    heading: Disputes\n    topics: [arbitration]\n    text: |\n      Disputes go to binding arbitration.\n  - id: \"7\"\n    heading: New section\n    text: A brand new section.\n",
    );
    write(root, "content/platforms/netflix/snapshots/privacy/2026-01-10.yaml", "text: |\n  Intro paragraph.\n\n  # What we collect\n\n  Your name.\n\n  # What we collect\n\n  Your viewing history.\n");
    write(
        root,
        "content/platforms/netflix/changes/2026-01-15-bars-ai-training.md",
        "---\ntitle: Netflix bars using its content to train AI models\ndocument: terms-of-use\nsummary: >-\n  Users may no longer use Netflix content to train AI & such.\ntopics: [ai-training, arbitration]\nimpact: high\n---\nThe analysis, with a [link to the FAQ](/faq/) and a footnote.[^1]\n\n<script>alert('x')</script><a href=\"javascript:alert(1)\" onclick=\"x()\">bad</a>\n\n[^1]: The note.\n",
    );
    write(root, "content/platforms/netflix/changes/2026-01-20-draft-record.md", "---\ntitle: A draft record\ndocument: terms-of-use\nsummary: Not ready.\ndraft: true\n---\nDraft body.\n");
    for (slug, name, date, text) in [
        (
            "spotify",
            "Spotify",
            "2025-11-02",
            "Spotify may not be used to train AI.",
        ),
        (
            "tiktok",
            "TikTok",
            "2026-02-01",
            "TikTok content may not train models.",
        ),
    ] {
        write(root, &format!("content/platforms/{slug}/platform.yaml"), &format!("name: {name}\nurl: https://www.{slug}.com\ndocuments:\n  - id: terms\n    title: Terms of Service\n"));
        write(
            root,
            &format!("content/platforms/{slug}/snapshots/terms/{date}.yaml"),
            &format!("sections:\n  - id: ai\n    heading: Machine learning\n    topics: [ai-training]\n    text: {text}\n  - id: disputes\n    heading: Disputes\n    topics: [arbitration]\n    text: Arbitration in New York.\n"),
        );
    }
    write(root, "content/platforms/spotify/changes/2025-11-02-first-capture.md", "---\ntitle: Spotify terms captured\ndocument: terms\nsummary: First capture of Spotify's terms.\nimpact: low\n---\nNothing to compare yet.\n");
    write(root, "content/faq/what-is-this.md", "---\nquestion: What is this site?\norder: 1\n---\nA tracker of terms. See [platforms](/platforms/).\n");
    write(root, "content/faq/netflix-ai.md", "---\nquestion: Can I train AI on Netflix?\norder: 2\nplatform: netflix\n---\nNo. </script><script>alert(1)</script>\n");
    write(
        root,
        "content/pages/methodology.md",
        "---\ntitle: Methodology\n---\nHow we work. Back to [the FAQ](/faq/#what-is-this).\n",
    );
    write(root, "static/favicon.txt", "icon");
}

/// Every file under `dir` (relative path with `/` → bytes), sorted; symlinks are listed as files.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    fn walk(base: &Path, dir: &Path, out: &mut std::collections::BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                let rel = p
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Runs termtrail expecting it to fail: returns (exit code, stderr). A panic fails the test.
pub fn termtrail_err(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = termtrail(dir, args);
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !out.status.success(),
        "termtrail {args:?} succeeded but should have failed:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        !stderr.contains("panicked"),
        "termtrail {args:?} panicked:\n{stderr}"
    );
    (out.status.code().unwrap_or(-1), stderr)
}

/// A small valid site: one platform with one document in two snapshots, one topic, one record.
/// Tests break one file of it at a time.
pub fn minimal_site(root: &Path) {
    write(
        root,
        "site.yaml",
        "title: Minimal\nbase_url: https://example.org\n",
    );
    write(
        root,
        "content/topics/ai-training.md",
        "---\ntitle: AI training\n---\nIntro.\n",
    );
    write(root, "content/platforms/netflix/platform.yaml", "name: Netflix\nurl: https://www.netflix.com\ndocuments:\n  - id: terms-of-use\n    title: Terms of Use\n");
    write(root, "content/platforms/netflix/snapshots/terms-of-use/2025-06-01.yaml", "sections:\n  - id: \"1\"\n    heading: One\n    topics: [ai-training]\n    text: First version.\n");
    write(root, "content/platforms/netflix/snapshots/terms-of-use/2026-01-15.yaml", "sections:\n  - id: \"1\"\n    heading: One\n    topics: [ai-training]\n    text: Second version.\n");
    write(root, "content/platforms/netflix/changes/2026-01-15-change.md", "---\ntitle: A change\ndocument: terms-of-use\nsummary: Something changed.\ntopics: [ai-training]\n---\nBody.\n");
}

/// A larger site for builds that take a while: `platforms` platforms, each with one document
/// in `versions` snapshots of `sections` sections, and a change record per version.
pub fn large_site(root: &Path, platforms: usize, versions: usize, sections: usize) {
    write(
        root,
        "site.yaml",
        "title: Large\nbase_url: https://example.org\n",
    );
    write(
        root,
        "content/topics/ai-training.md",
        "---\ntitle: AI training\n---\nIntro.\n",
    );
    for p in 0..platforms {
        write(root, &format!("content/platforms/p{p}/platform.yaml"), &format!("name: Platform {p}\nurl: https://p{p}.example.com\ndocuments:\n  - id: terms\n    title: Terms\n"));
        for v in 0..versions {
            let date = format!("2025-{:02}-{:02}", 1 + v / 28 % 12, 1 + v % 28);
            let mut snap = String::from("sections:\n");
            for s in 0..sections {
                let words: String = (0..60)
                    .map(|w| {
                        format!(
                            "word{} ",
                            (w * 7 + s * 13 + if s % 3 == 0 { v } else { 0 }) % 97
                        )
                    })
                    .collect();
                snap.push_str(&format!("  - id: \"{s}\"\n    heading: Section {s}\n    topics: [ai-training]\n    text: |\n      {words}\n\n      Paragraph two of section {s}, version {}.\n", if s % 5 == 0 { v } else { 0 }));
            }
            write(
                root,
                &format!("content/platforms/p{p}/snapshots/terms/{date}.yaml"),
                &snap,
            );
            if v > 0 {
                write(root, &format!("content/platforms/p{p}/changes/{date}-change-{v}.md"), &format!("---\ntitle: Change {v} of platform {p}\ndocument: terms\nsummary: Version {v}.\ntopics: [ai-training]\n---\nAnalysis of change {v}.\n"));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading built pages (history, feeds and comparison tests).

/// Parses `root/rel` as an HTML document.
pub fn html(root: &Path, rel: &str) -> scraper::Html {
    scraper::Html::parse_document(&read(root, rel))
}

/// A CSS selector; tests write them, so a bad one is a bug in the test.
pub fn sel(css: &str) -> scraper::Selector {
    scraper::Selector::parse(css).unwrap_or_else(|e| panic!("bad selector {css}: {e:?}"))
}

/// The text of an element as a sighted reader sees it: `.visually-hidden` parts (the
/// screen-reader labels of `<ins>` and `<del>`) left out.
pub fn visible_text(el: scraper::ElementRef<'_>) -> String {
    let mut out = String::new();
    for node in el.children() {
        if let Some(t) = node.value().as_text() {
            out.push_str(t);
        } else if let Some(child) = scraper::ElementRef::wrap(node) {
            if !child.value().classes().any(|c| c == "visually-hidden") {
                out.push_str(&visible_text(child));
            }
        }
    }
    out
}

/// Whitespace runs collapsed to one space, trimmed.
pub fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `.html` file under `dir`, as paths relative to it with `/`, sorted.
pub fn html_files(dir: &Path) -> Vec<String> {
    tree(dir)
        .into_keys()
        .filter(|k| k.ends_with(".html"))
        .collect()
}

/// Resolves the links of a built site: a link must name a file the build wrote and, with a
/// fragment, an element with that id on it.
pub struct Links {
    out: PathBuf,
    base_path: String,
    ids: std::cell::RefCell<std::collections::HashMap<String, std::collections::HashSet<String>>>,
}

impl Links {
    /// `out` is the output folder, `base_path` the path of the site's base URL (`""`, `/atlas`).
    pub fn new(out: &Path, base_path: &str) -> Links {
        Links {
            out: out.to_path_buf(),
            base_path: base_path.trim_end_matches('/').to_string(),
            ids: Default::default(),
        }
    }

    /// The ids of the elements of an output file.
    pub fn ids(&self, file: &str) -> std::collections::HashSet<String> {
        if let Some(ids) = self.ids.borrow().get(file) {
            return ids.clone();
        }
        let doc = html(&self.out, file);
        let ids: std::collections::HashSet<String> = doc
            .select(&sel("[id]"))
            .filter_map(|e| e.value().id().map(str::to_string))
            .collect();
        self.ids.borrow_mut().insert(file.to_string(), ids.clone());
        ids
    }

    /// Checks `href`, found on the output file `page`; returns the file it names (`None` for an
    /// external link).
    pub fn check(&self, page: &str, href: &str) -> Result<Option<String>, String> {
        if href.starts_with("http://")
            || href.starts_with("https://")
            || href.starts_with("mailto:")
        {
            return Ok(None);
        }
        let (path, fragment) = match href.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (href, None),
        };
        let path = path.split('?').next().unwrap_or("");
        let file = if path.is_empty() {
            page.to_string()
        } else {
            let rest = path
                .strip_prefix(&format!("{}/", self.base_path))
                .ok_or_else(|| {
                    format!(
                        "{page}: link {href} is outside the base path {}",
                        self.base_path
                    )
                })?;
            if rest.is_empty() || rest.ends_with('/') {
                format!("{rest}index.html")
            } else {
                rest.to_string()
            }
        };
        if !self.out.join(&file).is_file() {
            return Err(format!(
                "{page}: link {href} names {file}, which the build did not write"
            ));
        }
        if let Some(f) = fragment.filter(|f| !f.is_empty()) {
            if !self.ids(&file).contains(f) {
                return Err(format!(
                    "{page}: link {href}: no element with id {f:?} in {file}"
                ));
            }
        }
        Ok(Some(file))
    }
}

/// Copies the example site's file `rel` (relative to the repository) into `root`.
pub fn copy_example(root: &Path, rel: &str) {
    let text = std::fs::read_to_string(repo_root().join(rel))
        .unwrap_or_else(|e| panic!("cannot read example {rel}: {e}"));
    write(root, rel, &text);
}

/// The names of the files in the example site's folder `rel`, sorted.
pub fn example_files(rel: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join(rel))
        .unwrap_or_else(|e| panic!("cannot list example {rel}: {e}"))
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// A site of real documents: the example site's Netflix Terms of Use in every version (the
/// committed snapshots are conversions of `../shared/corpus`) with the change records about
/// it, the first version only of its Privacy Statement, and every topic.
pub fn netflix_corpus_site(root: &Path, base_url: &str) {
    write(
        root,
        "site.yaml",
        &format!("title: Real terms\nbase_url: {base_url}\n"),
    );
    for t in example_files("content/topics") {
        copy_example(root, &format!("content/topics/{t}"));
    }
    copy_example(root, "content/platforms/netflix/platform.yaml");
    for s in example_files("content/platforms/netflix/snapshots/terms-of-service") {
        copy_example(
            root,
            &format!("content/platforms/netflix/snapshots/terms-of-service/{s}"),
        );
    }
    let privacy = example_files("content/platforms/netflix/snapshots/privacy-policy");
    copy_example(
        root,
        &format!(
            "content/platforms/netflix/snapshots/privacy-policy/{}",
            privacy[0]
        ),
    );
    for c in example_files("content/platforms/netflix/changes") {
        let rel = format!("content/platforms/netflix/changes/{c}");
        if std::fs::read_to_string(repo_root().join(&rel))
            .unwrap()
            .contains("\ndocument: terms-of-service\n")
        {
            copy_example(root, &rel);
        }
    }
}
