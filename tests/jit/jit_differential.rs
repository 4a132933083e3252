//! Differential tests of the JIT tier: every script of `tests/scripts` (the small benches
//! included) runs with the JIT off, on with `hot_threshold(1)` (every loop compiled at its
//! first back edge) and on with the default threshold, at profiling levels NONE, BASIC,
//! DETAILED and FULL. Output, errors and every profile count (per-ip counts, branch outcomes and predictor
//! misses, loop iterations) must be identical.

use crate::common;

use zexus::profile::InstructionProfiler;
use zexus::{Level, VM};

/// Everything in a profile that must not depend on the tier.
fn counts_of(p: &InstructionProfiler) -> Vec<String> {
    zexus::reference::diff::profile_counts(p).0
}

fn run(
    path: &std::path::Path,
    level: Level,
    jit: bool,
    threshold: u32,
) -> (common::Outcome, Vec<String>, Option<VM>) {
    let b = VM::builder()
        .profiling(level)
        .jit(jit)
        .hot_threshold(threshold)
        .skip_calibration(true);
    let (o, vm) = common::run_script_vm(path, b);
    let counts = vm
        .as_ref()
        .map(|vm| counts_of(vm.profiler()))
        .unwrap_or_default();
    (o, counts, vm)
}

#[test]
fn every_script_is_identical_with_and_without_the_jit() {
    let mut failures = Vec::new();
    let mut compiled = 0;
    let mut functions = 0;
    for path in common::scripts() {
        let name = path
            .strip_prefix(common::scripts_dir())
            .unwrap_or(&path)
            .display()
            .to_string();
        for level in [Level::None, Level::Basic, Level::Detailed, Level::Full] {
            let (base, base_counts, _) = run(&path, level, false, 1000);
            for threshold in [1, 1000] {
                let (o, counts, vm) = run(&path, level, true, threshold);
                if let Some(vm) = &vm {
                    compiled += vm.jit_stats().loops_compiled;
                    functions += vm.jit_stats().functions_compiled;
                    // Only real back edges reach the tier.
                    for r in &vm.jit_stats().events.refusals {
                        if r.reason.contains("not a loop") {
                            failures.push(format!("{name}: refused {r:?}"));
                        }
                    }
                }
                if o != base {
                    failures.push(format!("{name} at {level:?}, threshold {threshold}: outcome differs\n  off: {base:?}\n  on:  {o:?}"));
                } else if counts != base_counts {
                    let diff: Vec<_> = counts
                        .iter()
                        .zip(&base_counts)
                        .filter(|(a, b)| a != b)
                        .map(|(a, b)| format!("  on:  {a}\n  off: {b}"))
                        .collect();
                    failures.push(format!(
                        "{name} at {level:?}, threshold {threshold}: profile differs\n{}",
                        diff.join("\n")
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(
        compiled > 50,
        "only {compiled} loops compiled over all scripts"
    );
    assert!(
        functions > 20,
        "only {functions} functions compiled over all scripts"
    );
}
