//! `report.html`: one self-contained page for the people who read the
//! results — the scenario, the question, the headline numbers with their 95%
//! intervals in words, the charts (embedded as data URIs) with captions, the
//! key assumptions and how to read the intervals. No scripts, no network; a
//! print stylesheet keeps figures and tables whole on paper.
//!
//! The page is made from three things an output folder holds: the summary as
//! JSON (the value written to `summary.json`), the scenario's text (copied
//! beside it as `scenario.toml`) and the chart files. A run and
//! `viralsim report DIR` therefore write the same bytes.
//!
//! Every number shown carries the JSON pointer (RFC 6901) of its value in
//! `summary.json` and the format it is shown in, e.g.
//! `<span data-key="/metrics/reached/mean" data-fmt="count">6,437</span>`, so
//! a checker can compare each with the summary ([`format_value`] is the rule).

use crate::error::{Error, Result};
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The report's file name in an output folder.
pub const REPORT_FILE: &str = "report.html";
/// The copy of the scenario's text a run writes beside its outputs.
pub const SCENARIO_FILE: &str = "scenario.toml";

/// Charts the report embeds, in order, with their one-line captions. For
/// each, the PNG is embedded when present, else the SVG.
pub const CHARTS: [(&str, &str); 8] = [
    (
        "reach_over_time",
        "Expected cumulative reach and engagement per step after launch; the bands span 5–95% of trials.",
    ),
    (
        "funnel",
        "The funnel per campaign: bars at the mean, labelled with the ± 95% interval of the mean; whiskers over 5–95% of trials.",
    ),
    (
        "cascade_size_ccdf",
        "Share of trials whose cascade engaged at least x people, on log–log axes: a straight tail means rare very large cascades.",
    ),
    (
        "segments",
        "Reach, engagement and engagement rate by audience segment, with the 95% intervals of the means.",
    ),
    (
        "roles",
        "Reach, engagement and engagement rate by audience role, with the 95% intervals of the means.",
    ),
    (
        "crisis_over_time",
        "If the negative claim goes viral: believers, protected and corrected people per step for the first response delay, with the claim and the response marked; bands span 5–95% of trials.",
    ),
    (
        "damage_by_delay",
        "What a later answer costs: the loss and the believers left at the end against the response delay, with the 95% intervals of the means.",
    ),
    (
        "cascade_tree",
        "Who engaged whom: the cascade of the trial closest to the median size and of the largest.",
    ),
];

/// How a number is shown. The checker in `tests/report/` applies the same
/// rules to `summary.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fmt {
    /// People and other counts: no decimals with thousands separators from
    /// 100 up (`15,558`), one decimal below (`46.5`).
    Count,
    /// A share as a percentage with one decimal (`0.1194` → `11.9%`).
    Pct,
    /// Two decimals (`4.63`).
    Real,
    /// Four decimals (`0.1003`), for thresholds and other small rates.
    Real4,
    /// Money: as [`Fmt::Count`].
    Money,
}

impl Fmt {
    fn name(self) -> &'static str {
        match self {
            Fmt::Count => "count",
            Fmt::Pct => "pct",
            Fmt::Real => "real",
            Fmt::Real4 => "real4",
            Fmt::Money => "money",
        }
    }
}

/// `x` shown as `fmt` says.
pub fn format_value(x: f64, fmt: Fmt) -> String {
    match fmt {
        Fmt::Count | Fmt::Money => {
            if x.abs() >= 100.0 {
                let s = format!("{:.0}", x.abs());
                let mut out = String::new();
                for (i, c) in s.chars().enumerate() {
                    if i > 0 && (s.len() - i) % 3 == 0 {
                        out.push(',');
                    }
                    out.push(c);
                }
                if x < 0.0 { format!("-{out}") } else { out }
            } else {
                format!("{x:.1}")
            }
        }
        Fmt::Pct => format!("{:.1}%", x * 100.0),
        Fmt::Real => format!("{x:.2}"),
        Fmt::Real4 => format!("{x:.4}"),
    }
}

