//! "How other platforms handle this": excerpts of the current sections tagged with each topic.

use std::collections::{BTreeMap, HashMap};

use jiff::civil::Date;

use crate::markdown::plain_text_prefix;
use crate::model::Site;

/// How long an excerpt may be before it is shortened, in characters.
const EXCERPT_CHARS: usize = 360;

/// One clause of one platform's current document, quoted.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Excerpt {
    pub platform: String,
    pub platform_name: String,
    pub document: String,
    pub document_title: String,
    pub section_id: String,
    pub anchor: String,
    pub heading: String,
    pub text: String,
    pub shortened: bool,
    pub captured: Date,
}

/// Excerpts by topic slug, most recently captured first, then by platform name.
#[derive(Debug, Default)]
pub struct Comparisons {
    pub by_topic: BTreeMap<String, Vec<Excerpt>>,
    /// Per topic, the indexes into `by_topic`'s list in breadth-first order: every platform's
    /// first clause, then every platform's second, and so on, each round in list order.
    /// Made once, so that each change page's "other platforms" costs its length, not the
    /// topic's.
    breadth_first: BTreeMap<String, Vec<usize>>,
}

impl Comparisons {
    pub fn compute(site: &Site) -> Comparisons {
        let mut by_topic: BTreeMap<String, Vec<Excerpt>> = BTreeMap::new();
        for p in &site.platforms {
            for d in &p.documents {
                let Some(cur) = d.current() else { continue };
                for s in &cur.sections {
                    if s.topics.is_empty() {
                        continue;
                    }
                    let (text, shortened) = shortened_plain_text(&s.text, EXCERPT_CHARS);
                    for t in &s.topics {
                        by_topic.entry(t.clone()).or_default().push(Excerpt {
                            platform: p.slug.clone(),
                            platform_name: p.name.clone(),
                            document: d.id.clone(),
                            document_title: d.title.clone(),
                            section_id: s.id.clone(),
                            anchor: s.anchor.clone(),
                            heading: s.label().to_string(),
                            text: text.clone(),
                            shortened,
                            captured: cur.date,
                        });
                    }
                }
            }
        }
        for list in by_topic.values_mut() {
            // Stable: sections keep document order within a platform's document.
            list.sort_by(|a, b| {
                b.captured
                    .cmp(&a.captured)
                    .then_with(|| a.platform_name.cmp(&b.platform_name))
                    .then_with(|| a.document.cmp(&b.document))
            });
        }
        Comparisons::from_lists(by_topic)
    }

    fn from_lists(by_topic: BTreeMap<String, Vec<Excerpt>>) -> Comparisons {
        let breadth_first = by_topic
            .iter()
            .map(|(t, list)| (t.clone(), breadth_first(list)))
            .collect();
        Comparisons {
            by_topic,
            breadth_first,
        }
    }

    /// Up to `limit` excerpts for `topic` from platforms other than `platform`, in the list's
    /// order (most recently captured first, then by platform name). Breadth first: every other
    /// platform's first clause is taken before any platform's second, so one platform with many
    /// tagged clauses cannot crowd out the rest.
    pub fn others(&self, topic: &str, platform: &str, limit: usize) -> Vec<&Excerpt> {
        let Some(list) = self.by_topic.get(topic) else {
            return Vec::new();
        };
        self.others_at(topic, platform, limit)
            .into_iter()
            .map(|i| &list[i])
            .collect()
    }

    /// `others`, as indexes into `by_topic[topic]` (empty for a topic without excerpts).
    pub fn others_at(&self, topic: &str, platform: &str, limit: usize) -> Vec<usize> {
        let (Some(list), Some(order)) = (self.by_topic.get(topic), self.breadth_first.get(topic))
        else {
            return Vec::new();
        };
        // A platform's rank among its own clauses does not depend on the others: leaving one
        // platform out of the breadth-first order leaves the rest of it as it was.
        let mut picked: Vec<usize> = order
            .iter()
            .copied()
            .filter(|&i| list[i].platform != platform)
            .take(limit)
            .collect();
        picked.sort_unstable();
        picked
    }

