//! Differential runs: one program in the reference evaluator and in every configuration of
//! the VM, compared.
//!
//! The VM runs the program in the interpreter at NONE, BASIC, DETAILED and FULL, and with the
//! JIT at hot thresholds 1 and 50, each at NONE and FULL. Each run's output and error (message
//! and line) must equal the reference's; each run's profile counts (per instruction, branch
//! outcomes, loop iterations, calls, memory and variable accesses) must equal those of every
//! other run at the same level, and the per-instruction and call counts must be the same at
//! BASIC, DETAILED and FULL.
//!
//! ```
//! use zexus::reference::diff;
//! assert_eq!(diff::check("let x = 1\nprint(x + 1)"), Ok(()));
//! ```

use super::{lines_of, Outcome};
use crate::profile::InstructionProfiler;
use crate::{compile, Level, VM};

/// One way of running the VM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Config {
    /// The profiling level.
    pub level: Level,
    /// `Some(hot threshold)` with the JIT on, `None` for the interpreter alone.
    pub jit: Option<u32>,
}

impl std::fmt::Display for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.jit {
            Some(t) => write!(f, "jit(threshold {t}) at {:?}", self.level),
            None => write!(f, "interpreter at {:?}", self.level),
        }
    }
}

/// Every configuration a program runs in, interpreter first.
pub fn configs() -> Vec<Config> {
    let mut out: Vec<Config> = [Level::None, Level::Basic, Level::Detailed, Level::Full]
        .into_iter()
        .map(|level| Config { level, jit: None })
        .collect();
    for t in [1, 50] {
        for level in [Level::None, Level::Full] {
            out.push(Config {
                level,
                jit: Some(t),
            });
        }
    }
    out
}

/// What one VM run did: its outcome and, when profiling, its counts as comparable text.
#[derive(Debug, Clone)]
pub struct Run {
    /// The configuration.
    pub config: Config,
    /// Output and error, as the reference gives them.
    pub outcome: Outcome,
    /// The profile's counts, one line per code object and kind of count (empty at NONE).
    pub counts: Vec<String>,
    /// Only the per-instruction counts and call counts (the same at every level but NONE).
    pub exec_counts: Vec<String>,
}

/// Runs `source` on a VM configured as `config`; `None` if it does not compile.
pub fn run_vm(source: &str, config: Config) -> Option<Run> {
    let bc = compile(source, "<differential>").ok()?;
    let mut b = VM::builder()
        .profiling(config.level)
        .capture_output(true)
        .skip_calibration(true);
    if let Some(t) = config.jit {
        b = b.jit(true).hot_threshold(t);
    }
    let mut vm = b.build();
    // A panic is a VM bug like any other disagreement: report it as the run's error.
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| vm.execute(&bc)));
    let error = match result {
        Ok(r) => r.err().map(|e| (e.message, e.line)),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            return Some(Run {
                config,
                outcome: Outcome {
                    output: Vec::new(),
                    error: Some((format!("the VM panicked: {what}"), 0)),
                },
                counts: Vec::new(),
                exec_counts: Vec::new(),
            });
        }
    };
    let outcome = Outcome {
        output: lines_of(&vm.take_output()),
        error,
    };
    let (counts, exec_counts) = if config.level > Level::None {
        profile_counts(vm.profiler())
    } else {
        (Vec::new(), Vec::new())
    };
    Some(Run {
        config,
        outcome,
        counts,
        exec_counts,
    })
}

/// The profile's exact counts as lines of text: everything that must not depend on the tier
/// or on superinstructions (per-instruction counts, calls, branch outcomes and predictor
/// state, loop iterations, memory and variable reads and writes), and the execution counts
/// alone.
pub fn profile_counts(p: &InstructionProfiler) -> (Vec<String>, Vec<String>) {
    let mut all = Vec::new();
    let mut exec = Vec::new();
    for c in &p.codes {
        exec.push(format!(
            "{} counts {:?} calls {}",
            c.name, c.counts, c.calls
        ));
        let branches: Vec<_> = c
            .branches
            .iter()
            .map(|b| (b.taken, b.not_taken, b.mispredicts, b.state))
            .collect();
        let mut loops: Vec<_> = c
            .loops
            .iter()
            .filter(|l| l.iterations > 0)
            .map(|l| (l.header_ip, l.back_edge_ip, l.iterations))
            .collect();
        loops.sort_unstable();
        all.push(format!(
            "{} counts {:?} calls {}",
            c.name, c.counts, c.calls
        ));
        all.push(format!("{} branches {branches:?}", c.name));
        all.push(format!("{} loops {loops:?}", c.name));
        all.push(format!(
            "{} memory reads {:?} writes {:?}",
            c.name, c.mem_reads, c.mem_writes
        ));
        all.push(format!(
            "{} variable reads {:?} writes {:?}",
            c.name, c.var_reads, c.var_writes
        ));
    }
    (all, exec)
}

/// The first difference between two lists of count lines.
fn first_difference(a: &[String], b: &[String]) -> String {
    for (x, y) in a.iter().zip(b) {
        if x != y {
            return format!("\n    {x}\n    {y}");
        }
    }
    format!(" ({} against {} lines)", a.len(), b.len())
}

/// Runs `source` in the reference and in every [`configs`] of the VM. `Ok` if they all
/// agree (or the program does not compile); otherwise what differs, one line per difference.
pub fn check(source: &str) -> Result<(), String> {
    let want = super::run(source);
    let mut runs = Vec::new();
    for config in configs() {
        match run_vm(source, config) {
            Some(r) => runs.push(r),
            None => return Ok(()),
        }
    }
    compare(&want, &runs)
}

/// Compares VM runs with the reference's outcome and with each other.
pub fn compare(want: &Outcome, runs: &[Run]) -> Result<(), String> {
    let mut problems = Vec::new();
    for r in runs {
        if r.outcome.error != want.error {
            problems.push(format!(
                "{}: error {:?}, reference {:?}",
                r.config, r.outcome.error, want.error
            ));
        }
        if r.outcome.output != want.output {
            let at = r
                .outcome
                .output
                .iter()
                .zip(&want.output)
                .position(|(a, b)| a != b)
                .unwrap_or(r.outcome.output.len().min(want.output.len()));
            problems.push(format!(
                "{}: output line {} is {:?}, reference {:?} ({} lines against {})",
                r.config,
                at + 1,
                r.outcome.output.get(at),
                want.output.get(at),
                r.outcome.output.len(),
                want.output.len()
            ));
        }
    }
    for (i, a) in runs.iter().enumerate() {
        for b in &runs[i + 1..] {
            if a.config.level == b.config.level && a.counts != b.counts {
                problems.push(format!(
                    "profile counts of {} and {} differ:{}",
                    a.config,
                    b.config,
                    first_difference(&a.counts, &b.counts)
                ));
            } else if a.config.level != b.config.level
                && a.config.level > Level::None
                && b.config.level > Level::None
                && a.config.jit.is_none()
                && b.config.jit.is_none()
                && a.exec_counts != b.exec_counts
            {
                problems.push(format!(
                    "execution counts of {} and {} differ:{}",
                    a.config,
                    b.config,
                    first_difference(&a.exec_counts, &b.exec_counts)
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}
