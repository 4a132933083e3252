//! The plain-text report, in the guide's layout: 80-column rules, a SUMMARY with labels
//! padded to 23 columns, then one section per view. Times in tables have three decimals
//! (the guide shows two) because a compiled VM's instructions take nanoseconds.

use std::io::{self, Write};

use super::{num, thousands, truncate, Lead, ReportData};
use crate::profile::{InstructionStats, Level};

const RULE: usize = 80;

fn rule(w: &mut dyn Write, ch: char) -> io::Result<()> {
    writeln!(w, "{}", ch.to_string().repeat(RULE))
}

fn section(w: &mut dyn Write, title: &str) -> io::Result<()> {
    writeln!(w)?;
    writeln!(w, "{title}")?;
    rule(w, '-')
}

fn field(w: &mut dyn Write, label: &str, value: impl std::fmt::Display) -> io::Result<()> {
    writeln!(w, "{:23}{}", format!("{label}:"), value)
}

/// Writes the text report.
pub fn write(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    rule(w, '=')?;
    writeln!(w, "ZEXUS VM INSTRUCTION PROFILING REPORT")?;
    rule(w, '=')?;
    if d.interrupted {
        writeln!(
            w,
            "INCOMPLETE: the run was interrupted; this report covers what ran so far"
        )?;
    }
    if let Some(e) = &d.error {
        writeln!(
            w,
            "THE RUN ENDED IN A RUNTIME ERROR at line {} in {}: {}",
            e.line, e.function, e.message
        )?;
    }
    summary(d, w)?;
    match d.lead {
        Lead::Line => source_lines(d, w)?,
        Lead::Function if d.has_functions() => functions(d, w)?,
        _ => {}
    }
    opcodes(d, w)?;
    hottest(d, w)?;
    if d.level >= Level::Detailed {
        slowest(d, w)?;
    }
    if !d.hot_loops.is_empty() {
        hot_loops(d, w)?;
    }
    if d.level >= Level::Full {
        branches(d, w)?;
        memory(d, w)?;
    }
    if d.has_functions() && d.lead != Lead::Function {
        functions(d, w)?;
    }
    if !d.call_graph.is_empty() {
        call_graph(d, w)?;
    }
    if d.level >= Level::Basic {
        allocations(d, w)?;
    }
    if d.cache.config.is_some() {
        cache(d, w)?;
    }
    if d.lead != Lead::Line {
        source_lines(d, w)?;
    }
    if !d.jit.is_empty() || !d.jit_not_compiled.is_empty() {
        jit(d, w)?;
    }
    if !d.events.is_empty() {
        events(d, w)?;
    }
    writeln!(w)?;
    rule(w, '=')
}

/// The allocation profile: totals, by kind, the peak, the top sites by bytes.
fn allocations(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    use crate::profile::allocs::{bytes_text, kinds_phrase};
    section(w, "ALLOCATIONS")?;
    let a = &d.allocations;
    if !a.recorded {
        return writeln!(
            w,
            "  not recorded at {}: allocations are recorded at DETAILED and FULL",
            d.level
        );
    }
    writeln!(
        w,
        "Objects made: {}   Bytes allocated: {}   Peak live heap: {}",
        thousands(a.total_allocations),
        bytes_text(a.total_bytes),
        bytes_text(a.peak_live_bytes)
    )?;
    let kinds: Vec<String> = a
        .by_kind
        .iter()
        .map(|k| {
            format!(
                "{} {} ({})",
                k.kind,
                thousands(k.allocations),
                bytes_text(k.bytes)
            )
        })
        .collect();
    writeln!(w, "By kind: {}", kinds.join(", "))?;
    if a.sites.is_empty() {
        return writeln!(w, "  (nothing allocated during the run)");
    }
    writeln!(w)?;
    writeln!(
        w,
        "{:>18} {:<16} {:>12} {:>12}  Kinds",
        "File:Line", "Function", "Objects", "Bytes"
    )?;
    rule(w, '-')?;
    for s in &a.sites {
        writeln!(
            w,
            "{:>18} {:<16} {:>12} {:>12}  {}",
            truncate(&format!("{}:{}", s.file, s.line), 18),
            truncate(&s.function, 16),
            thousands(s.allocations),
            bytes_text(s.bytes),
            kinds_phrase(&s.by_kind)
        )?;
    }
    more(w, d.alloc_sites_total, d.top_n)
}

