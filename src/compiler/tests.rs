//! Opcode-sequence tests: the shapes the interpreter fuses and the JIT compiles, checked by
//! name (as Lua's `code.lua` does), and the compiler's scoping decisions.

use super::compile;
use crate::bytecode::{Bytecode, CodeObject};

fn bc(src: &str) -> Bytecode {
    compile(src, "<test>").unwrap_or_else(|e| panic!("{src:?} failed to compile: {e:?}"))
}

/// `OP operand` per instruction of a code object, operands as the disassembler shows them
/// (slot and global names, constants, jump targets as ips).
fn code_ops(bc: &Bytecode, code: &CodeObject) -> Vec<String> {
    code.instrs
        .iter()
        .map(|i| {
            let operand = crate::bytecode::disasm::operand_text(code, bc.globals(), *i);
            format!("{} {}", i.op.name(), operand)
                .trim_end()
                .to_string()
        })
        .collect()
}

fn main_ops(src: &str) -> Vec<String> {
    let b = bc(src);
    code_ops(&b, b.main())
}

fn func_ops(src: &str, name: &str) -> Vec<String> {
    let b = bc(src);
    let code = b
        .code()
        .iter()
        .find(|c| c.name == name)
        .expect("function exists");
    code_ops(&b, code)
}

fn names(ops: &[String]) -> Vec<&str> {
    ops.iter()
        .map(|s| s.split(' ').next().expect("opcode"))
        .collect()
}

fn errors(src: &str) -> Vec<String> {
    compile(src, "<test>")
        .expect_err("should not compile")
        .iter()
        .map(|e| e.to_string())
        .collect()
}

#[test]
fn while_loop_has_the_plain_fusable_shape() {
    let ops =
        main_ops("let n = 10\nlet s = 0\nlet i = 0\nwhile (i < n) {\n s = s + i\n i = i + 1\n}\ns");
    assert_eq!(
        names(&ops),
        [
            "LOAD_CONST",
            "STORE_NAME",
            "LOAD_CONST",
            "STORE_NAME",
            "LOAD_CONST",
            "STORE_NAME",
            "LOAD_NAME",
            "LOAD_NAME",
            "LT",
            "JUMP_IF_FALSE", // header at ip 6
            "LOAD_NAME",
            "LOAD_NAME",
            "ADD",
            "STORE_NAME",
            "LOAD_NAME",
            "LOAD_CONST",
            "ADD",
            "STORE_NAME",
            "JUMP",
            "LOAD_NAME",
            "RETURN",
        ]
    );
    assert!(ops[9].ends_with("19"), "exit target: {}", ops[9]);
    assert!(
        ops[18].ends_with('6'),
        "back edge to the header: {}",
        ops[18]
    );
}

#[test]
fn program_value_is_the_last_expression_else_null() {
    assert_eq!(
        names(&main_ops("let x = 2\nx * 21")),
        [
            "LOAD_CONST",
            "STORE_NAME",
            "LOAD_NAME",
            "LOAD_CONST",
            "MUL",
            "RETURN"
        ]
    );
    assert_eq!(
        names(&main_ops("let x = 2")),
        ["LOAD_CONST", "STORE_NAME", "LOAD_CONST", "RETURN"]
    );
    assert_eq!(names(&main_ops("")), ["LOAD_CONST", "RETURN"]);
    assert_eq!(
        names(&main_ops("f()\n1")),
        ["CALL_NAME", "POP", "LOAD_CONST", "RETURN"]
    );
}

#[test]
fn negative_int_literals_fold_and_nothing_else_does() {
    assert_eq!(main_ops("-5"), ["LOAD_CONST 0 (-5)", "RETURN"]);
    assert_eq!(
        main_ops("-9223372036854775808"),
        ["LOAD_CONST 0 (-9223372036854775808)", "RETURN"]
    );
    assert_eq!(names(&main_ops("-2.5")), ["LOAD_CONST", "NEG", "RETURN"]);
    assert_eq!(
        names(&main_ops("1 + 2")),
        ["LOAD_CONST", "LOAD_CONST", "ADD", "RETURN"]
    );
    assert_eq!(
        names(&main_ops("-2 ** 2")),
        ["LOAD_CONST", "LOAD_CONST", "POW", "NEG", "RETURN"]
    );
    assert_eq!(
        names(&main_ops("-(-9223372036854775808)")),
        ["LOAD_CONST", "NEG", "RETURN"]
    );
}

