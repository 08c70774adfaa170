//! Issue 7: every kind of content error, reported with its file, line, column, an excerpt and
//! what to do; all of them in one run; exit status 1; never a panic.

mod common;

use std::path::Path;

use common::{minimal_site, termtrail, termtrail_err, write};

/// What one run reported: `build`'s exit code and stderr, and `check --format json`'s list.
struct Report {
    code: i32,
    stderr: String,
    diags: Vec<serde_json::Value>,
}

impl Report {
    /// The errors reported for `file`.
    fn errors_in(&self, file: &str) -> Vec<&serde_json::Value> {
        self.diags
            .iter()
            .filter(|d| d["file"] == file && d["severity"] == "error")
            .collect()
    }

    /// The one error for `file` whose message contains `msg`; checks that `build` printed it
    /// rustc-style (`--> file:line:col`, the source line, a marker) and that it says what to do.
    #[track_caller]
    fn error(&self, file: &str, msg: &str) -> &serde_json::Value {
        let found: Vec<_> = self
            .errors_in(file)
            .into_iter()
            .filter(|d| d["message"].as_str().unwrap().contains(msg))
            .collect();
        assert_eq!(found.len(), 1, "expected one error for {file} containing {msg:?}; all diagnostics:\n{:#?}\nstderr:\n{}", self.diags, self.stderr);
        let d = found[0];
        assert!(
            d["help"].as_str().is_some_and(|h| !h.is_empty()),
            "no help for {d}"
        );
        let location = match (d["line"].as_u64(), d["column"].as_u64()) {
            (Some(l), Some(c)) => format!("--> {file}:{l}:{c}"),
            (Some(l), None) => format!("--> {file}:{l}"),
            _ => format!("--> {file}\n"),
        };
        assert!(
            self.stderr.contains(&location),
            "build did not print {location:?}:\n{}",
            self.stderr
        );
        assert!(
            self.stderr.contains(d["message"].as_str().unwrap()),
            "build did not print the message of {d}"
        );
        d
    }

    /// Like `error`, and checks the line and column, and the excerpt with its marker.
    #[track_caller]
    fn error_at(&self, file: &str, msg: &str, line: u64, column: u64) -> &serde_json::Value {
        let d = self.error(file, msg);
        assert_eq!(
            (d["line"].as_u64(), d["column"].as_u64()),
            (Some(line), Some(column)),
            "position of {d}\n{}",
            self.stderr
        );
        // After `--> file:line:col`: a blank gutter, `N | <source line>`, a marker under column C.
        let location = format!("--> {file}:{line}:{column}");
        let lines: Vec<&str> = self.stderr.lines().collect();
        let i = lines
            .iter()
            .position(|l| l.trim_start() == location)
            .unwrap();
        let (excerpt, marker) = (lines[i + 2], lines[i + 3]);
        assert!(
            excerpt.starts_with(&format!("{line} | ")),
            "no excerpt after {location:?} in\n{}",
            self.stderr
        );
        let pad = " ".repeat(line.to_string().len());
        assert_eq!(
            marker.trim_end(),
            format!("{pad} | {}^", " ".repeat(column as usize - 1)),
            "marker of {d}\n{}",
            self.stderr
        );
        d
    }
}

/// Starts from the minimal site, lets `edit` break it, and runs `build` and `check`.
fn report(edit: impl FnOnce(&Path)) -> Report {
    let dir = tempfile::tempdir().unwrap();
    minimal_site(dir.path());
    edit(dir.path());
    let (code, stderr) = termtrail_err(dir.path(), &["build"]);
    assert!(
        !dir.path().join("public").exists(),
        "a failed build wrote output"
    );
    let out = termtrail(dir.path(), &["check", "--format", "json"]);
    assert_eq!(out.status.code(), Some(1), "check should fail too");
    let json: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("check --format json prints JSON");
    let diags = json["diagnostics"].as_array().unwrap().clone();
    Report {
        code,
        stderr,
        diags,
    }
}

const RECORD: &str = "content/platforms/netflix/changes/2026-01-15-change.md";
const PLATFORM: &str = "content/platforms/netflix/platform.yaml";
const SNAPSHOT: &str = "content/platforms/netflix/snapshots/terms-of-use/2026-01-15.yaml";

