//! Graph generation at 10^5 and 10^6 people: topology alone per generator,
//! and a whole audience (segments, roles, kinds, trust, follower layer)
//! through `Scenario::build_graph`. Fixed seeds.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;
use viralsim::graph::audience;
use viralsim::graph::generators::{self, BlockDensity};
use viralsim::rng::{Stream, stream_rng};
use viralsim::scenario::Scenario;

fn topology(c: &mut Criterion) {
    let mut g = c.benchmark_group("topology");
    g.sample_size(10);
    for n in [100_000usize, 1_000_000] {
        let rng = || stream_rng(1, Stream::Graph, 0);
        g.bench_with_input(BenchmarkId::new("erdos_renyi_c10", n), &n, |b, &n| {
            b.iter(|| generators::erdos_renyi(n, 10.0, false, &mut rng()).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("barabasi_albert_m5", n), &n, |b, &n| {
            b.iter(|| generators::barabasi_albert(n, 5, &mut rng()).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("watts_strogatz_k10", n), &n, |b, &n| {
            b.iter(|| generators::watts_strogatz(n, 10, 0.1, &mut rng()).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("powerlaw_cluster_m5", n), &n, |b, &n| {
            b.iter(|| generators::powerlaw_cluster(n, 5, 0.5, &mut rng()).unwrap())
        });
        let block = audience::assign_segments(n, &[0.5, 0.3, 0.2], 1);
        g.bench_with_input(BenchmarkId::new("stochastic_block_c10", n), &n, |b, _| {
            let d = BlockDensity::Homophily {
                mean_degree: 10.0,
                homophily: 0.8,
            };
            b.iter(|| generators::stochastic_block(black_box(&block), d, &mut rng()).unwrap())
        });
        g.bench_with_input(BenchmarkId::new("configuration_a2.5", n), &n, |b, &n| {
            b.iter(|| {
                let mut r = rng();
                let d = generators::powerlaw_degrees(n, 2.5, 3, (n - 1) as u32, &mut r).unwrap();
                generators::configuration(&d, &mut r).unwrap()
            })
        });
    }
    g.finish();
}

fn whole_audience(c: &mut Criterion) {
    let mut g = c.benchmark_group("build_graph");
    g.sample_size(10);
    for n in [100_000usize, 1_000_000] {
        let text = format!(
            r#"
seed = 1
[graph]
kind = "stochastic_block"
nodes = {n}
mean_degree = 10
homophily = 0.75
[audience]
segments = [{{ name = "a", share = 0.5 }}, {{ name = "b", share = 0.5 }}]
[[audience.roles]]
name = "blogger"
share = 0.001
followers = 500
[[audience.tie_kinds]]
name = "family"
within = 0.3
between = 0.1
trust = {{ distribution = "beta", alpha = 8.0, beta = 2.0 }}
[[audience.tie_kinds]]
name = "friend"
trust = {{ distribution = "uniform", low = 0.2, high = 0.8 }}
[content]
stickiness = 0.05
[seeding]
strategy = "random"
count = 1
"#
        );
        let s = Scenario::from_toml(&text, "bench.toml", Path::new("."), "bench").unwrap();
        g.bench_with_input(BenchmarkId::new("sbm_audience_c10", n), &n, |b, _| {
            b.iter(|| s.build_graph().unwrap())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    // No HTML plots: they need system fonts this machine may not have.
    config = Criterion::default().without_plots();
    targets = topology, whole_audience
}
criterion_main!(benches);
