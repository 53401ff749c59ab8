//! Charts for reports, as PNG or SVG (by the file's extension), rendered
//! with an embedded font (DejaVu Sans), so they look the same on any
//! machine: the SVGs carry the font as an `@font-face` data URI and keep
//! text as text. 1600 × 1000 pixels, readable on a slide. Every chart is
//! drawn by one function generic over the plotters backend.

use crate::engine::Ensemble;
use crate::error::{Error, Result};
use crate::metrics::Summary;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::Path;
use std::sync::Once;

const W: u32 = 1600;
const H: u32 = 1000;
const FONT: &str = "sans-serif";
const BLUE: RGBColor = RGBColor(31, 119, 180);
const ORANGE: RGBColor = RGBColor(255, 127, 14);
const GREEN: RGBColor = RGBColor(44, 160, 44);
const RED: RGBColor = RGBColor(214, 39, 40);
const PURPLE: RGBColor = RGBColor(148, 103, 189);

fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // DejaVu is a valid font; failure here would be a packaging bug.
        let _ = plotters::style::register_font(FONT, FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font(FONT, FontStyle::Bold, dejavu::sans::bold());
    });
}

fn err(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::write(path, format!("chart rendering failed: {e}"))
}

/// Which chart files a run writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ChartFormat {
    /// PNG only (the default).
    #[default]
    Png,
    /// SVG only.
    Svg,
    /// PNG and SVG.
    Both,
}

impl ChartFormat {
    /// The file extensions written, PNG first.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            ChartFormat::Png => &["png"],
            ChartFormat::Svg => &["svg"],
            ChartFormat::Both => &["png", "svg"],
        }
    }
}

impl std::str::FromStr for ChartFormat {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        match s {
            "png" => Ok(ChartFormat::Png),
            "svg" => Ok(ChartFormat::Svg),
            "both" => Ok(ChartFormat::Both),
            other => Err(format!(
                "'{other}' is not a chart format; allowed: png, svg, both"
            )),
        }
    }
}

/// The family name the SVGs' embedded DejaVu Sans goes by.
const SVG_FONT: &str = "DejaVuSansViralsim";

/// An SVG with DejaVu Sans (regular and bold) embedded as `@font-face` data
/// URIs and its text set in it.
fn embed_font(svg: &str) -> String {
    let face = |weight: &str, ttf: &[u8]| {
        format!(
            "@font-face{{font-family:'{SVG_FONT}';font-weight:{weight};src:url(data:font/ttf;base64,{}) format('truetype');}}",
            crate::report::base64(ttf)
        )
    };
    let style = format!(
        "<defs><style type=\"text/css\">{}{}</style></defs>",
        face("normal", dejavu::sans::regular()),
        face("bold", dejavu::sans::bold())
    );
    let svg = svg.replace(
        &format!("font-family=\"{FONT}\""),
        &format!("font-family=\"'{SVG_FONT}', sans-serif\""),
    );
    match svg
        .find("<svg")
        .and_then(|i| svg[i..].find('>').map(|j| i + j + 1))
    {
        Some(at) => format!("{}\n{style}{}", &svg[..at], &svg[at..]),
        None => svg,
    }
}

/// Draws a chart to `path`: an SVG when its extension is `svg`, else a PNG.
/// `$root` names the white drawing area `$body` draws on (it returns
/// `Result<()>`); the body is instantiated once per backend.
macro_rules! render {
    ($path:expr, $root:ident => $body:expr) => {{
        let path: &Path = $path;
        register_fonts();
        if path.extension().is_some_and(|e| e == "svg") {
            let mut svg = String::new();
            {
                let $root = SVGBackend::with_string(&mut svg, (W, H)).into_drawing_area();
                $root.fill(&WHITE).map_err(|e| err(path, e))?;
                $body?;
                $root.present().map_err(|e| err(path, e))?;
            }
            std::fs::write(path, embed_font(&svg)).map_err(|e| Error::write(path, e))
        } else {
            let $root = BitMapBackend::new(path, (W, H)).into_drawing_area();
            $root.fill(&WHITE).map_err(|e| err(path, e))?;
            $body?;
            $root.present().map_err(|e| err(path, e))
        }
    }};
}

/// Formats a count for an axis: 12,345 or 1.5 for small values.
fn count_label(y: &f64) -> String {
    let y = *y;
    if y.abs() >= 100.0 || y == y.round() {
        let mut digits = format!("{:.0}", y.abs());
        let mut out = String::new();
        while digits.len() > 3 {
            let tail = digits.split_off(digits.len() - 3);
            out = format!(",{tail}{out}");
        }
        format!("{}{digits}{out}", if y < 0.0 { "-" } else { "" })
    } else {
        format!("{y:.1}")
    }
}

fn nice_max(x: f64) -> f64 {
    if x <= 0.0 {
        return 1.0;
    }
    x * 1.08
}

/// Expected cumulative reach and engagement per step with 5–95% bands.
///
/// # Errors
/// [`Error::Write`] if the PNG cannot be rendered or written.
pub fn reach_over_time(summary: &Summary, path: &Path) -> Result<()> {
    render!(path, root => reach_over_time_on(&root, summary, path))
}

