//! Seeded random-graph generators. Each validates its arguments and returns
//! a [`Topology`]: a list of ties that [`super::build::assemble`] turns into
//! a [`crate::graph::SocialGraph`] with trust and people ([`super::build()`]
//! runs the whole chain for a [`super::GraphSpec`]).

use crate::error::{Error, Result};
use crate::rng::{Xoshiro256PlusPlus, below, mix64, unit};
use rand::{Rng, SeedableRng};
use rayon::prelude::*;

/// Source rows (people, or members of a block) per block of the parallel
/// generators ([`erdos_renyi`], [`stochastic_block`], [`followers`]): each
/// block draws from its own stream, seeded from one draw of the caller's
/// generator and the block's index, and blocks are concatenated in order, so
/// the result does not depend on the thread count.
pub const BLOCK_ROWS: u64 = 1 << 14;

/// Blocks generated at once (bounds the memory of unmerged blocks).
const WAVE: usize = 256;

/// The stream of block `j` of a generator whose caller's draw was `base`.
fn block_rng(base: u64, j: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(mix64(base ^ mix64(j)))
}

/// Runs `gen(j, rng, out)` for the blocks `0..blocks` on the rayon pool, each
/// with [`block_rng`]`(base, j)` and its own output, and concatenates the
/// outputs in block order into a vector of capacity `capacity`.
fn par_blocks<T: Send>(
    blocks: usize,
    base: u64,
    capacity: usize,
    generate: impl Fn(usize, &mut Xoshiro256PlusPlus, &mut Vec<T>) + Sync,
) -> Vec<T> {
    let mut out = Vec::with_capacity(capacity);
    // Each wave is appended while the next one is generated.
    let mut ready: Vec<Vec<T>> = Vec::new();
    for wave in (0..blocks).step_by(WAVE) {
        let (parts, ()) = rayon::join(
            || {
                (wave..(wave + WAVE).min(blocks))
                    .into_par_iter()
                    .map(|j| {
                        let mut v = Vec::new();
                        generate(j, &mut block_rng(base, j as u64), &mut v);
                        v
                    })
                    .collect::<Vec<Vec<T>>>()
            },
            || ready.drain(..).for_each(|p| out.extend(p)),
        );
        ready = parts;
    }
    ready.into_iter().for_each(|p| out.extend(p));
    out
}

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
/// The rows of the adjacency matrix are walked in blocks of [`BLOCK_ROWS`],
/// each block with its own stream, in parallel.
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
    let capacity = (expected * 1.01 + 16.0) as usize;
    // Rows of the adjacency matrix (lower triangle when undirected: row v
    // has the cells w < v; all off-diagonal cells when directed), in blocks
    // of BLOCK_ROWS rows, each walked by geometric skipping.
    let n = nodes as u64;
    let first = if directed { 0 } else { 1 };
    let blocks = (n - first).div_ceil(BLOCK_ROWS) as usize;
    let base = rng.next_u64();
    let ties = par_blocks(blocks, base, capacity, |j, rng, out| {
        let r0 = first + j as u64 * BLOCK_ROWS;
        let r1 = (r0 + BLOCK_ROWS).min(n);
        if directed {
            let w = n - 1;
            skip_cells((r1 - r0) * w, p, rng, |c| {
                let (v, x) = (r0 + c / w, c % w);
                let target = if x >= v { x + 1 } else { x };
                out.push((v as u32, target as u32));
            });
        } else {
            let cells = (r1 * (r1 - 1) - r0 * (r0 - 1)) / 2;
            let (mut row, mut row_start) = (r0, 0u64);
            skip_cells(cells, p, rng, |c| {
                while c >= row_start + row {
                    row_start += row;
                    row += 1;
                }
                out.push((row as u32, (c - row_start) as u32));
            });
        }
    });
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

/// Walks the cells `0..cells` keeping each with probability `p`, by
/// geometric skipping; calls `keep(cell)` in increasing order.
///
/// Complexity: O(1 + kept) expected.
fn skip_cells<R: Rng + ?Sized>(cells: u64, p: f64, rng: &mut R, mut keep: impl FnMut(u64)) {
    if p <= 0.0 || cells == 0 {
        return;
    }
    if p >= 1.0 {
        (0..cells).for_each(keep);
        return;
    }
    // ln(1 − p); for tiny p, 1 − p rounds to 1 and only ln_1p is exact.
    let lq = if p < 1e-9 {
        (-p).ln_1p()
    } else {
        (1.0 - p).ln()
    };
    let mut c: i64 = -1;
    loop {
        let r = 1.0 - unit(rng); // (0, 1]
        let gap = (r.ln() / lq).floor();
        if gap >= cells as f64 {
            return;
        }
        c += 1 + gap as i64;
        if c as u64 >= cells {
            return;
        }
        keep(c as u64);
    }
}