#[test]
fn yaml_syntax_error() {
    let r = report(|root| {
        write(root, PLATFORM, "name: Netflix: Streaming\nurl: https://www.netflix.com\ndocuments:\n  - id: terms-of-use\n    title: Terms of Use\n")
    });
    assert_eq!(r.code, 1);
    r.error_at(PLATFORM, "mapping values are not allowed", 1, 14);
}

#[test]
fn front_matter_syntax_error_is_located_in_the_whole_file() {
    let r = report(|root| {
        write(
            root,
            RECORD,
            "---\ntitle: A change\ndocument: terms-of-use\nsummary: [unclosed\n---\nBody.\n",
        )
    });
    assert_eq!(r.code, 1);
    let d = r.error(RECORD, "");
    let line = d["line"].as_u64().unwrap();
    assert!(
        (4..=5).contains(&line),
        "the syntax error is on line 4 or where the flow ends: {d}"
    );
}

#[test]
fn a_file_without_front_matter() {
    let r = report(|root| {
        write(
            root,
            "content/topics/ai-training.md",
            "title: AI training\n\nIntro.\n",
        )
    });
    assert_eq!(r.code, 1);
    r.error_at(
        "content/topics/ai-training.md",
        "does not start with front matter",
        1,
        1,
    );
}

#[test]
fn unclosed_front_matter() {
    let r = report(|root| {
        write(
            root,
            RECORD,
            "---\ntitle: A change\ndocument: terms-of-use\nsummary: S\n\nBody.\n",
        )
    });
    assert_eq!(r.code, 1);
    r.error_at(RECORD, "never closed", 1, 1);
}

#[test]
fn missing_field() {
    let r = report(|root| {
        write(
            root,
            RECORD,
            "---\ntitle: A change\ndocument: terms-of-use\n---\nBody.\n",
        )
    });
    assert_eq!(r.code, 1);
    let d = r.error_at(RECORD, "missing field `summary`", 2, 1);
    assert!(d["help"].as_str().unwrap().contains("summary"), "{d}");
}

#[test]
fn missing_field_in_a_yaml_file() {
    let r = report(|root| {
        write(
            root,
            PLATFORM,
            "name: Netflix\ndocuments:\n  - id: terms-of-use\n    title: Terms of Use\n",
        )
    });
    assert_eq!(r.code, 1);
    r.error_at(PLATFORM, "missing field `url`", 1, 1);
}

#[test]
fn missing_field_in_a_list_item_points_at_the_item() {
    let r = report(|root| {
        write(
            root,
            PLATFORM,
            "name: Netflix\nurl: https://www.netflix.com\ndocuments:\n  - id: terms-of-use\n",
        )
    });
    assert_eq!(r.code, 1);
    r.error_at(PLATFORM, "missing field `title`", 4, 5);
}

#[test]
fn mistyped_field() {
    let r = report(|root| {
        write(
            root,
            "content/faq/q.md",
            "---\nquestion: Why?\norder: first\n---\nBecause.\n",
        )
    });
    assert_eq!(r.code, 1);
    let d = r.error_at("content/faq/q.md", "invalid type", 3, 8);
    assert!(d["message"].as_str().unwrap().contains("first"), "{d}");
}

#[test]
fn mistyped_list() {
    let r = report(|root| {
        write(root, RECORD, "---\ntitle: A change\ndocument: terms-of-use\nsummary: S\ntopics:\n  ai: training\n---\nBody.\n")
    });
    assert_eq!(r.code, 1);
    let d = r.error(RECORD, "invalid type");
    assert_eq!(d["line"], 6, "{d}");
}

#[test]
fn unknown_key_in_front_matter_is_a_typo_with_a_suggestion() {
    let r = report(|root| {
        write(root, RECORD, "---\ntitle: A change\ndocument: terms-of-use\nsummary: S\nsummmary: typo\n---\nBody.\n")
    });
    assert_eq!(r.code, 1);
    let d = r.error_at(RECORD, "unknown field `summmary`", 5, 1);
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `summary`?"),
        "{d}"
    );
}