fn reach_over_time_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &Summary,
    path: &Path,
) -> Result<()> {
    let ts = &summary.time_series;
    let steps = ts.steps.max(2);
    let ymax = nice_max(ts.reached.p95.iter().cloned().fold(0.0, f64::max));
    let mut chart = ChartBuilder::on(root)
        .caption(
            format!(
                "{}: expected reach and engagement over time",
                summary.run.name
            ),
            (FONT, 44).into_font().style(FontStyle::Bold),
        )
        .margin(30)
        .x_label_area_size(90)
        .y_label_area_size(150)
        .build_cartesian_2d(0f64..(steps - 1) as f64, 0f64..ymax)
        .map_err(|e| err(path, e))?;
    chart
        .configure_mesh()
        .x_desc("Step (sharing rounds after launch)")
        .y_desc("People (cumulative)")
        .y_label_formatter(&count_label)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .label_style((FONT, 28))
        .axis_desc_style((FONT, 32))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| err(path, e))?;
    for (band, color, label) in [
        (&ts.reached, BLUE, "Reached"),
        (&ts.engaged, ORANGE, "Engaged"),
    ] {
        let upper: Vec<(f64, f64)> = band
            .p95
            .iter()
            .enumerate()
            .map(|(i, &y)| (i as f64, y))
            .collect();
        let mut poly = upper.clone();
        poly.extend(
            band.p5
                .iter()
                .enumerate()
                .rev()
                .map(|(i, &y)| (i as f64, y)),
        );
        chart
            .draw_series(std::iter::once(Polygon::new(poly, color.mix(0.18))))
            .map_err(|e| err(path, e))?;
        // The mean as a 5-pixel brush of one-pixel paths: plotters' thick
        // polylines dip by a pixel or two over their last segment.
        let pixels: Vec<(i32, i32)> = band
            .mean
            .iter()
            .enumerate()
            .map(|(i, &y)| chart.backend_coord(&(i as f64, y)))
            .collect();
        for (dx, dy) in (-2i32..=2).flat_map(|dx| (-2i32..=2).map(move |dy| (dx, dy))) {
            if dx * dx + dy * dy <= 5 {
                let shifted: Vec<(i32, i32)> =
                    pixels.iter().map(|&(x, y)| (x + dx, y + dy)).collect();
                root.draw(&PathElement::new(shifted, color.stroke_width(1)))
                    .map_err(|e| err(path, e))?;
            }
        }
        chart
            .draw_series(LineSeries::new(std::iter::empty(), color.stroke_width(5)))
            .map_err(|e| err(path, e))?
            .label(format!("{label} (mean; band: 5–95% of trials)"))
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 30, y + 6)], color.filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::MiddleRight)
        .label_font((FONT, 30))
        .legend_area_size(50)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .margin(20)
        .draw()
        .map_err(|e| err(path, e))?;
    Ok(())
}

/// A log–log chart context, as the CCDF charts use.
type LogLog<'a, DB> = ChartContext<'a, DB, Cartesian2d<LogCoord<f64>, LogCoord<f64>>>;

/// Points (x, P(X ≥ x)) at each x with a positive count, from counts per
/// value (`hist[x]` = how many have value x; x = 0 is skipped).
fn ccdf_points(hist: &[u64]) -> Vec<(f64, f64)> {
    let n: u64 = hist.iter().sum();
    let mut above = n;
    let mut pts = Vec::new();
    for (x, &c) in hist.iter().enumerate() {
        if c > 0 && x > 0 {
            pts.push((x as f64, above as f64 / n as f64));
        }
        above -= c;
    }
    pts
}

/// Draws a complementary cumulative distribution chart on log–log axes:
/// frame, caption, axis labels, then `series` draws the data (labelled for
/// the legend), then the legend. `n` is the sample size (sets the lowest
/// probability shown); the x axis runs from the power of ten at or below
/// `xmin` (at least 1), the smallest value, to `xmax`, the largest.
#[allow(clippy::too_many_arguments)]
fn loglog_ccdf<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    path: &Path,
    caption: &str,
    x_desc: &str,
    y_desc: &str,
    xmin: f64,
    xmax: f64,
    n: u64,
    series: impl FnOnce(&mut LogLog<'_, DB>, f64) -> Result<()>,
) -> Result<()> {
    let ymin = (0.5 / n.max(1) as f64).min(0.1);
    let x0 = 10f64.powi(xmin.max(1.0).log10().floor() as i32);
    let mut chart = ChartBuilder::on(root)
        .caption(caption, (FONT, 44).into_font().style(FontStyle::Bold))
        .margin(30)
        .x_label_area_size(90)
        .y_label_area_size(150)
        .build_cartesian_2d(
            (x0..xmax.max(10.0 * x0)).log_scale(),
            (ymin..1.2f64).log_scale(),
        )
        .map_err(|e| err(path, e))?;
    chart
        .configure_mesh()
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style((FONT, 28))
        .axis_desc_style((FONT, 32))
        .x_label_formatter(&|&x| {
            // Within a decade plotters offers every multiple: label 1, 2
            // and 5 times a power of ten only, so the labels do not collide.
            let m = x / 10f64.powf(x.log10().floor());
            if [1.0, 2.0, 5.0, 10.0].iter().any(|k| (m - k).abs() < 1e-6) {
                count_label(&x)
            } else {
                String::new()
            }
        })
        .y_label_formatter(&|y| {
            let pct = y * 100.0;
            if pct >= 1.0 {
                format!("{pct:.0}%")
            } else {
                // Ticks are powers of ten computed in floating point
                // (0.009999999998): as many decimals as the power needs.
                let decimals = (-(pct.log10() + 1e-6).floor()).max(0.0) as usize;
                format!("{pct:.decimals$}%")
            }
        })
        .draw()
        .map_err(|e| err(path, e))?;
    series(&mut chart, ymin)?;
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .label_font((FONT, 30))
        .legend_area_size(50)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .margin(20)
        .draw()
        .map_err(|e| err(path, e))?;
    Ok(())
}

