//! Raw profile data, per code object (the program or a function) and indexed by ip. The VM's
//! hooks write these vectors directly; every view in reports is derived from them.

use std::collections::HashSet;
use std::sync::{Mutex, OnceLock};

use hdrhistogram::Histogram;

use super::Level;
use crate::bytecode::{Op, OpClass};

/// Sampled execution times of one instruction, in clock ticks (see [`super::clock`]), with the
/// timer's own cost already subtracted by whoever recorded them.
#[derive(Debug, Clone, Default)]
pub struct TimingStats {
    /// Number of timed executions.
    pub samples: u64,
    /// Sum of the timed executions.
    pub total_ticks: u64,
    /// Shortest timed execution (0 while `samples == 0`).
    pub min_ticks: u64,
    /// Longest timed execution.
    pub max_ticks: u64,
    /// Distribution of the samples (3 significant figures, auto-resizing), created on the
    /// first sample so untimed instructions cost no memory.
    pub hist: Option<Histogram<u64>>,
    /// Per code object (profile index) that was on the call stack when a sample was taken,
    /// how many of the samples it was under, each code object once per sample however often
    /// it was active (recursion counts once). Inclusive times derive from it.
    pub under: Vec<(u32, f64)>,
    /// Sum of the samples' weights: each sample stands for the executions since the previous
    /// one (1 for the run's first, all-timed executions; about `sample_rate` after).
    pub weight: f64,
    /// Sum of weight × ticks over the samples.
    pub weighted_ticks: f64,
    /// The part of `weight` from samples longer than [`LONG_SAMPLE_NS`].
    pub long_weight: f64,
    /// The part of `weighted_ticks` from samples longer than [`LONG_SAMPLE_NS`].
    pub long_weighted_ticks: f64,
}

/// A sample longer than this (ns) is a disturbance (an interrupt or a preemption landing in a
/// timed execution of a few ns) when such samples are rare for the instruction: under
/// [`DISTURBED_SHARE`] of its samples by weight, they are left out of its mean. An instruction
/// that is often that long (a builtin on a big list) keeps them.
pub const LONG_SAMPLE_NS: f64 = 10_000.0;

/// See [`LONG_SAMPLE_NS`].
pub const DISTURBED_SHARE: f64 = 0.05;

impl TimingStats {
    /// Adds one timed execution that stands for `weight` executions (see `weight`).
    #[inline]
    pub fn record_weighted(&mut self, ticks: f64, weight: f64) {
        self.weight += weight;
        self.weighted_ticks += weight * ticks;
        if crate::profile::clock::ticks_to_ns(ticks) > LONG_SAMPLE_NS {
            self.long_weight += weight;
            self.long_weighted_ticks += weight * ticks;
        }
        self.record_one(ticks.round() as u64);
    }

    /// Adds one timed execution (of weight 1).
    pub fn record(&mut self, ticks: u64) {
        self.record_weighted(ticks as f64, 1.0);
    }

    fn record_one(&mut self, ticks: u64) {
        if self.samples == 0 {
            self.min_ticks = ticks;
            self.max_ticks = ticks;
        } else {
            self.min_ticks = self.min_ticks.min(ticks);
            self.max_ticks = self.max_ticks.max(ticks);
        }
        self.samples += 1;
        self.total_ticks = self.total_ticks.saturating_add(ticks);
        let h = self
            .hist
            .get_or_insert_with(|| Histogram::new(3).expect("3 significant figures is valid"));
        // `record` grows the histogram; `saturating_record` would clamp instead of resizing.
        if h.record(ticks).is_err() {
            h.saturating_record(ticks);
        }
    }

    /// Counts the last sample, of weight `weight`, as taken while code object `code` was on
    /// the call stack.
    #[inline]
    pub fn record_under(&mut self, code: u32, weight: f64) {
        match self.under.iter_mut().find(|u| u.0 == code) {
            Some(u) => u.1 += weight,
            None => self.under.push((code, weight)),
        }
    }

    /// Share of the samples (by weight) taken while code object `code` was on the call stack
    /// (0..=1).
    pub fn share_under(&self, code: u32) -> f64 {
        if self.weight <= 0.0 {
            return 0.0;
        }
        let n = self.under.iter().find(|u| u.0 == code).map_or(0.0, |u| u.1);
        (n / self.weight).min(1.0)
    }

