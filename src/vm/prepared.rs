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

use crate::bytecode::{Builtin, Bytecode, CodeObject, Instr, Op};

/// An internal instruction: 32 bytes, room for a fused shape's operands.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub(crate) struct XInstr {
    /// A base opcode (`Op as u8`) or one of the `F_*` superinstructions.
    pub op: u8,
    /// Sub-operation of a superinstruction (`K_*`).
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
/// `counter = cbase + address >> COUNTER_SHIFT` (see `run.rs`), which needs this exact ratio.
pub(crate) const XINSTR_SIZE: usize = std::mem::size_of::<XInstr>();
/// `log2(XINSTR_SIZE / size_of::<u64>())`: see [`XINSTR_SIZE`].
pub(crate) const COUNTER_SHIFT: u32 = 2;
const _: () = assert!(XINSTR_SIZE == 32 && std::mem::align_of::<XInstr>() == 8);
const _: () = assert!(XINSTR_SIZE >> COUNTER_SHIFT == std::mem::size_of::<u64>());
// The fields the run loop reads (`ins.imm` as one 8-byte word, the rest packed before it).
const _: () = assert!(std::mem::offset_of!(XInstr, imm) == 24);

/// The bytes that are no instruction: `OP_END..=F_BEFORE`, after the base opcodes and before
/// the first superinstruction. The superinstructions end at 255, so that the run loop's
/// `match` on the opcode byte is a jump table over every byte with no range check (a new
/// superinstruction takes the number below the lowest and moves `F_BEFORE` down; the run
/// loop's `match` does not compile until it does).
pub(crate) const OP_END: u8 = crate::bytecode::ALL_OPS.len() as u8;
/// See [`OP_END`].
pub(crate) const F_BEFORE: u8 = F_GET_ATTR_S - 1;

/// `LOAD_NAME o; GET_ATTR name`: push slot[o].name (a = o, c = the name's constant), without
/// copying the object onto the stack first (`this.x`, `node.next`).
pub(crate) const F_GET_ATTR_S: u8 = 210;
/// `LOAD_NAME y; LOAD_CONST null; EQ | NEQ; JUMP_IF_FALSE t` (`while (node != null)`): a = y,
/// k = `K_EQ` or `K_NEQ`, d = t. Comparing with `null` is a test of the tag.
pub(crate) const F_NULL_JF: u8 = 211;

/// `LOAD_NAME y; LOAD_CONST f; OP` with a float constant `f`: push `y OP f` when `y` is a
/// number (a = y, imm = the float's bits, k = `K_ADD`, `K_SUB`, `K_MUL` or `K_DIV`).
pub(crate) const F_FARITH_SK: u8 = 212;
/// `LOAD_CONST f; OP` with a float constant `f`: the top becomes `top OP f` when it is a number
/// (imm = the float's bits, k as in [`F_FARITH_SK`]).
pub(crate) const F_FARITH_TK: u8 = 213;

/// `LOAD_NAME l; LOAD_NAME v; CALL_BUILTIN append 2; POP`: a = l, c = v.
pub(crate) const F_APPEND_SS_POP: u8 = 214;
/// `LOAD_NAME l; LOAD_CONST v; CALL_BUILTIN append 2; POP`: a = l, c = the constant's index.
pub(crate) const F_APPEND_SK_POP: u8 = 215;
/// `LOAD_NAME o; LOAD_NAME k; INDEX; JUMP_IF_FALSE t` (`if (xs[k])`): a = o, c = k, d = t.
pub(crate) const F_INDEX_SS_JF: u8 = 216;
const _: () = assert!(F_ARITH_SK_CMP_JF == u8::MAX);

