//! Exceptions: after the run loop left with an error, find the handler that catches it and
//! unwind the stack to it, so the loop can resume there.
//!
//! The scheme is CPython 3.11's zero-cost one: each code object has an exception table
//! ([`crate::bytecode::Handler`]) and nothing runs for a `try` until something raises. The run
//! loop itself knows nothing about handlers: every raise (a `THROW`, a runtime error, an error
//! that made compiled code exit to the interpreter, which then raised it) leaves the loop
//! through its one error path, with the failing frame's position recorded in the
//! [`RunState`]. [`catch`] searches that frame's table, then each caller's at its call
//! instruction; if an entry covers the position, it drops the frames and operand values above
//! the handler, pushes the raised value, and says where to resume. An interrupt (Ctrl-C) is
//! never caught.
//!
//! Profile counts stay exact: the interpreter derives counts from taken edges and entries
//! (see `profhooks::derive_counts`), so each frame left in the middle of a block gets one
//! arrival fewer after its failing instruction, and the handler one arrival more.
//!
//! A nested run (a builtin such as `map` calling a user function, see `reenter`) catches with
//! its own frames only: [`run_catching`] drives it like the program's run, but the search stops
//! at the nested run's first frame. An error no nested frame catches ends the nested run
//! ([`leave_nested`] settles its frames in the profile), fails the builtin, and is raised again
//! at the builtin's call, where the caller's frames' handlers may catch it (a thrown value
//! stays in `RunState::thrown` for them).

use std::ptr;

use zexus_runtime::Value;

use zexus_runtime::value::TAG_UNDEF;

use super::error::RuntimeError;
use super::frame::{Frame, LiveFrame, LVL_BASIC};
use super::prepared::{Prepared, XInstr};
use super::profhooks::ProfHooks;
use super::run;
use super::state::{Entry, RunState};
use super::trace;
use crate::bytecode::opcodes::codes as op;
use crate::bytecode::Bytecode;

/// Where the run loop resumes: a code object, an instruction, and the frame's slots and
/// stack top as offsets into the stack buffer.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Resume {
    pub code: u32,
    pub pc: u32,
    pub base: usize,
    pub sp: usize,
}

/// An error a handler caught whose first instruction stores the raised value in a slot: a
/// `RERAISE` of that slot in that frame raises the error again as it was (same message, line
/// and trace), as a finally block does after running.
#[derive(Debug)]
pub(crate) struct Caught {
    /// The frame's slots (an offset into the stack buffer) and the slot.
    base: usize,
    slot: u32,
    error: RuntimeError,
}

/// The error the handler of the frame at `base` caught into `slot`, if it is still there.
///
/// An entry is only ever looked up by the frame that made it: a later frame at the same
/// `base` replaces it when its own handler stores into the slot, which the compiler's
/// `RERAISE` always follows.
#[cold]
#[inline(never)]
pub(crate) fn caught_error(st: &RunState, base: usize, slot: u32) -> Option<RuntimeError> {
    st.caught
        .iter()
        .find(|c| c.base == base && c.slot == slot)
        .map(|c| c.error.clone())
}

