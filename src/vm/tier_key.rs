//! What the JIT tier keeps a decision for: one loop or one whole function of one program, in
//! one profiling mode. Decisions (compiled, refused, blacklisted) outlive a run, so that a
//! program run again in the same VM does not pay the same compilation or refusal twice.

/// The unit of code a decision is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Unit {
    /// The loop closed by the back edge at this instruction.
    Loop {
        /// The back edge's instruction index.
        back_edge: u32,
    },
    /// The whole function (a code object called natively).
    Function,
}

/// One compilation decision's key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct TierKey {
    /// The program's identity ([`crate::Bytecode::id`]).
    pub program: u64,
    /// The code object.
    pub code: u32,
    /// The loop or the function.
    pub unit: Unit,
    /// The profiling mode the native code was built for: loops record the level (0..=3),
    /// functions their counting mode (none, counts, counts and branches).
    pub mode: u8,
}

impl TierKey {
    /// The key of the loop whose back edge is at `back_edge` in code object `code`.
    pub fn of_loop(program: u64, code: u32, back_edge: u32, mode: u8) -> TierKey {
        TierKey {
            program,
            code,
            unit: Unit::Loop { back_edge },
            mode,
        }
    }

    /// The key of code object `code` compiled as a whole function.
    pub fn of_function(program: u64, code: u32, mode: u8) -> TierKey {
        TierKey {
            program,
            code,
            unit: Unit::Function,
            mode,
        }
    }

    /// Whether this decision was made for `program` in `mode`.
    pub fn applies_to(&self, program: u64, mode: u8) -> bool {
        self.program == program && self.mode == mode
    }
}
