//! The profiler on real VM runs: exact counts, real hot loops and branch outcomes, function
//! attribution, the VM's profiling API, and golden reports (timings masked).

use std::time::Duration;

use zexus::{Bytecode, BytecodeBuilder, Format, Level, Value, VM};

use crate::language::vm_builder::guide_fibonacci;

fn vm(level: Level) -> VM {
    VM::builder().profiling(level).capture_output(true).build()
}

/// `i = 0; s = 0; while i < n { if i % 3 == 0 { s = s + i }; i = i + 1 }; return s`
fn branchy_loop(n: i64) -> Bytecode {
    let mut b = BytecodeBuilder::new();
    b.emit_load_const(0).emit_store_name("i");
    b.emit_load_const(0).emit_store_name("s");
    b.emit_label("top"); // ip 4
    b.emit_load_name("i")
        .emit_load_const(n)
        .emit_lt()
        .emit_jump_if_false("end"); // 4..7
    b.emit_load_name("i")
        .emit_load_const(3)
        .emit_mod()
        .emit_load_const(0)
        .emit_eq(); // 8..12
    b.emit_jump_if_false("skip"); // 13
    b.emit_load_name("s")
        .emit_load_name("i")
        .emit_add()
        .emit_store_name("s"); // 14..17
    b.emit_label("skip");
    b.emit_load_name("i")
        .emit_load_const(1)
        .emit_add()
        .emit_store_name("i"); // 18..21
    b.emit_jump("top"); // 22
    b.emit_label("end");
    b.emit_load_name("s").emit_return();
    b.build().unwrap()
}

/// `f(x) = x * 2` called from a loop 100 times.
fn calls_in_loop() -> Bytecode {
    let mut b = BytecodeBuilder::new();
    b.function("double", &["x"], |f| {
        f.emit_load_name("x")
            .emit_load_const(2)
            .emit_mul()
            .emit_return();
    });
    b.emit_load_const(0).emit_store_name("i");
    b.emit_load_const(0).emit_store_name("t");
    b.emit_label("top");
    b.emit_load_name("i")
        .emit_load_const(100)
        .emit_lt()
        .emit_jump_if_false("end");
    b.emit_load_name("t")
        .emit_load_name("i")
        .emit_call_name("double", 1)
        .emit_add()
        .emit_store_name("t");
    b.emit_load_name("i")
        .emit_load_const(1)
        .emit_add()
        .emit_store_name("i");
    b.emit_jump("top");
    b.emit_label("end");
    b.emit_load_name("t").emit_return();
    b.build().unwrap()
}

#[test]
fn guide_program_counts_are_exact_at_every_level() {
    for level in [Level::Basic, Level::Detailed, Level::Full] {
        let mut vm = vm(level);
        assert_eq!(
            vm.execute(&guide_fibonacci(20).build().unwrap()).unwrap(),
            Value::int(6765)
        );
        let s = vm.profiling_summary().unwrap();
        // 8 set-up + 21 loop tests x 4 + 20 bodies x 13 + 2 to return.
        assert_eq!(s.total_instructions, 354, "{level}");
        assert_eq!(s.unique_instructions, 27);
        assert_eq!(s.profiling_level, level.to_string());
        let dist = vm.profiler().opcode_distribution();
        let count = |op: &str| {
            dist.iter()
                .find(|(o, _)| o == op)
                .map(|(_, c)| *c)
                .unwrap_or(0)
        };
        assert_eq!(count("LOAD_NAME"), 21 * 2 + 20 * 5 + 1);
        assert_eq!(count("JUMP"), 20);
        assert_eq!(count("RETURN"), 1);
    }
}

#[test]
fn superinstructions_credit_every_original_instruction() {
    let bc = guide_fibonacci(20).build().unwrap();
    let counts = |fuse: bool| {
        let mut vm = VM::builder()
            .profiling(Level::Full)
            .superinstructions(fuse)
            .build();
        vm.execute(&bc).unwrap();
        let p = vm.profiler();
        (
            p.codes[0].counts.clone(),
            p.codes[0]
                .branches
                .iter()
                .map(|b| (b.taken, b.not_taken, b.mispredicts))
                .collect::<Vec<_>>(),
        )
    };
    assert_eq!(counts(true), counts(false));
}

