//! `termtrail snapshot` on real corpus versions and on HTML pages, versions imported one after
//! the other diffing section by section, and `termtrail import ota` on a git repository in Open
//! Terms Archive's layout.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{corpus, read, repo_root, termtrail, termtrail_ok, write};
use termtrail::content::{self, snapshot, LoadOptions};
use termtrail::derive::diff::{diff_snapshots, SectionChange};

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

const SITE_YAML: &str = "title: Test\nbase_url: https://example.org\n";

/// A site holding the example site's platform.yaml of each of `platforms`.
fn site_with_platforms(root: &Path, platforms: &[&str]) {
    write(root, "site.yaml", SITE_YAML);
    for p in platforms {
        let rel = format!("content/platforms/{p}/platform.yaml");
        write(root, &rel, &read(&repo_root(), &rel));
    }
}

fn ids(src: &str, file: &str) -> Vec<String> {
    snapshot::parse(src, file)
        .unwrap_or_else(|e| panic!("{file}: {e:?}"))
        .sections
        .into_iter()
        .map(|s| s.id)
        .collect()
}

#[test]
fn snapshot_of_real_corpus_versions_gives_the_committed_sections() {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: no corpus at ../shared/corpus");
        return;
    };
    // One version per splitting rule: headings, numbered items (Netflix, Doubao in Chinese),
    // heading-like lines (Amazon Prime's plain captures, Microsoft's doubled titles).
    let versions = [
        "netflix/terms-of-service/2020-12-08",
        "netflix/terms-of-service/2026-04-19",
        "doubao/privacy-policy/2025-03-19",
        "amazon-prime/terms-of-service/2018-07-03",
        "microsoft-copilot/privacy-policy/2024-02-09",
        "chatgpt/privacy-policy/2024-02-20",
        "grok/privacy-policy/2025-08-01",
    ];
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    let platforms: Vec<&str> = versions
        .iter()
        .map(|v| v.split('/').next().unwrap())
        .collect();
    site_with_platforms(site, &platforms);
    for v in versions {
        let parts: Vec<&str> = v.split('/').collect();
        let (p, d, date) = (parts[0], parts[1], parts[2]);
        let committed_rel = format!("content/platforms/{p}/snapshots/{d}/{date}.yaml");
        let committed = read(&repo_root(), &committed_rel);
        let source_url = snapshot::parse(&committed, v).unwrap().source_url.unwrap();
        let input = corpus.join(format!("{v}.md"));
        let out = termtrail_ok(
            site,
            &[
                "snapshot",
                p,
                d,
                input.to_str().unwrap(),
                "--date",
                date,
                "--source-url",
                &source_url,
            ],
        );
        assert_eq!(out.trim(), committed_rel);
        let written = read(site, &committed_rel);
        let got = snapshot::parse(&written, v).unwrap();
        let want = snapshot::parse(&committed, v).unwrap();
        let got_ids: Vec<&str> = got.sections.iter().map(|s| s.id.as_str()).collect();
        let want_ids: Vec<&str> = want.sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(got_ids, want_ids, "{v}");
        assert!(got_ids.len() >= 3, "{v}: {got_ids:?}");
        for (g, w) in got.sections.iter().zip(&want.sections) {
            assert_eq!(g.heading, w.heading, "{v}#{}", g.id);
            assert_eq!(g.text, w.text, "{v}#{}", g.id);
        }
        assert_eq!(got.title, want.title, "{v}");
    }
    // The written site is valid.
    termtrail_ok(site, &["check"]);
}

/// Two captures of the same page: the second changes one paragraph, adds a section, and moves
/// the site's navigation and scripts around (which must not matter).
const PAGE_V1: &str = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Acme Terms</title>
<style>.x { color: red }</style>
<script>window.dataLayer = ["tracking-v1"];</script></head>
<body>
<header class="site"><a href="/">Acme</a><nav><ul><li><a href="/pricing">Pricing</a></li><li><a href="/blog">Blog</a></li></ul></nav></header>
<div class="cookie" role="dialog">We use cookies. <button>Accept</button></div>
<main>
  <h1>Acme Terms of Service</h1>
  <p>Last updated: January 1, 2026</p>
  <h2>1. Your account</h2>
  <p>You must be <strong>18 or older</strong> to create an account.
     Keep your password safe.</p>
  <h2>2. Content</h2>
  <p>You keep the rights to your content. See our <a href="/privacy">privacy policy</a>
     and <a href="https://help.acme.example/faq#content">FAQ</a>.</p>
  <ul><li>No spam</li><li>No malware, see <em>Rules</em></li></ul>
  <h2>3. Disputes</h2>
  <table><tr><th>Where</th><th>Law</th></tr><tr><td>EU</td><td>Irish law</td></tr></table>
  <script>document.write("injected text")</script>
