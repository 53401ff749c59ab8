//! The fast path of the edge-list reader: whole lines of a chunk of bytes,
//! parsed by hand (no `str::parse`, no allocation per line) on any thread.
//!
//! It takes only lines it is sure of: two integer ids, then trust written
//! as plain decimals and kinds of printable ASCII, in the columns the file's
//! first line set, separated by spaces, tabs or commas, and blank and
//! comment lines. At the first line it is not sure of (anything else,
//! valid or not) it stops, and the caller hands the rest of the chunk to the
//! line-by-line parser, which decides: so what is read, and every error, is
//! the line-by-line parser's.

use super::Row;

/// The column layout and limits the fast path reads with.
pub(super) struct Layout<'a> {
    /// Column of trust (`usize::MAX`: none).
    pub trust: usize,
    /// Column of kind (`usize::MAX`: none).
    pub kind: usize,
    /// Most fields a line may have.
    pub columns: usize,
    /// Declared kinds (None: kinds are adopted, in a table of the chunk's own).
    pub fixed: Option<&'a [String]>,
    /// Longest line accepted, in bytes (`usize::MAX`: no limit).
    pub max_line: usize,
}

/// What the fast path read of a chunk.
pub(super) struct Parsed {
    /// One row per tie line, with its line counted from the chunk's start
    /// (1-based) and, when kinds are adopted, its kind as an index into
    /// [`Parsed::kinds`].
    pub rows: Vec<Row>,
    /// Lines read before `stop`.
    pub lines: usize,
    /// Byte offset of the first line not read (the chunk's length when all were).
    pub stop: usize,
    /// Adopted kinds, in order of first appearance in the chunk.
    pub kinds: Vec<Vec<u8>>,
    /// Largest id read (-1: none).
    pub max_id: i64,
}

/// Largest person id.
const MAX_ID: u64 = super::super::MAX_NODES as u64 - 1;

/// Powers of ten up to 10^19.
const POW10U: [u64; 20] = {
    let mut p = [1u64; 20];
    let mut i = 1;
    while i < 20 {
        p[i] = p[i - 1] * 10;
        i += 1;
    }
    p
};

/// Exact powers of ten as `f64`.
const POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// White space that `str::trim` and `split_whitespace` also take, in ASCII
/// (the line break ends the line before).
#[inline(always)]
fn is_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\r' | 0x0b | 0x0c)
}

/// A byte a kind name may have on the fast path.
#[inline(always)]
fn is_name(c: u8) -> bool {
    (0x21..=0x7e).contains(&c) && c != b',' && c != b'#'
}

/// The value and number of the decimal digits (at most eight) that `w`'s
/// bytes start with, in order.
#[inline(always)]
fn eight(w: u64) -> (u64, usize) {
    // A byte's high bit is set when it is below '0' or above '9' (carries
    // only run from such a byte to later ones).
    let other = (w.wrapping_add(0x4646_4646_4646_4646) | w.wrapping_sub(0x3030_3030_3030_3030))
        & 0x8080_8080_8080_8080;
    let n = (other.trailing_zeros() / 8) as usize;
    if n == 0 {
        return (0, 0);
    }
    // The n digits into the top n bytes, then pairs, fours, eights.
    let mut d = (w.wrapping_sub(0x3030_3030_3030_3030) << (8 * (8 - n))) & 0x0f0f_0f0f_0f0f_0f0f;
    d = (d.wrapping_mul(2561) >> 8) & 0x00ff_00ff_00ff_00ff;
    d = (d.wrapping_mul(6_553_601) >> 16) & 0x0000_ffff_0000_ffff;
    (d.wrapping_mul(42_949_672_960_001) >> 32, n)
}

/// How a line ended for the fast path.
enum Got {
    /// Nothing to read (blank or comment); the line break's offset.
    Blank(usize),
    /// A tie (kind as in [`Parsed::rows`]); the line break's offset.
    Tie(u32, u32, f32, u8, usize),
    /// The line has a comma: read it again as comma-separated.
    Commas,
    /// Not sure: the line-by-line parser decides.
    Stop,
}

