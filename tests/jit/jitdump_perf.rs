//! jitdump (issue 15, item 5): `zx run --perf-map` writes `/tmp/jit-<pid>.dump`; `perf record
//! -k 1`, `perf inject --jit` and `perf report` (Debian `linux-perf`) then name the JIT code
//! from it, each compiled piece in its own `jitted-<pid>-<n>.so`. Skipped, saying why, where
//! perf is not installed or cannot open performance counters (containers often forbid
//! `perf_event_open`; see /proc/sys/kernel/perf_event_paranoid).

use std::path::Path;
use std::process::Command;

const HOT: &str = "\
let s = 0
let i = 0
while (i < 20000000) { s = s + i % 7
  i = i + 1 }
print(s)
";

/// Why perf cannot run here, or `None` when it can.
fn perf_unusable(dir: &Path) -> Option<String> {
    let out = Command::new("perf")
        .args(["record", "-k", "1", "-q", "-o"])
        .arg(dir.join("probe.data"))
        .args(["--", "true"])
        .env("PERF_BUILDID_DIR", dir)
        .output();
    match out {
        Err(e) => Some(format!(
            "perf is not installed ({e}); apt-get install linux-perf"
        )),
        Ok(o) if !o.status.success() => {
            let paranoid =
                std::fs::read_to_string("/proc/sys/kernel/perf_event_paranoid").unwrap_or_default();
            Some(format!(
                "perf record cannot run here (perf_event_paranoid = {}): {}",
                paranoid.trim(),
                String::from_utf8_lossy(&o.stderr).trim()
            ))
        }
        Ok(_) => None,
    }
}

#[test]
fn perf_names_jit_code_from_the_jitdump() {
    let dir = std::env::temp_dir().join(format!("zx-jitdump-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    if let Some(why) = perf_unusable(&dir) {
        eprintln!("SKIPPED: {why}");
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let prog = dir.join("hot.zx");
    std::fs::write(&prog, HOT).unwrap();
    let data = dir.join("perf.data");
    let rec = Command::new("perf")
        .args(["record", "-k", "1", "-q", "-o"])
        .arg(&data)
        .arg("--")
        .arg(env!("CARGO_BIN_EXE_zx"))
        .args(["run", "--perf-map"])
        .arg(&prog)
        .env("PERF_BUILDID_DIR", &dir)
        .output()
        .unwrap();
    assert!(
        rec.status.success(),
        "{}",
        String::from_utf8_lossy(&rec.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&rec.stdout).trim(), "59999997");
    let injected = dir.join("perf.jit.data");
    let inj = Command::new("perf")
        .args(["inject", "--jit", "-i"])
        .arg(&data)
        .arg("-o")
        .arg(&injected)
        .env("PERF_BUILDID_DIR", &dir)
        .output()
        .unwrap();
    assert!(
        inj.status.success(),
        "{}",
        String::from_utf8_lossy(&inj.stderr)
    );
    let rep = Command::new("perf")
        .args(["report", "--stdio", "--sort", "dso,sym", "-i"])
        .arg(&injected)
        .env("PERF_BUILDID_DIR", &dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&rep.stdout);
    // The hot loop's samples land in the ELF image perf inject made from the jitdump record,
    // under the loop's name.
    let line = text
        .lines()
        .find(|l| l.contains("jitted-") && l.contains("zexus-jit:<main>:"))
        .unwrap_or_else(|| panic!("no JIT symbol from the jitdump in:\n{text}"));
    let pct: f64 = line
        .trim_start()
        .split('%')
        .next()
        .and_then(|p| p.trim().parse().ok())
        .unwrap();
    assert!(pct > 30.0, "the compiled loop is most of the run: {line}");
    // Clean up what the run left in /tmp: the dump, the map and the injected images.
    if let Some(pid) = line
        .split("jitted-")
        .nth(1)
        .and_then(|r| r.split('-').next())
    {
        for entry in std::fs::read_dir("/tmp").into_iter().flatten().flatten() {
            let n = entry.file_name().to_string_lossy().into_owned();
            if n == format!("jit-{pid}.dump")
                || n == format!("perf-{pid}.map")
                || n.starts_with(&format!("jitted-{pid}-"))
            {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
