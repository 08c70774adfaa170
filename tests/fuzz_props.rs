//! Issue 7, fuzzing with proptest: arbitrary and mutated front matter, snapshots and Markdown
//! through the loader's parse functions, the Markdown renderer and a whole build never panic;
//! they give either a result or diagnostics that name the file, at a line of it.
//!
//! `PROPTEST_CASES=100000 cargo test --release --test fuzz_props` runs a long session; the
//! default is a quick one. Inputs that ever crashed live in tests/regressions/ and are run by
//! `regression_corpus`.

mod common;

use proptest::prelude::*;
use termtrail::config::SiteConfig;
use termtrail::content::{parse_source, snapshot};
use termtrail::derive::comparison::shorten;
use termtrail::error::Diagnostic;
use termtrail::markdown::{self, Source};

/// Where each kind of content file lives in a site.
const PATHS: &[&str] = &[
    "content/platforms/netflix/platform.yaml",
    "content/platforms/netflix/snapshots/terms-of-use/2026-01-15.yaml",
    "content/platforms/netflix/changes/2026-01-15-change.md",
    "content/topics/ai-training.md",
    "content/faq/question.md",
    "content/pages/about.md",
];

/// Valid files of each kind, to mutate.
const SEEDS: &[(&str, &str)] = &[
    (PATHS[0], "name: Netflix\nurl: https://www.netflix.com\ncategory: streaming\ndescription: Video *streaming*, see [faq](/faq/).\ndocuments:\n  - id: terms-of-use\n    title: Terms of Use\n    url: https://help.netflix.com/legal/termsofuse\n  - id: privacy\n    title: Privacy\n"),
    (PATHS[1], "title: Netflix Terms\nsource_url: https://help.netflix.com/legal\nsections:\n  - id: \"4.6\"\n    heading: Restrictions\n    topics: [ai-training, arbitration]\n    text: |\n      You agree not to [train](/topics/ai-training/) models.\n\n      - a list\n  - id: 6\n    text: >-\n      Folded\n      text.\n"),
    (PATHS[1], "text: |\n  Intro.\n\n  # Terms\n\n  Body with **bold**.\n\n  ## Terms\n\n  Again.\n\n  Setext\n  ------\n\n  Last.\n"),
    (PATHS[2], "---\ntitle: Netflix bars AI training\ndocument: terms-of-use\nsummary: >-\n  Users may no longer train AI.\ntopics: [ai-training]\nimpact: high\nfrom: 2025-06-01\nto: 2026-01-15\ndate: 2026-01-15\ndraft: false\n---\nThe analysis, with a [link](/faq/) and a note.[^1]\n\n[^1]: The note.\n"),
    (PATHS[3], "---\ntitle: AI training\nquestion: Can your data train AI?\n---\nIntro *text*.\n"),
    (PATHS[4], "---\nquestion: What is this?\norder: 2\nplatform: netflix\n---\nAn answer.\n"),
    (PATHS[5], "---\ntitle: Methodology\n---\n# How\n\nWe work.\n"),
    ("site.yaml", "title: Atlas\nbase_url: https://example.org/atlas\ndescription: d\nlanguage: en\nauthor: a\ntheme: default\noutput_dir: public\nfeed_limit: 10\ncomparison_limit: 2\n"),
];

/// Parses `src` as the file at `rel` (site.yaml included).
fn parse_any(rel: &str, src: &str) -> Result<(), Vec<Diagnostic>> {
    if rel == "site.yaml" {
        return SiteConfig::parse(src, rel).map(|_| ());
    }
    parse_source(rel, src)
}

/// Diagnostics name the file, point inside it, say what to do, and print without panicking.
fn check_diagnostics(
    rel: &str,
    src: &str,
    result: Result<(), Vec<Diagnostic>>,
) -> Result<(), TestCaseError> {
    let Err(diags) = result else { return Ok(()) };
    prop_assert!(!diags.is_empty(), "an error without diagnostics");
    let lines = src.split('\n').count().max(1);
    for d in diags {
        prop_assert_eq!(&d.file, rel);
        prop_assert!(!d.message.is_empty());
        if let Some(line) = d.line {
            prop_assert!(
                line >= 1 && line <= lines + 1,
                "line {} of a {}-line file: {}",
                line,
                lines,
                d
            );
            prop_assert!(d.column.unwrap_or(1) >= 1);
        }
        let shown = d.clone().with_source(src).to_string();
        prop_assert!(shown.contains(rel));
    }
    Ok(())
}