#[test]
fn a_5000_iteration_loop_is_exactly_one_hot_loop() {
    let mut vm = vm(Level::Full);
    vm.execute(&branchy_loop(5000)).unwrap();
    let loops = vm.profiler().hot_loops(1000);
    assert_eq!(loops.len(), 1, "{loops:?}");
    let l = &loops[0];
    // Iterations are back edges taken: the JUMP at ip 22 back to the header at ip 4.
    assert_eq!((l.start_ip, l.end_ip, l.iterations), (4, 22, 5000));
    assert_eq!(l.function, "<main>");
    assert_eq!(l.instructions.len(), 19);
    assert_eq!(vm.profiling_summary().unwrap().hot_loops_detected, 1);
    assert!(vm.profiler().hot_loops(5001).is_empty());
}

#[test]
fn hot_loops_need_full_and_1000_iterations() {
    let mut vm_detailed = vm(Level::Detailed);
    vm_detailed.execute(&branchy_loop(5000)).unwrap();
    assert!(vm_detailed.profiler().hot_loops(1).is_empty());
    let mut small = vm(Level::Full);
    small.execute(&branchy_loop(999)).unwrap();
    assert_eq!(small.profiling_summary().unwrap().hot_loops_detected, 0);
    assert_eq!(small.profiler().hot_loops(1)[0].iterations, 999);
}

#[test]
fn branch_outcomes_are_the_programs_real_outcomes() {
    let mut vm = vm(Level::Full);
    assert_eq!(
        vm.execute(&branchy_loop(300)).unwrap(),
        Value::int((0..300).filter(|i| i % 3 == 0).sum::<i64>())
    );
    let branches = vm.profiler().branches();
    let at = |ip: u32| {
        branches
            .iter()
            .find(|b| b.ip == ip)
            .expect("branch recorded")
            .clone()
    };
    let exit = at(7); // the loop test: falls through 300 times, jumps out once
    assert_eq!((exit.taken, exit.not_taken), (1, 300));
    let test = at(13); // i % 3 == 0 is false two times in three: jumps to skip
    assert_eq!((test.taken, test.not_taken), (200, 100));
    assert!(test.miss_rate > 0.0 && test.miss_rate <= 100.0);
    // The 2-bit predictor mostly predicts the loop test right: one miss at the exit, at most
    // one at the start.
    let c = &vm.profiler().codes[0].branches[7];
    assert!(c.mispredicts <= 2, "{}", c.mispredicts);
}

#[test]
fn counts_inside_a_function_are_attributed_to_the_function() {
    let mut vm = vm(Level::Basic);
    assert_eq!(vm.execute(&calls_in_loop()).unwrap(), Value::int(9900));
    let p = vm.profiler();
    let double = p
        .codes
        .iter()
        .find(|c| c.name == "double")
        .expect("function profiled");
    assert_eq!(double.counts, vec![100, 100, 100, 100]);
    assert_eq!(double.calls, 100);
    let main = p.codes.iter().find(|c| c.name == "<main>").unwrap();
    assert_eq!(
        main.counts.iter().sum::<u64>(),
        p.total_instructions() - 400
    );
    let f = p
        .functions()
        .into_iter()
        .find(|f| f.name == "double")
        .unwrap();
    assert_eq!((f.calls, f.instructions), (100, 400));
    let hottest = p.hottest_instructions(50);
    assert!(hottest
        .iter()
        .any(|s| s.function == "double" && s.ip == 0 && s.count == 100));
}

#[test]
fn detailed_timing_is_sampled_and_ordered() {
    let mut vm = VM::builder()
        .profiling(Level::Detailed)
        .sample_rate(1)
        .build();
    vm.execute(&branchy_loop(2000)).unwrap();
    let p = vm.profiler();
    assert_eq!(p.sample_rate, 1);
    let total = p.total_instructions();
    // Every execution but the final RETURN is timed at rate 1.
    assert!(
        p.total_samples() + 1 >= total && p.total_samples() <= total,
        "{} vs {total}",
        p.total_samples()
    );
    for s in p.slowest_instructions(10) {
        assert!(s.p50_us <= s.p95_us && s.p95_us <= s.p99_us, "{s:?}");
        assert!(
            s.min_time_us <= s.avg_time_us && s.avg_time_us <= s.max_time_us + 1e-9,
            "{s:?}"
        );
    }
    let mut sampled = VM::builder()
        .profiling(Level::Detailed)
        .sample_rate(64)
        .build();
    sampled.execute(&branchy_loop(20000)).unwrap();
    let p = sampled.profiler();
    let ratio = p.total_instructions() as f64 / p.total_samples() as f64;
    assert!((40.0..100.0).contains(&ratio), "1 in {ratio} timed");
}

