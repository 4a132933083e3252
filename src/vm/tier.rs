//! The VM side of tiering: back-edge counters, compile requests, entering native loops,
//! flushing their inline counters into the profile, and the exit policy.
//!
//! Only the JIT copy of the run loop (`J = true`) calls in here, at a backward `JUMP`
//! (or the fused jump-to-header superinstruction). A back edge's state is one `i32`:
//! `>= 0` counts executions toward `hot_threshold`; `REFUSED` means interpreted for good
//! (refused or blacklisted); `-(2 + i)` means compiled as loop `i`, entered every time.
//!
//! Exit policy: an exit other than leaving the loop is a side exit. Once a compiled loop has
//! had 50 side exits and ran fewer than 8 iterations per side exit, it is recompiled with the
//! current slot types, slots that caused type changes kept in memory (any type); after two
//! recompilations, or at once when its exits were not type changes (an instruction native
//! code does not run: recompiling would change nothing), it is blacklisted and stays
//! interpreted. The reason is recorded as a refusal.

use std::collections::{HashMap, HashSet};
use std::ptr;

use zexus_runtime::Value;

use super::builtins;
use super::frame::{LiveFrame, LVL_BASIC, LVL_DETAILED, LVL_FULL};
use super::tier_fn::NativeCall;
use super::tier_key::{TierKey, Unit};
use crate::bytecode::Bytecode;
use crate::jit::translate::RunCounts;
use crate::jit::{
    self, CompiledCode, HostFns, Jit, JitError, JitFrame, JitOptions, JitStats, LoopRequest, Space,
};
use crate::profile::{
    predictor, BranchStats, CompiledLoop, InstructionProfiler, JitEvents, JitRefusal, Level,
};

const REFUSED: i32 = -1;
/// Side exits before the policy looks at a loop.
const EXIT_LIMIT: u64 = 50;
/// Fewer native iterations than this per side exit is "keeps exiting".
const MIN_ITERS_PER_EXIT: u64 = 8;
/// Recompilations before a loop is blacklisted.
const MAX_RECOMPILES: u32 = 2;

/// # Safety
/// Called by native code with `argc` live values at `args` and a writable `out`.
unsafe extern "C" fn host_builtin(id: u64, args: *const Value, argc: u64, out: *mut Value) -> u32 {
    // SAFETY: native code passes `argc` live values it keeps owning and a 16-byte `out` slot.
    unsafe {
        let args = std::slice::from_raw_parts(args, argc as usize);
        match builtins::call_builtin(id as u32, args, &mut builtins::NoHost) {
            Ok(v) => {
                ptr::write(out, v);
                0
            }
            Err(_) => 1,
        }
    }
}

/// # Safety
/// Called by native code with `name` a string constant, the object and `argc`
/// live arguments at `args`, and a writable `out`.
unsafe extern "C" fn host_method(
    name: *const Value,
    args: *const Value,
    argc: u64,
    out: *mut Value,
) -> u32 {
    // SAFETY: `name` points to a string constant of the running code object (the verifier
    // checked CALL_METHOD's constant), `args` to the object and `argc` arguments.
    unsafe {
        let args = std::slice::from_raw_parts(args, argc as usize + 1);
        let Some(name) = (*name).as_str() else {
            return 1;
        };
        // An object's own methods run in the interpreter: leave native code.
        if args[0].as_obj().is_some() {
            return 1;
        }
        match builtins::call_method(&args[0], name, &args[1..], &mut builtins::NoHost) {
            Ok(v) => {
                ptr::write(out, v);
                0
            }
            Err(_) => 1,
        }
    }
}

static HOST: HostFns = HostFns {
    call_builtin: host_builtin,
    call_method: host_method,
};

/// Pointers into the profile of one code object for the current run.
pub(super) struct ProfPtrs {
    pub counts: *mut u64,
    pub jit_counts: *mut u64,
    pub branches: *mut BranchStats,
    pub jit_ticks: *mut u64,
}

