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
pub(crate) fn check_rows(what: &str, g: &SocialGraph, ens: &Ensemble) {
    let n = g.node_count() as u32;
    for (i, o) in ens.outcomes.iter().enumerate() {
        assert!(o.engaged <= o.reached, "{what} trial {i}: {o:?}");
        assert!(o.shared <= o.engaged, "{what} trial {i}: {o:?}");
        assert!(o.converted <= o.engaged, "{what} trial {i}: {o:?}");
        assert!(o.seeds <= o.engaged, "{what} trial {i}: {o:?}");
        assert!(
            o.reached <= n,
            "{what} trial {i}: reached {} > {n}",
            o.reached
        );
        assert!(
            o.seeds + o.paid_reached <= o.reached,
            "{what} trial {i}: {o:?}"
        );
        let steps = ens.trial_steps(i);
        let (r, e, s) = steps
            .iter()
            .fold((0, 0, 0), |a, r| (a.0 + r[0], a.1 + r[1], a.2 + r[2]));
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
        assert_eq!(
            steps[0][0], 200,
            "trial {i}: step 0 reaches the impressions"
        );
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

fn viralsim(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_viralsim"));
    c.current_dir(dir).args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c
        .timeout(std::time::Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Asserts exit code 2 and that stderr holds every one of `parts`.
fn refused(dir: &Path, scenario: &str, env: &[(&str, &str)], parts: &[&str]) -> String {
    std::fs::write(dir.join("t.toml"), scenario).unwrap();
    let (code, _, err) = viralsim(dir, &["validate", "t.toml"], env);
    assert_eq!(code, 2, "{scenario}\n{err}");
    for p in parts {
        assert!(err.contains(p), "message lacks {p:?}: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
    err
}

const TAIL: &str = "[content]\nstickiness = 0.3\n[seeding]\nstrategy = \"random\"\ncount = 2\n";

fn edge_list_scenario(extra: &str) -> String {
    format!(
        "name = \"t\"\ntrials = 5\n[graph]\nkind = \"edge_list\"\npath = \"e.txt\"\n{extra}\n{TAIL}"
    )
}

/// Settings that used to be silently ignored or capped are errors naming
/// the key.
#[test]
fn ignored_settings_are_errors_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let er =
        "name = \"t\"\ntrials = 5\n[graph]\nkind = \"erdos_renyi\"\nnodes = 100\nmean_degree = 4\n";
    // plans together with strategy/count.
    refused(
        d,
        &format!(
            "{er}[content]\nstickiness = 0.3\n[seeding]\nstrategy = \"random\"\ncount = 5\nplans = [ {{ strategy = \"top_degree\", count = 3 }} ]\n"
        ),
        &[],
        &["t.toml", "[seeding].", "plans"],
    );
    // Paid impressions above the people who can receive them.
    refused(
        d,
        &format!(
            "{er}[content]\nstickiness = 0.3\n[seeding]\nstrategy = \"paid_reach\"\nimpressions = 101\n"
        ),
        &[],
        &["t.toml", "[seeding].impressions = 101", "100"],
    );
    // Followers above the population.
    refused(
        d,
        &format!("{er}[[audience.roles]]\nname = \"blogger\"\ncount = 2\nfollowers = 500\n{TAIL}"),
        &[],
        &["t.toml", "[audience].roles[0].followers = 500", "99"],
    );
    // A tiny geometric delay probability.
    refused(
        d,
        &format!(
            "{er}[content]\nstickiness = 0.3\nshare_delay = {{ distribution = \"geometric\", p = 1e-17 }}\n[seeding]\nstrategy = \"random\"\ncount = 2\n"
        ),
        &[],
        &["t.toml", "share_delay", "0.000001"],
    );
    // Role counts the attribute file's role column would override.
    std::fs::write(d.join("e.txt"), "0 1\n1 2\n2 3\n").unwrap();
    std::fs::write(d.join("a.csv"), "id,role\n0,blogger\n").unwrap();
    refused(
        d,
        &edge_list_scenario(
            "attributes = \"a.csv\"\n[[audience.roles]]\nname = \"blogger\"\ncount = 1\n",
        ),
        &[],
        &[
            "t.toml",
            "[audience].roles[0].count",
            "a.csv",
            "role column",
        ],
    );
    // Without the count the file's roles are used.
    std::fs::write(
        d.join("t.toml"),
        edge_list_scenario("attributes = \"a.csv\"\n[[audience.roles]]\nname = \"blogger\"\n"),
    )
    .unwrap();
    let (code, _, err) = viralsim(d, &["validate", "t.toml"], &[]);
    assert_eq!(code, 0, "{err}");
    // Role counts larger than the population name the scenario file.
    refused(
        d,
        &format!("{er}[[audience.roles]]\nname = \"blogger\"\ncount = 500\n{TAIL}"),
        &[],
        &["t.toml", "[audience].roles", "500"],
    );
}

const SMALL_MEMORY: (&str, &str) = ("VIRALSIM_MEMORY_AVAILABLE", "2000000000");

/// Inputs whose size would exhaust memory stop with exit 2, the estimate,
/// what is available and the line or key, before allocating.
#[test]
fn memory_is_estimated_before_allocating() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for id in ["500000000", "4294967293"] {
        std::fs::write(d.join("e.txt"), format!("0 1\n1 {id}\n")).unwrap();
        refused(
            d,
            &edge_list_scenario(""),
            &[SMALL_MEMORY],
            &[
                "e.txt' line 2",
                id,
                "needs about",
                "2.0 GB is available",
                "ids = \"label\"",
            ],
        );
    }
    // The same ids as labels are a small graph.
    std::fs::write(d.join("t.toml"), edge_list_scenario("ids = \"label\"")).unwrap();
    let (code, _, err) = viralsim(d, &["validate", "t.toml"], &[SMALL_MEMORY]);
    assert_eq!(code, 0, "{err}");
    // An attribute-file id.
    std::fs::write(d.join("e.txt"), "0 1\n1 2\n").unwrap();
    std::fs::write(d.join("a.csv"), "id,segment\n0,all\n4294967000,all\n").unwrap();
    refused(
        d,
        &edge_list_scenario("attributes = \"a.csv\""),
        &[SMALL_MEMORY],
        &[
            "a.csv' line 3",
            "4294967000",
            "needs about",
            "ids = \"label\"",
        ],
    );
    // An allowed generator size.
    refused(
        d,
        &format!(
            "name = \"t\"\n[graph]\nkind = \"erdos_renyi\"\nnodes = 150000000\nmean_degree = 13\n{TAIL}"
        ),
        &[SMALL_MEMORY],
        &[
            "t.toml",
            "[graph].nodes = 150000000",
            "mean_degree = 13",
            "needs about",
        ],
    );
}

/// A heavy-tailed delay without a horizon stops at the documented step cap
/// with a message asking for a horizon; with a horizon it runs.
#[test]
fn steps_without_a_horizon_are_capped() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = |horizon: &str| {
        format!(
            "name = \"t\"\ntrials = 20\n{horizon}\n[graph]\nkind = \"erdos_renyi\"\nnodes = 200\nmean_degree = 6\n\
             [content]\nstickiness = 0.5\nshare_delay = {{ distribution = \"log_normal\", mu = 9.0, sigma = 5.0 }}\n\
             [seeding]\nstrategy = \"top_degree\"\ncount = 20\n"
        )
    };
    std::fs::write(d.join("t.toml"), s("")).unwrap();
    let (code, _, err) = viralsim(
        d,
        &["run", "t.toml", "--out", "o", "--no-charts", "-q"],
        &[],
    );
    assert_eq!(code, 2, "{err}");
    for p in ["t.toml", "horizon", "1000000"] {
        assert!(err.contains(p), "lacks {p:?}: {err}");
    }
    // The failed run left no output folder and no temporary files.
    for e in std::fs::read_dir(d).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            name != "o" && !name.contains("partial"),
            "{name} left behind"
        );
    }
    std::fs::write(d.join("t.toml"), s("horizon = 50")).unwrap();
    let (code, _, err) = viralsim(
        d,
        &["run", "t.toml", "--out", "o", "--no-charts", "-q"],
        &[],
    );
    assert_eq!(code, 0, "{err}");
}

/// FIFOs, devices and directories are refused before anything is read;
/// lines and files are bounded.
#[cfg(unix)]
#[test]
fn only_regular_files_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fifo = d.join("fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    std::os::unix::fs::symlink("/dev/zero", d.join("zero")).unwrap();
    for target in ["fifo", "zero"] {
        let (code, _, err) = viralsim(d, &["validate", target], &[]);
        assert_eq!(code, 2, "{err}");
        assert!(err.contains("not a regular file"), "{err}");
        std::fs::write(
            d.join("t.toml"),
            format!("name = \"t\"\n[graph]\nkind = \"edge_list\"\npath = \"{target}\"\n{TAIL}"),
        )
        .unwrap();
        let (code, _, err) = viralsim(d, &["validate", "t.toml"], &[]);
        assert_eq!(code, 2, "{err}");
        assert!(
            err.contains("not a regular file") && err.contains("[graph].path"),
            "{err}"
        );
    }
    let (code, _, err) = viralsim(d, &["validate", "."], &[]);
    assert_eq!(code, 2, "{err}");
    // A line longer than the bound names its line.
    std::fs::write(
        d.join("e.txt"),
        format!("0 1\n1 2 {}\n", "9".repeat(100_000)),
    )
    .unwrap();
    let err = refused(
        d,
        &edge_list_scenario(""),
        &[],
        &["e.txt' line 2", "longer than"],
    );
    assert!(err.len() < 1000, "{err}");
}

/// A byte-order mark at the start of an edge list is not part of an id.
#[test]
fn byte_order_mark_is_dropped_everywhere() {
    use viralsim::graph::io::{EdgeListOptions, IdMode, Names, parse_edge_list_with};
    for ids in [IdMode::Index, IdMode::Label] {
        let opts = EdgeListOptions {
            directed: false,
            ids,
            kinds: Names::open(),
        };
        let el = parse_edge_list_with("\u{feff}0 1\n1 2\n", &opts, "e.txt").unwrap();
        assert_eq!(el.nodes, 3, "{ids:?}");
        if let Some(l) = el.labels {
            assert_eq!(l, ["0", "1", "2"]);
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("e.txt"), "\u{feff}a b\nb c\n").unwrap();
    std::fs::write(d.join("deg.txt"), "\u{feff}2\n1\n1\n").unwrap();
    let s = scenario_in(
        d,
        &edge_list_scenario("ids = \"label\"").replace("count = 2", "count = 1"),
    );
    assert_eq!(s.build_graph().unwrap().node_count(), 3);
    assert_eq!(
        viralsim::graph::read_degrees(&d.join("deg.txt")).unwrap(),
        [2, 1, 1]
    );
    std::fs::write(
        d.join("t.toml"),
        format!("\u{feff}{}", edge_list_scenario("ids = \"label\"")),
    )
    .unwrap();
    let (code, _, err) = viralsim(d, &["validate", "t.toml"], &[]);
    assert_eq!(code, 0, "{err}");
}

/// Extreme but valid-looking parameters are refused, naming the key, or
/// honoured exactly.
#[test]
fn extreme_parameters_are_refused_or_exact() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    refused(
        d,
        &format!(
            "name = \"t\"\n[graph]\nkind = \"erdos_renyi\"\nnodes = 100\nmean_degree = 4\ntrust = {{ distribution = \"beta\", alpha = 1e308, beta = 1e308 }}\n{TAIL}"
        ),
        &[],
        &["t.toml", "[graph.trust].alpha", "1e308", "0.01 to 1000000"],
    );
    // A tiny mean degree is honoured: (almost surely) no ties, no failure.
    let s = scenario_in(
        d,
        &format!(
            "name = \"t\"\ntrials = 5\n[graph]\nkind = \"erdos_renyi\"\nnodes = 1000\nmean_degree = 1e-15\n{TAIL}"
        ),
    );
    let g = s.build_graph().unwrap();
    assert_eq!(g.node_count(), 1000);
    assert_eq!(g.arc_count(), 0);
    // The beta sampler at the edges of the allowed range stays in [0, 1].
    use viralsim::graph::trust::{BETA_MAX, BETA_MIN, TrustDist};
    let mut rng = viralsim::rng::stream_rng(1, viralsim::rng::Stream::Trust, 0);
    for (a, b) in [
        (BETA_MIN, BETA_MIN),
        (BETA_MAX, BETA_MAX),
        (BETA_MIN, BETA_MAX),
        (BETA_MAX, BETA_MIN),
    ] {
        let d = TrustDist::Beta { alpha: a, beta: b };
        d.validate("t").unwrap();
        let sm = d.sampler();
        let mut sum = 0.0;
        for _ in 0..20_000 {
            let x = f64::from(viralsim::graph::trust_value(sm.draw(&mut rng)));
            assert!((0.0..=1.0).contains(&x), "beta({a}, {b}) gave {x}");
            sum += x;
        }
        let mean = sum / 20_000.0;
        assert!(
            (mean - d.mean()).abs() < 0.02,
            "beta({a}, {b}): mean {mean} vs {}",
            d.mean()
        );
    }
}

/// One trial: intervals that cannot be estimated are null in summary.json,
/// "n/a" in the printed summary, and the charts are still drawn.
#[test]
fn one_trial_has_no_interval() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("t.toml"),
        "name = \"one\"\ntrials = 1\n[graph]\nkind = \"erdos_renyi\"\nnodes = 300\nmean_degree = 6\n\
         [[audience.roles]]\nname = \"blogger\"\ncount = 10\n\
         [content]\nstickiness = 0.3\n[seeding]\nstrategy = \"top_degree\"\ncount = 5\n\
         [economics]\nvalue_per_conversion = 10\n",
    )
    .unwrap();
    let (code, out, err) = viralsim(d, &["run", "t.toml", "--out", "o"], &[]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("n/a"), "{out}");
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("o/summary.json")).unwrap()).unwrap();
    let reached = &j["metrics"]["reached"];
    assert!(
        reached["ci95"].is_null() && reached["stderr"].is_null(),
        "{reached}"
    );
    assert!(reached["mean"].as_f64().unwrap() >= 5.0);
    assert!(
        j["roles"]["blogger"]["engagement_rate_ci95"].is_null(),
        "{}",
        j["roles"]
    );
    for png in ["funnel.png", "roles.png"] {
        assert!(d.join("o").join(png).exists(), "{png}");
    }
    // report.html says n/a where an interval cannot be estimated.
    let html = std::fs::read_to_string(d.join("o/report.html")).unwrap();
    assert!(html.contains("[n/a]") && html.contains("<td>n/a</td>"));
    assert!(
        !html.contains("–––") && !html.contains("[–"),
        "dashes for a missing interval"
    );
}

