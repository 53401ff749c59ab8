//! The summary: its schema (what `summary.json` holds), the context it is
//! computed from, and [`summarize`].

use super::economics::{EconomicsSummary, economics_summary};
use super::series::{TimeSeries, time_series};
use super::stat::{Proportion, Stat, ratio_ci95};
use super::table::{MetricInfo, MetricTable};
use crate::engine::{Ensemble, ResolvedSeeding};
use crate::graph::SocialGraph;
use crate::scenario::{Economics, PlanCost, Precision, Scenario};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the `summary.json` layout.
pub const SUMMARY_FORMAT: u32 = 1;

/// One bin of the cascade-size distribution.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SizeBin {
    /// Smallest cascade size (engaged people) in the bin.
    pub min: u64,
    /// Largest cascade size in the bin.
    pub max: u64,
    /// Trials whose cascade size falls in the bin.
    pub trials: u64,
}

/// Per-segment results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SegmentSummary {
    /// People in the segment.
    pub people: u64,
    /// Reached in the segment.
    pub reached: Stat,
    /// Engaged in the segment.
    pub engaged: Stat,
    /// Mean engaged ÷ mean reached in the segment.
    pub engagement_rate: f64,
    /// 95% interval of the engagement rate (delta method for a ratio of means).
    pub engagement_rate_ci95: Option<[f64; 2]>,
}

/// Per-role results (role "public" is everyone without a role).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleSummary {
    /// People holding the role.
    pub people: u64,
    /// Seeds of this role per campaign.
    pub seeds: Stat,
    /// Reached in the role (seeds included).
    pub reached: Stat,
    /// Engaged in the role (seeds included).
    pub engaged: Stat,
    /// Engaged ÷ reached among the role's people who were not seeds
    /// (seeds engage by definition).
    pub engagement_rate: f64,
    /// 95% interval of the engagement rate (delta method for a ratio of means).
    pub engagement_rate_ci95: Option<[f64; 2]>,
}

/// How the number of trials was chosen and how precise mean reach is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrecisionSummary {
    /// "fixed" (a number of trials) or "auto" (until the precision is met).
    pub mode: String,
    /// Requested relative half-width of the 95% interval of mean reach (auto only).
    pub target: Option<f64>,
    /// Cap on trials (auto only).
    pub max_trials: Option<u64>,
    /// Trials run.
    pub trials: u64,
    /// Half-width of the 95% interval of mean reach, in people.
    pub reach_half_width: f64,
    /// The same relative to mean reach.
    pub reach_relative_half_width: f64,
    /// Whether the target was met (auto only).
    pub met: Option<bool>,
}

/// What was run, echoed into the summary.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunInfo {
    /// Scenario name.
    pub name: String,
    /// Master seed.
    pub seed: u64,
    /// Trials run.
    pub trials: u64,
    /// Horizon in steps (null: none).
    pub horizon: Option<u32>,
    /// Model name.
    pub model: String,
    /// People in the graph.
    pub nodes: u64,
    /// Arcs in the graph.
    pub arcs: u64,
    /// Seeds used in every trial (empty for random seeding).
    pub seeds: Vec<String>,
    /// Seeds per trial.
    pub seeds_per_trial: u64,
    /// Mean people exposed by paid reach per trial.
    pub paid_reached_mean: f64,
}

/// The contents of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Layout version.
    pub format: u32,
    /// What was run.
    pub run: RunInfo,
    /// Metric name → distribution over trials. Counts include the seeds.
    pub metrics: BTreeMap<String, Stat>,
    /// Probability that reach ≥ the viral threshold.
    pub going_viral: Proportion,
    /// The viral threshold (people reached).
    pub viral_threshold: u64,
    /// Ratios of means: virality (shared ÷ reached), engagement (engaged ÷ reached),
    /// response (earned media ÷ reached), conversion (converted ÷ reached).
    pub rates: BTreeMap<String, f64>,
    /// Per-segment results (empty with a single segment).
    pub segments: BTreeMap<String, SegmentSummary>,
    /// Per-role results (empty with a single role).
    pub roles: BTreeMap<String, RoleSummary>,
    /// Costs, revenue and what the budget bought (null without `[economics]`).
    pub economics: Option<EconomicsSummary>,
    /// Trials run and the precision of mean reach.
    pub precision: PrecisionSummary,
    /// Cascade size (engaged) in power-of-two bins.
    pub cascade_size_distribution: Vec<SizeBin>,
    /// Time series with bands.
    pub time_series: TimeSeries,
    /// The crisis (`[crisis]` only; absent from `summary.json` without one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crisis: Option<super::crisis::CrisisSummary>,
    /// The metrics in `metrics`, described, in the order the printed
    /// summary and the charts show them (not part of `summary.json`).
    #[serde(skip)]
    pub table: Vec<MetricInfo>,
}

