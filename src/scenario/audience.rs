//! The audience side of a scenario: `[graph]` and `[audience]` → where the
//! graph comes from ([`GraphSpec`]), trust on ties, segments, roles and tie
//! kinds ([`Audience`]). Building the graph is [`graph::build()`]'s job; the
//! [`Scenario`] methods here call it with the scenario's parts. Checking the
//! seeding plan against the graph is the run's job (`run::resolve_seeding`).

use super::{MAX_GENERATED_ARCS, MAX_GENERATED_NODES, Scenario};
use crate::error::{Error, Result};
use crate::graph::audience::{
    Audience, DEFAULT_KIND, FOLLOWER_KIND, Followers, PUBLIC_ROLE, Role, RoleAmount, Segment,
    TieKind,
};
use crate::graph::generators::BlockDensity;
use crate::graph::io::IdMode;
use crate::graph::trust::TrustDist;
use crate::graph::{self, DegreeSource, GraphSpec, SocialGraph};
use crate::progress::Progress;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// `[graph]` as written: every key any kind may have, so that a value of
/// the wrong type is reported at its own key (an internally tagged enum
/// would report it at the table), then sorted into [`RawGraph`] by kind.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FlatGraph {
    kind: String,
    path: Option<String>,
    directed: Option<bool>,
    ids: Option<String>,
    attributes: Option<String>,
    trust: Option<RawTrust>,
    nodes: Option<u64>,
    mean_degree: Option<f64>,
    m: Option<u64>,
    k: Option<u64>,
    rewire: Option<f64>,
    triangle: Option<f64>,
    homophily: Option<f64>,
    within: Option<f64>,
    between: Option<f64>,
    exponent: Option<f64>,
    min_degree: Option<u32>,
    max_degree: Option<u32>,
    degrees: Option<String>,
}

/// The keys each graph kind takes (besides `kind`), required ones first.
const GRAPH_KEYS: [(&str, &[&str], &[&str]); 9] = [
    (
        "edge_list",
        &["path"],
        &["directed", "ids", "attributes", "trust"],
    ),
    (
        "erdos_renyi",
        &["nodes", "mean_degree"],
        &["directed", "trust"],
    ),
    ("barabasi_albert", &["nodes", "m"], &["trust"]),
    ("watts_strogatz", &["nodes", "k", "rewire"], &["trust"]),
    ("powerlaw_cluster", &["nodes", "m", "triangle"], &["trust"]),
    (
        "stochastic_block",
        &["nodes"],
        &["mean_degree", "homophily", "within", "between", "trust"],
    ),
    ("layered", &["nodes"], &["trust"]),
    ("graph_file", &["path"], &[]),
    (
        "configuration",
        &[],
        &[
            "nodes",
            "exponent",
            "min_degree",
            "max_degree",
            "degrees",
            "trust",
        ],
    ),
];

impl FlatGraph {
    /// The keys given, by name.
    fn given(&self) -> Vec<&'static str> {
        let mut v = Vec::new();
        macro_rules! given {
            ($($f:ident),*) => {$(
                if self.$f.is_some() {
                    v.push(stringify!($f));
                }
            )*};
        }
        given!(
            path,
            directed,
            ids,
            attributes,
            trust,
            nodes,
            mean_degree,
            m,
            k,
            rewire,
            triangle,
            homophily,
            within,
            between,
            exponent,
            min_degree,
            max_degree,
            degrees
        );
        v
    }

    /// Sorts the keys into the kind's variant: a key the kind does not take
    /// or a missing required key is an error naming it.
    pub(super) fn into_raw(self) -> std::result::Result<RawGraph, String> {
        let Some(&(_, required, optional)) = GRAPH_KEYS.iter().find(|g| g.0 == self.kind) else {
            let kinds: Vec<String> = GRAPH_KEYS.iter().map(|g| format!("{:?}", g.0)).collect();
            return Err(format!(
                "[graph].kind = {:?} is not known; allowed: {}",
                crate::error::excerpt(&self.kind),
                kinds.join(", ")
            ));
        };
        let takes = |k: &str| required.contains(&k) || optional.contains(&k);
        let all: Vec<&str> = required.iter().chain(optional).copied().collect();
        if let Some(k) = self.given().into_iter().find(|k| !takes(k)) {
            return Err(format!(
                "[graph].{k} is not a key of kind = {:?}; its keys are kind, {}",
                self.kind,
                all.join(", ")
            ));
        }
        let given = self.given();
        if let Some(k) = required.iter().find(|k| !given.contains(k)) {
            return Err(format!(
                "[graph] kind = {:?} needs {k} (its keys are kind, {})",
                self.kind,
                all.join(", ")
            ));
        }
        let req = |v: Option<u64>| v.expect("checked: required");
        let reqf = |v: Option<f64>| v.expect("checked: required");
        let trust = self.trust;
        Ok(match self.kind.as_str() {
            "edge_list" => RawGraph::EdgeList {
                path: self.path.expect("checked: required"),
                directed: self.directed,
                ids: self.ids,
                attributes: self.attributes,
                trust,
            },
            "erdos_renyi" => RawGraph::ErdosRenyi {
                nodes: req(self.nodes),
                mean_degree: reqf(self.mean_degree),
                directed: self.directed,
                trust,
            },
            "barabasi_albert" => RawGraph::BarabasiAlbert {
                nodes: req(self.nodes),
                m: req(self.m),
                trust,
            },
            "watts_strogatz" => RawGraph::WattsStrogatz {
                nodes: req(self.nodes),
                k: req(self.k),
                rewire: reqf(self.rewire),
                trust,
            },
            "powerlaw_cluster" => RawGraph::PowerlawCluster {
                nodes: req(self.nodes),
                m: req(self.m),
                triangle: reqf(self.triangle),
                trust,
            },
            "stochastic_block" => RawGraph::StochasticBlock {
                nodes: req(self.nodes),
                mean_degree: self.mean_degree,
                homophily: self.homophily,
                within: self.within,
                between: self.between,
                trust,
            },
            "layered" => RawGraph::Layered {
                nodes: req(self.nodes),
                trust,
            },
            "graph_file" => RawGraph::GraphFile {
                path: self.path.expect("checked: required"),
            },
            _ => RawGraph::Configuration {
                nodes: self.nodes,
                exponent: self.exponent,
                min_degree: self.min_degree,
                max_degree: self.max_degree,
                degrees: self.degrees,
                trust,
            },
        })
    }
}

