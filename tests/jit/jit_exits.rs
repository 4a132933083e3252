//! One test per way of leaving JIT code: each program runs with the JIT off and with every loop
//! compiled at its first back edge (`hot_threshold(1)`), and must print the same, fail with the
//! same error and count the same at FULL; the JIT must report the expected exit or refusal.

use crate::common;

use zexus::jit::JitStats;
use zexus::{Level, VM};

/// Runs `src` with the JIT off and on (threshold 1) at `level`; checks output, error and
/// counts agree, and returns the JIT's stats.
fn both(src: &str, level: Level) -> (common::Outcome, JitStats) {
    let run = |jit: bool| {
        let b = VM::builder()
            .profiling(level)
            .jit(jit)
            .hot_threshold(1)
            .skip_calibration(true);
        let (o, vm) = common::run_source(src, "<test>", b);
        let vm = vm.expect("compiles");
        let counts: Vec<_> = vm
            .profiler()
            .codes
            .iter()
            .map(|c| (c.counts.clone(), c.branches.clone()))
            .collect();
        (o, counts, vm.jit_stats())
    };
    let (off, off_counts, _) = run(false);
    let (on, on_counts, stats) = run(true);
    assert_eq!(on, off, "outcome differs with the JIT");
    assert_eq!(on_counts, off_counts, "profile counts differ with the JIT");
    (on, stats)
}

fn exit_reasons(s: &JitStats) -> Vec<String> {
    s.events.exits.iter().map(|e| e.reason.clone()).collect()
}

fn assert_exit(s: &JitStats, reason: &str) {
    assert!(s.loops_compiled > 0, "no loop compiled: {s:?}");
    assert!(
        exit_reasons(s).iter().any(|r| r == reason),
        "no '{reason}' exit in {:?}",
        exit_reasons(s)
    );
}

#[test]
fn overflow_exits_and_the_interpreter_raises_it() {
    let src = "let x = 9223372036854775000;\nlet i = 0;\nwhile (i < 10000) {\n  x = x + 1;\n  i = i + 1;\n}\nprint(x);\n";
    for level in [Level::None, Level::Full] {
        let (o, s) = both(src, level);
        assert!(
            o.error
                .as_deref()
                .unwrap_or("")
                .contains("integer overflow"),
            "{o:?}"
        );
        assert_exit(&s, "overflow");
    }
}

#[test]
fn division_and_modulo_by_zero_exit() {
    let src = "let i = 0;\nlet s = 0;\nwhile (i < 100) {\n  s = s + 0 / (50 - i);\n  i = i + 1;\n}\nprint(s);\n";
    let (o, s) = both(src, Level::Basic);
    assert!(
        o.error
            .as_deref()
            .unwrap_or("")
            .contains("division by zero"),
        "{o:?}"
    );
    assert_exit(&s, "division by zero");
    let src = "let i = 0;\nlet s = 0;\nwhile (i < 100) {\n  s = s + 7 % (50 - i);\n  i = i + 1;\n}\nprint(s);\n";
    let (o, s) = both(src, Level::Full);
    assert!(
        o.error.as_deref().unwrap_or("").contains("modulo by zero"),
        "{o:?}"
    );
    assert_exit(&s, "modulo by zero");
}

#[test]
fn a_type_change_exits_then_the_guard_fails_and_the_loop_is_recompiled() {
    let src = "let x = 0;\nlet i = 0;\nwhile (i < 2000) {\n  if (i == 50) {\n    x = 1.5;\n  }\n  x = x + 1;\n  i = i + 1;\n}\nprint(x);\n";
    let (o, s) = both(src, Level::Full);
    assert_eq!(o.lines(), vec!["1951.5"]);
    assert_exit(&s, "type change");
    assert_exit(&s, "type guard");
    assert!(s.recompiled >= 1, "{s:?}");
}

#[test]
fn inexact_int_division_exits() {
    let src = "let i = 1;\nlet s = 0;\nwhile (i < 64) {\n  s = s + 64 / i;\n  i = i * 2;\n}\ns = s + 7 / 2;\nprint(s);\nlet j = 0;\nlet t = 0;\nwhile (j < 10) {\n  t = t + 7 / 2;\n  j = j + 1;\n}\nprint(t);\n";
    let (o, s) = both(src, Level::Basic);
    assert_eq!(o.lines(), vec!["129.5", "35.0"]);
    assert_exit(&s, "inexact int division");
}

