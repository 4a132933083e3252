//! Use case 1 of the guide, "Finding Performance Bottlenecks": profile at DETAILED and read the
//! slowest instructions (by estimated total time) and their latency percentiles.
//!
//! Run: `cargo run --release --example find_bottlenecks`

use zexus::{Format, Level, VM};

const PROGRAM: &str = r#"
action checksum(xs) {
    let h = 0
    for each x in xs {
        h = (h * 31 + x) % 1000000007
    }
    return h
}
let xs = []
let i = 0
while (i < 20000) {
    append(xs, i * i % 977)
    i = i + 1
}
let total = 0
let round = 0
while (round < 20) {
    total = (total + checksum(xs)) % 1000000007
    round = round + 1
}
print("checksum:", total)
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut vm = VM::builder().profiling(Level::Detailed).build();
    vm.eval(PROGRAM)?;

    let summary = vm.profiling_summary()?;
    println!(
        "{} instructions in {:.1} ms",
        summary.total_instructions,
        summary.total_time_sec * 1e3
    );

    // Focus optimisation on the slowest instructions.
    println!(
        "\nSlowest instructions (estimated total time = mean of timed samples x exact count):"
    );
    for s in vm.profiler().slowest_instructions(5) {
        println!(
            "  {:>10} ip {:>3} {:<14} line {:>3}: {:>8.3} ms total, p50 {:.3} us, p99 {:.3} us",
            s.function, s.ip, s.opcode, s.line, s.total_time_ms, s.p50_us, s.p99_us
        );
    }
    println!("\n{}", vm.profiling_report(Format::Text, 10));
    Ok(())
}
