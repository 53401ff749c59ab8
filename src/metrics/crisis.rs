//! The crisis's metrics: per response delay the distribution of believers,
//! protected, corrected, reach of each cascade, time to peak belief and the
//! losses; per-segment believers; per-step bands; and the paired savings of
//! each delay against the reference (`"never"` when listed, else the
//! longest delay). Losses are differences against the same trials without
//! the crisis: the crisis draws from streams of its own, so a trial's
//! campaign is the same with and without it, and its loss is the expected
//! purchases the trial's believers and corrected believers no longer make.

use super::series::Band;
use super::stat::{Stat, quantile_sorted, ratio_ci95};
use super::table::{Kind, MetricTable, Show, info};
use crate::engine::crisis::{CrisisEnsemble, CrisisRun};
use crate::scenario::{Crisis, Economics, money_label};
use serde::Serialize;
use std::collections::BTreeMap;

/// Per-step bands of believers, protected and corrected (levels, not
/// cumulative; trials that ended keep their final state).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CrisisSeries {
    /// Number of steps.
    pub steps: usize,
    /// Believers at the end of each step.
    pub believers: Band,
    /// Protected at the end of each step.
    pub protected: Band,
    /// Corrected at the end of each step.
    pub corrected: Band,
}

/// One response delay's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrisisDelaySummary {
    /// Steps from the claim to the correction (null: never).
    pub response_delay: Option<u32>,
    /// The delay as written in labels (`2`, `never`).
    pub label: String,
    /// Metric name → distribution over trials.
    pub metrics: BTreeMap<String, Stat>,
    /// Final believers per segment.
    pub believers_by_segment: BTreeMap<String, Stat>,
    /// Per-step bands.
    pub time_series: CrisisSeries,
}

/// A delay against the reference, paired trial by trial.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrisisComparison {
    /// The delay (null: never).
    pub response_delay: Option<u32>,
    /// Its label.
    pub label: String,
    /// The reference's label.
    pub against: String,
    /// Believers (final) averted: reference − this delay, per trial.
    pub believers_averted: Stat,
    /// Purchases saved (campaign conversions and base purchases).
    pub purchases_saved: Stat,
    /// Share of the reference's lost purchases saved (ratio of means).
    pub purchases_saved_share: f64,
    /// Its 95% interval (delta method, paired); None (null) with fewer
    /// than two trials.
    pub purchases_saved_share_ci95: Option<[f64; 2]>,
    /// Revenue saved, with `[economics]`.
    pub revenue_saved: Option<Stat>,
}

/// The `crisis` object of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrisisSummary {
    /// Step at which the claim starts.
    pub claim_start: u32,
    /// Same-step priority.
    pub priority: String,
    /// Immunity probability of the protected.
    pub protection: f64,
    /// Probability that the correction corrects a believer it reaches.
    pub uptake: f64,
    /// Drop in a believer's purchase probability.
    pub harm: f64,
    /// Drop in a corrected believer's.
    pub residual_harm: f64,
    /// Trials per delay (the same trials for every delay).
    pub trials: u64,
    /// Label of the delay the others are compared with.
    pub reference: String,
    /// One entry per response delay, in the scenario's order.
    pub delays: Vec<CrisisDelaySummary>,
    /// Every other delay against the reference.
    pub comparisons: Vec<CrisisComparison>,
    /// Currency of revenue figures (null without `[economics]`).
    pub currency: Option<String>,
}