struct LoopRec {
    code: CompiledCode,
    key: TierKey,
    function: String,
    specialised: String,
    ctr: Vec<u64>,
    site_hits: Vec<u64>,
    run_entries: u64,
    side_exits: u64,
    iters: u64,
    recompiles: u32,
    general: HashSet<(Space, u32)>,
    ticks: u64,
}

/// The JIT tier of one VM.
pub(crate) struct Tier {
    jit: Result<Jit, JitError>,
    threshold: u32,
    loops: Vec<LoopRec>,
    /// (program id, code object, back edge, level) -> state to restore on the next run.
    decided: HashMap<TierKey, i32>,
    bc_id: u64,
    level: u8,
    state: Vec<Vec<i32>>,
    prof: Vec<ProfPtrs>,
    compile_times: Vec<f64>,
    run_events: JitEvents,
    scratch: RunCounts,
    fns: super::tier_fn::FnTier,
    pub stats: JitStats,
    /// Ticks of the last compiled-loop run (DETAILED and up), for inclusive times.
    pub last_ticks: u64,
}

fn level_num(l: Level) -> u8 {
    match l {
        Level::None => 0,
        Level::Basic => LVL_BASIC,
        Level::Detailed => LVL_DETAILED,
        Level::Full => LVL_FULL,
    }
}

impl Tier {
    /// `fuel`: the address of the VM's fuel cell when it has limits (`limits.rs`), which
    /// compiled code then checks.
    pub fn new(threshold: u32, options: JitOptions, fuel: Option<u64>) -> Tier {
        let jit = Jit::new().map(|mut j| {
            j.options = options;
            j.fuel = fuel;
            j
        });
        Tier {
            jit,
            threshold: threshold.clamp(1, i32::MAX as u32 - 1),
            loops: Vec::new(),
            decided: HashMap::new(),
            bc_id: 0,
            level: 0,
            state: Vec::new(),
            prof: Vec::new(),
            compile_times: Vec::new(),
            run_events: JitEvents::default(),
            scratch: RunCounts::default(),
            fns: super::tier_fn::FnTier::new(threshold.clamp(1, i32::MAX as u32 - 1)),
            stats: JitStats::default(),
            last_ticks: 0,
        }
    }

    /// Prepares a run of `bc` at `level`; `ids` are its code objects' profile indices (empty
    /// without profiling).
    pub fn begin_run(
        &mut self,
        bc: &Bytecode,
        level: Level,
        prof: &mut InstructionProfiler,
        ids: &[usize],
    ) {
        self.bc_id = bc.id();
        self.level = level_num(level);
        self.fns.begin_run(bc, level_num(level));
        self.state = bc.code().iter().map(|c| vec![0; c.instrs.len()]).collect();
        for (key, &s) in &self.decided {
            let Unit::Loop { back_edge } = key.unit else {
                continue;
            };
            if key.applies_to(bc.id(), self.level) {
                if let Some(x) = self
                    .state
                    .get_mut(key.code as usize)
                    .and_then(|v| v.get_mut(back_edge as usize))
                {
                    *x = s;
                }
            }
        }
        self.prof.clear();
        if level >= Level::Basic {
            for &id in ids {
                let c = &mut prof.codes[id];
                if c.jit_counts.len() < c.counts.len() {
                    c.jit_counts.resize(c.counts.len(), 0);
                }
                self.prof.push(ProfPtrs {
                    counts: c.counts.as_mut_ptr(),
                    jit_counts: c.jit_counts.as_mut_ptr(),
                    branches: c.branches.as_mut_ptr(),
                    jit_ticks: &mut c.jit_ticks,
                });
            }
        }
    }

