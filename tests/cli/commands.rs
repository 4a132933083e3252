//! The `zx` command line: subcommands, standard input, exit codes and report formats.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn zx(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zx"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zx starts");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("zx finishes")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn run_reads_files_and_standard_input() {
    let out = zx(&["run", "examples/fib.zx"], None);
    assert!(out.status.success());
    assert_eq!(
        text(&out.stdout),
        "fib(25) = 75025\nfib_iter(90) = 2880067194370816120\n"
    );
    let out = zx(&["run", "-"], Some("print(\"a\", 1 + 2)"));
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), "a 3\n".to_string())
    );
    for flag in ["--jit", "--no-jit"] {
        let out = zx(&["run", flag, "benches/programs/startup.zx"], None);
        assert_eq!(text(&out.stdout), "ok\n");
    }
}

#[test]
fn exit_codes_follow_sysexits() {
    let out = zx(&["run", "-"], Some("let x = ;\nlet = 2"));
    assert_eq!(out.status.code(), Some(65));
    // Every error, each as `path:line:col: error:`, the source line and a caret.
    assert_eq!(
        text(&out.stderr),
        "<stdin>:1:9: error: expected expression\n  |\n1 | let x = ;\n  |         ^\n\
         <stdin>:2:5: error: expected variable name\n  |\n2 | let = 2\n  |     ^\n"
    );

    let out = zx(&["run", "-"], Some("action f(x) { return x / 0 }\nf(1)"));
    assert_eq!(out.status.code(), Some(70));
    // The caret under the failing operator, then the call trace.
    assert_eq!(
        text(&out.stderr),
        "<stdin>:1:24: error: division by zero\n  |\n1 | action f(x) { return x / 0 }\n  \
         |                        ^\n[line 1] in f\n[line 2] in <main>\n"
    );

    assert_eq!(
        zx(&["run", "/nonexistent/x.zx"], None).status.code(),
        Some(66)
    );
    // Bytes that are not UTF-8 are malformed source, not an unreadable file.
    let out = zx(&["run", "-"], Some("print(1)\n\u{fffd}"));
    assert_eq!(out.status.code(), Some(65));
}

#[test]
fn eval_prints_the_programs_value() {
    let out = zx(&["eval", "let x = 2\nx * 21"], None);
    assert_eq!(text(&out.stdout), "42\n");
    let out = zx(&["eval", "[1, \"x\"]"], None);
    assert_eq!(text(&out.stdout), "[1, \"x\"]\n");
}

#[test]
fn disasm_lists_every_code_object() {
    let out = zx(&["disasm", "examples/fib.zx"], None);
    let s = text(&out.stdout);
    assert!(
        s.contains("== <main>") && s.contains("== fib (") && s.contains("== fib_iter ("),
        "{s}"
    );
    assert!(s.contains("CALL_NAME") && s.contains("RETURN"));
}

#[test]
fn profile_without_a_file_profiles_the_guide_demo() {
    let out = zx(&["profile"], None);
    assert!(out.status.success());
    let s = text(&out.stdout);
    assert!(s.contains("ZEXUS VM INSTRUCTION PROFILING REPORT"));
    // The demo fills every section: FULL with the JIT on, a hot loop compiled, calls,
    // branches, memory, source lines.
    for section in [
        "Profiling Level:       FULL",
        "HOT LOOPS",
        "BRANCHES",
        "MEMORY",
        "FUNCTIONS",
        "CALL GRAPH",
        "SOURCE LINES",
        "ANNOTATED SOURCE: demo.zx",
        "Compiled loops: 1",
    ] {
        assert!(s.contains(section), "{section} in:\n{s}");
    }
    assert!(s.contains("Total Instructions:    4,563,156"), "{s}");
    let err = text(&out.stderr);
    assert!(
        err.contains("Fibonacci(20) = 6765") && err.contains("built-in demo"),
        "{err}"
    );
}

