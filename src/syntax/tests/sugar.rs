//! Unit tests for the syntax taken from the original implementation: annotations, indented
//! blocks, modifiers, `??`, properties, interpolation, the string forms, `seal`, `external`,
//! `if ... then ... else`, `for (let x in e)`, `action` as a name and slices.

use super::*;
use crate::syntax::token::StrPart;

#[test]
fn type_annotations_are_dropped() {
    assert_eq!(prog("let x: int = 5"), "(let x 5)");
    assert_eq!(prog("const N: integer = 3"), "(const N 3)");
    assert_eq!(prog("let m: Map<string, list<int>> = {}"), "(let m {})");
    assert_eq!(prog("let t: http.Response? = null"), "(let t null)");
    assert_eq!(prog("let xs: int[] = []"), "(let xs [])");
    assert_eq!(prog("let x: int"), "(let x null)");
    // The original's `let x : value` (no type: the `:` stands for `=`).
    assert_eq!(prog("let s : \"World\""), "(let s \"World\")");
    assert_eq!(
        prog("action f(a: int, b: list<map>) -> int { return a }"),
        "(fn f(a,b) {(return a)})"
    );
    assert_eq!(prog("action g -> string { }"), "(fn g() {})");
    // The original accepts a bodiless definition on the last line.
    assert_eq!(prog("action h()"), "(fn h() {})");
}

#[test]
fn functions_without_parentheses_and_with_modifiers() {
    assert_eq!(prog("action task { print(1) }"), "(fn task() {(print 1)})");
    assert_eq!(
        prog("public action f() { }\npure inline function g(x) { }"),
        "(fn f() {}) ; (fn g(x) {})"
    );
    // A modifier word not before a function is an ordinary name.
    assert_eq!(
        prog("let public = 1\npublic = 2"),
        "(let public 1) ; (= public 2)"
    );
    assert_eq!(
        first_error("action f(a = 1) { }"),
        "[line 1] Error at '=': default parameter values are not supported"
    );
}

#[test]
fn indented_blocks() {
    let src =
        "action f(n):\n    if n > 1:\n        return 1\n    else:\n        return 2\nprint(f(3))";
    assert_eq!(
        prog(src),
        "(fn f(n) {(if (> n 1) {(return 1)} else {(return 2)})}) ; (print (call f 3))"
    );
    assert_eq!(prog("action g(): return 5"), "(fn g() {(return 5)})");
    // An `else` indented less than an inner `if` belongs to the outer one.
    let src = "if a:\n    if b:\n        x = 1\nelse:\n    x = 2";
    assert_eq!(prog(src), "(if a {(if b {(= x 1)})} else {(= x 2)})");
    let src = "while i < 3:\n    i += 1\n\n    # comment\n    print(i)\nprint(0)";
    assert_eq!(
        prog(src),
        "(while (< i 3) {(+= i 1) (print i)}) ; (print 0)"
    );
    let src = "for each x in xs:\n  print(x)\nprint(1)";
    assert_eq!(prog(src), "(for x xs {(print x)}) ; (print 1)");
    // Inside braces lines may be indented freely.
    let src = "action f() {\n    if x:\n        y = 1\n  z = 2\n}";
    assert_eq!(prog(src), "(fn f() {(if x {(= y 1)}) (= z 2)})");
    assert_eq!(
        first_error("if x:\nprint(1)"),
        "[line 2] Error at 'print': expected an indented block after ':'"
    );
}

#[test]
fn nullish_precedence() {
    assert_eq!(expr("a ?? b ?? c"), "(?? (?? a b) c)");
    assert_eq!(expr("a ?? b || c"), "(?? a (|| b c))");
    assert_eq!(expr("a || b ?? c"), "(?? (|| a b) c)");
    assert_eq!(expr("a ?? b ? c : d"), "(? (?? a b) c d)");
    assert_eq!(expr("1 + a ?? 2"), "(?? (+ 1 a) 2)");
}

#[test]
fn properties() {
    assert_eq!(expr("m.k"), "(attr m k)");
    assert_eq!(expr("m.a.b[0].c"), "(attr (idx (attr (attr m a) b) 0) c)");
    assert_eq!(expr("m.f(1).g"), "(attr (.f m 1) g)");
    assert_eq!(expr("m.print"), "(attr m print)");
    assert_eq!(
        prog("m.k = 1\nm.k += 2"),
        "(= (attr m k) 1) ; (+= (attr m k) 2)"
    );
}

