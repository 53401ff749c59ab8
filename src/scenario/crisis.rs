//! `[crisis]`: a viral negative claim and the brand's correction, two
//! competing cascades on the scenario's graph (the model is documented on
//! [`crate::engine::crisis`] and in `scenarios/README.md`). Raw serde mirror
//! (unknown keys rejected) and validation into [`Crisis`].

use super::campaign::{RawContent, RawSeeding, parse_content, parse_seeding};
use super::{Content, MAX_HORIZON, Seeding};
use crate::error::{Error, Result};
use crate::graph::audience::Segment;
use serde::Deserialize;
use std::collections::BTreeMap;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawCrisis {
    claim: RawClaim,
    correction: RawCorrection,
    priority: Option<String>,
    protection: Option<f64>,
    uptake: Option<f64>,
    harm: Option<f64>,
    residual_harm: Option<f64>,
    base_purchase: Option<toml::Value>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    start: Option<i64>,
    content: RawContent,
    seeding: RawSeeding,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCorrection {
    response_delay: toml::Value,
    content: RawContent,
    seeding: RawSeeding,
}

/// Which cascade wins when both reach an unaware person in the same step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Priority {
    /// The correction applies first (then the claim, to a protected person
    /// who is not immune).
    Correction,
    /// The claim applies first (then the correction, to the new believer).
    Claim,
    /// A fair coin per person decides the order.
    Random,
}

impl Priority {
    /// The scenario-file spelling.
    pub fn as_str(&self) -> &'static str {
        match self {
            Priority::Correction => "correction",
            Priority::Claim => "claim",
            Priority::Random => "random",
        }
    }
}

/// A validated `[crisis]` table.
#[derive(Debug, Clone, PartialEq)]
pub struct Crisis {
    /// Step at which the claim's seeds post it.
    pub claim_start: u32,
    /// The claim's content (conversion and earned media are 0).
    pub claim: Content,
    /// The claim's seeding plans (who posts it first).
    pub claim_seeding: Seeding,
    /// The correction's content (conversion and earned media are 0).
    pub correction: Content,
    /// The correction's channels, as seeding plans.
    pub correction_seeding: Seeding,
    /// Steps from the claim's start to the correction's, one run of the same
    /// trials per entry; `None` is "never". At least one, no repeats.
    pub response_delays: Vec<Option<u32>>,
    /// Same-step priority.
    pub priority: Priority,
    /// Probability that a person who engaged with the correction before
    /// believing is immune to the claim.
    pub protection: f64,
    /// Probability that a believer who engages with the correction (per step
    /// in which it reaches them) is corrected.
    pub uptake: f64,
    /// Drop in a believer's purchase probability.
    pub harm: f64,
    /// Drop in a corrected believer's purchase probability (≤ `harm` is not
    /// required; `residual_harm = harm` makes correcting worthless).
    pub residual_harm: f64,
    /// Each person's probability of buying in the period, per segment id
    /// (all 0 without `base_purchase`).
    pub base_purchase: Vec<f64>,
}

impl Crisis {
    /// A label for response delay `d`: its number of steps, or `never`.
    pub fn delay_label(d: Option<u32>) -> String {
        match d {
            Some(k) => k.to_string(),
            None => "never".into(),
        }
    }
}

fn bad(file: &str, msg: String) -> Error {
    Error::Scenario {
        file: file.into(),
        msg,
    }
}

/// Renames the keys in a message of the shared `[content]` / `[seeding]`
/// parsers to the crisis table they came from.
fn rename(e: Error, from: &str, to: &str) -> Error {
    match e {
        Error::Scenario { file, msg } => Error::Scenario {
            file,
            msg: msg.replace(from, to),
        },
        other => other,
    }
}

fn unit(file: &str, key: &str, v: Option<f64>, default: f64) -> Result<f64> {
    let v = v.unwrap_or(default);
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(bad(
            file,
            format!("{key} = {v} is out of range; allowed: 0 ≤ {key} ≤ 1"),
        ))
    }
}

fn content(
    raw: RawContent,
    table: &str,
    segments: &[Segment],
    roles: &[String],
    file: &str,
) -> Result<Content> {
    let c = parse_content(raw, segments, roles, file)
        .map_err(|e| rename(e, "[content", &format!("[{table}.content")))?;
    for (key, v) in [("conversion", c.conversion), ("ugc", c.ugc)] {
        if v != 0.0 {
            return Err(bad(
                file,
                format!(
                    "[{table}.content].{key} = {v} is not used by a crisis cascade; remove it (the damage is set by [crisis].harm)"
                ),
            ));
        }
    }
    Ok(c)
}

