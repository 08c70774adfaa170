//! Issue 4: feeds and the JSON API. Every feed of a test site is parsed with feed-rs and with
//! Python's feedparser; items, order, links, ids, escaping, channels and empty feeds checked
//! against what the content says, independently of termtrail's code.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use common::{full_site, html, html_files, read, sel, termtrail_ok, tree, write, Links};

const BASE: &str = "https://example.org/atlas";
/// `feed_limit` in `full_site`.
const LIMIT: usize = 10;

const HOSTILE_NAME: &str = "Ac&me <Corp> \"Q\" 'S' 🚀";
const HOSTILE_DOC: &str = "Terms & <Conditions>";
const HOSTILE_TITLE: &str =
    "Fees & <b>bold</b> \"quoted\" 'single' 🚀 — שינוי בתנאים ‏(RTL) ]]> &amp;";
const HOSTILE_SUMMARY: &str = "Costs < more & more > less; \"quotes\" 'too' 😀 عربي نص ]]>";

/// A change record as the test wrote it (or as `full_site` writes it).
#[derive(Clone, Debug)]
struct Rec {
    platform: &'static str,
    platform_name: &'static str,
    document: &'static str,
    document_title: &'static str,
    key: String,
    title: String,
    summary: String,
    topics: Vec<&'static str>,
    draft: bool,
    /// The start of the record's analysis.
    body: String,
}

impl Rec {
    fn date(&self) -> &str {
        &self.key[..10]
    }
    fn permalink(&self) -> String {
        format!("{BASE}/platforms/{}/changes/{}/", self.platform, self.key)
    }
    fn full_title(&self) -> String {
        format!("{}: {}", self.platform_name, self.title)
    }
}

/// `full_site`, plus a platform with a hostile name and fourteen records (two on one day),
/// some tagged with a topic, one with a hostile title and summary, one a draft.
fn feed_site(root: &Path) -> Vec<Rec> {
    full_site(root, BASE);
    let mut recs = vec![
        Rec {
            platform: "netflix",
            platform_name: "Netflix",
            document: "terms-of-use",
            document_title: "Terms of Use",
            key: "2026-01-15-bars-ai-training".into(),
            title: "Netflix bars using its content to train AI models".into(),
            summary: "Users may no longer use Netflix content to train AI & such.".into(),
            topics: vec!["ai-training", "arbitration"],
            draft: false,
            body: "The analysis, with a".into(),
        },
        Rec {
            platform: "netflix",
            platform_name: "Netflix",
            document: "terms-of-use",
            document_title: "Terms of Use",
            key: "2026-01-20-draft-record".into(),
            title: "A draft record".into(),
            summary: "Not ready.".into(),
            topics: vec![],
            draft: true,
            body: "Draft body.".into(),
        },
        Rec {
            platform: "spotify",
            platform_name: "Spotify",
            document: "terms",
            document_title: "Terms of Service",
            key: "2025-11-02-first-capture".into(),
            title: "Spotify terms captured".into(),
            summary: "First capture of Spotify's terms.".into(),
            topics: vec![],
            draft: false,
            body: "Nothing to compare yet.".into(),
        },
    ];
    for r in &recs {
        let file = format!("content/platforms/{}/changes/{}.md", r.platform, r.key);
        assert!(
            read(root, &file).contains(&r.title),
            "full_site changed: {file}"
        );
    }
    write(
        root,
        "content/platforms/acme/platform.yaml",
        &format!(
            "name: {}\nurl: https://acme.example\ndocuments:\n  - id: terms\n    title: {}\n",
            yaml_str(HOSTILE_NAME),
            yaml_str(HOSTILE_DOC)
        ),
    );
    write(
        root,
        "content/platforms/acme/snapshots/terms/2024-01-01.yaml",
        "sections:\n  - id: fees\n    heading: Fees\n    text: Fees apply.\n",
    );
    write(
        root,
        "content/platforms/acme/snapshots/terms/2024-06-01.yaml",
        "sections:\n  - id: fees\n    heading: Fees\n    text: Fees apply, and more fees.\n",
    );
    let mut n = 0;
    let mut add = |recs: &mut Vec<Rec>,
                   key: String,
                   title: String,
                   summary: String,
                   topics: Vec<&'static str>,
                   draft: bool| {
        n += 1;
        let body = format!(
            "Analysis {n}: see [the FAQ](/faq/#what-is-this), [the fees](/platforms/acme/terms/#fees), a note[^n] and ![a picture](/favicon.txt).\n\n[^n]: The note.\n"
        );
        write(
            root,
            &format!("content/platforms/acme/changes/{key}.md"),
            &format!(
                "---\ntitle: {}\ndocument: terms\nsummary: {}\ntopics: [{}]\ndraft: {draft}\n---\n{body}",
                yaml_str(&title),
                yaml_str(&summary),
                topics.join(", ")
            ),
        );
        recs.push(Rec {
            platform: "acme",
            platform_name: HOSTILE_NAME,
            document: "terms",
            document_title: HOSTILE_DOC,
            key,
            title,
            summary,
            topics,
            draft,
            body: format!("Analysis {n}: see"),
        });
    };
    for i in 1..=11 {
        let topics = if i % 3 == 0 {
            vec!["ai-training"]
        } else {
            vec![]
        };
        add(
            &mut recs,
            format!("2024-{:02}-10-change-{i}", i),
            format!("Change number {i}"),
            format!("Summary {i}."),
            topics,
            false,
        );
    }
    // Two records on one day: the slug decides their order.
    add(
        &mut recs,
        "2025-12-01-a-first".into(),
        "Same day, slug a".into(),
        "A.".into(),
        vec!["arbitration"],
        false,
    );
    add(
        &mut recs,
        "2025-12-01-b-second".into(),
        HOSTILE_TITLE.into(),
        HOSTILE_SUMMARY.into(),
        vec!["ai-training", "arbitration"],
        false,
    );
    add(
        &mut recs,
        "2026-03-01-acme-draft".into(),
        "Acme draft".into(),
        "Draft.".into(),
        vec!["ai-training"],
        true,
    );
    recs
}

