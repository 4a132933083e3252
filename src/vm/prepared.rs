//! The interpreter's internal encoding of a verified program.
//!
//! Each code object keeps two parallel instruction arrays, indexed by the same ips as the
//! bytecode the user built: `orig`, the instructions as written, and `fused`, where the first
//! instruction of a common shape (load-load-compare-branch, `x = y op z`, `x = y op k`, ...) is
//! replaced by one superinstruction covering the whole shape. A superinstruction handles only
//! the fast case (ints that do not overflow); for anything else it runs `orig[ip]` instead and
//! execution continues through the original instructions, so results, errors and profile counts
//! are those of the unfused code. Shapes are fused only when no jump lands inside them.

use zexus_runtime::Value;

use zexus_runtime::ops::{ArithKind, CmpKind};

use super::superinstr::{fuse_at, si, specialise};
use crate::bytecode::{Bytecode, CodeObject, Instr, Op};

/// An internal instruction: 32 bytes, room for a fused shape's operands.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct XInstr {
    /// A base opcode (`Op as u8`) or a superinstruction (`si::*`).
    pub op: u8,
    /// Sub-operation of a superinstruction: an [`ArithKind`] or [`CmpKind`] `as u8`.
    pub k: u8,
    /// How many original instructions this one covers (1 for base instructions).
    pub n: u8,
    pub _pad: u8,
    /// First operand: the instruction's `a`, or a slot.
    pub a: u32,
    /// The instruction's `b`, or a second slot.
    pub c: u32,
    /// A destination slot.
    pub x: u32,
    /// A jump target, relative to this instruction (so the loop needs no code base pointer).
    pub d: i32,
    /// A second relative jump target.
    pub e: i32,
    /// An integer constant.
    pub imm: i64,
}

/// Size of an [`XInstr`]. The run loop keeps one 8-byte taken-edge counter per instruction in
/// an array parallel to the instructions and finds it from the instruction's address alone:
/// `counter = cbase + address >> COUNTER_SHIFT` (see `loophooks.rs`), which needs this exact ratio.
pub(crate) const XINSTR_SIZE: usize = std::mem::size_of::<XInstr>();
/// `log2(XINSTR_SIZE / size_of::<u64>())`: see [`XINSTR_SIZE`].
pub(crate) const COUNTER_SHIFT: u32 = 2;
const _: () = assert!(XINSTR_SIZE == 32 && std::mem::align_of::<XInstr>() == 8);
const _: () = assert!(XINSTR_SIZE >> COUNTER_SHIFT == std::mem::size_of::<u64>());
// The fields the run loop reads (`ins.imm` as one 8-byte word, the rest packed before it).
const _: () = assert!(std::mem::offset_of!(XInstr, imm) == 24);

impl XInstr {
    /// All fields zero: the base that the fuser's instructions fill in.
    pub(crate) const EMPTY: XInstr = XInstr {
        op: 0,
        k: 0,
        n: 0,
        _pad: 0,
        a: 0,
        c: 0,
        x: 0,
        d: 0,
        e: 0,
        imm: 0,
    };
}

/// The bytes that are no instruction: `OP_END..=F_BEFORE`, after the base opcodes and before
/// the first superinstruction. The superinstructions end at 255 (`superinstr.rs` numbers
/// them), so that the run loop's `match` on the opcode byte is a jump table over every byte
/// with no range check (the run loop's `match` does not compile until a new superinstruction
/// has its arm).
pub(crate) const OP_END: u8 = crate::bytecode::ALL_OPS.len() as u8;
/// See [`OP_END`].
pub(crate) const F_BEFORE: u8 = si::FIRST - 1;

/// Kind bytes (`XInstr::k`) as match patterns: the runtime's [`CmpKind`] and [`ArithKind`]
/// numbers (a pattern cannot hold the `as u8` cast itself).
pub(crate) const K_LT: u8 = CmpKind::Lt as u8;
/// See [`K_LT`].
pub(crate) const K_GT: u8 = CmpKind::Gt as u8;
/// See [`K_LT`].
pub(crate) const K_LTE: u8 = CmpKind::Lte as u8;
/// See [`K_LT`].
pub(crate) const K_GTE: u8 = CmpKind::Gte as u8;
/// See [`K_LT`].
pub(crate) const K_EQ: u8 = CmpKind::Eq as u8;
/// See [`K_LT`].
pub(crate) const K_NEQ: u8 = CmpKind::Neq as u8;
/// See [`K_LT`].
pub(crate) const K_ADD: u8 = ArithKind::Add as u8;
/// See [`K_LT`].
pub(crate) const K_SUB: u8 = ArithKind::Sub as u8;
/// See [`K_LT`].
pub(crate) const K_MUL: u8 = ArithKind::Mul as u8;
/// See [`K_LT`].
pub(crate) const K_MOD: u8 = ArithKind::Mod as u8;
/// See [`K_LT`].
pub(crate) const K_DIV: u8 = ArithKind::Div as u8;

