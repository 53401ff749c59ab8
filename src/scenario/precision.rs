//! `trials`: a number, or `"auto"` to run until the mean reach is known to
//! a requested relative precision.
//!
//! ```toml
//! trials = "auto"
//! precision = 0.01      # half-width of the 95% interval of mean reach ÷ mean reach (default 1%)
//! max_trials = 1000000  # stop here even if the precision is not met (default 1,000,000)
//! ```

use super::MAX_TRIALS;
use crate::error::{Error, Result};

/// First batch of an automatic run; later batches double the total.
pub const AUTO_FIRST_BATCH: u64 = 1000;
/// Default relative precision of `trials = "auto"`.
pub const DEFAULT_PRECISION: f64 = 0.01;
/// Default cap of `trials = "auto"`.
pub const DEFAULT_MAX_TRIALS: u64 = 1_000_000;

/// `trials = "auto"`: the stopping rule.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Precision {
    /// Target half-width of the 95% interval of mean reach, relative to the mean.
    pub target: f64,
    /// Most trials to run.
    pub max_trials: u64,
}

/// Parses `trials`, `precision` and `max_trials`: returns the fixed trial
/// count (the first batch for `"auto"`) and the stopping rule, if automatic.
pub(super) fn parse(
    trials: Option<toml::Value>,
    precision: Option<f64>,
    max_trials: Option<u64>,
    file: &str,
) -> Result<(u64, Option<Precision>)> {
    let bad = |msg: String| Error::Scenario {
        file: file.into(),
        msg,
    };
    let auto = match &trials {
        None => false,
        Some(toml::Value::String(s)) if s == "auto" => true,
        Some(toml::Value::Integer(t)) => {
            if *t <= 0 || *t as u64 > MAX_TRIALS {
                return Err(bad(format!(
                    "trials = {t} is out of range; allowed: 1 to {MAX_TRIALS}, or \"auto\""
                )));
            }
            false
        }
        Some(other) => {
            return Err(bad(format!(
                "trials = {other} is not allowed; give a whole number from 1 to {MAX_TRIALS}, or \"auto\""
            )));
        }
    };
    if !auto {
        for (key, given) in [
            ("precision", precision.is_some()),
            ("max_trials", max_trials.is_some()),
        ] {
            if given {
                return Err(bad(format!(
                    "{key} is only used with trials = \"auto\"; remove it or set trials = \"auto\""
                )));
            }
        }
        let t = match trials {
            Some(toml::Value::Integer(t)) => t as u64,
            _ => 1000,
        };
        return Ok((t, None));
    }
    let target = precision.unwrap_or(DEFAULT_PRECISION);
    if !(target > 0.0 && target < 1.0) {
        return Err(bad(format!(
            "precision = {target} is out of range; allowed: 0 < precision < 1 (relative half-width of the 95% interval of mean reach, e.g. 0.01 for 1%)"
        )));
    }
    let max = max_trials.unwrap_or(DEFAULT_MAX_TRIALS);
    if !(2..=MAX_TRIALS).contains(&max) {
        return Err(bad(format!(
            "max_trials = {max} is out of range; allowed: 2 to {MAX_TRIALS}"
        )));
    }
    Ok((
        AUTO_FIRST_BATCH.min(max),
        Some(Precision {
            target,
            max_trials: max,
        }),
    ))
}
