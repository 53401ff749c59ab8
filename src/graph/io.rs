//! Reading and writing edge lists and node attribute files.
//!
//! **Edge lists.** One tie per line, `u v`, `u v trust` or `u v trust kind`,
//! separated by white space or commas; `#` starts a comment. A first line
//! whose first two fields are `u v` (or `source target`, `src dst`,
//! `from to`) is a header; its other columns must be `trust` and/or `kind`,
//! in any order. With `directed = false` each line adds both arcs.
//!
//! **Ids.** In `index` mode ids are 0-based integers and the graph has
//! `max id + 1` people. In `label` mode ids are arbitrary labels (no white
//! space or commas), numbered in order of first appearance; the labels are
//! kept and written back on export. `index` is the default; `auto` (opt-in)
//! is `index` when every id is a non-negative integer and `label` otherwise.
//!
//! **Policy.** Never silent: a self-loop, a repeated arc (with the line of
//! its first appearance; read undirected, `0 1` and `1 0` repeat each
//! other), trust that is not a number in [0, 1], a kind the scenario does not
//! declare, a malformed line or an empty file is an error naming the file and
//! line. Lines without trust draw it from their kind's distribution; lines
//! without kind get one by the kind rule of [`super::audience`] (or the kind
//! `tie` when no scenario declares kinds).
//!
//! **Node attributes.** A CSV file with a header naming `id` and `segment`
//! and/or `role` columns; one row per person. Ids follow the edge list's
//! mode; people only in this file are added without ties. Names must be
//! declared by the scenario (when there is one). People the file gives no
//! segment get one drawn from the segment shares. When the file has a `role`
//! column it gives all roles: people it gives none are `public`; without
//! one, roles are drawn as for a generated graph.

use super::ArcSpec;
use crate::error::{Error, Result};
use rayon::prelude::*;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::path::Path;

mod chunked;

/// One tie line read: (source, target, trust, line, kind).
type Row = (u32, u32, f32, u32, u8);

/// Kind id of an arc whose line gave no kind (resolved later by the kind rule).
pub const NO_KIND: u8 = u8::MAX;

/// How ids in an edge list are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IdMode {
    /// Integers when all ids are integers, labels otherwise (opt-in: a typo
    /// in one id would silently renumber everyone).
    Auto,
    /// 0-based integer ids (the default): anything else is an error naming the line.
    #[default]
    Index,
    /// Arbitrary labels, numbered in order of first appearance.
    Label,
}

/// Names of segments, roles or kinds: fixed (declared by a scenario) or
/// open (adopted from a file in order of first appearance).
#[derive(Debug, Clone, PartialEq)]
pub struct Names {
    /// The names, indexed by id.
    pub names: Vec<String>,
    /// When true, unknown names are added; when false they are errors.
    pub open: bool,
}

impl Names {
    /// Declared names; unknown ones are errors.
    pub fn fixed(names: Vec<String>) -> Self {
        Names { names, open: false }
    }

    /// Names adopted from the data.
    pub fn open() -> Self {
        Names {
            names: Vec::new(),
            open: true,
        }
    }

    /// The id of `name`, adding it when open.
    pub fn id(&mut self, name: &str, limit: usize) -> Option<usize> {
        if let Some(i) = self.names.iter().position(|x| x == name) {
            return Some(i);
        }
        if self.open && self.names.len() < limit {
            self.names.push(name.to_string());
            return Some(self.names.len() - 1);
        }
        None
    }
}

/// Options for reading an edge list.
#[derive(Debug, Clone, PartialEq)]
pub struct EdgeListOptions {
    /// When false each line adds both arcs.
    pub directed: bool,
    /// How ids are read.
    pub ids: IdMode,
    /// Tie kinds: declared (fixed) or adopted from the file (open).
    pub kinds: Names,
}

impl EdgeListOptions {
    /// Defaults: 0-based integer ids, kinds adopted from the file.
    pub fn new(directed: bool) -> Self {
        EdgeListOptions {
            directed,
            ids: IdMode::Index,
            kinds: Names::open(),
        }
    }
}

/// Ties read from an edge list, before people and missing values are added.
#[derive(Debug, Clone)]
pub struct EdgeList {
    /// Number of people (max id + 1, or the number of labels).
    pub nodes: usize,
    /// Arcs sorted by (source, target), with trust (NaN where the line had
    /// none) and kind ([`NO_KIND`] where the line had none and kinds are
    /// declared; the adopted kind `tie` otherwise).
    pub arcs: Vec<ArcSpec>,
    /// Labels by person id, in label mode.
    pub labels: Option<Vec<String>>,
    /// Tie-kind names (declared, or adopted in order of first appearance).
    pub kinds: Vec<String>,
    /// False when every line added both arcs.
    pub directed: bool,
    index: Option<HashMap<String, u32>>,
}

impl EdgeList {
    /// The person id of an external id, adding a person without ties when
    /// it is new. None when the id is malformed for the id mode.
    pub fn person(&mut self, id: &str) -> Option<u32> {
        match (&mut self.labels, &mut self.index) {
            (Some(labels), Some(index)) => {
                if let Some(&u) = index.get(id) {
                    return Some(u);
                }
                if labels.len() >= super::MAX_NODES {
                    return None;
                }
                let u = labels.len() as u32;
                labels.push(id.to_string());
                index.insert(id.to_string(), u);
                self.nodes = labels.len();
                Some(u)
            }
            _ => {
                let u = id
                    .parse::<u32>()
                    .ok()
                    .filter(|&u| (u as usize) < super::MAX_NODES)?;
                self.nodes = self.nodes.max(u as usize + 1);
                Some(u)
            }
        }
    }
}

fn edge_err(file: &str, line: usize, msg: String) -> Error {
    Error::EdgeList {
        file: file.to_string(),
        line,
        msg,
    }
}

fn attr_err(file: &str, line: usize, msg: String) -> Error {
    Error::AttributeFile {
        file: file.to_string(),
        line,
        msg,
    }
}

