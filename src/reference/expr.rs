//! Expressions, evaluated left to right by plain recursion.
//!
//! The operators themselves come from the runtime crate (`zexus_runtime::ops`), the builtins
//! and methods from `vm::builtins`; everything else (order of evaluation, short-circuiting,
//! name lookup, calls, which variable an error names) is written here from LANGUAGE.md.

use std::collections::HashMap;

use zexus_runtime::attr;
use zexus_runtime::bitwise;
use zexus_runtime::ops::{self, OpError, Side};
use zexus_runtime::{Kind, Value};

use super::env::{Fail, Flow, Frame, Interp, Place};
use crate::bytecode::builtin_id;
use crate::syntax::ast::{BinOp, Block, ClassKind, Expr, ExprKind, LogicalOp, UnaryOp};
use crate::vm::builtins;

/// Applies a binary operator to two values.
pub(super) fn binary(op: BinOp, a: &Value, b: &Value) -> Result<Value, OpError> {
    use zexus_runtime::ops::CmpKind;
    let cmp = |k| ops::compare_values(k, a, b).map(Value::bool);
    match op {
        BinOp::Add => ops::add(a, b),
        BinOp::Sub => ops::sub(a, b),
        BinOp::Mul => ops::mul(a, b),
        BinOp::Div => ops::div(a, b),
        BinOp::Mod => ops::rem(a, b),
        BinOp::Pow => ops::pow(a, b),
        BinOp::Eq => Ok(Value::bool(ops::equal(a, b))),
        BinOp::Neq => Ok(Value::bool(!ops::equal(a, b))),
        BinOp::Lt => cmp(CmpKind::Lt),
        BinOp::Gt => cmp(CmpKind::Gt),
        BinOp::Lte => cmp(CmpKind::Lte),
        BinOp::Gte => cmp(CmpKind::Gte),
        BinOp::BitAnd => bitwise::band(a, b),
        BinOp::BitOr => bitwise::bor(a, b),
        BinOp::BitXor => bitwise::bxor(a, b),
        BinOp::Shl => bitwise::shl(a, b),
        BinOp::Shr => bitwise::shr(a, b),
    }
}

/// An operator's error message, naming the variable at fault: `attempt to add int and null
/// (variable 'x')`. `left` and `right` are the variables the operands were read from, when an
/// operand is a plain variable (see [`Interp::operand_names`]).
pub(super) fn describe(e: OpError, left: Option<String>, right: Option<String>) -> String {
    let msg = e.to_string();
    let name = match &e {
        OpError::Types { side, .. } => match side {
            Side::Left => left,
            Side::Right => right,
            Side::Both => left.or(right),
        },
        OpError::Unary { .. } => right,
        _ => None,
    };
    match name {
        Some(n) => format!("{msg} (variable '{n}')"),
        None => msg,
    }
}

