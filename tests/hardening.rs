//! Hardening: wrong results, crashes and misleading messages found by
//! trying viralsim as a new user would (issue 19). Each test here failed
//! before its fix.

use assert_cmd::Command;
use std::path::Path;
use viralsim::engine::Ensemble;
use viralsim::graph::SocialGraph;
use viralsim::run::{RunSettings, simulate};
use viralsim::scenario::Scenario;

fn scenario_in(dir: &Path, text: &str) -> Scenario {
    Scenario::from_toml(text, "t.toml", dir, "t").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn run(s: &Scenario) -> (SocialGraph, Ensemble) {
    let g = s.build_graph().unwrap();
    let (_, ens) = simulate(s, &g, &RunSettings::default()).unwrap_or_else(|e| panic!("{e}"));
    (g, ens)
}

/// Per-trial invariants every outcome must hold.
fn check_rows(what: &str, g: &SocialGraph, ens: &Ensemble) {
    let n = g.node_count() as u32;
    for (i, o) in ens.outcomes.iter().enumerate() {
        assert!(o.engaged <= o.reached, "{what} trial {i}: {o:?}");
        assert!(o.shared <= o.engaged, "{what} trial {i}: {o:?}");
        assert!(o.converted <= o.engaged, "{what} trial {i}: {o:?}");
        assert!(o.seeds <= o.engaged, "{what} trial {i}: {o:?}");
        assert!(o.reached <= n, "{what} trial {i}: reached {} > {n}", o.reached);
        assert!(o.seeds + o.paid_reached <= o.reached, "{what} trial {i}: {o:?}");
        let steps = ens.trial_steps(i);
        let (r, e, s) = steps.iter().fold((0, 0, 0), |a, r| (a.0 + r[0], a.1 + r[1], a.2 + r[2]));
        assert_eq!(
            (r, e, s),
            (o.reached, o.engaged, o.shared),
            "{what} trial {i}: the time series adds up to the trial's totals"
        );
    }
    let sizes = |labels: &[u8]| {
        let mut c = vec![0u32; 256];
        for &l in labels {
            c[l as usize] += 1;
        }
        c
    };
    if ens.roles > 0 {
        let size = sizes(g.roles());
        for (t, row) in ens.per_role.chunks(3 * ens.roles).enumerate() {
            for r in 0..ens.roles {
                let [reached, engaged, seeds] = [row[3 * r], row[3 * r + 1], row[3 * r + 2]];
                assert!(
                    seeds <= engaged && engaged <= reached && reached <= size[r],
                    "{what} trial {t} role {r}: reached {reached}, engaged {engaged}, seeds {seeds}, holders {}",
                    size[r]
                );
            }
        }
    }
    if ens.segments > 0 {
        let mut size = vec![0u32; ens.segments];
        for &s in g.segments() {
            size[s as usize] += 1;
        }
        for (t, row) in ens.per_segment.chunks(2 * ens.segments).enumerate() {
            for s in 0..ens.segments {
                assert!(
                    row[2 * s + 1] <= row[2 * s] && row[2 * s] <= size[s],
                    "{what} trial {t} segment {s}: {:?} of {}",
                    &row[2 * s..2 * s + 2],
                    size[s]
                );
            }
        }
    }
}

fn mean_sd(x: impl Iterator<Item = f64>) -> (f64, f64, usize) {
    let v: Vec<f64> = x.collect();
    let n = v.len();
    let m = v.iter().sum::<f64>() / n as f64;
    let var = v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n as f64 - 1.0);
    (m, var.sqrt(), n)
}

/// `pairs` disjoint ties 2i – 2i+1 of trust 1.
fn write_pairs(dir: &Path, pairs: usize) {
    let mut s = String::new();
    for i in 0..pairs {
        s.push_str(&format!("{} {} 1\n", 2 * i, 2 * i + 1));
    }
    std::fs::write(dir.join("pairs.txt"), s).unwrap();
}

