//! The core VM driven through `BytecodeBuilder`: the guide's examples, every opcode, builder
//! and verifier errors, runtime errors and deep recursion.

use zexus::bytecode::{Bytecode, CodeObject, Instr, Op, ALL_OPS};
use zexus::{BuildError, BytecodeBuilder, Value, VM};

fn run(b: BytecodeBuilder) -> Result<Value, zexus::RuntimeError> {
    VM::builder()
        .capture_output(true)
        .build()
        .execute(&b.build().expect("builds"))
}

fn run_ok(b: BytecodeBuilder) -> Value {
    run(b).expect("runs")
}

fn run_err(b: BytecodeBuilder) -> String {
    run(b).expect_err("fails").message
}

/// The guide's "Real-World Profiling Session" program: iterative Fibonacci of n.
pub fn guide_fibonacci(n: i64) -> BytecodeBuilder {
    let mut b = BytecodeBuilder::new();
    b.emit_load_const(n);
    b.emit_store_name("n");
    b.emit_load_const(0);
    b.emit_store_name("a");
    b.emit_load_const(1);
    b.emit_store_name("b");
    b.emit_load_const(0);
    b.emit_store_name("i");
    b.emit_label("loop");
    b.emit_load_name("i");
    b.emit_load_name("n");
    b.emit_lt();
    b.emit_jump_if_false("end");
    b.emit_load_name("a");
    b.emit_load_name("b");
    b.emit_add();
    b.emit_store_name("temp");
    b.emit_load_name("b");
    b.emit_store_name("a");
    b.emit_load_name("temp");
    b.emit_store_name("b");
    b.emit_load_name("i");
    b.emit_load_const(1);
    b.emit_add();
    b.emit_store_name("i");
    b.emit_jump("loop");
    b.emit_label("end");
    b.emit_load_name("a");
    b.emit_return();
    b
}

fn sum_loop(n: i64) -> BytecodeBuilder {
    let mut b = BytecodeBuilder::new();
    b.emit_load_const(0).emit_store_name("sum");
    b.emit_load_const(0).emit_store_name("i");
    b.emit_label("loop");
    b.emit_load_name("i")
        .emit_load_const(n)
        .emit_lt()
        .emit_jump_if_false("end");
    b.emit_load_name("sum")
        .emit_load_name("i")
        .emit_add()
        .emit_store_name("sum");
    b.emit_load_name("i")
        .emit_load_const(1)
        .emit_add()
        .emit_store_name("i");
    b.emit_jump("loop");
    b.emit_label("end");
    b.emit_load_name("sum").emit_return();
    b
}

#[test]
fn guide_quick_start_adds() {
    let mut b = BytecodeBuilder::new();
    b.emit_load_const(10);
    b.emit_load_const(20);
    b.emit_add();
    b.emit_return();
    assert_eq!(run_ok(b), Value::int(30));
}

#[test]
fn guide_fibonacci_of_20_is_6765() {
    assert_eq!(run_ok(guide_fibonacci(20)), Value::int(6765));
}

#[test]
fn sum_loop_0_to_99_is_4950() {
    assert_eq!(run_ok(sum_loop(100)), Value::int(4950));
}

#[test]
fn superinstructions_do_not_change_results() {
    for fuse in [true, false] {
        let bc = sum_loop(1000).build().unwrap();
        let mut vm = VM::builder().superinstructions(fuse).build();
        assert_eq!(vm.execute(&bc).unwrap(), Value::int(499500));
    }
}

#[test]
fn guide_snippets_accept_every_constant_kind() {
    let mut b = BytecodeBuilder::new();
    b.emit_load_const(2.5);
    b.emit_load_const("s");
    b.emit_add();
    b.emit_load_const(true);
    b.emit_add();
    b.emit_return();
    assert_eq!(run_ok(b), Value::str("2.5strue"));
}

