//! The whole job: scenario → graph → ensemble → summary → files and charts.

use crate::engine::montecarlo::run_range;
use crate::engine::{Compiled, CompiledContent, Ensemble, ResolvedSeeding, RunOptions};
use crate::error::{Error, Result};
use crate::export;
use crate::graph::SocialGraph;
use crate::metrics::{MetricTable, Summary, SummaryContext, summarize};
use crate::plot;
use crate::progress::Progress;
use crate::scenario::{MAX_TRIALS, Scenario};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Overrides and settings for one run.
#[derive(Clone, Copy, Default)]
pub struct RunSettings<'a> {
    /// Trials (overrides the scenario).
    pub trials: Option<u64>,
    /// Master seed (overrides the scenario).
    pub seed: Option<u64>,
    /// Worker threads (None: all cores).
    pub threads: Option<usize>,
    /// Skip the charts.
    pub no_charts: bool,
    /// Chart files to write: PNG, SVG or both.
    pub chart_format: plot::ChartFormat,
    /// Cascade trees to export (`--trees`): `trees.csv`, `trees.gexf` and,
    /// with charts, `cascade_tree.png`. Runs of the whole only ([`execute`]).
    pub trees: Option<crate::trees::TreeSelection>,
    /// Progress of every phase: graph building, ordering and trials
    /// ([`crate::progress::SIMULATE`]).
    pub progress: Option<Progress<'a>>,
}

impl std::fmt::Debug for RunSettings<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunSettings")
            .field("trials", &self.trials)
            .field("seed", &self.seed)
            .field("threads", &self.threads)
            .field("no_charts", &self.no_charts)
            .field("chart_format", &self.chart_format)
            .field("trees", &self.trees)
            .finish()
    }
}

/// Wall-clock seconds per phase (written to `run.json`, never to `summary.json`).
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Timings {
    /// Building or loading the graph.
    pub graph_s: f64,
    /// Storing the graph in locality order (0 when the run did not).
    pub order_s: f64,
    /// Simulating all trials, resolving the seeding and compiling the
    /// content against the graph included.
    pub simulate_s: f64,
    /// Of `simulate_s`, resolving the seeding and compiling the content
    /// (once per run, or twice when the graph is put in locality order):
    /// `simulate_s − compile_s` is the trials' own time.
    pub compile_s: f64,
    /// Aggregating trials into the summary.
    pub summarize_s: f64,
    /// Aggregating, writing files and charts.
    pub output_s: f64,
    /// Replaying the trials whose cascade trees are exported (0 without
    /// `--trees`).
    pub trees_s: f64,
}

/// A simulated scenario: its summary, every trial, what the summary was
/// computed from, and the time each phase took.
#[derive(Debug)]
pub struct Simulation {
    /// The summary.
    pub summary: Summary,
    /// Every trial's outcome.
    pub ensemble: Ensemble,
    /// The population, seeds and economics the summary was computed from.
    pub context: SummaryContext,
    /// Seconds ordering, simulating and summarising (`graph_s` and
    /// `output_s` are filled in by [`execute`]).
    pub timings: Timings,
    /// The crisis runs (with `[crisis]`), their trials beside the campaign's.
    pub crisis: Option<crate::engine::crisis::CrisisEnsemble>,
    /// The cascade trees to export (`--trees`), recorded by [`execute`].
    pub trees: Option<crate::trees::Trees>,
}

/// The contents of `run.json`: how the run went on this machine (threads,
/// times, speed, memory), beside the machine-independent `summary.json`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunJson {
    /// The tool's version.
    pub viralsim_version: &'static str,
    /// Worker threads.
    pub threads: usize,
    /// Seconds per phase.
    pub timings_s: Timings,
    /// Trials per second of simulating.
    pub trials_per_s: f64,
    /// Out-degrees of all sharers, summed over trials.
    pub edges_examined: u64,
    /// `locality` or `input`: how people were stored while simulating
    /// (`none` for a merge, which has no graph).
    pub storage_order: &'static str,
    /// Heap bytes of the graph.
    pub graph_bytes: usize,
    /// Part files merged (merges only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub merged_parts: Option<usize>,
}