#[test]
fn logic_operators_short_circuit() {
    assert_eq!(
        names(&main_ops("a && b")),
        ["LOAD_NAME", "JUMP_IF_FALSE_OR_POP", "LOAD_NAME", "RETURN"]
    );
    assert_eq!(
        names(&main_ops("a or b")),
        ["LOAD_NAME", "JUMP_IF_TRUE_OR_POP", "LOAD_NAME", "RETURN"]
    );
    assert_eq!(
        names(&main_ops("c ? 1 : 2")),
        [
            "LOAD_NAME",
            "JUMP_IF_FALSE",
            "LOAD_CONST",
            "JUMP",
            "LOAD_CONST",
            "RETURN"
        ]
    );
}

#[test]
fn assignments() {
    assert_eq!(
        names(&main_ops("let x = 1\nx += 2")),
        [
            "LOAD_CONST",
            "STORE_NAME",
            "LOAD_NAME",
            "LOAD_CONST",
            "ADD",
            "STORE_NAME",
            "LOAD_CONST",
            "RETURN"
        ]
    );
    assert_eq!(
        names(&main_ops("let a = [1]\na[0] += 2")),
        [
            "LOAD_CONST",
            "BUILD_LIST",
            "STORE_NAME",
            "LOAD_NAME",
            "LOAD_CONST",
            "DUP2",
            "INDEX",
            "LOAD_CONST",
            "ADD",
            "STORE_INDEX",
            "LOAD_CONST",
            "RETURN"
        ]
    );
    assert_eq!(
        names(&main_ops("let a = [1]\na[0] = 2")),
        [
            "LOAD_CONST",
            "BUILD_LIST",
            "STORE_NAME",
            "LOAD_NAME",
            "LOAD_CONST",
            "LOAD_CONST",
            "STORE_INDEX",
            "LOAD_CONST",
            "RETURN"
        ]
    );
    assert_eq!(
        names(&main_ops("print(1, 2)")),
        ["LOAD_CONST", "LOAD_CONST", "PRINT", "LOAD_CONST", "RETURN"]
    );
}

#[test]
fn calls_pick_the_instruction_by_what_the_callee_is() {
    let src = "action f(x) { return x }\nlet g = f\nf(1)\ng(1)\nlen([])\n[f][0](1)\n[].pop()";
    let ops = main_ops(src);
    assert!(
        ops.contains(&"CALL_NAME 0 (f) argc=1".to_string()),
        "{ops:?}"
    );
    assert!(
        ops.contains(&"CALL_NAME 1 (g) argc=1".to_string()),
        "{ops:?}"
    );
    assert!(
        ops.iter()
            .any(|o| o.starts_with("CALL_BUILTIN") && o.contains("len")),
        "{ops:?}"
    );
    assert!(ops.iter().any(|o| o.starts_with("CALL_VALUE")), "{ops:?}");
    assert!(ops.iter().any(|o| o.starts_with("CALL_METHOD")), "{ops:?}");
    // Inside a function: a parameter is called by value, a global by name.
    let ops = func_ops("action h(p) { p(1)\nf(2) }\naction f(x) { return x }", "h");
    assert_eq!(names(&ops)[..3], ["LOAD_NAME", "LOAD_CONST", "CALL_VALUE"]);
    assert!(
        ops.iter()
            .any(|o| o.starts_with("CALL_NAME") && o.ends_with("(f) argc=1")),
        "{ops:?}"
    );
}

#[test]
fn functions_are_hoisted_and_read_globals_with_global_ops() {
    let src = "print(f(1))\nlet k = 2\naction f(x) { k = k + x\nreturn k }";
    let ops = main_ops(src);
    assert_eq!(
        names(&ops)[..2],
        ["LOAD_CONST", "STORE_NAME"],
        "the function is stored first: {ops:?}"
    );
    let ops = func_ops(src, "f");
    assert_eq!(
        names(&ops),
        [
            "LOAD_GLOBAL",
            "LOAD_NAME",
            "ADD",
            "STORE_GLOBAL",
            "LOAD_GLOBAL",
            "RETURN"
        ]
    );
}

#[test]
fn for_each_over_an_iterator_pops_it_on_break() {
    let ops = main_ops("for each x in [1] {\n if (x) { break }\n print(x)\n}");
    assert_eq!(
        names(&ops),
        [
            "LOAD_CONST",
            "BUILD_LIST",
            "GET_ITER",
            "FOR_ITER",
            "STORE_NAME",
            "LOAD_NAME",
            "JUMP_IF_FALSE",
            "POP",
            "JUMP",
            "LOAD_NAME",
            "PRINT",
            "JUMP",
            "LOAD_CONST",
            "RETURN",
        ]
    );
    assert_eq!(
        names(&main_ops("for each i, x in [1] { }"))[3..6],
        ["FOR_ITER", "STORE_NAME", "STORE_NAME"]
    );
}

