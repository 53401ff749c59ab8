//! The crisis kernel: a viral negative claim and the brand's correction,
//! two competing independent cascades on one graph (`[crisis]`).
//!
//! # The model
//!
//! Each person is in one of four states: **unaware**, **believer** (engaged
//! with the claim), **protected** (engaged with the correction before
//! believing) or **corrected** (a believer who engaged with the
//! correction). Time runs in the campaign's steps `t = 0, 1, …`; nobody
//! shares at or after the horizon.
//!
//! * **Claim.** At step `s₀ = claim.start` its seeds (its seeding plans,
//!   drawn as `[seeding]` is) become believers and share it at `s₀`; paid
//!   impressions of the claim, if any, are exposures at `s₀`.
//! * **Correction.** At `s₁ = s₀ + response_delay` (never with `"never"`,
//!   or when `s₁` is at or past the horizon) its seeds — its channels, as
//!   seeding plans — post it: an unaware seed becomes protected, a believer
//!   seed corrected; all of them share it at `s₁`. Its paid impressions are
//!   exposures at `s₁` through the brand channel (trust `brand_trust`).
//! * **Exposure.** A sharer `u` of cascade X at step `t` reaches all its
//!   contacts, and each contact `v` engages with X with X's arc probability
//!   `1 − (1 − min(1, σ_X·r_X(seg v)·m_X(role v)·novelty_X(t)))^(1 + λ_X·trust(u→v))`
//!   — exactly as in a campaign cascade of X's content, with X's novelty
//!   measured from X's start step. Such an engagement is a *hit*: a claim
//!   hit counts for `v` only if `v` has not had one before and is unaware or
//!   protected without immunity; a correction hit only if `v` is unaware or a
//!   believer (at most one correction hit per person per step).
//! * **Resolution.** After both cascades' sharers of step `t` have shared,
//!   each person hit at `t` changes state. A claim hit makes an unaware
//!   person, or a protected one who is not immune, a believer. A correction
//!   hit makes an unaware person protected — immune to the claim from then
//!   on with probability `protection`, drawn once — and a believer corrected
//!   with probability `uptake`. A person hit by both in the same step takes
//!   them in priority order: `"correction"` first, `"claim"` first, or
//!   `"random"` (a fair coin per person); the second applies to the state the
//!   first left.
//! * **Sharing.** A person who engages with X decides at once, with X's
//!   shareability (× role multiplier), whether to share it, and when (X's
//!   share delay). A scheduled share happens only if the person is still in
//!   a state that shares X at that step: believers share the claim,
//!   protected and corrected people the correction. Nobody shares either
//!   cascade twice.
//!
//! With `protection = 1`, `uptake = 0`, correction priority and equal
//! delays this is the campaign-oblivious competitive independent cascade
//! of Budak, Agrawal & El Abbadi (2011) and Tong, Wu & Du (2018): the two
//! cascades spread on the same arcs, each person adopts the first to reach
//! them, and the correction wins ties.
//!
//! # Random numbers
//!
//! The claim draws from the three trial streams of a cascade of its own,
//! with master seed [`derived_seed`]`(seed, CrisisClaim)`, in the same order
//! as the general kernel: so with `response_delay = "never"` every trial's
//! believers are exactly the people a plain cascade of the claim's content
//! and seeding would engage with that seed. The correction draws from
//! streams derived from `CrisisCorrection`, protection, uptake and the
//! random priority from `CrisisDecisions`. The campaign's streams are not
//! touched, so the campaign's trials are the same with and without the
//! crisis (common random numbers), and so are the trials of every response
//! delay up to the correction's start.

use super::content::DelaySampler;
use super::sampling::{
    choose_seeds, draw_from_pool, mark_reached, next_candidate, prefetch, trial_streams, uniform31,
};
use super::seeding::ResolvedPlan;
use super::{
    Compiled, CompiledContent, DENSE_PMAX31, ResolvedSeeding, Workspace, engage_probability,
    threshold31,
};
use crate::rng::{Stream, Xoshiro256PlusPlus, bernoulli, derived_seed, stream_rng, threshold32};
use crate::scenario::Priority;
use rand::Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A person's state in a crisis.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    /// Neither cascade has engaged them.
    Unaware = 0,
    /// Engaged with the claim (and not corrected).
    Believer = 1,
    /// Engaged with the correction before believing.
    Protected = 2,
    /// A believer who engaged with the correction.
    Corrected = 3,
}

/// The crisis of a run, compiled: both cascades on one graph and the rules
/// between them. Only borrows the contents and seedings.
#[derive(Debug, Clone, Copy)]
pub struct CrisisSpec<'a> {
    /// The claim's content.
    pub claim: &'a CompiledContent<'a>,
    /// The claim's seeding plans.
    pub claim_seeding: &'a ResolvedSeeding,
    /// The correction's content.
    pub correction: &'a CompiledContent<'a>,
    /// The correction's channels.
    pub correction_seeding: &'a ResolvedSeeding,
    /// Step at which the claim starts.
    pub claim_start: u32,
    /// Same-step priority.
    pub priority: Priority,
    /// Probability of immunity for the protected.
    pub protection: f64,
    /// Probability that a correction hit corrects a believer.
    pub uptake: f64,
    /// The run's master seed.
    pub seed: u64,
    /// The horizon in steps.
    pub horizon: Option<u32>,
}

