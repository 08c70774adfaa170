//! Issue 5: comparisons, topics, FAQ and pages. `full_site` has three platforms tagging the
//! same topic; this adds two more (one with two tagged clauses, one long) so that limits,
//! order and shortening are tested, and checks every excerpt, attribution and link.

mod common;

use std::collections::BTreeMap;

use common::{full_site, html, html_files, sel, squash, termtrail_ok, visible_text, write, Links};
use scraper::ElementRef;

const BASE: &str = "https://example.org/atlas";
/// `comparison_limit` in `full_site`.
const LIMIT: usize = 2;

/// A clause of a current snapshot, as the test wrote it.
#[derive(Clone, Debug)]
struct Clause {
    platform: &'static str,
    name: &'static str,
    document: &'static str,
    document_title: &'static str,
    anchor: &'static str,
    heading: &'static str,
    text: String,
    captured: &'static str,
    topics: Vec<&'static str>,
}

const LONG: &str = "Amazon may not use your content to train models without consent. This sentence is here to make the clause long enough to need shortening on the page. Another sentence follows it, and then another one, so that the excerpt has to stop somewhere sensible. It stops at the end of a sentence when one is near the limit. Otherwise it stops at a word and shows an ellipsis. This last sentence is well past the limit and must not be shown in the excerpt.";

fn site(root: &std::path::Path) -> Vec<Clause> {
    full_site(root, BASE);
    write(
        root,
        "content/platforms/amazon/platform.yaml",
        "name: Amazon\nurl: https://www.amazon.com\ndocuments:\n  - id: conditions\n    title: Conditions of Use\n",
    );
    write(
        root,
        "content/platforms/amazon/snapshots/conditions/2026-02-01.yaml",
        &format!("sections:\n  - id: ml\n    heading: Machine learning\n    topics: [ai-training]\n    text: \"{LONG}\"\n  - id: ml-2\n    heading: More machine learning\n    topics: [ai-training]\n    text: A second clause about training.\n"),
    );
    write(
        root,
        "content/platforms/zeta/platform.yaml",
        "name: Zeta\nurl: https://zeta.example\ndocuments:\n  - id: terms\n    title: Terms\n",
    );
    write(
        root,
        "content/platforms/zeta/snapshots/terms/2024-01-01.yaml",
        "sections:\n  - id: ai\n    heading: AI\n    topics: [ai-training]\n    text: Zeta does not train AI.\n",
    );
    // A record on another platform sharing a topic with Netflix's: a related change.
    write(
        root,
        "content/platforms/spotify/changes/2026-02-10-ai-clause.md",
        "---\ntitle: Spotify clarifies its AI clause\ndocument: terms\nsummary: Clarified.\ntopics: [ai-training]\n---\nBody.\n",
    );
    let clause = |platform,
                  name,
                  document,
                  document_title,
                  anchor,
                  heading,
                  text: &str,
                  captured,
                  topics: Vec<&'static str>| Clause {
        platform,
        name,
        document,
        document_title,
        anchor,
        heading,
        text: text.to_string(),
        captured,
        topics,
    };
    vec![
        clause("amazon", "Amazon", "conditions", "Conditions of Use", "ml", "Machine learning", LONG, "2026-02-01", vec!["ai-training"]),
        clause("amazon", "Amazon", "conditions", "Conditions of Use", "ml-2", "More machine learning", "A second clause about training.", "2026-02-01", vec!["ai-training"]),
        clause("netflix", "Netflix", "terms-of-use", "Terms of Use", "4-6", "Restrictions on use", "You agree not to archive, reproduce or distribute content, or use it to train machine learning models.", "2026-01-15", vec!["ai-training"]),
        clause("netflix", "Netflix", "terms-of-use", "Terms of Use", "6", "Disputes", "Disputes go to binding arbitration.", "2026-01-15", vec!["arbitration"]),
        clause("spotify", "Spotify", "terms", "Terms of Service", "ai", "Machine learning", "Spotify may not be used to train AI.", "2025-11-02", vec!["ai-training"]),
        clause("spotify", "Spotify", "terms", "Terms of Service", "disputes", "Disputes", "Arbitration in New York.", "2025-11-02", vec!["arbitration"]),
        clause("tiktok", "TikTok", "terms", "Terms of Service", "ai", "Machine learning", "TikTok content may not train models.", "2026-02-01", vec!["ai-training"]),
        clause("tiktok", "TikTok", "terms", "Terms of Service", "disputes", "Disputes", "Arbitration in New York.", "2026-02-01", vec!["arbitration"]),
        clause("zeta", "Zeta", "terms", "Terms", "ai", "AI", "Zeta does not train AI.", "2024-01-01", vec!["ai-training"]),
    ]
}

