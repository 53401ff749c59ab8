//! report.html as a reader gets it: written by every run, rebuilt byte for
//! byte by `viralsim report DIR`, self-contained (charts embedded, no
//! scripts, no network), every number shown equal to summary.json's value.
//! (The rendering in a real browser is checked by `tests/report/check.sh`.)

use assert_cmd::Command;
use serde_json::Value;
use std::path::Path;
use viralsim::report::{Fmt, base64, format_value};

fn viralsim() -> Command {
    Command::new(env!("CARGO_BIN_EXE_viralsim"))
}

fn run(scenario: &str, out: &Path, extra: &[&str]) {
    viralsim()
        .args(["run", scenario, "--quiet", "--threads", "2", "--out"])
        .arg(out)
        .args(extra)
        .assert()
        .success();
}

/// Every `data-key="…" data-fmt="…">text<` in the page: (pointer, format, text).
fn shown_numbers(html: &str) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("data-key=\"") {
        rest = &rest[i + 10..];
        let key = &rest[..rest.find('"').unwrap()];
        let f = rest.find("data-fmt=\"").unwrap() + 10;
        let fmt = &rest[f..f + rest[f..].find('"').unwrap()];
        let t = rest.find('>').unwrap() + 1;
        let text = &rest[t..t + rest[t..].find('<').unwrap()];
        out.push((key.to_string(), fmt.to_string(), text.to_string()));
    }
    out
}

fn fmt_of(name: &str) -> Fmt {
    match name {
        "count" => Fmt::Count,
        "pct" => Fmt::Pct,
        "real" => Fmt::Real,
        "real4" => Fmt::Real4,
        "money" => Fmt::Money,
        other => panic!("unknown data-fmt {other}"),
    }
}

/// The checks every report must pass; returns the page.
fn check_report(dir: &Path) -> String {
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    let summary: Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "no scripts");
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no network"
    );
    assert!(html.contains("@media print") && html.contains("break-inside: avoid"));
    let name = summary["run"]["name"].as_str().unwrap();
    assert!(html.contains(&format!("<h1>{name}</h1>")));
    let nums = shown_numbers(&html);
    assert!(
        nums.len() > 50,
        "only {} numbers carry a data-key",
        nums.len()
    );
    for (key, fmt, text) in &nums {
        let v = summary
            .pointer(key)
            .unwrap_or_else(|| panic!("{key} is not in summary.json"))
            .as_f64()
            .unwrap_or_else(|| panic!("{key} is not a number"));
        assert_eq!(text, &format_value(v, fmt_of(fmt)), "{key}");
    }
    // The headline reach sentence, as a strategist reads it.
    let m = &summary["metrics"]["reached"];
    let words = format!(
        "A campaign reaches <strong><span class=\"n\" data-key=\"/metrics/reached/mean\" data-fmt=\"count\">{}</span></strong>",
        format_value(m["mean"].as_f64().unwrap(), Fmt::Count)
    );
    assert!(html.contains(&words), "headline missing");
    // Every chart in the folder is embedded, byte for byte.
    for chart in [
        "reach_over_time",
        "funnel",
        "cascade_size_ccdf",
        "segments",
        "crisis_over_time",
        "damage_by_delay",
    ] {
        let p = dir.join(format!("{chart}.png"));
        if p.exists() {
            let uri = format!(
                "data:image/png;base64,{}",
                base64(&std::fs::read(&p).unwrap())
            );
            assert!(html.contains(&uri), "{chart}.png not embedded");
        }
    }
    html
}

#[test]
fn a_run_writes_a_report_that_report_dir_rebuilds_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run("scenarios/default.toml", &out, &["--trials", "200"]);
    let html = check_report(&out);
    assert!(html.contains("Product launch: 20k people"), "description");
    assert!(html.contains("By segment"));
    assert_eq!(html.matches("<img ").count(), 4, "four charts");
    // The scenario's text is kept beside the outputs.
    assert_eq!(
        std::fs::read_to_string(out.join("scenario.toml")).unwrap(),
        std::fs::read_to_string("scenarios/default.toml").unwrap()
    );
    std::fs::remove_file(out.join("report.html")).unwrap();
    viralsim()
        .arg("report")
        .arg(&out)
        .assert()
        .success()
        .stdout(predicates::str::contains("report.html"));
    assert_eq!(
        std::fs::read_to_string(out.join("report.html")).unwrap(),
        html
    );
}

