//! `viralsim sweep`: a scenario run over a grid of key values on common
//! random numbers. Every point is an ordinary validated scenario (the base
//! file with [overrides](super::overrides) applied), run with the same
//! master seed; points whose graph sections agree share one built graph.

use super::overrides::{Axis, Source, value_label, value_number};
use super::theory::{self, CurvePoint, Degrees, Prediction, ThresholdEstimate};
use super::{Row, StudySettings, row_of_metric, row_of_viral};
use crate::error::{Error, Result};
use crate::export;
use crate::graph::SocialGraph;
use crate::metrics::{MetricTable, Summary};
use crate::run::{RunSettings, Simulation, locality_order_pays, simulate_timed};
use crate::scenario::Scenario;
use serde_json::{Value as Json, json};
use std::path::{Path, PathBuf};
use std::time::Instant;
use toml::Value;

/// Most points a sweep may have.
pub const MAX_POINTS: usize = 100_000;

/// One point of a sweep.
#[derive(Debug, Clone)]
pub struct Point {
    /// Index in the grid (first axis slowest).
    pub index: usize,
    /// Each axis's value.
    pub values: Vec<Value>,
    /// The validated scenario.
    pub scenario: Scenario,
    /// Its TOML text (written as the point's `scenario.toml`).
    pub text: String,
}

/// A validated sweep: the axes and every point.
#[derive(Debug, Clone)]
pub struct SweepPlan {
    /// The base scenario's name.
    pub name: String,
    /// The axes.
    pub axes: Vec<Axis>,
    /// The points, in grid order.
    pub points: Vec<Point>,
    /// Metrics charted (None: the default ones).
    pub metrics: Option<Vec<String>>,
    /// The base scenario file's text (written beside the results as
    /// `scenario.toml`).
    pub source: String,
}

/// Metrics charted by default (those present).
pub const DEFAULT_CHART_METRICS: [&str; 5] =
    ["reached", "engaged", "converted", "roi", "going_viral"];

impl SweepPlan {
    /// Reads `path`, takes the axes from `sets` (`KEY=SPEC`, spaced
    /// geometrically with `log`) or else from the file's `[sweep]` table,
    /// and validates every point (with `trials` and `seed` put into each).
    ///
    /// # Errors
    /// [`Error::Parameter`] or [`Error::Scenario`] naming the key and value
    /// at fault, before anything runs.
    pub fn new(
        path: &Path,
        sets: &[String],
        log: bool,
        trials: Option<u64>,
        seed: Option<u64>,
    ) -> Result<SweepPlan> {
        let source = Source::read(path)?;
        let table = super::overrides::sweep_table(&source.file, &source.root)?;
        let axes: Vec<Axis> = if sets.is_empty() {
            table.as_ref().map(|t| t.axes.clone()).unwrap_or_default()
        } else {
            sets.iter()
                .map(|s| super::overrides::parse_set("--set", s, log))
                .collect::<Result<_>>()?
        };
        if axes.is_empty() {
            return Err(Error::param(
                "--set",
                format!(
                    "nothing to sweep: give --set KEY=SPEC or a [sweep.set] table in '{}'",
                    source.file
                ),
            ));
        }
        for (i, a) in axes.iter().enumerate() {
            if axes[..i].iter().any(|b| b.key == a.key) {
                return Err(Error::param("--set", format!("{} is swept twice", a.key)));
            }
        }
        let count = axes
            .iter()
            .try_fold(1usize, |n, a| n.checked_mul(a.values.len()))
            .filter(|&n| n <= MAX_POINTS)
            .ok_or_else(|| Error::param("--set", format!("more than {MAX_POINTS} points")))?;
        let extra = super::run_overrides(trials, seed)?;
        let mut points = Vec::with_capacity(count);
        for index in 0..count {
            let mut rest = index;
            let mut values = vec![Value::Integer(0); axes.len()];
            for (k, a) in axes.iter().enumerate().rev() {
                values[k] = a.values[rest % a.values.len()].clone();
                rest /= a.values.len();
            }
            let mut ov: Vec<(String, Value)> = axes
                .iter()
                .zip(&values)
                .map(|(a, v)| (a.key.clone(), v.clone()))
                .collect();
            ov.extend(extra.iter().cloned());
            let (scenario, text) = source.scenario("--set", &ov)?;
            super::need_two_trials(&scenario, "sweep")?;
            points.push(Point {
                index,
                values,
                scenario,
                text,
            });
        }
        Ok(SweepPlan {
            name: points[0].scenario.name.clone(),
            axes,
            points,
            metrics: table.and_then(|t| t.metrics),
            source: source.text.clone(),
        })
    }

