//! Parameter studies: [`sweep`] (a scenario over a grid of key values) and
//! [`compare`] (arms side by side with paired differences), both on common
//! random numbers — every point or arm runs with the same master seed, so
//! trial `i` of each draws the same random numbers and points that share a
//! graph are paired trial by trial. Scenario keys are overridden by dotted
//! path in one place ([`overrides`]); the configuration-model prediction
//! for the textbook cascade is in [`theory`]; the charts in [`charts`].

pub mod charts;
pub mod compare;
pub mod overrides;
pub mod report;
pub mod sweep;
pub mod theory;

use crate::engine::Ensemble;
use crate::error::{Error, Result};
use crate::metrics::{Proportion, Stat, Summary};
use crate::scenario::{MAX_TRIALS, Scenario};
use serde_json::{Value as Json, json};

/// Files and folders `sweep` and `compare` write into their output folder
/// (beside `sweep_METRIC.png`): what an existing folder may hold for a new
/// study to replace it.
pub const OUTPUT_FILES: [&str; 7] = [
    "sweep.csv",
    "sweep.json",
    "points",
    "compare.csv",
    "compare.json",
    "compare.png",
    "arms",
];

/// The trials of all `scenarios` together, and where each one's trials
/// start in that count (for one progress bar over points × trials).
pub(crate) fn trial_offsets(scenarios: &[&Scenario]) -> (u64, Vec<u64>) {
    let offsets = scenarios
        .iter()
        .scan(0u64, |acc, s| {
            let o = *acc;
            *acc += s.trials;
            Some(o)
        })
        .collect();
    (scenarios.iter().map(|s| s.trials).sum(), offsets)
}

/// Settings shared by `sweep` and `compare`.
#[derive(Clone, Copy, Default)]
pub struct StudySettings<'a> {
    /// Worker threads (None: all cores); results do not depend on it.
    pub threads: Option<usize>,
    /// Skip the PNG charts.
    pub no_charts: bool,
    /// Also write each point's CSVs (and charts) beside its `summary.json`.
    pub keep_points: bool,
    /// Progress: graph phases as they come, and trials over all points as
    /// phase [`crate::progress::SIMULATE`] (done, planned).
    pub progress: Option<crate::progress::Progress<'a>>,
}

impl std::fmt::Debug for StudySettings<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StudySettings")
            .field("threads", &self.threads)
            .field("no_charts", &self.no_charts)
            .field("keep_points", &self.keep_points)
            .finish()
    }
}

/// `--trials` and `--seed` as overrides put into every point's scenario
/// (so its `scenario.toml` says what ran).
///
/// # Errors
/// [`Error::Parameter`] naming the flag when a value is out of range.
pub fn run_overrides(trials: Option<u64>, seed: Option<u64>) -> Result<Vec<(String, toml::Value)>> {
    let mut v = Vec::new();
    if let Some(t) = trials {
        if t == 0 || t > MAX_TRIALS {
            return Err(Error::param(
                "--trials",
                format!("{t} is out of range; allowed: 1 to {MAX_TRIALS}"),
            ));
        }
        v.push(("trials".to_string(), toml::Value::Integer(t as i64)));
    }
    if let Some(s) = seed {
        let s = i64::try_from(s).map_err(|_| {
            Error::param(
                "--seed",
                format!("{s} is out of range; allowed: 0 to {}", i64::MAX),
            )
        })?;
        v.push(("seed".to_string(), toml::Value::Integer(s)));
    }
    Ok(v)
}

/// Sweeps and comparisons report intervals and differences of means, which
/// one trial cannot estimate: every point or arm needs at least 2 trials.
///
/// # Errors
/// [`Error::Scenario`] naming the file and the `trials` found.
pub fn need_two_trials(s: &crate::scenario::Scenario, what: &str) -> Result<()> {
    if s.trials < 2 {
        return Err(Error::Scenario {
            file: s.file.clone(),
            msg: format!(
                "trials = {}: a {what} needs at least 2 trials per {} (intervals cannot be \
                 estimated from one trial); set trials = 2 or more, or --trials",
                s.trials,
                if what == "sweep" { "point" } else { "arm" }
            ),
        });
    }
    Ok(())
}

/// An interval `need_two_trials` guarantees: NaN ends if it is absent.
fn some_interval(ci: Option<[f64; 2]>) -> [f64; 2] {
    ci.unwrap_or([f64::NAN; 2])
}

/// One metric of one point or arm: a row of `sweep.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Metric name (`going_viral` for P(viral)).
    pub metric: String,
    /// Mean over trials (a share for `going_viral`).
    pub mean: f64,
    /// Standard error of the mean.
    pub stderr: f64,
    /// 95% interval of the mean (Wilson for `going_viral`).
    pub ci95: [f64; 2],
    /// 5th percentile over trials.
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Trials.
    pub trials: u64,
}

impl Row {
    /// The CSV fields from `metric` on.
    pub fn fields(&self) -> Vec<String> {
        vec![
            self.metric.clone(),
            self.mean.to_string(),
            self.stderr.to_string(),
            self.ci95[0].to_string(),
            self.ci95[1].to_string(),
            self.p5.to_string(),
            self.p50.to_string(),
            self.p95.to_string(),
            self.trials.to_string(),
        ]
    }

    /// The row as JSON (without the metric's name).
    pub fn json(&self) -> Json {
        json!({
            "mean": self.mean, "stderr": self.stderr, "ci95": self.ci95,
            "p5": self.p5, "p50": self.p50, "p95": self.p95, "trials": self.trials,
        })
    }
}

/// A metric's row from its summary statistics.
pub fn row_of_metric(name: &str, st: &Stat, trials: usize) -> Row {
    Row {
        metric: name.to_string(),
        mean: st.mean,
        stderr: st.stderr.unwrap_or(f64::NAN),
        ci95: some_interval(st.ci95),
        p5: st.p5,
        p50: st.p50,
        p95: st.p95,
        trials: trials as u64,
    }
}

/// Whether each trial's reach is at least the summary's viral threshold, as 0/1.
pub fn viral_indicator(summary: &Summary, ens: &Ensemble) -> Vec<f64> {
    ens.outcomes
        .iter()
        .map(|o| f64::from(u8::from(o.reached as u64 >= summary.viral_threshold)))
        .collect()
}

/// P(viral)'s row: the share of trials whose reach is at least the viral
/// threshold, its Wilson interval and the quantiles of the 0/1 values.
pub fn row_of_viral(summary: &Summary, ens: &Ensemble) -> Row {
    let xs = viral_indicator(summary, ens);
    let st = Stat::of(&xs);
    let p = Proportion::of(
        xs.iter().filter(|&&x| x > 0.0).count() as u64,
        xs.len() as u64,
    );
    Row {
        metric: "going_viral".into(),
        mean: p.estimate,
        stderr: st.stderr.unwrap_or(f64::NAN),
        ci95: p.ci95,
        p5: st.p5,
        p50: st.p50,
        p95: st.p95,
        trials: xs.len() as u64,
    }
}