/// `y z CMP JUMP_IF_FALSE t` on two slots: a = y, c = z, d = t, k = comparison.
pub(crate) const F_CMP_SS_JF: u8 = 217;
/// `y k CMP JUMP_IF_FALSE t`: a = y, imm = k, d = t.
pub(crate) const F_CMP_SK_JF: u8 = 218;
/// `x = y OP z`: a = y, c = z, d = x, k = arithmetic op.
pub(crate) const F_ARITH_SS_ST: u8 = 219;
/// `x = y OP k`: a = y, imm = k, d = x.
pub(crate) const F_ARITH_SK_ST: u8 = 220;
/// push `y OP z`.
pub(crate) const F_ARITH_SS: u8 = 221;
/// push `y OP k`.
pub(crate) const F_ARITH_SK: u8 = 222;
/// replace the top with `top OP k`.
pub(crate) const F_ARITH_TK: u8 = 223;
/// push slot a, then slot c.
pub(crate) const F_LOAD2: u8 = 224;
/// `CMP JUMP_IF_FALSE t` on the two top values.
pub(crate) const F_CMP_JF: u8 = 225;
/// A `JUMP` to a loop header that is an `F_CMP_SS_JF`: runs the header's test directly.
/// a, c, k as the header's; x = the header's ip; d = exit target and e = body start, relative
/// to the jump.
pub(crate) const F_JMP_CMP_SS: u8 = 226;
/// A `JUMP` to a loop header that is an `F_CMP_SK_JF` (imm = the constant).
pub(crate) const F_JMP_CMP_SK: u8 = 227;

/// `LOAD_NAME z; OP`: top = top OP slot a.
pub(crate) const F_ARITH_TS: u8 = 228;
/// `LOAD_NAME z; OP; STORE_NAME x`: slot x = pop OP slot a.
pub(crate) const F_ARITH_TS_ST: u8 = 229;
/// `LOAD_CONST k; OP; STORE_NAME x`: slot x = pop OP imm.
pub(crate) const F_ARITH_TK_ST: u8 = 230;
/// `LOAD_CONST k; LOAD_NAME y; OP`: push imm OP slot a.
pub(crate) const F_ARITH_KS: u8 = 231;
/// `LOAD_CONST k; CMP; JUMP_IF_FALSE t`: pop, compare with imm, branch (d relative).
pub(crate) const F_CMP_TK_JF: u8 = 232;
/// `LOAD_NAME y; STORE_NAME x`: slot x = slot a.
pub(crate) const F_MOVE: u8 = 233;
/// `LOAD_NAME y; LOAD_NAME z; OP; OP2`: top = top OP2 (slot a OP slot c), OP2 in x.
pub(crate) const F_ARITH_SS_OP: u8 = 234;
/// `LOAD_NAME o; LOAD_NAME k; INDEX`: push slot a [slot c].
pub(crate) const F_INDEX_SS: u8 = 235;
/// `LOAD_NAME o; LOAD_NAME k; LOAD_CONST v; STORE_INDEX`: slot a [slot c] = consts[x].
pub(crate) const F_STORE_INDEX_SSK: u8 = 236;

// Copies of the hottest shapes with the operation in the opcode rather than in `k`, so that
// their handlers do the operation directly instead of dispatching on `k` a second time
// (`specialise`; the generic shapes cover the other kinds).
/// `F_ARITH_SS_ST` adding.
pub(crate) const F_ADD_SS_ST: u8 = 237;
/// `F_ARITH_SS_ST` subtracting.
pub(crate) const F_SUB_SS_ST: u8 = 238;
/// `F_ARITH_SK_ST` adding.
pub(crate) const F_ADD_SK_ST: u8 = 239;
/// `F_ARITH_SK_ST` subtracting.
pub(crate) const F_SUB_SK_ST: u8 = 240;
/// `F_ARITH_SS` adding.
pub(crate) const F_ADD_SS: u8 = 241;
/// `F_ARITH_SK` adding.
pub(crate) const F_ADD_SK: u8 = 242;
/// `F_ARITH_SK` subtracting.
pub(crate) const F_SUB_SK: u8 = 243;
/// `F_CMP_SS_JF` testing `<`.
pub(crate) const F_LT_SS_JF: u8 = 244;
/// `F_CMP_SK_JF` testing `<`.
pub(crate) const F_LT_SK_JF: u8 = 245;
/// `F_JMP_CMP_SS` testing `<`.
pub(crate) const F_JMP_LT_SS: u8 = 246;
/// `F_JMP_CMP_SK` testing `<`.
pub(crate) const F_JMP_LT_SK: u8 = 247;

