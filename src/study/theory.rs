//! The configuration-model prediction for the textbook cascade, from a
//! graph's own degree sequence (bond percolation, Newman 2002).
//!
//! With every arc transmitting independently with probability T (the
//! stickiness σ when shareability is 1, endorsement 0, resonance and role
//! multipliers 1, no decay), a cascade is a cluster of bond percolation.
//! For a graph whose arcs all come in pairs (undirected) with degree
//! distribution p_k, G0(x) = Σ p_k x^k, G1(x) = G0'(x)/⟨k⟩:
//!
//! * threshold T_c = ⟨k⟩ / (⟨k²⟩ − ⟨k⟩);
//! * y = 1 − G1(1 − T·y) (a neighbour is in the large outbreak), solved
//!   by fixed-point iteration from y = 1;
//! * engaged share S = 1 − G0(1 − T·y), reached share R = 1 − G0(1 − y),
//!   probability that one random seed starts it P = S.
//!
//! For a directed graph with joint in/out-degree distribution p_jk, the
//! threshold is ⟨j⟩ / ⟨j·k⟩; y = 1 − Σ p_jk (k/⟨k⟩)(1 − T·y)^j,
//! S = 1 − Σ p_jk (1 − T·y)^j, R = 1 − Σ p_jk (1 − y)^j, and the outbreak
//! probability P = 1 − Σ p_jk (1 − w)^k with w = T·(1 − Σ p_jk (j/⟨j⟩)(1 − w)^k).
//!
//! Below the threshold the mean cascade from one seed is
//! 1 + T·⟨k_out⟩ / (1 − T/T_c), so T / (mean − 1) is linear in T and
//! vanishes at T_c: [`estimate_threshold`] fits that line to simulated
//! sub-critical points.

use crate::engine::Ensemble;
use crate::graph::SocialGraph;
use crate::scenario::{Delay, Model, Pick, Plan, Scenario};
use rand::{RngExt, SeedableRng};
use serde::Serialize;
use std::collections::BTreeMap;

/// A graph's degree sequence as the generating functions need it.
#[derive(Debug, Clone, PartialEq)]
pub struct Degrees {
    /// Whether every arc u→v has its reverse v→u (an undirected graph).
    pub undirected: bool,
    /// (in-degree, out-degree) → share of people.
    pub joint: Vec<(f64, f64, f64)>,
    /// People.
    pub nodes: usize,
    /// ⟨k_in⟩ (= ⟨k_out⟩).
    pub mean_in: f64,
    /// ⟨k_out⟩.
    pub mean_out: f64,
    /// ⟨k_in·k_out⟩ (undirected: ⟨k²⟩).
    pub mean_in_out: f64,
}

impl Degrees {
    /// The degree sequence of `g`.
    pub fn of(g: &SocialGraph) -> Degrees {
        let n = g.node_count();
        let mut indeg = vec![0u32; n];
        for &t in g.targets() {
            indeg[t as usize] += 1;
        }
        let targets = g.targets();
        let undirected = (0..n as u32).all(|u| {
            g.arc_range(u).all(|a| {
                let v = targets[a];
                // Targets of each person are sorted.
                targets[g.arc_range(v)].binary_search(&u).is_ok()
            })
        });
        let mut counts: BTreeMap<(u32, u32), u64> = BTreeMap::new();
        for u in 0..n as u32 {
            *counts
                .entry((indeg[u as usize], g.out_degree(u) as u32))
                .or_default() += 1;
        }
        let nf = n.max(1) as f64;
        let joint: Vec<(f64, f64, f64)> = counts
            .into_iter()
            .map(|((j, k), c)| (j as f64, k as f64, c as f64 / nf))
            .collect();
        let sum = |f: &dyn Fn(f64, f64) -> f64| joint.iter().map(|&(j, k, p)| p * f(j, k)).sum();
        let mean_in = sum(&|j, _| j);
        let mean_out = sum(&|_, k| k);
        let mean_in_out = sum(&|j, k| j * k);
        Degrees {
            undirected,
            joint,
            nodes: n,
            mean_in,
            mean_out,
            mean_in_out,
        }
    }

