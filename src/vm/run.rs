//! The run loop: one `match` over the internal instructions, monomorphised per profiling level
//! (`L`), so that a level's hooks cost nothing in the copies that do not have them.
//!
//! Invariants the `unsafe` code here relies on, all established before the loop starts:
//! - every code object passed the verifier: operands are in range, jump targets are inside the
//!   code, and the operand stack depth at each instruction is fixed and within `max_stack`;
//! - each frame has `frame_size` = slots + max stack + 1 values of room above its base (checked
//!   at every call, growing the buffer and re-deriving pointers when needed);
//! - values in `[stack, sp)` are live and owned by the stack; everything above `sp` is dead
//!   memory that is written with `ptr::write` and never dropped;
//! - the profiler's per-ip vectors were sized for these code objects and are not resized while
//!   the loop runs.
//!
//! State lives in locals (`ip`, `sp`, `slots`, the code pointers) and is written back to
//! `RunState` only where an error can leave the loop (STYLE.md 4).

use std::ptr;

use zexus_runtime::value::{
    TAG_BOOL, TAG_FUNC, TAG_INT, TAG_ITER, TAG_LIST, TAG_NULL, TAG_OBJ, TAG_STR, TAG_UNDEF,
};
use zexus_runtime::{attr, bitwise, ops};
use zexus_runtime::{OpError, RangeIter, Value};

use super::builtins;
use super::error::RuntimeError;
use super::floatpath;
use super::fused;
use super::objects;
use super::output::Output;
use super::prepared::*;
use super::profhooks::{ProfHooks, Step};
use super::superinstr::si;
use super::trace;
use super::unwind::Resume;
use crate::bytecode::opcodes::codes as op;
use crate::bytecode::Bytecode;

/// Level numbers for the `L` parameter of [`run`].
pub(crate) const LVL_NONE: u8 = 0;
pub(crate) const LVL_BASIC: u8 = 1;
pub(crate) const LVL_DETAILED: u8 = 2;
pub(crate) const LVL_FULL: u8 = 3;

/// A suspended caller.
pub(crate) struct Frame {
    pub code: u32,
    pub ret_pc: u32,
    pub base: u32,
    pub ret_at: u32,
    pub t0: u64,
    /// Where the callee's slots start (the unwinder's way to the top frame's slots, so that the
    /// run loop's error paths need not keep them).
    pub callee_base: u32,
}

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

/// Runs the program from its first instruction and returns the value of its `RETURN`.
/// `J` selects the copy with the JIT tier's back-edge hooks, `B` the copy that checks the
/// limits in `st.gauge` before each instruction (`limits.rs`).
///
/// # Safety
/// `p` was prepared from `bc` (whose verification gives the module's invariants); for
/// `L > LVL_NONE`, `st.prof` holds hooks made for `bc`'s code objects, whose contract
/// (`ProfHooks::new`) holds; for `J`, `st.tier` began this run with `bc`.
pub(crate) unsafe fn run<const L: u8, const J: bool, const B: bool>(
    p: &Prepared,
    bc: &Bytecode,
    st: &mut RunState,
) -> Result<Value, RuntimeError> {
    st.frames.clear();
    st.live = 0;
    st.nesting = 0;
    st.thrown = None;
    st.caught.clear();
    // SAFETY: the module's invariants hold: `p` was prepared from the verified `bc`, and the
    // hooks and tier were set up for it (this function's contract).
    let r = unsafe { super::unwind::run_catching::<L, J, B>(p, bc, st, None, None) };
    st.retired.clear();
    st.thrown = None;
    if r.is_err() {
        // SAFETY: `live` values at the bottom of the stack are initialised and owned by it.
        unsafe {
            let base = st.stack.as_mut_ptr();
            let live = st.live;
            super::carry::keep(st, base, live, p.codes[0].n_slots as usize);
        }
        st.live = 0;
    }
    r
}

