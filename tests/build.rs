//! Issue 2: `termtrail build` on real sites, asserting on the files it writes.

mod common;

use std::collections::BTreeMap;

use common::{full_site, minimal_site, read, termtrail_err, termtrail_ok, tree, write};

/// Builds `full_site` with the `/atlas` base path into `<tmp>/public`; returns the temp dir.
fn built_full_site(extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    full_site(dir.path(), "https://example.org/atlas");
    let mut args = vec!["build"];
    args.extend_from_slice(extra);
    termtrail_ok(dir.path(), &args);
    dir
}

fn html_files(files: &BTreeMap<String, Vec<u8>>) -> impl Iterator<Item = (&String, String)> {
    files
        .iter()
        .filter(|(k, _)| k.ends_with(".html"))
        .map(|(k, v)| (k, String::from_utf8(v.clone()).expect("HTML is UTF-8")))
}

#[test]
fn every_page_of_the_contract_is_written() {
    let dir = built_full_site(&[]);
    let out = dir.path().join("public");
    let mut expected: Vec<String> = [
        "index.html",
        "platforms/index.html",
        "topics/index.html",
        "faq/index.html",
        "methodology/index.html",
        "api/changes.json",
        "api/platforms.json",
        "sitemap.xml",
        "robots.txt",
        "404.html",
        "favicon.txt",
        // platforms and documents
        "platforms/netflix/index.html",
        "platforms/spotify/index.html",
        "platforms/tiktok/index.html",
        "platforms/netflix/terms-of-use/index.html",
        "platforms/netflix/privacy/index.html",
        "platforms/spotify/terms/index.html",
        "platforms/tiktok/terms/index.html",
        // versions
        "platforms/netflix/terms-of-use/2025-06-01/index.html",
        "platforms/netflix/terms-of-use/2026-01-15/index.html",
        "platforms/netflix/privacy/2026-01-10/index.html",
        "platforms/spotify/terms/2025-11-02/index.html",
        "platforms/tiktok/terms/2026-02-01/index.html",
        // sections through time: the anchors of the document pages
        "platforms/netflix/terms-of-use/sections/4-6/index.html",
        "platforms/netflix/terms-of-use/sections/6/index.html",
        "platforms/netflix/terms-of-use/sections/7/index.html",
        "platforms/netflix/terms-of-use/sections/12-a/index.html",
        "platforms/netflix/privacy/sections/introduction/index.html",
        "platforms/netflix/privacy/sections/what-we-collect/index.html",
        "platforms/netflix/privacy/sections/what-we-collect-2/index.html",
        "platforms/spotify/terms/sections/ai/index.html",
        "platforms/spotify/terms/sections/disputes/index.html",
        // change records
        "platforms/netflix/changes/2026-01-15-bars-ai-training/index.html",
        "platforms/spotify/changes/2025-11-02-first-capture/index.html",
        // topics
        "topics/ai-training/index.html",
        "topics/arbitration/index.html",
        "topics/unused/index.html",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for scope in [
        "",
        "platforms/netflix/",
        "platforms/spotify/",
        "platforms/tiktok/",
        "platforms/netflix/terms-of-use/",
        "platforms/netflix/privacy/",
        "platforms/spotify/terms/",
        "platforms/tiktok/terms/",
        "topics/ai-training/",
        "topics/arbitration/",
        "topics/unused/",
    ] {
        for feed in ["rss.xml", "atom.xml", "feed.json"] {
            expected.push(format!("{scope}{feed}"));
        }
    }
    let files = tree(&out);
    let missing: Vec<&String> = expected
        .iter()
        .filter(|p| !files.contains_key(*p))
        .collect();
    assert!(
        missing.is_empty(),
        "not written: {missing:?}\nwritten: {:?}",
        files.keys().collect::<Vec<_>>()
    );

    // Each section anchor on the document page has its page through time, and vice versa.
    let doc = read(&out, "platforms/netflix/terms-of-use/index.html");
    for anchor in ["4-6", "6", "7"] {
        assert!(
            doc.contains(&format!("id=\"{anchor}\"")),
            "no anchor {anchor} on the document page"
        );
        assert!(
            doc.contains(&format!(
                "/atlas/platforms/netflix/terms-of-use/sections/{anchor}/"
            )),
            "no link to section {anchor}"
        );
    }
    // The current text is the latest snapshot's; the old section 12(a) only has its history page.
    assert!(doc.contains("train machine learning models"));
    assert!(doc.contains("A brand new section."));
    assert!(!doc.contains("courts of the Netherlands"));
    let old = read(&out, "platforms/netflix/terms-of-use/2025-06-01/index.html");
    assert!(old.contains("courts of the Netherlands"));
    let newer = read(&out, "platforms/netflix/terms-of-use/2026-01-15/index.html");
    assert!(
        newer.contains("<ins") && newer.contains("<del"),
        "the version page shows the diff from the version before"
    );

    // The change page: summary, analysis, diff, and how other platforms handle its topics.
    let change = read(
        &out,
        "platforms/netflix/changes/2026-01-15-bars-ai-training/index.html",
    );
    assert!(change.contains("Netflix bars using its content to train AI models"));
    assert!(change.contains("Users may no longer use Netflix content to train AI &amp; such."));
    assert!(change.contains("<ins"), "the change page shows the diff");
    assert!(
        change.contains("Spotify may not be used to train AI."),
        "comparison with Spotify"
    );
    assert!(
        change.contains("TikTok content may not train models."),
        "comparison with TikTok"
    );

    // The topic page puts the tagged clauses of every platform side by side.
    let topic = read(&out, "topics/ai-training/index.html");
    for text in [
        "train machine learning models",
        "Spotify may not be used to train AI.",
        "TikTok content may not train models.",
    ] {
        assert!(topic.contains(text), "topic page lacks {text:?}");
    }

    // FAQ with schema.org FAQPage JSON-LD naming both questions.
    let faq = read(&out, "faq/index.html");
    let ld = json_ld(&faq);
    assert_eq!(ld["@type"], "FAQPage");
    let names: Vec<&str> = ld["mainEntity"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["What is this site?", "Can I train AI on Netflix?"]);
    // The platform's FAQ entry also shows on its page.
    assert!(read(&out, "platforms/netflix/index.html").contains("Can I train AI on Netflix?"));
    assert!(read(&out, "methodology/index.html").contains("How we work."));

    // Feeds parse and carry the non-draft records with absolute permalinks.
    for scope in [
        "",
        "platforms/netflix/",
        "platforms/netflix/terms-of-use/",
        "topics/ai-training/",
    ] {
        for name in ["rss.xml", "atom.xml", "feed.json"] {
            let bytes = std::fs::read(out.join(format!("{scope}{name}"))).unwrap();
            let feed =
                feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{scope}{name}: {e}"));
            let links: Vec<String> = feed
                .entries
                .iter()
                .map(|e| e.links[0].href.clone())
                .collect();
            assert!(links.contains(&"https://example.org/atlas/platforms/netflix/changes/2026-01-15-bars-ai-training/".to_string()), "{scope}{name}: {links:?}");
            assert!(
                links.iter().all(|l| !l.contains("draft-record")),
                "{scope}{name} lists a draft"
            );
        }
    }
    let site_feed =
        feed_rs::parser::parse(&std::fs::read(out.join("atom.xml")).unwrap()[..]).unwrap();
    assert_eq!(site_feed.entries.len(), 2);
    let spotify_feed =
        feed_rs::parser::parse(&std::fs::read(out.join("platforms/spotify/rss.xml")).unwrap()[..])
            .unwrap();
    assert_eq!(spotify_feed.entries.len(), 1);

    // The API lists every record and platform.
    let changes: serde_json::Value = serde_json::from_str(&read(&out, "api/changes.json")).unwrap();
    let ids: Vec<&str> = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "https://example.org/atlas/platforms/netflix/changes/2026-01-15-bars-ai-training/",
            "https://example.org/atlas/platforms/spotify/changes/2025-11-02-first-capture/"
        ]
    );
    let platforms: serde_json::Value =
        serde_json::from_str(&read(&out, "api/platforms.json")).unwrap();
    let text = platforms.to_string();
    for slug in ["netflix", "spotify", "tiktok"] {
        assert!(
            text.contains(&format!("\"{slug}\"")),
            "platforms.json lacks {slug}"
        );
    }

    // Sitemap and robots.txt use absolute URLs under the base URL; every sitemap URL is written.
    let sitemap = read(&out, "sitemap.xml");
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .map(|s| s.split("</loc>").next().unwrap())
        .collect();
    assert!(locs.len() > 20, "{sitemap}");
    for loc in &locs {
        let path = loc
            .strip_prefix("https://example.org/atlas")
            .unwrap_or_else(|| panic!("sitemap URL {loc} is not under the base URL"));
        assert!(
            resolves(&files, path),
            "sitemap URL {loc} names no written file"
        );
    }
    assert!(locs.contains(&"https://example.org/atlas/methodology/"));
    assert!(read(&out, "robots.txt").contains("Sitemap: https://example.org/atlas/sitemap.xml"));
    assert!(read(&out, "404.html").contains("/atlas/"));
}

