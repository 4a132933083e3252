//! Built-in demo programs, so `zx profile` with no file shows a real report.

use crate::bytecode::{Bytecode, BytecodeBuilder};

/// The source of `zx profile`'s built-in demo (`src/demo.zx`): the guide's Fibonacci, a loop
/// that goes hot and is compiled by the JIT, recursive calls (a call graph), branches, and
/// strings, lists and a map built in a loop, so that every section of a report has content.
pub const SHOWCASE_SOURCE: &str = include_str!("demo.zx");

/// The file name the demo's lines are reported under.
pub const SHOWCASE_NAME: &str = "demo.zx";

/// The demo compiled.
pub fn showcase() -> Bytecode {
    crate::compile_source(SHOWCASE_SOURCE, SHOWCASE_NAME, None)
        .unwrap_or_else(|e| panic!("the built-in demo compiles: {e:?}"))
}

/// The guide's "Real-World Profiling Session" program: iterative Fibonacci of `n`, built with
/// the builder exactly as the guide builds it. It returns Fibonacci(n) (6765 for n = 20).
pub fn guide_fibonacci(n: i64) -> Bytecode {
    let mut b = BytecodeBuilder::new();
    b.set_source_name("<demo: guide fibonacci>");
    b.emit_load_const(n).emit_store_name("n");
    b.emit_load_const(0).emit_store_name("a");
    b.emit_load_const(1).emit_store_name("b");
    b.emit_load_const(0).emit_store_name("i");
    b.emit_label("loop");
    b.emit_load_name("i")
        .emit_load_name("n")
        .emit_lt()
        .emit_jump_if_false("end");
    b.emit_load_name("a")
        .emit_load_name("b")
        .emit_add()
        .emit_store_name("temp");
    b.emit_load_name("b").emit_store_name("a");
    b.emit_load_name("temp").emit_store_name("b");
    b.emit_load_name("i")
        .emit_load_const(1)
        .emit_add()
        .emit_store_name("i");
    b.emit_jump("loop");
    b.emit_label("end");
    b.emit_load_name("a").emit_return();
    b.build().expect("the demo program is valid")
}

/// `n`, `s` and `i` as globals; `while i < n { s = s + i; i = i + 1 }`; returns `s`: the
/// interpreter's dispatch cost in isolation (loop_sum.zx, built with the builder).
pub fn loop_sum(n: i64) -> Bytecode {
    let mut b = BytecodeBuilder::new();
    b.set_source_name("<demo: loop_sum>");
    b.emit_load_const(n).emit_store_name("n");
    b.emit_load_const(0).emit_store_name("s");
    b.emit_load_const(0).emit_store_name("i");
    b.emit_label("loop");
    b.emit_load_name("i")
        .emit_load_name("n")
        .emit_lt()
        .emit_jump_if_false("end");
    b.emit_load_name("s")
        .emit_load_name("i")
        .emit_add()
        .emit_store_name("s");
    b.emit_load_name("i")
        .emit_load_const(1)
        .emit_add()
        .emit_store_name("i");
    b.emit_jump("loop");
    b.emit_label("end");
    b.emit_load_name("s").emit_return();
    b.build().expect("the demo program is valid")
}
