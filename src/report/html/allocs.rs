//! The HTML report's allocation section: totals, a bar chart of bytes by kind, and the sites.

use std::io::{self, Write};

use super::widgets::{bar_chart, int, more, table, txt};
use crate::profile::allocs::{bytes_text, kinds_phrase};
use crate::report::{thousands, ReportData};

/// Writes the allocation profile (or why there is none).
pub(super) fn write(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    let a = &d.allocations;
    writeln!(w, "<h2 id=\"allocations\">Allocations</h2>")?;
    if !a.recorded {
        return writeln!(
            w,
            "<p class=\"note\">Not recorded at {}: allocations are recorded at DETAILED and FULL.</p>",
            d.level
        );
    }
    writeln!(
        w,
        "<p>Objects made: <b>{}</b> &middot; bytes allocated: <b>{}</b> &middot; peak live heap: <b>{}</b></p>",
        thousands(a.total_allocations),
        bytes_text(a.total_bytes),
        bytes_text(a.peak_live_bytes)
    )?;
    let bars: Vec<(String, f64, String)> = a
        .by_kind
        .iter()
        .map(|k| {
            (
                k.kind.to_string(),
                k.bytes as f64,
                format!(
                    "{} ({} objects)",
                    bytes_text(k.bytes),
                    thousands(k.allocations)
                ),
            )
        })
        .collect();
    bar_chart(w, "Bytes allocated by kind", &bars, "#8e24aa")?;
    if a.sites.is_empty() {
        return writeln!(
            w,
            "<p class=\"note\">Nothing was allocated during the run.</p>"
        );
    }
    let rows: Vec<Vec<_>> = a
        .sites
        .iter()
        .map(|s| {
            vec![
                txt(&s.file),
                int(u64::from(s.line)),
                txt(&s.function),
                int(s.allocations),
                int(s.bytes),
                txt(kinds_phrase(&s.by_kind)),
            ]
        })
        .collect();
    writeln!(w, "<h3>By site</h3>")?;
    table(
        w,
        &["File", "Line", "Function", "Objects", "Bytes", "Kinds"],
        &rows,
    )?;
    more(w, d.alloc_sites_total, d.top_n)?;
    writeln!(
        w,
        "<p class=\"note\">Bytes: new buffers and what growing buffers added (headers and the allocator's rounding not counted).</p>"
    )
}
