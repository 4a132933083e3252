//! `watch`: the original's reactive statements, rewritten after parsing into plain functions,
//! flags and calls, so that the compiler, both tiers and the reference evaluator see only
//! constructs they already have.
//!
//! - `watch { B }` runs `B` at once, and again after each later assignment to a variable `B`
//!   reads;
//! - `watch e => { B }` (also `watch name { B }`) evaluates `e`, and runs `B` after each later
//!   assignment to a variable `e` reads.
//!
//! A watch at the top level of a file becomes a global function `<watch n>` (numbered in the
//! file's order) whose body is `B`, guarded so that a reaction never re-enters itself, and two
//! hidden globals: `<watch n on>`, set where the watch statement runs (assignments before it
//! do not react), and `<watch n busy>`. Every assignment `x = e` or `x op= e` (and a top-level
//! `let x` that assigns again) of a watched global, anywhere in the file (the top level, its
//! blocks, functions, actions, and the watches' own bodies, so watches chain) is followed by
//! `if <watch n on> { <watch n>() }`. An assignment to a local of the same name (a parameter, a
//! `let` in a function or an inner block, a loop or catch variable, a field inside an action)
//! does not react, nor does one inside a function literal or a `module` block.

use std::collections::{BTreeSet, HashSet};

use super::ast::{AssignTarget, Block, Expr, ExprKind, Stmt, StmtKind, UnaryOp};
use super::captures::free_names;

/// One watch of a file: its function, its flags and the variables it reacts to.
#[derive(Debug, Clone)]
pub(crate) struct Watch {
    /// The function that runs the reaction, `<watch n>`.
    pub func: String,
    /// The global set when the watch statement has run.
    pub on: String,
    /// The global set while the reaction runs.
    pub busy: String,
    /// The names whose assignment runs the reaction.
    pub deps: BTreeSet<String>,
}

impl Watch {
    /// The watch numbered `n` (from 1), reacting to `deps`.
    pub(crate) fn new(n: usize, deps: BTreeSet<String>) -> Watch {
        Watch {
            func: format!("<watch {n}>"),
            on: format!("<watch {n} on>"),
            busy: format!("<watch {n} busy>"),
            deps,
        }
    }
}

/// The names a block reads (a plain assignment's or a `let`'s target is not read).
pub(crate) fn names_read(body: &Block) -> BTreeSet<String> {
    let reads_only = Block {
        stmts: body.stmts.iter().map(reads_of).collect(),
        line: body.line,
        end_line: body.end_line,
    };
    free_names(&[], &reads_only)
}

/// `s` with a plain assignment to a name, or a `let`, turned into its value alone.
fn reads_of(s: &Stmt) -> Stmt {
    let kind = match &s.kind {
        StmtKind::Assign {
            target: AssignTarget::Name(_),
            op: None,
            value,
        }
        | StmtKind::Let { value, .. } => StmtKind::Expr(value.clone()),
        StmtKind::Block(b) => StmtKind::Block(Block {
            stmts: b.stmts.iter().map(reads_of).collect(),
            line: b.line,
            end_line: b.end_line,
        }),
        other => other.clone(),
    };
    Stmt::new(s.line, kind)
}

fn name(line: u32, n: &str) -> Expr {
    Expr::new(line, ExprKind::Name(n.to_string()))
}

fn set(line: u32, n: &str, v: bool) -> Stmt {
    Stmt::new(
        line,
        StmtKind::Assign {
            target: AssignTarget::Name(n.to_string()),
            op: None,
            value: Expr::new(line, ExprKind::Bool(v)),
        },
    )
}

fn block(line: u32, stmts: Vec<Stmt>) -> Block {
    Block {
        stmts,
        line,
        end_line: line,
    }
}

/// `<watch n>()` as a statement.
pub(crate) fn call(line: u32, w: &Watch) -> Stmt {
    let call = ExprKind::Call {
        callee: Box::new(name(line, &w.func)),
        args: Vec::new(),
    };
    Stmt::new(line, StmtKind::Expr(Expr::new(line, call)))
}

/// `<watch n on> = true`.
pub(crate) fn switch_on(line: u32, w: &Watch) -> Stmt {
    set(line, &w.on, true)
}