#[derive(Debug)]
pub(super) enum RawGraph {
    GraphFile {
        path: String,
    },
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
    Layered {
        nodes: u64,
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

/// A trust distribution from a TOML value (`{ distribution = "beta", … }`).
pub(super) fn trust_of(v: &toml::Value) -> std::result::Result<TrustDist, String> {
    v.clone()
        .try_into::<RawTrust>()
        .map(RawTrust::dist)
        .map_err(|e| {
            format!(
                "{}; allowed: {{ distribution = \"fixed\", value }}, {{ distribution = \"uniform\", low, high }} or {{ distribution = \"beta\", alpha, beta }}",
                e.to_string().split_whitespace().collect::<Vec<_>>().join(" ")
            )
        })
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
    layers: Option<Vec<toml::Table>>,
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

/// The validated audience part of a scenario.
pub(super) struct AudienceSpec {
    pub graph: GraphSpec,
    pub trust: TrustDist,
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
        RawGraph::GraphFile { path } => {
            if path.is_empty() {
                return Err(
                    "[graph].path is empty; give the graph file (.vsg), relative to the scenario"
                        .into(),
                );
            }
            (
                GraphSpec::GraphFile {
                    path: base.join(path),
                },
                None,
            )
        }
        RawGraph::Layered { nodes, trust } => (
            GraphSpec::Layered {
                nodes: check_nodes(nodes, 2)?,
                layers: Vec::new(),
            },
            trust,
        ),
    })
}

/// Validates `[graph]` and `[audience]`.
pub(super) fn parse(
    graph: FlatGraph,
    audience: Option<RawAudience>,
    file: &str,
    base: &Path,
) -> Result<AudienceSpec> {
    let bad = |msg: String| Error::Scenario {
        file: file.into(),
        msg,
    };
    let (graph, raw_trust) = graph
        .into_raw()
        .and_then(|g| parse_graph(g, base))
        .map_err(bad)?;
    let trust = raw_trust.map_or_else(TrustDist::default, RawTrust::dist);
    trust
        .validate("[graph.trust]")
        .map_err(|e| bad(e.to_string()))?;

    let (raw_segments, raw_roles, raw_kinds, raw_layers) = match audience {
        Some(a) => (a.segments, a.roles, a.tie_kinds, a.layers),
        None => (None, None, None, None),
    };
    let layered = matches!(graph, GraphSpec::Layered { .. });
    match (&raw_layers, layered) {
        (Some(_), false) => {
            return Err(bad(
                "[[audience.layers]] needs [graph] kind = \"layered\" (with nodes = …): the layers are the graph".into(),
            ));
        }
        (None, true) => {
            return Err(bad(
                "[graph] kind = \"layered\" needs [[audience.layers]] tables (household, workplace, friends, community, …)".into(),
            ));
        }
        _ => {}
    }
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
            (None, None, None)
                if matches!(
                    graph,
                    GraphSpec::EdgeList {
                        attributes: Some(_),
                        ..
                    } | GraphSpec::GraphFile { .. }
                ) =>
            {
                RoleAmount::FromFile
            }
            _ => {
                return Err(bad(format!(
                    "{key} ({}) needs exactly one of share (of every segment), segment_shares = {{ segment = share, … }} or count (or none of them when an attribute file's role column or a graph file gives the roles)",
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

    if let Some(n) = graph.nodes() {
        for (i, r) in roles.iter().enumerate() {
            if let Some(f) = r.followers {
                if f.mean > (n - 1) as f64 {
                    return Err(bad(format!(
                        "[audience].roles[{i}].followers = {} is more than the {} other people a holder can have as followers ([graph].nodes = {n}); allowed: 1 to {}",
                        f.mean,
                        n - 1,
                        n - 1
                    )));
                }
            }
        }
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
        if layered && (k.within.is_some() || k.between.is_some() || k.roles.is_some()) {
            return Err(bad(format!(
                "{key} ({}): within, between and roles pick kinds on one generated graph; with [[audience.layers]] a tie's kind is its layer, so give only name and trust",
                k.name
            )));
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
    let mut graph = graph;
    if let (GraphSpec::Layered { nodes, layers }, Some(raw)) = (&mut graph, raw_layers) {
        let declared = kinds.len();
        *layers = super::layers::parse(
            raw,
            *nodes,
            &segments,
            &role_names,
            &mut kinds,
            declared,
            trust,
        )
        .map_err(bad)?;
        if kinds.len() > 255 {
            return Err(bad(
                "at most 255 tie kinds (layers and declared kinds)".into()
            ));
        }
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
        segments,
        roles,
        kinds,
    };
    audience.validate().map_err(|e| bad(e.to_string()))?;
    Ok(AudienceSpec {
        graph,
        trust,
        audience,
    })
}

impl Scenario {
    /// Builds the social graph (see [`Scenario::build_graph_with`]).
    ///
    /// # Errors
    /// As [`Scenario::build_graph_with`].
    pub fn build_graph(&self) -> Result<SocialGraph> {
        self.build_graph_with(None)
    }

    /// Builds the social graph as [`Scenario::build_graph_in_input_order_with`]
    /// does, then stores people in
    /// [locality order](SocialGraph::into_locality_order) (storage order
    /// only: results are the same byte for byte).
    ///
    /// # Errors
    /// As [`Scenario::build_graph_in_input_order_with`].
    pub fn build_graph_with(&self, progress: Option<Progress<'_>>) -> Result<SocialGraph> {
        Ok(self
            .build_graph_in_input_order_with(progress)?
            .into_locality_order_with(progress))
    }

    /// Builds the social graph with [`graph::build()`] (people stored in the
    /// order they were generated or read; `run` decides whether
    /// [locality order](SocialGraph::into_locality_order) pays after a
    /// first batch of trials). Reports phases to `progress`.
    ///
    /// # Errors
    /// As [`graph::build()`], and an edge list or attribute file that cannot
    /// be read as [`Error::Scenario`] naming its key.
    pub fn build_graph_in_input_order_with(
        &self,
        progress: Option<Progress<'_>>,
    ) -> Result<SocialGraph> {
        let g = graph::build(&self.graph, &self.audience, self.trust, self.seed, progress)
            .map_err(|e| self.keyed_read_error(e))?;
        Ok(g)
    }

    /// A parameter error (a scenario key) or a memory estimate for a
    /// scenario key names the scenario file.
    fn scenario_error(&self, e: Error) -> Error {
        match e {
            Error::Parameter { key, msg } => Error::Scenario {
                file: self.file.clone(),
                msg: format!("{key}: {msg}"),
            },
            Error::Memory {
                what,
                hint,
                needed,
                available,
            } if what.starts_with('[') => Error::Memory {
                what: format!("scenario '{}': {what}", self.file),
                hint,
                needed,
                available,
            },
            other => other,
        }
    }

    /// An edge list or attribute file that cannot be read is named with the
    /// key that points to it.
    fn keyed_read_error(&self, e: Error) -> Error {
        if let (GraphSpec::GraphFile { path: file }, Error::Read { path, source }) =
            (&self.graph, &e)
        {
            if path == file {
                return Error::Scenario {
                    file: self.file.clone(),
                    msg: format!("[graph].path: cannot read '{}': {source}", path.display()),
                };
            }
        }
        let GraphSpec::EdgeList {
            path: edges,
            attributes,
            ..
        } = &self.graph
        else {
            return self.scenario_error(e);
        };
        match e {
            Error::Read { path, source }
                if path == *edges || Some(&path) == attributes.as_ref() =>
            {
                let key = if path == *edges { "path" } else { "attributes" };
                Error::Scenario {
                    file: self.file.clone(),
                    msg: format!("[graph].{key}: cannot read '{}': {source}", path.display()),
                }
            }
            other => self.scenario_error(other),
        }
    }
}
