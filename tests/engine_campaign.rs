//! The campaign engine against exact or closed-form expectations: sharing
//! delays, paid reach, role-based and combined seeding plans, per-role
//! content multipliers, the linear threshold model, and thread-count
//! independence with every random feature on.
//!
//! Statistical checks allow 4 standard errors (seeds are fixed, so results
//! are reproducible) and check that the standard error is small next to the
//! effect guarded.

use std::path::Path;
use viralsim::engine::{Campaign, Ensemble, RunOptions, run_ensemble};
use viralsim::graph::{SocialGraph, Vocabulary};
use viralsim::scenario::Scenario;

/// A scenario whose `[graph]` only has to parse: the tests simulate on
/// their own graphs. `extra` holds `[audience]`, `[content]` and `[seeding]`.
fn scenario(trials: u64, top: &str, extra: &str) -> Scenario {
    let text = format!(
        "name = \"t\"\nseed = 99\ntrials = {trials}\n{top}\n[graph]\nkind = \"erdos_renyi\"\nnodes = 100\nmean_degree = 0\n{extra}\n"
    );
    Scenario::from_toml(&text, "test.toml", Path::new("."), "t").expect("test scenario parses")
}

fn graph(
    n: usize,
    arcs: &[(u32, u32, f32)],
    segment: Vec<u16>,
    role: Vec<u8>,
    vocab: Vocabulary,
) -> SocialGraph {
    let arcs = arcs.iter().map(|&(u, v, t)| (u, v, t, 0u8)).collect();
    SocialGraph::from_arcs(n, arcs, segment, role, vocab).expect("valid test graph")
}

fn path(n: u32) -> SocialGraph {
    let arcs: Vec<(u32, u32, f32)> = (0..n - 1).map(|i| (i, i + 1, 0.5)).collect();
    graph(
        n as usize,
        &arcs,
        vec![0; n as usize],
        vec![0; n as usize],
        Vocabulary::default(),
    )
}

fn run(s: &Scenario, g: &SocialGraph, threads: usize) -> Ensemble {
    let campaign = Campaign::new(s, g).expect("seeding fits");
    let c = campaign.compiled();
    run_ensemble(
        &c,
        &RunOptions {
            trials: s.trials,
            threads,
            progress: None,
            digest: 0,
        },
    )
    .expect("runs")
}

fn mean_se(xs: impl Iterator<Item = f64>) -> (f64, f64) {
    let v: Vec<f64> = xs.collect();
    let n = v.len() as f64;
    let m = v.iter().sum::<f64>() / n;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, (var / n).sqrt())
}

fn assert_close(got: (f64, f64), expected: f64, what: &str) {
    let (m, se) = got;
    assert!(
        (m - expected).abs() <= 4.0 * se + 1e-12,
        "{what}: mean {m} ± {se}, expected {expected}"
    );
}

#[test]
fn fixed_delay_stretches_a_sure_path_exactly() {
    // σ = 1 on a directed path of 6: everyone engages; with delay d the last
    // share is at step 5·d, so every trial lasts 5·d + 1 steps.
    let g = path(6);
    for d in [1u32, 3] {
        let s = scenario(
            20,
            "",
            &format!(
                "[content]\nstickiness = 1.0\nshare_delay = {{ distribution = \"fixed\", steps = {d} }}\n[seeding]\nstrategy = \"explicit\"\nnodes = [0]\n"
            ),
        );
        let e = run(&s, &g, 2);
        for (i, o) in e.outcomes.iter().enumerate() {
            assert_eq!(o.engaged, 6);
            assert_eq!(o.steps, 5 * d + 1, "delay {d}");
            let rows = e.trial_steps(i);
            assert_eq!(rows.len(), (5 * d + 1) as usize);
            // New engagements only at multiples of d (and the seed at step 0).
            for (t, row) in rows.iter().enumerate() {
                let expect = if t as u32 % d == 0 && (t as u32) < 5 * d {
                    if t == 0 { 2 } else { 1 }
                } else {
                    0
                };
                assert_eq!(row[1], expect, "delay {d}, step {t}");
            }
        }
    }
}

