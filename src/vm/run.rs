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
//! State lives in locals (`ip`, `sp`, `slots`, the code pointers, and the profiling state
//! `LoopHooks`, see `loophooks.rs`) and is written back to `RunState` only where an error can
//! leave the loop (STYLE.md 4). The cold paths that need the registers (the JIT tier, builtins
//! that call back, the error paths) receive them as one `LiveFrame` (`frame.rs`).

use std::ptr;

use zexus_runtime::value::{TAG_BOOL, TAG_ITER, TAG_NULL, TAG_STR, TAG_UNDEF};
use zexus_runtime::{attr, bitwise, ops};
use zexus_runtime::{OpError, Value};

use super::builtins;
use super::calls::{self, Call, Entered};
use super::error::RuntimeError;
use super::floatpath;
use super::frame::{LiveFrame, LVL_BASIC, LVL_DETAILED};
use super::fused;
use super::iteration;
use super::loophooks::LoopHooks;
use super::objects;
use super::prepared::*;
use super::reenter::HostError;
use super::stackops::{self, pop, push, set, NO_FLOAT};
use super::state::{self, Entry, RunState};
use super::superinstr::si;
use super::trace;
use super::unwind::Resume;
use crate::bytecode::opcodes::codes as op;
use crate::bytecode::Bytecode;

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

