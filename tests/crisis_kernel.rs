//! The crisis kernel against its model: closed forms on a path and a star
//! (stickiness 1, every delay and priority), "never" equals a plain
//! cascade of the claim trial for trial, paired monotonicity under common
//! random numbers, and the competitive-cascade special case against an
//! independent simulation written here.

use std::path::Path;
use viralsim::engine::Workspace;
use viralsim::engine::cascade::run_trial_general;
use viralsim::engine::crisis::{
    CompiledCrisis, CrisisOutcome, CrisisWorkspace, State, run_crisis, run_crisis_trial,
};
use viralsim::graph::{SocialGraph, Vocabulary};
use viralsim::scenario::Scenario;

/// A scenario whose `[crisis]` table is `crisis` (the graph is given apart).
fn scenario(graph: &str, crisis: &str) -> Scenario {
    let text = format!(
        r#"
name = "crisis_test"
seed = 7
trials = 10
{graph}

[content]
stickiness = 0.1

[seeding]
strategy = "random"
count = 1

{crisis}
"#
    );
    Scenario::from_toml(&text, "crisis_test.toml", Path::new("."), "crisis_test")
        .expect("test scenario is valid")
}

const TINY: &str = r#"[graph]
kind = "erdos_renyi"
nodes = 2
mean_degree = 0.0"#;

/// A crisis with stickiness-1 contents, explicit seeds and these rules.
fn exact_crisis(claim_seed: u32, corr_seed: u32, delay: &str, rules: &str) -> String {
    format!(
        r#"[crisis]
{rules}
[crisis.claim]
start = 0
[crisis.claim.content]
stickiness = 1.0
[crisis.claim.seeding]
strategy = "explicit"
nodes = [{claim_seed}]
[crisis.correction]
response_delay = {delay}
[crisis.correction.content]
stickiness = 1.0
[crisis.correction.seeding]
strategy = "explicit"
nodes = [{corr_seed}]
"#
    )
}

fn graph(n: usize, arcs: &[(u32, u32)]) -> SocialGraph {
    let arcs = arcs.iter().map(|&(u, v)| (u, v, 0.5f32, 0u8)).collect();
    SocialGraph::from_arcs(n, arcs, vec![0; n], vec![0; n], Vocabulary::default())
        .expect("valid test graph")
}

/// Undirected path 0 — 1 — … — n−1.
fn path(n: u32) -> SocialGraph {
    let arcs: Vec<_> = (1..n).flat_map(|k| [(k - 1, k), (k, k - 1)]).collect();
    graph(n as usize, &arcs)
}

/// Undirected star, centre 0, leaves 1..=leaves.
fn star(leaves: u32) -> SocialGraph {
    let arcs: Vec<_> = (1..=leaves).flat_map(|k| [(0, k), (k, 0)]).collect();
    graph(leaves as usize + 1, &arcs)
}

/// Runs trial `trial` of the scenario's crisis on `g` with its first delay.
fn one(s: &Scenario, g: &SocialGraph, trial: u64) -> (CrisisOutcome, Vec<State>) {
    let c = s.crisis.as_ref().expect("a crisis");
    let cc = CompiledCrisis::new(c, g, &s.file).expect("crisis fits the graph");
    let spec = cc.spec(c, s.seed, s.horizon);
    let mut ws = CrisisWorkspace::new(g.node_count());
    let o = run_crisis_trial(&spec, c.response_delays[0], &mut ws, trial);
    let states = (0..g.node_count() as u32).map(|v| ws.state(v)).collect();
    (o, states)
}

/// (believers, protected, corrected) of one trial.
fn bpc(o: &CrisisOutcome) -> (u32, u32, u32) {
    (o.believers, o.protected, o.corrected)
}

