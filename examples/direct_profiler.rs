//! The guide's "Advanced Features: Direct Profiler Access": drive an `InstructionProfiler`
//! yourself, without a VM, e.g. to profile a custom interpreter or a replayed trace.
//!
//! Run: `cargo run --release --example direct_profiler`

use std::time::Duration;

use zexus::profile::{InstructionProfiler, Level};
use zexus::report::Format;

fn main() {
    // Create a profiler directly.
    let mut profiler = InstructionProfiler::new(Level::Full);

    // Use it in a custom scenario: a replayed trace of a small loop (ips 0..=3, back edge at 3).
    profiler.start();
    profiler.record_instruction(0, "LOAD_CONST", 42);
    profiler.measure_instruction(0, Duration::from_millis(1));
    for _ in 0..1500 {
        for (ip, op) in [(1, "LOAD_NAME"), (2, "ADD"), (3, "JUMP")] {
            profiler.record_instruction(ip, op, "");
            profiler.measure_instruction(ip, Duration::from_nanos(40 * ip as u64));
        }
    }
    profiler.stop();

    // Get results.
    let summary = profiler.summary();
    println!("total instructions: {}", summary.total_instructions);
    println!("hot loops: {}", summary.hot_loops_detected);
    let report = profiler.generate_report(Format::Json, 5);
    println!("{report}");
}
