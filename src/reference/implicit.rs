//! Which plain assignments declare (LANGUAGE.md, "Assignment declares"): `x = e` where no
//! enclosing block of the same function (or of the program's top level) declares `x` with a
//! `let`, a parameter, a loop variable or a function definition. Written again from the
//! language's description, independently of the compiler's pass.

use std::collections::HashSet;

use crate::syntax::ast::{AssignTarget, Block, Stmt, StmtKind};

/// The names such assignments in `stmts` declare (not looking inside nested functions);
/// `declared` holds the names declared around `stmts`.
pub(super) fn declared_by_assignment(stmts: &[Stmt], declared: HashSet<String>) -> Vec<String> {
    let mut scopes = vec![declared];
    let mut out = Vec::new();
    visit(stmts, &mut scopes, &mut out);
    out
}

fn visit(stmts: &[Stmt], scopes: &mut Vec<HashSet<String>>, out: &mut Vec<String>) {
    for s in stmts {
        match &s.kind {
            StmtKind::Let { name, .. } | StmtKind::FuncDef { name, .. } => {
                scopes.last_mut().expect("a scope").insert(name.clone());
            }
            StmtKind::Assign {
                target: AssignTarget::Name(name),
                op: None,
                ..
            } if !out.contains(name) && scopes.iter().all(|sc| !sc.contains(name)) => {
                out.push(name.clone());
            }
            StmtKind::If {
                branches,
                else_block,
            } => {
                let blocks = branches.iter().map(|(_, b)| b).chain(else_block.iter());
                for b in blocks {
                    inner(b, HashSet::new(), scopes, out);
                }
            }
            StmtKind::While { body, .. } => inner(body, HashSet::new(), scopes, out),
            StmtKind::ForEach {
                index_var,
                var,
                body,
                ..
            } => {
                let mut vars: HashSet<String> = index_var.iter().cloned().collect();
                vars.insert(var.clone());
                inner(body, vars, scopes, out);
            }
            StmtKind::Block(b) | StmtKind::Defer(b) => inner(b, HashSet::new(), scopes, out),
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                inner(body, HashSet::new(), scopes, out);
                if let Some((var, b)) = catch {
                    inner(b, var.iter().cloned().collect(), scopes, out);
                }
                if let Some(b) = finally {
                    inner(b, HashSet::new(), scopes, out);
                }
            }
            _ => {}
        }
    }
}

fn inner(
    b: &Block,
    vars: HashSet<String>,
    scopes: &mut Vec<HashSet<String>>,
    out: &mut Vec<String>,
) {
    scopes.push(vars);
    visit(&b.stmts, scopes, out);
    scopes.pop();
}
