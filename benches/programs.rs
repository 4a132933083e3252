//! The shared benchmark programs (benches/programs/*.zx), compiled from source and scaled to
//! run in about a second or less each, interpreted (`zx run --no-jit` runs the full sizes).

use criterion::{criterion_group, criterion_main, Criterion};
use zexus::VM;

/// (name, source file, text to replace, replacement) so each program keeps its shape.
const PROGRAMS: &[(&str, &str, &str, &str)] = &[
    (
        "loop_sum",
        include_str!("programs/loop_sum.zx"),
        "100000000",
        "10000000",
    ),
    (
        "fib_iter",
        include_str!("programs/fib_iter.zx"),
        "1000000;",
        "100000;",
    ),
    (
        "fib_rec",
        include_str!("programs/fib_rec.zx"),
        "fib(32)",
        "fib(27)",
    ),
    (
        "nested_loops",
        include_str!("programs/nested_loops.zx"),
        "3000",
        "1000",
    ),
    (
        "sieve",
        include_str!("programs/sieve.zx"),
        "10000000",
        "1000000",
    ),
    (
        "collatz",
        include_str!("programs/collatz.zx"),
        "1000000",
        "100000",
    ),
];

fn programs(c: &mut Criterion) {
    let mut g = c.benchmark_group("programs");
    g.sample_size(10);
    for (name, src, from, to) in PROGRAMS {
        let bc = zexus::compile(&src.replace(from, to), name).expect("compiles");
        g.bench_function(*name, |b| {
            b.iter(|| {
                let mut vm = VM::builder().capture_output(true).build();
                vm.execute(&bc).expect("runs")
            })
        });
    }
    g.finish();
}

criterion_group!(benches, programs);
criterion_main!(benches);
