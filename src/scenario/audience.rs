//! The audience side of a scenario: `[graph]` and `[audience]` → where the
//! graph comes from, trust on ties and segments; and building the graph.

use super::{MAX_GENERATED_ARCS, MAX_GENERATED_NODES, Scenario};
use crate::error::{Error, Result};
use crate::graph::SocialGraph;
use crate::graph::audience::{
    Audience, DEFAULT_KIND, FOLLOWER_KIND, Followers, PUBLIC_ROLE, Role, RoleAmount, TieKind,
    assign_roles, assign_segments,
};
use crate::graph::build::{self, Progress, Ticker};
use crate::graph::generators::{self, BlockDensity, Topology};
use crate::graph::io::{self, IdMode};
use crate::graph::trust::TrustDist;
use crate::rng::{Stream, stream_rng};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum RawGraph {
    EdgeList {
        path: String,
        directed: Option<bool>,
        ids: Option<String>,
        attributes: Option<String>,
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
    WattsStrogatz {
        nodes: u64,
        k: u64,
        rewire: f64,
        trust: Option<RawTrust>,
    },
    PowerlawCluster {
        nodes: u64,
        m: u64,
        triangle: f64,
        trust: Option<RawTrust>,
    },
    StochasticBlock {
        nodes: u64,
        mean_degree: Option<f64>,
        homophily: Option<f64>,
        within: Option<f64>,
        between: Option<f64>,
        trust: Option<RawTrust>,
    },
    Configuration {
        nodes: Option<u64>,
        exponent: Option<f64>,
        min_degree: Option<u32>,
        max_degree: Option<u32>,
        degrees: Option<String>,
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

impl RawTrust {
    fn dist(self) -> TrustDist {
        match self {
            RawTrust::Fixed { value } => TrustDist::Fixed(value),
            RawTrust::Uniform { low, high } => TrustDist::Uniform { low, high },
            RawTrust::Beta { alpha, beta } => TrustDist::Beta { alpha, beta },
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAudience {
    segments: Option<Vec<RawSegment>>,
    roles: Option<Vec<RawRole>>,
    tie_kinds: Option<Vec<RawTieKind>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSegment {
    name: String,
    share: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRole {
    name: String,
    share: Option<f64>,
    segment_shares: Option<BTreeMap<String, f64>>,
    count: Option<u64>,
    followers: Option<f64>,
    followers_exponent: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTieKind {
    name: String,
    within: Option<f64>,
    between: Option<f64>,
    roles: Option<Vec<String>>,
    trust: Option<RawTrust>,
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
        /// How ids are read.
        ids: IdMode,
        /// Node attribute file (`id,segment,role`), resolved.
        attributes: Option<PathBuf>,
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
    /// Watts–Strogatz small world.
    WattsStrogatz {
        /// People.
        nodes: usize,
        /// Ring neighbours (even).
        k: usize,
        /// Rewiring probability.
        rewire: f64,
    },
    /// Holme–Kim: preferential attachment with triangle closing.
    PowerlawCluster {
        /// People.
        nodes: usize,
        /// Ties per newcomer.
        m: usize,
        /// Probability that a tie closes a triangle.
        triangle: f64,
    },
    /// Stochastic block model whose blocks are the audience segments.
    StochasticBlock {
        /// People.
        nodes: usize,
        /// Tie densities.
        density: BlockDensity,
    },
    /// Erased configuration model.
    Configuration {
        /// The degree sequence.
        degrees: DegreeSource,
    },
}

/// Degrees for the configuration model.
#[derive(Debug, Clone, PartialEq)]
pub enum DegreeSource {
    /// Drawn from a discrete power law.
    PowerLaw {
        /// People.
        nodes: usize,
        /// α in P(k) ∝ k^(−α).
        exponent: f64,
        /// Smallest degree.
        min_degree: u32,
        /// Largest degree (default nodes − 1).
        max_degree: u32,
    },
    /// One degree per line of a file (person i = i-th degree).
    File(PathBuf),
}

impl GraphSpec {
    /// The number of people, when known without reading files.
    pub fn nodes(&self) -> Option<usize> {
        match self {
            GraphSpec::EdgeList { .. } => None,
            GraphSpec::ErdosRenyi { nodes, .. }
            | GraphSpec::BarabasiAlbert { nodes, .. }
            | GraphSpec::WattsStrogatz { nodes, .. }
            | GraphSpec::PowerlawCluster { nodes, .. }
            | GraphSpec::StochasticBlock { nodes, .. } => Some(*nodes),
            GraphSpec::Configuration { degrees } => match degrees {
                DegreeSource::PowerLaw { nodes, .. } => Some(*nodes),
                DegreeSource::File(_) => None,
            },
        }
    }
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
    pub audience: Audience,
}

fn check_nodes(nodes: u64, min: u64) -> std::result::Result<usize, String> {
    if (min..=MAX_GENERATED_NODES).contains(&nodes) {
        Ok(nodes as usize)
    } else {
        Err(format!(
            "[graph].nodes = {nodes} is out of range; allowed: {min} to {MAX_GENERATED_NODES}"
        ))
    }
}

fn check_arcs(arcs: f64, what: &str) -> std::result::Result<(), String> {
    if arcs > MAX_GENERATED_ARCS {
        Err(format!(
            "[graph] {what} = {arcs:.3e} arcs is more than the {MAX_GENERATED_ARCS:.0e} allowed"
        ))
    } else {
        Ok(())
    }
}

/// A name that can be written to edge lists and CSV files unquoted.
fn check_name(key: &str, name: &str) -> std::result::Result<(), String> {
    if name.is_empty()
        || name.len() > 100
        || name
            .chars()
            .any(|c| c.is_whitespace() || c == ',' || c == '#' || c == '"')
    {
        return Err(format!(
            "{key} = {name:?} is not allowed; use 1–100 characters without spaces, commas, '#' or quotes"
        ));
    }
    Ok(())
}

fn parse_graph(
    raw: RawGraph,
    base: &Path,
) -> std::result::Result<(GraphSpec, Option<RawTrust>), String> {
    let unit = |key: &str, v: f64| {
        if (0.0..=1.0).contains(&v) {
            Ok(v)
        } else {
            Err(format!(
                "[graph].{key} = {v} is out of range; allowed: 0 to 1"
            ))
        }
    };
    Ok(match raw {
        RawGraph::EdgeList {
            path,
            directed,
            ids,
            attributes,
            trust,
        } => {
            if path.is_empty() {
                return Err(
                    "[graph].path is empty; give the edge list file, relative to the scenario"
                        .into(),
                );
            }
            let ids = match ids.as_deref().unwrap_or("index") {
                "auto" => IdMode::Auto,
                "index" => IdMode::Index,
                "label" => IdMode::Label,
                other => {
                    return Err(format!(
                        "[graph].ids = {other:?} is not known; allowed: \"auto\", \"index\", \"label\""
                    ));
                }
            };
            (
                GraphSpec::EdgeList {
                    path: base.join(path),
                    directed: directed.unwrap_or(false),
                    ids,
                    attributes: attributes.map(|a| base.join(a)),
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
            let n = check_nodes(nodes, 2)?;
            if !(mean_degree >= 0.0 && mean_degree <= (nodes - 1) as f64) {
                return Err(format!(
                    "[graph].mean_degree = {mean_degree} is out of range; allowed: 0 to nodes − 1 = {}",
                    nodes - 1
                ));
            }
            check_arcs(nodes as f64 * mean_degree, "nodes × mean_degree")?;
            (
                GraphSpec::ErdosRenyi {
                    nodes: n,
                    mean_degree,
                    directed: directed.unwrap_or(false),
                },
                trust,
            )
        }
        RawGraph::BarabasiAlbert { nodes, m, trust }
        | RawGraph::PowerlawCluster {
            nodes, m, trust, ..
        } if m == 0 || m >= nodes => {
            let _ = trust;
            return Err(format!(
                "[graph].m = {m} is out of range; allowed: 1 ≤ m < nodes = {nodes}"
            ));
        }
        RawGraph::BarabasiAlbert { nodes, m, trust } => {
            let n = check_nodes(nodes, 2)?;
            check_arcs(2.0 * nodes as f64 * m as f64, "2 × nodes × m")?;
            (
                GraphSpec::BarabasiAlbert {
                    nodes: n,
                    m: m as usize,
                },
                trust,
            )
        }
        RawGraph::PowerlawCluster {
            nodes,
            m,
            triangle,
            trust,
        } => {
            let n = check_nodes(nodes, 2)?;
            check_arcs(2.0 * nodes as f64 * m as f64, "2 × nodes × m")?;
            (
                GraphSpec::PowerlawCluster {
                    nodes: n,
                    m: m as usize,
                    triangle: unit("triangle", triangle)?,
                },
                trust,
            )
        }
        RawGraph::WattsStrogatz {
            nodes,
            k,
            rewire,
            trust,
        } => {
            let n = check_nodes(nodes, 3)?;
            if k < 2 || k % 2 == 1 || k >= nodes {
                return Err(format!(
                    "[graph].k = {k} is out of range; allowed: even, 2 ≤ k < nodes = {nodes}"
                ));
            }
            check_arcs(nodes as f64 * k as f64, "nodes × k")?;
            (
                GraphSpec::WattsStrogatz {
                    nodes: n,
                    k: k as usize,
                    rewire: unit("rewire", rewire)?,
                },
                trust,
            )
        }
        RawGraph::StochasticBlock {
            nodes,
            mean_degree,
            homophily,
            within,
            between,
            trust,
        } => {
            let n = check_nodes(nodes, 2)?;
            let density = match (mean_degree, homophily, within, between) {
                (Some(c), Some(h), None, None) => {
                    if !(c >= 0.0 && c <= (nodes - 1) as f64) {
                        return Err(format!(
                            "[graph].mean_degree = {c} is out of range; allowed: 0 to nodes − 1"
                        ));
                    }
                    check_arcs(nodes as f64 * c, "nodes × mean_degree")?;
                    BlockDensity::Homophily {
                        mean_degree: c,
                        homophily: unit("homophily", h)?,
                    }
                }
                (None, None, Some(w), Some(b)) => {
                    let w = unit("within", w)?;
                    let b = unit("between", b)?;
                    check_arcs(
                        nodes as f64 * (nodes as f64 - 1.0) * w.max(b),
                        "nodes² × max(within, between)",
                    )?;
                    BlockDensity::Pairs {
                        within: w,
                        between: b,
                    }
                }
                _ => {
                    return Err("[graph] stochastic_block needs either mean_degree and homophily (share of ties within a segment), or within and between (tie probability of a pair in the same / different segments)".into());
                }
            };
            (GraphSpec::StochasticBlock { nodes: n, density }, trust)
        }
        RawGraph::Configuration {
            nodes,
            exponent,
            min_degree,
            max_degree,
            degrees,
            trust,
        } => {
            let source = match (nodes, exponent, degrees) {
                (Some(nodes), Some(a), None) => {
                    let n = check_nodes(nodes, 2)?;
                    if !(a > 1.0 && a <= 10.0) {
                        return Err(format!(
                            "[graph].exponent = {a} is out of range; allowed: 1 < exponent ≤ 10"
                        ));
                    }
                    let kmin = min_degree.unwrap_or(1);
                    let kmax = max_degree.unwrap_or((n - 1).min(u32::MAX as usize) as u32);
                    if kmin < 1 || kmax < kmin || kmax as u64 >= nodes {
                        return Err(format!(
                            "[graph].min_degree = {kmin}, max_degree = {kmax}: need 1 ≤ min_degree ≤ max_degree < nodes"
                        ));
                    }
                    check_arcs(nodes as f64 * kmin as f64, "nodes × min_degree")?;
                    DegreeSource::PowerLaw {
                        nodes: n,
                        exponent: a,
                        min_degree: kmin,
                        max_degree: kmax,
                    }
                }
                (None, None, Some(path)) if min_degree.is_none() && max_degree.is_none() => {
                    DegreeSource::File(base.join(path))
                }
                _ => {
                    return Err("[graph] configuration needs either nodes, exponent (and optional min_degree, max_degree), or degrees = \"file\" with one degree per line".into());
                }
            };
            (GraphSpec::Configuration { degrees: source }, trust)
        }
    })
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
    let (graph, raw_trust) = parse_graph(graph, base).map_err(bad)?;
    let trust = raw_trust.map_or_else(TrustDist::default, RawTrust::dist);
    trust
        .validate("[graph.trust]")
        .map_err(|e| bad(e.to_string()))?;

    let (raw_segments, raw_roles, raw_kinds) = match audience {
        Some(a) => (a.segments, a.roles, a.tie_kinds),
        None => (None, None, None),
    };
    let segments = match raw_segments {
        None => vec![Segment {
            name: "all".into(),
            share: 1.0,
        }],
        Some(list) => {
            if list.is_empty() || list.len() > u16::MAX as usize - 1 {
                return Err(bad(
                    "[audience].segments must list between 1 and 65534 segments".into(),
                ));
            }
            let mut sum = 0.0;
            for (i, s) in list.iter().enumerate() {
                check_name(&format!("[audience].segments[{i}].name"), &s.name).map_err(bad)?;
                if list[..i].iter().any(|t| t.name == s.name) {
                    return Err(bad(format!(
                        "[audience].segments[{i}].name = {:?} must be unique",
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
    if let GraphSpec::StochasticBlock { .. } = graph {
        if segments.len() < 2 {
            return Err(bad(
                "[graph] stochastic_block: the blocks are the [audience].segments; list at least two"
                    .into(),
            ));
        }
    }

    let mut roles = Vec::new();
    for (i, r) in raw_roles.unwrap_or_default().into_iter().enumerate() {
        let key = format!("[audience].roles[{i}]");
        check_name(&format!("{key}.name"), &r.name).map_err(bad)?;
        if r.name == PUBLIC_ROLE || roles.iter().any(|x: &Role| x.name == r.name) {
            return Err(bad(format!(
                "{key}.name = {:?} must be unique and not \"{PUBLIC_ROLE}\" (everyone without another role is public)",
                r.name
            )));
        }
        let amount = match (r.share, r.segment_shares, r.count) {
            (Some(s), None, None) => RoleAmount::Share(s),
            (None, Some(map), None) => {
                let mut v = vec![0.0; segments.len()];
                for (seg, share) in map {
                    let Some(j) = segments.iter().position(|s| s.name == seg) else {
                        return Err(bad(format!(
                            "{key}.segment_shares.{seg}: no such segment; segments are {:?}",
                            segments.iter().map(|s| s.name.as_str()).collect::<Vec<_>>()
                        )));
                    };
                    v[j] = share;
                }
                RoleAmount::PerSegment(v)
            }
            (None, None, Some(c)) => {
                if c == 0 || c > MAX_GENERATED_NODES {
                    return Err(bad(format!(
                        "{key}.count = {c} is out of range; allowed: 1 to {MAX_GENERATED_NODES}"
                    )));
                }
                RoleAmount::Count(c)
            }
            _ => {
                return Err(bad(format!(
                    "{key} ({}) needs exactly one of share (of every segment), segment_shares = {{ segment = share, … }} or count",
                    r.name
                )));
            }
        };
        let followers = match (r.followers, r.followers_exponent) {
            (Some(mean), exponent) => Some(Followers { mean, exponent }),
            (None, Some(_)) => {
                return Err(bad(format!(
                    "{key}.followers_exponent needs followers (the mean number of followers)"
                )));
            }
            (None, None) => None,
        };
        roles.push(Role {
            name: r.name,
            amount,
            followers,
        });
    }

    let role_names: Vec<&str> = std::iter::once(PUBLIC_ROLE)
        .chain(roles.iter().map(|r| r.name.as_str()))
        .collect();
    let mut kinds = Vec::new();
    for (i, k) in raw_kinds.unwrap_or_default().into_iter().enumerate() {
        let key = format!("[audience].tie_kinds[{i}]");
        check_name(&format!("{key}.name"), &k.name).map_err(bad)?;
        if kinds.iter().any(|x: &TieKind| x.name == k.name) {
            return Err(bad(format!("{key}.name = {:?} must be unique", k.name)));
        }
        let dflt = if k.name == FOLLOWER_KIND { 0.0 } else { 1.0 };
        let roles = match k.roles {
            None => None,
            Some(list) => {
                let mut ids = Vec::new();
                for r in list {
                    let Some(j) = role_names.iter().position(|x| *x == r) else {
                        return Err(bad(format!(
                            "{key}.roles: '{r}' is not a role; roles are {role_names:?}"
                        )));
                    };
                    ids.push(j as u8);
                }
                Some(ids)
            }
        };
        let t = k.trust.map_or(trust, RawTrust::dist);
        t.validate(&format!("{key}.trust"))
            .map_err(|e| bad(e.to_string()))?;
        kinds.push(TieKind {
            name: k.name,
            within: k.within.unwrap_or(dflt),
            between: k.between.unwrap_or(dflt),
            roles,
            trust: t,
        });
    }
    if kinds.is_empty() {
        kinds.push(TieKind::plain(DEFAULT_KIND, trust));
    }
    if roles.iter().any(|r| r.followers.is_some()) && !kinds.iter().any(|k| k.name == FOLLOWER_KIND)
    {
        kinds.push(TieKind {
            within: 0.0,
            between: 0.0,
            ..TieKind::plain(FOLLOWER_KIND, trust)
        });
    }
    let audience = Audience {
        segments: segments.iter().map(|s| (s.name.clone(), s.share)).collect(),
        roles,
        kinds,
    };
    audience.validate().map_err(|e| bad(e.to_string()))?;
    Ok(AudienceSpec {
        graph,
        trust,
        segments,
        audience,
    })
}

/// Reads a degree-sequence file: one degree per line, `#` comments.
fn read_degrees(path: &Path) -> Result<Vec<u32>> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let d = line.parse::<u32>().map_err(|_| Error::EdgeList {
            file: path.display().to_string(),
            line: i + 1,
            msg: format!("'{line}' is not a degree (a non-negative integer)"),
        })?;
        out.push(d);
    }
    Ok(out)
}

impl Scenario {
    /// Builds the social graph (see [`Scenario::build_graph_with`]).
    ///
    /// # Errors
    /// As [`Scenario::build_graph_with`].
    pub fn build_graph(&self) -> Result<SocialGraph> {
        self.build_graph_with(None)
    }

    /// Builds the social graph: people (stream `people`), topology (stream
    /// `graph`, index 0), the follower layer (stream `graph`, index 1), tie
    /// kinds (stream `tie_kind`) and trust (stream `trust`), then checks
    /// that the seeding plan fits the graph, and stores people in
    /// [locality order](SocialGraph::into_locality_order). Reports phases to
    /// `progress`.
    ///
    /// # Errors
    /// Edge-list and attribute-file errors, generator parameter errors, and
    /// [`Error::Scenario`] when seeds name people the graph does not have or
    /// ask for more seeds than people.
    pub fn build_graph_with(&self, progress: Option<Progress<'_>>) -> Result<SocialGraph> {
        let g = self.build_graph_in_input_order_with(progress)?;
        // Storage order only: results are the same byte for byte.
        let t = Ticker::new(progress, "order", 1);
        let g = g.into_locality_order();
        t.finish();
        Ok(g)
    }

    /// As [`Scenario::build_graph_with`], but people stay stored in the
    /// order they were generated or read, not in
    /// [locality order](SocialGraph::into_locality_order); `run` decides
    /// whether ordering pays after a first batch of trials.
    ///
    /// # Errors
    /// As [`Scenario::build_graph_with`].
    pub fn build_graph_in_input_order_with(
        &self,
        progress: Option<Progress<'_>>,
    ) -> Result<SocialGraph> {
        let phase = |name: &'static str| Ticker::new(progress, name, 1);
        let a = &self.audience;
        let g = if let GraphSpec::EdgeList {
            path,
            directed,
            ids,
            attributes,
        } = &self.graph
        {
            let t = phase("read");
            let opts = io::EdgeListOptions {
                directed: *directed,
                ids: *ids,
                kinds: io::Names::fixed(a.kinds.iter().map(|k| k.name.clone()).collect()),
            };
            // A file that cannot be read is named with the key that points to it.
            let keyed = |key: &'static str| {
                move |e: Error| match e {
                    Error::Read { path, source } => Error::Scenario {
                        file: self.file.clone(),
                        msg: format!("[graph].{key}: cannot read '{}': {source}", path.display()),
                    },
                    other => other,
                }
            };
            let el = io::read_edge_list_with(path, &opts).map_err(keyed("path"))?;
            let rows = match attributes {
                Some(p) => Some(io::read_node_attributes(p).map_err(keyed("attributes"))?),
                None => None,
            };
            let afile = attributes.as_ref().map(|p| p.display().to_string());
            t.finish();
            let t = phase("assemble");
            let g = build::from_edge_list(
                el,
                rows.as_deref().zip(afile.as_deref()),
                Some(a),
                self.trust,
                self.seed,
            )?;
            t.finish();
            g
        } else {
            let t = phase("people");
            let n = match &self.graph {
                GraphSpec::Configuration {
                    degrees: DegreeSource::File(p),
                } => {
                    let d = read_degrees(p)?;
                    if d.len() < 2 {
                        return Err(Error::param(
                            "[graph].degrees",
                            format!("'{}' lists fewer than 2 degrees", p.display()),
                        ));
                    }
                    Some(d)
                }
                _ => None,
            }
            .map_or_else(|| self.graph.nodes().unwrap_or(0), |d| d.len());
            let shares: Vec<f64> = a.segments.iter().map(|s| s.1).collect();
            let segment = assign_segments(n, &shares, self.seed);
            let role = assign_roles(&segment, a, self.seed)?;
            t.finish();
            let t = phase("topology");
            let mut grng = stream_rng(self.seed, Stream::Graph, 0);
            let topo: Topology = match &self.graph {
                &GraphSpec::ErdosRenyi {
                    nodes,
                    mean_degree,
                    directed,
                } => generators::erdos_renyi(nodes, mean_degree, directed, &mut grng)?,
                &GraphSpec::BarabasiAlbert { nodes, m } => {
                    generators::barabasi_albert(nodes, m, &mut grng)?
                }
                &GraphSpec::WattsStrogatz { nodes, k, rewire } => {
                    generators::watts_strogatz(nodes, k, rewire, &mut grng)?
                }
                &GraphSpec::PowerlawCluster { nodes, m, triangle } => {
                    generators::powerlaw_cluster(nodes, m, triangle, &mut grng)?
                }
                &GraphSpec::StochasticBlock { density, .. } => {
                    generators::stochastic_block(&segment, density, &mut grng)?
                }
                GraphSpec::Configuration { degrees } => {
                    let d = match degrees {
                        &DegreeSource::PowerLaw {
                            nodes,
                            exponent,
                            min_degree,
                            max_degree,
                        } => generators::powerlaw_degrees(
                            nodes, exponent, min_degree, max_degree, &mut grng,
                        )?,
                        DegreeSource::File(p) => read_degrees(p)?,
                    };
                    generators::configuration(&d, &mut grng)?
                }
                GraphSpec::EdgeList { .. } => unreachable!("handled above"),
            };
            t.finish();
            let t = phase("followers");
            let per_role: Vec<Option<Followers>> = std::iter::once(None)
                .chain(a.roles.iter().map(|r| r.followers))
                .collect();
            let follower_arcs = if a.has_followers() {
                generators::followers(
                    &role,
                    &per_role,
                    &mut stream_rng(self.seed, Stream::Graph, 1),
                )
            } else {
                Vec::new()
            };
            t.finish();
            build::assemble(&topo, &follower_arcs, segment, role, a, self.seed, progress)?
        };
        self.check_seeding(&g)?;
        // A budget smaller than the plan's cost is an input error, for
        // `validate` as well as `run`.
        self.plan_cost(&g)?;
        Ok(g)
    }
}
