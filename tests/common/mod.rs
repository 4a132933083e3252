//! Shared by the script tests (`tests/language/scripts.rs`) and the differential tests:
//! finding the `.zx` scripts, reading their `// expect` comments, running one, and checking the
//! outcome.
//!
//! ```ignore
//! mod common;
//! for path in common::scripts() {
//!     let src = std::fs::read_to_string(&path).unwrap();
//!     let outcome = common::run_script(&path, zexus::VM::builder().jit(true));
//!     common::check(&common::parse_expect(&src), &outcome).unwrap();
//! }
//! ```

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use zexus::{compile_source, VmBuilder, VM};

/// The directory holding the scripts.
pub fn scripts_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("scripts")
}

/// Every `.zx` file under `tests/scripts`, recursively, in sorted order. Directories whose
/// name starts with `_` hold modules that scripts use, not scripts, and are skipped.
pub fn scripts() -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect(&scripts_dir(), &mut out);
    out.sort();
    out
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            let helper = path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('_'));
            if !helper {
                collect(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "zx") {
            out.push(path);
        }
    }
}

/// What a script's comments say it must do.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expect {
    /// The `// expect: TEXT` lines, in file order (trailing spaces trimmed).
    pub output: Vec<String>,
    /// `// expect runtime error: MESSAGE`.
    pub runtime_error: Option<String>,
    /// `// expect compile error: MESSAGE`.
    pub compile_error: Option<String>,
}

/// Reads the expectation comments of a script (see `tests/scripts/README.md`).
pub fn parse_expect(src: &str) -> Expect {
    let mut e = Expect::default();
    for line in src.lines() {
        let Some(at) = line.find("// expect") else {
            continue;
        };
        let comment = &line[at + "// expect".len()..];
        if let Some(text) = comment.strip_prefix(':') {
            let text = text.strip_prefix(' ').unwrap_or(text);
            e.output.push(text.trim_end().to_string());
        } else if let Some(msg) = comment.strip_prefix(" runtime error:") {
            e.runtime_error = Some(msg.trim().to_string());
        } else if let Some(msg) = comment.strip_prefix(" compile error:") {
            e.compile_error = Some(msg.trim().to_string());
        }
    }
    e
}

/// What running a script did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Everything it printed.
    pub output: String,
    /// The runtime error, as displayed (message, then `[line N] in f` trace lines).
    pub error: Option<String>,
    /// The compile errors, one per line, if it did not compile.
    pub compile_error: Option<String>,
}

impl Outcome {
    /// The printed lines, trailing spaces trimmed.
    pub fn lines(&self) -> Vec<String> {
        let mut lines: Vec<String> = self
            .output
            .split('\n')
            .map(|l| l.trim_end().to_string())
            .collect();
        if self.output.ends_with('\n') || self.output.is_empty() {
            lines.pop();
        }
        lines
    }
}

/// Compiles and runs the script at `path` on a VM from `builder` (with output captured).
pub fn run_script(path: &Path, builder: VmBuilder) -> Outcome {
    run_script_vm(path, builder).0
}

/// As [`run_script`], also returning the VM (for its profile); `None` if nothing ran.
pub fn run_script_vm(path: &Path, builder: VmBuilder) -> (Outcome, Option<VM>) {
    let src = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    run_source_at(&src, &path.display().to_string(), Some(path), builder)
}

/// Compiles and runs `src` (named `name`) on a VM from `builder` (with output captured).
pub fn run_source(src: &str, name: &str, builder: VmBuilder) -> (Outcome, Option<VM>) {
    run_source_at(src, name, None, builder)
}

/// As [`run_source`], for the text of the file at `path` (its modules are found from there).
pub fn run_source_at(
    src: &str,
    name: &str,
    path: Option<&Path>,
    builder: VmBuilder,
) -> (Outcome, Option<VM>) {
    let bytecode = match compile_source(src, name, path) {
        Ok(b) => b,
        Err(errors) => {
            let text = errors
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>()
                .join("\n");
            return (
                Outcome {
                    compile_error: Some(text),
                    ..Outcome::default()
                },
                None,
            );
        }
    };
    let mut vm = builder.capture_output(true).build();
    let result = vm.execute(&bytecode);
    let output = vm.take_output();
    (
        Outcome {
            output,
            error: result.err().map(|e| e.to_string()),
            compile_error: None,
        },
        Some(vm),
    )
}

/// Checks an outcome against a script's expectations; the error describes every difference.
pub fn check(expect: &Expect, got: &Outcome) -> Result<(), String> {
    let mut problems = Vec::new();
    match (&expect.compile_error, &got.compile_error) {
        (Some(want), Some(have)) if have.contains(want.as_str()) => {}
        (Some(want), Some(have)) => problems.push(format!(
            "compile error: expected one containing {want:?}, got:\n{have}"
        )),
        (Some(want), None) => problems.push(format!(
            "compile error: expected one containing {want:?}, but it compiled"
        )),
        (None, Some(have)) => problems.push(format!("unexpected compile error:\n{have}")),
        (None, None) => {}
    }
    if got.compile_error.is_none() {
        match (&expect.runtime_error, &got.error) {
            (Some(want), Some(have)) if have.contains(want.as_str()) => {}
            (Some(want), Some(have)) => problems.push(format!(
                "runtime error: expected one containing {want:?}, got:\n{have}"
            )),
            (Some(want), None) => problems.push(format!(
                "runtime error: expected one containing {want:?}, got none"
            )),
            (None, Some(have)) => problems.push(format!("unexpected runtime error:\n{have}")),
            (None, None) => {}
        }
        let lines = got.lines();
        if lines != expect.output {
            problems.push(format!(
                "output differs:\n  expected: {:?}\n  got:      {:?}",
                expect.output, lines
            ));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}