/// Per-role engagement counts people reached who were not seeds: when every
/// blogger is a seed, no blogger is left to engage, and the rate is 0, not
/// the seeds' own 100%. Money is printed with one precision.
#[test]
fn role_engagement_excludes_seeds_and_money_has_one_precision() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(
        d.join("t.toml"),
        "name = \"r\"\ntrials = 50\n[graph]\nkind = \"erdos_renyi\"\nnodes = 400\nmean_degree = 6\n\
         [[audience.roles]]\nname = \"blogger\"\ncount = 10\n\
         [content]\nstickiness = 0.2\nconversion = 0.3\n\
         [seeding]\nstrategy = \"by_role\"\nrole = \"blogger\"\n\
         [economics]\nvalue_per_conversion = 12.5\ncurrency = \"EUR\"\n",
    )
    .unwrap();
    let (code, out, err) = viralsim(
        d,
        &[
            "run",
            "t.toml",
            "--out",
            "o",
            "--no-charts",
            "--threads",
            "1",
        ],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 thread)"), "{out}");
    let j: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d.join("o/summary.json")).unwrap()).unwrap();
    let b = &j["roles"]["blogger"];
    assert_eq!(b["seeds"]["mean"].as_f64(), Some(10.0), "{b}");
    assert_eq!(b["engagement_rate"].as_f64(), Some(0.0), "{b}");
    let p = &j["roles"]["public"];
    let rate = p["engagement_rate"].as_f64().unwrap();
    let expect = p["engaged"]["mean"].as_f64().unwrap() / p["reached"]["mean"].as_f64().unwrap();
    assert!(
        (rate - expect).abs() < 1e-12,
        "public has no seeds: {rate} vs {expect}"
    );
    // Money lines: the mean and both ends with the same number of decimals.
    let money: Vec<&str> = out.lines().filter(|l| l.contains(" EUR [")).collect();
    assert!(!money.is_empty(), "{out}");
    for l in money {
        let decimals: Vec<usize> = l
            .split(' ')
            .map(|w| w.trim_matches(|c| c == '[' || c == ']' || c == ',' || c == ';'))
            .filter(|w| {
                w.chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_digit() || c == '-')
            })
            .map(|w| w.split_once('.').map_or(0, |(_, f)| f.len()))
            .collect();
        assert!(decimals.windows(2).all(|w| w[0] == w[1]), "{l}");
    }
}

