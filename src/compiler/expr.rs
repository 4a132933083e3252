//! Expressions.
//!
//! Left operands are walked iteratively: a chain like `a + b + c + ...`, `x[0][0]...` or
//! `o.f().g()...` is as long as the parser allows (`MAX_EXPR_HEIGHT`) but costs no recursion
//! here, so the compiler's recursion depth is bounded by the parser's nesting limit.

use zexus_runtime::Value;

use super::scope::Resolved;
use super::Compiler;
use crate::bytecode::Op;
use crate::syntax::ast::{BinOp, Expr, ExprKind, LogicalOp, UnaryOp};

impl Compiler {
    /// Compiles an expression that leaves exactly one value on the stack.
    pub(super) fn expr(&mut self, e: &Expr) {
        let mut spine: Vec<&Expr> = Vec::new();
        let mut cur = e;
        loop {
            let left = match &cur.kind {
                ExprKind::Binary { lhs, .. } | ExprKind::Logical { lhs, .. } => lhs,
                // `alias.f(x)` and `alias.x` of a module are resolved here (see `leaf`).
                ExprKind::MethodCall { obj, .. } | ExprKind::Attr { obj, .. }
                    if self.namespace_of(obj).is_some() =>
                {
                    break
                }
                ExprKind::Index { obj, .. }
                | ExprKind::MethodCall { obj, .. }
                | ExprKind::Attr { obj, .. } => obj,
                ExprKind::Call { callee, .. } if !matches!(callee.kind, ExprKind::Name(_)) => {
                    callee
                }
                _ => break,
            };
            spine.push(cur);
            cur = left;
        }
        self.leaf(cur);
        for node in spine.into_iter().rev() {
            self.rest(node);
        }
    }

    /// Finishes a node whose left operand is already on the stack.
    fn rest(&mut self, e: &Expr) {
        match &e.kind {
            ExprKind::Binary { op, rhs, .. } => {
                self.expr(rhs);
                self.at(e.line, e.col);
                self.binary_op(*op);
            }
            ExprKind::Logical { op, rhs, .. } => {
                let end = self.label();
                self.at(e.line, e.col);
                match op {
                    LogicalOp::And => self.b.emit_jump_if_false_or_pop(&end),
                    LogicalOp::Or => self.b.emit_jump_if_true_or_pop(&end),
                    LogicalOp::Nullish => self.b.emit_jump_if_not_null_or_pop(&end),
                };
                self.expr(rhs);
                self.b.emit_label(&end);
            }
            ExprKind::Index { index, .. } => {
                self.expr(index);
                self.at(e.line, e.col);
                self.b.emit_index();
            }
            ExprKind::Attr { name, .. } => {
                self.at(e.line, e.col);
                self.b.emit_get_attr(Value::str(name.as_str()));
            }
            ExprKind::MethodCall { name, args, .. } => {
                if self.args(args, e.line) {
                    self.at(e.line, e.col);
                    self.b.emit_call_method(name, args.len() as u32);
                }
            }
            ExprKind::Call { args, .. } => {
                if self.args(args, e.line) {
                    self.at(e.line, e.col);
                    self.b.emit_call_value(args.len() as u32);
                }
            }
            _ => unreachable!("only left-operand nodes are on the spine"),
        }
    }

