//! Bytecode: the one opcode table, code objects, the builder, the verifier and the
//! disassembler.

pub mod builder;
pub mod code;
pub mod disasm;
#[macro_use]
pub mod opcodes;
pub mod verify;

pub use builder::{BuildError, BytecodeBuilder};
pub use code::{Bytecode, CodeObject, Handler};
pub use opcodes::{
    builtin_id, Builtin, Instr, Op, OpClass, OperandKind, ALL_BUILTINS, ALL_OPS, BUILTINS,
};
pub use verify::VerifyError;