#[test]
fn horizon_cuts_delayed_sharing() {
    // Delay 2, horizon 5: shares at steps 0, 2, 4 only ⇒ engaged = 4 (seed + 3 hops).
    let g = path(10);
    let s = scenario(
        10,
        "horizon = 5",
        "[content]\nstickiness = 1.0\nshare_delay = { distribution = \"fixed\", steps = 2 }\n[seeding]\nstrategy = \"explicit\"\nnodes = [0]\n",
    );
    for o in run(&s, &g, 1).outcomes {
        assert_eq!(o.engaged, 4);
        assert_eq!(o.shared, 3);
    }
}

#[test]
fn geometric_delay_has_mean_one_over_p() {
    // Each of the 7 hops waits 1 + Geometric(p) failures: mean 1/p steps.
    let g = path(8);
    let p = 0.4;
    let s = scenario(
        4000,
        "",
        &format!(
            "[content]\nstickiness = 1.0\nshare_delay = {{ distribution = \"geometric\", p = {p} }}\n[seeding]\nstrategy = \"explicit\"\nnodes = [0]\n"
        ),
    );
    let e = run(&s, &g, 2);
    let got = mean_se(e.outcomes.iter().map(|o| (o.steps - 1) as f64));
    assert!(got.1 < 0.2, "stderr {} too large to test", got.1);
    assert_close(got, 7.0 / p, "last share step");
}

#[test]
fn exponential_and_lognormal_delays_are_at_least_one_step() {
    let g = path(5);
    for d in [
        "{ distribution = \"exponential\", mean = 0.3 }",
        "{ distribution = \"log_normal\", mu = -2.0, sigma = 0.5 }",
    ] {
        let s = scenario(
            200,
            "",
            &format!(
                "[content]\nstickiness = 1.0\nshare_delay = {d}\n[seeding]\nstrategy = \"explicit\"\nnodes = [0]\n"
            ),
        );
        for o in run(&s, &g, 2).outcomes {
            // Mostly 1-step delays, never 0: at least 4 hops ⇒ ≥ 5 steps.
            assert!(o.steps >= 5, "{d}: {o:?}");
            assert_eq!(o.engaged, 5);
        }
    }
}

/// 100 people: 0..50 in segment "a" with no ties, 50..100 a directed ring in segment "ring".
fn ring_world() -> SocialGraph {
    let arcs: Vec<(u32, u32, f32)> = (50..100)
        .map(|i| (i, if i == 99 { 50 } else { i + 1 }, 0.5))
        .collect();
    let segment = (0..100).map(|i| if i < 50 { 0 } else { 1 }).collect();
    let vocab = Vocabulary {
        segments: vec!["a".into(), "ring".into()],
        ..Vocabulary::default()
    };
    graph(100, &arcs, segment, vec![0; 100], vocab)
}

const RING_AUDIENCE: &str =
    "[audience]\nsegments = [{ name = \"a\", share = 0.5 }, { name = \"ring\", share = 0.5 }]\n";

