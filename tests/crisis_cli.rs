//! The crisis through the real binary: bad `[crisis]` input exits 2 naming
//! the key, the same seed gives byte-identical outputs whatever the thread
//! count, and the example scenarios write the crisis outputs.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn viralsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_viralsim"))
}

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

const BASE: &str = r#"
name = "bad_crisis"
trials = 20
[graph]
kind = "erdos_renyi"
nodes = 200
mean_degree = 4
[audience]
segments = [{ name = "a", share = 0.5 }, { name = "b", share = 0.5 }]
[[audience.roles]]
name = "employee"
count = 10
[[audience.roles]]
name = "journalist"
share = 0.000001               # nobody, in practice
[content]
stickiness = 0.1
[seeding]
strategy = "random"
count = 1
"#;

fn crisis(rules: &str, claim: &str, delay: &str, channels: &str) -> String {
    format!(
        r#"{BASE}
[crisis]
{rules}
[crisis.claim]
{claim}
[crisis.claim.content]
stickiness = 0.2
[crisis.claim.seeding]
strategy = "random"
count = 1
[crisis.correction]
response_delay = {delay}
[crisis.correction.content]
stickiness = 0.2
[crisis.correction.seeding]
{channels}
"#
    )
}

const OK_CHANNELS: &str = "strategy = \"employee_advocacy\"\ncount = 5";

/// Runs `viralsim run` on `text`; returns (exit code, stderr, out dir).
fn run_text(text: &str, extra: &[&str]) -> (Option<i32>, String, tempfile::TempDir) {
    let work = tempfile::tempdir().expect("temp dir");
    let file = work.path().join("s.toml");
    std::fs::write(&file, text).expect("write scenario");
    let out = viralsim()
        .current_dir(work.path())
        .arg("run")
        .arg(&file)
        .arg("--out")
        .arg(work.path().join("out"))
        .args(["-q"])
        .args(extra)
        .output()
        .expect("viralsim starts");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        work,
    )
}

#[test]
fn bad_crisis_input_exits_2_naming_the_key() {
    let cases: Vec<(String, Vec<&str>)> = vec![
        (
            crisis("prioritee = \"claim\"", "", "1", OK_CHANNELS),
            vec!["prioritee"],
        ),
        (crisis("", "begin = 1", "1", OK_CHANNELS), vec!["begin"]),
        (
            crisis("", "", "-1", OK_CHANNELS),
            vec!["[crisis.correction].response_delay", "-1"],
        ),
        (
            crisis("", "", "[0, 2, -3]", OK_CHANNELS),
            vec!["[crisis.correction].response_delay[2]", "-3"],
        ),
        (
            crisis("", "", "[0, \"soon\"]", OK_CHANNELS),
            vec!["response_delay[1]", "never"],
        ),
        (
            crisis("protection = 1.5", "", "1", OK_CHANNELS),
            vec!["[crisis].protection", "1.5"],
        ),
        (
            crisis("uptake = -0.1", "", "1", OK_CHANNELS),
            vec!["[crisis].uptake", "-0.1"],
        ),
        (
            crisis("harm = 2", "", "1", OK_CHANNELS),
            vec!["[crisis].harm"],
        ),
        (
            crisis("base_purchase = { c = 0.1 }", "", "1", OK_CHANNELS),
            vec!["[crisis.base_purchase].c", "no such segment"],
        ),
        (
            crisis("", "start = -2", "1", OK_CHANNELS),
            vec!["[crisis.claim].start", "-2"],
        ),
        (
            crisis(
                "",
                "",
                "1",
                "strategy = \"by_role\"\nrole = \"journalist\"\ncount = 2",
            ),
            vec!["[crisis.correction.seeding]", "journalist", "nobody"],
        ),
        (
            crisis("", "", "1", "strategy = \"by_role\"\nrole = \"pundit\""),
            vec!["[crisis.correction.seeding]", "pundit"],
        ),
    ];
    for (text, needles) in cases {
        let (code, stderr, work) = run_text(&text, &["--no-charts"]);
        assert_eq!(code, Some(2), "{needles:?}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert!(stderr.contains("s.toml"), "names the file: {stderr}");
        for n in &needles {
            assert!(stderr.contains(n), "message lacks {n:?}: {stderr}");
        }
        assert!(!work.path().join("out/summary.json").exists());
    }
    // The claim's content is checked with the [content] rules, named.
    let text = crisis("", "", "1", OK_CHANNELS).replace(
        "[crisis.claim.content]\nstickiness = 0.2",
        "[crisis.claim.content]\nstickiness = 1.2",
    );
    let (code, stderr, _w) = run_text(&text, &["--no-charts"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("[crisis.claim.content].stickiness"),
        "{stderr}"
    );
}

#[test]
fn same_seed_same_bytes_whatever_the_thread_count() {
    let path = example("b2b_rumour.toml");
    let text = std::fs::read_to_string(path).expect("example");
    let text = text.replace("trials = 1000", "trials = 150");
    let (c1, e1, w1) = run_text(&text, &["--threads", "1", "--no-charts"]);
    let (c2, e2, w2) = run_text(&text, &["--threads", "2", "--no-charts"]);
    assert_eq!((c1, c2), (Some(0), Some(0)), "{e1}{e2}");
    for f in ["summary.json", "trials.csv", "timeseries.csv"] {
        let a = std::fs::read(w1.path().join("out").join(f)).expect("output");
        let b = std::fs::read(w2.path().join("out").join(f)).expect("output");
        assert!(a == b, "{f} differs between 1 and 2 threads");
    }
}

#[test]
fn examples_write_the_crisis_outputs() {
    for (name, delays) in [("food_safety_scare.toml", 5), ("b2b_rumour.toml", 3)] {
        let text = std::fs::read_to_string(example(name)).expect("example");
        let text = text
            .replace("trials = 400", "trials = 60")
            .replace("trials = 1000", "trials = 60");
        let (code, stderr, work) = run_text(&text, &[]);
        assert_eq!(code, Some(0), "{name}: {stderr}");
        let out = work.path().join("out");
        for f in ["crisis_over_time.png", "damage_by_delay.png"] {
            assert!(out.join(f).exists(), "{name}: {f}");
        }
        let s: serde_json::Value =
            serde_json::from_slice(&std::fs::read(out.join("summary.json")).expect("summary"))
                .expect("json");
        let c = &s["crisis"];
        assert_eq!(c["delays"].as_array().map(Vec::len), Some(delays), "{name}");
        assert_eq!(c["reference"], "never");
        let never = &c["delays"][delays - 1]["metrics"];
        let first = &c["delays"][0]["metrics"];
        for key in ["believers", "revenue_lost", "protected", "claim_reached"] {
            for q in [
                "mean", "std", "stderr", "ci95", "p5", "p50", "p95", "min", "max",
            ] {
                assert!(!first[key][q].is_null(), "{name}: {key}.{q}");
            }
        }
        assert!(
            first["revenue_lost"]["mean"].as_f64() < never["revenue_lost"]["mean"].as_f64(),
            "{name}: answering first loses less"
        );
        let header = std::fs::read_to_string(out.join("trials.csv")).expect("csv");
        assert!(
            header
                .lines()
                .next()
                .unwrap_or("")
                .contains("crisis.never.believers")
        );
        let ts = std::fs::read_to_string(out.join("timeseries.csv")).expect("csv");
        assert!(
            ts.lines()
                .next()
                .unwrap_or("")
                .contains("crisis_believers_p95")
        );
    }
}
