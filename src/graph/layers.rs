//! Layered audiences: households, workplaces, friend circles and a sparse
//! community layer, each producing undirected ties of one tie kind, combined
//! into one social graph (`[graph] kind = "layered"` with
//! `[[audience.layers]]`).
//!
//! Each layer draws from its own random stream (stream `graph`, index
//! [`LAYER_STREAM_BASE`] + its position), so adding a layer at the end
//! leaves the earlier layers' ties unchanged. The layers' ties are
//! concatenated in layer order; [`super::build::assemble`] keeps one arc
//! per direction for a pair tied in several layers (or twice in one), with
//! the kind of the first layer that tied it.
//!
//! The rules, in the words of the scenario documentation:
//! - **household**: people are shuffled and dealt into households whose
//!   sizes are drawn from `sizes` (shares of households of 1, 2, … people;
//!   the last share is of households of that size). The first member of a
//!   household is any person left; each further member is, with
//!   probability `same_segment`, a person left in the first member's
//!   segment (while one is left), else any person left. Everyone in a
//!   household is tied to everyone else.
//! - **workplace**: people holding the brand's role (`brand_role`,
//!   default `employee`) form the brand's workplaces (as few as fit
//!   `max_size`, sizes as equal as possible). Every other person works with
//!   probability `employed` (one share, or one per segment); the workers,
//!   shuffled, are dealt into workplaces of sizes drawn from a discrete power
//!   law P(s) ∝ s^(−exponent) on [`min_size`, `max_size`]. Inside a workplace
//!   of s people each pair is tied with probability min(1, contacts/(s − 1)),
//!   so a small one is a clique and everyone has about `contacts` colleagues
//!   in a large one.
//! - **friends**: per segment, its people shuffled onto a ring, each tied to
//!   its k nearest ring neighbours (Watts–Strogatz); each tie is rewired with
//!   probability `rewire` to a person drawn from the same segment with
//!   probability `homophily`, else from everyone.
//! - **community**: Erdős–Rényi ties over everyone with `mean_degree`.
//! - **erdos_renyi**, **barabasi_albert**, **watts_strogatz**,
//!   **powerlaw_cluster**: the generators of `[graph]` as a layer over
//!   everyone (undirected).

use super::generators::{self, Topology};
use crate::error::{Error, Result};
use crate::rng::{Stream, below, stream_rng, unit};
use rand::Rng;
use serde::Serialize;
use std::collections::BTreeMap;

/// Index of the first layer's random stream within stream `graph` (0 is the
/// topology of a one-generator graph, 1 the follower layer).
pub const LAYER_STREAM_BASE: u64 = 16;

/// The default household sizes: shares of households of 1, 2, 3, 4, 5 and
/// 6 people (mean 3.2 people per household).
pub const DEFAULT_HOUSEHOLD_SIZES: [f64; 6] = [0.15, 0.22, 0.22, 0.22, 0.11, 0.08];

/// What a layer generates.
#[derive(Debug, Clone, PartialEq)]
pub enum LayerKind {
    /// Households: cliques with a size distribution.
    Household {
        /// Shares of households of 1, 2, … people (sum 1).
        sizes: Vec<f64>,
        /// Probability that a further member is from the first member's segment.
        same_segment: f64,
    },
    /// Workplaces, the brand's own among them.
    Workplace {
        /// Probability that a person (not of the brand's role) works, per segment.
        employed: Vec<f64>,
        /// Smallest workplace.
        min_size: u32,
        /// Largest workplace (also the brand's workplaces' largest).
        max_size: u32,
        /// Power-law exponent of the size distribution.
        exponent: f64,
        /// Expected colleagues in a large workplace.
        contacts: f64,
        /// The brand's role id, whose holders form the brand's workplaces.
        brand_role: Option<u8>,
    },
    /// Friend circles: a Watts–Strogatz ring per segment.
    Friends {
        /// Ring neighbours (even).
        k: usize,
        /// Rewiring probability.
        rewire: f64,
        /// Probability that a rewired tie stays within the segment.
        homophily: f64,
    },
    /// Acquaintances: Erdős–Rényi over everyone.
    Community {
        /// Expected ties per person.
        mean_degree: f64,
    },
    /// Barabási–Albert over everyone.
    BarabasiAlbert {
        /// Ties per newcomer.
        m: usize,
    },
    /// Watts–Strogatz over everyone.
    WattsStrogatz {
        /// Ring neighbours (even).
        k: usize,
        /// Rewiring probability.
        rewire: f64,
    },
    /// Holme–Kim over everyone.
    PowerlawCluster {
        /// Ties per newcomer.
        m: usize,
        /// Probability that a tie closes a triangle.
        triangle: f64,
    },
}

