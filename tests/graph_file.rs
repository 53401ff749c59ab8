//! Binary graph files (`.vsg`): round trips keep every array, ids and
//! labels; a scenario that loads a generated graph's file runs exactly as
//! the generating scenario; `graph convert` of an edge list (plain or
//! compressed) gives the graph that reading the edge list gives; damage,
//! truncation, other versions, undeclared names and the memory guard are
//! refused with exit code 2 naming the file.

use assert_cmd::Command;
use std::path::Path;
use viralsim::graph::binary;
use viralsim::scenario::Scenario;

fn viralsim() -> Command {
    Command::cargo_bin("viralsim").unwrap()
}

/// A generated audience with segments, roles, several tie kinds and a
/// follower layer.
const SCENARIO: &str = r#"
name = "vsg"
seed = 11
trials = 60
horizon = 20
[graph]
kind = "stochastic_block"
nodes = 3000
mean_degree = 8
homophily = 0.7
[audience]
segments = [{ name = "north", share = 0.6 }, { name = "south", share = 0.4 }]
[[audience.roles]]
name = "employee"
count = 40
[[audience.roles]]
name = "blogger"
share = 0.01
followers = 60
[[audience.tie_kinds]]
name = "family"
within = 1.0
between = 0.2
trust = { distribution = "beta", alpha = 8.0, beta = 2.0 }
[[audience.tie_kinds]]
name = "friend"
trust = { distribution = "uniform", low = 0.3, high = 0.9 }
[[audience.tie_kinds]]
name = "follower"
trust = { distribution = "fixed", value = 0.25 }
[content]
stickiness = 0.12
endorsement = 1.0
conversion = 0.05
[content.resonance]
north = 1.2
south = 0.9
[seeding]
plans = [{ strategy = "by_role", role = "blogger", count = 3 }, { strategy = "random", count = 2 }]
"#;

/// The scenario with its `[graph]` table replaced by `graph`.
fn with_graph(graph: &str) -> String {
    let a = SCENARIO.find("[graph]").unwrap();
    let b = SCENARIO.find("[audience]").unwrap();
    format!("{}{graph}\n{}", &SCENARIO[..a], &SCENARIO[b..])
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

#[test]
fn a_generated_graph_runs_the_same_from_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let gen_toml = write(dir.path(), "gen.toml", SCENARIO);
    viralsim()
        .args([
            "graph",
            "generate",
            "--format",
            "binary",
            "--no-chart",
            "-q",
            "--out",
        ])
        .arg(dir.path().join("g"))
        .arg(&gen_toml)
        .assert()
        .success();
    let file = dir.path().join("g/graph.vsg");
    assert!(!dir.path().join("g/edges.txt").exists(), "binary only");
    // The file holds the graph the scenario builds, array for array.
    let s = Scenario::from_file(&gen_toml).unwrap();
    let built = s.build_graph_in_input_order_with(None).unwrap();
    let loaded = binary::read(&file).unwrap();
    assert_eq!(loaded, built);
    assert!(built.vocabulary().kinds.len() == 3 && built.arc_count() > 20_000);

    let load_toml = write(
        dir.path(),
        "load.toml",
        &with_graph("[graph]\nkind = \"graph_file\"\npath = \"g/graph.vsg\"\n"),
    );
    for (toml, out) in [(&gen_toml, "o1"), (&load_toml, "o2")] {
        viralsim()
            .args(["run", "--no-charts", "-q", "--out"])
            .arg(dir.path().join(out))
            .arg(toml)
            .assert()
            .success();
    }
    let read = |p: &str| std::fs::read(dir.path().join(p)).unwrap();
    assert_eq!(read("o1/trials.csv"), read("o2/trials.csv"));
    assert_eq!(read("o1/timeseries.csv"), read("o2/timeseries.csv"));
    let results = |p: &str| {
        let mut v: serde_json::Value = serde_json::from_slice(&read(p)).unwrap();
        v.as_object_mut().unwrap().remove("scenario");
        v
    };
    assert_eq!(results("o1/summary.json"), results("o2/summary.json"));
}