/// Complementary cumulative distribution of cascade size (engaged people)
/// on log–log axes.
///
/// # Errors
/// [`Error::Write`] if the PNG cannot be rendered or written.
pub fn cascade_ccdf(summary: &Summary, ens: &Ensemble, path: &Path) -> Result<()> {
    render!(path, root => cascade_ccdf_on(&root, summary, ens, path))
}

fn cascade_ccdf_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &Summary,
    ens: &Ensemble,
    path: &Path,
) -> Result<()> {
    let largest = ens.outcomes.iter().map(|o| o.engaged).max().unwrap_or(1) as usize;
    let mut hist = vec![0u64; largest + 1];
    for o in &ens.outcomes {
        hist[o.engaged.max(1) as usize] += 1;
    }
    let pts = ccdf_points(&hist);
    let smallest = ens
        .outcomes
        .iter()
        .map(|o| o.engaged.max(1))
        .min()
        .unwrap_or(1);
    let caption = format!(
        "{}: cascade size distribution ({} trials)",
        summary.run.name,
        count_label(&(ens.len() as f64))
    );
    loglog_ccdf(
        root,
        path,
        &caption,
        "Cascade size x (people engaged, seeds included)",
        "P(size ≥ x)",
        smallest as f64,
        largest as f64 * 1.5,
        ens.len() as u64,
        |chart, _| {
            chart
                .draw_series(LineSeries::new(pts.iter().copied(), BLUE.stroke_width(4)))
                .map_err(|e| err(path, e))?
                .label("Share of trials with a cascade at least this large")
                .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 30, y + 6)], BLUE.filled()));
            chart
                .draw_series(pts.iter().map(|&p| Circle::new(p, 5, BLUE.filled())))
                .map_err(|e| err(path, e))?;
            Ok(())
        },
    )
}

/// The funnel reached → engaged → shared → converted, with earned media:
/// bars at the mean per campaign, each labelled "mean ± half-width of its
/// 95% interval", with whiskers over the 5–95% range of trials. Stages far
/// smaller than the largest (under 5% of its mean, such as conversions next
/// to reach) get a second panel with an axis of their own, so every bar is
/// readable.
///
/// # Errors
/// [`Error::Write`] if the chart cannot be rendered or written.
pub fn funnel(summary: &Summary, path: &Path) -> Result<()> {
    render!(path, root => funnel_on(&root, summary, path))
}

/// One funnel stage: label, metric, colour.
type Stage<'a> = (String, &'a str, RGBColor);

fn funnel_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &Summary,
    path: &Path,
) -> Result<()> {
    const PALETTE: [RGBColor; 5] = [BLUE, ORANGE, GREEN, RED, PURPLE];
    let stages: Vec<Stage<'_>> = summary
        .table
        .iter()
        .filter(|m| m.show == crate::metrics::Show::Funnel)
        .enumerate()
        .map(|(i, m)| {
            (
                capitalised(&m.label),
                m.name.as_str(),
                PALETTE[i % PALETTE.len()],
            )
        })
        .collect();
    let largest = stages
        .iter()
        .map(|s| summary.metrics[s.1].mean)
        .fold(0.0, f64::max);
    let (big, small): (Vec<Stage<'_>>, Vec<Stage<'_>>) = stages
        .into_iter()
        .partition(|s| summary.metrics[s.1].mean >= 0.05 * largest);
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let top = Pos::new(HPos::Center, VPos::Top);
    root.draw(&Text::new(
        format!("{}: the campaign funnel", summary.run.name),
        (W as i32 / 2, 24),
        (FONT, 44)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK)
            .pos(top),
    ))
    .map_err(|e| err(path, e))?;
    root.draw(&Text::new(
        "Bars: mean per campaign, labelled mean ± 95% interval of the mean. Whiskers: 5–95% of trials.",
        (W as i32 / 2, 80),
        (FONT, 28)
            .into_font()
            .color(&RGBColor(70, 70, 70))
            .pos(top),
    ))
    .map_err(|e| err(path, e))?;
    let (_, body) = root.split_vertically(120);
    if small.is_empty() {
        return funnel_panel(&body, &big, summary, "People per campaign", None, path);
    }
    let split = (W as f64 * big.len() as f64 / (big.len() + small.len()) as f64) as u32;
    let (left, right) = body.split_horizontally(split.clamp(W / 3, W * 2 / 3));
    let names = |st: &[Stage<'_>]| {
        let v: Vec<String> = st.iter().map(|s| s.0.to_lowercase()).collect();
        capitalised(&v.join(", "))
    };
    funnel_panel(
        &left,
        &big,
        summary,
        "People per campaign",
        Some(names(&big)),
        path,
    )?;
    funnel_panel(
        &right,
        &small,
        summary,
        "People per campaign",
        Some(format!("{} (own scale)", names(&small))),
        path,
    )
}

