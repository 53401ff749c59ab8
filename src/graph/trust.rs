//! Trust distributions for generated ties.

use crate::error::{Error, Result};
use rand::Rng;
use rand_distr::{Beta, Distribution};

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
    pub fn sampler(&self) -> TrustSampler {
        match *self {
            TrustDist::Fixed(v) => TrustSampler::Fixed(v as f32),
            TrustDist::Uniform { low, high } => TrustSampler::Uniform(low, high - low),
            TrustDist::Beta { alpha, beta } => {
                TrustSampler::Beta(Beta::new(alpha, beta).expect("validated beta parameters"))
            }
        }
    }
}

/// A ready-to-draw trust distribution.
#[derive(Debug, Clone)]
pub enum TrustSampler {
    /// Constant.
    Fixed(f32),
    /// low + width · U.
    Uniform(f64, f64),
    /// Beta distribution.
    Beta(Beta<f64>),
}

impl TrustSampler {
    /// Draws one trust value in [0, 1].
    #[inline]
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> f32 {
        match self {
            TrustSampler::Fixed(v) => *v,
            TrustSampler::Uniform(low, w) => {
                (low + w * crate::rng::unit(rng)).clamp(0.0, 1.0) as f32
            }
            TrustSampler::Beta(b) => (b.sample(rng) as f32).clamp(0.0, 1.0),
        }
    }
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
            let xs: Vec<f64> = (0..n).map(|_| s.draw(&mut r) as f64).collect();
            let mean = xs.iter().sum::<f64>() / n as f64;
            let var = xs.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let se = (var / n as f64).sqrt().max(1e-9);
            assert!(
                (mean - d.mean()).abs() < 5.0 * se + 1e-6,
                "{d:?}: {mean} vs {}",
                d.mean()
            );
            assert!(xs.iter().all(|x| (0.0..=1.0).contains(x)));
        }
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
