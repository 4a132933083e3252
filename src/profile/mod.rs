//! The instruction-level profiler: levels, the clock, raw data per code object, and the
//! views reports are made of (summary, hottest and slowest instructions, hot loops,
//! branches, memory, functions, JIT events).
//!
//! The VM registers each code object it runs and writes straight into its
//! [`CodeProfile`]'s vectors (indexed by ip): exact counts at BASIC, sampled timer ticks at
//! DETAILED, memory, branch and back-edge data at FULL. Everything else is derived when asked.

pub mod allocs;
pub mod attribution;
pub mod cache;
pub mod callgraph;
pub mod clock;
pub mod data;
pub mod events;
pub mod jit_events;
pub mod level;
pub mod lines;
pub mod loops;
pub mod predictor;
pub mod profiler;
pub mod sections;
pub mod stacks;
pub mod summary;

pub use allocs::{AllocReport, AllocSite, Allocations, KindCount};
pub use attribution::Attribution;
pub use cache::{
    CacheConfig, CacheCount, CacheLoopRow, CacheModel, CacheReport, CacheRow, CacheSim,
};
pub use callgraph::CallEdge;
pub use clock::SamplePeriod;
pub use data::{BranchStats, CodeProfile, LoopStats, Measured, TimingStats};
pub use events::EventCount;
pub use jit_events::{CompiledLoop, JitEvents, JitExit, JitRefusal};
pub use level::{Level, ParseLevelError};
pub use lines::{AnnotatedLine, AnnotatedSource, LineFigures, LineStats};
pub use loops::HotLoop;
pub use profiler::{
    HookCosts, InstructionProfiler, RunErrorInfo, DEFAULT_SAMPLE_RATE, DIRECT_CODE_NAME,
    WARMUP_SAMPLES,
};
pub use sections::{BranchInfo, MemoryInfo, MemoryReport, VariableStats};
pub use stacks::{CallTree, PathNode};
pub use summary::{FunctionStats, InstructionStats, Summary};

/// `x` if it is finite and positive, else 0: reports never show NaN or negative numbers.
pub(crate) fn finite(x: f64) -> f64 {
    if x.is_finite() && x > 0.0 {
        x
    } else {
        0.0
    }
}