#[test]
fn paid_reach_exposes_exactly_the_impressions_bought() {
    let g = ring_world();
    // σ = 0: nobody engages; reach = the seed + 10 impressions in segment a.
    let s = scenario(
        50,
        "",
        &format!(
            "{RING_AUDIENCE}[content]\nstickiness = 0.0\n[seeding]\nplans = [{{ strategy = \"explicit\", nodes = [0] }}, {{ strategy = \"paid_reach\", impressions = 10, segments = [\"a\"] }}]\n"
        ),
    );
    let e = run(&s, &g, 2);
    for o in &e.outcomes {
        assert_eq!(
            (o.seeds, o.paid_reached, o.reached, o.engaged),
            (1, 10, 11, 1)
        );
    }
    // Per-segment reach: all 11 in segment a.
    for t in 0..e.len() {
        assert_eq!(e.per_segment[t * 4], 11);
        assert_eq!(e.per_segment[t * 4 + 2], 0);
    }
    // σ = 1 and impressions in the ring: each exposed person engages and the
    // ring carries the content all the way round.
    let s = scenario(
        20,
        "",
        &format!(
            "{RING_AUDIENCE}[content]\nstickiness = 1.0\n[seeding]\nplans = [{{ strategy = \"explicit\", nodes = [0] }}, {{ strategy = \"paid_reach\", impressions = 3, segments = [\"ring\"], brand_trust = 0.2 }}]\n"
        ),
    );
    for o in run(&s, &g, 2).outcomes {
        assert_eq!((o.reached, o.engaged, o.paid_reached), (51, 51, 3));
    }
}

#[test]
fn paid_reach_engagement_follows_brand_trust() {
    // Impressions in the ring with no onward sharing (shareability 0):
    // each engages with 1 − (1 − σ)^(1 + λ·brand_trust).
    let g = ring_world();
    let (sigma, lambda, bt, k) = (0.2, 2.0, 0.5, 20.0);
    let s = scenario(
        3000,
        "",
        &format!(
            "{RING_AUDIENCE}[content]\nstickiness = {sigma}\nshareability = 0.0\nendorsement = {lambda}\n[seeding]\nplans = [{{ strategy = \"explicit\", nodes = [0] }}, {{ strategy = \"paid_reach\", impressions = {k}, segments = [\"ring\"], brand_trust = {bt} }}]\n"
        ),
    );
    let e = run(&s, &g, 2);
    let p = 1.0 - (1.0f64 - sigma).powf(1.0 + lambda * bt);
    let got = mean_se(e.outcomes.iter().map(|o| (o.engaged - 1) as f64));
    assert!(got.1 < 0.1);
    assert_close(got, k * p, "paid engagements");
}

/// 20 people, 5 bloggers (10..15), a star from 19 to everyone else.
fn blogger_world() -> SocialGraph {
    let arcs: Vec<(u32, u32, f32)> = (0..19).map(|v| (19, v, 0.5)).collect();
    let role = (0..20)
        .map(|i| if (10..15).contains(&i) { 1 } else { 0 })
        .collect();
    let vocab = Vocabulary {
        roles: vec!["public".into(), "blogger".into()],
        ..Vocabulary::default()
    };
    graph(20, &arcs, vec![0; 20], role, vocab)
}

const BLOGGERS: &str = "[[audience.roles]]\nname = \"blogger\"\ncount = 5\n";

#[test]
fn role_plans_pick_only_that_role_and_never_twice() {
    let g = blogger_world();
    let s = scenario(
        300,
        "",
        &format!(
            "{BLOGGERS}[content]\nstickiness = 0.0\n[seeding]\nstrategy = \"by_role\"\nrole = \"blogger\"\ncount = 3\npick = \"random\"\n"
        ),
    );
    let e = run(&s, &g, 2);
    assert_eq!(e.roles, 2);
    let mut picked = [0u32; 5];
    for t in 0..e.len() {
        let row = &e.per_role[t * 6..t * 6 + 6];
        assert_eq!(
            (row[2], row[5]),
            (0, 3),
            "public and blogger seeds in trial {t}"
        );
        assert_eq!(e.outcomes[t].seeds, 3);
        picked[0] += row[4];
    }
    assert_eq!(picked[0], 900);
    // Combined: an explicit blogger, then all remaining bloggers, then 2 random people.
    let s = scenario(
        100,
        "",
        &format!(
            "{BLOGGERS}[content]\nstickiness = 0.0\n[seeding]\nplans = [{{ strategy = \"explicit\", nodes = [12] }}, {{ strategy = \"by_role\", role = \"blogger\" }}, {{ strategy = \"random\", count = 2 }}]\n"
        ),
    );
    let e = run(&s, &g, 2);
    for t in 0..e.len() {
        let row = &e.per_role[t * 6..t * 6 + 6];
        assert_eq!(
            (row[2], row[5]),
            (2, 5),
            "trial {t}: 2 public + 5 bloggers, no repeats"
        );
    }
    // Asking for more bloggers than exist is an input error naming the plan.
    let s = scenario(
        1,
        "",
        &format!(
            "{BLOGGERS}[content]\nstickiness = 0.0\n[seeding]\nstrategy = \"by_role\"\nrole = \"blogger\"\ncount = 6\n"
        ),
    );
    let err = Campaign::new(&s, &g)
        .expect_err("too many bloggers")
        .to_string();
    assert!(err.contains("[seeding]") && err.contains("only 5"), "{err}");
}

