//! Histories: one section through every version of its document, and a platform's timeline.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;

use crate::derive::diff::{self, SectionChange, SnapshotDiff};
use crate::model::{Document, Platform};

/// How a section's text stands in one version, relative to the version before.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SectionEvent {
    /// In the document's first version, or added later.
    Added,
    Changed,
    Removed,
}

/// One version of a section where something happened to it.
#[derive(Debug, Clone)]
pub struct SectionVersion {
    pub snapshot: usize,
    pub date: Date,
    pub event: SectionEvent,
    pub heading: Option<String>,
    /// The heading in the version before, when this version changed it.
    pub old_heading: Option<String>,
    /// The section's rendered text in that version (empty when removed).
    pub html: Arc<str>,
    /// Word diff from the previous text, for `Changed`.
    pub diff_html: Option<String>,
    pub words_added: usize,
    pub words_removed: usize,
}

/// One section through time.
#[derive(Debug, Clone)]
pub struct SectionHistory {
    pub id: String,
    pub anchor: String,
    /// The latest heading it had.
    pub heading: Option<String>,
    /// Whether the section is in the current version.
    pub current: bool,
    pub versions: Vec<SectionVersion>,
}

/// Every section that ever existed in a document, in order of first appearance. A version
/// counts as a change of the section when its text or its heading changed.
pub fn section_histories(doc: &Document) -> Vec<SectionHistory> {
    section_histories_with(doc, &[])
}

/// [`section_histories`], taking the word diffs of changed sections from `diffs[i]`, the diff
/// that leads to snapshot `i` (`Derived::versions`), instead of diffing the texts again.
pub fn section_histories_with(
    doc: &Document,
    diffs: &[Option<Arc<SnapshotDiff>>],
) -> Vec<SectionHistory> {
    let mut order: Vec<String> = Vec::new();
    let mut by_id: BTreeMap<String, SectionHistory> = BTreeMap::new();
    let mut last_text: BTreeMap<String, Option<Arc<str>>> = BTreeMap::new();
    let mut last_heading: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (i, snap) in doc.snapshots.iter().enumerate() {
        for s in &snap.sections {
            let h = by_id.entry(s.id.clone()).or_insert_with(|| {
                order.push(s.id.clone());
                SectionHistory {
                    id: s.id.clone(),
                    anchor: s.anchor.clone(),
                    heading: None,
                    current: false,
                    versions: Vec::new(),
                }
            });
            h.heading = s.heading.clone();
            let prev = last_text.get(&s.id).cloned().flatten();
            let prev_heading = last_heading
                .insert(s.id.clone(), s.heading.clone())
                .flatten();
            let renamed = prev.is_some() && prev_heading != s.heading;
            let event = match &prev {
                None => Some(SectionEvent::Added),
                // Equal texts of one document share one allocation (the loader interns
                // them), so most comparisons end at the pointers.
                Some(p) if (!Arc::ptr_eq(p, &s.text) && **p != *s.text) || renamed => {
                    Some(SectionEvent::Changed)
                }
                Some(_) => None,
            };
            if let Some(event) = event {
                let (diff_html, added, removed) = match (&prev, event) {
                    (Some(p), SectionEvent::Changed) => {
                        // The section was in the version before (else `prev` would be `None`),
                        // so that version's diff compared the same two texts.
                        let known = diffs.get(i).and_then(Option::as_ref).and_then(|d| {
                            d.sections
                                .iter()
                                .find(|x| x.id == s.id && x.change == SectionChange::Changed)
                        });
                        match known {
                            Some(x) => (Some(x.html.to_string()), x.words_added, x.words_removed),
                            None => {
                                let (html, a, r) = diff::diff_texts(p, &s.text);
                                (Some(html), a, r)
                            }
                        }
                    }
                    _ => (None, diff::count_words(&s.text), 0),
                };
                h.versions.push(SectionVersion {
                    snapshot: i,
                    date: snap.date,
                    event,
                    heading: s.heading.clone(),
                    old_heading: if renamed {
                        Some(prev_heading.unwrap_or_else(|| s.id.clone()))
                    } else {
                        None
                    },
                    html: s.html.clone(),
                    diff_html,
                    words_added: added,
                    words_removed: removed,
                });
            }
            last_text.insert(s.id.clone(), Some(s.text.clone()));
        }
        // Sections that were there before and are not in this version.
        for (id, text) in last_text.iter_mut() {
            if text.is_some() && !snap.sections.iter().any(|s| &s.id == id) {
                let words = text.as_deref().map(diff::count_words).unwrap_or(0);
                if let Some(h) = by_id.get_mut(id) {
                    h.versions.push(SectionVersion {
                        snapshot: i,
                        date: snap.date,
                        event: SectionEvent::Removed,
                        heading: h.heading.clone(),
                        old_heading: None,
                        html: Arc::from(""),
                        diff_html: None,
                        words_added: 0,
                        words_removed: words,
                    });
                }
                *text = None;
            }
        }
    }
    let current: Vec<&str> = doc
        .current()
        .map(|s| s.sections.iter().map(|x| x.id.as_str()).collect())
        .unwrap_or_default();
    order
        .into_iter()
        .filter_map(|id| {
            let mut h = by_id.remove(&id)?;
            h.current = current.contains(&id.as_str());
            Some(h)
        })
        .collect()
}

/// One line of a platform's timeline.
#[derive(Debug, Clone)]
pub enum TimelineEntry {
    /// Snapshot `snapshot` of document `document` (indexes into the platform).
    Version {
        document: usize,
        snapshot: usize,
        date: Date,
    },
    /// Change record `change` of the platform.
    Change { change: usize, date: Date },
}

impl TimelineEntry {
    fn date(&self) -> Date {
        match self {
            TimelineEntry::Version { date, .. } | TimelineEntry::Change { date, .. } => *date,
        }
    }
}

/// All versions of all documents and all change records of a platform, newest first.
pub fn platform_timeline(p: &Platform) -> Vec<TimelineEntry> {
    let mut out: Vec<TimelineEntry> = Vec::new();
    for (di, d) in p.documents.iter().enumerate() {
        for (si, s) in d.snapshots.iter().enumerate() {
            out.push(TimelineEntry::Version {
                document: di,
                snapshot: si,
                date: s.date,
            });
        }
    }
    for (ci, c) in p.changes.iter().enumerate() {
        out.push(TimelineEntry::Change {
            change: ci,
            date: c.date,
        });
    }
    // Newest first; on one day, the change record before the versions it explains.
    out.sort_by(|a, b| {
        b.date().cmp(&a.date()).then_with(|| match (a, b) {
            (TimelineEntry::Change { change: x, .. }, TimelineEntry::Change { change: y, .. }) => {
                y.cmp(x)
            }
            (TimelineEntry::Change { .. }, _) => std::cmp::Ordering::Less,
            (_, TimelineEntry::Change { .. }) => std::cmp::Ordering::Greater,
            (
                TimelineEntry::Version { document: d1, .. },
                TimelineEntry::Version { document: d2, .. },
            ) => d1.cmp(d2),
        })
    });
    out
}

/// Whether a version diff is worth a reader's attention (something changed beyond formatting).
pub fn is_substantive(d: &SnapshotDiff) -> bool {
    !d.stats.is_empty() && !d.formatting_only
}
