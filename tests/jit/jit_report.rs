//! Every count in a report is the same with the JIT on and off: the JSON reports of the bench
//! scripts at FULL (and BASIC), with time-derived fields and the JIT's own section removed, must
//! be equal, and the text report's JIT section must name the compiled loops.

use crate::common;

use serde_json::Value as J;
use zexus::{Format, Level, VM};

/// Keys whose values are times, rates or estimates (or depend on them), which differ by nature,
/// and the interpreter's own work (dispatches, instructions interpreted), which the JIT takes.
fn timed(key: &str) -> bool {
    const PARTS: &[&str] = &[
        "time",
        "_us",
        "_ms",
        "per_sec",
        "overhead",
        "sample",
        "p50",
        "p95",
        "p99",
        "avg",
        "min_",
        "max_",
        "percent",
        "jit",
        "_ns",
        "_sec",
        "_pct",
        "timing",
        "scale",
        "dispatches",
        "interpreted",
    ];
    PARTS.iter().any(|p| key.contains(p))
}

/// Sections ordered by time (their order would differ). The allocation profile is compared:
/// an unfused `s = s + x` appends in place as the fused shape and compiled code do.
const TIME_ORDERED: &[&str] = &["slowest_instructions", "functions", "jit"];

fn strip(v: &mut J) {
    match v {
        J::Object(m) => {
            m.retain(|k, _| !timed(k) && !TIME_ORDERED.contains(&k.as_str()));
            m.values_mut().for_each(strip);
            // Source lines are ordered by time from DETAILED up: compare them in line order.
            if let Some(J::Array(lines)) = m.get_mut("lines") {
                lines.sort_by_key(|l| (l["file"].to_string(), l["line"].as_u64()));
            }
        }
        J::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

fn report(path: &std::path::Path, level: Level, jit: bool) -> (J, String) {
    let b = VM::builder()
        .profiling(level)
        .jit(jit)
        .hot_threshold(1)
        .skip_calibration(true);
    let (_, vm) = common::run_script_vm(path, b);
    let vm = vm.expect("compiles");
    let mut j: J =
        serde_json::from_str(&vm.profiling_report(Format::Json, 1000)).expect("valid JSON");
    strip(&mut j);
    (j, vm.profiling_report(Format::Text, 20))
}

#[test]
fn reports_count_the_same_with_the_jit() {
    let dir = common::scripts_dir().join("bench");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("bench scripts") {
        let path = entry.expect("entry").path();
        for level in [Level::Basic, Level::Full] {
            let (off, _) = report(&path, level, false);
            let (on, text) = report(&path, level, true);
            let s = on.to_string();
            assert!(
                s.contains("total_instructions") && s.contains("\"count\""),
                "counts kept: {s}"
            );
            assert!(
                on == off,
                "{} at {level:?}: report counts differ\noff: {off}\non:  {on}",
                path.display()
            );
            if text.contains("Compiled loops") {
                n += 1;
            }
        }
    }
    assert!(n >= 10, "the JIT section appears in text reports ({n})");
}
