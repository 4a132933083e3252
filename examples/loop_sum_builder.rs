//! A builder-built counted loop (`s = s + i` for i below N), timed: the interpreter's
//! dispatch cost in isolation. Run: `cargo run --release --example loop_sum_builder -- 100000000`

use std::time::Instant;

use zexus::VM;

#[path = "../benches/built.rs"]
mod built;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: i64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000_000);
    let bc = built::loop_sum(n);
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
