//! The names a module has: its top-level names (its namespace) and its exports, computed from
//! the AST the same way for the compiler and the reference evaluator.

use crate::syntax::ast::{AssignTarget, Block, Stmt, StmtKind, UseBinding};

/// Calls `f(statement, path, binding)` for every `use` under `stmts`, in source order: in
/// nested blocks, function bodies and `module` blocks too.
pub fn for_each_use<'a>(stmts: &'a [Stmt], f: &mut dyn FnMut(&'a Stmt, &'a str, &'a UseBinding)) {
    for s in stmts {
        match &s.kind {
            StmtKind::Use { path, binding } => f(s, path, binding),
            StmtKind::If {
                branches,
                else_block,
            } => {
                for (_, b) in branches {
                    for_each_use(&b.stmts, f);
                }
                if let Some(b) = else_block {
                    for_each_use(&b.stmts, f);
                }
            }
            StmtKind::While { body, .. }
            | StmtKind::ForEach { body, .. }
            | StmtKind::FuncDef { body, .. }
            | StmtKind::Module { body, .. }
            | StmtKind::Block(body)
            | StmtKind::Defer(body) => for_each_use(&body.stmts, f),
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                for_each_use(&body.stmts, f);
                if let Some((_, b)) = catch {
                    for_each_use(&b.stmts, f);
                }
                if let Some(b) = finally {
                    for_each_use(&b.stmts, f);
                }
            }
            _ => {}
        }
    }
}

/// The names a `use` binds; `exports` gives the exports of the module it uses (for a plain
/// `use "path"`).
pub fn use_bindings(binding: &UseBinding, exports: &[String]) -> Vec<String> {
    match binding {
        UseBinding::Exports => exports.to_vec(),
        UseBinding::Alias(a) => vec![a.clone()],
        UseBinding::Names(names) => names.clone(),
    }
}

/// The top-level names of a file or `module` block, in the order they are first declared:
/// `let`, `const`, functions, declared types, `module` blocks, the names each `use` binds
/// (`exports_of` gives the exports of the module a `use` path names), and the names a plain
/// assignment in the outermost block declares (`x = 1` where nothing declares `x`; for a
/// `module` block, not those that `outer_declares`: the assignment sets the global of a module
/// around it). A namespace holds these names.
pub fn top_names(
    stmts: &[Stmt],
    exports_of: &dyn Fn(&str) -> Vec<String>,
    outer_declares: &dyn Fn(&str) -> bool,
) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let add = |n: &str, out: &mut Vec<String>| {
        if !out.iter().any(|o| o == n) {
            out.push(n.to_string());
        }
    };
    for s in stmts {
        match &s.kind {
            StmtKind::Let { name, .. }
            | StmtKind::FuncDef { name, .. }
            | StmtKind::Module { name, .. } => add(name, &mut out),
            StmtKind::Class(c) => add(&c.name, &mut out),
            StmtKind::Assign {
                target: AssignTarget::Name(name),
                op: None,
                ..
            } if !outer_declares(name) => add(name, &mut out),
            StmtKind::Use { path, binding } => {
                for n in use_bindings(binding, &exports_of(path)) {
                    add(&n, &mut out);
                }
            }
            _ => {}
        }
    }
    out
}

/// The names a file or `module` block exports (its top-level `export` statements), in order.
pub fn exports(stmts: &[Stmt]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in stmts {
        if let StmtKind::Export(names) = &s.kind {
            for n in names {
                if !out.contains(n) {
                    out.push(n.clone());
                }
            }
        }
    }
    out
}

/// The `module` blocks at the top level of `stmts`, with their names.
pub fn module_blocks(stmts: &[Stmt]) -> impl Iterator<Item = (&str, &Block)> {
    stmts.iter().filter_map(|s| match &s.kind {
        StmtKind::Module { name, body } => Some((name.as_str(), body)),
        _ => None,
    })
}
