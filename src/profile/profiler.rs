//! `InstructionProfiler`: the raw data of every code object, its lifecycle (start, stop,
//! reset, run timing), registration of code objects for the VM, and the direct API.

use std::collections::HashMap;
use std::fmt::Display;
use std::time::{Duration, Instant};

use super::clock::{duration_to_ticks, ns_per_tick, thread_cpu_time};
use super::data::CodeProfile;
use super::jit_events::JitEvents;
use super::Level;
use crate::bytecode::disasm::operand_text;
use crate::bytecode::{CodeObject, OpClass};

/// Calibrated cost of the VM's profiling hooks, in ns per event, set by the VM from its own
/// calibration (all zero by default, so direct use reports no overhead).
///
/// The reported overhead is an estimate, not a measurement of this run: the run loop's
/// dispatches × `dispatch_ns[level]` + calls × `call_ns[level]` (each indexed BASIC 0,
/// DETAILED 1, FULL 2) + timing samples × `sample_ns` (DETAILED and up) + outermost
/// activations × `outer_call_ns` + interpreted conditional branches × `branch_ns` (FULL), in
/// ns. The VM measures these once per process by running loops and a call-heavy loop at
/// every level and at NONE (`src/vm/calibrate.rs`); `zx bench` checks the estimate against
/// the real slowdown. The
/// estimate is a separate figure from the timing model: it enters the times of a profile
/// only as the part of the run they leave out, so it scales every instruction's time alike
/// and never changes how the run is shared among instructions.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct HookCosts {
    /// Cost per dispatch of the run loop at BASIC, DETAILED and FULL: BASIC's taken-edge
    /// counters, and from DETAILED up the sampling countdown every dispatch pays.
    pub dispatch_ns: [f64; 3],
    /// Cost per interpreted call (its enter and leave hooks) at BASIC, DETAILED and FULL.
    pub call_ns: [f64; 3],
    /// At FULL, the added cost of an outermost activation (no other activation of the same
    /// function on the call stack): the two clock reads of its inclusive time.
    pub outer_call_ns: f64,
    /// Cost of one timing sample: the slow path, two clock reads and the record (DETAILED and
    /// up).
    pub sample_ns: f64,
    /// Cost of FULL's record of one conditional branch's outcome (counts and the simulated
    /// predictor), as it overlaps the run loop's work.
    pub branch_ns: f64,
    /// What one timed execution measures beyond the instruction's own cost in an untimed run
    /// (ns): reports subtract it from every sampled mean before scaling (see
    /// `docs/PROFILER.md`, "The timing model").
    pub sample_bias_ns: f64,
}

