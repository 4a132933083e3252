//! Calibration of the profiler's hook costs, for the overhead figure in the summary.
//!
//! What a profiled run pays for, against the same run at NONE, is modelled as a cost per event
//! times the run's count of that event (`InstructionProfiler::estimated_overhead_ms`):
//! - per **dispatch** of the run loop, at each level: BASIC's taken-edge counters, and from
//!   DETAILED up the sampling countdown every dispatch pays, timed or not;
//! - per interpreted **call**, at each level: the enter and leave hooks (the call counter,
//!   switching counter bases, BASIC's interrupt poll, FULL's activation count), and at FULL
//!   per **outermost activation** the two clock reads of its inclusive time;
//! - per timing **sample** (DETAILED and up): the slow path, two clock reads, the record;
//! - per conditional **branch** record (FULL).
//!
//! Method: five loops of different shapes (arithmetic; a running sum; a branch and a list
//! store; an if-else; a list read) and two call-heavy loops (one calling a one-line function
//! once per iteration, where every call is an outermost activation; one calling a recursive
//! function twenty deep), each run at NONE, BASIC, and at DETAILED and FULL with no sampling
//! (not even the warm-up, whose executions timed back to back cost about half what a sample
//! does at a sampling rate), in five interleaved rounds; each cell's fastest time is kept
//! (load from other processes only ever adds time). Times are the thread's CPU time where
//! the platform has one (a preemption by another process is not the profiler's cost, and on
//! a loaded machine it is the largest error of a wall-clock difference), else wall time.
//! - A sample's cost: the arithmetic loop at DETAILED sampling 1 in 256, less unsampled, per
//!   sample, both timed on a VM's second run (the first creates each timed instruction's
//!   histogram, a cost per instruction and not per sample). At a sampling rate, not timing
//!   every execution: a sample that comes once in hundreds of dispatches finds its path and
//!   its data out of the caches and predictors, and costs about twice what it does when
//!   every execution is timed.
//! - Per dispatch at BASIC and at DETAILED (FULL's is DETAILED's: FULL adds no per-dispatch
//!   hook), and per branch record (FULL less DETAILED per interpreted branch, the record as
//!   it overlaps the run loop's work): the lower quartile (second lowest) of the five loops.
//!   What a hook costs depends on the code around it: each copy of the run loop is compiled
//!   and laid out on its own, and on the development machine the same countdown cost 1.1 to
//!   3.4 ns per dispatch depending on the loop, in a ranking that changes from build to
//!   build. Not the median: an estimate too high is worse than one too low, since the
//!   self-reported slowdown `t / (t - overhead)` grows without bound as the overhead nears
//!   the run, and the timing model shares out what is left of the run (with the median,
//!   sieve's DETAILED estimate was 1.55x against a measured 1.20x).
//! - Per call: what is left of a call loop's difference from NONE after its dispatches (and
//!   at FULL its branch records) are costed as above. At BASIC and DETAILED every call runs
//!   the same hooks: the mean of the two loops, per call. At FULL an outermost activation
//!   also reads the clock twice, and the two loops (all calls outermost; one in twenty-one)
//!   give two equations for a cost per call and one per outermost activation.
//!
//! A short loop at NONE and at DETAILED timing every execution gives the bias of a timed
//! execution: its mean sampled time less the instruction's cost at NONE (the timed
//! execution's unfused, less predictable dispatch and the sampling path around it), which
//! reports subtract from sampled means before scaling them to the run (`docs/PROFILER.md`,
//! "The timing model"). The bias shapes how a profile shares a function's time among its
//! instructions; the event costs make the overhead estimate, and, charged to the function
//! in which each event happened, how the run is shared among functions.
//!
//! It runs once per process, the first time a profiled program runs; `zx bench` prints the
//! estimate next to the measured slowdown so the two can be compared.

use std::sync::Mutex;
use std::time::Instant;

use crate::bytecode::{Bytecode, BytecodeBuilder};
use crate::profile::clock::{thread_cpu_time, ticks_to_ns};
use crate::profile::{HookCosts, Level};

use super::VM;

