//! Calls from builtins back into user functions: the VM's [`Host`].
//!
//! A builtin such as `map` calls its function argument through the host the run loop hands
//! it. The host runs the callee in a nested run of the same copy of the run loop (same
//! profiling level, same JIT tier), on the same stack just above the caller's operands, with
//! a frame list of its own:
//!
//! - the callee's frame starts at the caller's stack pointer (its arguments are copied there);
//!   it is entered like any call (counted, timed at FULL, on the call path) and its `RETURN`
//!   ends the nested run, because the nested frame list is then empty;
//! - for the profiler's function times (epochs, `profhooks`), the caller's loop first hands
//!   its local dispatch count to the hooks, so the counts they see stay monotonic across the
//!   nested run (which counts from zero), and the callee's return makes the caller's code
//!   object the running one again (`Entry::caller`);
//! - the call depth limit counts the caller's frames: the nested run gets what is left;
//! - the stack buffer may grow during the nested run: the old buffer is kept (`retired`)
//!   until the outermost loop resumes, because the builtin below may still read its arguments
//!   there, and the caller reloads its pointers from offsets afterwards;
//! - the nested run catches errors with its own frames' handlers (`unwind::run_catching`); an
//!   error none of them catches ends it (its frames are settled in the profile then, see
//!   `unwind::leave_nested`) and comes back as the builtin's error: the run loop continues the
//!   callee's trace with the caller's frames and raises it at the builtin's call, where the
//!   caller's frames' handlers may catch it.
//!
//! The callee always runs in the interpreter (its loops may be compiled, as any code's), so
//! counts and profiles are the same with the JIT on and off. Native code cannot call back: its
//! host is [`NoHost`](super::builtins::NoHost), and the interpreter redoes such a call.

use zexus_runtime::value::TAG_FUNC;
use zexus_runtime::{OpError, Value};

use super::builtins::{Host, Probe};
use super::error::RuntimeError;
use super::frame::{self, LiveFrame, LVL_BASIC, LVL_DETAILED};
use super::loophooks::LoopHooks;
use super::prepared::Prepared;
use super::profhooks::ProfHooks;
use super::state::{self, Entry, RunState};
use super::trace;
use super::unwind::{self, Resume};
use crate::bytecode::Bytecode;

/// The message a builtin passes on when a callee failed (the real error is the host's).
const CALLEE_FAILED: &str = "a function called by a builtin failed";

/// What the caller reloads after a builtin that called back.
pub(crate) struct Back {
    /// Offset of the stack pointer from the stack's start.
    pub sp: usize,
    /// Offset of the current frame's slots.
    pub slots: usize,
    /// The callee's error, if one failed.
    pub failed: Option<RuntimeError>,
}

/// The host of one builtin call of the run loop at level `L` (JIT copy if `J`).
pub(crate) struct VmHost<'r, 'a, const L: u8, const J: bool, const B: bool> {
    p: &'r Prepared,
    bc: &'r Bytecode,
    st: &'r mut RunState<'a>,
    hooks: &'r mut Option<&'a mut ProfHooks>,
    dispatches: &'r mut u64,
    /// The caller's live frame at the builtin's call.
    at: LiveFrame<'r>,
    back: Option<Back>,
}

impl<'r, 'a, const L: u8, const J: bool, const B: bool> VmHost<'r, 'a, L, J, B> {
    /// A host for a builtin called at the loop's live frame `at`.
    pub fn new(
        p: &'r Prepared,
        bc: &'r Bytecode,
        st: &'r mut RunState<'a>,
        hooks: &'r mut Option<&'a mut ProfHooks>,
        dispatches: &'r mut u64,
        at: LiveFrame<'r>,
    ) -> Self {
        VmHost {
            p,
            bc,
            st,
            hooks,
            dispatches,
            at,
            back: None,
        }
    }

    /// `None` if nothing was called back; otherwise the stack offsets to reload and the
    /// failed callee's error.
    pub fn finish(self) -> Option<Back> {
        self.back
    }
}

