//! The social graph: a frozen compressed-sparse-row (CSR) structure with u32
//! person ids, per-arc trust and tie kind, and per-person segment and role.
//!
//! An arc `u → v` means `v` sees what `u` shares. Arcs of a person are stored
//! contiguously and sorted by the target's own id, so the cascade's hot loop
//! walks memory in order. Memory: 4 (target) + 2 (trust, quantised to a
//! [`TrustLevel`]) + 1 (kind) bytes per arc, plus 8 (offset) + 2 (segment) + 1 (role) bytes per person, and 8 more
//! per person in [locality order](SocialGraph::into_locality_order).
//!
//! Internal ids are storage positions. Each person also has an own id (the
//! input id or generator number); the two agree unless the graph was put in
//! locality order, and whatever a user sees speaks in own ids.
//!
//! This file holds the CSR core; locality order is in `locality.rs`,
//! petgraph conversion in `convert.rs`, and [`build()`] (`spec.rs`) builds the
//! graph a [`GraphSpec`] describes.

pub mod audience;
pub mod binary;
pub mod build;
mod convert;
pub mod generators;
pub mod io;
pub mod layers;
mod locality;
pub mod powerlaw;
mod spec;
pub mod stats;
pub mod trust;

pub use spec::{
    DegreeSource, GraphSpec, build, build_in_locality_order, layer_ties, parse_degrees,
    read_degrees,
};

use crate::error::{Error, Result};

/// Hard cap on people, so ids fit in u32 with room for sentinels.
pub const MAX_NODES: usize = (u32::MAX - 1) as usize;
/// Hard cap on arcs (memory sanity on a 24 GiB machine is the user's call,
/// but more than this is certainly a typo).
pub const MAX_ARCS: usize = 4_000_000_000;

/// An arc being assembled: `(source, target, trust, kind)`.
pub type ArcSpec = (u32, u32, f32, u8);

/// Trust of one arc as the graph stores it: a level `0..=TRUST_LEVEL_MAX`
/// standing for trust `level / TRUST_LEVEL_MAX`, so trust is kept to within
/// 1/131,070 (half a step) in 2 bytes instead of 4.
pub type TrustLevel = u16;

/// The level of full trust (1.0).
pub const TRUST_LEVEL_MAX: TrustLevel = u16::MAX;

/// The level nearest to trust `t` (in [0, 1]; values outside are clamped,
/// so callers check the range first).
#[inline]
pub fn trust_level(t: f32) -> TrustLevel {
    (f64::from(t).clamp(0.0, 1.0) * f64::from(TRUST_LEVEL_MAX)).round() as TrustLevel
}

/// The shortest decimal (at most 5 places) whose level is `level`: how
/// trust is written to text, so that reading it back gives the same level.
pub fn trust_text(level: TrustLevel) -> String {
    let v = f64::from(trust_value(level));
    for places in 0..5 {
        let s = format!("{v:.places$}");
        if s.parse::<f32>().map(trust_level) == Ok(level) {
            return s;
        }
    }
    format!("{v:.5}")
}

/// The f32 nearest [`trust_text`]'s decimal: the trust of a level as it is
/// shown (0.5, not 0.5000076), which still rounds to the same level.
pub fn trust_shown(level: TrustLevel) -> f32 {
    trust_text(level)
        .parse()
        .unwrap_or_else(|_| trust_value(level))
}

/// The trust a level stands for, in [0, 1]; `trust_level(trust_value(q)) == q`.
#[inline]
pub fn trust_value(level: TrustLevel) -> f32 {
    f32::from(level) / f32::from(TRUST_LEVEL_MAX)
}

/// Labels of segments, roles and tie kinds, indexed by their small ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Vocabulary {
    /// Segment names, indexed by segment id.
    pub segments: Vec<String>,
    /// Audience-role names, indexed by role id.
    pub roles: Vec<String>,
    /// Tie-kind names, indexed by kind id.
    pub kinds: Vec<String>,
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary {
            segments: vec!["all".into()],
            roles: vec!["public".into()],
            kinds: vec!["tie".into()],
        }
    }
}

/// A frozen social graph in CSR form.
#[derive(Debug, Clone, PartialEq)]
pub struct SocialGraph {
    offsets: Vec<u64>,
    targets: Vec<u32>,
    trust: Vec<TrustLevel>,
    kind: Vec<u8>,
    segment: Vec<u16>,
    role: Vec<u8>,
    vocab: Vocabulary,
    labels: Option<Vec<String>>,
    /// Present after [`SocialGraph::into_locality_order`]: the people's own
    /// ids, when they differ from the storage order.
    ids: Option<Box<IdMap>>,
}

