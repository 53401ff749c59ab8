//! Every scenario shipped in `scenarios/` validates and runs (with few
//! trials), writing a complete output folder: summary.json with the metrics
//! contract, the economics section when `[economics]` is given, and the
//! breakdown charts when there is more than one segment or role.
//!
//! Scenarios with more than a million people (`scale_10m.toml`,
//! `country_100m.toml`) are only
//! parsed: generating them takes minutes and gigabytes.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use viralsim::run::{RunSettings, execute};
use viralsim::scenario::Scenario;

const BIG: usize = 1_000_000;
const PNG_MAGIC: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut v: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("scenarios/ exists")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    v.sort();
    v
}

fn is_big(s: &Scenario) -> bool {
    s.graph.nodes().is_some_and(|n| n > BIG)
}

#[test]
fn every_example_scenario_validates_and_runs() {
    let files = scenario_files();
    for name in [
        "default",
        "launch_cities",
        "influencer",
        "employee_advocacy",
        "b2b_trade",
        "reviews",
        "regional_paid",
        "stickiness_study",
    ] {
        assert!(
            files
                .iter()
                .any(|p| p.file_stem().is_some_and(|s| s == name)),
            "scenarios/{name}.toml is missing"
        );
    }
    let out = tempfile::tempdir().expect("temp dir");
    for path in &files {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let s = Scenario::from_file(path).unwrap_or_else(|e| panic!("{file}: {e}"));
        if is_big(&s) {
            eprintln!("{file}: parsed only ({} people)", s.graph.nodes().unwrap());
            continue;
        }
        // `viralsim validate` accepts it.
        Command::new(env!("CARGO_BIN_EXE_viralsim"))
            .arg("validate")
            .arg(path)
            .assert()
            .success();
        let dir = out.path().join(&s.name);
        let set = RunSettings {
            trials: Some(20),
            threads: Some(2),
            ..Default::default()
        };
        let report = execute(&s, &dir, &set).unwrap_or_else(|e| panic!("{file}: {e}"));
        let v: Value =
            serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
        assert_eq!(v["run"]["trials"], 20, "{file}");
        assert_eq!(
            v["precision"]["mode"], "fixed",
            "{file}: --trials overrides"
        );
        for m in [
            "reached",
            "engaged",
            "converted",
            "response_rate",
            "virality",
        ] {
            for f in [
                "mean", "std", "stderr", "ci95", "p5", "p50", "p95", "min", "max",
            ] {
                assert!(v["metrics"][m].get(f).is_some(), "{file}: metrics.{m}.{f}");
            }
        }
        if s.economics.is_some() {
            for m in ["revenue", "cost", "profit"] {
                assert!(v["metrics"][m]["mean"].is_number(), "{file}: metrics.{m}");
            }
            assert!(v["economics"]["bought"]["cost"].is_number(), "{file}");
            assert!(v["economics"]["planned"]["total"].is_number(), "{file}");
        } else {
            assert!(v["economics"].is_null(), "{file}");
        }
        for (png, many) in [
            ("segments.png", report.summary.segments.len() > 1),
            ("roles.png", report.summary.roles.len() > 1),
        ] {
            let p = dir.join(png);
            assert_eq!(p.exists(), many, "{file}: {png}");
            if many {
                let bytes = std::fs::read(&p).unwrap();
                assert!(
                    bytes.starts_with(&PNG_MAGIC) && bytes.len() > 20_000,
                    "{file}: {png}"
                );
            }
        }
    }
}

#[test]
fn the_ten_and_hundred_million_person_scenarios_are_only_parsed() {
    let files = scenario_files();
    let big: Vec<&PathBuf> = files
        .iter()
        .filter(|p| is_big(&Scenario::from_file(p).unwrap()))
        .collect();
    assert_eq!(big.len(), 2, "{big:?}");
    assert!(big[0].ends_with("country_100m.toml"), "{big:?}");
    assert!(big[1].ends_with("scale_10m.toml"), "{big:?}");
    // The country is the 10-million audience at ten times the size, with
    // stickier content (so that it spreads through personal ties).
    let (a, b) = (
        Scenario::from_file(big[0]).unwrap(),
        Scenario::from_file(big[1]).unwrap(),
    );
    assert_eq!(a.graph.nodes(), Some(100_000_000));
    assert_eq!(b.graph.nodes(), Some(10_000_000));
    assert_eq!(a.audience, b.audience);
    assert_eq!((a.content.stickiness, b.content.stickiness), (0.12, 0.08));
    let mut same = b.content.clone();
    same.stickiness = a.content.stickiness;
    assert_eq!(a.content, same);
    // benches/country_10m.toml, the per-edge reference, is the country at
    // 10 million people and nothing else changed.
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let r = Scenario::from_file(&root.join("benches/country_10m.toml")).unwrap();
    assert_eq!(r.graph.nodes(), Some(10_000_000));
    assert_eq!(
        (&r.audience, &r.content, &r.seeding, r.seed, r.trials),
        (&a.audience, &a.content, &a.seeding, a.seed, a.trials)
    );
}

#[test]
fn influencer_and_employee_advocacy_differ_only_in_seeding() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let a = Scenario::from_file(&dir.join("influencer.toml")).unwrap();
    let b = Scenario::from_file(&dir.join("employee_advocacy.toml")).unwrap();
    assert_ne!(a.seeding, b.seeding);
    assert_eq!(
        (
            a.seed,
            a.trials,
            &a.graph,
            &a.audience,
            &a.content,
            &a.economics
        ),
        (
            b.seed,
            b.trials,
            &b.graph,
            &b.audience,
            &b.content,
            &b.economics
        )
    );
    // Same budget, both spent in full by plan.
    let g = a.build_graph().unwrap();
    let cost = |s: &viralsim::scenario::Scenario| {
        let seeding = viralsim::run::resolve_seeding(s, &g).unwrap();
        seeding.plan_cost(s.economics.as_ref().unwrap(), &g)
    };
    let (ca, cb) = (cost(&a), cost(&b));
    assert_eq!(ca.total, a.economics.as_ref().unwrap().budget.unwrap());
    assert!((cb.total - ca.total).abs() < 1e-6);
}
