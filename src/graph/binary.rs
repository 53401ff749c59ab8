//! Binary graph files (`.vsg`): a frozen [`SocialGraph`] — people, their
//! segments, roles and labels, arcs with trust and tie kind — in a
//! versioned, checksummed form that loads at close to disk speed.
//!
//! # Format, version 2
//! Everything is little-endian. A file is a 64-byte header, a table of
//! sections (32 bytes each), then the sections' payloads, each starting at
//! a multiple of 8 bytes (zero padding between them).
//!
//! | bytes  | header field                                              |
//! |--------|-----------------------------------------------------------|
//! | 0–7    | magic `VSGRAPH` and a zero byte                           |
//! | 8–11   | format version (u32, 2)                                   |
//! | 12–15  | header length (u32, 64)                                   |
//! | 16–23  | people n (u64)                                            |
//! | 24–31  | arcs m (u64)                                              |
//! | 32–35  | number of sections (u32)                                  |
//! | 36–39  | flags (u32): bit 0 labels, bit 1 own ids; others zero     |
//! | 40–43  | CRC-32 of the section table (u32)                         |
//! | 44–55  | zero                                                      |
//! | 56–59  | CRC-32 of bytes 0–55 (u32)                                |
//! | 60–63  | zero                                                      |
//!
//! A section table entry: name (8 bytes, ASCII, zero-padded), offset of the
//! payload from the start of the file (u64), payload length in bytes
//! (u64), CRC-32 of the payload (u32), zero (u32). The sections, in order:
//!
//! | name       | payload                                                  |
//! |------------|----------------------------------------------------------|
//! | `vocab`    | JSON `{"segments": […], "roles": […], "kinds": […]}`: names by id |
//! | `offsets`  | u64 × (n + 1): person u's arcs are `offsets[u]..offsets[u+1]` |
//! | `targets`  | u32 × m: the arcs' targets, sorted within each person     |
//! | `trust`    | u16 × m: the arcs' trust levels: trust = level / 65535    |
//! | `kinds`    | u8 × m: the arcs' tie kinds (ids into `kinds`)            |
//! | `segments` | u16 × n: each person's segment                            |
//! | `roles`    | u8 × n: each person's role                                |
//! | `labelidx` | (with labels) u64 × (n + 1): person u's label is bytes `labelidx[u]..labelidx[u+1]` of `labels` |
//! | `labels`   | (with labels) the labels, UTF-8, concatenated             |
//! | `ownids`   | (with own ids) u32 × n: the own id of the person stored at each position, when the graph is stored in locality order |
//!
//! CRC-32 is the common one (IEEE 802.3, as zlib's `crc32`), so any tool
//! can check a file. Version 1 differed only in its `trust` section (f32 ×
//! m, trust itself); it is still read, each trust quantised to its level as
//! the graph stores it. A reader refuses other magic, another version, a
//! damaged header, table or section, a truncated file, and arrays that do
//! not form a valid graph (as [`SocialGraph::from_csr`] checks), each with
//! a message naming the file. Files are written to a temporary name beside
//! the target and renamed when complete, so a half-written file is never
//! presented as a graph.

use super::{SocialGraph, Vocabulary};
use crate::error::{Error, Result};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

/// The first 8 bytes of every graph file.
pub const MAGIC: [u8; 8] = *b"VSGRAPH\0";
/// The format version this build writes (it also reads version 1).
pub const VERSION: u32 = 2;
/// The oldest format version this build reads.
pub const OLDEST_VERSION: u32 = 1;
/// The usual file name extension.
pub const EXTENSION: &str = "vsg";

const HEADER_LEN: usize = 64;
const ENTRY_LEN: usize = 32;
const FLAG_LABELS: u32 = 1;
const FLAG_OWN_IDS: u32 = 2;
/// Bytes converted at a time while reading or writing a section.
const CHUNK: usize = 8 << 20;

/// True when `path` starts with the graph-file magic (false when it cannot
/// be read: the caller's reader reports that).
pub fn is_graph_file(path: &Path) -> bool {
    let mut head = [0u8; 8];
    std::fs::File::open(path)
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head == MAGIC)
}