/// Runs `call`, a builtin or method call of the run loop at its live frame `at`, with a host
/// that can call back, and gives its result. The loop's hooks are in `st.prof` before and
/// after; if the call called back, `st.back` says what the loop reloads (and the dispatches
/// were flushed into the hooks). Out of line, so the run loop's arms stay small.
#[inline(never)]
pub(crate) fn call_with_host<const L: u8, const J: bool, const B: bool, F>(
    p: &Prepared,
    bc: &Bytecode,
    st: &mut RunState,
    mut dispatches: u64,
    at: LiveFrame,
    call: F,
) -> Result<Value, OpError>
where
    F: FnOnce(&mut dyn Host) -> Result<Value, OpError>,
{
    let mut hooks = st.prof.take();
    let mut host = VmHost::<L, J, B>::new(p, bc, st, &mut hooks, &mut dispatches, at);
    let r = call(&mut host);
    let back = host.finish();
    st.prof = hooks;
    st.back = back;
    r
}

/// What a builtin or method call of the run loop failed with.
pub(crate) enum HostError {
    /// The builtin's own error (the loop raises it as a failed operator's).
    Op(OpError),
    /// A function it called back failed: that error, its trace continued with the caller's.
    Nested(RuntimeError),
}

/// A builtin or method call `call` of the run loop at its live frame `at` (with profiling state
/// `lh`): first with a [`Probe`] for host, and only if it tried to call a function (having
/// changed nothing yet), again with a host that can ([`call_with_host`]), after which the
/// stack may have moved: `at`'s stack registers are then the ones the loop reloads. The
/// common builtin call pays nothing for this.
///
/// # Safety
/// `at` is the run loop's live frame (see [`LiveFrame`]) and `lh` its profiling state.
#[inline(always)]
pub(crate) unsafe fn host_call<'a, const L: u8, const J: bool, const B: bool, F>(
    p: &Prepared,
    bc: &Bytecode,
    st: &mut RunState<'a>,
    lh: &mut LoopHooks<'a>,
    at: &mut LiveFrame,
    call: F,
) -> Result<Value, HostError>
where
    F: Fn(&mut dyn Host) -> Result<Value, OpError>,
{
    let mut probe = Probe::default();
    let r = match call(&mut probe) {
        Err(_) if probe.called => {
            st.prof = lh.hooks.take();
            let r = call_with_host::<L, J, B, _>(p, bc, st, lh.dispatches, *at, call);
            lh.hooks = st.prof.take();
            if let Some(back) = st.back.take() {
                // The host flushed the dispatches into the hooks.
                lh.dispatches = 0;
                let (regs, failed) = super::calls::reload(st, back);
                (at.stk, at.sp, at.slots) = regs;
                if let Some(nested) = failed {
                    // Raised at the builtin's call: handlers of the caller's frames may catch it.
                    let e = continue_trace(bc, nested, at.code, at.pc, &st.frames);
                    return Err(HostError::Nested(e));
                }
            }
            r
        }
        r => r,
    };
    r.map_err(HostError::Op)
}

/// Sets up the frame of a nested run's `callee` at stack offset `base`, where its `argc`
/// arguments already are: the other slots unassigned. Gives where the run starts.
///
/// # Safety
/// The stack buffer has room for the callee's `frame_size` values above `base`, and the
/// values from `base + argc` up are dead.
unsafe fn start_entry(
    p: &Prepared,
    st: &mut RunState,
    callee: u32,
    base: usize,
    argc: usize,
) -> Resume {
    let target = &p.codes[callee as usize];
    debug_assert!(st.stack.capacity() >= base + target.frame_size as usize);
    let slots = st.stack.as_mut_ptr().wrapping_add(base);
    for i in argc..target.n_slots as usize {
        // SAFETY: the caller's contract: the slot is room for a value.
        unsafe { std::ptr::write(slots.add(i), Value::UNDEF) };
    }
    Resume {
        code: callee,
        pc: 0,
        base,
        sp: base + target.n_slots as usize,
    }
}

/// Continues the trace of an error raised in a nested run with the caller's: the builtin's
/// call at (`code`, `pc`) under `frames`.
pub(crate) fn continue_trace(
    bc: &Bytecode,
    mut nested: RuntimeError,
    code: u32,
    pc: usize,
    frames: &[frame::Frame],
) -> RuntimeError {
    let outer = trace::runtime_error(bc, String::new(), code, pc, frames);
    nested.trace.extend(outer.trace);
    nested
}

