//! The run loop's side of the profiler: raw pointers into the profiler's per-code-object
//! vectors, the sampling countdown, and the statistics derived after a run.
//!
//! Memory operations and hot loops cost nothing while the program runs: an instruction's
//! reads and writes follow from its opcode and its exact count, and a loop's iterations are
//! the times its back edge was taken (the exact count of a backward `JUMP`, or the taken count
//! of a backward conditional branch). They are derived here when a run ends.

use crate::bytecode::{Bytecode, CodeObject, Op, OpClass};
use crate::profile::clock::{now_ticks, timer_cost_ticks, SamplePeriod};
use crate::profile::{BranchStats, InstructionProfiler, Level, Measured, TimingStats};

use super::frame::{Frame, LVL_DETAILED, LVL_FULL};
use super::prepared::{XCode, XInstr};

/// What the next dispatch does at DETAILED and above.
pub(crate) enum Step {
    /// Run the (possibly fused) instruction untimed.
    Fused,
    /// Run only the original instruction, untimed: a sample is due within the shape.
    Single,
    /// Run the original instruction and time it.
    Sample,
    /// Stop the run: it was interrupted (see [`super::interrupt`]).
    Stop,
}

/// Pointers into one profiler's data for the code objects of one run.
pub(crate) struct ProfHooks {
    /// Per code object, the run's raw counters (`fold` turns them into exact counts):
    /// - `0..2n`: taken edges of each jump and branch, by raw internal position (the fused half
    ///   at `0..n`, the original half at `n..2n`), so the run loop indexes them straight from
    ///   its instruction pointer;
    /// - `2n..3n`: entries at each ip by the JIT tier handing a loop back to the interpreter;
    /// - `3n`: entries of the code object (calls, or the program's start).
    scratch: Vec<Box<[u64]>>,
    /// Start of each code object's counters.
    pub counts: Vec<*mut u64>,
    pub timing: Vec<*mut TimingStats>,
    branches: Vec<*mut BranchStats>,
    pub calls: Vec<*mut u64>,
    inclusive: Vec<*mut u64>,
    /// Per code object, the native time run while it was on the call stack (DETAILED and up).
    native_under: Vec<*mut u64>,
    /// Activations of each code object on the call stack (FULL).
    active: Vec<u32>,
    /// The code objects on the call stack when the pending sample began, each once (DETAILED
    /// and up): its time counts once toward each of them (inclusive time).
    distinct: Vec<u32>,
    /// Per code object, the stamp of the last stack walk that listed it (for `distinct`).
    mark: Vec<u32>,
    stamp: u32,
    /// The call-path tree and the current path (DETAILED and up, when asked for); null when
    /// call paths are off.
    tree: *mut crate::profile::CallTree,
    node: u32,
    /// Profile code index of each code object of the run.
    ids: Vec<u32>,
    countdown: u32,
    /// The real countdown while a sample is pending (the countdown itself is held at 1).
    saved_countdown: u32,
    /// The instruction being timed: its stats and the start time.
    pending: Option<(*mut TimingStats, u64)>,
    /// The executions the next sample stands for: the gap drawn since the previous one.
    gap: u32,
    /// The weight of the pending sample.
    weight: u32,
    rate: u32,
    /// Executions still to be timed one by one before sampling settles to 1 in `rate`.
    warmup: u32,
    period: SamplePeriod,
    timer_cost: u64,
    /// The run loop's dispatches (BASIC and up), added when a run leaves the loop.
    pub dispatches: u64,
    /// The code objects on the call stack below the nested runs under way (callers of
    /// builtins that called back), which the nested runs' own frames do not list.
    outer: Vec<u32>,
    /// Where each nested run's part of `outer` starts.
    outer_marks: Vec<usize>,
    /// Outermost activations (FULL), for the overhead estimate.
    outer_calls: u64,
    /// Per code object, what the run measured while it was current (DETAILED and up).
    measured: Vec<*mut Measured>,
    /// The code object running since the last call transition, and the run's dispatches
    /// then (DETAILED and up).
    seg_code: u32,
    seg_dispatches: u64,
    /// The current epoch (DETAILED and up): the time between two clock reads of the
    /// sampler (or the run's ends). Its start, the native time inside it (timed apart), the
    /// code objects that ran in it, and each one's dispatches in it (indexed by code).
    epoch_t0: u64,
    epoch_native: u64,
    epoch_codes: Vec<u32>,
    epoch_dispatches: Vec<u64>,
    /// Time of the epochs in which more than one code object ran (DETAILED and up).
    pub mixed_ticks: u64,
}

