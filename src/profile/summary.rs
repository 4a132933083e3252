//! Derived per-instruction and per-function views, the opcode distribution and the summary.

use std::collections::HashMap;

use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use super::attribution::Attribution;
use super::clock::ticks_to_ns;
use super::data::CodeProfile;
use super::{finite, InstructionProfiler, Level};

/// Everything known about one instruction (one ip of one code object). Times are in µs or
/// ms as named; every number is finite and non-negative (0 when there is no data).
#[derive(Debug, Clone, Serialize)]
pub struct InstructionStats {
    /// The code object's name (`"<main>"`, a function, or `"<direct>"`).
    pub function: String,
    /// The opcode's name.
    pub opcode: String,
    /// The operand, as the disassembler prints it.
    pub operand: String,
    /// The instruction's index in its code object.
    pub ip: u32,
    /// The source line (0 where unknown).
    pub line: u32,
    /// Exact executions (interpreted and JIT).
    pub count: u64,
    /// Executions that ran in JIT code (included in `count`).
    pub jit_count: u64,
    /// Timed executions.
    pub samples: u64,
    /// ESTIMATED total time, in ms: the instruction's share of the run's execution time
    /// (`docs/PROFILER.md`, "The timing model": sampled mean less the calibrated bias of a
    /// timed execution, × interpreted executions, scaled so that all instructions sum to the
    /// run; plus its share of compiled code's measured time).
    pub total_time_ms: f64,
    /// Half-width of the 95% confidence interval of `total_time_ms` from sampling, in ms.
    pub total_time_err_ms: f64,
    /// `total_time_ms` as a percentage of the run's execution time.
    pub run_pct: f64,
    /// `total_time_ms / count`, in µs: what one execution costs in the run.
    pub cost_per_exec_us: f64,
    /// Mean over the timed executions, in µs, as measured: a timed execution includes the
    /// bias that `total_time_ms` removes, so this is larger than `cost_per_exec_us`.
    pub avg_time_us: f64,
    /// Shortest timed execution, in µs.
    pub min_time_us: f64,
    /// Longest timed execution, in µs.
    pub max_time_us: f64,
    /// Median of the timed executions, in µs (from a 3-significant-figure histogram).
    pub p50_us: f64,
    /// 95th percentile, in µs.
    pub p95_us: f64,
    /// 99th percentile, in µs.
    pub p99_us: f64,
    /// FULL: memory reads by this instruction.
    pub memory_reads: u64,
    /// FULL: memory writes by this instruction.
    pub memory_writes: u64,
    /// FULL: times this conditional branch jumped.
    pub branch_taken: u64,
    /// FULL: times it fell through.
    pub branch_not_taken: u64,
    /// FULL: `taken / (taken + not_taken)` in percent (0 for non-branches).
    pub branch_taken_rate: f64,
    /// FULL: how often a 2-bit saturating predictor guessed wrong, in percent.
    pub branch_miss_rate: f64,
}

/// Time and counts per code object.
#[derive(Debug, Clone, Serialize)]
pub struct FunctionStats {
    /// The code object's name.
    pub name: String,
    /// Times it was entered.
    pub calls: u64,
    /// Instructions it executed (the sum of its counts).
    pub instructions: u64,
    /// Time in its own instructions (interpreted and JIT), in ms: the sum of their
    /// `total_time_ms`; callees are not included.
    pub self_time_ms: f64,
    /// Time including callees, in ms, recursion counted once (each sample counts once toward
    /// every function on its call stack); `<main>`'s is the whole run.
    pub total_time_ms: f64,
    /// `self_time_ms` as a percentage of the run's execution time.
    pub self_pct: f64,
    /// `total_time_ms` as a percentage of the run's execution time.
    pub total_pct: f64,
    /// Time in JIT code of this code object, in ms.
    pub jit_time_ms: f64,
}

/// Runs shorter than this (in seconds of the thread's CPU time, where the platform reports
/// it, else of wall time) get no overhead figure in reports: their profiling cost is
/// dominated by fixed per-run work (registering code objects, folding counters, the timing
/// model), which the per-event estimate does not describe. CPU time, so that a short run
/// another process preempted on a loaded machine is still found too short.
pub const MIN_ESTIMABLE_SECS: f64 = 0.005;