    /// Ends a run: exit counts, entries and JIT time go to the stats and, when profiling, to the
    /// profiler.
    pub fn end_run(&mut self, bc: &Bytecode, prof: Option<(&mut InstructionProfiler, &[usize])>) {
        let mut ev = std::mem::take(&mut self.run_events);
        self.fns.end_run(bc, &mut ev);
        self.stats.functions_compiled = self.fns.compiled;
        self.stats.functions_refused = self.fns.refused;
        let mut ticks = Vec::new();
        for rec in &mut self.loops {
            for (site, n) in rec.site_hits.iter_mut().enumerate() {
                if *n > 0 {
                    let s = &rec.code.meta.exits[site];
                    ev.add_exits(&rec.function, s.ip, &s.reason.describe(), *n);
                    *n = 0;
                }
            }
            if rec.run_entries > 0 {
                let (h, e) = (rec.code.meta.header, rec.code.meta.back_edge);
                match ev.compiled.iter_mut().find(|c| {
                    c.function == rec.function
                        && c.start_ip == h
                        && c.end_ip == e
                        && c.specialised == rec.specialised
                }) {
                    Some(c) => c.entries += rec.run_entries,
                    None => ev.compiled.push(CompiledLoop {
                        function: rec.function.clone(),
                        start_ip: h,
                        end_ip: e,
                        compile_time_us: 0.0,
                        code_bytes: rec.code.code_bytes,
                        entries: rec.run_entries,
                        specialised: rec.specialised.clone(),
                    }),
                }
                rec.run_entries = 0;
            }
            if rec.ticks > 0 {
                ticks.push((
                    rec.key.code,
                    rec.code.meta.header,
                    rec.code.meta.back_edge,
                    rec.ticks,
                ));
                rec.ticks = 0;
            }
        }
        merge(&mut self.stats.events, &ev);
        let native_entries = std::mem::take(&mut self.fns.native_entries);
        if let Some((p, ids)) = prof {
            p.native_calls += native_entries;
            merge(&mut p.jit, &ev);
            p.jit.threshold = self.threshold;
            if p.level >= Level::Detailed {
                for (code, h, e, t) in ticks {
                    if let Some(&id) = ids.get(code as usize) {
                        let c = &mut p.codes[id];
                        c.loop_mut(e, h).jit_ticks += t;
                        c.jit_ticks += t;
                    }
                }
            }
        }
        self.prof.clear();
        self.stats.code_bytes = self.jit.as_ref().map_or(0, |j| j.code_bytes());
        let mut t = self.compile_times.clone();
        t.extend_from_slice(&self.fns.compile_times);
        t.sort_by(f64::total_cmp);
        self.stats.median_compile_time_us = t.get(t.len() / 2).copied().unwrap_or(0.0);
    }

    /// Whether calls of `callee` stay in the interpreter (`FnTier::stays_interpreted`).
    #[inline(always)]
    pub fn calls_interpreted(&self, callee: u32) -> bool {
        self.fns.stays_interpreted(callee)
    }

    /// A `CALL_NAME` (`call`) at the live frame `at`: runs the callee natively if it is (or
    /// now becomes) a compiled function; `None` to call it in the interpreter (see `tier_fn`).
    ///
    /// # Safety
    /// As `FnTier::call`.
    pub unsafe fn call_native(
        &mut self,
        bc: &Bytecode,
        call: NativeCall,
        at: LiveFrame,
    ) -> Option<(Value, u64)> {
        // SAFETY: the caller upholds `FnTier::call`'s contract, which this passes on.
        unsafe {
            let jit = self.jit.as_mut().ok();
            self.fns.call(jit, bc, call, at, &self.prof)
        }
    }

    /// A backward jump at the live frame `at` (its code object and pc) to `header`: counts it,
    /// compiles the loop when it turns hot, and runs native code when there is some. `room`
    /// is how many more frames the call-depth limit allows. Returns the ip and stack pointer
    /// to resume at, or `None` to take the jump in the interpreter.
    ///
    /// # Safety
    /// `at` is the run loop's live frame at the jump (see [`LiveFrame`]); `bc` is the program
    /// being run.
    #[inline(always)]
    pub unsafe fn back_edge<const L: u8>(
        &mut self,
        bc: &Bytecode,
        at: LiveFrame,
        header: usize,
        room: usize,
    ) -> Option<(usize, *mut Value)> {
        // SAFETY: `at` is the run loop's live frame at this jump and `bc` the running program
        // SAFETY: (the caller's contract); `compile` and `run` need no more than that.
        unsafe {
            let (cur, pc) = (at.code as usize, at.pc);
            let s = self.state[cur][pc];
            if s >= 0 {
                if ((s + 1) as u32) < self.threshold {
                    self.state[cur][pc] = s + 1;
                    return None;
                }
                self.compile(bc, at, header, HashSet::new(), 0);
            }
            let s = self.state[cur][pc];
            if s == REFUSED {
                return None;
            }
            self.run::<L>((-s - 2) as usize, bc, at, room)
        }
    }

