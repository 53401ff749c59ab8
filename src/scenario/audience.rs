//! The audience side of a scenario: `[graph]` and `[audience]` → where the
//! graph comes from, trust on ties and segments; and building the graph.

use super::{MAX_GENERATED_ARCS, MAX_GENERATED_NODES, Scenario};
use crate::error::{Error, Result};
use crate::graph::generators::{self, Topology};
use crate::graph::trust::TrustDist;
use crate::graph::{SocialGraph, Vocabulary, io};
use crate::rng::{Stream, stream_rng, unit};
use serde::Deserialize;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum RawGraph {
    EdgeList {
        path: String,
        directed: Option<bool>,
        trust: Option<RawTrust>,
    },
    ErdosRenyi {
        nodes: u64,
        mean_degree: f64,
        directed: Option<bool>,
        trust: Option<RawTrust>,
    },
    BarabasiAlbert {
        nodes: u64,
        m: u64,
        trust: Option<RawTrust>,
    },
}

#[derive(Debug, Deserialize)]
#[serde(tag = "distribution", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum RawTrust {
    Fixed { value: f64 },
    Uniform { low: f64, high: f64 },
    Beta { alpha: f64, beta: f64 },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAudience {
    segments: Option<Vec<RawSegment>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSegment {
    name: String,
    share: f64,
}

/// Where the social graph comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum GraphSpec {
    /// An edge list file (path resolved against the scenario's folder).
    EdgeList {
        /// Resolved path.
        path: PathBuf,
        /// When false each line adds both arcs.
        directed: bool,
    },
    /// Erdős–Rényi G(n, p) with p = mean_degree / (n − 1).
    ErdosRenyi {
        /// People.
        nodes: usize,
        /// Expected out-degree.
        mean_degree: f64,
        /// Directed ties (each ordered pair independently).
        directed: bool,
    },
    /// Barabási–Albert preferential attachment.
    BarabasiAlbert {
        /// People.
        nodes: usize,
        /// Ties per newcomer.
        m: usize,
    },
}

/// An audience segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Name used in resonance tables and outputs.
    pub name: String,
    /// Share of the population, in (0, 1]; shares sum to 1.
    pub share: f64,
}

/// The validated audience part of a scenario.
pub(super) struct AudienceSpec {
    pub graph: GraphSpec,
    pub trust: TrustDist,
    pub segments: Vec<Segment>,
}

/// Validates `[graph]` and `[audience]`.
pub(super) fn parse(
    graph: RawGraph,
    audience: Option<RawAudience>,
    file: &str,
    base: &Path,
) -> Result<AudienceSpec> {
    let bad = |msg: String| Error::Scenario {
        file: file.into(),
        msg,
    };
    let raw_graph = graph;
    let raw_audience = audience;
    let (graph, raw_trust) = match raw_graph {
        RawGraph::EdgeList {
            path,
            directed,
            trust,
        } => {
            if path.is_empty() {
                return Err(bad(
                    "[graph].path is empty; give the edge list file, relative to the scenario"
                        .into(),
                ));
            }
            (
                GraphSpec::EdgeList {
                    path: base.join(path),
                    directed: directed.unwrap_or(false),
                },
                trust,
            )
        }
        RawGraph::ErdosRenyi {
            nodes,
            mean_degree,
            directed,
            trust,
        } => {
            if !(2..=MAX_GENERATED_NODES).contains(&nodes) {
                return Err(bad(format!(
                    "[graph].nodes = {nodes} is out of range; allowed: 2 to {MAX_GENERATED_NODES}"
                )));
            }
            if !(mean_degree >= 0.0 && mean_degree <= (nodes - 1) as f64) {
                return Err(bad(format!(
                    "[graph].mean_degree = {mean_degree} is out of range; allowed: 0 to nodes − 1 = {}",
                    nodes - 1
                )));
            }
            let arcs = nodes as f64 * mean_degree;
            if arcs > MAX_GENERATED_ARCS {
                return Err(bad(format!(
                    "[graph] nodes × mean_degree = {arcs:.3e} arcs is more than the {MAX_GENERATED_ARCS:.0e} allowed"
                )));
            }
            (
                GraphSpec::ErdosRenyi {
                    nodes: nodes as usize,
                    mean_degree,
                    directed: directed.unwrap_or(false),
                },
                trust,
            )
        }
        RawGraph::BarabasiAlbert { nodes, m, trust } => {
            if m == 0 || m >= nodes {
                return Err(bad(format!(
                    "[graph].m = {m} is out of range; allowed: 1 ≤ m < nodes = {nodes}"
                )));
            }
            if !(2..=MAX_GENERATED_NODES).contains(&nodes) {
                return Err(bad(format!(
                    "[graph].nodes = {nodes} is out of range; allowed: 2 to {MAX_GENERATED_NODES}"
                )));
            }
            if 2.0 * nodes as f64 * m as f64 > MAX_GENERATED_ARCS {
                return Err(bad(format!(
                    "[graph] 2 × nodes × m arcs is more than the {MAX_GENERATED_ARCS:.0e} allowed"
                )));
            }
            (
                GraphSpec::BarabasiAlbert {
                    nodes: nodes as usize,
                    m: m as usize,
                },
                trust,
            )
        }
    };
    let trust = match raw_trust {
        None => TrustDist::default(),
        Some(RawTrust::Fixed { value }) => TrustDist::Fixed(value),
        Some(RawTrust::Uniform { low, high }) => TrustDist::Uniform { low, high },
        Some(RawTrust::Beta { alpha, beta }) => TrustDist::Beta { alpha, beta },
    };
    trust
        .validate("[graph.trust]")
        .map_err(|e| bad(e.to_string()))?;

    let segments = match raw_audience.and_then(|a| a.segments) {
        None => vec![Segment {
            name: "all".into(),
            share: 1.0,
        }],
        Some(list) => {
            if list.is_empty() || list.len() > u16::MAX as usize {
                return Err(bad(
                    "[audience].segments must list between 1 and 65535 segments".into(),
                ));
            }
            let mut sum = 0.0;
            for (i, s) in list.iter().enumerate() {
                if s.name.is_empty() || list[..i].iter().any(|t| t.name == s.name) {
                    return Err(bad(format!(
                        "[audience].segments[{i}].name = {:?} must be non-empty and unique",
                        s.name
                    )));
                }
                if !(s.share > 0.0 && s.share <= 1.0) {
                    return Err(bad(format!(
                        "[audience].segments[{i}].share = {} is out of range; allowed: 0 < share ≤ 1",
                        s.share
                    )));
                }
                sum += s.share;
            }
            if (sum - 1.0).abs() > 1e-6 {
                return Err(bad(format!(
                    "[audience].segments shares sum to {sum}; they must sum to 1"
                )));
            }
            list.into_iter()
                .map(|s| Segment {
                    name: s.name,
                    share: s.share,
                })
                .collect()
        }
    };

    Ok(AudienceSpec {
        graph,
        trust,
        segments,
    })
}

