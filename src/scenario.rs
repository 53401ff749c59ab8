//! Scenario files: TOML → raw serde mirror (unknown keys rejected) → one
//! validated [`Scenario`] whose types cannot hold bad values.

use crate::error::{Error, Result};
use crate::graph::generators::{self, Topology};
use crate::graph::trust::TrustDist;
use crate::graph::{SocialGraph, Vocabulary, io};
use crate::rng::{Stream, below, stream_rng, unit};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The built-in default scenario (also shipped as `scenarios/default.toml`).
pub const DEFAULT_SCENARIO: &str = include_str!("../scenarios/default.toml");

/// Most trials a scenario may ask for.
pub const MAX_TRIALS: u64 = 100_000_000;
/// Most people a generated graph may have.
pub const MAX_GENERATED_NODES: u64 = 200_000_000;
/// Most arcs a generated graph may have.
pub const MAX_GENERATED_ARCS: f64 = 2.0e9;
/// Most steps a horizon may have.
pub const MAX_HORIZON: u32 = 1_000_000;

// ---------------------------------------------------------------- raw mirror

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    name: Option<String>,
    description: Option<String>,
    seed: Option<u64>,
    trials: Option<u64>,
    horizon: Option<u32>,
    model: Option<String>,
    viral_threshold: Option<u64>,
    graph: RawGraph,
    audience: Option<RawAudience>,
    content: RawContent,
    seeding: RawSeeding,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum RawGraph {
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
enum RawTrust {
    Fixed { value: f64 },
    Uniform { low: f64, high: f64 },
    Beta { alpha: f64, beta: f64 },
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAudience {
    segments: Option<Vec<RawSegment>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSegment {
    name: String,
    share: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawContent {
    stickiness: f64,
    shareability: Option<f64>,
    endorsement: Option<f64>,
    conversion: Option<f64>,
    ugc: Option<f64>,
    novelty_half_life: Option<f64>,
    resonance: Option<BTreeMap<String, f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "strategy", rename_all = "snake_case", deny_unknown_fields)]
enum RawSeeding {
    Explicit { nodes: Vec<u64> },
    Random { count: u64 },
    TopDegree { count: u64 },
}

// ---------------------------------------------------------- validated types

/// Which diffusion model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// Independent cascade (DESIGN.md, model v1).
    IndependentCascade,
}

impl Model {
    /// The scenario-file spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Model::IndependentCascade => "independent_cascade",
        }
    }
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

/// The content being spread (DESIGN.md's σ, β, λ, κ, μ, r_s, half-life).
#[derive(Debug, Clone, PartialEq)]
pub struct Content {
    /// σ ∈ [0, 1].
    pub stickiness: f64,
    /// β ∈ [0, 1].
    pub shareability: f64,
    /// λ ≥ 0.
    pub endorsement: f64,
    /// κ ∈ [0, 1].
    pub conversion: f64,
    /// μ ∈ [0, 1].
    pub ugc: f64,
    /// Novelty half-life in steps (None: no decay).
    pub novelty_half_life: Option<f64>,
    /// r_s per segment id (default 1).
    pub resonance: Vec<f64>,
}

/// Who posts at step 0.
#[derive(Debug, Clone, PartialEq)]
pub enum Seeding {
    /// These people (internal ids), in every trial.
    Explicit(Vec<u32>),
    /// `count` people drawn uniformly without replacement, anew each trial.
    Random(usize),
    /// The `count` people with the largest out-degree (ties: smaller id).
    TopDegree(usize),
}

/// A validated scenario.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// Name (default: the file's stem); output goes to `output/<name>/`.
    pub name: String,
    /// Free text.
    pub description: String,
    /// Master seed.
    pub seed: u64,
    /// Monte Carlo trials.
    pub trials: u64,
    /// Last step at which people may share (None: until the cascade dies).
    pub horizon: Option<u32>,
    /// Diffusion model.
    pub model: Model,
    /// Reach at or above which a trial counts as "gone viral" (None: 1% of people, at least 1).
    pub viral_threshold: Option<u64>,
    /// Graph source.
    pub graph: GraphSpec,
    /// Trust distribution for generated ties and edge-list lines without trust.
    pub trust: TrustDist,
    /// Audience segments (at least one).
    pub segments: Vec<Segment>,
    /// The content.
    pub content: Content,
    /// The seeding plan.
    pub seeding: Seeding,
    /// The file it came from, for messages.
    pub file: String,
}

