//! Aggregation of an [`Ensemble`] into a [`Summary`]: the numbers in
//! `summary.json`, with their uncertainty.

use crate::engine::{Ensemble, TrialOutcome};
use crate::graph::SocialGraph;
use crate::scenario::Scenario;
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

impl Stat {
    /// Statistics of `xs` (summed in the given order, so results are
    /// reproducible to the bit).
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
        let mut s = xs.to_vec();
        s.sort_by(f64::total_cmp);
        Stat {
            mean,
            std,
            stderr,
            ci95: [mean - 1.959964 * stderr, mean + 1.959964 * stderr],
            p5: quantile_sorted(&s, 0.05),
            p50: quantile_sorted(&s, 0.5),
            p95: quantile_sorted(&s, 0.95),
            min: s[0],
            max: s[s.len() - 1],
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
            ci95: [(centre - half).max(0.0), (centre + half).min(1.0)],
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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
    /// Cascade size (engaged) in power-of-two bins.
    pub cascade_size_distribution: Vec<SizeBin>,
    /// Time series with bands.
    pub time_series: TimeSeries,
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

fn band(columns: &[Vec<f64>]) -> Band {
    let mut b = Band {
        mean: vec![],
        p5: vec![],
        p50: vec![],
        p95: vec![],
    };
    for col in columns {
        let mut s = col.clone();
        b.mean.push(s.iter().sum::<f64>() / s.len().max(1) as f64);
        s.sort_by(f64::total_cmp);
        b.p5.push(quantile_sorted(&s, 0.05));
        b.p50.push(quantile_sorted(&s, 0.5));
        b.p95.push(quantile_sorted(&s, 0.95));
    }
    b
}

/// Cumulative per-step values: `[kind][step][trial]`.
fn cumulative(ens: &Ensemble, steps: usize) -> [Vec<Vec<f64>>; 3] {
    let t = ens.len();
    let mut cols: [Vec<Vec<f64>>; 3] =
        std::array::from_fn(|_| (0..steps).map(|_| Vec::with_capacity(t)).collect());
    for i in 0..t {
        let mut acc = [0u64; 3];
        let ts = ens.trial_steps(i);
        for s in 0..steps {
            let row = ts.get(s).copied().unwrap_or([0; 3]);
            for (k, col) in cols.iter_mut().enumerate() {
                acc[k] += row[k] as u64;
                col[s].push(acc[k] as f64);
            }
        }
    }
    cols
}

/// Per-step time series with bands.
pub fn time_series(ens: &Ensemble) -> TimeSeries {
    let steps = ens
        .outcomes
        .iter()
        .map(|o| o.steps as usize)
        .max()
        .unwrap_or(0)
        .max(1);
    let [r, e, s] = cumulative(ens, steps);
    let mut new_engaged_mean = vec![0.0; steps];
    for i in 0..ens.len() {
        for (k, row) in ens.trial_steps(i).iter().enumerate() {
            new_engaged_mean[k] += row[1] as f64;
        }
    }
    new_engaged_mean
        .iter_mut()
        .for_each(|x| *x /= ens.len().max(1) as f64);
    TimeSeries {
        steps,
        reached: band(&r),
        engaged: band(&e),
        shared: band(&s),
        new_engaged_mean,
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

/// Summarises an ensemble.
pub fn summarize(
    scenario: &Scenario,
    graph: &SocialGraph,
    seeds: Option<&[u32]>,
    ens: &Ensemble,
) -> Summary {
    let n = ens.len() as u64;
    let mut metrics = BTreeMap::new();
    let mut cols: Vec<Vec<f64>> = (0..9).map(|_| Vec::with_capacity(ens.len())).collect();
    for o in &ens.outcomes {
        for (k, (_, v)) in outcome_fields(o).iter().enumerate() {
            cols[k].push(*v);
        }
    }
    let names = outcome_fields(&TrialOutcome::default()).map(|(k, _)| k);
    for (k, name) in names.iter().enumerate() {
        metrics.insert(name.to_string(), Stat::of(&cols[k]));
    }
    let threshold = scenario.viral_threshold_for(graph.node_count());
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

    let mut segments = BTreeMap::new();
    if ens.segments > 0 {
        let k = ens.segments;
        let mut people = vec![0u64; k];
        for &s in graph.segments() {
            people[s as usize] += 1;
        }
        for (si, name) in graph.vocabulary().segments.iter().enumerate() {
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
                    people: people[si],
                    engagement_rate: ratio(es.mean, rs.mean),
                    reached: rs,
                    engaged: es,
                },
            );
        }
    }
    Summary {
        format: SUMMARY_FORMAT,
        run: RunInfo {
            name: scenario.name.clone(),
            seed: scenario.seed,
            trials: n,
            horizon: scenario.horizon,
            model: scenario.model.as_str().to_string(),
            nodes: graph.node_count() as u64,
            arcs: graph.arc_count() as u64,
            seeds: seeds
                .map(|s| s.iter().map(|&u| graph.label(u)).collect())
                .unwrap_or_default(),
            seeds_per_trial: ens
                .outcomes
                .first()
                .map(|_| match &scenario.seeding {
                    crate::scenario::Seeding::Explicit(v) => v.len() as u64,
                    crate::scenario::Seeding::Random(k)
                    | crate::scenario::Seeding::TopDegree(k) => *k as u64,
                })
                .unwrap_or(0),
        },
        metrics,
        going_viral: Proportion::of(viral, n),
        viral_threshold: threshold,
        rates,
        segments,
        cascade_size_distribution: size_distribution(ens),
        time_series: time_series(ens),
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
    fn wilson_interval_contains_estimate() {
        let p = Proportion::of(30, 100);
        assert!(p.ci95[0] < 0.3 && 0.3 < p.ci95[1]);
        assert!((p.ci95[0] - 0.2189).abs() < 1e-3);
        assert_eq!(Proportion::of(0, 10).ci95[0], 0.0);
    }
}