/// The reaction's function: `if !busy { busy = true; try { body } finally { busy = false } }`.
pub(crate) fn function(line: u32, w: &Watch, body: Block) -> StmtKind {
    let guarded = StmtKind::Try {
        body,
        catch: None,
        finally: Some(block(line, vec![set(line, &w.busy, false)])),
    };
    let not_busy = Expr::new(
        line,
        ExprKind::Unary {
            op: UnaryOp::Not,
            expr: Box::new(name(line, &w.busy)),
        },
    );
    let run = vec![set(line, &w.busy, true), Stmt::new(line, guarded)];
    StmtKind::FuncDef {
        name: w.func.clone(),
        params: Vec::new(),
        body: block(
            line,
            vec![Stmt::new(
                line,
                StmtKind::If {
                    branches: vec![(not_busy, block(line, run))],
                    else_block: None,
                },
            )],
        ),
    }
}

/// Adds the watches' flags at the start of the file's statements and a reaction after every
/// assignment of a watched variable.
pub(crate) fn apply(stmts: &mut Vec<Stmt>, watches: &[Watch]) {
    if watches.is_empty() {
        return;
    }
    let rw = Rewriter { watches };
    rw.stmts(stmts, &HashSet::new(), true);
    let mut flags = Vec::new();
    for w in watches {
        for n in [&w.on, &w.busy] {
            flags.push(Stmt::new(
                1,
                StmtKind::Let {
                    name: n.clone(),
                    value: Expr::new(1, ExprKind::Bool(false)),
                    is_const: false,
                },
            ));
        }
    }
    stmts.splice(0..0, flags);
}

struct Rewriter<'a> {
    watches: &'a [Watch],
}

impl Rewriter<'_> {
    /// Rewrites a list of statements; `top` for the file's own top level, whose `let`s are the
    /// globals themselves (elsewhere a `let` declares a local that shadows them).
    fn stmts(&self, stmts: &mut Vec<Stmt>, shadow: &HashSet<String>, top: bool) {
        let mut inner = shadow.clone();
        if !top {
            for s in stmts.iter() {
                if let StmtKind::Let { name, .. } = &s.kind {
                    inner.insert(name.clone());
                }
            }
        }
        let old = std::mem::take(stmts);
        for mut s in old {
            self.stmt(&mut s, &inner);
            let assigned = match &s.kind {
                StmtKind::Assign {
                    target: AssignTarget::Name(n),
                    ..
                } => Some(n.clone()),
                StmtKind::Let { name, .. } if top => Some(name.clone()),
                _ => None,
            };
            let line = s.line;
            stmts.push(s);
            let Some(n) = assigned.filter(|n| !inner.contains(n)) else {
                continue;
            };
            for w in self.watches.iter().filter(|w| w.deps.contains(&n)) {
                stmts.push(Stmt::new(
                    line,
                    StmtKind::If {
                        branches: vec![(name(line, &w.on), block(line, vec![call(line, w)]))],
                        else_block: None,
                    },
                ));
            }
        }
    }

    fn block(&self, b: &mut Block, shadow: &HashSet<String>) {
        self.stmts(&mut b.stmts, shadow, false);
    }

    fn with(shadow: &HashSet<String>, names: impl IntoIterator<Item = String>) -> HashSet<String> {
        let mut s = shadow.clone();
        s.extend(names);
        s
    }

    fn stmt(&self, s: &mut Stmt, shadow: &HashSet<String>) {
        match &mut s.kind {
            StmtKind::If {
                branches,
                else_block,
            } => {
                for (_, b) in branches {
                    self.block(b, shadow);
                }
                if let Some(b) = else_block {
                    self.block(b, shadow);
                }
            }
            StmtKind::While { body, .. } | StmtKind::Block(body) | StmtKind::Defer(body) => {
                self.block(body, shadow)
            }
            StmtKind::ForEach {
                index_var,
                var,
                body,
                ..
            } => {
                let vars = index_var.iter().cloned().chain([var.clone()]);
                self.block(body, &Self::with(shadow, vars));
            }
            StmtKind::FuncDef { params, body, .. } => {
                self.block(body, &Self::with(shadow, params.iter().cloned()));
            }
            StmtKind::Try {
                body,
                catch,
                finally,
            } => {
                self.block(body, shadow);
                if let Some((v, b)) = catch {
                    self.block(b, &Self::with(shadow, v.iter().cloned()));
                }
                if let Some(b) = finally {
                    self.block(b, shadow);
                }
            }
            StmtKind::Class(c) => {
                let fields: Vec<String> = c.fields.iter().map(|f| f.name.clone()).collect();
                for m in &mut c.methods {
                    let names = fields.iter().cloned().chain(m.params.iter().cloned());
                    self.block(&mut m.body, &Self::with(shadow, names));
                }
            }
            // A module's code does not see the file's globals.
            StmtKind::Module { .. } => {}
            _ => {}
        }
    }
}
