//! What is computed from the model: diffs, version histories, section histories, comparisons, feeds.

pub mod diff;
