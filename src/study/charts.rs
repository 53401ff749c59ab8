//! Charts of studies: a metric against one swept key with its 95% band (and
//! the theory line for a textbook stickiness sweep), a heat map per metric
//! for two keys, and the arms of a comparison with their differences.

use super::compare::CompareReport;
use super::overrides::{value_label, value_number};
use super::sweep::{DEFAULT_CHART_METRICS, SweepReport};
use crate::error::{Error, Result};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::{Path, PathBuf};

const W: u32 = 1600;
const H: u32 = 1000;
const FONT: &str = "sans-serif";
const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(255, 127, 14);
const RED: RGBColor = RGBColor(214, 39, 40);
const GREY: RGBColor = RGBColor(110, 110, 110);

fn register_fonts() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

fn err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::write(path, format!("chart rendering failed: {e}"))
}

fn short(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 10.0 {
        format!("{x:.0}")
    } else if a >= 1.0 {
        format!("{x:.1}")
    } else if a >= 0.001 {
        format!("{x:.3}")
    } else {
        format!("{x:.1e}")
    }
}

/// Words and unit for a metric on an axis.
fn metric_axis(name: &str, unit: &str) -> String {
    match name {
        "going_viral" => "P(viral): share of campaigns reaching the viral threshold".into(),
        "roi" => "ROI (profit per unit of cost)".into(),
        _ => format!("{} per campaign ({unit})", name.replace('_', " ")),
    }
}

/// The metrics to chart: those asked for (or the defaults) that the points have.
fn chosen(r: &SweepReport) -> Vec<String> {
    let have = |m: &str| r.results[0].rows.iter().any(|row| row.metric == m);
    match &r.plan.metrics {
        Some(ms) => ms.iter().filter(|m| have(m)).cloned().collect(),
        None => DEFAULT_CHART_METRICS
            .iter()
            .filter(|m| have(m))
            .map(|m| m.to_string())
            .collect(),
    }
}

/// Renders the sweep's charts into `dir` (`sweep_<metric>.png`); returns
/// their paths.
///
/// # Errors
/// [`Error::Write`] when a chart cannot be rendered or written.
pub fn sweep_charts(r: &SweepReport, dir: &Path) -> Result<Vec<PathBuf>> {
    register_fonts();
    let mut out = Vec::new();
    for m in chosen(r) {
        let p = dir.join(format!("sweep_{m}.png"));
        match r.plan.axes.len() {
            1 => line_chart(r, &m, &p)?,
            2 => heat_map(r, &m, &p)?,
            _ => continue,
        }
        out.push(p);
    }
    Ok(out)
}

fn unit_of(r: &SweepReport, m: &str) -> String {
    r.results[0]
        .summary
        .table
        .iter()
        .find(|i| i.name == m)
        .map(|i| i.unit.clone())
        .unwrap_or_default()
}

