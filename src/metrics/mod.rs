//! Aggregation of an [`Ensemble`](crate::engine::Ensemble) into a
//! [`Summary`]: the numbers in `summary.json`, with their uncertainty.
//!
//! [`stat`] has the statistics primitives, [`series`] the per-step time
//! series, [`economics`] revenue, cost and what the budget bought, and
//! [`summary`] the schema and [`summarize`]; [`table`] declares every
//! per-trial metric once.

pub mod crisis;
pub mod economics;
pub mod series;
pub mod stat;
pub mod summary;
pub mod table;

pub use economics::{Bought, EconomicsSummary, trial_revenue_cost, trial_seeds_by_role};
pub use series::{Band, TimeSeries, time_series};
pub use stat::{Proportion, Stat, quantile_sorted, quantiles, ratio_ci95};
pub use summary::{
    PrecisionSummary, RoleSummary, RunInfo, SUMMARY_FORMAT, SegmentSummary, SizeBin, Summary,
    SummaryContext, size_distribution, summarize,
};
pub use table::{Kind, MetricInfo, MetricTable, Show};
