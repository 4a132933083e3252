//! Limits on a run (instructions, timeout, heap, call depth) in both tiers: each ends the run
//! with an error naming it, which no `try` catches, keeps the profile of what ran, and leaves
//! the VM ready for the next run.

use std::time::{Duration, Instant};

use zexus::{compile, Level, LimitKind, Value, VM};

fn vm(jit: bool) -> zexus::VmBuilder {
    VM::builder()
        .jit(jit)
        .hot_threshold(1)
        .capture_output(true)
        .skip_calibration(true)
}

const SPIN: &str = "let i = 0\nwhile (true) { i = i + 1 }\n";

#[test]
fn the_instruction_budget_is_exact_in_the_interpreter() {
    let bc = compile(
        "let s = 0\nfor each i in range(100) { s = s + i }\nprint(s)",
        "t",
    )
    .unwrap();
    // The program's full count, then every budget below it stops exactly there.
    let mut full = vm(false).profiling(Level::Basic).build();
    full.execute(&bc).unwrap();
    let total = full.profiling_summary().unwrap().total_instructions;
    assert!(total > 500, "{total}");
    let mut at_total = vm(false).max_instructions(total).build();
    at_total.execute(&bc).unwrap();
    assert_eq!(at_total.take_output(), "4950\n");
    for budget in [1, 2, 17, total / 2, total - 1] {
        let mut v = vm(false)
            .profiling(Level::Basic)
            .max_instructions(budget)
            .build();
        let e = v.execute(&bc).unwrap_err();
        assert!(e.message.contains("instruction limit"), "{}", e.message);
        assert!(e.message.contains("--max-instructions"), "{}", e.message);
        assert_eq!(v.limit_reached(), Some(LimitKind::Instructions));
        // The print is the fourth instruction from the end.
        let printed = if budget >= total - 2 { "4950\n" } else { "" };
        assert_eq!(v.take_output(), printed, "budget {budget} of {total}");
        // The profile of what ran is kept, and counts exactly the instructions that ran.
        let counted = v.profiling_summary().unwrap().total_instructions;
        assert!(
            counted == budget,
            "budget {budget}: profile counted {counted}"
        );
        assert!(v.profiler().run_error.is_some());
    }
}

#[test]
fn every_budget_stops_at_its_instruction_with_exact_counts() {
    // Calls, returns, branches, a loop and a caught error: a budget may stop the run at any
    // instruction, including a function's first.
    let src =
        "action sq(x) { return x * x }\naction pick(a, b) { if (a > b) { return a }\n return b }\n\
               let t = 0\nlet i = 0\nwhile (i < 6) { t = t + pick(sq(i), 7)\n i = i + 1 }\n\
               try { let z = 1 / 0 } catch (e) { t = t + 1 }\nprint(t)";
    let bc = compile(src, "t").unwrap();
    let mut full = vm(false).profiling(Level::Basic).build();
    full.execute(&bc).unwrap();
    let total = full.profiling_summary().unwrap().total_instructions;
    for budget in 1..total {
        let mut v = vm(false)
            .profiling(Level::Basic)
            .max_instructions(budget)
            .build();
        assert!(v.execute(&bc).is_err(), "budget {budget} of {total}");
        assert_eq!(
            v.profiling_summary().unwrap().total_instructions,
            budget,
            "budget {budget} of {total}"
        );
    }
}

#[test]
fn a_compiled_loop_runs_into_the_budget() {
    let bc = compile(SPIN, "t").unwrap();
    let budget = 5_000_000;
    let mut v = vm(true).max_instructions(budget).build();
    let e = v.execute(&bc).unwrap_err();
    assert!(e.message.contains("instruction limit"), "{}", e.message);
    let s = v.jit_stats();
    assert!(s.loops_compiled >= 1 && s.entries >= 1, "{s:?}");
    // Stopped within one iteration's worth of the budget: `i` counts iterations (a few
    // instructions each).
    let mut probe = vm(true).max_instructions(budget).build();
    let e2 = probe
        .execute(&compile("let i = 0\nwhile (i < 10000000) { i = i + 1 }\ni", "t").unwrap())
        .unwrap_err();
    assert!(e2.message.contains("instruction limit"));
}

#[test]
fn a_natively_compiled_recursive_function_runs_into_the_budget() {
    let src = "action fib(n) { if (n < 2) { return n }\n return fib(n - 1) + fib(n - 2) }\n\
               let warm = 0\nfor each k in range(200) { warm = warm + fib(10) }\nprint(warm)\nprint(fib(40))";
    let bc = compile(src, "t").unwrap();
    let mut v = vm(true).max_instructions(20_000_000).build();
    let t0 = Instant::now();
    let e = v.execute(&bc).unwrap_err();
    assert!(e.message.contains("instruction limit"), "{}", e.message);
    assert!(v.jit_stats().functions_compiled >= 1, "{:?}", v.jit_stats());
    assert_eq!(v.take_output(), format!("{}\n", 55 * 200));
    assert!(t0.elapsed() < Duration::from_secs(60));
    // The trace is in fib, folded.
    let shown = e.to_string();
    assert!(shown.contains("in fib"), "{shown}");
}

