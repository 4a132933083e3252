//! Bytecode loop to Cranelift IR. The translator mirrors the interpreter (STYLE.md 8): an
//! abstract operand stack of typed Cranelift values, slots of int/float/bool type as
//! `Variable`s, one Cranelift block per bytecode basic block of the loop.
//!
//! Values on the abstract stack ([`AV`]) are unboxed ints (`i64`), floats (`f64`) and bools
//! (`i8`), or boxed `(tag, payload)` pairs of any type, either owned (a reference count the
//! native code must give back) or borrowed from a slot or a constant. At block boundaries every
//! stack value is boxed and owned (block parameters).
//!
//! Exits: every exit site writes the abstract stack it had before the failing instruction to
//! `frame.stack[0..]`, then jumps to one shared exit block that writes the slot variables and
//! counters back and returns the resume ip. Slot tags never change inside native code (a store
//! of another type exits), so only payloads are written back.
//!
//! Inline counters (BASIC+) are edge counters, as few as exactness allows: one on the taken
//! edge of each conditional branch and one on each backward jump (the loop's own back edge
//! counter is always kept: it also feeds the exit policy). Every other count follows from flow
//! conservation, since all remaining edges go forward in ip order: a block runs once per entry
//! (the header) plus once per incoming edge, a conditional branch's not-taken count is its
//! block's completed runs minus its taken count, and the one exit of a run that happened inside
//! a block is taken back from the instructions after it ([`LoopMeta::derive`]). FULL adds the
//! same 2-bit predictor as `BranchStats`, simulated in registers (one compare per branch when
//! the state is already saturated in the outcome's direction).
//!
//! Opcodes that exit rather than compile (the interpreter runs them, then the next back edge
//! re-enters): PRINT, CALL_NAME, CALL_VALUE, RETURN, BUILD_LIST, BUILD_MAP, GET_ITER, FOR_ITER.
//! The exception: a CALL_NAME of a function compiled whole ([`super::func`]) is a direct native
//! call in loops without counters (`LoopRequest::natives`); it exits, before the call, only if
//! the slot was rebound, an argument is not an int, or the callee gives up.
//! A loop whose header is a FOR_ITER is refused.
//!
//! This file checks the loop and sets the translation up (blocks from [`super::cfg`], slot
//! types, counters); the parts of the translator are named after what they emit: `lower`
//! (one instruction), `values`, `arith`, `lists`, `calls`, `counters` and `exits`.

use std::collections::{BTreeMap, HashMap};

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AbiParam, Block, BlockArg, FuncRef, Function, InstBuilder, MemFlagsData, SigRef,
    StackSlot, StackSlotData, StackSlotKind, Value as CV,
};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_module::Module;
use zexus_runtime::jit_helpers::HelperId as H;
use zexus_runtime::value::{HEAP_TAG_MIN, TAG_BOOL, TAG_FLOAT, TAG_INT, TAG_UNDEF};

mod arith;
mod calls;
mod counters;
mod exits;
mod lists;
mod lower;
mod values;

use super::cfg::{BlockEnds, Cfg};
use super::error::JitError;
pub use super::meta::*;
use crate::bytecode::Op;

use super::layout::*;

/// Largest loop (in instructions) the JIT compiles.
pub const MAX_REGION: usize = 4000;

/// The native signature: `extern "C" fn(*mut JitFrame) -> u32`.
pub fn signature(module: &impl Module) -> cranelift_codegen::ir::Signature {
    let mut sig = module.make_signature();
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I32));
    sig
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Own {
    Owned,
    Slot(Space, u32),
    Const,
}

/// A function a loop calls: an `rt_*` helper, or a compiled Zexus function.
#[derive(Debug, Clone, Copy)]
pub enum Import {
    /// A helper of `zexus_runtime::jit_helpers`.
    Helper(H),
    /// A function compiled whole.
    Native(cranelift_module::FuncId),
}

/// An abstract stack value.
#[derive(Debug, Clone, Copy)]
enum AV {
    I(CV),
    F(CV),
    B(CV),
    D(CV, CV, Own),
}

struct BInfo {
    block: Block,
    end: u32,
    /// Index in `meta.blocks` (reachable blocks only).
    idx: Option<usize>,
    reachable: bool,
}

