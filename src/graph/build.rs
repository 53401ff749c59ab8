//! Assembling a [`SocialGraph`] from generated ties, the follower layer and
//! the people, in O(n + m) memory beyond the result, on the rayon pool:
//! arcs are counted per bucket of consecutive people, their targets
//! scattered into the buckets' parts of the CSR array (no list of 16-byte
//! arcs), each bucket's arcs grouped by person and sorted by target, and only then
//! are kinds and trust drawn, person by person, so that the result does not
//! depend on the order the arcs were scattered in (nor on the thread count).

use super::audience::{Audience, KindPicker};
use super::generators::Topology;
use super::{SocialGraph, Vocabulary};
use crate::error::{Error, Result};
use crate::progress::{Progress, Ticker};
use crate::rng::{Stream, stream_rng};
use rayon::prelude::*;

/// People per chunk of the row-wise pass (kinds and trust).
const ROWS_PER_CHUNK: usize = 1 << 12;
/// The tag of a follower arc while assembling (ties have their layer run).
const FOLLOWER_TAG: u8 = u8::MAX;

/// Builds the graph: out-degrees, then every arc's target scattered into
/// its source's row, each row sorted by target, then per arc a kind (a tie's
/// kind by [`KindPicker::pick_tie`] on `(min, max)` of its ends when
/// undirected, so both arcs share it) and trust from its kind's distribution
/// (person `u`'s arcs draw from stream `trust` index `u`, in target order).
/// Every pass runs in parallel; the result is the same for any thread count.
///
/// Follower arcs that repeat a tie of the topology are dropped (the
/// personal tie wins). Follower arcs need a kind named `follower`.
///
/// With `tie_kinds` (a layered graph: a kind per tie, in layer order) the
/// kinds are given, not picked, and an arc repeated among the ties keeps its
/// first tie's kind (the earliest layer wins) instead of being an error.
///
/// # Errors
/// [`Error::Parameter`] when sizes disagree, an id is out of range, follower
/// arcs exist without a `follower` kind, or the topology repeats an arc.
///
/// Complexity: O(n + m + Σ_u d_u log d_u); memory 7 bytes per arc for the
/// result; while building, the ties and follower arcs (8 bytes each, freed
/// once scattered), 2 bytes per arc (each arc's source within its bucket,
/// freed once sorted) and 12 bytes per person.
#[allow(clippy::too_many_arguments)]
pub fn assemble(
    topo: Topology,
    tie_kinds: Option<&[u8]>,
    follower_arcs: Vec<(u32, u32)>,
    segment: Vec<u16>,
    role: Vec<u8>,
    audience: &Audience,
    seed: u64,
    progress: Option<Progress<'_>>,
) -> Result<SocialGraph> {
    let n = topo.nodes;
    let directed = topo.directed;
    if segment.len() != n || role.len() != n {
        return Err(Error::param(
            "people",
            "segment and role vectors must have one entry per person",
        ));
    }
    let m = topo.arc_count() + follower_arcs.len();
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
    let given = tie_kinds.filter(|k| k.len() == topo.ties.len());
    if tie_kinds.is_some() && given.is_none() {
        return Err(Error::param("arcs", "one tie kind per tie is needed"));
    }
    // Given kinds come in runs (layers); a tie's tag is its run, so that the
    // earliest layer of a repeated pair sorts first.
    let (mut run_kind, mut run_end) = (Vec::new(), Vec::new());
    if let Some(k) = given {
        for (i, &x) in k.iter().enumerate() {
            if run_kind.last() != Some(&x) {
                if i > 0 {
                    run_end.push(i);
                }
                run_kind.push(x);
            }
        }
        run_end.push(k.len());
        if run_kind.len() >= FOLLOWER_TAG as usize {
            return Err(Error::param(
                "[audience].layers",
                "at most 254 runs of layers with different tie kinds",
            ));
        }
    }
    // 1. Arcs per bucket of people (1 << shift consecutive people), counted
    // per piece of the ties and of the follower arcs in one pass that also
    // checks every id.
    let tf = Ticker::new(progress, "fill", m as u64);
    let shift = bucket_shift(n);
    let buckets = n.div_ceil(1 << shift).max(1);
    let pieces = cut_pieces(&topo.ties, &follower_arcs);
    let counted: Vec<std::result::Result<Vec<u64>, usize>> = pieces
        .par_iter()
        .map(|p| {
            let both = !directed && !p.follower;
            let mut h = vec![0u64; buckets];
            for (i, &(u, v)) in p.arcs.iter().enumerate() {
                if u as usize >= n || v as usize >= n || u == v {
                    return Err(p.first + i);
                }
                h[(u >> shift) as usize] += 1;
                if both {
                    h[(v >> shift) as usize] += 1;
                }
            }
            Ok(h)
        })
        .collect();
    let mut hist = Vec::with_capacity(pieces.len());
    for (p, c) in pieces.iter().zip(counted) {
        match c {
            Ok(h) => hist.push(h),
            Err(i) if !p.follower => {
                let (u, v) = topo.ties[i];
                return Err(Error::param(
                    "arcs",
                    format!("tie {u} – {v} is a self-loop or names a person outside 0..{n}"),
                ));
            }
            Err(i) => {
                let (u, v) = follower_arcs[i];
                return Err(Error::param(
                    "arcs",
                    format!("follower arc {u} -> {v} is a self-loop or out of range"),
                ));
            }
        }
    }
    // Bucket b's arcs are bstart[b]..bstart[b + 1], piece after piece.
    let mut bstart = vec![0u64; buckets + 1];
    for b in 0..buckets {
        bstart[b + 1] = bstart[b] + hist.iter().map(|h| h[b]).sum::<u64>();
    }

    // 2. Scatter: each piece writes its arcs' targets, tags and sources (as
    // offsets within their bucket) into slices of its own, one per bucket;
    // there are few buckets, so their write positions stay in cache.
    let mut targets = vec![0u32; m];
    let mut kind = vec![0u8; m];
    let mut local = vec![0u16; m];
    let mut sinks: Vec<Vec<Sink<'_>>> = (0..pieces.len())
        .map(|_| Vec::with_capacity(buckets))
        .collect();
    {
        let (mut t, mut k, mut l) = (&mut targets[..], &mut kind[..], &mut local[..]);
        for b in 0..buckets {
            for (s, h) in sinks.iter_mut().zip(&hist) {
                let c = h[b] as usize;
                let (t0, t1) = std::mem::take(&mut t).split_at_mut(c);
                let (k0, k1) = std::mem::take(&mut k).split_at_mut(c);
                let (l0, l1) = std::mem::take(&mut l).split_at_mut(c);
                (t, k, l) = (t1, k1, l1);
                s.push(Sink {
                    t: t0,
                    k: k0,
                    l: l0,
                    at: 0,
                });
            }
        }
    }
    drop(hist);
    let mask = (1u32 << shift) - 1;
    pieces.par_iter().zip(sinks).for_each(|(p, mut s)| {
        let mut put = |u: u32, v: u32, tag: u8| {
            s[(u >> shift) as usize].push(v, tag, (u & mask) as u16);
        };
        if p.follower {
            for &(u, v) in p.arcs {
                put(u, v, FOLLOWER_TAG);
            }
            return;
        }
        let mut run = run_end.partition_point(|&e| e <= p.first);
        for (i, &(u, v)) in (p.first..).zip(p.arcs) {
            let tag = if given.is_some() {
                while run_end[run] <= i {
                    run += 1;
                }
                run as u8
            } else {
                0
            };
            put(u, v, tag);
            if !directed {
                put(v, u, tag);
            }
        }
    });
    drop(pieces);
    drop(topo);
    drop(follower_arcs);
    tf.finish();

    // 3. Per bucket: the arcs grouped by source (a counting sort), each row
    // sorted by (target, tag) and repeats dropped (the lowest tag, a tie
    // before a follower arc and the earliest layer, wins), the rows written
    // back left-aligned within the bucket; then the buckets are closed up.
    let ts = Ticker::new(progress, "sort", n as u64);
    let no_repeats = given.is_none();
    let mut deg = vec![0u32; n];
    let written: Vec<Result<usize>> = split_at_cuts(&mut targets, &bstart[..buckets], m as u64)
        .into_par_iter()
        .zip(split_at_cuts(&mut kind, &bstart[..buckets], m as u64))
        .zip(split_at_cuts(&mut local, &bstart[..buckets], m as u64))
        .zip(deg.par_chunks_mut(1 << shift))
        .enumerate()
        .map_init(
            || (Vec::new(), Vec::new()),
            |(keys, at), (b, (((t, k), l), d))| {
                sort_bucket(b << shift, t, k, l, d, keys, at, no_repeats)
            },
        )
        .collect();
    drop(local);
    let mut offsets = vec![0u64; n + 1];
    let mut write = 0usize;
    let mut first = Vec::with_capacity(buckets);
    for (b, w) in written.into_iter().enumerate() {
        let w = w?;
        let start = bstart[b] as usize;
        if start != write {
            targets.copy_within(start..start + w, write);
            kind.copy_within(start..start + w, write);
        }
        first.push(write as u64);
        write += w;
    }
    offsets[1..]
        .par_chunks_mut(1 << shift)
        .zip(deg.par_chunks(1 << shift))
        .zip(first)
        .for_each(|((o, d), mut at)| {
            for (o, &d) in o.iter_mut().zip(d) {
                at += d as u64;
                *o = at;
            }
        });
    drop(deg);
    targets.truncate(write);
    kind.truncate(write);
    targets.shrink_to_fit();
    kind.shrink_to_fit();
    ts.finish();

    // 4. Kinds and trust, person by person.
    let tt = Ticker::new(progress, "trust", write as u64);
    let picker = KindPicker::new(audience, seed);
    let samplers = audience.samplers();
    let mut trust = vec![0 as super::TrustLevel; write];
    split_rows(&mut trust, &offsets)
        .into_par_iter()
        .zip(split_rows(&mut kind, &offsets))
        .enumerate()
        .for_each(|(c, (tr, k))| {
            let r0 = c * ROWS_PER_CHUNK;
            let r1 = (r0 + ROWS_PER_CHUNK).min(n);
            let base = offsets[r0] as usize;
            let end = offsets[r1] as usize;
            // The targets' segments and roles first, in a loop without
            // branches (so that many are fetched at once), then kinds, then
            // trust.
            let ends: Vec<(u16, u8)> = if picker.needs_people() {
                targets[base..end]
                    .iter()
                    .map(|&v| (segment[v as usize], role[v as usize]))
                    .collect()
            } else {
                Vec::new()
            };
            for u in r0..r1 {
                let (a, b) = (offsets[u] as usize - base, offsets[u + 1] as usize - base);
                if a == b {
                    continue;
                }
                let me = (segment[u], role[u]);
                for i in a..b {
                    k[i] = match k[i] {
                        FOLLOWER_TAG => follower_kind,
                        r if given.is_some() => run_kind[r as usize],
                        _ if !picker.needs_people() => 0,
                        _ => {
                            let v = targets[base + i];
                            if directed || (u as u32) < v {
                                picker.pick_tie(me, ends[i], u as u32, v)
                            } else {
                                picker.pick_tie(ends[i], me, v, u as u32)
                            }
                        }
                    };
                }
                let mut rng = stream_rng(seed, Stream::Trust, u as u64);
                for i in a..b {
                    tr[i] = samplers[k[i] as usize].draw(&mut rng);
                }
            }
        });
    tt.finish();
    let vocab: Vocabulary = audience.vocabulary();
    SocialGraph::from_csr(offsets, targets, trust, kind, segment, role, vocab)
}

