//! Seeded random-graph generators. Each validates its arguments and returns
//! a [`Topology`]: a list of ties that [`crate::graph::io`] or the scenario
//! layer turns into a [`crate::graph::SocialGraph`] with trust and people.

use crate::error::{Error, Result};
use crate::rng::{below, unit};
use rand::Rng;

/// Ties produced by a generator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topology {
    /// Number of people.
    pub nodes: usize,
    /// Ties `(u, v)` with `u != v`, each listed once.
    pub ties: Vec<(u32, u32)>,
    /// When false, each tie stands for both arcs `u → v` and `v → u`.
    pub directed: bool,
}

impl Topology {
    /// Number of arcs once undirected ties are doubled.
    pub fn arc_count(&self) -> usize {
        if self.directed {
            self.ties.len()
        } else {
            2 * self.ties.len()
        }
    }
}

fn check_nodes(key: &str, nodes: usize, min: usize) -> Result<()> {
    if nodes < min || nodes > super::MAX_NODES {
        return Err(Error::param(
            key,
            format!(
                "nodes = {nodes} must be between {min} and {}",
                super::MAX_NODES
            ),
        ));
    }
    Ok(())
}

/// Erdős–Rényi G(n, p) with p = mean_degree / (n − 1), by geometric skipping
/// (Batagelj & Brandes 2005). Undirected: each pair once; directed: each
/// ordered pair once, so the mean out-degree is `mean_degree` either way.
///
/// # Errors
/// [`Error::Parameter`] when n < 2 or mean_degree is outside [0, n − 1].
///
/// Complexity: O(n + m) expected.
pub fn erdos_renyi<R: Rng + ?Sized>(
    nodes: usize,
    mean_degree: f64,
    directed: bool,
    rng: &mut R,
) -> Result<Topology> {
    check_nodes("[graph].nodes", nodes, 2)?;
    if !(mean_degree >= 0.0 && mean_degree <= (nodes - 1) as f64) {
        return Err(Error::param(
            "[graph].mean_degree",
            format!(
                "{mean_degree} must be between 0 and nodes − 1 = {}",
                nodes - 1
            ),
        ));
    }
    let p = mean_degree / (nodes - 1) as f64;
    let expected = if directed {
        p * (nodes as f64) * (nodes - 1) as f64
    } else {
        p * (nodes as f64) * (nodes - 1) as f64 / 2.0
    };
    let mut ties = Vec::with_capacity((expected * 1.01 + 16.0) as usize);
    if p <= 0.0 {
        return Ok(Topology {
            nodes,
            ties,
            directed,
        });
    }
    let n = nodes as i64;
    if p >= 1.0 {
        for u in 0..nodes as u32 {
            for v in 0..nodes as u32 {
                if u != v && (directed || u < v) {
                    ties.push((u, v));
                }
            }
        }
        return Ok(Topology {
            nodes,
            ties,
            directed,
        });
    }
    let lq = (1.0 - p).ln();
    // Walk the cells of the adjacency matrix (lower triangle when undirected,
    // all off-diagonal cells when directed) in row order, skipping geometric gaps.
    let mut v: i64 = if directed { 0 } else { 1 };
    let mut w: i64 = -1;
    let row_len = |v: i64| if directed { n - 1 } else { v };
    loop {
        let r = 1.0 - unit(rng); // (0, 1]
        w += 1 + (r.ln() / lq).floor() as i64;
        while v < n && w >= row_len(v) {
            w -= row_len(v);
            v += 1;
        }
        if v >= n {
            break;
        }
        let target = if directed && w >= v { w + 1 } else { w };
        ties.push((v as u32, target as u32));
    }
    Ok(Topology {
        nodes,
        ties,
        directed,
    })
}