    /// Mean ticks per execution with each sample weighted by the executions it stands for
    /// (the all-timed first executions of a run, often cold, then count once each, not as
    /// much as a sample standing for a thousand executions), rare disturbed samples left out
    /// (see [`LONG_SAMPLE_NS`]). 0 without samples.
    pub fn weighted_mean_ticks(&self) -> f64 {
        let rare = self.long_weight < DISTURBED_SHARE * self.weight;
        if rare && self.weight > self.long_weight {
            (self.weighted_ticks - self.long_weighted_ticks) / (self.weight - self.long_weight)
        } else if self.weight > 0.0 {
            self.weighted_ticks / self.weight
        } else {
            0.0
        }
    }

    /// Standard deviation of the timed executions, in ticks (0 with fewer than 2 samples).
    pub fn stdev_ticks(&self) -> f64 {
        match &self.hist {
            Some(h) if self.samples > 1 => h.stdev(),
            _ => 0.0,
        }
    }

    /// Mean ticks per timed execution (0 without samples).
    pub fn mean_ticks(&self) -> f64 {
        if self.samples == 0 {
            0.0
        } else {
            self.total_ticks as f64 / self.samples as f64
        }
    }

    /// The tick value at quantile `q` (0..=1), clamped to the observed min..=max (the
    /// histogram answers with the top of a bucket); 0 without samples.
    pub fn quantile_ticks(&self, q: f64) -> u64 {
        match &self.hist {
            Some(h) if self.samples > 0 => h
                .value_at_quantile(q.clamp(0.0, 1.0))
                .clamp(self.min_ticks, self.max_ticks),
            _ => 0,
        }
    }
}

/// Outcomes of one conditional branch, with a simulated 2-bit saturating predictor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchStats {
    /// Times the branch jumped.
    pub taken: u64,
    /// Times it fell through.
    pub not_taken: u64,
    /// Times the simulated predictor guessed wrong.
    pub mispredicts: u64,
    /// The predictor's state, 0..=3; `>= 2` predicts taken. Starts at 1 (weakly not taken).
    pub state: u8,
}

impl Default for BranchStats {
    fn default() -> BranchStats {
        BranchStats {
            taken: 0,
            not_taken: 0,
            mispredicts: 0,
            state: super::predictor::INITIAL_STATE,
        }
    }
}

impl BranchStats {
    /// Records one outcome and updates the predictor.
    #[inline]
    pub fn record(&mut self, taken: bool) {
        let (miss, next) = super::predictor::step(self.state, taken);
        self.mispredicts += u64::from(miss);
        self.state = next;
        if taken {
            self.taken += 1;
        } else {
            self.not_taken += 1;
        }
    }

    /// Adds the mispredictions of a predictor word compiled code kept
    /// ([`super::predictor::pack`]ed from this state at entry) and takes its state.
    pub fn add_packed(&mut self, word: u64) {
        let (misses, state) = super::predictor::unpack(word);
        self.mispredicts += misses;
        self.state = state;
    }

    /// Replays `n` outcomes in one direction on the predictor ([`super::predictor::run`]),
    /// counting the mispredictions only (the outcomes are counted elsewhere).
    pub fn replay(&mut self, taken: bool, n: u64) {
        let (misses, state) = super::predictor::run(self.state, taken, n);
        self.mispredicts += misses;
        self.state = state;
    }

    /// Times the branch executed.
    pub fn total(&self) -> u64 {
        self.taken + self.not_taken
    }
}

/// One loop, identified by its back edge: the jump at `back_edge_ip` to `header_ip`
/// (`header_ip <= back_edge_ip`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LoopStats {
    /// The first instruction of the loop (the back edge's target).
    pub header_ip: u32,
    /// The instruction that jumps back.
    pub back_edge_ip: u32,
    /// Times the back edge was taken (interpreted and JIT), counted exactly.
    pub iterations: u64,
    /// Ticks spent running this loop in JIT code.
    pub jit_ticks: u64,
}