/// Paid reach without seeds: everyone is reached at step 0, and the people
/// who engage share with their partner at step 1. On disjoint pairs with
/// λ = 0 the expected engaged per pair is closed-form (IC: each engages
/// with σ from the brand; a partner of a lone engager engages with σ more).
#[test]
fn paid_reach_alone_spreads_ic_and_lt() {
    let dir = tempfile::tempdir().unwrap();
    let pairs = 200;
    write_pairs(dir.path(), pairs);
    let sigma: f64 = 0.3;
    let bt: f64 = 0.5;
    for model in ["independent_cascade", "linear_threshold"] {
        let text = format!(
            "name = \"paid\"\nseed = 3\ntrials = 2000\nmodel = \"{model}\"\n\
             [graph]\nkind = \"edge_list\"\npath = \"pairs.txt\"\n\
             [content]\nstickiness = {sigma}\n\
             [seeding]\nstrategy = \"paid_reach\"\nimpressions = {}\nbrand_trust = {bt}\n",
            2 * pairs
        );
        let s = scenario_in(dir.path(), &text);
        let (g, ens) = run(&s);
        check_rows(model, &g, &ens);
        // a: engages from the brand; b: a lone engager's partner engages.
        let (a, b) = if model == "independent_cascade" {
            (sigma, sigma)
        } else {
            // LT: the brand tie's influence bt against the threshold θ(1 − σ);
            // the partner's tie has influence 1, which always suffices.
            ((bt / (1.0 - sigma)).min(1.0), 1.0)
        };
        let per_pair = 2.0 * a * a + 2.0 * a * (1.0 - a) * (1.0 + b);
        let expect = per_pair * pairs as f64;
        let (m, sd, n) = mean_sd(ens.outcomes.iter().map(|o| o.engaged as f64));
        let se = sd / (n as f64).sqrt();
        assert!(
            (m - expect).abs() < 5.0 * se,
            "{model}: mean engaged {m} vs closed form {expect} (se {se})"
        );
        for o in &ens.outcomes {
            assert_eq!(o.reached, 2 * pairs as u32, "{model}: everyone is reached");
            assert_eq!(o.paid_reached, 2 * pairs as u32);
            assert_eq!(o.seeds, 0);
            // Shareability 1: everyone who engaged shared.
            assert_eq!(o.shared, o.engaged, "{model}");
        }
    }
}

/// Paid impressions to part of a population: reach is the impressions plus
/// the partners of those who engaged and shared, never zero when someone
/// engaged; the time series starts with the impressions at step 0.
#[test]
fn paid_reach_alone_counts_reach_and_time_series() {
    let dir = tempfile::tempdir().unwrap();
    write_pairs(dir.path(), 300);
    let text = "name = \"paid\"\nseed = 9\ntrials = 300\n\
         [graph]\nkind = \"edge_list\"\npath = \"pairs.txt\"\n\
         [content]\nstickiness = 0.4\n\
         [seeding]\nstrategy = \"paid_reach\"\nimpressions = 200\n";
    let s = scenario_in(dir.path(), text);
    let (g, ens) = run(&s);
    check_rows("paid 200", &g, &ens);
    for (i, o) in ens.outcomes.iter().enumerate() {
        let steps = ens.trial_steps(i);
        assert_eq!(steps[0][0], 200, "trial {i}: step 0 reaches the impressions");
        assert_eq!(steps[0][2], 0, "trial {i}: nobody shares at step 0");
        assert!(o.reached >= 200);
    }
}

/// A fixed plan listed after a random one never picks someone the random
/// plan drew: 30 people, random 20 then top_degree 10 is everyone, once.
#[test]
fn fixed_plan_after_random_plan_never_double_counts() {
    let text = "name = \"dbl\"\nseed = 5\ntrials = 200\n\
         [graph]\nkind = \"erdos_renyi\"\nnodes = 30\nmean_degree = 3\n\
         [content]\nstickiness = 0.2\n\
         [seeding]\nplans = [ { strategy = \"random\", count = 20 }, { strategy = \"top_degree\", count = 10 } ]\n";
    let s = scenario_in(Path::new("."), text);
    let (g, ens) = run(&s);
    check_rows("random then top_degree", &g, &ens);
    for o in &ens.outcomes {
        assert_eq!(o.seeds, 30);
        assert_eq!(o.reached, 30);
        assert_eq!(o.engaged, 30);
    }
}

fn validate_cmd(dir: &Path, text: &str) -> (i32, String) {
    let p = dir.join("t.toml");
    std::fs::write(&p, text).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_viralsim"))
        .arg("validate")
        .arg(&p)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Plans that together ask for more people than there are are refused,
/// whatever their order, naming the plan.
#[test]
fn plans_that_exceed_the_people_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let head = "name = \"x\"\ntrials = 10\n[graph]\nkind = \"erdos_renyi\"\nnodes = 100\nmean_degree = 4\n[content]\nstickiness = 0.2\n[seeding]\n";
    for plans in [
        r#"plans = [ { strategy = "random", count = 95 }, { strategy = "top_degree", count = 10 } ]"#,
        r#"plans = [ { strategy = "top_degree", count = 10 }, { strategy = "random", count = 95 } ]"#,
        r#"plans = [ { strategy = "random", count = 60 }, { strategy = "random", count = 50 } ]"#,
        r#"plans = [ { strategy = "random", count = 60 }, { strategy = "paid_reach", impressions = 50 } ]"#,
        r#"plans = [ { strategy = "top_degree", count = 10 }, { strategy = "paid_reach", impressions = 95 } ]"#,
    ] {
        let (code, err) = validate_cmd(dir.path(), &format!("{head}{plans}\n"));
        assert_eq!(code, 2, "{plans}: {err}");
        assert!(err.contains("[seeding].plans["), "{plans}: {err}");
        assert!(err.contains("t.toml"), "{err}");
    }
    // What fits is accepted.
    let (code, err) = validate_cmd(
        dir.path(),
        &format!(
            "{head}{}\n",
            r#"plans = [ { strategy = "random", count = 50 }, { strategy = "top_degree", count = 10 }, { strategy = "paid_reach", impressions = 40 } ]"#
        ),
    );
    assert_eq!(code, 0, "{err}");
}