#[test]
fn an_unsupported_opcode_exits_and_a_loop_that_keeps_exiting_is_blacklisted() {
    // A print on most iterations: compiled, it exits at each, and is blacklisted.
    let src = "let i = 0;\nwhile (i < 300) {\n  if (i % 10 != 0) { print(i); }\n  i = i + 1;\n}\n";
    let (o, s) = both(src, Level::Basic);
    assert_eq!(o.lines().len(), 270);
    assert_exit(&s, "unsupported PRINT");
    assert!(s.blacklisted >= 1, "{s:?}");
    assert!(
        s.events
            .refusals
            .iter()
            .any(|r| r.reason.contains("blacklisted")),
        "{:?}",
        s.events.refusals
    );
}

#[test]
fn a_loop_that_would_exit_on_every_iteration_is_not_compiled() {
    // A print on every path through the body: each iteration would leave native code, so
    // the loop is refused before any code is generated, with the instruction named.
    let src = "let i = 0;\nwhile (i < 300) {\n  print(i);\n  i = i + 1;\n}\n";
    let (o, s) = both(src, Level::Basic);
    assert_eq!(o.lines().len(), 300);
    assert_eq!((s.loops_compiled, s.exits), (0, 0), "{s:?}");
    assert!(
        s.events.refusals.iter().any(|r| r
            .reason
            .starts_with("every iteration would leave native code (PRINT at ip")),
        "{:?}",
        s.events.refusals
    );
}

#[test]
fn index_out_of_range_exits_and_the_interpreter_raises_it() {
    let src = "let xs = [1, 2, 3];\nlet i = 0;\nlet s = 0;\nwhile (i < 5) {\n  s = s + xs[i];\n  i = i + 1;\n}\nprint(s);\n";
    let (o, s) = both(src, Level::Full);
    assert!(
        o.error.as_deref().unwrap_or("").contains("out of range"),
        "{o:?}"
    );
    assert_exit(&s, "INDEX failed");
    let src = "let xs = [1, 2, 3];\nlet i = 0;\nwhile (i < 5) {\n  xs[i] = i;\n  i = i + 1;\n}\nprint(xs);\n";
    let (o, s) = both(src, Level::None);
    assert!(
        o.error.as_deref().unwrap_or("").contains("out of range"),
        "{o:?}"
    );
    assert_exit(&s, "STORE_INDEX failed");
}

#[test]
fn an_undefined_variable_exits() {
    let src = "let i = 0;\nwhile (i < 5) {\n  if (i == 3) {\n    print(nope);\n  }\n  i = i + 1;\n}\nlet nope = 1;\n";
    let (o, _) = both(src, Level::Basic);
    assert!(o.error.is_some() || o.compile_error.is_some(), "{o:?}");
}

#[test]
fn a_for_each_loop_is_refused_with_a_reason() {
    let src = "let s = 0;\nfor each x in [1, 2, 3] {\n  s = s + x;\n}\nprint(s);\n";
    let (o, s) = both(src, Level::Basic);
    assert_eq!(o.lines(), vec!["6"]);
    assert!(
        s.events
            .refusals
            .iter()
            .any(|r| r.reason.contains("FOR_ITER")),
        "{s:?}"
    );
}

#[test]
fn helpers_handle_strings_maps_and_calls() {
    let src = "let s = \"\";\nlet m = {};\nlet xs = [];\nlet i = 0;\nwhile (i < 50) {\n  s = s + str(i % 3);\n  m[i % 4] = m.get(i % 4, 0) + 1;\n  append(xs, i * 1.5);\n  i = i + 1;\n}\nprint(len(s), m, len(xs), xs[49]);\n";
    let (o, s) = both(src, Level::Full);
    assert_eq!(o.lines(), vec!["50 {0: 13, 1: 13, 2: 12, 3: 12} 50 73.5"]);
    assert_eq!(s.side_exits, 0, "{s:?}");
}

#[test]
fn jit_memory_is_released_with_the_vm_and_stats_work_without_profiling() {
    for _ in 0..20 {
        let (o, vm) = common::run_source(
            "let i = 0;\nwhile (i < 10) { i = i + 1; }\nprint(i);\n",
            "<t>",
            VM::builder().jit(true).hot_threshold(1),
        );
        assert_eq!(o.lines(), vec!["10"]);
        let s = vm.expect("ran").jit_stats();
        assert_eq!((s.loops_compiled, s.entries), (1, 1));
        assert!(s.code_bytes > 0 && s.median_compile_time_us > 0.0);
        assert_eq!(s.events.compiled[0].entries, 1);
    }
}

