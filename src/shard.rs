//! Runs split across processes or machines, put back together exactly.
//!
//! `viralsim run --shard K/N` (or `--trials-range A..B`) simulates one
//! contiguous range of a run's trials and saves them as a *part file*
//! ([`run_part`]): the saved ensemble ([`Ensemble::to_bytes`]: magic,
//! layout version, tool version, scenario digest, trial range, checksum)
//! with a [`PartMeta`] — the summary context, the run's trial count and the
//! shard — so that [`merge`] needs neither the scenario nor the graph.
//! Trial `i` draws only from `(seed, i)`, so the merged ensemble is the one
//! a single process runs, and [`merge`] writes the same bytes as
//! [`crate::run::execute`] (`run.json`, which records this machine's
//! threads and times, aside). Part files are written atomically and are the
//! same bytes every time a shard runs, so a scheduler's retry is safe.

use crate::engine::Ensemble;
use crate::engine::ensemble::SavedHeader;
use crate::error::{Error, Result};
use crate::export::{self, Staged};
use crate::metrics::SummaryContext;
use crate::run::{
    RunJson, RunReport, RunSettings, Simulation, Timings, Trials, apply_overrides,
    simulate_range_ordering_if_it_pays, summarize_trials, thread_count, write_outputs,
};
use crate::scenario::Scenario;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// How part files end.
pub const PART_EXTENSION: &str = "vspart";

/// Shard `index` of `count` (numbered from 0): the trials
/// `⌊index·T/count⌋ .. ⌊(index+1)·T/count⌋` of a run of `T` trials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: u64,
    /// How many shards.
    pub count: u64,
}

impl Shard {
    /// Parses `K/N` (`0 ≤ K < N`), as `--shard` takes it.
    ///
    /// # Errors
    /// [`Error::Parameter`] (`--shard`) naming the value and what is allowed.
    pub fn parse(text: &str) -> Result<Shard> {
        let bad = |why: &str| {
            Error::param(
                "--shard",
                format!(
                    "'{text}' {why}; give K/N with 0 ≤ K < N, e.g. 0/8 for the first of 8 shards (K is $SLURM_ARRAY_TASK_ID or $JOB_COMPLETION_INDEX)"
                ),
            )
        };
        let (k, n) = text.split_once('/').ok_or_else(|| bad("has no '/'"))?;
        let k: u64 = k.trim().parse().map_err(|_| bad("has no whole number K"))?;
        let n: u64 = n.trim().parse().map_err(|_| bad("has no whole number N"))?;
        if n == 0 || k >= n {
            return Err(bad("is out of range"));
        }
        Ok(Shard { index: k, count: n })
    }

    /// This shard's trials in a run of `total` trials.
    pub fn range(&self, total: u64) -> Range<u64> {
        let at = |k: u64| ((k as u128 * total as u128) / self.count as u128) as u64;
        at(self.index)..at(self.index + 1)
    }
}

/// Parses `A..B` (trials `A` to `B - 1`), as `--trials-range` takes it.
///
/// # Errors
/// [`Error::Parameter`] (`--trials-range`) unless `A < B`.
pub fn parse_trial_range(text: &str) -> Result<Range<u64>> {
    let bad = || {
        Error::param(
            "--trials-range",
            format!(
                "'{text}' is not allowed; give A..B with whole numbers A < B (trials A to B-1, numbered from 0)"
            ),
        )
    };
    let (a, b) = text.split_once("..").ok_or_else(bad)?;
    let a: u64 = a.trim().parse().map_err(|_| bad())?;
    let b: u64 = b.trim().parse().map_err(|_| bad())?;
    if a >= b {
        return Err(bad());
    }
    Ok(a..b)
}

/// Which trials a part runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartOf {
    /// A shard of the run (`--shard K/N`).
    Shard(Shard),
    /// A range of trials (`--trials-range A..B`).
    Range(Range<u64>),
}

/// What a part file carries besides its trials (as JSON in the saved
/// ensemble's extra bytes).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PartMeta {
    /// Trials of the whole run.
    pub total_trials: u64,
    /// `[K, N]` for `--shard K/N`.
    pub shard: Option<[u64; 2]>,
    /// The population, seeds and economics the summary needs.
    pub context: SummaryContext,
    /// The scenario's text, for the merged run's `scenario.toml` and
    /// `report.html` (empty in parts written before it was kept).
    #[serde(default)]
    pub scenario: String,
}

/// What [`run_part`] did.
#[derive(Debug)]
pub struct PartReport {
    /// The part file written.
    pub path: PathBuf,
    /// Its trials.
    pub range: Range<u64>,
    /// Trials of the whole run.
    pub total_trials: u64,
    /// Seconds building the graph, ordering and simulating.
    pub timings: Timings,
    /// Threads used.
    pub threads: usize,
}