/// Messages name the file, the dotted key and line, the value found and
/// what is allowed, in the user's words, and stay short.
#[test]
fn messages_name_the_key_in_the_users_words() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let rust = [
        "u64", "f64", "RawTrust", "RawDelay", "PersonId", "enum", "map,", "struct",
    ];
    let cases: [(&str, &[&str]); 6] = [
        (
            "name = \"t\"\n[graph]\nkind = \"erdos_renyi\"\nnodes = -5\nmean_degree = 4\n[content]\nstickiness = 0.3\n[seeding]\nstrategy = \"random\"\ncount = 2\n",
            &["line 4", "[graph].nodes", "-5", "whole number ≥ 0"],
        ),
        (
            "name = \"t\"\n[graph]\nkind = \"erdos_renyi\"\nnodes = 50\nmean_degree = 4\n[content]\nstickiness = { a = 1 }\n[seeding]\nstrategy = \"random\"\ncount = 2\n",
            &["line 7", "[content].stickiness", "expected a number"],
        ),
        (
            "name = \"t\"\n[graph]\nkind = \"erdos_renyi\"\nnodes = 50\nmean_degree = 4\ntrust = { distribution = \"beta\", alpha = \"x\", beta = 1.0 }\n[content]\nstickiness = 0.3\n[seeding]\nstrategy = \"random\"\ncount = 2\n",
            &["line 6", "[graph].trust", "\"x\"", "a number"],
        ),
        (
            "name = \"t\"\n[graph]\nkind = \"erdos_renyi\"\nnodes = 50\nmean_degree = 4\nm = 3\n[content]\nstickiness = 0.3\n[seeding]\nstrategy = \"random\"\ncount = 2\n",
            &[
                "[graph].m is not a key of kind = \"erdos_renyi\"",
                "mean_degree",
            ],
        ),
        (
            "name = \"t\"\n[graph]\nkind = \"erdos_renyi\"\nnodes = 50\nmean_degree = 4\n[content]\nstickiness = 0.3\n[seeding]\nstrategy = \"explicit\"\nnodes = [[1]]\n",
            &["[seeding]", "person id"],
        ),
        (
            "name = \"t\"\n[graph]\nkind = \"erdos_renyi\"\nnodes = 50\nmean_degree = 4\n[content]\nstickiness = 0.3\nshare_delay = { distribution = \"geometric\", p = \"x\" }\n[seeding]\nstrategy = \"random\"\ncount = 2\n",
            &["line 8", "[content].share_delay", "a number"],
        ),
    ];
    for (text, parts) in cases {
        let err = refused(d, text, &[], parts);
        assert!(err.contains("t.toml"), "{err}");
        for r in rust {
            assert!(!err.contains(r), "Rust type {r:?} in: {err}");
        }
    }
    // A 10 MB key: the message stays short.
    let big = format!("name = \"t\"\n{} = 1\n", "k".repeat(10 << 20));
    std::fs::write(d.join("t.toml"), big).unwrap();
    let (code, _, err) = viralsim(d, &["validate", "t.toml"], &[]);
    assert_eq!(code, 2, "{}", &err[..err.len().min(500)]);
    assert!(err.len() < 2000, "{} bytes", err.len());
    // A file name that is not an output name: say to add name = ….
    std::fs::write(
        d.join("my scenario.toml"),
        "[graph]\nkind = \"erdos_renyi\"\nnodes = 50\nmean_degree = 4\n[content]\nstickiness = 0.3\n[seeding]\nstrategy = \"random\"\ncount = 2\n",
    )
    .unwrap();
    let (code, _, err) = viralsim(d, &["validate", "my scenario.toml"], &[]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("add name ="), "{err}");
}

