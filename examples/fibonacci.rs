//! The guide's "Real-World Profiling Session": an iterative Fibonacci program built with
//! `BytecodeBuilder`, run on a profiled VM, with the text report and the summary printed.
//!
//! Run: `cargo run --release --example fibonacci`

use zexus::report::Format;
use zexus::{BytecodeBuilder, Level, VM};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Create a profiled VM.
    let mut vm = VM::builder().profiling(Level::Detailed).jit(false).build();

    // Build the Fibonacci bytecode.
    let mut builder = BytecodeBuilder::new();
    // n = 20
    builder.emit_load_const(20);
    builder.emit_store_name("n");
    // a = 0, b = 1
    builder.emit_load_const(0);
    builder.emit_store_name("a");
    builder.emit_load_const(1);
    builder.emit_store_name("b");
    // i = 0
    builder.emit_load_const(0);
    builder.emit_store_name("i");
    // while i < n:
    builder.emit_label("loop");
    builder.emit_load_name("i");
    builder.emit_load_name("n");
    builder.emit_lt();
    builder.emit_jump_if_false("end");
    //   temp = a + b
    builder.emit_load_name("a");
    builder.emit_load_name("b");
    builder.emit_add();
    builder.emit_store_name("temp");
    //   a = b
    builder.emit_load_name("b");
    builder.emit_store_name("a");
    //   b = temp
    builder.emit_load_name("temp");
    builder.emit_store_name("b");
    //   i = i + 1
    builder.emit_load_name("i");
    builder.emit_load_const(1);
    builder.emit_add();
    builder.emit_store_name("i");
    builder.emit_jump("loop");
    // return a
    builder.emit_label("end");
    builder.emit_load_name("a");
    builder.emit_return();

    let bytecode = builder.build()?;

    // Execute.
    let result = vm.execute(&bytecode)?;
    println!("Fibonacci(20) = {result}");

    // The detailed profiling report.
    println!("\n{}", vm.profiling_report(Format::Text, 15));

    // The summary.
    let summary = vm.profiling_summary()?;
    println!("\nPerformance Summary:");
    println!("   Total Instructions: {}", summary.total_instructions);
    println!(
        "   Execution Time: {:.2}ms",
        summary.total_time_sec * 1000.0
    );
    println!("   Instructions/sec: {:.0}", summary.instructions_per_sec);
    Ok(())
}
