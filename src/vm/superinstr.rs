//! The superinstructions, declared once.
//!
//! One table ([`superinstructions!`]) gives each superinstruction its name, the instructions it
//! replaces, the [`XInstr`] operands it fills from them and how many original instructions it
//! covers (its fallback: when its fast case does not apply, the run loop runs the first of
//! those instructions from the original half of the code and carries on there, so the covered
//! count is all the unfused path needs). From the table come
//! - the opcode numbers (module [`si`]), counted down from 255 so the run loop's `match` on the
//!   opcode byte covers every byte (see [`OP_END`](super::prepared::OP_END));
//! - the number of original instructions each covers (`si::n`), which the fuser stores in
//!   `XInstr::n` and the run loop's arms use to step over a shape;
//! - the matcher ([`fuse_at`]): the patterns tried longest first (a const assertion checks the
//!   table's order), the first that matches wins;
//! - [`specialise`]: the copies of the hottest shapes with their kind in the opcode.
//!
//! Shapes made by later passes over fused code (a back edge joined to its loop test, a counting
//! loop's step joined to that) are declared in the table's `derived` part with their count; the
//! passes in `prepared.rs` build them.

use zexus_runtime::ops::{ArithKind, CmpKind};

use super::prepared::XInstr;
use crate::bytecode::{Builtin, CodeObject, Instr, Op};