impl LayerKind {
    /// Arcs per person this layer is expected to make (an upper estimate
    /// for workplaces), for the memory estimate before building.
    pub fn expected_arcs_per_person(&self) -> f64 {
        match self {
            LayerKind::Household { sizes, .. } => {
                let (mut pairs, mut people) = (0.0, 0.0);
                for (i, p) in sizes.iter().enumerate() {
                    let s = (i + 1) as f64;
                    pairs += p * s * (s - 1.0);
                    people += p * s;
                }
                if people > 0.0 { pairs / people } else { 0.0 }
            }
            LayerKind::Workplace {
                employed, contacts, ..
            } => employed.iter().copied().fold(0.0, f64::max) * contacts,
            LayerKind::Friends { k, .. } | LayerKind::WattsStrogatz { k, .. } => *k as f64,
            LayerKind::Community { mean_degree } => *mean_degree,
            LayerKind::BarabasiAlbert { m } | LayerKind::PowerlawCluster { m, .. } => {
                2.0 * *m as f64
            }
        }
    }

    /// The layer's type name as written in a scenario.
    pub fn name(&self) -> &'static str {
        match self {
            LayerKind::Household { .. } => "household",
            LayerKind::Workplace { .. } => "workplace",
            LayerKind::Friends { .. } => "friends",
            LayerKind::Community { .. } => "community",
            LayerKind::BarabasiAlbert { .. } => "barabasi_albert",
            LayerKind::WattsStrogatz { .. } => "watts_strogatz",
            LayerKind::PowerlawCluster { .. } => "powerlaw_cluster",
        }
    }
}

/// One layer: what it generates and the tie kind of its ties.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// What it generates.
    pub kind: LayerKind,
    /// Tie kind id of its ties.
    pub tie_kind: u8,
}

/// The layers' ties, in layer order, with the tie kind of each, and where
/// each layer's ties start.
#[derive(Debug, Clone, Default)]
pub struct LayerTies {
    /// Undirected ties `(u, v)`, `u != v`.
    pub ties: Vec<(u32, u32)>,
    /// Tie kind of each tie.
    pub kinds: Vec<u8>,
    /// Ties generated by each layer.
    pub per_layer: Vec<u64>,
    /// Households' or workplaces' sizes, per layer (empty for other layers).
    pub group_sizes: Vec<Vec<u32>>,
}

/// Ties everyone in `members` to everyone else.
fn clique(members: &[u32], ties: &mut Vec<(u32, u32)>) {
    for (i, &a) in members.iter().enumerate() {
        for &b in &members[i + 1..] {
            ties.push((a, b));
        }
    }
}

/// Ties each pair of `members` with probability `p` by geometric skipping
/// over the pairs in row order.
fn bernoulli_pairs<R: Rng + ?Sized>(
    members: &[u32],
    p: f64,
    rng: &mut R,
    ties: &mut Vec<(u32, u32)>,
) {
    let s = members.len();
    if s < 2 || p <= 0.0 {
        return;
    }
    if p >= 1.0 {
        clique(members, ties);
        return;
    }
    let lq = (1.0 - p).ln();
    let (mut a, mut b) = (0usize, 0usize); // next candidate pair is (a, b + 1)
    loop {
        let r = unit(rng);
        let skip = ((1.0 - r).ln() / lq).floor();
        let skip = if skip.is_finite() && skip < 1e18 {
            skip as u64
        } else {
            u64::MAX
        };
        // Move skip + 1 pairs forward from (a, b).
        let mut step = skip.saturating_add(1);
        loop {
            let left = (s - 1 - b) as u64; // pairs left in row a after b
            if step <= left {
                b += step as usize;
                break;
            }
            step -= left;
            a += 1;
            if a >= s - 1 {
                return;
            }
            b = a;
        }
        ties.push((members[a], members[b]));
    }
}

/// Pools of people left per segment, for drawing a person left uniformly
/// or from one segment.
struct Pools {
    by_segment: Vec<Vec<u32>>,
    left: u64,
}

impl Pools {
    fn new<R: Rng + ?Sized>(
        people: impl Iterator<Item = (u32, u16)>,
        segments: usize,
        rng: &mut R,
    ) -> Self {
        let mut by_segment = vec![Vec::new(); segments];
        for (p, s) in people {
            by_segment[s as usize].push(p);
        }
        for pool in &mut by_segment {
            // Fisher–Yates: popping from the end then draws uniformly.
            for i in (1..pool.len()).rev() {
                let j = below(rng, i as u64 + 1) as usize;
                pool.swap(i, j);
            }
        }
        let left = by_segment.iter().map(|p| p.len() as u64).sum();
        Pools { by_segment, left }
    }

