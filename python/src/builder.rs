//! `BytecodeBuilder` and `Bytecode` for Python: every `emit_*` method of the Rust builder
//! (one per opcode, named as in the guide: `emit_load_const`, `emit_store_name`, `emit_lt`,
//! `emit_jump_if_false`, ...), labels, functions and exception handlers.
//!
//! Mistakes (an undefined label, a bad operand, an inconsistent stack) are collected while
//! emitting and reported by `build()` as `ZexusVerificationError`, like the Rust builder.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use zexus::{Bytecode, BytecodeBuilder};
use zexus_runtime::Value;

use crate::convert;
use crate::errors::{self, ZexusError};

/// A program built with `BytecodeBuilder.build()` (or compiled with `zexus.compile`), verified
/// and ready for `VM.execute`.
#[pyclass(name = "Bytecode", module = "zexus", unsendable)]
pub struct PyBytecode {
    /// The verified program.
    pub inner: Bytecode,
}

#[pymethods]
impl PyBytecode {
    /// The disassembly of every code object (as `zx disasm` prints it).
    fn disassemble(&self) -> String {
        self.inner.disassemble()
    }

    /// The names of the program's global variables.
    #[getter]
    fn globals(&self) -> Vec<String> {
        self.inner.globals().to_vec()
    }

    /// The program's source name (`<builder>`, `<eval>`, a file name).
    #[getter]
    fn source_name(&self) -> String {
        self.inner.source_name().to_string()
    }

    /// Total number of instructions over all code objects.
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    fn __repr__(&self) -> String {
        format!(
            "<Bytecode {} ({} instructions, {} code objects)>",
            self.inner.source_name(),
            self.inner.len(),
            self.inner.code().len()
        )
    }
}

/// Builds bytecode instruction by instruction, as in the guide:
/// `builder.emit_load_const(10)`, `builder.emit_label("loop")`, `builder.emit_jump("loop")`,
/// `builder.build()`. Every `emit_*` returns the builder, so calls can be chained.
#[pyclass(name = "BytecodeBuilder", module = "zexus", unsendable)]
pub struct PyBytecodeBuilder {
    /// `None` once `build()` consumed it.
    inner: Option<BytecodeBuilder>,
}

impl PyBytecodeBuilder {
    fn b(&mut self) -> PyResult<&mut BytecodeBuilder> {
        self.inner.as_mut().ok_or_else(|| {
            ZexusError::new_err("this BytecodeBuilder was already built; make a new one")
        })
    }
}

