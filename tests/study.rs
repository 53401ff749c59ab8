//! Parameter studies through the binary and the library: every sweep
//! point's `summary.json` equals `viralsim run` of that point's scenario
//! byte for byte; outputs do not depend on the thread count; bad keys and
//! values are named before anything runs; paired differences are narrower
//! than unpaired ones and cover a closed-form difference at about the
//! nominal rate; the configuration-model theory agrees with the simulation
//! at 10^5 people.

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use viralsim::study::{StudySettings, compare};

fn viralsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_viralsim"))
}

const SMALL: &str = r#"
name = "small"
seed = 7
trials = 150
[graph]
kind = "erdos_renyi"
nodes = 400
mean_degree = 5
directed = true
[content]
stickiness = 0.2
[seeding]
strategy = "random"
count = 2
"#;

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

fn json(p: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()
}

#[test]
fn every_point_equals_run_of_its_scenario_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "small.toml", SMALL);
    let out = tmp.path().join("sweep");
    viralsim()
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--no-charts",
            "-q",
            "--threads",
            "2",
        ])
        .args([
            "--set",
            "content.stickiness=0.1:0.3:3",
            "--set",
            "graph.mean_degree=4,6",
        ])
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let sj = json(&out.join("sweep.json"));
    assert_eq!(sj["graphs_built"], 2, "a graph per mean degree");
    let points = sj["points"].as_array().unwrap();
    assert_eq!(points.len(), 6);
    for p in points {
        let dir = out.join(p["dir"].as_str().unwrap());
        let again = tmp.path().join("again");
        viralsim()
            .arg("run")
            .arg(dir.join("scenario.toml"))
            .args(["--no-charts", "-q", "--threads", "1", "--out"])
            .arg(&again)
            .assert()
            .success();
        let a = std::fs::read(dir.join("summary.json")).unwrap();
        let b = std::fs::read(again.join("summary.json")).unwrap();
        assert!(a == b, "point {} differs from its run", p["point"]);
        // sweep.json carries the point's own numbers.
        let s: Value = serde_json::from_slice(&a).unwrap();
        assert_eq!(
            p["metrics"]["reached"]["mean"],
            s["metrics"]["reached"]["mean"]
        );
        assert_eq!(
            p["metrics"]["going_viral"]["mean"],
            s["going_viral"]["estimate"]
        );
    }
    // Tidy CSV: one row per point × metric, axis columns first.
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let header = csv.lines().next().unwrap();
    assert!(header.starts_with("point,content.stickiness,graph.mean_degree,metric,mean,stderr,ci95_low,ci95_high,p5,p50,p95,trials"));
    let per_point = csv.lines().skip(1).filter(|l| l.starts_with("0,")).count();
    assert_eq!(csv.lines().count() - 1, 6 * per_point);
    // Common random numbers: on one graph, reach never falls as σ grows
    // (the same trial's coins, each arc accepting more often).
    let reached = |i: usize| points[i]["metrics"]["reached"]["mean"].as_f64().unwrap();
    assert!(reached(0) <= reached(2) && reached(2) <= reached(4));
}