/// All raw data of one code object. Vectors indexed by ip have one entry per instruction;
/// those a level does not record are empty.
#[derive(Debug, Clone)]
pub struct CodeProfile {
    /// `"<main>"`, a function's name, or `"<direct>"` for the direct API.
    pub name: String,
    /// Opcode name per ip.
    pub opcodes: Vec<&'static str>,
    /// Profiler class per ip.
    pub classes: Vec<OpClass>,
    /// Operand text per ip.
    pub operands: Vec<String>,
    /// Source line per ip (0 where unknown).
    pub lines: Vec<u32>,
    /// Names of this code object's frame slots.
    pub slot_names: Vec<String>,
    /// BASIC+: exact executions per ip (interpreted and JIT).
    pub counts: Vec<u64>,
    /// DETAILED+: sampled times per ip (empty below DETAILED).
    pub timing: Vec<TimingStats>,
    /// FULL: memory reads per ip.
    pub mem_reads: Vec<u64>,
    /// FULL: memory writes per ip.
    pub mem_writes: Vec<u64>,
    /// FULL: reads per slot of this code object.
    pub var_reads: Vec<u64>,
    /// FULL: writes per slot of this code object.
    pub var_writes: Vec<u64>,
    /// FULL: outcomes per ip (only conditional branches get data).
    pub branches: Vec<BranchStats>,
    /// FULL: one entry per distinct back edge.
    pub loops: Vec<LoopStats>,
    /// Executions per ip that ran in JIT code (already included in `counts`); empty until
    /// the JIT reports any. Time estimates from interpreter samples use `counts - jit_counts`,
    /// since JIT time is measured per loop run instead (`LoopStats::jit_ticks`).
    pub jit_counts: Vec<u64>,
    /// BASIC+: times this code object was entered (calls of a function, runs of a program).
    pub calls: u64,
    /// FULL: measured ticks inside this function including callees (0 if not measured).
    pub inclusive_ticks: u64,
    /// Ticks spent in JIT code of this code object (the sum over its loops' `jit_ticks`).
    pub jit_ticks: u64,
    /// DETAILED+: ticks of native code (compiled loops and functions of other code objects)
    /// that ran while this code object was on the call stack, for its inclusive time.
    pub native_under_ticks: u64,
    /// DETAILED+: what the run measured while this code object was the one running.
    pub measured: Measured,
    /// The source file of the program it belongs to (its lines are that file's, unless it
    /// comes from a module file: see `lines.rs`); empty for the direct API.
    pub file: String,
}

/// What a profiled run measured of one code object's time (DETAILED and up). The sampler's
/// clock reads (one per timed execution, and the run's start and end) cut the run into
/// epochs; an epoch in which only this code object ran is its time exactly, and the epochs in
/// which several ran make the run's mixed time, shared among them at report time by their
/// dispatches there and their sampled costs (`src/profile/attribution.rs`). Call transitions
/// only count dispatches: they read no clock.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measured {
    /// Clock ticks of the epochs in which only this code object ran, plus its compiled
    /// loops' runs (natively run calls of compiled functions are the callee's, in its
    /// `jit_ticks`).
    pub ticks: u64,
    /// Run-loop dispatches while this code object was running.
    pub dispatches: u64,
    /// Of those, the ones in epochs shared with other code objects.
    pub mixed_dispatches: u64,
    /// Interpreted calls this code object made (each charged its hook cost).
    pub calls_made: u64,
    /// Of `calls_made`, the outermost activations of their callee (FULL).
    pub outer_calls_made: u64,
}

impl CodeProfile {
    /// A profile for a code object with these per-ip and per-slot descriptions, its vectors
    /// sized for `level`.
    pub fn new(
        name: impl Into<String>,
        opcodes: Vec<&'static str>,
        classes: Vec<OpClass>,
        operands: Vec<String>,
        lines: Vec<u32>,
        slot_names: Vec<String>,
        level: Level,
    ) -> CodeProfile {
        let mut p = CodeProfile {
            name: name.into(),
            opcodes,
            classes,
            operands,
            lines,
            slot_names,
            counts: Vec::new(),
            timing: Vec::new(),
            mem_reads: Vec::new(),
            mem_writes: Vec::new(),
            var_reads: Vec::new(),
            var_writes: Vec::new(),
            branches: Vec::new(),
            loops: Vec::new(),
            jit_counts: Vec::new(),
            calls: 0,
            inclusive_ticks: 0,
            jit_ticks: 0,
            native_under_ticks: 0,
            measured: Measured::default(),
            file: String::new(),
        };
        let n = p.opcodes.len();
        p.classes.resize(n, OpClass::Compute);
        p.operands.resize(n, String::new());
        p.lines.resize(n, 0);
        p.ensure_level(level);
        p
    }

