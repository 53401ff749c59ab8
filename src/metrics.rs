//! Aggregation of an [`Ensemble`] into a [`Summary`]: the numbers in
//! `summary.json`, with their uncertainty.

use crate::engine::{Ensemble, ResolvedSeeding, TrialOutcome};
use crate::graph::SocialGraph;
use crate::scenario::{Economics, PlanCost, Precision, Scenario};
use serde::Serialize;
use std::collections::BTreeMap;

/// Version of the `summary.json` layout.
pub const SUMMARY_FORMAT: u32 = 1;

/// Distribution of one metric over trials.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stat {
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1).
    pub std: f64,
    /// Standard error of the mean.
    pub stderr: f64,
    /// Normal-approximation 95% interval of the mean.
    pub ci95: [f64; 2],
    /// 5th percentile (linear interpolation between order statistics).
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// Quantile `q` of sorted data, linear between order statistics (R type 7).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Quantiles (R type 7) of unsorted data by selection, O(n) each: the order
/// statistics each quantile needs are found with `select_nth_unstable`.
/// `xs` is reordered.
pub fn quantiles<T: Copy + PartialOrd + Into<f64>>(xs: &mut [T], qs: &[f64]) -> Vec<f64> {
    let n = xs.len();
    if n == 0 {
        return vec![f64::NAN; qs.len()];
    }
    let cmp = |a: &T, b: &T| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal);
    qs.iter()
        .map(|&q| {
            type7(n, q, |r| {
                let (_, &mut x, _) = xs.select_nth_unstable_by(r, cmp);
                x.into()
            })
        })
        .collect()
}

/// Quantile `q` (R type 7) of `n ≥ 1` values from their order statistics:
/// `nth(r)` is the (r+1)-th smallest. It is called with ⌊h⌋, h = (n − 1)·q,
/// and then with ⌊h⌋ + 1 only when h is not whole.
fn type7(n: usize, q: f64, mut nth: impl FnMut(usize) -> f64) -> f64 {
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let a = nth(lo);
    if lo + 1 >= n || h == lo as f64 {
        return a;
    }
    a + (h - lo as f64) * (nth(lo + 1) - a)
}

/// The largest value when every value is a whole number in
/// `0..=4·len + 65,536` (counts, as most metrics are), else `None`.
fn small_count_bound(xs: &[f64]) -> Option<usize> {
    let limit = (4 * xs.len() + 65_536) as f64;
    let mut max = 0.0f64;
    for &x in xs {
        if !(x >= 0.0 && x <= limit && x.fract() == 0.0) {
            return None;
        }
        max = max.max(x);
    }
    Some(max as usize)
}

/// [`quantiles`] of whole numbers in `0..=max`, by counting: O(n + max).
/// The order statistics are exact, so the results equal the selection's.
fn count_quantiles(xs: &[f64], max: usize, qs: &[f64]) -> Vec<f64> {
    let n = xs.len();
    if n == 0 {
        return vec![f64::NAN; qs.len()];
    }
    let mut cum = vec![0u64; max + 1];
    for &x in xs {
        cum[x as usize] += 1;
    }
    for i in 1..=max {
        cum[i] += cum[i - 1];
    }
    cumulative_quantiles(&cum, qs)
}

/// Quantiles (R type 7) of whole numbers given by cumulative counts:
/// `cum[v]` values are ≤ v, and `cum` ends at the number of values (≥ 1).
fn cumulative_quantiles(cum: &[u64], qs: &[f64]) -> Vec<f64> {
    let n = cum.last().copied().unwrap_or(0) as usize;
    // The (r+1)-th smallest: the first value whose cumulative count exceeds r.
    let nth = |r: usize| cum.partition_point(|&c| c as usize <= r) as f64;
    qs.iter().map(|&q| type7(n, q, nth)).collect()
}

