//! Interrupting a profiled run from a signal handler (`zx profile` on Ctrl-C or SIGTERM).
//!
//! The handler only stores the signal number (an atomic store is async-signal-safe). The run
//! loop polls it where it already leaves its fast path: at DETAILED and FULL on the sampling
//! countdown's slow path (about once per `sample_rate` instructions), at BASIC on each call;
//! NONE never looks. A run that sees it stops as if by a runtime error, so that its counts
//! are folded exactly as far as it ran, and the profiler marks itself interrupted.

use std::sync::atomic::{AtomicI32, Ordering};

static SIGNAL: AtomicI32 = AtomicI32::new(0);

/// The message of the error an interrupted run ends with.
pub const MESSAGE: &str = "interrupted";

/// Asks the running program to stop, recording `signal` (any non-zero number). Safe to call
/// from a signal handler.
pub fn request(signal: i32) {
    SIGNAL.store(signal.max(1), Ordering::Relaxed);
}

/// The signal that asked for a stop, or 0.
pub fn signal() -> i32 {
    SIGNAL.load(Ordering::Relaxed)
}

/// True once a stop was requested.
#[inline(always)]
pub fn pending() -> bool {
    SIGNAL.load(Ordering::Relaxed) != 0
}

/// Forgets a request (for a program that handles it and runs again).
pub fn clear() {
    SIGNAL.store(0, Ordering::Relaxed);
}
