//! Golden outputs: `summary.json`, `trials.csv` and `timeseries.csv` of
//! small scenarios, pinned byte for byte.
//!
//! The cases cover the lean IC kernel, linear threshold with roles and a
//! follower layer, the full campaign model (segments, roles, tie kinds,
//! geometric delays, novelty decay, paid reach, economics) and every example
//! scenario in `scenarios/` (but the 10-million-person one) at a reduced
//! trial count.
//!
//! When a change is *meant* to change results, re-bless the expected files
//! and commit them with the change, saying why:
//!
//! ```text
//! VIRALSIM_BLESS=1 cargo test --release golden
//! git diff --stat tests/golden/
//! ```

use assert_cmd::Command;
use std::path::{Path, PathBuf};

/// The files pinned for each case.
const PINNED: [&str; 3] = ["summary.json", "trials.csv", "timeseries.csv"];

/// One golden case: a scenario file (relative to the crate) and the trial
/// count to run it with (None: the scenario's own).
struct Case {
    name: &'static str,
    scenario: &'static str,
    trials: Option<u64>,
}

const CASES: &[Case] = &[
    Case {
        name: "ic_plain",
        scenario: "tests/golden/ic_plain.toml",
        trials: None,
    },
    Case {
        name: "lt_roles",
        scenario: "tests/golden/lt_roles.toml",
        trials: None,
    },
    Case {
        name: "campaign",
        scenario: "tests/golden/campaign.toml",
        trials: None,
    },
    Case {
        name: "default",
        scenario: "scenarios/default.toml",
        trials: Some(200),
    },
    Case {
        name: "audience",
        scenario: "scenarios/audience.toml",
        trials: Some(100),
    },
    Case {
        name: "b2b_trade",
        scenario: "scenarios/b2b_trade.toml",
        trials: Some(100),
    },
    Case {
        name: "employee_advocacy",
        scenario: "scenarios/employee_advocacy.toml",
        trials: Some(100),
    },
    Case {
        name: "influencer",
        scenario: "scenarios/influencer.toml",
        trials: Some(100),
    },
    Case {
        name: "launch_cities",
        scenario: "scenarios/launch_cities.toml",
        trials: Some(100),
    },
    Case {
        name: "regional_paid",
        scenario: "scenarios/regional_paid.toml",
        trials: Some(100),
    },
    Case {
        name: "reviews",
        scenario: "scenarios/reviews.toml",
        trials: Some(100),
    },
    Case {
        name: "stickiness_study",
        scenario: "scenarios/stickiness_study.toml",
        trials: Some(300),
    },
];

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn expected_dir(case: &Case) -> PathBuf {
    crate_dir().join("tests/golden/expected").join(case.name)
}

/// Runs one case through the real binary into a fresh folder.
fn produce(case: &Case, out: &Path) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_viralsim"));
    cmd.current_dir(crate_dir())
        .args(["run", case.scenario, "--no-charts", "-q", "--threads", "2"])
        .arg("--out")
        .arg(out);
    if let Some(t) = case.trials {
        cmd.args(["--trials", &t.to_string()]);
    }
    cmd.assert().success();
}

/// The first line on which two texts differ, for the failure message.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (a, b) = (String::from_utf8_lossy(a), String::from_utf8_lossy(b));
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n  expected: {x}\n  got:      {y}", i + 1);
        }
    }
    format!(
        "one is a prefix of the other ({} vs {} lines)",
        a.lines().count(),
        b.lines().count()
    )
}

#[test]
fn golden_outputs_are_byte_identical() {
    let bless = std::env::var_os("VIRALSIM_BLESS").is_some();
    let tmp = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    for case in CASES {
        let out = tmp.path().join(case.name);
        produce(case, &out);
        let want_dir = expected_dir(case);
        for file in PINNED {
            let got = std::fs::read(out.join(file))
                .unwrap_or_else(|e| panic!("{}: {file} not written: {e}", case.name));
            let want_path = want_dir.join(file);
            if bless {
                std::fs::create_dir_all(&want_dir).unwrap();
                std::fs::write(&want_path, &got).unwrap();
                continue;
            }
            match std::fs::read(&want_path) {
                Err(e) => failures.push(format!(
                    "{}/{file}: no expected file ({e}); bless with VIRALSIM_BLESS=1",
                    case.name
                )),
                Ok(want) if want != got => failures.push(format!(
                    "{}/{file} differs from tests/golden/expected: {}",
                    case.name,
                    first_difference(&want, &got)
                )),
                Ok(_) => {}
            }
        }
    }
    assert!(
        failures.is_empty(),
        "golden outputs changed (if intended, re-bless: VIRALSIM_BLESS=1 cargo test --release golden):\n{}",
        failures.join("\n")
    );
}

/// The golden files are what the scenarios produce, not empty placeholders:
/// each summary has the metrics object with its trial count.
#[test]
fn golden_files_hold_real_runs() {
    for case in CASES {
        let text = std::fs::read_to_string(expected_dir(case).join("summary.json"))
            .unwrap_or_else(|e| panic!("{}: {e}", case.name));
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert!(
            v["metrics"]["reached"]["mean"].as_f64().unwrap() > 0.0,
            "{}",
            case.name
        );
        let trials_csv = std::fs::read_to_string(expected_dir(case).join("trials.csv")).unwrap();
        let rows = trials_csv.lines().count() - 1;
        if let Some(t) = case.trials {
            assert_eq!(rows as u64, t, "{}", case.name);
        }
        assert!(rows > 0, "{}", case.name);
    }
}
