//! Issue 7: hostile input. Markup is sanitised wherever content is rendered, links that leave
//! the site are not followed, YAML bombs and huge files are refused with a clear error.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{full_site, minimal_site, read, termtrail_err, termtrail_ok, tree, write};

/// Markdown and raw HTML that must never reach a page as code.
const HOSTILE: &str = r#"Some **text**.

<script>alert('s1')</script>
<SCRIPT SRC="https://evil.example/x.js"></SCRIPT>
<img src="x" onerror="alert('s2')">
<a href="javascript:alert('s3')">a</a> <a href="JaVaScRiPt&#58;alert('s4')">b</a>
<a href=" javascript:alert('s5')">c</a>
<iframe src="https://evil.example/"></iframe>
<svg onload="alert('s8')"><circle r="1"/></svg>
<form action="https://evil.example/"><input type="password" name="q"><button formaction="javascript:alert('s9')">go</button></form>
<div style="background:url(javascript:alert('s10'))" onmouseover="alert('s11')">hover</div>
<object data="https://evil.example/x.swf"></object><embed src="https://evil.example/x.swf"><base href="https://evil.example/">
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<style>body { display: none }</style>
<a href="/faq/" title="x&quot; onclick=&quot;alert('s12')">title</a>

[md link](javascript:alert('s6')) and ![md image](javascript:alert('s7'))

