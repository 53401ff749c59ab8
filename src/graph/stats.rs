//! Statistics of a social graph: sizes, degrees, power-law fit, clustering,
//! components, segment and role counts, homophily, trust per tie kind.

use super::SocialGraph;
use super::powerlaw::{self, PowerLawFit};
use crate::rng::{Stream, below, stream_rng};
use serde::Serialize;
use std::collections::BTreeMap;

/// People sampled for the clustering estimate on graphs larger than this
/// (smaller graphs are measured exactly).
pub const CLUSTERING_SAMPLE: usize = 20_000;

/// Summary of a degree distribution.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DegreeSummary {
    /// Mean degree.
    pub mean: f64,
    /// Largest degree.
    pub max: u64,
    /// Quantiles p50, p90, p99, p99.9 (nearest rank).
    pub p50: u64,
    /// 90th percentile.
    pub p90: u64,
    /// 99th percentile.
    pub p99: u64,
    /// 99.9th percentile.
    pub p999: u64,
    /// People with degree 0.
    pub zero: u64,
}

impl DegreeSummary {
    fn of(hist: &[u64]) -> Self {
        let n: u64 = hist.iter().sum();
        let total: u64 = hist.iter().enumerate().map(|(k, &c)| k as u64 * c).sum();
        let q = |p: f64| {
            let rank = ((p * n as f64).ceil() as u64).max(1);
            let mut acc = 0;
            for (k, &c) in hist.iter().enumerate() {
                acc += c;
                if acc >= rank {
                    return k as u64;
                }
            }
            0
        };
        DegreeSummary {
            mean: total as f64 / n.max(1) as f64,
            max: hist.len().saturating_sub(1) as u64,
            p50: q(0.5),
            p90: q(0.9),
            p99: q(0.99),
            p999: q(0.999),
            zero: hist.first().copied().unwrap_or(0),
        }
    }
}

/// Average local clustering coefficient.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Clustering {
    /// Mean over people (people with fewer than 2 contacts count as 0).
    pub mean: f64,
    /// Standard error of the mean (0 when measured exactly).
    pub stderr: f64,
    /// People measured.
    pub people: u64,
    /// True when every person was measured.
    pub exact: bool,
}

/// Weakly connected components.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Components {
    /// Number of components (isolated people count as one each).
    pub count: u64,
    /// People in the largest component.
    pub largest: u64,
    /// Share of people in the largest component.
    pub largest_share: f64,
}

/// Arcs and trust of one tie kind.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct KindStats {
    /// Arcs of this kind.
    pub arcs: u64,
    /// Mean trust on them (null when there are none).
    pub mean_trust: Option<f64>,
    /// Arcs of this kind per person.
    pub mean_degree: f64,
    /// Average clustering of the graph of this kind's arcs alone (null when
    /// the graph has one kind: it is the whole graph's).
    pub clustering: Option<Clustering>,
}

/// Everything `viralsim graph stats` reports.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GraphStats {
    /// People.
    pub nodes: u64,
    /// Arcs (an undirected tie counts twice).
    pub arcs: u64,
    /// Share of arcs `u → v` whose reverse `v → u` also exists.
    pub reciprocity: f64,
    /// Out-degree (audience size: how many see what a person shares).
    pub out_degree: DegreeSummary,
    /// In-degree (how many people a person sees content from).
    pub in_degree: DegreeSummary,
    /// Power law fitted to the out-degrees (discrete MLE, k_min by KS).
    pub power_law: Option<PowerLawFit>,
    /// Average clustering (out-neighbourhoods; the usual one on undirected graphs).
    pub clustering: Clustering,
    /// Weakly connected components.
    pub components: Components,
    /// People per segment.
    pub segments: BTreeMap<String, u64>,
    /// People per audience role.
    pub roles: BTreeMap<String, u64>,
    /// Share of arcs between people of the same segment.
    pub homophily: f64,
    /// Mean trust over all arcs.
    pub mean_trust: Option<f64>,
    /// Arcs and mean trust per tie kind.
    pub kinds: BTreeMap<String, KindStats>,
    /// Bytes held by the graph's arrays, per arc.
    pub bytes_per_arc: f64,
}

