//! Comparing two runs (`zx diff BEFORE.json AFTER.json`, the guide's use case 3, "Comparing
//! optimizations"): the speedup, the instruction reduction, and per-opcode, per-function,
//! per-line and per-loop deltas sorted by impact, from two JSON reports of
//! `zx profile --format json`; and a differential flame graph of their folded stacks.
//!
//! Rows are matched by name: opcodes by opcode, functions by name, lines by file and line,
//! loops by function and ip range (a loop whose function changed shape may show as gone in
//! one run and new in the other). Impact is the absolute change in time where both runs were
//! timed (DETAILED or FULL), else in executed instructions (opcodes: always counts). The
//! JSON report holds the `--top` rows of each table, so profile with a large `--top` (e.g.
//! `--top 1000`) to compare everything.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

use serde_json::Value;

use super::thousands;

/// A run as its JSON report describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct RunFigures {
    /// Execution time in ms (the timing model's, else the run's wall time).
    pub time_ms: f64,
    /// True when the run was timed (DETAILED or FULL).
    pub timed: bool,
    /// Executed bytecode instructions.
    pub instructions: u64,
    /// Counts per opcode.
    pub opcodes: BTreeMap<String, Figures>,
    /// Per function: self time and instructions.
    pub functions: BTreeMap<String, Figures>,
    /// Per `file:line`: time and instructions.
    pub lines: BTreeMap<String, Figures>,
    /// Per loop (`function start-end`): time and iterations.
    pub loops: BTreeMap<String, Figures>,
    /// Folded stacks (empty when call paths were not recorded).
    pub folded: Vec<String>,
    /// The program's own file (that of `<main>`'s lines; empty when unknown).
    pub program: String,
}

/// A row's figures in one run.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Figures {
    /// Executed instructions (iterations for a loop).
    pub count: u64,
    /// Time in ms (0 when not timed).
    pub ms: f64,
}

/// One row of a comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Delta {
    /// The opcode, function, line or loop.
    pub key: String,
    /// Its figures before (zero when it did not run).
    pub before: Figures,
    /// Its figures after.
    pub after: Figures,
}

impl Delta {
    /// The change in time (ms), after less before.
    pub fn ms(&self) -> f64 {
        self.after.ms - self.before.ms
    }

    /// The change in count, after less before.
    pub fn count(&self) -> i128 {
        self.after.count as i128 - self.before.count as i128
    }
}

/// The comparison of two runs.
#[derive(Debug, Clone, PartialEq)]
pub struct RunDiff {
    /// The run before the change.
    pub before: RunFigures,
    /// The run after it.
    pub after: RunFigures,
    /// True when both runs were timed: rows are sorted by time, else by count.
    pub timed: bool,
    /// Opcodes, by impact.
    pub opcodes: Vec<Delta>,
    /// Functions, by impact.
    pub functions: Vec<Delta>,
    /// Source lines, by impact.
    pub lines: Vec<Delta>,
    /// Loops, by impact.
    pub loops: Vec<Delta>,
}

fn err(what: &str, msg: impl std::fmt::Display) -> String {
    format!("{what}: {msg}")
}

