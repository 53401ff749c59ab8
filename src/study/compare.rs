//! `viralsim compare`: arms (scenario files, or variants of one file) run
//! with the same master seed, each metric's mean per arm and the **paired
//! difference** against the first arm. When two arms build the same graph
//! with the same seed, trial `i` of each draws the same random numbers
//! (the same random seeds, the same coin flips where the arms agree), so
//! the difference is computed trial by trial: its interval comes from the
//! per-trial differences, P(B beats A) is the share of trials where B did
//! better, and the variance-reduction factor Var(B − A) ÷ (Var A + Var B)
//! says how much pairing bought (1: nothing; small: a lot). Arms on
//! different graphs are compared unpaired, and the output says so.

use super::overrides::{Source, parse_spec};
use super::sweep::{graph_groups, rows_of, run_group, same_graph, write_point};
use super::{Row, StudySettings, viral_indicator};
use crate::error::{Error, Result};
use crate::export;
use crate::metrics::{MetricTable, Proportion, Show, Stat};
use crate::scenario::Scenario;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Value;

/// One arm.
#[derive(Debug, Clone)]
pub struct Arm {
    /// How the arm is named in tables (its file's stem, or its variant).
    pub label: String,
    /// The validated scenario.
    pub scenario: Scenario,
    /// Its TOML text (written as the arm's `scenario.toml`).
    pub text: String,
}

/// Validated arms, the first being the reference.
#[derive(Debug, Clone)]
pub struct ComparePlan {
    /// The arms, in order.
    pub arms: Vec<Arm>,
}

fn parse_variant(arg: &str) -> Result<Vec<(String, Value)>> {
    let flag = "--variant";
    arg.split(';')
        .map(|part| {
            let (k, v) = part.split_once('=').ok_or_else(|| {
                Error::param(
                    flag,
                    format!("{part:?} has no '='; allowed: KEY=VALUE[;KEY=VALUE…], e.g. seeding.count=20"),
                )
            })?;
            let k = k.trim();
            super::overrides::check_key(flag, k)?;
            let mut values = parse_spec(flag, k, v, false)?;
            if values.len() != 1 {
                return Err(Error::param(
                    flag,
                    format!("{k}={v}: a variant sets one value (a sweep takes ranges and lists)"),
                ));
            }
            Ok((k.to_string(), values.remove(0)))
        })
        .collect()
}

impl ComparePlan {
    /// Arms from scenario files (two or more), or from one file and
    /// `variants` (`KEY=VALUE[;KEY=VALUE…]` each, the file itself being the
    /// first arm); `trials` and `seed` are put into every arm.
    ///
    /// # Errors
    /// [`Error::Parameter`] or [`Error::Scenario`] naming the file, key and
    /// value at fault, before anything runs.
    pub fn new(
        files: &[PathBuf],
        variants: &[String],
        trials: Option<u64>,
        seed: Option<u64>,
    ) -> Result<ComparePlan> {
        let extra = super::run_overrides(trials, seed)?;
        let mut arms = Vec::new();
        match (files.len(), variants.is_empty()) {
            (0, _) => return Err(Error::param("compare", "no scenario file given")),
            (1, true) => {
                return Err(Error::param(
                    "compare",
                    "one arm only: give two or more scenario files, or one file and --variant KEY=VALUE",
                ));
            }
            (1, false) => {
                let src = Source::read(&files[0])?;
                let (scenario, text) = src.scenario("--variant", &extra)?;
                arms.push(Arm {
                    label: src.stem.clone(),
                    scenario,
                    text,
                });
                for v in variants {
                    let mut ov = parse_variant(v)?;
                    ov.extend(extra.iter().cloned());
                    let (scenario, text) = src.scenario("--variant", &ov)?;
                    arms.push(Arm {
                        label: v.clone(),
                        scenario,
                        text,
                    });
                }
            }
            (_, false) => {
                return Err(Error::param(
                    "--variant",
                    "variants are of one scenario file; give one file with --variant, or several files",
                ));
            }
            _ => {
                for f in files {
                    let src = Source::read(f)?;
                    let (scenario, text) = src.scenario("--variant", &extra)?;
                    arms.push(Arm {
                        label: src.stem.clone(),
                        scenario,
                        text,
                    });
                }
            }
        }
        for a in &arms {
            super::need_two_trials(&a.scenario, "comparison")?;
        }
        Ok(ComparePlan { arms })
    }
}

