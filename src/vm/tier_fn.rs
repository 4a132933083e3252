//! The VM side of whole-function compilation ([`crate::jit::func`]): call counters, compile
//! requests, native calls from the interpreter, and what happens when native code gives up.
//!
//! Only the JIT copy of the run loop calls in here, at `CALL_NAME` (not while call paths are
//! recorded for flame graphs, which need every call). Profiling: at BASIC native code counts
//! taken edges and entries (exact counts follow as in the interpreter); at DETAILED the time of
//! each outermost native call goes to the function's JIT time and its executions to
//! `jit_counts`, so that sampled estimates cover only interpreted executions (as for compiled
//! loops); at FULL native code also steps the 2-bit predictor of each branch, and only
//! functions that call no other compiled function run natively, so that the call's time is the
//! function's inclusive time. A function is compiled once it has been called
//! `hot_threshold` times, if the analysis accepts it. A native call whose arguments are not
//! all ints runs interpreted. A native call tree that gives up is run again by the
//! interpreter (nothing it did is visible); after [`MAX_GIVE_UPS`] of those the function stays
//! interpreted, and the reason is recorded as a refusal.

use std::collections::HashMap;

use zexus_runtime::value::{TAG_FUNC, TAG_INT};
use zexus_runtime::Value;

use super::frame::LiveFrame;
use super::profhooks::derive_counts;
use super::tier::ProfPtrs;
use super::tier_key::TierKey;
use crate::bytecode::{Bytecode, CodeObject};
use crate::jit::func::{cond_branches, FnCtx, Ty, MAX_ARGS};
use crate::jit::{self, CompiledFn, Jit};
use crate::profile::{predictor, CompiledLoop, JitEvents, JitRefusal};

/// Native call trees that give up before a function stays interpreted.
pub(crate) const MAX_GIVE_UPS: u32 = 3;
/// Most nested native calls, whatever the VM's call-depth limit (machine stack).
const NATIVE_MAX_DEPTH: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FnState {
    /// Calls so far, toward the threshold.
    Counting(u32),
    /// Runs natively as record `i`.
    Native(usize),
    /// Stays interpreted.
    Interpreted,
}

struct FnRec {
    f: CompiledFn,
    /// (program id, code index, mode: 0 nothing, 1 counters, 2 counters and predictors).
    key: TierKey,
    name: String,
    /// Taken edges by ip, entries, then predictor words (its address is in the machine code).
    ctr: Box<[u64]>,
    /// The conditional branches whose predictor words follow the entries (mode 2).
    branches: Vec<usize>,
    /// Outermost native calls this run.
    run_calls: u64,
    give_ups: u32,
}

/// A `CALL_NAME` the interpreter offers to native code.
pub(crate) struct NativeCall<'a> {
    /// The code object called.
    pub callee: u32,
    /// Its arguments, on top of the live frame's stack.
    pub argc: usize,
    /// How many more frames the call-depth limit allows.
    pub room: usize,
    /// When profiling, the run's counters per code object (`ProfHooks::counts`).
    pub counts: Option<&'a [*mut u64]>,
}

/// Whole-function compilation state of one VM.
pub(crate) struct FnTier {
    threshold: u32,
    state: Vec<FnState>,
    recs: Vec<FnRec>,
    decided: HashMap<TierKey, FnState>,
    bc_id: u64,
    mode: u8,
    /// DETAILED and up: native calls are timed.
    timed: bool,
    /// This run's compilations and refusals.
    pub events: JitEvents,
    /// Functions compiled, over the VM's lifetime.
    pub compiled: u64,
    /// Functions refused or given up on.
    pub refused: u64,
    /// Compile times, µs.
    pub compile_times: Vec<f64>,
    /// Entries of code objects made in native code since the last run ended (counted with
    /// the interpreter's, but paying none of its call hooks).
    pub native_entries: u64,
}

impl FnTier {
    pub fn new(threshold: u32) -> FnTier {
        FnTier {
            threshold,
            state: Vec::new(),
            recs: Vec::new(),
            decided: HashMap::new(),
            bc_id: 0,
            mode: 0,
            timed: false,
            events: JitEvents::default(),
            compiled: 0,
            refused: 0,
            compile_times: Vec::new(),
            native_entries: 0,
        }
    }