/// Fewest and most people per bucket of the fill, as powers of two: a
/// bucket's people are numbered within it by a `u16`.
const BUCKET_SHIFTS: (u32, u32) = (8, 16);
/// About this many buckets (as a power of two) for large graphs: few enough
/// that the fill's write positions stay in a core's cache, many enough that
/// a bucket's arcs do too when its rows are sorted.
const BUCKETS_LOG2: u32 = 8;
/// Pairs per piece of the fill at most (at least as many pieces as twice the
/// threads, down to pieces of [`MIN_PIECE`] pairs; the result does not depend
/// on the cut).
const MAX_PIECE: usize = 1 << 22;
/// Pairs per piece at least, unless there are fewer.
const MIN_PIECE: usize = 1 << 16;

/// log2 of the people per bucket of the fill for `n` people.
fn bucket_shift(n: usize) -> u32 {
    let bits = usize::BITS - n.saturating_sub(1).leading_zeros();
    bits.saturating_sub(BUCKETS_LOG2)
        .clamp(BUCKET_SHIFTS.0, BUCKET_SHIFTS.1)
}

/// A run of consecutive ties (from tie `first`) or follower arcs, counted
/// and scattered by one job of the fill.
struct Piece<'a> {
    arcs: &'a [(u32, u32)],
    first: usize,
    follower: bool,
}

