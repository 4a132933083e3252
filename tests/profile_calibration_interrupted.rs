//! A stop requested while the profiler calibrates its overhead estimate (Ctrl-C during
//! `zx profile`'s start-up) ends the run at once, marked interrupted, instead of panicking in
//! the calibration; the calibration is not kept, so a later run calibrates again. Alone in its
//! test binary: the request is process-wide, and the calibration happens once per process.

use zexus::profile::HookCosts;
use zexus::{compile, Level, VM};

#[test]
fn a_stop_during_calibration_ends_the_run_without_a_panic() {
    let bc = compile("let i = 0\nwhile (i < 1000) { i = i + 1 }\nprint(i)\n", "t").unwrap();
    zexus::vm::interrupt::request(2);
    let mut vm = VM::builder()
        .profiling(Level::Detailed)
        .capture_output(true)
        .build();
    let e = vm.execute(&bc).expect_err("the run stops");
    assert_eq!(e.message, zexus::vm::interrupt::MESSAGE);
    assert!(vm.profiler().interrupted);
    assert_eq!(
        vm.profiler().hook_costs,
        HookCosts::default(),
        "no estimate"
    );

    zexus::vm::interrupt::clear();
    let mut vm = VM::builder()
        .profiling(Level::Detailed)
        .capture_output(true)
        .build();
    vm.execute(&bc).expect("runs to its end");
    assert!(
        vm.profiler().hook_costs.sample_ns > 0.0,
        "calibrated this time"
    );
}
