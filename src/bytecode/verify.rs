//! The verifier: every program the VM runs passes through it, whether it came from the compiler,
//! the builder or a user's hand. It proves what the run loop relies on without re-checking:
//! operands in range, jump targets inside the code, a stack depth that is the same on every
//! path into an instruction and never negative, and no path that runs off the end, also through
//! the exception table's handlers. It also computes each code object's maximum stack depth, so
//! the VM can size frames once.

use std::fmt;

use super::code::CodeObject;
use super::opcodes::{Instr, Op, OperandKind, BUILTINS};

/// Why a program was rejected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyError {
    /// The code object.
    pub code: String,
    /// The instruction at fault.
    pub ip: u32,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for VerifyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid bytecode in {} at ip {}: {}",
            self.code, self.ip, self.message
        )
    }
}

impl std::error::Error for VerifyError {}

/// Deepest stack a single code object may use; deeper programs are rejected.
pub const MAX_STACK: u32 = 1 << 16;
/// Most slots a code object may have.
pub const MAX_SLOTS: u32 = 1 << 20;

/// Verifies every code object (`code[0]` the top level), records each one's `max_stack`, and
/// gives each one's operand-stack depth on entry to every instruction (`u32::MAX` where no
/// path reaches it). Only [`Bytecode::new`](crate::Bytecode::new) calls it: a `Bytecode` is verified once, when it
/// is made, and keeps what verification learned ([`Bytecode::stack_depths`](crate::Bytecode::stack_depths)).
pub(crate) fn verify(code: &mut [CodeObject]) -> Result<Vec<Box<[u32]>>, VerifyError> {
    let Some(main) = code.first() else {
        return Err(VerifyError {
            code: "<main>".into(),
            ip: 0,
            message: "no code objects".into(),
        });
    };
    if main.arity != 0 {
        return Err(err(main, 0, "the program cannot take parameters"));
    }
    let n_globals = main.n_slots();
    let n_code = code.len() as u32;
    let mut depths = Vec::with_capacity(code.len());
    for c in code.iter_mut() {
        let (max, d) = verify_code(c, n_globals, n_code)?;
        c.max_stack = max;
        depths.push(d.into_boxed_slice());
    }
    Ok(depths)
}

fn err(code: &CodeObject, ip: u32, message: impl Into<String>) -> VerifyError {
    VerifyError {
        code: code.name.clone(),
        ip,
        message: message.into(),
    }
}

fn check_operands(
    code: &CodeObject,
    ip: u32,
    ins: Instr,
    n_globals: u32,
    n_code: u32,
) -> Result<(), VerifyError> {
    let len = code.instrs.len() as u32;
    let a = ins.a;
    let bad = |what: &str| {
        Err(err(
            code,
            ip,
            format!("{} operand {a} out of range ({what})", ins.op.name()),
        ))
    };
    match ins.op.operand_kind() {
        OperandKind::Const | OperandKind::CallMethod | OperandKind::Event
            if a as usize >= code.consts.len() =>
        {
            return bad("constants");
        }
        OperandKind::Local if a >= code.n_slots() => return bad("slots"),
        OperandKind::Global | OperandKind::CallName if a >= n_globals => return bad("globals"),
        OperandKind::Target | OperandKind::ForIter if a >= len => return bad("jump target"),
        OperandKind::CallBuiltin if a as usize >= BUILTINS.len() => return bad("builtins"),
        OperandKind::Closure if a >= n_code || a == 0 => return bad("functions"),
        _ => {}
    }
    match ins.op {
        Op::LOAD_CONST if code.consts[a as usize].as_class().is_some() => {
            return Err(err(
                code,
                ip,
                "a declared type is not a value (only NEW_OBJECT uses it)",
            ));
        }
        Op::LOAD_CONST => {
            if let Some(f) = code.consts[a as usize].as_func() {
                if f >= n_code || f == 0 {
                    return Err(err(
                        code,
                        ip,
                        format!("function constant #{f} does not exist"),
                    ));
                }
            }
        }
        Op::GET_ATTR | Op::SET_ATTR if code.consts[a as usize].as_str().is_none() => {
            return Err(err(
                code,
                ip,
                format!("{} needs a string constant naming the field", ins.op.name()),
            ));
        }
        Op::NEW_OBJECT => match code.consts[a as usize].as_class() {
            None => return Err(err(code, ip, "NEW_OBJECT needs a declared type constant")),
            Some(c) => {
                if let Some((m, f)) = c.methods().find(|(_, f)| *f >= n_code || *f == 0) {
                    return Err(err(
                        code,
                        ip,
                        format!(
                            "method '{m}' of {} is function #{f}, which does not exist",
                            c.name
                        ),
                    ));
                }
            }
        },
        Op::CALL_METHOD | Op::EMIT_EVENT if code.consts[a as usize].as_str().is_none() => {
            return Err(err(
                code,
                ip,
                format!("{} needs a string constant naming it", ins.op.name()),
            ));
        }
        Op::FOR_ITER if !(1..=2).contains(&ins.b) => {
            return Err(err(code, ip, "FOR_ITER takes 1 or 2 loop variables"));
        }
        _ => {}
    }
    Ok(())
}

