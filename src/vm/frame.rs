//! What the run loop, its profiling hooks, the JIT tier and the error paths share about
//! frames: the profiling levels the loop is compiled for and a suspended caller's [`Frame`].
//! Depending on nothing of the VM, this file lets each of them name these without importing
//! the others.

/// Level numbers for the `L` parameter of the run loop (`run::run`): no profiling.
pub(crate) const LVL_NONE: u8 = 0;
/// Exact counts.
pub(crate) const LVL_BASIC: u8 = 1;
/// Counts and sampled timings.
pub(crate) const LVL_DETAILED: u8 = 2;
/// Everything: memory, branches, hot loops.
pub(crate) const LVL_FULL: u8 = 3;

/// A suspended caller.
pub(crate) struct Frame {
    /// The caller's code object.
    pub code: u32,
    /// Where the caller resumes.
    pub ret_pc: u32,
    /// Where the caller's slots start (a stack offset).
    pub base: u32,
    /// From this stack offset up, the call's result replaces everything.
    pub ret_at: u32,
    /// When the callee was entered (the hooks' clock, at BASIC and up).
    pub t0: u64,
    /// Where the callee's slots start (the unwinder's way to the top frame's slots, so that the
    /// run loop's error paths need not keep them).
    pub callee_base: u32,
}