/// Markdown renders without panicking to HTML that cannot run a script, with links located
/// inside the text, and splits as a text snapshot into sections with unique ids.
fn check_markdown(md: &str, first_line: usize) -> Result<(), TestCaseError> {
    let r = markdown::render(
        md,
        Source {
            file: "x.md",
            first_line,
            base_path: "/atlas",
        },
    );
    let doc = scraper::Html::parse_fragment(&r.html);
    for el in doc.select(&scraper::Selector::parse("*").unwrap()) {
        prop_assert!(
            !["script", "iframe", "object", "embed", "style", "form"].contains(&el.value().name()),
            "{}",
            r.html
        );
        for (attr, value) in el.value().attrs() {
            prop_assert!(!attr.starts_with("on"), "{}", r.html);
            // Only URL attributes can run a script; text that merely reads `javascript:` is inert.
            if [
                "href",
                "src",
                "action",
                "formaction",
                "poster",
                "xlink:href",
            ]
            .contains(&attr)
            {
                let url: String = value
                    .chars()
                    .filter(|c| !c.is_whitespace() && !c.is_control())
                    .collect::<String>()
                    .to_ascii_lowercase();
                prop_assert!(
                    !url.starts_with("javascript:")
                        && !url.starts_with("vbscript:")
                        && !url.starts_with("data:"),
                    "{}",
                    r.html
                );
            }
        }
    }
    let lines = md.split('\n').count();
    for l in &r.links {
        prop_assert!(
            l.line >= first_line && l.line < first_line + lines + 1,
            "{:?}",
            l
        );
        prop_assert!(l.column >= 1);
    }
    // An excerpt made from the start of the plain text is the excerpt of the whole of it.
    let plain = markdown::plain_text(md);
    for n in [0, 1, 7, 40] {
        let prefix = markdown::plain_text_prefix(md, n);
        prop_assert!(plain.starts_with(&prefix), "{:?} / {:?}", prefix, plain);
        prop_assert!(
            prefix.chars().count() > n || prefix == plain,
            "{:?} / {:?}",
            prefix,
            plain
        );
        prop_assert_eq!(shorten(&prefix, n), shorten(&plain, n));
    }
    let sections = snapshot::split_text(md, first_line);
    let mut ids: Vec<&str> = sections.iter().map(|s| s.id.as_str()).collect();
    let n = ids.len();
    ids.sort_unstable();
    ids.dedup();
    prop_assert_eq!(ids.len(), n, "section ids of a text snapshot are unique");
    Ok(())
}

/// Characters that mean something to YAML, Markdown or HTML, and some that mean trouble.
fn tricky_char() -> impl Strategy<Value = char> {
    prop_oneof![
        6 => prop::sample::select(vec![
            ':', '-', ' ', ' ', '\n', '\n', '\t', '[', ']', '{', '}', ',', '&', '*', '!', '|', '>', '\'', '"', '#', '%',
            '@', '`', '?', '<', '/', '\\', '=', '(', ')', '^', '~', '_', '.', '0', '1', 'a', 'z', 'é', '\r', '\u{0}',
            '\u{feff}', '\u{2028}', '\u{85}', '\u{10FFFF}', '💥',
        ]),
        1 => any::<char>(),
    ]
}

fn tricky_string(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(tricky_char(), 0..max).prop_map(|v| v.into_iter().collect())
}

/// One change to a text: cut, insert, duplicate, swap or re-indent lines, or splice in a piece
/// of YAML, Markdown or HTML syntax.
#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize, usize),
    Insert(usize, String),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Indent(usize, usize),
    Dedent(usize),
    Splice(usize, &'static str),
}