/// `v = v + c; JUMP h` where `h` is an `F_CMP_SS_JF` on `v` (the step and test of a counting
/// loop, like Lua's FORLOOP): a = v, c = the header's second slot, imm = the step c, x = h,
/// d / e = exit / continue (relative), k = the comparison.
pub(crate) const F_INC_JMP_SS: u8 = 248;
/// As `F_INC_JMP_SS` with an `F_CMP_SK_JF` header: imm = the header's constant, and the
/// step in `c` (as an `i32`).
pub(crate) const F_INC_JMP_SK: u8 = 249;
/// `F_INC_JMP_SS` testing `<`.
pub(crate) const F_INC_JMP_LT_SS: u8 = 250;
/// `F_INC_JMP_SK` testing `<`.
pub(crate) const F_INC_JMP_LT_SK: u8 = 251;

/// `y z OP w OP2 STORE x` on slots (`t = (a + b) % m`): a = y, c = z, imm = w, d = OP2's
/// kind, x = the destination, k = OP.
pub(crate) const F_ARITH_SS_S_ST: u8 = 253;
/// `CALL_BUILTIN append 2; POP`: an `append` statement.
pub(crate) const F_APPEND_POP: u8 = 252;
/// `LOAD_NAME y; STORE_NAME x; LOAD_NAME z; STORE_NAME w`, two moves in a row (the rotation
/// `a = b; b = t`): a = y, x = x, c = z, imm = w.
pub(crate) const F_MOVE2: u8 = 254;
/// `y k OP k2 CMP JUMP_IF_FALSE t` (`if (n % 2 == 0)`): a = y, imm = k, k = OP, c = k2 (an
/// i32), x = CMP's kind, d = t.
pub(crate) const F_ARITH_SK_CMP_JF: u8 = 255;

/// The specialised copy of a shape with operation `k`, if it has one.
fn specialise(op: u8, k: u8) -> u8 {
    match (op, k) {
        (F_ARITH_SS_ST, K_ADD) => F_ADD_SS_ST,
        (F_ARITH_SS_ST, K_SUB) => F_SUB_SS_ST,
        (F_ARITH_SK_ST, K_ADD) => F_ADD_SK_ST,
        (F_ARITH_SK_ST, K_SUB) => F_SUB_SK_ST,
        (F_ARITH_SS, K_ADD) => F_ADD_SS,
        (F_ARITH_SK, K_ADD) => F_ADD_SK,
        (F_ARITH_SK, K_SUB) => F_SUB_SK,
        (F_CMP_SS_JF, K_LT) => F_LT_SS_JF,
        (F_CMP_SK_JF, K_LT) => F_LT_SK_JF,
        (F_JMP_CMP_SS, K_LT) => F_JMP_LT_SS,
        (F_JMP_CMP_SK, K_LT) => F_JMP_LT_SK,
        (F_INC_JMP_SS, K_LT) => F_INC_JMP_LT_SS,
        (F_INC_JMP_SK, K_LT) => F_INC_JMP_LT_SK,
        _ => op,
    }
}

/// Comparison kinds (`k` of the compare superinstructions): the runtime's `CMP_*` numbers.
pub(crate) const K_LT: u8 = zexus_runtime::ops::CMP_LT as u8;
pub(crate) const K_GT: u8 = zexus_runtime::ops::CMP_GT as u8;
pub(crate) const K_LTE: u8 = zexus_runtime::ops::CMP_LTE as u8;
pub(crate) const K_GTE: u8 = zexus_runtime::ops::CMP_GTE as u8;
pub(crate) const K_EQ: u8 = zexus_runtime::ops::CMP_EQ as u8;
pub(crate) const K_NEQ: u8 = zexus_runtime::ops::CMP_NEQ as u8;
/// Arithmetic kinds (`k` of the arithmetic superinstructions).
pub(crate) const K_ADD: u8 = 0;
pub(crate) const K_SUB: u8 = 1;
pub(crate) const K_MUL: u8 = 2;
pub(crate) const K_MOD: u8 = 3;
pub(crate) const K_DIV: u8 = 4;

