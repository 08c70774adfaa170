//! The content model: platforms, documents, snapshots, sections, change records, topics, FAQ, pages.
//!
//! Plain data, filled by `content` and read by everything after it.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;

use crate::config::SiteConfig;

/// Everything a site holds, after loading and validation.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: SiteConfig,
    /// Sorted by slug.
    pub platforms: Vec<Platform>,
    /// Sorted by slug.
    pub topics: Vec<Topic>,
    /// Sorted by `order`, then slug.
    pub faq: Vec<FaqEntry>,
    /// Sorted by slug.
    pub pages: Vec<Page>,
}

#[derive(Debug, Clone)]
pub struct Platform {
    pub slug: String,
    pub name: String,
    pub url: String,
    pub category: Option<String>,
    pub description_html: String,
    pub documents: Vec<Document>,
    /// Sorted by date, then slug (oldest first). Shared with `serve`'s load cache.
    pub changes: Vec<Arc<ChangeRecord>>,
}

#[derive(Debug, Clone)]
pub struct Document {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
    /// Sorted by date, oldest first; the last one is the current text. Shared with `serve`'s
    /// load cache, so that a rebuild does not copy unchanged documents.
    pub snapshots: Arc<[Snapshot]>,
}

impl Document {
    pub fn current(&self) -> Option<&Snapshot> {
        self.snapshots.last()
    }
}

/// One version of a document, as captured on `date`.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub date: Date,
    pub title: String,
    pub source_url: Option<String>,
    pub sections: Vec<Section>,
    /// The file it came from, relative to the site root.
    pub file: String,
}

#[derive(Debug, Clone)]
pub struct Section {
    /// Stable across versions; any string.
    pub id: String,
    /// A valid HTML id and URL segment derived from `id`, unique within the document.
    pub anchor: String,
    pub heading: Option<String>,
    pub topics: Vec<String>,
    /// The Markdown source.
    pub text: Arc<str>,
    /// Rendered, sanitised HTML; shared between versions whose text is the same.
    pub html: Arc<str>,
}

impl Section {
    /// The heading, or the id when there is none.
    pub fn label(&self) -> &str {
        self.heading.as_deref().unwrap_or(&self.id)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Impact {
    Low,
    Medium,
    High,
}

impl Impact {
    pub fn as_str(self) -> &'static str {
        match self {
            Impact::Low => "low",
            Impact::Medium => "medium",
            Impact::High => "high",
        }
    }
}

/// A contributor's explanation of what changed in a document.
#[derive(Debug, Clone)]
pub struct ChangeRecord {
    pub platform: String,
    /// The file name without its `.md`: `<date>-<slug>`.
    pub key: String,
    pub date: Date,
    pub title: String,
    pub document: String,
    pub summary: String,
    pub topics: Vec<String>,
    pub impact: Impact,
    /// The earlier snapshot's date, when one exists.
    pub from: Option<Date>,
    /// The later snapshot's date, when one exists.
    pub to: Option<Date>,
    pub draft: bool,
    pub body_html: String,
    pub file: String,
}

#[derive(Debug, Clone)]
pub struct Topic {
    pub slug: String,
    pub title: String,
    pub question: Option<String>,
    pub body_html: String,
}

#[derive(Debug, Clone)]
pub struct FaqEntry {
    pub slug: String,
    pub question: String,
    pub order: i64,
    pub platform: Option<String>,
    pub answer_html: String,
    /// The answer without markup, for JSON-LD.
    pub answer_text: String,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub slug: String,
    pub title: String,
    pub body_html: String,
}

/// An internal link found in Markdown, checked once every page is known. Its strings are
/// shared: `serve` carries the links of unchanged files from one load to the next.
#[derive(Debug, Clone)]
pub struct InternalLink {
    pub file: Arc<str>,
    pub line: usize,
    pub column: usize,
    /// The target as written, starting with `/`.
    pub target: Arc<str>,
}

impl Site {
    pub fn platform(&self, slug: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.slug == slug)
    }

    pub fn topic(&self, slug: &str) -> Option<&Topic> {
        self.topics.iter().find(|t| t.slug == slug)
    }

    /// Every non-draft change record (drafts are dropped at load unless asked for).
    pub fn changes(&self) -> impl Iterator<Item = (&Platform, &ChangeRecord)> {
        self.platforms
            .iter()
            .flat_map(|p| p.changes.iter().map(move |c| (p, &**c)))
    }

    /// Topic slug → title, for labels.
    pub fn topic_titles(&self) -> BTreeMap<&str, &str> {
        self.topics
            .iter()
            .map(|t| (t.slug.as_str(), t.title.as_str()))
            .collect()
    }
}

impl Platform {
    pub fn document(&self, id: &str) -> Option<&Document> {
        self.documents.iter().find(|d| d.id == id)
    }
}
