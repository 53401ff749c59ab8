//! The campaign model: monotonicity with common random numbers, targeting
//! by resonance, budget arithmetic and ROI by hand, and `trials = "auto"`.
//!
//! Comparisons use the same master seed, so the graph, the trust on each tie
//! and the random seeds are the same on both sides (common random numbers),
//! and compare per-trial paired differences: a mean difference must not be
//! below −4 of its standard errors (about 3 in 100 000 by chance; the seeds
//! are fixed, so a pass or a fail is reproducible), and across a whole
//! ladder it must be positive by more than 4 standard errors, so the tests
//! can fail when an effect is missing.

use std::path::Path;
use viralsim::engine::Ensemble;
use viralsim::metrics::Summary;
use viralsim::run::{RunSettings, simulate};
use viralsim::scenario::Scenario;

fn scenario(text: &str) -> Scenario {
    Scenario::from_toml(text, "campaign_test.toml", Path::new("."), "campaign_test")
        .unwrap_or_else(|e| panic!("valid scenario: {e}\n{text}"))
}

fn run(s: &Scenario) -> (Summary, Ensemble) {
    let g = s.build_graph().expect("graph builds");
    simulate(s, &g, &RunSettings::default()).expect("runs")
}

/// A 3,000-person preferential-attachment graph with trust from Beta(2, 2)
/// (so every tie has trust > 0), two segments, seeded at the 5 largest
/// out-degrees.
fn ladder_scenario(model: &str, content: &str) -> Scenario {
    scenario(&format!(
        r#"
seed = 99
trials = 1500
model = "{model}"

[graph]
kind = "barabasi_albert"
nodes = 3000
m = 3
trust = {{ distribution = "beta", alpha = 2.0, beta = 2.0 }}

[audience]
segments = [{{ name = "a", share = 0.5 }}, {{ name = "b", share = 0.5 }}]

[content]
{content}

[seeding]
strategy = "top_degree"
count = 5
"#
    ))
}

/// Mean and standard error of per-trial differences of reach (hi − lo).
fn paired(lo: &Ensemble, hi: &Ensemble) -> (f64, f64) {
    assert_eq!(lo.len(), hi.len());
    let d: Vec<f64> = lo
        .outcomes
        .iter()
        .zip(&hi.outcomes)
        .map(|(a, b)| b.reached as f64 - a.reached as f64)
        .collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let var = d.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (mean, (var / n).sqrt())
}

/// Runs `content(x)` for each x of the ladder and checks that mean reach
/// never falls (paired, within 4 standard errors) and rises over the ladder.
fn check_ladder(name: &str, model: &str, ladder: &[f64], content: impl Fn(f64) -> String) {
    let runs: Vec<Ensemble> = ladder
        .iter()
        .map(|&x| run(&ladder_scenario(model, &content(x))).1)
        .collect();
    let means: Vec<f64> = runs
        .iter()
        .map(|e| e.outcomes.iter().map(|o| o.reached as f64).sum::<f64>() / e.len() as f64)
        .collect();
    eprintln!("{model} {name} ladder {ladder:?}: mean reach {means:?}");
    for (i, w) in runs.windows(2).enumerate() {
        let (d, se) = paired(&w[0], &w[1]);
        assert!(
            d >= -4.0 * se,
            "{model}: raising {name} from {} to {} lowered mean reach by {:.2} (paired stderr {se:.2})",
            ladder[i],
            ladder[i + 1],
            -d
        );
    }
    let (d, se) = paired(&runs[0], &runs[runs.len() - 1]);
    assert!(
        d > 4.0 * se && se > 0.0,
        "{model}: raising {name} over {ladder:?} did not raise mean reach ({d:.2} ± {se:.2})"
    );
}

#[test]
fn ic_reach_is_monotone_in_stickiness_shareability_and_endorsement() {
    let m = "independent_cascade";
    check_ladder("stickiness", m, &[0.02, 0.04, 0.06, 0.08, 0.1], |x| {
        format!("stickiness = {x:?}\nshareability = 0.6\nendorsement = 1.0")
    });
    check_ladder("shareability", m, &[0.2, 0.4, 0.6, 0.8, 1.0], |x| {
        format!("stickiness = 0.06\nshareability = {x:?}\nendorsement = 1.0")
    });
    check_ladder("endorsement", m, &[0.0, 0.5, 1.0, 2.0, 4.0], |x| {
        format!("stickiness = 0.04\nshareability = 0.6\nendorsement = {x:?}")
    });
}