impl<'a> CrisisSpec<'a> {
    /// The claim as a cascade of its own: what the claim's draws follow
    /// (a plain run of it engages exactly the believers of a crisis whose
    /// correction never starts).
    pub fn claim_cascade(&self) -> Compiled<'a> {
        Compiled::new(
            self.claim,
            self.claim_seeding,
            derived_seed(self.seed, Stream::CrisisClaim),
            self.horizon,
        )
    }

    /// The correction as a cascade of its own (its seed and seeding).
    pub fn correction_cascade(&self) -> Compiled<'a> {
        Compiled::new(
            self.correction,
            self.correction_seeding,
            derived_seed(self.seed, Stream::CrisisCorrection),
            self.horizon,
        )
    }
}

/// Scalar results of one crisis trial.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct CrisisOutcome {
    /// Believers at the end (not corrected).
    pub believers: u32,
    /// Most believers at once.
    pub peak_believers: u32,
    /// Steps from the claim's start to the first step with the most believers.
    pub time_to_peak: u32,
    /// People who believed at some point (believers and corrected).
    pub ever_believed: u32,
    /// Protected at the end.
    pub protected: u32,
    /// Corrected at the end.
    pub corrected: u32,
    /// People the claim reached (its seeds included).
    pub claim_reached: u32,
    /// People the correction reached (its seeds and paid impressions included).
    pub correction_reached: u32,
    /// The correction's seeds.
    pub correction_seeds: u32,
    /// People exposed by the correction's paid reach.
    pub correction_paid: u32,
    /// Steps simulated (rows of the per-step counts).
    pub steps: u32,
    /// Out-degrees of both cascades' sharers, summed.
    pub edges_examined: u64,
}

/// One person's crisis record, valid when `epoch` is the trial's.
#[derive(Debug, Clone, Copy, Default)]
struct Person {
    epoch: u32,
    state: u8,
    immune: bool,
    /// Has engaged with the correction (its share decision is made).
    corr_engaged: bool,
    /// 1 + the step of the claim hit (0: none).
    claim_step: u32,
    /// 1 + the step of the last correction hit.
    corr_step: u32,
    /// 1 + the last step in which the person was resolved.
    resolved: u32,
}

/// Per-thread scratch memory for crisis trials.
#[derive(Debug)]
pub struct CrisisWorkspace {
    people: Vec<Person>,
    epoch: u32,
    /// Reach stamps, seed picks and scratch of each cascade.
    claim_ws: Workspace,
    corr_ws: Workspace,
    touched: Vec<u32>,
    claim_hits: Vec<u32>,
    corr_hits: Vec<u32>,
    claim_frontier: Vec<u32>,
    claim_next: Vec<u32>,
    corr_frontier: Vec<u32>,
    corr_next: Vec<u32>,
    claim_pending: BinaryHeap<Reverse<(u32, u32, u32)>>,
    corr_pending: BinaryHeap<Reverse<(u32, u32, u32)>>,
    seeds: Vec<u32>,
    picked: Vec<u32>,
    per_step: Vec<[u32; 3]>,
    /// The last trial was cut at the step cap of a run without a horizon
    /// (something was still due to happen).
    capped: bool,
    /// The correction's seeds per role id of the last trial.
    correction_seeds_by_role: Vec<u32>,
}

impl CrisisWorkspace {
    /// Scratch space for a graph of `n` people.
    pub fn new(n: usize) -> Self {
        CrisisWorkspace {
            people: vec![Person::default(); n],
            epoch: 0,
            claim_ws: Workspace::new(n),
            corr_ws: Workspace::new(n),
            touched: Vec::new(),
            claim_hits: Vec::new(),
            corr_hits: Vec::new(),
            claim_frontier: Vec::new(),
            claim_next: Vec::new(),
            corr_frontier: Vec::new(),
            corr_next: Vec::new(),
            claim_pending: BinaryHeap::new(),
            corr_pending: BinaryHeap::new(),
            seeds: Vec::new(),
            picked: Vec::new(),
            per_step: Vec::new(),
            capped: false,
            correction_seeds_by_role: Vec::new(),
        }
    }

    /// Believers, protected and corrected after each step of the last trial.
    pub fn per_step(&self) -> &[[u32; 3]] {
        &self.per_step
    }