const SPLICES: &[&str] = &[
    "---\n",
    "\n---",
    ": ",
    "- ",
    "  - id: x\n    text: y\n",
    "&a ",
    "*a",
    "!!binary ",
    "!tag ",
    "? ",
    "|\n",
    ">-\n",
    "'",
    "\"",
    "[[[[",
    "}}}}",
    "{a: [b, {c: d}]}",
    "summmary: x\n",
    "topics: [nope]\n",
    "from: 2026-02-30\n",
    "to: 1999-01-01\n",
    "date: 2026-01-14\n",
    "impact: huge\n",
    "order: first\n",
    "url: javascript:alert(1)\n",
    "sections: []\n",
    "text: \"\"\n",
    "id: \"4.6\"\n",
    "\u{0}",
    "\u{feff}",
    "\r\n",
    "\t",
    "[x](/nowhere/)",
    "<script>alert(1)</script>",
    "<a href=\"javascript:x\">",
    "[^1]",
    "[^1]: n\n",
    "# H\n",
    "Setext\n---\n",
    "```\n",
    "| a | b |\n|---|---|\n",
    "- [x] t\n",
    "~~s~~",
    "<!--",
    "]]>",
    "&#0;",
    "\\u0000",
    "%YAML 1.2\n",
    "...\n",
    "--- !!map\n",
];

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..40usize).prop_map(|(a, n)| Mutation::Delete(a, n)),
        (any::<usize>(), tricky_string(12)).prop_map(|(a, s)| Mutation::Insert(a, s)),
        any::<usize>().prop_map(Mutation::DuplicateLine),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        (any::<usize>(), 1..9usize).prop_map(|(a, n)| Mutation::Indent(a, n)),
        any::<usize>().prop_map(Mutation::Dedent),
        (any::<usize>(), prop::sample::select(SPLICES)).prop_map(|(a, s)| Mutation::Splice(a, s)),
    ]
}

/// A char boundary of `s` chosen by `n`.
fn boundary(s: &str, n: usize) -> usize {
    let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
    bounds[n % bounds.len()]
}

fn apply(src: &str, m: &Mutation) -> String {
    let mut lines: Vec<String> = src.split('\n').map(str::to_string).collect();
    let n = lines.len();
    match m {
        Mutation::Delete(at, len) => {
            let a = boundary(src, *at);
            let b = boundary(src, a + len).max(a);
            let b = if src.is_char_boundary(b) {
                b
            } else {
                src.len()
            };
            return format!("{}{}", &src[..a], &src[b..]);
        }
        Mutation::Insert(at, s) => {
            let a = boundary(src, *at);
            return format!("{}{s}{}", &src[..a], &src[a..]);
        }
        Mutation::Splice(at, s) => {
            let a = boundary(src, *at);
            return format!("{}{s}{}", &src[..a], &src[a..]);
        }
        Mutation::DuplicateLine(i) => {
            let l = lines[i % n].clone();
            lines.insert(i % n, l);
        }
        Mutation::SwapLines(i, j) => lines.swap(i % n, j % n),
        Mutation::Indent(i, k) => lines[i % n] = format!("{}{}", " ".repeat(*k), lines[i % n]),
        Mutation::Dedent(i) => lines[i % n] = lines[i % n].trim_start().to_string(),
    }
    lines.join("\n")
}

fn mutated_seed() -> impl Strategy<Value = (&'static str, String)> {
    (
        prop::sample::select(SEEDS),
        prop::collection::vec(mutation(), 1..6),
    )
        .prop_map(|((rel, seed), ms)| {
            let mut s = seed.to_string();
            for m in &ms {
                s = apply(&s, m);
            }
            (rel, s)
        })
}

fn rel_path() -> impl Strategy<Value = &'static str> {
    prop::sample::select(
        PATHS
            .iter()
            .copied()
            .chain(["site.yaml"])
            .collect::<Vec<_>>(),
    )
}

/// The default number of cases (or PROPTEST_CASES); failures are reported, not saved to files.
fn config(divide: u32) -> ProptestConfig {
    let base = ProptestConfig::default();
    ProptestConfig {
        cases: base.cases / divide + 1,
        failure_persistence: None,
        ..base
    }
}

