//! `perf` map lines for JIT code: `/tmp/perf-<pid>.map`, one `addr size name` line (hex) per
//! compiled loop, so `perf report` names native loops (cranelift-jit writes its own only when
//! `PERF_BUILDID_DIR` is set).

use std::io::Write;

/// The map file of this process.
pub fn map_path() -> String {
    format!("/tmp/perf-{}.map", std::process::id())
}

/// Appends the line of one loop; errors are ignored (profiling aid only).
pub fn append(addr: usize, size: usize, function: &str, start: u32, end: u32) {
    let line = format!("{addr:x} {size:x} zexus-jit:{function}:{start}-{end}\n");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(map_path())
    {
        let _ = f.write_all(line.as_bytes());
    }
}
