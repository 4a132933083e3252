//! The allocation profile (DETAILED and FULL): objects made and bytes allocated per site
//! (function and source line) and per kind (string, list, map, object), and the peak of live
//! heap bytes.
//!
//! The runtime's heap meter (`zexus_runtime::meter`) hears of every string, list, map and
//! object made and of every buffer that grows. While the VM records (at DETAILED and up), each
//! of those events is counted under the site the VM last wrote to the meter's site cell: the
//! interpreter writes its instruction pointer before every dispatch, compiled loops the
//! instruction before each helper call that may allocate. The VM turns sites into (code object,
//! ip) when the run ends ([`Allocations::add`]); lines and functions come from there.
//!
//! "Bytes" are the bytes the meter charges: the capacity of a new object's buffer, and what a
//! buffer grew by (a list's push that reallocates from 4 to 8 elements charges 4 × 16 bytes).
//! Object headers, the allocator's rounding and the VM's own stacks are not counted.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use zexus_runtime::meter::{AllocKind, KindTally};

use super::InstructionProfiler;

/// The raw allocation profile: per (code profile, ip), objects made and bytes by kind.
#[derive(Debug, Default, Clone)]
pub struct Allocations {
    sites: BTreeMap<(usize, u32), KindTally>,
    /// The most live heap bytes seen during any recorded run (strings, lists, maps and
    /// objects of the thread, including those made before the run).
    pub peak_live_bytes: u64,
    /// True once a run was recorded (DETAILED and up).
    pub recorded: bool,
}

impl Allocations {
    /// Adds what a run allocated at ip `pc` of code profile `code`.
    pub fn add(&mut self, code: usize, pc: u32, t: &KindTally) {
        let e = self.sites.entry((code, pc)).or_default();
        for (a, b) in e.iter_mut().zip(t) {
            a.0 += b.0;
            a.1 += b.1;
        }
    }

    /// Forgets everything recorded.
    pub fn clear(&mut self) {
        *self = Allocations::default();
    }

    /// Per (code profile, ip) with anything allocated.
    pub fn sites(&self) -> impl Iterator<Item = (&(usize, u32), &KindTally)> {
        self.sites.iter()
    }
}

/// Objects made and bytes allocated of one kind.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KindCount {
    /// `"string"`, `"list"`, `"map"` or `"object"`.
    pub kind: &'static str,
    /// Objects made.
    pub allocations: u64,
    /// Bytes allocated (new buffers and growth).
    pub bytes: u64,
}

/// What one source line allocated.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AllocSite {
    /// The function (code object) the line's allocating instructions belong to.
    pub function: String,
    /// The file.
    pub file: String,
    /// The line (0 where the compiler gave none).
    pub line: u32,
    /// Objects made there.
    pub allocations: u64,
    /// Bytes allocated there.
    pub bytes: u64,
    /// The same by kind (kinds with anything allocated, in the order string, list, map,
    /// object).
    pub by_kind: Vec<KindCount>,
}

/// The allocation profile as reports show it.
#[derive(Debug, Clone, Serialize, PartialEq, Default)]
pub struct AllocReport {
    /// False below DETAILED (nothing recorded): reports say so.
    pub recorded: bool,
    /// Objects made in all.
    pub total_allocations: u64,
    /// Bytes allocated in all.
    pub total_bytes: u64,
    /// The peak of live heap bytes.
    pub peak_live_bytes: u64,
    /// Totals by kind (every kind, in the order string, list, map, object).
    pub by_kind: Vec<KindCount>,
    /// Sites (function and line) by bytes, then objects, most first.
    pub sites: Vec<AllocSite>,
}

fn counts(t: &KindTally, all: bool) -> Vec<KindCount> {
    AllocKind::ALL
        .iter()
        .zip(t)
        .filter(|(_, c)| all || c.0 > 0 || c.1 > 0)
        .map(|(k, c)| KindCount {
            kind: k.name(),
            allocations: c.0,
            bytes: c.1,
        })
        .collect()
}

impl InstructionProfiler {
    /// The allocation profile: totals, by kind and every site (function and line) that
    /// allocated, most bytes first.
    pub fn allocation_report(&self) -> AllocReport {
        let modules = self.module_files();
        let mut total = KindTally::default();
        let mut by_site: HashMap<(usize, u32), KindTally> = HashMap::new();
        for (&(ci, pc), t) in self.allocations.sites() {
            let line = self.codes[ci].lines.get(pc as usize).copied().unwrap_or(0);
            let e = by_site.entry((ci, line)).or_default();
            for i in 0..t.len() {
                e[i].0 += t[i].0;
                e[i].1 += t[i].1;
                total[i].0 += t[i].0;
                total[i].1 += t[i].1;
            }
        }
        let mut sites: Vec<AllocSite> = by_site
            .into_iter()
            .map(|((ci, line), t)| AllocSite {
                function: self.codes[ci].name.clone(),
                file: self.file_of(ci, &modules),
                line,
                allocations: t.iter().map(|c| c.0).sum(),
                bytes: t.iter().map(|c| c.1).sum(),
                by_kind: counts(&t, false),
            })
            .collect();
        sites.sort_by(|a, b| {
            (b.bytes, b.allocations)
                .cmp(&(a.bytes, a.allocations))
                .then_with(|| (&a.file, a.line, &a.function).cmp(&(&b.file, b.line, &b.function)))
        });
        AllocReport {
            recorded: self.allocations.recorded,
            total_allocations: total.iter().map(|c| c.0).sum(),
            total_bytes: total.iter().map(|c| c.1).sum(),
            peak_live_bytes: self.allocations.peak_live_bytes,
            by_kind: counts(&total, true),
            sites,
        }
    }
}

/// A site's kinds in one phrase: `"string 3 (96 B), list 1 (64 B)"`.
pub fn kinds_phrase(by_kind: &[KindCount]) -> String {
    by_kind
        .iter()
        .map(|k| {
            format!(
                "{} {} ({})",
                k.kind,
                crate::report::thousands(k.allocations),
                bytes_text(k.bytes)
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Bytes in B, KiB, MiB or GiB, as a report shows them.
pub fn bytes_text(b: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KiB", "MiB", "GiB"];
    let mut x = b as f64;
    let mut u = 0;
    while x >= 1024.0 && u < UNITS.len() - 1 {
        x /= 1024.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{x:.1} {}", UNITS[u])
    }
}
