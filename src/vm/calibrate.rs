//! Calibration of the profiler's hook costs, for the overhead figure in the summary.
//!
//! Method: a fixed calibration loop (1.3 million instructions) runs at NONE and BASIC, and a
//! short one (65,000) at BASIC and at DETAILED timing every execution, in interleaved
//! rounds (three); each cell's fastest time is kept (load from other processes only ever adds time).
//! The cost per counted instruction is `(BASIC - NONE) / instructions`; the cost per timing
//! sample is `(DETAILED - BASIC) / samples`. FULL's only hook in the run loop records a
//! conditional branch's outcome; its cost is timed directly on a branch record, because the
//! difference between two whole runs of separately compiled loop copies measures their code
//! layout more than a hook of a nanosecond or two. The profiler multiplies these by a run's
//! instruction, sample and branch counts to estimate how much of the run's time the hooks
//! took.
//!
//! The same DETAILED run gives the bias of a timed execution: its mean sampled time less the
//! instruction's cost at NONE (the timed execution's unfused, less predictable dispatch and
//! the sampling path around it), which reports subtract from sampled means before scaling
//! them to the run (`docs/PROFILER.md`, "The timing model").
//!
//! It runs once per process, the first time a profiled program runs; `zx bench` prints the
//! estimate next to the measured slowdown so the two can be compared.

use std::sync::OnceLock;
use std::time::Instant;

use crate::bytecode::{Bytecode, BytecodeBuilder};
use crate::profile::clock::ticks_to_ns;
use crate::profile::{BranchStats, HookCosts, Level};

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

/// Wall time (ns), instructions, samples and the mean timed execution (ns) of one run.
fn run(bc: &Bytecode, level: Level, sample_rate: u32) -> (f64, u64, u64, f64) {
    let mut vm = VM::builder()
        .profiling(level)
        .sample_rate(sample_rate)
        .skip_calibration(true)
        .build();
    let t = Instant::now();
    vm.execute(bc).expect("the calibration loop runs");
    let dt = t.elapsed().as_secs_f64() * 1e9;
    let p = vm.profiler();
    let sampled: f64 = p
        .codes
        .iter()
        .flat_map(|c| &c.timing)
        .map(|t| t.weighted_ticks)
        .sum();
    let samples = p.total_samples();
    (
        dt,
        p.total_instructions(),
        samples,
        ticks_to_ns(sampled) / samples.max(1) as f64,
    )
}

/// The fastest of the rounds: interference from other processes only ever adds time.
fn fastest(v: &[f64]) -> f64 {
    v.iter().copied().fold(f64::INFINITY, f64::min)
}

/// The hook costs of this machine and build, measured once per process.
pub(crate) fn hook_costs() -> HookCosts {
    static COSTS: OnceLock<HookCosts> = OnceLock::new();
    *COSTS.get_or_init(|| {
        let long = calibration_loop(100_000);
        let short = calibration_loop(5_000);
        // (program, level, sample rate): DETAILED times every execution of a short loop so that
        // the cost of a sample stands out of the noise (with BASIC on the same loop as its
        // baseline).
        let cells = [
            (&long, Level::None, 1),
            (&long, Level::Basic, 1),
            (&short, Level::Basic, 1),
            (&short, Level::Detailed, 1),
        ];
        let mut times = vec![Vec::new(); cells.len()];
        let mut instrs = [0u64; 4];
        let mut samples = [0u64; 4];
        let mut sampled_mean = f64::INFINITY;
        // Interleaved rounds, so that a burst of load on the machine hits every cell alike.
        for _ in 0..3 {
            for (i, &(bc, level, rate)) in cells.iter().enumerate() {
                let (t, n, s, m) = run(bc, level, rate);
                if level == Level::Detailed {
                    sampled_mean = sampled_mean.min(m);
                }
                times[i].push(t);
                instrs[i] = n;
                samples[i] = s;
            }
        }
        let [none, basic, basic_short, detailed_short] = [0, 1, 2, 3].map(|i| fastest(&times[i]));
        let n = instrs[1].max(1) as f64;
        // The NONE cost per instruction for the bias, from the fastest of many short runs
        // (about 70 µs each): a short run is rarely preempted, and one preempted run of the
        // long loop would shrink the bias several times over on a loaded machine.
        let none_short = (0..15)
            .map(|_| run(&short, Level::None, 1).0)
            .fold(f64::INFINITY, f64::min);
        // And the timed executions' mean from the fastest of more runs: one sample that
        // spans a preemption moves a run's mean by tens of ns.
        for _ in 0..6 {
            sampled_mean = sampled_mean.min(run(&short, Level::Detailed, 1).3);
        }
        HookCosts {
            count_ns: ((basic - none) / n).max(0.0),
            sample_ns: ((detailed_short - basic_short) / samples[3].max(1) as f64).max(0.0),
            full_ns: branch_record_ns(),
            // What a timed execution reads beyond the instruction's own cost in the untimed
            // loop: every instruction of the short loop is timed, and the same instructions
            // cost `none / n` each at NONE.
            sample_bias_ns: if sampled_mean.is_finite() {
                (sampled_mean - none_short / instrs[2].max(1) as f64).max(0.0)
            } else {
                0.0
            },
        }
    })
}

/// The cost of recording one branch outcome, fastest of three rounds. The outcomes follow a
/// loop's pattern (taken seven times in eight): most branches a program executes are as
/// predictable to the host as that, and a random pattern would time the host's mispredictions
/// rather than the record.
fn branch_record_ns() -> f64 {
    const N: u64 = 1 << 17;
    let mut stats = BranchStats::default();
    let rounds = (0..3).map(|_| {
        let t = Instant::now();
        for i in 0..N {
            std::hint::black_box(&mut stats).record(std::hint::black_box(i) % 8 != 0);
        }
        t.elapsed().as_secs_f64() * 1e9 / N as f64
    });
    rounds.fold(f64::INFINITY, f64::min)
}