    /// Number of instructions.
    pub fn len(&self) -> usize {
        self.opcodes.len()
    }

    /// True for a code object without instructions.
    pub fn is_empty(&self) -> bool {
        self.opcodes.is_empty()
    }

    /// Sizes every vector `level` records to the code object's length (never shrinks).
    pub fn ensure_level(&mut self, level: Level) {
        let (n, slots) = (self.opcodes.len(), self.slot_names.len());
        fn grow<T: Clone + Default>(v: &mut Vec<T>, n: usize) {
            if v.len() < n {
                v.resize(n, T::default());
            }
        }
        if level >= Level::Basic {
            grow(&mut self.counts, n);
        }
        if level >= Level::Detailed {
            grow(&mut self.timing, n);
        }
        if level >= Level::Full {
            grow(&mut self.mem_reads, n);
            grow(&mut self.mem_writes, n);
            grow(&mut self.branches, n);
            grow(&mut self.var_reads, slots);
            grow(&mut self.var_writes, slots);
        }
    }

    /// The loop with this back edge, created on first use. Linear search: loops are few.
    pub fn loop_mut(&mut self, back_edge_ip: u32, header_ip: u32) -> &mut LoopStats {
        let i = match self
            .loops
            .iter()
            .position(|l| l.back_edge_ip == back_edge_ip && l.header_ip == header_ip)
        {
            Some(i) => i,
            None => {
                self.loops.push(LoopStats {
                    header_ip,
                    back_edge_ip,
                    ..LoopStats::default()
                });
                self.loops.len() - 1
            }
        };
        &mut self.loops[i]
    }

    /// Records `n` executions of `ip` that ran in JIT code (counted in `counts` too).
    pub fn record_jit_execs(&mut self, ip: usize, n: u64) {
        if let Some(c) = self.counts.get_mut(ip) {
            *c += n;
            if self.jit_counts.len() < self.counts.len() {
                self.jit_counts.resize(self.counts.len(), 0);
            }
            self.jit_counts[ip] += n;
        }
    }

    /// Exact executions of `ip` (0 if not recorded).
    pub fn count(&self, ip: usize) -> u64 {
        self.counts.get(ip).copied().unwrap_or(0)
    }

    /// Executions of `ip` that the interpreter ran (count minus JIT executions).
    pub fn interpreted_count(&self, ip: usize) -> u64 {
        self.count(ip)
            .saturating_sub(self.jit_counts.get(ip).copied().unwrap_or(0))
    }

    /// Estimated ticks spent interpreting `ip`: the mean of its timed samples times its
    /// interpreted executions (0 without samples). An estimate: only 1 in `sample_rate`
    /// executions is timed.
    pub fn estimated_ticks(&self, ip: usize) -> f64 {
        self.timing
            .get(ip)
            .map_or(0.0, |t| t.mean_ticks() * self.interpreted_count(ip) as f64)
    }