[vb](vbscript:msgbox) [data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
<javascript:alert('s14')> [ref link][r] [t](/faq/ "x\" onclick=\"alert('s15')")

[r]: javascript:alert('s13')
"#;

/// An HTML page or fragment: no element or attribute that could run or load anything, no
/// script but the theme's own and JSON-LD.
fn assert_no_active_html(name: &str, html: &str) {
    let doc = scraper::Html::parse_document(html);
    for el in doc.select(&scraper::Selector::parse("*").unwrap()) {
        let tag = el.value().name();
        let theme_form = tag == "form"
            && el
                .value()
                .attr("action")
                .is_some_and(|a| a.starts_with('/'));
        let active = [
            "iframe", "object", "embed", "base", "style", "svg", "frame", "frameset", "applet",
            "link",
        ]
        .contains(&tag)
            || (tag == "meta" && el.value().attr("http-equiv").is_some())
            || (tag == "form" && !theme_form)
            || (tag == "input" && el.value().attr("type") == Some("password"));
        let theme_head = tag == "link"
            && el
                .value()
                .attr("href")
                .is_some_and(|h| h.starts_with('/') || h.starts_with("https://example.org/"));
        assert!(
            !active || theme_head,
            "{name}: {}",
            el.html().chars().take(200).collect::<String>()
        );
        if tag == "script" {
            let ld = el.value().attr("type") == Some("application/ld+json");
            let theme = el
                .value()
                .attr("src")
                .is_some_and(|s| s.starts_with("/assets/"))
                && el.inner_html().trim().is_empty();
            assert!(ld || theme, "{name}: {}", el.html());
        }
        for (attr, value) in el.value().attrs() {
            let v = value
                .to_ascii_lowercase()
                .replace(['\t', '\n', '\r', ' '], "");
            assert!(!attr.starts_with("on"), "{name}: <{tag} {attr}={value:?}>");
            for bad in ["javascript:", "vbscript:", "data:text/html", "evil.example"] {
                assert!(!v.contains(bad), "{name}: <{tag} {attr}={value:?}>");
            }
        }
    }
}

/// Every output file: HTML pages checked as HTML; feeds and JSON parsed, and each piece of HTML
/// they carry checked as HTML.
fn assert_inert(name: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    if name.ends_with(".html") {
        assert_no_active_html(name, &text);
    } else if name.ends_with(".xml") && (name.ends_with("rss.xml") || name.ends_with("atom.xml")) {
        let feed = feed_rs::parser::parse(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        for e in &feed.entries {
            // RSS descriptions are HTML to readers; Atom summaries say what they are.
            let html_summary = e
                .summary
                .iter()
                .filter(|s| s.content_type.to_string().starts_with("text/html"))
                .map(|s| s.content.as_str());
            for html in e
                .content
                .iter()
                .filter_map(|c| c.body.as_deref())
                .chain(html_summary)
            {
                assert_no_active_html(name, html);
            }
        }
    } else if name.ends_with(".json") {
        // Values under an `*html*` key are HTML; the others are text, where `<` is just text.
        fn walk(name: &str, key: &str, v: &serde_json::Value) {
            match v {
                serde_json::Value::String(s) if key.contains("html") => {
                    assert_no_active_html(name, s)
                }
                serde_json::Value::Array(a) => a.iter().for_each(|x| walk(name, key, x)),
                serde_json::Value::Object(o) => o.iter().for_each(|(k, x)| walk(name, k, x)),
                _ => {}
            }
        }
        walk(
            name,
            "",
            &serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name}: {e}")),
        );
    }
}

#[test]
fn hostile_markup_is_sanitised_in_pages_feeds_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    minimal_site(root);
    let indented = |n: usize| {
        HOSTILE
            .lines()
            .map(|l| format!("{}{l}\n", " ".repeat(n)))
            .collect::<String>()
    };
    write(
        root,
        "content/topics/ai-training.md",
        &format!("---\ntitle: AI training\n---\n{HOSTILE}"),
    );
    write(
        root,
        "content/pages/about.md",
        &format!("---\ntitle: About\n---\n{HOSTILE}"),
    );
    write(
        root,
        "content/faq/q.md",
        &format!("---\nquestion: Q?\nplatform: netflix\n---\n{HOSTILE}"),
    );
    write(root, "content/platforms/netflix/changes/2026-01-15-change.md", &format!("---\ntitle: A change\ndocument: terms-of-use\nsummary: S\ntopics: [ai-training]\n---\n{HOSTILE}"));
    write(root, "content/platforms/netflix/platform.yaml", &format!("name: Netflix\nurl: https://www.netflix.com\ndescription: |\n{}documents:\n  - id: terms-of-use\n    title: Terms of Use\n  - id: privacy\n    title: Privacy\n", indented(2)));
    write(root, "content/platforms/netflix/snapshots/terms-of-use/2026-01-15.yaml", &format!("sections:\n  - id: \"1\"\n    heading: One\n    topics: [ai-training]\n    text: |\n{}", indented(6)));
    write(
        root,
        "content/platforms/netflix/snapshots/privacy/2026-01-15.yaml",
        &format!("text: |\n  # Heading\n\n{}", indented(2)),
    );
    termtrail_ok(root, &["build"]);
    let files = tree(&root.join("public"));
    let mut checked = 0;
    for (name, bytes) in &files {
        if [".html", ".xml", ".json"].iter().any(|e| name.ends_with(e)) {
            assert_inert(name, bytes);
            checked += 1;
        }
    }
    assert!(checked > 30);
    // Every place the Markdown shows up has its harmless part.
    for page in [
        "topics/ai-training/index.html",
        "about/index.html",
        "faq/index.html",
        "platforms/netflix/index.html",
        "platforms/netflix/changes/2026-01-15-change/index.html",
        "platforms/netflix/terms-of-use/index.html",
        "platforms/netflix/privacy/index.html",
    ] {
        assert!(
            read(&root.join("public"), page).contains("<strong>text</strong>"),
            "{page} lacks the rendered Markdown"
        );
    }
    let feed = read(&root.join("public"), "rss.xml");
    assert!(
        feed.contains("&lt;strong&gt;text&lt;/strong&gt;"),
        "the feed carries the rendered analysis"
    );
}