    /// The bond-percolation threshold T_c (∞ when there is no giant
    /// cluster at any T ≤ 1, e.g. no arcs).
    pub fn threshold(&self) -> f64 {
        let denom = if self.undirected {
            self.mean_in_out - self.mean_out
        } else {
            self.mean_in_out
        };
        if denom > 0.0 {
            self.mean_in / denom
        } else {
            f64::INFINITY
        }
    }

    fn fixed_point(f: impl Fn(f64) -> f64) -> f64 {
        let mut y = 1.0f64;
        for _ in 0..200_000 {
            let next = f(y);
            if (next - y).abs() < 1e-13 {
                return next.max(0.0);
            }
            y = next;
        }
        y.max(0.0)
    }

    /// The large-outbreak prediction at transmissibility `t`.
    pub fn predict(&self, t: f64) -> Prediction {
        let t = t.clamp(0.0, 1.0);
        let (mi, mo) = (
            self.mean_in.max(f64::MIN_POSITIVE),
            self.mean_out.max(f64::MIN_POSITIVE),
        );
        let jt = &self.joint;
        let g0 = |x: f64| -> f64 { jt.iter().map(|&(j, _, p)| p * x.powf(j)).sum() };
        let y = if self.undirected {
            // G1(x) = Σ p_k k x^(k−1) / ⟨k⟩.
            Self::fixed_point(|y| {
                let x = 1.0 - t * y;
                1.0 - jt
                    .iter()
                    .map(|&(_, k, p)| p * k * x.powf(k - 1.0))
                    .sum::<f64>()
                    / mo
            })
        } else {
            Self::fixed_point(|y| {
                let x = 1.0 - t * y;
                1.0 - jt.iter().map(|&(j, k, p)| p * k * x.powf(j)).sum::<f64>() / mo
            })
        };
        let engaged = (1.0 - g0(1.0 - t * y)).max(0.0);
        let reached = (1.0 - g0(1.0 - y)).max(0.0);
        let outbreak = if self.undirected {
            engaged
        } else {
            let w = Self::fixed_point(|w| {
                t * (1.0
                    - jt.iter()
                        .map(|&(j, k, p)| p * j * (1.0 - w).powf(k))
                        .sum::<f64>()
                        / mi)
            });
            (1.0 - jt
                .iter()
                .map(|&(_, k, p)| p * (1.0 - w).powf(k))
                .sum::<f64>())
            .max(0.0)
        };
        Prediction {
            transmissibility: t,
            engaged_share: engaged,
            reached_share: reached,
            outbreak_probability: outbreak,
        }
    }

    /// Mean engaged from one seed below the threshold,
    /// 1 + T·⟨k_out⟩ / (1 − T/T_c) (∞ at or above it).
    pub fn subcritical_mean(&self, t: f64) -> f64 {
        let r = t / self.threshold();
        if r >= 1.0 {
            f64::INFINITY
        } else {
            1.0 + t * self.mean_out / (1.0 - r)
        }
    }
}

/// What the generating functions predict at one transmissibility.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Prediction {
    /// T.
    pub transmissibility: f64,
    /// Share of people engaged by a large outbreak (S).
    pub engaged_share: f64,
    /// Share of people reached (exposed) by a large outbreak (R).
    pub reached_share: f64,
    /// Probability that one random seed starts a large outbreak.
    pub outbreak_probability: f64,
}

/// Why a scenario is or is not the textbook cascade the theory describes
/// (None: it is).
pub fn not_textbook(s: &Scenario) -> Option<String> {
    let c = &s.content;
    let why = if s.model != Model::IndependentCascade {
        "the model is not independent_cascade"
    } else if c.shareability != 1.0 {
        "shareability is not 1"
    } else if c.endorsement != 0.0 {
        "endorsement is not 0"
    } else if c.resonance.iter().any(|&r| r != 1.0) {
        "a resonance is not 1"
    } else if c
        .role_stickiness
        .iter()
        .chain(&c.role_shareability)
        .any(|&m| m != 1.0)
    {
        "a role multiplier is not 1"
    } else if c.novelty_half_life.is_some() {
        "novelty decays"
    } else if !matches!(c.share_delay, Delay::Fixed(_)) {
        "the share delay is not fixed"
    } else if s.horizon.is_some() {
        "a horizon stops the cascade"
    } else if !matches!(
        s.seeding.plans.as_slice(),
        [(
            _,
            Plan::Select {
                segments: None,
                roles: None,
                pick: Pick::Random,
                ..
            }
        )]
    ) {
        "seeds are not drawn at random from everyone"
    } else {
        return None;
    };
    Some(why.to_string())
}

