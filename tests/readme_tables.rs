//! The influencer-against-employee-advocacy table in scenarios/README.md is
//! what `viralsim run` gives on the two scenarios at the current commit:
//! this test recomputes it and compares. `VIRALSIM_BLESS=1` rewrites the
//! table in the README instead (after a change meant to move results).
//! The last test holds README.md's compare table to what `viralsim compare`
//! prints.

use std::path::Path;
use viralsim::metrics::{Proportion, Stat, Summary};
use viralsim::run::{RunSettings, simulate};
use viralsim::scenario::Scenario;

fn summary(file: &str) -> Summary {
    let s = Scenario::from_file(&Path::new(env!("CARGO_MANIFEST_DIR")).join(file)).unwrap();
    let g = s.build_graph().unwrap();
    simulate(&s, &g, &RunSettings::default()).unwrap().0
}

/// Thousands separators, `decimals` decimals, a true minus sign.
fn num(x: f64, decimals: usize) -> String {
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(a, b)| (a, b));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    if x < 0.0 && s.chars().any(|c| c.is_ascii_digit() && c != '0') {
        format!("−{out}")
    } else {
        out
    }
}

fn stat(s: &Stat, d: usize, scale: f64, unit: &str, sign: bool) -> String {
    let ci = s.ci95.expect("2,000 trials");
    let m = scale * s.mean;
    let plus = if sign && m > 0.0 { "+" } else { "" };
    format!(
        "{plus}{}{unit} [{}, {}]",
        num(m, d),
        num(scale * ci[0], d),
        num(scale * ci[1], d)
    )
}

fn prop(p: &Proportion) -> String {
    format!(
        "{} [{}, {}]",
        num(p.estimate, 4),
        num(p.ci95[0], 4),
        num(p.ci95[1], 4)
    )
}

/// A table row: its label and how to format one scenario's cell.
type Row = (&'static str, fn(&Summary) -> String);

fn table(a: &Summary, b: &Summary) -> String {
    let rows: [Row; 7] = [
        ("reached", |s| {
            stat(&s.metrics["reached"], 0, 1.0, "", false)
        }),
        ("engaged", |s| {
            stat(&s.metrics["engaged"], 1, 1.0, "", false)
        }),
        ("converted", |s| {
            stat(&s.metrics["converted"], 2, 1.0, "", false)
        }),
        ("earned media", |s| {
            stat(&s.metrics["earned_media"], 2, 1.0, "", false)
        }),
        ("virality (shared ÷ reached)", |s| {
            stat(&s.metrics["virality"], 2, 100.0, "%", false)
        }),
        ("ROI", |s| stat(&s.metrics["roi"], 1, 100.0, "%", true)),
        ("P(ROI > 0)", |s| {
            prop(s.economics.as_ref().unwrap().roi_positive.as_ref().unwrap())
        }),
    ];
    let mut t = String::from(
        "| | influencer (10 bloggers) | employee advocacy (400 employees) |\n|---|---|---|\n",
    );
    for (name, f) in rows {
        t.push_str(&format!("| {name} | {} | {} |\n", f(a), f(b)));
    }
    t
}

#[test]
fn influencer_against_employee_table_is_reproducible() {
    let fresh = table(
        &summary("scenarios/influencer.toml"),
        &summary("scenarios/employee_advocacy.toml"),
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme
        .find("| | influencer (10 bloggers)")
        .expect("the comparison table");
    let end = start
        + readme[start..]
            .find("\n\n")
            .expect("a blank line after the table")
        + 1;
    let current = &readme[start..end];
    if std::env::var_os("VIRALSIM_BLESS").is_some() {
        std::fs::write(
            &path,
            format!("{}{fresh}{}", &readme[..start], &readme[end..]),
        )
        .unwrap();
        return;
    }
    assert_eq!(
        current, fresh,
        "scenarios/README.md's comparison table is not what the scenarios give; \
         rerun with VIRALSIM_BLESS=1 to rewrite it:\n{fresh}"
    );
}

/// The B − A table in README.md's "Studies" section is the `viralsim
/// compare` table of the two scenarios at the current commit: each of its
/// rows equals that metric's row of the printed table (arms named A and B).
#[test]
fn readme_compare_table_is_what_compare_prints() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::new(env!("CARGO_BIN_EXE_viralsim"))
        .current_dir(root)
        .args([
            "compare",
            "scenarios/influencer.toml",
            "scenarios/employee_advocacy.toml",
        ])
        .args(["--no-charts", "--out"])
        .arg(tmp.path().join("cmp"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let start = readme
        .find("| metric | A | B | B − A |")
        .expect("the README's compare table");
    let table = &readme[start..start + readme[start..].find("\n\n").unwrap()];
    let mut rows = 0;
    for line in table.lines().skip(2) {
        let metric = line.split('|').nth(1).unwrap().trim();
        let fresh = printed
            .lines()
            .find(|l| l.split('|').nth(1).map(str::trim) == Some(metric))
            .unwrap_or_else(|| panic!("compare prints no row {metric}:\n{printed}"));
        assert_eq!(
            line, fresh,
            "README.md's compare row for {metric} is not what `viralsim compare` prints now"
        );
        rows += 1;
    }
    assert!(rows >= 4, "{rows} rows");
}
