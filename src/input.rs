//! Reading input files safely, the same way everywhere: only regular files
//! (a FIFO, a device or a directory, also through a symlink, is refused
//! before anything is read), bounded file and line sizes, a leading
//! byte-order mark dropped, and memory estimated before allocating
//! anything proportional to an input ([`check_memory`]).

use crate::error::{Error, Result};
use std::io::{BufRead, Read};
use std::path::Path;

/// Largest scenario file read, in bytes.
pub const MAX_SCENARIO_BYTES: u64 = 16 << 20;
/// Largest line of an edge list, attribute or degree file, in bytes.
pub const MAX_LINE_BYTES: usize = 64 << 10;
/// Largest attribute or degree file read whole, in bytes.
pub const MAX_TABLE_BYTES: u64 = 4 << 30;
/// The environment variable that, when set to a number of bytes, replaces
/// the memory the operating system reports available (for containers whose
/// limit the system does not report, and for tests).
pub const MEMORY_ENV: &str = "VIRALSIM_MEMORY_AVAILABLE";

/// `s` without a leading UTF-8 byte-order mark.
pub fn strip_bom(s: &str) -> &str {
    s.strip_prefix('\u{feff}').unwrap_or(s)
}

fn read_error(path: &Path, msg: impl Into<String>) -> Error {
    Error::Read {
        path: path.to_path_buf(),
        source: std::io::Error::other(msg.into()),
    }
}