/// The JSON-LD block of a page, parsed.
fn json_ld(html: &str) -> serde_json::Value {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(r#"script[type="application/ld+json"]"#).unwrap();
    let script = doc.select(&sel).next().expect("a JSON-LD block");
    serde_json::from_str(&script.inner_html()).expect("the JSON-LD parses")
}

/// Whether the site path `path` (after the base path, e.g. `/faq/#x`) names a written file.
fn resolves(files: &BTreeMap<String, Vec<u8>>, path: &str) -> bool {
    let path = path.split(['#', '?']).next().unwrap();
    let rel = path.trim_start_matches('/');
    if rel.is_empty() || rel.ends_with('/') {
        files.contains_key(&format!("{rel}index.html"))
    } else {
        files.contains_key(rel) || files.contains_key(&format!("{rel}/index.html"))
    }
}

#[test]
fn every_link_honours_the_base_path_and_resolves() {
    let dir = built_full_site(&[]);
    let files = tree(&dir.path().join("public"));
    let sel = scraper::Selector::parse("[href], [src], [action], [data-index]").unwrap();
    let mut checked = 0;
    for (name, html) in html_files(&files) {
        let doc = scraper::Html::parse_document(&html);
        for el in doc.select(&sel) {
            for attr in ["href", "src", "action", "data-index"] {
                let Some(url) = el.value().attr(attr) else {
                    continue;
                };
                if let Some(abs) = url.strip_prefix("https://example.org") {
                    // Absolute links to the site itself (canonical, feeds) carry the base path too.
                    let rest = abs
                        .strip_prefix("/atlas/")
                        .unwrap_or_else(|| panic!("{name}: {attr}={url} lacks the base path"));
                    assert!(
                        resolves(&files, &format!("/{rest}")),
                        "{name}: {attr}={url} names no written file"
                    );
                    checked += 1;
                    continue;
                }
                if !url.starts_with('/') || url.starts_with("//") {
                    assert!(
                        !url.to_ascii_lowercase()
                            .trim_start()
                            .starts_with("javascript:"),
                        "{name}: {attr}={url}"
                    );
                    continue;
                }
                let rest = url
                    .strip_prefix("/atlas/")
                    .unwrap_or_else(|| panic!("{name}: {attr}={url} lacks the base path /atlas/"));
                assert!(
                    resolves(&files, &format!("/{rest}")),
                    "{name}: {attr}={url} names no written file"
                );
                checked += 1;
            }
        }
    }
    assert!(checked > 200, "only {checked} links checked");
    // The links written by Markdown in content get the base path too.
    let methodology = String::from_utf8(files["methodology/index.html"].clone()).unwrap();
    assert!(methodology.contains("href=\"/atlas/faq/#what-is-this\""));
}

#[test]
fn raw_html_is_sanitised_in_every_output_file() {
    let dir = built_full_site(&[]);
    let files = tree(&dir.path().join("public"));
    let scripts = scraper::Selector::parse("script").unwrap();
    let all = scraper::Selector::parse("*").unwrap();
    for (name, html) in html_files(&files) {
        let doc = scraper::Html::parse_document(&html);
        for s in doc.select(&scripts) {
            let ld = s.value().attr("type") == Some("application/ld+json");
            let own = s
                .value()
                .attr("src")
                .is_some_and(|src| src.starts_with("/atlas/assets/"))
                && s.inner_html().trim().is_empty();
            assert!(
                ld || own,
                "{name}: a script that is neither JSON-LD nor the theme's own: {}",
                s.html()
            );
        }
        for el in doc.select(&all) {
            for (attr, value) in el.value().attrs() {
                assert!(
                    !attr.to_ascii_lowercase().starts_with("on"),
                    "{name}: event handler {attr}={value}"
                );
                assert!(
                    !value.to_ascii_lowercase().contains("javascript:"),
                    "{name}: {attr}={value}"
                );
            }
        }
        // The script's text may survive as harmless text inside the JSON-LD, never as code.
        let mut parts = html.split("<script type=\"application/ld+json\">");
        let outside_ld: String = parts.next().unwrap_or("").to_string()
            + &parts
                .map(|p| p.split_once("</script>").map_or(p, |(_, rest)| rest))
                .collect::<String>();
        assert!(
            !outside_ld.contains("alert("),
            "{name} carries the injected script's text"
        );
    }
    // Feeds and JSON carry the rendered analysis: sanitised too (the XML escapes the HTML, so
    // look for both spellings).
    for (name, bytes) in &files {
        if name.ends_with(".xml") || name.ends_with(".json") {
            let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
            for bad in [
                "<script",
                "&lt;script",
                "\\u003cscript",
                "javascript:",
                "onclick",
            ] {
                assert!(!text.contains(bad), "{name} contains {bad}");
            }
        }
    }
    // The harmless part of the record survives.
    let change = String::from_utf8(
        files["platforms/netflix/changes/2026-01-15-bars-ai-training/index.html"].clone(),
    )
    .unwrap();
    assert!(
        change.contains(">bad</a>"),
        "the link text stays, without its target"
    );
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let draft_page = "platforms/netflix/changes/2026-01-20-draft-record/index.html";
    let dir = built_full_site(&[]);
    let files = tree(&dir.path().join("public"));
    assert!(!files.contains_key(draft_page));
    for (name, bytes) in &files {
        assert!(
            !String::from_utf8_lossy(bytes).contains("draft-record"),
            "{name} mentions the draft"
        );
    }

    let dir = built_full_site(&["--drafts"]);
    let files = tree(&dir.path().join("public"));
    assert!(files.contains_key(draft_page));
    let page = String::from_utf8(files[draft_page].clone()).unwrap();
    assert!(page.contains("A draft record"));
    assert!(String::from_utf8_lossy(&files["api/changes.json"]).contains("draft-record"));
    assert!(
        String::from_utf8_lossy(&files["platforms/netflix/index.html"]).contains("draft-record")
    );
}

#[test]
fn two_builds_write_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    full_site(dir.path(), "https://example.org/atlas");
    termtrail_ok(dir.path(), &["build", "--output", "one"]);
    termtrail_ok(dir.path(), &["build", "--output", "two"]);
    let (one, two) = (tree(&dir.path().join("one")), tree(&dir.path().join("two")));
    assert!(one.len() > 50);
    assert_eq!(
        one.keys().collect::<Vec<_>>(),
        two.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &one {
        assert!(bytes == &two[name], "{name} differs between two builds");
    }
    // A rebuild in place changes nothing either.
    termtrail_ok(dir.path(), &["build", "--output", "one"]);
    assert!(tree(&dir.path().join("one")) == one);
}

#[test]
fn text_snapshots_split_at_headings_with_unique_ids() {
    let dir = built_full_site(&[]);
    let out = dir.path().join("public");
    let doc = read(&out, "platforms/netflix/privacy/index.html");
    let html = scraper::Html::parse_document(&doc);
    let ids: Vec<String> = html
        .select(&scraper::Selector::parse("[id]").unwrap())
        .filter_map(|e| e.value().attr("id").map(str::to_string))
        .collect();
    for id in ["introduction", "what-we-collect", "what-we-collect-2"] {
        assert_eq!(
            ids.iter().filter(|x| *x == id).count(),
            1,
            "anchor {id} appears once: {ids:?}"
        );
    }
    let i1 = doc.find("Intro paragraph.").unwrap();
    let i2 = doc.find("Your name.").unwrap();
    let i3 = doc.find("Your viewing history.").unwrap();
    assert!(i1 < i2 && i2 < i3, "sections keep the document's order");
    let second = read(
        &out,
        "platforms/netflix/privacy/sections/what-we-collect-2/index.html",
    );
    assert!(second.contains("Your viewing history.") && !second.contains("Your name."));
    let first = read(
        &out,
        "platforms/netflix/privacy/sections/what-we-collect/index.html",
    );
    assert!(first.contains("Your name.") && !first.contains("Your viewing history."));
}

#[test]
fn a_failed_build_leaves_the_previous_output_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    full_site(root, "https://example.org/atlas");
    termtrail_ok(root, &["build"]);
    let before = tree(&root.join("public"));
    let mtime = std::fs::metadata(root.join("public/index.html"))
        .unwrap()
        .modified()
        .unwrap();

    // A valid new record and a broken one: nothing of either reaches the output.
    write(
        root,
        "content/platforms/spotify/changes/2026-03-01-new.md",
        "---\ntitle: New record\ndocument: terms\nsummary: New.\n---\nNew.\n",
    );
    write(
        root,
        "content/platforms/tiktok/platform.yaml",
        "name: TikTok\nurl: [not, a, url\n",
    );
    let (code, stderr) = termtrail_err(root, &["build"]);
    assert_eq!(code, 1);
    assert!(
        stderr.contains("content/platforms/tiktok/platform.yaml"),
        "{stderr}"
    );
    assert!(stderr.contains("previous output is unchanged"), "{stderr}");
    assert!(
        tree(&root.join("public")) == before,
        "the output changed after a failed build"
    );
    assert_eq!(
        std::fs::metadata(root.join("public/index.html"))
            .unwrap()
            .modified()
            .unwrap(),
        mtime
    );
    let leftovers: Vec<_> = std::fs::read_dir(root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("termtrail"))
        .collect();
    assert!(leftovers.is_empty(), "staging left behind: {leftovers:?}");

    // Fixed, the next build writes the new record.
    write(root, "content/platforms/tiktok/platform.yaml", "name: TikTok\nurl: https://www.tiktok.com\ndocuments:\n  - id: terms\n    title: Terms of Service\n");
    termtrail_ok(root, &["build"]);
    assert!(root
        .join("public/platforms/spotify/changes/2026-03-01-new/index.html")
        .is_file());
}