    /// Compiles the loop of the back edge at `at` (or refuses it) from the slot tags found now.
    ///
    /// # Safety
    /// As [`Tier::back_edge`]: `at.slots` and `at.stk` are the live frame and globals.
    #[cold]
    #[inline(never)]
    unsafe fn compile(
        &mut self,
        bc: &Bytecode,
        at: LiveFrame,
        header: usize,
        general: HashSet<(Space, u32)>,
        recompiles: u32,
    ) {
        // SAFETY: `at.slots` holds the frame's values and `at.stk` the program's globals (the
        // SAFETY: caller's contract, as for `back_edge`).
        unsafe {
            let (cur, pc, slots, stk) = (at.code, at.pc, at.slots, at.stk);
            let key = TierKey::of_loop(bc.id(), cur, pc as u32, self.level);
            let code = &bc.code()[cur as usize];
            let function = code.name.clone();
            let refuse = |t: &mut Tier, reason: String| {
                t.state[cur as usize][pc] = REFUSED;
                t.decided.insert(key, REFUSED);
                t.stats.loops_refused += 1;
                t.run_events.refusals.push(JitRefusal {
                    function: function.clone(),
                    start_ip: header as u32,
                    end_ip: pc as u32,
                    reason,
                });
            };
            let jit = match &mut self.jit {
                Ok(j) => j,
                Err(e) => {
                    let e = format!("no JIT on this machine: {e}");
                    return refuse(self, e);
                }
            };
            let all_depths = bc.stack_depths(cur as usize);
            // Code only an exception handler reaches never runs natively (native code does not
            // raise: it exits, and the interpreter raises).
            let native_depths;
            let depths = if code.handlers.is_empty() {
                all_depths
            } else {
                native_depths = crate::jit::reach::native_depths(code, all_depths, header, pc);
                &native_depths[..]
            };
            // SAFETY: `slots` holds the frame's `n_slots` values and `stk` the program's globals.
            let tags =
                |p: *const Value, n: usize| (0..n).map(|i| (*p.add(i)).tag()).collect::<Vec<u64>>();
            let local_tags = tags(slots, code.slot_names.len());
            let global_tags = tags(stk, bc.code()[0].slot_names.len());
            // Compiled functions the loop calls (directly, when it keeps no counters).
            let mut natives = Vec::new();
            if self.level == 0 {
                for ins in &code.instrs[header..=pc] {
                    if ins.op != crate::bytecode::Op::CALL_NAME {
                        continue;
                    }
                    let v = &*stk.add(ins.a as usize);
                    if v.tag() != zexus_runtime::value::TAG_FUNC {
                        continue;
                    }
                    if let Some((id, arity, ret)) = self.fns.native(v.payload() as u32) {
                        natives.push(crate::jit::NativeCallee {
                            slot: ins.a,
                            code: v.payload() as u32,
                            arity,
                            ret,
                            id,
                        });
                    }
                }
            }
            let req = LoopRequest {
                code,
                is_main: cur == 0,
                global_names: bc.globals(),
                header: header as u32,
                back_edge: pc as u32,
                depths,
                local_tags: &local_tags,
                global_tags: &global_tags,
                general: &general,
                counters: self.level >= LVL_BASIC,
                branch_stats: self.level >= LVL_FULL,
                natives: &natives,
                fuel: jit.fuel,
                alloc_site: (self.level >= LVL_DETAILED)
                    .then(|| (zexus_runtime::meter::site_cell() as u64, cur)),
            };
            match jit.compile(&req) {
                Ok(c) => {
                    self.stats.loops_compiled += 1;
                    self.stats.compile_time_us += c.compile_us;
                    self.compile_times.push(c.compile_us);
                    self.run_events.compiled.push(CompiledLoop {
                        function: function.clone(),
                        start_ip: header as u32,
                        end_ip: pc as u32,
                        compile_time_us: c.compile_us,
                        code_bytes: c.code_bytes,
                        entries: 0,
                        specialised: c.meta.specialised.clone(),
                    });
                    let idx = self.loops.len();
                    self.loops.push(LoopRec {
                        ctr: vec![0; c.meta.n_counters],
                        site_hits: vec![0; c.meta.exits.len()],
                        specialised: c.meta.specialised.clone(),
                        code: c,
                        key,
                        function,
                        run_entries: 0,
                        side_exits: 0,
                        iters: 0,
                        recompiles,
                        general,
                        ticks: 0,
                    });
                    let s = -(idx as i32) - 2;
                    self.state[cur as usize][pc] = s;
                    self.decided.insert(key, s);
                }
                Err(e) => refuse(self, e.to_string()),
            }
        }
    }

