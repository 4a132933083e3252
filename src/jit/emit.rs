//! Cranelift sequences that both translators emit (loops in `translate`, whole functions in
//! `func`), written once so that the two cannot drift apart.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value as CV};
use cranelift_frontend::FunctionBuilder;

use crate::bytecode::Op;

/// `x % y` on ints with the language's floor modulo (a nonzero remainder takes the divisor's
/// sign), for `y != 0` (the caller has checked). `x % -1` is 0, and `i64::MIN % -1` never
/// reaches the hardware divide.
pub(crate) fn floor_mod(b: &mut FunctionBuilder, x: CV, y: CV) -> CV {
    let m1 = b.ins().icmp_imm_s(IntCC::Equal, y, -1);
    let one = b.ins().iconst(types::I64, 1);
    let ys = b.ins().select(m1, one, y);
    let r = b.ins().srem(x, ys);
    let sx = b.ins().bxor(r, y);
    let neg = b.ins().icmp_imm_s(IntCC::SignedLessThan, sx, 0);
    let nz = b.ins().icmp_imm_s(IntCC::NotEqual, r, 0);
    let fix = b.ins().band(neg, nz);
    let ry = b.ins().iadd(r, y);
    b.ins().select(fix, ry, r)
}

/// One outcome of a branch on its simulated 2-bit predictor, packed in one word `v` as
/// `misses * 4 + state` (`s` is `v & 3`): returns the new word. Lane `state` (16 bits) of a
/// constant, plus a bias, is what the outcome adds (`profile::predictor::step_lanes`, derived
/// from the predictor's one definition). Branch-free, since a data-dependent branch would
/// itself mispredict.
pub(crate) fn predictor_step(b: &mut FunctionBuilder, v: CV, s: CV, taken: bool) -> CV {
    let (lanes, bias) = crate::profile::predictor::step_lanes(taken);
    let sh = b.ins().ishl_imm_u(s, 4);
    let table = b.ins().iconst(types::I64, lanes);
    let d = b.ins().ushr(table, sh);
    let d = b.ins().band_imm_u(d, 0xffff);
    let nv = b.ins().iadd(v, d);
    if bias != 0 {
        b.ins().iadd_imm_s(nv, bias)
    } else {
        nv
    }
}

/// An int bitwise operator (`BAND`, `BOR`, `BXOR`, `SHL`, `SHR`) on `x` and `y`: the result,
/// and for the shifts the condition under which native code must leave it to the interpreter
/// (a negative count, or a `<<` whose result does not fit: the interpreter raises the error, or
/// computes the rare cases the fast form does not, such as `0 << 64`).
pub(crate) fn int_bitop(b: &mut FunctionBuilder, op: Op, x: CV, y: CV) -> (CV, Option<CV>) {
    match op {
        Op::BAND => (b.ins().band(x, y), None),
        Op::BOR => (b.ins().bor(x, y), None),
        Op::BXOR => (b.ins().bxor(x, y), None),
        Op::SHL => {
            // Out of 0..=63 (negative counts are huge unsigned) or bits lost: leave.
            let out = b.ins().icmp_imm_u(IntCC::UnsignedGreaterThan, y, 63);
            let r = b.ins().ishl(x, y);
            let back = b.ins().sshr(r, y);
            let lost = b.ins().icmp(IntCC::NotEqual, back, x);
            (r, Some(b.ins().bor(out, lost)))
        }
        _ => {
            // An arithmetic shift by 64 or more gives what a shift by 63 gives.
            let neg = b.ins().icmp_imm_s(IntCC::SignedLessThan, y, 0);
            let max = b.ins().iconst(types::I64, 63);
            let n = b.ins().umin(y, max);
            (b.ins().sshr(x, n), Some(neg))
        }
    }
}

/// Takes `cost` from the fuel cell at `addr` (an `i64`, see `vm/limits.rs`); the result is
/// true when the fuel went negative (a limit of the VM's may have been reached: loops exit,
/// functions give up, and the interpreter checks).
pub(crate) fn take_fuel(b: &mut FunctionBuilder, addr: u64, cost: i64) -> CV {
    let p = b.ins().iconst(types::I64, addr as i64);
    let f = b.ins().load(types::I64, MemFlagsData::trusted(), p, 0);
    let f = b.ins().iadd_imm_s(f, -cost);
    b.ins().store(MemFlagsData::trusted(), f, p, 0);
    b.ins().icmp_imm_s(IntCC::SignedLessThan, f, 0)
}