    /// Compiles a node that has no left operand (a literal, a name, a prefix operator, a
    /// ternary, a call of a name).
    fn leaf(&mut self, e: &Expr) {
        self.at(e.line, e.col);
        match &e.kind {
            ExprKind::Int(v) => self.constant(Value::int(*v)),
            ExprKind::Float(v) => self.constant(Value::float(*v)),
            ExprKind::Str(s) => self.constant(Value::str(s.as_str())),
            ExprKind::Bool(v) => self.constant(Value::bool(*v)),
            ExprKind::Null => self.constant(Value::NULL),
            ExprKind::List(items) => {
                for item in items {
                    self.expr(item);
                }
                self.at(e.line, e.col);
                self.b.emit_build_list(items.len() as u32);
            }
            ExprKind::Map(entries) => {
                for (k, v) in entries {
                    self.expr(k);
                    self.expr(v);
                }
                self.at(e.line, e.col);
                self.b.emit_build_map(entries.len() as u32);
            }
            ExprKind::Name(name) => self.load_name(name, e.line, e.col),
            ExprKind::Unary {
                op: UnaryOp::Neg,
                expr,
            } if negated_literal(expr).is_some() => {
                self.constant(Value::int(negated_literal(expr).expect("checked")));
            }
            ExprKind::Unary { op, expr } => {
                self.expr(expr);
                self.at(e.line, e.col);
                match op {
                    UnaryOp::Neg => self.b.emit_neg(),
                    UnaryOp::Not => self.b.emit_not(),
                    UnaryOp::BitNot => self.b.emit_bnot(),
                };
            }
            ExprKind::Ternary { cond, then, else_ } => {
                let other = self.label();
                let end = self.label();
                self.expr(cond);
                self.at(e.line, e.col);
                self.b.emit_jump_if_false(&other);
                self.expr(then);
                self.at(e.line, e.col);
                self.b.emit_jump(&end);
                self.b.emit_label(&other);
                self.expr(else_);
                self.b.emit_label(&end);
            }
            ExprKind::Function(f) => self.function_value(None, &f.params, &f.body, e.line),
            ExprKind::Construct { class, fields } => {
                if self.record_type(class).is_some() {
                    self.construct(class, &[], fields, e.line);
                } else {
                    self.error(
                        e.line,
                        class,
                        format!("'{class}' is not an entity or data type"),
                    );
                }
            }
            ExprKind::Call { callee, args } => match &callee.kind {
                ExprKind::Name(name) => self.call_name(name, args, e.line, callee.col),
                _ => unreachable!("calls of other callees are on the spine"),
            },
            ExprKind::Attr { obj, name } => self.module_member(obj, name, e.line),
            ExprKind::MethodCall { obj, name, args } => self.module_call(obj, name, args, e.line),
            _ => unreachable!("left-operand nodes are on the spine"),
        }
    }

    pub(super) fn constant(&mut self, v: Value) {
        self.b.emit_load_const(v);
    }

    /// Emits an arithmetic or comparison instruction.
    pub(super) fn binary_op(&mut self, op: BinOp) {
        let b = &mut self.b;
        match op {
            BinOp::Add => b.emit_add(),
            BinOp::Sub => b.emit_sub(),
            BinOp::Mul => b.emit_mul(),
            BinOp::Div => b.emit_div(),
            BinOp::Mod => b.emit_mod(),
            BinOp::Pow => b.emit_pow(),
            BinOp::Eq => b.emit_eq(),
            BinOp::Neq => b.emit_neq(),
            BinOp::Lt => b.emit_lt(),
            BinOp::Gt => b.emit_gt(),
            BinOp::Lte => b.emit_lte(),
            BinOp::Gte => b.emit_gte(),
            BinOp::BitAnd => b.emit_band(),
            BinOp::BitOr => b.emit_bor(),
            BinOp::BitXor => b.emit_bxor(),
            BinOp::Shl => b.emit_shl(),
            BinOp::Shr => b.emit_shr(),
        };
    }

    /// Loads a variable (an unknown name or an uncalled builtin name is a global, which fails
    /// at run time if it is never assigned).
    fn load_name(&mut self, name: &str, line: u32, col: u32) {
        if let Some(v) = self.module_constant(name) {
            self.constant(v);
            return;
        }
        if self.predefined(name) {
            return;
        }
        let r = match self.resolve(name) {
            Resolved::Builtin(_) | Resolved::Unknown => Resolved::Global(self.global(name)),
            Resolved::Captured(owner) => {
                let message = self.capture_message(name, &owner);
                self.error_at(line, col, name, message);
                return;
            }
            r => r,
        };
        self.load_resolved(&r);
    }

