//! Assembling a [`SocialGraph`] from generated ties, the follower layer and
//! the people, in O(n + m) memory beyond the result: a counting sort by
//! source fills the CSR arrays directly (no list of 16-byte arcs), then each
//! person's arcs are sorted by target.

use super::audience::{Audience, KindPicker};
use super::generators::Topology;
use super::{SocialGraph, Vocabulary};
use crate::error::{Error, Result};
use crate::progress::{Progress, Ticker};
use crate::rng::{Stream, stream_rng};

/// Builds the graph: a kind per tie (stream `tie_kind`), trust per arc from
/// its kind's distribution (stream `trust`, in tie order: `u → v` then
/// `v → u`, then follower arcs), CSR by counting sort.
///
/// Follower arcs that repeat a tie of the topology are dropped (the
/// personal tie wins). Follower arcs need a kind named `follower`.
///
/// With `tie_kinds` (a layered graph: a kind per tie, in layer order) the
/// kinds are given, not picked, and an arc repeated among the ties keeps its
/// first tie's kind and trust (the earliest layer wins) instead of being an
/// error.
///
/// # Errors
/// [`Error::Parameter`] when sizes disagree, an id is out of range, follower
/// arcs exist without a `follower` kind, or the topology repeats an arc.
///
/// Complexity: O(n + m + Σ_u d_u log d_u); memory 9 bytes per arc for the
/// result plus 1 byte per tie and 16 bytes per person while building.
#[allow(clippy::too_many_arguments)]
pub fn assemble(
    topo: &Topology,
    tie_kinds: Option<&[u8]>,
    follower_arcs: &[(u32, u32)],
    segment: Vec<u16>,
    role: Vec<u8>,
    audience: &Audience,
    seed: u64,
    progress: Option<Progress<'_>>,
) -> Result<SocialGraph> {
    let n = topo.nodes;
    if segment.len() != n || role.len() != n {
        return Err(Error::param(
            "people",
            "segment and role vectors must have one entry per person",
        ));
    }
    let m_base = topo.arc_count();
    let m = m_base + follower_arcs.len();
    if m > super::MAX_ARCS {
        return Err(Error::param(
            "arcs",
            format!("{m} arcs exceed the limit of {}", super::MAX_ARCS),
        ));
    }
    let follower_kind = if follower_arcs.is_empty() {
        0
    } else {
        audience.follower_kind().ok_or_else(|| {
            Error::param(
                "[audience].tie_kinds",
                "the follower layer needs a tie kind named \"follower\"",
            )
        })?
    };

    // 1. A kind per tie.
    let mut picker = KindPicker::new(audience, seed);
    let tk = Ticker::new(progress, "kinds", topo.ties.len() as u64);
    let given = tie_kinds.filter(|k| k.len() == topo.ties.len());
    if tie_kinds.is_some() && given.is_none() {
        return Err(Error::param("arcs", "one tie kind per tie is needed"));
    }
    let mut tie_kind = Vec::with_capacity(topo.ties.len());
    for (i, &(u, v)) in topo.ties.iter().enumerate() {
        if u as usize >= n || v as usize >= n || u == v {
            return Err(Error::param(
                "arcs",
                format!("tie {u} – {v} is a self-loop or names a person outside 0..{n}"),
            ));
        }
        tie_kind.push(match given {
            Some(k) => k[i],
            None => picker.pick(&segment, &role, u, v),
        });
        tk.tick(i as u64);
    }
    tk.finish();

    // 2. Offsets from out-degrees.
    let mut offsets = vec![0u64; n + 1];
    for &(u, v) in &topo.ties {
        offsets[u as usize + 1] += 1;
        if !topo.directed {
            offsets[v as usize + 1] += 1;
        }
    }
    for &(u, v) in follower_arcs {
        if u as usize >= n || v as usize >= n || u == v {
            return Err(Error::param(
                "arcs",
                format!("follower arc {u} -> {v} is a self-loop or out of range"),
            ));
        }
        offsets[u as usize + 1] += 1;
    }
    for i in 0..n {
        offsets[i + 1] += offsets[i];
    }

    // 3. Fill, drawing trust in tie order.
    let samplers = audience.samplers();
    let mut trng = stream_rng(seed, Stream::Trust, 0);
    let mut cursor: Vec<u64> = offsets[..n].to_vec();
    let mut targets = vec![0u32; m];
    let mut trust = vec![0f32; m];
    let mut kind = vec![0u8; m];
    let tt = Ticker::new(progress, "trust", m as u64);
    let mut put = |u: u32, v: u32, k: u8, t: f32| {
        let c = &mut cursor[u as usize];
        let i = *c as usize;
        *c += 1;
        targets[i] = v;
        trust[i] = t;
        kind[i] = k;
    };
    let mut done = 0u64;
    for (i, &(u, v)) in topo.ties.iter().enumerate() {
        let k = tie_kind[i];
        let s = &samplers[k as usize];
        put(u, v, k, s.draw(&mut trng));
        if !topo.directed {
            put(v, u, k, s.draw(&mut trng));
        }
        done += 1;
        tt.tick(done);
    }
    drop(tie_kind);
    let fs = &samplers[follower_kind as usize];
    for &(u, v) in follower_arcs {
        put(u, v, follower_kind, fs.draw(&mut trng));
        done += 1;
        tt.tick(done);
    }
    tt.finish();
    drop(cursor);

    // 4. Sort each person's arcs by target (stable: ties before follower
    // arcs), drop follower arcs that repeat a tie, compact.
    let ts = Ticker::new(progress, "sort", n as u64);
    let mut row: Vec<(u32, f32, u8)> = Vec::new();
    let mut write = 0usize;
    let mut start = 0usize;
    for u in 0..n {
        let end = offsets[u + 1] as usize;
        row.clear();
        row.extend((start..end).map(|a| (targets[a], trust[a], kind[a])));
        row.sort_by_key(|r| r.0);
        let base_end = if follower_arcs.is_empty() && given.is_none() {
            row.len()
        } else {
            0
        };
        let mut prev = u32::MAX;
        for (j, &(v, t, k)) in row.iter().enumerate() {
            if v == prev {
                if j < base_end {
                    return Err(Error::param(
                        "arcs",
                        format!("duplicate arc {u} -> {v} in the generated ties"),
                    ));
                }
                continue;
            }
            prev = v;
            targets[write] = v;
            trust[write] = t;
            kind[write] = k;
            write += 1;
        }
        start = end;
        offsets[u + 1] = write as u64;
        ts.tick(u as u64);
    }
    ts.finish();
    targets.truncate(write);
    trust.truncate(write);
    kind.truncate(write);
    targets.shrink_to_fit();
    trust.shrink_to_fit();
    kind.shrink_to_fit();
    let vocab: Vocabulary = audience.vocabulary();
    SocialGraph::from_csr(offsets, targets, trust, kind, segment, role, vocab)
}

