//! Programs built with `BytecodeBuilder` rather than compiled from source, shared by the
//! `interp` criterion benchmark and the `loop_sum_builder` example (each includes this file
//! with `#[path]`).

use zexus::{Bytecode, BytecodeBuilder};

/// `n`, `s` and `i` as globals; `while i < n { s = s + i; i = i + 1 }`; returns `s`: the
/// interpreter's dispatch cost in isolation (loop_sum.zx, built with the builder).
pub fn loop_sum(n: i64) -> Bytecode {
    let mut b = BytecodeBuilder::new();
    b.set_source_name("<builder: loop_sum>");
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