/// Reads an edge list file with default options (0-based integer ids,
/// adopted kinds).
///
/// # Errors
/// [`Error::Read`] when the file cannot be read, [`Error::EdgeList`] naming
/// the line for malformed lines, self-loops, duplicates and bad trust.
pub fn read_edge_list(path: &Path, directed: bool) -> Result<EdgeList> {
    read_edge_list_with(path, &EdgeListOptions::new(directed))
}

/// Reads an edge list file. The (decompressed) text is read in chunks of
/// [`CHUNK_BYTES`], one thread decompressing, and numeric lines are parsed
/// on the rayon pool; the result, and the first error by line, are those of
/// [`read_edge_list_serial`] whatever the number of threads.
///
/// # Errors
/// As [`read_edge_list`], and unknown kinds when kinds are declared.
pub fn read_edge_list_with(path: &Path, opts: &EdgeListOptions) -> Result<EdgeList> {
    read_edge_list_chunked(path, opts, CHUNK_BYTES)
}

/// Bytes of text the edge-list reader parses as one piece.
pub const CHUNK_BYTES: usize = 1 << 20;

/// [`read_edge_list_with`] with chunks of `chunk` bytes (at least 1; a
/// chunk grows to the end of its last line), for tests of lines across
/// chunk boundaries.
///
/// # Errors
/// As [`read_edge_list_with`].
pub fn read_edge_list_chunked(
    path: &Path,
    opts: &EdgeListOptions,
    chunk: usize,
) -> Result<EdgeList> {
    let file = path.display().to_string();
    let (f, _) = crate::input::open_regular(path, "edge list")?;
    let r = decompressed(path, f)?;
    let mut p = Parser::new(opts.clone(), &file);
    let batch = 4 * rayon::current_num_threads();
    std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel(batch);
        // Chunks parsed come back to the reader thread to be filled again.
        let (back, spare) = std::sync::mpsc::sync_channel(2 * batch);
        s.spawn(move || split_chunks(r, chunk.max(1), &tx, &spare));
        let chunks = rx.into_iter().map(|c| {
            c.map(Cow::Owned).map_err(|source| Error::Read {
                path: path.to_path_buf(),
                source,
            })
        });
        p.chunks(chunks, true, batch, |c| {
            if let Cow::Owned(c) = c {
                let _ = back.try_send(c);
            }
        })
    })?;
    p.finish(true)
}

/// Reads `r` in chunks of whole lines of about `chunk` bytes and sends them
/// to `tx` in order; a read error is sent after the whole lines before it
/// (the partial line it interrupted is dropped, as the line-by-line reader
/// drops it). Chunks are read into the buffers `spare` hands back when it
/// has some (their memory is mapped already). Returns when all is sent or
/// the receiver is gone.
fn split_chunks(
    mut r: Box<dyn std::io::BufRead + Send>,
    chunk: usize,
    tx: &std::sync::mpsc::SyncSender<std::io::Result<Vec<u8>>>,
    spare: &std::sync::mpsc::Receiver<Vec<u8>>,
) {
    use std::io::Read;
    let mut carry = Vec::new();
    loop {
        let mut buf = spare.try_recv().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(&carry);
        buf.reserve(chunk);
        let mut want = chunk;
        let mut end = false;
        loop {
            let need = want.saturating_sub(buf.len());
            if need > 0 {
                match r.by_ref().take(need as u64).read_to_end(&mut buf) {
                    Ok(n) => end = n < need,
                    Err(e) => {
                        let whole = buf.iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1);
                        buf.truncate(whole);
                        if !buf.is_empty() && tx.send(Ok(buf)).is_err() {
                            return;
                        }
                        let _ = tx.send(Err(e));
                        return;
                    }
                }
            }
            if end {
                break;
            }
            match buf.iter().rposition(|&c| c == b'\n') {
                Some(i) => {
                    carry.clear();
                    carry.extend_from_slice(&buf[i + 1..]);
                    buf.truncate(i + 1);
                    break;
                }
                // One line longer than a line may be: sent as it is, the
                // parser stops at it.
                None if buf.len() > crate::input::MAX_LINE_BYTES => break,
                None => want += chunk,
            }
        }
        if !buf.is_empty() && tx.send(Ok(buf)).is_err() {
            return;
        }
        if end {
            return;
        }
    }
}

/// The pieces of whole lines of `text`, about `chunk` bytes each.
fn text_chunks(text: &[u8], chunk: usize) -> impl Iterator<Item = Result<Cow<'_, [u8]>>> {
    let chunk = chunk.max(1);
    let mut pos = 0;
    std::iter::from_fn(move || {
        if pos >= text.len() {
            return None;
        }
        let from = (pos + chunk).min(text.len());
        let end = text[from..]
            .iter()
            .position(|&c| c == b'\n')
            .map_or(text.len(), |i| from + i + 1);
        let piece = &text[pos..end];
        pos = end;
        Some(Ok(Cow::Borrowed(piece)))
    })
}

/// Reads an edge list file line by line, on one thread (the file is not
/// held in memory): the reference [`read_edge_list_with`] is tested and
/// benchmarked against.
///
/// # Errors
/// As [`read_edge_list_with`].
pub fn read_edge_list_serial(path: &Path, opts: &EdgeListOptions) -> Result<EdgeList> {
    use crate::input::{Line, MAX_LINE_BYTES, read_bounded_line};
    let file = path.display().to_string();
    let (f, _) = crate::input::open_regular(path, "edge list")?;
    let mut p = Parser::new(opts.clone(), &file);
    let mut r = decompressed(path, f)?;
    let (mut buf, mut line) = (Vec::new(), String::new());
    loop {
        let got =
            read_bounded_line(&mut r, &mut buf, &mut line, MAX_LINE_BYTES).map_err(|source| {
                Error::Read {
                    path: path.to_path_buf(),
                    source,
                }
            })?;
        match got {
            Line::End => break,
            Line::Read => p.line(&line)?,
            Line::TooLong => return Err(p.too_long()),
            Line::NotUtf8 => return Err(p.not_utf8()),
        }
    }
    p.finish(false)
}

/// What a file's first bytes say it is compressed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain text.
    None,
    /// gzip (`1f 8b`), also several members one after another.
    Gzip,
    /// Zstandard (`28 b5 2f fd`), one frame.
    Zstd,
    /// bzip2 (`BZh` and a block size digit), also several streams one after
    /// another (as `pbzip2` writes them).
    Bzip2,
}

