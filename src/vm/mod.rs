//! The virtual machine: configuration (`VmBuilder`), program execution and the profiling API.

pub(crate) mod allocsites;
pub(crate) mod builtins;
mod cachesim;
mod calibrate;
mod calls;
mod carry;
mod closures;
pub mod error;
mod eval;
mod events;
#[cfg(test)]
mod fallback_tests;
mod floatpath;
mod frame;
mod fused;
pub mod interrupt;
mod iteration;
pub mod limits;
mod loophooks;
pub(crate) mod objects;
mod output;
mod prepared;
mod profhooks;
mod reenter;
mod run;
mod stackops;
mod state;
mod superinstr;
mod tier;
mod tier_fn;
mod tier_key;
mod trace;
mod unwind;

use zexus_runtime::Value;

pub use error::{ErrorKind, RuntimeError, TraceEntry};
pub use events::{Event, MAX_EVENTS};
pub use limits::{parse_bytes, LimitKind, Limits};

use crate::bytecode::Bytecode;
use crate::profile::{InstructionProfiler, Level, RunErrorInfo, Summary};
use crate::report::Format;
use frame::{LVL_BASIC, LVL_DETAILED, LVL_FULL, LVL_NONE};
use output::Output;
pub use output::Sink;
use prepared::Prepared;
use state::RunState;

/// Runs the copy of the run loop compiled for `level`.
/// `jit` picks the copy with the JIT tier's back-edge hooks, `limited` the copy that checks
/// the limits (`limits.rs`).
///
/// # Safety
/// As [`run::run`]: `p` was prepared from `bc`, and `st`'s hooks and tier were set up for it.
#[cfg(feature = "profiler")]
unsafe fn run_at_level(
    level: Level,
    jit: bool,
    limited: bool,
    p: &Prepared,
    bc: &Bytecode,
    st: &mut RunState,
) -> Result<Value, RuntimeError> {
    macro_rules! at {
        ($l:expr) => {
            // SAFETY (each arm): the caller's contract is `run`'s.
            match (jit, limited) {
                (false, false) => unsafe { run::run::<{ $l }, false, false>(p, bc, st) },
                (true, false) => unsafe { run::run::<{ $l }, true, false>(p, bc, st) },
                (false, true) => unsafe { run::run::<{ $l }, false, true>(p, bc, st) },
                (true, true) => unsafe { run::run::<{ $l }, true, true>(p, bc, st) },
            }
        };
    }
    match level {
        Level::None => at!(LVL_NONE),
        Level::Basic => at!(LVL_BASIC),
        Level::Detailed => at!(LVL_DETAILED),
        Level::Full => at!(LVL_FULL),
    }
}

/// Without the `profiler` feature only the NONE loop exists.
///
/// # Safety
/// As [`run::run`].
#[cfg(not(feature = "profiler"))]
unsafe fn run_at_level(
    _: Level,
    jit: bool,
    limited: bool,
    p: &Prepared,
    bc: &Bytecode,
    st: &mut RunState,
) -> Result<Value, RuntimeError> {
    let _ = (LVL_BASIC, LVL_DETAILED, LVL_FULL);
    // SAFETY: the caller's contract is `run`'s.
    unsafe {
        match (jit, limited) {
            (false, false) => run::run::<LVL_NONE, false, false>(p, bc, st),
            (true, false) => run::run::<LVL_NONE, true, false>(p, bc, st),
            (false, true) => run::run::<LVL_NONE, false, true>(p, bc, st),
            (true, true) => run::run::<LVL_NONE, true, true>(p, bc, st),
        }
    }
}

/// Sets the command-line arguments that programs read as `__ARGS__` (for the whole process;
/// `zx run FILE ARGS...` sets them).
pub fn set_script_args(args: Vec<String>) {
    builtins::set_script_args(args);
}

/// Default maximum number of nested calls.
pub const DEFAULT_MAX_CALL_DEPTH: usize = 10_000;
/// Default back-edge count at which a loop is hot.
pub const DEFAULT_HOT_THRESHOLD: u32 = 1000;
/// Default sampling rate: at DETAILED and FULL, 1 in this many executions is timed (after the
/// first [`crate::profile::WARMUP_SAMPLES`] of each run, which are all timed).
pub const DEFAULT_SAMPLE_RATE: u32 = crate::profile::DEFAULT_SAMPLE_RATE;

/// Why a profiling query had nothing to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfilingNotEnabled;