#[test]
fn role_multipliers_change_who_engages_and_shares() {
    // Path 0 → 1 → 2 with person 1 a blogger, σ = 1.
    let arcs = [(0, 1, 0.5), (1, 2, 0.5)];
    let vocab = Vocabulary {
        roles: vec!["public".into(), "blogger".into()],
        ..Vocabulary::default()
    };
    let g = graph(3, &arcs, vec![0; 3], vec![0, 1, 0], vocab);
    let one = |mult: &str| {
        let s = scenario(
            20,
            "",
            &format!(
                "[[audience.roles]]\nname = \"blogger\"\ncount = 1\n[content]\nstickiness = 1.0\nroles = {{ blogger = {mult} }}\n[seeding]\nstrategy = \"explicit\"\nnodes = [0]\n"
            ),
        );
        run(&s, &g, 1)
            .outcomes
            .iter()
            .map(|o| o.engaged)
            .collect::<Vec<_>>()
    };
    assert!(
        one("{ shareability = 0.0 }").iter().all(|&e| e == 2),
        "a blogger who never shares stops the chain"
    );
    assert!(
        one("{ stickiness = 0.0 }").iter().all(|&e| e == 1),
        "a blogger who is never engaged stops it earlier"
    );
    assert!(
        one("{ stickiness = 1.0, shareability = 1.0 }")
            .iter()
            .all(|&e| e == 3)
    );
}

/// A and B both tie to C (trust 0.75 and 0.25 into C).
fn two_into_one() -> SocialGraph {
    graph(
        3,
        &[(0, 2, 0.75), (1, 2, 0.25)],
        vec![0; 3],
        vec![0; 3],
        Vocabulary::default(),
    )
}

fn lt_engaged_c(sigma: f64, lambda: f64, seed: u32, trials: u64) -> (f64, f64) {
    let s = scenario(
        trials,
        "model = \"linear_threshold\"",
        &format!(
            "[content]\nstickiness = {sigma}\nendorsement = {lambda}\n[seeding]\nstrategy = \"explicit\"\nnodes = [{seed}]\n"
        ),
    );
    let e = run(&s, &two_into_one(), 2);
    mean_se(e.outcomes.iter().map(|o| (o.engaged - 1) as f64))
}

#[test]
fn linear_threshold_matches_its_definition_on_two_in_ties() {
    // C engages iff w ≥ θ·(1 − σ), θ ~ U(0,1): probability min(1, w / (1 − σ)),
    // with w = trust share × (1 + λ·trust).
    let cases = [
        (0.0, 0.0, 0, 0.75),
        (0.0, 0.0, 1, 0.25),
        (0.5, 0.0, 1, 0.5),
        (0.0, 1.0, 1, 0.25 * 1.25),
        (0.5, 0.0, 0, 1.0),
    ];
    for (sigma, lambda, seed, p) in cases {
        let got = lt_engaged_c(sigma, lambda, seed, 20_000);
        assert!(got.1 < 0.005, "stderr too large");
        assert_close(got, p, &format!("LT σ={sigma} λ={lambda} seed={seed}"));
    }
}

