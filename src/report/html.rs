//! The HTML report: one self-contained page (inline CSS, JS and SVG; nothing fetched from the
//! network) with every section of the text report, sortable tables and two bar charts.

use std::io::{self, Write};

use super::{num, thousands, ReportData};

mod allocs;
mod cache;
mod widgets;

use crate::profile::{InstructionStats, Level};
pub use widgets::escape;
use widgets::{bar_chart, float, int, more, table, txt, Cell, SCRIPT, STYLE};

/// Writes the HTML report.
pub fn write(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">"
    )?;
    writeln!(
        w,
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
    )?;
    writeln!(
        w,
        "<title>Zexus VM Profiling Report</title>\n<style>{STYLE}</style>\n</head>"
    )?;
    writeln!(
        w,
        "<body>\n<div class=\"container\">\n<h1>Zexus VM Instruction Profiling Report</h1>"
    )?;
    let timing = if d.level >= Level::Detailed {
        format!(" &middot; 1 in {} executions timed", d.sample_rate)
    } else {
        String::new()
    };
    writeln!(
        w,
        "<p class=\"meta\">Level {}{timing} &middot; click a table header to sort</p>",
        d.level
    )?;
    if d.interrupted {
        writeln!(
            w,
            "<p class=\"note\"><strong>Incomplete:</strong> the run was interrupted; this report covers what ran so far.</p>"
        )?;
    }
    if let Some(e) = &d.error {
        writeln!(
            w,
            "<p class=\"note\"><strong>The run ended in a runtime error</strong> at line {} in {}: {}</p>",
            e.line,
            escape(&e.function),
            escape(&e.message)
        )?;
    }
    // The sections go to a buffer first, so that the table of contents above them can link
    // every one that was written.
    let mut body: Vec<u8> = Vec::new();
    sections(d, &mut body)?;
    let body = String::from_utf8(body).map_err(io::Error::other)?;
    widgets::contents(&body, w)?;
    w.write_all(body.as_bytes())?;
    writeln!(w, "</div>\n<script>{SCRIPT}</script>\n</body>\n</html>")
}

/// Every section of the page, in order, each under an `<h2 id=...>`.
fn sections(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    summary(d, w)?;
    opcodes(d, w)?;
    writeln!(
        w,
        "<h2 id=\"hottest\">Top {} Hottest Instructions (by count)</h2>",
        d.top_n
    )?;
    instr_table(w, &d.hottest, false, d.level >= Level::Detailed)?;
    if d.level >= Level::Detailed {
        slowest(d, w)?;
    }
    if !d.hot_loops.is_empty() {
        hot_loops(d, w)?;
    }
    if d.level >= Level::Full {
        branches_and_memory(d, w)?;
    }
    if d.has_functions() {
        functions(d, w)?;
    }
    if !d.call_graph.is_empty() {
        writeln!(w, "<h2 id=\"call-graph\">Call Graph</h2>")?;
        let rows: Vec<Vec<Cell>> = d
            .call_graph
            .iter()
            .map(|e| vec![txt(&e.caller), txt(&e.callee), int(e.calls)])
            .collect();
        table(w, &["Caller", "Callee", "Calls"], &rows)?;
    }
    if d.level >= Level::Basic {
        allocs::write(d, w)?;
    }
    if d.cache.config.is_some() {
        cache::write(d, w)?;
    }
    source_lines(d, w)?;
    if !d.jit.is_empty() || !d.jit_not_compiled.is_empty() {
        jit(d, w)?;
    }
    if !d.events.is_empty() {
        events(d, w)?;
    }
    if !d.folded.is_empty() {
        flame(d, w)?;
    }
    Ok(())
}

