//! Sharded runs (`run --shard K/N`, `merge`): the merged folder is the
//! single run's, byte for byte, for any number of shards, any order of the
//! parts and shards run as separate processes (through GNU parallel too);
//! broken sets of parts exit 2 and write nothing; output folders are
//! checked before simulating, replaced whole, and Ctrl-C leaves nothing.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_viralsim"))
}

fn crate_path(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("viralsim starts")
}

fn ok(cmd: &mut Command) {
    let out = run(cmd);
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Exit code 2, the message; asserts nothing went to stdout.
fn fails_with_2(cmd: &mut Command) -> String {
    let out = run(cmd);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{cmd:?}: {err}");
    assert!(!err.contains("panicked"), "{err}");
    err
}

/// The files a run writes, but run.json (this machine's threads and times).
const COMPARED: [&str; 10] = [
    "summary.json",
    "report.html",
    "scenario.toml",
    "trials.csv",
    "timeseries.csv",
    "reach_over_time.png",
    "cascade_size_ccdf.png",
    "funnel.png",
    "segments.png",
    "roles.png",
];

/// Every file of `a` (but run.json) is in `b` with the same bytes, and the
/// folders hold the same names.
fn assert_same_outputs(a: &Path, b: &Path, what: &str) {
    let names = |d: &Path| {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    assert_eq!(names(a), names(b), "{what}: files");
    let mut compared = 0;
    for f in COMPARED {
        let pa = a.join(f);
        if !pa.exists() {
            continue;
        }
        let (x, y) = (
            std::fs::read(&pa).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(
            x == y,
            "{what}: {f} differs ({} vs {} bytes)",
            x.len(),
            y.len()
        );
        compared += 1;
    }
    assert!(compared >= 6, "{what}: only {compared} files compared");
}

fn whole_run(scenario: &Path, out: &Path, extra: &[&str]) {
    ok(bin()
        .arg("run")
        .arg(scenario)
        .arg("--out")
        .arg(out)
        .args(["-q", "--threads", "2"])
        .args(extra));
}

fn shard(scenario: &Path, k: u64, n: u64, parts: &Path, extra: &[&str]) -> PathBuf {
    ok(bin()
        .arg("run")
        .arg(scenario)
        .arg("--shard")
        .arg(format!("{k}/{n}"))
        .arg("--out")
        .arg(parts)
        .args(["-q", "--threads", "1"])
        .args(extra));
    let name = viralsim::shard::part_file_name(
        &stem_name(scenario),
        &viralsim::shard::PartOf::Shard(viralsim::shard::Shard { index: k, count: n }),
    );
    let p = parts.join(name);
    assert!(p.exists(), "{} was not written", p.display());
    p
}

/// The scenario's `name`.
fn stem_name(scenario: &Path) -> String {
    viralsim::scenario::Scenario::from_file(scenario)
        .unwrap()
        .name
}

#[test]
fn merged_shards_are_byte_identical_to_one_run_for_1_2_3_7_and_16_shards() {
    let dir = tempfile::tempdir().unwrap();
    // IC, LT with roles and followers, and the full campaign model
    // (segments, roles, tie kinds, delays, paid reach, economics); trial
    // counts that 7 and 16 do not divide.
    for (scenario, trials) in [
        ("tests/golden/ic_plain.toml", "301"),
        ("tests/golden/lt_roles.toml", "250"),
        ("tests/golden/campaign.toml", "300"),
    ] {
        let s = crate_path(scenario);
        let tag = stem_name(&s);
        let whole = dir.path().join(format!("{tag}-whole"));
        whole_run(&s, &whole, &["--trials", trials]);
        for n in [1u64, 2, 3, 7, 16] {
            let parts = dir.path().join(format!("{tag}-parts-{n}"));
            for k in 0..n {
                shard(&s, k, n, &parts, &["--trials", trials]);
            }
            let merged = dir.path().join(format!("{tag}-merged-{n}"));
            ok(bin().arg("merge").arg(&merged).arg(&parts).arg("-q"));
            assert_same_outputs(&whole, &merged, &format!("{scenario}, {n} shards"));
        }
    }
}

#[test]
fn part_order_does_not_matter_and_a_rerun_shard_is_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let s = crate_path("tests/golden/campaign.toml");
    let whole = dir.path().join("whole");
    whole_run(&s, &whole, &[]);
    let parts = dir.path().join("parts");
    let files: Vec<PathBuf> = (0..5).map(|k| shard(&s, k, 5, &parts, &[])).collect();
    let before = std::fs::read(&files[2]).unwrap();
    // A scheduler's retry: same bytes, and nothing else left in the folder.
    shard(&s, 2, 5, &parts, &["--no-charts"]);
    assert_eq!(std::fs::read(&files[2]).unwrap(), before);
    assert_eq!(std::fs::read_dir(&parts).unwrap().count(), 5);
    for (i, order) in [[4, 2, 0, 3, 1], [1, 0, 4, 3, 2], [3, 4, 2, 1, 0]]
        .iter()
        .enumerate()
    {
        let merged = dir.path().join(format!("merged-{i}"));
        let mut cmd = bin();
        cmd.arg("merge").arg(&merged).arg("-q");
        for &k in order {
            cmd.arg(&files[k]);
        }
        ok(&mut cmd);
        assert_same_outputs(&whole, &merged, &format!("order {order:?}"));
    }
}

#[test]
fn trial_ranges_merge_like_shards() {
    let dir = tempfile::tempdir().unwrap();
    let s = crate_path("tests/golden/ic_plain.toml");
    let whole = dir.path().join("whole");
    whole_run(&s, &whole, &["--trials", "100"]);
    let parts = dir.path().join("parts");
    for r in ["0..13", "13..14", "14..100"] {
        ok(bin()
            .arg("run")
            .arg(&s)
            .args(["--trials", "100", "--trials-range", r, "-q", "--out"])
            .arg(&parts));
    }
    let merged = dir.path().join("merged");
    ok(bin().arg("merge").arg(&merged).arg(&parts).arg("-q"));
    assert_same_outputs(&whole, &merged, "trial ranges");
}

/// No folder named `out` and no temporary folder or file beside it.
fn nothing_written(parent: &Path, out: &str) {
    for e in std::fs::read_dir(parent).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(name != out, "{out} was written");
        assert!(!name.contains(".partial"), "{name} left behind");
    }
}

#[test]
fn broken_sets_of_parts_exit_2_name_the_files_and_ranges_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = crate_path("tests/golden/ic_plain.toml");
    let parts = d.join("parts");
    let files: Vec<PathBuf> = (0..4)
        .map(|k| shard(&s, k, 4, &parts, &["--trials", "200"]))
        .collect();
    let name = |p: &PathBuf| p.display().to_string();
    let merge = |list: &[PathBuf]| {
        let mut c = bin();
        c.arg("merge").arg(d.join("out")).args(list);
        c
    };
    // A shard missing: its trials and the fix are named.
    let e = fails_with_2(&mut merge(&[
        files[0].clone(),
        files[2].clone(),
        files[3].clone(),
    ]));
    assert!(e.contains("trials 50..100 are missing"), "{e}");
    assert!(
        e.contains("--shard 1/4") && e.contains(&name(&files[0])),
        "{e}"
    );
    // The last one missing.
    let e = fails_with_2(&mut merge(&files[..3]));
    assert!(
        e.contains("trials 150..200 are missing") && e.contains("--shard 3/4"),
        "{e}"
    );
    nothing_written(d, "out");
    // A shard given twice (a copy under another name).
    let copy = d.join("copy.vspart");
    std::fs::copy(&files[1], &copy).unwrap();
    let mut with_copy = files.clone();
    with_copy.push(copy.clone());
    let e = fails_with_2(&mut merge(&with_copy));
    assert!(
        e.contains("trials 50..100 are in both") && e.contains(&name(&copy)),
        "{e}"
    );
    // Overlapping ranges of another split.
    let other = d.join("other");
    ok(bin()
        .arg("run")
        .arg(&s)
        .args(["--trials", "200", "--trials-range", "40..60", "-q", "--out"])
        .arg(&other));
    let mut overlapping = files.clone();
    overlapping.push(other.join("ic_plain.trials-40-60.vspart"));
    let e = fails_with_2(&mut merge(&overlapping));
    assert!(e.contains("trials 40..50 are in both"), "{e}");
    assert!(e.contains("trials 50..60 are in both"), "{e}");
    // A part of another seed, and of another trial count.
    let foreign = d.join("foreign");
    shard(&s, 1, 4, &foreign, &["--trials", "200", "--seed", "99"]);
    let mut mixed = files.clone();
    mixed[1] = foreign.join(files[1].file_name().unwrap());
    let e = fails_with_2(&mut merge(&mixed));
    assert!(
        e.contains("another scenario or seed") && e.contains(&name(&mixed[1])),
        "{e}"
    );
    let longer = d.join("longer");
    shard(&s, 1, 4, &longer, &["--trials", "400"]);
    mixed[1] = longer.join(files[1].file_name().unwrap());
    let e = fails_with_2(&mut merge(&mixed));
    assert!(e.contains("a run of 400 trials, not 200"), "{e}");
    // Truncated, bit-flipped, empty and not a part at all: the file is named.
    let bytes = std::fs::read(&files[2]).unwrap();
    let bad = d.join("bad.vspart");
    for (how, data) in [
        ("truncated", bytes[..bytes.len() - 100].to_vec()),
        ("half", bytes[..bytes.len() / 2].to_vec()),
        ("flipped", {
            let mut b = bytes.clone();
            b[bytes.len() / 2] ^= 0x10;
            b
        }),
        ("flipped header", {
            let mut b = bytes.clone();
            b[30] ^= 0x01;
            b
        }),
        ("empty", Vec::new()),
        ("text", b"trial,reached\n0,1\n".to_vec()),
    ] {
        std::fs::write(&bad, &data).unwrap();
        let mut list = files.clone();
        list[2] = bad.clone();
        let e = fails_with_2(&mut merge(&list));
        assert!(
            e.contains(&format!("part file '{}'", name(&bad))),
            "{how}: {e}"
        );
        nothing_written(d, "out");
    }
    // A failed merge leaves the previous complete run as it was.
    ok(bin().arg("merge").arg(d.join("out")).arg(&parts).arg("-q"));
    let summary = std::fs::read(d.join("out/summary.json")).unwrap();
    let count = || std::fs::read_dir(d.join("out")).unwrap().count();
    let files_before = count();
    assert!(files_before >= 7, "{files_before} files");
    let e = fails_with_2(&mut merge(&files[1..]));
    assert!(e.contains("trials 0..50 are missing"), "{e}");
    assert_eq!(std::fs::read(d.join("out/summary.json")).unwrap(), summary);
    assert_eq!(count(), files_before);
    // A folder without parts.
    std::fs::create_dir(d.join("none")).unwrap();
    let e = fails_with_2(bin().arg("merge").arg(d.join("o2")).arg(d.join("none")));
    assert!(e.contains("no part files"), "{e}");
}