/// A fixed-size little-endian element of a section.
trait Le: Copy + Default {
    const SIZE: usize;
    fn put(self, out: &mut Vec<u8>);
    fn get(b: &[u8]) -> Self;
}

macro_rules! le {
    ($($t:ty),*) => {$(
        impl Le for $t {
            const SIZE: usize = std::mem::size_of::<$t>();
            #[inline]
            fn put(self, out: &mut Vec<u8>) {
                out.extend_from_slice(&self.to_le_bytes());
            }
            #[inline]
            fn get(b: &[u8]) -> Self {
                <$t>::from_le_bytes(b.try_into().expect("chunks of SIZE"))
            }
        }
    )*};
}
le!(u8, u16, u32, u64, f32);

/// Where a section's bytes go, a part at a time.
type Sink<'s> = dyn FnMut(&[u8]) -> std::io::Result<()> + 's;
/// A section's payload, as something that hands its bytes to a sink.
type Emit<'a> = Box<dyn Fn(&mut Sink<'_>) -> std::io::Result<()> + 'a>;

/// One section as written: its name, and its payload as a writer of bytes.
struct Out<'a> {
    name: &'static str,
    write: Emit<'a>,
}

fn array<'a, T: Le>(name: &'static str, data: &'a [T]) -> Out<'a> {
    Out {
        name,
        write: Box::new(move |sink| {
            let per = (CHUNK / T::SIZE).max(1);
            let mut buf = Vec::with_capacity(CHUNK);
            for part in data.chunks(per) {
                buf.clear();
                part.iter().for_each(|x| x.put(&mut buf));
                sink(&buf)?;
            }
            Ok(())
        }),
    }
}

fn bytes<'a>(name: &'static str, data: &'a [u8]) -> Out<'a> {
    Out {
        name,
        write: Box::new(move |sink| data.chunks(CHUNK).try_for_each(&mut *sink)),
    }
}

fn name_bytes(name: &str) -> [u8; 8] {
    let mut b = [0u8; 8];
    b[..name.len()].copy_from_slice(name.as_bytes());
    b
}

/// Writes `g` to `path` in the binary format (see the module docs): to a
/// temporary file beside it, renamed to `path` once complete.
///
/// # Errors
/// [`Error::Write`] naming the file when it cannot be written.
///
/// Complexity: O(n + m) time, O(1) memory beyond the graph (8 MiB buffers).
pub fn write(g: &SocialGraph, path: &Path) -> Result<()> {
    write_as(g, path, VERSION)
}

/// [`write`] in format `version` (1 only for tests of reading old files).
fn write_as(g: &SocialGraph, path: &Path, version: u32) -> Result<()> {
    let vocab = g.vocabulary();
    let vocab_json = serde_json::to_vec(&serde_json::json!({
        "segments": vocab.segments,
        "roles": vocab.roles,
        "kinds": vocab.kinds,
    }))
    .expect("names serialise");
    let label_parts = g.labels().map(|labels| {
        let mut idx = Vec::with_capacity(labels.len() + 1);
        let mut text = Vec::new();
        idx.push(0u64);
        for l in labels {
            text.extend_from_slice(l.as_bytes());
            idx.push(text.len() as u64);
        }
        (idx, text)
    });
    let mut flags = 0;
    let trust_v1: Vec<f32> = if version == 1 {
        g.trust_levels()
            .iter()
            .map(|&q| super::trust_value(q))
            .collect()
    } else {
        Vec::new()
    };
    let mut sections = vec![
        bytes("vocab", &vocab_json),
        array("offsets", g.offsets()),
        array("targets", g.targets()),
        if version == 1 {
            array("trust", &trust_v1)
        } else {
            array("trust", g.trust_levels())
        },
        array("kinds", g.kinds()),
        array("segments", g.segments()),
        array("roles", g.roles()),
    ];
    if let Some((idx, text)) = &label_parts {
        flags |= FLAG_LABELS;
        sections.push(array("labelidx", idx));
        sections.push(bytes("labels", text));
    }
    if let Some(own) = g.own_ids() {
        flags |= FLAG_OWN_IDS;
        sections.push(array("ownids", own));
    }

    let tmp = path.with_file_name(format!(
        ".{}.part-{}",
        path.file_name()
            .map_or("graph".into(), |f| f.to_string_lossy().into_owned()),
        std::process::id()
    ));
    let written = write_sections(&tmp, g, version, flags, &sections)
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(Error::write(path, e));
    }
    Ok(())
}

