//! termtrail: a static-site generator for publishing changes to platforms' governance documents.
//!
//! The pipeline, one module a stage: `content` loads files into the `model`; `derive` computes
//! diffs, timelines, comparisons and feeds from it; `render` turns all of that into pages;
//! `output` writes them; `cmd` holds the commands on top.

pub mod build_cache;
pub mod cmd;
pub mod config;
pub mod content;
pub mod derive;
pub mod error;
pub mod import;
pub mod markdown;
pub mod model;
pub mod output;
pub mod render;
pub mod serve;
pub mod timings;
pub mod yaml;