impl Compression {
    /// The compression the magic bytes `head` announce.
    pub fn of(head: &[u8]) -> Compression {
        if head.starts_with(&[0x1f, 0x8b]) {
            Compression::Gzip
        } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
            Compression::Zstd
        } else if head.len() >= 4 && head.starts_with(b"BZh") && (b'1'..=b'9').contains(&head[3]) {
            Compression::Bzip2
        } else {
            Compression::None
        }
    }
}

/// A buffered reader of `f`'s text, decompressed while read when its first
/// bytes are those of gzip, Zstandard or bzip2 (whatever the file's name).
fn decompressed(path: &Path, f: std::fs::File) -> Result<Box<dyn std::io::BufRead + Send>> {
    use std::io::BufRead;
    let read_err = |source| Error::Read {
        path: path.to_path_buf(),
        source,
    };
    let mut raw = std::io::BufReader::with_capacity(1 << 20, f);
    let head = raw.fill_buf().map_err(read_err)?.to_vec();
    Ok(match Compression::of(&head) {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            flate2::bufread::MultiGzDecoder::new(raw),
        )),
        Compression::Zstd => {
            let d = ruzstd::decoding::StreamingDecoder::new(raw).map_err(|e| {
                read_err(std::io::Error::other(format!(
                    "it starts like a Zstandard file but its frame header is not valid ({e})"
                )))
            })?;
            Box::new(std::io::BufReader::with_capacity(1 << 20, d))
        }
        Compression::Bzip2 => Box::new(std::io::BufReader::with_capacity(
            1 << 20,
            bzip2::bufread::MultiBzDecoder::new(raw),
        )),
    })
}

/// Parses edge-list text with default options; `file` names the source in
/// error messages.
///
/// # Errors
/// As [`read_edge_list`].
pub fn parse_edge_list(text: &str, directed: bool, file: &str) -> Result<EdgeList> {
    parse_edge_list_with(text, &EdgeListOptions::new(directed), file)
}

/// Parses edge-list text, numeric lines in chunks on the rayon pool, as
/// [`read_edge_list_with`] reads files (lines have no length limit here).
///
/// # Errors
/// As [`read_edge_list_with`].
pub fn parse_edge_list_with(text: &str, opts: &EdgeListOptions, file: &str) -> Result<EdgeList> {
    parse_edge_list_chunked(text, opts, file, CHUNK_BYTES)
}

/// [`parse_edge_list_with`] with chunks of `chunk` bytes (at least 1; a
/// chunk grows to the end of its last line), for tests of lines across
/// chunk boundaries.
///
/// # Errors
/// As [`read_edge_list_with`].
pub fn parse_edge_list_chunked(
    text: &str,
    opts: &EdgeListOptions,
    file: &str,
    chunk: usize,
) -> Result<EdgeList> {
    let mut p = Parser::new(opts.clone(), file);
    let batch = 4 * rayon::current_num_threads();
    p.chunks(text_chunks(text.as_bytes(), chunk), false, batch, drop)?;
    p.finish(true)
}

/// Parses edge-list text line by line on one thread: the reference
/// [`parse_edge_list_with`] is tested against.
///
/// # Errors
/// As [`read_edge_list_with`].
pub fn parse_edge_list_serial(text: &str, opts: &EdgeListOptions, file: &str) -> Result<EdgeList> {
    let mut p = Parser::new(opts.clone(), file);
    for l in text.lines() {
        p.line(l)?;
    }
    p.finish(false)
}

/// The most fields of a line that are kept: one more than the widest line
/// allowed (`u v trust kind`), enough to name the first field too many.
const FIELDS: usize = 5;

/// Splits `line` into `buf` (at most [`FIELDS`] fields, no allocation) and
/// returns how many it holds. Comma-separated lines keep empty fields (a
/// missing trust or kind); otherwise fields are separated by runs of white
/// space.
fn split_fields<'a>(line: &'a str, buf: &mut [&'a str; FIELDS]) -> usize {
    let mut put = |n: &mut usize, f: &'a str| {
        buf[*n] = f;
        *n += 1;
        *n == FIELDS
    };
    let mut n = 0;
    if line.contains(',') {
        for f in line.split(',') {
            if put(&mut n, f.trim()) {
                break;
            }
        }
    } else {
        for f in line.split_whitespace() {
            if put(&mut n, f) {
                break;
            }
        }
    }
    n
}

/// Line-by-line edge-list parser.
struct Parser<'f> {
    opts: EdgeListOptions,
    file: &'f str,
    lineno: usize,
    seen_data: bool,
    trust_col: Option<usize>,
    kind_col: Option<usize>,
    columns: usize,
    /// (u, v, trust, line, kind), one per line.
    rows: Vec<Row>,
    labels: Option<(Vec<String>, HashMap<String, u32>)>,
    max_id: i64,
    /// Memory available (None: not known, no check).
    memory: Option<u64>,
}

const SOURCES: [&str; 6] = ["u", "source", "src", "from", "id1", "node1"];
const TARGETS: [&str; 6] = ["v", "target", "dst", "to", "id2", "node2"];

impl<'f> Parser<'f> {
    fn new(opts: EdgeListOptions, file: &'f str) -> Self {
        let labels = (opts.ids == IdMode::Label).then(|| (Vec::new(), HashMap::default()));
        Parser {
            opts,
            file,
            lineno: 0,
            seen_data: false,
            trust_col: Some(2),
            kind_col: Some(3),
            columns: 4,
            rows: Vec::new(),
            labels,
            max_id: -1,
            memory: crate::input::available_memory(),
        }
    }

    /// Checks that `people` people and the arcs read so far (the row
    /// buffer at `rows` capacity) fit in memory; `what` names the cause.
    fn check_memory(
        &self,
        people: u64,
        rows: u64,
        what: impl FnOnce() -> (String, String),
    ) -> Result<()> {
        crate::input::check_memory_against(self.memory, self.needed(people, rows), what)
    }