#[test]
fn unknown_key_instead_of_a_required_one() {
    // The typo replaces the key: both the unknown key and the missing one are worth knowing,
    // and the unknown one, with its suggestion, is the one to fix.
    let r = report(|root| {
        write(
            root,
            RECORD,
            "---\ntitle: A change\ndocument: terms-of-use\nsummmary: S\n---\nBody.\n",
        )
    });
    assert_eq!(r.code, 1);
    let d = r.error_at(RECORD, "unknown field `summmary`", 4, 1);
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `summary`?"),
        "{d}"
    );
}

#[test]
fn unknown_key_in_a_snapshot_section() {
    let r = report(|root| {
        write(root, SNAPSHOT, "sections:\n  - id: \"1\"\n    heading: One\n    topcs: [ai-training]\n    text: Second version.\n")
    });
    assert_eq!(r.code, 1);
    let d = r.error_at(SNAPSHOT, "unknown field `topcs`", 4, 5);
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `topics`?"),
        "{d}"
    );
}

#[test]
fn unknown_key_in_site_yaml() {
    let r = report(|root| {
        write(
            root,
            "site.yaml",
            "title: Minimal\nbase_url: https://example.org\nfeed_limt: 3\n",
        )
    });
    assert_eq!(r.code, 1);
    let d = r.error_at("site.yaml", "unknown field `feed_limt`", 3, 1);
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `feed_limit`?"),
        "{d}"
    );
}

#[test]
fn bad_slug_in_a_file_name() {
    let r = report(|root| {
        write(
            root,
            "content/topics/AI_Training.md",
            "---\ntitle: T\n---\n",
        )
    });
    assert_eq!(r.code, 1);
    r.error(
        "content/topics/AI_Training.md",
        "`AI_Training` is not a valid topic name",
    );
}

#[test]
fn bad_slug_in_a_folder_name() {
    let file = "content/platforms/Net_Flix/platform.yaml";
    let r = report(|root| {
        write(
            root,
            file,
            "name: N\nurl: https://n.example\ndocuments:\n  - id: terms\n    title: T\n",
        )
    });
    assert_eq!(r.code, 1);
    r.error(file, "`Net_Flix` is not a valid platform name");
}

#[test]
fn bad_slug_as_a_document_id() {
    let r = report(|root| {
        write(root, PLATFORM, "name: Netflix\nurl: https://www.netflix.com\ndocuments:\n  - id: terms-of-use\n    title: Terms of Use\n  - id: Privacy_Policy\n    title: Privacy\n")
    });
    assert_eq!(r.code, 1);
    r.error_at(PLATFORM, "document id `Privacy_Policy` is not a slug", 6, 9);
}

#[test]
fn impossible_date_in_a_snapshot_file_name() {
    let file = "content/platforms/netflix/snapshots/terms-of-use/2026-02-30.yaml";
    let r = report(|root| write(root, file, "text: Words.\n"));
    assert_eq!(r.code, 1);
    r.error(file, "`2026-02-30` is not a real date");
}

#[test]
fn bad_date_in_a_change_record_file_name() {
    let file = "content/platforms/netflix/changes/2026-13-01-change.md";
    let r = report(|root| {
        write(
            root,
            file,
            "---\ntitle: T\ndocument: terms-of-use\nsummary: S\n---\n",
        )
    });
    assert_eq!(r.code, 1);
    r.error(file, "must start with a real date");
}

#[test]
fn impossible_date_in_front_matter() {
    let r = report(|root| {
        write(root, RECORD, "---\ntitle: A change\ndocument: terms-of-use\nsummary: S\nto: 2026-02-30\n---\nBody.\n")
    });
    assert_eq!(r.code, 1);
    r.error_at(RECORD, "`to: 2026-02-30` is not a real date", 5, 1);
}

#[test]
fn date_disagreeing_with_the_file_name() {
    let r = report(|root| {
        write(root, RECORD, "---\ntitle: A change\ndate: 2026-01-14\ndocument: terms-of-use\nsummary: S\n---\nBody.\n")
    });
    assert_eq!(r.code, 1);
    r.error_at(
        RECORD,
        "disagrees with the file name's date 2026-01-15",
        3,
        1,
    );
}