fn binary(
    x: impl Into<Value>,
    y: impl Into<Value>,
    emit: impl Fn(&mut BytecodeBuilder),
) -> Result<Value, String> {
    let mut b = BytecodeBuilder::new();
    b.emit_load_const(x).emit_load_const(y);
    emit(&mut b);
    b.emit_return();
    run(b).map_err(|e| e.message)
}

#[test]
fn arithmetic_opcodes() {
    assert_eq!(
        binary(7, 3, |b| {
            b.emit_sub();
        }),
        Ok(Value::int(4))
    );
    assert_eq!(
        binary(7, 3, |b| {
            b.emit_mul();
        }),
        Ok(Value::int(21))
    );
    assert_eq!(
        binary(6, 3, |b| {
            b.emit_div();
        }),
        Ok(Value::int(2))
    );
    assert_eq!(
        binary(7, 2, |b| {
            b.emit_div();
        }),
        Ok(Value::float(3.5))
    );
    assert_eq!(
        binary(-7, 3, |b| {
            b.emit_mod();
        }),
        Ok(Value::int(2))
    );
    assert_eq!(
        binary(7, -3, |b| {
            b.emit_mod();
        }),
        Ok(Value::int(-2))
    );
    assert_eq!(
        binary(2, 10, |b| {
            b.emit_pow();
        }),
        Ok(Value::int(1024))
    );
    assert_eq!(
        binary(2, -1, |b| {
            b.emit_pow();
        }),
        Ok(Value::float(0.5))
    );
    assert_eq!(
        binary(1.5, 2, |b| {
            b.emit_mul();
        }),
        Ok(Value::float(3.0))
    );
    assert_eq!(
        binary("n=", 5, |b| {
            b.emit_add();
        }),
        Ok(Value::str("n=5"))
    );
}

#[test]
fn comparison_and_logic_opcodes() {
    assert_eq!(
        binary(1, 2, |b| {
            b.emit_lt();
        }),
        Ok(Value::TRUE)
    );
    assert_eq!(
        binary(1, 2, |b| {
            b.emit_gt();
        }),
        Ok(Value::FALSE)
    );
    assert_eq!(
        binary(2, 2, |b| {
            b.emit_lte();
        }),
        Ok(Value::TRUE)
    );
    assert_eq!(
        binary(1, 2, |b| {
            b.emit_gte();
        }),
        Ok(Value::FALSE)
    );
    assert_eq!(
        binary(1, 1.0, |b| {
            b.emit_eq();
        }),
        Ok(Value::TRUE)
    );
    assert_eq!(
        binary(1, "1", |b| {
            b.emit_neq();
        }),
        Ok(Value::TRUE)
    );
    assert_eq!(
        binary("a", "b", |b| {
            b.emit_lt();
        }),
        Ok(Value::TRUE)
    );
    assert_eq!(
        binary(1, 0, |b| {
            b.emit_and();
        }),
        Ok(Value::FALSE)
    );
    assert_eq!(
        binary(0, "x", |b| {
            b.emit_or();
        }),
        Ok(Value::TRUE)
    );
    assert_eq!(
        binary(0, 0, |b| {
            b.emit_not();
        }),
        Ok(Value::TRUE)
    );
    assert_eq!(
        binary(0, 5, |b| {
            b.emit_neg();
        }),
        Ok(Value::int(-5))
    );
}

#[test]
fn stack_and_jump_opcodes() {
    let mut b = BytecodeBuilder::new();
    b.emit_nop();
    b.emit_load_const(3).emit_dup().emit_add(); // 6
    b.emit_load_const(99).emit_pop(); // 6
    b.emit_load_const(false).emit_jump_if_true("skip");
    b.emit_load_const(1).emit_add(); // 7
    b.emit_label("skip");
    b.emit_load_const(0).emit_jump_if_false_or_pop("keep0"); // 7 0 (0 is falsy: kept)
    b.emit_load_const(100);
    b.emit_label("keep0");
    b.emit_add(); // 7
    b.emit_load_const("y").emit_jump_if_true_or_pop("done");
    b.emit_load_const("unreached");
    b.emit_label("done");
    b.emit_pop();
    b.emit_return();
    assert_eq!(run_ok(b), Value::int(7));
}

