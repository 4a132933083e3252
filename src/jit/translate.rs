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
//! A loop whose header is a FOR_ITER is refused.

use std::collections::{BTreeMap, HashMap, HashSet};

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    types, AbiParam, Block, BlockArg, FuncRef, Function, InstBuilder, MemFlagsData, SigRef,
    StackSlot, StackSlotData, StackSlotKind, Type, Value as CV,
};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_module::Module;
use zexus_runtime::jit_helpers as rt;
use zexus_runtime::value::{
    HEAP_TAG_MIN, TAG_BOOL, TAG_FLOAT, TAG_FUNC, TAG_INT, TAG_LIST, TAG_NULL, TAG_UNDEF,
};

use super::Unsupported;
use crate::bytecode::{CodeObject, Op};

/// Offsets of [`super::JitFrame`]'s fields.
const F_SLOTS: i32 = 0;
const F_GLOBALS: i32 = 8;
const F_STACK: i32 = 16;
const F_CONSTS: i32 = 24;
const F_CTR: i32 = 32;
const F_HOST: i32 = 40;
const F_EXIT: i32 = 48;
/// Offsets of [`super::HostFns`]'s fields.
const H_BUILTIN: i32 = 0;
const H_METHOD: i32 = 8;

/// Largest loop (in instructions) the JIT compiles.
pub const MAX_REGION: usize = 4000;

/// Which frame a slot belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Space {
    /// The running code object's own slots.
    Local,
    /// The program's globals (inside functions).
    Global,
}

/// How a slot is kept in native code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotType {
    /// An `i64` variable (entry guard: tag int).
    Int,
    /// An `f64` variable (entry guard: tag float).
    Float,
    /// An `i8` variable (entry guard: tag bool).
    Bool,
    /// In memory, any type, read and written as (tag, payload).
    Mem,
}

impl SlotType {
    fn tag(self) -> u64 {
        match self {
            SlotType::Int => TAG_INT,
            SlotType::Float => TAG_FLOAT,
            SlotType::Bool => TAG_BOOL,
            SlotType::Mem => u64::MAX,
        }
    }
    fn name(self) -> &'static str {
        match self {
            SlotType::Int => "int",
            SlotType::Float => "float",
            SlotType::Bool => "bool",
            SlotType::Mem => "any",
        }
    }
}

/// Why native code returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExitReason {
    /// Control left the loop (the normal end of a loop run).
    LoopExit,
    /// A slot's type at entry was not the one the code is specialised for.
    EntryGuard,
    /// An int operation overflowed.
    Overflow,
    /// Division by zero.
    DivisionByZero,
    /// Modulo by zero.
    ModuloByZero,
    /// An int division with a remainder (its result is a float).
    InexactDivision,
    /// A store would change a specialised slot's type.
    TypeChange,
    /// A load of an unassigned variable.
    Undefined,
    /// A helper or host call failed (the interpreter raises the error).
    Failed(Op),
    /// An opcode native code does not run.
    Unsupported(Op),
}

impl ExitReason {
    /// Text for reports.
    pub fn describe(self) -> String {
        match self {
            ExitReason::LoopExit => "loop exit".into(),
            ExitReason::EntryGuard => "type guard".into(),
            ExitReason::Overflow => "overflow".into(),
            ExitReason::DivisionByZero => "division by zero".into(),
            ExitReason::ModuloByZero => "modulo by zero".into(),
            ExitReason::InexactDivision => "inexact int division".into(),
            ExitReason::TypeChange => "type change".into(),
            ExitReason::Undefined => "undefined variable".into(),
            ExitReason::Failed(op) => format!("{} failed", op.name()),
            ExitReason::Unsupported(op) => format!("unsupported {}", op.name()),
        }
    }
    /// True for every exit but the normal end of the loop.
    pub fn is_side_exit(self) -> bool {
        self != ExitReason::LoopExit
    }
}

/// One place where native code returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExitSite {
    /// The ip the interpreter resumes at.
    pub ip: u32,
    /// Why.
    pub reason: ExitReason,
    /// Values written to `frame.stack` (depth(ip) - depth(header)).
    pub stack_len: u32,
    /// For an exit inside the loop: the block it left (index into [`LoopMeta::blocks`]); the
    /// instructions from `ip` to the block's end did not run that last time.
    pub partial: Option<usize>,
    /// The slot a type change would have stored to.
    pub slot: Option<(Space, u32)>,
    /// For an exit along a conditional branch's edge: the branch's ip and whether it was taken.
    pub edge: Option<(u32, bool)>,
}

/// How a block of the loop ends, for deriving counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Term {
    /// Falls through or jumps forward to one place (`None`: out of the loop).
    Goto(Option<usize>),
    /// A backward jump, counted.
    Back {
        /// The block it jumps to.
        to: usize,
        /// Its counter.
        ctr: usize,
    },
    /// A conditional branch: taken to `taken` (counted by `ctr`), else to `not_taken`.
    Cond {
        /// The branch's ip.
        ip: u32,
        /// Block reached when taken (`None`: out of the loop).
        taken: Option<usize>,
        /// Block reached when not taken.
        not_taken: Option<usize>,
        /// Counter of taken edges.
        ctr: usize,
    },
    /// Always exits (an opcode native code does not run).
    Exit,
}

/// A basic block of the loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BlockMeta {
    /// First ip.
    pub start: u32,
    /// Last ip.
    pub end: u32,
    /// How it ends.
    pub term: Term,
}

/// The predictor counters of one conditional branch (FULL), as indices into `frame.ctr`.
///
/// A branch whose taken edge leaves the loop (a loop's exit test) has no inline predictor: in
/// one native run it falls through `n` times and then is taken at most once, as the run's last
/// act, so the VM replays that sequence on the predictor in closed form ([`predict_run`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchCtr {
    /// The branch's ip.
    pub ip: u32,
    /// The predictor runs inline (else the VM replays the run).
    pub inline: bool,
    /// Predictor misses.
    pub miss: usize,
    /// Predictor state (read at entry, written at exit).
    pub state: usize,
}

/// Replays `n` outcomes in one direction on a 2-bit predictor in `state` (0..=3, predicting
/// taken at 2 and up): returns (misses, new state), as `n` calls of `BranchStats::record`.
pub fn predict_run(state: u8, taken: bool, n: u64) -> (u64, u8) {
    let s = state as u64;
    if taken {
        (
            n.min(2u64.saturating_sub(s)),
            s.saturating_add(n).min(3) as u8,
        )
    } else {
        (n.min(s.saturating_sub(1)), s.saturating_sub(n) as u8)
    }
}

/// Counts of one native run, derived from its edge counters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunCounts {
    /// Executions of each block (entries; see [`ExitSite::partial`]).
    pub blocks: Vec<u64>,
    /// (ip, taken, not taken) of each conditional branch.
    pub branches: Vec<(u32, u64, u64)>,
}

