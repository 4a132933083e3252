//! The profiler's public API, as the usage guide uses it and as the original's test suite
//! (ORIGINAL.md §5) checks it, translated to Rust, plus the fixes over the original.

use std::time::Duration;

use zexus::profile::{InstructionProfiler, Level};
use zexus::report::Format;

/// The original's statistics fixture: ip 0 LOAD_CONST ×100 at 100 µs, ip 1 ADD ×50 at 200 µs,
/// ip 2 RETURN ×10 at 50 µs, timing added separately from the counts.
fn fixture(level: Level) -> InstructionProfiler {
    let mut p = InstructionProfiler::new(level);
    for (ip, op, n, us) in [
        (0, "LOAD_CONST", 100, 100),
        (1, "ADD", 50, 200),
        (2, "RETURN", 10, 50),
    ] {
        for _ in 0..n {
            p.record_instruction(ip, op, "");
        }
        for _ in 0..n {
            p.measure_instruction(ip, Duration::from_micros(us));
        }
    }
    p.stop();
    p
}

#[test]
fn guide_direct_profiler_access_snippet() {
    let mut profiler = InstructionProfiler::new(Level::Full);
    profiler.start();
    profiler.record_instruction(0, "LOAD_CONST", 42);
    profiler.measure_instruction(0, Duration::from_millis(1));
    profiler.stop();
    let summary = profiler.summary();
    let report = profiler.generate_report(Format::Json, 10);
    assert_eq!(summary.total_instructions, 1);
    let v: serde_json::Value = serde_json::from_str(&report).unwrap();
    assert_eq!(v["hottest_instructions"][0]["operand"], "42");
    let avg = v["hottest_instructions"][0]["avg_time_us"]
        .as_f64()
        .unwrap();
    assert!((avg - 1000.0).abs() < 5.0, "avg {avg}");
}

#[test]
fn level_parses_in_any_case() {
    for s in ["full", "FULL", "Full"] {
        assert_eq!(s.parse::<Level>().unwrap(), Level::Full);
    }
    assert_eq!("detailed".parse::<Level>().unwrap(), Level::Detailed);
    let err = "fulll".parse::<Level>().unwrap_err().to_string();
    assert!(err.contains("fulll") && err.contains("full"), "{err}");
    assert_eq!(Level::Detailed.to_string(), "DETAILED");
}

#[test]
fn creation_enabled_unless_none() {
    let p = InstructionProfiler::new(Level::Detailed);
    assert_eq!(p.level, Level::Detailed);
    assert!(p.is_enabled());
    assert_eq!(p.total_instructions(), 0);
    assert!(!InstructionProfiler::new(Level::None).is_enabled());
    assert_eq!(
        InstructionProfiler::with_sample_rate(Level::Basic, 0).sample_rate,
        1
    );
}

#[test]
fn start_at_none_does_nothing() {
    let mut p = InstructionProfiler::new(Level::None);
    p.start();
    assert!(!p.is_enabled());
    p.record_instruction(0, "LOAD_CONST", 1);
    assert_eq!(p.total_instructions(), 0);
    assert_eq!(p.summary().profiling_level, "NONE");
}

#[test]
fn start_stop_toggles_and_time_accumulates() {
    let mut p = InstructionProfiler::new(Level::Basic);
    p.start();
    std::thread::sleep(Duration::from_millis(10));
    p.stop();
    assert!(!p.is_enabled());
    let t1 = p.summary().total_time_sec;
    assert!(t1 >= 0.009, "{t1}");
    p.record_instruction(0, "ADD", "");
    assert_eq!(
        p.total_instructions(),
        0,
        "stopped profilers record nothing"
    );
    // start -> stop -> start without a second stop: never negative (the original's bug).
    p.start();
    assert!(p.is_enabled());
    let t2 = p.summary().total_time_sec;
    assert!(t2 >= t1, "{t2} < {t1}");
    std::thread::sleep(Duration::from_millis(5));
    p.stop();
    let t3 = p.summary().total_time_sec;
    assert!(t3 >= t1 + 0.004, "{t3}");
    // Time stops counting at stop().
    std::thread::sleep(Duration::from_millis(5));
    assert_eq!(p.summary().total_time_sec, t3);
}

#[test]
fn three_records_counts_and_distribution() {
    let mut p = InstructionProfiler::new(Level::Detailed);
    p.record_instruction(0, "LOAD_CONST", 1);
    p.record_instruction(1, "LOAD_CONST", 2);
    p.record_instruction(2, "ADD", "");
    assert_eq!(p.total_instructions(), 3);
    assert_eq!(p.unique_instructions(), 3);
    assert_eq!(
        p.opcode_distribution(),
        vec![("LOAD_CONST".to_string(), 2), ("ADD".to_string(), 1)]
    );
}

