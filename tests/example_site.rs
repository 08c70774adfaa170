//! Issue 10: the example site (this repository) as readers get it. The site is built with the
//! real binary into a temp dir and served on loopback under a base path, then:
//! - every page goes through the Nu HTML Checker (vnu), which must report no error;
//! - one page of each kind goes through axe-core in headless Chromium (light and dark), which
//!   must report no violation;
//! - in Chromium: the search page finds clauses by typing and links to anchors that exist;
//!   no page scrolls sideways on a phone; the skip link shows on the first Tab; nothing shifts;
//! - screenshots of the home page and a change page, phone and desktop, go to
//!   target/screenshots/ (CI keeps them as artefacts).
//!
//! The tools come from scripts/test (vnu-jar and @axe-core/cli in .ci/node/, Debian's chromium
//! and chromium-driver, Java). Where one is missing the check fails in CI and is skipped with a
//! message elsewhere. Two more tests check the example content itself, through the library.

mod browser;
mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};

use browser::{missing, Driver, Session};
use common::{repo_root, termtrail_ok};

/// The base path the site is served under, as on its real host.
const PREFIX: &str = "/example";

fn node_modules() -> PathBuf {
    repo_root().join(".ci/node/node_modules")
}

fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|t| {
            if t.is_absolute() {
                t
            } else {
                repo_root().join(t)
            }
        })
        .unwrap_or_else(|| repo_root().join("target"));
    target.join("screenshots")
}

fn has_command(cmd: &str, arg: &str) -> bool {
    Command::new(cmd)
        .arg(arg)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The built site and where it is served.
struct Served {
    out: PathBuf,
    /// `http://127.0.0.1:<port>/example`
    base: String,
}

impl Served {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }
    fn read(&self, rel: &str) -> String {
        common::read(&self.out, rel)
    }
}

/// One page of each kind the issue names, found in the built site: (kind, URL).
fn key_pages(site: &Served) -> Vec<(&'static str, String)> {
    let platforms: Value = serde_json::from_str(&site.read("api/platforms.json")).unwrap();
    let changes: Value = serde_json::from_str(&site.read("api/changes.json")).unwrap();
    // The platform with the most versions of one document: the richest pages.
    let (p, d) = platforms["platforms"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| {
            p["documents"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |d| (p, d))
        })
        .max_by_key(|(_, d)| d["versions"].as_array().map_or(0, |v| v.len()))
        .expect("the example site has documents");
    let versions = d["versions"].as_array().unwrap();
    let version = &versions[versions.len() / 2]["url"];
    // The newest change record that has a diff and topics: diff and comparisons on one page.
    let change = changes["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| !c["from"].is_null() && c["topics"].as_array().is_some_and(|t| !t.is_empty()))
        .expect("a change record with a diff and topics");
    let topic = common::read(&site.out, "sitemap.xml")
        .split("<loc>")
        .filter_map(|s| s.split("</loc>").next())
        .find(|u| u.contains("/topics/") && !u.ends_with("/topics/"))
        .expect("a topic page")
        .to_string();
    let section = common::read(&site.out, "sitemap.xml")
        .split("<loc>")
        .filter_map(|s| s.split("</loc>").next())
        .find(|u| u.starts_with(d["url"].as_str().unwrap()) && u.contains("/sections/"))
        .expect("a section page")
        .to_string();
    vec![
        ("home", site.url("/")),
        ("platform", p["url"].as_str().unwrap().to_string()),
        ("document", d["url"].as_str().unwrap().to_string()),
        ("version", version.as_str().unwrap().to_string()),
        ("change", change["url"].as_str().unwrap().to_string()),
        ("topic", topic),
        ("faq", site.url("/faq/")),
        ("platforms", site.url("/platforms/")),
        ("section", section),
        ("search", site.url("/search/?q=arbitration")),
        ("about", site.url("/about/")),
    ]
}

/// vnu over every HTML file of the site.
fn check_html(site: &Served) -> Result<String, String> {
    let jar = std::env::var_os("VNU_JAR")
        .map(PathBuf::from)
        .unwrap_or_else(|| node_modules().join("vnu-jar/build/dist/vnu.jar"));
    if !jar.is_file() {
        missing(&format!("vnu is missing ({})", jar.display()));
        return Ok("vnu: skipped".into());
    }
    if !has_command("java", "-version") {
        missing("Java is missing (vnu needs it)");
        return Ok("vnu: skipped".into());
    }
    let pages = walk_html(&site.out);
    let out = Command::new("java")
        .args(["-Xss8m", "-jar"])
        .arg(&jar)
        .args(["--errors-only", "--skip-non-html"])
        .arg(&site.out)
        .output()
        .map_err(|e| format!("cannot run vnu: {e}"))?;
    let report =
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout);
    if !out.status.success() || !report.trim().is_empty() {
        let lines: Vec<&str> = report.lines().collect();
        return Err(format!(
            "vnu reports {} error(s) over {pages} pages:\n{}{}",
            lines.len(),
            lines
                .iter()
                .take(40)
                .copied()
                .collect::<Vec<_>>()
                .join("\n"),
            if lines.len() > 40 { "\n…" } else { "" }
        ));
    }
    Ok(format!("vnu: {pages} pages, no error"))
}

