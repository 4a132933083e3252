//! Calls and returns, out of the run loop's arms: entering a function (natively when the JIT
//! compiled it, else with a new frame), a closure's hidden cells, and a return to the caller.
//! The hot paths are `#[inline(always)]` (they become the loop's own code, its registers kept
//! in registers), the rare ones `#[cold]`.
//!
//! SAFETY (all functions): the run loop's invariants (`run.rs`) hold; `stk`, `sp` and `slots`
//! are the loop's stack registers, `[stk, sp)` live.

use std::ptr;

use zexus_runtime::value::{TAG_FUNC, TAG_OBJ};
use zexus_runtime::{Closure, Value};

use super::error::RuntimeError;
use super::frame::{Frame, LiveFrame, LVL_BASIC, LVL_DETAILED, LVL_FULL, LVL_NONE};
use super::loophooks::LoopHooks;
use super::prepared::{Prepared, XCode, XInstr};
use super::profhooks::ProfHooks;
use super::state::{grow, Entry, RunState};
use super::tier_fn::NativeCall;
use crate::bytecode::opcodes::codes as op;
use crate::bytecode::Bytecode;

/// A call about to start.
pub(super) struct Call {
    /// The code object called.
    pub callee: u32,
    /// Arguments on top of the stack, hidden ones (a closure's cells, a method's `this`)
    /// included.
    pub argc: usize,
    /// Of those, the hidden ones (not counted in an arity error's message).
    pub hidden: usize,
    /// Stack offset from which the result replaces everything above.
    pub ret_at: usize,
    /// Whether the callee's compiled code may run it.
    pub native: bool,
}

/// How a call started.
pub(super) enum Entered {
    /// Native code ran it: its result replaced the arguments; the loop goes on after the call.
    Native,
    /// Its frame was pushed: the loop goes on at the callee's first instruction.
    Frame,
}

/// The message of a call with the wrong number of arguments.
#[cold]
#[inline(never)]
fn arity_error(bc: &Bytecode, p: &Prepared, call: &Call) -> String {
    format!(
        "{} expects {} arguments, got {}",
        bc.code()[call.callee as usize].name,
        p.codes[call.callee as usize].arity as usize - call.hidden,
        call.argc - call.hidden
    )
}

/// Enters `call.callee` from the instruction at `ip` of `xc`, code object `cur`: runs its
/// compiled code if allowed, else pushes the caller's frame and the callee's slots (after
/// the arguments, all unassigned), growing the stack when needed. `Err` is the message the
/// loop raises (wrong argument count, call depth, interrupt).
///
/// # Safety
/// The module's contract; `call.argc` values are live at the top of the stack.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(super) unsafe fn enter<const L: u8, const J: bool>(
    p: &Prepared,
    bc: &Bytecode,
    st: &mut RunState,
    lh: &mut LoopHooks,
    (cur, xc, ip): (u32, &XCode, *const XInstr),
    (stk, sp, slots): (&mut *mut Value, &mut *mut Value, &mut *mut Value),
    call: Call,
) -> Result<Entered, String> {
    // SAFETY: the module's contract.
    unsafe {
        let argc = call.argc;
        let target = &p.codes[call.callee as usize];
        if target.arity as usize != argc {
            return Err(arity_error(bc, p, &call));
        }
        if st.frames.len() >= st.max_depth {
            return Err("maximum call depth exceeded".to_string());
        }
        if L == LVL_BASIC && super::interrupt::pending() {
            return Err(super::interrupt::MESSAGE.to_string());
        }
        let i = ip.offset_from(xc.code.as_ptr()) as usize;
        let pc = if i >= xc.half { i - xc.half } else { i };
        // A compiled function runs natively (not while call paths are recorded).
        if J && call.native
            && !st
                .tier
                .as_deref()
                .is_some_and(|t| t.calls_interpreted(call.callee))
            && (L == LVL_NONE || !lh.hooks.as_deref().expect("hooks").paths_on())
        {
            // A timed CALL must not include the native call's time.
            lh.finish_pending::<L>();
            let room = st.max_depth - st.frames.len();
            let counts = if L >= LVL_BASIC {
                Some(&lh.hooks.as_deref().expect("hooks").counts[..])
            } else {
                None
            };
            let tier = st.tier.as_deref_mut().expect("the JIT loop has a tier");
            let (callee, consts) = (call.callee, &xc.consts[..]);
            let native = NativeCall {
                callee,
                argc,
                room,
                counts,
            };
            let at = LiveFrame {
                code: cur,
                pc,
                stk: *stk,
                sp: *sp,
                slots: *slots,
                consts,
            };
            if let Some((v, ticks)) = tier.call_native(bc, native, at) {
                if L >= LVL_DETAILED {
                    let h = lh.get();
                    h.native_call_ran(call.callee, ticks, &st.frames, cur);
                    if L >= LVL_FULL {
                        h.native_call_done(call.callee, ticks);
                    }
                }
                for _ in 0..argc {
                    *sp = sp.sub(1);
                    ptr::drop_in_place(*sp);
                }
                ptr::write(*sp, v);
                *sp = sp.add(1);
                return Ok(Entered::Native);
            }
        }
        let base_off = sp.offset_from(*stk) as usize - argc;
        let need = base_off + target.frame_size as usize;
        if need > st.stack.capacity() {
            let live = sp.offset_from(*stk) as usize;
            let slots_off = slots.offset_from(*stk) as usize;
            grow(st, live, need);
            *stk = st.stack.as_mut_ptr();
            *sp = stk.add(live);
            *slots = stk.add(slots_off);
        }
        let t0 = if L >= LVL_BASIC {
            let d = lh.dispatches;
            lh.get().enter::<L>(call.callee, d)
        } else {
            0
        };
        st.frames.push(Frame {
            code: cur,
            ret_pc: pc as u32 + 1,
            base: slots.offset_from(*stk) as u32,
            ret_at: call.ret_at as u32,
            t0,
            callee_base: base_off as u32,
        });
        *slots = stk.add(base_off);
        for _ in argc..target.n_slots as usize {
            ptr::write(*sp, Value::UNDEF);
            *sp = sp.add(1);
        }
        Ok(Entered::Frame)
    }
}