/// The flame graph of the call paths, drawn by inferno and embedded as an image (a `data:`
/// URL, so the page stays one file; `--format flamegraph` gives the interactive SVG).
fn flame(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    let mut opts = inferno::flamegraph::Options::default();
    let unit = if d.level >= Level::Detailed {
        "ns"
    } else {
        "instructions"
    };
    opts.title = format!("Call paths ({unit})");
    opts.count_name = unit.to_string();
    let mut svg = Vec::new();
    inferno::flamegraph::from_lines(&mut opts, d.folded.iter().map(String::as_str), &mut svg)
        .map_err(|e| io::Error::other(e.to_string()))?;
    writeln!(w, "<h2 id=\"flame-graph\">Flame Graph</h2>")?;
    writeln!(
        w,
        "<img class=\"flame\" alt=\"Flame graph of the call paths\" src=\"data:image/svg+xml,{}\">",
        widgets::percent_encode(&svg)
    )?;
    writeln!(
        w,
        "<p class=\"note\">Width: {unit} per call path (callers below callees). <code>zx profile --format flamegraph</code> writes it as an interactive SVG.</p>"
    )
}

/// The events `emit` recorded, most emitted first.
fn events(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<h2 id=\"events\">Events emitted</h2>")?;
    let rows: Vec<Vec<Cell>> = d
        .events
        .iter()
        .take(d.top_n.max(1))
        .map(|e| vec![txt(&e.name), int(e.count)])
        .collect();
    table(w, &["Event", "Times emitted"], &rows)?;
    more(w, d.events.len(), d.top_n)
}

/// The hottest source lines, and each source file with every line's share in the margin
/// (the share also shades the line).
fn source_lines(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    if d.lines.is_empty() {
        return Ok(());
    }
    let timed = d.level >= Level::Detailed;
    writeln!(w, "<h2 id=\"lines\">Source Lines</h2>")?;
    let rows: Vec<Vec<Cell>> = d
        .lines
        .iter()
        .map(|l| {
            let mut r = vec![txt(&l.file), int(l.line as u64), int(l.count)];
            if timed {
                r.extend([float(l.total_time_ms, 3), float(l.run_pct, 1)]);
            }
            r.push(txt(l.functions.join(", ")));
            r
        })
        .collect();
    let mut heads = vec!["File", "Line", "Instructions"];
    if timed {
        heads.extend(["Total (ms)", "% of run"]);
    }
    heads.push("Functions");
    table(w, &heads, &rows)?;
    more(w, d.lines_total, d.top_n)?;
    for (i, f) in d.annotated.iter().enumerate() {
        writeln!(
            w,
            "<h2 id=\"annotated-{i}\">Annotated Source: {}</h2>",
            escape(&f.file)
        )?;
        writeln!(w, "<pre class=\"annotated\">")?;
        for l in &f.lines {
            let (margin, shade) = match l.stats {
                Some(s) if timed => (format!("{:>6.1}%", s.run_pct), s.run_pct.min(100.0)),
                Some(s) => (format!("{:>7}", s.count), 0.0),
                None => (" ".repeat(7), 0.0),
            };
            writeln!(
                w,
                "<span style=\"background: rgba(220, 80, 60, {:.3})\">{margin} {:>5}  {}</span>",
                shade / 100.0,
                l.line,
                escape(&l.text)
            )?;
        }
        writeln!(w, "</pre>")?;
    }
    Ok(())
}

