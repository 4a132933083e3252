//! The cache simulation (FULL, optional: [`crate::VmBuilder::cache_simulation`],
//! `zx profile --cache-sim`): a set-associative data cache with least-recently-used
//! replacement, fed with the addresses the VM's memory operations touch, reporting accesses
//! and misses per instruction and per loop.
//!
//! What it models (docs/PROFILER.md, "Cache simulation", says the same for users):
//! - one level of data cache: `size` bytes in lines of `line` bytes, `ways` lines per set,
//!   the set chosen by the address's line number modulo the number of sets, LRU within a set;
//!   the cache starts empty at each run;
//! - the accesses of the instructions the profiler counts as memory operations: a variable's
//!   slot (`LOAD_NAME`, `STORE_NAME`, the globals, captured variables' slots), a list's element,
//!   a map's entry, a string's byte (`INDEX`, `STORE_INDEX`), an object's field or a map's entry
//!   by name (`GET_ATTR`, `SET_ATTR`), at their real addresses in this process, each access as
//!   many line references as lines it spans (a 16-byte value may straddle two).
//!
//! What it does not model: the interpreter's own traffic (instruction fetch, the operand
//! stack, reference counts, container headers, hash tables' index arrays, allocation), other
//! cache levels, prefetching, and the processor's out-of-order execution. The VM interprets
//! every instruction while it simulates (the JIT tier is off, superinstructions too), so that
//! every access is seen; misses therefore describe the data layout the program's values have,
//! not the time a run takes. Addresses come from the allocator, so miss counts can vary a
//! little between runs.

use std::collections::BTreeMap;

use serde::Serialize;

/// The geometry of the simulated cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CacheConfig {
    /// Total capacity in bytes.
    pub size: usize,
    /// Line (block) size in bytes.
    pub line: usize,
    /// Lines per set (associativity); `size / line` is a fully associative cache.
    pub ways: usize,
}

impl Default for CacheConfig {
    /// A typical level-1 data cache: 32 KiB, 64-byte lines, 8 ways.
    fn default() -> CacheConfig {
        CacheConfig {
            size: 32 * 1024,
            line: 64,
            ways: 8,
        }
    }
}

impl CacheConfig {
    /// A checked geometry: the line size a power of two from 8 to 4096 bytes, at least one
    /// way, and the size a multiple of `line * ways` that makes a power-of-two number of
    /// sets. The error names what is wrong.
    pub fn new(size: usize, line: usize, ways: usize) -> Result<CacheConfig, String> {
        if !line.is_power_of_two() || !(8..=4096).contains(&line) {
            return Err(format!(
                "cache line size {line} is not a power of two from 8 to 4096 bytes"
            ));
        }
        if ways == 0 || ways > 1024 {
            return Err(format!("cache associativity {ways} is not from 1 to 1024"));
        }
        let set_bytes = line * ways;
        if size == 0 || !size.is_multiple_of(set_bytes) || !(size / set_bytes).is_power_of_two() {
            return Err(format!(
                "cache size {size} is not a power-of-two number of sets of {ways} lines of {line} bytes"
            ));
        }
        if size > 1 << 30 {
            return Err(format!("cache size {size} is over 1 GiB"));
        }
        Ok(CacheConfig { size, line, ways })
    }

    /// Number of sets.
    pub fn sets(&self) -> usize {
        self.size / (self.line * self.ways)
    }

    /// "32 KiB, 64-byte lines, 8-way".
    pub fn describe(&self) -> String {
        let size = if self.size.is_multiple_of(1024 * 1024) {
            format!("{} MiB", self.size / (1024 * 1024))
        } else if self.size.is_multiple_of(1024) {
            format!("{} KiB", self.size / 1024)
        } else {
            format!("{} bytes", self.size)
        };
        format!("{size}, {}-byte lines, {}-way", self.line, self.ways)
    }
}

/// A set-associative cache with LRU replacement: per set, its lines' numbers, most recently
/// used first.
#[derive(Debug, Clone)]
pub struct CacheModel {
    config: CacheConfig,
    line_shift: u32,
    set_mask: u64,
    /// `sets * ways` line numbers (`EMPTY` where a way holds none), set by set.
    lines: Vec<u64>,
}

const EMPTY: u64 = u64::MAX;

impl CacheModel {
    /// An empty cache of geometry `config`.
    pub fn new(config: CacheConfig) -> CacheModel {
        CacheModel {
            config,
            line_shift: config.line.trailing_zeros(),
            set_mask: config.sets() as u64 - 1,
            lines: vec![EMPTY; config.sets() * config.ways],
        }
    }

    /// The geometry.
    pub fn config(&self) -> CacheConfig {
        self.config
    }