impl ProfHooks {
    /// Hooks for code objects registered at `ids` in `prof`.
    ///
    /// # Safety
    /// The hooks keep raw pointers into `prof` (its code profiles' per-ip vectors and its call
    /// tree): until the hooks are dropped or folded, `prof` must stay alive and in place, no
    /// code profile may be added or removed, none of those vectors resized, and no reference
    /// into them or the call tree may be held while a hook runs.
    pub unsafe fn new(prof: &mut InstructionProfiler, ids: &[usize]) -> ProfHooks {
        let timer_cost = if prof.level >= Level::Detailed {
            timer_cost_ticks()
        } else {
            0
        };
        let paths = prof.call_paths && prof.level >= Level::Basic;
        let mut h = ProfHooks {
            scratch: Vec::new(),
            counts: Vec::new(),
            timing: Vec::new(),
            branches: Vec::new(),
            calls: Vec::new(),
            inclusive: Vec::new(),
            native_under: Vec::new(),
            active: vec![0; ids.len()],
            distinct: vec![0],
            mark: vec![0; ids.len()],
            stamp: 0,
            node: if paths {
                let root = prof.call_tree.root(ids[0] as u32);
                prof.call_tree.count_run(root);
                root
            } else {
                0
            },
            tree: if paths {
                &mut prof.call_tree
            } else {
                std::ptr::null_mut()
            },
            ids: ids.iter().map(|&i| i as u32).collect(),
            countdown: 1,
            saved_countdown: 1,
            pending: None,
            gap: 1,
            weight: 1,
            rate: prof.sample_rate.max(1),
            warmup: prof.warmup_samples,
            period: SamplePeriod::new(),
            timer_cost,
            dispatches: 0,
            outer: Vec::new(),
            outer_marks: Vec::new(),
            outer_calls: 0,
            measured: Vec::new(),
            seg_code: 0,
            seg_dispatches: 0,
            epoch_t0: 0,
            epoch_native: 0,
            epoch_codes: Vec::new(),
            epoch_dispatches: vec![0; ids.len()],
            mixed_ticks: 0,
        };
        for &id in ids {
            let c = &mut prof.codes[id];
            let n = c.counts.len();
            let mut scratch = vec![0u64; 3 * n + 1].into_boxed_slice();
            h.counts.push(scratch.as_mut_ptr());
            h.calls.push(&mut scratch[3 * n]);
            h.scratch.push(scratch);
            h.timing.push(c.timing.as_mut_ptr());
            h.branches.push(c.branches.as_mut_ptr());
            h.inclusive.push(&mut c.inclusive_ticks);
            h.native_under.push(&mut c.native_under_ticks);
            h.measured.push(&mut c.measured);
        }
        h
    }

    /// The run starts now (DETAILED and up): `<main>` is the running code object.
    pub fn open_run(&mut self) {
        self.seg_code = 0;
        self.seg_dispatches = self.dispatches;
        self.epoch_t0 = now_ticks();
    }

    /// The run ended now (DETAILED and up): the last epoch ends.
    pub fn close_run(&mut self) {
        self.end_epoch(now_ticks(), self.dispatches);
    }

    /// A call transition (DETAILED and up): the dispatches since the last one go to the code
    /// object that was running, and `next` runs from now. `local` is the run loop's dispatch
    /// count not yet added to `dispatches`. No clock read: the time is the epoch's.
    #[inline(always)]
    fn transition(&mut self, next: u32, local: u64) {
        self.stretch_ends(self.dispatches + local);
        self.seg_code = next;
    }

