//! Statements: declarations, assignments, control flow and loops.

use super::exceptions::TryBody;
use super::scope::{LoopCtx, Resolved};
use super::Compiler;
use crate::bytecode::{builtin_id, Op};
use crate::syntax::ast::{AssignTarget, BinOp, Block, Expr, ExprKind, Stmt, StmtKind};

/// A `for each` loop's parts.
struct ForEach<'a> {
    index_var: Option<&'a str>,
    var: &'a str,
    body: &'a Block,
    line: u32,
}

impl Compiler {
    /// Compiles statements in the current scope.
    pub(super) fn stmts(&mut self, stmts: &[Stmt]) {
        if super::exceptions::has_defer(stmts) {
            return self.stmts_with_defer(stmts);
        }
        for s in stmts {
            self.stmt(s);
        }
    }

    /// Compiles a block in a scope of its own.
    pub(super) fn block(&mut self, b: &Block) {
        self.push_scope();
        self.stmts(&b.stmts);
        self.pop_scope();
    }

    /// Compiles one statement. Every statement leaves the operand stack as it found it.
    pub(super) fn stmt(&mut self, s: &Stmt) {
        self.stmt_at = (s.line, s.col);
        if self.recovers(s) {
            return self.recovering_stmt(s);
        }
        self.at(s.line, s.col);
        match &s.kind {
            StmtKind::Let {
                name,
                value,
                is_const,
            } => {
                self.expr(value);
                self.at(s.line, s.col);
                let target = self.declare(name, *is_const, s.line);
                if self.is_sealed(&target) {
                    self.b.emit_pop();
                    self.raise_sealed(name);
                } else {
                    self.store(&target);
                }
            }
            StmtKind::Seal(name) => self.seal_stmt(name, (s.line, s.col)),
            StmtKind::Assign {
                target: AssignTarget::Name(name),
                op,
                value,
            } => self.assign_name(name, *op, value, (s.line, s.col)),
            StmtKind::Assign {
                target: AssignTarget::Index { obj, index },
                op,
                value,
            } => {
                self.expr(obj);
                self.expr(index);
                if let Some(op) = op {
                    self.at(s.line, s.col);
                    self.b.emit_dup2();
                    self.b.emit_index();
                    self.expr(value);
                    self.at(s.line, s.col);
                    self.binary_op(*op);
                } else {
                    self.expr(value);
                }
                self.at(s.line, s.col);
                self.b.emit_store_index();
            }
            StmtKind::Assign {
                target: AssignTarget::Attr { obj, name },
                op,
                value,
            } => self.assign_attr(obj, name, *op, value, (s.line, s.col)),
            StmtKind::If {
                branches,
                else_block,
            } => self.if_stmt(branches, else_block.as_ref()),
            StmtKind::While { cond, body } => self.while_stmt(cond, body, (s.line, s.col)),
            StmtKind::ForEach {
                index_var,
                var,
                iterable,
                body,
            } => {
                let f = ForEach {
                    index_var: index_var.as_deref(),
                    var,
                    body,
                    line: s.line,
                };
                match range_args(iterable) {
                    Some(args) if self.resolves_to_builtin("range") => self.for_range(&f, args),
                    _ => self.for_iter(&f, iterable),
                }
            }
            StmtKind::Break | StmtKind::Continue => {
                self.loop_jump(matches!(s.kind, StmtKind::Break), (s.line, s.col))
            }
            StmtKind::FuncDef { name, params, body } => {
                // Top-level functions were hoisted to the start of the program.
                if !self.at_top_level() {
                    // Declared first: a closure that calls itself captures its own variable.
                    let target = self.declare(name, false, s.line);
                    self.function_value(Some(name), params, body, s.line);
                    self.store(&target);
                }
            }
            StmtKind::Return(value) => self.return_stmt(value.as_ref(), s.line),
            StmtKind::Print(args) => {
                for a in args {
                    self.expr(a);
                }
                self.at(s.line, s.col);
                self.b.emit_print(args.len() as u32);
            }
            StmtKind::Expr(e) => {
                self.expr(e);
                self.at(s.line, s.col);
                self.b.emit_pop();
            }
            StmtKind::Block(b) => self.block(b),
            StmtKind::Try {
                body,
                catch,
                finally,
            } => self.try_stmt(
                TryBody::Block(body),
                catch.as_ref().map(|(v, b)| (v.as_deref(), b)),
                finally.as_ref(),
                s.line,
            ),
            StmtKind::Throw(e) => self.throw_stmt(e, s.line),
            StmtKind::Emit { name, args } => self.emit_stmt(name, args, s.line),
            // `stmts` turns a `defer` into a `finally` around the rest of its block; one seen
            // alone ends its block at once.
            StmtKind::Defer(b) => self.try_stmt(TryBody::Rest(&[]), None, Some(b), s.line),
            // From here on, the program's statements recover from errors (`recover.rs`).
            StmtKind::ContinueOnError if self.in_main() => self.recover = Some(true),
            // Only the program turns it on (the original's VM and interpreter disagree about
            // a module that does).
            StmtKind::ContinueOnError => self.error(
                s.line,
                "continue",
                "'continue' outside a loop (a module cannot turn on continue-on-error mode)"
                    .to_string(),
            ),
            StmtKind::Use { path, binding } => self.use_stmt(path, binding, s.line),
            StmtKind::Export(names) => self.export_stmt(names, s.line),
            StmtKind::Module { name, body } => self.module_block(name, body, s.line),
            // Top-level types were compiled at the start of the program.
            StmtKind::Class(c) => {
                if !self.at_top_level() {
                    let kw = c.kind.keyword();
                    self.error(
                        s.line,
                        &c.name,
                        format!("a {kw} can only be declared at the top level"),
                    );
                }
            }
        }
    }