fn summary(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    let s = &d.summary;
    let mut cards = vec![
        ("Profiling Level", s.profiling_level.clone()),
        ("Total Instructions", thousands(s.total_instructions)),
        ("Unique Instructions", thousands(s.unique_instructions)),
        ("Total Time", format!("{:.4} s", num(s.total_time_sec))),
        (
            "Bytecode Instructions/Second",
            thousands(num(s.instructions_per_sec).round() as u64),
        ),
        (
            "Dispatches",
            if s.dispatches > 0 {
                super::text::dispatches(s)
            } else {
                "not counted (level NONE)".to_string()
            },
        ),
        (
            "Profiling Overhead",
            if s.overhead_estimable || d.level == Level::None {
                format!(
                    "{:.2}% ({:.2} ms)",
                    num(s.overhead_percentage),
                    num(s.profiling_overhead_ms)
                )
            } else {
                "too short to estimate (run under 5 ms)".to_string()
            },
        ),
        ("Hot Loops Detected", s.hot_loops_detected.to_string()),
    ];
    if d.level >= Level::Detailed {
        let a = &d.attribution;
        let ns = crate::profile::clock::ns_per_tick();
        cards.push((
            "Execution Time",
            format!(
                "{:.3} ms (the times below add up to it)",
                num(a.exec_ticks * ns / 1e6)
            ),
        ));
        cards.push((
            "Timing Model",
            format!(
                "mean - {:.1} ns bias, × count, × each function's factor ({:.3} overall)",
                num(a.bias_ticks * ns),
                num(a.scale)
            ),
        ));
        cards.push((
            "Sample Rate",
            format!("1 in {} ({} samples)", d.sample_rate, thousands(s.samples)),
        ));
    }
    writeln!(
        w,
        "<h2 id=\"summary\">Summary</h2>\n<div class=\"summary\">"
    )?;
    for (label, value) in cards {
        writeln!(
            w,
            "<div class=\"card\"><div class=\"label\">{}</div><div class=\"value\">{}</div></div>",
            escape(label),
            escape(&value)
        )?;
    }
    writeln!(w, "</div>")
}

fn opcodes(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<h2 id=\"opcodes\">Opcode Distribution</h2>")?;
    let total = d.summary.total_instructions;
    if total == 0 {
        return writeln!(w, "<p class=\"note\">No instructions recorded.</p>");
    }
    let pct = |n: u64| num(n as f64 * 100.0 / total as f64);
    let bars: Vec<(String, f64, String)> = d
        .distribution
        .iter()
        .take(d.top_n)
        .map(|(op, n)| {
            (
                op.clone(),
                *n as f64,
                format!("{} ({:.1}%)", thousands(*n), pct(*n)),
            )
        })
        .collect();
    bar_chart(w, "Executions per opcode", &bars, "#4CAF50")?;
    let rows: Vec<Vec<Cell>> = d
        .distribution
        .iter()
        .take(d.top_n)
        .map(|(op, n)| vec![txt(op), int(*n), float(pct(*n), 1)])
        .collect();
    writeln!(w, "<h3>Opcodes</h3>")?;
    table(w, &["Opcode", "Count", "%"], &rows)?;
    more(w, d.distribution.len(), d.top_n)
}

fn instr_table(
    w: &mut dyn Write,
    v: &[InstructionStats],
    percentiles: bool,
    timed: bool,
) -> io::Result<()> {
    let mut heads = vec!["Function", "IP", "Line", "Opcode", "Operand", "Count"];
    if timed {
        heads.extend(["Avg (μs)", "Total (ms)", "± (ms)", "% of run"]);
    }
    if percentiles {
        heads.extend(["Samples", "p50 (μs)", "p95 (μs)", "p99 (μs)", "Max (μs)"]);
    }
    let rows: Vec<Vec<Cell>> = v
        .iter()
        .map(|s| {
            let mut r = vec![
                txt(&s.function),
                int(s.ip as u64),
                int(s.line as u64),
                txt(&s.opcode),
                txt(&s.operand),
                int(s.count),
            ];
            if timed {
                r.extend([
                    float(s.avg_time_us, 3),
                    float(s.total_time_ms, 3),
                    float(s.total_time_err_ms, 3),
                    float(s.run_pct, 1),
                ]);
            }
            if percentiles {
                r.extend([
                    int(s.samples),
                    float(s.p50_us, 3),
                    float(s.p95_us, 3),
                    float(s.p99_us, 3),
                    float(s.max_time_us, 3),
                ]);
            }
            r
        })
        .collect();
    table(w, &heads, &rows)
}

