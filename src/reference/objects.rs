//! Declared types in the reference evaluator: constructing objects, calling their actions,
//! written from LANGUAGE.md's description rather than from the compiler's code.

use std::collections::HashMap;
use std::rc::Rc;

use zexus_runtime::{Class, ClassKind, Instance, Value};

use super::env::{Fail, Flow, Frame, Interp};
use super::implicit::declared_by_assignment;
use crate::syntax::ast::{ClassDecl, Expr, MethodDecl};
use zexus_runtime::attr as objects;

impl<'p> Interp<'p> {
    /// The runtime type of declaration `c` (the actions' numbers do not matter here: only
    /// the name, kind and fields are seen by programs), made once per declaration.
    fn runtime_class(&mut self, c: &'p ClassDecl) -> Rc<Class> {
        if let Some(class) = self.class_values.get(&(c as *const ClassDecl)) {
            return class.clone();
        }
        let fields: Vec<&str> = c.fields.iter().map(|f| f.name.as_str()).collect();
        let class = Rc::new(Class::from_names(c.name.clone(), c.kind, &fields, &[]));
        self.class_values.insert(c, class.clone());
        self.class_decls.insert(Rc::as_ptr(&class), c);
        class
    }

    /// The unit that declares `c`.
    fn unit_of(&self, c: &ClassDecl) -> usize {
        self.class_units[&(c as *const ClassDecl)]
    }

    /// The full name of `c`'s global (`T`, `lib.T`), as messages name it.
    fn shown(&self, c: &ClassDecl) -> String {
        self.units[self.unit_of(c)].key(&c.name)
    }

    /// Calls the constructor of `c` with evaluated arguments: a new object, its fields'
    /// initial values, then (for a contract) its `init` action with the arguments.
    pub(super) fn construct(
        &mut self,
        c: &'p ClassDecl,
        args: Vec<Value>,
        line: u32,
    ) -> Result<Value, Fail> {
        let init = c.methods.iter().find(|m| m.name == "init");
        let arity = match c.kind {
            ClassKind::Contract => init.map_or(0, |m| m.params.len()),
            ClassKind::Entity | ClassKind::Data => c.fields.len(),
        };
        if args.len() != arity {
            let message = format!(
                "{} expects {arity} arguments, got {}",
                self.shown(c),
                args.len()
            );
            return Err(Fail::new(message, line));
        }
        if self.depth() >= self.max_depth {
            return Err(Fail::new("maximum call depth exceeded", line));
        }
        let obj = Value::obj(Instance::new(self.runtime_class(c)));
        // The constructor is a call: its initial values see the globals (of the type's unit)
        // only.
        self.frames.push(Frame {
            scopes: Vec::new(),
            self_func: None,
            unit: self.unit_of(c),
            unit_top: false,
            env: Default::default(),
            sealed: Vec::new(),
        });
        let result = self.init_object(c, &obj, args, init);
        self.frames.pop();
        result.map(|()| obj)
    }

    fn init_object(
        &mut self,
        c: &'p ClassDecl,
        obj: &Value,
        args: Vec<Value>,
        init: Option<&'p MethodDecl>,
    ) -> Result<(), Fail> {
        match c.kind {
            ClassKind::Contract => {
                for f in &c.fields {
                    if let Some(d) = &f.default {
                        let v = self.eval(d)?;
                        objects::set_attr(obj, &f.name, v)
                            .map_err(|e| Fail::new(e.to_string(), f.line))?;
                    }
                }
                if let Some(m) = init {
                    self.call_method(m, obj.clone(), args, m.line)?;
                }
            }
            ClassKind::Entity | ClassKind::Data => {
                for (f, v) in c.fields.iter().zip(args) {
                    objects::set_attr(obj, &f.name, v)
                        .map_err(|e| Fail::new(e.to_string(), f.line))?;
                }
            }
        }
        Ok(())
    }

    /// `T(args)` or `T{field: value}` for an entity or data type: one value per field, in
    /// declaration order, each the argument given or the declared initial value (or null).
    pub(super) fn record(
        &mut self,
        c: &'p ClassDecl,
        positional: &'p [Expr],
        named: &'p [(String, Expr)],
        line: u32,
    ) -> Result<Value, Fail> {
        let given: HashMap<&str, &'p Expr> = named.iter().map(|(n, e)| (n.as_str(), e)).collect();
        let mut vals = Vec::with_capacity(c.fields.len());
        for (i, f) in c.fields.iter().enumerate() {
            let e = positional
                .get(i)
                .or_else(|| given.get(f.name.as_str()).copied())
                .or(f.default.as_ref());
            vals.push(match e {
                Some(e) => self.eval(e)?,
                None => Value::NULL,
            });
        }
        self.construct(c, vals, line)
    }

    /// Action `name` of `o`, if `o` is an object whose type declares it.
    pub(super) fn method_of(&self, o: &Value, name: &str) -> Option<&'p MethodDecl> {
        let obj = o.as_obj()?;
        let c = self.class_decls.get(&Rc::as_ptr(&obj.class))?;
        c.methods.iter().find(|m| m.name == name)
    }

    /// Calls action `m` on `this`: `this` (and `self`) and the parameters, then each field
    /// copied into a variable of its name.
    pub(super) fn call_method(
        &mut self,
        m: &'p MethodDecl,
        this: Value,
        args: Vec<Value>,
        line: u32,
    ) -> Result<Value, Fail> {
        let obj = this.as_obj().expect("actions run on objects");
        let decl = self.class_decls[&Rc::as_ptr(&obj.class)];
        if m.params.len() != args.len() {
            let message = format!(
                "{}.{} expects {} arguments, got {}",
                self.shown(decl),
                m.name,
                m.params.len(),
                args.len()
            );
            return Err(Fail::new(message, line));
        }
        if self.depth() >= self.max_depth {
            return Err(Fail::new("maximum call depth exceeded", line));
        }
        let mut scope: HashMap<String, Value> = HashMap::new();
        scope.insert("this".to_string(), this.clone());
        if !m.params.iter().any(|p| p == "self") {
            scope.insert("self".to_string(), this.clone());
        }
        for (p, v) in m.params.iter().zip(args) {
            scope.insert(p.clone(), v);
        }
        for f in &decl.fields {
            if m.params.contains(&f.name) || f.name == "self" {
                continue;
            }
            let v =
                objects::get_attr(&this, &f.name).map_err(|e| Fail::new(e.to_string(), m.line))?;
            scope.insert(f.name.clone(), v);
        }
        // Names the action's body assigns without declaring are its locals.
        let declared = scope.keys().cloned().collect();
        let unit = self.unit_of(decl);
        for n in declared_by_assignment(&m.body.stmts, declared) {
            if self.declaring_unit_from(unit, &n).is_none() {
                scope.entry(n).or_insert(Value::UNDEF);
            }
        }
        self.frames.push(Frame {
            scopes: vec![scope],
            self_func: None,
            unit,
            unit_top: false,
            env: Default::default(),
            sealed: Vec::new(),
        });
        let flow = self.stmts(&m.body.stmts);
        self.frames.pop();
        match flow? {
            Flow::Return(v) => Ok(v),
            _ => Ok(Value::NULL),
        }
    }
}