/// Every per-trial row of every pinned test scenario (the golden cases run
/// every example scenario but the largest) holds engaged ≤ reached,
/// shared ≤ engaged and converted ≤ engaged; rows with someone engaged
/// reached someone.
#[test]
fn golden_trial_rows_hold_the_funnel_order() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden/expected");
    let mut cases = 0;
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path().join("trials.csv");
        let text = std::fs::read_to_string(&path).unwrap();
        let mut lines = text.lines();
        let header: Vec<&str> = lines.next().unwrap().split(',').collect();
        let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
        let (r, e, s, c) = (
            col("reached"),
            col("engaged"),
            col("shared"),
            col("converted"),
        );
        for line in lines {
            let v: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
            assert!(
                v[e] <= v[r] && v[s] <= v[e] && v[c] <= v[e],
                "{}: {line}",
                path.display()
            );
        }
        cases += 1;
    }
    assert!(cases >= 10, "{cases} golden cases");
}

/// A small scenario with a `[crisis]` table; `claim` and `extra` go into
/// `[crisis.claim.content]` and `[crisis]`.
fn crisis_scenario(horizon: &str, claim: &str, extra: &str) -> String {
    format!(
        "name = \"c\"\ntrials = 10\n{horizon}\n[graph]\nkind = \"erdos_renyi\"\nnodes = 200\nmean_degree = 6\n\
         [content]\nstickiness = 0.1\n[seeding]\nstrategy = \"random\"\ncount = 2\n\
         [crisis]\n{extra}\n[crisis.claim]\nstart = 0\n[crisis.claim.content]\n{claim}\n\
         [crisis.claim.seeding]\nstrategy = \"top_degree\"\ncount = 20\n\
         [crisis.correction]\nresponse_delay = [2, \"never\"]\n[crisis.correction.content]\nstickiness = 0.3\n\
         [crisis.correction.seeding]\nstrategy = \"random\"\ncount = 3\n"
    )
}