/// Evaluates an int comparison. (A match on the kind, not a branchless mask: the kind is fixed
/// per instruction, so the branch predicts, and the comparison's result then feeds a predicted
/// branch instead of a data dependency of the next dispatch; measured 15% faster on loop_sum.)
#[inline(always)]
pub(crate) fn int_cmp(k: u8, x: i64, y: i64) -> bool {
    match k {
        K_LT => x < y,
        K_GT => x > y,
        K_LTE => x <= y,
        K_GTE => x >= y,
        K_EQ => x == y,
        _ => x != y,
    }
}

/// Evaluates int arithmetic; `None` when the fast path does not apply (overflow, modulo by
/// zero), in which case the caller runs the original instructions.
#[inline(always)]
pub(crate) fn int_arith(k: u8, x: i64, y: i64) -> Option<i64> {
    match k {
        K_ADD => x.checked_add(y),
        K_SUB => x.checked_sub(y),
        K_MUL => x.checked_mul(y),
        K_MOD => {
            // By a positive power of two, the floor modulo is the low bits (negative x too).
            if y > 0 && y & (y - 1) == 0 {
                return Some(x & (y - 1));
            }
            if y == 0 {
                return None;
            }
            let r = x.checked_rem(y)?;
            Some(if r != 0 && ((r ^ y) < 0) { r + y } else { r })
        }
        _ => {
            // Only an exact quotient stays an int; anything else takes the slow path.
            if y > 0 && y & (y - 1) == 0 {
                return (x & (y - 1) == 0).then(|| x >> y.trailing_zeros());
            }
            if y == 0 {
                return None;
            }
            // One hardware divide: the quotient is exact when it multiplies back.
            let q = x.checked_div(y)?;
            (q.wrapping_mul(y) == x).then_some(q)
        }
    }
}

/// One code object in internal form: `code` holds the fused instructions at `0..half` and the
/// original ones at `half..2*half`, in one allocation, so that a superinstruction's fallback is
/// `ip + half`. Jumps in either half land in the fused half; straight-line execution in the
/// original half stays there until the next jump.
pub(crate) struct XCode {
    pub code: Vec<XInstr>,
    pub half: usize,
    pub consts: Vec<Value>,
    pub n_slots: u32,
    pub arity: u32,
    /// Slots plus the deepest operand stack: the room a frame needs.
    pub frame_size: u32,
}

/// A verified program in internal form.
pub(crate) struct Prepared {
    pub codes: Vec<XCode>,
}

fn is_jump_kind(o: Op) -> bool {
    matches!(
        o.operand_kind(),
        crate::bytecode::OperandKind::Target | crate::bytecode::OperandKind::ForIter
    )
}

/// The base opcode of an internal instruction byte (only called on original instructions).
fn code_op(b: u8) -> Op {
    Op::from_u8(b).expect("original instructions hold base opcodes")
}

fn base(ins: Instr, ip: usize) -> XInstr {
    let d = if is_jump_kind(ins.op) {
        ins.a as i32 - ip as i32
    } else {
        0
    };
    XInstr {
        op: ins.op as u8,
        k: 0,
        n: 1,
        _pad: 0,
        a: ins.a,
        c: ins.b as u32,
        x: 0,
        d,
        e: 0,
        imm: 0,
    }
}

fn jump_targets(code: &CodeObject) -> Vec<bool> {
    let mut t = vec![false; code.instrs.len() + 1];
    for t_ip in code.instrs.iter().filter_map(|i| i.jump_target()) {
        t[t_ip] = true;
    }
    // Exception handlers are entered from the unwinder: no shape may span their start.
    for h in &code.handlers {
        t[h.target as usize] = true;
    }
    t
}