fn write_sections(
    path: &Path,
    g: &SocialGraph,
    version: u32,
    flags: u32,
    sections: &[Out<'_>],
) -> std::io::Result<()> {
    let file = std::fs::File::create(path)?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, file);
    let table_len = sections.len() * ENTRY_LEN;
    let mut at = (HEADER_LEN + table_len) as u64;
    // Header and table are written last, once the sections' sums are known.
    w.write_all(&vec![0u8; HEADER_LEN + table_len])?;
    let mut table = Vec::with_capacity(table_len);
    for s in sections {
        let start = at;
        let mut crc = crc32fast::Hasher::new();
        let mut len = 0u64;
        (s.write)(&mut |b: &[u8]| {
            crc.update(b);
            len += b.len() as u64;
            w.write_all(b)
        })?;
        let pad = (8 - len % 8) % 8;
        w.write_all(&[0u8; 8][..pad as usize])?;
        at = start + len + pad;
        table.extend_from_slice(&name_bytes(s.name));
        table.extend_from_slice(&start.to_le_bytes());
        table.extend_from_slice(&len.to_le_bytes());
        table.extend_from_slice(&crc.finalize().to_le_bytes());
        table.extend_from_slice(&[0u8; 4]);
    }
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(&MAGIC);
    header.extend_from_slice(&version.to_le_bytes());
    header.extend_from_slice(&(HEADER_LEN as u32).to_le_bytes());
    header.extend_from_slice(&(g.node_count() as u64).to_le_bytes());
    header.extend_from_slice(&(g.arc_count() as u64).to_le_bytes());
    header.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    header.extend_from_slice(&flags.to_le_bytes());
    header.extend_from_slice(&crc32fast::hash(&table).to_le_bytes());
    header.extend_from_slice(&[0u8; 12]);
    let sum = crc32fast::hash(&header);
    header.extend_from_slice(&sum.to_le_bytes());
    header.extend_from_slice(&[0u8; 4]);
    let mut file = w.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&header)?;
    file.write_all(&table)?;
    file.sync_all()
}

/// What a graph file's header says, read without loading the arrays.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// People.
    pub people: u64,
    /// Arcs.
    pub arcs: u64,
    /// Whether people have labels.
    pub labels: bool,
    /// Whether the graph is stored in locality order (own ids given).
    pub own_ids: bool,
    /// The file's format version.
    pub version: u32,
}

struct Entry {
    name: String,
    offset: u64,
    len: u64,
    crc: u32,
}

/// An open graph file: header and section table read and checked.
struct Reader {
    file: std::fs::File,
    name: String,
    header: Header,
    entries: Vec<Entry>,
}

fn u32_at(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}
fn u64_at(b: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(b[at..at + 8].try_into().expect("8 bytes"))
}

impl Reader {
    fn bad(&self, msg: impl Into<String>) -> Error {
        Error::GraphFile {
            file: self.name.clone(),
            msg: msg.into(),
        }
    }

    fn read_error(&self, source: std::io::Error) -> Error {
        Error::Read {
            path: self.name.clone().into(),
            source,
        }
    }

    /// The byte length of section `name` (0 when the file has none).
    fn len_of(&self, name: &str) -> u64 {
        self.entries
            .iter()
            .find(|e| e.name == name)
            .map_or(0, |e| e.len)
    }

