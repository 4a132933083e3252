//! Statements: declarations, assignments, control flow and loops.

use std::collections::HashMap;

use zexus_runtime::{attr, ops};
use zexus_runtime::{Kind, Value};

use super::env::{Exec, Fail, Flow, Interp, Place};
use super::expr::{binary, describe};
use crate::bytecode::builtin_id;
use crate::syntax::ast::{AssignTarget, BinOp, Block, Expr, ExprKind, Stmt, StmtKind};
use crate::vm::builtins;

impl<'p> Interp<'p> {
    /// Runs statements in the current scope, stopping at the first that does not end normally.
    pub(super) fn stmts(&mut self, stmts: &'p [Stmt]) -> Exec {
        for (i, s) in stmts.iter().enumerate() {
            if let StmtKind::Defer(deferred) = &s.kind {
                // The rest of the block runs, then the deferred block, however the rest ends.
                let rest = self.stmts(&stmts[i + 1..]);
                return self.finally(rest, deferred);
            }
            match self.stmt(s) {
                Ok(Flow::Normal) => {}
                Ok(other) => return Ok(other),
                // "Continue on error": the failing statement is abandoned.
                Err(_) if self.recovers(s) => {}
                Err(fail) => return Err(fail),
            }
        }
        Ok(Flow::Normal)
    }

    /// Whether an error that ends `s` only abandons it ("continue on error" mode, see the
    /// compiler's `recover.rs`).
    fn recovers(&self, s: &Stmt) -> bool {
        let on = if self.frames.len() > 1 {
            self.recover_funcs
        } else {
            self.recover_main
        };
        on && self.catching.last() != Some(&self.frames.len())
            && !matches!(s.kind, StmtKind::FuncDef { .. } | StmtKind::ContinueOnError)
    }

    /// Runs a `finally` (or deferred) block after `before` ended: its own jump or error
    /// replaces `before`'s; if it ends normally, `before` stands.
    fn finally(&mut self, before: Exec, b: &'p Block) -> Exec {
        match self.block(b, Vec::new())? {
            Flow::Normal => before,
            other => Ok(other),
        }
    }

    /// `try { } catch (e) { } finally { }`.
    fn try_stmt(
        &mut self,
        body: &'p Block,
        catch: &'p Option<(Option<String>, Block)>,
        finally: &'p Option<Block>,
    ) -> Exec {
        if catch.is_some() {
            self.catching.push(self.frames.len());
        }
        let mut result = self.block(body, Vec::new());
        if catch.is_some() {
            self.catching.pop();
        }
        if let (Err(fail), Some((var, handler))) = (&result, catch) {
            let value = fail.caught_value();
            let vars = var.iter().map(|v| (v.as_str(), value.clone())).collect();
            result = self.block(handler, vars);
        }
        match finally {
            Some(b) => self.finally(result, b),
            None => result,
        }
    }