#[test]
fn start_stop_start_accumulates_and_reset_clears() {
    let bc = guide_fibonacci(20).build().unwrap();
    let mut vm = vm(Level::Basic);
    vm.execute(&bc).unwrap();
    vm.stop_profiling();
    vm.execute(&bc).unwrap(); // not recorded
    assert_eq!(vm.profiling_summary().unwrap().total_instructions, 354);
    vm.start_profiling();
    vm.execute(&bc).unwrap();
    let s = vm.profiling_summary().unwrap();
    assert_eq!(s.total_instructions, 708);
    assert!(s.total_time_sec > 0.0 && s.instructions_per_sec > 0.0);
    let t1 = s.total_time_sec;
    std::thread::sleep(Duration::from_millis(20));
    // Time counts execution only: it does not grow while nothing runs.
    assert_eq!(vm.profiling_summary().unwrap().total_time_sec, t1);
    vm.reset_profiler();
    let s = vm.profiling_summary().unwrap();
    assert_eq!(
        (
            s.total_instructions,
            s.unique_instructions,
            s.hot_loops_detected
        ),
        (0, 0, 0)
    );
    vm.execute(&bc).unwrap();
    assert_eq!(vm.profiling_summary().unwrap().total_instructions, 354);
}

#[test]
fn without_profiling_the_api_says_so() {
    let mut vm = VM::new();
    vm.execute(&guide_fibonacci(10).build().unwrap()).unwrap();
    assert_eq!(
        vm.profiling_summary().unwrap_err().to_string(),
        "Profiling not enabled"
    );
    assert_eq!(
        vm.profiling_report(Format::Text, 20),
        "Profiling not enabled"
    );
    let json: serde_json::Value =
        serde_json::from_str(&vm.profiling_report(Format::Json, 20)).unwrap();
    assert_eq!(json["error"], "Profiling not enabled");
    vm.start_profiling(); // NONE stays NONE
    vm.execute(&guide_fibonacci(10).build().unwrap()).unwrap();
    assert_eq!(vm.profiler().total_instructions(), 0);
}

#[test]
fn original_vm_tests_hold() {
    // test_vm_profiling_simple_bytecode: 42 + 8.
    let mut b = BytecodeBuilder::new();
    b.emit_load_const(42)
        .emit_load_const(8)
        .emit_add()
        .emit_return();
    let mut vm = vm(Level::Detailed);
    assert_eq!(vm.execute(&b.build().unwrap()).unwrap(), Value::int(50));
    let s = vm.profiling_summary().unwrap();
    assert!(s
        .most_common_opcodes
        .iter()
        .any(|(op, n)| op == "LOAD_CONST" && *n == 2));
    // test_profiling_report_text / json.
    let text = vm.profiling_report(Format::Text, 20);
    assert!(
        text.contains("PROFILING REPORT") && text.contains("LOAD_CONST") && text.contains("ADD")
    );
    let json: serde_json::Value =
        serde_json::from_str(&vm.profiling_report(Format::Json, 20)).unwrap();
    assert!(json["summary"].is_object() && json["hottest_instructions"].is_array());
    let html = vm.profiling_report(Format::Html, 20);
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("LOAD_CONST"));
}

#[test]
fn overhead_is_a_calibrated_estimate() {
    let mut vm = vm(Level::Full);
    vm.execute(&branchy_loop(50_000)).unwrap();
    let s = vm.profiling_summary().unwrap();
    let costs = vm.profiler().hook_costs;
    // FULL's per-event costs: dispatches, calls, samples and a branch record per
    // conditional branch executed.
    let branches: u64 = vm
        .profiler()
        .codes
        .iter()
        .flat_map(|c| &c.branches)
        .map(|b| b.taken + b.not_taken)
        .sum();
    assert!(branches >= 50_000, "{branches}");
    let expected = s.dispatches as f64 * costs.dispatch_ns[2]
        + vm.profiler().interpreted_calls() as f64 * costs.call_ns[2]
        + vm.profiler().outer_calls as f64 * costs.outer_call_ns
        + branches as f64 * costs.branch_ns
        + s.samples as f64 * costs.sample_ns;
    assert!(
        (s.profiling_overhead_ms - expected / 1e6).abs() < 1e-6,
        "{} vs {}",
        s.profiling_overhead_ms,
        expected / 1e6
    );
    assert!(s.overhead_percentage >= 0.0 && s.overhead_percentage.is_finite());
}