/// The crisis keys: type errors at the dotted key without Rust types,
/// ranges named, and the step cap without a horizon stops the run with a
/// message asking for one (it used to truncate the claim silently).
#[test]
fn crisis_keys_follow_the_message_standards() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let ok = crisis_scenario("", "stickiness = 0.5", "");
    std::fs::write(d.join("t.toml"), &ok).unwrap();
    let (code, _, err) = viralsim(d, &["validate", "t.toml"], &[]);
    assert_eq!(code, 0, "{err}");
    for (claim, extra, parts) in [
        (
            "stickiness = 0.5",
            "protection = \"high\"",
            &["t.toml", "[crisis].protection", "a number"][..],
        ),
        (
            "stickiness = 0.5",
            "uptake = 1.5",
            &["t.toml", "[crisis].uptake = 1.5", "0 ≤"][..],
        ),
        (
            "stickiness = { a = 1 }",
            "",
            &["t.toml", "[crisis.claim.content].stickiness", "a number"][..],
        ),
        (
            "stickiness = 0.5",
            "priority = \"first\"",
            &["t.toml", "[crisis].priority", "\"first\"", "correction"][..],
        ),
    ] {
        let err = refused(d, &crisis_scenario("", claim, extra), &[], parts);
        for r in ["f64", "Raw", "enum", "struct"] {
            assert!(!err.contains(r), "Rust type {r:?} in: {err}");
        }
    }
    // A heavy-tailed claim without a horizon: stopped at the cap, not cut.
    let heavy = crisis_scenario(
        "",
        "stickiness = 0.9\nshareability = 1.0\nshare_delay = { distribution = \"log_normal\", mu = 9.0, sigma = 5.0 }",
        "",
    );
    std::fs::write(d.join("t.toml"), &heavy).unwrap();
    let (code, _, err) = viralsim(
        d,
        &["run", "t.toml", "--out", "o", "--no-charts", "-q"],
        &[],
    );
    assert_eq!(code, 2, "{err}");
    for p in ["t.toml", "crisis trial", "horizon", "1000000"] {
        assert!(err.contains(p), "lacks {p:?}: {err}");
    }
    std::fs::write(
        d.join("t.toml"),
        heavy.replacen("trials = 10\n", "trials = 10\nhorizon = 40\n", 1),
    )
    .unwrap();
    let (code, _, err) = viralsim(
        d,
        &["run", "t.toml", "--out", "o", "--no-charts", "-q"],
        &[],
    );
    assert_eq!(code, 0, "{err}");
}

