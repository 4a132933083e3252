//! Options checked before anything runs: counts and rates must be positive, flags must not
//! contradict each other, and an output file must be writable. Each failure names the option
//! and exits 64 (EX_USAGE). Numbers are parsed as signed here (clap accepts `-1` as a value),
//! so that `--runs -1` gets the same message as `--runs 0`.

use std::path::Path;
use std::time::Duration;

/// Exit code for a bad option (EX_USAGE).
pub const EXIT_USAGE: u8 = 64;

/// The limits of `zx run`, `zx profile` and `zx eval`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct LimitArgs {
    /// End the run with an error after N bytecode instructions (exact when interpreted;
    /// compiled code checks at back edges and calls)
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub max_instructions: Option<i64>,
    /// End the run with an error after SECONDS of wall-clock time (e.g. 2, 0.5)
    #[arg(long, value_name = "SECONDS", allow_hyphen_values = true)]
    pub timeout: Option<f64>,
    /// End the run with an error when live strings, lists and maps hold more than BYTES
    /// (suffixes K, M, G: 64M)
    #[arg(long, value_name = "BYTES", allow_hyphen_values = true)]
    pub max_heap: Option<String>,
    /// Most nested calls (default 10000)
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub max_call_depth: Option<i64>,
}

/// The checked limits.
#[derive(Debug, Clone, Copy, Default)]
pub struct Checked {
    /// For `VmBuilder::limits`.
    pub limits: zexus::Limits,
    /// For `VmBuilder::max_call_depth`.
    pub max_call_depth: Option<usize>,
}

/// A count option's value: at least 1.
pub fn positive(option: &str, v: i64) -> Result<u64, String> {
    if v < 1 {
        return Err(format!("zx: {option} must be at least 1 (got {v})"));
    }
    Ok(v as u64)
}

/// A count option that must also fit in a `u32`.
pub fn positive_u32(option: &str, v: i64) -> Result<u32, String> {
    let n = positive(option, v)?;
    u32::try_from(n).map_err(|_| format!("zx: {option} must be at most {} (got {v})", u32::MAX))
}

impl LimitArgs {
    /// Checks the values: positive counts, a positive finite timeout, a byte count.
    pub fn check(&self) -> Result<Checked, String> {
        let mut c = Checked::default();
        if let Some(n) = self.max_instructions {
            c.limits.max_instructions = Some(positive("--max-instructions", n)?);
        }
        if let Some(s) = self.timeout {
            if !(s.is_finite() && s > 0.0 && s < 1e9) {
                return Err(format!(
                    "zx: --timeout must be a positive number of seconds (got {s})"
                ));
            }
            c.limits.timeout = Some(Duration::from_secs_f64(s));
        }
        if let Some(b) = &self.max_heap {
            let n = zexus::vm::parse_bytes(b).map_err(|e| format!("zx: --max-heap: {e}"))?;
            if n == 0 {
                return Err("zx: --max-heap must be at least 1 byte (got 0)".into());
            }
            c.limits.max_heap = Some(n);
        }
        if let Some(n) = self.max_call_depth {
            c.max_call_depth = Some(positive("--max-call-depth", n)? as usize);
        }
        Ok(c)
    }
}

/// The cache simulation's options of `zx profile`.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct CacheArgs {
    /// Simulate a data cache (needs --level full; interprets every instruction, the JIT off):
    /// accesses and misses per instruction and per loop in the report
    #[arg(long)]
    pub cache_sim: bool,
    /// The simulated cache's size (suffixes K, M: 32K, the default)
    #[arg(long, value_name = "BYTES")]
    pub cache_size: Option<String>,
    /// The simulated cache's line size in bytes (default 64)
    #[arg(long, value_name = "BYTES", allow_hyphen_values = true)]
    pub cache_line: Option<i64>,
    /// The simulated cache's associativity: lines per set (default 8)
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub cache_ways: Option<i64>,
}

impl CacheArgs {
    /// The geometry to simulate, `None` without `--cache-sim`; refused below FULL, with an
    /// explicit `--jit`, or with geometry options but no `--cache-sim`.
    pub fn check(
        &self,
        level: zexus::Level,
        jit: bool,
    ) -> Result<Option<zexus::profile::CacheConfig>, String> {
        if !self.cache_sim {
            let given = [
                ("--cache-size", self.cache_size.is_some()),
                ("--cache-line", self.cache_line.is_some()),
                ("--cache-ways", self.cache_ways.is_some()),
            ];
            if let Some((name, _)) = given.iter().find(|g| g.1) {
                return Err(format!("zx: {name} needs --cache-sim"));
            }
            return Ok(None);
        }
        if level != zexus::Level::Full {
            return Err(format!(
                "zx: --cache-sim needs --level full (the cache simulation records at FULL; got {level})"
            ));
        }
        if jit {
            return Err(
                "zx: --cache-sim interprets every instruction; it cannot be combined with --jit"
                    .into(),
            );
        }
        let d = zexus::profile::CacheConfig::default();
        let size = match &self.cache_size {
            Some(s) => zexus::vm::parse_bytes(s).map_err(|e| format!("zx: --cache-size: {e}"))?,
            None => d.size,
        };
        let line = match self.cache_line {
            Some(n) => positive("--cache-line", n)? as usize,
            None => d.line,
        };
        let ways = match self.cache_ways {
            Some(n) => positive("--cache-ways", n)? as usize,
            None => d.ways,
        };
        zexus::profile::CacheConfig::new(size, line, ways)
            .map(Some)
            .map_err(|e| format!("zx: --cache-sim: {e}"))
    }
}