/// Path of 7, claim at 0, correction at 6, protection 1, uptake 0: the
/// claim reaches k at step k−1 and the correction k at step d+5−k, so k
/// believes when 2k < d + 6, is a tie when 2k = d + 6; with d ≥ 6 the
/// correction's seed already believes and is corrected.
#[test]
fn path_closed_forms_for_delays_and_priorities() {
    let g = path(7);
    let cases: [(&str, &str, (u32, u32, u32)); 10] = [
        ("0", "correction", (3, 4, 0)),
        ("0", "claim", (4, 3, 0)),
        ("2", "correction", (4, 3, 0)),
        ("2", "claim", (5, 2, 0)),
        ("4", "correction", (5, 2, 0)),
        ("4", "claim", (6, 1, 0)),
        ("6", "correction", (6, 0, 1)),
        ("6", "claim", (6, 0, 1)),
        ("9", "claim", (6, 0, 1)),
        ("\"never\"", "correction", (7, 0, 0)),
    ];
    for (d, pr, want) in cases {
        let rules = format!("priority = \"{pr}\"\nprotection = 1.0\nuptake = 0.0");
        let s = scenario(TINY, &exact_crisis(0, 6, d, &rules));
        for trial in 0..3 {
            let (o, states) = one(&s, &g, trial);
            assert_eq!(bpc(&o), want, "delay {d}, priority {pr}");
            // The believers are a prefix of the path, the protected a suffix.
            let b = want.0 as usize;
            assert!(states[..b.min(6)].iter().all(|&x| x == State::Believer));
            assert_eq!(o.peak_believers, want.0 + want.2, "delay {d}, {pr}");
        }
    }
}

/// With uptake 1 the correction, once it reaches a believer, corrects the
/// whole believing prefix behind it.
#[test]
fn path_closed_forms_with_full_uptake() {
    let g = path(7);
    let cases: [(&str, &str, (u32, u32, u32)); 4] = [
        ("0", "claim", (0, 3, 4)), // the tie at 3 believes, is corrected, corrects 0..2
        ("0", "correction", (0, 4, 3)), // the tie at 3 is protected and corrects 0..2
        ("6", "correction", (0, 0, 7)), // the seed at 6 believes: everyone is corrected
        ("2", "claim", (0, 2, 5)),
    ];
    for (d, pr, want) in cases {
        let rules = format!("priority = \"{pr}\"\nprotection = 1.0\nuptake = 1.0");
        let s = scenario(TINY, &exact_crisis(0, 6, d, &rules));
        let (o, _) = one(&s, &g, 0);
        assert_eq!(bpc(&o), want, "delay {d}, priority {pr}, uptake 1");
        assert_eq!(o.ever_believed, want.0 + want.2, "delay {d}, {pr}");
    }
}

/// Delay, priority, uptake and the expected (believers, protected, corrected).
type StarCase = (&'static str, &'static str, f64, (u32, u32, u32));

/// Star of 6 leaves, claim at leaf 1, correction at leaf 2.
#[test]
fn star_closed_forms() {
    let g = star(6);
    let cases: [StarCase; 6] = [
        // Both reach the centre at step 0: the priority decides it, and the
        // centre takes every unaware leaf with it.
        ("0", "correction", 0.0, (1, 6, 0)),
        ("0", "claim", 0.0, (6, 1, 0)),
        // The claim takes the centre first; the correction's seed is protected.
        ("1", "correction", 0.0, (6, 1, 0)),
        ("1", "claim", 1.0, (0, 1, 6)),
        ("\"never\"", "claim", 1.0, (7, 0, 0)),
        // The claim has taken everyone when the correction's seed believes.
        ("2", "correction", 1.0, (0, 0, 7)),
    ];
    for (d, pr, up, want) in cases {
        let rules = format!("priority = \"{pr}\"\nprotection = 1.0\nuptake = {up:?}");
        let s = scenario(TINY, &exact_crisis(1, 2, d, &rules));
        let (o, _) = one(&s, &g, 0);
        assert_eq!(bpc(&o), want, "star: delay {d}, priority {pr}, uptake {up}");
    }
}

