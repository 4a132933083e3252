//! Modules: files the program `use`s and `module Name { ... }` blocks.
//!
//! Every module is compiled into the program's one `Bytecode`, so the run loop and the JIT
//! need nothing new:
//! - a module's top level is a code object named `<module name>`, called with `CALL_VALUE`;
//!   a file's top level begins with a guard on a hidden global so that it runs once, at the
//!   first `use` that runs (the guard is set to `false` at the start of the program);
//! - a module's globals are globals of the program named `name.x` (a `module` block inside a
//!   file: `file.block.x`), its functions code objects named `name.f` (traces and profiles
//!   show them so); code in a module sees its own globals, and a `module` block also those of
//!   the modules around it;
//! - a namespace value (`use "f.zx" as m`, `module m {}`) is a map from each top-level name
//!   of the module to its value when the `use` ran; where `m` is a module name known here
//!   (declared by one of these at a top level), `m.x` loads the module's global and `m.f(a)`
//!   is a `CALL_NAME` of it, so they see the module's current values;
//! - `use "f.zx"` and `use { a, b } from "f.zx"` copy the values of the exported (resp. named)
//!   globals into variables of the importer, declared where the `use` is.

use std::borrow::Cow;

use zexus_runtime::Value;

use super::scope::{Ctx, Global, Resolved};
use super::Compiler;
use crate::bytecode::Op;
use crate::modules::{top_names, use_bindings, Importer};
use crate::syntax::ast::{Block, Expr, ExprKind, Stmt, StmtKind, UseBinding};

/// A module being compiled (the main program counts as one).
pub(super) struct Unit {
    /// Prefix of its globals' and functions' names: `""` for the program, `"name."` else.
    pub prefix: String,
    /// The value of `__MODULE__` in it: `"__main__"`, or the path its file was used by.
    pub module_value: String,
}

impl Unit {
    pub fn main() -> Unit {
        Unit {
            prefix: String::new(),
            module_value: "__main__".to_string(),
        }
    }
}

/// A module's namespace, as known at compile time.
pub(super) struct Namespace {
    /// The module's globals' prefix (`"name."`).
    pub prefix: String,
    /// Its top-level names.
    pub names: Vec<String>,
}

impl Compiler {
    /// The module being compiled.
    pub(super) fn unit(&self) -> &Unit {
        self.units
            .last()
            .expect("the program's unit is always there")
    }