    /// Folder of point `i` under the sweep's output folder.
    pub fn point_dir(&self, i: usize) -> PathBuf {
        let width = self.points.len().saturating_sub(1).to_string().len().max(2);
        PathBuf::from("points").join(format!("{i:0width$}"))
    }
}

/// What a point produced.
#[derive(Debug, Clone)]
pub struct PointResult {
    /// Its summary (as in its `summary.json`).
    pub summary: Summary,
    /// Tidy rows: one per metric.
    pub rows: Vec<Row>,
    /// Engaged per trial (kept for the threshold estimate).
    pub engaged: Vec<f64>,
    /// Seconds simulating.
    pub simulate_s: f64,
}

/// The theory beside a textbook sweep of `content.stickiness`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TheoryReport {
    /// Whether the graph is directed (some arc has no reverse).
    pub directed: bool,
    /// The formula used for the threshold.
    pub formula: &'static str,
    /// ⟨k_in⟩.
    pub mean_in_degree: f64,
    /// ⟨k_in·k_out⟩ (undirected: ⟨k²⟩).
    pub mean_in_out_degree: f64,
    /// The bond-percolation threshold T_c.
    pub threshold: f64,
    /// The threshold estimated from the simulated points.
    pub estimated_threshold: Option<ThresholdEstimate>,
    /// People engaged for a trial to count as a large outbreak (n^(2/3)).
    pub large_cutoff: f64,
    /// Per point: the prediction beside the simulation.
    pub points: Vec<TheoryPoint>,
    /// The prediction on a fine grid over the swept range (for the chart).
    pub curve: Vec<Prediction>,
}

/// The prediction and the simulation at one point.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct TheoryPoint {
    /// Stickiness (T).
    pub stickiness: f64,
    /// What the generating functions predict.
    pub predicted: Prediction,
    /// Trials that engaged at least the large cutoff.
    pub large_trials: u64,
    /// Their mean engaged share (None: no such trial).
    pub large_engaged_share: Option<f64>,
    /// Mean engaged share over all trials.
    pub engaged_share: f64,
}

/// What a sweep produced.
#[derive(Debug)]
pub struct SweepReport {
    /// The plan.
    pub plan: SweepPlan,
    /// Per point, in grid order.
    pub results: Vec<PointResult>,
    /// The theory, for a textbook stickiness sweep.
    pub theory: Option<TheoryReport>,
    /// Why there is no theory line.
    pub theory_skipped: String,
    /// Graphs built.
    pub graphs_built: usize,
    /// Seconds building graphs.
    pub graph_s: f64,
    /// Seconds simulating (all points).
    pub simulate_s: f64,
    /// Seconds in all.
    pub total_s: f64,
    /// Files written (sweep-level).
    pub files: Vec<PathBuf>,
    /// The output folder.
    pub out_dir: PathBuf,
}

/// Points grouped by graph: points whose graph sections (graph, audience,
/// trust, seed) agree share one graph. In first-appearance order.
pub fn graph_groups(scenarios: &[&Scenario]) -> Vec<Vec<usize>> {
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (i, s) in scenarios.iter().enumerate() {
        match groups.iter_mut().find(|g| same_graph(scenarios[g[0]], s)) {
            Some(g) => g.push(i),
            None => groups.push(vec![i]),
        }
    }
    groups
}

