//! Use case 4 of the guide, "Profiling Zexus Programs": evaluate source code on a VM with
//! profiling at FULL and print the text report. The program is the guide's own.
//!
//! Run: `cargo run --release --example profile_program`

use zexus::{Format, Level, VM};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let code = "
let sum = 0
let i = 0
while (i < 1000) {
    sum = sum + i
    i = i + 1
}
sum
";
    let mut vm = VM::builder().profiling(Level::Full).build();
    let result = vm.eval(code)?;
    println!("result = {result}"); // 499500

    let report = vm.profiling_report(Format::Text, 20);
    println!("{report}");
    Ok(())
}
