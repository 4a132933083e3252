//! The reference evaluator's [`Host`]: builtins that call user functions call them here with
//! the evaluator's own `call_value`, so the builtins' semantics stay shared with the VM while
//! the calls themselves are evaluated independently.

use zexus_runtime::{OpError, Value};

use super::env::{Fail, Interp};
use crate::vm::builtins::{self, Host};

/// Calls made by one builtin call at `line`.
struct RefHost<'i, 'p> {
    it: &'i mut Interp<'p>,
    line: u32,
    /// The failure of a callee, passed on as the builtin's error.
    failed: Option<Fail>,
}

impl Host for RefHost<'_, '_> {
    fn call(&mut self, f: &Value, args: &[Value]) -> Result<Value, OpError> {
        if self.it.callbacks >= builtins::MAX_CALLBACK_NESTING {
            return Err(OpError::Other(builtins::too_nested()));
        }
        self.it.callbacks += 1;
        let r = self.it.call_value(f, args.to_vec(), self.line);
        self.it.callbacks -= 1;
        r.map_err(|fail| {
            let message = fail.message.clone();
            self.failed = Some(fail);
            OpError::Other(message)
        })
    }
}

impl<'p> Interp<'p> {
    /// Runs `call` (a builtin or method call at `line`) with a host that calls back here; its
    /// error is the callee's failure if one failed, else the builtin's at `line`.
    fn with_host(
        &mut self,
        line: u32,
        call: impl FnOnce(&mut dyn Host) -> Result<Value, OpError>,
    ) -> Result<Value, Fail> {
        let mut host = RefHost {
            it: self,
            line,
            failed: None,
        };
        let r = call(&mut host);
        let failed = host.failed.take();
        r.map_err(|e| failed.unwrap_or_else(|| Fail::new(e.to_string(), line)))
    }

    /// Calls builtin `id` at `line`.
    pub(super) fn builtin(&mut self, id: u32, args: &[Value], line: u32) -> Result<Value, Fail> {
        self.with_host(line, |h| builtins::call_builtin(id, args, h))
    }

    /// Calls method `name` of `obj` at `line`.
    pub(super) fn method(
        &mut self,
        obj: &Value,
        name: &str,
        args: &[Value],
        line: u32,
    ) -> Result<Value, Fail> {
        self.with_host(line, |h| builtins::call_method(obj, name, args, h))
    }
}

impl Interp<'_> {
    /// The value of one of the original's predefined names (`__file__`, `__ARGS__`, ...) where
    /// the program does not declare it, as the compiler gives it (the program's name here is
    /// `<reference>`); `None` for other names.
    pub(super) fn predefined(&self, name: &str, line: u32) -> Option<Result<Value, Fail>> {
        if !name.starts_with("__") || self.is_declared(name) {
            return None;
        }
        if let Some(v) = crate::compiler::dunder::constant(name, "<reference>") {
            return Some(Ok(v));
        }
        let id =
            crate::bytecode::builtin_id(name).filter(|_| crate::compiler::dunder::is_args(name))?;
        Some(
            builtins::call_builtin(id, &[], &mut builtins::NoHost)
                .map_err(|e| Fail::new(e.to_string(), line)),
        )
    }
}
