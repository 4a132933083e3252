//! The `ZexusError` exception hierarchy: every failure of the VM reaches Python as one of
//! these, with the VM's own message (never a crash of the interpreter process).

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use zexus::{BuildError, CompileError, Error, RuntimeError};

create_exception!(
    zexus,
    ZexusError,
    PyException,
    "Base class of every error the Zexus VM raises."
);
create_exception!(
    zexus,
    ZexusCompileError,
    ZexusError,
    "Zexus source that did not compile; `errors` lists every error found, in order, and \
     `positions` the (line, column) of each (column 1-based, 0 if unknown)."
);
create_exception!(
    zexus,
    ZexusRuntimeError,
    ZexusError,
    "A program that failed while running; `line` and `column` are the source position of the \
     failing token (column 1-based, 0 if unknown), `trace` the call trace as (function, line) \
     pairs, innermost first."
);
create_exception!(
    zexus,
    ZexusVerificationError,
    ZexusError,
    "Bytecode that `BytecodeBuilder.build()` could not build or that failed verification \
     (bad operands, undefined labels, inconsistent stack depths, ...)."
);

/// A runtime error as `ZexusRuntimeError`, with `line`, `column` and `trace` attributes.
pub fn runtime(py: Python<'_>, e: &RuntimeError) -> PyErr {
    let err = ZexusRuntimeError::new_err(e.to_string());
    let value = err.value(py);
    let trace: Vec<Bound<'_, PyTuple>> = e
        .trace
        .iter()
        .map(|t| {
            PyTuple::new(
                py,
                [
                    t.function.clone().into_pyobject(py).unwrap().into_any(),
                    t.line.into_pyobject(py).unwrap().into_any(),
                ],
            )
        })
        .collect::<PyResult<_>>()
        .unwrap_or_default();
    // Attribute writes on a fresh exception instance cannot fail; if one did, the message
    // still carries everything.
    let _ = value.setattr("line", e.line);
    let _ = value.setattr("column", e.column);
    if let Ok(list) = PyList::new(py, trace) {
        let _ = value.setattr("trace", list);
    }
    err
}

/// Compile errors as `ZexusCompileError`: the message has one error per line, `errors` the
/// list of them, `positions` the (line, column) of each (column 1-based, 0 if unknown).
pub fn compile(py: Python<'_>, errors: &[CompileError]) -> PyErr {
    let lines: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
    let err = ZexusCompileError::new_err(lines.join("\n"));
    if let Ok(list) = PyList::new(py, &lines) {
        let _ = err.value(py).setattr("errors", list);
    }
    let positions: Vec<(u32, u32)> = errors.iter().map(|e| (e.line, e.column)).collect();
    if let Ok(list) = PyList::new(py, positions) {
        let _ = err.value(py).setattr("positions", list);
    }
    err
}

/// A crate-level error (compile or runtime) as the matching exception.
pub fn error(py: Python<'_>, e: &Error) -> PyErr {
    match e {
        Error::Compile(errors) => compile(py, errors),
        Error::Runtime(e) => runtime(py, e),
    }
}

/// A failed `build()` as `ZexusVerificationError`.
pub fn build(e: &BuildError) -> PyErr {
    ZexusVerificationError::new_err(e.to_string())
}
