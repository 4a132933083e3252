//! The level × tier overhead table of the guide, measured: `zx bench` runs each program at
//! every profiling level, interpreted and with the JIT, and reports the median time of each
//! cell as a ratio to the same tier at level NONE, next to the profiler's own estimate of its
//! overhead. Cells are measured in interleaved rounds (every cell once per round) so that
//! drift on a shared machine hits all cells alike.
//!
//! Times are the running thread's CPU time where the platform reports it (wall time with
//! `--wall`, or where it does not): the profiler's cost is CPU work on that thread, and on a
//! loaded machine the wall time of a run also holds the time other processes had the CPU,
//! which moved one cell's median by up to 40% between invocations of the same build. The
//! estimated slowdown of a run is `t / (t - overhead)`, with the run's own time `t` measured
//! the same way as the ratio it is printed next to; a cell shows the median over its runs.

use std::fmt::Write;
use std::time::{Duration, Instant};

use zexus::profile::clock::thread_cpu_time;
use zexus::profile::Level;
use zexus::{Bytecode, Error, VM};

pub use super::bench_programs::{default_programs, BenchProgram};

/// One measured cell: a program at a level in a tier.
#[derive(Debug, Clone)]
pub struct Cell {
    /// The profiling level.
    pub level: Level,
    /// Every run's wall time.
    pub times: Vec<Duration>,
    /// Every run's CPU time on the running thread (empty where the platform has no such
    /// clock).
    pub cpu_times: Vec<Duration>,
    /// Every run's overhead as the profiler estimated it, in ms.
    pub estimated_overhead_ms: Vec<f64>,
    /// Per run: false when the profiler found the run too short to estimate its overhead.
    pub estimable: Vec<bool>,
}

/// The median of `v` (0 for none).
fn median(v: &[f64]) -> f64 {
    let mut v = v.to_vec();
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

impl Cell {
    /// Each run's time in seconds: CPU time, unless `wall` or the platform has none.
    fn secs(&self, wall: bool) -> Vec<f64> {
        let t = if wall || self.cpu_times.len() != self.times.len() {
            &self.times
        } else {
            &self.cpu_times
        };
        t.iter().map(Duration::as_secs_f64).collect()
    }

    /// The median run time in seconds (see [`Cell::secs`]).
    pub fn median_secs(&self, wall: bool) -> f64 {
        median(&self.secs(wall))
    }

    /// True when most runs were long enough for the profiler to estimate its overhead.
    pub fn is_estimable(&self) -> bool {
        2 * self.estimable.iter().filter(|&&e| e).count() > self.estimable.len()
    }

    /// The median over the estimable runs of the slowdown the profiler estimates, `t / (t -
    /// overhead)` with `t` the run's time (see [`Cell::secs`]).
    pub fn estimated_slowdown(&self, wall: bool) -> f64 {
        let v: Vec<f64> = self
            .secs(wall)
            .iter()
            .zip(&self.estimated_overhead_ms)
            .zip(&self.estimable)
            .filter(|(_, &ok)| ok)
            .map(|((&t, &o), _)| t / (t - (o / 1e3).min(0.99 * t)).max(1e-12))
            .collect();
        median(&v)
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

/// One run: (wall time, CPU time if the platform has it, the estimated overhead in ms,
/// whether the run was long enough to estimate it).
fn run_once(
    bc: &Bytecode,
    level: Level,
    jit: bool,
    sample_rate: u32,
) -> Result<(Duration, Option<Duration>, f64, bool), Error> {
    let mut vm = VM::builder()
        .profiling(level)
        .sample_rate(sample_rate)
        .jit(jit)
        .capture_output(true)
        .build();
    let c = thread_cpu_time();
    let t = Instant::now();
    vm.execute(bc).map_err(Error::Runtime)?;
    let dt = t.elapsed();
    let cpu = c.zip(thread_cpu_time()).map(|(a, b)| b.saturating_sub(a));
    let (est, ok) = vm
        .profiling_summary()
        .map(|s| (s.profiling_overhead_ms, s.overhead_estimable))
        .unwrap_or((0.0, true));
    Ok((dt, cpu, est, ok))
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
                    cpu_times: Vec::new(),
                    estimated_overhead_ms: Vec::new(),
                    estimable: Vec::new(),
                })
                .collect();
            // One untimed warm-up of each cell (page faults, the calibration of hook costs).
            for c in &cells {
                run_once(&p.bytecode, c.level, jit, sample_rate)?;
            }
            for _ in 0..runs.max(1) {
                for c in cells.iter_mut() {
                    let (dt, cpu, est, ok) = run_once(&p.bytecode, c.level, jit, sample_rate)?;
                    c.times.push(dt);
                    c.cpu_times.extend(cpu);
                    c.estimated_overhead_ms.push(est);
                    c.estimable.push(ok);
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
/// with the profiler's estimated slowdown in parentheses. Times are CPU times unless `wall`
/// (see the module documentation).
pub fn render(rows: &[Row], runs: usize, wall: bool) -> String {
    let cpu = !wall
        && rows
            .iter()
            .flat_map(|r| &r.cells)
            .all(|c| c.cpu_times.len() == c.times.len());
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Profiling overhead: median of {runs} runs per cell, ratio to level NONE of the same \
         tier, in {}",
        if cpu {
            "the thread's CPU time"
        } else {
            "wall time"
        }
    );
    let _ = writeln!(out, "(in parentheses: the slowdown the profiler itself estimates from its calibrated hook costs)\n");
    let _ = writeln!(out, "| program | tier | NONE | BASIC | DETAILED | FULL |");
    let _ = writeln!(out, "|---|---|---:|---:|---:|---:|");
    for r in rows {
        let base = r.cells[0].median_secs(!cpu);
        let mut line = format!(
            "| {} | {} | {:.3} s |",
            r.program,
            if r.jit { "jit" } else { "interp" },
            base
        );
        for c in &r.cells[1..] {
            let ratio = c.median_secs(!cpu) / base.max(1e-12);
            if c.is_estimable() {
                let est = c.estimated_slowdown(!cpu);
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
