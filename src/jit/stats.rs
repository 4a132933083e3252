//! What the JIT tier did in one VM, available with profiling off (`VM::jit_stats`).

use serde::Serialize;

use crate::profile::JitEvents;

/// Counters and events of the JIT tier over a VM's lifetime.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct JitStats {
    /// Loops compiled (recompilations included).
    pub loops_compiled: u64,
    /// Loops recompiled with more general types.
    pub recompiled: u64,
    /// Loops refused at compile time.
    pub loops_refused: u64,
    /// Loops blacklisted after too many exits.
    pub blacklisted: u64,
    /// Functions compiled whole (pure int functions, recursion included).
    pub functions_compiled: u64,
    /// Functions refused, or interpreted again after their native calls kept giving up.
    pub functions_refused: u64,
    /// Times native code was entered.
    pub entries: u64,
    /// Times it returned to the interpreter (every entry ends with one exit).
    pub exits: u64,
    /// Exits other than leaving the loop normally (guards, overflow, errors, unsupported ops).
    pub side_exits: u64,
    /// Total compile time, µs.
    pub compile_time_us: f64,
    /// Median compile time per loop, µs.
    pub median_compile_time_us: f64,
    /// Machine code held, bytes.
    pub code_bytes: usize,
    /// Compiled loops, exits by ip and reason, refusals.
    pub events: JitEvents,
}
