//! The ensemble of a run's trials ([`Ensemble`]): every trial's outcome,
//! per-step counts and breakdowns, in trial order, with the trial number of
//! the first and the digest of the scenario. Ensembles append exactly, and
//! save to and load from a compact, versioned, checksummed binary form
//! ([`Ensemble::to_bytes`], [`Ensemble::from_bytes`]), so that trials run
//! apart (on other machines) can be put back together.

use super::state::TrialOutcome;
use crate::error::{Error, Result};

/// All trials' outcomes, in trial order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ensemble {
    /// Scalar outcome per trial.
    pub outcomes: Vec<TrialOutcome>,
    /// Per-step (new reached, new engaged, new shared), all trials concatenated.
    pub steps: Vec<[u32; 3]>,
    /// Start of each trial's steps in `steps` (length trials + 1).
    pub step_offsets: Vec<u64>,
    /// Reached and engaged per segment per trial (trials × segments × 2); empty with one segment.
    pub per_segment: Vec<u32>,
    /// Number of segments in `per_segment`.
    pub segments: usize,
    /// Reached, engaged and seeds per role per trial (trials × roles × 3); empty with one role.
    pub per_role: Vec<u32>,
    /// Number of roles in `per_role`.
    pub roles: usize,
    /// Sum over trials of the out-degree of everyone who shared (edges examined).
    pub edges_examined: u64,
    /// Trial number of the first outcome (trials are numbered from 0 in a
    /// run; a shard of a run starts further on).
    pub first_trial: u64,
    /// Digest of the scenario the trials ran (0: not recorded); ensembles
    /// of different scenarios are never joined.
    pub digest: u64,
}

impl Ensemble {
    /// An ensemble of no trials, tracking `segments` segments and `roles`
    /// roles per trial (0: not tracked).
    pub fn new(segments: usize, roles: usize) -> Self {
        Self::starting_at(0, 0, segments, roles)
    }

    /// An ensemble of no trials whose first trial will be `first`, of the
    /// scenario with digest `digest`.
    pub fn starting_at(first: u64, digest: u64, segments: usize, roles: usize) -> Self {
        Ensemble {
            segments,
            roles,
            step_offsets: vec![0],
            first_trial: first,
            digest,
            ..Default::default()
        }
    }

    /// The trial numbers this ensemble holds.
    pub fn trial_range(&self) -> std::ops::Range<u64> {
        self.first_trial..self.first_trial + self.len() as u64
    }

    /// Number of trials.
    pub fn len(&self) -> usize {
        self.outcomes.len()
    }

    /// True when no trials ran.
    pub fn is_empty(&self) -> bool {
        self.outcomes.is_empty()
    }

    /// Per-step counts of trial `i`.
    pub fn trial_steps(&self, i: usize) -> &[[u32; 3]] {
        &self.steps[self.step_offsets[i] as usize..self.step_offsets[i + 1] as usize]
    }

    /// Appends the trials that follow this ensemble's (as from
    /// [`run_range`](super::montecarlo::run_range)); an ensemble of no trials
    /// takes the other's first trial, digest and segment and role counts.
    ///
    /// # Errors
    /// [`Error::Parameter`] when `other` does not start where this one ends,
    /// ran another scenario, or tracks other segments or roles; nothing is
    /// appended then.
    pub fn append(&mut self, mut other: Ensemble) -> Result<()> {
        if self.is_empty() {
            self.first_trial = other.first_trial;
            self.digest = other.digest;
            self.segments = other.segments;
            self.roles = other.roles;
        }
        if other.is_empty() {
            return Ok(());
        }
        let end = self.first_trial + self.len() as u64;
        if other.first_trial != end {
            return Err(Error::param(
                "trials",
                format!(
                    "trials {}..{} cannot follow trials {}..{end}",
                    other.first_trial,
                    other.first_trial + other.len() as u64,
                    self.first_trial
                ),
            ));
        }
        if other.digest != self.digest
            || (other.segments, other.roles) != (self.segments, self.roles)
        {
            return Err(Error::param(
                "trials",
                format!(
                    "trials {}..{} come from another scenario (digest {:016x}, this one {:016x})",
                    other.first_trial,
                    other.first_trial + other.len() as u64,
                    other.digest,
                    self.digest
                ),
            ));
        }
        let base = self.steps.len() as u64;
        if self.step_offsets.is_empty() {
            self.step_offsets.push(0);
        }
        self.step_offsets
            .extend(other.step_offsets.iter().skip(1).map(|o| o + base));
        self.outcomes.append(&mut other.outcomes);
        self.steps.append(&mut other.steps);
        self.per_segment.append(&mut other.per_segment);
        self.per_role.append(&mut other.per_role);
        self.edges_examined += other.edges_examined;
        Ok(())
    }
}

