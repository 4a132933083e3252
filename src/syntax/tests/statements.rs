//! Statements: declarations, control flow, functions, newline rules and comments.

use super::*;

#[test]
fn declarations_and_assignments() {
    assert_eq!(prog("let x = 1; const N = 2"), "(let x 1) ; (const N 2)");
    assert_eq!(prog("let y"), "(let y null)");
    assert_eq!(prog("x = 3"), "(= x 3)");
    assert_eq!(prog("a[i] = e"), "(= (idx a i) e)");
    assert_eq!(prog("a[0][1] += 2"), "(+= (idx (idx a 0) 1) 2)");
    assert_eq!(
        prog("x += 1; x -= 1; x *= 2; x /= 2; x %= 3; x **= 2"),
        "(+= x 1) ; (-= x 1) ; (*= x 2) ; (/= x 2) ; (%= x 3) ; (**= x 2)"
    );
}

#[test]
fn control_flow() {
    assert_eq!(
        prog("if (a) { 1 } elif (b) { 2 } else if c { 3 } else { 4 }"),
        "(if a {1} b {2} c {3} else {4})"
    );
    assert_eq!(prog("if a {\n}\nelse {\n}"), "(if a {} else {})");
    assert_eq!(
        prog("while (i < 3) { i += 1 }"),
        "(while (< i 3) {(+= i 1)})"
    );
    assert_eq!(
        prog("for each x in xs { print x }"),
        "(for x xs {(print x)})"
    );
    assert_eq!(
        prog("for each i, x in range(3) { break; continue }"),
        "(for i,x (call range 3) {break continue})"
    );
    assert_eq!(prog("{ let a = 1 }"), "{(let a 1)}");
    assert_eq!(
        prog("while x { if y { break } }"),
        "(while x {(if y {break})})"
    );
}

#[test]
fn functions_and_print() {
    assert_eq!(
        prog("action add(a, b) { return a + b; }"),
        "(fn add(a,b) {(return (+ a b))})"
    );
    assert_eq!(prog("function f() { return }"), "(fn f() {(return)})");
    assert_eq!(prog("function f() { return\n1 }"), "(fn f() {(return) 1})");
    assert_eq!(prog("print(1)"), "(print 1)");
    assert_eq!(prog("print 1 + 2"), "(print (+ 1 2))");
    assert_eq!(prog("print(a, b, c)"), "(print a b c)");
    assert_eq!(prog("print a, b"), "(print a b)");
    assert_eq!(prog("print (a) + b"), "(print (+ a b))");
    assert_eq!(prog("print (xs)[0] * 2"), "(print (* (idx xs 0) 2))");
    assert_eq!(prog("print()"), "(print )");
    assert_eq!(prog("print\nx"), "(print ) ; x");
    // At the top level a paren-less print ends before a call, as the original splits it.
    assert_eq!(prog("print \"a\" + f(x)"), "(print \"a\") ; (call f x)");
    assert_eq!(prog("print(\"a\" + f(x))"), "(print (+ \"a\" (call f x)))");
    assert_eq!(
        prog("action g() { print \"a\" + f(x) }"),
        "(fn g() {(print (+ \"a\" (call f x)))})"
    );
}

#[test]
fn guide_program_without_semicolons() {
    let src =
        "let sum = 0\nlet i = 0\nwhile (i < 1000) {\n    sum = sum + i\n    i = i + 1\n}\nsum";
    assert_eq!(
        prog(src),
        "(let sum 0) ; (let i 0) ; (while (< i 1000) {(= sum (+ sum i)) (= i (+ i 1))}) ; sum"
    );
}

#[test]
fn guide_examples() {
    let fib = "action fibonacci(n) {\n    if (n <= 1) {\n        return n;\n    }\n    return \
               fibonacci(n - 1) + fibonacci(n - 2);\n}\nlet r = fibonacci(15);\nprint(r);";
    assert_eq!(
        prog(fib),
        "(fn fibonacci(n) {(if (<= n 1) {(return n)}) (return (+ (call fibonacci (- n 1)) \
         (call fibonacci (- n 2))))}) ; (let r (call fibonacci 15)) ; (print r)"
    );
}

#[test]
fn newline_rules() {
    // A `-`, `(` or `[` on a new line starts a new statement.
    assert_eq!(prog("a\n-1"), "a ; (- 1)");
    assert_eq!(prog("f\n(1)"), "f ; 1");
    assert_eq!(prog("a\n[1]"), "a ; [1]");
    // Other operators and `.` continue the expression.
    assert_eq!(prog("a\n+ 1"), "(+ a 1)");
    assert_eq!(prog("a +\n1"), "(+ a 1)");
    assert_eq!(prog("xs\n  .push(1)"), "(.push xs 1)");
    assert_eq!(prog("c\n? 1\n: 2"), "(? c 1 2)");
    // Inside brackets line breaks are ignored.
    assert_eq!(prog("f(a\n-1,\n[2]\n)"), "(call f (- a 1) [2])");
    assert_eq!(
        prog("let m = {\n a: 1,\n b: 2\n}"),
        "(let m {\"a\": 1, \"b\": 2})"
    );
    assert_eq!(
        first_error("x = 1 y = 2"),
        "[line 1] Error at 'y': expected ';' or newline after statement"
    );
}

#[test]
fn comments_everywhere() {
    assert_eq!(
        prog("// c\nlet x = 1 # c\n/* block\n */ x /* inline */ + 2"),
        "(let x 1) ; (+ x 2)"
    );
}