    /// Stores the value on top of the stack into a resolved variable.
    pub(super) fn store(&mut self, target: &Resolved) {
        match target {
            Resolved::Local(l) if l.cell => {
                self.b.emit_raw(Op::STORE_CELL, l.slot, 0);
            }
            Resolved::Local(l) => {
                self.b.emit_raw(Op::STORE_NAME, l.slot, 0);
            }
            Resolved::Global(g) => {
                let op = if self.in_main() {
                    Op::STORE_NAME
                } else {
                    Op::STORE_GLOBAL
                };
                self.b.emit_raw(op, g.slot, 0);
            }
            // An error was reported; nothing runs.
            _ => {}
        }
    }

    /// `name = value` or `name op= value`.
    /// `at` is the statement's line and column (its first token is the name).
    fn assign_name(
        &mut self,
        name: &str,
        op: Option<BinOp>,
        value: &Expr,
        (line, col): (u32, u32),
    ) {
        let target = self.resolve(name);
        let undefined = || format!("undefined variable '{name}'");
        // (message, whether a statement dropped after a syntax error could be the cause)
        let problem = match &target {
            Resolved::Local(l) if l.is_const => {
                Some((format!("cannot assign to const '{name}'"), false))
            }
            Resolved::Global(g) if g.is_const => {
                Some((format!("cannot assign to const '{name}'"), false))
            }
            Resolved::Global(g) if !g.declared => Some((undefined(), true)),
            Resolved::Local(_) | Resolved::Global(_) => None,
            Resolved::Captured(owner) => Some((self.capture_message(name, owner), false)),
            Resolved::SelfFunc(_, owner) => Some((self.capture_message(name, owner), false)),
            Resolved::Builtin(_) | Resolved::Unknown => Some((undefined(), true)),
        };
        if let Some((message, cascading)) = problem {
            if cascading {
                self.cascading_error(line, col, name, message);
            } else {
                self.error_at(line, col, name, message);
            }
            self.expr(value);
            return;
        }
        if self.is_sealed(&target) {
            // The original checks before evaluating the value.
            self.at(line, col);
            return self.raise_sealed(name);
        }
        if let Some(op) = op {
            self.load_resolved(&target);
            self.expr(value);
            self.at(line, col);
            self.binary_op(op);
        } else {
            self.expr(value);
        }
        self.at(line, col);
        self.store(&target);
    }