/// The call a `CALL_NAME` or `CALL_VALUE` (`ins`) makes: of a function value, or of a
/// closure, whose cells it pushes after the arguments (the stack registers then reloaded, as
/// the stack may grow). `Err` gives the value called when it is not callable.
///
/// # Safety
/// The module's contract; `ins` is a `CALL_NAME` or `CALL_VALUE` whose operands are live.
#[inline(always)]
pub(super) unsafe fn call_of<'v>(
    st: &mut RunState,
    ins: &XInstr,
    (stk, sp, slots): (&mut *mut Value, &mut *mut Value, &mut *mut Value),
) -> Result<Call, &'v Value> {
    // SAFETY: the module's contract: the callee (a global or below the arguments) is live.
    unsafe {
        let argc = ins.c as usize;
        let (fv, ret_at): (&'v Value, _) = if ins.op == op::CALL_NAME {
            (&*stk.add(ins.a as usize), sp.sub(argc))
        } else {
            (&*sp.sub(argc + 1), sp.sub(argc + 1))
        };
        let ret_at = ret_at.offset_from(*stk) as usize;
        if fv.tag() != TAG_FUNC {
            let Some(clo) = fv.as_closure() else {
                return Err(fv);
            };
            // A closure: its cells follow the arguments as hidden ones.
            let call;
            (call, (*stk, *sp, *slots)) = closure_call(st, clo, argc, ret_at, (*stk, *sp, *slots));
            return Ok(call);
        }
        Ok(Call {
            callee: fv.payload() as u32,
            argc,
            hidden: 0,
            ret_at,
            native: ins.op == op::CALL_NAME,
        })
    }
}

/// The call a `CALL_METHOD` of `name` with `argc` arguments makes when the object below them
/// is an object with that method: the object its first argument (`this`), hidden.
///
/// # Safety
/// The module's contract; the object and the `argc` arguments are live below `sp`.
#[inline(always)]
pub(super) unsafe fn method_call(
    stk: *mut Value,
    sp: *mut Value,
    argc: usize,
    name: &Value,
) -> Option<Call> {
    // SAFETY: the module's contract: the object is live below the arguments.
    let obj = unsafe { &*sp.sub(argc + 1) };
    if obj.tag() != TAG_OBJ {
        return None;
    }
    let callee = super::objects::method_of(obj, name)?;
    Some(Call {
        callee,
        argc: argc + 1,
        hidden: 1,
        // SAFETY: the module's contract: `sp` and `stk` point into the same buffer.
        ret_at: unsafe { sp.offset_from(stk) } as usize - (argc + 1),
        native: false,
    })
}

