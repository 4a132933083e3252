//! The reference evaluator: a plain tree-walking interpreter over the AST, written for clarity
//! and not speed, that serves as the oracle for the bytecode interpreter and the JIT.
//!
//! It shares with the VM only what defines the language's values: the runtime crate's operators
//! (`zexus_runtime::ops`: `+`, comparisons, indexing, display) and the builtins and methods
//! (`vm::builtins`). Evaluation order, scoping, calls, loops and the wording of the errors that
//! are not operator errors (undefined names, calls, call depth) are written here again from
//! `docs/LANGUAGE.md`, so a bug in the compiler, a superinstruction or a JIT translation cannot
//! agree with itself here. Compile-time checks (a `const` assigned, a captured local, ...) are
//! the compiler's: [`run`] calls [`crate::compile`] first and evaluates only programs it accepts.
//!
//! ```
//! let out = zexus::reference::run("let x = null\nprint(7 * 6)\nprint(1 + x)");
//! assert_eq!(out.output, vec!["42".to_string()]);
//! assert_eq!(
//!     out.error,
//!     Some(("attempt to add int and null (variable 'x')".to_string(), 3))
//! );
//! ```
//!
//! [`gen`] writes random programs over every value type, and [`diff`] runs them here and in
//! every configuration of the VM, and shrinks any disagreement to a small program.

mod closures;
mod env;
mod expr;
mod host;
mod implicit;
mod modules;
mod objects;
mod seal;
mod stmt;

pub mod diff;
pub mod gen;
pub mod shrink;

use std::path::{Path, PathBuf};

use crate::modules::ModulePlan;
use crate::vm::DEFAULT_MAX_CALL_DEPTH;
use env::{Flow, Interp};

/// What a program did: the lines it printed and the error that stopped it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Every printed line, in order (a string containing `\n` prints several lines).
    pub output: Vec<String>,
    /// The runtime error that ended the run, as the VM's `RuntimeError { message, line, .. }`
    /// gives it; for a program that does not compile, the first compile error as displayed
    /// (`[line N] Error at 'tok': message`) and its line, with no output.
    pub error: Option<(String, u32)>,
}

/// Splits printed text into lines (a final newline ends the last line rather than starting
/// an empty one).
pub fn lines_of(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    if lines.last().is_some_and(String::is_empty) {
        lines.pop();
    }
    lines
}

/// Runs `source` in the reference evaluator with the VM's default call depth limit
/// ([`DEFAULT_MAX_CALL_DEPTH`]).
///
/// Deep recursion recurses here too, so the evaluation runs on a thread of its own with a
/// large stack.
pub fn run(source: &str) -> Outcome {
    run_with_depth(source, DEFAULT_MAX_CALL_DEPTH)
}

/// Runs `source` with at most `max_depth` nested calls (as `VmBuilder::max_call_depth`).
pub fn run_with_depth(source: &str, max_depth: usize) -> Outcome {
    run_file_with_depth(source, None, max_depth)
}

/// Runs `source`, the text of the file at `path` (the modules it uses are found relative to
/// it), as [`run`] does.
pub fn run_file(source: &str, path: &Path) -> Outcome {
    run_file_with_depth(source, Some(path), DEFAULT_MAX_CALL_DEPTH)
}

/// Runs `source` from the file at `path`, if any, with at most `max_depth` nested calls.
pub fn run_file_with_depth(source: &str, path: Option<&Path>, max_depth: usize) -> Outcome {
    let source = source.to_string();
    let path: Option<PathBuf> = path.map(Path::to_path_buf);
    std::thread::Builder::new()
        .name("zexus-reference".into())
        // Each nested Zexus call costs a few kilobytes of native stack here.
        .stack_size(64 * 1024 * max_depth.max(16))
        .spawn(move || run_here(&source, path.as_deref(), max_depth))
        .expect("the reference evaluator's thread starts")
        .join()
        .expect("the reference evaluator does not panic")
}

/// Runs `source` on the current thread (see [`run_with_depth`]).
fn run_here(source: &str, path: Option<&Path>, max_depth: usize) -> Outcome {
    if let Err(errors) = crate::compile_source(source, "<reference>", path) {
        let first = &errors[0];
        return Outcome {
            output: Vec::new(),
            error: Some((first.to_string(), first.line)),
        };
    }
    let program = crate::syntax::parse(source).expect("it compiled, so it parses");
    // Loading the modules again finds the same files (unless one changed in between).
    let plan = match ModulePlan::build(&program, path) {
        Ok(plan) => plan,
        Err(errors) => {
            return Outcome {
                output: Vec::new(),
                error: Some((errors[0].to_string(), errors[0].line)),
            }
        }
    };
    let mut it = Interp::new(&program, &plan, max_depth);
    // Declared types' constructors and top-level functions exist before the first statement
    // runs.
    it.hoist(0, &program.stmts);
    // A `return` at the top level ends the program (the compiler rejects a `break` or
    // `continue` outside a loop).
    let result = it.stmts(&program.stmts).map(|_: Flow| ());
    Outcome {
        output: lines_of(&it.out),
        error: result.err().map(|f| (f.message, f.line)),
    }
}