    /// The running code object's stretch ends at the run's `d`-th dispatch.
    #[inline(always)]
    fn stretch_ends(&mut self, d: u64) {
        let c = self.seg_code as usize;
        let n = d.saturating_sub(self.seg_dispatches);
        self.seg_dispatches = d;
        // SAFETY: `measured[c]` (bounds-checked) points to a code profile's measurements,
        // valid by the contract of `ProfHooks::new`.
        unsafe { (*self.measured[c]).dispatches += n };
        let e = &mut self.epoch_dispatches[c];
        if *e == 0 {
            self.epoch_codes.push(c as u32);
        }
        // At least 1, so a code object that ran no dispatch (a callee that failed at once)
        // still counts as present in the epoch.
        *e += n.max(1);
    }

    /// The clock read `now` at the run's `d`-th dispatch: the epoch since the previous read
    /// ends. Its time (less native code timed apart) goes to the one code object that ran
    /// in it, or, if several did, to the run's mixed time, shared among them at report time
    /// by their dispatches in such epochs and their sampled costs.
    fn end_epoch(&mut self, now: u64, d: u64) {
        self.stretch_ends(d);
        let t = now
            .saturating_sub(self.epoch_t0)
            .saturating_sub(self.epoch_native);
        if let [c] = self.epoch_codes[..] {
            // SAFETY: as in `stretch_ends`.
            unsafe { (*self.measured[c as usize]).ticks += t };
            self.epoch_dispatches[c as usize] = 0;
        } else {
            for &c in &self.epoch_codes {
                let n = std::mem::take(&mut self.epoch_dispatches[c as usize]);
                // SAFETY: as in `stretch_ends`.
                unsafe { (*self.measured[c as usize]).mixed_dispatches += n };
            }
            self.mixed_ticks += t;
        }
        self.epoch_codes.clear();
        self.epoch_t0 = now;
        self.epoch_native = 0;
    }

    /// Adds the run's exact counts into the profile. `left` lists where the run left code
    /// objects in the middle of a block: after an error, the failing instruction and each
    /// caller's call, whose following instructions did not run.
    ///
    /// The interpreter counts only taken jumps and branches, entries, and the JIT's hand-backs;
    /// [`derive_counts`] turns them into every instruction's count.
    pub fn fold(self, prof: &mut InstructionProfiler, bc: &Bytecode, left: &[(u32, u32)]) {
        prof.dispatches += self.dispatches;
        prof.mixed_ticks += self.mixed_ticks;
        prof.outer_calls += self.outer_calls;
        for (k, code) in bc.code().iter().enumerate() {
            let s = &self.scratch[k];
            let n = code.instrs.len();
            let taken = |pc: usize| s[pc] + s[n + pc];
            // Entries at the start, the JIT's hand-backs, and the blocks errors left midway.
            let mut inbound: Vec<u64> = (0..n).map(|pc| s[2 * n + pc]).collect();
            if n > 0 {
                inbound[0] += s[3 * n];
            }
            for &(_, pc) in left.iter().filter(|x| x.0 as usize == k) {
                // The rest of the block did not run: one less falls through past `pc`. (A
                // limit stops a run before the instruction at `pc + 1` ran, which may be the
                // first: `pc` is then `u32::MAX`.)
                if let Some(x) = inbound.get_mut(pc.wrapping_add(1) as usize) {
                    *x = x.wrapping_sub(1);
                }
            }
            let p = &mut prof.codes[self.ids[k] as usize];
            p.calls += s[3 * n];
            for (c, x) in p
                .counts
                .iter_mut()
                .zip(derive_counts(code, &taken, inbound))
            {
                *c += x;
            }
        }
    }

    /// An exception left code object `code` right after instruction `pc` (which ran): one
    /// arrival fewer at `pc + 1` than falling through would give.
    pub fn left_block(&mut self, bc: &Bytecode, code: u32, pc: u32) {
        let n = bc.code()[code as usize].instrs.len();
        let at = pc as usize + 1;
        if at < n {
            self.add_arrival(code, 2 * n + at, u64::MAX);
        }
    }

