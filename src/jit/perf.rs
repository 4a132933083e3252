//! `perf` map lines for JIT code: `/tmp/perf-<pid>.map`, one `addr size name` line (hex) per
//! compiled loop, so `perf report` names native loops (cranelift-jit writes its own only when
//! `PERF_BUILDID_DIR` is set). Each line is also recorded in the jitdump
//! (`/tmp/jit-<pid>.dump`, see [`super::jitdump`]) for `perf inject --jit`.

use std::io::Write;

/// The map file of this process.
pub fn map_path() -> String {
    format!("/tmp/perf-{}.map", std::process::id())
}

/// Appends the line of one loop, and its record to the jitdump; errors are ignored
/// (profiling aid only). `addr..addr + size` is finalized JIT code (readable).
pub fn append(addr: usize, size: usize, function: &str, start: u32, end: u32) {
    let name = format!("zexus-jit:{function}:{start}-{end}");
    // SAFETY: the callers pass the address and size of code cranelift-jit has just
    // finalized, mapped readable and executable for the life of the JIT module.
    unsafe { super::jitdump::code_load(addr, size, &name) };
    let line = format!("{addr:x} {size:x} {name}\n");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(map_path())
    {
        let _ = f.write_all(line.as_bytes());
    }
}
