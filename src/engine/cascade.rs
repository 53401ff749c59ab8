//! One independent cascade.

use super::Compiled;
use super::{DENSE_PMAX31, DelaySampler, ONE31, threshold31};
use crate::rng::{Stream, below, bernoulli, stream_rng, threshold32, unit};
use crate::scenario::{Model, ResolvedPlan};
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
    /// Number of steps the cascade lasted (up to the last step with a share).
    pub steps: u32,
    /// Seeds (people who posted at step 0).
    pub seeds: u32,
    /// People exposed by paid reach.
    pub paid_reached: u32,
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
    size: Vec<u32>,
    root: Vec<u32>,
    root_size: Vec<u32>,
    /// New reached, engaged, shared per step of the last trial.
    pub(crate) per_step: Vec<[u32; 3]>,
    /// Reached and engaged per segment of the last trial (2 × segments).
    pub(crate) per_segment: Vec<u32>,
    /// Reached, engaged and seeds per role of the last trial (3 × roles).
    pub(crate) per_role: Vec<u32>,
    /// Scheduled shares (step, engaged index) when delays vary.
    pending: std::collections::BinaryHeap<std::cmp::Reverse<(u32, u32)>>,
    /// Linear threshold: accumulated influence and threshold per person.
    influence: Vec<f32>,
    threshold: Vec<f32>,
    /// Scratch for dense sampling.
    scratch: Vec<u32>,
    /// Scratch for picked people.
    marks_u32: Vec<u32>,
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
            size: Vec::new(),
            root: Vec::new(),
            root_size: Vec::new(),
            per_step: Vec::new(),
            per_segment: Vec::new(),
            per_role: Vec::new(),
            pending: Default::default(),
            influence: Vec::new(),
            threshold: Vec::new(),
            scratch: Vec::new(),
            marks_u32: Vec::new(),
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

    /// Reached, engaged and seeds per role of the last trial (interleaved).
    pub fn per_role(&self) -> &[u32] {
        &self.per_role
    }
}

