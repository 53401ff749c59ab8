//! People and ties: segments, audience roles and tie kinds, and the rules
//! that give every generated person a segment and a role and every generated
//! tie a kind and a trust value.
//!
//! Rules (all draws from named streams, so they do not depend on threads):
//!
//! * **Segments** (stream `people`, index 0): each person independently,
//!   with probability equal to the segment's share.
//! * **Roles** (stream `people`, index 1 and 2): role 0 is `public`, everyone
//!   not given another role. Roles with shares (the same in every segment, or
//!   per segment) are drawn per person from its segment's shares; then roles
//!   with counts take that many people uniformly from those still `public`,
//!   in the order the roles are listed.
//! * **Tie kinds** (stream `tie_kind`): a tie between `u` and `v` gets a kind
//!   with probability proportional to the kind's `within` weight when `u` and
//!   `v` share a segment, its `between` weight otherwise, from a uniform draw
//!   that is a hash of the seed and the tie (so ties can be given kinds in
//!   any order, in parallel). A kind that lists
//!   roles is only a candidate when both people have one of those roles (e.g.
//!   `colleague` between employees). Both arcs of an undirected tie get the
//!   same kind. Arcs of the follower layer get the `follower` kind.
//! * **Trust** (stream `trust`): drawn per arc from the distribution of the
//!   arc's kind; for a generated graph person `u`'s arcs draw from stream
//!   `trust` index `u`, in the order of their targets (so people draw in
//!   parallel); for an edge list in the order of its arcs.

use super::trust::{TrustDist, TrustSampler};
use crate::error::{Error, Result};
use crate::rng::{Stream, mix64, partial_shuffle, stream_rng, unit};
use rand::Rng;

/// Name of the implicit role 0.
pub const PUBLIC_ROLE: &str = "public";
/// Name of the tie kind used by the follower layer.
pub const FOLLOWER_KIND: &str = "follower";
/// Name of the single tie kind when a scenario declares none.
pub const DEFAULT_KIND: &str = "tie";

/// How many people hold a role.
#[derive(Debug, Clone, PartialEq)]
pub enum RoleAmount {
    /// The same share of every segment, in [0, 1].
    Share(f64),
    /// A share per segment (indexed by segment id).
    PerSegment(Vec<f64>),
    /// Exactly this many people, taken from those still `public`.
    Count(u64),
    /// Given by the role column of an attribute file (no amount declared).
    FromFile,
}

/// Followers of each holder of a role (the directed follower layer).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Followers {
    /// Mean number of followers per holder (≥ 1).
    pub mean: f64,
    /// When given (> 2), follower counts are Pareto-distributed with this
    /// density exponent and the given mean; otherwise every holder has
    /// exactly `mean` (rounded) followers.
    pub exponent: Option<f64>,
}

/// An audience role other than `public`.
#[derive(Debug, Clone, PartialEq)]
pub struct Role {
    /// Name (unique, not `public`).
    pub name: String,
    /// How many hold it.
    pub amount: RoleAmount,
    /// Followers of every holder, if the role broadcasts.
    pub followers: Option<Followers>,
}

/// A kind of tie with its trust distribution and the weights of the kind rule.
#[derive(Debug, Clone, PartialEq)]
pub struct TieKind {
    /// Name (unique).
    pub name: String,
    /// Relative weight for ties within a segment (≥ 0).
    pub within: f64,
    /// Relative weight for ties between segments (≥ 0).
    pub between: f64,
    /// When set, the kind only applies when both people hold one of these
    /// role ids.
    pub roles: Option<Vec<u8>>,
    /// Trust on ties of this kind.
    pub trust: TrustDist,
}

impl TieKind {
    /// A kind that applies to every tie with equal weight.
    pub fn plain(name: &str, trust: TrustDist) -> Self {
        TieKind {
            name: name.into(),
            within: 1.0,
            between: 1.0,
            roles: None,
            trust,
        }
    }
}

/// An audience segment.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// Name used in resonance tables and outputs.
    pub name: String,
    /// Share of the population, in (0, 1]; shares sum to 1.
    pub share: f64,
}

/// Everything about people and ties that a generator does not decide.
#[derive(Debug, Clone, PartialEq)]
pub struct Audience {
    /// Segments (shares sum to 1; segment id = index).
    pub segments: Vec<Segment>,
    /// Roles after `public` (role id = index + 1).
    pub roles: Vec<Role>,
    /// Tie kinds (kind id = index). At least one.
    pub kinds: Vec<TieKind>,
}