/// Out- and in-degree histograms (`hist[k]` = people with degree k).
pub fn degree_histograms(g: &SocialGraph) -> (Vec<u64>, Vec<u64>) {
    let n = g.node_count();
    let mut indeg = vec![0u32; n];
    for &v in g.targets() {
        indeg[v as usize] += 1;
    }
    let mut out_h = Vec::new();
    let mut in_h = Vec::new();
    let bump = |h: &mut Vec<u64>, k: usize| {
        if h.len() <= k {
            h.resize(k + 1, 0);
        }
        h[k] += 1;
    };
    for (u, &d) in indeg.iter().enumerate() {
        bump(&mut out_h, g.out_degree(u as u32));
        bump(&mut in_h, d as usize);
    }
    (out_h, in_h)
}

/// Local clustering of `u` on its out-neighbourhood: arcs among the people
/// `u` reaches over d(d − 1). `stamp` must have n entries; it is reused.
fn local_clustering(
    g: &SocialGraph,
    u: u32,
    stamp: &mut [u32],
    mark: u32,
    kind: Option<u8>,
) -> f64 {
    let t = g.targets();
    let kinds = g.kinds();
    let of_kind = |a: usize| kind.is_none_or(|k| kinds[a] == k);
    let r = g.arc_range(u);
    let mut d = 0usize;
    for a in r.clone() {
        if of_kind(a) {
            stamp[t[a] as usize] = mark;
            d += 1;
        }
    }
    if d < 2 {
        return 0.0;
    }
    let mut links = 0u64;
    for a in r {
        if !of_kind(a) {
            continue;
        }
        for b in g.arc_range(t[a]) {
            links += (of_kind(b) && stamp[t[b] as usize] == mark) as u64;
        }
    }
    links as f64 / (d as f64 * (d - 1) as f64)
}

/// Average clustering: exact for n ≤ `sample`, else over `sample` people
/// drawn uniformly with replacement (stream `stats`), with its standard error.
///
/// Complexity: O(Σ over measured u of Σ_{v → u's contacts} deg v).
pub fn clustering(g: &SocialGraph, sample: usize) -> Clustering {
    clustering_of(g, sample, None)
}

/// As [`clustering`], on the arcs of tie kind `kind` alone when given.
pub fn clustering_of(g: &SocialGraph, sample: usize, kind: Option<u8>) -> Clustering {
    let n = g.node_count();
    if n == 0 {
        return Clustering {
            mean: 0.0,
            stderr: 0.0,
            people: 0,
            exact: true,
        };
    }
    let mut stamp = vec![u32::MAX; n];
    let exact = n <= sample;
    let mut rng = stream_rng(0, Stream::Stats, 0);
    let k = if exact { n } else { sample };
    let (mut s, mut s2) = (0.0, 0.0);
    for i in 0..k {
        let u = g.internal_id(if exact {
            i as u32
        } else {
            below(&mut rng, n as u64) as u32
        });
        let c = local_clustering(g, u, &mut stamp, i as u32, kind);
        s += c;
        s2 += c * c;
    }
    let mean = s / k as f64;
    let var = ((s2 - k as f64 * mean * mean) / (k as f64 - 1.0).max(1.0)).max(0.0);
    Clustering {
        mean,
        stderr: if exact { 0.0 } else { (var / k as f64).sqrt() },
        people: k as u64,
        exact,
    }
}

