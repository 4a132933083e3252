//! List elements inline: `o[k]`, `o[k] = v` and `append(l, v)` on the value store and the
//! byte-per-bool store of a compact list, with the helpers as the slow path.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, Block, BlockArg, InstBuilder, Value as CV};
use zexus_runtime::list::layout as list_layout;
use zexus_runtime::value::{TAG_BOOL, TAG_INT, TAG_LIST};

use super::*;

impl<'a, 'f> Tr<'a, 'f> {
    /// The (tag == LIST, key tag == INT, 0 <= key < len) test of an inline element access to
    /// the value store: returns the element's address (the builder is in the block that has
    /// it) and the pending test for the bool store of a compact list, which the caller emits
    /// with [`Self::bools_fast`] after filling this block. Offsets: [`list_layout`]; no borrow
    /// flag (the runtime's list module says why JIT code may touch a list between its methods).
    pub(super) fn list_fast(&mut self, o: (CV, CV), k: (CV, CV), slow: Block) -> (CV, BoolsCheck) {
        let is_list = self.b.ins().icmp_imm_s(IntCC::Equal, o.0, TAG_LIST as i64);
        let int_key = self.b.ins().icmp_imm_s(IntCC::Equal, k.0, TAG_INT as i64);
        let ok = self.b.ins().band(is_list, int_key);
        let b1 = self.b.create_block();
        self.b.ins().brif(ok, b1, &[], slow, &[]);
        self.b.switch_to_block(b1);
        let len = self
            .b
            .ins()
            .load(types::I64, mf(), o.1, list_layout::VALUES_LEN);
        let inb = self.b.ins().icmp(IntCC::UnsignedLessThan, k.1, len);
        let b2 = self.b.create_block();
        let check = BoolsCheck {
            block: self.b.create_block(),
            list: o.1,
            key: k.1,
        };
        self.b.ins().brif(inb, b2, &[], check.block, &[]);
        self.b.switch_to_block(b2);
        let data = self
            .b
            .ins()
            .load(types::I64, mf(), o.1, list_layout::VALUES_PTR);
        let off = self.b.ins().ishl_imm_u(k.1, V_SHIFT);
        (self.b.ins().iadd(data, off), check)
    }

    /// The second half of [`Self::list_fast`]: key < bools length for a compact list; returns
    /// the byte's address, with the builder in the block that has it.
    pub(super) fn bools_fast(&mut self, c: BoolsCheck, slow: Block) -> CV {
        self.b.switch_to_block(c.block);
        let len = self
            .b
            .ins()
            .load(types::I64, mf(), c.list, list_layout::BOOLS_LEN);
        let inb = self.b.ins().icmp(IntCC::UnsignedLessThan, c.key, len);
        let b = self.b.create_block();
        self.b.ins().brif(inb, b, &[], slow, &[]);
        self.b.switch_to_block(b);
        let data = self
            .b
            .ins()
            .load(types::I64, mf(), c.list, list_layout::BOOLS_PTR);
        self.b.ins().iadd(data, c.key)
    }

    /// `append(l, v)` inline when `l` is a list with room: a bool onto a compact (or empty)
    /// list as a byte, any value that owns no heap object (a plain copy) onto the value store;
    /// then jumps to `join`. Anything else goes to `slow` (the helper).
    pub(super) fn append_fast(&mut self, l: (CV, CV), v: (CV, CV), slow: Block, join: Block) {
        use list_layout::*;
        let is_list = self.b.ins().icmp_imm_s(IntCC::Equal, l.0, TAG_LIST as i64);
        let b0 = self.b.create_block();
        self.b.ins().brif(is_list, b0, &[], slow, &[]);
        self.b.switch_to_block(b0);
        let len = self.b.ins().load(types::I64, mf(), l.1, VALUES_LEN);
        let blen = self.b.ins().load(types::I64, mf(), l.1, BOOLS_LEN);
        let is_bool = self.b.ins().icmp_imm_s(IntCC::Equal, v.0, TAG_BOOL as i64);
        let no_values = self.b.ins().icmp_imm_s(IntCC::Equal, len, 0);
        let to_bools = self.b.ins().band(is_bool, no_values);
        let (bools, values) = (self.b.create_block(), self.b.create_block());
        self.b.ins().brif(to_bools, bools, &[], values, &[]);
        // A byte onto the bool store.
        self.b.switch_to_block(bools);
        let addr = self.push_room(l.1, blen, (BOOLS_CAP, BOOLS_PTR), 0, None, slow);
        self.b.ins().istore8(mf(), v.1, addr, 0);
        self.push_done(l.1, blen, BOOLS_LEN, join);
        // A 16-byte value onto the value store (only while the bool store is empty).
        self.b.switch_to_block(values);
        let plain = self
            .b
            .ins()
            .icmp_imm_s(IntCC::UnsignedLessThan, v.0, HEAP_TAG_MIN as i64);
        let no_bools = self.b.ins().icmp_imm_s(IntCC::Equal, blen, 0);
        let ok = self.b.ins().band(plain, no_bools);
        let addr = self.push_room(l.1, len, (VALUES_CAP, VALUES_PTR), V_SHIFT, Some(ok), slow);
        self.b.ins().store(mf(), v.0, addr, V_TAG);
        self.b.ins().store(mf(), v.1, addr, V_PAYLOAD);
        self.push_done(l.1, len, VALUES_LEN, join);
    }