fn delay_value(v: &toml::Value, key: &str, file: &str) -> Result<Option<u32>> {
    match v {
        toml::Value::String(s) if s == "never" => Ok(None),
        toml::Value::Integer(k) if (0..MAX_HORIZON as i64).contains(k) => Ok(Some(*k as u32)),
        other => Err(bad(
            file,
            format!(
                "{key} = {other} is not allowed; allowed: a whole number of steps from 0 to {}, or \"never\"",
                MAX_HORIZON - 1
            ),
        )),
    }
}

/// Validates `[crisis]` against the segments and roles.
pub(super) fn parse(
    raw: RawCrisis,
    segments: &[Segment],
    roles: &[String],
    horizon: Option<u32>,
    file: &str,
) -> Result<Crisis> {
    let segment_names: Vec<String> = segments.iter().map(|s| s.name.clone()).collect();
    let claim_start = match raw.claim.start.unwrap_or(0) {
        s if s >= 0 && s < horizon.unwrap_or(MAX_HORIZON) as i64 => s as u32,
        s => {
            return Err(bad(
                file,
                format!(
                    "[crisis.claim].start = {s} is out of range; allowed: 0 to {} (before the horizon)",
                    horizon.unwrap_or(MAX_HORIZON) - 1
                ),
            ));
        }
    };
    let claim = content(raw.claim.content, "crisis.claim", segments, roles, file)?;
    let claim_seeding = parse_seeding(raw.claim.seeding, &segment_names, roles, file)
        .map_err(|e| rename(e, "[seeding", "[crisis.claim.seeding"))?;
    let correction = content(
        raw.correction.content,
        "crisis.correction",
        segments,
        roles,
        file,
    )?;
    let correction_seeding = parse_seeding(raw.correction.seeding, &segment_names, roles, file)
        .map_err(|e| rename(e, "[seeding", "[crisis.correction.seeding"))?;
    let key = "[crisis.correction].response_delay";
    let response_delays = match &raw.correction.response_delay {
        toml::Value::Array(items) => {
            if items.is_empty() {
                return Err(bad(
                    file,
                    format!("{key} is empty; give at least one delay"),
                ));
            }
            let mut out = Vec::with_capacity(items.len());
            for (i, v) in items.iter().enumerate() {
                let d = delay_value(v, &format!("{key}[{i}]"), file)?;
                if out.contains(&d) {
                    return Err(bad(file, format!("{key}[{i}] = {v} is listed twice")));
                }
                out.push(d);
            }
            out
        }
        v => vec![delay_value(v, key, file)?],
    };
    let priority = match raw.priority.as_deref().unwrap_or("correction") {
        "correction" => Priority::Correction,
        "claim" => Priority::Claim,
        "random" => Priority::Random,
        other => {
            return Err(bad(
                file,
                format!(
                    "[crisis].priority = {other:?} is not known; allowed: \"correction\", \"claim\", \"random\""
                ),
            ));
        }
    };
    let protection = unit(file, "[crisis].protection", raw.protection, 1.0)?;
    let uptake = unit(file, "[crisis].uptake", raw.uptake, 0.5)?;
    let harm = unit(file, "[crisis].harm", raw.harm, 0.0)?;
    let residual_harm = unit(file, "[crisis].residual_harm", raw.residual_harm, 0.0)?;
    let mut base_purchase = vec![0.0; segments.len()];
    match raw.base_purchase {
        None => {}
        Some(toml::Value::Float(p)) => {
            let p = unit(file, "[crisis].base_purchase", Some(p), 0.0)?;
            base_purchase.fill(p);
        }
        Some(toml::Value::Integer(p)) => {
            let p = unit(file, "[crisis].base_purchase", Some(p as f64), 0.0)?;
            base_purchase.fill(p);
        }
        Some(toml::Value::Table(t)) => {
            let t: BTreeMap<String, toml::Value> = t.into_iter().collect();
            for (seg, v) in t {
                let k = format!("[crisis.base_purchase].{seg}");
                let Some(i) = segment_names.iter().position(|s| *s == seg) else {
                    return Err(bad(
                        file,
                        format!("{k}: no such segment; segments are {segment_names:?}"),
                    ));
                };
                let p = v.as_float().or(v.as_integer().map(|x| x as f64));
                let Some(p) = p else {
                    return Err(bad(
                        file,
                        format!("{k} = {v} is not a number; allowed: 0 ≤ p ≤ 1"),
                    ));
                };
                base_purchase[i] = unit(file, &k, Some(p), 0.0)?;
            }
        }
        Some(other) => {
            return Err(bad(
                file,
                format!(
                    "[crisis].base_purchase = {other} is not allowed; give a probability in [0, 1] or a table of them by segment"
                ),
            ));
        }
    }
    Ok(Crisis {
        claim_start,
        claim,
        claim_seeding,
        correction,
        correction_seeding,
        response_delays,
        priority,
        protection,
        uptake,
        harm,
        residual_harm,
        base_purchase,
    })
}
