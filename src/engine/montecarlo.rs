//! Monte Carlo over trials, in parallel with rayon.
//!
//! Trials are cut into fixed blocks; threads claim blocks in trial order,
//! each with its own [`Workspace`], and blocks are joined in trial order as
//! they complete. Since trial `i` draws only from `(seed, i)`, the ensemble is
//! identical for every thread count.

use super::Compiled;
use super::ensemble::Ensemble;
use super::run_trial;
use super::state::Workspace;
use crate::error::{Error, Result};
use crate::progress::{Progress, SIMULATE};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// How to run an ensemble.
#[derive(Clone, Copy)]
pub struct RunOptions<'a> {
    /// Number of trials.
    pub trials: u64,
    /// Worker threads (0: all cores).
    pub threads: usize,
    /// Told `(SIMULATE, trials finished so far, trials)` from worker threads.
    pub progress: Option<Progress<'a>>,
    /// Digest of the scenario, carried by the ensemble ([`Ensemble::digest`]).
    pub digest: u64,
}

impl std::fmt::Debug for RunOptions<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunOptions")
            .field("trials", &self.trials)
            .field("threads", &self.threads)
            .finish()
    }
}

/// Runs `opts.trials` trials starting at trial number `first`.
///
/// # Errors
/// [`Error::Parameter`] when the thread pool cannot be built;
/// [`Error::Interrupted`] when [`crate::interrupt::request`] was called
/// (checked before every trial).
pub fn run_ensemble(c: &Compiled<'_>, opts: &RunOptions<'_>) -> Result<Ensemble> {
    run_range(c, 0, opts)
}

/// Runs trials `first .. first + opts.trials` (used by adaptive precision
/// to extend an ensemble without changing earlier trials).
///
/// # Errors
/// As [`run_ensemble`].
pub fn run_range(c: &Compiled<'_>, first: u64, opts: &RunOptions<'_>) -> Result<Ensemble> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .build()
        .map_err(|e| {
            Error::param(
                "--threads",
                format!("cannot start {} threads: {e}", opts.threads),
            )
        })?;
    let threads = pool.current_num_threads() as u64;
    let trials = opts.trials;
    // About 32 blocks per thread, so that threads finish together; a block
    // may be a single trial, so that a few long trials (a country-scale
    // graph) still spread over every thread.
    let block = (trials / (threads * 32)).clamp(1, 4096);
    let blocks = trials.div_ceil(block);
    let n = c.graph.node_count();
    let nseg = c.tracked_segments();
    let nrole = c.tracked_roles();
    // Blocks are claimed in trial order and joined into the ensemble as soon
    // as every earlier block is in, so at most a few blocks wait beside the
    // ensemble (joining at the end held every block and the ensemble at once,
    // twice the per-trial rows).
    struct Join {
        next: u64,
        waiting: BTreeMap<u64, Ensemble>,
        all: Ensemble,
    }
    let join = Mutex::new(Join {
        next: 0,
        waiting: BTreeMap::new(),
        all: Ensemble::starting_at(first, opts.digest, nseg, nrole),
    });
    let claim = AtomicU64::new(0);
    // The first trial cut at the step cap (u64::MAX: none); stops the run.
    let capped = AtomicU64::new(u64::MAX);
    let done = AtomicU64::new(0);
    pool.scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|_| {
                let mut ws = Workspace::new(n);
                loop {
                    let b = claim.fetch_add(1, Ordering::Relaxed);
                    if b >= blocks || capped.load(Ordering::Relaxed) != u64::MAX {
                        break;
                    }
                    let lo = first + b * block;
                    let hi = (lo + block).min(first + trials);
                    let mut part = Ensemble::starting_at(lo, opts.digest, nseg, nrole);
                    part.outcomes.reserve((hi - lo) as usize);
                    for t in lo..hi {
                        if crate::interrupt::requested() {
                            return;
                        }
                        let out = run_trial(c, &mut ws, t);
                        if ws.capped {
                            capped.fetch_min(t, Ordering::Relaxed);
                            break;
                        }
                        part.outcomes.push(out);
                        part.steps.extend_from_slice(ws.per_step());
                        part.step_offsets.push(part.steps.len() as u64);
                        part.per_segment.extend_from_slice(ws.per_segment());
                        part.per_role.extend_from_slice(ws.per_role());
                        part.edges_examined += ws.edges_examined;
                    }
                    {
                        let mut guard = join.lock().unwrap_or_else(|e| e.into_inner());
                        let j = &mut *guard;
                        j.waiting.insert(b, part);
                        while let Some(p) = j.waiting.remove(&j.next) {
                            j.all.append(p).expect("blocks join in trial order");
                            j.next += 1;
                        }
                    }
                    if let Some(cb) = opts.progress {
                        cb(
                            SIMULATE,
                            done.fetch_add(hi - lo, Ordering::Relaxed) + (hi - lo),
                            trials,
                        );
                    }
                }
            });
        }
    });
    crate::interrupt::check()?;
    let cut = capped.into_inner();
    if cut != u64::MAX {
        return Err(Error::param(
            "horizon",
            format!(
                "trial {cut} still had people due to share at step {}, the most steps a cascade may take without a horizon; set horizon = N (1 to {}) to stop cascades at step N",
                c.horizon,
                super::MAX_STEPS
            ),
        ));
    }
    let all = join.into_inner().unwrap_or_else(|e| e.into_inner()).all;
    debug_assert_eq!(all.outcomes.len() as u64, trials);
    Ok(all)
}
