//! A content compiled against one graph ([`CompiledContent`]): per-arc
//! acceptance thresholds, per-sharer skip parameters, segment and role
//! multipliers and the sharing delay, ready for the kernels. It borrows the
//! graph, so several contents (a claim and its correction, the points of a
//! sweep) run on one graph without copying it.

use super::{ONE31, engage_probability, threshold31};
use crate::graph::{SocialGraph, trust_value};
use crate::rng::threshold32;
use crate::scenario::{Content, Delay, Model};
use rand_distr::{Distribution, Exp, LogNormal};
use rayon::prelude::*;

/// What the hot loop needs of a sharer, in one 16-byte record (one cache
/// line fetch per sharer).
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NodeRec {
    /// First arc.
    pub start: u32,
    /// Out-degree.
    pub degree: u32,
    /// p_max as a [`threshold31`] threshold.
    pub pmax31: u32,
    /// Geometric skip scale −1 / ln(1 − p_max): the gap to the next
    /// candidate arc is ⌊E · scale⌋ with E ~ Exp(1). Rounded so that the
    /// p_max it implies is never below the largest arc probability; p_max
    /// above is the implied one.
    pub skip_scale: f32,
}

/// The skip-sampling parameters for a sharer whose largest arc probability
/// is `pmax`: (−1/ln(1 − p) as f32, p) where p ≥ pmax is exactly the
/// probability the f32 value implies.
fn skip_params(pmax: f64) -> (f32, f64) {
    if pmax <= 0.0 {
        return (0.0, 0.0);
    }
    if pmax >= 1.0 {
        return (0.0, 1.0);
    }
    let mut scale = (-1.0 / (1.0 - pmax).ln()) as f32; // positive
    loop {
        let implied = -(-1.0 / scale as f64).exp_m1();
        if implied >= pmax || scale == 0.0 {
            return (scale, implied.min(1.0));
        }
        // A smaller scale implies a larger probability.
        scale = f32::from_bits(scale.to_bits() - 1);
    }
}

/// People per parallel chunk when compiling per-arc thresholds.
const COMPILE_CHUNK: usize = 4096;

/// Content parameters compiled against one graph for the hot loop.
///
/// Each arc's engagement probability (at full novelty)
/// `p = 1 − (1 − min(1, σ·r_seg(v)·m_role(v)))^(1 + λ·trust(u→v))` is fixed;
/// each sharer `u` keeps its largest arc probability p_max(u) (for geometric
/// skip sampling) and each arc its acceptance ratio p / p_max(u) as a 31-bit
/// threshold. Memory: 4 bytes per arc + 16 bytes per person.
#[derive(Debug, Clone)]
pub struct CompiledContent<'g> {
    /// The graph.
    pub graph: &'g SocialGraph,
    /// Acceptance threshold p / p_max(source) per arc (IC, no decay), else empty.
    pub(crate) accept: Vec<u32>,
    /// Linear-threshold influence per arc (LT only), else empty.
    pub(crate) lt_weight: Vec<f32>,
    /// Per person: arc range and skip-sampling parameters.
    pub(crate) nodes: Vec<NodeRec>,
    /// σ · r_segment · m_role, indexed by segment × roles + role.
    pub(crate) sticky: Vec<f64>,
    /// Number of roles.
    pub(crate) roles: usize,
    /// Novelty half-life in steps.
    pub(crate) half_life: Option<f64>,
    /// λ.
    pub(crate) endorsement: f64,
    /// Share threshold (β · m_role) per role.
    pub(crate) share_threshold: Vec<u32>,
    /// ln(1 − κ).
    pub(crate) ln_keep_conversion: f64,
    /// κ.
    pub(crate) conversion: f64,
    /// μ threshold.
    pub(crate) ugc_threshold: u32,
    /// Steps from engaging to sharing.
    pub(crate) delay: DelaySampler,
    /// The diffusion model.
    pub(crate) model: Model,
}

/// A ready-to-draw sharing delay.
#[derive(Debug, Clone)]
pub(crate) enum DelaySampler {
    Fixed(u32),
    Geometric(f64),
    Exponential(Exp<f64>),
    LogNormal(LogNormal<f64>),
}