/// Watts–Strogatz small world: a ring where everyone ties to the k/2
/// nearest people on each side; then each tie `(u, u + j)` is rewired with
/// probability `rewire` to `(u, w)` with `w` uniform among the people not
/// already tied to `u` (as in networkx). Undirected; exactly n·k/2 ties.
///
/// # Errors
/// [`Error::Parameter`] when k is odd, k < 2, k ≥ n, or rewire ∉ [0, 1].
///
/// Complexity: O(n·k) expected.
pub fn watts_strogatz<R: Rng + ?Sized>(
    nodes: usize,
    k: usize,
    rewire: f64,
    rng: &mut R,
) -> Result<Topology> {
    check_nodes("[graph].nodes", nodes, 3)?;
    if k < 2 || k % 2 == 1 || k >= nodes {
        return Err(Error::param(
            "[graph].k",
            format!("k = {k} must be even, ≥ 2 and < nodes = {nodes}"),
        ));
    }
    if !(0.0..=1.0).contains(&rewire) {
        return Err(Error::param(
            "[graph].rewire",
            format!("rewire = {rewire} must be in [0, 1]"),
        ));
    }
    let half = k / 2;
    let n = nodes as u64;
    let mut ties = Vec::with_capacity(nodes * half);
    // Lattice tie (u, u + j) has index u·half + j − 1; `gone` marks rewired ones.
    let mut gone = vec![false; if rewire > 0.0 { nodes * half } else { 0 }];
    let mut added: std::collections::HashSet<u64> = std::collections::HashSet::new();
    let key = |a: u64, b: u64| (a.min(b) << 32) | a.max(b);
    for j in 1..=half as u64 {
        for u in 0..n {
            let v = (u + j) % n;
            if rewire > 0.0 && unit(rng) < rewire {
                // Present ties of u: lattice ties not rewired, plus rewired ones.
                let tied = |w: u64, gone: &Vec<bool>, added: &std::collections::HashSet<u64>| {
                    if w == u {
                        return true;
                    }
                    let d = (w + n - u) % n;
                    let lattice = if d >= 1 && d <= half as u64 {
                        Some(u * half as u64 + d - 1)
                    } else if n - d >= 1 && n - d <= half as u64 {
                        Some(w * half as u64 + (n - d) - 1)
                    } else {
                        None
                    };
                    lattice.is_some_and(|i| !gone[i as usize]) || added.contains(&key(u, w))
                };
                // networkx skips the rewiring when u is tied to everyone.
                let mut tries = 0;
                let mut w = below(rng, n);
                while tied(w, &gone, &added) && tries < 64 {
                    w = below(rng, n);
                    tries += 1;
                }
                if !tied(w, &gone, &added) {
                    gone[(u * half as u64 + j - 1) as usize] = true;
                    added.insert(key(u, w));
                    continue;
                }
            }
            ties.push((u as u32, v as u32));
        }
    }
    // Rewired ties, in a deterministic order (the set only answers membership).
    let mut extra: Vec<u64> = added.into_iter().collect();
    extra.sort_unstable();
    ties.extend(extra.into_iter().map(|c| ((c >> 32) as u32, c as u32)));
    Ok(Topology {
        nodes,
        ties,
        directed: false,
    })
}