impl std::fmt::Display for ProfilingNotEnabled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Profiling not enabled")
    }
}

impl std::error::Error for ProfilingNotEnabled {}

/// Configures a [`VM`]: `VM::builder().jit(true).profiling(Level::Full).build()`.
#[derive(Debug, Clone)]
pub struct VmBuilder {
    jit: bool,
    level: Level,
    hot_threshold: u32,
    sample_rate: u32,
    max_call_depth: usize,
    limits: Limits,
    output: Sink,
    superinstructions: bool,
    jit_options: crate::jit::JitOptions,
    call_paths: bool,
    /// True for the VMs of the calibration itself (they must not calibrate again).
    calibrated: bool,
    /// The cache simulation's geometry, when it is on (FULL only).
    cache: Option<crate::profile::CacheConfig>,
}

impl Default for VmBuilder {
    fn default() -> Self {
        VmBuilder {
            jit: false,
            level: Level::None,
            hot_threshold: DEFAULT_HOT_THRESHOLD,
            sample_rate: DEFAULT_SAMPLE_RATE,
            max_call_depth: DEFAULT_MAX_CALL_DEPTH,
            limits: Limits::default(),
            output: Sink::Stdout,
            superinstructions: true,
            jit_options: crate::jit::JitOptions::default(),
            call_paths: false,
            calibrated: false,
            cache: None,
        }
    }
}

impl VmBuilder {
    /// Turns the Cranelift tier on or off (off by default).
    pub fn jit(mut self, on: bool) -> Self {
        self.jit = on;
        self
    }
    /// Sets the profiling level (NONE by default).
    pub fn profiling(mut self, level: Level) -> Self {
        self.level = level;
        self
    }
    /// Back edges a loop must take before it is compiled (default 1000).
    pub fn hot_threshold(mut self, n: u32) -> Self {
        self.hot_threshold = n.max(1);
        self
    }
    /// At DETAILED and FULL, time 1 in `n` executions (default 1024; 1 times every execution).
    pub fn sample_rate(mut self, n: u32) -> Self {
        self.sample_rate = n.max(1);
        self
    }
    /// Maximum number of nested calls before `maximum call depth exceeded` (default 10,000).
    pub fn max_call_depth(mut self, n: usize) -> Self {
        self.max_call_depth = n.max(1);
        self
    }
    /// Ends each run that would execute more than `n` bytecode instructions with the error
    /// `instruction limit reached ...` (none by default). Exact in the interpreter; compiled
    /// code checks at back edges and function entries, so it may run one more loop iteration
    /// or call. A run with any limit interprets without superinstructions.
    pub fn max_instructions(mut self, n: u64) -> Self {
        self.limits.max_instructions = Some(n);
        self
    }
    /// Ends each run that takes longer than `t` (wall clock) with the error `timeout ...`
    /// (none by default). Seen within about a million instructions, and by compiled code at
    /// back edges and function entries.
    pub fn timeout(mut self, t: std::time::Duration) -> Self {
        self.limits.timeout = Some(t);
        self
    }
    /// Ends a run as soon as the live strings, lists and maps of the VM's thread hold more
    /// than `bytes` bytes, with the error `heap limit reached ...` (none by default).
    pub fn max_heap(mut self, bytes: usize) -> Self {
        self.limits.max_heap = Some(bytes);
        self
    }
    /// Sets all three limits at once (`Limits::default()` removes them).
    pub fn limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
    /// Keeps printed output in the VM (read it with [`VM::take_output`]) instead of writing
    /// it to standard output.
    pub fn capture_output(mut self, on: bool) -> Self {
        self.output = if on { Sink::Capture } else { Sink::Stdout };
        self
    }
    /// Sends printed output to standard output, standard error, or the VM's buffer.
    pub fn output(mut self, sink: Sink) -> Self {
        self.output = sink;
        self
    }
    /// Lets the interpreter fuse common instruction shapes into superinstructions (on by
    /// default; results, errors and profiles are the same either way).
    pub fn superinstructions(mut self, on: bool) -> Self {
        self.superinstructions = on;
        self
    }
    /// At DETAILED and FULL, also records sampled time per call path, for flame graphs
    /// (`Format::Folded`, `Format::Flamegraph`). Off by default: it costs a lookup per call.
    pub fn call_paths(mut self, on: bool) -> Self {
        self.call_paths = on;
        self
    }
    /// Writes a `/tmp/perf-<pid>.map` line (and a `/tmp/jit-<pid>.dump` record) for each
    /// JIT-compiled loop or function.
    pub fn perf_map(mut self, on: bool) -> Self {
        self.jit_options.perf_map = on;
        self
    }
    /// Prints the machine code of each JIT-compiled loop or function to standard error
    /// (Cranelift's VCode listing, after register allocation), headed
    /// `; <function> <first ip>..<last ip>`. Off by default.
    pub fn jit_disasm(mut self, on: bool) -> Self {
        self.jit_options.disasm = on;
        self
    }
    /// Prints a line per JIT compile to standard error with the time each step took
    /// (`jit timing: <function> <first ip>..<last ip>: translate T define T finalize T`, times
    /// from the compile's start). Off by default.
    pub fn jit_timing(mut self, on: bool) -> Self {
        self.jit_options.timing = on;
        self
    }
    /// At FULL, simulates a data cache of geometry `config` (`None`, the default, turns it
    /// off): accesses and misses per instruction and per loop, in
    /// [`InstructionProfiler::cache_report`] and every report (see `crate::profile::cache` for
    /// what it models). While it simulates, the VM interprets every instruction one by one:
    /// the JIT tier is not built and superinstructions are off, so that every memory operation
    /// is seen (as cachegrind runs a program on its own simulated processor). Below FULL it
    /// does nothing.
    pub fn cache_simulation(mut self, config: Option<crate::profile::CacheConfig>) -> Self {
        self.cache = config;
        self
    }
    /// Skips the hook-cost calibration (the overhead estimate then reads 0).
    pub fn skip_calibration(mut self, skip: bool) -> Self {
        self.calibrated = skip;
        self
    }
    /// Creates the VM.
    pub fn build(self) -> VM {
        builtins::init_clock();
        builtins::reset_access_control();
        let mut profiler = InstructionProfiler::with_sample_rate(self.level, self.sample_rate);
        profiler.call_paths = self.call_paths;
        let gauge = self
            .limits
            .any()
            .then(|| Box::new(limits::Gauge::new(self.limits)));
        let fuel = gauge.as_ref().map(|g| g.fuel_addr());
        let simulating = self.level == Level::Full && self.cache.is_some();
        let tier = (self.jit && !simulating)
            .then(|| Box::new(tier::Tier::new(self.hot_threshold, self.jit_options, fuel)));
        VM {
            gauge,
            out: Output::new(self.output),
            cfg: self,
            profiler,
            stack: Vec::new(),
            tier,
            events: events::EventLog::default(),
        }
    }
}

