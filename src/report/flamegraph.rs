//! Flame graphs: the profiler's folded stacks drawn as an interactive SVG by inferno.

use std::io;

use crate::profile::{InstructionProfiler, Level};

/// Writes the flame graph of `p`'s sampled time per call path as SVG. Below DETAILED (no
/// timing samples), or before anything ran, the SVG says that there is no data.
pub fn write(p: &InstructionProfiler, w: &mut dyn io::Write) -> io::Result<()> {
    let folded = p.folded_stacks();
    let mut opts = inferno::flamegraph::Options::default();
    opts.title = "Zexus VM: sampled time per call path".to_string();
    opts.count_name = "ns".to_string();
    opts.subtitle = Some(format!(
        "level {}, 1 in {} executions timed",
        p.level, p.sample_rate
    ));
    if folded.is_empty() {
        let why = if p.level < Level::Detailed {
            "no timing samples: profile at DETAILED or FULL"
        } else if !p.call_paths {
            "call paths were not recorded: build the VM with call_paths(true)"
        } else {
            "no timing samples yet"
        };
        opts.subtitle = Some(why.to_string());
        // inferno refuses an empty profile; draw the program's root with a zero-width note.
        return inferno::flamegraph::from_lines(&mut opts, ["<no samples> 1"], w)
            .map_err(|e| io::Error::other(e.to_string()));
    }
    inferno::flamegraph::from_lines(&mut opts, folded.lines(), w)
        .map_err(|e| io::Error::other(e.to_string()))
}
