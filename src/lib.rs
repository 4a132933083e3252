//! Zexus VM: a JIT-backed virtual machine for the Zexus language with an instruction-level
//! profiler.

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod bench;
pub mod bytecode;
pub mod compiler;
pub mod demo;
pub mod diagnostic;
pub mod error;
pub mod jit;
pub mod modules;
pub mod profile;
pub mod reference;
pub mod repl;
pub mod report;
pub mod robustness;
pub mod session;
pub mod syntax;
pub mod vm;

pub use bytecode::{BuildError, Bytecode, BytecodeBuilder, CodeObject, Instr, Op};
pub use compiler::{compile, compile_file, compile_source, CompileError};
pub use error::{eval, Error};
pub use profile::{InstructionProfiler, Level};
pub use report::Format;
pub use vm::{LimitKind, Limits, RuntimeError, VmBuilder, VM};
pub use zexus_runtime::{Kind, Value};