impl Scenario {
    /// Builds the social graph: topology (stream `graph`), trust (stream
    /// `trust`) and segments (stream `people`), then checks that the seeding
    /// plan fits the graph.
    ///
    /// # Errors
    /// Edge-list errors, and [`Error::Scenario`] when seeds name people the
    /// graph does not have or ask for more seeds than people.
    pub fn build_graph(&self) -> Result<SocialGraph> {
        let mut trng = stream_rng(self.seed, Stream::Trust, 0);
        let sampler = self.trust.sampler();
        let (n, arcs) = match &self.graph {
            GraphSpec::EdgeList { path, directed } => {
                let el = io::read_edge_list(path, *directed)?;
                let mut arcs = el.arcs;
                for a in arcs.iter_mut() {
                    if a.2.is_nan() {
                        a.2 = sampler.draw(&mut trng);
                    }
                }
                (el.nodes, arcs)
            }
            spec => {
                let mut grng = stream_rng(self.seed, Stream::Graph, 0);
                let topo: Topology = match *spec {
                    GraphSpec::ErdosRenyi {
                        nodes,
                        mean_degree,
                        directed,
                    } => generators::erdos_renyi(nodes, mean_degree, directed, &mut grng)?,
                    GraphSpec::BarabasiAlbert { nodes, m } => {
                        generators::barabasi_albert(nodes, m, &mut grng)?
                    }
                    GraphSpec::EdgeList { .. } => unreachable!("handled above"),
                };
                let mut arcs = Vec::with_capacity(topo.arc_count());
                for &(u, v) in &topo.ties {
                    arcs.push((u, v, sampler.draw(&mut trng), 0u8));
                    if !topo.directed {
                        arcs.push((v, u, sampler.draw(&mut trng), 0u8));
                    }
                }
                (topo.nodes, arcs)
            }
        };
        let segment = assign_segments(n, &self.segments, self.seed);
        let vocab = Vocabulary {
            segments: self.segments.iter().map(|s| s.name.clone()).collect(),
            ..Vocabulary::default()
        };
        let g = SocialGraph::from_arcs(n, arcs, segment, vec![0; n], vocab)?;
        self.check_seeding(&g)?;
        Ok(g)
    }
}

/// Assigns each person a segment independently with probability equal to the
/// segment's share (stream `people`).
fn assign_segments(n: usize, segments: &[Segment], seed: u64) -> Vec<u16> {
    if segments.len() == 1 {
        return vec![0; n];
    }
    let mut rng = stream_rng(seed, Stream::People, 0);
    let mut cum = Vec::with_capacity(segments.len());
    let mut acc = 0.0;
    for s in segments {
        acc += s.share;
        cum.push(acc);
    }
    let last = segments.len() - 1;
    (0..n)
        .map(|_| {
            let x = unit(&mut rng) * acc;
            cum.iter().position(|&c| x < c).unwrap_or(last) as u16
        })
        .collect()
}