#[test]
fn sweep_and_compare_do_not_depend_on_the_thread_count() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "small.toml", SMALL);
    let mut outs = Vec::new();
    for threads in ["1", "3"] {
        let out = tmp.path().join(format!("s{threads}"));
        viralsim()
            .args([
                "sweep",
                file.to_str().unwrap(),
                "-q",
                "--no-charts",
                "--threads",
                threads,
            ])
            .args([
                "--set",
                "content.stickiness=0.05:0.25:5",
                "--set",
                "seeding.count=1,3",
            ])
            .arg("--out")
            .arg(&out)
            .assert()
            .success();
        let c = tmp.path().join(format!("c{threads}"));
        viralsim()
            .args([
                "compare",
                file.to_str().unwrap(),
                "-q",
                "--no-charts",
                "--threads",
                threads,
            ])
            .args([
                "--variant",
                "content.stickiness=0.3",
                "--variant",
                "seeding.count=4;content.stickiness=0.1",
            ])
            .arg("--out")
            .arg(&c)
            .assert()
            .success();
        outs.push((out, c));
    }
    for f in ["sweep.csv", "sweep.json"] {
        assert_eq!(
            std::fs::read(outs[0].0.join(f)).unwrap(),
            std::fs::read(outs[1].0.join(f)).unwrap(),
            "{f}"
        );
    }
    for f in ["compare.csv", "compare.json"] {
        assert_eq!(
            std::fs::read(outs[0].1.join(f)).unwrap(),
            std::fs::read(outs[1].1.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn bad_keys_and_values_are_named_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = write(tmp.path(), "small.toml", SMALL);
    for (args, needles) in [
        (
            vec!["--set", "content.stickines=0.1,0.2"],
            vec!["stickines"],
        ),
        (
            vec!["--set", "content.stickiness=0.5,2"],
            vec!["content.stickiness = 2", "stickiness"],
        ),
        (
            vec!["--set", "content.stickiness=0.1:0.2"],
            vec!["--set", "start:stop:count"],
        ),
        (
            vec!["--set", "seeding.count=1,x"],
            vec!["seeding.count = \"x\""],
        ),
        (
            vec!["--set", "content.stickiness.deep=1"],
            vec!["content.stickiness is a number"],
        ),
    ] {
        let out = tmp.path().join("never");
        let a = viralsim()
            .args(["sweep", file.to_str().unwrap(), "-q"])
            .args(&args)
            .arg("--out")
            .arg(&out)
            .assert()
            .code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        for n in needles {
            assert!(err.contains(n), "{args:?}: {err}");
        }
        assert!(!out.exists(), "{args:?}: something ran");
    }
    let a = viralsim()
        .args([
            "compare",
            file.to_str().unwrap(),
            "--variant",
            "content.stickiness=0.1,0.2",
        ])
        .assert()
        .code(2);
    assert!(String::from_utf8_lossy(&a.get_output().stderr).contains("one value"));
}

/// A directed path 0 → 1 → … → 29 seeded at 0: engaged = Σ_{i<30} σ^i in
/// expectation, so the difference between σ = 0.6 and σ = 0.5 is known.
#[test]
fn paired_intervals_are_narrower_and_cover_the_true_difference() {
    let tmp = tempfile::tempdir().unwrap();
    let edges: String = (0..29).map(|i| format!("{i} {}\n", i + 1)).collect();
    write(tmp.path(), "path.txt", &edges);
    let file = write(
        tmp.path(),
        "path.toml",
        r#"
name = "path"
trials = 200
[graph]
kind = "edge_list"
path = "path.txt"
directed = true
[content]
stickiness = 0.5
[seeding]
strategy = "explicit"
nodes = [0]
"#,
    );
    let expect = |s: f64| (0..30).map(|i| s.powi(i)).sum::<f64>();
    let truth = expect(0.6) - expect(0.5);
    let variant = ["content.stickiness=0.6".to_string()];
    let (mut covered, mut narrower, runs) = (0, 0, 200);
    let mut ratio_sum = 0.0;
    for seed in 0..runs {
        let plan =
            compare::ComparePlan::new(std::slice::from_ref(&file), &variant, None, Some(seed))
                .unwrap();
        let out = tmp.path().join("c");
        let r = compare::run(
            &plan,
            &out,
            &StudySettings {
                no_charts: true,
                ..Default::default()
            },
        )
        .unwrap();
        let m = r.metrics.iter().find(|m| m.metric == "engaged").unwrap();
        let d = m.arms[1].versus_first.as_ref().unwrap();
        assert!(d.paired);
        if d.ci95[0] <= truth && truth <= d.ci95[1] {
            covered += 1;
        }
        if d.ci95[1] - d.ci95[0] < d.unpaired_ci95[1] - d.unpaired_ci95[0] {
            narrower += 1;
        }
        ratio_sum += d.variance_reduction.unwrap();
        // P(σ = 0.6 beats 0.5) trial by trial: never lower under CRN.
        assert!(
            d.p_beats + d.p_tie > 0.999,
            "seed {seed}: a trial did worse at higher σ"
        );
    }
    let rate = covered as f64 / runs as f64;
    // 95% nominal; ±3 standard errors of a 200-run binomial.
    assert!((0.90..=0.995).contains(&rate), "coverage {rate}");
    assert_eq!(narrower, runs, "paired intervals narrower every time");
    assert!(
        ratio_sum / (runs as f64) < 0.5,
        "pairing buys little: {}",
        ratio_sum / runs as f64
    );
}

#[test]
fn arms_on_different_graphs_are_compared_unpaired() {
    let tmp = tempfile::tempdir().unwrap();
    let a = write(tmp.path(), "a.toml", SMALL);
    let b = write(
        tmp.path(),
        "b.toml",
        &SMALL.replace("mean_degree = 5", "mean_degree = 6"),
    );
    let out = tmp.path().join("c");
    let o = viralsim()
        .args(["compare", a.to_str().unwrap(), b.to_str().unwrap(), "--out"])
        .arg(&out)
        .assert()
        .success();
    let text = String::from_utf8_lossy(&o.get_output().stdout).to_string();
    assert!(text.contains("UNPAIRED"), "{text}");
    let j = json(&out.join("compare.json"));
    assert_eq!(j["arms"][1]["paired_with_first"], false);
    assert_eq!(
        j["metrics"]["reached"]["arms"][1]["versus_first"]["variance_reduction"],
        Value::Null
    );
    let png = std::fs::read(out.join("compare.png")).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");
}

/// The sweep's theory beside its simulation on 10^5 people: above the
/// threshold the large outbreaks' mean engaged share is within 2.5% of the
/// generating-function prediction, and the estimated threshold's interval
/// covers the theory value.
fn theory_case(name: &str, graph: &str, values: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let text = format!(
        "name = \"{name}\"\nseed = 3\ntrials = 1500\n[graph]\n{graph}\n[content]\nstickiness = 0.1\n[seeding]\nstrategy = \"random\"\ncount = 1\n"
    );
    let file = write(tmp.path(), "t.toml", &text);
    let out = tmp.path().join("s");
    viralsim()
        .args([
            "sweep",
            file.to_str().unwrap(),
            "-q",
            "--no-charts",
            "--set",
        ])
        .arg(format!("content.stickiness={values}"))
        .arg("--out")
        .arg(&out)
        .assert()
        .success();
    let j = json(&out.join("sweep.json"));
    let t = &j["theory"];
    assert!(t.is_object(), "{name}: no theory: {}", j["theory_skipped"]);
    let tc = t["threshold"].as_f64().unwrap();
    let est = &t["estimated_threshold"];
    let (lo, hi) = (
        est["ci95"][0].as_f64().unwrap(),
        est["ci95"][1].as_f64().unwrap(),
    );
    assert!(
        lo <= tc && tc <= hi,
        "{name}: T_c {tc} outside [{lo}, {hi}]"
    );
    let mut checked = 0;
    for p in t["points"].as_array().unwrap() {
        let s = p["predicted"]["engaged_share"].as_f64().unwrap();
        if p["stickiness"].as_f64().unwrap() >= 1.3 * tc {
            let sim = p["large_engaged_share"].as_f64().unwrap();
            assert!(
                (sim - s).abs() <= 0.025 * s,
                "{name}: σ = {}: simulated {sim}, theory {s}",
                p["stickiness"]
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "{name}: {checked} supercritical points");
}

#[test]
fn theory_matches_erdos_renyi() {
    theory_case(
        "er",
        "kind = \"erdos_renyi\"\nnodes = 100000\nmean_degree = 8\ndirected = true",
        "0.02,0.04,0.06,0.08,0.1,0.17,0.2,0.3",
    );
}

#[test]
fn theory_matches_the_configuration_model() {
    theory_case(
        "cm",
        "kind = \"configuration\"\nnodes = 100000\nexponent = 3.0\nmin_degree = 3\nmax_degree = 100",
        "0.02,0.04,0.06,0.08,0.1,0.3,0.4,0.5",
    );
}