    /// Everyone the last trial left in a state other than unaware, with it.
    pub fn final_states(&self) -> impl Iterator<Item = (u32, State)> + '_ {
        self.touched.iter().filter_map(|&v| {
            let s = self.state(v);
            (s != State::Unaware).then_some((v, s))
        })
    }

    /// Person `v`'s state at the end of the last trial.
    pub fn state(&self, v: u32) -> State {
        let p = self.people[v as usize];
        if p.epoch != self.epoch {
            return State::Unaware;
        }
        match p.state {
            1 => State::Believer,
            2 => State::Protected,
            3 => State::Corrected,
            _ => State::Unaware,
        }
    }

    /// The correction's seeds per role id in the last trial.
    pub fn correction_seeds_by_role(&self) -> &[u32] {
        &self.correction_seeds_by_role
    }
}

/// The record of `v` in this trial, initialised (and listed) on first touch.
#[inline(always)]
fn person<'p>(
    people: &'p mut [Person],
    touched: &mut Vec<u32>,
    epoch: u32,
    v: u32,
) -> &'p mut Person {
    let p = &mut people[v as usize];
    if p.epoch != epoch {
        *p = Person {
            epoch,
            ..Person::default()
        };
        touched.push(v);
    }
    p
}

/// Current believers, protected and corrected.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    believers: u32,
    protected: u32,
    corrected: u32,
    ever: u32,
}

impl Counts {
    fn leave(&mut self, s: u8) {
        match s {
            1 => self.believers -= 1,
            2 => self.protected -= 1,
            3 => self.corrected -= 1,
            _ => {}
        }
    }
    fn enter(&mut self, s: u8) {
        match s {
            1 => {
                self.believers += 1;
                self.ever += 1;
            }
            2 => self.protected += 1,
            3 => self.corrected += 1,
            _ => {}
        }
    }
}

/// One side's random streams: decisions, seeding, skips.
struct Streams {
    rng: Xoshiro256PlusPlus,
    seeding: Xoshiro256PlusPlus,
    skips: Xoshiro256PlusPlus,
}

fn streams(seed: u64, trial: u64) -> Streams {
    let [rng, seeding, skips] = trial_streams(seed, trial);
    Streams {
        rng,
        seeding,
        skips,
    }
}

/// Schedules a share of `v` (engaged at step `t`) if its share draw says so:
/// the draws of the general kernel's `engage!` (conversion and earned media
/// are 0 for crisis contents, so they draw nothing).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn decide_share(
    k: &CompiledContent<'_>,
    rng: &mut Xoshiro256PlusPlus,
    role: usize,
    v: u32,
    t: u32,
    seq: u32,
    next: &mut Vec<u32>,
    pending: &mut BinaryHeap<Reverse<(u32, u32, u32)>>,
) {
    if bernoulli(rng, k.share_threshold[role]) {
        match k.delay {
            DelaySampler::Fixed(1) => next.push(v),
            ref d => pending.push(Reverse((t.saturating_add(d.draw(rng)), seq, v))),
        }
    }
}

/// Who of `pending` shares at step `t`, appended to `frontier` in
/// (step, engagement order).
fn pop_due(pending: &mut BinaryHeap<Reverse<(u32, u32, u32)>>, t: u32, frontier: &mut Vec<u32>) {
    while pending.peek().is_some_and(|r| r.0.0 <= t) {
        if let Some(Reverse((_, _, v))) = pending.pop() {
            frontier.push(v);
        }
    }
}

/// Software pipeline over a frontier, as the general kernel's: the record
/// of the sharer two ahead and the first arcs of the next one are fetched
/// while sharer `i` is processed.
#[inline(always)]
fn prefetch_ahead(k: &CompiledContent<'_>, frontier: &[u32], i: usize) {
    if let Some(&u2) = frontier.get(i + 2) {
        prefetch(&k.nodes[u2 as usize]);
    }
    if let Some(&u1) = frontier.get(i + 1) {
        let r1 = &k.nodes[u1 as usize];
        if let Some(t) = k.graph.targets().get(r1.start as usize) {
            prefetch(t);
        }
        if let Some(t) = k.accept.get(r1.start as usize) {
            prefetch(t);
        }
    }
}