#[test]
fn each_kind_of_content_error_is_reported_with_its_file_in_one_run() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    minimal_site(root);
    let broken = [
        (
            "content/platforms/bad/platform.yaml",
            "name: Bad\nurl: ftp://bad.example\ndocuments:\n  - id: terms\n    title: T\n",
        ),
        (
            "content/platforms/netflix/snapshots/terms-of-use/2026-02-01.yaml",
            "sections:\n  - id: a\n    text: x\n  - id: a\n    text: y\n",
        ),
        (
            "content/platforms/netflix/changes/2026-02-02-typo.md",
            "---\ntitle: T\ndocument: terms-of-use\nsummmary: S\n---\n",
        ),
        ("content/topics/broken.md", "---\ntitle: [unclosed\n---\n"),
        (
            "content/faq/q.md",
            "---\nquestion: Q?\nplatform: netflx\n---\nA.\n",
        ),
        ("content/pages/api.md", "---\ntitle: API\n---\nPage.\n"),
    ];
    for (file, text) in broken {
        write(root, file, text);
    }
    let (code, stderr) = termtrail_err(root, &["build"]);
    assert_eq!(code, 1, "{stderr}");
    for (file, _) in broken {
        assert!(
            stderr.contains(&format!("--> {file}")),
            "{file} not reported:\n{stderr}"
        );
    }
    assert!(
        !root.join("public").exists(),
        "a failed first build writes nothing"
    );
}