    /// `if c {} elif c {} ... else {}`: each test jumps to the next one when false.
    fn if_stmt(&mut self, branches: &[(Expr, Block)], else_block: Option<&Block>) {
        let end = self.label();
        for (i, (cond, block)) in branches.iter().enumerate() {
            let next = self.label();
            self.expr(cond);
            self.line(cond.line);
            self.b.emit_jump_if_false(&next);
            self.block(block);
            let last = i + 1 == branches.len() && else_block.is_none();
            if !last && !ends_in_jump(block) {
                self.line(block.end_line);
                self.b.emit_jump(&end);
            }
            self.b.emit_label(&next);
        }
        if let Some(block) = else_block {
            self.block(block);
        }
        self.b.emit_label(&end);
    }

    /// `header: <cond> JUMP_IF_FALSE exit; <body>; JUMP header; exit:`.
    fn while_stmt(&mut self, cond: &Expr, body: &Block, (line, col): (u32, u32)) {
        let header = self.label();
        let exit = self.label();
        self.b.emit_label(&header);
        self.expr(cond);
        self.at(line, col);
        self.b.emit_jump_if_false(&exit);
        self.loop_body(
            body,
            LoopCtx {
                exit: exit.clone(),
                next: header.clone(),
                has_iter: false,
                tries: self.ctxs.last().map_or(0, |c| c.tries.len()),
                guards: self.ctxs.last().map_or(0, |c| c.guards.len()),
                depth: self.stack_depth(),
            },
            None,
        );
        self.at(line, col);
        self.b.emit_jump(&header);
        self.b.emit_label(&exit);
    }

    /// Compiles a loop body in its own scope, after `prologue` (which declares and stores the
    /// loop variables in that scope).
    fn loop_body(
        &mut self,
        body: &Block,
        ctx: LoopCtx,
        prologue: Option<&mut dyn FnMut(&mut Self)>,
    ) {
        self.push_scope();
        if let Some(p) = prologue {
            p(self);
        }
        self.ctx().loops.push(ctx);
        self.stmts(&body.stmts);
        self.ctx().loops.pop();
        self.pop_scope();
    }

    /// `for each` over an iterator: `<e> GET_ITER; top: FOR_ITER exit; STORE x; <body>;
    /// JUMP top; exit:`.
    fn for_iter(&mut self, f: &ForEach, iterable: &Expr) {
        self.expr(iterable);
        // "cannot iterate over ..." points at the iterable.
        let col = if iterable.line == f.line {
            iterable.col
        } else {
            0
        };
        self.at(f.line, col);
        self.b.emit_get_iter();
        let top = self.label();
        let exit = self.label();
        self.b.emit_label(&top);
        let vars = if f.index_var.is_some() { 2 } else { 1 };
        self.b.emit_for_iter(&exit, vars);
        let ctx = LoopCtx {
            exit: exit.clone(),
            next: top.clone(),
            has_iter: true,
            tries: self.ctx().tries.len(),
            guards: self.ctx().guards.len(),
            depth: self.stack_depth() + 1,
        };
        let mut prologue = |c: &mut Self| {
            // FOR_ITER pushes `[index] value`, value on top.
            let target = c.declare(f.var, false, f.line);
            c.store(&target);
            if let Some(i) = f.index_var {
                let target = c.declare(i, false, f.line);
                c.store(&target);
            }
        };
        self.loop_body(f.body, ctx, Some(&mut prologue));
        self.line(f.line);
        self.b.emit_jump(&top);
        self.b.emit_label(&exit);
    }