impl Audience {
    /// One segment, no roles, one tie kind with this trust.
    pub fn simple(trust: TrustDist) -> Self {
        Audience {
            segments: vec![Segment {
                name: "all".into(),
                share: 1.0,
            }],
            roles: Vec::new(),
            kinds: vec![TieKind::plain(DEFAULT_KIND, trust)],
        }
    }

    /// Names for the graph's [`super::Vocabulary`].
    pub fn vocabulary(&self) -> super::Vocabulary {
        super::Vocabulary {
            segments: self.segments.iter().map(|s| s.name.clone()).collect(),
            roles: std::iter::once(PUBLIC_ROLE.to_string())
                .chain(self.roles.iter().map(|r| r.name.clone()))
                .collect(),
            kinds: self.kinds.iter().map(|k| k.name.clone()).collect(),
        }
    }

    /// Whether any role has followers.
    pub fn has_followers(&self) -> bool {
        self.roles.iter().any(|r| r.followers.is_some())
    }

    /// Id of the follower kind, if declared.
    pub fn follower_kind(&self) -> Option<u8> {
        self.kinds
            .iter()
            .position(|k| k.name == FOLLOWER_KIND)
            .map(|i| i as u8)
    }

    /// Checks sizes and ranges; `key` prefixes messages.
    ///
    /// # Errors
    /// [`Error::Parameter`] naming the offending entry.
    pub fn validate(&self) -> Result<()> {
        let nseg = self.segments.len();
        if nseg == 0 || nseg > u16::MAX as usize {
            return Err(Error::param(
                "[audience].segments",
                "list between 1 and 65535 segments",
            ));
        }
        if self.roles.len() > 254 {
            return Err(Error::param(
                "[audience].roles",
                "at most 254 roles besides public",
            ));
        }
        if self.kinds.is_empty() || self.kinds.len() > 255 {
            return Err(Error::param(
                "[audience].tie_kinds",
                "list between 1 and 255 tie kinds",
            ));
        }
        let mut per_segment = vec![0.0; nseg];
        for (i, r) in self.roles.iter().enumerate() {
            let key = format!("[audience].roles[{i}] ({})", r.name);
            match &r.amount {
                RoleAmount::Share(s) => {
                    if !(0.0..=1.0).contains(s) {
                        return Err(Error::param(key, format!("share = {s} must be in [0, 1]")));
                    }
                    per_segment.iter_mut().for_each(|p| *p += s);
                }
                RoleAmount::PerSegment(v) => {
                    if v.len() != nseg || v.iter().any(|s| !(0.0..=1.0).contains(s)) {
                        return Err(Error::param(
                            key,
                            "segment_shares must give a share in [0, 1] per segment",
                        ));
                    }
                    per_segment.iter_mut().zip(v).for_each(|(p, s)| *p += s);
                }
                RoleAmount::Count(_) | RoleAmount::FromFile => {}
            }
            if let Some(f) = r.followers {
                if !(f.mean >= 1.0 && f.mean.is_finite()) {
                    return Err(Error::param(
                        key,
                        format!("followers = {} must be ≥ 1", f.mean),
                    ));
                }
                if let Some(a) = f.exponent {
                    if !(a > 2.0 && a.is_finite()) {
                        return Err(Error::param(
                            key,
                            format!("followers_exponent = {a} must be > 2 (finite mean)"),
                        ));
                    }
                }
            }
        }
        if let Some(s) = per_segment.iter().position(|&p| p > 1.0 + 1e-9) {
            return Err(Error::param(
                "[audience].roles",
                format!(
                    "role shares in segment '{}' add up to {} > 1",
                    self.segments[s].name, per_segment[s]
                ),
            ));
        }
        for (i, k) in self.kinds.iter().enumerate() {
            let key = format!("[audience].tie_kinds[{i}] ({})", k.name);
            if !(k.within >= 0.0
                && k.within.is_finite()
                && k.between >= 0.0
                && k.between.is_finite())
            {
                return Err(Error::param(
                    key,
                    "within and between must be finite and ≥ 0",
                ));
            }
            k.trust.validate(&key)?;
        }
        // Every tie must be able to get a kind: unrestricted kinds must cover
        // both within- and between-segment ties (or there is one kind only).
        if self.kinds.len() > 1 {
            let free = self.kinds.iter().filter(|k| k.roles.is_none());
            let (w, b) = free.fold((0.0, 0.0), |(w, b), k| (w + k.within, b + k.between));
            if w <= 0.0 || (nseg > 1 && b <= 0.0) {
                return Err(Error::param(
                    "[audience].tie_kinds",
                    "kinds without a roles restriction need within > 0 (and between > 0 when there are several segments), so that every tie can get a kind",
                ));
            }
        }
        Ok(())
    }

