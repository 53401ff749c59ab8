//! Times the graph build of a scenario phase by phase: the phases
//! `Scenario::build_graph_in_input_order_with` reports (people, topology,
//! followers, fill, sort, trust), then the total, the arcs and the graph's
//! heap bytes, on stderr. The performance record in benches/README.md uses it:
//!
//! ```text
//! cargo build --release --example buildtime
//! target/release/examples/buildtime scenarios/scale_10m.toml
//! ```

use std::sync::Mutex;
use std::time::Instant;
fn main() {
    let path = std::env::args().nth(1).expect("scenario");
    let sc = viralsim::scenario::Scenario::from_file(std::path::Path::new(&path)).unwrap();
    let t0 = Instant::now();
    let last = Mutex::new((String::new(), Instant::now()));
    let cb = |phase: &str, done: u64, total: u64| {
        if done == 0 {
            let mut l = last.lock().unwrap();
            *l = (phase.to_string(), Instant::now());
        } else if done == total {
            let l = last.lock().unwrap();
            eprintln!("{:>10} {:7.2} s", phase, l.1.elapsed().as_secs_f64());
        }
    };
    let g = sc.build_graph_in_input_order_with(Some(&cb)).unwrap();
    eprintln!(
        "total {:.2} s, {} people, {} arcs, {} heap bytes",
        t0.elapsed().as_secs_f64(),
        g.node_count(),
        g.arc_count(),
        g.heap_bytes()
    );
}