#[test]
fn shard_flags_refuse_what_cannot_be_split() {
    let dir = tempfile::tempdir().unwrap();
    let s = crate_path("tests/golden/ic_plain.toml");
    let parts = dir.path().join("p");
    let auto = dir.path().join("auto.toml");
    let text = std::fs::read_to_string(&s)
        .unwrap()
        .replace("trials = 400", "trials = \"auto\"");
    assert!(text.contains("\"auto\""));
    std::fs::write(&auto, text).unwrap();
    let e = fails_with_2(
        bin()
            .arg("run")
            .arg(&auto)
            .args(["--shard", "0/4", "--out"])
            .arg(&parts),
    );
    assert!(
        e.contains("trials = \"auto\"") && e.contains("--trials N"),
        "{e}"
    );
    // --trials fixes it.
    ok(bin()
        .arg("run")
        .arg(&auto)
        .args(["--trials", "40", "--shard", "0/4", "-q", "--out"])
        .arg(&parts));
    for (flag, value, says) in [
        ("--shard", "4/4", "0 ≤ K < N"),
        ("--shard", "0/500", "at most 400 shards"),
        (
            "--trials-range",
            "390..401",
            "goes past the run's 400 trials",
        ),
        ("--trials-range", "9..3", "A < B"),
    ] {
        let e = fails_with_2(
            bin()
                .arg("run")
                .arg(&s)
                .args([flag, value, "--out"])
                .arg(&parts),
        );
        assert!(e.contains(flag) && e.contains(says), "{flag} {value}: {e}");
    }
}

