//! Closures: functions that use the variables of the functions (and blocks) around them.
//!
//! A variable that some nested function uses lives in a *cell*, a shared box: its slot holds
//! the cell and every access goes through it (`LOAD_CELL`, `STORE_CELL`; a captured parameter
//! is moved into a cell at entry with `MAKE_CELL`). Which variables those are is decided by
//! name, before the code is compiled (`syntax::captures`): all other variables keep plain
//! slots, so code without closures compiles exactly as before.
//!
//! A nested function that uses such variables becomes a closure: `CELL_REF` pushes each cell
//! (made, unassigned, if the variable has no value yet, as for a function that calls itself)
//! and `MAKE_CLOSURE f n` makes the value. Calling it passes the cells as hidden parameters
//! after the declared ones, so inside it they are its own cell slots (`Ctx::upvals`) and it
//! can hand them on to functions nested in it.
//!
//! Semantics, as the original's interpreter: a closure sees later assignments to the
//! variables it uses and may assign them; closures made by one call share that call's
//! variables; each call of a function has its own. A variable is one per declaration per
//! call: a `let` in a loop body, or a loop variable, is the same variable in every iteration.

use zexus_runtime::Value;

use super::scope::{Ctx, Local, Resolved};
use super::Compiler;
use crate::bytecode::Op;
use crate::syntax::ast::{Block, Stmt, StmtKind};
use crate::syntax::captures::{captured_names, free_names};

impl Compiler {
    /// Compiles a nested function (named `name`, which its body may use to call itself) or
    /// a function literal (`name` `None`) and pushes its value: a plain function value, or a
    /// closure over the cells of the variables around it that it uses.
    pub(super) fn function_value(
        &mut self,
        name: Option<&str>,
        params: &[String],
        body: &Block,
        line: u32,
    ) {
        let free = free_names(params, body);
        let mut ups: Vec<(String, Local)> = Vec::new();
        for n in free.iter().filter(|n| Some(n.as_str()) != name) {
            if let Resolved::Local(l) = self.resolve(n) {
                if l.cell {
                    ups.push((n.clone(), l));
                }
            }
        }
        // A closure that calls itself finds itself in its own cell.
        if let Some(own) = name.filter(|n| !ups.is_empty() && free.contains(*n)) {
            if let Resolved::Local(l) = self.resolve(own) {
                if l.cell {
                    ups.push((own.to_string(), l));
                }
            }
        }
        let shown = name.unwrap_or("<lambda>");
        let index = self.function_with(shown, name.is_some(), params, body, &ups);
        self.line(line);
        if ups.is_empty() {
            self.b.emit_load_const(Value::func(index));
        } else {
            for (_, l) in &ups {
                self.b.emit_raw(Op::CELL_REF, l.slot, 0);
            }
            self.b.emit_make_closure(index, ups.len() as u32);
        }
    }

    /// Compiles a function whose hidden parameters (after `params`) are the cells `ups`, and
    /// returns its index. `self_ref`: its own name refers to itself in its body (a nested
    /// function without cells).
    pub(super) fn function_with(
        &mut self,
        name: &str,
        self_ref: bool,
        params: &[String],
        body: &Block,
        ups: &[(String, Local)],
    ) -> u32 {
        let mut all: Vec<&str> = params.iter().map(String::as_str).collect();
        all.extend(ups.iter().map(|(n, _)| n.as_str()));
        let shown = format!("{}{name}", self.unit().prefix);
        let index = self.b.begin_function(&shown, &all);
        let mut ctx = Ctx::function(name, params, self_ref.then_some(index));
        for (i, (n, outer)) in ups.iter().enumerate() {
            let l = Local {
                slot: (params.len() + i) as u32,
                is_const: outer.is_const,
                cell: true,
            };
            ctx.upvals.insert(n.clone(), l);
        }
        self.ctxs.push(ctx);
        self.function_body(params, body);
        index
    }

    /// At the start of a function's body: the names its nested functions use, and its
    /// parameters (and other variables set on entry) among them moved into cells.
    pub(super) fn begin_captures(&mut self, body: &Block) {
        let captured = captured_names(&body.stmts);
        if captured.is_empty() {
            return;
        }
        let ctx = self.ctx();
        let mut slots: Vec<u32> = Vec::new();
        if let Some(top) = ctx.scopes.first_mut() {
            for (n, l) in top.iter_mut() {
                if captured.contains(n) {
                    l.cell = true;
                    slots.push(l.slot);
                }
            }
        }
        ctx.captured = captured;
        slots.sort_unstable();
        slots.dedup();
        for slot in slots {
            self.b.emit_raw(Op::MAKE_CELL, slot, 0);
        }
    }

    /// For the top level of a program or module: the names used by the functions nested in
    /// its statements, other than its top-level functions (which see only its globals). Its
    /// variables in nested blocks of these names live in cells.
    pub(super) fn begin_unit_captures(&mut self, stmts: &[Stmt]) {
        let mut captured = std::collections::BTreeSet::new();
        for s in stmts {
            if !matches!(s.kind, StmtKind::FuncDef { .. }) {
                captured.extend(captured_names(std::slice::from_ref(s)));
            }
        }
        self.ctx().captured = captured;
    }
}
