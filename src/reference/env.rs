//! The reference evaluator's state: variables in nested scopes, the function table, the
//! printed output, and the error type.
//!
//! Scoping follows LANGUAGE.md directly, by walking live scopes at run time rather than by
//! resolving slots ahead of time: a `let` in the program's outermost block sets a global, a
//! `let` anywhere else sets a variable of the innermost block, and a function sees its own
//! blocks, its own name (a nested function), and the globals.
//!
//! Modules (see `modules.rs`): each file the program uses and each `module` block is a unit
//! with globals of its own, kept in the one `globals` table under the names the VM gives them
//! (`lib.x` for global `x` of the file `lib.zx`, `M.x` in `module M {}`); code sees the
//! globals of its own unit and, in a `module` block, those of the units around it.

use std::collections::{HashMap, HashSet};

use zexus_runtime::{Kind, Value};

use super::implicit::declared_by_assignment;
use super::modules::RUnit;
use crate::modules::{top_names, ModulePlan};
use crate::syntax::ast::{Block, ClassDecl, Program, Stmt, StmtKind};

/// A runtime failure: the message and the source line where it happened.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Fail {
    pub message: String,
    pub line: u32,
    /// The value a `throw` raised (a `catch` receives it; for other failures it receives the
    /// message).
    pub value: Option<Value>,
}

impl Fail {
    pub fn new(message: impl Into<String>, line: u32) -> Fail {
        Fail {
            message: message.into(),
            line,
            value: None,
        }
    }

    /// What a `catch` clause receives.
    pub fn caught_value(&self) -> Value {
        self.value
            .clone()
            .unwrap_or_else(|| Value::str(self.message.as_str()))
    }
}

/// How a statement ended.
pub(super) enum Flow {
    /// It ran to its end.
    Normal,
    /// `break`.
    Break,
    /// `continue`.
    Continue,
    /// `return v`.
    Return(Value),
}

/// The result of running a statement.
pub(super) type Exec = Result<Flow, Fail>;

/// One function of the program.
pub(super) struct Func<'p> {
    pub name: &'p str,
    /// Its name in messages (`lib.f` for function `f` of module `lib`).
    pub shown: String,
    /// The unit it is defined in.
    pub unit: usize,
    pub params: &'p [String],
    pub body: &'p Block,
    /// Declared inside a block or function (its own name is visible in its body).
    pub nested: bool,
}

/// One activation: the program's top level or one function call.
pub(super) struct Frame {
    /// Block scopes, innermost last. For the top level, the outermost block is the globals
    /// table and is not in this list; for a function, `scopes[0]` holds the parameters and
    /// the body's own variables.
    pub scopes: Vec<HashMap<String, Value>>,
    /// A nested function's own name and function number.
    pub self_func: Option<(String, u32)>,
    /// The unit whose code runs in this frame.
    pub unit: usize,
    /// The frame runs a unit's top level (whose outermost block declares its globals).
    pub unit_top: bool,
    /// Closures: the variables of enclosing calls this one uses, and its declarations' cells.
    pub env: super::closures::ClosureEnv,
    /// The sealed variables of this frame's blocks: the scope's index and the name.
    pub sealed: Vec<(usize, String)>,
}

/// Where a name refers to, at the current point of the run.
pub(super) enum Place {
    /// A variable of one of the current frame's blocks.
    Local,
    /// A nested function's own name inside its body.
    SelfFunc,
    /// A global (it may not be assigned yet).
    Global,
}