#[test]
fn for_each_over_range_is_a_counted_loop() {
    let ops = main_ops("for each i in range(3) { print(i) }");
    assert_eq!(
        names(&ops),
        [
            "LOAD_CONST",
            "DUP",
            "CALL_BUILTIN",
            "POP",
            "STORE_NAME",
            "LOAD_CONST",
            "STORE_NAME",
            "LOAD_NAME",
            "LOAD_NAME",
            "LT",
            "JUMP_IF_FALSE", // header at ip 7
            "LOAD_NAME",
            "STORE_NAME",
            "LOAD_NAME",
            "PRINT",
            "LOAD_NAME",
            "LOAD_CONST",
            "ADD",
            "STORE_NAME",
            "JUMP",
            "LOAD_CONST",
            "RETURN",
        ]
    );
    // A shadowed `range` is an ordinary call and iterator.
    assert!(names(&main_ops(
        "action range(n) { return [n] }\nfor each i in range(3) { }"
    ))
    .contains(&"FOR_ITER"));
    // Three arguments are left to the builtin (which reports the error).
    assert!(names(&main_ops("for each i in range(1, 2, 3) { }")).contains(&"FOR_ITER"));
}

#[test]
fn block_let_gets_a_fresh_slot_and_top_level_let_is_a_global() {
    let b = bc("let x = 1\nif (x) { let x = 2\nprint(x) }\nprint(x)");
    let main = b.main();
    let xs = main.slot_names.iter().filter(|n| *n == "x").count();
    assert_eq!(xs, 2, "{:?}", main.slot_names);
    assert_eq!(b.globals()[0], "x");
}

#[test]
fn semantic_errors_are_reported_in_the_syntax_error_format() {
    assert_eq!(
        errors("const N = 1\nN = 2"),
        ["[line 2] Error at 'N': cannot assign to const 'N'"]
    );
    assert_eq!(
        errors("const N = 1\nN += 2"),
        ["[line 2] Error at 'N': cannot assign to const 'N'"]
    );
    assert_eq!(
        errors("const N = 1\nlet N = 2"),
        ["[line 2] Error at 'N': cannot assign to const 'N'"]
    );
    assert_eq!(
        errors("x += 2"),
        ["[line 1] Error at 'x': undefined variable 'x'"]
    );
    // A closure may not assign a constant it captures.
    assert_eq!(
        errors("action f() {\n const K = 1\n action g() { K = 2 }\n return g\n}"),
        ["[line 3] Error at 'K': cannot assign to const 'K'"]
    );
    // Several errors, in order.
    assert_eq!(
        errors("const A = 1\nA = 2\nb *= 3\nA -= 1"),
        [
            "[line 2] Error at 'A': cannot assign to const 'A'",
            "[line 3] Error at 'b': undefined variable 'b'",
            "[line 4] Error at 'A': cannot assign to const 'A'",
        ]
    );
}

#[test]
fn nested_functions_can_recurse_by_their_own_name() {
    let b = bc("action outer(n) {\n action fact(k) { return k <= 1 ? 1 : k * fact(k - 1) }\n return fact(n)\n}\nouter(5)");
    assert_eq!(
        crate::VM::new().execute(&b).unwrap(),
        zexus_runtime::Value::int(120)
    );
}

#[test]
fn every_instruction_has_a_line() {
    let b =
        bc("let a = 1\n\nwhile (a < 3) {\n  a = a +\n    1\n}\naction f() {\n  return 1\n}\nf()");
    for code in b.code() {
        for (ip, line) in code.lines.iter().enumerate() {
            assert!(*line > 0, "{} ip {ip} has no line", code.name);
        }
    }
    let main = &b.main();
    // `a + 1` is on line 4 (the operator's line), the store on line 4 (the statement's).
    let add = main
        .instrs
        .iter()
        .position(|i| i.op == crate::Op::ADD)
        .unwrap();
    assert_eq!(main.lines[add], 4);
}

// ----- exceptions (exceptions.rs) ------------------------------------------------------------

/// A function's exception table as `(start, end, target, depth)`.
fn table(src: &str, name: &str) -> Vec<(u32, u32, u32, u32)> {
    let b = bc(src);
    let code = b.code().iter().find(|c| c.name == name).expect("exists");
    code.handlers
        .iter()
        .map(|h| (h.start, h.end, h.target, h.depth))
        .collect()
}

