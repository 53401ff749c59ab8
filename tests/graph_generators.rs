//! Property tests of the graph generators against theory, with tolerances
//! from the sample size.

use std::collections::HashSet;
use viralsim::graph::audience::Audience;
use viralsim::graph::build::assemble;
use viralsim::graph::generators::{self, BlockDensity, Topology};
use viralsim::graph::powerlaw;
use viralsim::graph::stats;
use viralsim::graph::trust::TrustDist;
use viralsim::graph::{SocialGraph, audience};
use viralsim::rng::{Stream, stream_rng};

fn rng(seed: u64) -> viralsim::rng::Xoshiro256PlusPlus {
    stream_rng(seed, Stream::Graph, 0)
}

/// Self-loops and repeated ties (either direction when undirected) are absent.
fn assert_simple(t: &Topology) {
    let mut seen = HashSet::with_capacity(t.ties.len());
    for &(u, v) in &t.ties {
        assert_ne!(u, v, "self-loop on {u}");
        assert!((u as usize) < t.nodes && (v as usize) < t.nodes);
        let key = if t.directed {
            (u, v)
        } else {
            (u.min(v), u.max(v))
        };
        assert!(seen.insert(key), "repeated tie {u} – {v}");
    }
}

fn graph(t: &Topology) -> SocialGraph {
    let n = t.nodes;
    assemble(
        t.clone(),
        None,
        Vec::new(),
        vec![0; n],
        vec![0; n],
        &Audience::simple(TrustDist::Fixed(0.5)),
        1,
        None,
    )
    .unwrap()
}

#[test]
fn erdos_renyi_mean_degree() {
    let (n, c) = (50_000, 6.0);
    let t = generators::erdos_renyi(n, c, false, &mut rng(11)).unwrap();
    assert_simple(&t);
    let g = graph(&t);
    let mean = g.arc_count() as f64 / n as f64;
    // Ties ~ Binomial(n(n−1)/2, p): sd of the mean degree is 2·sd(ties)/n.
    let p = c / (n - 1) as f64;
    let sd = 2.0 * (n as f64 * (n - 1) as f64 / 2.0 * p * (1.0 - p)).sqrt() / n as f64;
    assert!((mean - c).abs() < 5.0 * sd, "mean degree {mean}, sd {sd}");
}

#[test]
fn barabasi_albert_exact_ties_and_sqrt_growth_of_max_degree() {
    let m = 3;
    let sizes = [5_000usize, 20_000, 80_000, 320_000];
    let mut xs = Vec::new();
    let mut ys = Vec::new();
    for &n in &sizes {
        for seed in 0..4 {
            let t = generators::barabasi_albert(n, m, &mut rng(100 + seed)).unwrap();
            assert_eq!(t.ties.len(), m * (m + 1) / 2 + (n - m - 1) * m);
            if n == sizes[0] {
                assert_simple(&t);
            }
            let mut deg = vec![0u32; n];
            for &(u, v) in &t.ties {
                deg[u as usize] += 1;
                deg[v as usize] += 1;
            }
            xs.push((n as f64).ln());
            ys.push((*deg.iter().max().unwrap() as f64).ln());
        }
    }
    // Least-squares slope of log max degree on log n: theory 1/2.
    let k = xs.len() as f64;
    let (mx, my) = (xs.iter().sum::<f64>() / k, ys.iter().sum::<f64>() / k);
    let sxy: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    let slope = sxy / sxx;
    assert!((slope - 0.5).abs() < 0.1, "max degree grows like n^{slope}");
}

#[test]
fn watts_strogatz_ring_clustering_is_exact() {
    for k in [4usize, 6, 10] {
        let n = 2_000;
        let t = generators::watts_strogatz(n, k, 0.0, &mut rng(3)).unwrap();
        assert_eq!(t.ties.len(), n * k / 2);
        assert_simple(&t);
        let c = stats::clustering(&graph(&t), usize::MAX);
        let theory = 3.0 * (k as f64 - 2.0) / (4.0 * (k as f64 - 1.0));
        assert!(c.exact);
        assert!(
            (c.mean - theory).abs() < 1e-12,
            "k={k}: {} vs {theory}",
            c.mean
        );
    }
}

