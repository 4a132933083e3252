//! Lambdas, function literals and enums.

use super::*;

/// The S-expression of the value of `let f = <src>`.
fn lambda_sx(src: &str) -> String {
    let program = parse(&format!("let f = {src}")).expect("parses");
    match &program.stmts[0].kind {
        StmtKind::Let { value, .. } => sx(value),
        other => panic!("not a let: {other:?}"),
    }
}

#[test]
fn every_lambda_spelling_parses_to_a_function() {
    let cases = [
        ("lambda x: x * 2", "(fn (x) {(return (* x 2))})"),
        ("lambda x, y: x + y", "(fn (x y) {(return (+ x y))})"),
        ("lambda: 42", "(fn () {(return 42)})"),
        ("lambda(x): x", "(fn (x) {(return x)})"),
        ("lambda(a, b) => a", "(fn (a b) {(return a)})"),
        ("lambda(x) -> x + 1", "(fn (x) {(return (+ x 1))})"),
        ("(x, y) => x", "(fn (x y) {(return x)})"),
        ("() => 5", "(fn () {(return 5)})"),
        ("x => x", "(fn (x) {(return x)})"),
        ("(x: int) => x", "(fn (x) {(return x)})"),
        ("() => {}", "(fn () {(return {})})"),
        ("function(a) { return a }", "(fn (a) {(return a)})"),
        ("action() { return 1 }", "(fn () {(return 1)})"),
        ("lambda(x) { return x }", "(fn (x) {(return x)})"),
    ];
    for (src, want) in cases {
        assert_eq!(lambda_sx(src), want, "{src}");
    }
}

#[test]
fn a_parenthesised_expression_is_not_a_lambda() {
    assert_eq!(lambda_sx("(x + 1) * 2"), "(* (+ x 1) 2)");
    assert_eq!(lambda_sx("(x)"), "x");
}

#[test]
fn enums_are_maps_of_their_members() {
    let program = parse("enum S { A, B = 5, C }").expect("parses");
    assert_eq!(
        st(&program.stmts[0]),
        "(let S {\"A\": 0, \"B\": 5, \"C\": 2})"
    );
    let program = parse("protocol P {\n action f(x) -> int\n}\nprint(1)").expect("parses");
    assert_eq!(program.stmts.len(), 2);
}
