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

impl TrustDist {
    /// Checks the parameters; `key` names the scenario table for messages.
    ///
    /// # Errors
    /// [`Error::Parameter`] when a value is outside its allowed range.
    pub fn validate(&self, key: &str) -> Result<()> {
        let ok = match *self {
            TrustDist::Fixed(v) => (0.0..=1.0).contains(&v),
            TrustDist::Uniform { low, high } => {
                (0.0..=1.0).contains(&low) && (low..=1.0).contains(&high)
            }
            TrustDist::Beta { alpha, beta } => {
                alpha > 0.0 && beta > 0.0 && alpha.is_finite() && beta.is_finite()
            }
        };
        if ok {
            Ok(())
        } else {
            Err(Error::param(
                key,
                format!(
                    "{self:?} is not allowed: fixed value in [0, 1]; uniform 0 ≤ low ≤ high ≤ 1; beta alpha > 0, beta > 0"
                ),
            ))
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
