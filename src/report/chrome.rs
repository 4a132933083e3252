//! Chrome trace event JSON (`zx profile --format chrome-trace`), the format chrome://tracing
//! and Perfetto open: the JSON object form, `{"traceEvents": [...], "displayTimeUnit": "ns"}`,
//! of complete events (`"ph": "X"`, with `ts` and `dur` in µs) and metadata events
//! (`"ph": "M"`, naming the process and its tracks).
//!
//! The profiler records totals, not a timeline (a clock read per call would cost far more
//! than the sampling: see `docs/PROFILER.md`), so the trace is laid out as a flame chart of
//! the totals: track 1, "call paths", has a span per call path whose duration is its
//! inclusive sampled time, its callees nested inside it from its start, its own time after
//! them; track 2, "loops" (FULL), a span per loop with its time, one after another; track 3,
//! "JIT compiles", a span per compilation with its compile time, in the order the JIT made
//! them. `otherData` says so, with the level and the sampling rate.

use std::io;

use serde_json::{json, Value};

use super::paths::{CallPaths, WeightUnit};
use crate::profile::{InstructionProfiler, Level};

const PID: u32 = 1;
const TID_CALLS: u32 = 1;
const TID_LOOPS: u32 = 2;
const TID_JIT: u32 = 3;

/// The trace's events (`traceEvents`).
pub fn events(p: &InstructionProfiler) -> Vec<Value> {
    let mut ev = vec![
        meta("process_name", 0, json!({"name": "zx profile"})),
        meta("thread_name", TID_CALLS, json!({"name": "call paths"})),
        meta("thread_name", TID_LOOPS, json!({"name": "loops"})),
        meta("thread_name", TID_JIT, json!({"name": "JIT compiles"})),
    ];
    let paths = CallPaths::of(p);
    // µs per unit of weight: at BASIC one instruction is drawn as 1 ns.
    let us = 1e-3;
    let inclusive = paths.inclusive();
    let children = paths.children();
    let mut start = 0.0;
    for (i, e) in paths.entries.iter().enumerate() {
        if e.parent.is_none() {
            lay_out(&paths, &inclusive, &children, i, start, us, &mut ev);
            start += inclusive[i] as f64 * us;
        }
    }
    if p.level >= Level::Full {
        let mut at = 0.0;
        for l in p.loops() {
            let dur = l.total_time.as_secs_f64() * 1e6;
            ev.push(json!({
                "name": format!("loop {} {}-{}", l.function, l.start_ip, l.end_ip),
                "cat": "loop", "ph": "X", "ts": at, "dur": dur, "pid": PID, "tid": TID_LOOPS,
                "args": {"iterations": l.iterations, "avg_iteration_us": l.avg_iteration_us(),
                         "run_pct": l.run_pct},
            }));
            at += dur;
        }
    }
    let mut at = 0.0;
    for c in &p.jit.compiled {
        let what = if c.is_function() { "function" } else { "loop" };
        ev.push(json!({
            "name": format!("compile {what} {} {}-{}", c.function, c.start_ip, c.end_ip),
            "cat": "jit", "ph": "X", "ts": at, "dur": c.compile_time_us, "pid": PID,
            "tid": TID_JIT,
            "args": {"code_bytes": c.code_bytes, "entries": c.entries,
                     "specialised": c.specialised},
        }));
        at += c.compile_time_us;
    }
    ev
}

/// Pushes the span of path `i` starting at `ts` (µs), then its callees inside it.
fn lay_out(
    paths: &CallPaths,
    inclusive: &[u64],
    children: &[Vec<usize>],
    i: usize,
    ts: f64,
    us: f64,
    ev: &mut Vec<Value>,
) {
    // An explicit stack: recursion in the program would otherwise recurse here as deep.
    let mut todo = vec![(i, ts)];
    while let Some((i, ts)) = todo.pop() {
        let e = &paths.entries[i];
        if inclusive[i] == 0 {
            continue;
        }
        let mut args = json!({"calls": e.calls, "self": e.weight, "unit": paths.unit.name()});
        if paths.unit == WeightUnit::Nanoseconds {
            args["samples"] = json!(e.samples);
        }
        if !e.file.is_empty() {
            args["file"] = json!(e.file);
            args["line"] = json!(e.line);
        }
        ev.push(json!({
            "name": e.name, "cat": "function", "ph": "X", "ts": ts,
            "dur": inclusive[i] as f64 * us, "pid": PID, "tid": TID_CALLS, "args": args,
        }));
        let mut at = ts;
        for &c in &children[i] {
            todo.push((c, at));
            at += inclusive[c] as f64 * us;
        }
    }
}

fn meta(name: &str, tid: u32, args: Value) -> Value {
    json!({"name": name, "ph": "M", "pid": PID, "tid": tid, "args": args})
}

/// Writes the trace as JSON.
pub fn write(p: &InstructionProfiler, w: &mut dyn io::Write) -> io::Result<()> {
    let paths = CallPaths::of(p);
    let mut other = json!({
        "generator": "zx profile (Zexus VM)",
        "level": p.level.to_string(),
        "layout": "totals, not a timeline: call paths drawn as a flame chart of their \
                   inclusive time, loops and JIT compiles one after another",
        "weights": match paths.unit {
            WeightUnit::Nanoseconds => format!("sampled time, 1 in {} executions timed", p.sample_rate),
            WeightUnit::Instructions =>
                "level BASIC: executed instructions drawn as 1 ns each, not time".to_string(),
        },
    });
    if let Some(why) = paths.empty_reason(p) {
        other["call_paths"] = json!(why);
    }
    if p.level < Level::Full {
        other["loops"] = json!("loops are recorded at FULL");
    }
    if p.jit.compiled.is_empty() {
        other["jit"] = json!("the JIT compiled nothing (it is off unless --jit)");
    }
    let doc = json!({
        "traceEvents": events(p),
        "displayTimeUnit": "ns",
        "otherData": other,
    });
    serde_json::to_writer(&mut *w, &doc).map_err(io::Error::other)?;
    w.write_all(b"\n")
}