    /// The memory estimate [`Parser::check_memory`] checks.
    fn needed(&self, people: u64, rows: u64) -> u64 {
        let arcs = rows.saturating_mul(if self.opts.directed { 1 } else { 2 });
        people
            .saturating_mul(crate::input::BYTES_PER_PERSON)
            .saturating_add(arcs.saturating_mul(crate::input::BYTES_PER_READ_ARC))
    }

    /// Whether `people` people and `rows` rows pass [`Parser::check_memory`].
    fn fits_memory(&self, people: u64, rows: u64) -> bool {
        self.memory.is_none_or(|m| self.needed(people, rows) <= m)
    }

    fn err(&self, msg: String) -> Error {
        edge_err(self.file, self.lineno, msg)
    }

    /// The error for the next line when it is too long.
    fn too_long(&self) -> Error {
        use crate::input::MAX_LINE_BYTES;
        edge_err(
            self.file,
            self.lineno + 1,
            format!(
                "the line is longer than {MAX_LINE_BYTES} bytes; expected 'u v', 'u v trust' or 'u v trust kind'"
            ),
        )
    }

    /// The error for the next line when it is not UTF-8.
    fn not_utf8(&self) -> Error {
        edge_err(
            self.file,
            self.lineno + 1,
            "the line is not UTF-8 text".into(),
        )
    }

    /// Parses the lines of `b` one by one; with `bounded`, lines longer
    /// than [`crate::input::MAX_LINE_BYTES`] are errors. With `until_data`
    /// it stops after the first line that is not blank or a comment.
    /// Returns the bytes read.
    fn lines(&mut self, b: &[u8], bounded: bool, until_data: bool) -> Result<usize> {
        let mut pos = 0;
        while pos < b.len() && !(until_data && self.seen_data) {
            let end = b[pos..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |i| pos + i);
            let line = &b[pos..end];
            pos = end + 1;
            if bounded && line.len() > crate::input::MAX_LINE_BYTES {
                return Err(self.too_long());
            }
            match std::str::from_utf8(line) {
                Ok(s) => self.line(s)?,
                Err(_) => return Err(self.not_utf8()),
            }
        }
        Ok(pos.min(b.len()))
    }

    /// Parses pieces of whole lines, in order: `batch` at a time, numeric
    /// lines on the rayon pool ([`chunked::parse`]), the rest line by line,
    /// with the same result and the same first error as line by line.
    /// Each piece parsed goes to `used` (to be reused).
    fn chunks<'t>(
        &mut self,
        mut pieces: impl Iterator<Item = Result<Cow<'t, [u8]>>>,
        bounded: bool,
        batch: usize,
        mut used: impl FnMut(Cow<'t, [u8]>),
    ) -> Result<()> {
        let batch = batch.max(1);
        // Row buffers of the fast path, reused from batch to batch.
        let mut pool: Vec<Vec<Row>> = Vec::new();
        loop {
            let mut got: Vec<Cow<'t, [u8]>> = Vec::with_capacity(batch);
            let mut failed = None;
            for c in pieces.by_ref() {
                match c {
                    Ok(c) => got.push(c),
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                }
                if got.len() == batch {
                    break;
                }
            }
            let done = got.len() < batch;
            // The lines up to the first tie or header, which sets the
            // columns, line by line.
            let mut from = vec![0; got.len()];
            let mut first = 0;
            while !self.seen_data && first < got.len() {
                from[first] = self.lines(&got[first], bounded, true)?;
                if from[first] == got[first].len() {
                    first += 1;
                }
            }
            if self.labels.is_none() && first < got.len() {
                let max_line = if bounded {
                    crate::input::MAX_LINE_BYTES
                } else {
                    usize::MAX
                };
                let col = |c: Option<usize>| c.unwrap_or(usize::MAX);
                let lay = chunked::Layout {
                    trust: col(self.trust_col),
                    kind: col(self.kind_col),
                    columns: self.columns,
                    fixed: (!self.opts.kinds.open).then_some(&self.opts.kinds.names[..]),
                    max_line,
                };
                let bufs: Vec<Vec<Row>> = (first..got.len())
                    .map(|_| pool.pop().unwrap_or_default())
                    .collect();
                let parsed: Vec<chunked::Parsed> = (first..got.len())
                    .into_par_iter()
                    .zip(bufs)
                    .map(|(i, rows)| chunked::parse(&got[i][from[i]..], &lay, rows))
                    .collect();
                for (r, i) in parsed.into_iter().zip(first..) {
                    self.absorb(&got[i][from[i]..], &r, bounded)?;
                    pool.push(r.rows);
                }
            } else {
                for i in first..got.len() {
                    self.lines(&got[i][from[i]..], bounded, false)?;
                }
            }
            got.into_iter().for_each(&mut used);
            if let Some(e) = failed {
                return Err(e);
            }
            if done {
                return Ok(());
            }
        }
    }

    /// Takes what the fast path read of `b` and parses the rest of `b` line
    /// by line; when the parser has turned to labels, or the rows would meet
    /// a limit (kinds, arcs, memory) whose error must name its line, all of
    /// `b` is parsed line by line instead.
    fn absorb(&mut self, b: &[u8], r: &chunked::Parsed, bounded: bool) -> Result<()> {
        if self.labels.is_some() || !self.takes(r) {
            self.lines(b, bounded, false)?;
            return Ok(());
        }
        let base = self.lineno;
        let line = |l: u32| (base + l as usize).min(u32::MAX as usize) as u32;
        self.rows.reserve(r.rows.len());
        if self.opts.kinds.open {
            let mut map = [NO_KIND; 256];
            for (m, k) in map.iter_mut().zip(&r.kinds) {
                let name = std::str::from_utf8(k).unwrap_or_default();
                *m = self.opts.kinds.id(name, 255).map_or(NO_KIND, |k| k as u8);
            }
            self.rows.extend(
                r.rows
                    .iter()
                    .map(|x| (x.0, x.1, x.2, line(x.3), map[x.4 as usize])),
            );
        } else {
            self.rows
                .extend(r.rows.iter().map(|x| (x.0, x.1, x.2, line(x.3), x.4)));
        }
        self.max_id = self.max_id.max(r.max_id);
        self.lineno += r.lines;
        if r.stop < b.len() {
            self.lines(&b[r.stop..], bounded, false)?;
        }
        Ok(())
    }

