//! The general kernel: one independent cascade or linear-threshold trial
//! with everything the campaign model has (segments and roles tracked,
//! novelty decay, varying share delays, paid reach).

use super::Compiled;
use super::content::DelaySampler;
use super::sampling::{
    choose_seeds, choose_seeds_with, draw_from_pool, mark_reached, next_candidate, prefetch,
    trial_streams, uniform31,
};
use super::seeding::ResolvedPlan;
use super::state::{
    Engaged, NO_ARC, NO_PARENT, NO_PLAN, NOT_SHARED, TreeNote, TrialOutcome, Workspace,
};
use super::tree::structural_virality;
use super::{DENSE_PMAX31, threshold31};
use crate::graph::trust_value;
use crate::rng::{bernoulli, threshold32, unit};
use crate::scenario::Model;
use rand::Rng;

/// [`run_trial`](super::run_trial) on the general kernel, whatever the scenario. The lean
/// kernel for plain scenarios agrees with it draw for draw, so this is what
/// tests and benchmarks compare it with.
pub fn run_trial_general(c: &Compiled<'_>, ws: &mut Workspace, trial: u64) -> TrialOutcome {
    match (c.content.model, c.track_segments || c.track_roles) {
        (Model::IndependentCascade, true) => run_trial_impl::<true, false, false>(c, ws, trial),
        (Model::IndependentCascade, false) => run_trial_impl::<false, false, false>(c, ws, trial),
        (Model::LinearThreshold, true) => run_trial_impl::<true, true, false>(c, ws, trial),
        (Model::LinearThreshold, false) => run_trial_impl::<false, true, false>(c, ws, trial),
    }
}

/// [`run_trial_general`] that also notes, per engaged person, what the
/// cascade tree export needs ([`TreeNote`], left in the workspace beside
/// the engaged list): the step of engaging and of sharing, the arc or plan
/// that engaged them, conversion and earned media. Same draws, same
/// outcome; the noting is compiled out of the kernel the ensembles run.
pub(crate) fn run_trial_recorded(c: &Compiled<'_>, ws: &mut Workspace, trial: u64) -> TrialOutcome {
    match (c.content.model, c.track_segments || c.track_roles) {
        (Model::IndependentCascade, true) => run_trial_impl::<true, false, true>(c, ws, trial),
        (Model::IndependentCascade, false) => run_trial_impl::<false, false, true>(c, ws, trial),
        (Model::LinearThreshold, true) => run_trial_impl::<true, true, true>(c, ws, trial),
        (Model::LinearThreshold, false) => run_trial_impl::<false, true, true>(c, ws, trial),
    }
}