/// Holme–Kim "powerlaw cluster" graph: Barabási–Albert growth where, after
/// each preferential tie to `t`, the next tie closes a triangle (ties to a
/// random contact of `t`) with probability `triangle`. Starts from a clique
/// of m + 1 people; exactly m(m + 1)/2 + (n − m − 1)·m ties, like BA.
///
/// # Errors
/// [`Error::Parameter`] when m < 1, n ≤ m or triangle ∉ [0, 1].
///
/// Complexity: O(n·m) expected.
pub fn powerlaw_cluster<R: Rng + ?Sized>(
    nodes: usize,
    m: usize,
    triangle: f64,
    rng: &mut R,
) -> Result<Topology> {
    if m < 1 {
        return Err(Error::param("[graph].m", format!("m = {m} must be ≥ 1")));
    }
    check_nodes("[graph].nodes", nodes, m + 1)?;
    if !(0.0..=1.0).contains(&triangle) {
        return Err(Error::param(
            "[graph].triangle",
            format!("triangle = {triangle} must be in [0, 1]"),
        ));
    }
    let total = m * (m + 1) / 2 + (nodes - m - 1) * m;
    let mut ties = Vec::with_capacity(total);
    let mut ends: Vec<u32> = Vec::with_capacity(2 * total);
    // Contacts of every person, flattened: person u's contacts are
    // adj[start[u]..start[u] + len[u]]; each person gets m slots when it joins
    // plus room as it grows, so use per-person vectors.
    let mut adj: Vec<Vec<u32>> = vec![Vec::new(); nodes];
    for u in 0..=m as u32 {
        for v in 0..u {
            ties.push((v, u));
            ends.push(u);
            ends.push(v);
            adj[u as usize].push(v);
            adj[v as usize].push(u);
        }
    }
    let mut chosen: Vec<u32> = Vec::with_capacity(m);
    for u in (m + 1) as u32..nodes as u32 {
        chosen.clear();
        let mut pa = ends[below(rng, ends.len() as u64) as usize];
        chosen.push(pa);
        while chosen.len() < m {
            let mut done = false;
            if triangle > 0.0 && unit(rng) < triangle {
                let nb = &adj[pa as usize];
                for _ in 0..8 {
                    let w = nb[below(rng, nb.len() as u64) as usize];
                    if !chosen.contains(&w) {
                        chosen.push(w);
                        done = true;
                        break;
                    }
                }
            }
            if !done {
                loop {
                    let t = ends[below(rng, ends.len() as u64) as usize];
                    if !chosen.contains(&t) {
                        chosen.push(t);
                        pa = t;
                        break;
                    }
                }
            }
        }
        for &t in &chosen {
            ties.push((t, u));
            ends.push(t);
            ends.push(u);
            adj[t as usize].push(u);
        }
        adj[u as usize].extend_from_slice(&chosen);
    }
    Ok(Topology {
        nodes,
        ties,
        directed: false,
    })
}

/// Tie densities of a stochastic block model.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BlockDensity {
    /// Tie probability for a pair in the same block and in different blocks.
    Pairs {
        /// Probability for a pair within one block.
        within: f64,
        /// Probability for a pair across blocks.
        between: f64,
    },
    /// Mean degree and the expected share of ties within blocks.
    Homophily {
        /// Expected ties per person.
        mean_degree: f64,
        /// Expected share of ties within a block, in [0, 1].
        homophily: f64,
    },
}

impl BlockDensity {
    /// The (within, between) pair probabilities for blocks of these sizes.
    ///
    /// # Errors
    /// [`Error::Parameter`] when a probability would leave [0, 1].
    pub fn probabilities(&self, sizes: &[usize]) -> Result<(f64, f64)> {
        let (w, b) = match *self {
            BlockDensity::Pairs { within, between } => (within, between),
            BlockDensity::Homophily {
                mean_degree,
                homophily,
            } => {
                let n: f64 = sizes.iter().map(|&s| s as f64).sum();
                let within_pairs: f64 = sizes
                    .iter()
                    .map(|&s| s as f64 * (s as f64 - 1.0) / 2.0)
                    .sum();
                let between_pairs = n * (n - 1.0) / 2.0 - within_pairs;
                let ties = n * mean_degree / 2.0;
                let w = if within_pairs > 0.0 {
                    homophily * ties / within_pairs
                } else {
                    0.0
                };
                let b = if between_pairs > 0.0 {
                    (1.0 - homophily) * ties / between_pairs
                } else {
                    0.0
                };
                (w, b)
            }
        };
        if !((0.0..=1.0).contains(&w) && (0.0..=1.0).contains(&b)) {
            return Err(Error::param(
                "[graph] stochastic_block",
                format!(
                    "pair probabilities within = {w:.4e}, between = {b:.4e} must be in [0, 1]; lower mean_degree or homophily"
                ),
            ));
        }
        Ok((w, b))
    }
}

