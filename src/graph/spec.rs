//! Where the social graph comes from ([`GraphSpec`]) and building it: the
//! generator dispatch, and reading edge lists, node attribute files and
//! degree files.

use super::SocialGraph;
use super::audience::{Audience, Followers, assign_roles, assign_segments};
use super::build::{assemble, from_edge_list};
use super::generators::{self, BlockDensity, Topology};
use super::io::{self, IdMode};
use super::layers::{self, Layer, LayerTies};
use super::trust::TrustDist;
use crate::error::{Error, Result};
use crate::progress::{Progress, Ticker};
use crate::rng::{Stream, stream_rng};
use std::path::{Path, PathBuf};

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
    /// A binary graph file ([`super::binary`]), loaded as written: people,
    /// segments, roles, labels, arcs, trust and tie kinds.
    GraphFile {
        /// Resolved path.
        path: PathBuf,
    },
    /// Layers of ties (households, workplaces, friends, …), each of one tie
    /// kind, over the same people ([`super::layers`]).
    Layered {
        /// People.
        nodes: usize,
        /// The layers, in order (the first to tie a pair gives its kind).
        layers: Vec<Layer>,
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
            GraphSpec::EdgeList { .. } | GraphSpec::GraphFile { .. } => None,
            GraphSpec::ErdosRenyi { nodes, .. }
            | GraphSpec::BarabasiAlbert { nodes, .. }
            | GraphSpec::WattsStrogatz { nodes, .. }
            | GraphSpec::PowerlawCluster { nodes, .. }
            | GraphSpec::StochasticBlock { nodes, .. }
            | GraphSpec::Layered { nodes, .. } => Some(*nodes),
            GraphSpec::Configuration { degrees } => match degrees {
                DegreeSource::PowerLaw { nodes, .. } => Some(*nodes),
                DegreeSource::File(_) => None,
            },
        }
    }
}

impl GraphSpec {
    /// The arcs a generated graph is expected to have (before any follower
    /// layer) and the keys that decide it, when known without reading files.
    pub fn expected_arcs(&self) -> Option<(f64, String)> {
        Some(match *self {
            GraphSpec::EdgeList { .. } | GraphSpec::GraphFile { .. } => return None,
            GraphSpec::ErdosRenyi {
                nodes, mean_degree, ..
            } => (
                nodes as f64 * mean_degree,
                format!("[graph].nodes = {nodes} × mean_degree = {mean_degree}"),
            ),
            GraphSpec::BarabasiAlbert { nodes, m }
            | GraphSpec::PowerlawCluster { nodes, m, .. } => (
                2.0 * nodes as f64 * m as f64,
                format!("2 × [graph].nodes = {nodes} × m = {m}"),
            ),
            GraphSpec::WattsStrogatz { nodes, k, .. } => (
                nodes as f64 * k as f64,
                format!("[graph].nodes = {nodes} × k = {k}"),
            ),
            GraphSpec::StochasticBlock { nodes, density } => match density {
                BlockDensity::Homophily { mean_degree, .. } => (
                    nodes as f64 * mean_degree,
                    format!("[graph].nodes = {nodes} × mean_degree = {mean_degree}"),
                ),
                BlockDensity::Pairs { within, between } => (
                    nodes as f64 * (nodes as f64 - 1.0) * within.max(between),
                    format!("[graph].nodes = {nodes} squared × max(within, between)"),
                ),
            },
            GraphSpec::Configuration {
                degrees:
                    DegreeSource::PowerLaw {
                        nodes, min_degree, ..
                    },
            } => (
                nodes as f64 * min_degree as f64,
                format!("[graph].nodes = {nodes} × min_degree = {min_degree} (at least)"),
            ),
            GraphSpec::Configuration {
                degrees: DegreeSource::File(_),
            } => return None,
            GraphSpec::Layered { nodes, ref layers } => (
                nodes as f64
                    * layers
                        .iter()
                        .map(|l| l.kind.expected_arcs_per_person())
                        .sum::<f64>(),
                format!("[graph].nodes = {nodes} × the [[audience.layers]]' ties per person"),
            ),
        })
    }
}

/// Checks that a graph of `people` and `arcs` fits in memory; `why` names
/// the keys or file that decide its size.
fn check_graph_memory(people: u64, arcs: f64, why: &str) -> Result<()> {
    crate::input::check_memory(crate::input::graph_bytes(people, arcs as u64), || {
        (
            format!("[graph]: {people} people and about {arcs:.3e} arcs ({why})"),
            "use fewer people or ties, or a machine with more memory".into(),
        )
    })
}

