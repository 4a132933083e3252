//! `zx profile` reports say only what they know (issue 11, items 5 and 6): counts only at
//! BASIC, the runtime error a run ended in in every format, and the report of an interrupted
//! run written, marked incomplete, with exit code 130 (SIGINT) or 143 (SIGTERM).

use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn program(name: &str, src: &str) -> String {
    let path = std::env::temp_dir().join(format!("zx-cli-profile-{}-{name}", std::process::id()));
    std::fs::write(&path, src).unwrap();
    path.display().to_string()
}

fn zx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zx"))
        .args(args)
        .output()
        .expect("zx runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn basic_reports_have_no_time_columns() {
    let p = program(
        "basic.zx",
        "let s = 0\nfor each i in range(100) { s = s + i }\nprint(s)\n",
    );
    let out = zx(&["profile", &p, "--level", "basic"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("HOTTEST"), "{report}");
    assert!(
        !report.contains("(ms)") && !report.contains("(μs)"),
        "{report}"
    );
    let out = zx(&["profile", &p, "--level", "detailed"]);
    let report = text(&out.stdout);
    assert!(
        report.contains("% run") && report.contains("Execution Time"),
        "{report}"
    );
}

#[test]
fn a_runtime_error_is_reported_in_every_format() {
    let p = program("error.zx", "let x = 1\nlet y = 0\nprint(x / y)\n");
    for (format, needle) in [
        ("text", "RUNTIME ERROR at line 3"),
        ("html", "ended in a runtime error</strong> at line 3"),
    ] {
        let out = zx(&["profile", &p, "--level", "detailed", "--format", format]);
        assert_eq!(out.status.code(), Some(70));
        assert!(
            text(&out.stdout).contains(needle),
            "{format}: {}",
            text(&out.stdout)
        );
    }
    let out = zx(&["profile", &p, "--level", "full", "--format", "json"]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(j["error"]["message"], "division by zero");
    assert_eq!(j["error"]["line"], 3);
    assert_eq!(j["incomplete"], false);
    // A run that ends normally has no error object.
    let ok = program("ok.zx", "print(1)\n");
    let out = zx(&["profile", &ok, "--format", "json"]);
    let j: serde_json::Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert!(j.get("error").is_none(), "{j}");
}

/// How long `zx profile` takes to start, calibrate its overhead estimate and profile a
/// one-line program on this machine now (a fifth of a second of CPU, several times that in
/// wall time when other processes share the CPUs).
fn startup() -> Duration {
    let p = program("startup.zx", "print(1)\n");
    let t = std::time::Instant::now();
    let out = zx(&["profile", &p, "--level", "detailed"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    t.elapsed()
}

/// Starts `zx profile` on an endless loop, sends `signal` once it is surely running the
/// program (past its start-up, which a signal would interrupt before anything ran), and
/// returns what it wrote and its exit code.
fn interrupted(level: &str, signal: i32, format: &str) -> (Option<i32>, String) {
    let wait = Duration::from_millis(400).max(startup() * 2);
    let p = program(
        &format!("endless-{level}-{signal}.zx"),
        "action step(i) { return i + 1 }\nlet i = 0\nwhile (true) { i = step(i) }\n",
    );
    let child = Command::new(env!("CARGO_BIN_EXE_zx"))
        .args(["profile", &p, "--level", level, "--format", format])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zx starts");
    std::thread::sleep(wait);
    // SAFETY: `kill` on the child's pid, which has not been waited for yet.
    unsafe { libc::kill(child.id() as i32, signal) };
    let out = child.wait_with_output().expect("zx finishes");
    (out.status.code(), text(&out.stdout))
}

#[test]
fn an_interrupted_run_writes_its_report_marked_incomplete() {
    let (code, report) = interrupted("detailed", libc::SIGINT, "text");
    assert_eq!(code, Some(130), "{report}");
    assert!(report.contains("INCOMPLETE"), "{report}");
    assert!(
        report.contains("step"),
        "the report shows what ran: {report}"
    );
    let (code, report) = interrupted("basic", libc::SIGTERM, "json");
    assert_eq!(code, Some(143), "{report}");
    let j: serde_json::Value = serde_json::from_str(&report).expect("valid JSON");
    assert_eq!(j["incomplete"], true);
    assert!(j["summary"]["total_instructions"].as_u64().unwrap() > 0);
}

#[test]
fn the_jit_section_gives_every_uncompiled_loop_a_reason() {
    // The outer loop runs 300 times (under the threshold), the inner one 300 x 50 times.
    let p = program(
        "nested.zx",
        "let acc = 0\nlet i = 0\nwhile (i < 300) { let j = 0\n while (j < 50) { acc = acc + j\n j = j + 1 }\n i = i + 1 }\nprint(acc)\n",
    );
    let out = zx(&["profile", &p, "--jit", "--level", "full"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(report.contains("Compiled loops"), "{report}");
    assert!(
        report.contains("300 iterations, threshold 1000"),
        "{report}"
    );
    let out = zx(&[
        "profile", &p, "--jit", "--level", "full", "--format", "json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let j: serde_json::Value = serde_json::from_str(&text(&out.stdout)).expect("valid JSON");
    let reasons = j["jit_not_compiled"].as_array().expect("jit_not_compiled");
    assert!(
        reasons
            .iter()
            .any(|r| r["reason"] == "300 iterations, threshold 1000" && r["function"] == "<main>"),
        "{j:#}"
    );
    assert!(j["jit_recompiled"].is_array(), "{j:#}");
}

#[test]
fn top_limits_every_table_in_text_and_html() {
    // Three loops under the JIT's threshold: three "not compiled" rows, nine opcodes.
    let p = program(
        "three.zx",
        "let a = 0\nlet i = 0\nwhile (i < 300) { a = a + i\n i = i + 1 }\nlet j = 0\nwhile (j < 200) { a = a + j\n j = j + 1 }\nlet k = 0\nwhile (k < 100) { a = a + k\n k = k + 1 }\nprint(a)\n",
    );
    let out = zx(&["profile", &p, "--jit", "--level", "full", "--top", "1"]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let report = text(&out.stdout);
    assert!(
        report.contains("300 iterations, threshold 1000"),
        "{report}"
    );
    assert!(!report.contains("200 iterations"), "{report}");
    assert!(
        report.contains("(2 more rows; --top 3 shows them all)"),
        "{report}"
    );
    let opcodes = report
        .split("MOST COMMON OPCODES")
        .nth(1)
        .and_then(|s| s.split("TOP 1 HOTTEST").next())
        .expect("opcode section");
    let rows = opcodes.lines().filter(|l| l.ends_with("%)")).count();
    assert_eq!(rows, 1, "{opcodes}");
    assert!(opcodes.contains("more rows"), "{opcodes}");
    let out = zx(&[
        "profile", &p, "--jit", "--level", "full", "--top", "1", "--format", "html",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let html = text(&out.stdout);
    assert!(html.contains("300 iterations, threshold 1000"), "too short");
    assert!(!html.contains("200 iterations"), "--top 1 keeps one reason");
    assert!(html.contains("(2 more rows; --top 3 shows them all)"));
    assert!(!html.contains("All opcodes"));
}
