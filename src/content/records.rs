//! Markdown files with front matter: change records, topics, FAQ entries and pages.

use serde::Deserialize;

use crate::content::frontmatter;
use crate::error::Diagnostic;
use crate::yaml;

/// A parsed Markdown file: typed front matter, the body and where it starts.
#[derive(Clone)]
pub struct MarkdownFile<T> {
    pub meta: T,
    pub yaml: String,
    pub yaml_line: usize,
    pub body: String,
    pub body_line: usize,
}

pub fn parse<T: for<'de> Deserialize<'de>>(
    src: &str,
    file: &str,
) -> Result<MarkdownFile<T>, Diagnostic> {
    let fm = frontmatter::split(src, file)?;
    let meta = yaml::parse::<T>(fm.yaml, file, fm.yaml_line, src)?;
    Ok(MarkdownFile {
        meta,
        yaml: fm.yaml.to_string(),
        yaml_line: fm.yaml_line,
        body: fm.body.to_string(),
        body_line: fm.body_line,
    })
}

impl<T> MarkdownFile<T> {
    /// Line and column in the whole file of `key:` in the front matter.
    pub fn key_pos(&self, key: &str) -> Option<(usize, usize)> {
        yaml::key_position(&self.yaml, key).map(|(l, c)| (l + self.yaml_line - 1, c))
    }

    /// Line and column in the whole file of `value` after `key:` in the front matter.
    pub fn value_pos(&self, key: &str, value: &str) -> Option<(usize, usize)> {
        yaml::value_position(&self.yaml, key, value).map(|(l, c)| (l + self.yaml_line - 1, c))
    }
}

/// A date in YAML is a string to us: `2026-01-15` stays text, so we can check it ourselves.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeMeta {
    pub title: String,
    pub document: String,
    pub summary: String,
    #[serde(default)]
    pub topics: Vec<String>,
    pub impact: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub date: Option<String>,
    #[serde(default)]
    pub draft: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicMeta {
    pub title: String,
    pub question: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaqMeta {
    pub question: String,
    pub order: Option<i64>,
    pub platform: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageMeta {
    pub title: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PlatformMeta {
    pub name: String,
    pub url: String,
    pub category: Option<String>,
    pub description: Option<String>,
    pub documents: Vec<DocumentMeta>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentMeta {
    pub id: String,
    pub title: String,
    pub url: Option<String>,
}