    /// The room test of an inline `append` to one of a list's stores: `len` below the capacity
    /// at `cap_at` and below the length limit, and `ok` if given. Anything else goes to `slow`; otherwise
    /// the builder moves on to a block that has the address of the new element (elements of
    /// `1 << shift` bytes from the pointer at `ptr_at`), for the caller to write it.
    pub(super) fn push_room(
        &mut self,
        list: CV,
        len: CV,
        (cap_at, ptr_at): (i32, i32),
        shift: i64,
        ok: Option<CV>,
        slow: Block,
    ) -> CV {
        let max = zexus_runtime::ops::MAX_LIST_LEN as i64;
        let cap = self.b.ins().load(types::I64, mf(), list, cap_at);
        let room = self.b.ins().icmp(IntCC::UnsignedLessThan, len, cap);
        let under = self.b.ins().icmp_imm_s(IntCC::UnsignedLessThan, len, max);
        let ok = match ok {
            Some(ok) => self.b.ins().band(ok, room),
            None => room,
        };
        let ok = self.b.ins().band(ok, under);
        let fits = self.b.create_block();
        self.b.ins().brif(ok, fits, &[], slow, &[]);
        self.b.switch_to_block(fits);
        let data = self.b.ins().load(types::I64, mf(), list, ptr_at);
        let off = if shift == 0 {
            len
        } else {
            self.b.ins().ishl_imm_u(len, shift)
        };
        self.b.ins().iadd(data, off)
    }

    /// After [`Self::push_room`] and the element's write: the store's length (at `len_at`)
    /// becomes `len + 1`, then on to `join`.
    pub(super) fn push_done(&mut self, list: CV, len: CV, len_at: i32, join: Block) {
        let n = self.b.ins().iadd_imm_s(len, 1);
        self.b.ins().store(mf(), n, list, len_at);
        self.b.ins().jump(join, &[]);
    }

    /// `o[k]`: list elements inline, everything else through `rt_index`.
    pub(super) fn index(&mut self, o: AV, k: AV, ip: u32, pre: &[AV]) -> AV {
        let ob = self.boxed(o);
        let kb = self.boxed(k);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let join = self.b.create_block();
        self.b.append_block_param(join, types::I64);
        self.b.append_block_param(join, types::I64);
        let (addr, check) = self.list_fast(ob, kb, slow);
        let t = self.b.ins().load(types::I64, mf(), addr, V_TAG);
        let p = self.b.ins().load(types::I64, mf(), addr, V_PAYLOAD);
        self.if_heap_call(H::Incref, t, p);
        self.b
            .ins()
            .jump(join, &[BlockArg::Value(t), BlockArg::Value(p)]);
        let addr = self.bools_fast(check, slow);
        let p = self.b.ins().uload8(types::I64, mf(), addr, 0);
        let t = self.iconst(TAG_BOOL as i64);
        self.b
            .ins()
            .jump(join, &[BlockArg::Value(t), BlockArg::Value(p)]);
        self.b.switch_to_block(slow);
        let r = self.helper_value(H::Index, &[ob.0, ob.1, kb.0, kb.1], ip, pre);
        let AV::D(t, p, _) = r else {
            unreachable!("helper results are boxed")
        };
        self.b
            .ins()
            .jump(join, &[BlockArg::Value(t), BlockArg::Value(p)]);
        self.b.switch_to_block(join);
        let ps = self.b.block_params(join).to_vec();
        self.drop_av(o);
        self.drop_av(k);
        AV::D(ps[0], ps[1], Own::Owned)
    }

    /// `o[k] = v`: list elements inline, everything else through `rt_store_index`.
    pub(super) fn store_index(&mut self, o: AV, k: AV, v: AV, ip: u32, pre: &[AV]) {
        let ob = self.boxed(o);
        let kb = self.boxed(k);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        let join = self.b.create_block();
        let (addr, check) = self.list_fast(ob, kb, slow);
        // The list takes over a reference to `v`.
        let (vt, vp) = self.owned(v);
        let ot = self.b.ins().load(types::I64, mf(), addr, V_TAG);
        let op = self.b.ins().load(types::I64, mf(), addr, V_PAYLOAD);
        self.b.ins().store(mf(), vt, addr, V_TAG);
        self.b.ins().store(mf(), vp, addr, V_PAYLOAD);
        self.if_heap_call(H::Drop, ot, op);
        self.b.ins().jump(join, &[]);
        // A compact list takes a bool as a byte; anything else widens it (helper).
        let addr = self.bools_fast(check, slow);
        match v {
            AV::B(x) => {
                self.b.ins().store(mf(), x, addr, 0);
                self.b.ins().jump(join, &[]);
            }
            AV::D(t, p, _) => {
                let is_bool = self.b.ins().icmp_imm_s(IntCC::Equal, t, TAG_BOOL as i64);
                let put = self.b.create_block();
                self.b.ins().brif(is_bool, put, &[], slow, &[]);
                self.b.switch_to_block(put);
                self.b.ins().istore8(mf(), p, addr, 0);
                self.b.ins().jump(join, &[]);
            }
            AV::I(_) | AV::F(_) => {
                self.b.ins().jump(slow, &[]);
            }
        }
        self.b.switch_to_block(slow);
        let (vt, vp) = self.boxed(v);
        let st = self
            .call(H::StoreIndex, &[ob.0, ob.1, kb.0, kb.1, vt, vp])
            .expect("status");
        let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
        self.exit_if(failed, ip, ExitReason::Failed(Op::STORE_INDEX), pre);
        // The helper cloned `v`: give back the reference native code held.
        self.drop_av(v);
        self.b.ins().jump(join, &[]);
        self.b.switch_to_block(join);
        self.drop_av(o);
        self.drop_av(k);
    }
}

/// The pending bool-store test of an inline element access (see `list_fast`).
pub(super) struct BoolsCheck {
    /// The block that tests the bool store (reached when the value store test fails).
    pub(super) block: Block,
    /// The list object's address.
    pub(super) list: CV,
    /// The index (an int).
    pub(super) key: CV,
}
