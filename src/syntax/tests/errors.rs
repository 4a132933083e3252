//! Syntax errors: their format, recovery, and caps.

use super::*;

#[test]
fn error_format() {
    assert_eq!(
        first_error("let = 5"),
        "[line 1] Error at '=': expected variable name"
    );
    assert_eq!(
        first_error("let x =\n"),
        "[line 1] Error at end: expected expression"
    );
    assert_eq!(
        first_error("\n\nx = @"),
        "[line 3] Error at '@': unexpected character '@'"
    );
    assert_eq!(
        first_error("obj.1"),
        "[line 1] Error at '1': expected a property or method name after '.'"
    );
    assert_eq!(
        first_error("1 = 2"),
        "[line 1] Error at '=': invalid assignment target"
    );
    assert_eq!(
        first_error("x = \"abc"),
        "[line 1] Error at '\"': unterminated string"
    );
    assert_eq!(
        first_error("x = 'a\nb"),
        "[line 1] Error at ''': unterminated string"
    );
    assert_eq!(
        first_error("/* never closed"),
        "[line 1] Error at '/*': unterminated block comment"
    );
    assert_eq!(
        first_error("while x { "),
        "[line 1] Error at end: expected '}' after block"
    );
    assert_eq!(
        first_error("break"),
        "[line 1] Error at 'break': 'break' outside a loop"
    );
    assert_eq!(
        first_error("while x { action f() { continue } }"),
        "[line 1] Error at 'continue': 'continue' outside a loop"
    );
    assert_eq!(
        first_error("let x = 1 2"),
        "[line 1] Error at '2': expected ';' or newline after statement"
    );
    assert_eq!(
        first_error("for x y {}"),
        "[line 1] Error at 'x': expected 'each' after 'for'"
    );
    assert_eq!(
        first_error("if x print x"),
        "[line 1] Error at 'print': expected '{' after if condition"
    );
    assert_eq!(
        first_error("action f(a, a) {}"),
        "[line 1] Error at 'a': duplicate parameter name"
    );
    assert_eq!(
        first_error("x = 1e999"),
        "[line 1] Error at '1e999': float literal too large"
    );
    assert_eq!(
        first_error("else {}"),
        "[line 1] Error at 'else': 'elif' or 'else' without a matching 'if'"
    );
    assert_eq!(
        first_error("x = a $b"),
        "[line 1] Error at '$': unexpected character '$'"
    );
    assert_eq!(
        first_error("x = \u{1}"),
        "[line 1] Error at '\\u{1}': unexpected character '\\u{1}'"
    );
    let e = &parse("(").unwrap_err()[0];
    assert_eq!((e.line, e.token.as_str()), (1, "end"));
}

#[test]
fn multiple_errors_with_recovery() {
    let src = "let = 1\nlet ok = 2\nx = (1 +\nprint(ok)\nlet y = 3 4\nwhile {\n  1 +\n}\nz = ]";
    let errs = errors(src);
    assert_eq!(
        errs,
        vec![
            "[line 1] Error at '=': expected variable name",
            "[line 4] Error at 'print': expected expression",
            "[line 5] Error at '4': expected ';' or newline after statement",
            "[line 8] Error at '}': expected expression",
            "[line 9] Error at ']': expected expression",
        ]
    );
}

#[test]
fn errors_inside_blocks_recover_at_brace() {
    let src = "action f() {\n  let x = )\n  return 1\n}\naction g() { @ }\nlet ok = f()";
    let errs = errors(src);
    assert_eq!(
        errs,
        vec![
            "[line 2] Error at ')': expected expression",
            "[line 5] Error at '@': unexpected character '@'",
        ]
    );
}

#[test]
fn syntax_error_display() {
    assert_eq!(
        SyntaxError::new(3, "x", "boom").to_string(),
        "[line 3] Error at 'x': boom"
    );
    assert_eq!(
        SyntaxError::at_end(7, "boom").to_string(),
        "[line 7] Error at end: boom"
    );
}

#[test]
fn recovery_skips_a_broken_block_header() {
    let errs = errors("if x y {\n  a = 1\n}\nlet b = )\nprint(1)");
    assert_eq!(
        errs,
        vec![
            "[line 1] Error at 'y': expected '{' after if condition",
            "[line 4] Error at ')': expected expression",
        ]
    );
}

#[test]
fn recovery_parses_the_block_of_a_broken_header() {
    assert_eq!(
        errors("for each x [1, 2] {\n    print(x);\n}\nwhile (x)) {\n  let = 2\n}"),
        vec![
            "[line 1] Error at '[': expected 'in' after loop variable",
            "[line 4] Error at ')': expected '{' after while condition",
            "[line 5] Error at '=': expected variable name",
        ]
    );
}

#[test]
fn one_error_per_token() {
    assert_eq!(
        errors("x = 1 *\n)\ny = \nelse\nz = 2"),
        vec![
            "[line 2] Error at ')': expected expression",
            "[line 4] Error at 'else': expected expression",
        ]
    );
}

#[test]
fn error_count_is_capped() {
    let src = "@\n".repeat(500);
    let errs = errors(&src);
    assert_eq!(errs.len(), MAX_ERRORS);
    assert_eq!(errs[49], "[line 50] Error at '@': unexpected character '@'");
}