    /// Runs a block in a scope of its own, with `vars` declared in it first.
    fn block(&mut self, b: &'p Block, vars: Vec<(&'p str, Value)>) -> Exec {
        self.frame().scopes.push(HashMap::new());
        for (n, v) in vars {
            self.declare_site(n, v);
        }
        let flow = self.stmts(&b.stmts);
        let f = self.frame();
        f.scopes.pop();
        let open = f.scopes.len();
        f.sealed.retain(|(scope, _)| *scope < open);
        flow
    }

    /// Runs one statement.
    pub(super) fn stmt(&mut self, s: &'p Stmt) -> Exec {
        let line = s.line;
        match &s.kind {
            StmtKind::Let { name, value, .. } => {
                let v = self.eval(value)?;
                self.check_not_sealed(name, true, line)?;
                self.declare_site(name, v);
            }
            StmtKind::Seal(name) => self.seal(name),
            StmtKind::Assign {
                target: AssignTarget::Name(name),
                op,
                value,
            } => {
                self.check_not_sealed(name, false, line)?;
                let v = match op {
                    None => self.eval(value)?,
                    Some(op) => {
                        let old = self.get(name, line)?;
                        let rhs = self.eval(value)?;
                        self.compound(*op, &old, &rhs, Some(name.clone()), value, line)?
                    }
                };
                self.assign(name, v);
            }
            StmtKind::Assign {
                target: AssignTarget::Index { obj, index },
                op,
                value,
            } => {
                let o = self.eval(obj)?;
                let k = self.eval(index)?;
                let v = match op {
                    None => self.eval(value)?,
                    Some(op) => {
                        let old = ops::index(&o, &k).map_err(|e| Fail::new(e.to_string(), line))?;
                        let rhs = self.eval(value)?;
                        self.compound(*op, &old, &rhs, None, value, line)?
                    }
                };
                ops::store_index(&o, &k, v).map_err(|e| Fail::new(e.to_string(), line))?;
            }
            StmtKind::Assign {
                target: AssignTarget::Attr { obj, name },
                op,
                value,
            } => {
                let o = self.eval(obj)?;
                let v = match op {
                    None => self.eval(value)?,
                    Some(op) => {
                        let old =
                            attr::get_attr(&o, name).map_err(|e| Fail::new(e.to_string(), line))?;
                        let rhs = self.eval(value)?;
                        self.compound(*op, &old, &rhs, None, value, line)?
                    }
                };
                attr::set_attr(&o, name, v).map_err(|e| Fail::new(e.to_string(), line))?;
            }
            StmtKind::If {
                branches,
                else_block,
            } => {
                for (cond, block) in branches {
                    if self.eval(cond)?.truthy() {
                        return self.block(block, Vec::new());
                    }
                }
                if let Some(block) = else_block {
                    return self.block(block, Vec::new());
                }
            }
            StmtKind::While { cond, body } => {
                while self.eval(cond)?.truthy() {
                    match self.block(body, Vec::new())? {
                        Flow::Break => break,
                        Flow::Normal | Flow::Continue => {}
                        ret @ Flow::Return(_) => return Ok(ret),
                    }
                }
            }
            StmtKind::ForEach {
                index_var,
                var,
                iterable,
                body,
            } => return self.for_each(index_var.as_deref(), var, iterable, body, line),
            StmtKind::Break => return Ok(Flow::Break),
            StmtKind::Continue => return Ok(Flow::Continue),
            StmtKind::FuncDef { name, body, .. } => {
                // Top-level functions are defined before the program (module) starts.
                if !self.at_top_level() {
                    // Declared first: a closure that calls itself uses its own variable.
                    let index = self.func_of[&(body as *const Block)];
                    self.declare_site(name, Value::UNDEF);
                    let f = self.function_value(index);
                    self.declare_site(name, f);
                }
            }
            // Types are declared before the program starts.
            StmtKind::Class(_) => {}
            StmtKind::Return(value) => {
                let v = match value {
                    Some(e) => self.eval(e)?,
                    None => Value::NULL,
                };
                return Ok(Flow::Return(v));
            }
            StmtKind::Print(args) => {
                let mut text = Vec::with_capacity(args.len());
                for a in args {
                    text.push(self.eval(a)?.to_string());
                }
                self.out.push_str(&text.join(" "));
                self.out.push('\n');
            }
            StmtKind::Expr(e) => {
                self.eval(e)?;
            }
            StmtKind::Block(b) => return self.block(b, Vec::new()),
            StmtKind::Try {
                body,
                catch,
                finally,
            } => return self.try_stmt(body, catch, finally),
            StmtKind::Throw(e) => {
                let v = self.eval(e)?;
                return Err(Fail {
                    message: v.to_string(),
                    line,
                    value: Some(v),
                });
            }
            StmtKind::Emit { args, .. } => {
                // No listener on one machine: the event is only recorded (by the VM).
                for a in args {
                    self.eval(a)?;
                }
            }
            // `stmts` runs a deferred block when its block ends; one seen alone ends it now.
            StmtKind::Defer(b) => return self.finally(Ok(Flow::Normal), b),
            StmtKind::ContinueOnError => self.recover_main = true,
            StmtKind::Use { path, binding } => return self.use_stmt(path, binding, line),
            // Checked by the compiler; nothing runs.
            StmtKind::Export(_) => {}
            StmtKind::Module { name, body } => return self.module_block(name, body, line),
        }
        Ok(Flow::Normal)
    }

    /// `old op rhs` for a compound assignment at `line`; `target` is the assigned variable
    /// (the left operand's name in an error), `value` the right-hand side's expression.
    fn compound(
        &mut self,
        op: BinOp,
        old: &Value,
        rhs: &Value,
        target: Option<String>,
        value: &Expr,
        line: u32,
    ) -> Result<Value, Fail> {
        binary(op, old, rhs).map_err(|err| {
            // `LOAD x; <value>; OP`: named as for `x op value`; an element is no variable.
            let (left, right) = if self.single(value) {
                (target, self.loaded_name(value))
            } else {
                (None, None)
            };
            Fail::new(describe(err, left, right), line)
        })
    }

    /// `for each [i,] x in e`.
    fn for_each(
        &mut self,
        index_var: Option<&'p str>,
        var: &'p str,
        iterable: &'p Expr,
        body: &'p Block,
        line: u32,
    ) -> Exec {
        if let Some(args) = self.range_call(iterable) {
            return self.for_range(index_var, var, args, body, line);
        }
        let v = self.eval(iterable)?;
        // Each step reads the container afresh, so a loop sees the pushes, pops and stores of
        // its own body: lists and strings by position, maps by position in insertion order.
        let mut range = match v.kind() {
            Kind::Iter => {
                Some(builtins::get_iter(v.clone()).map_err(|e| Fail::new(e.to_string(), line))?)
            }
            Kind::List | Kind::Map | Kind::Str => None,
            _ => {
                let message = format!("cannot iterate over {}", ops::a_type(&v));
                return Err(Fail::new(message, line));
            }
        };
        let chars: Vec<char> = v.as_str().map(|s| s.chars().collect()).unwrap_or_default();
        let mut i = 0usize;
        loop {
            let (key, item) = match v.kind() {
                Kind::List => match v.as_list().expect("list").get(i) {
                    Some(item) => (Value::int(i as i64), item),
                    None => break,
                },
                Kind::Map => {
                    let entry = v
                        .as_map()
                        .expect("map")
                        .borrow()
                        .get_index(i)
                        .map(|(k, x)| (k.value().clone(), x.clone()));
                    // One variable walks the keys (see `RangeIter::next_for`).
                    let entry = match (entry, index_var) {
                        (Some((k, _)), None) => Some((Value::NULL, k)),
                        (entry, _) => entry,
                    };
                    match entry {
                        Some(pair) => pair,
                        None => break,
                    }
                }
                Kind::Str => match chars.get(i) {
                    Some(c) => (Value::int(i as i64), Value::str(c.to_string())),
                    None => break,
                },
                _ => {
                    let it = range.as_mut().expect("a range value");
                    let vars = if index_var.is_some() { 2 } else { 1 };
                    let pair = it.as_iter().expect("iterator").borrow_mut().next_for(vars);
                    match pair {
                        Some(pair) => pair,
                        None => break,
                    }
                }
            };
            i += 1;
            let mut vars = Vec::with_capacity(2);
            if let Some(iv) = index_var {
                vars.push((iv, key));
            }
            vars.push((var, item));
            match self.block(body, vars)? {
                Flow::Break => break,
                Flow::Normal | Flow::Continue => {}
                ret @ Flow::Return(_) => return Ok(ret),
            }
        }
        Ok(Flow::Normal)
    }

    /// The arguments of `range(a)` or `range(a, b)` when `e` is such a call of the builtin.
    fn range_call(&self, e: &'p Expr) -> Option<&'p [Expr]> {
        match &e.kind {
            ExprKind::Call { callee, args } if (1..=2).contains(&args.len()) => {
                match &callee.kind {
                    ExprKind::Name(n)
                        if n == "range"
                            && matches!(self.place(n), Place::Global)
                            && !self.is_declared(n) =>
                    {
                        Some(args)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `for each [i,] x in range(...)`: the bounds are evaluated once; assigning the loop
    /// variable in the body does not change the count.
    fn for_range(
        &mut self,
        index_var: Option<&'p str>,
        var: &'p str,
        args: &'p [Expr],
        body: &'p Block,
        line: u32,
    ) -> Exec {
        let mut bounds = Vec::with_capacity(2);
        for a in args {
            bounds.push(self.eval(a)?);
        }
        let range = builtin_id("range").expect("range is a builtin");
        self.builtin(range, &bounds, line)?;
        let ints: Vec<i64> = bounds
            .iter()
            .map(|b| b.as_int().expect("range checked its bounds"))
            .collect();
        let (start, end) = match ints[..] {
            [n] => (0, n),
            [a, b] => (a, b),
            _ => unreachable!("one or two bounds"),
        };
        let mut next = start;
        let mut index = 0i64;
        while next < end {
            let mut vars = Vec::with_capacity(2);
            if let Some(iv) = index_var {
                vars.push((iv, Value::int(index)));
            }
            vars.push((var, Value::int(next)));
            match self.block(body, vars)? {
                Flow::Break => break,
                Flow::Normal | Flow::Continue => {}
                ret @ Flow::Return(_) => return Ok(ret),
            }
            next += 1;
            index += 1;
        }
        Ok(Flow::Normal)
    }
}