/// What a run produced.
#[derive(Debug)]
pub struct RunReport {
    /// The summary written to `summary.json`.
    pub summary: Summary,
    /// Every trial's outcome.
    pub ensemble: Ensemble,
    /// The output folder.
    pub out_dir: PathBuf,
    /// Files written, in order.
    pub files: Vec<PathBuf>,
    /// Time per phase.
    pub timings: Timings,
    /// Threads used.
    pub threads: usize,
}

/// Applies command-line overrides to a scenario.
///
/// # Errors
/// [`Error::Parameter`] naming the flag when a value is out of range.
pub fn apply_overrides(s: &mut Scenario, set: &RunSettings<'_>) -> Result<()> {
    if let Some(t) = set.trials {
        if t == 0 || t > MAX_TRIALS {
            return Err(Error::param(
                "--trials",
                format!("{t} is out of range; allowed: 1 to {MAX_TRIALS}"),
            ));
        }
        s.trials = t;
        s.precision = None;
    }
    if let Some(seed) = set.seed {
        s.seed = seed;
    }
    if let Some(th) = set.threads {
        if th == 0 || th > 1024 {
            return Err(Error::param(
                "--threads",
                format!("{th} is out of range; allowed: 1 to 1024"),
            ));
        }
    }
    if let Some(sel) = &set.trees {
        // A precision target only adds trials to the scenario's.
        sel.check(s.trials)?;
    }
    Ok(())
}

/// Resolves the scenario's seeding plan against `g` and checks that the
/// budget covers it: what every run does once before simulating, and what
/// `validate` checks.
///
/// # Errors
/// [`Error::Scenario`] when the plan does not fit the graph or costs more
/// than `[economics].budget`.
pub fn resolve_seeding(s: &Scenario, g: &SocialGraph) -> Result<ResolvedSeeding> {
    let seeding = ResolvedSeeding::resolve(&s.seeding, g, &s.file)?;
    if let Some(e) = &s.economics {
        seeding.budgeted_cost(e, g, &s.file)?;
    }
    Ok(seeding)
}

/// Simulates a scenario on a graph and summarises it (no files).
///
/// # Errors
/// As [`resolve_seeding`], and [`Error::Parameter`] if the thread pool
/// cannot start.
pub fn simulate(
    s: &Scenario,
    g: &SocialGraph,
    set: &RunSettings<'_>,
) -> Result<(Summary, Ensemble)> {
    simulate_timed(s, g, set).map(|r| (r.summary, r.ensemble))
}

/// As [`simulate`], with the context and the seconds spent simulating
/// (compiling included) and summarising.
///
/// # Errors
/// As [`simulate`].
pub fn simulate_timed(s: &Scenario, g: &SocialGraph, set: &RunSettings<'_>) -> Result<Simulation> {
    let t0 = Instant::now();
    let seeding = resolve_seeding(s, g)?;
    let content = CompiledContent::new(&s.content, s.model, g);
    let compile_s = t0.elapsed().as_secs_f64();
    let compiled = Compiled::new(&content, &seeding, s.seed, s.horizon);
    let mut trials = run_trials(s, &compiled, set, Ensemble::default(), 0..s.trials, t0)?;
    trials.timings.compile_s = compile_s;
    Ok(summarize_trials(trials))
}

/// Trials simulated, before summarising: the ensemble, its context and
/// the seconds spent (`simulate_s`, `order_s`).
#[derive(Debug)]
pub struct Trials {
    /// Every trial's outcome.
    pub ensemble: Ensemble,
    /// The population, seeds and economics of the scenario on its graph.
    pub context: SummaryContext,
    /// Seconds ordering and simulating.
    pub timings: Timings,
}

/// Summarises simulated trials, timing it.
pub fn summarize_trials(t: Trials) -> Simulation {
    let t1 = Instant::now();
    let summary = summarize(&t.context, &t.ensemble);
    let mut timings = t.timings;
    timings.summarize_s = t1.elapsed().as_secs_f64();
    Simulation {
        summary,
        ensemble: t.ensemble,
        context: t.context,
        timings,
        crisis: None,
        trees: None,
    }
}

