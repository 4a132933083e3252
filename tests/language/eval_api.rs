//! `zexus::eval`, `VM::eval` and `zexus::compile` from the outside, including the profiler
//! guide's use case on source text.

use zexus::{compile, eval, Error, Format, Level, Value, VM};

const GUIDE_LOOP: &str =
    "let sum = 0\nlet i = 0\nwhile (i < 1000) {\n    sum = sum + i\n    i = i + 1\n}\nsum";

#[test]
fn the_guides_use_case_on_source_text() {
    let mut vm = VM::builder().profiling(Level::Full).build();
    assert_eq!(vm.eval(GUIDE_LOOP).unwrap(), Value::int(499500));
    let summary = vm.profiling_summary().unwrap();
    // 4 setup instructions, 1001 loop tests of 4, 1000 bodies of 9, the final load and return.
    assert_eq!(summary.total_instructions, 4 + 1001 * 4 + 1000 * 9 + 2);
    let loops = vm.profiler().hot_loops(1000);
    assert_eq!(loops.len(), 1);
    assert_eq!(
        (loops[0].start_ip, loops[0].end_ip, loops[0].iterations),
        (4, 16, 1000)
    );
    let report = vm.profiling_report(Format::Text, 20);
    for section in [
        "SUMMARY",
        "HOTTEST",
        "HOT LOOPS",
        "LOAD_NAME",
        "JUMP_IF_FALSE",
    ] {
        assert!(
            report.contains(section),
            "no {section} in the report:\n{report}"
        );
    }
    let json = vm.profiling_report(Format::Json, 20);
    assert!(json.contains("\"hot_loops\""), "{json}");
}

#[test]
fn a_programs_value_is_its_last_expression_statement() {
    assert_eq!(eval("let x = 2\nx * 21").unwrap(), Value::int(42));
    assert_eq!(eval("let x = 2").unwrap(), Value::NULL);
    assert_eq!(eval("").unwrap(), Value::NULL);
    assert_eq!(eval("1\n2\nprint(3)").unwrap(), Value::NULL);
    assert_eq!(
        eval("action f(n) { return n * 2 }\nf(4)").unwrap(),
        Value::int(8)
    );
    assert_eq!(eval("\"a\" + 1").unwrap(), Value::str("a1"));
    assert_eq!(eval("-9223372036854775808").unwrap(), Value::int(i64::MIN));
}

#[test]
fn vm_eval_keeps_the_vms_settings_and_output() {
    let mut vm = VM::builder().capture_output(true).build();
    assert_eq!(
        vm.eval("print(1, \"a\")\nprint([1, \"b\"])\n3").unwrap(),
        Value::int(3)
    );
    assert_eq!(vm.take_output(), "1 a\n[1, \"b\"]\n");
    let e = vm.eval("print(\"before\")\nprint(nope)").unwrap_err();
    assert_eq!(vm.take_output(), "before\n");
    match e {
        Error::Runtime(r) => assert_eq!(r.message, "undefined variable 'nope'"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn compiled_programs_name_their_source() {
    let bc = compile("action f() { return 1 }\nf()", "prog.zx").unwrap();
    assert_eq!(bc.source_name(), "prog.zx");
    assert_eq!(bc.code().len(), 2);
    assert_eq!(bc.code()[1].name, "f");
    assert_eq!(bc.globals(), ["f"]);
}

#[test]
fn runtime_errors_carry_lines_and_traces() {
    let src =
        "action inner(xs) {\n  return xs[5]\n}\naction outer() {\n  return inner([1])\n}\nouter()";
    let Err(Error::Runtime(e)) = eval(src) else {
        panic!("expected a runtime error")
    };
    assert_eq!(e.message, "index 5 out of range for list of length 1");
    let trace: Vec<(String, u32)> = e
        .trace
        .iter()
        .map(|t| (t.function.clone(), t.line))
        .collect();
    assert_eq!(
        trace,
        [
            ("inner".to_string(), 2),
            ("outer".to_string(), 5),
            ("<main>".to_string(), 7)
        ]
    );
}

#[test]
fn huge_strings_are_a_runtime_error_not_an_aborted_process() {
    // Doubling a string 30 times reaches the 1 GiB limit; one more byte is an error.
    let src = "let s = \"x\"\nlet i = 0\nwhile (i < 30) { s = s + s\n i = i + 1 }\nlet n = len(s)\ns = s + \"y\"\nn";
    let err = zexus::eval(src).unwrap_err().to_string();
    assert!(err.starts_with("string too large"), "{err}");
    assert!(err.contains("[line 6]"), "{err}");
}
