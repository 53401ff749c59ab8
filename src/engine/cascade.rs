//! One independent cascade.

use super::Compiled;
use crate::rng::{Stream, Xoshiro256PlusPlus, bernoulli, passes, stream_rng, threshold32};
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
    state: Vec<u32>,
    epoch: u32,
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
    fn next_epoch(&mut self) -> u32 {
        if self.epoch >= (u32::MAX >> 1) - 1 {
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

/// 32-bit draws, two per 64-bit generator step.
struct Bits32 {
    rng: Xoshiro256PlusPlus,
    buf: u64,
    have: bool,
}

impl Bits32 {
    #[inline(always)]
    fn next(&mut self) -> u32 {
        if self.have {
            self.have = false;
            (self.buf >> 32) as u32
        } else {
            self.buf = self.rng.next_u64();
            self.have = true;
            self.buf as u32
        }
    }
}

/// Runs trial `trial` of the compiled scenario and returns its outcome; the
/// per-step and per-segment counts are left in the workspace.
///
/// The trial's randomness comes only from `(seed, trial)`, so the result does
/// not depend on which thread runs it.
pub fn run_trial(c: &Compiled<'_>, ws: &mut Workspace, trial: u64) -> TrialOutcome {
    let g = c.graph;
    let base = ws.next_epoch();
    let reached_mark = base;
    let engaged_mark = base + 1;
    let offsets = g.offsets();
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
    let mut rng = Bits32 {
        rng: stream_rng(c.seed, Stream::Trial, trial),
        buf: 0,
        have: false,
    };

    ws.engaged.clear();
    ws.frontier.clear();
    ws.per_step.clear();
    ws.per_segment.clear();
    ws.per_segment.resize(2 * nseg, 0);
    let mut out = TrialOutcome::default();
    let mut new_reached = 0u32;
    let mut new_engaged = 0u32;

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
        if nseg > 0 {
            let sg = segs[s as usize] as usize;
            ws.per_segment[2 * sg] += 1;
            ws.per_segment[2 * sg + 1] += 1;
        }
        if bernoulli(&mut rng.rng, threshold32(c.conversion_probability(0.0))) {
            out.converted += 1;
        }
        if bernoulli(&mut rng.rng, c.ugc_threshold) {
            out.earned_media += 1;
        }
    }
    let mut step: u32 = 0;
    let mut best_new = 0u32;
    let mut edges = 0u64;

    while !ws.frontier.is_empty() && step < c.horizon {
        let mut new_shared = 0u32;
        let thresholds_fixed = !c.arc_threshold.is_empty();
        let novelty = c
            .half_life
            .map(|h| 0.5f64.powf(step as f64 / h))
            .unwrap_or(1.0);
        ws.next.clear();
        for fi in 0..ws.frontier.len() {
            let ui = ws.frontier[fi] as usize;
            let Engaged {
                node: u, depth: du, ..
            } = ws.engaged[ui];
            new_shared += 1;
            let lo = offsets[u as usize] as usize;
            let hi = offsets[u as usize + 1] as usize;
            edges += (hi - lo) as u64;
            for a in lo..hi {
                let v = targets[a];
                let st = ws.state[v as usize];
                if st == engaged_mark {
                    continue;
                }
                if st != reached_mark {
                    ws.state[v as usize] = reached_mark;
                    new_reached += 1;
                    if nseg > 0 {
                        ws.per_segment[2 * segs[v as usize] as usize] += 1;
                    }
                }
                let t = if thresholds_fixed {
                    c.arc_threshold[a]
                } else {
                    let s = c.base_sticky[segs[v as usize] as usize] * novelty;
                    threshold32(super::engage_probability(s, c.endorsement, trust[a] as f64))
                };
                if !passes(rng.next(), t) {
                    continue;
                }
                // v engages.
                ws.state[v as usize] = engaged_mark;
                new_engaged += 1;
                let vi = ws.engaged.len() as u32;
                ws.engaged.push(Engaged {
                    node: v,
                    parent: ui as u32,
                    depth: du + 1,
                });
                if nseg > 0 {
                    ws.per_segment[2 * segs[v as usize] as usize + 1] += 1;
                }
                if bernoulli(&mut rng.rng, c.share_threshold[roles[v as usize] as usize]) {
                    ws.next.push(vi);
                }
                if c.conversion > 0.0
                    && bernoulli(
                        &mut rng.rng,
                        threshold32(c.conversion_probability(trust[a])),
                    )
                {
                    out.converted += 1;
                }
                if bernoulli(&mut rng.rng, c.ugc_threshold) {
                    out.earned_media += 1;
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
    out.reached += new_reached; // seeds only, if the horizon stopped everything
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