/// The cache simulation: geometry, totals, instructions and loops by misses.
fn cache(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    let c = &d.cache;
    let Some(cfg) = c.config else {
        return Ok(());
    };
    section(w, "CACHE SIMULATION")?;
    writeln!(
        w,
        "Cache: {} ({} sets); every instruction interpreted, the JIT off",
        cfg.describe(),
        cfg.sets()
    )?;
    writeln!(
        w,
        "Accesses: {}   Line references: {}   Misses: {}   Miss rate: {:.2}%",
        thousands(c.total.accesses),
        thousands(c.total.references),
        thousands(c.total.misses),
        c.miss_rate * 100.0
    )?;
    if c.instructions.is_empty() {
        return writeln!(w, "  (no misses)");
    }
    writeln!(w)?;
    writeln!(
        w,
        "{:<16} {:>5} {:>5} {:<14} {:>12} {:>12} {:>8}",
        "Function", "IP", "Line", "Opcode", "Accesses", "Misses", "Rate"
    )?;
    rule(w, '-')?;
    for r in &c.instructions {
        writeln!(
            w,
            "{:<16} {:>5} {:>5} {:<14} {:>12} {:>12} {:>7.2}%",
            truncate(&r.function, 16),
            r.ip,
            r.line,
            r.opcode,
            thousands(r.count.accesses),
            thousands(r.count.misses),
            r.miss_rate * 100.0
        )?;
    }
    more(w, d.cache_rows_total, d.top_n)?;
    if !c.loops.is_empty() {
        writeln!(w)?;
        writeln!(w, "Loops (instructions between header and back edge):")?;
        writeln!(
            w,
            "{:<16} {:>9} {:>5} {:>12} {:>12} {:>12} {:>8}",
            "Function", "IPs", "Line", "Iterations", "Accesses", "Misses", "Rate"
        )?;
        rule(w, '-')?;
        for l in &c.loops {
            writeln!(
                w,
                "{:<16} {:>9} {:>5} {:>12} {:>12} {:>12} {:>7.2}%",
                truncate(&l.function, 16),
                format!("{}-{}", l.header_ip, l.back_edge_ip),
                l.line,
                thousands(l.iterations),
                thousands(l.count.accesses),
                thousands(l.count.misses),
                l.miss_rate * 100.0
            )?;
        }
    }
    Ok(())
}

/// The events `emit` recorded, most emitted first.
fn events(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    section(w, "EVENTS EMITTED")?;
    for e in d.events.iter().take(d.top_n.max(1)) {
        writeln!(w, "  {:<30} {:>14}", e.name, thousands(e.count))?;
    }
    more(w, d.events.len(), d.top_n)
}

/// The run loop's dispatches with what fusion saved:
/// `"200,011 (6.50 interpreted bytecode instructions per dispatch: superinstructions)"`.
pub(crate) fn dispatches(s: &crate::profile::Summary) -> String {
    format!(
        "{} ({:.2} interpreted bytecode instructions per dispatch: superinstructions)",
        thousands(s.dispatches),
        num(s.interpreted_instructions as f64 / s.dispatches.max(1) as f64)
    )
}

/// The note under a table `--top` cut, if it cut it.
fn more(w: &mut dyn Write, total: usize, top_n: usize) -> io::Result<()> {
    match super::more_rows(total, top_n) {
        Some(note) => writeln!(w, "  {note}"),
        None => Ok(()),
    }
}

