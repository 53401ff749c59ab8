//! Reproducibility through the real binary: the same scenario and seed give
//! byte-identical `summary.json` (and per-trial and time-series CSV) whatever
//! the thread count; another seed gives different results.

use assert_cmd::Command;
use std::path::Path;

/// A scenario exercising every random stream: generated graph and trust,
/// segments, random seeding redrawn per trial, conversion and earned media.
const SCENARIO: &str = r#"
name = "determinism"
seed = 42
trials = 3000
horizon = 25

[graph]
kind = "barabasi_albert"
nodes = 3000
m = 3
trust = { distribution = "beta", alpha = 2.0, beta = 3.0 }

[audience]
segments = [{ name = "a", share = 0.3 }, { name = "b", share = 0.7 }]

[content]
stickiness = 0.08
shareability = 0.7
endorsement = 1.0
conversion = 0.05
ugc = 0.02
resonance = { a = 1.5 }

[seeding]
strategy = "random"
count = 3
"#;

/// Runs `viralsim run file --out dir extra…` and returns the three result files.
fn run(file: &Path, dir: &Path, extra: &[&str]) -> [Vec<u8>; 3] {
    Command::new(env!("CARGO_BIN_EXE_viralsim"))
        .arg("run")
        .arg(file)
        .arg("--out")
        .arg(dir)
        .args(["--no-charts", "-q"])
        .args(extra)
        .assert()
        .success();
    ["summary.json", "trials.csv", "timeseries.csv"]
        .map(|f| std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
}

#[test]
fn same_seed_gives_identical_bytes_for_1_and_2_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("determinism.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let one = run(&file, &tmp.path().join("t1"), &["--threads", "1"]);
    let two = run(&file, &tmp.path().join("t2"), &["--threads", "2"]);
    for (k, name) in ["summary.json", "trials.csv", "timeseries.csv"]
        .iter()
        .enumerate()
    {
        assert!(
            one[k] == two[k],
            "{name} differs between --threads 1 and --threads 2"
        );
    }
    // The summary is a real one: 3000 trials, and cascades vary.
    let v: serde_json::Value = serde_json::from_slice(&one[0]).unwrap();
    assert_eq!(v["run"]["trials"], 3000);
    let e = &v["metrics"]["engaged"];
    assert!(e["max"].as_f64().unwrap() > e["min"].as_f64().unwrap());
    assert_eq!(String::from_utf8_lossy(&one[1]).lines().count(), 3001);
}

#[test]
fn same_seed_gives_identical_bytes_on_repeat() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("determinism.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let a = run(&file, &tmp.path().join("a"), &["--trials", "500"]);
    let b = run(&file, &tmp.path().join("b"), &["--trials", "500"]);
    assert!(a == b, "two identical runs gave different files");
}

#[test]
fn different_seed_gives_different_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("determinism.toml");
    std::fs::write(&file, SCENARIO).unwrap();
    let a = run(&file, &tmp.path().join("s42"), &["--trials", "500"]);
    let b = run(
        &file,
        &tmp.path().join("s43"),
        &["--trials", "500", "--seed", "43"],
    );
    assert!(a[0] != b[0], "summary.json identical for seeds 42 and 43");
    assert!(a[1] != b[1], "trials.csv identical for seeds 42 and 43");
    let va: serde_json::Value = serde_json::from_slice(&a[0]).unwrap();
    let vb: serde_json::Value = serde_json::from_slice(&b[0]).unwrap();
    assert_eq!(vb["run"]["seed"], 43);
    assert_ne!(
        va["metrics"]["engaged"]["mean"], vb["metrics"]["engaged"]["mean"],
        "engaged mean unchanged by the seed"
    );
}

#[test]
fn builtin_default_is_identical_for_1_and_2_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let mut out = Vec::new();
    for t in ["1", "2"] {
        let dir = tmp.path().join(t);
        Command::new(env!("CARGO_BIN_EXE_viralsim"))
            .current_dir(tmp.path())
            .args([
                "run",
                "--trials",
                "400",
                "--no-charts",
                "-q",
                "--threads",
                t,
                "--out",
            ])
            .arg(&dir)
            .assert()
            .success();
        out.push(std::fs::read(dir.join("summary.json")).unwrap());
    }
    assert!(
        out[0] == out[1],
        "built-in scenario: summary.json depends on threads"
    );
}
