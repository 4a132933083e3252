//! A session: Zexus source run input by input on one VM, each input seeing the variables and
//! functions of the ones before it (what `zx repl` is built on).
//!
//! Each input is compiled with the session's [`Prelude`] (the earlier globals at their slots,
//! the earlier functions at their indices: `compile_with_prelude`) and run with the globals'
//! values the earlier runs left ([`VM::execute_keeping_globals`]). A function value kept in a
//! variable (or in a list) therefore keeps meaning the same function.
//!
//! ```
//! use zexus::session::Session;
//! use zexus::{Value, VM};
//! let mut s = Session::new(VM::new());
//! s.run("let x = 20\nfunction twice(n) { return n * 2 }").unwrap();
//! assert_eq!(s.run("twice(x) + 2").unwrap(), Value::int(42));
//! // An error leaves the session as it was before the failing statement.
//! assert!(s.run("x = 1\nx + null").is_err());
//! assert_eq!(s.run("x").unwrap(), Value::int(1));
//! ```
//!
//! Limits: a module name (`use "f.zx" as lib`) is resolved within its own input only.

use zexus_runtime::Value;

use crate::compiler::{compile_with_prelude, CompileError, Prelude};
use crate::error::Error;
use crate::{Bytecode, VM};

/// The name inputs are compiled under (shown in traces and reports).
pub const SOURCE_NAME: &str = "<repl>";

/// Runs source input by input, keeping globals and functions (see the module docs).
pub struct Session {
    vm: VM,
    prelude: Prelude,
    globals: Vec<Value>,
    last: Option<Bytecode>,
}

impl Session {
    /// A session running on `vm` (with its profiling and JIT settings).
    pub fn new(vm: VM) -> Session {
        Session {
            vm,
            prelude: Prelude::default(),
            globals: Vec::new(),
            last: None,
        }
    }

    /// Compiles `source` as the next input without running it (for `:disasm`); the session is
    /// unchanged.
    pub fn compile(&self, source: &str) -> Result<Bytecode, Vec<CompileError>> {
        compile_with_prelude(source, SOURCE_NAME, &self.prelude).map(|(bc, _)| bc)
    }

    /// Compiles and runs `source` as the next input; returns its value (that of its last
    /// expression statement, else `null`). A compile error changes nothing; a runtime error
    /// keeps what the input did before it failed (assignments, new functions).
    pub fn run(&mut self, source: &str) -> Result<Value, Error> {
        let (bc, slots) = compile_with_prelude(source, SOURCE_NAME, &self.prelude)?;
        if self.vm.profiler().is_enabled() {
            self.vm.profiler_mut().add_source(SOURCE_NAME, source);
        }
        let result = self.vm.execute_keeping_globals(&bc, &mut self.globals);
        // Whatever happened, the kept values are now laid out as this program's frame.
        self.prelude = Prelude::after(&bc, slots);
        self.last = Some(bc);
        Ok(result?)
    }

    /// The value of global `name`, if it has one.
    pub fn global(&self, name: &str) -> Option<&Value> {
        let i = self
            .prelude
            .slots
            .iter()
            .position(|s| s.as_ref().is_some_and(|(n, _)| n == name))?;
        self.globals
            .get(i)
            .filter(|v| v.kind() != zexus_runtime::Kind::Undef)
    }

    /// The names of the globals defined so far, in slot order.
    pub fn global_names(&self) -> Vec<&str> {
        self.prelude
            .slots
            .iter()
            .enumerate()
            .filter(|(i, _)| {
                self.globals
                    .get(*i)
                    .is_some_and(|v| v.kind() != zexus_runtime::Kind::Undef)
            })
            .filter_map(|(_, s)| s.as_ref().map(|(n, _)| n.as_str()))
            .collect()
    }

    /// The program the last input compiled to (run or not run to the end).
    pub fn last_bytecode(&self) -> Option<&Bytecode> {
        self.last.as_ref()
    }

    /// The VM.
    pub fn vm(&self) -> &VM {
        &self.vm
    }

    /// The VM, mutably (to change its profiling level, read its output, ...).
    pub fn vm_mut(&mut self) -> &mut VM {
        &mut self.vm
    }

    /// Moves the session to another VM (say, with the JIT switched), keeping its variables
    /// and functions.
    pub fn set_vm(&mut self, vm: VM) {
        self.vm = vm;
    }
}