#[test]
fn measure_adds_timing_without_counting() {
    let mut p = InstructionProfiler::new(Level::Detailed);
    p.record_instruction(0, "LOAD_CONST", 1);
    p.record_instruction(0, "LOAD_CONST", 1);
    p.measure_instruction(0, Duration::from_micros(1));
    p.measure_instruction(0, Duration::from_micros(2));
    p.measure_instruction(7, Duration::from_micros(2)); // never recorded: ignored
    let s = &p.hottest_instructions(10)[0];
    assert_eq!((s.count, s.samples), (2, 2));
    assert_eq!(p.total_instructions(), 2);
    assert!((s.avg_time_us - 1.5).abs() < 0.01, "{}", s.avg_time_us);
    assert!((s.min_time_us - 1.0).abs() < 0.01 && (s.max_time_us - 2.0).abs() < 0.01);
    assert!(
        (s.total_time_ms - 0.003).abs() < 1e-5,
        "{}",
        s.total_time_ms
    );
    // BASIC does not time.
    let mut b = InstructionProfiler::new(Level::Basic);
    b.record_instruction(0, "ADD", "");
    b.measure_instruction(0, Duration::from_micros(5));
    assert_eq!(b.hottest_instructions(1)[0].samples, 0);
}

#[test]
fn percentiles_are_ordered() {
    let mut p = InstructionProfiler::new(Level::Detailed);
    for i in 0..100u64 {
        p.record_instruction(0, "ADD", "");
        p.measure_instruction(0, Duration::from_micros(i));
    }
    let s = &p.hottest_instructions(1)[0];
    assert!(
        s.p50_us <= s.p95_us && s.p95_us <= s.p99_us,
        "{} {} {}",
        s.p50_us,
        s.p95_us,
        s.p99_us
    );
    assert!(s.p50_us > 40.0 && s.p50_us < 60.0, "p50 {}", s.p50_us);
    assert!(s.p99_us <= s.max_time_us + 1e-9);
}

#[test]
fn reset_clears_everything_but_settings() {
    let mut p = fixture(Level::Full);
    p.start();
    p.reset();
    assert_eq!(p.total_instructions(), 0);
    assert!(p.hottest_instructions(10).is_empty());
    assert!(p.loops().is_empty());
    assert!(
        p.summary().total_time_sec < 0.05,
        "time restarts from the reset"
    );
    assert_eq!(
        (p.level, p.sample_rate, p.is_enabled()),
        (Level::Full, zexus::profile::DEFAULT_SAMPLE_RATE, true)
    );
    p.record_instruction(5, "ADD", "");
    assert_eq!(p.hottest_instructions(10)[0].ip, 5);
}

#[test]
fn hottest_by_count_slowest_by_total_time() {
    let p = fixture(Level::Detailed);
    let hot = p.hottest_instructions(3);
    let names: Vec<&str> = hot.iter().map(|s| s.opcode.as_str()).collect();
    assert_eq!(names, ["LOAD_CONST", "ADD", "RETURN"]);
    assert_eq!((hot[0].count, hot[1].count), (100, 50));
    let slow = p.slowest_instructions(3);
    assert_eq!(slow[0].opcode, "ADD");
    assert!(
        (slow[0].total_time_ms - 10.0).abs() < 0.05,
        "{}",
        slow[0].total_time_ms
    );
    assert_eq!(slow[1].opcode, "LOAD_CONST");
}

#[test]
fn summary_totals_and_keys() {
    let s = fixture(Level::Detailed).summary();
    assert_eq!(s.total_instructions, 160);
    assert_eq!(s.unique_instructions, 3);
    for key in [
        "profiling_level",
        "total_instructions",
        "unique_instructions",
        "total_time_sec",
        "instructions_per_sec",
        "profiling_overhead_ms",
        "overhead_percentage",
        "hot_loops_detected",
        "most_common_opcodes",
    ] {
        assert!(s.get(key).is_some(), "missing {key}");
    }
    assert_eq!(s.get("total_instructions"), Some(serde_json::json!(160)));
    assert_eq!(s.get("most_common_opcodes").unwrap()["LOAD_CONST"], 100);
    assert_eq!(s.get("nope"), None);
    assert_eq!(s.profiling_level, "DETAILED");
}

