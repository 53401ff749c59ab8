//! The command line: subcommands and flags (clap).

use clap::{Parser, Subcommand};
use std::path::PathBuf;

/// viralsim: word-of-mouth virality simulator.
#[derive(Debug, Parser)]
#[command(name = "viralsim", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
    /// Go on when the memory a graph needs (estimated before building or
    /// loading it) exceeds the memory available, instead of stopping.
    #[arg(long, global = true)]
    pub force: bool,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a scenario (the built-in default when no file is given) and write
    /// summary.json, CSVs, PNG charts and report.html.
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
        /// Do not render charts.
        #[arg(long)]
        no_charts: bool,
        /// Chart files: png, svg (vector, text as text, font embedded) or both.
        #[arg(long, default_value = "png")]
        chart_format: crate::plot::ChartFormat,
        /// Also export the cascade trees (who engaged whom) of the first K
        /// trials and/or of the trial closest to the median size and the
        /// largest: trees.csv, trees.gexf and cascade_tree.png. E.g. 3,
        /// median,largest or 3,median,largest.
        #[arg(long, value_name = "K|median|largest,…")]
        trees: Option<String>,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Run only shard K of N (0 ≤ K < N) of the trials and write a part
        /// file NAME.shard-K-of-N.vspart into the --out folder (default
        /// output/NAME-parts/), to be put together by `viralsim merge`.
        #[arg(long, value_name = "K/N", conflicts_with = "trials_range")]
        shard: Option<String>,
        /// Run only trials A to B-1 (numbered from 0) and write a part file
        /// NAME.trials-A-B.vspart, as --shard does.
        #[arg(long, value_name = "A..B")]
        trials_range: Option<String>,
    },
    /// Put part files of a sharded run (`run --shard`) back together: writes
    /// OUT the files `viralsim run` of the whole writes, byte for byte.
    Merge {
        /// Output folder.
        out: PathBuf,
        /// Part files, or folders of them (*.vspart).
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Do not render PNG charts.
        #[arg(long)]
        no_charts: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Run a scenario over a grid of key values on common random numbers
    /// (one graph when no graph key varies) and write sweep.csv, sweep.json,
    /// charts and each point's summary.json under points/.
    Sweep {
        /// Scenario file (TOML); its [sweep.set] table is used when no --set is given.
        scenario: PathBuf,
        /// KEY=SPEC: a dotted scenario key and its values, a:b:n (n values
        /// from a to b), x,y,z (a list) or x. Repeat for a grid.
        #[arg(long = "set", value_name = "KEY=SPEC")]
        set: Vec<String>,
        /// Space ranges geometrically (and chart them on log axes).
        #[arg(long)]
        log: bool,
        /// Output folder (default: output/NAME_sweep/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Number of trials per point (overrides the scenario).
        #[arg(long)]
        trials: Option<u64>,
        /// Master seed of every point (overrides the scenario).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Also write each point's trials.csv, timeseries.csv and charts.
        #[arg(long)]
        keep_points: bool,
        /// Do not render PNG charts.
        #[arg(long)]
        no_charts: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Compare scenarios (two or more files, or one file and --variant) on
    /// common random numbers: each metric per arm and the paired difference
    /// against the first, in compare.csv, compare.json and compare.png.
    Compare {
        /// Scenario files (TOML); the first is the reference arm.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
        /// KEY=VALUE[;KEY=VALUE…]: one more arm, the file with these keys set.
        #[arg(long, value_name = "KEY=VALUE")]
        variant: Vec<String>,
        /// Output folder (default: output/compare_NAME/).
        #[arg(long)]
        out: Option<PathBuf>,
        /// Number of trials per arm (overrides the scenarios).
        #[arg(long)]
        trials: Option<u64>,
        /// Master seed of every arm (overrides the scenarios).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (default: all cores). Results do not depend on it.
        #[arg(long)]
        threads: Option<usize>,
        /// Also write each arm's trials.csv, timeseries.csv and charts.
        #[arg(long)]
        keep_points: bool,
        /// Do not render PNG charts.
        #[arg(long)]
        no_charts: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Rebuild DIR/report.html from an output folder (summary.json,
    /// scenario.toml and the charts a run wrote there).
    Report {
        /// Output folder of a run.
        dir: PathBuf,
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
    /// Build a scenario's graph and write DIR/edges.txt (u v trust kind) and
    /// DIR/nodes.csv (id,segment,role), or DIR/graph.vsg (binary, to load
    /// with `[graph] kind = "graph_file"`), and DIR/degree_distribution.png.
    Generate {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Output folder.
        #[arg(long)]
        out: PathBuf,
        /// text (edges.txt, nodes.csv), binary (graph.vsg) or both.
        #[arg(long, default_value = "text")]
        format: GraphFormat,
        /// Do not render the degree chart.
        #[arg(long)]
        no_chart: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Turn an edge list (plain, .gz, .zst or .bz2; optional node attribute file)
    /// into a binary graph file (.vsg) that loads in seconds.
    Convert {
        /// Edge list.
        input: PathBuf,
        /// The graph file to write (e.g. graph.vsg).
        output: PathBuf,
        /// Node attribute file (id,segment,role).
        #[arg(long)]
        nodes: Option<PathBuf>,
        /// Each line is one arc (default: both arcs).
        #[arg(long)]
        directed: bool,
        /// Ids are labels even when they look like integers (default: numbers
        /// when every id is one, labels otherwise).
        #[arg(long)]
        labels: bool,
        /// Seed for the trust of arcs that the file gives none (drawn from
        /// Beta(2, 2), as `graph stats` does).
        #[arg(long, default_value_t = 0)]
        seed: u64,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Statistics of a scenario's graph (a .toml file), of a graph file
    /// (.vsg) or of an edge list:
    /// degrees, power-law fit, clustering, components, segments, roles,
    /// homophily, trust per tie kind.
    Stats {
        /// Scenario file (.toml), graph file (.vsg) or edge list.
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

/// How `viralsim graph generate` writes the graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum GraphFormat {
    /// edges.txt and nodes.csv.
    Text,
    /// graph.vsg (see `viralsim::graph::binary`).
    Binary,
    /// Both.
    Both,
}
