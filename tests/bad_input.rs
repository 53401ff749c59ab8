//! Bad input through the real binary: every kind of bad scenario, edge list
//! or flag exits with code 2 and one message on stderr that names the file
//! (or flag) and the key or line at fault; nothing panics, and `run` leaves
//! no `summary.json` behind. Fixtures: `tests/fixtures/{valid,invalid,
//! malformed,missing}/`.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel)
}

fn viralsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_viralsim"))
}

/// Runs `viralsim args…` in a fresh working directory and checks the
/// bad-input contract; `needles` must all appear in the one message.
fn check_rejected(args: &[&str], needles: &[&str]) {
    let work = tempfile::tempdir().expect("temp dir");
    let out_dir = work.path().join("out");
    let mut cmd = viralsim();
    cmd.current_dir(work.path()).args(args);
    if args[0] == "run" {
        cmd.arg("--out").arg(&out_dir).args(["--no-charts", "-q"]);
    }
    let out = cmd.output().expect("viralsim starts");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let what = format!("viralsim {args:?}\nstderr: {stderr}\nstdout: {stdout}");
    assert_eq!(out.status.code(), Some(2), "exit code: {what}");
    assert!(!stderr.contains("panicked"), "panic: {what}");
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "expected exactly one message: {what}");
    for n in needles {
        assert!(stderr.contains(n), "message lacks {n:?}: {what}");
    }
    assert!(
        !out_dir.join("summary.json").exists(),
        "a summary.json was left behind: {what}"
    );
    assert!(
        !work.path().join("output").exists(),
        "an output folder was created: {what}"
    );
}

/// Both `validate` and `run` reject the fixture with the same message parts.
fn check_fixture_rejected(rel: &str, needles: &[&str]) {
    let path = fixture(rel);
    let p = path.to_str().expect("utf-8 path");
    check_rejected(&["validate", p], needles);
    check_rejected(&["run", p], needles);
}

// ------------------------------------------------------------------- valid

#[test]
fn validate_accepts_valid_edge_list_scenario() {
    viralsim()
        .arg("validate")
        .arg(fixture("valid/valid.toml"))
        .assert()
        .success()
        .stdout(predicates::str::contains("ok"))
        .stdout(predicates::str::contains("6 people"));
}

#[test]
fn validate_accepts_valid_generated_scenario() {
    viralsim()
        .arg("validate")
        .arg(fixture("valid/generated.toml"))
        .assert()
        .success()
        .stdout(predicates::str::contains("200 people"));
}

#[test]
fn run_valid_fixture_writes_summary() {
    let work = tempfile::tempdir().unwrap();
    let out = work.path().join("res");
    viralsim()
        .current_dir(work.path())
        .arg("run")
        .arg(fixture("valid/valid.toml"))
        .arg("--out")
        .arg(&out)
        .args(["--no-charts", "-q"])
        .assert()
        .success();
    assert!(out.join("summary.json").exists());
}

// --------------------------------------------------------- malformed TOML

#[test]
fn malformed_toml_names_file_and_line() {
    check_fixture_rejected("malformed/bad_toml.toml", &["bad_toml.toml", "line 10"]);
}

// ---------------------------------------------------------- unknown keys

#[test]
fn unknown_top_level_key_is_named() {
    check_fixture_rejected(
        "invalid/unknown_top_key.toml",
        &["unknown_top_key.toml", "colour"],
    );
}

#[test]
fn unknown_content_key_is_named() {
    check_fixture_rejected(
        "invalid/unknown_content_key.toml",
        &["unknown_content_key.toml", "virality"],
    );
}

// ------------------------------------------------------ values out of range

#[test]
fn stickiness_above_one_is_rejected() {
    check_fixture_rejected(
        "invalid/stickiness_too_big.toml",
        &["stickiness_too_big.toml", "stickiness", "1.5"],
    );
}

#[test]
fn zero_trials_in_file_is_rejected() {
    check_fixture_rejected("invalid/trials_zero.toml", &["trials_zero.toml", "trials"]);
}