/// A per-trial crisis metric: name, label, unit, kind, value.
type Metric = (&'static str, &'static str, &'static str, Kind);

const METRICS: [Metric; 10] = [
    ("believers", "believers (final)", "people", Kind::Count),
    ("peak_believers", "believers (peak)", "people", Kind::Count),
    ("ever_believed", "ever believed", "people", Kind::Count),
    ("protected", "protected", "people", Kind::Count),
    ("corrected", "corrected", "people", Kind::Count),
    (
        "claim_reached",
        "reached by the claim",
        "people",
        Kind::Count,
    ),
    (
        "correction_reached",
        "reached by the correction",
        "people",
        Kind::Count,
    ),
    (
        "time_to_peak_belief",
        "time to peak belief",
        "steps",
        Kind::Count,
    ),
    (
        "conversions_lost",
        "campaign conversions lost",
        "purchases",
        Kind::Real,
    ),
    (
        "purchases_lost",
        "base purchases lost",
        "purchases",
        Kind::Real,
    ),
];

fn value(run: &CrisisRun, name: &str, t: usize) -> f64 {
    let o = &run.outcomes[t];
    let d = &run.damage[t];
    match name {
        "believers" => o.believers as f64,
        "peak_believers" => o.peak_believers as f64,
        "ever_believed" => o.ever_believed as f64,
        "protected" => o.protected as f64,
        "corrected" => o.corrected as f64,
        "claim_reached" => o.claim_reached as f64,
        "correction_reached" => o.correction_reached as f64,
        "time_to_peak_belief" => o.time_to_peak as f64,
        "conversions_lost" => d.conversions_lost,
        "purchases_lost" => d.purchases_lost,
        _ => 0.0,
    }
}

/// Purchases lost in trial `t` (campaign and base).
fn lost(run: &CrisisRun, t: usize) -> f64 {
    run.damage[t].conversions_lost + run.damage[t].purchases_lost
}

/// What the correction's channels cost in trial `t`: its seeds at their
/// role's seed cost and its paid impressions at the CPM (0 when it never ran).
fn correction_cost(e: &Economics, ens: &CrisisEnsemble, run: &CrisisRun, t: usize) -> f64 {
    let roles = &run.correction_seeds_by_role[t * ens.roles..(t + 1) * ens.roles];
    let seeds: f64 = roles
        .iter()
        .enumerate()
        .map(|(r, &k)| k as f64 * e.seed_cost.get(r).copied().unwrap_or(0.0))
        .sum();
    seeds + run.outcomes[t].correction_paid as f64 * e.cpm / 1000.0
}

fn prefix(ens: &CrisisEnsemble, run: &CrisisRun) -> String {
    if ens.runs.len() == 1 {
        "crisis.".into()
    } else {
        match run.delay {
            Some(d) => format!("crisis.delay_{d}."),
            None => "crisis.never.".into(),
        }
    }
}

/// Adds every crisis metric of every delay to `table` (columns of
/// `trials.csv`, named `crisis.<metric>`, or `crisis.delay_<d>.<metric>` and
/// `crisis.never.<metric>` with several delays).
pub fn push_metrics<'a>(
    table: &mut MetricTable<'a>,
    ens: &'a CrisisEnsemble,
    economics: Option<&'a Economics>,
) {
    for run in &ens.runs {
        let p = prefix(ens, run);
        for (name, label, unit, kind) in METRICS {
            table.push(
                info(&format!("{p}{name}"), label, unit, kind, true, Show::Quiet),
                move |t| value(run, name, t),
            );
        }
        if let Some(e) = economics {
            let cur = e.currency.as_str();
            let v = e.value_per_conversion;
            table.push(
                info(
                    &format!("{p}revenue_lost"),
                    "revenue lost",
                    cur,
                    Kind::Money,
                    true,
                    Show::Quiet,
                ),
                move |t| v * lost(run, t),
            );
            table.push(
                info(
                    &format!("{p}correction_cost"),
                    "correction cost",
                    cur,
                    Kind::Money,
                    true,
                    Show::Quiet,
                ),
                move |t| correction_cost(e, ens, run, t),
            );
        }
    }
}

/// Per-step level bands over trials (a trial past its last row keeps it).
fn series(run: &CrisisRun) -> CrisisSeries {
    let trials = run.outcomes.len();
    let steps = (0..trials)
        .map(|t| run.trial_steps(t).len())
        .max()
        .unwrap_or(0);
    let mut out = CrisisSeries {
        steps,
        ..CrisisSeries::default()
    };
    let mut col = Vec::with_capacity(trials);
    for s in 0..steps {
        for k in 0..3 {
            col.clear();
            col.extend((0..trials).map(|t| {
                let rows = run.trial_steps(t);
                rows.get(s)
                    .or(rows.last())
                    .map(|r| r[k] as f64)
                    .unwrap_or(0.0)
            }));
            let mean = col.iter().sum::<f64>() / trials.max(1) as f64;
            col.sort_by(f64::total_cmp);
            let band = match k {
                0 => &mut out.believers,
                1 => &mut out.protected,
                _ => &mut out.corrected,
            };
            band.mean.push(mean);
            band.p5.push(quantile_sorted(&col, 0.05));
            band.p50.push(quantile_sorted(&col, 0.5));
            band.p95.push(quantile_sorted(&col, 0.95));
        }
    }
    out
}