/// Pushes a closure's cells after its `argc` arguments (growing the stack when needed) and
/// gives the call of its function, the cells as hidden arguments.
///
/// # Safety
/// The module's contract; `ret_at` is a stack offset at or below the arguments.
#[cold]
#[inline(never)]
pub(super) unsafe fn closure_call(
    st: &mut RunState,
    clo: &Closure,
    argc: usize,
    ret_at: usize,
    (stk, sp, slots): (*mut Value, *mut Value, *mut Value),
) -> (Call, (*mut Value, *mut Value, *mut Value)) {
    // SAFETY: the module's contract.
    unsafe {
        let cells = clo.cells.clone();
        let k = cells.len();
        let (mut stk, mut sp, mut slots) = (stk, sp, slots);
        let live = sp.offset_from(stk) as usize;
        if live + k > st.stack.capacity() {
            let slots_off = slots.offset_from(stk) as usize;
            grow(st, live, live + k);
            stk = st.stack.as_mut_ptr();
            sp = stk.add(live);
            slots = stk.add(slots_off);
        }
        for c in cells {
            ptr::write(sp, c);
            sp = sp.add(1);
        }
        let call = Call {
            callee: clo.func,
            argc: argc + k,
            hidden: k,
            ret_at,
            native: false,
        };
        (call, (stk, sp, slots))
    }
}

/// Returns `v` to the suspended caller `fr`: drops what is left of the callee's frame and
/// the call's operands (from `fr.ret_at` up), pushes `v` and gives the caller's slots. The
/// loop then resumes the caller's code at `fr.ret_pc`.
///
/// # Safety
/// The module's contract; `fr` is the frame popped for this return.
#[inline(always)]
pub(super) unsafe fn return_to(
    fr: &Frame,
    v: Value,
    stk: *mut Value,
    sp: &mut *mut Value,
) -> *mut Value {
    // SAFETY: the module's contract: `[ret_at, sp)` are live values of the returning call.
    unsafe {
        let ret_at = stk.add(fr.ret_at as usize);
        while *sp > ret_at {
            *sp = sp.sub(1);
            ptr::drop_in_place(*sp);
        }
        ptr::write(*sp, v);
        *sp = sp.add(1);
        stk.add(fr.base as usize)
    }
}

/// The last `RETURN` of a run, at the live frame `at` (its result popped), whose values above
/// the run's base are left: the program's own (its globals may be kept, see `carry`; the rest
/// is released) or a nested run's (`entry`: the callee's frame is released). Finishes the
/// hooks' timing of the run, whose loop counted `dispatches`.
///
/// # Safety
/// The module's contract; the run's base is 0 for the program, `entry.base` for a nested run.
#[cold]
#[inline(never)]
pub(super) unsafe fn finish<const L: u8>(
    p: &Prepared,
    st: &mut RunState,
    hooks: Option<&mut ProfHooks>,
    dispatches: u64,
    entry: Option<Entry>,
    at: LiveFrame,
) {
    let (cur, stk) = (at.code, at.stk);
    // SAFETY: the module's contract: `sp` and `stk` point into the same buffer.
    let live = unsafe { at.sp.offset_from(stk) } as usize - entry.map_or(0, |e| e.base);
    if L >= LVL_BASIC {
        let h = hooks.expect("hooks");
        if L >= LVL_DETAILED {
            h.finish_pending();
        }
        if let Some(e) = &entry {
            // SAFETY: the hooks were made for this run's code objects (the module's contract).
            unsafe { h.leave::<L>(cur, e.t0, e.caller, dispatches) };
        }
    }
    match entry {
        // SAFETY: the module's contract: the program's `live` values start at `stk`.
        None => unsafe { super::carry::keep(st, stk, live, p.codes[0].n_slots as usize) },
        // SAFETY: the module's contract: the callee's `live` values start at `e.base`.
        Some(e) => unsafe {
            ptr::drop_in_place(ptr::slice_from_raw_parts_mut(stk.add(e.base), live))
        },
    }
}

/// The loop's stack registers after a host call that called back (`back`, see `reenter`):
/// in the stack buffer now in use, which may have moved; and the error of the nested run's
/// callee, if it failed. Frees the retired buffers once no nested run is under way.
#[cold]
#[inline(never)]
#[allow(clippy::type_complexity)]
pub(super) fn reload(
    st: &mut RunState,
    back: super::reenter::Back,
) -> ((*mut Value, *mut Value, *mut Value), Option<RuntimeError>) {
    let stk = st.stack.as_mut_ptr();
    if st.nesting == 0 {
        st.retired.clear();
    }
    // SAFETY: the offsets are inside the buffer now in use (the host's `Back`).
    let regs = unsafe { (stk, stk.add(back.sp), stk.add(back.slots)) };
    (regs, back.failed)
}