impl RunFigures {
    /// Reads a JSON report; `what` names it in errors (its file name).
    pub fn from_json(text: &str, what: &str) -> Result<RunFigures, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| {
            err(
                what,
                format!("not a JSON report of `zx profile --format json` ({e})"),
            )
        })?;
        let summary = v.get("summary").filter(|s| s.is_object()).ok_or_else(|| {
            err(
                what,
                "not a report of `zx profile --format json` (no \"summary\")",
            )
        })?;
        let f = |x: &Value, k: &str| x.get(k).and_then(Value::as_f64).unwrap_or(0.0);
        let u = |x: &Value, k: &str| x.get(k).and_then(Value::as_u64).unwrap_or(0);
        let timing = v.get("timing").filter(|t| t.is_object());
        let timed = timing.is_some();
        let time_ms = match timing {
            Some(t) => f(t, "execution_time_ms"),
            None => f(summary, "total_time_sec") * 1e3,
        };
        let mut opcodes = BTreeMap::new();
        if let Some(m) = v.get("opcode_distribution").and_then(Value::as_object) {
            for (k, n) in m {
                opcodes.insert(
                    k.clone(),
                    Figures {
                        count: n.as_u64().unwrap_or(0),
                        ms: 0.0,
                    },
                );
            }
        }
        let rows = |key: &str| v.get(key).and_then(Value::as_array).cloned();
        let mut functions = BTreeMap::new();
        for r in rows("functions").unwrap_or_default() {
            let name = r.get("name").and_then(Value::as_str).unwrap_or("?");
            functions.insert(
                name.to_string(),
                Figures {
                    count: u(&r, "instructions"),
                    ms: f(&r, "self_time_ms"),
                },
            );
        }
        let mut lines = BTreeMap::new();
        let mut program = String::new();
        for r in rows("lines").unwrap_or_default() {
            let file = r.get("file").and_then(Value::as_str).unwrap_or("?");
            let in_main = r
                .get("functions")
                .and_then(Value::as_array)
                .is_some_and(|f| f.iter().any(|n| n == "<main>"));
            if in_main && program.is_empty() {
                program = file.to_string();
            }
            lines.insert(
                format!("{file}:{}", u(&r, "line")),
                Figures {
                    count: u(&r, "count"),
                    ms: f(&r, "total_time_ms"),
                },
            );
        }
        let mut loops = BTreeMap::new();
        for r in rows("hot_loops").unwrap_or_default() {
            let func = r.get("function").and_then(Value::as_str).unwrap_or("?");
            loops.insert(
                format!("{func} {}-{}", u(&r, "start_ip"), u(&r, "end_ip")),
                Figures {
                    count: u(&r, "iterations"),
                    ms: f(&r, "total_time_ms"),
                },
            );
        }
        let folded = rows("folded_stacks")
            .unwrap_or_default()
            .iter()
            .filter_map(|l| l.as_str().map(str::to_string))
            .collect();
        Ok(RunFigures {
            time_ms,
            timed,
            instructions: u(summary, "total_instructions"),
            opcodes,
            functions,
            lines,
            loops,
            folded,
            program,
        })
    }
}

fn deltas(
    a: &BTreeMap<String, Figures>,
    b: &BTreeMap<String, Figures>,
    by_time: bool,
) -> Vec<Delta> {
    let mut v: Vec<Delta> = a
        .keys()
        .chain(b.keys())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|k| Delta {
            key: k.clone(),
            before: a.get(k).copied().unwrap_or_default(),
            after: b.get(k).copied().unwrap_or_default(),
        })
        .filter(|d| d.before != d.after)
        .collect();
    if by_time {
        v.sort_by(|x, y| y.ms().abs().total_cmp(&x.ms().abs()));
    } else {
        v.sort_by_key(|d| std::cmp::Reverse(d.count().unsigned_abs()));
    }
    v
}

impl RunDiff {
    /// Compares `before` with `after`. When the two runs' programs are different files (say
    /// `slow.zx` and `fast.zx`), their lines are matched by number, shown as `<program>:N`.
    pub fn new(mut before: RunFigures, mut after: RunFigures) -> RunDiff {
        if before.program != after.program {
            for run in [&mut before, &mut after] {
                let prefix = format!("{}:", run.program);
                run.lines = std::mem::take(&mut run.lines)
                    .into_iter()
                    .map(|(k, f)| match k.strip_prefix(&prefix) {
                        Some(n) if !run.program.is_empty() => (format!("<program>:{n}"), f),
                        _ => (k, f),
                    })
                    .collect();
            }
        }
        let timed = before.timed && after.timed;
        RunDiff {
            opcodes: deltas(&before.opcodes, &after.opcodes, false),
            functions: deltas(&before.functions, &after.functions, timed),
            lines: deltas(&before.lines, &after.lines, timed),
            loops: deltas(&before.loops, &after.loops, timed),
            before,
            after,
            timed,
        }
    }

    /// Before's time over after's (above 1: the change made the run faster).
    pub fn speedup(&self) -> f64 {
        if self.after.time_ms > 0.0 {
            self.before.time_ms / self.after.time_ms
        } else {
            0.0
        }
    }

    /// The share of before's instructions the change removed (negative: it added some).
    pub fn instruction_reduction(&self) -> f64 {
        if self.before.instructions == 0 {
            0.0
        } else {
            1.0 - self.after.instructions as f64 / self.before.instructions as f64
        }
    }