/// Runs one sharer `u` of content `k` at step `t` (novelty `novelty`):
/// marks its contacts reached, draws one acceptance per candidate arc (as
/// the general kernel does) and calls `hit(v)` for each candidate whose
/// draw passes and who `open(v)` says may still engage. Returns the number
/// newly reached.
#[inline(always)]
fn share_from(
    k: &CompiledContent<'_>,
    u: u32,
    novelty: f64,
    stamps: &mut [[u16; 2]],
    epoch: u16,
    s: &mut Streams,
    mut hit: impl FnMut(u32, &mut [[u16; 2]], &mut Streams),
) -> u32 {
    let g = k.graph;
    let targets = g.targets();
    let rec = k.nodes[u as usize];
    let lo = rec.start as usize;
    let hi = lo + rec.degree as usize;
    let new = mark_reached(stamps, &targets[lo..hi], epoch);
    let pmax31 = rec.pmax31;
    if pmax31 == 0 {
        return new;
    }
    let fixed = !k.accept.is_empty();
    let dense = pmax31 >= DENSE_PMAX31;
    let mut a = lo;
    loop {
        if dense {
            if a >= hi {
                break;
            }
        } else {
            match next_candidate(&mut s.skips, rec.skip_scale, a, hi) {
                Some(next) => a = next,
                None => break,
            }
        }
        let r = uniform31(s.rng.next_u64());
        let v = targets[a];
        if stamps[v as usize][1] != epoch {
            let th = if fixed {
                let ratio = k.accept[a];
                if dense {
                    ((ratio as u64 * pmax31 as u64) >> 31) as u32
                } else {
                    ratio
                }
            } else {
                let p = engage_probability(
                    k.sticky_of(v) * novelty,
                    k.endorsement,
                    g.trust_at(a) as f64,
                );
                if dense {
                    threshold31(p)
                } else {
                    threshold31(p / k.pmax_of(u))
                }
            };
            if r < th {
                hit(v, stamps, s);
            }
        }
        a += 1;
        if a >= hi {
            break;
        }
    }
    new
}

