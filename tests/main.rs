//! The integration tests: one test binary, one module per area (issue 14, item 7). Each
//! integration-test file used to be its own binary linking Cranelift and the whole crate, and
//! linking them was most of `cargo test`'s time; `Cargo.toml` sets `autotests = false` and
//! names this file, plus the few tests that need a process of their own (see there).
//!
//! One area or file: `cargo test --release --test main jit::` or `--test main jit_exits`
//! (a filter on the test's path, `area::file::test`).

/// Finding and running the scripts of `tests/scripts` and checking their `// expect` lines.
mod common;

/// The `zx` command line: subcommands, limits, `zx profile`'s reports and signals, the REPL,
/// compiler-style diagnostics.
mod cli;
/// The Cranelift tier: CLIF snapshots, exits, whole functions, the JIT against the
/// interpreter, jitdump and perf.
mod jit;
/// The language and the VM through the library: compiling, compile errors, exceptions,
/// limits, the bytecode builder and the script suite.
mod language;
/// The profiler: exact counts, times, lines, paths, call graph, allocations, the cache
/// simulation, its overhead estimate and its API.
mod profile;
/// The oracle and the campaigns: the reference evaluator, differential testing, fuzzed
/// bytecode and sources, fixed-seed campaign batches.
mod reliability;
/// The report formats: pprof, Chrome trace, speedscope, `zx diff`, the HTML report in a
/// browser.
mod reports;
