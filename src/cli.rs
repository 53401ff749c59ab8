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
        /// Output folder (default: output/<scenario name>/).
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
            let g = s.build_graph()?;
            println!(
                "{}: ok — scenario '{}', {} people, {} arcs, {} trials",
                scenario.display(),
                s.name,
                g.node_count(),
                g.arc_count(),
                s.trials
            );
            Ok(())
        }
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
            let progress = |done: u64, _total: u64| {
                if let Some(b) = &bar {
                    b.set_position(done);
                }
            };
            let settings = RunSettings {
                trials,
                seed,
                threads,
                no_charts,
                progress: Some(&progress),
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
    for (label, key) in [
        ("reached", "reached"),
        ("engaged", "engaged"),
        ("shared", "shared"),
        ("converted", "converted"),
        ("earned media", "earned_media"),
    ] {
        let m = &s.metrics[key];
        println!(
            "  {:<14} {:>12.2}   [{:>10.2}, {:>10.2}]   {:>10.1} {:>10.1}",
            label, m.mean, m.ci95[0], m.ci95[1], m.p5, m.p95
        );
    }
    println!(
        "  P(reach ≥ {}) = {:.3} [{:.3}, {:.3}]",
        s.viral_threshold, s.going_viral.estimate, s.going_viral.ci95[0], s.going_viral.ci95[1]
    );
    println!("  results: {}/", r.out_dir.display());
}