/// The summary, with the guide's keys. Index it like the guide's dict with
/// [`Summary::get`], or read the fields.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// `"NONE"`, `"BASIC"`, `"DETAILED"` or `"FULL"`.
    pub profiling_level: String,
    /// Exact instructions executed.
    pub total_instructions: u64,
    /// Distinct (code object, ip) pairs executed at least once.
    pub unique_instructions: u64,
    /// Wall time of the profiled runs (or of start..stop for direct use), in seconds.
    pub total_time_sec: f64,
    /// `total_instructions / total_time_sec` (0 without time).
    pub instructions_per_sec: f64,
    /// Dispatches of the interpreter's run loop (BASIC and up; 0 at NONE and for the direct
    /// API): fewer than the instructions it ran when superinstructions fused them.
    pub dispatches: u64,
    /// Instructions the interpreter ran (`total_instructions` less those run in compiled
    /// code), the ones `dispatches` covers.
    pub interpreted_instructions: u64,
    /// Estimated time spent in profiling hooks, in ms (see [`super::HookCosts`]).
    pub profiling_overhead_ms: f64,
    /// `profiling_overhead_ms` as a share of the total time, in percent (at most 100).
    pub overhead_percentage: f64,
    /// False when the run was too short for the overhead estimate to mean anything (under
    /// [`MIN_ESTIMABLE_SECS`]): reports then say "too short to estimate" instead of a number.
    pub overhead_estimable: bool,
    /// Loops with at least 1000 iterations (the guide's definition of hot).
    pub hot_loops_detected: u64,
    /// The 10 most executed opcodes with their counts, most executed first; serialized as a
    /// JSON object `{"LOAD_CONST": 450, ...}`.
    #[serde(serialize_with = "serialize_counts")]
    pub most_common_opcodes: Vec<(String, u64)>,
    /// 1 in `sample_rate` executions is timed (DETAILED and up).
    pub sample_rate: u32,
    /// Timing samples taken.
    pub samples: u64,
    /// Runs the VM timed.
    pub runs: u64,
    /// The calibrated hook costs the overhead estimate was computed from, in ns.
    pub hook_costs_ns: super::HookCosts,
}

impl Summary {
    /// The value under a JSON key, as the guide's `summary['total_instructions']`:
    /// `summary.get("total_instructions")` gives `Some(json!(160))`; unknown keys give `None`.
    pub fn get(&self, key: &str) -> Option<serde_json::Value> {
        serde_json::to_value(self).ok()?.get(key).cloned()
    }
}

/// Serializes `(name, count)` pairs as a JSON object, in the given order.
pub(crate) fn serialize_counts<S: Serializer>(
    v: &[(String, u64)],
    s: S,
) -> Result<S::Ok, S::Error> {
    let mut m = s.serialize_map(Some(v.len()))?;
    for (k, n) in v {
        m.serialize_entry(k, n)?;
    }
    m.end()
}

/// Ticks to µs.
pub(crate) fn us(ticks: f64) -> f64 {
    finite(ticks_to_ns(ticks) / 1e3)
}

/// Ticks to ms.
pub(crate) fn ms(ticks: f64) -> f64 {
    finite(ticks_to_ns(ticks) / 1e6)
}

/// `part / whole` in percent, 0 when `whole` is 0.
pub(crate) fn pct(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        finite(part as f64 * 100.0 / whole as f64)
    }
}

/// The stats of instruction `ip` of `code` (profile index `ci` in `a`).
pub(crate) fn instruction_stats(
    code: &CodeProfile,
    ci: usize,
    ip: usize,
    a: &Attribution,
) -> InstructionStats {
    let ticks = a
        .ip_ticks
        .get(ci)
        .and_then(|v| v.get(ip))
        .copied()
        .unwrap_or(0.0);
    let err = a
        .ip_err
        .get(ci)
        .and_then(|v| v.get(ip))
        .copied()
        .unwrap_or(0.0);
    let count = code.count(ip);
    let get = |v: &[u64]| v.get(ip).copied().unwrap_or(0);
    let t = code.timing.get(ip);
    let b = code.branches.get(ip).cloned().unwrap_or_default();
    let q = |p| t.map_or(0.0, |t| us(t.quantile_ticks(p) as f64));
    InstructionStats {
        function: code.name.clone(),
        opcode: code.opcodes[ip].to_string(),
        operand: code.operands.get(ip).cloned().unwrap_or_default(),
        ip: ip as u32,
        line: code.lines.get(ip).copied().unwrap_or(0),
        count: code.count(ip),
        jit_count: get(&code.jit_counts),
        samples: t.map_or(0, |t| t.samples),
        total_time_ms: ms(ticks),
        total_time_err_ms: ms(err),
        run_pct: a.pct(ticks),
        cost_per_exec_us: if count > 0 {
            us(ticks / count as f64)
        } else {
            0.0
        },
        avg_time_us: t.map_or(0.0, |t| us(t.mean_ticks())),
        min_time_us: t.map_or(0.0, |t| us(t.min_ticks as f64)),
        max_time_us: t.map_or(0.0, |t| us(t.max_ticks as f64)),
        p50_us: q(0.50),
        p95_us: q(0.95),
        p99_us: q(0.99),
        memory_reads: get(&code.mem_reads),
        memory_writes: get(&code.mem_writes),
        branch_taken: b.taken,
        branch_not_taken: b.not_taken,
        branch_taken_rate: pct(b.taken, b.total()),
        branch_miss_rate: pct(b.mispredicts, b.total()),
    }
}

