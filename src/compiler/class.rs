//! Declared types (`contract`, `entity`, `data`): their actions, their constructors, object
//! construction at call sites, and fields read and written by name.
//!
//! What the code looks like:
//! - each action `m` of type `T` is a function `T.m` whose parameter 0 is `this` (also
//!   spelled `self`); on entry it copies each field its body names bare (`bare_names`) into a
//!   local of the same name, so a bare
//!   `count` inside an action reads the field as it was when the action was called, and
//!   assigning `count = v` changes that local only (as the original implementation does;
//!   `this.count = v` changes the object);
//! - the type's name is a global holding its constructor, a function that makes the object
//!   (`NEW_OBJECT`), sets the fields' initial values and, for a contract, calls its `init`
//!   action with the constructor's arguments (the constructor takes `init`'s parameters);
//! - an entity's or data type's constructor takes one argument per field; at a call site
//!   `T(a, b)` or `T{y: b}` the compiler passes the fields not given their declared initial
//!   value (or `null`), evaluated there;
//! - `o.name` is `GET_ATTR`, `o.name = v` is `SET_ATTR`, `o.m(args)` is `CALL_METHOD`, which
//!   calls the object's action `m` with the object as `this`.

use std::collections::HashMap;

use zexus_runtime::{Class, ClassKind, Value};

use super::scope::{Ctx, Local, Resolved};
use super::Compiler;
use crate::bytecode::Op;
use crate::syntax::ast::{ClassDecl, Expr, FieldDecl, MethodDecl, Stmt, StmtKind};

/// What call sites need to know about a declared type.
#[derive(Debug, Clone)]
pub(super) struct ClassInfo {
    pub kind: ClassKind,
    pub fields: Vec<FieldDecl>,
}

impl Compiler {
    /// Records every type declared at the top level, before any code is compiled (so call
    /// sites anywhere know them).
    pub(super) fn collect_classes(&mut self, stmts: &[Stmt]) {
        let prefix = self.unit().prefix.clone();
        self.collect_classes_in(&prefix, stmts);
    }

    /// Records the types declared at the top level `stmts` of the module whose globals' prefix
    /// is `prefix`.
    pub(super) fn collect_classes_in(&mut self, prefix: &str, stmts: &[Stmt]) {
        for s in stmts {
            if let StmtKind::Class(c) = &s.kind {
                self.classes.insert(
                    format!("{prefix}{}", c.name),
                    ClassInfo {
                        kind: c.kind,
                        fields: c.fields.clone(),
                    },
                );
            }
        }
    }

    /// Compiles a top-level type declaration: its actions, its constructor, and the global of
    /// its name.
    pub(super) fn class_decl(&mut self, c: &ClassDecl, line: u32) {
        let mut methods = Vec::new();
        for m in &c.methods {
            let index = self.method(c, m);
            methods.push((self.b.intern(&m.name), index));
        }
        let fields = c.fields.iter().map(|f| self.b.intern(&f.name)).collect();
        let class = Value::class(Class::new(c.name.clone(), c.kind, fields, methods));
        let ctor = self.constructor(c, class, line);
        self.line(line);
        self.b.emit_load_const(Value::func(ctor));
        self.global_slot(&c.name);
        let g = self.globals[self.gkey(&c.name).as_ref()];
        self.store(&Resolved::Global(g));
    }

    /// Compiles action `m` of `c` as the function `C.m(this, params...)`.
    fn method(&mut self, c: &ClassDecl, m: &MethodDecl) -> u32 {
        let name = format!("{}{}.{}", self.unit().prefix, c.name, m.name);
        let mut params = vec!["this".to_string()];
        params.extend(m.params.iter().cloned());
        let refs: Vec<&str> = params.iter().map(String::as_str).collect();
        let index = self.b.begin_function(&name, &refs);
        let mut ctx = Ctx::function(&name, &params, None);
        if !params.iter().any(|p| p == "self") {
            ctx.scopes[0].insert(
                "self".to_string(),
                Local {
                    slot: 0,
                    is_const: false,
                    cell: false,
                },
            );
        }
        self.ctxs.push(ctx);
        // The fields the body names bare, as locals holding their values at entry (a field
        // the body never names bare is not copied: `this.x` reads the object).
        self.line(m.line);
        let used = super::bare_names::bare_names(&m.body);
        for f in &c.fields {
            if params.contains(&f.name) || f.name == "self" || !used.contains(&f.name) {
                continue;
            }
            let slot = self.b.new_slot(&f.name);
            self.ctx().scopes[0].insert(
                f.name.clone(),
                Local {
                    slot,
                    is_const: false,
                    cell: false,
                },
            );
            self.b.emit_raw(Op::LOAD_NAME, 0, 0);
            self.b.emit_get_attr(f.name.as_str());
            self.b.emit_raw(Op::STORE_NAME, slot, 0);
        }
        self.function_body(&params, &m.body);
        index
    }