/// The instruction-level profiler. The VM registers each code object it runs
/// ([`InstructionProfiler::register_code`]) and writes counts, samples, branch outcomes and
/// loop iterations straight into `codes[i]`; reports and queries derive from that data.
///
/// Direct use, as in the guide's "Direct Profiler Access":
///
/// ```
/// use std::time::Duration;
/// use zexus::profile::{InstructionProfiler, Level};
/// use zexus::report::Format;
///
/// let mut profiler = InstructionProfiler::new(Level::Full);
/// profiler.start();
/// profiler.record_instruction(0, "LOAD_CONST", 42);
/// profiler.measure_instruction(0, Duration::from_millis(1));
/// profiler.stop();
/// let summary = profiler.summary();
/// assert_eq!(summary.total_instructions, 1);
/// let report = profiler.generate_report(Format::Json, 10);
/// assert!(report.contains("\"hottest_instructions\""));
/// ```
#[derive(Debug, Clone)]
pub struct InstructionProfiler {
    /// What is recorded.
    pub level: Level,
    /// At DETAILED and up, 1 in `sample_rate` executions is timed (on average; the VM uses a
    /// randomised period). 1 times every execution. Never 0.
    pub sample_rate: u32,
    /// Raw data per registered code object.
    pub codes: Vec<CodeProfile>,
    /// What the JIT tier did.
    pub jit: JitEvents,
    /// The VM's calibrated hook costs, for the overhead estimate.
    pub hook_costs: HookCosts,
    /// Sampled time per call path (DETAILED and FULL, when `call_paths` is on), for flame
    /// graphs.
    pub call_tree: super::CallTree,
    /// Objects made and bytes allocated per instruction and kind, and the peak of live heap
    /// bytes (DETAILED and up; see [`InstructionProfiler::allocation_report`]).
    pub allocations: super::Allocations,
    /// FULL with cache simulation on: accesses and misses per instruction of the simulated
    /// data cache (see [`InstructionProfiler::cache_report`]).
    pub cache: super::CacheSim,
    /// Whether the VM tracks call paths for `call_tree` (off by default: it costs a child
    /// lookup per call, measurable on call-heavy code).
    pub call_paths: bool,
    /// How the last run ended, if in a runtime error (reports say so in every format).
    pub run_error: Option<RunErrorInfo>,
    /// True when the last run was interrupted before its end (a signal): reports describe
    /// what ran so far and say it is incomplete.
    pub interrupted: bool,
    /// Dispatches of the interpreter's run loop at BASIC and up: each superinstruction (up to
    /// eight bytecode instructions fused) is one, each unfused instruction one, and a
    /// superinstruction that falls back to its original instructions two (the attempt and the
    /// first original). Native code (compiled loops and functions) dispatches nothing.
    pub dispatches: u64,
    /// Outermost activations at FULL (calls of a function with no other activation of it on
    /// the call stack), each of which reads the clock twice for its inclusive time.
    pub outer_calls: u64,
    /// DETAILED and up: time of the epochs in which more than one code object ran (see
    /// [`super::Measured`]), in clock ticks.
    pub mixed_ticks: u64,
    /// Source texts by file name, for the annotated-source view (see
    /// [`InstructionProfiler::add_source`]).
    pub sources: Vec<(String, String)>,
    /// Entries of code objects made by compiled code (a compiled function calling itself
    /// natively): counted among the calls, but paying none of the interpreter's call hooks.
    pub native_calls: u64,
    /// Executions at the start of each run that are all timed ([`WARMUP_SAMPLES`]; 0 for
    /// the calibration's runs, which measure costs per sample and per dispatch without them).
    pub(crate) warmup_samples: u32,
    /// False for the calibration's runs: they price the hooks every dispatch pays, and the
    /// allocation profile's cost per allocation would inflate the loops that allocate.
    pub(crate) record_allocations: bool,
    enabled: bool,
    keys: HashMap<(u64, u32), usize>,
    /// Index of the `"<direct>"` code object, once the direct API was used.
    direct: Option<usize>,
    /// The previous direct-API ip (for branch outcomes and back edges).
    last_direct_ip: Option<u32>,
    /// A conditional branch recorded by the direct API, whose outcome the next ip decides.
    pending_branch: Option<u32>,
    runs: u64,
    run_time: Duration,
    run_started: Option<Instant>,
    /// The thread's CPU time over the runs, where the platform reports it.
    run_cpu_time: Option<Duration>,
    run_cpu_started: Option<Duration>,
    active_time: Duration,
    started_at: Option<Instant>,
}

/// A runtime error that ended a profiled run.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RunErrorInfo {
    /// The error's message.
    pub message: String,
    /// The source line of the failing instruction (0 if unknown).
    pub line: u32,
    /// The function it happened in (`<main>` for the top level).
    pub function: String,
}

/// The default sample rate: 1 in 1024 executions timed (after a run's first
/// [`WARMUP_SAMPLES`] executions, which are all timed so that short programs get timings too).
pub const DEFAULT_SAMPLE_RATE: u32 = 1024;

/// How many executions at the start of each VM run are all timed before sampling settles to 1
/// in `sample_rate`.
pub const WARMUP_SAMPLES: u32 = 1000;

/// The name of the code object the direct API records into.
pub const DIRECT_CODE_NAME: &str = "<direct>";

impl Default for InstructionProfiler {
    /// A DETAILED profiler (the guide's recommended level).
    fn default() -> InstructionProfiler {
        InstructionProfiler::new(Level::Detailed)
    }
}

impl InstructionProfiler {
    /// A profiler at `level`, timing 1 in [`DEFAULT_SAMPLE_RATE`] executions. Any level other
    /// than NONE records at once; `start()` is not needed (as in the original).
    pub fn new(level: Level) -> InstructionProfiler {
        InstructionProfiler::with_sample_rate(level, DEFAULT_SAMPLE_RATE)
    }

