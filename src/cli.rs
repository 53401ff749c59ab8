//! Command-line interface. The only module that prints or picks exit codes:
//! 0 success, 2 bad input (scenario, edge list, flags), 1 anything else.

use crate::error::Error;
use crate::run::{RunSettings, execute};
use crate::scenario::Scenario;
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// viralsim: word-of-mouth virality simulator.
#[derive(Debug, Parser)]
#[command(name = "viralsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario (the built-in default when no file is given) and write
    /// summary.json, CSVs and PNG charts.
    Run {
        /// Scenario file (TOML). Omit to run the built-in default scenario.
        scenario: Option<PathBuf>,
        /// Output folder (default: output/NAME/, NAME being the scenario's name).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Number of trials (overrides the scenario).
        #[arg(long)]
        trials: Option<u64>,
        /// Master seed (overrides the scenario).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Do not render PNG charts.
        #[arg(long)]
        no_charts: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Check a scenario file (and its edge list) without running it.
    Validate {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
    /// Generate a scenario's social graph to files, or describe a graph.
    Graph {
        /// What to do with the graph.
        #[command(subcommand)]
        action: GraphCommand,
    },
}

/// `viralsim graph` subcommands.
#[derive(Debug, Subcommand)]
pub enum GraphCommand {
    /// Build a scenario's graph and write DIR/edges.txt (u v trust kind),
    /// DIR/nodes.csv (id,segment,role) and DIR/degree_distribution.png.
    Generate {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// Do not render the degree chart.
        #[arg(long)]
        no_chart: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Statistics of a scenario's graph (a .toml file) or of an edge list:
    /// degrees, power-law fit, clustering, components, segments, roles,
    /// homophily, trust per tie kind.
    Stats {
        /// Scenario file (.toml) or edge list.
        input: PathBuf,
        /// Print JSON instead of text.
        #[arg(long)]
        json: bool,
        /// Also draw the degree distribution (log–log PNG) to this file.
        #[arg(long)]
        chart: Option<PathBuf>,
        /// Edge list only: node attribute file (id,segment,role).
        #[arg(long)]
        nodes: Option<PathBuf>,
        /// Edge list only: each line is one arc (default: both arcs).
        #[arg(long)]
        directed: bool,
        /// Edge list only: ids are labels even when they look like integers.
        #[arg(long)]
        labels: bool,
        /// People sampled for the clustering estimate (exact below this size).
        #[arg(long, default_value_t = crate::graph::stats::CLUSTERING_SAMPLE)]
        clustering_sample: usize,
    },
}

/// Runs the CLI with the process arguments; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match dispatch(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            if e.is_input_error() { 2 } else { 1 }
        }
    }
}

fn load(path: Option<&Path>) -> Result<Scenario, Error> {
    match path {
        Some(p) => Scenario::from_file(p),
        None => Ok(Scenario::builtin_default()),
    }
}

fn dispatch(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Validate { scenario } => {
            let s = Scenario::from_file(&scenario)?;
            // The storage order changes nothing a check looks at.
            let g = s.build_graph_in_input_order_with(None)?;
            crate::run::resolve_seeding(&s, &g)?;
            let trials = match &s.precision {
                Some(p) => format!(
                    "trials = auto (±{}% of mean reach, at most {})",
                    100.0 * p.target,
                    p.max_trials
                ),
                None => format!("{} trials", s.trials),
            };
            println!(
                "{}: ok — scenario '{}', {} people, {} arcs, {trials}",
                scenario.display(),
                s.name,
                g.node_count(),
                g.arc_count(),
            );
            Ok(())
        }
        Command::Graph { action } => graph_command(action),
        Command::Run {
            scenario,
            out,
            trials,
            seed,
            threads,
            no_charts,
            quiet,
        } => {
            let s = load(scenario.as_deref())?;
            let out_dir = out.unwrap_or_else(|| PathBuf::from("output").join(&s.name));
            let total = trials.unwrap_or(s.trials);
            let bar = (!quiet && std::io::stderr().is_terminal() && total >= 200).then(|| {
                let b = indicatif::ProgressBar::new(total);
                b.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} simulating [{bar:40}] {pos}/{len} trials, {per_sec}, eta {eta}",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
                );
                b
            });
            let progress = |done: u64, total: u64| {
                if let Some(b) = &bar {
                    // With trials = "auto" the total grows batch by batch.
                    b.set_length(total);
                    b.set_position(done);
                }
            };
            // Graph phases are shown on a terminal (big graphs take a while).
            let phases = PhaseReporter::new(!quiet && std::io::stderr().is_terminal());
            let graph_progress =
                |phase: &str, done: u64, total: u64| phases.report(phase, done, total);
            let settings = RunSettings {
                trials,
                seed,
                threads,
                no_charts,
                progress: Some(&progress),
                graph_progress: Some(&graph_progress),
            };
            let report = execute(&s, &out_dir, &settings)?;
            if let Some(b) = &bar {
                b.finish_and_clear();
            }
            if !quiet {
                print_summary(&report);
            }
            Ok(())
        }
    }
}

