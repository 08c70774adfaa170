//! Issue 3: document history. Diffs between real versions (the example site's Netflix Terms
//! of Use, converted from ../shared/corpus), their statistics, formatting-only labels, version,
//! document, change, section-history and platform pages, and section anchors.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use common::{
    copy_example, corpus, full_site, html, html_files, netflix_corpus_site, read, sel, squash,
    termtrail_ok, visible_text, write, Links,
};
use scraper::ElementRef;

const DOC: &str = "platforms/netflix/terms-of-service";

#[derive(serde::Deserialize)]
struct SnapshotFile {
    sections: Vec<SectionFile>,
}

#[derive(serde::Deserialize)]
struct SectionFile {
    id: String,
    heading: Option<String>,
    text: String,
}

/// A snapshot file of the test site, read independently of termtrail.
fn snapshot(root: &Path, rel: &str) -> Vec<SectionFile> {
    let s: SnapshotFile = serde_yaml::from_str(&read(root, rel)).expect("snapshot YAML");
    s.sections
}

/// The dates of the Terms of Use versions in the test site, oldest first.
fn versions(root: &Path) -> Vec<String> {
    let mut v: Vec<String> =
        std::fs::read_dir(root.join("content/platforms/netflix/snapshots/terms-of-service"))
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .file_name()
                    .to_string_lossy()
                    .trim_end_matches(".yaml")
                    .to_string()
            })
            .collect();
    v.sort();
    v
}

fn built_netflix() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    netflix_corpus_site(dir.path(), "https://example.org/atlas");
    termtrail_ok(dir.path(), &["build"]);
    dir
}

/// Which side of a diff a character of its text is on.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Side {
    Both,
    New,
    Old,
}

/// The text of a `.diff-text` element, character by character, with the side each is on:
/// inside `<ins>` only the newer version has it, inside `<del>` only the older.
fn marked(el: ElementRef<'_>) -> Vec<(char, Side)> {
    fn walk(el: ElementRef<'_>, side: Side, out: &mut Vec<(char, Side)>) {
        for node in el.children() {
            if let Some(t) = node.value().as_text() {
                out.extend(t.chars().map(|c| (c, side)));
            } else if let Some(child) = ElementRef::wrap(node) {
                if child.value().classes().any(|c| c == "visually-hidden") {
                    continue;
                }
                let inner = match child.value().name() {
                    "ins" => Side::New,
                    "del" => Side::Old,
                    _ => side,
                };
                walk(child, inner, out);
            }
        }
    }
    let mut out = Vec::new();
    walk(el, Side::Both, &mut out);
    out
}

/// One version's side of a marked text, whitespace squashed, each character with the index of
/// its source in `marks`.
fn side_of(marks: &[(char, Side)], skip: Side) -> (Vec<char>, Vec<usize>) {
    let (mut chars, mut index) = (Vec::new(), Vec::new());
    for (i, &(c, s)) in marks.iter().enumerate() {
        if s == skip {
            continue;
        }
        if c.is_whitespace() {
            if chars.last().is_some_and(|l: &char| *l != ' ') {
                chars.push(' ');
                index.push(i);
            }
        } else {
            chars.push(c);
            index.push(i);
        }
    }
    if chars.last() == Some(&' ') {
        chars.pop();
        index.pop();
    }
    (chars, index)
}

/// Sentences of a Markdown text: whitespace squashed (line breaks are layout), then split
/// after `.`, `!`, `?`, `;` before a space; only those with a letter or digit.
fn sentences(text: &str) -> BTreeSet<String> {
    let text = squash(text);
    let mut out = BTreeSet::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        if matches!(c, '.' | '!' | '?' | ';') && chars.get(i + 1).is_none_or(|n| *n == ' ') {
            out.insert(cur.trim().to_string());
            cur.clear();
        }
    }
    out.insert(cur.trim().to_string());
    out.retain(|s| s.chars().any(char::is_alphanumeric));
    out
}

/// Asserts that every occurrence of `sentence` in one side of the diff is shown as changed: a
/// mark inside it or right next to it (only whitespace between).
fn assert_marked(marks: &[(char, Side)], side: Side, sentence: &str, context: &str) {
    let other = if side == Side::New {
        Side::Old
    } else {
        Side::New
    };
    let (chars, index) = side_of(marks, other);
    let needle: Vec<char> = sentence.chars().collect();
    let mut found = 0;
    for start in 0..chars.len().saturating_sub(needle.len() - 1) {
        if chars[start..start + needle.len()] != needle[..] {
            continue;
        }
        found += 1;
        let (mut lo, mut hi) = (index[start], index[start + needle.len() - 1]);
        while lo > 0 && (marks[lo - 1].1 != Side::Both || marks[lo - 1].0.is_whitespace()) {
            lo -= 1;
        }
        while hi + 1 < marks.len()
            && (marks[hi + 1].1 != Side::Both || marks[hi + 1].0.is_whitespace())
        {
            hi += 1;
        }
        assert!(
            marks[lo..=hi].iter().any(|&(_, s)| s != Side::Both),
            "{context}: the sentence only the {side:?} version has is shown without a mark: {sentence:?}"
        );
    }
    assert!(
        found > 0,
        "{context}: sentence not found in the diff: {sentence:?}"
    );
}