#[test]
fn text_report_has_its_sections() {
    let r = fixture(Level::Detailed).generate_report(Format::Text, 20);
    for needle in [
        "ZEXUS VM INSTRUCTION PROFILING REPORT",
        "SUMMARY",
        "Profiling Level:       DETAILED",
        "Total Instructions:    160",
        "Sample Rate:           1 in 1024 executions timed",
        "MOST COMMON OPCODES",
        "TOP 20 HOTTEST INSTRUCTIONS (by count)",
        "TOP 20 SLOWEST INSTRUCTIONS (by total time)",
        "LOAD_CONST",
        "ADD",
    ] {
        assert!(r.contains(needle), "missing {needle:?} in\n{r}");
    }
    assert!(r.starts_with(&"=".repeat(80)));
    assert!(r.trim_end().ends_with(&"=".repeat(80)));
    assert!(
        !r.contains("NaN") && !r.contains("-0.00") && !r.contains("inf"),
        "{r}"
    );
    // BASIC has no slowest table.
    let b = fixture(Level::Basic).generate_report(Format::Text, 5);
    assert!(!b.contains("SLOWEST") && b.contains("TOP 5 HOTTEST"));
}

#[test]
fn json_report_parses_with_keys() {
    let r = fixture(Level::Full).generate_report(Format::Json, 20);
    let v: serde_json::Value = serde_json::from_str(&r).expect("valid JSON");
    for key in [
        "summary",
        "hottest_instructions",
        "slowest_instructions",
        "hot_loops",
        "opcode_distribution",
        "branches",
        "memory",
        "functions",
        "jit",
        "sample_rate",
        "level",
    ] {
        assert!(v.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["hottest_instructions"].as_array().unwrap().len(), 3);
    let first = &v["hottest_instructions"][0];
    for key in [
        "opcode",
        "ip",
        "count",
        "avg_time_us",
        "total_time_ms",
        "p50_us",
        "p95_us",
        "p99_us",
    ] {
        assert!(first.get(key).is_some(), "missing {key}");
    }
    assert_eq!(v["opcode_distribution"]["ADD"], 50);
    assert_eq!(v["summary"]["most_common_opcodes"]["RETURN"], 10);
    assert_eq!(v["level"], "FULL");
}

#[test]
fn html_report_is_self_contained_and_escaped() {
    let mut p = fixture(Level::Full);
    p.start();
    p.record_instruction(3, "LOAD_CONST", "<script>alert(1)</script>");
    let r = p.generate_report(Format::Html, 20);
    assert!(r.starts_with("<!DOCTYPE html>"));
    assert!(r.contains("<title>Zexus VM Profiling Report</title>"));
    assert!(r.contains("LOAD_CONST"));
    assert!(r.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!r.contains("<script>alert"));
    assert!(r.contains("<svg") && r.contains("sortable"));
    assert!(
        !r.contains("http://") && !r.contains("https://"),
        "no network resources"
    );
}

#[test]
fn direct_back_edges_make_a_hot_loop() {
    let mut profiler = InstructionProfiler::new(Level::Full);
    profiler.start();
    for _ in 0..1500 {
        for ip in 10..=20 {
            profiler.record_instruction(ip, "NOP", "");
        }
    }
    // A back edge is counted each time control goes from 20 back to 10: 1500 rounds give
    // 1499 back edges.
    let hot_loops = profiler.hot_loops(1000);
    assert_eq!(hot_loops.len(), 1);
    let l = &hot_loops[0];
    assert_eq!((l.start_ip, l.end_ip, l.iterations), (10, 20, 1499));
    assert_eq!(profiler.summary().hot_loops_detected, 1);
    // The original's closing record: a branch-named opcode at the target, after ip 20.
    profiler.record_instruction(10, "JUMP_BACKWARD", -10);
    assert_eq!(profiler.hot_loops(1000)[0].iterations, 1500);

    // The guide's "Hot Loop Analysis", in Rust.
    for lp in profiler.hot_loops(1000) {
        let line1 = format!("Hot Loop: IP {} -> {}", lp.start_ip, lp.end_ip);
        let line2 = format!("  Iterations: {}", lp.iterations);
        let line3 = format!(
            "  Total Time: {:.2}ms",
            lp.total_time.as_secs_f64() * 1000.0
        );
        let avg = lp.total_time.as_secs_f64() / lp.iterations as f64 * 1_000_000.0;
        let line4 = format!("  Avg/Iteration: {avg:.2}μs");
        let line5 = format!("  Instructions: {}", lp.instructions[..5].join(", "));
        assert!(line1.ends_with("10 -> 20") && line2.ends_with("1500"));
        assert!(!line3.contains("NaN") && !line4.contains("NaN"));
        assert_eq!(line5, "  Instructions: NOP, NOP, NOP, NOP, NOP");
    }
    let r = profiler.generate_report(Format::Text, 10);
    assert!(r.contains("HOT LOOPS (>=1000 iterations)"), "{r}");
}

#[test]
fn multiple_loops() {
    let mut p = InstructionProfiler::new(Level::Full);
    p.start();
    for (a, b, n) in [(10, 15, 1200), (30, 35, 1500)] {
        for _ in 0..n {
            for ip in a..=b {
                p.record_instruction(ip, "NOP", "");
            }
        }
        p.record_instruction(a, "JUMP", a);
    }
    let loops = p.hot_loops(1000);
    assert_eq!(loops.len(), 2);
    assert_eq!((loops[0].start_ip, loops[0].iterations), (30, 1500));
    assert_eq!((loops[1].start_ip, loops[1].iterations), (10, 1200));
}

#[test]
fn branches_and_memory_at_full() {
    let mut p = InstructionProfiler::new(Level::Full);
    // while loop: 0 LOAD_NAME, 1 JUMP_IF_FALSE -> 4, 2 STORE_NAME, 3 JUMP -> 0, 4 RETURN
    for _ in 0..10 {
        for ip in 0..4 {
            let op = ["LOAD_NAME", "JUMP_IF_FALSE", "STORE_NAME", "JUMP"][ip as usize];
            p.record_instruction(ip, op, "");
        }
    }
    p.record_instruction(0, "LOAD_NAME", "");
    p.record_instruction(1, "JUMP_IF_FALSE", "");
    p.record_instruction(4, "RETURN", "");
    let b = p.branches();
    assert_eq!(b.len(), 1);
    assert_eq!((b[0].ip, b[0].taken, b[0].not_taken), (1, 1, 10));
    let m = p.memory(10);
    assert_eq!((m.total_reads, m.total_writes), (11, 10));
    let s = p.hottest_instructions(10);
    let jif = s.iter().find(|s| s.opcode == "JUMP_IF_FALSE").unwrap();
    assert!((jif.branch_taken_rate - 100.0 / 11.0).abs() < 1e-9);
    assert_eq!(p.loops()[0].iterations, 10);
    let r = p.generate_report(Format::Text, 10);
    assert!(r.contains("BRANCHES") && r.contains("MEMORY"), "{r}");
}

#[test]
fn write_report_to_any_writer() {
    let p = fixture(Level::Detailed);
    for f in [Format::Text, Format::Json, Format::Html] {
        let mut buf = Vec::new();
        p.write_report(f, 10, &mut buf).unwrap();
        assert_eq!(String::from_utf8(buf).unwrap(), p.generate_report(f, 10));
    }
    assert!("xml".parse::<Format>().is_err());
    assert_eq!("Html".parse::<Format>().unwrap(), Format::Html);
}

#[test]
fn overhead_estimate_uses_hook_costs() {
    let mut p = fixture(Level::Detailed);
    assert_eq!(p.summary().profiling_overhead_ms, 0.0);
    // The direct API dispatches nothing; as if a VM had dispatched 160 times.
    p.dispatches = 160;
    p.hook_costs.dispatch_ns = [1e9, 1000.0, 1e9]; // DETAILED's: 160 dispatches × 1 µs
    p.hook_costs.call_ns = [1e9, 1e9, 1e9]; // no calls
    p.hook_costs.sample_ns = 1000.0; // 160 samples × 1 µs
    p.hook_costs.branch_ns = 1e9; // ignored below FULL
    let s = p.summary();
    assert!(
        (s.profiling_overhead_ms - 0.32).abs() < 1e-9,
        "{}",
        s.profiling_overhead_ms
    );
    assert!(s.overhead_percentage >= 0.0 && s.overhead_percentage <= 100.0);
}

#[test]
fn empty_profiler_reports_zeros() {
    let p = InstructionProfiler::new(Level::Full);
    let s = p.summary();
    assert_eq!(
        (
            s.total_instructions,
            s.instructions_per_sec,
            s.hot_loops_detected
        ),
        (0, 0.0, 0)
    );
    for f in [Format::Text, Format::Json, Format::Html] {
        let r = p.generate_report(f, 20);
        assert!(!r.contains("NaN") && !r.contains("inf"), "{f}: {r}");
    }
}