/// Weakly connected components by union–find.
///
/// Complexity: O(m α(n)).
pub fn components(g: &SocialGraph) -> Components {
    let n = g.node_count();
    let mut parent: Vec<u32> = (0..n as u32).collect();
    fn find(p: &mut [u32], mut x: u32) -> u32 {
        while p[x as usize] != x {
            let gp = p[p[x as usize] as usize];
            p[x as usize] = gp;
            x = gp;
        }
        x
    }
    for u in 0..n as u32 {
        for &v in &g.targets()[g.arc_range(u)] {
            let (a, b) = (find(&mut parent, u), find(&mut parent, v));
            if a != b {
                let (lo, hi) = (a.min(b), a.max(b));
                parent[hi as usize] = lo;
            }
        }
    }
    let mut size = vec![0u32; n];
    let mut count = 0;
    for u in 0..n as u32 {
        let r = find(&mut parent, u);
        if size[r as usize] == 0 {
            count += 1;
        }
        size[r as usize] += 1;
    }
    let largest = size.iter().copied().max().unwrap_or(0) as u64;
    Components {
        count,
        largest,
        largest_share: largest as f64 / n.max(1) as f64,
    }
}

/// Computes all statistics. `clustering_sample` bounds the people measured
/// for clustering (see [`clustering`]).
///
/// Complexity: O(n + m) plus the clustering sample.
pub fn compute(g: &SocialGraph, clustering_sample: usize) -> (GraphStats, Vec<u64>, Vec<u64>) {
    let (out_h, in_h) = degree_histograms(g);
    let v = g.vocabulary();
    let (seg, role) = (g.segments(), g.roles());
    let mut seg_n = vec![0u64; v.segments.len()];
    let mut role_n = vec![0u64; v.roles.len()];
    for u in 0..g.node_count() {
        seg_n[seg[u] as usize] += 1;
        role_n[role[u] as usize] += 1;
    }
    let mut kind_n = vec![0u64; v.kinds.len()];
    let mut kind_t = vec![0f64; v.kinds.len()];
    let mut within = 0u64;
    let mut reciprocal = 0u64;
    let (t, tr, kd) = (g.targets(), g.trust_levels(), g.kinds());
    // In own-id order, so that the trust sums add up in the same order
    // whatever the storage order; lists are sorted by own id.
    for u in g.people_by_id() {
        let own = g.own_id(u);
        for a in g.arc_range(u) {
            let w = t[a];
            kind_n[kd[a] as usize] += 1;
            kind_t[kd[a] as usize] += super::trust_value(tr[a]) as f64;
            within += (seg[u as usize] == seg[w as usize]) as u64;
            reciprocal += t[g.arc_range(w)]
                .binary_search_by_key(&own, |&x| g.own_id(x))
                .is_ok() as u64;
        }
    }
    let m = g.arc_count() as u64;
    let named = |names: &[String], counts: &[u64]| -> BTreeMap<String, u64> {
        names.iter().cloned().zip(counts.iter().copied()).collect()
    };
    let kinds = v
        .kinds
        .iter()
        .enumerate()
        .map(|(i, k)| {
            (
                k.clone(),
                KindStats {
                    arcs: kind_n[i],
                    mean_trust: (kind_n[i] > 0).then(|| kind_t[i] / kind_n[i] as f64),
                    mean_degree: kind_n[i] as f64 / g.node_count().max(1) as f64,
                    clustering: (v.kinds.len() > 1 && kind_n[i] > 0)
                        .then(|| clustering_of(g, clustering_sample, Some(i as u8))),
                },
            )
        })
        .collect();
    let ratio = |a: u64| if m == 0 { 0.0 } else { a as f64 / m as f64 };
    let stats = GraphStats {
        nodes: g.node_count() as u64,
        arcs: m,
        reciprocity: ratio(reciprocal),
        out_degree: DegreeSummary::of(&out_h),
        in_degree: DegreeSummary::of(&in_h),
        power_law: powerlaw::fit(&out_h, None),
        clustering: clustering(g, clustering_sample),
        components: components(g),
        segments: named(&v.segments, &seg_n),
        roles: named(&v.roles, &role_n),
        homophily: ratio(within),
        mean_trust: (m > 0).then(|| kind_t.iter().sum::<f64>() / m as f64),
        kinds,
        bytes_per_arc: g.heap_bytes() as f64 / m.max(1) as f64,
    };
    (stats, out_h, in_h)
}
