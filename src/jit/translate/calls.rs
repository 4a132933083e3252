//! Calls out of native code: runtime helpers (declared on first use, named by `HelperId`), their
//! failure exits, the allocation-site note before a call that may allocate, and direct calls of
//! functions compiled whole.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, FuncRef, InstBuilder, Value as CV};
use zexus_runtime::value::{TAG_FUNC, TAG_INT};

use super::*;

impl<'a, 'f> Tr<'a, 'f> {
    /// The import of helper `id`, declared on first use.
    pub(super) fn helper(&mut self, id: H) -> FuncRef {
        if let Some(&f) = self.helper_refs.get(&id) {
            return f;
        }
        let f = (self.declare)(Import::Helper(id), self.b.func);
        self.helper_refs.insert(id, f);
        f
    }

    /// Calls helper `id`; its result, if it has one.
    pub(super) fn call(&mut self, id: H, args: &[CV]) -> Option<CV> {
        if !matches!(
            id,
            H::Incref | H::Drop | H::Truthy | H::Compare | H::Len | H::Fmod | H::Fpow
        ) {
            self.note_alloc_site();
        }
        let f = self.helper(id);
        let inst = self.b.ins().call(f, args);
        self.b.inst_results(inst).first().copied()
    }

    /// A helper call writing a value to the out slot; exits at `ip` if it fails.
    pub(super) fn helper_value(&mut self, f: H, args: &[CV], ip: u32, pre: &[AV]) -> AV {
        let out = self.b.ins().stack_addr(types::I64, self.out_slot, 0);
        let mut a = args.to_vec();
        a.push(out);
        let st = self.call(f, &a).expect("status");
        let failed = self.b.ins().icmp_imm_s(IntCC::NotEqual, st, 0);
        self.exit_if(
            failed,
            ip,
            ExitReason::Failed(self.req.code.instrs[ip as usize].op),
            pre,
        );
        self.load_out()
    }

    /// Writes `vals` in order to the argument area as (tag, payload) pairs, for a helper or a
    /// host function that takes a pointer to values; `owned` gives each a count the callee
    /// takes over (borrowed values get one), else they are lent for the call. Returns the
    /// area's address.
    pub(super) fn spill_args(&mut self, vals: &[AV], owned: bool) -> CV {
        for (i, &v) in vals.iter().enumerate() {
            let (t, p) = if owned { self.owned(v) } else { self.boxed(v) };
            self.b
                .ins()
                .stack_store(types::I64, t, self.args_slot, tag_at(i));
            self.b
                .ins()
                .stack_store(types::I64, p, self.args_slot, payload_at(i));
        }
        self.b.ins().stack_addr(types::I64, self.args_slot, 0)
    }

    /// While allocations are recorded: writes the current instruction's site to the heap
    /// meter's site cell, before a call that may allocate (a helper or a builtin), as the
    /// interpreter writes its instruction pointer before each dispatch. Compiled code allocates
    /// only in such calls.
    pub(super) fn note_alloc_site(&mut self) {
        let Some((addr, code)) = self.req.alloc_site else {
            return;
        };
        let p = self.iconst(addr as i64);
        let v = self.iconst(crate::vm::allocsites::jit_site(code, self.cur_ip) as i64);
        self.b.ins().store(mf(), v, p, 0);
    }

    /// The compiled function a `CALL_NAME` through global `slot` with `argc` arguments can
    /// call directly: only in loops without counters, with int (or boxed) arguments.
    pub(super) fn native_args_ok(&self, slot: u32, argc: usize, stack: &[AV]) -> bool {
        !self.req.counters
            && stack.len() >= argc
            && self
                .req
                .natives
                .iter()
                .any(|n| n.slot == slot && n.arity as usize == argc)
            && stack[stack.len() - argc..]
                .iter()
                .all(|v| matches!(v, AV::I(_) | AV::D(..)))
    }

    /// A direct call of a compiled function (`jit::func`). The call has no side effects, so
    /// anything unexpected (an argument that is not an int, the slot rebound, the callee
    /// giving up) exits before the call with the arguments still on the stack, and the
    /// interpreter makes the call itself.
    pub(super) fn native_call(
        &mut self,
        ip: u32,
        slot: u32,
        argc: usize,
        stack: &mut Vec<AV>,
        pre: &[AV],
    ) {
        let nc = *self
            .req
            .natives
            .iter()
            .find(|n| n.slot == slot && n.arity as usize == argc)
            .expect("checked by native_args_ok");
        let first = stack.len() - argc;
        let ctx_slot = self
            .fn_ctx_slot
            .expect("a loop with native callees has the slot");
        let cx = self.b.ins().stack_addr(types::I64, ctx_slot, 0);
        let mut args = vec![cx];
        for v in stack[first..].iter().copied() {
            match v {
                AV::I(x) => args.push(x),
                AV::D(t, p, _) => {
                    let bad = self.b.ins().icmp_imm_s(IntCC::NotEqual, t, TAG_INT as i64);
                    self.exit_if(bad, ip, ExitReason::Unsupported(Op::CALL_NAME), pre);
                    args.push(p);
                }
                _ => unreachable!("checked by native_args_ok"),
            }
        }
        // The slot must still hold that function.
        let tag = self
            .b
            .ins()
            .load(types::I64, mf(), self.globals, tag_at(slot as usize));
        let fp = self
            .b
            .ins()
            .load(types::I64, mf(), self.globals, payload_at(slot as usize));
        let t_ok = self.b.ins().icmp_imm_s(IntCC::Equal, tag, TAG_FUNC as i64);
        let p_ok = self.b.ins().icmp_imm_s(IntCC::Equal, fp, nc.code as i64);
        let ok = self.b.ins().band(t_ok, p_ok);
        let bad = self.b.ins().icmp_imm_s(IntCC::Equal, ok, 0);
        self.exit_if(bad, ip, ExitReason::Unsupported(Op::CALL_NAME), pre);
        // A fresh `FnCtx`: depth 0, the room the VM allows, not given up, the globals, and
        // the stack budget from here.
        let zero = self.iconst(0);
        let room = self.b.ins().load(types::I64, mf(), self.frame, F_ROOM);
        self.b.ins().store(mf(), zero, cx, C_DEPTH);
        self.b.ins().store(mf(), room, cx, C_MAX);
        self.b.ins().store(mf(), zero, cx, C_ABANDON);
        self.b.ins().store(mf(), self.globals, cx, C_GLOBALS);
        let sp = self.b.ins().get_stack_pointer(types::I64);
        let lim = self
            .b
            .ins()
            .iadd_imm_s(sp, -(crate::jit::func::STACK_BUDGET as i64));
        self.b.ins().store(mf(), lim, cx, C_STACK_LIMIT);
        let f = match self.native_refs.get(&nc.code) {
            Some(&f) => f,
            None => {
                let f = (self.declare)(Import::Native(nc.id), self.b.func);
                self.native_refs.insert(nc.code, f);
                f
            }
        };
        self.globals_to_memory();
        let call = self.b.ins().call(f, &args);
        let r = self.b.inst_results(call)[0];
        let ab = self.b.ins().load(types::I64, mf(), cx, C_ABANDON);
        let gave_up = self.b.ins().icmp_imm_s(IntCC::NotEqual, ab, 0);
        self.exit_if(gave_up, ip, ExitReason::CallGaveUp, pre);
        stack.truncate(first);
        stack.push(match nc.ret {
            crate::jit::func::Ty::Int => AV::I(r),
            crate::jit::func::Ty::Bool => AV::B(self.b.ins().ireduce(types::I8, r)),
        });
    }
}
