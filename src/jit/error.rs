//! Why the JIT did not compile a loop or a function ([`JitError`]). The code stays
//! interpreted, and the VM records the error's text (its `Display`) as the refusal reason that
//! reports and `JitStats` show.

use std::fmt;

use crate::bytecode::{Builtin, Op};

/// Why a loop or a function was not compiled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JitError {
    /// Cranelift could not be set up for this machine (or with `ZEXUS_JIT_FLAGS`).
    Setup(String),
    /// The JIT already holds [`super::MAX_CODE_BYTES`] of machine code.
    CodeCacheFull,
    /// The back edge is not a `JUMP` to the header.
    NotALoop,
    /// The loop has more than [`super::translate::MAX_REGION`] instructions (how many).
    LoopTooLarge(usize),
    /// The loop's header is a `FOR_ITER`.
    ForIterHeader,
    /// The loop pops operands that were on the stack at its header (hand-made bytecode).
    PopsBelowHeader,
    /// The loop's first instruction is one native code exits at.
    StartsWithExit(Op),
    /// Every path through the loop's body meets an instruction native code exits at, the
    /// first of them `op` at `ip`: each iteration would leave native code.
    AlwaysExits {
        /// The opcode.
        op: Op,
        /// Its ip.
        ip: u32,
    },
    /// An opcode the loop translation does not know, at `ip`.
    OpNotCompiled {
        /// The opcode.
        op: Op,
        /// Its ip.
        ip: u32,
    },
    /// A builtin that calls user functions (left to the interpreter), at `ip`.
    BuiltinCallsBack {
        /// The builtin.
        builtin: Builtin,
        /// The ip of its `CALL_BUILTIN`.
        ip: u32,
    },
    /// A function that cannot run natively with int arguments ([`super::func`]): why, and
    /// at which instruction when one is at fault.
    Function {
        /// Why.
        why: FnRefusal,
        /// The instruction at fault: its ip and opcode.
        at: Option<(u32, Op)>,
    },
    /// Cranelift's module refused a step (declare, define or finalize).
    Module {
        /// The step.
        step: Step,
        /// Cranelift's error text.
        detail: String,
    },
}

/// A step of the module that can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Declaring the function.
    Declare,
    /// Compiling a loop (Cranelift rejected its IR).
    DefineLoop,
    /// Compiling a whole function (Cranelift rejected its IR).
    DefineFunction,
    /// Linking and making the code executable.
    Finalize,
}

/// Why a function cannot be compiled whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FnRefusal {
    /// More than [`super::func::MAX_ARGS`] parameters.
    TooManyArgs,
    /// No instructions.
    Empty,
    /// No `RETURN` is reachable.
    NeverReturns,
    /// Its recursive calls and its returns disagree on the type.
    RecursionDisagrees,
    /// An operand is popped that is not there.
    StackUnderflow,
    /// Arithmetic or an ordering on a bool.
    ComputesWithBool,
    /// A constant other than an int or a bool.
    NonIntConstant,
    /// A variable that may be unset or change type.
    UnsetVariable,
    /// `==`/`!=` between an int and a bool.
    ComparesIntWithBool,
    /// Returns ints on some paths and bools on others.
    ReturnsBoth,
    /// Calls a slot that holds no function.
    CallsNoFunction,
    /// Calls a function that is not compiled.
    CallsUncompiled,
    /// An opcode the function translation does not know.
    OpNotCompiled(Op),
    /// Execution can run past the last instruction.
    FallsOffEnd,
    /// Paths that join have different operand types.
    TypesDifferAtJoin,
    /// A callee the analysis saw is no longer in its slot.
    CalleeVanished,
    /// A callee the analysis saw was not declared in the function.
    CalleeNotDeclared,
}

