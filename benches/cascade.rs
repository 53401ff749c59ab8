//! The engine's hot paths: one cascade (`run_trial`) on the built-in default
//! scenario's graph and on a 75k-person Erdős–Rényi graph; the plain kernel
//! against the general one on the same cascades; the memory floor of a
//! cascade (its sharers' arc lists read, and reach marked, with nothing
//! else; each also with the kernel's prefetching of the sharers ahead)
//! beside the whole kernel on the same cascades; and an ensemble of
//! 1000 trials. Fixed seeds; trial numbers cycle through a fixed range so
//! every run measures the same cascades.
//!
//! `VIRALSIM_BENCH_SCENARIO=FILE.toml` runs the `floor` group on that
//! scenario instead (for instance the peer graph's, as written by
//! `benches/peer_compare.py --write-scenarios DIR`); its per-element
//! figures are per examined arc.

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use viralsim::engine::cascade::run_trial_general;
use viralsim::engine::sampling::{mark_reached, prefetch};
use viralsim::engine::{
    Campaign, Compiled, RunOptions, TrialOutcome, Workspace, run_ensemble, run_trial,
};
use viralsim::graph::SocialGraph;
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
        let campaign = Campaign::new(s, &graph).expect("seeding fits the graph");
        let compiled = campaign.compiled();
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
        let campaign = Campaign::new(&s, &graph).expect("seeding fits the graph");
        let compiled = campaign.compiled();
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

/// What one cascade cannot go below, next to what it costs: the same
/// recorded cascades (their sharers, in order) replayed, with throughput in
/// examined arcs (Σ out-degree of the sharers): `read_arcs` only reads each
/// sharer's arc list; `mark_reach` also stamps every arc's target reached
/// (the pass that gives exact reach counts); `read_arcs_prefetched` and
/// `mark_reach_prefetched` are the same with prefetching like the kernel's;
/// `whole_kernel` runs the plain kernel on the same trials, and
/// `whole_kernel_own_order` on the graph stored in its people's own id order
/// instead of the locality order scenario graphs get (same results).
fn floor(c: &mut Criterion) {
    let s = match std::env::var_os("VIRALSIM_BENCH_SCENARIO") {
        Some(path) => Scenario::from_file(Path::new(&path)).expect("a valid scenario file"),
        None => Scenario::from_toml(ER_75K, "bench_er.toml", Path::new("."), "bench_er")
            .expect("valid bench scenario"),
    };
    let graph = s.build_graph().expect("graph builds");
    let campaign = Campaign::new(&s, &graph).expect("seeding fits the graph");
    let compiled = campaign.compiled();
    let (targets, offsets) = (graph.targets(), graph.offsets());
    let list = |u: u32| &targets[offsets[u as usize] as usize..offsets[u as usize + 1] as usize];
    // Record the sharers of trials 0, 1, … (with β = 1 every engaged person
    // shares, so they are the engaged people in order): 1024 trials, or
    // fewer once they hold 20 million examined arcs.
    let mut ws = Workspace::new(graph.node_count());
    let mut sharers: Vec<Vec<u32>> = Vec::new();
    let mut arcs = 0u64;
    while sharers.len() < 1024 && arcs < 20_000_000 {
        run_trial(&compiled, &mut ws, sharers.len() as u64);
        let trial = ws.engaged_in_order().to_vec();
        arcs += trial.iter().map(|&u| list(u).len() as u64).sum::<u64>();
        sharers.push(trial);
    }
    let trials = sharers.len() as u64;
    assert!(arcs > 0, "the floor benchmark needs cascades with sharers");
    let mut g = c.benchmark_group("floor");
    g.sample_size(20);
    g.throughput(Throughput::Elements(arcs));
    // Each pass twice: as is, and with prefetching like the kernel's (the
    // first 8 sharers' offsets at the start; then the offsets of the sharer
    // 8 ahead and the first arcs of the one 3 ahead). The kernel does this
    // per step of the cascade, the replay along all of its sharers.
    let ahead = |trial: &[u32], i: usize| {
        if i == 0 {
            trial
                .iter()
                .take(8)
                .for_each(|&x| prefetch(&offsets[x as usize]));
        }
        if let Some(&x) = trial.get(i + 8) {
            prefetch(&offsets[x as usize]);
        }
        if let Some(&x) = trial.get(i + 3) {
            if let Some(t) = targets.get(offsets[x as usize] as usize) {
                prefetch(t);
            }
        }
    };
    let mut stamps = vec![[0u16; 2]; graph.node_count()];
    let mut epoch = 0u16;
    for prefetching in [false, true] {
        let suffix = if prefetching { "_prefetched" } else { "" };
        g.bench_function(format!("read_arcs{suffix}"), |b| {
            b.iter(|| {
                let mut sum = 0u32;
                for trial in &sharers {
                    for (i, &u) in trial.iter().enumerate() {
                        if prefetching {
                            ahead(trial, i);
                        }
                        sum = list(u).iter().fold(sum, |a, &v| a.wrapping_add(v));
                    }
                }
                black_box(sum)
            })
        });
        g.bench_function(format!("mark_reach{suffix}"), |b| {
            b.iter(|| {
                let mut reached = 0u64;
                for trial in &sharers {
                    if epoch == u16::MAX {
                        stamps.iter_mut().for_each(|s| *s = [0; 2]);
                        epoch = 0;
                    }
                    epoch += 1;
                    for (i, &u) in trial.iter().enumerate() {
                        if prefetching {
                            ahead(trial, i);
                        }
                        reached += mark_reached(&mut stamps, list(u), epoch) as u64;
                    }
                }
                black_box(reached)
            })
        });
    }
    g.bench_function("whole_kernel", |b| {
        b.iter(|| {
            for t in 0..trials {
                black_box(run_trial(&compiled, &mut ws, black_box(t)));
            }
        })
    });
    // The same trials (same results) on the graph stored in its own id
    // order: what the locality order buys.
    let own = SocialGraph::from_petgraph(&graph.to_petgraph(), graph.vocabulary().clone())
        .expect("the graph converts");
    let own_campaign = Campaign::new(&s, &own).expect("seeding fits the graph");
    let own_compiled = own_campaign.compiled();
    g.bench_function("whole_kernel_own_order", |b| {
        b.iter(|| {
            for t in 0..trials {
                black_box(run_trial(&own_compiled, &mut ws, black_box(t)));
            }
        })
    });
    g.finish();
}

fn ensemble(c: &mut Criterion) {
    let mut g = c.benchmark_group("ensemble");
    g.sample_size(10);
    let s = Scenario::builtin_default();
    let graph = s.build_graph().expect("graph builds");
    let campaign = Campaign::new(&s, &graph).expect("seeding fits the graph");
    let compiled = campaign.compiled();
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
                        digest: 0,
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
    targets = one_cascade, kernels, floor, ensemble
}
criterion_main!(benches);