    /// The comparison as text, each table cut to `top` rows.
    pub fn text(&self, top: usize) -> String {
        let mut o = String::new();
        let rule = "-".repeat(80);
        let _ = writeln!(o, "PROFILE COMPARISON\n{rule}");
        let _ = writeln!(
            o,
            "Execution Time:   {:.3} ms -> {:.3} ms   speedup {:.2}x{}",
            self.before.time_ms,
            self.after.time_ms,
            self.speedup(),
            if self.timed {
                ""
            } else {
                "  (wall time: a run was profiled at BASIC)"
            }
        );
        let _ = writeln!(
            o,
            "Instructions:     {} -> {}   {:+.1}% ({})",
            thousands(self.before.instructions),
            thousands(self.after.instructions),
            -self.instruction_reduction() * 100.0,
            if self.instruction_reduction() >= 0.0 {
                format!("{:.1}% fewer", self.instruction_reduction() * 100.0)
            } else {
                format!("{:.1}% more", -self.instruction_reduction() * 100.0)
            }
        );
        let sections: [(&str, &[Delta], bool); 4] = [
            ("FUNCTIONS (self time)", &self.functions, self.timed),
            ("SOURCE LINES", &self.lines, self.timed),
            ("LOOPS (time; count = iterations)", &self.loops, self.timed),
            ("OPCODES (executions)", &self.opcodes, false),
        ];
        for (title, rows, timed) in sections {
            let _ = writeln!(o, "\n{title}, by impact\n{rule}");
            if rows.is_empty() {
                let _ = writeln!(o, "  (no change)");
                continue;
            }
            if timed {
                let _ = writeln!(
                    o,
                    "{:<30} {:>10} {:>10} {:>10} {:>7} {:>9}",
                    "", "before ms", "after ms", "delta ms", "change", "count +/-"
                );
            } else {
                let _ = writeln!(
                    o,
                    "{:<30} {:>13} {:>13} {:>13} {:>7}",
                    "", "before", "after", "delta", "change"
                );
            }
            for d in rows.iter().take(top.max(1)) {
                let key = super::truncate(&d.key, 30);
                let change = |b: f64, a: f64| {
                    if b == 0.0 {
                        "new".to_string()
                    } else if a == 0.0 {
                        "gone".to_string()
                    } else {
                        format!("{:+.0}%", (a / b - 1.0) * 100.0)
                    }
                };
                if timed {
                    let _ = writeln!(
                        o,
                        "{key:<30} {:>10.3} {:>10.3} {:>+10.3} {:>7} {:>+9}",
                        d.before.ms,
                        d.after.ms,
                        d.ms(),
                        change(d.before.ms, d.after.ms),
                        d.count()
                    );
                } else {
                    let _ = writeln!(
                        o,
                        "{key:<30} {:>13} {:>13} {:>+13} {:>7}",
                        thousands(d.before.count),
                        thousands(d.after.count),
                        d.count(),
                        change(d.before.count as f64, d.after.count as f64)
                    );
                }
            }
            if let Some(note) = super::more_rows(rows.len(), top.max(1)) {
                let _ = writeln!(o, "  {note}");
            }
        }
        o
    }

    /// Writes a differential flame graph (inferno): the after run's call paths, each
    /// coloured by its change from before (red grew, blue shrank). Both reports need
    /// `folded_stacks` (`zx profile --format json --call-paths`).
    pub fn flame_graph(&self, w: &mut dyn io::Write) -> Result<(), String> {
        for (run, which) in [(&self.before, "BEFORE"), (&self.after, "AFTER")] {
            if run.folded.is_empty() {
                return Err(format!(
                    "{which} has no call paths (JSON \"folded_stacks\"): profile it with \
                     `zx profile --format json --call-paths`"
                ));
            }
        }
        let join = |v: &[String]| v.join("\n") + "\n";
        let (b, a) = (join(&self.before.folded), join(&self.after.folded));
        let mut folded = Vec::new();
        inferno::differential::from_readers(
            inferno::differential::Options::default(),
            b.as_bytes(),
            a.as_bytes(),
            &mut folded,
        )
        .map_err(|e| e.to_string())?;
        let mut opts = inferno::flamegraph::Options::default();
        opts.title = "Zexus VM: differential flame graph".to_string();
        opts.subtitle =
            Some("widths: the AFTER run; red: grew since BEFORE, blue: shrank".to_string());
        opts.count_name = if self.timed { "ns" } else { "instructions" }.to_string();
        let text = String::from_utf8_lossy(&folded).into_owned();
        inferno::flamegraph::from_lines(&mut opts, text.lines(), w).map_err(|e| e.to_string())
    }
}