    /// Whether the rows `r` read can be taken as they are: no more than 255
    /// adopted kinds, [`super::MAX_ARCS`] arcs, and every memory check the
    /// line-by-line parser makes on the way passes.
    fn takes(&self, r: &chunked::Parsed) -> bool {
        let k = &self.opts.kinds;
        if k.open {
            let new = r
                .kinds
                .iter()
                .filter(|x| !k.names.iter().any(|n| n.as_bytes() == &x[..]))
                .count();
            if k.names.len() + new > 255 {
                return false;
            }
        }
        let (len, n) = (self.rows.len(), r.rows.len());
        if len + n > super::MAX_ARCS {
            return false;
        }
        if self.memory.is_none() {
            return true;
        }
        // An id above the largest so far is checked with the rows so far;
        // the estimate grows with both, so the last check is the largest.
        if r.max_id > self.max_id && !self.fits_memory(r.max_id as u64 + 1, (len + n) as u64) {
            return false;
        }
        // The row buffer doubles at each power of two from 2^20 rows.
        let mut p = (len.max(1 << 20)).next_power_of_two();
        while p < len + n {
            let people = r.rows[..=p - len]
                .iter()
                .map(|x| x.0.max(x.1) as i64)
                .max()
                .unwrap_or(-1)
                .max(self.max_id)
                + 1;
            if !self.fits_memory(people as u64, 2 * p as u64) {
                return false;
            }
            p *= 2;
        }
        true
    }

    /// Switches from integer ids to labels, numbering the ids seen so far in
    /// order of first appearance.
    fn switch_to_labels(&mut self) {
        let mut labels = Vec::new();
        let mut index: HashMap<String, u32> = HashMap::default();
        let mut renum = HashMap::default();
        for r in self.rows.iter_mut() {
            for x in [&mut r.0, &mut r.1] {
                let id = *renum.entry(*x).or_insert_with(|| {
                    let s = x.to_string();
                    let id = labels.len() as u32;
                    index.insert(s.clone(), id);
                    labels.push(s);
                    id
                });
                *x = id;
            }
        }
        self.labels = Some((labels, index));
    }

    fn id(&mut self, f: &str, name: &str) -> Result<u32> {
        if self.labels.is_none() {
            match f.parse::<u32>() {
                Ok(x) if (x as usize) < super::MAX_NODES => {
                    if x as i64 > self.max_id {
                        let people = x as u64 + 1;
                        let rows = self.rows.len() as u64;
                        self.check_memory(people, rows, || {
                            (
                                format!(
                                    "edge list '{}' line {}: {name} {x} makes the graph {people} people (ids are 0-based indices: the graph has largest id + 1 people), which",
                                    self.file, self.lineno
                                ),
                                "if the ids are labels rather than indices (sparse or large numbers), set ids = \"label\" in [graph]".into(),
                            )
                        })?;
                        self.max_id = x as i64;
                    }
                    return Ok(x);
                }
                _ if self.opts.ids == IdMode::Index => {
                    return Err(self.err(format!(
                        "{name} '{f}' is not a person id (an integer from 0 to {}); set ids = \"label\" for other ids",
                        super::MAX_NODES - 1
                    )));
                }
                _ => self.switch_to_labels(),
            }
        }
        let (labels, index) = self.labels.as_mut().expect("label mode");
        if let Some(&u) = index.get(f) {
            return Ok(u);
        }
        if labels.len() >= super::MAX_NODES {
            return Err(self.err(format!("more than {} people", super::MAX_NODES)));
        }
        let u = labels.len() as u32;
        labels.push(f.to_string());
        index.insert(f.to_string(), u);
        Ok(u)
    }

