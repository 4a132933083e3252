//! Prints the machine code of every loop the JIT compiles for a program at a profiling level:
//! `cargo run --release --example jit_disasm -- [program.zx] [none|basic|detailed|full]`
//! (default: `examples/primes.zx` at NONE).

use std::process::exit;

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/examples/primes.zx").into());
    let level: zexus::Level = match std::env::args()
        .nth(2)
        .unwrap_or_else(|| "none".into())
        .parse()
    {
        Ok(l) => l,
        Err(e) => {
            eprintln!("jit_disasm: {e}");
            exit(2);
        }
    };
    let src = match std::fs::read_to_string(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("jit_disasm: cannot read {path}: {e}");
            exit(66);
        }
    };
    let bc = match zexus::compile(&src, &path) {
        Ok(bc) => bc,
        Err(errors) => {
            for e in errors {
                eprintln!("{e}");
            }
            exit(65);
        }
    };
    let mut vm = zexus::VM::builder()
        .jit(true)
        .jit_disasm(true)
        .profiling(level)
        .capture_output(true)
        .skip_calibration(true)
        .build();
    if let Err(e) = vm.execute(&bc) {
        eprintln!("{e}");
        exit(70);
    }
}
