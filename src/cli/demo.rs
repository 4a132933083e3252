//! Built-in demo programs, so `zx profile` with no file shows a real report.

use zexus::Bytecode;

/// The source of `zx profile`'s built-in demo (`src/demo.zx`): the guide's Fibonacci, a loop
/// that goes hot and is compiled by the JIT, recursive calls (a call graph), branches, and
/// strings, lists and a map built in a loop, so that every section of a report has content.
pub const SHOWCASE_SOURCE: &str = include_str!("demo.zx");

/// The file name the demo's lines are reported under.
pub const SHOWCASE_NAME: &str = "demo.zx";

/// The demo compiled.
pub fn showcase() -> Bytecode {
    zexus::compile_source(SHOWCASE_SOURCE, SHOWCASE_NAME, None)
        .unwrap_or_else(|e| panic!("the built-in demo compiles: {e:?}"))
}