    fn open(path: &Path) -> Result<Reader> {
        let name = path.display().to_string();
        let bad = |msg: String| Error::GraphFile {
            file: name.clone(),
            msg,
        };
        let (mut file, size) = crate::input::open_regular(path, "graph file")?;
        let read_err = |source| Error::Read {
            path: path.to_path_buf(),
            source,
        };
        let mut head = [0u8; HEADER_LEN];
        let mut magic = [0u8; 8];
        if size < 8 || file.read_exact(&mut magic).is_err() || magic != MAGIC {
            return Err(bad(
                "not a viralsim graph file (it does not start with VSGRAPH); write one with `viralsim graph generate --format binary` or `viralsim graph convert`".into(),
            ));
        }
        head[..8].copy_from_slice(&magic);
        if size < HEADER_LEN as u64 {
            return Err(bad(format!(
                "{size} bytes is too short for a viralsim graph file (its header alone is {HEADER_LEN} bytes)"
            )));
        }
        file.read_exact(&mut head[8..]).map_err(read_err)?;
        let version = u32_at(&head, 8);
        if !(OLDEST_VERSION..=VERSION).contains(&version) {
            return Err(bad(format!(
                "format version {version}; this viralsim reads versions {OLDEST_VERSION} to {VERSION}"
            )));
        }
        if crc32fast::hash(&head[..56]) != u32_at(&head, 56) {
            return Err(bad(
                "the header is damaged (its checksum does not match)".into()
            ));
        }
        let (people, arcs) = (u64_at(&head, 16), u64_at(&head, 24));
        let count = u32_at(&head, 32) as usize;
        let flags = u32_at(&head, 36);
        if u32_at(&head, 12) as usize != HEADER_LEN || flags & !(FLAG_LABELS | FLAG_OWN_IDS) != 0 {
            return Err(bad(format!(
                "unknown header length {} or flags {flags:#x} for version {version}",
                u32_at(&head, 12)
            )));
        }
        if count > 64 || (HEADER_LEN + count * ENTRY_LEN) as u64 > size {
            return Err(bad(format!("{count} sections do not fit in {size} bytes")));
        }
        let mut table = vec![0u8; count * ENTRY_LEN];
        file.read_exact(&mut table).map_err(read_err)?;
        if crc32fast::hash(&table) != u32_at(&head, 40) {
            return Err(bad(
                "the section table is damaged (its checksum does not match)".into(),
            ));
        }
        let mut entries = Vec::with_capacity(count);
        for e in table.chunks_exact(ENTRY_LEN) {
            let name = String::from_utf8_lossy(&e[..8])
                .trim_end_matches('\0')
                .to_string();
            let (offset, len) = (u64_at(e, 8), u64_at(e, 16));
            if offset.checked_add(len).is_none_or(|end| end > size) {
                return Err(bad(format!(
                    "section '{name}' ends at byte {} but the file has {size} bytes: it is truncated",
                    offset.saturating_add(len)
                )));
            }
            entries.push(Entry {
                name,
                offset,
                len,
                crc: u32_at(e, 24),
            });
        }
        Ok(Reader {
            file,
            name,
            header: Header {
                people,
                arcs,
                labels: flags & FLAG_LABELS != 0,
                own_ids: flags & FLAG_OWN_IDS != 0,
                version,
            },
            entries,
        })
    }

    /// Reads section `name` as `count` elements of `T`, checking its sum.
    fn array<T: Le>(&mut self, name: &str, count: u64) -> Result<Vec<T>> {
        let Some(e) = self.entries.iter().position(|e| e.name == name) else {
            return Err(self.bad(format!("the section '{name}' is missing")));
        };
        let (offset, len, want) = (
            self.entries[e].offset,
            self.entries[e].len,
            self.entries[e].crc,
        );
        if Some(len) != count.checked_mul(T::SIZE as u64) {
            return Err(self.bad(format!(
                "section '{name}' has {len} bytes; {count} entries of {} bytes were expected",
                T::SIZE
            )));
        }
        let mut out: Vec<T> = Vec::new();
        out.try_reserve_exact(count as usize)
            .map_err(|_| self.bad(format!("no memory for section '{name}' ({len} bytes)")))?;
        crate::memory::advise_capacity(&out);
        if let Err(e) = self.file.seek(SeekFrom::Start(offset)) {
            return Err(self.read_error(e));
        }
        let mut crc = crc32fast::Hasher::new();
        let mut buf = vec![0u8; CHUNK - CHUNK % T::SIZE];
        let mut left = len as usize;
        while left > 0 {
            let k = left.min(buf.len());
            if let Err(e) = self.file.read_exact(&mut buf[..k]) {
                return Err(self.read_error(e));
            }
            crc.update(&buf[..k]);
            out.extend(buf[..k].chunks_exact(T::SIZE).map(T::get));
            left -= k;
        }
        if crc.finalize() != want {
            return Err(self.bad(format!(
                "section '{name}' is damaged (its checksum does not match)"
            )));
        }
        Ok(out)
    }
}