impl<const L: u8, const J: bool, const B: bool> Host for VmHost<'_, '_, L, J, B> {
    fn call(&mut self, f: &Value, args: &[Value]) -> Result<Value, OpError> {
        if self.st.nesting >= super::builtins::MAX_CALLBACK_NESTING {
            return Err(OpError::Other(super::builtins::too_nested()));
        }
        // A closure's cells follow the arguments as hidden ones.
        let with_cells: Vec<Value>;
        let (callee, args, hidden) = if f.tag() == TAG_FUNC {
            (f.payload() as u32, args, 0)
        } else if let Some(c) = f.as_closure() {
            with_cells = args.iter().chain(&c.cells).cloned().collect();
            (c.func, &with_cells[..], c.cells.len())
        } else {
            return Err(OpError::Other(format!(
                "{} value is not a function",
                zexus_runtime::ops::a_type(f)
            )));
        };
        let target = &self.p.codes[callee as usize];
        if target.arity as usize != args.len() {
            return Err(OpError::Other(format!(
                "{} expects {} arguments, got {}",
                self.bc.code()[callee as usize].name,
                target.arity as usize - hidden,
                args.len() - hidden
            )));
        }
        let st = &mut *self.st;
        if st.frames.len() >= st.max_depth {
            return Err(OpError::Other("maximum call depth exceeded".into()));
        }
        // Where the caller's values end, measured in the buffer as it is now (an earlier
        // call back may have moved it).
        if self.back.is_none() {
            // SAFETY: `sp` and `slots` point into the buffer that starts at `stk`.
            let (sp, slots) = unsafe {
                let at = &self.at;
                (
                    at.sp.offset_from(at.stk) as usize,
                    at.slots.offset_from(at.stk) as usize,
                )
            };
            self.back = Some(Back {
                sp,
                slots,
                failed: None,
            });
        }
        let base = self.back.as_ref().expect("set above").sp;
        let need = base + target.frame_size as usize + 64;
        if need > st.stack.capacity() {
            st.nesting += 1;
            state::grow(st, base, need);
            st.nesting -= 1;
        }
        // SAFETY: the buffer has room for the callee's frame above `base` (checked above), and
        // everything from `base` up is dead; the arguments are cloned before anything moves.
        unsafe {
            let at = st.stack.as_mut_ptr().add(base);
            for (i, a) in args.iter().enumerate() {
                std::ptr::write(at.add(i), a.clone());
            }
        }
        let mut t0 = 0;
        if L >= LVL_BASIC {
            let h = self.hooks.as_deref_mut().expect("hooks");
            if L >= LVL_DETAILED {
                // The builtin's own sample must not include the callee's time.
                h.finish_pending();
            }
            h.dispatches += std::mem::take(self.dispatches);
            h.push_outer(st.frames.iter().map(|f| f.code), self.at.code);
            // SAFETY: the hooks' contract (`ProfHooks::new`) holds for the whole run; the
            // caller's dispatches were flushed just above.
            t0 = unsafe { h.enter::<L>(callee, 0) };
        }
        st.prof = self.hooks.take();
        let frames = std::mem::take(&mut st.frames);
        let max_depth = st.max_depth;
        st.max_depth = max_depth - frames.len() - 1;
        st.nesting += 1;
        let entry = Entry {
            base,
            caller: self.at.code,
            t0,
        };
        // SAFETY: as for the outer run (`run::run`'s contract, which the caller's loop holds):
        // the callee's frame is set up above the caller's live values, in a buffer with room
        // for it (grown above).
        let r = unsafe {
            let start = start_entry(self.p, st, callee, base, args.len());
            unwind::run_catching::<L, J, B>(self.p, self.bc, st, Some(entry), Some(start))
        };
        st.nesting -= 1;
        if r.is_err() {
            // SAFETY: no handler of the nested run's frames caught the error (`run_catching`
            // returned it), and the hooks are in `st.prof`.
            unsafe { unwind::leave_nested::<L>(self.bc, st, &entry) };
            // The nested run's live values above the caller's.
            // SAFETY: values in `[base, live)` belong to the nested run, which has ended.
            unsafe {
                let p = st.stack.as_mut_ptr().add(base);
                std::ptr::drop_in_place(std::ptr::slice_from_raw_parts_mut(
                    p,
                    st.live.saturating_sub(base),
                ));
            }
            st.live = 0;
        }
        st.frames = frames;
        st.max_depth = max_depth;
        *self.hooks = st.prof.take();
        if L >= LVL_BASIC {
            self.hooks.as_deref_mut().expect("hooks").pop_outer();
        }
        r.map_err(|e| {
            self.back.as_mut().expect("set above").failed = Some(e);
            OpError::Other(CALLEE_FAILED.into())
        })
    }
}