fn walk_html(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| {
            let p = e.path();
            if p.is_dir() {
                walk_html(&p)
            } else {
                usize::from(p.extension().is_some_and(|x| x == "html"))
            }
        })
        .sum()
}

/// @axe-core/cli over the key pages, in light and then in dark mode.
fn check_accessibility(site: &Served, pages: &[(&str, String)]) -> Result<String, String> {
    let axe = node_modules().join(".bin/axe");
    if !axe.is_file() {
        missing(&format!("@axe-core/cli is missing ({})", axe.display()));
        return Ok("axe: skipped".into());
    }
    if !Path::new(browser::CHROMEDRIVER).is_file() || !Path::new(browser::CHROMIUM).is_file() {
        missing("chromium or chromium-driver is missing (axe needs them)");
        return Ok("axe: skipped".into());
    }
    let _ = site;
    let urls: Vec<&str> = pages.iter().map(|(_, u)| u.as_str()).collect();
    let mut failures = Vec::new();
    // Dark mode changes colours only: there, contrast is the rule to check again.
    for (mode, extra, rules) in [
        ("light", "", None),
        ("dark", ",force-dark-mode", Some("color-contrast")),
    ] {
        let flags = browser::CHROME_FLAGS
            .iter()
            .filter(|f| **f != "hide-scrollbars")
            .copied()
            .collect::<Vec<_>>()
            .join(",");
        let out = Command::new(&axe)
            .args(&urls)
            .arg("--exit")
            .arg("--chromedriver-path")
            .arg(browser::CHROMEDRIVER)
            .arg("--chrome-path")
            .arg(browser::CHROMIUM)
            .arg(format!("--chrome-options={flags}{extra}"))
            .arg("--axe-source")
            .arg(node_modules().join("axe-core/axe.min.js"))
            // The search page fills its results after loading the index.
            .args(["--load-delay", "800"])
            .args(rules.map(|r| ["--rules", r]).into_iter().flatten())
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .output()
            .map_err(|e| format!("cannot run axe: {e}"))?;
        let report = String::from_utf8_lossy(&out.stdout).into_owned()
            + &String::from_utf8_lossy(&out.stderr);
        let tested = report.matches("0 violations found").count();
        if !out.status.success() || tested != urls.len() {
            failures.push(format!(
                "axe ({mode} mode) reports violations or could not test every page ({tested} of {} clean):\n{report}",
                urls.len()
            ));
        }
    }
    if failures.is_empty() {
        Ok(format!(
            "axe: {} pages, light and dark, no violation",
            urls.len()
        ))
    } else {
        Err(failures.join("\n"))
    }
}