#[test]
fn watts_strogatz_rewiring_keeps_tie_count_and_lowers_clustering() {
    let (n, k) = (20_000, 8);
    let t = generators::watts_strogatz(n, k, 0.2, &mut rng(4)).unwrap();
    assert_eq!(t.ties.len(), n * k / 2);
    assert_simple(&t);
    // Each tie survives unrewired with probability 0.8; clustering of the
    // rewired graph ≈ C(0)·(1 − p)³ (Barrat & Weigt 2000).
    let c0 = 3.0 * (k as f64 - 2.0) / (4.0 * (k as f64 - 1.0));
    let c = stats::clustering(&graph(&t), usize::MAX).mean;
    let approx = c0 * 0.8f64.powi(3);
    assert!((c - approx).abs() < 0.03, "{c} vs {approx}");
    let t1 = generators::watts_strogatz(n, k, 1.0, &mut rng(4)).unwrap();
    assert_simple(&t1);
}

#[test]
fn powerlaw_cluster_ties_and_triangles() {
    let (n, m) = (30_000, 3);
    let plain = generators::powerlaw_cluster(n, m, 0.0, &mut rng(5)).unwrap();
    let tri = generators::powerlaw_cluster(n, m, 0.9, &mut rng(5)).unwrap();
    for t in [&plain, &tri] {
        assert_eq!(t.ties.len(), m * (m + 1) / 2 + (n - m - 1) * m);
        assert_simple(t);
    }
    let c0 = stats::clustering(&graph(&plain), usize::MAX).mean;
    let c1 = stats::clustering(&graph(&tri), usize::MAX).mean;
    // Holme & Kim 2002: triad formation lifts clustering far above BA's.
    assert!(c1 > 0.2 && c1 > 5.0 * c0, "clustering {c0} → {c1}");
}

#[test]
fn stochastic_block_within_share_matches_homophily() {
    let n = 60_000;
    let block = audience::assign_segments(n, &[0.5, 0.3, 0.2], 9);
    for h in [0.3, 0.8] {
        let d = BlockDensity::Homophily {
            mean_degree: 10.0,
            homophily: h,
        };
        let t = generators::stochastic_block(&block, d, &mut rng(6)).unwrap();
        assert_simple(&t);
        let ties = t.ties.len() as f64;
        let within = t
            .ties
            .iter()
            .filter(|&&(u, v)| block[u as usize] == block[v as usize])
            .count() as f64;
        // Within and between counts are independent binomials with means
        // h·T and (1 − h)·T: the share's sd is about sqrt(h(1 − h)/T).
        let sd = (h * (1.0 - h) / ties).sqrt();
        assert!(
            (within / ties - h).abs() < 5.0 * sd,
            "h={h}: {}",
            within / ties
        );
        let expect = n as f64 * 10.0 / 2.0;
        assert!((ties - expect).abs() < 5.0 * expect.sqrt(), "{ties} ties");
    }
    // Explicit pair probabilities.
    let (pw, pb) = (4e-4, 2e-5);
    let t = generators::stochastic_block(
        &block,
        BlockDensity::Pairs {
            within: pw,
            between: pb,
        },
        &mut rng(7),
    )
    .unwrap();
    let mut size = [0f64; 3];
    block.iter().for_each(|&b| size[b as usize] += 1.0);
    let wp: f64 = size.iter().map(|s| s * (s - 1.0) / 2.0).sum();
    let bp = n as f64 * (n as f64 - 1.0) / 2.0 - wp;
    let within = t
        .ties
        .iter()
        .filter(|&&(u, v)| block[u as usize] == block[v as usize])
        .count() as f64;
    let between = t.ties.len() as f64 - within;
    assert!((within - pw * wp).abs() < 5.0 * (pw * wp).sqrt());
    assert!((between - pb * bp).abs() < 5.0 * (pb * bp).sqrt());
}