fn line_chart(r: &SweepReport, metric: &str, path: &Path) -> Result<()> {
    let axis = &r.plan.axes[0];
    let numeric = axis.values.iter().all(|v| value_number(v).is_some());
    let log = numeric && axis.log;
    let xs: Vec<f64> = r
        .plan
        .points
        .iter()
        .map(|p| {
            if numeric {
                let x = value_number(&p.values[0]).expect("numeric");
                if log { x.log10() } else { x }
            } else {
                p.index as f64
            }
        })
        .collect();
    let rows: Vec<&super::Row> = r
        .results
        .iter()
        .map(|res| {
            res.rows
                .iter()
                .find(|row| row.metric == metric)
                .expect("chosen")
        })
        .collect();
    let n_people = r.results[0].summary.run.nodes as f64;
    let seeds = r.results[0].summary.run.seeds_per_trial.max(1) as i32;
    // Theory values for the metrics it predicts.
    let theory: Option<Vec<(f64, f64)>> = r.theory.as_ref().and_then(|t| {
        let f = |p: &super::theory::Prediction| {
            let large = 1.0 - (1.0 - p.outbreak_probability).powi(seeds);
            match metric {
                "engaged" => Some(large * p.engaged_share * n_people),
                "reached" => Some(large * p.reached_share * n_people),
                "going_viral" => Some(large),
                _ => None,
            }
        };
        t.curve
            .iter()
            .map(|p| {
                let x = if log {
                    p.transmissibility.log10()
                } else {
                    p.transmissibility
                };
                f(p).map(|y| (x, y))
            })
            .collect()
    });
    let (mut lo, mut hi) = xs
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    if hi <= lo {
        lo -= 0.5;
        hi += 0.5;
    }
    let pad = (hi - lo) * 0.03;
    let mut ymax = rows.iter().map(|r| r.ci95[1]).fold(0.0f64, f64::max);
    let mut ymin = rows.iter().map(|r| r.ci95[0]).fold(0.0f64, f64::min);
    if let Some(th) = &theory {
        ymax = th.iter().map(|p| p.1).fold(ymax, f64::max);
        ymin = th.iter().map(|p| p.1).fold(ymin, f64::min);
    }
    if ymax <= ymin {
        ymax = ymin + 1.0;
    }
    let span = ymax - ymin;
    let root = BitMapBackend::new(path, (W, H)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(path, e))?;
    let labels: Vec<String> = axis.values.iter().map(value_label).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "{}: {} against {}",
                r.plan.name,
                metric.replace('_', " "),
                axis.key
            ),
            (FONT, 44).into_font().style(FontStyle::Bold),
        )
        .margin(30)
        .x_label_area_size(90)
        .y_label_area_size(150)
        .build_cartesian_2d(
            lo - pad..hi + pad,
            (ymin - 0.04 * span).min(0.0)..ymax + 0.08 * span,
        )
        .map_err(|e| err(path, e))?;
    let x_fmt = |x: &f64| {
        if !numeric {
            let i = x.round();
            if (x - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < labels.len() {
                labels[i as usize].clone()
            } else {
                String::new()
            }
        } else if log {
            short(10f64.powf(*x))
        } else {
            short(*x)
        }
    };
    chart
        .configure_mesh()
        .x_desc(format!(
            "{}{}",
            axis.key,
            if log { " (log scale)" } else { "" }
        ))
        .y_desc(metric_axis(metric, &unit_of(r, metric)))
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|y| short(*y))
        .x_labels(if numeric { 10 } else { labels.len() })
        .label_style((FONT, 28))
        .axis_desc_style((FONT, 32))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| err(path, e))?;
    let mut band: Vec<(f64, f64)> = xs.iter().zip(&rows).map(|(&x, r)| (x, r.ci95[1])).collect();
    band.extend(xs.iter().zip(&rows).rev().map(|(&x, r)| (x, r.ci95[0])));
    chart
        .draw_series(std::iter::once(Polygon::new(band, BLUE.mix(0.2))))
        .map_err(|e| err(path, e))?
        .label("95% interval of the mean")
        .legend(|(x, y)| Rectangle::new([(x, y - 8), (x + 30, y + 8)], BLUE.mix(0.2).filled()));
    chart
        .draw_series(LineSeries::new(
            xs.iter().zip(&rows).map(|(&x, r)| (x, r.mean)),
            BLUE.stroke_width(4),
        ))
        .map_err(|e| err(path, e))?
        .label("Simulated mean (common random numbers)")
        .legend(|(x, y)| Rectangle::new([(x, y - 2), (x + 30, y + 2)], BLUE.filled()));
    chart
        .draw_series(
            xs.iter()
                .zip(&rows)
                .map(|(&x, r)| Circle::new((x, r.mean), 6, BLUE.filled())),
        )
        .map_err(|e| err(path, e))?;
    if let (Some(th), Some(t)) = (&theory, &r.theory) {
        chart
            .draw_series(DashedLineSeries::new(
                th.clone(),
                14,
                8,
                RED.stroke_width(4),
            ))
            .map_err(|e| err(path, e))?
            .label("Configuration-model prediction (Newman 2002)")
            .legend(|(x, y)| Rectangle::new([(x, y - 2), (x + 30, y + 2)], RED.filled()));
        let xc = if log {
            t.threshold.log10()
        } else {
            t.threshold
        };
        let top = ymax + 0.04 * span;
        chart
            .draw_series(DashedLineSeries::new(
                [(xc, 0.0), (xc, top)],
                10,
                8,
                RED.stroke_width(2),
            ))
            .map_err(|e| err(path, e))?
            .label(format!(
                "Threshold, theory: {} = {:.4}",
                t.formula, t.threshold
            ))
            .legend(|(x, y)| Rectangle::new([(x, y - 1), (x + 30, y + 1)], RED.filled()));
        if let Some(e) = &t.estimated_threshold {
            let f = |v: f64| if log { v.log10() } else { v };
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(f(e.ci95[0]), 0.0), (f(e.ci95[1]), top)],
                    ORANGE.mix(0.25).filled(),
                )))
                .map_err(|err_| err(path, err_))?
                .label(format!(
                    "Threshold, simulated: {:.4} [{:.4}, {:.4}]",
                    e.estimate, e.ci95[0], e.ci95[1]
                ))
                .legend(|(x, y)| {
                    Rectangle::new([(x, y - 8), (x + 30, y + 8)], ORANGE.mix(0.5).filled())
                });
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FONT, 26))
        .background_style(WHITE.mix(0.85))
        .border_style(GREY)
        .draw()
        .map_err(|e| err(path, e))?;
    root.present().map_err(|e| err(path, e))
}

