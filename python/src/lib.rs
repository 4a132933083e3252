//! The native half of the `zexus` Python package (`zexus._zexus`): the original Zexus
//! profiler guide's Python API over this VM. `zexus/__init__.py` re-exports everything here
//! and adds `ProfilingLevel` (a Python `enum.Enum`, as the original's).
//!
//! Every class is `unsendable`: VM values are reference counted without atomics (`Rc`), so a
//! VM, its bytecode and its profiler stay on the thread that made them (PyO3 raises an error
//! if another thread touches them). `VM.execute` and `VM.eval` still release the GIL while
//! the VM runs; see `gil.rs` for why that is sound.

mod builder;
mod convert;
mod errors;
mod gil;
mod profiler;
mod vm;

use pyo3::prelude::*;

/// The module `zexus._zexus`.
#[pymodule]
fn _zexus(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<vm::PyVm>()?;
    m.add_class::<builder::PyBytecodeBuilder>()?;
    m.add_class::<builder::PyBytecode>()?;
    m.add_class::<profiler::PyInstructionProfiler>()?;
    m.add_class::<profiler::PyHotLoop>()?;
    m.add("ZexusError", py.get_type::<errors::ZexusError>())?;
    m.add(
        "ZexusCompileError",
        py.get_type::<errors::ZexusCompileError>(),
    )?;
    m.add(
        "ZexusRuntimeError",
        py.get_type::<errors::ZexusRuntimeError>(),
    )?;
    m.add(
        "ZexusVerificationError",
        py.get_type::<errors::ZexusVerificationError>(),
    )?;
    m.add_function(wrap_pyfunction!(vm::eval, m)?)?;
    m.add_function(wrap_pyfunction!(vm::compile, m)?)?;
    Ok(())
}