/// The Zexus virtual machine.
///
/// ```
/// use zexus::{BytecodeBuilder, Level, Value, VM};
/// let mut b = BytecodeBuilder::new();
/// b.emit_load_const(42).emit_load_const(8).emit_add().emit_return();
/// let mut vm = VM::builder().profiling(Level::Basic).build();
/// assert_eq!(vm.execute(&b.build().unwrap()).unwrap(), Value::int(50));
/// assert_eq!(vm.profiling_summary().unwrap().total_instructions, 4);
/// ```
pub struct VM {
    cfg: VmBuilder,
    profiler: InstructionProfiler,
    out: Output,
    stack: Vec<Value>,
    /// The JIT tier (with `jit(true)`): compiled loops live as long as the VM.
    tier: Option<Box<tier::Tier>>,
    /// The events `emit` recorded, over every run.
    events: events::EventLog,
    /// The limits' run-time state (with any limit set); boxed, as compiled code holds the
    /// address of its fuel cell.
    gauge: Option<Box<limits::Gauge>>,
}

impl Default for VM {
    fn default() -> Self {
        VM::new()
    }
}

impl VM {
    /// A VM with default settings: no profiling, no JIT.
    pub fn new() -> VM {
        VmBuilder::default().build()
    }

    /// A builder to configure a VM.
    pub fn builder() -> VmBuilder {
        VmBuilder::default()
    }

    /// Runs a program (verified when it was made); returns the value its top level returns.
    pub fn execute(&mut self, bc: &Bytecode) -> Result<Value, RuntimeError> {
        self.execute_in(bc, None)
    }

