//! Expressions: precedence, postfix forms, literals and their lines.

use super::*;

#[test]
fn precedence() {
    assert_eq!(expr("1 + 2 * 3"), "(+ 1 (* 2 3))");
    assert_eq!(expr("(1 + 2) * 3"), "(* (+ 1 2) 3)");
    assert_eq!(expr("1 - 2 - 3"), "(- (- 1 2) 3)");
    assert_eq!(expr("2 ** 3 ** 2"), "(** 2 (** 3 2))");
    assert_eq!(expr("-2 ** 2"), "(- (** 2 2))");
    assert_eq!(expr("2 ** -1"), "(** 2 (- 1))");
    assert_eq!(expr("2 ** -1 * 3"), "(* (** 2 (- 1)) 3)");
    assert_eq!(expr("-a * b"), "(* (- a) b)");
    assert_eq!(expr("a || b && c"), "(|| a (&& b c))");
    assert_eq!(expr("a or b and c"), "(|| a (&& b c))");
    assert_eq!(expr("a && b || c"), "(|| (&& a b) c)");
    assert_eq!(expr("not a == b"), "(== (! a) b)");
    assert_eq!(expr("!a.f()"), "(! (.f a ))");
    assert_eq!(expr("a == b < c"), "(== a (< b c))");
    assert_eq!(expr("a < b + 1"), "(< a (+ b 1))");
    assert_eq!(expr("1 + 2 % 3 / 4"), "(+ 1 (/ (% 2 3) 4))");
    assert_eq!(expr("a ? b : c ? d : e"), "(? a b (? c d e))");
    assert_eq!(expr("a || b ? x + 1 : y"), "(? (|| a b) (+ x 1) y)");
    assert_eq!(expr("a ? b ? c : d : e"), "(? a (? b c d) e)");
    assert_eq!(expr("- - x"), "(- (- x))");
    assert_eq!(expr("-x[0] ** 2"), "(- (** (idx x 0) 2))");
}

#[test]
fn postfix_and_literals() {
    assert_eq!(expr("f(1, 2)(3)"), "(call (call f 1 2) 3)");
    assert_eq!(expr("xs.push(v)"), "(.push xs v)");
    assert_eq!(expr("m[\"k\"][0]"), "(idx (idx m \"k\") 0)");
    assert_eq!(expr("a.b().c(1,)"), "(.c (.b a ) 1)");
    assert_eq!(
        expr("[1, 2.5, 'x', true, false, null,]"),
        "[1 2.5 \"x\" true false null]"
    );
    assert_eq!(
        expr("({\"a\": 1, b: 2, 3: c})"),
        "{\"a\": 1, \"b\": 2, 3: c}"
    );
    assert_eq!(expr("({})"), "{}");
    assert_eq!(expr("[]"), "[]");
    assert_eq!(expr("f()"), "(call f )");
    assert_eq!(expr("({k: a ? b : c})"), "{\"k\": (? a b c)}");
}

#[test]
fn int_min_and_overflow() {
    assert_eq!(expr("-9223372036854775808"), "-9223372036854775808");
    assert_eq!(expr("9223372036854775807"), "9223372036854775807");
    assert_eq!(
        first_error("9223372036854775808"),
        "[line 1] Error at '9223372036854775808': integer literal too large"
    );
    assert_eq!(
        first_error("-9223372036854775808 ** 2"),
        "[line 1] Error at '9223372036854775808': integer literal too large"
    );
    assert_eq!(
        first_error("x = 99999999999999999999999"),
        "[line 1] Error at '99999999999999999999999': integer literal too large"
    );
    assert_eq!(
        prog("let x = -9223372036854775808\n[1]"),
        "(let x -9223372036854775808) ; [1]"
    );
}

#[test]
fn expression_lines() {
    let p = parse("let a = 1\n\nlet b = a\n  + 2").unwrap();
    assert_eq!(p.stmts[0].line, 1);
    assert_eq!(p.stmts[1].line, 3);
    match &p.stmts[1].kind {
        StmtKind::Let { value, .. } => assert_eq!(value.line, 4),
        other => panic!("{other:?}"),
    }
}
