//! Parts of the `zx` command line kept out of `main.rs`.

pub mod color;
pub mod options;
