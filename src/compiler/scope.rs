//! Name resolution: globals, block scopes, function contexts and the capture check.
//!
//! The compiler keeps its own name-to-slot tables and emits slot numbers directly, so the
//! builder's by-name slot maps are only used to create the program's global slots.
//!
//! Rules (LANGUAGE.md):
//! - a `let`/`const`/`action` in the program's outermost block declares a global: a slot of the
//!   program's frame, read with `LOAD_NAME` in the program and `LOAD_GLOBAL` in functions;
//! - a `let` in any other block declares a variable with a fresh slot that shadows outer ones
//!   until the block ends (running the same `let` again just assigns it);
//! - a function sees its own parameters and locals, its own name (a nested function, so it can
//!   recurse), the variables of enclosing functions and blocks (kept in cells, see
//!   `closures.rs`), and the globals;
//! - any other name is a builtin (if it is one) or a global, which fails at run time if it is
//!   never assigned.

use std::collections::{BTreeSet, HashMap, HashSet};

use super::Compiler;
use crate::bytecode::builtin_id;
use crate::syntax::ast::{Block, Stmt, StmtKind};

/// A variable of a block scope (a slot of the current code object).
#[derive(Debug, Clone, Copy)]
pub(super) struct Local {
    pub slot: u32,
    pub is_const: bool,
    /// The slot holds a cell: a nested function captures the variable (`closures.rs`).
    pub cell: bool,
}

/// A global variable (a slot of the program's frame).
#[derive(Debug, Clone, Copy)]
pub(super) struct Global {
    pub slot: u32,
    /// Declared in the program's outermost block (so it shadows a builtin of the same name).
    pub declared: bool,
    /// Declared with `const` somewhere in the outermost block.
    pub is_const: bool,
    /// Its `const` declaration has been compiled (a second one is an error).
    pub const_seen: bool,
    /// For a module's name (`use ... as name`, `module name {}` at a top level): its
    /// namespace (an index into the compiler's namespaces), so `name.x` is resolved here.
    pub ns: Option<u32>,
}

/// An enclosing loop, for `break` and `continue`.
pub(super) struct LoopCtx {
    /// Label after the loop.
    pub exit: String,
    /// Label `continue` jumps to.
    pub next: String,
    /// True if an iterator sits on the stack during the loop (`break` must pop it).
    pub has_iter: bool,
    /// The number of enclosing `try` statements with a `finally` when the loop began: a
    /// `break` or `continue` runs the `finally` blocks of those begun since.
    pub tries: usize,
    /// The number of exception-table guards when the loop began: a `break` or `continue`
    /// leaves those begun since.
    pub guards: usize,
    /// The operand stack depth in the loop's body (its iterator included): a `break` or
    /// `continue` in a copy of a `finally` block first drops what the exit being made there
    /// held (a `return`'s value).
    pub depth: u32,
}

/// A code object being compiled: the program, a module's top level or one function.
pub(super) struct Ctx {
    /// `<main>`, `<module name>` or the function's name.
    pub name: String,
    /// The code object is the top level of a file or module: its outermost block declares
    /// the unit's globals.
    pub unit_top: bool,
    /// The code object is the program's own top level (`code[0]`, whose slots are the globals).
    pub is_program: bool,
    /// For a nested function: its own name and function index, so its body can call itself.
    pub self_ref: Option<(String, u32)>,
    /// Block scopes, innermost last. For the program these are the blocks inside its
    /// outermost block (which is the globals table); for a function, `scopes[0]` holds the
    /// parameters and the body's own variables.
    pub scopes: Vec<HashMap<String, Local>>,
    /// Enclosing loops, innermost last.
    pub loops: Vec<LoopCtx>,
    /// Exception-table entries being written, innermost last (see `exceptions.rs`).
    pub guards: Vec<super::exceptions::Guard>,
    /// Enclosing `try` statements that have a `finally` block, innermost last.
    pub tries: Vec<super::exceptions::TryCtx>,
    /// The operand stack depth below the loops from `depth_base.1` on (see
    /// `Compiler::stack_depth`): values an exit sequence holds while a `finally` block runs.
    pub depth_base: (u32, usize),
    /// Enclosing try blocks that have a catch clause (their statements do not recover from
    /// errors on their own in "continue on error" mode: the catch clause handles them).
    pub catching: u32,
    /// Names that functions nested in this code use: its variables of these names live in
    /// cells (`closures.rs`).
    pub captured: BTreeSet<String>,
    /// For a closure: the variables of enclosing functions it uses, each a hidden parameter
    /// holding the variable's cell. Looked up after the scopes.
    pub upvals: HashMap<String, Local>,
    /// The slots of the variables sealed so far (`seal x`, see `seal.rs`).
    pub sealed: HashSet<u32>,
}