/// A YAML double-quoted string.
fn yaml_str(s: &str) -> String {
    serde_json::to_string(s).unwrap()
}

/// Every feed scope of the test site (its folder under the output, `""` for the root) with
/// the records it must list, newest first, at most `feed_limit`.
fn expected_scopes(recs: &[Rec]) -> BTreeMap<String, Vec<Rec>> {
    let mut live: Vec<Rec> = recs.iter().filter(|r| !r.draft).cloned().collect();
    // Newest first: date, then slug (both descending), then platform.
    live.sort_by(|a, b| (b.date(), &b.key, b.platform).cmp(&(a.date(), &a.key, a.platform)));
    let pick = |f: &dyn Fn(&Rec) -> bool| -> Vec<Rec> {
        live.iter().filter(|r| f(r)).take(LIMIT).cloned().collect()
    };
    let mut scopes = BTreeMap::new();
    scopes.insert(String::new(), pick(&|_| true));
    let documents = [
        ("netflix", "terms-of-use"),
        ("netflix", "privacy"),
        ("spotify", "terms"),
        ("tiktok", "terms"),
        ("acme", "terms"),
    ];
    for p in ["netflix", "spotify", "tiktok", "acme"] {
        scopes.insert(format!("platforms/{p}/"), pick(&|r| r.platform == p));
    }
    for (p, d) in documents {
        scopes.insert(
            format!("platforms/{p}/{d}/"),
            pick(&|r| r.platform == p && r.document == d),
        );
    }
    for t in ["ai-training", "arbitration", "unused"] {
        scopes.insert(format!("topics/{t}/"), pick(&|r| r.topics.contains(&t)));
    }
    scopes
}

fn built() -> (tempfile::TempDir, Vec<Rec>) {
    let dir = tempfile::tempdir().unwrap();
    let recs = feed_site(dir.path());
    termtrail_ok(dir.path(), &["build"]);
    (dir, recs)
}