/// Barabási–Albert preferential attachment: starts from a clique of m + 1
/// people; each later person ties to m distinct earlier people chosen with
/// probability proportional to degree. Undirected; exactly
/// m(m + 1)/2 + (n − m − 1)·m ties.
///
/// # Errors
/// [`Error::Parameter`] when m < 1 or n ≤ m.
///
/// Complexity: O(n·m) expected.
pub fn barabasi_albert<R: Rng + ?Sized>(nodes: usize, m: usize, rng: &mut R) -> Result<Topology> {
    if m < 1 {
        return Err(Error::param("[graph].m", format!("m = {m} must be ≥ 1")));
    }
    check_nodes("[graph].nodes", nodes, m + 1)?;
    let mut ties = Vec::with_capacity(m * (m + 1) / 2 + (nodes - m - 1) * m);
    // Each tie endpoint appears once in `ends`: sampling it is sampling by degree.
    let mut ends: Vec<u32> = Vec::with_capacity(2 * ties.capacity());
    for u in 0..=m as u32 {
        for v in 0..u {
            ties.push((v, u));
            ends.push(u);
            ends.push(v);
        }
    }
    let mut chosen: Vec<u32> = Vec::with_capacity(m);
    for u in (m + 1) as u32..nodes as u32 {
        chosen.clear();
        while chosen.len() < m {
            let t = ends[below(rng, ends.len() as u64) as usize];
            if !chosen.contains(&t) {
                chosen.push(t);
            }
        }
        for &t in &chosen {
            ties.push((t, u));
            ends.push(t);
            ends.push(u);
        }
    }
    Ok(Topology {
        nodes,
        ties,
        directed: false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream_rng};
    use std::collections::HashSet;

    fn simple(t: &Topology) -> bool {
        let mut seen = HashSet::new();
        t.ties.iter().all(|&(u, v)| {
            let key = if t.directed {
                (u, v)
            } else {
                (u.min(v), u.max(v))
            };
            u != v && (u as usize) < t.nodes && (v as usize) < t.nodes && seen.insert(key)
        })
    }

    #[test]
    fn er_mean_degree_within_tolerance() {
        for directed in [false, true] {
            let (n, c) = (20_000, 8.0);
            let t = erdos_renyi(n, c, directed, &mut stream_rng(1, Stream::Graph, 0)).unwrap();
            assert!(simple(&t));
            let pairs = if directed {
                n as f64 * (n - 1) as f64
            } else {
                n as f64 * (n - 1) as f64 / 2.0
            };
            let p = c / (n - 1) as f64;
            let sd = (pairs * p * (1.0 - p)).sqrt();
            let got = t.ties.len() as f64;
            assert!(
                (got - pairs * p).abs() < 5.0 * sd,
                "directed={directed}: {got} ties, expected {}",
                pairs * p
            );
        }
    }

    #[test]
    fn er_limits() {
        let mut r = stream_rng(1, Stream::Graph, 0);
        assert!(erdos_renyi(10, 0.0, false, &mut r).unwrap().ties.is_empty());
        assert_eq!(erdos_renyi(10, 9.0, false, &mut r).unwrap().ties.len(), 45);
        assert_eq!(erdos_renyi(10, 9.0, true, &mut r).unwrap().ties.len(), 90);
        assert!(erdos_renyi(10, 10.0, false, &mut r).is_err());
        assert!(erdos_renyi(1, 0.0, false, &mut r).is_err());
    }

    #[test]
    fn ba_exact_tie_count_and_simple() {
        let (n, m) = (5_000, 3);
        let t = barabasi_albert(n, m, &mut stream_rng(2, Stream::Graph, 0)).unwrap();
        assert_eq!(t.ties.len(), m * (m + 1) / 2 + (n - m - 1) * m);
        assert!(simple(&t));
        assert!(barabasi_albert(3, 3, &mut stream_rng(2, Stream::Graph, 0)).is_err());
        assert!(barabasi_albert(10, 0, &mut stream_rng(2, Stream::Graph, 0)).is_err());
    }

    #[test]
    fn seeded_generators_repeat() {
        let a = barabasi_albert(500, 2, &mut stream_rng(5, Stream::Graph, 0)).unwrap();
        let b = barabasi_albert(500, 2, &mut stream_rng(5, Stream::Graph, 0)).unwrap();
        assert_eq!(a, b);
    }
}
