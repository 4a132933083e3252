//! Prints the machine code of every loop the JIT compiles for a program at a profiling level:
//! `cargo run --release --example jit_disasm -- program.zx [none|basic|detailed|full]`.

fn main() {
    let path = std::env::args().nth(1).expect("a program");
    let level: zexus::Level = std::env::args()
        .nth(2)
        .unwrap_or_else(|| "none".into())
        .parse()
        .expect("a level");
    let src = std::fs::read_to_string(&path).expect("readable");
    let bc = zexus::compile(&src, &path).expect("compiles");
    std::env::set_var("ZEXUS_JIT_DISASM", "1");
    let mut vm = zexus::VM::builder()
        .jit(true)
        .profiling(level)
        .capture_output(true)
        .skip_calibration(true)
        .build();
    vm.execute(&bc).expect("runs");
}