/// Stochastic block model on given blocks (the audience segments): each
/// pair in one block is tied with probability `within`, each pair across
/// blocks with `between`, by geometric skipping. Undirected. Each block's
/// pairs (and each pair of blocks') are walked in jobs of [`BLOCK_ROWS`]
/// rows, each job with its own stream, in parallel.
///
/// # Errors
/// As [`BlockDensity::probabilities`].
///
/// Complexity: O(n + m + blocks²) expected.
pub fn stochastic_block<R: Rng + ?Sized>(
    block: &[u16],
    density: BlockDensity,
    rng: &mut R,
) -> Result<Topology> {
    let nodes = block.len();
    check_nodes("[graph].nodes", nodes, 2)?;
    let nb = block.iter().map(|&b| b as usize + 1).max().unwrap_or(1);
    let mut members: Vec<Vec<u32>> = vec![Vec::new(); nb];
    for (u, &b) in block.iter().enumerate() {
        members[b as usize].push(u as u32);
    }
    let sizes: Vec<usize> = members.iter().map(Vec::len).collect();
    let (pw, pb) = density.probabilities(&sizes)?;
    let expect: f64 = sizes
        .iter()
        .map(|&s| pw * s as f64 * (s as f64 - 1.0) / 2.0)
        .sum::<f64>()
        + pb * nodes as f64 * nodes as f64 / 2.0;
    // Jobs: each block's lower triangle, then each pair of blocks, split
    // into BLOCK_ROWS rows (members of the first block) per job.
    let mut jobs: Vec<(usize, usize, u64)> = Vec::new();
    for (a, mem) in members.iter().enumerate() {
        let s = mem.len() as u64;
        jobs.extend((1..s).step_by(BLOCK_ROWS as usize).map(|r| (a, a, r)));
    }
    for a in 0..nb {
        for b in a + 1..nb {
            let s = members[a].len() as u64;
            if !members[b].is_empty() {
                jobs.extend((0..s).step_by(BLOCK_ROWS as usize).map(|r| (a, b, r)));
            }
        }
    }
    let base = rng.next_u64();
    let ties = par_blocks(
        jobs.len(),
        base,
        (expect * 1.01 + 16.0) as usize,
        |j, rng, out| {
            let (a, b, r0) = jobs[j];
            let ma = &members[a];
            let r1 = (r0 + BLOCK_ROWS).min(ma.len() as u64);
            // Ties as (column, row) indices into the members first, then
            // as people, in a loop of independent loads (the columns are
            // random members, seldom in cache).
            let columns = if a == b {
                // Lower triangle of the block: row r has the cells (r, c < r).
                let cells = (r1 * (r1 - 1) - r0 * (r0 - 1)) / 2;
                let (mut row, mut row_start) = (r0, 0u64);
                skip_cells(cells, pw, rng, |c| {
                    while c >= row_start + row {
                        row_start += row;
                        row += 1;
                    }
                    out.push(((c - row_start) as u32, row as u32));
                });
                ma
            } else {
                let mb = &members[b];
                let w = mb.len() as u64;
                skip_cells((r1 - r0) * w, pb, rng, |c| {
                    out.push(((c % w) as u32, (r0 + c / w) as u32));
                });
                mb
            };
            for t in out.iter_mut() {
                let (c, r) = (columns[t.0 as usize], ma[t.1 as usize]);
                *t = if a == b { (c, r) } else { (r, c) };
            }
        },
    );
    Ok(Topology {
        nodes,
        ties,
        directed: false,
    })
}

/// Configuration model on a degree sequence, "erased": stubs are paired at
/// random, then self-loops and repeated ties are dropped (so high degrees
/// come out slightly below their targets). If the degree sum is odd, the
/// last stub is dropped. Undirected; ties come out sorted.
///
/// # Errors
/// [`Error::Parameter`] when a degree is ≥ n.
///
/// Complexity: O(m log m).
pub fn configuration<R: Rng + ?Sized>(degrees: &[u32], rng: &mut R) -> Result<Topology> {
    let nodes = degrees.len();
    check_nodes("[graph].nodes", nodes, 2)?;
    if let Some(u) = degrees.iter().position(|&d| d as usize >= nodes) {
        return Err(Error::param(
            "[graph] configuration",
            format!(
                "person {u} has degree {} but there are only {nodes} people",
                degrees[u]
            ),
        ));
    }
    let total: u64 = degrees.iter().map(|&d| d as u64).sum();
    if total > 2 * super::MAX_ARCS as u64 {
        return Err(Error::param(
            "[graph] configuration",
            "degree sum exceeds the arc limit",
        ));
    }
    let mut stubs: Vec<u32> = Vec::with_capacity(total as usize);
    for (u, &d) in degrees.iter().enumerate() {
        stubs.extend(std::iter::repeat_n(u as u32, d as usize));
    }
    for i in (1..stubs.len()).rev() {
        let j = below(rng, i as u64 + 1) as usize;
        stubs.swap(i, j);
    }
    let mut keys: Vec<u64> = stubs
        .chunks_exact(2)
        .filter(|p| p[0] != p[1])
        .map(|p| ((p[0].min(p[1]) as u64) << 32) | p[0].max(p[1]) as u64)
        .collect();
    drop(stubs);
    keys.sort_unstable();
    keys.dedup();
    let ties = keys
        .into_iter()
        .map(|k| ((k >> 32) as u32, k as u32))
        .collect();
    Ok(Topology {
        nodes,
        ties,
        directed: false,
    })
}