/// `i = 0; x = 0; while i < n { x = x + i * 3; i = i + 1 }` — 13 instructions per iteration.
fn calibration_loop(n: i64) -> Bytecode {
    let mut b = BytecodeBuilder::new();
    b.emit_load_const(0).emit_store_name("i");
    b.emit_load_const(0).emit_store_name("x");
    b.emit_label("top");
    b.emit_load_name("i")
        .emit_load_const(n)
        .emit_lt()
        .emit_jump_if_false("end");
    b.emit_load_name("x")
        .emit_load_name("i")
        .emit_load_const(3)
        .emit_mul()
        .emit_add()
        .emit_store_name("x");
    b.emit_load_name("i")
        .emit_load_const(1)
        .emit_add()
        .emit_store_name("i");
    b.emit_jump("top");
    b.emit_label("end");
    b.emit_load_name("x").emit_return();
    b.build().expect("the calibration loop is valid")
}

/// Compiles a calibration program.
fn program(src: &str) -> Bytecode {
    crate::compile(src, "<calibration>").expect("the calibration programs compile")
}

/// The loops the per-dispatch and per-branch costs are the median over, `n` iterations each:
/// arithmetic, a running sum, a branch and a list store, an if-else, and a list read.
fn loops(n: i64) -> [Bytecode; 5] {
    [
        calibration_loop(n),
        program(&format!(
            "let i = 0\nlet s = 0\nwhile (i < {n}) {{ s = s + i\n i = i + 1 }}\ns\n"
        )),
        program(&format!(
            "let xs = [0, 0, 0, 0, 0, 0, 0, 0]\nlet i = 0\n\
             while (i < {n}) {{ if (i % 3 == 0) {{ xs[i % 8] = i }}\n i = i + 1 }}\nxs[1]\n"
        )),
        program(&format!(
            "let i = 0\nlet s = 0\nwhile (i < {n}) {{\n\
             if (i % 2 == 0) {{ s = s + 1 }} else {{ s = s - 1 }}\n i = i + 1 }}\ns\n"
        )),
        program(&format!(
            "let xs = [1, 2, 3, 4, 5, 6, 7, 8]\nlet i = 0\nlet s = 0\n\
             while (i < {n}) {{ s = s + xs[i % 8]\n i = i + 1 }}\ns\n"
        )),
    ]
}

/// The call-heavy loops the per-call costs come from, about `n` calls each: a loop calling a
/// one-line function once per iteration (a helper called from a loop: every call an
/// outermost activation), and a loop calling a recursive function twenty deep (one call in
/// twenty-one outermost).
fn call_loops(n: i64) -> [Bytecode; 2] {
    [
        program(&format!(
            "action f(a) {{ return a }}\nlet i = 0\nlet x = 0\n\
             while (i < {n}) {{ x = x + f(i)\n i = i + 1 }}\nx\n"
        )),
        program(&format!(
            "action f(n) {{ if (n < 1) {{ return 0 }}\n return f(n - 1) + 1 }}\n\
             let i = 0\nlet x = 0\nwhile (i < {}) {{ x = x + f(20)\n i = i + 1 }}\nx\n",
            n / 21
        )),
    ]
}

/// A clock for the calibration runs: the thread's CPU time where there is one, else wall time.
struct Clock(Option<Instant>);

impl Clock {
    fn start() -> Clock {
        Clock(thread_cpu_time().is_none().then(Instant::now))
    }

    /// A reading, in ns.
    fn now(&self) -> f64 {
        match self.0 {
            Some(t) => t.elapsed().as_secs_f64() * 1e9,
            None => thread_cpu_time().map_or(0.0, |d| d.as_secs_f64() * 1e9),
        }
    }
}

/// What one calibration run measured.
#[derive(Debug, Clone, Copy, Default)]
struct Run {
    /// Time of the run (ns): CPU time where the platform has it, else wall time.
    ns: f64,
    instructions: u64,
    samples: u64,
    /// The mean timed execution (ns).
    sampled_mean: f64,
    dispatches: u64,
    calls: u64,
    outer_calls: u64,
    branches: u64,
}

/// A run with the default warm-up; `None` when it was interrupted (see [`hook_costs`]).
fn run(bc: &Bytecode, level: Level, sample_rate: u32) -> Option<Run> {
    run_with(
        bc,
        level,
        sample_rate,
        crate::profile::WARMUP_SAMPLES,
        false,
    )
}

