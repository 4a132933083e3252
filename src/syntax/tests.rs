//! Unit tests for the lexer and parser.

use super::ast::*;
use super::lexer::tokenize;
use super::token::TokenKind;
use super::{parse, SyntaxError, MAX_ERRORS};

// ----- helpers ------------------------------------------------------------------------------

/// Renders an expression as an S-expression.
fn sx(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Int(v) => v.to_string(),
        ExprKind::Float(v) => format!("{v:?}"),
        ExprKind::Str(s) => format!("{s:?}"),
        ExprKind::Bool(b) => b.to_string(),
        ExprKind::Null => "null".into(),
        ExprKind::Name(n) => n.clone(),
        ExprKind::List(items) => format!("[{}]", list(items)),
        ExprKind::Map(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{}: {}", sx(k), sx(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        ExprKind::Unary { op, expr } => format!("({} {})", op.symbol(), sx(expr)),
        ExprKind::Binary { op, lhs, rhs } => format!("({} {} {})", op.symbol(), sx(lhs), sx(rhs)),
        ExprKind::Logical { op, lhs, rhs } => {
            format!("({} {} {})", op.symbol(), sx(lhs), sx(rhs))
        }
        ExprKind::Ternary { cond, then, else_ } => {
            format!("(? {} {} {})", sx(cond), sx(then), sx(else_))
        }
        ExprKind::Call { callee, args } => format!("(call {} {})", sx(callee), list(args)),
        ExprKind::MethodCall { obj, name, args } => {
            format!("(.{} {} {})", name, sx(obj), list(args))
        }
        ExprKind::Index { obj, index } => format!("(idx {} {})", sx(obj), sx(index)),
        ExprKind::Attr { obj, name } => format!("(attr {} {})", sx(obj), name),
        ExprKind::Function(f) => format!("(fn ({}) {})", f.params.join(" "), block(&f.body)),
        ExprKind::Construct { class, fields } => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", sx(v)))
                .collect();
            format!("(new {class} {})", parts.join(", "))
        }
    }
}

fn list(items: &[Expr]) -> String {
    items.iter().map(sx).collect::<Vec<_>>().join(" ")
}

fn block(b: &Block) -> String {
    let parts: Vec<String> = b.stmts.iter().map(st).collect();
    format!("{{{}}}", parts.join(" "))
}

