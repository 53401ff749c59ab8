//! Trust distributions for generated ties, drawn as the graph stores trust:
//! as levels (see [`TrustLevel`]). A Beta distribution is tabulated once
//! over the 65,536 levels (the mass of each level's rounding interval, from
//! the regularised incomplete beta function) and drawn from an alias table,
//! one 64-bit random number per tie: the exact distribution of a Beta draw
//! rounded to a level, at the cost of a table lookup.

use super::{TRUST_LEVEL_MAX, TrustLevel, trust_level};
use crate::error::{Error, Result};
use rand::Rng;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// How much a recipient trusts the sender of a tie, in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrustDist {
    /// Every tie has this trust.
    Fixed(f64),
    /// Uniform on [low, high].
    Uniform {
        /// Lower bound, in [0, 1].
        low: f64,
        /// Upper bound, in [low, 1].
        high: f64,
    },
    /// Beta(alpha, beta).
    Beta {
        /// Shape α > 0.
        alpha: f64,
        /// Shape β > 0.
        beta: f64,
    },
}

impl Default for TrustDist {
    /// Beta(2, 2): mean 0.5, most ties moderately trusted.
    fn default() -> Self {
        TrustDist::Beta {
            alpha: 2.0,
            beta: 2.0,
        }
    }
}

/// Smallest beta parameter allowed (below it the sampler loses accuracy).
pub const BETA_MIN: f64 = 0.01;
/// Largest beta parameter allowed (above it the sampler loses accuracy).
pub const BETA_MAX: f64 = 1.0e6;
const BETA_RANGE: &str = "0.01 to 1000000 (where the beta sampler is exact)";

impl TrustDist {
    /// Checks the parameters; `key` names the scenario table for messages.
    ///
    /// # Errors
    /// [`Error::Parameter`] when a value is outside its allowed range.
    pub fn validate(&self, key: &str) -> Result<()> {
        let out = |name: &str, v: f64, allowed: &str| {
            Err(Error::param(
                format!("{key}.{name}"),
                format!("{v:?} is out of range; allowed: {allowed}"),
            ))
        };
        match *self {
            TrustDist::Fixed(v) if !(0.0..=1.0).contains(&v) => out("value", v, "0 to 1"),
            TrustDist::Uniform { low, .. } if !(0.0..=1.0).contains(&low) => {
                out("low", low, "0 to 1")
            }
            TrustDist::Uniform { low, high } if !(low..=1.0).contains(&high) => {
                out("high", high, &format!("low = {low} to 1"))
            }
            TrustDist::Beta { alpha, .. } if !(BETA_MIN..=BETA_MAX).contains(&alpha) => {
                out("alpha", alpha, BETA_RANGE)
            }
            TrustDist::Beta { beta, .. } if !(BETA_MIN..=BETA_MAX).contains(&beta) => {
                out("beta", beta, BETA_RANGE)
            }
            _ => Ok(()),
        }
    }

    /// Expected trust.
    pub fn mean(&self) -> f64 {
        match *self {
            TrustDist::Fixed(v) => v,
            TrustDist::Uniform { low, high } => 0.5 * (low + high),
            TrustDist::Beta { alpha, beta } => alpha / (alpha + beta),
        }
    }

    /// A sampler; call [`TrustDist::validate`] first.
    ///
    /// Beta tables are built once per (α, β) in a process and shared.
    pub fn sampler(&self) -> TrustSampler {
        match *self {
            TrustDist::Fixed(v) => TrustSampler::Fixed(trust_level(v as f32)),
            TrustDist::Uniform { low, high } => TrustSampler::Uniform(low, high - low),
            TrustDist::Beta { alpha, beta } => TrustSampler::Table(beta_table(alpha, beta)),
        }
    }

