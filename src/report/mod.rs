//! Reports of a profile: plain text (the guide's layout), JSON (the guide's keys) and a
//! self-contained HTML page. Every writer is generic over `io::Write`.

use std::fmt;
use std::io;
use std::str::FromStr;

use crate::profile::{
    BranchInfo, FunctionStats, HotLoop, InstructionProfiler, InstructionStats, JitEvents, Level,
    MemoryReport, Summary,
};

pub mod chrome;
pub mod diff;
pub mod dot;
pub mod flamegraph;
pub mod html;
pub mod json;
pub mod paths;
pub mod pprof;
pub mod speedscope;
pub mod text;

/// A report format.
///
/// ```
/// use zexus::report::Format;
/// assert_eq!("JSON".parse::<Format>().unwrap(), Format::Json);
/// assert!("pdf".parse::<Format>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Plain text, 80 columns, as in the guide.
    Text,
    /// Pretty-printed JSON.
    Json,
    /// One self-contained HTML page.
    Html,
    /// Folded stacks (`<main>;f;g 1234`, sampled ns per call path at DETAILED and FULL,
    /// executed instructions per call path at BASIC), the input of flame-graph tools such as
    /// inferno and Brendan Gregg's `flamegraph.pl`.
    Folded,
    /// A flame graph of the folded stacks as an interactive SVG, drawn with inferno.
    Flamegraph,
    /// The call graph for Graphviz (`dot -Tsvg`): functions with their self and total time,
    /// calls on the edges.
    Dot,
    /// Chrome trace event JSON (chrome://tracing, Perfetto): call paths, loops and JIT
    /// compiles as spans (a flame chart of the totals, not a timeline).
    ChromeTrace,
    /// speedscope's JSON file format: the call paths as a sampled profile.
    Speedscope,
    /// pprof's `profile.proto`, gzipped (binary): the call paths as samples.
    Pprof,
}

impl Format {
    /// Every format.
    pub const ALL: [Format; 9] = [
        Format::Text,
        Format::Json,
        Format::Html,
        Format::Folded,
        Format::Flamegraph,
        Format::Dot,
        Format::ChromeTrace,
        Format::Speedscope,
        Format::Pprof,
    ];

    /// The lower-case name (`"text"`, `"json"`, `"html"`).
    pub const fn name(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Html => "html",
            Format::Folded => "folded",
            Format::Flamegraph => "flamegraph",
            Format::Dot => "dot",
            Format::ChromeTrace => "chrome-trace",
            Format::Speedscope => "speedscope",
            Format::Pprof => "pprof",
        }
    }

    /// True for the formats made from the call paths (`call_paths(true)` must be on).
    pub const fn needs_call_paths(self) -> bool {
        matches!(
            self,
            Format::Folded
                | Format::Flamegraph
                | Format::ChromeTrace
                | Format::Speedscope
                | Format::Pprof
        )
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// The error of parsing an unknown format name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseFormatError {
    /// The text that did not name a format.
    pub input: String,
}

impl fmt::Display for ParseFormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown report format '{}' (valid formats: text, json, html, folded, flamegraph, dot, chrome-trace, speedscope, pprof; any case)",
            self.input
        )
    }
}

impl std::error::Error for ParseFormatError {}

impl FromStr for Format {
    type Err = ParseFormatError;

    /// Parses `text`, `json` or `html` in any case; anything else is an error (the original
    /// silently fell back to text).
    fn from_str(s: &str) -> Result<Format, ParseFormatError> {
        let t = s.trim();
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| ParseFormatError {
                input: s.to_string(),
            })
    }
}

