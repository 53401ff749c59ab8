//! The campaign side of a scenario: `[content]` and `[seeding]`.

use super::Scenario;
use super::audience::Segment;
use crate::error::{Error, Result};
use crate::graph::SocialGraph;
use crate::rng::below;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawContent {
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
pub(super) enum RawSeeding {
    Explicit { nodes: Vec<u64> },
    Random { count: u64 },
    TopDegree { count: u64 },
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

/// Validates `[content]` against the segments.
pub(super) fn parse_content(c: RawContent, segments: &[Segment], file: &str) -> Result<Content> {
    let bad = |msg: String| Error::Scenario {
        file: file.into(),
        msg,
    };
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

    Ok(Content {
        stickiness,
        shareability,
        endorsement,
        conversion,
        ugc,
        novelty_half_life: c.novelty_half_life,
        resonance,
    })
}

/// Validates `[seeding]`.
pub(super) fn parse_seeding(raw: RawSeeding, file: &str) -> Result<Seeding> {
    let bad = |msg: String| Error::Scenario {
        file: file.into(),
        msg,
    };
    let seeding = match raw {
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
        RawSeeding::TopDegree { count } => Seeding::TopDegree(count.min(u32::MAX as u64) as usize),
    };
    Ok(seeding)
}

impl Scenario {
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