struct Tr<'a, 'f> {
    b: FunctionBuilder<'f>,
    req: &'a LoopRequest<'a>,
    /// Declares an `rt_*` import in the function (only the helpers a loop uses appear in it).
    declare: &'a mut dyn FnMut(Import, &mut Function) -> FuncRef,
    helper_refs: HashMap<H, FuncRef>,
    host_sig: SigRef,
    frame: CV,
    slots: CV,
    globals: CV,
    stack: CV,
    consts: CV,
    slot_ty: BTreeMap<(Space, u32), SlotType>,
    slot_var: BTreeMap<(Space, u32), Variable>,
    blocks: BTreeMap<u32, BInfo>,
    /// Each counter's register variable, or `None` for one kept in `frame.ctr`.
    ctr_vars: Vec<Option<Variable>>,
    /// Per conditional branch: taken counter, and the predictor's miss and state (FULL).
    branch_vars: HashMap<u32, (usize, Option<usize>)>,
    /// Conditional branches that leave an inner loop (its exit test).
    loop_tests: std::collections::HashSet<u32>,
    /// Per counted backward jump: its counter.
    back_vars: HashMap<u32, usize>,
    meta: LoopMeta,
    exit_block: Block,
    out_slot: StackSlot,
    args_slot: StackSlot,
    /// A `func::FnCtx` for native calls (only in loops that make some).
    fn_ctx_slot: Option<StackSlot>,
    /// Native functions imported so far.
    native_refs: HashMap<u32, FuncRef>,
    cur_block: u32,
    /// The conditional branch edge being translated (for exits along it).
    cur_edge: Option<(u32, bool)>,
    /// Blocks, their incoming edges, backward jumps.
    cfg: Cfg,
    /// The slot each int value was loaded from in this block.
    origin: HashMap<CV, (Space, u32)>,
    /// The last `x < y` compare on a slot's value: (result, slot).
    last_lt: Option<(CV, (Space, u32))>,
    /// The instruction being translated (its allocation site, see `note_alloc_site`).
    cur_ip: u32,
    /// A fact for the block starting at `.0`: slot `.1` is below some int (so `+ 1` cannot
    /// overflow), from the loop test that leads there.
    pending_fact: Option<(u32, (Space, u32))>,
    /// Int slots known to be below some int in the current block, until stored.
    below: std::collections::HashSet<(Space, u32)>,
}

fn mf() -> MemFlagsData {
    MemFlagsData::trusted()
}

fn is_cond_branch(op: Op) -> bool {
    matches!(
        op,
        Op::JUMP_IF_FALSE | Op::JUMP_IF_TRUE | Op::JUMP_IF_FALSE_OR_POP | Op::JUMP_IF_TRUE_OR_POP
    )
}

fn is_exit_op(op: Op) -> bool {
    matches!(
        op,
        Op::PRINT
            | Op::CALL_NAME
            | Op::CALL_VALUE
            | Op::RETURN
            | Op::GET_ITER
            | Op::FOR_ITER
            | Op::THROW
            | Op::RERAISE
            | Op::EMIT_EVENT
    )
}

/// Whether the loop translation knows `op` (lowers it, or exits to the interpreter at it).
/// A loop holding any other opcode is not compiled at all: its blocks are never built, so an
/// unknown jump cannot leave a block with a predecessor that does not branch to it.
fn known_in_loops(op: Op) -> bool {
    is_exit_op(op)
        || matches!(
            op,
            Op::NOP
                | Op::BUILD_LIST
                | Op::BUILD_MAP
                | Op::LOAD_CONST
                | Op::LOAD_NAME
                | Op::STORE_NAME
                | Op::LOAD_GLOBAL
                | Op::STORE_GLOBAL
                | Op::POP
                | Op::DUP
                | Op::DUP2
                | Op::ADD
                | Op::SUB
                | Op::MUL
                | Op::DIV
                | Op::MOD
                | Op::POW
                | Op::BAND
                | Op::BOR
                | Op::BXOR
                | Op::SHL
                | Op::SHR
                | Op::BNOT
                | Op::NEG
                | Op::EQ
                | Op::NEQ
                | Op::LT
                | Op::GT
                | Op::LTE
                | Op::GTE
                | Op::AND
                | Op::OR
                | Op::NOT
                | Op::JUMP
                | Op::JUMP_IF_FALSE
                | Op::JUMP_IF_TRUE
                | Op::JUMP_IF_FALSE_OR_POP
                | Op::JUMP_IF_TRUE_OR_POP
                | Op::CALL_BUILTIN
                | Op::CALL_METHOD
                | Op::INDEX
                | Op::STORE_INDEX
                | Op::GET_ATTR
                | Op::SET_ATTR
        )
}

