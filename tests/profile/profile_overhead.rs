//! The profiler's estimate of its own overhead (issue 11, item 4): what it is made of, and
//! when there is none. No speed is asserted here (the machines running the tests are shared
//! and their timings noisy): how close the estimate comes to the measured slowdown is shown by
//! `zx bench` and recorded in `docs/PROFILER.md` ("Overhead"). These tests check that the
//! estimate is there, is a slowdown of at least 1, follows the documented formula from the
//! run's own counts, and that a run too short to estimate says so in every report instead of
//! printing a number.

use zexus::profile::summary::MIN_ESTIMABLE_SECS;
use zexus::{compile, Bytecode, Format, Level, VM};

/// A loop that calls a recursive function: dispatches, calls (some outermost), branches. Tens
/// of ms interpreted on the development machine, well over the 5 ms an estimate needs on any
/// machine fast enough to run the suite.
fn long_program() -> Bytecode {
    compile(
        "action f(n) { if (n < 1) { return 0 }\n return f(n - 1) + 1 }\n\
         let i = 0\nlet s = 0\n\
         while (i < 100000) { s = s + f(8) + i % 7\n i = i + 1 }\nprint(s)\n",
        "long",
    )
    .expect("compiles")
}

fn profiled(bc: &Bytecode, level: Level) -> VM {
    let mut vm = VM::builder().profiling(level).capture_output(true).build();
    vm.execute(bc).expect("runs");
    vm
}

/// The estimate, in ms, from the documented formula and the run's counts.
fn formula_ms(vm: &VM, level: Level) -> f64 {
    let p = vm.profiler();
    let c = p.hook_costs;
    let i = match level {
        Level::Basic => 0,
        Level::Detailed => 1,
        Level::Full => 2,
        Level::None => unreachable!(),
    };
    let mut ns =
        p.dispatches as f64 * c.dispatch_ns[i] + p.interpreted_calls() as f64 * c.call_ns[i];
    if level >= Level::Detailed {
        ns += p.total_samples() as f64 * c.sample_ns;
    }
    if level == Level::Full {
        let branches: u64 = p
            .codes
            .iter()
            .flat_map(|c| &c.branches)
            .map(|b| b.taken + b.not_taken)
            .sum();
        ns += branches as f64 * c.branch_ns + p.outer_calls as f64 * c.outer_call_ns;
    }
    ns / 1e6
}

#[test]
fn a_long_run_has_an_estimate_of_at_least_one_from_the_formula() {
    let bc = long_program();
    for level in [Level::Basic, Level::Detailed, Level::Full] {
        let vm = profiled(&bc, level);
        let s = vm
            .profiling_summary()
            .expect("a profiled run has a summary");
        let p = vm.profiler();
        assert!(
            p.cpu_time().map_or(s.total_time_sec, |d| d.as_secs_f64()) >= MIN_ESTIMABLE_SECS,
            "{level:?}: the run is too short for this test ({} s)",
            s.total_time_sec
        );
        assert!(s.overhead_estimable, "{level:?}");
        // The calibrated costs: every one a finite, non-negative number of ns, and a timing
        // sample (two clock reads and a record) never free.
        let c = s.hook_costs_ns;
        let all = [
            c.dispatch_ns,
            c.call_ns,
            [c.sample_ns, c.branch_ns, c.outer_call_ns],
        ];
        assert!(
            all.iter().flatten().all(|x| x.is_finite() && *x >= 0.0),
            "{c:?}"
        );
        assert!(c.sample_ns > 0.0, "{c:?}");
        // The counts the formula uses: calls (1 + 100,000 outermost + 800,000 recursive)
        // and, at FULL, the outermost ones.
        assert_eq!(p.interpreted_calls(), 1 + 100_000 * 9, "{level:?}");
        if level == Level::Full {
            assert_eq!(p.outer_calls, 100_000);
        }
        let expected = formula_ms(&vm, level);
        assert!(
            (s.profiling_overhead_ms - expected).abs() <= 1e-9 * expected.max(1.0),
            "{level:?}: {} ms reported, {expected} ms from the formula",
            s.profiling_overhead_ms
        );
        // A slowdown of at least 1 (the estimate is never negative), and less than the
        // whole run.
        assert!(s.profiling_overhead_ms >= 0.0);
        let pct = s.overhead_percentage;
        assert!(pct.is_finite() && (0.0..100.0).contains(&pct), "{pct}");
        let slowdown = 1.0 / (1.0 - pct / 100.0);
        assert!(slowdown >= 1.0 && slowdown.is_finite(), "{slowdown}");
        // And the text report prints it as a number.
        let text = vm.profiling_report(Format::Text, 5);
        let line = text
            .lines()
            .find(|l| l.starts_with("Profiling Overhead:"))
            .expect("an overhead line");
        assert!(
            line.contains('%') && !line.contains("too short"),
            "{level:?}: {line}"
        );
    }
}

#[test]
fn a_run_too_short_to_estimate_says_so_in_every_format() {
    let bc = compile(
        "let s = 0\nlet i = 0\nwhile (i < 100) { s = s + i\n i = i + 1 }\nprint(s)\n",
        "short",
    )
    .expect("compiles");
    for level in [Level::Basic, Level::Detailed, Level::Full] {
        let vm = profiled(&bc, level);
        let s = vm
            .profiling_summary()
            .expect("a profiled run has a summary");
        assert!(!s.overhead_estimable, "{level:?}: {} s", s.total_time_sec);
        let text = vm.profiling_report(Format::Text, 5);
        let line = text
            .lines()
            .find(|l| l.starts_with("Profiling Overhead:"))
            .expect("an overhead line");
        assert!(
            line.contains("too short to estimate") && !line.contains('%'),
            "{level:?}: {line}"
        );
        let html = vm.profiling_report(Format::Html, 5);
        assert!(html.contains("too short to estimate"), "{level:?}");
        let json: serde_json::Value =
            serde_json::from_str(&vm.profiling_report(Format::Json, 5)).expect("JSON");
        assert_eq!(json["summary"]["overhead_estimable"], false, "{level:?}");
    }
}
