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
