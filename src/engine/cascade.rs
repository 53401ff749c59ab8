//! One independent cascade.

use super::Compiled;
use super::{DENSE_PMAX31, DelaySampler, threshold31};
use crate::rng::{Stream, Xoshiro256PlusPlus, below, bernoulli, stream_rng, threshold32, unit};
use crate::scenario::{Model, ResolvedPlan};
use rand::{Rng, RngExt};

/// Sentinel parent of a seed.
pub(crate) const NO_PARENT: u32 = u32::MAX;

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
    /// Per person: the epochs of the last trial that reached them and of
    /// the last one in which they engaged, side by side so that checking
    /// whether a just-reached person engaged touches the same cache line.
    pub(crate) stamps: Vec<[u16; 2]>,
    epoch: u16,
    engaged: Vec<Engaged>,
    pub(crate) frontier: Vec<u32>,
    pub(crate) next: Vec<u32>,
    pub(crate) seeds: Vec<u32>,
    pub(crate) size: Vec<u32>,
    pub(crate) root: Vec<u32>,
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
    /// Plain kernel: engaged people in order, and each one's parent entry.
    pub(crate) eng_node: Vec<u32>,
    pub(crate) eng_parent: Vec<u32>,
}

impl Workspace {
    /// Scratch space for a graph of `n` people.
    pub fn new(n: usize) -> Self {
        Workspace {
            stamps: vec![[0; 2]; n],
            epoch: 0,
            engaged: Vec::new(),
            frontier: Vec::new(),
            next: Vec::new(),
            seeds: Vec::new(),
            size: Vec::new(),
            root: Vec::new(),
            per_step: Vec::new(),
            per_segment: Vec::new(),
            per_role: Vec::new(),
            pending: Default::default(),
            influence: Vec::new(),
            threshold: Vec::new(),
            scratch: Vec::new(),
            marks_u32: Vec::new(),
            edges_examined: 0,
            eng_node: Vec::new(),
            eng_parent: Vec::new(),
        }
    }

    /// The people who engaged in the last trial run by the plain kernel, in
    /// the order they engaged (seeds first); empty after the general kernel.
    pub fn engaged_in_order(&self) -> &[u32] {
        &self.eng_node
    }

    /// Advances to the next trial's epoch and returns it: a person is
    /// reached (engaged) in this trial when their reach (engage) stamp equals
    /// it, and every earlier stamp is smaller. 16-bit stamps keep the arrays
    /// small (2 bytes per person, so they stay in cache); they are cleared
    /// once every 65,535 trials.
    pub(crate) fn next_epoch(&mut self) -> u16 {
        if self.epoch == u16::MAX {
            self.stamps.iter_mut().for_each(|s| *s = [0; 2]);
            self.epoch = 0;
        }
        self.epoch += 1;
        self.epoch
    }

