//! The independent cascade for plain scenarios: one segment and one role
//! tracked, no novelty decay, shares one step after engaging, no paid reach.
//! That is the textbook cascade with trust-weighted endorsement, the case
//! researchers sweep by the million, so it has its own lean loop.
//!
//! It makes exactly the random draws of the general kernel
//! ([`super::cascade`]) in the same order, so both give the same outcome for
//! the same trial (a test holds them to it); it only leaves out the
//! bookkeeping a plain scenario does not need: depth is the step of the last
//! engagement, the frontier is a list of engaged entries, and the cascade
//! tree is kept as one parent index per engaged person.

use super::sampling::{
    choose_seeds, mark_reached, next_candidate, prefetch, trial_streams, uniform31,
};
use super::state::{NO_PARENT, TrialOutcome, Workspace};
use super::tree::structural_virality;
use super::{Compiled, DENSE_PMAX31};
use crate::graph::trust_value;
use crate::rng::{bernoulli, threshold32};
use rand::Rng;

/// How many sharers ahead the per-person record is prefetched.
const RECORD_AHEAD: usize = 8;
/// How many sharers ahead the first arcs and acceptances are prefetched
/// (chosen by measurement; see benches/README.md).
const ARCS_AHEAD: usize = 3;

/// Runs trial `trial` of a plain scenario (see the module docs); the
/// per-step counts are left in the workspace.
pub(crate) fn run_trial_plain(c: &Compiled<'_>, ws: &mut Workspace, trial: u64) -> TrialOutcome {
    let g = c.graph;
    let k = c.content;
    let epoch = ws.next_epoch();
    let targets = g.targets();
    let trust = g.trust_levels();
    let nodes = &k.nodes[..];
    let accept = &k.accept[..];
    let [mut rng, mut seeding_rng, mut skip_rng] = trial_streams(c.seed, trial);
    ws.start_trial();
    let mut seeds = std::mem::take(&mut ws.seeds);
    choose_seeds(c, ws, &mut seeding_rng, epoch, &mut seeds);

    let mut out = TrialOutcome {
        seeds: seeds.len() as u32,
        ..TrialOutcome::default()
    };
    let seed_conversion = threshold32(k.conversion_probability(0.0));
    let share_t = k.share_threshold[0];
    let ugc_t = k.ugc_threshold;
    let converts = k.conversion > 0.0;
    for &s in &seeds {
        ws.frontier.push(ws.eng_node.len() as u32);
        ws.eng_node.push(s);
        ws.eng_parent.push(NO_PARENT);
        if bernoulli(&mut rng, seed_conversion) {
            out.converted += 1;
        }
        if bernoulli(&mut rng, ugc_t) {
            out.earned_media += 1;
        }
    }

    let Workspace {
        stamps,
        frontier,
        next,
        per_step,
        eng_node,
        eng_parent,
        ..
    } = ws;
    let stamps: &mut [[u16; 2]] = stamps;
    let mut new_reached = seeds.len() as u32;
    let mut edges = 0u64;
    let mut step: u32 = 0;
    let mut best_new = 0u32;
    let mut last_share_step = 0u32;
    let mut last_engage_step = None;

    // Engages `v` through arc `a` from engaged entry `ui`, with the general
    // kernel's draws in its order: share, conversion, earned media.
    macro_rules! engage {
        ($v:expr, $a:expr, $ui:expr, $new_engaged:ident) => {{
            let v: u32 = $v;
            stamps[v as usize][1] = epoch;
            $new_engaged += 1;
            let vi = eng_node.len() as u32;
            eng_node.push(v);
            eng_parent.push($ui);
            if bernoulli(&mut rng, share_t) {
                next.push(vi);
            }
            if converts
                && bernoulli(
                    &mut rng,
                    threshold32(k.conversion_probability(trust_value(trust[$a]))),
                )
            {
                out.converted += 1;
            }
            if bernoulli(&mut rng, ugc_t) {
                out.earned_media += 1;
            }
        }};
    }

    while !frontier.is_empty() && step < c.horizon {
        last_share_step = step;
        let mut new_engaged = 0u32;
        let nfront = frontier.len();
        for fi in 0..nfront.min(RECORD_AHEAD) {
            prefetch(&nodes[eng_node[frontier[fi] as usize] as usize]);
        }
        for fi in 0..nfront {
            // The record of the sharer RECORD_AHEAD on, and the first arcs
            // of the one ARCS_AHEAD on (its record was fetched earlier).
            if let Some(&ahead) = frontier.get(fi + RECORD_AHEAD) {
                prefetch(&nodes[eng_node[ahead as usize] as usize]);
            }
            if let Some(&nx) = frontier.get(fi + ARCS_AHEAD) {
                let start = nodes[eng_node[nx as usize] as usize].start as usize;
                if let Some(t) = targets.get(start) {
                    prefetch(t);
                }
                if let Some(t) = accept.get(start) {
                    prefetch(t);
                }
            }
            let ui = frontier[fi];
            let rec = nodes[eng_node[ui as usize] as usize];
            let lo = rec.start as usize;
            let hi = lo + rec.degree as usize;
            edges += rec.degree as u64;

            // The first candidate arc of a skipping sharer is drawn now (the
            // skips have their own stream, so this changes no draw) and its
            // acceptance threshold fetched while the reach pass runs.
            let pmax31 = rec.pmax31;
            let sparse = pmax31 != 0 && pmax31 < DENSE_PMAX31;
            let mut cand = if sparse {
                next_candidate(&mut skip_rng, rec.skip_scale, lo, hi)
            } else {
                None
            };
            if let Some(a) = cand {
                prefetch(&accept[a]);
            }

            // 1. Everyone tied to the sharer is reached.
            new_reached += mark_reached(stamps, &targets[lo..hi], epoch);

            // 2. Engagement among them.
            if pmax31 == 0 {
                continue;
            }
            if pmax31 >= DENSE_PMAX31 {
                // One draw per arc against p_arc = accept · p_max.
                for a in lo..hi {
                    let r = uniform31(rng.next_u64());
                    let v = targets[a];
                    if stamps[v as usize][1] != epoch {
                        let t = ((accept[a] as u64 * pmax31 as u64) >> 31) as u32;
                        if r < t {
                            engage!(v, a, ui, new_engaged);
                        }
                    }
                }
            } else {
                // Geometric skips at p_max, each candidate kept with
                // probability p_arc / p_max.
                // Each candidate's successor is drawn before it is judged, so
                // that the successor's threshold is on its way meanwhile.
                while let Some(a) = cand {
                    cand = if a + 1 < hi {
                        next_candidate(&mut skip_rng, rec.skip_scale, a + 1, hi)
                    } else {
                        None
                    };
                    if let Some(b) = cand {
                        prefetch(&accept[b]);
                    }
                    let r = uniform31(rng.next_u64());
                    let v = targets[a];
                    // accept ≤ 2^31 and r < 2^31: accept = 2^31 always accepts.
                    if stamps[v as usize][1] != epoch && r < accept[a] {
                        engage!(v, a, ui, new_engaged);
                    }
                }
            }
        }
        let seeds_now = if step == 0 { seeds.len() as u32 } else { 0 };
        per_step.push([new_reached, new_engaged + seeds_now, nfront as u32]);
        if new_engaged > 0 {
            last_engage_step = Some(step);
        }
        if new_engaged > best_new {
            best_new = new_engaged;
            out.peak_step = step;
        }
        out.shared += nfront as u32;
        out.reached += new_reached;
        new_reached = 0;
        frontier.clear();
        std::mem::swap(frontier, next);
        step += 1;
    }
    let capped = c.capped && step >= c.horizon && !frontier.is_empty();
    out.engaged = eng_node.len() as u32;
    out.steps = if eng_node.is_empty() {
        0
    } else {
        last_share_step + 1
    };
    per_step.truncate(out.steps as usize);
    // Everyone engaged at step t has depth t + 1 (seeds 0).
    out.depth = last_engage_step.map_or(0, |t| t + 1);
    out.structural_virality = structural_virality(eng_parent, &mut ws.size, &mut ws.root);
    ws.edges_examined = edges;
    ws.capped = capped;
    ws.seeds = seeds;
    out
}

