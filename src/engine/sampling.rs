//! Sampling helpers the kernels share: trial streams, seed and pool draws,
//! geometric skips, branch-free reach marking and prefetch hints.

use super::Compiled;
use super::seeding::ResolvedPlan;
use super::state::Workspace;
use crate::rng::{Stream, Xoshiro256PlusPlus, below, stream_rng};
use rand::{Rng, RngExt};

/// Hints the CPU to bring the cache line holding `x` closer. A hint only:
/// unlike an early load, a prefetch retires at once, so a cache miss does not
/// hold up the instructions behind it; it never faults and cannot change
/// results. The one `unsafe` in the crate (an intrinsic without a safe form).
/// Public so that benchmarks can prefetch as the kernel does.
#[inline(always)]
#[allow(unsafe_code)]
pub fn prefetch<T>(x: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: `_mm_prefetch` has no architectural effect (no load, no fault);
    // SSE is part of the x86_64 baseline; the pointer comes from a reference.
    unsafe {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        _mm_prefetch::<_MM_HINT_T0>((x as *const T).cast::<i8>());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = x;
}

/// The next candidate arc in `a..hi` after a geometric skip from `a`, or
/// `None` when the skip runs past `hi`. Each arc is a candidate with
/// probability p: the skip is ⌊E · scale⌋ with E ~ Exp(1) (a ziggurat draw,
/// one 64-bit number in 99% of cases) and `scale` = −1/ln(1 − p), so
/// P(skip ≥ k) = (1 − p)^k exactly.
#[inline(always)]
pub(crate) fn next_candidate<R: Rng>(
    skip_rng: &mut R,
    scale: f32,
    a: usize,
    hi: usize,
) -> Option<usize> {
    // ⌊E · scale⌋ saturates at u32::MAX, beyond any degree; one conversion,
    // and the same decision as comparing the real gap with `hi − a`.
    let gap = (skip_rng.sample::<f64, _>(rand_distr::Exp1) * scale as f64) as u32 as usize;
    if gap >= hi - a { None } else { Some(a + gap) }
}

/// Stamps everyone in `nbrs` reached in epoch `epoch` and returns how many
/// were not reached before. No branch per arc (earlier stamps are all
/// smaller). `stamps` holds (reach, engage) epochs per person, as in
/// [`Workspace`]; public so that benchmarks can time this pass on its own.
#[inline(always)]
pub fn mark_reached(stamps: &mut [[u16; 2]], nbrs: &[u32], epoch: u16) -> u32 {
    let mut new = 0u32;
    for &v in nbrs {
        let st = &mut stamps[v as usize][0];
        new += (*st < epoch) as u32;
        *st = epoch;
    }
    new
}

/// A 31-bit uniform draw, compared against [`threshold31`] thresholds.
#[inline(always)]
pub(crate) fn uniform31(x: u64) -> u32 {
    (x >> 33) as u32
}

/// Draws `k` people from `pool` uniformly without replacement among those
/// not yet reached in this trial, stamps each reached (and engaged too when
/// `engage` is given) and appends it to `out`. Returns how many were drawn
/// (fewer only if the pool runs out of such people).
#[allow(clippy::too_many_arguments)]
pub(crate) fn draw_from_pool<R: Rng>(
    rng: &mut R,
    pool: &[u32],
    k: usize,
    stamps: &mut [[u16; 2]],
    engage: bool,
    epoch: u16,
    scratch: &mut Vec<u32>,
    out: &mut Vec<u32>,
) -> usize {
    let mut take = |u: u32, stamps: &mut [[u16; 2]]| {
        stamps[u as usize][0] = epoch;
        if engage {
            stamps[u as usize][1] = epoch;
        }
        out.push(u);
    };
    let mut got = 0;
    if k * 2 <= pool.len() {
        // Sparse: rejection; the stamp makes repeats fail.
        let mut tries = 0usize;
        let limit = 64 * pool.len().max(16);
        while got < k && tries < limit {
            tries += 1;
            let u = pool[below(rng, pool.len() as u64) as usize];
            if stamps[u as usize][0] != epoch {
                take(u, stamps);
                got += 1;
            }
        }
        if got == k {
            return got;
        }
    }
    // Dense (or a pool mostly taken): shuffle the free part of the pool.
    scratch.clear();
    scratch.extend(
        pool.iter()
            .copied()
            .filter(|&u| stamps[u as usize][0] != epoch),
    );
    let want = (k - got).min(scratch.len());
    crate::rng::partial_shuffle(rng, &mut scratch[..], want);
    for &u in &scratch[..want] {
        take(u, stamps);
    }
    scratch.clear();
    got + want
}

/// A trial's generators: decisions, seeding, and geometric skips.
pub(crate) fn trial_streams(seed: u64, trial: u64) -> [Xoshiro256PlusPlus; 3] {
    [Stream::Trial, Stream::Seeding, Stream::Skips].map(|s| stream_rng(seed, s, trial))
}

/// Picks this trial's seeds: every fixed plan first (in plan order), then
/// the random ones (in plan order) among people not yet picked, so a fixed
/// plan listed after a random one never picks someone the random plan drew.
/// Each is stamped reached and engaged in epoch `epoch` and appended to
/// `seeds` (cleared first). Fixed plans draw nothing, so when they are
/// listed first this is the plan order itself.
pub(crate) fn choose_seeds<R: Rng>(
    c: &Compiled<'_>,
    ws: &mut Workspace,
    seeding_rng: &mut R,
    epoch: u16,
    seeds: &mut Vec<u32>,
) {
    choose_seeds_with(c, ws, seeding_rng, epoch, seeds, |_| {});
}

/// As [`choose_seeds`], telling `plan_end` after each plan how many seeds
/// the plans so far picked (paid-reach plans included, which pick none).
#[inline]
pub(crate) fn choose_seeds_with<R: Rng>(
    c: &Compiled<'_>,
    ws: &mut Workspace,
    seeding_rng: &mut R,
    epoch: u16,
    seeds: &mut Vec<u32>,
    mut plan_end: impl FnMut(usize),
) {
    seeds.clear();
    for plan in &c.seeding.plans {
        if let ResolvedPlan::Fixed(v) = plan {
            for &u in v {
                ws.stamps[u as usize][0] = epoch;
                ws.stamps[u as usize][1] = epoch;
                seeds.push(u);
            }
        }
    }
    for plan in &c.seeding.plans {
        if let ResolvedPlan::Random { pool, count } = plan {
            draw_from_pool(
                seeding_rng,
                pool,
                *count,
                &mut ws.stamps,
                true,
                epoch,
                &mut ws.scratch,
                seeds,
            );
        }
        plan_end(seeds.len());
    }
}
