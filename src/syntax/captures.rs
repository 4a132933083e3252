//! Which variables nested functions use: the names a function literal or nested function may
//! capture from the code around it. The compiler keeps exactly these variables of a function
//! in cells (see `compiler/closures.rs`); everything else keeps its plain slot.
//!
//! The sets are by name and over-approximate (a name a nested function declares for itself
//! still counts): a variable kept in a cell that no closure shares behaves exactly as a plain
//! one.

use std::collections::BTreeSet;

use super::ast::{AssignTarget, Block, Expr, ExprKind, Stmt, StmtKind};

/// The names that functions nested anywhere in `stmts` (not counting the code of `stmts`
/// itself) use without declaring them as their own parameters.
pub fn captured_names(stmts: &[Stmt]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut w = Walker {
        out: &mut out,
        mode: Mode::NestedOnly,
    };
    w.stmts(stmts);
    out
}

/// The names a function with these parameters and body may take from the code around it:
/// every name its body (and any function nested in it) uses, except its parameters.
pub fn free_names(params: &[String], body: &Block) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut w = Walker {
        out: &mut out,
        mode: Mode::All,
    };
    w.stmts(&body.stmts);
    for p in params {
        out.remove(p);
    }
    out
}

/// Whether statement `s` itself (not the blocks under it) has a function literal in its
/// expressions.
pub fn has_function_literal(s: &Stmt) -> bool {
    let mut out = BTreeSet::new();
    let mut w = Walker {
        out: &mut out,
        mode: Mode::Literals,
    };
    let own_exprs = match &s.kind {
        StmtKind::If { branches, .. } => {
            branches.iter().for_each(|(c, _)| w.expr(c));
            true
        }
        StmtKind::While { cond, .. } => {
            w.expr(cond);
            true
        }
        StmtKind::ForEach { iterable, .. } => {
            w.expr(iterable);
            true
        }
        StmtKind::Try { .. }
        | StmtKind::Block(_)
        | StmtKind::Defer(_)
        | StmtKind::Module { .. }
        | StmtKind::Class(_)
        | StmtKind::FuncDef { .. } => true,
        _ => false,
    };
    if !own_exprs {
        w.stmt(s);
    }
    !out.is_empty()
}

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    /// Note only that a function literal was seen (the name `<lambda>`).
    Literals,
    /// Collect every name.
    All,
    /// Collect only the free names of nested functions.
    NestedOnly,
}

struct Walker<'a> {
    out: &'a mut BTreeSet<String>,
    mode: Mode,
}

impl Walker<'_> {
    fn name(&mut self, n: &str) {
        if self.mode == Mode::All {
            self.out.insert(n.to_string());
        }
    }

    fn function(&mut self, params: &[String], body: &Block) {
        if self.mode != Mode::Literals {
            self.out.extend(free_names(params, body));
        }
    }

    fn stmts(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt(s);
        }
    }

    fn block(&mut self, b: &Block) {
        self.stmts(&b.stmts);
    }

    fn stmt(&mut self, s: &Stmt) {
        match &s.kind {
            StmtKind::Let { name, value, .. } => {
                self.name(name);
                self.expr(value);
            }
            StmtKind::Assign { target, value, .. } => {
                match target {
                    AssignTarget::Name(n) => self.name(n),
                    AssignTarget::Index { obj, index } => {
                        self.expr(obj);
                        self.expr(index);
                    }
                    AssignTarget::Attr { obj, .. } => self.expr(obj),
                }
                self.expr(value);
            }
            StmtKind::If {
                branches,
                else_block,
            } => {
                for (c, b) in branches {
                    self.expr(c);
                    self.block(b);
                }
                if let Some(b) = else_block {
                    self.block(b);
                }
            }
            StmtKind::While { cond, body } => {
                self.expr(cond);
                self.block(body);
            }
            StmtKind::ForEach {
                index_var,
                var,
                iterable,
                body,
            } => {
                if let Some(i) = index_var {
                    self.name(i);
                }
                self.name(var);
                self.expr(iterable);
                self.block(body);
            }
            StmtKind::FuncDef { name, params, body } => {
                self.name(name);
                self.function(params, body);
            }
            StmtKind::Return(e) => {
                if let Some(e) = e {
                    self.expr(e);
                }
            }
            StmtKind::Print(es) => es.iter().for_each(|e| self.expr(e)),
            StmtKind::Expr(e) | StmtKind::Throw(e) => self.expr(e),
            StmtKind::Block(b) | StmtKind::Defer(b) => self.block(b),
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                self.block(body);
                if let Some((v, b)) = catch {
                    if let Some(v) = v {
                        self.name(v);
                    }
                    self.block(b);
                }
                if let Some(b) = finally {
                    self.block(b);
                }
            }
            StmtKind::Emit { args, .. } => args.iter().for_each(|e| self.expr(e)),
            StmtKind::Module { body, .. } => self.block(body),
            StmtKind::Class(c) => {
                for f in &c.fields {
                    if let Some(d) = &f.default {
                        self.expr(d);
                    }
                }
                for m in &c.methods {
                    self.function(&m.params, &m.body);
                }
            }
            StmtKind::Seal(n) => self.name(n),
            StmtKind::Break
            | StmtKind::Continue
            | StmtKind::ContinueOnError
            | StmtKind::Use { .. }
            | StmtKind::Export(_) => {}
        }
    }

    fn expr(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Null => {}
            ExprKind::List(items) => items.iter().for_each(|e| self.expr(e)),
            ExprKind::Map(entries) => {
                for (k, v) in entries {
                    self.expr(k);
                    self.expr(v);
                }
            }
            ExprKind::Name(n) => self.name(n),
            ExprKind::Unary { expr, .. } => self.expr(expr),
            ExprKind::Binary { lhs, rhs, .. } | ExprKind::Logical { lhs, rhs, .. } => {
                self.expr(lhs);
                self.expr(rhs);
            }
            ExprKind::Ternary { cond, then, else_ } => {
                self.expr(cond);
                self.expr(then);
                self.expr(else_);
            }
            ExprKind::Call { callee, args } => {
                self.expr(callee);
                args.iter().for_each(|e| self.expr(e));
            }
            ExprKind::MethodCall { obj, args, .. } => {
                self.expr(obj);
                args.iter().for_each(|e| self.expr(e));
            }
            ExprKind::Index { obj, index } => {
                self.expr(obj);
                self.expr(index);
            }
            ExprKind::Attr { obj, .. } => self.expr(obj),
            ExprKind::Function(f) if self.mode == Mode::Literals => {
                self.out.insert("<lambda>".to_string());
            }
            ExprKind::Function(f) => self.function(&f.params, &f.body),
            ExprKind::Construct { class, fields } => {
                self.name(class);
                fields.iter().for_each(|(_, e)| self.expr(e));
            }
        }
    }
}
