//! Per-step time series with exact bands: cumulative reached, engaged and
//! shared at each step over all trials.

use super::stat::{cumulative_quantiles, type7};
use crate::engine::Ensemble;
use serde::Serialize;

/// Per-step bands of a cumulative count.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Band {
    /// Mean per step.
    pub mean: Vec<f64>,
    /// 5th percentile per step.
    pub p5: Vec<f64>,
    /// Median per step.
    pub p50: Vec<f64>,
    /// 95th percentile per step.
    pub p95: Vec<f64>,
}

/// Cumulative reached, engaged and shared per step (trials that ended keep their final value).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TimeSeries {
    /// Number of steps (rows).
    pub steps: usize,
    /// Cumulative people reached.
    pub reached: Band,
    /// Cumulative people engaged.
    pub engaged: Band,
    /// Cumulative people who shared.
    pub shared: Band,
    /// Mean new engagements per step.
    pub new_engaged_mean: Vec<f64>,
}

/// Counts of a multiset of small integers in two levels (per value and per
/// block of 256 values): O(1) updates, O(max/256 + 256) order statistics.
struct Counts {
    fine: Vec<u32>,
    coarse: Vec<u32>,
}

impl Counts {
    const BLOCK: usize = 256;

    fn new(len: usize) -> Self {
        Counts {
            fine: vec![0; len],
            coarse: vec![0; len.div_ceil(Self::BLOCK)],
        }
    }

    #[inline]
    fn add(&mut self, value: usize, delta: i32) {
        self.fine[value] = self.fine[value].wrapping_add_signed(delta);
        let b = value / Self::BLOCK;
        self.coarse[b] = self.coarse[b].wrapping_add_signed(delta);
    }

    /// The value of 0-based rank `r` (the (r+1)-th smallest).
    fn select(&self, r: u64) -> usize {
        let mut rem = r;
        for (b, &c) in self.coarse.iter().enumerate() {
            if (c as u64) <= rem {
                rem -= c as u64;
                continue;
            }
            for (v, &f) in self.fine[b * Self::BLOCK..].iter().enumerate() {
                if (f as u64) > rem {
                    return b * Self::BLOCK + v;
                }
                rem -= f as u64;
            }
        }
        self.fine.len() - 1
    }

    /// Quantile `q` (R type 7) of the `n` values held.
    fn quantile(&self, n: u64, q: f64) -> f64 {
        type7(n as usize, q, |r| self.select(r as u64) as f64)
    }
}

/// Per-step time series with bands (mean, p5, p50, p95 of the cumulative
/// reached, engaged and shared at each step, over all trials; trials that
/// ended keep their final value), exact.
pub fn time_series(ens: &Ensemble) -> TimeSeries {
    time_series_by(ens, None)
}

/// How [`time_series_by`] gathers each step's distribution.
#[derive(Debug, Clone, Copy, PartialEq)]
enum SeriesMethod {
    /// Per-step value counts, filled in one pass over the trials.
    Tables,
    /// The trials' increments regrouped by step.
    Regroup,
}

/// Largest per-step value tables [`time_series_by`] builds without
/// comparing them with the regrouping buffer (bytes).
const SERIES_TABLE_BYTES: usize = 32 << 20;

/// Per-step time series with bands, exact, two ways (a test holds them to
/// the same numbers). Each trial's cumulative count moves only while it is
/// alive; trials that ended keep their final value.
///
/// - Tables (the usual way): for each step s, how many trials alive after s
///   stand at each value, and how many end at s with each final value; one
///   pass over the trial-major rows fills them, then the distribution at
///   step s is the running sum of the ended plus the alive at s. Memory is
///   8 bytes × steps × (largest count + 1) per kind, nothing per trial.
/// - Regroup, when the tables would be larger than both 32 MiB and this: the
///   non-zero increments regrouped step by step (8 bytes per trial step, a
///   counting sort of the rows), applied to two-level value counts.
///
/// Means are integer sums, so nothing depends on the order of work.
fn time_series_by(ens: &Ensemble, force: Option<SeriesMethod>) -> TimeSeries {
    let t = ens.len();
    let steps = ens
        .outcomes
        .iter()
        .map(|o| o.steps as usize)
        .max()
        .unwrap_or(0)
        .max(1);
    // One pass over the rows: per kind, the largest final count and the
    // number of non-zero increments per step; and new engaged per step.
    let mut vmax = [0u32; 3];
    let mut nonzero = [(); 3].map(|_| vec![0usize; steps + 1]);
    let mut new_engaged = vec![0u64; steps];
    for i in 0..t {
        let mut total = [0u32; 3];
        for (s, row) in ens.trial_steps(i).iter().enumerate() {
            for k in 0..3 {
                total[k] += row[k];
                nonzero[k][s + 1] += (row[k] > 0) as usize;
            }
            new_engaged[s] += row[1] as u64;
        }
        for k in 0..3 {
            vmax[k] = vmax[k].max(total[k]);
        }
    }
    let kind = |k: usize, mut start: Vec<usize>| -> Band {
        let mut b = Band::default();
        if t == 0 {
            return b;
        }
        let mut cur = vec![0u32; t];
        let mut fen = Counts::new(vmax[k] as usize + 1);
        fen.add(0, t as i32);
        let mut sum = 0u64;
        // The non-zero increments regrouped step by step (a counting sort of
        // the trial-major rows, read once in order), each step's in trial order.
        for s in 0..steps {
            start[s + 1] += start[s];
        }
        let mut fill = start.clone();
        let mut inc = vec![(0u32, 0u32); start[steps]];
        for i in 0..t {
            for (s, row) in ens.trial_steps(i).iter().enumerate() {
                if row[k] > 0 {
                    inc[fill[s]] = (i as u32, row[k]);
                    fill[s] += 1;
                }
            }
        }
        for s in 0..steps {
            for &(i, d) in &inc[start[s]..start[s + 1]] {
                let i = i as usize;
                let old = cur[i];
                fen.add(old as usize, -1);
                fen.add((old + d) as usize, 1);
                cur[i] = old + d;
                sum += d as u64;
            }
            b.mean.push(sum as f64 / t as f64);
            b.p5.push(fen.quantile(t as u64, 0.05));
            b.p50.push(fen.quantile(t as u64, 0.5));
            b.p95.push(fen.quantile(t as u64, 0.95));
        }
        b
    };
    let table_bytes: usize = vmax.iter().map(|&m| 8 * steps * (m as usize + 1)).sum();
    let regroup_bytes = nonzero
        .iter()
        .map(|n| 8 * n.iter().sum::<usize>())
        .max()
        .unwrap_or(0);
    let method = force.unwrap_or(if table_bytes <= SERIES_TABLE_BYTES.max(regroup_bytes) {
        SeriesMethod::Tables
    } else {
        SeriesMethod::Regroup
    });
    let (reached, engaged, shared) = match method {
        SeriesMethod::Tables => {
            let [a, b, c] = value_tables(ens, steps, vmax);
            (a, b, c)
        }
        // One kind at a time: each regroups a copy of its non-zero
        // increments, so running them together would hold three.
        SeriesMethod::Regroup => {
            let [n0, n1, n2] = nonzero;
            (kind(0, n0), kind(1, n1), kind(2, n2))
        }
    };
    TimeSeries {
        steps,
        reached,
        engaged,
        shared,
        new_engaged_mean: new_engaged
            .iter()
            .map(|&x| x as f64 / t.max(1) as f64)
            .collect(),
    }
}

