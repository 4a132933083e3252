//! Closures in the reference evaluator, written from LANGUAGE.md: a function value made
//! inside a call (or a block of the program) keeps the variables of that code that it uses,
//! shared, not copied. Variables are kept in cells here: every `let`, loop variable and catch
//! variable is one cell per declaration per call (a `let` in a loop body is the same variable in
//! every iteration), and parameters move into a cell when a function value first uses them.

use std::collections::HashMap;

use zexus_runtime::Value;

use super::env::Interp;
use crate::syntax::ast::{AssignTarget, Block, Expr, ExprKind, FuncLit, Stmt, StmtKind};
use crate::syntax::captures::free_names;

/// The closure state of one frame.
#[derive(Default)]
pub(super) struct ClosureEnv {
    /// The variables of enclosing calls this call's function uses: name to cell.
    pub captured: HashMap<String, Value>,
    /// The cell of each declaration run in this frame, by the address of its name in the
    /// program (the same `let` run again in a loop finds its variable).
    pub sites: HashMap<usize, Value>,
    /// The function value being run (a closure calls itself through its own name).
    pub self_value: Option<Value>,
}

impl<'p> Interp<'p> {
    /// `let name = v` (also a nested function's or loop's variable) at a declaration of the
    /// program: as `declare`, but below the top level the variable is that declaration's cell.
    pub(super) fn declare_site(&mut self, name: &'p str, v: Value) {
        if self.at_top_level() {
            return self.declare(name, v);
        }
        let f = self.frame();
        let scope = f
            .scopes
            .last_mut()
            .expect("below the top level there is a block scope");
        // A second declaration in the same block assigns.
        if let Some(slot) = scope.get_mut(name) {
            match slot.as_cell() {
                Some(c) => drop(c.replace(v)),
                None => *slot = v,
            }
            return;
        }
        let cell = f
            .env
            .sites
            .entry(name.as_ptr() as usize)
            .or_insert_with(|| Value::cell(Value::UNDEF))
            .clone();
        drop(cell.as_cell().expect("a cell").replace(v));
        f.scopes
            .last_mut()
            .expect("checked above")
            .insert(name.to_string(), cell);
    }

    /// The value of function `index` made here: the plain function, or a closure over the
    /// variables of this frame (and those it captured) that the function uses.
    pub(super) fn function_value(&mut self, index: u32) -> Value {
        let free = self.free_names[&index].clone();
        let func = &self.funcs[&index];
        let own = func.nested.then_some(func.name);
        let mut cells = Vec::with_capacity(free.len());
        let mut any = false;
        for n in &free {
            match self.capture(n).filter(|_| Some(n.as_str()) != own) {
                Some(c) => {
                    any = true;
                    cells.push(c);
                }
                None => cells.push(Value::NULL),
            }
        }
        if !any {
            return Value::func(index);
        }
        // A closure that calls itself finds itself in its own variable.
        if let Some(i) = own.and_then(|o| free.iter().position(|n| n == o)) {
            if let Some(c) = self.capture(&free[i]) {
                cells[i] = c;
            }
        }
        Value::closure(index, cells)
    }

    /// The cell of this frame's variable `n`, moving its value into one if needed.
    fn capture(&mut self, n: &str) -> Option<Value> {
        let f = self.frame();
        if let Some(slot) = f.scopes.iter_mut().rev().find_map(|s| s.get_mut(n)) {
            if slot.as_cell().is_none() {
                let v = std::mem::replace(slot, Value::UNDEF);
                *slot = Value::cell(v);
            }
            return Some(slot.clone());
        }
        if let Some(c) = f.env.captured.get(n) {
            return Some(c.clone());
        }
        // The enclosing function's own name: a constant.
        match &f.self_func {
            Some((own, index)) if own == n => {
                let v = f.env.self_value.clone().unwrap_or(Value::func(*index));
                Some(Value::cell(v))
            }
            _ => None,
        }
    }