/// `THROW`, `RERAISE` and `EMIT_EVENT`, kept out of the run loop: returns the error the
/// instruction raises (the run loop leaves with it), or `None` when it just ran (an event).
///
/// # Safety
/// As for the run loop's arms: `ins` is the instruction of the verified code object that
/// `at` (the loop's live frame, see [`LiveFrame`]) is at, whose stack holds what the
/// instruction pops; `at.sp` comes back moved past what it popped.
#[cold]
#[inline(never)]
pub(crate) unsafe fn raise_op(
    ins: &XInstr,
    at: &mut LiveFrame,
    st: &mut RunState,
    bc: &Bytecode,
) -> Option<RuntimeError> {
    let (cur, pc, slots, stk, consts) = (at.code, at.pc, at.slots, at.stk, at.consts);
    let sp = &mut at.sp;
    let new_error = |st: &RunState, msg: String| trace::runtime_error(bc, msg, cur, pc, &st.frames);
    // SAFETY: the caller's contract: the values the instruction pops are live below `*sp`,
    // and its slot operand is one of the frame's slots.
    unsafe {
        match ins.op {
            op::THROW => {
                *sp = sp.sub(1);
                let v = ptr::read(*sp);
                let msg = thrown_message(&v);
                st.thrown = Some(v);
                Some(new_error(st, msg))
            }
            op::RERAISE => {
                let slot = &*slots.add(ins.a as usize);
                if slot.tag() == TAG_UNDEF {
                    return Some(new_error(st, trace::undefined(bc, cur, ins.a, false)));
                }
                let v = slot.clone();
                let base = slots.offset_from(stk) as usize;
                let again = caught_error(st, base, ins.a);
                let msg = thrown_message(&v);
                st.thrown = Some(v);
                Some(again.unwrap_or_else(|| new_error(st, msg)))
            }
            _ => {
                let n = ins.c as usize;
                let vals = std::slice::from_raw_parts(sp.sub(n), n);
                let name = consts[ins.a as usize]
                    .as_str()
                    .expect("verified: the event's name is a string");
                st.events.record(name, vals);
                for _ in 0..n {
                    *sp = sp.sub(1);
                    drop(ptr::read(*sp));
                }
                None
            }
        }
    }
}

/// The message of an error raised by `throw v` that no handler catches: `v`'s display form.
#[cold]
#[inline(never)]
pub(crate) fn thrown_message(v: &Value) -> String {
    v.to_string()
}

/// The value a handler receives for `err`: the thrown value, or the error's message.
fn raised_value(st: &mut RunState, err: &RuntimeError) -> Value {
    st.thrown
        .take()
        .unwrap_or_else(|| Value::str(err.message.as_str()))
}

/// Runs the loop from `resume` (the program's start if `None`) until it returns, resuming it
/// at the handler of each error one of its frames catches. For a nested run (`entry`, see
/// `reenter`), only the nested run's frames are searched: an error none of them catches leaves
/// the nested run (and fails the builtin that started it), with `st.thrown` kept for the
/// handler that may catch it at the builtin's call.
///
/// # Safety
/// As for [`run::interp`] (`run::run`'s contract); a nested run's frame is set up as
/// `resume` says, above the caller's live values.
pub(crate) unsafe fn run_catching<const L: u8, const J: bool, const B: bool>(
    p: &Prepared,
    bc: &Bytecode,
    st: &mut RunState,
    entry: Option<Entry>,
    mut resume: Option<Resume>,
) -> Result<Value, RuntimeError> {
    let bottom = entry.map_or(0, |e| e.base);
    loop {
        // SAFETY: the caller's contract; a resumption point from `catch` left a consistent
        // stack behind.
        let r = unsafe { run::interp::<L, J, B>(p, bc, st, entry, resume) };
        let Err(e) = &r else { return r };
        // SAFETY: the loop has just left with `e`, as `catch` requires.
        match unsafe { catch::<L>(p, bc, st, e, bottom) } {
            Some(at) => resume = Some(at),
            None => return r,
        }
    }
}