#[cfg(test)]
mod tests {
    use super::super::cascade::run_trial_general;
    use super::*;
    use crate::graph::{SocialGraph, Vocabulary};
    use crate::rng::mix64;
    use crate::scenario::Scenario;
    use std::path::Path;

    /// A directed graph with skewed degrees (targets drawn from a squared
    /// uniform, so low ids are hubs) and varied trust, duplicates removed.
    fn skewed_graph(n: u32, arcs: usize) -> SocialGraph {
        let mut list = Vec::with_capacity(arcs);
        for k in 0..arcs as u64 {
            let r = mix64(k);
            let u = ((r >> 40) % n as u64) as u32;
            let x = (r & 0xFFFF_FFFF) as f64 / 4_294_967_296.0;
            let v = ((x * x) * n as f64) as u32;
            if u != v {
                let trust = ((r >> 20) & 0xFFFFF) as f32 / 1_048_575.0;
                list.push((u, v, trust, 0u8));
            }
        }
        list.sort_by_key(|a| (a.0, a.1));
        list.dedup_by_key(|a| (a.0, a.1));
        let n = n as usize;
        SocialGraph::from_arcs(n, list, vec![0; n], vec![0; n], Vocabulary::default())
            .expect("valid graph")
    }

    fn scenario(content: &str, seeding: &str, horizon: &str) -> Scenario {
        let text = format!(
            "name = \"eq\"\nseed = 7\ntrials = 10\n{horizon}\n[graph]\nkind = \"erdos_renyi\"\n\
             nodes = 2\nmean_degree = 0.0\n[content]\n{content}\n[seeding]\n{seeding}\n"
        );
        Scenario::from_toml(&text, "eq.toml", Path::new("."), "eq").expect("valid scenario")
    }