    /// Empties the per-trial lists both kernels use.
    pub(crate) fn start_trial(&mut self) {
        self.frontier.clear();
        self.next.clear();
        self.per_step.clear();
        self.per_segment.clear();
        self.per_role.clear();
        self.eng_node.clear();
        self.eng_parent.clear();
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
/// Public so that benchmarks can prefetch as the kernel does.
#[inline(always)]
#[allow(unsafe_code)]
pub fn prefetch<T>(x: &T) {
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

/// The next candidate arc in `a..hi` after a geometric skip from `a`, or
/// `None` when the skip runs past `hi`. Each arc is a candidate with
/// probability p: the skip is ⌊E · scale⌋ with E ~ Exp(1) (a ziggurat draw,
/// one 64-bit number in 99% of cases) and `scale` = −1/ln(1 − p), so
/// P(skip ≥ k) = (1 − p)^k exactly.
#[inline(always)]
pub(crate) fn next_candidate<R: Rng>(
    grng: &mut R,
    scale: f32,
    a: usize,
    hi: usize,
) -> Option<usize> {
    // ⌊E · scale⌋ saturates at u32::MAX, beyond any degree; one conversion,
    // and the same decision as comparing the real gap with `hi − a`.
    let gap = (grng.sample::<f64, _>(rand_distr::Exp1) * scale as f64) as u32 as usize;
    if gap >= hi - a { None } else { Some(a + gap) }
}

/// Stamps everyone in `nbrs` reached in epoch `epoch` and returns how many
/// were not reached before. No branch per arc (earlier stamps are all
/// smaller). `stamps` holds (reach, engage) epochs per person, as in
/// [`Workspace`]; public so that benchmarks can time this pass on its own.
#[inline(always)]
pub fn mark_reached(stamps: &mut [[u16; 2]], nbrs: &[u32], epoch: u16) -> u32 {
    let mut new = 0u32;
    for &v in nbrs {
        let st = &mut stamps[v as usize][0];
        new += (*st < epoch) as u32;
        *st = epoch;
    }
    new
}

/// A 31-bit uniform draw, compared against [`threshold31`] thresholds.
#[inline(always)]
pub(crate) fn r31(x: u64) -> u32 {
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
/// The skips come from their own stream (`Stream::Skips`) and every
/// candidate gets one acceptance draw. Plain scenarios (one segment and role,
/// no decay, delay 1, no paid reach) run on a lean kernel that makes the
/// same draws ([`run_trial_general`] is the other).
pub fn run_trial(c: &Compiled<'_>, ws: &mut Workspace, trial: u64) -> TrialOutcome {
    if c.plain {
        return super::plain::run_trial_plain(c, ws, trial);
    }
    run_trial_general(c, ws, trial)
}

/// [`run_trial`] on the general kernel, whatever the scenario. The lean
/// kernel for plain scenarios agrees with it draw for draw, so this is what
/// tests and benchmarks compare it with.
pub fn run_trial_general(c: &Compiled<'_>, ws: &mut Workspace, trial: u64) -> TrialOutcome {
    match (c.model, c.track_segments || c.track_roles) {
        (Model::IndependentCascade, true) => run_trial_impl::<true, false>(c, ws, trial),
        (Model::IndependentCascade, false) => run_trial_impl::<false, false>(c, ws, trial),
        (Model::LinearThreshold, true) => run_trial_impl::<true, true>(c, ws, trial),
        (Model::LinearThreshold, false) => run_trial_impl::<false, true>(c, ws, trial),
    }
}

/// Draws `k` people from `pool` uniformly without replacement among those
/// not yet reached in this trial, stamps each reached (and engaged too when
/// `engage` is given) and appends it to `out`. Returns how many were drawn
/// (fewer only if the pool runs out of such people).
#[allow(clippy::too_many_arguments)]
fn draw_from_pool<R: Rng>(
    rng: &mut R,
    pool: &[u32],
    k: usize,
    stamps: &mut [[u16; 2]],
    engage: bool,
    epoch: u16,
    scratch: &mut Vec<u32>,
    out: &mut Vec<u32>,
) -> usize {
    let mut take = |u: u32, stamps: &mut [[u16; 2]]| {
        stamps[u as usize][0] = epoch;
        if engage {
            stamps[u as usize][1] = epoch;
        }
        out.push(u);
    };
    let mut got = 0;
    if k * 2 <= pool.len() {
        // Sparse: rejection; the stamp makes repeats fail.
        let mut tries = 0usize;
        let limit = 64 * pool.len().max(16);
        while got < k && tries < limit {
            tries += 1;
            let u = pool[below(rng, pool.len() as u64) as usize];
            if stamps[u as usize][0] != epoch {
                take(u, stamps);
                got += 1;
            }
        }
        if got == k {
            return got;
        }
    }
    // Dense (or a pool mostly taken): shuffle the free part of the pool.
    scratch.clear();
    scratch.extend(
        pool.iter()
            .copied()
            .filter(|&u| stamps[u as usize][0] != epoch),
    );
    let want = (k - got).min(scratch.len());
    crate::rng::partial_shuffle(rng, &mut scratch[..], want);
    for &u in &scratch[..want] {
        take(u, stamps);
    }
    scratch.clear();
    got + want
}

/// A trial's generators: decisions, seeding, and geometric skips.
pub(crate) fn trial_streams(seed: u64, trial: u64) -> [Xoshiro256PlusPlus; 3] {
    [Stream::Trial, Stream::Seeding, Stream::Skips].map(|s| stream_rng(seed, s, trial))
}

/// Picks this trial's seeds: fixed plans, then random ones among people not
/// yet picked. Each is stamped reached and engaged in epoch `epoch` and
/// appended to `seeds` (cleared first).
pub(crate) fn choose_seeds<R: Rng>(
    c: &Compiled<'_>,
    ws: &mut Workspace,
    srng: &mut R,
    epoch: u16,
    seeds: &mut Vec<u32>,
) {
    seeds.clear();
    for plan in &c.plans {
        match plan {
            ResolvedPlan::Fixed(v) => {
                for &u in v {
                    ws.stamps[u as usize][0] = epoch;
                    ws.stamps[u as usize][1] = epoch;
                    seeds.push(u);
                }
            }
            ResolvedPlan::Random { pool, count } => {
                draw_from_pool(
                    srng,
                    pool,
                    *count,
                    &mut ws.stamps,
                    true,
                    epoch,
                    &mut ws.scratch,
                    seeds,
                );
            }
            ResolvedPlan::Paid { .. } => {}
        }
    }
}

#[allow(clippy::too_many_lines)]
fn run_trial_impl<const GROUPS: bool, const LT: bool>(
    c: &Compiled<'_>,
    ws: &mut Workspace,
    trial: u64,
) -> TrialOutcome {
    let g = c.graph;
    let epoch = ws.next_epoch();
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
    let [mut rng, mut srng, mut grng] = trial_streams(c.seed, trial);

    ws.start_trial();
    ws.engaged.clear();
    ws.pending.clear();
    ws.per_segment.resize(2 * nseg, 0);
    ws.per_role.resize(3 * nrole, 0);
    let mut out = TrialOutcome::default();
    let mut new_reached = 0u32;
    let mut new_engaged = 0u32;
    let mut edges = 0u64;

    // Seeds: fixed plans, then random ones among those not yet picked.
    let mut seeds = std::mem::take(&mut ws.seeds);
    choose_seeds(c, ws, &mut srng, epoch, &mut seeds);
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
            ws.stamps[v as usize][1] = epoch;
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
            if ws.stamps[v as usize][0] != epoch {
                ws.stamps[v as usize][0] = epoch;
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
                &mut ws.stamps,
                false,
                epoch,
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
                    if ws.stamps[v as usize][1] == epoch {
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
                new_reached += mark_reached(&mut ws.stamps, nbrs, epoch);
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
                    match next_candidate(&mut grng, rec.skip_scale, a, hi) {
                        Some(next) => a = next,
                        None => break,
                    }
                }
                // One acceptance draw per candidate, whatever its state, so
                // the draws do not depend on the order of decisions.
                let r = r31(rng.next_u64());
                let v = targets[a];
                if ws.stamps[v as usize][1] != epoch {
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
                    // t ≤ 2^31 and r < 2^31, so t = 2^31 always accepts.
                    if r < t {
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
    let mut parents = std::mem::take(&mut ws.eng_parent);
    parents.clear();
    parents.extend(ws.engaged.iter().map(|e| e.parent));
    out.structural_virality = structural_virality(&parents, &mut ws.size, &mut ws.root);
    ws.eng_parent = parents;
    ws.seeds = seeds;
    out
}

/// Mean shortest-path distance between pairs of people in the same cascade
/// tree, in O(cascade size). `parent[i]` is the entry that engaged entry `i`
/// ([`NO_PARENT`] for a root); parents precede children. Each tree edge
/// (child, parent) lies on the paths of size(child) · (tree size −
/// size(child)) pairs (Wiener index); sums are exact integers.
pub(crate) fn structural_virality(parent: &[u32], size: &mut Vec<u32>, root: &mut Vec<u32>) -> f64 {
    let k = parent.len();
    if k < 2 {
        return 0.0;
    }
    // Subtree sizes: children come after their parents, so one backward pass.
    size.clear();
    size.resize(k, 1);
    for i in (0..k).rev() {
        let p = parent[i];
        if p != NO_PARENT {
            size[p as usize] += size[i];
        }
    }
    // Roots (forward pass) and the two sums, in u64 while they cannot
    // overflow (each sum is below k³/4), else in u128.
    root.clear();
    root.reserve(k);
    let (wiener, pairs) = if k < 1 << 21 {
        let (w, p) = tree_sums::<u64>(parent, size, root);
        (w as f64, p as f64)
    } else {
        let (w, p) = tree_sums::<u128>(parent, size, root);
        (w as f64, p as f64)
    };
    if pairs > 0.0 { wiener / pairs } else { 0.0 }
}

/// Σ over non-roots of size·(tree size − size) (the Wiener index of the
/// forest) and Σ over trees of C(tree size, 2), exactly in `W`.
fn tree_sums<W>(parent: &[u32], size: &[u32], root: &mut Vec<u32>) -> (W, W)
where
    W: Copy
        + From<u32>
        + std::ops::Add<Output = W>
        + std::ops::Sub<Output = W>
        + std::ops::Mul<Output = W>
        + std::ops::Div<Output = W>,
{
    let (zero, one, two) = (W::from(0), W::from(1), W::from(2));
    let mut wiener = zero;
    let mut pairs = zero;
    for (i, &p) in parent.iter().enumerate() {
        if p == NO_PARENT {
            root.push(i as u32);
            let t = W::from(size[i]);
            pairs = pairs + t * (t - one) / two;
        } else {
            let r = root[p as usize];
            root.push(r);
            let s = W::from(size[i]);
            wiener = wiener + s * (W::from(size[r as usize]) - s);
        }
    }
    (wiener, pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, below, stream_rng};

    /// The u64 sums (used below 2^21 people) and the u128 ones (above) are
    /// the same numbers: random forests, parents before children.
    #[test]
    fn tree_sums_agree_in_u64_and_u128() {
        let mut r = stream_rng(3, Stream::Trial, 0);
        for case in 0..200u64 {
            let k = 1 + below(&mut r, 400) as usize;
            let parent: Vec<u32> = (0..k)
                .map(|i| {
                    if i == 0 || below(&mut r, 10) == 0 {
                        NO_PARENT
                    } else {
                        below(&mut r, i as u64) as u32
                    }
                })
                .collect();
            let mut size = vec![1u32; k];
            for i in (0..k).rev() {
                if parent[i] != NO_PARENT {
                    size[parent[i] as usize] += size[i];
                }
            }
            let (mut r1, mut r2) = (Vec::new(), Vec::new());
            let (w64, p64) = tree_sums::<u64>(&parent, &size, &mut r1);
            let (w128, p128) = tree_sums::<u128>(&parent, &size, &mut r2);
            assert_eq!((w64 as u128, p64 as u128), (w128, p128), "case {case}");
            assert_eq!(r1, r2);
        }
    }
}
