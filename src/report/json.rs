//! The JSON report: pretty-printed, with the guide's keys (`summary`, `hottest_instructions`,
//! `slowest_instructions`, `hot_loops`, `opcode_distribution`) and more (`branches`,
//! `memory`, `functions`, `jit`, `jit_not_compiled`, `jit_recompiled`, `lines`,
//! `annotated_source`, `call_graph`, `sample_rate`, `level`, `top_n`, `events` when the
//! program emitted any, and `folded_stacks` when call paths were recorded).

use std::io::{self, Write};

use serde::Serialize;

use super::ReportData;
use crate::profile::summary::serialize_counts;
use crate::profile::{
    BranchInfo, FunctionStats, HotLoop, InstructionStats, JitEvents, JitRefusal, Level,
    MemoryReport, Summary,
};

/// The document's top level.
#[derive(Serialize)]
struct JsonReport<'a> {
    summary: &'a Summary,
    hottest_instructions: &'a [InstructionStats],
    slowest_instructions: &'a [InstructionStats],
    hot_loops: &'a [HotLoop],
    #[serde(serialize_with = "serialize_counts")]
    opcode_distribution: &'a [(String, u64)],
    branches: &'a [BranchInfo],
    memory: &'a MemoryReport,
    functions: &'a [FunctionStats],
    jit: &'a JitEvents,
    /// Every loop the JIT did not compile, with the reason (refusals, and at FULL the loops
    /// under the threshold: `"300 iterations, threshold 1000"`).
    jit_not_compiled: &'a [JitRefusal],
    /// Loops compiled more than once (their guards kept failing, so they were recompiled for
    /// wider types).
    jit_recompiled: Vec<Recompiled<'a>>,
    sample_rate: u32,
    level: Level,
    top_n: usize,
    /// How the times were derived (DETAILED and up; see `docs/PROFILER.md`).
    timing: Option<Timing>,
    /// The runtime error the run ended in (absent when it ended normally).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a crate::profile::RunErrorInfo>,
    /// True when the run was interrupted: the report covers what ran so far.
    incomplete: bool,
    /// Events `emit` recorded, most emitted first (absent when there were none).
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    events: &'a [crate::profile::EventCount],
    /// The `top_n` source lines by time (DETAILED and up) or count.
    lines: &'a [crate::profile::LineStats],
    /// The source files the profiler has the text of, each line with its figures.
    annotated_source: &'a [crate::profile::AnnotatedSource],
    /// Caller-callee pairs with their calls.
    call_graph: &'a [crate::profile::CallEdge],
    /// Folded stacks (`<main>;f;g 1234`), present when call paths were recorded
    /// (`zx profile --call-paths`): what `zx diff --flame` draws.
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    folded_stacks: &'a [String],
    /// The allocation profile: totals, by kind, the peak of live heap bytes and the `top_n`
    /// sites (`recorded: false` below DETAILED).
    allocations: &'a crate::profile::AllocReport,
    /// The cache simulation: geometry, totals, the `top_n` instructions and loops by misses
    /// (absent unless simulated: `zx profile --level full --cache-sim`).
    #[serde(skip_serializing_if = "Option::is_none")]
    cache: Option<&'a crate::profile::CacheReport>,
}

/// A loop compiled more than once.
#[derive(Serialize)]
struct Recompiled<'a> {
    function: &'a str,
    start_ip: u32,
    end_ip: u32,
    times: usize,
}

/// The timing model's figures: every time in the report adds up to `execution_time_ms`.
#[derive(Serialize)]
struct Timing {
    execution_time_ms: f64,
    sample_bias_ns: f64,
    scale: f64,
    native_time_ms: f64,
}

/// Writes the JSON report (followed by a newline).
pub fn write(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    let doc = JsonReport {
        summary: &d.summary,
        hottest_instructions: &d.hottest,
        slowest_instructions: &d.slowest,
        hot_loops: &d.hot_loops,
        opcode_distribution: &d.distribution,
        branches: &d.branches,
        memory: &d.memory,
        functions: &d.functions,
        jit: &d.jit,
        jit_not_compiled: &d.jit_not_compiled,
        jit_recompiled: d
            .jit_recompiled
            .iter()
            .map(|(f, s, e, n)| Recompiled {
                function: f,
                start_ip: *s,
                end_ip: *e,
                times: *n,
            })
            .collect(),
        sample_rate: d.sample_rate,
        level: d.level,
        top_n: d.top_n,
        error: d.error.as_ref(),
        incomplete: d.interrupted,
        events: &d.events,
        lines: &d.lines,
        annotated_source: &d.annotated,
        call_graph: &d.call_graph,
        folded_stacks: &d.folded,
        allocations: &d.allocations,
        cache: d.cache.config.is_some().then_some(&d.cache),
        timing: (d.level >= Level::Detailed).then(|| {
            let a = &d.attribution;
            let ns = crate::profile::clock::ns_per_tick();
            Timing {
                execution_time_ms: crate::profile::finite(a.exec_ticks * ns / 1e6),
                sample_bias_ns: crate::profile::finite(a.bias_ticks * ns),
                scale: crate::profile::finite(a.scale),
                native_time_ms: crate::profile::finite(a.native_ticks * ns / 1e6),
            }
        }),
    };
    serde_json::to_writer_pretty(&mut *w, &doc).map_err(io::Error::other)?;
    writeln!(w)
}