    /// Runs a program whose globals start from `globals` (slot by slot, as the program's
    /// frame lists them; missing ones start unassigned) and are left there at the end, also
    /// when the run fails: the way a session (`crate::session`, `zx repl`) keeps variables
    /// between inputs. Function values among them stay meaningful only for programs that keep
    /// the earlier functions at their indices (`compile_with_prelude` does).
    pub fn execute_keeping_globals(
        &mut self,
        bc: &Bytecode,
        globals: &mut Vec<Value>,
    ) -> Result<Value, RuntimeError> {
        self.execute_in(bc, Some(globals))
    }

    fn execute_in(
        &mut self,
        bc: &Bytecode,
        globals: Option<&mut Vec<Value>>,
    ) -> Result<Value, RuntimeError> {
        // The loop copy that checks limits counts original instructions one by one.
        let level = if self.profiler.is_enabled() {
            self.profiler.level
        } else {
            Level::None
        };
        // The cache simulation (FULL) watches each original instruction, as the checking copy
        // of the loop runs them.
        let mut cache = self
            .cfg
            .cache
            .filter(|_| level == Level::Full)
            .map(|c| cachesim::CacheObserver::new(c, bc));
        let prepared = Prepared::new(
            bc,
            self.cfg.superinstructions && self.gauge.is_none() && cache.is_none(),
        );
        let mut ids = Vec::new();
        let mut hooks = None;
        if level > Level::None {
            if !self.cfg.calibrated && self.profiler.hook_costs == Default::default() {
                self.profiler.hook_costs = calibrate::hook_costs();
            }
            for (i, code) in bc.code().iter().enumerate() {
                let id = self
                    .profiler
                    .register_code((bc.id(), i as u32), code, bc.globals());
                self.profiler.codes[id].file = bc.source_name().to_string();
                ids.push(id);
            }
            // SAFETY: the profiler outlives the run and its code profiles are registered
            // above; until `fold`, nothing adds code profiles, resizes their vectors, or holds
            // a reference into them across the run loop (the tier only takes raw pointers).
            hooks = Some(unsafe { profhooks::ProfHooks::new(&mut self.profiler, &ids) });
            self.profiler.begin_run();
            if level >= Level::Detailed {
                hooks.as_mut().expect("hooks were just made").open_run();
            }
        }
        if let Some(t) = self.tier.as_deref_mut() {
            t.begin_run(bc, level, &mut self.profiler, &ids);
        }
        if let Some(g) = self.gauge.as_deref() {
            g.begin();
        }
        let mut st = RunState {
            gauge: self.gauge.as_deref(),
            stack: std::mem::take(&mut self.stack),
            frames: Vec::new(),
            max_depth: self.cfg.max_call_depth,
            out: &mut self.out,
            prof: hooks.as_mut(),
            live: 0,
            at: (0, 0),
            tier: self.tier.as_deref_mut(),
            nesting: 0,
            retired: Vec::new(),
            back: None,
            thrown: None,
            events: &mut self.events,
            caught: Vec::new(),
            globals,
            cache: cache
                .as_mut()
                .map_or(std::ptr::null_mut(), |c| c as *mut cachesim::CacheObserver),
        };
        let jit = st.tier.is_some();
        let limited = st.gauge.is_some() || !st.cache.is_null();
        // The allocation profile (DETAILED and up): the heap meter counts every allocation under
        // the site the run loop or compiled code last wrote (see `allocsites.rs`).
        let recording = level >= Level::Detailed
            && self.profiler.record_allocations
            && zexus_runtime::meter::start_recording();
        // SAFETY: `prepared` comes from `bc`; the hooks were made for `bc`'s code objects just
        // above (and the profiler is left alone until `fold`), and the tier began this run.
        let result = unsafe { run_at_level(level, jit, limited, &prepared, bc, &mut st) };
        let allocations = recording.then(zexus_runtime::meter::stop_recording);
        // Where an error left each active frame mid-block (for exact counts).
        let left: Vec<(u32, u32)> = if result.is_err() {
            // A limit stops the run before the instruction at `st.at` runs (other errors are
            // raised by it).
            let limited = st.gauge.is_some_and(|g| g.hit.get().is_some());
            let (code, pc) = st.at;
            std::iter::once((code, if limited { pc.wrapping_sub(1) } else { pc }))
                .chain(st.frames.iter().map(|f| (f.code, f.ret_pc - 1)))
                .collect()
        } else {
            Vec::new()
        };
        self.stack = std::mem::take(&mut st.stack);
        drop(st);
        if let Some(g) = self.gauge.as_deref() {
            g.end();
        }
        if let Some(t) = self.tier.as_deref_mut() {
            t.end_run(
                bc,
                (level > Level::None).then_some((&mut self.profiler, &ids[..])),
            );
        }
        if level > Level::None {
            if let Some(h) = hooks.as_mut().filter(|_| level >= Level::Detailed) {
                h.close_run();
            }
            self.profiler.end_run();
            if let Some(h) = hooks {
                h.fold(&mut self.profiler, bc, &left);
            }
            profhooks::derive_stats(&mut self.profiler, bc, &ids);
            if let Some(rec) = &allocations {
                allocsites::attribute(&mut self.profiler, &prepared, &ids, rec);
            }
            if let Some(c) = cache {
                c.attribute(&mut self.profiler, &ids);
            }
            self.profiler.interrupted = result.is_err() && interrupt::pending();
            self.profiler.run_error = result
                .as_ref()
                .err()
                .filter(|_| !self.profiler.interrupted)
                .map(|e| RunErrorInfo {
                    message: e.message.clone(),
                    line: e.line,
                    function: e
                        .trace
                        .first()
                        .map_or_else(String::new, |t| t.function.clone()),
                });
        }
        self.out.flush();
        result
    }