/// One panel of [`funnel`]: bars, whiskers and labels of `stages` on an
/// axis of their own.
fn funnel_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    stages: &[Stage<'_>],
    summary: &Summary,
    y_desc: &str,
    caption: Option<String>,
    path: &Path,
) -> Result<()> {
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let top = stages
        .iter()
        .map(|s| {
            let m = &summary.metrics[s.1];
            m.p95.max(m.ci95.map_or(m.mean, |c| c[1]))
        })
        .fold(0.0, f64::max);
    // Room above the highest whisker for its label.
    let ymax = nice_max(top) * 1.12;
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(24)
        .x_label_area_size(80)
        .y_label_area_size(140);
    if let Some(c) = &caption {
        builder.caption(c, (FONT, 30).into_font().style(FontStyle::Bold));
    }
    let mut chart = builder
        .build_cartesian_2d((0..stages.len() - 1).into_segmented(), 0f64..ymax)
        .map_err(|e| err(path, e))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_desc("Stage")
        .y_desc(y_desc)
        .y_label_formatter(&count_label)
        .label_style((FONT, 26))
        .axis_desc_style((FONT, 30))
        .light_line_style(WHITE.mix(0.0))
        .x_label_formatter(&|x| match x {
            SegmentValue::CenterOf(i) if *i < stages.len() => stages[*i].0.clone(),
            _ => String::new(),
        })
        .draw()
        .map_err(|e| err(path, e))?;
    let label_style = (FONT, 26)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Bottom));
    for (i, (_, key, color)) in stages.iter().enumerate() {
        let m = summary.metrics[*key];
        let mut bar = Rectangle::new(
            [
                (SegmentValue::Exact(i), 0.0),
                (SegmentValue::Exact(i + 1), m.mean),
            ],
            color.mix(0.85).filled(),
        );
        bar.set_margin(0, 0, 24, 24);
        chart
            .draw_series(std::iter::once(bar))
            .map_err(|e| err(path, e))?;
        // The whisker in the panel's pixels: a line with caps, no marker.
        let (bx, by) = area.get_base_pixel();
        let px = |y: f64| {
            let (x, y) = chart.backend_coord(&(SegmentValue::CenterOf(i), y));
            (x - bx, y - by)
        };
        let (hi, lo) = (px(m.p95.max(m.mean)), px(m.p5.min(m.mean)));
        let style = BLACK.stroke_width(3);
        for el in [
            PathElement::new(vec![hi, lo], style),
            PathElement::new(vec![(hi.0 - 14, hi.1), (hi.0 + 14, hi.1)], style),
            PathElement::new(vec![(lo.0 - 14, lo.1), (lo.0 + 14, lo.1)], style),
        ] {
            area.draw(&el).map_err(|e| err(path, e))?;
        }
        area.draw(&Text::new(
            match m.stderr {
                Some(se) => format!(
                    "{} ± {}",
                    count_label(&m.mean),
                    count_label(&(1.959964 * se))
                ),
                // One trial: no interval to show.
                None => count_label(&m.mean),
            },
            (hi.0, hi.1 - 10),
            label_style.clone(),
        ))
        .map_err(|e| err(path, e))?;
    }
    Ok(())
}