/// Listed records and comparison excerpts are rendered once per site by the theme's own
/// `change_item` and `excerpt` macros and copied into each list: a theme that changes those
/// macros sees its own markup in every list, with and without the platform's name.
#[test]
fn a_themes_own_item_macros_fill_every_list() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    common::full_site(root, "https://example.org");
    let builtin = termtrail::render::templates::BUILTIN
        .iter()
        .find(|(n, _)| *n == "macros.html")
        .unwrap()
        .1;
    let replace = |src: &str, name: &str, body: &str| {
        let start = src.find(&format!("{{% macro {name}(")).unwrap();
        let end_tag = format!("{{% endmacro {name} %}}");
        let end = src.find(&end_tag).unwrap() + end_tag.len();
        format!("{}{body}{}", &src[..start], &src[end..])
    };
    let mine = replace(
        builtin,
        "change_item",
        "{% macro change_item(c, show_platform=true) %}<li class=\"mine\">{% if show_platform %}{{ c.platform.title }}: {% endif %}{{ c.title }}</li>{% endmacro change_item %}",
    );
    let mine = replace(
        &mine,
        "excerpt",
        "{% macro excerpt(e, show_platform=true) %}<figure class=\"mine\">{{ e.platform_name }} on {{ e.heading }}</figure>{% endmacro excerpt %}",
    );
    common::write(root, "themes/default/templates/macros.html", &mine);
    common::termtrail_ok(root, &["build"]);
    let page = |rel: &str| common::read(root, &format!("public/{rel}"));
    let title = "Netflix bars using its content to train AI models";
    for (rel, with_platform) in [
        ("index.html", true),
        ("topics/ai-training/index.html", true),
        ("platforms/netflix/index.html", false),
        ("platforms/netflix/terms-of-use/index.html", false),
        (
            "platforms/netflix/terms-of-use/2026-01-15/index.html",
            false,
        ),
    ] {
        let html = page(rel);
        let item = if with_platform {
            format!("<li class=\"mine\">Netflix: {title}</li>")
        } else {
            format!("<li class=\"mine\">{title}</li>")
        };
        assert!(
            html.contains(&item),
            "{rel} lists the record with the theme's item: {html}"
        );
        assert!(
            !html.contains("class=\"change impact-"),
            "{rel} has no built-in item"
        );
    }
    let change = page("platforms/netflix/changes/2026-01-15-bars-ai-training/index.html");
    assert!(
        change.contains("<figure class=\"mine\">Spotify on Machine learning</figure>"),
        "the comparison uses the theme's excerpt: {change}"
    );
    assert!(!change.contains("class=\"excerpt\""));
}