#[test]
fn economics_reach_the_headlines_and_no_charts_is_said() {
    let tmp = tempfile::tempdir().unwrap();
    run("tests/golden/campaign.toml", tmp.path(), &["--no-charts"]);
    let html = check_report(tmp.path());
    assert!(html.contains("data-key=\"/metrics/profit/mean\""));
    assert!(html.contains("data-key=\"/economics/roi_positive/estimate\""));
    assert!(html.contains("--no-charts"));
    assert!(!html.contains("<img "));
}

#[test]
fn a_crisis_run_reports_every_delay_and_what_answering_sooner_saves() {
    let tmp = tempfile::tempdir().unwrap();
    run(
        "scenarios/food_safety_scare.toml",
        tmp.path(),
        &["--trials", "60"],
    );
    let html = check_report(tmp.path());
    let summary: Value =
        serde_json::from_slice(&std::fs::read(tmp.path().join("summary.json")).unwrap()).unwrap();
    assert!(html.contains("If the negative claim goes viral"));
    let delays = summary["crisis"]["delays"].as_array().unwrap();
    assert!(delays.len() > 1);
    for i in 0..delays.len() {
        for k in ["believers", "corrected", "protected", "revenue_lost"] {
            let key = format!("data-key=\"/crisis/delays/{i}/metrics/{k}/mean\"");
            assert!(html.contains(&key), "{key} not shown");
        }
    }
    for i in 0..summary["crisis"]["comparisons"].as_array().unwrap().len() {
        let key = format!("data-key=\"/crisis/comparisons/{i}/purchases_saved_share\"");
        assert!(html.contains(&key), "{key} not shown");
    }
    for chart in ["crisis_over_time", "damage_by_delay"] {
        assert!(
            html.contains(&format!("<figure id=\"{chart}\">")),
            "{chart}"
        );
    }
}

/// Every number carrying a data-key in `dir`'s report equals `json_file`
/// at that pointer; returns the page and the number of numbers checked.
fn check_study_report(dir: &Path, json_file: &str) -> (String, usize) {
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    let doc: Value = serde_json::from_slice(&std::fs::read(dir.join(json_file)).unwrap()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(!html.contains("<script"), "no scripts");
    assert!(!html.contains("http://") && !html.contains("https://"));
    let nums = shown_numbers(&html);
    for (key, fmt, text) in &nums {
        let v = doc
            .pointer(key)
            .unwrap_or_else(|| panic!("{key} is not in {json_file}"))
            .as_f64()
            .unwrap_or_else(|| panic!("{key} is not a number"));
        assert_eq!(text, &format_value(v, fmt_of(fmt)), "{key}");
    }
    // Rebuilt from the folder: the same bytes.
    std::fs::remove_file(dir.join("report.html")).unwrap();
    viralsim().arg("report").arg(dir).assert().success();
    assert_eq!(
        std::fs::read_to_string(dir.join("report.html")).unwrap(),
        html
    );
    (html, nums.len())
}

#[test]
fn sweep_and_compare_write_reports_from_their_own_json() {
    let tmp = tempfile::tempdir().unwrap();
    let sweep = tmp.path().join("sweep");
    viralsim()
        .args([
            "sweep",
            "scenarios/stickiness_study.toml",
            "--trials",
            "300",
        ])
        .args(["--quiet", "--out"])
        .arg(&sweep)
        .assert()
        .success();
    let (html, n) = check_study_report(&sweep, "sweep.json");
    let doc: Value =
        serde_json::from_slice(&std::fs::read(sweep.join("sweep.json")).unwrap()).unwrap();
    let points = doc["points"].as_array().unwrap().len();
    // A row per point with reached and engaged, the theory threshold beside
    // the simulated one, the charts embedded byte for byte.
    assert!(n >= points * 2 * 3, "{n} numbers for {points} points");
    for i in 0..points {
        assert!(html.contains(&format!("data-key=\"/points/{i}/metrics/engaged/mean\"")));
    }
    assert!(html.contains("data-key=\"/theory/threshold\""));
    assert!(html.contains("data-key=\"/theory/estimated_threshold/estimate\""));
    let png = std::fs::read(sweep.join("sweep_engaged.png")).unwrap();
    assert!(html.contains(&format!("data:image/png;base64,{}", base64(&png))));
    assert_eq!(
        std::fs::read_to_string(sweep.join("scenario.toml")).unwrap(),
        std::fs::read_to_string("scenarios/stickiness_study.toml").unwrap()
    );

    let cmp = tmp.path().join("compare");
    viralsim()
        .args([
            "compare",
            "scenarios/influencer.toml",
            "scenarios/employee_advocacy.toml",
        ])
        .args(["--trials", "200", "--quiet", "--out"])
        .arg(&cmp)
        .assert()
        .success();
    let (html, _) = check_study_report(&cmp, "compare.json");
    assert!(html.contains("<h1>influencer vs employee_advocacy</h1>"));
    assert!(html.contains("data-key=\"/metrics/reached/arms/1/versus_first/mean\""));
    assert!(html.contains("data-key=\"/metrics/reached/arms/1/versus_first/variance_reduction\""));
    assert!(html.contains("(paired)"));
    let png = std::fs::read(cmp.join("compare.png")).unwrap();
    assert!(html.contains(&format!("data:image/png;base64,{}", base64(&png))));
}

#[test]
fn report_of_a_folder_without_a_summary_is_an_input_error() {
    let tmp = tempfile::tempdir().unwrap();
    viralsim()
        .arg("report")
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("summary.json"));
    std::fs::write(tmp.path().join("summary.json"), "{\"not\": 1}").unwrap();
    viralsim()
        .arg("report")
        .arg(tmp.path())
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no run.name or metrics"));
}