fn summary(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    let s = &d.summary;
    section(w, "SUMMARY")?;
    field(w, "Profiling Level", &s.profiling_level)?;
    field(w, "Total Instructions", thousands(s.total_instructions))?;
    field(w, "Unique Instructions", thousands(s.unique_instructions))?;
    field(
        w,
        "Total Time",
        format!("{:.4} seconds", num(s.total_time_sec)),
    )?;
    field(
        w,
        "Instructions/Second",
        format!(
            "{} (bytecode instructions, each part of a superinstruction counted)",
            thousands(num(s.instructions_per_sec).round() as u64)
        ),
    )?;
    if s.dispatches > 0 {
        field(w, "Dispatches", dispatches(s))?;
    }
    let overhead = if s.overhead_estimable || d.level == Level::None {
        format!(
            "{:.2}% ({:.2}ms)",
            num(s.overhead_percentage),
            num(s.profiling_overhead_ms)
        )
    } else {
        "too short to estimate (run under 5 ms)".to_string()
    };
    field(w, "Profiling Overhead", overhead)?;
    field(w, "Hot Loops Detected", s.hot_loops_detected)?;
    if d.level >= Level::Detailed {
        let a = &d.attribution;
        let ns = crate::profile::clock::ns_per_tick();
        field(
            w,
            "Execution Time",
            format!(
                "{:.3}ms (total less profiler overhead; the times below add up to it)",
                num(a.exec_ticks * ns / 1e6)
            ),
        )?;
        field(
            w,
            "Timing Model",
            format!(
                "sampled mean - {:.1}ns timer bias, x count, scaled to each function's measured time (x {:.3} overall)",
                num(a.bias_ticks * ns),
                num(a.scale)
            ),
        )?;
        let rate = format!(
            "1 in {} executions timed, the first 1,000 of each run all timed ({} samples)",
            d.sample_rate,
            thousands(s.samples)
        );
        field(w, "Sample Rate", rate)?;
    }
    if d.level == Level::None {
        writeln!(w, "(profiling level NONE: nothing is recorded)")?;
    }
    Ok(())
}

fn opcodes(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    section(w, "MOST COMMON OPCODES")?;
    let total = d.summary.total_instructions;
    if total == 0 {
        return writeln!(w, "  (no instructions recorded)");
    }
    for (op, n) in d.distribution.iter().take(d.top_n) {
        let pct = num(*n as f64 * 100.0 / total as f64);
        writeln!(w, "  {op:20} {:>10} ({pct:5.1}%)", thousands(*n))?;
    }
    more(w, d.distribution.len(), d.top_n)
}

fn hottest(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    section(
        w,
        &format!("TOP {} HOTTEST INSTRUCTIONS (by count)", d.top_n),
    )?;
    if d.level < Level::Detailed {
        // Counts only: nothing was timed.
        writeln!(
            w,
            "{:>6} {:12} {:20} {:>12}",
            "IP", "Function", "Opcode", "Count"
        )?;
        rule(w, '-')?;
        for s in &d.hottest {
            let (f, op) = (truncate(&s.function, 12), truncate(&s.opcode, 20));
            writeln!(w, "{:>6} {f:12} {op:20} {:>12}", s.ip, thousands(s.count))?;
        }
        return Ok(());
    }
    writeln!(
        w,
        "{:>6} {:12} {:20} {:>12} {:>12} {:>12} {:>8}",
        "IP", "Function", "Opcode", "Count", "Cost (μs)", "Total (ms)", "% run"
    )?;
    rule(w, '-')?;
    for s in &d.hottest {
        writeln!(
            w,
            "{:>6} {:12} {:20} {:>12} {:>12.4} {:>12.3} {:>8.1}",
            s.ip,
            truncate(&s.function, 12),
            truncate(&s.opcode, 20),
            thousands(s.count),
            num(s.cost_per_exec_us),
            num(s.total_time_ms),
            num(s.run_pct)
        )?;
    }
    Ok(())
}