/// Random priority on the path's tie: the tie at 3 believes in about half
/// of the trials and nothing else varies.
#[test]
fn random_priority_is_a_fair_coin_at_ties() {
    let g = path(7);
    let rules = "priority = \"random\"\nprotection = 1.0\nuptake = 0.0";
    let s = scenario(TINY, &exact_crisis(0, 6, "0", rules));
    let n = 4000;
    let mut claim_won = 0;
    for trial in 0..n {
        let (o, _) = one(&s, &g, trial);
        match bpc(&o) {
            (4, 3, 0) => claim_won += 1,
            (3, 4, 0) => {}
            other => panic!("trial {trial}: {other:?} is neither outcome of the tie"),
        }
    }
    let p = claim_won as f64 / n as f64;
    let z = (p - 0.5) / (0.25 / n as f64).sqrt();
    assert!(z.abs() < 4.0, "the claim won {p} of the ties (z = {z:.2})");
}

const ER: &str = r#"[graph]
kind = "erdos_renyi"
nodes = 400
mean_degree = 6
directed = true"#;

fn random_crisis(delay: &str, rules: &str, claim_extra: &str) -> String {
    format!(
        r#"[crisis]
{rules}
[crisis.claim]
start = 1
[crisis.claim.content]
stickiness = 0.3
shareability = 0.8
endorsement = 1.0
{claim_extra}
[crisis.claim.seeding]
strategy = "random"
count = 2
[crisis.correction]
response_delay = {delay}
[crisis.correction.content]
stickiness = 0.35
shareability = 0.9
[crisis.correction.seeding]
plans = [{{ strategy = "random", count = 3 }}, {{ strategy = "paid_reach", impressions = 20, brand_trust = 0.4 }}]
"#
    )
}

/// With the correction never starting, every trial's believers are the
/// people a plain cascade of the claim (its content, seeding and derived
/// seed) engages — for fixed and varying share delays and novelty decay.
#[test]
fn never_equals_a_plain_cascade_of_the_claim_trial_for_trial() {
    for extra in [
        "",
        "novelty_half_life = 2.0",
        "share_delay = { distribution = \"geometric\", p = 0.5 }",
    ] {
        let s = scenario(
            ER,
            &random_crisis("\"never\"", "priority = \"random\"", extra),
        );
        let g = s.build_graph().expect("graph");
        let c = s.crisis.as_ref().expect("crisis");
        let cc = CompiledCrisis::new(c, &g, &s.file).expect("fits");
        let spec = cc.spec(c, s.seed, s.horizon);
        let plain = spec.claim_cascade();
        let mut ws = CrisisWorkspace::new(g.node_count());
        let mut pws = Workspace::new(g.node_count());
        let mut total = 0;
        for trial in 0..300 {
            let o = run_crisis_trial(&spec, None, &mut ws, trial);
            let p = run_trial_general(&plain, &mut pws, trial);
            assert_eq!(o.believers, p.engaged, "{extra:?}: trial {trial}");
            assert_eq!(o.claim_reached, p.reached, "{extra:?}: trial {trial}");
            assert_eq!((o.protected, o.corrected), (0, 0));
            total += o.believers;
        }
        assert!(total > 300 * 5, "{extra:?}: the claim spreads ({total})");
    }
}

/// Mean of a per-trial quantity over a run's trials, and the paired
/// difference's mean and standard error against another run.
fn paired(a: &[f64], b: &[f64]) -> (f64, f64) {
    let n = a.len() as f64;
    let d: Vec<f64> = a.iter().zip(b).map(|(x, y)| x - y).collect();
    let m = d.iter().sum::<f64>() / n;
    let v = d.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (v / n).sqrt())
}