    /// Prepares a run of `bc` at profiling level `level` (0 to 3).
    pub fn begin_run(&mut self, bc: &Bytecode, level: u8) {
        self.bc_id = bc.id();
        self.timed = level >= 2;
        self.mode = match level {
            0 => 0,
            1 | 2 => 1,
            _ => 2,
        };
        self.state = vec![FnState::Counting(0); bc.code().len()];
        for (key, &s) in &self.decided {
            if key.applies_to(bc.id(), self.mode) {
                self.state[key.code as usize] = s;
            }
        }
    }

    /// Ends a run: native calls go to the events as entries of the compiled functions.
    pub fn end_run(&mut self, bc: &Bytecode, ev: &mut JitEvents) {
        ev.compiled.append(&mut self.events.compiled);
        ev.refusals.append(&mut self.events.refusals);
        for rec in &mut self.recs {
            if rec.run_calls == 0 || rec.key.program != bc.id() {
                continue;
            }
            let end = bc.code()[rec.key.code as usize]
                .instrs
                .len()
                .saturating_sub(1) as u32;
            let spec = specialised(&rec.f);
            match ev
                .compiled
                .iter_mut()
                .find(|c| c.function == rec.name && c.start_ip == 0 && c.specialised == spec)
            {
                Some(c) => c.entries += rec.run_calls,
                None => ev.compiled.push(CompiledLoop {
                    function: rec.name.clone(),
                    start_ip: 0,
                    end_ip: end,
                    compile_time_us: 0.0,
                    code_bytes: rec.f.code_bytes,
                    entries: rec.run_calls,
                    specialised: spec,
                }),
            }
            rec.run_calls = 0;
        }
    }

    /// `call`, with its `argc` arguments on top of the live frame `at`'s stack: runs the
    /// callee natively when it is compiled (compiling it when it turns hot) and returns its
    /// result and the ticks it took (0 below DETAILED), or `None` to call it in the
    /// interpreter. `prof` holds the profile's vectors per code object.
    ///
    /// # Safety
    /// `at` is the run loop's live frame (see [`LiveFrame`]), with `call.argc` live values
    /// below `at.sp`; `call.counts` points to counters laid out as `ProfHooks` documents.
    pub unsafe fn call(
        &mut self,
        jit: Option<&mut Jit>,
        bc: &Bytecode,
        call: NativeCall,
        at: LiveFrame,
        prof: &[ProfPtrs],
    ) -> Option<(Value, u64)> {
        // SAFETY: the caller's contract: `call.argc` live values are below `at.sp`, `at.stk`
        // SAFETY: holds the program's globals and `counts` counters laid out as `ProfHooks` documents.
        unsafe {
            let NativeCall {
                callee,
                argc,
                room,
                counts,
            } = call;
            let (args, globals) = (at.sp.sub(argc) as *const Value, at.stk as *const Value);
            let c = callee as usize;
            let i = match self.state[c] {
                FnState::Interpreted => return None,
                FnState::Native(i) => i,
                FnState::Counting(n) => {
                    if n + 1 < self.threshold {
                        self.state[c] = FnState::Counting(n + 1);
                        return None;
                    }
                    self.compile(jit?, bc, callee, globals);
                    match self.state[c] {
                        FnState::Native(i) => i,
                        _ => return None,
                    }
                }
            };
            if self.mode == 2 && !self.recs[i].f.plan.callees.is_empty() {
                // At FULL only a function whose time is all its own runs natively.
                return None;
            }
            let mut a = [0i64; MAX_ARGS];
            for (k, x) in a.iter_mut().enumerate().take(argc) {
                let v = &*args.add(k);
                if v.tag() != TAG_INT {
                    return None;
                }
                *x = v.payload() as i64;
            }
            let here = 0u8;
            let mut ctx = FnCtx {
                depth: 0,
                max_depth: room.min(NATIVE_MAX_DEPTH) as u64,
                abandon: 0,
                globals,
                stack_limit: (std::hint::black_box(&here) as *const u8 as u64)
                    .saturating_sub(crate::jit::func::STACK_BUDGET),
            };
            if self.mode == 2 {
                // The predictors start from the profile's states.
                for rec in self
                    .recs
                    .iter_mut()
                    .filter(|r| r.key.applies_to(self.bc_id, 2))
                {
                    let n = rec.ctr.len() - 1 - rec.branches.len();
                    let br = prof[rec.key.code as usize].branches;
                    for (k, &pc) in rec.branches.iter().enumerate() {
                        rec.ctr[n + 1 + k] = predictor::pack(0, (*br.add(pc)).state);
                    }
                }
            }
            let t0 = if self.timed && !prof.is_empty() {
                crate::profile::clock::now_ticks()
            } else {
                0
            };
            let r = jit::call_fn(&self.recs[i].f, &mut ctx, &a[..argc]);
            if ctx.abandon != 0 {
                self.give_up(i, bc);
                return None;
            }
            let ticks = if t0 != 0 {
                crate::profile::clock::now_ticks().saturating_sub(t0)
            } else {
                0
            };
            let rec = &mut self.recs[i];
            rec.run_calls += 1;
            let ret = rec.f.plan.ret;
            if let Some(counts) = counts {
                self.fold(bc, counts, prof);
                if let Some(p) = prof.get(c) {
                    *p.jit_ticks += ticks;
                }
            }
            let v = match ret {
                Ty::Int => Value::int(r),
                Ty::Bool => Value::bool(r != 0),
            };
            Some((v, ticks))
        }
    }