/// `label` with its first letter in upper case.
fn capitalised(label: &str) -> String {
    let mut c = label.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Degree distribution of a social graph on log–log axes: P(degree ≥ k) for
/// out-degree (audience size) and, when it differs, in-degree, with the
/// fitted power law over its tail as a dashed line.
///
/// `out_hist[k]` / `in_hist[k]` count people with degree k.
///
/// # Errors
/// [`Error::Write`] if the PNG cannot be rendered or written.
pub fn degree_distribution(
    title: &str,
    out_hist: &[u64],
    in_hist: &[u64],
    fit: Option<&crate::graph::powerlaw::PowerLawFit>,
    path: &Path,
) -> Result<()> {
    render!(path, root => degree_distribution_on(&root, title, out_hist, in_hist, fit, path))
}

fn degree_distribution_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    out_hist: &[u64],
    in_hist: &[u64],
    fit: Option<&crate::graph::powerlaw::PowerLawFit>,
    path: &Path,
) -> Result<()> {
    let out_pts = ccdf_points(out_hist);
    let in_pts = if in_hist != out_hist {
        ccdf_points(in_hist)
    } else {
        Vec::new()
    };
    let n: u64 = out_hist.iter().sum::<u64>().max(1);
    let kmax = out_hist.len().max(in_hist.len()).max(2) as f64 * 1.5;
    loglog_ccdf(
        root,
        path,
        &format!("{title}: degree distribution"),
        "Degree k (people)",
        "P(degree ≥ k)",
        1.0,
        kmax,
        n,
        |chart, ymin| {
            chart
                .draw_series(LineSeries::new(
                    out_pts.iter().copied(),
                    BLUE.stroke_width(4),
                ))
                .map_err(|e| err(path, e))?
                .label("Out-degree (audience: people who see a share)")
                .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 30, y + 6)], BLUE.filled()));
            if !in_pts.is_empty() {
                chart
                    .draw_series(LineSeries::new(
                        in_pts.iter().copied(),
                        ORANGE.stroke_width(4),
                    ))
                    .map_err(|e| err(path, e))?
                    .label("In-degree (people one sees content from)")
                    .legend(|(x, y)| {
                        Rectangle::new([(x, y - 6), (x + 30, y + 6)], ORANGE.filled())
                    });
            }
            if let Some(f) = fit {
                use crate::graph::powerlaw::hurwitz_zeta;
                let z0 = hurwitz_zeta(f.exponent, f.k_min as f64);
                let scale = f.tail as f64 / n as f64;
                let last = out_hist.len().max(f.k_min as usize + 1) as f64;
                let mut pts = Vec::new();
                let mut k = f.k_min as f64;
                while k <= last {
                    let y = scale * hurwitz_zeta(f.exponent, k) / z0;
                    if y < ymin {
                        break;
                    }
                    pts.push((k, y));
                    k = (k * 1.1).max(k + 1.0).floor();
                }
                chart
                    .draw_series(DashedLineSeries::new(pts, 14, 8, RED.stroke_width(4)))
                    .map_err(|e| err(path, e))?
                    .label(format!(
                        "Power-law fit: α = {:.2} ± {:.2} for k ≥ {}",
                        f.exponent, f.stderr, f.k_min
                    ))
                    .legend(|(x, y)| Rectangle::new([(x, y - 3), (x + 30, y + 3)], RED.filled()));
            }
            Ok(())
        },
    )
}

/// Sorts `rows` (given by name) into the order of `order`; rows it does not
/// name keep their relative order after those it does.
fn in_declared_order<T>(rows: &mut [T], order: &[String], name: impl Fn(&T) -> &str) {
    rows.sort_by_key(|r| {
        order
            .iter()
            .position(|o| o == name(r))
            .unwrap_or(order.len())
    });
}

/// Which breakdown [`breakdown`] draws.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breakdown {
    /// Audience segments (`summary.segments`).
    Segments,
    /// Audience roles (`summary.roles`).
    Roles,
}

/// Results per segment or per role: above, people reached and engaged per
/// campaign (bars at the mean, whiskers over the 95% interval of the mean,
/// labelled with the mean); below, the engagement rate (engaged ÷ reached)
/// with its 95% interval. Groups are drawn in `order` (the scenario's
/// declaration order); groups it does not list come last, by name.
///
/// # Errors
/// [`Error::Write`] if the PNG cannot be rendered or written.
pub fn breakdown(summary: &Summary, by: Breakdown, order: &[String], path: &Path) -> Result<()> {
    render!(path, root => breakdown_on(&root, summary, by, order, path))
}