    /// An exception handler at `pc` of code object `code` was entered: one arrival more.
    pub fn entered(&mut self, bc: &Bytecode, code: u32, pc: u32) {
        let n = bc.code()[code as usize].instrs.len();
        if (pc as usize) < n {
            self.add_arrival(code, 2 * n + pc as usize, 1);
        }
    }

    /// Adds `delta` (wrapping) to raw counter `i` of code object `code`, through the pointer
    /// the run loop uses (so that pointer stays the only one the counters are written by).
    fn add_arrival(&mut self, code: u32, i: usize, delta: u64) {
        let len = self.scratch[code as usize].len();
        assert!(i < len, "counter index in range");
        // SAFETY: `counts[code]` points to the start of `scratch[code]`, a live boxed slice of
        // `len` counters that is never resized, and `i < len`; the run loop is not running.
        unsafe {
            let c = self.counts[code as usize].add(i);
            *c = (*c).wrapping_add(delta);
        }
    }

    /// Counts down to the next timed execution over an instruction that covers `n` original
    /// instructions (a superinstruction's shape, or 1). The fast path is one compare: a
    /// pending sample forces the countdown to 1, so finishing it also happens on the slow path.
    #[inline(always)]
    pub fn step(&mut self, n: u32) -> Step {
        if self.countdown > n {
            self.countdown -= n;
            return Step::Fused;
        }
        self.step_slow(n)
    }

    #[inline(never)]
    fn step_slow(&mut self, n: u32) -> Step {
        if self.pending.is_some() {
            self.finish_pending();
            if super::interrupt::pending() {
                return Step::Stop;
            }
            if self.countdown > n {
                self.countdown -= n;
                return Step::Fused;
            }
        }
        if super::interrupt::pending() {
            return Step::Stop;
        }
        if self.countdown == 1 {
            self.weight = self.gap;
            self.countdown = if self.warmup > 0 {
                self.warmup -= 1;
                1
            } else {
                self.period.next(self.rate)
            };
            self.gap = self.countdown;
            Step::Sample
        } else {
            self.countdown -= 1;
            Step::Single
        }
    }

    /// Before the instruction at `ip` of `xc` (code object `cur`) runs, at DETAILED: `step`
    /// first finishes the sample of the previous instruction, if one was timed, then decides
    /// about this one. Gives the instruction to run: `ip`, or its original copy when the sample
    /// falls inside a superinstruction's shape (the original instructions then run one by one
    /// until it is reached, so that every instruction, not only the first of a shape, gets
    /// timed at the sampling rate) or this one is timed (a timed execution runs exactly one
    /// original instruction); `None` when an interrupt stops the run.
    ///
    /// # Safety
    /// `ip` points into `xc.code`, and `xc` is code object `cur` of the program these hooks
    /// were made for ([`ProfHooks::new`]'s contract).
    #[inline(always)]
    pub(crate) unsafe fn before(
        &mut self,
        ip: *const XInstr,
        xc: &XCode,
        cur: u32,
        frames: &[Frame],
        local: u64,
    ) -> Option<*const XInstr> {
        // SAFETY: the caller's contract: `ip` is an instruction of `xc.code`.
        unsafe {
            let sample = match self.step((*ip).n as u32) {
                Step::Fused => return Some(ip),
                Step::Stop => return None,
                Step::Single => false,
                Step::Sample => true,
            };
            let mut i = ip.offset_from(xc.code.as_ptr()) as usize;
            if i < xc.half {
                i += xc.half;
            }
            if sample {
                self.begin_sample(
                    self.timing[cur as usize].add(i - xc.half),
                    frames,
                    cur,
                    local,
                );
            }
            Some(xc.code.as_ptr().add(i))
        }
    }

    /// Starts timing the instruction about to run (its stats at `t`); the next `step` (or
    /// `finish_pending`) records it.
    ///
    /// # Safety
    /// `t` must point to a `TimingStats` of the profiler these hooks were made for (an entry
    /// of one of the `timing` vectors), which stays valid as [`ProfHooks::new`] requires.
    #[inline(always)]
    pub unsafe fn begin_sample(
        &mut self,
        t: *mut TimingStats,
        frames: &[Frame],
        cur: u32,
        local: u64,
    ) {
        self.walk(frames, cur);
        self.saved_countdown = self.countdown;
        self.countdown = 1;
        let now = now_ticks();
        self.end_epoch(now, self.dispatches + local);
        self.pending = Some((t, now_ticks()));
    }

