//! The Cranelift tier against the interpreter on the bench programs (benches/programs/*.zx with
//! N reduced so one run takes tens of milliseconds), and the cost of profiling inside JIT code
//! (BASIC, DETAILED, FULL against the JIT without profiling).
//!
//! Each VM is reused across iterations, so after the first one the loops are already compiled:
//! this measures steady-state native code (compile times are in `VM::jit_stats`).
//! `cargo bench --bench jit`; ratios in one run are what to compare (the machine is noisy).

use criterion::{criterion_group, criterion_main, Criterion};
use zexus::{compile, Bytecode, Level, VM};

/// A bench program with its size reduced (`from` replaced by `to` in its source).
fn program(name: &str, from: &str, to: &str) -> Bytecode {
    let path = format!("{}/benches/programs/{name}.zx", env!("CARGO_MANIFEST_DIR"));
    let src = std::fs::read_to_string(path).expect("bench program");
    assert!(src.contains(from), "{name}: '{from}' not found");
    compile(&src.replacen(from, to, 1), name).expect("compiles")
}

fn programs() -> Vec<(&'static str, Bytecode)> {
    vec![
        (
            "loop_sum",
            program("loop_sum", "let n = 100000000;", "let n = 10000000;"),
        ),
        (
            "fib_iter",
            program("fib_iter", "let reps = 1000000;", "let reps = 100000;"),
        ),
        (
            "nested_loops",
            program("nested_loops", "let n = 3000;", "let n = 1000;"),
        ),
        (
            "collatz",
            program("collatz", "let limit = 1000000;", "let limit = 100000;"),
        ),
        (
            "sieve",
            program("sieve", "let n = 10000000;", "let n = 1000000;"),
        ),
        (
            "bubble_sort",
            program("bubble_sort", "let n = 2000;", "let n = 1000;"),
        ),
    ]
}

fn run(vm: &mut VM, bc: &Bytecode) {
    vm.execute(bc).expect("runs");
    vm.take_output();
}

fn tiers(c: &mut Criterion) {
    let mut g = c.benchmark_group("tiers");
    g.sample_size(10);
    for (name, bc) in programs() {
        for jit in [false, true] {
            let id = format!("{name}/{}", if jit { "jit" } else { "interp" });
            g.bench_function(id, |b| {
                let mut vm = VM::builder().jit(jit).capture_output(true).build();
                b.iter(|| run(&mut vm, &bc))
            });
        }
    }
    g.finish();
}

fn jit_profiling(c: &mut Criterion) {
    let mut g = c.benchmark_group("jit_profiling");
    g.sample_size(10);
    for (name, bc) in programs()
        .into_iter()
        .filter(|(n, _)| ["loop_sum", "collatz", "sieve"].contains(n))
    {
        for level in [Level::None, Level::Basic, Level::Detailed, Level::Full] {
            g.bench_function(format!("{name}/{level:?}"), |b| {
                let mut vm = VM::builder()
                    .jit(true)
                    .profiling(level)
                    .capture_output(true)
                    .skip_calibration(true)
                    .build();
                b.iter(|| run(&mut vm, &bc))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, tiers, jit_profiling);
criterion_main!(benches);