    /// Loads one of the original's predefined names (`__file__`, `__ARGS__`, ...) where the
    /// program does not declare it; false for any other name.
    fn predefined(&mut self, name: &str) -> bool {
        if !name.starts_with("__") {
            return false;
        }
        let free = match self.resolve(name) {
            Resolved::Builtin(_) | Resolved::Unknown => true,
            Resolved::Global(g) => !g.declared,
            _ => false,
        };
        if !free {
            return false;
        }
        if let Some(v) = super::dunder::constant(name, self.b.source_name()) {
            self.constant(v);
            return true;
        }
        if super::dunder::is_args(name) {
            let id = crate::bytecode::builtin_id(name).expect("__ARGS__ is a builtin");
            self.b.emit_raw(Op::CALL_BUILTIN, id, 0);
            return true;
        }
        false
    }

    /// The global `name` of the module being compiled, created if needed.
    fn global(&mut self, name: &str) -> super::scope::Global {
        self.global_slot(name);
        self.globals[self.gkey(name).as_ref()]
    }

    /// Pushes the value of a resolved variable.
    pub(super) fn load_resolved(&mut self, r: &Resolved) {
        match r {
            Resolved::Local(l) if l.cell => {
                self.b.emit_raw(Op::LOAD_CELL, l.slot, 0);
            }
            Resolved::Local(l) => {
                self.b.emit_raw(Op::LOAD_NAME, l.slot, 0);
            }
            Resolved::Global(g) => {
                let op = if self.in_main() {
                    Op::LOAD_NAME
                } else {
                    Op::LOAD_GLOBAL
                };
                self.b.emit_raw(op, g.slot, 0);
            }
            Resolved::SelfFunc(index, _) => self.constant(Value::func(*index)),
            // Reported by the caller.
            Resolved::Builtin(_) | Resolved::Captured(_) | Resolved::Unknown => {}
        }
    }

    /// Compiles call arguments; false (with an error) if there are more than a call can take.
    pub(super) fn args(&mut self, args: &[Expr], line: u32) -> bool {
        for a in args {
            self.expr(a);
        }
        if args.len() > u16::MAX as usize {
            self.error(line, "(", format!("too many arguments ({})", args.len()));
            return false;
        }
        true
    }

    /// `name(args)`: `CALL_NAME` for a global, `CALL_BUILTIN` for a builtin, else the callee's
    /// value and `CALL_VALUE`.
    fn call_name(&mut self, name: &str, args: &[Expr], line: u32, col: u32) {
        if self.record_type(name).is_some() {
            return self.construct(name, args, &[], line);
        }
        match self.resolve(name) {
            Resolved::Builtin(id) => {
                if self.args(args, line) {
                    self.at(line, col);
                    self.b.emit_raw(Op::CALL_BUILTIN, id, args.len() as u16);
                }
            }
            r @ (Resolved::Global(_) | Resolved::Unknown) => {
                let slot = match r {
                    Resolved::Global(g) => g.slot,
                    _ => self.global_slot(name),
                };
                if self.args(args, line) {
                    self.at(line, col);
                    self.b.emit_raw(Op::CALL_NAME, slot, args.len() as u16);
                }
            }
            Resolved::Captured(owner) => {
                let message = self.capture_message(name, &owner);
                self.error_at(line, col, name, message);
                self.args(args, line);
            }
            r @ (Resolved::Local(_) | Resolved::SelfFunc(..)) => {
                self.load_resolved(&r);
                if self.args(args, line) {
                    self.at(line, col);
                    self.b.emit_call_value(args.len() as u32);
                }
            }
        }
    }
}

/// The value of `-e` when `e` is an int literal whose negation fits.
fn negated_literal(e: &Expr) -> Option<i64> {
    match e.kind {
        ExprKind::Int(v) => v.checked_neg(),
        _ => None,
    }
}
