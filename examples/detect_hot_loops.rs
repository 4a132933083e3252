//! Use case 2 of the guide, "Detecting Hot Loops": profile at FULL, then read the hot loops
//! from the JSON report, as the guide does, and from the profiler directly ("Hot Loop Analysis").
//!
//! Run: `cargo run --release --example detect_hot_loops`

use zexus::{Format, Level, VM};

const PROGRAM: &str = r#"
let n = 300
let acc = 0
let i = 0
while (i < n) {
    let j = 0
    while (j < n) {
        acc = (acc + i * j) % 1000003
        j = j + 1
    }
    i = i + 1
}
print(acc)
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut vm = VM::builder().profiling(Level::Full).build();
    vm.eval(PROGRAM)?;

    // As in the guide: through the JSON report.
    let report: serde_json::Value = serde_json::from_str(&vm.profiling_report(Format::Json, 20))?;
    for l in report["hot_loops"].as_array().into_iter().flatten() {
        println!("Hot loop: IP {}-{}", l["start_ip"], l["end_ip"]);
        println!("  Iterations: {}", l["iterations"]);
        println!(
            "  Avg time/iter: {:.4}μs",
            l["avg_iteration_us"].as_f64().unwrap_or(0.0)
        );
    }

    // "Hot Loop Analysis": straight from the profiler.
    for l in vm.profiler().hot_loops(1000) {
        println!(
            "\nHot Loop: IP {} -> {} in {}",
            l.start_ip, l.end_ip, l.function
        );
        println!("  Iterations: {}", l.iterations);
        println!("  Total Time: {:.2}ms", l.total_time.as_secs_f64() * 1000.0);
        println!(
            "  Avg/Iteration: {:.4}μs",
            l.total_time.as_secs_f64() / l.iterations as f64 * 1e6
        );
        let first: Vec<&str> = l.instructions.iter().take(5).map(String::as_str).collect();
        println!("  Instructions: {}", first.join(", "));
    }
    Ok(())
}