#[test]
fn markup_in_titles_and_names_is_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    minimal_site(root);
    let evil = "<script>alert('t1')</script><img src=x onerror=alert('t2')>";
    write(root, "site.yaml", &format!("title: \"{evil}\"\nbase_url: https://example.org\ndescription: \"{evil}\"\nauthor: \"{evil}\"\n"));
    write(root, "content/platforms/netflix/platform.yaml", &format!("name: \"{evil}\"\nurl: https://www.netflix.com\ncategory: \"{evil}\"\ndocuments:\n  - id: terms-of-use\n    title: \"{evil}\"\n"));
    write(root, "content/platforms/netflix/changes/2026-01-15-change.md", &format!("---\ntitle: \"{evil}\"\ndocument: terms-of-use\nsummary: \"{evil}\"\ntopics: [ai-training]\n---\nBody.\n"));
    write(
        root,
        "content/topics/ai-training.md",
        &format!("---\ntitle: \"{evil}\"\nquestion: \"{evil}\"\n---\nIntro.\n"),
    );
    write(
        root,
        "content/faq/q.md",
        &format!("---\nquestion: \"{evil}\"\n---\nA.\n"),
    );
    write(
        root,
        "content/pages/about.md",
        &format!("---\ntitle: \"{evil}\"\n---\nA.\n"),
    );
    write(root, "content/platforms/netflix/snapshots/terms-of-use/2026-01-15.yaml", &format!("title: \"{evil}\"\nsections:\n  - id: \"{evil}\"\n    heading: \"{evil}\"\n    text: Words.\n"));
    termtrail_ok(root, &["build"]);
    let files = tree(&root.join("public"));
    for (name, bytes) in &files {
        assert_inert(name, bytes);
        let text = String::from_utf8_lossy(bytes);
        if name.ends_with(".html") {
            assert!(!text.contains("<img src=x"), "{name}");
        }
        if name.ends_with(".xml") {
            assert!(
                !text.contains("<script>") && !text.contains("<img"),
                "{name}"
            );
        }
    }
    // The text is kept, as text: escaped in HTML, a string in JSON.
    assert!(
        read(&root.join("public"), "index.html")
            .contains("&lt;script&gt;alert(&#39;t1&#39;)&lt;&#x2F;script&gt;")
            || read(&root.join("public"), "index.html")
                .contains("&lt;script&gt;alert(&#39;t1&#39;)&lt;/script&gt;")
    );
    let api: serde_json::Value =
        serde_json::from_str(&read(&root.join("public"), "api/changes.json")).unwrap();
    assert_eq!(api["changes"][0]["title"], evil);
    for feed in ["rss.xml", "atom.xml", "feed.json"] {
        let parsed = feed_rs::parser::parse(read(&root.join("public"), feed).as_bytes())
            .unwrap_or_else(|e| panic!("{feed}: {e}"));
        assert_eq!(parsed.entries.len(), 1, "{feed}");
    }
}

#[test]
fn a_faq_entry_cannot_end_the_json_ld_block() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    minimal_site(root);
    let question = "Is </script><script>alert('q')</script> safe? <!-- & -->";
    write(root, "content/faq/q.md", &format!("---\nquestion: \"{question}\"\n---\nThe answer: `</script><script>alert('a')</script>` and \u{2028} &amp; <b>bold</b>.\n"));
    termtrail_ok(root, &["build"]);
    let html = read(&root.join("public"), "faq/index.html");
    let doc = scraper::Html::parse_document(&html);
    let scripts: Vec<_> = doc
        .select(&scraper::Selector::parse("script").unwrap())
        .collect();
    let ld: Vec<_> = scripts
        .iter()
        .filter(|s| s.value().attr("type") == Some("application/ld+json"))
        .collect();
    assert_eq!(ld.len(), 1, "one JSON-LD block");
    assert!(
        scripts
            .iter()
            .all(|s| s.value().attr("type") == Some("application/ld+json")
                || s.value().attr("src").is_some()),
        "no other inline script"
    );
    let raw = ld[0].inner_html();
    for bad in ["</script", "<script", "<!--", "\u{2028}"] {
        assert!(!raw.contains(bad), "the JSON-LD carries {bad:?} raw: {raw}");
    }
    let json: serde_json::Value = serde_json::from_str(&raw).expect("the JSON-LD is valid JSON");
    let entity = &json["mainEntity"][0];
    assert_eq!(entity["name"], question);
    let answer = entity["acceptedAnswer"]["text"].as_str().unwrap();
    assert!(
        answer.contains("</script><script>alert('a')</script>"),
        "the answer's text survives, as data: {answer}"
    );
    // And on the page itself the question and the code are text.
    assert!(html.contains("&lt;&#x2F;script&gt;") || html.contains("&lt;/script&gt;"));
}