/// First bytes of a saved ensemble.
pub const ENSEMBLE_MAGIC: [u8; 8] = *b"VIRALENS";
/// Version of the saved-ensemble layout.
pub const ENSEMBLE_FORMAT: u32 = 1;

/// 64-bit FNV-1a of `bytes`: any single changed byte changes it (each step
/// is a bijection of the state), so a flipped bit or a truncated payload
/// does not pass for a complete one.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

impl Ensemble {
    /// The ensemble in its saved form, with `extra` (what the caller needs
    /// beside the trials, e.g. the summary's context) carried along:
    ///
    /// ```text
    /// magic "VIRALENS" · format u32 · tool version (u32 length, UTF-8)
    /// digest u64 · first trial u64 · trials u64 · segments u32 · roles u32
    /// edges examined u64 · extra (u64 length, bytes)
    /// per trial: reached, engaged, shared, converted, earned media, depth,
    ///   time to peak, duration, seeds, paid reached (u32 each),
    ///   structural virality (f64), steps (u32)
    /// per step: new reached, engaged, shared (u32 each)
    /// per trial × segment: reached, engaged · per trial × role: reached,
    ///   engaged, seeds (u32 each)
    /// checksum u64: FNV-1a of everything before it
    /// ```
    ///
    /// All integers little-endian. Same ensemble ⇒ same bytes.
    pub fn to_bytes(&self, extra: &[u8]) -> Vec<u8> {
        let n = self.len();
        let mut b = Vec::with_capacity(
            96 + extra.len()
                + n * 52
                + self.steps.len() * 12
                + (self.per_segment.len() + self.per_role.len()) * 4,
        );
        let version = env!("CARGO_PKG_VERSION").as_bytes();
        b.extend_from_slice(&ENSEMBLE_MAGIC);
        b.extend_from_slice(&ENSEMBLE_FORMAT.to_le_bytes());
        b.extend_from_slice(&(version.len() as u32).to_le_bytes());
        b.extend_from_slice(version);
        for x in [self.digest, self.first_trial, n as u64] {
            b.extend_from_slice(&x.to_le_bytes());
        }
        b.extend_from_slice(&(self.segments as u32).to_le_bytes());
        b.extend_from_slice(&(self.roles as u32).to_le_bytes());
        b.extend_from_slice(&self.edges_examined.to_le_bytes());
        b.extend_from_slice(&(extra.len() as u64).to_le_bytes());
        b.extend_from_slice(extra);
        for (i, o) in self.outcomes.iter().enumerate() {
            for x in [
                o.reached,
                o.engaged,
                o.shared,
                o.converted,
                o.earned_media,
                o.depth,
                o.peak_step,
                o.steps,
                o.seeds,
                o.paid_reached,
            ] {
                b.extend_from_slice(&x.to_le_bytes());
            }
            b.extend_from_slice(&o.structural_virality.to_le_bytes());
            let rows = self.step_offsets[i + 1] - self.step_offsets[i];
            b.extend_from_slice(&(rows as u32).to_le_bytes());
        }
        for row in &self.steps {
            for x in row {
                b.extend_from_slice(&x.to_le_bytes());
            }
        }
        for x in self.per_segment.iter().chain(&self.per_role) {
            b.extend_from_slice(&x.to_le_bytes());
        }
        let sum = fnv1a64(&b);
        b.extend_from_slice(&sum.to_le_bytes());
        b
    }

