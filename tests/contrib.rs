//! Contributors' workflow: `check --format human|github|json` on broken sites, the lints
//! (uncovered versions, duplicate captures, unused topics) in `check` and `build`, and the draft
//! records of `new change`.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{read, termtrail, termtrail_ok, write};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A GitHub Actions workflow command, parsed: kind, properties (unescaped) and message.
#[derive(Debug)]
struct Annotation {
    kind: String,
    props: BTreeMap<String, String>,
    message: String,
}

fn unescape(s: &str) -> String {
    s.replace("%0A", "\n")
        .replace("%0D", "\r")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

fn parse_annotations(out: &str) -> Vec<Annotation> {
    out.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let rest = l
                .strip_prefix("::")
                .unwrap_or_else(|| panic!("not a workflow command: {l}"));
            let (kind, rest) = rest.split_once(' ').expect("kind and properties");
            let (props, message) = rest.split_once("::").expect("properties::message");
            assert!(
                kind == "error" || kind == "warning",
                "unexpected command {kind} in {l}"
            );
            let props = props
                .split(',')
                .map(|p| {
                    let (k, v) = p.split_once('=').expect("key=value");
                    (k.to_string(), unescape(v))
                })
                .collect();
            Annotation {
                kind: kind.to_string(),
                props,
                message: unescape(message),
            }
        })
        .collect()
}

/// The 1-based line of the first line of `file` that contains `needle`.
fn line_of(file: &Path, needle: &str) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle} not in {}", file.display()))
        + 1
}

const SITE_YAML: &str = "title: Test\nbase_url: https://example.org/atlas\n";

fn topic(root: &Path, slug: &str) {
    write(
        root,
        &format!("content/topics/{slug}.md"),
        &format!("---\ntitle: Topic {slug}\n---\nAbout {slug}.\n"),
    );
}

fn platform(root: &Path, slug: &str, docs: &[&str]) {
    let mut y = format!("name: Acme {slug}\nurl: https://{slug}.example\ndocuments:\n");
    for d in docs {
        y.push_str(&format!("  - id: {d}\n    title: Doc {d}\n"));
    }
    write(root, &format!("content/platforms/{slug}/platform.yaml"), &y);
}

fn snapshot(root: &Path, p: &str, d: &str, date: &str, sections: &[(&str, &str, &str)]) {
    let mut y = String::from("sections:\n");
    for (id, topics, text) in sections {
        y.push_str(&format!("  - id: {id}\n    heading: Heading {id}\n"));
        if !topics.is_empty() {
            y.push_str(&format!("    topics: [{topics}]\n"));
        }
        y.push_str(&format!("    text: |\n      {text}\n"));
    }
    write(
        root,
        &format!("content/platforms/{p}/snapshots/{d}/{date}.yaml"),
        &y,
    );
}

/// A site in a subfolder `site/` of a git repository, with two errors in one change record.
fn broken_site_in_repo(repo: &Path) -> std::path::PathBuf {
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let site = repo.join("site");
    write(&site, "site.yaml", SITE_YAML);
    topic(&site, "ai-training");
    platform(&site, "acme", &["terms"]);
    snapshot(
        &site,
        "acme",
        "terms",
        "2026-01-01",
        &[("a", "ai-training", "First text.")],
    );
    write(
        &site,
        "content/platforms/acme/changes/2026-01-02-bad.md",
        "---\ntitle: A record\ndocument: terms\nsummary: Something changed.\ntopics: [ai-trainin]\nimpact: huge\n---\nBody.\n",
    );
    site
}