/// A degree sequence drawn from the discrete power law
/// P(k) ∝ k^(−exponent) on `min_degree ..= max_degree`, by inverse transform
/// on the tabulated distribution.
///
/// # Errors
/// [`Error::Parameter`] when exponent ≤ 1, min_degree < 1 or
/// max_degree < min_degree.
///
/// Complexity: O(n log max_degree + max_degree).
pub fn powerlaw_degrees<R: Rng + ?Sized>(
    nodes: usize,
    exponent: f64,
    min_degree: u32,
    max_degree: u32,
    rng: &mut R,
) -> Result<Vec<u32>> {
    if !(exponent > 1.0 && exponent.is_finite()) {
        return Err(Error::param(
            "[graph].exponent",
            format!("exponent = {exponent} must be > 1"),
        ));
    }
    if min_degree < 1 || max_degree < min_degree {
        return Err(Error::param(
            "[graph].min_degree",
            format!("need 1 ≤ min_degree = {min_degree} ≤ max_degree = {max_degree}"),
        ));
    }
    let mut cdf = Vec::with_capacity((max_degree - min_degree + 1) as usize);
    let mut acc = 0.0;
    for k in min_degree..=max_degree {
        acc += (k as f64).powf(-exponent);
        cdf.push(acc);
    }
    Ok((0..nodes)
        .map(|_| {
            let x = unit(rng) * acc;
            let i = cdf.partition_point(|&c| c <= x).min(cdf.len() - 1);
            min_degree + i as u32
        })
        .collect())
}

/// The directed follower layer: every holder of a role with followers gets
/// that many distinct followers (not itself), drawn uniformly from everyone.
/// Arcs go holder → follower (followers see what the holder shares), in
/// holder order. Holders are taken in blocks of [`BLOCK_ROWS`] people, each
/// block with its own stream, in parallel.
///
/// Complexity: O(n + followers) expected.
pub fn followers<R: Rng + ?Sized>(
    role: &[u8],
    per_role: &[Option<super::audience::Followers>],
    rng: &mut R,
) -> Vec<(u32, u32)> {
    let n = role.len();
    let blocks = (n as u64).div_ceil(BLOCK_ROWS) as usize;
    let base = rng.next_u64();
    par_blocks(blocks, base, 0, |j, rng, arcs| {
        let mut seen = rustc_hash::FxHashSet::default();
        let mut picked = Vec::new();
        let u0 = j * BLOCK_ROWS as usize;
        for (u, &r) in role.iter().enumerate().skip(u0).take(BLOCK_ROWS as usize) {
            let Some(Some(f)) = per_role.get(r as usize) else {
                continue;
            };
            let k = super::audience::follower_count(f, n, rng);
            // k + 1 distinct people, then drop u (or one of them if u was not
            // drawn): a uniform k-subset of the others.
            distinct(rng, n, (k + 1).min(n), &mut seen, &mut picked);
            match picked.iter().position(|&w| w as usize == u) {
                Some(i) => {
                    picked.swap_remove(i);
                }
                None => {
                    picked.truncate(k);
                }
            }
            picked.sort_unstable();
            arcs.extend(picked.iter().map(|&w| (u as u32, w)));
        }
    })
}

/// Draws `k ≤ n` distinct people from `0..n` uniformly into `out` (cleared
/// first), in random order: as [`crate::rng::sample_distinct`], but
/// rejection remembers the people drawn in `seen` (left empty), so that a
/// block of the follower layer needs no scratch of n flags.
fn distinct<R: Rng + ?Sized>(
    rng: &mut R,
    n: usize,
    k: usize,
    seen: &mut rustc_hash::FxHashSet<u32>,
    out: &mut Vec<u32>,
) {
    if k * 2 > n {
        crate::rng::sample_distinct(rng, n, k, &mut Vec::new(), out);
        return;
    }
    out.clear();
    seen.clear();
    while out.len() < k {
        let u = below(rng, n as u64) as u32;
        if seen.insert(u) {
            out.push(u);
        }
    }
    seen.clear();
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
