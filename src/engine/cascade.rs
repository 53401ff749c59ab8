//! One independent cascade.

use super::Compiled;
use super::{DENSE_PMAX31, ONE31, threshold31};
use crate::rng::{Stream, bernoulli, stream_rng, threshold32};
use crate::scenario::sample_distinct;
use rand::Rng;

/// Sentinel parent of a seed.
const NO_PARENT: u32 = u32::MAX;

/// Scalar results of one trial. Counts include the seeds.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct TrialOutcome {
    /// People exposed to the content (seeds included).
    pub reached: u32,
    /// People who engaged (seeds included).
    pub engaged: u32,
    /// People who shared (seeds included).
    pub shared: u32,
    /// People who converted.
    pub converted: u32,
    /// People who created earned media (reviews, posts).
    pub earned_media: u32,
    /// Longest chain from a seed, in ties.
    pub depth: u32,
    /// Mean distance between pairs of people in the same cascade tree
    /// (Goel et al. 2016); 0 when no tree has two people.
    pub structural_virality: f64,
    /// Step with the most new (non-seed) engagements; 0 if there were none.
    pub peak_step: u32,
    /// Number of steps the cascade lasted (steps with at least one share).
    pub steps: u32,
}

/// One engaged person in the cascade tree.
#[derive(Debug, Clone, Copy)]
struct Engaged {
    node: u32,
    parent: u32,
    depth: u32,
}

/// Per-thread scratch memory, reused across trials (no allocation per trial
/// once warmed up). Visited marks are epoch-stamped, so nothing is cleared
/// between trials.
#[derive(Debug)]
pub struct Workspace {
    state: Vec<u16>,
    epoch: u16,
    engaged: Vec<Engaged>,
    frontier: Vec<u32>,
    next: Vec<u32>,
    seeds: Vec<u32>,
    marks: Vec<bool>,
    size: Vec<u32>,
    root: Vec<u32>,
    root_size: Vec<u32>,
    /// New reached, engaged, shared per step of the last trial.
    pub(crate) per_step: Vec<[u32; 3]>,
    /// Reached and engaged per segment of the last trial (2 × segments).
    pub(crate) per_segment: Vec<u32>,
    /// Out-degree summed over the last trial's sharers.
    pub(crate) edges_examined: u64,
}

impl Workspace {
    /// Scratch space for a graph of `n` people.
    pub fn new(n: usize) -> Self {
        Workspace {
            state: vec![0; n],
            epoch: 0,
            engaged: Vec::new(),
            frontier: Vec::new(),
            next: Vec::new(),
            seeds: Vec::new(),
            marks: Vec::new(),
            size: Vec::new(),
            root: Vec::new(),
            root_size: Vec::new(),
            per_step: Vec::new(),
            per_segment: Vec::new(),
            edges_examined: 0,
        }
    }

    /// Advances the epoch; returns the stamp base (reached = base, engaged = base + 1).
    /// 16-bit stamps keep the array small (2 bytes per person, so it stays in
    /// cache); it is cleared once every 32,766 trials.
    fn next_epoch(&mut self) -> u16 {
        if self.epoch >= (u16::MAX >> 1) - 1 {
            self.state.iter_mut().for_each(|s| *s = 0);
            self.epoch = 0;
        }
        self.epoch += 1;
        self.epoch << 1
    }

    /// The per-step counts (new reached, engaged, shared) of the last trial.
    pub fn per_step(&self) -> &[[u32; 3]] {
        &self.per_step
    }

    /// Reached and engaged per segment of the last trial (interleaved).
    pub fn per_segment(&self) -> &[u32] {
        &self.per_segment
    }
}

/// Starts loading `x` early (a software prefetch in safe code): the value is
/// not needed, so the out-of-order core keeps working while it arrives.
#[inline(always)]
fn prefetch<T: Copy>(x: &T) {
    std::hint::black_box(*x);
}