impl<'p> Interp<'p> {
    /// Evaluates an expression.
    pub(super) fn eval(&mut self, e: &'p Expr) -> Result<Value, Fail> {
        let line = e.line;
        match &e.kind {
            ExprKind::Int(v) => Ok(Value::int(*v)),
            ExprKind::Float(v) => Ok(Value::float(*v)),
            ExprKind::Str(s) => Ok(Value::str(s.as_str())),
            ExprKind::Bool(b) => Ok(Value::bool(*b)),
            ExprKind::Null => Ok(Value::NULL),
            ExprKind::List(items) => {
                let mut vals = Vec::with_capacity(items.len());
                for item in items {
                    vals.push(self.eval(item)?);
                }
                Ok(Value::list(vals))
            }
            ExprKind::Function(f) => {
                let index = self.func_of[&(&f.body as *const Block)];
                Ok(self.function_value(index))
            }
            ExprKind::Map(entries) => {
                let mut vals = Vec::with_capacity(2 * entries.len());
                for (k, v) in entries {
                    vals.push(self.eval(k)?);
                    vals.push(self.eval(v)?);
                }
                builtins::build_map(vals).map_err(|e| Fail::new(e.to_string(), line))
            }
            ExprKind::Name(name) => self.get(name, line),
            ExprKind::Unary { op, expr } => {
                let v = self.eval(expr)?;
                match op {
                    UnaryOp::Not => Ok(Value::bool(!v.truthy())),
                    UnaryOp::BitNot => bitwise::bnot(&v).map_err(|err| {
                        Fail::new(describe(err, None, self.loaded_name(expr)), line)
                    }),
                    UnaryOp::Neg => ops::neg(&v).map_err(|err| {
                        Fail::new(describe(err, None, self.loaded_name(expr)), line)
                    }),
                }
            }
            ExprKind::Binary { op, lhs, rhs } => {
                let a = self.eval(lhs)?;
                let b = self.eval(rhs)?;
                binary(*op, &a, &b).map_err(|err| {
                    let (l, r) = self.operand_names(lhs, rhs);
                    Fail::new(describe(err, l, r), line)
                })
            }
            ExprKind::Logical { op, lhs, rhs } => {
                let a = self.eval(lhs)?;
                let decided = match op {
                    LogicalOp::And => !a.truthy(),
                    LogicalOp::Or => a.truthy(),
                    LogicalOp::Nullish => a.kind() != Kind::Null,
                };
                if decided {
                    Ok(a)
                } else {
                    self.eval(rhs)
                }
            }
            ExprKind::Ternary { cond, then, else_ } => {
                if self.eval(cond)?.truthy() {
                    self.eval(then)
                } else {
                    self.eval(else_)
                }
            }
            ExprKind::Index { obj, index } => {
                let o = self.eval(obj)?;
                let k = self.eval(index)?;
                ops::index(&o, &k).map_err(|err| Fail::new(err.to_string(), line))
            }
            ExprKind::Attr { obj, name } => match self.static_ns(obj) {
                Some(ns) => self.ns_member(&ns, name, line),
                None => {
                    let o = self.eval(obj)?;
                    attr::get_attr(&o, name).map_err(|err| Fail::new(err.to_string(), line))
                }
            },
            ExprKind::MethodCall { obj, name, args } if self.static_ns(obj).is_some() => {
                let ns = self.static_ns(obj).expect("checked");
                self.ns_call(&ns, name, args, line)
            }
            ExprKind::MethodCall { obj, name, args } => {
                let o = self.eval(obj)?;
                let args = self.eval_args(args)?;
                if let Some(m) = self.method_of(&o, name) {
                    return self.call_method(m, o, args, line);
                }
                self.method(&o, name, &args, line)
            }
            ExprKind::Construct { class, fields } => {
                let c = self.classes[&self.global_key(class)];
                self.record(c, &[], fields, line)
            }
            ExprKind::Call { callee, args } => match &callee.kind {
                ExprKind::Name(name) => self.call_name(name, args, line),
                _ => {
                    let f = self.eval(callee)?;
                    let args = self.eval_args(args)?;
                    self.call_value(&f, args, line)
                }
            },
        }
    }

    pub(super) fn eval_args(&mut self, args: &'p [Expr]) -> Result<Vec<Value>, Fail> {
        let mut vals = Vec::with_capacity(args.len());
        for a in args {
            vals.push(self.eval(a)?);
        }
        Ok(vals)
    }

    /// `name(args)`: a local or the function's own name is called as a value; otherwise a
    /// builtin (unless the program declares a global of that name) or a global function.
    fn call_name(&mut self, name: &str, args: &'p [Expr], line: u32) -> Result<Value, Fail> {
        if let Place::Global = self.place(name) {
            if let Some(&c) = self.classes.get(&self.global_key(name)) {
                if c.kind != ClassKind::Contract {
                    return self.record(c, args, &[], line);
                }
            }
        }
        match self.place(name) {
            Place::Local | Place::SelfFunc => {
                let f = self.get(name, line)?;
                let args = self.eval_args(args)?;
                self.call_value(&f, args, line)
            }
            Place::Global => {
                let builtin = builtin_id(name).filter(|_| !self.is_declared(name));
                let vals = self.eval_args(args)?;
                if let Some(id) = builtin {
                    return self.builtin(id, &vals, line);
                }
                let key = self.global_key(name);
                let f = match self.globals.get(&key) {
                    None => return Err(Fail::new(format!("undefined variable '{key}'"), line)),
                    Some(f) => f.clone(),
                };
                if f.kind() != Kind::Func {
                    let message = format!("'{key}' is not a function (it is {})", ops::a_type(&f));
                    return Err(Fail::new(message, line));
                }
                self.call_value(&f, vals, line)
            }
        }
    }