    fn line(&mut self, raw: &str) -> Result<()> {
        self.lineno += 1;
        // A byte-order mark at the start of the file is not part of an id.
        let raw = if self.lineno == 1 {
            crate::input::strip_bom(raw)
        } else {
            raw
        };
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            return Ok(());
        }
        let mut buf = [""; FIELDS];
        let n = split_fields(line, &mut buf);
        let fields = &buf[..n];
        if !self.seen_data {
            self.seen_data = true;
            let low: Vec<String> = fields.iter().map(|f| f.to_ascii_lowercase()).collect();
            if low.len() >= 2
                && SOURCES.contains(&low[0].as_str())
                && TARGETS.contains(&low[1].as_str())
            {
                self.trust_col = None;
                self.kind_col = None;
                for (i, c) in low.iter().enumerate().skip(2) {
                    match c.as_str() {
                        "trust" if self.trust_col.is_none() => self.trust_col = Some(i),
                        "kind" if self.kind_col.is_none() => self.kind_col = Some(i),
                        _ => {
                            return Err(self.err(format!(
                                "header column '{}' is not known; after the two ids, allowed: trust, kind",
                                fields[i]
                            )));
                        }
                    }
                }
                self.columns = low.len();
                return Ok(());
            }
        }
        let shape = "expected 'u v', 'u v trust' or 'u v trust kind'";
        if fields.len() < 2 {
            return Err(self.err(format!("missing target id; {shape}")));
        }
        if fields.len() > self.columns {
            return Err(self.err(format!(
                "unexpected field '{}'; {shape}",
                fields[self.columns]
            )));
        }
        // In auto mode a line with a non-integer id switches to labels
        // before either id is read, so both ids of the line are labels.
        let index = |f: &str| {
            f.parse::<u32>()
                .is_ok_and(|x| (x as usize) < super::MAX_NODES)
        };
        if self.labels.is_none()
            && self.opts.ids == IdMode::Auto
            && !(index(fields[0]) && index(fields[1]))
        {
            self.switch_to_labels();
        }
        let u = self.id(fields[0], "source id")?;
        let v = self.id(fields[1], "target id")?;
        if fields[0].is_empty() || fields[1].is_empty() {
            return Err(self.err(format!("empty id; {shape}")));
        }
        let trust = match self
            .trust_col
            .and_then(|c| fields.get(c))
            .filter(|f| !f.is_empty())
        {
            None => f32::NAN,
            Some(f) => match f.parse::<f32>() {
                Ok(t) if (0.0..=1.0).contains(&t) => t,
                _ => {
                    return Err(self.err(format!("trust '{f}' must be a number in [0, 1]")));
                }
            },
        };
        let kind = match self
            .kind_col
            .and_then(|c| fields.get(c))
            .filter(|f| !f.is_empty())
        {
            None if self.opts.kinds.open => self
                .opts
                .kinds
                .id(super::audience::DEFAULT_KIND, 255)
                .map_or(NO_KIND, |k| k as u8),
            None => NO_KIND,
            Some(k) => match self.opts.kinds.id(k, 255) {
                Some(i) => i as u8,
                None => {
                    let msg = if self.opts.kinds.open {
                        format!("kind '{k}': more than 255 tie kinds")
                    } else {
                        format!(
                            "kind '{k}' is not declared; declared kinds: {}",
                            self.opts.kinds.names.join(", ")
                        )
                    };
                    return Err(self.err(msg));
                }
            },
        };
        if u == v {
            return Err(self.err(format!(
                "self-loop {} -> {}; a person cannot share with themselves",
                fields[0], fields[0]
            )));
        }
        if self.rows.len() >= super::MAX_ARCS {
            return Err(self.err(format!("more than {} arcs", super::MAX_ARCS)));
        }
        if self.rows.len() >= 1 << 20 && self.rows.len().is_power_of_two() {
            // The row buffer is about to double (a vector grown one row at
            // a time is at a power of two when full).
            let people = (self.max_id + 1).max(0) as u64
                + self.labels.as_ref().map_or(0, |l| l.0.len() as u64);
            let rows = 2 * self.rows.len() as u64;
            self.check_memory(people, rows, || {
                (
                    format!(
                        "edge list '{}' line {}: reading more than {} ties",
                        self.file,
                        self.lineno,
                        self.rows.len()
                    ),
                    "use a smaller graph or a machine with more memory".into(),
                )
            })?;
        }
        let l = self.lineno.min(u32::MAX as usize) as u32;
        self.rows.push((u, v, trust, l, kind));
        Ok(())
    }

    /// The edge list read; with `parallel`, rows are sorted on the rayon
    /// pool (the same order: no two rows have the same key).
    fn finish(self, parallel: bool) -> Result<EdgeList> {
        let file = self.file;
        if self.rows.is_empty() {
            return Err(edge_err(
                file,
                0,
                "no ties found; expected lines 'u v', 'u v trust' or 'u v trust kind'".into(),
            ));
        }
        let directed = self.opts.directed;
        let people = match &self.labels {
            Some(l) => l.0.len(),
            None => (self.max_id + 1) as usize,
        };
        // Memory for a copy of the rows, for the sort by source.
        let read = self.rows.len() as u64;
        let copy = (if directed { read } else { 2 * read })
            .saturating_mul(std::mem::size_of::<Row>() as u64);
        let spare = self
            .memory
            .is_none_or(|m| self.needed(people as u64, read).saturating_add(copy) <= m);
        let mut rows = self.rows;
        if !directed {
            let k = rows.len();
            rows.reserve(k);
            for i in 0..k {
                let r = rows[i];
                rows.push((r.1, r.0, r.2, r.3, r.4));
            }
        }
        let (arcs, repeat) = if parallel {
            sort_rows(rows, people, spare)
        } else {
            rows.sort_unstable_by_key(|r| (((r.0 as u64) << 32) | r.1 as u64, r.3));
            match rows.windows(2).find(|w| repeats(w)) {
                Some(w) => (Vec::new(), Some((w[0], w[1]))),
                None => (
                    rows.into_iter().map(|r| (r.0, r.1, r.2, r.4)).collect(),
                    None,
                ),
            }
        };
        let (labels, index, nodes) = match self.labels {
            Some((l, i)) => {
                let n = l.len();
                (Some(l), Some(i), n)
            }
            None => (None, None, (self.max_id + 1) as usize),
        };
        let name = |u: u32| match &labels {
            Some(l) => l[u as usize].clone(),
            None => u.to_string(),
        };
        if let Some((first, again)) = repeat {
            let what = if directed {
                "arc"
            } else {
                "tie (the file is read as undirected)"
            };
            return Err(edge_err(
                file,
                again.3 as usize,
                format!(
                    "duplicate {what} {} -> {}, first given on line {}",
                    name(again.0),
                    name(again.1),
                    first.3
                ),
            ));
        }
        Ok(EdgeList {
            nodes,
            arcs,
            labels,
            kinds: self.opts.kinds.names,
            directed,
            index,
        })
    }
}

/// Whether the second of two rows sorted by (source, target, line) repeats
/// the tie of the first.
fn repeats(w: &[Row]) -> bool {
    w[0].0 == w[1].0 && w[0].1 == w[1].1
}