/// Runs the crisis of `rules` for `delays` and returns believers and
/// revenue-free losses (purchases lost) per delay.
fn believers_and_losses(rules: &str, delays: &str, trials: u64) -> Vec<(Vec<f64>, Vec<f64>)> {
    let s = scenario(ER, &random_crisis(delays, rules, ""));
    let g = s.build_graph().expect("graph");
    let c = s.crisis.as_ref().expect("crisis");
    let cc = CompiledCrisis::new(c, &g, &s.file).expect("fits");
    let spec = cc.spec(c, s.seed, s.horizon);
    let ens = run_crisis(&spec, &c.response_delays, None, &cc.harm, 0, trials, 2).expect("runs");
    ens.runs
        .iter()
        .map(|r| {
            (
                r.outcomes
                    .iter()
                    .map(|o| (o.believers + o.corrected) as f64)
                    .collect(),
                r.damage.iter().map(|d| d.purchases_lost).collect(),
            )
        })
        .collect()
}

const DAMAGE: &str =
    "harm = 0.6\nresidual_harm = 0.2\nbase_purchase = 0.3\nprotection = 0.8\nuptake = 0.5";

/// A longer delay never lowers expected believers or losses (paired, z
/// allowing 4 standard errors), and the effect is resolved.
#[test]
fn longer_delays_never_help() {
    let runs = believers_and_losses(DAMAGE, "[0, 1, 3, 6, \"never\"]", 3000);
    for w in runs.windows(2) {
        for (k, what) in [(0, "ever believed"), (1, "purchases lost")] {
            let (a, b) = if k == 0 {
                (&w[1].0, &w[0].0)
            } else {
                (&w[1].1, &w[0].1)
            };
            let (m, se) = paired(a, b);
            assert!(
                m > -4.0 * se,
                "{what}: a longer delay lowers it by {m} ± {se}"
            );
        }
    }
    let (m, se) = paired(&runs[4].1, &runs[0].1);
    assert!(
        m > 10.0 * se,
        "answering at once saves {m} ± {se} purchases"
    );
}

/// Higher protection or uptake never raises believers or losses.
#[test]
fn protection_and_uptake_never_hurt() {
    for (lo, hi) in [
        (
            "protection = 0.2\nuptake = 0.5",
            "protection = 0.9\nuptake = 0.5",
        ),
        (
            "protection = 0.8\nuptake = 0.1",
            "protection = 0.8\nuptake = 0.9",
        ),
    ] {
        let common = "harm = 0.6\nresidual_harm = 0.2\nbase_purchase = 0.3";
        let a = believers_and_losses(&format!("{common}\n{lo}"), "2", 3000);
        let b = believers_and_losses(&format!("{common}\n{hi}"), "2", 3000);
        let (m, se) = paired(&b[0].1, &a[0].1);
        assert!(
            m < 4.0 * se,
            "{hi:?} raises losses over {lo:?} by {m} ± {se}"
        );
        assert!(m < -4.0 * se, "{hi:?} should lower losses: {m} ± {se}");
    }
}

/// harm = 0 loses nothing; residual_harm = harm makes the correction
/// worthless for those who believed (losses equal those of harm on
/// everyone who ever believed).
#[test]
fn harm_limits() {
    let zero = believers_and_losses(
        "harm = 0.0\nresidual_harm = 0.0\nbase_purchase = 0.5",
        "[0, \"never\"]",
        200,
    );
    assert!(zero.iter().all(|r| r.1.iter().all(|&x| x == 0.0)));
    let same = believers_and_losses(
        "harm = 0.4\nresidual_harm = 0.4\nbase_purchase = 0.5\nuptake = 1.0",
        "[0]",
        200,
    );
    for (ever, lost) in same[0].0.iter().zip(&same[0].1) {
        assert!((lost - ever * 0.4 * 0.5).abs() < 1e-9, "{lost} vs {ever}");
    }
}

