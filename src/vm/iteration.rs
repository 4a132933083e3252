//! Loops and indexing, out of the run loop's arms: `FOR_ITER`'s next item (a range's inline),
//! a back edge's hook into the JIT tier, and `INDEX` (a list's in-range element inline). All
//! are `#[inline(always)]`: they are the loop's own code, kept here so that its arms stay
//! short.

use zexus_runtime::value::{TAG_INT, TAG_LIST};
use zexus_runtime::{ops, OpError, RangeIter, Value};

use super::frame::{LiveFrame, LVL_DETAILED};
use super::loophooks::LoopHooks;
use super::prepared::{XCode, XInstr};
use super::state::RunState;
use crate::bytecode::Bytecode;

/// The next item of iterator `it` for a `FOR_ITER` giving `c` values per item (1: the value;
/// 2: the index or key, then the value): `Ok(None)` when it is exhausted, `Err` when `it` is
/// no iterator (which verified code never runs into).
#[inline(always)]
pub(super) fn next(it: &Value, c: u32) -> Result<Option<(Value, Value)>, String> {
    let Some(cell) = it.as_iter() else {
        return Err("FOR_ITER without an iterator".to_string());
    };
    let mut state = cell.borrow_mut();
    Ok(match &mut *state {
        RangeIter::Range { next, end, index } if c == 1 => {
            if *next < *end {
                let v = *next;
                *next += 1;
                *index += 1;
                Some((Value::NULL, Value::int(v)))
            } else {
                None
            }
        }
        other => other.next_for(c),
    })
}

/// `o[k]`: a list's element in range directly, anything else (and every error) by the general
/// operator.
#[inline(always)]
pub(super) fn index(o: &Value, k: &Value) -> Result<Value, OpError> {
    if o.tag() == TAG_LIST && k.tag() == TAG_INT {
        if let Some(v) = o.as_list().expect("list").get(k.payload() as usize) {
            return Ok(v);
        }
    }
    ops::index(o, k)
}

/// The JIT tier's hook on the back edge at the live frame `at` (its code object, prepared as
/// `xc`, and pc) to the loop header `header`: counts it toward hotness or runs the compiled
/// loop. `Some((ip, sp))` when native code ran: the interpreter resumes at that instruction
/// (its entry counted) with that stack top; `None`: it takes the jump.
///
/// # Safety
/// `at` is the run loop's live frame (see [`LiveFrame`]) and `st.tier` began this run with
/// `bc`.
#[inline(always)]
pub(super) unsafe fn back_edge<const L: u8>(
    st: &mut RunState,
    lh: &mut LoopHooks,
    bc: &Bytecode,
    xc: &XCode,
    at: LiveFrame,
    header: usize,
) -> Option<(*const XInstr, *mut Value)> {
    // A timed dispatch must not include the native loop's time.
    lh.finish_pending::<L>();
    let room = st.max_depth - st.frames.len();
    let tier = st.tier.as_deref_mut().expect("the JIT loop has a tier");
    // SAFETY: the caller's contract: the live frame and the tier are the run's.
    let r = unsafe { tier.back_edge::<L>(bc, at, header, room) };
    if r.is_some() && L >= LVL_DETAILED {
        let t = tier.last_ticks;
        lh.get().native_loop_ran(t, &st.frames, at.code);
    }
    let (pc, sp) = r?;
    // SAFETY: native code resumes at an instruction of the running code object.
    unsafe {
        lh.resumed::<L>(at.code, xc, pc);
        Some((xc.code.as_ptr().add(pc), sp))
    }
}