/// Sets up the program's frame at the bottom of the stack: its slots (the globals), all
/// unassigned.
///
/// # Safety
/// `p` is the prepared program of the run; `st.stack` holds no live values.
unsafe fn start_main(p: &Prepared, st: &mut RunState) -> Resume {
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

/// Error text for a failed operator at `pc`, naming the variable an operand came from.
#[cold]
#[inline(never)]
fn op_error(bc: &Bytecode, code: u32, pc: usize, e: OpError) -> String {
    trace::describe_op_error(bc, code as usize, pc, e)
}

/// # Safety
/// `*sp` is dead room inside the stack buffer; it is written without dropping.
#[inline(always)]
unsafe fn push(sp: &mut *mut Value, v: Value) {
    // SAFETY: the caller's contract: `*sp` is room for one value.
    unsafe {
        ptr::write(*sp, v);
        *sp = sp.add(1);
    }
}

/// # Safety
/// `*sp - 1` is a live value of the stack, which the caller takes over.
#[inline(always)]
unsafe fn pop(sp: &mut *mut Value) -> Value {
    // SAFETY: the caller's contract: the value below `*sp` is live and now ours.
    unsafe {
        *sp = sp.sub(1);
        ptr::read(*sp)
    }
}

/// Replaces the value at `p`, dropping the old one.
///
/// # Safety
/// `p` points to a live value, which is dropped and replaced.
#[inline(always)]
unsafe fn set(p: *mut Value, v: Value) {
    // SAFETY: the caller's contract: `p` is a live value.
    unsafe {
        let old = ptr::replace(p, v);
        drop(old);
    }
}

/// The float path of an operator that has none (the general operator runs).
const NO_FLOAT: fn(f64, f64) -> Option<f64> = |_, _| None;

/// # Safety
/// `a` and `b` point to live values.
#[inline(always)]
unsafe fn is_int2(a: *const Value, b: *const Value) -> bool {
    // SAFETY: the caller's contract: both point to live values.
    unsafe { ((*a).tag() | (*b).tag()) == TAG_INT }
}

/// # Safety
/// The module's invariants hold for `p`, `bc` and `st` (`run` checks what it can).
#[allow(clippy::cognitive_complexity)]
pub(crate) unsafe fn interp<const L: u8, const J: bool, const B: bool>(
    p: &Prepared,
    bc: &Bytecode,
    st: &mut RunState,
    entry: Option<Entry>,
    resume: Option<Resume>,
) -> Result<Value, RuntimeError> {
    // SAFETY: the module's invariants (top of this file) hold for `p`, `bc` and `st`, as the
    // SAFETY: caller promises; every raw-pointer access and unchecked operation below relies on them.
    unsafe {
        // A fresh run starts the program's frame; a nested run (`entry`, see `reenter`) and a
        // run resumed after a caught error start where `resume` says. A nested run's frame
        // list starts empty: its callee's frame is at `entry.base`.
        let fresh = resume.is_none();
        let base = entry.map_or(0, |e| e.base);
        let at = resume.unwrap_or_else(|| start_main(p, st));
        let mut stk: *mut Value = st.stack.as_mut_ptr();
        let mut slots: *mut Value = stk.add(at.base);
        let mut sp: *mut Value = stk.add(at.sp);

        let mut cur: u32 = at.code;
        let mut xc: &XCode = &p.codes[cur as usize];
        let mut ip: *const XInstr = xc.code.as_ptr().add(at.pc as usize);
        // The index of the current instruction (only computed off the plain dispatch path).
        macro_rules! pc {
            () => {{
                let i = ip.offset_from(xc.code.as_ptr()) as usize;
                if i >= xc.half {
                    i - xc.half
                } else {
                    i
                }
            }};
        }

        let mut hooks = st.prof.take();
        // DETAILED and up: where the heap meter counts allocations (see `allocsites.rs`); the
        // loop writes the instruction pointer there before each dispatch.
        let site: *mut u64 = if L >= LVL_DETAILED {
            zexus_runtime::meter::site_cell()
        } else {
            ptr::null_mut()
        };
        // The limits and the cache simulation (the `B` copy only).
        let gauge = st.gauge;
        let cache = st.cache;
        // The run loop's dispatches (BASIC and up), kept in a local and handed to the hooks
        // when the loop is left.
        let mut dispatches: u64 = 0;
        macro_rules! flush_dispatches {
            () => {
                if L >= LVL_BASIC {
                    if let Some(h) = hooks.as_deref_mut() {
                        h.dispatches += dispatches;
                    }
                }
            };
        }
        // The interpreter's taken-edge counter of the jump or branch at `ip` is at byte address
        // `cbase + ip / 4`: counters are 8 bytes per 32-byte instruction, in a scratch array that
        // covers both halves of the code (ProfHooks::fold derives exact counts from them).
        let mut cbase: usize = 0;
        if L >= LVL_BASIC {
            let h = hooks.as_deref_mut().expect("profiling run has hooks");
            cbase = (h.counts[cur as usize] as usize)
                .wrapping_sub(xc.code.as_ptr() as usize >> COUNTER_SHIFT);
            if fresh {
                *h.calls[0] += 1;
            }
        }
        // The instruction being timed at DETAILED and above: (timing stats, start ticks).

        macro_rules! switch_to {
            ($c:expr) => {{
                cur = $c;
                xc = &p.codes[cur as usize];
                if L >= LVL_BASIC {
                    cbase = (hooks.as_deref_mut().expect("hooks").counts[cur as usize] as usize)
                        .wrapping_sub(xc.code.as_ptr() as usize >> COUNTER_SHIFT);
                }
            }};
        }
        // Leaves the loop with error `$err`, raised by the current instruction (`throw!` is the
        // same with the error made here; written out, as the run loop's code is sensitive to it).
        macro_rules! raise {
            ($err:expr) => {{
                let err: RuntimeError = $err;
                if L >= LVL_DETAILED {
                    // The failing instruction was timed up to its error.
                    hooks.as_deref_mut().expect("hooks").finish_pending();
                }
                st.live = sp.offset_from(stk) as usize;
                st.at = (cur, pc!() as u32);
                flush_dispatches!();
                st.prof = hooks;
                return Err(err);
            }};
        }
        // Leaves the loop with an error raised by the current instruction.
        macro_rules! throw {
            ($msg:expr) => {{
                let msg: String = $msg;
                if L >= LVL_DETAILED {
                    // The failing instruction was timed up to its error.
                    hooks.as_deref_mut().expect("hooks").finish_pending();
                }
                st.live = sp.offset_from(stk) as usize;
                st.at = (cur, pc!() as u32);
                flush_dispatches!();
                st.prof = hooks;
                return Err(trace::runtime_error(bc, msg, cur, pc!(), &st.frames));
            }};
        }
        macro_rules! op_err {
            ($e:expr) => {
                throw!(op_error(bc, cur, pc!(), $e))
            };
        }
        // Calls a builtin or method (`$call`, a function of the host) that calls back into a
        // nested run of this loop; afterwards the stack may have moved. Gives its result, or
        // leaves the loop with the error of a failed callee (its trace continued with ours).
        // The arms call builtins with a `Probe` first, and only a call that tried to call a
        // function (having changed nothing yet) runs again here: the common builtin call pays
        // nothing for this.
        macro_rules! with_host {
            ($call:expr) => {{
                let r = super::reenter::call_with_host::<L, J, B, _>(
                    p,
                    bc,
                    &mut *st,
                    hooks.take(),
                    dispatches,
                    (cur, stk, sp, slots),
                    $call,
                );
                hooks = st.prof.take();
                match st.back.take() {
                    None => r,
                    Some(back) => {
                        // The host flushed the dispatches into the hooks.
                        dispatches = 0;
                        stk = st.stack.as_mut_ptr();
                        sp = stk.add(back.sp);
                        slots = stk.add(back.slots);
                        if st.nesting == 0 {
                            st.retired.clear();
                        }
                        if let Some(nested) = back.failed {
                            // Raised at the builtin's call: handlers of this run's frames may
                            // catch it.
                            raise!(super::reenter::continue_trace(
                                bc,
                                nested,
                                cur,
                                pc!(),
                                &st.frames,
                            ));
                        }
                        r
                    }
                }
            }};
        }
        macro_rules! branch {
            ($at:expr, $taken:expr) => {
                if L >= LVL_FULL {
                    hooks
                        .as_deref_mut()
                        .expect("hooks")
                        .branch(cur, $at, $taken);
                }
            };
        }
        // Counts one taken edge: the jump or branch `k` instructions after `ip` (BASIC and up).
        // Only jumps taken are counted; `ProfHooks::fold` derives every instruction's exact count
        // from them, the entries of each code object and the JIT's resumptions.
        macro_rules! edge {
            ($k:expr) => {
                if L >= LVL_BASIC {
                    *(cbase.wrapping_add(ip.add($k) as usize >> COUNTER_SHIFT) as *mut u64) += 1;
                }
            };
        }
        // The JIT tier left a loop to resume at `pc`: the interpreter did not count that entry.
        macro_rules! resumed {
            ($pc:expr) => {
                if L >= LVL_BASIC {
                    *hooks.as_deref_mut().expect("hooks").counts[cur as usize]
                        .add(2 * xc.half + $pc) += 1;
                }
            };
        }
        // An arithmetic operator: `$fast` on two ints, `$ffast` on two numbers of which one is a
        // float (`floatpath`), in place; `None` from either (or other types) takes `$slow`.
        macro_rules! binop {
            ($fast:expr, $ffast:expr, $slow:path) => {{
                let b = sp.sub(1);
                let a = sp.sub(2);
                let done = if is_int2(a, b) {
                    match $fast((*a).payload() as i64, (*b).payload() as i64) {
                        Some(r) => {
                            (*a).set_int_unchecked(r);
                            true
                        }
                        None => false,
                    }
                } else if floatpath::is_num2(a, b) {
                    match $ffast(floatpath::num(a), floatpath::num(b)) {
                        Some(r) => {
                            // SAFETY: `a` holds a number, which owns nothing to drop.
                            std::ptr::write(a, Value::float(r));
                            true
                        }
                        None => false,
                    }
                } else {
                    false
                };
                match done {
                    true => sp = b,
                    false => {
                        let rb = pop(&mut sp);
                        let ra = pop(&mut sp);
                        match $slow(&ra, &rb) {
                            Ok(v) => push(&mut sp, v),
                            Err(e) => {
                                push(&mut sp, ra);
                                push(&mut sp, rb);
                                op_err!(e)
                            }
                        }
                    }
                }
                ip = ip.add(1);
            }};
        }
        macro_rules! cmpop {
            ($k:expr) => {{
                let b = sp.sub(1);
                let a = sp.sub(2);
                let r = if is_int2(a, b) {
                    int_cmp($k, (*a).payload() as i64, (*b).payload() as i64)
                } else if floatpath::is_num2(a, b) {
                    floatpath::float_cmp($k, floatpath::num(a), floatpath::num(b))
                } else {
                    match slow_cmp($k, &*a, &*b) {
                        Ok(r) => r,
                        Err(e) => op_err!(e),
                    }
                };
                drop(pop(&mut sp));
                set(sp.sub(1), Value::bool(r));
                ip = ip.add(1);
            }};
        }

        // The superinstruction shapes, as expressions: `true` when the fast int case ran (and `ip`
        // moved on), `false` when the original instructions must run instead (`unfused!`). `$k` is
        // the operation: `ins.k` in the generic shapes, a constant in the specialised copies.
        macro_rules! unfused {
            ($ins:expr) => {{
                if L >= LVL_DETAILED {
                    hooks.as_deref_mut().expect("hooks").refund($ins.n as u32);
                }
                ip = ip.add(xc.half);
            }};
        }
        // The `JUMP_IF_FALSE` `$k` instructions after `ip` (the last of its shape) on test `$t`:
        // records the branch (FULL) and the taken edge (BASIC), then falls through or jumps.
        macro_rules! jump_if_false {
            ($ins:expr, $k:expr, $t:expr) => {{
                let t: bool = $t;
                branch!(pc!() + $k, !t);
                ip = if t {
                    ip.add($k + 1)
                } else {
                    edge!($k);
                    ip.offset($ins.d as isize)
                };
            }};
        }
        // The end of a superinstruction's arm: if `$ok` (having moved `ip` itself, or to be moved
        // past the `$n` instructions of the shape), go on to the next instruction; otherwise run
        // the shape's first original instruction alone. The loop labels come in as arguments:
        // a macro body cannot name a label defined outside it.
        macro_rules! shape {
        ($fetch:lifetime, $dispatch:lifetime, $ins:expr, $ok:expr, $n:expr) => {{
            if $ok {
                ip = ip.add($n);
                continue $fetch;
            }
            unfused!($ins);
            continue $dispatch;
        }};
        ($fetch:lifetime, $dispatch:lifetime, $ins:expr, $ok:expr) => {{
            if $ok {
                continue $fetch;
            }
            unfused!($ins);
            continue $dispatch;
        }};
    }
        // The operands of a shape on two slots (`$ss`) or a slot and a constant: (the first
        // slot, whether both are ints, the second as an int).
        macro_rules! int_operands {
            ($ins:expr, $ss:expr) => {{
                let a = slots.add($ins.a as usize);
                let (ok, y) = if $ss {
                    let b = slots.add($ins.c as usize);
                    (is_int2(a, b), (*b).payload() as i64)
                } else {
                    ((*a).tag() == TAG_INT, $ins.imm)
                };
                (a, ok, y)
            }};
        }
        // `y z CMP JUMP_IF_FALSE` (`$ss`) or `y k CMP JUMP_IF_FALSE`.
        macro_rules! cmp_jf {
            ($ins:expr, $ss:expr, $k:expr) => {{
                let (a, ok, y) = int_operands!($ins, $ss);
                if ok {
                    jump_if_false!($ins, 3, int_cmp($k, (*a).payload() as i64, y));
                    true
                } else if let Some((x, y)) = floatpath::shape_operands(slots, &$ins, $ss) {
                    jump_if_false!($ins, 3, floatpath::float_cmp($k, x, y));
                    true
                } else {
                    false
                }
            }};
        }
        // The JIT tier's hook on the back edge at `$pc` to the loop header `$header`: counts it
        // toward hotness or runs the compiled loop, then resumes where native code left off
        // (true) or lets the interpreter take the jump (false).
        macro_rules! back_edge {
            ($pc:expr, $header:expr) => {{
                if L >= LVL_DETAILED {
                    // A timed dispatch must not include the native loop's time.
                    hooks.as_deref_mut().expect("hooks").finish_pending();
                }
                let tier = st.tier.as_deref_mut().expect("the JIT loop has a tier");
                match tier.back_edge::<L>(
                    bc,
                    cur,
                    $pc,
                    $header,
                    slots,
                    stk,
                    sp,
                    xc.consts.as_ptr(),
                    st.max_depth - st.frames.len(),
                ) {
                    Some((r, nsp)) => {
                        if L >= LVL_DETAILED {
                            let t = tier.last_ticks;
                            hooks
                                .as_deref_mut()
                                .expect("hooks")
                                .native_loop_ran(t, &st.frames, cur);
                        }
                        resumed!(r);
                        ip = xc.code.as_ptr().add(r);
                        sp = nsp;
                        true
                    }
                    None => false,
                }
            }};
        }
        // The back edge `JUMP` at `ip + $off` to a `cmp_jf` header comparing `$v` with `$y`: runs
        // the compiled loop (JIT), or the header's test and its branch.
        macro_rules! back_to_header {
            ($ins:expr, $off:expr, $k:expr, $v:expr, $y:expr) => {{
                let mut native = false;
                // (The shape also fuses forward jumps to a test, which are no back edge.)
                if J && ($ins.x as usize) <= pc!() + $off {
                    native = back_edge!(pc!() + $off, $ins.x as usize);
                }
                if !native {
                    // The jump, and the header's branch when taken (its 4th instruction).
                    edge!($off);
                    let t = int_cmp($k, $v, $y);
                    branch!($ins.x as usize + 3, !t);
                    if L >= LVL_BASIC && !t {
                        let jf = xc.code.as_ptr().add($ins.x as usize + 3);
                        *(cbase.wrapping_add(jf as usize >> COUNTER_SHIFT) as *mut u64) += 1;
                    }
                    // A real branch, not a select: the loop goes on almost every time, so the
                    // predicted jump lets the next instruction start before the test resolves.
                    ip = if $off == 0 {
                        ip.offset(if t { $ins.e } else { $ins.d } as isize)
                    } else if t {
                        ip.offset($ins.e as isize)
                    } else {
                        std::hint::cold_path();
                        ip.offset($ins.d as isize)
                    };
                }
            }};
        }
        // A back edge to a `cmp_jf` header.
        macro_rules! jmp_cmp {
            ($ins:expr, $ss:expr, $k:expr) => {{
                let (a, ok, y) = int_operands!($ins, $ss);
                if ok {
                    back_to_header!($ins, 0, $k, (*a).payload() as i64, y);
                }
                ok
            }};
        }
        // `v = v + step` and the back edge to a `cmp_jf` header on `v` (`si::INC_JMP_*`).
        macro_rules! inc_jmp {
            ($ins:expr, $ss:expr, $k:expr) => {{
                let a = slots.add($ins.a as usize);
                let (ok, step) = if $ss {
                    (is_int2(a, slots.add($ins.c as usize)), $ins.imm)
                } else {
                    ((*a).tag() == TAG_INT, $ins.c as i32 as i64)
                };
                let v = if ok {
                    ((*a).payload() as i64).checked_add(step)
                } else {
                    None
                };
                if let Some(v) = v {
                    (*a).set_int_unchecked(v);
                    let y = if $ss {
                        (*slots.add($ins.c as usize)).payload() as i64
                    } else {
                        $ins.imm
                    };
                    back_to_header!($ins, 4, $k, v, y);
                }
                v.is_some()
            }};
        }
        // `y z OP STORE x` (`$ss`) or `y k OP STORE x`; `s = s + t` on a string appends in place.
        macro_rules! arith_st {
            ($ins:expr, $ss:expr, $k:expr) => {{
                let (a, ok, y) = int_operands!($ins, $ss);
                let d = slots.add($ins.x as usize);
                let r = if ok && (*d).tag() < zexus_runtime::value::HEAP_TAG_MIN {
                    int_arith($k, (*a).payload() as i64, y)
                } else {
                    None
                };
                match r {
                    Some(r) => {
                        ptr::write(d, Value::int(r));
                        ip = ip.add(4);
                        true
                    }
                    None if floatpath::arith_st(slots, &$ins, $ss, $k) => {
                        ip = ip.add(4);
                        true
                    }
                    None if fused::append_in_place(slots, $ins, $ss) => {
                        ip = ip.add(4);
                        true
                    }
                    None => false,
                }
            }};
        }
        // `y z OP` (`$ss`) or `y k OP`, pushing the result.
        macro_rules! arith_push {
            ($ins:expr, $ss:expr, $k:expr) => {{
                let (a, ok, y) = int_operands!($ins, $ss);
                let r = if ok {
                    int_arith($k, (*a).payload() as i64, y)
                } else {
                    None
                };
                if let Some(r) = r {
                    push(&mut sp, Value::int(r));
                    ip = ip.add(3);
                    true
                } else if let Some(r) = floatpath::shape_arith(slots, &$ins, $ss, $k) {
                    push(&mut sp, Value::float(r));
                    ip = ip.add(3);
                    true
                } else {
                    false
                }
            }};
        }

        'fetch: loop {
            // Enters function `callee` with `argc` arguments on top of the stack, whose result
            // replaces everything from `ret_at` up; `native` allows running its compiled code.
            macro_rules! enter_function {
                ($callee:expr, $argc:expr, $ret_at:expr, $native:expr, $hidden:expr) => {{
                    let callee: u32 = $callee;
                    let argc: usize = $argc;
                    let hidden: usize = $hidden;
                    let ret_off = ($ret_at).offset_from(stk) as u32;
                    let target = &p.codes[callee as usize];
                    if target.arity as usize != argc {
                        throw!(format!(
                            "{} expects {} arguments, got {}",
                            bc.code()[callee as usize].name,
                            target.arity as usize - hidden,
                            argc - hidden
                        ));
                    }
                    if st.frames.len() >= st.max_depth {
                        throw!("maximum call depth exceeded".to_string());
                    }
                    if L == LVL_BASIC && super::interrupt::pending() {
                        throw!(super::interrupt::MESSAGE.to_string());
                    }
                    // A compiled function runs natively (not while call paths are recorded).
                    if J && $native
                        && (L == LVL_NONE || !hooks.as_deref().expect("hooks").paths_on())
                    {
                        if L >= LVL_DETAILED {
                            // A timed CALL must not include the native call's time.
                            hooks.as_deref_mut().expect("hooks").finish_pending();
                        }
                        let room = st.max_depth - st.frames.len();
                        let counts = if L >= LVL_BASIC {
                            Some(&hooks.as_deref().expect("hooks").counts[..])
                        } else {
                            None
                        };
                        let tier = st.tier.as_deref_mut().expect("the JIT loop has a tier");
                        let args = sp.sub(argc);
                        if let Some((v, ticks)) =
                            tier.call_native(bc, callee, args, argc, stk, room, counts)
                        {
                            if L >= LVL_DETAILED {
                                let h = hooks.as_deref_mut().expect("hooks");
                                h.native_call_ran(callee, ticks, &st.frames, cur);
                                if L >= LVL_FULL {
                                    h.native_call_done(callee, ticks);
                                }
                            }
                            for _ in 0..argc {
                                drop(pop(&mut sp));
                            }
                            push(&mut sp, v);
                            ip = ip.add(1);
                            continue 'fetch;
                        }
                    }
                    let base_off = sp.offset_from(stk) as usize - argc;
                    let need = base_off + target.frame_size as usize;
                    if need > st.stack.capacity() {
                        let live = sp.offset_from(stk) as usize;
                        let slots_off = slots.offset_from(stk) as usize;
                        grow(st, live, need);
                        stk = st.stack.as_mut_ptr();
                        sp = stk.add(live);
                        slots = stk.add(slots_off);
                    }
                    let t0 = if L >= LVL_BASIC {
                        hooks
                            .as_deref_mut()
                            .expect("hooks")
                            .enter::<L>(callee, dispatches)
                    } else {
                        0
                    };
                    st.frames.push(Frame {
                        code: cur,
                        ret_pc: pc!() as u32 + 1,
                        base: slots.offset_from(stk) as u32,
                        ret_at: ret_off,
                        t0,
                        callee_base: base_off as u32,
                    });
                    slots = stk.add(base_off);
                    for _ in argc..target.n_slots as usize {
                        push(&mut sp, Value::UNDEF);
                    }
                    switch_to!(callee);
                    ip = xc.code.as_ptr();
                }};
            }
            // With limits: one unit of fuel per instruction (superinstructions are off in this
            // copy, so the count is exact), and the slow path when it runs out.
            if B {
                if let Some(g) = gauge {
                    if g.spend() {
                        if let Err(msg) = g.refuel() {
                            throw!(msg);
                        }
                    }
                }
                if !cache.is_null() {
                    // SAFETY: the observer outlives the run (`VM::execute_in`) and nothing
                    // else uses it while the loop runs; the loop's pointers are as `observe`
                    // requires, before the instruction runs.
                    (*cache).observe(cur, pc!(), &*ip, slots, stk, sp, &xc.consts);
                }
            }
            // At DETAILED, `step` first finishes the sample of the previous instruction, if one
            // was timed, then decides about this one.
            let step = if L >= LVL_DETAILED {
                hooks.as_deref_mut().expect("hooks").step((*ip).n as u32)
            } else {
                Step::Fused
            };
            if L >= LVL_DETAILED {
                let h = hooks.as_deref_mut().expect("hooks");
                match step {
                    Step::Fused => {}
                    // The sample falls inside this superinstruction's shape: run the original
                    // instructions one by one until it is reached, so that every instruction, not
                    // only the first of a shape, gets timed at the sampling rate.
                    Step::Single => {
                        if (ip.offset_from(xc.code.as_ptr()) as usize) < xc.half {
                            ip = ip.add(xc.half);
                        }
                    }
                    Step::Stop => throw!(super::interrupt::MESSAGE.to_string()),
                    Step::Sample => {
                        // A timed execution runs exactly one original instruction.
                        if (ip.offset_from(xc.code.as_ptr()) as usize) < xc.half {
                            ip = ip.add(xc.half);
                        }
                        h.begin_sample(
                            h.timing[cur as usize].add(pc!()),
                            &st.frames,
                            cur,
                            dispatches,
                        );
                    }
                }
            }
            'dispatch: loop {
                if L >= LVL_BASIC {
                    dispatches += 1;
                }
                if L >= LVL_DETAILED {
                    *site = ip as u64;
                }
                let ins: &XInstr = &*ip;
                match ins.op {
                    op::NOP => ip = ip.add(1),
                    op::LOAD_CONST => {
                        push(&mut sp, (*xc.consts.as_ptr().add(ins.a as usize)).clone());
                        ip = ip.add(1);
                    }
                    op::LOAD_NAME => {
                        let v = &*slots.add(ins.a as usize);
                        if v.tag() == TAG_UNDEF {
                            throw!(trace::undefined(bc, cur, ins.a, false));
                        }
                        push(&mut sp, v.clone());
                        ip = ip.add(1);
                    }
                    op::STORE_NAME => {
                        let v = pop(&mut sp);
                        set(slots.add(ins.a as usize), v);
                        ip = ip.add(1);
                    }
                    op::LOAD_GLOBAL => {
                        let v = &*stk.add(ins.a as usize);
                        if v.tag() == TAG_UNDEF {
                            throw!(trace::undefined(bc, cur, ins.a, true));
                        }
                        push(&mut sp, v.clone());
                        ip = ip.add(1);
                    }
                    op::STORE_GLOBAL => {
                        let v = pop(&mut sp);
                        set(stk.add(ins.a as usize), v);
                        ip = ip.add(1);
                    }
                    op::POP => {
                        drop(pop(&mut sp));
                        ip = ip.add(1);
                    }
                    op::DUP => {
                        let v = (*sp.sub(1)).clone();
                        push(&mut sp, v);
                        ip = ip.add(1);
                    }
                    op::DUP2 => {
                        let x = (*sp.sub(2)).clone();
                        let y = (*sp.sub(1)).clone();
                        push(&mut sp, x);
                        push(&mut sp, y);
                        ip = ip.add(1);
                    }
                    op::ADD => {
                        let a = sp.sub(2);
                        // `s = s + x` with `s` a string: in place when the slot holds the only
                        // reference (one tag compare ahead of the number paths; the next
                        // instruction exists, as no path runs off the end of verified code).
                        if (*a).tag() == TAG_STR
                            && fused::append_before_store(a, sp.sub(1), &*ip.add(1), slots, stk)
                        {
                            drop(pop(&mut sp));
                            ip = ip.add(1);
                        } else {
                            binop!(i64::checked_add, |x: f64, y: f64| Some(x + y), ops::add)
                        }
                    }
                    op::SUB => binop!(i64::checked_sub, |x: f64, y: f64| Some(x - y), ops::sub),
                    op::MUL => binop!(i64::checked_mul, |x: f64, y: f64| Some(x * y), ops::mul),
                    op::DIV => binop!(|_: i64, _: i64| None::<i64>, floatpath::fdiv, ops::div),
                    op::MOD => binop!(|x, y| int_arith(K_MOD, x, y), NO_FLOAT, ops::rem),
                    op::POW => binop!(|_: i64, _: i64| None::<i64>, NO_FLOAT, ops::pow),
                    op::BAND => binop!(|x: i64, y: i64| Some(x & y), NO_FLOAT, bitwise::band),
                    op::BOR => binop!(|x: i64, y: i64| Some(x | y), NO_FLOAT, bitwise::bor),
                    op::BXOR => binop!(|x: i64, y: i64| Some(x ^ y), NO_FLOAT, bitwise::bxor),
                    op::SHL => binop!(bitwise::int_shl, NO_FLOAT, bitwise::shl),
                    op::SHR => binop!(bitwise::int_shr, NO_FLOAT, bitwise::shr),
                    op::BNOT => {
                        let a = sp.sub(1);
                        match bitwise::bnot(&*a) {
                            Ok(v) => set(a, v),
                            Err(e) => op_err!(e),
                        }
                        ip = ip.add(1);
                    }
                    op::NEG => {
                        let a = sp.sub(1);
                        match ops::neg(&*a) {
                            Ok(v) => set(a, v),
                            Err(e) => op_err!(e),
                        }
                        ip = ip.add(1);
                    }
                    op::EQ => cmpop!(K_EQ),
                    op::NEQ => cmpop!(K_NEQ),
                    op::LT => cmpop!(K_LT),
                    op::GT => cmpop!(K_GT),
                    op::LTE => cmpop!(K_LTE),
                    op::GTE => cmpop!(K_GTE),
                    op::AND | op::OR => {
                        let b = pop(&mut sp).truthy();
                        let a = (*sp.sub(1)).truthy();
                        let r = if ins.op == op::AND { a && b } else { a || b };
                        set(sp.sub(1), Value::bool(r));
                        ip = ip.add(1);
                    }
                    op::NOT => {
                        let r = !(*sp.sub(1)).truthy();
                        set(sp.sub(1), Value::bool(r));
                        ip = ip.add(1);
                    }
                    op::JUMP => {
                        // A back edge: count it toward hotness, or run the compiled loop.
                        if J && (ins.a as usize) <= pc!() {
                            if L >= LVL_DETAILED {
                                // A timed JUMP must not include the native loop's time.
                                hooks.as_deref_mut().expect("hooks").finish_pending();
                            }
                            if back_edge!(pc!(), ins.a as usize) {
                                continue 'fetch;
                            }
                        }
                        edge!(0);
                        ip = ip.offset(ins.d as isize);
                    }
                    op::JUMP_IF_FALSE | op::JUMP_IF_TRUE => {
                        let c = pop(&mut sp);
                        let t = if c.tag() == TAG_BOOL {
                            c.payload() != 0
                        } else {
                            c.truthy()
                        };
                        drop(c);
                        let taken = t == (ins.op == op::JUMP_IF_TRUE);
                        branch!(pc!(), taken);
                        ip = if taken {
                            edge!(0);
                            ip.offset(ins.d as isize)
                        } else {
                            ip.add(1)
                        };
                    }
                    op::JUMP_IF_FALSE_OR_POP | op::JUMP_IF_TRUE_OR_POP => {
                        let t = (*sp.sub(1)).truthy();
                        let taken = t == (ins.op == op::JUMP_IF_TRUE_OR_POP);
                        branch!(pc!(), taken);
                        if taken {
                            edge!(0);
                            ip = ip.offset(ins.d as isize);
                        } else {
                            drop(pop(&mut sp));
                            ip = ip.add(1);
                        }
                    }
                    op::RETURN => {
                        let v = pop(&mut sp);
                        let Some(fr) = st.frames.pop() else {
                            // The program's own return: release globals and leftovers (or a
                            // nested run's return: release the callee's frame).
                            if L >= LVL_DETAILED {
                                hooks.as_deref_mut().expect("hooks").finish_pending();
                            }
                            if L >= LVL_BASIC {
                                if let Some(e) = &entry {
                                    hooks
                                        .as_deref_mut()
                                        .expect("hooks")
                                        .leave::<L>(cur, e.t0, e.caller, dispatches);
                                }
                            }
                            let live = sp.offset_from(stk) as usize - base;
                            if entry.is_none() {
                                // The program's frame: its globals may be kept (`carry`).
                                super::carry::keep(st, stk, live, p.codes[0].n_slots as usize);
                            } else {
                                ptr::drop_in_place(ptr::slice_from_raw_parts_mut(
                                    stk.add(base),
                                    live,
                                ));
                            }
                            flush_dispatches!();
                            st.prof = hooks;
                            return Ok(v);
                        };
                        if L >= LVL_BASIC {
                            hooks
                                .as_deref_mut()
                                .expect("hooks")
                                .leave::<L>(cur, fr.t0, fr.code, dispatches);
                        }
                        let ret_at = stk.add(fr.ret_at as usize);
                        while sp > ret_at {
                            drop(pop(&mut sp));
                        }
                        push(&mut sp, v);
                        slots = stk.add(fr.base as usize);
                        switch_to!(fr.code);
                        ip = xc.code.as_ptr().add(fr.ret_pc as usize);
                    }
                    op::CALL_NAME | op::CALL_VALUE => {
                        let argc = ins.c as usize;
                        let (fv, ret_at) = if ins.op == op::CALL_NAME {
                            (&*stk.add(ins.a as usize), sp.sub(argc))
                        } else {
                            (&*sp.sub(argc + 1), sp.sub(argc + 1))
                        };
                        if fv.tag() != TAG_FUNC {
                            let Some(clo) = fv.as_closure() else {
                                throw!(trace::not_callable(bc, cur, pc!(), fv));
                            };
                            // A closure: its cells follow the arguments as hidden ones.
                            let callee = clo.func;
                            let cells = clo.cells.clone();
                            let k = cells.len();
                            let live = sp.offset_from(stk) as usize;
                            let ret_off = ret_at.offset_from(stk) as usize;
                            if live + k > st.stack.capacity() {
                                let slots_off = slots.offset_from(stk) as usize;
                                grow(st, live, live + k);
                                stk = st.stack.as_mut_ptr();
                                sp = stk.add(live);
                                slots = stk.add(slots_off);
                            }
                            for c in cells {
                                push(&mut sp, c);
                            }
                            let ret_at = stk.add(ret_off);
                            enter_function!(callee, argc + k, ret_at, false, k);
                            continue 'fetch;
                        }
                        let callee = fv.payload() as u32;
                        enter_function!(callee, argc, ret_at, ins.op == op::CALL_NAME, 0);
                    }
                    op::CALL_BUILTIN => {
                        let argc = ins.c as usize;
                        let args = std::slice::from_raw_parts(sp.sub(argc), argc);
                        let id = ins.a;
                        let mut probe = builtins::Probe::default();
                        match builtins::call_builtin(id, args, &mut probe) {
                            Ok(v) => {
                                for _ in 0..argc {
                                    drop(pop(&mut sp));
                                }
                                push(&mut sp, v);
                            }
                            Err(e) if !probe.called => op_err!(e),
                            // It calls a function: again, with a host that can.
                            Err(_) => match with_host!(move |h: &mut dyn builtins::Host| {
                                builtins::call_builtin(id, args, h)
                            }) {
                                Ok(v) => {
                                    for _ in 0..argc {
                                        drop(pop(&mut sp));
                                    }
                                    push(&mut sp, v);
                                }
                                Err(e) => op_err!(e),
                            },
                        }
                        ip = ip.add(1);
                    }
                    op::CALL_METHOD => {
                        let argc = ins.c as usize;
                        let args = std::slice::from_raw_parts(sp.sub(argc), argc);
                        let obj = &*sp.sub(argc + 1);
                        let name_value = &*xc.consts.as_ptr().add(ins.a as usize);
                        let name = name_value
                            .as_str()
                            .expect("verified: method name is a string");
                        // An object's method: a call whose first argument (`this`) is the object.
                        if obj.tag() == TAG_OBJ {
                            if let Some(m) = objects::method_of(obj, name_value) {
                                enter_function!(m, argc + 1, sp.sub(argc + 1), false, 1);
                                continue 'fetch;
                            }
                        }
                        let mut probe = builtins::Probe::default();
                        match builtins::call_method(obj, name, args, &mut probe) {
                            Ok(v) => {
                                for _ in 0..=argc {
                                    drop(pop(&mut sp));
                                }
                                push(&mut sp, v);
                            }
                            Err(e) if !probe.called => op_err!(e),
                            // It calls a function: again, with a host that can.
                            Err(_) => match with_host!(move |h: &mut dyn builtins::Host| {
                                builtins::call_method(obj, name, args, h)
                            }) {
                                Ok(v) => {
                                    for _ in 0..=argc {
                                        drop(pop(&mut sp));
                                    }
                                    push(&mut sp, v);
                                }
                                Err(e) => op_err!(e),
                            },
                        }
                        ip = ip.add(1);
                    }
                    op::NEW_OBJECT => {
                        let class = &*xc.consts.as_ptr().add(ins.a as usize);
                        push(&mut sp, objects::new_object(class));
                        ip = ip.add(1);
                    }
                    op::BUILD_LIST => {
                        let n = ins.a as usize;
                        sp = sp.sub(n);
                        let mut items = Vec::with_capacity(n);
                        for i in 0..n {
                            items.push(ptr::read(sp.add(i)));
                        }
                        push(&mut sp, Value::list(items));
                        ip = ip.add(1);
                    }
                    op::BUILD_MAP => {
                        let n = 2 * ins.a as usize;
                        sp = sp.sub(n);
                        let mut items = Vec::with_capacity(n);
                        for i in 0..n {
                            items.push(ptr::read(sp.add(i)));
                        }
                        match builtins::build_map(items) {
                            Ok(m) => push(&mut sp, m),
                            Err(e) => op_err!(e),
                        }
                        ip = ip.add(1);
                    }
                    op::INDEX => {
                        let o = &*sp.sub(2);
                        let k = &*sp.sub(1);
                        let v = if o.tag() == TAG_LIST && k.tag() == TAG_INT {
                            match o.as_list().expect("list").get(k.payload() as usize) {
                                Some(v) => v,
                                None => match ops::index(o, k) {
                                    Ok(v) => v,
                                    Err(e) => op_err!(e),
                                },
                            }
                        } else {
                            match ops::index(o, k) {
                                Ok(v) => v,
                                Err(e) => op_err!(e),
                            }
                        };
                        drop(pop(&mut sp));
                        set(sp.sub(1), v);
                        ip = ip.add(1);
                    }
                    op::STORE_INDEX => {
                        let o = &*sp.sub(3);
                        let k = &*sp.sub(2);
                        let v = ptr::read(sp.sub(1));
                        sp = sp.sub(1);
                        if let Err(e) = ops::store_index(o, k, v) {
                            op_err!(e)
                        }
                        drop(pop(&mut sp));
                        drop(pop(&mut sp));
                        ip = ip.add(1);
                    }
                    op::GET_ITER => {
                        let v = pop(&mut sp);
                        match builtins::get_iter(v) {
                            Ok(it) => push(&mut sp, it),
                            Err(e) => {
                                push(&mut sp, Value::NULL);
                                op_err!(e)
                            }
                        }
                        ip = ip.add(1);
                    }
                    op::FOR_ITER => {
                        let it = &*sp.sub(1);
                        debug_assert_eq!(it.tag(), TAG_ITER);
                        let next = match it.as_iter() {
                            Some(cell) => {
                                let mut state = cell.borrow_mut();
                                match &mut *state {
                                    RangeIter::Range { next, end, index } if ins.c == 1 => {
                                        if *next < *end {
                                            let v = *next;
                                            *next += 1;
                                            *index += 1;
                                            Some((Value::NULL, Value::int(v)))
                                        } else {
                                            None
                                        }
                                    }
                                    other => other.next_for(ins.c),
                                }
                            }
                            None => throw!("FOR_ITER without an iterator".to_string()),
                        };
                        match next {
                            Some((i, v)) => {
                                branch!(pc!(), false);
                                if ins.c == 2 {
                                    push(&mut sp, i);
                                }
                                push(&mut sp, v);
                                ip = ip.add(1);
                            }
                            None => {
                                branch!(pc!(), true);
                                edge!(0);
                                drop(pop(&mut sp));
                                ip = ip.offset(ins.d as isize);
                            }
                        }
                    }
                    op::PRINT => {
                        let n = ins.a as usize;
                        let vals = std::slice::from_raw_parts(sp.sub(n), n);
                        st.out.print_values(vals);
                        for _ in 0..n {
                            drop(pop(&mut sp));
                        }
                        ip = ip.add(1);
                    }
                    // Captured variables and closures, out of line (`closures.rs`).
                    op::LOAD_CELL => match super::closures::load(&*slots.add(ins.a as usize)) {
                        Some(v) => {
                            push(&mut sp, v);
                            ip = ip.add(1);
                        }
                        None => throw!(trace::undefined(bc, cur, ins.a, false)),
                    },
                    op::STORE_CELL => {
                        let v = pop(&mut sp);
                        super::closures::store(&mut *slots.add(ins.a as usize), v);
                        ip = ip.add(1);
                    }
                    op::MAKE_CELL => {
                        super::closures::make(&mut *slots.add(ins.a as usize));
                        ip = ip.add(1);
                    }
                    op::CELL_REF => {
                        let c = super::closures::cell_ref(&mut *slots.add(ins.a as usize));
                        push(&mut sp, c);
                        ip = ip.add(1);
                    }
                    op::MAKE_CLOSURE => {
                        let n = ins.c as usize;
                        sp = sp.sub(n);
                        let mut cells = Vec::with_capacity(n);
                        for i in 0..n {
                            cells.push(ptr::read(sp.add(i)));
                        }
                        push(&mut sp, Value::closure(ins.a, cells));
                        ip = ip.add(1);
                    }
                    // Exceptions and events, out of line (`unwind.rs`).
                    op::THROW | op::RERAISE | op::EMIT_EVENT => {
                        let consts = &xc.consts;
                        let pc = pc!();
                        match super::unwind::raise_op(
                            ins, &mut sp, slots, stk, consts, st, bc, cur, pc,
                        ) {
                            None => ip = ip.add(1),
                            Some(e) => raise!(e),
                        }
                    }
                    op::GET_ATTR => {
                        // Verified: the property name is a string constant.
                        let name = &*xc.consts.as_ptr().add(ins.a as usize);
                        match attr::get_attr_by(&*sp.sub(1), name) {
                            Ok(v) => set(sp.sub(1), v),
                            Err(e) => op_err!(e),
                        }
                        ip = ip.add(1);
                    }
                    op::SET_ATTR => {
                        // Verified: the property name is a string constant.
                        let name = &*xc.consts.as_ptr().add(ins.a as usize);
                        let v = ptr::read(sp.sub(1));
                        sp = sp.sub(1);
                        if let Err(e) = attr::set_attr_by(&*sp.sub(1), name, v) {
                            op_err!(e)
                        }
                        drop(pop(&mut sp));
                        ip = ip.add(1);
                    }
                    op::JUMP_IF_NOT_NULL_OR_POP => {
                        let taken = (*sp.sub(1)).tag() != TAG_NULL;
                        branch!(pc!(), taken);
                        if taken {
                            edge!(0);
                            ip = ip.offset(ins.d as isize);
                        } else {
                            drop(pop(&mut sp));
                            ip = ip.add(1);
                        }
                    }
                    // ---- superinstructions: fast int case, else the original instruction ----
                    si::CMP_SS_JF => shape!('fetch, 'dispatch, ins, cmp_jf!(ins, true, ins.k)),
                    si::LT_SS_JF => shape!('fetch, 'dispatch, ins, cmp_jf!(ins, true, K_LT)),
                    si::CMP_SK_JF => shape!('fetch, 'dispatch, ins, cmp_jf!(ins, false, ins.k)),
                    si::LT_SK_JF => shape!('fetch, 'dispatch, ins, cmp_jf!(ins, false, K_LT)),
                    si::JMP_CMP_SS => shape!('fetch, 'dispatch, ins, jmp_cmp!(ins, true, ins.k)),
                    si::JMP_LT_SS => shape!('fetch, 'dispatch, ins, jmp_cmp!(ins, true, K_LT)),
                    si::JMP_CMP_SK => shape!('fetch, 'dispatch, ins, jmp_cmp!(ins, false, ins.k)),
                    si::JMP_LT_SK => shape!('fetch, 'dispatch, ins, jmp_cmp!(ins, false, K_LT)),
                    si::INC_JMP_SS => shape!('fetch, 'dispatch, ins, inc_jmp!(ins, true, ins.k)),
                    si::INC_JMP_LT_SS => shape!('fetch, 'dispatch, ins, inc_jmp!(ins, true, K_LT)),
                    si::INC_JMP_SK => shape!('fetch, 'dispatch, ins, inc_jmp!(ins, false, ins.k)),
                    si::INC_JMP_LT_SK => shape!('fetch, 'dispatch, ins, inc_jmp!(ins, false, K_LT)),
                    si::ARITH_SS_ST => shape!('fetch, 'dispatch, ins, arith_st!(ins, true, ins.k)),
                    si::ADD_SS_ST => shape!('fetch, 'dispatch, ins, arith_st!(ins, true, K_ADD)),
                    si::SUB_SS_ST => shape!('fetch, 'dispatch, ins, arith_st!(ins, true, K_SUB)),
                    si::ARITH_SK_ST => shape!('fetch, 'dispatch, ins, arith_st!(ins, false, ins.k)),
                    si::ADD_SK_ST => shape!('fetch, 'dispatch, ins, arith_st!(ins, false, K_ADD)),
                    si::SUB_SK_ST => shape!('fetch, 'dispatch, ins, arith_st!(ins, false, K_SUB)),
                    si::ARITH_SS => shape!('fetch, 'dispatch, ins, arith_push!(ins, true, ins.k)),
                    si::ADD_SS => shape!('fetch, 'dispatch, ins, arith_push!(ins, true, K_ADD)),
                    si::ARITH_SK => shape!('fetch, 'dispatch, ins, arith_push!(ins, false, ins.k)),
                    si::ADD_SK => shape!('fetch, 'dispatch, ins, arith_push!(ins, false, K_ADD)),
                    si::SUB_SK => shape!('fetch, 'dispatch, ins, arith_push!(ins, false, K_SUB)),
                    // Shapes written as functions in `fused` (one arm each, so that each is one
                    // dispatch, not a second jump table on the opcode).
                    si::ARITH_TS => {
                        shape!('fetch, 'dispatch, ins, fused::arith_ts(sp, slots, ins), ins.n as usize)
                    }
                    si::ARITH_TS_ST => {
                        shape!('fetch, 'dispatch, ins, fused::arith_ts_st(&mut sp, slots, ins), ins.n as usize)
                    }
                    si::ARITH_TK_ST => {
                        shape!('fetch, 'dispatch, ins, fused::arith_tk_st(&mut sp, slots, ins), ins.n as usize)
                    }
                    si::ARITH_KS => {
                        shape!('fetch, 'dispatch, ins, fused::arith_ks(&mut sp, slots, ins), ins.n as usize)
                    }
                    si::MOVE => {
                        shape!('fetch, 'dispatch, ins, fused::mov(slots, ins), ins.n as usize)
                    }
                    si::MOVE2 => {
                        shape!('fetch, 'dispatch, ins, fused::mov2(slots, ins), ins.n as usize)
                    }
                    si::ARITH_SS_OP => {
                        shape!('fetch, 'dispatch, ins, fused::arith_ss_op(sp, slots, ins), ins.n as usize)
                    }
                    si::NULL_JF => {
                        let v = &*slots.add(ins.a as usize);
                        if v.tag() != TAG_UNDEF {
                            jump_if_false!(ins, 3, (v.tag() == TAG_NULL) == (ins.k == K_EQ));
                            continue 'fetch;
                        }
                        unfused!(ins);
                        continue 'dispatch;
                    }
                    si::GET_ATTR_S => {
                        let o = &*slots.add(ins.a as usize);
                        if o.tag() != TAG_UNDEF {
                            // Verified: the property name is a string constant; reading a
                            // property never fails.
                            let name = &*xc.consts.as_ptr().add(ins.c as usize);
                            if let Ok(v) = attr::get_attr_by(o, name) {
                                push(&mut sp, v);
                                ip = ip.add(2);
                                continue 'fetch;
                            }
                        }
                        unfused!(ins);
                        continue 'dispatch;
                    }
                    si::INDEX_SS_JF => {
                        if let Some(t) = fused::index_ss_truthy(slots, ins) {
                            jump_if_false!(ins, 3, t);
                            continue 'fetch;
                        }
                        unfused!(ins);
                        continue 'dispatch;
                    }
                    si::APPEND_SS_POP => {
                        shape!('fetch, 'dispatch, ins, fused::append_s(slots, ins, &*slots.add(ins.c as usize)), si::n::APPEND_SS_POP as usize)
                    }
                    si::APPEND_SK_POP => {
                        shape!('fetch, 'dispatch, ins, fused::append_s(slots, ins, &*xc.consts.as_ptr().add(ins.c as usize)), si::n::APPEND_SK_POP as usize)
                    }
                    si::INDEX_SS => {
                        shape!('fetch, 'dispatch, ins, fused::index_ss(&mut sp, slots, ins), ins.n as usize)
                    }
                    si::STORE_INDEX_SSK => {
                        if fused::store_index_ssk(
                            slots,
                            ins,
                            &*xc.consts.as_ptr().add(ins.x as usize),
                        ) {
                            ip = ip.add(ins.n as usize);
                            continue 'fetch;
                        }
                        unfused!(ins);
                        continue 'dispatch;
                    }
                    si::ARITH_SS_S_ST => {
                        shape!('fetch, 'dispatch, ins, fused::arith_ss_s_st(slots, ins), si::n::ARITH_SS_S_ST as usize)
                    }
                    si::APPEND_POP => {
                        shape!('fetch, 'dispatch, ins, fused::append_pop(&mut sp), si::n::APPEND_POP as usize)
                    }
                    si::FARITH_SK => {
                        shape!('fetch, 'dispatch, ins, floatpath::farith_sk(&mut sp, slots, ins), si::n::FARITH_SK as usize)
                    }
                    si::FARITH_TK => {
                        shape!('fetch, 'dispatch, ins, floatpath::farith_tk(sp, ins), si::n::FARITH_TK as usize)
                    }
                    si::CMP_TK_JF => {
                        if let Some(jump) = fused::cmp_tk(&mut sp, ins) {
                            jump_if_false!(ins, 2, !jump);
                            continue 'fetch;
                        }
                        unfused!(ins);
                        continue 'dispatch;
                    }
                    si::ARITH_SK_CMP_JF => {
                        let a = slots.add(ins.a as usize);
                        let r = if (*a).tag() == TAG_INT {
                            int_arith(ins.k, (*a).payload() as i64, ins.imm)
                        } else {
                            None
                        };
                        if let Some(r) = r {
                            jump_if_false!(ins, 5, int_cmp(ins.x as u8, r, ins.c as i32 as i64));
                            continue 'fetch;
                        }
                        unfused!(ins);
                        continue 'dispatch;
                    }
                    si::ARITH_TK => {
                        let a = sp.sub(1);
                        if (*a).tag() == TAG_INT {
                            if let Some(r) = int_arith(ins.k, (*a).payload() as i64, ins.imm) {
                                (*a).set_int_unchecked(r);
                                ip = ip.add(2);
                                continue 'fetch;
                            }
                        }
                        unfused!(ins);
                        continue 'dispatch;
                    }
                    si::CMP_JF => {
                        let (a, b) = (sp.sub(2), sp.sub(1));
                        if is_int2(a, b) {
                            let t = int_cmp(ins.k, (*a).payload() as i64, (*b).payload() as i64);
                            sp = a;
                            jump_if_false!(ins, 1, t);
                            continue 'fetch;
                        }
                        unfused!(ins);
                        continue 'dispatch;
                    }
                    si::LOAD2 => {
                        let (a, b) = (&*slots.add(ins.a as usize), &*slots.add(ins.c as usize));
                        if a.tag() != TAG_UNDEF && b.tag() != TAG_UNDEF {
                            push(&mut sp, a.clone());
                            push(&mut sp, b.clone());
                            ip = ip.add(2);
                            continue 'fetch;
                        }
                        unfused!(ins);
                        continue 'dispatch;
                    }
                    // Every byte value has an arm (the compiler checks that none is missing or
                    // matched twice), and this one cannot be taken, so the dispatch is a bare
                    // 256-entry jump table that LLVM copies into the end of each handler
                    // (threaded code; see `.cargo/config.toml`).
                    // SAFETY: `XCode::new` checks that no instruction has an opcode in this range.
                    OP_END..=F_BEFORE => std::hint::unreachable_unchecked(),
                }
                continue 'fetch;
            }
        }
    }
}

#[cold]
#[inline(never)]
fn slow_cmp(k: u8, a: &Value, b: &Value) -> Result<bool, OpError> {
    let k = ops::CmpKind::from_u8(k).expect("instructions carry comparison kinds");
    ops::compare_values(k, a, b)
}