    /// A profiler timing 1 in `n` executions (`n` is clamped to at least 1).
    pub fn with_sample_rate(level: Level, n: u32) -> InstructionProfiler {
        InstructionProfiler {
            level,
            sample_rate: n.max(1),
            codes: Vec::new(),
            jit: JitEvents::default(),
            hook_costs: HookCosts::default(),
            call_tree: super::CallTree::default(),
            allocations: super::Allocations::default(),
            cache: super::CacheSim::default(),
            record_allocations: true,
            call_paths: false,
            run_error: None,
            interrupted: false,
            dispatches: 0,
            mixed_ticks: 0,
            sources: Vec::new(),
            outer_calls: 0,
            native_calls: 0,
            warmup_samples: WARMUP_SAMPLES,
            enabled: level != Level::None,
            keys: HashMap::new(),
            direct: None,
            last_direct_ip: None,
            pending_branch: None,
            runs: 0,
            run_time: Duration::ZERO,
            run_started: None,
            run_cpu_time: Some(Duration::ZERO),
            run_cpu_started: None,
            active_time: Duration::ZERO,
            started_at: None,
        }
    }

    /// True while recording.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Enables recording and starts the clock for direct use. Does nothing at NONE (the
    /// original turned on full timing there). Calling it while started keeps the clock going.
    pub fn start(&mut self) {
        if self.level == Level::None {
            return;
        }
        self.enabled = true;
        self.started_at.get_or_insert_with(Instant::now);
    }

    /// Disables recording; time stops counting. A later `start()` continues accumulating.
    pub fn stop(&mut self) {
        self.enabled = false;
        if let Some(s) = self.started_at.take() {
            self.active_time += s.elapsed();
        }
        self.end_run();
    }

    /// Clears all recorded data (counts, timing, loops, JIT events, times), keeping the level,
    /// the sample rate, the enabled state and registered code objects, whose indices stay
    /// valid, so the VM can keep writing to them or register again.
    pub fn reset(&mut self) {
        for c in &mut self.codes {
            c.clear_counters();
        }
        if let Some(d) = self.direct {
            let level = self.level;
            let code = &mut self.codes[d];
            *code = CodeProfile::new(
                DIRECT_CODE_NAME,
                vec![],
                vec![],
                vec![],
                vec![],
                vec![],
                level,
            );
        }
        self.jit.clear();
        self.call_tree.clear();
        self.allocations.clear();
        self.cache.clear();
        self.run_error = None;
        self.interrupted = false;
        self.dispatches = 0;
        self.mixed_ticks = 0;
        self.outer_calls = 0;
        self.native_calls = 0;
        self.last_direct_ip = None;
        self.pending_branch = None;
        self.runs = 0;
        self.run_time = Duration::ZERO;
        self.run_cpu_time = Some(Duration::ZERO);
        self.run_cpu_started = self.run_cpu_started.and(thread_cpu_time());
        self.active_time = Duration::ZERO;
        let now = Instant::now();
        self.run_started = self.run_started.map(|_| now);
        self.started_at = self.started_at.map(|_| now);
    }

    /// Called by the VM before each execution while enabled: starts timing the run.
    pub fn begin_run(&mut self) {
        if self.enabled && self.run_started.is_none() {
            self.runs += 1;
            // The CPU clock (a system call) first, so the wall-time window is the run's alone.
            self.run_cpu_started = thread_cpu_time();
            self.run_started = Some(Instant::now());
        }
    }

    /// Called by the VM after each execution: adds the run's wall time and CPU time.
    pub fn end_run(&mut self) {
        if let Some(s) = self.run_started.take() {
            self.run_time += s.elapsed();
            let cpu = self.run_cpu_started.take().zip(thread_cpu_time());
            self.run_cpu_time = self
                .run_cpu_time
                .zip(cpu)
                .map(|(t, (a, b))| t + b.saturating_sub(a));
        }
    }

    /// The CPU time of the runs the VM timed, on the thread that ran them, where the
    /// platform reports it; `None` without runs (the direct API) or such a clock. Unlike
    /// [`total_time`](Self::total_time) it leaves out the time other processes held the CPU.
    pub fn cpu_time(&self) -> Option<Duration> {
        if self.runs == 0 || self.run_started.is_some() {
            return None;
        }
        self.run_cpu_time
    }

    /// Number of runs timed with `begin_run`.
    pub fn runs(&self) -> u64 {
        self.runs
    }

