//! Running the VM with the GIL released.
//!
//! `Python::allow_threads` wants a `Send` closure and result, so that no Python reference
//! crosses into code that runs without the GIL. The VM's values are not `Send` (they count
//! references with `Rc`), yet releasing the GIL around a run is sound here:
//! - `allow_threads` runs the closure on the calling thread, synchronously, and returns
//!   its result on that same thread: nothing moves between threads;
//! - the closure touches only Rust data (the VM, the bytecode), never a Python object;
//! - that data is reachable from Python only through `unsendable` classes, which PyO3 lets no
//!   other thread borrow (it raises instead), and the caller holds the borrows (`PyRefMut` of
//!   the VM, `PyRef` of the bytecode) for the whole run, so the objects stay alive and no
//!   other code on this thread can reach them either. So no `Rc` count is ever touched by two
//!   threads.
//!
//! Other Python threads run while a program runs; a second thread calling `execute` on the
//! same VM gets a Python error (the VM is unsendable), never a data race.

use pyo3::prelude::*;

/// Asserts `Send` for a value that never leaves its thread (see the module docs).
struct StayHere<T>(T);

// SAFETY: a `StayHere` is only made by `run_detached`, whose closure and result are created,
// run and unwrapped on the calling thread (`allow_threads` runs the closure synchronously on
// it); see the module docs for why no non-`Send` data is reachable from another thread.
unsafe impl<T> Send for StayHere<T> {}

impl<T> StayHere<T> {
    /// Takes the value out. A method (not a field access), so closures capture the whole
    /// wrapper rather than its non-`Send` field.
    fn into_inner(self) -> T {
        self.0
    }
}

/// Runs `f` with the GIL released. `f` must not touch Python objects.
pub fn run_detached<T, F: FnOnce() -> T>(py: Python<'_>, f: F) -> T {
    let job = StayHere(f);
    py.allow_threads(move || StayHere(job.into_inner()()))
        .into_inner()
}
