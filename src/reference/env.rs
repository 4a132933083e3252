//! The reference evaluator's state: variables in nested scopes, the function table, the
//! printed output, and the error type.
//!
//! Scoping follows LANGUAGE.md directly, by walking live scopes at run time rather than by
//! resolving slots ahead of time: a `let` in the program's outermost block sets a global, a
//! `let` anywhere else sets a variable of the innermost block, and a function sees its own
//! blocks, its own name (a nested function), and the globals.

use std::collections::{HashMap, HashSet};

use zexus_runtime::{Kind, Value};

use super::implicit::declared_by_assignment;
use crate::syntax::ast::{Block, ClassDecl, Program, Stmt, StmtKind};

/// A runtime failure: the message and the source line where it happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Fail {
    pub message: String,
    pub line: u32,
}

impl Fail {
    pub fn new(message: impl Into<String>, line: u32) -> Fail {
        Fail {
            message: message.into(),
            line,
        }
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
    pub globals: HashMap<String, Value>,
    /// Names declared in the program's outermost block, or by an assignment outside
    /// functions: they shadow builtins everywhere.
    pub top_declared: HashSet<String>,
    /// Function number to the locals that assignments in its body declare.
    pub implicit_locals: HashMap<u32, Vec<String>>,
    /// Function number (as in `Value::func`) to function.
    pub funcs: HashMap<u32, Func<'p>>,
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
    /// The declared types, by name.
    pub classes: HashMap<String, &'p ClassDecl>,
    /// Function number of a type's constructor to the type.
    pub ctors: HashMap<u32, &'p ClassDecl>,
}

impl<'p> Interp<'p> {
    /// A fresh state for `program`: functions numbered as the compiler numbers its code
    /// objects (the program is 0; then each top-level function, each followed by the functions
    /// nested in it, in source order; then the functions nested in the program's other
    /// statements), so a printed function value reads the same as in the VM.
    pub fn new(program: &'p Program, max_depth: usize) -> Interp<'p> {
        let mut it = Interp {
            globals: HashMap::new(),
            top_declared: HashSet::new(),
            implicit_locals: HashMap::new(),
            funcs: HashMap::new(),
            func_of: HashMap::new(),
            frames: vec![Frame {
                scopes: Vec::new(),
                self_func: None,
            }],
            max_depth,
            out: String::new(),
            callbacks: 0,
            classes: HashMap::new(),
            ctors: HashMap::new(),
        };
        let mut next = 1;
        // Types come first: each action (and the functions nested in it), then the
        // constructor.
        for s in &program.stmts {
            if let StmtKind::Class(c) = &s.kind {
                it.classes.insert(c.name.clone(), c);
                it.top_declared.insert(c.name.clone());
                for m in &c.methods {
                    next += 1;
                    for s in &m.body.stmts {
                        it.number_in(s, &mut next);
                    }
                }
                it.ctors.insert(next, c);
                next += 1;
            }
        }
        for s in &program.stmts {
            if let StmtKind::FuncDef { name, params, body } = &s.kind {
                it.number(name, params, body, false, &mut next);
            }
        }
        for s in &program.stmts {
            match &s.kind {
                StmtKind::FuncDef { .. } => {}
                _ => it.number_in(s, &mut next),
            }
        }
        for s in &program.stmts {
            match &s.kind {
                StmtKind::Let { name, .. } | StmtKind::FuncDef { name, .. } => {
                    it.top_declared.insert(name.clone());
                }
                _ => {}
            }
        }
        let stmts = &program.stmts;
        it.top_declared
            .extend(declared_by_assignment(stmts, HashSet::new()));
        for (&index, f) in &it.funcs {
            let params = f.params.iter().cloned().collect();
            let names = declared_by_assignment(&f.body.stmts, params)
                .into_iter()
                .filter(|n| !it.top_declared.contains(n))
                .collect();
            it.implicit_locals.insert(index, names);
        }
        it
    }

    fn number(
        &mut self,
        name: &'p str,
        params: &'p [String],
        body: &'p Block,
        nested: bool,
        next: &mut u32,
    ) {
        let index = *next;
        *next += 1;
        self.funcs.insert(
            index,
            Func {
                name,
                params,
                body,
                nested,
            },
        );
        self.func_of.insert(body as *const Block, index);
        for s in &body.stmts {
            self.number_in(s, next);
        }
    }

    /// Numbers the functions defined in `s` or in the blocks under it.
    fn number_in(&mut self, s: &'p Stmt, next: &mut u32) {
        let mut block = |it: &mut Self, b: &'p Block| {
            for s in &b.stmts {
                it.number_in(s, next);
            }
        };
        match &s.kind {
            StmtKind::FuncDef { name, params, body } => self.number(name, params, body, true, next),
            StmtKind::If {
                branches,
                else_block,
            } => {
                for (_, b) in branches {
                    block(self, b);
                }
                if let Some(b) = else_block {
                    block(self, b);
                }
            }
            StmtKind::While { body, .. } | StmtKind::ForEach { body, .. } => block(self, body),
            StmtKind::Block(b) => block(self, b),
            _ => {}
        }
    }

    /// The current frame.
    pub fn frame(&mut self) -> &mut Frame {
        self.frames
            .last_mut()
            .expect("the top level's frame is always there")
    }

    /// What `name` refers to here.
    pub fn place(&self, name: &str) -> Place {
        let f = self
            .frames
            .last()
            .expect("the top level's frame is always there");
        if f.scopes.iter().any(|s| s.contains_key(name)) {
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
        for scope in f.scopes.iter().rev() {
            if let Some(v) = scope.get(name) {
                if v.kind() == Kind::Undef {
                    // A local declared by an assignment that has not run yet.
                    return Err(Fail::new(format!("undefined variable '{name}'"), line));
                }
                return Ok(v.clone());
            }
        }
        if let Some((n, index)) = &f.self_func {
            if n == name {
                return Ok(Value::func(*index));
            }
        }
        if let Some(v) = self.globals.get(name) {
            return Ok(v.clone());
        }
        self.predefined(name, line)
            .unwrap_or_else(|| Err(Fail::new(format!("undefined variable '{name}'"), line)))
    }

    /// `let name = v`: a global at the program's outermost block, else a variable of the
    /// innermost block (assigned again if the same `let` runs again).
    pub fn declare(&mut self, name: &str, v: Value) {
        let top_level = self.frames.len() == 1 && self.frames[0].scopes.is_empty();
        if top_level {
            self.globals.insert(name.to_string(), v);
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
        for scope in self.frame().scopes.iter_mut().rev() {
            if let Some(slot) = scope.get_mut(name) {
                *slot = v;
                return;
            }
        }
        self.globals.insert(name.to_string(), v);
    }

    /// Number of function calls active.
    pub fn depth(&self) -> usize {
        self.frames.len() - 1
    }
}
