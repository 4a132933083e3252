//! `seal x`, tracked as the program runs: a sealed local is remembered with the index of the
//! block scope that holds it (forgotten when that block ends), a sealed global by its full
//! name. The compiler decides the same thing from the program's text (`compiler/seal.rs`);
//! the two agree wherever the `seal` statement runs before the assignments that follow it in
//! the text.

use zexus_runtime::Value;

use super::env::{Fail, Interp};

impl Interp<'_> {
    /// `seal name`.
    pub(super) fn seal(&mut self, name: &str) {
        let f = self.frame();
        if let Some(scope) = f.scopes.iter().rposition(|s| s.contains_key(name)) {
            f.sealed.push((scope, name.to_string()));
            return;
        }
        let key = self.global_key(name);
        self.sealed_globals.insert(key);
    }

    /// Fails as assigning a sealed variable does: for `let name` (`declaring`) the variable
    /// that statement assigns, else the one `name = v` assigns.
    pub(super) fn check_not_sealed(
        &self,
        name: &str,
        declaring: bool,
        line: u32,
    ) -> Result<(), Fail> {
        let f = self.cur();
        let sealed = if declaring && !self.at_top_level() {
            let last = f.scopes.len() - 1;
            f.scopes[last].contains_key(name) && f.sealed.contains(&(last, name.to_string()))
        } else if let Some(scope) = f.scopes.iter().rposition(|s| s.contains_key(name)) {
            f.sealed.contains(&(scope, name.to_string()))
        } else {
            self.sealed_globals.contains(&self.global_key(name))
        };
        if !sealed {
            return Ok(());
        }
        let v = Value::str(format!("Cannot assign to sealed object: {name}").as_str());
        Err(Fail {
            message: v.to_string(),
            line,
            value: Some(v),
        })
    }
}
