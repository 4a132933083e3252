//! Values on the abstract stack: boxing to (tag, payload), reference counts (borrowed and
//! owned values), truthiness, and unboxed floats.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{types, BlockArg, InstBuilder, MemFlagsData, Value as CV};

use super::*;

impl<'a, 'f> Tr<'a, 'f> {
    /// Calls `f(tag, payload)` only for a heap tag.
    pub(super) fn if_heap_call(&mut self, id: H, t: CV, p: CV) {
        let heap =
            self.b
                .ins()
                .icmp_imm_s(IntCC::UnsignedGreaterThanOrEqual, t, HEAP_TAG_MIN as i64);
        let call = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(call);
        self.b.ins().brif(heap, call, &[], cont, &[]);
        self.b.switch_to_block(call);
        self.call(id, &[t, p]);
        self.b.ins().jump(cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// (tag, payload) of a value, without changing who owns it.
    pub(super) fn boxed(&mut self, v: AV) -> (CV, CV) {
        match v {
            AV::I(x) => (self.iconst(TAG_INT as i64), x),
            AV::F(x) => {
                let p = self.b.ins().bitcast(types::I64, MemFlagsData::new(), x);
                (self.iconst(TAG_FLOAT as i64), p)
            }
            AV::B(x) => {
                let p = self.b.ins().uextend(types::I64, x);
                (self.iconst(TAG_BOOL as i64), p)
            }
            AV::D(t, p, _) => (t, p),
        }
    }

    /// (tag, payload) of a value the caller will own (a borrowed heap value gets a count).
    pub(super) fn owned(&mut self, v: AV) -> (CV, CV) {
        let (t, p) = self.boxed(v);
        if let AV::D(_, _, Own::Slot(..) | Own::Const) = v {
            self.if_heap_call(H::Incref, t, p);
        }
        (t, p)
    }

    pub(super) fn drop_av(&mut self, v: AV) {
        if let AV::D(t, p, Own::Owned) = v {
            self.if_heap_call(H::Drop, t, p);
        }
    }

    /// A second reference to the same value.
    pub(super) fn dup(&mut self, v: AV) -> AV {
        match v {
            AV::D(t, p, Own::Owned) => {
                self.if_heap_call(H::Incref, t, p);
                AV::D(t, p, Own::Owned)
            }
            other => other,
        }
    }

    /// Truthiness as an `i8` 0/1.
    pub(super) fn truthy(&mut self, v: AV) -> CV {
        match v {
            AV::I(x) => self.b.ins().icmp_imm_s(IntCC::NotEqual, x, 0),
            AV::F(x) => {
                let z = self.b.ins().f64const(0.0);
                self.b.ins().fcmp(FloatCC::NotEqual, x, z)
            }
            AV::B(x) => x,
            AV::D(t, p, _) => {
                // Ints and bools inline (payload != 0), anything else through the helper.
                let t2 = self.b.ins().bor_imm_s(t, TAG_BOOL as i64);
                let simple = self.b.ins().icmp_imm_s(IntCC::Equal, t2, TAG_BOOL as i64);
                let slow = self.b.create_block();
                let join = self.b.create_block();
                self.b.append_block_param(join, types::I8);
                self.b.set_cold_block(slow);
                let fast = self.b.ins().icmp_imm_s(IntCC::NotEqual, p, 0);
                self.b
                    .ins()
                    .brif(simple, join, &[BlockArg::Value(fast)], slow, &[]);
                self.b.switch_to_block(slow);
                let r = self.call(H::Truthy, &[t, p]).expect("result");
                let r = self.b.ins().ireduce(types::I8, r);
                self.b.ins().jump(join, &[BlockArg::Value(r)]);
                self.b.switch_to_block(join);
                self.b.block_params(join)[0]
            }
        }
    }

    pub(super) fn float_of(&mut self, v: AV) -> Option<CV> {
        match v {
            AV::F(x) => Some(x),
            AV::I(x) => Some(self.b.ins().fcvt_from_sint(types::F64, x)),
            _ => None,
        }
    }

    pub(super) fn load_out(&mut self) -> AV {
        let t = self
            .b
            .ins()
            .stack_load(types::I64, types::I64, self.out_slot, V_TAG);
        let p = self
            .b
            .ins()
            .stack_load(types::I64, types::I64, self.out_slot, V_PAYLOAD);
        AV::D(t, p, Own::Owned)
    }
}
