//! The call graph for Graphviz: `zx profile --format dot | dot -Tsvg > calls.svg`. A box per
//! function that ran (its calls, and from DETAILED up its self and total time with their
//! shares of the run), an arrow per caller-callee pair labelled with the calls.

use std::io::{self, Write};

use super::{num, thousands, ReportData};
use crate::profile::Level;

/// A string as a DOT quoted identifier.
fn quoted(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Writes the call graph of `d` in the DOT language.
pub fn write(d: &ReportData, w: &mut dyn Write) -> io::Result<()> {
    writeln!(w, "digraph calls {{")?;
    writeln!(w, "  node [shape=box, fontname=\"monospace\"];")?;
    for f in d.functions.iter().filter(|f| f.calls > 0) {
        let mut label = format!("{}\\ncalls {}", f.name, thousands(f.calls));
        if d.level >= Level::Detailed {
            label.push_str(&format!(
                "\\nself {:.3} ms ({:.1}%)\\ntotal {:.3} ms ({:.1}%)",
                num(f.self_time_ms),
                num(f.self_pct),
                num(f.total_time_ms),
                num(f.total_pct)
            ));
        }
        writeln!(
            w,
            "  {} [label=\"{}\"];",
            quoted(&f.name),
            label.replace('"', "\\\"")
        )?;
    }
    for e in &d.call_graph {
        writeln!(
            w,
            "  {} -> {} [label=\"{}\"];",
            quoted(&e.caller),
            quoted(&e.callee),
            thousands(e.calls)
        )?;
    }
    writeln!(w, "}}")
}
