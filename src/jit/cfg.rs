//! The control-flow analysis both translators build their Cranelift blocks from: a region of
//! a code object (a loop's header to its back edge, or a whole function), its basic blocks'
//! first instructions (leaders), the incoming edges of each, and its backward jumps.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use crate::bytecode::{Instr, Op, OperandKind};

/// What ends a basic block besides a jump.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockEnds {
    /// Only jumps (loops: an instruction native code exits at ends the block's translation,
    /// and what follows it up to the next leader is never run natively).
    Jumps,
    /// Jumps and `RETURN` (whole functions: the instruction after a `RETURN` starts a block).
    JumpsAndReturns,
}

/// Leaders, predecessors and back edges of one region.
#[derive(Debug, Clone)]
pub struct Cfg {
    /// Its last ip.
    end: u32,
    /// First ip of each basic block, ascending; the first is the entry.
    leaders: Vec<u32>,
    /// Incoming edges of each block start, the entry counting one (over-counted where unsure:
    /// a fall-through from a jump-free instruction that does not continue, such as `RETURN`).
    preds: HashMap<u32, u32>,
    /// Backward `JUMP`s inside the region, as (target, jump ip), in ip order.
    back_edges: Vec<(u32, u32)>,
}

/// Whether `op` jumps (a target operand; `FOR_ITER`'s is not one: loops exit at it, functions
/// do not compile it).
fn jumps(op: Op) -> bool {
    matches!(op.operand_kind(), OperandKind::Target)
}

impl Cfg {
    /// The analysis of `instrs[region]`, entered at its start.
    pub fn new(instrs: &[Instr], region: RangeInclusive<usize>, ends: BlockEnds) -> Cfg {
        let (h, e) = (*region.start(), *region.end());
        let mut leaders = vec![h as u32];
        for ip in region.clone() {
            let ins = instrs[ip];
            let ends_block = match ends {
                BlockEnds::Jumps => jumps(ins.op),
                BlockEnds::JumpsAndReturns => jumps(ins.op) || ins.op == Op::RETURN,
            };
            if jumps(ins.op) && region.contains(&(ins.a as usize)) {
                leaders.push(ins.a);
            }
            if ends_block && ip < e {
                leaders.push(ip as u32 + 1);
            }
        }
        leaders.sort_unstable();
        leaders.dedup();
        let mut preds: HashMap<u32, u32> = HashMap::new();
        *preds.entry(h as u32).or_default() += 1;
        let mut back_edges = Vec::new();
        for ip in region.clone() {
            let ins = instrs[ip];
            let t = ins.a as usize;
            if jumps(ins.op) && region.contains(&t) {
                *preds.entry(t as u32).or_default() += 1;
            }
            if ins.op != Op::JUMP && ip < e && leaders.binary_search(&(ip as u32 + 1)).is_ok() {
                *preds.entry(ip as u32 + 1).or_default() += 1;
            }
            if ins.op == Op::JUMP && (h..=ip).contains(&t) {
                back_edges.push((t as u32, ip as u32));
            }
        }
        Cfg {
            end: e as u32,
            leaders,
            preds,
            back_edges,
        }
    }

    /// The basic blocks as (first ip, last ip), in ip order.
    pub fn blocks(&self) -> impl Iterator<Item = (u32, u32)> + '_ {
        self.leaders.iter().enumerate().map(|(i, &l)| {
            let last = self.leaders.get(i + 1).map_or(self.end, |n| n - 1);
            (l, last)
        })
    }

    /// Whether a block starts at `ip`.
    pub fn is_leader(&self, ip: u32) -> bool {
        self.leaders.binary_search(&ip).is_ok()
    }

    /// Incoming edges of the block starting at `ip` (0 if none starts there).
    pub fn preds(&self, ip: u32) -> u32 {
        self.preds.get(&ip).copied().unwrap_or(0)
    }

    /// Backward `JUMP`s as (target, jump ip), in ip order.
    pub fn back_edges(&self) -> &[(u32, u32)] {
        &self.back_edges
    }

    /// Whether `ip` is a backward `JUMP` of the region.
    pub fn is_back_edge(&self, ip: u32) -> bool {
        self.back_edges.iter().any(|&(_, s)| s == ip)
    }
}