/// `scenarios/b2b_trade.toml` says what its outputs show (it promised "a
/// slow S-curve" for a curve that rises from step 0 and flattens): over
/// half the adopters at step 0, new adoptions falling step by step, and
/// the curve levelling off near 1,050 people within about 15 steps. Checked
/// on its pinned golden time series (same scenario, 100 trials).
#[test]
fn b2b_trade_comment_matches_its_curve() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let toml = std::fs::read_to_string(root.join("scenarios/b2b_trade.toml")).unwrap();
    assert!(!toml.contains("S-curve)"), "no S-curve is promised");
    assert!(toml.contains("over half the adopters adopt at step 0"));
    assert!(toml.contains("near 1,050"));
    let csv = std::fs::read_to_string(root.join("tests/golden/expected/b2b_trade/timeseries.csv"))
        .unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |n: &str| header.iter().position(|h| *h == n).unwrap();
    let (e, new) = (col("engaged_mean"), col("new_engaged_mean"));
    let rows: Vec<Vec<f64>> = lines
        .map(|l| l.split(',').map(|x| x.parse().unwrap()).collect())
        .collect();
    let last = rows.last().unwrap()[e];
    assert!((1000.0..1100.0).contains(&last), "levels off at {last}");
    assert!(rows[0][e] > 0.5 * last, "step 0: {} of {last}", rows[0][e]);
    // Falling step by step while the curve still moves (the tail is noise
    // of a few hundredths of a person).
    for w in rows[..=15].windows(2) {
        assert!(w[1][new] < w[0][new], "new adoptions fall: {w:?}");
    }
    assert!(
        rows[15][e] >= 0.99 * last,
        "flat by step 15: {}",
        rows[15][e]
    );
}