#[test]
fn lt_reach_is_monotone_in_stickiness_shareability_and_endorsement() {
    let m = "linear_threshold";
    check_ladder("stickiness", m, &[0.0, 0.1, 0.2, 0.3, 0.4], |x| {
        format!("stickiness = {x:?}\nshareability = 0.8\nendorsement = 0.5")
    });
    check_ladder("shareability", m, &[0.2, 0.4, 0.6, 0.8, 1.0], |x| {
        format!("stickiness = 0.1\nshareability = {x:?}\nendorsement = 0.5")
    });
    check_ladder("endorsement", m, &[0.0, 0.5, 1.0, 2.0, 4.0], |x| {
        format!("stickiness = 0.1\nshareability = 0.8\nendorsement = {x:?}")
    });
}

#[test]
fn raising_resonance_in_a_segment_raises_its_engagement_rate() {
    let content = |r: f64| {
        format!(
            "stickiness = 0.05\nshareability = 0.6\nendorsement = 1.0\nresonance = {{ a = {r:?} }}"
        )
    };
    let (lo, _) = run(&ladder_scenario("independent_cascade", &content(1.0)));
    let (hi, _) = run(&ladder_scenario("independent_cascade", &content(2.0)));
    let se = |s: &Summary| {
        let ci = s.segments["a"].engagement_rate_ci95.unwrap();
        (ci[1] - ci[0]) / (2.0 * 1.959964)
    };
    let (a0, a1) = (
        lo.segments["a"].engagement_rate,
        hi.segments["a"].engagement_rate,
    );
    let z = (a1 - a0) / (se(&lo).powi(2) + se(&hi).powi(2)).sqrt();
    eprintln!(
        "segment a engagement rate: resonance 1 → {a0:.4}, resonance 2 → {a1:.4} (z = {z:.1})"
    );
    assert!(
        z > 4.0,
        "resonance 2 in segment a did not raise its engagement rate: {a0} → {a1} (z = {z:.2})"
    );
    assert!(lo.segments["a"].engagement_rate_ci95.unwrap()[0] <= a0);
    assert!(a0 <= lo.segments["a"].engagement_rate_ci95.unwrap()[1]);
}

/// A directed star: 0 → 1..=9. Person 0 is a blogger, the rest public.
fn star(dir: &Path) {
    let edges: String = (1..=9).map(|v| format!("0 {v}\n")).collect();
    std::fs::write(dir.join("star.txt"), edges).unwrap();
    let people: String = std::iter::once("id,role\n0,blogger\n".to_string())
        .chain((1..=9).map(|v| format!("{v},public\n")))
        .collect();
    std::fs::write(dir.join("people.csv"), people).unwrap();
}

fn star_scenario(dir: &Path, seeding: &str, budget: Option<f64>) -> Scenario {
    let budget = budget
        .map(|b| format!("budget = {b:?}"))
        .unwrap_or_default();
    let text = format!(
        r#"
seed = 3
trials = 400

[graph]
kind = "edge_list"
path = "star.txt"
directed = true
attributes = "people.csv"
trust = {{ distribution = "fixed", value = 0.5 }}

[[audience.roles]]
name = "blogger"

[content]
stickiness = 1.0
shareability = 1.0
conversion = 1.0

[economics]
value_per_conversion = 10
seed_cost = {{ blogger = 100, public = 1 }}
cpm = 2000
fixed_cost = 50
{budget}

{seeding}
"#
    );
    Scenario::from_toml(&text, "star.toml", dir, "star").unwrap_or_else(|e| panic!("{e}"))
}

/// The star of [`star_scenario`] seeded with 2 random people per campaign
/// (the blogger among them with probability 1/5), run.
fn star_with_two_random_seeds(dir: &Path) -> (Scenario, Summary, Ensemble) {
    star(dir);
    let s = star_scenario(dir, "[seeding]\nstrategy = \"random\"\ncount = 2", None);
    let (sum, ens) = run(&s);
    (s, sum, ens)
}