/// One arm's result for one metric, with its difference against the first arm.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ArmMetric {
    /// The arm's label.
    pub arm: String,
    /// Mean, interval and quantiles over its trials.
    pub mean: f64,
    /// 95% interval of the mean.
    pub ci95: [f64; 2],
    /// Trials.
    pub trials: u64,
    /// The difference against the first arm (None for the first arm).
    pub versus_first: Option<Difference>,
}

/// This arm minus the first, for one metric.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Difference {
    /// Whether trials were paired (same graph and seed).
    pub paired: bool,
    /// Trials the difference is computed over (paired: those both ran).
    pub trials: u64,
    /// Mean of this arm minus mean of the first.
    pub mean: f64,
    /// 95% interval: from per-trial differences when paired, else from the
    /// two arms' variances (Welch, normal).
    pub ci95: [f64; 2],
    /// The unpaired interval, for reference.
    pub unpaired_ci95: [f64; 2],
    /// Probability that this arm beats the first in a campaign: paired,
    /// the share of trials where it did better; unpaired, over all pairs
    /// of independent campaigns.
    pub p_beats: f64,
    /// Wilson 95% interval of `p_beats` (unpaired: over min(n_A, n_B)).
    pub p_beats_ci95: [f64; 2],
    /// Share of paired trials with equal values (unpaired: of pairs).
    pub p_tie: f64,
    /// Var(this − first) ÷ (Var this + Var first) over the paired trials
    /// (None when unpaired).
    pub variance_reduction: Option<f64>,
}

/// A metric across the arms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MetricComparison {
    /// Metric name (`going_viral`: P(reach ≥ the viral threshold)).
    pub metric: String,
    /// Words for people.
    pub label: String,
    /// Whether the printed table shows it.
    #[serde(skip)]
    pub shown: bool,
    /// Per arm, in order.
    pub arms: Vec<ArmMetric>,
}

/// What a comparison produced.
#[derive(Debug)]
pub struct CompareReport {
    /// The arms' labels.
    pub labels: Vec<String>,
    /// For each arm, whether it is paired with the first.
    pub paired: Vec<bool>,
    /// Per metric.
    pub metrics: Vec<MetricComparison>,
    /// Graphs built.
    pub graphs_built: usize,
    /// The output folder.
    pub out_dir: PathBuf,
}

/// The per-trial difference statistics of `b` against `a`.
pub fn difference(a: &[f64], b: &[f64], paired: bool) -> Difference {
    let (sa, sb) = (Stat::of(a), Stat::of(b));
    let z = 1.959964;
    let mean_unpaired = sb.mean - sa.mean;
    let (ea, eb) = (sa.stderr.unwrap_or(f64::NAN), sb.stderr.unwrap_or(f64::NAN));
    let half_u = z * (ea * ea + eb * eb).sqrt();
    let unpaired_ci95 = [mean_unpaired - half_u, mean_unpaired + half_u];
    if paired {
        let n = a.len().min(b.len());
        let d: Vec<f64> = (0..n).map(|i| b[i] - a[i]).collect();
        let sd = Stat::of(&d);
        let var = |xs: &[f64]| Stat::of(xs).std.map_or(f64::NAN, |s| s * s);
        let (va, vb) = (var(&a[..n]), var(&b[..n]));
        let wins = d.iter().filter(|&&x| x > 0.0).count() as u64;
        let ties = d.iter().filter(|&&x| x == 0.0).count();
        let p = Proportion::of(wins, n as u64);
        Difference {
            paired,
            trials: n as u64,
            mean: sd.mean,
            ci95: super::some_interval(sd.ci95),
            unpaired_ci95,
            p_beats: p.estimate,
            p_beats_ci95: p.ci95,
            p_tie: ties as f64 / n.max(1) as f64,
            variance_reduction: (va + vb > 0.0).then(|| var(&d) / (va + vb)),
        }
    } else {
        // P(B > A) over independent pairs: for each b, the a's below it.
        let mut sorted = a.to_vec();
        sorted.sort_by(f64::total_cmp);
        let (mut wins, mut ties) = (0u128, 0u128);
        for &x in b {
            let below = sorted.partition_point(|&y| y < x);
            let not_above = sorted.partition_point(|&y| y <= x);
            wins += below as u128;
            ties += (not_above - below) as u128;
        }
        let pairs = (a.len() as u128 * b.len() as u128).max(1);
        let p_beats = wins as f64 / pairs as f64;
        let n = a.len().min(b.len()) as u64;
        let w = Proportion::of((p_beats * n as f64).round() as u64, n);
        Difference {
            paired,
            trials: n,
            mean: mean_unpaired,
            ci95: unpaired_ci95,
            unpaired_ci95,
            p_beats,
            p_beats_ci95: w.ci95,
            p_tie: ties as f64 / pairs as f64,
            variance_reduction: None,
        }
    }
}

