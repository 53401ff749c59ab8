//! The command line as a new user meets it: `viralsim run` with no file
//! writes the built-in scenario's results and charts under
//! `output/default/`; `--out`, `--trials` and `--seed` override.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;

const METRICS: [&str; 9] = [
    "reached",
    "engaged",
    "shared",
    "converted",
    "earned_media",
    "depth",
    "structural_virality",
    "time_to_peak",
    "duration",
];
const FIELDS: [&str; 9] = [
    "mean", "std", "stderr", "ci95", "p5", "p50", "p95", "min", "max",
];
const PNG_MAGIC: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

fn viralsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_viralsim"))
}

/// Parses summary.json and checks the metrics contract; returns it.
fn check_summary(dir: &Path) -> Value {
    let bytes = std::fs::read(dir.join("summary.json")).expect("summary.json");
    let v: Value = serde_json::from_slice(&bytes).expect("summary.json is JSON");
    let metrics = v["metrics"].as_object().expect("a metrics object");
    for name in METRICS {
        let m = metrics
            .get(name)
            .unwrap_or_else(|| panic!("metric {name} missing"));
        for f in FIELDS {
            assert!(m.get(f).is_some(), "metrics.{name}.{f} missing");
        }
        let num = |f: &str| {
            m[f].as_f64()
                .unwrap_or_else(|| panic!("metrics.{name}.{f} not a number"))
        };
        let ci = m["ci95"].as_array().expect("ci95 is [lo, hi]");
        assert_eq!(ci.len(), 2, "metrics.{name}.ci95");
        let (lo, hi) = (ci[0].as_f64().unwrap(), ci[1].as_f64().unwrap());
        let (mean, min, max) = (num("mean"), num("min"), num("max"));
        assert!(
            lo <= mean && mean <= hi,
            "metrics.{name}: ci95 excludes mean"
        );
        assert!(
            min <= num("p5")
                && num("p5") <= num("p50")
                && num("p50") <= num("p95")
                && num("p95") <= max,
            "metrics.{name}: quantiles out of order"
        );
        assert!(
            min <= mean && mean <= max,
            "metrics.{name}: mean outside [min, max]"
        );
        assert!(num("std") >= 0.0 && num("stderr") >= 0.0 && num("stderr") <= num("std"));
    }
    v
}

fn check_png(path: &Path) {
    let b = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(b.len() > 1000, "{} is suspiciously small", path.display());
    assert_eq!(b[..8], PNG_MAGIC, "{} is not a PNG", path.display());
    // IHDR: width and height, big-endian, at bytes 16..24
    let w = u32::from_be_bytes(b[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(b[20..24].try_into().unwrap());
    assert!(
        w >= 640 && h >= 400,
        "{}: {w}×{h} too small for a slide",
        path.display()
    );
}

#[test]
fn run_without_file_writes_default_results_and_charts() {
    let work = tempfile::tempdir().unwrap();
    let assert = viralsim()
        .current_dir(work.path())
        .arg("run")
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).to_string();
    let dir = work.path().join("output/default");
    let v = check_summary(&dir);
    assert_eq!(v["run"]["name"], "default");
    let trials = v["run"]["trials"].as_u64().unwrap();
    assert!(trials >= 100);
    // 10 influencer seeds: counts include them
    assert!(v["metrics"]["engaged"]["min"].as_f64().unwrap() >= 10.0);
    let csv = std::fs::read_to_string(dir.join("trials.csv")).unwrap();
    assert_eq!(csv.lines().count() as u64, trials + 1, "trials.csv rows");
    assert!(csv.starts_with("trial,reached,engaged"));
    let ts = std::fs::read_to_string(dir.join("timeseries.csv")).unwrap();
    assert_eq!(
        ts.lines().count() as u64,
        v["time_series"]["steps"].as_u64().unwrap() + 1,
        "timeseries.csv rows"
    );
    for png in ["reach_over_time.png", "cascade_size_ccdf.png", "funnel.png"] {
        check_png(&dir.join(png));
    }
    // no leftovers from atomic writes
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().to_string();
        assert!(!name.contains("partial"), "leftover temporary file {name}");
    }
    // the human summary names the key numbers and the folder
    for word in ["reached", "engaged", "converted", "output/default"] {
        assert!(stdout.contains(word), "stdout lacks {word:?}:\n{stdout}");
    }
}

#[test]
fn out_trials_and_seed_flags_override_the_scenario() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("elsewhere");
    viralsim()
        .current_dir(work.path())
        .args([
            "run",
            "--trials",
            "123",
            "--seed",
            "777",
            "--threads",
            "2",
            "-q",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::is_empty());
    let v = check_summary(&out);
    assert_eq!(v["run"]["trials"], 123);
    assert_eq!(v["run"]["seed"], 777);
    let csv = std::fs::read_to_string(out.join("trials.csv")).unwrap();
    assert_eq!(csv.lines().count(), 124);
    for png in ["reach_over_time.png", "cascade_size_ccdf.png", "funnel.png"] {
        check_png(&out.join(png));
    }
    assert!(!work.path().join("output").exists(), "--out ignored");
}

#[test]
fn no_charts_flag_skips_pngs() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("o");
    viralsim()
        .current_dir(work.path())
        .args(["run", "--trials", "50", "--no-charts", "-q", "--out"])
        .arg(&out)
        .assert()
        .success();
    check_summary(&out);
    assert!(!out.join("funnel.png").exists());
}

#[test]
fn scenario_file_output_goes_to_output_name() {
    let work = tempfile::tempdir().unwrap();
    std::fs::write(
        work.path().join("launch.toml"),
        r#"
name = "my-launch"
seed = 5
trials = 40
[graph]
kind = "erdos_renyi"
nodes = 500
mean_degree = 4.0
[content]
stickiness = 0.2
[seeding]
strategy = "top_degree"
count = 2
"#,
    )
    .unwrap();
    viralsim()
        .current_dir(work.path())
        .args(["run", "launch.toml", "--no-charts", "-q"])
        .assert()
        .success();
    let v = check_summary(&work.path().join("output/my-launch"));
    assert_eq!(v["run"]["trials"], 40);
    assert_eq!(v["run"]["seeds"].as_array().unwrap().len(), 2);
}