/// Declares the superinstructions: `patterns` (each `NAME = [matcher(binding), ...] => {
/// field: value, ... }`, longest first), `specialised` (`NAME = GENERIC(kind)`: `GENERIC` with
/// kind byte `kind`, given its own opcode so its arm does the operation directly) and `derived`
/// (`NAME covers N`, built by a pass over fused code). Each matcher is a function of
/// [`pat`] that takes one instruction and gives its binding, or `None` when it does not match.
macro_rules! superinstructions {
    (
        patterns {
            $( $(#[$pdoc:meta])* $pname:ident = [ $( $m:ident ( $b:pat ) ),+ ]
                => { $( $f:ident $( : $v:expr )? ),* $(,)? } ; )+
        }
        specialised {
            $( $(#[$sdoc:meta])* $sname:ident = $generic:ident ( $kind:expr ) ; )+
        }
        derived {
            $( $(#[$ddoc:meta])* $dname:ident covers $dn:literal ; )+
        }
    ) => {
        /// The superinstruction opcodes (bytes after the base opcodes), numbered in table order
        /// so that the last is 255.
        pub(crate) mod si {
            #[allow(non_camel_case_types, clippy::upper_case_acronyms)]
            #[repr(u8)]
            enum Order {
                $( $pname, )+
                $( $sname, )+
                $( $dname, )+
                COUNT,
            }
            /// The first superinstruction opcode.
            pub(crate) const FIRST: u8 = (256 - Order::COUNT as usize) as u8;
            $( $(#[$pdoc])* pub(crate) const $pname: u8 = FIRST + Order::$pname as u8; )+
            $( $(#[$sdoc])* pub(crate) const $sname: u8 = FIRST + Order::$sname as u8; )+
            $( $(#[$ddoc])* pub(crate) const $dname: u8 = FIRST + Order::$dname as u8; )+

            /// How many original instructions each superinstruction covers (a specialised copy
            /// covers what its generic shape does).
            pub(crate) mod n {
                $( #[doc = concat!("Instructions `", stringify!($pname), "` covers.")]
                   pub(crate) const $pname: u8 = [$( stringify!($m) ),+].len() as u8; )+
                $( #[doc = concat!("Instructions `", stringify!($dname), "` covers.")]
                   pub(crate) const $dname: u8 = $dn; )+
            }
        }

        // The matcher tries patterns in table order: the first match must be the longest.
        const _: () = {
            let lens = [$( si::n::$pname ),+];
            let mut i = 1;
            while i < lens.len() {
                assert!(lens[i] <= lens[i - 1], "patterns must be listed longest first");
                i += 1;
            }
        };

        /// The superinstruction starting at `ip` of `code`, if a pattern matches there with no
        /// jump (`is_target`) landing inside it.
        pub(crate) fn fuse_at(code: &CodeObject, ip: usize, is_target: &[bool]) -> Option<XInstr> {
            let cx = pat::Cx { code, ip };
            $(
                let found = 'shape: {
                    let n = si::n::$pname as usize;
                    if ip + n > code.instrs.len() || (1..n).any(|i| is_target[ip + i]) {
                        break 'shape None;
                    }
                    let mut it = code.instrs[ip..ip + n].iter();
                    $( let Some($b) = it.next().and_then(|&i| pat::$m(&cx, i)) else {
                        break 'shape None;
                    }; )+
                    Some(XInstr {
                        op: si::$pname,
                        n: si::n::$pname,
                        $( $f $( : $v )?, )*
                        ..XInstr::EMPTY
                    })
                };
                if found.is_some() {
                    return found;
                }
            )+
            None
        }

        /// The specialised copy of generic shape `op` with kind `k`, if it has one, else `op`.
        pub(crate) fn specialise(op: u8, k: u8) -> u8 {
            $( if op == si::$generic && k == $kind as u8 {
                return si::$sname;
            } )+
            op
        }
    };
}

superinstructions! {
    patterns {
        /// `y k OP k2 CMP JUMP_IF_FALSE t` (`if (n % 2 == 0)`): a = y, imm = k, k = OP, c = k2
        /// (an i32), x = CMP's kind, d = t.
        ARITH_SK_CMP_JF = [name(a), int(imm), arith(k), small_int(c), cmp(ck), jf(d)]
            => { a, imm, k, c: c as u32, x: ck as u32, d };
        /// `y z OP w OP2 STORE x` on slots (`t = (a + b) % m`): a = y, c = z, imm = w, d = OP2's
        /// kind, x = the destination, k = OP.
        ARITH_SS_S_ST = [name(a), name(c), arith(k), name(w), arith(k2), store(x)]
            => { a, c, k, imm: w as i64, d: k2 as i32, x };
        /// `LOAD_NAME l; LOAD_NAME v; CALL_BUILTIN append 2; POP`: a = l, c = v.
        APPEND_SS_POP = [name(a), name(c), append2(_), pop(_)] => { a, c };
        /// `LOAD_NAME l; LOAD_CONST v; CALL_BUILTIN append 2; POP`: a = l, c = the constant's
        /// index.
        APPEND_SK_POP = [name(a), konst(c), append2(_), pop(_)] => { a, c };
        /// `LOAD_NAME o; LOAD_NAME k; INDEX; JUMP_IF_FALSE t` (`if (xs[k])`): a = o, c = k, d = t.
        INDEX_SS_JF = [name(a), name(c), index(_), jf(d)] => { a, c, d };
        /// `LOAD_NAME y; STORE_NAME x; LOAD_NAME z; STORE_NAME w`, two moves in a row (the
        /// rotation `a = b; b = t`): a = y, x = x, c = z, imm = w.
        MOVE2 = [name(a), store(x), name(c), store(w)] => { a, x, c, imm: w as i64 };
        /// `y z CMP JUMP_IF_FALSE t` on two slots: a = y, c = z, d = t, k = comparison.
        CMP_SS_JF = [name(a), name(c), cmp(k), jf(d)] => { a, c, k, d };
        /// `y k CMP JUMP_IF_FALSE t`: a = y, imm = k, d = t.
        CMP_SK_JF = [name(a), int(imm), cmp(k), jf(d)] => { a, imm, k, d };
        /// `LOAD_NAME y; LOAD_CONST null; EQ | NEQ; JUMP_IF_FALSE t` (`while (node != null)`):
        /// a = y, k = `==` or `!=`, d = t. Comparing with `null` is a test of the tag.
        NULL_JF = [name(a), null(_), eq_neq(k), jf(d)] => { a, k, d };
        /// `x = y OP z`: a = y, c = z, x = x, k = arithmetic op.
        ARITH_SS_ST = [name(a), name(c), arith(k), store(x)] => { a, c, k, x };
        /// `x = y OP k`: a = y, imm = k, x = x.
        ARITH_SK_ST = [name(a), int(imm), arith(k), store(x)] => { a, imm, k, x };
        /// `LOAD_NAME y; LOAD_NAME z; OP; OP2`: top = top OP2 (slot a OP slot c), OP2 in x.
        ARITH_SS_OP = [name(a), name(c), arith(k), arith(k2)]
            => { a, c, k, x: k2 as u32 };
        /// `LOAD_NAME o; LOAD_NAME k; LOAD_CONST v; STORE_INDEX`: slot a [slot c] = consts[x].
        STORE_INDEX_SSK = [name(a), name(c), konst(v), store_index(_)] => { a, c, x: v };
        /// `LOAD_NAME o; LOAD_NAME k; INDEX`: push slot a [slot c].
        INDEX_SS = [name(a), name(c), index(_)] => { a, c };
        /// `LOAD_NAME z; OP; STORE_NAME x`: slot x = pop OP slot a.
        ARITH_TS_ST = [name(a), arith(k), store(x)] => { a, k, x };
        /// push `y OP z`.
        ARITH_SS = [name(a), name(c), arith(k)] => { a, c, k };
        /// push `y OP k`.
        ARITH_SK = [name(a), int(imm), arith(k)] => { a, imm, k };
        /// `LOAD_NAME y; LOAD_CONST f; OP` with a float constant `f`: push `y OP f` when `y` is
        /// a number (a = y, imm = the float's bits, k = `+`, `-`, `*` or `/`).
        FARITH_SK = [name(a), float(imm), farith(k)] => { a, imm, k };
        /// `LOAD_CONST k; OP; STORE_NAME x`: slot x = pop OP imm.
        ARITH_TK_ST = [int(imm), arith(k), store(x)] => { imm, k, x };
        /// `LOAD_CONST k; CMP; JUMP_IF_FALSE t`: pop, compare with imm, branch (d relative).
        CMP_TK_JF = [int(imm), cmp(k), jf(d)] => { imm, k, d };
        /// `LOAD_CONST k; LOAD_NAME y; OP`: push imm OP slot a.
        ARITH_KS = [int(imm), name(a), arith(k)] => { imm, a, k };
        /// `CALL_BUILTIN append 2; POP`: an `append` statement.
        APPEND_POP = [append2(_), pop(_)] => {};
        /// `LOAD_NAME z; OP`: top = top OP slot a.
        ARITH_TS = [name(a), arith(k)] => { a, k };
        /// `LOAD_NAME o; GET_ATTR name`: push slot[o].name (a = o, c = the name's constant),
        /// without copying the object onto the stack first (`this.x`, `node.next`).
        GET_ATTR_S = [name(a), get_attr(c)] => { a, c };
        /// `LOAD_NAME y; STORE_NAME x`: slot x = slot a.
        MOVE = [name(a), store(x)] => { a, x };
        /// replace the top with `top OP k`.
        ARITH_TK = [int(imm), arith(k)] => { imm, k };
        /// `LOAD_CONST f; OP` with a float constant `f`: the top becomes `top OP f` when it is a
        /// number (imm = the float's bits, k as in `FARITH_SK`).
        FARITH_TK = [float(imm), farith(k)] => { imm, k };
        /// `CMP JUMP_IF_FALSE t` on the two top values.
        CMP_JF = [cmp(k), jf(d)] => { k, d };
        /// push slot a, then slot c.
        LOAD2 = [name(a), name(c)] => { a, c };
    }
    specialised {
        /// `ARITH_SS_ST` adding.
        ADD_SS_ST = ARITH_SS_ST(ArithKind::Add);
        /// `ARITH_SS_ST` subtracting.
        SUB_SS_ST = ARITH_SS_ST(ArithKind::Sub);
        /// `ARITH_SK_ST` adding.
        ADD_SK_ST = ARITH_SK_ST(ArithKind::Add);
        /// `ARITH_SK_ST` subtracting.
        SUB_SK_ST = ARITH_SK_ST(ArithKind::Sub);
        /// `ARITH_SS` adding.
        ADD_SS = ARITH_SS(ArithKind::Add);
        /// `ARITH_SK` adding.
        ADD_SK = ARITH_SK(ArithKind::Add);
        /// `ARITH_SK` subtracting.
        SUB_SK = ARITH_SK(ArithKind::Sub);
        /// `CMP_SS_JF` testing `<`.
        LT_SS_JF = CMP_SS_JF(CmpKind::Lt);
        /// `CMP_SK_JF` testing `<`.
        LT_SK_JF = CMP_SK_JF(CmpKind::Lt);
        /// `JMP_CMP_SS` testing `<`.
        JMP_LT_SS = JMP_CMP_SS(CmpKind::Lt);
        /// `JMP_CMP_SK` testing `<`.
        JMP_LT_SK = JMP_CMP_SK(CmpKind::Lt);
        /// `INC_JMP_SS` testing `<`.
        INC_JMP_LT_SS = INC_JMP_SS(CmpKind::Lt);
        /// `INC_JMP_SK` testing `<`.
        INC_JMP_LT_SK = INC_JMP_SK(CmpKind::Lt);
    }
    derived {
        /// A `JUMP` to a loop header that is a `CMP_SS_JF`: runs the header's test directly
        /// (the jump and the header's four instructions). a, c, k as the header's; x = the
        /// header's ip; d = exit target and e = body start, relative to the jump.
        JMP_CMP_SS covers 5;
        /// A `JUMP` to a loop header that is a `CMP_SK_JF` (imm = the constant).
        JMP_CMP_SK covers 5;
        /// `v = v + c; JUMP h` where `h` is a `CMP_SS_JF` on `v` (the step and test of a
        /// counting loop, like Lua's FORLOOP; the step's four instructions and the jump's
        /// five): a = v, c = the header's second slot, imm = the step c, x = h, d / e = exit /
        /// continue (relative), k = the comparison.
        INC_JMP_SS covers 9;
        /// As `INC_JMP_SS` with a `CMP_SK_JF` header: imm = the header's constant, and the
        /// step in `c` (as an `i32`).
        INC_JMP_SK covers 9;
    }
}

/// The matchers of the table's patterns: each takes one instruction of a candidate shape and
/// gives what the shape binds from it, or `None`.
mod pat {
    use super::*;

    /// Where a shape is being matched.
    pub(super) struct Cx<'a> {
        /// The code object (its constants tell int, float and `null` loads apart).
        pub code: &'a CodeObject,
        /// The shape's first instruction (jump targets are stored relative to it).
        pub ip: usize,
    }

    /// `LOAD_NAME s`: the slot.
    pub(super) fn name(_: &Cx, i: Instr) -> Option<u32> {
        (i.op == Op::LOAD_NAME).then_some(i.a)
    }

    /// `STORE_NAME s`: the slot.
    pub(super) fn store(_: &Cx, i: Instr) -> Option<u32> {
        (i.op == Op::STORE_NAME).then_some(i.a)
    }

    /// `LOAD_CONST k`: the constant's index.
    pub(super) fn konst(_: &Cx, i: Instr) -> Option<u32> {
        (i.op == Op::LOAD_CONST).then_some(i.a)
    }

    /// `LOAD_CONST` of an int: the int.
    pub(super) fn int(cx: &Cx, i: Instr) -> Option<i64> {
        (i.op == Op::LOAD_CONST)
            .then(|| cx.code.consts[i.a as usize].as_int())
            .flatten()
    }

    /// `LOAD_CONST` of an int that fits an `i32`.
    pub(super) fn small_int(cx: &Cx, i: Instr) -> Option<i32> {
        int(cx, i).and_then(|v| i32::try_from(v).ok())
    }

    /// `LOAD_CONST` of a float: its bits.
    pub(super) fn float(cx: &Cx, i: Instr) -> Option<i64> {
        (i.op == Op::LOAD_CONST)
            .then(|| cx.code.consts[i.a as usize].as_float())
            .flatten()
            .map(|f| f.to_bits() as i64)
    }

    /// `LOAD_CONST null`.
    pub(super) fn null(cx: &Cx, i: Instr) -> Option<()> {
        (i.op == Op::LOAD_CONST
            && cx.code.consts[i.a as usize].tag() == zexus_runtime::value::TAG_NULL)
            .then_some(())
    }

    /// An arithmetic operator a shape computes (the others take the general path): its kind.
    pub(super) fn arith(_: &Cx, i: Instr) -> Option<u8> {
        let k = match i.op {
            Op::ADD => ArithKind::Add,
            Op::SUB => ArithKind::Sub,
            Op::MUL => ArithKind::Mul,
            Op::MOD => ArithKind::Mod,
            Op::DIV => ArithKind::Div,
            _ => return None,
        };
        Some(k as u8)
    }

    /// An arithmetic operator the float shapes compute (modulo takes the general path).
    pub(super) fn farith(cx: &Cx, i: Instr) -> Option<u8> {
        arith(cx, i).filter(|&k| k != ArithKind::Mod as u8)
    }

    /// A comparison: its kind.
    pub(super) fn cmp(_: &Cx, i: Instr) -> Option<u8> {
        let k = match i.op {
            Op::LT => CmpKind::Lt,
            Op::GT => CmpKind::Gt,
            Op::LTE => CmpKind::Lte,
            Op::GTE => CmpKind::Gte,
            Op::EQ => CmpKind::Eq,
            Op::NEQ => CmpKind::Neq,
            _ => return None,
        };
        Some(k as u8)
    }

    /// `EQ` or `NEQ`: its kind.
    pub(super) fn eq_neq(cx: &Cx, i: Instr) -> Option<u8> {
        cmp(cx, i).filter(|&k| k == CmpKind::Eq as u8 || k == CmpKind::Neq as u8)
    }

    /// `JUMP_IF_FALSE t`: the target relative to the shape's first instruction.
    pub(super) fn jf(cx: &Cx, i: Instr) -> Option<i32> {
        (i.op == Op::JUMP_IF_FALSE).then(|| i.a as i32 - cx.ip as i32)
    }

    /// `GET_ATTR name`: the name's constant.
    pub(super) fn get_attr(_: &Cx, i: Instr) -> Option<u32> {
        (i.op == Op::GET_ATTR).then_some(i.a)
    }

    /// `INDEX`.
    pub(super) fn index(_: &Cx, i: Instr) -> Option<()> {
        (i.op == Op::INDEX).then_some(())
    }

    /// `STORE_INDEX`.
    pub(super) fn store_index(_: &Cx, i: Instr) -> Option<()> {
        (i.op == Op::STORE_INDEX).then_some(())
    }

    /// `POP`.
    pub(super) fn pop(_: &Cx, i: Instr) -> Option<()> {
        (i.op == Op::POP).then_some(())
    }

    /// `CALL_BUILTIN append 2`.
    pub(super) fn append2(_: &Cx, i: Instr) -> Option<()> {
        (i.op == Op::CALL_BUILTIN && i.a == Builtin::Append as u32 && i.b == 2).then_some(())
    }
}