#[test]
fn variables_globals_and_calls() {
    let mut b = BytecodeBuilder::new();
    b.emit_load_const(100).emit_store_name("g");
    b.function("add", &["x", "y"], |f| {
        f.emit_load_name("x").emit_load_name("y").emit_add();
        f.emit_load_global("g").emit_add();
        f.emit_load_const(1).emit_store_global("g");
        f.emit_return();
    });
    b.emit_load_const(2)
        .emit_load_const(3)
        .emit_call_name("add", 2); // 105
    b.emit_load_global("add")
        .emit_load_const(1)
        .emit_load_const(1)
        .emit_call_value(2); // 1+1+1 = 3
    b.emit_add();
    b.emit_return();
    assert_eq!(run_ok(b), Value::int(108));
}

#[test]
fn containers_builtins_methods_iteration_and_print() {
    let mut b = BytecodeBuilder::new();
    b.emit_load_const(1)
        .emit_load_const(2)
        .emit_build_list(2)
        .emit_store_name("xs");
    b.emit_load_name("xs")
        .emit_load_const(3)
        .emit_call_method("push", 1)
        .emit_pop();
    b.emit_load_name("xs")
        .emit_load_const(0)
        .emit_load_const(10)
        .emit_store_index(); // [10, 2, 3]
    b.emit_load_const("k")
        .emit_load_const(5)
        .emit_build_map(1)
        .emit_store_name("m");
    b.emit_load_const(0).emit_store_name("t");
    b.emit_load_name("xs").emit_get_iter();
    b.emit_label("top");
    b.emit_for_iter("out", 1);
    b.emit_load_name("t").emit_add().emit_store_name("t");
    b.emit_jump("top");
    b.emit_label("out");
    b.emit_load_name("t")
        .emit_load_name("m")
        .emit_load_const("k")
        .emit_index()
        .emit_print(2);
    b.emit_load_name("xs").emit_call_builtin("len", 1);
    b.emit_return();
    let bc = b.build().unwrap();
    let mut vm = VM::builder().capture_output(true).build();
    assert_eq!(vm.execute(&bc).unwrap(), Value::int(3));
    assert_eq!(vm.take_output(), "15 5\n");
}

#[test]
fn every_opcode_has_a_name_a_meaning_and_round_trips() {
    for (i, op) in ALL_OPS.iter().enumerate() {
        assert_eq!(Op::from_u8(i as u8), Some(*op));
        assert_eq!(Op::from_name(op.name()), Some(*op));
        assert!(!op.doc().is_empty());
    }
}

#[test]
fn builder_rejects_undefined_and_duplicate_labels() {
    let mut b = BytecodeBuilder::new();
    b.emit_jump("nowhere");
    b.emit_load_const(0).emit_return();
    let e = b.build().unwrap_err();
    assert!(e.message.contains("undefined label 'nowhere'"), "{e}");
    assert_eq!(e.ip, Some(0));

    let mut b = BytecodeBuilder::new();
    b.emit_label("x");
    b.emit_label("x");
    b.emit_load_const(0).emit_return();
    assert!(b
        .build()
        .unwrap_err()
        .message
        .contains("label 'x' defined twice"));
}

/// A hand-made one-function program, verified by `Bytecode::new`.
fn raw(instrs: &[Instr], consts: Vec<Value>) -> Result<Bytecode, BuildError> {
    let mut c = CodeObject::new("<main>", 0);
    c.instrs = instrs.to_vec();
    c.lines = vec![1; instrs.len()];
    c.consts = consts;
    Bytecode::new(vec![c], "<test>")
}

/// The verifier's complaint about a program `Bytecode::new` refused.
fn rejected(bc: &Result<Bytecode, BuildError>) -> String {
    bc.as_ref().expect_err("rejected").to_string()
}