fn parse_feed(out: &Path, rel: &str) -> feed_rs::model::Feed {
    let bytes = std::fs::read(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"));
    feed_rs::parser::parse(&bytes[..]).unwrap_or_else(|e| panic!("{rel} does not parse: {e}"))
}

fn midnight(date: &str) -> String {
    format!("{date}T00:00:00+00:00")
}

/// A summary as a reader shows it: RSS descriptions are HTML (the plain-text summary is
/// escaped for HTML inside the XML), Atom summaries and JSON Feed's `summary` are text.
fn summary_text(feed: &str, summary: &str) -> String {
    if feed.ends_with("rss.xml") {
        let frag = scraper::Html::parse_fragment(summary);
        frag.root_element().text().collect()
    } else {
        summary.to_string()
    }
}

/// Every href and src in an HTML fragment.
fn urls_in(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_fragment(html);
    doc.select(&sel("[href], [src]"))
        .flat_map(|e| {
            ["href", "src"]
                .into_iter()
                .filter_map(move |a| e.value().attr(a))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn every_feed_has_exactly_the_contracts_items_in_order() {
    let (dir, recs) = built();
    let out = dir.path().join("public");
    let scopes = expected_scopes(&recs);
    // No other feed is written.
    let written: BTreeSet<String> = tree(&out)
        .into_keys()
        .filter(|k| k.ends_with("rss.xml") || k.ends_with("atom.xml") || k.ends_with("feed.json"))
        .collect();
    let expected_files: BTreeSet<String> = scopes
        .keys()
        .flat_map(|s| ["rss.xml", "atom.xml", "feed.json"].map(|f| format!("{s}{f}")))
        .collect();
    assert_eq!(written, expected_files);
    assert_eq!(scopes[""].len(), LIMIT, "the limit is reached at the root");
    assert!(scopes["platforms/tiktok/"].is_empty() && scopes["topics/unused/"].is_empty());
    for (scope, items) in &scopes {
        for format in ["rss.xml", "atom.xml", "feed.json"] {
            let rel = format!("{scope}{format}");
            let feed = parse_feed(&out, &rel);
            let ids: Vec<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
            let want: Vec<String> = items.iter().map(Rec::permalink).collect();
            assert_eq!(ids, want, "{rel}: items and order");
            for (e, r) in feed.entries.iter().zip(items) {
                let ctx = format!("{rel} {}", r.key);
                assert_eq!(
                    e.title.as_ref().unwrap().content,
                    r.full_title(),
                    "{ctx}: title"
                );
                assert_eq!(
                    e.links.first().map(|l| l.href.as_str()),
                    Some(r.permalink().as_str()),
                    "{ctx}: link"
                );
                assert_eq!(
                    e.published.map(|d| d.to_rfc3339()),
                    Some(midnight(r.date())),
                    "{ctx}: date"
                );
                assert_eq!(
                    e.summary.as_ref().map(|s| summary_text(&rel, &s.content)),
                    Some(r.summary.clone()),
                    "{ctx}: summary"
                );
                let content = e
                    .content
                    .as_ref()
                    .and_then(|c| c.body.clone())
                    .unwrap_or_default();
                assert!(
                    content.contains(&r.body),
                    "{ctx}: the analysis is the content: {content}"
                );
                let urls = urls_in(&content);
                assert_eq!(urls.is_empty(), r.platform == "spotify", "{ctx}: {urls:?}");
                for u in urls {
                    assert!(
                        u.starts_with("https://") || u.starts_with("http://"),
                        "{ctx}: relative URL {u} in the content"
                    );
                }
                let terms: BTreeSet<String> = e
                    .categories
                    .iter()
                    .flat_map(|c| [Some(c.term.clone()), c.label.clone()])
                    .flatten()
                    .collect();
                if format != "feed.json" {
                    // The platform and the document, by name; each topic by title or slug.
                    assert!(
                        terms.contains(r.platform_name) || terms.contains(r.platform),
                        "{ctx}: platform in {terms:?}"
                    );
                    assert!(
                        terms.contains(r.document_title) || terms.contains(r.document),
                        "{ctx}: document in {terms:?}"
                    );
                }
                for t in &r.topics {
                    let title = read(dir.path(), &format!("content/topics/{t}.md"))
                        .lines()
                        .find_map(|l| l.strip_prefix("title: ").map(str::to_string))
                        .unwrap();
                    assert!(
                        terms.contains(*t) || terms.contains(&title),
                        "{ctx}: topic {t} in {terms:?}"
                    );
                }
            }
            // The channel.
            let page = format!("{BASE}/{scope}");
            assert!(
                feed.title.as_ref().is_some_and(|t| !t.content.is_empty()),
                "{rel}: title"
            );
            assert!(
                feed.links.iter().any(|l| l.href == page),
                "{rel}: link to {page} in {:?}",
                feed.links
            );
            assert_eq!(feed.language.as_deref(), Some("en"), "{rel}");
            if format == "rss.xml" {
                // RSS has no author element without an e-mail address: Dublin Core's creator.
                let channel = read(&out, &rel);
                let channel = channel.split("<item>").next().unwrap();
                assert!(
                    channel.contains("<dc:creator>Test Team</dc:creator>"),
                    "{rel}: author"
                );
                for e in &feed.entries {
                    assert!(
                        e.authors
                            .iter()
                            .any(|a| a.name.as_deref() == Some("Test Team")),
                        "{rel}: item author"
                    );
                }
            } else {
                assert!(
                    feed.authors
                        .iter()
                        .any(|a| a.name.as_deref() == Some("Test Team")),
                    "{rel}: author"
                );
            }
            if format != "feed.json" {
                let newest = items
                    .first()
                    .map(|r| midnight(r.date()))
                    .unwrap_or_else(|| midnight("1970-01-01"));
                assert_eq!(
                    feed.updated.map(|d| d.to_rfc3339()),
                    Some(newest),
                    "{rel}: last build date"
                );
            }
        }
    }
}

/// The RSS and Atom files, read as text: the structure readers rely on.
#[test]
fn rss_and_atom_structure() {
    let (dir, recs) = built();
    let out = dir.path().join("public");
    for (scope, items) in expected_scopes(&recs) {
        let rss = read(&out, &format!("{scope}rss.xml"));
        assert!(rss.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        let channel = rss.split("<item>").next().unwrap();
        for tag in [
            "<title>",
            "<link>",
            "<description>",
            "<language>en</language>",
            "<lastBuildDate>",
        ] {
            assert_eq!(
                channel.matches(tag).count(),
                1,
                "{scope}rss.xml channel {tag}"
            );
        }
        let self_link = format!(
            "<atom:link href=\"{BASE}/{scope}rss.xml\" rel=\"self\" type=\"application/rss+xml\"/>"
        );
        assert!(channel.contains(&self_link), "{scope}rss.xml: {self_link}");
        let rss_items: Vec<&str> = rss.split("<item>").skip(1).collect();
        assert_eq!(rss_items.len(), items.len());
        for (x, r) in rss_items.iter().zip(&items) {
            let p = r.permalink();
            assert!(x.contains(&format!("<link>{p}</link>")), "{x}");
            assert!(
                x.contains(&format!("<guid isPermaLink=\"true\">{p}</guid>")),
                "{x}"
            );
            assert_eq!(x.matches("<pubDate>").count(), 1);
            assert_eq!(x.matches("<title>").count(), 1);
            assert_eq!(x.matches("<description>").count(), 1);
            assert_eq!(x.matches("<content:encoded>").count(), 1);
            let date = jiff::civil::Date::strptime("%Y-%m-%d", r.date()).unwrap();
            assert!(
                x.contains(&format!(
                    "<pubDate>{} 00:00:00 +0000</pubDate>",
                    date.strftime("%a, %d %b %Y")
                )),
                "RFC 822: {x}"
            );
        }
        let atom = read(&out, &format!("{scope}atom.xml"));
        let head = atom.split("<entry>").next().unwrap();
        for tag in ["<title>", "<id>", "<updated>", "<author>", "rel=\"self\""] {
            assert_eq!(head.matches(tag).count(), 1, "{scope}atom.xml feed {tag}");
        }
        let entries: Vec<&str> = atom.split("<entry>").skip(1).collect();
        assert_eq!(entries.len(), items.len());
        for (x, r) in entries.iter().zip(&items) {
            assert!(x.contains(&format!("<id>{}</id>", r.permalink())), "{x}");
            assert!(
                x.contains(&format!("<updated>{}T00:00:00Z</updated>", r.date())),
                "RFC 3339: {x}"
            );
            assert_eq!(x.matches("<title>").count(), 1);
            assert!(x.contains(&format!(
                "<link href=\"{}\" rel=\"alternate\"",
                r.permalink()
            )));
        }
        // JSON Feed 1.1: the required fields, and our extension.
        let json: serde_json::Value =
            serde_json::from_str(&read(&out, &format!("{scope}feed.json"))).unwrap();
        assert_eq!(json["version"], "https://jsonfeed.org/version/1.1");
        assert_eq!(json["feed_url"], format!("{BASE}/{scope}feed.json"));
        assert_eq!(json["home_page_url"], format!("{BASE}/{scope}"));
        for (item, r) in json["items"].as_array().unwrap().iter().zip(&items) {
            assert_eq!(item["id"], r.permalink());
            assert_eq!(item["url"], r.permalink());
            assert_eq!(item["title"], r.full_title());
            assert_eq!(item["summary"], r.summary);
            assert_eq!(item["date_published"], format!("{}T00:00:00Z", r.date()));
            assert!(item["content_html"].as_str().unwrap().contains(&r.body));
            assert_eq!(item["_termtrail"]["platform"], r.platform);
            assert_eq!(item["_termtrail"]["document"], r.document);
            assert_eq!(item["_termtrail"]["topics"], serde_json::json!(r.topics));
        }
    }
}

/// Titles and summaries with `&`, `<`, quotes, emoji and right-to-left text come out of every
/// feed, page and data file exactly as written.
#[test]
fn hostile_titles_survive_every_escaping_path() {
    let (dir, recs) = built();
    let out = dir.path().join("public");
    let hostile = recs.iter().find(|r| r.title == HOSTILE_TITLE).unwrap();
    for rel in [
        "platforms/acme/rss.xml",
        "platforms/acme/atom.xml",
        "platforms/acme/feed.json",
        "topics/ai-training/atom.xml",
    ] {
        let feed = parse_feed(&out, rel);
        let e = feed
            .entries
            .iter()
            .find(|e| e.id == hostile.permalink())
            .unwrap_or_else(|| panic!("{rel}"));
        assert_eq!(
            e.title.as_ref().unwrap().content,
            format!("{HOSTILE_NAME}: {HOSTILE_TITLE}"),
            "{rel}"
        );
        assert_eq!(
            summary_text(rel, &e.summary.as_ref().unwrap().content),
            HOSTILE_SUMMARY,
            "{rel}"
        );
    }
    let feed = parse_feed(&out, "platforms/acme/rss.xml");
    assert!(feed.title.unwrap().content.contains(HOSTILE_NAME));
    // The change page, its <title>, and the feed links in <head>.
    let page = html(
        &out,
        &format!("platforms/acme/changes/{}/index.html", hostile.key),
    );
    let h1: String = page.select(&sel("h1")).next().unwrap().text().collect();
    assert_eq!(h1.trim(), HOSTILE_TITLE);
    let title: String = page.select(&sel("title")).next().unwrap().text().collect();
    assert!(title.contains(HOSTILE_TITLE), "{title}");
    let platform_page = html(&out, "platforms/acme/index.html");
    let alt = platform_page
        .select(&sel("head link[rel=alternate]"))
        .next()
        .unwrap();
    assert!(alt.value().attr("title").unwrap().contains(HOSTILE_NAME));
    // The API.
    let api: serde_json::Value = serde_json::from_str(&read(&out, "api/changes.json")).unwrap();
    let c = api["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == hostile.permalink())
        .unwrap();
    assert_eq!(c["title"], HOSTILE_TITLE);
    assert_eq!(c["summary"], HOSTILE_SUMMARY);
    assert_eq!(c["platform_name"], HOSTILE_NAME);
}

/// Python's feedparser, the reference most readers are built like, reads every RSS and Atom
/// feed without complaint (no "bozo") and finds the same items.
#[test]
fn feedparser_reads_every_feed() {
    let (dir, recs) = built();
    let out = dir.path().join("public");
    let scopes = expected_scopes(&recs);
    let files: Vec<String> = scopes
        .keys()
        .flat_map(|s| [format!("{s}rss.xml"), format!("{s}atom.xml")])
        .collect();
    const SCRIPT: &str = r#"
import json, sys
try:
    import feedparser
except ImportError:
    sys.exit(3)
result = {}
for f in sys.argv[1:]:
    d = feedparser.parse(f)
    result[f] = {
        "bozo": bool(d.bozo), "error": str(d.get("bozo_exception", "")), "version": d.version,
        "ids": [e.get("id") for e in d.entries], "links": [e.get("link") for e in d.entries],
        "titles": [e.get("title") for e in d.entries], "dates": [e.get("published") for e in d.entries],
        "feed_link": d.feed.get("link"), "language": d.feed.get("language"),
    }
print(json.dumps(result))
"#;
    let run = Command::new("python3")
        .arg("-c")
        .arg(SCRIPT)
        .args(&files)
        .current_dir(&out)
        .output();
    let output = match run {
        Ok(o) => o,
        Err(e) => {
            eprintln!("skipped: python3 is not available ({e})");
            return;
        }
    };
    if output.status.code() == Some(3) {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "feedparser is missing on CI: scripts/test installs it"
        );
        eprintln!("skipped: Python's feedparser is not installed (pip install feedparser)");
        return;
    }
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let result: BTreeMap<String, serde_json::Value> =
        serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(result.len(), files.len());
    for (file, r) in &result {
        assert_eq!(r["bozo"], false, "{file}: {}", r["error"]);
        let want_version = if file.ends_with("rss.xml") {
            "rss20"
        } else {
            "atom10"
        };
        assert_eq!(r["version"], want_version, "{file}");
        let scope = file
            .trim_end_matches("rss.xml")
            .trim_end_matches("atom.xml");
        let items = &scopes[scope];
        let want: Vec<String> = items.iter().map(Rec::permalink).collect();
        assert_eq!(r["ids"], serde_json::json!(want), "{file}");
        assert_eq!(r["links"], serde_json::json!(want), "{file}");
        assert_eq!(r["feed_link"], format!("{BASE}/{scope}"), "{file}");
        assert_eq!(r["language"], "en", "{file}");
        for (t, rec) in r["titles"].as_array().unwrap().iter().zip(items) {
            let t = t.as_str().unwrap();
            if rec.platform != "acme" {
                assert_eq!(t, rec.full_title(), "{file}");
            } else {
                // feedparser sanitises titles that look like HTML (`<Corp>`); the words stay.
                assert!(t.contains("Ac&me") && t.contains("🚀"), "{file}: {t}");
                if rec.title == HOSTILE_TITLE {
                    assert!(
                        t.contains("שינוי בתנאים") && t.contains("\"quoted\""),
                        "{file}: {t}"
                    );
                } else {
                    assert!(t.ends_with(&rec.title), "{file}: {t}");
                }
            }
        }
    }
}

/// Ids and links do not change between builds, even when new records arrive; the same input
/// builds the same bytes.
#[test]
fn ids_are_stable_across_builds() {
    let (dir, _) = built();
    let out = dir.path().join("public");
    let feeds = |out: &Path| -> BTreeMap<String, Vec<u8>> {
        tree(out)
            .into_iter()
            .filter(|(k, _)| k.ends_with(".xml") || k.ends_with(".json"))
            .collect()
    };
    let first = feeds(&out);
    termtrail_ok(dir.path(), &["build"]);
    assert_eq!(feeds(&out), first, "the same input builds the same feeds");
    let ids = |rel: &str| -> BTreeMap<String, String> {
        parse_feed(&out, rel)
            .entries
            .into_iter()
            .map(|e| (e.title.unwrap().content, e.id))
            .collect()
    };
    let before: Vec<_> = [
        "rss.xml",
        "atom.xml",
        "feed.json",
        "platforms/netflix/rss.xml",
    ]
    .iter()
    .map(|f| ids(f))
    .collect();
    write(
        dir.path(),
        "content/platforms/netflix/changes/2026-06-01-newer.md",
        "---\ntitle: A newer record\ndocument: terms-of-use\nsummary: Newer.\n---\nBody.\n",
    );
    termtrail_ok(dir.path(), &["build"]);
    for (f, old) in [
        "rss.xml",
        "atom.xml",
        "feed.json",
        "platforms/netflix/rss.xml",
    ]
    .iter()
    .zip(before)
    {
        let new = ids(f);
        assert_eq!(
            new.get("Netflix: A newer record").map(String::as_str),
            Some(&*format!(
                "{BASE}/platforms/netflix/changes/2026-06-01-newer/"
            )),
            "{f}"
        );
        for (title, id) in &old {
            if let Some(now) = new.get(title) {
                assert_eq!(now, id, "{f}: {title}");
            }
        }
        assert!(
            old.keys().filter(|t| new.contains_key(*t)).count() >= old.len().min(LIMIT) - 1,
            "{f}"
        );
    }
}

/// Every HTML page names its feeds in `<head>`, and `/feeds/` lists every feed and explains
/// what a feed is.
#[test]
fn pages_link_their_feeds_and_the_feeds_page_lists_them_all() {
    let (dir, _) = built();
    let out = dir.path().join("public");
    let links = Links::new(&out, "/atlas");
    for file in html_files(&out) {
        let page = html(&out, &file);
        for ty in [
            "application/rss+xml",
            "application/atom+xml",
            "application/feed+json",
        ] {
            let alt: Vec<_> = page
                .select(&sel(&format!("head link[rel=alternate][type=\"{ty}\"]")))
                .collect();
            assert!(!alt.is_empty(), "{file}: no {ty} link in <head>");
            for a in alt {
                let href = a.value().attr("href").unwrap();
                links.check(&file, href).unwrap();
                assert!(
                    a.value().attr("title").is_some_and(|t| !t.is_empty()),
                    "{file}"
                );
            }
        }
    }
    // A scope's pages name its own feed first.
    for (page, feed) in [
        ("platforms/acme/index.html", "platforms/acme/rss.xml"),
        (
            "platforms/netflix/terms-of-use/index.html",
            "platforms/netflix/terms-of-use/rss.xml",
        ),
        (
            "topics/ai-training/index.html",
            "topics/ai-training/rss.xml",
        ),
        ("index.html", "rss.xml"),
    ] {
        let doc = html(&out, page);
        let first = doc
            .select(&sel(
                "head link[rel=alternate][type=\"application/rss+xml\"]",
            ))
            .next()
            .unwrap();
        assert_eq!(
            first.value().attr("href"),
            Some(&*format!("/atlas/{feed}")),
            "{page}"
        );
    }
    let feeds_page = html(&out, "feeds/index.html");
    let listed: BTreeSet<String> = feeds_page
        .select(&sel("main a[href]"))
        .filter_map(|a| a.value().attr("href"))
        .filter(|h| h.ends_with(".xml") || h.ends_with(".json"))
        .map(|h| h.trim_start_matches("/atlas/").to_string())
        .collect();
    let written: BTreeSet<String> = tree(&out)
        .into_keys()
        .filter(|k| k.ends_with("rss.xml") || k.ends_with("atom.xml") || k.ends_with("feed.json"))
        .collect();
    assert_eq!(listed, written, "/feeds/ lists every feed");
    let text: String = feeds_page
        .select(&sel("main"))
        .next()
        .unwrap()
        .text()
        .collect();
    assert!(
        text.contains("feed reader"),
        "/feeds/ explains what a feed is: {text}"
    );
    assert!(
        text.to_lowercase().contains("address"),
        "and how to subscribe"
    );
}

/// The JSON API: every record, in the feeds' order, absolute URLs, ISO dates, diff statistics,
/// and every field documented in docs/api.md.
#[test]
fn api_files_are_complete_and_documented() {
    let (dir, recs) = built();
    let out = dir.path().join("public");
    let docs = read(&common::repo_root(), "docs/api.md");
    let documented =
        |key: &str| docs.contains(&format!("`{key}` |")) || docs.contains(&format!("`{key}`, `"));
    let iso = |s: &serde_json::Value| {
        let s = s.as_str().unwrap_or("");
        jiff::civil::Date::strptime("%Y-%m-%d", s).is_ok() && s.len() == 10
    };
    let changes: serde_json::Value = serde_json::from_str(&read(&out, "api/changes.json")).unwrap();
    assert_eq!(changes["version"], 1);
    assert_eq!(changes["site"], BASE);
    let mut live: Vec<&Rec> = recs.iter().filter(|r| !r.draft).collect();
    live.sort_by(|a, b| (b.date(), &b.key, b.platform).cmp(&(a.date(), &a.key, a.platform)));
    let list = changes["changes"].as_array().unwrap();
    let ids: Vec<&str> = list.iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, live.iter().map(|r| r.permalink()).collect::<Vec<_>>());
    for (c, r) in list.iter().zip(&live) {
        for (k, v) in c.as_object().unwrap() {
            assert!(
                documented(k),
                "changes.json field {k} is not in docs/api.md"
            );
            if k.ends_with("url") || k == "id" {
                assert!(
                    v.is_null() || v.as_str().unwrap().starts_with(BASE),
                    "{k}: {v}"
                );
            }
        }
        assert!(iso(&c["date"]) && c["date"] == r.date());
        assert_eq!(c["platform"], r.platform);
        assert_eq!(c["document"], r.document);
        assert_eq!(c["topics"], serde_json::json!(r.topics));
        if c["from"].is_null() || c["to"].is_null() {
            assert!(c["stats"].is_null(), "{c}");
        } else {
            assert!(iso(&c["from"]) && iso(&c["to"]));
            for k in c["stats"].as_object().unwrap().keys() {
                assert!(documented(k), "stats field {k} is not in docs/api.md");
            }
        }
    }
    // The acme records compare 2024-01-01 with 2024-06-01 once that exists: one changed section.
    let later = list
        .iter()
        .find(|c| c["id"] == format!("{BASE}/platforms/acme/changes/2024-07-10-change-7/"))
        .unwrap();
    assert_eq!(later["from"], "2024-01-01");
    assert_eq!(later["to"], "2024-06-01");
    assert_eq!(later["stats"]["sections_changed"], 1);
    assert_eq!(later["stats"]["words_added"], 3, "{later}");
    let platforms: serde_json::Value =
        serde_json::from_str(&read(&out, "api/platforms.json")).unwrap();
    assert_eq!(platforms["version"], 1);
    let slugs: Vec<&str> = platforms["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["slug"].as_str().unwrap())
        .collect();
    assert_eq!(slugs, ["acme", "netflix", "spotify", "tiktok"]);
    for p in platforms["platforms"].as_array().unwrap() {
        for (k, _) in p.as_object().unwrap() {
            assert!(
                documented(k),
                "platforms.json field {k} is not in docs/api.md"
            );
        }
        assert!(p["url"].as_str().unwrap().starts_with(BASE));
        for d in p["documents"].as_array().unwrap() {
            for (k, _) in d.as_object().unwrap() {
                assert!(documented(k), "document field {k} is not in docs/api.md");
            }
            assert!(d["url"].as_str().unwrap().starts_with(BASE));
            for (i, v) in d["versions"].as_array().unwrap().iter().enumerate() {
                for (k, _) in v.as_object().unwrap() {
                    assert!(documented(k), "version field {k} is not in docs/api.md");
                }
                assert!(iso(&v["date"]));
                assert!(v["url"].as_str().unwrap().starts_with(BASE));
                assert_eq!(v["stats"].is_null(), i == 0, "{v}");
            }
        }
    }
}

/// JSON feeds are laid out as `serde_json` pretty-prints them (keys sorted, two-space indent),
/// item by item, feeds with no items among them.
#[test]
fn json_feeds_are_pretty_printed_json() {
    let (dir, _) = built();
    let out = dir.path().join("public");
    let mut feeds = 0;
    let mut empty = 0;
    for entry in walkdir::WalkDir::new(&out) {
        let entry = entry.unwrap();
        if entry.file_name() != "feed.json" {
            continue;
        }
        let text = std::fs::read_to_string(entry.path()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let pretty = serde_json::to_string_pretty(&value).unwrap() + "\n";
        assert!(pretty == text, "{}:\n{text}", entry.path().display());
        // Keys in sorted order, as serde_json writes an object (and would write it back in
        // any order if it kept the order it read).
        let keys: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("  \"")?.split_once('"').map(|(k, _)| k))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort_unstable();
        assert_eq!(keys, sorted, "{}", entry.path().display());
        assert!(keys.len() >= 8, "{keys:?}");
        feeds += 1;
        empty += usize::from(value["items"].as_array().unwrap().is_empty());
    }
    assert!(feeds > 5 && empty > 0, "{feeds} feeds, {empty} empty");
}