    /// Empties the cache.
    pub fn clear(&mut self) {
        self.lines.fill(EMPTY);
    }

    /// Simulates an access to the `len` bytes at `addr` (at least one): returns the number of
    /// lines it references and how many of them missed.
    pub fn access(&mut self, addr: usize, len: usize) -> (u32, u32) {
        let first = addr as u64 >> self.line_shift;
        let last = (addr as u64).saturating_add(len.max(1) as u64 - 1) >> self.line_shift;
        let (mut refs, mut misses) = (0, 0);
        for line in first..=last {
            refs += 1;
            misses += u32::from(!self.touch(line));
        }
        (refs, misses)
    }

    /// References line number `line`; true on a hit. The line becomes the set's most recent.
    fn touch(&mut self, line: u64) -> bool {
        let ways = self.config.ways;
        let set = (line & self.set_mask) as usize;
        let ways_of = &mut self.lines[set * ways..(set + 1) * ways];
        match ways_of.iter().position(|&l| l == line) {
            Some(at) => {
                ways_of[..=at].rotate_right(1);
                true
            }
            None => {
                // Evicts the least recent (last) way.
                ways_of.rotate_right(1);
                ways_of[0] = line;
                false
            }
        }
    }
}

/// Accesses and misses of one instruction (or summed over several).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CacheCount {
    /// Memory operations simulated.
    pub accesses: u64,
    /// Line references they made (an access spanning two lines makes two).
    pub references: u64,
    /// References that missed.
    pub misses: u64,
}

impl CacheCount {
    /// Misses per line reference, 0..=1 (0 without references).
    pub fn miss_rate(&self) -> f64 {
        if self.references == 0 {
            0.0
        } else {
            self.misses as f64 / self.references as f64
        }
    }

    /// Adds `other`.
    pub fn add(&mut self, other: &CacheCount) {
        self.accesses += other.accesses;
        self.references += other.references;
        self.misses += other.misses;
    }
}

/// The raw cache-simulation profile: per (code profile, ip), its accesses and misses, over
/// every simulated run.
#[derive(Debug, Clone, Default)]
pub struct CacheSim {
    /// The geometry simulated, once a run was simulated.
    pub config: Option<CacheConfig>,
    sites: BTreeMap<(usize, u32), CacheCount>,
}

impl CacheSim {
    /// Adds what a run's instruction at ip `pc` of code profile `code` accessed.
    pub fn add(&mut self, code: usize, pc: u32, c: &CacheCount) {
        self.sites.entry((code, pc)).or_default().add(c);
    }

    /// Forgets everything recorded (the geometry too).
    pub fn clear(&mut self) {
        *self = CacheSim::default();
    }

    /// Per (code profile, ip) that accessed memory.
    pub fn sites(&self) -> impl Iterator<Item = (&(usize, u32), &CacheCount)> {
        self.sites.iter()
    }

    /// Everything summed.
    pub fn total(&self) -> CacheCount {
        let mut t = CacheCount::default();
        for c in self.sites.values() {
            t.add(c);
        }
        t
    }
}

/// One instruction's line of the cache report.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CacheRow {
    /// The function (code object) it belongs to.
    pub function: String,
    /// Its instruction pointer.
    pub ip: u32,
    /// Its source line (0 where the compiler gave none).
    pub line: u32,
    /// Its opcode.
    pub opcode: &'static str,
    /// Accesses, references and misses.
    #[serde(flatten)]
    pub count: CacheCount,
    /// `count.miss_rate()`.
    pub miss_rate: f64,
}

/// One loop's line of the cache report: the instructions between its header and its back
/// edge (not the functions it calls).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct CacheLoopRow {
    /// The function (code object) the loop is in.
    pub function: String,
    /// The loop's first instruction.
    pub header_ip: u32,
    /// The instruction that jumps back.
    pub back_edge_ip: u32,
    /// The source line of the header.
    pub line: u32,
    /// Its iterations.
    pub iterations: u64,
    /// Accesses, references and misses of its instructions.
    #[serde(flatten)]
    pub count: CacheCount,
    /// `count.miss_rate()`.
    pub miss_rate: f64,
}

/// The cache simulation's report section.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct CacheReport {
    /// The geometry, or `None` when nothing was simulated.
    pub config: Option<CacheConfig>,
    /// Totals over the run.
    pub total: CacheCount,
    /// Total miss rate.
    pub miss_rate: f64,
    /// Instructions with misses, most misses first.
    pub instructions: Vec<CacheRow>,
    /// Loops with accesses, most misses first.
    pub loops: Vec<CacheLoopRow>,
}