/// The campaign-oblivious competitive independent cascade (protection 1,
/// uptake 0, correction priority, equal start) against an independent
/// simulation: synchronous rounds, every live arc of a new adopter tried
/// once, the correction winning same-round ties, on a small random graph.
#[test]
fn competitive_cascade_agrees_with_an_independent_simulation() {
    use rand::{Rng, RngExt, SeedableRng};
    // A small graph: 40 people, each tied to 4 random others (both ways).
    let n = 40u32;
    let mut r = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(99);
    let mut arcs = Vec::new();
    for u in 0..n {
        for _ in 0..2 {
            let v = (r.next_u64() % n as u64) as u32;
            if v != u && !arcs.contains(&(u, v)) {
                arcs.push((u, v));
                arcs.push((v, u));
            }
        }
    }
    let g = graph(n as usize, &arcs);
    let p = 0.35;
    let text = format!(
        r#"[crisis]
priority = "correction"
protection = 1.0
uptake = 0.0
[crisis.claim]
[crisis.claim.content]
stickiness = {p}
[crisis.claim.seeding]
strategy = "explicit"
nodes = [0, 1]
[crisis.correction]
response_delay = 0
[crisis.correction.content]
stickiness = {p}
[crisis.correction.seeding]
strategy = "explicit"
nodes = [20]
"#
    );
    let s = scenario(TINY, &text);
    let c = s.crisis.as_ref().expect("crisis");
    let cc = CompiledCrisis::new(c, &g, &s.file).expect("fits");
    let spec = cc.spec(c, s.seed, s.horizon);
    let trials = 20_000u64;
    let ens = run_crisis(&spec, &c.response_delays, None, &cc.harm, 0, trials, 2).expect("runs");
    let ours: Vec<f64> = ens.runs[0]
        .outcomes
        .iter()
        .map(|o| o.believers as f64)
        .collect();
    let ours_prot: Vec<f64> = ens.runs[0]
        .outcomes
        .iter()
        .map(|o| o.protected as f64)
        .collect();

    // The independent simulation.
    let mut out = vec![Vec::new(); n as usize];
    for &(u, v) in &arcs {
        out[u as usize].push(v);
    }
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(12345);
    let (mut theirs, mut theirs_prot) = (Vec::new(), Vec::new());
    for _ in 0..trials {
        // 0 unaware, 1 claim, 2 correction.
        let mut st = vec![0u8; n as usize];
        let (mut fc, mut fr) = (vec![0u32, 1], vec![20u32]);
        st[0] = 1;
        st[1] = 1;
        st[20] = 2;
        while !fc.is_empty() || !fr.is_empty() {
            let mut hit = vec![0u8; n as usize]; // bit 1 claim, bit 2 correction
            for (front, bit) in [(&fc, 1u8), (&fr, 2u8)] {
                for &u in front {
                    for &v in &out[u as usize] {
                        if st[v as usize] == 0 && rng.random::<f64>() < p {
                            hit[v as usize] |= bit;
                        }
                    }
                }
            }
            let (mut nc, mut nr) = (Vec::new(), Vec::new());
            for v in 0..n as usize {
                if hit[v] & 2 != 0 {
                    st[v] = 2;
                    nr.push(v as u32);
                } else if hit[v] & 1 != 0 {
                    st[v] = 1;
                    nc.push(v as u32);
                }
            }
            fc = nc;
            fr = nr;
        }
        theirs.push(st.iter().filter(|&&x| x == 1).count() as f64);
        theirs_prot.push(st.iter().filter(|&&x| x == 2).count() as f64);
    }
    for (what, a, b) in [
        ("believers", &ours, &theirs),
        ("protected", &ours_prot, &theirs_prot),
    ] {
        let mean = |x: &[f64]| x.iter().sum::<f64>() / x.len() as f64;
        let var = |x: &[f64]| {
            let m = mean(x);
            x.iter().map(|y| (y - m).powi(2)).sum::<f64>() / (x.len() as f64 - 1.0)
        };
        let se = ((var(a) + var(b)) / trials as f64).sqrt();
        let z = (mean(a) - mean(b)) / se;
        assert!(
            z.abs() < 4.0,
            "{what}: kernel {} vs independent {} (z = {z:.2})",
            mean(a),
            mean(b)
        );
        assert!(se < 0.05 * mean(b), "{what}: too few trials to resolve");
    }
}
