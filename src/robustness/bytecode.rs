//! Random bytecode: code objects of random instructions (most steered past the verifier's
//! stack checks, jumps backward as well as forward, exception handlers now and then). The
//! verifier must reject or accept each program soundly, and every accepted program must run,
//! with limits, without panicking.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::Rng;
use crate::bytecode::{Bytecode, CodeObject, Handler, Instr, Op, OperandKind, ALL_OPS, BUILTINS};
use crate::Value;

fn random_code(rng: &mut Rng, name: &str, arity: u32, n_code: u32, backward: bool) -> CodeObject {
    let len = 1 + rng.below(24) as usize;
    let mut c = CodeObject::new(name, arity);
    c.consts = vec![
        Value::int(rng.below(7) as i64 - 3),
        Value::float(1.5),
        Value::str("s"),
        Value::NULL,
        Value::TRUE,
        Value::func(1 + rng.below(n_code.max(2) as u64 - 1) as u32),
        Value::list(vec![Value::int(1)]),
        Value::str("push"),
        Value::int(i64::MAX),
    ];
    c.slot_names = (0..arity + rng.below(3) as u32)
        .map(|i| format!("v{i}"))
        .collect();
    let mut depth = 0u32;
    for ip in 0..len {
        let mut op = ALL_OPS[rng.below(ALL_OPS.len() as u64) as usize];
        let a = match op {
            // Jumps go forward, or (one in eight, with `backward`) anywhere in the code: the
            // limits end loops.
            _ if matches!(
                op.operand_kind(),
                OperandKind::Target | OperandKind::ForIter
            ) =>
            {
                if backward && rng.below(8) == 0 {
                    rng.below(len as u64 + 1) as u32
                } else {
                    (ip + 1 + rng.below(4) as usize) as u32
                }
            }
            // Any builtin but `sleep` (which would sleep for the seconds in a constant).
            Op::CALL_BUILTIN => match rng.below(BUILTINS.len() as u64 + 1) as u32 {
                a if BUILTINS.get(a as usize) == Some(&"sleep") => 0,
                a => a,
            },
            _ => rng.below(10) as u32,
        };
        let b = rng.below(3) as u16;
        let (pop, push) = op.stack_effect(a, b);
        let needed = if op == Op::FOR_ITER { 1 } else { pop };
        if needed > depth && rng.below(8) != 0 {
            op = Op::LOAD_CONST;
            depth += 1;
        } else {
            depth = (depth + push).saturating_sub(pop);
        }
        let a = if op == Op::LOAD_CONST { a % 9 } else { a };
        c.instrs.push(Instr::new(op, a, b));
        c.lines.push(ip as u32 + 1);
    }
    if rng.below(2) == 0 {
        c.instrs.push(Instr::new(Op::LOAD_CONST, 0, 0));
        c.instrs.push(Instr::new(Op::RETURN, 0, 0));
        c.lines.extend([0, 0]);
    }
    if rng.below(3) == 0 {
        let n = c.instrs.len() as u32;
        let start = rng.below(n as u64 + 1) as u32;
        let end = start + rng.below(4) as u32;
        let target = end + rng.below(3) as u32;
        c.handlers.push(Handler {
            start,
            end,
            target,
            depth: rng.below(3) as u32,
        });
    }
    c
}

/// The code objects of case `seed` (the program first).
pub fn case(seed: u64) -> Vec<CodeObject> {
    case_with(seed, true)
}

/// The code objects of case `seed` with every jump forward: each accepted program ends
/// without limits (calls still recurse, up to the call-depth limit).
pub fn forward_case(seed: u64) -> Vec<CodeObject> {
    case_with(seed, false)
}

fn case_with(seed: u64, backward: bool) -> Vec<CodeObject> {
    let mut rng = Rng::new(seed);
    let n_code = 1 + rng.below(3) as u32;
    let mut code = vec![random_code(&mut rng, "<main>", 0, n_code, backward)];
    for f in 1..n_code {
        let arity = rng.below(3) as u32;
        code.push(random_code(
            &mut rng,
            &format!("f{f}"),
            arity,
            n_code,
            backward,
        ));
    }
    code
}

/// What became of a case that passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The verifier rejected the program.
    Rejected,
    /// The program was accepted and ran everywhere.
    Ran,
}

/// Checks case `seed`: verification never panics, and an accepted program runs everywhere
/// without panic or hang.
pub fn check(seed: u64) -> Result<Outcome, String> {
    let code = case(seed);
    let verified = catch_unwind(AssertUnwindSafe(|| Bytecode::new(code, "<fuzz>")));
    let bc = match verified {
        Err(_) => return Err(format!("the verifier panicked on case {seed}")),
        Ok(Err(_)) => return Ok(Outcome::Rejected),
        Ok(Ok(bc)) => bc,
    };
    super::run_everywhere(&bc)
        .map(|()| Outcome::Ran)
        .map_err(|e| format!("{e} on case {seed}:\n{}", bc.disassemble()))
}