#[test]
fn unknown_platform_with_suggestion() {
    let r = report(|root| {
        write(
            root,
            "content/faq/q.md",
            "---\nquestion: Why?\nplatform: netflx\n---\nBecause.\n",
        )
    });
    assert_eq!(r.code, 1);
    let d = r.error_at("content/faq/q.md", "unknown platform `netflx`", 3, 11);
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `netflix`?"),
        "{d}"
    );
}

#[test]
fn snapshot_of_a_platform_without_platform_yaml() {
    let file = "content/platforms/netflx/snapshots/terms-of-use/2026-01-15.yaml";
    let r = report(|root| write(root, file, "text: Words.\n"));
    assert_eq!(r.code, 1);
    let d = r.error(file, "platform `netflx` has no platform.yaml");
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `netflix`?"),
        "{d}"
    );
}

#[test]
fn unknown_document_with_suggestion() {
    let r = report(|root| {
        write(
            root,
            RECORD,
            "---\ntitle: A change\ndocument: terms-of-uze\nsummary: S\n---\nBody.\n",
        )
    });
    assert_eq!(r.code, 1);
    let d = r.error_at(
        RECORD,
        "platform `netflix` has no document `terms-of-uze`",
        3,
        11,
    );
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `terms-of-use`?"),
        "{d}"
    );
}

#[test]
fn snapshot_of_an_unknown_document() {
    let file = "content/platforms/netflix/snapshots/terms-of-usa/2026-01-15.yaml";
    let r = report(|root| write(root, file, "text: Words.\n"));
    assert_eq!(r.code, 1);
    let d = r.error(file, "platform `netflix` has no document `terms-of-usa`");
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `terms-of-use`?"),
        "{d}"
    );
}

#[test]
fn unknown_topic_with_suggestion() {
    let r = report(|root| {
        write(root, RECORD, "---\ntitle: A change\ndocument: terms-of-use\nsummary: S\ntopics: [ai-trainng]\n---\nBody.\n")
    });
    assert_eq!(r.code, 1);
    let d = r.error_at(RECORD, "unknown topic `ai-trainng`", 5, 10);
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `ai-training`?"),
        "{d}"
    );
}

#[test]
fn unknown_topic_in_a_snapshot() {
    let r = report(|root| {
        write(root, SNAPSHOT, "sections:\n  - id: \"1\"\n    heading: One\n    topics: [ai-trainig]\n    text: Second version.\n")
    });
    assert_eq!(r.code, 1);
    let d = r.error_at(SNAPSHOT, "unknown topic `ai-trainig`", 4, 14);
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `ai-training`?"),
        "{d}"
    );
}

#[test]
fn unknown_snapshot_with_suggestion() {
    let r = report(|root| {
        write(root, RECORD, "---\ntitle: A change\ndocument: terms-of-use\nsummary: S\nfrom: 2025-06-02\n---\nBody.\n")
    });
    assert_eq!(r.code, 1);
    let d = r.error_at(
        RECORD,
        "`from: 2025-06-02` names no snapshot of netflix/terms-of-use",
        5,
        1,
    );
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `2025-06-01`?"),
        "{d}"
    );
}

#[test]
fn from_after_to() {
    let r = report(|root| {
        write(root, RECORD, "---\ntitle: A change\ndocument: terms-of-use\nsummary: S\nfrom: 2026-01-15\nto: 2025-06-01\n---\nBody.\n")
    });
    assert_eq!(r.code, 1);
    r.error_at(
        RECORD,
        "`from: 2026-01-15` is not before `to: 2025-06-01`",
        5,
        1,
    );
}

#[test]
fn duplicate_section_ids() {
    let r = report(|root| {
        write(root, SNAPSHOT, "sections:\n  - id: \"1\"\n    text: One.\n  - id: \"2\"\n    text: Two.\n  - id: \"1\"\n    text: Again.\n")
    });
    assert_eq!(r.code, 1);
    r.error_at(SNAPSHOT, "section id `1` is used twice", 6, 5);
}

#[test]
fn both_sections_and_text() {
    let r = report(|root| {
        write(
            root,
            SNAPSHOT,
            "sections:\n  - id: \"1\"\n    text: One.\ntext: |\n  Whole.\n",
        )
    });
    assert_eq!(r.code, 1);
    r.error_at(SNAPSHOT, "either `sections` or `text`, not both", 4, 1);
}

