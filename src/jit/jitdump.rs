//! jitdump for `perf inject --jit` (Linux): `/tmp/jit-<pid>.dump`, written beside the perf map
//! when `--perf-map` is on, in the format of the Linux tree's
//! `tools/perf/Documentation/jitdump-specification.txt` (version 1): a 40-byte header, then a
//! `JIT_CODE_LOAD` record per compiled loop or function with its name, address and a copy
//! of its machine code. Unlike the perf map, this lets `perf inject --jit` write an ELF image
//! per compiled piece (`jitted-<pid>-<n>.so`), so `perf report` and `perf annotate` show the
//! native instructions, and the code stays named even after the map is gone.
//!
//! The file is mapped executable once (and kept mapped) so that `perf record` sees an
//! `mmap` of it: that is how `perf inject` finds it. Timestamps are `CLOCK_MONOTONIC`, so
//! record with `perf record -k 1` (`-k mono`). Usage:
//! `perf record -k 1 -o perf.data zx run prog.zx --perf-map`,
//! `perf inject --jit -i perf.data -o perf.jit.data`, `perf report -i perf.jit.data`.

/// The dump file of this process.
pub fn dump_path() -> String {
    format!("/tmp/jit-{}.dump", std::process::id())
}

#[cfg(target_os = "linux")]
mod imp {
    use std::fs::File;
    use std::io::Write;
    use std::sync::Mutex;

    const MAGIC: u32 = 0x4A69_5444;
    const VERSION: u32 = 1;
    const HEADER_SIZE: u32 = 40;
    const JIT_CODE_LOAD: u32 = 0;

    #[cfg(target_arch = "x86_64")]
    const ELF_MACH: u32 = 62; // EM_X86_64
    #[cfg(target_arch = "aarch64")]
    const ELF_MACH: u32 = 183; // EM_AARCH64
    #[cfg(target_arch = "riscv64")]
    const ELF_MACH: u32 = 243; // EM_RISCV
    #[cfg(not(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv64"
    )))]
    const ELF_MACH: u32 = 0;

    struct Dump {
        file: File,
        next_index: u64,
    }

    /// The open dump of this process: `None` before the first record, and after a failure to
    /// create it (then nothing more is tried).
    static DUMP: Mutex<Option<Option<Dump>>> = Mutex::new(None);

    fn timestamp() -> u64 {
        let mut ts = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `ts` is a valid, writable timespec; CLOCK_MONOTONIC always exists on Linux.
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut ts) };
        ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64
    }

    fn open() -> Option<Dump> {
        use std::os::unix::io::AsRawFd;
        let path = super::dump_path();
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(true)
            .open(&path)
            .ok()?;
        let mut h = Vec::with_capacity(HEADER_SIZE as usize);
        h.extend_from_slice(&MAGIC.to_ne_bytes());
        h.extend_from_slice(&VERSION.to_ne_bytes());
        h.extend_from_slice(&HEADER_SIZE.to_ne_bytes());
        h.extend_from_slice(&ELF_MACH.to_ne_bytes());
        h.extend_from_slice(&0u32.to_ne_bytes()); // pad1
        h.extend_from_slice(&std::process::id().to_ne_bytes());
        h.extend_from_slice(&timestamp().to_ne_bytes());
        h.extend_from_slice(&0u64.to_ne_bytes()); // flags: timestamps are CLOCK_MONOTONIC
        file.write_all(&h).ok()?;
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) as usize;
        // SAFETY: maps the first page of a file this process just opened and wrote, read-only
        // and private, with a null hint, a valid fd and offset 0; the mapping is never
        // accessed, only left in place (for the life of the process) so that `perf record`
        // sees an executable mmap of the dump, which is how `perf inject --jit` finds it (the
        // specification's marker).
        let m = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                page,
                libc::PROT_READ | libc::PROT_EXEC,
                libc::MAP_PRIVATE,
                file.as_raw_fd(),
                0,
            )
        };
        if m == libc::MAP_FAILED {
            return None;
        }
        Some(Dump {
            file,
            next_index: 0,
        })
    }

    /// Appends a `JIT_CODE_LOAD` record for `size` bytes of code at `addr` named `name`.
    ///
    /// # Safety
    /// `addr..addr + size` must be readable memory (finalized JIT code, which is mapped
    /// read and execute) for the duration of the call.
    pub unsafe fn code_load(addr: usize, size: usize, name: &str) {
        let Ok(mut guard) = DUMP.lock() else {
            return;
        };
        let slot = guard.get_or_insert_with(open);
        let Some(d) = slot.as_mut() else {
            return;
        };
        // SAFETY: the caller guarantees the range is readable.
        let code = unsafe { std::slice::from_raw_parts(addr as *const u8, size) };
        let name = name.replace('\0', "");
        let total = 16 + 40 + name.len() + 1 + size;
        let mut r = Vec::with_capacity(total);
        r.extend_from_slice(&JIT_CODE_LOAD.to_ne_bytes());
        r.extend_from_slice(&(total as u32).to_ne_bytes());
        r.extend_from_slice(&timestamp().to_ne_bytes());
        r.extend_from_slice(&std::process::id().to_ne_bytes());
        // SAFETY: gettid has no preconditions.
        let tid = unsafe { libc::syscall(libc::SYS_gettid) } as u32;
        r.extend_from_slice(&tid.to_ne_bytes());
        r.extend_from_slice(&(addr as u64).to_ne_bytes()); // vma
        r.extend_from_slice(&(addr as u64).to_ne_bytes()); // code_addr
        r.extend_from_slice(&(size as u64).to_ne_bytes());
        r.extend_from_slice(&d.next_index.to_ne_bytes());
        r.extend_from_slice(name.as_bytes());
        r.push(0);
        r.extend_from_slice(code);
        if d.file.write_all(&r).is_ok() {
            d.next_index += 1;
        }
    }
}

/// Appends a `JIT_CODE_LOAD` record for compiled code (Linux; nothing elsewhere). Errors
/// are ignored: the dump is a profiling aid.
///
/// # Safety
/// `addr..addr + size` must be readable memory (finalized JIT code) during the call.
pub unsafe fn code_load(addr: usize, size: usize, name: &str) {
    #[cfg(target_os = "linux")]
    // SAFETY: forwarded from the caller.
    unsafe {
        imp::code_load(addr, size, name)
    };
    #[cfg(not(target_os = "linux"))]
    let _ = (addr, size, name);
}
