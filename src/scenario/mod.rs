//! Scenario files: TOML → raw serde mirror (unknown keys rejected) → one
//! validated [`Scenario`] whose types cannot hold bad values.

mod audience;
mod campaign;
mod crisis;
mod economics;
mod layers;
mod messages;
mod precision;

pub use crate::graph::audience::Segment;
pub use crate::graph::{DegreeSource, GraphSpec};
pub use campaign::{Content, Delay, MIN_GEOMETRIC_P, PersonId, Pick, Plan, Seeding};
pub use crisis::{Crisis, Priority};
pub use economics::{Economics, PlanCost, PlanLine, money_label};
pub use precision::{AUTO_FIRST_BATCH, DEFAULT_MAX_TRIALS, DEFAULT_PRECISION, Precision};

use crate::error::{Error, Result};
use crate::graph::trust::TrustDist;
use audience::{FlatGraph, RawAudience};
use campaign::{RawContent, RawSeeding};
use serde::Deserialize;
use std::path::Path;

/// The built-in default scenario (also shipped as `scenarios/default.toml`).
pub const DEFAULT_SCENARIO: &str = include_str!("../../scenarios/default.toml");

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
    trials: Option<toml::Value>,
    precision: Option<f64>,
    max_trials: Option<u64>,
    horizon: Option<u32>,
    model: Option<String>,
    viral_threshold: Option<u64>,
    graph: FlatGraph,
    audience: Option<RawAudience>,
    content: RawContent,
    seeding: RawSeeding,
    economics: Option<economics::RawEconomics>,
    /// `[sweep]`: read by `viralsim sweep` (crate::study), ignored by a run.
    #[allow(dead_code)]
    sweep: Option<toml::Value>,
    crisis: Option<crisis::RawCrisis>,
}

// ---------------------------------------------------------- validated types

/// Which diffusion model runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Model {
    /// Independent cascade (DESIGN.md, model v1).
    IndependentCascade,
    /// Linear threshold ("social proof"): see the README for how σ and λ act.
    LinearThreshold,
}

impl Model {
    /// The scenario-file spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Model::IndependentCascade => "independent_cascade",
            Model::LinearThreshold => "linear_threshold",
        }
    }
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
    /// Monte Carlo trials (with `trials = "auto"`: the first batch).
    pub trials: u64,
    /// `trials = "auto"`: run until mean reach has this precision.
    pub precision: Option<Precision>,
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
    /// Segments (at least one), roles and tie kinds, as the graph builder
    /// uses them; [`Scenario::segments`] lists the segments.
    pub audience: crate::graph::audience::Audience,
    /// The content.
    pub content: Content,
    /// The seeding plan.
    pub seeding: Seeding,
    /// Costs, budget and value per conversion (`[economics]`).
    pub economics: Option<Economics>,
    /// A viral claim and the brand's correction (`[crisis]`).
    pub crisis: Option<Crisis>,
    /// The file it came from, for messages.
    pub file: String,
    /// The scenario's text as read (copied beside a run's outputs as
    /// `scenario.toml`, for the report).
    pub source: String,
}

impl Scenario {
    /// Reads and validates a scenario file.
    ///
    /// # Errors
    /// [`Error::Read`] if the file cannot be read; [`Error::Scenario`] naming
    /// the key and what is allowed for anything malformed or out of range.
    pub fn from_file(path: &Path) -> Result<Self> {
        let text = crate::input::read_text(path, "scenario", crate::input::MAX_SCENARIO_BYTES)?;
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
        let raw: RawScenario =
            toml::from_str(text).map_err(|e| bad(messages::toml_message(&e, text)))?;

        let named = raw.name.is_some();
        let name = raw.name.unwrap_or_else(|| stem.to_string());
        if name.is_empty()
            || name.len() > 100
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
            || name.starts_with('.')
        {
            let rule = "1–100 letters, digits, '_', '-' or '.', not starting with '.'";
            return Err(bad(if named {
                format!(
                    "name = {:?} is not allowed; use {rule} (it names the output folder)",
                    crate::error::excerpt(&name)
                )
            } else {
                format!(
                    "the file name {:?} is not a valid output name ({rule}); add name = \"…\" to the scenario to name its output folder",
                    crate::error::excerpt(&name)
                )
            }));
        }
        let (trials, precision) =
            precision::parse(raw.trials, raw.precision, raw.max_trials, file)?;
        if let Some(h) = raw.horizon {
            if h == 0 || h > MAX_HORIZON {
                return Err(bad(format!(
                    "horizon = {h} is out of range; allowed: 1 to {MAX_HORIZON} steps"
                )));
            }
        }
        let model = match raw.model.as_deref().unwrap_or("independent_cascade") {
            "independent_cascade" => Model::IndependentCascade,
            "linear_threshold" => Model::LinearThreshold,
            other => {
                return Err(bad(format!(
                    "model = {other:?} is not known; allowed: \"independent_cascade\", \"linear_threshold\""
                )));
            }
        };
        if raw.viral_threshold == Some(0) {
            return Err(bad(
                "viral_threshold = 0 is out of range; allowed: ≥ 1 person reached".into(),
            ));
        }

        let aud = audience::parse(raw.graph, raw.audience, file, base)?;
        let (graph, trust, audience) = (aud.graph, aud.trust, aud.audience);
        let role_names = audience.vocabulary().roles;
        let segment_names: Vec<String> = audience.segments.iter().map(|s| s.name.clone()).collect();
        let content = campaign::parse_content(raw.content, &audience.segments, &role_names, file)?;
        let seeding = campaign::parse_seeding(raw.seeding, &segment_names, &role_names, file)?;
        let economics = raw
            .economics
            .map(|e| economics::parse(e, &role_names, file))
            .transpose()?;
        let crisis = raw
            .crisis
            .map(|c| crisis::parse(c, &audience.segments, &role_names, raw.horizon, file))
            .transpose()?;
        Ok(Scenario {
            name,
            description: raw.description.unwrap_or_default(),
            seed: raw.seed.unwrap_or(1),
            trials,
            precision,
            horizon: raw.horizon,
            model,
            viral_threshold: raw.viral_threshold,
            graph,
            trust,
            audience,
            content,
            seeding,
            economics,
            crisis,
            file: file.to_string(),
            source: text.to_string(),
        })
    }

    /// The audience segments (at least one; segment id = index).
    pub fn segments(&self) -> &[Segment] {
        &self.audience.segments
    }

    /// The reach threshold for "gone viral" on a graph of `n` people.
    pub fn viral_threshold_for(&self, n: usize) -> u64 {
        self.viral_threshold.unwrap_or(((n as u64) / 100).max(1))
    }
}
