//! Modules in the reference evaluator, written from LANGUAGE.md: a `use` runs the module's
//! file once (the first time a `use` of it runs) and binds names; a `module` block runs where
//! it stands; a module's name (`use ... as m`, `module m {}` at a top level) makes `m.x` and
//! `m.f(a)` read the module's own globals.
//!
//! Finding and parsing the files is shared with the compiler (`crate::modules`); running
//! them is written here again.

use std::collections::HashMap;

use zexus_runtime::ops;
use zexus_runtime::{ClassKind, Kind, Value};

use super::env::{Exec, Fail, Flow, Frame, Interp, Place};
use crate::modules::{top_names, use_bindings, FileModule, Importer};
use crate::syntax::ast::{Block, ClassDecl, Expr, ExprKind, Stmt, StmtKind, UseBinding};
use crate::vm::builtins;

/// A unit: the program, a file it uses, or a `module` block.
pub(super) struct RUnit {
    /// Prefix of its globals' full names (`""`, `"lib."`, `"lib.M."`).
    pub prefix: String,
    /// The unit around a `module` block.
    pub parent: Option<usize>,
    /// The file it is in.
    pub file: Importer,
    /// Its `__MODULE__`.
    pub module_value: String,
    /// Its top-level module names and their namespaces.
    pub aliases: HashMap<String, Ns>,
    /// A file's top level has run (or is running).
    pub ran: bool,
}

/// A namespace, as the compiler knows it.
#[derive(Clone)]
pub(super) struct Ns {
    /// Its globals' prefix.
    pub prefix: String,
}

impl RUnit {
    pub fn main() -> RUnit {
        RUnit {
            prefix: String::new(),
            parent: None,
            file: Importer::Main,
            module_value: "__main__".to_string(),
            aliases: HashMap::new(),
            ran: true,
        }
    }

    pub fn file(i: usize, f: &FileModule) -> RUnit {
        RUnit {
            prefix: format!("{}.", f.name),
            parent: None,
            file: Importer::File(i),
            module_value: f.spec.clone(),
            aliases: HashMap::new(),
            ran: false,
        }
    }

    pub fn block(parent: &RUnit, parent_index: usize, name: &str) -> RUnit {
        RUnit {
            prefix: format!("{}{name}.", parent.prefix),
            parent: Some(parent_index),
            file: parent.file,
            module_value: parent.module_value.clone(),
            aliases: HashMap::new(),
            ran: true,
        }
    }

    /// The full name of its global `name`.
    pub fn key(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }
}

/// The module names declared at the top level `stmts` of `unit`.
pub(super) fn aliases(it: &Interp, stmts: &[Stmt], unit: usize) -> HashMap<String, Ns> {
    let u = &it.units[unit];
    let mut out = HashMap::new();
    for s in stmts {
        match &s.kind {
            StmtKind::Use {
                path,
                binding: UseBinding::Alias(alias),
            } => {
                if let Some(m) = it.plan.module_of(u.file, path) {
                    let f = &it.plan.files[m];
                    let ns = Ns {
                        prefix: format!("{}.", f.name),
                    };
                    out.insert(alias.clone(), ns);
                }
            }
            StmtKind::Module { name, .. } => {
                let ns = Ns {
                    prefix: format!("{}{name}.", u.prefix),
                };
                out.insert(name.clone(), ns);
            }
            _ => {}
        }
    }
    out
}

impl<'p> Interp<'p> {
    /// The top-level names of the `module` block `unit` (whose body is `body`).
    fn block_names(&self, unit: usize, body: &Block) -> Vec<String> {
        let plan = self.plan;
        let file = self.units[unit].file;
        let parent = self.units[unit].parent;
        top_names(&body.stmts, &|path| plan.exports_of(file, path), &|name| {
            parent.is_some_and(|p| self.declaring_unit_from(p, name).is_some())
        })
    }

    /// The unit that declares global `name` for the current code: its own unit or, for a
    /// `module` block, the nearest unit around it that declares it.
    fn declaring_unit(&self, name: &str) -> Option<usize> {
        self.declaring_unit_from(self.cur().unit, name)
    }

    /// The unit that declares global `name` for code in unit `start` (see
    /// [`Interp::declaring_unit`]).
    pub(super) fn declaring_unit_from(&self, start: usize, name: &str) -> Option<usize> {
        let mut u = Some(start);
        while let Some(i) = u {
            if self.top_declared.contains(&self.units[i].key(name)) {
                return Some(i);
            }
            u = self.units[i].parent;
        }
        None
    }

    /// Whether some unit declares global `name` for the current code.
    pub(super) fn is_declared(&self, name: &str) -> bool {
        self.declaring_unit(name).is_some()
    }

    /// The full name of global `name` for the current code (in its own unit if no unit
    /// declares it).
    pub(super) fn global_key(&self, name: &str) -> String {
        let u = self.declaring_unit(name).unwrap_or(self.cur().unit);
        self.units[u].key(name)
    }

    /// `__MODULE__` where no unit declares it.
    pub(super) fn module_constant(&self, name: &str) -> Option<Value> {
        (name == "__MODULE__" && !self.is_declared(name))
            .then(|| Value::str(self.units[self.cur().unit].module_value.as_str()))
    }