/// Everything a report shows, computed once from a profiler.
#[derive(Debug, Clone)]
pub struct ReportData {
    /// The level the profile was recorded at.
    pub level: Level,
    /// How many rows the "top" tables have.
    pub top_n: usize,
    /// 1 in `sample_rate` executions timed.
    pub sample_rate: u32,
    /// The summary.
    pub summary: Summary,
    /// The `top_n` most executed instructions.
    pub hottest: Vec<InstructionStats>,
    /// The `top_n` instructions by estimated total time.
    pub slowest: Vec<InstructionStats>,
    /// Loops with at least 1000 iterations, at most `top_n`.
    pub hot_loops: Vec<HotLoop>,
    /// Every opcode with its count, most executed first.
    pub distribution: Vec<(String, u64)>,
    /// The `top_n` most executed conditional branches (FULL).
    pub branches: Vec<BranchInfo>,
    /// Memory traffic (FULL).
    pub memory: MemoryReport,
    /// Code objects that ran.
    pub functions: Vec<FunctionStats>,
    /// The JIT tier's events.
    pub jit: JitEvents,
    /// How the run's time was shared (DETAILED and up), for the summary's timing model.
    pub attribution: crate::profile::Attribution,
    /// The runtime error the last run ended in, if any.
    pub error: Option<crate::profile::RunErrorInfo>,
    /// True when the run was interrupted: the report covers what ran so far.
    pub interrupted: bool,
    /// Loops the JIT did not compile, with why (refusals, and below-threshold loops at FULL).
    pub jit_not_compiled: Vec<crate::profile::JitRefusal>,
    /// Loops compiled more than once: (function, start ip, end ip, times).
    pub jit_recompiled: Vec<(String, u32, u32, usize)>,
    /// Events `emit` recorded, with their counts (BASIC and up).
    pub events: Vec<crate::profile::EventCount>,
    /// The `top_n` source lines by time (DETAILED and up) or count.
    pub lines: Vec<crate::profile::LineStats>,
    /// Every source line that ran (for the "more" note under the lines table).
    pub lines_total: usize,
    /// The source files the profiler has the text of, annotated.
    pub annotated: Vec<crate::profile::AnnotatedSource>,
    /// What the text report leads with.
    pub lead: Lead,
    /// Caller-callee pairs with their calls, most calls first.
    pub call_graph: Vec<crate::profile::CallEdge>,
    /// The folded stacks, one `path weight` line each (empty unless call paths were
    /// recorded): JSON `folded_stacks`, which `zx diff --flame` compares.
    pub folded: Vec<String>,
    /// The allocation profile (DETAILED and up), its sites cut to `top_n`.
    pub allocations: crate::profile::AllocReport,
    /// Every allocation site (for the "more" note under the sites table).
    pub alloc_sites_total: usize,
    /// The cache simulation (FULL with it on; `config` `None` otherwise), its instruction and
    /// loop tables cut to `top_n`.
    pub cache: crate::profile::CacheReport,
    /// Instructions with cache misses, before the cut.
    pub cache_rows_total: usize,
}

/// What the text report shows first, after the summary (`zx profile --by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lead {
    /// Instructions (the guide's order): opcodes, hottest and slowest instructions, then
    /// loops, functions and source lines.
    #[default]
    Instruction,
    /// Source lines and the annotated source, then the rest.
    Line,
    /// Functions, then the rest.
    Function,
}

impl FromStr for Lead {
    type Err = String;
    fn from_str(s: &str) -> Result<Lead, String> {
        match s.to_ascii_lowercase().as_str() {
            "instruction" | "instructions" => Ok(Lead::Instruction),
            "line" | "lines" => Ok(Lead::Line),
            "function" | "functions" => Ok(Lead::Function),
            _ => Err(format!(
                "unknown view '{s}' (expected line, function or instruction)"
            )),
        }
    }
}

impl ReportData {
    /// Collects the report's contents.
    pub fn collect(p: &InstructionProfiler, top_n: usize) -> ReportData {
        let mut hot_loops = p.hot_loops(1000);
        let mut allocations = p.allocation_report();
        let alloc_sites_total = allocations.sites.len();
        allocations.sites.truncate(top_n);
        let mut cache = p.cache_report();
        let cache_rows_total = cache.instructions.len();
        cache.instructions.truncate(top_n);
        cache.loops.truncate(top_n);
        hot_loops.truncate(top_n);
        let mut branches = p.branches();
        branches.truncate(top_n);
        ReportData {
            level: p.level,
            top_n,
            sample_rate: p.sample_rate,
            summary: p.summary(),
            hottest: p.hottest_instructions(top_n),
            slowest: p.slowest_instructions(top_n),
            hot_loops,
            distribution: p.opcode_distribution(),
            branches,
            memory: p.memory(top_n),
            functions: {
                let mut f = p.functions();
                if top_n > 0 {
                    f.truncate(top_n);
                }
                f
            },
            jit: p.jit.clone(),
            attribution: p.attribution(),
            error: p.run_error.clone(),
            interrupted: p.interrupted,
            jit_not_compiled: p.jit_not_compiled(),
            jit_recompiled: p.jit_recompiled(),
            events: p.events(),
            lines: {
                let mut l = p.lines();
                l.truncate(top_n);
                l
            },
            lines_total: p.lines().len(),
            annotated: p.annotated_sources(),
            lead: Lead::Instruction,
            call_graph: p.call_graph(),
            folded: p.folded_stacks().lines().map(str::to_string).collect(),
            allocations,
            alloc_sites_total,
            cache,
            cache_rows_total,
        }
    }