impl InstructionProfiler {
    /// Stats of every instruction executed at least once, by code object then ip.
    pub fn instructions(&self) -> Vec<InstructionStats> {
        let a = self.attribution();
        self.codes
            .iter()
            .enumerate()
            .flat_map(|(ci, c)| {
                (0..c.len())
                    .filter(|&ip| c.count(ip) > 0)
                    .map(move |ip| (ci, c, ip))
            })
            .map(|(ci, c, ip)| instruction_stats(c, ci, ip, &a))
            .collect()
    }

    /// The `n` most executed instructions, by exact count (ties keep code/ip order).
    pub fn hottest_instructions(&self, n: usize) -> Vec<InstructionStats> {
        let mut v = self.instructions();
        v.sort_by_key(|s| std::cmp::Reverse(s.count));
        v.truncate(n);
        v
    }

    /// The `n` instructions with the largest estimated total time, compared to the µs (so
    /// tick rounding does not decide); ties put the slower instruction per execution first,
    /// then the more executed one.
    pub fn slowest_instructions(&self, n: usize) -> Vec<InstructionStats> {
        let mut v = self.instructions();
        let key = |s: &InstructionStats| (s.total_time_ms * 1e3).round();
        v.sort_by(|a, b| {
            key(b)
                .total_cmp(&key(a))
                .then(b.avg_time_us.total_cmp(&a.avg_time_us))
                .then(b.count.cmp(&a.count))
        });
        v.truncate(n);
        v
    }

    /// Executions per opcode, most executed first (ties by name).
    pub fn opcode_distribution(&self) -> Vec<(String, u64)> {
        let mut m: HashMap<&'static str, u64> = HashMap::new();
        for c in &self.codes {
            for (ip, &n) in c.counts.iter().enumerate() {
                if n > 0 {
                    *m.entry(c.opcodes[ip]).or_default() += n;
                }
            }
        }
        let mut v: Vec<(String, u64)> = m.into_iter().map(|(k, n)| (k.to_string(), n)).collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        v
    }

    /// Distinct (code object, ip) pairs executed at least once.
    pub fn unique_instructions(&self) -> u64 {
        self.codes
            .iter()
            .map(|c| c.counts.iter().filter(|&&n| n > 0).count() as u64)
            .sum()
    }

    /// Per code object that was entered or executed anything: calls, instructions and time,
    /// slowest (total time) first.
    pub fn functions(&self) -> Vec<FunctionStats> {
        let a = self.attribution();
        let mut v: Vec<FunctionStats> = self
            .codes
            .iter()
            .enumerate()
            .filter(|(_, c)| c.calls > 0 || c.total_count() > 0)
            .map(|(ci, c)| {
                let (self_ticks, total) = (a.self_ticks[ci], a.total_ticks[ci]);
                FunctionStats {
                    name: c.name.clone(),
                    calls: c.calls,
                    instructions: c.total_count(),
                    self_time_ms: ms(self_ticks),
                    total_time_ms: ms(total),
                    self_pct: a.pct(self_ticks),
                    total_pct: a.pct(total),
                    jit_time_ms: ms(c.jit_ticks as f64),
                }
            })
            .collect();
        v.sort_by(|a, b| {
            b.total_time_ms
                .total_cmp(&a.total_time_ms)
                .then(b.instructions.cmp(&a.instructions))
        });
        v
    }

    /// The summary (the guide's `get_summary()`).
    pub fn summary(&self) -> Summary {
        let total = self.total_instructions();
        let secs = finite(self.total_time().as_secs_f64());
        let overhead_ms = self.estimated_overhead_ms();
        let mut common = self.opcode_distribution();
        common.truncate(10);
        Summary {
            profiling_level: self.level.name().to_string(),
            total_instructions: total,
            unique_instructions: self.unique_instructions(),
            total_time_sec: secs,
            instructions_per_sec: if secs > 0.0 {
                finite(total as f64 / secs)
            } else {
                0.0
            },
            dispatches: self.dispatches,
            interpreted_instructions: self
                .codes
                .iter()
                .map(|c| {
                    (0..c.counts.len())
                        .map(|ip| c.interpreted_count(ip))
                        .sum::<u64>()
                })
                .sum(),
            profiling_overhead_ms: overhead_ms,
            overhead_estimable: self.cpu_time().map_or(secs, |d| d.as_secs_f64())
                >= MIN_ESTIMABLE_SECS,
            overhead_percentage: if secs > 0.0 {
                finite(overhead_ms / (secs * 1e3) * 100.0).min(100.0)
            } else {
                0.0
            },
            hot_loops_detected: self.hot_loops(1000).len() as u64,
            most_common_opcodes: common,
            sample_rate: self.sample_rate,
            samples: if self.level >= Level::Detailed {
                self.total_samples()
            } else {
                0
            },
            runs: self.runs(),
            hook_costs_ns: self.hook_costs,
        }
    }
}
