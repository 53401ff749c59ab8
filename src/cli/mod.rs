//! Command-line interface: the only module that prints or picks exit codes
//! (0 success, 2 bad input — scenario, edge list, flags, part files — 130
//! interrupted, 1 anything else).
//! [`args`] defines the command line, [`progress`] shows progress on
//! stderr, [`report`] prints results; this module dispatches to the library.

pub mod args;
pub mod progress;
pub mod report;

pub use args::{Cli, Command, GraphCommand, GraphFormat};

use crate::error::Error;
use crate::run::{RunSettings, execute};
use crate::scenario::Scenario;
use crate::shard::{PartOf, Shard, merge, parse_trial_range, run_part};
use clap::Parser;
use progress::Display;
use report::{print_graph_stats, print_summary};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Runs the CLI with the process arguments; returns the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    // Ctrl-C: the run stops at its next trial and cleans up; should it not
    // within a second (building a big graph, say), this handler does.
    let _ = ctrlc::set_handler(|| {
        crate::interrupt::request();
        std::thread::sleep(std::time::Duration::from_secs(1));
        crate::interrupt::remove_in_progress();
        eprintln!("error: interrupted; nothing was written");
        std::process::exit(130);
    });
    match dispatch(cli) {
        Ok(()) => 0,
        Err(Error::Interrupted) => {
            eprintln!("error: {}", Error::Interrupted);
            130
        }
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
    crate::input::set_force_memory(cli.force);
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
        Command::Merge {
            out,
            parts,
            no_charts,
            quiet,
        } => {
            let report = merge(&out, &parts, no_charts)?;
            if !quiet {
                print_summary(&report);
            }
            Ok(())
        }
        Command::Sweep {
            scenario,
            set,
            log,
            out,
            trials,
            seed,
            threads,
            keep_points,
            no_charts,
            quiet,
        } => {
            use crate::study::{StudySettings, sweep};
            let plan = sweep::SweepPlan::new(&scenario, &set, log, trials, seed)?;
            let out_dir =
                out.unwrap_or_else(|| PathBuf::from("output").join(format!("{}_sweep", plan.name)));
            let display = Display::new(!quiet && std::io::stderr().is_terminal());
            let progress = |phase: &str, done: u64, total: u64| display.report(phase, done, total);
            check_threads(threads)?;
            let settings = StudySettings {
                threads,
                no_charts,
                keep_points,
                progress: Some(&progress),
            };
            let report = sweep::run(plan, &out_dir, &settings);
            display.finish();
            let report = report?;
            if !quiet {
                print!("{}", sweep::format_report(&report));
            }
            Ok(())
        }
        Command::Compare {
            scenarios,
            variant,
            out,
            trials,
            seed,
            threads,
            keep_points,
            no_charts,
            quiet,
        } => {
            use crate::study::{StudySettings, compare};
            let plan = compare::ComparePlan::new(&scenarios, &variant, trials, seed)?;
            let out_dir = out.unwrap_or_else(|| {
                PathBuf::from("output").join(format!("compare_{}", plan.arms[0].scenario.name))
            });
            let display = Display::new(!quiet && std::io::stderr().is_terminal());
            let progress = |phase: &str, done: u64, total: u64| display.report(phase, done, total);
            check_threads(threads)?;
            let settings = StudySettings {
                threads,
                no_charts,
                keep_points,
                progress: Some(&progress),
            };
            let report = compare::run(&plan, &out_dir, &settings);
            display.finish();
            let report = report?;
            if !quiet {
                print!("{}", compare::format_report(&report));
            }
            Ok(())
        }
        Command::Report { dir } => {
            let p = crate::report::rebuild(&dir)?;
            println!("viralsim report: {}", p.display());
            Ok(())
        }
        Command::Run {
            scenario,
            out,
            trials,
            seed,
            threads,
            no_charts,
            chart_format,
            trees,
            quiet,
            shard,
            trials_range,
        } => {
            let trees = trees
                .as_deref()
                .map(crate::trees::TreeSelection::parse)
                .transpose()?;
            let s = load(scenario.as_deref())?;
            let part = match (shard, trials_range) {
                (Some(k), _) => Some(PartOf::Shard(Shard::parse(&k)?)),
                (None, Some(r)) => Some(PartOf::Range(parse_trial_range(&r)?)),
                (None, None) => None,
            };
            if let Some(part) = part {
                if trees.is_some() {
                    return Err(Error::param(
                        crate::trees::FLAG,
                        "cascade trees are exported by runs of the whole only; allowed: --trees without --shard or --trials-range (run the whole, or the trials of interest, without them)",
                    ));
                }
                let dir = out
                    .unwrap_or_else(|| PathBuf::from("output").join(format!("{}-parts", s.name)));
                let display = Display::new(!quiet && std::io::stderr().is_terminal());
                let progress =
                    |phase: &str, done: u64, total: u64| display.report(phase, done, total);
                let settings = RunSettings {
                    trials,
                    seed,
                    threads,
                    no_charts,
                    chart_format,
                    trees: None,
                    progress: Some(&progress),
                };
                let report = run_part(&s, &dir, &part, &settings);
                display.finish();
                let r = report?;
                if !quiet {
                    println!(
                        "viralsim: '{}' — trials {}..{} of {} ({:.2} s simulating, {} {}) → {}",
                        s.name,
                        r.range.start,
                        r.range.end,
                        r.total_trials,
                        r.timings.simulate_s,
                        r.threads,
                        if r.threads == 1 { "thread" } else { "threads" },
                        r.path.display()
                    );
                }
                return Ok(());
            }
            let out_dir = out.unwrap_or_else(|| PathBuf::from("output").join(&s.name));
            // Phases and a trial bar on a terminal (big graphs take a while).
            let display = Display::new(!quiet && std::io::stderr().is_terminal());
            let progress = |phase: &str, done: u64, total: u64| display.report(phase, done, total);
            let settings = RunSettings {
                trials,
                seed,
                threads,
                no_charts,
                chart_format,
                trees,
                progress: Some(&progress),
            };
            let report = execute(&s, &out_dir, &settings);
            display.finish();
            let report = report?;
            if !quiet {
                print_summary(&report);
            }
            Ok(())
        }
    }
}