/// Everything a summary needs besides the trials: what was run, the
/// population (segment and role names with their sizes), the fixed seeds'
/// labels, the economics and the planned cost. Taken from the scenario and
/// the graph once, so summarising needs neither.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct SummaryContext {
    /// Scenario name.
    pub name: String,
    /// Master seed.
    pub seed: u64,
    /// Horizon in steps.
    pub horizon: Option<u32>,
    /// Model name.
    pub model: String,
    /// The `trials = "auto"` target, if any.
    pub precision: Option<Precision>,
    /// Reach at or above which a trial counts as gone viral.
    pub viral_threshold: u64,
    /// People in the graph.
    pub nodes: u64,
    /// Arcs in the graph.
    pub arcs: u64,
    /// Segment names in declared order, with the people in each.
    pub segments: Vec<(String, u64)>,
    /// Role names in declared order (`public` first), with the people in each.
    pub roles: Vec<(String, u64)>,
    /// Labels of the seeds used in every trial (empty for random seeding).
    pub seed_labels: Vec<String>,
    /// `[economics]`, if any.
    pub economics: Option<Economics>,
    /// What the seeding plan costs per campaign (with `[economics]`).
    pub planned: Option<PlanCost>,
}

impl SummaryContext {
    /// The context of scenario `s` run on `g` with seeding `seeding`.
    pub fn new(s: &Scenario, g: &SocialGraph, seeding: &ResolvedSeeding) -> Self {
        let v = g.vocabulary();
        let mut seg_people = vec![0u64; v.segments.len().max(1)];
        for &x in g.segments() {
            seg_people[x as usize] += 1;
        }
        let mut role_people = vec![0u64; v.roles.len().max(1)];
        for &x in g.roles() {
            role_people[x as usize] += 1;
        }
        SummaryContext {
            name: s.name.clone(),
            seed: s.seed,
            horizon: s.horizon,
            model: s.model.as_str().to_string(),
            precision: s.precision,
            viral_threshold: s.viral_threshold_for(g.node_count()),
            nodes: g.node_count() as u64,
            arcs: g.arc_count() as u64,
            segments: v.segments.iter().cloned().zip(seg_people).collect(),
            roles: v.roles.iter().cloned().zip(role_people).collect(),
            seed_labels: seeding
                .fixed_seeds
                .as_ref()
                .map(|v| v.iter().map(|&u| g.label(u)).collect())
                .unwrap_or_default(),
            economics: s.economics.clone(),
            planned: s.economics.as_ref().map(|e| seeding.plan_cost(e, g)),
        }
    }

    /// Segment names in declared order.
    pub fn segment_names(&self) -> Vec<String> {
        self.segments.iter().map(|(n, _)| n.clone()).collect()
    }

    /// Role names in declared order.
    pub fn role_names(&self) -> Vec<String> {
        self.roles.iter().map(|(n, _)| n.clone()).collect()
    }
}

/// Power-of-two bins of the engaged count.
pub fn size_distribution(ens: &Ensemble) -> Vec<SizeBin> {
    let mut bins: BTreeMap<u32, u64> = BTreeMap::new();
    for o in &ens.outcomes {
        *bins
            .entry(31 - o.engaged.max(1).leading_zeros())
            .or_default() += 1;
    }
    bins.into_iter()
        .map(|(b, trials)| SizeBin {
            min: 1 << b,
            max: (2u64 << b) - 1,
            trials,
        })
        .collect()
}

/// Summarises an ensemble. The per-step time series is built alongside
/// everything else.
pub fn summarize(ctx: &SummaryContext, ens: &Ensemble) -> Summary {
    let (series, mut summary) =
        rayon::join(|| time_series(ens), || summarize_but_time_series(ctx, ens));
    summary.time_series = series;
    summary
}

