//! The diffusion engine: a scenario's content compiled against a graph
//! ([`Compiled`]), one cascade ([`cascade`]) and the Monte Carlo ensemble
//! over trials ([`montecarlo`]).

pub mod cascade;
pub mod montecarlo;

use crate::graph::SocialGraph;
use crate::rng::threshold32;
use crate::scenario::{Content, Scenario, Seeding};

pub use cascade::{TrialOutcome, Workspace};
pub use montecarlo::{Ensemble, RunOptions, run_ensemble};

/// Content parameters compiled against one graph for the hot loop.
///
/// Without novelty decay the engagement probability of every arc
/// `p = 1 − (1 − min(1, σ·r_seg(v)))^(1 + λ·trust(u→v))` is fixed, and is
/// stored as a 32-bit threshold per arc ([`threshold32`]).
#[derive(Debug, Clone)]
pub struct Compiled<'g> {
    /// The graph.
    pub graph: &'g SocialGraph,
    /// Engagement threshold per arc (no decay), else empty.
    pub(crate) arc_threshold: Vec<u32>,
    /// σ·r_seg(v) per segment, for the decay path.
    pub(crate) base_sticky: Vec<f64>,
    /// Novelty half-life in steps.
    pub(crate) half_life: Option<f64>,
    /// λ.
    pub(crate) endorsement: f64,
    /// Share threshold (β) per role.
    pub(crate) share_threshold: Vec<u32>,
    /// ln(1 − κ), or None when κ = 0 (never) / κ = 1 (always, as Some(-inf)).
    pub(crate) ln_keep_conversion: f64,
    /// κ.
    pub(crate) conversion: f64,
    /// μ threshold.
    pub(crate) ugc_threshold: u32,
    /// Last step at which people share.
    pub(crate) horizon: u32,
    /// Seeds when they are the same in every trial.
    pub(crate) fixed_seeds: Option<Vec<u32>>,
    /// Seeds per trial for random seeding.
    pub(crate) random_seeds: usize,
    /// Master seed.
    pub(crate) seed: u64,
    /// Whether to track per-segment counts (more than one segment).
    pub(crate) track_segments: bool,
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

impl<'g> Compiled<'g> {
    /// Compiles a scenario's content and seeding plan against `graph`.
    ///
    /// Complexity: O(n + m).
    pub fn new(scenario: &Scenario, graph: &'g SocialGraph) -> Self {
        let c: &Content = &scenario.content;
        let base_sticky: Vec<f64> = c.resonance.iter().map(|r| c.stickiness * r).collect();
        let arc_threshold = if c.novelty_half_life.is_none() {
            let seg = graph.segments();
            let trust = graph.trust();
            // Few distinct (segment, trust) pairs in practice, but trust is
            // continuous, so compute per arc; O(m) once.
            graph
                .targets()
                .iter()
                .zip(trust)
                .map(|(&v, &t)| {
                    threshold32(engage_probability(
                        base_sticky[seg[v as usize] as usize],
                        c.endorsement,
                        t as f64,
                    ))
                })
                .collect()
        } else {
            Vec::new()
        };
        let fixed_seeds = match &scenario.seeding {
            Seeding::Explicit(ids) => Some(ids.clone()),
            Seeding::TopDegree(k) => Some(graph.by_out_degree()[..*k].to_vec()),
            Seeding::Random(_) => None,
        };
        let random_seeds = match scenario.seeding {
            Seeding::Random(k) => k,
            _ => 0,
        };
        Compiled {
            graph,
            arc_threshold,
            base_sticky,
            half_life: c.novelty_half_life,
            endorsement: c.endorsement,
            share_threshold: vec![threshold32(c.shareability); graph.vocabulary().roles.len()],
            ln_keep_conversion: (1.0 - c.conversion).ln(),
            conversion: c.conversion,
            ugc_threshold: threshold32(c.ugc),
            horizon: scenario.horizon.unwrap_or(u32::MAX),
            fixed_seeds,
            random_seeds,
            seed: scenario.seed,
            track_segments: graph.vocabulary().segments.len() > 1,
        }
    }

    /// Conversion probability of a person engaged through a tie of this trust.
    #[inline]
    pub(crate) fn conversion_probability(&self, trust: f32) -> f64 {
        if self.conversion <= 0.0 {
            0.0
        } else if self.conversion >= 1.0 {
            1.0
        } else {
            1.0 - (self.ln_keep_conversion * (1.0 + self.endorsement * trust as f64)).exp()
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
