//! Flame graphs: the profiler's folded stacks drawn as an interactive SVG by inferno.

use std::io;

use crate::profile::{InstructionProfiler, Level};

/// Writes the flame graph of `p`'s call paths as SVG: sampled time at DETAILED and FULL,
/// instruction counts at BASIC (nothing is timed there; the subtitle says so). At NONE, or
/// before anything ran, the SVG says that there is no data.
pub fn write(p: &InstructionProfiler, w: &mut dyn io::Write) -> io::Result<()> {
    let folded = p.folded_stacks();
    let mut opts = inferno::flamegraph::Options::default();
    if p.level == Level::Basic {
        opts.title = "Zexus VM: executed instructions per call path".to_string();
        opts.count_name = "instructions".to_string();
        opts.subtitle = Some(
            "level BASIC: weighted by exact instruction counts, not time (a function's count \
             shared among its call paths by calls); profile at DETAILED for time"
                .to_string(),
        );
    } else {
        opts.title = "Zexus VM: sampled time per call path".to_string();
        opts.count_name = "ns".to_string();
        opts.subtitle = Some(format!(
            "level {}, 1 in {} executions timed",
            p.level, p.sample_rate
        ));
    }
    if folded.is_empty() {
        let why = if p.level < Level::Basic {
            "nothing recorded: profile at BASIC (counts) or DETAILED (time)"
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
