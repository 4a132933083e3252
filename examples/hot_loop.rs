//! A loop goes hot, is compiled by the Cranelift tier and entered at its header; prints the
//! speedup over the interpreter and the JIT events.
//!
//! `cargo run --release --example hot_loop [path/to/program.zx]` (default: a counted sum loop).

use std::time::Instant;

use zexus::{compile, Format, Level, VM};

const DEFAULT: &str = "let n = 30000000;\nlet s = 0;\nlet i = 0;\nwhile (i < n) {\n    s = s + i;\n    i = i + 1;\n}\nprint(s);\n";

fn main() {
    let (src, name) = match std::env::args().nth(1) {
        Some(p) => (std::fs::read_to_string(&p).expect("readable program"), p),
        None => (DEFAULT.to_string(), "<loop_sum>".to_string()),
    };
    let bc = compile(&src, &name).unwrap_or_else(|e| panic!("compile errors: {e:?}"));
    let mut times = Vec::new();
    for jit in [false, true] {
        let mut vm = VM::builder().jit(jit).capture_output(true).build();
        let t = Instant::now();
        let r = vm.execute(&bc);
        let dt = t.elapsed();
        println!(
            "jit={jit:<5} {:>10.3} ms  output: {}",
            dt.as_secs_f64() * 1e3,
            vm.take_output().trim_end()
        );
        if let Err(e) = r {
            println!("  error: {e}");
        }
        if jit {
            let s = vm.jit_stats();
            println!(
                "  loops compiled {}, refused {}, entries {}, side exits {}, median compile {:.0} µs, {} bytes of code",
                s.loops_compiled, s.loops_refused, s.entries, s.side_exits, s.median_compile_time_us, s.code_bytes
            );
        }
        times.push(dt.as_secs_f64());
    }
    println!("speedup: {:.1}x", times[0] / times[1]);
    // The same run profiled at BASIC: the JIT events appear in the report.
    let mut vm = VM::builder()
        .jit(true)
        .profiling(Level::Basic)
        .capture_output(true)
        .build();
    vm.execute(&bc).expect("runs");
    let report = vm.profiling_report(Format::Text, 5);
    if let Some(at) = report.find("JIT") {
        println!("{}", &report[at..]);
    }
}