    /// Trust samplers, one per kind.
    pub fn samplers(&self) -> Vec<TrustSampler> {
        self.kinds.iter().map(|k| k.trust.sampler()).collect()
    }
}

/// Assigns each person a segment independently with probability equal to the
/// segment's share (stream `people`, index 0).
///
/// Complexity: O(n · segments) worst case, O(n) typical.
pub fn assign_segments(n: usize, shares: &[f64], seed: u64) -> Vec<u16> {
    if shares.len() <= 1 {
        return vec![0; n];
    }
    let mut rng = stream_rng(seed, Stream::People, 0);
    let mut cum = Vec::with_capacity(shares.len());
    let mut acc = 0.0;
    for s in shares {
        acc += s;
        cum.push(acc);
    }
    let last = shares.len() - 1;
    (0..n)
        .map(|_| {
            let x = unit(&mut rng) * acc;
            cum.iter().position(|&c| x < c).unwrap_or(last) as u16
        })
        .collect()
}

/// Assigns roles (see the module rules). Role ids: 0 = public, i + 1 =
/// `roles[i]`.
///
/// # Errors
/// [`Error::Parameter`] when counted roles ask for more people than are
/// still public.
///
/// Complexity: O(n · roles).
pub fn assign_roles(segment: &[u16], audience: &Audience, seed: u64) -> Result<Vec<u8>> {
    let n = segment.len();
    let mut role = vec![0u8; n];
    let nseg = audience.segments.len();
    // Cumulative share table per segment for share-based roles.
    let shared: Vec<(u8, Vec<f64>)> = audience
        .roles
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match &r.amount {
            RoleAmount::Share(s) => Some(((i + 1) as u8, vec![*s; nseg])),
            RoleAmount::PerSegment(v) => Some(((i + 1) as u8, v.clone())),
            RoleAmount::Count(_) | RoleAmount::FromFile => None,
        })
        .collect();
    if !shared.is_empty() {
        let mut rng = stream_rng(seed, Stream::People, 1);
        for (u, r) in role.iter_mut().enumerate() {
            let s = segment[u] as usize;
            let mut x = unit(&mut rng);
            for (id, shares) in &shared {
                if x < shares[s] {
                    *r = *id;
                    break;
                }
                x -= shares[s];
            }
        }
    }
    if let Some((i, r)) = audience
        .roles
        .iter()
        .enumerate()
        .find(|(_, r)| r.amount == RoleAmount::FromFile)
    {
        return Err(Error::param(
            format!("[audience].roles[{i}] ({})", r.name),
            "gives no share, segment_shares or count, which only an attribute file with a role column may replace; give one of them",
        ));
    }
    let counted: Vec<(u8, u64, &str)> = audience
        .roles
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match r.amount {
            RoleAmount::Count(c) => Some(((i + 1) as u8, c, r.name.as_str())),
            _ => None,
        })
        .collect();
    if !counted.is_empty() {
        let mut rng = stream_rng(seed, Stream::People, 2);
        let mut public: Vec<u32> = (0..n as u32).filter(|&u| role[u as usize] == 0).collect();
        let mut taken = 0usize;
        for (id, count, name) in counted {
            let count = count as usize;
            if count > public.len() - taken {
                return Err(Error::param(
                    format!("[audience].roles ({name})"),
                    format!(
                        "count = {count} is more than the {} people still public",
                        public.len() - taken
                    ),
                ));
            }
            // A uniform `count`-subset of the people still public.
            partial_shuffle(&mut rng, &mut public[taken..], count);
            for &u in &public[taken..taken + count] {
                role[u as usize] = id;
            }
            taken += count;
        }
    }
    Ok(role)
}

