//! The HTML report's cache-simulation section: the geometry, totals, and the instructions and
//! loops with the most misses.

use std::io::{self, Write};

use super::widgets::{escape, float, int, more, table, txt};
use crate::report::{thousands, ReportData};

/// Writes the cache simulation (the caller checks that a run was simulated).
pub(super) fn write(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    let c = &d.cache;
    let Some(cfg) = c.config else {
        return Ok(());
    };
    writeln!(w, "<h2 id=\"cache\">Cache Simulation</h2>")?;
    writeln!(
        w,
        "<p>Cache: <b>{}</b> ({} sets) &middot; accesses: <b>{}</b> &middot; line references: <b>{}</b> &middot; misses: <b>{}</b> &middot; miss rate: <b>{:.2}%</b></p>",
        escape(&cfg.describe()),
        cfg.sets(),
        thousands(c.total.accesses),
        thousands(c.total.references),
        thousands(c.total.misses),
        c.miss_rate * 100.0
    )?;
    writeln!(
        w,
        "<p class=\"note\">Every instruction was interpreted (the JIT off) so that each memory operation's address reached the model: variables' slots, list elements, map entries and object fields; not the interpreter's own traffic.</p>"
    )?;
    if c.instructions.is_empty() {
        return writeln!(w, "<p class=\"note\">No access missed.</p>");
    }
    let rows: Vec<Vec<_>> = c
        .instructions
        .iter()
        .map(|r| {
            vec![
                txt(&r.function),
                int(u64::from(r.ip)),
                int(u64::from(r.line)),
                txt(r.opcode),
                int(r.count.accesses),
                int(r.count.misses),
                float(r.miss_rate * 100.0, 2),
            ]
        })
        .collect();
    writeln!(w, "<h3>Instructions by misses</h3>")?;
    table(
        w,
        &[
            "Function", "IP", "Line", "Opcode", "Accesses", "Misses", "Miss %",
        ],
        &rows,
    )?;
    more(w, d.cache_rows_total, d.top_n)?;
    if !c.loops.is_empty() {
        let rows: Vec<Vec<_>> = c
            .loops
            .iter()
            .map(|l| {
                vec![
                    txt(&l.function),
                    txt(format!("{}-{}", l.header_ip, l.back_edge_ip)),
                    int(u64::from(l.line)),
                    int(l.iterations),
                    int(l.count.accesses),
                    int(l.count.misses),
                    float(l.miss_rate * 100.0, 2),
                ]
            })
            .collect();
        writeln!(w, "<h3>Loops by misses</h3>")?;
        table(
            w,
            &[
                "Function",
                "IPs",
                "Line",
                "Iterations",
                "Accesses",
                "Misses",
                "Miss %",
            ],
            &rows,
        )?;
    }
    Ok(())
}
