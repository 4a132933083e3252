//! Arithmetic and comparisons: int operations with overflow checks (one compare against a
//! bound for a constant operand), floor modulo, int/float/bool compares inline, and the
//! generic `rt_binop`/`rt_compare` paths for other operand types.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, BlockArg, InstBuilder, Value as CV};
use zexus_runtime::jit_helpers as rt;
use zexus_runtime::value::{TAG_FLOAT, TAG_INT, TAG_NULL};

use super::*;

impl<'a, 'f> Tr<'a, 'f> {
    pub(super) fn generic_binop(&mut self, op: u64, a: AV, b: AV, ip: u32, pre: &[AV]) -> AV {
        let (at, ap) = self.boxed(a);
        let (bt, bp) = self.boxed(b);
        let k = self.iconst(op as i64);
        let r = self.helper_value(H::Binop, &[k, at, ap, bt, bp], ip, pre);
        self.drop_av(a);
        self.drop_av(b);
        r
    }

    /// `a OP b` (`+`, `-`, `*`, `/`) where an operand's type is known only at run time (a list
    /// element, a field, a helper's result) and each is a float or such a value: two floats
    /// (their tags tested) are computed inline, as the interpreter's float path does, and
    /// anything else goes to `rt_binop`. The result is a dynamic value either way.
    pub(super) fn dynamic_arith(&mut self, op: Op, a: AV, b: AV, ip: u32, pre: &[AV]) -> AV {
        let kind = match op {
            Op::ADD => rt::ArithKind::Add,
            Op::SUB => rt::ArithKind::Sub,
            Op::MUL => rt::ArithKind::Mul,
            _ => rt::ArithKind::Div,
        };
        let maybe_float = |v: AV| matches!(v, AV::F(_) | AV::D(..));
        if !maybe_float(a) || !maybe_float(b) {
            return self.generic_binop(kind as u64, a, b, ip, pre);
        }
        let (at, ap) = self.boxed(a);
        let (bt, bp) = self.boxed(b);
        let fa = self.b.ins().icmp_imm_s(IntCC::Equal, at, TAG_FLOAT as i64);
        let fb = self.b.ins().icmp_imm_s(IntCC::Equal, bt, TAG_FLOAT as i64);
        let floats = self.b.ins().band(fa, fb);
        let fast = self.b.create_block();
        let slow = self.b.create_block();
        let join = self.b.create_block();
        self.b.append_block_param(join, types::I64);
        self.b.append_block_param(join, types::I64);
        self.b.ins().brif(floats, fast, &[], slow, &[]);

        self.b.switch_to_block(fast);
        let x = self.b.ins().bitcast(types::F64, MemFlagsData::new(), ap);
        let y = self.b.ins().bitcast(types::F64, MemFlagsData::new(), bp);
        let r = match op {
            Op::ADD => self.b.ins().fadd(x, y),
            Op::SUB => self.b.ins().fsub(x, y),
            Op::MUL => self.b.ins().fmul(x, y),
            _ => {
                let z = self.b.ins().f64const(0.0);
                let zero = self.b.ins().fcmp(FloatCC::Equal, y, z);
                self.exit_if(zero, ip, ExitReason::DivisionByZero, pre);
                self.b.ins().fdiv(x, y)
            }
        };
        let rp = self.b.ins().bitcast(types::I64, MemFlagsData::new(), r);
        let ft = self.iconst(TAG_FLOAT as i64);
        self.b
            .ins()
            .jump(join, &[BlockArg::Value(ft), BlockArg::Value(rp)]);

        self.b.switch_to_block(slow);
        let k = self.iconst(kind as i64);
        let AV::D(st, sp, _) = self.helper_value(H::Binop, &[k, at, ap, bt, bp], ip, pre) else {
            unreachable!("a helper's result is a dynamic value")
        };
        self.b
            .ins()
            .jump(join, &[BlockArg::Value(st), BlockArg::Value(sp)]);

        self.b.switch_to_block(join);
        let params = self.b.block_params(join);
        let (t, p) = (params[0], params[1]);
        self.drop_av(a);
        self.drop_av(b);
        AV::D(t, p, Own::Owned)
    }

