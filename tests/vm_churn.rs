//! Creating and dropping 1,000 VMs, each of which compiles loops and functions with the JIT,
//! leaves resident memory flat: compiled code, the JIT's module and every run's buffers are
//! freed with their VM.

use zexus::{compile, Level, Value, VM};

/// Resident set size of this process in bytes (Linux: `/proc/self/statm`).
fn rss() -> Option<usize> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: usize = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

const PROGRAM: &str =
    "action fib(n) { if (n < 2) { return n }\n return fib(n - 1) + fib(n - 2) }\n\
let s = 0\nlet i = 0\nwhile (i < 3000) { s = s + i * 2\n i = i + 1 }\n\
let l = []\nfor each k in range(500) { l.push(k % 7) }\n\
let t = 0\nfor each k in range(50) { t = t + fib(12) }\n\
s + t + len(l)";

fn churn(bc: &zexus::Bytecode, n: usize) {
    for k in 0..n {
        let level = [Level::None, Level::Basic][k % 2];
        let mut vm = VM::builder()
            .jit(true)
            .hot_threshold(2)
            .profiling(level)
            .skip_calibration(true)
            .capture_output(true)
            .build();
        let v = vm.execute(bc).expect("the program runs");
        assert_eq!(v, Value::int(3000 * 2999 + 50 * 144 + 500));
        let s = vm.jit_stats();
        assert!(s.loops_compiled >= 2 && s.functions_compiled >= 1, "{s:?}");
    }
}

#[test]
fn a_thousand_jit_vms_leave_resident_memory_flat() {
    let Some(_) = rss() else {
        eprintln!("no /proc/self/statm: skipped");
        return;
    };
    let bc = compile(PROGRAM, "churn").unwrap();
    // Warm up: allocator pools, Cranelift's lazily built tables, the first code pages.
    churn(&bc, 100);
    let before = rss().unwrap();
    churn(&bc, 1000);
    let after = rss().unwrap();
    let grown = after.saturating_sub(before);
    // A VM that kept its compiled code (a few KB per loop and function, plus the module's
    // pages) would grow this by tens of MB over 1,000 VMs.
    assert!(
        grown < 8 << 20,
        "resident memory grew by {} KB over 1,000 VMs ({} KB -> {} KB)",
        grown >> 10,
        before >> 10,
        after >> 10
    );
}