/// Translates the loop of `req` into `func`; `declare` imports an `rt_*` helper into it.
#[allow(clippy::needless_range_loop)] // ips index the code, the depths and the leaders alike
pub fn translate<'a>(
    req: &'a LoopRequest<'a>,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    declare: &'a mut dyn FnMut(Import, &mut Function) -> FuncRef,
    target: TargetFrontendConfig,
) -> Result<LoopMeta, JitError> {
    let (h, e) = (req.header as usize, req.back_edge as usize);
    let code = req.code;
    let ins = &code.instrs;
    if e >= ins.len() || h > e || ins[e].op != Op::JUMP || ins[e].a as usize != h {
        return Err(JitError::NotALoop);
    }
    if e - h + 1 > MAX_REGION {
        return Err(JitError::LoopTooLarge(e - h + 1));
    }
    if ins[h].op == Op::FOR_ITER {
        return Err(JitError::ForIterHeader);
    }
    // Native code sees only the operands pushed inside the loop: a loop that pops values it
    // found on the stack at its header is refused (the compiler never makes one; hand-made
    // bytecode may: found by the random-bytecode campaign, case 964003).
    let base = req.depths.get(h).copied().unwrap_or(0);
    let pops_below = (h..=e).any(|ip| {
        let d = req.depths.get(ip).copied().unwrap_or(u32::MAX);
        d != u32::MAX && d.saturating_sub(ins[ip].op.stack_effect(ins[ip].a, ins[ip].b).0) < base
    });
    if base != u32::MAX && pops_below {
        return Err(JitError::PopsBelowHeader);
    }
    if is_exit_op(ins[h].op) {
        return Err(JitError::StartsWithExit(ins[h].op));
    }
    if let Some(ip) = (h..=e).find(|&ip| !known_in_loops(ins[ip].op)) {
        return Err(JitError::OpNotCompiled {
            op: ins[ip].op,
            ip: ip as u32,
        });
    }
    // Builtins that call user functions run in the interpreter (see `vm::reenter`). Checked
    // before any IR is built: a translation abandoned midway would leave the shared
    // `FunctionBuilderContext` dirty for the next one.
    for (ip, ins) in ins.iter().enumerate().take(e + 1).skip(h) {
        if let Some(builtin) = crate::bytecode::Builtin::from_id(ins.a)
            .filter(|b| ins.op == Op::CALL_BUILTIN && b.calls_back())
        {
            return Err(JitError::BuiltinCallsBack {
                builtin,
                ip: ip as u32,
            });
        }
    }
    // A loop whose every iteration meets an instruction native code exits at (a call it
    // cannot make, an inner `for each`, a `print`) would leave native code each time round:
    // the tier would blacklist it after its side exits, so it is not compiled at all.
    let native_call = |ip: usize| {
        ins[ip].op == Op::CALL_NAME
            && !req.counters
            && req
                .natives
                .iter()
                .any(|n| n.slot == ins[ip].a && n.arity == u32::from(ins[ip].b))
    };
    let exits = |ip: usize| is_exit_op(ins[ip].op) && !native_call(ip);
    if let Some(ip) = super::cfg::always_stops(ins, h..=e, exits) {
        return Err(JitError::AlwaysExits {
            op: ins[ip].op,
            ip: ip as u32,
        });
    }
    let dh = req.depths[h];
    for ip in h..=e {
        let d = req.depths[ip];
        if d != u32::MAX && d < dh {
            return Err(JitError::PopsBelowHeader);
        }
    }

    // Blocks: the header, in-region jump targets, and every instruction after a jump.
    let cfg = Cfg::new(ins, h..=e, BlockEnds::Jumps);

    // Slot types from the tags observed now.
    let mut slot_ty = BTreeMap::new();
    let mut max_args = 1u32;
    for ins in &ins[h..=e] {
        let key = match ins.op {
            Op::LOAD_NAME | Op::STORE_NAME => Some((Space::Local, ins.a)),
            Op::LOAD_GLOBAL | Op::STORE_GLOBAL if req.is_main => Some((Space::Local, ins.a)),
            Op::LOAD_GLOBAL | Op::STORE_GLOBAL => Some((Space::Global, ins.a)),
            Op::CALL_BUILTIN => {
                max_args = max_args.max(ins.b as u32);
                None
            }
            Op::CALL_METHOD => {
                max_args = max_args.max(ins.b as u32 + 1);
                None
            }
            Op::BUILD_LIST => {
                max_args = max_args.max(ins.a);
                None
            }
            Op::BUILD_MAP => {
                max_args = max_args.max(2 * ins.a);
                None
            }
            _ => None,
        };
        if let Some(k) = key {
            let tags = if k.0 == Space::Local {
                req.local_tags
            } else {
                req.global_tags
            };
            let tag = tags.get(k.1 as usize).copied().unwrap_or(TAG_UNDEF);
            let t = match tag {
                _ if req.general.contains(&k) => SlotType::Mem,
                TAG_INT => SlotType::Int,
                TAG_FLOAT => SlotType::Float,
                TAG_BOOL => SlotType::Bool,
                _ => SlotType::Mem,
            };
            slot_ty.insert(k, t);
        }
    }

    let mut b = FunctionBuilder::new(func, fctx);
    let host_sig = {
        let mut s = cranelift_codegen::ir::Signature::new(target.default_call_conv);
        for _ in 0..4 {
            s.params.push(AbiParam::new(types::I64));
        }
        s.returns.push(AbiParam::new(types::I32));
        b.import_signature(s)
    };
    let out_slot = b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        V_SIZE as u32,
        3,
    ));
    let args_slot = b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        V_SIZE as u32 * max_args,
        3,
    ));
    let fn_ctx_slot = (!req.natives.is_empty()).then(|| {
        b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, C_SIZE, 3))
    });

    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    let exit_block = b.create_block();
    b.append_block_param(exit_block, types::I32);
    b.append_block_param(exit_block, types::I32);
    b.set_cold_block(exit_block);

    let mut blocks = BTreeMap::new();
    let mut meta = LoopMeta {
        header: req.header,
        back_edge: req.back_edge,
        ..Default::default()
    };
    let mut ctr_vars = Vec::new();
    let mut n_meta_blocks = 0;
    for (l, end) in cfg.blocks() {
        let reachable = req.depths[l as usize] != u32::MAX;
        let block = b.create_block();
        let k = if reachable {
            req.depths[l as usize] - dh
        } else {
            0
        };
        for _ in 0..k {
            b.append_block_param(block, types::I64);
            b.append_block_param(block, types::I64);
        }
        let idx = reachable.then(|| {
            n_meta_blocks += 1;
            n_meta_blocks - 1
        });
        blocks.insert(
            l,
            BInfo {
                block,
                end,
                idx,
                reachable,
            },
        );
    }
    // Loop nesting depth of each ip: counters of the innermost loops live in registers, the
    // others in `frame.ctr` (they run rarely, and registers are what inner loops need).
    let backs = cfg.back_edges();
    // A forward branch from inside an inner loop to past its back edge is that loop's test.
    let loop_tests: std::collections::HashSet<u32> = (h..=e)
        .filter(|&ip| is_cond_branch(ins[ip].op))
        .filter(|&ip| {
            let t = ins[ip].a as usize;
            backs.iter().any(|&(lt, ls)| {
                ls as usize != e && lt as usize <= ip && ip < ls as usize && t > ls as usize
            })
        })
        .map(|ip| ip as u32)
        .collect();
    let nest = |ip: usize| {
        backs
            .iter()
            .filter(|&&(t, s)| (t as usize..=s as usize).contains(&ip))
            .count()
    };
    let max_nest = (h..=e).map(nest).max().unwrap_or(1);
    let mut new_ctr = |b: &mut FunctionBuilder, ip: usize| -> usize {
        ctr_vars.push((nest(ip) == max_nest).then(|| b.declare_var(types::I64)));
        ctr_vars.len() - 1
    };
    // The loop's own back edge is always counted (iterations, for the exit policy).
    meta.iter_ctr = new_ctr(&mut b, e);
    let mut branch_vars = HashMap::new();
    let mut back_vars = HashMap::new();
    back_vars.insert(e as u32, meta.iter_ctr);
    if req.counters {
        for ip in h..=e {
            if req.depths[ip] == u32::MAX {
                continue;
            }
            let op = ins[ip].op;
            if is_cond_branch(op) {
                let taken = new_ctr(&mut b, ip);
                let exits = !(h..=e).contains(&(ins[ip].a as usize));
                let pred = (req.branch_stats && !exits).then(|| {
                    let pred = new_ctr(&mut b, ip);
                    meta.branches.push(BranchCtr {
                        ip: ip as u32,
                        inline: true,
                        pred,
                    });
                    pred
                });
                if req.branch_stats && exits {
                    meta.branches.push(BranchCtr {
                        ip: ip as u32,
                        inline: false,
                        pred: 0,
                    });
                }
                branch_vars.insert(ip as u32, (taken, pred));
            } else if ip != e && cfg.is_back_edge(ip as u32) {
                let c = new_ctr(&mut b, ip);
                back_vars.insert(ip as u32, c);
            }
        }
    }
    meta.n_counters = ctr_vars.len();
    // Site 0: the entry guard.
    meta.exits.push(ExitSite {
        ip: req.header,
        reason: ExitReason::EntryGuard,
        stack_len: 0,
        partial: None,
        slot: None,
        edge: None,
    });
    meta.specialised = slot_ty
        .iter()
        .map(|(&(sp, i), t)| {
            let name = match sp {
                Space::Local => code.slot_names.get(i as usize),
                Space::Global => req.global_names.get(i as usize),
            };
            format!("{}:{}", name.map_or("?", |s| s.as_str()), t.name())
        })
        .collect::<Vec<_>>()
        .join(", ");

    b.switch_to_block(entry);
    let frame = b.block_params(entry)[0];
    let load = |b: &mut FunctionBuilder, off: i32| b.ins().load(types::I64, mf(), frame, off);
    let slots = load(&mut b, F_SLOTS);
    let globals = load(&mut b, F_GLOBALS);
    let stack = load(&mut b, F_STACK);
    let consts = load(&mut b, F_CONSTS);

    let mut t = Tr {
        b,
        req,
        declare,
        helper_refs: HashMap::new(),
        host_sig,
        frame,
        slots,
        globals,
        stack,
        consts,
        slot_ty,
        slot_var: BTreeMap::new(),
        blocks,
        ctr_vars,
        branch_vars,
        back_vars,
        loop_tests,
        meta,
        exit_block,
        out_slot,
        args_slot,
        fn_ctx_slot,
        native_refs: HashMap::new(),
        cur_block: req.header,
        cur_edge: None,
        cfg,
        origin: HashMap::new(),
        last_lt: None,
        cur_ip: 0,
        pending_fact: None,
        below: Default::default(),
    };
    t.entry()?;
    let starts: Vec<u32> = t.blocks.keys().copied().collect();
    if req.counters {
        t.meta.blocks = starts
            .iter()
            .filter(|s| t.blocks[s].reachable)
            .map(|&s| BlockMeta {
                start: s,
                end: t.blocks[&s].end,
                term: Term::Exit,
            })
            .collect();
    }
    for s in starts {
        t.block(s)?;
    }
    t.exit_block();
    t.b.seal_all_blocks();
    t.b.finalize(target);
    Ok(t.meta)
}

