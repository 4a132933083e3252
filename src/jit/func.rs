//! Whole functions in native code, recursion included.
//!
//! A function whose body only computes with ints and bools (its locals, arithmetic,
//! comparisons, branches, reading int globals, calling itself or functions already compiled
//! this way) has no side effect at all. So it can run natively with native calls, and whenever
//! anything goes wrong (an overflow, a division by zero or an inexact quotient, a callee slot
//! rebound to another value, recursion deeper than allowed) the native call tree simply gives
//! up: it sets [`FnCtx::abandon`] and returns at once through every native frame. The VM then
//! discards what the native code counted and runs the same call in the interpreter, which
//! produces the result or raises the error itself. Re-running is safe because nothing was
//! changed; results, errors and profile counts are the interpreter's.
//!
//! Counting (BASIC): native code counts the same things as the interpreter (each taken jump
//! and branch, and each entry) into a per-function array, which the VM adds to the run's
//! counters when the outermost native call returns; the exact per-instruction counts then
//! follow by the same derivation (`ProfHooks::fold`).

use std::collections::HashMap;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AbiParam, Block, FuncRef, Function, InstBuilder, MemFlagsData, Signature, Value as CV,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use zexus_runtime::value::{TAG_BOOL, TAG_FUNC, TAG_INT};

use super::cfg::{BlockEnds, Cfg};
use super::error::{FnRefusal as R, JitError};
use crate::bytecode::{CodeObject, Op};

/// Most arguments a compiled function takes.
pub const MAX_ARGS: usize = 4;

/// The block native functions share with the VM during one outermost call.
#[repr(C)]
#[derive(Debug)]
pub struct FnCtx {
    /// Native frames active now.
    pub depth: u64,
    /// Most native frames allowed (what is left of the VM's call-depth limit, capped).
    pub max_depth: u64,
    /// Set to 1 by native code that gives up.
    pub abandon: u64,
    /// The program's globals (`Value`s, 16 bytes each).
    pub globals: *const zexus_runtime::Value,
    /// The lowest stack address native frames may use: a native call tree gives up before
    /// it would take more than [`STACK_BUDGET`] bytes of the machine stack, whatever the
    /// thread's stack size and the frames' sizes.
    pub stack_limit: u64,
}

/// Machine stack one native call tree may use.
pub const STACK_BUDGET: u64 = 256 << 10;

use super::layout::{
    payload_at, tag_at, CTR_SIZE, C_ABANDON, C_DEPTH, C_GLOBALS, C_MAX, C_STACK_LIMIT,
};

/// The value type a compiled function computes with (bools are 0 or 1 in native code).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// A 64-bit int.
    Int,
    /// A bool.
    Bool,
}

/// What the analysis found out about a function that can be compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnPlan {
    /// What it returns.
    pub ret: Ty,
    /// Other compiled functions it calls (code indices).
    pub callees: Vec<u32>,
    /// Operand types before each instruction (`None`: unreachable).
    stacks: Vec<Option<Vec<Ty>>>,
}

#[derive(Debug, Clone, PartialEq)]
struct St {
    slots: Vec<Option<Ty>>,
    stack: Vec<Ty>,
}

/// The native signature of a function of `arity` arguments: `(ctx, args...) -> i64`.
pub fn fn_signature(mut sig: Signature, arity: u32) -> Signature {
    sig.params.push(AbiParam::new(types::I64));
    for _ in 0..arity {
        sig.params.push(AbiParam::new(types::I64));
    }
    sig.returns.push(AbiParam::new(types::I64));
    sig
}