/// The arcs of `rows` sorted by (source, target) on the rayon pool, for
/// `people` people; or, when a tie repeats, the first two rows (by line)
/// of the first tie that does (in that order). With `spare` memory for a copy of the rows and no more people
/// than rows, by counting sort on the source (each part of the sources on
/// its own thread, straight into the arcs) and then by target within each
/// source (a stable sort: rows of one tie stay in the order read); otherwise
/// by a parallel comparison sort on (source, target, line). No two rows have
/// the same key, so the order is the same either way and whatever the number
/// of threads.
#[allow(clippy::type_complexity)]
fn sort_rows(
    mut rows: Vec<Row>,
    people: usize,
    spare: bool,
) -> (Vec<super::ArcSpec>, Option<(Row, Row)>) {
    let key = |r: &Row| (((r.0 as u64) << 32) | r.1 as u64, r.3);
    let n = rows.len();
    let sorted = rows.par_windows(2).all(|w| key(&w[0]) < key(&w[1]));
    if sorted || !spare || n < 1 << 16 || people > n || n >= u32::MAX as usize {
        if !sorted {
            rows.par_sort_unstable_by_key(key);
        }
        if let Some(i) = rows.par_windows(2).position_first(repeats) {
            return (Vec::new(), Some((rows[i], rows[i + 1])));
        }
        let arcs = rows.into_par_iter().map(|r| (r.0, r.1, r.2, r.4)).collect();
        return (arcs, None);
    }
    // start[u]: the index of source u's first row.
    let mut start = vec![0u32; people + 1];
    for r in &rows {
        start[r.0 as usize + 1] += 1;
    }
    for u in 0..people {
        start[u + 1] += start[u];
    }
    // Parts of the sources with about as many rows each.
    // Each part reads all rows: one part per thread.
    let parts = rayon::current_num_threads().min(people).max(1);
    let mut cuts = vec![0usize];
    for k in 1..parts {
        let at = (n as u64 * k as u64 / parts as u64) as u32;
        let u = start.partition_point(|&s| s < at).min(people);
        if u > *cuts.last().unwrap_or(&0) {
            cuts.push(u);
        }
    }
    cuts.push(people);
    let mut out: Vec<super::ArcSpec> = vec![(0, 0, 0.0, 0); n];
    let mut slices = Vec::with_capacity(cuts.len());
    let mut rest = &mut out[..];
    for w in cuts.windows(2) {
        let len = (start[w[1]] - start[w[0]]) as usize;
        let (a, b) = std::mem::take(&mut rest).split_at_mut(len);
        slices.push((w[0], w[1], a));
        rest = b;
    }
    let (start, rows) = (&start, &rows);
    let repeat: Vec<Option<super::ArcSpec>> = slices
        .into_par_iter()
        .map(|(lo, hi, dst)| {
            let base = start[lo];
            let mut next: Vec<u32> = start[lo..hi].iter().map(|&s| s - base).collect();
            for r in rows {
                let u = (r.0 as usize).wrapping_sub(lo);
                if u < hi - lo {
                    dst[next[u] as usize] = (r.0, r.1, r.2, r.4);
                    next[u] += 1;
                }
            }
            let mut repeat = None;
            for u in lo..hi {
                let (a, b) = ((start[u] - base) as usize, (start[u + 1] - base) as usize);
                let own = &mut dst[a..b];
                own.sort_by_key(|r| r.1);
                if repeat.is_none() {
                    repeat = own.windows(2).find(|w| w[0].1 == w[1].1).map(|w| w[0]);
                }
            }
            repeat
        })
        .collect();
    match repeat.into_iter().flatten().next() {
        None => (out, None),
        Some(a) => {
            // The rows of that tie, by line (they are few).
            let mut of: Vec<Row> = rows
                .iter()
                .filter(|r| (r.0, r.1) == (a.0, a.1))
                .copied()
                .collect();
            of.sort_unstable_by_key(|r| r.3);
            (Vec::new(), Some((of[0], of[1])))
        }
    }
}

/// One row of a node attribute file.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeRow {
    /// The person's id as written.
    pub id: String,
    /// Segment name, if the file has a segment column.
    pub segment: Option<String>,
    /// Role name, if the file has a role column.
    pub role: Option<String>,
    /// 1-based line number.
    pub line: usize,
}

/// Reads a node attribute file (`id,segment,role` with a header).
///
/// # Errors
/// [`Error::Read`] when it cannot be read; [`Error::AttributeFile`] naming
/// the line for a missing header, an unknown column, a short row or an
/// empty id.
pub fn read_node_attributes(path: &Path) -> Result<Vec<NodeRow>> {
    let text = crate::input::read_text(path, "attribute file", crate::input::MAX_TABLE_BYTES)?;
    parse_node_attributes(&text, &path.display().to_string())
}

/// Parses node attribute text; `file` names it in messages.
///
/// # Errors
/// As [`read_node_attributes`].
pub fn parse_node_attributes(text: &str, file: &str) -> Result<Vec<NodeRow>> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(true)
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = r
        .headers()
        .map_err(|e| attr_err(file, 1, format!("cannot read the header: {e}")))?
        .clone();
    let (mut id, mut seg, mut role) = (None, None, None);
    for (i, h) in header.iter().enumerate() {
        match h.to_ascii_lowercase().as_str() {
            "id" if id.is_none() => id = Some(i),
            "segment" if seg.is_none() => seg = Some(i),
            "role" if role.is_none() => role = Some(i),
            _ => {
                return Err(attr_err(
                    file,
                    1,
                    format!("column '{h}' is not known; the header names id, segment and/or role"),
                ));
            }
        }
    }
    let Some(id) = id else {
        return Err(attr_err(
            file,
            1,
            "the header must name an 'id' column (and segment and/or role)".into(),
        ));
    };
    let mut rows = Vec::new();
    for rec in r.records() {
        let rec = rec.map_err(|e| {
            let line = e.position().map_or(0, |p| p.line() as usize);
            attr_err(file, line, format!("malformed row: {e}"))
        })?;
        let line = rec.position().map_or(0, |p| p.line() as usize);
        if rec.len() != header.len() {
            return Err(attr_err(
                file,
                line,
                format!("{} fields; the header has {}", rec.len(), header.len()),
            ));
        }
        let get = |c: Option<usize>| c.map(|c| rec[c].to_string()).filter(|s| !s.is_empty());
        let Some(pid) = get(Some(id)) else {
            return Err(attr_err(file, line, "empty id".into()));
        };
        rows.push(NodeRow {
            id: pid,
            segment: get(seg),
            role: get(role),
            line,
        });
    }
    Ok(rows)
}

/// Writes `u v trust kind` lines, one per arc, after a comment header; ids
/// are the graph's labels when it has them.
///
/// # Errors
/// [`Error::Write`] when the file cannot be written.
pub fn write_edge_list(graph: &super::SocialGraph, path: &Path) -> Result<()> {
    use std::io::Write;
    let f = std::fs::File::create(path).map_err(|e| Error::write(path, e))?;
    let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
    let kinds = &graph.vocabulary().kinds;
    let res = (|| -> std::io::Result<()> {
        writeln!(
            w,
            "# viralsim graph: {} people, {} arcs (directed); columns: u v trust kind",
            graph.node_count(),
            graph.arc_count()
        )?;
        let (t, tr, kd) = (graph.targets(), graph.trust_levels(), graph.kinds());
        for u in graph.people_by_id() {
            for a in graph.arc_range(u) {
                match graph.labels() {
                    Some(l) => write!(w, "{} {}", l[u as usize], l[t[a] as usize])?,
                    None => write!(w, "{} {}", graph.own_id(u), graph.own_id(t[a]))?,
                }
                writeln!(w, " {} {}", super::trust_text(tr[a]), kinds[kd[a] as usize])?;
            }
        }
        w.flush()
    })();
    res.map_err(|e| Error::write(path, e))
}

