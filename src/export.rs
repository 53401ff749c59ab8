//! Writing results: `summary.json` (the contract), per-trial and
//! time-series CSV. Every file is written to a temporary name and renamed,
//! and `summary.json` is written last, so a folder with a `summary.json`
//! always holds a complete run.

use crate::error::{Error, Result};
use crate::metrics::{Kind, MetricTable, Summary};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes `bytes` to `path` atomically (temporary file + rename).
///
/// # Errors
/// [`Error::Write`] on any I/O failure.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// Creates `path` atomically from what `fill` writes into a temporary file,
/// renamed over `path` once `fill` succeeds.
///
/// # Errors
/// [`Error::Write`] on any I/O failure.
pub fn write_atomic_with(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<()> {
    let tmp = tmp_path(path);
    let mut f = std::fs::File::create(&tmp).map_err(|e| Error::write(&tmp, e))?;
    fill(&mut f).map_err(|e| Error::write(&tmp, e))?;
    drop(f);
    std::fs::rename(&tmp, path).map_err(|e| Error::write(path, e))
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = path
        .file_name()
        .map(|s| s.to_os_string())
        .unwrap_or_default();
    name.push(".partial");
    path.with_file_name(name)
}

/// Prepares an output folder: creates it and removes a previous
/// `summary.json`, so that an interrupted run never looks complete.
///
/// # Errors
/// [`Error::Write`] when the folder cannot be created.
pub fn prepare_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    let s = dir.join("summary.json");
    if s.exists() {
        std::fs::remove_file(&s).map_err(|e| Error::write(&s, e))?;
    }
    Ok(())
}

/// The summary as pretty JSON with a trailing newline. Deterministic: maps
/// are ordered and floats print in shortest round-trip form.
pub fn summary_json(summary: &Summary) -> Vec<u8> {
    let mut v = serde_json::to_vec_pretty(summary).expect("a summary always serialises");
    v.push(b'\n');
    v
}

/// Writes the per-trial CSV to `path` atomically: `trial` and then every
/// column of the metric table (`reached,engaged,…`, and `revenue,cost,profit`
/// with `[economics]`), one row per trial in trial order, a chunk of rows at
/// a time (each chunk formatted in parallel), so the whole text is never
/// held in memory.
///
/// # Errors
/// [`Error::Write`] on any I/O failure.
pub fn write_trials_csv(path: &Path, table: &MetricTable<'_>, trials: usize) -> Result<()> {
    let columns: Vec<usize> = (0..table.len()).filter(|&k| table.info(k).column).collect();
    write_atomic_with(path, |f| {
        let names: Vec<&str> = columns
            .iter()
            .map(|&k| table.info(k).name.as_str())
            .collect();
        writeln!(f, "trial,{}", names.join(","))?;
        for chunk in 0..trials.div_ceil(WRITE_ROWS) {
            let first = chunk * WRITE_ROWS;
            f.write_all(&trials_csv_rows(
                table,
                &columns,
                first,
                (first + WRITE_ROWS).min(trials),
            ))?;
        }
        Ok(())
    })
}

/// Rows formatted and written per round by [`write_trials_csv`].
const WRITE_ROWS: usize = 1 << 18;

/// Rows `first .. end` of the per-trial CSV; counts through `itoa` (the
/// formatting machinery cost more than the cascades of small runs), other
/// values in Rust's shortest round-trip form.
fn trials_csv_rows(
    table: &MetricTable<'_>,
    columns: &[usize],
    first: usize,
    end: usize,
) -> Vec<u8> {
    use rayon::prelude::*;
    const CHUNK: usize = 8_192;
    let kinds: Vec<Kind> = columns.iter().map(|&k| table.info(k).kind).collect();
    let parts: Vec<Vec<u8>> = (first..end)
        .collect::<Vec<usize>>()
        .par_chunks(CHUNK)
        .map(|rows| {
            let mut buf = Vec::with_capacity(rows.len() * 40);
            let mut num = itoa::Buffer::new();
            for &t in rows {
                buf.extend_from_slice(num.format(t).as_bytes());
                for (&k, &kind) in columns.iter().zip(&kinds) {
                    buf.push(b',');
                    let x = table.value(k, t);
                    if kind == Kind::Count {
                        buf.extend_from_slice(num.format(x as u64).as_bytes());
                    } else {
                        let _ = write!(buf, "{x}");
                    }
                }
                buf.push(b'\n');
            }
            buf
        })
        .collect();
    parts.concat()
}

/// One row per step: mean and p5/p50/p95 of cumulative reached, engaged, shared.
pub fn timeseries_csv(summary: &Summary) -> Vec<u8> {
    let ts = &summary.time_series;
    let mut out = Vec::new();
    let _ = writeln!(
        out,
        "step,reached_mean,reached_p5,reached_p50,reached_p95,engaged_mean,engaged_p5,engaged_p50,engaged_p95,shared_mean,shared_p5,shared_p50,shared_p95,new_engaged_mean"
    );
    for s in 0..ts.steps {
        let _ = write!(out, "{s}");
        for b in [&ts.reached, &ts.engaged, &ts.shared] {
            let _ = write!(out, ",{},{},{},{}", b.mean[s], b.p5[s], b.p50[s], b.p95[s]);
        }
        let _ = writeln!(out, ",{}", ts.new_engaged_mean[s]);
    }
    out
}