/// The whole state of a run.
pub(super) struct Interp<'p> {
    /// Every unit's globals, under their full names (`x` in the program, `lib.x` in a module).
    pub globals: HashMap<String, Value>,
    /// Full names of the globals a unit declares: in its outermost block, or by an assignment
    /// outside functions (see `implicit.rs`). They shadow builtins in the unit.
    pub top_declared: HashSet<String>,
    /// Function number to the locals that assignments in its body declare.
    pub implicit_locals: HashMap<u32, Vec<String>>,
    /// The program (unit 0), each file it uses, each `module` block.
    pub units: Vec<RUnit>,
    /// The module files.
    pub plan: &'p ModulePlan,
    /// For each file of the plan: its unit and its top level's function number.
    pub file_units: Vec<(usize, u32)>,
    /// A `module` block's body (by address) to its unit and its top level's function number.
    pub block_units: HashMap<*const Block, (usize, u32)>,
    /// Function number (as in `Value::func`) to function.
    pub funcs: HashMap<u32, Func<'p>>,
    /// Function number to the names its body uses that the code around it may give it
    /// (`syntax::captures::free_names`, in that order).
    pub free_names: HashMap<u32, Vec<String>>,
    /// A function body (by address) to its function number.
    pub func_of: HashMap<*const Block, u32>,
    /// The top level first, then one frame per active call.
    pub frames: Vec<Frame>,
    /// Nested calls allowed before `maximum call depth exceeded`.
    pub max_depth: usize,
    /// Everything printed so far.
    pub out: String,
    /// Calls from builtins into user functions under way, nested.
    pub callbacks: u32,
    /// "Continue on error" mode (`continue` at the program's top level): whether functions
    /// abandon a failing statement (the program has such a `continue`), and whether the
    /// program's own statements do (it has run).
    pub recover_funcs: bool,
    pub recover_main: bool,
    /// Full names of the sealed globals.
    pub sealed_globals: HashSet<String>,
    /// The frame (`frames.len()`) of each try block with a catch clause being run, innermost
    /// last: statements there are not abandoned, the catch clause handles their errors.
    pub catching: Vec<usize>,
    /// The declared types, by the full name of their global (`T`, `lib.T`).
    pub classes: HashMap<String, &'p ClassDecl>,
    /// Function number of a type's constructor to the type.
    pub ctors: HashMap<u32, &'p ClassDecl>,
    /// A declared type (by address) to the unit that declares it.
    pub class_units: HashMap<*const ClassDecl, usize>,
    /// A declared type (by address) to its runtime type, made once, so that an object's type
    /// leads back to its declaration (`class_decls`).
    pub class_values: HashMap<*const ClassDecl, std::rc::Rc<zexus_runtime::Class>>,
    /// A runtime type (by address) to its declaration.
    pub class_decls: HashMap<*const zexus_runtime::Class, &'p ClassDecl>,
}