/// Exception-table entries lie in the code: a non-empty range, a target, a sane depth.
fn check_handlers(code: &CodeObject) -> Result<(), VerifyError> {
    let len = code.instrs.len() as u32;
    for h in &code.handlers {
        if h.start >= h.end || h.end > len {
            return Err(err(
                code,
                h.start,
                format!(
                    "exception table range {}..{} is empty or outside the code",
                    h.start, h.end
                ),
            ));
        }
        if h.target >= len {
            return Err(err(
                code,
                h.start,
                format!("exception handler target {} is outside the code", h.target),
            ));
        }
        if h.depth >= MAX_STACK {
            return Err(err(code, h.start, "exception handler depth too large"));
        }
    }
    Ok(())
}

fn verify_code(
    code: &CodeObject,
    n_globals: u32,
    n_code: u32,
) -> Result<(u32, Vec<u32>), VerifyError> {
    let len = code.instrs.len();
    if code.lines.len() != len {
        return Err(err(
            code,
            0,
            "line table length differs from the instruction count",
        ));
    }
    if len == 0 {
        return Err(err(code, 0, "empty code: control falls off the end"));
    }
    if code.n_slots() > MAX_SLOTS || code.arity > code.n_slots() {
        return Err(err(code, 0, "bad slot count"));
    }
    for (ip, ins) in code.instrs.iter().enumerate() {
        check_operands(code, ip as u32, *ins, n_globals, n_code)?;
    }
    check_handlers(code)?;
    // Depth on entry to each instruction; u32::MAX = not reached yet.
    let mut depth = vec![u32::MAX; len];
    let mut work = vec![0usize];
    depth[0] = 0;
    let mut max = 0u32;
    while let Some(ip) = work.pop() {
        let ins = code.instrs[ip];
        let d = depth[ip];
        let (pop, push) = ins.op.stack_effect(ins.a, ins.b);
        let needed = if ins.op == Op::FOR_ITER { 1 } else { pop };
        if d < needed {
            return Err(err(
                code,
                ip as u32,
                format!(
                    "stack underflow: {} needs {needed} values, has {d}",
                    ins.op.name()
                ),
            ));
        }
        let after = d - pop + push;
        max = max.max(after).max(d);
        if max > MAX_STACK {
            return Err(err(code, ip as u32, "stack too deep"));
        }
        let mut edge = |to: usize, at: u32| -> Result<(), VerifyError> {
            if to >= len {
                return Err(err(
                    code,
                    ip as u32,
                    "control falls off the end of the code",
                ));
            }
            if depth[to] == u32::MAX {
                depth[to] = at;
                work.push(to);
            } else if depth[to] != at {
                return Err(err(
                    code,
                    to as u32,
                    format!("stack depth differs at a join: {} on one path, {at} on another (from ip {ip})", depth[to]),
                ));
            }
            Ok(())
        };
        // An instruction covered by the exception table may raise: its handler is reached
        // with the handler's depth plus the raised value, and the instruction may not take
        // values from below that depth (the unwinder only ever drops values).
        for h in code.handlers.iter().filter(|h| h.covers(ip as u32)) {
            let lowest = d - needed.max(pop);
            if lowest < h.depth {
                return Err(err(
                    code,
                    ip as u32,
                    format!(
                        "{} takes the stack down to {lowest} values, below the depth {} of its handler at {}",
                        ins.op.name(),
                        h.depth,
                        h.target
                    ),
                ));
            }
            edge(h.target as usize, h.depth + 1)?;
        }
        let target = ins.a as usize;
        match ins.op {
            Op::RETURN | Op::THROW | Op::RERAISE => {}
            Op::JUMP => edge(target, after)?,
            Op::JUMP_IF_FALSE | Op::JUMP_IF_TRUE => {
                edge(target, after)?;
                edge(ip + 1, after)?;
            }
            Op::JUMP_IF_FALSE_OR_POP | Op::JUMP_IF_TRUE_OR_POP | Op::JUMP_IF_NOT_NULL_OR_POP => {
                edge(target, d)?;
                edge(ip + 1, after)?;
            }
            Op::FOR_ITER => {
                edge(target, d - 1)?;
                edge(ip + 1, after)?;
            }
            _ => edge(ip + 1, after)?,
        }
    }
    Ok((max, depth))
}