/// The counters of a profile so far (the time left at 0).
fn counters(p: &crate::profile::InstructionProfiler) -> (Run, f64) {
    let sampled: f64 = p
        .codes
        .iter()
        .flat_map(|c| &c.timing)
        .map(|t| t.weighted_ticks)
        .sum();
    let run = Run {
        ns: 0.0,
        instructions: p.total_instructions(),
        samples: p.total_samples(),
        sampled_mean: 0.0,
        dispatches: p.dispatches,
        calls: p.interpreted_calls(),
        outer_calls: p.outer_calls,
        branches: p
            .codes
            .iter()
            .flat_map(|c| &c.branches)
            .map(|b| b.taken + b.not_taken)
            .sum(),
    };
    (run, sampled)
}

/// A run whose first `warmup` executions are all timed; when `warm`, the timed run is the
/// VM's second, after an untimed one has registered the code and created every timed
/// instruction's histogram (each one allocated on its instruction's first sample, a cost
/// per instruction and not per sample).
fn run_with(bc: &Bytecode, level: Level, sample_rate: u32, warmup: u32, warm: bool) -> Option<Run> {
    let mut vm = VM::builder()
        .profiling(level)
        .sample_rate(sample_rate)
        .skip_calibration(true)
        .build();
    vm.profiler.warmup_samples = warmup;
    vm.profiler.record_allocations = false;
    // The programs cannot fail; a run ends early only when the process was asked to stop.
    if warm {
        vm.execute(bc).ok()?;
    }
    let (before, sampled_before) = counters(vm.profiler());
    let clock = Clock::start();
    let t = clock.now();
    vm.execute(bc).ok()?;
    let ns = clock.now() - t;
    let (after, sampled_after) = counters(vm.profiler());
    let samples = after.samples - before.samples;
    Some(Run {
        ns,
        instructions: after.instructions - before.instructions,
        samples,
        sampled_mean: ticks_to_ns(sampled_after - sampled_before) / samples.max(1) as f64,
        dispatches: after.dispatches - before.dispatches,
        calls: after.calls - before.calls,
        outer_calls: after.outer_calls - before.outer_calls,
        branches: after.branches - before.branches,
    })
}