    /// The key of global `name` of the module being compiled.
    pub(super) fn gkey<'a>(&self, name: &'a str) -> Cow<'a, str> {
        key_in(&self.unit().prefix, name)
    }

    /// The global `name` declared by the module being compiled or, for a `module` block, by
    /// the nearest module around it that declares it.
    pub(super) fn declared_global(&self, name: &str) -> Option<Global> {
        self.units.iter().rev().find_map(|u| {
            self.globals
                .get(key_in(&u.prefix, name).as_ref())
                .filter(|g| g.declared)
                .copied()
        })
    }

    /// The key of the global `name` declared by the module being compiled or one around it
    /// (see [`Compiler::declared_global`]).
    pub(super) fn declared_key(&self, name: &str) -> Option<String> {
        self.units.iter().rev().find_map(|u| {
            let key = key_in(&u.prefix, name);
            let declared = self.globals.get(key.as_ref()).is_some_and(|g| g.declared);
            declared.then(|| key.into_owned())
        })
    }

    /// `__MODULE__` where no module declares that name: `"__main__"` in the program, the
    /// path a module's file was used by in that module.
    pub(super) fn module_constant(&self, name: &str) -> Option<Value> {
        (name == "__MODULE__" && self.declared_global(name).is_none())
            .then(|| Value::str(self.unit().module_value.as_str()))
    }

    /// Declares the globals that the `use` statements and `module` blocks of a top level
    /// bind; a module's name (`use ... as m`, `module m {}`) is a constant that knows its
    /// namespace.
    pub(super) fn declare_module_globals(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            self.stmt_at = (s.line, s.col);
            let (names, ns) = match &s.kind {
                StmtKind::Use { path, binding } => {
                    let exports = self.plan.exports_of(self.file, path);
                    let ns = match (binding, self.plan.module_of(self.file, path)) {
                        (UseBinding::Alias(_), Some(m)) => {
                            let f = &self.plan.files[m];
                            Some(self.namespace(format!("{}.", f.name), f.names.clone()))
                        }
                        _ => None,
                    };
                    (use_bindings(binding, &exports), ns)
                }
                StmtKind::Module { name, body } => {
                    let names = self.block_names(body);
                    let prefix = format!("{}.", self.gkey(name));
                    // Its types are known before it is compiled (for `name.T(args)`).
                    self.collect_classes_in(&prefix, &body.stmts);
                    (vec![name.clone()], Some(self.namespace(prefix, names)))
                }
                _ => continue,
            };
            let is_name = matches!(
                s.kind,
                StmtKind::Use {
                    binding: UseBinding::Alias(_),
                    ..
                } | StmtKind::Module { .. }
            );
            for n in names {
                self.global_slot(&n);
                let key = self.gkey(&n).into_owned();
                let g = self.globals[&key];
                // The same module declared again (`module m {}` twice, `use "f" as m` twice)
                // keeps one namespace, with the names of both.
                let ns = match (g.ns, ns) {
                    (Some(old), Some(new)) => {
                        let new_space = &self.namespaces[new as usize];
                        if self.namespaces[old as usize].prefix != new_space.prefix {
                            let message = format!("'{n}' already names another module");
                            self.error(s.line, &n, message);
                            continue;
                        }
                        let extra = new_space.names.clone();
                        let names = &mut self.namespaces[old as usize].names;
                        for x in extra {
                            if !names.contains(&x) {
                                names.push(x);
                            }
                        }
                        Some(old)
                    }
                    (_, ns) => ns,
                };
                let g = self.globals.get_mut(&key).expect("just created");
                g.declared = true;
                if is_name {
                    g.is_const = true;
                    g.ns = ns;
                }
            }
        }
    }

    /// Binds a module's name (`use ... as name`, `module name {}`) to the namespace on the
    /// stack: at a top level, its global (a constant that only these statements set);
    /// elsewhere, a new constant of the block.
    fn bind_module_name(&mut self, name: &str, line: u32) {
        let target = if self.at_top_level() {
            match self.declared_global(name) {
                Some(g) if g.ns.is_some() => Resolved::Global(g),
                _ => self.declare(name, true, line),
            }
        } else {
            self.declare(name, true, line)
        };
        self.store(&target);
    }

    /// Registers a namespace; its index.
    fn namespace(&mut self, prefix: String, names: Vec<String>) -> u32 {
        self.namespaces.push(Namespace { prefix, names });
        self.namespaces.len() as u32 - 1
    }

    /// The top-level names of a `module` block's body (compiled inside the module being
    /// compiled now).
    fn block_names(&self, body: &Block) -> Vec<String> {
        let plan = self.plan.clone();
        let file = self.file;
        top_names(&body.stmts, &|path| plan.exports_of(file, path), &|name| {
            self.declared_global(name).is_some()
        })
    }

    /// The names the `use` statements in nested blocks and functions under `stmts` bind (the
    /// program reserves a global of each, as for its other block names).
    pub(super) fn nested_use_names(&self, stmts: &[Stmt]) -> Vec<String> {
        let mut out = Vec::new();
        for s in stmts {
            let body = match &s.kind {
                StmtKind::Use { .. } | StmtKind::Module { .. } => continue,
                _ => std::slice::from_ref(s),
            };
            crate::modules::for_each_use(body, &mut |_, path, binding| {
                out.extend(use_bindings(
                    binding,
                    &self.plan.exports_of(self.file, path),
                ));
            });
        }
        out
    }

    /// The namespace `obj` refers to, when it is the name of a module known here.
    pub(super) fn namespace_of(&self, obj: &Expr) -> Option<u32> {
        let ExprKind::Name(n) = &obj.kind else {
            return None;
        };
        match self.resolve(n) {
            Resolved::Global(g) => g.ns,
            _ => None,
        }
    }

    /// The global of member `name` of namespace `ns`, or an error at `line`.
    fn member_global(&mut self, ns: u32, module: &str, name: &str, line: u32) -> Option<Global> {
        let space = &self.namespaces[ns as usize];
        if !space.names.iter().any(|n| n == name) {
            self.error(
                line,
                name,
                format!("module '{module}' has no member '{name}'"),
            );
            return None;
        }
        let key = format!("{}{name}", space.prefix);
        Some(self.global_at(&key))
    }

    /// The global whose key is `key` (created, undeclared, if the module that declares it
    /// has not been compiled yet).
    pub(super) fn global_at(&mut self, key: &str) -> Global {
        if let Some(g) = self.globals.get(key) {
            return *g;
        }
        let g = Global {
            slot: self.b.global_slot(key),
            declared: false,
            is_const: false,
            const_seen: false,
            ns: None,
        };
        self.globals.insert(key.to_string(), g);
        g
    }

    /// `m.x` where `m` is a module's name: its global `x`.
    pub(super) fn module_member(&mut self, obj: &Expr, name: &str, line: u32) {
        let (ns, module) = self.module_ref(obj);
        if let Some(g) = self.member_global(ns, &module, name, line) {
            self.line(line);
            self.load_resolved(&Resolved::Global(g));
        }
    }

    /// `m.f(args)` where `m` is a module's name: a call of its global `f` (for an entity or
    /// data type `T` of the module, `m.T(args)` constructs one as `T(args)` does).
    pub(super) fn module_call(&mut self, obj: &Expr, name: &str, args: &[Expr], line: u32) {
        let (ns, module) = self.module_ref(obj);
        let key = format!("{}{name}", self.namespaces[ns as usize].prefix);
        let is_record = self.classes.get(&key).is_some_and(|c| {
            matches!(
                c.kind,
                zexus_runtime::ClassKind::Entity | zexus_runtime::ClassKind::Data
            )
        });
        if is_record && self.namespaces[ns as usize].names.iter().any(|n| n == name) {
            return self.construct_at(&key, name, args, &[], line);
        }
        let g = self.member_global(ns, &module, name, line);
        if self.args(args, line) {
            if let Some(g) = g {
                self.line(line);
                self.b.emit_raw(Op::CALL_NAME, g.slot, args.len() as u16);
            }
        }
    }

    fn module_ref(&self, obj: &Expr) -> (u32, String) {
        let ns = self.namespace_of(obj).expect("checked by the caller");
        let module = match &obj.kind {
            ExprKind::Name(n) => n.clone(),
            _ => unreachable!("a namespace is named"),
        };
        (ns, module)
    }

    /// Compiles the top level of every file the program uses (before the program's own code,
    /// every file after those it uses), and clears each file's "has run" guard at the start
    /// of the program.
    pub(super) fn compile_module_files(&mut self) {
        let plan = self.plan.clone();
        let mut guards = Vec::new();
        for (i, f) in plan.files.iter().enumerate() {
            let guard = self.b.global_slot(&format!("<{} ran>", f.name));
            guards.push(guard);
            let saved_ctxs = std::mem::replace(
                &mut self.ctxs,
                vec![Ctx::unit(&format!("<module {}>", f.name))],
            );
            let saved_units = std::mem::replace(
                &mut self.units,
                vec![Unit {
                    prefix: format!("{}.", f.name),
                    module_value: f.spec.clone(),
                }],
            );
            let saved_file = std::mem::replace(&mut self.file, Importer::File(i));
            let saved_src = self.src_file.replace(f.source.clone());
            let saved_code_file = self.b.set_file(Some(f.source.clone()));
            let saved_line = self.last_line;
            let index = self.b.begin_function(&format!("<module {}>", f.name), &[]);
            let run = self.label();
            self.line(1);
            self.b.emit_raw(Op::LOAD_GLOBAL, guard, 0);
            self.b.emit_jump_if_false(&run);
            self.b.emit_load_const(Value::NULL);
            self.b.emit_return();
            self.b.emit_label(&run);
            self.b.emit_load_const(true);
            self.b.emit_raw(Op::STORE_GLOBAL, guard, 0);
            self.unit_body(&f.program.stmts);
            self.b.end_function();
            self.module_inits.push(index);
            self.ctxs = saved_ctxs;
            self.units = saved_units;
            self.file = saved_file;
            self.src_file = saved_src;
            self.b.set_file(saved_code_file);
            self.last_line = saved_line;
        }
        self.line(1);
        for guard in guards {
            self.b.emit_load_const(false);
            self.b.emit_raw(Op::STORE_NAME, guard, 0);
        }
    }

    /// A module's top level (its code object is open): globals, declared types, functions,
    /// statements, and `null` as its value.
    fn unit_body(&mut self, stmts: &[Stmt]) {
        self.begin_unit_captures(stmts);
        self.declare_globals(stmts);
        self.hoist_classes(stmts);
        self.hoist_functions(stmts);
        self.stmts(stmts);
        let line = self.last_line;
        self.line(line);
        self.b.emit_load_const(Value::NULL);
        self.b.emit_return();
    }

    /// `use ...`: runs the module's top level (if it has not run) and binds the names.
    pub(super) fn use_stmt(&mut self, path: &str, binding: &UseBinding, line: u32) {
        // A module that could not be loaded was reported when the plan was made (and then
        // only a program with syntax errors is compiled).
        let Some(m) = self.plan.module_of(self.file, path) else {
            let message = format!("module \"{path}\" was not loaded (a `use` the loader missed)");
            self.cascading_error(line, 0, path, message);
            return;
        };
        let Some(&init) = self.module_inits.get(m) else {
            return;
        };
        let plan = self.plan.clone();
        let f = &plan.files[m];
        let prefix = format!("{}.", f.name);
        self.line(line);
        self.b.emit_load_const(Value::func(init));
        self.b.emit_call_value(0);
        self.b.emit_pop();
        match binding {
            UseBinding::Alias(alias) => {
                self.namespace_value(&prefix, &f.names, line);
                self.bind_module_name(alias, line);
            }
            UseBinding::Exports | UseBinding::Names(_) => {
                for n in use_bindings(binding, &f.exports) {
                    if !f.names.contains(&n) {
                        // (An export of an undeclared name is reported in its module.)
                        if matches!(binding, UseBinding::Names(_)) {
                            let message = format!("'{n}' is not exported from \"{path}\"");
                            self.error(line, &n, message);
                        }
                        continue;
                    }
                    let g = self.global_at(&format!("{prefix}{n}"));
                    self.load_resolved(&Resolved::Global(g));
                    let target = self.declare(&n, false, line);
                    self.store(&target);
                }
            }
        }
    }

    /// Pushes a namespace: a map from each of `names` to the value of global `prefix + name`.
    fn namespace_value(&mut self, prefix: &str, names: &[String], line: u32) {
        for name in names {
            let g = self.global_at(&format!("{prefix}{name}"));
            self.constant(Value::str(name.as_str()));
            self.load_resolved(&Resolved::Global(g));
        }
        self.line(line);
        self.b.emit_build_map(names.len() as u32);
    }

    /// `export a, b`: checks that the names are declared at the top level (there is nothing
    /// to run).
    pub(super) fn export_stmt(&mut self, names: &[String], line: u32) {
        if !self.at_top_level() {
            self.error(
                line,
                "export",
                "'export' must be at the top level of a file or module".to_string(),
            );
            return;
        }
        for n in names {
            let declared = self
                .globals
                .get(self.gkey(n).as_ref())
                .is_some_and(|g| g.declared);
            if !declared {
                let message = format!("cannot export '{n}': it is not declared at the top level");
                self.cascading_error(line, 0, n, message);
            }
        }
    }

    /// `module Name { ... }`: its top level as a code object `<module Name>`, called here;
    /// then `Name` is its namespace.
    pub(super) fn module_block(&mut self, name: &str, body: &Block, line: u32) {
        if !self.at_top_level() {
            self.error(
                line,
                name,
                "a module block must be at the top level of a file or module".to_string(),
            );
            return;
        }
        let key = self.gkey(name).into_owned();
        let prefix = format!("{key}.");
        let names = self.block_names(body);
        let shown = format!("<module {key}>");
        let index = self.b.begin_function(&shown, &[]);
        self.ctxs.push(Ctx::unit(&shown));
        let module_value = self.unit().module_value.clone();
        self.units.push(Unit {
            prefix: prefix.clone(),
            module_value,
        });
        self.unit_body(&body.stmts);
        self.units.pop();
        self.ctxs.pop();
        self.b.end_function();
        self.line(line);
        self.b.emit_load_const(Value::func(index));
        self.b.emit_call_value(0);
        self.b.emit_pop();
        self.namespace_value(&prefix, &names, line);
        self.bind_module_name(name, line);
    }
}

/// The key of global `name` of the module whose prefix is `prefix` (the name itself in the
/// program).
fn key_in<'a>(prefix: &str, name: &'a str) -> Cow<'a, str> {
    if prefix.is_empty() {
        Cow::Borrowed(name)
    } else {
        Cow::Owned(format!("{prefix}{name}"))
    }
}
