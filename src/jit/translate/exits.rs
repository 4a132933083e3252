//! How native code leaves and enters a loop: the entry guards on the specialised slot types,
//! the exits (the abstract stack written back, the exit site recorded) and the one shared exit
//! block that writes slot variables and counters back, the fuel check at backward jumps, and
//! the jumps between blocks.

use super::*;

impl<'a, 'f> Tr<'a, 'f> {
    /// Guards, variable initialisation, counters, then the jump to the header.
    pub(super) fn entry(&mut self) -> Result<(), JitError> {
        let guard_fail = self.b.create_block();
        self.b.set_cold_block(guard_fail);
        let typed: Vec<_> = self
            .slot_ty
            .iter()
            .filter(|(_, t)| **t != SlotType::Mem)
            .map(|(k, t)| (*k, *t))
            .collect();
        for &((sp, i), ty) in &typed {
            let base = self.base_of(sp);
            let tag = self
                .b
                .ins()
                .load(types::I64, mf(), base, tag_at(i as usize));
            let bad = self
                .b
                .ins()
                .icmp_imm_s(IntCC::NotEqual, tag, ty.tag() as i64);
            let next = self.b.create_block();
            self.b.ins().brif(bad, guard_fail, &[], next, &[]);
            self.b.switch_to_block(next);
        }
        for &((sp, i), ty) in &typed {
            let base = self.base_of(sp);
            let (cty, lty) = match ty {
                SlotType::Int => (types::I64, types::I64),
                SlotType::Float => (types::F64, types::F64),
                _ => (types::I8, types::I64),
            };
            let v = self.b.ins().load(lty, mf(), base, payload_at(i as usize));
            let v = if ty == SlotType::Bool {
                self.b.ins().ireduce(types::I8, v)
            } else {
                v
            };
            let var = self.b.declare_var(cty);
            self.b.def_var(var, v);
            self.slot_var.insert((sp, i), var);
        }
        let zero = self.iconst(0);
        let ctr = self.b.ins().load(types::I64, mf(), self.frame, F_CTR);
        for i in 0..self.ctr_vars.len() {
            let Some(v) = self.ctr_vars[i] else { continue };
            let is_state = self
                .meta
                .branches
                .iter()
                .any(|bc| bc.inline && bc.pred == i);
            let init = if is_state {
                self.b
                    .ins()
                    .load(types::I64, mf(), ctr, (i as i64 * CTR_SIZE) as i32)
            } else {
                zero
            };
            self.b.def_var(v, init);
        }
        let hb = self.blocks[&self.req.header].block;
        self.b.ins().jump(hb, &[]);
        // A failed guard returns at once: nothing ran, nothing to write back.
        self.b.switch_to_block(guard_fail);
        let z32 = self.b.ins().iconst(types::I32, 0);
        self.b.ins().store(mf(), z32, self.frame, F_EXIT);
        let ip = self.b.ins().iconst(types::I32, self.req.header as i64);
        self.b.ins().return_(&[ip]);
        Ok(())
    }

    /// Before a direct call of a compiled function, which reads globals from memory: the
    /// payloads of the globals this loop holds in variables (for the program itself, its
    /// slots are the globals) go back to memory. The callee writes none, so nothing is read
    /// back after it.
    pub(super) fn globals_to_memory(&mut self) {
        let main = self.req.is_main;
        self.vars_to_memory(|sp| sp == Space::Global || (main && sp == Space::Local));
    }

    /// The payloads of the slot variables in the spaces `keep` accepts, back to memory.
    pub(super) fn vars_to_memory(&mut self, keep: impl Fn(Space) -> bool) {
        let vars: Vec<_> = self
            .slot_var
            .iter()
            .filter(|((sp, _), _)| keep(*sp))
            .map(|(k, v)| (*k, *v))
            .collect();
        for ((sp, i), var) in vars {
            let v = self.b.use_var(var);
            let v = if self.slot_ty[&(sp, i)] == SlotType::Bool {
                self.b.ins().uextend(types::I64, v)
            } else {
                v
            };
            let base = self.base_of(sp);
            self.b.ins().store(mf(), v, base, payload_at(i as usize));
        }
    }