/// Reads a degree file: one degree per line, `#` comments.
///
/// # Errors
/// [`Error::Read`] when it cannot be read; [`Error::DegreeFile`] naming the
/// line that is not a non-negative integer.
pub fn read_degrees(path: &Path) -> Result<Vec<u32>> {
    let text = crate::input::read_text(path, "degree file", crate::input::MAX_TABLE_BYTES)?;
    parse_degrees(&text, &path.display().to_string())
}

/// Parses degree-file text (one degree per line, `#` comments, a leading
/// byte-order mark dropped); `file` names it in messages.
///
/// # Errors
/// [`Error::DegreeFile`] naming the line that is not a non-negative
/// integer or is longer than [`crate::input::MAX_LINE_BYTES`].
pub fn parse_degrees(text: &str, file: &str) -> Result<Vec<u32>> {
    let mut out = Vec::new();
    for (i, raw) in crate::input::strip_bom(text).lines().enumerate() {
        let bad = |msg: String| Error::DegreeFile {
            file: file.to_string(),
            line: i + 1,
            msg,
        };
        if raw.len() > crate::input::MAX_LINE_BYTES {
            return Err(bad(format!(
                "the line is {} bytes long; at most {} are allowed",
                raw.len(),
                crate::input::MAX_LINE_BYTES
            )));
        }
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let d = line.parse::<u32>().map_err(|_| {
            bad(format!(
                "'{}' is not a degree; allowed: an integer from 0 to {}",
                crate::error::excerpt(line),
                u32::MAX
            ))
        })?;
        out.push(d);
    }
    Ok(out)
}

/// Builds the social graph `spec` describes for `audience`, people stored
/// in the order they were generated or read (see [`build_in_locality_order`]).
///
/// A generated graph draws people (stream `people`), topology (stream
/// `graph`, index 0), the follower layer (stream `graph`, index 1), tie
/// kinds (stream `tie_kind`) and trust (stream `trust`); an edge list is
/// read, then assembled as [`from_edge_list`] does. `trust` is the
/// distribution for edge-list lines without trust. Reports phases to
/// `progress`.
///
/// # Errors
/// [`Error::Read`] for a file that cannot be read; edge-list,
/// attribute-file and degree-file errors naming the line; generator
/// parameter errors.
pub fn build(
    spec: &GraphSpec,
    audience: &Audience,
    trust: TrustDist,
    seed: u64,
    progress: Option<Progress<'_>>,
) -> Result<SocialGraph> {
    let phase = |name: &'static str| Ticker::new(progress, name, 1);
    let a = audience;
    if let GraphSpec::EdgeList {
        path,
        directed,
        ids,
        attributes,
    } = spec
    {
        let t = phase("read");
        let opts = io::EdgeListOptions {
            directed: *directed,
            ids: *ids,
            kinds: io::Names::fixed(a.kinds.iter().map(|k| k.name.clone()).collect()),
        };
        let el = io::read_edge_list_with(path, &opts)?;
        let rows = match attributes {
            Some(p) => Some(io::read_node_attributes(p)?),
            None => None,
        };
        let afile = attributes.as_ref().map(|p| p.display().to_string());
        t.finish();
        let t = phase("assemble");
        let g = from_edge_list(
            el,
            rows.as_deref().zip(afile.as_deref()),
            Some(a),
            trust,
            seed,
        )?;
        t.finish();
        return Ok(g);
    }
    if let GraphSpec::GraphFile { path } = spec {
        let t = phase("read");
        let g = super::binary::read(path)?;
        t.finish();
        return adopt_vocabulary(g, &a.vocabulary(), path);
    }
    if let (Some(n), Some((arcs, why))) = (spec.nodes(), spec.expected_arcs()) {
        check_graph_memory(n as u64, arcs, &why)?;
    }
    let t = phase("people");
    let mut file_degrees = match spec {
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
            let arcs: f64 = d.iter().map(|&k| k as f64).sum();
            check_graph_memory(
                d.len() as u64,
                arcs,
                &format!("the degrees of degree file '{}'", p.display()),
            )?;
            Some(d)
        }
        _ => None,
    };
    let n = file_degrees
        .as_ref()
        .map_or_else(|| spec.nodes().unwrap_or(0), Vec::len);
    let shares: Vec<f64> = a.segments.iter().map(|s| s.share).collect();
    let segment = assign_segments(n, &shares, seed);
    let role = assign_roles(&segment, a, seed)?;
    t.finish();
    let t = phase("topology");
    let mut grng = stream_rng(seed, Stream::Graph, 0);
    let mut layer_kinds = None;
    let topo: Topology = match spec {
        GraphSpec::Layered { nodes, layers } => {
            let lt = layers::generate(layers, &segment, a.segments.len(), &role, seed)?;
            layer_kinds = Some(lt.kinds);
            Topology {
                nodes: *nodes,
                ties: lt.ties,
                directed: false,
            }
        }
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
                DegreeSource::File(_) => file_degrees.take().expect("read with the people"),
            };
            generators::configuration(&d, &mut grng)?
        }
        GraphSpec::EdgeList { .. } | GraphSpec::GraphFile { .. } => {
            unreachable!("handled above")
        }
    };
    t.finish();
    let t = phase("followers");
    let per_role: Vec<Option<Followers>> = std::iter::once(None)
        .chain(a.roles.iter().map(|r| r.followers))
        .collect();
    let follower_arcs = if a.has_followers() {
        generators::followers(&role, &per_role, &mut stream_rng(seed, Stream::Graph, 1))
    } else {
        Vec::new()
    };
    t.finish();
    assemble(
        topo,
        layer_kinds.as_deref(),
        follower_arcs,
        segment,
        role,
        a,
        seed,
        progress,
    )
}