/// Checks that code object `me` can run natively with int arguments. `callee_of(slot)` is
/// the function a global slot holds now; `ret_of(f)` the return type of an already compiled
/// function.
pub fn analyse(
    me: u32,
    code: &CodeObject,
    callee_of: &dyn Fn(u32) -> Option<u32>,
    ret_of: &dyn Fn(u32) -> Option<Ty>,
) -> Result<FnPlan, JitError> {
    // A recursive call returns what the function returns: assume int, then bool.
    let first = analyse_with(me, code, Ty::Int, callee_of, ret_of)?;
    if first.ret == Ty::Int {
        return Ok(first);
    }
    let second = analyse_with(me, code, Ty::Bool, callee_of, ret_of)?;
    if second.ret == Ty::Bool {
        Ok(second)
    } else {
        Err(R::RecursionDisagrees.into())
    }
}

fn analyse_with(
    me: u32,
    code: &CodeObject,
    self_ret: Ty,
    callee_of: &dyn Fn(u32) -> Option<u32>,
    ret_of: &dyn Fn(u32) -> Option<Ty>,
) -> Result<FnPlan, JitError> {
    let n = code.instrs.len();
    let arity = code.arity as usize;
    if arity > MAX_ARGS {
        return Err(R::TooManyArgs.into());
    }
    let mut states: Vec<Option<St>> = vec![None; n];
    let mut init = St {
        slots: vec![None; code.n_slots() as usize],
        stack: Vec::new(),
    };
    for s in init.slots.iter_mut().take(arity) {
        *s = Some(Ty::Int);
    }
    if n == 0 {
        return Err(R::Empty.into());
    }
    states[0] = Some(init);
    let mut work = vec![0usize];
    let mut ret: Option<Ty> = None;
    let mut callees = Vec::new();
    while let Some(pc) = work.pop() {
        let mut s = states[pc].clone().expect("queued states exist");
        let ins = code.instrs[pc];
        let at = |why: R| JitError::Function {
            why,
            at: Some((pc as u32, ins.op)),
        };
        macro_rules! pop {
            () => {
                s.stack.pop().ok_or_else(|| at(R::StackUnderflow))?
            };
        }
        macro_rules! pop_int {
            () => {{
                if pop!() != Ty::Int {
                    return Err(at(R::ComputesWithBool));
                }
            }};
        }
        // (successor, state) pairs.
        let mut next: Vec<(usize, St)> = Vec::new();
        match ins.op {
            Op::LOAD_CONST => {
                let t = match code.consts.get(ins.a as usize).map(|v| v.tag()) {
                    Some(TAG_INT) => Ty::Int,
                    Some(TAG_BOOL) => Ty::Bool,
                    _ => return Err(at(R::NonIntConstant)),
                };
                s.stack.push(t);
            }
            Op::LOAD_NAME => {
                let t = s
                    .slots
                    .get(ins.a as usize)
                    .copied()
                    .flatten()
                    .ok_or_else(|| at(R::UnsetVariable))?;
                s.stack.push(t);
            }
            Op::STORE_NAME => {
                let t = pop!();
                s.slots[ins.a as usize] = Some(t);
            }
            Op::LOAD_GLOBAL => s.stack.push(Ty::Int),
            Op::ADD | Op::SUB | Op::MUL | Op::DIV | Op::MOD => {
                pop_int!();
                pop_int!();
                s.stack.push(Ty::Int);
            }
            Op::NEG | Op::BNOT => {
                pop_int!();
                s.stack.push(Ty::Int);
            }
            Op::BAND | Op::BOR | Op::BXOR | Op::SHL | Op::SHR => {
                pop_int!();
                pop_int!();
                s.stack.push(Ty::Int);
            }
            Op::EQ | Op::NEQ => {
                if pop!() != pop!() {
                    return Err(at(R::ComparesIntWithBool));
                }
                s.stack.push(Ty::Bool);
            }
            Op::LT | Op::GT | Op::LTE | Op::GTE => {
                pop_int!();
                pop_int!();
                s.stack.push(Ty::Bool);
            }
            Op::NOT => {
                pop!();
                s.stack.push(Ty::Bool);
            }
            Op::AND | Op::OR => {
                pop!();
                pop!();
                s.stack.push(Ty::Bool);
            }
            Op::POP => {
                pop!();
            }
            Op::DUP => {
                let t = *s.stack.last().ok_or_else(|| at(R::StackUnderflow))?;
                s.stack.push(t);
            }
            Op::JUMP => {}
            Op::JUMP_IF_FALSE | Op::JUMP_IF_TRUE => {
                pop!();
            }
            Op::JUMP_IF_FALSE_OR_POP | Op::JUMP_IF_TRUE_OR_POP => {
                next.push((ins.a as usize, s.clone()));
                pop!();
            }
            Op::RETURN => {
                let t = pop!();
                if ret.is_some_and(|r| r != t) {
                    return Err(at(R::ReturnsBoth));
                }
                ret = Some(t);
            }
            Op::CALL_NAME => {
                let callee = callee_of(ins.a).ok_or_else(|| at(R::CallsNoFunction))?;
                for _ in 0..ins.b {
                    pop_int!();
                }
                let r = if callee == me {
                    self_ret
                } else {
                    let r = ret_of(callee).ok_or_else(|| at(R::CallsUncompiled))?;
                    if !callees.contains(&callee) {
                        callees.push(callee);
                    }
                    r
                };
                s.stack.push(r);
            }
            op => return Err(at(R::OpNotCompiled(op))),
        }
        match ins.op {
            Op::RETURN | Op::JUMP_IF_FALSE_OR_POP | Op::JUMP_IF_TRUE_OR_POP => {}
            Op::JUMP => next.push((ins.a as usize, s.clone())),
            Op::JUMP_IF_FALSE | Op::JUMP_IF_TRUE => next.push((ins.a as usize, s.clone())),
            _ => {}
        }
        if !matches!(ins.op, Op::RETURN | Op::JUMP) {
            next.push((pc + 1, s));
        }
        for (t, st) in next {
            if t >= n {
                return Err(at(R::FallsOffEnd));
            }
            match &mut states[t] {
                None => {
                    states[t] = Some(st);
                    work.push(t);
                }
                Some(old) => {
                    if old.stack != st.stack {
                        return Err(at(R::TypesDifferAtJoin));
                    }
                    let mut changed = false;
                    for (a, b) in old.slots.iter_mut().zip(&st.slots) {
                        if a.is_some() && *a != *b {
                            *a = None;
                            changed = true;
                        }
                    }
                    if changed {
                        work.push(t);
                    }
                }
            }
        }
    }
    Ok(FnPlan {
        ret: ret.ok_or(R::NeverReturns)?,
        callees,
        stacks: states.into_iter().map(|s| s.map(|s| s.stack)).collect(),
    })
}