    /// Whether calls of code object `code` were decided to stay in the interpreter: the run
    /// loop's quick test before it sets up a native call (most calls of most programs).
    #[inline(always)]
    pub fn stays_interpreted(&self, code: u32) -> bool {
        matches!(self.state.get(code as usize), Some(FnState::Interpreted))
    }

    /// The compiled function of code object `code` for this run's mode, if there is one:
    /// (its id, arity, return type).
    pub fn native(&self, code: u32) -> Option<(cranelift_module::FuncId, u32, Ty)> {
        match self.state.get(code as usize)? {
            FnState::Native(i) => {
                let f = &self.recs[*i].f;
                Some((f.id, f.arity, f.plan.ret))
            }
            _ => None,
        }
    }

    /// Adds what the native call tree counted into the run's counters and, from DETAILED,
    /// its executions per ip into `jit_counts` (and at FULL its branch outcomes and predictor
    /// misses into the branch stats), then clears it.
    ///
    /// # Safety
    /// `counts` and `prof` point to the run's counters and profile vectors, laid out as
    /// `ProfHooks` documents and alive for the run.
    unsafe fn fold(&mut self, bc: &Bytecode, counts: &[*mut u64], prof: &[ProfPtrs]) {
        // SAFETY: the caller's contract: `counts` and `prof` are the run's live counters and
        // SAFETY: profile vectors, one entry per ip of each code object.
        unsafe {
            let detailed = !prof.is_empty() && self.mode > 0;
            for rec in &mut self.recs {
                let n = bc
                    .code()
                    .get(rec.key.code as usize)
                    .map_or(0, |c| c.instrs.len());
                if !rec.key.applies_to(self.bc_id, self.mode) || rec.ctr[n] == 0 {
                    continue;
                }
                let code = rec.key.code as usize;
                let s = counts[code];
                if detailed {
                    let p = &prof[code];
                    let runs = derive(&bc.code()[code], &rec.ctr[..=n]);
                    for (pc, &x) in runs.iter().enumerate() {
                        *p.jit_counts.add(pc) += x;
                    }
                    if self.mode == 2 {
                        for (k, &pc) in rec.branches.iter().enumerate() {
                            let bs = &mut *p.branches.add(pc);
                            let taken = rec.ctr[pc];
                            bs.taken += taken;
                            bs.not_taken += runs[pc] - taken;
                            bs.add_packed(rec.ctr[n + 1 + k]);
                            rec.ctr[n + 1 + k] = 0;
                        }
                    }
                }
                for (pc, x) in rec.ctr[..=n].iter_mut().enumerate() {
                    if *x != 0 {
                        // Taken edges into the fused half's counters, entries after the three
                        // per-ip sections.
                        let at = if pc == n {
                            self.native_entries += *x;
                            3 * n
                        } else {
                            pc
                        };
                        *s.add(at) += *x;
                        *x = 0;
                    }
                }
            }
        }
    }