/// The ties, then the follower arcs, cut into pieces.
fn cut_pieces<'a>(ties: &'a [(u32, u32)], followers: &'a [(u32, u32)]) -> Vec<Piece<'a>> {
    let threads = rayon::current_num_threads().max(1);
    let mut out = Vec::new();
    for (list, follower) in [(ties, false), (followers, true)] {
        let want = list.len().div_ceil(2 * threads);
        let per = want.clamp(MIN_PIECE, MAX_PIECE.max(MIN_PIECE));
        for (j, arcs) in list.chunks(per).enumerate() {
            out.push(Piece {
                arcs,
                first: j * per,
                follower,
            });
        }
    }
    out
}

/// Where one piece of the fill writes the arcs of one bucket: targets,
/// tags and sources (within the bucket), from `at` on.
struct Sink<'a> {
    t: &'a mut [u32],
    k: &'a mut [u8],
    l: &'a mut [u16],
    at: usize,
}

impl Sink<'_> {
    #[inline]
    fn push(&mut self, v: u32, tag: u8, l: u16) {
        self.t[self.at] = v;
        self.k[self.at] = tag;
        self.l[self.at] = l;
        self.at += 1;
    }
}

/// Sorts the arcs of one bucket, people `u0..u0 + deg.len()`: `t`, `k` and
/// `l` hold their targets, tags and sources (`u - u0`) in any order. Leaves
/// the rows, in person order, each by (target, tag) without repeats, at the
/// start of `t` and `k`, their lengths in `deg`, and returns the arcs kept.
/// `keys` and `at` are scratch.
///
/// # Errors
/// [`Error::Parameter`] with `no_repeats` when a row repeats a target
/// other than by a follower arc (for the first such row, its least target).
#[allow(clippy::too_many_arguments)]
fn sort_bucket(
    u0: usize,
    t: &mut [u32],
    k: &mut [u8],
    l: &[u16],
    deg: &mut [u32],
    keys: &mut Vec<u64>,
    at: &mut Vec<u32>,
    no_repeats: bool,
) -> Result<usize> {
    let rows = deg.len();
    at.clear();
    at.resize(rows + 1, 0);
    for &x in l {
        at[x as usize + 1] += 1;
    }
    for r in 0..rows {
        at[r + 1] += at[r];
    }
    deg.copy_from_slice(&at[..rows]);
    if keys.len() < t.len() {
        keys.resize(t.len(), 0);
    }
    for ((&v, &tag), &x) in t.iter().zip(k.iter()).zip(l) {
        let c = &mut deg[x as usize];
        keys[*c as usize] = ((v as u64) << 8) | tag as u64;
        *c += 1;
    }
    let mut w = 0;
    for r in 0..rows {
        let row = &mut keys[at[r] as usize..at[r + 1] as usize];
        row.sort_unstable();
        let start = w;
        let mut prev = u64::MAX;
        for &key in row.iter() {
            if key >> 8 == prev >> 8 {
                if no_repeats && key as u8 != FOLLOWER_TAG {
                    return Err(Error::param(
                        "arcs",
                        format!(
                            "duplicate arc {} -> {} in the generated ties",
                            u0 + r,
                            key >> 8
                        ),
                    ));
                }
                continue;
            }
            prev = key;
            t[w] = (key >> 8) as u32;
            k[w] = key as u8;
            w += 1;
        }
        deg[r] = (w - start) as u32;
    }
    Ok(w)
}