    /// Records the pending sample, if any, and restores the countdown it borrowed.
    #[inline]
    pub fn finish_pending(&mut self) {
        if let Some((t, t0)) = self.pending.take() {
            // SAFETY: `t` came through `begin_sample`, whose caller vouched for it.
            unsafe { self.finish_sample(t, t0) };
            self.countdown = self.saved_countdown;
        }
    }

    /// A superinstruction of `n` instructions fell back to its first one: give back the
    /// countdown of the `n - 1` it did not run.
    #[cold]
    pub fn refund(&mut self, n: u32) {
        self.countdown += n.saturating_sub(1);
    }

    /// Records the time since `t0`, less the timer's own cost, for the instruction `t` and
    /// for the current call path.
    ///
    /// # Safety
    /// `t` must point to a `TimingStats` of the profiler these hooks were made for, as for
    /// [`ProfHooks::begin_sample`].
    #[inline(never)]
    pub unsafe fn finish_sample(&mut self, t: *mut TimingStats, t0: u64) {
        // Signed: a fast instruction can read less than the median clock pair, and clipping
        // those at zero would bias its mean upward.
        let raw = now_ticks().saturating_sub(t0) as f64 - self.timer_cost as f64;
        let dt = raw.max(0.0) as u64;
        // SAFETY: `t` points into a timing vector sized for its code object (ProfHooks::new);
        // `tree` points to the profiler's call tree, which outlives the run (the profiler is
        // not touched while the run loop holds these hooks), and `node` is one of its nodes.
        let w = self.weight as f64;
        unsafe {
            (*t).record_weighted(raw, w);
            for &c in &self.distinct {
                (*t).record_under(self.ids[c as usize], w);
            }
            if !self.tree.is_null() {
                let tree = &mut *self.tree;
                let n = &mut tree.nodes[self.node as usize];
                n.ticks += dt;
                n.samples += 1;
            }
        }
    }

    /// Records a conditional branch's outcome.
    ///
    /// # Safety
    /// `pc` must be an instruction index of code object `code` of the run (the branch vector
    /// has one entry per ip and is not bounds-checked here).
    #[inline(always)]
    pub unsafe fn branch(&mut self, code: u32, pc: usize, taken: bool) {
        // SAFETY: `pc` is an instruction of code object `code` (the caller's contract), and the
        // vector, one entry per ip, is alive and unresized as `ProfHooks::new` requires.
        unsafe { (*self.branches[code as usize].add(pc)).record(taken) };
    }

    /// A call of `callee` starts: counts it and, at FULL, returns the start time of its
    /// outermost activation (0 for a recursive one, which the outer activation covers).
    ///
    /// # Safety
    /// The contract of [`ProfHooks::new`] still holds (the profiler is alive and untouched).
    #[inline(always)]
    pub unsafe fn enter<const L: u8>(&mut self, callee: u32, local: u64) -> u64 {
        let c = callee as usize;
        // SAFETY: `calls[c]` (bounds-checked) points into the profiler's scratch counters, and
        // `tree` to its call tree, both valid by the caller's contract.
        unsafe { *self.calls[c] += 1 };
        if !self.tree.is_null() {
            // SAFETY: as above; the tree is non-null only while call paths are tracked.
            self.node = unsafe { (*self.tree).child(self.node, self.ids[c]) };
        }
        if L >= LVL_DETAILED {
            let caller = self.seg_code as usize;
            // SAFETY: as above (`measured` entries are valid like `calls`).
            unsafe { (*self.measured[caller]).calls_made += 1 };
            self.transition(callee, local);
            if L >= LVL_FULL {
                self.active[c] += 1;
                if self.active[c] == 1 {
                    self.outer_calls += 1;
                    // SAFETY: as above.
                    unsafe { (*self.measured[caller]).outer_calls_made += 1 };
                    return now_ticks();
                }
            }
        }
        0
    }

