//! Parts of the `zx` command line kept out of `main.rs`.

pub mod bench;
pub mod bench_programs;
pub mod color;
pub mod demo;
pub mod options;
