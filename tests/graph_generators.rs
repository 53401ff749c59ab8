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
        t,
        None,
        &[],
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