#[test]
fn check_github_annotations_point_at_repository_paths_and_lines() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    let site = broken_site_in_repo(repo);
    let out = termtrail(repo, &["check", "--format", "github", "--root", "site"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let anns = parse_annotations(&stdout(&out));
    assert!(anns.len() >= 2, "{anns:?}");
    for a in &anns {
        let file = &a.props["file"];
        assert!(
            repo.join(file).is_file(),
            "file={file} is not a path relative to the repository"
        );
        assert!(file.starts_with("site/"), "{file}");
        if let Some(line) = a.props.get("line") {
            let n: usize = line.parse().expect("a line number");
            let lines = std::fs::read_to_string(repo.join(file))
                .unwrap()
                .lines()
                .count();
            assert!(n >= 1 && n <= lines, "line {n} outside {file}");
        }
    }
    let record = "site/content/platforms/acme/changes/2026-01-02-bad.md";
    let topic = anns
        .iter()
        .find(|a| a.message.contains("unknown topic `ai-trainin`"))
        .expect("the unknown topic is reported");
    assert_eq!(topic.kind, "error");
    assert_eq!(topic.props["file"], record);
    assert_eq!(
        topic.props["line"],
        line_of(&site.join(&record[5..]), "topics:").to_string()
    );
    assert!(topic.props.contains_key("col"));
    assert!(topic.props["title"].contains("unknown topic"));
    assert!(
        topic.message.contains("did you mean `ai-training`"),
        "{}",
        topic.message
    );
    let impact = anns
        .iter()
        .find(|a| a.message.contains("impact `huge`"))
        .expect("the impact is reported");
    assert_eq!(
        impact.props["line"],
        line_of(&site.join(&record[5..]), "impact:").to_string()
    );
}

#[test]
fn check_json_lists_every_diagnostic_with_repository_paths() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    broken_site_in_repo(repo);
    let out = termtrail(&repo.join("site"), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON");
    assert_eq!(v["root"], "site");
    let list = v["diagnostics"].as_array().unwrap();
    let errors = list.iter().filter(|d| d["severity"] == "error").count();
    assert_eq!(v["errors"].as_u64().unwrap() as usize, errors);
    assert!(errors >= 2);
    for d in list {
        let file = d["file"].as_str().unwrap();
        assert!(repo.join(file).is_file(), "{file}");
        assert!(d["message"].as_str().is_some_and(|m| !m.is_empty()));
    }
    assert!(list
        .iter()
        .any(|d| d["message"].as_str().unwrap().contains("unknown topic")
            && d["line"].as_u64() == Some(5)
            && d["help"].as_str().unwrap().contains("ai-training")));
}

#[test]
fn check_human_shows_the_line_and_outside_a_repository_paths_are_site_relative() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    broken_site_in_repo(repo);
    let out = termtrail(&repo.join("site"), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(text.contains("error: unknown topic `ai-trainin`"), "{text}");
    assert!(
        text.contains("--> content/platforms/acme/changes/2026-01-02-bad.md:5:"),
        "{text}"
    );
    assert!(text.contains("5 | topics: [ai-trainin]"), "{text}");
    assert!(stderr(&out).contains("error(s)"));

    // The same site with no repository around it.
    std::fs::remove_dir(repo.join(".git")).unwrap();
    if termtrail::cmd::check::repo_root(repo).is_none() {
        let out = termtrail(&repo.join("site"), &["check", "--format", "github"]);
        let anns = parse_annotations(&stdout(&out));
        assert!(
            anns.iter().all(|a| a.props["file"].starts_with("content/")),
            "{anns:?}"
        );
    }
}

/// A valid site where every lint fires once, and one document that is covered.
fn linted_site(root: &Path) {
    write(root, "site.yaml", SITE_YAML);
    topic(root, "ai-training");
    topic(root, "arbitration");
    topic(root, "never-used");
    platform(root, "acme", &["terms", "privacy"]);
    snapshot(
        root,
        "acme",
        "terms",
        "2026-01-01",
        &[("a", "ai-training", "Alpha."), ("b", "", "Beta one.")],
    );
    snapshot(
        root,
        "acme",
        "terms",
        "2026-02-01",
        &[("a", "ai-training", "Alpha."), ("b", "", "Beta two.")],
    );
    // The same text again: a duplicate capture.
    snapshot(
        root,
        "acme",
        "terms",
        "2026-03-01",
        &[("a", "ai-training", "Alpha."), ("b", "", "Beta two.")],
    );
    snapshot(
        root,
        "acme",
        "privacy",
        "2026-01-01",
        &[("p", "", "We collect data.")],
    );
    snapshot(
        root,
        "acme",
        "privacy",
        "2026-02-01",
        &[("p", "", "We collect less data.")],
    );
    write(
        root,
        "content/platforms/acme/changes/2026-02-01-less-data.md",
        "---\ntitle: Less data\ndocument: privacy\nsummary: Less data is collected.\ntopics: [arbitration]\n---\nBody.\n",
    );
}

#[test]
fn lints_warn_on_the_lines_that_need_a_look() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path();
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    let site = repo.join("s");
    linted_site(&site);
    let out = termtrail(repo, &["check", "--root", "s", "--format", "github"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let anns = parse_annotations(&stdout(&out));
    assert!(anns.iter().all(|a| a.kind == "warning"), "{anns:?}");

    let v2 = "s/content/platforms/acme/snapshots/terms/2026-02-01.yaml";
    let uncovered: Vec<_> = anns
        .iter()
        .filter(|a| a.message.contains("no change record covers it"))
        .collect();
    assert_eq!(uncovered.len(), 1, "{anns:?}");
    assert_eq!(uncovered[0].props["file"], v2);
    // On the first changed section's line.
    assert_eq!(
        uncovered[0].props["line"],
        line_of(&repo.join(v2), "- id: b").to_string()
    );
    assert!(uncovered[0].message.contains("2026-01-01"));
    assert!(uncovered[0]
        .message
        .contains("termtrail new change acme terms --to 2026-02-01"));

    let dup: Vec<_> = anns
        .iter()
        .filter(|a| a.message.contains("duplicate capture"))
        .collect();
    assert_eq!(dup.len(), 1, "{anns:?}");
    assert_eq!(
        dup[0].props["file"],
        "s/content/platforms/acme/snapshots/terms/2026-03-01.yaml"
    );

    let unused: Vec<_> = anns
        .iter()
        .filter(|a| a.message.contains("is tagged with the topic"))
        .collect();
    assert_eq!(unused.len(), 1, "{anns:?}");
    assert_eq!(unused[0].props["file"], "s/content/topics/never-used.md");
    assert!(
        !anns.iter().any(|a| a.props["file"].contains("/privacy/")),
        "the privacy change is covered by a record: {anns:?}"
    );
    assert_eq!(anns.len(), 3, "{anns:?}");

    // `build` prints the same warnings and still builds.
    let out = termtrail(&site, &["build", "--output", "../out"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("no change record covers it"), "{err}");
    assert!(err.contains("duplicate capture"), "{err}");
    assert!(err.contains("never-used"), "{err}");
    assert!(repo.join("out/index.html").is_file());
}

#[test]
fn new_change_drafts_a_record_that_passes_check() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "site.yaml", SITE_YAML);
    topic(root, "ai-training");
    topic(root, "arbitration");
    topic(root, "termination");
    platform(root, "acme", &["terms", "privacy"]);
    snapshot(
        root,
        "acme",
        "terms",
        "2026-01-01",
        &[
            ("a", "termination", "Alpha stays."),
            ("b", "arbitration", "Disputes go to court."),
            ("gone", "", "This section goes away."),
        ],
    );
    snapshot(
        root,
        "acme",
        "terms",
        "2026-02-01",
        &[
            ("a", "termination", "Alpha stays."),
            ("b", "arbitration", "Disputes go to binding arbitration."),
            ("c", "ai-training", "Content may not train models."),
        ],
    );
    snapshot(
        root,
        "acme",
        "privacy",
        "2026-01-01",
        &[("p", "", "Only one version.")],
    );

    let path = termtrail_ok(root, &["new", "change", "acme", "terms"]);
    let path = path.trim();
    assert_eq!(
        path,
        "content/platforms/acme/changes/2026-02-01-terms-changes.md"
    );
    let md = read(root, path);
    assert!(md.starts_with("---\n"), "{md}");
    for line in [
        "document: terms\n",
        "summary: \"\"\n",
        "from: 2026-01-01\n",
        "to: 2026-02-01\n",
        "draft: true\n",
        "topics: [arbitration, ai-training]\n",
    ] {
        assert!(md.contains(line), "{line:?} missing in\n{md}");
    }
    assert!(
        !md.contains("termination"),
        "unchanged section's topic: {md}"
    );
    let body = md.split("\n---\n").nth(1).unwrap();
    assert!(body.contains("(`b`): changed, +"), "{body}");
    assert!(body.contains("(`c`): added, 5 words"), "{body}");
    assert!(body.contains("(`gone`): removed, 4 words"), "{body}");
    assert!(!body.contains("(`a`)"), "{body}");
    assert!(body.contains("/platforms/acme/terms/sections/b/"), "{body}");

    // The draft passes check (its empty summary too), with no warning left about the version.
    let out = termtrail(root, &["check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        stdout(&out),
        stderr(&out)
    );
    assert!(
        !stdout(&out).contains("no change record covers it"),
        "{}",
        stdout(&out)
    );
    // And the published site leaves it out but builds.
    termtrail_ok(root, &["build"]);
    assert!(!root
        .join("public/platforms/acme/changes/2026-02-01-terms-changes/index.html")
        .exists());
    termtrail_ok(root, &["build", "--drafts"]);
    assert!(root
        .join("public/platforms/acme/changes/2026-02-01-terms-changes/index.html")
        .is_file());

    // Published with the summary still empty: an error on the summary's line.
    std::fs::write(root.join(path), md.replace("draft: true\n", "")).unwrap();
    let out = termtrail(root, &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stdout(&out).contains("`summary` is empty"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains(&format!("{path}:4:")),
        "{}",
        stdout(&out)
    );
    std::fs::write(root.join(path), &md).unwrap();

    // Never overwritten; another slug is another record.
    let out = termtrail(root, &["new", "change", "acme", "terms"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"));
    let other = termtrail_ok(
        root,
        &["new", "change", "acme", "terms", "--slug", "arbitration"],
    );
    assert_eq!(
        other.trim(),
        "content/platforms/acme/changes/2026-02-01-arbitration.md"
    );
}

#[test]
fn new_change_explains_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "site.yaml", SITE_YAML);
    platform(root, "acme", &["terms"]);
    snapshot(root, "acme", "terms", "2026-01-01", &[("a", "", "One.")]);

    let out = termtrail(root, &["new", "change", "acne", "terms"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("unknown platform `acne`"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("did you mean `acme`?"),
        "{}",
        stderr(&out)
    );

    let out = termtrail(root, &["new", "change", "acme", "term"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("did you mean `terms`?"),
        "{}",
        stderr(&out)
    );

    let out = termtrail(root, &["new", "change", "acme", "terms"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("no earlier version"),
        "{}",
        stderr(&out)
    );

    let out = termtrail(
        root,
        &["new", "change", "acme", "terms", "--slug", "Bad Slug"],
    );
    assert_eq!(out.status.code(), Some(1));
    let out = termtrail(root, &["new", "change", "acme"]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
    assert!(!root.join("content/platforms/acme/changes").exists());
}
