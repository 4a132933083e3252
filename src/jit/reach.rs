//! Which instructions of a loop native code can reach.
//!
//! The verifier's stack depths also cover code that only an exception handler reaches (a
//! catch or finally block inside the loop). Native code never gets there: it does not raise,
//! it exits to the interpreter, which raises and unwinds. The translator treats instructions
//! without a depth as unreachable, so those are given none.

use crate::bytecode::{CodeObject, Op};

/// `depths` (from `bytecode::stack_depths`) with `u32::MAX` for every instruction of the loop
/// `header..=back_edge` that no path from the header reaches without an exception.
pub fn native_depths(
    code: &CodeObject,
    depths: &[u32],
    header: usize,
    back_edge: usize,
) -> Vec<u32> {
    let mut out = depths.to_vec();
    let region = header..=back_edge;
    let mut seen = vec![false; code.instrs.len()];
    let mut work = vec![header];
    while let Some(ip) = work.pop() {
        if !region.contains(&ip) || seen[ip] {
            continue;
        }
        seen[ip] = true;
        let ins = code.instrs[ip];
        match ins.op {
            Op::RETURN | Op::THROW | Op::RERAISE => {}
            Op::JUMP => work.push(ins.a as usize),
            _ => {
                work.push(ip + 1);
                if let Some(t) = ins.jump_target() {
                    work.push(t);
                }
            }
        }
    }
    for ip in region {
        if !seen[ip] {
            out[ip] = u32::MAX;
        }
    }
    out
}