/// The fastest of the rounds: interference from other processes only ever adds time.
fn fastest(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

/// The lower quartile of five (the second lowest).
fn lower_quartile(mut v: [f64; 5]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[1]
}

/// The hook costs of this machine and build, measured once per process: other threads that
/// need them meanwhile wait. A calibration cut short by a request to stop the process
/// (`zx profile` on Ctrl-C, see [`super::interrupt`]) is not kept: the run it was for gets
/// no estimate (zero costs) and stops at once, and a later run calibrates again.
pub(crate) fn hook_costs() -> HookCosts {
    static COSTS: Mutex<Option<HookCosts>> = Mutex::new(None);
    let mut costs = COSTS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(c) = *costs {
        return c;
    }
    let measured = event_costs().and_then(|mut c| {
        c.sample_bias_ns = sample_bias_ns()?;
        Some(c)
    });
    *costs = measured;
    measured.unwrap_or_default()
}

/// The bias of a timed execution, in ns: the fastest mean timed execution of a short loop
/// (65,000 instructions) at DETAILED timing every execution, over nine runs (one sample that
/// spans a preemption moves a run's mean by tens of ns), less the cost of an instruction of
/// the same loop at NONE, the fastest of fifteen runs (each about 70 µs: a short run is
/// rarely preempted).
fn sample_bias_ns() -> Option<f64> {
    let short = calibration_loop(5_000);
    let mut sampled_mean = f64::INFINITY;
    for _ in 0..9 {
        sampled_mean = sampled_mean.min(run(&short, Level::Detailed, 1)?.sampled_mean);
    }
    let mut none = f64::INFINITY;
    for _ in 0..15 {
        none = none.min(run(&short, Level::None, 1)?.ns);
    }
    // Instructions are counted only by a profiled run.
    let n = run(&short, Level::Basic, 1)?.instructions.max(1) as f64;
    Some(if sampled_mean.is_finite() {
        (sampled_mean - none / n).max(0.0)
    } else {
        0.0
    })
}

/// The costs per sample, dispatch, call, outermost activation and branch record (see the
/// module documentation), in ns.
fn event_costs() -> Option<HookCosts> {
    /// A mean sampling period far beyond the programs: only the first execution is timed.
    const UNSAMPLED: u32 = 1 << 30;
    /// The rate the cost of a sample is measured at.
    const SAMPLED: u32 = 256;
    let [l0, l1, l2, l3, l4] = loops(40_000);
    let [leaf, recursive] = call_loops(30_000);
    let programs = [&l0, &l1, &l2, &l3, &l4, &leaf, &recursive];
    // (level, sample rate, warm) per cell; the last two only for the first loop, for the
    // cost of a sample.
    let cells = [
        (Level::None, UNSAMPLED, false),
        (Level::Basic, UNSAMPLED, false),
        (Level::Detailed, UNSAMPLED, false),
        (Level::Full, UNSAMPLED, false),
        (Level::Detailed, SAMPLED, true),
        (Level::Detailed, UNSAMPLED, true),
    ];
    let mut times = vec![vec![Vec::new(); cells.len()]; programs.len()];
    let mut runs = [[Run::default(); 6]; 7];
    // Interleaved rounds, so that a burst of load on the machine hits every cell alike.
    for _ in 0..5 {
        for (p, bc) in programs.iter().enumerate() {
            for (k, &(level, rate, warm)) in cells.iter().enumerate() {
                if warm && p != 0 {
                    continue;
                }
                // No warm-up: its thousand executions timed back to back cost about half
                // what a sample at a sampling rate does, and would be mispriced in every
                // cell (tenths of a ns per dispatch in these short runs).
                let r = run_with(bc, level, rate, 0, warm)?;
                times[p][k].push(r.ns);
                runs[p][k] = r;
            }
        }
    }
    let t = |p: usize, k: usize| fastest(&times[p][k]);
    let per = |x: f64, n: u64| (x / n.max(1) as f64).max(0.0);
    let sample_ns = per(
        t(0, 4) - t(0, 5),
        runs[0][4].samples.saturating_sub(runs[0][5].samples),
    );
    // What a run of program `p` in cell `k` took beyond NONE, less its samples (an unsampled
    // run times its first execution).
    let extra = |p: usize, k: usize| t(p, k) - t(p, 0) - runs[p][k].samples as f64 * sample_ns;
    let loops = [0, 1, 2, 3, 4];
    let dispatch_basic = lower_quartile(loops.map(|p| per(extra(p, 1), runs[p][1].dispatches)));
    let dispatch_detailed = lower_quartile(loops.map(|p| per(extra(p, 2), runs[p][2].dispatches)));
    let branch_ns = lower_quartile(loops.map(|p| per(t(p, 3) - t(p, 2), runs[p][3].branches)));
    // What is left per call of a call loop's difference from NONE after its dispatches and,
    // at FULL, its branches are costed, for the leaf (5) and the recursive loop (6).
    let left = |p: usize, k: usize, dispatch_ns: f64| {
        let r = &runs[p][k];
        let mut x = extra(p, k) - r.dispatches as f64 * dispatch_ns;
        if k == 3 {
            x -= r.branches as f64 * branch_ns;
        }
        x
    };
    // BASIC and DETAILED run the same hooks for every call: the mean of the two loops' costs.
    let call = |k: usize, dispatch_ns: f64| {
        0.5 * (per(left(5, k, dispatch_ns), runs[5][k].calls)
            + per(left(6, k, dispatch_ns), runs[6][k].calls))
    };
    // FULL reads the clock at outermost activations only: solve the two loops' differences for
    // a cost per call and one per outermost activation.
    let (c3, o3) = (runs[5][3].calls as f64, runs[5][3].outer_calls as f64);
    let (c4, o4) = (runs[6][3].calls as f64, runs[6][3].outer_calls as f64);
    let (y3, y4) = (left(5, 3, dispatch_detailed), left(6, 3, dispatch_detailed));
    let det = c3 * o4 - c4 * o3;
    let (call_full, outer_call_ns) = if det.abs() > 0.0 {
        (
            ((y3 * o4 - y4 * o3) / det).max(0.0),
            ((c3 * y4 - c4 * y3) / det).max(0.0),
        )
    } else {
        (per(y3 + y4, (c3 + c4) as u64), 0.0)
    };
    Some(HookCosts {
        dispatch_ns: [dispatch_basic, dispatch_detailed, dispatch_detailed],
        call_ns: [
            call(1, dispatch_basic),
            call(2, dispatch_detailed),
            call_full,
        ],
        outer_call_ns,
        sample_ns,
        branch_ns,
        sample_bias_ns: 0.0,
    })
}
