//! The original's "continue on error" mode: `continue` at the program's top level, outside any
//! loop, makes every later runtime error that nothing catches abandon only the statement it
//! happened in, and go on with the next one.
//!
//! The mode is turned on by a statement, but this compiler decides it where the code is
//! written: in a program that has such a `continue`, every statement of every function, and
//! every statement of the program after the `continue`, gets its own exception-table entry
//! whose handler drops the error and goes on after the statement:
//!
//! ```text
//!         <statement>          ; covered: depth as at the statement's start
//!         JUMP next
//! drop:   POP                  ; the error's value
//! next:
//! ```
//!
//! Inner statements' entries come first, so the innermost statement is the one abandoned.
//! Statements inside a try block that has a catch clause get no entry of their own: the catch
//! clause handles their errors. (A function called from there still recovers in itself.)

use super::Compiler;
use crate::syntax::ast::{Stmt, StmtKind};

impl Compiler {
    /// Whether `s` is compiled inside its own recovery entry (see the module's docs). A
    /// statement being wrapped is not wrapped again.
    pub(super) fn recovers(&mut self, s: &Stmt) -> bool {
        if std::mem::take(&mut self.wrapping) {
            return false;
        }
        let catching = self.ctxs.last().is_some_and(|c| c.catching > 0);
        self.recover
            .is_some_and(|on_in_main| on_in_main || !self.in_main())
            && !catching
            && !matches!(s.kind, StmtKind::FuncDef { .. } | StmtKind::ContinueOnError)
    }

    /// Compiles `s` inside its own recovery entry.
    pub(super) fn recovering_stmt(&mut self, s: &Stmt) {
        let depth = self.stack_depth();
        let drop = self.label();
        let next = self.label();
        self.push_guard(drop.clone(), depth);
        self.wrapping = true;
        self.stmt(s);
        self.pop_guard();
        self.b.emit_jump(&next);
        self.b.emit_label(&drop);
        self.b.emit_pop();
        self.b.emit_label(&next);
    }

    /// Whether the program turns the mode on: a `continue` among its top-level statements.
    pub(super) fn has_continue_on_error(stmts: &[Stmt]) -> bool {
        stmts
            .iter()
            .any(|s| matches!(s.kind, StmtKind::ContinueOnError))
    }
}