/// The crisis summary of `ens` (`segments`: the segment names).
pub fn summarize_crisis(
    crisis: &Crisis,
    ens: &CrisisEnsemble,
    economics: Option<&Economics>,
    segments: &[String],
) -> CrisisSummary {
    let trials = ens.runs.first().map(|r| r.outcomes.len()).unwrap_or(0);
    let column = |f: &dyn Fn(usize) -> f64| (0..trials).map(f).collect::<Vec<f64>>();
    let delays = ens
        .runs
        .iter()
        .map(|run| {
            let mut metrics = BTreeMap::new();
            for (name, ..) in METRICS {
                metrics.insert(
                    name.to_string(),
                    Stat::of(&column(&|t| value(run, name, t))),
                );
            }
            if let Some(e) = economics {
                let v = e.value_per_conversion;
                metrics.insert(
                    "revenue_lost".into(),
                    Stat::of(&column(&|t| v * lost(run, t))),
                );
                metrics.insert(
                    "correction_cost".into(),
                    Stat::of(&column(&|t| correction_cost(e, ens, run, t))),
                );
            }
            let believers_by_segment = segments
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    (
                        name.clone(),
                        Stat::of(&column(&|t| {
                            run.believers_by_segment[t * ens.segments + i] as f64
                        })),
                    )
                })
                .collect();
            CrisisDelaySummary {
                response_delay: run.delay,
                label: Crisis::delay_label(run.delay),
                metrics,
                believers_by_segment,
                time_series: series(run),
            }
        })
        .collect();
    let reference = ens
        .runs
        .iter()
        .position(|r| r.delay.is_none())
        .or_else(|| {
            ens.runs
                .iter()
                .enumerate()
                .max_by_key(|(_, r)| r.delay)
                .map(|(i, _)| i)
        })
        .unwrap_or(0);
    let refr = &ens.runs[reference];
    let comparisons = ens
        .runs
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != reference)
        .map(|(_, run)| {
            let saved = column(&|t| lost(refr, t) - lost(run, t));
            let base = column(&|t| lost(refr, t));
            let share = {
                let b: f64 = base.iter().sum();
                if b > 0.0 {
                    saved.iter().sum::<f64>() / b
                } else {
                    0.0
                }
            };
            CrisisComparison {
                response_delay: run.delay,
                label: Crisis::delay_label(run.delay),
                against: Crisis::delay_label(refr.delay),
                believers_averted: Stat::of(&column(&|t| {
                    refr.outcomes[t].believers as f64 - run.outcomes[t].believers as f64
                })),
                purchases_saved: Stat::of(&saved),
                purchases_saved_share: share,
                purchases_saved_share_ci95: ratio_ci95(&saved, &base),
                revenue_saved: economics.map(|e| {
                    Stat::of(
                        &saved
                            .iter()
                            .map(|x| x * e.value_per_conversion)
                            .collect::<Vec<f64>>(),
                    )
                }),
            }
        })
        .collect();
    CrisisSummary {
        claim_start: crisis.claim_start,
        priority: crisis.priority.as_str().into(),
        protection: crisis.protection,
        uptake: crisis.uptake,
        harm: crisis.harm,
        residual_harm: crisis.residual_harm,
        trials: trials as u64,
        reference: Crisis::delay_label(refr.delay),
        delays,
        comparisons,
        currency: economics.map(|e| e.currency.clone()),
    }
}