#[test]
fn while_true_times_out_in_both_tiers() {
    let bc = compile(SPIN, "t").unwrap();
    for jit in [false, true] {
        let mut v = vm(jit).timeout(Duration::from_millis(200)).build();
        let t0 = Instant::now();
        let e = v.execute(&bc).unwrap_err();
        let took = t0.elapsed();
        assert!(e.message.contains("timeout"), "{}", e.message);
        assert!(e.message.contains("--timeout"), "{}", e.message);
        assert_eq!(v.limit_reached(), Some(LimitKind::Timeout));
        assert!(
            took >= Duration::from_millis(200) && took < Duration::from_secs(10),
            "jit {jit}: {took:?}"
        );
        if jit {
            assert!(v.jit_stats().loops_compiled >= 1);
        }
    }
}

#[test]
fn a_native_recursion_times_out() {
    let src = "action fib(n) { if (n < 2) { return n }\n return fib(n - 1) + fib(n - 2) }\nfib(60)";
    let mut v = vm(true).timeout(Duration::from_millis(300)).build();
    let t0 = Instant::now();
    let e = v.eval(src).unwrap_err();
    assert!(e.to_string().contains("timeout"), "{e}");
    assert!(t0.elapsed() < Duration::from_secs(10));
    assert!(v.jit_stats().functions_compiled >= 1);
}

#[test]
fn the_heap_limit_stops_growing_strings_lists_and_maps() {
    let programs = [
        "let s = \"x\"\nwhile (true) { s = s + s }",
        "let l = []\nwhile (true) { l.push(1) }",
        "let l = []\nlet i = 0\nwhile (true) { l.push(i)\n i = i + 1 }",
        "let m = {}\nlet i = 0\nwhile (true) { m[i] = i\n i = i + 1 }",
        "let l = []\nwhile (true) { l.push(\"abc\" + \"def\") }",
    ];
    for src in programs {
        for jit in [false, true] {
            let mut v = vm(jit).max_heap(8 << 20).build();
            let e = v.eval(src).unwrap_err();
            let msg = e.to_string();
            assert!(
                msg.contains("heap limit") && msg.contains("--max-heap"),
                "jit {jit}: {src}: {msg}"
            );
            assert_eq!(v.limit_reached(), Some(LimitKind::Heap));
        }
    }
    // Garbage does not count: a loop that makes and drops strings runs to its end.
    let mut v = vm(false).max_heap(1 << 20).build();
    let r = v
        .eval("let n = 0\nfor each i in range(20000) { let s = \"abc\" * 100\n n = n + len(s) }\nn")
        .unwrap();
    assert_eq!(r, Value::int(6_000_000));
}

#[test]
fn the_call_depth_limit_is_set_by_the_builder_in_both_tiers() {
    let src = "action down(n) { if (n == 0) { return 0 }\n return down(n - 1) + 1 }\n\
               let w = 0\nfor each k in range(100) { w = w + down(5) }\ndown(1000)";
    for jit in [false, true] {
        let mut v = vm(jit).max_call_depth(100).build();
        let e = v.eval(src).unwrap_err();
        assert!(
            e.to_string().contains("maximum call depth exceeded"),
            "jit {jit}: {e}"
        );
        let mut ok = vm(jit).max_call_depth(2000).build();
        assert_eq!(ok.eval(src).unwrap(), Value::int(1000));
    }
}

#[test]
fn no_handler_catches_a_limit() {
    let src = "let caught = 0\ntry { while (true) { } } catch (e) { caught = 1 }\nprint(\"after\", caught)";
    for jit in [false, true] {
        let mut v = vm(jit).max_instructions(100_000).build();
        let e = v.eval(src).unwrap_err();
        assert!(e.to_string().contains("instruction limit"));
        assert_eq!(v.take_output(), "", "jit {jit}: the catch must not run");
        let mut t = vm(jit).timeout(Duration::from_millis(50)).build();
        assert!(t.eval(src).unwrap_err().to_string().contains("timeout"));
        assert_eq!(t.take_output(), "");
    }
}

#[test]
fn limits_apply_per_run_and_the_vm_runs_again() {
    let mut v = vm(true)
        .max_instructions(10_000)
        .profiling(Level::Basic)
        .build();
    assert!(v.eval(SPIN).is_err());
    assert_eq!(v.limit_reached(), Some(LimitKind::Instructions));
    assert_eq!(v.eval("let a = 6\na * 7").unwrap(), Value::int(42));
    assert_eq!(v.limit_reached(), None);
    assert!(v.eval(SPIN).is_err());
}

#[test]
fn results_with_limits_that_are_not_reached_are_unchanged() {
    let src = "action fib(n) { if (n < 2) { return n }\n return fib(n - 1) + fib(n - 2) }\n\
               let s = []\nfor each i in range(300) { s.push(fib(i % 15)) }\nlet m = {}\n\
               for each i in range(100) { m[\"k\" + str(i)] = i * i }\nprint(len(s), fib(20), m[\"k9\"])";
    for jit in [false, true] {
        let mut plain = vm(jit).profiling(Level::Basic).build();
        plain.eval(src).unwrap();
        let mut limited = vm(jit)
            .profiling(Level::Basic)
            .max_instructions(1 << 40)
            .timeout(Duration::from_secs(3600))
            .max_heap(1 << 30)
            .build();
        limited.eval(src).unwrap();
        assert_eq!(plain.take_output(), limited.take_output());
        assert_eq!(
            plain.profiling_summary().unwrap().total_instructions,
            limited.profiling_summary().unwrap().total_instructions,
            "jit {jit}"
        );
    }
}
