//! What templates see: small, plain views of the model and the derived data.

use std::borrow::Cow;

use serde::Serialize;

use crate::config::SiteConfig;
use crate::derive::{DiffStats, Excerpt, SectionChange, SectionDiff, SnapshotDiff};
use crate::model::{ChangeRecord, FaqEntry, Platform, Site};
use crate::render::paths;
use crate::render::rewrite::{scope_ids, Targets};

/// Site-wide values every page gets as `site`.
#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub language: &'a str,
    pub author: &'a str,
    /// The base path to put before site paths in templates (`""` or `/atlas`).
    pub base: &'a str,
    pub base_url: &'a str,
    pub has_methodology: bool,
    pub has_about: bool,
}

impl<'a> SiteView<'a> {
    pub fn new(site: &'a Site) -> Self {
        let c = &site.config;
        SiteView {
            title: &c.title,
            description: &c.description,
            language: &c.language,
            author: &c.author,
            base: &c.base_path,
            base_url: &c.base_url,
            has_methodology: site.pages.iter().any(|p| p.slug == "methodology"),
            has_about: site.pages.iter().any(|p| p.slug == "about"),
        }
    }
}

/// The three feed formats of one scope.
#[derive(Serialize, Clone)]
pub struct FeedLinks {
    pub title: String,
    pub rss: String,
    pub atom: String,
    pub json: String,
}

impl FeedLinks {
    pub fn new(config: &SiteConfig, scope_path: &str, title: String) -> Self {
        FeedLinks {
            title,
            rss: config.url(&format!("{scope_path}rss.xml")),
            atom: config.url(&format!("{scope_path}atom.xml")),
            json: config.url(&format!("{scope_path}feed.json")),
        }
    }
}

#[derive(Serialize, Clone)]
pub struct Link {
    pub slug: String,
    pub title: String,
    pub url: String,
}

/// A change record as shown in lists and on its page.
#[derive(Serialize, Clone)]
pub struct ChangeView {
    pub key: String,
    pub title: String,
    /// "<Platform>: <title>".
    pub full_title: String,
    pub url: String,
    pub permalink: String,
    pub date: String,
    pub summary: String,
    pub impact: &'static str,
    pub topics: Vec<Link>,
    pub platform: Link,
    pub document: Link,
    pub from: Option<String>,
    pub to: Option<String>,
    pub from_url: Option<String>,
    pub to_url: Option<String>,
    pub stats: Option<DiffStats>,
    pub formatting_only: bool,
}

impl ChangeView {
    pub fn new(site: &Site, p: &Platform, c: &ChangeRecord, diff: Option<&SnapshotDiff>) -> Self {
        let cfg = &site.config;
        let doc_title = p
            .document(&c.document)
            .map(|d| d.title.clone())
            .unwrap_or_default();
        let topics = c
            .topics
            .iter()
            .map(|t| Link {
                slug: t.clone(),
                title: site
                    .topic(t)
                    .map(|x| x.title.clone())
                    .unwrap_or_else(|| t.clone()),
                url: cfg.url(&paths::topic(t)),
            })
            .collect();
        let path = paths::change(&p.slug, &c.key);
        ChangeView {
            key: c.key.clone(),
            title: c.title.clone(),
            full_title: format!("{}: {}", p.name, c.title),
            url: cfg.url(&path),
            permalink: cfg.permalink(&path),
            date: paths::date_text(c.date),
            summary: c.summary.clone(),
            impact: c.impact.as_str(),
            topics,
            platform: Link {
                slug: p.slug.clone(),
                title: p.name.clone(),
                url: cfg.url(&paths::platform(&p.slug)),
            },
            document: Link {
                slug: c.document.clone(),
                title: doc_title,
                url: cfg.url(&paths::document(&p.slug, &c.document)),
            },
            from: c.from.map(|d| d.to_string()),
            to: c.to.map(|d| d.to_string()),
            from_url: c
                .from
                .map(|d| cfg.url(&paths::version(&p.slug, &c.document, d))),
            to_url: c
                .to
                .map(|d| cfg.url(&paths::version(&p.slug, &c.document, d))),
            stats: diff.map(|d| d.stats),
            formatting_only: diff.is_some_and(|d| d.formatting_only),
        }
    }
}

/// A change record in a list: its view, and its list item as the theme's `change_item` macro
/// renders it (absent when the macro cannot; lists then call it themselves).
#[derive(Serialize)]
pub struct ListedChange<'a> {
    #[serde(flatten)]
    pub change: &'a ChangeView,
    /// `change_item(c, show_platform=true)`.
    pub item_html: Option<&'a str>,
    /// `change_item(c, show_platform=false)`.
    pub item_html_no_platform: Option<&'a str>,
}