    /// Compiles the constructor of `c`: the function named `C`.
    fn constructor(&mut self, c: &ClassDecl, class: Value, line: u32) -> u32 {
        let params: Vec<String> = match c.kind {
            ClassKind::Contract => c
                .methods
                .iter()
                .find(|m| m.name == "init")
                .map(|m| m.params.clone())
                .unwrap_or_default(),
            ClassKind::Entity | ClassKind::Data => {
                c.fields.iter().map(|f| format!("<{}>", f.name)).collect()
            }
        };
        let refs: Vec<&str> = params.iter().map(String::as_str).collect();
        let shown = format!("{}{}", self.unit().prefix, c.name);
        let index = self.b.begin_function(&shown, &refs);
        self.ctxs.push(Ctx::function(&c.name, &[], None));
        let this = self.hidden_slot("<this>");
        self.line(line);
        self.b.emit_new_object(class);
        self.b.emit_raw(Op::STORE_NAME, this, 0);
        match c.kind {
            ClassKind::Contract => {
                for f in &c.fields {
                    if let Some(d) = &f.default {
                        self.line(f.line);
                        self.b.emit_raw(Op::LOAD_NAME, this, 0);
                        self.expr(d);
                        self.line(f.line);
                        self.b.emit_set_attr(f.name.as_str());
                    }
                }
                if let Some(init) = c.methods.iter().find(|m| m.name == "init") {
                    self.line(init.line);
                    self.b.emit_raw(Op::LOAD_NAME, this, 0);
                    for i in 0..params.len() {
                        self.b.emit_raw(Op::LOAD_NAME, i as u32, 0);
                    }
                    self.b.emit_call_method("init", params.len() as u32);
                    self.b.emit_pop();
                }
            }
            ClassKind::Entity | ClassKind::Data => {
                for (i, f) in c.fields.iter().enumerate() {
                    self.b.emit_raw(Op::LOAD_NAME, this, 0);
                    self.b.emit_raw(Op::LOAD_NAME, i as u32, 0);
                    self.b.emit_set_attr(f.name.as_str());
                }
            }
        }
        self.line(line);
        self.b.emit_raw(Op::LOAD_NAME, this, 0);
        self.b.emit_return();
        self.ctxs.pop();
        self.b.end_function();
        index
    }

    /// The record type (entity or data) a call of `name` constructs, if it is one.
    pub(super) fn record_type(&self, name: &str) -> Option<ClassInfo> {
        if !matches!(self.resolve(name), Resolved::Global(g) if g.declared) {
            return None;
        }
        let info = self.classes.get(&self.declared_key(name)?)?;
        let is_record = matches!(info.kind, ClassKind::Entity | ClassKind::Data);
        is_record.then(|| info.clone())
    }

    /// `T(args)` or `T{field: value}` for a record type `T`: its constructor called with one
    /// value per field, the declared initial value (or null) for the fields not given.
    pub(super) fn construct(
        &mut self,
        class: &str,
        positional: &[Expr],
        named: &[(String, Expr)],
        line: u32,
    ) {
        let key = self
            .declared_key(class)
            .unwrap_or_else(|| class.to_string());
        self.construct_at(&key, class, positional, named, line);
    }

    /// [`Compiler::construct`] of the type whose global is `key`.
    pub(super) fn construct_at(
        &mut self,
        key: &str,
        class: &str,
        positional: &[Expr],
        named: &[(String, Expr)],
        line: u32,
    ) {
        let Some(info) = self.classes.get(key).cloned() else {
            self.error(line, class, format!("'{class}' is not a declared type"));
            return;
        };
        if positional.len() > info.fields.len() {
            self.error(
                line,
                class,
                format!(
                    "{class} has {} fields, got {} arguments",
                    info.fields.len(),
                    positional.len()
                ),
            );
            return;
        }
        let given: HashMap<&str, &Expr> = named.iter().map(|(n, e)| (n.as_str(), e)).collect();
        for (n, _) in named {
            if !info.fields.iter().any(|f| f.name == *n) {
                self.error(line, n, format!("{class} has no field '{n}'"));
                return;
            }
        }
        for (i, f) in info.fields.iter().enumerate() {
            match (
                positional.get(i),
                given.get(f.name.as_str()).copied(),
                &f.default,
            ) {
                (Some(e), _, _) | (None, Some(e), _) | (None, None, Some(e)) => self.expr(e),
                (None, None, None) => {
                    self.line(line);
                    self.b.emit_load_const(Value::NULL);
                }
            }
        }
        let slot = self.global_at(key).slot;
        self.line(line);
        self.b
            .emit_raw(Op::CALL_NAME, slot, info.fields.len() as u16);
    }
}