    /// Enters compiled loop `idx`, then flushes its counters and applies the exit policy.
    ///
    /// # Safety
    /// As [`Tier::back_edge`], and loop `idx` was compiled for this back edge.
    #[inline(always)]
    unsafe fn run<const L: u8>(
        &mut self,
        idx: usize,
        bc: &Bytecode,
        at: LiveFrame,
        room: usize,
    ) -> Option<(usize, *mut Value)> {
        // SAFETY: `at` is the run loop's live frame at this loop's header, and loop `idx`
        // SAFETY: was compiled for it (the caller's contract); the profiler pointers in `self.prof` are
        // SAFETY: valid for the run (`begin_run`).
        unsafe {
            let (cur, sp) = (at.code, at.sp);
            let rec = &mut self.loops[idx];
            if L >= LVL_BASIC {
                rec.ctr.iter_mut().for_each(|c| *c = 0);
            } else {
                rec.ctr[rec.code.meta.iter_ctr] = 0;
            }
            if L >= LVL_FULL {
                let br = self.prof[cur as usize].branches;
                for b in rec.code.meta.branches.iter().filter(|b| b.inline) {
                    rec.ctr[b.pred] = predictor::pack(0, (*br.add(b.ip as usize)).state);
                }
            }
            let mut frame = JitFrame {
                slots: at.slots,
                globals: at.stk,
                stack: sp,
                consts: at.consts.as_ptr(),
                ctr: rec.ctr.as_mut_ptr(),
                host: &HOST,
                exit_site: 0,
                _pad: 0,
                call_room: room as u64,
            };
            let t0 = if L >= LVL_DETAILED {
                crate::profile::clock::now_ticks()
            } else {
                0
            };
            // SAFETY: the frame is the interpreter's live state at this loop's header (the jump's
            // depth is the header's), `ctr` has `n_counters` words, and the JIT is alive.
            let resume = jit::enter(&rec.code, &mut frame);
            if L >= LVL_DETAILED {
                let dt = crate::profile::clock::now_ticks().saturating_sub(t0);
                rec.ticks += dt;
                self.last_ticks = dt;
            }
            let site_idx = frame.exit_site as usize;
            rec.site_hits[site_idx] += 1;
            rec.run_entries += 1;
            self.stats.entries += 1;
            self.stats.exits += 1;
            let meta = &rec.code.meta;
            let site = &meta.exits[site_idx];
            if L >= LVL_BASIC {
                // SAFETY (whole block): the profile pointers are sized for this code object's ips.
                let p = &self.prof[cur as usize];
                let rc = &mut self.scratch;
                meta.derive(&rec.ctr, site_idx, rc);
                for (b, &n) in meta.blocks.iter().zip(&rc.blocks) {
                    if n != 0 {
                        for ip in b.start as usize..=b.end as usize {
                            *p.counts.add(ip) += n;
                            *p.jit_counts.add(ip) += n;
                        }
                    }
                }
                if let Some(bi) = site.partial {
                    for ip in site.ip as usize..=meta.blocks[bi].end as usize {
                        *p.counts.add(ip) -= 1;
                        *p.jit_counts.add(ip) -= 1;
                    }
                }
                if L >= LVL_FULL {
                    for &(ip, t, nt) in &rc.branches {
                        let bs = &mut *p.branches.add(ip as usize);
                        bs.taken += t;
                        bs.not_taken += nt;
                    }
                    for b in &meta.branches {
                        let bs = &mut *p.branches.add(b.ip as usize);
                        if b.inline {
                            bs.add_packed(rec.ctr[b.pred]);
                        } else {
                            // A loop exit test: falls through n times, then taken if the run ended
                            // along its taken edge. A test that native code never reaches (it follows
                            // an op that always exits, as `print`) has no derived count: the
                            // interpreter ran it and recorded its outcomes itself.
                            let Some(&(_, t, nt)) = rc.branches.iter().find(|x| x.0 == b.ip) else {
                                continue;
                            };
                            bs.replay(false, nt);
                            bs.replay(true, t);
                        }
                    }
                }
            }
            rec.iters += rec.ctr[meta.iter_ctr];
            let new_sp = sp.add(site.stack_len as usize);
            if site.reason.is_side_exit() {
                self.stats.side_exits += 1;
                rec.side_exits += 1;
                if rec.side_exits >= EXIT_LIMIT && rec.iters < rec.side_exits * MIN_ITERS_PER_EXIT {
                    self.keeps_exiting(idx, bc, at);
                }
            }
            Some((resume as usize, new_sp))
        }
    }

