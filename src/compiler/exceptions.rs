//! `try`/`catch`/`finally`, `throw`, `defer` and `emit`.
//!
//! A `try` costs nothing until something raises: it only adds entries to the code object's
//! exception table (CPython 3.11's zero-cost scheme, see [`crate::bytecode::Handler`]):
//!
//! ```text
//!         <try block>                  ; covered by the catch entry and the finally entry
//!         <finally block>              ; a copy, for leaving the try block normally
//!         JUMP end
//! catch:  STORE e  (or POP)            ; the raised value; covered by the finally entry
//!         <catch block>
//!         <finally block>              ; a copy
//!         JUMP end
//! fin:    STORE <exception>            ; anything raised in the try or catch block
//!         <finally block>
//!         RERAISE <exception>          ; raised again, with its own line and trace
//! end:
//! ```
//!
//! A `return`, `break` or `continue` that leaves a `try` with a `finally` runs a copy of the
//! `finally` block first (innermost first; a `return`'s value waits on the stack). Each copy
//! is compiled where the `try` statement is, as to names and loops, and with the entries of
//! the `try` statements it leaves suspended, so that an error in it goes to the handlers
//! around the `try` only. Because `finally` blocks are copied, a function may not be defined
//! inside one (it would become several functions).
//!
//! `defer { b }` is a `finally` around the rest of its block: `{ s1; defer { b }; s2; s3 }`
//! compiles as `{ s1; try { s2; s3 } finally { b } }`, so deferred blocks run when the block is
//! left, however it is left, the last registered first.

use super::Compiler;
use crate::bytecode::Op;
use crate::syntax::ast::{Block, Expr, Stmt, StmtKind};

/// An exception-table entry being written: while `open`, instructions emitted from there on
/// are covered.
pub(super) struct Guard {
    /// The handler's label.
    handler: String,
    /// The operand stack depth the handler starts from.
    depth: u32,
    /// Start of the range being covered now, if any (none while suspended).
    open: Option<u32>,
    /// Suspensions in force (exit sequences nest): covered again when back to 0.
    held: u32,
    /// Ranges already covered.
    ranges: Vec<(u32, u32)>,
}

/// An enclosing `try` that has a `finally` block.
pub(super) struct TryCtx {
    /// The `finally` block, copied at each exit.
    finally: Block,
    /// Index of its first guard in `Ctx::guards` (the guards from there on belong to it and
    /// to the `try` statements inside it).
    guard_base: usize,
    /// `Ctx::scopes` and `Ctx::loops` lengths at the `try` statement.
    scopes: usize,
    loops: usize,
    /// The operand stack depth at the `try` statement.
    depth: u32,
    /// `Ctx::catching` at the `try` statement.
    catching: u32,
}

