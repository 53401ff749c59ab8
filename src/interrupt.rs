//! Stopping early. A signal handler (the CLI's, on Ctrl-C) calls
//! [`request`]; the Monte Carlo loop checks between trials and a merge
//! between part files, and they return [`Error::Interrupted`] — the output
//! folder's temporary copy is removed on the way out
//! ([`crate::export::Staged`]), so nothing half-written stays behind.

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Asks every running simulation of this process to stop.
pub fn request() {
    REQUESTED.store(true, Ordering::Relaxed);
}

/// Whether a stop was asked for.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// [`Error::Interrupted`] when a stop was asked for.
///
/// # Errors
/// [`Error::Interrupted`] after [`request`].
pub fn check() -> Result<()> {
    if requested() {
        Err(Error::Interrupted)
    } else {
        Ok(())
    }
}

/// Temporary files and folders being written, removed by
/// [`remove_in_progress`] when the process must stop at once.
static IN_PROGRESS: std::sync::Mutex<Vec<std::path::PathBuf>> = std::sync::Mutex::new(Vec::new());

fn in_progress() -> std::sync::MutexGuard<'static, Vec<std::path::PathBuf>> {
    IN_PROGRESS.lock().unwrap_or_else(|e| e.into_inner())
}

/// Notes a temporary file or folder being written.
pub(crate) fn track(path: &std::path::Path) {
    in_progress().push(path.to_path_buf());
}

/// Runs `f` (a commit: renames) with no removal by [`remove_in_progress`]
/// in between, then forgets `path`.
pub(crate) fn finish<T>(path: &std::path::Path, f: impl FnOnce() -> T) -> T {
    let mut list = in_progress();
    let out = f();
    list.retain(|p| p != path);
    out
}

/// Removes every temporary file and folder still being written: what a
/// process stopping at once (a second after Ctrl-C, say) does last.
pub fn remove_in_progress() {
    for p in in_progress().drain(..) {
        if p.is_dir() {
            let _ = std::fs::remove_dir_all(&p);
        } else {
            let _ = std::fs::remove_file(&p);
        }
    }
}