/// Viridis-like colour of `f` ∈ [0, 1].
fn colour(f: f64) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let f = if f.is_finite() {
        f.clamp(0.0, 1.0)
    } else {
        0.0
    } * 4.0;
    let i = (f.floor() as usize).min(3);
    let t = f - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + t * (y - x)).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

fn heat_map(r: &SweepReport, metric: &str, path: &Path) -> Result<()> {
    let (ax, ay) = (&r.plan.axes[0], &r.plan.axes[1]);
    let (nx, ny) = (ax.values.len(), ay.values.len());
    let means: Vec<f64> = r
        .results
        .iter()
        .map(|res| {
            res.rows
                .iter()
                .find(|row| row.metric == metric)
                .map_or(0.0, |row| row.mean)
        })
        .collect();
    let (lo, hi) = means
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &x| {
            (a.min(x), b.max(x))
        });
    let root = BitMapBackend::new(path, (W, H)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(path, e))?;
    let xl: Vec<String> = ax.values.iter().map(value_label).collect();
    let yl: Vec<String> = ay.values.iter().map(value_label).collect();
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!(
                "{}: mean {} per campaign ({}) by {} × {}",
                r.plan.name,
                metric.replace('_', " "),
                unit_of(r, metric),
                ax.key,
                ay.key
            ),
            (FONT, 34).into_font().style(FontStyle::Bold),
        )
        .margin(30)
        .x_label_area_size(90)
        .y_label_area_size(170)
        .build_cartesian_2d(
            (0..nx.max(2) - 1).into_segmented(),
            (0..ny.max(2) - 1).into_segmented(),
        )
        .map_err(|e| err(path, e))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(ax.key.clone())
        .y_desc(ay.key.clone())
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if *i < nx => xl[*i].clone(),
            _ => String::new(),
        })
        .y_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if *i < ny => yl[*i].clone(),
            _ => String::new(),
        })
        .x_labels(nx.min(30))
        .y_labels(ny.min(30))
        .label_style((FONT, 26))
        .axis_desc_style((FONT, 32))
        .draw()
        .map_err(|e| err(path, e))?;
    let span = if hi > lo { hi - lo } else { 1.0 };
    for (k, &m) in means.iter().enumerate() {
        let (i, j) = (k / ny, k % ny);
        let f = (m - lo) / span;
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [
                    (SegmentValue::Exact(i), SegmentValue::Exact(j)),
                    (SegmentValue::Exact(i + 1), SegmentValue::Exact(j + 1)),
                ],
                colour(f).filled(),
            )))
            .map_err(|e| err(path, e))?;
        if nx * ny <= 400 {
            let ink = if f > 0.6 { BLACK } else { WHITE };
            chart
                .draw_series(std::iter::once(Text::new(
                    short(m),
                    (SegmentValue::CenterOf(i), SegmentValue::CenterOf(j)),
                    (FONT, 24).into_font().color(&ink),
                )))
                .map_err(|e| err(path, e))?;
        }
    }
    root.present().map_err(|e| err(path, e))
}

