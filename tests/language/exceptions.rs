//! Exceptions through the public API: exception tables built by hand and checked by the
//! verifier, unwinding across frames, exact profile counts around a caught error, errors in
//! JIT-compiled loops, and the events `emit` records.

use zexus::bytecode::{Bytecode, CodeObject, Handler, Instr, Op};
use zexus::{compile, BytecodeBuilder, Level, Value, VM};

/// `main` catches what function `f` (index 1) throws: `try { return f() } catch (e) { return e }`.
fn catching_program(thrown: Value) -> Bytecode {
    let mut b = BytecodeBuilder::new();
    b.function("f", &[], |b| {
        b.emit_load_const(thrown);
        b.emit_throw();
    });
    b.emit_label("try");
    b.emit_call_name("f", 0);
    b.emit_label("end");
    b.emit_return();
    b.emit_label("catch");
    b.emit_return();
    b.add_handler("try", "end", "catch", 0);
    b.build().expect("valid")
}

#[test]
fn a_handler_built_by_hand_catches_a_throw_from_a_callee() {
    let bc = catching_program(Value::int(42));
    assert_eq!(VM::new().execute(&bc).unwrap(), Value::int(42));
    assert!(
        bc.disassemble().contains("Exception table:"),
        "{}",
        bc.disassemble()
    );
}

#[test]
fn a_runtime_error_reaches_the_handler_as_its_message() {
    let mut b = BytecodeBuilder::new();
    b.emit_label("try");
    b.emit_load_const(1);
    b.emit_load_const(0);
    b.emit_div();
    b.emit_label("end");
    b.emit_return();
    b.emit_label("catch");
    b.emit_return();
    b.add_handler("try", "end", "catch", 0);
    let bc = b.build().unwrap();
    assert_eq!(
        VM::new().execute(&bc).unwrap(),
        Value::str("division by zero")
    );
}

fn code_with(instrs: &[(Op, u32)], handlers: &[Handler]) -> Result<Bytecode, String> {
    let mut c = CodeObject::new("<main>", 0);
    c.consts = vec![Value::int(1)];
    for &(op, a) in instrs {
        c.instrs.push(Instr::new(op, a, 0));
        c.lines.push(1);
    }
    c.handlers = handlers.to_vec();
    Bytecode::new(vec![c], "<test>").map_err(|e| e.to_string())
}

#[test]
fn the_verifier_checks_the_exception_table() {
    let body = [
        (Op::LOAD_CONST, 0),
        (Op::THROW, 0),
        (Op::LOAD_CONST, 0),
        (Op::RETURN, 0),
    ];
    let h = |start, end, target, depth| Handler {
        start,
        end,
        target,
        depth,
    };
    assert!(code_with(&body, &[h(0, 2, 3, 0)]).is_ok());
    let e = code_with(&body, &[h(0, 2, 9, 0)]).unwrap_err();
    assert!(e.contains("outside the code"), "{e}");
    let e = code_with(&body, &[h(2, 2, 3, 0)]).unwrap_err();
    assert!(e.contains("empty"), "{e}");
    // The handler at 2 would start with two values (depth 1 plus the raised one), but the
    // THROW in the range takes the stack to 0, below the handler's depth.
    let e = code_with(&body, &[h(0, 2, 3, 1)]).unwrap_err();
    assert!(e.contains("below the depth"), "{e}");
    // Depths must agree where the handler joins normal code: 2 values from the handler at
    // ip 3, 1 from the LOAD_CONST before it.
    let e = code_with(&body, &[h(1, 2, 3, 1)]).unwrap_err();
    assert!(e.contains("differs") || e.contains("below"), "{e}");
}

#[test]
fn a_caught_error_leaves_exact_profile_counts() {
    let src = "let n = 0\ntry {\n n = n + 1\n n = n / 0\n n = n + 100\n} catch (e) {\n n = n + 10\n}\nprint(n)";
    let bc = compile(src, "<t>").unwrap();
    let mut vm = VM::builder()
        .profiling(Level::Basic)
        .capture_output(true)
        .skip_calibration(true)
        .build();
    vm.execute(&bc).unwrap();
    assert_eq!(vm.take_output(), "11\n");
    let main = &vm.profiler().codes[0];
    let code = bc.main();
    // Everything ran once except what follows the failing DIV up to the handler.
    let div = code.instrs.iter().position(|i| i.op == Op::DIV).unwrap();
    let handler = code.handlers[0].target as usize;
    for (ip, ins) in code.instrs.iter().enumerate() {
        let expected = u64::from(!(div < ip && ip < handler));
        assert_eq!(main.counts[ip], expected, "ip {ip} {}", ins.op.name());
    }
}

#[test]
fn an_error_in_a_jit_compiled_loop_is_caught_as_in_the_interpreter() {
    let src = "let s = 0\nlet i = 0\nlet caught = \"\"\ntry {\n while (i < 100) {\n  i = i + 1\n  s = s + 10 / (50 - i)\n }\n} catch (e) {\n caught = e\n}\nprint(i, s, caught)";
    let bc = compile(src, "<t>").unwrap();
    let mut outs = Vec::new();
    for jit in [false, true] {
        let mut vm = VM::builder()
            .jit(jit)
            .hot_threshold(5)
            .profiling(Level::Full)
            .capture_output(true)
            .skip_calibration(true)
            .build();
        vm.execute(&bc).unwrap();
        if jit {
            assert!(vm.jit_stats().loops_compiled > 0, "the loop was compiled");
        }
        let counts: Vec<Vec<u64>> = vm
            .profiler()
            .codes
            .iter()
            .map(|c| c.counts.clone())
            .collect();
        outs.push((vm.take_output(), counts));
    }
    assert!(outs[0].0.starts_with("50 "), "{}", outs[0].0);
    assert!(outs[0].0.ends_with("division by zero\n"), "{}", outs[0].0);
    assert_eq!(outs[0], outs[1], "JIT off and on agree, counts included");
}

#[test]
fn emitted_events_are_recorded_and_counted() {
    let src = "let i = 0\nwhile (i < 3) {\n emit Tick(i, \"t\")\n i = i + 1\n}\nemit Done";
    let bc = compile(src, "<t>").unwrap();
    let mut vm = VM::builder()
        .profiling(Level::Basic)
        .skip_calibration(true)
        .build();
    vm.execute(&bc).unwrap();
    assert_eq!(vm.events_emitted(), 4);
    let ev = vm.events();
    assert_eq!(ev[1].name, "Tick");
    assert_eq!(ev[1].args, vec![Value::int(1), Value::str("t")]);
    assert_eq!(ev[3].name, "Done");
    assert!(ev[3].args.is_empty());
    let counts = vm.profiler().events();
    assert_eq!(
        counts
            .iter()
            .map(|e| (e.name.as_str(), e.count))
            .collect::<Vec<_>>(),
        [("Tick", 3), ("Done", 1)]
    );
    let json = vm.profiling_report(zexus::Format::Json, 5);
    assert!(json.contains("\"events\""), "{json}");
}

#[test]
fn an_uncaught_throw_is_a_runtime_error_naming_the_value() {
    let bc = compile("action f() {\n throw [1, 2]\n}\nf()", "<t>").unwrap();
    let e = VM::new().execute(&bc).unwrap_err();
    assert_eq!(e.message, "[1, 2]");
    assert_eq!(e.line, 2);
    assert_eq!(e.trace.len(), 2);
}