    /// Reads an ensemble saved by [`Ensemble::to_bytes`] and the extra bytes
    /// saved with it. `file` names the data in messages.
    ///
    /// # Errors
    /// [`Error::PartFile`] when the data is not a saved ensemble, was saved
    /// by another version of viralsim or in another layout, is truncated or
    /// longer than its header says, or fails its checksum.
    pub fn from_bytes(bytes: &[u8], file: &str) -> Result<(Ensemble, Vec<u8>)> {
        let mut ens = Ensemble::default();
        let head = Self::read_saved(bytes, file, Some(&mut ens))?;
        Ok((ens, head.extra))
    }

    /// Reads a saved ensemble from `r` as a stream, checking it as
    /// [`Ensemble::from_bytes`] does, with a buffer of a few hundred
    /// kilobytes. With `into`, its trials are appended to that ensemble
    /// (which must end where they start, or be empty) as they are read;
    /// without, they are only checked. Returns the header.
    ///
    /// On an error `into` may hold part of the trials: discard it.
    ///
    /// # Errors
    /// As [`Ensemble::from_bytes`], and [`Error::PartFile`] when the trials
    /// do not follow those of `into` or come from another scenario.
    pub fn read_saved(
        r: impl std::io::Read,
        file: &str,
        into: Option<&mut Ensemble>,
    ) -> Result<SavedHeader> {
        decode_stream(r, into).map_err(|msg| Error::PartFile {
            file: file.to_string(),
            msg,
        })
    }
}

/// The header of a saved ensemble: which trials of which scenario it holds,
/// and the caller's extra bytes.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedHeader {
    /// Digest of the scenario ([`Ensemble::digest`]).
    pub digest: u64,
    /// Trial number of the first trial.
    pub first_trial: u64,
    /// Number of trials.
    pub trials: u64,
    /// Segments tracked per trial.
    pub segments: usize,
    /// Roles tracked per trial.
    pub roles: usize,
    /// Per-step rows over all trials.
    pub steps: u64,
    /// The extra bytes saved with the ensemble.
    pub extra: Vec<u8>,
}

impl SavedHeader {
    /// The trial numbers the saved ensemble holds.
    pub fn trial_range(&self) -> std::ops::Range<u64> {
        self.first_trial..self.first_trial + self.trials
    }
}

/// Longest version string and extra payload a saved ensemble may carry.
const MAX_VERSION_BYTES: usize = 256;
const MAX_EXTRA_BYTES: u64 = 1 << 26;
/// Records decoded per read.
const READ_RECORDS: usize = 8192;

/// A reader that hashes what passes through it and names what is missing.
struct HashReader<R> {
    inner: R,
    hash: u64,
    at: u64,
}