#[test]
fn configuration_model_exponent_is_recovered() {
    let (n, alpha, kmin) = (200_000, 2.5, 3);
    let d = generators::powerlaw_degrees(n, alpha, kmin, (n - 1) as u32, &mut rng(8)).unwrap();
    // The sampler itself: exact discrete MLE on the drawn degrees.
    let mut h = vec![0u64; *d.iter().max().unwrap() as usize + 1];
    d.iter().for_each(|&k| h[k as usize] += 1);
    let f = powerlaw::fit(&h, Some(kmin as u64)).unwrap();
    assert!((f.exponent - alpha).abs() < 4.0 * f.stderr, "{f:?}");
    // The erased configuration model on them: a few hub ties are lost, so
    // allow the fitter 4 standard errors plus 0.02.
    let t = generators::configuration(&d, &mut rng(9)).unwrap();
    assert_simple(&t);
    let (oh, _) = stats::degree_histograms(&graph(&t));
    let f = powerlaw::fit(&oh, Some(kmin as u64)).unwrap();
    assert!(
        (f.exponent - alpha).abs() < 4.0 * f.stderr + 0.02,
        "configuration: {f:?}"
    );
    // With k_min chosen by KS, the estimate stays close.
    let auto = powerlaw::fit(&oh, None).unwrap();
    assert!((auto.exponent - alpha).abs() < 0.1, "{auto:?}");
}