    /// The policy for a loop that keeps exiting: recompile with more general types, or give up.
    ///
    /// # Safety
    /// As [`Tier::back_edge`].
    #[cold]
    #[inline(never)]
    unsafe fn keeps_exiting(&mut self, idx: usize, bc: &Bytecode, at: LiveFrame) {
        // SAFETY: as for `back_edge` (the caller's contract).
        unsafe {
            let (cur, pc) = (at.code, at.pc);
            let rec = &self.loops[idx];
            let header = rec.code.meta.header as usize;
            let mut general = rec.general.clone();
            for (site, &n) in rec.code.meta.exits.iter().zip(&rec.site_hits) {
                if n > 0 {
                    if let Some(slot) = site.slot {
                        general.insert(slot);
                    }
                }
            }
            let worst = rec
                .code
                .meta
                .exits
                .iter()
                .zip(&rec.site_hits)
                .filter(|(s, _)| s.reason.is_side_exit())
                .max_by_key(|(_, n)| **n)
                .map(|(s, _)| format!("ip {}: {}", s.ip, s.reason.describe()))
                .unwrap_or_default();
            let (side, recompiles) = (rec.side_exits, rec.recompiles);
            // Recompiling helps only when a guard on a slot's type failed: the new code keeps
            // that slot general. Exits at an instruction native code does not run (a call
            // it cannot make, an inner `for each`) would come back the same, so such a loop
            // is left to the interpreter at once instead of being compiled twice more.
            let widens = general != rec.general;
            if recompiles < MAX_RECOMPILES && widens {
                self.stats.recompiled += 1;
                self.compile(bc, at, header, general, recompiles + 1);
            } else {
                let key = rec.key;
                self.state[cur as usize][pc] = REFUSED;
                self.decided.insert(key, REFUSED);
                self.stats.blacklisted += 1;
                self.run_events.refusals.push(JitRefusal {
                    function: rec.function.clone(),
                    start_ip: header as u32,
                    end_ip: pc as u32,
                    reason: format!("blacklisted after {side} side exits (mostly {worst})"),
                });
            }
        }
    }
}

/// Adds one run's events to a cumulative record.
fn merge(into: &mut JitEvents, ev: &JitEvents) {
    for c in &ev.compiled {
        match into.compiled.iter_mut().find(|x| {
            x.function == c.function
                && x.start_ip == c.start_ip
                && x.end_ip == c.end_ip
                && x.specialised == c.specialised
        }) {
            Some(x) if c.compile_time_us == 0.0 => x.entries += c.entries,
            _ => into.compiled.push(c.clone()),
        }
    }
    for e in &ev.exits {
        into.add_exits(&e.function, e.ip, &e.reason, e.count);
    }
    into.refusals.extend(ev.refusals.iter().cloned());
}