/// Renders a statement compactly.
fn st(s: &Stmt) -> String {
    match &s.kind {
        StmtKind::Let {
            name,
            value,
            is_const,
        } => format!(
            "({} {} {})",
            if *is_const { "const" } else { "let" },
            name,
            sx(value)
        ),
        StmtKind::Assign { target, op, value } => {
            let t = match target {
                AssignTarget::Name(n) => n.clone(),
                AssignTarget::Index { obj, index } => format!("(idx {} {})", sx(obj), sx(index)),
                AssignTarget::Attr { obj, name } => format!("(attr {} {})", sx(obj), name),
            };
            let op = op.map_or(String::new(), |o| o.symbol().to_string());
            format!("({op}= {t} {})", sx(value))
        }
        StmtKind::If {
            branches,
            else_block,
        } => {
            let mut out = String::from("(if");
            for (c, b) in branches {
                out += &format!(" {} {}", sx(c), block(b));
            }
            if let Some(b) = else_block {
                out += &format!(" else {}", block(b));
            }
            out + ")"
        }
        StmtKind::While { cond, body } => format!("(while {} {})", sx(cond), block(body)),
        StmtKind::ForEach {
            index_var,
            var,
            iterable,
            body,
        } => {
            let vars = match index_var {
                Some(i) => format!("{i},{var}"),
                None => var.clone(),
            };
            format!("(for {vars} {} {})", sx(iterable), block(body))
        }
        StmtKind::Break => "break".into(),
        StmtKind::Continue => "continue".into(),
        StmtKind::FuncDef { name, params, body } => {
            format!("(fn {name}({}) {})", params.join(","), block(body))
        }
        StmtKind::Return(None) => "(return)".into(),
        StmtKind::Return(Some(e)) => format!("(return {})", sx(e)),
        StmtKind::Print(args) => format!("(print {})", list(args)),
        StmtKind::Expr(e) => sx(e),
        StmtKind::Block(b) => block(b),
        StmtKind::Try {
            body,
            catch,
            finally,
        } => {
            let mut out = format!("(try {}", block(body));
            if let Some((var, b)) = catch {
                out += &format!(" catch {} {}", var.as_deref().unwrap_or("_"), block(b));
            }
            if let Some(b) = finally {
                out += &format!(" finally {}", block(b));
            }
            out + ")"
        }
        StmtKind::Throw(e) => format!("(throw {})", sx(e)),
        StmtKind::Emit { name, args } => format!("(emit {name} {})", list(args)),
        StmtKind::Defer(b) => format!("(defer {})", block(b)),
        StmtKind::ContinueOnError => "(continue-on-error)".into(),
        StmtKind::Use { path, binding } => match binding {
            UseBinding::Exports => format!("(use {path:?})"),
            UseBinding::Alias(a) => format!("(use {path:?} as {a})"),
            UseBinding::Names(ns) => format!("(use {{{}}} {path:?})", ns.join(",")),
        },
        StmtKind::Export(names) => format!("(export {})", names.join(",")),
        StmtKind::Module { name, body } => format!("(module {name} {})", block(body)),
        StmtKind::Class(c) => {
            let fields: Vec<String> = c
                .fields
                .iter()
                .map(|f| match &f.default {
                    Some(d) => format!("{}={}", f.name, sx(d)),
                    None => f.name.clone(),
                })
                .collect();
            let methods: Vec<String> = c
                .methods
                .iter()
                .map(|m| format!("(fn {}({}) {})", m.name, m.params.join(","), block(&m.body)))
                .collect();
            format!(
                "({} {} [{}] {})",
                c.kind.keyword(),
                c.name,
                fields.join(" "),
                methods.join(" ")
            )
        }
    }
}

pub(super) fn prog(src: &str) -> String {
    match parse(src) {
        Ok(p) => p.stmts.iter().map(st).collect::<Vec<_>>().join(" ; "),
        Err(errs) => panic!("unexpected errors for {src:?}: {}", show(&errs)),
    }
}

pub(super) fn expr(src: &str) -> String {
    let p = parse(src).unwrap_or_else(|e| panic!("errors for {src:?}: {}", show(&e)));
    assert_eq!(p.stmts.len(), 1, "{src:?}");
    match &p.stmts[0].kind {
        StmtKind::Expr(e) => sx(e),
        other => panic!("not an expression statement: {other:?}"),
    }
}

