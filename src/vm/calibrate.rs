//! Calibration of the profiler's hook costs, for the overhead figure in the summary.
//!
//! Method: a fixed calibration loop (about 2.6 million instructions) runs at NONE, BASIC,
//! DETAILED and FULL, three times each, keeping each level's fastest time. The cost per counted
//! instruction is `(BASIC - NONE) / instructions`; the cost per timing sample is
//! `(DETAILED - BASIC) / samples`; FULL's extra cost per instruction is
//! `(FULL - DETAILED) / instructions`. The profiler multiplies these by a run's instruction and
//! sample counts to estimate how much of the run's time the hooks took. It runs once per
//! process, the first time a profiled program runs; `zx bench` prints the estimate next to the
//! measured slowdown so the two can be compared.

use std::sync::OnceLock;
use std::time::Instant;

use crate::bytecode::{Bytecode, BytecodeBuilder};
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

fn fastest(bc: &Bytecode, level: Level, sample_rate: u32) -> (f64, u64, u64) {
    let mut best = f64::INFINITY;
    let mut instrs = 0;
    let mut samples = 0;
    for _ in 0..3 {
        let mut vm = VM::builder()
            .profiling(level)
            .sample_rate(sample_rate)
            .skip_calibration(true)
            .build();
        let t = Instant::now();
        vm.execute(bc).expect("the calibration loop runs");
        best = best.min(t.elapsed().as_secs_f64() * 1e9);
        instrs = vm.profiler().total_instructions();
        samples = vm.profiler().total_samples();
    }
    (best, instrs, samples)
}

/// The hook costs of this machine and build, measured once per process and sample rate 64.
pub(crate) fn hook_costs() -> HookCosts {
    static COSTS: OnceLock<HookCosts> = OnceLock::new();
    *COSTS.get_or_init(|| {
        let bc = calibration_loop(200_000);
        let (none, _, _) = fastest(&bc, Level::None, 64);
        let (basic, n, _) = fastest(&bc, Level::Basic, 64);
        let (detailed, _, samples) = fastest(&bc, Level::Detailed, 64);
        let (full, _, _) = fastest(&bc, Level::Full, 64);
        let n = n.max(1) as f64;
        HookCosts {
            count_ns: ((basic - none) / n).max(0.0),
            sample_ns: ((detailed - basic) / samples.max(1) as f64).max(0.0),
            full_ns: ((full - detailed) / n).max(0.0),
        }
    })
}