/// Trials `first .. first + trials` of the compiled scenario; progress is
/// reported within `range`.
fn run_batch(
    file: &str,
    digest: u64,
    compiled: &Compiled<'_>,
    set: &RunSettings<'_>,
    first: u64,
    trials: u64,
    range: &std::ops::Range<u64>,
) -> Result<Ensemble> {
    // Trial counts as the run's (or the part's), not the batch's.
    let (base, total) = (range.start, range.end - range.start);
    let cb = set
        .progress
        .map(|p| move |phase: &str, done: u64, _: u64| p(phase, first - base + done, total));
    let cb_ref: Option<Progress<'_>> = cb.as_ref().map(|f| f as Progress<'_>);
    run_range(
        compiled,
        first,
        &RunOptions {
            trials,
            threads: set.threads.unwrap_or(0),
            progress: cb_ref,
            digest,
        },
    )
    .map_err(|e| match e {
        Error::Parameter { key, msg } if key == "horizon" => Error::Scenario {
            file: file.to_string(),
            msg: format!("{key}: {msg}"),
        },
        other => other,
    })
}

/// Runs the trials of `range` not already in `ens` (which holds the first
/// of them, or none), then, with a precision target (runs from trial 0
/// only), doubles the trials until mean reach is precise enough or the cap
/// is reached. Simulating is timed from `t0`.
fn run_trials(
    s: &Scenario,
    compiled: &Compiled<'_>,
    set: &RunSettings<'_>,
    mut ens: Ensemble,
    mut range: std::ops::Range<u64>,
    t0: Instant,
) -> Result<Trials> {
    let digest = scenario_digest(s);
    let next = if ens.is_empty() {
        range.start
    } else {
        ens.trial_range().end
    };
    if next < range.end {
        ens.append(run_batch(
            &s.file,
            digest,
            compiled,
            set,
            next,
            range.end - next,
            &range,
        )?)?;
    }
    if let Some(p) = s.precision.filter(|_| range.start == 0) {
        // Trial i depends only on (seed, i) and the rule only on the
        // results so far, so the trials run are the same on every machine.
        loop {
            let n = ens.len() as u64;
            if reach_relative_half_width(&ens) <= p.target || n >= p.max_trials {
                break;
            }
            let more = n.min(p.max_trials - n);
            range = 0..n + more;
            ens.append(run_batch(&s.file, digest, compiled, set, n, more, &range)?)?;
        }
    }
    let simulate_s = t0.elapsed().as_secs_f64();
    Ok(Trials {
        ensemble: ens,
        context: SummaryContext::new(s, compiled.graph, compiled.seeding),
        timings: Timings {
            simulate_s,
            ..Timings::default()
        },
    })
}

/// Trials in the first batch of a run, which runs on the graph as built and
/// decides whether storing it in locality order pays for the rest: a
/// sixteenth of the trials, at least 1 and at most 256.
pub fn first_batch_trials(trials: u64) -> u64 {
    (trials / 16).clamp(1, 256).min(trials)
}

/// What storing people in locality order costs per arc and what it saves
/// per examined edge afterwards, in nanoseconds (the measurements behind
/// these are in benches/README.md).
const ORDER_NS_PER_ARC: f64 = 150.0;
const ORDER_SAVES_NS_PER_EDGE: f64 = 0.45;

/// Whether locality order pays for the trials still to run: a first batch
/// examined `edges_per_trial` edges per trial, `trials_left` trials remain,
/// the graph has `arcs` arcs.
pub fn locality_order_pays(edges_per_trial: f64, trials_left: u64, arcs: usize) -> bool {
    edges_per_trial * trials_left as f64 * ORDER_SAVES_NS_PER_EDGE > arcs as f64 * ORDER_NS_PER_ARC
}

/// As [`simulate_timed`] on a graph still in its input order: runs a first
/// batch of trials ([`first_batch_trials`]), stores the graph in locality
/// order when [`locality_order_pays`] for the rest, and runs the rest on it.
/// The decision counts the scenario's trials, not those a precision target
/// may add later. Trial results do not depend on the storage order, so the
/// outcome is the same either way; only the time differs (`order_s` is 0
/// when the graph was not ordered). Returns the graph as simulated.
///
/// # Errors
/// As [`simulate`].
pub fn simulate_ordering_if_it_pays(
    s: &Scenario,
    g: SocialGraph,
    set: &RunSettings<'_>,
) -> Result<(Simulation, SocialGraph)> {
    let (trials, g) = simulate_range_ordering_if_it_pays(s, g, set, 0..s.trials)?;
    Ok((summarize_trials(trials), g))
}

