//! Writing results: `summary.json` (the contract), per-trial and
//! time-series CSV, and the output folder they go to ([`Staged`]): written
//! as a temporary folder beside the target and renamed into place when
//! complete, so a folder never holds an incomplete run or two runs mixed.

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
    crate::interrupt::track(&tmp);
    let written = std::fs::File::create(&tmp).and_then(|mut f| {
        fill(&mut f)?;
        f.sync_all()
    });
    crate::interrupt::finish(&tmp, || {
        if let Err(e) = written {
            let _ = std::fs::remove_file(&tmp);
            return Err(Error::write(&tmp, e));
        }
        std::fs::rename(&tmp, path).map_err(|e| Error::write(path, e))
    })
}

fn tmp_path(path: &Path) -> PathBuf {
    let mut name = std::ffi::OsString::from(".");
    name.push(path.file_name().unwrap_or_default());
    name.push(format!(".{}.partial", std::process::id()));
    path.with_file_name(name)
}

/// Files a run writes into its output folder: what an existing folder may
/// hold for a new run to replace it.
pub const OUTPUT_FILES: [&str; 24] = [
    "summary.json",
    "trials.csv",
    "timeseries.csv",
    "run.json",
    "scenario.toml",
    "report.html",
    "reach_over_time.png",
    "cascade_size_ccdf.png",
    "funnel.png",
    "segments.png",
    "roles.png",
    "crisis_over_time.png",
    "damage_by_delay.png",
    "reach_over_time.svg",
    "cascade_size_ccdf.svg",
    "funnel.svg",
    "segments.svg",
    "roles.svg",
    "crisis_over_time.svg",
    "damage_by_delay.svg",
    "trees.csv",
    "trees.gexf",
    "cascade_tree.png",
    "cascade_tree.svg",
];

/// An output folder being written. The files go into a fresh temporary
/// folder beside the target, renamed into place by [`Staged::commit`] once
/// complete; until then a previous run in the target stays untouched, and
/// a staged folder dropped without commit (an error, an interrupt) is
/// removed. So an output folder always holds one complete run, or none.
#[derive(Debug)]
pub struct Staged {
    target: PathBuf,
    tmp: PathBuf,
    committed: bool,
}

impl Staged {
    /// Checks that `target` can be written and replaced, and creates the
    /// temporary folder beside it: what a run does before simulating.
    ///
    /// # Errors
    /// [`Error::Parameter`] (`--out`) when `target` is a file or a folder
    /// holding files that viralsim did not write (it would replace them);
    /// [`Error::Write`] when the folder beside it is not writable.
    pub fn begin(target: &Path) -> Result<Staged> {
        let out = |msg: String| Error::param("--out", msg);
        let target = if target.exists() {
            let meta = std::fs::metadata(target).map_err(|e| Error::write(target, e))?;
            if !meta.is_dir() {
                return Err(out(format!(
                    "'{}' exists and is not a folder; give a folder for the results",
                    target.display()
                )));
            }
            let entries = std::fs::read_dir(target).map_err(|e| Error::write(target, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| Error::write(target, e))?;
                let name = entry.file_name().to_string_lossy().into_owned();
                let ours = OUTPUT_FILES.contains(&name.as_str())
                    || crate::study::OUTPUT_FILES.contains(&name.as_str())
                    || (name.starts_with("sweep_") && name.ends_with(".png"))
                    || (name.starts_with('.') && name.ends_with(".partial"))
                    || name.ends_with(".partial.png")
                    || name.starts_with(".partial.");
                if !ours {
                    return Err(out(format!(
                        "'{}' holds '{name}', which viralsim did not write; a run replaces the whole folder, so give an empty or new folder (or one holding only a previous run)",
                        target.display()
                    )));
                }
            }
            std::fs::canonicalize(target).map_err(|e| Error::write(target, e))?
        } else {
            target.to_path_buf()
        };
        let Some(name) = target.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            return Err(out(format!(
                "'{}' names no folder; give a folder name",
                target.display()
            )));
        };
        let parent = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| Error::write(&parent, e))?;
        static STAGED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        let k = STAGED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let tmp = parent.join(format!(".{name}.{}-{k}.partial", std::process::id()));
        std::fs::create_dir(&tmp).map_err(|e| {
            Error::write(
                &target,
                format!("cannot create a folder beside it ({}): {e}", tmp.display()),
            )
        })?;
        crate::interrupt::track(&tmp);
        Ok(Staged {
            target,
            tmp,
            committed: false,
        })
    }

    /// The temporary folder to write into.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// The final folder.
    pub fn target(&self) -> &Path {
        &self.target
    }

    /// Puts the written folder in place of the target (a previous run there
    /// is removed only now).
    ///
    /// # Errors
    /// [`Error::Write`] when a rename fails (the previous run is put back).
    pub fn commit(mut self) -> Result<()> {
        let tmp = self.tmp.clone();
        crate::interrupt::finish(&tmp, || self.rename_into_place())
    }

    fn rename_into_place(&mut self) -> Result<()> {
        let old = self.tmp.with_extension("old");
        let had_old = self.target.exists();
        if had_old {
            std::fs::rename(&self.target, &old).map_err(|e| Error::write(&self.target, e))?;
        }
        if let Err(e) = std::fs::rename(&self.tmp, &self.target) {
            if had_old {
                let _ = std::fs::rename(&old, &self.target);
            }
            return Err(Error::write(&self.target, e));
        }
        self.committed = true;
        if had_old {
            std::fs::remove_dir_all(&old).map_err(|e| Error::write(&old, e))?;
        }
        Ok(())
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        if !self.committed {
            crate::interrupt::finish(&self.tmp, || std::fs::remove_dir_all(&self.tmp)).ok();
        }
    }
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