/// HTML-escapes text.
pub(crate) fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// The JSON pointer of a path of keys (RFC 6901 escaping).
pub(crate) fn pointer(path: &[&str]) -> String {
    path.iter()
        .map(|k| format!("/{}", k.replace('~', "~0").replace('/', "~1")))
        .collect()
}

/// Standard base64 with padding.
pub fn base64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut o = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for ch in bytes.chunks(3) {
        let b = [ch[0], *ch.get(1).unwrap_or(&0), *ch.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= ch.len() {
                o.push(A[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                o.push('=');
            }
        }
    }
    o
}

/// A chart to embed: its base name (as in [`CHARTS`]), MIME type and bytes.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Base name, e.g. `funnel`.
    pub name: String,
    /// `image/png` or `image/svg+xml`.
    pub mime: &'static str,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// The charts of [`CHARTS`] found in `dir` (PNG preferred over SVG).
///
/// # Errors
/// [`Error::Read`] when a chart file exists but cannot be read.
pub fn charts_in(dir: &Path) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    for (name, _) in CHARTS {
        for (ext, mime) in [("png", "image/png"), ("svg", "image/svg+xml")] {
            let p = dir.join(format!("{name}.{ext}"));
            if p.is_file() {
                let bytes = std::fs::read(&p).map_err(|e| Error::Read {
                    path: p.clone(),
                    source: e,
                })?;
                out.push(Chart {
                    name: name.to_string(),
                    mime,
                    bytes,
                });
                break;
            }
        }
    }
    Ok(out)
}

/// Builds the page from the summary's JSON value, the scenario's text and
/// the charts.
pub fn render(summary: &Value, scenario_text: &str, charts: &[Chart]) -> String {
    Page::new(summary, scenario_text).render(charts)
}

/// Writes `report.html` into `dir` from `summary` (the value written to
/// `summary.json`), the scenario's text and the charts already in `dir`.
/// Returns its path.
///
/// # Errors
/// [`Error::Read`] reading a chart, [`Error::Write`] writing the page.
pub fn write(dir: &Path, summary: &Value, scenario_text: &str) -> Result<PathBuf> {
    let html = render(summary, scenario_text, &charts_in(dir)?);
    let p = dir.join(REPORT_FILE);
    crate::export::write_atomic(&p, html.as_bytes())?;
    Ok(p)
}

/// `viralsim report DIR`: rebuilds `DIR/report.html` from `DIR/summary.json`,
/// `DIR/scenario.toml` and the charts in `DIR` — the same bytes the run wrote.
/// A sweep's or a comparison's folder (with `sweep.json` or `compare.json`
/// and no `summary.json`) gets its study report the same way.
///
/// # Errors
/// [`Error::Read`] when `summary.json` or `scenario.toml` is missing or
/// unreadable, [`Error::Parameter`] when `summary.json` is not a summary.
pub fn rebuild(dir: &Path) -> Result<PathBuf> {
    let read = |name: &str| {
        let p = dir.join(name);
        std::fs::read_to_string(&p).map_err(|e| Error::Read {
            path: p.clone(),
            source: e,
        })
    };
    if !dir.join("summary.json").exists() {
        if dir.join("sweep.json").is_file() {
            return crate::study::report::write_sweep(dir);
        }
        if dir.join("compare.json").is_file() {
            return crate::study::report::write_compare(dir);
        }
    }
    let summary_text = read("summary.json")?;
    let summary: Value = serde_json::from_str(&summary_text).map_err(|e| {
        Error::param(
            "summary.json",
            format!(
                "{} is not valid JSON ({e}); expected the summary.json a run writes",
                dir.join("summary.json").display()
            ),
        )
    })?;
    if summary
        .pointer("/run/name")
        .and_then(Value::as_str)
        .is_none()
        || !summary.get("metrics").is_some_and(Value::is_object)
    {
        return Err(Error::param(
            "summary.json",
            format!(
                "{} has no run.name or metrics; expected the summary.json a run writes",
                dir.join("summary.json").display()
            ),
        ));
    }
    let scenario = read(SCENARIO_FILE)?;
    write(dir, &summary, &scenario)
}