fn slowest(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "<h2 id=\"slowest\">Top {} Slowest Instructions (by total time)</h2>",
        d.top_n
    )?;
    let bars: Vec<(String, f64, String)> = d
        .slowest
        .iter()
        .filter(|s| s.total_time_ms > 0.0)
        .map(|s| {
            let label = format!("{}:{} {}", s.function, s.ip, s.opcode);
            (
                label,
                s.total_time_ms,
                format!("{:.3} ms", num(s.total_time_ms)),
            )
        })
        .collect();
    if bars.is_empty() {
        writeln!(w, "<p class=\"note\">No timing samples recorded.</p>")?;
    } else {
        bar_chart(w, "Estimated time per instruction", &bars, "#1e88e5")?;
    }
    instr_table(w, &d.slowest, true, true)?;
    writeln!(
        w,
        "<p class=\"note\">Total: the instruction's share of the execution time (sampled mean less the timer bias, &times; count, scaled so that all instructions add up to the run), &plusmn; a 95% sampling interval. Avg and p50&ndash;p99: single timed executions as measured, bias included. 1 in {} executions timed.</p>",
        d.sample_rate
    )
}

fn hot_loops(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "<h2 id=\"hot-loops\">Hot Loops (&ge;1000 iterations)</h2>"
    )?;
    let rows: Vec<Vec<Cell>> = d
        .hot_loops
        .iter()
        .map(|l| {
            let mut ops = l
                .instructions
                .iter()
                .take(8)
                .cloned()
                .collect::<Vec<_>>()
                .join(", ");
            if l.instructions.len() > 8 {
                ops.push_str(", …");
            }
            vec![
                txt(&l.function),
                int(l.start_ip as u64),
                int(l.end_ip as u64),
                int(l.iterations),
                float(l.total_time_ms(), 3),
                float(l.run_pct, 1),
                float(l.avg_iteration_us(), 3),
                txt(ops),
            ]
        })
        .collect();
    let heads = [
        "Function",
        "Start",
        "End",
        "Iterations",
        "Total (ms)",
        "% of run",
        "Avg/iter (μs)",
        "Instructions",
    ];
    table(w, &heads, &rows)
}

fn branches_and_memory(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<h2 id=\"branches\">Branches</h2>")?;
    if d.branches.is_empty() {
        writeln!(w, "<p class=\"note\">No conditional branches executed.</p>")?;
    } else {
        let rows: Vec<Vec<Cell>> = d
            .branches
            .iter()
            .map(|b| {
                vec![
                    txt(&b.function),
                    int(b.ip as u64),
                    int(b.line as u64),
                    txt(&b.opcode),
                    int(b.taken),
                    int(b.not_taken),
                    float(b.taken_rate, 1),
                    float(b.miss_rate, 1),
                ]
            })
            .collect();
        let heads = [
            "Function",
            "IP",
            "Line",
            "Opcode",
            "Taken",
            "Not taken",
            "Taken %",
            "Miss % (2-bit)",
        ];
        table(w, &heads, &rows)?;
    }
    let m = &d.memory;
    writeln!(w, "<h2 id=\"memory\">Memory</h2>")?;
    writeln!(
        w,
        "<p>Total reads: <b>{}</b> &middot; total writes: <b>{}</b></p>",
        thousands(m.total_reads),
        thousands(m.total_writes)
    )?;
    if !m.instructions.is_empty() {
        let rows: Vec<Vec<Cell>> = m
            .instructions
            .iter()
            .map(|i| {
                vec![
                    txt(&i.function),
                    int(i.ip as u64),
                    txt(&i.opcode),
                    txt(&i.operand),
                    int(i.reads),
                    int(i.writes),
                ]
            })
            .collect();
        writeln!(w, "<h3>By instruction</h3>")?;
        table(
            w,
            &["Function", "IP", "Opcode", "Operand", "Reads", "Writes"],
            &rows,
        )?;
    }
    if !m.variables.is_empty() {
        let rows: Vec<Vec<Cell>> = m
            .variables
            .iter()
            .map(|v| {
                vec![
                    txt(&v.function),
                    txt(&v.name),
                    int(v.slot as u64),
                    int(v.reads),
                    int(v.writes),
                ]
            })
            .collect();
        writeln!(w, "<h3>By variable</h3>")?;
        table(
            w,
            &["Function", "Variable", "Slot", "Reads", "Writes"],
            &rows,
        )?;
    }
    Ok(())
}