    /// The value of `v` if it is an `iconst`.
    pub(super) fn const_of(&self, v: CV) -> Option<i64> {
        let inst = self.b.func.dfg.value_def(v).inst()?;
        match self.b.func.dfg.insts[inst] {
            cranelift_codegen::ir::InstructionData::UnaryImm {
                opcode: cranelift_codegen::ir::Opcode::Iconst,
                imm,
            } => Some(imm.bits()),
            _ => None,
        }
    }

    /// `x + y`, `x - y` or `x * y` on ints, exiting on overflow. With a constant operand of an
    /// add or subtract the overflow test is one compare against a bound (which the CPU fuses
    /// with its branch) instead of a flag materialised and tested.
    pub(super) fn checked_arith(&mut self, op: Op, x: CV, y: CV, ip: u32, pre: &[AV]) -> CV {
        let (xc, yc) = (self.const_of(x), self.const_of(y));
        let konst = match (op, xc, yc) {
            (Op::ADD, _, Some(c)) => Some((x, c)),
            (Op::ADD, Some(c), _) => Some((y, c)),
            (Op::SUB, _, Some(c)) if c != i64::MIN => Some((x, -c)),
            _ => None,
        };
        if let Some((v, c)) = konst {
            let bounded = c == 1 && self.origin.get(&v).is_some_and(|s| self.below.contains(s));
            // v + c overflows iff v > MAX - c (c > 0) or v < MIN - c (c < 0).
            if c != 0 && !bounded {
                let of = if c > 0 {
                    self.b
                        .ins()
                        .icmp_imm_s(IntCC::SignedGreaterThan, v, i64::MAX - c)
                } else {
                    self.b
                        .ins()
                        .icmp_imm_s(IntCC::SignedLessThan, v, i64::MIN - c)
                };
                self.exit_if(of, ip, ExitReason::Overflow, pre);
            }
            return match op {
                Op::ADD => self.b.ins().iadd(x, y),
                _ => self.b.ins().isub(x, y),
            };
        }
        let (r, of) = match op {
            Op::ADD => self.b.ins().sadd_overflow(x, y),
            Op::SUB => self.b.ins().ssub_overflow(x, y),
            _ => self.b.ins().smul_overflow(x, y),
        };
        self.exit_if(of, ip, ExitReason::Overflow, pre);
        r
    }

    /// Floor modulo of ints, `y != 0`. Non-negative operands (the usual case) take an unsigned
    /// remainder, 32-bit when both fit (a shorter divide; by a constant, a multiply).
    pub(super) fn int_mod(&mut self, x: CV, y: CV) -> CV {
        let join = self.b.create_block();
        self.b.append_block_param(join, types::I64);
        let nonneg = self.b.create_block();
        let general = self.b.create_block();
        self.b.set_cold_block(general);
        let both = self.b.ins().bor(x, y);
        let pos = self
            .b
            .ins()
            .icmp_imm_s(IntCC::SignedGreaterThanOrEqual, both, 0);
        self.b.ins().brif(pos, nonneg, &[], general, &[]);
        self.b.switch_to_block(nonneg);
        let y_const = self.b.func.dfg.value_def(y).inst().is_some_and(|i| {
            matches!(
                self.b.func.dfg.insts[i].opcode(),
                cranelift_codegen::ir::Opcode::Iconst
            )
        });
        if y_const {
            let r = self.b.ins().urem(x, y);
            self.b.ins().jump(join, &[BlockArg::Value(r)]);
        } else {
            let small = self.b.create_block();
            let wide = self.b.create_block();
            let hi = self.b.ins().ushr_imm_u(both, 32);
            let fits = self.b.ins().icmp_imm_s(IntCC::Equal, hi, 0);
            self.b.ins().brif(fits, small, &[], wide, &[]);
            self.b.switch_to_block(small);
            let x32 = self.b.ins().ireduce(types::I32, x);
            let y32 = self.b.ins().ireduce(types::I32, y);
            let r32 = self.b.ins().urem(x32, y32);
            let r = self.b.ins().uextend(types::I64, r32);
            self.b.ins().jump(join, &[BlockArg::Value(r)]);
            self.b.switch_to_block(wide);
            let r = self.b.ins().urem(x, y);
            self.b.ins().jump(join, &[BlockArg::Value(r)]);
        }
        self.b.switch_to_block(general);
        let r = crate::jit::emit::floor_mod(&mut self.b, x, y);
        self.b.ins().jump(join, &[BlockArg::Value(r)]);
        self.b.switch_to_block(join);
        self.b.block_params(join)[0]
    }

