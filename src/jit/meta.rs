//! What the translator is given ([`LoopRequest`]) and what it tells the VM about a compiled
//! loop ([`LoopMeta`]): slot specialisation, exit sites, and how to derive every block and
//! branch count of a native run from its few edge counters.

use std::collections::HashSet;

use zexus_runtime::value::{TAG_BOOL, TAG_FLOAT, TAG_INT};

use crate::bytecode::{CodeObject, Op};

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
    /// The tag the entry guard expects (`u64::MAX` for memory slots).
    pub fn tag(self) -> u64 {
        match self {
            SlotType::Int => TAG_INT,
            SlotType::Float => TAG_FLOAT,
            SlotType::Bool => TAG_BOOL,
            SlotType::Mem => u64::MAX,
        }
    }
    /// The name in `specialised` strings.
    pub fn name(self) -> &'static str {
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
    /// A compiled function called from the loop gave up (the interpreter makes the call).
    CallGaveUp,
    /// The fuel cell went negative at a back edge: a limit of the VM's (instructions,
    /// timeout, heap) may have been reached; the interpreter checks.
    Limit,
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
            ExitReason::CallGaveUp => "native call gave up".into(),
            ExitReason::Limit => "limit check".into(),
        }
    }
    /// True for every exit but the normal end of the loop.
    pub fn is_side_exit(self) -> bool {
        self != ExitReason::LoopExit && self != ExitReason::Limit
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
/// act, so the VM replays that sequence on the predictor in closed form
/// ([`crate::profile::predictor::run`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchCtr {
    /// The branch's ip.
    pub ip: u32,
    /// The predictor runs inline (else the VM replays the run).
    pub inline: bool,
    /// The predictor, packed in one counter as `misses * 4 + state` (the state is read at
    /// entry and written back at exit; one register instead of two in the loop).
    pub pred: usize,
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
    /// Operand-stack depth at each ip (`bytecode::stack_depths`; `u32::MAX` where no path
    /// reaches it, including loop code that only an exception handler reaches: see `reach.rs`).
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
    /// Compiled functions the loop may call directly (without counters only).
    pub natives: &'a [NativeCallee],
    /// Address of the VM's fuel cell (`i64`, see `vm/limits.rs`) when it has limits: each
    /// backward jump takes its loop's length from it and exits (to the jump, which the
    /// interpreter then runs and checks) when it goes negative.
    pub fuel: Option<u64>,
    /// While the VM records allocations (DETAILED and up): the address of the heap meter's
    /// site cell and this loop's code object index. Before each instruction that may allocate,
    /// the loop writes `vm::allocsites::jit_site(code, ip)` there.
    pub alloc_site: Option<(u64, u32)>,
}

/// A compiled function ([`crate::jit::func`]) a loop calls through a global slot.
#[derive(Debug, Clone, Copy)]
pub struct NativeCallee {
    /// The global slot the loop's `CALL_NAME` names.
    pub slot: u32,
    /// The code object that slot holds now.
    pub code: u32,
    /// Its arity.
    pub arity: u32,
    /// What it returns.
    pub ret: crate::jit::func::Ty,
    /// Its function in the JIT module.
    pub id: cranelift_module::FuncId,
}
