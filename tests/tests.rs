//! The integration tests, compiled as one test binary (`integration`).
//!
//! Each file in `tests/` is a module here rather than a test crate of its
//! own, so the library is linked into one test executable instead of one per
//! file; with the release profile's link-time optimisation that is most of
//! the build time of `cargo test --release`. `autotests = false` in
//! `Cargo.toml` stops Cargo from also building each file on its own, so a new
//! test file must be added below. Test names are module-qualified
//! (`golden::golden_outputs_are_byte_identical`); filter with
//! `cargo test --release <module or test name>`.

mod common;

mod bad_input;
mod campaign_lt_peer;
mod campaign_model;
mod campaign_scenarios;
mod cli;
mod closed_forms;
mod crisis_cli;
mod crisis_kernel;
mod determinism;
mod engine_campaign;
mod fuzz;
mod golden;
mod graph_audience;
mod graph_file;
mod graph_generators;
mod graph_io;
mod hardening;
mod layers;
mod peer_agreement;
mod percolation;
mod readme_tables;
mod report;
mod shard;
mod study;
mod trees;