fn built() -> (tempfile::TempDir, Vec<Clause>) {
    let dir = tempfile::tempdir().unwrap();
    let clauses = site(dir.path());
    termtrail_ok(dir.path(), &["build"]);
    (dir, clauses)
}

/// What "how other platforms handle this" must show for `topic` on a record of `platform`:
/// most recently captured first, then by platform name; every other platform's first clause
/// before any platform's second; at most `LIMIT`.
fn expected_others<'a>(clauses: &'a [Clause], topic: &str, platform: &str) -> Vec<&'a Clause> {
    let mut tagged: Vec<&Clause> = clauses
        .iter()
        .filter(|c| c.topics.contains(&topic) && c.platform != platform)
        .collect();
    tagged.sort_by(|a, b| b.captured.cmp(a.captured).then(a.name.cmp(b.name)));
    let mut rank: BTreeMap<&str, usize> = BTreeMap::new();
    let mut ranked: Vec<(usize, usize, &Clause)> = tagged
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let r = rank.entry(c.platform).or_default();
            *r += 1;
            (*r, i, *c)
        })
        .collect();
    ranked.sort_by_key(|&(r, i, _)| (r, i));
    ranked.truncate(LIMIT);
    ranked.sort_by_key(|&(_, i, _)| i);
    ranked.into_iter().map(|(_, _, c)| c).collect()
}

