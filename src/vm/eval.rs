//! `VM::eval`: compile and run source text on a configured VM.

use zexus_runtime::Value;

use super::VM;
use crate::compiler::compile;
use crate::error::Error;

impl VM {
    /// Compiles `source` (named `<eval>` in traces and reports) and runs it on this VM, with
    /// its profiling and JIT settings; returns the program's value (that of its last
    /// expression statement, else `null`).
    ///
    /// ```
    /// use zexus::{Format, Level, Value, VM};
    /// let mut vm = VM::builder().profiling(Level::Full).build();
    /// let src = "let sum = 0\nlet i = 0\nwhile (i < 1000) {\n    sum = sum + i\n    i = i + 1\n}\nsum";
    /// assert_eq!(vm.eval(src).unwrap(), Value::int(499500));
    /// assert!(vm.profiling_summary().unwrap().total_instructions > 1000);
    /// assert!(vm.profiling_report(Format::Text, 20).contains("LOAD_NAME"));
    /// ```
    pub fn eval(&mut self, source: &str) -> Result<Value, Error> {
        let bytecode = compile(source, "<eval>")?;
        if self.profiler.is_enabled() {
            self.profiler.add_source("<eval>", source);
        }
        Ok(self.execute(&bytecode)?)
    }
}
