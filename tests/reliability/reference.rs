//! The reference evaluator (`zexus::reference`) against the script suite: every script's
//! `// expect` comments, and the interpreter's exact output, error message and error line.

use crate::common;

use std::path::Path;

use zexus::reference;
use zexus::{compile_source, VM};

/// The VM's outcome in the reference's terms (for the text of the file at `path`).
fn vm_outcome(src: &str, path: Option<&Path>) -> reference::Outcome {
    let bc = match compile_source(src, "<script>", path) {
        Ok(bc) => bc,
        Err(errors) => {
            return reference::Outcome {
                output: Vec::new(),
                error: Some((errors[0].to_string(), errors[0].line)),
            }
        }
    };
    let mut vm = VM::builder().capture_output(true).build();
    let result = vm.execute(&bc);
    reference::Outcome {
        output: reference::lines_of(&vm.take_output()),
        error: result.err().map(|e| (e.message, e.line)),
    }
}

#[test]
fn every_script_runs_in_the_reference_as_in_the_vm_and_as_expected() {
    let mut failures = Vec::new();
    let scripts = common::scripts();
    for path in &scripts {
        let src = std::fs::read_to_string(path).expect("script is readable");
        if src.contains("clock(") {
            continue;
        }
        let got = reference::run_file(&src, path);
        let want = vm_outcome(&src, Some(path));
        let name = path.strip_prefix(common::scripts_dir()).unwrap_or(path);
        if got != want {
            failures.push(format!(
                "--- {}\nreference: {got:?}\nvm:        {want:?}",
                name.display()
            ));
            continue;
        }
        let as_common = common::Outcome {
            output: got.output.iter().map(|l| format!("{l}\n")).collect(),
            error: got.error.as_ref().map(|e| e.0.clone()),
            compile_error: None,
        };
        let expect = common::parse_expect(&src);
        if expect.compile_error.is_none() {
            if let Err(problem) = common::check(&expect, &as_common) {
                failures.push(format!("--- {}\n{problem}", name.display()));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scripts differ:\n{}",
        failures.len(),
        scripts.len(),
        failures.join("\n")
    );
}

#[test]
fn errors_name_the_variable_and_the_line() {
    let out = reference::run("let x = 1\nlet y = null\nprint(x)\nprint(x + y)");
    assert_eq!(out.output, ["1"]);
    assert_eq!(
        out.error,
        Some(("attempt to add int and null (variable 'y')".to_string(), 4))
    );
    let out = reference::run("action f(n) { return f(n + 1) }\nf(0)");
    assert_eq!(
        out.error,
        Some(("maximum call depth exceeded".to_string(), 1))
    );
    let out = reference::run("action f(a, b) { return a }\nprint(f(1))");
    assert_eq!(
        out.error,
        Some(("f expects 2 arguments, got 1".to_string(), 2))
    );
}

#[test]
fn the_vm_names_only_a_variable_that_holds_the_operand() {
    // The value of `a && b` may be `a`'s: the load of `b` just before `+` does not make `b`
    // the operand. And a builtin's arguments are not operator operands.
    let cases = [
        "let a = null\nlet b = 5\nprint((a && b) + 1)",
        "let a = null\nlet b = 5\nprint(1 + (a || b) * 1, 2 - (true ? a : b))",
        "let c = true\nlet x = null\nlet y = 1\nprint((c ? x : y) - 1)",
        "let a = [1]\nlet b = 5\nprint(max(a, b))",
        "let a = 5\nlet b = \"s\"\nprint(min(a, b))",
    ];
    for src in cases {
        let want = reference::run(src);
        assert_eq!(vm_outcome(src, None), want, "{src}");
        let message = &want.error.as_ref().expect("fails").0;
        assert!(!message.contains("variable 'b'"), "{src}: {message}");
        assert!(!message.contains("variable 'y'"), "{src}: {message}");
    }
}