    /// The namespace `obj` refers to, when it is a module name declared at a top level.
    pub(super) fn static_ns(&self, obj: &Expr) -> Option<Ns> {
        let ExprKind::Name(n) = &obj.kind else {
            return None;
        };
        if !matches!(self.place(n), Place::Global) {
            return None;
        }
        let u = self.declaring_unit(n)?;
        self.units[u].aliases.get(n).cloned()
    }

    /// `m.x` of a module name `m`: the module's global `x`.
    pub(super) fn ns_member(&self, ns: &Ns, name: &str, line: u32) -> Result<Value, Fail> {
        let key = format!("{}{name}", ns.prefix);
        self.globals
            .get(&key)
            .cloned()
            .ok_or_else(|| Fail::new(format!("undefined variable '{key}'"), line))
    }

    /// `m.f(args)` of a module name `m`: calls the module's global `f` (constructs a `T` for
    /// an entity or data type `T` of the module, as `T(args)` does).
    pub(super) fn ns_call(
        &mut self,
        ns: &Ns,
        name: &str,
        args: &'p [Expr],
        line: u32,
    ) -> Result<Value, Fail> {
        let key = format!("{}{name}", ns.prefix);
        if let Some(&c) = self.classes.get(&key) {
            if c.kind != ClassKind::Contract {
                return self.record(c, args, &[], line);
            }
        }
        let vals = self.eval_args(args)?;
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

    /// A namespace value: a map from each name to the value of global `prefix + name`.
    fn namespace_value(&self, prefix: &str, names: &[String], line: u32) -> Result<Value, Fail> {
        let mut items = Vec::with_capacity(2 * names.len());
        for n in names {
            let key = format!("{prefix}{n}");
            let v = self
                .globals
                .get(&key)
                .cloned()
                .ok_or_else(|| Fail::new(format!("undefined variable '{key}'"), line))?;
            items.push(Value::str(n.as_str()));
            items.push(v);
        }
        builtins::build_map(items).map_err(|e| Fail::new(e.to_string(), line))
    }

    /// Defines the constructors of the types and the functions declared at the top level
    /// `stmts` of `unit` (they exist before its first statement runs).
    pub(super) fn hoist(&mut self, unit: usize, stmts: &'p [Stmt]) {
        let ctors: Vec<(u32, &str)> = self
            .ctors
            .iter()
            .filter(|(_, c)| self.class_units[&(**c as *const ClassDecl)] == unit)
            .map(|(&i, c)| (i, c.name.as_str()))
            .collect();
        for (index, name) in ctors {
            self.globals
                .insert(self.units[unit].key(name), Value::func(index));
        }
        for s in stmts {
            if let StmtKind::FuncDef { name, body, .. } = &s.kind {
                let index = self.func_of[&(body as *const Block)];
                self.globals
                    .insert(self.units[unit].key(name), Value::func(index));
            }
        }
    }

    /// Runs the top level of `unit` (`stmts`) in a frame of its own, as a call.
    fn run_unit(&mut self, unit: usize, stmts: &'p [Stmt], line: u32) -> Result<(), Fail> {
        if self.depth() >= self.max_depth {
            return Err(Fail::new("maximum call depth exceeded", line));
        }
        self.frames.push(Frame {
            scopes: Vec::new(),
            self_func: None,
            unit,
            unit_top: true,
            env: Default::default(),
            sealed: Vec::new(),
        });
        self.hoist(unit, stmts);
        let flow = self.stmts(stmts);
        self.frames.pop();
        flow.map(|_: Flow| ())
    }

    /// `use ...`.
    pub(super) fn use_stmt(&mut self, path: &str, binding: &UseBinding, line: u32) -> Exec {
        let file = self.units[self.cur().unit].file;
        let m = self
            .plan
            .module_of(file, path)
            .expect("the compiler accepted the program, so the module was found");
        let (unit, _) = self.file_units[m];
        if self.depth() >= self.max_depth {
            return Err(Fail::new("maximum call depth exceeded", line));
        }
        if !self.units[unit].ran {
            self.units[unit].ran = true;
            let plan = self.plan;
            self.run_unit(unit, &plan.files[m].program.stmts, line)?;
        }
        let f = &self.plan.files[m];
        let prefix = self.units[unit].prefix.clone();
        match binding {
            UseBinding::Alias(alias) => {
                let ns = self.namespace_value(&prefix, &f.names, line)?;
                self.declare(alias, ns);
            }
            UseBinding::Exports | UseBinding::Names(_) => {
                let ns = Ns { prefix };
                for n in use_bindings(binding, &f.exports) {
                    // (The compiler rejects an export of an undeclared name.)
                    if f.names.contains(&n) {
                        let v = self.ns_member(&ns, &n, line)?;
                        self.declare(&n, v);
                    }
                }
            }
        }
        Ok(Flow::Normal)
    }

    /// `module Name { ... }`: runs its body, then binds `Name` to its namespace.
    pub(super) fn module_block(&mut self, name: &str, body: &'p Block, line: u32) -> Exec {
        let (unit, _) = self.block_units[&(body as *const Block)];
        self.run_unit(unit, &body.stmts, line)?;
        let names = self.block_names(unit, body);
        let prefix = self.units[unit].prefix.clone();
        let ns = self.namespace_value(&prefix, &names, line)?;
        self.declare(name, ns);
        Ok(Flow::Normal)
    }
}