    pub(super) fn compare(&mut self, op: Op, av: AV, bv: AV, ip: u32, pre: &[AV]) -> CV {
        let (icc, fcc, k) = match op {
            Op::EQ => (IntCC::Equal, FloatCC::Equal, rt::CmpKind::Eq as u64),
            Op::NEQ => (IntCC::NotEqual, FloatCC::NotEqual, rt::CmpKind::Neq as u64),
            Op::LT => (
                IntCC::SignedLessThan,
                FloatCC::LessThan,
                rt::CmpKind::Lt as u64,
            ),
            Op::GT => (
                IntCC::SignedGreaterThan,
                FloatCC::GreaterThan,
                rt::CmpKind::Gt as u64,
            ),
            Op::LTE => (
                IntCC::SignedLessThanOrEqual,
                FloatCC::LessThanOrEqual,
                rt::CmpKind::Lte as u64,
            ),
            _ => (
                IntCC::SignedGreaterThanOrEqual,
                FloatCC::GreaterThanOrEqual,
                rt::CmpKind::Gte as u64,
            ),
        };
        match (av, bv) {
            (AV::I(x), AV::I(y)) => {
                let r = self.b.ins().icmp(icc, x, y);
                if let (IntCC::SignedLessThan, Some(&slot)) = (icc, self.origin.get(&x)) {
                    self.last_lt = Some((r, slot));
                }
                r
            }
            (AV::F(_), AV::F(_) | AV::I(_)) | (AV::I(_), AV::F(_)) => {
                let x = self.float_of(av).expect("number");
                let y = self.float_of(bv).expect("number");
                self.b.ins().fcmp(fcc, x, y)
            }
            (AV::B(x), AV::B(y)) if matches!(op, Op::EQ | Op::NEQ) => self.b.ins().icmp(icc, x, y),
            _ => {
                let (at, ap) = self.boxed(av);
                let (bt, bp) = self.boxed(bv);
                // Two ints (the common case of list elements) inline, and `==`/`!=` with null
                // (a test of the tags: null equals only null); the rest in the helper.
                let both = self.b.ins().bor(at, bt);
                let ints = self.b.ins().icmp_imm_s(IntCC::Equal, both, TAG_INT as i64);
                let slow = self.b.create_block();
                let join = self.b.create_block();
                self.b.append_block_param(join, types::I8);
                self.b.set_cold_block(slow);
                let by_value = self.b.ins().icmp(icc, ap, bp);
                let (fast_ok, fast) = if matches!(op, Op::EQ | Op::NEQ) {
                    let an = self.b.ins().icmp_imm_s(IntCC::Equal, at, TAG_NULL as i64);
                    let bn = self.b.ins().icmp_imm_s(IntCC::Equal, bt, TAG_NULL as i64);
                    let null = self.b.ins().bor(an, bn);
                    let by_tag = self.b.ins().icmp(icc, at, bt);
                    let fast = self.b.ins().select(ints, by_value, by_tag);
                    (self.b.ins().bor(ints, null), fast)
                } else {
                    (ints, by_value)
                };
                self.b
                    .ins()
                    .brif(fast_ok, join, &[BlockArg::Value(fast)], slow, &[]);
                self.b.switch_to_block(slow);
                let kv = self.iconst(k as i64);
                let r = self
                    .call(H::Compare, &[kv, at, ap, bt, bp])
                    .expect("result");
                let failed = self.b.ins().icmp_imm_s(IntCC::Equal, r, 2);
                self.exit_if(failed, ip, ExitReason::Failed(op), pre);
                let r8 = self.b.ins().ireduce(types::I8, r);
                self.b.ins().jump(join, &[BlockArg::Value(r8)]);
                self.b.switch_to_block(join);
                let r = self.b.block_params(join)[0];
                self.drop_av(av);
                self.drop_av(bv);
                r
            }
        }
    }
}