/// Error text for a failed operator at `pc`, naming the variable an operand came from.
#[cold]
#[inline(never)]
fn op_error(bc: &Bytecode, code: u32, pc: usize, e: OpError) -> String {
    trace::describe_op_error(bc, code as usize, pc, e)
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
        let at = resume.unwrap_or_else(|| state::start_main(p, st));
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

        // The live frame at the current instruction, for the cold paths that take it.
        macro_rules! live {
            () => {
                LiveFrame {
                    code: cur,
                    pc: pc!(),
                    stk,
                    sp,
                    slots,
                    consts: &xc.consts,
                }
            };
        }

        // The profiling state: hooks, dispatch count, edge counters (`loophooks.rs`).
        let mut lh = LoopHooks::new::<L>(st.prof.take(), cur, xc, fresh);
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

        macro_rules! switch_to {
            ($c:expr) => {{
                cur = $c;
                xc = &p.codes[cur as usize];
                lh.switch::<L>(cur, xc);
            }};
        }
        // Leaves the loop with error `$err`, raised by the current instruction (`throw!` is the
        // same with the error made here).
        macro_rules! raise {
            ($err:expr) => {{
                let err: RuntimeError = $err;
                lh.raised::<L>(st, live!());
                return Err(err);
            }};
        }
        // Leaves the loop with an error raised by the current instruction.
        macro_rules! throw {
            ($msg:expr) => {{
                let msg: String = $msg;
                lh.raised::<L>(st, live!());
                return Err(trace::runtime_error(bc, msg, cur, pc!(), &st.frames));
            }};
        }
        macro_rules! op_err {
            ($e:expr) => {
                throw!(op_error(bc, cur, pc!(), $e))
            };
        }
        // A builtin or method call `$call` of host `$h` whose result replaces the `$n` values at
        // the top (`reenter::host_call`: the stack may move if it calls back).
        macro_rules! host_call {
            ($n:expr, |$h:ident| $call:expr) => {{
                let mut at = live!();
                let call = |$h: &mut dyn builtins::Host| $call;
                let r = super::reenter::host_call::<L, J, B, _>(p, bc, st, &mut lh, &mut at, call);
                (stk, sp, slots) = (at.stk, at.sp, at.slots);
                match r {
                    Ok(v) => {
                        stackops::drop_n(&mut sp, $n);
                        push(&mut sp, v);
                    }
                    Err(HostError::Op(e)) => op_err!(e),
                    Err(HostError::Nested(e)) => raise!(e),
                }
                ip = ip.add(1);
            }};
        }
        // Runs the operator `$r` (a `Result<(), OpError>`), raising its error, and goes on.
        macro_rules! step {
            ($r:expr) => {{
                if let Err(e) = $r {
                    op_err!(e)
                }
                ip = ip.add(1);
            }};
        }
        // An arithmetic operator on the two top values (`stackops::binop`).
        macro_rules! binop {
            ($fast:expr, $ffast:expr, $slow:path) => {
                step!(stackops::binop(&mut sp, $fast, $ffast, $slow))
            };
        }

        // The superinstruction shapes, as expressions: `true` when the fast int case ran (and `ip`
        // moved on), `false` when the original instructions must run instead (`unfused!`). `$k` is
        // the operation: `ins.k` in the generic shapes, a constant in the specialised copies.
        macro_rules! unfused {
            ($ins:expr) => {{
                lh.refund::<L>($ins.n as u32);
                ip = ip.add(xc.half);
            }};
        }
        // The `JUMP_IF_FALSE` `$k` instructions after `ip` (the last of its shape) on test `$t`:
        // records the branch (FULL) and the taken edge (BASIC), then falls through or jumps.
        macro_rules! jump_if_false {
            ($ins:expr, $k:expr, $t:expr) => {{
                let t: bool = $t;
                lh.branch::<L>(cur, pc!() + $k, !t);
                ip = if t {
                    ip.add($k + 1)
                } else {
                    lh.edge::<L>(ip.add($k));
                    ip.offset($ins.d as isize)
                };
            }};
        }
        // The JIT tier's hook on the back edge at `$pc` to the loop header `$header`
        // (`iteration::back_edge`): resumes where native code left off (true) or lets the
        // interpreter take the jump (false).
        macro_rules! back_edge {
            ($pc:expr, $header:expr) => {{
                let at = LiveFrame { pc: $pc, ..live!() };
                match iteration::back_edge::<L>(st, &mut lh, bc, xc, at, $header) {
                    Some(resume) => {
                        (ip, sp) = resume;
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
                    lh.edge::<L>(ip.add($off));
                    let t = int_cmp($k, $v, $y);
                    lh.branch::<L>(cur, $ins.x as usize + 3, !t);
                    if !t {
                        lh.edge::<L>(xc.code.as_ptr().add($ins.x as usize + 3));
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
        // A back edge to a `CMP_*_JF` header (`$ss`: on two slots).
        macro_rules! jmp_cmp {
            ($ins:expr, $ss:expr, $k:expr) => {{
                let xy = fused::int_operands(slots, $ins, $ss);
                if let Some((x, y)) = xy {
                    back_to_header!($ins, 0, $k, x, y);
                }
                xy.is_some()
            }};
        }
        // `v = v + step` and the back edge to a `CMP_*_JF` header on `v` (`si::INC_JMP_*`).
        macro_rules! inc_jmp {
            ($ins:expr, $ss:expr, $k:expr) => {{
                let vy = fused::inc_step(slots, $ins, $ss);
                if let Some((v, y)) = vy {
                    back_to_header!($ins, 4, $k, v, y);
                }
                vy.is_some()
            }};
        }
        'fetch: loop {
            // Starts call `$call` (`calls::enter`): goes on after the call if native code ran
            // it, else at the callee's first instruction.
            macro_rules! enter {
                ($call:expr) => {{
                    let call: Call = $call;
                    let callee = call.callee;
                    let at = (cur, xc, ip);
                    let regs = (&mut stk, &mut sp, &mut slots);
                    match calls::enter::<L, J>(p, bc, st, &mut lh, at, regs, call) {
                        Ok(Entered::Native) => ip = ip.add(1),
                        Ok(Entered::Frame) => {
                            switch_to!(callee);
                            ip = xc.code.as_ptr();
                        }
                        Err(msg) => throw!(msg),
                    }
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
                    (*cache).observe(&*ip, &live!());
                }
            }
            if L >= LVL_DETAILED {
                let d = lh.dispatches;
                match lh.get().before(ip, xc, cur, &st.frames, d) {
                    Some(next) => ip = next,
                    None => throw!(super::interrupt::MESSAGE.to_string()),
                }
            }
            'dispatch: loop {
                if L >= LVL_BASIC {
                    lh.dispatches += 1;
                }
                if L >= LVL_DETAILED {
                    *site = ip as u64;
                }
                let ins: &XInstr = &*ip;
                // The end of superinstruction `$name`'s arm: if `$ok` (its fast case ran), go on
                // after its instructions (or where `$ok` moved `ip`, without a name); otherwise
                // run its first original instruction alone.
                macro_rules! shape {
                    ($name:ident, $ok:expr) => {{
                        if $ok {
                            ip = ip.add(si::n::$name as usize);
                            continue 'fetch;
                        }
                        unfused!(ins);
                        continue 'dispatch;
                    }};
                    ($ok:expr) => {{
                        if $ok {
                            continue 'fetch;
                        }
                        unfused!(ins);
                        continue 'dispatch;
                    }};
                }
                // A shape ending in the `JUMP_IF_FALSE` `$k` instructions after `ip`, on test `$t`
                // (`None`: its original instructions run instead).
                macro_rules! test_jf {
                    ($k:expr, $t:expr) => {{
                        if let Some(t) = $t {
                            jump_if_false!(ins, $k, t);
                            continue 'fetch;
                        }
                        unfused!(ins);
                        continue 'dispatch;
                    }};
                }
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
                    op::BNOT => step!(stackops::unop(&mut sp, bitwise::bnot)),
                    op::NEG => step!(stackops::unop(&mut sp, ops::neg)),
                    op::EQ => step!(stackops::cmpop(&mut sp, K_EQ)),
                    op::NEQ => step!(stackops::cmpop(&mut sp, K_NEQ)),
                    op::LT => step!(stackops::cmpop(&mut sp, K_LT)),
                    op::GT => step!(stackops::cmpop(&mut sp, K_GT)),
                    op::LTE => step!(stackops::cmpop(&mut sp, K_LTE)),
                    op::GTE => step!(stackops::cmpop(&mut sp, K_GTE)),
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
                            // A timed JUMP must not include the native loop's time.
                            lh.finish_pending::<L>();
                            if back_edge!(pc!(), ins.a as usize) {
                                continue 'fetch;
                            }
                        }
                        lh.edge::<L>(ip);
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
                        lh.branch::<L>(cur, pc!(), taken);
                        ip = if taken {
                            lh.edge::<L>(ip);
                            ip.offset(ins.d as isize)
                        } else {
                            ip.add(1)
                        };
                    }
                    op::JUMP_IF_FALSE_OR_POP | op::JUMP_IF_TRUE_OR_POP => {
                        let t = (*sp.sub(1)).truthy();
                        let taken = t == (ins.op == op::JUMP_IF_TRUE_OR_POP);
                        lh.branch::<L>(cur, pc!(), taken);
                        if taken {
                            lh.edge::<L>(ip);
                            ip = ip.offset(ins.d as isize);
                        } else {
                            drop(pop(&mut sp));
                            ip = ip.add(1);
                        }
                    }
                    op::RETURN => {
                        let v = pop(&mut sp);
                        let Some(fr) = st.frames.pop() else {
                            // The program's own return, or a nested run's.
                            let (h, d) = (lh.hooks.as_deref_mut(), lh.dispatches);
                            calls::finish::<L>(p, st, h, d, entry, live!());
                            lh.hand_back::<L>(st);
                            return Ok(v);
                        };
                        lh.returned::<L>(cur, &fr);
                        slots = calls::return_to(&fr, v, stk, &mut sp);
                        switch_to!(fr.code);
                        ip = xc.code.as_ptr().add(fr.ret_pc as usize);
                    }
                    op::CALL_NAME | op::CALL_VALUE => {
                        match calls::call_of(st, ins, (&mut stk, &mut sp, &mut slots)) {
                            Ok(call) => enter!(call),
                            Err(fv) => throw!(trace::not_callable(bc, cur, pc!(), fv)),
                        }
                    }
                    op::CALL_BUILTIN => {
                        let argc = ins.c as usize;
                        let args = std::slice::from_raw_parts(sp.sub(argc), argc);
                        let id = ins.a;
                        host_call!(argc, |h| builtins::call_builtin(id, args, h))
                    }
                    op::CALL_METHOD => {
                        let argc = ins.c as usize;
                        let name_value = &*xc.consts.as_ptr().add(ins.a as usize);
                        // An object's method: a call whose first argument (`this`) is the object.
                        if let Some(call) = calls::method_call(stk, sp, argc, name_value) {
                            enter!(call);
                            continue 'fetch;
                        }
                        let args = std::slice::from_raw_parts(sp.sub(argc), argc);
                        let obj = &*sp.sub(argc + 1);
                        let name = name_value
                            .as_str()
                            .expect("verified: method name is a string");
                        host_call!(argc + 1, |h| builtins::call_method(obj, name, args, h))
                    }
                    op::NEW_OBJECT => {
                        let class = &*xc.consts.as_ptr().add(ins.a as usize);
                        push(&mut sp, objects::new_object(class));
                        ip = ip.add(1);
                    }
                    op::BUILD_LIST => {
                        let items = stackops::take(&mut sp, ins.a as usize);
                        push(&mut sp, Value::list(items));
                        ip = ip.add(1);
                    }
                    op::BUILD_MAP => {
                        match builtins::build_map(stackops::take(&mut sp, 2 * ins.a as usize)) {
                            Ok(m) => push(&mut sp, m),
                            Err(e) => op_err!(e),
                        }
                        ip = ip.add(1);
                    }
                    op::INDEX => step!(stackops::index(&mut sp)),
                    op::STORE_INDEX => step!(stackops::store_index(&mut sp)),
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
                        debug_assert_eq!((*sp.sub(1)).tag(), TAG_ITER);
                        let next = match iteration::next(&*sp.sub(1), ins.c) {
                            Ok(next) => next,
                            Err(msg) => throw!(msg),
                        };
                        match next {
                            Some((i, v)) => {
                                lh.branch::<L>(cur, pc!(), false);
                                if ins.c == 2 {
                                    push(&mut sp, i);
                                }
                                push(&mut sp, v);
                                ip = ip.add(1);
                            }
                            None => {
                                lh.branch::<L>(cur, pc!(), true);
                                lh.edge::<L>(ip);
                                drop(pop(&mut sp));
                                ip = ip.offset(ins.d as isize);
                            }
                        }
                    }
                    op::PRINT => {
                        let n = ins.a as usize;
                        let vals = std::slice::from_raw_parts(sp.sub(n), n);
                        st.out.print_values(vals);
                        stackops::drop_n(&mut sp, n);
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
                        let cells = stackops::take(&mut sp, ins.c as usize);
                        push(&mut sp, Value::closure(ins.a, cells));
                        ip = ip.add(1);
                    }
                    // Exceptions and events, out of line (`unwind.rs`).
                    op::THROW | op::RERAISE | op::EMIT_EVENT => {
                        let mut at = live!();
                        let r = super::unwind::raise_op(ins, &mut at, st, bc);
                        sp = at.sp;
                        match r {
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
                        step!(stackops::set_attr(&mut sp, name))
                    }
                    op::JUMP_IF_NOT_NULL_OR_POP => {
                        let taken = (*sp.sub(1)).tag() != TAG_NULL;
                        lh.branch::<L>(cur, pc!(), taken);
                        if taken {
                            lh.edge::<L>(ip);
                            ip = ip.offset(ins.d as isize);
                        } else {
                            drop(pop(&mut sp));
                            ip = ip.add(1);
                        }
                    }
                    // ---- superinstructions: the fast case, else the original instructions ----
                    si::CMP_SS_JF => test_jf!(3, fused::cmp_test(slots, ins, true, ins.k)),
                    si::LT_SS_JF => test_jf!(3, fused::cmp_test(slots, ins, true, K_LT)),
                    si::CMP_SK_JF => test_jf!(3, fused::cmp_test(slots, ins, false, ins.k)),
                    si::LT_SK_JF => test_jf!(3, fused::cmp_test(slots, ins, false, K_LT)),
                    si::JMP_CMP_SS => shape!(jmp_cmp!(ins, true, ins.k)),
                    si::JMP_LT_SS => shape!(jmp_cmp!(ins, true, K_LT)),
                    si::JMP_CMP_SK => shape!(jmp_cmp!(ins, false, ins.k)),
                    si::JMP_LT_SK => shape!(jmp_cmp!(ins, false, K_LT)),
                    si::INC_JMP_SS => shape!(inc_jmp!(ins, true, ins.k)),
                    si::INC_JMP_LT_SS => shape!(inc_jmp!(ins, true, K_LT)),
                    si::INC_JMP_SK => shape!(inc_jmp!(ins, false, ins.k)),
                    si::INC_JMP_LT_SK => shape!(inc_jmp!(ins, false, K_LT)),
                    si::ARITH_SS_ST => {
                        shape!(ARITH_SS_ST, fused::arith_st(slots, ins, true, ins.k))
                    }
                    si::ADD_SS_ST => shape!(ARITH_SS_ST, fused::arith_st(slots, ins, true, K_ADD)),
                    si::SUB_SS_ST => shape!(ARITH_SS_ST, fused::arith_st(slots, ins, true, K_SUB)),
                    si::ARITH_SK_ST => {
                        shape!(ARITH_SK_ST, fused::arith_st(slots, ins, false, ins.k))
                    }
                    si::ADD_SK_ST => shape!(ARITH_SK_ST, fused::arith_st(slots, ins, false, K_ADD)),
                    si::SUB_SK_ST => shape!(ARITH_SK_ST, fused::arith_st(slots, ins, false, K_SUB)),
                    si::ARITH_SS => {
                        shape!(
                            ARITH_SS,
                            fused::arith_push(&mut sp, slots, ins, true, ins.k)
                        )
                    }
                    si::ADD_SS => shape!(
                        ARITH_SS,
                        fused::arith_push(&mut sp, slots, ins, true, K_ADD)
                    ),
                    si::ARITH_SK => {
                        shape!(
                            ARITH_SK,
                            fused::arith_push(&mut sp, slots, ins, false, ins.k)
                        )
                    }
                    si::ADD_SK => {
                        shape!(
                            ARITH_SK,
                            fused::arith_push(&mut sp, slots, ins, false, K_ADD)
                        )
                    }
                    si::SUB_SK => {
                        shape!(
                            ARITH_SK,
                            fused::arith_push(&mut sp, slots, ins, false, K_SUB)
                        )
                    }
                    // One arm per shape, so that each is one dispatch, not a second jump table.
                    si::ARITH_TS => shape!(ARITH_TS, fused::arith_ts(sp, slots, ins)),
                    si::ARITH_TS_ST => shape!(ARITH_TS_ST, fused::arith_ts_st(&mut sp, slots, ins)),
                    si::ARITH_TK_ST => shape!(ARITH_TK_ST, fused::arith_tk_st(&mut sp, slots, ins)),
                    si::ARITH_KS => shape!(ARITH_KS, fused::arith_ks(&mut sp, slots, ins)),
                    si::MOVE => shape!(MOVE, fused::mov(slots, ins)),
                    si::MOVE2 => shape!(MOVE2, fused::mov2(slots, ins)),
                    si::ARITH_SS_OP => shape!(ARITH_SS_OP, fused::arith_ss_op(sp, slots, ins)),
                    si::NULL_JF => test_jf!(3, fused::null_test(slots, ins)),
                    si::GET_ATTR_S => {
                        // Verified: the property name is a string constant.
                        let name = &*xc.consts.as_ptr().add(ins.c as usize);
                        shape!(GET_ATTR_S, fused::get_attr_s(&mut sp, slots, name, ins))
                    }
                    si::INDEX_SS_JF => test_jf!(3, fused::index_ss_truthy(slots, ins)),
                    si::APPEND_SS_POP => {
                        let v = &*slots.add(ins.c as usize);
                        shape!(APPEND_SS_POP, fused::append_s(slots, ins, v))
                    }
                    si::APPEND_SK_POP => {
                        let v = &*xc.consts.as_ptr().add(ins.c as usize);
                        shape!(APPEND_SK_POP, fused::append_s(slots, ins, v))
                    }
                    si::INDEX_SS => shape!(INDEX_SS, fused::index_ss(&mut sp, slots, ins)),
                    si::STORE_INDEX_SSK => {
                        let v = &*xc.consts.as_ptr().add(ins.x as usize);
                        shape!(STORE_INDEX_SSK, fused::store_index_ssk(slots, ins, v))
                    }
                    si::ARITH_SS_S_ST => shape!(ARITH_SS_S_ST, fused::arith_ss_s_st(slots, ins)),
                    si::APPEND_POP => shape!(APPEND_POP, fused::append_pop(&mut sp)),
                    si::FARITH_SK => shape!(FARITH_SK, floatpath::farith_sk(&mut sp, slots, ins)),
                    si::FARITH_TK => shape!(FARITH_TK, floatpath::farith_tk(sp, ins)),
                    si::CMP_TK_JF => test_jf!(2, fused::cmp_tk(&mut sp, ins)),
                    si::ARITH_SK_CMP_JF => test_jf!(5, fused::arith_sk_cmp(slots, ins)),
                    si::ARITH_TK => shape!(ARITH_TK, fused::arith_tk(sp, ins)),
                    si::CMP_JF => test_jf!(1, fused::cmp_top(&mut sp, ins)),
                    si::LOAD2 => shape!(LOAD2, fused::load2(&mut sp, slots, ins)),
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