fn slowest(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    section(
        w,
        &format!("TOP {} SLOWEST INSTRUCTIONS (by total time)", d.top_n),
    )?;
    writeln!(
        w,
        "{:>6} {:12} {:20} {:>12} {:>10} {:>6} {:>12} {:>10} {:>10} {:>10} {:>10}",
        "IP",
        "Function",
        "Opcode",
        "Total (ms)",
        "± (ms)",
        "% run",
        "Count",
        "Avg (μs)",
        "p50 (μs)",
        "p95 (μs)",
        "p99 (μs)"
    )?;
    rule(w, '-')?;
    for s in &d.slowest {
        slow_row(s, w)?;
    }
    writeln!(
        w,
        "(Total: this instruction's share of the execution time (see Timing Model), ± a 95%\n\
         sampling interval; Avg and p50..p99: single timed executions as measured, bias\n\
         included; 1 in {} executions timed)",
        d.sample_rate
    )
}

fn slow_row(s: &InstructionStats, w: &mut dyn Write) -> io::Result<()> {
    writeln!(
        w,
        "{:>6} {:12} {:20} {:>12.3} {:>10.3} {:>6.1} {:>12} {:>10.3} {:>10.3} {:>10.3} {:>10.3}",
        s.ip,
        truncate(&s.function, 12),
        truncate(&s.opcode, 20),
        num(s.total_time_ms),
        num(s.total_time_err_ms),
        num(s.run_pct),
        thousands(s.count),
        num(s.avg_time_us),
        num(s.p50_us),
        num(s.p95_us),
        num(s.p99_us)
    )
}

fn hot_loops(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    section(w, "HOT LOOPS (>=1000 iterations)")?;
    writeln!(
        w,
        "{:12} {:>6} {:>6} {:>12} {:>12} {:>8} {:>15}",
        "Function", "Start", "End", "Iterations", "Total (ms)", "% run", "Avg/iter (μs)"
    )?;
    rule(w, '-')?;
    for l in &d.hot_loops {
        writeln!(
            w,
            "{:12} {:>6} {:>6} {:>12} {:>12.3} {:>8.1} {:>15.3}",
            truncate(&l.function, 12),
            l.start_ip,
            l.end_ip,
            thousands(l.iterations),
            l.total_time_ms(),
            num(l.run_pct),
            l.avg_iteration_us()
        )?;
    }
    writeln!(
        w,
        "(a loop's time is that of its own instructions; callees of calls in it are not included)"
    )
}

fn branches(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    section(w, "BRANCHES (conditional; miss % of a 2-bit predictor)")?;
    if d.branches.is_empty() {
        return writeln!(w, "  (no conditional branches executed)");
    }
    writeln!(
        w,
        "{:12} {:>6} {:20} {:>10} {:>10} {:>8} {:>8}",
        "Function", "IP", "Opcode", "Taken", "Not taken", "Taken %", "Miss %"
    )?;
    rule(w, '-')?;
    for b in &d.branches {
        writeln!(
            w,
            "{:12} {:>6} {:20} {:>10} {:>10} {:>8.1} {:>8.1}",
            truncate(&b.function, 12),
            b.ip,
            truncate(&b.opcode, 20),
            thousands(b.taken),
            thousands(b.not_taken),
            num(b.taken_rate),
            num(b.miss_rate)
        )?;
    }
    Ok(())
}

fn memory(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    let m = &d.memory;
    section(w, "MEMORY")?;
    field(w, "Total Reads", thousands(m.total_reads))?;
    field(w, "Total Writes", thousands(m.total_writes))?;
    if !m.instructions.is_empty() {
        writeln!(w)?;
        writeln!(
            w,
            "{:12} {:>6} {:20} {:>12} {:>12}",
            "Function", "IP", "Opcode", "Reads", "Writes"
        )?;
        rule(w, '-')?;
        for i in &m.instructions {
            writeln!(
                w,
                "{:12} {:>6} {:20} {:>12} {:>12}  {}",
                truncate(&i.function, 12),
                i.ip,
                truncate(&i.opcode, 20),
                thousands(i.reads),
                thousands(i.writes),
                i.operand
            )?;
        }
    }
    if !m.variables.is_empty() {
        writeln!(w)?;
        writeln!(
            w,
            "{:12} {:27} {:>12} {:>12}",
            "Function", "Variable", "Reads", "Writes"
        )?;
        rule(w, '-')?;
        for v in &m.variables {
            writeln!(
                w,
                "{:12} {:27} {:>12} {:>12}",
                truncate(&v.function, 12),
                truncate(&v.name, 27),
                thousands(v.reads),
                thousands(v.writes)
            )?;
        }
    }
    Ok(())
}