fn print_summary(r: &crate::run::RunReport) {
    use crate::metrics::Show;
    let s = &r.summary;
    println!(
        "viralsim: '{}' — {} trials on {} people / {} arcs, seed {} ({:.2} s simulating, {} threads)",
        s.run.name,
        s.run.trials,
        s.run.nodes,
        s.run.arcs,
        s.run.seed,
        r.timings.simulate_s,
        r.threads
    );
    println!(
        "  {:<14} {:>12}   {:>25}   {:>10} {:>10}",
        "per campaign", "mean", "95% CI of mean", "p5", "p95"
    );
    let shown = |show: Show| s.table.iter().filter(move |m| m.show == show);
    for m in shown(Show::Funnel) {
        let st = &s.metrics[&m.name];
        println!(
            "  {:<14} {:>12.2}   [{:>10.2}, {:>10.2}]   {:>10.1} {:>10.1}",
            m.label, st.mean, st.ci95[0], st.ci95[1], st.p5, st.p95
        );
    }
    println!(
        "  P(reach ≥ {}) = {:.3} [{:.3}, {:.3}]",
        s.viral_threshold, s.going_viral.estimate, s.going_viral.ci95[0], s.going_viral.ci95[1]
    );
    for m in shown(Show::Rate) {
        let st = &s.metrics[&m.name];
        println!(
            "  {:<14} {:>11.3}%   [{:>9.3}%, {:>9.3}%]   (per campaign: {})",
            m.label,
            100.0 * st.mean,
            100.0 * st.ci95[0],
            100.0 * st.ci95[1],
            m.unit
        );
    }
    if let Some(e) = &s.economics {
        use crate::scenario::money_label as money;
        let c = &e.currency;
        for m in shown(Show::Money) {
            let st = &s.metrics[&m.name];
            println!(
                "  {:<14} {:>12} {c} [{}, {}]",
                m.label,
                money(st.mean),
                money(st.ci95[0]),
                money(st.ci95[1])
            );
        }
        let roi = shown(Show::Roi).next().map(|m| &s.metrics[&m.name]);
        if let (Some(m), Some(p)) = (roi, &e.roi_positive) {
            println!(
                "  ROI            {:>11.1}%   [{:.1}%, {:.1}%];  P(ROI > 0) = {:.3} [{:.3}, {:.3}]",
                100.0 * m.mean,
                100.0 * m.ci95[0],
                100.0 * m.ci95[1],
                p.estimate,
                p.ci95[0],
                p.ci95[1]
            );
        }
        let b = &e.bought;
        let seeds: Vec<String> = b
            .seeds
            .iter()
            .map(|(role, k)| format!("{} {role}", money(*k)))
            .collect();
        let mut bought = format!("seeds: {}", seeds.join(", "));
        if b.paid_impressions > 0.0 {
            bought += &format!("; {} paid impressions", money(b.paid_impressions));
        }
        println!("  bought         {bought} (per campaign)");
        match e.budget {
            Some(budget) => println!(
                "  cost vs budget {} of {} {c} ({:.0}%)",
                money(b.cost),
                money(budget),
                100.0 * b.cost / budget.max(f64::MIN_POSITIVE)
            ),
            None => println!(
                "  cost           {} {c} per campaign (no budget given)",
                money(b.cost)
            ),
        }
    }
    if s.precision.mode == "auto" {
        println!(
            "  precision      ±{:.2}% of mean reach after {} trials (target ±{:.2}%{})",
            100.0 * s.precision.reach_relative_half_width,
            s.precision.trials,
            100.0 * s.precision.target.unwrap_or(0.0),
            if s.precision.met == Some(true) {
                ""
            } else {
                ", NOT met: max_trials reached"
            }
        );
    }
    println!("  results: {}/", r.out_dir.display());
}