    /// Lists in `distinct` the code objects on the call stack (the callers in `frames` and
    /// `cur`), each once: a walk per sample instead of bookkeeping on every call.
    #[inline(never)]
    fn walk(&mut self, frames: &[Frame], cur: u32) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
        self.distinct.clear();
        let outer = std::mem::take(&mut self.outer);
        for &c in outer
            .iter()
            .chain(frames.iter().map(|f| &f.code))
            .chain(std::iter::once(&cur))
        {
            if let Some(m) = self.mark.get_mut(c as usize) {
                if *m != self.stamp {
                    *m = self.stamp;
                    self.distinct.push(c);
                }
            }
        }
        self.outer = outer;
    }

    /// Native code (a compiled loop of run code object `code`, or a compiled function) ran
    /// for `ticks` (DETAILED and up): the time counts toward the inclusive time of every other
    /// code object on the call stack.
    #[cold]
    pub fn native_ran(&mut self, code: u32, ticks: u64, frames: &[Frame], cur: u32) {
        self.walk(frames, cur);
        for &c in &self.distinct {
            if c != code {
                // SAFETY: as in `enter`.
                unsafe { *self.native_under[c as usize] += ticks };
            }
        }
    }

    /// A nested run starts under the callers `frames` and `cur` (see `reenter`).
    pub fn push_outer(&mut self, frames: impl Iterator<Item = u32>, cur: u32) {
        self.outer_marks.push(self.outer.len());
        self.outer.extend(frames);
        self.outer.push(cur);
    }

    /// The innermost nested run ended.
    pub fn pop_outer(&mut self) {
        let mark = self.outer_marks.pop().expect("a nested run was under way");
        self.outer.truncate(mark);
    }

    /// A natively run call of `callee` took `ticks` (DETAILED and up): the callee's time
    /// (its compiled code's), measured apart from the epoch's; then as
    /// [`ProfHooks::native_ran`].
    #[cold]
    pub fn native_call_ran(&mut self, callee: u32, ticks: u64, frames: &[Frame], cur: u32) {
        self.epoch_native += ticks;
        self.native_ran(callee, ticks, frames, cur);
    }

    /// A compiled loop of the running code object ran for `ticks` (DETAILED and up): its
    /// time, measured apart from the epoch's; then as [`ProfHooks::native_ran`].
    #[cold]
    pub fn native_loop_ran(&mut self, ticks: u64, frames: &[Frame], cur: u32) {
        self.epoch_native += ticks;
        // SAFETY: as in `enter`.
        unsafe { (*self.measured[cur as usize]).ticks += ticks };
        self.native_ran(cur, ticks, frames, cur);
    }

    /// True when call paths are recorded (native calls would bypass them).
    pub fn paths_on(&self) -> bool {
        !self.tree.is_null()
    }

    /// A native call of `callee` took `ticks` (FULL): its inclusive time, unless an
    /// interpreted activation of it encloses the call (whose time covers it).
    ///
    /// # Safety
    /// As for [`ProfHooks::enter`].
    pub unsafe fn native_call_done(&mut self, callee: u32, ticks: u64) {
        let c = callee as usize;
        if self.active[c] == 0 {
            // SAFETY: as in `enter`.
            unsafe { *self.inclusive[c] += ticks };
        }
    }

    /// A call of `code` returns (BASIC and up): back to the caller's call path, if tracked, and at FULL,
    /// adds the inclusive time of an outermost activation.
    ///
    /// # Safety
    /// As for [`ProfHooks::enter`].
    #[inline(always)]
    pub unsafe fn leave<const L: u8>(&mut self, code: u32, t0: u64, to: u32, local: u64) {
        if !self.tree.is_null() {
            // SAFETY: as in `enter`.
            self.node = unsafe { (*self.tree).parent(self.node) };
        }
        if L < LVL_DETAILED {
            return;
        }
        self.transition(to, local);
        if L < LVL_FULL {
            return;
        }
        let c = code as usize;
        self.active[c] = self.active[c].saturating_sub(1);
        if t0 != 0 {
            // SAFETY: as in `enter`.
            unsafe { *self.inclusive[c] += now_ticks().saturating_sub(t0) };
        }
    }
}

