//! Cranelift sequences that both translators emit (loops in `translate`, whole functions in
//! `func`), written once so that the two cannot drift apart.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, Value as CV};
use cranelift_frontend::FunctionBuilder;

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
/// `misses * 4 + state` (`s` is `v & 3`; it predicts taken at state 2 and up): returns the new
/// word. Lane `state` (16 bits) of a constant holds what the outcome adds: 4 for a miss plus
/// the state's saturating step (+1 up to 3 when taken, -1 down to 0 when not; the not-taken
/// lanes are biased by +1 to stay unsigned). Branch-free, since a data-dependent branch would
/// itself mispredict.
pub(crate) fn predictor_step(b: &mut FunctionBuilder, v: CV, s: CV, taken: bool) -> CV {
    let (lanes, bias): (i64, i64) = if taken {
        (5 | 5 << 16 | 1 << 32, 0)
    } else {
        (1 | 4 << 32 | 4 << 48, -1)
    };
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