/// Storage order against the people's own ids (their input ids, or the
/// generator's numbering).
#[derive(Debug, Clone, PartialEq)]
struct IdMap {
    /// Own id of the person stored at each position.
    own: Vec<u32>,
    /// Storage position of each own id.
    pos: Vec<u32>,
}

impl IdMap {
    /// The map from each position's own id, checked to be a permutation of
    /// `0..n`.
    fn new(own: Vec<u32>, n: usize) -> Result<IdMap> {
        if own.len() != n {
            return Err(Error::param("graph", "one own id per person is needed"));
        }
        let mut pos = vec![u32::MAX; n];
        for (u, &o) in own.iter().enumerate() {
            match pos.get_mut(o as usize) {
                Some(p) if *p == u32::MAX => *p = u as u32,
                _ => {
                    return Err(Error::param(
                        "graph",
                        format!("own id {o} of person {u} is out of range or repeated"),
                    ));
                }
            }
        }
        Ok(IdMap { own, pos })
    }
}

impl SocialGraph {
    /// Builds a graph from arcs. Arcs are sorted by (source, target); the
    /// caller guarantees ids `< n`. Self-loops and duplicate arcs are
    /// rejected (generators never make them; loaders report them by line).
    ///
    /// # Errors
    /// [`Error::Parameter`] on an id out of range, a self-loop, a duplicate
    /// arc, trust outside [0, 1], or more than [`MAX_ARCS`] arcs.
    ///
    /// Complexity: O(m log m) for the sort.
    pub fn from_arcs(
        n: usize,
        mut arcs: Vec<ArcSpec>,
        segment: Vec<u16>,
        role: Vec<u8>,
        vocab: Vocabulary,
    ) -> Result<Self> {
        if n > MAX_NODES {
            return Err(Error::param(
                "nodes",
                format!("{n} people exceed the limit of {MAX_NODES}"),
            ));
        }
        if arcs.len() > MAX_ARCS {
            return Err(Error::param(
                "arcs",
                format!("{} arcs exceed the limit of {MAX_ARCS}", arcs.len()),
            ));
        }
        if segment.len() != n || role.len() != n {
            return Err(Error::param(
                "people",
                "segment and role vectors must have one entry per person",
            ));
        }
        arcs.sort_unstable_by_key(|a| ((a.0 as u64) << 32) | a.1 as u64);
        let mut offsets = vec![0u64; n + 1];
        for (i, a) in arcs.iter().enumerate() {
            if a.0 as usize >= n || a.1 as usize >= n {
                return Err(Error::param(
                    "arcs",
                    format!("arc {} -> {} names a person outside 0..{n}", a.0, a.1),
                ));
            }
            if a.0 == a.1 {
                return Err(Error::param("arcs", format!("self-loop on person {}", a.0)));
            }
            if i > 0 && arcs[i - 1].0 == a.0 && arcs[i - 1].1 == a.1 {
                return Err(Error::param(
                    "arcs",
                    format!("duplicate arc {} -> {}", a.0, a.1),
                ));
            }
            if !(0.0..=1.0).contains(&a.2) {
                return Err(Error::param(
                    "arcs",
                    format!("trust {} on arc {} -> {} is outside [0, 1]", a.2, a.0, a.1),
                ));
            }
            offsets[a.0 as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let targets = arcs.iter().map(|a| a.1).collect();
        let trust = arcs.iter().map(|a| trust_level(a.2)).collect();
        let kind = arcs.iter().map(|a| a.3).collect();
        Ok(SocialGraph {
            offsets,
            targets,
            trust,
            kind,
            segment,
            role,
            vocab,
            labels: None,
            ids: None,
        })
    }

    /// Builds a graph from CSR arrays: the arcs of person `u` are
    /// `offsets[u]..offsets[u + 1]`, sorted by target without repeats.
    ///
    /// # Errors
    /// [`Error::Parameter`] when lengths disagree, offsets decrease, a target
    /// is out of range, repeated or unsorted, a self-loop, or a segment, role or kind id outside the vocabulary.
    ///
    /// Complexity: O(n + m) to check.
    pub fn from_csr(
        offsets: Vec<u64>,
        targets: Vec<u32>,
        trust: Vec<TrustLevel>,
        kind: Vec<u8>,
        segment: Vec<u16>,
        role: Vec<u8>,
        vocab: Vocabulary,
    ) -> Result<Self> {
        Self::from_csr_with_ids(offsets, targets, trust, kind, segment, role, vocab, None)
    }

    /// [`SocialGraph::from_csr`] for a graph stored in locality order:
    /// `own[u]` is the own id of the person stored at `u` (as
    /// [`SocialGraph::own_ids`] gives it), and each person's arcs are sorted
    /// by their targets' own ids. With `own = None`, as `from_csr`.
    ///
    /// # Errors
    /// As [`SocialGraph::from_csr`], and when `own` is not a permutation.
    #[allow(clippy::too_many_arguments)]
    pub fn from_csr_with_ids(
        offsets: Vec<u64>,
        targets: Vec<u32>,
        trust: Vec<TrustLevel>,
        kind: Vec<u8>,
        segment: Vec<u16>,
        role: Vec<u8>,
        vocab: Vocabulary,
        own: Option<Vec<u32>>,
    ) -> Result<Self> {
        let ids = match own {
            Some(own) => Some(Box::new(IdMap::new(own, segment.len())?)),
            None => None,
        };
        let key = |v: u32| ids.as_ref().map_or(v, |m| m.own[v as usize]);
        let bad = |msg: String| Err(Error::param("graph", msg));
        let n = offsets.len().saturating_sub(1);
        let m = targets.len();
        if offsets.is_empty() || n > MAX_NODES || m > MAX_ARCS {
            return bad(format!("{n} people or {m} arcs are out of range"));
        }
        if trust.len() != m || kind.len() != m || segment.len() != n || role.len() != n {
            return bad("array lengths disagree".into());
        }
        if offsets[0] != 0 || offsets[n] as usize != m {
            return bad("offsets must start at 0 and end at the arc count".into());
        }
        for u in 0..n {
            if offsets[u] > offsets[u + 1] {
                return bad(format!("offsets decrease at person {u}"));
            }
            let row = &targets[offsets[u] as usize..offsets[u + 1] as usize];
            for (j, &v) in row.iter().enumerate() {
                if v as usize >= n || v as usize == u || (j > 0 && key(row[j - 1]) >= key(v)) {
                    return bad(format!(
                        "arc {u} -> {v} is out of range, a self-loop, repeated or unsorted"
                    ));
                }
            }
        }
        if kind.iter().any(|&k| k as usize >= vocab.kinds.len())
            || segment.iter().any(|&s| s as usize >= vocab.segments.len())
            || role.iter().any(|&r| r as usize >= vocab.roles.len())
        {
            return bad("a kind, segment or role id is outside the vocabulary".into());
        }
        Ok(SocialGraph {
            offsets,
            targets,
            trust,
            kind,
            segment,
            role,
            vocab,
            labels: None,
            ids,
        })
    }

    /// External labels, if the graph has them.
    pub fn labels(&self) -> Option<&[String]> {
        self.labels.as_deref()
    }

    /// Attaches external labels (one per person), e.g. ids from an edge list.
    pub fn with_labels(mut self, labels: Vec<String>) -> Self {
        debug_assert_eq!(labels.len(), self.node_count());
        self.labels = Some(labels);
        self
    }

    /// Number of people.
    #[inline]
    pub fn node_count(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Number of arcs.
    #[inline]
    pub fn arc_count(&self) -> usize {
        self.targets.len()
    }

    /// Range of arc indices leaving `u`.
    #[inline]
    pub fn arc_range(&self, u: u32) -> std::ops::Range<usize> {
        self.offsets[u as usize] as usize..self.offsets[u as usize + 1] as usize
    }

    /// Out-degree of `u`.
    #[inline]
    pub fn out_degree(&self, u: u32) -> usize {
        (self.offsets[u as usize + 1] - self.offsets[u as usize]) as usize
    }

    /// Targets of all arcs, indexed by arc.
    #[inline]
    pub fn targets(&self) -> &[u32] {
        &self.targets
    }

    /// Trust levels of all arcs, indexed by arc ([`trust_value`] gives the
    /// trust a level stands for).
    #[inline]
    pub fn trust_levels(&self) -> &[TrustLevel] {
        &self.trust
    }

    /// Trust of arc `a`, in [0, 1].
    #[inline]
    pub fn trust_at(&self, a: usize) -> f32 {
        trust_value(self.trust[a])
    }

    /// Tie kind of all arcs, indexed by arc.
    #[inline]
    pub fn kinds(&self) -> &[u8] {
        &self.kind
    }

    /// CSR offsets (length n + 1).
    #[inline]
    pub fn offsets(&self) -> &[u64] {
        &self.offsets
    }

    /// Segment of every person.
    #[inline]
    pub fn segments(&self) -> &[u16] {
        &self.segment
    }

    /// Audience role of every person.
    #[inline]
    pub fn roles(&self) -> &[u8] {
        &self.role
    }

    /// Names of segments, roles and tie kinds.
    pub fn vocabulary(&self) -> &Vocabulary {
        &self.vocab
    }

    /// External label of person `u` (its id in the input file, or its own
    /// number).
    pub fn label(&self, u: u32) -> String {
        match &self.labels {
            Some(l) => l[u as usize].clone(),
            None => self.own_id(u).to_string(),
        }
    }

    /// Internal id of an external label, if the graph came with labels;
    /// otherwise parses the label as a person's own number.
    pub fn id_of(&self, label: &str) -> Option<u32> {
        match &self.labels {
            Some(l) => l.iter().position(|x| x == label).map(|i| i as u32),
            None => label
                .parse::<u32>()
                .ok()
                .filter(|&u| (u as usize) < self.node_count())
                .map(|u| self.internal_id(u)),
        }
    }

    /// [`SocialGraph::id_of`] of each of `labels`, in order. With labels this
    /// is one pass over the people for all of them (a scan per label would
    /// cost people × labels string comparisons).
    pub fn ids_of<S: AsRef<str>>(&self, labels: &[S]) -> Vec<Option<u32>> {
        let Some(all) = &self.labels else {
            return labels.iter().map(|l| self.id_of(l.as_ref())).collect();
        };
        // Where each wanted label occurs in `labels` (a label may repeat).
        let mut wanted: std::collections::HashMap<&str, Vec<usize>> =
            std::collections::HashMap::with_capacity(labels.len());
        for (i, l) in labels.iter().enumerate() {
            wanted.entry(l.as_ref()).or_default().push(i);
        }
        // The first person with each label, as `id_of` finds.
        let mut out = vec![None; labels.len()];
        for (u, l) in all.iter().enumerate() {
            if wanted.is_empty() {
                break;
            }
            if let Some(at) = wanted.remove(l.as_str()) {
                at.iter().for_each(|&i| out[i] = Some(u as u32));
            }
        }
        out
    }

    /// The own id (0-based, in input or generator order) of the person
    /// stored as `u`. Internal and own ids agree unless the graph was put in
    /// [locality order](SocialGraph::into_locality_order).
    #[inline]
    pub fn own_id(&self, u: u32) -> u32 {
        self.ids.as_ref().map_or(u, |m| m.own[u as usize])
    }

    /// The internal id of the person whose own id is `own`.
    #[inline]
    pub fn internal_id(&self, own: u32) -> u32 {
        self.ids.as_ref().map_or(own, |m| m.pos[own as usize])
    }

    /// Everyone's internal id, in the order of their own ids: the order in
    /// which anything a user sees or a draw depends on walks people, so that
    /// results do not depend on the storage order.
    pub fn people_by_id(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.node_count() as u32).map(|u| self.internal_id(u))
    }

    /// The own id of the person stored at each position, when the graph is
    /// stored in [locality order](SocialGraph::into_locality_order).
    pub fn own_ids(&self) -> Option<&[u32]> {
        self.ids.as_ref().map(|m| m.own.as_slice())
    }

    /// The graph with segment, role and kind ids renumbered (`segments[i]`
    /// is the new id of old segment `i`, and so on) into `vocab`.
    pub(crate) fn renamed(
        mut self,
        segments: &[usize],
        roles: &[usize],
        kinds: &[usize],
        vocab: Vocabulary,
    ) -> Self {
        self.segment
            .iter_mut()
            .for_each(|s| *s = segments[*s as usize] as u16);
        self.role
            .iter_mut()
            .for_each(|r| *r = roles[*r as usize] as u8);
        self.kind
            .iter_mut()
            .for_each(|k| *k = kinds[*k as usize] as u8);
        self.vocab = vocab;
        self
    }

    /// Bytes held by the graph's arrays.
    pub fn heap_bytes(&self) -> usize {
        self.offsets.len() * 8
            + self.targets.len() * 4
            + self.trust.len() * 2
            + self.kind.len()
            + self.segment.len() * 2
            + self.role.len()
            + self
                .ids
                .as_ref()
                .map_or(0, |m| (m.own.len() + m.pos.len()) * 4)
    }

    /// People sorted by out-degree, largest first (ties by smaller own id).
    pub fn by_out_degree(&self) -> Vec<u32> {
        let mut ids: Vec<u32> = (0..self.node_count() as u32).collect();
        ids.sort_by_key(|&u| (std::cmp::Reverse(self.out_degree(u)), self.own_id(u)));
        ids
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn tiny() -> SocialGraph {
        let arcs = vec![(0, 2, 0.5, 0), (0, 1, 1.0, 0), (2, 0, 0.0, 0)];
        SocialGraph::from_arcs(3, arcs, vec![0; 3], vec![0; 3], Vocabulary::default()).unwrap()
    }

    #[test]
    fn csr_is_sorted() {
        let g = tiny();
        assert_eq!(g.node_count(), 3);
        assert_eq!(g.arc_count(), 3);
        assert_eq!(&g.targets()[g.arc_range(0)], &[1, 2]);
        assert_eq!(g.trust_at(g.arc_range(0).start), 1.0);
        assert_eq!(g.out_degree(1), 0);
        assert_eq!(g.by_out_degree()[0], 0);
    }

    /// A graph with skewed degrees (squared-uniform targets), labels "p<id>".
    pub(super) fn skewed(n: u32, arcs: u64) -> SocialGraph {
        let mut list = Vec::new();
        for k in 0..arcs {
            let r = crate::rng::mix64(k);
            let u = ((r >> 40) % n as u64) as u32;
            let x = (r & 0xFFFF_FFFF) as f64 / 4_294_967_296.0;
            let v = ((x * x) * n as f64) as u32;
            if u != v {
                list.push((u, v, ((r >> 20) & 0xFF) as f32 / 255.0, (k % 3) as u8));
            }
        }
        list.sort_by_key(|a| (a.0, a.1));
        list.dedup_by_key(|a| (a.0, a.1));
        let n = n as usize;
        let vocab = Vocabulary {
            kinds: vec!["a".into(), "b".into(), "c".into()],
            segments: vec!["s0".into(), "s1".into()],
            roles: vec!["r0".into(), "r1".into(), "r2".into()],
        };
        let seg = (0..n).map(|u| (u % 2) as u16).collect();
        let role = (0..n).map(|u| (u % 3) as u8).collect();
        SocialGraph::from_arcs(n, list, seg, role, vocab).unwrap()
    }

    /// Looking labels up together gives what looking each up alone gives:
    /// with labels and without, in own and in locality order, with repeats,
    /// unknown labels and numbers out of range.
    #[test]
    fn ids_of_agrees_with_id_of() {
        let g = skewed(300, 2000);
        let labelled = g
            .clone()
            .with_labels((0..300).map(|u| format!("p{u}")).collect());
        // Two people labelled "p7" (and none "p9"): the first one counts.
        let repeated = g.clone().with_labels(
            (0..300)
                .map(|u| format!("p{}", if u == 9 { 7 } else { u }))
                .collect(),
        );
        let asks = [
            "p7", "7", "p299", "nobody", "p7", "0", "300", "p0", "-1", "299", "p9",
        ];
        for graph in [g, labelled, repeated] {
            for h in [graph.clone(), graph.into_locality_order()] {
                let one: Vec<Option<u32>> = asks.iter().map(|l| h.id_of(l)).collect();
                assert_eq!(h.ids_of(&asks), one);
                assert!(one.iter().flatten().count() >= 3, "some labels found");
                assert!(one.iter().any(Option::is_none), "some labels missing");
                assert!(h.ids_of::<&str>(&[]).is_empty());
            }
        }
    }

    #[test]
    fn rejects_bad_arcs() {
        let v = Vocabulary::default;
        assert!(
            SocialGraph::from_arcs(2, vec![(0, 0, 0.5, 0)], vec![0; 2], vec![0; 2], v()).is_err()
        );
        assert!(
            SocialGraph::from_arcs(
                2,
                vec![(0, 1, 0.5, 0), (0, 1, 0.2, 0)],
                vec![0; 2],
                vec![0; 2],
                v()
            )
            .is_err()
        );
        assert!(
            SocialGraph::from_arcs(2, vec![(0, 2, 0.5, 0)], vec![0; 2], vec![0; 2], v()).is_err()
        );
        assert!(
            SocialGraph::from_arcs(2, vec![(0, 1, 1.5, 0)], vec![0; 2], vec![0; 2], v()).is_err()
        );
    }
}
