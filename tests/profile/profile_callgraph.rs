//! The call graph (issue 15, item 2): exact calls per caller-callee pair, the same with the JIT
//! on and off, in the text, JSON, HTML and DOT reports.

use zexus::{Format, Level, VM};

const PROGRAM: &str = "\
action sq(x) { return x * x }
action sumsq(n) {
    let s = 0
    for each i in range(n) { s = s + sq(i) }
    return s
}
action fib(n) { if (n < 2) { return n }
 return fib(n - 1) + fib(n - 2) }
print(sumsq(100))
print(fib(10))
";

fn profiled(level: Level, jit: bool) -> VM {
    let mut vm = VM::builder()
        .profiling(level)
        .jit(jit)
        .hot_threshold(1)
        .capture_output(true)
        .build();
    vm.eval(PROGRAM).expect("runs");
    vm
}

fn calls(vm: &VM, caller: &str, callee: &str) -> u64 {
    vm.profiler()
        .call_graph()
        .iter()
        .find(|e| e.caller == caller && e.callee == callee)
        .map_or(0, |e| e.calls)
}

#[test]
fn edges_count_every_call_in_both_tiers() {
    for level in [Level::Basic, Level::Detailed, Level::Full] {
        for jit in [false, true] {
            let vm = profiled(level, jit);
            let at = format!("{level:?} jit={jit}");
            assert_eq!(calls(&vm, "sumsq", "sq"), 100, "{at}");
            assert_eq!(calls(&vm, "<main>", "sumsq"), 1, "{at}");
            assert_eq!(calls(&vm, "<main>", "fib"), 1, "{at}");
            // fib(10) is 177 activations: one from <main>, the rest from fib itself.
            assert_eq!(calls(&vm, "fib", "fib"), 176, "{at}");
            let fib = vm
                .profiler()
                .functions()
                .into_iter()
                .find(|f| f.name == "fib")
                .expect("fib ran");
            assert_eq!(fib.calls, 177, "{at}");
        }
    }
}

#[test]
fn every_format_shows_the_graph() {
    let vm = profiled(Level::Detailed, false);
    let text = vm.profiling_report(Format::Text, 20);
    assert!(text.contains("CALL GRAPH"), "{text}");
    assert!(text.contains("  called by: sumsq (100)"), "{text}");
    let json: serde_json::Value =
        serde_json::from_str(&vm.profiling_report(Format::Json, 20)).unwrap();
    let edges = json["call_graph"].as_array().expect("call_graph");
    assert!(edges
        .iter()
        .any(|e| e["caller"] == "fib" && e["callee"] == "fib" && e["calls"] == 176));
    let html = vm.profiling_report(Format::Html, 20);
    assert!(html.contains("<h2 id=\"call-graph\">Call Graph</h2>"));
    let dot = vm.profiling_report(Format::Dot, 20);
    assert!(dot.starts_with("digraph calls {") && dot.trim_end().ends_with('}'));
    assert!(
        dot.contains("\"sumsq\" -> \"sq\" [label=\"100\"];"),
        "{dot}"
    );
    assert!(
        dot.contains("\"fib\" [label=\"fib\\ncalls 177\\nself "),
        "{dot}"
    );
}