#[test]
fn generators_are_deterministic() {
    let a = generators::watts_strogatz(1000, 6, 0.3, &mut rng(1)).unwrap();
    let b = generators::watts_strogatz(1000, 6, 0.3, &mut rng(1)).unwrap();
    assert_eq!(a, b);
    let a = generators::powerlaw_cluster(1000, 2, 0.5, &mut rng(1)).unwrap();
    let b = generators::powerlaw_cluster(1000, 2, 0.5, &mut rng(1)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn generators_reject_bad_parameters() {
    assert!(generators::watts_strogatz(10, 3, 0.1, &mut rng(1)).is_err());
    assert!(generators::watts_strogatz(10, 10, 0.1, &mut rng(1)).is_err());
    assert!(generators::watts_strogatz(10, 4, 1.5, &mut rng(1)).is_err());
    assert!(generators::powerlaw_cluster(10, 0, 0.1, &mut rng(1)).is_err());
    assert!(generators::powerlaw_cluster(10, 2, -0.1, &mut rng(1)).is_err());
    assert!(generators::powerlaw_degrees(10, 1.0, 1, 5, &mut rng(1)).is_err());
    assert!(generators::configuration(&[5, 1, 1], &mut rng(1)).is_err());
    let block = vec![0u16, 1, 0, 1];
    let d = BlockDensity::Homophily {
        mean_degree: 3.0,
        homophily: 1.0,
    };
    assert!(generators::stochastic_block(&block, d, &mut rng(1)).is_err());
}

/// Builds `toml`'s graph on a rayon pool of `threads` threads.
fn build_on(threads: usize, toml: &str) -> SocialGraph {
    let s = viralsim::scenario::Scenario::from_toml(
        toml,
        "threads.toml",
        std::path::Path::new("."),
        "threads",
    )
    .unwrap();
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(|| s.build_graph_in_input_order_with(None).unwrap())
}

/// Generators, follower layer, tie kinds and trust are drawn per block and
/// per person: the same graph for 1 and 2 threads, byte for byte, for each
/// parallel generator (with several blocks and scatter ranges).
#[test]
fn graphs_are_the_same_for_1_and_2_threads() {
    let tail = r#"
[audience]
segments = [{ name = "a", share = 0.5 }, { name = "b", share = 0.3 }, { name = "c", share = 0.2 }]
[[audience.roles]]
name = "employee"
count = 3000
[[audience.roles]]
name = "blogger"
share = 0.002
followers = 200
followers_exponent = 2.5
[[audience.roles]]
name = "brand"
count = 1
followers = 30000
[[audience.tie_kinds]]
name = "family"
within = 0.3
between = 0.1
trust = { distribution = "beta", alpha = 8.0, beta = 2.0 }
[[audience.tie_kinds]]
name = "friend"
within = 0.7
between = 0.9
trust = { distribution = "uniform", low = 0.2, high = 0.8 }
[[audience.tie_kinds]]
name = "colleague"
roles = ["employee"]
within = 3.0
between = 3.0
[[audience.tie_kinds]]
name = "follower"
trust = { distribution = "beta", alpha = 2.0, beta = 6.0 }
[content]
stickiness = 0.05
[seeding]
strategy = "random"
count = 1
"#;
    for graph in [
        "kind = \"stochastic_block\"\nnodes = 70000\nmean_degree = 8\nhomophily = 0.7",
        "kind = \"erdos_renyi\"\nnodes = 50000\nmean_degree = 6",
        "kind = \"erdos_renyi\"\nnodes = 50000\nmean_degree = 6\ndirected = true",
        "kind = \"barabasi_albert\"\nnodes = 40000\nm = 3",
    ] {
        let toml = format!("seed = 5\ntrials = 1\n[graph]\n{graph}\n{tail}");
        let one = build_on(1, &toml);
        let two = build_on(2, &toml);
        assert!(
            one.arc_count() > 100_000,
            "{graph}: {} arcs",
            one.arc_count()
        );
        assert!(
            one == two,
            "{graph}: the graphs differ between 1 and 2 threads"
        );
    }
    // Layers (pairs tied by two layers keep the first layer's kind).
    let layered = r#"seed = 5
trials = 1
[graph]
kind = "layered"
nodes = 40000
[audience]
segments = [{ name = "a", share = 0.6 }, { name = "b", share = 0.4 }]
[[audience.roles]]
name = "blogger"
share = 0.002
followers = 200
[[audience.tie_kinds]]
name = "follower"
trust = { distribution = "beta", alpha = 2.0, beta = 6.0 }
[[audience.layers]]
kind = "household"
sizes = [0.3, 0.3, 0.2, 0.2]
[[audience.layers]]
kind = "friends"
k = 6
rewire = 0.2
[[audience.layers]]
kind = "community"
mean_degree = 3
[content]
stickiness = 0.05
[seeding]
strategy = "random"
count = 1
"#;
    let one = build_on(1, layered);
    let two = build_on(2, layered);
    assert!(
        one.arc_count() > 100_000,
        "layered: {} arcs",
        one.arc_count()
    );
    assert!(
        one == two,
        "layered: the graphs differ between 1 and 2 threads"
    );
}

/// The follower layer, drawn in blocks of holders: every holder has the
/// followers its role gives (fixed counts exactly, distinct, never itself),
/// and followers are spread uniformly over everyone.
#[test]
fn followers_in_blocks_are_exact_and_uniform() {
    use viralsim::graph::audience::Followers;
    let n = 100_000usize;
    // Role 1 every 50th person with exactly 40 followers, role 2 one person
    // with 30,000.
    let mut role = vec![0u8; n];
    for u in (0..n).step_by(50) {
        role[u] = 1;
    }
    role[777] = 2;
    let f = |mean| {
        Some(Followers {
            mean,
            exponent: None,
        })
    };
    let arcs = generators::followers(&role, &[None, f(40.0), f(30_000.0)], &mut rng(8));
    let mut out = vec![0u32; n];
    let mut inc = vec![0u32; n];
    let mut seen = HashSet::new();
    for &(u, v) in &arcs {
        assert_ne!(u, v);
        assert!(seen.insert((u, v)), "repeated follower arc {u} -> {v}");
        out[u as usize] += 1;
        inc[v as usize] += 1;
    }
    for u in 0..n {
        let want = match role[u] {
            1 => 40,
            2 => 30_000,
            _ => 0,
        };
        assert_eq!(out[u], want, "person {u}");
    }
    // In-degrees ~ Poisson-like with mean arcs / n; the first and second
    // halves of the people get the same share within 5 sd.
    let total = arcs.len() as f64;
    let first: f64 = inc[..n / 2].iter().map(|&x| x as f64).sum();
    let sd = (total * 0.25).sqrt();
    assert!((first - total / 2.0).abs() < 5.0 * sd, "{first} of {total}");
}