    /// True when the FUNCTIONS section has something to show (some code object was entered).
    pub fn has_functions(&self) -> bool {
        self.functions.iter().any(|f| f.calls > 0)
    }
}

/// Writes a report of `data` in `format`.
pub fn write(data: &ReportData, format: Format, w: &mut dyn io::Write) -> io::Result<()> {
    match format {
        Format::Text => text::write(data, w),
        Format::Json => json::write(data, w),
        Format::Html => html::write(data, w),
        Format::Dot => dot::write(data, w),
        Format::Folded
        | Format::Flamegraph
        | Format::ChromeTrace
        | Format::Speedscope
        | Format::Pprof => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "folded stacks, flame graphs, traces, speedscope and pprof come from the profiler's call tree: use InstructionProfiler::write_report",
        )),
    }
}

impl InstructionProfiler {
    /// The report as a string (the guide's `generate_report(format, top_n)`). `Format::Pprof`
    /// is binary (gzip): write it with [`InstructionProfiler::write_report`]; here its bytes
    /// would come out mangled (each invalid UTF-8 sequence replaced).
    pub fn generate_report(&self, format: Format, top_n: usize) -> String {
        let mut out = Vec::new();
        self.write_report(format, top_n, &mut out)
            .expect("writing to a Vec cannot fail");
        String::from_utf8_lossy(&out).into_owned()
    }

    /// Writes the report to `w`.
    pub fn write_report(
        &self,
        format: Format,
        top_n: usize,
        w: &mut dyn io::Write,
    ) -> io::Result<()> {
        match format {
            Format::Folded => w.write_all(self.folded_stacks().as_bytes()),
            Format::Flamegraph => flamegraph::write(self, w),
            Format::ChromeTrace => chrome::write(self, w),
            Format::Speedscope => speedscope::write(self, w),
            Format::Pprof => pprof::write(self, w),
            _ => write(&ReportData::collect(self, top_n), format, w),
        }
    }

    /// Writes the report to `w`, the text report leading with `lead` (`zx profile --by`).
    pub fn write_report_by(
        &self,
        format: Format,
        top_n: usize,
        lead: Lead,
        w: &mut dyn io::Write,
    ) -> io::Result<()> {
        match format {
            Format::Text | Format::Json | Format::Html | Format::Dot => {
                let mut d = ReportData::collect(self, top_n);
                d.lead = lead;
                write(&d, format, w)
            }
            _ => self.write_report(format, top_n, w),
        }
    }

    /// Folded stacks per call path: at DETAILED and FULL weighted by sampled time (ns), at
    /// BASIC by instruction counts (each function's exact count shared among its call paths
    /// by calls; see [`crate::profile::CallTree::folded_counts`]). Empty at NONE, or when call
    /// paths were not recorded.
    pub fn folded_stacks(&self) -> String {
        let name = |c: u32| {
            self.codes
                .get(c as usize)
                .map(|p| p.name.clone())
                .unwrap_or_else(|| "?".to_string())
        };
        if self.level == Level::Basic {
            return self.call_tree.folded_counts(name, |c| {
                self.codes.get(c as usize).map_or(0, |p| p.total_count())
            });
        }
        self.call_tree
            .folded(name, crate::profile::clock::ns_per_tick())
    }
}

/// The note under a table that `--top` cut: `"(12 more rows; --top 32 shows them all)"`,
/// or `None` when all `total` rows were shown.
pub fn more_rows(total: usize, top_n: usize) -> Option<String> {
    (total > top_n).then(|| {
        format!(
            "({} more rows; --top {total} shows them all)",
            thousands((total - top_n) as u64)
        )
    })
}

/// An integer with thousands separators: `1234567` → `"1,234,567"`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

/// `s` cut to at most `width` characters, ending in `…` when cut.
pub fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A finite, non-negative number (NaN, infinities and negatives become 0).
pub(crate) fn num(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_in_any_case() {
        assert_eq!("Text".parse::<Format>(), Ok(Format::Text));
        assert_eq!("HTML".parse::<Format>(), Ok(Format::Html));
        let e = "yaml".parse::<Format>().unwrap_err().to_string();
        assert!(e.contains("yaml") && e.contains("json"), "{e}");
        assert_eq!(Format::Json.to_string(), "json");
    }

    #[test]
    fn thousands_and_truncate() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(truncate("fibonacci_iterative", 12), "fibonacci_i…");
        assert_eq!(truncate("<main>", 12), "<main>");
        assert_eq!(num(f64::NAN), 0.0);
        assert_eq!(num(-1.0), 0.0);
    }
}