#[cfg(unix)]
mod symlinks {
    use super::*;
    use std::os::unix::fs::symlink;

    /// A secret outside the site, and a site; `link` makes links from the site to the secret.
    fn site_with_link(link: impl FnOnce(&Path, &Path)) -> (tempfile::TempDir, (i32, String)) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let outside = dir.path().join("outside");
        write(
            &outside,
            "secret.md",
            "---\ntitle: Secret\n---\nTOP-SECRET\n",
        );
        write(&outside, "secret.html", "TOP-SECRET {{ site.title }}");
        write(&outside, "secret.txt", "TOP-SECRET");
        write(&outside, "dir/secret.txt", "TOP-SECRET");
        minimal_site(&root);
        link(&root, &outside);
        let result = termtrail_err(&root, &["build"]);
        assert!(!root.join("public").exists(), "nothing is written");
        (dir, result)
    }

    #[test]
    fn a_content_file_linking_outside_is_refused() {
        let (_d, (code, err)) = site_with_link(|root, out| {
            std::fs::create_dir_all(root.join("content/pages")).unwrap();
            symlink(out.join("secret.md"), root.join("content/pages/secret.md")).unwrap();
        });
        assert_eq!(code, 1);
        assert!(
            err.contains("--> content/pages/secret.md") && err.contains("points outside the site"),
            "{err}"
        );
    }

    #[test]
    fn the_content_folder_linking_outside_is_refused() {
        let (_d, (code, err)) = site_with_link(|root, out| {
            let content = root.join("content");
            std::fs::rename(&content, out.join("content")).unwrap();
            symlink(out.join("content"), &content).unwrap();
        });
        assert_eq!(code, 1);
        assert!(
            err.contains("--> content\n") && err.contains("outside the site"),
            "{err}"
        );
    }

    #[test]
    fn a_static_file_or_folder_linking_outside_is_refused() {
        let (_d, (code, err)) = site_with_link(|root, out| {
            std::fs::create_dir_all(root.join("static")).unwrap();
            symlink(out.join("secret.txt"), root.join("static/secret.txt")).unwrap();
            symlink(out.join("dir"), root.join("static/dir")).unwrap();
        });
        assert_eq!(code, 1);
        assert!(
            err.contains("--> static/secret.txt") && err.contains("--> static/dir"),
            "{err}"
        );
        let (_d, (_, err)) =
            site_with_link(|root, out| symlink(out.join("dir"), root.join("static")).unwrap());
        assert!(
            err.contains("--> static\n") && err.contains("outside the site"),
            "{err}"
        );
    }

    #[test]
    fn theme_files_linking_outside_are_refused() {
        let (_d, (code, err)) = site_with_link(|root, out| {
            write(
                root,
                "site.yaml",
                "title: Minimal\nbase_url: https://example.org\ntheme: mine\n",
            );
            std::fs::create_dir_all(root.join("themes/mine/templates")).unwrap();
            std::fs::create_dir_all(root.join("themes/mine/static")).unwrap();
            symlink(
                out.join("secret.html"),
                root.join("themes/mine/templates/page.html"),
            )
            .unwrap();
            symlink(
                out.join("secret.txt"),
                root.join("themes/mine/static/secret.txt"),
            )
            .unwrap();
        });
        assert_eq!(code, 1);
        assert!(err.contains("--> themes/mine/templates/page.html"), "{err}");
        assert!(err.contains("--> themes/mine/static/secret.txt"), "{err}");
        let (_d, (_, err)) = site_with_link(|root, out| {
            write(
                root,
                "site.yaml",
                "title: Minimal\nbase_url: https://example.org\ntheme: mine\n",
            );
            write(out, "theme/templates/page.html", "{{ site.title }}");
            std::fs::create_dir_all(root.join("themes")).unwrap();
            symlink(out.join("theme"), root.join("themes/mine")).unwrap();
        });
        assert!(
            err.contains("--> themes/mine/templates/page.html") && err.contains("outside the site"),
            "{err}"
        );
    }

    #[test]
    fn site_yaml_linking_outside_is_refused() {
        let (_d, (code, err)) = site_with_link(|root, out| {
            std::fs::rename(root.join("site.yaml"), out.join("site.yaml")).unwrap();
            symlink(out.join("site.yaml"), root.join("site.yaml")).unwrap();
        });
        assert_eq!(code, 1);
        assert!(
            err.contains("--> site.yaml") && err.contains("outside the site"),
            "{err}"
        );
    }

    #[test]
    fn links_inside_the_site_are_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        minimal_site(root);
        write(
            root,
            "shared/about.md",
            "---\ntitle: About\n---\nShared page.\n",
        );
        write(root, "shared/logo.txt", "logo");
        std::fs::create_dir_all(root.join("content/pages")).unwrap();
        symlink(
            root.join("shared/about.md"),
            root.join("content/pages/about.md"),
        )
        .unwrap();
        std::fs::create_dir_all(root.join("static")).unwrap();
        symlink(root.join("shared/logo.txt"), root.join("static/logo.txt")).unwrap();
        termtrail_ok(root, &["build"]);
        assert!(read(&root.join("public"), "about/index.html").contains("Shared page."));
        assert_eq!(read(&root.join("public"), "logo.txt"), "logo");
    }
}