impl DelaySampler {
    fn new(d: Delay) -> Self {
        match d {
            Delay::Fixed(k) => DelaySampler::Fixed(k),
            Delay::Geometric(p) => DelaySampler::Geometric(p),
            Delay::Exponential(mean) => {
                DelaySampler::Exponential(Exp::new(1.0 / mean).expect("validated mean"))
            }
            Delay::LogNormal(mu, sigma) => {
                DelaySampler::LogNormal(LogNormal::new(mu, sigma).expect("validated sigma"))
            }
        }
    }

    /// Draws a delay in steps (≥ 1).
    #[inline]
    pub(crate) fn draw<R: rand::Rng + ?Sized>(&self, rng: &mut R) -> u32 {
        let x = match self {
            DelaySampler::Fixed(k) => return *k,
            DelaySampler::Geometric(p) => {
                if *p >= 1.0 {
                    return 1;
                }
                // 1 + failures before the first success.
                let u = crate::rng::unit(rng);
                1.0 + ((1.0 - u).ln() / (1.0 - p).ln()).floor()
            }
            DelaySampler::Exponential(e) => e.sample(rng).ceil(),
            DelaySampler::LogNormal(l) => l.sample(rng).ceil(),
        };
        x.clamp(1.0, 1.0e6) as u32
    }
}

impl<'g> CompiledContent<'g> {
    /// Compiles `c` for `model` against `graph`.
    ///
    /// Complexity: O(n + m), in parallel over blocks of people.
    pub fn new(c: &Content, model: Model, graph: &'g SocialGraph) -> Self {
        let roles = graph.vocabulary().roles.len().max(1);
        let role_m = |r: usize, v: &[f64]| v.get(r).copied().unwrap_or(1.0);
        let sticky: Vec<f64> = c
            .resonance
            .iter()
            .flat_map(|r| (0..roles).map(move |k| (r, k)))
            .map(|(r, k)| c.stickiness * r * role_m(k, &c.role_stickiness))
            .collect();
        let role_of = graph.roles();
        let n = graph.node_count();
        let seg = graph.segments();
        let trust = graph.trust_levels();
        let targets = graph.targets();
        let offsets = graph.offsets();
        let lt = model == Model::LinearThreshold;
        let keep_accept = c.novelty_half_life.is_none() && !lt;
        let mut accept = vec![0u32; if keep_accept { graph.arc_count() } else { 0 }];
        crate::memory::advise_huge_pages(&accept);
        let mut nodes = crate::memory::huge_vec(NodeRec::default(), n);
        // Chunks of people own contiguous arc ranges, so they compile in parallel.
        let mut jobs = Vec::with_capacity(n / COMPILE_CHUNK + 1);
        {
            let mut accept_rest: &mut [u32] = &mut accept;
            let mut nodes_rest: &mut [NodeRec] = &mut nodes;
            let mut lo = 0;
            while lo < n {
                let hi = (lo + COMPILE_CHUNK).min(n);
                let arcs = (offsets[hi] - offsets[lo]) as usize;
                let (a, ar) = std::mem::take(&mut accept_rest).split_at_mut(if keep_accept {
                    arcs
                } else {
                    0
                });
                let (nd, nr) = std::mem::take(&mut nodes_rest).split_at_mut(hi - lo);
                jobs.push((lo, hi, a, nd));
                accept_rest = ar;
                nodes_rest = nr;
                lo = hi;
            }
        }
        // Each person's stickiness class (segment × role) in one small array,
        // so that an arc costs one random read of its target, not two.
        let class: Option<Vec<u16>> = (sticky.len() <= 1 << 16).then(|| {
            let mut class = vec![0u16; n];
            class
                .par_chunks_mut(COMPILE_CHUNK)
                .enumerate()
                .for_each(|(b, out)| {
                    for (i, c) in out.iter_mut().enumerate() {
                        let v = b * COMPILE_CHUNK + i;
                        *c = (seg[v] as usize * roles + role_of[v] as usize) as u16;
                    }
                });
            class
        });
        let sticky_of = |v: usize| match &class {
            Some(c) => sticky[c[v] as usize],
            None => sticky[seg[v] as usize * roles + role_of[v] as usize],
        };
        jobs.into_par_iter().for_each(|(lo, hi, accept, nd)| {
            let first = offsets[lo] as usize;
            // One person's targets' stickiness, gathered first in a loop of
            // independent reads (so that many cache misses overlap), then
            // their engagement probabilities, computed once.
            let mut row: Vec<f64> = Vec::new();
            for u in lo..hi {
                let range = offsets[u] as usize..offsets[u + 1] as usize;
                row.clear();
                row.extend(
                    targets[range.clone()]
                        .iter()
                        .map(|&v| sticky_of(v as usize)),
                );
                for (p, a) in row.iter_mut().zip(range.clone()) {
                    *p = engage_probability(*p, c.endorsement, trust_value(trust[a]) as f64);
                }
                let (scale, pmax) = skip_params(row.iter().copied().fold(0.0f64, f64::max));
                nd[u - lo] = NodeRec {
                    start: range.start as u32,
                    degree: range.len() as u32,
                    pmax31: threshold31(pmax),
                    skip_scale: scale,
                };
                if !accept.is_empty() {
                    for (a, &p) in range.zip(&row) {
                        accept[a - first] = if p >= pmax {
                            ONE31
                        } else {
                            threshold31(p / pmax)
                        };
                    }
                }
            }
        });
        drop(class);
        let lt_weight = if lt {
            lt_weights(graph, c.endorsement)
        } else {
            Vec::new()
        };
        let share_threshold = (0..roles)
            .map(|k| threshold32((c.shareability * role_m(k, &c.role_shareability)).min(1.0)))
            .collect();
        CompiledContent {
            graph,
            accept,
            lt_weight,
            nodes,
            sticky,
            roles,
            half_life: c.novelty_half_life,
            endorsement: c.endorsement,
            share_threshold,
            ln_keep_conversion: (1.0 - c.conversion).ln(),
            conversion: c.conversion,
            ugc_threshold: threshold32(c.ugc),
            delay: DelaySampler::new(c.share_delay),
            model,
        }
    }