/// Runs trial `trial` of the crisis with the correction starting
/// `response_delay` steps after the claim (`None`: never). The per-step
/// counts and final states are left in the workspace.
#[allow(clippy::too_many_lines)]
pub fn run_crisis_trial(
    spec: &CrisisSpec<'_>,
    response_delay: Option<u32>,
    ws: &mut CrisisWorkspace,
    trial: u64,
) -> CrisisOutcome {
    let claim_c = spec.claim_cascade();
    let corr_c = spec.correction_cascade();
    let g = claim_c.graph;
    let roles = g.roles();
    let horizon = claim_c.horizon;
    let kc = spec.claim;
    let kr = spec.correction;
    let s0 = spec.claim_start;
    let s1 = response_delay
        .and_then(|d| s0.checked_add(d))
        .filter(|&s| s < horizon);
    ws.epoch = ws.epoch.wrapping_add(1);
    if ws.epoch == 0 {
        ws.people.iter_mut().for_each(|p| *p = Person::default());
        ws.epoch = 1;
    }
    let epoch = ws.epoch;
    let cep = ws.claim_ws.next_epoch();
    let rep = ws.corr_ws.next_epoch();
    let mut cs = streams(claim_c.seed, trial);
    let mut rs = streams(corr_c.seed, trial);
    let mut dec = stream_rng(spec.seed, Stream::CrisisDecisions, trial);
    let prot = threshold32(spec.protection);
    let upt = threshold32(spec.uptake);
    let coin = threshold32(0.5);

    ws.touched.clear();
    ws.per_step.clear();
    ws.capped = false;
    ws.claim_frontier.clear();
    ws.claim_next.clear();
    ws.corr_frontier.clear();
    ws.corr_next.clear();
    ws.claim_pending.clear();
    ws.corr_pending.clear();
    ws.correction_seeds_by_role.clear();
    ws.correction_seeds_by_role
        .resize(g.vocabulary().roles.len().max(1), 0);
    let mut out = CrisisOutcome::default();
    let mut n = Counts::default();
    let mut claim_seq = 0u32;
    let mut corr_seq = 0u32;
    let mut t = 0u32;
    let mut edges = 0u64;
    let mut peak_t = s0;

    loop {
        let t1 = t + 1;
        ws.claim_hits.clear();
        ws.corr_hits.clear();
        // Claim seeds and paid impressions.
        if t == s0 {
            let mut seeds = std::mem::take(&mut ws.seeds);
            choose_seeds(&claim_c, &mut ws.claim_ws, &mut cs.seeding, cep, &mut seeds);
            for &v in &seeds {
                let p = person(&mut ws.people, &mut ws.touched, epoch, v);
                p.claim_step = t1;
                p.state = State::Believer as u8;
                n.enter(1);
                ws.claim_frontier.push(v);
                claim_seq += 1;
            }
            out.claim_reached += seeds.len() as u32;
            ws.seeds = seeds;
            for plan in &spec.claim_seeding.plans {
                if let ResolvedPlan::Paid {
                    pool,
                    impressions,
                    brand_trust,
                } = plan
                {
                    let mut picked = std::mem::take(&mut ws.picked);
                    picked.clear();
                    draw_from_pool(
                        &mut cs.seeding,
                        pool,
                        *impressions,
                        &mut ws.claim_ws.stamps,
                        false,
                        cep,
                        &mut ws.claim_ws.scratch,
                        &mut picked,
                    );
                    out.claim_reached += picked.len() as u32;
                    for &v in &picked {
                        let pr = engage_probability(kc.sticky_of(v), kc.endorsement, *brand_trust);
                        if bernoulli(&mut cs.rng, threshold32(pr)) {
                            ws.claim_ws.stamps[v as usize][1] = cep;
                            let p = person(&mut ws.people, &mut ws.touched, epoch, v);
                            p.claim_step = t1;
                            ws.claim_hits.push(v);
                            decide_share(
                                kc,
                                &mut cs.rng,
                                roles[v as usize] as usize,
                                v,
                                t,
                                claim_seq,
                                &mut ws.claim_next,
                                &mut ws.claim_pending,
                            );
                            claim_seq += 1;
                        }
                    }
                    ws.picked = picked;
                }
            }
        }
        // Correction seeds and paid impressions.
        if Some(t) == s1 {
            let mut seeds = std::mem::take(&mut ws.seeds);
            choose_seeds(&corr_c, &mut ws.corr_ws, &mut rs.seeding, rep, &mut seeds);
            for &v in &seeds {
                ws.correction_seeds_by_role[roles[v as usize] as usize] += 1;
                let p = person(&mut ws.people, &mut ws.touched, epoch, v);
                let old = p.state;
                let new = match old {
                    0 => {
                        p.immune = bernoulli(&mut dec, prot);
                        2
                    }
                    1 => 3,
                    s => s,
                };
                p.state = new;
                p.corr_engaged = true;
                if new != old {
                    n.leave(old);
                    n.enter(new);
                }
                ws.corr_frontier.push(v);
                corr_seq += 1;
            }
            out.correction_seeds = seeds.len() as u32;
            out.correction_reached += seeds.len() as u32;
            ws.seeds = seeds;
            for plan in &spec.correction_seeding.plans {
                if let ResolvedPlan::Paid {
                    pool,
                    impressions,
                    brand_trust,
                } = plan
                {
                    let mut picked = std::mem::take(&mut ws.picked);
                    picked.clear();
                    draw_from_pool(
                        &mut rs.seeding,
                        pool,
                        *impressions,
                        &mut ws.corr_ws.stamps,
                        false,
                        rep,
                        &mut ws.corr_ws.scratch,
                        &mut picked,
                    );
                    out.correction_reached += picked.len() as u32;
                    out.correction_paid += picked.len() as u32;
                    for &v in &picked {
                        let pr = engage_probability(kr.sticky_of(v), kr.endorsement, *brand_trust);
                        if bernoulli(&mut rs.rng, threshold32(pr)) {
                            let p = person(&mut ws.people, &mut ws.touched, epoch, v);
                            if matches!(p.state, 0 | 1) && p.corr_step != t1 {
                                p.corr_step = t1;
                                ws.corr_hits.push(v);
                            }
                        }
                    }
                    ws.picked = picked;
                }
            }
        }
        // The claim's sharers (believers only).
        if t >= s0 {
            pop_due(&mut ws.claim_pending, t, &mut ws.claim_frontier);
            let novelty = kc
                .half_life
                .map(|h| 0.5f64.powf((t - s0) as f64 / h))
                .unwrap_or(1.0);
            let frontier = std::mem::take(&mut ws.claim_frontier);
            for (i, &u) in frontier.iter().enumerate() {
                prefetch_ahead(kc, &frontier, i);
                if ws.state(u) != State::Believer {
                    continue;
                }
                edges += kc.nodes[u as usize].degree as u64;
                let people = &mut ws.people;
                let touched = &mut ws.touched;
                let hits = &mut ws.claim_hits;
                let next = &mut ws.claim_next;
                let pending = &mut ws.claim_pending;
                out.claim_reached += share_from(
                    kc,
                    u,
                    novelty,
                    &mut ws.claim_ws.stamps,
                    cep,
                    &mut cs,
                    |v, stamps, s| {
                        let p = person(people, touched, epoch, v);
                        if p.state == State::Protected as u8 && p.immune {
                            return;
                        }
                        stamps[v as usize][1] = cep;
                        p.claim_step = t1;
                        hits.push(v);
                        decide_share(
                            kc,
                            &mut s.rng,
                            roles[v as usize] as usize,
                            v,
                            t,
                            claim_seq,
                            next,
                            pending,
                        );
                        claim_seq += 1;
                    },
                );
            }
            ws.claim_frontier = frontier;
            ws.claim_frontier.clear();
        }
        // The correction's sharers (protected and corrected people).
        if s1.is_some_and(|s| t >= s) {
            let s1v = s1.unwrap_or(0);
            pop_due(&mut ws.corr_pending, t, &mut ws.corr_frontier);
            let novelty = kr
                .half_life
                .map(|h| 0.5f64.powf((t - s1v) as f64 / h))
                .unwrap_or(1.0);
            let frontier = std::mem::take(&mut ws.corr_frontier);
            for (i, &u) in frontier.iter().enumerate() {
                prefetch_ahead(kr, &frontier, i);
                if !matches!(ws.state(u), State::Protected | State::Corrected) {
                    continue;
                }
                edges += kr.nodes[u as usize].degree as u64;
                let people = &mut ws.people;
                let touched = &mut ws.touched;
                let hits = &mut ws.corr_hits;
                out.correction_reached += share_from(
                    kr,
                    u,
                    novelty,
                    &mut ws.corr_ws.stamps,
                    rep,
                    &mut rs,
                    |v, _, _| {
                        let p = person(people, touched, epoch, v);
                        if matches!(p.state, 0 | 1) && p.corr_step != t1 {
                            p.corr_step = t1;
                            hits.push(v);
                        }
                    },
                );
            }
            ws.corr_frontier = frontier;
            ws.corr_frontier.clear();
        }

        // Resolution: everyone hit this step, claim hits first.
        let nclaim = ws.claim_hits.len();
        for i in 0..nclaim + ws.corr_hits.len() {
            let v = if i < nclaim {
                ws.claim_hits[i]
            } else {
                ws.corr_hits[i - nclaim]
            };
            let p = &mut ws.people[v as usize];
            if p.resolved == t1 {
                continue;
            }
            p.resolved = t1;
            let c = p.claim_step == t1;
            let k = p.corr_step == t1;
            let claim_first = match (c, k) {
                (true, true) => match spec.priority {
                    Priority::Claim => true,
                    Priority::Correction => false,
                    Priority::Random => bernoulli(&mut dec, coin),
                },
                _ => c,
            };
            for claim_turn in [claim_first, !claim_first] {
                let old = p.state;
                if claim_turn {
                    if !c {
                        continue;
                    }
                    if old == 0 || (old == 2 && !p.immune) {
                        p.state = 1;
                    }
                } else {
                    if !k {
                        continue;
                    }
                    let engaged = match old {
                        0 => {
                            p.immune = bernoulli(&mut dec, prot);
                            p.state = 2;
                            true
                        }
                        1 if bernoulli(&mut dec, upt) => {
                            p.state = 3;
                            true
                        }
                        _ => false,
                    };
                    if engaged && !p.corr_engaged {
                        p.corr_engaged = true;
                        decide_share(
                            kr,
                            &mut rs.rng,
                            roles[v as usize] as usize,
                            v,
                            t,
                            corr_seq,
                            &mut ws.corr_next,
                            &mut ws.corr_pending,
                        );
                        corr_seq += 1;
                    }
                }
                if p.state != old {
                    n.leave(old);
                    n.enter(p.state);
                }
            }
        }
        ws.per_step.push([n.believers, n.protected, n.corrected]);
        if n.believers > out.peak_believers {
            out.peak_believers = n.believers;
            peak_t = t;
        }

        // The next step anything happens.
        std::mem::swap(&mut ws.claim_frontier, &mut ws.claim_next);
        std::mem::swap(&mut ws.corr_frontier, &mut ws.corr_next);
        let mut next = u32::MAX;
        if !ws.claim_frontier.is_empty() || !ws.corr_frontier.is_empty() {
            next = t1;
        }
        for h in [&ws.claim_pending, &ws.corr_pending] {
            if let Some(r) = h.peek() {
                next = next.min(r.0.0);
            }
        }
        for s in [Some(s0), s1].into_iter().flatten() {
            if s > t {
                next = next.min(s);
            }
        }
        if next >= horizon || next == u32::MAX {
            ws.capped = claim_c.capped && next != u32::MAX;
            break;
        }
        // Steps with nothing happening keep the counts.
        while t + 1 < next {
            t += 1;
            ws.per_step.push([n.believers, n.protected, n.corrected]);
        }
        t = next;
    }
    out.believers = n.believers;
    out.protected = n.protected;
    out.corrected = n.corrected;
    out.ever_believed = n.ever;
    out.time_to_peak = if out.peak_believers > 0 {
        peak_t - s0
    } else {
        0
    };
    out.steps = ws.per_step.len() as u32;
    out.edges_examined = edges;
    out
}