/// `viralsim graph …`: progress and phase timings go to stderr, results to
/// stdout and files.
/// Prints graph-building phases on stderr: a percentage while a phase runs
/// (terminal only) and its time when it ends.
struct PhaseReporter {
    on: bool,
    tty: bool,
    started: std::sync::Mutex<std::time::Instant>,
}

impl PhaseReporter {
    fn new(on: bool) -> Self {
        PhaseReporter {
            on,
            tty: std::io::stderr().is_terminal(),
            started: std::sync::Mutex::new(std::time::Instant::now()),
        }
    }

    fn report(&self, phase: &str, done: u64, total: u64) {
        if !self.on {
            return;
        }
        let mut t = self.started.lock().unwrap_or_else(|e| e.into_inner());
        if done == 0 {
            *t = std::time::Instant::now();
        } else if done >= total {
            let clear = if self.tty { "\r\x1b[K" } else { "" };
            eprintln!(
                "{clear}graph: {phase:<10} {:>8.2} s",
                t.elapsed().as_secs_f64()
            );
        } else if self.tty {
            eprint!(
                "\r\x1b[Kgraph: {phase} {:.0}%",
                100.0 * done as f64 / total as f64
            );
        }
    }
}

fn graph_command(action: GraphCommand) -> Result<(), Error> {
    use crate::graph::{build, io, stats};
    let quiet = matches!(action, GraphCommand::Generate { quiet: true, .. });
    let phases = PhaseReporter::new(!quiet);
    let progress = |phase: &str, done: u64, total: u64| phases.report(phase, done, total);
    let timed = |phase: &str, f: &mut dyn FnMut() -> Result<(), Error>| {
        progress(phase, 0, 1);
        let r = f();
        progress(phase, 1, 1);
        r
    };
    match action {
        GraphCommand::Generate {
            scenario,
            out,
            no_chart,
            quiet,
        } => {
            let s = Scenario::from_file(&scenario)?;
            // Written in own ids: the storage order would change nothing.
            let g = s.build_graph_in_input_order_with(Some(&progress))?;
            // A scenario whose plan does not fit its graph is refused here too.
            crate::run::resolve_seeding(&s, &g)?;
            std::fs::create_dir_all(&out).map_err(|e| Error::write(&out, e))?;
            let edges = out.join("edges.txt");
            let nodes = out.join("nodes.csv");
            timed("write", &mut || {
                io::write_edge_list(&g, &edges)?;
                io::write_node_attributes(&g, &nodes)
            })?;
            if !no_chart {
                let chart = out.join("degree_distribution.png");
                timed("chart", &mut || {
                    let (oh, ih) = stats::degree_histograms(&g);
                    let fit = crate::graph::powerlaw::fit(&oh, None);
                    crate::plot::degree_distribution(&s.name, &oh, &ih, fit.as_ref(), &chart)
                })?;
            }
            if !quiet {
                println!(
                    "viralsim graph: '{}' — {} people, {} arcs ({:.1} bytes per arc) → {}/",
                    s.name,
                    g.node_count(),
                    g.arc_count(),
                    g.heap_bytes() as f64 / g.arc_count().max(1) as f64,
                    out.display()
                );
            }
            Ok(())
        }
        GraphCommand::Stats {
            input,
            json,
            chart,
            nodes,
            directed,
            labels,
            clustering_sample,
        } => {
            let is_scenario = input.extension().is_some_and(|e| e == "toml");
            let (name, g) = if is_scenario {
                let s = Scenario::from_file(&input)?;
                let g = s.build_graph_with(Some(&progress))?;
                crate::run::resolve_seeding(&s, &g)?;
                (s.name.clone(), g)
            } else {
                progress("read", 0, 1);
                let mut opts = io::EdgeListOptions::new(directed);
                if labels {
                    opts.ids = io::IdMode::Label;
                }
                let el = io::read_edge_list_with(&input, &opts)?;
                let rows = match &nodes {
                    Some(p) => Some(io::read_node_attributes(p)?),
                    None => None,
                };
                let file = nodes.as_ref().map(|p| p.display().to_string());
                let g = build::from_edge_list(
                    el,
                    rows.as_deref().zip(file.as_deref()),
                    None,
                    Default::default(),
                    0,
                )?;
                progress("read", 1, 1);
                let name = input
                    .file_stem()
                    .map_or("graph".into(), |s| s.to_string_lossy().into_owned());
                (name, g)
            };
            progress("stats", 0, 1);
            let (st, oh, ih) = stats::compute(&g, clustering_sample.max(2));
            progress("stats", 1, 1);
            if let Some(p) = &chart {
                crate::plot::degree_distribution(&name, &oh, &ih, st.power_law.as_ref(), p)?;
            }
            if json {
                let mut text = serde_json::to_string_pretty(&st).expect("stats serialise");
                text.push('\n');
                print!("{text}");
            } else {
                print_graph_stats(&name, &st);
            }
            Ok(())
        }
    }
}