impl Stat {
    /// Statistics of `xs` (summed in the given order, so results are
    /// reproducible to the bit). O(n).
    pub fn of(xs: &[f64]) -> Stat {
        let n = xs.len() as f64;
        if xs.is_empty() {
            return Stat {
                mean: 0.0,
                std: 0.0,
                stderr: 0.0,
                ci95: [0.0, 0.0],
                p5: 0.0,
                p50: 0.0,
                p95: 0.0,
                min: 0.0,
                max: 0.0,
            };
        }
        let mean = xs.iter().sum::<f64>() / n;
        let var = if xs.len() > 1 {
            xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)
        } else {
            0.0
        };
        let std = var.sqrt();
        let stderr = std / n.sqrt();
        let q = match small_count_bound(xs) {
            Some(max) => count_quantiles(xs, max, &[0.05, 0.5, 0.95]),
            None => quantiles(&mut xs.to_vec(), &[0.05, 0.5, 0.95]),
        };
        Stat {
            mean,
            std,
            stderr,
            ci95: [mean - 1.959964 * stderr, mean + 1.959964 * stderr],
            p5: q[0],
            p50: q[1],
            p95: q[2],
            min: xs.iter().copied().fold(f64::INFINITY, f64::min),
            max: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// A proportion with its Wilson 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    /// Successes ÷ trials.
    pub estimate: f64,
    /// Wilson score interval.
    pub ci95: [f64; 2],
    /// Successes.
    pub count: u64,
}

impl Proportion {
    /// `k` successes out of `n`.
    pub fn of(k: u64, n: u64) -> Proportion {
        if n == 0 {
            return Proportion {
                estimate: 0.0,
                ci95: [0.0, 1.0],
                count: 0,
            };
        }
        let z = 1.959964f64;
        let (nf, p) = (n as f64, k as f64 / n as f64);
        let denom = 1.0 + z * z / nf;
        let centre = (p + z * z / (2.0 * nf)) / denom;
        let half = z * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt() / denom;
        Proportion {
            estimate: p,
            ci95: [
                if k == 0 {
                    0.0
                } else {
                    (centre - half).max(0.0)
                },
                if k >= n {
                    1.0
                } else {
                    (centre + half).min(1.0)
                },
            ],
            count: k,
        }
    }
}

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

/// Per-step bands of a cumulative count.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Band {
    /// Mean per step.
    pub mean: Vec<f64>,
    /// 5th percentile per step.
    pub p5: Vec<f64>,
    /// Median per step.
    pub p50: Vec<f64>,
    /// 95th percentile per step.
    pub p95: Vec<f64>,
}

/// Cumulative reached, engaged and shared per step (trials that ended keep their final value).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TimeSeries {
    /// Number of steps (rows).
    pub steps: usize,
    /// Cumulative people reached.
    pub reached: Band,
    /// Cumulative people engaged.
    pub engaged: Band,
    /// Cumulative people who shared.
    pub shared: Band,
    /// Mean new engagements per step.
    pub new_engaged_mean: Vec<f64>,
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
    pub engagement_rate_ci95: [f64; 2],
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
    /// Mean engaged ÷ mean reached in the role.
    pub engagement_rate: f64,
    /// 95% interval of the engagement rate (delta method for a ratio of means).
    pub engagement_rate_ci95: [f64; 2],
}

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
}

/// Everything a summary needs besides the trials: what was run, the
/// population (segment and role names with their sizes), the fixed seeds'
/// labels, the economics and the planned cost. Taken from the scenario and
/// the graph once, so summarising needs neither.
#[derive(Debug, Clone, PartialEq)]
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

