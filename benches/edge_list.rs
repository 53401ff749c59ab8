//! Reading a numeric edge list of 10^7 arcs: the line-by-line reader
//! (`read_edge_list_serial`, the reader before chunked parsing) against
//! the chunked one (`read_edge_list_with`) on one thread and on all of the
//! rayon pool, alternately, one read each per round, so that the machine's
//! load hits all alike. Prints each variant's median time and the median of
//! the per-round time ratios.
//!
//!     cargo bench --bench edge_list
//!
//! The file, `u v trust` lines with trust as viralsim writes it (shortest
//! decimal of an `f32`), 10^6 people with 10 arcs each in shuffled order,
//! is generated once into `target/bench-edges/` (about 230 MB; never
//! committed). `VIRALSIM_BENCH_ROUNDS` (default 5) sets the rounds,
//! `VIRALSIM_BENCH_GZIP=1` also reads a gzip copy (generated once too), and
//! `VIRALSIM_BENCH_ONLY=serial|one|all|none` makes one read of one variant
//! (`none`: only the setup), for instruction counts with `perf stat` or
//! `valgrind --tool=cachegrind`, on `VIRALSIM_BENCH_FILE` when set. Not
//! a criterion bench: criterion measures one variant after the other, and
//! on a shared machine the load moves more between them than that.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use viralsim::graph::io::{EdgeList, EdgeListOptions, read_edge_list_serial, read_edge_list_with};

/// One way of reading the file.
type Reader<'a> = dyn Fn(&Path) -> EdgeList + 'a;

const PEOPLE: u64 = 1_000_000;
const PER_PERSON: u64 = 10;

fn env_or(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A 64-bit mix (splitmix64's finaliser).
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// Writes the file (to a temporary name first, so an interrupted run does
/// not leave half a file).
fn generate(path: &Path, gzip: bool) {
    let tmp = path.with_extension("part");
    let f = std::fs::File::create(&tmp).expect("the bench file can be created");
    let mut w: Box<dyn Write> = if gzip {
        Box::new(flate2::write::GzEncoder::new(
            std::io::BufWriter::with_capacity(1 << 20, f),
            flate2::Compression::fast(),
        ))
    } else {
        Box::new(std::io::BufWriter::with_capacity(1 << 20, f))
    };
    writeln!(w, "# bench: {PEOPLE} people, {} arcs", PEOPLE * PER_PERSON).unwrap();
    let arcs = PEOPLE * PER_PERSON;
    // 7_777_777 is prime to 10^7: line i holds pair (i * 7_777_777) mod 10^7.
    for i in 0..arcs {
        let j = (i * 7_777_777) % arcs;
        let (u, k) = (j / PER_PERSON, j % PER_PERSON);
        let offset = 1 + (mix(u) % 1000 + k * 97_711) % (PEOPLE - 1);
        let v = (u + offset) % PEOPLE;
        let trust = (mix(j ^ 0x5eed) >> 40) as f32 / (1u64 << 24) as f32;
        writeln!(w, "{u} {v} {trust}").unwrap();
    }
    w.flush().unwrap();
    drop(w);
    std::fs::rename(&tmp, path).unwrap();
}

fn file(dir: &Path, gzip: bool) -> PathBuf {
    let path = dir.join(if gzip {
        "edges_1e7.txt.gz"
    } else {
        "edges_1e7.txt"
    });
    if !path.exists() {
        eprintln!("generating {}", path.display());
        generate(&path, gzip);
    }
    path
}

fn same(a: &EdgeList, b: &EdgeList) {
    assert_eq!(a.nodes, b.nodes);
    assert_eq!(a.arcs.len(), b.arcs.len());
    assert!(
        a.arcs
            .iter()
            .zip(&b.arcs)
            .all(|(x, y)| (x.0, x.1, x.2.to_bits(), x.3) == (y.0, y.1, y.2.to_bits(), y.3)),
        "the readers agree"
    );
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    let dir = target.join("bench-edges");
    std::fs::create_dir_all(&dir).unwrap();
    let opts = EdgeListOptions::new(true);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let threads = rayon::current_num_threads();
    let serial = |p: &Path| read_edge_list_serial(p, &opts).unwrap();
    let on_one = |p: &Path| one.install(|| read_edge_list_with(p, &opts).unwrap());
    let on_all = |p: &Path| read_edge_list_with(p, &opts).unwrap();
    let variants: [(&str, &Reader); 3] = [("serial", &serial), ("one", &on_one), ("all", &on_all)];
    if let Ok(only) = std::env::var("VIRALSIM_BENCH_ONLY") {
        let path = std::env::var_os("VIRALSIM_BENCH_FILE")
            .map_or_else(|| file(&dir, false), PathBuf::from);
        if let Some((_, read)) = variants.iter().find(|v| v.0 == only) {
            let t0 = Instant::now();
            let el = read(&path);
            println!(
                "{only}: {} arcs in {:.3} s",
                el.arcs.len(),
                t0.elapsed().as_secs_f64()
            );
        }
        return;
    }
    let rounds = env_or("VIRALSIM_BENCH_ROUNDS", 5).max(1) as usize;
    let mut files = vec![("plain", file(&dir, false))];
    if std::env::var_os("VIRALSIM_BENCH_GZIP").is_some() {
        files.push(("gzip", file(&dir, true)));
    }
    for (what, path) in &files {
        let bytes = std::fs::metadata(path).unwrap().len();
        let mut times = [Vec::new(), Vec::new(), Vec::new()];
        let mut first: Option<EdgeList> = None;
        for _ in 0..rounds {
            for (k, (_, read)) in variants.iter().enumerate() {
                let t0 = Instant::now();
                let el = read(path);
                times[k].push(t0.elapsed().as_secs_f64());
                match &first {
                    Some(f) => same(f, &el),
                    None => first = Some(el),
                }
            }
        }
        let ratio = |k: usize| {
            let mut r: Vec<f64> = times[0].iter().zip(&times[k]).map(|(a, b)| a / b).collect();
            median(&mut r)
        };
        let (r1, r2) = (ratio(1), ratio(2));
        let arcs = first.as_ref().map_or(0, |e| e.arcs.len());
        println!(
            "{what} file, {arcs} arcs, {bytes} bytes, {rounds} rounds; median seconds: serial {:.3}, chunked on 1 thread {:.3}, on {threads} threads {:.3}",
            median(&mut times[0]),
            median(&mut times[1]),
            median(&mut times[2]),
        );
        println!(
            "  serial ÷ chunked, median of per-round ratios: 1 thread {r1:.2}×, {threads} threads {r2:.2}×"
        );
    }
}
