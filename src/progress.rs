//! Progress reporting: one callback type for every long phase of a run —
//! building the graph (`people`, `topology`, `fill`, `sort`, `trust`, …),
//! storing it in locality order (`order`) and simulating trials
//! ([`SIMULATE`]). The library never prints; the CLI shows these on stderr.

/// The phase name under which trials are reported: `(SIMULATE, trials
/// done, trials in the run)`; with `trials = "auto"` the total grows batch
/// by batch.
pub const SIMULATE: &str = "simulate";

/// A progress callback: `(phase, done, total)`. Phases are short names such
/// as `"fill"`, `"sort"`, `"trust"` or [`SIMULATE`]; `done == total` ends
/// a phase. Called from worker threads.
pub type Progress<'a> = &'a (dyn Fn(&str, u64, u64) + Sync);

/// Calls `progress` every `1 << 22` steps and at the end.
#[derive(Clone, Copy)]
pub struct Ticker<'a> {
    progress: Option<Progress<'a>>,
    phase: &'a str,
    total: u64,
}

impl<'a> Ticker<'a> {
    /// A ticker for one phase; reports `(phase, 0, total)` at once.
    pub fn new(progress: Option<Progress<'a>>, phase: &'a str, total: u64) -> Self {
        if let Some(p) = progress {
            p(phase, 0, total);
        }
        Ticker {
            progress,
            phase,
            total,
        }
    }

    /// Reports `done` if it is a multiple of 2^22.
    #[inline]
    pub fn tick(&self, done: u64) {
        if done & ((1 << 22) - 1) == 0 {
            if let Some(p) = self.progress {
                p(self.phase, done, self.total);
            }
        }
    }

    /// Ends the phase.
    pub fn finish(&self) {
        if let Some(p) = self.progress {
            p(self.phase, self.total, self.total);
        }
    }
}