#[test]
fn output_folders_are_checked_before_simulating_and_replaced_whole() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = crate_path("tests/golden/campaign.toml");
    // A folder holding someone else's file is refused, untouched.
    let theirs = d.join("theirs");
    std::fs::create_dir(&theirs).unwrap();
    std::fs::write(theirs.join("notes.txt"), "mine").unwrap();
    let e = fails_with_2(bin().arg("run").arg(&s).arg("--out").arg(&theirs));
    assert!(e.contains("notes.txt") && e.contains("--out"), "{e}");
    assert_eq!(
        std::fs::read_to_string(theirs.join("notes.txt")).unwrap(),
        "mine"
    );
    // An output folder that cannot be made fails at once, before 10^8
    // trials (minutes) are simulated.
    std::fs::write(d.join("file"), "").unwrap();
    let t = std::time::Instant::now();
    let out = run(bin()
        .arg("run")
        .arg(&s)
        .args(["--trials", "100000000", "--out"])
        .arg(d.join("file/out")));
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("file"));
    assert!(t.elapsed().as_secs() < 20, "took {:?}", t.elapsed());
    // A second run replaces the first whole: with --no-charts no chart of
    // the first stays behind, and no temporary folder is left.
    let out_dir = d.join("out");
    whole_run(&s, &out_dir, &[]);
    assert!(out_dir.join("funnel.png").exists());
    whole_run(&s, &out_dir, &["--no-charts", "--trials", "50"]);
    let mut names: Vec<String> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "report.html",
            "run.json",
            "scenario.toml",
            "summary.json",
            "timeseries.csv",
            "trials.csv"
        ]
    );
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["run"]["trials"], 50);
    nothing_written(d, "none");
}