fn breakdown_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    summary: &Summary,
    by: Breakdown,
    order: &[String],
    path: &Path,
) -> Result<()> {
    struct Row {
        name: String,
        people: u64,
        reached: crate::metrics::Stat,
        engaged: crate::metrics::Stat,
        rate: f64,
        rate_ci: Option<[f64; 2]>,
    }
    let (what, mut rows): (&str, Vec<Row>) = match by {
        Breakdown::Segments => (
            "segment",
            summary
                .segments
                .iter()
                .map(|(k, s)| Row {
                    name: k.clone(),
                    people: s.people,
                    reached: s.reached,
                    engaged: s.engaged,
                    rate: s.engagement_rate,
                    rate_ci: s.engagement_rate_ci95,
                })
                .collect(),
        ),
        Breakdown::Roles => (
            "audience role",
            summary
                .roles
                .iter()
                .map(|(k, s)| Row {
                    name: k.clone(),
                    people: s.people,
                    reached: s.reached,
                    engaged: s.engaged,
                    rate: s.engagement_rate,
                    rate_ci: s.engagement_rate_ci95,
                })
                .collect(),
        ),
    };
    // Bars in the order the scenario declares the groups (the summary keeps
    // them by name); any group it does not name goes last, by name.
    in_declared_order(&mut rows, order, |r| &r.name);
    let k = rows.len().max(1);
    let xr = 0f64..k as f64;
    let (top, bottom) = root.split_vertically((H as f64 * 0.56) as u32);
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    let centre_top = Pos::new(HPos::Center, VPos::Top);
    let centre_bottom = Pos::new(HPos::Center, VPos::Bottom);
    let name_style = (FONT, 28).into_font().color(&BLACK).pos(centre_top);
    let people_style = (FONT, 22)
        .into_font()
        .color(&RGBColor(90, 90, 90))
        .pos(centre_top);
    let value_style = (FONT, 24).into_font().color(&BLACK).pos(centre_bottom);
    // A whisker over [lo, hi] at x, with caps (in pixels, so tiny intervals stay visible as a cap).
    let whisker =
        |area: &DrawingArea<DB, Shift>, top: (i32, i32), bottom: (i32, i32)| -> Result<()> {
            let style = BLACK.stroke_width(3);
            for el in [
                PathElement::new(vec![top, bottom], style),
                PathElement::new(vec![(top.0 - 12, top.1), (top.0 + 12, top.1)], style),
                PathElement::new(
                    vec![(bottom.0 - 12, bottom.1), (bottom.0 + 12, bottom.1)],
                    style,
                ),
            ] {
                area.draw(&el).map_err(|e| err(path, e))?;
            }
            Ok(())
        };
    // Group names under a panel, in pixels (plotters has no labels at arbitrary x).
    let group_names =
        |area: &DrawingArea<DB, Shift>, at: &dyn Fn(f64) -> (i32, i32)| -> Result<()> {
            for (i, r) in rows.iter().enumerate() {
                let (x, y) = at(i as f64 + 0.5);
                area.draw(&Text::new(r.name.clone(), (x, y + 10), name_style.clone()))
                    .map_err(|e| err(path, e))?;
                let p = format!("{} people", count_label(&(r.people as f64)));
                area.draw(&Text::new(p, (x, y + 44), people_style.clone()))
                    .map_err(|e| err(path, e))?;
            }
            Ok(())
        };

    // Top: people reached and engaged per campaign.
    let ymax = nice_max(
        rows.iter()
            .map(|r| {
                let top = |s: &crate::metrics::Stat| s.ci95.map_or(s.mean, |c| c[1].max(s.mean));
                top(&r.reached).max(top(&r.engaged))
            })
            .fold(0.0, f64::max),
    ) * 1.4;
    let mut chart = ChartBuilder::on(&top)
        .caption(
            format!("{}: reach and engagement by {what}", summary.run.name),
            (FONT, 40).into_font().style(FontStyle::Bold),
        )
        .margin(24)
        .margin_bottom(10)
        .x_label_area_size(80)
        .y_label_area_size(150)
        .build_cartesian_2d(xr.clone(), 0f64..ymax)
        .map_err(|e| err(path, e))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .x_label_formatter(&|_| String::new())
        .y_desc("People per campaign (mean, 95% CI)")
        .y_label_formatter(&count_label)
        .light_line_style(WHITE.mix(0.0))
        .label_style((FONT, 26))
        .axis_desc_style((FONT, 30))
        .draw()
        .map_err(|e| err(path, e))?;
    for (j, (label, color)) in [("Reached", BLUE), ("Engaged", ORANGE)]
        .into_iter()
        .enumerate()
    {
        let stat = |r: &Row| if j == 0 { r.reached } else { r.engaged };
        let x0 = |i: usize| i as f64 + 0.1 + 0.4 * j as f64;
        chart
            .draw_series(rows.iter().enumerate().map(|(i, r)| {
                Rectangle::new(
                    [(x0(i), 0.0), (x0(i) + 0.38, stat(r).mean)],
                    color.mix(0.85).filled(),
                )
            }))
            .map_err(|e| err(path, e))?
            .label(format!("{label} (people per campaign)"))
            .legend(move |(x, y)| Rectangle::new([(x, y - 8), (x + 30, y + 8)], color.filled()));
        for (i, r) in rows.iter().enumerate() {
            let s = stat(r);
            let hi =
                chart.backend_coord(&(x0(i) + 0.19, s.ci95.map_or(s.mean, |c| c[1].max(s.mean))));
            if let Some(c) = s.ci95 {
                let lo = chart.backend_coord(&(x0(i) + 0.19, c[0].max(0.0)));
                whisker(root, hi, lo)?;
            }
            root.draw(&Text::new(
                count_label(&s.mean),
                (hi.0, hi.1 - 8),
                value_style.clone(),
            ))
            .map_err(|e| err(path, e))?;
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FONT, 26))
        .legend_area_size(40)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .margin(12)
        .draw()
        .map_err(|e| err(path, e))?;
    let at = |x: f64| chart.backend_coord(&(x, 0.0));
    group_names(root, &at)?;

    // Bottom: engagement rate with its interval.
    let rmax = (rows
        .iter()
        .map(|r| r.rate_ci.map_or(r.rate, |c| c[1]))
        .fold(0.0, f64::max)
        * 100.0
        * 1.25)
        .max(1.0);
    let mut chart = ChartBuilder::on(&bottom)
        .caption(
            match by {
                Breakdown::Roles => format!(
                    "Engagement rate by {what} among people reached who were not seeds (with 95% CI)"
                ),
                Breakdown::Segments => {
                    format!("Engagement rate by {what} (engaged ÷ reached, with 95% CI)")
                }
            },
            (FONT, 32).into_font().style(FontStyle::Bold),
        )
        .margin(24)
        .margin_top(6)
        .x_label_area_size(80)
        .y_label_area_size(150)
        .build_cartesian_2d(xr, 0f64..rmax)
        .map_err(|e| err(path, e))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .x_label_formatter(&|_| String::new())
        .y_desc("Engagement rate (%)")
        .y_label_formatter(&|y| format!("{y:.0}%"))
        .light_line_style(WHITE.mix(0.0))
        .label_style((FONT, 26))
        .axis_desc_style((FONT, 30))
        .draw()
        .map_err(|e| err(path, e))?;
    chart
        .draw_series(rows.iter().enumerate().map(|(i, r)| {
            Rectangle::new(
                [(i as f64 + 0.3, 0.0), (i as f64 + 0.7, r.rate * 100.0)],
                GREEN.mix(0.85).filled(),
            )
        }))
        .map_err(|e| err(path, e))?;
    for (i, r) in rows.iter().enumerate() {
        let top = r.rate_ci.map_or(r.rate, |c| c[1].max(r.rate));
        let hi = chart.backend_coord(&(i as f64 + 0.5, top * 100.0));
        if let Some(c) = r.rate_ci {
            let lo = chart.backend_coord(&(i as f64 + 0.5, c[0].max(0.0) * 100.0));
            whisker(root, hi, lo)?;
        }
        root.draw(&Text::new(
            format!("{:.1}%", r.rate * 100.0),
            (hi.0, hi.1 - 8),
            value_style.clone(),
        ))
        .map_err(|e| err(path, e))?;
    }
    let at = |x: f64| chart.backend_coord(&(x, 0.0));
    group_names(root, &at)?;
    Ok(())
}

