//! Statistics primitives: the distribution of a metric over trials
//! ([`Stat`]), proportions with Wilson intervals ([`Proportion`]), exact
//! quantiles by selection or counting, and ratio-of-means intervals.

use serde::Serialize;

/// Distribution of one metric over trials.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Stat {
    /// Sample mean.
    pub mean: f64,
    /// Sample standard deviation (n − 1); None (null) with fewer than two
    /// trials, where it cannot be estimated.
    pub std: Option<f64>,
    /// Standard error of the mean; None (null) with fewer than two trials.
    pub stderr: Option<f64>,
    /// Normal-approximation 95% interval of the mean; None (null) with
    /// fewer than two trials.
    pub ci95: Option<[f64; 2]>,
    /// 5th percentile (linear interpolation between order statistics).
    pub p5: f64,
    /// Median.
    pub p50: f64,
    /// 95th percentile.
    pub p95: f64,
    /// Smallest value.
    pub min: f64,
    /// Largest value.
    pub max: f64,
}

/// Quantile `q` of sorted data, linear between order statistics (R type 7).
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(sorted.len() - 1);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Quantiles (R type 7) of unsorted data by selection, O(n) each: the order
/// statistics each quantile needs are found with `select_nth_unstable`.
/// `xs` is reordered.
pub fn quantiles<T: Copy + PartialOrd + Into<f64>>(xs: &mut [T], qs: &[f64]) -> Vec<f64> {
    let n = xs.len();
    if n == 0 {
        return vec![f64::NAN; qs.len()];
    }
    let cmp = |a: &T, b: &T| a.partial_cmp(b).unwrap_or(std::cmp::Ordering::Equal);
    qs.iter()
        .map(|&q| {
            type7(n, q, |r| {
                let (_, &mut x, _) = xs.select_nth_unstable_by(r, cmp);
                x.into()
            })
        })
        .collect()
}

/// Quantile `q` (R type 7) of `n ≥ 1` values from their order statistics:
/// `nth(r)` is the (r+1)-th smallest. It is called with ⌊h⌋, h = (n − 1)·q,
/// and then with ⌊h⌋ + 1 only when h is not whole.
pub(crate) fn type7(n: usize, q: f64, mut nth: impl FnMut(usize) -> f64) -> f64 {
    let h = (n - 1) as f64 * q;
    let lo = h.floor() as usize;
    let a = nth(lo);
    if lo + 1 >= n || h == lo as f64 {
        return a;
    }
    a + (h - lo as f64) * (nth(lo + 1) - a)
}

/// The largest value when every value is a whole number in
/// `0..=4·len + 65,536` (counts, as most metrics are), else `None`.
fn small_count_bound(xs: &[f64]) -> Option<usize> {
    let limit = (4 * xs.len() + 65_536) as f64;
    let mut max = 0.0f64;
    for &x in xs {
        if !(x >= 0.0 && x <= limit && x.fract() == 0.0) {
            return None;
        }
        max = max.max(x);
    }
    Some(max as usize)
}

/// [`quantiles`] of whole numbers in `0..=max`, by counting: O(n + max).
/// The order statistics are exact, so the results equal the selection's.
fn count_quantiles(xs: &[f64], max: usize, qs: &[f64]) -> Vec<f64> {
    let n = xs.len();
    if n == 0 {
        return vec![f64::NAN; qs.len()];
    }
    let mut cum = vec![0u64; max + 1];
    for &x in xs {
        cum[x as usize] += 1;
    }
    for i in 1..=max {
        cum[i] += cum[i - 1];
    }
    cumulative_quantiles(&cum, qs)
}

/// Quantiles (R type 7) of whole numbers given by cumulative counts:
/// `cum[v]` values are ≤ v, and `cum` ends at the number of values (≥ 1).
pub(crate) fn cumulative_quantiles(cum: &[u64], qs: &[f64]) -> Vec<f64> {
    let n = cum.last().copied().unwrap_or(0) as usize;
    // The (r+1)-th smallest: the first value whose cumulative count exceeds r.
    let nth = |r: usize| cum.partition_point(|&c| c as usize <= r) as f64;
    qs.iter().map(|&q| type7(n, q, nth)).collect()
}

