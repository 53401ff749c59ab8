//! Locality order: people stored so that what a cascade touches is close
//! together in memory. Only the storage order changes; everything a user
//! sees speaks in the people's own ids and is the same byte for byte.

use super::{IdMap, SocialGraph};
use crate::progress::{Progress, Ticker};

impl SocialGraph {
    /// The same graph with people stored in an order that keeps what a
    /// cascade touches together in memory, so the simulation runs from
    /// cache more often: a breadth-first walk along out-arcs from the person
    /// with most followers, each person's contacts taken largest in-degree
    /// first, restarting from the largest in-degree not yet placed. Each
    /// person's arcs keep their order (by the targets' own ids), and
    /// [`SocialGraph::people_by_id`], [`SocialGraph::label`] and
    /// [`SocialGraph::id_of`] speak in own ids, so every result is the same
    /// as in the input order, byte for byte.
    ///
    /// Complexity: O(n + m log m); transient memory: one arc array (4 bytes
    /// per arc) beside the graph.
    pub fn into_locality_order(self) -> Self {
        let n = self.node_count();
        if n < 2 || self.ids.is_some() {
            return self;
        }
        let mut indeg = vec![0u32; n];
        for &v in &self.targets {
            indeg[v as usize] += 1;
        }
        // Larger in-degree first, then smaller id.
        let rank = |v: u32| (std::cmp::Reverse(indeg[v as usize]), v);
        let mut restart: Vec<u32> = (0..n as u32).collect();
        restart.sort_unstable_by_key(|&v| rank(v));
        let first = (0..n as u32)
            .max_by_key(|&u| (self.out_degree(u), std::cmp::Reverse(u)))
            .unwrap_or(0);
        let mut own: Vec<u32> = Vec::with_capacity(n);
        let mut placed = vec![false; n];
        let mut next_restart = 0usize;
        let mut contacts: Vec<u32> = Vec::new();
        placed[first as usize] = true;
        own.push(first);
        let mut head = 0usize;
        while own.len() < n {
            if head == own.len() {
                while placed[restart[next_restart] as usize] {
                    next_restart += 1;
                }
                let r = restart[next_restart];
                placed[r as usize] = true;
                own.push(r);
            }
            let u = own[head];
            head += 1;
            contacts.clear();
            contacts.extend(
                self.targets[self.arc_range(u)]
                    .iter()
                    .copied()
                    .filter(|&v| !placed[v as usize]),
            );
            contacts.sort_unstable_by_key(|&v| rank(v));
            for &v in &contacts {
                placed[v as usize] = true;
                own.push(v);
            }
        }
        drop(placed);
        let mut pos = vec![0u32; n];
        for (i, &o) in own.iter().enumerate() {
            pos[o as usize] = i as u32;
        }
        // Each array is copied in the new order and the old one dropped
        // before the next, so at most one extra array is held at a time.
        let SocialGraph {
            offsets: old_offsets,
            targets: old_targets,
            trust: old_trust,
            kind: old_kind,
            segment: old_segment,
            role: old_role,
            vocab,
            labels: old_labels,
            ids: _,
        } = self;
        let range = |o: u32| old_offsets[o as usize] as usize..old_offsets[o as usize + 1] as usize;
        // Each per-arc array's rows in the new order, mapped by `f`; taking
        // the old array drops it before the next one is copied.
        fn rows<T: Copy, U>(
            own: &[u32],
            range: impl Fn(u32) -> std::ops::Range<usize>,
            old: Vec<T>,
            f: impl Fn(T) -> U,
        ) -> Vec<U> {
            let mut new = Vec::with_capacity(old.len());
            for &o in own {
                new.extend(old[range(o)].iter().map(|&x| f(x)));
            }
            new
        }
        let targets = rows(&own, range, old_targets, |v| pos[v as usize]);
        let trust = rows(&own, range, old_trust, |t| t);
        let kind = rows(&own, range, old_kind, |k| k);
        let mut offsets = Vec::with_capacity(n + 1);
        offsets.push(0u64);
        for &o in &own {
            offsets.push(offsets[offsets.len() - 1] + range(o).len() as u64);
        }
        let segment = own.iter().map(|&o| old_segment[o as usize]).collect();
        let role = own.iter().map(|&o| old_role[o as usize]).collect();
        // Each label moves to its new place (own is a permutation).
        let labels = old_labels.map(|mut l| {
            own.iter()
                .map(|&o| std::mem::take(&mut l[o as usize]))
                .collect()
        });
        SocialGraph {
            offsets,
            targets,
            trust,
            kind,
            segment,
            role,
            vocab,
            labels,
            ids: Some(Box::new(IdMap { own, pos })),
        }
    }

