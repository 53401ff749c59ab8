//! Bond percolation on an Erdős–Rényi graph: the independent cascade with
//! uniform p (λ = 0, β = 1) from one random seed is the percolation cluster
//! of the seed, whose size is known in the large-n limit.
//!
//! On an undirected ER graph with mean degree c, keeping each tie with
//! probability p gives mean occupied degree a = c·p. For a > 1 a giant
//! cluster of n·S people exists, with S = 1 − exp(−a·S). A random seed lands
//! in it with probability S, so E[engaged] ≈ n·S² (plus the small clusters:
//! (1 − S) times their mean size 1 / (1 − a(1 − S)), about 0.3 people here).

use std::path::Path;
use viralsim::run::{RunSettings, simulate};
use viralsim::scenario::Scenario;

/// Solves S = 1 − exp(−a·S) by fixed-point iteration from S = 1 (which
/// converges to the non-trivial root for a > 1).
fn giant_fraction(a: f64) -> f64 {
    let mut s = 1.0f64;
    for _ in 0..10_000 {
        let next = 1.0 - (-a * s).exp();
        if (next - s).abs() < 1e-15 {
            return next;
        }
        s = next;
    }
    s
}

#[test]
fn giant_fraction_solves_its_equation() {
    for a in [1.2, 2.0, 5.0] {
        let s = giant_fraction(a);
        assert!(s > 0.1 && (s - (1.0 - (-a * s).exp())).abs() < 1e-12);
    }
    assert!((giant_fraction(2.0) - 0.796_812).abs() < 1e-6);
}

#[test]
fn erdos_renyi_cascade_size_matches_percolation_giant_component() {
    let (nodes, c, p, trials) = (20_000usize, 5.0, 0.4, 3_000u64);
    let text = format!(
        r#"
name = "percolation"
seed = 1
trials = {trials}

[graph]
kind = "erdos_renyi"
nodes = {nodes}
mean_degree = {c:?}
directed = false

[content]
stickiness = {p:?}
shareability = 1.0
endorsement = 0.0

[seeding]
strategy = "random"
count = 1
"#
    );
    let s = Scenario::from_toml(&text, "percolation.toml", Path::new("."), "percolation")
        .expect("valid scenario");
    let g = s.build_graph().expect("graph builds");
    let (sum, ens) = simulate(&s, &g, &RunSettings::default()).expect("runs");

    let n = g.node_count() as f64;
    // Use the realised mean degree of this one graph (arcs / n; each tie is
    // two arcs): its edge count is Binomial, sd ≈ 0.45% of c, which would
    // otherwise move n·S² by ≈ 0.6% (≈ 80 people).
    let c_hat = g.arc_count() as f64 / n;
    assert!(
        (c_hat - c).abs() < 0.05,
        "generator's mean degree {c_hat} far from {c}"
    );
    let a = c_hat * p;
    let big_s = giant_fraction(a);
    let small = (1.0 - big_s) / (1.0 - a * (1.0 - big_s));

    // Tolerances. Two sources of error:
    // (1) Monte Carlo: each trial is a fresh percolation, so the per-trial
    //     spread (the seed in or out of the giant, and the giant's own
    //     O(√n) fluctuation) is in the standard error: 4 stderr.
    // (2) This one graph is not the n → ∞ limit. With the mean degree
    //     conditioned on, what is left (the degree sequence's deviation
    //     from Poisson, finite-n corrections) moves the expected giant size
    //     by O(√n) people with a small constant: over six graph seeds at
    //     this n it was within ±10 ≈ 0.07·√n. We allow 0.5·√n ≈ 71 people
    //     on the giant (0.45% of n·S); a 1% error in p moves n·S by ≈ 110.
    let giant_allow = 0.5 * n.sqrt();

    // The large outbreaks: clusters outside the giant are O(log n), so
    // anything above n/10 is the giant.
    let big: Vec<f64> = ens
        .outcomes
        .iter()
        .map(|o| o.engaged as f64)
        .filter(|&x| x > n / 10.0)
        .collect();
    let t = ens.len() as f64;
    let frac = big.len() as f64 / t;
    let se_frac = (big_s * (1.0 - big_s) / t).sqrt();
    let big_mean = big.iter().sum::<f64>() / big.len() as f64;
    let big_sd =
        (big.iter().map(|x| (x - big_mean).powi(2)).sum::<f64>() / (big.len() as f64 - 1.0)).sqrt();
    let big_se = big_sd / (big.len() as f64).sqrt();
    let m = &sum.metrics["engaged"];
    let expected = n * big_s * big_s + small;
    let mean_allow = 4.0 * m.stderr.expect("two or more trials") + 2.0 * big_s * giant_allow;
    eprintln!(
        "percolation: n {n}, c_hat {c_hat:.4}, a {a:.4}, S {big_s:.5}; \
         P(large) {frac:.4} (expected S, se {se_frac:.4}); \
         large mean {big_mean:.1} ± {big_se:.1} (expected n·S = {:.1}); \
         engaged {:.1} ± {:.1} (expected n·S² + small = {expected:.1}, allowed ± {mean_allow:.0})",
        n * big_s,
        m.mean,
        m.stderr.expect("two or more trials")
    );

    assert!(
        (frac - big_s).abs() < 4.0 * se_frac + giant_allow / n,
        "fraction of large outbreaks {frac} vs S = {big_s} (se {se_frac})"
    );
    assert!(
        (big_mean - n * big_s).abs() < 4.0 * big_se + giant_allow,
        "mean large outbreak {big_mean} ± {big_se} vs n·S = {}",
        n * big_s
    );
    assert!(
        (m.mean - expected).abs() < mean_allow,
        "mean engaged {} ± {} vs n·S² = {expected} (allowed ± {mean_allow})",
        m.mean,
        m.stderr.expect("two or more trials")
    );
    // The check must be able to fail: subcritical or p misread by 5% would
    // be far outside the allowance.
    let off = n * giant_fraction(a * 1.05).powi(2) - expected;
    assert!(off > mean_allow, "test too loose: 5% in p is {off} people");
}