fn cmp_kind(o: Op) -> Option<u8> {
    Some(match o {
        Op::LT => K_LT,
        Op::GT => K_GT,
        Op::LTE => K_LTE,
        Op::GTE => K_GTE,
        Op::EQ => K_EQ,
        Op::NEQ => K_NEQ,
        _ => return None,
    })
}

fn arith_kind(o: Op) -> Option<u8> {
    Some(match o {
        Op::ADD => K_ADD,
        Op::SUB => K_SUB,
        Op::MUL => K_MUL,
        Op::MOD => K_MOD,
        Op::DIV => K_DIV,
        _ => return None,
    })
}

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

/// The bits of a float constant loaded by `ins`, as the `imm` of the float shapes.
fn float_const(code: &CodeObject, ins: Instr) -> Option<i64> {
    (ins.op == Op::LOAD_CONST)
        .then(|| code.consts[ins.a as usize].as_float())
        .flatten()
        .map(|f| f.to_bits() as i64)
}

/// The arithmetic kinds the float shapes compute (modulo and power take the general path).
fn float_arith_kind(op: Op) -> Option<u8> {
    arith_kind(op).filter(|&k| matches!(k, K_ADD | K_SUB | K_MUL | K_DIV))
}

fn null_const(code: &CodeObject, ins: Instr) -> bool {
    ins.op == Op::LOAD_CONST && code.consts[ins.a as usize].tag() == zexus_runtime::value::TAG_NULL
}

fn int_const(code: &CodeObject, ins: Instr) -> Option<i64> {
    (ins.op == Op::LOAD_CONST)
        .then(|| code.consts[ins.a as usize].as_int())
        .flatten()
}