/// The lasting damage of a crisis: how much a believer's and a corrected
/// believer's purchase probability drop, and everyone's probability of
/// buying in the period per segment id.
#[derive(Debug, Clone, PartialEq)]
pub struct Harm {
    /// Drop for a believer at the end.
    pub harm: f64,
    /// Drop for a corrected believer.
    pub residual_harm: f64,
    /// Probability of buying in the period, per segment id.
    pub base_purchase: Vec<f64>,
}

impl Harm {
    /// The drop in purchase probability of a person left in state `s`.
    pub fn of(&self, s: State) -> f64 {
        match s {
            State::Believer => self.harm,
            State::Corrected => self.residual_harm,
            State::Unaware | State::Protected => 0.0,
        }
    }
}

/// What a crisis trial cost: expected purchases lost, given the trial's
/// cascades (the campaign's and the crisis's).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Damage {
    /// Σ over the campaign's converts of their drop in purchase probability.
    pub conversions_lost: f64,
    /// Σ over everyone of base purchase × drop.
    pub purchases_lost: f64,
}

/// The trials of a crisis for one response delay.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrisisRun {
    /// The response delay (None: never).
    pub delay: Option<u32>,
    /// Per trial.
    pub outcomes: Vec<CrisisOutcome>,
    /// Per trial.
    pub damage: Vec<Damage>,
    /// Believers, protected, corrected after each step, trials concatenated.
    pub steps: Vec<[u32; 3]>,
    /// Start of each trial's rows in `steps` (trials + 1).
    pub step_offsets: Vec<usize>,
    /// Final believers per segment per trial (trials × segments).
    pub believers_by_segment: Vec<u32>,
    /// The correction's seeds per role per trial (trials × roles).
    pub correction_seeds_by_role: Vec<u32>,
}