impl super::InstructionProfiler {
    /// The cache simulation's report: totals, instructions by misses, loops by misses (empty,
    /// with `config` `None`, unless a run was simulated).
    pub fn cache_report(&self) -> CacheReport {
        let sim = &self.cache;
        let Some(config) = sim.config else {
            return CacheReport::default();
        };
        let total = sim.total();
        let mut instructions: Vec<CacheRow> = sim
            .sites()
            .filter(|(_, c)| c.misses > 0)
            .map(|(&(code, ip), c)| {
                let p = &self.codes[code];
                CacheRow {
                    function: p.name.clone(),
                    ip,
                    line: p.lines.get(ip as usize).copied().unwrap_or(0),
                    opcode: p.opcodes.get(ip as usize).copied().unwrap_or("?"),
                    count: *c,
                    miss_rate: c.miss_rate(),
                }
            })
            .collect();
        instructions.sort_by(|a, b| {
            b.count
                .misses
                .cmp(&a.count.misses)
                .then(b.count.accesses.cmp(&a.count.accesses))
        });
        let mut loops = Vec::new();
        for (id, p) in self.codes.iter().enumerate() {
            for l in &p.loops {
                let mut count = CacheCount::default();
                for ip in l.header_ip..=l.back_edge_ip {
                    if let Some(c) = sim.sites.get(&(id, ip)) {
                        count.add(c);
                    }
                }
                if count.accesses > 0 {
                    loops.push(CacheLoopRow {
                        function: p.name.clone(),
                        header_ip: l.header_ip,
                        back_edge_ip: l.back_edge_ip,
                        line: p.lines.get(l.header_ip as usize).copied().unwrap_or(0),
                        iterations: l.iterations,
                        count,
                        miss_rate: count.miss_rate(),
                    });
                }
            }
        }
        loops.sort_by_key(|l| std::cmp::Reverse(l.count.misses));
        CacheReport {
            config: Some(config),
            total,
            miss_rate: total.miss_rate(),
            instructions,
            loops,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometry_is_checked() {
        assert!(CacheConfig::new(32 * 1024, 64, 8).is_ok());
        assert!(CacheConfig::new(32 * 1024, 48, 8)
            .unwrap_err()
            .contains("line size 48"));
        assert!(CacheConfig::new(1000, 64, 2)
            .unwrap_err()
            .contains("cache size 1000"));
        assert!(CacheConfig::new(3 * 64, 64, 1).is_err(), "3 sets");
        assert!(CacheConfig::new(64, 64, 0).is_err());
        assert_eq!(CacheConfig::default().sets(), 64);
        assert_eq!(
            CacheConfig::default().describe(),
            "32 KiB, 64-byte lines, 8-way"
        );
    }

    #[test]
    fn a_line_hits_after_its_first_miss() {
        let mut c = CacheModel::new(CacheConfig::new(1024, 64, 2).unwrap());
        assert_eq!(c.access(0x1000, 16), (1, 1));
        assert_eq!(c.access(0x1008, 16), (1, 0), "same line");
        assert_eq!(c.access(0x1038, 16), (2, 1), "spans into the next line");
        assert_eq!(c.access(0x1040, 8), (1, 0));
    }

    #[test]
    fn lru_evicts_the_least_recently_used_way() {
        // 2 ways, 8 sets: lines 0, 8 and 16 map to set 0.
        let mut c = CacheModel::new(CacheConfig::new(1024, 64, 2).unwrap());
        let at = |line: usize| line * 64;
        c.access(at(0), 1);
        c.access(at(8), 1);
        c.access(at(0), 1); // 0 is now the most recent; 8 the least
        assert_eq!(c.access(at(16), 1).1, 1, "a third line misses");
        assert_eq!(c.access(at(0), 1).1, 0, "0 stayed");
        assert_eq!(c.access(at(8), 1).1, 1, "8 was evicted");
        assert_eq!(c.access(at(1), 1).1, 1, "another set is independent");
        assert_eq!(c.access(at(1), 1).1, 0);
    }

    #[test]
    fn a_stream_larger_than_the_cache_misses_once_per_line_every_pass() {
        let cfg = CacheConfig::new(4096, 64, 4).unwrap();
        let mut c = CacheModel::new(cfg);
        let bytes = 8192; // twice the cache
        let mut misses = 0;
        for _pass in 0..3 {
            for a in (0..bytes).step_by(16) {
                misses += c.access(0x10_0000 + a, 16).1;
            }
        }
        assert_eq!(
            misses,
            3 * (bytes / 64) as u32,
            "LRU thrashes on a cyclic stream"
        );
        // One that fits misses only on the first pass.
        let mut c = CacheModel::new(cfg);
        let mut misses = 0;
        for _pass in 0..3 {
            for a in (0..2048).step_by(16) {
                misses += c.access(0x10_0000 + a, 16).1;
            }
        }
        assert_eq!(misses, 2048 / 64);
    }
}