impl XCode {
    fn new(code: &CodeObject, max_stack: u32, fuse: bool) -> XCode {
        let orig: Vec<XInstr> = code
            .instrs
            .iter()
            .enumerate()
            .map(|(ip, &i)| base(i, ip))
            .collect();
        let mut fused = orig.clone();
        if fuse {
            let targets = jump_targets(code);
            for (ip, slot) in fused.iter_mut().enumerate() {
                if let Some(x) = fuse_at(code, ip, &targets) {
                    *slot = x;
                }
            }
            // A two-instruction shape must not swallow the start of a longer one after it
            // (`LOAD acc; LOAD i; LOAD j; MUL; ADD`: better LOAD acc, then one shape of four).
            for ip in 0..fused.len().saturating_sub(1) {
                if fused[ip].n == 2 && fused[ip + 1].n >= 3 {
                    fused[ip] = orig[ip];
                }
            }
            // A jump back to a compare-and-branch header runs the header's test itself:
            // one dispatch per loop iteration fewer.
            for ip in 0..fused.len() {
                if orig[ip].op != Op::JUMP as u8 {
                    continue;
                }
                let t = orig[ip].a as usize;
                let h = fused[t];
                let (op, n) = match h.op {
                    si::CMP_SS_JF => (si::JMP_CMP_SS, si::n::JMP_CMP_SS),
                    si::CMP_SK_JF => (si::JMP_CMP_SK, si::n::JMP_CMP_SK),
                    _ => continue,
                };
                let exit = t as i32 + h.d;
                fused[ip] = XInstr {
                    op,
                    k: h.k,
                    n,
                    _pad: 0,
                    a: h.a,
                    c: h.c,
                    x: t as u32,
                    d: exit - ip as i32,
                    e: (t + 4) as i32 - ip as i32,
                    imm: h.imm,
                };
            }
            // A counting loop's `v = v + c` just before its back edge joins the back edge:
            // one dispatch for the step and the test.
            for ip in 4..fused.len() {
                let (st, j) = (fused[ip - 4], fused[ip]);
                let ss = j.op == si::JMP_CMP_SS;
                if !(ss || j.op == si::JMP_CMP_SK)
                    || st.op != si::ARITH_SK_ST
                    || st.k != K_ADD
                    || st.a != st.x
                    || st.a != j.a
                    || (ip - 3..=ip).any(|t| targets[t])
                    || (!ss && i32::try_from(st.imm).is_err())
                {
                    continue;
                }
                fused[ip - 4] = XInstr {
                    op: if ss { si::INC_JMP_SS } else { si::INC_JMP_SK },
                    k: j.k,
                    n: if ss {
                        si::n::INC_JMP_SS
                    } else {
                        si::n::INC_JMP_SK
                    },
                    _pad: 0,
                    a: st.a,
                    c: if ss { j.c } else { st.imm as i32 as u32 },
                    x: j.x,
                    d: j.d + 4,
                    e: j.e + 4,
                    imm: if ss { st.imm } else { j.imm },
                };
            }
        }
        for x in fused.iter_mut() {
            x.op = specialise(x.op, x.k);
        }
        let half = orig.len();
        let mut all = fused;
        // The original half: a jump's relative target points back into the fused half.
        all.extend(orig.iter().enumerate().map(|(k, x)| {
            let mut x = *x;
            if is_jump_kind(code_op(x.op)) {
                x.d = x.a as i32 - (half + k) as i32;
            }
            x
        }));
        // The run loop relies on this for soundness: its dispatch has no arm for these bytes.
        assert!(
            all.iter().all(|x| !(OP_END..=F_BEFORE).contains(&x.op)),
            "prepared code holds a byte that is no opcode"
        );
        XCode {
            code: all,
            half,
            consts: code.consts.clone(),
            n_slots: code.n_slots(),
            arity: code.arity,
            frame_size: code.n_slots() + max_stack + 1,
        }
    }
}

impl Prepared {
    /// Prepares a (verified) program; `fuse` turns superinstructions on. Frames are sized
    /// from each code object's `max_stack`, which `Bytecode::new` set from the verifier.
    pub fn new(bc: &Bytecode, fuse: bool) -> Prepared {
        Prepared {
            codes: bc
                .code()
                .iter()
                .map(|c| XCode::new(c, c.max_stack, fuse))
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use zexus_runtime::ops;
    use zexus_runtime::Value;

    /// The fast path agrees with the operators wherever it answers, and answers for every
    /// exact int result (so nothing falls back needlessly).
    #[test]
    fn int_fast_path_matches_the_operators() {
        let mut vals: Vec<i64> = (-17..=17).collect();
        for p in 0..63 {
            vals.extend([1i64 << p, -(1i64 << p), (1i64 << p) + 1, (1i64 << p) - 1]);
        }
        vals.extend([i64::MIN, i64::MAX, i64::MIN + 1, 1_000_000_007, -1_000_003]);
        for &x in &vals {
            for &y in &vals {
                for (k, op) in [
                    (K_MOD, ops::int_mod as fn(i64, i64) -> _),
                    (K_DIV, ops::int_div),
                ] {
                    let want = op(x, y);
                    match int_arith(k, x, y) {
                        Some(r) => assert_eq!(want, Ok(Value::int(r)), "{k} {x} {y}"),
                        // i64::MIN % -1 (0) is left to the slow path.
                        None => assert!(
                            (x, y) == (i64::MIN, -1)
                                || !matches!(want, Ok(ref v) if v.tag() == zexus_runtime::value::TAG_INT),
                            "{k} {x} {y}: fast path declined an int result {want:?}"
                        ),
                    }
                }
            }
        }
    }
}