/// Builds a graph from an edge list and optional node attribute rows.
///
/// With an `audience` (a scenario): segment, role and kind names must be
/// the declared ones; people the attribute file gives no segment get one
/// drawn from the shares; roles come from the file when it has a role
/// column (others are public), else are drawn by the audience's rules; arcs without a kind get one by
/// the kind rule (both arcs of an undirected line the same kind); arcs
/// without trust draw it from their kind's distribution (stream `trust`, in
/// arc order). Without one (`viralsim graph stats FILE`): names are adopted
/// from the files, people without a segment are in segment `unknown` (or
/// `all` when there is no attribute file), and missing trust is drawn from
/// `default_trust`.
///
/// # Errors
/// [`Error::AttributeFile`] naming the file and line for an unknown id,
/// segment or role or a person listed twice; as [`SocialGraph::from_arcs`].
pub fn from_edge_list(
    mut el: super::io::EdgeList,
    attributes: Option<(&[super::io::NodeRow], &str)>,
    audience: Option<&Audience>,
    default_trust: super::trust::TrustDist,
    seed: u64,
) -> Result<SocialGraph> {
    use super::audience::{PUBLIC_ROLE, assign_roles, assign_segments};
    use super::io::{NO_KIND, Names};
    // Resolve attribute ids first: they may add people.
    let mut resolved = Vec::new();
    if let Some((rows, file)) = attributes {
        let memory = crate::input::available_memory();
        let arcs = el.arcs.len() as u64;
        for r in rows {
            if el.labels.is_none() {
                if let Ok(x) = r.id.parse::<u64>() {
                    if x >= el.nodes as u64 {
                        crate::input::check_memory_against(
                            memory,
                            crate::input::graph_bytes(x + 1, arcs),
                            || {
                                (
                                    format!(
                                        "attribute file '{file}' line {}: id {x} makes the graph {} people (ids are 0-based indices), which",
                                        r.line,
                                        x + 1
                                    ),
                                    "if the ids are labels rather than indices, set ids = \"label\" in [graph]".into(),
                                )
                            },
                        )?;
                    }
                }
            }
            let Some(u) = el.person(&r.id) else {
                return Err(Error::AttributeFile {
                    file: file.to_string(),
                    line: r.line,
                    msg: format!(
                        "id '{}' is not a person id of the edge list (0-based integers)",
                        r.id
                    ),
                });
            };
            resolved.push(u);
        }
    }
    let n = el.nodes;
    let (mut segs, mut roles, mut segment, mut role) = match audience {
        Some(a) => {
            let segment = assign_segments(
                n,
                &a.segments.iter().map(|s| s.share).collect::<Vec<_>>(),
                seed,
            );
            let file_roles =
                attributes.is_some_and(|(rows, _)| rows.iter().any(|r| r.role.is_some()));
            let role = if file_roles {
                if let Some((i, r)) = a
                    .roles
                    .iter()
                    .enumerate()
                    .find(|(_, r)| r.amount != super::audience::RoleAmount::FromFile)
                {
                    let key = match r.amount {
                        super::audience::RoleAmount::Share(_) => "share",
                        super::audience::RoleAmount::PerSegment(_) => "segment_shares",
                        _ => "count",
                    };
                    return Err(Error::param(
                        format!("[audience].roles[{i}].{key} ({})", r.name),
                        format!(
                            "is not used: the attribute file '{}' has a role column, which gives every person's role; drop {key} and keep the role's name",
                            attributes.map_or("", |(_, f)| f)
                        ),
                    ));
                }
                vec![0; n]
            } else {
                assign_roles(&segment, a, seed)?
            };
            let v = a.vocabulary();
            (
                Names::fixed(v.segments),
                Names::fixed(v.roles),
                segment,
                role,
            )
        }
        None => {
            let mut roles = Names::open();
            roles.id(PUBLIC_ROLE, 255);
            let mut segs = Names::open();
            let fill = if attributes.is_some() { u16::MAX } else { 0 };
            if attributes.is_none() {
                segs.id("all", 1);
            }
            (segs, roles, vec![fill; n], vec![0u8; n])
        }
    };
    if let Some((rows, file)) = attributes {
        let mut listed: Vec<u32> = vec![0; n];
        for (r, &u) in rows.iter().zip(&resolved) {
            let bad = |msg: String| Error::AttributeFile {
                file: file.to_string(),
                line: r.line,
                msg,
            };
            if listed[u as usize] != 0 {
                return Err(bad(format!(
                    "person '{}' is listed twice (first on line {})",
                    r.id, listed[u as usize]
                )));
            }
            listed[u as usize] = r.line as u32;
            if let Some(s) = &r.segment {
                let id = segs.id(s, u16::MAX as usize - 1).ok_or_else(|| {
                    bad(format!(
                        "segment '{s}' is not declared; segments: {}",
                        segs.names.join(", ")
                    ))
                })?;
                segment[u as usize] = id as u16;
            }
            if let Some(x) = &r.role {
                let id = roles.id(x, 255).ok_or_else(|| {
                    bad(format!(
                        "role '{x}' is not declared; roles: {}",
                        roles.names.join(", ")
                    ))
                })?;
                role[u as usize] = id as u8;
            }
        }
        if segment.contains(&u16::MAX) {
            let id = segs.id("unknown", u16::MAX as usize - 1).unwrap_or(0) as u16;
            segment
                .iter_mut()
                .filter(|s| **s == u16::MAX)
                .for_each(|s| *s = id);
        }
    }
    // Kinds and trust.
    let kinds_audience;
    let audience = match audience {
        Some(a) => a,
        None => {
            kinds_audience = Audience {
                segments: segs
                    .names
                    .iter()
                    .map(|s| super::audience::Segment {
                        name: s.clone(),
                        share: 0.0,
                    })
                    .collect(),
                roles: Vec::new(),
                kinds: el
                    .kinds
                    .iter()
                    .map(|k| super::audience::TieKind::plain(k, default_trust))
                    .collect(),
            };
            &kinds_audience
        }
    };
    let mut arcs = el.arcs;
    if arcs.iter().any(|a| a.3 == NO_KIND) {
        let mut picker = KindPicker::new(audience, seed);
        let directed = el.directed;
        for a in arcs.iter_mut() {
            if a.3 == NO_KIND && (directed || a.0 < a.1) {
                a.3 = picker.pick(&segment, &role, a.0, a.1);
            }
        }
        for i in 0..arcs.len() {
            let (u, v, _, k) = arcs[i];
            if k == NO_KIND {
                let key = ((v as u64) << 32) | u as u64;
                let j = arcs
                    .binary_search_by_key(&key, |a| ((a.0 as u64) << 32) | a.1 as u64)
                    .ok()
                    .filter(|&j| arcs[j].3 != NO_KIND);
                arcs[i].3 = match j {
                    Some(j) => arcs[j].3,
                    None => picker.pick(&segment, &role, u, v),
                };
            }
        }
    }
    let samplers = audience.samplers();
    let mut trng = stream_rng(seed, Stream::Trust, 0);
    for a in arcs.iter_mut() {
        if a.2.is_nan() {
            a.2 = samplers[a.3 as usize].draw(&mut trng);
        }
    }
    let mut vocab = audience.vocabulary();
    vocab.segments = segs.names;
    vocab.roles = roles.names;
    let labels = el.labels.take();
    let g = SocialGraph::from_arcs(n, arcs, segment, role, vocab)?;
    Ok(match labels {
        Some(l) => g.with_labels(l),
        None => g,
    })
}
