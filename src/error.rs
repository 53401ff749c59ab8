//! The library's error type. Every message names the file, key or line at
//! fault and says what is allowed, so the CLI can print it as is.

use std::path::PathBuf;

/// Everything that can go wrong in viralsim.
///
/// Input errors ([`Error::is_input_error`]) map to exit code 2 in the CLI,
/// [`Error::Interrupted`] to 130, the rest (output I/O) to exit code 1.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A scenario file is malformed TOML, has an unknown key, or a value out of range.
    #[error("scenario '{file}': {}", bounded(msg))]
    Scenario {
        /// The scenario file (as given by the user).
        file: String,
        /// What is wrong, naming the key and what is allowed.
        msg: String,
    },
    /// An edge list has a malformed line.
    #[error("edge list '{file}' line {line}: {}", bounded(msg))]
    EdgeList {
        /// The edge list file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong and what is allowed.
        msg: String,
    },
    /// A node attribute file (`id,segment,role`) has a malformed line or
    /// names a person, segment or role that does not fit the graph.
    #[error("attribute file '{file}' line {line}: {}", bounded(msg))]
    AttributeFile {
        /// The attribute file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong and what is allowed.
        msg: String,
    },
    /// A degree file (one degree per line) has a malformed line.
    #[error("degree file '{file}' line {line}: {}", bounded(msg))]
    DegreeFile {
        /// The degree file.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong and what is allowed.
        msg: String,
    },
    /// An input file could not be read.
    #[error("cannot read '{}': {source}", path.display())]
    Read {
        /// The file that could not be read.
        path: PathBuf,
        /// The underlying I/O error.
        source: std::io::Error,
    },
    /// A parameter given through the API or the command line is out of range.
    #[error("invalid {}: {}", bounded(key), bounded(msg))]
    Parameter {
        /// The parameter's name (e.g. `[graph].m`, `--threads`).
        key: String,
        /// What is wrong and what is allowed.
        msg: String,
    },
    /// A saved ensemble (a part file of a sharded run) is corrupt, truncated,
    /// foreign or from another version.
    #[error("part file '{file}': {msg}")]
    PartFile {
        /// The file.
        file: String,
        /// What is wrong.
        msg: String,
    },
    /// A binary graph file (`.vsg`) is not one, is of another version, or is
    /// damaged or truncated.
    #[error("graph file '{file}': {}", bounded(msg))]
    GraphFile {
        /// The file.
        file: String,
        /// What is wrong.
        msg: String,
    },
    /// The part files given to a merge do not fit together: they miss or
    /// repeat trials, or come from different scenarios.
    #[error("merge: {msg}")]
    Merge {
        /// What is wrong, naming the part files and trial ranges.
        msg: String,
    },
    /// The run was stopped ([`crate::interrupt::request`], Ctrl-C).
    #[error("interrupted; nothing was written")]
    Interrupted,
    /// An input asks for more memory than is available (estimated before
    /// allocating it).
    #[error("{what} needs about {} of memory, but {} is available{}{hint}", crate::input::bytes_label(*needed), crate::input::bytes_label(*available), if hint.is_empty() { "" } else { "; " })]
    Memory {
        /// Which input asks for it: file and line, or key and value.
        what: String,
        /// What to change (may be empty).
        hint: String,
        /// Estimated bytes.
        needed: u64,
        /// Bytes available.
        available: u64,
    },
    /// Results could not be written.
    #[error("cannot write '{}': {msg}", path.display())]
    Write {
        /// The output path.
        path: PathBuf,
        /// What failed.
        msg: String,
    },
}

impl Error {
    /// True for errors caused by the user's input (exit code 2).
    pub fn is_input_error(&self) -> bool {
        !matches!(self, Error::Write { .. } | Error::Interrupted)
    }

    /// Shorthand for a [`Error::Parameter`].
    pub fn param(key: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::Parameter {
            key: key.into(),
            msg: msg.into(),
        }
    }

    /// Shorthand for a [`Error::Write`].
    pub fn write(path: impl Into<PathBuf>, msg: impl std::fmt::Display) -> Self {
        Error::Write {
            path: path.into(),
            msg: msg.to_string(),
        }
    }
}

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Most characters of user input echoed back in a message.
pub const EXCERPT_CHARS: usize = 80;

/// `s` shortened to at most [`EXCERPT_CHARS`] characters for a message
/// (with how long it was when cut), so that echoing input stays bounded.
pub fn excerpt(s: &str) -> String {
    let n = s.chars().count();
    if n <= EXCERPT_CHARS {
        s.to_string()
    } else {
        let head: String = s.chars().take(EXCERPT_CHARS).collect();
        format!("{head}… ({n} characters)")
    }
}

/// Longest run of characters without white space a message keeps whole
/// (paths fit; a pasted value does not).
pub const BOUND_CHARS: usize = 400;

/// `msg` on one line (line breaks and other control characters become
/// spaces) with every run of more than [`BOUND_CHARS`] characters without
/// white space shortened by [`excerpt`], so that no message echoes a long
/// input value in full or spills over several lines.
pub fn bounded(msg: &str) -> std::borrow::Cow<'_, str> {
    let one_line = msg.chars().all(|c| !c.is_control());
    if one_line
        && msg
            .split_whitespace()
            .all(|w| w.chars().count() <= BOUND_CHARS)
    {
        return std::borrow::Cow::Borrowed(msg);
    }
    let flat: String;
    let msg = if one_line {
        msg
    } else {
        flat = msg
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        flat.as_str()
    };
    let mut out = String::with_capacity(msg.len().min(4096));
    for (i, w) in msg.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if w.chars().count() > BOUND_CHARS {
            out.push_str(&excerpt(w));
        } else {
            out.push_str(w);
        }
    }
    std::borrow::Cow::Owned(out)
}
