//! The level × tier overhead table of the guide, measured: `zx bench` runs each program at
//! every profiling level, interpreted and with the JIT, and reports the median time of each
//! cell as a ratio to the same tier at level NONE, next to the profiler's own estimate of its
//! overhead. Cells are measured in interleaved rounds (every cell once per round) so that
//! drift on a shared machine hits all cells alike.

use std::fmt::Write;
use std::time::{Duration, Instant};

use crate::profile::Level;
use crate::{Bytecode, Error, VM};

/// A program to measure.
#[derive(Debug, Clone)]
pub struct BenchProgram {
    /// Short name for the table.
    pub name: String,
    /// The compiled program.
    pub bytecode: Bytecode,
}

/// The default programs: the shared benchmarks loop_sum, fib_rec and sieve, scaled to run in
/// about a tenth of a second each in the interpreter, and loop_sum scaled to run in well
/// under 10 ms (`loop_sum_short`), where the profiler reports "too short to estimate".
pub fn default_programs() -> Result<Vec<BenchProgram>, Error> {
    let sources = [
        (
            "loop_sum",
            include_str!("../benches/programs/loop_sum.zx").replace("100000000", "10000000"),
        ),
        (
            "fib_rec",
            include_str!("../benches/programs/fib_rec.zx").replace("fib(32)", "fib(29)"),
        ),
        (
            "sieve",
            include_str!("../benches/programs/sieve.zx").replace("10000000", "1000000"),
        ),
        (
            "loop_sum_short",
            include_str!("../benches/programs/loop_sum.zx").replace("100000000", "100000"),
        ),
    ];
    sources
        .into_iter()
        .map(|(name, src)| {
            let bytecode = crate::compile(&src, name).map_err(Error::Compile)?;
            Ok(BenchProgram {
                name: name.to_string(),
                bytecode,
            })
        })
        .collect()
}

/// One measured cell: a program at a level in a tier.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The profiling level.
    pub level: Level,
    /// Every run's wall time.
    pub times: Vec<Duration>,
    /// The profiler's own overhead estimate for the last run, in percent of its run time.
    pub estimated_overhead_pct: f64,
    /// False when the profiler found the run too short to estimate its overhead.
    pub estimable: bool,
}

impl Cell {
    /// The median run time.
    pub fn median(&self) -> Duration {
        let mut t = self.times.clone();
        t.sort();
        t.get(t.len() / 2).copied().unwrap_or_default()
    }
}

/// One row: a program in a tier, with a cell per level.
#[derive(Debug, Clone)]
pub struct Row {
    /// The program's name.
    pub program: String,
    /// True for the JIT tier.
    pub jit: bool,
    /// One cell per level, NONE first.
    pub cells: Vec<Cell>,
}

fn run_once(
    bc: &Bytecode,
    level: Level,
    jit: bool,
    sample_rate: u32,
) -> Result<(Duration, f64, bool), Error> {
    let mut vm = VM::builder()
        .profiling(level)
        .sample_rate(sample_rate)
        .jit(jit)
        .capture_output(true)
        .build();
    let t = Instant::now();
    vm.execute(bc).map_err(Error::Runtime)?;
    let dt = t.elapsed();
    let (est, ok) = vm
        .profiling_summary()
        .map(|s| (s.overhead_percentage, s.overhead_estimable))
        .unwrap_or((0.0, true));
    Ok((dt, est, ok))
}

/// Measures every program at every level in each tier, `runs` times per cell.
pub fn measure(
    programs: &[BenchProgram],
    tiers: &[bool],
    runs: usize,
    sample_rate: u32,
) -> Result<Vec<Row>, Error> {
    let mut rows = Vec::new();
    for p in programs {
        for &jit in tiers {
            let mut cells: Vec<Cell> = Level::ALL
                .iter()
                .map(|&level| Cell {
                    level,
                    times: Vec::new(),
                    estimated_overhead_pct: 0.0,
                    estimable: true,
                })
                .collect();
            // One untimed warm-up of each cell (page faults, the calibration of hook costs).
            for c in &cells {
                run_once(&p.bytecode, c.level, jit, sample_rate)?;
            }
            for _ in 0..runs.max(1) {
                for c in cells.iter_mut() {
                    let (dt, est, ok) = run_once(&p.bytecode, c.level, jit, sample_rate)?;
                    c.times.push(dt);
                    c.estimated_overhead_pct = est;
                    c.estimable = ok;
                }
            }
            rows.push(Row {
                program: p.name.clone(),
                jit,
                cells,
            });
        }
    }
    Ok(rows)
}

/// The table, in Markdown: NONE's median time, then each level's median as a ratio to NONE
/// with the profiler's estimated slowdown in parentheses.
pub fn render(rows: &[Row], runs: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Profiling overhead: median of {runs} runs per cell, ratio to level NONE of the same tier"
    );
    let _ = writeln!(out, "(in parentheses: the slowdown the profiler itself estimates from its calibrated hook costs)\n");
    let _ = writeln!(out, "| program | tier | NONE | BASIC | DETAILED | FULL |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
    for r in rows {
        let base = r.cells[0].median().as_secs_f64();
        let mut line = format!(
            "| {} | {} | {:.3} s |",
            r.program,
            if r.jit { "jit" } else { "interp" },
            base
        );
        for c in &r.cells[1..] {
            let ratio = c.median().as_secs_f64() / base.max(1e-12);
            if c.estimable {
                let est = 1.0 / (1.0 - (c.estimated_overhead_pct / 100.0).min(0.99));
                let _ = write!(line, " {ratio:.2}x (est {est:.2}x) |");
            } else {
                let _ = write!(line, " {ratio:.2}x (est: too short) |");
            }
        }
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(out, "\nThe original guide's figures, never measured: BASIC ~100%, DETAILED and FULL ~100-200% interpreted; <1% / <5% / <10% with JIT.");
    out
}