/// Checks one excerpt `<figure>` against the clause it quotes; returns its links.
fn check_excerpt(fig: ElementRef<'_>, c: &Clause, with_platform: bool) -> Vec<String> {
    let quote = squash(&visible_text(
        fig.select(&sel("blockquote")).next().unwrap(),
    ));
    let full = squash(&c.text);
    let ctx = format!("{}/{}", c.platform, c.anchor);
    if full.chars().count() <= 360 {
        assert_eq!(quote, full, "{ctx}: a short clause is quoted whole");
    } else {
        assert!(quote.chars().count() <= 361, "{ctx}: shortened: {quote}");
        let kept = quote.trim_end_matches('…');
        assert!(
            full.starts_with(kept),
            "{ctx}: the excerpt is the clause's beginning: {quote}"
        );
        let next = full[kept.len()..].chars().next();
        assert!(
            kept.ends_with(['.', '!', '?']) || next.is_some_and(char::is_whitespace),
            "{ctx}: cut at a sentence or word boundary: {quote}"
        );
        assert!(
            fig.select(&sel("a"))
                .any(|a| a.text().collect::<String>().contains("full section")),
            "{ctx}"
        );
    }
    let caption = squash(&visible_text(
        fig.select(&sel("figcaption")).next().unwrap(),
    ));
    let attribution = if with_platform {
        format!("Excerpt from {}'s {}", c.name, c.document_title)
    } else {
        format!("Excerpt from {}", c.document_title)
    };
    assert!(caption.starts_with(&attribution), "{ctx}: {caption}");
    assert!(
        caption.contains(c.heading),
        "{ctx}: the heading in {caption}"
    );
    assert!(caption.contains("captured"), "{ctx}: {caption}");
    let time = fig.select(&sel("figcaption time")).next().unwrap();
    assert_eq!(time.value().attr("datetime"), Some(c.captured), "{ctx}");
    let hrefs: Vec<String> = fig
        .select(&sel("a[href]"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    let section = format!(
        "/atlas/platforms/{}/{}/#{}",
        c.platform, c.document, c.anchor
    );
    assert!(
        hrefs.contains(&section),
        "{ctx}: a link to the section on the document page: {hrefs:?}"
    );
    let history = format!(
        "/atlas/platforms/{}/{}/sections/{}/",
        c.platform, c.document, c.anchor
    );
    assert!(
        hrefs.contains(&history),
        "{ctx}: a link to the section's history: {hrefs:?}"
    );
    hrefs
}

#[test]
fn change_page_compares_other_platforms_with_attribution() {
    let (dir, clauses) = built();
    let out = dir.path().join("public");
    let links = Links::new(&out, "/atlas");
    let file = "platforms/netflix/changes/2026-01-15-bars-ai-training/index.html";
    let page = html(&out, file);
    let blocks: Vec<ElementRef<'_>> = page.select(&sel("section.comparison")).collect();
    assert_eq!(blocks.len(), 2, "one block per topic of the record");
    for (block, topic, title) in [
        (blocks[0], "ai-training", "AI training"),
        (blocks[1], "arbitration", "Arbitration"),
    ] {
        let h2 = visible_text(block.select(&sel("h2")).next().unwrap());
        assert_eq!(
            squash(&h2),
            format!("How other platforms handle this: {title}")
        );
        let figs: Vec<ElementRef<'_>> = block.select(&sel("figure.excerpt")).collect();
        let want = expected_others(&clauses, topic, "netflix");
        assert_eq!(figs.len(), want.len(), "{topic}: at most comparison_limit");
        assert!(figs.len() <= LIMIT);
        for (fig, c) in figs.iter().zip(&want) {
            for href in check_excerpt(*fig, c, true) {
                links.check(file, &href).unwrap();
            }
        }
    }
    // Breadth first: Amazon's second clause gives way to TikTok.
    let first: Vec<&str> = expected_others(&clauses, "ai-training", "netflix")
        .iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(first, ["Amazon", "TikTok"]);
    // Related changes: records of other platforms sharing a topic.
    let related: Vec<&str> = page
        .select(&sel("section[aria-labelledby=tt-related] .change-title a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        related,
        ["/atlas/platforms/spotify/changes/2026-02-10-ai-clause/"]
    );
}

#[test]
fn topic_page_shows_every_platforms_clauses_then_its_changes() {
    let (dir, clauses) = built();
    let out = dir.path().join("public");
    let links = Links::new(&out, "/atlas");
    let file = "topics/ai-training/index.html";
    let page = html(&out, file);
    let main = page.select(&sel("main")).next().unwrap();
    let text = squash(&visible_text(main));
    assert!(text.contains("Can your data train AI?"), "the question");
    assert!(
        text.contains("Whether content may be used to train models."),
        "the introduction"
    );
    // Grouped by platform, in name order; every tagged clause of every current snapshot.
    let tagged: Vec<&Clause> = clauses
        .iter()
        .filter(|c| c.topics.contains(&"ai-training"))
        .collect();
    let mut names: Vec<&str> = tagged.iter().map(|c| c.name).collect();
    names.dedup();
    let groups: Vec<ElementRef<'_>> = page.select(&sel(".comparison-group")).collect();
    let group_names: Vec<String> = groups
        .iter()
        .map(|g| squash(&visible_text(g.select(&sel("h3")).next().unwrap())))
        .collect();
    assert_eq!(group_names, names);
    for g in &groups {
        let name = squash(&visible_text(g.select(&sel("h3")).next().unwrap()));
        let want: Vec<&&Clause> = tagged.iter().filter(|c| c.name == name).collect();
        let figs: Vec<ElementRef<'_>> = g.select(&sel("figure.excerpt")).collect();
        assert_eq!(
            figs.len(),
            want.len(),
            "{name}: every clause, no limit on the topic page"
        );
        for (fig, c) in figs.iter().zip(want) {
            for href in check_excerpt(*fig, c, false) {
                links.check(file, &href).unwrap();
            }
        }
        let platform_link = g
            .select(&sel("h3 a"))
            .next()
            .unwrap()
            .value()
            .attr("href")
            .unwrap();
        links.check(file, platform_link).unwrap();
    }
    // Then the records tagged with it, newest first.
    let changes: Vec<&str> = page
        .select(&sel("section[aria-labelledby=tt-changes] .change-title a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        changes,
        [
            "/atlas/platforms/spotify/changes/2026-02-10-ai-clause/",
            "/atlas/platforms/netflix/changes/2026-01-15-bars-ai-training/"
        ]
    );
    // The topic's own feeds.
    let feeds: Vec<&str> = page
        .select(&sel(".feed-links a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(
        feeds,
        [
            "/atlas/topics/ai-training/rss.xml",
            "/atlas/topics/ai-training/atom.xml",
            "/atlas/topics/ai-training/feed.json"
        ]
    );
    for f in feeds {
        links.check(file, f).unwrap();
    }
}

#[test]
fn a_topic_tagged_nowhere_still_has_a_page_that_says_so() {
    let (dir, _) = built();
    let out = dir.path().join("public");
    let page = html(&out, "topics/unused/index.html");
    assert!(page.select(&sel("figure.excerpt")).next().is_none());
    let empty: Vec<String> = page
        .select(&sel("main .empty"))
        .map(|e| visible_text(e))
        .collect();
    assert_eq!(empty.len(), 2, "no clause, no change: {empty:?}");
    assert!(empty[0].contains("No clause"), "{empty:?}");
    assert!(empty[1].contains("No change record"), "{empty:?}");
    assert!(
        squash(&visible_text(page.select(&sel("main")).next().unwrap()))
            .contains("Nothing is tagged with this.")
    );
    // The topics index counts platforms and changes.
    let index = html(&out, "topics/index.html");
    let cards: BTreeMap<String, String> = index
        .select(&sel(".card"))
        .map(|c| {
            let href = c
                .select(&sel("a"))
                .next()
                .unwrap()
                .value()
                .attr("href")
                .unwrap()
                .to_string();
            (href, squash(&visible_text(c)))
        })
        .collect();
    assert!(
        cards["/atlas/topics/ai-training/"].contains("5 platforms · 2 changes"),
        "{cards:?}"
    );
    assert!(
        cards["/atlas/topics/arbitration/"].contains("3 platforms · 1 change"),
        "{cards:?}"
    );
    assert!(
        cards["/atlas/topics/unused/"].contains("0 platforms · 0 changes"),
        "{cards:?}"
    );
}

#[test]
fn faq_pages_and_footer() {
    let (dir, _) = built();
    let out = dir.path().join("public");
    let faq = html(&out, "faq/index.html");
    // In order, each question with an anchor.
    let questions: Vec<(String, String)> = faq
        .select(&sel("section.faq-entry h2"))
        .map(|h| {
            (
                h.value().id().unwrap().to_string(),
                squash(&visible_text(h)),
            )
        })
        .collect();
    assert_eq!(
        questions,
        [
            ("what-is-this".to_string(), "What is this site?".to_string()),
            (
                "netflix-ai".to_string(),
                "Can I train AI on Netflix?".to_string()
            )
        ]
    );
    // JSON-LD: FAQPage with every question and its answer as text.
    let scripts: Vec<String> = faq
        .select(&sel("script[type=\"application/ld+json\"]"))
        .map(|s| s.text().collect())
        .collect();
    assert_eq!(scripts.len(), 1);
    let ld: serde_json::Value = serde_json::from_str(&scripts[0]).expect("JSON-LD parses");
    assert_eq!(ld["@context"], "https://schema.org");
    assert_eq!(ld["@type"], "FAQPage");
    let entities = ld["mainEntity"].as_array().unwrap();
    assert_eq!(entities.len(), 2);
    for (e, (_, q)) in entities.iter().zip(&questions) {
        assert_eq!(e["@type"], "Question");
        assert_eq!(&e["name"], q);
        assert_eq!(e["acceptedAnswer"]["@type"], "Answer");
    }
    assert!(entities[0]["acceptedAnswer"]["text"]
        .as_str()
        .unwrap()
        .contains("A tracker of terms."));
    assert!(
        !entities[0]["acceptedAnswer"]["text"]
            .as_str()
            .unwrap()
            .contains('<'),
        "text, not HTML"
    );
    // The hostile answer neither ends the JSON-LD script nor runs.
    let raw = common::read(&out, "faq/index.html");
    assert!(
        !raw.contains("<script>alert"),
        "an answer's markup reached the page"
    );
    // An entry with `platform` is on that platform's page too.
    let netflix = html(&out, "platforms/netflix/index.html");
    let there: Vec<String> = netflix
        .select(&sel("section[aria-labelledby=tt-faq] h3"))
        .map(|h| squash(&visible_text(h)))
        .collect();
    assert_eq!(there, ["Can I train AI on Netflix?"]);
    let spotify = html(&out, "platforms/spotify/index.html");
    assert!(spotify
        .select(&sel("section[aria-labelledby=tt-faq]"))
        .next()
        .is_none());
    // The page, and the footer of every page: the disclaimer and the methodology.
    let page = html(&out, "methodology/index.html");
    assert_eq!(
        squash(&visible_text(page.select(&sel("h1")).next().unwrap())),
        "Methodology"
    );
    for file in html_files(&out) {
        let doc = html(&out, &file);
        let footer = doc
            .select(&sel("footer"))
            .last()
            .unwrap_or_else(|| panic!("{file}: no footer"));
        assert!(visible_text(footer).contains("not legal advice"), "{file}");
        assert!(
            footer
                .select(&sel("a[href=\"/atlas/methodology/\"]"))
                .next()
                .is_some(),
            "{file}: no methodology link"
        );
    }
}

/// A topic with more records than its page lists: the page lists the newest, and links to a
/// list of all of them, a hundred a page, each record on exactly one page, newest first.
#[test]
fn a_topic_with_many_changes_lists_the_newest_and_pages_through_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    // 43 platforms × 3 records, all tagged `ai-training`: 129 records, two pages.
    common::large_site(root, 43, 4, 1);
    termtrail_ok(root, &["build"]);
    let out = root.join("public");
    let links = Links::new(&out, "");
    let record_links = |page: &scraper::Html| -> Vec<String> {
        page.select(&sel("ol.changes > li h3 a"))
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect()
    };

    let topic = html(&out, "topics/ai-training/index.html");
    let shown = record_links(&topic);
    assert_eq!(shown.len(), 30, "the topic page lists the newest 30");
    let more: Vec<ElementRef> = topic.select(&sel("p.more a")).collect();
    assert_eq!(more.len(), 1);
    assert_eq!(
        more[0].value().attr("href"),
        Some("/topics/ai-training/changes/")
    );
    assert_eq!(visible_text(more[0]), "All 129 changes about ai training");

    let first = html(&out, "topics/ai-training/changes/index.html");
    let second = html(&out, "topics/ai-training/changes/2/index.html");
    assert!(!out.join("topics/ai-training/changes/3").exists());
    let (a, b) = (record_links(&first), record_links(&second));
    assert_eq!((a.len(), b.len()), (100, 29));
    assert_eq!(
        shown[..],
        a[..30],
        "the topic page shows the list's first records"
    );
    let next: Vec<_> = first.select(&sel("a[rel=next]")).collect();
    assert_eq!(
        next[0].value().attr("href"),
        Some("/topics/ai-training/changes/2/")
    );
    assert!(first.select(&sel("a[rel=prev]")).next().is_none());
    let prev: Vec<_> = second.select(&sel("a[rel=prev]")).collect();
    assert_eq!(
        prev[0].value().attr("href"),
        Some("/topics/ai-training/changes/")
    );
    assert!(second.select(&sel("a[rel=next]")).next().is_none());
    assert_eq!(
        second
            .select(&sel("ol.changes"))
            .next()
            .unwrap()
            .value()
            .attr("start"),
        Some("101")
    );

    // Every record once, newest first (dates are in the record pages' paths).
    let all: Vec<String> = a.iter().chain(&b).cloned().collect();
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 129);
    let dates: Vec<&str> = all
        .iter()
        .map(|u| u.rsplit('/').nth(1).unwrap().get(..10).unwrap())
        .collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    // Every link on the list's pages leads somewhere.
    for (file, page) in [
        ("topics/ai-training/changes/index.html", &first),
        ("topics/ai-training/changes/2/index.html", &second),
    ] {
        for a in page.select(&sel("a[href]")) {
            let href = a.value().attr("href").unwrap();
            links
                .check(file, href)
                .unwrap_or_else(|e| panic!("{file}: {href}: {e}"));
        }
    }
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).unwrap();
    assert!(sitemap.contains("https://example.org/topics/ai-training/changes/2/"));
}