/// The metric values of one outcome, by metric name, in a fixed order.
pub fn outcome_fields(o: &TrialOutcome) -> [(&'static str, f64); 9] {
    [
        ("reached", o.reached as f64),
        ("engaged", o.engaged as f64),
        ("shared", o.shared as f64),
        ("converted", o.converted as f64),
        ("earned_media", o.earned_media as f64),
        ("depth", o.depth as f64),
        ("structural_virality", o.structural_virality),
        ("time_to_peak", o.peak_step as f64),
        ("duration", o.steps as f64),
    ]
}

/// Counts of a multiset of small integers in two levels (per value and per
/// block of 256 values): O(1) updates, O(max/256 + 256) order statistics.
struct Counts {
    fine: Vec<u32>,
    coarse: Vec<u32>,
}

impl Counts {
    const BLOCK: usize = 256;

    fn new(len: usize) -> Self {
        Counts {
            fine: vec![0; len],
            coarse: vec![0; len.div_ceil(Self::BLOCK)],
        }
    }

    #[inline]
    fn add(&mut self, value: usize, delta: i32) {
        self.fine[value] = self.fine[value].wrapping_add_signed(delta);
        let b = value / Self::BLOCK;
        self.coarse[b] = self.coarse[b].wrapping_add_signed(delta);
    }

    /// The value of 0-based rank `r` (the (r+1)-th smallest).
    fn select(&self, r: u64) -> usize {
        let mut rem = r;
        for (b, &c) in self.coarse.iter().enumerate() {
            if (c as u64) <= rem {
                rem -= c as u64;
                continue;
            }
            for (v, &f) in self.fine[b * Self::BLOCK..].iter().enumerate() {
                if (f as u64) > rem {
                    return b * Self::BLOCK + v;
                }
                rem -= f as u64;
            }
        }
        self.fine.len() - 1
    }

    /// Quantile `q` (R type 7) of the `n` values held.
    fn quantile(&self, n: u64, q: f64) -> f64 {
        type7(n as usize, q, |r| self.select(r as u64) as f64)
    }
}

/// Per-step time series with bands (mean, p5, p50, p95 of the cumulative
/// reached, engaged and shared at each step, over all trials; trials that
/// ended keep their final value), exact.
pub fn time_series(ens: &Ensemble) -> TimeSeries {
    time_series_by(ens, None)
}

/// How [`time_series_by`] gathers each step's distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
enum SeriesMethod {
    /// Per-step value counts, filled in one pass over the trials.
    Tables,
    /// The trials' increments regrouped by step.
    Regroup,
}

/// Largest per-step value tables [`time_series_by`] builds without
/// comparing them with the regrouping buffer (bytes).
const SERIES_TABLE_BYTES: usize = 32 << 20;

/// Per-step time series with bands, exact, two ways (a test holds them to
/// the same numbers). Each trial's cumulative count moves only while it is
/// alive; trials that ended keep their final value.
///
/// - Tables (the usual way): for each step s, how many trials alive after s
///   stand at each value, and how many end at s with each final value; one
///   pass over the trial-major rows fills them, then the distribution at
///   step s is the running sum of the ended plus the alive at s. Memory is
///   8 bytes × steps × (largest count + 1) per kind, nothing per trial.
/// - Regroup, when the tables would be larger than both 32 MiB and this: the
///   non-zero increments regrouped step by step (8 bytes per trial step, a
///   counting sort of the rows), applied to two-level value counts.
///
/// Means are integer sums, so nothing depends on the order of work.
fn time_series_by(ens: &Ensemble, force: Option<SeriesMethod>) -> TimeSeries {
    let t = ens.len();
    let steps = ens
        .outcomes
        .iter()
        .map(|o| o.steps as usize)
        .max()
        .unwrap_or(0)
        .max(1);
    // One pass over the rows: per kind, the largest final count and the
    // number of non-zero increments per step; and new engaged per step.
    let mut vmax = [0u32; 3];
    let mut nonzero = [(); 3].map(|_| vec![0usize; steps + 1]);
    let mut new_engaged = vec![0u64; steps];
    for i in 0..t {
        let mut total = [0u32; 3];
        for (s, row) in ens.trial_steps(i).iter().enumerate() {
            for k in 0..3 {
                total[k] += row[k];
                nonzero[k][s + 1] += (row[k] > 0) as usize;
            }
            new_engaged[s] += row[1] as u64;
        }
        for k in 0..3 {
            vmax[k] = vmax[k].max(total[k]);
        }
    }
    let kind = |k: usize, mut start: Vec<usize>| -> Band {
        let mut b = Band::default();
        if t == 0 {
            return b;
        }
        let mut cur = vec![0u32; t];
        let mut fen = Counts::new(vmax[k] as usize + 1);
        fen.add(0, t as i32);
        let mut sum = 0u64;
        // The non-zero increments regrouped step by step (a counting sort of
        // the trial-major rows, read once in order), each step's in trial order.
        for s in 0..steps {
            start[s + 1] += start[s];
        }
        let mut fill = start.clone();
        let mut inc = vec![(0u32, 0u32); start[steps]];
        for i in 0..t {
            for (s, row) in ens.trial_steps(i).iter().enumerate() {
                if row[k] > 0 {
                    inc[fill[s]] = (i as u32, row[k]);
                    fill[s] += 1;
                }
            }
        }
        for s in 0..steps {
            for &(i, d) in &inc[start[s]..start[s + 1]] {
                let i = i as usize;
                let old = cur[i];
                fen.add(old as usize, -1);
                fen.add((old + d) as usize, 1);
                cur[i] = old + d;
                sum += d as u64;
            }
            b.mean.push(sum as f64 / t as f64);
            b.p5.push(fen.quantile(t as u64, 0.05));
            b.p50.push(fen.quantile(t as u64, 0.5));
            b.p95.push(fen.quantile(t as u64, 0.95));
        }
        b
    };
    let table_bytes: usize = vmax.iter().map(|&m| 8 * steps * (m as usize + 1)).sum();
    let regroup_bytes = nonzero
        .iter()
        .map(|n| 8 * n.iter().sum::<usize>())
        .max()
        .unwrap_or(0);
    let method = force.unwrap_or(if table_bytes <= SERIES_TABLE_BYTES.max(regroup_bytes) {
        SeriesMethod::Tables
    } else {
        SeriesMethod::Regroup
    });
    let (reached, engaged, shared) = match method {
        SeriesMethod::Tables => {
            let [a, b, c] = value_tables(ens, steps, vmax);
            (a, b, c)
        }
        // One kind at a time: each regroups a copy of its non-zero
        // increments, so running them together would hold three.
        SeriesMethod::Regroup => {
            let [n0, n1, n2] = nonzero;
            (kind(0, n0), kind(1, n1), kind(2, n2))
        }
    };
    TimeSeries {
        steps,
        reached,
        engaged,
        shared,
        new_engaged_mean: new_engaged
            .iter()
            .map(|&x| x as f64 / t.max(1) as f64)
            .collect(),
    }
}

/// The bands of the three kinds from per-step value tables (see
/// [`time_series_by`]); `vmax` is each kind's largest final count.
fn value_tables(ens: &Ensemble, steps: usize, vmax: [u32; 3]) -> [Band; 3] {
    let t = ens.len();
    let width = vmax.map(|m| m as usize + 1);
    // alive[k][s·w + v]: trials still going after step s standing at v;
    // ended[k][s·w + v]: trials whose last step is s, at final value v.
    let mut alive = width.map(|w| vec![0u32; steps * w]);
    let mut ended = width.map(|w| vec![0u32; steps * w]);
    for i in 0..t {
        let rows = ens.trial_steps(i);
        if rows.is_empty() {
            for e in &mut ended {
                e[0] += 1;
            }
            continue;
        }
        let mut cum = [0usize; 3];
        let last = rows.len() - 1;
        for (s, row) in rows.iter().enumerate() {
            for k in 0..3 {
                cum[k] += row[k] as usize;
                let cell = s * width[k] + cum[k];
                if s < last {
                    alive[k][cell] += 1;
                } else {
                    ended[k][cell] += 1;
                }
            }
        }
    }
    let mut bands = [(); 3].map(|_| Band::default());
    if t == 0 {
        return bands;
    }
    for k in 0..3 {
        let w = width[k];
        let b = &mut bands[k];
        let mut done = vec![0u32; w];
        let mut cum = vec![0u64; w];
        for s in 0..steps {
            let now = &alive[k][s * w..(s + 1) * w];
            for (d, &e) in done.iter_mut().zip(&ended[k][s * w..(s + 1) * w]) {
                *d += e;
            }
            // This step's distribution, cumulated, and its total.
            let (mut below, mut sum) = (0u64, 0u64);
            for v in 0..w {
                let c = (done[v] + now[v]) as u64;
                below += c;
                sum += v as u64 * c;
                cum[v] = below;
            }
            let q = cumulative_quantiles(&cum, &[0.05, 0.5, 0.95]);
            b.mean.push(sum as f64 / t as f64);
            b.p5.push(q[0]);
            b.p50.push(q[1]);
            b.p95.push(q[2]);
        }
    }
    bands
}

/// One value per trial, in trial order.
fn per_trial(ens: &Ensemble, f: impl Fn(&TrialOutcome) -> f64) -> Vec<f64> {
    ens.outcomes.iter().map(f).collect()
}

/// 95% interval of Σa ÷ Σb over trials (ratio of means) by the delta
/// method: R ± 1.96 · sd(a − R·b) / (√n · mean b). [0, 0] when b is all 0.
pub fn ratio_ci95(a: &[f64], b: &[f64]) -> [f64; 2] {
    let n = a.len() as f64;
    let (sa, sb) = (a.iter().sum::<f64>(), b.iter().sum::<f64>());
    if sb <= 0.0 || a.len() < 2 {
        let r = if sb > 0.0 { sa / sb } else { 0.0 };
        return [r, r];
    }
    let r = sa / sb;
    let var = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - r * y).powi(2))
        .sum::<f64>()
        / (n - 1.0);
    let half = 1.959964 * var.sqrt() / (n.sqrt() * (sb / n));
    [r - half, r + half]
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
fn economics_summary(
    ctx: &SummaryContext,
    ens: &Ensemble,
    metrics: &mut BTreeMap<String, Stat>,
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
    let all_costly = cost.iter().all(|&c| c > 0.0);
    let (rs, cs) = (Stat::of(&revenue), Stat::of(&cost));
    metrics.insert("revenue".into(), rs);
    metrics.insert("cost".into(), cs);
    metrics.insert("profit".into(), Stat::of(&profit));
    let mut roi_positive = None;
    if all_costly {
        let roi: Vec<f64> = profit.iter().zip(&cost).map(|(p, c)| p / c).collect();
        roi_positive = Some(Proportion::of(
            roi.iter().filter(|&&x| x > 0.0).count() as u64,
            n as u64,
        ));
        metrics.insert("roi".into(), Stat::of(&roi));
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
    let mut metrics = BTreeMap::new();
    let names = outcome_fields(&TrialOutcome::default()).map(|(k, _)| k);
    // One metric column at a time per thread, so the transient memory is a
    // column per worker, not one per metric.
    let stats: Vec<Stat> = {
        use rayon::prelude::*;
        (0..names.len())
            .into_par_iter()
            .map(|k| Stat::of(&per_trial(ens, |o| outcome_fields(o)[k].1)))
            .collect()
    };
    for (name, st) in names.iter().zip(stats) {
        metrics.insert(name.to_string(), st);
    }
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

    for (name, col) in [
        (
            "response_rate",
            per_trial(ens, |o| ratio(o.earned_media as f64, o.reached as f64)),
        ),
        (
            "virality",
            per_trial(ens, |o| ratio(o.shared as f64, o.reached as f64)),
        ),
    ] {
        metrics.insert(name.to_string(), Stat::of(&col));
    }
    let economics = ctx
        .economics
        .as_ref()
        .map(|_| economics_summary(ctx, ens, &mut metrics));

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
            roles.insert(
                name.clone(),
                RoleSummary {
                    people: *people,
                    seeds: Stat::of(&s),
                    engagement_rate: ratio(es.mean, rs.mean),
                    engagement_rate_ci95: ratio_ci95(&e, &r),
                    reached: rs,
                    engaged: es,
                },
            );
        }
    }
    let reached = metrics["reached"];
    let half = 1.959964 * reached.stderr;
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
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_small_sample() {
        let s = Stat::of(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.mean, 2.5);
        assert!((s.std - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(s.min, 1.0);
        assert_eq!(s.max, 4.0);
        assert_eq!(s.p50, 2.5);
        assert!((s.p5 - 1.15).abs() < 1e-12);
    }

    #[test]
    fn selection_quantiles_match_sorting() {
        let mut r = crate::rng::stream_rng(5, crate::rng::Stream::Trial, 0);
        for n in [1usize, 2, 3, 10, 101, 1000] {
            let xs: Vec<f64> = (0..n)
                .map(|_| (crate::rng::below(&mut r, 50)) as f64)
                .collect();
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
                let mut copy = xs.clone();
                assert_eq!(
                    quantiles(&mut copy, &[q])[0],
                    quantile_sorted(&sorted, q),
                    "n={n} q={q}"
                );
            }
        }
    }

    #[test]
    fn counting_quantiles_match_sorting_and_apply_only_to_counts() {
        let mut r = crate::rng::stream_rng(6, crate::rng::Stream::Trial, 0);
        for n in [1usize, 2, 3, 10, 101, 1000] {
            let xs: Vec<f64> = (0..n)
                .map(|_| (crate::rng::below(&mut r, 300)) as f64)
                .collect();
            let max = small_count_bound(&xs).expect("whole numbers");
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            for q in [0.0, 0.05, 0.37, 0.5, 0.95, 1.0] {
                assert_eq!(
                    count_quantiles(&xs, max, &[q])[0],
                    quantile_sorted(&sorted, q),
                    "n={n} q={q}"
                );
            }
        }
        assert_eq!(small_count_bound(&[0.0, 2.0, 7.0]), Some(7));
        assert_eq!(small_count_bound(&[1.0, 2.5]), None);
        assert_eq!(small_count_bound(&[1.0, -1.0]), None);
        assert_eq!(small_count_bound(&[1.0, 1e12]), None);
        assert_eq!(small_count_bound(&[f64::NAN]), None);
    }

    #[test]
    fn fenwick_time_series_matches_brute_force() {
        use crate::engine::TrialOutcome;
        let mut r = crate::rng::stream_rng(8, crate::rng::Stream::Trial, 0);
        let mut ens = Ensemble::new(0, 0);
        for _ in 0..203 {
            let len = crate::rng::below(&mut r, 7) as usize;
            for _ in 0..len {
                let row = [0, 1, 2].map(|_| crate::rng::below(&mut r, 5) as u32);
                ens.steps.push(row);
            }
            ens.step_offsets.push(ens.steps.len() as u64);
            ens.outcomes.push(TrialOutcome {
                steps: len as u32,
                ..Default::default()
            });
        }
        let ts = time_series(&ens);
        for method in [SeriesMethod::Tables, SeriesMethod::Regroup] {
            assert_eq!(time_series_by(&ens, Some(method)), ts, "{method:?}");
        }
        for (k, band) in [&ts.reached, &ts.engaged, &ts.shared]
            .into_iter()
            .enumerate()
        {
            for s in 0..ts.steps {
                let mut col: Vec<f64> = (0..ens.len())
                    .map(|i| {
                        ens.trial_steps(i)
                            .iter()
                            .take(s + 1)
                            .map(|row| row[k] as f64)
                            .sum()
                    })
                    .collect();
                col.sort_by(f64::total_cmp);
                let mean = col.iter().sum::<f64>() / col.len() as f64;
                assert!((band.mean[s] - mean).abs() < 1e-9);
                assert_eq!(band.p5[s], quantile_sorted(&col, 0.05));
                assert_eq!(band.p50[s], quantile_sorted(&col, 0.5));
                assert_eq!(band.p95[s], quantile_sorted(&col, 0.95));
            }
        }
    }

    #[test]
    fn wilson_interval_contains_estimate() {
        let p = Proportion::of(30, 100);
        assert!(p.ci95[0] < 0.3 && 0.3 < p.ci95[1]);
        assert!((p.ci95[0] - 0.2189).abs() < 1e-3);
        assert_eq!(Proportion::of(0, 10).ci95[0], 0.0);
    }
}