/// What a `try` protects: a block, or the rest of a block after a `defer`.
pub(super) enum TryBody<'a> {
    Block(&'a Block),
    Rest(&'a [Stmt]),
}

impl Compiler {
    /// The operand stack depth at a statement boundary here: the iterators of the enclosing
    /// `for each` loops, and what an exit sequence holds while a copy of a `finally` block runs.
    pub(super) fn stack_depth(&self) -> u32 {
        let c = self
            .ctxs
            .last()
            .expect("the program's context is always there");
        let (base, from) = c.depth_base;
        let iters = c
            .loops
            .get(from..)
            .map_or(0, |l| l.iter().filter(|l| l.has_iter).count());
        base + iters as u32
    }

    pub(super) fn push_guard(&mut self, handler: String, depth: u32) {
        let open = Some(self.b.current_ip());
        self.ctx().guards.push(Guard {
            handler,
            depth,
            open,
            held: 0,
            ranges: Vec::new(),
        });
    }

    /// Ends the innermost guard and adds its entries to the exception table. Guards end
    /// innermost first, so an inner `try`'s entries come before those around it.
    pub(super) fn pop_guard(&mut self) {
        let ip = self.b.current_ip();
        let mut g = self.ctx().guards.pop().expect("a guard is open");
        if let Some(start) = g.open.take() {
            g.ranges.push((start, ip));
        }
        for (start, end) in g.ranges {
            if start < end {
                self.b.add_handler_range(start, end, &g.handler, g.depth);
            }
        }
    }

    /// Stops covering code with the guards from index `from` on (until as many
    /// [`resume_guards`](Self::resume_guards)).
    fn suspend_guards(&mut self, from: usize) {
        let ip = self.b.current_ip();
        for g in self.ctx().guards.iter_mut().skip(from) {
            if let Some(start) = g.open.take() {
                g.ranges.push((start, ip));
            }
            g.held += 1;
        }
    }

    /// Undoes one [`suspend_guards`](Self::suspend_guards) of the guards from `from` on.
    fn resume_guards(&mut self, from: usize) {
        let ip = self.b.current_ip();
        for g in self.ctx().guards.iter_mut().skip(from) {
            g.held -= 1;
            if g.held == 0 {
                g.open = Some(ip);
            }
        }
    }

    /// Compiles a `try` statement (or a `defer` and the rest of its block).
    pub(super) fn try_stmt(
        &mut self,
        body: TryBody,
        catch: Option<(Option<&str>, &Block)>,
        finally: Option<&Block>,
        line: u32,
    ) {
        if let Some(f) = finally {
            if let Some(at) = function_in(&f.stmts) {
                self.error(
                    at.line,
                    "action",
                    "a function cannot be defined inside a finally or defer block".to_string(),
                );
                return;
            }
        }
        let depth = self.stack_depth();
        let end = self.label();
        let fin_handler = finally.map(|f| {
            let handler = self.label();
            let guard_base = self.ctx().guards.len();
            self.push_guard(handler.clone(), depth);
            let c = self.ctx();
            let t = TryCtx {
                finally: f.clone(),
                guard_base,
                scopes: c.scopes.len(),
                loops: c.loops.len(),
                depth,
                catching: c.catching,
            };
            c.tries.push(t);
            handler
        });
        let catch_handler = catch.map(|_| {
            let handler = self.label();
            self.push_guard(handler.clone(), depth);
            handler
        });
        let catching = u32::from(catch.is_some());
        self.ctx().catching += catching;
        match body {
            TryBody::Block(b) => self.block(b),
            TryBody::Rest(stmts) => self.stmts(stmts),
        }
        self.ctx().catching -= catching;
        if catch_handler.is_some() {
            self.pop_guard();
        }
        self.line(line);
        self.leave_clause(fin_handler.is_some(), &end);
        if let (Some((var, block)), Some(handler)) = (catch, catch_handler) {
            self.b.emit_label(&handler);
            self.line(block.line);
            self.push_scope();
            match var {
                Some(v) => {
                    let target = self.declare(v, false, block.line);
                    self.store(&target);
                }
                None => {
                    self.b.emit_pop();
                }
            }
            self.stmts(&block.stmts);
            self.pop_scope();
            self.line(block.end_line);
            self.leave_clause(fin_handler.is_some(), &end);
        }
        if let Some(handler) = fin_handler {
            self.pop_guard();
            let t = self.ctx().tries.pop().expect("pushed above");
            self.b.emit_label(&handler);
            self.line(t.finally.line);
            let slot = self.hidden_slot("<exception>");
            self.b.emit_raw(Op::STORE_NAME, slot, 0);
            self.block(&t.finally);
            self.line(t.finally.end_line);
            self.b.emit_raw(Op::RERAISE, slot, 0);
        }
        self.b.emit_label(&end);
    }

    /// The end of a try or catch block: a copy of the `finally` block (when the `try` has
    /// one, as the innermost of `Ctx::tries`), then a jump past the handlers.
    fn leave_clause(&mut self, has_finally: bool, end: &str) {
        if !has_finally {
            self.b.emit_jump(end);
            return;
        }
        let i = self.ctx().tries.len() - 1;
        let (base, depth) = {
            let t = &self.ctx().tries[i];
            (t.guard_base, t.depth)
        };
        self.suspend_guards(base);
        self.inline_finally(i, depth);
        self.b.emit_jump(end);
        self.resume_guards(base);
    }

    /// Emits a copy of the `finally` block of `tries[i]`, compiled as at its `try` statement,
    /// with `depth` values on the operand stack. The caller has suspended the guards of that
    /// `try` and of those inside it.
    fn inline_finally(&mut self, i: usize, depth: u32) {
        let c = self.ctx();
        let (scopes_at, loops_at) = (c.tries[i].scopes, c.tries[i].loops);
        let tries = c.tries.split_off(i);
        let scopes = c.scopes.split_off(scopes_at);
        let loops = c.loops.split_off(loops_at);
        let saved = std::mem::replace(&mut c.depth_base, (depth, loops_at));
        let catching = std::mem::replace(&mut c.catching, tries[0].catching);
        self.block(&tries[0].finally);
        let c = self.ctx();
        c.depth_base = saved;
        c.catching = catching;
        c.loops.extend(loops);
        c.scopes.extend(scopes);
        c.tries.extend(tries);
    }

    /// A jump out of the `try` statements from `tries[keep]` and the guards from
    /// `guards[floor]` on (a `return`, `break` or `continue`): copies of the `finally` blocks
    /// being left, innermost first, each protected only by the handlers around its own `try`;
    /// then the jump itself, `jump`, protected by the handlers outside all of them. `holding`
    /// is true when the exit keeps a value on the stack (a `return`'s).
    pub(super) fn exit_sequence(
        &mut self,
        keep: usize,
        floor: usize,
        holding: bool,
        jump: impl FnOnce(&mut Self),
    ) {
        let n = self.ctx().tries.len();
        let depth = self.stack_depth() + holding as u32;
        let mut suspended = Vec::new();
        for i in (keep..n).rev() {
            let base = self.ctx().tries[i].guard_base;
            self.suspend_guards(base);
            suspended.push(base);
            self.inline_finally(i, depth);
        }
        self.suspend_guards(floor);
        suspended.push(floor);
        jump(self);
        for base in suspended.into_iter().rev() {
            self.resume_guards(base);
        }
    }

    /// `return` / `return e`: the value, the `finally` blocks being left, `RETURN`.
    pub(super) fn return_stmt(&mut self, value: Option<&Expr>, line: u32) {
        match value {
            Some(e) => self.expr(e),
            None => {
                self.b.emit_load_const(zexus_runtime::Value::NULL);
            }
        }
        self.exit_sequence(0, 0, true, |c| {
            c.line(line);
            c.b.emit_return();
        });
    }

    /// `throw e`.
    pub(super) fn throw_stmt(&mut self, value: &Expr, line: u32) {
        self.expr(value);
        self.line(line);
        self.b.emit_throw();
    }

    /// `emit Name(args)`.
    pub(super) fn emit_stmt(&mut self, name: &str, args: &[Expr], line: u32) {
        for a in args {
            self.expr(a);
        }
        if args.len() > u16::MAX as usize {
            self.error(line, name, format!("too many arguments ({})", args.len()));
            return;
        }
        self.line(line);
        self.b.emit_emit_event(name, args.len() as u32);
    }

    /// Compiles `stmts` in the current scope, turning each `defer` into a `finally` around
    /// the statements after it.
    pub(super) fn stmts_with_defer(&mut self, stmts: &[Stmt]) {
        for (i, s) in stmts.iter().enumerate() {
            if let StmtKind::Defer(block) = &s.kind {
                self.line(s.line);
                self.try_stmt(TryBody::Rest(&stmts[i + 1..]), None, Some(block), s.line);
                return;
            }
            self.stmt(s);
        }
    }
}

/// The first function definition in `stmts` or in the blocks under them.
fn function_in(stmts: &[Stmt]) -> Option<&Stmt> {
    fn in_block(b: &Block) -> Option<&Stmt> {
        function_in(&b.stmts)
    }
    stmts.iter().find_map(|s| match &s.kind {
        StmtKind::FuncDef { .. } => Some(s),
        _ if crate::syntax::captures::has_function_literal(s) => Some(s),
        StmtKind::If {
            branches,
            else_block,
        } => branches
            .iter()
            .find_map(|(_, b)| in_block(b))
            .or_else(|| else_block.as_ref().and_then(in_block)),
        StmtKind::While { body, .. } | StmtKind::ForEach { body, .. } => in_block(body),
        StmtKind::Block(b) | StmtKind::Defer(b) => in_block(b),
        StmtKind::Try {
            body,
            catch,
            finally,
        } => in_block(body)
            .or_else(|| catch.as_ref().and_then(|(_, b)| in_block(b)))
            .or_else(|| finally.as_ref().and_then(in_block)),
        _ => None,
    })
}

/// Whether any of `stmts` is a `defer` (the block's end then belongs to a `finally`).
pub(super) fn has_defer(stmts: &[Stmt]) -> bool {
    stmts.iter().any(|s| matches!(s.kind, StmtKind::Defer(_)))
}
