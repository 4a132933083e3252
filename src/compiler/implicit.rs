//! Assignments that declare: `x = e` where no `let`, parameter, loop variable or global
//! declares `x` (the original's behaviour). In a function such an `x` is a local of the whole
//! function body; anywhere else in the program it is a global. Property assignments
//! (`obj.name = e`) are compiled here too.

use std::collections::HashSet;

use zexus_runtime::Value;

use super::scope::{Local, Resolved};
use super::Compiler;
use crate::syntax::ast::{BinOp, Block, Expr, Stmt, StmtKind};

impl Compiler {
    /// Declares, in the function being compiled (whose parameters are `params`), the locals
    /// that plain assignments in `body` declare.
    pub(super) fn declare_implicit_locals(&mut self, params: &[String], body: &Block) {
        let scope: HashSet<String> = params.iter().cloned().collect();
        for name in implicit_names(&body.stmts, vec![scope]) {
            let free = match self.resolve(&name) {
                Resolved::Unknown | Resolved::Builtin(_) => true,
                Resolved::Global(g) => !g.declared,
                _ => false,
            };
            if free {
                let slot = self.b.new_slot(&name);
                let cell = self.ctx().captured.contains(&name);
                let local = Local {
                    slot,
                    is_const: false,
                    cell,
                };
                self.ctx().scopes[0].insert(name, local);
            }
        }
    }

    /// Declares the globals that plain assignments in the statements of the program or of a
    /// module (outside functions) declare: globals of that module, except (in a `module`
    /// block) names that a module around it declares, which the assignments set.
    pub(super) fn declare_implicit_globals(&mut self, stmts: &[Stmt]) {
        for name in implicit_names(stmts, vec![HashSet::new()]) {
            if self.declared_global(&name).is_some() {
                continue;
            }
            self.global_slot(&name);
            let key = self.gkey(&name).into_owned();
            if let Some(g) = self.globals.get_mut(&key) {
                g.declared = true;
            }
        }
    }

    /// `obj.name = value` / `obj.name op= value` (at the statement's line and column):
    /// `<obj> <value> SET_ATTR name`, or `<obj> DUP GET_ATTR name <value> op SET_ATTR name`.
    pub(super) fn assign_attr(
        &mut self,
        obj: &Expr,
        name: &str,
        op: Option<BinOp>,
        value: &Expr,
        (line, col): (u32, u32),
    ) {
        self.expr(obj);
        if let Some(op) = op {
            self.at(line, col);
            self.b.emit_dup();
            self.b.emit_get_attr(Value::str(name));
            self.expr(value);
            self.at(line, col);
            self.binary_op(op);
        } else {
            self.expr(value);
        }
        self.at(line, col);
        self.b.emit_set_attr(Value::str(name));
    }
}

/// The names, in order of first assignment, that plain assignments in `stmts` (not inside
/// nested functions) assign while no enclosing block scope declares them. `scopes` holds the
/// names declared around `stmts` (innermost last).
pub(crate) fn implicit_names(stmts: &[Stmt], mut scopes: Vec<HashSet<String>>) -> Vec<String> {
    let mut out = Vec::new();
    walk(stmts, &mut scopes, &mut out);
    out
}

fn walk(stmts: &[Stmt], scopes: &mut Vec<HashSet<String>>, out: &mut Vec<String>) {
    let block = |b: &Block,
                 vars: Vec<&String>,
                 scopes: &mut Vec<HashSet<String>>,
                 out: &mut Vec<String>| {
        scopes.push(vars.into_iter().cloned().collect());
        walk(&b.stmts, scopes, out);
        scopes.pop();
    };
    for s in stmts {
        match &s.kind {
            StmtKind::Let { name, .. } | StmtKind::FuncDef { name, .. } => {
                if let Some(top) = scopes.last_mut() {
                    top.insert(name.clone());
                }
            }
            StmtKind::Assign {
                target: crate::syntax::ast::AssignTarget::Name(name),
                op: None,
                ..
            } if !scopes.iter().any(|sc| sc.contains(name)) && !out.contains(name) => {
                out.push(name.clone());
            }
            StmtKind::If {
                branches,
                else_block,
            } => {
                for (_, b) in branches {
                    block(b, Vec::new(), scopes, out);
                }
                if let Some(b) = else_block {
                    block(b, Vec::new(), scopes, out);
                }
            }
            StmtKind::While { body, .. } => block(body, Vec::new(), scopes, out),
            StmtKind::ForEach {
                index_var,
                var,
                body,
                ..
            } => {
                let vars = index_var.iter().chain(std::iter::once(var)).collect();
                block(body, vars, scopes, out)
            }
            StmtKind::Block(b) | StmtKind::Defer(b) => block(b, Vec::new(), scopes, out),
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                block(body, Vec::new(), scopes, out);
                if let Some((var, b)) = catch {
                    block(b, var.iter().collect(), scopes, out);
                }
                if let Some(b) = finally {
                    block(b, Vec::new(), scopes, out);
                }
            }
            _ => {}
        }
    }
}