/// Runs every arm and writes `compare.csv`, `compare.json`, `compare.png`
/// and each arm's folder (`arms/NN/`: `scenario.toml`, `summary.json`).
///
/// # Errors
/// Input errors of an arm and [`Error::Write`].
pub fn run(plan: &ComparePlan, out_dir: &Path, set: &StudySettings<'_>) -> Result<CompareReport> {
    let scenarios: Vec<&Scenario> = plan.arms.iter().map(|a| &a.scenario).collect();
    let groups = graph_groups(&scenarios);
    // Written whole into a folder beside the target, renamed into place at the end.
    let staged = export::Staged::begin(out_dir)?;
    let target = out_dir;
    let out_dir = &staged.path().to_path_buf();
    let (planned, offsets) = super::trial_offsets(&scenarios);
    let progress = |i: usize, done: u64, _total: u64| {
        if let Some(p) = set.progress {
            p(
                crate::progress::SIMULATE,
                (offsets[i] + done).min(planned),
                planned,
            );
        }
    };
    // Per arm: metric name → (label, shown, per-trial values), in table order.
    type Columns = Vec<(String, String, bool, Vec<f64>)>;
    let mut columns: Vec<Option<(Columns, Vec<Row>)>> = vec![None; plan.arms.len()];
    for group in &groups {
        run_group(&scenarios, group, set, &progress, |i, sim, _g| {
            let dir = out_dir.join("arms").join(format!("{i:02}"));
            write_point(
                &dir,
                &plan.arms[i].text,
                &sim,
                set.keep_points,
                set.no_charts,
            )?;
            let table = MetricTable::campaign(&sim.context, &sim.ensemble);
            let n = sim.ensemble.len();
            let mut cols: Columns = (0..table.len())
                .map(|k| {
                    let info = table.info(k);
                    (
                        info.name.clone(),
                        info.label.clone(),
                        info.show != Show::Quiet,
                        (0..n).map(|t| table.value(k, t)).collect(),
                    )
                })
                .collect();
            cols.push((
                "going_viral".into(),
                format!("P(reach ≥ {})", sim.summary.viral_threshold),
                true,
                viral_indicator(&sim.summary, &sim.ensemble),
            ));
            columns[i] = Some((cols, rows_of(&sim)));
            Ok(())
        })?;
    }
    let columns: Vec<(Columns, Vec<Row>)> = columns
        .into_iter()
        .map(|c| c.expect("every arm ran"))
        .collect();
    let paired: Vec<bool> = scenarios
        .iter()
        .map(|s| same_graph(scenarios[0], s))
        .collect();
    let labels: Vec<String> = plan.arms.iter().map(|a| a.label.clone()).collect();
    let mut metrics = Vec::new();
    for (name, label, shown, first) in &columns[0].0 {
        let per_arm: Vec<(&Vec<f64>, &Row)> = columns
            .iter()
            .filter_map(|(cols, rows)| {
                let v = cols.iter().find(|c| &c.0 == name)?;
                let r = rows.iter().find(|r| &r.metric == name)?;
                Some((&v.3, r))
            })
            .collect();
        if per_arm.len() != columns.len() {
            continue; // not every arm has it (ROI without costs, say)
        }
        let arms = per_arm
            .iter()
            .enumerate()
            .map(|(k, (values, row))| ArmMetric {
                arm: labels[k].clone(),
                mean: row.mean,
                ci95: row.ci95,
                trials: row.trials,
                versus_first: (k > 0).then(|| difference(first, values, paired[k])),
            })
            .collect();
        metrics.push(MetricComparison {
            metric: name.clone(),
            label: label.clone(),
            shown: *shown,
            arms,
        });
    }
    let report = CompareReport {
        labels,
        paired,
        metrics,
        graphs_built: groups.len(),
        out_dir: target.to_path_buf(),
    };
    export::write_atomic(&out_dir.join("compare.csv"), &compare_csv(&report))?;
    let mut j = serde_json::to_vec_pretty(&compare_json(&report)).expect("compare.json serialises");
    j.push(b'\n');
    export::write_atomic(&out_dir.join("compare.json"), &j)?;
    if !set.no_charts {
        super::charts::compare_chart(&report, &out_dir.join("compare.png"))?;
    }
    super::report::write_compare(out_dir)?;
    staged.commit()?;
    Ok(report)
}