/// Generates the `emit_*` methods, by operand kind, from the opcode table's names (the Rust
/// builder's methods of the same names do the work).
macro_rules! emitters {
    (
        none: [$($none:ident),*],
        constant: [$($konst:ident),*],
        name: [$($name:ident),*],
        label: [$($label:ident),*],
        count: [$($count:ident),*],
        named_call: [$($ncall:ident),*],
        value_call: [$($vcall:ident),*],
    ) => {
        #[pymethods]
        impl PyBytecodeBuilder {
            #[new]
            fn new() -> Self {
                PyBytecodeBuilder { inner: Some(BytecodeBuilder::new()) }
            }

            $(
                #[doc = concat!("`", stringify!($none), "()`: the instruction, no operand.")]
                fn $none(mut slf: PyRefMut<'_, Self>) -> PyResult<PyRefMut<'_, Self>> {
                    slf.b()?.$none();
                    Ok(slf)
                }
            )*
            $(
                #[doc = concat!("`", stringify!($konst), "(value)`: with a constant (None, bool, int, float, str, list or dict).")]
                fn $konst<'py>(mut slf: PyRefMut<'py, Self>, value: &Bound<'py, PyAny>) -> PyResult<PyRefMut<'py, Self>> {
                    let v = convert::from_py(value)?;
                    slf.b()?.$konst(v);
                    Ok(slf)
                }
            )*
            $(
                #[doc = concat!("`", stringify!($name), "(name)`: of a variable (in the program, a global).")]
                fn $name<'py>(mut slf: PyRefMut<'py, Self>, name: &str) -> PyResult<PyRefMut<'py, Self>> {
                    slf.b()?.$name(name);
                    Ok(slf)
                }
            )*
            $(
                #[doc = concat!("`", stringify!($label), "(label)`: to a label defined before or after with `emit_label`.")]
                fn $label<'py>(mut slf: PyRefMut<'py, Self>, label: &str) -> PyResult<PyRefMut<'py, Self>> {
                    slf.b()?.$label(label);
                    Ok(slf)
                }
            )*
            $(
                #[doc = concat!("`", stringify!($count), "(n)`: over `n` values.")]
                fn $count(mut slf: PyRefMut<'_, Self>, n: u32) -> PyResult<PyRefMut<'_, Self>> {
                    slf.b()?.$count(n);
                    Ok(slf)
                }
            )*
            $(
                #[doc = concat!("`", stringify!($ncall), "(name, argc)`.")]
                fn $ncall<'py>(mut slf: PyRefMut<'py, Self>, name: &str, argc: u32) -> PyResult<PyRefMut<'py, Self>> {
                    slf.b()?.$ncall(name, argc);
                    Ok(slf)
                }
            )*
            $(
                #[doc = concat!("`", stringify!($vcall), "(argc)`: calls the function below the arguments.")]
                fn $vcall(mut slf: PyRefMut<'_, Self>, argc: u32) -> PyResult<PyRefMut<'_, Self>> {
                    slf.b()?.$vcall(argc);
                    Ok(slf)
                }
            )*

            /// `emit_for_iter(label, vars=1)`: one step of the iterator on the stack, pushing
            /// `vars` (1 or 2) values, or leaving to `label` at the end.
            #[pyo3(signature = (label, vars=1))]
            fn emit_for_iter<'py>(mut slf: PyRefMut<'py, Self>, label: &str, vars: u16) -> PyResult<PyRefMut<'py, Self>> {
                slf.b()?.emit_for_iter(label, vars);
                Ok(slf)
            }

            /// Defines `label` at the next instruction (defining one twice is a build error).
            fn emit_label<'py>(mut slf: PyRefMut<'py, Self>, label: &str) -> PyResult<PyRefMut<'py, Self>> {
                slf.b()?.emit_label(label);
                Ok(slf)
            }

            /// `emit_load_function(index)`: pushes the function `begin_function` returned.
            fn emit_load_function(mut slf: PyRefMut<'_, Self>, index: u32) -> PyResult<PyRefMut<'_, Self>> {
                slf.b()?.emit_load_const(Value::func(index));
                Ok(slf)
            }

            /// Emits an opcode by its name (`"LOAD_CONST"` takes its constant as `a`), with
            /// raw operands; the verifier checks them in `build()`.
            #[pyo3(signature = (opcode, a=0, b=0))]
            fn emit_raw<'py>(mut slf: PyRefMut<'py, Self>, opcode: &str, a: u32, b: u16) -> PyResult<PyRefMut<'py, Self>> {
                let op = zexus::Op::from_name(&opcode.to_ascii_uppercase())
                    .ok_or_else(|| PyValueError::new_err(format!("unknown opcode '{opcode}'")))?;
                slf.b()?.emit_raw(op, a, b);
                Ok(slf)
            }

            /// Sets the source line recorded for the instructions emitted from now on.
            fn set_line(mut slf: PyRefMut<'_, Self>, line: u32) -> PyResult<PyRefMut<'_, Self>> {
                slf.b()?.set_line(line);
                Ok(slf)
            }

            /// Names the program's source (shown in traces and reports).
            fn set_source_name<'py>(mut slf: PyRefMut<'py, Self>, name: &str) -> PyResult<PyRefMut<'py, Self>> {
                slf.b()?.set_source_name(name);
                Ok(slf)
            }

            /// The index the next instruction will get in the current code object.
            fn current_ip(&mut self) -> PyResult<u32> {
                Ok(self.b()?.current_ip())
            }

            /// Starts a function with parameters `params`; instructions go into it until
            /// `end_function()`. Returns its index (for `emit_load_function`).
            #[pyo3(signature = (name, params=Vec::new()))]
            fn begin_function(&mut self, name: &str, params: Vec<String>) -> PyResult<u32> {
                let params: Vec<&str> = params.iter().map(String::as_str).collect();
                Ok(self.b()?.begin_function(name, &params))
            }

            /// Finishes the innermost function.
            fn end_function(mut slf: PyRefMut<'_, Self>) -> PyResult<PyRefMut<'_, Self>> {
                slf.b()?.end_function();
                Ok(slf)
            }

            /// An exception-table entry: an error raised from label `start` up to label `end`
            /// cuts the stack to `depth` values, pushes the raised value and goes to `handler`.
            #[pyo3(signature = (start, end, handler, depth=0))]
            fn add_handler<'py>(mut slf: PyRefMut<'py, Self>, start: &str, end: &str, handler: &str, depth: u32) -> PyResult<PyRefMut<'py, Self>> {
                slf.b()?.add_handler(start, end, handler, depth);
                Ok(slf)
            }

            /// Resolves labels, verifies the program and returns its `Bytecode`. Raises
            /// `ZexusVerificationError` if it is invalid. The builder is used up.
            fn build(&mut self) -> PyResult<PyBytecode> {
                let b = self.inner.take().ok_or_else(|| {
                    ZexusError::new_err("this BytecodeBuilder was already built; make a new one")
                })?;
                b.build().map(|inner| PyBytecode { inner }).map_err(|e| errors::build(&e))
            }
        }
    };
}

emitters! {
    none: [emit_nop, emit_pop, emit_dup, emit_dup2, emit_add, emit_sub, emit_mul, emit_div,
        emit_mod, emit_pow, emit_neg, emit_eq, emit_neq, emit_lt, emit_gt, emit_lte, emit_gte,
        emit_and, emit_or, emit_not, emit_return, emit_index, emit_store_index, emit_get_iter,
        emit_throw],
    constant: [emit_load_const, emit_new_object, emit_get_attr, emit_set_attr],
    name: [emit_load_name, emit_store_name, emit_load_global, emit_store_global, emit_reraise],
    label: [emit_jump, emit_jump_if_false, emit_jump_if_true, emit_jump_if_false_or_pop,
        emit_jump_if_true_or_pop, emit_jump_if_not_null_or_pop],
    count: [emit_build_list, emit_build_map, emit_print],
    named_call: [emit_call_name, emit_call_builtin, emit_call_method, emit_emit_event],
    value_call: [emit_call_value],
}