/// The first instruction that ends every path from the start of `region` to its last
/// instruction (a loop's back edge), following jumps and fall-throughs inside the region:
/// `stops(ip)` says where a path ends (an instruction native code exits at); `RETURN`,
/// `THROW` and `RERAISE` end paths too, and jumps out of the region leave it. `None` when some
/// path gets through. A loop for which this is `Some` would leave native code on every
/// iteration, so compiling it can only cost time.
pub fn always_stops(
    instrs: &[Instr],
    region: RangeInclusive<usize>,
    stops: impl Fn(usize) -> bool,
) -> Option<usize> {
    let (h, e) = (*region.start(), *region.end());
    let mut seen = vec![false; e - h + 1];
    let mut work = vec![h];
    let mut first_stop: Option<usize> = None;
    while let Some(ip) = work.pop() {
        if !region.contains(&ip) || seen[ip - h] {
            continue;
        }
        seen[ip - h] = true;
        if ip == e {
            return None;
        }
        if stops(ip) {
            first_stop = Some(first_stop.map_or(ip, |f| f.min(ip)));
            continue;
        }
        let ins = instrs[ip];
        match ins.op {
            Op::RETURN | Op::THROW | Op::RERAISE => {}
            Op::JUMP => work.push(ins.a as usize),
            op if jumps(op) => {
                work.push(ins.a as usize);
                work.push(ip + 1);
            }
            _ => work.push(ip + 1),
        }
    }
    first_stop
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ins(op: Op, a: u32) -> Instr {
        Instr::new(op, a, 0)
    }

    #[test]
    fn loops_split_at_jumps_and_functions_also_after_returns() {
        // 0: LOAD_NAME; 1: JUMP_IF_FALSE 5; 2: LOAD_NAME; 3: POP; 4: NOP; 5: JUMP 0
        let code = [
            ins(Op::LOAD_NAME, 0),
            ins(Op::JUMP_IF_FALSE, 5),
            ins(Op::LOAD_NAME, 0),
            ins(Op::RETURN, 0),
            ins(Op::NOP, 0),
            ins(Op::JUMP, 0),
        ];
        let loops = Cfg::new(&code, 0..=5, BlockEnds::Jumps);
        assert_eq!(loops.blocks().collect::<Vec<_>>(), [(0, 1), (2, 4), (5, 5)]);
        assert_eq!(loops.back_edges(), [(0, 5)]);
        assert!(loops.is_back_edge(5) && !loops.is_back_edge(1));
        assert_eq!((loops.preds(0), loops.preds(2), loops.preds(5)), (2, 1, 2));
        // Functions also end a block at RETURN.
        let fns = Cfg::new(&code, 0..=5, BlockEnds::JumpsAndReturns);
        assert_eq!(
            fns.blocks().collect::<Vec<_>>(),
            [(0, 1), (2, 3), (4, 4), (5, 5)]
        );
        assert!(fns.is_leader(4) && !loops.is_leader(4));
    }

    #[test]
    fn a_stop_on_every_path_is_found_and_one_on_a_branch_is_not() {
        let print_stops = |code: &[Instr]| {
            let c = code.to_vec();
            move |ip: usize| c[ip].op == Op::PRINT
        };
        // 0: LOAD_NAME; 1: JUMP_IF_FALSE 6 (leaves); 2: LOAD_NAME; 3: PRINT; 4: NOP; 5: JUMP 0
        let always = [
            ins(Op::LOAD_NAME, 0),
            ins(Op::JUMP_IF_FALSE, 6),
            ins(Op::LOAD_NAME, 0),
            ins(Op::PRINT, 0),
            ins(Op::NOP, 0),
            ins(Op::JUMP, 0),
        ];
        assert_eq!(always_stops(&always, 0..=5, print_stops(&always)), Some(3));
        // The print only on one arm of an `if`: 2: JUMP_IF_FALSE 5 skips it.
        let sometimes = [
            ins(Op::LOAD_NAME, 0),
            ins(Op::JUMP_IF_FALSE, 7),
            ins(Op::JUMP_IF_FALSE, 5),
            ins(Op::LOAD_NAME, 0),
            ins(Op::PRINT, 0),
            ins(Op::NOP, 0),
            ins(Op::JUMP, 0),
        ];
        assert_eq!(
            always_stops(&sometimes, 0..=6, print_stops(&sometimes)),
            None
        );
        // A RETURN on the only path also keeps every iteration from the back edge, but it is
        // not a stop: nothing to report.
        let returns = [ins(Op::LOAD_NAME, 0), ins(Op::RETURN, 0), ins(Op::JUMP, 0)];
        assert_eq!(always_stops(&returns, 0..=2, |_| false), None);
    }
}