impl fmt::Display for FnRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FnRefusal::TooManyArgs => {
                write!(f, "more than {} arguments", super::func::MAX_ARGS)
            }
            FnRefusal::Empty => f.write_str("empty"),
            FnRefusal::NeverReturns => f.write_str("never returns"),
            FnRefusal::RecursionDisagrees => {
                f.write_str("its recursive calls and its returns disagree on the type")
            }
            FnRefusal::StackUnderflow => f.write_str("stack underflow"),
            FnRefusal::ComputesWithBool => f.write_str("computes with a bool"),
            FnRefusal::NonIntConstant => f.write_str("a constant that is not an int or a bool"),
            FnRefusal::UnsetVariable => f.write_str("a variable that may be unset or change type"),
            FnRefusal::ComparesIntWithBool => f.write_str("compares an int with a bool"),
            FnRefusal::ReturnsBoth => f.write_str("returns both ints and bools"),
            FnRefusal::CallsNoFunction => f.write_str("calls a slot that holds no function"),
            FnRefusal::CallsUncompiled => f.write_str("calls a function that is not compiled"),
            FnRefusal::OpNotCompiled(op) => {
                write!(f, "{} is not compiled in functions", op.name())
            }
            FnRefusal::FallsOffEnd => f.write_str("falls off the end"),
            FnRefusal::TypesDifferAtJoin => f.write_str("operand types differ where paths join"),
            FnRefusal::CalleeVanished => f.write_str("callee vanished"),
            FnRefusal::CalleeNotDeclared => f.write_str("callee not declared"),
        }
    }
}

impl fmt::Display for JitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JitError::Setup(e) => f.write_str(e),
            JitError::CodeCacheFull => f.write_str("code cache full"),
            JitError::NotALoop => {
                f.write_str("not a loop (the back edge is not a JUMP to the header)")
            }
            JitError::LoopTooLarge(n) => write!(f, "loop too large ({n} instructions)"),
            JitError::ForIterHeader => f.write_str("FOR_ITER loops are not compiled"),
            JitError::PopsBelowHeader => {
                f.write_str("the loop pops values pushed before its header")
            }
            JitError::StartsWithExit(op) => write!(f, "the loop starts with {}", op.name()),
            JitError::AlwaysExits { op, ip } => write!(
                f,
                "every iteration would leave native code ({} at ip {ip} is not compiled)",
                op.name()
            ),
            JitError::OpNotCompiled { op, .. } => {
                write!(f, "opcode {} is not compiled", op.name())
            }
            JitError::BuiltinCallsBack { builtin, .. } => write!(
                f,
                "builtin {} calls functions (left to the interpreter)",
                builtin.name()
            ),
            JitError::Function { why, at: None } => write!(f, "{why}"),
            JitError::Function {
                why,
                at: Some((ip, op)),
            } => write!(f, "{why} (ip {ip}, {})", op.name()),
            JitError::Module { step, detail } => match step {
                Step::Declare => write!(f, "declare: {detail}"),
                Step::DefineLoop => write!(f, "Cranelift rejected the loop: {detail}"),
                Step::DefineFunction => write!(f, "Cranelift rejected the function: {detail}"),
                Step::Finalize => write!(f, "finalize: {detail}"),
            },
        }
    }
}

impl std::error::Error for JitError {}

impl From<FnRefusal> for JitError {
    fn from(why: FnRefusal) -> JitError {
        JitError::Function { why, at: None }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn texts_are_the_refusal_reasons_reports_show() {
        assert_eq!(JitError::CodeCacheFull.to_string(), "code cache full");
        assert_eq!(
            JitError::AlwaysExits {
                op: Op::GET_ITER,
                ip: 48
            }
            .to_string(),
            "every iteration would leave native code (GET_ITER at ip 48 is not compiled)"
        );
        assert_eq!(
            JitError::OpNotCompiled {
                op: Op::BUILD_LIST,
                ip: 3
            }
            .to_string(),
            "opcode BUILD_LIST is not compiled"
        );
        assert_eq!(
            JitError::BuiltinCallsBack {
                builtin: Builtin::Map,
                ip: 7
            }
            .to_string(),
            "builtin map calls functions (left to the interpreter)"
        );
        let e = JitError::Function {
            why: FnRefusal::ComputesWithBool,
            at: Some((4, Op::ADD)),
        };
        assert_eq!(e.to_string(), "computes with a bool (ip 4, ADD)");
        assert_eq!(
            JitError::from(FnRefusal::NeverReturns).to_string(),
            "never returns"
        );
    }
}