fn functions(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "<h2 id=\"functions\">Functions</h2>")?;
    let rows: Vec<Vec<Cell>> = d
        .functions
        .iter()
        .map(|f| {
            let mut r = vec![txt(&f.name), int(f.calls), int(f.instructions)];
            if d.level >= Level::Detailed {
                r.extend([
                    float(f.self_time_ms, 3),
                    float(f.self_pct, 1),
                    float(f.total_time_ms, 3),
                    float(f.total_pct, 1),
                    float(f.jit_time_ms, 3),
                ]);
            }
            r
        })
        .collect();
    let mut heads = vec!["Function", "Calls", "Instructions"];
    if d.level >= Level::Detailed {
        heads.extend([
            "Self (ms)",
            "Self % of run",
            "Total (ms)",
            "Total % of run",
            "JIT (ms)",
        ]);
    }
    table(w, &heads, &rows)
}

fn jit(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    let j = &d.jit;
    writeln!(w, "<h2 id=\"jit\">JIT</h2>")?;
    let (fns, loops): (Vec<_>, Vec<_>) = j.compiled.iter().partition(|c| c.is_function());
    for (title, list) in [
        ("Compiled loops", &loops),
        ("Compiled whole functions", &fns),
    ] {
        if list.is_empty() {
            continue;
        }
        let rows: Vec<Vec<Cell>> = list
            .iter()
            .take(d.top_n)
            .map(|c| {
                vec![
                    txt(&c.function),
                    int(c.start_ip as u64),
                    int(c.end_ip as u64),
                    float(c.compile_time_us, 1),
                    int(c.code_bytes as u64),
                    int(c.entries),
                    txt(&c.specialised),
                ]
            })
            .collect();
        writeln!(w, "<h3>{title}</h3>")?;
        let heads = [
            "Function",
            "Start",
            "End",
            "Compile (μs)",
            "Bytes",
            "Entries",
            "Specialised",
        ];
        table(w, &heads, &rows)?;
        more(w, list.len(), d.top_n)?;
    }
    if !j.exits.is_empty() {
        let rows: Vec<Vec<Cell>> = j
            .exits
            .iter()
            .take(d.top_n)
            .map(|e| {
                vec![
                    txt(&e.function),
                    int(e.ip as u64),
                    int(e.count),
                    txt(&e.reason),
                ]
            })
            .collect();
        writeln!(w, "<h3>Exits to the interpreter</h3>")?;
        table(w, &["Function", "IP", "Exits", "Reason"], &rows)?;
        more(w, j.exits.len(), d.top_n)?;
    }
    for (f, s, e, n) in &d.jit_recompiled {
        writeln!(
            w,
            "<p class=\"note\">{} {s}..{e} compiled {n} times: its guards kept failing (exits), so it was recompiled for wider types.</p>",
            escape(f)
        )?;
    }
    if !d.jit_not_compiled.is_empty() {
        let rows: Vec<Vec<Cell>> = d
            .jit_not_compiled
            .iter()
            .take(d.top_n)
            .map(|r| {
                vec![
                    txt(&r.function),
                    int(r.start_ip as u64),
                    int(r.end_ip as u64),
                    txt(&r.reason),
                ]
            })
            .collect();
        writeln!(w, "<h3>Loops not compiled</h3>")?;
        table(w, &["Function", "Start", "End", "Reason"], &rows)?;
        more(w, d.jit_not_compiled.len(), d.top_n)?;
    }
    Ok(())
}