#[test]
fn empty_snapshot_file() {
    let r = report(|root| write(root, SNAPSHOT, ""));
    assert_eq!(r.code, 1);
    r.error(SNAPSHOT, "");
}

#[test]
fn empty_sections_list() {
    let r = report(|root| write(root, SNAPSHOT, "sections: []\n"));
    assert_eq!(r.code, 1);
    r.error_at(SNAPSHOT, "the snapshot is empty", 1, 1);
}

#[test]
fn empty_text() {
    let r = report(|root| write(root, SNAPSHOT, "title: Empty\ntext: \"\"\n"));
    assert_eq!(r.code, 1);
    r.error(SNAPSHOT, "empty");
}

#[test]
fn section_without_text() {
    let r = report(|root| {
        write(
            root,
            SNAPSHOT,
            "sections:\n  - id: \"1\"\n    text: One.\n  - id: \"2\"\n    text: \"  \"\n",
        )
    });
    assert_eq!(r.code, 1);
    r.error_at(SNAPSHOT, "section `2` has no text", 4, 5);
}

#[test]
fn platform_without_documents() {
    let r = report(|root| {
        write(
            root,
            PLATFORM,
            "name: Netflix\nurl: https://www.netflix.com\ndocuments: []\n",
        )
    });
    assert_eq!(r.code, 1);
    r.error_at(PLATFORM, "the platform has no documents", 3, 1);
}

#[test]
fn empty_markdown_file() {
    let r = report(|root| write(root, "content/pages/about.md", "\n"));
    assert_eq!(r.code, 1);
    let d = r.error("content/pages/about.md", "the file is empty");
    assert_eq!(d["line"], 1);
}

#[test]
fn invalid_utf8() {
    let r = report(|root| {
        std::fs::write(
            root.join(RECORD),
            b"---\ntitle: A change\ndocument: terms-of-use\nsummary: caf\xe9\n---\n",
        )
        .unwrap();
    });
    assert_eq!(r.code, 1);
    r.error_at(RECORD, "not valid UTF-8", 4, 13);
}

#[test]
fn non_http_platform_url() {
    let r = report(|root| {
        write(root, PLATFORM, "name: Netflix\nurl: javascript:alert(1)\ndocuments:\n  - id: terms-of-use\n    title: Terms of Use\n")
    });
    assert_eq!(r.code, 1);
    r.error_at(PLATFORM, "`url` must be an http(s) URL", 2, 1);
}

#[test]
fn non_http_document_url() {
    let r = report(|root| {
        write(root, PLATFORM, "name: Netflix\nurl: https://www.netflix.com\ndocuments:\n  - id: terms-of-use\n    title: Terms of Use\n    url: ftp://netflix.example/terms\n")
    });
    assert_eq!(r.code, 1);
    r.error_at(PLATFORM, "document url must be an http(s) URL", 6, 10);
}

#[test]
fn non_http_source_url() {
    let r = report(|root| {
        write(
            root,
            SNAPSHOT,
            "source_url: file:///etc/passwd\ntext: Words.\n",
        )
    });
    assert_eq!(r.code, 1);
    r.error_at(SNAPSHOT, "`source_url` must be an http(s) URL", 1, 1);
}

#[test]
fn non_http_base_url() {
    let r = report(|root| write(root, "site.yaml", "title: Minimal\nbase_url: example.org\n"));
    assert_eq!(r.code, 1);
    r.error_at(
        "site.yaml",
        "`base_url` must be an absolute http(s) URL",
        2,
        1,
    );
}

#[test]
fn page_slug_colliding_with_the_sites_paths() {
    let r = report(|root| {
        write(
            root,
            "content/pages/platforms.md",
            "---\ntitle: P\n---\nx\n",
        );
        write(root, "content/pages/api.md", "---\ntitle: A\n---\nx\n");
    });
    assert_eq!(r.code, 1);
    r.error(
        "content/pages/platforms.md",
        "collides with the site's own path /platforms/",
    );
    r.error(
        "content/pages/api.md",
        "collides with the site's own path /api/",
    );
}

