//! The state of a run of the loop ([`RunState`]), the entry of a nested run, and the stack's
//! growth. The loop (`run.rs`), its calls (`calls.rs`) and the error paths (`unwind.rs`,
//! `reenter.rs`, `carry.rs`) name these without importing the loop.

use std::ptr;

use zexus_runtime::Value;

use super::frame::Frame;
use super::output::Output;
use super::prepared::Prepared;
use super::profhooks::ProfHooks;
use super::unwind::Resume;

/// Everything a run needs besides the program.
pub(crate) struct RunState<'a> {
    /// Raw storage for every frame's slots and operands. `len` stays 0: the loop tracks the
    /// live prefix itself, so that dead copies above `sp` are never dropped.
    pub stack: Vec<Value>,
    pub frames: Vec<Frame>,
    pub max_depth: usize,
    pub out: &'a mut Output,
    pub prof: Option<&'a mut ProfHooks>,
    /// Number of live values at the bottom of `stack` when the loop left with an error.
    pub live: usize,
    /// Where an error left the loop: (code, pc).
    pub at: (u32, u32),
    /// The JIT tier, in the `J = true` copy of the loop.
    pub tier: Option<&'a mut super::tier::Tier>,
    /// Nested runs of the loop under way (calls from builtins into user functions).
    pub nesting: u32,
    /// Stack buffers replaced while a nested run was under way: a builtin that called back may
    /// still read its arguments there (see `reenter`). Freed when the outermost loop resumes.
    pub retired: Vec<Vec<Value>>,
    /// Set by a builtin call that called back: what the loop reloads (see `reenter`).
    pub back: Option<super::reenter::Back>,
    /// The value a `THROW` raised, until a handler receives it (see `unwind.rs`).
    pub thrown: Option<Value>,
    /// Where `EMIT_EVENT` records events.
    pub events: &'a mut super::events::EventLog,
    /// The errors handlers caught, for `RERAISE` (see `unwind.rs`).
    pub caught: Vec<super::unwind::Caught>,
    /// Globals kept between runs (see `carry.rs`), or `None`.
    pub globals: Option<&'a mut Vec<Value>>,
    /// The VM's limits, in the `B = true` copy of the loop (see `limits.rs`).
    pub gauge: Option<&'a super::limits::Gauge>,
    /// The cache simulation's observer (FULL, in the `B = true` copy; null when off): the
    /// loop shows it each instruction before running it (see `cachesim.rs`).
    pub cache: *mut super::cachesim::CacheObserver,
}

/// A nested run of the loop (see `reenter`): its callee's frame begins at stack offset `base`
/// (the run starts there, with `Resume` from `reenter::start_entry`, and ends with that
/// frame's `RETURN`).
#[derive(Clone, Copy)]
pub(crate) struct Entry {
    pub base: usize,
    /// The code object of the builtin's caller, which runs again when the callee returns.
    pub caller: u32,
    /// When the callee was entered (FULL: the start of its inclusive time).
    pub t0: u64,
}

/// Moves the stack's `live` values to a buffer with room for `need`. While a nested run is
/// under way the old buffer is kept (in `retired`): a builtin below it may hold its arguments
/// there.
#[cold]
#[inline(never)]
pub(crate) fn grow(st: &mut RunState, live: usize, need: usize) {
    let new_cap = (st.stack.capacity() * 2).max(need + 1024);
    let mut fresh: Vec<Value> = Vec::with_capacity(new_cap);
    // SAFETY: the first `live` values move bitwise into the new buffer; the old buffer's len
    // is 0, so dropping it (or keeping it) never drops the moved values.
    unsafe { ptr::copy_nonoverlapping(st.stack.as_ptr(), fresh.as_mut_ptr(), live) };
    let old = std::mem::replace(&mut st.stack, fresh);
    if st.nesting > 0 {
        st.retired.push(old);
    }
}

/// Sets up the program's frame at the bottom of the stack: its slots (the globals), all
/// unassigned.
///
/// # Safety
/// `p` is the prepared program of the run; `st.stack` holds no live values.
pub(crate) unsafe fn start_main(p: &Prepared, st: &mut RunState) -> Resume {
    let main = &p.codes[0];
    if st.stack.capacity() < main.frame_size as usize + 64 {
        grow(st, 0, main.frame_size as usize + 64);
    }
    let stk = st.stack.as_mut_ptr();
    for i in 0..main.n_slots as usize {
        // SAFETY: the buffer has room for the program's frame (grown above), and nothing
        // live is there to overwrite (this function's contract).
        unsafe { ptr::write(stk.add(i), Value::UNDEF) };
    }
    // SAFETY: the program's slots were just set to `UNDEF`.
    unsafe { super::carry::seed(st, stk, main.n_slots as usize) };
    Resume {
        code: 0,
        pc: 0,
        base: 0,
        sp: main.n_slots as usize,
    }
}