const BLOGGER_AND_PAID: &str = r#"
[seeding]
plans = [
  { strategy = "by_role", role = "blogger" },
  { strategy = "paid_reach", impressions = 4 },
]
"#;

#[test]
fn budget_arithmetic_and_roi_by_hand_on_a_star() {
    let dir = tempfile::tempdir().unwrap();
    star(dir.path());
    let s = star_scenario(dir.path(), BLOGGER_AND_PAID, Some(158.0));
    let (sum, _) = run(&s);
    // Everyone is reached, engages and converts (σ = κ = 1): 10 conversions.
    // Cost = 1 blogger × 100 + 4 impressions × 2000 / 1000 + 50 = 158.
    // Revenue = 10 × 10 = 100; ROI = (100 − 158) / 158.
    let m = &sum.metrics;
    assert_eq!(m["converted"].mean, 10.0);
    assert_eq!(m["revenue"].mean, 100.0);
    assert_eq!((m["cost"].min, m["cost"].max), (158.0, 158.0));
    assert_eq!(m["profit"].mean, -58.0);
    assert!((m["roi"].mean - (100.0 - 158.0) / 158.0).abs() < 1e-12);
    assert!(m["roi"].std.unwrap() < 1e-12);
    let e = sum.economics.as_ref().expect("economics section");
    assert_eq!(e.roi_positive.unwrap().count, 0);
    assert_eq!(e.roi_positive.unwrap().ci95[0], 0.0);
    assert_eq!(e.bought.seeds["blogger"], 1.0);
    assert_eq!(e.bought.paid_impressions, 4.0);
    assert_eq!(e.bought.impressions_cost, 8.0);
    assert_eq!(e.bought.seed_cost, 100.0);
    assert_eq!(e.bought.budget_share, Some(1.0));
    let planned = e.planned.as_ref().expect("planned cost");
    assert_eq!(planned.total, 158.0);
    assert_eq!(planned.impressions, 4);
    assert_eq!(planned.plans[0].key, "[seeding].plans[0]");
    assert_eq!(planned.plans[1].cost, 8.0);
    assert_eq!(e.break_even_conversions, Some(15.8));
    // Response rate and virality per trial: no earned media; 10 of 10 share.
    assert_eq!(m["response_rate"].mean, 0.0);
    assert_eq!(m["virality"].mean, 1.0);
    // Per role: the blogger is the one seed.
    assert_eq!(sum.roles["blogger"].seeds.mean, 1.0);
    assert_eq!(sum.roles["public"].reached.mean, 9.0);
}