fn mf() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Everything [`translate_fn`] needs.
pub struct FnRequest<'a> {
    /// The function.
    pub code: &'a CodeObject,
    /// Its analysis.
    pub plan: &'a FnPlan,
    /// The code index each global slot the function calls through must hold.
    pub callee_of: &'a dyn Fn(u32) -> Option<u32>,
    /// Address of its counters (`len + 1` words: taken edges by ip, then entries; then, with
    /// `predictors`, one word per conditional branch in ip order), or `None` without
    /// profiling.
    pub counters: Option<u64>,
    /// Simulate the profiler's 2-bit predictor per conditional branch (FULL), each in one
    /// word packed as `misses * 4 + state`.
    pub predictors: bool,
    /// Address of the run's fuel cell (`i64`, see `vm/limits.rs`) when the VM has limits:
    /// each entry takes the function's length from it and each backward jump the loop's
    /// length, and the call tree gives up when it goes negative.
    pub fuel: Option<u64>,
}

/// The conditional branches of `code` in ip order (their predictor words follow the entries).
pub fn cond_branches(code: &CodeObject) -> Vec<usize> {
    code.instrs
        .iter()
        .enumerate()
        .filter(|(_, i)| {
            matches!(
                i.op,
                Op::JUMP_IF_FALSE
                    | Op::JUMP_IF_TRUE
                    | Op::JUMP_IF_FALSE_OR_POP
                    | Op::JUMP_IF_TRUE_OR_POP
            )
        })
        .map(|(pc, _)| pc)
        .collect()
}

