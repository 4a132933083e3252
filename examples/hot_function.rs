//! A recursive function goes hot and is compiled whole (`jit::func`): prints the speedup over
//! the interpreter, the JIT's function events, and what happens when native code gives up
//! (an overflow deep in the recursion): the interpreter re-runs the call and raises the error.
//!
//! `cargo run --release --example hot_function`

use std::time::Instant;

use zexus::{compile, VM};

const FIB: &str = "action fib(n) {\n    if (n < 2) { return n; }\n    return fib(n - 1) + fib(n - 2);\n}\nprint(fib(30));\n";
const FACT: &str = "action fact(n) {\n    if (n < 2) { return 1; }\n    return n * fact(n - 1);\n}\nlet i = 1;\nwhile (i < 25) {\n    print(i, fact(i));\n    i = i + 1;\n}\n";

fn run(src: &str, name: &str, jit: bool, threshold: u32) -> (f64, String, VM) {
    let bc = compile(src, name).unwrap_or_else(|e| panic!("compile errors: {e:?}"));
    let mut vm = VM::builder()
        .jit(jit)
        .hot_threshold(threshold)
        .capture_output(true)
        .build();
    let t = Instant::now();
    let r = vm.execute(&bc);
    let dt = t.elapsed().as_secs_f64();
    let mut out = vm.take_output();
    if let Err(e) = r {
        out.push_str(&format!("error: {e}\n"));
    }
    (dt, out, vm)
}

fn main() {
    let (t0, out0, _) = run(FIB, "fib.zx", false, 1000);
    let (t1, out1, vm) = run(FIB, "fib.zx", true, 1000);
    assert_eq!(out0, out1, "both tiers print the same");
    println!("fib(30) = {}", out1.trim_end());
    println!(
        "interpreter {:.1} ms, JIT {:.1} ms: {:.1}x",
        t0 * 1e3,
        t1 * 1e3,
        t0 / t1
    );
    let s = vm.jit_stats();
    println!("functions compiled: {}", s.functions_compiled);
    for c in &s.events.compiled {
        println!(
            "  {} ip {}..{}: {:.0} µs to compile, {} bytes, {} native calls from the interpreter ({})",
            c.function, c.start_ip, c.end_ip, c.compile_time_us, c.code_bytes, c.entries, c.specialised
        );
    }
    // fact(21) overflows: the native call tree gives up, the interpreter re-runs the call and
    // raises the error, exactly as without the JIT (compiled at its first call here).
    let (_, a, _) = run(FACT, "fact.zx", false, 1);
    let (_, b, vm) = run(FACT, "fact.zx", true, 1);
    assert_eq!(a, b, "same output and error with the JIT");
    println!("\nfact, JIT on (the last lines):");
    for l in b
        .lines()
        .rev()
        .take(3)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        println!("  {l}");
    }
    let s = vm.jit_stats();
    println!(
        "  functions compiled {}, refused or given up {}",
        s.functions_compiled, s.functions_refused
    );
}