/// The part file's name in its folder: `NAME.shard-K-of-N.vspart` (K
/// zero-padded to N's width, so names sort in trial order) or
/// `NAME.trials-A-B.vspart`; characters other than letters, digits, `-`
/// and `_` in the scenario name become `_`.
pub fn part_file_name(scenario: &str, part: &PartOf) -> String {
    let name: String = scenario
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    match part {
        PartOf::Shard(s) => {
            let w = s.count.to_string().len();
            format!(
                "{name}.shard-{:0w$}-of-{}.{PART_EXTENSION}",
                s.index, s.count
            )
        }
        PartOf::Range(r) => format!("{name}.trials-{}-{}.{PART_EXTENSION}", r.start, r.end),
    }
}

/// Runs one part of a scenario's trials and saves it in `dir` (created if
/// need be, checked for writing before simulating) as
/// [`part_file_name`], atomically.
///
/// # Errors
/// [`Error::Parameter`] when the scenario has `trials = "auto"` (it
/// decides sequentially; give a fixed count), when the range is not within
/// the run's trials or a shard would be empty; input errors as
/// [`crate::run::execute`]; [`Error::Write`]; [`Error::Interrupted`].
pub fn run_part(
    scenario: &Scenario,
    dir: &Path,
    part: &PartOf,
    set: &RunSettings<'_>,
) -> Result<PartReport> {
    let mut s = scenario.clone();
    apply_overrides(&mut s, set)?;
    let flag = match part {
        PartOf::Shard(_) => "--shard",
        PartOf::Range(_) => "--trials-range",
    };
    if s.precision.is_some() {
        return Err(Error::param(
            flag,
            format!(
                "scenario '{}' has trials = \"auto\", which decides from the trials run so far whether to run more, so it cannot be split; give a fixed trial count: --trials N (or trials = N in the scenario)",
                s.file
            ),
        ));
    }
    let total = s.trials;
    let range = match part {
        PartOf::Shard(sh) => {
            if sh.count > total {
                return Err(Error::param(
                    "--shard",
                    format!(
                        "{}/{}: {} shards of {total} trials would leave some empty; use at most {total} shards",
                        sh.index, sh.count, sh.count
                    ),
                ));
            }
            sh.range(total)
        }
        PartOf::Range(r) => {
            if r.end > total {
                return Err(Error::param(
                    "--trials-range",
                    format!(
                        "{}..{} goes past the run's {total} trials; allowed: A < B ≤ {total} (set the run's trials with --trials)",
                        r.start, r.end
                    ),
                ));
            }
            r.clone()
        }
    };
    let path = dir.join(part_file_name(&s.name, part));
    std::fs::create_dir_all(dir).map_err(|e| Error::write(dir, e))?;
    export::write_atomic(&path.with_extension("probe"), b"")?;
    let _ = std::fs::remove_file(path.with_extension("probe"));
    let t0 = Instant::now();
    let g = s.build_graph_in_input_order_with(set.progress)?;
    let graph_s = t0.elapsed().as_secs_f64();
    let (trials, g) = simulate_range_ordering_if_it_pays(&s, g, set, range.clone())?;
    drop(g);
    let meta = PartMeta {
        total_trials: total,
        shard: match part {
            PartOf::Shard(sh) => Some([sh.index, sh.count]),
            PartOf::Range(_) => None,
        },
        context: trials.context,
        scenario: s.source.clone(),
    };
    let extra = serde_json::to_vec(&meta).expect("part metadata serialises");
    export::write_atomic(&path, &trials.ensemble.to_bytes(&extra))?;
    let mut timings = trials.timings;
    timings.graph_s = graph_s;
    Ok(PartReport {
        path,
        range,
        total_trials: total,
        timings,
        threads: thread_count(set.threads),
    })
}

