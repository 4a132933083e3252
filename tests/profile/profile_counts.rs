//! Exact counts against an independent record. The interpreter counts only taken jumps and
//! branches and derives every instruction's count from them when a run ends; timing every
//! execution (DETAILED with `sample_rate(1)`) records each executed instruction one by one on a
//! separate path, and FULL records every branch outcome. On every script of `tests/scripts`,
//! with and without superinstructions and with the JIT on, the three must agree.

use crate::common;

use zexus::{compile, Level, Value, VM};

/// Per-ip mismatches of one VM's profile: (where, count, timed executions).
fn sample_mismatches(vm: &VM) -> Vec<(String, u64, u64)> {
    let mut bad = Vec::new();
    for c in &vm.profiler().codes {
        for (ip, (&n, t)) in c.counts.iter().zip(&c.timing).enumerate() {
            if n != t.samples {
                bad.push((format!("{} ip {ip}", c.name), n, t.samples));
            }
        }
    }
    bad
}

#[test]
fn derived_counts_equal_executions_timed_one_by_one_on_every_script() {
    let mut failures = Vec::new();
    for path in common::scripts() {
        for fused in [true, false] {
            let builder = VM::builder()
                .profiling(Level::Detailed)
                .sample_rate(1)
                .superinstructions(fused)
                .skip_calibration(true);
            let Some(vm) = common::run_script_vm(&path, builder).1 else {
                continue;
            };
            let bad = sample_mismatches(&vm);
            if !bad.is_empty() {
                failures.push(format!("{} (fused {fused}): {bad:?}", path.display()));
            }
            // Timing every execution runs the original instructions one by one; BASIC runs the
            // superinstructions themselves, and must count the same.
            let basic = VM::builder()
                .profiling(Level::Basic)
                .superinstructions(fused)
                .skip_calibration(true);
            let vm_basic = common::run_script_vm(&path, basic).1.expect("ran before");
            let timed: Vec<Vec<u64>> = vm
                .profiler()
                .codes
                .iter()
                .map(|c| c.timing.iter().map(|t| t.samples).collect())
                .collect();
            let counted: Vec<Vec<u64>> = vm_basic
                .profiler()
                .codes
                .iter()
                .map(|c| c.counts.clone())
                .collect();
            if timed != counted {
                failures.push(format!(
                    "{} (fused {fused}): BASIC {counted:?} != timed {timed:?}",
                    path.display()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn branch_counts_equal_recorded_outcomes_on_every_script() {
    let mut failures = Vec::new();
    for path in common::scripts() {
        for jit in [false, true] {
            let builder = VM::builder()
                .profiling(Level::Full)
                .jit(jit)
                .hot_threshold(1)
                .skip_calibration(true);
            let Some(vm) = common::run_script_vm(&path, builder).1 else {
                continue;
            };
            for c in &vm.profiler().codes {
                for (ip, b) in c.branches.iter().enumerate() {
                    if c.classes[ip] == zexus::bytecode::OpClass::CondBranch
                        && c.counts[ip] != b.total()
                    {
                        failures.push(format!(
                            "{} (jit {jit}) {} ip {ip}: count {}, outcomes {}",
                            path.display(),
                            c.name,
                            c.counts[ip],
                            b.total()
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn counts_stop_where_a_runtime_error_stops_the_program() {
    let src = "action f(x) {\n  let y = 10 / x;\n  return y;\n}\n\
               let i = 3;\nlet t = 0;\nwhile (true) {\n  t = t + f(i);\n  i = i - 1;\n}\n";
    let bc = compile(src, "err.zx").expect("compiles");
    for fused in [true, false] {
        let mut vm = VM::builder()
            .profiling(Level::Basic)
            .superinstructions(fused)
            .capture_output(true)
            .build();
        let err = vm.execute(&bc).unwrap_err().to_string();
        assert!(err.contains("division by zero"), "{err}");
        let p = vm.profiler();
        let f = p.codes.iter().find(|c| c.name == "f").unwrap();
        let div = f.opcodes.iter().position(|&o| o == "DIV").unwrap();
        // Four calls reach the division; the fourth fails there.
        assert_eq!(f.counts[..=div], vec![4; div + 1][..]);
        assert_eq!(f.counts[div + 1..], vec![3; f.counts.len() - div - 1][..]);
        assert_eq!(f.calls, 4);
        let main = p.codes.iter().find(|c| c.name == "<main>").unwrap();
        let call = main.opcodes.iter().position(|&o| o == "CALL_NAME").unwrap();
        assert_eq!(main.counts[call], 4);
        assert_eq!(main.counts[call + 1], 3);
        assert_eq!(main.counts[0], 1);
    }
}

#[test]
fn a_function_left_by_return_inside_a_loop_is_counted_exactly() {
    let src = "action find(n) {\n  let i = 0;\n  while (true) {\n    if (i * i >= n) { return i; }\n    i = i + 1;\n  }\n}\n\
               let s = 0;\nlet k = 0;\nwhile (k < 50) {\n  s = s + find(k);\n  k = k + 1;\n}\ns;\n";
    let bc = compile(src, "ret.zx").expect("compiles");
    let mut counts = Vec::new();
    for (fused, jit) in [(true, false), (false, false), (true, true)] {
        let mut vm = VM::builder()
            .profiling(Level::Detailed)
            .sample_rate(1)
            .superinstructions(fused)
            .jit(jit)
            .hot_threshold(1)
            .skip_calibration(true)
            .build();
        assert_eq!(vm.execute(&bc).unwrap(), Value::int(252));
        if !jit {
            assert!(
                sample_mismatches(&vm).is_empty(),
                "{:?}",
                sample_mismatches(&vm)
            );
        }
        counts.push(
            vm.profiler()
                .codes
                .iter()
                .map(|c| c.counts.clone())
                .collect::<Vec<_>>(),
        );
    }
    assert_eq!(counts[0], counts[1]);
    assert_eq!(counts[0], counts[2]);
}
