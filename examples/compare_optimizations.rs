//! Use case 3 of the guide, "Comparing Optimizations": profile two versions of a program and
//! compare their time and instruction counts.
//!
//! Run: `cargo run --release --example compare_optimizations`

use zexus::{Level, VM};

/// Sum of squares below n, recomputing `i * i` twice per iteration.
const BEFORE: &str = r#"
let s = 0
let i = 0
while (i < 200000) {
    if (i * i % 7 == 3) { s = s + i * i }
    i = i + 1
}
s
"#;

/// The same, computing the square once.
const AFTER: &str = r#"
let s = 0
let i = 0
while (i < 200000) {
    let sq = i * i
    if (sq % 7 == 3) { s = s + sq }
    i = i + 1
}
s
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut vm1 = VM::builder().profiling(Level::Detailed).build();
    let r1 = vm1.eval(BEFORE)?;
    let stats1 = vm1.profiling_summary()?;

    let mut vm2 = VM::builder().profiling(Level::Detailed).build();
    let r2 = vm2.eval(AFTER)?;
    let stats2 = vm2.profiling_summary()?;
    assert_eq!(r1, r2, "both versions compute the same sum");

    let speedup = stats1.total_time_sec / stats2.total_time_sec;
    println!("Result: {r1}");
    println!("Speedup: {speedup:.2}x");
    println!(
        "Instruction reduction: {} ({} -> {})",
        stats1.total_instructions as i64 - stats2.total_instructions as i64,
        stats1.total_instructions,
        stats2.total_instructions
    );
    Ok(())
}
