//! Interpreter speed on builder-built programs: loop_sum (10^7 iterations) and fib_iter.
//! Compare with `lua5.4 ../shared/bench/peers/lua/loop_sum.lua` (docs/BENCHMARKS.md).

use criterion::{criterion_group, criterion_main, Criterion};
use zexus::{Bytecode, BytecodeBuilder, Value, VM};

#[path = "built.rs"]
mod built;

/// fib_iter.zx's inner loop: 90 steps of Fibonacci mod a prime, repeated `reps` times.
fn fib_iter(reps: i64) -> Bytecode {
    let mut b = BytecodeBuilder::new();
    b.emit_load_const(0).emit_store_name("r");
    b.emit_load_const(0).emit_store_name("rep");
    b.emit_label("outer");
    b.emit_load_name("rep")
        .emit_load_const(reps)
        .emit_lt()
        .emit_jump_if_false("done");
    b.emit_load_const(0).emit_store_name("a");
    b.emit_load_const(1).emit_store_name("b");
    b.emit_load_const(0).emit_store_name("k");
    b.emit_label("inner");
    b.emit_load_name("k")
        .emit_load_const(90)
        .emit_lt()
        .emit_jump_if_false("inner_end");
    b.emit_load_name("a")
        .emit_load_name("b")
        .emit_add()
        .emit_load_const(1_000_000_007)
        .emit_mod();
    b.emit_store_name("t");
    b.emit_load_name("b").emit_store_name("a");
    b.emit_load_name("t").emit_store_name("b");
    b.emit_load_name("k")
        .emit_load_const(1)
        .emit_add()
        .emit_store_name("k");
    b.emit_jump("inner");
    b.emit_label("inner_end");
    b.emit_load_name("a").emit_store_name("r");
    b.emit_load_name("rep")
        .emit_load_const(1)
        .emit_add()
        .emit_store_name("rep");
    b.emit_jump("outer");
    b.emit_label("done");
    b.emit_load_name("r").emit_return();
    b.build().expect("fib_iter builds")
}

fn interp(c: &mut Criterion) {
    let mut g = c.benchmark_group("interp");
    g.sample_size(10);
    let ls = built::loop_sum(10_000_000);
    g.bench_function("loop_sum_1e7", |b| {
        let mut vm = VM::new();
        b.iter(|| assert_eq!(vm.execute(&ls).unwrap(), Value::int(49_999_995_000_000)))
    });
    let fi = fib_iter(100_000);
    g.bench_function("fib_iter_1e5", |b| {
        let mut vm = VM::new();
        b.iter(|| assert_eq!(vm.execute(&fi).unwrap(), Value::int(210_345_902)))
    });
    g.finish();
}

criterion_group!(benches, interp);
criterion_main!(benches);
