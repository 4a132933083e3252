//! Robustness campaigns: inputs no one would write, run with limits so that nothing can hang.
//!
//! - [`mutation`]: random valid programs (`reference::gen`) with a few random edits (deleted,
//!   duplicated or swapped spans, stray tokens), compiled, and when they compile, run in the
//!   interpreter and the JIT;
//! - [`bytecode`]: random code objects, valid or not, through the verifier, and when it
//!   accepts them, run at several profiling levels and in the JIT (backward jumps included:
//!   the run's limits end any loop).
//!
//! A case passes when nothing panics and every run ends (with a value or an error) within its
//! limits. Both are deterministic in their seed: case `i` of a campaign with seed `S` is case
//! `S + i`. The tests run a fixed-seed batch of each (`tests/reliability/campaigns.rs`); the
//! examples `mutation_campaign` and `bytecode_campaign` run long campaigns (`--programs N
//! --seed S`).

pub mod bytecode;
pub mod mutation;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use crate::{Bytecode, Level, VM};

/// A small deterministic generator (xorshift64).
#[derive(Debug, Clone)]
pub struct Rng(pub u64);

impl Rng {
    /// A generator for `seed` (any value, 0 included).
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1)
    }
    /// The next number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    /// A number below `n` (0 for `n` of 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
}

/// Longest a single run may take before the case counts as a hang (its timeout is shorter).
pub const HANG: Duration = Duration::from_secs(20);

/// The VM configurations a case runs in: interpreter at BASIC and FULL, JIT at NONE and BASIC
/// (threshold 1, so that loops and functions compile at once).
fn configs() -> [(bool, Level); 4] {
    [
        (false, Level::Basic),
        (false, Level::Full),
        (true, Level::None),
        (true, Level::Basic),
    ]
}

/// Runs `bc` in every configuration, with limits; `Err` describes a panic or a hang.
pub fn run_everywhere(bc: &Bytecode) -> Result<(), String> {
    for (jit, level) in configs() {
        let t0 = Instant::now();
        let r = catch_unwind(AssertUnwindSafe(|| {
            let mut vm = VM::builder()
                .jit(jit)
                .hot_threshold(1)
                .profiling(level)
                .skip_calibration(true)
                .capture_output(true)
                .max_call_depth(300)
                .max_instructions(300_000)
                .timeout(Duration::from_secs(5))
                .max_heap(256 << 20)
                .build();
            let _ = vm.execute(bc);
            // Whatever ran must report.
            let _ = vm.profiling_report(crate::Format::Text, 5);
            let _ = vm.profiling_report(crate::Format::Json, 5);
        }));
        let took = t0.elapsed();
        if r.is_err() {
            return Err(format!("panic (jit {jit}, level {level:?})"));
        }
        if took > HANG {
            return Err(format!(
                "hang: {took:?} (jit {jit}, level {level:?}) despite the limits"
            ));
        }
    }
    Ok(())
}

/// Runs a long campaign: `check` on seeds `seed..seed + programs`, reporting each failure and,
/// every 10,000 cases, the progress on standard error. Returns `(passed, failed, marked)`,
/// where `marked` counts the passing cases for which `check` returned `true`.
pub fn campaign(
    seed: u64,
    programs: u64,
    check: impl Fn(u64) -> Result<bool, String>,
) -> (u64, u64, u64) {
    let start = std::time::Instant::now();
    let (mut passed, mut failed, mut marked) = (0u64, 0u64, 0u64);
    for i in 0..programs {
        let s = seed.wrapping_add(i);
        match check(s) {
            Ok(m) => {
                passed += 1;
                marked += u64::from(m);
            }
            Err(why) => {
                failed += 1;
                eprintln!("case {s} fails: {why}");
            }
        }
        if (i + 1) % 10_000 == 0 {
            eprintln!(
                "{} cases, {failed} failed, {:.0} s",
                i + 1,
                start.elapsed().as_secs_f64()
            );
        }
    }
    (passed, failed, marked)
}