impl<'p> Interp<'p> {
    /// A fresh state for `program`: functions numbered as the compiler numbers its code
    /// objects (the program is 0; then each top-level function, each followed by the functions
    /// nested in it, in source order; then the functions nested in the program's other
    /// statements), so a printed function value reads the same as in the VM.
    ///
    /// The files the program uses come first, each as its top level's number followed by its
    /// functions numbered the same way; a `module` block is numbered where it stands, as its
    /// top level's number followed by its functions.
    pub fn new(program: &'p Program, plan: &'p ModulePlan, max_depth: usize) -> Interp<'p> {
        let mut it = Interp {
            globals: HashMap::new(),
            top_declared: HashSet::new(),
            implicit_locals: HashMap::new(),
            units: vec![RUnit::main()],
            plan,
            file_units: Vec::new(),
            block_units: HashMap::new(),
            funcs: HashMap::new(),
            free_names: HashMap::new(),
            func_of: HashMap::new(),
            frames: vec![Frame {
                scopes: Vec::new(),
                self_func: None,
                unit: 0,
                unit_top: true,
                env: Default::default(),
                sealed: Vec::new(),
            }],
            max_depth,
            out: String::new(),
            callbacks: 0,
            recover_funcs: program
                .stmts
                .iter()
                .any(|s| matches!(s.kind, StmtKind::ContinueOnError)),
            recover_main: false,
            sealed_globals: HashSet::new(),
            catching: Vec::new(),
            classes: HashMap::new(),
            ctors: HashMap::new(),
            class_units: HashMap::new(),
            class_values: HashMap::new(),
            class_decls: HashMap::new(),
        };
        let mut next = 1;
        for (i, f) in plan.files.iter().enumerate() {
            let unit = it.add_unit(RUnit::file(i, f));
            it.file_units.push((unit, next));
            next += 1;
            it.number_unit(&f.program.stmts, unit, &mut next);
        }
        it.number_unit(&program.stmts, 0, &mut next);
        let mut implicit_locals = HashMap::new();
        for (&index, f) in &it.funcs {
            let params = f.params.iter().cloned().collect();
            let names = declared_by_assignment(&f.body.stmts, params)
                .into_iter()
                .filter(|n| it.declaring_unit_from(f.unit, n).is_none())
                .collect();
            implicit_locals.insert(index, names);
        }
        it.implicit_locals = implicit_locals;
        it
    }

    /// Registers a unit (and the globals its outermost block declares); its index.
    pub(super) fn add_unit(&mut self, unit: RUnit) -> usize {
        self.units.push(unit);
        self.units.len() - 1
    }

    /// Numbers the functions of a unit's top level `stmts` (as a program's), and declares its
    /// top-level names (in a `module` block, an assignment to a name that a unit around it
    /// declares sets that unit's global, so it declares nothing).
    fn number_unit(&mut self, stmts: &'p [Stmt], unit: usize, next: &mut u32) {
        let file = self.units[unit].file;
        let plan = self.plan;
        let parent = self.units[unit].parent;
        let outer_declares = |it: &Self, name: &str| {
            parent.is_some_and(|p| it.declaring_unit_from(p, name).is_some())
        };
        let mut names = top_names(stmts, &|path| plan.exports_of(file, path), &|name| {
            outer_declares(self, name)
        });
        names.extend(
            declared_by_assignment(stmts, HashSet::new())
                .into_iter()
                .filter(|n| !outer_declares(self, n)),
        );
        for name in names {
            let key = self.units[unit].key(&name);
            self.top_declared.insert(key);
        }
        self.units[unit].aliases = super::modules::aliases(self, stmts, unit);
        // Types come first: each action (and the functions nested in it), then the
        // constructor.
        for s in stmts {
            if let StmtKind::Class(c) = &s.kind {
                let key = self.units[unit].key(&c.name);
                self.classes.insert(key, c);
                self.class_units.insert(&**c as *const ClassDecl, unit);
                for m in &c.methods {
                    *next += 1;
                    for s in &m.body.stmts {
                        self.number_in(s, unit, next);
                    }
                }
                self.ctors.insert(*next, c);
                *next += 1;
            }
        }
        for s in stmts {
            if let StmtKind::FuncDef { name, params, body } = &s.kind {
                self.number(name, params, body, false, unit, next);
            }
        }
        for s in stmts {
            match &s.kind {
                StmtKind::FuncDef { .. } => {}
                _ => self.number_in(s, unit, next),
            }
        }
    }

    pub(super) fn number(
        &mut self,
        name: &'p str,
        params: &'p [String],
        body: &'p Block,
        nested: bool,
        unit: usize,
        next: &mut u32,
    ) {
        let index = *next;
        *next += 1;
        self.funcs.insert(
            index,
            Func {
                name,
                shown: self.units[unit].key(name),
                unit,
                params,
                body,
                nested,
            },
        );
        self.func_of.insert(body as *const Block, index);
        self.note_free_names(index, params, body);
        for s in &body.stmts {
            self.number_in(s, unit, next);
        }
    }

    /// Numbers the functions defined in `s` or in the blocks under it.
    fn number_in(&mut self, s: &'p Stmt, unit: usize, next: &mut u32) {
        self.number_stmt_exprs(s, unit, next);
        if let StmtKind::If {
            branches,
            else_block,
        } = &s.kind
        {
            for (c, b) in branches {
                self.number_expr(c, unit, next);
                for s in &b.stmts {
                    self.number_in(s, unit, next);
                }
            }
            for s in else_block.iter().flat_map(|b| &b.stmts) {
                self.number_in(s, unit, next);
            }
            return;
        }
        let mut block = |it: &mut Self, b: &'p Block| {
            for s in &b.stmts {
                it.number_in(s, unit, next);
            }
        };
        match &s.kind {
            StmtKind::FuncDef { name, params, body } => {
                self.number(name, params, body, true, unit, next)
            }
            StmtKind::Module { name, body } => {
                let block_unit = self.add_unit(RUnit::block(&self.units[unit], unit, name));
                self.block_units
                    .insert(body as *const Block, (block_unit, *next));
                *next += 1;
                self.number_unit(&body.stmts, block_unit, next);
            }
            StmtKind::While { body, .. } | StmtKind::ForEach { body, .. } => block(self, body),
            StmtKind::Block(b) | StmtKind::Defer(b) => block(self, b),
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                block(self, body);
                if let Some((_, b)) = catch {
                    block(self, b);
                }
                if let Some(b) = finally {
                    block(self, b);
                }
            }
            _ => {}
        }
    }

    /// The current frame.
    pub fn frame(&mut self) -> &mut Frame {
        self.frames
            .last_mut()
            .expect("the top level's frame is always there")
    }

    /// The current frame (read only).
    pub fn cur(&self) -> &Frame {
        self.frames
            .last()
            .expect("the top level's frame is always there")
    }

    /// What `name` refers to here.
    pub fn place(&self, name: &str) -> Place {
        let f = self
            .frames
            .last()
            .expect("the top level's frame is always there");
        if f.scopes.iter().any(|s| s.contains_key(name)) || f.env.captured.contains_key(name) {
            return Place::Local;
        }
        match &f.self_func {
            Some((n, _)) if n == name => Place::SelfFunc,
            _ => Place::Global,
        }
    }

    /// The value of `name`, or `undefined variable` at `line`.
    pub fn get(&self, name: &str, line: u32) -> Result<Value, Fail> {
        let f = self
            .frames
            .last()
            .expect("the top level's frame is always there");
        let local = f
            .scopes
            .iter()
            .rev()
            .find_map(|s| s.get(name))
            .or_else(|| f.env.captured.get(name));
        if let Some(v) = local {
            let v = match v.as_cell() {
                Some(c) => c.borrow().clone(),
                None => v.clone(),
            };
            if v.kind() == Kind::Undef {
                // A local declared by an assignment that has not run yet.
                return Err(Fail::new(format!("undefined variable '{name}'"), line));
            }
            return Ok(v);
        }
        if let Some((n, index)) = &f.self_func {
            if n == name {
                return Ok(f.env.self_value.clone().unwrap_or(Value::func(*index)));
            }
        }
        if let Some(v) = self.module_constant(name) {
            return Ok(v);
        }
        let key = self.global_key(name);
        if let Some(v) = self.globals.get(&key) {
            return Ok(v.clone());
        }
        self.predefined(name, line)
            .unwrap_or_else(|| Err(Fail::new(format!("undefined variable '{key}'"), line)))
    }

    /// Whether the current frame runs the outermost block of a unit.
    pub fn at_top_level(&self) -> bool {
        let f = self.cur();
        f.unit_top && f.scopes.is_empty()
    }

    /// `let name = v`: a global at a unit's outermost block, else a variable of the
    /// innermost block (assigned again if the same `let` runs again).
    pub fn declare(&mut self, name: &str, v: Value) {
        if self.at_top_level() {
            let key = self.units[self.cur().unit].key(name);
            self.globals.insert(key, v);
        } else {
            self.frame()
                .scopes
                .last_mut()
                .expect("below the top level there is a block scope")
                .insert(name.to_string(), v);
        }
    }

    /// `name = v` for a declared variable (the compiler rejected any other).
    pub fn assign(&mut self, name: &str, v: Value) {
        let f = self.frame();
        let local = match f.scopes.iter_mut().rev().find_map(|s| s.get_mut(name)) {
            Some(slot) => Some(slot),
            None => f.env.captured.get_mut(name),
        };
        if let Some(slot) = local {
            match slot.as_cell() {
                Some(c) => drop(c.replace(v)),
                None => *slot = v,
            }
            return;
        }
        let key = self.global_key(name);
        self.globals.insert(key, v);
    }

    /// Number of function calls active.
    pub fn depth(&self) -> usize {
        self.frames.len() - 1
    }
}