/// Catches the error the run loop just left with, if a handler covers it: unwinds `st` to the
/// handler and returns where to resume. Otherwise leaves `st` as the loop left it (for the
/// error's report and the profile's exact counts, or for `leave_nested`) and returns `None`.
/// `bottom` is where the slots of the run's first frame start (0, or a nested run's base).
///
/// # Safety
/// The run loop has just returned `err` for `p` (prepared from the verified `bc`): `st.live`
/// values at the bottom of the stack are live, `st.at` describes the failing
/// frame and `st.frames` its callers, and `st.prof` holds the run's hooks (for `L > NONE`).
pub(crate) unsafe fn catch<const L: u8>(
    p: &Prepared,
    bc: &Bytecode,
    st: &mut RunState,
    err: &RuntimeError,
    bottom: usize,
) -> Option<Resume> {
    if super::interrupt::pending() {
        return None;
    }
    // A limit (instructions, timeout, heap) ends the run: no handler may catch it.
    if st.gauge.is_some_and(|g| g.hit.get().is_some()) {
        return None;
    }
    // Search from the failing frame outward, without changing anything yet.
    let (mut code, mut pc) = st.at;
    let mut base = st.frames.last().map_or(bottom, |f| f.callee_base as usize);
    let mut level = st.frames.len();
    let handler = loop {
        if let Some(h) = bc.code()[code as usize].handler_for(pc) {
            break *h;
        }
        if level == 0 {
            return None;
        }
        level -= 1;
        let f = &st.frames[level];
        (code, pc, base) = (f.code, f.ret_pc - 1, f.base as usize);
    };
    if L >= LVL_BASIC {
        if let Some(h) = st.prof.as_deref_mut() {
            // SAFETY: the hooks' contract (`ProfHooks::new`) holds for the whole run.
            unsafe { leave_frames::<L>(h, bc, st.at, &st.frames[level..]) };
            h.entered(bc, code, handler.target);
        }
    }
    st.frames.truncate(level);
    // Entries of frames that are gone can go; a handler storing the raised value in a slot
    // records the error for a `RERAISE` of that slot.
    st.caught.retain(|c| c.base <= base);
    let ins = bc.code()[code as usize].instrs[handler.target as usize];
    if ins.op == crate::bytecode::Op::STORE_NAME {
        st.caught.retain(|c| !(c.base == base && c.slot == ins.a));
        st.caught.push(Caught {
            base,
            slot: ins.a,
            error: err.clone(),
        });
    }
    let target = base + p.codes[code as usize].n_slots as usize + handler.depth as usize;
    // SAFETY: the verifier proved that no instruction covered by the handler takes the stack
    // below `handler.depth`, and every frame above the handler's sits above its operands, so
    // `target <= st.live`; the values in `target..live` are live (callee slots included, which
    // calls fill), and the handler's frame has room for `depth + 1` values (its `max_stack`
    // counts the handler's entry).
    unsafe {
        let stk = st.stack.as_mut_ptr();
        debug_assert!(target <= st.live);
        ptr::drop_in_place(ptr::slice_from_raw_parts_mut(
            stk.add(target),
            st.live - target,
        ));
        let v = raised_value(st, err);
        ptr::write(stk.add(target), v);
    }
    st.live = 0;
    Some(Resume {
        code,
        pc: handler.target,
        base,
        sp: target + 1,
    })
}

/// For the profile: every frame from the failing one (`at`) down to the caller of `frames[0]`
/// stops after its current instruction, and the frames in `frames` (callers, innermost last)
/// are left, returning to their callers' call paths. Gives the code object of `frames[0]`'s
/// callee, the lowest frame left running.
///
/// # Safety
/// The hooks' contract (`ProfHooks::new`) holds; the run loop has just left with an error (it
/// flushed its dispatch count), and `frames` are the run's frames above the one kept.
unsafe fn leave_frames<const L: u8>(
    h: &mut ProfHooks,
    bc: &Bytecode,
    at: (u32, u32),
    frames: &[Frame],
) -> u32 {
    let mut callee = at.0;
    h.left_block(bc, at.0, at.1);
    for f in frames.iter().rev() {
        // SAFETY: the caller's contract. Control goes back to `f.code` (for the epochs'
        // function times); the run loop flushed its dispatch count when it left with the error.
        unsafe { h.leave::<L>(callee, f.t0, f.code, 0) };
        h.left_block(bc, f.code, f.ret_pc - 1);
        callee = f.code;
    }
    callee
}

/// A nested run (`entry`, see `reenter`) left with an error none of its frames catches: for
/// the profile's exact counts, call paths and times, all its frames stop where they are and
/// return, its callee to the builtin's caller (the error is then raised at the builtin's call,
/// where the caller's frames may catch it).
///
/// # Safety
/// As for [`catch`], which has just returned `None` for this nested run.
pub(crate) unsafe fn leave_nested<const L: u8>(bc: &Bytecode, st: &mut RunState, entry: &Entry) {
    if L < LVL_BASIC {
        return;
    }
    if let Some(h) = st.prof.as_deref_mut() {
        // SAFETY: the caller's contract.
        unsafe {
            let callee = leave_frames::<L>(h, bc, st.at, &st.frames);
            h.leave::<L>(callee, entry.t0, entry.caller, 0);
        }
    }
}
