//! The engine's hot paths: one cascade (`run_trial`) on the built-in default
//! scenario's graph and on a 75k-person Erdős–Rényi graph; the plain kernel
//! against the general one on the same cascades; and an ensemble of 1000
//! trials. Fixed seeds; trial numbers cycle through a fixed range so every
//! run measures the same cascades.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use viralsim::engine::cascade::{run_trial, run_trial_general};
use viralsim::engine::{Compiled, RunOptions, TrialOutcome, Workspace, run_ensemble};
use viralsim::scenario::Scenario;

/// A 75 879-person directed ER graph (the size of the peer graph) with mean
/// out-degree 6.7; σ = 0.2 makes the cascade supercritical (c·σ ≈ 1.3).
const ER_75K: &str = r#"
name = "bench_er"
seed = 11
[graph]
kind = "erdos_renyi"
nodes = 75879
mean_degree = 6.7
directed = true
[content]
stickiness = 0.2
shareability = 1.0
endorsement = 1.0
[seeding]
strategy = "top_degree"
count = 10
"#;

fn one_cascade(c: &mut Criterion) {
    let mut g = c.benchmark_group("one_cascade");
    let default = Scenario::builtin_default();
    let er = Scenario::from_toml(ER_75K, "bench_er.toml", Path::new("."), "bench_er")
        .expect("valid bench scenario");
    for (label, s) in [("default_scenario", &default), ("erdos_renyi_75k", &er)] {
        let graph = s.build_graph().expect("graph builds");
        let compiled = Compiled::new(s, &graph).expect("seeding fits the graph");
        bench_trials(&mut g, label, &compiled, run_trial);
    }
    g.finish();
}

/// Benchmarks `kernel` on `compiled`, cycling through trials 1..1024 so
/// every run measures the same cascades.
fn bench_trials(
    g: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    compiled: &Compiled<'_>,
    kernel: fn(&Compiled<'_>, &mut Workspace, u64) -> TrialOutcome,
) {
    let mut ws = Workspace::new(compiled.graph.node_count());
    let mut trial = 0u64;
    g.bench_function(name, |b| {
        b.iter(|| {
            trial = (trial + 1) % 1024;
            black_box(kernel(compiled, &mut ws, black_box(trial)))
        })
    });
}

/// The lean kernel for plain scenarios and the general kernel make the same
/// draws (a unit test holds them to it), so this compares the cost of the
/// same cascades: skip-sampled (σ = 0.2, ER 75k) and per-arc (σ = 0.3,
/// λ = 1, so p_max ≥ 1/4) regimes.
fn kernels(c: &mut Criterion) {
    let mut g = c.benchmark_group("kernel");
    for (regime, text) in [
        ("skip", ER_75K.to_string()),
        (
            "per_arc",
            ER_75K
                .replace("stickiness = 0.2", "stickiness = 0.3")
                .replace("mean_degree = 6.7", "mean_degree = 3.0"),
        ),
    ] {
        let s = Scenario::from_toml(&text, "bench_er.toml", Path::new("."), "bench_er")
            .expect("valid bench scenario");
        let graph = s.build_graph().expect("graph builds");
        let compiled = Compiled::new(&s, &graph).expect("seeding fits the graph");
        bench_trials(&mut g, &format!("plain_{regime}"), &compiled, run_trial);
        bench_trials(
            &mut g,
            &format!("general_{regime}"),
            &compiled,
            run_trial_general,
        );
    }
    g.finish();
}

fn ensemble(c: &mut Criterion) {
    let mut g = c.benchmark_group("ensemble");
    g.sample_size(10);
    let s = Scenario::builtin_default();
    let graph = s.build_graph().expect("graph builds");
    let compiled = Compiled::new(&s, &graph).expect("seeding fits the graph");
    for (label, threads) in [
        ("default_1000_trials_1_thread", 1),
        ("default_1000_trials_all_threads", 0),
    ] {
        g.bench_function(label, |b| {
            b.iter(|| {
                run_ensemble(
                    &compiled,
                    &RunOptions {
                        trials: 1000,
                        threads,
                        progress: None,
                    },
                )
                .expect("runs")
            })
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots: criterion's plotters backend needs system fonts, which
    // a bare machine does not have (it panics with FontUnavailable).
    config = Criterion::default().without_plots();
    targets = one_cascade, kernels, ensemble
}
criterion_main!(benches);