#[test]
fn svg_charts_keep_text_as_text_in_the_embedded_font_and_change_nothing_else() {
    let tmp = tempfile::tempdir().unwrap();
    let (png, svg, both) = (
        tmp.path().join("png"),
        tmp.path().join("svg"),
        tmp.path().join("both"),
    );
    let args = ["--trials", "100"];
    run("scenarios/default.toml", &png, &args);
    run(
        "scenarios/default.toml",
        &svg,
        &[&args[..], &["--chart-format", "svg"]].concat(),
    );
    run(
        "scenarios/default.toml",
        &both,
        &[&args[..], &["--chart-format", "both"]].concat(),
    );
    let charts = ["reach_over_time", "funnel", "cascade_size_ccdf", "segments"];
    for c in charts {
        assert!(!svg.join(format!("{c}.png")).exists(), "svg only: {c}.png");
        let text = std::fs::read_to_string(svg.join(format!("{c}.svg"))).unwrap();
        assert!(text.starts_with("<svg "), "{c}.svg");
        assert!(text.contains("@font-face{font-family:'DejaVuSansViralsim'"));
        assert!(
            text.contains("src:url(data:font/ttf;base64,AAEAAA"),
            "a TrueType font"
        );
        assert!(
            !text.contains("font-family=\"sans-serif\""),
            "every text in the font"
        );
        assert!(text.contains("\ndefault: "), "the title as text: {c}");
        // The same drawing whichever other format is written beside it.
        assert_eq!(
            text,
            std::fs::read_to_string(both.join(format!("{c}.svg"))).unwrap()
        );
        assert_eq!(
            std::fs::read(png.join(format!("{c}.png"))).unwrap(),
            std::fs::read(both.join(format!("{c}.png"))).unwrap()
        );
    }
    let funnel = std::fs::read_to_string(svg.join("funnel.svg")).unwrap();
    for label in [
        "Reached",
        "Converted",
        "Earned media",
        "(own scale)",
        "Whiskers: 5–95% of trials",
    ] {
        assert!(funnel.contains(label), "funnel.svg lacks {label}");
    }
    for f in ["summary.json", "trials.csv", "timeseries.csv"] {
        let a = std::fs::read(png.join(f)).unwrap();
        assert_eq!(a, std::fs::read(svg.join(f)).unwrap(), "{f}");
        assert_eq!(a, std::fs::read(both.join(f)).unwrap(), "{f}");
    }
    // With SVGs only, the report embeds them.
    let html = check_report(&svg);
    assert_eq!(html.matches("src=\"data:image/svg+xml;base64,").count(), 4);
    // PNGs are preferred when both exist.
    let html = check_report(&both);
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 4);
}

#[test]
fn an_unknown_chart_format_names_the_allowed_ones() {
    viralsim()
        .args(["run", "--chart-format", "pdf", "--quiet"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("allowed: png, svg, both"));
}
