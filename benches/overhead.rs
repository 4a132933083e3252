//! Profiling overhead: each level against NONE on loop_sum, fib_rec and sieve (scaled as in
//! `zx bench`), interpreted. Compare level NONE here with the same benchmark built without the
//! profiled loops: `cargo bench --bench overhead --no-default-features` (feature `profiler`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use zexus::{Level, VM};

#[path = "../src/cli/bench_programs.rs"]
mod bench_programs;

fn overhead(c: &mut Criterion) {
    let programs = bench_programs::default_programs().expect("the benchmark programs compile");
    for p in &programs {
        let mut g = c.benchmark_group(format!("overhead/{}", p.name));
        g.sample_size(10);
        for level in Level::ALL {
            g.bench_with_input(BenchmarkId::from_parameter(level), &level, |b, &level| {
                b.iter(|| {
                    let mut vm = VM::builder().profiling(level).capture_output(true).build();
                    vm.execute(&p.bytecode).expect("runs")
                })
            });
        }
        g.finish();
    }
}

criterion_group!(benches, overhead);
criterion_main!(benches);