/// Chromium through WebDriver: search, phone layout, focus, layout shift, screenshots.
fn check_in_browser(site: &Served, pages: &[(&str, String)]) -> Result<String, String> {
    if !Path::new(browser::CHROMEDRIVER).is_file() || !Path::new(browser::CHROMIUM).is_file() {
        missing("chromium or chromium-driver is missing");
        return Ok("browser: skipped".into());
    }
    let driver = Driver::start()?;
    let mut notes = Vec::new();
    let mut problems = Vec::new();

    // Desktop: search, focus, layout shift.
    {
        let s = Session::new(&driver, 1280, 900, false, false)?;
        match check_search(&s, site) {
            Ok(n) => notes.push(n),
            Err(e) => problems.push(e),
        }
        for (kind, url) in pages.iter().filter(|(k, _)| *k != "search") {
            s.goto(url)?;
            // Layout shifts while loading, as the browser measured them (CLS); 0.1 is "good".
            let cls = s.exec(
                "return new Promise(r => { let t = 0; new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) t += e.value; }).observe({type: 'layout-shift', buffered: true}); setTimeout(() => r(t), 50); });",
                json!([]),
            )?;
            if cls.as_f64().unwrap_or(0.0) > 0.1 {
                problems.push(format!(
                    "{kind} page {url}: layout shift {cls} while loading (more than 0.1)"
                ));
            }
        }
        // The first Tab shows the skip link, with a visible focus outline; it leads to <main>.
        s.goto(&pages[0].1)?;
        s.press_keys("\u{E004}")?;
        let focus = s.exec(
            "const a = document.activeElement, r = a.getBoundingClientRect(), st = getComputedStyle(a);
             return {cls: a.className, href: a.getAttribute('href'), top: r.top, bottom: r.bottom, left: r.left,
                     outline: st.outlineStyle, width: parseFloat(st.outlineWidth),
                     target: !!document.querySelector('main' + a.getAttribute('href'))};",
            json!([]),
        )?;
        let visible = focus["top"].as_f64().unwrap_or(-1.0) >= 0.0
            && focus["left"].as_f64().unwrap_or(-1.0) >= 0.0
            && focus["bottom"].as_f64().unwrap_or(0.0) > focus["top"].as_f64().unwrap_or(0.0);
        if focus["cls"] != "skip-link"
            || !visible
            || focus["outline"] == "none"
            || focus["width"].as_f64().unwrap_or(0.0) < 2.0
            || focus["target"] != true
        {
            problems.push(format!(
                "the first Tab should show the skip link, outlined, pointing at <main>: {focus}"
            ));
        }
    }

    // Phone: nothing wider than the screen.
    let dir = screenshot_dir();
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let mut written = Vec::new();
    {
        let s = Session::new(&driver, 390, 844, true, false)?;
        for (kind, url) in pages {
            s.goto(url)?;
            let w = s.exec(
                "const wide = [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > innerWidth + 1 && !e.closest('.listing, pre, .section-text table, .visually-hidden, .skip-link')).slice(0, 3).map(e => e.tagName + '.' + e.className);
                 return {scroll: document.documentElement.scrollWidth, inner: innerWidth, wide};",
                json!([]),
            )?;
            if w["scroll"].as_f64() > w["inner"].as_f64() {
                problems.push(format!("{kind} page {url} scrolls sideways at 390 px: {w}"));
            }
        }
        screenshots(&s, pages, 390, &dir, &mut written, &mut problems)?;
    }
    {
        let s = Session::new(&driver, 1280, 900, false, false)?;
        screenshots(&s, pages, 1280, &dir, &mut written, &mut problems)?;
    }
    browser::say(&format!(
        "screenshots (CI artefacts): wrote {} to {}",
        written.join(", "),
        dir.display()
    ));
    notes.push(format!("screenshots in {}", dir.display()));
    if problems.is_empty() {
        Ok(notes.join("; "))
    } else {
        Err(problems.join("\n"))
    }
}

/// Full-page screenshots of the home page and a change page at `width`; of the change page
/// also in dark mode (phone) or as printed (desktop).
fn screenshots(
    s: &Session,
    pages: &[(&str, String)],
    width: u32,
    dir: &Path,
    written: &mut Vec<String>,
    problems: &mut Vec<String>,
) -> Result<(), String> {
    let change = &pages.iter().find(|(k, _)| *k == "change").unwrap().1;
    let other = if width < 600 { "dark" } else { "print" };
    for (name, url, mode) in [
        ("home", &pages[0].1, ""),
        ("change", change, ""),
        ("change", change, other),
    ] {
        let media = if mode == "print" { "print" } else { "screen" };
        let scheme = if mode == "dark" { "dark" } else { "light" };
        s.cdp(
            "Emulation.setEmulatedMedia",
            json!({"media": media, "features": [{"name": "prefers-color-scheme", "value": scheme}]}),
        )?;
        s.goto(url)?;
        let png = s.screenshot_full_page(8_000)?;
        let size = browser::png_size(&png);
        if size.map(|(w, _)| w) != Some(width) {
            problems.push(format!("screenshot of {url} at {width} px is {size:?}"));
        }
        let suffix = if mode.is_empty() {
            String::new()
        } else {
            format!("-{mode}")
        };
        let file = dir.join(format!("{name}-{width}{suffix}.png"));
        std::fs::write(&file, &png).map_err(|e| e.to_string())?;
        written.push(file.file_name().unwrap().to_string_lossy().into_owned());
    }
    Ok(())
}

