//! The JIT's diagnostics as options (issue 14, item 4): `zx run --jit-disasm` prints each
//! compiled loop's and function's machine code, `--jit-timing` each compile's step times, both
//! on standard error, for loops and whole functions alike (`VmBuilder::jit_disasm`,
//! `VmBuilder::jit_timing`); the program's output does not change.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// A hot loop in `<main>` (ips 6..18) and a hot recursive int function.
const PROGRAM: &str = "action fib(n) { if n < 2 { return n } return fib(n - 1) + fib(n - 2) }
let s = 0
let i = 0
while i < 3000 { s = s + i; i = i + 1 }
print(s, fib(15))
";

fn zx_run(flags: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zx"))
        .arg("run")
        .args(flags)
        .args(["--hot-threshold", "10", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zx starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(PROGRAM.as_bytes())
        .unwrap();
    let out = child.wait_with_output().expect("zx finishes");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "4498500 610\n");
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn without_the_options_the_jit_prints_nothing() {
    assert_eq!(stderr(&zx_run(&[])), "");
}

#[test]
fn jit_disasm_prints_the_machine_code_of_loops_and_functions() {
    let err = stderr(&zx_run(&["--jit-disasm"]));
    let headers: Vec<&str> = err.lines().filter(|l| l.starts_with("; ")).collect();
    assert_eq!(headers, ["; <main> 6..18", "; fib 0..15"], "{err}");
    // Each header is followed by the code's listing (it ends with a return).
    assert!(err.matches("  ret").count() >= 2, "{err}");
    assert!(!err.contains("jit timing"), "{err}");
}

#[test]
fn jit_timing_prints_each_compile_by_step() {
    let err = stderr(&zx_run(&["--jit-timing"]));
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        lines[0].starts_with("jit timing: <main> 6..18: translate "),
        "{err}"
    );
    assert!(
        lines[1].starts_with("jit timing: fib 0..15: translate "),
        "{err}"
    );
    for l in lines {
        assert!(l.contains(" define ") && l.contains(" finalize "), "{l}");
    }
}

#[test]
fn run_help_documents_both_options() {
    let out = Command::new(env!("CARGO_BIN_EXE_zx"))
        .args(["run", "--help"])
        .output()
        .expect("zx starts");
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("--jit-disasm"), "{help}");
    assert!(help.contains("--jit-timing"), "{help}");
}
