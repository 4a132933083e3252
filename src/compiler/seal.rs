//! `seal x`: the variable is read-only from the statement on.
//!
//! Decided when compiling: the `seal` statement marks the variable's slot (a local's in its
//! code object, or a global's), and every assignment to it compiled after that point in the
//! program's text (`x = v`, `x += v`, a `let x` that assigns it again) raises
//! `Cannot assign to sealed object: x`, the original interpreter's message, before evaluating
//! the value. The value itself is unchanged: a sealed list or map can still be modified
//! through its elements (the original seals those only with `seal obj.key`, not supported).

use super::scope::Resolved;
use super::Compiler;
use zexus_runtime::Value;

impl Compiler {
    /// `seal name` at `(line, col)`.
    pub(super) fn seal_stmt(&mut self, name: &str, (line, col): (u32, u32)) {
        let ctx = self.ctxs.last().expect("a context is always there");
        let own = ctx.scopes.iter().any(|s| s.contains_key(name));
        let resolved = match self.resolve(name) {
            // A closure's hidden parameter holding an enclosing function's variable.
            Resolved::Local(_) if !own && ctx.upvals.contains_key(name) => {
                Resolved::Captured(String::new())
            }
            r => r,
        };
        match resolved {
            Resolved::Local(l) => {
                self.ctx().sealed.insert(l.slot);
            }
            Resolved::Global(g) if g.declared => {
                self.sealed_globals.insert(g.slot);
            }
            Resolved::Captured(_) => {
                let message = format!(
                    "cannot seal '{name}' here: it is a variable of an enclosing function or \
                     block (seal it there)"
                );
                self.error_at(line, col, name, message);
            }
            Resolved::Global(_)
            | Resolved::SelfFunc(..)
            | Resolved::Builtin(_)
            | Resolved::Unknown => {
                let message = format!("undefined variable '{name}'");
                self.cascading_error(line, col, name, message);
            }
        }
    }

    /// Whether assigning `target` must raise: a variable sealed earlier in the text.
    pub(super) fn is_sealed(&self, target: &Resolved) -> bool {
        match target {
            Resolved::Local(l) => self.ctxs.last().is_some_and(|c| c.sealed.contains(&l.slot)),
            Resolved::Global(g) => self.sealed_globals.contains(&g.slot),
            _ => false,
        }
    }

    /// Raises the error of assigning the sealed variable `name`.
    pub(super) fn raise_sealed(&mut self, name: &str) {
        let message = format!("Cannot assign to sealed object: {name}");
        self.constant(Value::str(message.as_str()));
        self.b.emit_throw();
    }
}