/// Whether two scenarios build the same graph.
pub fn same_graph(a: &Scenario, b: &Scenario) -> bool {
    a.graph == b.graph && a.audience == b.audience && a.trust == b.trust && a.seed == b.seed
}

/// Runs the scenarios of a group on one graph built once, `each` seeing
/// every simulation (in the group's order) with the graph it ran on. The
/// first runs on the graph as built; the graph is stored in locality order
/// for the rest when that pays for their trials.
pub(super) fn run_group(
    scenarios: &[&Scenario],
    group: &[usize],
    set: &StudySettings<'_>,
    progress: &(dyn Fn(usize, u64, u64) + Sync),
    mut each: impl FnMut(usize, Simulation, &SocialGraph) -> Result<()>,
) -> Result<(f64, Degrees)> {
    let t0 = Instant::now();
    let first = scenarios[group[0]];
    let mut g = first.build_graph_in_input_order_with(set.progress)?;
    let mut graph_s = t0.elapsed().as_secs_f64();
    // Every plan and budget of the group is checked before the first trial.
    for &i in group {
        crate::run::resolve_seeding(scenarios[i], &g)?;
    }
    for (k, &i) in group.iter().enumerate() {
        let s = scenarios[i];
        let cb = |phase: &str, done: u64, total: u64| {
            if phase == crate::progress::SIMULATE {
                progress(i, done, total);
            } else if let Some(p) = set.progress {
                p(phase, done, total);
            }
        };
        let rs = RunSettings {
            trials: None,
            seed: None,
            threads: set.threads,
            no_charts: true,
            chart_format: Default::default(),
            trees: None,
            progress: Some(&cb),
        };
        let sim = simulate_timed(s, &g, &rs)?;
        if k == 0 && group.len() > 1 && !g.is_locality_ordered() {
            let per_trial = sim.ensemble.edges_examined as f64 / sim.ensemble.len().max(1) as f64;
            let left: u64 = group[1..].iter().map(|&j| scenarios[j].trials).sum();
            if locality_order_pays(per_trial, left, g.arc_count()) {
                each(i, sim, &g)?;
                let t = Instant::now();
                g = g.into_locality_order();
                graph_s += t.elapsed().as_secs_f64();
                continue;
            }
        }
        each(i, sim, &g)?;
    }
    Ok((graph_s, Degrees::of(&g)))
}

fn write(dir: &Path, name: &str, bytes: &[u8], files: &mut Vec<PathBuf>) -> Result<()> {
    let p = dir.join(name);
    export::write_atomic(&p, bytes)?;
    files.push(p);
    Ok(())
}

/// Writes a point's (or an arm's) files: `scenario.toml`, `summary.json`
/// and with `keep` its CSVs and charts.
pub(super) fn write_point(
    dir: &Path,
    text: &str,
    sim: &Simulation,
    keep: bool,
    no_charts: bool,
) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    let mut files = Vec::new();
    write(dir, "scenario.toml", text.as_bytes(), &mut files)?;
    if keep {
        write(
            dir,
            "timeseries.csv",
            &export::timeseries_csv(&sim.summary),
            &mut files,
        )?;
        let table = MetricTable::campaign(&sim.context, &sim.ensemble);
        export::write_trials_csv(&dir.join("trials.csv"), &table, sim.ensemble.len())?;
        if !no_charts {
            crate::plot::reach_over_time(&sim.summary, &dir.join("reach_over_time.png"))?;
            crate::plot::cascade_ccdf(
                &sim.summary,
                &sim.ensemble,
                &dir.join("cascade_size_ccdf.png"),
            )?;
            crate::plot::funnel(&sim.summary, &dir.join("funnel.png"))?;
        }
    }
    write(
        dir,
        "summary.json",
        &export::summary_json(&sim.summary),
        &mut files,
    )
}

