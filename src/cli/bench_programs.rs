//! The programs `zx bench` measures by default. Also compiled into the criterion benchmark
//! `benches/overhead.rs` (by `#[path]`), so the two measure the same programs at the same sizes.

use zexus::{Bytecode, Error};

/// A program to measure.
#[derive(Debug, Clone)]
pub struct BenchProgram {
    /// Short name for the table.
    pub name: String,
    /// The compiled program.
    pub bytecode: Bytecode,
}

/// The default programs: the shared benchmarks loop_sum, fib_rec and sieve, scaled to run in
/// about a tenth of a second each in the interpreter, and two runs under 10 ms: fib_rec at
/// fib(24) (`fib_short`, about 6 ms interpreted on the development machine, over the 5 ms
/// under which no estimate is given) and loop_sum scaled to about 1 ms (`loop_sum_short`),
/// where the profiler reports "too short to estimate".
pub fn default_programs() -> Result<Vec<BenchProgram>, Error> {
    let sources = [
        (
            "loop_sum",
            include_str!("../../benches/programs/loop_sum.zx").replace("100000000", "10000000"),
        ),
        (
            "fib_rec",
            include_str!("../../benches/programs/fib_rec.zx").replace("fib(32)", "fib(29)"),
        ),
        (
            "sieve",
            include_str!("../../benches/programs/sieve.zx").replace("10000000", "1000000"),
        ),
        (
            "fib_short",
            include_str!("../../benches/programs/fib_rec.zx").replace("fib(32)", "fib(24)"),
        ),
        (
            "loop_sum_short",
            include_str!("../../benches/programs/loop_sum.zx").replace("100000000", "100000"),
        ),
    ];
    sources
        .into_iter()
        .map(|(name, src)| {
            let bytecode = zexus::compile(&src, name).map_err(Error::Compile)?;
            Ok(BenchProgram {
                name: name.to_string(),
                bytecode,
            })
        })
        .collect()
}