pub(crate) struct Page<'a> {
    pub(crate) s: &'a Value,
    pub(crate) scenario: toml::Table,
    pub(crate) out: String,
}

impl<'a> Page<'a> {
    pub(crate) fn new(s: &'a Value, scenario_text: &str) -> Self {
        Page {
            s,
            scenario: scenario_text.parse::<toml::Table>().unwrap_or_default(),
            out: String::new(),
        }
    }

    pub(crate) fn get(&self, path: &[&str]) -> Option<f64> {
        self.s.pointer(&pointer(path)).and_then(Value::as_f64)
    }

    /// A number with its pointer, or an en dash when the summary lacks it.
    pub(crate) fn num(&self, path: &[&str], fmt: Fmt) -> String {
        match self.get(path) {
            Some(x) => format!(
                "<span class=\"n\" data-key=\"{}\" data-fmt=\"{}\">{}</span>",
                esc(&pointer(path)),
                fmt.name(),
                esc(&format_value(x, fmt))
            ),
            None => "–".into(),
        }
    }

    /// "lo–hi" of the interval at `path` (a two-number array), or "n/a"
    /// when it is absent (null: one trial cannot estimate it).
    fn interval(&self, path: &[&str], fmt: Fmt) -> String {
        if self.s.pointer(&pointer(path)).is_none_or(Value::is_null) {
            return "n/a".into();
        }
        let mut p: Vec<&str> = path.to_vec();
        p.push("0");
        let lo = self.num(&p, fmt);
        p.pop();
        p.push("1");
        let negative = self.get(&p).is_some_and(|x| x < 0.0);
        let hi = self.num(&p, fmt);
        // "−9,636 to −9,550" reads better than a dash between negatives.
        let sep = if negative { " to " } else { "–" };
        format!("{lo}{sep}{hi}")
    }

    /// "mean [lo–hi]" of a statistic at `path` (with `mean`, `ci95`).
    pub(crate) fn mean_ci(&self, path: &[&str], fmt: Fmt) -> String {
        let mut p: Vec<&str> = path.to_vec();
        p.push("mean");
        let mean = self.num(&p, fmt);
        p.pop();
        p.push("ci95");
        let ci = self.interval(&p, fmt);
        format!("<strong>{mean}</strong> <span class=\"ci\">[{ci}]</span>")
    }

    fn has_metric(&self, name: &str) -> bool {
        self.s.pointer(&pointer(&["metrics", name])).is_some()
    }

    pub(crate) fn scenario_str(&self, key: &str) -> Option<String> {
        self.scenario
            .get(key)
            .and_then(toml::Value::as_str)
            .map(str::to_string)
    }

    fn render(mut self, charts: &[Chart]) -> String {
        let name = self
            .s
            .pointer("/run/name")
            .and_then(Value::as_str)
            .unwrap_or("scenario")
            .to_string();
        let description = self.scenario_str("description").unwrap_or_default();
        let mut question = String::from(
            "if this content is launched with this seeding plan, how many people will it reach, engage and convert, how much earned media will it create, and how likely is it to go viral?",
        );
        if self.s.get("crisis").is_some() {
            question.push_str(" And if a negative claim about the brand goes viral, how much does it cost, and how much does answering sooner save?");
        }
        page_head(
            &mut self.out,
            &name,
            "viralsim report",
            &description,
            &question,
        );
        self.headlines();
        self.crisis();
        self.figures(charts);
        self.metric_table();
        self.groups("segments", "segment");
        self.groups("roles", "role");
        self.assumptions();
        self.intervals_note();
        self.out.push_str("</main>\n</body>\n</html>\n");
        self.out
    }