/// Types into the search page as a reader would and follows the results.
fn check_search(s: &Session, site: &Served) -> Result<String, String> {
    s.goto(&site.url("/search/"))?;
    s.wait_for(
        "const t = document.getElementById('search-status').textContent; return t.indexOf('Type a word') >= 0;",
        20,
    )?;
    let input = s.find("#q")?;
    s.type_into(&input, "arbitration")?;
    s.wait_for(
        "return document.querySelectorAll('#search-results li').length;",
        10,
    )?;
    let results = s.exec(
        "return [...document.querySelectorAll('#search-results li')].map(li => ({kind: li.className, title: li.querySelector('a').textContent, href: li.querySelector('a').href, path: li.querySelector('a').getAttribute('href'), context: li.querySelector('.kind').textContent, marked: li.querySelectorAll('mark').length}));",
        json!([]),
    )?;
    let results = results.as_array().cloned().unwrap_or_default();
    let query = s.exec("return location.search;", json!([]))?;
    let mut problems = Vec::new();
    if query != "?q=arbitration" {
        problems.push(format!(
            "the address should carry the query, so results can be shared: {query}"
        ));
    }
    let first = &results[0];
    if !first["title"]
        .as_str()
        .unwrap_or("")
        .to_lowercase()
        .contains("arbitration")
    {
        problems.push(format!(
            "the best result for “arbitration” should have it in its title: {first}"
        ));
    }
    let sections: Vec<&Value> = results
        .iter()
        .filter(|r| r["kind"].as_str().unwrap_or("").contains("result-section"))
        .collect();
    let platforms: BTreeSet<&str> = sections
        .iter()
        .filter_map(|r| r["context"].as_str()?.split(" · ").nth(1))
        .collect();
    // Every clause whose heading or text has the word is found (the index is the build's own).
    let index: Value = serde_json::from_str(&site.read("search-index.json")).unwrap();
    let expected: BTreeSet<&str> = index
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["k"] == "section")
        .filter(|e| {
            format!(
                "{} {}",
                e["t"].as_str().unwrap_or(""),
                e["x"].as_str().unwrap_or("")
            )
            .to_lowercase()
            .contains("arbitration")
        })
        .filter_map(|e| e["u"].as_str())
        .collect();
    let found: BTreeSet<&str> = sections.iter().filter_map(|r| r["path"].as_str()).collect();
    let lost: Vec<&&str> = expected.difference(&found).collect();
    if expected.len() < 3 || !lost.is_empty() {
        problems.push(format!(
            "typing “arbitration” should find each of the {} clauses that mention it; missing: {lost:?}",
            expected.len()
        ));
    }
    if results.iter().any(|r| r["marked"] == 0) {
        problems.push("every result should mark the word found".to_string());
    }
    // Every clause result leads to an anchor that exists, in a section about arbitration.
    for r in sections.iter().take(12) {
        let href = r["href"].as_str().unwrap_or("");
        if !href.contains('#') {
            problems.push(format!(
                "a clause result should link to its section's anchor: {href}"
            ));
            continue;
        }
        s.goto(href)?;
        let found = s.exec(
            "const el = document.getElementById(decodeURIComponent(location.hash.slice(1)));
             return el ? el.textContent.toLowerCase().includes('arbitra') : null;",
            json!([]),
        )?;
        match found {
            Value::Bool(true) => {}
            Value::Null => problems.push(format!("{href}: no element has that id")),
            _ => problems.push(format!(
                "{href}: the section there does not mention arbitration"
            )),
        }
    }
    // A platform's name finds the platform first.
    s.goto(&site.url("/search/?q=netflix"))?;
    let top = s.wait_for(
        "const a = document.querySelector('#search-results li a'); return a && a.getAttribute('href');",
        10,
    )?;
    if top.as_str() != Some(&format!("{PREFIX}/platforms/netflix/")) {
        problems.push(format!(
            "typing “netflix” should put the Netflix page first, got {top}"
        ));
    }
    if problems.is_empty() {
        Ok(format!(
            "search: “arbitration” gives {} results, clauses of {} platforms, anchors checked",
            results.len(),
            platforms.len()
        ))
    } else {
        Err(problems.join("\n"))
    }
}

/// Runs a check and adds how long it took to its note.
fn timed(check: impl FnOnce() -> Result<String, String>) -> Result<String, String> {
    let start = std::time::Instant::now();
    check().map(|note| format!("{note} ({:.0} s)", start.elapsed().as_secs_f64()))
}