    /// The events `emit Name(args)` recorded so far, over every run, oldest first (the first
    /// [`MAX_EVENTS`]; [`events_emitted`](Self::events_emitted) counts them all).
    pub fn events(&self) -> &[Event] {
        &self.events.events
    }

    /// How many events were emitted so far, stored or not.
    pub fn events_emitted(&self) -> u64 {
        self.events.total
    }

    /// Output printed so far (with [`VmBuilder::capture_output`]); empties the buffer.
    pub fn take_output(&mut self) -> String {
        self.out.take_captured()
    }

    /// Resumes recording (after [`stop_profiling`](Self::stop_profiling)); times accumulate.
    /// Does nothing at level NONE.
    pub fn start_profiling(&mut self) {
        self.profiler.start();
    }

    /// Stops recording; later runs go at full speed until profiling starts again.
    pub fn stop_profiling(&mut self) {
        self.profiler.stop();
    }

    /// Clears all profile data (the level and sample rate stay).
    pub fn reset_profiler(&mut self) {
        self.profiler.reset();
    }

    /// Changes the profiling level (clears the data recorded so far).
    pub fn set_profiling_level(&mut self, level: Level) {
        self.profiler = InstructionProfiler::with_sample_rate(level, self.cfg.sample_rate);
        self.profiler.call_paths = self.cfg.call_paths;
        self.cfg.level = level;
    }

    /// The summary of the guide (`total_instructions`, `instructions_per_sec`, ...).
    pub fn profiling_summary(&self) -> Result<Summary, ProfilingNotEnabled> {
        if self.profiler.level == Level::None {
            return Err(ProfilingNotEnabled);
        }
        Ok(self.profiler.summary())
    }

    /// A report in `format` with the top `top_n` instructions per table. Without profiling
    /// it says `Profiling not enabled` (as JSON: `{"error": "Profiling not enabled"}`).
    pub fn profiling_report(&self, format: Format, top_n: usize) -> String {
        if self.profiler.level == Level::None {
            return match format {
                Format::Json => "{\"error\": \"Profiling not enabled\"}".to_string(),
                _ => "Profiling not enabled".to_string(),
            };
        }
        self.profiler.generate_report(format, top_n)
    }

    /// The profiler (its level is NONE when profiling is off).
    pub fn profiler(&self) -> &InstructionProfiler {
        &self.profiler
    }

    /// The profiler, mutably.
    pub fn profiler_mut(&mut self) -> &mut InstructionProfiler {
        &mut self.profiler
    }

    /// What the JIT tier did so far (loops compiled and refused, entries, exits, compile
    /// times), also with profiling off. All zero without `jit(true)`.
    pub fn jit_stats(&self) -> crate::jit::JitStats {
        self.tier
            .as_ref()
            .map(|t| t.stats.clone())
            .unwrap_or_default()
    }

    /// The limit that ended the last run, if one did.
    pub fn limit_reached(&self) -> Option<LimitKind> {
        self.gauge.as_ref().and_then(|g| g.hit.get())
    }

    /// The limits this VM enforces on each run.
    pub fn limits(&self) -> Limits {
        self.cfg.limits
    }

    /// True if the JIT tier was requested.
    pub fn jit_enabled(&self) -> bool {
        self.cfg.jit
    }
}