/// Uniform in (0, 1] from 53 random bits.
#[inline(always)]
fn open_unit(x: u64) -> f64 {
    ((x >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A 31-bit uniform draw, compared against [`threshold31`] thresholds.
#[inline(always)]
fn r31(x: u64) -> u32 {
    (x >> 33) as u32
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
pub fn run_trial(c: &Compiled<'_>, ws: &mut Workspace, trial: u64) -> TrialOutcome {
    if c.track_segments {
        run_trial_impl::<true>(c, ws, trial)
    } else {
        run_trial_impl::<false>(c, ws, trial)
    }
}

fn run_trial_impl<const SEG: bool>(
    c: &Compiled<'_>,
    ws: &mut Workspace,
    trial: u64,
) -> TrialOutcome {
    let g = c.graph;
    let base = ws.next_epoch();
    let engaged_mark = base + 1;
    let targets = g.targets();
    let trust = g.trust();
    let segs = g.segments();
    let roles = g.roles();
    let nseg = c.tracked_segments();

    // Seeds.
    let mut seeds = std::mem::take(&mut ws.seeds);
    match &c.fixed_seeds {
        Some(s) => {
            seeds.clear();
            seeds.extend_from_slice(s);
        }
        None => {
            let mut srng = stream_rng(c.seed, Stream::Seeding, trial);
            sample_distinct(
                &mut srng,
                g.node_count(),
                c.random_seeds,
                &mut ws.marks,
                &mut seeds,
            );
        }
    }
    let mut rng = stream_rng(c.seed, Stream::Trial, trial);

    ws.engaged.clear();
    ws.frontier.clear();
    ws.per_step.clear();
    ws.per_segment.clear();
    ws.per_segment.resize(2 * nseg, 0);
    let mut out = TrialOutcome::default();
    let mut new_reached = 0u32;
    let mut new_engaged = 0u32;
    let seed_conversion = threshold32(c.conversion_probability(0.0));

    for &s in &seeds {
        ws.state[s as usize] = engaged_mark;
        let idx = ws.engaged.len() as u32;
        ws.engaged.push(Engaged {
            node: s,
            parent: NO_PARENT,
            depth: 0,
        });
        ws.frontier.push(idx);
        new_reached += 1;
        if SEG {
            let sg = segs[s as usize] as usize;
            ws.per_segment[2 * sg] += 1;
            ws.per_segment[2 * sg + 1] += 1;
        }
        if bernoulli(&mut rng, seed_conversion) {
            out.converted += 1;
        }
        if bernoulli(&mut rng, c.ugc_threshold) {
            out.earned_media += 1;
        }
    }
    let mut step: u32 = 0;
    let mut best_new = 0u32;
    let mut edges = 0u64;
    let fixed = !c.acc.is_empty();

    while !ws.frontier.is_empty() && step < c.horizon {
        let novelty = c
            .half_life
            .map(|h| 0.5f64.powf(step as f64 / h))
            .unwrap_or(1.0);
        let new_shared = ws.frontier.len() as u32;
        ws.next.clear();
        let nfront = ws.frontier.len();
        // Software pipeline: the sharer two ahead has its record fetched,
        // the next one its first arcs, while this one is processed.
        for fi in 0..nfront.min(2) {
            prefetch(&c.nodes[ws.engaged[ws.frontier[fi] as usize].node as usize]);
        }
        for fi in 0..nfront {
            if fi + 2 < nfront {
                prefetch(&c.nodes[ws.engaged[ws.frontier[fi + 2] as usize].node as usize]);
            }
            if fi + 1 < nfront {
                let r1 = &c.nodes[ws.engaged[ws.frontier[fi + 1] as usize].node as usize];
                if let Some(t) = targets.get(r1.start as usize) {
                    prefetch(t);
                }
                if let Some(t) = c.acc.get(r1.start as usize) {
                    prefetch(t);
                }
            }
            let ui = ws.frontier[fi];
            let Engaged {
                node: u, depth: du, ..
            } = ws.engaged[ui as usize];
            let rec = c.nodes[u as usize];
            let lo = rec.start as usize;
            let hi = lo + rec.degree as usize;
            edges += rec.degree as u64;
            let nbrs = &targets[lo..hi];

            // 1. Everyone tied to u is reached (branch-free marking).
            let state: &mut [u16] = &mut ws.state;
            if SEG {
                for &v in nbrs {
                    let st = state[v as usize];
                    if st < base {
                        state[v as usize] = base;
                        new_reached += 1;
                        ws.per_segment[2 * segs[v as usize] as usize] += 1;
                    }
                }
            } else {
                for &v in nbrs {
                    let st = state[v as usize];
                    new_reached += (st < base) as u32;
                    state[v as usize] = st.max(base);
                }
            }

            // 2. Engagement among them.
            let pmax31 = rec.pmax31;
            if pmax31 == 0 {
                continue;
            }
            let mut a = lo;
            let dense = pmax31 >= DENSE_PMAX31;
            loop {
                if dense {
                    if a >= hi {
                        break;
                    }
                } else {
                    let gap = open_unit(rng.next_u64()).ln() * rec.inv_ln_q as f64;
                    if gap >= (hi - a) as f64 {
                        break;
                    }
                    a += gap as usize;
                }
                let v = targets[a];
                if ws.state[v as usize] != engaged_mark {
                    // Threshold of the arc relative to this draw.
                    let t = if fixed {
                        let acc = c.acc[a];
                        if dense {
                            ((acc as u64 * pmax31 as u64) >> 31) as u32
                        } else {
                            acc
                        }
                    } else {
                        let p = super::engage_probability(
                            c.sticky_of(v) * novelty,
                            c.endorsement,
                            trust[a] as f64,
                        );
                        if dense {
                            threshold31(p)
                        } else {
                            threshold31(p / c.pmax_of(u))
                        }
                    };
                    if t >= ONE31 || r31(rng.next_u64()) < t {
                        // v engages.
                        ws.state[v as usize] = engaged_mark;
                        new_engaged += 1;
                        let vi = ws.engaged.len() as u32;
                        ws.engaged.push(Engaged {
                            node: v,
                            parent: ui,
                            depth: du + 1,
                        });
                        if SEG {
                            ws.per_segment[2 * segs[v as usize] as usize + 1] += 1;
                        }
                        if bernoulli(&mut rng, c.share_threshold[roles[v as usize] as usize]) {
                            ws.next.push(vi);
                        }
                        if c.conversion > 0.0
                            && bernoulli(&mut rng, threshold32(c.conversion_probability(trust[a])))
                        {
                            out.converted += 1;
                        }
                        if bernoulli(&mut rng, c.ugc_threshold) {
                            out.earned_media += 1;
                        }
                    }
                }
                a += 1;
                if a >= hi {
                    break;
                }
            }
        }
        let seeds_now = if step == 0 { seeds.len() as u32 } else { 0 };
        ws.per_step
            .push([new_reached, new_engaged + seeds_now, new_shared]);
        if new_engaged > best_new {
            best_new = new_engaged;
            out.peak_step = step;
        }
        out.shared += new_shared;
        out.reached += new_reached;
        new_reached = 0;
        new_engaged = 0;
        std::mem::swap(&mut ws.frontier, &mut ws.next);
        step += 1;
    }
    out.engaged = ws.engaged.len() as u32;
    out.steps = step;
    ws.edges_examined = edges;
    out.depth = ws.engaged.iter().map(|e| e.depth).max().unwrap_or(0);
    out.structural_virality = structural_virality(ws);
    ws.seeds = seeds;
    out
}

/// Mean shortest-path distance between pairs of people in the same cascade
/// tree, in O(cascade size): each tree edge (child, parent) lies on the
/// paths of size(child) · (tree size − size(child)) pairs (Wiener index).
fn structural_virality(ws: &mut Workspace) -> f64 {
    let k = ws.engaged.len();
    if k < 2 {
        return 0.0;
    }
    ws.size.clear();
    ws.size.resize(k, 1);
    ws.root_size.clear();
    ws.root_size.resize(k, 0);
    // Root of each entry, stored temporarily in root_size's index space:
    // parents precede children, so one forward pass finds roots.
    let mut root = std::mem::take(&mut ws.root);
    root.clear();
    root.reserve(k);
    for (i, e) in ws.engaged.iter().enumerate() {
        let r = if e.parent == NO_PARENT {
            i as u32
        } else {
            root[e.parent as usize]
        };
        root.push(r);
        ws.root_size[r as usize] += 1;
    }
    let mut wiener = 0.0f64;
    for i in (0..k).rev() {
        let p = ws.engaged[i].parent;
        if p != NO_PARENT {
            let s = ws.size[i] as f64;
            let total = ws.root_size[root[i] as usize] as f64;
            wiener += s * (total - s);
            ws.size[p as usize] += ws.size[i];
        }
    }
    let pairs: f64 = ws
        .engaged
        .iter()
        .enumerate()
        .filter(|(_, e)| e.parent == NO_PARENT)
        .map(|(i, _)| {
            let t = ws.root_size[i] as f64;
            t * (t - 1.0) / 2.0
        })
        .sum();
    ws.root = root;
    if pairs > 0.0 { wiener / pairs } else { 0.0 }
}