#[test]
fn linear_threshold_with_equal_trust_is_one_over_in_degree() {
    // Equal trust: weights 1/in-degree = 1/2.
    let g = graph(
        3,
        &[(0, 2, 0.3), (1, 2, 0.3)],
        vec![0; 3],
        vec![0; 3],
        Vocabulary::default(),
    );
    let s = scenario(
        20_000,
        "model = \"linear_threshold\"",
        "[content]\nstickiness = 0.0\n[seeding]\nstrategy = \"explicit\"\nnodes = [0]\n",
    );
    let e = run(&s, &g, 2);
    assert_close(
        mean_se(e.outcomes.iter().map(|o| (o.engaged - 1) as f64)),
        0.5,
        "1/in-degree",
    );
    // Both in-neighbours seeded: C always engages (1/2 + 1/2 = 1 ≥ θ).
    let s = scenario(
        500,
        "model = \"linear_threshold\"",
        "[content]\nstickiness = 0.0\n[seeding]\nstrategy = \"explicit\"\nnodes = [0, 1]\n",
    );
    assert!(run(&s, &g, 2).outcomes.iter().all(|o| o.engaged == 3));
}

#[test]
fn every_random_feature_is_identical_for_any_thread_count() {
    let text = "[audience]\nsegments = [{ name = \"x\", share = 0.5 }, { name = \"y\", share = 0.5 }]\n[[audience.roles]]\nname = \"blogger\"\nshare = 0.05\n[content]\nstickiness = 0.08\nshareability = 0.7\nendorsement = 1.0\nconversion = 0.1\nugc = 0.05\nnovelty_half_life = 4.0\nroles = { blogger = { shareability = 1.4 } }\nshare_delay = { distribution = \"log_normal\", mu = 0.3, sigma = 0.6 }\n[seeding]\nplans = [{ strategy = \"by_role\", role = \"blogger\", count = 5, pick = \"random\" }, { strategy = \"random\", count = 5, segments = [\"x\"] }, { strategy = \"paid_reach\", impressions = 200, segments = [\"y\"] }]\n";
    for model in ["independent_cascade", "linear_threshold"] {
        let full = format!(
            "name = \"t\"\nseed = 5\ntrials = 400\nmodel = \"{model}\"\n[graph]\nkind = \"barabasi_albert\"\nnodes = 3000\nm = 3\n{text}"
        );
        let s = Scenario::from_toml(&full, "t.toml", Path::new("."), "t").unwrap();
        let g = s.build_graph().unwrap();
        let one = run(&s, &g, 1);
        let two = run(&s, &g, 2);
        assert_eq!(one, two, "{model}");
        assert!(
            one.outcomes.iter().any(|o| o.engaged > o.seeds),
            "{model}: something spreads"
        );
    }
}

/// The storage order chosen for locality (every scenario graph is stored
/// that way) changes no result: the same scenario run on the graph in its
/// own id order gives identical trials, step rows and breakdowns, with
/// random, by-role, explicit, top-degree and paid plans, in both models.
#[test]
fn storage_order_changes_no_result() {
    let plans = [
        "plans = [{ strategy = \"by_role\", role = \"blogger\", count = 5, pick = \"random\" }, { strategy = \"random\", count = 5, segments = [\"x\"] }, { strategy = \"paid_reach\", impressions = 200, segments = [\"y\"] }]",
        "plans = [{ strategy = \"explicit\", nodes = [17, 4, 2999] }, { strategy = \"top_degree\", count = 4 }]",
    ];
    for model in ["independent_cascade", "linear_threshold"] {
        for plan in plans {
            let full = format!(
                "name = \"t\"\nseed = 11\ntrials = 300\nmodel = \"{model}\"\n[graph]\nkind = \"barabasi_albert\"\nnodes = 3000\nm = 3\n\
                 [audience]\nsegments = [{{ name = \"x\", share = 0.5 }}, {{ name = \"y\", share = 0.5 }}]\n[[audience.roles]]\nname = \"blogger\"\nshare = 0.05\n\
                 [content]\nstickiness = 0.08\nshareability = 0.8\nendorsement = 1.0\nconversion = 0.1\nugc = 0.05\n[seeding]\n{plan}\n"
            );
            let s = Scenario::from_toml(&full, "t.toml", Path::new("."), "t").unwrap();
            let stored = s.build_graph().unwrap();
            let own =
                SocialGraph::from_petgraph(&stored.to_petgraph(), stored.vocabulary().clone())
                    .unwrap();
            assert!(
                (0..3000).any(|u| stored.own_id(u) != u),
                "the scenario graph is stored in another order"
            );
            let (a, b) = (run(&s, &stored, 2), run(&s, &own, 2));
            assert_eq!(a, b, "{model}, {plan}");
            assert!(
                a.outcomes.iter().any(|o| o.engaged > o.seeds + 5),
                "{model}: it spreads"
            );
        }
    }
}

