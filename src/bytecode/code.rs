//! Code objects (the program and each function) and the `Bytecode` that holds them.

use zexus_runtime::Value;

use super::opcodes::Instr;

/// One compiled unit: the program's top level, or a function.
#[derive(Debug, Clone)]
pub struct CodeObject {
    /// `"<main>"` for the program, else the function's name.
    pub name: String,
    /// Number of parameters (0 for the program). Parameters are the first slots.
    pub arity: u32,
    /// The instructions.
    pub instrs: Vec<Instr>,
    /// The source line of each instruction (0 where unknown).
    pub lines: Vec<u32>,
    /// The constants `LOAD_CONST` and `CALL_METHOD` refer to.
    pub consts: Vec<Value>,
    /// The name of each frame slot. For the program these are the globals.
    pub slot_names: Vec<String>,
    /// The deepest the value stack gets in this code object (set by the verifier).
    pub max_stack: u32,
}

impl CodeObject {
    /// An empty code object.
    pub fn new(name: impl Into<String>, arity: u32) -> CodeObject {
        CodeObject {
            name: name.into(),
            arity,
            instrs: Vec::new(),
            lines: Vec::new(),
            consts: Vec::new(),
            slot_names: Vec::new(),
            max_stack: 0,
        }
    }
    /// Number of frame slots.
    pub fn n_slots(&self) -> u32 {
        self.slot_names.len() as u32
    }
    /// The source line of instruction `ip`.
    pub fn line(&self, ip: usize) -> u32 {
        self.lines.get(ip).copied().unwrap_or(0)
    }
}

/// A verified program: `code[0]` is the top level, the others are functions
/// (a function value's payload is its index here).
#[derive(Debug, Clone)]
pub struct Bytecode {
    /// The code objects.
    pub code: Vec<CodeObject>,
    /// Where the program came from (a file name, `<eval>`, `<builder>`).
    pub source_name: String,
    /// A process-unique identity (clones share it): profiles of repeated runs of the same
    /// program accumulate under it.
    pub id: u64,
}

/// A fresh program identity.
pub fn next_bytecode_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Bytecode {
    /// The program's top level.
    pub fn main(&self) -> &CodeObject {
        &self.code[0]
    }
    /// Names of the global variables (the program's slots).
    pub fn globals(&self) -> &[String] {
        &self.code[0].slot_names
    }
    /// Total number of instructions over all code objects.
    pub fn len(&self) -> usize {
        self.code.iter().map(|c| c.instrs.len()).sum()
    }
    /// True if the program has no instructions at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