/// `--jit` and `--no-jit` together.
pub fn check_tier_flags(jit: bool, no_jit: bool) -> Result<(), String> {
    if jit && no_jit {
        return Err("zx: --jit and --no-jit contradict each other; give one".into());
    }
    Ok(())
}

/// Checks that `-o PATH` can be written, before the program runs: opens it for writing
/// (creating it, without truncating an existing file).
pub fn check_writable(option: &str, path: &Path) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!("zx: {option} {}: is a directory", path.display()));
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)
        .map(drop)
        .map_err(|e| format!("zx: {option} {}: cannot write: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_must_be_positive() {
        assert_eq!(positive("--runs", 3), Ok(3));
        assert!(positive("--runs", 0).unwrap_err().contains("--runs"));
        assert!(positive("--runs", -2).unwrap_err().contains("got -2"));
        assert!(positive_u32("--sample-rate", 1 << 40).is_err());
    }

    #[test]
    fn limits_are_checked() {
        let a = LimitArgs {
            max_instructions: Some(10),
            timeout: Some(0.5),
            max_heap: Some("1M".into()),
            max_call_depth: Some(100),
        };
        let c = a.check().unwrap();
        assert_eq!(c.limits.max_instructions, Some(10));
        assert_eq!(c.limits.timeout, Some(Duration::from_millis(500)));
        assert_eq!(c.limits.max_heap, Some(1 << 20));
        assert_eq!(c.max_call_depth, Some(100));
        for bad in [
            LimitArgs {
                timeout: Some(0.0),
                ..Default::default()
            },
            LimitArgs {
                timeout: Some(f64::NAN),
                ..Default::default()
            },
            LimitArgs {
                max_heap: Some("0K".into()),
                ..Default::default()
            },
            LimitArgs {
                max_heap: Some("lots".into()),
                ..Default::default()
            },
            LimitArgs {
                max_call_depth: Some(0),
                ..Default::default()
            },
            LimitArgs {
                max_instructions: Some(-5),
                ..Default::default()
            },
        ] {
            assert!(bad.check().unwrap_err().starts_with("zx: --"), "{bad:?}");
        }
    }

    #[test]
    fn cache_options_are_checked() {
        use zexus::Level;
        let on = CacheArgs {
            cache_sim: true,
            ..Default::default()
        };
        let c = on.check(Level::Full, false).unwrap().unwrap();
        assert_eq!(c, zexus::profile::CacheConfig::default());
        assert!(on
            .check(Level::Detailed, false)
            .unwrap_err()
            .contains("--level full"));
        assert!(on.check(Level::Full, true).unwrap_err().contains("--jit"));
        let custom = CacheArgs {
            cache_sim: true,
            cache_size: Some("1M".into()),
            cache_line: Some(128),
            cache_ways: Some(16),
        };
        let c = custom.check(Level::Full, false).unwrap().unwrap();
        assert_eq!((c.size, c.line, c.ways), (1 << 20, 128, 16));
        let bad_line = CacheArgs {
            cache_line: Some(48),
            ..on.clone()
        };
        assert!(bad_line
            .check(Level::Full, false)
            .unwrap_err()
            .contains("line size 48"));
        let no_flag = CacheArgs {
            cache_ways: Some(4),
            ..Default::default()
        };
        assert_eq!(
            no_flag.check(Level::Full, false).unwrap_err(),
            "zx: --cache-ways needs --cache-sim"
        );
        assert_eq!(CacheArgs::default().check(Level::Basic, true), Ok(None));
    }

    #[test]
    fn contradictory_tier_flags_are_refused() {
        assert!(check_tier_flags(true, true).is_err());
        assert!(check_tier_flags(true, false).is_ok());
    }

    #[test]
    fn an_unwritable_output_is_found_first() {
        let e = check_writable("-o", Path::new("/nonexistent-dir/x/report.html")).unwrap_err();
        assert!(e.contains("-o /nonexistent-dir/x/report.html"), "{e}");
        assert!(check_writable("-o", Path::new("/tmp")).is_err());
    }
}