    /// Probability of each trust level `0..=TRUST_LEVEL_MAX` when a trust
    /// drawn from this distribution is rounded to the nearest level: level
    /// `k` takes the trust in `[(k − ½)/M, (k + ½)/M)` clipped to [0, 1],
    /// M = [`TRUST_LEVEL_MAX`]. Call [`TrustDist::validate`] first.
    pub fn level_masses(&self) -> Vec<f64> {
        let m = f64::from(TRUST_LEVEL_MAX);
        let cdf = |x: f64| -> f64 {
            let x = x.clamp(0.0, 1.0);
            match *self {
                TrustDist::Fixed(v) => f64::from(u8::from(x >= v)),
                TrustDist::Uniform { low, high } if high > low => {
                    ((x - low) / (high - low)).clamp(0.0, 1.0)
                }
                TrustDist::Uniform { low, .. } => f64::from(u8::from(x >= low)),
                TrustDist::Beta { alpha, beta } => regularized_beta(alpha, beta, x),
            }
        };
        let mut masses = Vec::with_capacity(LEVELS);
        let mut below = 0.0;
        for k in 0..LEVELS {
            let upper = if k + 1 == LEVELS {
                1.0
            } else {
                cdf((k as f64 + 0.5) / m)
            };
            masses.push((upper - below).max(0.0));
            below = upper;
        }
        let total: f64 = masses.iter().sum();
        masses.iter_mut().for_each(|p| *p /= total);
        masses
    }
}

/// Number of trust levels.
const LEVELS: usize = TRUST_LEVEL_MAX as usize + 1;

/// A ready-to-draw trust distribution, giving trust levels.
#[derive(Debug, Clone)]
pub enum TrustSampler {
    /// Constant.
    Fixed(TrustLevel),
    /// low + width · U, rounded to the nearest level.
    Uniform(f64, f64),
    /// Any distribution tabulated over the levels (an alias table: one
    /// 64-bit draw per trust).
    Table(Arc<AliasTable>),
}

impl TrustSampler {
    /// Draws one trust level (trust in [0, 1] is
    /// [`trust_value`](super::trust_value) of it).
    #[inline]
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> TrustLevel {
        match self {
            TrustSampler::Fixed(v) => *v,
            TrustSampler::Uniform(low, w) => {
                trust_level((low + w * crate::rng::unit(rng)).clamp(0.0, 1.0) as f32)
            }
            TrustSampler::Table(t) => t.draw(rng.next_u64()),
        }
    }
}

/// Walker's alias table over the trust levels (Vose's construction): level
/// `k = top 16 bits of a draw` is kept when the low 32 bits fall below its
/// threshold, else its alias is taken. Exact to 2⁻³² per level.
#[derive(Debug)]
pub struct AliasTable {
    /// Per level: keep threshold (32 bits) and alias (16 bits), packed.
    slots: Vec<(u32, u16)>,
}

impl AliasTable {
    /// The table for level probabilities `masses` (one per level, summing
    /// to 1).
    pub fn new(masses: &[f64]) -> AliasTable {
        assert_eq!(masses.len(), LEVELS, "one mass per trust level");
        let n = LEVELS as f64;
        let mut scaled: Vec<f64> = masses.iter().map(|p| p * n).collect();
        let mut slots: Vec<(u32, u16)> = (0..LEVELS).map(|k| (u32::MAX, k as u16)).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..LEVELS).partition(|&k| scaled[k] < 1.0);
        while let (Some(&s), Some(&l)) = (small.last(), large.last()) {
            small.pop();
            slots[s] = (
                (scaled[s] * 4_294_967_296.0).floor().min(4_294_967_295.0) as u32,
                l as u16,
            );
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // What remains is full up to rounding: keep itself.
        AliasTable { slots }
    }

    /// The level for one uniform 64-bit draw.
    #[inline]
    pub fn draw(&self, r: u64) -> TrustLevel {
        let k = (r >> 48) as usize;
        let (keep, alias) = self.slots[k];
        if (r as u32) < keep {
            k as TrustLevel
        } else {
            alias
        }
    }

    /// Probability the table gives each level (for checks).
    pub fn level_probabilities(&self) -> Vec<f64> {
        let mut p = vec![0.0; LEVELS];
        let share = 1.0 / LEVELS as f64;
        for (k, &(keep, alias)) in self.slots.iter().enumerate() {
            let kept = f64::from(keep) / 4_294_967_296.0;
            p[k] += share * kept;
            p[alias as usize] += share * (1.0 - kept);
        }
        p
    }
}