    /// A native call tree gave up: forget its counts (the interpreter re-runs the call), and
    /// stop calling natively after too many.
    fn give_up(&mut self, i: usize, bc: &Bytecode) {
        for rec in &mut self.recs {
            rec.ctr.fill(0);
        }
        let rec = &mut self.recs[i];
        rec.give_ups += 1;
        if rec.give_ups >= MAX_GIVE_UPS {
            let key = rec.key;
            let code = key.code;
            self.state[code as usize] = FnState::Interpreted;
            self.decided.insert(key, FnState::Interpreted);
            self.refused += 1;
            self.events.refusals.push(JitRefusal {
                function: rec.name.clone(),
                start_ip: 0,
                end_ip: bc.code()[code as usize].instrs.len().saturating_sub(1) as u32,
                reason: format!(
                    "function: native calls gave up {MAX_GIVE_UPS} times (an overflow, a \
                     division by zero or with a remainder, a rebound callee or deep \
                     recursion); interpreted from now on"
                ),
            });
        }
    }

    /// Compiles code object `callee` (or refuses it, with the reason recorded).
    ///
    /// # Safety
    /// `globals` points to the running program's globals.
    unsafe fn compile(&mut self, jit: &mut Jit, bc: &Bytecode, callee: u32, globals: *const Value) {
        // SAFETY: the caller's contract: `globals` points to the program's globals.
        unsafe {
            let key = TierKey::of_function(self.bc_id, callee, self.mode);
            let code = &bc.code()[callee as usize];
            let n_globals = bc.code()[0].n_slots();
            // SAFETY: `globals` holds the program's `n_globals` global values.
            let callee_of = |slot: u32| -> Option<u32> {
                if slot >= n_globals {
                    return None;
                }
                let v = &*globals.add(slot as usize);
                (v.tag() == TAG_FUNC).then_some(v.payload() as u32)
            };
            let natives: HashMap<u32, (cranelift_module::FuncId, Ty)> = self
                .recs
                .iter()
                .filter(|r| r.key.applies_to(self.bc_id, self.mode))
                .filter(|r| self.state[r.key.code as usize] != FnState::Interpreted)
                .map(|r| (r.key.code, (r.f.id, r.f.plan.ret)))
                .collect();
            let branches = if self.mode == 2 {
                cond_branches(code)
            } else {
                Vec::new()
            };
            let mut ctr = vec![0u64; code.instrs.len() + 1 + branches.len()].into_boxed_slice();
            let addr = (self.mode > 0).then_some(ctr.as_mut_ptr() as u64);
            match jit.compile_function(callee, code, &callee_of, &natives, addr, self.mode == 2) {
                Ok(f) => {
                    self.compiled += 1;
                    self.compile_times.push(f.compile_us);
                    self.events.compiled.push(CompiledLoop {
                        function: code.name.clone(),
                        start_ip: 0,
                        end_ip: code.instrs.len().saturating_sub(1) as u32,
                        compile_time_us: f.compile_us,
                        code_bytes: f.code_bytes,
                        entries: 0,
                        specialised: specialised(&f),
                    });
                    let i = self.recs.len();
                    self.recs.push(FnRec {
                        f,
                        key,
                        name: code.name.clone(),
                        ctr,
                        branches,
                        run_calls: 0,
                        give_ups: 0,
                    });
                    self.state[callee as usize] = FnState::Native(i);
                    self.decided.insert(key, FnState::Native(i));
                }
                Err(e) => {
                    self.refused += 1;
                    self.state[callee as usize] = FnState::Interpreted;
                    self.decided.insert(key, FnState::Interpreted);
                    self.events.refusals.push(JitRefusal {
                        function: code.name.clone(),
                        start_ip: 0,
                        end_ip: code.instrs.len().saturating_sub(1) as u32,
                        reason: format!("function: {e}"),
                    });
                }
            }
        }
    }
}

/// Executions per ip of native runs that all returned, from their taken edges by ip and
/// their entries (`ctr[len]`).
fn derive(code: &CodeObject, ctr: &[u64]) -> Vec<u64> {
    let n = code.instrs.len();
    let mut inbound = vec![0u64; n];
    if n > 0 {
        inbound[0] = ctr[n];
    }
    derive_counts(code, &|pc| ctr[pc], inbound)
}

/// The "specialised" column of a compiled function.
fn specialised(f: &CompiledFn) -> String {
    let ret = match f.plan.ret {
        Ty::Int => "int",
        Ty::Bool => "bool",
    };
    format!("whole function ({} int args) -> {ret}", f.arity)
}