    /// Total profiled time: the accumulated run time if the VM ran anything, else the
    /// accumulated `start()`..`stop()` intervals (plus the current one while started).
    pub fn total_time(&self) -> Duration {
        if self.runs > 0 {
            self.run_time + self.run_started.map_or(Duration::ZERO, |s| s.elapsed())
        } else {
            self.active_time + self.started_at.map_or(Duration::ZERO, |s| s.elapsed())
        }
    }

    /// Registers a code object under `key` (the VM uses (program id, code index)) and returns
    /// its index in `codes`. The same key returns the same index, so repeated runs
    /// accumulate; vectors are re-sized if the level was raised since.
    pub fn register_code(
        &mut self,
        key: (u64, u32),
        code: &CodeObject,
        globals: &[String],
    ) -> usize {
        if let Some(&i) = self.keys.get(&key) {
            self.codes[i].ensure_level(self.level);
            return i;
        }
        let profile = CodeProfile::new(
            code.name.clone(),
            code.instrs.iter().map(|i| i.op.name()).collect(),
            code.instrs.iter().map(|i| i.op.class()).collect(),
            code.instrs
                .iter()
                .map(|i| operand_text(code, globals, *i))
                .collect(),
            (0..code.instrs.len()).map(|ip| code.line(ip)).collect(),
            code.slot_names.clone(),
            self.level,
        );
        self.codes.push(profile);
        let i = self.codes.len() - 1;
        self.keys.insert(key, i);
        i
    }

    /// The index of the code object registered under `key`.
    pub fn code_index(&self, key: (u64, u32)) -> Option<usize> {
        self.keys.get(&key).copied()
    }

    /// The index of the entry (`<main>`, code object 0) of the program code object `ci`
    /// belongs to, if the VM registered it.
    pub fn entry_of(&self, ci: usize) -> Option<usize> {
        let (&(program, _), _) = self.keys.iter().find(|&(_, &i)| i == ci)?;
        self.code_index((program, 0))
    }

    /// Records one execution of `ip` (direct API). Instructions go to a code object named
    /// `"<direct>"`, which grows as ips appear; an ip's opcode and operand are those of its
    /// first record. Counts are exact. At FULL it also records memory reads/writes by opcode
    /// class, the outcome of a conditional branch (taken when the next recorded ip is not
    /// `ip + 1`, decided when that ip arrives), and a back edge whenever the recorded ip is
    /// `<=` the previous one: the loop from `ip` (header) to the previous ip (back edge) gets
    /// one more iteration. So N rounds over ips 10..=20 count N-1 iterations of loop 10..=20.
    pub fn record_instruction(&mut self, ip: u32, opcode: &str, operand: impl Display) {
        if !self.enabled || self.level == Level::None {
            return;
        }
        self.started_at.get_or_insert_with(Instant::now);
        let level = self.level;
        let d = self.direct_index();
        let prev = self.last_direct_ip.replace(ip);
        let code = &mut self.codes[d];
        let i = ip as usize;
        code.ensure_ip(i, opcode, operand.to_string(), level);
        code.counts[i] += 1;
        if level < Level::Full {
            return;
        }
        match code.classes[i] {
            OpClass::MemRead => code.mem_reads[i] += 1,
            OpClass::MemWrite => code.mem_writes[i] += 1,
            _ => {}
        }
        if let Some(p) = prev {
            if self.pending_branch == Some(p) {
                code.branches[p as usize].record(ip != p + 1);
            }
            if ip <= p {
                code.loop_mut(p, ip).iterations += 1;
            }
        }
        self.pending_branch = (code.classes[i] == OpClass::CondBranch).then_some(ip);
    }

    /// Adds one timing sample of `d` to `ip` of the direct API's code object (DETAILED and up;
    /// every call is recorded, whatever the sample rate). Never changes the count; an ip never
    /// recorded with [`record_instruction`](Self::record_instruction) is ignored.
    pub fn measure_instruction(&mut self, ip: u32, d: Duration) {
        if !self.enabled || self.level < Level::Detailed {
            return;
        }
        let Some(code) = self.direct.map(|i| &mut self.codes[i]) else {
            return;
        };
        let i = ip as usize;
        if code.opcodes.get(i).is_some_and(|op| !op.is_empty()) {
            code.timing[i].record(duration_to_ticks(d));
        }
    }

    fn direct_index(&mut self) -> usize {
        if let Some(d) = self.direct {
            return d;
        }
        let p = CodeProfile::new(
            DIRECT_CODE_NAME,
            vec![],
            vec![],
            vec![],
            vec![],
            vec![],
            self.level,
        );
        self.codes.push(p);
        self.direct = Some(self.codes.len() - 1);
        self.codes.len() - 1
    }