/// As [`simulate_ordering_if_it_pays`] for the trials of `range` (a shard
/// of a run), without summarising them.
///
/// # Errors
/// As [`simulate`].
pub fn simulate_range_ordering_if_it_pays(
    s: &Scenario,
    g: SocialGraph,
    set: &RunSettings<'_>,
    range: std::ops::Range<u64>,
) -> Result<(Trials, SocialGraph)> {
    let t0 = Instant::now();
    let len = range.end - range.start;
    let first = first_batch_trials(len);
    let seeding = resolve_seeding(s, &g)?;
    let (pilot, first_compile_s) = {
        let content = CompiledContent::new(&s.content, s.model, &g);
        let compile_s = t0.elapsed().as_secs_f64();
        let compiled = Compiled::new(&content, &seeding, s.seed, s.horizon);
        let pilot = run_batch(
            &s.file,
            scenario_digest(s),
            &compiled,
            set,
            range.start,
            first,
            &range,
        )?;
        let per_trial = pilot.edges_examined as f64 / first.max(1) as f64;
        if !locality_order_pays(per_trial, len - first, g.arc_count()) {
            // The rest on the same graph and compiled content.
            let mut trials = run_trials(s, &compiled, set, pilot, range, t0)?;
            trials.timings.compile_s = compile_s;
            drop(content);
            return Ok((trials, g));
        }
        (pilot, compile_s)
    };
    let t_order = Instant::now();
    // The same people in the new storage order: pools keep their order, so
    // every draw is unchanged.
    let own = seeding.map_people(|u| g.own_id(u));
    drop(seeding);
    let g = g.into_locality_order_with(set.progress);
    let seeding = own.map_people(|u| g.internal_id(u));
    let order_s = t_order.elapsed().as_secs_f64();
    let t_compile = Instant::now();
    let content = CompiledContent::new(&s.content, s.model, &g);
    let compile_s = first_compile_s + t_compile.elapsed().as_secs_f64();
    let compiled = Compiled::new(&content, &seeding, s.seed, s.horizon);
    let mut trials = run_trials(s, &compiled, set, pilot, range, t0)?;
    drop(content);
    trials.timings.order_s = order_s;
    trials.timings.compile_s = compile_s;
    trials.timings.simulate_s -= order_s;
    Ok((trials, g))
}

/// A digest of everything in the scenario that decides its trials'
/// outcomes — not its trial count or precision target (a run's trials
/// split into ranges share it) and not the file it was read from. Saved
/// ensembles of different digests are never joined.
pub fn scenario_digest(s: &Scenario) -> u64 {
    let mut canonical = s.clone();
    canonical.file = String::new();
    canonical.source = String::new();
    canonical.trials = 0;
    canonical.precision = None;
    crate::engine::ensemble::fnv1a64(format!("{canonical:?}").as_bytes())
}

/// Half-width of the 95% interval of mean reach over the trials so far,
/// relative to the mean (0 when every trial reached the same number; ∞ when
/// the mean is 0 and trials differ).
pub fn reach_relative_half_width(ens: &Ensemble) -> f64 {
    let n = ens.len();
    if n < 2 {
        return f64::INFINITY;
    }
    let xs: Vec<f64> = ens.outcomes.iter().map(|o| o.reached as f64).collect();
    let st = crate::metrics::Stat::of(&xs);
    let half = st.stderr.map_or(f64::INFINITY, |se| 1.959964 * se);
    if st.mean > 0.0 {
        half / st.mean
    } else if half == 0.0 {
        0.0
    } else {
        f64::INFINITY
    }
}