fn compare_csv(r: &CompareReport) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "metric",
        "arm",
        "label",
        "mean",
        "ci95_low",
        "ci95_high",
        "trials",
        "paired",
        "diff",
        "diff_ci95_low",
        "diff_ci95_high",
        "unpaired_diff_ci95_low",
        "unpaired_diff_ci95_high",
        "p_beats_first",
        "p_beats_ci95_low",
        "p_beats_ci95_high",
        "p_tie",
        "variance_reduction",
    ])
    .expect("in memory");
    for m in &r.metrics {
        for (k, a) in m.arms.iter().enumerate() {
            let mut rec = vec![
                m.metric.clone(),
                k.to_string(),
                a.arm.clone(),
                a.mean.to_string(),
                a.ci95[0].to_string(),
                a.ci95[1].to_string(),
                a.trials.to_string(),
            ];
            match &a.versus_first {
                None => rec.extend(std::iter::repeat_n(String::new(), 11)),
                Some(d) => rec.extend([
                    d.paired.to_string(),
                    d.mean.to_string(),
                    d.ci95[0].to_string(),
                    d.ci95[1].to_string(),
                    d.unpaired_ci95[0].to_string(),
                    d.unpaired_ci95[1].to_string(),
                    d.p_beats.to_string(),
                    d.p_beats_ci95[0].to_string(),
                    d.p_beats_ci95[1].to_string(),
                    d.p_tie.to_string(),
                    d.variance_reduction
                        .map(|v| v.to_string())
                        .unwrap_or_default(),
                ]),
            }
            w.write_record(&rec).expect("in memory");
        }
    }
    w.into_inner().expect("in memory")
}

/// The contents of `compare.json`.
pub fn compare_json(r: &CompareReport) -> serde_json::Value {
    let metrics: BTreeMap<&str, &MetricComparison> =
        r.metrics.iter().map(|m| (m.metric.as_str(), m)).collect();
    serde_json::json!({
        "format": 1,
        "arms": r.labels.iter().zip(&r.paired).enumerate().map(|(k, (l, p))| serde_json::json!({
            "arm": k, "label": l, "dir": format!("arms/{k:02}"),
            "paired_with_first": p,
        })).collect::<Vec<_>>(),
        "graphs_built": r.graphs_built,
        "metrics": metrics,
    })
}

fn num(x: f64) -> String {
    if x.abs() >= 1000.0 {
        format!("{x:.0}")
    } else if x.abs() >= 10.0 {
        format!("{x:.1}")
    } else if x.abs() >= 0.1 || x == 0.0 {
        format!("{x:.3}")
    } else {
        format!("{x:.4}")
    }
}

/// The printed table: per compared arm, a Markdown table of the shown
/// metrics (means with 95% intervals, the paired difference, P(beats),
/// the variance-reduction factor), ready to paste.
pub fn format_report(r: &CompareReport) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let a = &r.labels[0];
    for (k, b) in r.labels.iter().enumerate().skip(1) {
        let _ = writeln!(
            out,
            "\n{b} vs {a} ({}):\n",
            if r.paired[k] {
                "paired: same graph and seed, trial by trial"
            } else {
                "UNPAIRED: the arms build different graphs"
            }
        );
        let _ = writeln!(
            out,
            "| metric | {a} | {b} | {b} − {a} | P({b} beats {a}) | Var ratio |"
        );
        let _ = writeln!(out, "|---|---|---|---|---|---|");
        for m in r.metrics.iter().filter(|m| m.shown) {
            let (x, y) = (&m.arms[0], &m.arms[k]);
            let d = y.versus_first.as_ref().expect("a difference");
            let cell =
                |v: f64, ci: [f64; 2]| format!("{} [{}, {}]", num(v), num(ci[0]), num(ci[1]));
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {:.3} [{:.3}, {:.3}] | {} |",
                m.label,
                cell(x.mean, x.ci95),
                cell(y.mean, y.ci95),
                cell(d.mean, d.ci95),
                d.p_beats,
                d.p_beats_ci95[0],
                d.p_beats_ci95[1],
                d.variance_reduction
                    .map_or("—".into(), |v| format!("{v:.3}")),
            );
        }
    }
    let _ = writeln!(out, "\nresults: {}/", r.out_dir.display());
    out
}