/// [`summarize`] with an empty time series.
fn summarize_but_time_series(ctx: &SummaryContext, ens: &Ensemble) -> Summary {
    let n = ens.len() as u64;
    let table = MetricTable::campaign(ctx, ens);
    let metrics: BTreeMap<String, Stat> = table
        .infos()
        .into_iter()
        .map(|m| m.name)
        .zip(table.stats(ens.len()))
        .collect();
    let threshold = ctx.viral_threshold;
    let viral = ens
        .outcomes
        .iter()
        .filter(|o| o.reached as u64 >= threshold)
        .count() as u64;
    let mean = |k: &str| metrics[k].mean;
    let ratio = |a: f64, b: f64| if b > 0.0 { a / b } else { 0.0 };
    let mut rates = BTreeMap::new();
    rates.insert(
        "virality".to_string(),
        ratio(mean("shared"), mean("reached")),
    );
    rates.insert(
        "engagement".to_string(),
        ratio(mean("engaged"), mean("reached")),
    );
    rates.insert(
        "response".to_string(),
        ratio(mean("earned_media"), mean("reached")),
    );
    rates.insert(
        "conversion".to_string(),
        ratio(mean("converted"), mean("reached")),
    );

    let economics = ctx
        .economics
        .as_ref()
        .map(|_| economics_summary(ctx, ens, &metrics));

    let mut segments = BTreeMap::new();
    if ens.segments > 0 {
        let k = ens.segments;
        for (si, (name, people)) in ctx.segments.iter().enumerate() {
            let r: Vec<f64> = (0..ens.len())
                .map(|t| ens.per_segment[(t * k + si) * 2] as f64)
                .collect();
            let e: Vec<f64> = (0..ens.len())
                .map(|t| ens.per_segment[(t * k + si) * 2 + 1] as f64)
                .collect();
            let (rs, es) = (Stat::of(&r), Stat::of(&e));
            segments.insert(
                name.clone(),
                SegmentSummary {
                    people: *people,
                    engagement_rate: ratio(es.mean, rs.mean),
                    engagement_rate_ci95: ratio_ci95(&e, &r),
                    reached: rs,
                    engaged: es,
                },
            );
        }
    }
    let mut roles = BTreeMap::new();
    if ens.roles > 0 {
        let k = ens.roles;
        for (ri, (name, people)) in ctx.roles.iter().enumerate().take(k) {
            let col = |j: usize| -> Vec<f64> {
                (0..ens.len())
                    .map(|t| ens.per_role[(t * k + ri) * 3 + j] as f64)
                    .collect()
            };
            let (r, e, s) = (col(0), col(1), col(2));
            let (rs, es) = (Stat::of(&r), Stat::of(&e));
            // The rate among people reached who were not seeds (seeds
            // engage by definition and would inflate it).
            let minus = |x: &[f64]| -> Vec<f64> { x.iter().zip(&s).map(|(a, b)| a - b).collect() };
            let (r_other, e_other) = (minus(&r), minus(&e));
            let (sum_r, sum_e) = (r_other.iter().sum::<f64>(), e_other.iter().sum::<f64>());
            roles.insert(
                name.clone(),
                RoleSummary {
                    people: *people,
                    seeds: Stat::of(&s),
                    engagement_rate: ratio(sum_e, sum_r),
                    engagement_rate_ci95: ratio_ci95(&e_other, &r_other),
                    reached: rs,
                    engaged: es,
                },
            );
        }
    }
    let reached = metrics["reached"];
    let half = reached.stderr.map_or(f64::INFINITY, |se| 1.959964 * se);
    let rel = if reached.mean > 0.0 {
        half / reached.mean
    } else if half == 0.0 {
        0.0
    } else {
        f64::INFINITY
    };
    let precision = PrecisionSummary {
        mode: if ctx.precision.is_some() {
            "auto"
        } else {
            "fixed"
        }
        .to_string(),
        target: ctx.precision.map(|p| p.target),
        max_trials: ctx.precision.map(|p| p.max_trials),
        trials: n,
        reach_half_width: half,
        reach_relative_half_width: rel,
        met: ctx.precision.map(|p| rel <= p.target),
    };
    Summary {
        format: SUMMARY_FORMAT,
        run: RunInfo {
            name: ctx.name.clone(),
            seed: ctx.seed,
            trials: n,
            horizon: ctx.horizon,
            model: ctx.model.clone(),
            nodes: ctx.nodes,
            arcs: ctx.arcs,
            seeds: ctx.seed_labels.clone(),
            seeds_per_trial: ens.outcomes.first().map(|o| o.seeds as u64).unwrap_or(0),
            paid_reached_mean: ens
                .outcomes
                .iter()
                .map(|o| o.paid_reached as f64)
                .sum::<f64>()
                / n.max(1) as f64,
        },
        metrics,
        going_viral: Proportion::of(viral, n),
        viral_threshold: threshold,
        rates,
        segments,
        roles,
        economics,
        precision,
        cascade_size_distribution: size_distribution(ens),
        time_series: TimeSeries::default(),
        crisis: None,
        table: table.infos(),
    }
}