/// Picks a kind per tie by the kind rule (stream `tie_kind`).
pub struct KindPicker {
    single: bool,
    nroles: usize,
    /// Cumulative weights per (same segment?, role u, role v); empty: no kind.
    table: Vec<Vec<(f64, u8)>>,
    rng: crate::rng::Xoshiro256PlusPlus,
    /// Key of the per-tie hash ([`KindPicker::pick_tie`]).
    key: u64,
}

impl KindPicker {
    /// Builds the rule for an audience (roles counted with `public`).
    pub fn new(audience: &Audience, seed: u64) -> Self {
        let nroles = audience.roles.len() + 1;
        let base_only: Vec<&TieKind> = audience.kinds.iter().collect();
        let single = base_only.len() == 1;
        let mut table = Vec::new();
        if !single {
            table.reserve(2 * nroles * nroles);
            for same in [false, true] {
                for ru in 0..nroles {
                    for rv in 0..nroles {
                        let mut acc = 0.0;
                        let mut cum = Vec::new();
                        for (k, kind) in audience.kinds.iter().enumerate() {
                            let ok = kind.roles.as_ref().is_none_or(|rs| {
                                rs.contains(&(ru as u8)) && rs.contains(&(rv as u8))
                            });
                            let w = if same { kind.within } else { kind.between };
                            if ok && w > 0.0 {
                                acc += w;
                                cum.push((acc, k as u8));
                            }
                        }
                        table.push(cum);
                    }
                }
            }
        }
        KindPicker {
            single,
            nroles,
            table,
            rng: stream_rng(seed, Stream::TieKind, 0),
            key: mix64(mix64(seed ^ mix64(Stream::TieKind as u64)) ^ u64::MAX),
        }
    }

    /// The kind for a uniform draw `x` in [0, 1) among cumulative weights.
    #[inline]
    fn choose(cum: &[(f64, u8)], x: f64) -> u8 {
        let x = x * cum[cum.len() - 1].0;
        cum.iter()
            .find(|c| x < c.0)
            .unwrap_or(&cum[cum.len() - 1])
            .1
    }

    /// Whether kinds depend on the people (their segments and roles): false
    /// when there is a single kind.
    pub fn needs_people(&self) -> bool {
        !self.single
    }

    /// The kind of the tie `u – v` whose ends have the (segment, role)
    /// `a` and `b`, by the kind rule, from a uniform draw that is a hash of
    /// the seed and `(u, v)`: the same tie gets the same kind whatever order
    /// ties are given kinds in. For an undirected tie pass its ends in a
    /// fixed order (e.g. the smaller id first) so both arcs get one kind.
    /// Does not touch the picker's stream.
    #[inline]
    pub fn pick_tie(&self, a: (u16, u8), b: (u16, u8), u: u32, v: u32) -> u8 {
        if self.single {
            return 0;
        }
        let same = (a.0 == b.0) as usize;
        let cum = &self.table[(same * self.nroles + a.1 as usize) * self.nroles + b.1 as usize];
        match cum.len() {
            0 => 0,
            1 => cum[0].1,
            _ => {
                let h = mix64(self.key ^ mix64(((u as u64) << 32) | v as u64));
                Self::choose(cum, (h >> 11) as f64 * (1.0 / (1u64 << 53) as f64))
            }
        }
    }

    /// The kind of a tie between `u` and `v`. Draws nothing when only one
    /// kind exists or only one applies.
    #[inline]
    pub fn pick(&mut self, seg: &[u16], role: &[u8], u: u32, v: u32) -> u8 {
        if self.single {
            return 0;
        }
        let cum = &self.table[{
            let same = (seg[u as usize] == seg[v as usize]) as usize;
            let (ru, rv) = (role[u as usize] as usize, role[v as usize] as usize);
            (same * self.nroles + ru) * self.nroles + rv
        }];
        match cum.len() {
            0 => 0, // validated away for unrestricted kinds; defensive
            1 => cum[0].1,
            _ => {
                let x = unit(&mut self.rng);
                Self::choose(cum, x)
            }
        }
    }
}

/// Number of followers of one holder.
pub fn follower_count<R: Rng + ?Sized>(f: &Followers, n: usize, rng: &mut R) -> usize {
    let x = match f.exponent {
        None => f.mean,
        Some(a) => {
            let xmin = f.mean * (a - 2.0) / (a - 1.0);
            xmin * (1.0 - unit(rng)).powf(-1.0 / (a - 1.0))
        }
    };
    (x.round().max(1.0) as usize).min(n.saturating_sub(1))
}