struct Tr<'a, 'b> {
    b: FunctionBuilder<'b>,
    req: &'a FnRequest<'a>,
    ctx: CV,
    slots: Vec<Variable>,
    stack: Vec<Variable>,
    depth: usize,
    giveup: Block,
}

impl Tr<'_, '_> {
    fn push(&mut self, v: CV) {
        let var = self.stack[self.depth];
        self.b.def_var(var, v);
        self.depth += 1;
    }

    fn pop(&mut self) -> CV {
        self.depth -= 1;
        self.b.use_var(self.stack[self.depth])
    }

    fn iconst(&mut self, v: i64) -> CV {
        self.b.ins().iconst(types::I64, v)
    }

    fn bool64(&mut self, c: CV) -> CV {
        self.b.ins().uextend(types::I64, c)
    }

    fn give_up_if(&mut self, cond: CV) {
        let cont = self.b.create_block();
        let giveup = self.giveup;
        self.b.ins().brif(cond, giveup, &[], cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// Takes `cost` from the fuel cell at `fuel`, giving up when it goes negative (a limit
    /// of the VM's was reached: the interpreter re-runs the call and raises it).
    fn spend_fuel(&mut self, fuel: Option<u64>, cost: i64) {
        let Some(addr) = fuel else { return };
        let out = super::emit::take_fuel(&mut self.b, addr, cost);
        self.give_up_if(out);
    }

    fn count(&mut self, i: usize) {
        if let Some(base) = self.req.counters {
            let addr = self.iconst(base as i64 + CTR_SIZE * i as i64);
            let v = self.b.ins().load(types::I64, mf(), addr, 0);
            let v = self.b.ins().iadd_imm_s(v, 1);
            self.b.ins().store(mf(), v, addr, 0);
        }
    }

    /// Steps the predictor word `i` with one outcome (`emit::predictor_step`).
    fn predict(&mut self, i: usize, taken: bool) {
        let Some(base) = self.req.counters else {
            return;
        };
        let addr = self.iconst(base as i64 + CTR_SIZE * i as i64);
        let v = self.b.ins().load(types::I64, mf(), addr, 0);
        let s = self.b.ins().band_imm_u(v, 3);
        let nv = super::emit::predictor_step(&mut self.b, v, s, taken);
        self.b.ins().store(mf(), nv, addr, 0);
    }

    fn arith(&mut self, op: Op, x: CV, y: CV) -> CV {
        match op {
            Op::ADD | Op::SUB | Op::MUL => {
                let (r, of) = match op {
                    Op::ADD => self.b.ins().sadd_overflow(x, y),
                    Op::SUB => self.b.ins().ssub_overflow(x, y),
                    _ => self.b.ins().smul_overflow(x, y),
                };
                self.give_up_if(of);
                r
            }
            Op::DIV => {
                // Only an exact quotient stays an int; i64::MIN / -1 overflows.
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                self.give_up_if(zero);
                let m1 = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                let min = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                let of = self.b.ins().band(m1, min);
                self.give_up_if(of);
                let q = self.b.ins().sdiv(x, y);
                let back = self.b.ins().imul(q, y);
                let inexact = self.b.ins().icmp(IntCC::NotEqual, back, x);
                self.give_up_if(inexact);
                q
            }
            _ => {
                let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                self.give_up_if(zero);
                super::emit::floor_mod(&mut self.b, x, y)
            }
        }
    }
}

/// Translates a function the analysis accepted into `func` (signature [`fn_signature`]).
/// `self_ref` calls the function itself, `callee_refs` the other compiled functions.
pub fn translate_fn(
    req: &FnRequest,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    self_ref: FuncRef,
    callee_refs: &HashMap<u32, FuncRef>,
    me: u32,
    target: cranelift_codegen::isa::TargetFrontendConfig,
) -> Result<(), JitError> {
    let code = req.code;
    let n = code.instrs.len();
    let max_stack = req
        .plan
        .stacks
        .iter()
        .flatten()
        .map(|s| s.len())
        .max()
        .unwrap_or(0)
        + 1;
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    // A block per reachable instruction that starts one.
    let cfg = Cfg::new(
        &code.instrs,
        0..=n.saturating_sub(1),
        BlockEnds::JumpsAndReturns,
    );
    let blocks: Vec<Option<Block>> = (0..n)
        .map(|pc| {
            (cfg.is_leader(pc as u32) && req.plan.stacks[pc].is_some()).then(|| b.create_block())
        })
        .collect();
    let giveup = b.create_block();
    b.set_cold_block(giveup);
    let pred_word: HashMap<usize, usize> = if req.predictors {
        cond_branches(code)
            .into_iter()
            .enumerate()
            .map(|(k, pc)| (pc, n + 1 + k))
            .collect()
    } else {
        HashMap::new()
    };
    let slots: Vec<Variable> = (0..code.n_slots())
        .map(|_| b.declare_var(types::I64))
        .collect();
    let stack: Vec<Variable> = (0..max_stack).map(|_| b.declare_var(types::I64)).collect();
    b.switch_to_block(entry);
    let params = b.block_params(entry).to_vec();
    let ctx = params[0];
    let mut tr = Tr {
        b,
        req,
        ctx,
        slots,
        stack,
        depth: 0,
        giveup,
    };
    for (i, &v) in params[1..].iter().enumerate() {
        let var = tr.slots[i];
        tr.b.def_var(var, v);
    }
    let zero = tr.iconst(0);
    for i in code.arity as usize..tr.slots.len() {
        let var = tr.slots[i];
        tr.b.def_var(var, zero);
    }
    for &var in &tr.stack.clone() {
        tr.b.def_var(var, zero);
    }
    // Entry: one more native frame, within the limit.
    let d = tr.b.ins().load(types::I64, mf(), ctx, C_DEPTH);
    let d1 = tr.b.ins().iadd_imm_s(d, 1);
    let max = tr.b.ins().load(types::I64, mf(), ctx, C_MAX);
    let deep = tr.b.ins().icmp(IntCC::UnsignedGreaterThan, d1, max);
    tr.give_up_if(deep);
    let sp = tr.b.ins().get_stack_pointer(types::I64);
    let lim = tr.b.ins().load(types::I64, mf(), ctx, C_STACK_LIMIT);
    let low = tr.b.ins().icmp(IntCC::UnsignedLessThan, sp, lim);
    tr.give_up_if(low);
    tr.b.ins().store(mf(), d1, ctx, C_DEPTH);
    tr.spend_fuel(req.fuel, n as i64);
    tr.count(n);
    let first = blocks[0].expect("the entry is reachable");
    tr.b.ins().jump(first, &[]);
    let mut live = false;
    for pc in 0..n {
        if let Some(blk) = blocks[pc] {
            if live {
                tr.b.ins().jump(blk, &[]);
            }
            tr.b.switch_to_block(blk);
            live = true;
        }
        let Some(st) = &req.plan.stacks[pc] else {
            continue;
        };
        if !live {
            continue;
        }
        tr.depth = st.len();
        let ins = code.instrs[pc];
        let a = ins.a;
        let goto = |tr: &mut Tr, t: usize| {
            let blk = blocks[t].expect("a jump target is a reachable block");
            tr.b.ins().jump(blk, &[]);
        };
        match ins.op {
            Op::LOAD_CONST => {
                let v = code.consts[a as usize].payload() as i64;
                let v = tr.iconst(v);
                tr.push(v);
            }
            Op::LOAD_NAME => {
                let v = tr.b.use_var(tr.slots[a as usize]);
                tr.push(v);
            }
            Op::STORE_NAME => {
                let v = tr.pop();
                let var = tr.slots[a as usize];
                tr.b.def_var(var, v);
            }
            Op::LOAD_GLOBAL => {
                let g = tr.b.ins().load(types::I64, mf(), tr.ctx, C_GLOBALS);
                let tag = tr.b.ins().load(types::I64, mf(), g, tag_at(a as usize));
                let not_int = tr.b.ins().icmp_imm_s(IntCC::NotEqual, tag, TAG_INT as i64);
                tr.give_up_if(not_int);
                let v = tr.b.ins().load(types::I64, mf(), g, payload_at(a as usize));
                tr.push(v);
            }
            Op::ADD | Op::SUB | Op::MUL | Op::DIV | Op::MOD => {
                let y = tr.pop();
                let x = tr.pop();
                let r = tr.arith(ins.op, x, y);
                tr.push(r);
            }
            Op::BAND | Op::BOR | Op::BXOR | Op::SHL | Op::SHR => {
                let y = tr.pop();
                let x = tr.pop();
                let (r, leave) = super::emit::int_bitop(&mut tr.b, ins.op, x, y);
                if let Some(c) = leave {
                    tr.give_up_if(c);
                }
                tr.push(r);
            }
            Op::BNOT => {
                let x = tr.pop();
                let r = tr.b.ins().bnot(x);
                tr.push(r);
            }
            Op::NEG => {
                let x = tr.pop();
                let min = tr.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                tr.give_up_if(min);
                let r = tr.b.ins().ineg(x);
                tr.push(r);
            }
            Op::EQ | Op::NEQ | Op::LT | Op::GT | Op::LTE | Op::GTE => {
                let y = tr.pop();
                let x = tr.pop();
                let cc = match ins.op {
                    Op::EQ => IntCC::Equal,
                    Op::NEQ => IntCC::NotEqual,
                    Op::LT => IntCC::SignedLessThan,
                    Op::GT => IntCC::SignedGreaterThan,
                    Op::LTE => IntCC::SignedLessThanOrEqual,
                    _ => IntCC::SignedGreaterThanOrEqual,
                };
                let c = tr.b.ins().icmp(cc, x, y);
                let r = tr.bool64(c);
                tr.push(r);
            }
            Op::NOT => {
                let x = tr.pop();
                let c = tr.b.ins().icmp_imm_s(IntCC::Equal, x, 0);
                let r = tr.bool64(c);
                tr.push(r);
            }
            Op::AND | Op::OR => {
                let y = tr.pop();
                let x = tr.pop();
                let cx = tr.b.ins().icmp_imm_s(IntCC::NotEqual, x, 0);
                let cy = tr.b.ins().icmp_imm_s(IntCC::NotEqual, y, 0);
                let c = if ins.op == Op::AND {
                    tr.b.ins().band(cx, cy)
                } else {
                    tr.b.ins().bor(cx, cy)
                };
                let r = tr.bool64(c);
                tr.push(r);
            }
            Op::POP => {
                tr.pop();
            }
            Op::DUP => {
                let v = tr.b.use_var(tr.stack[tr.depth - 1]);
                tr.push(v);
            }
            Op::JUMP => {
                tr.count(pc);
                if cfg.is_back_edge(pc as u32) {
                    tr.spend_fuel(req.fuel, (pc - a as usize + 1) as i64);
                }
                goto(&mut tr, a as usize);
                live = false;
            }
            Op::JUMP_IF_FALSE
            | Op::JUMP_IF_TRUE
            | Op::JUMP_IF_FALSE_OR_POP
            | Op::JUMP_IF_TRUE_OR_POP => {
                let keeps = matches!(ins.op, Op::JUMP_IF_FALSE_OR_POP | Op::JUMP_IF_TRUE_OR_POP);
                let on_true = matches!(ins.op, Op::JUMP_IF_TRUE | Op::JUMP_IF_TRUE_OR_POP);
                let c = tr.pop();
                if keeps {
                    tr.depth += 1; // the value stays on the stack along the taken edge
                }
                let cc = if on_true {
                    IntCC::NotEqual
                } else {
                    IntCC::Equal
                };
                let jump = tr.b.ins().icmp_imm_s(cc, c, 0);
                let taken = tr.b.create_block();
                let fall = blocks[pc + 1].expect("the instruction after a branch starts a block");
                let word = pred_word.get(&pc).copied();
                let not_taken = if word.is_some() {
                    tr.b.create_block()
                } else {
                    fall
                };
                tr.b.ins().brif(jump, taken, &[], not_taken, &[]);
                tr.b.switch_to_block(taken);
                tr.count(pc);
                if let Some(w) = word {
                    tr.predict(w, true);
                }
                goto(&mut tr, a as usize);
                if let Some(w) = word {
                    tr.b.switch_to_block(not_taken);
                    tr.predict(w, false);
                    tr.b.ins().jump(fall, &[]);
                }
                live = false;
            }
            Op::RETURN => {
                let v = tr.pop();
                let d = tr.b.ins().load(types::I64, mf(), tr.ctx, C_DEPTH);
                let d = tr.b.ins().iadd_imm_s(d, -1);
                tr.b.ins().store(mf(), d, tr.ctx, C_DEPTH);
                tr.b.ins().return_(&[v]);
                live = false;
            }
            Op::CALL_NAME => {
                let callee = (req.callee_of)(a).ok_or(R::CalleeVanished)?;
                // The slot must still hold that function.
                let g = tr.b.ins().load(types::I64, mf(), tr.ctx, C_GLOBALS);
                let tag = tr.b.ins().load(types::I64, mf(), g, tag_at(a as usize));
                let p = tr.b.ins().load(types::I64, mf(), g, payload_at(a as usize));
                let t_ok = tr.b.ins().icmp_imm_s(IntCC::Equal, tag, TAG_FUNC as i64);
                let p_ok = tr.b.ins().icmp_imm_s(IntCC::Equal, p, callee as i64);
                let ok = tr.b.ins().band(t_ok, p_ok);
                let bad = tr.b.ins().icmp_imm_s(IntCC::Equal, ok, 0);
                tr.give_up_if(bad);
                let argc = ins.b as usize;
                let mut args = vec![tr.ctx];
                let first_arg = tr.depth - argc;
                for i in 0..argc {
                    args.push(tr.b.use_var(tr.stack[first_arg + i]));
                }
                tr.depth = first_arg;
                let f = if callee == me {
                    self_ref
                } else {
                    *callee_refs.get(&callee).ok_or(R::CalleeNotDeclared)?
                };
                let call = tr.b.ins().call(f, &args);
                let r = tr.b.inst_results(call)[0];
                // A callee that gave up: return at once (the VM re-runs the outermost call).
                let ab = tr.b.ins().load(types::I64, mf(), tr.ctx, C_ABANDON);
                let gave_up = tr.b.ins().icmp_imm_s(IntCC::NotEqual, ab, 0);
                let unwind = tr.b.create_block();
                let cont = tr.b.create_block();
                tr.b.set_cold_block(unwind);
                tr.b.ins().brif(gave_up, unwind, &[], cont, &[]);
                tr.b.switch_to_block(unwind);
                let z = tr.iconst(0);
                tr.b.ins().return_(&[z]);
                tr.b.switch_to_block(cont);
                tr.push(r);
            }
            op => return Err(R::OpNotCompiled(op).into()),
        }
    }
    if live {
        return Err(R::FallsOffEnd.into());
    }
    // Giving up: flag it and return; every native caller returns in turn.
    tr.b.switch_to_block(giveup);
    let one = tr.iconst(1);
    tr.b.ins().store(mf(), one, tr.ctx, C_ABANDON);
    let z = tr.iconst(0);
    tr.b.ins().return_(&[z]);
    tr.b.seal_all_blocks();
    tr.b.finalize(target);
    Ok(())
}