    /// The shared exit: slot payloads and counters back to memory, then return the ip.
    pub(super) fn exit_block(&mut self) {
        self.b.switch_to_block(self.exit_block);
        let params = self.b.block_params(self.exit_block).to_vec();
        self.vars_to_memory(|_| true);
        if !self.ctr_vars.is_empty() {
            let ctr = self.b.ins().load(types::I64, mf(), self.frame, F_CTR);
            for i in 0..self.ctr_vars.len() {
                if let Some(var) = self.ctr_vars[i] {
                    let v = self.b.use_var(var);
                    self.b
                        .ins()
                        .store(mf(), v, ctr, (i as i64 * CTR_SIZE) as i32);
                }
            }
        }
        self.b.ins().store(mf(), params[1], self.frame, F_EXIT);
        self.b.ins().return_(&[params[0]]);
    }

    /// Leaves native code at `ip` with `stack` as the operand stack (current block position).
    pub(super) fn emit_exit(
        &mut self,
        ip: u32,
        reason: ExitReason,
        stack: &[AV],
        slot: Option<(Space, u32)>,
    ) {
        for (i, &v) in stack.iter().enumerate() {
            let (t, p) = self.owned(v);
            self.b.ins().store(mf(), t, self.stack, tag_at(i));
            self.b.ins().store(mf(), p, self.stack, payload_at(i));
        }
        let (h, e) = (self.req.header, self.req.back_edge);
        let partial = if (h..=e).contains(&ip) {
            self.blocks[&self.cur_block].idx
        } else {
            None
        };
        let site = self.meta.exits.len();
        self.meta.exits.push(ExitSite {
            ip,
            reason,
            stack_len: stack.len() as u32,
            partial,
            slot,
            edge: self.cur_edge,
        });
        let ipv = self.b.ins().iconst(types::I32, ip as i64);
        let sv = self.b.ins().iconst(types::I32, site as i64);
        self.b.ins().jump(
            self.exit_block,
            &[BlockArg::Value(ipv), BlockArg::Value(sv)],
        );
    }

    /// With limits (`req.fuel`), takes `cost` from the fuel cell and exits at `ip` (a backward
    /// jump) when it goes negative.
    pub(super) fn spend_fuel(&mut self, ip: u32, cost: i64, stack: &[AV]) {
        let Some(addr) = self.req.fuel else { return };
        let out = crate::jit::emit::take_fuel(&mut self.b, addr, cost);
        self.exit_if(out, ip, ExitReason::Limit, stack);
    }

    /// Exits at `ip` when `cond` is true; continues in a new block otherwise.
    pub(super) fn exit_if(&mut self, cond: CV, ip: u32, reason: ExitReason, stack: &[AV]) {
        self.exit_if_slot(cond, ip, reason, stack, None)
    }

    pub(super) fn exit_if_slot(
        &mut self,
        cond: CV,
        ip: u32,
        reason: ExitReason,
        stack: &[AV],
        slot: Option<(Space, u32)>,
    ) {
        let exit = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(exit);
        self.b.ins().brif(cond, exit, &[], cont, &[]);
        self.b.switch_to_block(exit);
        self.emit_exit(ip, reason, stack, slot);
        self.b.switch_to_block(cont);
    }

    /// An unconditional exit: the rest of the block is dead code.
    pub(super) fn exit_now(&mut self, ip: u32, reason: ExitReason, stack: &[AV]) {
        self.emit_exit(ip, reason, stack, None);
    }

    /// Control goes to `to` with `stack`: a jump to its block, or an exit outside the loop.
    pub(super) fn goto(&mut self, to: u32, stack: &[AV]) {
        match self
            .blocks
            .get(&to)
            .filter(|bi| bi.reachable)
            .map(|bi| bi.block)
        {
            Some(blk) => {
                let mut args = Vec::new();
                for &v in stack {
                    let (t, p) = self.owned(v);
                    args.push(BlockArg::Value(t));
                    args.push(BlockArg::Value(p));
                }
                self.b.ins().jump(blk, &args);
            }
            None => self.emit_exit(to, ExitReason::LoopExit, stack, None),
        }
    }
}
