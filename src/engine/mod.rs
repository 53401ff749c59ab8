//! The diffusion engine. A content compiled against a graph
//! ([`CompiledContent`]) and a seeding plan resolved against it
//! ([`ResolvedSeeding`]) make a cascade ready to run ([`Compiled`]); a trial
//! runs on one of two kernels ([`cascade`], the general one, and a lean one
//! for plain scenarios) and the Monte Carlo ensemble runs trials in parallel
//! ([`montecarlo`]).
//!
//! Module map: [`content`] and [`seeding`] compile a scenario's parts,
//! [`state`] holds what a trial leaves behind and the per-thread workspace,
//! [`sampling`] the draws the kernels share, [`tree`] the cascade tree's
//! structural virality, [`ensemble`] the trials of a run and their saved
//! form.

pub mod cascade;
pub mod content;
pub mod crisis;
pub mod ensemble;
pub mod montecarlo;
mod plain;
pub mod sampling;
pub mod seeding;
pub mod state;
pub mod tree;

use crate::error::Result;
use crate::graph::SocialGraph;
use crate::scenario::{Model, Scenario};

pub use content::CompiledContent;
pub use ensemble::Ensemble;
pub use montecarlo::{RunOptions, run_ensemble};
pub use seeding::{ResolvedPlan, ResolvedSeeding};
pub use state::{TrialOutcome, Workspace};

/// 1.0 as a [`threshold31`] threshold.
pub const ONE31: u32 = 1 << 31;
/// Sharers whose largest arc probability is at least 1/4 draw once per arc
/// instead of skipping geometrically.
pub const DENSE_PMAX31: u32 = 1 << 29;

/// A probability as a 31-bit threshold in `0..=2^31`: an event of
/// probability `p` happens when a uniform 31-bit draw is below it. Exact for
/// p = 0 and p = 1; resolution 2^-31 otherwise.
#[inline]
pub fn threshold31(p: f64) -> u32 {
    if p <= 0.0 {
        0
    } else if p >= 1.0 {
        ONE31
    } else {
        (p * ONE31 as f64).round() as u32
    }
}

/// Engagement probability of one exposure: `1 − (1 − min(1, s))^(1 + λ·trust)`.
#[inline]
pub fn engage_probability(s: f64, endorsement: f64, trust: f64) -> f64 {
    let s = s.min(1.0);
    if s >= 1.0 {
        return 1.0;
    }
    1.0 - (1.0 - s).powf(1.0 + endorsement * trust)
}

/// Most steps a cascade may take without a horizon (the largest horizon):
/// a trial that still has people due to share at this step stops the run
/// with an error asking for a horizon.
pub const MAX_STEPS: u32 = crate::scenario::MAX_HORIZON;

/// One cascade ready to run: a compiled content, a resolved seeding plan,
/// the master seed and the horizon. It only borrows the content and the
/// seeding, so many cascades share one graph, one seeding or one content.
#[derive(Debug, Clone, Copy)]
pub struct Compiled<'a> {
    /// The graph.
    pub graph: &'a SocialGraph,
    /// The content.
    pub content: &'a CompiledContent<'a>,
    /// The seeding plan.
    pub seeding: &'a ResolvedSeeding,
    /// Master seed.
    pub(crate) seed: u64,
    /// Last step at which people may share, plus one.
    pub(crate) horizon: u32,
    /// No horizon was given: `horizon` is [`MAX_STEPS`], and a trial that
    /// reaches it with people still due to share is an error.
    pub(crate) capped: bool,
    /// Track per-segment counts (more than one segment).
    pub(crate) track_segments: bool,
    /// Track per-role counts (more than one role).
    pub(crate) track_roles: bool,
    /// Runs on the lean kernel for plain scenarios.
    pub(crate) plain: bool,
}

