//! Conversion to and from [`petgraph`] graphs.

use super::{SocialGraph, Vocabulary};
use crate::error::{Error, Result};
use petgraph::graph::DiGraph;

impl SocialGraph {
    /// Converts to a petgraph [`DiGraph`] whose node weights are
    /// `(segment, role)` and whose edge weights are `(trust, kind)`.
    ///
    /// Complexity: O(n + m).
    pub fn to_petgraph(&self) -> DiGraph<(u16, u8), (f32, u8), u32> {
        let mut g = DiGraph::with_capacity(self.node_count(), self.arc_count());
        for u in self.people_by_id() {
            g.add_node((self.segment[u as usize], self.role[u as usize]));
        }
        for u in self.people_by_id() {
            for a in self.arc_range(u) {
                g.add_edge(
                    self.own_id(u).into(),
                    self.own_id(self.targets[a]).into(),
                    (super::trust_value(self.trust[a]), self.kind[a]),
                );
            }
        }
        g
    }

    /// Builds a graph from a petgraph [`DiGraph`] shaped like the output of
    /// [`SocialGraph::to_petgraph`].
    ///
    /// # Errors
    /// As [`SocialGraph::from_arcs`], and when a segment, role or kind id is
    /// not in `vocab`.
    pub fn from_petgraph(
        g: &DiGraph<(u16, u8), (f32, u8), u32>,
        vocab: Vocabulary,
    ) -> Result<Self> {
        let n = g.node_count();
        let mut segment = Vec::with_capacity(n);
        let mut role = Vec::with_capacity(n);
        for w in g.node_weights() {
            if w.0 as usize >= vocab.segments.len() || w.1 as usize >= vocab.roles.len() {
                return Err(Error::param(
                    "petgraph",
                    "node segment or role id outside the vocabulary",
                ));
            }
            segment.push(w.0);
            role.push(w.1);
        }
        let mut arcs = Vec::with_capacity(g.edge_count());
        for e in g.raw_edges() {
            if e.weight.1 as usize >= vocab.kinds.len() {
                return Err(Error::param(
                    "petgraph",
                    "edge kind id outside the vocabulary",
                ));
            }
            arcs.push((
                e.source().index() as u32,
                e.target().index() as u32,
                e.weight.0,
                e.weight.1,
            ));
        }
        SocialGraph::from_arcs(n, arcs, segment, role, vocab)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::tiny;
    use super::*;

    #[test]
    fn petgraph_round_trip() {
        let g = tiny();
        let back = SocialGraph::from_petgraph(&g.to_petgraph(), g.vocabulary().clone()).unwrap();
        assert_eq!(g, back);
    }
}
