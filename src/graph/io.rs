//! Reading and writing edge lists.
//!
//! Format: one tie per line, `u v` or `u v trust`, separated by white space
//! or commas; `#` starts a comment; ids are 0-based integers and the graph
//! has `max id + 1` people. With `directed = false` each line adds both arcs.
//! Self-loops, duplicate arcs and trust outside [0, 1] are errors that name
//! the line(s).

use super::ArcSpec;
use crate::error::{Error, Result};
use std::path::Path;

/// Ties read from an edge list, before people and trust defaults are added.
#[derive(Debug, Clone)]
pub struct EdgeList {
    /// Number of people (max id + 1).
    pub nodes: usize,
    /// Arcs with trust (NaN where the line had no trust column) and kind 0.
    pub arcs: Vec<ArcSpec>,
}

/// Reads an edge list file.
///
/// # Errors
/// [`Error::Read`] when the file cannot be read, [`Error::EdgeList`] naming
/// the line for malformed lines, self-loops, duplicates and bad trust.
pub fn read_edge_list(path: &Path, directed: bool) -> Result<EdgeList> {
    let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_edge_list(&text, directed, &path.display().to_string())
}

/// Parses edge-list text; `file` names the source in error messages.
///
/// # Errors
/// As [`read_edge_list`].
pub fn parse_edge_list(text: &str, directed: bool, file: &str) -> Result<EdgeList> {
    let err = |line: usize, msg: String| Error::EdgeList {
        file: file.to_string(),
        line,
        msg,
    };
    // (u, v, trust, line number) so duplicates can name both lines.
    let mut rows: Vec<(u32, u32, f32, u32)> = Vec::new();
    let mut max_id: i64 = -1;
    for (i, raw) in text.lines().enumerate() {
        let lineno = i + 1;
        let line = raw.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        let mut fields = line
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|f| !f.is_empty());
        let mut id = |name: &str| -> Result<u32> {
            let f = fields.next().ok_or_else(|| {
                err(
                    lineno,
                    format!("missing {name}; expected 'u v' or 'u v trust'"),
                )
            })?;
            f.parse::<u32>()
                .ok()
                .filter(|&x| (x as usize) < super::MAX_NODES)
                .ok_or_else(|| {
                    err(
                        lineno,
                        format!(
                            "{name} '{f}' is not a person id (an integer from 0 to {})",
                            super::MAX_NODES - 1
                        ),
                    )
                })
        };
        let u = id("source id")?;
        let v = id("target id")?;
        let trust = match fields.next() {
            None => f32::NAN,
            Some(f) => match f.parse::<f32>() {
                Ok(t) if (0.0..=1.0).contains(&t) => t,
                _ => {
                    return Err(err(
                        lineno,
                        format!("trust '{f}' must be a number in [0, 1]"),
                    ));
                }
            },
        };
        if let Some(extra) = fields.next() {
            return Err(err(
                lineno,
                format!("unexpected field '{extra}'; expected 'u v' or 'u v trust'"),
            ));
        }
        if u == v {
            return Err(err(
                lineno,
                format!("self-loop {u} -> {u}; a person cannot share with themselves"),
            ));
        }
        if rows.len() >= super::MAX_ARCS {
            return Err(err(lineno, format!("more than {} arcs", super::MAX_ARCS)));
        }
        max_id = max_id.max(u.max(v) as i64);
        let l = lineno.min(u32::MAX as usize) as u32;
        rows.push((u, v, trust, l));
        if !directed {
            rows.push((v, u, trust, l));
        }
    }
    if rows.is_empty() {
        return Err(err(
            0,
            "no ties found; expected lines 'u v' or 'u v trust'".into(),
        ));
    }
    rows.sort_unstable_by_key(|r| (((r.0 as u64) << 32) | r.1 as u64, r.3));
    for w in rows.windows(2) {
        if w[0].0 == w[1].0 && w[0].1 == w[1].1 {
            let what = if directed {
                "arc"
            } else {
                "tie (the file is read as undirected)"
            };
            return Err(err(
                w[1].3 as usize,
                format!(
                    "duplicate {what} {} -> {}, first given on line {}",
                    w[1].0, w[1].1, w[0].3
                ),
            ));
        }
    }
    let arcs = rows.into_iter().map(|r| (r.0, r.1, r.2, 0u8)).collect();
    Ok(EdgeList {
        nodes: (max_id + 1) as usize,
        arcs,
    })
}

/// Writes `u v trust` lines (one per arc) for a graph.
///
/// # Errors
/// [`Error::Write`] when the file cannot be written.
pub fn write_edge_list(graph: &super::SocialGraph, path: &Path) -> Result<()> {
    use std::io::Write;
    let f = std::fs::File::create(path).map_err(|e| Error::write(path, e))?;
    let mut w = std::io::BufWriter::new(f);
    let res = (|| -> std::io::Result<()> {
        writeln!(
            w,
            "# viralsim graph: {} people, {} arcs (u v trust)",
            graph.node_count(),
            graph.arc_count()
        )?;
        for u in 0..graph.node_count() as u32 {
            for a in graph.arc_range(u) {
                writeln!(w, "{} {} {}", u, graph.targets()[a], graph.trust()[a])?;
            }
        }
        w.flush()
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
    }

    #[test]
    fn undirected_doubles() {
        let e = parse_edge_list("0 1\n1 2\n", false, "t").unwrap();
        assert_eq!(e.arcs.len(), 4);
    }

    #[test]
    fn errors_name_lines() {
        let cases = [
            ("0 1\n0 x\n", 2, "target id"),
            ("0 1\n1 1\n", 2, "self-loop"),
            ("0 1\n2 3\n0 1\n", 3, "first given on line 1"),
            ("0 1 1.5\n", 1, "[0, 1]"),
            ("0 1 0.5 9\n", 1, "unexpected field"),
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
        // undirected reading turns "0 1" and "1 0" into a duplicate tie
        assert!(parse_edge_list("0 1\n1 0\n", false, "g").is_err());
        assert!(parse_edge_list("# nothing\n", true, "g").is_err());
    }
}