impl Ctx {
    pub fn main() -> Ctx {
        Ctx {
            name: "<main>".to_string(),
            unit_top: true,
            is_program: true,
            self_ref: None,
            scopes: Vec::new(),
            loops: Vec::new(),
            guards: Vec::new(),
            tries: Vec::new(),
            depth_base: (0, 0),
            catching: 0,
            captured: BTreeSet::new(),
            upvals: HashMap::new(),
            sealed: HashSet::new(),
        }
    }

    /// The top level of a module (a file the program uses, or a `module` block).
    pub fn unit(name: &str) -> Ctx {
        Ctx {
            name: name.to_string(),
            unit_top: true,
            is_program: false,
            self_ref: None,
            scopes: Vec::new(),
            loops: Vec::new(),
            guards: Vec::new(),
            tries: Vec::new(),
            depth_base: (0, 0),
            catching: 0,
            captured: BTreeSet::new(),
            upvals: HashMap::new(),
            sealed: HashSet::new(),
        }
    }

    pub fn function(name: &str, params: &[String], self_ref: Option<u32>) -> Ctx {
        let mut top = HashMap::new();
        for (i, p) in params.iter().enumerate() {
            top.insert(
                p.clone(),
                Local {
                    slot: i as u32,
                    is_const: false,
                    cell: false,
                },
            );
        }
        Ctx {
            name: name.to_string(),
            unit_top: false,
            is_program: false,
            self_ref: self_ref.map(|i| (name.to_string(), i)),
            scopes: vec![top],
            loops: Vec::new(),
            guards: Vec::new(),
            tries: Vec::new(),
            depth_base: (0, 0),
            catching: 0,
            captured: BTreeSet::new(),
            upvals: HashMap::new(),
            sealed: HashSet::new(),
        }
    }
}

/// What a name refers to at the current point of the program.
#[derive(Debug, Clone)]
pub(super) enum Resolved {
    /// A slot of the current code object.
    Local(Local),
    /// A global slot.
    Global(Global),
    /// A nested function's own name inside its body: a constant function value. Also says
    /// which function declares that name (as a local).
    SelfFunc(u32, String),
    /// A builtin function id.
    Builtin(u32),
    /// A local of an enclosing function (named here) or of an enclosing block of the program.
    Captured(String),
    /// Not declared anywhere visible.
    Unknown,
}

impl Compiler {
    /// True while compiling the outermost block of the program or of a module (not a nested
    /// block or function).
    pub(super) fn at_top_level(&self) -> bool {
        let c = self.ctxs.last().expect("a context is always there");
        c.unit_top && c.scopes.is_empty()
    }

    /// True while compiling the program's code object (at any block depth).
    pub(super) fn in_main(&self) -> bool {
        self.ctxs.len() == 1 && self.ctxs[0].is_program
    }

    /// Resolves `name` from the current point.
    pub(super) fn resolve(&self, name: &str) -> Resolved {
        let cur = self.ctxs.len() - 1;
        for (depth, ctx) in self.ctxs.iter().enumerate().rev() {
            let upval = ctx.upvals.get(name);
            if let Some(l) = ctx.scopes.iter().rev().find_map(|s| s.get(name)).or(upval) {
                return if depth == cur {
                    Resolved::Local(*l)
                } else {
                    Resolved::Captured(ctx.name.clone())
                };
            }
            if let Some((self_name, index)) = &ctx.self_ref {
                if self_name == name {
                    let owner = self.ctxs[depth.saturating_sub(1)].name.clone();
                    return Resolved::SelfFunc(*index, owner);
                }
            }
        }
        // The globals of the module being compiled, then those of the modules around it
        // (for a `module` block).
        if let Some(g) = self.declared_global(name) {
            return Resolved::Global(g);
        }
        let g = self.globals.get(self.gkey(name).as_ref());
        match builtin_id(name) {
            Some(id) => Resolved::Builtin(id),
            None => g.map_or(Resolved::Unknown, |g| Resolved::Global(*g)),
        }
    }

    /// The global slot of `name` in the module being compiled, created (as an undeclared
    /// global) on first use.
    pub(super) fn global_slot(&mut self, name: &str) -> u32 {
        if let Some(g) = self.globals.get(self.gkey(name).as_ref()) {
            return g.slot;
        }
        let key = self.gkey(name).into_owned();
        // No block of the program declares `name` (those names were reserved up front), so
        // the builder's name map for the program's frame cannot point at a block slot here.
        let slot = self.b.global_slot(&key);
        self.globals.insert(
            key,
            Global {
                slot,
                declared: false,
                is_const: false,
                const_seen: false,
                ns: None,
            },
        );
        slot
    }