#[test]
fn page_slug_colliding_with_a_static_folder() {
    let r = report(|root| {
        write(
            root,
            "content/pages/downloads.md",
            "---\ntitle: D\n---\nx\n",
        );
        write(root, "static/downloads/terms.pdf", "pdf");
    });
    assert_eq!(r.code, 1);
    r.error(
        "content/pages/downloads.md",
        "collides with the site's own path /downloads/",
    );
}

#[test]
fn dead_internal_link_in_a_record() {
    let r = report(|root| {
        write(root, RECORD, "---\ntitle: A change\ndocument: terms-of-use\nsummary: S\n---\nIntro.\n\nSee [the FAQ](/faq/) and [gone](/platforms/netflx/).\n")
    });
    assert_eq!(r.code, 1);
    let d = r.error_at(RECORD, "the link `/platforms/netflx/` names no page", 8, 26);
    assert!(
        d["help"]
            .as_str()
            .unwrap()
            .contains("did you mean `/platforms/netflix/`?"),
        "{d}"
    );
}

#[test]
fn dead_internal_link_in_a_snapshot_section() {
    let r = report(|root| {
        write(root, SNAPSHOT, "sections:\n  - id: \"1\"\n    heading: One\n    text: |\n      Line one.\n      See [x](/nowhere/).\n")
    });
    assert_eq!(r.code, 1);
    r.error_at(SNAPSHOT, "the link `/nowhere/` names no page", 6, 11);
}

#[test]
fn dead_internal_link_in_a_text_snapshot() {
    let r = report(|root| {
        write(
            root,
            SNAPSHOT,
            "title: T\ntext: |\n  # Heading\n\n  See [x](/nowhere/).\n",
        )
    });
    assert_eq!(r.code, 1);
    r.error_at(SNAPSHOT, "the link `/nowhere/` names no page", 5, 7);
}

#[test]
fn dead_internal_link_in_a_platform_description() {
    let r = report(|root| {
        write(root, PLATFORM, "name: Netflix\nurl: https://www.netflix.com\ndescription: See [x](/nowhere/).\ndocuments:\n  - id: terms-of-use\n    title: Terms of Use\n")
    });
    assert_eq!(r.code, 1);
    r.error_at(PLATFORM, "the link `/nowhere/` names no page", 3, 18);
}

#[test]
fn every_error_in_one_run() {
    let r = report(|root| {
        write(
            root,
            "content/faq/a.md",
            "---\nquestion: A?\norder: x\n---\n",
        );
        write(
            root,
            "content/faq/b.md",
            "---\nquestion: B?\nplatform: netflx\n---\n",
        );
        write(
            root,
            "content/pages/c.md",
            "---\ntitle: C\n---\n[dead](/dead/)\n",
        );
        write(root, RECORD, "---\ntitle: A change\ndocument: terms-of-use\nsummary: S\ntopics: [nope]\nimpact: huge\n---\n");
        write(
            root,
            SNAPSHOT,
            "sections:\n  - id: \"1\"\n    text: One.\n  - id: \"1\"\n    text: Two.\n",
        );
    });
    assert_eq!(r.code, 1);
    r.error("content/faq/a.md", "invalid type");
    r.error("content/faq/b.md", "unknown platform");
    r.error("content/pages/c.md", "/dead/");
    r.error(RECORD, "unknown topic `nope`");
    r.error(RECORD, "impact `huge`");
    r.error(SNAPSHOT, "used twice");
    assert!(r.stderr.contains("6 error(s)"), "{}", r.stderr);
}

#[test]
fn check_formats_report_the_same_errors() {
    let dir = tempfile::tempdir().unwrap();
    minimal_site(dir.path());
    write(
        dir.path(),
        RECORD,
        "---\ntitle: A change\ndocument: terms-of-use\nsummary: S\nsummmary: typo\n---\n",
    );
    let out = termtrail(dir.path(), &["check", "--format", "github"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("::error file={RECORD},line=5,col=1,")),
        "{text}"
    );
    let out = termtrail(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(&format!("--> {RECORD}:5:1")) && text.contains("5 | summmary: typo"),
        "{text}"
    );
}

#[test]
fn usage_errors_exit_with_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = termtrail(dir.path(), &["build", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2));
    let out = termtrail(dir.path(), &["build"]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "no site.yaml is a content error"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("site.yaml"));
}
