//! A builder-built counted loop (`s = s + i` for i below N), timed: the interpreter's
//! dispatch cost in isolation. Run: `cargo run --release --example loop_sum_builder -- 100000000`

use std::time::Instant;

use zexus::{BytecodeBuilder, VM};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: i64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let mut b = BytecodeBuilder::new();
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
    let bc = b.build()?;
    let mut vm = VM::new();
    let t = Instant::now();
    let r = vm.execute(&bc)?;
    let dt = t.elapsed();
    println!(
        "{r} in {:.3} s ({:.2} ns/iteration)",
        dt.as_secs_f64(),
        dt.as_nanos() as f64 / n as f64
    );
    Ok(())
}