    /// `for each [i,] x in range(a, b)`: a counted loop over hidden slots, shaped like a
    /// `while` loop. The bounds are evaluated once and passed to the `range` builtin, so bad
    /// bounds fail exactly as they do for `range` elsewhere.
    fn for_range(&mut self, f: &ForEach, args: &[Expr]) {
        let next_slot = self.hidden_slot(&format!("<{} next>", f.var));
        let end_slot = self.hidden_slot(&format!("<{} end>", f.var));
        let index_slot = f
            .index_var
            .map(|i| self.hidden_slot(&format!("<{i} index>")));
        let range = builtin_id("range").expect("range is a builtin");
        for a in args {
            self.expr(a);
        }
        self.line(f.line);
        if args.len() == 1 {
            self.b.emit_dup();
            self.b.emit_raw(Op::CALL_BUILTIN, range, 1);
            self.b.emit_pop();
            self.b.emit_raw(Op::STORE_NAME, end_slot, 0);
            self.b.emit_load_const(0);
            self.b.emit_raw(Op::STORE_NAME, next_slot, 0);
        } else {
            self.b.emit_dup2();
            self.b.emit_raw(Op::CALL_BUILTIN, range, 2);
            self.b.emit_pop();
            self.b.emit_raw(Op::STORE_NAME, end_slot, 0);
            self.b.emit_raw(Op::STORE_NAME, next_slot, 0);
        }
        if let Some(slot) = index_slot {
            self.b.emit_load_const(0);
            self.b.emit_raw(Op::STORE_NAME, slot, 0);
        }
        let header = self.label();
        let next = self.label();
        let exit = self.label();
        self.b.emit_label(&header);
        self.b.emit_raw(Op::LOAD_NAME, next_slot, 0);
        self.b.emit_raw(Op::LOAD_NAME, end_slot, 0);
        self.b.emit_lt();
        self.b.emit_jump_if_false(&exit);
        let ctx = LoopCtx {
            exit: exit.clone(),
            next: next.clone(),
            has_iter: false,
            tries: self.ctx().tries.len(),
            guards: self.ctx().guards.len(),
            depth: self.stack_depth(),
        };
        let mut prologue = |c: &mut Self| {
            if let (Some(i), Some(slot)) = (f.index_var, index_slot) {
                c.b.emit_raw(Op::LOAD_NAME, slot, 0);
                let target = c.declare(i, false, f.line);
                c.store(&target);
            }
            c.b.emit_raw(Op::LOAD_NAME, next_slot, 0);
            let target = c.declare(f.var, false, f.line);
            c.store(&target);
        };
        self.loop_body(f.body, ctx, Some(&mut prologue));
        self.line(f.line);
        self.b.emit_label(&next);
        for slot in std::iter::once(next_slot).chain(index_slot) {
            self.b.emit_raw(Op::LOAD_NAME, slot, 0);
            self.b.emit_load_const(1);
            self.b.emit_add();
            self.b.emit_raw(Op::STORE_NAME, slot, 0);
        }
        self.b.emit_jump(&header);
        self.b.emit_label(&exit);
    }

    /// `break` (pops the loop's iterator, if any) or `continue`.
    fn loop_jump(&mut self, is_break: bool, (line, col): (u32, u32)) {
        let Some(l) = self.ctx().loops.last() else {
            let what = if is_break { "break" } else { "continue" };
            self.cascading_error(line, col, what, format!("'{what}' outside a loop"));
            return;
        };
        let (target, pop) = if is_break {
            (l.exit.clone(), l.has_iter)
        } else {
            (l.next.clone(), false)
        };
        let (tries, guards, depth) = (l.tries, l.guards, l.depth);
        self.exit_sequence(tries, guards, false, |c| {
            c.line(line);
            // Values an exit being made held here (in a copy of a finally block), then the
            // loop's iterator.
            let held = c.stack_depth().saturating_sub(depth);
            for _ in 0..held + u32::from(pop) {
                c.b.emit_pop();
            }
            c.b.emit_jump(&target);
        });
    }

    /// Whether `name` (not shadowed) is the builtin of that name here.
    fn resolves_to_builtin(&self, name: &str) -> bool {
        matches!(self.resolve(name), Resolved::Builtin(_))
    }

    /// The error text for using `name`, a local of `owner`, from a nested function.
    pub(super) fn capture_message(&self, name: &str, owner: &str) -> String {
        if owner.starts_with('<') {
            format!("cannot capture local variable '{name}' of an enclosing block (no closures)")
        } else {
            format!("cannot capture local variable '{name}' of enclosing function '{owner}' (no closures)")
        }
    }
}

/// The arguments of `range(...)` with 1 or 2 arguments, if `e` is such a call.
fn range_args(e: &Expr) -> Option<&[Expr]> {
    match &e.kind {
        ExprKind::Call { callee, args } if (1..=2).contains(&args.len()) => match &callee.kind {
            ExprKind::Name(n) if n == "range" => Some(args),
            _ => None,
        },
        _ => None,
    }
}

/// Whether a block's last statement always jumps away (so no jump past the else is needed).
fn ends_in_jump(b: &Block) -> bool {
    matches!(
        b.stmts.last().map(|s| &s.kind),
        Some(StmtKind::Return(_) | StmtKind::Break | StmtKind::Continue)
    )
}