struct Cursor<'b> {
    b: &'b [u8],
    i: usize,
}

impl Cursor<'_> {
    /// The byte at the cursor; the end of the chunk reads as a line break.
    #[inline(always)]
    fn peek(&self) -> u8 {
        match self.b.get(self.i) {
            Some(&c) => c,
            None => b'\n',
        }
    }

    #[inline(always)]
    fn skip_space(&mut self) -> u8 {
        let mut c = self.peek();
        while is_space(c) {
            self.i += 1;
            c = self.peek();
        }
        c
    }

    /// The eight bytes at the cursor, little-endian; past the end of the
    /// chunk they read as line breaks.
    #[inline(always)]
    fn word(&self) -> u64 {
        match self.b.get(self.i..self.i + 8) {
            Some(w) => {
                let mut t = [0; 8];
                t.copy_from_slice(w);
                u64::from_le_bytes(t)
            }
            None => {
                let mut t = [b'\n'; 8];
                let rest = self.b.get(self.i..).unwrap_or_default();
                t[..rest.len()].copy_from_slice(rest);
                u64::from_le_bytes(t)
            }
        }
    }

    /// The digits at the cursor, eight at a time, as a number no larger
    /// than `max`, and how many there were; the cursor moves past them.
    /// None when the number is larger.
    #[inline(always)]
    fn digits(&mut self, max: u64) -> Option<(u64, usize)> {
        let (x, n) = eight(self.word());
        self.i += n;
        // At most 99,999,999: below any `max` asked for.
        if n < 8 || self.peek().wrapping_sub(b'0') > 9 {
            return Some((x, n));
        }
        self.more_digits(x, max)
    }

    /// [`Cursor::digits`] after eight digits that made `x`.
    #[cold]
    fn more_digits(&mut self, mut x: u64, max: u64) -> Option<(u64, usize)> {
        let mut count = 8;
        if x > max {
            return None;
        }
        loop {
            let (d, n) = eight(self.word());
            if n == 0 {
                return Some((x, count));
            }
            x = x.checked_mul(POW10U[n])?.checked_add(d)?;
            if x > max {
                return None;
            }
            self.i += n;
            count += n;
            if n < 8 {
                return Some((x, count));
            }
        }
    }

    /// Digits of a person id (what `str::parse::<u32>` takes, without a sign).
    #[inline(always)]
    fn id(&mut self) -> Option<u32> {
        match self.digits(MAX_ID)? {
            (_, 0) => None,
            (x, _) => Some(x as u32),
        }
    }

    /// Trust written `digits`, `digits.digits`, `digits.` or `.digits`, in
    /// [0, 1], rounded as `str::parse::<f32>` rounds it. None when it is
    /// not written so, out of range, or too long to round here for sure.
    #[inline(always)]
    fn trust(&mut self) -> Option<f32> {
        const EXACT: u64 = (1 << 53) - 1;
        let w = self.word();
        let (int, mut digits) = if (w >> 8) as u8 == b'.' && (w as u8).wrapping_sub(b'0') <= 9 {
            // One digit before the point, as trust mostly has.
            self.i += 1;
            ((w as u8 - b'0') as u64, 1)
        } else {
            self.digits(EXACT)?
        };
        let (mut m, mut scale) = (int, 0);
        if self.peek() == b'.' {
            self.i += 1;
            // The fraction's digits continue the integer part's.
            let (frac, n) = self.digits(EXACT)?;
            scale = n;
            digits += n;
            if scale >= POW10.len() {
                return None;
            }
            m = if int == 0 {
                frac
            } else {
                int.checked_mul(POW10U.get(n).copied()?)?
                    .checked_add(frac)?
            };
            if m > EXACT {
                return None;
            }
        }
        if digits == 0 {
            return None;
        }
        // Both operands are exact, so the quotient is the decimal rounded
        // once to f64; rounding that to f32 gives the decimal rounded once
        // to f32 unless the f64 sits exactly half-way between two f32.
        let x = m as f64 / POW10[scale];
        if x.to_bits() & 0x1fff_ffff == 0x1000_0000 {
            return None;
        }
        let t = x as f32;
        (t <= 1.0).then_some(t)
    }

    /// Reads field `k` (after the two ids) into `trust` or `kind`, as the
    /// layout places them; false when the layout has no such column or the
    /// trust is not one the fast parser reads.
    #[inline(always)]
    fn field(
        &mut self,
        lay: &Layout,
        k: usize,
        trust: &mut f32,
        kind: &mut Option<(usize, usize)>,
    ) -> bool {
        if k == lay.trust {
            match self.trust() {
                Some(t) => *trust = t,
                None => return false,
            }
        } else if k == lay.kind {
            *kind = Some(self.name());
        } else {
            return false;
        }
        true
    }

    /// A kind name: printable ASCII up to white space, a comma or `#`.
    #[inline(always)]
    fn name(&mut self) -> (usize, usize) {
        let s = self.i;
        while is_name(self.peek()) {
            self.i += 1;
        }
        (s, self.i)
    }

    /// Skips a comment to the line break; false when it is not UTF-8.
    fn comment(&mut self, start: usize) -> bool {
        let mut high = 0u8;
        while let Some(&c) = self.b.get(self.i) {
            if c == b'\n' {
                break;
            }
            high |= c;
            self.i += 1;
        }
        high < 0x80 || std::str::from_utf8(&self.b[start..self.i]).is_ok()
    }
}