</main>
<aside role="complementary"><p>Related: careers</p></aside>
<footer><p>© 2026 Acme Inc. <a href="/imprint">Imprint</a></p></footer>
<script src="/app.js"></script>
</body></html>"##;

fn page_v2() -> String {
    PAGE_V1
        .replace("tracking-v1", "tracking-v2")
        .replace("<li><a href=\"/blog\">Blog</a></li>", "")
        .replace("January 1, 2026", "March 1, 2026")
        .replace(
            "You keep the rights to your content.",
            "You keep the rights to your content, but you let us use it to train our models.",
        )
        .replace(
            "  <h2>3. Disputes</h2>",
            "  <h2>3. Artificial intelligence</h2>\n  <p>We use AI to moderate content.</p>\n  <h2>4. Disputes</h2>",
        )
}

fn acme_site(root: &Path) {
    write(root, "site.yaml", SITE_YAML);
    write(
        root,
        "content/platforms/acme/platform.yaml",
        "name: Acme\nurl: https://acme.example\ndocuments:\n  - id: terms\n    title: Terms of Service\n    url: https://acme.example/legal/terms\n",
    );
}

#[test]
fn snapshot_of_html_keeps_the_document_and_drops_the_page_around_it() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    acme_site(root);
    write(root, "in/terms.html", PAGE_V1);
    let path = termtrail_ok(
        root,
        &[
            "snapshot",
            "acme",
            "terms",
            "in/terms.html",
            "--date",
            "2026-01-05",
        ],
    );
    let rel = "content/platforms/acme/snapshots/terms/2026-01-05.yaml";
    assert_eq!(path.trim(), rel);
    let yaml = read(root, rel);
    for gone in [
        "tracking",
        "Pricing",
        "Blog",
        "cookies",
        "Accept",
        "injected",
        "careers",
        "Imprint",
        "2026 Acme Inc",
        "color: red",
    ] {
        assert!(!yaml.contains(gone), "`{gone}` in\n{yaml}");
    }
    let snap = snapshot::parse(&yaml, rel).unwrap();
    assert_eq!(snap.title.as_deref(), Some("Acme Terms of Service"));
    assert_eq!(
        snap.source_url.as_deref(),
        Some("https://acme.example/legal/terms")
    );
    let ids: Vec<&str> = snap.sections.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["introduction", "your-account", "content", "disputes"]);
    let s = &snap.sections;
    assert_eq!(s[0].text, "Last updated: January 1, 2026\n");
    assert_eq!(s[1].heading.as_deref(), Some("1. Your account"));
    assert_eq!(
        s[1].text,
        "You must be **18 or older** to create an account. Keep your password safe.\n"
    );
    assert!(
        s[2].text
            .contains("[privacy policy](https://acme.example/privacy)"),
        "{}",
        s[2].text
    );
    assert!(s[2]
        .text
        .contains("[FAQ](https://help.acme.example/faq#content)"));
    assert!(
        s[2].text.contains("- No spam\n- No malware, see *Rules*"),
        "{}",
        s[2].text
    );
    assert!(
        s[3].text
            .contains("| Where | Law |\n| --- | --- |\n| EU | Irish law |"),
        "{}",
        s[3].text
    );

    // Not replaced without --force; replaced with it.
    let out = termtrail(
        root,
        &[
            "snapshot",
            "acme",
            "terms",
            "in/terms.html",
            "--date",
            "2026-01-05",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    assert!(stderr(&out).contains("--force"));
    write(root, "in/terms.html", &page_v2());
    termtrail_ok(
        root,
        &[
            "snapshot",
            "acme",
            "terms",
            "in/terms.html",
            "--date",
            "2026-01-05",
            "--force",
        ],
    );
    assert!(read(root, rel).contains("train our models"));

    // Unknown names are errors with a suggestion; nothing is written.
    let out = termtrail(root, &["snapshot", "acme", "term", "in/terms.html"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("did you mean `terms`?"),
        "{}",
        stderr(&out)
    );
    let out = termtrail(root, &["snapshot", "acmee", "terms", "in/terms.html"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("did you mean `acme`?"),
        "{}",
        stderr(&out)
    );
    let out = termtrail(
        root,
        &[
            "snapshot",
            "acme",
            "terms",
            "in/terms.html",
            "--date",
            "2026-02-30",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "a bad date is a usage error");
    let files: Vec<_> = std::fs::read_dir(root.join("content/platforms/acme/snapshots/terms"))
        .unwrap()
        .collect();
    assert_eq!(files.len(), 1);
}

#[test]
fn versions_imported_one_after_the_other_diff_section_by_section() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    acme_site(root);
    write(root, "in/v1.html", PAGE_V1);
    write(root, "in/v2.html", &page_v2());
    termtrail_ok(
        root,
        &[
            "snapshot",
            "acme",
            "terms",
            "in/v1.html",
            "--date",
            "2026-01-05",
        ],
    );
    // The second from standard input, as a pipe would give it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_termtrail"))
        .args([
            "snapshot",
            "acme",
            "terms",
            "-",
            "--date",
            "2026-03-02",
            "--format",
            "html",
        ])
        .current_dir(root)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(page_v2().as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let loaded = content::load(root, &LoadOptions::default()).unwrap();
    let doc = loaded.site.platforms[0].document("terms").unwrap();
    assert_eq!(doc.snapshots.len(), 2);
    let d = diff_snapshots(&doc.snapshots[0], &doc.snapshots[1]);
    let kinds: BTreeMap<&str, SectionChange> = d
        .sections
        .iter()
        .map(|s| (s.id.as_str(), s.change))
        .collect();
    assert_eq!(kinds["introduction"], SectionChange::Changed);
    assert_eq!(kinds["your-account"], SectionChange::Unchanged);
    assert_eq!(kinds["content"], SectionChange::Changed);
    assert_eq!(kinds["artificial-intelligence"], SectionChange::Added);
    // "3. Disputes" became "4. Disputes": the same id, so the same section.
    assert_eq!(kinds["disputes"], SectionChange::Changed);
    assert_eq!(d.stats.sections_removed, 0);
    let content = d.sections.iter().find(|s| s.id == "content").unwrap();
    assert!(content.html.contains("train"), "{}", content.html);
    assert!(content.words_added >= 10, "{}", content.html);

    // The real thing: two consecutive Netflix versions align all their sections, and the one
    // that gained the AI-training clause (item viii) is a change inside `netflix-service`.
    let Some(corpus) = corpus() else {
        eprintln!("corpus part skipped: no corpus at ../shared/corpus");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path();
    site_with_platforms(site, &["netflix"]);
    for date in ["2024-09-01", "2025-04-17"] {
        let input = corpus.join(format!("netflix/terms-of-service/{date}.md"));
        termtrail_ok(
            site,
            &[
                "snapshot",
                "netflix",
                "terms-of-service",
                input.to_str().unwrap(),
                "--date",
                date,
            ],
        );
    }
    let loaded = content::load(site, &LoadOptions::default()).unwrap();
    let doc = loaded.site.platforms[0]
        .document("terms-of-service")
        .unwrap();
    let d = diff_snapshots(&doc.snapshots[0], &doc.snapshots[1]);
    assert_eq!(d.stats.sections_added + d.stats.sections_removed, 0);
    let service = d
        .sections
        .iter()
        .find(|s| s.id == "netflix-service")
        .unwrap();
    assert_eq!(service.change, SectionChange::Changed);
    assert!(
        service.html.contains("machine learning"),
        "{}",
        service.html
    );
}

// ---------------------------------------------------------------------------------------------
// import ota
// ---------------------------------------------------------------------------------------------

fn git_available() -> bool {
    Command::new("git")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A repository in Open Terms Archive's layout, committed at fixed dates.
struct OtaRepo<'a> {
    dir: &'a Path,
}

impl OtaRepo<'_> {
    fn git(&self, args: &[&str], date: &str) {
        let out = Command::new("git")
            .args([
                "-c",
                "user.name=OTA bot",
                "-c",
                "user.email=bot@ota.example",
            ])
            .args([
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
            ])
            .args(args)
            .current_dir(self.dir)
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    fn commit(&self, file: &str, text: &str, date: &str, message: &str) {
        write(self.dir, file, text);
        self.git(&["add", "-A"], date);
        self.git(&["commit", "-q", "-m", message], date);
    }
}

fn terms(payment: &str, extra: &str) -> String {
    format!(
        "# Acme Cloud Terms\n\n## Accounts\n\nYou need an account.\n\n## Payment\n\n{payment}\n\n{extra}## Termination\n\nWe may close accounts.\n"
    )
}

fn snapshot_files(root: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(root.join("content"))
        .sort_by_file_name()
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

#[test]
fn import_ota_turns_each_recorded_version_into_a_snapshot_once() {
    if !git_available() {
        eprintln!("skipped: no git command");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo_dir = dir.path().join("versions");
    std::fs::create_dir_all(&repo_dir).unwrap();
    let repo = OtaRepo { dir: &repo_dir };
    repo.git(&["init", "-q"], "2024-01-01T00:00:00Z");
    let tos = "Acme Cloud/Terms of Service.md";
    let pp = "Acme Cloud/Privacy Policy.md";
    repo.commit(
        "README.md",
        "# Versions\n",
        "2024-01-01T09:00:00Z",
        "Initial commit",
    );
    repo.commit(
        tos,
        &terms("You pay monthly.", ""),
        "2024-01-10T08:00:00Z",
        "First record of Acme Cloud Terms of Service",
    );
    // Two records on one day: the day keeps the later.
    repo.commit(
        tos,
        &terms("You pay yearly.", ""),
        "2024-02-01T08:00:00Z",
        "Record new changes of Acme Cloud Terms of Service",
    );
    repo.commit(
        tos,
        &terms("You pay yearly.", "## Refunds\n\nNo refunds.\n\n"),
        "2024-02-01T18:30:00Z",
        "Record new changes of Acme Cloud Terms of Service\n\nThis version was recorded after extracting from snapshot https://example.org/abc123",
    );
    // A technical upgrade: a re-extraction, not a change of the terms.
    repo.commit(
        tos,
        &terms(
            "You pay yearly (EXTRACTION ARTEFACT).",
            "## Refunds\n\nNo refunds.\n\n",
        ),
        "2024-03-01T08:00:00Z",
        "Apply technical or declaration upgrade on Acme Cloud Terms of Service",
    );
    repo.commit(
        tos,
        &terms(
            "You pay yearly, in advance.",
            "## Refunds\n\nNo refunds.\n\n",
        ),
        "2024-04-01T08:00:00Z",
        "Record new changes of Acme Cloud Terms of Service",
    );
    repo.commit(
        pp,
        "# Privacy\n\n## Data\n\nWe collect [your email](/account).\n\n## Sharing\n\nWe share nothing.\n\n## Rights\n\nAsk us.\n",
        "2024-04-02T08:00:00Z",
        "Start tracking Acme Cloud Privacy Policy",
    );
    repo.commit(
        pp,
        "# Privacy\n\n## Data\n\nREFILTERED.\n\n## Sharing\n\nWe share nothing.\n\n## Rights\n\nAsk us.\n",
        "2024-04-03T08:00:00Z",
        "Refilter Acme Cloud Privacy Policy",
    );
    repo.commit(
        "Other Service/Terms of Service.md",
        "Other terms.\n",
        "2024-04-04T08:00:00Z",
        "First record of Other Service Terms of Service",
    );

    let site_dir = dir.path().join("site");
    let site = site_dir.as_path();
    write(site, "site.yaml", SITE_YAML);
    let repo_arg = repo_dir.to_str().unwrap();
    let out = termtrail(
        site,
        &["import", "ota", repo_arg, "--service", "Acme Cloud"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let report = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(report.contains("4 snapshots written"), "{report}");
    assert!(
        report
            .contains("Skipped 2 technical-upgrade commits and 1 earlier commits of the same day"),
        "{report}"
    );
    // Progress lines when standard error is not a terminal.
    assert!(
        stderr(&out).contains("[1/4] acme-cloud/"),
        "{}",
        stderr(&out)
    );

    let files = snapshot_files(site);
    let names: Vec<&str> = files.keys().map(String::as_str).collect();
    assert_eq!(
        names,
        [
            "content/platforms/acme-cloud/platform.yaml",
            "content/platforms/acme-cloud/snapshots/privacy-policy/2024-04-02.yaml",
            "content/platforms/acme-cloud/snapshots/terms-of-service/2024-01-10.yaml",
            "content/platforms/acme-cloud/snapshots/terms-of-service/2024-02-01.yaml",
            "content/platforms/acme-cloud/snapshots/terms-of-service/2024-04-01.yaml",
        ]
    );
    let text = |rel: &str| String::from_utf8(files[rel].clone()).unwrap();
    let feb = text("content/platforms/acme-cloud/snapshots/terms-of-service/2024-02-01.yaml");
    assert!(feb.contains("No refunds."), "the day's last version: {feb}");
    assert_eq!(
        ids(&feb, "feb"),
        ["accounts", "payment", "refunds", "termination"]
    );
    for (rel, bytes) in &files {
        let t = String::from_utf8_lossy(bytes);
        assert!(
            !t.contains("EXTRACTION ARTEFACT") && !t.contains("REFILTERED"),
            "{rel}"
        );
    }
    let platform = text("content/platforms/acme-cloud/platform.yaml");
    assert!(platform.starts_with("name: Acme Cloud\n"), "{platform}");
    assert!(platform.contains("- id: terms-of-service\n    title: Terms of Service\n"));
    assert!(platform.contains("- id: privacy-policy\n    title: Privacy Policy\n"));
    // A site-relative link of the capture points nowhere on this site: only its text is kept.
    let privacy = text("content/platforms/acme-cloud/snapshots/privacy-policy/2024-04-02.yaml");
    assert!(privacy.contains("We collect your email."), "{privacy}");

    // The site checks, and the versions line up section by section.
    let out = termtrail(site, &["check"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let loaded = content::load(site, &LoadOptions::default()).unwrap();
    let doc = loaded.site.platforms[0]
        .document("terms-of-service")
        .unwrap();
    let d = diff_snapshots(&doc.snapshots[0], &doc.snapshots[1]);
    let kinds: Vec<(&str, SectionChange)> = d
        .sections
        .iter()
        .map(|s| (s.id.as_str(), s.change))
        .collect();
    assert_eq!(
        kinds,
        [
            ("accounts", SectionChange::Unchanged),
            ("payment", SectionChange::Changed),
            ("refunds", SectionChange::Added),
            ("termination", SectionChange::Unchanged),
        ]
    );

    // Run again: nothing is added or rewritten.
    let out = termtrail_ok(
        site,
        &["import", "ota", repo_arg, "--service", "Acme Cloud"],
    );
    assert!(
        out.contains("0 snapshots written, 4 already there"),
        "{out}"
    );
    assert_eq!(snapshot_files(site), files);

    // An interrupted run (a snapshot missing) is completed with the same file.
    let feb_rel = "content/platforms/acme-cloud/snapshots/terms-of-service/2024-02-01.yaml";
    std::fs::remove_file(site.join(feb_rel)).unwrap();
    let out = termtrail_ok(
        site,
        &["import", "ota", repo_arg, "--service", "Acme Cloud"],
    );
    assert!(
        out.contains("1 snapshots written, 3 already there"),
        "{out}"
    );
    assert_eq!(snapshot_files(site), files);

    // Everything else; the existing platform is only added to.
    let out = termtrail_ok(
        site,
        &[
            "import",
            "ota",
            repo_arg,
            "--terms-type",
            "Terms of Service",
        ],
    );
    assert!(
        out.contains("1 snapshots written, 3 already there"),
        "{out}"
    );
    assert!(site
        .join("content/platforms/other-service/snapshots/terms-of-service/2024-04-04.yaml")
        .is_file());
    assert_eq!(
        read(site, "content/platforms/acme-cloud/platform.yaml"),
        platform
    );

    // Unknown names: an error with a suggestion.
    let out = termtrail(site, &["import", "ota", repo_arg, "--service", "Acme Clod"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("did you mean `Acme Cloud`?"),
        "{}",
        stderr(&out)
    );
    let out = termtrail(
        site,
        &["import", "ota", dir.path().join("nope").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn import_ota_adds_documents_to_an_existing_platform() {
    if !git_available() {
        eprintln!("skipped: no git command");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let repo_dir = dir.path().join("versions");
    std::fs::create_dir_all(&repo_dir).unwrap();
    let repo = OtaRepo { dir: &repo_dir };
    repo.git(&["init", "-q"], "2024-01-01T00:00:00Z");
    repo.commit(
        "Acme/Privacy Policy.md",
        "# Privacy\n\n## Data\n\nWe collect [your email](/account).\n\n## Sharing\n\nNothing.\n\n## Rights\n\nAsk.\n",
        "2024-05-01T10:00:00Z",
        "First record of Acme Privacy Policy",
    );
    let site_dir = dir.path().join("site");
    let site = site_dir.as_path();
    acme_site(site);
    let out = termtrail_ok(site, &["import", "ota", repo_dir.to_str().unwrap()]);
    assert!(out.contains("New documents: acme/privacy-policy"), "{out}");
    let platform = read(site, "content/platforms/acme/platform.yaml");
    assert_eq!(
        platform,
        "name: Acme\nurl: https://acme.example\ndocuments:\n  - id: terms\n    title: Terms of Service\n    url: https://acme.example/legal/terms\n  - id: privacy-policy\n    title: Privacy Policy\n"
    );
    let snap = read(
        site,
        "content/platforms/acme/snapshots/privacy-policy/2024-05-01.yaml",
    );
    assert_eq!(ids(&snap, "s"), ["data", "sharing", "rights"]);
    termtrail_ok(site, &["check"]);
}