fn functions(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    section(w, "FUNCTIONS")?;
    if d.level < Level::Detailed {
        writeln!(
            w,
            "{:20} {:>10} {:>14}",
            "Function", "Calls", "Instructions"
        )?;
        rule(w, '-')?;
        for f in &d.functions {
            let name = truncate(&f.name, 20);
            writeln!(
                w,
                "{name:20} {:>10} {:>14}",
                thousands(f.calls),
                thousands(f.instructions)
            )?;
        }
        return Ok(());
    }
    writeln!(
        w,
        "{:20} {:>10} {:>14} {:>12} {:>7} {:>12} {:>7}",
        "Function", "Calls", "Instructions", "Self (ms)", "% run", "Total (ms)", "% run"
    )?;
    rule(w, '-')?;
    for f in &d.functions {
        writeln!(
            w,
            "{:20} {:>10} {:>14} {:>12.3} {:>7.1} {:>12.3} {:>7.1}",
            truncate(&f.name, 20),
            thousands(f.calls),
            thousands(f.instructions),
            num(f.self_time_ms),
            num(f.self_pct),
            num(f.total_time_ms),
            num(f.total_pct)
        )?;
    }
    writeln!(
        w,
        "(Total includes callees, recursive calls counted once; <main>'s Total is the run)"
    )
}

fn jit(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    let j = &d.jit;
    section(w, "JIT")?;
    let (fns, loops): (Vec<_>, Vec<_>) = j.compiled.iter().partition(|c| c.is_function());
    writeln!(
        w,
        "Compiled loops: {}   Compiled functions: {}   Exits: {}   Loops not compiled: {}",
        loops.len(),
        fns.len(),
        thousands(j.total_exits()),
        d.jit_not_compiled.len()
    )?;
    for (title, list) in [
        ("Compiled loops", &loops),
        ("Compiled whole functions", &fns),
    ] {
        if list.is_empty() {
            continue;
        }
        writeln!(w)?;
        writeln!(w, "{title}")?;
        writeln!(
            w,
            "{:12} {:>6} {:>6} {:>13} {:>8} {:>10}  Specialised",
            "Function", "Start", "End", "Compile (μs)", "Bytes", "Entries"
        )?;
        rule(w, '-')?;
        for c in list.iter().take(d.top_n) {
            writeln!(
                w,
                "{:12} {:>6} {:>6} {:>13.1} {:>8} {:>10}  {}",
                truncate(&c.function, 12),
                c.start_ip,
                c.end_ip,
                num(c.compile_time_us),
                thousands(c.code_bytes as u64),
                thousands(c.entries),
                c.specialised
            )?;
        }
        more(w, list.len(), d.top_n)?;
    }
    for (f, s, e, n) in &d.jit_recompiled {
        writeln!(
            w,
            "  {f} {s}..{e} compiled {n} times: its guards kept failing (exits), so it was \
             recompiled for wider types (see Specialised)"
        )?;
    }
    if !j.exits.is_empty() {
        writeln!(w)?;
        writeln!(w, "{:12} {:>6} {:>10}  Reason", "Function", "IP", "Exits")?;
        rule(w, '-')?;
        for e in j.exits.iter().take(d.top_n) {
            let f = truncate(&e.function, 12);
            writeln!(
                w,
                "{f:12} {:>6} {:>10}  {}",
                e.ip,
                thousands(e.count),
                e.reason
            )?;
        }
        more(w, j.exits.len(), d.top_n)?;
    }
    if !d.jit_not_compiled.is_empty() {
        writeln!(w)?;
        writeln!(
            w,
            "{:12} {:>6} {:>6}  Not compiled because",
            "Function", "Start", "End"
        )?;
        rule(w, '-')?;
        for r in d.jit_not_compiled.iter().take(d.top_n) {
            let f = truncate(&r.function, 12);
            writeln!(w, "{f:12} {:>6} {:>6}  {}", r.start_ip, r.end_ip, r.reason)?;
        }
        more(w, d.jit_not_compiled.len(), d.top_n)?;
    }
    if d.level < Level::Full && j.threshold > 0 {
        writeln!(
            w,
            "(loops below the threshold are listed at FULL, which counts their iterations)"
        )?;
    }
    Ok(())
}

