//! Building runtime errors: the message, the operand's variable name, the line and the trace.
//! Everything here runs only when an error is raised.

use zexus_runtime::{OpError, Side, Value};

use super::error::{ErrorKind, RuntimeError, TraceEntry};
use super::frame::Frame;
use crate::bytecode::opcodes::Op;
use crate::bytecode::Bytecode;

/// The variable that instruction `ip` loads, if it is a plain variable load.
fn loaded_name(bc: &Bytecode, code: usize, ip: usize) -> Option<String> {
    let c = &bc.code()[code];
    let ins = c.instrs.get(ip)?;
    match ins.op {
        Op::LOAD_NAME | Op::LOAD_CELL => c.slot_names.get(ins.a as usize).cloned(),
        Op::LOAD_GLOBAL => bc.globals().get(ins.a as usize).cloned(),
        _ => None,
    }
}

fn pushes_one(bc: &Bytecode, code: usize, ip: usize) -> bool {
    let ins = bc.code()[code].instrs[ip];
    ins.op.stack_effect(ins.a, ins.b) == (0, 1)
}

/// Whether some jump lands on `ip`: then the value on the stack there may come from another
/// path than the instruction just before (as after `a && b` or `c ? x : y`).
fn is_jump_target(bc: &Bytecode, code: usize, ip: usize) -> bool {
    bc.code()[code]
        .instrs
        .iter()
        .any(|i| i.jump_target() == Some(ip))
}

/// The variable each operand of the binary operator at `pc` was loaded from, when the two
/// instructions before it are plain loads that no jump bypasses.
fn operand_names(bc: &Bytecode, code: usize, pc: usize) -> (Option<String>, Option<String>) {
    if pc == 0 || !pushes_one(bc, code, pc - 1) || is_jump_target(bc, code, pc) {
        return (None, None);
    }
    let right = loaded_name(bc, code, pc - 1);
    let left = if pc >= 2 && pushes_one(bc, code, pc - 2) && !is_jump_target(bc, code, pc - 1) {
        loaded_name(bc, code, pc - 2)
    } else {
        None
    };
    (left, right)
}

/// The message for an operator error at `pc`, naming the variable at fault where known.
pub(crate) fn describe_op_error(bc: &Bytecode, code: usize, pc: usize, e: OpError) -> String {
    let msg = e.to_string();
    let side = match &e {
        OpError::Types { side, .. } => *side,
        OpError::Unary { .. } => Side::Right,
        _ => return msg,
    };
    let ins = bc.code()[code].instrs[pc];
    // A builtin's or method's operands are its arguments, not the two loads before it.
    if matches!(ins.op, Op::CALL_BUILTIN | Op::CALL_METHOD) {
        return msg;
    }
    let (left, right) = if matches!(e, OpError::Unary { .. }) || ins.op == Op::NEG {
        (
            None,
            if pc > 0 && !is_jump_target(bc, code, pc) {
                loaded_name(bc, code, pc - 1)
            } else {
                None
            },
        )
    } else {
        operand_names(bc, code, pc)
    };
    let name = match side {
        Side::Left => left,
        Side::Right => right,
        Side::Both => left.or(right),
    };
    match name {
        Some(n) => format!("{msg} (variable '{n}')"),
        None => msg,
    }
}

/// `undefined variable 'x'`.
pub(crate) fn undefined(bc: &Bytecode, code: u32, slot: u32, global: bool) -> String {
    let names = if global {
        bc.globals()
    } else {
        &bc.code()[code as usize].slot_names
    };
    let name = names.get(slot as usize).map(String::as_str).unwrap_or("?");
    format!("undefined variable '{name}'")
}

/// The error for calling something that is not a function.
pub(crate) fn not_callable(bc: &Bytecode, code: u32, pc: usize, v: &Value) -> String {
    let ins = bc.code()[code as usize].instrs[pc];
    if ins.op == Op::CALL_NAME {
        let name = bc
            .globals()
            .get(ins.a as usize)
            .map(String::as_str)
            .unwrap_or("?");
        if v.kind() == zexus_runtime::Kind::Undef {
            return format!("undefined variable '{name}'");
        }
        return format!(
            "'{name}' is not a function (it is {})",
            zexus_runtime::ops::a_type(v)
        );
    }
    format!("{} value is not a function", zexus_runtime::ops::a_type(v))
}

/// A runtime error raised at (code, pc) under the given suspended callers.
pub(crate) fn runtime_error(
    bc: &Bytecode,
    message: String,
    code: u32,
    pc: usize,
    frames: &[Frame],
) -> RuntimeError {
    let line = bc.code()[code as usize].line(pc);
    let mut trace = vec![TraceEntry {
        function: bc.code()[code as usize].name.clone(),
        line,
    }];
    for f in frames.iter().rev() {
        let c = &bc.code()[f.code as usize];
        trace.push(TraceEntry {
            function: c.name.clone(),
            line: c.line(f.ret_pc.saturating_sub(1) as usize),
        });
    }
    RuntimeError {
        message,
        line,
        column: bc.code()[code as usize].col(pc),
        file: bc.code()[code as usize].file.clone(),
        trace,
        kind: ErrorKind::Runtime,
    }
}