impl<'a, 'f> Tr<'a, 'f> {
    fn base_of(&self, sp: Space) -> CV {
        match sp {
            Space::Local => self.slots,
            Space::Global => self.globals,
        }
    }

    fn iconst(&mut self, v: i64) -> CV {
        self.b.ins().iconst(types::I64, v)
    }

    fn block(&mut self, start: u32) -> Result<(), JitError> {
        let (blk, end, reachable) = {
            let bi = &self.blocks[&start];
            (bi.block, bi.end, bi.reachable)
        };
        self.b.switch_to_block(blk);
        if !reachable {
            // No path reaches it (the verifier's depth is unknown): never runs.
            let z = self.b.ins().iconst(types::I32, start as i64);
            let s = self.b.ins().iconst(types::I32, 0);
            self.b
                .ins()
                .jump(self.exit_block, &[BlockArg::Value(z), BlockArg::Value(s)]);
            return Ok(());
        }
        self.cur_block = start;
        self.below.clear();
        if let Some((b, slot)) = self.pending_fact.take() {
            if b == start && self.cfg.preds(start) == 1 {
                self.below.insert(slot);
            }
        }
        // Read the stack parameters before any variable use adds SSA parameters.
        let params = self.b.block_params(blk).to_vec();
        let mut stack: Vec<AV> = params
            .chunks(2)
            .map(|c| AV::D(c[0], c[1], Own::Owned))
            .collect();
        for ip in start..=end {
            if self.instr(ip, &mut stack)? {
                return Ok(());
            }
        }
        // Falls through into the next block.
        self.set_term(Term::Goto(self.block_idx(end + 1)));
        self.goto(end + 1, &stack);
        Ok(())
    }

    /// The `meta.blocks` index of the block starting at `ip`, if it is in the loop.
    fn block_idx(&self, ip: u32) -> Option<usize> {
        self.blocks.get(&ip).and_then(|b| b.idx)
    }

    /// Records how the block being translated ends (for deriving counts).
    fn set_term(&mut self, term: Term) {
        if let Some(i) = self.blocks[&self.cur_block].idx {
            if let Some(b) = self.meta.blocks.get_mut(i) {
                b.term = term;
            }
        }
    }

    fn local_key(&self, op: Op, a: u32) -> (Space, u32) {
        match op {
            Op::LOAD_GLOBAL | Op::STORE_GLOBAL if !self.req.is_main => (Space::Global, a),
            _ => (Space::Local, a),
        }
    }
}