    fn headlines(&mut self) {
        let mut items: Vec<String> = Vec::new();
        fn m(k: &str) -> [&str; 2] {
            ["metrics", k]
        }
        if self.has_metric("reached") {
            items.push(format!(
                "A campaign reaches {} people.",
                self.mean_ci(&m("reached"), Fmt::Count)
            ));
        }
        if self.has_metric("engaged") && self.has_metric("shared") {
            items.push(format!(
                "{} of them engage (seeds included) and {} share it on.",
                self.mean_ci(&m("engaged"), Fmt::Count),
                self.mean_ci(&m("shared"), Fmt::Count)
            ));
        }
        if self.has_metric("converted") {
            items.push(format!(
                "{} people convert.",
                self.mean_ci(&m("converted"), Fmt::Count)
            ));
        }
        if self.has_metric("earned_media") {
            items.push(format!(
                "{} people create earned media (posts, reviews, videos of their own).",
                self.mean_ci(&m("earned_media"), Fmt::Count)
            ));
        }
        if self.s.get("going_viral").is_some() {
            items.push(format!(
                "The chance that a campaign goes viral (reaches at least {} people) is <strong>{}</strong> <span class=\"ci\">[{}–{}]</span>.",
                self.num(&["viral_threshold"], Fmt::Count),
                self.num(&["going_viral", "estimate"], Fmt::Pct),
                self.num(&["going_viral", "ci95", "0"], Fmt::Pct),
                self.num(&["going_viral", "ci95", "1"], Fmt::Pct),
            ));
        }
        if self.has_metric("depth") && self.has_metric("structural_virality") {
            items.push(format!(
                "Cascades run {} ties deep from a seed at their deepest, with a structural virality of {} (2 would be a pure broadcast; larger values mean person-to-person chains).",
                self.mean_ci(&m("depth"), Fmt::Real),
                self.mean_ci(&m("structural_virality"), Fmt::Real)
            ));
        }
        let currency = self
            .s
            .pointer("/economics/currency")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if self.has_metric("profit") {
            items.push(format!(
                "Revenue per campaign is {} {c}, cost {} {c}, profit {} {c}.",
                self.mean_ci(&m("revenue"), Fmt::Money),
                self.mean_ci(&m("cost"), Fmt::Money),
                self.mean_ci(&m("profit"), Fmt::Money),
                c = esc(&currency)
            ));
        }
        if self.s.pointer("/economics/roi_positive/estimate").is_some() {
            items.push(format!(
                "The chance that a campaign pays for itself is <strong>{}</strong> <span class=\"ci\">[{}–{}]</span>.",
                self.num(&["economics", "roi_positive", "estimate"], Fmt::Pct),
                self.num(&["economics", "roi_positive", "ci95", "0"], Fmt::Pct),
                self.num(&["economics", "roi_positive", "ci95", "1"], Fmt::Pct),
            ));
        }
        let trials = self.num(&["run", "trials"], Fmt::Count);
        let o = &mut self.out;
        o.push_str("<section class=\"headlines\">\n<h2>The answer</h2>\n<ul>\n");
        for i in items {
            let _ = writeln!(o, "<li>{i}</li>");
        }
        let _ = writeln!(
            o,
            "</ul>\n<p class=\"small\">Means over {trials} simulated campaigns; in brackets, the 95% interval of each mean.</p>\n</section>"
        );
    }

