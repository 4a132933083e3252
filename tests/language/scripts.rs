//! Runs every script in `tests/scripts/` and checks it against its `// expect` comments
//! (see `tests/scripts/README.md`). All scripts run; the test fails once, listing every
//! failing script.

use crate::common;

use zexus::VM;

#[test]
fn every_script_meets_its_expectations() {
    let mut failures = Vec::new();
    let scripts = common::scripts();
    for path in &scripts {
        let src = std::fs::read_to_string(path).expect("script is readable");
        let expect = common::parse_expect(&src);
        let outcome = common::run_script(path, VM::builder());
        if let Err(problem) = common::check(&expect, &outcome) {
            let name = path.strip_prefix(common::scripts_dir()).unwrap_or(path);
            failures.push(format!("--- {}\n{problem}", name.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scripts failed:\n{}",
        failures.len(),
        scripts.len(),
        failures.join("\n")
    );
}

#[test]
fn there_are_at_least_100_scripts() {
    let n = common::scripts().len();
    assert!(n >= 100, "only {n} scripts found");
}

#[test]
fn every_script_has_an_expectation() {
    for path in common::scripts() {
        let src = std::fs::read_to_string(&path).expect("script is readable");
        let e = common::parse_expect(&src);
        assert!(
            !e.output.is_empty() || e.runtime_error.is_some() || e.compile_error.is_some(),
            "{} has no // expect comment",
            path.display()
        );
    }
}

#[test]
fn expectations_are_parsed() {
    let e = common::parse_expect(
        "// what\n// expect: a b  \nprint(1)   // expect: 1\n// expect:\n// expect runtime error: boom\n",
    );
    assert_eq!(e.output, vec!["a b", "1", ""]);
    assert_eq!(e.runtime_error.as_deref(), Some("boom"));
    assert_eq!(e.compile_error, None);
    let e = common::parse_expect("// expect compile error: [line 3] Error\n");
    assert_eq!(e.compile_error.as_deref(), Some("[line 3] Error"));
}