/// One panel: values with intervals per arm (x = arm index).
fn panel(
    area: &DrawingArea<BitMapBackend<'_>, Shift>,
    path: &Path,
    title: &str,
    y_desc: &str,
    labels: &[String],
    items: &[(usize, f64, [f64; 2], RGBColor)],
    zero_line: bool,
) -> Result<()> {
    let n = labels.len();
    let mut lo = items.iter().map(|i| i.2[0]).fold(f64::INFINITY, f64::min);
    let mut hi = items
        .iter()
        .map(|i| i.2[1])
        .fold(f64::NEG_INFINITY, f64::max);
    if zero_line || lo > 0.0 {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
    }
    if hi.partial_cmp(&lo) != Some(std::cmp::Ordering::Greater) {
        hi = lo + 1.0;
    }
    let pad = (hi - lo) * 0.1;
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 28).into_font().style(FontStyle::Bold))
        .margin(14)
        .x_label_area_size(50)
        .y_label_area_size(110)
        .build_cartesian_2d((0..n - 1).into_segmented(), lo - pad..hi + pad)
        .map_err(|e| err(path, e))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_desc(y_desc)
        .x_label_formatter(&|v| match v {
            SegmentValue::CenterOf(i) if *i < n => labels[*i].clone(),
            _ => String::new(),
        })
        .y_label_formatter(&|y| short(*y))
        .label_style((FONT, 22))
        .axis_desc_style((FONT, 22))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| err(path, e))?;
    if zero_line {
        chart
            .draw_series(LineSeries::new(
                [(SegmentValue::Exact(0), 0.0), (SegmentValue::Exact(n), 0.0)],
                GREY.stroke_width(2),
            ))
            .map_err(|e| err(path, e))?;
    }
    for &(k, mean, ci, c) in items {
        chart
            .draw_series(std::iter::once(ErrorBar::new_vertical(
                SegmentValue::CenterOf(k),
                ci[0],
                mean,
                ci[1],
                c.stroke_width(3),
                24,
            )))
            .map_err(|e| err(path, e))?;
        chart
            .draw_series(std::iter::once(Circle::new(
                (SegmentValue::CenterOf(k), mean),
                7,
                c.filled(),
            )))
            .map_err(|e| err(path, e))?;
    }
    Ok(())
}

/// The comparison chart: per shown metric (at most five), the arms' means
/// with 95% intervals above, and each arm's difference against the first
/// with its (paired) 95% interval below.
///
/// # Errors
/// [`Error::Write`] when the chart cannot be rendered or written.
pub fn compare_chart(r: &CompareReport, path: &Path) -> Result<()> {
    register_fonts();
    let metrics: Vec<_> = r.metrics.iter().filter(|m| m.shown).take(5).collect();
    let root = BitMapBackend::new(path, (W, H)).into_drawing_area();
    root.fill(&WHITE).map_err(|e| err(path, e))?;
    let paired = r.paired.iter().skip(1).all(|&p| p);
    let letters: Vec<String> = (0..r.labels.len())
        .map(|k| char::from(b'A' + (k % 26) as u8).to_string())
        .collect();
    let key: Vec<String> = letters
        .iter()
        .zip(&r.labels)
        .map(|(l, name)| format!("{l} = {name}"))
        .collect();
    let root = root
        .titled(
            &format!(
                "{}: mean per campaign (95% CI) above; difference vs A below ({})",
                key.join(", "),
                if paired {
                    "paired 95% CI"
                } else {
                    "some arms unpaired"
                }
            ),
            (FONT, 28).into_font().style(FontStyle::Bold),
        )
        .map_err(|e| err(path, e))?;
    let cols = metrics.len().max(1);
    let cells = root.split_evenly((2, cols));
    let short_labels = letters;
    for (c, m) in metrics.iter().enumerate() {
        let arms: Vec<(usize, f64, [f64; 2], RGBColor)> = m
            .arms
            .iter()
            .enumerate()
            .map(|(k, a)| (k, a.mean, a.ci95, if k == 0 { GREY } else { BLUE }))
            .collect();
        let unit = if m.metric == "going_viral" {
            "share"
        } else {
            "per campaign"
        };
        panel(&cells[c], path, &m.label, unit, &short_labels, &arms, false)?;
        let diffs: Vec<(usize, f64, [f64; 2], RGBColor)> = m
            .arms
            .iter()
            .enumerate()
            .filter_map(|(k, a)| {
                a.versus_first
                    .as_ref()
                    .map(|d| (k, d.mean, d.ci95, if d.paired { ORANGE } else { RED }))
            })
            .collect();
        panel(
            &cells[cols + c],
            path,
            &format!("{} − A", m.label),
            "difference",
            &short_labels,
            &diffs,
            true,
        )?;
    }
    root.present().map_err(|e| err(path, e))
}