    /// The frame state for a call of `f` (a function value) of function `index`.
    pub(super) fn closure_env(&self, f: &Value, index: u32) -> ClosureEnv {
        let mut env = ClosureEnv {
            self_value: Some(f.clone()),
            ..ClosureEnv::default()
        };
        if let Some(c) = f.as_closure() {
            for (n, cell) in self.free_names[&index].iter().zip(&c.cells) {
                if cell.as_cell().is_some() {
                    env.captured.insert(n.clone(), cell.clone());
                }
            }
        }
        env
    }

    /// Numbers a function defined by `name`, `params` and `body` (see `number`), with its
    /// free names.
    pub(super) fn note_free_names(&mut self, index: u32, params: &[String], body: &Block) {
        self.free_names
            .insert(index, free_names(params, body).into_iter().collect());
    }

    /// Numbers the function literals in `e`, in the order the compiler meets them.
    pub(super) fn number_expr(&mut self, e: &'p Expr, unit: usize, next: &mut u32) {
        let mut ex = |it: &mut Self, e: &'p Expr| it.number_expr(e, unit, next);
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Null
            | ExprKind::Name(_) => {}
            ExprKind::List(items) => items.iter().for_each(|i| ex(self, i)),
            ExprKind::Map(entries) => {
                for (k, v) in entries {
                    ex(self, k);
                    ex(self, v);
                }
            }
            ExprKind::Unary { expr, .. } => ex(self, expr),
            ExprKind::Binary { lhs, rhs, .. } | ExprKind::Logical { lhs, rhs, .. } => {
                ex(self, lhs);
                ex(self, rhs);
            }
            ExprKind::Ternary { cond, then, else_ } => {
                ex(self, cond);
                ex(self, then);
                ex(self, else_);
            }
            ExprKind::Call { callee, args } => {
                ex(self, callee);
                args.iter().for_each(|a| ex(self, a));
            }
            ExprKind::MethodCall { obj, args, .. } => {
                ex(self, obj);
                args.iter().for_each(|a| ex(self, a));
            }
            ExprKind::Index { obj, index } => {
                ex(self, obj);
                ex(self, index);
            }
            ExprKind::Attr { obj, .. } => ex(self, obj),
            ExprKind::Construct { fields, .. } => fields.iter().for_each(|(_, v)| ex(self, v)),
            ExprKind::Function(f) => self.number_literal(f, unit, next),
        }
    }

    fn number_literal(&mut self, f: &'p FuncLit, unit: usize, next: &mut u32) {
        self.number("<lambda>", &f.params, &f.body, false, unit, next);
    }

    /// Numbers the function literals in the expressions of statement `s` itself (not in the
    /// blocks under it), in the order the compiler meets them: those before its blocks.
    pub(super) fn number_stmt_exprs(&mut self, s: &'p Stmt, unit: usize, next: &mut u32) {
        match &s.kind {
            StmtKind::Let { value, .. } => self.number_expr(value, unit, next),
            StmtKind::Assign { target, value, .. } => {
                match target {
                    AssignTarget::Name(_) => {}
                    AssignTarget::Index { obj, index } => {
                        self.number_expr(obj, unit, next);
                        self.number_expr(index, unit, next);
                    }
                    AssignTarget::Attr { obj, .. } => self.number_expr(obj, unit, next),
                }
                self.number_expr(value, unit, next);
            }
            StmtKind::While { cond, .. } => self.number_expr(cond, unit, next),
            StmtKind::ForEach { iterable, .. } => self.number_expr(iterable, unit, next),
            StmtKind::Return(Some(e)) | StmtKind::Expr(e) | StmtKind::Throw(e) => {
                self.number_expr(e, unit, next)
            }
            StmtKind::Print(es) | StmtKind::Emit { args: es, .. } => {
                es.iter().for_each(|e| self.number_expr(e, unit, next))
            }
            _ => {}
        }
    }
}
