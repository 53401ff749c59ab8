//! Economics of the campaigns: revenue and cost per trial, and what the
//! budget bought.

use super::stat::{Proportion, Stat};
use super::summary::SummaryContext;
use crate::engine::{Ensemble, TrialOutcome};
use crate::scenario::{Economics, PlanCost};
use serde::Serialize;
use std::collections::BTreeMap;

/// What the budget bought: realised means per campaign.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Bought {
    /// Seeds per campaign by role.
    pub seeds: BTreeMap<String, f64>,
    /// Paid impressions delivered per campaign.
    pub paid_impressions: f64,
    /// Cost of the seeds per campaign.
    pub seed_cost: f64,
    /// Cost of the impressions per campaign.
    pub impressions_cost: f64,
    /// Fixed cost per campaign.
    pub fixed_cost: f64,
    /// Total cost per campaign.
    pub cost: f64,
    /// Mean cost ÷ budget (null without a budget).
    pub budget_share: Option<f64>,
}

/// Economics of the campaign (present when the scenario has `[economics]`).
/// Per-trial revenue, cost, profit and ROI are in `metrics`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EconomicsSummary {
    /// Currency label.
    pub currency: String,
    /// Revenue per conversion.
    pub value_per_conversion: f64,
    /// Cost per thousand paid impressions delivered.
    pub cpm: f64,
    /// Seed cost per role.
    pub seed_cost: BTreeMap<String, f64>,
    /// The budget (null: none given).
    pub budget: Option<f64>,
    /// The seeding plan costed before simulating (expected role mix for random plans).
    pub planned: Option<PlanCost>,
    /// What the budget bought, as realised in the trials.
    pub bought: Bought,
    /// P(ROI > 0) with its Wilson interval (null when every cost is 0).
    pub roi_positive: Option<Proportion>,
    /// (mean revenue − mean cost) ÷ mean cost (null when the mean cost is 0).
    pub roi_of_means: Option<f64>,
    /// Conversions per campaign that pay for the mean cost (null when a conversion is worth 0).
    pub break_even_conversions: Option<f64>,
    /// Share of campaigns whose cost exceeded the budget (random seeding can
    /// draw dearer roles than planned; null without a budget).
    pub over_budget: Option<Proportion>,
}

/// Seeds of each role id in trial `t` (role 0, "public", when roles are not tracked).
pub fn trial_seeds_by_role(ens: &Ensemble, t: usize) -> Vec<(usize, u32)> {
    if ens.roles == 0 {
        vec![(0, ens.outcomes[t].seeds)]
    } else {
        (0..ens.roles)
            .map(|r| (r, ens.per_role[(t * ens.roles + r) * 3 + 2]))
            .collect()
    }
}

/// Revenue and cost of a campaign (trial) under `e`, from its outcome and
/// its seeds by role ([`trial_seeds_by_role`]): conversions × value per
/// conversion, and seeds, paid impressions and the fixed cost
/// ([`Economics::trial_cost`]).
pub fn trial_revenue_cost(
    e: &Economics,
    o: &TrialOutcome,
    seeds_by_role: &[(usize, u32)],
) -> (f64, f64) {
    let cost = e.trial_cost(seeds_by_role.iter().copied(), o.paid_reached);
    (o.converted as f64 * e.value_per_conversion, cost)
}

/// Per-trial revenue, cost, profit and ROI (added to `metrics`) and the
/// economics section of the summary.
pub(crate) fn economics_summary(
    ctx: &SummaryContext,
    ens: &Ensemble,
    metrics: &BTreeMap<String, Stat>,
) -> EconomicsSummary {
    let e = ctx
        .economics
        .as_ref()
        .expect("called only with [economics]");
    let n = ens.len();
    let names = ctx.role_names();
    let nroles = names.len().max(1);
    let mut seeds_sum = vec![0u64; nroles];
    let (mut revenue, mut cost, mut seed_cost, mut paid) =
        (Vec::with_capacity(n), Vec::with_capacity(n), 0.0f64, 0u64);
    for (t, o) in ens.outcomes.iter().enumerate() {
        let by_role = trial_seeds_by_role(ens, t);
        for &(r, k) in &by_role {
            seeds_sum[r] += k as u64;
        }
        let (rv, c) = trial_revenue_cost(e, o, &by_role);
        seed_cost += c - o.paid_reached as f64 * e.cpm / 1000.0 - e.fixed_cost;
        paid += o.paid_reached as u64;
        cost.push(c);
        revenue.push(rv);
    }
    let profit: Vec<f64> = revenue.iter().zip(&cost).map(|(r, c)| r - c).collect();
    // The metric table holds revenue, cost, profit and (when every campaign
    // costs something) ROI.
    let (rs, cs) = (metrics["revenue"], metrics["cost"]);
    let mut roi_positive = None;
    if metrics.contains_key("roi") {
        let roi: Vec<f64> = profit.iter().zip(&cost).map(|(p, c)| p / c).collect();
        roi_positive = Some(Proportion::of(
            roi.iter().filter(|&&x| x > 0.0).count() as u64,
            n as u64,
        ));
    }
    let nf = n.max(1) as f64;
    let role_name = |r: usize| names.get(r).cloned().unwrap_or_else(|| "public".into());
    let bought = Bought {
        seeds: seeds_sum
            .iter()
            .enumerate()
            .filter(|(_, k)| **k > 0)
            .map(|(r, &k)| (role_name(r), k as f64 / nf))
            .collect(),
        paid_impressions: paid as f64 / nf,
        seed_cost: seed_cost / nf,
        impressions_cost: paid as f64 / nf * e.cpm / 1000.0,
        fixed_cost: e.fixed_cost,
        cost: cs.mean,
        budget_share: e.budget.filter(|&b| b > 0.0).map(|b| cs.mean / b),
    };
    EconomicsSummary {
        currency: e.currency.clone(),
        value_per_conversion: e.value_per_conversion,
        cpm: e.cpm,
        seed_cost: e
            .seed_cost
            .iter()
            .enumerate()
            .map(|(r, &c)| (role_name(r), c))
            .collect(),
        budget: e.budget,
        planned: ctx.planned.clone(),
        bought,
        roi_positive,
        roi_of_means: (cs.mean > 0.0).then(|| (rs.mean - cs.mean) / cs.mean),
        break_even_conversions: (e.value_per_conversion > 0.0)
            .then(|| cs.mean / e.value_per_conversion),
        over_budget: e.budget.map(|b| {
            Proportion::of(
                cost.iter().filter(|&&c| c > b + 0.005).count() as u64,
                n as u64,
            )
        }),
    }
}