#[test]
fn the_example_site_is_valid_accessible_and_searchable_in_a_browser() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("public");
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!(
        "http://127.0.0.1:{}{PREFIX}",
        listener.local_addr().unwrap().port()
    );
    termtrail_ok(
        &repo_root(),
        &[
            "build",
            "--output",
            out.to_str().unwrap(),
            "--base-url",
            &base,
        ],
    );
    browser::serve(listener, out.clone(), PREFIX);
    let site = Served { out, base };
    let pages = key_pages(&site);

    // The three checks are independent: run them side by side.
    let results: Vec<(&str, Result<String, String>)> = std::thread::scope(|scope| {
        let html = scope.spawn(|| timed(|| check_html(&site)));
        let a11y = scope.spawn(|| timed(|| check_accessibility(&site, &pages)));
        let browser = scope.spawn(|| timed(|| check_in_browser(&site, &pages)));
        vec![
            (
                "HTML",
                html.join()
                    .unwrap_or_else(|_| Err("the vnu check panicked".into())),
            ),
            (
                "accessibility",
                a11y.join()
                    .unwrap_or_else(|_| Err("the axe check panicked".into())),
            ),
            (
                "browser",
                browser
                    .join()
                    .unwrap_or_else(|_| Err("the browser check panicked".into())),
            ),
        ]
    });
    let mut failed = Vec::new();
    for (what, r) in results {
        match r {
            Ok(note) => browser::say(&format!("{what}: {note}")),
            Err(e) => failed.push(format!("{what}:\n{e}")),
        }
    }
    assert!(failed.is_empty(), "{}", failed.join("\n\n"));
}

fn example_site() -> termtrail::model::Site {
    let opts = termtrail::content::LoadOptions::default();
    match termtrail::content::load(&repo_root(), &opts) {
        Ok(loaded) => loaded.site,
        Err(d) => panic!(
            "the example site does not load:\n{}",
            d.0.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

#[test]
fn every_version_after_the_first_has_a_change_record() {
    let site = example_site();
    let mut missing_records = Vec::new();
    let mut versions = 0;
    for p in &site.platforms {
        for d in &p.documents {
            let covered: BTreeSet<_> = p
                .changes
                .iter()
                .filter(|c| c.document == d.id)
                .filter_map(|c| c.to)
                .collect();
            for s in d.snapshots.iter().skip(1) {
                versions += 1;
                if !covered.contains(&s.date) {
                    missing_records.push(format!("{}/{} {}", p.slug, d.id, s.date));
                }
            }
        }
    }
    assert!(
        versions > 0,
        "the example site has no second version at all"
    );
    assert!(
        missing_records.is_empty(),
        "these versions have no change record whose `to` is their date (write one under content/platforms/<p>/changes/):\n{}",
        missing_records.join("\n")
    );
}

#[test]
fn the_example_site_credits_its_sources_and_answers_enough_questions() {
    let about = common::read(&repo_root(), "content/pages/about.md");
    assert!(
        about.contains("Open Terms Archive contributors"),
        "about.md must credit “Open Terms Archive contributors”"
    );
    assert!(
        about.contains("ODC-By 1.0"),
        "about.md must name the licence, ODC-By 1.0"
    );
    let site = example_site();
    assert!(site.pages.iter().any(|p| p.slug == "about"));
    assert!(site.pages.iter().any(|p| p.slug == "methodology"));
    assert!(
        site.faq.len() >= 8,
        "the FAQ has {} questions; it should have at least 8",
        site.faq.len()
    );
    // Every topic compares at least three platforms: clauses tagged with it in the current
    // text of three platforms' documents.
    let mut thin = Vec::new();
    for t in &site.topics {
        let platforms: BTreeSet<&str> = site
            .platforms
            .iter()
            .filter(|p| {
                p.documents.iter().any(|d| {
                    d.current()
                        .is_some_and(|s| s.sections.iter().any(|x| x.topics.contains(&t.slug)))
                })
            })
            .map(|p| p.slug.as_str())
            .collect();
        if platforms.len() < 3 {
            thin.push(format!("{}: {platforms:?}", t.slug));
        }
    }
    assert!(
        thin.is_empty(),
        "topics comparing fewer than 3 platforms:\n{}",
        thin.join("\n")
    );
    let records: usize = site.platforms.iter().map(|p| p.changes.len()).sum();
    let by_platform: BTreeMap<&str, usize> = site
        .platforms
        .iter()
        .map(|p| (p.slug.as_str(), p.changes.len()))
        .collect();
    assert!(
        by_platform.values().all(|&n| n > 0),
        "every platform should have a change record: {by_platform:?}"
    );
    assert!(
        records >= 50,
        "the example site has {records} change records"
    );
}