    /// The crisis section: per response delay, the believers left, the
    /// people corrected and protected and the loss, then what answering
    /// sooner saves against the reference delay (paired differences).
    fn crisis(&mut self) {
        let Some(delays) = self.s.pointer("/crisis/delays").and_then(Value::as_array) else {
            return;
        };
        let money = self
            .s
            .pointer("/crisis/currency")
            .and_then(Value::as_str)
            .map(str::to_string);
        let (loss, loss_label) = match &money {
            Some(c) => ("revenue_lost", format!("Revenue lost ({})", esc(c))),
            None => ("purchases_lost", "Purchases lost".to_string()),
        };
        let saved = if money.is_some() {
            "revenue_saved"
        } else {
            "purchases_saved"
        };
        let mut rows = Vec::new();
        for (i, d) in delays.iter().enumerate() {
            let label = d.get("label").and_then(Value::as_str).unwrap_or("");
            let when = if label == "never" {
                "never".to_string()
            } else if label == "0" {
                "at once".to_string()
            } else {
                format!("after {} steps", esc(label))
            };
            let i = i.to_string();
            let at = |k: &'static str| ["crisis", "delays", i.as_str(), "metrics", k];
            rows.push(format!(
                "<tr><th scope=\"row\">{when}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                self.mean_ci(&at("believers"), Fmt::Count),
                self.mean_ci(&at("corrected"), Fmt::Count),
                self.mean_ci(&at("protected"), Fmt::Count),
                self.mean_ci(&at(loss), Fmt::Money),
            ));
        }
        let mut savings = Vec::new();
        if let Some(cmp) = self
            .s
            .pointer("/crisis/comparisons")
            .and_then(Value::as_array)
        {
            for (i, c) in cmp.iter().enumerate() {
                let i = i.to_string();
                let label = c.get("label").and_then(Value::as_str).unwrap_or("");
                let against = c.get("against").and_then(Value::as_str).unwrap_or("");
                let when = if label == "0" {
                    "Answering at once".to_string()
                } else {
                    format!("Answering after {} steps", esc(label))
                };
                let against = if against == "never" {
                    "never answering".to_string()
                } else {
                    format!("answering after {} steps", esc(against))
                };
                savings.push(format!(
                    "{when} instead of {against} saves <strong>{}</strong> <span class=\"ci\">[{}–{}]</span> of the loss: {}{}.",
                    self.num(&["crisis", "comparisons", &i, "purchases_saved_share"], Fmt::Pct),
                    self.num(&["crisis", "comparisons", &i, "purchases_saved_share_ci95", "0"], Fmt::Pct),
                    self.num(&["crisis", "comparisons", &i, "purchases_saved_share_ci95", "1"], Fmt::Pct),
                    self.mean_ci(&["crisis", "comparisons", &i, saved], Fmt::Money),
                    match &money {
                        Some(c) => format!(" {}", esc(c)),
                        None => " purchases".into(),
                    }
                ));
            }
        }
        let o = &mut self.out;
        o.push_str("<section class=\"crisis\">\n<h2>If the negative claim goes viral</h2>\n");
        if !savings.is_empty() {
            o.push_str("<ul>\n");
            for s in savings {
                let _ = writeln!(o, "<li>{s}</li>");
            }
            o.push_str("</ul>\n");
        }
        let _ = writeln!(
            o,
            "<table class=\"metrics\">\n<thead><tr><th scope=\"col\">The brand answers</th><th scope=\"col\">Believers at the end</th><th scope=\"col\">Corrected</th><th scope=\"col\">Protected</th><th scope=\"col\">{loss_label}</th></tr></thead>\n<tbody>"
        );
        for r in rows {
            let _ = writeln!(o, "{r}");
        }
        o.push_str("</tbody>\n</table>\n<p class=\"small\">Believers engaged with the claim; corrected believers then engaged with the correction; protected people saw the correction first. Losses are counted against the same simulated periods without the claim, and each saving is a paired difference over the same trials.</p>\n</section>\n");
    }

    fn figures(&mut self, charts: &[Chart]) {
        let o = &mut self.out;
        o.push_str("<section class=\"charts\">\n<h2>Charts</h2>\n");
        if charts.is_empty() {
            o.push_str(
                "<p>No charts in this output folder (the run was made with <code>--no-charts</code>).</p>\n",
            );
        }
        for c in charts {
            let caption = CHARTS
                .iter()
                .find(|(n, _)| *n == c.name)
                .map_or("", |(_, cap)| cap);
            figure(o, &c.name, c.mime, &c.bytes, caption);
        }
        o.push_str("</section>\n");
    }

