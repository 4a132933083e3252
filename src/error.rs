//! The crate-level error: a program that did not compile, or one that failed while running.

use std::fmt;

use zexus_runtime::Value;

use crate::compiler::CompileError;
use crate::vm::{RuntimeError, VM};

/// Why [`eval`] (or [`VM::eval`]) failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// The source did not compile (the CLI exits 65): every error found, in order.
    Compile(Vec<CompileError>),
    /// The program failed at run time (the CLI exits 70).
    Runtime(RuntimeError),
}

impl fmt::Display for Error {
    /// Compile errors one per line (`[line N] Error at 'tok': message`); a runtime error as
    /// its message followed by its `[line N] in f` trace lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Compile(errors) => {
                for (i, e) in errors.iter().enumerate() {
                    if i > 0 {
                        f.write_str("\n")?;
                    }
                    write!(f, "{e}")?;
                }
                Ok(())
            }
            Error::Runtime(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Compile(errors) => errors.first().map(|e| e as _),
            Error::Runtime(e) => Some(e),
        }
    }
}

impl From<Vec<CompileError>> for Error {
    fn from(errors: Vec<CompileError>) -> Self {
        Error::Compile(errors)
    }
}

impl From<CompileError> for Error {
    fn from(error: CompileError) -> Self {
        Error::Compile(vec![error])
    }
}

impl From<RuntimeError> for Error {
    fn from(error: RuntimeError) -> Self {
        Error::Runtime(error)
    }
}

/// Compiles and runs `source` on a new VM with default settings and returns the program's
/// value: the value of its last expression statement, else `null`.
///
/// ```
/// use zexus::{eval, Value};
/// assert_eq!(eval("let x = 2\nx * 21").unwrap(), Value::int(42));
/// assert!(eval("let x = ").unwrap_err().to_string().starts_with("[line 1] Error"));
/// ```
pub fn eval(source: &str) -> Result<Value, Error> {
    VM::new().eval(source)
}