/// Exact executions per ip of `code` from what the run loop and JIT code count: `taken(pc)`,
/// the taken edges of each jump and branch, and `inbound[pc]`, every other arrival at `pc`
/// (entries, hand-backs, and minus one past each place an error left a block). One pass:
/// an instruction runs as often as control falls through from the previous one (all of it
/// after a straight-line instruction, the not-taken part after a branch, none after a jump
/// or return) plus the jumps landing on it. Wrapping arithmetic, so the adjustments may be
/// applied in any order.
pub(crate) fn derive_counts(
    code: &CodeObject,
    taken: &dyn Fn(usize) -> u64,
    mut inbound: Vec<u64>,
) -> Vec<u64> {
    for (pc, ins) in code.instrs.iter().enumerate() {
        if let Some(x) = ins.jump_target().and_then(|t| inbound.get_mut(t)) {
            *x = x.wrapping_add(taken(pc));
        }
    }
    let mut flow = 0u64;
    for (pc, ins) in code.instrs.iter().enumerate() {
        let here = flow.wrapping_add(inbound[pc]);
        inbound[pc] = here;
        flow = match ins.op {
            Op::JUMP | Op::RETURN => 0,
            op if op.class() == OpClass::CondBranch => here.wrapping_sub(taken(pc)),
            _ => here,
        };
    }
    inbound
}

/// Memory reads and writes one execution of `op` performs.
fn mem_ops(op: Op) -> (u64, u64) {
    match op.class() {
        OpClass::MemRead => (1, 0),
        OpClass::MemWrite => (0, 1),
        _ => (0, 0),
    }
}

/// Fills in the statistics that follow from exact counts: memory operations per instruction and
/// per variable, and loop iterations from back edges. Recomputed from the cumulative counts, so
/// repeated runs stay consistent.
pub(crate) fn derive_stats(prof: &mut InstructionProfiler, bc: &Bytecode, ids: &[usize]) {
    if prof.level < Level::Full {
        return;
    }
    let main_id = ids[0];
    for &id in ids {
        let c = &mut prof.codes[id];
        c.var_reads.iter_mut().for_each(|x| *x = 0);
        c.var_writes.iter_mut().for_each(|x| *x = 0);
    }
    for (ci, code) in bc.code().iter().enumerate() {
        let id = ids[ci];
        let mut loops = Vec::new();
        for (ip, ins) in code.instrs.iter().enumerate() {
            let n = prof.codes[id].count(ip);
            let (r, w) = mem_ops(ins.op);
            let c = &mut prof.codes[id];
            c.mem_reads[ip] = r * n;
            c.mem_writes[ip] = w * n;
            let var = match ins.op {
                Op::LOAD_NAME | Op::STORE_NAME => Some((id, ins.a as usize)),
                Op::LOAD_GLOBAL | Op::STORE_GLOBAL => Some((main_id, ins.a as usize)),
                _ => None,
            };
            if let Some((vid, slot)) = var {
                let v = &mut prof.codes[vid];
                if r > 0 {
                    if let Some(x) = v.var_reads.get_mut(slot) {
                        *x += n;
                    }
                } else if let Some(x) = v.var_writes.get_mut(slot) {
                    *x += n;
                }
            }
            let backward = ins.op.operand_kind() == crate::bytecode::OperandKind::Target
                && ins.a as usize <= ip;
            if backward {
                let c = &prof.codes[id];
                let taken = match ins.op {
                    Op::JUMP => n,
                    _ => c.branches.get(ip).map(|b| b.taken).unwrap_or(0),
                };
                loops.push((ip as u32, ins.a, taken));
            }
        }
        let c = &mut prof.codes[id];
        for (src, header, taken) in loops {
            if taken > 0 {
                c.loop_mut(src, header).iterations = taken;
            }
        }
    }
}