impl Stat {
    /// Statistics of `xs` (summed in the given order, so results are
    /// reproducible to the bit). O(n).
    pub fn of(xs: &[f64]) -> Stat {
        let n = xs.len() as f64;
        if xs.is_empty() {
            return Stat {
                mean: 0.0,
                std: None,
                stderr: None,
                ci95: None,
                p5: 0.0,
                p50: 0.0,
                p95: 0.0,
                min: 0.0,
                max: 0.0,
            };
        }
        let mean = xs.iter().sum::<f64>() / n;
        let std = (xs.len() > 1)
            .then(|| (xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0)).sqrt());
        let stderr = std.map(|sd| sd / n.sqrt());
        let q = match small_count_bound(xs) {
            Some(max) => count_quantiles(xs, max, &[0.05, 0.5, 0.95]),
            None => quantiles(&mut xs.to_vec(), &[0.05, 0.5, 0.95]),
        };
        Stat {
            mean,
            std,
            stderr,
            ci95: stderr.map(|se| [mean - 1.959964 * se, mean + 1.959964 * se]),
            p5: q[0],
            p50: q[1],
            p95: q[2],
            min: xs.iter().copied().fold(f64::INFINITY, f64::min),
            max: xs.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

/// A proportion with its Wilson 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Proportion {
    /// Successes ÷ trials.
    pub estimate: f64,
    /// Wilson score interval.
    pub ci95: [f64; 2],
    /// Successes.
    pub count: u64,
}

impl Proportion {
    /// `k` successes out of `n`.
    pub fn of(k: u64, n: u64) -> Proportion {
        if n == 0 {
            return Proportion {
                estimate: 0.0,
                ci95: [0.0, 1.0],
                count: 0,
            };
        }
        let z = 1.959964f64;
        let (nf, p) = (n as f64, k as f64 / n as f64);
        let denom = 1.0 + z * z / nf;
        let centre = (p + z * z / (2.0 * nf)) / denom;
        let half = z * (p * (1.0 - p) / nf + z * z / (4.0 * nf * nf)).sqrt() / denom;
        Proportion {
            estimate: p,
            ci95: [
                if k == 0 {
                    0.0
                } else {
                    (centre - half).max(0.0)
                },
                if k >= n {
                    1.0
                } else {
                    (centre + half).min(1.0)
                },
            ],
            count: k,
        }
    }
}

/// 95% interval of Σa ÷ Σb over trials (ratio of means) by the delta
/// method: R ± 1.96 · sd(a − R·b) / (√n · mean b). [0, 0] when b is all 0;
/// None with fewer than two trials (it cannot be estimated).
pub fn ratio_ci95(a: &[f64], b: &[f64]) -> Option<[f64; 2]> {
    let n = a.len() as f64;
    let (sa, sb) = (a.iter().sum::<f64>(), b.iter().sum::<f64>());
    if a.len() < 2 {
        return None;
    }
    if sb <= 0.0 {
        return Some([0.0, 0.0]);
    }
    let r = sa / sb;
    let var = a
        .iter()
        .zip(b)
        .map(|(x, y)| (x - r * y).powi(2))
        .sum::<f64>()
        / (n - 1.0);
    let half = 1.959964 * var.sqrt() / (n.sqrt() * (sb / n));
    Some([r - half, r + half])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_small_sample() {
        let s = Stat::of(&[1.0, 2.0, 3.0, 4.0]);
        assert_eq!(s.mean, 2.5);
        assert!((s.std.unwrap() - (5.0f64 / 3.0).sqrt()).abs() < 1e-12);
        assert_eq!(s.min, 1.0);
        assert_eq!(s.max, 4.0);
        assert_eq!(s.p50, 2.5);
        assert!((s.p5 - 1.15).abs() < 1e-12);
    }

    /// One trial: the spread and the interval cannot be estimated.
    #[test]
    fn one_value_has_no_interval() {
        let s = Stat::of(&[7.0]);
        assert_eq!((s.mean, s.p50, s.min, s.max), (7.0, 7.0, 7.0, 7.0));
        assert_eq!((s.std, s.stderr, s.ci95), (None, None, None));
        assert_eq!(ratio_ci95(&[1.0], &[2.0]), None);
        let json = serde_json::to_string(&s).unwrap();
        assert!(
            json.contains("\"ci95\":null") && json.contains("\"stderr\":null"),
            "{json}"
        );
        // Two values: serialised as numbers, as before.
        let json = serde_json::to_string(&Stat::of(&[1.0, 3.0])).unwrap();
        assert!(
            json.contains("\"ci95\":[") && json.contains("\"std\":1.414"),
            "{json}"
        );
    }

    #[test]
    fn selection_quantiles_match_sorting() {
        let mut r = crate::rng::stream_rng(5, crate::rng::Stream::Trial, 0);
        for n in [1usize, 2, 3, 10, 101, 1000] {
            let xs: Vec<f64> = (0..n)
                .map(|_| (crate::rng::below(&mut r, 50)) as f64)
                .collect();
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            for q in [0.0, 0.05, 0.5, 0.95, 1.0] {
                let mut copy = xs.clone();
                assert_eq!(
                    quantiles(&mut copy, &[q])[0],
                    quantile_sorted(&sorted, q),
                    "n={n} q={q}"
                );
            }
        }
    }

    #[test]
    fn counting_quantiles_match_sorting_and_apply_only_to_counts() {
        let mut r = crate::rng::stream_rng(6, crate::rng::Stream::Trial, 0);
        for n in [1usize, 2, 3, 10, 101, 1000] {
            let xs: Vec<f64> = (0..n)
                .map(|_| (crate::rng::below(&mut r, 300)) as f64)
                .collect();
            let max = small_count_bound(&xs).expect("whole numbers");
            let mut sorted = xs.clone();
            sorted.sort_by(f64::total_cmp);
            for q in [0.0, 0.05, 0.37, 0.5, 0.95, 1.0] {
                assert_eq!(
                    count_quantiles(&xs, max, &[q])[0],
                    quantile_sorted(&sorted, q),
                    "n={n} q={q}"
                );
            }
        }
        assert_eq!(small_count_bound(&[0.0, 2.0, 7.0]), Some(7));
        assert_eq!(small_count_bound(&[1.0, 2.5]), None);
        assert_eq!(small_count_bound(&[1.0, -1.0]), None);
        assert_eq!(small_count_bound(&[1.0, 1e12]), None);
        assert_eq!(small_count_bound(&[f64::NAN]), None);
    }

    #[test]
    fn wilson_interval_contains_estimate() {
        let p = Proportion::of(30, 100);
        assert!(p.ci95[0] < 0.3 && 0.3 < p.ci95[1]);
        assert!((p.ci95[0] - 0.2189).abs() < 1e-3);
        assert_eq!(Proportion::of(0, 10).ci95[0], 0.0);
    }
}