/// The hottest source lines, then each source file the profiler has with every line's
/// share (or count at BASIC) in the margin.
fn source_lines(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    if d.lines.is_empty() {
        return Ok(());
    }
    let timed = d.level >= Level::Detailed;
    section(w, "SOURCE LINES")?;
    if timed {
        writeln!(
            w,
            "{:>24} {:>14} {:>12} {:>7}  Functions",
            "File:Line", "Instructions", "Total (ms)", "% run"
        )?;
    } else {
        writeln!(w, "{:>24} {:>14}  Functions", "File:Line", "Instructions")?;
    }
    rule(w, '-')?;
    for l in &d.lines {
        let at = format!("{}:{}", truncate(&l.file, 18), l.line);
        let fns = l.functions.join(", ");
        if timed {
            writeln!(
                w,
                "{at:>24} {:>14} {:>12.3} {:>7.1}  {fns}",
                thousands(l.count),
                num(l.total_time_ms),
                num(l.run_pct)
            )?;
        } else {
            writeln!(w, "{at:>24} {:>14}  {fns}", thousands(l.count))?;
        }
    }
    more(w, d.lines_total, d.top_n)?;
    for f in &d.annotated {
        section(w, &format!("ANNOTATED SOURCE: {}", f.file))?;
        if timed {
            writeln!(w, "{:>7} {:>14} {:>5}", "% run", "Instructions", "Line")?;
        } else {
            writeln!(w, "{:>14} {:>5}", "Instructions", "Line")?;
        }
        for l in &f.lines {
            match (l.stats, timed) {
                (Some(s), true) => writeln!(
                    w,
                    "{:>7.1} {:>14} {:>5}  {}",
                    num(s.run_pct),
                    thousands(s.count),
                    l.line,
                    l.text
                )?,
                (Some(s), false) => {
                    writeln!(w, "{:>14} {:>5}  {}", thousands(s.count), l.line, l.text)?
                }
                (None, true) => writeln!(w, "{:>7} {:>14} {:>5}  {}", "", "", l.line, l.text)?,
                (None, false) => writeln!(w, "{:>14} {:>5}  {}", "", l.line, l.text)?,
            }
        }
    }
    Ok(())
}

/// Per function (in the FUNCTIONS table's order): who called it and whom it called, with the
/// calls of each pair.
fn call_graph(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    section(w, "CALL GRAPH")?;
    let list = |pairs: Vec<(&str, u64)>| -> String {
        pairs
            .iter()
            .map(|(n, c)| format!("{n} ({})", thousands(*c)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for f in d.functions.iter().filter(|f| f.calls > 0) {
        let callers: Vec<(&str, u64)> = d
            .call_graph
            .iter()
            .filter(|e| e.callee == f.name)
            .map(|e| (e.caller.as_str(), e.calls))
            .collect();
        let callees: Vec<(&str, u64)> = d
            .call_graph
            .iter()
            .filter(|e| e.caller == f.name)
            .map(|e| (e.callee.as_str(), e.calls))
            .collect();
        if callers.is_empty() && callees.is_empty() {
            continue;
        }
        writeln!(w, "{}", f.name)?;
        if !callers.is_empty() {
            writeln!(w, "  called by: {}", list(callers))?;
        }
        if !callees.is_empty() {
            writeln!(w, "  calls:     {}", list(callees))?;
        }
    }
    writeln!(
        w,
        "(calls by name; calls through a value or a method are not listed; zx profile --format dot draws it)"
    )
}