#[test]
fn convert_keeps_labels_segments_roles_and_trust() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    // A labelled, SNAP-style, gzip-compressed edge list with trust and kind
    // columns, and an attribute file.
    let mut text = String::from("# who talks to whom\n");
    for u in 0..200u32 {
        for d in [1u32, 3, 17] {
            let v = (u + d) % 200;
            text.push_str(&format!(
                "p{u}\tp{v}\t0.{}\t{}\n",
                (u * 7 + d) % 10,
                ["family", "friend"][(d % 2) as usize]
            ));
        }
    }
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(text.as_bytes()).unwrap();
    std::fs::write(dir.path().join("e.txt.gz"), e.finish().unwrap()).unwrap();
    let mut nodes = String::from("id,segment,role\n");
    for u in 0..200 {
        nodes.push_str(&format!(
            "p{u},{},{}\n",
            ["north", "south"][u % 2],
            if u % 50 == 0 { "blogger" } else { "public" }
        ));
    }
    write(dir.path(), "n.csv", &nodes);
    viralsim()
        .current_dir(dir.path())
        .args([
            "graph", "convert", "e.txt.gz", "e.vsg", "--nodes", "n.csv", "-q",
        ])
        .assert()
        .success();
    let g = binary::read(&dir.path().join("e.vsg")).unwrap();
    assert_eq!((g.node_count(), g.arc_count()), (200, 1200));
    let labels = g.labels().expect("labels kept");
    let p17 = labels.iter().position(|l| l == "p17").unwrap() as u32;
    let p18 = labels.iter().position(|l| l == "p18").unwrap() as u32;
    let r = g.arc_range(p17);
    let at = r
        .clone()
        .find(|&a| g.targets()[a] == p18)
        .expect("p17 → p18");
    assert!(
        (g.trust_at(at) - 0.0).abs() < 1e-6,
        "trust 0.{}",
        (17 * 7 + 1) % 10
    );
    assert_eq!(g.vocabulary().kinds[g.kinds()[at] as usize], "friend");
    assert_eq!(
        g.vocabulary().segments[g.segments()[p17 as usize] as usize],
        "south"
    );
    let blogger = g
        .vocabulary()
        .roles
        .iter()
        .position(|r| r == "blogger")
        .unwrap();
    assert_eq!(
        g.roles().iter().filter(|&&r| r as usize == blogger).count(),
        4
    );
    // `graph stats` of the file and of the edge list agree.
    let stats = |args: &[&str]| {
        let out = viralsim()
            .current_dir(dir.path())
            .args(["graph", "stats", "--json"])
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    assert_eq!(
        stats(&["e.vsg"]),
        stats(&["e.txt.gz", "--nodes", "n.csv", "--labels"])
    );
    // A scenario loads it, seeding people by label.
    let toml = format!(
        "{}{}",
        "name = \"c\"\ntrials = 20\n[graph]\nkind = \"graph_file\"\npath = \"e.vsg\"\n[audience]\nsegments = [{ name = \"north\", share = 0.5 }, { name = \"south\", share = 0.5 }]\n[[audience.roles]]\nname = \"blogger\"\n[[audience.tie_kinds]]\nname = \"family\"\n[[audience.tie_kinds]]\nname = \"friend\"\n",
        "[content]\nstickiness = 0.3\n[seeding]\nstrategy = \"explicit\"\nnodes = [\"p17\", \"p150\"]\n"
    );
    write(dir.path(), "c.toml", &toml);
    viralsim()
        .current_dir(dir.path())
        .args(["validate", "c.toml"])
        .assert()
        .success()
        .stdout(predicates::str::contains("200 people, 1200 arcs"));
}