impl CrisisRun {
    /// Trial `i`'s rows of believers, protected and corrected per step.
    pub fn trial_steps(&self, i: usize) -> &[[u32; 3]] {
        &self.steps[self.step_offsets[i]..self.step_offsets[i + 1]]
    }
}

/// A crisis's trials, one run per response delay, on the same trials.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CrisisEnsemble {
    /// One per response delay, in the scenario's order.
    pub runs: Vec<CrisisRun>,
    /// Segments in `believers_by_segment`.
    pub segments: usize,
    /// Roles in `correction_seeds_by_role`.
    pub roles: usize,
    /// Out-degrees of both cascades' sharers, summed over trials and delays.
    pub edges_examined: u64,
}

/// One trial for every delay.
type TrialRows = Vec<(CrisisOutcome, Damage, Vec<[u32; 3]>, Vec<u32>, Vec<u32>)>;

/// Runs trials `first .. first + trials` of the crisis for each response
/// delay in `delays` (the same trials: common random numbers). With a
/// campaign, its trial is run first (on the general kernel, which lists
/// who converted) and each convert's drop in purchase probability is lost.
///
/// # Errors
/// [`crate::Error::Parameter`] when the thread pool cannot start, or (key
/// `horizon`) when a trial of a run without a horizon is still going at
/// [`super::MAX_STEPS`]: the remaining trials are then skipped.
pub fn run_crisis(
    spec: &CrisisSpec<'_>,
    delays: &[Option<u32>],
    campaign: Option<&Compiled<'_>>,
    harm: &Harm,
    first: u64,
    trials: u64,
    threads: usize,
) -> crate::error::Result<CrisisEnsemble> {
    use rayon::prelude::*;
    let g = spec.claim.graph;
    let n = g.node_count();
    let segs = g.segments();
    let nseg = g.vocabulary().segments.len().max(1);
    let nrole = g.vocabulary().roles.len().max(1);
    let campaign = campaign
        .filter(|c| c.content.conversion > 0.0 && (harm.harm > 0.0 || harm.residual_harm > 0.0))
        .map(|c| {
            let mut c = *c;
            c.plain = false;
            c
        });
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .map_err(|e| {
            crate::error::Error::param("--threads", format!("cannot start {threads} threads: {e}"))
        })?;
    let capped = std::sync::atomic::AtomicU64::new(u64::MAX);
    let relaxed = std::sync::atomic::Ordering::Relaxed;
    let rows: Vec<TrialRows> = pool.install(|| {
        (0..trials as usize)
            .into_par_iter()
            .with_min_len(16)
            .map_init(
                || (CrisisWorkspace::new(n), Workspace::new(n), Vec::new()),
                |(cw, w, converted), i| {
                    let trial = first + i as u64;
                    if capped.load(relaxed) != u64::MAX {
                        return Vec::new();
                    }
                    converted.clear();
                    if let Some(c) = &campaign {
                        super::cascade::run_trial_general(c, w, trial);
                        converted.extend_from_slice(w.converted());
                    }
                    delays
                        .iter()
                        .map(|&d| {
                            let o = run_crisis_trial(spec, d, cw, trial);
                            if cw.capped {
                                capped.fetch_min(trial, relaxed);
                            }
                            let conversions_lost =
                                converted.iter().map(|&v| harm.of(cw.state(v))).sum();
                            let mut purchases_lost = 0.0;
                            let mut by_seg = vec![0u32; nseg];
                            for (v, s) in cw.final_states() {
                                let sg = segs[v as usize] as usize;
                                purchases_lost +=
                                    harm.base_purchase.get(sg).copied().unwrap_or(0.0) * harm.of(s);
                                if s == State::Believer {
                                    by_seg[sg] += 1;
                                }
                            }
                            (
                                o,
                                Damage {
                                    conversions_lost,
                                    purchases_lost,
                                },
                                cw.per_step().to_vec(),
                                by_seg,
                                cw.correction_seeds_by_role().to_vec(),
                            )
                        })
                        .collect()
                },
            )
            .collect()
    });
    let cut = capped.into_inner();
    if cut != u64::MAX {
        return Err(crate::error::Error::param(
            "horizon",
            format!(
                "crisis trial {cut} still had people due to share at step {}, the most steps a cascade may take without a horizon; set horizon = N (1 to {}) to stop cascades at step N",
                super::MAX_STEPS,
                super::MAX_STEPS
            ),
        ));
    }
    let mut ens = CrisisEnsemble {
        runs: delays
            .iter()
            .map(|&d| CrisisRun {
                delay: d,
                step_offsets: vec![0],
                ..CrisisRun::default()
            })
            .collect(),
        segments: nseg,
        roles: nrole,
        edges_examined: 0,
    };
    for trial in rows {
        for (run, (o, dmg, steps, by_seg, by_role)) in ens.runs.iter_mut().zip(trial) {
            ens.edges_examined += o.edges_examined;
            run.outcomes.push(o);
            run.damage.push(dmg);
            run.steps.extend_from_slice(&steps);
            run.step_offsets.push(run.steps.len());
            run.believers_by_segment.extend_from_slice(&by_seg);
            run.correction_seeds_by_role.extend_from_slice(&by_role);
        }
    }
    Ok(ens)
}