/// Words as docs/api.md defines them: Unicode words (UAX #29) with a letter or digit.
fn words(s: &str) -> usize {
    unicode_segmentation::UnicodeSegmentation::unicode_words(s).count()
}

/// The words inside the `<ins>` (or `<del>`) elements of a diff text, labels left out.
fn marked_words(el: ElementRef<'_>, tag: &str) -> usize {
    el.select(&sel(tag)).map(|m| words(&visible_text(m))).sum()
}

fn attr_usize(el: ElementRef<'_>, name: &str) -> usize {
    el.value()
        .attr(name)
        .unwrap_or_else(|| panic!("missing {name}"))
        .parse()
        .unwrap()
}

#[test]
fn diffs_of_real_versions_show_every_changed_sentence_and_add_up() {
    let dir = built_netflix();
    let root = dir.path();
    let out = root.join("public");
    let api: serde_json::Value = serde_json::from_str(&read(&out, "api/platforms.json")).unwrap();
    let doc_api = api["platforms"][0]["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == "terms-of-service")
        .unwrap()
        .clone();
    let dates = versions(root);
    assert!(dates.len() >= 8, "{dates:?}");
    let mut checked_sentences = 0;
    for pair in dates.windows(2) {
        let (from, to) = (&pair[0], &pair[1]);
        let old = snapshot(
            root,
            &format!("content/platforms/netflix/snapshots/terms-of-service/{from}.yaml"),
        );
        let new = snapshot(
            root,
            &format!("content/platforms/netflix/snapshots/terms-of-service/{to}.yaml"),
        );
        let page_file = format!("{DOC}/{to}/index.html");
        let page = html(&out, &page_file);
        let diff_sections: BTreeMap<String, ElementRef<'_>> = page
            .select(&sel(".diff [data-section-id]"))
            .map(|e| (e.value().attr("data-section-id").unwrap().to_string(), e))
            .collect();
        let old_by_id: BTreeMap<&str, &SectionFile> =
            old.iter().map(|s| (s.id.as_str(), s)).collect();
        let new_by_id: BTreeMap<&str, &SectionFile> =
            new.iter().map(|s| (s.id.as_str(), s)).collect();
        let ids: BTreeSet<&str> = old_by_id.keys().chain(new_by_id.keys()).copied().collect();
        assert_eq!(
            diff_sections
                .keys()
                .map(String::as_str)
                .collect::<BTreeSet<_>>(),
            ids,
            "{to}: the diff lists every section of both versions once"
        );
        let (mut added, mut removed, mut changed, mut w_added, mut w_removed) = (0, 0, 0, 0, 0);
        for id in ids {
            let el = diff_sections[id];
            let change = el.value().attr("data-change").unwrap();
            let context = format!("{from} → {to}, section {id}");
            match (old_by_id.get(id), new_by_id.get(id)) {
                (None, Some(n)) => {
                    assert_eq!(change, "added", "{context}");
                    let ins: Vec<String> = el
                        .select(&sel(".diff-text ins"))
                        .map(|m| visible_text(m))
                        .collect();
                    assert_eq!(
                        squash(&ins.concat()),
                        squash(&n.text),
                        "{context}: an added section is one insertion"
                    );
                    assert_eq!(
                        attr_usize(el, "data-words-added"),
                        words(&n.text),
                        "{context}"
                    );
                    added += 1;
                }
                (Some(o), None) => {
                    assert_eq!(change, "removed", "{context}");
                    let del: Vec<String> = el
                        .select(&sel(".diff-text del"))
                        .map(|m| visible_text(m))
                        .collect();
                    assert_eq!(squash(&del.concat()), squash(&o.text), "{context}");
                    assert_eq!(
                        attr_usize(el, "data-words-removed"),
                        words(&o.text),
                        "{context}"
                    );
                    removed += 1;
                }
                (Some(o), Some(n)) if o.text == n.text && o.heading == n.heading => {
                    assert_eq!(change, "unchanged", "{context}");
                    assert_eq!(
                        el.value().name(),
                        "details",
                        "{context}: unchanged sections fold without JavaScript"
                    );
                    let summary = el.select(&sel("summary")).next().expect("a summary line");
                    assert!(
                        visible_text(summary).contains(n.heading.as_deref().unwrap_or(&n.id)),
                        "{context}"
                    );
                }
                (Some(o), Some(n)) => {
                    assert_eq!(change, "changed", "{context}");
                    let text_el = el.select(&sel(".diff-text")).next().unwrap();
                    let marks = marked(text_el);
                    let new_side: String = side_of(&marks, Side::Old).0.into_iter().collect();
                    let old_side: String = side_of(&marks, Side::New).0.into_iter().collect();
                    assert_eq!(
                        new_side,
                        squash(&n.text),
                        "{context}: the diff without deletions is the newer text"
                    );
                    assert_eq!(
                        old_side,
                        squash(&o.text),
                        "{context}: the diff without insertions is the older text"
                    );
                    let (olds, news) = (sentences(&o.text), sentences(&n.text));
                    for s in news.difference(&olds) {
                        assert_marked(&marks, Side::New, s, &context);
                        checked_sentences += 1;
                    }
                    for s in olds.difference(&news) {
                        assert_marked(&marks, Side::Old, s, &context);
                        checked_sentences += 1;
                    }
                    // The counts shown are the words inside the marks.
                    assert_eq!(
                        attr_usize(el, "data-words-added"),
                        marked_words(text_el, "ins"),
                        "{context}"
                    );
                    assert_eq!(
                        attr_usize(el, "data-words-removed"),
                        marked_words(text_el, "del"),
                        "{context}"
                    );
                    changed += 1;
                }
                (None, None) => unreachable!(),
            }
            if change != "unchanged" {
                w_added += attr_usize(el, "data-words-added");
                w_removed += attr_usize(el, "data-words-removed");
            }
        }
        // Totals: the sum of the sections, in the API and on the page.
        let v = doc_api["versions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["date"] == to.as_str())
            .unwrap();
        let stats = &v["stats"];
        assert_eq!(stats["sections_added"], added, "{to}");
        assert_eq!(stats["sections_removed"], removed, "{to}");
        assert_eq!(stats["sections_changed"], changed, "{to}");
        assert_eq!(stats["words_added"], w_added, "{to}");
        assert_eq!(stats["words_removed"], w_removed, "{to}");
        let summary = page
            .select(&sel(".diff-summary"))
            .next()
            .expect("diff summary");
        if added + removed + changed > 0 {
            let plus = summary
                .select(&sel(".words-added"))
                .next()
                .map(visible_text)
                .unwrap_or_default();
            let minus = summary
                .select(&sel(".words-removed"))
                .next()
                .map(visible_text)
                .unwrap_or_default();
            assert_eq!(plus, format!("+{w_added}"), "{to}");
            assert_eq!(minus, format!("−{w_removed}"), "{to}");
        }
        // Marks carry a label for screen readers, and the page has a key.
        for m in page.select(&sel(".diff-text ins, .diff-text del")) {
            let label = m
                .select(&sel(".visually-hidden"))
                .next()
                .map(|l| l.text().collect::<String>());
            let want = if m.value().name() == "ins" {
                "added: "
            } else {
                "removed: "
            };
            assert_eq!(label.as_deref(), Some(want), "{to}: every mark is labelled");
        }
        assert!(
            page.select(&sel(".diff-key")).next().is_some(),
            "{to}: a key to the marks"
        );
    }
    assert!(
        checked_sentences > 20,
        "only {checked_sentences} sentences checked"
    );
}

#[test]
fn formatting_only_versions_are_labelled() {
    let dir = built_netflix();
    let out = dir.path().join("public");
    let api: serde_json::Value = serde_json::from_str(&read(&out, "api/platforms.json")).unwrap();
    let versions = &api["platforms"][0]["documents"][0]["versions"];
    assert_eq!(
        api["platforms"][0]["documents"][0]["id"],
        "terms-of-service"
    );
    let by_date = |d: &str| {
        versions
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["date"] == d)
            .unwrap()
            .clone()
    };
    // The change record writers found 2025-04-17 → 2025-10-18 to be formatting only; the
    // snapshots converted from those captures have the same words (here: the same text).
    let fmt = by_date("2025-10-18");
    assert_eq!(fmt["formatting_only"], true, "{fmt}");
    for k in [
        "sections_added",
        "sections_removed",
        "sections_changed",
        "words_added",
        "words_removed",
    ] {
        assert_eq!(fmt["stats"][k], 0, "{k}");
    }
    // Every other version changed words.
    for v in versions.as_array().unwrap() {
        if v["date"] != "2025-10-18" {
            assert_eq!(v["formatting_only"], false, "{v}");
        }
    }
    let page = html(&out, &format!("{DOC}/2025-10-18/index.html"));
    let summary = visible_text(page.select(&sel(".diff-summary")).next().unwrap());
    assert!(summary.contains("formatting only"), "{summary}");
    assert!(
        page.select(&sel(".diff .notice")).next().is_some(),
        "the diff explains the label"
    );
    let real = html(&out, &format!("{DOC}/2025-04-17/index.html"));
    assert!(
        !visible_text(real.select(&sel(".diff-summary")).next().unwrap())
            .contains("formatting only")
    );
    // The change record says so too, in its page, in the lists and in the API.
    let record = html(
        &out,
        "platforms/netflix/changes/2025-10-18-formatting-only-update/index.html",
    );
    let diff = visible_text(
        record
            .select(&sel(".diff-summary"))
            .next()
            .expect("the record shows its diff"),
    );
    assert!(diff.contains("formatting only"), "{diff}");
    let changes: serde_json::Value = serde_json::from_str(&read(&out, "api/changes.json")).unwrap();
    for c in changes["changes"].as_array().unwrap() {
        let want = c["url"]
            .as_str()
            .unwrap()
            .contains("2025-10-18-formatting-only-update");
        assert_eq!(c["formatting_only"], want, "{}", c["url"]);
    }
    let doc = html(&out, &format!("{DOC}/index.html"));
    let labelled: Vec<String> = doc
        .select(&sel(".versions li"))
        .filter(|li| visible_text(*li).contains("formatting only"))
        .map(|li| {
            li.select(&sel("time"))
                .next()
                .unwrap()
                .value()
                .attr("datetime")
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(labelled, ["2025-10-18"]);
}

/// The raw captures (whole documents, as ../shared/corpus has them) differ in whitespace only:
/// the diff shows the changed sections, and labels them and the version as formatting only.
#[test]
fn whitespace_only_changes_in_raw_captures_are_formatting_only() {
    let Some(corpus) = corpus() else {
        eprintln!("skipped: ../shared/corpus is not here");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(
        root,
        "site.yaml",
        "title: Raw\nbase_url: https://example.org\n",
    );
    copy_example(root, "content/platforms/netflix/platform.yaml");
    for date in ["2024-09-01", "2025-04-17", "2025-10-18"] {
        let text =
            std::fs::read_to_string(corpus.join(format!("netflix/terms-of-service/{date}.md")))
                .unwrap();
        let yaml = serde_yaml::to_string(&BTreeMap::from([("text", text)])).unwrap();
        write(
            root,
            &format!("content/platforms/netflix/snapshots/terms-of-service/{date}.yaml"),
            &yaml,
        );
    }
    termtrail_ok(root, &["build"]);
    let out = root.join("public");
    let api: serde_json::Value = serde_json::from_str(&read(&out, "api/platforms.json")).unwrap();
    let versions = api["platforms"][0]["documents"][0]["versions"]
        .as_array()
        .unwrap()
        .clone();
    let fmt = versions.iter().find(|v| v["date"] == "2025-10-18").unwrap();
    assert_eq!(fmt["formatting_only"], true, "{fmt}");
    assert!(
        fmt["stats"]["sections_changed"].as_u64().unwrap() > 0,
        "the whitespace changes are shown: {fmt}"
    );
    let real = versions.iter().find(|v| v["date"] == "2025-04-17").unwrap();
    assert_eq!(real["formatting_only"], false, "{real}");
    let page = html(&out, &format!("{DOC}/2025-10-18/index.html"));
    let changed: Vec<_> = page.select(&sel(".diff [data-change=changed]")).collect();
    assert!(!changed.is_empty());
    for s in changed {
        let label = visible_text(s.select(&sel(".diff-label")).next().unwrap());
        assert!(label.contains("formatting only"), "{label}");
    }
}

#[test]
fn version_document_change_and_platform_pages() {
    let dir = built_netflix();
    let root = dir.path();
    let out = root.join("public");
    let links = Links::new(&out, "/atlas");
    let dates = versions(root);
    let records: Vec<String> = common::example_files("content/platforms/netflix/changes")
        .into_iter()
        .filter(|c| {
            root.join(format!("content/platforms/netflix/changes/{c}"))
                .is_file()
        })
        .map(|c| c.trim_end_matches(".md").to_string())
        .collect();
    assert!(records.len() >= 5, "{records:?}");

    // Version pages: full text, diff from the version before, previous/next, covering records.
    for (i, date) in dates.iter().enumerate() {
        let file = format!("{DOC}/{date}/index.html");
        let page = html(&out, &file);
        let snap = snapshot(
            root,
            &format!("content/platforms/netflix/snapshots/terms-of-service/{date}.yaml"),
        );
        let full: Vec<ElementRef<'_>> = page
            .select(&sel("section[aria-labelledby=tt-text] .doc-section"))
            .collect();
        assert_eq!(
            full.len(),
            snap.len(),
            "{date}: the full text has every section"
        );
        let prev = page
            .select(&sel("a[rel=prev]"))
            .next()
            .map(|a| a.value().attr("href").unwrap().to_string());
        let next = page
            .select(&sel("a[rel=next]"))
            .next()
            .map(|a| a.value().attr("href").unwrap().to_string());
        assert_eq!(
            prev,
            (i > 0).then(|| format!("/atlas/{DOC}/{}/", dates[i - 1])),
            "{date}"
        );
        assert_eq!(
            next,
            dates.get(i + 1).map(|d| format!("/atlas/{DOC}/{d}/")),
            "{date}"
        );
        if i == 0 {
            assert!(page.select(&sel(".diff")).next().is_none());
            assert!(visible_text(
                page.select(&sel("section[aria-labelledby=tt-diff]"))
                    .next()
                    .unwrap()
            )
            .contains("first captured"));
        } else {
            let summary = page
                .select(&sel(".diff-summary a"))
                .map(|a| a.value().attr("href").unwrap().to_string())
                .collect::<Vec<_>>();
            assert_eq!(
                summary,
                [
                    format!("/atlas/{DOC}/{}/", dates[i - 1]),
                    format!("/atlas/{DOC}/{date}/")
                ]
            );
        }
        // Records whose from < date <= to explain this version.
        let covering: BTreeSet<String> = page
            .select(&sel("section[aria-labelledby=tt-records] .change-title a"))
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect();
        let expected: BTreeSet<String> = records
            .iter()
            .filter(|r| {
                let src = read(root, &format!("content/platforms/netflix/changes/{r}.md"));
                let field = |k: &str| {
                    src.lines()
                        .find_map(|l| l.strip_prefix(&format!("{k}: ")).map(str::to_string))
                };
                let (from, to) = (field("from").unwrap(), field("to").unwrap());
                from.as_str() < date.as_str() && date.as_str() <= to.as_str()
            })
            .map(|r| format!("/atlas/platforms/netflix/changes/{r}/"))
            .collect();
        assert_eq!(covering, expected, "{date}");
        for a in page.select(&sel("a[href]")) {
            if a.ancestors()
                .filter_map(ElementRef::wrap)
                .any(|e| e.value().classes().any(|c| c == "section-text"))
            {
                continue; // the captured text's own links
            }
            links.check(&file, a.value().attr("href").unwrap()).unwrap();
        }
    }

    // The document page: current text with anchors, every version with its statistics, every record.
    let doc_file = format!("{DOC}/index.html");
    let doc = html(&out, &doc_file);
    let listed: Vec<String> = doc
        .select(&sel(".versions li time"))
        .map(|t| t.value().attr("datetime").unwrap().to_string())
        .collect();
    let mut newest_first = dates.clone();
    newest_first.reverse();
    assert_eq!(listed, newest_first, "every version, newest first");
    for li in doc.select(&sel(".versions li")).skip(0) {
        let date = li
            .select(&sel("time"))
            .next()
            .unwrap()
            .value()
            .attr("datetime")
            .unwrap();
        let stats = li.select(&sel(".stats")).next();
        assert_eq!(
            stats.is_some(),
            date != dates[0],
            "{date}: statistics for every version but the first"
        );
    }
    let current = snapshot(
        root,
        &format!(
            "content/platforms/netflix/snapshots/terms-of-service/{}.yaml",
            dates.last().unwrap()
        ),
    );
    let sections: Vec<ElementRef<'_>> = doc.select(&sel(".document-text .doc-section")).collect();
    assert_eq!(sections.len(), current.len());
    for s in &sections {
        let id = s.value().id().unwrap();
        let history = s
            .select(&sel("a"))
            .find(|a| a.text().collect::<String>().contains("through time"))
            .expect("a link to the section's history");
        assert_eq!(
            history.value().attr("href").unwrap(),
            format!("/atlas/{DOC}/sections/{id}/")
        );
        links.check(&doc_file, &format!("#{id}")).unwrap();
    }
    let doc_records: BTreeSet<String> = doc
        .select(&sel("section[aria-labelledby=tt-changes] .change-title a"))
        .map(|a| a.value().attr("href").unwrap().to_string())
        .collect();
    assert_eq!(
        doc_records,
        records
            .iter()
            .map(|r| format!("/atlas/platforms/netflix/changes/{r}/"))
            .collect()
    );

    // A change record: the diff between its versions, and the earlier records of its document.
    for (i, r) in records.iter().enumerate() {
        let file = format!("platforms/netflix/changes/{r}/index.html");
        let page = html(&out, &file);
        let src = read(root, &format!("content/platforms/netflix/changes/{r}.md"));
        let field = |k: &str| {
            src.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}: ")).map(str::to_string))
                .unwrap()
        };
        let summary: Vec<String> = page
            .select(&sel(".diff-summary a"))
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect();
        assert_eq!(
            summary,
            [
                format!("/atlas/{DOC}/{}/", field("from")),
                format!("/atlas/{DOC}/{}/", field("to"))
            ],
            "{r}"
        );
        let before = page
            .select(&sel("#tt-earlier"))
            .next()
            .expect("earlier changes");
        assert_eq!(
            visible_text(before),
            "Netflix has changed this document before"
        );
        let earlier: Vec<String> = page
            .select(&sel("section[aria-labelledby=tt-earlier] .change-title a"))
            .map(|a| a.value().attr("href").unwrap().to_string())
            .collect();
        let want: Vec<String> = records[..i]
            .iter()
            .rev()
            .map(|e| format!("/atlas/platforms/netflix/changes/{e}/"))
            .collect();
        assert_eq!(earlier, want, "{r}");
    }

    // The platform page: every version and record, newest first.
    let platform = html(&out, "platforms/netflix/index.html");
    let timeline: Vec<String> = platform
        .select(&sel(".timeline > li"))
        .map(|li| {
            li.select(&sel("time"))
                .next()
                .unwrap()
                .value()
                .attr("datetime")
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        timeline.len(),
        dates.len() + 1 + records.len(),
        "every version of both documents and every record"
    );
    assert!(
        timeline.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {timeline:?}"
    );
}

#[test]
fn section_history_shows_one_clause_through_time() {
    let dir = built_netflix();
    let root = dir.path();
    let out = root.join("public");
    let dates = versions(root);
    // Find, independently, the versions in which the section `netflix-service` changed.
    let mut last: Option<(Option<String>, String)> = None;
    let mut changed_in = Vec::new();
    let mut events = Vec::new();
    for d in &dates {
        let snap = snapshot(
            root,
            &format!("content/platforms/netflix/snapshots/terms-of-service/{d}.yaml"),
        );
        let now = snap
            .iter()
            .find(|s| s.id == "netflix-service")
            .map(|s| (s.heading.clone(), s.text.clone()));
        // Added, changed (text or heading) or removed in this version.
        let event = match (&last, &now) {
            (None, Some(_)) => "added",
            (Some(_), None) => "removed",
            _ => "changed",
        };
        if now != last {
            changed_in.push(d.clone());
            events.push(event);
        }
        last = now;
    }
    assert!(
        changed_in.contains(&"2025-04-17".to_string()),
        "{changed_in:?}"
    );
    let file = format!("{DOC}/sections/netflix-service/index.html");
    let page = html(&out, &file);
    let listed: Vec<String> = page
        .select(&sel(".section-version > h2 time"))
        .map(|t| t.value().attr("datetime").unwrap().to_string())
        .collect();
    let mut want = changed_in.clone();
    want.reverse();
    assert_eq!(
        listed, want,
        "every version where the clause changed, newest first"
    );
    for v in page.select(&sel(".section-version")) {
        let date = v
            .select(&sel("h2 time"))
            .next()
            .unwrap()
            .value()
            .attr("datetime")
            .unwrap();
        let event = events[changed_in.iter().position(|d| d == date).unwrap()];
        assert!(v.value().classes().any(|c| c == event), "{date}: {event}");
        assert_eq!(
            v.select(&sel(".diff-text")).next().is_some(),
            event == "changed",
            "{date}: a diff from the text before, when there was one"
        );
        if event != "removed" {
            assert!(
                v.select(&sel(".section-text")).next().is_some(),
                "{date}: the text of that version"
            );
        }
    }
    // The clause that bars training AI arrived in 2025-04-17, explained by its record.
    let ai = page
        .select(&sel(".section-version"))
        .find(|v| {
            v.select(&sel("h2 time"))
                .next()
                .unwrap()
                .value()
                .attr("datetime")
                == Some("2025-04-17")
        })
        .unwrap();
    let inserted: String = ai
        .select(&sel(".diff-text ins"))
        .map(visible_text)
        .collect::<Vec<_>>()
        .join(" ");
    assert!(inserted.contains("machine learning"), "{inserted}");
    let records: Vec<&str> = ai
        .select(&sel(".covering a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(
        records
            .contains(&"/atlas/platforms/netflix/changes/2025-04-17-bars-ai-training-on-content/"),
        "{records:?}"
    );
    let links = Links::new(&out, "/atlas");
    for a in page.select(&sel("a[href]")) {
        if a.ancestors()
            .filter_map(ElementRef::wrap)
            .any(|e| e.value().classes().any(|c| c == "section-text"))
        {
            continue;
        }
        links.check(&file, a.value().attr("href").unwrap()).unwrap();
    }
}

#[test]
fn first_versions_build_their_pages() {
    let dir = built_netflix();
    let out = dir.path().join("public");
    // The Privacy Statement has one version: its version page, its document page and the
    // history page of each of its sections.
    let page = html(
        &out,
        "platforms/netflix/privacy-policy/2020-12-08/index.html",
    );
    assert!(page.select(&sel(".diff")).next().is_none());
    assert!(page
        .select(&sel("a[rel=prev], a[rel=next]"))
        .next()
        .is_none());
    let doc = html(&out, "platforms/netflix/privacy-policy/index.html");
    let anchors: Vec<&str> = doc
        .select(&sel(".document-text .doc-section"))
        .filter_map(|s| s.value().id())
        .collect();
    assert!(!anchors.is_empty());
    for a in anchors {
        let h = html(
            &out,
            &format!("platforms/netflix/privacy-policy/sections/{a}/index.html"),
        );
        let versions: Vec<_> = h.select(&sel(".section-version")).collect();
        assert_eq!(versions.len(), 1, "{a}");
        assert!(visible_text(versions[0]).contains("first captured"), "{a}");
    }
}

/// Section ids of any shape get anchors that are valid HTML ids and URL segments, unique on
/// every page, in every document; and no page of the site repeats an id.
#[test]
fn anchors_are_unique_and_valid_across_all_documents() {
    let a = tempfile::tempdir().unwrap();
    full_site(a.path(), "https://example.org/atlas");
    // Ids that slug alike, an empty slug, a reserved prefix, and a clause that is a heading.
    write(
        a.path(),
        "content/platforms/tiktok/snapshots/terms/2026-03-01.yaml",
        "sections:\n  - id: ai\n    heading: Machine learning\n    topics: [ai-training]\n    text: TikTok content may not train models.\n  - id: \"12(a)\"\n    text: One.\n  - id: \"12 A\"\n    text: Two.\n  - id: \"数据\"\n    text: Three.\n  - id: tt-main\n    text: Four.\n  - id: main\n    text: \"Five.\\n\\n## Details\\n\\nA note.[^1]\\n\\n[^1]: The note.\"\n  - id: details\n    text: \"Six.\\n\\n## Details\\n\\nAnother note.[^1]\\n\\n[^1]: Another.\"\n",
    );
    termtrail_ok(a.path(), &["build"]);
    let b = built_netflix();
    let slug = |s: &str| {
        !s.is_empty()
            && s.split('-').all(|p| {
                !p.is_empty()
                    && p.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
            })
    };
    let mut documents = 0;
    for root in [a.path(), b.path()] {
        let out = root.join("public");
        let links = Links::new(&out, "/atlas");
        for file in html_files(&out) {
            let page = html(&out, &file);
            let ids: Vec<&str> = page
                .select(&sel("[id]"))
                .filter_map(|e| e.value().id())
                .collect();
            let unique: BTreeSet<&str> = ids.iter().copied().collect();
            assert_eq!(unique.len(), ids.len(), "{file}: an id repeats: {ids:?}");
            for id in &ids {
                assert!(
                    !id.is_empty() && !id.contains(char::is_whitespace),
                    "{file}: invalid id {id:?}"
                );
            }
            // Links in pages (not the captured texts' own) resolve, fragments included.
            for link in page.select(&sel("a[href]")) {
                if link.ancestors().filter_map(ElementRef::wrap).any(|e| {
                    e.value()
                        .classes()
                        .any(|c| c == "section-text" || c == "diff-text")
                }) {
                    continue;
                }
                links
                    .check(&file, link.value().attr("href").unwrap())
                    .unwrap();
            }
            let is_doc = file.matches('/').count() == 3
                && file.starts_with("platforms/")
                && page.select(&sel(".document-text")).next().is_some();
            if !is_doc {
                continue;
            }
            documents += 1;
            let anchors: Vec<&str> = page
                .select(&sel(".document-text .doc-section"))
                .filter_map(|s| s.value().id())
                .collect();
            for anchor in &anchors {
                assert!(
                    slug(anchor),
                    "{file}: anchor {anchor:?} is not a URL-safe slug"
                );
                assert!(
                    !anchor.starts_with("tt-"),
                    "{file}: {anchor} uses the theme's prefix"
                );
                let history = file.replace("index.html", &format!("sections/{anchor}/index.html"));
                assert!(out.join(&history).is_file(), "{history}");
            }
        }
    }
    assert!(documents >= 6, "{documents}");
    // `§ 12(a)` of the full site, and the tricky ids above, each have their own anchor.
    let netflix = html(
        &a.path().join("public"),
        "platforms/netflix/terms-of-use/2025-06-01/index.html",
    );
    assert!(
        netflix
            .select(&sel("section[id=\"12-a\"]"))
            .next()
            .is_some(),
        "§ 12(a) → 12-a"
    );
    let tiktok = html(
        &a.path().join("public"),
        "platforms/tiktok/terms/index.html",
    );
    let anchors: Vec<&str> = tiktok
        .select(&sel(".document-text .doc-section"))
        .filter_map(|s| s.value().id())
        .collect();
    assert_eq!(anchors.len(), 7, "{anchors:?}");
    assert!(
        anchors.iter().all(|a| slug(a) && !a.starts_with("tt-")),
        "{anchors:?}"
    );
}

/// An anchor is stable: a later version whose new id slugs like an earlier one's does not move
/// the earlier section's anchor (links to it keep working).
#[test]
fn anchors_stay_when_later_versions_add_lookalike_ids() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    full_site(root, "https://example.org");
    termtrail_ok(root, &["build"]);
    let out = root.join("public");
    let before = html(&out, "platforms/netflix/terms-of-use/2025-06-01/index.html");
    let anchors = |doc: &scraper::Html| -> Vec<String> {
        doc.select(&sel("[aria-labelledby=tt-text] .doc-section"))
            .map(|s| s.value().id().unwrap().to_string())
            .collect()
    };
    let old = anchors(&before);
    assert!(old.contains(&"12-a".to_string()), "{old:?}");
    write(
        root,
        "content/platforms/netflix/snapshots/terms-of-use/2026-03-01.yaml",
        "sections:\n  - id: \"§ 12(a)\"\n    heading: Odd id\n    text: Some text.\n  - id: \"12 (A)\"\n    text: A lookalike.\n",
    );
    termtrail_ok(root, &["build"]);
    let after = html(&out, "platforms/netflix/terms-of-use/2025-06-01/index.html");
    assert_eq!(
        anchors(&after),
        old,
        "the old version's anchors did not move"
    );
    let new = anchors(&html(&out, "platforms/netflix/terms-of-use/index.html"));
    assert_eq!(new.len(), 2);
    assert_eq!(new[0], "12-a");
    assert_ne!(new[1], "12-a");
    assert!(out
        .join(format!(
            "platforms/netflix/terms-of-use/sections/{}/index.html",
            new[1]
        ))
        .is_file());
}

/// A section whose heading or position changed but whose id stayed is the same section: one
/// "changed" entry with its old heading (no removal and addition), and a line in its history.
#[test]
fn renamed_and_moved_sections_are_the_same_section() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    full_site(root, "https://example.org");
    // 2026-01-15 has 4.6, 6 and 7; this version moves 4.6 last and renames it, same text.
    write(
        root,
        "content/platforms/netflix/snapshots/terms-of-use/2026-03-01.yaml",
        "sections:\n  - id: \"6\"\n    heading: Disputes\n    topics: [arbitration]\n    text: |\n      Disputes go to binding arbitration.\n  - id: \"7\"\n    heading: New section\n    text: A brand new section.\n  - id: \"4.6\"\n    heading: Use restrictions\n    topics: [ai-training]\n    text: |\n      You agree not to archive, reproduce or distribute content, or use it to train machine learning models.\n",
    );
    termtrail_ok(root, &["build"]);
    let out = root.join("public");
    let page = html(&out, "platforms/netflix/terms-of-use/2026-03-01/index.html");
    let sections: Vec<(String, String)> = page
        .select(&sel(".diff [data-section-id]"))
        .map(|e| {
            let v = e.value();
            (
                v.attr("data-section-id").unwrap().to_string(),
                v.attr("data-change").unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        sections,
        [
            ("6".into(), "unchanged".into()),
            ("7".into(), "unchanged".into()),
            ("4.6".into(), "changed".into())
        ]
    );
    let renamed = page
        .select(&sel(".diff [data-section-id=\"4.6\"]"))
        .next()
        .unwrap();
    assert!(visible_text(renamed).contains("Previously titled “Restrictions on use”"));
    assert_eq!(renamed.value().attr("data-words-added"), Some("0"));
    assert!(
        renamed.select(&sel("ins, del")).next().is_none(),
        "the text did not change"
    );
    let history = html(
        &out,
        "platforms/netflix/terms-of-use/sections/4-6/index.html",
    );
    let first = history.select(&sel(".section-version")).next().unwrap();
    assert_eq!(
        first
            .select(&sel("time"))
            .next()
            .unwrap()
            .value()
            .attr("datetime"),
        Some("2026-03-01")
    );
    assert!(visible_text(first)
        .contains("Heading changed from “Restrictions on use” to “Use restrictions”"));
}