/// Replaces the digits of the lines that depend on timing with `#`.
fn mask(report: &str) -> String {
    let timed = ["Total Time:", "Instructions/Second:", "Profiling Overhead:"];
    report
        .lines()
        .map(|l| {
            if !timed.iter().any(|t| l.starts_with(t)) {
                return l.to_string();
            }
            // Each run of digits and separators becomes one `#`: widths vary with the timing.
            let mut out = String::new();
            for c in l.chars() {
                if c.is_ascii_digit() || (c == ',' && out.ends_with('#')) {
                    if !out.ends_with('#') {
                        out.push('#');
                    }
                } else {
                    out.push(c);
                }
            }
            out
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn golden(name: &str, actual: &str) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, actual).unwrap();
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|_| panic!("missing {path}; run with UPDATE_GOLDEN=1"));
    assert_eq!(
        actual, expected,
        "report differs from {path} (UPDATE_GOLDEN=1 regenerates it)"
    );
}

#[test]
fn golden_basic_text_report() {
    let mut vm = vm(Level::Basic);
    vm.execute(&calls_in_loop()).unwrap();
    golden(
        "calls_in_loop.basic.txt",
        &mask(&vm.profiling_report(Format::Text, 10)),
    );
}

#[test]
fn golden_full_json_counts() {
    let mut vm = vm(Level::Full);
    vm.execute(&branchy_loop(1500)).unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&vm.profiling_report(Format::Json, 8)).unwrap();
    // Everything that does not depend on timing.
    let keep = serde_json::json!({
        "opcode_distribution": json["opcode_distribution"],
        "hottest": json["hottest_instructions"].as_array().unwrap().iter()
            .map(|i| serde_json::json!([i["ip"], i["opcode"], i["count"], i["memory_reads"], i["memory_writes"], i["branch_taken"], i["branch_not_taken"]]))
            .collect::<Vec<_>>(),
        "hot_loops": json["hot_loops"].as_array().unwrap().iter()
            .map(|l| serde_json::json!([l["start_ip"], l["end_ip"], l["iterations"], l["instruction_count"]]))
            .collect::<Vec<_>>(),
        "branches": json["branches"],
        "total_instructions": json["summary"]["total_instructions"],
    });
    golden(
        "branchy_loop.full.json",
        &serde_json::to_string_pretty(&keep).unwrap(),
    );
}

#[test]
fn folded_stacks_and_flame_graphs_follow_the_call_paths() {
    let mut vm = VM::builder()
        .profiling(Level::Detailed)
        .sample_rate(1)
        .call_paths(true)
        .capture_output(true)
        .build();
    vm.execute(&calls_in_loop()).unwrap();
    let folded = vm.profiling_report(Format::Folded, 0);
    let lines: Vec<&str> = folded.lines().collect();
    assert!(lines.iter().any(|l| l.starts_with("<main> ")), "{folded}");
    assert!(
        lines.iter().any(|l| l.starts_with("<main>;double ")),
        "{folded}"
    );
    for l in &lines {
        let weight: u64 = l.rsplit(' ').next().unwrap().parse().unwrap();
        assert!(weight > 0, "{l}");
    }
    let svg = vm.profiling_report(Format::Flamegraph, 0);
    assert!(
        svg.contains("<svg") && svg.contains("double"),
        "{}",
        &svg[..200.min(svg.len())]
    );
    // Without call paths there is nothing to fold: an empty fold, and an SVG that says why
    // (BASIC with call paths weighs them by instruction counts: tests/profile/profile_paths.rs).
    let mut basic = vm_basic_run();
    assert!(basic.profiling_report(Format::Folded, 0).is_empty());
    assert!(basic
        .profiling_report(Format::Flamegraph, 0)
        .contains("call paths were not recorded"));
    basic.reset_profiler();
}

fn vm_basic_run() -> VM {
    let mut vm = vm(Level::Basic);
    vm.execute(&calls_in_loop()).unwrap();
    vm
}