/// `data` (of length `end`) split at the increasing positions `cuts`
/// (the first is 0).
fn split_at_cuts<'a, T>(mut data: &'a mut [T], cuts: &[u64], end: u64) -> Vec<&'a mut [T]> {
    let mut out = Vec::with_capacity(cuts.len());
    for (j, &c) in cuts.iter().enumerate() {
        let next = cuts.get(j + 1).copied().unwrap_or(end);
        let (head, tail) = std::mem::take(&mut data).split_at_mut((next - c) as usize);
        out.push(head);
        data = tail;
    }
    out
}

/// `data` (one entry per arc of the CSR `offsets`) split into the arcs of
/// consecutive chunks of [`ROWS_PER_CHUNK`] people.
fn split_rows<'a, T>(mut data: &'a mut [T], offsets: &[u64]) -> Vec<&'a mut [T]> {
    let n = offsets.len() - 1;
    let mut out = Vec::with_capacity(n.div_ceil(ROWS_PER_CHUNK));
    let mut at = offsets[0];
    for r0 in (0..n).step_by(ROWS_PER_CHUNK) {
        let end = offsets[(r0 + ROWS_PER_CHUNK).min(n)];
        let (head, tail) = std::mem::take(&mut data).split_at_mut((end - at) as usize);
        out.push(head);
        data = tail;
        at = end;
    }
    out
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
            a.2 = super::trust_value(samplers[a.3 as usize].draw(&mut trng));
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