/// `--threads` as `run` checks it.
fn check_threads(threads: Option<usize>) -> Result<(), Error> {
    let mut s = Scenario::builtin_default();
    crate::run::apply_overrides(
        &mut s,
        &RunSettings {
            threads,
            ..RunSettings::default()
        },
    )
}

/// An edge list (and attribute file) as a graph without a scenario: names
/// adopted from the files, missing trust drawn from Beta(2, 2) with `seed`.
fn read_edge_list_graph(
    input: &Path,
    nodes: Option<&Path>,
    directed: bool,
    ids: crate::graph::io::IdMode,
    seed: u64,
) -> Result<crate::graph::SocialGraph, Error> {
    use crate::graph::{build, io};
    let mut opts = io::EdgeListOptions::new(directed);
    opts.ids = ids;
    let el = io::read_edge_list_with(input, &opts)?;
    let rows = match nodes {
        Some(p) => Some(io::read_node_attributes(p)?),
        None => None,
    };
    let file = nodes.map(|p| p.display().to_string());
    build::from_edge_list(
        el,
        rows.as_deref().zip(file.as_deref()),
        None,
        Default::default(),
        seed,
    )
}

/// `viralsim graph …`: progress and phase timings go to stderr, results to
/// stdout and files.
fn graph_command(action: GraphCommand) -> Result<(), Error> {
    use crate::graph::{io, stats};
    let quiet = matches!(
        action,
        GraphCommand::Generate { quiet: true, .. } | GraphCommand::Convert { quiet: true, .. }
    );
    let display = Display::new(!quiet);
    let progress = |phase: &str, done: u64, total: u64| display.report(phase, done, total);
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
            format,
            no_chart,
            quiet,
        } => {
            let s = Scenario::from_file(&scenario)?;
            // Written in own ids: the storage order would change nothing.
            let g = s.build_graph_in_input_order_with(Some(&progress))?;
            // A scenario whose plan does not fit its graph is refused here too.
            crate::run::resolve_seeding(&s, &g)?;
            std::fs::create_dir_all(&out).map_err(|e| Error::write(&out, e))?;
            timed("write", &mut || {
                if format != GraphFormat::Binary {
                    io::write_edge_list(&g, &out.join("edges.txt"))?;
                    io::write_node_attributes(&g, &out.join("nodes.csv"))?;
                }
                if format != GraphFormat::Text {
                    crate::graph::binary::write(&g, &out.join("graph.vsg"))?;
                }
                Ok(())
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
        GraphCommand::Convert {
            input,
            output,
            nodes,
            directed,
            labels,
            seed,
            quiet,
        } => {
            progress("read", 0, 1);
            // Numbers are ids when every id is one; labels otherwise.
            let ids = if labels {
                io::IdMode::Label
            } else {
                io::IdMode::Auto
            };
            let g = read_edge_list_graph(&input, nodes.as_deref(), directed, ids, seed)?;
            progress("read", 1, 1);
            timed("write", &mut || crate::graph::binary::write(&g, &output))?;
            if !quiet {
                println!(
                    "viralsim graph: {} — {} people, {} arcs → {}",
                    input.display(),
                    g.node_count(),
                    g.arc_count(),
                    output.display()
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
            let mut layers = None;
            let (name, g) = if is_scenario {
                let s = Scenario::from_file(&input)?;
                let g = s.build_graph_with(Some(&progress))?;
                crate::run::resolve_seeding(&s, &g)?;
                if let crate::graph::GraphSpec::Layered { layers: spec, .. } = &s.graph {
                    if let Some(lt) = crate::graph::layer_ties(&s.graph, &s.audience, s.seed)? {
                        let names: Vec<String> =
                            s.audience.kinds.iter().map(|k| k.name.clone()).collect();
                        layers = Some(crate::graph::layers::layer_stats(spec, &lt, &names));
                    }
                }
                (s.name.clone(), g)
            } else {
                progress("read", 0, 1);
                let g = if crate::graph::binary::is_graph_file(&input) {
                    if nodes.is_some() || directed || labels {
                        return Err(Error::param(
                            "--nodes, --directed, --labels",
                            format!(
                                "'{}' is a graph file, which holds its people and arcs; these flags are for edge lists",
                                input.display()
                            ),
                        ));
                    }
                    crate::graph::binary::read(&input)?
                } else {
                    let mut ids = io::EdgeListOptions::new(directed).ids;
                    if labels {
                        ids = io::IdMode::Label;
                    }
                    read_edge_list_graph(&input, nodes.as_deref(), directed, ids, 0)?
                };
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
                let mut v = serde_json::to_value(&st).expect("stats serialise");
                if let Some(l) = &layers {
                    v["layers"] = serde_json::to_value(l).expect("layers serialise");
                }
                let mut text = serde_json::to_string_pretty(&v).expect("stats serialise");
                text.push('\n');
                print!("{text}");
            } else {
                print_graph_stats(&name, &st);
                if let Some(l) = &layers {
                    report::print_layer_stats(l, &st);
                }
            }
            Ok(())
        }
    }
}