    /// Creates the program's global slots before anything is emitted: every name declared in
    /// its outermost block (these shadow builtins), then every name declared in a nested block
    /// of the program (reserved, so that a later global of the same name gets its own slot
    /// rather than the block's).
    pub(super) fn declare_globals(&mut self, stmts: &[Stmt]) {
        for s in stmts {
            let (name, is_const) = match &s.kind {
                StmtKind::Let { name, is_const, .. } => (name, *is_const),
                StmtKind::FuncDef { name, .. } => (name, false),
                StmtKind::Class(c) => (&c.name, false),
                _ => continue,
            };
            let slot = self.global_slot(name);
            let g = self
                .globals
                .get_mut(self.gkey(name).as_ref())
                .expect("just created");
            debug_assert_eq!(g.slot, slot);
            g.declared = true;
            g.is_const |= is_const;
        }
        // (Before the module names: a `module` block's namespace leaves out the names its
        // assignments set in the modules around it.)
        self.declare_implicit_globals(stmts);
        self.declare_module_globals(stmts);
        let mut nested = Vec::new();
        for s in stmts {
            block_names_in(s, false, &mut nested);
        }
        nested.extend(self.nested_use_names(stmts));
        for name in nested {
            self.global_slot(&name);
        }
    }

    /// Pushes a block scope.
    pub(super) fn push_scope(&mut self) {
        self.ctx().scopes.push(HashMap::new());
    }

    /// Pops the innermost block scope.
    pub(super) fn pop_scope(&mut self) {
        self.ctx().scopes.pop();
    }

    /// The context being compiled.
    pub(super) fn ctx(&mut self) -> &mut Ctx {
        self.ctxs
            .last_mut()
            .expect("the program's context is always there")
    }

    /// Declares `name` in the current block (or as a global at top level) and returns where to
    /// store its initial value. A second `let` in the same block reuses the slot. Reports
    /// declaring over a `const` and a second `const` of the same name.
    pub(super) fn declare(&mut self, name: &str, is_const: bool, line: u32) -> Resolved {
        if self.at_top_level() {
            let slot = self.global_slot(name);
            let g = self
                .globals
                .get_mut(self.gkey(name).as_ref())
                .expect("created above");
            let redeclared = g.is_const && (!is_const || g.const_seen);
            g.declared = true;
            if is_const {
                g.is_const = true;
                g.const_seen = true;
            }
            let g = *g;
            if redeclared {
                self.error(line, name, format!("cannot assign to const '{name}'"));
            }
            debug_assert_eq!(g.slot, slot);
            return Resolved::Global(g);
        }
        let existing = self.ctx().scopes.last().and_then(|s| s.get(name)).copied();
        if let Some(l) = existing {
            if l.is_const || is_const {
                self.error(line, name, format!("cannot assign to const '{name}'"));
            }
            return Resolved::Local(l);
        }
        let slot = self.b.new_slot(name);
        let cell = self.ctxs.last().is_some_and(|c| c.captured.contains(name));
        let local = Local {
            slot,
            is_const,
            cell,
        };
        let scope = self
            .ctx()
            .scopes
            .last_mut()
            .expect("below the top level there is a block scope");
        scope.insert(name.to_string(), local);
        Resolved::Local(local)
    }

    /// A hidden slot of the current code object (loop counters); `name` is not an identifier.
    pub(super) fn hidden_slot(&mut self, name: &str) -> u32 {
        self.b.new_slot(name)
    }
}

/// Collects the names declared in the nested blocks under `s` (not inside function bodies);
/// `nested` says whether `s` itself is inside a nested block.
fn block_names_in(s: &Stmt, nested: bool, out: &mut Vec<String>) {
    let block = |b: &Block, out: &mut Vec<String>| {
        for s in &b.stmts {
            block_names_in(s, true, out);
        }
    };
    match &s.kind {
        StmtKind::Let { name, .. } | StmtKind::FuncDef { name, .. } if nested => {
            out.push(name.clone())
        }
        StmtKind::If {
            branches,
            else_block,
        } => {
            for (_, b) in branches {
                block(b, out);
            }
            if let Some(b) = else_block {
                block(b, out);
            }
        }
        StmtKind::While { body, .. } => block(body, out),
        StmtKind::ForEach {
            index_var,
            var,
            body,
            ..
        } => {
            out.extend(index_var.iter().cloned());
            out.push(var.clone());
            block(body, out);
        }
        StmtKind::Block(b) | StmtKind::Defer(b) => block(b, out),
        StmtKind::Try {
            body,
            catch,
            finally,
        } => {
            block(body, out);
            if let Some((var, b)) = catch {
                out.extend(var.iter().cloned());
                block(b, out);
            }
            if let Some(b) = finally {
                block(b, out);
            }
        }
        _ => {}
    }
}
