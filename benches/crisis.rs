//! The crisis kernel against the plain kernel, in core-nanoseconds per
//! examined edge (both cascades' sharers' out-degrees counted), on one
//! thread, alternating batches so that the machine's load hits both alike.
//!
//!     VIRALSIM_BENCH_SCENARIO=target/peer/crisis.toml cargo bench --bench crisis
//!
//! The scenario must have a `[crisis]`; its campaign is the plain cascade
//! compared. `VIRALSIM_BENCH_ROUNDS` (default 15) and
//! `VIRALSIM_BENCH_TRIALS` (per batch, default 300) size it.

use std::path::Path;
use std::time::Instant;
use viralsim::engine::crisis::{CompiledCrisis, CrisisWorkspace, run_crisis_trial};
use viralsim::engine::{Campaign, Workspace, run_trial};
use viralsim::scenario::Scenario;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let Ok(file) = std::env::var("VIRALSIM_BENCH_SCENARIO") else {
        eprintln!("set VIRALSIM_BENCH_SCENARIO to a scenario with a [crisis] table");
        return;
    };
    let s = Scenario::from_file(Path::new(&file)).expect("scenario");
    let crisis = s.crisis.as_ref().expect("the scenario has a [crisis]");
    let g = s.build_graph().expect("graph");
    let campaign = Campaign::new(&s, &g).expect("campaign");
    let plain = campaign.compiled();
    let cc = CompiledCrisis::new(crisis, &g, &s.file).expect("crisis");
    let spec = cc.spec(crisis, s.seed, s.horizon);
    let delay = crisis.response_delays[0];
    let rounds = env("VIRALSIM_BENCH_ROUNDS", 15);
    let trials = env("VIRALSIM_BENCH_TRIALS", 300);
    let mut ws = Workspace::new(g.node_count());
    let mut cws = CrisisWorkspace::new(g.node_count());
    let mut ratios = Vec::new();
    let (mut tp, mut ep, mut tc, mut ec) = (0.0, 0u64, 0.0, 0u64);
    for r in 0..rounds {
        let lo = r * trials;
        let t0 = Instant::now();
        let mut edges = 0u64;
        for t in lo..lo + trials {
            std::hint::black_box(run_trial(&plain, &mut ws, t));
            edges += ws_edges(&ws);
        }
        let plain_ns = t0.elapsed().as_secs_f64() * 1e9 / edges as f64;
        tp += t0.elapsed().as_secs_f64();
        ep += edges;
        let t1 = Instant::now();
        let mut cedges = 0u64;
        for t in lo..lo + trials {
            cedges +=
                std::hint::black_box(run_crisis_trial(&spec, delay, &mut cws, t)).edges_examined;
        }
        let crisis_ns = t1.elapsed().as_secs_f64() * 1e9 / cedges as f64;
        tc += t1.elapsed().as_secs_f64();
        ec += cedges;
        ratios.push(crisis_ns / plain_ns);
        println!(
            "round {r}: plain {plain_ns:.2} ns/edge, crisis {crisis_ns:.2} ns/edge, ratio {:.3}",
            crisis_ns / plain_ns
        );
    }
    ratios.sort_by(f64::total_cmp);
    let q = |p: f64| ratios[((ratios.len() - 1) as f64 * p).round() as usize];
    println!(
        "overall: plain {:.2} ns/edge ({ep} edges), crisis {:.2} ns/edge ({ec} edges); ratio median {:.3} (quartiles {:.3}–{:.3})",
        tp * 1e9 / ep as f64,
        tc * 1e9 / ec as f64,
        q(0.5),
        q(0.25),
        q(0.75)
    );
}

/// Examined edges of the workspace's last trial.
fn ws_edges(ws: &Workspace) -> u64 {
    ws.edges_examined()
}
