//! What storing people in locality order buys, measured side by side: the
//! same trials (same results) run alternately on the scenario graph as
//! stored (locality order) and on the same graph in its people's own id
//! order, one batch each per round, so that the machine's load changes hit
//! both alike. Prints the median and quartiles of the per-round time ratio.
//!
//!     cargo bench --bench locality                 # built-in default scenario
//!     VIRALSIM_BENCH_SCENARIO=FILE.toml cargo bench --bench locality
//!
//! `VIRALSIM_BENCH_ROUNDS` (default 200) and `VIRALSIM_BENCH_TRIALS` (trials
//! per batch, default 500) size the run. Not a criterion bench: criterion
//! measures one variant after the other, and on a shared machine the load
//! moves more between them than the effect measured here.

use std::path::Path;
use std::time::Instant;
use viralsim::engine::{Campaign, Workspace, run_trial};
use viralsim::graph::SocialGraph;
use viralsim::scenario::Scenario;

fn env_or(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    // cargo bench passes `--bench`; anything else is a filter we ignore.
    let s = match std::env::var_os("VIRALSIM_BENCH_SCENARIO") {
        Some(path) => Scenario::from_file(Path::new(&path)).expect("a valid scenario file"),
        None => Scenario::builtin_default(),
    };
    let rounds = env_or("VIRALSIM_BENCH_ROUNDS", 200).max(1) as usize;
    let batch = env_or("VIRALSIM_BENCH_TRIALS", 500).max(1);
    let stored = s.build_graph().expect("graph builds");
    let own = SocialGraph::from_petgraph(&stored.to_petgraph(), stored.vocabulary().clone())
        .expect("the graph converts");
    let variants = [
        Campaign::new(&s, &stored).expect("seeding fits"),
        Campaign::new(&s, &own).expect("seeding fits"),
    ];
    let variants = [variants[0].compiled(), variants[1].compiled()];
    let mut ws = [
        Workspace::new(stored.node_count()),
        Workspace::new(stored.node_count()),
    ];
    let mut times = [Vec::new(), Vec::new()];
    let mut engaged = [0u64; 2];
    for r in 0..rounds {
        // Fifty different batches of trials, cycled.
        let first = (r as u64 % 50) * batch;
        for k in 0..2 {
            let t0 = Instant::now();
            for t in first..first + batch {
                engaged[k] += run_trial(&variants[k], &mut ws[k], t).engaged as u64;
            }
            times[k].push(t0.elapsed().as_secs_f64());
        }
    }
    assert_eq!(engaged[0], engaged[1], "both orders give the same cascades");
    let mut ratio: Vec<f64> = times[0].iter().zip(&times[1]).map(|(a, b)| a / b).collect();
    ratio.sort_by(f64::total_cmp);
    let q = |v: &[f64], f: f64| v[((v.len() - 1) as f64 * f).round() as usize];
    let per_trial = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        q(v, 0.5) / batch as f64 * 1e6
    };
    let (a, b) = (per_trial(&mut times[0]), per_trial(&mut times[1]));
    println!(
        "scenario '{}': {rounds} rounds of {batch} trials, mean engaged {:.1}",
        s.name,
        engaged[0] as f64 / (rounds as u64 * batch) as f64
    );
    println!(
        "locality order / own id order, time per round: median {:.3} (quartiles {:.3}-{:.3}); median µs per trial {a:.2} vs {b:.2}",
        q(&ratio, 0.5),
        q(&ratio, 0.25),
        q(&ratio, 0.75)
    );
}
