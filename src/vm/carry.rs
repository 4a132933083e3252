//! Globals that outlive a run (`VM::execute_keeping_globals`, for sessions such as `zx repl`):
//! the program's frame starts from the values the previous run left, and at the end (its
//! `RETURN`, or an error) its slots are moved back out instead of dropped.
//!
//! Only the program's own frame is involved, at its start and end, so the run loop's
//! instructions are unchanged; a run without kept globals (`st.globals` is `None`) does
//! exactly what it did before.

use std::ptr;

use zexus_runtime::Value;

use super::state::RunState;

/// Seeds the first program slots at `stk` from the kept globals (moving them out; the kept
/// list keeps `UNDEF`s until [`keep`] refills it). Slots past the kept list stay as they are.
///
/// # Safety
/// `stk[0..n_slots]` are the program's slots, just initialised to `Value::UNDEF` (which owns
/// nothing, so writing over them without dropping leaks nothing).
pub(crate) unsafe fn seed(st: &mut RunState, stk: *mut Value, n_slots: usize) {
    let Some(g) = st.globals.as_deref_mut() else {
        return;
    };
    for (i, v) in g.iter_mut().take(n_slots).enumerate() {
        // SAFETY: `i < n_slots`, a slot of the program's frame holding `UNDEF` (contract).
        unsafe { ptr::write(stk.add(i), std::mem::replace(v, Value::UNDEF)) };
    }
}

/// Ends a run whose `live` values sit at the bottom of the stack (`stk`): the first
/// `n_slots` (the program's slots, or as many as are live) move into the kept globals, the
/// rest are dropped. Without kept globals, all of them are dropped.
///
/// # Safety
/// `stk[0..live]` are live values that the stack owns; afterwards none of them is.
pub(crate) unsafe fn keep(st: &mut RunState, stk: *mut Value, live: usize, n_slots: usize) {
    let kept = match st.globals.as_deref_mut() {
        Some(g) => {
            let n = n_slots.min(live);
            g.clear();
            // SAFETY: `i < n <= live`: a live value, moved out exactly once.
            g.extend((0..n).map(|i| unsafe { ptr::read(stk.add(i)) }));
            n
        }
        None => 0,
    };
    // SAFETY: the values `kept..live` are live and still owned by the stack (contract).
    unsafe { ptr::drop_in_place(ptr::slice_from_raw_parts_mut(stk.add(kept), live - kept)) };
}