#[test]
fn verifier_rejects_underflow_bad_targets_unbalanced_joins_and_falling_off() {
    let m = rejected(&raw(
        &[Instr::new(Op::ADD, 0, 0), Instr::new(Op::RETURN, 0, 0)],
        vec![],
    ));
    assert!(m.contains("underflow") && m.contains("ip 0"), "{m}");

    let m = rejected(&raw(&[Instr::new(Op::JUMP, 7, 0)], vec![]));
    assert!(m.contains("jump target"), "{m}");

    let k = Instr::new(Op::LOAD_CONST, 0, 0);
    let unbalanced = [
        k,                                   // 0: c
        Instr::new(Op::JUMP_IF_FALSE, 3, 0), // 1
        k,                                   // 2: pushes one more on one path
        k,                                   // 3: join with depths 0 and 1
        Instr::new(Op::RETURN, 0, 0),
    ];
    let m = rejected(&raw(&unbalanced, vec![Value::int(1)]));
    assert!(m.contains("differs at a join"), "{m}");

    let m = rejected(&raw(&[k], vec![Value::int(1)]));
    assert!(m.contains("falls off the end"), "{m}");

    let m = rejected(&raw(
        &[
            Instr::new(Op::LOAD_CONST, 5, 0),
            Instr::new(Op::RETURN, 0, 0),
        ],
        vec![],
    ));
    assert!(m.contains("out of range"), "{m}");

    let m = rejected(&raw(
        &[
            Instr::new(Op::LOAD_NAME, 0, 0),
            Instr::new(Op::RETURN, 0, 0),
        ],
        vec![],
    ));
    assert!(m.contains("out of range"), "{m}");
}

/// What verification learned travels with the program: the depth on entry to each
/// instruction (unreachable ones marked), the deepest point as `max_stack`, shared by clones.
#[test]
fn a_verified_program_carries_its_stack_depths() {
    let k = Instr::new(Op::LOAD_CONST, 0, 0);
    let bc = raw(
        &[
            k,                            // 0: depth 0
            k,                            // 1: depth 1
            Instr::new(Op::ADD, 0, 0),    // 2: depth 2
            Instr::new(Op::RETURN, 0, 0), // 3: depth 1
            k,                            // 4: no path reaches it
            Instr::new(Op::RETURN, 0, 0), // 5
        ],
        vec![Value::int(1)],
    )
    .expect("valid");
    assert_eq!(bc.stack_depths(0), &[0, 1, 2, 1, u32::MAX, u32::MAX]);
    assert_eq!(bc.main().max_stack, 2);
    let copy = bc.clone();
    assert_eq!(copy.stack_depths(0), bc.stack_depths(0));
}

#[test]
fn builder_runs_the_verifier() {
    let mut b = BytecodeBuilder::new();
    b.emit_add().emit_return();
    assert!(b.build().unwrap_err().message.contains("underflow"));
}

#[test]
fn runtime_errors_name_the_operand_and_carry_a_trace() {
    let mut b = BytecodeBuilder::new();
    b.set_line(3);
    b.emit_load_const(1).emit_store_name("x");
    b.emit_load_const(Value::NULL).emit_store_name("y");
    b.set_line(4);
    b.emit_load_name("x")
        .emit_load_name("y")
        .emit_add()
        .emit_return();
    let e = run(b).unwrap_err();
    assert_eq!(e.message, "attempt to add int and null (variable 'y')");
    assert_eq!(e.line, 4);
    assert_eq!(
        e.to_string(),
        "attempt to add int and null (variable 'y')\n[line 4] in <main>"
    );
}

