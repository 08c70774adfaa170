//! The commands: build, check, serve, new, snapshot.

pub mod build;
pub mod check;
pub mod import;
pub mod new;
pub mod serve;
pub mod snapshot;
