//! Errors as a compiler prints them: `path:line:col: error: message`, the source line and a
//! caret under the token, for compile errors and for runtime errors in both tiers (the JIT
//! reports the interpreter's position), and `--color`.

use std::process::{Command, Output};

use zexus::diagnostic::Diagnostics;
use zexus::{compile, VM};

fn zx(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_zx"));
    c.args(args)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE");
    for (k, v) in envs {
        c.env(k, v);
    }
    c.output().expect("zx runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Writes `source` to a fresh file named `name` and returns its path.
fn file(name: &str, source: &str) -> String {
    let dir = std::env::temp_dir().join(format!("zx-diag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, source).unwrap();
    path.display().to_string()
}

/// The column (1-based) of the caret on the line after `code_line` in `err`, and checks the
/// line shows `code`.
fn caret_column(err: &str, code: &str) -> usize {
    let lines: Vec<&str> = err.lines().collect();
    let i = lines
        .iter()
        .position(|l| l.ends_with(code))
        .unwrap_or_else(|| panic!("no source line {code:?} in\n{err}"));
    let gutter = lines[i].len() - code.len();
    let caret = lines[i + 1].find('^').expect("a caret") + 1;
    caret - gutter
}

#[test]
fn a_compile_error_in_a_file_points_at_its_token() {
    let path = file(
        "compile.zx",
        "let total = 0\nfor each x in [1, 2] {\n  total = total + * x\n}\n",
    );
    let out = zx(&["run", &path], &[]);
    assert_eq!(out.status.code(), Some(65));
    let err = text(&out.stderr);
    assert!(
        err.starts_with(&format!("{path}:3:19: error: expected expression\n")),
        "{err}"
    );
    assert_eq!(caret_column(&err, "  total = total + * x"), 19, "{err}");
    // Errors the compiler finds after parsing point at their statement's name.
    let path = file("const.zx", "const N = 1\nprint(N)\n   N = 2\n");
    let err = text(&zx(&["run", &path], &[]).stderr);
    assert!(
        err.starts_with(&format!("{path}:3:4: error: cannot assign to const 'N'\n")),
        "{err}"
    );
    assert_eq!(caret_column(&err, "   N = 2"), 4, "{err}");
}

#[test]
fn a_runtime_error_points_at_the_failing_token_in_both_tiers() {
    // Division by zero in a loop the JIT compiles (it fails on iteration 500), and an index
    // out of range in a function called from a compiled loop.
    let cases = [
        (
            "let i = 0\nlet s = 0\nwhile (i < 1000) {\n  s = s + 100 / (500 - i)\n  i = i + 1\n}\n",
            "4:15: error: division by zero",
            "  s = s + 100 / (500 - i)",
            15,
        ),
        (
            "function g(n) {\n  let t = 0\n  for each k in range(0, n) {\n    t = t + [1, 2, 3][k]\n  }\n  return t\n}\nfor each j in range(0, 2000) { g(3) }\ng(5)\n",
            "4:22: error: index 3 out of range for list of length 3",
            "    t = t + [1, 2, 3][k]",
            22,
        ),
        (
            "let m = {\"a\": 1}\nprint(len(m))\nlet v = undefined_thing(m)\n",
            "3:9: error: undefined variable 'undefined_thing'",
            "let v = undefined_thing(m)",
            9,
        ),
    ];
    for (i, (src, header, code, col)) in cases.iter().enumerate() {
        let path = file(&format!("runtime{i}.zx"), src);
        let mut shown = Vec::new();
        for tier in ["--no-jit", "--jit"] {
            let out = zx(&["run", tier, "--hot-threshold", "10", &path], &[]);
            assert_eq!(out.status.code(), Some(70), "{tier}");
            let err = text(&out.stderr);
            assert!(
                err.starts_with(&format!("{path}:{header}\n")),
                "{tier}: {err}"
            );
            assert_eq!(caret_column(&err, code), *col, "{tier}: {err}");
            shown.push(err);
        }
        assert_eq!(shown[0], shown[1], "the tiers disagree");
    }
}

#[test]
fn the_library_reports_the_same_line_and_column_from_both_tiers() {
    let src =
        "let i = 0\nlet s = 0\nwhile (i < 1000) {\n  s = s + 100 / (500 - i)\n  i = i + 1\n}\n";
    let bc = compile(src, "t.zx").unwrap();
    let mut seen = Vec::new();
    for jit in [false, true] {
        let mut vm = VM::builder().jit(jit).hot_threshold(10).build();
        let e = vm.execute(&bc).unwrap_err();
        if jit {
            assert!(vm.jit_stats().loops_compiled >= 1, "{:?}", vm.jit_stats());
        }
        seen.push((e.line, e.column, e.message.clone()));
    }
    assert_eq!(seen[0], (4, 15, "division by zero".to_string()));
    assert_eq!(seen[0], seen[1]);
    // A natively compiled int function fails at the same token as the interpreter.
    let src = "action m(a, b) { return a % b }\nlet t = 0\n\
               for each k in range(1, 3000) { t = t + m(k, k) }\nprint(t)\nm(1, 0)\n";
    let bc = compile(src, "t.zx").unwrap();
    let mut seen = Vec::new();
    for jit in [false, true] {
        let mut vm = VM::builder().jit(jit).hot_threshold(10).build();
        let e = vm.execute(&bc).unwrap_err();
        if jit {
            assert!(
                vm.jit_stats().functions_compiled >= 1,
                "{:?}",
                vm.jit_stats()
            );
        }
        seen.push((e.line, e.column, e.message.clone(), e.trace.clone()));
    }
    assert_eq!((seen[0].0, seen[0].1), (1, 27), "{:?}", seen[0]);
    assert_eq!(seen[0], seen[1]);
    // Compile errors carry their column too.
    let errors = compile("let a = 1\nprint(a +)", "t.zx").unwrap_err();
    assert_eq!((errors[0].line, errors[0].column), (2, 10));
    let d = Diagnostics::new("t.zx", "let a = 1\nprint(a +)");
    assert_eq!(
        d.compile_errors(&errors),
        "t.zx:2:10: error: expected expression\n  |\n2 | print(a +)\n  |          ^"
    );
}

#[test]
fn color_is_chosen_by_the_flag_and_the_terminal() {
    let path = file("color.zx", "print(1 / 0)\n");
    let bad = file("color_compile.zx", "print(1 +)\n");
    for sub in [&["run"][..], &["profile", "--top", "3"][..]] {
        for p in [&path, &bad] {
            let args = |color: &str| {
                let mut a: Vec<&str> = sub.to_vec();
                a.extend(["--color", color, p.as_str()]);
                a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
            };
            let run = |color: &str, envs: &[(&str, &str)]| {
                let a = args(color);
                let a: Vec<&str> = a.iter().map(String::as_str).collect();
                text(&zx(&a, envs).stderr)
            };
            let always = run("always", &[]);
            assert!(always.contains("\x1b["), "{sub:?} {p}: {always}");
            assert!(always.contains("error"), "{always}");
            assert!(!run("never", &[]).contains('\x1b'));
            // Standard error is a pipe here: auto means no colour, with or without NO_COLOR.
            assert!(!run("auto", &[]).contains('\x1b'));
            assert!(!run("auto", &[("NO_COLOR", "1")]).contains('\x1b'));
            // `always` wins over NO_COLOR.
            assert!(run("always", &[("NO_COLOR", "1")]).contains("\x1b["));
        }
    }
    // A bad value is a usage error naming the option.
    let out = zx(&["run", "--color", "sometimes", &path], &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("--color"));
}
