//! `[economics]`: what a conversion is worth and what the campaign costs —
//! seeds by role, paid impressions, a fixed cost — against a budget.
//!
//! ```toml
//! [economics]
//! currency = "EUR"              # label only (default "$")
//! value_per_conversion = 40.0   # revenue per conversion
//! budget = 25000                # optional: the plan's cost must fit
//! seed_cost = { blogger = 500, media = 2000, employee = 20, public = 5 }
//! cpm = 6.0                     # cost per thousand paid impressions delivered
//! fixed_cost = 3000             # creative, agency fee, …
//! ```
//!
//! Cost of one campaign (trial) = Σ seeds of each role × `seed_cost` of the
//! role + paid impressions delivered × `cpm` / 1000 + `fixed_cost`.
//! Revenue = conversions × `value_per_conversion`; ROI = (revenue − cost) / cost.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Largest money amount accepted anywhere in `[economics]`.
pub const MAX_MONEY: f64 = 1.0e15;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawEconomics {
    currency: Option<String>,
    value_per_conversion: Option<f64>,
    budget: Option<f64>,
    seed_cost: Option<BTreeMap<String, f64>>,
    cpm: Option<f64>,
    fixed_cost: Option<f64>,
}

/// Validated `[economics]`.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Economics {
    /// Currency label for reports.
    pub currency: String,
    /// Revenue per conversion.
    pub value_per_conversion: f64,
    /// The budget, if any: the plan's cost must not exceed it.
    pub budget: Option<f64>,
    /// Cost of one seed, per role id (default 0).
    pub seed_cost: Vec<f64>,
    /// Cost per thousand paid impressions delivered.
    pub cpm: f64,
    /// Fixed cost per campaign.
    pub fixed_cost: f64,
}

/// Validates `[economics]` against the scenario's roles (`roles[0]` is "public").
pub(super) fn parse(raw: RawEconomics, roles: &[String], file: &str) -> Result<Economics> {
    let bad = |msg: String| Error::Scenario {
        file: file.into(),
        msg,
    };
    let money = |key: &str, v: Option<f64>| -> Result<f64> {
        let v = v.unwrap_or(0.0);
        if (0.0..=MAX_MONEY).contains(&v) {
            Ok(v)
        } else {
            Err(bad(format!(
                "[economics].{key} = {v} is out of range; allowed: 0 to {MAX_MONEY:e}"
            )))
        }
    };
    let currency = raw.currency.unwrap_or_else(|| "$".into());
    if currency.is_empty() || currency.chars().count() > 8 || currency.chars().any(char::is_control)
    {
        return Err(bad(format!(
            "[economics].currency = {currency:?} is not allowed; use a label of 1–8 characters such as \"EUR\" or \"$\""
        )));
    }
    let value_per_conversion = money("value_per_conversion", raw.value_per_conversion)?;
    let budget = raw.budget.map(|b| money("budget", Some(b))).transpose()?;
    let cpm = money("cpm", raw.cpm)?;
    let fixed_cost = money("fixed_cost", raw.fixed_cost)?;
    let mut seed_cost = vec![0.0; roles.len().max(1)];
    for (role, c) in raw.seed_cost.unwrap_or_default() {
        let Some(i) = roles.iter().position(|r| *r == role) else {
            return Err(bad(format!(
                "[economics.seed_cost].{role}: no such role; roles are {roles:?}"
            )));
        };
        seed_cost[i] = money(&format!("seed_cost.{role}"), Some(c))?;
    }
    Ok(Economics {
        currency,
        value_per_conversion,
        budget,
        seed_cost,
        cpm,
        fixed_cost,
    })
}

/// One seeding plan's share of the planned cost.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PlanLine {
    /// The scenario key of the plan (`[seeding]` or `[seeding].plans[i]`).
    pub key: String,
    /// The plan's strategy.
    pub strategy: String,
    /// Seeds per campaign by role (expected, for plans drawn at random).
    pub seeds: BTreeMap<String, f64>,
    /// Paid impressions per campaign.
    pub impressions: u64,
    /// Cost per campaign.
    pub cost: f64,
}

/// What a seeding plan costs per campaign, before simulating.
///
/// Plans that pick the same people in every trial cost exactly this; plans
/// drawn at random are costed at their expected role mix (`count` × the
/// share of each role among the people they draw from).
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct PlanCost {
    /// Per plan, in order.
    pub plans: Vec<PlanLine>,
    /// Seeds by role (summed over plans).
    pub seeds: BTreeMap<String, f64>,
    /// Seed cost by role.
    pub seed_costs: BTreeMap<String, f64>,
    /// Paid impressions bought.
    pub impressions: u64,
    /// Cost of the impressions.
    pub impressions_cost: f64,
    /// The fixed cost.
    pub fixed_cost: f64,
    /// Everything.
    pub total: f64,
}

impl Economics {
    /// Cost of one campaign from its seeds per role id and paid impressions.
    pub fn trial_cost(&self, seeds_by_role: impl Iterator<Item = (usize, u32)>, paid: u32) -> f64 {
        let seeds: f64 = seeds_by_role
            .map(|(r, k)| k as f64 * self.seed_cost.get(r).copied().unwrap_or(0.0))
            .sum();
        seeds + paid as f64 * self.cpm / 1000.0 + self.fixed_cost
    }
}

/// Formats money with thousands separators and at most two decimals.
pub fn money_label(x: f64) -> String {
    let neg = x < 0.0;
    let cents = (x.abs() * 100.0).round() as u128;
    let (whole, frac) = (cents / 100, cents % 100);
    let mut digits = whole.to_string();
    let mut out = String::new();
    while digits.len() > 3 {
        let tail = digits.split_off(digits.len() - 3);
        out = format!(",{tail}{out}");
    }
    let frac = if frac == 0 {
        String::new()
    } else {
        format!(".{frac:02}")
    };
    format!("{}{digits}{out}{frac}", if neg { "-" } else { "" })
}