fn show(errs: &[SyntaxError]) -> String {
    errs.iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

fn errors(src: &str) -> Vec<String> {
    match parse(src) {
        Ok(p) => panic!("expected errors for {src:?}, got {p:?}"),
        Err(errs) => errs.iter().map(|e| e.to_string()).collect(),
    }
}

pub(super) fn first_error(src: &str) -> String {
    errors(src).remove(0)
}

// ----- lexer --------------------------------------------------------------------------------

#[test]
fn lexes_literals_comments_and_lines() {
    let toks = tokenize("let x = 1.5 // c\n# c2\n/* a\nb */ 'a\\n\\t\\\\\\\"\\'\\r\\0' 7 2e3");
    let kinds: Vec<_> = toks.iter().map(|t| t.kind.clone()).collect();
    assert_eq!(
        kinds,
        vec![
            TokenKind::Let,
            TokenKind::Ident("x".into()),
            TokenKind::Assign,
            TokenKind::Float(1.5),
            TokenKind::Str("a\n\t\\\"'\r\0".into()),
            TokenKind::Int(7),
            TokenKind::Float(2000.0),
            TokenKind::Eof,
        ]
    );
    assert_eq!(toks[4].line, 4);
    assert!(toks[4].nl_before);
    assert!(!toks[5].nl_before);
}

#[test]
fn lexes_bitwise_operators() {
    let toks = tokenize("& | ^ ~ << >> &= |= ^= <<= >>= && || <= >= < >");
    use TokenKind as T;
    let kinds: Vec<_> = toks.iter().map(|t| t.kind.clone()).collect();
    assert_eq!(
        kinds,
        vec![
            T::Amp,
            T::Pipe,
            T::Caret,
            T::Tilde,
            T::Shl,
            T::Shr,
            T::AmpEq,
            T::PipeEq,
            T::CaretEq,
            T::ShlEq,
            T::ShrEq,
            T::AndAnd,
            T::OrOr,
            T::LtEq,
            T::GtEq,
            T::Lt,
            T::Gt,
            T::Eof,
        ]
    );
}

#[test]
fn lexes_operators() {
    let toks = tokenize("** **= *= += -= /= %= == != <= >= && || ! = < > ? : . , ;");
    use TokenKind as T;
    let kinds: Vec<_> = toks.iter().map(|t| t.kind.clone()).collect();
    assert_eq!(
        kinds,
        vec![
            T::StarStar,
            T::StarStarEq,
            T::StarEq,
            T::PlusEq,
            T::MinusEq,
            T::SlashEq,
            T::PercentEq,
            T::EqEq,
            T::BangEq,
            T::LtEq,
            T::GtEq,
            T::AndAnd,
            T::OrOr,
            T::Bang,
            T::Assign,
            T::Lt,
            T::Gt,
            T::Question,
            T::Colon,
            T::Dot,
            T::Comma,
            T::Semicolon,
            T::Eof,
        ]
    );
}

#[test]
fn string_with_unicode_and_method_on_int() {
    assert_eq!(expr("\"héllo ✓\""), "\"héllo ✓\"");
    assert_eq!(expr("1.foo()"), "(.foo 1 )");
}

// ----- expressions --------------------------------------------------------------------------

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

// ----- statements ---------------------------------------------------------------------------

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

// ----- errors -------------------------------------------------------------------------------

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

// ----- robustness ---------------------------------------------------------------------------

#[test]
fn moderate_nesting_is_accepted() {
    let n = 150;
    let parens = format!("{}1{}", "(".repeat(n), ")".repeat(n));
    assert_eq!(expr(&parens), "1");
    let lists = format!("{}{}", "[".repeat(n), "]".repeat(n));
    assert!(parse(&lists).is_ok());
    let blocks = format!("{}{}", "{".repeat(n), "}".repeat(n));
    assert!(parse(&blocks).is_ok());
    let negs = format!("{}1", "-".repeat(n));
    assert!(parse(&negs).is_ok());
    let ifs = format!("{}{}", "if x {".repeat(n), "}".repeat(n));
    assert!(parse(&ifs).is_ok());
    let maps = format!("{}1{}", "{a: ".repeat(n - 1), "}".repeat(n - 1));
    assert!(parse(&format!("x = {maps}")).is_ok());
    let pows = format!("2{}", " ** 2".repeat(n));
    assert!(parse(&pows).is_ok());
    let parens = format!("{}1{}", "(".repeat(300), ")".repeat(300));
    assert!(parse(&parens).is_ok());
    let long_sum = format!("1{}", " + 1".repeat(900));
    assert!(parse(&long_sum).is_ok());
    let sum_parens = format!("x = {}1{}", "1 + (".repeat(n), ")".repeat(n));
    assert!(parse(&sum_parens).is_ok());
    let calls = format!(
        "print({}1{})",
        "f(1 + g(x)[0] * ".repeat(n / 2),
        ")".repeat(n / 2)
    );
    assert!(parse(&calls).is_ok());
    let funcs = format!(
        "{}{}",
        "action f(a) { while a { for each x in y { if a { return a } else { ".repeat(n / 5),
        "} } } }".repeat(n / 5)
    );
    assert!(parse(&funcs).is_ok());
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let n = 100_000;
    for (open, close) in [
        ("(", ")"),
        ("[", "]"),
        ("{", "}"),
        ("-", ""),
        ("!", ""),
        ("f(", ")"),
    ] {
        let src = format!("{}1{}", open.repeat(n), close.repeat(n));
        let errs = parse(&src).unwrap_err();
        assert_eq!(errs.len(), 1, "{open}: {errs:?}");
        assert!(errs[0].message.contains("nested too deeply"), "{}", errs[0]);
    }
    let src = format!("x = {}", "{a: ".repeat(n));
    assert!(parse(&src).is_err());
    let src = format!("x = {}1", "a ? b : ".repeat(n));
    assert!(parse(&src).is_err());
    let src = format!("x = 2{}", " ** 2".repeat(n));
    assert!(parse(&src).is_err());
    let src = "if x {".repeat(n);
    assert!(parse(&src).is_err());
    // Long flat chains build tall trees without recursion: they are bounded too.
    let src = format!("1{}", " + 1".repeat(n));
    assert_eq!(
        first_error(&src),
        "[line 1] Error at '+': expression too complex"
    );
    let src = format!("f{}", "(1)".repeat(n));
    assert!(parse(&src).is_err());
    let src = format!("xs{}", ".f()".repeat(n));
    assert!(parse(&src).is_err());
    let src = format!("x{}", "[0]".repeat(n));
    assert!(parse(&src).is_err());
}

#[test]
fn huge_flat_inputs_are_fine() {
    let n = 100_000;
    let list = format!("[{}]", "1, ".repeat(n));
    assert!(parse(&list).is_ok());
    let stmts = "x = x + 1\n".repeat(n);
    assert_eq!(parse(&stmts).unwrap().stmts.len(), n);
    let chain = "if a {} ".to_string() + &"else if b {} ".repeat(n);
    assert!(parse(&chain).is_ok());
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_garbage_never_panics() {
    const PIECES: &[&str] = &[
        "let ",
        "const ",
        "x",
        "y",
        " = ",
        "+=",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ";",
        "\n",
        "if ",
        "elif ",
        "else ",
        "while ",
        "for each ",
        " in ",
        "action ",
        "f",
        "return ",
        "print ",
        "break",
        "continue",
        "1",
        "9223372036854775808",
        "-",
        "**",
        "?",
        ":",
        ".",
        "push",
        "\"s\"",
        "'",
        "\"",
        "/*",
        "*/",
        "//",
        "#",
        "&&",
        "||",
        "not ",
        "and ",
        "or ",
        "!",
        "==",
        "<=",
        "@",
        "é",
        "\\",
        "2.5",
        "1e",
        "true",
        "null",
        " ",
    ];
    let mut rng = XorShift(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let len = rng.below(60);
        let mut src = String::new();
        for _ in 0..len {
            src.push_str(PIECES[rng.below(PIECES.len())]);
        }
        check_no_panic(&src);
    }
    for _ in 0..2000 {
        let len = rng.below(80);
        let bytes: Vec<u8> = (0..len).map(|_| (rng.next() & 0x7f) as u8).collect();
        let src = String::from_utf8_lossy(&bytes).into_owned();
        check_no_panic(&src);
        let chars: String = (0..len)
            .filter_map(|_| char::from_u32((rng.next() % 0x3000) as u32))
            .collect();
        check_no_panic(&chars);
    }
}

fn check_no_panic(src: &str) {
    if let Err(errs) = parse(src) {
        assert!(!errs.is_empty() && errs.len() <= MAX_ERRORS, "{src:?}");
        for e in &errs {
            let text = e.to_string();
            assert!(text.starts_with("[line "), "{text}");
        }
    }
}

// ----- statements that raise (parser/raise.rs) --------------------------------------------------

#[test]
fn try_catch_finally_in_every_form() {
    assert_eq!(
        prog("try { f() } catch (e) { print(e) } finally { g() }"),
        "(try {(call f )} catch e {(print e)} finally {(call g )})"
    );
    assert_eq!(
        prog("try { f() } catch e { }"),
        "(try {(call f )} catch e {})"
    );
    assert_eq!(
        prog("try { f() } catch((err)) { }"),
        "(try {(call f )} catch err {})"
    );
    assert_eq!(
        prog("try { f() }\ncatch { }"),
        "(try {(call f )} catch _ {})"
    );
    assert_eq!(
        prog("try { f() } finally { }"),
        "(try {(call f )} finally {})"
    );
}

#[test]
fn throw_emit_and_defer() {
    assert_eq!(prog("throw \"x\" + 1"), "(throw (+ \"x\" 1))");
    assert_eq!(prog("emit Sent(a, 2)"), "(emit Sent a 2)");
    assert_eq!(prog("emit Ping\nx"), "(emit Ping ) ; x");
    assert_eq!(prog("emit Data {k: 1}"), "(emit Data {\"k\": 1})");
    assert_eq!(prog("defer { f() }"), "(defer {(call f )})");
}

#[test]
fn checks_become_an_if_around_a_throw() {
    assert_eq!(
        prog("require(a > 0, \"neg\")"),
        "(if (! (> a 0)) {(throw (+ \"Requirement failed: \" \"neg\"))})"
    );
    assert_eq!(
        prog("require(ok)"),
        "(if (! ok) {(throw \"Requirement failed: Requirement failed\")})"
    );
    assert_eq!(
        prog("revert()"),
        "(throw \"Transaction reverted: Transaction reverted\")"
    );
    assert_eq!(
        prog("verify x, \"m\""),
        "(if (! x) {(throw (+ \"Requirement failed: \" \"m\"))})"
    );
    assert_eq!(
        prog("verify (a) && b"),
        "(if (! (&& a b)) {(throw \"Requirement failed: Verification failed\")})"
    );
}

#[test]
fn the_words_stay_ordinary_names_elsewhere() {
    assert_eq!(
        prog("let verify = 1\nverify = 2"),
        "(let verify 1) ; (= verify 2)"
    );
    assert_eq!(prog("let emit = 1\nemit"), "(let emit 1) ; emit");
    assert_eq!(prog("throw.x()"), "(.x throw )");
    assert_eq!(prog("try\nx"), "try ; x");
}

#[test]
fn continue_at_the_top_level_turns_on_continue_on_error() {
    assert_eq!(
        prog("continue;\nprint(1)"),
        "(continue-on-error) ; (print 1)"
    );
    assert_eq!(
        first_error("if (true) { continue }"),
        "[line 1] Error at 'continue': 'continue' outside a loop"
    );
}

#[test]
fn malformed_checks_are_errors() {
    let errs = parse("require(a, b, c)").unwrap_err();
    assert!(errs[0].message.contains("require takes"), "{}", show(&errs));
    let errs = parse("try { }\nprint(1)").unwrap_err();
    assert!(
        errs[0].message.contains("'catch' or 'finally'"),
        "{}",
        show(&errs)
    );
    let errs = parse("try { } catch (1) { }").unwrap_err();
    assert!(
        errs[0].message.contains("error variable"),
        "{}",
        show(&errs)
    );
}

#[test]
fn declared_types_and_fields() {
    let p = parse(
        "contract C {\n  state n = 1\n  data m: map<string, int> = {}\n  action add(x: int) -> int { this.n = n + x\n return this.n }\n}\n\
         entity P { x: int = 0, y: int }\nlet p = P{y: 2}\np.x += 1\nprint(p.x, C().add(2))",
    )
    .expect("parses");
    let shown: Vec<String> = p.stmts.iter().map(st).collect();
    assert_eq!(
        shown,
        vec![
            "(contract C [n=1 m={}] (fn add(x) {(= (attr this n) (+ n x)) (return (attr this n))}))",
            "(entity P [x=0 y] )",
            "(let p (new P y: 2))",
            "(+= (attr p x) 1)",
            "(print (attr p x) (.add (call C ) 2))",
        ]
    );
    // `Name{` builds an object only for a declared type: elsewhere it is a block.
    assert!(parse("let Q = 1\nif Q { print(1) }").is_ok());
}

// ----- modules ------------------------------------------------------------------------------

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

// ----- lambdas, function literals, enums ---------------------------------------------------

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