/// Runs termtrail, failing the test if it has not ended within a generous deadline (a hang
/// guard, not a speed assertion).
fn run_bounded(dir: &Path, args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_termtrail"))
        .args(args)
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if start.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("termtrail {args:?} did not return");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().unwrap()
}

#[track_caller]
fn assert_refused(out: &Output, file: &str, what: &str) -> String {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains(&format!("--> {file}")),
        "{file} not named:\n{err}"
    );
    assert!(err.contains(what), "no {what:?} in:\n{err}");
    err
}

/// Nine levels of nine aliases: a billion "lol"s if expanded.
fn billion_laughs(last_key: &str) -> String {
    let mut y = String::from("a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for i in 1..10 {
        y.push_str(&format!(
            "a{i}: &a{i} [{}]\n",
            vec![format!("*a{}", i - 1); 9].join(", ")
        ));
    }
    y.push_str(&format!("{last_key}: *a9\n"));
    y
}

#[test]
fn alias_bombs_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    minimal_site(root);
    let snapshot = "content/platforms/netflix/snapshots/terms-of-use/2026-01-15.yaml";
    let record = "content/platforms/netflix/changes/2026-01-15-change.md";
    write(root, snapshot, &billion_laughs("sections"));
    write(
        root,
        record,
        &format!("---\n{}---\nBody.\n", billion_laughs("topics")),
    );
    // One large value repeated by many aliases: under the parser's own alias limit.
    let big = "lol ".repeat(50_000);
    let mut platform = format!("name: &n \"{big}\"\nurl: https://www.netflix.com\ndocuments:\n");
    for i in 0..2000 {
        platform.push_str(&format!("  - {{id: d{i}, title: *n}}\n"));
    }
    write(root, "content/platforms/netflix/platform.yaml", &platform);
    let out = run_bounded(root, &["build"]);
    let err = assert_refused(&out, snapshot, "aliases");
    assert!(err.contains(&format!("--> {record}")), "{err}");
    assert!(
        err.contains("--> content/platforms/netflix/platform.yaml"),
        "{err}"
    );
    assert!(
        err.contains("anchors (`&name`) or aliases"),
        "says what to do:\n{err}"
    );
}

