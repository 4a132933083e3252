//! The names a block uses bare (as a variable read, an assignment target or a callee), so
//! that an action copies into locals only the fields its body can see: an action that names no
//! field bare (it reads `this.x`) pays nothing per call for the object's size.
//!
//! Over-approximates, never under: a name counts wherever it appears as a variable, in nested
//! blocks and nested function bodies too, whether or not a local shadows it there.

use std::collections::HashSet;

use crate::syntax::ast::{AssignTarget, Block, Expr, ExprKind, Stmt, StmtKind};

/// Every name `block` uses as a variable.
pub(super) fn bare_names(block: &Block) -> HashSet<String> {
    let mut out = HashSet::new();
    stmts(&block.stmts, &mut out);
    out
}

fn stmts(list: &[Stmt], out: &mut HashSet<String>) {
    for s in list {
        stmt(s, out);
    }
}

fn stmt(s: &Stmt, out: &mut HashSet<String>) {
    match &s.kind {
        StmtKind::Let { value, .. } => expr(value, out),
        StmtKind::Assign { target, value, .. } => {
            match target {
                AssignTarget::Name(n) => {
                    out.insert(n.clone());
                }
                AssignTarget::Index { obj, index } => {
                    expr(obj, out);
                    expr(index, out);
                }
                AssignTarget::Attr { obj, .. } => expr(obj, out),
            }
            expr(value, out);
        }
        StmtKind::If {
            branches,
            else_block,
        } => {
            for (c, b) in branches {
                expr(c, out);
                stmts(&b.stmts, out);
            }
            if let Some(b) = else_block {
                stmts(&b.stmts, out);
            }
        }
        StmtKind::While { cond, body } => {
            expr(cond, out);
            stmts(&body.stmts, out);
        }
        StmtKind::ForEach { iterable, body, .. } => {
            expr(iterable, out);
            stmts(&body.stmts, out);
        }
        StmtKind::FuncDef { body, .. }
        | StmtKind::Block(body)
        | StmtKind::Defer(body)
        | StmtKind::Module { body, .. } => stmts(&body.stmts, out),
        StmtKind::Return(e) => {
            if let Some(e) = e {
                expr(e, out);
            }
        }
        StmtKind::Print(args) | StmtKind::Emit { args, .. } => exprs(args, out),
        StmtKind::Expr(e) | StmtKind::Throw(e) => expr(e, out),
        StmtKind::Try {
            body,
            catch,
            finally,
        } => {
            stmts(&body.stmts, out);
            if let Some((_, b)) = catch {
                stmts(&b.stmts, out);
            }
            if let Some(b) = finally {
                stmts(&b.stmts, out);
            }
        }
        StmtKind::Export(names) => out.extend(names.iter().cloned()),
        StmtKind::Seal(name) => {
            out.insert(name.clone());
        }
        StmtKind::Class(c) => {
            for m in &c.methods {
                stmts(&m.body.stmts, out);
            }
            for f in &c.fields {
                if let Some(v) = &f.default {
                    expr(v, out);
                }
            }
        }
        StmtKind::Break | StmtKind::Continue | StmtKind::ContinueOnError | StmtKind::Use { .. } => {
        }
    }
}

fn exprs(list: &[Expr], out: &mut HashSet<String>) {
    for e in list {
        expr(e, out);
    }
}

fn expr(e: &Expr, out: &mut HashSet<String>) {
    match &e.kind {
        ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Null => {}
        ExprKind::List(items) => exprs(items, out),
        ExprKind::Map(entries) => {
            for (k, v) in entries {
                expr(k, out);
                expr(v, out);
            }
        }
        ExprKind::Name(n) => {
            out.insert(n.clone());
        }
        ExprKind::Unary { expr: x, .. } => expr(x, out),
        ExprKind::Binary { lhs, rhs, .. } | ExprKind::Logical { lhs, rhs, .. } => {
            expr(lhs, out);
            expr(rhs, out);
        }
        ExprKind::Ternary { cond, then, else_ } => {
            expr(cond, out);
            expr(then, out);
            expr(else_, out);
        }
        ExprKind::Call { callee, args } => {
            expr(callee, out);
            exprs(args, out);
        }
        ExprKind::MethodCall { obj, args, .. } => {
            expr(obj, out);
            exprs(args, out);
        }
        ExprKind::Index { obj, index } => {
            expr(obj, out);
            expr(index, out);
        }
        ExprKind::Attr { obj, .. } => expr(obj, out),
        ExprKind::Function(f) => stmts(&f.body.stmts, out),
        ExprKind::Construct { fields, .. } => {
            for (_, v) in fields {
                expr(v, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn names_of(body: &str) -> Vec<String> {
        let src = format!("action f() {{\n{body}\n}}");
        let prog = parse(&src).expect("parses");
        let StmtKind::FuncDef { body, .. } = &prog.stmts[0].kind else {
            panic!("not a function");
        };
        let mut v: Vec<String> = bare_names(body).into_iter().collect();
        v.sort();
        v
    }

    #[test]
    fn finds_reads_targets_and_callees_but_not_properties() {
        assert_eq!(
            names_of("this.x = this.y + a\nb = c(d[e])\nreturn this.m(f)"),
            ["a", "b", "c", "d", "e", "f", "this"]
        );
    }

    #[test]
    fn looks_into_nested_blocks_and_strings() {
        assert_eq!(
            names_of(
                "if (p) { while (q) { print(\"${r}\") } } else { try { s() } catch (e) { t } }"
            ),
            ["p", "q", "r", "s", "t"]
        );
    }
}