/// The threshold estimated from simulated points, with a 95% interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ThresholdEstimate {
    /// Estimated T_c.
    pub estimate: f64,
    /// 95% bootstrap interval (percentiles over resampled trials).
    pub ci95: [f64; 2],
    /// Sub-critical points the line was fitted to.
    pub points: usize,
}

/// Weighted least-squares root of y = a + b·T through (T, y, var y).
fn root(points: &[(f64, f64, f64)]) -> Option<f64> {
    let (mut sw, mut sx, mut sy, mut sxx, mut sxy) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for &(x, y, v) in points {
        let w = 1.0 / v.max(1e-300);
        sw += w;
        sx += w * x;
        sy += w * y;
        sxx += w * x * x;
        sxy += w * x * y;
    }
    let det = sw * sxx - sx * sx;
    if det <= 0.0 {
        return None;
    }
    let b = (sw * sxy - sx * sy) / det;
    let a = (sy - b * sx) / sw;
    (b < 0.0)
        .then(|| -a / b)
        .filter(|r| r.is_finite() && *r > 0.0)
}

/// Engaged per trial of one point (in trial order) with its T.
#[derive(Debug, Clone)]
pub struct CurvePoint {
    /// Transmissibility.
    pub t: f64,
    /// People engaged in each trial.
    pub engaged: Vec<f64>,
    /// Seeds per trial.
    pub seeds: f64,
}

impl CurvePoint {
    /// The point from an ensemble.
    pub fn of(t: f64, ens: &Ensemble, seeds: f64) -> CurvePoint {
        CurvePoint {
            t,
            engaged: ens.outcomes.iter().map(|o| o.engaged as f64).collect(),
            seeds,
        }
    }
}

fn fit_points(pts: &[(f64, Vec<f64>)], seeds: &[f64]) -> Vec<(f64, f64, f64)> {
    pts.iter()
        .zip(seeds)
        .filter_map(|((t, xs), &c)| {
            let st = crate::metrics::Stat::of(xs);
            let m = st.mean / c.max(1.0);
            let se = st.stderr.unwrap_or(f64::NAN) / c.max(1.0);
            (m > 1.0 && *t > 0.0).then(|| {
                let y = t / (m - 1.0);
                let var = (t * t / (m - 1.0).powi(4) * se * se).max(1e-18 * y * y);
                (*t, y, var)
            })
        })
        .collect()
}

