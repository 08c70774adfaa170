//! Converts a termtrail site into a Hugo site with the same Markdown, for benchmarks.
//!
//! ```text
//! cargo run --release --example gen-hugo -- SITE_DIR HUGO_DIR
//! ```
//!
//! Every snapshot becomes one Markdown page (its sections as `##` headings), every change
//! record one page (its own Markdown, front matter kept, `date` added), topics a taxonomy
//! (`topics`, with each topic's introduction as its term page), FAQ entries and pages their own
//! pages; RSS is on for the home page, sections, the taxonomy and its terms (50 items, like
//! termtrail's `feed_limit`). A minimal theme lists pages and renders their content: Hugo
//! renders the same Markdown as termtrail, without diffs, histories or comparisons.
//!
//! HUGO_DIR is replaced.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use termtrail::content::snapshot;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [site, hugo] = args.as_slice() else {
        eprintln!("usage: gen-hugo SITE_DIR HUGO_DIR");
        return ExitCode::from(2);
    };
    match convert(Path::new(site), Path::new(hugo)) {
        Ok(n) => {
            println!("gen-hugo: {n} Markdown pages in {hugo}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen-hugo: {e}");
            ExitCode::FAILURE
        }
    }
}

fn put(path: &Path, text: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn read(path: &Path) -> Result<String, String> {
    fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

fn sorted_dir(path: &Path) -> Result<Vec<PathBuf>, String> {
    let mut v: Vec<PathBuf> = match fs::read_dir(path) {
        Ok(d) => d.flatten().map(|e| e.path()).collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(format!("{}: {e}", path.display())),
    };
    v.sort();
    Ok(v)
}

fn stem(p: &Path) -> String {
    p.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// The value of a top-level `key: value` line of simple YAML.
fn yaml_value(src: &str, key: &str) -> Option<String> {
    src.lines().find_map(|l| {
        l.strip_prefix(key)
            .and_then(|r| r.strip_prefix(':'))
            .map(|v| v.trim().trim_matches('"').to_string())
            .filter(|v| !v.is_empty())
    })
}

/// Splits `---\nfront matter\n---\nbody`.
fn front_matter(src: &str) -> Option<(&str, &str)> {
    let rest = src.strip_prefix("---\n")?;
    let end = rest.find("\n---\n")?;
    Some((&rest[..end + 1], &rest[end + 5..]))
}

fn convert(site: &Path, hugo: &Path) -> Result<usize, String> {
    let site_yaml = read(&site.join("site.yaml"))?;
    let title = yaml_value(&site_yaml, "title").unwrap_or_else(|| "Site".into());
    let base_url =
        yaml_value(&site_yaml, "base_url").unwrap_or_else(|| "https://example.org".into());
    if hugo.exists() {
        fs::remove_dir_all(hugo).map_err(|e| format!("{}: {e}", hugo.display()))?;
    }
    put(
        &hugo.join("config.yaml"),
        &format!(
            "baseURL: {}/\ntitle: {}\nlanguageCode: en\ntaxonomies:\n  topic: topics\nservices:\n  rss:\n    limit: 50\ndisableKinds: []\n",
            base_url.trim_end_matches('/'),
            quote(&title)
        ),
    )?;
    let layouts = hugo.join("layouts/_default");
    put(&layouts.join("baseof.html"), BASEOF)?;
    put(&layouts.join("single.html"), SINGLE)?;
    put(&layouts.join("list.html"), LIST)?;
    let content = hugo.join("content");
    let src = site.join("content");
    let mut pages = 0;

    put(
        &content.join("_index.md"),
        &format!("---\ntitle: {}\n---\n", quote(&title)),
    )?;
    for f in sorted_dir(&src.join("topics"))? {
        let text = read(&f)?;
        put(
            &content.join("topics").join(stem(&f)).join("_index.md"),
            &text,
        )?;
        pages += 1;
    }
    put(&content.join("faq/_index.md"), "---\ntitle: FAQ\n---\n")?;
    for f in sorted_dir(&src.join("faq"))? {
        let text = read(&f)?;
        let Some((fm, body)) = front_matter(&text) else {
            continue;
        };
        let q = yaml_value(fm, "question").unwrap_or_default();
        put(
            &content.join("faq").join(format!("{}.md", stem(&f))),
            &format!("---\ntitle: {}\n{fm}---\n{body}", quote(&q)),
        )?;
        pages += 1;
    }
    for f in sorted_dir(&src.join("pages"))? {
        fs::copy(&f, content.join(format!("{}.md", stem(&f))))
            .map_err(|e| format!("{}: {e}", f.display()))?;
        pages += 1;
    }
    put(
        &content.join("platforms/_index.md"),
        "---\ntitle: Platforms\n---\n",
    )?;
    for pdir in sorted_dir(&src.join("platforms"))? {
        let p = stem(&pdir);
        let out = content.join("platforms").join(&p);
        let meta = read(&pdir.join("platform.yaml"))?;
        let name = yaml_value(&meta, "name").unwrap_or_else(|| p.clone());
        let description = meta
            .split_once("description: >-\n")
            .map(|(_, d)| {
                d.lines()
                    .take_while(|l| l.starts_with("  "))
                    .map(str::trim)
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .or_else(|| yaml_value(&meta, "description"))
            .unwrap_or_default();
        put(
            &out.join("_index.md"),
            &format!("---\ntitle: {}\n---\n{description}\n", quote(&name)),
        )?;
        for ddir in sorted_dir(&pdir.join("snapshots"))? {
            let doc = stem(&ddir);
            put(
                &out.join(&doc).join("_index.md"),
                &format!("---\ntitle: {}\n---\n", quote(&format!("{name}: {doc}"))),
            )?;
            for f in sorted_dir(&ddir)? {
                let date = stem(&f);
                let file = f.to_string_lossy().into_owned();
                let parsed = snapshot::parse(&read(&f)?, &file).map_err(|d| {
                    format!(
                        "{file}: {}",
                        d.first().map(|d| d.to_string()).unwrap_or_default()
                    )
                })?;
                let topics: BTreeSet<&str> = parsed
                    .sections
                    .iter()
                    .flat_map(|s| s.topics.iter().map(String::as_str))
                    .collect();
                let mut md = format!(
                    "---\ntitle: {}\ndate: {date}\ntopics: [{}]\n---\n",
                    quote(&format!("{name}: {doc}, version of {date}")),
                    topics.into_iter().collect::<Vec<_>>().join(", ")
                );
                for s in &parsed.sections {
                    if let Some(h) = &s.heading {
                        let _ = write!(md, "## {h}\n\n");
                    }
                    md.push_str(s.text.trim_end());
                    md.push_str("\n\n");
                }
                put(&out.join(&doc).join(format!("{date}.md")), &md)?;
                pages += 1;
            }
        }
        let changes = sorted_dir(&pdir.join("changes"))?;
        if !changes.is_empty() {
            put(
                &out.join("changes/_index.md"),
                &format!("---\ntitle: {}\n---\n", quote(&format!("{name}: changes"))),
            )?;
        }
        for f in changes {
            let key = stem(&f);
            let text = read(&f)?;
            let Some((fm, body)) = front_matter(&text) else {
                continue;
            };
            if fm.lines().any(|l| l.trim() == "draft: true") {
                continue;
            }
            let date = key.get(..10).unwrap_or("1970-01-01");
            let fm: String = fm
                .lines()
                .filter(|l| !l.starts_with("date:"))
                .map(|l| format!("{l}\n"))
                .collect();
            put(
                &out.join("changes").join(format!("{key}.md")),
                &format!("---\n{fm}date: {date}\n---\n{body}"),
            )?;
            pages += 1;
        }
    }
    Ok(pages)
}

const BASEOF: &str = r#"<!doctype html>
<html lang="{{ .Site.LanguageCode }}">
<head>
<meta charset="utf-8">
<title>{{ .Title }} | {{ .Site.Title }}</title>
<link rel="canonical" href="{{ .Permalink }}">
{{ range .AlternativeOutputFormats }}<link rel="alternate" type="{{ .MediaType.Type }}" href="{{ .Permalink }}" title="{{ $.Site.Title }}">
{{ end }}</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a>
<nav><a href="{{ "/platforms/" | relURL }}">Platforms</a> <a href="{{ "/topics/" | relURL }}">Topics</a> <a href="{{ "/faq/" | relURL }}">FAQ</a></nav></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"#;

const SINGLE: &str = r#"{{ define "main" }}<article>
<h1>{{ .Title }}</h1>
<p><time datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "2 January 2006" }}</time>
{{ with .Params.summary }}<p class="summary">{{ . }}</p>{{ end }}
{{ with .GetTerms "topics" }}<ul class="topics">{{ range . }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
{{ .Content }}
</article>
{{ with .Parent }}<p>In <a href="{{ .RelPermalink }}">{{ .Title }}</a></p>{{ end }}
{{ end }}
"#;

const LIST: &str = r#"{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>{{ end }}
</ul>
{{ end }}
"#;