#[test]
fn profile_json_stays_valid_when_the_program_prints() {
    let out = zx(
        &[
            "profile",
            "examples/primes.zx",
            "--level",
            "full",
            "--format",
            "json",
            "--top",
            "5",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is only the report");
    assert_eq!(v["summary"]["profiling_level"], "FULL");
    assert!(v["hot_loops"].as_array().unwrap().len() >= 2);
    assert_eq!(v["hottest_instructions"].as_array().unwrap().len(), 5);
    assert!(text(&out.stderr).contains("twin pairs: 705"));
}

#[test]
fn profile_writes_html_to_a_file() {
    let path = std::env::temp_dir().join(format!("zx-cli-test-{}.html", std::process::id()));
    let out = zx(
        &[
            "profile",
            "examples/fib.zx",
            "--format",
            "html",
            "-o",
            path.to_str().unwrap(),
        ],
        None,
    );
    assert!(out.status.success());
    assert!(
        text(&out.stdout).contains("fib(25) = 75025"),
        "program output stays on stdout with -o"
    );
    let html = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).ok();
    assert!(html.starts_with("<!DOCTYPE html>") && html.contains("fib_iter"));
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "self-contained"
    );
}

#[test]
fn bad_options_are_usage_errors() {
    assert_eq!(
        zx(&["profile", "--level", "fulll"], None).status.code(),
        Some(2)
    );
    assert_eq!(
        zx(&["profile", "--format", "xml"], None).status.code(),
        Some(2)
    );
    assert_eq!(
        zx(&["profile", "--level", "none"], None).status.code(),
        Some(64)
    );
}

#[test]
fn modules_are_found_from_the_file_that_uses_them() {
    // Run from the crate's directory: `_lib/...` is relative to the script, not to here.
    let script = "tests/scripts/modules/run_once.zx";
    let out = zx(&["run", script], None);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        "start\nshapes loaded\nuses_shapes loaded\nbetween\n8\n4\n8\n"
    );
    let out = zx(&["disasm", script], None);
    let listing = text(&out.stdout);
    assert!(listing.contains("== <module shapes>"), "{listing}");
    assert!(listing.contains("== shapes.area"), "{listing}");
    // Profiles name a module's functions `module.function`.
    let out = zx(
        &[
            "profile",
            "tests/scripts/modules/hot_calls.zx",
            "--level",
            "basic",
        ],
        None,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("shapes.area"));
    // From standard input, paths are relative to the working directory.
    let out = zx(
        &["run", "-"],
        Some("use \"tests/scripts/modules/_lib/where.zx\" as w\nprint(w.how)"),
    );
    assert_eq!(
        (out.status.code(), text(&out.stdout)),
        (Some(0), "tests/scripts/modules/_lib/where.zx\n".to_string())
    );
    let out = zx(&["run", "tests/scripts/modules/missing.zx"], None);
    assert_eq!(out.status.code(), Some(65));
}

/// `zx bench` on a run too short to estimate and a long one: the short row says so in each
/// profiled cell, the long one gives an estimate in each.
#[test]
fn bench_cells_say_too_short_or_give_an_estimate() {
    let dir = std::env::temp_dir().join(format!("zx-bench-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let short = dir.join("short.zx");
    let long = dir.join("long.zx");
    std::fs::write(
        &short,
        "let s = 0\nlet i = 0\nwhile (i < 1000) { s = s + i\n i = i + 1 }\nprint(s)\n",
    )
    .unwrap();
    std::fs::write(
        &long,
        "action f(n) { if (n < 1) { return 0 }\n return f(n - 1) + 1 }\n\
         let i = 0\nlet s = 0\n\
         while (i < 100000) { s = s + f(8) + i % 7\n i = i + 1 }\nprint(s)\n",
    )
    .unwrap();
    let out = zx(
        &[
            "bench",
            short.to_str().unwrap(),
            long.to_str().unwrap(),
            "--runs",
            "1",
            "--no-jit",
        ],
        None,
    );
    std::fs::remove_dir_all(&dir).ok();
    assert!(out.status.success(), "{out:?}");
    let table = String::from_utf8(out.stdout).unwrap();
    let short_row = table
        .lines()
        .find(|l| l.contains("short.zx | interp |"))
        .unwrap_or_else(|| panic!("a row for the short program in\n{table}"));
    assert_eq!(
        short_row.matches("est: too short").count(),
        3,
        "{short_row}"
    );
    let long_row = table
        .lines()
        .find(|l| l.contains("long.zx | interp |"))
        .unwrap_or_else(|| panic!("a row for the long program in\n{table}"));
    assert_eq!(long_row.matches("(est ").count(), 3, "{long_row}");
}
