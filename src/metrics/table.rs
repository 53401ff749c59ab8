//! The metric table: every per-trial metric declared once — its name,
//! label, unit, kind, whether it is a column of `trials.csv` and where the
//! printed summary and the charts show it — with how it is read from a
//! trial. `summary.json`'s `metrics`, the `trials.csv` columns, the printed
//! summary and the funnel chart are all driven from it, so a new metric (a
//! second cascade's `claim.reached`, say) is one [`MetricTable::push`].

use super::economics::{trial_revenue_cost, trial_seeds_by_role};
use super::stat::Stat;
use super::summary::SummaryContext;
use crate::engine::{Ensemble, TrialOutcome};

/// How a metric's per-trial values are counted and written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A whole number per trial (people, ties, steps), written as an integer.
    Count,
    /// A real number per trial, written in shortest round-trip form.
    Real,
    /// A share per trial in [0, 1], printed as a percentage.
    Rate,
    /// An amount of money per trial, in the scenario's currency.
    Money,
}

/// Where the printed summary and the charts show a metric.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Show {
    /// A stage of the campaign funnel: printed with its interval and
    /// percentiles, and a bar of `funnel.png`.
    Funnel,
    /// Printed as a percentage per campaign.
    Rate,
    /// Printed as money.
    Money,
    /// Printed as ROI, beside P(ROI > 0).
    Roi,
    /// Only in `summary.json` (and `trials.csv` when it is a column).
    Quiet,
}

/// What a metric is, without its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetricInfo {
    /// Key in `summary.json`'s `metrics` and `trials.csv`'s header.
    pub name: String,
    /// Words for people (`earned media`).
    pub label: String,
    /// Unit of one trial's value (`people`, `steps`, a currency).
    pub unit: String,
    /// How values are counted and written.
    pub kind: Kind,
    /// Whether it is a column of `trials.csv`.
    pub column: bool,
    /// Where the printed summary and the charts show it.
    pub show: Show,
}

/// How a metric is read from one trial's outcome.
type FromOutcome = fn(&TrialOutcome) -> f64;

/// A metric's value in trial `t` (an index into the ensemble).
type Reader<'a> = Box<dyn Fn(usize) -> f64 + Sync + 'a>;

/// The per-trial metrics of one run, in the order they are written and
/// printed, each with how it is read from the ensemble.
pub struct MetricTable<'a> {
    metrics: Vec<(MetricInfo, Reader<'a>)>,
}

impl std::fmt::Debug for MetricTable<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.infos()).finish()
    }
}

/// `a ÷ b`, 0 when `b` is 0.
fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { 0.0 }
}