/// Runs a scenario end to end and writes `summary.json`, `trials.csv`,
/// `timeseries.csv`, `run.json` and the charts to `out_dir` (checked for
/// writing before simulating; written as a whole, see
/// [`export::Staged`]).
///
/// # Errors
/// Input errors (graph files, seeding), [`Error::Write`] on output
/// failures, [`Error::Interrupted`] when stopped.
pub fn execute(scenario: &Scenario, out_dir: &Path, set: &RunSettings<'_>) -> Result<RunReport> {
    let mut s = scenario.clone();
    apply_overrides(&mut s, set)?;
    let staged = export::Staged::begin(out_dir)?;
    let t0 = Instant::now();
    let g = s.build_graph_in_input_order_with(set.progress)?;
    let graph_s = t0.elapsed().as_secs_f64();
    // A crisis resolves its own seeding on the graph as built, so both
    // run on it in input order.
    let (mut sim, g) = if s.crisis.is_some() {
        (simulate_timed(&s, &g, set)?, g)
    } else {
        simulate_ordering_if_it_pays(&s, g, set)?
    };
    sim.crisis =
        crate::run_crisis::simulate_crisis(&s, &g, set, &mut sim.summary, &mut sim.timings)?;
    if let Some(sel) = &set.trees {
        let t_trees = Instant::now();
        sim.trees = Some(record_trees(&s, &g, &sim.ensemble, sel, !set.no_charts)?);
        sim.timings.trees_s = t_trees.elapsed().as_secs_f64();
    }
    let mut timings = sim.timings;
    timings.graph_s = graph_s;
    let threads = thread_count(set.threads);
    let storage_order = if g.is_locality_ordered() {
        "locality"
    } else {
        "input"
    };
    let graph_bytes = g.heap_bytes();
    drop(g);
    let files = write_outputs(
        &staged,
        &sim,
        &s.source,
        set.no_charts,
        set.chart_format,
        |output_s| {
            timings.output_s = output_s;
            RunJson {
                viralsim_version: env!("CARGO_PKG_VERSION"),
                threads,
                timings_s: timings,
                trials_per_s: sim.ensemble.len() as f64 / timings.simulate_s.max(1e-9),
                edges_examined: sim.ensemble.edges_examined
                    + sim.crisis.as_ref().map_or(0, |c| c.edges_examined),
                storage_order,
                graph_bytes,
                merged_parts: None,
            }
        },
    )?;
    let out_dir = staged.target().to_path_buf();
    staged.commit()?;
    Ok(RunReport {
        summary: sim.summary,
        ensemble: sim.ensemble,
        out_dir,
        files,
        timings,
        threads,
    })
}

/// Replays the trials of `ens` that `sel` selects (and with `for_chart`
/// the median and largest ones) on `g`, the graph as simulated, and
/// returns their cascade trees ([`crate::trees::record`]). The seeding is
/// resolved again on `g`: resolving walks people by own id, so it picks
/// the same people with the same pools whatever the storage order.
///
/// # Errors
/// As [`resolve_seeding`].
pub fn record_trees(
    s: &Scenario,
    g: &SocialGraph,
    ens: &Ensemble,
    sel: &crate::trees::TreeSelection,
    for_chart: bool,
) -> Result<crate::trees::Trees> {
    let seeding = resolve_seeding(s, g)?;
    let content = CompiledContent::new(&s.content, s.model, g);
    let compiled = Compiled::new(&content, &seeding, s.seed, s.horizon);
    Ok(crate::trees::record(&compiled, ens, sel, for_chart))
}

/// Worker threads a run uses: `threads`, or all cores.
pub fn thread_count(threads: Option<usize>) -> usize {
    match threads {
        Some(t) => t,
        None => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
    }
}

