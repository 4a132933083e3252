//! speedscope's file format (`zx profile --format speedscope`; open it at speedscope.app or
//! with the `speedscope` command): one "sampled" profile whose samples are the call paths
//! (frame indices from the top level down) and whose weights are each path's own sampled
//! time in nanoseconds (DETAILED and FULL) or executed instructions (BASIC, unit `"none"`).
//! The schema is speedscope's `file-format-schema.json`.

use std::io;

use serde_json::json;

use super::paths::{CallPaths, WeightUnit};
use crate::profile::InstructionProfiler;

/// The schema URL speedscope files name.
pub const SCHEMA: &str = "https://www.speedscope.app/file-format-schema.json";

/// Writes the profile as speedscope JSON.
pub fn write(p: &InstructionProfiler, w: &mut dyn io::Write) -> io::Result<()> {
    let paths = CallPaths::of(p);
    // One frame per distinct (name, file, line).
    let mut frames: Vec<(String, String, u32)> = Vec::new();
    let mut frame_of = Vec::with_capacity(paths.entries.len());
    for e in &paths.entries {
        let key = (e.name.clone(), e.file.clone(), e.line);
        let i = match frames.iter().position(|f| *f == key) {
            Some(i) => i,
            None => {
                frames.push(key);
                frames.len() - 1
            }
        };
        frame_of.push(i);
    }
    let mut samples = Vec::new();
    let mut weights = Vec::new();
    for (i, e) in paths.entries.iter().enumerate() {
        if e.weight == 0 {
            continue;
        }
        samples.push(
            paths
                .stack(i)
                .into_iter()
                .map(|s| frame_of[s])
                .collect::<Vec<_>>(),
        );
        weights.push(e.weight);
    }
    let total: u64 = weights.iter().sum();
    let unit = match paths.unit {
        WeightUnit::Nanoseconds => "nanoseconds",
        WeightUnit::Instructions => "none",
    };
    let frames: Vec<_> = frames
        .into_iter()
        .map(|(name, file, line)| {
            let mut f = json!({ "name": name });
            if !file.is_empty() {
                f["file"] = json!(file);
            }
            if line > 0 {
                f["line"] = json!(line);
            }
            f
        })
        .collect();
    let name = match paths.unit {
        WeightUnit::Nanoseconds => format!(
            "Zexus VM, level {}: sampled time per call path (1 in {} executions timed)",
            p.level, p.sample_rate
        ),
        WeightUnit::Instructions => {
            "Zexus VM, level BASIC: executed instructions per call path (not time)".to_string()
        }
    };
    let doc = json!({
        "$schema": SCHEMA,
        "shared": { "frames": frames },
        "profiles": [{
            "type": "sampled",
            "name": name,
            "unit": unit,
            "startValue": 0,
            "endValue": total,
            "samples": samples,
            "weights": weights,
        }],
        "name": name,
        "activeProfileIndex": 0,
        "exporter": concat!("zx ", env!("CARGO_PKG_VERSION")),
    });
    serde_json::to_writer(&mut *w, &doc).map_err(io::Error::other)?;
    w.write_all(b"\n")
}