    fn any<R: Rng + ?Sized>(&mut self, rng: &mut R) -> Option<(u32, usize)> {
        if self.left == 0 {
            return None;
        }
        let mut r = below(rng, self.left);
        for (s, pool) in self.by_segment.iter_mut().enumerate() {
            let n = pool.len() as u64;
            if r < n {
                self.left -= 1;
                return pool.pop().map(|p| (p, s));
            }
            r -= n;
        }
        None
    }

    fn of(&mut self, s: usize) -> Option<u32> {
        let p = self.by_segment[s].pop()?;
        self.left -= 1;
        Some(p)
    }
}

/// Draws an index from cumulative weights `cum` (last = total).
fn draw_index<R: Rng + ?Sized>(cum: &[f64], rng: &mut R) -> usize {
    let total = *cum.last().unwrap_or(&0.0);
    let x = unit(rng) * total;
    cum.partition_point(|&c| c <= x).min(cum.len() - 1)
}

fn cumulative(w: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    w.map(|x| {
        acc += x;
        acc
    })
    .collect()
}

fn households<R: Rng + ?Sized>(
    segment: &[u16],
    segments: usize,
    sizes: &[f64],
    same_segment: f64,
    rng: &mut R,
    ties: &mut Vec<(u32, u32)>,
) -> Vec<u32> {
    let mut pools = Pools::new(
        segment.iter().enumerate().map(|(i, &s)| (i as u32, s)),
        segments,
        rng,
    );
    let cum = cumulative(sizes.iter().copied());
    let mut out = Vec::new();
    let mut members = Vec::new();
    while let Some((head, hs)) = pools.any(rng) {
        let size = draw_index(&cum, rng) + 1;
        members.clear();
        members.push(head);
        while members.len() < size {
            let same = same_segment > 0.0 && unit(rng) < same_segment;
            let next = if same {
                pools.of(hs).or_else(|| pools.any(rng).map(|x| x.0))
            } else {
                pools.any(rng).map(|x| x.0)
            };
            match next {
                Some(p) => members.push(p),
                None => break,
            }
        }
        clique(&members, ties);
        out.push(members.len() as u32);
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn workplaces<R: Rng + ?Sized>(
    segment: &[u16],
    role: &[u8],
    employed: &[f64],
    (min_size, max_size): (u32, u32),
    exponent: f64,
    contacts: f64,
    brand_role: Option<u8>,
    rng: &mut R,
    ties: &mut Vec<(u32, u32)>,
) -> Vec<u32> {
    let mut out = Vec::new();
    let tie_group = |members: &[u32], rng: &mut R, ties: &mut Vec<(u32, u32)>| {
        let s = members.len();
        if s >= 2 {
            bernoulli_pairs(members, (contacts / (s - 1) as f64).min(1.0), rng, ties);
        }
    };
    // The brand's workplaces first.
    let brand: Vec<u32> = match brand_role {
        Some(r) => (0..role.len() as u32)
            .filter(|&p| role[p as usize] == r)
            .collect(),
        None => Vec::new(),
    };
    if !brand.is_empty() {
        let k = brand.len().div_ceil(max_size as usize);
        let (q, rem) = (brand.len() / k, brand.len() % k);
        let mut at = 0;
        for i in 0..k {
            let s = q + usize::from(i < rem);
            tie_group(&brand[at..at + s], rng, ties);
            out.push(s as u32);
            at += s;
        }
    }
    // Everyone else who works.
    let mut workers: Vec<u32> = (0..segment.len() as u32)
        .filter(|&p| brand_role != Some(role[p as usize]))
        .filter(|&p| {
            let e = employed[segment[p as usize] as usize];
            e >= 1.0 || (e > 0.0 && unit(rng) < e)
        })
        .collect();
    for i in (1..workers.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        workers.swap(i, j);
    }
    let cum = cumulative((min_size..=max_size).map(|s| (s as f64).powf(-exponent)));
    let mut at = 0;
    while at < workers.len() {
        let s = (min_size as usize + draw_index(&cum, rng)).min(workers.len() - at);
        tie_group(&workers[at..at + s], rng, ties);
        out.push(s as u32);
        at += s;
    }
    out
}

fn friends<R: Rng + ?Sized>(
    segment: &[u16],
    segments: usize,
    k: usize,
    rewire: f64,
    homophily: f64,
    rng: &mut R,
    ties: &mut Vec<(u32, u32)>,
) {
    let n = segment.len() as u64;
    let mut by_segment = vec![Vec::new(); segments];
    for (p, &s) in segment.iter().enumerate() {
        by_segment[s as usize].push(p as u32);
    }
    for ring in &mut by_segment {
        for i in (1..ring.len()).rev() {
            let j = below(rng, i as u64 + 1) as usize;
            ring.swap(i, j);
        }
    }
    for ring in &by_segment {
        let s = ring.len();
        if s < 2 {
            continue;
        }
        if s <= k + 1 {
            // Fewer people than a ring neighbourhood: everyone is a friend.
            clique(ring, ties);
            continue;
        }
        for i in 0..s {
            for j in 1..=k / 2 {
                let u = ring[i];
                let mut v = ring[(i + j) % s];
                if rewire > 0.0 && unit(rng) < rewire {
                    // A new end, never u itself.
                    loop {
                        let w = if unit(rng) < homophily {
                            ring[below(rng, s as u64) as usize]
                        } else {
                            below(rng, n) as u32
                        };
                        if w != u {
                            v = w;
                            break;
                        }
                    }
                }
                ties.push((u, v));
            }
        }
    }
}

fn undirected(t: Topology) -> Vec<(u32, u32)> {
    debug_assert!(!t.directed);
    t.ties
}

/// Generates every layer's ties over the people with `segment` and `role`
/// (`segments` segments) from `seed`.
///
/// # Errors
/// [`Error::Parameter`] from a generator layer's checks (naming
/// `[audience].layers[i]`).
pub fn generate(
    layers: &[Layer],
    segment: &[u16],
    segments: usize,
    role: &[u8],
    seed: u64,
) -> Result<LayerTies> {
    let n = segment.len();
    let mut out = LayerTies::default();
    for (i, layer) in layers.iter().enumerate() {
        let mut rng = stream_rng(seed, Stream::Graph, LAYER_STREAM_BASE + i as u64);
        let before = out.ties.len();
        let at = |e: Error| match e {
            Error::Parameter { key, msg } => Error::Parameter {
                key: format!("[audience].layers[{i}] ({}): {key}", layer.kind.name()),
                msg,
            },
            other => other,
        };
        let mut groups = Vec::new();
        match &layer.kind {
            LayerKind::Household {
                sizes,
                same_segment,
            } => {
                groups = households(
                    segment,
                    segments,
                    sizes,
                    *same_segment,
                    &mut rng,
                    &mut out.ties,
                );
            }
            LayerKind::Workplace {
                employed,
                min_size,
                max_size,
                exponent,
                contacts,
                brand_role,
            } => {
                groups = workplaces(
                    segment,
                    role,
                    employed,
                    (*min_size, *max_size),
                    *exponent,
                    *contacts,
                    *brand_role,
                    &mut rng,
                    &mut out.ties,
                );
            }
            LayerKind::Friends {
                k,
                rewire,
                homophily,
            } => friends(
                segment,
                segments,
                *k,
                *rewire,
                *homophily,
                &mut rng,
                &mut out.ties,
            ),
            LayerKind::Community { mean_degree } => out.ties.extend(undirected(
                generators::erdos_renyi(n, *mean_degree, false, &mut rng).map_err(at)?,
            )),
            LayerKind::BarabasiAlbert { m } => out.ties.extend(undirected(
                generators::barabasi_albert(n, *m, &mut rng).map_err(at)?,
            )),
            LayerKind::WattsStrogatz { k, rewire } => out.ties.extend(undirected(
                generators::watts_strogatz(n, *k, *rewire, &mut rng).map_err(at)?,
            )),
            LayerKind::PowerlawCluster { m, triangle } => out.ties.extend(undirected(
                generators::powerlaw_cluster(n, *m, *triangle, &mut rng).map_err(at)?,
            )),
        }
        let made = out.ties.len() - before;
        out.kinds.extend(std::iter::repeat_n(layer.tie_kind, made));
        out.per_layer.push(made as u64);
        out.group_sizes.push(groups);
    }
    Ok(out)
}

/// Groups of a household or workplace layer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupStats {
    /// Groups (households, workplaces).
    pub count: u64,
    /// People in them.
    pub people: u64,
    /// Mean people per group.
    pub mean_size: f64,
    /// Largest group.
    pub max_size: u32,
    /// Groups of 1, 2, … people; the last entry counts groups of that size
    /// or more (households: 6+; workplaces: sizes 1–10 and 11+).
    pub sizes: Vec<u64>,
    /// Ties if every group were a clique: Σ s(s − 1)/2.
    pub clique_ties: u64,
}

/// What `viralsim graph stats` reports per layer from its generated ties
/// (arcs, degree, clustering and trust of its kind come from the graph).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LayerStats {
    /// Layer type (`household`, …).
    pub layer: String,
    /// Tie kind of its ties.
    pub tie_kind: String,
    /// Ties generated (before pairs tied by an earlier layer are dropped).
    pub ties: u64,
    /// Ties whose pair an earlier layer (or this one) had already tied,
    /// per that layer's tie kind: the overlap of layers.
    pub overlap: BTreeMap<String, u64>,
    /// Households or workplaces.
    pub groups: Option<GroupStats>,
}