/// `run` stores the graph in locality order only when a first batch of
/// trials shows that it pays for the rest, and either way the outcome is
/// that of simulating every trial on the graph as built: many trials of
/// wide cascades get the order, three trials do not.
#[test]
fn run_orders_the_graph_only_when_it_pays_and_changes_no_result() {
    use viralsim::export::summary_json;
    use viralsim::run::{
        RunSettings, first_batch_trials, locality_order_pays, simulate_ordering_if_it_pays,
        simulate_timed,
    };
    // The rule itself: a sixteenth of the trials first (1 to 256), then
    // ordering when edges per trial × trials left outweigh the arcs.
    assert_eq!(
        [1, 3, 20, 100, 4000, 1_000_000].map(first_batch_trials),
        [1, 1, 1, 6, 250, 256]
    );
    assert!(!locality_order_pays(1e9, 0, 10));
    assert!(!locality_order_pays(0.0, 1_000_000, 10));
    assert!(locality_order_pays(2180.0, 1_000_000, 508_837));
    assert!(!locality_order_pays(2180.0, 20, 508_837));
    for (trials, ordered) in [(4000u64, true), (3, false)] {
        let text = format!(
            "name = \"t\"\nseed = 5\ntrials = {trials}\n[graph]\nkind = \"barabasi_albert\"\nnodes = 3000\nm = 3\n\
             [audience]\nsegments = [{{ name = \"x\", share = 0.5 }}, {{ name = \"y\", share = 0.5 }}]\n[[audience.roles]]\nname = \"blogger\"\nshare = 0.05\n\
             [content]\nstickiness = 0.3\nendorsement = 1.0\nconversion = 0.1\n[seeding]\nstrategy = \"random\"\ncount = 3\n"
        );
        let s = Scenario::from_toml(&text, "t.toml", Path::new("."), "t").unwrap();
        let g = s.build_graph_in_input_order_with(None).unwrap();
        assert!(!g.is_locality_ordered());
        let set = RunSettings::default();
        let want = simulate_timed(&s, &g, &set).unwrap();
        let (got, h) = simulate_ordering_if_it_pays(&s, g, &set).unwrap();
        assert_eq!(got.context, want.context, "{trials} trials");
        let (want, want_ens, got, got_ens) =
            (want.summary, want.ensemble, got.summary, got.ensemble);
        assert_eq!(h.is_locality_ordered(), ordered, "{trials} trials");
        assert_eq!(got_ens, want_ens, "{trials} trials");
        assert_eq!(summary_json(&got), summary_json(&want), "{trials} trials");
        let engaged = want_ens
            .outcomes
            .iter()
            .map(|o| o.engaged as f64)
            .sum::<f64>();
        assert!(engaged / trials as f64 > 100.0, "wide cascades");
        assert_eq!(
            (want_ens.segments, want_ens.roles),
            (2, 2),
            "breakdowns kept"
        );
    }
}