    /// The plain kernel and the general one agree trial by trial, outcome
    /// and per-step counts, in the sparse (skip) and dense (per-arc)
    /// regimes, with every draw the plain kernel keeps (shares, conversions,
    /// earned media, random seeds) and a horizon.
    #[test]
    fn plain_kernel_matches_general_kernel_draw_for_draw() {
        let g = skewed_graph(3000, 24_000);
        // (content, seeding, horizon, least mean engaged per trial)
        let cases = [
            (
                "stickiness = 0.03\nendorsement = 1.0",
                "strategy = \"explicit\"\nnodes = [0, 1, 2, 3, 4]",
                "",
                6.0,
            ),
            (
                "stickiness = 0.05\nendorsement = 2.0\nshareability = 0.7\nconversion = 0.1\nugc = 0.05",
                "strategy = \"random\"\ncount = 8",
                "",
                15.0,
            ),
            (
                "stickiness = 0.3\nendorsement = 0.5",
                "strategy = \"random\"\ncount = 3",
                "horizon = 3",
                60.0,
            ),
            (
                "stickiness = 1.0\nshareability = 0.4",
                "strategy = \"explicit\"\nnodes = [5]",
                "",
                1000.0,
            ),
            (
                "stickiness = 0.0",
                "strategy = \"explicit\"\nnodes = [0]",
                "",
                1.0,
            ),
        ];
        for (content, seeding, horizon, least) in cases {
            let s = scenario(content, seeding, horizon);
            let campaign = super::super::Campaign::new(&s, &g).expect("compiles");
            let c = campaign.compiled();
            assert!(c.plain, "{content}: expected the plain kernel");
            let mut a = Workspace::new(g.node_count());
            let mut b = Workspace::new(g.node_count());
            let mut engaged = 0u64;
            for t in 0..400 {
                let x = run_trial_plain(&c, &mut a, t);
                let y = run_trial_general(&c, &mut b, t);
                assert_eq!(x, y, "{content}: trial {t}");
                assert_eq!(a.per_step(), b.per_step(), "{content}: trial {t} steps");
                assert_eq!(a.edges_examined, b.edges_examined);
                engaged += x.engaged as u64;
            }
            // The cases exercise real cascades, not only their seeds.
            let mean = engaged as f64 / 400.0;
            assert!(mean >= least, "{content}: mean engaged {mean} < {least}");
        }
    }
}