    /// [`SocialGraph::into_locality_order`], reported to `progress` as the
    /// phase `order`.
    pub fn into_locality_order_with(self, progress: Option<Progress<'_>>) -> Self {
        let t = Ticker::new(progress, "order", 1);
        let g = self.into_locality_order();
        t.finish();
        g
    }

    /// Whether people are stored in
    /// [locality order](SocialGraph::into_locality_order).
    pub fn is_locality_ordered(&self) -> bool {
        self.ids.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::skewed;
    use super::*;

    /// Locality order keeps every person with their ties, trust, kinds,
    /// segment, role and label, speaks own ids outward, and places the
    /// person with most followers first with their contacts right after
    /// (largest in-degree first).
    #[test]
    fn locality_order_is_a_relabelling() {
        let g = skewed(500, 4000);
        let labels: Vec<String> = (0..500).map(|u| format!("p{u}")).collect();
        for labelled in [false, true] {
            let g = if labelled {
                g.clone().with_labels(labels.clone())
            } else {
                g.clone()
            };
            let h = g.clone().into_locality_order();
            assert_eq!(
                (h.node_count(), h.arc_count()),
                (g.node_count(), g.arc_count())
            );
            assert_ne!(h, g, "the order changed");
            let ids: Vec<u32> = h.people_by_id().collect();
            for e in 0..500u32 {
                let u = h.internal_id(e);
                assert_eq!(h.own_id(u), e);
                assert_eq!(ids[e as usize], u);
                assert_eq!(h.label(u), g.label(e));
                assert_eq!(h.id_of(&g.label(e)), Some(u));
                assert_eq!(h.segments()[u as usize], g.segments()[e as usize]);
                assert_eq!(h.roles()[u as usize], g.roles()[e as usize]);
                let ties = |x: &SocialGraph, w: u32| -> Vec<(u32, u16, u8)> {
                    x.arc_range(w)
                        .map(|a| (x.own_id(x.targets()[a]), x.trust_levels()[a], x.kinds()[a]))
                        .collect()
                };
                assert_eq!(ties(&h, u), ties(&g, e), "ties of {e}, in order");
            }
            let own = |x: &SocialGraph| -> Vec<u32> {
                x.by_out_degree().iter().map(|&u| x.own_id(u)).collect()
            };
            assert_eq!(own(&h), own(&g));
            assert_eq!(h.to_petgraph().edge_count(), g.arc_count());
            // Breadth first from the largest audience.
            let hub = g.by_out_degree()[0];
            assert_eq!(h.own_id(0), hub);
            let mut indeg = vec![0u32; 500];
            for &v in g.targets() {
                indeg[v as usize] += 1;
            }
            let mut contacts: Vec<u32> = g.targets()[g.arc_range(hub)].to_vec();
            contacts.sort_by_key(|&v| (std::cmp::Reverse(indeg[v as usize]), v));
            let placed: Vec<u32> = (1..=contacts.len() as u32).map(|u| h.own_id(u)).collect();
            assert_eq!(placed, contacts);
            // Idempotent.
            assert_eq!(h.clone().into_locality_order(), h);
        }
    }
}