#[test]
fn deeply_nested_yaml_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    minimal_site(root);
    let record = "content/platforms/netflix/changes/2026-01-15-change.md";
    let snapshot = "content/platforms/netflix/snapshots/terms-of-use/2026-01-15.yaml";
    let platform = "content/platforms/netflix/platform.yaml";
    let n = 1_000_000;
    write(
        root,
        record,
        &format!(
            "---\ntitle: T\ndocument: terms-of-use\nsummary: S\ntopics: {}{}\n---\n",
            "[".repeat(n),
            "]".repeat(n)
        ),
    );
    write(
        root,
        snapshot,
        &format!("sections:\n  - id: a\n    text: {}\n", "{a: ".repeat(n)),
    );
    let nested: String = (0..400)
        .map(|i| format!("{}- x:\n", "  ".repeat(i)))
        .collect();
    write(
        root,
        platform,
        &format!("name: N\nurl: https://n.example\ndocuments:\n{nested}"),
    );
    let out = run_bounded(root, &["build"]);
    let err = assert_refused(&out, record, "nested more than");
    assert!(err.contains(&format!("--> {record}:5:")), "{err}");
    assert!(err.contains(&format!("--> {snapshot}:3:")), "{err}");
    // Typed parsing stops at the first level that has no business being there.
    assert!(err.contains(&format!("--> {platform}:4:")), "{err}");
}

#[test]
fn files_over_the_size_limit_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    minimal_site(root);
    // A sparse 50 MB snapshot, and a 50 MB change record of real text.
    let snapshot = "content/platforms/netflix/snapshots/terms-of-use/2026-02-01.yaml";
    let f = std::fs::File::create(root.join(snapshot)).unwrap();
    f.set_len(50 * 1024 * 1024).unwrap();
    let record = "content/platforms/netflix/changes/2026-02-01-huge.md";
    let body =
        "All work and no play makes a very long change record.\n".repeat(50 * 1024 * 1024 / 54 + 1);
    write(
        root,
        record,
        &format!("---\ntitle: T\ndocument: terms-of-use\nsummary: S\n---\n{body}"),
    );
    let out = run_bounded(root, &["build"]);
    let err = assert_refused(&out, snapshot, "the file is 50 MiB; the limit is 32 MiB");
    assert!(err.contains(&format!("--> {record}")), "{err}");
    assert!(
        err.contains("split the document"),
        "says what to do:\n{err}"
    );
}

#[test]
fn control_characters_and_odd_unicode_build_valid_feeds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    full_site(root, "https://example.org");
    write(root, "content/platforms/spotify/changes/2025-11-02-first-capture.md", "---\ntitle: \"Bell \\a, nul \\0, escape \\e, BOM \\uFEFF, RTL \\u202E\"\ndocument: terms\nsummary: \"\\x01\\x02 \\uFFFF done\"\n---\nText with \u{7} bell, \u{1b}[31m colour, \u{FFFE} and 💥.\n");
    termtrail_ok(root, &["build"]);
    let out = root.join("public");
    for feed in [
        "rss.xml",
        "atom.xml",
        "platforms/spotify/rss.xml",
        "platforms/spotify/atom.xml",
    ] {
        let text = read(&out, feed);
        assert!(
            !text
                .chars()
                .any(|c| (c as u32) < 0x20 && !"\t\n\r".contains(c)),
            "{feed} has control characters"
        );
        feed_rs::parser::parse(text.as_bytes()).unwrap_or_else(|e| panic!("{feed}: {e}"));
    }
    let _: serde_json::Value = serde_json::from_str(&read(&out, "feed.json")).unwrap();
    let _: serde_json::Value = serde_json::from_str(&read(&out, "api/changes.json")).unwrap();
    assert!(read(
        &out,
        "platforms/spotify/changes/2025-11-02-first-capture/index.html"
    )
    .contains("💥"));
}