#[test]
fn each_runtime_error() {
    assert_eq!(
        binary(1, 0, |b| {
            b.emit_div();
        }),
        Err("division by zero".into())
    );
    assert_eq!(
        binary(1, 0, |b| {
            b.emit_mod();
        }),
        Err("modulo by zero".into())
    );
    assert_eq!(
        binary(i64::MAX, 1, |b| {
            b.emit_add();
        }),
        Err("integer overflow".into())
    );
    assert_eq!(
        binary(i64::MIN, 1, |b| {
            b.emit_sub();
        }),
        Err("integer overflow".into())
    );
    assert_eq!(
        binary(i64::MAX, 2, |b| {
            b.emit_mul();
        }),
        Err("integer overflow".into())
    );
    assert_eq!(
        binary(3, 64, |b| {
            b.emit_pow();
        }),
        Err("integer overflow".into())
    );
    assert_eq!(
        binary(0, i64::MIN, |b| {
            b.emit_neg();
        }),
        Err("integer overflow".into())
    );
    assert_eq!(
        binary("a", 1, |b| {
            b.emit_lt();
        }),
        Err("attempt to compare string and int".into())
    );
    assert_eq!(
        binary(1, "a", |b| {
            b.emit_sub();
        }),
        Err("attempt to subtract int and string".into())
    );

    let mut b = BytecodeBuilder::new();
    b.emit_load_name("ghost").emit_return();
    assert_eq!(run_err(b), "undefined variable 'ghost'");

    let mut b = BytecodeBuilder::new();
    b.emit_load_const(5).emit_store_name("f");
    b.emit_call_name("f", 0).emit_return();
    assert!(run_err(b).contains("'f' is not a function"));

    let mut b = BytecodeBuilder::new();
    b.function("f", &["a", "b"], |f| {
        f.emit_load_name("a").emit_return();
    });
    b.emit_load_const(1).emit_call_name("f", 1).emit_return();
    assert_eq!(run_err(b), "f expects 2 arguments, got 1");

    let mut b = BytecodeBuilder::new();
    b.emit_load_const(1)
        .emit_load_const(2)
        .emit_load_const(3)
        .emit_build_list(3);
    b.emit_load_const(3).emit_index().emit_return();
    assert_eq!(run_err(b), "index 3 out of range for list of length 3");
}

#[test]
fn deep_recursion_is_an_error_not_a_crash() {
    let mut b = BytecodeBuilder::new();
    b.set_line(2);
    b.function("down", &["n"], |f| {
        f.emit_load_name("n")
            .emit_load_const(1)
            .emit_add()
            .emit_call_name("down", 1)
            .emit_return();
    });
    b.set_line(5);
    b.emit_load_const(0).emit_call_name("down", 1).emit_return();
    let e = run(b).unwrap_err();
    assert_eq!(e.message, "maximum call depth exceeded");
    assert_eq!(e.trace.len(), zexus::vm::DEFAULT_MAX_CALL_DEPTH + 1);
    assert_eq!(e.trace.last().unwrap().function, "<main>");
    assert_eq!(e.trace[0].function, "down");
}

#[test]
fn recursion_works_to_a_useful_depth() {
    // sum(n) = n + sum(n - 1), 5000 deep.
    let mut b = BytecodeBuilder::new();
    b.function("sum", &["n"], |f| {
        f.emit_load_name("n")
            .emit_load_const(0)
            .emit_eq()
            .emit_jump_if_false("rec");
        f.emit_load_const(0).emit_return();
        f.emit_label("rec");
        f.emit_load_name("n")
            .emit_load_name("n")
            .emit_load_const(1)
            .emit_sub();
        f.emit_call_name("sum", 1).emit_add().emit_return();
    });
    b.emit_load_const(5000)
        .emit_call_name("sum", 1)
        .emit_return();
    assert_eq!(run_ok(b), Value::int(5000 * 5001 / 2));
}

#[test]
fn disassembly_lists_instructions_and_constants() {
    let bc = guide_fibonacci(20).build().unwrap();
    let text = bc.disassemble();
    assert!(text.contains("   0 LOAD_CONST           0 (20)"), "{text}");
    assert!(text.contains("JUMP_IF_FALSE        -> 25"), "{text}");
    assert!(text.contains("Constants:"));
}
