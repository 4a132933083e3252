//! Unit tests for the lexer and parser: shared helpers here, one module per area.

mod errors;
mod expressions;
mod lambdas;
mod lexer;
mod modules;
mod raise;
mod robustness;
mod statements;
mod sugar;

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
        StmtKind::Seal(name) => format!("(seal {name})"),
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

fn prog(src: &str) -> String {
    match parse(src) {
        Ok(p) => p.stmts.iter().map(st).collect::<Vec<_>>().join(" ; "),
        Err(errs) => panic!("unexpected errors for {src:?}: {}", show(&errs)),
    }
}

fn expr(src: &str) -> String {
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

fn first_error(src: &str) -> String {
    errors(src).remove(0)
}