/// Reads only the header of a graph file: people, arcs and what it holds.
///
/// # Errors
/// [`Error::Read`] when it cannot be read; [`Error::GraphFile`] when it is
/// not a graph file of this version or its header or table is damaged.
pub fn header(path: &Path) -> Result<Header> {
    Reader::open(path).map(|r| r.header)
}

/// Loads a graph file written by [`write`]: every array as written, labels
/// and own ids kept. Before allocating, the memory it needs is checked
/// against what is available ([`crate::input::check_memory`]).
///
/// # Errors
/// [`Error::Read`] when it cannot be read; [`Error::GraphFile`] naming the
/// file for other magic or version, a damaged header, table or section, a
/// truncated file, or arrays that do not form a valid graph;
/// [`Error::Memory`] when it would not fit.
///
/// Complexity: O(n + m) time; memory: the graph, plus one 8 MiB buffer.
pub fn read(path: &Path) -> Result<SocialGraph> {
    let mut r = Reader::open(path)?;
    let Header {
        people: n,
        arcs: m,
        labels,
        own_ids,
        ..
    } = r.header;
    if n > super::MAX_NODES as u64 || m > super::MAX_ARCS as u64 || n == 0 {
        return Err(r.bad(format!(
            "{n} people and {m} arcs are out of range (1 to {} people, at most {} arcs)",
            super::MAX_NODES,
            super::MAX_ARCS
        )));
    }
    let label_bytes = r.len_of("labels");
    let needed = crate::input::graph_bytes(n, m).saturating_add(label_bytes.saturating_mul(2));
    crate::input::check_memory(needed, || {
        (
            format!("graph file '{}' ({n} people, {m} arcs)", r.name),
            "use a machine with more memory".into(),
        )
    })?;
    let vocab_bytes: Vec<u8> = {
        let len = r.len_of("vocab");
        if len > 64 << 20 {
            return Err(r.bad(format!("the vocab section is {len} bytes; at most 64 MiB")));
        }
        r.array("vocab", len)?
    };
    let vocab = parse_vocab(&vocab_bytes).map_err(|msg| r.bad(msg))?;
    let offsets: Vec<u64> = r.array("offsets", n + 1)?;
    let targets: Vec<u32> = r.array("targets", m)?;
    let trust: Vec<u16> = if r.header.version == 1 {
        let trust: Vec<f32> = r.array("trust", m)?;
        if let Some(a) = trust.iter().position(|t| !(0.0..=1.0).contains(t)) {
            return Err(r.bad(format!(
                "not a valid graph: trust {} on arc {a} is outside [0, 1]",
                trust[a]
            )));
        }
        trust.into_iter().map(super::trust_level).collect()
    } else {
        r.array("trust", m)?
    };
    let kinds: Vec<u8> = r.array("kinds", m)?;
    let segments: Vec<u16> = r.array("segments", n)?;
    let roles: Vec<u8> = r.array("roles", n)?;
    let name = r.name.clone();
    let as_file_error = |e: Error| match e {
        Error::Parameter { msg, .. } => Error::GraphFile {
            file: name.clone(),
            msg: format!("not a valid graph: {msg}"),
        },
        other => other,
    };
    let own: Option<Vec<u32>> = if own_ids {
        Some(r.array("ownids", n)?)
    } else {
        None
    };
    let mut g =
        SocialGraph::from_csr_with_ids(offsets, targets, trust, kinds, segments, roles, vocab, own)
            .map_err(as_file_error)?;
    if labels {
        let idx: Vec<u64> = r.array("labelidx", n + 1)?;
        let text: Vec<u8> = r.array("labels", label_bytes)?;
        let mut out = Vec::with_capacity(n as usize);
        for u in 0..n as usize {
            let (a, b) = (idx[u], idx[u + 1]);
            let part = (a <= b && b <= text.len() as u64)
                .then(|| &text[a as usize..b as usize])
                .ok_or_else(|| r.bad(format!("label {u} lies outside the labels section")))?;
            let s =
                std::str::from_utf8(part).map_err(|_| r.bad(format!("label {u} is not UTF-8")))?;
            out.push(s.to_string());
        }
        g = g.with_labels(out);
    }
    Ok(g)
}

