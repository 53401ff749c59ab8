//! The crisis step of a run: after the campaign's trials, the same trials
//! of the crisis for every response delay, summarised into the summary's
//! `crisis` object, and the crisis charts.

use crate::engine::crisis::{CompiledCrisis, CrisisEnsemble, run_crisis};
use crate::engine::{Compiled, CompiledContent};
use crate::error::{Error, Result};
use crate::graph::SocialGraph;
use crate::metrics::Summary;
use crate::metrics::crisis::summarize_crisis;
use crate::run::{RunSettings, Timings, resolve_seeding};
use crate::scenario::Scenario;
use std::path::Path;
use std::time::Instant;

/// Runs the scenario's crisis (if any) on `g` for the summary's trials,
/// puts its summary into `summary.crisis` and adds its time to `timings`.
///
/// # Errors
/// [`Error::Scenario`] when a crisis seeding plan does not fit the graph;
/// [`Error::Parameter`] when the thread pool cannot start.
pub fn simulate_crisis(
    s: &Scenario,
    g: &SocialGraph,
    set: &RunSettings<'_>,
    summary: &mut Summary,
    timings: &mut Timings,
) -> Result<Option<CrisisEnsemble>> {
    let Some(crisis) = &s.crisis else {
        return Ok(None);
    };
    let t0 = Instant::now();
    let cc = CompiledCrisis::new(crisis, g, &s.file)?;
    let spec = cc.spec(crisis, s.seed, s.horizon);
    let seeding = resolve_seeding(s, g)?;
    let content = CompiledContent::new(&s.content, s.model, g);
    let campaign = Compiled::new(&content, &seeding, s.seed, s.horizon);
    let ens = run_crisis(
        &spec,
        &crisis.response_delays,
        Some(&campaign),
        &cc.harm,
        0,
        summary.run.trials,
        set.threads.unwrap_or(0),
    )
    .map_err(|e| match e {
        Error::Parameter { key, msg } if key == "horizon" => Error::Scenario {
            file: s.file.clone(),
            msg: format!("{key}: {msg}"),
        },
        other => other,
    })?;
    let segments: Vec<String> = s.segments().iter().map(|x| x.name.clone()).collect();
    summary.crisis = Some(summarize_crisis(
        crisis,
        &ens,
        s.economics.as_ref(),
        &segments,
    ));
    timings.simulate_s += t0.elapsed().as_secs_f64();
    Ok(Some(ens))
}

/// The crisis charts a summary has (names without extension):
/// `crisis_over_time`, and with several response delays `damage_by_delay`.
pub fn charts(summary: &Summary) -> Vec<&'static str> {
    match &summary.crisis {
        None => Vec::new(),
        Some(c) if c.delays.len() > 1 => vec!["crisis_over_time", "damage_by_delay"],
        Some(_) => vec!["crisis_over_time"],
    }
}

/// Draws crisis chart `name` (without extension) of `summary` to `path`,
/// in the format its extension names.
///
/// # Errors
/// [`Error::Write`] when the chart cannot be drawn or written.
pub fn render(name: &str, summary: &Summary, path: &Path) -> Result<()> {
    let Some(c) = &summary.crisis else {
        return Err(Error::write(path, std::io::Error::other("no crisis")));
    };
    match name {
        "damage_by_delay" => crate::plot::damage_by_delay(&summary.run.name, c, path),
        _ => crate::plot::crisis_over_time(&summary.run.name, c, path),
    }
}