    /// Calls a function value with evaluated arguments.
    pub(super) fn call_value(
        &mut self,
        f: &Value,
        args: Vec<Value>,
        line: u32,
    ) -> Result<Value, Fail> {
        let Some(index) = f.func_index() else {
            let message = format!("{} value is not a function", ops::a_type(f));
            return Err(Fail::new(message, line));
        };
        if let Some(&c) = self.ctors.get(&index) {
            return self.construct(c, args, line);
        }
        let func = &self.funcs[&index];
        let (name, params, body, nested) = (func.name, func.params, func.body, func.nested);
        let unit = func.unit;
        if params.len() != args.len() {
            let message = format!(
                "{} expects {} arguments, got {}",
                func.shown,
                params.len(),
                args.len()
            );
            return Err(Fail::new(message, line));
        }
        if self.depth() >= self.max_depth {
            return Err(Fail::new("maximum call depth exceeded", line));
        }
        let mut scope: HashMap<String, Value> = params.iter().cloned().zip(args).collect();
        let env = self.closure_env(f, index);
        for n in &self.implicit_locals[&index] {
            // (An assignment to a variable the closure took from around it sets that one.)
            if !env.captured.contains_key(n) {
                scope.insert(n.clone(), Value::UNDEF);
            }
        }
        self.frames.push(Frame {
            scopes: vec![scope],
            self_func: nested.then(|| (name.to_string(), index)),
            unit,
            unit_top: false,
            env,
            sealed: Vec::new(),
        });
        let flow = self.stmts(&body.stmts);
        self.frames.pop();
        match flow? {
            Flow::Return(v) => Ok(v),
            _ => Ok(Value::NULL),
        }
    }

    /// The variable an operand was read from, when the operand is a plain variable (not a
    /// nested function's own name, which is a constant).
    /// A global's name is its full name (`lib.x` in module `lib`), as the VM's slot names;
    /// `m.x` of a module name `m` reads the module's global `x`; `__MODULE__` is a constant.
    pub(super) fn loaded_name(&self, e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Name(n) => match self.place(n) {
                Place::SelfFunc => None,
                Place::Local => Some(n.clone()),
                Place::Global if self.module_constant(n).is_some() => None,
                Place::Global => Some(self.global_key(n)),
            },
            ExprKind::Attr { obj, name } => {
                self.static_ns(obj).map(|ns| format!("{}{name}", ns.prefix))
            }
            _ => None,
        }
    }

    /// The variables a binary operator's operands were read from, as the VM's error messages
    /// name them: the right operand when it is a variable; the left one when it is a variable
    /// and the right one a single value (a variable, a literal, an empty list or map, or a call
    /// with no arguments), so that the message stays unambiguous.
    pub(super) fn operand_names(&self, lhs: &Expr, rhs: &Expr) -> (Option<String>, Option<String>) {
        if !self.single(rhs) {
            return (None, None);
        }
        (self.loaded_name(lhs), self.loaded_name(rhs))
    }

    /// Whether `e` is a single value in the sense of [`Interp::operand_names`].
    pub(super) fn single(&self, e: &Expr) -> bool {
        match &e.kind {
            ExprKind::Int(_)
            | ExprKind::Float(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Null
            | ExprKind::Name(_) => true,
            ExprKind::List(items) => items.is_empty(),
            ExprKind::Map(entries) => entries.is_empty(),
            ExprKind::Unary {
                op: UnaryOp::Neg,
                expr,
            } => matches!(expr.kind, ExprKind::Int(v) if v.checked_neg().is_some()),
            ExprKind::Call { callee, args } => match &callee.kind {
                ExprKind::Name(n) => args.is_empty() && matches!(self.place(n), Place::Global),
                _ => false,
            },
            // One load, or one `CALL_NAME` with no arguments.
            ExprKind::Attr { obj, .. } => self.static_ns(obj).is_some(),
            ExprKind::MethodCall { obj, args, .. } => {
                args.is_empty() && self.static_ns(obj).is_some()
            }
            _ => false,
        }
    }
}