    /// True when the per-arc thresholds are fixed (IC without novelty decay).
    pub(crate) fn fixed_thresholds(&self) -> bool {
        !self.accept.is_empty()
    }

    /// True when every engaged person who shares does so one step later.
    pub(crate) fn shares_next_step(&self) -> bool {
        matches!(self.delay, DelaySampler::Fixed(1))
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

    /// σ · r · m_role for person `v` at full novelty.
    #[inline]
    pub(crate) fn sticky_of(&self, v: u32) -> f64 {
        let v = v as usize;
        self.sticky[self.graph.segments()[v] as usize * self.roles + self.graph.roles()[v] as usize]
    }

    /// p_max of sharer `u` as a probability.
    #[inline]
    pub(crate) fn pmax_of(&self, u: u32) -> f64 {
        self.nodes[u as usize].pmax31 as f64 / ONE31 as f64
    }
}

/// Linear-threshold influence of each arc u → v: the trust-weighted share of
/// v's in-ties, `trust(u→v) / Σ trust into v` (or `1 / in-degree` when v's
/// in-ties all have trust 0), amplified by endorsement: × (1 + λ·trust).
/// With equal trust and λ = 0 this is the textbook 1 / in-degree.
fn lt_weights(graph: &SocialGraph, endorsement: f64) -> Vec<f32> {
    let n = graph.node_count();
    let mut into = vec![0f64; n];
    let mut indeg = vec![0u32; n];
    for (&v, &t) in graph.targets().iter().zip(graph.trust_levels()) {
        into[v as usize] += trust_value(t) as f64;
        indeg[v as usize] += 1;
    }
    graph
        .targets()
        .iter()
        .zip(graph.trust_levels())
        .map(|(&v, &t)| {
            let v = v as usize;
            let base = if into[v] > 0.0 {
                trust_value(t) as f64 / into[v]
            } else {
                1.0 / indeg[v] as f64
            };
            (base * (1.0 + endorsement * trust_value(t) as f64)) as f32
        })
        .collect()
}
