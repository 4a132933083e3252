//! `zx repl` driven through standard input (not a terminal: plain lines, no prompts), and the
//! session API under it: variables and functions kept between inputs, multi-line blocks,
//! errors that leave the session running, and the commands.

use std::io::Write;
use std::process::{Command, Stdio};

use zexus::repl::{is_incomplete, Repl, Step};
use zexus::session::Session;
use zexus::{Level, Value, VM};

/// Runs `zx repl` with `input` on standard input; returns (stdout, stderr, success).
fn repl(args: &[&str], input: &str) -> (String, String, bool) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_zx"))
        .arg("repl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("zx runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write stdin");
    let out = child.wait_with_output().expect("zx finishes");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.success(),
    )
}

#[test]
fn variables_functions_and_blocks_persist_between_lines() {
    let input = "\
let x = 20
function twice(n) {
    return n * 2
}
twice(x) + 2
let xs = [1, 2, 3]
xs[0] = 100
xs[0] + len(xs)
let f = twice
f(5)
print(\"hello\", x)
\"a string\"
";
    let (out, err, ok) = repl(&["--no-jit"], input);
    assert!(ok, "{err}");
    assert_eq!(err, "");
    assert_eq!(out, "42\n103\n10\nhello 20\n\"a string\"\n");
}

#[test]
fn errors_leave_the_session_running() {
    let input = "\
let x = 1
x + null
let y = (
oops )
x = 5
x + \"s\" * null
let = 5
x
undefined_name + 1
x * 2
";
    let (out, err, ok) = repl(&["--no-jit"], input);
    assert!(ok, "{err}");
    assert_eq!(out, "5\n10\n");
    let lines: Vec<&str> = err.lines().collect();
    // Each error with the caret under the input line.
    assert_eq!(
        lines[..4],
        [
            "<repl>:1:3: error: attempt to add int and null",
            "  |",
            "1 | x + null",
            "  |   ^"
        ],
        "{err}"
    );
    // The two-line input's error is on its line 2.
    assert!(
        err.contains("<repl>:2:1: error: undefined variable 'oops'\n  |\n2 | oops )\n  | ^^^^\n[line 2] in <main>\n"),
        "{err}"
    );
    assert!(
        err.contains("<repl>:1:9: error: attempt to multiply string and null"),
        "{err}"
    );
    // A compile error.
    assert!(
        err.contains("<repl>:1:5: error: expected variable name\n  |\n1 | let = 5\n  |     ^\n"),
        "{err}"
    );
    assert!(err.contains("undefined variable 'undefined_name'"), "{err}");
}

#[test]
fn profile_command_reports_one_line() {
    let input = "\
function sum_to(n) {
    let s = 0
    let i = 0
    while (i < n) {
        s = s + i
        i = i + 1
    }
    return s
}
:level full
:profile sum_to(2000)
sum_to(10)
";
    let (out, err, ok) = repl(&["--no-jit"], input);
    assert!(ok, "{err}");
    assert!(
        out.starts_with("profiling level for :profile: FULL\n1999000\n"),
        "{out}"
    );
    assert!(
        out.contains("ZEXUS VM INSTRUCTION PROFILING REPORT"),
        "{out}"
    );
    assert!(out.contains("Profiling Level:       FULL"), "{out}");
    assert!(out.contains("HOT LOOPS"), "{out}");
    // Only the profiled line is in the report, and the next line runs unprofiled.
    assert!(out.ends_with("45\n"), "{out}");
}

#[test]
fn commands() {
    let input = "\
:help
:jit
:jit off
:jit
let n = 3
:jit on
n + 1
:level
:level loud
:disasm n * 7
:disasm
:vars
:nope
:quit
n + 100
";
    let (out, err, ok) = repl(&["--jit"], input);
    assert!(ok, "{err}");
    assert!(out.contains(":profile <code>"), "{out}");
    assert!(
        out.contains("jit: on\njit: off\njit: off\njit: on\n4\n"),
        "{out}"
    );
    assert!(
        out.contains("profiling level for :profile: DETAILED\n"),
        "{out}"
    );
    assert!(err.contains(":level: "), "{err}");
    assert!(out.contains("MUL"), "{out}");
    // :disasm with no code shows the last input's program (`n + 1`): an ADD.
    assert!(out.contains("ADD"), "{out}");
    assert!(out.contains("n = 3\n"), "{out}");
    assert!(err.contains("unknown command ':nope'"), "{err}");
    // Nothing after :quit runs.
    assert!(!out.contains("103"), "{out}");
}

#[test]
fn the_jit_keeps_results_and_globals() {
    let input = "\
let total = 0
let i = 0
while (i < 100000) {
    total = total + i
    i = i + 1
}
total
i
";
    for args in [["--jit"], ["--no-jit"]] {
        let (out, err, ok) = repl(&args, input);
        assert!(ok, "{err}");
        assert_eq!(out, "4999950000\n100000\n", "{args:?}");
    }
}

#[test]
fn unfinished_input_detection() {
    assert!(is_incomplete("function f() {"));
    assert!(is_incomplete("let x = [1,\n2"));
    assert!(is_incomplete("let s = \"abc"));
    assert!(is_incomplete("/* comment"));
    assert!(!is_incomplete("function f() { return 1 }"));
    assert!(!is_incomplete("let x = 1"));
    // Too many closers is complete (and a syntax error when run).
    assert!(!is_incomplete("}"));
}

#[test]
fn session_api() {
    let mut s = Session::new(VM::builder().profiling(Level::Basic).build());
    s.run("let a = 2\nconst K = 10").unwrap();
    assert_eq!(s.global("a"), Some(&Value::int(2)));
    assert_eq!(s.run("a * K").unwrap(), Value::int(20));
    // A const stays one.
    let e = s.run("K = 3").unwrap_err().to_string();
    assert!(e.contains("cannot assign to const 'K'"), "{e}");
    // Functions keep working after later inputs add functions.
    s.run("function inc(v) { return v + 1 }").unwrap();
    s.run("let fs = [inc]").unwrap();
    s.run("function dec(v) { return v - 1 }").unwrap();
    assert_eq!(s.run("fs[0](dec(a))").unwrap(), Value::int(2));
    // Redefining a function replaces it.
    s.run("function inc(v) { return v + 100 }").unwrap();
    assert_eq!(s.run("inc(0)").unwrap(), Value::int(100));
    assert_eq!(s.run("fs[0](0)").unwrap(), Value::int(1));
    assert!(s.global_names().contains(&"fs"));
    // The VM profiled every input.
    assert!(s.vm().profiling_summary().unwrap().total_instructions > 0);
}

#[test]
fn repl_struct_drives_without_a_process() {
    let mut r = Repl::new(false, 1000);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    assert_eq!(r.prompt(), "zx> ");
    r.feed("if (true) {", &mut out, &mut err).unwrap();
    assert_eq!(r.prompt(), "... ");
    r.cancel();
    assert_eq!(r.prompt(), "zx> ");
    r.feed("let v = 7", &mut out, &mut err).unwrap();
    r.feed("v * 6", &mut out, &mut err).unwrap();
    assert_eq!(r.feed(":quit", &mut out, &mut err).unwrap(), Step::Quit);
    assert_eq!(String::from_utf8(out).unwrap(), "42\n");
    assert!(err.is_empty());
}