    /// Every excerpt for `topic`, grouped by platform in name order.
    pub fn grouped(&self, topic: &str) -> Vec<(&str, Vec<&Excerpt>)> {
        let mut groups: BTreeMap<(&str, &str), Vec<&Excerpt>> = BTreeMap::new();
        for e in self.by_topic.get(topic).into_iter().flatten() {
            groups
                .entry((e.platform_name.as_str(), e.platform.as_str()))
                .or_default()
                .push(e);
        }
        groups.into_iter().map(|((_, slug), v)| (slug, v)).collect()
    }
}

/// The indexes of `list` by (rank of the clause within its platform, position in `list`).
fn breadth_first(list: &[Excerpt]) -> Vec<usize> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut ranked: Vec<(usize, usize)> = list
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let n = seen.entry(e.platform.as_str()).or_insert(0);
            *n += 1;
            (*n - 1, i)
        })
        .collect();
    ranked.sort_unstable();
    ranked.into_iter().map(|(_, i)| i).collect()
}

/// The plain text of Markdown `md`, shortened as `shorten` shortens it; only as much of `md`
/// is read as that needs (`markdown::plain_text_prefix`).
pub fn shortened_plain_text(md: &str, max: usize) -> (String, bool) {
    shorten(&plain_text_prefix(md, max), max)
}

/// Shortens text to at most `max` characters, at a sentence end if one is near, else a word.
pub fn shorten(text: &str, max: usize) -> (String, bool) {
    if text.chars().count() <= max {
        return (text.to_string(), false);
    }
    let cut: String = text.chars().take(max).collect();
    let sentence_end = cut
        .rmatch_indices(['.', '!', '?', '。', '；'])
        .map(|(i, m)| i + m.len())
        .find(|&i| i >= max / 2);
    if let Some(end) = sentence_end {
        return (cut[..end].trim_end().to_string(), true);
    }
    let end = cut
        .rfind(char::is_whitespace)
        .filter(|&i| i > max / 2)
        .unwrap_or(cut.len());
    (
        format!(
            "{}…",
            cut[..end].trim_end().trim_end_matches([',', ';', ':'])
        ),
        true,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn excerpt(platform: &str, captured: Date, n: usize) -> Excerpt {
        Excerpt {
            platform: platform.into(),
            platform_name: platform.to_uppercase(),
            document: "terms".into(),
            document_title: "Terms".into(),
            section_id: format!("s{n}"),
            anchor: format!("s{n}"),
            heading: format!("S{n}"),
            text: "Text.".into(),
            shortened: false,
            captured,
        }
    }

    #[test]
    fn others_take_every_platform_before_a_second_clause() {
        let (new, old) = (jiff::civil::date(2026, 2, 1), jiff::civil::date(2025, 1, 1));
        let list = vec![
            excerpt("a", new, 1),
            excerpt("a", new, 2),
            excerpt("a", new, 3),
            excerpt("b", old, 4),
            excerpt("c", old, 5),
            excerpt("d", old, 6),
        ];
        let c = Comparisons::from_lists(BTreeMap::from([("t".to_string(), list)]));
        let ids = |v: Vec<&Excerpt>| v.iter().map(|e| e.section_id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(c.others("t", "d", 3)), ["s1", "s4", "s5"]);
        assert_eq!(ids(c.others("t", "d", 4)), ["s1", "s2", "s4", "s5"]);
        assert_eq!(ids(c.others("t", "a", 6)), ["s4", "s5", "s6"]);
        assert!(c.others("nothing", "a", 6).is_empty());
    }

    #[test]
    fn shortens_at_sentence_or_word() {
        let t = "First sentence here. Second sentence is much longer than the limit allows it.";
        assert_eq!(shorten(t, 40), ("First sentence here.".to_string(), true));
        let (s, cut) = shorten("one two three four five six seven", 20);
        assert!(cut && s.ends_with('…') && s.len() <= 24, "{s}");
        assert_eq!(shorten("short", 20), ("short".to_string(), false));
    }
}