/// The bands of the three kinds from per-step value tables (see
/// [`time_series_by`]); `vmax` is each kind's largest final count.
fn value_tables(ens: &Ensemble, steps: usize, vmax: [u32; 3]) -> [Band; 3] {
    let t = ens.len();
    let width = vmax.map(|m| m as usize + 1);
    // alive[k][s·w + v]: trials still going after step s standing at v;
    // ended[k][s·w + v]: trials whose last step is s, at final value v.
    let mut alive = width.map(|w| vec![0u32; steps * w]);
    let mut ended = width.map(|w| vec![0u32; steps * w]);
    for i in 0..t {
        let rows = ens.trial_steps(i);
        if rows.is_empty() {
            for e in &mut ended {
                e[0] += 1;
            }
            continue;
        }
        let mut cum = [0usize; 3];
        let last = rows.len() - 1;
        for (s, row) in rows.iter().enumerate() {
            for k in 0..3 {
                cum[k] += row[k] as usize;
                let cell = s * width[k] + cum[k];
                if s < last {
                    alive[k][cell] += 1;
                } else {
                    ended[k][cell] += 1;
                }
            }
        }
    }
    let mut bands = [(); 3].map(|_| Band::default());
    if t == 0 {
        return bands;
    }
    for k in 0..3 {
        let w = width[k];
        let b = &mut bands[k];
        let mut done = vec![0u32; w];
        let mut cum = vec![0u64; w];
        for s in 0..steps {
            let now = &alive[k][s * w..(s + 1) * w];
            for (d, &e) in done.iter_mut().zip(&ended[k][s * w..(s + 1) * w]) {
                *d += e;
            }
            // This step's distribution, cumulated, and its total.
            let (mut below, mut sum) = (0u64, 0u64);
            for v in 0..w {
                let c = (done[v] + now[v]) as u64;
                below += c;
                sum += v as u64 * c;
                cum[v] = below;
            }
            let q = cumulative_quantiles(&cum, &[0.05, 0.5, 0.95]);
            b.mean.push(sum as f64 / t as f64);
            b.p5.push(q[0]);
            b.p50.push(q[1]);
            b.p95.push(q[2]);
        }
    }
    bands
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::stat::quantile_sorted;

    #[test]
    fn fenwick_time_series_matches_brute_force() {
        use crate::engine::TrialOutcome;
        let mut r = crate::rng::stream_rng(8, crate::rng::Stream::Trial, 0);
        let mut ens = Ensemble::new(0, 0);
        for _ in 0..203 {
            let len = crate::rng::below(&mut r, 7) as usize;
            for _ in 0..len {
                let row = [0, 1, 2].map(|_| crate::rng::below(&mut r, 5) as u32);
                ens.steps.push(row);
            }
            ens.step_offsets.push(ens.steps.len() as u64);
            ens.outcomes.push(TrialOutcome {
                steps: len as u32,
                ..Default::default()
            });
        }
        let ts = time_series(&ens);
        for method in [SeriesMethod::Tables, SeriesMethod::Regroup] {
            assert_eq!(time_series_by(&ens, Some(method)), ts, "{method:?}");
        }
        for (k, band) in [&ts.reached, &ts.engaged, &ts.shared]
            .into_iter()
            .enumerate()
        {
            for s in 0..ts.steps {
                let mut col: Vec<f64> = (0..ens.len())
                    .map(|i| {
                        ens.trial_steps(i)
                            .iter()
                            .take(s + 1)
                            .map(|row| row[k] as f64)
                            .sum()
                    })
                    .collect();
                col.sort_by(f64::total_cmp);
                let mean = col.iter().sum::<f64>() / col.len() as f64;
                assert!((band.mean[s] - mean).abs() < 1e-9);
                assert_eq!(band.p5[s], quantile_sorted(&col, 0.05));
                assert_eq!(band.p50[s], quantile_sorted(&col, 0.5));
                assert_eq!(band.p95[s], quantile_sorted(&col, 0.95));
            }
        }
    }
}
