//! Code objects (the program and each function) and the `Bytecode` that holds them.

use std::sync::Arc;

use zexus_runtime::Value;

use super::builder::BuildError;
use super::opcodes::Instr;
use super::verify::verify;
use crate::syntax::SourceFile;

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
    /// The source column of each instruction's token (1-based, in characters; 0 where
    /// unknown), beside `lines`: the operator of an arithmetic instruction, the `(` of a
    /// call, the `[` of an index. Only errors read it. May be empty (no columns known);
    /// [`Bytecode::new`] empties one whose length is not the instruction count.
    pub cols: Vec<u32>,
    /// The constants `LOAD_CONST` and `CALL_METHOD` refer to.
    pub consts: Vec<Value>,
    /// The name of each frame slot. For the program these are the globals.
    pub slot_names: Vec<String>,
    /// The deepest the value stack gets in this code object. [`Bytecode::new`] (and so
    /// `BytecodeBuilder::build`) overwrites it with what the verifier computed, so inside a
    /// `Bytecode` it is exact; the VM sizes frames from it.
    pub max_stack: u32,
    /// The exception table: where control goes when an instruction raises (see [`Handler`]).
    /// Nothing runs for it until something raises.
    pub handlers: Vec<Handler>,
    /// The file its `lines` and `cols` are in when it is not the program's own source: a
    /// function or top level of a file the program `use`s (or of an earlier input of a
    /// session). Runtime errors raised in it carry it, so diagnostics show that file's line.
    pub file: Option<Arc<SourceFile>>,
}

/// One entry of a code object's exception table (CPython 3.11's zero-cost scheme): when an
/// instruction in `start..end` raises (a `THROW`, or a runtime error), the operand stack is
/// cut back to `depth` values, the raised value is pushed (for a runtime error, its message
/// as a string), and execution goes on at `target`. The first entry that covers the failing
/// instruction wins, so inner `try` blocks come before the blocks around them; when none
/// covers it, the frame is left and the search goes on at the caller's call instruction.
///
/// The verifier checks that the range and target lie in the code, that no instruction in the
/// range takes values from below `depth`, and that the handler code is consistent with a
/// stack of `depth + 1` values at `target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Handler {
    /// First instruction covered.
    pub start: u32,
    /// One past the last instruction covered.
    pub end: u32,
    /// Where the handler starts.
    pub target: u32,
    /// Operand stack depth the handler starts from (before the raised value is pushed).
    pub depth: u32,
}

impl Handler {
    /// Whether the entry covers instruction `ip`.
    pub fn covers(&self, ip: u32) -> bool {
        self.start <= ip && ip < self.end
    }
}

impl CodeObject {
    /// An empty code object.
    pub fn new(name: impl Into<String>, arity: u32) -> CodeObject {
        CodeObject {
            name: name.into(),
            arity,
            instrs: Vec::new(),
            lines: Vec::new(),
            cols: Vec::new(),
            consts: Vec::new(),
            slot_names: Vec::new(),
            max_stack: 0,
            handlers: Vec::new(),
            file: None,
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
    /// The source column of instruction `ip` (0 if unknown).
    pub fn col(&self, ip: usize) -> u32 {
        self.cols.get(ip).copied().unwrap_or(0)
    }
    /// The exception-table entry that catches an error raised at `ip`, if any.
    pub fn handler_for(&self, ip: u32) -> Option<&Handler> {
        self.handlers.iter().find(|h| h.covers(ip))
    }
}

/// A verified program: `code()[0]` is the top level, the others are functions
/// (a function value's payload is its index here).
///
/// A `Bytecode` is immutable: it is verified once, when it is made, and the VM and JIT cache
/// what they derive from it (prepared code, compiled loops and functions, profiles) under its
/// [`id`](Bytecode::id). To change a program, take its code objects out with
/// [`into_code`](Bytecode::into_code), edit them, and make a new `Bytecode` with
/// [`Bytecode::new`]: it is verified again and gets a fresh id, so nothing compiled for the
/// original can run for it. A clone is the same program and shares the id.
///
/// ```
/// let bc = zexus::compile("print(1 + 2)", "ex.zx").unwrap();
/// let mut code = bc.clone().into_code();
/// code[0].consts.iter_mut().for_each(|c| *c = zexus::Value::int(4));
/// let edited = zexus::Bytecode::new(code, bc.source_name()).unwrap();
/// assert_ne!(edited.id(), bc.id());
/// ```
///
/// Editing in place does not compile:
///
/// ```compile_fail
/// let mut bc = zexus::compile("print(1 + 2)", "ex.zx").unwrap();
/// bc.code[0].consts.clear();
/// ```
#[derive(Debug, Clone)]
pub struct Bytecode {
    code: Vec<CodeObject>,
    /// Per code object, the operand-stack depth on entry to each instruction, as the verifier
    /// found it (shared by clones, as the code is never changed after verification).
    depths: Arc<[Box<[u32]>]>,
    source_name: String,
    id: u64,
}

/// A fresh program identity.
fn next_bytecode_id() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

impl Bytecode {
    /// Verifies `code` (`code[0]` the top level, then the functions) and makes it a program
    /// with a fresh identity; each code object's `max_stack` is set to the verified depth.
    /// `source_name` says where it came from (a file name, `<eval>`, `<builder>`).
    pub fn new(
        mut code: Vec<CodeObject>,
        source_name: impl Into<String>,
    ) -> Result<Bytecode, BuildError> {
        // A column table that no longer matches the code (it was edited) is dropped: columns
        // only place error carets, and none is better than a wrong one.
        for c in &mut code {
            if c.cols.len() != c.instrs.len() {
                c.cols.clear();
            }
        }
        let depths = verify(&mut code)?.into();
        Ok(Bytecode {
            code,
            depths,
            source_name: source_name.into(),
            id: next_bytecode_id(),
        })
    }
    /// The operand-stack depth on entry to each instruction of code object `code`, as
    /// verification found it (`u32::MAX` for an instruction no path reaches). The JIT sizes
    /// and checks native code from it; nothing verifies the program again.
    ///
    /// # Panics
    /// If `code` is not a code object of this program.
    pub fn stack_depths(&self, code: usize) -> &[u32] {
        &self.depths[code]
    }
    /// The code objects: `[0]` is the top level, the others are functions.
    pub fn code(&self) -> &[CodeObject] {
        &self.code
    }
    /// Gives back the code objects, to edit and pass to [`Bytecode::new`] again.
    pub fn into_code(self) -> Vec<CodeObject> {
        self.code
    }
    /// Where the program came from (a file name, `<eval>`, `<builder>`).
    pub fn source_name(&self) -> &str {
        &self.source_name
    }
    /// A process-unique identity, fresh for every `Bytecode::new` (clones share it): the VM
    /// keys compiled code and profiles by it, so repeated runs of the same program accumulate.
    pub fn id(&self) -> u64 {
        self.id
    }
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