/// Estimates T_c from points below it: those where fewer than 1% of trials
/// engaged n^(2/3) people or more (the critical window) and nearer than
/// 0.9·T̂ after a first fit. The interval resamples the same trial numbers
/// at every point (the points are paired by common random numbers), 400
/// times with a fixed seed. None with fewer than two usable points.
pub fn estimate_threshold(points: &[CurvePoint], nodes: usize) -> Option<ThresholdEstimate> {
    let cutoff = (nodes as f64).powf(2.0 / 3.0);
    let sub: Vec<&CurvePoint> = points
        .iter()
        .filter(|p| {
            let n = p.engaged.len().max(1) as f64;
            let large = p.engaged.iter().filter(|&&e| e >= cutoff).count();
            (large as f64) / n < 0.01
        })
        .collect();
    let data = |sel: &[&CurvePoint]| -> (Vec<(f64, Vec<f64>)>, Vec<f64>) {
        (
            sel.iter().map(|p| (p.t, p.engaged.clone())).collect(),
            sel.iter().map(|p| p.seeds).collect(),
        )
    };
    let (d, c) = data(&sub);
    let first = root(&fit_points(&d, &c))?;
    let near: Vec<&CurvePoint> = sub.iter().copied().filter(|p| p.t <= 0.9 * first).collect();
    let chosen = if fit_points(&data(&near).0, &data(&near).1).len() >= 2 {
        near
    } else {
        sub
    };
    let (d, c) = data(&chosen);
    let fitted = fit_points(&d, &c);
    if fitted.len() < 2 {
        return None;
    }
    let estimate = root(&fitted)?;
    let mut rng = rand_xoshiro::Xoshiro256PlusPlus::seed_from_u64(0x005e_ed7c);
    let mut roots = Vec::with_capacity(400);
    let len = d.iter().map(|(_, xs)| xs.len()).max().unwrap_or(0);
    let mut resampled: Vec<(f64, Vec<f64>)> = d.iter().map(|(t, _)| (*t, Vec::new())).collect();
    for _ in 0..400 {
        let us: Vec<f64> = (0..len).map(|_| rng.random::<f64>()).collect();
        for ((_, xs), (_, out)) in d.iter().zip(resampled.iter_mut()) {
            out.clear();
            let n = xs.len();
            out.extend(
                us[..n]
                    .iter()
                    .map(|u| xs[((u * n as f64) as usize).min(n - 1)]),
            );
        }
        if let Some(r) = root(&fit_points(&resampled, &c)) {
            roots.push(r);
        }
    }
    if roots.len() < 100 {
        return None;
    }
    roots.sort_by(f64::total_cmp);
    let q = |p: f64| crate::metrics::quantile_sorted(&roots, p);
    Some(ThresholdEstimate {
        estimate,
        ci95: [q(0.025), q(0.975)],
        points: chosen.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn poisson_directed(k: f64) -> Degrees {
        // Independent Poisson(k) in- and out-degrees, truncated far out.
        let pois = |i: u32| {
            let mut p = (-k).exp();
            for m in 1..=i {
                p *= k / m as f64;
            }
            p
        };
        let mut joint = Vec::new();
        for j in 0..60 {
            for o in 0..60 {
                joint.push((j as f64, o as f64, pois(j) * pois(o)));
            }
        }
        Degrees {
            undirected: false,
            joint,
            nodes: 1,
            mean_in: k,
            mean_out: k,
            mean_in_out: k * k,
        }
    }

    #[test]
    fn erdos_renyi_closed_forms() {
        // Directed ER: T_c = 1/k, S solves S = 1 − exp(−T k S), R = 1 − exp(−k S).
        let d = poisson_directed(10.0);
        assert!((d.threshold() - 0.1).abs() < 1e-12);
        let p = d.predict(0.2);
        let s = p.engaged_share;
        assert!((s - (1.0 - (-2.0 * s).exp())).abs() < 1e-9, "{s}");
        assert!((s - 0.7968121300).abs() < 1e-6, "{s}");
        assert!((p.outbreak_probability - s).abs() < 1e-9);
        assert!((p.reached_share - (1.0 - (-10.0 * s).exp())).abs() < 1e-9);
        assert!(d.predict(0.09).engaged_share < 1e-6);
        assert!((d.subcritical_mean(0.05) - 2.0).abs() < 1e-12);
    }

    #[test]
    fn regular_undirected_threshold() {
        // 3-regular undirected: T_c = 3 / (9 − 3) = 1/2.
        let d = Degrees {
            undirected: true,
            joint: vec![(3.0, 3.0, 1.0)],
            nodes: 1,
            mean_in: 3.0,
            mean_out: 3.0,
            mean_in_out: 9.0,
        };
        assert!((d.threshold() - 0.5).abs() < 1e-12);
        // y = 1 − (1 − T y)², T = 1 ⇒ y = 1 … the whole graph at T = 1.
        assert!((d.predict(1.0).engaged_share - 1.0).abs() < 1e-9);
        assert!(d.predict(0.45).engaged_share < 1e-6);
    }

    #[test]
    fn root_of_a_line() {
        let pts = [(0.02, 0.08, 1.0), (0.04, 0.06, 1.0), (0.06, 0.04, 1.0)];
        assert!((root(&pts).unwrap() - 0.1).abs() < 1e-12);
    }
}