/// Runs `viralsim validate` on a scenario loading `file`; returns the exit
/// code and stderr.
fn validate(dir: &Path, file: &str, env: Option<(&str, &str)>, force: bool) -> (i32, String) {
    let toml = write(
        dir,
        "v.toml",
        &with_graph(&format!(
            "[graph]\nkind = \"graph_file\"\npath = \"{file}\"\n"
        )),
    );
    let mut c = viralsim();
    c.arg("validate").arg(&toml);
    if force {
        c.arg("--force");
    }
    if let Some((k, v)) = env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bad_graph_files_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = Scenario::from_toml(SCENARIO, "s.toml", dir.path(), "s").unwrap();
    let g = s.build_graph_in_input_order_with(None).unwrap();
    let good_path = dir.path().join("good.vsg");
    binary::write(&g, &good_path).unwrap();
    let good = std::fs::read(&good_path).unwrap();
    assert_eq!(validate(dir.path(), "good.vsg", None, false).0, 0);

    let mut flipped = good.clone();
    let at = good.len() * 3 / 4;
    flipped[at] ^= 1;
    let mut version = good.clone();
    version[8] = 3;
    let cases: [(&str, Vec<u8>, &str); 5] = [
        (
            "flipped.vsg",
            flipped,
            "is damaged (its checksum does not match)",
        ),
        (
            "short.vsg",
            good[..good.len() / 2].to_vec(),
            "it is truncated",
        ),
        (
            "version.vsg",
            version,
            "format version 3; this viralsim reads versions 1 to 2",
        ),
        (
            "text.vsg",
            b"0 1\n1 2\n2 0\n".to_vec(),
            "not a viralsim graph file",
        ),
        ("header.vsg", good[..40].to_vec(), "too short"),
    ];
    for (name, bytes, want) in cases {
        std::fs::write(dir.path().join(name), bytes).unwrap();
        let (code, err) = validate(dir.path(), name, None, false);
        assert_eq!(code, 2, "{name}: {err}");
        assert!(err.contains(name) && err.contains(want), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
    }
    let (code, err) = validate(dir.path(), "absent.vsg", None, false);
    assert_eq!(code, 2);
    assert!(
        err.contains("[graph].path") && err.contains("absent.vsg"),
        "{err}"
    );

    // Names the scenario does not declare.
    let toml = write(
        dir.path(),
        "bare.toml",
        "[graph]\nkind = \"graph_file\"\npath = \"good.vsg\"\n[content]\nstickiness = 0.1\n[seeding]\nstrategy = \"random\"\ncount = 1\n",
    );
    let out = viralsim().arg("validate").arg(&toml).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        err.contains("good.vsg")
            && err.contains("\"north\", \"south\"")
            && err.contains("[audience].segments"),
        "{err}"
    );
}

#[test]
fn the_memory_guard_stops_a_load_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let s = Scenario::from_toml(SCENARIO, "s.toml", dir.path(), "s").unwrap();
    let g = s.build_graph_in_input_order_with(None).unwrap();
    binary::write(&g, &dir.path().join("g.vsg")).unwrap();
    let need = viralsim::input::graph_bytes(g.node_count() as u64, g.arc_count() as u64);
    // Enough for the scenario file, not for the graph.
    let avail = (need / 2).to_string();
    let (code, err) = validate(
        dir.path(),
        "g.vsg",
        Some(("VIRALSIM_MEMORY_AVAILABLE", &avail)),
        false,
    );
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("graph file")
            && err.contains("g.vsg")
            && err.contains(&format!(
                "{} people, {} arcs",
                g.node_count(),
                g.arc_count()
            ))
            && err.contains("--force"),
        "{err}"
    );
    let (code, err) = validate(
        dir.path(),
        "g.vsg",
        Some(("VIRALSIM_MEMORY_AVAILABLE", &avail)),
        true,
    );
    assert_eq!(code, 0, "{err}");
    // The same guard before generating, with the keys that drive it.
    let big = write(
        dir.path(),
        "big.toml",
        &SCENARIO.replace("nodes = 3000", "nodes = 30_000_000"),
    );
    let out = viralsim()
        .arg("validate")
        .arg(&big)
        .env("VIRALSIM_MEMORY_AVAILABLE", "1000000000")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("[graph].nodes = 30000000") && err.contains("--force"),
        "{err}"
    );
}