#[test]
fn negative_trials_in_file_is_rejected() {
    check_fixture_rejected(
        "invalid/negative_trials.toml",
        &["negative_trials.toml", "trials"],
    );
}

#[test]
fn barabasi_albert_m_zero_is_rejected() {
    check_fixture_rejected("invalid/m_zero.toml", &["m_zero.toml", "[graph].m"]);
}

#[test]
fn trust_distribution_outside_unit_interval_is_rejected() {
    check_fixture_rejected(
        "invalid/trust_too_big.toml",
        &["trust_too_big.toml", "trust"],
    );
}

#[test]
fn explicit_seed_beyond_graph_is_rejected() {
    check_fixture_rejected(
        "invalid/seed_not_in_graph.toml",
        &["seed_not_in_graph.toml", "[seeding].nodes", "99"],
    );
}

// ------------------------------------------------------------ absurd sizes

#[test]
fn absurd_node_count_is_rejected() {
    check_fixture_rejected(
        "invalid/absurd_nodes.toml",
        &["absurd_nodes.toml", "[graph].nodes"],
    );
}

#[test]
fn absurd_trial_count_is_rejected() {
    check_fixture_rejected(
        "invalid/absurd_trials.toml",
        &["absurd_trials.toml", "trials"],
    );
}

#[test]
fn absurd_person_id_in_edge_list_is_rejected() {
    check_fixture_rejected("malformed/huge_id.toml", &["huge_id.txt", "line 2"]);
}

// ------------------------------------------------------------- edge lists

#[test]
fn malformed_edge_list_line_is_named() {
    check_fixture_rejected(
        "malformed/edge_line.toml",
        &["edge_line.txt", "line 3", "missing target"],
    );
}

#[test]
fn non_integer_id_in_index_mode_edge_list_is_named() {
    check_fixture_rejected(
        "malformed/non_integer_id.toml",
        &["non_integer_id.txt", "line 3", "'x'"],
    );
}

#[test]
fn edge_list_self_loop_is_named() {
    check_fixture_rejected(
        "malformed/self_loop.toml",
        &["self_loop.txt", "line 3", "self-loop"],
    );
}

#[test]
fn edge_list_duplicate_tie_names_both_lines() {
    check_fixture_rejected(
        "malformed/duplicate_tie.toml",
        &["duplicate_tie.txt", "line 4", "line 1", "duplicate"],
    );
}

#[test]
fn edge_list_trust_outside_unit_interval_is_named() {
    check_fixture_rejected(
        "malformed/bad_trust.toml",
        &["bad_trust.txt", "line 2", "trust"],
    );
}

// ----------------------------------------------------------------- missing

#[test]
fn missing_edge_list_file_is_named() {
    check_fixture_rejected("missing/missing_edge_list.toml", &["no_such_edges.txt"]);
}

#[test]
fn missing_scenario_file_is_named() {
    check_fixture_rejected("missing/no_such_scenario.toml", &["no_such_scenario.toml"]);
}

// ------------------------------------------------------------------ flags

#[test]
fn zero_threads_flag_is_rejected() {
    let p = fixture("valid/generated.toml");
    check_rejected(
        &["run", p.to_str().unwrap(), "--threads", "0"],
        &["--threads"],
    );
}

#[test]
fn zero_trials_flag_is_rejected() {
    let p = fixture("valid/generated.toml");
    check_rejected(
        &["run", p.to_str().unwrap(), "--trials", "0"],
        &["--trials"],
    );
}

#[test]
fn absurd_trials_flag_is_rejected() {
    let p = fixture("valid/generated.toml");
    check_rejected(
        &["run", p.to_str().unwrap(), "--trials", "1000000000000"],
        &["--trials"],
    );
}

#[test]
fn zero_threads_flag_is_rejected_for_builtin_scenario() {
    check_rejected(&["run", "--threads", "0"], &["--threads"]);
}