/// The adopted or declared kind of a tie, as [`Parsed::rows`] holds it.
struct Kinds<'a> {
    fixed: Option<&'a [String]>,
    local: Vec<Vec<u8>>,
    last: usize,
    /// The kind of lines without one, once known.
    missing: Option<u8>,
}

impl Kinds<'_> {
    #[inline(always)]
    fn id(&mut self, name: &[u8]) -> Option<u8> {
        if let Some(fixed) = self.fixed {
            return fixed
                .iter()
                .position(|x| x.as_bytes() == name)
                .map(|i| i as u8);
        }
        if self.local.get(self.last).is_some_and(|x| x == name) {
            return Some(self.last as u8);
        }
        let i = match self.local.iter().position(|x| x == name) {
            Some(i) => i,
            None if self.local.len() < 255 => {
                self.local.push(name.to_vec());
                self.local.len() - 1
            }
            None => return None,
        };
        self.last = i;
        Some(i as u8)
    }

    /// The kind of a line without one.
    #[inline(always)]
    fn missing(&mut self) -> Option<u8> {
        if self.missing.is_none() {
            self.missing = match self.fixed {
                Some(_) => Some(super::NO_KIND),
                None => self.id(super::super::audience::DEFAULT_KIND.as_bytes()),
            };
        }
        self.missing
    }
}

/// The fields of a white-space separated line from `c.i`.
#[inline(always)]
fn line_spaces(c: &mut Cursor, lay: &Layout, kinds: &mut Kinds) -> Got {
    let start = c.i;
    let first = c.skip_space();
    if first == b'\n' {
        return Got::Blank(c.i);
    }
    if first == b'#' {
        return if c.comment(start) {
            Got::Blank(c.i)
        } else {
            Got::Stop
        };
    }
    let Some(u) = c.id() else {
        return Got::Stop;
    };
    let mut next = c.peek();
    if next == b',' {
        return Got::Commas;
    }
    if !is_space(next) {
        return Got::Stop;
    }
    next = c.skip_space();
    if next == b',' {
        return Got::Commas;
    }
    let Some(v) = c.id() else {
        return Got::Stop;
    };
    let (mut trust, mut kind) = (f32::NAN, None);
    let mut k = 2;
    loop {
        next = c.peek();
        if is_space(next) {
            next = c.skip_space();
        } else if next == b',' {
            return Got::Commas;
        } else if next != b'\n' && next != b'#' {
            return Got::Stop;
        }
        if next == b'\n' || next == b'#' {
            break;
        }
        if next == b',' {
            return Got::Commas;
        }
        if k >= lay.columns {
            return Got::Stop;
        }
        if !c.field(lay, k, &mut trust, &mut kind) {
            return Got::Stop;
        }
        k += 1;
    }
    if next == b'#' && !c.comment(start) {
        return Got::Stop;
    }
    finish_line(c, start, lay, kinds, u, v, trust, kind)
}

