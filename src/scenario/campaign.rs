//! The campaign side of a scenario: `[content]` and `[seeding]`.

use crate::error::{Error, Result};
use crate::graph::audience::Segment;
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
    roles: Option<BTreeMap<String, RawRoleMultipliers>>,
    share_delay: Option<RawDelay>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawRoleMultipliers {
    stickiness: Option<f64>,
    shareability: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "distribution", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum RawDelay {
    Fixed { steps: u32 },
    Geometric { p: f64 },
    Exponential { mean: f64 },
    LogNormal { mu: f64, sigma: f64 },
}

/// A person id in a scenario: a number, or a label of a labelled edge list.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum PersonId {
    /// 0-based id (or a numeric label).
    Number(u64),
    /// A label from the edge list.
    Label(String),
}

impl std::fmt::Display for PersonId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PersonId::Number(n) => write!(f, "{n}"),
            PersonId::Label(s) => write!(f, "{s:?}"),
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(tag = "strategy", rename_all = "snake_case", deny_unknown_fields)]
pub(super) enum RawPlan {
    Explicit {
        nodes: Vec<PersonId>,
    },
    Random {
        count: u64,
        segments: Option<Vec<String>>,
        roles: Option<Vec<String>>,
    },
    TopDegree {
        count: u64,
        segments: Option<Vec<String>>,
        roles: Option<Vec<String>>,
    },
    ByRole {
        role: String,
        count: Option<u64>,
        pick: Option<String>,
    },
    BySegment {
        segments: Vec<String>,
        count: u64,
        pick: Option<String>,
    },
    EmployeeAdvocacy {
        count: Option<u64>,
        role: Option<String>,
        pick: Option<String>,
    },
    PaidReach {
        impressions: u64,
        segments: Option<Vec<String>>,
        brand_trust: Option<f64>,
    },
}

/// `[seeding]`: one plan, or `plans = [..]` to combine several (checked
/// by [`parse_seeding`]: a table with `plans` may hold nothing else).
pub(super) type RawSeeding = toml::Value;

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
    /// Multiplier on σ per role id (default 1).
    pub role_stickiness: Vec<f64>,
    /// Multiplier on β per role id (default 1).
    pub role_shareability: Vec<f64>,
    /// Steps from engaging to sharing.
    pub share_delay: Delay,
}

/// Smallest `p` of a geometric share delay: a mean delay of 1,000,000
/// steps, the largest horizon.
pub const MIN_GEOMETRIC_P: f64 = 1e-6;

/// Steps between engaging and sharing (at least 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Delay {
    /// Always this many steps (≥ 1). The default is 1.
    Fixed(u32),
    /// 1 + a geometric number of extra steps: each step the person shares with probability p.
    Geometric(f64),
    /// ⌈Exponential(mean)⌉, at least 1.
    Exponential(f64),
    /// ⌈LogNormal(mu, sigma)⌉, at least 1.
    LogNormal(f64, f64),
}

/// How a selection plan picks among the people who match it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pick {
    /// The largest out-degrees first (ties: smaller id), the same in every trial.
    TopDegree,
    /// Uniformly at random, anew in every trial.
    Random,
}

/// One part of a seeding plan.
#[derive(Debug, Clone, PartialEq)]
pub enum Plan {
    /// These people, in every trial.
    Explicit(Vec<PersonId>),
    /// `count` people (None: all) among those in `segments` and `roles`
    /// (None: any), picked by `pick`. They post at step 0.
    Select {
        /// How many (None: everyone who matches).
        count: Option<usize>,
        /// Segment ids to draw from.
        segments: Option<Vec<u16>>,
        /// Role ids to draw from.
        roles: Option<Vec<u8>>,
        /// How to pick.
        pick: Pick,
    },
    /// Paid impressions: `impressions` people (not seeds) in `segments` are
    /// exposed at step 0 by a brand channel whose trust is `brand_trust`;
    /// they engage like anyone exposed, but are not seeds.
    PaidReach {
        /// People exposed per campaign.
        impressions: usize,
        /// Segment ids targeted (None: everyone).
        segments: Option<Vec<u16>>,
        /// Trust in the brand channel, in [0, 1].
        brand_trust: f64,
    },
}

