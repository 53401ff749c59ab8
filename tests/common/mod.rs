//! Helpers shared by the integration tests that compare with the peer
//! library (`../shared/peers/peer_ic.py`, cynetdiff).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The peer script, beside the repository.
pub fn peer_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/peers/peer_ic.py")
}

/// Whether the peer can run; otherwise why not.
pub fn peer_available() -> Result<(), String> {
    let script = peer_script();
    if !script.exists() {
        return Err(format!("peer script {} not found", script.display()));
    }
    match Command::new("python3")
        .args(["-c", "import cynetdiff, numpy"])
        .output()
    {
        Err(e) => Err(format!("python3 cannot be started: {e}")),
        Ok(o) if !o.status.success() => Err(format!(
            "python3 cannot import cynetdiff and numpy (pip install cynetdiff numpy): {}",
            String::from_utf8_lossy(&o.stderr).trim()
        )),
        Ok(_) => Ok(()),
    }
}

/// True when the peer test should run. When the peer is missing it fails
/// under CI (which installs it) and otherwise prints a notice.
pub fn peer_ready(what: &str) -> bool {
    match peer_available() {
        Ok(()) => true,
        Err(why) => {
            if std::env::var_os("CI").is_some() {
                panic!("{what} cannot run in CI: {why}");
            }
            eprintln!("NOTICE: skipping {what}: {why}");
            false
        }
    }
}

/// Runs the peer script; returns its last stdout line as JSON.
pub fn peer(args: &[&str]) -> Value {
    let out = Command::new("python3")
        .arg(peer_script())
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "peer_ic.py {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8 output");
    let line = stdout
        .lines()
        .rfind(|l| l.trim_start().starts_with('{'))
        .unwrap_or_else(|| panic!("no JSON from peer_ic.py {args:?}: {stdout}"));
    serde_json::from_str(line).unwrap_or_else(|e| panic!("bad JSON {line:?}: {e}"))
}

/// Writes a peer graph with `peer_ic.py make-graph --out path [extra…]` and
/// returns its 10 largest out-degree people as a comma-separated seed list.
pub fn make_peer_graph(path: &Path, extra: &[&str]) -> String {
    let mut args = vec!["make-graph"];
    args.extend_from_slice(extra);
    args.extend(["--out", path.to_str().expect("utf-8 path")]);
    let made = peer(&args);
    let seeds: Vec<String> = made["top_out_degree_nodes"]
        .as_array()
        .expect("top_out_degree_nodes")
        .iter()
        .map(|v| v.as_u64().expect("node id").to_string())
        .collect();
    assert_eq!(seeds.len(), 10);
    seeds.join(",")
}