/// Writes a simulation's files into a staged output folder: `timeseries.csv`,
/// with recorded cascade trees `trees.csv` and `trees.gexf`,
/// `trials.csv`, the charts (`cascade_tree` with trees) (unless `no_charts`; PNG, SVG or both as
/// `chart_format` says), `run.json` (made by
/// `run_json` from the seconds spent writing the rest), `scenario.toml`
/// (`scenario_text`), `report.html` and `summary.json`.
/// Needs no graph, so that [`crate::shard::merge`] writes exactly what a
/// run writes. Returns the files as they will be named once committed.
///
/// # Errors
/// [`Error::Write`] on any I/O failure.
pub fn write_outputs(
    staged: &export::Staged,
    sim: &Simulation,
    scenario_text: &str,
    no_charts: bool,
    chart_format: plot::ChartFormat,
    run_json: impl FnOnce(f64) -> RunJson,
) -> Result<Vec<PathBuf>> {
    let t2 = Instant::now();
    let dir = staged.path();
    let Simulation {
        summary,
        ensemble,
        context,
        crisis,
        trees,
        ..
    } = sim;
    let mut files = Vec::new();
    let mut put = |name: &str, bytes: Vec<u8>| -> Result<()> {
        export::write_atomic(&dir.join(name), &bytes)?;
        files.push(staged.target().join(name));
        Ok(())
    };
    let mut timeseries = export::timeseries_csv(summary);
    if let Some(c) = &summary.crisis {
        timeseries = crate::metrics::crisis::append_timeseries(&timeseries, c);
    }
    put("timeseries.csv", timeseries)?;
    if let Some(t) = trees {
        put(crate::trees::CSV_FILE, crate::trees::trees_csv(t))?;
        put(crate::trees::GEXF_FILE, crate::trees::trees_gexf(t))?;
    }
    // The per-trial CSV and the charts are independent: written side by side.
    let charts: Vec<String> = if no_charts {
        Vec::new()
    } else {
        [
            "reach_over_time",
            "cascade_size_ccdf",
            "funnel",
            "segments",
            "roles",
        ]
        .into_iter()
        .filter(|name| match *name {
            "segments" => summary.segments.len() > 1,
            "roles" => summary.roles.len() > 1,
            _ => true,
        })
        .chain(crate::run_crisis::charts(summary))
        .chain(trees.as_ref().map(|_| "cascade_tree"))
        .flat_map(|name| {
            chart_format
                .extensions()
                .iter()
                .map(move |ext| format!("{name}.{ext}"))
        })
        .collect()
    };
    let render = |file: &str| -> Result<PathBuf> {
        let p = dir.join(file);
        // Hidden while drawn; the extension picks the format.
        let tmp = dir.join(format!(".partial.{file}"));
        let name = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
        match name {
            "reach_over_time" => plot::reach_over_time(summary, &tmp),
            "cascade_size_ccdf" => plot::cascade_ccdf(summary, ensemble, &tmp),
            "funnel" => plot::funnel(summary, &tmp),
            "cascade_tree" => match trees {
                Some(t) => plot::cascade_tree(&summary.run.name, t, &tmp),
                None => Err(Error::write(&tmp, "no cascade trees recorded")),
            },
            "crisis_over_time" | "damage_by_delay" => {
                crate::run_crisis::render(name, summary, &tmp)
            }
            "segments" => plot::breakdown(
                summary,
                plot::Breakdown::Segments,
                &context.segment_names(),
                &tmp,
            ),
            _ => plot::breakdown(summary, plot::Breakdown::Roles, &context.role_names(), &tmp),
        }?;
        std::fs::rename(&tmp, &p).map_err(|e| Error::write(&p, e))?;
        Ok(staged.target().join(file))
    };
    let (csv, pngs) = rayon::join(
        || {
            let mut table = MetricTable::campaign(context, ensemble);
            if let Some(c) = crisis {
                crate::metrics::crisis::push_metrics(&mut table, c, context.economics.as_ref());
            }
            export::write_trials_csv(&dir.join("trials.csv"), &table, ensemble.len())
        },
        || {
            use rayon::prelude::*;
            charts
                .par_iter()
                .map(|name| render(name))
                .collect::<Result<Vec<PathBuf>>>()
        },
    );
    csv?;
    files.push(staged.target().join("trials.csv"));
    files.extend(pngs?);
    let run_json = run_json(t2.elapsed().as_secs_f64());
    let mut rj = serde_json::to_vec_pretty(&run_json).expect("run.json serialises");
    rj.push(b'\n');
    export::write_atomic(&dir.join("run.json"), &rj)?;
    files.push(staged.target().join("run.json"));
    write_report_and_scenario(dir, summary, scenario_text)?;
    for name in [crate::report::SCENARIO_FILE, crate::report::REPORT_FILE] {
        files.push(staged.target().join(name));
    }
    export::write_atomic(&dir.join("summary.json"), &export::summary_json(summary))?;
    files.push(staged.target().join("summary.json"));
    Ok(files)
}

/// Writes the scenario's text (`scenario.toml`) and `report.html` (from the
/// summary as written to `summary.json`, that text and the charts already in
/// `dir`): what [`write_outputs`] does before writing `summary.json`, so
/// `viralsim report DIR` rebuilds the same page.
///
/// # Errors
/// [`Error::Write`] writing either file, [`Error::Read`] reading a chart.
pub fn write_report_and_scenario(dir: &Path, summary: &Summary, scenario_text: &str) -> Result<()> {
    export::write_atomic(
        &dir.join(crate::report::SCENARIO_FILE),
        scenario_text.as_bytes(),
    )?;
    let value = serde_json::to_value(summary).expect("a summary always serialises");
    crate::report::write(dir, &value, scenario_text)?;
    Ok(())
}