/// What the VM needs to know about a compiled loop.
#[derive(Debug, Clone, Default)]
pub struct LoopMeta {
    /// The loop header.
    pub header: u32,
    /// The back edge.
    pub back_edge: u32,
    /// The loop's basic blocks in ip order (BASIC+; empty without counters).
    pub blocks: Vec<BlockMeta>,
    /// FULL: predictor counters.
    pub branches: Vec<BranchCtr>,
    /// Counter of back edges to the header taken in native code.
    pub iter_ctr: usize,
    /// Words of `frame.ctr`.
    pub n_counters: usize,
    /// Exit sites by index (`frame.exit_site`); site 0 is the entry guard.
    pub exits: Vec<ExitSite>,
    /// The specialisation, e.g. `"i:int, s:int, xs:any"`.
    pub specialised: String,
}

impl LoopMeta {
    /// Block and branch counts of one native run from its counters `ctr`, which ended at exit
    /// site `site`. Blocks are visited in ip order: every edge not counted goes forward, so a
    /// block's count is complete when it is reached.
    pub fn derive(&self, ctr: &[u64], site: usize, out: &mut RunCounts) {
        let n = self.blocks.len();
        out.blocks.clear();
        out.blocks.resize(n, 0);
        out.branches.clear();
        if n == 0 {
            return;
        }
        let partial = self.exits.get(site).and_then(|s| s.partial);
        if site != 0 {
            out.blocks[0] = 1; // the entry, at the header (site 0 = the guard failed: nothing ran)
        }
        for b in &self.blocks {
            match b.term {
                Term::Back { to, ctr: c } => out.blocks[to] += ctr[c],
                Term::Cond {
                    taken: Some(t),
                    ctr: c,
                    ip,
                    ..
                } if self.blocks[t].start <= ip => out.blocks[t] += ctr[c],
                _ => {}
            }
        }
        for i in 0..n {
            let done = out.blocks[i] - u64::from(partial == Some(i));
            match self.blocks[i].term {
                Term::Goto(Some(j)) => out.blocks[j] += done,
                Term::Cond {
                    ip,
                    taken,
                    not_taken,
                    ctr: c,
                } => {
                    let t = ctr[c];
                    let nt = done - t;
                    if let Some(j) = taken.filter(|&j| self.blocks[j].start > ip) {
                        out.blocks[j] += t;
                    }
                    if let Some(j) = not_taken {
                        out.blocks[j] += nt;
                    }
                    out.branches.push((ip, t, nt));
                }
                _ => {}
            }
        }
    }
}

/// Everything the translator needs about a loop.
pub struct LoopRequest<'a> {
    /// The code object.
    pub code: &'a CodeObject,
    /// True for the program's top level (its slots are the globals).
    pub is_main: bool,
    /// Names of the program's globals.
    pub global_names: &'a [String],
    /// The back edge's target.
    pub header: u32,
    /// The backward `JUMP`.
    pub back_edge: u32,
    /// Operand-stack depth at each ip (`bytecode::stack_depths`).
    pub depths: &'a [u32],
    /// Current tag of each of the code object's slots.
    pub local_tags: &'a [u64],
    /// Current tag of each global (ignored for the program itself).
    pub global_tags: &'a [u64],
    /// Slots to keep in memory whatever their tag (after type changes).
    pub general: &'a HashSet<(Space, u32)>,
    /// Keep per-block counters (profiling at BASIC and up).
    pub counters: bool,
    /// Keep branch counters and the predictor (FULL).
    pub branch_stats: bool,
}

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

struct Helpers {
    incref: FuncRef,
    drop: FuncRef,
    binop: FuncRef,
    neg: FuncRef,
    compare: FuncRef,
    truthy: FuncRef,
    index: FuncRef,
    store_index: FuncRef,
    fmod: FuncRef,
    append: FuncRef,
    len: FuncRef,
}

struct Tr<'a, 'f> {
    b: FunctionBuilder<'f>,
    req: &'a LoopRequest<'a>,
    h: Helpers,
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
    branch_vars: HashMap<u32, (usize, Option<[usize; 2]>)>,
    /// Per counted backward jump: its counter.
    back_vars: HashMap<u32, usize>,
    meta: LoopMeta,
    exit_block: Block,
    out_slot: StackSlot,
    args_slot: StackSlot,
    cur_block: u32,
    /// The conditional branch edge being translated (for exits along it).
    cur_edge: Option<(u32, bool)>,
}

fn unsupported(op: Option<Op>, ip: u32, reason: impl Into<String>) -> Unsupported {
    Unsupported {
        op,
        ip,
        reason: reason.into(),
    }
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
            | Op::BUILD_LIST
            | Op::BUILD_MAP
            | Op::GET_ITER
            | Op::FOR_ITER
    )
}