/// The part files named by `inputs`: files as given, and the
/// `*.vspart` files of folders, by name.
///
/// # Errors
/// [`Error::Read`] for a path that does not exist or a folder that cannot
/// be listed; [`Error::Merge`] when nothing is left.
pub fn part_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in inputs {
        let meta = std::fs::metadata(p).map_err(|e| Error::Read {
            path: p.clone(),
            source: e,
        })?;
        if meta.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::Read {
                    path: p.clone(),
                    source: e,
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.extension().is_some_and(|x| x == PART_EXTENSION))
                .collect();
            if found.is_empty() {
                return Err(Error::Merge {
                    msg: format!("no part files (*.{PART_EXTENSION}) in '{}'", p.display()),
                });
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    if out.is_empty() {
        return Err(Error::Merge {
            msg: "no part files given".into(),
        });
    }
    Ok(out)
}

/// One checked part file.
struct Part {
    path: PathBuf,
    header: SavedHeader,
    meta: PartMeta,
}

impl Part {
    fn name(&self) -> String {
        self.path.display().to_string()
    }
}

fn open(path: &Path) -> Result<std::io::BufReader<std::fs::File>> {
    let f = std::fs::File::open(path).map_err(|e| Error::Read {
        path: path.to_path_buf(),
        source: e,
    })?;
    Ok(std::io::BufReader::with_capacity(1 << 20, f))
}

/// Reads and checks every part file (checksum, layout, version, metadata),
/// keeping only its header: the trials are read again when merging.
fn check_part(path: &Path) -> Result<Part> {
    let file = path.display().to_string();
    let header = Ensemble::read_saved(open(path)?, &file, None)?;
    let meta: PartMeta = serde_json::from_slice(&header.extra).map_err(|e| Error::PartFile {
        file: file.clone(),
        msg: format!(
            "its metadata is unreadable ({e}); it was not written by viralsim run --shard"
        ),
    })?;
    let r = header.trial_range();
    if r.end > meta.total_trials || header.trials == 0 {
        return Err(Error::PartFile {
            file,
            msg: format!(
                "it holds trials {}..{} of a run of {} trials",
                r.start, r.end, meta.total_trials
            ),
        });
    }
    Ok(Part {
        path: path.to_path_buf(),
        header,
        meta,
    })
}

/// Ranges of `0..total` not covered and covered more than once by the
/// parts (sorted by first trial), each naming the files concerned.
fn coverage_problems(parts: &[Part], total: u64) -> Vec<String> {
    let mut problems = Vec::new();
    let shards: Option<u64> = parts[0].meta.shard.map(|[_, n]| n).filter(|&n| {
        parts
            .iter()
            .all(|p| p.meta.shard.is_some_and(|[_, m]| m == n))
    });
    let missing = |a: u64, b: u64, after: Option<&Part>, before: Option<&Part>| {
        let mut m = format!("trials {a}..{b} are missing");
        match (after, before) {
            (Some(x), Some(y)) => m += &format!(" (between '{}' and '{}')", x.name(), y.name()),
            (Some(x), None) => m += &format!(" (after '{}')", x.name()),
            (None, Some(y)) => m += &format!(" (before '{}')", y.name()),
            (None, None) => {}
        }
        if let Some(n) = shards {
            let which: Vec<String> = (0..n)
                .filter(|&k| {
                    let r = Shard { index: k, count: n }.range(total);
                    r.start < b && a < r.end
                })
                .map(|k| format!("{k}/{n}"))
                .collect();
            m += &format!(": run --shard {}", which.join(", --shard "));
        }
        m
    };
    let mut covered = 0u64;
    let mut owner: Option<&Part> = None;
    for p in parts {
        let r = p.header.trial_range();
        if r.start > covered {
            problems.push(missing(covered, r.start, owner, Some(p)));
        } else if r.start < covered {
            let o = owner.expect("something covers trials before `covered`");
            problems.push(format!(
                "trials {}..{} are in both '{}' and '{}'",
                r.start,
                r.end.min(covered),
                o.name(),
                p.name()
            ));
        }
        if r.end > covered {
            covered = r.end;
            owner = Some(p);
        }
    }
    if covered < total {
        problems.push(missing(covered, total, owner, None));
    }
    problems
}

/// Merges part files into `out_dir` as [`crate::run::execute`] of the
/// whole run writes it, byte for byte (`run.json` aside). Every part is
/// checked first — same scenario digest, seed, tool version and context,
/// intact (checksum), the trials covered exactly once — and nothing is
/// written unless all are; then they are read again one at a time into one
/// ensemble, so memory is the whole ensemble and a read buffer, as in the
/// single run.
///
/// # Errors
/// [`Error::PartFile`] naming a corrupt, truncated, foreign or unreadable
/// part; [`Error::Merge`] naming the parts and the trial ranges missing or
/// doubled, or parts of different runs; [`Error::Write`];
/// [`Error::Interrupted`].
pub fn merge(out_dir: &Path, inputs: &[PathBuf], no_charts: bool) -> Result<RunReport> {
    let paths = part_files(inputs)?;
    let staged = Staged::begin(out_dir)?;
    let t0 = Instant::now();
    let mut parts = Vec::with_capacity(paths.len());
    for p in &paths {
        crate::interrupt::check()?;
        parts.push(check_part(p)?);
    }
    let first = &parts[0];
    for p in &parts[1..] {
        let differs = if p.header.digest != first.header.digest {
            Some(format!(
                "another scenario or seed (scenario digest {:016x}, not {:016x})",
                p.header.digest, first.header.digest
            ))
        } else if p.meta.total_trials != first.meta.total_trials {
            Some(format!(
                "a run of {} trials, not {}",
                p.meta.total_trials, first.meta.total_trials
            ))
        } else if p.meta.context != first.meta.context {
            Some("another graph or seeding (population, seeds or economics differ)".into())
        } else {
            None
        };
        if let Some(why) = differs {
            return Err(Error::Merge {
                msg: format!(
                    "'{}' comes from {why} than '{}'; merge the parts of one run only",
                    p.name(),
                    first.name()
                ),
            });
        }
    }
    let total = first.meta.total_trials;
    parts.sort_by_key(|p| (p.header.first_trial, p.header.trials));
    let problems = coverage_problems(&parts, total);
    if !problems.is_empty() {
        return Err(Error::Merge {
            msg: format!(
                "the {} part files do not hold trials 0..{total} exactly once: {}; nothing was written",
                parts.len(),
                problems.join("; ")
            ),
        });
    }
    let (segments, roles) = (parts[0].header.segments, parts[0].header.roles);
    let mut ens = Ensemble::default();
    let n = total as usize;
    ens.outcomes.reserve_exact(n);
    ens.step_offsets.reserve_exact(n + 1);
    ens.steps
        .reserve_exact(parts.iter().map(|p| p.header.steps as usize).sum());
    ens.per_segment.reserve_exact(n * segments * 2);
    ens.per_role.reserve_exact(n * roles * 3);
    for p in &parts {
        crate::interrupt::check()?;
        Ensemble::read_saved(open(&p.path)?, &p.name(), Some(&mut ens))?;
    }
    let read_s = t0.elapsed().as_secs_f64();
    let merged_parts = parts.len();
    let first = parts.swap_remove(0).meta;
    let (context, scenario) = (first.context, first.scenario);
    drop(parts);
    let sim: Simulation = summarize_trials(Trials {
        ensemble: ens,
        context,
        timings: Timings::default(),
    });
    let mut timings = sim.timings;
    timings.graph_s = read_s;
    let threads = thread_count(None);
    let files = write_outputs(
        &staged,
        &sim,
        &scenario,
        no_charts,
        crate::plot::ChartFormat::Png,
        |output_s| {
            timings.output_s = output_s;
            RunJson {
                viralsim_version: env!("CARGO_PKG_VERSION"),
                threads,
                timings_s: timings,
                trials_per_s: 0.0,
                edges_examined: sim.ensemble.edges_examined,
                storage_order: "none",
                graph_bytes: 0,
                merged_parts: Some(merged_parts),
            }
        },
    )?;
    let out_dir = staged.target().to_path_buf();
    staged.commit()?;
    Ok(RunReport {
        summary: sim.summary,
        ensemble: sim.ensemble,
        out_dir,
        files,
        timings,
        threads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_cover_the_trials_once_in_order_with_sizes_differing_by_at_most_one() {
        for total in [1u64, 2, 7, 100, 1001, u64::MAX / 3] {
            for n in [1u64, 2, 3, 7, 16] {
                if n > total {
                    continue;
                }
                let mut next = 0;
                let (mut lo, mut hi) = (u64::MAX, 0);
                for k in 0..n {
                    let r = Shard { index: k, count: n }.range(total);
                    assert_eq!(r.start, next, "{total} trials, shard {k}/{n}");
                    next = r.end;
                    lo = lo.min(r.end - r.start);
                    hi = hi.max(r.end - r.start);
                }
                assert_eq!(next, total);
                assert!(hi - lo <= 1, "{total}/{n}: sizes {lo}..={hi}");
            }
        }
    }

    #[test]
    fn shard_and_range_flags_parse_or_say_what_is_allowed() {
        assert_eq!(Shard::parse("3/8").unwrap(), Shard { index: 3, count: 8 });
        for bad in ["8/8", "1/0", "3", "a/2", "-1/2", ""] {
            let e = Shard::parse(bad).unwrap_err().to_string();
            assert!(
                e.contains("--shard") && e.contains(bad) && e.contains("0 ≤ K < N"),
                "{e}"
            );
        }
        assert_eq!(parse_trial_range("10..250").unwrap(), 10..250);
        for bad in ["5..5", "6..5", "1-5", "..3"] {
            let e = parse_trial_range(bad).unwrap_err().to_string();
            assert!(e.contains("--trials-range") && e.contains(bad), "{e}");
        }
    }

    #[test]
    fn part_names_sort_in_trial_order() {
        let names: Vec<String> = (0..16)
            .map(|k| {
                part_file_name(
                    "my run/1",
                    &PartOf::Shard(Shard {
                        index: k,
                        count: 16,
                    }),
                )
            })
            .collect();
        assert_eq!(names[3], "my_run_1.shard-03-of-16.vspart");
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, names);
        assert_eq!(
            part_file_name("x", &PartOf::Range(5..9)),
            "x.trials-5-9.vspart"
        );
    }
}