impl<'a> Compiled<'a> {
    /// A cascade of `content` seeded by `seeding` (resolved against the same
    /// graph) with master seed `seed` and an optional horizon in steps.
    pub fn new(
        content: &'a CompiledContent<'a>,
        seeding: &'a ResolvedSeeding,
        seed: u64,
        horizon: Option<u32>,
    ) -> Self {
        let graph = content.graph;
        let track_segments = graph.vocabulary().segments.len() > 1;
        let track_roles = content.roles > 1;
        let plain = content.model == Model::IndependentCascade
            && content.fixed_thresholds()
            && !track_segments
            && !track_roles
            && content.shares_next_step()
            && !seeding.has_paid_reach();
        Compiled {
            graph,
            content,
            seeding,
            seed,
            horizon: horizon.unwrap_or(MAX_STEPS),
            capped: horizon.is_none(),
            track_segments,
            track_roles,
            plain,
        }
    }

    /// Number of roles tracked per trial (0 when only one).
    pub fn tracked_roles(&self) -> usize {
        if self.track_roles {
            self.content.roles
        } else {
            0
        }
    }

    /// Number of segments tracked per trial (0 when only one).
    pub fn tracked_segments(&self) -> usize {
        if self.track_segments {
            self.graph.vocabulary().segments.len()
        } else {
            0
        }
    }
}

/// A scenario's content and seeding compiled against a graph: what
/// [`Compiled`] borrows, owned, for callers that run one scenario.
#[derive(Debug, Clone)]
pub struct Campaign<'g> {
    /// The content.
    pub content: CompiledContent<'g>,
    /// The seeding plan.
    pub seeding: ResolvedSeeding,
    /// Master seed.
    pub seed: u64,
    /// Horizon in steps.
    pub horizon: Option<u32>,
}

impl<'g> Campaign<'g> {
    /// Compiles the scenario's content and resolves its seeding on `graph`.
    ///
    /// # Errors
    /// [`crate::Error::Scenario`] when the seeding plan does not fit the graph.
    pub fn new(s: &Scenario, graph: &'g SocialGraph) -> Result<Self> {
        let seeding = ResolvedSeeding::resolve(&s.seeding, graph, &s.file)?;
        Ok(Self::with_seeding(s, graph, seeding))
    }

    /// As [`Campaign::new`] with a seeding already resolved against `graph`.
    pub fn with_seeding(s: &Scenario, graph: &'g SocialGraph, seeding: ResolvedSeeding) -> Self {
        Campaign {
            content: CompiledContent::new(&s.content, s.model, graph),
            seeding,
            seed: s.seed,
            horizon: s.horizon,
        }
    }

    /// The cascade to run.
    pub fn compiled(&self) -> Compiled<'_> {
        Compiled::new(&self.content, &self.seeding, self.seed, self.horizon)
    }
}

/// Runs trial `trial` of the compiled scenario and returns its outcome; the
/// per-step and per-segment counts are left in the workspace.
///
/// The trial's randomness comes only from `(seed, trial)`, so the result does
/// not depend on which thread runs it.
///
/// Each sharer's out-arcs are walked once to mark who is reached (no branch,
/// no randomness), then engagement is sampled among them by geometric skips
/// at the sharer's largest arc probability p_max, each candidate accepted
/// with probability p_arc / p_max (thinning) — exactly one Bernoulli(p_arc)
/// trial per exposed, not-yet-engaged person, at a cost proportional to
/// p_max · degree instead of degree. Sharers with p_max ≥ 1/4 draw per arc.
/// The skips come from their own stream (`Stream::Skips`) and every
/// candidate gets one acceptance draw. Plain scenarios (one segment and role,
/// no decay, delay 1, no paid reach) run on a lean kernel that makes the
/// same draws ([`cascade::run_trial_general`] is the other).
pub fn run_trial(c: &Compiled<'_>, ws: &mut Workspace, trial: u64) -> TrialOutcome {
    if c.plain {
        return plain::run_trial_plain(c, ws, trial);
    }
    cascade::run_trial_general(c, ws, trial)
}