proptest! {
    #![proptest_config(config(1))]

    #[test]
    fn arbitrary_text_never_panics(rel in rel_path(), src in prop_oneof![tricky_string(300), any::<String>()]) {
        check_diagnostics(rel, &src, parse_any(rel, &src))?;
    }

    #[test]
    fn front_matter_like_text_never_panics(rel in rel_path(), yaml in tricky_string(200), body in tricky_string(100)) {
        let src = format!("---\n{yaml}\n---\n{body}");
        check_diagnostics(rel, &src, parse_any(rel, &src))?;
    }

    #[test]
    fn mutated_valid_files_never_panic((rel, src) in mutated_seed()) {
        check_diagnostics(rel, &src, parse_any(rel, &src))?;
    }

    #[test]
    fn markdown_never_panics_and_stays_inert(md in prop_oneof![tricky_string(400), any::<String>(), mutated_seed().prop_map(|(_, s)| s)], first_line in 1..1000usize) {
        check_markdown(&md, first_line)?;
    }
}

proptest! {
    // A whole build per case: fewer cases, the rest of the pipeline (diffs, histories,
    // comparisons, rendering, link checks) on arbitrary documents and records.
    #![proptest_config(config(8))]

    #[test]
    fn whole_builds_never_panic(
        old in prop_oneof![tricky_string(200), mutated_seed().prop_map(|(_, s)| s)],
        new in prop_oneof![tricky_string(200), mutated_seed().prop_map(|(_, s)| s)],
        record in mutated_seed(),
        text_form in any::<bool>(),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        common::minimal_site(root);
        let as_snapshot = |md: &str| if text_form {
            format!("text: {}\n", serde_json::to_string(md).unwrap())
        } else {
            format!("sections:\n  - id: \"1\"\n    topics: [ai-training]\n    text: {}\n  - id: \"2\"\n    text: {}\n", serde_json::to_string(md).unwrap(), serde_json::to_string(&format!("{md} more")).unwrap())
        };
        common::write(root, "content/platforms/netflix/snapshots/terms-of-use/2025-06-01.yaml", &as_snapshot(&old));
        common::write(root, "content/platforms/netflix/snapshots/terms-of-use/2026-01-15.yaml", &as_snapshot(&new));
        let (rel, src) = record;
        if rel != "site.yaml" {
            common::write(root, rel, &src);
        }
        let opts = termtrail::content::LoadOptions { drafts: true, base_url: None };
        match termtrail::cmd::build::build_in_memory(root, &opts) {
            Ok(built) => prop_assert!(built.files.contains_key("index.html")),
            Err(diags) => {
                prop_assert!(diags.has_errors());
                for d in diags.iter() {
                    prop_assert!(root.join(&d.file).exists() || d.file.starts_with("themes/"), "{} names no file", d);
                }
            }
        }
    }
}

/// Every input that ever crashed, hung or was wrongly refused, named `<name>.<kind>.<ext>`:
/// kinds `platform`, `snapshot`, `change`, `topic`, `faq`, `page`, `site`, `markdown`. Names
/// starting with `ok-` must parse without errors.
#[test]
fn regression_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut count = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name == "README.md" {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let src = String::from_utf8_lossy(&bytes);
        let kind = name.rsplit('.').nth(1).unwrap_or("");
        let rel = match kind {
            "platform" => PATHS[0],
            "snapshot" => PATHS[1],
            "change" => PATHS[2],
            "topic" => PATHS[3],
            "faq" => PATHS[4],
            "page" => PATHS[5],
            "site" => "site.yaml",
            "markdown" => {
                if let Err(e) = check_markdown(&src, 1) {
                    panic!("{name}: {e}");
                }
                count += 1;
                continue;
            }
            other => panic!("{name}: unknown kind {other:?}"),
        };
        let result = parse_any(rel, &src);
        if name.starts_with("ok-") {
            assert!(result.is_ok(), "{name}: {:?}", result.unwrap_err());
        }
        if let Err(e) = check_diagnostics(rel, &src, result) {
            panic!("{name}: {e}");
        }
        count += 1;
    }
    assert!(count > 0);
}