#[test]
fn a_budget_below_the_plan_cost_is_an_error_naming_the_keys() {
    let dir = tempfile::tempdir().unwrap();
    star(dir.path());
    let s = star_scenario(dir.path(), BLOGGER_AND_PAID, Some(157.0));
    // Resolving the seeding checks the budget (`validate` and `run` do it
    // once, before simulating).
    let g = s.build_graph().expect("the graph builds");
    let e = viralsim::run::resolve_seeding(&s, &g).expect_err("over budget");
    let msg = e.to_string();
    assert!(e.is_input_error(), "{msg}");
    for key in [
        "star.toml",
        "[economics].budget = 157",
        "158",
        "[seeding].plans[0]",
        "[economics].seed_cost.blogger",
        "[seeding].plans[1]",
        "[economics].cpm",
        "[economics].fixed_cost",
    ] {
        assert!(msg.contains(key), "message lacks {key:?}: {msg}");
    }
    // Through the CLI: exit code 2, one message, no summary.json.
    std::fs::write(
        dir.path().join("over.toml"),
        r#"seed = 3
trials = 10
[graph]
kind = "edge_list"
path = "star.txt"
directed = true
attributes = "people.csv"
[[audience.roles]]
name = "blogger"
[content]
stickiness = 1.0
[economics]
budget = 99
seed_cost = { blogger = 100 }
[seeding]
strategy = "by_role"
role = "blogger"
"#,
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = std::process::Command::new(env!("CARGO_BIN_EXE_viralsim"))
        .args(["run", "-q", "--out"])
        .arg(&out)
        .arg(dir.path().join("over.toml"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("[economics].budget = 99") && err.contains("seed_cost.blogger"),
        "{err}"
    );
    assert!(!out.join("summary.json").exists());
}

#[test]
fn random_seeding_costs_the_roles_it_draws() {
    let dir = tempfile::tempdir().unwrap();
    let (_, sum, ens) = star_with_two_random_seeds(dir.path());
    // Each trial: 2 seeds of 10 people; the blogger (100) is among them with
    // probability 1/5, else two public seeds (1 each); plus 50 fixed.
    let mut with_blogger = 0;
    for (t, o) in ens.outcomes.iter().enumerate() {
        let public = ens.per_role[t * ens.roles * 3 + 2];
        let blogger = ens.per_role[(t * ens.roles + 1) * 3 + 2];
        assert_eq!((o.seeds, public + blogger), (2, 2));
        with_blogger += blogger;
    }
    // The cost metric is the by-hand cost of the seeds drawn, trial by trial.
    let by_hand = (100.0 * with_blogger as f64 + (2 * ens.len() as u32 - with_blogger) as f64)
        / ens.len() as f64
        + 50.0;
    assert!((sum.metrics["cost"].mean - by_hand).abs() < 1e-9);
    let c = &sum.metrics["cost"];
    let exact = 2.0 * (100.0 * 0.1 + 0.9) + 50.0;
    assert!(
        (c.mean - exact).abs() < 4.0 * c.stderr.unwrap() && c.stderr.unwrap() > 0.0,
        "mean cost {} ± {:?} vs {exact}",
        c.mean,
        c.stderr
    );
    let planned = sum.economics.as_ref().unwrap().planned.as_ref().unwrap();
    assert!((planned.total - exact).abs() < 1e-9, "{}", planned.total);
}

#[test]
fn trials_auto_reaches_its_precision_and_is_reproducible() {
    let text = |extra: &str| {
        format!(
            r#"
seed = 5
{extra}

[graph]
kind = "barabasi_albert"
nodes = 2000
m = 2

[content]
stickiness = 0.08

[seeding]
strategy = "random"
count = 3
"#
        )
    };
    let s = scenario(&text("trials = \"auto\"\nprecision = 0.01"));
    let (sum, ens) = run(&s);
    let p = &sum.precision;
    eprintln!(
        "auto: {} trials, ±{:.4}",
        p.trials, p.reach_relative_half_width
    );
    assert_eq!(p.mode, "auto");
    assert_eq!(p.met, Some(true));
    assert!(p.reach_relative_half_width <= 0.01);
    let r = &sum.metrics["reached"];
    assert!((1.959964 * r.stderr.unwrap() / r.mean - p.reach_relative_half_width).abs() < 1e-12);
    // Batches of 1000 doubling: 1000, 2000, 4000, …
    assert!(ens.len() >= 2000 && (ens.len() / 1000).is_power_of_two());
    // The trials before the last doubling were not precise enough.
    let half: Vec<f64> = ens.outcomes[..ens.len() / 2]
        .iter()
        .map(|o| o.reached as f64)
        .collect();
    let st = viralsim::metrics::Stat::of(&half);
    assert!(1.959964 * st.stderr.unwrap() / st.mean > 0.01);
    // Same as a fixed run of that many trials, and the same again.
    let fixed = scenario(&text(&format!("trials = {}", ens.len())));
    let (fsum, fens) = run(&fixed);
    assert_eq!(fens.outcomes, ens.outcomes);
    assert_eq!(fsum.metrics, sum.metrics);
    let (again, _) = run(&s);
    assert_eq!(again, sum);

    // The cap: stop at max_trials with the target not met.
    let capped = scenario(&text(
        "trials = \"auto\"\nprecision = 0.0001\nmax_trials = 2500",
    ));
    let (csum, cens) = run(&capped);
    assert_eq!(cens.len(), 2500);
    assert_eq!(csum.precision.met, Some(false));
    assert_eq!(csum.run.trials, 2500);
    // --trials overrides "auto".
    let g = capped.build_graph().unwrap();
    let set = RunSettings {
        trials: Some(300),
        ..Default::default()
    };
    let mut over = capped.clone();
    viralsim::run::apply_overrides(&mut over, &set).unwrap();
    let (osum, _) = simulate(&over, &g, &set).unwrap();
    assert_eq!(osum.run.trials, 300);
    assert_eq!(osum.precision.mode, "fixed");
}

#[test]
fn bad_trials_and_economics_keys_are_rejected_with_the_key() {
    let base = |top: &str, extra: &str| {
        format!(
            "{top}\n[graph]\nkind = \"barabasi_albert\"\nnodes = 50\nm = 2\n[content]\nstickiness = 0.1\n[seeding]\nstrategy = \"random\"\ncount = 1\n{extra}"
        )
    };
    for (text, key) in [
        (base("trials = \"many\"", ""), "trials"),
        (base("trials = -3", ""), "trials = -3"),
        (base("trials = 100\nprecision = 0.01", ""), "precision"),
        (
            base("trials = \"auto\"\nprecision = 1.5", ""),
            "precision = 1.5",
        ),
        (base("trials = \"auto\"\nmax_trials = 1", ""), "max_trials"),
        (
            base("", "[economics]\nseed_cost = { wizard = 3 }"),
            "[economics.seed_cost].wizard",
        ),
        (base("", "[economics]\ncpm = -1"), "[economics].cpm = -1"),
        (base("", "[economics]\nbudjet = 5"), "budjet"),
    ] {
        let e =
            Scenario::from_toml(&text, "bad.toml", Path::new("."), "bad").expect_err("rejected");
        let msg = e.to_string();
        assert!(
            msg.contains(key) && msg.contains("bad.toml"),
            "{key}: {msg}"
        );
    }
}

/// trials.csv carries each campaign's revenue, cost and profit: with two
/// random seeds on the star, a campaign that seeds the blogger (the hub)
/// converts all 10 people and pays 100 + 1 for seeds, one that does not
/// converts only its 2 seeds and pays 1 + 1; the fixed cost is 50.
#[test]
fn trials_csv_has_revenue_cost_and_profit_per_campaign() {
    let dir = tempfile::tempdir().unwrap();
    let (s, sum, ens) = star_with_two_random_seeds(dir.path());
    let path = dir.path().join("trials.csv");
    let g = s.build_graph().unwrap();
    let seeding = viralsim::run::resolve_seeding(&s, &g).unwrap();
    let ctx = viralsim::metrics::SummaryContext::new(&s, &g, &seeding);
    let table = viralsim::metrics::MetricTable::campaign(&ctx, &ens);
    viralsim::export::write_trials_csv(&path, &table, ens.len()).unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let (conv, rev, cost, profit) = (col("converted"), col("revenue"), col("cost"), col("profit"));
    let (mut with_blogger, mut without, mut cost_sum) = (0, 0, 0.0);
    for line in lines {
        let f: Vec<f64> = line.split(',').map(|x| x.parse().unwrap()).collect();
        let (c, r, k, p) = (f[conv], f[rev], f[cost], f[profit]);
        assert_eq!(r, 10.0 * c, "{line}");
        match c as u32 {
            10 => {
                with_blogger += 1;
                assert_eq!(k, 50.0 + 101.0, "{line}");
            }
            2 => {
                without += 1;
                assert_eq!(k, 50.0 + 2.0, "{line}");
            }
            _ => panic!("unexpected conversions: {line}"),
        }
        assert_eq!(p, r - k, "{line}");
        cost_sum += k;
    }
    assert!(
        with_blogger > 0 && without > 0,
        "{with_blogger} / {without}"
    );
    assert_eq!(with_blogger + without, 400);
    assert!((cost_sum / 400.0 - sum.metrics["cost"].mean).abs() < 1e-9);
    // Without [economics] the columns are not there.
    let mut plain = ctx.clone();
    plain.economics = None;
    let table = viralsim::metrics::MetricTable::campaign(&plain, &ens);
    viralsim::export::write_trials_csv(&path, &table, ens.len()).unwrap();
    let header = std::fs::read_to_string(&path).unwrap();
    assert!(!header.lines().next().unwrap().contains("revenue"));
}