#[test]
fn strings_of_the_original() {
    let kinds =
        |src: &str| -> Vec<TokenKind> { tokenize(src).into_iter().map(|t| t.kind).collect() };
    assert_eq!(
        kinds("'''a\n'b'''"),
        vec![TokenKind::Str("a\n'b".into()), TokenKind::Eof]
    );
    assert_eq!(
        kinds("\"\\x41\\u00e9\\q\\$\""),
        vec![TokenKind::Str("Aéq$".into()), TokenKind::Eof]
    );
    assert_eq!(
        kinds("\"a ${x + {1: 2}[1]} b\""),
        vec![
            TokenKind::InterpStr(vec![
                StrPart::Text("a ".into()),
                StrPart::Expr {
                    src: "x + {1: 2}[1]".into(),
                    line: 1
                },
                StrPart::Text(" b".into()),
            ]),
            TokenKind::Eof
        ]
    );
    assert_eq!(
        kinds("'${x}'"),
        vec![TokenKind::Str("${x}".into()), TokenKind::Eof]
    );
    assert_eq!(kinds("0xff"), vec![TokenKind::Int(255), TokenKind::Eof]);
    assert_eq!(
        kinds("/* a /* b */ c */ 1"),
        vec![TokenKind::Int(1), TokenKind::Eof]
    );
    // A string spanning lines: the next token's line counts them.
    let toks = tokenize("\"a\nb\" x");
    assert_eq!(toks[1].line, 2);
    assert!(!toks[1].nl_before);
    assert_eq!(expr("\"n=${n}!\""), "(+ (+ \"n=\" n) \"!\")");
    assert_eq!(expr("\"${a}${b}\""), "(+ (+ \"\" a) b)");
    assert_eq!(
        first_error("\"x ${1 +} y\""),
        "[line 1] Error at '\"x ${1 +} y\"': in '${1 +}': expected expression"
    );
    assert_eq!(
        first_error("\"x ${1 2}\""),
        "[line 1] Error at '\"x ${1 2}\"': in '${1 2}': expected '}' after interpolated expression"
    );
}

#[test]
fn loops_without_each_var_and_keyword_keys() {
    assert_eq!(prog("for x in xs { }"), "(for x xs {})");
    assert_eq!(prog("for k, v in m { }"), "(for k,v m {})");
    assert_eq!(prog("var n = 1"), "(let n 1)");
    assert_eq!(prog("var = 2"), "(= var 2)");
    assert_eq!(
        prog("m = {action: 1, if: 2, x: 3}"),
        "(= m {\"action\": 1, \"if\": 2, \"x\": 3})"
    );
    assert_eq!(prog("m = {true: 1}"), "(= m {true: 1})");
}

#[test]
fn type_alias_and_await() {
    assert_eq!(
        prog("type_alias Id = integer\nlet x: Id = 1"),
        "{} ; (let x 1)"
    );
    assert_eq!(prog("type_alias Rec = {id: integer, name: string}"), "{}");
    assert_eq!(expr("await f(1) + 1"), "(+ (call f 1) 1)");
    assert_eq!(
        prog("let await = 1\nawait = 2"),
        "(let await 1) ; (= await 2)"
    );
}

#[test]
fn seal_external_if_then_else_parenthesised_for_and_slices() {
    assert_eq!(prog("let x = 1\nseal x"), "(let x 1) ; (seal x)");
    // `seal` is a statement only before a name.
    assert_eq!(
        prog("let seal = 1\nprint(seal)"),
        "(let seal 1) ; (print seal)"
    );
    assert_eq!(
        first_error("seal m.key"),
        "[line 1] Error at '.': 'seal' applies to a variable here, not to a property or an element"
    );
    assert_eq!(
        prog("external hash"),
        "(fn hash() {(throw \"External 'hash' not linked\")})"
    );
    assert_eq!(
        prog("external action async sign(m, k) -> list from \"backend\""),
        "(fn sign(m,k) {(throw \"External 'sign' not linked\")})"
    );
    assert_eq!(prog("action async f(x) { }"), "(fn f(x) {})");
    assert_eq!(
        prog("let s = if x < 0 then -1 else if x == 0 then 0 else 1"),
        "(let s (? (< x 0) (- 1) (? (== x 0) 0 1)))"
    );
    assert_eq!(
        prog("for (let k in m) { print(k) }\nfor (v in xs) { }"),
        "(for k m {(print k)}) ; (for v xs {})"
    );
    assert_eq!(
        prog("print(s[1:2], s[:n], s[-2:], s[:], s[i])"),
        "(print (.slice s 1 2) (.slice s 0 n) (.slice s (- 2)) (.slice s 0) (idx s i))"
    );
    assert_eq!(
        prog("action f(user, action) { let action = 1\nreturn action }"),
        "(fn f(user,action) {(let action 1) (return action)})"
    );
}
