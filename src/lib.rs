//! Zexus VM: a JIT-backed virtual machine for the Zexus language with an instruction-level
//! profiler.
//!
//! # A tour of the pipeline
//!
//! Source text is compiled ([`compile`]: [`syntax`] lexes and parses, [`compiler`] emits) to
//! [`Bytecode`], verified once when it is made. A [`VM`], configured by [`VM::builder`], runs
//! it in the interpreter ([`vm`]), compiling loops that go hot to native code with Cranelift
//! ([`jit`]), while the [`InstructionProfiler`] ([`profile`]) records at the chosen [`Level`];
//! [`report`] turns the profile into text, JSON, HTML, flame graphs and more.
//!
//! ```
//! use zexus::{compile, Format, Level, VM};
//!
//! // 1. Source to bytecode.
//! let source = "
//! action square(x) { return x * x }
//! let total = 0
//! let i = 0
//! while (i < 2000) {
//!     total = total + square(i % 10)
//!     i = i + 1
//! }
//! print(total)
//! ";
//! let bc = compile(source, "tour.zx").expect("it compiles");
//! assert!(bc.disassemble().contains("CALL"), "a call to `square`");
//!
//! // 2. A VM with the JIT and the profiler at FULL (the entry point of the usage guide),
//! //    with the program's output kept instead of printed.
//! let mut vm = VM::builder()
//!     .jit(true)
//!     .hot_threshold(100)
//!     .profiling(Level::Full)
//!     .capture_output(true)
//!     .build();
//! vm.execute(&bc).expect("it runs");
//! assert_eq!(vm.take_output(), "57000\n");
//!
//! // 3. Exact counts, whichever tier ran them: 2,000 calls of `square`.
//! let summary = vm.profiling_summary().expect("profiling is on");
//! assert!(summary.total_instructions > 20_000);
//! let square = vm.profiler().functions().into_iter().find(|f| f.name == "square").unwrap();
//! assert_eq!(square.calls, 2000);
//!
//! // 4. The loop went hot: the profiler counted its iterations, and the JIT compiled it.
//! let hot = vm.profiler().hot_loops(1000);
//! assert_eq!(hot[0].iterations, 2000);
//! assert!(!vm.profiler().jit.compiled.is_empty(), "compiled after 100 iterations");
//!
//! // 5. Reports, for people and for tools.
//! let text = vm.profiling_report(Format::Text, 10);
//! assert!(text.contains("HOT LOOPS") && text.contains("JIT"));
//! let json: serde_json::Value =
//!     serde_json::from_str(&vm.profiling_report(Format::Json, 10)).unwrap();
//! assert_eq!(json["hot_loops"][0]["iterations"], 2000);
//! ```
//!
//! The command line (`zx run`, `zx profile`, `zx disasm`, `zx bench`, `zx diff`, `zx repl`)
//! is this library's front end; `docs/` describes the language, the profiler and the JIT.

#![warn(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]

pub mod bytecode;
pub mod compiler;
pub mod diagnostic;
pub mod error;
pub mod jit;
pub mod modules;
pub mod profile;
pub mod reference;
pub mod repl;
pub mod report;
pub mod robustness;
pub mod session;
pub mod syntax;
pub mod vm;

pub use bytecode::{BuildError, Bytecode, BytecodeBuilder, CodeObject, Instr, Op};
pub use compiler::{compile, compile_file, compile_source, CompileError};
pub use error::{eval, Error};
pub use profile::{InstructionProfiler, Level};
pub use report::Format;
pub use vm::{LimitKind, Limits, RuntimeError, VmBuilder, VM};
pub use zexus_runtime::{Kind, Value};