/// A section of a diff, with its HTML and a link to the section's history.
#[derive(Serialize)]
pub struct SectionDiffView<'a> {
    pub id: &'a str,
    pub anchor: &'a str,
    pub heading: &'a str,
    pub old_heading: Option<&'a str>,
    pub change: SectionChange,
    pub formatting_only: bool,
    /// Diff marks, or for an unchanged section its text, ids prefixed with `tt-diff-<anchor>--`.
    pub html: Cow<'a, str>,
    pub words_added: usize,
    pub words_removed: usize,
    pub history_url: String,
}

#[derive(Serialize)]
pub struct DiffView<'a> {
    pub sections: Vec<SectionDiffView<'a>>,
    pub stats: DiffStats,
    pub formatting_only: bool,
    pub from: String,
    pub to: String,
    pub from_url: String,
    pub to_url: String,
}

impl<'a> DiffView<'a> {
    /// `targets` are the later version's, and `page` the URL of the page showing it whole
    /// (`""` for the page the diff is on): where in-document links of unchanged sections lead.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        cfg: &SiteConfig,
        p: &str,
        d: &str,
        diff: &'a SnapshotDiff,
        from: jiff::civil::Date,
        to: jiff::civil::Date,
        targets: &Targets,
        page: &str,
    ) -> Self {
        DiffView {
            sections: diff
                .sections
                .iter()
                .map(|s| section_diff_view(cfg, p, d, s, (targets, page)))
                .collect(),
            stats: diff.stats,
            formatting_only: diff.formatting_only,
            from: paths::date_text(from),
            to: paths::date_text(to),
            from_url: cfg.url(&paths::version(p, d, from)),
            to_url: cfg.url(&paths::version(p, d, to)),
        }
    }
}

fn section_diff_view<'a>(
    cfg: &SiteConfig,
    p: &str,
    d: &str,
    s: &'a SectionDiff,
    outside: (&Targets, &str),
) -> SectionDiffView<'a> {
    SectionDiffView {
        id: &s.id,
        anchor: &s.anchor,
        heading: &s.heading,
        old_heading: s.old_heading.as_deref(),
        change: s.change,
        formatting_only: s.formatting_only,
        html: scope_ids(
            &s.html,
            &["tt-diff-", s.anchor.as_str(), "--"].concat(),
            Some(outside),
        ),
        words_added: s.words_added,
        words_removed: s.words_removed,
        history_url: cfg.url(&paths::section(p, d, &s.anchor)),
    }
}

/// An excerpt with its links.
#[derive(Serialize)]
pub struct ExcerptView<'a> {
    #[serde(flatten)]
    pub excerpt: &'a Excerpt,
    pub captured: String,
    pub platform_url: String,
    pub document_url: String,
    /// The section's anchor on the document page.
    pub section_url: String,
    pub history_url: String,
}

impl<'a> ExcerptView<'a> {
    pub fn new(cfg: &SiteConfig, e: &'a Excerpt) -> Self {
        let doc = paths::document(&e.platform, &e.document);
        ExcerptView {
            excerpt: e,
            captured: e.captured.to_string(),
            platform_url: cfg.url(&paths::platform(&e.platform)),
            document_url: cfg.url(&doc),
            section_url: cfg.url(&format!("{doc}#{}", e.anchor)),
            history_url: cfg.url(&paths::section(&e.platform, &e.document, &e.anchor)),
        }
    }
}

/// An excerpt as change pages show it: its view, and its HTML as the theme's `excerpt` macro
/// renders it (absent when the macro cannot; the page then calls it itself).
#[derive(Serialize)]
pub struct ListedExcerpt<'a> {
    #[serde(flatten)]
    pub excerpt: ExcerptView<'a>,
    pub html: Option<&'a str>,
}

#[derive(Serialize)]
pub struct FaqView<'a> {
    pub slug: &'a str,
    pub question: &'a str,
    pub answer_html: &'a str,
    pub url: String,
}

impl<'a> FaqView<'a> {
    pub fn new(cfg: &SiteConfig, f: &'a FaqEntry) -> Self {
        FaqView {
            slug: &f.slug,
            question: &f.question,
            answer_html: &f.answer_html,
            url: cfg.url(&format!("/faq/#{}", f.slug)),
        }
    }
}
