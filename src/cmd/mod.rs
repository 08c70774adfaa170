//! The commands: build, check, serve, new, snapshot.

pub mod build;
pub mod check;
