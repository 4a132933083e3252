//! Module statements: `use`, `export` and `module`.

use super::*;

#[test]
fn parses_use_export_and_module_statements() {
    assert_eq!(prog("use \"a.zx\""), "(use \"a.zx\")");
    assert_eq!(prog("use \"./a.zx\" as m"), "(use \"./a.zx\" as m)");
    assert_eq!(prog("use { f, g } from \"a.zx\""), "(use {f,g} \"a.zx\")");
    assert_eq!(prog("export a, b"), "(export a,b)");
    assert_eq!(prog("export { a }"), "(export a)");
    assert_eq!(
        prog("export action f(x) { return x }"),
        "(fn f(x) {(return x)}) ; (export f)"
    );
    assert_eq!(prog("export let v = 1"), "(let v 1) ; (export v)");
    assert_eq!(
        prog("export use \"a.zx\" as a"),
        "(use \"a.zx\" as a) ; (export a)"
    );
    assert_eq!(
        prog("module m { let x = 1 }\nprint(m.x)"),
        "(module m {(let x 1)}) ; (print (attr m x))"
    );
    assert_eq!(expr("m.f(1).g"), "(attr (.f m 1) g)");
}

#[test]
fn module_words_are_still_names_elsewhere() {
    assert_eq!(
        prog("let use = 1\nuse = use + 1"),
        "(let use 1) ; (= use (+ use 1))"
    );
    assert_eq!(
        prog("let module = 2\nprint(module)"),
        "(let module 2) ; (print module)"
    );
    assert_eq!(prog("export\n"), "export");
}

#[test]
fn module_statement_errors() {
    assert_eq!(
        first_error("use blockchain"),
        "[line 1] Error at 'blockchain': expected the module's path in quotes, as in use \"file.zx\""
    );
    assert_eq!(
        first_error("use { a } \"x.zx\""),
        "[line 1] Error at '\"x.zx\"': expected 'from' after the imported names"
    );
    assert_eq!(
        first_error("export print(1)"),
        "[line 1] Error at 'print': expected a declaration or a name after 'export'"
    );
}

#[test]
fn export_before_declarations_of_the_original() {
    assert_eq!(
        prog("export public action f() { return 1 }"),
        "(fn f() {(return 1)}) ; (export f)"
    );
    assert_eq!(
        prog("export entity P { x }"),
        "(entity P [x] ) ; (export P)"
    );
    assert_eq!(prog("export var v = 1"), "(let v 1) ; (export v)");
}
