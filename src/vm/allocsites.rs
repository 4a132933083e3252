//! Allocation sites: what the VM writes to the heap meter's site cell
//! (`zexus_runtime::meter::site_cell`) while it records the allocation profile (DETAILED and
//! up), and how a recording's sites become (code object, ip) when the run ends.
//!
//! Two encodings share the cell: the interpreter writes its instruction pointer (an address
//! inside a prepared code object's instructions, either half) before every dispatch, which
//! costs one store; compiled loops write [`jit_site`] (bit 63 set, then the code object and
//! the ip) before each instruction that may allocate. A superinstruction's site is its first
//! original instruction, on the same source line as the allocating one in every shape that
//! allocates (`s = s + x`, `append(l, v)`), so reports by line agree between the two tiers.

use zexus_runtime::meter::Recording;

use super::prepared::{Prepared, XInstr};
use crate::profile::InstructionProfiler;

/// The tag of a site written by compiled code.
const JIT_SITE: u64 = 1 << 63;

/// The site compiled code writes before instruction `pc` of code object `code`.
pub(crate) const fn jit_site(code: u32, pc: u32) -> u64 {
    JIT_SITE | ((code as u64) << 32) | pc as u64
}

/// The (code object, ip) of `site`, for the run of `p`. A site no instruction of `p` holds
/// (0: an allocation before the first dispatch) is the program's first instruction.
fn decode(site: u64, p: &Prepared) -> (usize, u32) {
    if site & JIT_SITE != 0 {
        let code = ((site >> 32) & 0x7fff_ffff) as usize;
        return (code.min(p.codes.len().saturating_sub(1)), site as u32);
    }
    let size = std::mem::size_of::<XInstr>() as u64;
    for (c, xc) in p.codes.iter().enumerate() {
        let base = xc.code.as_ptr() as u64;
        let end = base + xc.code.len() as u64 * size;
        if (base..end).contains(&site) {
            let i = ((site - base) / size) as usize;
            let pc = if i >= xc.half { i - xc.half } else { i };
            return (c, pc as u32);
        }
    }
    (0, 0)
}

/// Adds a run's recording to the profile: each site's counts to its instruction (`ids` maps
/// the run's code objects to the profiler's), and the peak.
pub(crate) fn attribute(
    prof: &mut InstructionProfiler,
    p: &Prepared,
    ids: &[usize],
    rec: &Recording,
) {
    for (&site, t) in &rec.sites {
        let (code, pc) = decode(site, p);
        if let Some(&id) = ids.get(code) {
            prof.allocations.add(id, pc, t);
        }
    }
    let a = &mut prof.allocations;
    a.peak_live_bytes = a.peak_live_bytes.max(rec.peak as u64);
    a.recorded = true;
}