/// Translates the loop of `req` into `func`. `helpers` names each `rt_*` import of `func`.
#[allow(clippy::needless_range_loop)] // ips index the code, the depths and the leaders alike
pub fn translate(
    req: &LoopRequest,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
    helpers: &[(&'static str, FuncRef)],
    target: TargetFrontendConfig,
) -> Result<LoopMeta, Unsupported> {
    let (h, e) = (req.header as usize, req.back_edge as usize);
    let code = req.code;
    let ins = &code.instrs;
    if e >= ins.len() || h > e || ins[e].op != Op::JUMP || ins[e].a as usize != h {
        return Err(unsupported(
            None,
            req.header,
            "not a loop (the back edge is not a JUMP to the header)",
        ));
    }
    if e - h + 1 > MAX_REGION {
        return Err(unsupported(
            None,
            req.header,
            format!("loop too large ({} instructions)", e - h + 1),
        ));
    }
    if ins[h].op == Op::FOR_ITER {
        return Err(unsupported(
            Some(Op::FOR_ITER),
            req.header,
            "FOR_ITER loops are not compiled",
        ));
    }
    if is_exit_op(ins[h].op) {
        return Err(unsupported(
            Some(ins[h].op),
            req.header,
            format!("the loop starts with {}", ins[h].op.name()),
        ));
    }
    let dh = req.depths[h];
    for ip in h..=e {
        let d = req.depths[ip];
        if d != u32::MAX && d < dh {
            return Err(unsupported(
                Some(ins[ip].op),
                ip as u32,
                "the loop pops values pushed before it",
            ));
        }
    }
    let find = |name: &str| {
        helpers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|x| x.1)
            .expect("helper declared")
    };
    let hs = Helpers {
        incref: find("rt_incref"),
        drop: find("rt_drop"),
        binop: find("rt_binop"),
        neg: find("rt_neg"),
        compare: find("rt_compare"),
        truthy: find("rt_truthy"),
        index: find("rt_index"),
        store_index: find("rt_store_index"),
        fmod: find("rt_fmod"),
        append: find("rt_append"),
        len: find("rt_len"),
    };

    // Leaders: the header, in-region jump targets, and every instruction after a jump.
    let mut leaders = vec![h as u32];
    for ip in h..=e {
        let op = ins[ip].op;
        if matches!(op.operand_kind(), crate::bytecode::OperandKind::Target) {
            let t = ins[ip].a as usize;
            if (h..=e).contains(&t) {
                leaders.push(t as u32);
            }
            if ip < e {
                leaders.push(ip as u32 + 1);
            }
        }
    }
    leaders.sort_unstable();
    leaders.dedup();

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
    let out_slot =
        b.create_sized_stack_slot(StackSlotData::new(StackSlotKind::ExplicitSlot, 16, 3));
    let args_slot = b.create_sized_stack_slot(StackSlotData::new(
        StackSlotKind::ExplicitSlot,
        16 * max_args,
        3,
    ));

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
    for (i, &l) in leaders.iter().enumerate() {
        let end = leaders.get(i + 1).map_or(e as u32, |n| n - 1);
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
    let backs: Vec<(usize, usize)> = (h..=e)
        .filter(|&ip| ins[ip].op == Op::JUMP && (h..=ip).contains(&(ins[ip].a as usize)))
        .map(|ip| (ins[ip].a as usize, ip))
        .collect();
    let nest = |ip: usize| {
        backs
            .iter()
            .filter(|(t, s)| (*t..=*s).contains(&ip))
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
                    let (miss, state) = (new_ctr(&mut b, ip), new_ctr(&mut b, ip));
                    meta.branches.push(BranchCtr {
                        ip: ip as u32,
                        inline: true,
                        miss,
                        state,
                    });
                    [miss, state]
                });
                if req.branch_stats && exits {
                    meta.branches.push(BranchCtr {
                        ip: ip as u32,
                        inline: false,
                        miss: 0,
                        state: 0,
                    });
                }
                branch_vars.insert(ip as u32, (taken, pred));
            } else if op == Op::JUMP
                && ip != e
                && ins[ip].a as usize <= ip
                && (h..=e).contains(&(ins[ip].a as usize))
            {
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
        h: hs,
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
        meta,
        exit_block,
        out_slot,
        args_slot,
        cur_block: req.header,
        cur_edge: None,
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

    fn call(&mut self, f: FuncRef, args: &[CV]) -> Option<CV> {
        let inst = self.b.ins().call(f, args);
        self.b.inst_results(inst).first().copied()
    }

    /// Guards, variable initialisation, counters, then the jump to the header.
    fn entry(&mut self) -> Result<(), Unsupported> {
        let guard_fail = self.b.create_block();
        self.b.set_cold_block(guard_fail);
        let typed: Vec<_> = self
            .slot_ty
            .iter()
            .filter(|(_, t)| **t != SlotType::Mem)
            .map(|(k, t)| (*k, *t))
            .collect();
        for &((sp, i), ty) in &typed {
            let base = self.base_of(sp);
            let tag = self.b.ins().load(types::I64, mf(), base, (i * 16) as i32);
            let bad = self
                .b
                .ins()
                .icmp_imm_s(IntCC::NotEqual, tag, ty.tag() as i64);
            let next = self.b.create_block();
            self.b.ins().brif(bad, guard_fail, &[], next, &[]);
            self.b.switch_to_block(next);
        }
        for &((sp, i), ty) in &typed {
            let base = self.base_of(sp);
            let (cty, lty) = match ty {
                SlotType::Int => (types::I64, types::I64),
                SlotType::Float => (types::F64, types::F64),
                _ => (types::I8, types::I64),
            };
            let v = self.b.ins().load(lty, mf(), base, (i * 16 + 8) as i32);
            let v = if ty == SlotType::Bool {
                self.b.ins().ireduce(types::I8, v)
            } else {
                v
            };
            let var = self.b.declare_var(cty);
            self.b.def_var(var, v);
            self.slot_var.insert((sp, i), var);
        }
        let zero = self.iconst(0);
        let ctr = self.b.ins().load(types::I64, mf(), self.frame, F_CTR);
        for i in 0..self.ctr_vars.len() {
            let Some(v) = self.ctr_vars[i] else { continue };
            let is_state = self
                .meta
                .branches
                .iter()
                .any(|bc| bc.inline && bc.state == i);
            let init = if is_state {
                self.b.ins().load(types::I64, mf(), ctr, (i * 8) as i32)
            } else {
                zero
            };
            self.b.def_var(v, init);
        }
        let hb = self.blocks[&self.req.header].block;
        self.b.ins().jump(hb, &[]);
        // A failed guard returns at once: nothing ran, nothing to write back.
        self.b.switch_to_block(guard_fail);
        let z32 = self.b.ins().iconst(types::I32, 0);
        self.b.ins().store(mf(), z32, self.frame, F_EXIT);
        let ip = self.b.ins().iconst(types::I32, self.req.header as i64);
        self.b.ins().return_(&[ip]);
        Ok(())
    }

    /// The shared exit: slot payloads and counters back to memory, then return the ip.
    fn exit_block(&mut self) {
        self.b.switch_to_block(self.exit_block);
        let params = self.b.block_params(self.exit_block).to_vec();
        let vars: Vec<_> = self.slot_var.iter().map(|(k, v)| (*k, *v)).collect();
        for ((sp, i), var) in vars {
            let v = self.b.use_var(var);
            let v = if self.slot_ty[&(sp, i)] == SlotType::Bool {
                self.b.ins().uextend(types::I64, v)
            } else {
                v
            };
            let base = self.base_of(sp);
            self.b.ins().store(mf(), v, base, (i * 16 + 8) as i32);
        }
        if !self.ctr_vars.is_empty() {
            let ctr = self.b.ins().load(types::I64, mf(), self.frame, F_CTR);
            for i in 0..self.ctr_vars.len() {
                if let Some(var) = self.ctr_vars[i] {
                    let v = self.b.use_var(var);
                    self.b.ins().store(mf(), v, ctr, (i * 8) as i32);
                }
            }
        }
        self.b.ins().store(mf(), params[1], self.frame, F_EXIT);
        self.b.ins().return_(&[params[0]]);
    }

    /// Counter `i`'s value.
    fn ctr_get(&mut self, i: usize) -> CV {
        match self.ctr_vars[i] {
            Some(var) => self.b.use_var(var),
            None => {
                let base = self.b.ins().load(types::I64, mf(), self.frame, F_CTR);
                self.b.ins().load(types::I64, mf(), base, (i * 8) as i32)
            }
        }
    }

    fn ctr_set(&mut self, i: usize, v: CV) {
        match self.ctr_vars[i] {
            Some(var) => self.b.def_var(var, v),
            None => {
                let base = self.b.ins().load(types::I64, mf(), self.frame, F_CTR);
                self.b.ins().store(mf(), v, base, (i * 8) as i32);
            }
        }
    }

    fn incr(&mut self, i: usize, by: i64) {
        let v = self.ctr_get(i);
        let v = self.b.ins().iadd_imm_s(v, by);
        self.ctr_set(i, v);
    }

    /// Calls `f(tag, payload)` only for a heap tag.
    fn if_heap_call(&mut self, f: FuncRef, t: CV, p: CV) {
        let heap =
            self.b
                .ins()
                .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, t, HEAP_TAG_MIN as i64);
        let call = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(call);
        self.b.ins().brif(heap, call, &[], cont, &[]);
        self.b.switch_to_block(call);
        self.b.ins().call(f, &[t, p]);
        self.b.ins().jump(cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// (tag, payload) of a value, without changing who owns it.
    fn boxed(&mut self, v: AV) -> (CV, CV) {
        match v {
            AV::I(x) => (self.iconst(TAG_INT as i64), x),
            AV::F(x) => {
                let p = self.b.ins().bitcast(types::I64, MemFlagsData::new(), x);
                (self.iconst(TAG_FLOAT as i64), p)
            }
            AV::B(x) => {
                let p = self.b.ins().uextend(types::I64, x);
                (self.iconst(TAG_BOOL as i64), p)
            }
            AV::D(t, p, _) => (t, p),
        }
    }

    /// (tag, payload) of a value the caller will own (a borrowed heap value gets a count).
    fn owned(&mut self, v: AV) -> (CV, CV) {
        let (t, p) = self.boxed(v);
        if let AV::D(_, _, Own::Slot(..) | Own::Const) = v {
            self.if_heap_call(self.h.incref, t, p);
        }
        (t, p)
    }

    fn drop_av(&mut self, v: AV) {
        if let AV::D(t, p, Own::Owned) = v {
            self.if_heap_call(self.h.drop, t, p);
        }
    }

    /// Leaves native code at `ip` with `stack` as the operand stack (current block position).
    fn emit_exit(&mut self, ip: u32, reason: ExitReason, stack: &[AV], slot: Option<(Space, u32)>) {
        for (i, &v) in stack.iter().enumerate() {
            let (t, p) = self.owned(v);
            self.b.ins().store(mf(), t, self.stack, (i * 16) as i32);
            self.b.ins().store(mf(), p, self.stack, (i * 16 + 8) as i32);
        }
        let (h, e) = (self.req.header, self.req.back_edge);
        let partial = if (h..=e).contains(&ip) {
            self.blocks[&self.cur_block].idx
        } else {
            None
        };
        let site = self.meta.exits.len();
        self.meta.exits.push(ExitSite {
            ip,
            reason,
            stack_len: stack.len() as u32,
            partial,
            slot,
            edge: self.cur_edge,
        });
        let ipv = self.b.ins().iconst(types::I32, ip as i64);
        let sv = self.b.ins().iconst(types::I32, site as i64);
        self.b.ins().jump(
            self.exit_block,
            &[BlockArg::Value(ipv), BlockArg::Value(sv)],
        );
    }

    /// Exits at `ip` when `cond` is true; continues in a new block otherwise.
    fn exit_if(&mut self, cond: CV, ip: u32, reason: ExitReason, stack: &[AV]) {
        self.exit_if_slot(cond, ip, reason, stack, None)
    }

    fn exit_if_slot(
        &mut self,
        cond: CV,
        ip: u32,
        reason: ExitReason,
        stack: &[AV],
        slot: Option<(Space, u32)>,
    ) {
        let exit = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(exit);
        self.b.ins().brif(cond, exit, &[], cont, &[]);
        self.b.switch_to_block(exit);
        self.emit_exit(ip, reason, stack, slot);
        self.b.switch_to_block(cont);
    }

    /// Control goes to `to` with `stack`: a jump to its block, or an exit outside the loop.
    fn goto(&mut self, to: u32, stack: &[AV]) {
        match self
            .blocks
            .get(&to)
            .filter(|bi| bi.reachable)
            .map(|bi| bi.block)
        {
            Some(blk) => {
                let mut args = Vec::new();
                for &v in stack {
                    let (t, p) = self.owned(v);
                    args.push(BlockArg::Value(t));
                    args.push(BlockArg::Value(p));
                }
                self.b.ins().jump(blk, &args);
            }
            None => self.emit_exit(to, ExitReason::LoopExit, stack, None),
        }
    }

    fn block(&mut self, start: u32) -> Result<(), Unsupported> {
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

    /// Truthiness as an `i8` 0/1.
    fn truthy(&mut self, v: AV) -> CV {
        match v {
            AV::I(x) => self.b.ins().icmp_imm_s(IntCC::NotEqual, x, 0),
            AV::F(x) => {
                let z = self.b.ins().f64const(0.0);
                self.b.ins().fcmp(FloatCC::NotEqual, x, z)
            }
            AV::B(x) => x,
            AV::D(t, p, _) => {
                // Ints and bools inline (payload != 0), anything else through the helper.
                let t2 = self.b.ins().bor_imm_s(t, TAG_BOOL as i64);
                let simple = self.b.ins().icmp_imm_s(IntCC::Equal, t2, TAG_BOOL as i64);
                let slow = self.b.create_block();
                let join = self.b.create_block();
                self.b.append_block_param(join, types::I8);
                self.b.set_cold_block(slow);
                let fast = self.b.ins().icmp_imm_s(IntCC::NotEqual, p, 0);
                self.b
                    .ins()
                    .brif(simple, join, &[BlockArg::Value(fast)], slow, &[]);
                self.b.switch_to_block(slow);
                let r = self.call(self.h.truthy, &[t, p]).expect("result");
                let r = self.b.ins().ireduce(types::I8, r);
                self.b.ins().jump(join, &[BlockArg::Value(r)]);
                self.b.switch_to_block(join);
                self.b.block_params(join)[0]
            }
        }
    }

    fn float_of(&mut self, v: AV) -> Option<CV> {
        match v {
            AV::F(x) => Some(x),
            AV::I(x) => Some(self.b.ins().fcvt_from_sint(types::F64, x)),
            _ => None,
        }
    }

    /// A helper call writing a value to the out slot; exits at `ip` if it fails.
    fn helper_value(&mut self, f: FuncRef, args: &[CV], ip: u32, pre: &[AV]) -> AV {
        let out = self.b.ins().stack_addr(types::I64, self.out_slot, 0);
        let mut a = args.to_vec();
        a.push(out);
        let st = self.call(f, &a).expect("status");
        let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
        self.exit_if(
            failed,
            ip,
            ExitReason::Failed(self.req.code.instrs[ip as usize].op),
            pre,
        );
        self.load_out()
    }

    fn load_out(&mut self) -> AV {
        let t = self
            .b
            .ins()
            .stack_load(types::I64, types::I64, self.out_slot, 0);
        let p = self
            .b
            .ins()
            .stack_load(types::I64, types::I64, self.out_slot, 8);
        AV::D(t, p, Own::Owned)
    }

    fn generic_binop(&mut self, op: u64, a: AV, b: AV, ip: u32, pre: &[AV]) -> AV {
        let (at, ap) = self.boxed(a);
        let (bt, bp) = self.boxed(b);
        let k = self.iconst(op as i64);
        let r = self.helper_value(self.h.binop, &[k, at, ap, bt, bp], ip, pre);
        self.drop_av(a);
        self.drop_av(b);
        r
    }

    /// An unconditional exit: the rest of the block is dead code.
    fn exit_now(&mut self, ip: u32, reason: ExitReason, stack: &[AV]) {
        self.emit_exit(ip, reason, stack, None);
    }

    /// Translates instruction `ip`; true if it ended the block.
    fn instr(&mut self, ip: u32, stack: &mut Vec<AV>) -> Result<bool, Unsupported> {
        let ins = self.req.code.instrs[ip as usize];
        let pre = stack.clone();
        let a = ins.a;
        macro_rules! pop {
            () => {
                stack.pop().expect("verified stack depth")
            };
        }
        match ins.op {
            Op::NOP => {}
            Op::LOAD_CONST => {
                let c = &self.req.code.consts[a as usize];
                let v = match c.tag {
                    TAG_INT => AV::I(self.iconst(c.payload as i64)),
                    TAG_FLOAT => AV::F(self.b.ins().f64const(f64::from_bits(c.payload))),
                    TAG_BOOL => AV::B(self.b.ins().iconst(types::I8, c.payload as i64)),
                    TAG_NULL | TAG_FUNC => {
                        let t = self.iconst(c.tag as i64);
                        AV::D(t, self.iconst(c.payload as i64), Own::Const)
                    }
                    _ => {
                        let t = self
                            .b
                            .ins()
                            .load(types::I64, mf(), self.consts, (a * 16) as i32);
                        let p =
                            self.b
                                .ins()
                                .load(types::I64, mf(), self.consts, (a * 16 + 8) as i32);
                        AV::D(t, p, Own::Const)
                    }
                };
                stack.push(v);
            }
            Op::LOAD_NAME | Op::LOAD_GLOBAL => {
                let k = self.local_key(ins.op, a);
                let v = match self.slot_ty[&k] {
                    SlotType::Int => AV::I(self.b.use_var(self.slot_var[&k])),
                    SlotType::Float => AV::F(self.b.use_var(self.slot_var[&k])),
                    SlotType::Bool => AV::B(self.b.use_var(self.slot_var[&k])),
                    SlotType::Mem => {
                        let base = self.base_of(k.0);
                        let t = self.b.ins().load(types::I64, mf(), base, (k.1 * 16) as i32);
                        let undef = self.b.ins().icmp_imm_s(IntCC::Equal, t, TAG_UNDEF as i64);
                        self.exit_if(undef, ip, ExitReason::Undefined, &pre);
                        let p = self
                            .b
                            .ins()
                            .load(types::I64, mf(), base, (k.1 * 16 + 8) as i32);
                        AV::D(t, p, Own::Slot(k.0, k.1))
                    }
                };
                stack.push(v);
            }
            Op::STORE_NAME | Op::STORE_GLOBAL => {
                let k = self.local_key(ins.op, a);
                let v = pop!();
                let ty = self.slot_ty[&k];
                match (ty, v) {
                    (SlotType::Int, AV::I(x))
                    | (SlotType::Float, AV::F(x))
                    | (SlotType::Bool, AV::B(x)) => {
                        self.b.def_var(self.slot_var[&k], x);
                    }
                    (SlotType::Int | SlotType::Float | SlotType::Bool, AV::D(t, p, _)) => {
                        let bad = self.b.ins().icmp_imm_s(IntCC::NotEqual, t, ty.tag() as i64);
                        self.exit_if_slot(bad, ip, ExitReason::TypeChange, &pre, Some(k));
                        let x = match ty {
                            SlotType::Int => p,
                            SlotType::Float => {
                                self.b.ins().bitcast(types::F64, MemFlagsData::new(), p)
                            }
                            _ => self.b.ins().ireduce(types::I8, p),
                        };
                        self.b.def_var(self.slot_var[&k], x);
                    }
                    (SlotType::Mem, v) => {
                        // Values borrowed from this slot must survive the store.
                        for s in stack.iter_mut() {
                            if let AV::D(t, p, Own::Slot(sp, i)) = *s {
                                if (sp, i) == k {
                                    self.if_heap_call(self.h.incref, t, p);
                                    *s = AV::D(t, p, Own::Owned);
                                }
                            }
                        }
                        let (t, p) = self.owned(v);
                        let base = self.base_of(k.0);
                        let ot = self.b.ins().load(types::I64, mf(), base, (k.1 * 16) as i32);
                        let op = self
                            .b
                            .ins()
                            .load(types::I64, mf(), base, (k.1 * 16 + 8) as i32);
                        self.b.ins().store(mf(), t, base, (k.1 * 16) as i32);
                        self.b.ins().store(mf(), p, base, (k.1 * 16 + 8) as i32);
                        self.if_heap_call(self.h.drop, ot, op);
                    }
                    _ => {
                        self.set_term(Term::Exit);
                        self.emit_exit(ip, ExitReason::TypeChange, &pre, Some(k));
                        return Ok(true);
                    }
                }
            }
            Op::POP => {
                let v = pop!();
                self.drop_av(v);
            }
            Op::DUP => {
                let v = *stack.last().expect("verified");
                let c = self.dup(v);
                stack.push(c);
            }
            Op::DUP2 => {
                let n = stack.len();
                let (x, y) = (stack[n - 2], stack[n - 1]);
                let (cx, cy) = (self.dup(x), self.dup(y));
                stack.push(cx);
                stack.push(cy);
            }
            Op::ADD | Op::SUB | Op::MUL => {
                let bv = pop!();
                let av = pop!();
                let r = match (av, bv) {
                    (AV::I(x), AV::I(y)) => {
                        let (r, of) = match ins.op {
                            Op::ADD => self.b.ins().sadd_overflow(x, y),
                            Op::SUB => self.b.ins().ssub_overflow(x, y),
                            _ => self.b.ins().smul_overflow(x, y),
                        };
                        self.exit_if(of, ip, ExitReason::Overflow, &pre);
                        AV::I(r)
                    }
                    (AV::F(_), AV::F(_) | AV::I(_)) | (AV::I(_), AV::F(_)) => {
                        let x = self.float_of(av).expect("number");
                        let y = self.float_of(bv).expect("number");
                        AV::F(match ins.op {
                            Op::ADD => self.b.ins().fadd(x, y),
                            Op::SUB => self.b.ins().fsub(x, y),
                            _ => self.b.ins().fmul(x, y),
                        })
                    }
                    _ => {
                        let k = match ins.op {
                            Op::ADD => rt::BIN_ADD,
                            Op::SUB => rt::BIN_SUB,
                            _ => rt::BIN_MUL,
                        };
                        self.generic_binop(k, av, bv, ip, &pre)
                    }
                };
                stack.push(r);
            }
            Op::DIV => {
                let bv = pop!();
                let av = pop!();
                let r = match (av, bv) {
                    (AV::I(x), AV::I(y)) => {
                        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                        self.exit_if(zero, ip, ExitReason::DivisionByZero, &pre);
                        let m1 = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
                        let min = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                        let of = self.b.ins().band(m1, min);
                        self.exit_if(of, ip, ExitReason::Overflow, &pre);
                        let rem = self.b.ins().srem(x, y);
                        let inexact = self.b.ins().icmp_imm_s(IntCC::NotEqual, rem, 0);
                        self.exit_if(inexact, ip, ExitReason::InexactDivision, &pre);
                        AV::I(self.b.ins().sdiv(x, y))
                    }
                    (AV::F(_), AV::F(_) | AV::I(_)) | (AV::I(_), AV::F(_)) => {
                        let x = self.float_of(av).expect("number");
                        let y = self.float_of(bv).expect("number");
                        let z = self.b.ins().f64const(0.0);
                        let zero = self.b.ins().fcmp(FloatCC::Equal, y, z);
                        self.exit_if(zero, ip, ExitReason::DivisionByZero, &pre);
                        AV::F(self.b.ins().fdiv(x, y))
                    }
                    _ => self.generic_binop(rt::BIN_DIV, av, bv, ip, &pre),
                };
                stack.push(r);
            }
            Op::MOD => {
                let bv = pop!();
                let av = pop!();
                let r = match (av, bv) {
                    (AV::I(x), AV::I(y)) => {
                        let zero = self.b.ins().icmp_imm_s(IntCC::Equal, y, 0);
                        self.exit_if(zero, ip, ExitReason::ModuloByZero, &pre);
                        AV::I(self.int_mod(x, y))
                    }
                    (AV::F(_), AV::F(_) | AV::I(_)) | (AV::I(_), AV::F(_)) => {
                        let x = self.float_of(av).expect("number");
                        let y = self.float_of(bv).expect("number");
                        let z = self.b.ins().f64const(0.0);
                        let zero = self.b.ins().fcmp(FloatCC::Equal, y, z);
                        self.exit_if(zero, ip, ExitReason::ModuloByZero, &pre);
                        AV::F(self.call(self.h.fmod, &[x, y]).expect("result"))
                    }
                    _ => self.generic_binop(rt::BIN_MOD, av, bv, ip, &pre),
                };
                stack.push(r);
            }
            Op::POW => {
                let bv = pop!();
                let av = pop!();
                let r = self.generic_binop(rt::BIN_POW, av, bv, ip, &pre);
                stack.push(r);
            }
            Op::NEG => {
                let v = pop!();
                let r = match v {
                    AV::I(x) => {
                        let min = self.b.ins().icmp_imm_s(IntCC::Equal, x, i64::MIN);
                        self.exit_if(min, ip, ExitReason::Overflow, &pre);
                        AV::I(self.b.ins().ineg(x))
                    }
                    AV::F(x) => AV::F(self.b.ins().fneg(x)),
                    _ => {
                        let (t, p) = self.boxed(v);
                        let r = self.helper_value(self.h.neg, &[t, p], ip, &pre);
                        self.drop_av(v);
                        r
                    }
                };
                stack.push(r);
            }
            Op::EQ | Op::NEQ | Op::LT | Op::GT | Op::LTE | Op::GTE => {
                let bv = pop!();
                let av = pop!();
                let r = self.compare(ins.op, av, bv, ip, &pre);
                stack.push(AV::B(r));
            }
            Op::AND | Op::OR => {
                let bv = pop!();
                let av = pop!();
                let x = self.truthy(av);
                let y = self.truthy(bv);
                let r = if ins.op == Op::AND {
                    self.b.ins().band(x, y)
                } else {
                    self.b.ins().bor(x, y)
                };
                self.drop_av(av);
                self.drop_av(bv);
                stack.push(AV::B(r));
            }
            Op::NOT => {
                let v = pop!();
                let x = self.truthy(v);
                let r = self.b.ins().bxor_imm_s(x, 1);
                self.drop_av(v);
                stack.push(AV::B(r));
            }
            Op::JUMP => {
                match self.back_vars.get(&ip).copied() {
                    Some(ctr) => {
                        self.incr(ctr, 1);
                        let to = self
                            .block_idx(a)
                            .expect("a backward jump in the loop reaches a block");
                        self.set_term(Term::Back { to, ctr });
                    }
                    None => self.set_term(Term::Goto(self.block_idx(a))),
                }
                self.goto(a, stack);
                return Ok(true);
            }
            Op::JUMP_IF_FALSE
            | Op::JUMP_IF_TRUE
            | Op::JUMP_IF_FALSE_OR_POP
            | Op::JUMP_IF_TRUE_OR_POP => {
                let c = pop!();
                let t = self.truthy(c);
                let on_true = matches!(ins.op, Op::JUMP_IF_TRUE | Op::JUMP_IF_TRUE_OR_POP);
                let keeps = matches!(ins.op, Op::JUMP_IF_FALSE_OR_POP | Op::JUMP_IF_TRUE_OR_POP);
                let taken = self.b.create_block();
                let not_taken = self.b.create_block();
                if on_true {
                    self.b.ins().brif(t, taken, &[], not_taken, &[]);
                } else {
                    self.b.ins().brif(t, not_taken, &[], taken, &[]);
                }
                if let Some((ctr, _)) = self.branch_vars.get(&ip).copied() {
                    let term = Term::Cond {
                        ip,
                        taken: self.block_idx(a),
                        not_taken: self.block_idx(ip + 1),
                        ctr,
                    };
                    self.set_term(term);
                }
                self.b.switch_to_block(taken);
                self.branch_stat(ip, true);
                let mut ts = stack.clone();
                if keeps {
                    ts.push(c);
                } else {
                    self.drop_av(c);
                }
                self.cur_edge = Some((ip, true));
                self.goto(a, &ts);
                self.b.switch_to_block(not_taken);
                self.branch_stat(ip, false);
                self.drop_av(c);
                self.cur_edge = Some((ip, false));
                self.goto(ip + 1, stack);
                self.cur_edge = None;
                return Ok(true);
            }
            Op::CALL_BUILTIN if crate::bytecode::BUILTINS[a as usize] == "append" && ins.b == 2 => {
                let v = pop!();
                let l = pop!();
                let (lt, lp) = self.boxed(l);
                let (vt, vp) = self.boxed(v);
                let st = self.call(self.h.append, &[lt, lp, vt, vp]).expect("status");
                let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
                self.exit_if(failed, ip, ExitReason::Failed(Op::CALL_BUILTIN), &pre);
                self.drop_av(l);
                self.drop_av(v);
                let t = self.iconst(TAG_NULL as i64);
                let z = self.iconst(0);
                stack.push(AV::D(t, z, Own::Const));
            }
            Op::CALL_BUILTIN
                if matches!(crate::bytecode::BUILTINS[a as usize], "len" | "length")
                    && ins.b == 1 =>
            {
                let v = pop!();
                let (t, p) = self.boxed(v);
                let r = self.helper_value(self.h.len, &[t, p], ip, &pre);
                self.drop_av(v);
                let AV::D(_, n, _) = r else {
                    unreachable!("helper results are boxed")
                };
                stack.push(AV::I(n));
            }
            Op::CALL_BUILTIN | Op::CALL_METHOD => {
                let argc = ins.b as usize;
                let n = if ins.op == Op::CALL_METHOD {
                    argc + 1
                } else {
                    argc
                };
                let args: Vec<AV> = stack.split_off(stack.len() - n);
                for (i, &v) in args.iter().enumerate() {
                    let (t, p) = self.boxed(v);
                    self.b
                        .ins()
                        .stack_store(types::I64, t, self.args_slot, (i * 16) as i32);
                    self.b
                        .ins()
                        .stack_store(types::I64, p, self.args_slot, (i * 16 + 8) as i32);
                }
                let host = self.b.ins().load(types::I64, mf(), self.frame, F_HOST);
                let argp = self.b.ins().stack_addr(types::I64, self.args_slot, 0);
                let out = self.b.ins().stack_addr(types::I64, self.out_slot, 0);
                let cnt = self.iconst(argc as i64);
                let (fp, first) = if ins.op == Op::CALL_BUILTIN {
                    (
                        self.b.ins().load(types::I64, mf(), host, H_BUILTIN),
                        self.iconst(a as i64),
                    )
                } else {
                    (
                        self.b.ins().load(types::I64, mf(), host, H_METHOD),
                        self.b.ins().iadd_imm_s(self.consts, (a * 16) as i64),
                    )
                };
                let inst = self
                    .b
                    .ins()
                    .call_indirect(self.host_sig, fp, &[first, argp, cnt, out]);
                let st = self.b.inst_results(inst)[0];
                let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
                self.exit_if(failed, ip, ExitReason::Failed(ins.op), &pre);
                let r = self.load_out();
                for v in args {
                    self.drop_av(v);
                }
                stack.push(r);
            }
            Op::INDEX => {
                let k = pop!();
                let o = pop!();
                let r = self.index(o, k, ip, &pre);
                stack.push(r);
            }
            Op::STORE_INDEX => {
                let v = pop!();
                let k = pop!();
                let o = pop!();
                self.store_index(o, k, v, ip, &pre);
            }
            op if is_exit_op(op) => {
                self.set_term(Term::Exit);
                self.exit_now(ip, ExitReason::Unsupported(op), &pre);
                return Ok(true);
            }
            op => {
                return Err(unsupported(
                    Some(op),
                    ip,
                    format!("opcode {} is not compiled", op.name()),
                ))
            }
        }
        Ok(false)
    }

    /// Floor modulo of ints, `y != 0`. Non-negative operands (the usual case) take an unsigned
    /// remainder, 32-bit when both fit (a shorter divide; by a constant, a multiply).
    fn int_mod(&mut self, x: CV, y: CV) -> CV {
        let join = self.b.create_block();
        self.b.append_block_param(join, types::I64);
        let nonneg = self.b.create_block();
        let general = self.b.create_block();
        self.b.set_cold_block(general);
        let both = self.b.ins().bor(x, y);
        let pos = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, both, 0);
        self.b.ins().brif(pos, nonneg, &[], general, &[]);
        self.b.switch_to_block(nonneg);
        let y_const = self.b.func.dfg.value_def(y).inst().is_some_and(|i| {
            matches!(
                self.b.func.dfg.insts[i].opcode(),
                cranelift_codegen::ir::Opcode::Iconst
            )
        });
        if y_const {
            let r = self.b.ins().urem(x, y);
            self.b.ins().jump(join, &[BlockArg::Value(r)]);
        } else {
            let small = self.b.create_block();
            let wide = self.b.create_block();
            let hi = self.b.ins().ushr_imm_u(both, 32);
            let fits = self.b.ins().icmp_imm_s(IntCC::Equal, hi, 0);
            self.b.ins().brif(fits, small, &[], wide, &[]);
            self.b.switch_to_block(small);
            let x32 = self.b.ins().ireduce(types::I32, x);
            let y32 = self.b.ins().ireduce(types::I32, y);
            let r32 = self.b.ins().urem(x32, y32);
            let r = self.b.ins().uextend(types::I64, r32);
            self.b.ins().jump(join, &[BlockArg::Value(r)]);
            self.b.switch_to_block(wide);
            let r = self.b.ins().urem(x, y);
            self.b.ins().jump(join, &[BlockArg::Value(r)]);
        }
        self.b.switch_to_block(general);
        // x % -1 is 0 (and i64::MIN % -1 must not reach the hardware divide).
        let m1 = self.b.ins().icmp_imm_s(IntCC::Equal, y, -1);
        let one = self.iconst(1);
        let ys = self.b.ins().select(m1, one, y);
        let r = self.b.ins().srem(x, ys);
        // Floor modulo: a nonzero remainder takes the divisor's sign.
        let sx = self.b.ins().bxor(r, y);
        let neg = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, sx, 0);
        let nz = self.b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
        let fix = self.b.ins().band(neg, nz);
        let ry = self.b.ins().iadd(r, y);
        let r = self.b.ins().select(fix, ry, r);
        self.b.ins().jump(join, &[BlockArg::Value(r)]);
        self.b.switch_to_block(join);
        self.b.block_params(join)[0]
    }

    /// The (tag == LIST, key tag == INT, not borrowed, 0 <= key < len) test of an inline element
    /// access; returns the element's address in the fast block, or `None` without a layout.
    fn list_fast(&mut self, o: (CV, CV), k: (CV, CV), slow: Block) -> Option<CV> {
        let lay = rt::list_layout()?;
        let is_list = self.b.ins().icmp_imm_s(IntCC::Equal, o.0, TAG_LIST as i64);
        let int_key = self.b.ins().icmp_imm_s(IntCC::Equal, k.0, TAG_INT as i64);
        let ok = self.b.ins().band(is_list, int_key);
        let b1 = self.b.create_block();
        self.b.ins().brif(ok, b1, &[], slow, &[]);
        self.b.switch_to_block(b1);
        let flag = self.b.ins().load(types::I64, mf(), o.1, lay.borrow);
        let len = self.b.ins().load(types::I64, mf(), o.1, lay.len);
        let free = self.b.ins().icmp_imm_s(IntCC::Equal, flag, 0);
        let inb = self.b.ins().icmp(IntCC::UnsignedLessThan, k.1, len);
        let ok = self.b.ins().band(free, inb);
        let b2 = self.b.create_block();
        self.b.ins().brif(ok, b2, &[], slow, &[]);
        self.b.switch_to_block(b2);
        let data = self.b.ins().load(types::I64, mf(), o.1, lay.ptr);
        let off = self.b.ins().ishl_imm_u(k.1, 4);
        Some(self.b.ins().iadd(data, off))
    }

    /// `o[k]`: list elements inline, everything else through `rt_index`.
    fn index(&mut self, o: AV, k: AV, ip: u32, pre: &[AV]) -> AV {
        let ob = self.boxed(o);
        let kb = self.boxed(k);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let join = self.b.create_block();
        self.b.append_block_param(join, types::I64);
        self.b.append_block_param(join, types::I64);
        match self.list_fast(ob, kb, slow) {
            Some(addr) => {
                let t = self.b.ins().load(types::I64, mf(), addr, 0);
                let p = self.b.ins().load(types::I64, mf(), addr, 8);
                self.if_heap_call(self.h.incref, t, p);
                self.b
                    .ins()
                    .jump(join, &[BlockArg::Value(t), BlockArg::Value(p)]);
            }
            None => {
                self.b.ins().jump(slow, &[]);
            }
        }
        self.b.switch_to_block(slow);
        let r = self.helper_value(self.h.index, &[ob.0, ob.1, kb.0, kb.1], ip, pre);
        let AV::D(t, p, _) = r else {
            unreachable!("helper results are boxed")
        };
        self.b
            .ins()
            .jump(join, &[BlockArg::Value(t), BlockArg::Value(p)]);
        self.b.switch_to_block(join);
        let ps = self.b.block_params(join).to_vec();
        self.drop_av(o);
        self.drop_av(k);
        AV::D(ps[0], ps[1], Own::Owned)
    }

    /// `o[k] = v`: list elements inline, everything else through `rt_store_index`.
    fn store_index(&mut self, o: AV, k: AV, v: AV, ip: u32, pre: &[AV]) {
        let ob = self.boxed(o);
        let kb = self.boxed(k);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let join = self.b.create_block();
        match self.list_fast(ob, kb, slow) {
            Some(addr) => {
                // The list takes over a reference to `v`.
                let (vt, vp) = self.owned(v);
                let ot = self.b.ins().load(types::I64, mf(), addr, 0);
                let op = self.b.ins().load(types::I64, mf(), addr, 8);
                self.b.ins().store(mf(), vt, addr, 0);
                self.b.ins().store(mf(), vp, addr, 8);
                self.if_heap_call(self.h.drop, ot, op);
                self.b.ins().jump(join, &[]);
            }
            None => {
                self.b.ins().jump(slow, &[]);
            }
        }
        self.b.switch_to_block(slow);
        let (vt, vp) = self.boxed(v);
        let st = self
            .call(self.h.store_index, &[ob.0, ob.1, kb.0, kb.1, vt, vp])
            .expect("status");
        let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
        self.exit_if(failed, ip, ExitReason::Failed(Op::STORE_INDEX), pre);
        // The helper cloned `v`: give back the reference native code held.
        self.drop_av(v);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
        self.drop_av(o);
        self.drop_av(k);
    }

    /// A second reference to the same value.
    fn dup(&mut self, v: AV) -> AV {
        match v {
            AV::D(t, p, Own::Owned) => {
                self.if_heap_call(self.h.incref, t, p);
                AV::D(t, p, Own::Owned)
            }
            other => other,
        }
    }

    fn compare(&mut self, op: Op, av: AV, bv: AV, ip: u32, pre: &[AV]) -> CV {
        let (icc, fcc, k) = match op {
            Op::EQ => (IntCC::Equal, FloatCC::Equal, rt::CMP_EQ),
            Op::NEQ => (IntCC::NotEqual, FloatCC::NotEqual, rt::CMP_NEQ),
            Op::LT => (IntCC::SignedLessThan, FloatCC::LessThan, rt::CMP_LT),
            Op::GT => (IntCC::SignedGreaterThan, FloatCC::GreaterThan, rt::CMP_GT),
            Op::LTE => (
                IntCC::SignedLessThanOrEqual,
                FloatCC::LessThanOrEqual,
                rt::CMP_LTE,
            ),
            _ => (
                IntCC::SignedGreaterThanOrEqual,
                FloatCC::GreaterThanOrEqual,
                rt::CMP_GTE,
            ),
        };
        match (av, bv) {
            (AV::I(x), AV::I(y)) => self.b.ins().icmp(icc, x, y),
            (AV::F(_), AV::F(_) | AV::I(_)) | (AV::I(_), AV::F(_)) => {
                let x = self.float_of(av).expect("number");
                let y = self.float_of(bv).expect("number");
                self.b.ins().fcmp(fcc, x, y)
            }
            (AV::B(x), AV::B(y)) if matches!(op, Op::EQ | Op::NEQ) => self.b.ins().icmp(icc, x, y),
            _ => {
                let (at, ap) = self.boxed(av);
                let (bt, bp) = self.boxed(bv);
                // Two ints (the common case of list elements) inline; the rest in the helper.
                let both = self.b.ins().bor(at, bt);
                let ints = self.b.ins().icmp_imm_s(IntCC::Equal, both, TAG_INT as i64);
                let slow = self.b.create_block();
                let join = self.b.create_block();
                self.b.append_block_param(join, types::I8);
                self.b.set_cold_block(slow);
                let fast = self.b.ins().icmp(icc, ap, bp);
                self.b
                    .ins()
                    .brif(ints, join, &[BlockArg::Value(fast)], slow, &[]);
                self.b.switch_to_block(slow);
                let kv = self.iconst(k as i64);
                let r = self
                    .call(self.h.compare, &[kv, at, ap, bt, bp])
                    .expect("result");
                let failed = self.b.ins().icmp_imm_s(IntCC::Equal, r, 2);
                self.exit_if(failed, ip, ExitReason::Failed(op), pre);
                let r8 = self.b.ins().ireduce(types::I8, r);
                self.b.ins().jump(join, &[BlockArg::Value(r8)]);
                self.b.switch_to_block(join);
                let r = self.b.block_params(join)[0];
                self.drop_av(av);
                self.drop_av(bv);
                r
            }
        }
    }

    /// Counts one outcome of the branch at `ip` (the taken edge only) and, at FULL, steps the
    /// 2-bit predictor.
    fn branch_stat(&mut self, ip: u32, taken: bool) {
        let Some((tv, pred)) = self.branch_vars.get(&ip).copied() else {
            return;
        };
        if taken {
            self.incr(tv, 1);
        }
        let Some([miss, state]) = pred else { return };
        // Branch-free: a data-dependent skip would itself mispredict on irregular branches.
        // Predicts taken when state >= 2: a miss if that differs from the outcome.
        let s = self.ctr_get(state);
        let cc = if taken {
            IntCC::UnsignedLessThan
        } else {
            IntCC::UnsignedGreaterThanOrEqual
        };
        let m = self.b.ins().icmp_imm_s(cc, s, 2);
        let m = self.b.ins().uextend(types::I64, m);
        let mv = self.ctr_get(miss);
        let mv = self.b.ins().iadd(mv, m);
        self.ctr_set(miss, mv);
        // Saturating step: +1 below 3 when taken, -1 above 0 when not.
        let ns = if taken {
            let up = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, s, 3);
            let up = self.b.ins().uextend(types::I64, up);
            self.b.ins().iadd(s, up)
        } else {
            let down = self.b.ins().icmp_imm_s(IntCC::NotEqual, s, 0);
            let down = self.b.ins().uextend(types::I64, down);
            self.b.ins().isub(s, down)
        };
        self.ctr_set(state, ns);
    }
}

/// The Cranelift type of a slot variable.
#[allow(dead_code)]
fn var_type(t: SlotType) -> Type {
    match t {
        SlotType::Int => types::I64,
        SlotType::Float => types::F64,
        _ => types::I8,
    }
}
