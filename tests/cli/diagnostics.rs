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

/// A fresh directory for one test's files (a program and the modules it uses).
fn dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("zx-diag-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs `zx run main` in `dir` (so paths are as the user would type them there); the exit
/// code and standard error.
fn zx_in(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zx"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("zx runs");
    (out.status.code(), text(&out.stderr))
}

#[test]
fn a_runtime_error_in_a_used_module_shows_the_modules_line() {
    let d = dir("mod-runtime");
    std::fs::write(d.join("main.zx"), "use \"./mod1.zx\" as m\nprint(m.f(1))\n").unwrap();
    std::fs::write(
        d.join("mod1.zx"),
        "export action f(x) {\n    return x / 0\n}\n",
    )
    .unwrap();
    for tier in ["--no-jit", "--jit"] {
        let (code, err) = zx_in(&d, &["run", tier, "main.zx"]);
        assert_eq!(code, Some(70), "{err}");
        assert_eq!(
            err,
            "mod1.zx:2:14: error: division by zero\n  |\n2 |     return x / 0\n  |              ^\n\
             [line 2] in mod1.f\n[line 2] in <main>\n",
            "{tier}"
        );
    }
    // In a subdirectory, named from the working directory; an absolute program path gives
    // absolute module paths.
    let lib = d.join("lib");
    std::fs::create_dir_all(&lib).unwrap();
    std::fs::write(
        lib.join("deep.zx"),
        "export action g(xs) {\n  return xs[5]\n}\n",
    )
    .unwrap();
    std::fs::write(
        d.join("sub.zx"),
        "use { g } from \"./lib/deep.zx\"\ng([1])\n",
    )
    .unwrap();
    let (_, err) = zx_in(&d, &["run", "sub.zx"]);
    assert!(
        err.starts_with(
            "lib/deep.zx:2:12: error: index 5 out of range for list of length 1\n  |\n\
             2 |   return xs[5]\n  |            ^\n"
        ),
        "{err}"
    );
    let main = d.join("sub.zx").canonicalize().unwrap();
    let (_, err) = zx_in(&d, &["run", &main.display().to_string()]);
    let deep = lib.join("deep.zx").canonicalize().unwrap();
    assert!(
        err.starts_with(&format!("{}:2:12: error: index 5", deep.display())),
        "{err}"
    );
    // Through the library: the error carries the module's file and its own position.
    let bc = zexus::compile_file(&d.join("main.zx")).unwrap();
    let e = VM::new().execute(&bc).unwrap_err();
    assert_eq!((e.line, e.column), (2, 14));
    let file = e.file.as_ref().expect("the module's file");
    assert_eq!(file.shown, "mod1.zx");
    assert_eq!(file.text.lines().nth(1), Some("    return x / 0"));
}

#[test]
fn a_compile_error_in_a_used_module_shows_the_modules_line_and_the_use() {
    let d = dir("mod-compile");
    std::fs::write(d.join("mod2.zx"), "let x = 1\nx = x +\n").unwrap();
    std::fs::write(d.join("c5.zx"), "use \"./mod2.zx\" as q\n").unwrap();
    let (code, err) = zx_in(&d, &["run", "c5.zx"]);
    assert_eq!(code, Some(65));
    assert_eq!(
        err,
        "mod2.zx:2:8: error: expected expression\n  |\n2 | x = x +\n  |        ^\n  |\n  \
         = note: in the module used at c5.zx:1:5\n"
    );
    // The library's one-line form still names the file.
    let errors = zexus::compile_file(&d.join("c5.zx")).unwrap_err();
    assert_eq!(
        errors[0].to_string(),
        "[line 2] Error at end: expected expression (in mod2.zx)"
    );
    assert_eq!((errors[0].line, errors[0].column), (2, 8));
    // An error the compiler finds in a module used by a module: the note names the module
    // that uses it.
    std::fs::write(
        d.join("m3.zx"),
        "const k = 1\nexport action g() {\n  k = 2\n}\n",
    )
    .unwrap();
    std::fs::write(d.join("mid.zx"), "let a = 1\n  use \"./m3.zx\" as w\n").unwrap();
    std::fs::write(d.join("top.zx"), "use \"./mid.zx\" as mid\n").unwrap();
    let (_, err) = zx_in(&d, &["run", "top.zx"]);
    assert_eq!(
        err,
        "m3.zx:3:3: error: cannot assign to const 'k'\n  |\n3 |   k = 2\n  |   ^\n  |\n  \
         = note: in the module used at mid.zx:2:7\n"
    );
    // A module a module cannot find: in the module that uses it, at the path.
    std::fs::write(
        d.join("bad.zx"),
        "let y = 2\nuse { z } from \"./gone.zx\"\n",
    )
    .unwrap();
    std::fs::write(d.join("b.zx"), "use \"./bad.zx\"\n").unwrap();
    let (_, err) = zx_in(&d, &["run", "b.zx"]);
    assert!(
        err.starts_with(
            "bad.zx:2:16: error: cannot find module \"./gone.zx\" (looked for gone.zx, \
             zpm_modules/./gone.zx)\n  |\n2 | use { z } from \"./gone.zx\"\n  |                ^^^^^^^^^^^\n"
        ),
        "{err}"
    );
}

#[test]
fn every_compiler_error_points_at_its_token() {
    // (program, header after `path:`, the source line shown, caret column)
    let cases = [
        (
            "const a = 1\nconst a = 2\n",
            "2:7: error: cannot assign to const 'a'",
            "const a = 2",
            7,
        ),
        (
            "use \"./nope.zx\" as q\n",
            "1:5: error: cannot find module \"./nope.zx\" (looked for nope.zx, zpm_modules/./nope.zx)",
            "use \"./nope.zx\" as q",
            5,
        ),
        (
            "entity P { x: int }\nlet p = P(1, 2)\n",
            "2:9: error: P has 1 fields, got 2 arguments",
            "let p = P(1, 2)",
            9,
        ),
        (
            "function f() {\n  entity Q { a: int }\n}\n",
            "2:10: error: a entity can only be declared at the top level",
            "  entity Q { a: int }",
            10,
        ),
        (
            "let n = 1\nexport n, zz\n",
            "2:11: error: cannot export 'zz': it is not declared at the top level",
            "export n, zz",
            11,
        ),
        (
            "if (true) {\n    break\n}\n",
            "2:5: error: 'break' outside a loop",
            "    break",
            5,
        ),
    ];
    let d = dir("compile-cols");
    for (i, (src, header, code, col)) in cases.iter().enumerate() {
        let name = format!("c{i}.zx");
        std::fs::write(d.join(&name), src).unwrap();
        let (status, err) = zx_in(&d, &["run", &name]);
        assert_eq!(status, Some(65), "{err}");
        assert!(
            err.starts_with(&format!("{name}:{header}\n")),
            "{name}: {err}"
        );
        assert_eq!(caret_column(&err, code), *col, "{err}");
    }
    // The library's errors carry the column (here with no file: from the source text).
    let errors = compile("const a = 1\nconst a = 2\n", "t.zx").unwrap_err();
    assert_eq!((errors[0].line, errors[0].column), (2, 7));
    assert_eq!(
        errors[0].to_string(),
        "[line 2] Error at 'a': cannot assign to const 'a'"
    );
}

#[test]
fn the_repl_shows_an_earlier_inputs_line_for_an_error_in_its_function() {
    let mut repl = zexus::repl::Repl::new(false, 1000);
    let (mut out, mut err) = (Vec::new(), Vec::new());
    for line in [
        "let z = 0",
        "function f(x) {",
        "  return x / z",
        "}",
        "f(2)",
    ] {
        repl.feed(line, &mut out, &mut err).unwrap();
    }
    assert_eq!(
        text(&err),
        "<repl>:2:12: error: division by zero\n  |\n2 |   return x / z\n  |            ^\n\
         [line 2] in f\n[line 1] in <main>\n"
    );
}