/// `crisis_over_time.png`: believers, protected and corrected per step
/// (mean, 5–95% band) for the crisis's first response delay, with the
/// claim's start and the response marked.
///
/// # Errors
/// [`Error::Write`] if the chart cannot be rendered or written.
pub fn crisis_over_time(
    name: &str,
    c: &crate::metrics::crisis::CrisisSummary,
    path: &Path,
) -> Result<()> {
    if c.delays.is_empty() {
        return Ok(());
    }
    render!(path, root => crisis_over_time_on(&root, name, c, path))
}

fn crisis_over_time_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    name: &str,
    c: &crate::metrics::crisis::CrisisSummary,
    path: &Path,
) -> Result<()> {
    // The first delay with a visible response (after the claim), else the first.
    let Some(d) = c
        .delays
        .iter()
        .find(|d| d.response_delay.is_some_and(|k| k > 0))
        .or(c.delays.first())
    else {
        return Ok(());
    };
    let ts = &d.time_series;
    let steps = ts.steps.max(2);
    let ymax = nice_max(
        [&ts.believers, &ts.protected, &ts.corrected]
            .iter()
            .flat_map(|b| b.p95.iter().cloned())
            .fold(1.0, f64::max),
    );
    let title = match d.response_delay {
        Some(k) => format!("{name}: the claim and a correction {k} steps later"),
        None => format!("{name}: the claim, never corrected"),
    };
    let mut chart = ChartBuilder::on(root)
        .caption(title, (FONT, 44).into_font().style(FontStyle::Bold))
        .margin(30)
        .x_label_area_size(90)
        .y_label_area_size(150)
        .build_cartesian_2d(0f64..(steps - 1) as f64, 0f64..ymax)
        .map_err(|e| err(path, e))?;
    chart
        .configure_mesh()
        .x_desc("Step (sharing rounds)")
        .y_desc("People (at the end of the step)")
        .y_label_formatter(&count_label)
        .x_label_formatter(&|x| format!("{x:.0}"))
        .label_style((FONT, 28))
        .axis_desc_style((FONT, 32))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(|e| err(path, e))?;
    for (band, color, label) in [
        (&ts.believers, RED, "Believers"),
        (&ts.protected, GREEN, "Protected"),
        (&ts.corrected, BLUE, "Corrected"),
    ] {
        let mut poly: Vec<(f64, f64)> = band
            .p95
            .iter()
            .enumerate()
            .map(|(i, &y)| (i as f64, y))
            .collect();
        poly.extend(
            band.p5
                .iter()
                .enumerate()
                .rev()
                .map(|(i, &y)| (i as f64, y)),
        );
        chart
            .draw_series(std::iter::once(Polygon::new(poly, color.mix(0.15))))
            .map_err(|e| err(path, e))?;
        chart
            .draw_series(LineSeries::new(
                band.mean.iter().enumerate().map(|(i, &y)| (i as f64, y)),
                color.stroke_width(5),
            ))
            .map_err(|e| err(path, e))?
            .label(format!("{label} (mean; band: 5–95% of trials)"))
            .legend(move |(x, y)| Rectangle::new([(x, y - 6), (x + 30, y + 6)], color.filled()));
    }
    let mut marks = vec![(c.claim_start as f64, "claim posted", BLACK, 0.97)];
    if let Some(k) = d.response_delay {
        marks.push(((c.claim_start + k) as f64, "response", PURPLE, 0.91));
    }
    for (x, text, color, at) in marks {
        if x > (steps - 1) as f64 {
            continue;
        }
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(x, 0.0), (x, ymax)],
                color.stroke_width(3),
            )))
            .map_err(|e| err(path, e))?;
        chart
            .draw_series(std::iter::once(Text::new(
                format!(" {text} (step {x:.0})"),
                (x, ymax * at),
                (FONT, 28).into_font().color(&color),
            )))
            .map_err(|e| err(path, e))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .label_font((FONT, 30))
        .legend_area_size(50)
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .margin(20)
        .draw()
        .map_err(|e| err(path, e))?;
    Ok(())
}

