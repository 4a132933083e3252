//! Feeds the cache simulation (`crate::profile::cache`) from the run loop. While the VM
//! simulates (FULL with [`crate::VmBuilder::cache_simulation`]), it runs the loop's checking
//! copy (`B`), which executes the original instructions one by one, and before each one the
//! loop calls [`CacheObserver::observe`] with the state the instruction will see: the
//! observer works out which element, entry, field or slot the instruction's memory operation
//! touches, sends its address to the model, and counts the outcome under (code object, ip).
//! When the run ends, the counts go to the profiler under its code profiles.

use zexus_runtime::value::Value;

use super::frame::LiveFrame;
use super::prepared::XInstr;
use crate::bytecode::opcodes::codes as op;
use crate::bytecode::Bytecode;
use crate::profile::{CacheConfig, CacheCount, CacheModel, InstructionProfiler};

/// The run's cache model and what each instruction saw of it.
pub(crate) struct CacheObserver {
    model: CacheModel,
    /// Per code object of the program (by bytecode index), per ip.
    counts: Vec<Vec<CacheCount>>,
}

impl CacheObserver {
    /// An empty cache of geometry `config`, for a run of `bc`.
    pub fn new(config: CacheConfig, bc: &Bytecode) -> CacheObserver {
        CacheObserver {
            model: CacheModel::new(config),
            counts: bc
                .code()
                .iter()
                .map(|c| vec![CacheCount::default(); c.instrs.len()])
                .collect(),
        }
    }

    /// Simulates the memory operation of `ins`, the instruction at the live frame `at` (its
    /// code object and pc), about to run; instructions that are not memory operations touch
    /// nothing.
    ///
    /// # Safety
    /// `at` is the run loop's live frame before executing `ins` (see [`LiveFrame`]): its
    /// slots and globals hold every slot `ins` names live, and the operands `ins` pops are
    /// live just below `at.sp`. (The verifier guarantees slots, constants and stack depths.)
    #[inline(never)]
    pub unsafe fn observe(&mut self, ins: &XInstr, at: &LiveFrame) {
        let (code, pc, slots, stk, sp, consts) =
            (at.code, at.pc, at.slots, at.stk, at.sp, at.consts);
        const VALUE: usize = std::mem::size_of::<Value>();
        let a = ins.a as usize;
        // SAFETY (each arm): the function's contract: the slots and operands read are live.
        let at: Option<(usize, usize)> = unsafe {
            match ins.op {
                op::LOAD_NAME | op::STORE_NAME | op::LOAD_CELL | op::STORE_CELL | op::CELL_REF => {
                    Some((slots.add(a) as usize, VALUE))
                }
                op::LOAD_GLOBAL | op::STORE_GLOBAL => Some((stk.add(a) as usize, VALUE)),
                op::INDEX => zexus_runtime::address::of_element(&*sp.sub(2), &*sp.sub(1)),
                op::STORE_INDEX => zexus_runtime::address::of_element(&*sp.sub(3), &*sp.sub(2)),
                op::GET_ATTR => consts
                    .get(a)
                    .and_then(|name| zexus_runtime::address::of_attr(&*sp.sub(1), name)),
                op::SET_ATTR => consts
                    .get(a)
                    .and_then(|name| zexus_runtime::address::of_attr(&*sp.sub(2), name)),
                _ => None,
            }
        };
        let Some((addr, len)) = at else {
            return;
        };
        let (refs, misses) = self.model.access(addr, len);
        if let Some(c) = self
            .counts
            .get_mut(code as usize)
            .and_then(|c| c.get_mut(pc))
        {
            c.accesses += 1;
            c.references += u64::from(refs);
            c.misses += u64::from(misses);
        }
    }

    /// Adds the run's counts to `prof` (code object `i` of the program is profile `ids[i]`).
    pub fn attribute(self, prof: &mut InstructionProfiler, ids: &[usize]) {
        prof.cache.config = Some(self.model.config());
        for (i, per_ip) in self.counts.iter().enumerate() {
            let Some(&id) = ids.get(i) else { continue };
            for (ip, c) in per_ip.iter().enumerate() {
                if c.accesses > 0 {
                    prof.cache.add(id, ip as u32, c);
                }
            }
        }
    }
}