/// The tidy rows of a simulation: every metric of its summary in table
/// order, then `going_viral`.
pub(super) fn rows_of(sim: &Simulation) -> Vec<Row> {
    let mut rows: Vec<Row> = sim
        .summary
        .table
        .iter()
        .map(|m| row_of_metric(&m.name, &sim.summary.metrics[&m.name], sim.ensemble.len()))
        .collect();
    rows.push(row_of_viral(&sim.summary, &sim.ensemble));
    rows
}

/// Runs a sweep and writes `sweep.csv`, `sweep.json`, the charts and each
/// point's folder under `out_dir`.
///
/// # Errors
/// Input errors of a point (graph files, seeding, budget) and
/// [`Error::Write`].
pub fn run(plan: SweepPlan, out_dir: &Path, set: &StudySettings<'_>) -> Result<SweepReport> {
    let t_all = Instant::now();
    // Seeding and budget of every point are checked on its graph before
    // the first trial: points sharing a graph are checked on it when it is
    // built (resolving is cheap beside simulating).
    let scenarios: Vec<&Scenario> = plan.points.iter().map(|p| &p.scenario).collect();
    let groups = graph_groups(&scenarios);
    // Written whole into a folder beside the target, renamed into place at the end.
    let staged = export::Staged::begin(out_dir)?;
    let target = out_dir;
    let out_dir = &staged.path().to_path_buf();
    let (planned, offsets) = super::trial_offsets(&scenarios);
    let extra = std::sync::atomic::AtomicU64::new(0);
    let progress = |i: usize, done: u64, total: u64| {
        if let Some(p) = set.progress {
            let grow = total.saturating_sub(scenarios[i].trials);
            let e = extra.load(std::sync::atomic::Ordering::Relaxed);
            p(
                crate::progress::SIMULATE,
                offsets[i] + e + done,
                planned + e + grow,
            );
        }
    };
    let mut results: Vec<Option<PointResult>> = vec![None; plan.points.len()];
    let (mut graph_s, mut simulate_s) = (0.0, 0.0);
    let mut degrees = None;
    for group in &groups {
        let (gs, d) = run_group(&scenarios, group, set, &progress, |i, sim, _g| {
            let p = &plan.points[i];
            extra.fetch_add(
                (sim.ensemble.len() as u64).saturating_sub(p.scenario.trials),
                std::sync::atomic::Ordering::Relaxed,
            );
            write_point(
                &out_dir.join(plan.point_dir(i)),
                &p.text,
                &sim,
                set.keep_points,
                set.no_charts,
            )?;
            simulate_s += sim.timings.simulate_s;
            results[i] = Some(PointResult {
                rows: rows_of(&sim),
                engaged: sim
                    .ensemble
                    .outcomes
                    .iter()
                    .map(|o| o.engaged as f64)
                    .collect(),
                simulate_s: sim.timings.simulate_s,
                summary: sim.summary,
            });
            Ok(())
        })?;
        graph_s += gs;
        degrees = Some(d);
    }
    let results: Vec<PointResult> = results
        .into_iter()
        .map(|r| r.expect("every point ran"))
        .collect();
    let (theory, theory_skipped) = match theory_applies(&plan, groups.len()) {
        Ok(()) => (
            Some(theory_report(
                &plan,
                &results,
                degrees.as_ref().expect("a graph"),
            )),
            String::new(),
        ),
        Err(why) => (None, why),
    };
    let mut report = SweepReport {
        plan,
        results,
        theory,
        theory_skipped,
        graphs_built: groups.len(),
        graph_s,
        simulate_s,
        total_s: 0.0,
        files: Vec::new(),
        out_dir: target.to_path_buf(),
    };
    let mut files = Vec::new();
    write(out_dir, "sweep.csv", &sweep_csv(&report), &mut files)?;
    let mut j = serde_json::to_vec_pretty(&sweep_json(&report)).expect("sweep.json serialises");
    j.push(b'\n');
    write(out_dir, "sweep.json", &j, &mut files)?;
    if !set.no_charts {
        files.extend(super::charts::sweep_charts(&report, out_dir)?);
    }
    write(
        out_dir,
        crate::report::SCENARIO_FILE,
        report.plan.source.as_bytes(),
        &mut files,
    )?;
    files.push(super::report::write_sweep(out_dir)?);
    staged.commit()?;
    report.files = files
        .iter()
        .map(|f| target.join(f.strip_prefix(out_dir).unwrap_or(f)))
        .collect();
    report.total_s = t_all.elapsed().as_secs_f64();
    Ok(report)
}