fn when(label: &str) -> String {
    if label == "never" {
        "never responding".into()
    } else if label == "0" {
        "responding at once".into()
    } else {
        format!("responding after {label} steps")
    }
}

/// The printed summary's crisis lines: believers and losses per delay, and
/// what answering sooner saves against the reference.
pub fn crisis_lines(c: &CrisisSummary) -> Vec<String> {
    let mut out = vec![format!(
        "  crisis         claim from step {}, priority {}, protection {}, uptake {}, harm {} (corrected {})",
        c.claim_start, c.priority, c.protection, c.uptake, c.harm, c.residual_harm
    )];
    for d in &c.delays {
        let b = &d.metrics["believers"];
        let mut line = format!(
            "    delay {:>5}  believers {:.1} {}, peak {:.1}, corrected {:.1}, protected {:.1}",
            d.label,
            b.mean,
            interval(b.ci95, |x| format!("{x:.1}")),
            d.metrics["peak_believers"].mean,
            d.metrics["corrected"].mean,
            d.metrics["protected"].mean
        );
        if let (Some(r), Some(cur)) = (d.metrics.get("revenue_lost"), &c.currency) {
            line.push_str(&format!(
                ", revenue lost {} {cur} {}",
                money_label(r.mean),
                interval(r.ci95, money_label)
            ));
        }
        out.push(line);
    }
    for k in &c.comparisons {
        let what = if c.currency.is_some() {
            "lost revenue"
        } else {
            "lost purchases"
        };
        out.push(format!(
            "    {} instead of {} saves {:.0}% {} of {what}{}",
            when(&k.label),
            if k.against == "never" {
                "never".to_string()
            } else {
                format!("after {} steps", k.against)
            },
            100.0 * k.purchases_saved_share,
            interval(k.purchases_saved_share_ci95, |x| format!(
                "{:.0}",
                100.0 * x
            )),
            match (&k.revenue_saved, &c.currency) {
                (Some(r), Some(cur)) => format!(
                    " ({} {cur} {})",
                    money_label(r.mean),
                    interval(r.ci95, money_label)
                ),
                _ => String::new(),
            }
        ));
    }
    out
}

/// `timeseries.csv` with the crisis's per-step bands (of its first delay)
/// appended to every row: believers, protected and corrected, each as
/// mean, p5, p50 and p95. Rows are added when the crisis lasts longer.
pub fn append_timeseries(csv: &[u8], c: &CrisisSummary) -> Vec<u8> {
    let text = String::from_utf8_lossy(csv);
    let mut lines = text.lines();
    let header = lines.next().unwrap_or("step");
    let cols = header.split(',').count();
    let rows: Vec<&str> = lines.collect();
    let Some(d) = c.delays.first() else {
        return csv.to_vec();
    };
    let ts = &d.time_series;
    let mut out = String::with_capacity(csv.len() * 2);
    out.push_str(header);
    for name in ["believers", "protected", "corrected"] {
        for q in ["mean", "p5", "p50", "p95"] {
            out.push_str(&format!(",crisis_{name}_{q}"));
        }
    }
    out.push('\n');
    for s in 0..rows.len().max(ts.steps) {
        match rows.get(s) {
            Some(r) => out.push_str(r),
            None => {
                out.push_str(&s.to_string());
                out.push_str(&",".repeat(cols - 1));
            }
        }
        let k = s.min(ts.steps.saturating_sub(1));
        for b in [&ts.believers, &ts.protected, &ts.corrected] {
            if ts.steps == 0 {
                out.push_str(",0,0,0,0");
            } else {
                out.push_str(&format!(
                    ",{},{},{},{}",
                    b.mean[k], b.p5[k], b.p50[k], b.p95[k]
                ));
            }
        }
        out.push('\n');
    }
    out.into_bytes()
}

/// "[lo, hi]" with `f` applied to both ends, or "n/a" when the interval
/// cannot be estimated (fewer than two trials).
pub fn interval(ci: Option<[f64; 2]>, f: impl Fn(f64) -> String) -> String {
    match ci {
        Some([lo, hi]) => format!("[{}, {}]", f(lo), f(hi)),
        None => "n/a".into(),
    }
}
