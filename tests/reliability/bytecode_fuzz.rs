//! Hand-made bytecode, valid or not, never panics or crashes the VM: the verifier rejects what
//! it must and everything it accepts runs to a value or a runtime error. Jumps only go forward
//! here so every accepted program terminates (calls still recurse, up to the call-depth limit),
//! so these run without limits (`zexus::robustness::bytecode::forward_case`; the campaign's
//! cases, backward jumps and limits included, are in `campaigns.rs`).

use zexus::bytecode::Bytecode;
use zexus::robustness::bytecode::forward_case;
use zexus::{Level, VM};

#[test]
fn random_bytecode_is_rejected_or_runs_without_panicking() {
    let (mut accepted, mut rejected) = (0, 0);
    for i in 0..20_000 {
        let Ok(bc) = Bytecode::new(forward_case(i as u64), "<fuzz>") else {
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