    fn metric_table(&mut self) {
        let Some(metrics) = self.s.get("metrics").and_then(Value::as_object) else {
            return;
        };
        let names: Vec<String> = metrics.keys().cloned().collect();
        let mut rows = String::new();
        for name in &names {
            let fmt = match name.as_str() {
                "response_rate" | "virality" => Fmt::Pct,
                "structural_virality" | "roi" => Fmt::Real,
                "revenue" | "cost" | "profit" => Fmt::Money,
                _ => Fmt::Count,
            };
            let k = |leaf: &[&'static str]| {
                let mut p = vec!["metrics", name.as_str()];
                p.extend_from_slice(leaf);
                self.num(&p, fmt)
            };
            let _ = writeln!(
                rows,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}–{}</td><td>{}</td></tr>",
                esc(&name.replace('_', " ")),
                k(&["mean"]),
                self.interval(&["metrics", name.as_str(), "ci95"], fmt),
                k(&["p5"]),
                k(&["p95"]),
                k(&["p50"]),
            );
        }
        let _ = write!(
            self.out,
            "<section class=\"table\">\n<h2>Every metric per campaign</h2>\n<table>\n<thead><tr><th>Metric</th><th>Mean</th><th>95% interval of the mean</th><th>5–95% of campaigns</th><th>Median</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n<p class=\"small\">Counts are people (seeds included); depth and structural virality are in ties; time to peak and duration in steps; response rate and virality per person reached.</p>\n</section>\n"
        );
    }

    fn groups(&mut self, key: &str, what: &str) {
        let Some(groups) = self.s.get(key).and_then(Value::as_object) else {
            return;
        };
        if groups.is_empty() {
            return;
        }
        let names: Vec<String> = groups.keys().cloned().collect();
        let mut rows = String::new();
        for g in &names {
            let _ = writeln!(
                rows,
                "<tr><th scope=\"row\">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{} <span class=\"ci\">[{}]</span></td></tr>",
                esc(g),
                self.num(&[key, g, "people"], Fmt::Count),
                self.mean_ci(&[key, g, "reached"], Fmt::Count),
                self.mean_ci(&[key, g, "engaged"], Fmt::Count),
                self.num(&[key, g, "engagement_rate"], Fmt::Pct),
                self.interval(&[key, g, "engagement_rate_ci95"], Fmt::Pct),
            );
        }
        let _ = write!(
            self.out,
            "<section class=\"table\">\n<h2>By {what}</h2>\n<table>\n<thead><tr><th>{}</th><th>People</th><th>Reached per campaign</th><th>Engaged per campaign</th><th>Engagement rate</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n</section>\n",
            esc(&capitalised(what))
        );
    }

    fn assumptions(&mut self) {
        fn run(k: &str) -> [&str; 2] {
            ["run", k]
        }
        let model = self
            .s
            .pointer("/run/model")
            .and_then(Value::as_str)
            .unwrap_or("")
            .replace('_', " ");
        let horizon = match self.get(&run("horizon")) {
            Some(_) => format!("{} steps", self.num(&run("horizon"), Fmt::Count)),
            None => "none (until the cascade dies out)".into(),
        };
        let seeds: Vec<String> = self
            .s
            .pointer("/run/seeds")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        let seeds_shown = if seeds.is_empty() {
            "drawn afresh in every campaign".to_string()
        } else if seeds.len() <= 12 {
            esc(&seeds.join(", "))
        } else {
            format!(
                "{} … and {} more",
                esc(&seeds[..12].join(", ")),
                seeds.len() - 12
            )
        };
        let mut rows = vec![
            (
                "Graph".to_string(),
                format!(
                    "{} people, {} arcs (who sees whose shares)",
                    self.num(&run("nodes"), Fmt::Count),
                    self.num(&run("arcs"), Fmt::Count)
                ),
            ),
            ("Model".into(), esc(&model)),
            ("Horizon".into(), horizon),
            (
                "Trials".into(),
                format!(
                    "{} simulated campaigns, master seed {} (the same seed gives the same numbers on any machine)",
                    self.num(&run("trials"), Fmt::Count),
                    esc(&self
                        .s
                        .pointer("/run/seed")
                        .map(Value::to_string)
                        .unwrap_or_default())
                ),
            ),
            (
                "Seeds per campaign".into(),
                format!(
                    "{}: {seeds_shown}",
                    self.num(&run("seeds_per_trial"), Fmt::Count)
                ),
            ),
        ];
        if self.get(&run("paid_reached_mean")).is_some_and(|x| x > 0.0) {
            rows.push((
                "Paid reach".into(),
                format!(
                    "{} people per campaign on average",
                    self.num(&run("paid_reached_mean"), Fmt::Count)
                ),
            ));
        }
        self.scenario_rows(
            &mut rows,
            &[
                ("graph", "Graph settings"),
                ("content", "Content"),
                ("seeding", "Seeding plan"),
                ("economics", "Economics"),
                ("crisis", "Crisis (claim and correction)"),
            ],
        );
        assumptions_table(
            &mut self.out,
            &rows,
            "<p class=\"small\">Content and seeding as written in the scenario file (<code>scenario.toml</code> in this folder).</p>\n",
        );
    }

    /// Appends a row per scenario table of `tables` (key, label) that the
    /// scenario has: its keys inline.
    pub(crate) fn scenario_rows(&self, rows: &mut Vec<(String, String)>, tables: &[(&str, &str)]) {
        for &(table, label) in tables {
            if let Some(t) = self.scenario.get(table).and_then(toml::Value::as_table) {
                rows.push((label.into(), esc(&toml_inline(t))));
            }
        }
    }

    fn intervals_note(&mut self) {
        let _ = write!(
            self.out,
            "<section class=\"note\">\n<h2>How to read the intervals</h2>\n<p>Each campaign is simulated {} times with different random draws: who happens to see a share, who engages, who passes it on. A number like <em>6,437 [6,407–6,466]</em> is the average over those simulations, and in brackets the range that holds the true average of the model with 95% confidence. It narrows as more campaigns are simulated.</p>\n<p>It does <em>not</em> say how much one real campaign varies: single campaigns spread much more widely, as the “5–95% of campaigns” column and the chart whiskers and bands show (nine in ten simulated campaigns fall inside). And every number holds only under the model’s assumptions above; a different audience, content or seeding plan gives different numbers.</p>\n</section>\n",
            self.num(&["run", "trials"], Fmt::Count)
        );
    }
}

