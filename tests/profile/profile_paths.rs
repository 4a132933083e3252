//! Folded stacks and flame graphs at BASIC: weighted by exact instruction counts, each
//! function's count shared among its call paths by calls.

use std::collections::HashMap;

use zexus::{compile, Format, Level, VM};

/// `leaf` is called 3 times from `<main>` and once from `mid` (itself called once): its
/// instructions split 3:1 between `<main>;leaf` and `<main>;mid;leaf`.
const PROGRAM: &str = "action leaf(n) {\n    let s = 0\n    let i = 0\n    while (i < n) { s = s + i\n i = i + 1 }\n    return s\n}\naction mid() {\n    return leaf(10)\n}\nlet t = leaf(10) + leaf(10) + leaf(10) + mid()\nprint(t)\n";

fn run(level: Level, paths: bool, jit: bool) -> VM {
    let bc = compile(PROGRAM, "paths.zx").expect("compiles");
    let mut vm = VM::builder()
        .profiling(level)
        .call_paths(paths)
        .jit(jit)
        .capture_output(true)
        .build();
    vm.execute(&bc).expect("runs");
    vm
}

fn weights(folded: &str) -> HashMap<String, u64> {
    folded
        .lines()
        .map(|l| {
            let (path, w) = l.rsplit_once(' ').expect("`path weight`");
            (path.to_string(), w.parse().expect("integer weight"))
        })
        .collect()
}

fn instructions(vm: &VM, name: &str) -> u64 {
    vm.profiler()
        .codes
        .iter()
        .filter(|c| c.name == name)
        .map(|c| c.total_count())
        .sum()
}

#[test]
fn basic_folded_stacks_are_weighted_by_instruction_counts() {
    for jit in [false, true] {
        let vm = run(Level::Basic, true, jit);
        let w = weights(&vm.profiling_report(Format::Folded, 0));
        let leaf = instructions(&vm, "leaf");
        assert!(leaf > 0);
        assert_eq!(w["<main>"], instructions(&vm, "<main>"), "{w:?}");
        assert_eq!(w["<main>;mid"], instructions(&vm, "mid"), "{w:?}");
        // Every call of leaf runs the same instructions: the 3:1 split of calls is exact.
        assert_eq!(w["<main>;leaf"], leaf * 3 / 4, "{w:?}");
        assert_eq!(w["<main>;mid;leaf"], leaf / 4, "{w:?}");
        let total: u64 = w.values().sum();
        assert_eq!(total, vm.profiler().summary().total_instructions, "{w:?}");
        // The counts themselves do not depend on whether paths were recorded.
        let plain = run(Level::Basic, false, jit);
        assert_eq!(instructions(&plain, "leaf"), leaf);
        assert!(plain.profiling_report(Format::Folded, 0).is_empty());
    }
}

#[test]
fn basic_flame_graphs_say_they_count_instructions() {
    let vm = run(Level::Basic, true, false);
    let svg = vm.profiling_report(Format::Flamegraph, 0);
    assert!(svg.contains("<svg"), "{}", &svg[..200.min(svg.len())]);
    assert!(svg.contains("mid") && svg.contains("leaf"));
    assert!(svg.contains("instruction counts, not time"));
    assert!(svg.contains("instructions"));
    // At DETAILED the same paths are weighted by sampled time, in ns.
    let vm = run(Level::Detailed, true, false);
    let w = weights(&vm.profiling_report(Format::Folded, 0));
    assert!(w.contains_key("<main>;mid;leaf"), "{w:?}");
    let svg = vm.profiling_report(Format::Flamegraph, 0);
    assert!(svg.contains("sampled time per call path"));
}

/// The run loop's dispatches: one per instruction without superinstructions, fewer with them
/// (a counted loop fuses well), none counted at NONE.
#[test]
fn reports_count_dispatches_apart_from_instructions() {
    let src = "let s = 0\nlet i = 0\nwhile (i < 1000) { s = s + i\n i = i + 1 }\nprint(s)\n";
    let bc = compile(src, "loop.zx").expect("compiles");
    let run = |level: Level, fuse: bool| {
        let mut vm = VM::builder()
            .profiling(level)
            .superinstructions(fuse)
            .capture_output(true)
            .build();
        vm.execute(&bc).expect("runs");
        vm.profiler().summary()
    };
    for level in [Level::Basic, Level::Detailed, Level::Full] {
        let plain = run(level, false);
        assert_eq!(plain.dispatches, plain.total_instructions, "{level}");
        let fused = run(level, true);
        assert_eq!(
            fused.total_instructions, plain.total_instructions,
            "{level}"
        );
        assert!(fused.dispatches > 0, "{level}");
        // At DETAILED and up, timed executions run unfused, so fewer are saved there.
        assert!(
            fused.dispatches * 2 < fused.total_instructions,
            "{level}: {} dispatches for {} instructions",
            fused.dispatches,
            fused.total_instructions
        );
    }
    assert_eq!(run(Level::None, true).dispatches, 0);
    let bc_vm = {
        let mut vm = VM::builder()
            .profiling(Level::Basic)
            .capture_output(true)
            .build();
        vm.execute(&bc).expect("runs");
        vm
    };
    let text = bc_vm.profiling_report(Format::Text, 10);
    assert!(
        text.contains("Dispatches:") && text.contains("instructions per dispatch"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&bc_vm.profiling_report(Format::Json, 10)).expect("JSON");
    assert_eq!(
        json["summary"]["dispatches"].as_u64(),
        Some(bc_vm.profiler().summary().dispatches)
    );
    assert!(bc_vm
        .profiling_report(Format::Html, 10)
        .contains("Dispatches"));
}