    /// Sum of all counts.
    pub fn total_count(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Zeroes every counter, keeping the code object's description and vector sizes.
    pub fn clear_counters(&mut self) {
        self.counts.iter_mut().for_each(|c| *c = 0);
        self.timing
            .iter_mut()
            .for_each(|t| *t = TimingStats::default());
        self.mem_reads.iter_mut().for_each(|c| *c = 0);
        self.mem_writes.iter_mut().for_each(|c| *c = 0);
        self.var_reads.iter_mut().for_each(|c| *c = 0);
        self.var_writes.iter_mut().for_each(|c| *c = 0);
        self.branches
            .iter_mut()
            .for_each(|b| *b = BranchStats::default());
        self.loops.clear();
        self.jit_counts.clear();
        self.calls = 0;
        self.inclusive_ticks = 0;
        self.jit_ticks = 0;
        self.native_under_ticks = 0;
        self.measured = Measured::default();
    }

    /// Grows a direct-API code object so `ip` exists, naming the ip the first time it is seen
    /// (as the original, an ip's opcode and operand are fixed when first recorded).
    pub(crate) fn ensure_ip(&mut self, ip: usize, opcode: &str, operand: String, level: Level) {
        if ip >= self.opcodes.len() {
            let n = ip + 1;
            self.opcodes.resize(n, "");
            self.classes.resize(n, OpClass::Compute);
            self.operands.resize(n, String::new());
            self.lines.resize(n, 0);
        }
        if self.opcodes[ip].is_empty() {
            self.opcodes[ip] = intern(opcode);
            self.classes[ip] = Op::from_name(opcode).map_or(OpClass::Compute, Op::class);
            self.operands[ip] = operand;
        }
        self.ensure_level(level);
    }
}

/// A `'static` copy of an opcode name: real opcodes use the table's own strings; other names
/// (possible through the direct API) are leaked once per distinct name.
pub fn intern(name: &str) -> &'static str {
    if let Some(op) = Op::from_name(name) {
        return op.name();
    }
    static NAMES: OnceLock<Mutex<HashSet<&'static str>>> = OnceLock::new();
    let mut set = NAMES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    if let Some(s) = set.get(name) {
        return s;
    }
    let s: &'static str = Box::leak(name.to_string().into_boxed_str());
    set.insert(s);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timing_tracks_min_max_mean_and_quantiles() {
        let mut t = TimingStats::default();
        assert_eq!((t.mean_ticks(), t.quantile_ticks(0.5)), (0.0, 0));
        for v in [1000, 2000] {
            t.record(v);
        }
        assert_eq!(
            (t.samples, t.total_ticks, t.min_ticks, t.max_ticks),
            (2, 3000, 1000, 2000)
        );
        assert_eq!(t.mean_ticks(), 1500.0);
        assert!(t.quantile_ticks(1.0) <= 2000 && t.quantile_ticks(0.0) >= 1000);
        for v in 1..=1000u64 {
            t.record(v * 1000);
        }
        let p50 = t.quantile_ticks(0.5);
        assert!(
            (495_000..=506_000).contains(&p50),
            "the histogram must grow, p50 = {p50}"
        );
    }

    #[test]
    fn two_bit_predictor() {
        let mut b = BranchStats::default();
        // Weakly not-taken: the first taken is a miss, the second is predicted.
        b.record(true);
        b.record(true);
        b.record(true);
        assert_eq!((b.taken, b.mispredicts, b.state), (3, 1, 3));
        // One not-taken in a strongly-taken state is a miss but keeps predicting taken.
        b.record(false);
        b.record(true);
        assert_eq!((b.not_taken, b.mispredicts, b.state), (1, 2, 3));
    }

    #[test]
    fn sized_for_level_and_loops_deduplicated() {
        let ops = vec!["LOAD_CONST", "RETURN"];
        let mk = |level| {
            CodeProfile::new(
                "<main>",
                ops.clone(),
                vec![],
                vec![],
                vec![],
                vec!["x".into()],
                level,
            )
        };
        let basic = mk(Level::Basic);
        assert_eq!(
            (basic.counts.len(), basic.timing.len(), basic.branches.len()),
            (2, 0, 0)
        );
        let mut full = mk(Level::Full);
        assert_eq!(
            (
                full.timing.len(),
                full.mem_reads.len(),
                full.var_reads.len()
            ),
            (2, 2, 1)
        );
        full.loop_mut(1, 0).iterations += 1;
        full.loop_mut(1, 0).iterations += 1;
        assert_eq!(full.loops.len(), 1);
        assert_eq!(full.loops[0].iterations, 2);
        full.record_jit_execs(0, 5);
        assert_eq!((full.count(0), full.interpreted_count(0)), (5, 0));
        full.clear_counters();
        assert_eq!(
            (full.count(0), full.loops.len(), full.counts.len()),
            (0, 0, 2)
        );
    }

    #[test]
    fn interning_reuses_names() {
        assert_eq!(intern("ADD"), "ADD");
        let a = intern("JUMP_BACKWARD");
        let b = intern(&String::from("JUMP_BACKWARD"));
        assert!(std::ptr::eq(a, b));
    }
}