/// Per-layer statistics of `lt`; `kind_names` names the tie kinds.
///
/// Complexity: O(m log m) time and 12 bytes per tie.
pub fn layer_stats(layers: &[Layer], lt: &LayerTies, kind_names: &[String]) -> Vec<LayerStats> {
    // Pairs sorted with their layer: a pair's later occurrences overlap its first.
    let mut keyed: Vec<(u64, u32)> = Vec::with_capacity(lt.ties.len());
    let mut at = 0usize;
    for (i, &made) in lt.per_layer.iter().enumerate() {
        for &(u, v) in &lt.ties[at..at + made as usize] {
            let (a, b) = if u < v { (u, v) } else { (v, u) };
            keyed.push(((a as u64) << 32 | b as u64, i as u32));
        }
        at += made as usize;
    }
    keyed.sort_unstable();
    let mut overlap: Vec<BTreeMap<String, u64>> = vec![BTreeMap::new(); layers.len()];
    let mut j = 0;
    while j < keyed.len() {
        let first = keyed[j];
        let mut k = j + 1;
        while k < keyed.len() && keyed[k].0 == first.0 {
            let name = kind_names[layers[first.1 as usize].tie_kind as usize].clone();
            *overlap[keyed[k].1 as usize].entry(name).or_default() += 1;
            k += 1;
        }
        j = k;
    }
    layers
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let sizes = &lt.group_sizes[i];
            let groups = (!sizes.is_empty()).then(|| {
                let buckets = match l.kind {
                    LayerKind::Household { ref sizes, .. } => sizes.len().max(6),
                    _ => 11,
                };
                let mut hist = vec![0u64; buckets];
                for &s in sizes {
                    hist[(s as usize).clamp(1, buckets) - 1] += 1;
                }
                let people: u64 = sizes.iter().map(|&s| s as u64).sum();
                GroupStats {
                    count: sizes.len() as u64,
                    people,
                    mean_size: people as f64 / sizes.len() as f64,
                    max_size: sizes.iter().copied().max().unwrap_or(0),
                    sizes: hist,
                    clique_ties: sizes
                        .iter()
                        .map(|&s| s as u64 * (s as u64).saturating_sub(1) / 2)
                        .sum(),
                }
            });
            LayerStats {
                layer: l.kind.name().to_string(),
                tie_kind: kind_names[l.tie_kind as usize].clone(),
                ties: lt.per_layer[i],
                overlap: std::mem::take(&mut overlap[i]),
                groups,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bernoulli_pairs_covers_every_pair_at_p_one_and_none_at_zero() {
        let m: Vec<u32> = (10..20).collect();
        let mut rng = stream_rng(1, Stream::Graph, 0);
        let mut t = Vec::new();
        bernoulli_pairs(&m, 1.0, &mut rng, &mut t);
        assert_eq!(t.len(), 45);
        t.clear();
        bernoulli_pairs(&m, 0.0, &mut rng, &mut t);
        assert!(t.is_empty());
    }

    #[test]
    fn bernoulli_pairs_has_the_binomial_mean_and_distinct_pairs() {
        let m: Vec<u32> = (0..200).collect();
        let pairs = 200.0 * 199.0 / 2.0;
        let p = 0.05;
        let mut total = 0usize;
        let reps = 200;
        for r in 0..reps {
            let mut rng = stream_rng(r, Stream::Graph, 0);
            let mut t = Vec::new();
            bernoulli_pairs(&m, p, &mut rng, &mut t);
            let mut s = t.clone();
            s.sort_unstable();
            s.dedup();
            assert_eq!(s.len(), t.len(), "a pair drawn twice");
            assert!(t.iter().all(|&(a, b)| a < b));
            total += t.len();
        }
        let mean = total as f64 / reps as f64;
        let se = (pairs * p * (1.0 - p) / reps as f64).sqrt();
        assert!(
            (mean - pairs * p).abs() < 4.0 * se,
            "{mean} vs {}",
            pairs * p
        );
    }
}