/// The list items and excerpts made once per site are byte for byte what the theme's macros
/// give when each list calls them in place, as the templates did before.
#[test]
fn items_made_once_are_the_items_made_in_place() {
    let once = tempfile::tempdir().unwrap();
    full_site(once.path(), "https://example.org");
    termtrail_ok(once.path(), &["build"]);
    let in_place = tempfile::tempdir().unwrap();
    full_site(in_place.path(), "https://example.org");
    let builtin = |name: &str| {
        termtrail::render::templates::BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1
            .to_string()
    };
    let calls = [
        ("macros.html", "{% if show_platform and c.item_html %}{{ c.item_html | safe }}{% elif not show_platform and c.item_html_no_platform %}{{ c.item_html_no_platform | safe }}{% else %}{{ self::change_item(c=c, show_platform=show_platform) }}{% endif %}", "{{ self::change_item(c=c, show_platform=show_platform) }}"),
        ("platform.html", "{% if e.change.item_html_no_platform %}{{ e.change.item_html_no_platform | safe }}{% else %}{{ m::change_item(c=e.change, show_platform=false) }}{% endif %}", "{{ m::change_item(c=e.change, show_platform=false) }}"),
        ("topic_changes.html", "{% if c.item_html %}{{ c.item_html | safe }}{% else %}{{ m::change_item(c=c, show_platform=true) }}{% endif %}", "{{ m::change_item(c=c, show_platform=true) }}"),
        ("change.html", "{% if e.html %}{{ e.html | safe }}{% else %}{{ m::excerpt(e=e) }}{% endif %}", "{{ m::excerpt(e=e) }}"),
    ];
    for (name, made_once, called) in calls {
        let src = builtin(name);
        assert!(
            src.contains(made_once),
            "{name} still uses the made-once item"
        );
        write(
            in_place.path(),
            &format!("themes/default/templates/{name}"),
            &src.replace(made_once, called),
        );
    }
    termtrail_ok(in_place.path(), &["build"]);
    let (a, b) = (
        tree(&once.path().join("public")),
        tree(&in_place.path().join("public")),
    );
    let pages: Vec<&String> = a.keys().filter(|k| k.ends_with(".html")).collect();
    assert!(pages.len() > 20);
    for page in pages {
        assert!(
            a[page] == b[page],
            "{page} differs:\n{}\n---\n{}",
            String::from_utf8_lossy(&a[page]),
            String::from_utf8_lossy(&b[page])
        );
    }
}

/// A static file whose name ends in `.html` is a file, not a page, in the build's report.
#[test]
fn static_html_files_count_as_files() {
    let dir = tempfile::tempdir().unwrap();
    minimal_site(dir.path());
    let counts = |out: &str| -> (usize, usize) {
        let line = out
            .lines()
            .find(|l| l.contains(" pages and "))
            .unwrap()
            .trim();
        let n: Vec<usize> = line
            .split_whitespace()
            .filter_map(|w| w.parse().ok())
            .collect();
        (n[0], n[1])
    };
    let before = counts(&termtrail_ok(dir.path(), &["build"]));
    write(dir.path(), "static/google-site-verification.html", "verify");
    let after = counts(&termtrail_ok(dir.path(), &["build"]));
    assert_eq!(after, (before.0, before.1 + 1));
}