/// The seeding plan: its parts are combined (no person is picked twice;
/// later parts pick among those not yet picked).
#[derive(Debug, Clone, PartialEq)]
pub struct Seeding {
    /// The parts, in order, with the strategy name each came from.
    pub plans: Vec<(String, Plan)>,
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
pub(super) fn parse_content(
    c: RawContent,
    segments: &[Segment],
    roles: &[String],
    file: &str,
) -> Result<Content> {
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

    let mut role_stickiness = vec![1.0; roles.len()];
    let mut role_shareability = vec![1.0; roles.len()];
    for (role, m) in c.roles.unwrap_or_default() {
        let Some(i) = roles.iter().position(|r| *r == role) else {
            return Err(bad(format!(
                "[content.roles].{role}: no such role; roles are {roles:?}"
            )));
        };
        for (key, v, slot) in [
            ("stickiness", m.stickiness, &mut role_stickiness[i]),
            ("shareability", m.shareability, &mut role_shareability[i]),
        ] {
            if let Some(v) = v {
                if !(v >= 0.0 && v.is_finite()) {
                    return Err(bad(format!(
                        "[content.roles.{role}].{key} = {v} is out of range; allowed: a multiplier ≥ 0"
                    )));
                }
                *slot = v;
            }
        }
    }
    let share_delay = match c.share_delay {
        None => Delay::Fixed(1),
        Some(RawDelay::Fixed { steps }) if (1..=10_000).contains(&steps) => Delay::Fixed(steps),
        Some(RawDelay::Geometric { p }) if (MIN_GEOMETRIC_P..=1.0).contains(&p) => {
            Delay::Geometric(p)
        }
        Some(RawDelay::Exponential { mean }) if mean > 0.0 && mean <= 10_000.0 => {
            Delay::Exponential(mean)
        }
        Some(RawDelay::LogNormal { mu, sigma })
            if mu.is_finite() && mu <= 9.0 && sigma > 0.0 && sigma <= 5.0 =>
        {
            Delay::LogNormal(mu, sigma)
        }
        Some(other) => {
            let k = "[content].share_delay";
            return Err(bad(match other {
                RawDelay::Fixed { steps } => format!(
                    "{k}.steps = {steps} is out of range; allowed: 1 to 10000 steps (distribution = \"fixed\")"
                ),
                RawDelay::Geometric { p } => format!(
                    "{k}.p = {p} is out of range; allowed: 0.000001 ≤ p ≤ 1 (distribution = \"geometric\"; a mean delay of at most 1,000,000 steps)"
                ),
                RawDelay::Exponential { mean } => format!(
                    "{k}.mean = {mean} is out of range; allowed: 0 < mean ≤ 10000 steps (distribution = \"exponential\")"
                ),
                RawDelay::LogNormal { mu, sigma } => format!(
                    "{k} has mu = {mu}, sigma = {sigma}; allowed: mu ≤ 9 and 0 < sigma ≤ 5 (distribution = \"log_normal\")"
                ),
            }));
        }
    };

    Ok(Content {
        stickiness,
        shareability,
        endorsement,
        conversion,
        ugc,
        novelty_half_life: c.novelty_half_life,
        resonance,
        role_stickiness,
        role_shareability,
        share_delay,
    })
}

fn names_to_ids<T: TryFrom<usize>>(
    key: &str,
    names: &[String],
    known: &[String],
    what: &str,
    file: &str,
) -> Result<Vec<T>> {
    if names.is_empty() {
        return Err(Error::Scenario {
            file: file.into(),
            msg: format!("{key} is empty; list at least one {what}"),
        });
    }
    names
        .iter()
        .map(|n| {
            known
                .iter()
                .position(|k| k == n)
                .and_then(|i| T::try_from(i).ok())
                .ok_or_else(|| Error::Scenario {
                    file: file.into(),
                    msg: format!("{key}: no {what} named {n:?}; {what}s are {known:?}"),
                })
        })
        .collect()
}

fn parse_pick(key: &str, pick: Option<String>, default: Pick, file: &str) -> Result<Pick> {
    match pick.as_deref() {
        None => Ok(default),
        Some("top_degree") => Ok(Pick::TopDegree),
        Some("random") => Ok(Pick::Random),
        Some(other) => Err(Error::Scenario {
            file: file.into(),
            msg: format!(
                "{key}.pick = {other:?} is not known; allowed: \"top_degree\", \"random\""
            ),
        }),
    }
}

fn parse_plan(
    raw: RawPlan,
    key: &str,
    segments: &[String],
    roles: &[String],
    file: &str,
) -> Result<(String, Plan)> {
    let bad = |msg: String| Error::Scenario {
        file: file.into(),
        msg,
    };
    let count = |c: u64| -> Result<usize> {
        if c == 0 || c > u32::MAX as u64 {
            Err(bad(format!(
                "{key}.count = {c} is out of range; allowed: 1 to {}",
                u32::MAX
            )))
        } else {
            Ok(c as usize)
        }
    };
    let segs = |v: Option<Vec<String>>| -> Result<Option<Vec<u16>>> {
        v.map(|v| names_to_ids::<u16>(&format!("{key}.segments"), &v, segments, "segment", file))
            .transpose()
    };
    let rols = |v: Option<Vec<String>>| -> Result<Option<Vec<u8>>> {
        v.map(|v| names_to_ids::<u8>(&format!("{key}.roles"), &v, roles, "role", file))
            .transpose()
    };
    Ok(match raw {
        RawPlan::Explicit { nodes } => {
            if nodes.is_empty() {
                return Err(bad(format!(
                    "{key}.nodes is empty; list at least one person id"
                )));
            }
            for (i, u) in nodes.iter().enumerate() {
                if nodes[..i].contains(u) {
                    return Err(bad(format!("{key}.nodes[{i}] = {u} is listed twice")));
                }
            }
            ("explicit".into(), Plan::Explicit(nodes))
        }
        RawPlan::Random {
            count: c,
            segments: s,
            roles: r,
        } => (
            "random".into(),
            Plan::Select {
                count: Some(count(c)?),
                segments: segs(s)?,
                roles: rols(r)?,
                pick: Pick::Random,
            },
        ),
        RawPlan::TopDegree {
            count: c,
            segments: s,
            roles: r,
        } => (
            "top_degree".into(),
            Plan::Select {
                count: Some(count(c)?),
                segments: segs(s)?,
                roles: rols(r)?,
                pick: Pick::TopDegree,
            },
        ),
        RawPlan::ByRole {
            role,
            count: c,
            pick,
        } => (
            format!("by_role:{role}"),
            Plan::Select {
                count: c.map(count).transpose()?,
                segments: None,
                roles: rols(Some(vec![role]))?,
                pick: parse_pick(key, pick, Pick::TopDegree, file)?,
            },
        ),
        RawPlan::BySegment {
            segments: s,
            count: c,
            pick,
        } => (
            "by_segment".into(),
            Plan::Select {
                count: Some(count(c)?),
                segments: segs(Some(s))?,
                roles: None,
                pick: parse_pick(key, pick, Pick::Random, file)?,
            },
        ),
        RawPlan::EmployeeAdvocacy {
            count: c,
            role,
            pick,
        } => (
            "employee_advocacy".into(),
            Plan::Select {
                count: c.map(count).transpose()?,
                segments: None,
                roles: rols(Some(vec![role.unwrap_or_else(|| "employee".into())]))?,
                pick: parse_pick(key, pick, Pick::Random, file)?,
            },
        ),
        RawPlan::PaidReach {
            impressions,
            segments: s,
            brand_trust,
        } => {
            let t = brand_trust.unwrap_or(0.5);
            if !(0.0..=1.0).contains(&t) {
                return Err(bad(format!(
                    "{key}.brand_trust = {t} is out of range; allowed: 0 ≤ brand_trust ≤ 1"
                )));
            }
            (
                "paid_reach".into(),
                Plan::PaidReach {
                    impressions: count(impressions).map_err(|_| {
                        bad(format!(
                            "{key}.impressions = {impressions} is out of range; allowed: 1 to {}",
                            u32::MAX
                        ))
                    })?,
                    segments: segs(s)?,
                    brand_trust: t,
                },
            )
        }
    })
}

fn toml_plan(v: toml::Value, key: &str, file: &str) -> Result<RawPlan> {
    RawPlan::deserialize(v).map_err(|e| Error::Scenario {
        file: file.into(),
        msg: super::messages::value_message(&e, key),
    })
}

/// Validates `[seeding]`.
pub(super) fn parse_seeding(
    raw: RawSeeding,
    segments: &[String],
    roles: &[String],
    file: &str,
) -> Result<Seeding> {
    let bad = |msg: String| Error::Scenario {
        file: file.into(),
        msg,
    };
    let raws: Vec<(String, toml::Value)> = match raw {
        toml::Value::Table(mut t) if t.contains_key("plans") => {
            let plans = t.remove("plans").expect("checked");
            if let Some(other) = t.keys().next() {
                return Err(bad(format!(
                    "[seeding].{other} is given together with [seeding].plans, where it would be ignored; move it into one of the plans or drop plans = [...]"
                )));
            }
            let toml::Value::Array(plans) = plans else {
                return Err(bad(format!(
                    "[seeding].plans = {} is not allowed; give a list of plans, e.g. plans = [{{ strategy = \"top_degree\", count = 10 }}]",
                    crate::error::excerpt(&plans.to_string())
                )));
            };
            if plans.is_empty() {
                return Err(bad(
                    "[seeding].plans is empty; give at least one plan".into()
                ));
            }
            plans
                .into_iter()
                .enumerate()
                .map(|(i, v)| (format!("[seeding].plans[{i}]"), v))
                .collect()
        }
        v => vec![("[seeding]".into(), v)],
    };
    let mut plans = Vec::with_capacity(raws.len());
    for (key, v) in raws {
        let raw = toml_plan(v, &key, file)?;
        plans.push(parse_plan(raw, &key, segments, roles, file)?);
    }
    Ok(Seeding { plans })
}