fn print_graph_stats(name: &str, s: &crate::graph::stats::GraphStats) {
    let pct = |x: u64| 100.0 * x as f64 / s.nodes.max(1) as f64;
    println!(
        "graph '{name}': {} people, {} arcs (reciprocity {:.3}, {:.1} bytes per arc)",
        s.nodes, s.arcs, s.reciprocity, s.bytes_per_arc
    );
    for (label, d) in [("out-degree", &s.out_degree), ("in-degree", &s.in_degree)] {
        println!(
            "  {label:<11} mean {:.2}, max {}, p50 {}, p90 {}, p99 {}, p99.9 {}, zero {}",
            d.mean, d.max, d.p50, d.p90, d.p99, d.p999, d.zero
        );
    }
    match &s.power_law {
        Some(f) => println!(
            "  power law   α = {:.3} ± {:.3} for out-degree ≥ {} ({} people, KS distance {:.3})",
            f.exponent, f.stderr, f.k_min, f.tail, f.ks
        ),
        None => println!("  power law   not fitted (too few distinct degrees)"),
    }
    let c = &s.clustering;
    if c.exact {
        println!("  clustering  {:.3e} (all {} people)", c.mean, c.people);
    } else {
        println!(
            "  clustering  {:.3e} ± {:.1e} (standard error; sample of {} people)",
            c.mean, c.stderr, c.people
        );
    }
    println!(
        "  components  {} (weak); largest {} people ({:.1}%)",
        s.components.count,
        s.components.largest,
        100.0 * s.components.largest_share
    );
    println!(
        "  homophily   {:.3} of arcs join people of the same segment",
        s.homophily
    );
    let list = |m: &std::collections::BTreeMap<String, u64>| {
        m.iter()
            .map(|(k, &v)| format!("{k} {v} ({:.1}%)", pct(v)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!("  segments    {}", list(&s.segments));
    println!("  roles       {}", list(&s.roles));
    for (k, v) in &s.kinds {
        match v.mean_trust {
            Some(t) => println!("  tie kind    {k}: {} arcs, mean trust {t:.3}", v.arcs),
            None => println!("  tie kind    {k}: no arcs"),
        }
    }
}