/// Ok when the theory line applies: one axis, `content.stickiness`, one
/// graph, every point the textbook cascade.
fn theory_applies(plan: &SweepPlan, graphs: usize) -> std::result::Result<(), String> {
    if plan.axes.len() != 1 || plan.axes[0].key != "content.stickiness" {
        return Err("the theory line is drawn for a sweep of content.stickiness alone".into());
    }
    if graphs != 1 {
        return Err("the points do not share one graph".into());
    }
    for p in &plan.points {
        if let Some(why) = theory::not_textbook(&p.scenario) {
            return Err(format!("not the textbook cascade: {why}"));
        }
    }
    Ok(())
}

fn theory_report(plan: &SweepPlan, results: &[PointResult], d: &Degrees) -> TheoryReport {
    let n = d.nodes as f64;
    let cutoff = n.powf(2.0 / 3.0);
    let mut curve_pts = Vec::new();
    let mut points = Vec::new();
    for (p, r) in plan.points.iter().zip(results) {
        let t = p.scenario.content.stickiness;
        let seeds = r.summary.run.seeds_per_trial.max(1) as f64;
        let large: Vec<f64> = r.engaged.iter().copied().filter(|&e| e >= cutoff).collect();
        points.push(TheoryPoint {
            stickiness: t,
            predicted: d.predict(t),
            large_trials: large.len() as u64,
            large_engaged_share: (!large.is_empty())
                .then(|| large.iter().sum::<f64>() / large.len() as f64 / n),
            engaged_share: r.summary.metrics["engaged"].mean / n,
        });
        curve_pts.push(CurvePoint {
            t,
            engaged: r.engaged.clone(),
            seeds,
        });
    }
    let axis = &plan.axes[0];
    let xs: Vec<f64> = axis.values.iter().filter_map(value_number).collect();
    let (lo, hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let curve = (0..=200)
        .map(|i| {
            let f = i as f64 / 200.0;
            let t = if axis.log && lo > 0.0 {
                (lo.ln() + f * (hi.ln() - lo.ln())).exp()
            } else {
                lo + f * (hi - lo)
            };
            d.predict(t)
        })
        .collect();
    TheoryReport {
        directed: !d.undirected,
        formula: if d.undirected {
            "<k>/(<k^2>-<k>)"
        } else {
            "<k_in>/<k_in*k_out>"
        },
        mean_in_degree: d.mean_in,
        mean_in_out_degree: d.mean_in_out,
        threshold: d.threshold(),
        estimated_threshold: theory::estimate_threshold(&curve_pts, d.nodes),
        large_cutoff: cutoff,
        points,
        curve,
    }
}

fn sweep_csv(r: &SweepReport) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["point".into()];
    header.extend(r.plan.axes.iter().map(|a| a.key.clone()));
    header.extend(
        [
            "metric",
            "mean",
            "stderr",
            "ci95_low",
            "ci95_high",
            "p5",
            "p50",
            "p95",
            "trials",
        ]
        .map(String::from),
    );
    w.write_record(&header).expect("in memory");
    for (p, res) in r.plan.points.iter().zip(&r.results) {
        for row in &res.rows {
            let mut rec: Vec<String> = vec![p.index.to_string()];
            rec.extend(p.values.iter().map(value_label));
            rec.extend(row.fields());
            w.write_record(&rec).expect("in memory");
        }
    }
    w.into_inner().expect("in memory")
}

fn to_json(v: &Value) -> Json {
    match v {
        Value::String(s) => json!(s),
        Value::Integer(i) => json!(i),
        Value::Float(f) => json!(f),
        Value::Boolean(b) => json!(b),
        other => json!(other.to_string()),
    }
}