/// Writes a page's opening: the document head with the style sheet, and
/// the header with `kicker`, the title, the description (when not empty)
/// and the question (HTML).
pub(crate) fn page_head(
    o: &mut String,
    title: &str,
    kicker: &str,
    description: &str,
    question: &str,
) {
    o.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    o.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    let _ = writeln!(o, "<title>{} — viralsim report</title>", esc(title));
    o.push_str(STYLE);
    o.push_str("</head>\n<body>\n<main>\n");
    let _ = writeln!(
        o,
        "<header>\n<p class=\"kicker\">{}</p>\n<h1>{}</h1>",
        esc(kicker),
        esc(title)
    );
    if !description.is_empty() {
        let _ = writeln!(o, "<p class=\"description\">{}</p>", esc(description));
    }
    let _ = writeln!(
        o,
        "<p class=\"question\"><strong>The question:</strong> {question}</p>\n</header>"
    );
}

/// Writes a chart as a figure: the image embedded as a data URI, with its
/// caption; `name` is its id.
pub(crate) fn figure(o: &mut String, name: &str, mime: &str, bytes: &[u8], caption: &str) {
    let _ = writeln!(
        o,
        "<figure id=\"{n}\">\n<img alt=\"{n} chart\" src=\"data:{mime};base64,{}\">\n<figcaption>{}</figcaption>\n</figure>",
        base64(bytes),
        esc(caption),
        n = esc(name),
    );
}

/// Writes the "Key assumptions" section: a row per (label, HTML value),
/// then `footer` (HTML, may be empty).
pub(crate) fn assumptions_table(o: &mut String, rows: &[(String, String)], footer: &str) {
    o.push_str("<section class=\"table\">\n<h2>Key assumptions</h2>\n<table class=\"assumptions\">\n<tbody>\n");
    for (k, v) in rows {
        let _ = writeln!(o, "<tr><th scope=\"row\">{}</th><td>{v}</td></tr>", esc(k));
    }
    o.push_str("</tbody>\n</table>\n");
    o.push_str(footer);
    o.push_str("</section>\n");
}