/// Opens `path` (`what` names it: "scenario", "edge list", …) if it is a
/// regular file, after following symlinks, and returns it with its size.
///
/// # Errors
/// [`Error::Read`] when it cannot be opened or is not a regular file.
pub fn open_regular(path: &Path, what: &str) -> Result<(std::fs::File, u64)> {
    let meta = std::fs::metadata(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !meta.is_file() {
        let kind = if meta.is_dir() {
            "a directory"
        } else {
            "not a regular file (a FIFO, socket or device)"
        };
        return Err(read_error(
            path,
            format!("it is {kind}; the {what} must be a regular file"),
        ));
    }
    let f = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Ok((f, meta.len()))
}

/// Reads a regular file of at most `max` bytes as UTF-8 text, without a
/// leading byte-order mark.
///
/// # Errors
/// [`Error::Read`] when it cannot be read, is not a regular file, is larger
/// than `max` or is not UTF-8.
pub fn read_text(path: &Path, what: &str, max: u64) -> Result<String> {
    let (f, len) = open_regular(path, what)?;
    let too_big = |len: u64| {
        read_error(
            path,
            format!("the {what} is {} bytes; at most {max} bytes are read", len),
        )
    };
    if len > max {
        return Err(too_big(len));
    }
    check_memory(len.saturating_mul(3), || {
        (
            format!("the {what} '{}' ({len} bytes)", path.display()),
            String::new(),
        )
    })?;
    let mut bytes = Vec::with_capacity(len as usize);
    f.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
    if bytes.len() as u64 > max {
        return Err(too_big(bytes.len() as u64));
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        read_error(
            path,
            format!(
                "the {what} is not UTF-8 text (byte {} is not valid UTF-8)",
                e.utf8_error().valid_up_to() + 1
            ),
        )
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

/// Outcome of reading one line with [`read_bounded_line`].
#[derive(Debug, PartialEq, Eq)]
pub enum Line {
    /// A line was read into the buffer.
    Read,
    /// End of input.
    End,
    /// The line is longer than the bound.
    TooLong,
    /// The line is not UTF-8.
    NotUtf8,
}

/// Reads one line of at most `max` bytes into `line` (cleared first).
///
/// # Errors
/// The I/O error of the reader.
pub fn read_bounded_line<R: BufRead>(
    r: &mut R,
    buf: &mut Vec<u8>,
    line: &mut String,
    max: usize,
) -> std::io::Result<Line> {
    buf.clear();
    line.clear();
    let got = r.by_ref().take(max as u64 + 1).read_until(b'\n', buf)?;
    if got == 0 {
        return Ok(Line::End);
    }
    let body = buf.strip_suffix(b"\n").unwrap_or(buf);
    if body.len() > max || (got > max && !buf.ends_with(b"\n")) {
        return Ok(Line::TooLong);
    }
    match std::str::from_utf8(body) {
        Ok(s) => {
            line.push_str(s);
            Ok(Line::Read)
        }
        Err(_) => Ok(Line::NotUtf8),
    }
}

/// Bytes of memory available to this process: [`MEMORY_ENV`] when set,
/// otherwise `MemAvailable` of the Linux memory report; None when neither
/// is known (other systems), and then no memory check is made.
pub fn available_memory() -> Option<u64> {
    if let Some(v) = std::env::var_os(MEMORY_ENV) {
        if let Some(b) = v.to_str().and_then(|s| s.trim().parse::<u64>().ok()) {
            return Some(b);
        }
    }
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    info.lines()
        .find_map(|l| l.strip_prefix("MemAvailable:"))
        .and_then(|v| v.trim().strip_suffix("kB"))
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

/// Bytes a run needs per person (graph arrays, the id map and locality
/// order, compiled records and one workspace), an estimate from the
/// measurements in benches/README.md.
pub const BYTES_PER_PERSON: u64 = 48;
/// Bytes a run needs per arc while the graph is built and run (7 for the
/// graph, 4 for the compiled thresholds, and what building holds for a
/// while; measured peaks: 15.56 GB for 100 M people and 1.0 G arcs, 1.80 GB
/// for 10 M and 104 M, both below this estimate).
pub const BYTES_PER_ARC: u64 = 14;
/// Bytes per arc while an edge list is read (one 20-byte row per arc, the
/// arc arrays built from them).
pub const BYTES_PER_READ_ARC: u64 = 32;

/// An estimate of the memory a graph of `people` and `arcs` takes in a run.
pub fn graph_bytes(people: u64, arcs: u64) -> u64 {
    people
        .saturating_mul(BYTES_PER_PERSON)
        .saturating_add(arcs.saturating_mul(BYTES_PER_ARC))
}

/// "1.2 GB" and the like.
pub fn bytes_label(b: u64) -> String {
    let b = b as f64;
    if b >= 1e12 {
        format!("{:.1} TB", b / 1e12)
    } else if b >= 1e9 {
        format!("{:.1} GB", b / 1e9)
    } else {
        format!("{:.0} MB", (b / 1e6).max(1.0))
    }
}

/// Checks that `needed` bytes fit in the memory available; `what` gives
/// which input asks for them (file and line, or key and value) and what to
/// change.
///
/// # Errors
/// [`Error::Memory`] with the estimate, what is available and `what`.
pub fn check_memory(needed: u64, what: impl FnOnce() -> (String, String)) -> Result<()> {
    check_memory_against(available_memory(), needed, what)
}

static FORCE_MEMORY: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Makes [`check_memory`] let everything through (the CLI's `--force`): the
/// estimate is then the user's risk to take.
pub fn set_force_memory(on: bool) {
    FORCE_MEMORY.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// [`check_memory`] against `available` bytes (None: no check). Nothing is
/// refused after [`set_force_memory`]`(true)`.
///
/// # Errors
/// As [`check_memory`].
pub fn check_memory_against(
    available: Option<u64>,
    needed: u64,
    what: impl FnOnce() -> (String, String),
) -> Result<()> {
    match available {
        Some(avail)
            if needed > avail && !FORCE_MEMORY.load(std::sync::atomic::Ordering::Relaxed) =>
        {
            let (what, mut hint) = what();
            if !hint.is_empty() {
                hint.push_str(", or ");
            }
            hint.push_str("add --force to try anyway");
            Err(Error::Memory {
                what,
                hint,
                needed,
                available: avail,
            })
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounded_lines() {
        let mut r = std::io::Cursor::new(b"ab\ncdefgh\n\xff\nlast".to_vec());
        let (mut buf, mut line) = (Vec::new(), String::new());
        let mut got = Vec::new();
        loop {
            match read_bounded_line(&mut r, &mut buf, &mut line, 4).unwrap() {
                Line::End => break,
                Line::Read => got.push(line.clone()),
                Line::TooLong => {
                    got.push("<long>".into());
                    break;
                }
                Line::NotUtf8 => got.push("<bytes>".into()),
            }
        }
        assert_eq!(got, ["ab", "<long>"]);
        let mut r = std::io::Cursor::new(b"abcd\n\xff\nlast".to_vec());
        let mut got = Vec::new();
        while let Ok(l) = read_bounded_line(&mut r, &mut buf, &mut line, 4) {
            match l {
                Line::End => break,
                Line::Read => got.push(line.clone()),
                other => got.push(format!("{other:?}")),
            }
        }
        assert_eq!(got, ["abcd", "NotUtf8", "last"]);
    }

    #[test]
    fn bom_is_dropped() {
        assert_eq!(strip_bom("\u{feff}0 1"), "0 1");
        assert_eq!(strip_bom("0 1"), "0 1");
    }
}