fn allowed_unit(file: &str, key: &str, v: f64) -> Result<f64> {
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(Error::Scenario {
            file: file.into(),
            msg: format!("{key} = {v} is out of range; allowed: 0 ≤ {key} ≤ 1"),
        })
    }
}

fn toml_message(e: &toml::de::Error) -> String {
    // toml's message already names line, column and key; fold it to one line.
    let mut s = e.to_string().trim().replace('\n', " ").replace("  ", " ");
    while s.contains("  ") {
        s = s.replace("  ", " ");
    }
    s
}

impl Scenario {
    /// Reads and validates a scenario file.
    ///
    /// # Errors
    /// [`Error::Read`] if the file cannot be read; [`Error::Scenario`] naming
    /// the key and what is allowed for anything malformed or out of range.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("scenario")
            .to_string();
        Self::from_toml(&text, &path.display().to_string(), &base, &stem)
    }

    /// The built-in default scenario.
    pub fn builtin_default() -> Self {
        Self::from_toml(
            DEFAULT_SCENARIO,
            "scenarios/default.toml",
            Path::new("scenarios"),
            "default",
        )
        .expect("the built-in scenario is valid")
    }

    /// Parses scenario text. `file` names it in messages, `base` resolves
    /// relative paths, `stem` is the default name.
    ///
    /// # Errors
    /// [`Error::Scenario`] as [`Scenario::from_file`].
    pub fn from_toml(text: &str, file: &str, base: &Path, stem: &str) -> Result<Self> {
        let bad = |msg: String| Error::Scenario {
            file: file.into(),
            msg,
        };
        let raw: RawScenario = toml::from_str(text).map_err(|e| bad(toml_message(&e)))?;

        let name = raw.name.unwrap_or_else(|| stem.to_string());
        if name.is_empty()
            || name.len() > 100
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
            || name.starts_with('.')
        {
            return Err(bad(format!(
                "name = {name:?} is not allowed; use 1–100 letters, digits, '_', '-' or '.', not starting with '.' (it names the output folder)"
            )));
        }
        let trials = raw.trials.unwrap_or(1000);
        if trials == 0 || trials > MAX_TRIALS {
            return Err(bad(format!(
                "trials = {trials} is out of range; allowed: 1 to {MAX_TRIALS}"
            )));
        }
        if let Some(h) = raw.horizon {
            if h == 0 || h > MAX_HORIZON {
                return Err(bad(format!(
                    "horizon = {h} is out of range; allowed: 1 to {MAX_HORIZON} steps"
                )));
            }
        }
        let model = match raw.model.as_deref().unwrap_or("independent_cascade") {
            "independent_cascade" => Model::IndependentCascade,
            other => {
                return Err(bad(format!(
                    "model = {other:?} is not known; allowed: \"independent_cascade\""
                )));
            }
        };
        if raw.viral_threshold == Some(0) {
            return Err(bad(
                "viral_threshold = 0 is out of range; allowed: ≥ 1 person reached".into(),
            ));
        }

        let (graph, raw_trust) = match raw.graph {
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

        let segments = match raw.audience.and_then(|a| a.segments) {
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

        let c = raw.content;
        let stickiness = allowed_unit(file, "[content].stickiness", c.stickiness)?;
        let shareability = allowed_unit(
            file,
            "[content].shareability",
            c.shareability.unwrap_or(1.0),
        )?;
        let conversion = allowed_unit(file, "[content].conversion", c.conversion.unwrap_or(0.0))?;
        let ugc = allowed_unit(file, "[content].ugc", c.ugc.unwrap_or(0.0))?;
        let endorsement = c.endorsement.unwrap_or(0.0);
        if !(0.0..=1000.0).contains(&endorsement) {
            return Err(bad(format!(
                "[content].endorsement = {endorsement} is out of range; allowed: 0 ≤ endorsement ≤ 1000"
            )));
        }
        if let Some(h) = c.novelty_half_life {
            if !(h > 0.0 && h.is_finite()) {
                return Err(bad(format!(
                    "[content].novelty_half_life = {h} is out of range; allowed: > 0 steps (omit it for no decay)"
                )));
            }
        }
        let mut resonance = vec![1.0; segments.len()];
        for (seg, r) in c.resonance.unwrap_or_default() {
            let Some(i) = segments.iter().position(|s| s.name == seg) else {
                let names: Vec<&str> = segments.iter().map(|s| s.name.as_str()).collect();
                return Err(bad(format!(
                    "[content.resonance].{seg}: no such segment; segments are {names:?}"
                )));
            };
            if !(r >= 0.0 && r.is_finite()) {
                return Err(bad(format!(
                    "[content.resonance].{seg} = {r} is out of range; allowed: ≥ 0"
                )));
            }
            resonance[i] = r;
        }

        let seeding = match raw.seeding {
            RawSeeding::Explicit { nodes } => {
                if nodes.is_empty() {
                    return Err(bad(
                        "[seeding].nodes is empty; list at least one person id".into()
                    ));
                }
                let mut ids = Vec::with_capacity(nodes.len());
                for (i, &u) in nodes.iter().enumerate() {
                    if u >= crate::graph::MAX_NODES as u64 || nodes[..i].contains(&u) {
                        return Err(bad(format!(
                            "[seeding].nodes[{i}] = {u} is a repeated or impossible person id"
                        )));
                    }
                    ids.push(u as u32);
                }
                Seeding::Explicit(ids)
            }
            RawSeeding::Random { count } | RawSeeding::TopDegree { count } if count == 0 => {
                return Err(bad(
                    "[seeding].count = 0 is out of range; allowed: ≥ 1".into()
                ));
            }
            RawSeeding::Random { count } => Seeding::Random(count.min(u32::MAX as u64) as usize),
            RawSeeding::TopDegree { count } => {
                Seeding::TopDegree(count.min(u32::MAX as u64) as usize)
            }
        };

        Ok(Scenario {
            name,
            description: raw.description.unwrap_or_default(),
            seed: raw.seed.unwrap_or(1),
            trials,
            horizon: raw.horizon,
            model,
            viral_threshold: raw.viral_threshold,
            graph,
            trust,
            segments,
            content: Content {
                stickiness,
                shareability,
                endorsement,
                conversion,
                ugc,
                novelty_half_life: c.novelty_half_life,
                resonance,
            },
            seeding,
            file: file.to_string(),
        })
    }

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

    /// Checks the seeding plan against a graph.
    ///
    /// # Errors
    /// [`Error::Scenario`] naming `[seeding]`.
    pub fn check_seeding(&self, g: &SocialGraph) -> Result<()> {
        let bad = |msg: String| Error::Scenario {
            file: self.file.clone(),
            msg,
        };
        let n = g.node_count();
        match &self.seeding {
            Seeding::Explicit(ids) => {
                if let Some(i) = ids.iter().position(|&u| u as usize >= n) {
                    return Err(bad(format!(
                        "[seeding].nodes[{i}] = {} is not a person; ids run from 0 to {}",
                        ids[i],
                        n - 1
                    )));
                }
            }
            Seeding::Random(k) | Seeding::TopDegree(k) => {
                if *k > n {
                    return Err(bad(format!(
                        "[seeding].count = {k} is more than the {n} people in the graph"
                    )));
                }
            }
        }
        Ok(())
    }

    /// The reach threshold for "gone viral" on a graph of `n` people.
    pub fn viral_threshold_for(&self, n: usize) -> u64 {
        self.viral_threshold.unwrap_or(((n as u64) / 100).max(1))
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

/// Draws `k` distinct people uniformly (rejection against a mark vector);
/// used by random seeding.
pub fn sample_distinct<R: rand::Rng + ?Sized>(
    rng: &mut R,
    n: usize,
    k: usize,
    marks: &mut Vec<bool>,
    out: &mut Vec<u32>,
) {
    out.clear();
    if k * 2 > n {
        // Dense case: partial Fisher–Yates over all ids.
        let mut ids: Vec<u32> = (0..n as u32).collect();
        for i in 0..k {
            let j = i + below(rng, (n - i) as u64) as usize;
            ids.swap(i, j);
        }
        out.extend_from_slice(&ids[..k]);
        return;
    }
    marks.resize(n, false);
    while out.len() < k {
        let u = below(rng, n as u64) as u32;
        if !marks[u as usize] {
            marks[u as usize] = true;
            out.push(u);
        }
    }
    for &u in out.iter() {
        marks[u as usize] = false;
    }
}