/// Hints the CPU to bring the cache line holding `x` closer. A hint only:
/// unlike an early load, a prefetch retires at once, so a cache miss does not
/// hold up the instructions behind it; it never faults and cannot change
/// results. The one `unsafe` in the crate (an intrinsic without a safe form).
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` has no architectural effect (no load, no fault);
    // SSE is part of the x86_64 baseline; the pointer comes from a reference.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
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
    match (c.model, c.track_segments || c.track_roles) {
        (Model::IndependentCascade, true) => run_trial_impl::<true, false>(c, ws, trial),
        (Model::IndependentCascade, false) => run_trial_impl::<false, false>(c, ws, trial),
        (Model::LinearThreshold, true) => run_trial_impl::<true, true>(c, ws, trial),
        (Model::LinearThreshold, false) => run_trial_impl::<false, true>(c, ws, trial),
    }
}

/// Draws `k` people from `pool` uniformly without replacement among those
/// not yet reached or engaged in this trial, stamps each with `mark` and
/// appends it to `out`. Returns how many were drawn (fewer only if the pool
/// runs out of such people).
#[allow(clippy::too_many_arguments)]
fn draw_from_pool<R: Rng>(
    rng: &mut R,
    pool: &[u32],
    k: usize,
    state: &mut [u16],
    base: u16,
    mark: u16,
    scratch: &mut Vec<u32>,
    out: &mut Vec<u32>,
) -> usize {
    let mut got = 0;
    if k * 2 <= pool.len() {
        // Sparse: rejection; the stamp makes repeats fail.
        let mut tries = 0usize;
        let limit = 64 * pool.len().max(16);
        while got < k && tries < limit {
            tries += 1;
            let u = pool[below(rng, pool.len() as u64) as usize];
            if state[u as usize] < base {
                state[u as usize] = mark;
                out.push(u);
                got += 1;
            }
        }
        if got == k {
            return got;
        }
    }
    // Dense (or a pool mostly taken): shuffle the free part of the pool.
    scratch.clear();
    scratch.extend(pool.iter().copied().filter(|&u| state[u as usize] < base));
    let want = (k - got).min(scratch.len());
    for i in 0..want {
        let j = i + below(rng, (scratch.len() - i) as u64) as usize;
        scratch.swap(i, j);
        state[scratch[i] as usize] = mark;
        out.push(scratch[i]);
    }
    scratch.clear();
    got + want
}

#[allow(clippy::too_many_lines)]
fn run_trial_impl<const GROUPS: bool, const LT: bool>(
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
    let nseg = if c.track_segments {
        c.graph.vocabulary().segments.len()
    } else {
        0
    };
    let nrole = c.tracked_roles();
    if LT && ws.influence.len() != g.node_count() {
        ws.influence.resize(g.node_count(), 0.0);
        ws.threshold.resize(g.node_count(), 0.0);
    }
    let mut rng = stream_rng(c.seed, Stream::Trial, trial);
    let mut srng = stream_rng(c.seed, Stream::Seeding, trial);

    ws.engaged.clear();
    ws.frontier.clear();
    ws.next.clear();
    ws.pending.clear();
    ws.per_step.clear();
    ws.per_segment.clear();
    ws.per_segment.resize(2 * nseg, 0);
    ws.per_role.clear();
    ws.per_role.resize(3 * nrole, 0);
    let mut out = TrialOutcome::default();
    let mut new_reached = 0u32;
    let mut new_engaged = 0u32;
    let mut edges = 0u64;

    // Seeds: fixed plans, then random ones among those not yet picked.
    let mut seeds = std::mem::take(&mut ws.seeds);
    seeds.clear();
    for plan in &c.plans {
        match plan {
            ResolvedPlan::Fixed(v) => {
                for &u in v {
                    ws.state[u as usize] = engaged_mark;
                    seeds.push(u);
                }
            }
            ResolvedPlan::Random { pool, count } => {
                draw_from_pool(
                    &mut srng,
                    pool,
                    *count,
                    &mut ws.state,
                    base,
                    engaged_mark,
                    &mut ws.scratch,
                    &mut seeds,
                );
            }
            ResolvedPlan::Paid { .. } => {}
        }
    }
    let seed_conversion = threshold32(c.conversion_probability(0.0));
    for &s in &seeds {
        let idx = ws.engaged.len() as u32;
        ws.engaged.push(Engaged {
            node: s,
            parent: NO_PARENT,
            depth: 0,
        });
        ws.frontier.push(idx);
        new_reached += 1;
        if GROUPS {
            if nseg > 0 {
                let sg = segs[s as usize] as usize;
                ws.per_segment[2 * sg] += 1;
                ws.per_segment[2 * sg + 1] += 1;
            }
            if nrole > 0 {
                let r = roles[s as usize] as usize;
                ws.per_role[3 * r] += 1;
                ws.per_role[3 * r + 1] += 1;
                ws.per_role[3 * r + 2] += 1;
            }
        }
        if bernoulli(&mut rng, seed_conversion) {
            out.converted += 1;
        }
        if bernoulli(&mut rng, c.ugc_threshold) {
            out.earned_media += 1;
        }
    }
    out.seeds = seeds.len() as u32;

    // Engages `v` through a tie of trust `t` from engaged entry `parent`.
    macro_rules! engage {
        ($v:expr, $t:expr, $parent:expr, $depth:expr, $step:expr) => {{
            let v: u32 = $v;
            ws.state[v as usize] = engaged_mark;
            new_engaged += 1;
            let vi = ws.engaged.len() as u32;
            ws.engaged.push(Engaged {
                node: v,
                parent: $parent,
                depth: $depth,
            });
            if GROUPS {
                if nseg > 0 {
                    ws.per_segment[2 * segs[v as usize] as usize + 1] += 1;
                }
                if nrole > 0 {
                    ws.per_role[3 * roles[v as usize] as usize + 1] += 1;
                }
            }
            if bernoulli(&mut rng, c.share_threshold[roles[v as usize] as usize]) {
                match c.delay {
                    DelaySampler::Fixed(1) => ws.next.push(vi),
                    ref d => {
                        let when = ($step as u32).saturating_add(d.draw(&mut rng));
                        ws.pending.push(std::cmp::Reverse((when, vi)));
                    }
                }
            }
            if c.conversion > 0.0 && bernoulli(&mut rng, threshold32(c.conversion_probability($t)))
            {
                out.converted += 1;
            }
            if bernoulli(&mut rng, c.ugc_threshold) {
                out.earned_media += 1;
            }
        }};
    }
    // Marks `v` reached; true if it was new this trial.
    macro_rules! reach {
        ($v:expr) => {{
            let v: u32 = $v;
            let st = ws.state[v as usize];
            if st < base {
                ws.state[v as usize] = base;
                new_reached += 1;
                if GROUPS {
                    if nseg > 0 {
                        ws.per_segment[2 * segs[v as usize] as usize] += 1;
                    }
                    if nrole > 0 {
                        ws.per_role[3 * roles[v as usize] as usize] += 1;
                    }
                }
                true
            } else {
                false
            }
        }};
    }

    // Paid reach: brand impressions at step 0 to people who are not seeds.
    for plan in &c.plans {
        if let ResolvedPlan::Paid {
            pool,
            impressions,
            brand_trust,
        } = plan
        {
            let mut picked = std::mem::take(&mut ws.marks_u32);
            picked.clear();
            // Picks were unreached; they are stamped reached and counted here.
            draw_from_pool(
                &mut srng,
                pool,
                *impressions,
                &mut ws.state,
                base,
                base,
                &mut ws.scratch,
                &mut picked,
            );
            new_reached += picked.len() as u32;
            if GROUPS {
                for &v in &picked {
                    if nseg > 0 {
                        ws.per_segment[2 * segs[v as usize] as usize] += 1;
                    }
                    if nrole > 0 {
                        ws.per_role[3 * roles[v as usize] as usize] += 1;
                    }
                }
            }
            out.paid_reached += picked.len() as u32;
            let bt = *brand_trust as f32;
            for &v in &picked {
                let p = if LT {
                    // The brand channel is an in-tie whose share of influence
                    // is brand_trust, amplified like any tie: × (1 + λ·trust).
                    let theta = unit(&mut rng) as f32;
                    let f = (bt as f64 * (1.0 + c.endorsement * bt as f64)) as f32;
                    ws.threshold[v as usize] = theta;
                    ws.influence[v as usize] = f;
                    if f as f64 >= theta as f64 * (1.0 - c.sticky_of(v).min(1.0)) {
                        1.0
                    } else {
                        0.0
                    }
                } else {
                    super::engage_probability(c.sticky_of(v), c.endorsement, bt as f64)
                };
                if bernoulli(&mut rng, threshold32(p)) {
                    engage!(v, bt, NO_PARENT, 1, 0u32);
                }
            }
            ws.marks_u32 = picked;
        }
    }

    let mut step: u32 = 0;
    let mut best_new = 0u32;
    let fixed = !c.acc.is_empty();
    let mut last_share_step = 0u32;

    while !ws.frontier.is_empty() && step < c.horizon {
        last_share_step = step;
        let novelty = c
            .half_life
            .map(|h| 0.5f64.powf(step as f64 / h))
            .unwrap_or(1.0);
        let new_shared = ws.frontier.len() as u32;
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

            if LT {
                // Every exposure adds the tie's influence; v engages once its
                // accumulated influence reaches its (stickiness-lowered) threshold.
                for a in lo..hi {
                    let v = targets[a];
                    if ws.state[v as usize] == engaged_mark {
                        continue;
                    }
                    if reach!(v) {
                        ws.influence[v as usize] = 0.0;
                        ws.threshold[v as usize] = unit(&mut rng) as f32;
                    }
                    let f = ws.influence[v as usize] + c.lt_weight[a];
                    ws.influence[v as usize] = f;
                    let bar = ws.threshold[v as usize] as f64
                        * (1.0 - (c.sticky_of(v) * novelty).min(1.0));
                    if f as f64 >= bar {
                        engage!(v, trust[a], ui, du + 1, step);
                    }
                }
                continue;
            }

            // 1. Everyone tied to u is reached (branch-free marking).
            let nbrs = &targets[lo..hi];
            if GROUPS {
                for &v in nbrs {
                    reach!(v);
                }
            } else {
                let state: &mut [u16] = &mut ws.state;
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
                        engage!(v, trust[a], ui, du + 1, step);
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
        // Who shares next, and when.
        ws.frontier.clear();
        if ws.pending.is_empty() {
            std::mem::swap(&mut ws.frontier, &mut ws.next);
            step += 1;
        } else {
            // Varying delays: the next step with anyone scheduled.
            debug_assert!(ws.next.is_empty());
            let next_step = ws.pending.peek().map(|r| r.0.0).unwrap_or(u32::MAX);
            while ws.pending.peek().is_some_and(|r| r.0.0 == next_step) {
                if let Some(std::cmp::Reverse((_, vi))) = ws.pending.pop() {
                    ws.frontier.push(vi);
                }
            }
            // Steps with nobody sharing still get a (zero) row, up to the horizon.
            let stop = next_step.min(c.horizon);
            while step + 1 < stop {
                step += 1;
                ws.per_step.push([0, 0, 0]);
            }
            step = next_step;
        }
    }
    out.engaged = ws.engaged.len() as u32;
    // Steps up to the last one with a share (rows after it are dropped).
    out.steps = if ws.engaged.is_empty() && seeds.is_empty() {
        0
    } else {
        last_share_step + 1
    };
    ws.per_step.truncate(out.steps as usize);
    if out.steps == 0 && new_reached > 0 {
        // Only paid impressions and no sharer: record step 0.
        ws.per_step.push([new_reached, new_engaged, 0]);
        out.reached += new_reached;
        out.steps = 1;
    }
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
