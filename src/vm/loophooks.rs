//! The run loop's profiling state ([`LoopHooks`]): the hooks, the dispatch count the loop keeps
//! in a register, and the base address of the running code object's taken-edge counters; and
//! the steps the loop's arms take on it (count a taken edge, record a branch, switch code
//! objects, refund a superinstruction that fell back, hand the hooks back when the loop is
//! left). Every step is `#[inline(always)]` and tests the level `L` first, so that a copy of
//! the loop without profiling keeps none of it; the loop holds the struct in a local, which
//! the compiler keeps in registers as it did the separate locals.
//!
//! SAFETY (all `unsafe fn` here): the run loop's invariants (`run.rs`) hold, and the hooks
//! were made for the running program (`ProfHooks::new`'s contract).

use super::frame::{Frame, LiveFrame, LVL_BASIC, LVL_DETAILED, LVL_FULL};
use super::prepared::{XCode, XInstr, COUNTER_SHIFT};
use super::profhooks::ProfHooks;
use super::state::RunState;

/// The profiling state of one run of the loop at level `L` (the methods' parameter).
pub(crate) struct LoopHooks<'a> {
    /// The run's hooks (BASIC and up); `None` without profiling.
    pub hooks: Option<&'a mut ProfHooks>,
    /// The loop's dispatches (BASIC and up), handed to the hooks when the loop is left.
    pub dispatches: u64,
    /// The taken-edge counter of the jump or branch at `ip` is at byte address
    /// `cbase + ip / 4`: counters are 8 bytes per 32-byte instruction, in a scratch array that
    /// covers both halves of the code (`ProfHooks::fold` derives exact counts from them).
    cbase: usize,
}

impl<'a> LoopHooks<'a> {
    /// The state of a run that starts in code object `cur` (prepared as `xc`); a `fresh` run
    /// (the program's, not a nested or resumed one) counts the program's entry.
    ///
    /// # Safety
    /// The module's contract; for `L >= LVL_BASIC`, `hooks` is `Some`.
    #[inline(always)]
    pub unsafe fn new<const L: u8>(
        mut hooks: Option<&'a mut ProfHooks>,
        cur: u32,
        xc: &XCode,
        fresh: bool,
    ) -> Self {
        let mut cbase = 0;
        if L >= LVL_BASIC {
            let h = hooks.as_deref_mut().expect("profiling run has hooks");
            cbase = Self::base_of(h, cur, xc);
            if fresh {
                // SAFETY: the module's contract: the program's entry counter is alive.
                unsafe { *h.calls[0] += 1 };
            }
        }
        LoopHooks {
            hooks,
            dispatches: 0,
            cbase,
        }
    }

    /// The counters' base address for code object `cur`, prepared as `xc`.
    #[inline(always)]
    fn base_of(h: &ProfHooks, cur: u32, xc: &XCode) -> usize {
        (h.counts[cur as usize] as usize).wrapping_sub(xc.code.as_ptr() as usize >> COUNTER_SHIFT)
    }

    /// The hooks of a profiling run.
    #[inline(always)]
    pub fn get(&mut self) -> &mut ProfHooks {
        self.hooks.as_deref_mut().expect("hooks")
    }

    /// The loop now runs code object `cur`, prepared as `xc`.
    #[inline(always)]
    pub fn switch<const L: u8>(&mut self, cur: u32, xc: &XCode) {
        if L >= LVL_BASIC {
            self.cbase = Self::base_of(self.get(), cur, xc);
        }
    }

    /// Counts one taken edge: the jump or branch at `ip` (BASIC and up). Only jumps taken are
    /// counted; `ProfHooks::fold` derives every instruction's exact count from them, the
    /// entries of each code object and the JIT's resumptions.
    ///
    /// # Safety
    /// The module's contract; `ip` is an instruction of the running code object.
    #[inline(always)]
    pub unsafe fn edge<const L: u8>(&self, ip: *const XInstr) {
        if L >= LVL_BASIC {
            // SAFETY: `ip` is in the running code object, whose counters start at `cbase`.
            unsafe { *(self.cbase.wrapping_add(ip as usize >> COUNTER_SHIFT) as *mut u64) += 1 };
        }
    }

    /// Records the outcome of the conditional branch at `pc` of code object `cur` (FULL).
    ///
    /// # Safety
    /// The module's contract; `pc` is an instruction of code object `cur`.
    #[inline(always)]
    pub unsafe fn branch<const L: u8>(&mut self, cur: u32, pc: usize, taken: bool) {
        if L >= LVL_FULL {
            // SAFETY: `pc` is an instruction of `cur` (the caller's contract).
            unsafe { self.get().branch(cur, pc, taken) };
        }
    }

    /// The JIT tier left a loop of code object `cur` (prepared as `xc`) to resume at `pc`: the
    /// interpreter did not count that entry (BASIC and up).
    ///
    /// # Safety
    /// The module's contract; `pc` is an instruction of code object `cur`.
    #[inline(always)]
    pub unsafe fn resumed<const L: u8>(&mut self, cur: u32, xc: &XCode, pc: usize) {
        if L >= LVL_BASIC {
            // SAFETY: the counts of `cur` cover both halves of its code and its entries.
            unsafe { *self.get().counts[cur as usize].add(2 * xc.half + pc) += 1 };
        }
    }

    /// A superinstruction of `n` instructions fell back to its originals (DETAILED and up: its
    /// dispatch is not counted as theirs).
    #[inline(always)]
    pub fn refund<const L: u8>(&mut self, n: u32) {
        if L >= LVL_DETAILED {
            self.get().refund(n);
        }
    }

    /// Ends the timing of the instruction being timed (DETAILED and up), so that what follows
    /// (native code, an error's unwinding) is not charged to it.
    #[inline(always)]
    pub fn finish_pending<const L: u8>(&mut self) {
        if L >= LVL_DETAILED {
            self.get().finish_pending();
        }
    }

    /// Returns from code object `cur` to the suspended caller `fr` (BASIC and up).
    ///
    /// # Safety
    /// The module's contract; `fr` is the frame popped for this return.
    #[inline(always)]
    pub unsafe fn returned<const L: u8>(&mut self, cur: u32, fr: &Frame) {
        if L >= LVL_BASIC {
            let d = self.dispatches;
            // SAFETY: the module's contract.
            unsafe { self.get().leave::<L>(cur, fr.t0, fr.code, d) };
        }
    }

    /// The loop is left: the dispatches go to the hooks, and the hooks back to `st`.
    #[inline(always)]
    pub fn hand_back<const L: u8>(mut self, st: &mut RunState<'a>) {
        if L >= LVL_BASIC {
            if let Some(h) = self.hooks.as_deref_mut() {
                h.dispatches += self.dispatches;
            }
        }
        st.prof = self.hooks;
    }

    /// The loop is left with an error raised by the instruction at `at`: the failing
    /// instruction was timed up to its error, and `st` records where the loop stopped and how
    /// many values are live.
    ///
    /// # Safety
    /// The module's contract; `at` is the loop's live frame.
    #[inline(always)]
    pub unsafe fn raised<const L: u8>(mut self, st: &mut RunState<'a>, at: LiveFrame) {
        self.finish_pending::<L>();
        // SAFETY: `sp` and `stk` point into the same buffer (the module's contract).
        st.live = unsafe { at.sp.offset_from(at.stk) } as usize;
        st.at = (at.code, at.pc as u32);
        self.hand_back::<L>(st);
    }
}