/// The contents of `sweep.json`.
pub fn sweep_json(r: &SweepReport) -> Json {
    let axes: Vec<Json> = r
        .plan
        .axes
        .iter()
        .map(|a| json!({"key": a.key, "values": a.values.iter().map(to_json).collect::<Vec<_>>(), "log": a.log}))
        .collect();
    let points: Vec<Json> = r
        .plan
        .points
        .iter()
        .zip(&r.results)
        .map(|(p, res)| {
            let values: serde_json::Map<String, Json> = r
                .plan
                .axes
                .iter()
                .zip(&p.values)
                .map(|(a, v)| (a.key.clone(), to_json(v)))
                .collect();
            let metrics: serde_json::Map<String, Json> = res
                .rows
                .iter()
                .map(|row| (row.metric.clone(), row.json()))
                .collect();
            json!({
                "point": p.index,
                "dir": r.plan.point_dir(p.index).to_string_lossy().replace('\\', "/"),
                "values": values,
                "trials": res.summary.run.trials,
                "metrics": metrics,
            })
        })
        .collect();
    json!({
        "format": 1,
        "scenario": r.plan.name,
        "seed": r.plan.points[0].scenario.seed,
        "graphs_built": r.graphs_built,
        "axes": axes,
        "points": points,
        "theory": r.theory,
        "theory_skipped": if r.theory.is_some() { Json::Null } else { json!(r.theory_skipped) },
    })
}

/// The printed summary of a sweep: a line per point and the threshold.
pub fn format_report(r: &SweepReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let trials: u64 = r.results.iter().map(|p| p.summary.run.trials).sum();
    let _ = writeln!(
        out,
        "viralsim sweep: '{}' — {} points, {} trials, {} graph(s) built ({:.2} s graph, {:.2} s simulating, {:.2} s in all)",
        r.plan.name,
        r.plan.points.len(),
        trials,
        r.graphs_built,
        r.graph_s,
        r.simulate_s,
        r.total_s
    );
    let mut head = String::from(" ");
    for a in &r.plan.axes {
        let _ = write!(head, " {:>20}", a.key);
    }
    let _ = writeln!(
        out,
        "{head} {:>28} {:>28} {:>22}",
        "reached (95% CI)", "engaged (95% CI)", "P(viral)"
    );
    for (p, res) in r.plan.points.iter().zip(&r.results) {
        let mut line = String::from(" ");
        for v in &p.values {
            let _ = write!(line, " {:>20}", value_label(v));
        }
        let cell = |name: &str| {
            res.rows
                .iter()
                .find(|row| row.metric == name)
                .map(|row| format!("{:.1} [{:.1}, {:.1}]", row.mean, row.ci95[0], row.ci95[1]))
                .unwrap_or_default()
        };
        let viral = res
            .rows
            .iter()
            .find(|row| row.metric == "going_viral")
            .map(|row| format!("{:.3} [{:.3}, {:.3}]", row.mean, row.ci95[0], row.ci95[1]))
            .unwrap_or_default();
        let _ = writeln!(
            line,
            "{:>28} {:>28} {:>22}",
            cell("reached"),
            cell("engaged"),
            viral
        );
        out.push_str(&line);
    }
    match &r.theory {
        Some(t) => {
            let est = match &t.estimated_threshold {
                Some(e) => format!(
                    "simulated {:.4} [{:.4}, {:.4}] (fit to {} sub-critical points)",
                    e.estimate, e.ci95[0], e.ci95[1], e.points
                ),
                None => "simulated: too few sub-critical points to estimate".into(),
            };
            let _ = writeln!(
                out,
                "  threshold      theory {:.4} ({}, {} graph); {est}",
                t.threshold,
                t.formula,
                if t.directed { "directed" } else { "undirected" }
            );
        }
        None => {
            let _ = writeln!(out, "  theory line    not drawn: {}", r.theory_skipped);
        }
    }
    let _ = writeln!(out, "  results: {}/", r.out_dir.display());
    out
}