impl<'a> MetricTable<'a> {
    /// The campaign metrics of `ens`: the funnel (reached, engaged, shared,
    /// converted, earned media), the cascade's shape (depth, structural
    /// virality, time to peak, duration), response rate and virality, and
    /// with `[economics]` revenue, cost, profit and — when every campaign
    /// costs something — ROI.
    pub fn campaign(ctx: &'a SummaryContext, ens: &'a Ensemble) -> Self {
        let mut t = MetricTable {
            metrics: Vec::new(),
        };
        let outcome = |f: FromOutcome| move |i: usize| f(&ens.outcomes[i]);
        let funnel: [(&str, &str, FromOutcome); 5] = [
            ("reached", "reached", |o| o.reached as f64),
            ("engaged", "engaged", |o| o.engaged as f64),
            ("shared", "shared", |o| o.shared as f64),
            ("converted", "converted", |o| o.converted as f64),
            ("earned_media", "earned media", |o| o.earned_media as f64),
        ];
        for (name, label, f) in funnel {
            t.push(
                info(name, label, "people", Kind::Count, true, Show::Funnel),
                outcome(f),
            );
        }
        let shape: [(&str, &str, &str, Kind, FromOutcome); 4] = [
            ("depth", "depth", "ties", Kind::Count, |o| o.depth as f64),
            (
                "structural_virality",
                "structural virality",
                "ties",
                Kind::Real,
                |o| o.structural_virality,
            ),
            ("time_to_peak", "time to peak", "steps", Kind::Count, |o| {
                o.peak_step as f64
            }),
            ("duration", "duration", "steps", Kind::Count, |o| {
                o.steps as f64
            }),
        ];
        for (name, label, unit, kind, f) in shape {
            t.push(info(name, label, unit, kind, true, Show::Quiet), outcome(f));
        }
        t.push(
            info(
                "response_rate",
                "response rate",
                "earned media per person reached",
                Kind::Rate,
                false,
                Show::Rate,
            ),
            outcome(|o| ratio(o.earned_media as f64, o.reached as f64)),
        );
        t.push(
            info(
                "virality",
                "virality",
                "shares per person reached",
                Kind::Rate,
                false,
                Show::Rate,
            ),
            outcome(|o| ratio(o.shared as f64, o.reached as f64)),
        );
        if let Some(e) = &ctx.economics {
            let money = move |i: usize| {
                trial_revenue_cost(e, &ens.outcomes[i], &trial_seeds_by_role(ens, i))
            };
            let cur = e.currency.as_str();
            t.push(
                info("revenue", "revenue", cur, Kind::Money, true, Show::Money),
                move |i| money(i).0,
            );
            t.push(
                info("cost", "cost", cur, Kind::Money, true, Show::Money),
                move |i| money(i).1,
            );
            t.push(
                info("profit", "profit", cur, Kind::Money, true, Show::Money),
                move |i| {
                    let (r, c) = money(i);
                    r - c
                },
            );
            // ROI is defined only when every campaign costs something.
            if (0..ens.len()).all(|i| money(i).1 > 0.0) {
                t.push(
                    info(
                        "roi",
                        "ROI",
                        "profit per unit of cost",
                        Kind::Rate,
                        false,
                        Show::Roi,
                    ),
                    move |i| {
                        let (r, c) = money(i);
                        (r - c) / c
                    },
                );
            }
        }
        t
    }

    /// Adds a metric read by `value` from trial indices.
    pub fn push(&mut self, info: MetricInfo, value: impl Fn(usize) -> f64 + Sync + 'a) {
        self.metrics.push((info, Box::new(value)));
    }

    /// The metrics' descriptions, in order.
    pub fn infos(&self) -> Vec<MetricInfo> {
        self.metrics.iter().map(|(m, _)| m.clone()).collect()
    }

    /// Number of metrics.
    pub fn len(&self) -> usize {
        self.metrics.len()
    }

    /// True when the table has no metric.
    pub fn is_empty(&self) -> bool {
        self.metrics.is_empty()
    }

    /// Metric `k`'s description.
    pub fn info(&self, k: usize) -> &MetricInfo {
        &self.metrics[k].0
    }

    /// Metric `k`'s value in trial `t`.
    #[inline]
    pub fn value(&self, k: usize, t: usize) -> f64 {
        (self.metrics[k].1)(t)
    }

    /// The distribution over trials `0..trials` of every metric, in order;
    /// one metric per worker at a time, so the transient memory is a column
    /// per worker, not one per metric.
    pub fn stats(&self, trials: usize) -> Vec<Stat> {
        use rayon::prelude::*;
        (0..self.len())
            .into_par_iter()
            .map(|k| Stat::of(&(0..trials).map(|t| self.value(k, t)).collect::<Vec<f64>>()))
            .collect()
    }
}

/// A metric description.
pub fn info(
    name: &str,
    label: &str,
    unit: &str,
    kind: Kind,
    column: bool,
    show: Show,
) -> MetricInfo {
    MetricInfo {
        name: name.to_string(),
        label: label.to_string(),
        unit: unit.to_string(),
        kind,
        column,
        show,
    }
}
