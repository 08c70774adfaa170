//! What is computed from the model: diffs, version and section histories, comparisons.

pub mod comparison;
pub mod diff;
pub mod history;
pub mod lint;
pub mod words;

use std::sync::Arc;

use rayon::prelude::*;

use crate::model::{ChangeRecord, Site, Snapshot};
pub use comparison::{Comparisons, Excerpt};
pub use diff::{DiffStats, SectionChange, SectionDiff, SnapshotDiff};

/// Everything derived, indexed like the model: `versions[p][d][i]` is the diff that leads to
/// snapshot `i` of document `d` of platform `p` (`None` for a first version). Diffs and
/// comparisons are shared, so that `serve` can keep them from one rebuild to the next.
pub struct Derived {
    pub versions: Vec<Vec<Vec<Option<Arc<SnapshotDiff>>>>>,
    /// `changes[p][c]`: the diff a change record covers, when both its snapshots exist.
    pub changes: Vec<Vec<Option<Arc<SnapshotDiff>>>>,
    pub comparisons: Arc<Comparisons>,
}

/// Makes the diff between an older and a newer snapshot.
pub type SnapshotDiffer<'a> = dyn Fn(&Snapshot, &Snapshot) -> Arc<SnapshotDiff> + Sync + 'a;

impl Derived {
    /// Computes every diff in parallel; a record whose `from`/`to` are neighbours reuses its version diff.
    pub fn compute(site: &Site) -> Derived {
        Derived::compute_with(site, &|a, b| Arc::new(diff::diff_snapshots(a, b)), None)
    }

    /// `compute`, with every diff between two snapshots made by `diff` (`serve` passes one
    /// that remembers diffs between rebuilds), and the comparisons when they are known already;
    /// `diff` must give what `diff::diff_snapshots` gives, `comparisons` what
    /// `Comparisons::compute` gives.
    pub fn compute_with(
        site: &Site,
        diff: &SnapshotDiffer<'_>,
        comparisons: Option<Arc<Comparisons>>,
    ) -> Derived {
        // The comparisons are made beside the diffs: neither needs the other.
        let (versions, comparisons) = rayon::join(
            || version_diffs(site, diff),
            || comparisons.unwrap_or_else(|| Arc::new(Comparisons::compute(site))),
        );
        let changes = site
            .platforms
            .par_iter()
            .enumerate()
            .map(|(pi, p)| {
                p.changes
                    .par_iter()
                    .map(|c| change_diff(site, &versions, pi, c, diff))
                    .collect()
            })
            .collect();
        Derived {
            versions,
            changes,
            comparisons,
        }
    }
}

/// `versions[p][d][s]`: the diff from version `s - 1` of each document to version `s`.
fn version_diffs(
    site: &Site,
    diff: &SnapshotDiffer<'_>,
) -> Vec<Vec<Vec<Option<Arc<SnapshotDiff>>>>> {
    site.platforms
        .par_iter()
        .map(|p| {
            p.documents
                .par_iter()
                .map(|d| {
                    (0..d.snapshots.len())
                        .into_par_iter()
                        .map(|i| (i > 0).then(|| diff(&d.snapshots[i - 1], &d.snapshots[i])))
                        .collect()
                })
                .collect()
        })
        .collect()
}

fn change_diff(
    site: &Site,
    versions: &[Vec<Vec<Option<Arc<SnapshotDiff>>>>],
    pi: usize,
    c: &ChangeRecord,
    diff: &SnapshotDiffer<'_>,
) -> Option<Arc<SnapshotDiff>> {
    let p = &site.platforms[pi];
    let di = p.documents.iter().position(|d| d.id == c.document)?;
    let doc = &p.documents[di];
    let (from, to) = (c.from?, c.to?);
    let fi = doc.snapshots.iter().position(|s| s.date == from)?;
    let ti = doc.snapshots.iter().position(|s| s.date == to)?;
    if ti == fi + 1 {
        return versions[pi][di][ti].clone();
    }
    Some(diff(&doc.snapshots[fi], &doc.snapshots[ti]))
}