/// The fields of a comma-separated line from `c.i` (each trimmed; empty
/// trust and kind fields are missing ones).
#[inline(always)]
fn line_commas(c: &mut Cursor, lay: &Layout, kinds: &mut Kinds) -> Got {
    let start = c.i;
    let (mut u, mut v) = (0, 0);
    let (mut trust, mut kind) = (f32::NAN, None);
    let mut k = 0;
    let mut next;
    loop {
        next = c.skip_space();
        if k < 2 {
            let Some(x) = c.id() else {
                return Got::Stop;
            };
            if k == 0 {
                u = x;
            } else {
                v = x;
            }
        } else if k >= lay.columns {
            return Got::Stop;
        } else if next == b',' || next == b'\n' || next == b'#' {
            // An empty field.
        } else if !c.field(lay, k, &mut trust, &mut kind) {
            return Got::Stop;
        }
        next = c.skip_space();
        match next {
            b',' => {
                c.i += 1;
                k += 1;
            }
            b'\n' | b'#' => break,
            _ => return Got::Stop,
        }
    }
    if k < 1 {
        return Got::Stop;
    }
    if next == b'#' && !c.comment(start) {
        return Got::Stop;
    }
    finish_line(c, start, lay, kinds, u, v, trust, kind)
}

/// The checks after a line's fields: its length, no self-loop, a known kind.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn finish_line(
    c: &mut Cursor,
    start: usize,
    lay: &Layout,
    kinds: &mut Kinds,
    u: u32,
    v: u32,
    trust: f32,
    kind: Option<(usize, usize)>,
) -> Got {
    if c.i - start > lay.max_line || u == v {
        return Got::Stop;
    }
    let kind = match kind {
        Some((s, e)) => kinds.id(&c.b[s..e]),
        None => kinds.missing(),
    };
    match kind {
        Some(k) => Got::Tie(u, v, trust, k, c.i),
        None => Got::Stop,
    }
}

/// Bytes [`quick_line`] looks at from the line's start: more than the
/// longest line it takes (7 + 1 + 7 + 1 + 17 bytes and `\r\n`).
const WINDOW: usize = 48;

/// The eight bytes of `win` from `i`, little-endian.
#[inline(always)]
fn load(win: &[u8; WINDOW], i: usize) -> u64 {
    let mut t = [0; 8];
    t.copy_from_slice(&win[i..i + 8]);
    u64::from_le_bytes(t)
}

/// The offset of the line break when the bytes at `p` end the line: `\n`
/// or `\r\n`.
#[inline(always)]
fn line_end(win: &[u8; WINDOW], p: usize) -> Option<usize> {
    match win[p] {
        b'\n' => Some(p),
        b'\r' if win[p + 1] == b'\n' => Some(p + 1),
        _ => None,
    }
}

/// The value and number of the decimal digits that `w`'s bytes start with,
/// when there are one to seven.
#[inline(always)]
fn short_id(w: u64) -> Option<(u32, usize)> {
    let (x, n) = eight(w);
    (n.wrapping_sub(1) < 7).then_some((x as u32, n))
}