/// The shared alias table of Beta(α, β) over the trust levels.
fn beta_table(alpha: f64, beta: f64) -> Arc<AliasTable> {
    type Cache = Mutex<HashMap<(u64, u64), Arc<AliasTable>>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let key = (alpha.to_bits(), beta.to_bits());
    let cache = CACHE.get_or_init(Default::default);
    if let Some(t) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Arc::clone(t);
    }
    let table = Arc::new(AliasTable::new(
        &TrustDist::Beta { alpha, beta }.level_masses(),
    ));
    cache
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(key)
        .or_insert(table)
        .clone()
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, 9 terms; relative error about 1e-15).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x)Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, &c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// The regularised incomplete beta function I_x(a, b): the CDF of
/// Beta(a, b) at x (continued fraction, modified Lentz).
pub fn regularized_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let ln_front = ln_gamma(a + b) - ln_gamma(a) - ln_gamma(b) + a * x.ln() + b * (-x).ln_1p();
    let front = ln_front.exp();
    if x < (a + 1.0) / (a + b + 2.0) {
        if front == 0.0 {
            return 0.0;
        }
        front * beta_fraction(a, b, x) / a
    } else {
        if front == 0.0 {
            return 1.0;
        }
        1.0 - front * beta_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction of I_x(a, b) (Numerical Recipes' `betacf`).
fn beta_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    const EPS: f64 = 1e-15;
    let off_zero = |v: f64| if v.abs() < TINY { TINY } else { v };
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 / off_zero(1.0 - qab * x / qap);
    let mut h = d;
    // One Lentz step with coefficient `aa`: the factor it multiplies h by.
    let mut step = |aa: f64| {
        d = 1.0 / off_zero(1.0 + aa * d);
        c = off_zero(1.0 + aa / c);
        d * c
    };
    for m in 1..100_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        h *= step(m * (b - m) * x / ((qam + m2) * (a + m2)));
        let del = step(-(a + m) * (qab + m) * x / ((a + m2) * (qap + m2)));
        h *= del;
        if (del - 1.0).abs() < EPS {
            break;
        }
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, stream_rng};

    #[test]
    fn sample_means_match() {
        let n = 200_000;
        for d in [
            TrustDist::Fixed(0.3),
            TrustDist::Uniform {
                low: 0.2,
                high: 0.6,
            },
            TrustDist::Beta {
                alpha: 2.0,
                beta: 5.0,
            },
        ] {
            d.validate("t").unwrap();
            let s = d.sampler();
            let mut r = stream_rng(9, Stream::Trust, 0);
            let xs: Vec<f64> = (0..n)
                .map(|_| f64::from(crate::graph::trust_value(s.draw(&mut r))))
                .collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let se = (var / n as f64).sqrt().max(1e-9);
            assert!(
                // Rounding to a level moves trust by at most half a level (plus f32 error).
                (mean - d.mean()).abs() < 5.0 * se + 1.0 / f64::from(TRUST_LEVEL_MAX),
                "{d:?}: {mean} vs {}",
                d.mean()
            );
            assert!(xs.iter().all(|x| (0.0..=1.0).contains(x)));
        }
    }

    #[test]
    fn incomplete_beta_matches_closed_forms() {
        for &x in &[1e-9, 0.001, 0.1, 0.3, 0.5, 0.77, 0.999, 1.0 - 1e-9] {
            let close = |got: f64, want: f64, what: &str| {
                assert!((got - want).abs() < 1e-12, "{what} at {x}: {got} vs {want}");
            };
            close(
                regularized_beta(2.0, 2.0, x),
                3.0 * x * x - 2.0 * x * x * x,
                "I(2,2)",
            );
            close(regularized_beta(1.0, 1.0, x), x, "I(1,1)");
            close(regularized_beta(3.5, 1.0, x), x.powf(3.5), "I(3.5,1)");
            close(
                regularized_beta(1.0, 0.25, x),
                1.0 - (1.0 - x).powf(0.25),
                "I(1,0.25)",
            );
            // Symmetry I_x(a, b) = 1 − I_{1−x}(b, a).
            close(
                regularized_beta(8.0, 2.0, x),
                1.0 - regularized_beta(2.0, 8.0, 1.0 - x),
                "symmetry",
            );
        }
        // ln Γ at integers and at ½.
        for n in 1..20u32 {
            let fact: f64 = (1..n).map(f64::from).product();
            assert!(
                (ln_gamma(f64::from(n)) - fact.ln()).abs() < 1e-12,
                "ln Γ({n})"
            );
        }
        assert!((ln_gamma(0.5) - std::f64::consts::PI.sqrt().ln()).abs() < 1e-13);
    }

    #[test]
    fn level_masses_are_the_rounded_distribution() {
        let m = f64::from(TRUST_LEVEL_MAX);
        // Uniform on [0, 1]: inner levels 1/M, the two end levels half that.
        let u = TrustDist::Uniform {
            low: 0.0,
            high: 1.0,
        }
        .level_masses();
        assert!((u[0] - 0.5 / m).abs() < 1e-15 && (u[LEVELS - 1] - 0.5 / m).abs() < 1e-15);
        assert!(u[1..LEVELS - 1].iter().all(|p| (p - 1.0 / m).abs() < 1e-15));
        // Beta(2, 2): each level's mass is the CDF difference over its interval.
        let b = TrustDist::Beta {
            alpha: 2.0,
            beta: 2.0,
        }
        .level_masses();
        let cdf = |x: f64| 3.0 * x * x - 2.0 * x * x * x;
        for k in [1usize, 100, 32_767, 60_000, LEVELS - 2] {
            let want = cdf((k as f64 + 0.5) / m) - cdf((k as f64 - 0.5) / m);
            assert!((b[k] - want).abs() < 1e-14, "level {k}: {} vs {want}", b[k]);
        }
        // Extreme shapes still sum to 1 and put the mass where it belongs.
        for (a, bb) in [(0.01, 0.01), (0.01, 5.0), (1e6, 1e6), (500.0, 2.0)] {
            let p = TrustDist::Beta { alpha: a, beta: bb }.level_masses();
            assert!((p.iter().sum::<f64>() - 1.0).abs() < 1e-12);
            let mean: f64 = p.iter().enumerate().map(|(k, q)| k as f64 / m * q).sum();
            assert!(
                (mean - a / (a + bb)).abs() < 1e-4,
                "Beta({a}, {bb}) mean {mean}"
            );
        }
    }

    #[test]
    fn alias_table_gives_the_masses() {
        let d = TrustDist::Beta {
            alpha: 5.0,
            beta: 3.0,
        };
        let masses = d.level_masses();
        let t = AliasTable::new(&masses);
        let p = t.level_probabilities();
        let worst = masses
            .iter()
            .zip(&p)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(worst < 1e-9, "alias table off by {worst}");
        // And a drawn sample agrees with the masses in 20 coarse bins (χ²).
        let TrustSampler::Table(t) = d.sampler() else {
            panic!("a beta sampler is a table")
        };
        let mut r = stream_rng(3, Stream::Trust, 1);
        let n = 400_000;
        let mut counts = [0f64; 20];
        for _ in 0..n {
            counts[t.draw(r.next_u64()) as usize * 20 / LEVELS] += 1.0;
        }
        let mut chi2 = 0.0;
        for (i, c) in counts.iter().enumerate() {
            let want: f64 = masses[i * LEVELS / 20..(i + 1) * LEVELS / 20]
                .iter()
                .sum::<f64>()
                * n as f64;
            if want > 0.0 {
                chi2 += (c - want) * (c - want) / want;
            }
        }
        // 19 degrees of freedom: P(χ² > 43.8) = 0.001.
        assert!(chi2 < 43.8, "χ² = {chi2}");
    }

    #[test]
    fn trust_levels_round_trip_through_text() {
        for q in (0..=TRUST_LEVEL_MAX)
            .step_by(7)
            .chain([1, TRUST_LEVEL_MAX - 1])
        {
            let text = crate::graph::trust_text(q);
            assert!(text.len() <= 7, "{q}: {text}");
            assert_eq!(trust_level(text.parse().unwrap()), q, "{q}: {text}");
            assert_eq!(trust_level(crate::graph::trust_value(q)), q);
        }
        assert_eq!(crate::graph::trust_text(TRUST_LEVEL_MAX), "1");
        assert_eq!(crate::graph::trust_text(0), "0");
    }

    #[test]
    fn rejects_out_of_range() {
        assert!(TrustDist::Fixed(1.5).validate("t").is_err());
        assert!(
            TrustDist::Uniform {
                low: 0.7,
                high: 0.2
            }
            .validate("t")
            .is_err()
        );
        assert!(
            TrustDist::Beta {
                alpha: 0.0,
                beta: 1.0
            }
            .validate("t")
            .is_err()
        );
    }
}
