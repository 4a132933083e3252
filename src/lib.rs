//! Zexus VM: a JIT-backed virtual machine for the Zexus language with an instruction-level
//! profiler.

#![warn(missing_docs)]

pub mod bytecode;

pub use bytecode::{BuildError, Bytecode, BytecodeBuilder, CodeObject, Instr, Op};
pub use zexus_runtime::{Kind, Value};