fn parse_vocab(b: &[u8]) -> std::result::Result<Vocabulary, String> {
    #[derive(serde::Deserialize)]
    struct V {
        segments: Vec<String>,
        roles: Vec<String>,
        kinds: Vec<String>,
    }
    let v: V = serde_json::from_slice(b)
        .map_err(|e| format!("the vocab section is not the expected JSON: {e}"))?;
    let ok = |names: &[String], cap: usize| !names.is_empty() && names.len() <= cap;
    if !ok(&v.segments, u16::MAX as usize + 1) || !ok(&v.roles, 256) || !ok(&v.kinds, 256) {
        return Err(format!(
            "the vocab section names {} segments, {} roles and {} tie kinds; 1 to 65536, 256 and 256 are allowed",
            v.segments.len(),
            v.roles.len(),
            v.kinds.len()
        ));
    }
    Ok(Vocabulary {
        segments: v.segments,
        roles: v.roles,
        kinds: v.kinds,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("vsg-unit-{}", std::process::id()));
        std::fs::create_dir_all(&d).unwrap();
        d.join(name)
    }

    #[test]
    fn round_trip_keeps_every_array() {
        let g = super::super::tests::skewed(500, 4000);
        for (i, g) in [
            g.clone(),
            g.clone()
                .with_labels((0..500).map(|u| format!("p{u} é")).collect()),
            g.clone().into_locality_order(),
        ]
        .into_iter()
        .enumerate()
        {
            let p = tmp(&format!("g{i}.vsg"));
            write(&g, &p).unwrap();
            assert!(is_graph_file(&p));
            let back = read(&p).unwrap();
            assert_eq!(back, g, "case {i}");
            let h = header(&p).unwrap();
            assert_eq!((h.people, h.arcs), (500, g.arc_count() as u64));
        }
    }

    #[test]
    fn version_1_files_are_read_with_trust_as_levels() {
        let g = super::super::tests::skewed(300, 2500);
        let p = tmp("v1.vsg");
        write_as(&g, &p, 1).unwrap();
        assert_eq!(header(&p).unwrap().version, 1);
        // f32 trust (4 bytes an arc) against levels (2 bytes an arc).
        let v1_len = std::fs::metadata(&p).unwrap().len();
        let p2 = tmp("v2.vsg");
        write(&g, &p2).unwrap();
        assert_eq!(header(&p2).unwrap().version, VERSION);
        let v2_len = std::fs::metadata(&p2).unwrap().len();
        let arcs = g.arc_count() as u64;
        assert!(v1_len >= v2_len + 2 * arcs - 8 && v1_len <= v2_len + 2 * arcs + 8);
        assert_eq!(read(&p).unwrap(), g);
        assert_eq!(read(&p2).unwrap(), g);
    }

    #[test]
    fn damage_is_found() {
        let g = super::super::tests::skewed(200, 1500);
        let p = tmp("d.vsg");
        write(&g, &p).unwrap();
        let good = std::fs::read(&p).unwrap();
        let msg = |bytes: &[u8]| {
            std::fs::write(&p, bytes).unwrap();
            read(&p).unwrap_err().to_string()
        };
        // A flipped bit in the targets (near the middle of the file).
        let mut b = good.clone();
        let mid = b.len() / 2;
        b[mid] ^= 0x10;
        assert!(msg(&b).contains("is damaged"), "{}", msg(&b));
        // Truncated.
        assert!(msg(&good[..good.len() - 100]).contains("truncated"));
        // Another version.
        let mut b = good.clone();
        b[8] = 9;
        assert!(msg(&b).contains("format version 9"));
        // Not a graph file.
        assert!(msg(b"0 1\n1 2\n").contains("not a viralsim graph file"));
    }
}
