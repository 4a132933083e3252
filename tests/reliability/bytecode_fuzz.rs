//! Hand-made bytecode, valid or not, never panics or crashes the VM: the verifier rejects what
//! it must and everything it accepts runs to a value or a runtime error. Jumps only go forward
//! here so every accepted program terminates (calls still recurse, up to the call-depth limit).

use zexus::bytecode::{Bytecode, CodeObject, Handler, Instr, Op, OperandKind, ALL_OPS, BUILTINS};
use zexus::{Level, Value, VM};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

fn random_code(rng: &mut Rng, name: &str, arity: u32, n_code: u32) -> CodeObject {
    let len = 1 + rng.below(24) as usize;
    let mut c = CodeObject::new(name, arity);
    let consts = [
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
    c.consts = consts.to_vec();
    c.slot_names = (0..arity + rng.below(3) as u32)
        .map(|i| format!("v{i}"))
        .collect();
    // A simulated stack depth steers most programs past the verifier's underflow check, so
    // that the run loop, not just the verifier, sees odd programs.
    let mut depth = 0u32;
    for ip in 0..len {
        let mut op = ALL_OPS[rng.below(ALL_OPS.len() as u64) as usize];
        let a = match op {
            // Every jump (whatever its opcode) goes forward.
            _ if matches!(
                op.operand_kind(),
                OperandKind::Target | OperandKind::ForIter
            ) =>
            {
                (ip + 1 + rng.below(4) as usize) as u32
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
    // An exception-table entry now and then; its handler lies after its range (so caught
    // errors still only move forward), or anywhere (the verifier must reject or accept it
    // soundly; a backward handler that loops is cut short by the run's budget below).
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

#[test]
fn random_bytecode_is_rejected_or_runs_without_panicking() {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let (mut accepted, mut rejected) = (0, 0);
    for i in 0..20_000 {
        let n_code = 1 + rng.below(3) as u32;
        let mut code = vec![random_code(&mut rng, "<main>", 0, n_code)];
        for f in 1..n_code {
            let arity = rng.below(3) as u32;
            code.push(random_code(&mut rng, &format!("f{f}"), arity, n_code));
        }
        let Ok(bc) = Bytecode::new(code, "<fuzz>") else {
            rejected += 1;
            continue;
        };
        let level = [Level::None, Level::Basic, Level::Full][i % 3];
        let mut vm = VM::builder()
            .profiling(level)
            .capture_output(true)
            .max_call_depth(200)
            .build();
        // Verified bytecode runs to a value or a runtime error, never a panic.
        let _ = vm.execute(&bc);
        accepted += 1;
        // The report of whatever ran must render.
        let _ = vm.profiling_report(zexus::Format::Text, 5);
    }
    assert!(
        accepted > 100 && rejected > 100,
        "accepted {accepted}, rejected {rejected}"
    );
}