/// A scenario's `[crisis]` compiled against a graph: both contents and
/// both seedings, owned, for [`CrisisSpec`] to borrow.
#[derive(Debug, Clone)]
pub struct CompiledCrisis<'g> {
    /// The claim's content.
    pub claim: CompiledContent<'g>,
    /// The claim's seeding, resolved.
    pub claim_seeding: ResolvedSeeding,
    /// The correction's content.
    pub correction: CompiledContent<'g>,
    /// The correction's channels, resolved.
    pub correction_seeding: ResolvedSeeding,
    /// The damage model.
    pub harm: Harm,
}

/// Resolves a crisis seeding plan: no plan may name a role nobody in the
/// graph holds, and the plans must fit the graph as `[seeding]`'s must.
fn resolve_crisis_seeding(
    seeding: &crate::scenario::Seeding,
    table: &str,
    g: &crate::graph::SocialGraph,
    file: &str,
) -> crate::error::Result<ResolvedSeeding> {
    let names = &g.vocabulary().roles;
    let many = seeding.plans.len() > 1;
    for (i, (_, plan)) in seeding.plans.iter().enumerate() {
        if let crate::scenario::Plan::Select {
            roles: Some(rs), ..
        } = plan
        {
            for &r in rs {
                if !g.roles().contains(&r) {
                    let key = if many {
                        format!("[{table}.seeding].plans[{i}]")
                    } else {
                        format!("[{table}.seeding]")
                    };
                    return Err(crate::error::Error::Scenario {
                        file: file.into(),
                        msg: format!(
                            "{key} names role {:?}, which nobody in the graph has; give the role to people in [audience] or drop the plan",
                            names.get(r as usize).map(String::as_str).unwrap_or("?")
                        ),
                    });
                }
            }
        }
    }
    ResolvedSeeding::resolve(seeding, g, file).map_err(|e| match e {
        crate::error::Error::Scenario { file, msg } => crate::error::Error::Scenario {
            file,
            msg: msg.replace("[seeding", &format!("[{table}.seeding")),
        },
        other => other,
    })
}

impl<'g> CompiledCrisis<'g> {
    /// Compiles `crisis` (of a scenario read from `file`) against `g`.
    ///
    /// # Errors
    /// [`crate::Error::Scenario`] naming the plan when a seeding plan does
    /// not fit the graph or names a role nobody has.
    pub fn new(
        crisis: &crate::scenario::Crisis,
        g: &'g crate::graph::SocialGraph,
        file: &str,
    ) -> crate::error::Result<Self> {
        use crate::scenario::Model;
        Ok(CompiledCrisis {
            claim: CompiledContent::new(&crisis.claim, Model::IndependentCascade, g),
            claim_seeding: resolve_crisis_seeding(&crisis.claim_seeding, "crisis.claim", g, file)?,
            correction: CompiledContent::new(&crisis.correction, Model::IndependentCascade, g),
            correction_seeding: resolve_crisis_seeding(
                &crisis.correction_seeding,
                "crisis.correction",
                g,
                file,
            )?,
            harm: Harm {
                harm: crisis.harm,
                residual_harm: crisis.residual_harm,
                base_purchase: crisis.base_purchase.clone(),
            },
        })
    }

    /// The crisis ready to run with these rules, master seed and horizon.
    pub fn spec(
        &self,
        crisis: &crate::scenario::Crisis,
        seed: u64,
        horizon: Option<u32>,
    ) -> CrisisSpec<'_> {
        CrisisSpec {
            claim: &self.claim,
            claim_seeding: &self.claim_seeding,
            correction: &self.correction,
            correction_seeding: &self.correction_seeding,
            claim_start: crisis.claim_start,
            priority: crisis.priority,
            protection: crisis.protection,
            uptake: crisis.uptake,
            seed,
            horizon,
        }
    }
}
