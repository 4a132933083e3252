//! Cost of profiling inside JIT code: each bench program runs with the JIT at every profiling
//! level, alternating, and the medians are compared with the JIT's unprofiled run (one process,
//! so the ratios are comparable on a noisy machine).
//!
//! `cargo run --release --example jit_levels [rounds] [programs...]`

use std::time::Instant;

use zexus::{compile, Level, VM};

fn main() {
    let rounds: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/programs");
    let levels = [Level::None, Level::Basic, Level::Detailed, Level::Full];
    println!(
        "{:>12} {:>9} {:>9} {:>9} {:>9} {:>9}   (ms, JIT on; interp = JIT off at NONE)",
        "program", "interp", "none", "basic", "detailed", "full"
    );
    let only: Vec<String> = std::env::args().skip(2).collect();
    for name in [
        "loop_sum",
        "fib_iter",
        "nested_loops",
        "collatz",
        "sieve",
        "bubble_sort",
        "strings",
    ]
    .into_iter()
    .filter(|n| only.is_empty() || only.iter().any(|o| o == n))
    {
        let src = std::fs::read_to_string(format!("{dir}/{name}.zx")).expect("program");
        let bc = compile(&src, name).expect("compiles");
        let mut t: Vec<Vec<f64>> = vec![Vec::new(); levels.len() + 1];
        for _ in 0..rounds {
            for (i, cfg) in std::iter::once(None)
                .chain(levels.iter().map(Some))
                .enumerate()
            {
                let (jit, level) = match cfg {
                    None => (false, Level::None),
                    Some(&l) => (true, l),
                };
                let mut vm = VM::builder()
                    .jit(jit)
                    .profiling(level)
                    .capture_output(true)
                    .skip_calibration(true)
                    .build();
                let s = Instant::now();
                vm.execute(&bc).expect("runs");
                t[i].push(s.elapsed().as_secs_f64() * 1e3);
            }
        }
        let med: Vec<f64> = t
            .iter_mut()
            .map(|v| {
                v.sort_by(f64::total_cmp);
                v[v.len() / 2]
            })
            .collect();
        println!(
            "{name:>12} {:>9.1} {:>9.1} {:>9.1} {:>9.1} {:>9.1}   speedup {:.1}x; basic {:.3}x detailed {:.3}x full {:.3}x",
            med[0], med[1], med[2], med[3], med[4], med[0] / med[1], med[2] / med[1], med[3] / med[1], med[4] / med[1]
        );
    }
}