#[test]
fn perf_map_lines_and_jit_time_at_detailed() {
    let (_, vm) = common::run_source(
        "let i = 0;\nlet s = 0.5;\nwhile (i < 5000) { s = s * 1.0001; i = i + 1; }\nprint(s > 1);\n",
        "<perf>",
        VM::builder().jit(true).perf_map(true).profiling(Level::Detailed).skip_calibration(true),
    );
    let vm = vm.expect("ran");
    let map = std::fs::read_to_string(format!("/tmp/perf-{}.map", std::process::id()))
        .expect("perf map written");
    assert!(
        map.lines()
            .any(|l| l.ends_with("zexus-jit:<main>:4-15") || l.contains("zexus-jit:<main>:")),
        "{map}"
    );
    let main = &vm.profiler().codes[0];
    assert!(main.jit_ticks > 0, "JIT time recorded at DETAILED");
    assert!(main.loops.iter().any(|l| l.jit_ticks > 0));
    assert!(vm
        .profiling_report(zexus::Format::Json, 5)
        .contains("\"jit\""));
    // The jitdump beside the map holds the header and a JIT_CODE_LOAD record (id 0).
    if cfg!(target_os = "linux") {
        let dump = std::fs::read(zexus::jit::jitdump::dump_path()).expect("jitdump written");
        assert_eq!(&dump[..4], &0x4A69_5444u32.to_ne_bytes(), "jitdump magic");
        assert!(dump.len() > 40 && dump[40..44] == 0u32.to_ne_bytes());
        let _ = std::fs::remove_file(zexus::jit::jitdump::dump_path());
    }
    let _ = std::fs::remove_file(format!("/tmp/perf-{}.map", std::process::id()));
}

#[test]
fn loops_inside_functions_use_locals_and_globals() {
    let src = "let g = 0;\nlet gs = 0.5;\nlet names = [];\naction f(n) {\n  let i = 0;\n  let acc = 0;\n  while (i < n) {\n    acc = acc + i;\n    g = g + 1;\n    gs = gs * 1.5;\n    if (i == 7) {\n      append(names, \"x\" + str(i));\n    }\n    i = i + 1;\n  }\n  return acc;\n}\nlet k = 0;\nlet t = 0;\nwhile (k < 30) {\n  t = t + f(k);\n  k = k + 1;\n}\nprint(t, g, gs > 1000, len(names));\n";
    for level in [Level::None, Level::Basic, Level::Full] {
        let (o, s) = both(src, level);
        assert_eq!(o.lines(), vec!["4060 435 true 22"]);
        assert!(s.events.compiled.iter().any(|c| c.function == "f"), "{s:?}");
    }
}

#[test]
fn strings_grow_in_place_only_when_nobody_else_holds_them() {
    let src = "let s = \"\";\nlet keep = [];\nlet i = 0;\nwhile (i < 40) {\n  s = s + str(i % 10);\n  if (i % 7 == 0) {\n    append(keep, s);\n  }\n  let t = s;\n  s = s + \"-\";\n  i = i + 1;\n}\nprint(len(s), keep[1], keep[5], len(keep));\n";
    for level in [Level::None, Level::Full] {
        let (o, s) = both(src, level);
        assert_eq!(o.lines(), vec!["80 0-1-2-3-4-5-6-7 0-1-2-3-4-5-6-7-8-9-0-1-2-3-4-5-6-7-8-9-0-1-2-3-4-5-6-7-8-9-0-1-2-3-4-5 6"]);
        assert_eq!(s.side_exits, 0);
    }
}

#[test]
fn a_loop_test_bounds_the_increment_only_while_it_holds() {
    // `i < MAX` makes `i + 1` safe (no check); `i <= MAX` does not, and `i` stored in between
    // loses the fact.
    let src = "let i = 9223372036854775000;\nwhile (i < 9223372036854775807) {\n  i = i + 1;\n}\nprint(i);\nlet j = 9223372036854775000;\nwhile (j <= 9223372036854775807) {\n  j = j + 1;\n}\n";
    let (o, _) = both(src, Level::Basic);
    assert_eq!(o.lines(), vec!["9223372036854775807"]);
    assert!(
        o.error
            .as_deref()
            .unwrap_or("")
            .contains("integer overflow"),
        "{o:?}"
    );
    let src = "let k = 1;\nlet n = 0;\nwhile (k < 9223372036854775000) {\n  k = k * 2;\n  k = k + 1;\n  n = n + 1;\n}\nprint(k, n);\n";
    let (o, _) = both(src, Level::Full);
    assert_eq!(o.lines(), vec!["9223372036854775807 62"]);
}