#[cfg(unix)]
#[test]
fn ctrl_c_stops_within_a_second_exits_130_and_leaves_the_previous_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = crate_path("tests/golden/campaign.toml");
    let out_dir = d.join("out");
    whole_run(&s, &out_dir, &["--no-charts"]);
    let before = std::fs::read(out_dir.join("summary.json")).unwrap();
    for args in [
        vec!["--out", "OUT"],
        vec!["--shard", "1/2", "--out", "PARTS"],
    ] {
        let args: Vec<String> = args
            .iter()
            .map(|a| match *a {
                "OUT" => out_dir.display().to_string(),
                "PARTS" => d.join("parts").display().to_string(),
                x => x.to_string(),
            })
            .collect();
        let mut child = bin()
            .arg("run")
            .arg(&s)
            .args(["--trials", "100000000", "-q"])
            .args(&args)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(1500));
        assert!(child.try_wait().unwrap().is_none(), "finished too soon");
        let sent = std::time::Instant::now();
        ok(Command::new("kill").args(["-INT", &child.id().to_string()]));
        let status = child.wait().unwrap();
        let took = sent.elapsed();
        assert_eq!(status.code(), Some(130), "{args:?}");
        assert!(took.as_secs_f64() < 1.5, "{args:?}: stopped after {took:?}");
    }
    assert_eq!(std::fs::read(out_dir.join("summary.json")).unwrap(), before);
    assert_eq!(std::fs::read_dir(d.join("parts")).unwrap().count(), 0);
    nothing_written(d, "none");
}

/// Whether GNU parallel runs; under CI (which installs it) it must.
fn parallel_ready() -> bool {
    let found = Command::new("parallel")
        .args(["--will-cite", "--version"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        assert!(
            std::env::var_os("CI").is_none(),
            "GNU parallel is missing in CI (.ci/run installs it)"
        );
        eprintln!("GNU parallel not installed: skipping (apt-get install parallel)");
    }
    found
}

#[test]
fn four_shards_through_gnu_parallel_merge_to_the_single_run() {
    if !parallel_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = crate_path("tests/golden/campaign.toml");
    let whole = d.join("whole");
    whole_run(&s, &whole, &[]);
    // The README's recipe with this host as the only login (`:`), 4 jobs
    // on it: one process per shard.
    let out = run(Command::new("parallel")
        .current_dir(d)
        .args(["--will-cite", "--halt", "now,fail=1"])
        .args(["--sshlogin", "4/:", "--workdir", "."])
        .arg(format!(
            "{} run {} --shard {{}}/4 --out parts -q --threads 1",
            env!("CARGO_BIN_EXE_viralsim"),
            s.display()
        ))
        .args([":::", "0", "1", "2", "3"]));
    assert!(
        out.status.success(),
        "parallel: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(std::fs::read_dir(d.join("parts")).unwrap().count(), 4);
    ok(bin()
        .current_dir(d)
        .args(["merge", "merged", "parts", "-q"]));
    assert_same_outputs(&whole, &d.join("merged"), "GNU parallel, 4 shards");
}