    /// Exact instructions executed, over all code objects.
    pub fn total_instructions(&self) -> u64 {
        self.codes.iter().map(CodeProfile::total_count).sum()
    }

    /// Timing samples taken, over all code objects.
    pub fn total_samples(&self) -> u64 {
        self.codes
            .iter()
            .flat_map(|c| &c.timing)
            .map(|t| t.samples)
            .sum()
    }

    /// Conditional branches the interpreter executed (and FULL recorded through its hook):
    /// every recorded outcome less the executions of JIT code.
    fn interpreted_branches(&self) -> u64 {
        self.codes.iter().map(code_branches).sum()
    }

    /// Entries of code objects over all runs: calls, and each run's start.
    pub fn total_calls(&self) -> u64 {
        self.codes.iter().map(|c| c.calls).sum()
    }

    /// The entries of code objects the interpreter made (the ones its call hooks ran for):
    /// [`total_calls`](Self::total_calls) less those made in native code.
    pub fn interpreted_calls(&self) -> u64 {
        self.total_calls().saturating_sub(self.native_calls)
    }

    /// The calibrated cost, in ns, of the profiling hooks that ran while code object `ci` was
    /// the running one (its [`super::Measured`] stretches): its dispatches, the calls it made,
    /// its samples and, at FULL, its branch records. Summed over code objects this is about
    /// the calibrated total; the attribution charges each code object at most what its
    /// measured time allows (`attribution::reconciled_overheads`).
    pub fn code_overhead_ns(&self, ci: usize) -> f64 {
        let i = match self.level {
            Level::None => return 0.0,
            Level::Basic => 0,
            Level::Detailed => 1,
            Level::Full => 2,
        };
        let (c, m) = (&self.hook_costs, &self.codes[ci].measured);
        let code = &self.codes[ci];
        let mut ns = m.dispatches as f64 * c.dispatch_ns[i] + m.calls_made as f64 * c.call_ns[i];
        if self.level >= Level::Detailed {
            ns += code.timing.iter().map(|t| t.samples).sum::<u64>() as f64 * c.sample_ns;
        }
        if self.level >= Level::Full {
            ns += code_branches(code) as f64 * c.branch_ns
                + m.outer_calls_made as f64 * c.outer_call_ns;
        }
        super::finite(ns)
    }

    /// The estimated time spent in profiling hooks, in ms (see [`HookCosts`] for the method):
    /// the calibrated cost of each hook times the run's count of it, less what the
    /// attribution could not charge to a code object without leaving it no time of its own
    /// (`attribution::reconciled_overheads`), so that the times
    /// of a report add up to the run less this overhead.
    ///
    /// Only interpreted executions carry hook costs: JIT code keeps its own counters in
    /// registers, whose cost is measured by the benchmarks instead.
    pub fn estimated_overhead_ms(&self) -> f64 {
        let relief_ns = self.overhead_relief_ticks() * ns_per_tick();
        super::finite((self.calibrated_overhead_ns() - relief_ns).max(0.0) / 1e6)
    }

    /// The calibrated hook costs times the run's counts of each hook, in ns.
    pub(super) fn calibrated_overhead_ns(&self) -> f64 {
        let i = match self.level {
            Level::None => return 0.0,
            Level::Basic => 0,
            Level::Detailed => 1,
            Level::Full => 2,
        };
        let c = &self.hook_costs;
        let mut ns = self.dispatches as f64 * c.dispatch_ns[i]
            + self.interpreted_calls() as f64 * c.call_ns[i];
        if self.level >= Level::Detailed {
            ns += self.total_samples() as f64 * c.sample_ns;
        }
        if self.level >= Level::Full {
            ns += self.interpreted_branches() as f64 * c.branch_ns
                + self.outer_calls as f64 * c.outer_call_ns;
        }
        super::finite(ns)
    }
}

/// Conditional branches of one code object the interpreter executed (recorded outcomes less
/// the executions of JIT code).
fn code_branches(c: &CodeProfile) -> u64 {
    c.branches
        .iter()
        .enumerate()
        .map(|(ip, b)| {
            let jit = c.jit_counts.get(ip).copied().unwrap_or(0);
            (b.taken + b.not_taken).saturating_sub(jit)
        })
        .sum()
}
