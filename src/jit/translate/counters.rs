//! The inline counters: kept in registers (innermost loops) or in `frame.ctr`, and the taken
//! edge count and 2-bit predictor step of each conditional branch.

use super::*;

impl<'a, 'f> Tr<'a, 'f> {
    /// Counter `i`'s value.
    pub(super) fn ctr_get(&mut self, i: usize) -> CV {
        match self.ctr_vars[i] {
            Some(var) => self.b.use_var(var),
            None => {
                let base = self.b.ins().load(types::I64, mf(), self.frame, F_CTR);
                self.b
                    .ins()
                    .load(types::I64, mf(), base, (i as i64 * CTR_SIZE) as i32)
            }
        }
    }

    pub(super) fn ctr_set(&mut self, i: usize, v: CV) {
        match self.ctr_vars[i] {
            Some(var) => self.b.def_var(var, v),
            None => {
                let base = self.b.ins().load(types::I64, mf(), self.frame, F_CTR);
                self.b
                    .ins()
                    .store(mf(), v, base, (i as i64 * CTR_SIZE) as i32);
            }
        }
    }

    pub(super) fn incr(&mut self, i: usize, by: i64) {
        let v = self.ctr_get(i);
        let v = self.b.ins().iadd_imm_s(v, by);
        self.ctr_set(i, v);
    }

    /// Counts one outcome of the branch at `ip` (the taken edge only) and, at FULL, steps the
    /// 2-bit predictor.
    pub(super) fn branch_stat(&mut self, ip: u32, taken: bool) {
        let Some((tv, pred)) = self.branch_vars.get(&ip).copied() else {
            return;
        };
        if taken {
            self.incr(tv, 1);
        }
        let Some(pred) = pred else { return };
        // An inner loop's exit test falls through on every iteration and is taken once per
        // loop run: its state is nearly always saturated, so a well-predicted test skips the
        // update. Other branches (an `if` on data) update branch-free, since a skip would
        // itself mispredict.
        let mut cont = None;
        let v = self.ctr_get(pred);
        let s = self.b.ins().band_imm_u(v, 3);
        if self.loop_tests.contains(&ip) {
            let moving = self
                .b
                .ins()
                .icmp_imm_s(IntCC::NotEqual, s, if taken { 3 } else { 0 });
            let upd = self.b.create_block();
            let done = self.b.create_block();
            self.b.ins().brif(moving, upd, &[], done, &[]);
            self.b.switch_to_block(upd);
            cont = Some(done);
        }
        let nv = crate::jit::emit::predictor_step(&mut self.b, v, s, taken);
        self.ctr_set(pred, nv);
        if let Some(done) = cont {
            self.b.ins().jump(done, &[]);
            self.b.switch_to_block(done);
        }
    }
}