impl<R: std::io::Read> HashReader<R> {
    fn exact(&mut self, buf: &mut [u8], what: &str) -> std::result::Result<(), String> {
        self.raw(buf, what)?;
        for &b in buf.iter() {
            self.hash ^= b as u64;
            self.hash = self.hash.wrapping_mul(0x0100_0000_01b3);
        }
        Ok(())
    }
    fn raw(&mut self, buf: &mut [u8], what: &str) -> std::result::Result<(), String> {
        let mut got = 0;
        while got < buf.len() {
            match self.inner.read(&mut buf[got..]) {
                Ok(0) => {
                    return Err(format!(
                        "truncated: {what} needs {} bytes at offset {}, the data ends at {}",
                        buf.len(),
                        self.at,
                        self.at + got as u64
                    ));
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(format!("cannot read {what} at offset {}: {e}", self.at)),
            }
        }
        self.at += buf.len() as u64;
        Ok(())
    }
    fn u32(&mut self, what: &str) -> std::result::Result<u32, String> {
        let mut b = [0; 4];
        self.exact(&mut b, what)?;
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self, what: &str) -> std::result::Result<u64, String> {
        let mut b = [0; 8];
        self.exact(&mut b, what)?;
        Ok(u64::from_le_bytes(b))
    }
    /// `n` little-endian u32 values, a buffer at a time, each passed to `f`.
    fn u32s(
        &mut self,
        n: u64,
        what: &str,
        mut f: impl FnMut(&[u8]),
    ) -> std::result::Result<(), String> {
        // A whole number of per-step rows (12 bytes) and of values (4).
        let mut buf = vec![0u8; READ_RECORDS * 12];
        let mut left = n
            .checked_mul(4)
            .ok_or_else(|| format!("{what}: {n} values is more than a file can hold"))?;
        while left > 0 {
            let k = left.min(buf.len() as u64) as usize;
            self.exact(&mut buf[..k], what)?;
            f(&buf[..k]);
            left -= k as u64;
        }
        Ok(())
    }
}

fn le32(c: &[u8]) -> u32 {
    u32::from_le_bytes(c.try_into().expect("4 bytes"))
}

fn decode_stream(
    r: impl std::io::Read,
    mut into: Option<&mut Ensemble>,
) -> std::result::Result<SavedHeader, String> {
    let mut r = HashReader {
        inner: r,
        hash: 0xcbf2_9ce4_8422_2325,
        at: 0,
    };
    let mut magic = [0u8; 8];
    r.exact(&mut magic, "magic")
        .map_err(|_| "not a viralsim ensemble (it is shorter than its 8-byte magic VIRALENS)")?;
    if magic != ENSEMBLE_MAGIC {
        return Err("not a viralsim ensemble (it does not start with VIRALENS)".into());
    }
    let format = r.u32("format")?;
    if format != ENSEMBLE_FORMAT {
        return Err(format!(
            "layout version {format}; this viralsim reads version {ENSEMBLE_FORMAT}"
        ));
    }
    let vlen = r.u32("version length")? as usize;
    if vlen > MAX_VERSION_BYTES {
        return Err(format!(
            "version length {vlen} is more than {MAX_VERSION_BYTES}: the file is corrupt"
        ));
    }
    let mut version = vec![0u8; vlen];
    r.exact(&mut version, "version")?;
    let version = String::from_utf8_lossy(&version).into_owned();
    if version != env!("CARGO_PKG_VERSION") {
        return Err(format!(
            "written by viralsim {version}; this is viralsim {} (run every part with one version)",
            env!("CARGO_PKG_VERSION")
        ));
    }
    let digest = r.u64("digest")?;
    let first_trial = r.u64("first trial")?;
    let trials = r.u64("trial count")?;
    let segments = r.u32("segments")? as usize;
    let roles = r.u32("roles")? as usize;
    let edges_examined = r.u64("edges examined")?;
    let elen = r.u64("extra length")?;
    if elen > MAX_EXTRA_BYTES {
        return Err(format!(
            "extra length {elen} is more than {MAX_EXTRA_BYTES}: the file is corrupt"
        ));
    }
    let mut extra = vec![0u8; elen as usize];
    r.exact(&mut extra, "extra")?;
    if let Some(e) = into.as_deref_mut() {
        if e.is_empty() {
            // Keep whatever capacity the caller reserved.
            (e.first_trial, e.digest, e.segments, e.roles) = (first_trial, digest, segments, roles);
            e.steps.clear();
            e.per_segment.clear();
            e.per_role.clear();
            e.step_offsets.clear();
            e.step_offsets.push(0);
            e.edges_examined = 0;
        } else if e.trial_range().end != first_trial {
            return Err(format!(
                "trials {first_trial}..{} cannot follow trials {}..{}",
                first_trial.saturating_add(trials),
                e.first_trial,
                e.trial_range().end
            ));
        } else if (e.digest, e.segments, e.roles) != (digest, segments, roles) {
            return Err(format!(
                "trials {first_trial}..{} come from another scenario (digest {digest:016x}, expected {:016x})",
                first_trial.saturating_add(trials),
                e.digest
            ));
        }
        e.edges_examined += edges_examined;
    }
    // Per-trial records: 12 u32 fields and an f64 (13 words of 4 bytes).
    let mut rows = 0u64;
    let mut left = trials;
    let mut buf = vec![0u8; READ_RECORDS * 52];
    while left > 0 {
        let k = left.min(READ_RECORDS as u64) as usize;
        r.exact(&mut buf[..k * 52], "per-trial outcomes")?;
        for rec in buf[..k * 52].chunks_exact(52) {
            let u = |k: usize| le32(&rec[4 * k..4 * k + 4]);
            rows += u(12) as u64;
            if let Some(e) = into.as_deref_mut() {
                e.outcomes.push(TrialOutcome {
                    reached: u(0),
                    engaged: u(1),
                    shared: u(2),
                    converted: u(3),
                    earned_media: u(4),
                    depth: u(5),
                    peak_step: u(6),
                    steps: u(7),
                    seeds: u(8),
                    paid_reached: u(9),
                    structural_virality: f64::from_le_bytes(rec[40..48].try_into().expect("8")),
                });
                let base = e.step_offsets.last().copied().unwrap_or(0);
                e.step_offsets.push(base + u(12) as u64);
            }
        }
        left -= k as u64;
    }
    let mut sink = into;
    r.u32s(
        rows.checked_mul(3).ok_or("step count too large")?,
        "per-step counts",
        |b| {
            if let Some(e) = sink.as_deref_mut() {
                e.steps.extend(
                    b.chunks_exact(12)
                        .map(|c| [le32(&c[..4]), le32(&c[4..8]), le32(&c[8..])]),
                );
            }
        },
    )?;
    let cells = |k: usize, per: u64| {
        trials
            .checked_mul(k as u64)
            .and_then(|x| x.checked_mul(per))
    };
    r.u32s(
        cells(segments, 2).ok_or("segment count too large")?,
        "per-segment counts",
        |b| {
            if let Some(e) = sink.as_deref_mut() {
                e.per_segment.extend(b.chunks_exact(4).map(le32));
            }
        },
    )?;
    r.u32s(
        cells(roles, 3).ok_or("role count too large")?,
        "per-role counts",
        |b| {
            if let Some(e) = sink.as_deref_mut() {
                e.per_role.extend(b.chunks_exact(4).map(le32));
            }
        },
    )?;
    let computed = r.hash;
    let mut sum = [0u8; 8];
    r.raw(&mut sum, "checksum")?;
    if u64::from_le_bytes(sum) != computed {
        return Err("checksum mismatch: the file is corrupt or truncated".into());
    }
    let mut more = [0u8; 1];
    if r.inner.read(&mut more).map_err(|e| e.to_string())? > 0 {
        return Err("bytes after the data its header describes (and its checksum)".into());
    }
    Ok(SavedHeader {
        digest,
        first_trial,
        trials,
        segments,
        roles,
        steps: rows,
        extra,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::{Stream, below, stream_rng};

    /// A random ensemble of `trials` trials from `first`, with breakdowns.
    fn random(first: u64, trials: usize, seed: u64) -> Ensemble {
        let mut r = stream_rng(seed, Stream::Trial, first);
        let mut e = Ensemble::starting_at(first, 0xfeed, 2, 3);
        for _ in 0..trials {
            let o = TrialOutcome {
                reached: below(&mut r, 1000) as u32,
                engaged: below(&mut r, 100) as u32,
                structural_virality: below(&mut r, 1000) as f64 / 7.0,
                steps: below(&mut r, 6) as u32,
                ..Default::default()
            };
            for _ in 0..o.steps {
                e.steps.push([0, 1, 2].map(|_| below(&mut r, 50) as u32));
            }
            e.step_offsets.push(e.steps.len() as u64);
            e.per_segment
                .extend((0..4).map(|_| below(&mut r, 9) as u32));
            e.per_role.extend((0..9).map(|_| below(&mut r, 9) as u32));
            e.edges_examined += below(&mut r, 1 << 20);
            e.outcomes.push(o);
        }
        e
    }

    #[test]
    fn saved_ensembles_round_trip_exactly_with_their_extra_bytes() {
        // 30,000 trials: many read buffers of each section.
        for trials in [0, 1, 17, 300, 30_000] {
            let e = random(40, trials, 1);
            let bytes = e.to_bytes(b"context");
            let (back, extra) = Ensemble::from_bytes(&bytes, "p").unwrap();
            assert_eq!(back, e, "{trials} trials");
            assert_eq!(extra, b"context");
            assert_eq!(
                back.to_bytes(b"context"),
                bytes,
                "same ensemble, same bytes"
            );
        }
    }

    #[test]
    fn saved_parts_read_as_streams_append_to_the_whole() {
        let (a, b) = (random(0, 20_000, 8), random(20_000, 15_000, 9));
        let mut want = a.clone();
        want.append(b.clone()).unwrap();
        let mut got = Ensemble::default();
        for part in [&a, &b] {
            let bytes = part.to_bytes(b"m");
            let head = Ensemble::read_saved(&bytes[..], "p", None).unwrap();
            assert_eq!(head.trial_range(), part.trial_range());
            assert_eq!(head.steps, part.steps.len() as u64);
            Ensemble::read_saved(&bytes[..], "p", Some(&mut got)).unwrap();
        }
        assert_eq!(got, want);
        // Not following on: refused, naming the file.
        let e = Ensemble::read_saved(&a.to_bytes(b"")[..], "part-9", Some(&mut got)).unwrap_err();
        assert!(
            e.to_string().contains("part-9") && e.to_string().contains("cannot follow"),
            "{e}"
        );
    }

    #[test]
    fn every_flipped_bit_and_every_truncation_is_refused() {
        let bytes = random(0, 5, 2).to_bytes(b"x");
        for i in 0..bytes.len() {
            for bit in [0, 3, 7] {
                let mut bad = bytes.clone();
                bad[i] ^= 1 << bit;
                assert!(
                    Ensemble::from_bytes(&bad, "p").is_err(),
                    "byte {i} bit {bit}"
                );
            }
        }
        for len in 0..bytes.len() {
            let e = Ensemble::from_bytes(&bytes[..len], "part-3.bin").unwrap_err();
            assert!(e.to_string().contains("part-3.bin"), "{e}");
        }
        let mut longer = bytes.clone();
        longer.insert(20, 0);
        assert!(Ensemble::from_bytes(&longer, "p").is_err());
    }

    #[test]
    fn appending_consecutive_ranges_gives_the_whole_and_gaps_are_refused() {
        let whole = random(0, 0, 3);
        let (a, b, c) = (random(0, 10, 4), random(10, 7, 5), random(17, 3, 6));
        let mut joined = whole.clone();
        for part in [a.clone(), b.clone(), c.clone()] {
            joined.append(part).unwrap();
        }
        assert_eq!(joined.trial_range(), 0..20);
        assert_eq!(joined.len(), 20);
        assert_eq!(joined.trial_steps(12), b.trial_steps(2));
        assert_eq!(
            joined.edges_examined,
            a.edges_examined + b.edges_examined + c.edges_examined
        );
        // A gap, an overlap and another scenario's trials are refused, and
        // leave the ensemble as it was.
        let mut x = a.clone();
        assert!(x.append(c.clone()).is_err());
        assert!(x.append(random(5, 3, 7)).is_err());
        let mut foreign = b.clone();
        foreign.digest = 1;
        assert!(x.append(foreign).is_err());
        assert_eq!(x, a);
    }
}
