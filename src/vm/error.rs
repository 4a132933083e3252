//! Runtime errors: a message that names the operand at fault, the source line, and a call
//! trace of `[line N] in f` lines (innermost first), as Lua and clox print them.

use std::fmt;

/// One line of a call trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEntry {
    /// The function (`<main>` for the program's top level).
    pub function: String,
    /// The source line being executed in that function.
    pub line: u32,
}

/// What kind of failure a [`RuntimeError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The program did something the language forbids (bad types, division by zero, ...).
    Runtime,
    /// Bytecode that failed verification. `VM::execute` no longer meets any: a `Bytecode`
    /// is verified when it is made (`Bytecode::new`); kept for callers that report such
    /// failures with the same type.
    InvalidBytecode,
}

/// An error raised while running a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeError {
    /// What went wrong, e.g. `attempt to add int and null (variable 'x')`.
    pub message: String,
    /// The source line of the failing instruction (0 if unknown).
    pub line: u32,
    /// The call trace, innermost call first.
    pub trace: Vec<TraceEntry>,
    /// Runtime error or invalid bytecode.
    pub kind: ErrorKind,
}

impl RuntimeError {
    /// An error with no location (for bytecode rejected before running).
    pub fn invalid_bytecode(message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            message: message.into(),
            line: 0,
            trace: Vec::new(),
            kind: ErrorKind::InvalidBytecode,
        }
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for t in &self.trace {
            write!(f, "\n[line {}] in {}", t.line, t.function)?;
        }
        Ok(())
    }
}

impl std::error::Error for RuntimeError {}
