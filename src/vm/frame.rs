//! What the run loop, its profiling hooks, the JIT tier and the error paths share about
//! frames: the profiling levels the loop is compiled for and a suspended caller's [`Frame`].
//! Depending on nothing of the VM, this file lets each of them name these without importing
//! the others. [`LiveFrame`] is the loop's registers at one instruction, as the cold paths
//! (the JIT tier, the host of builtins that call back, the error paths, the cache simulation)
//! receive them.

use zexus_runtime::Value;

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

/// The run loop's live frame at one instruction: which code object runs, where, and the stack
/// registers. The loop keeps these in locals (registers) and builds this at the (cold) calls
/// that need them; a callee that moves the stack pointer gives the new one back.
///
/// # Safety
/// Built by the run loop from its own registers, it carries the loop's invariants (`run.rs`):
/// `stk` is the start of the stack buffer in use (the program frame's slots, i.e. the
/// globals), `slots` the current frame's slots in it, `[stk, sp)` live values owned by the
/// stack and the frame's room above `sp` writable. It is valid only until the loop moves on
/// (runs another instruction or lets the stack grow); `consts` are code object `code`'s.
#[derive(Clone, Copy)]
pub(crate) struct LiveFrame<'a> {
    /// The running code object.
    pub code: u32,
    /// The instruction's index in it.
    pub pc: usize,
    /// The start of the stack buffer: the program frame's slots (the globals).
    pub stk: *mut Value,
    /// One past the top operand.
    pub sp: *mut Value,
    /// The current frame's slots.
    pub slots: *mut Value,
    /// The code object's constants.
    pub consts: &'a [Value],
}