/// Writes `id,segment,role` (CSV with header), one row per person.
///
/// # Errors
/// [`Error::Write`] when the file cannot be written.
pub fn write_node_attributes(graph: &super::SocialGraph, path: &Path) -> Result<()> {
    let f = std::fs::File::create(path).map_err(|e| Error::write(path, e))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::with_capacity(1 << 20, f));
    let v = graph.vocabulary();
    let res = (|| -> std::result::Result<(), csv::Error> {
        w.write_record(["id", "segment", "role"])?;
        for u in graph.people_by_id() {
            let id = graph.label(u);
            let u = u as usize;
            w.write_record([
                id.as_str(),
                v.segments[graph.segments()[u] as usize].as_str(),
                v.roles[graph.roles()[u] as usize].as_str(),
            ])?;
        }
        w.flush()?;
        Ok(())
    })();
    res.map_err(|e| Error::write(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comments_commas_and_trust() {
        let e = parse_edge_list("# header\n0 1 0.5\n1,2\n\n2 0 # tail\n", true, "t").unwrap();
        assert_eq!(e.nodes, 3);
        assert_eq!(e.arcs.len(), 3);
        assert_eq!(e.arcs[0].2, 0.5);
        assert!(e.arcs[1].2.is_nan());
        assert!(e.labels.is_none());
        assert_eq!(e.kinds, vec!["tie".to_string()]);
    }

    #[test]
    fn undirected_doubles() {
        let e = parse_edge_list("0 1\n1 2\n", false, "t").unwrap();
        assert_eq!(e.arcs.len(), 4);
    }

    #[test]
    fn labels_header_and_kinds() {
        let text = "source,target,kind,trust\nalice,bob,friend,0.9\nbob,carol,family,0.5\n7,alice,friend,1\n";
        let auto = EdgeListOptions {
            ids: IdMode::Auto,
            ..EdgeListOptions::new(true)
        };
        // Integer ids are the default: labels are an error naming the line.
        assert!(matches!(
            parse_edge_list(text, true, "t"),
            Err(Error::EdgeList { line: 2, .. })
        ));
        let e = parse_edge_list_with(text, &auto, "t").unwrap();
        let l = e.labels.as_ref().unwrap();
        assert_eq!(l, &["alice", "bob", "carol", "7"]);
        assert_eq!(e.kinds, vec!["friend".to_string(), "family".to_string()]);
        assert_eq!(e.arcs[0], (0, 1, 0.9, 0));
        // Integer ids seen before the first label are renumbered in order.
        let e = parse_edge_list_with("5 3\n3 x\n", &auto, "t").unwrap();
        assert_eq!(e.labels.unwrap(), vec!["5", "3", "x"]);
        // Declared kinds: unknown ones are errors, missing ones unresolved.
        let opts = EdgeListOptions {
            kinds: Names::fixed(vec!["friend".into()]),
            ..EdgeListOptions::new(true)
        };
        let e = parse_edge_list_with("0 1 0.5 friend\n1 0\n", &opts, "t").unwrap();
        assert_eq!(e.arcs[1].3, NO_KIND);
        match parse_edge_list_with("0 1 0.5 enemy\n", &opts, "g.txt") {
            Err(Error::EdgeList { line: 1, msg, .. }) => assert!(msg.contains("enemy")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_lines() {
        let cases = [
            ("0 1\n0\n", 2, "target id"),
            ("0 1\n1 1\n", 2, "self-loop"),
            ("0 1\n2 3\n0 1\n", 3, "first given on line 1"),
            ("0 1 1.5\n", 1, "[0, 1]"),
            ("0 1 high\n", 1, "[0, 1]"),
            ("0 1 0.5 a b\n", 1, "unexpected field 'b'"),
            ("0 1 0.5 a b c d e f g\n", 1, "unexpected field 'b'"),
            ("0,1,0.5,a,,,,,\n", 1, "unexpected field ''"),
            ("u v\n0 1\n2 3 0.5\n", 3, "unexpected field '0.5'"),
            ("u v weight\n0 1 2\n", 1, "weight"),
            ("u v trust kind x y z\n0 1\n", 1, "header column 'x'"),
        ];
        for (text, line, needle) in cases {
            match parse_edge_list(text, true, "g.txt") {
                Err(Error::EdgeList { line: l, msg, .. }) => {
                    assert_eq!(l, line, "{text:?}");
                    assert!(msg.contains(needle), "{msg}");
                }
                other => panic!("{text:?}: {other:?}"),
            }
        }
        let index = EdgeListOptions {
            ids: IdMode::Index,
            ..EdgeListOptions::new(true)
        };
        assert!(parse_edge_list_with("0 x\n", &index, "g").is_err());
        // undirected reading turns "0 1" and "1 0" into a duplicate tie
        assert!(parse_edge_list("0 1\n1 0\n", false, "g").is_err());
        assert!(parse_edge_list("# nothing\n", true, "g").is_err());
    }

    #[test]
    fn node_attributes() {
        let rows =
            parse_node_attributes("id,segment,role\na,young,blogger\nb,old,\n", "n").unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].role, None);
        assert_eq!(rows[1].line, 3);
        assert!(parse_node_attributes("name,segment\na,b\n", "n").is_err());
        assert!(parse_node_attributes("id,segment\na,b,c\n", "n").is_err());
        // Named as what it is, not as an edge list.
        let e = parse_node_attributes("id,segment\na,b,c\n", "n.csv").unwrap_err();
        assert!(matches!(e, Error::AttributeFile { line: 2, .. }), "{e:?}");
        assert!(
            e.to_string().starts_with("attribute file 'n.csv' line 2"),
            "{e}"
        );
    }
}
