//! viralsim: a word-of-mouth virality simulator.
//!
//! Data flows one way:
//! [`scenario`] (TOML → validated [`scenario::Scenario`]) →
//! [`graph`] (generators, edge lists → frozen CSR [`graph::SocialGraph`]) →
//! [`engine`] (compiled content, one cascade, Monte Carlo over trials) →
//! [`metrics`] (ensemble → [`metrics::Summary`]) → [`export`] (JSON, CSV) and
//! [`plot`] (PNG), gathered by [`report`] into `report.html`. [`run`] ties
//! them together. The library never prints;
//! progress goes through a callback.
//!
//! ```
//! use viralsim::scenario::Scenario;
//! let mut s = Scenario::builtin_default();
//! s.trials = 50;
//! let g = s.build_graph().unwrap();
//! let (summary, _) = viralsim::run::simulate(&s, &g, &Default::default()).unwrap();
//! assert!(summary.metrics["engaged"].mean >= 10.0); // the 10 seeds at least
//! ```

pub mod cli;
pub mod engine;
pub mod error;
pub mod export;
pub mod graph;
pub mod input;
pub mod interrupt;
pub mod memory;
pub mod metrics;
pub mod plot;
pub mod progress;
pub mod report;
pub mod rng;
pub mod run;
pub mod run_crisis;
pub mod scenario;
pub mod shard;
pub mod study;
pub mod trees;

pub use error::{Error, Result};