/// The superinstruction starting at `ip`, if a shape matches there.
fn fuse_at(code: &CodeObject, ip: usize, is_target: &[bool]) -> Option<XInstr> {
    let ins = &code.instrs;
    let get = |i: usize| ins.get(ip + i).copied();
    // A shape of `n` instructions may not have a jump landing in its middle.
    let clear = |n: usize| ip + n <= ins.len() && (1..n).all(|i| !is_target[ip + i]);
    let rel = |t: u32| t as i32 - ip as i32;
    let mk = |op: u8, k: u8, n: u8, a: u32, c: u32, x: u32, d: i32, imm: i64| XInstr {
        op,
        k,
        n,
        _pad: 0,
        a,
        c,
        x,
        d,
        e: 0,
        imm,
    };
    let i0 = get(0)?;
    if i0.op == Op::LOAD_NAME && clear(4) {
        let (i1, i2, i3) = (get(1)?, get(2)?, get(3)?);
        if (i2.op, i2.a, i2.b, i3.op) == (Op::CALL_BUILTIN, Builtin::Append as u32, 2, Op::POP) {
            match i1.op {
                Op::LOAD_NAME => return Some(mk(F_APPEND_SS_POP, 0, 4, i0.a, i1.a, 0, 0, 0)),
                Op::LOAD_CONST => return Some(mk(F_APPEND_SK_POP, 0, 4, i0.a, i1.a, 0, 0, 0)),
                _ => {}
            }
        }
        if (i1.op, i2.op, i3.op) == (Op::LOAD_NAME, Op::INDEX, Op::JUMP_IF_FALSE) {
            return Some(mk(F_INDEX_SS_JF, 0, 4, i0.a, i1.a, 0, rel(i3.a), 0));
        }
    }
    if i0.op == Op::CALL_BUILTIN
        && i0.a == Builtin::Append as u32
        && i0.b == 2
        && clear(2)
        && get(1)?.op == Op::POP
    {
        return Some(mk(F_APPEND_POP, 0, 2, 0, 0, 0, 0, 0));
    }
    if i0.op == Op::LOAD_NAME && clear(4) {
        let (i1, i2, i3) = (get(1)?, get(2)?, get(3)?);
        if (i1.op, i2.op, i3.op) == (Op::STORE_NAME, Op::LOAD_NAME, Op::STORE_NAME) {
            return Some(mk(F_MOVE2, 0, 4, i0.a, i2.a, i1.a, 0, i3.a as i64));
        }
    }
    if i0.op == Op::LOAD_NAME && clear(6) {
        let (i1, i2, i3, i4, i5) = (get(1)?, get(2)?, get(3)?, get(4)?, get(5)?);
        let small = int_const(code, i3).and_then(|v| i32::try_from(v).ok());
        if let (Some(v), Some(k), Some(v2), Some(ck), Op::JUMP_IF_FALSE) = (
            int_const(code, i1),
            arith_kind(i2.op),
            small,
            cmp_kind(i4.op),
            i5.op,
        ) {
            return Some(mk(
                F_ARITH_SK_CMP_JF,
                k,
                6,
                i0.a,
                v2 as u32,
                ck as u32,
                rel(i5.a),
                v,
            ));
        }
        if let (Op::LOAD_NAME, Some(k), Op::LOAD_NAME, Some(k2), Op::STORE_NAME) =
            (i1.op, arith_kind(i2.op), i3.op, arith_kind(i4.op), i5.op)
        {
            return Some(mk(
                F_ARITH_SS_S_ST,
                k,
                6,
                i0.a,
                i1.a,
                i5.a,
                k2 as i32,
                i3.a as i64,
            ));
        }
    }
    if i0.op == Op::LOAD_NAME && clear(4) {
        let (i1, i2, i3) = (get(1)?, get(2)?, get(3)?);
        if i3.op == Op::JUMP_IF_FALSE {
            if let Some(k) = cmp_kind(i2.op) {
                if i1.op == Op::LOAD_NAME {
                    return Some(mk(F_CMP_SS_JF, k, 4, i0.a, i1.a, 0, rel(i3.a), 0));
                }
                if let Some(v) = int_const(code, i1) {
                    return Some(mk(F_CMP_SK_JF, k, 4, i0.a, 0, 0, rel(i3.a), v));
                }
                if (k == K_EQ || k == K_NEQ) && null_const(code, i1) {
                    return Some(mk(F_NULL_JF, k, 4, i0.a, 0, 0, rel(i3.a), 0));
                }
            }
        }
        if i3.op == Op::STORE_NAME {
            if let Some(k) = arith_kind(i2.op) {
                if i1.op == Op::LOAD_NAME {
                    return Some(mk(F_ARITH_SS_ST, k, 4, i0.a, i1.a, i3.a, 0, 0));
                }
                if let Some(v) = int_const(code, i1) {
                    return Some(mk(F_ARITH_SK_ST, k, 4, i0.a, 0, i3.a, 0, v));
                }
            }
        }
    }
    if i0.op == Op::LOAD_NAME && clear(4) {
        let (i1, i2, i3) = (get(1)?, get(2)?, get(3)?);
        if i1.op == Op::LOAD_NAME {
            if let (Some(k), Some(k2)) = (arith_kind(i2.op), arith_kind(i3.op)) {
                return Some(mk(F_ARITH_SS_OP, k, 4, i0.a, i1.a, k2 as u32, 0, 0));
            }
            if i2.op == Op::LOAD_CONST && i3.op == Op::STORE_INDEX {
                return Some(mk(F_STORE_INDEX_SSK, 0, 4, i0.a, i1.a, i2.a, 0, 0));
            }
        }
    }
    if i0.op == Op::LOAD_NAME && clear(3) {
        let (i1, i2) = (get(1)?, get(2)?);
        if i1.op == Op::LOAD_NAME && i2.op == Op::INDEX {
            return Some(mk(F_INDEX_SS, 0, 3, i0.a, i1.a, 0, 0, 0));
        }
        if let (Some(k), Op::STORE_NAME) = (arith_kind(i1.op), i2.op) {
            return Some(mk(F_ARITH_TS_ST, k, 3, i0.a, 0, i2.a, 0, 0));
        }
        if let Some(k) = arith_kind(i2.op) {
            if i1.op == Op::LOAD_NAME {
                return Some(mk(F_ARITH_SS, k, 3, i0.a, i1.a, 0, 0, 0));
            }
            if let Some(v) = int_const(code, i1) {
                return Some(mk(F_ARITH_SK, k, 3, i0.a, 0, 0, 0, v));
            }
        }
        if let (Some(k), Some(v)) = (float_arith_kind(i2.op), float_const(code, i1)) {
            return Some(mk(F_FARITH_SK, k, 3, i0.a, 0, 0, 0, v));
        }
    }
    if let Some(v) = int_const(code, i0) {
        if clear(3) {
            let (i1, i2) = (get(1)?, get(2)?);
            if let (Some(k), Op::STORE_NAME) = (arith_kind(i1.op), i2.op) {
                return Some(mk(F_ARITH_TK_ST, k, 3, 0, 0, i2.a, 0, v));
            }
            if let (Some(k), Op::JUMP_IF_FALSE) = (cmp_kind(i1.op), i2.op) {
                return Some(mk(F_CMP_TK_JF, k, 3, 0, 0, 0, rel(i2.a), v));
            }
            if let (Op::LOAD_NAME, Some(k)) = (i1.op, arith_kind(i2.op)) {
                return Some(mk(F_ARITH_KS, k, 3, i1.a, 0, 0, 0, v));
            }
        }
    }
    if clear(2) {
        let i1 = get(1)?;
        if i0.op == Op::LOAD_NAME {
            if let Some(k) = arith_kind(i1.op) {
                return Some(mk(F_ARITH_TS, k, 2, i0.a, 0, 0, 0, 0));
            }
            if i1.op == Op::GET_ATTR {
                return Some(mk(F_GET_ATTR_S, 0, 2, i0.a, i1.a, 0, 0, 0));
            }
            if i1.op == Op::STORE_NAME {
                return Some(mk(F_MOVE, 0, 2, i0.a, 0, i1.a, 0, 0));
            }
        }
        if let (Some(v), Some(k)) = (int_const(code, i0), arith_kind(i1.op)) {
            return Some(mk(F_ARITH_TK, k, 2, 0, 0, 0, 0, v));
        }
        if let (Some(v), Some(k)) = (float_const(code, i0), float_arith_kind(i1.op)) {
            return Some(mk(F_FARITH_TK, k, 2, 0, 0, 0, 0, v));
        }
        if let (Some(k), Op::JUMP_IF_FALSE) = (cmp_kind(i0.op), i1.op) {
            return Some(mk(F_CMP_JF, k, 2, 0, 0, 0, rel(i1.a), 0));
        }
        if i0.op == Op::LOAD_NAME && i1.op == Op::LOAD_NAME {
            return Some(mk(F_LOAD2, 0, 2, i0.a, i1.a, 0, 0, 0));
        }
    }
    None
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
                let op = match h.op {
                    F_CMP_SS_JF => F_JMP_CMP_SS,
                    F_CMP_SK_JF => F_JMP_CMP_SK,
                    _ => continue,
                };
                let exit = t as i32 + h.d;
                fused[ip] = XInstr {
                    op,
                    k: h.k,
                    // The jump and the header's four instructions.
                    n: 5,
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
                let ss = j.op == F_JMP_CMP_SS;
                if !(ss || j.op == F_JMP_CMP_SK)
                    || st.op != F_ARITH_SK_ST
                    || st.k != K_ADD
                    || st.a != st.x
                    || st.a != j.a
                    || (ip - 3..=ip).any(|t| targets[t])
                    || (!ss && i32::try_from(st.imm).is_err())
                {
                    continue;
                }
                fused[ip - 4] = XInstr {
                    op: if ss { F_INC_JMP_SS } else { F_INC_JMP_SK },
                    k: j.k,
                    n: 4 + j.n,
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