/// A TOML table as `key = value; …` on one line, sub-tables inline.
pub(crate) fn toml_inline(t: &toml::Table) -> String {
    t.iter()
        .map(|(k, v)| format!("{k} = {}", toml_value(v)))
        .collect::<Vec<_>>()
        .join("; ")
}

fn toml_value(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Table(t) => format!("{{ {} }}", toml_inline(t).replace("; ", ", ")),
        toml::Value::Array(a) => {
            let items: Vec<String> = a.iter().map(toml_value).collect();
            if items.len() > 8 {
                format!("[{}, … {} more]", items[..8].join(", "), items.len() - 8)
            } else {
                format!("[{}]", items.join(", "))
            }
        }
        other => other.to_string(),
    }
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

pub(crate) const STYLE: &str = r#"<style>
:root { --ink: #1d2230; --muted: #5b6272; --rule: #d9dde5; --accent: #1f77b4; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font: 16px/1.5 "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; }
main { max-width: 60rem; margin: 0 auto; padding: 2rem 1.5rem 4rem; }
h1 { font-size: 2rem; margin: 0.2rem 0 0.5rem; }
h2 { font-size: 1.3rem; margin: 2rem 0 0.6rem; border-bottom: 2px solid var(--rule); padding-bottom: 0.2rem; }
.kicker { text-transform: uppercase; letter-spacing: 0.08em; color: var(--accent); font-size: 0.8rem; margin: 0; }
.description { font-size: 1.1rem; margin: 0 0 0.6rem; }
.question { background: #f3f6fa; border-left: 4px solid var(--accent); padding: 0.6rem 0.9rem; margin: 0.6rem 0 0; }
.headlines li { margin: 0.35rem 0; font-size: 1.05rem; }
.ci { color: var(--muted); white-space: nowrap; }
.small { color: var(--muted); font-size: 0.85rem; }
figure { margin: 1.2rem 0; break-inside: avoid; page-break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; border: 1px solid var(--rule); }
figcaption { color: var(--muted); font-size: 0.9rem; margin-top: 0.3rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; break-inside: avoid; page-break-inside: avoid; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--rule); vertical-align: top; }
thead th { border-bottom: 2px solid var(--ink); }
td { font-variant-numeric: tabular-nums; }
.assumptions td { overflow-wrap: anywhere; }
code { font-size: 0.9em; }
@page { margin: 14mm; }
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .charts figure { max-width: 17cm; }
  section.note, section.headlines { break-inside: avoid; page-break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
</style>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_4648_test_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), enc);
        }
    }

    #[test]
    fn numbers_are_formatted_for_people() {
        assert_eq!(format_value(15558.4, Fmt::Count), "15,558");
        assert_eq!(format_value(1234567.0, Fmt::Count), "1,234,567");
        assert_eq!(format_value(100.0, Fmt::Count), "100");
        assert_eq!(format_value(999.5, Fmt::Count), "1,000");
        assert_eq!(format_value(46.4965, Fmt::Count), "46.5");
        assert_eq!(format_value(-2500.0, Fmt::Money), "-2,500");
        assert_eq!(format_value(0.11939, Fmt::Pct), "11.9%");
        assert_eq!(format_value(4.6287, Fmt::Real), "4.63");
    }

    #[test]
    fn pointers_escape_slashes_and_tildes() {
        assert_eq!(
            pointer(&["segments", "a/b~c", "people"]),
            "/segments/a~1b~0c/people"
        );
        let v: Value = serde_json::json!({"segments": {"a/b~c": {"people": 3}}});
        assert_eq!(
            v.pointer(&pointer(&["segments", "a/b~c", "people"])),
            Some(&Value::from(3))
        );
    }

    #[test]
    fn text_from_the_scenario_is_escaped() {
        let s = serde_json::json!({"run": {"name": "<b>x</b>"}, "metrics": {}});
        let html = render(&s, "description = \"a & <script>\"", &[]);
        assert!(html.contains("&lt;b&gt;x&lt;/b&gt;"));
        assert!(html.contains("a &amp; &lt;script&gt;"));
        assert!(!html.contains("<script"));
    }
}