/// A loaded graph speaking in the scenario's names: each segment, role and
/// tie kind of the file must be declared in the scenario (`wanted`), and
/// their ids become the scenario's.
///
/// # Errors
/// [`Error::GraphFile`] naming the file, the names it uses that the
/// scenario does not declare, and all the names it uses.
fn adopt_vocabulary(
    g: SocialGraph,
    wanted: &super::Vocabulary,
    path: &Path,
) -> Result<SocialGraph> {
    let have = g.vocabulary().clone();
    if &have == wanted {
        return Ok(g);
    }
    let map = |what: &str, key: &str, have: &[String], wanted: &[String]| {
        let missing: Vec<&str> = have
            .iter()
            .filter(|h| !wanted.contains(h))
            .map(String::as_str)
            .collect();
        if missing.is_empty() {
            Ok(have
                .iter()
                .map(|h| wanted.iter().position(|w| w == h).expect("checked"))
                .collect::<Vec<usize>>())
        } else {
            Err(Error::GraphFile {
                file: path.display().to_string(),
                msg: format!(
                    "it has {what} {} that the scenario does not declare; declare them in {key} (the file's {what}: {})",
                    missing
                        .iter()
                        .map(|m| format!("{m:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                    have.iter()
                        .map(|m| format!("{m:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })
        }
    };
    let segments = map(
        "segments",
        "[audience].segments",
        &have.segments,
        &wanted.segments,
    )?;
    let roles = map("roles", "[[audience.roles]]", &have.roles, &wanted.roles)?;
    let kinds = map(
        "tie kinds",
        "[[audience.tie_kinds]]",
        &have.kinds,
        &wanted.kinds,
    )?;
    Ok(g.renamed(&segments, &roles, &kinds, wanted.clone()))
}

/// The ties of a layered graph's layers, as [`build`] generates them (the
/// same people, the same streams), with each layer's group sizes: what
/// `viralsim graph stats` reports per layer. None for other graphs.
///
/// # Errors
/// As [`build`].
pub fn layer_ties(spec: &GraphSpec, audience: &Audience, seed: u64) -> Result<Option<LayerTies>> {
    let GraphSpec::Layered { nodes, layers } = spec else {
        return Ok(None);
    };
    let shares: Vec<f64> = audience.segments.iter().map(|s| s.share).collect();
    let segment = assign_segments(*nodes, &shares, seed);
    let role = assign_roles(&segment, audience, seed)?;
    layers::generate(layers, &segment, audience.segments.len(), &role, seed).map(Some)
}

/// As [`build`], then stores people in
/// [locality order](SocialGraph::into_locality_order), reported to
/// `progress` as the phase `order`. Results on either graph are the same
/// byte for byte.
///
/// # Errors
/// As [`build`].
pub fn build_in_locality_order(
    spec: &GraphSpec,
    audience: &Audience,
    trust: TrustDist,
    seed: u64,
    progress: Option<Progress<'_>>,
) -> Result<SocialGraph> {
    Ok(build(spec, audience, trust, seed, progress)?.into_locality_order_with(progress))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bad degree-file line is reported as a degree-file error, by line.
    #[test]
    fn degree_file_errors_name_the_degree_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.txt");
        std::fs::write(&p, "# degrees\n3\n2\n-1\n").unwrap();
        let e = read_degrees(&p).unwrap_err();
        assert!(matches!(e, Error::DegreeFile { line: 4, .. }), "{e:?}");
        assert!(e.to_string().starts_with("degree file '"), "{e}");
        std::fs::write(&p, "3\n2 # two\n\n1\n").unwrap();
        assert_eq!(read_degrees(&p).unwrap(), vec![3, 2, 1]);
    }
}