#[test]
fn a_try_costs_no_instruction_on_entry() {
    let src = "action f(x) {\n try {\n  x = x + 1\n } catch (e) {\n  x = 0\n }\n return x\n}";
    assert_eq!(
        names(&func_ops(src, "f")),
        [
            "LOAD_NAME",  // 0: the try block starts right away
            "LOAD_CONST", //
            "ADD",        //
            "STORE_NAME", // 3
            "JUMP",       // 4: past the handler
            "STORE_NAME", // 5: the handler stores the caught value in e
            "LOAD_CONST", //
            "STORE_NAME", //
            "JUMP",       //
            "LOAD_NAME",  // 9: after the try statement
            "RETURN",
        ]
    );
    assert_eq!(table(src, "f"), [(0, 4, 5, 0)]);
}

#[test]
fn a_return_through_finally_runs_a_copy_outside_its_own_handler() {
    let src = "action f() {\n try {\n  return 1\n } finally {\n  print(2)\n }\n}";
    let ops = func_ops(src, "f");
    assert_eq!(
        names(&ops)[..4],
        ["LOAD_CONST", "LOAD_CONST", "PRINT", "RETURN"],
        "{ops:?}"
    );
    // Only the return value's load is covered; the copy of the finally block and the
    // RETURN are not (an error there must not run the finally block again).
    let t = table(src, "f");
    assert_eq!(t[0].0..t[0].1, 0..1, "{t:?}");
    assert!(ops.iter().any(|o| o.starts_with("RERAISE")), "{ops:?}");
}

#[test]
fn a_break_out_of_a_try_in_a_for_each_pops_the_iterator_outside_the_handler() {
    let src = "action f(xs) {\n for each x in xs {\n  try {\n   if (x) { break }\n  } catch (e) {\n  }\n }\n}";
    let b = bc(src);
    let code = b.code().iter().find(|c| c.name == "f").expect("exists");
    let ops = code_ops(&b, code);
    let pop = ops
        .iter()
        .position(|o| o == "POP")
        .expect("break pops the iterator");
    for h in &code.handlers {
        assert!(!h.covers(pop as u32), "{ops:?} {:?}", code.handlers);
        assert_eq!(h.depth, 1, "the iterator is below the handler's values");
    }
}

#[test]
fn nested_tries_list_the_inner_handler_first() {
    let src = "action f() {\n try {\n  try {\n   g()\n  } catch (a) {\n  }\n } catch (b) {\n }\n}\naction g() { }";
    let t = table(src, "f");
    assert_eq!(t.len(), 2, "{t:?}");
    assert!(
        t[0].0 >= t[1].0 && t[0].1 <= t[1].1,
        "inner range first: {t:?}"
    );
}

#[test]
fn defer_is_a_finally_around_the_rest_of_its_block() {
    let with_defer = func_ops(
        "action f() {\n print(1)\n defer { print(3) }\n print(2)\n}",
        "f",
    );
    let with_try = func_ops(
        "action f() {\n print(1)\n try {\n  print(2)\n } finally {\n  print(3)\n }\n}",
        "f",
    );
    assert_eq!(names(&with_defer), names(&with_try));
}

#[test]
fn a_function_inside_a_finally_block_is_an_error() {
    let e = errors("try {\n} finally {\n action f() { }\n}");
    assert!(e[0].contains("cannot be defined inside a finally"), "{e:?}");
    let e = errors("action g() {\n defer {\n  if (true) { action f() { } }\n }\n}");
    assert!(e[0].contains("[line 3]"), "{e:?}");
}

#[test]
fn only_captured_variables_live_in_cells() {
    use crate::bytecode::Op;
    let ops = |src: &str| -> Vec<Op> {
        let bc = compile(src, "<test>").expect("compiles");
        bc.code()
            .iter()
            .flat_map(|c| c.instrs.iter().map(|i| i.op))
            .collect()
    };
    let cell_ops = [
        Op::LOAD_CELL,
        Op::STORE_CELL,
        Op::MAKE_CELL,
        Op::CELL_REF,
        Op::MAKE_CLOSURE,
    ];
    // No nested function uses `x`: plain slots, and the lambda is a constant.
    let plain = ops("action f(x) {\n let y = x + 1\n let g = lambda(z): z * 2\n return g(y)\n}");
    assert!(plain.iter().all(|op| !cell_ops.contains(op)), "{plain:?}");
    // The lambda uses the parameter `x`: moved into a cell, captured, read through it.
    let closure = ops("action f(x) {\n let g = lambda(z): z + x\n return g(1)\n}");
    for op in cell_ops.iter().filter(|op| **op != Op::STORE_CELL) {
        assert!(closure.contains(op), "{op:?} missing from {closure:?}");
    }
}
