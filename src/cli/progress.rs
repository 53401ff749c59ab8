//! Progress on stderr, for people at a terminal: graph-building phases as
//! a percentage while they run and their time when they end, and a bar
//! over the trials. One [`Display`] takes every phase of the library's
//! single progress callback.

use crate::progress::SIMULATE;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

/// Trials below this many get no bar (they end before it helps).
const BAR_MIN_TRIALS: u64 = 200;

/// Shows progress on stderr (nothing when off).
pub struct Display {
    on: bool,
    tty: bool,
    started: Mutex<Instant>,
    bar: OnceLock<ProgressBar>,
}

impl Display {
    /// A display that shows phase times when `on` (a percentage while a
    /// phase runs and a bar over the trials only on a terminal).
    pub fn new(on: bool) -> Self {
        Display {
            on,
            tty: std::io::stderr().is_terminal(),
            started: Mutex::new(Instant::now()),
            bar: OnceLock::new(),
        }
    }

    /// Takes one progress report: `(phase, done, total)`.
    pub fn report(&self, phase: &str, done: u64, total: u64) {
        if !self.on {
            return;
        }
        if phase == SIMULATE {
            if self.tty && total >= BAR_MIN_TRIALS {
                let bar = self.bar.get_or_init(|| {
                    let b = ProgressBar::new(total);
                    b.set_style(
                        ProgressStyle::with_template(
                            "{spinner} simulating [{bar:40}] {pos}/{len} trials, {per_sec}, eta {eta}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    );
                    b
                });
                // With trials = "auto" the total grows batch by batch.
                bar.set_length(total);
                bar.set_position(done);
            }
            return;
        }
        let mut t = self.started.lock().unwrap_or_else(|e| e.into_inner());
        if done == 0 {
            *t = Instant::now();
        } else if done >= total {
            let clear = if self.tty { "\r\x1b[K" } else { "" };
            eprintln!(
                "{clear}graph: {phase:<10} {:>8.2} s",
                t.elapsed().as_secs_f64()
            );
        } else if self.tty {
            eprint!(
                "\r\x1b[Kgraph: {phase} {:.0}%",
                100.0 * done as f64 / total as f64
            );
        }
    }

    /// Clears the trial bar, if one was drawn.
    pub fn finish(&self) {
        if let Some(b) = self.bar.get() {
            b.finish_and_clear();
        }
    }
}