#[allow(clippy::too_many_lines)]
fn run_trial_impl<const GROUPS: bool, const LT: bool, const REC: bool>(
    c: &Compiled<'_>,
    ws: &mut Workspace,
    trial: u64,
) -> TrialOutcome {
    let g = c.graph;
    let k = c.content;
    let epoch = ws.next_epoch();
    let targets = g.targets();
    let trust = g.trust_levels();
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
    let [mut rng, mut seeding_rng, mut skip_rng] = trial_streams(c.seed, trial);

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
    // Recording: where each plan's seeds end in `seeds`.
    let mut plan_ends: Vec<usize> = Vec::new();
    if REC {
        ws.notes.clear();
        choose_seeds_with(c, ws, &mut seeding_rng, epoch, &mut seeds, |end| {
            plan_ends.push(end)
        });
    } else {
        choose_seeds(c, ws, &mut seeding_rng, epoch, &mut seeds);
    }
    let seed_conversion = threshold32(k.conversion_probability(0.0));
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
        let converted = bernoulli(&mut rng, seed_conversion);
        if converted {
            out.converted += 1;
            ws.converted.push(s);
        }
        let earned = bernoulli(&mut rng, k.ugc_threshold);
        if earned {
            out.earned_media += 1;
        }
        if REC {
            let i = idx as usize;
            ws.notes.push(TreeNote {
                step: 0,
                shared: NOT_SHARED,
                arc: NO_ARC,
                plan: plan_ends.partition_point(|&end| end <= i) as u32,
                converted,
                earned,
            });
        }
    }
    out.seeds = seeds.len() as u32;

    // Engages `v` through a tie of trust `t` (arc `arc`, or plan `plan` for
    // paid reach) from engaged entry `parent`.
    macro_rules! engage {
        ($v:expr, $t:expr, $parent:expr, $depth:expr, $step:expr, $arc:expr, $plan:expr) => {{
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
            if bernoulli(&mut rng, k.share_threshold[roles[v as usize] as usize]) {
                match k.delay {
                    DelaySampler::Fixed(1) => ws.next.push(vi),
                    ref d => {
                        let when = ($step as u32).saturating_add(d.draw(&mut rng));
                        ws.pending.push(std::cmp::Reverse((when, vi)));
                    }
                }
            }
            let converted = k.conversion > 0.0
                && bernoulli(&mut rng, threshold32(k.conversion_probability($t)));
            if converted {
                out.converted += 1;
                ws.converted.push(v);
            }
            let earned = bernoulli(&mut rng, k.ugc_threshold);
            if earned {
                out.earned_media += 1;
            }
            if REC {
                ws.notes.push(TreeNote {
                    step: $step as u32,
                    shared: NOT_SHARED,
                    arc: $arc,
                    plan: $plan,
                    converted,
                    earned,
                });
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
    for (plan_index, plan) in c.seeding.plans.iter().enumerate() {
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
                &mut seeding_rng,
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
                    let f = (bt as f64 * (1.0 + k.endorsement * bt as f64)) as f32;
                    ws.threshold[v as usize] = theta;
                    ws.influence[v as usize] = f;
                    if f as f64 >= theta as f64 * (1.0 - k.sticky_of(v).min(1.0)) {
                        1.0
                    } else {
                        0.0
                    }
                } else {
                    crate::engine::engage_probability(k.sticky_of(v), k.endorsement, bt as f64)
                };
                if bernoulli(&mut rng, threshold32(p)) {
                    engage!(v, bt, NO_PARENT, 1, 0u32, NO_ARC, plan_index as u32);
                }
            }
            ws.marks_u32 = picked;
        }
    }

    let mut step: u32 = 0;
    let mut best_new = 0u32;
    let fixed = !k.accept.is_empty();
    let mut last_share_step = 0u32;

    // Without seeds, paid people who engaged at step 0 still share later:
    // step 0 then runs with nobody sharing, so its reach is counted and
    // the people it queued share at their steps.
    while (!ws.frontier.is_empty() || (step == 0 && !(ws.next.is_empty() && ws.pending.is_empty())))
        && step < c.horizon
    {
        last_share_step = step;
        let novelty = k
            .half_life
            .map(|h| 0.5f64.powf(step as f64 / h))
            .unwrap_or(1.0);
        let new_shared = ws.frontier.len() as u32;
        let nfront = ws.frontier.len();
        // Software pipeline: the sharer two ahead has its record fetched,
        // the next one its first arcs, while this one is processed.
        for fi in 0..nfront.min(2) {
            prefetch(&k.nodes[ws.engaged[ws.frontier[fi] as usize].node as usize]);
        }
        for fi in 0..nfront {
            if fi + 2 < nfront {
                prefetch(&k.nodes[ws.engaged[ws.frontier[fi + 2] as usize].node as usize]);
            }
            if fi + 1 < nfront {
                let r1 = &k.nodes[ws.engaged[ws.frontier[fi + 1] as usize].node as usize];
                if let Some(t) = targets.get(r1.start as usize) {
                    prefetch(t);
                }
                if let Some(t) = k.accept.get(r1.start as usize) {
                    prefetch(t);
                }
            }
            let ui = ws.frontier[fi];
            if REC {
                ws.notes[ui as usize].shared = step;
            }
            let Engaged {
                node: u, depth: du, ..
            } = ws.engaged[ui as usize];
            let rec = k.nodes[u as usize];
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
                    let f = ws.influence[v as usize] + k.lt_weight[a];
                    ws.influence[v as usize] = f;
                    let bar = ws.threshold[v as usize] as f64
                        * (1.0 - (k.sticky_of(v) * novelty).min(1.0));
                    if f as f64 >= bar {
                        engage!(
                            v,
                            trust_value(trust[a]),
                            ui,
                            du + 1,
                            step,
                            a as u64,
                            NO_PLAN
                        );
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
                    match next_candidate(&mut skip_rng, rec.skip_scale, a, hi) {
                        Some(next) => a = next,
                        None => break,
                    }
                }
                // One acceptance draw per candidate, whatever its state, so
                // the draws do not depend on the order of decisions.
                let r = uniform31(rng.next_u64());
                let v = targets[a];
                if ws.stamps[v as usize][1] != epoch {
                    // Threshold of the arc relative to this draw.
                    let t = if fixed {
                        let ratio = k.accept[a];
                        if dense {
                            ((ratio as u64 * pmax31 as u64) >> 31) as u32
                        } else {
                            ratio
                        }
                    } else {
                        let p = crate::engine::engage_probability(
                            k.sticky_of(v) * novelty,
                            k.endorsement,
                            trust_value(trust[a]) as f64,
                        );
                        if dense {
                            threshold31(p)
                        } else {
                            threshold31(p / k.pmax_of(u))
                        }
                    };
                    // t ≤ 2^31 and r < 2^31, so t = 2^31 always accepts.
                    if r < t {
                        engage!(
                            v,
                            trust_value(trust[a]),
                            ui,
                            du + 1,
                            step,
                            a as u64,
                            NO_PLAN
                        );
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
    ws.capped = c.capped && step >= c.horizon && !ws.frontier.is_empty();
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
