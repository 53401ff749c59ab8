//! `report.html` for a sweep or a comparison: the same one-file page as a
//! run's report ([`crate::report`]), built from what the study wrote into
//! its folder (`sweep.json` or `compare.json`, the charts, the scenarios'
//! text), so that `viralsim report DIR` rebuilds the same bytes. Every
//! number shown carries its JSON pointer into `sweep.json` or
//! `compare.json` (`data-key`) and its format (`data-fmt`).

use crate::error::{Error, Result};
use crate::report::{Fmt, Page, REPORT_FILE, SCENARIO_FILE, assumptions_table, esc, page_head};
use serde_json::Value;
use std::fmt::Write;
use std::path::{Path, PathBuf};

/// Metrics a study's report shows per point or arm, in order (those present).
const SHOWN: [(&str, &str, Fmt); 7] = [
    ("reached", "Reached", Fmt::Count),
    ("engaged", "Engaged", Fmt::Count),
    ("shared", "Shared", Fmt::Count),
    ("converted", "Converted", Fmt::Count),
    ("going_viral", "P(viral)", Fmt::Pct),
    ("profit", "Profit", Fmt::Money),
    ("roi", "ROI", Fmt::Pct),
];

fn read_text(dir: &Path, name: &str) -> Result<String> {
    let p = dir.join(name);
    std::fs::read_to_string(&p).map_err(|source| Error::Read { path: p, source })
}

fn read_json(dir: &Path, name: &str) -> Result<Value> {
    let text = read_text(dir, name)?;
    serde_json::from_str(&text).map_err(|e| {
        Error::param(
            name,
            format!(
                "{} is not valid JSON ({e}); expected the {name} viralsim writes",
                dir.join(name).display()
            ),
        )
    })
}

fn figure(o: &mut String, dir: &Path, file: &str, caption: &str) -> Result<()> {
    let p = dir.join(file);
    if !p.is_file() {
        return Ok(());
    }
    let bytes = std::fs::read(&p).map_err(|source| Error::Read {
        path: p.clone(),
        source,
    })?;
    let mime = if file.ends_with(".svg") {
        "image/svg+xml"
    } else {
        "image/png"
    };
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    crate::report::figure(o, stem, mime, &bytes, caption);
    Ok(())
}

fn metric_label(m: &str) -> String {
    SHOWN
        .iter()
        .find(|(k, _, _)| *k == m)
        .map_or_else(|| m.replace('_', " "), |(_, l, _)| l.to_string())
}

fn fmt_of(m: &str) -> Fmt {
    SHOWN
        .iter()
        .find(|(k, _, _)| *k == m)
        .map_or(Fmt::Real, |(_, _, f)| *f)
}

fn assumptions(page: &mut Page<'_>, extra: Vec<(String, String)>) {
    let mut rows = extra;
    page.scenario_rows(
        &mut rows,
        &[
            ("graph", "Graph settings"),
            ("audience", "Audience"),
            ("content", "Content"),
            ("seeding", "Seeding plan"),
            ("economics", "Economics"),
            ("crisis", "Crisis (claim and correction)"),
        ],
    );
    assumptions_table(&mut page.out, &rows, "");
}

fn intervals_note(o: &mut String, paired: &str) {
    let _ = write!(
        o,
        "<section class=\"note\">\n<h2>How to read the intervals</h2>\n<p>Each number is the average over many simulated campaigns, and in brackets the range that holds the true average of the model with 95% confidence. {paired}</p>\n<p>Single campaigns vary much more widely than these averages, and every number holds only under the model’s assumptions above.</p>\n</section>\n"
    );
}

fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Writes `DIR/report.html` for the sweep in `DIR` from its `sweep.json`,
/// `scenario.toml` (the base scenario) and `sweep_*.png` charts; returns
/// its path.
///
/// # Errors
/// [`Error::Read`] when a file is missing or unreadable,
/// [`Error::Parameter`] when `sweep.json` is not JSON, [`Error::Write`]
/// writing the page.
pub fn write_sweep(dir: &Path) -> Result<PathBuf> {
    let sweep = read_json(dir, "sweep.json")?;
    let scenario = read_text(dir, SCENARIO_FILE)?;
    let mut page = Page::new(&sweep, &scenario);
    let name = sweep
        .get("scenario")
        .and_then(Value::as_str)
        .unwrap_or("scenario")
        .to_string();
    let axes: Vec<(String, Vec<Value>, bool)> = sweep
        .get("axes")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .map(|x| {
                    (
                        x.get("key")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                        x.get("values")
                            .and_then(Value::as_array)
                            .cloned()
                            .unwrap_or_default(),
                        x.get("log").and_then(Value::as_bool).unwrap_or(false),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let points = sweep
        .get("points")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let axes_words: Vec<String> = axes
        .iter()
        .map(|(k, vs, log)| {
            format!(
                "<code>{}</code> from {} to {} ({} values{})",
                esc(k),
                esc(&vs.first().map(value_text).unwrap_or_default()),
                esc(&vs.last().map(value_text).unwrap_or_default()),
                vs.len(),
                if *log { ", spaced geometrically" } else { "" }
            )
        })
        .collect();
    let description = page.scenario_str("description").unwrap_or_default();
    let mut o = String::new();
    page_head(
        &mut o,
        &format!("{name}: sweep"),
        "viralsim report · parameter sweep",
        &description,
        &format!(
            "how do reach, engagement and conversions change as {} vary{}? Every point runs on the same random numbers (the same graph, seeds and trial streams), so neighbouring points are paired.",
            axes_words.join(" and "),
            if axes.len() == 1 { "s" } else { "" }
        ),
    );
    page.out = o;
    // The answer: each shown metric at the first and the last point.
    let metrics: Vec<&str> = SHOWN
        .iter()
        .map(|(k, _, _)| *k)
        .filter(|m| {
            points
                .first()
                .is_some_and(|p| p.pointer(&format!("/metrics/{m}")).is_some())
        })
        .collect();
    let last = points.len().saturating_sub(1).to_string();
    let mut items = Vec::new();
    if axes.len() == 1 && points.len() > 1 {
        let (key, vs, _) = &axes[0];
        for m in &metrics {
            let at = |i: &str| -> String {
                let mut s = page.num(&["points", i, "metrics", m, "mean"], fmt_of(m));
                s = format!(
                    "<strong>{s}</strong> <span class=\"ci\">[{}–{}]</span>",
                    page.num(&["points", i, "metrics", m, "ci95", "0"], fmt_of(m)),
                    page.num(&["points", i, "metrics", m, "ci95", "1"], fmt_of(m))
                );
                s
            };
            items.push(format!(
                "{} goes from {} at <code>{}</code> = {} to {} at {}.",
                esc(&metric_label(m)),
                at("0"),
                esc(key),
                esc(&vs.first().map(value_text).unwrap_or_default()),
                at(&last),
                esc(&vs.last().map(value_text).unwrap_or_default()),
            ));
        }
    }
    if sweep.pointer("/theory/threshold").is_some() {
        let mut s = format!(
            "The configuration-model theory puts the epidemic threshold at stickiness <strong>{}</strong> (bond percolation on this graph's own degrees)",
            page.num(&["theory", "threshold"], Fmt::Real4)
        );
        if sweep
            .pointer("/theory/estimated_threshold/estimate")
            .is_some()
        {
            let _ = write!(
                s,
                "; the simulation puts it at <strong>{}</strong> <span class=\"ci\">[{}–{}]</span>",
                page.num(&["theory", "estimated_threshold", "estimate"], Fmt::Real4),
                page.num(&["theory", "estimated_threshold", "ci95", "0"], Fmt::Real4),
                page.num(&["theory", "estimated_threshold", "ci95", "1"], Fmt::Real4),
            );
        }
        s.push('.');
        items.push(s);
    }
    let trials = page.num(&["points", "0", "trials"], Fmt::Count);
    {
        let o = &mut page.out;
        o.push_str("<section class=\"headlines\">\n<h2>The answer</h2>\n<ul>\n");
        for i in items {
            let _ = writeln!(o, "<li>{i}</li>");
        }
        let _ = writeln!(
            o,
            "</ul>\n<p class=\"small\">{} points, each the mean over {trials} simulated campaigns; in brackets, the 95% interval of each mean.</p>\n</section>",
            points.len()
        );
        o.push_str("<section class=\"charts\">\n<h2>Charts</h2>\n");
    }
    let mut charted = 0;
    for m in &metrics {
        for ext in ["png", "svg"] {
            let file = format!("sweep_{m}.{ext}");
            if dir.join(&file).is_file() {
                let caption = if axes.len() == 1 {
                    format!(
                        "{} against {}: the mean per campaign at each point with its 95% band{}.",
                        metric_label(m),
                        axes[0].0,
                        if *m == "engaged" && sweep.pointer("/theory/threshold").is_some() {
                            "; dashed, the configuration-model prediction and the thresholds"
                        } else {
                            ""
                        }
                    )
                } else {
                    format!(
                        "{}: the mean per campaign at every point of the grid.",
                        metric_label(m)
                    )
                };
                figure(&mut page.out, dir, &file, &caption)?;
                charted += 1;
                break;
            }
        }
    }
    if charted == 0 {
        page.out.push_str(
            "<p>No charts in this output folder (the sweep was run with <code>--no-charts</code>, or has more than two axes).</p>\n",
        );
    }
    page.out.push_str("</section>\n");
    // Every point.
    let mut table = String::new();
    table.push_str(
        "<section class=\"table\">\n<h2>Every point</h2>\n<table class=\"metrics\">\n<thead><tr>",
    );
    for (k, _, _) in &axes {
        let _ = write!(table, "<th scope=\"col\"><code>{}</code></th>", esc(k));
    }
    for m in &metrics {
        let _ = write!(table, "<th scope=\"col\">{}</th>", esc(&metric_label(m)));
    }
    table.push_str("</tr></thead>\n<tbody>\n");
    for (i, p) in points.iter().enumerate() {
        let i = i.to_string();
        table.push_str("<tr>");
        for (k, _, _) in &axes {
            let v = p
                .get("values")
                .and_then(|v| v.get(k))
                .map(value_text)
                .unwrap_or_default();
            let _ = write!(table, "<th scope=\"row\">{}</th>", esc(&v));
        }
        for m in &metrics {
            let _ = write!(
                table,
                "<td>{}</td>",
                page.mean_ci(&["points", &i, "metrics", m], fmt_of(m))
            );
        }
        table.push_str("</tr>\n");
    }
    table.push_str("</tbody>\n</table>\n<p class=\"small\">Each point's full summary is in <code>points/NN/summary.json</code>; <code>sweep.csv</code> has every metric in tidy form.</p>\n</section>\n");
    page.out.push_str(&table);
    let extra = vec![
        (
            "Trials".to_string(),
            format!(
                "{trials} simulated campaigns per point, master seed {} at every point",
                esc(&sweep.get("seed").map(Value::to_string).unwrap_or_default())
            ),
        ),
        (
            "Graphs".to_string(),
            format!(
                "{} built (one unless a graph key varies)",
                page.num(&["graphs_built"], Fmt::Count)
            ),
        ),
    ];
    assumptions(&mut page, extra);
    intervals_note(
        &mut page.out,
        "Because every point reuses the same random numbers, the difference between two neighbouring points is known more precisely than their overlapping intervals suggest.",
    );
    page.out.push_str("</main>\n</body>\n</html>\n");
    let p = dir.join(REPORT_FILE);
    crate::export::write_atomic(&p, page.out.as_bytes())?;
    Ok(p)
}

/// Writes `DIR/report.html` for the comparison in `DIR` from its
/// `compare.json`, `compare.png` and each arm's `arms/NN/scenario.toml`;
/// returns its path.
///
/// # Errors
/// As [`write_sweep`].
pub fn write_compare(dir: &Path) -> Result<PathBuf> {
    let cmp = read_json(dir, "compare.json")?;
    let arms = cmp
        .get("arms")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let label = |a: &Value| {
        a.get("label")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let labels: Vec<String> = arms.iter().map(label).collect();
    let first_text = match arms
        .first()
        .and_then(|a| a.get("dir"))
        .and_then(Value::as_str)
    {
        Some(d) => read_text(&dir.join(d), SCENARIO_FILE)?,
        None => String::new(),
    };
    let mut page = Page::new(&cmp, &first_text);
    let title = labels.join(" vs ");
    let mut o = String::new();
    page_head(
        &mut o,
        &title,
        "viralsim report · comparison",
        "",
        &format!(
            "which of {} does better, and by how much? Arms on the same graph run on the same random numbers, so their difference is measured trial by trial (paired).",
            labels
                .iter()
                .map(|l| format!("<em>{}</em>", esc(l)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    page.out = o;
    let metrics: Vec<&str> = SHOWN
        .iter()
        .map(|(k, _, _)| *k)
        .filter(|m| cmp.pointer(&format!("/metrics/{m}")).is_some())
        .collect();
    let mut items = Vec::new();
    for (j, l) in labels.iter().enumerate().skip(1) {
        let j = j.to_string();
        for m in &metrics {
            let base = ["metrics", m, "arms", &j, "versus_first"];
            if cmp
                .pointer(&crate::report::pointer(&[&base[..], &["mean"]].concat()))
                .is_none()
            {
                continue;
            }
            let paired = cmp
                .pointer(&crate::report::pointer(&[&base[..], &["paired"]].concat()))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            items.push(format!(
                "{}: <em>{}</em> minus <em>{}</em> is {}{} per campaign; <em>{}</em> does better in {} <span class=\"ci\">[{}–{}]</span> of campaigns.",
                esc(&metric_label(m)),
                esc(l),
                esc(&labels[0]),
                page.mean_ci(&base, fmt_of(m)),
                if paired { " (paired)" } else { " (unpaired: the arms' graphs differ)" },
                esc(l),
                page.num(&[&base[..], &["p_beats"]].concat(), Fmt::Pct),
                page.num(&[&base[..], &["p_beats_ci95", "0"]].concat(), Fmt::Pct),
                page.num(&[&base[..], &["p_beats_ci95", "1"]].concat(), Fmt::Pct),
            ));
        }
    }
    {
        let o = &mut page.out;
        o.push_str("<section class=\"headlines\">\n<h2>The answer</h2>\n<ul>\n");
        for i in items {
            let _ = writeln!(o, "<li>{i}</li>");
        }
        o.push_str("</ul>\n<p class=\"small\">In brackets, 95% intervals: of a difference, computed from the per-trial paired differences when the arms are paired.</p>\n</section>\n");
        o.push_str("<section class=\"charts\">\n<h2>Charts</h2>\n");
    }
    if dir.join("compare.png").is_file() {
        figure(
            &mut page.out,
            dir,
            "compare.png",
            "Each arm's mean per campaign with its 95% interval, and each arm's difference from the first arm with the interval of the paired difference.",
        )?;
    } else {
        page.out.push_str(
            "<p>No charts in this output folder (the comparison was run with <code>--no-charts</code>).</p>\n",
        );
    }
    page.out.push_str("</section>\n");
    let mut t = String::new();
    t.push_str("<section class=\"table\">\n<h2>Every metric</h2>\n<table class=\"metrics\">\n<thead><tr><th scope=\"col\">Metric</th><th scope=\"col\">Arm</th><th scope=\"col\">Mean per campaign</th><th scope=\"col\">Difference from the first arm</th><th scope=\"col\">Variance reduction by pairing</th></tr></thead>\n<tbody>\n");
    for m in &metrics {
        for (j, l) in labels.iter().enumerate() {
            let j = j.to_string();
            let arm = ["metrics", m, "arms", &j];
            let vs = [&arm[..], &["versus_first"]].concat();
            let diff = if cmp
                .pointer(&crate::report::pointer(&[&vs[..], &["mean"]].concat()))
                .is_some()
            {
                page.mean_ci(&vs, fmt_of(m))
            } else {
                "–".into()
            };
            let vr = page.num(&[&vs[..], &["variance_reduction"]].concat(), Fmt::Real);
            let _ = writeln!(
                t,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{diff}</td><td>{vr}</td></tr>",
                esc(&metric_label(m)),
                esc(l),
                page.mean_ci(&arm, fmt_of(m)),
            );
        }
    }
    t.push_str("</tbody>\n</table>\n<p class=\"small\">Variance reduction: Var(paired difference) ÷ (Var A + Var B); below 1, pairing narrowed the interval. <code>compare.csv</code> has every metric; each arm's full summary is in <code>arms/NN/summary.json</code>.</p>\n</section>\n");
    page.out.push_str(&t);
    let mut extra = Vec::new();
    for (j, a) in arms.iter().enumerate() {
        let d = a.get("dir").and_then(Value::as_str).unwrap_or("");
        let text = read_text(&dir.join(d), SCENARIO_FILE)?;
        let arm = Page::new(&cmp, &text);
        let _ = j;
        extra.push((
            format!("Arm {}", label(a)),
            format!(
                "{}{}",
                esc(&arm.scenario_str("description").unwrap_or_default()),
                if a.get("paired_with_first").and_then(Value::as_bool) == Some(false) {
                    " (on a different graph: compared unpaired)"
                } else {
                    ""
                }
            ),
        ));
    }
    assumptions(&mut page, extra);
    page.out.push_str("<p class=\"small\">The settings above are the first arm's; each arm's scenario is in <code>arms/NN/scenario.toml</code>.</p>\n");
    intervals_note(
        &mut page.out,
        "A difference between paired arms is measured campaign by campaign on the same random draws, so its interval can be narrow even when the arms' own intervals overlap.",
    );
    page.out.push_str("</main>\n</body>\n</html>\n");
    let p = dir.join(REPORT_FILE);
    crate::export::write_atomic(&p, page.out.as_bytes())?;
    Ok(p)
}