/// Space or tab: the one separator [`quick_line`] takes.
#[inline(always)]
fn is_sep(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// The commonest line, read with a few eight-byte loads and no loop, from
/// the [`WINDOW`] bytes `win` that start it: `u v` or (with `trust`, trust
/// in the third column) `u v trust`, ids of one to seven digits, one space
/// or tab between fields, trust a digit, then optionally a point and up to
/// 15 digits, the line ended by `\n` or `\r\n` right after the last field.
/// Returns (u, v, trust, the offset of the line break in `win`), or None for
/// any other line (which [`line_spaces`] then reads): whatever it takes,
/// [`line_spaces`] takes with the same values.
#[inline(always)]
fn quick_line(win: &[u8; WINDOW], trust: bool) -> Option<(u32, u32, f32, usize)> {
    const EXACT: u64 = (1 << 53) - 1;
    let w = load(win, 0);
    let (u, n) = short_id(w)?;
    if !is_sep((w >> (8 * n)) as u8) {
        return None;
    }
    let p = n + 1;
    let w = load(win, p);
    let (v, n) = short_id(w)?;
    if u == v {
        return None;
    }
    let p = p + n;
    if !is_sep((w >> (8 * n)) as u8) {
        return line_end(win, p).map(|end| (u, v, f32::NAN, end));
    }
    if !trust {
        return None;
    }
    let p = p + 1;
    let w = load(win, p);
    let d = (w as u8).wrapping_sub(b'0') as u64;
    let after = (w >> 8) as u8;
    if d > 9 {
        return None;
    }
    let (m, scale, p) = if after == b'.' {
        let q = p + 2;
        let (f, k) = eight(load(win, q));
        if k < 8 {
            (d * POW10U[k] + f, k, q + k)
        } else {
            let (g, k) = eight(load(win, q + 8));
            if k == 8 {
                return None;
            }
            let m = d * POW10U[8 + k] + f * POW10U[k] + g;
            if m > EXACT {
                return None;
            }
            (m, 8 + k, q + 8 + k)
        }
    } else if after.wrapping_sub(b'0') > 9 {
        (d, 0, p + 1)
    } else {
        return None;
    };
    let end = line_end(win, p)?;
    // As in Cursor::trust: one rounding to f64 (m < 2^53, so as i64 it
    // converts exactly), then to f32 unless half-way.
    let x = m as i64 as f64 / POW10[scale];
    if x.to_bits() & 0x1fff_ffff == 0x1000_0000 {
        return None;
    }
    let t = x as f32;
    (t <= 1.0).then_some((u, v, t, end))
}

/// Reads whole lines of `b` until the first one the fast path is not sure
/// of, into `rows` (cleared first: a buffer of an earlier chunk, whose
/// memory is already mapped).
pub(super) fn parse(b: &[u8], lay: &Layout, mut rows: Vec<Row>) -> Parsed {
    rows.clear();
    rows.reserve(b.len() / 16);
    let mut kinds = Kinds {
        fixed: lay.fixed,
        local: Vec::new(),
        last: 0,
        missing: None,
    };
    let (mut pos, mut line, mut max_id) = (0usize, 0u32, -1i64);
    let mut hi = 0u32;
    let trust3 = lay.trust == 2;
    while pos < b.len() {
        let quick = b
            .get(pos..pos + WINDOW)
            .and_then(|w| quick_line(w.try_into().ok()?, trust3));
        if let Some((u, v, t, end)) = quick {
            if let Some(k) = kinds.missing() {
                hi = hi.max(u).max(v);
                rows.push((u, v, t, line + 1, k));
                line += 1;
                pos += end + 1;
                continue;
            }
        }
        let mut c = Cursor { b, i: pos };
        let mut got = line_spaces(&mut c, lay, &mut kinds);
        if let Got::Commas = got {
            c.i = pos;
            got = line_commas(&mut c, lay, &mut kinds);
        }
        let end = match got {
            Got::Blank(end) => {
                if end - pos > lay.max_line {
                    break;
                }
                end
            }
            Got::Tie(u, v, t, k, end) => {
                hi = hi.max(u).max(v);
                rows.push((u, v, t, line + 1, k));
                end
            }
            Got::Commas | Got::Stop => break,
        };
        line += 1;
        pos = end + 1;
    }
    if !rows.is_empty() {
        max_id = hi as i64;
    }
    Parsed {
        rows,
        lines: line as usize,
        stop: pos.min(b.len()),
        kinds: kinds.local,
        max_id,
    }
}
