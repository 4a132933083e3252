//! Compile errors: the `[line N] Error at 'tok': message` format, several errors per file
//! (the parser recovers after each), the parser's errors first, and the crate-level `Error`.

use zexus::{compile, eval, Error};

/// Every error `compile` reports for `src`, as displayed.
fn errors(src: &str) -> Vec<String> {
    match compile(src, "<test>") {
        Ok(_) => panic!("{src:?} compiled"),
        Err(errors) => errors.iter().map(|e| e.to_string()).collect(),
    }
}

#[test]
fn syntax_errors_are_reported_with_line_and_token() {
    assert_eq!(
        errors("let = 5"),
        ["[line 1] Error at '=': expected variable name"]
    );
    assert_eq!(
        errors("print(1 +);"),
        ["[line 1] Error at ')': expected expression"]
    );
    assert_eq!(
        errors("let x = 1\nlet y = (x + 2"),
        ["[line 2] Error at end: expected ')' after expression"]
    );
    assert_eq!(
        errors("\n\nlet x = 3 @ 4"),
        ["[line 3] Error at '@': unexpected character '@'"]
    );
}

#[test]
fn the_parser_recovers_and_reports_each_bad_statement() {
    let src = "let = 1\nlet ok = 2\nprint(ok +)\nlet y = 3 4\nwhile {\n  1 +\n}\nz = ]\n";
    assert_eq!(
        errors(src),
        [
            "[line 1] Error at '=': expected variable name",
            "[line 3] Error at ')': expected expression",
            "[line 4] Error at '4': expected ';' or newline after statement",
            "[line 7] Error at '}': expected expression",
            "[line 8] Error at ']': expected expression",
        ]
    );
}

#[test]
fn compiler_errors_are_all_reported() {
    let src = "\
const A = 1
action f(p) {
  action g() {
    return p + A
  }
  A += 1
  return g()
}
undeclared += 3
let s = \"x\"
if (s) {
  let inner = 1
}
inner -= 2
";
    assert_eq!(
        errors(src),
        [
            "[line 6] Error at 'A': cannot assign to const 'A'",
            "[line 9] Error at 'undeclared': undefined variable 'undeclared'",
            "[line 14] Error at 'inner': undefined variable 'inner'",
        ]
    );
}

#[test]
fn parser_errors_come_first_then_the_compilers() {
    // A variable whose `let` did not parse is not reported again as undefined.
    let src = "const N = 1\nlet x = 3 @ 4\nN = 2\nx = 3\nbreak\n";
    assert_eq!(
        errors(src),
        [
            "[line 2] Error at '@': unexpected character '@'",
            "[line 5] Error at 'break': 'break' outside a loop",
            "[line 3] Error at 'N': cannot assign to const 'N'",
        ]
    );
}

#[test]
fn a_const_cannot_be_assigned_anywhere() {
    for src in [
        "const N = 1\nN = 2",
        "const N = 1\nN -= 1",
        "const N = 1\naction f() { N = 2 }",
        "const N = 1\nconst N = 2",
        "action f() {\n const K = 1\n if (K) { K = 2 }\n}",
        "for each i in range(3) { const K = i\n K += 1 }",
    ] {
        let errs = errors(src);
        assert_eq!(errs.len(), 1, "{src:?}: {errs:?}");
        assert!(
            errs[0].contains("cannot assign to const"),
            "{src:?}: {errs:?}"
        );
    }
    // A const redeclared in an inner block is a new variable.
    assert!(compile("const N = 1\nif (N) { let N = 2\nN = 3 }", "<t>").is_ok());
}

#[test]
fn closures_compile_for_reads_writes_and_calls() {
    // Enclosing functions' variables are captured (closures), not errors.
    for src in [
        "action f(a) { action g() { return a } }",
        "action f(a) { action g() { a = 1 } }",
        "action f() { let h = 1\n action g() { return h() } }",
        "action f() { let v = 1\n action g() { action k() { return v } } }",
    ] {
        assert!(compile(src, "<test>").is_ok(), "{src:?}");
    }
    let ok = "let G = 1\naction f(a) {\n action g(n) { return n <= 0 ? G : g(n - 1) + len([n]) }\n return g(a)\n}\nf(3)";
    assert_eq!(eval(ok).unwrap(), zexus::Value::int(4));
    let counter = "action mk() {\n let c = 0\n return lambda: c = c + 1\n}\n1";
    assert!(
        !errors(counter).is_empty(),
        "an assignment is not an expression"
    );
    let counter = "action mk() {\n let c = 0\n action inc() { c = c + 1\n return c }\n return inc\n}\nlet i = mk()\ni()\ni()";
    assert_eq!(eval(counter).unwrap(), zexus::Value::int(2));
}

#[test]
fn at_most_fifty_errors_are_reported() {
    let src = "x += 1\n".repeat(80);
    assert_eq!(errors(&src).len(), 50);
    let src = "let = 1\n".repeat(30) + &"x += 1\n".repeat(30);
    assert_eq!(
        errors(&src).len(),
        30,
        "the undefined x's are not reported after syntax errors"
    );
}

#[test]
fn the_crate_error_displays_compile_errors_one_per_line() {
    let e = eval("let = 1\nprint(1 +)").unwrap_err();
    assert!(matches!(&e, Error::Compile(v) if v.len() == 2));
    assert_eq!(
        e.to_string(),
        "[line 1] Error at '=': expected variable name\n[line 2] Error at ')': expected expression"
    );
}

#[test]
fn the_crate_error_displays_runtime_errors_with_their_trace() {
    let e = eval("action f(x) {\n  return x + 1\n}\nf(null)").unwrap_err();
    let Error::Runtime(r) = &e else {
        panic!("{e:?}")
    };
    assert_eq!(r.message, "attempt to add null and int (variable 'x')");
    assert_eq!(r.line, 2);
    assert_eq!(
        e.to_string(),
        "attempt to add null and int (variable 'x')\n[line 2] in f\n[line 4] in <main>"
    );
    assert!(std::error::Error::source(&e).is_some());
}

#[test]
fn a_nested_function_cannot_assign_its_own_name() {
    let src = "action f() {\n  action g() {\n    g = 1\n  }\n}";
    assert_eq!(
        errors(src),
        ["[line 3] Error at 'g': cannot capture local variable 'g' of enclosing function 'f' (no closures)"]
    );
}