/// `damage_by_delay.png`: revenue lost (or, without `[economics]`,
/// purchases lost) and final believers against the response delay, each
/// with its 95% interval; `never` is the rightmost point.
///
/// # Errors
/// [`Error::Write`] if the chart cannot be rendered or written.
pub fn damage_by_delay(
    name: &str,
    c: &crate::metrics::crisis::CrisisSummary,
    path: &Path,
) -> Result<()> {
    render!(path, root => damage_by_delay_on(&root, name, c, path))
}

fn damage_by_delay_on<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    name: &str,
    c: &crate::metrics::crisis::CrisisSummary,
    path: &Path,
) -> Result<()> {
    let root = root
        .titled(
            &format!("{name}: what a later answer costs"),
            (FONT, 44).into_font().style(FontStyle::Bold),
        )
        .map_err(|e| err(path, e))?;
    let panels = root.split_evenly((1, 2));
    let n = c.delays.len();
    let labels: Vec<String> = c
        .delays
        .iter()
        .map(|d| match d.response_delay {
            Some(k) => k.to_string(),
            None => "never".into(),
        })
        .collect();
    let money = c.currency.clone();
    let loss_key = if money.is_some() {
        "revenue_lost"
    } else {
        "purchases_lost"
    };
    for (panel, (key, ylabel, color)) in panels.iter().zip([
        (
            loss_key,
            match &money {
                Some(cur) => format!("Revenue lost ({cur}, mean and 95% interval)"),
                None => "Purchases lost (mean and 95% interval)".into(),
            },
            RED,
        ),
        (
            "believers",
            "Believers at the end (people, mean and 95% interval)".into(),
            PURPLE,
        ),
    ]) {
        let pts: Vec<(f64, f64, f64)> = c
            .delays
            .iter()
            .map(|d| {
                let s = &d.metrics[key];
                // One trial: no interval, a whisker of no length.
                let [lo, hi] = s.ci95.unwrap_or([s.mean; 2]);
                (s.mean, lo.max(0.0), hi)
            })
            .collect();
        let ymax = nice_max(pts.iter().map(|p| p.2).fold(1e-9, f64::max));
        let labels = labels.clone();
        let mut chart = ChartBuilder::on(panel)
            .margin(30)
            .x_label_area_size(90)
            .y_label_area_size(150)
            .build_cartesian_2d(-0.5f64..(n as f64 - 0.5), 0f64..ymax)
            .map_err(|e| err(path, e))?;
        chart
            .configure_mesh()
            .x_desc("Response delay (steps after the claim)")
            .y_desc(ylabel)
            .x_labels(n.max(2))
            .x_label_formatter(&move |x| {
                let i = x.round();
                if (x - i).abs() < 0.01 && i >= 0.0 && (i as usize) < labels.len() {
                    labels[i as usize].clone()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&count_label)
            .label_style((FONT, 28))
            .axis_desc_style((FONT, 30))
            .light_line_style(WHITE.mix(0.0))
            .draw()
            .map_err(|e| err(path, e))?;
        chart
            .draw_series(LineSeries::new(
                pts.iter().enumerate().map(|(i, p)| (i as f64, p.0)),
                color.stroke_width(3),
            ))
            .map_err(|e| err(path, e))?;
        chart
            .draw_series(pts.iter().enumerate().map(|(i, p)| {
                ErrorBar::new_vertical(i as f64, p.1, p.0, p.2, color.stroke_width(3), 20)
            }))
            .map_err(|e| err(path, e))?;
        chart
            .draw_series(
                pts.iter()
                    .enumerate()
                    .map(|(i, p)| Circle::new((i as f64, p.0), 9, color.filled())),
            )
            .map_err(|e| err(path, e))?;
    }
    Ok(())
}

mod cascade_tree;
pub use cascade_tree::{MAX_DRAWN as MAX_TREE_DRAWN, cascade_tree};

#[cfg(test)]
mod tests {
    use super::in_declared_order;

    #[test]
    fn groups_follow_the_declared_order_and_the_rest_come_last() {
        let mut rows = vec!["a", "b", "senior", "young", "middle"];
        let order: Vec<String> = ["young", "middle", "senior"].map(String::from).to_vec();
        in_declared_order(&mut rows, &order, |r| r);
        assert_eq!(rows, ["young", "middle", "senior", "a", "b"]);
    }
}
