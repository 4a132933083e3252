//! Runtime errors: a message that names the operand at fault, the source line, and a call
//! trace of `[line N] in f` lines (innermost first), as Lua and clox print them.

use std::fmt;
use std::sync::Arc;

use crate::syntax::SourceFile;

/// One line of a call trace.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TraceEntry {
    /// The function (`<main>` for the program's top level).
    pub function: String,
    /// The source line being executed in that function.
    pub line: u32,
}

/// What kind of failure a [`RuntimeError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The program did something the language forbids (bad types, division by zero, ...).
    Runtime,
    /// Bytecode that failed verification. `VM::execute` no longer meets any: a `Bytecode`
    /// is verified when it is made (`Bytecode::new`); kept for callers that report such
    /// failures with the same type.
    InvalidBytecode,
}

/// An error raised while running a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RuntimeError {
    /// What went wrong, e.g. `attempt to add int and null (variable 'x')`.
    pub message: String,
    /// The source line of the failing instruction (0 if unknown).
    pub line: u32,
    /// The source column of the failing instruction's token (1-based, in characters; 0 if
    /// unknown): the operator of a failed `/`, the callee of a failed call, the `[` of a bad
    /// index. Both tiers report the same one.
    pub column: u32,
    /// The file `line` and `column` are in when it is not the program's source: the failing
    /// code is in a file the program `use`s (its [`CodeObject::file`](crate::CodeObject)).
    pub file: Option<Arc<SourceFile>>,
    /// The call trace, innermost call first.
    pub trace: Vec<TraceEntry>,
    /// Runtime error or invalid bytecode.
    pub kind: ErrorKind,
}

impl RuntimeError {
    /// An error with no location (for bytecode rejected before running).
    pub fn invalid_bytecode(message: impl Into<String>) -> RuntimeError {
        RuntimeError {
            message: message.into(),
            line: 0,
            column: 0,
            file: None,
            trace: Vec::new(),
            kind: ErrorKind::InvalidBytecode,
        }
    }
}

impl fmt::Display for RuntimeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        for line in fold_trace(&self.trace) {
            write!(f, "\n{line}")?;
        }
        Ok(())
    }
}

impl std::error::Error for RuntimeError {}

/// The lines of a call trace, with runs of a repeated frame, or of a repeated cycle of up to
/// four frames (mutual recursion), shown once and then counted: a runaway recursion's 10,000
/// frames take three lines (`... fib 9,998 more times`).
pub fn fold_trace(trace: &[TraceEntry]) -> Vec<String> {
    let same = |a: &TraceEntry, b: &TraceEntry| a.line == b.line && a.function == b.function;
    let mut out = Vec::new();
    let mut i = 0;
    while i < trace.len() {
        // The period whose repetitions starting here cover the most frames (at least 3).
        let mut best: Option<(usize, usize)> = None;
        for p in 1..=4usize {
            let mut reps = 1;
            while i + (reps + 1) * p <= trace.len()
                && (0..p).all(|k| same(&trace[i + k], &trace[i + reps * p + k]))
            {
                reps += 1;
            }
            if reps >= 3 && best.is_none_or(|(bp, br)| p * reps > bp * br) {
                best = Some((p, reps));
            }
        }
        match best {
            Some((p, reps)) => {
                for t in &trace[i..i + p] {
                    out.push(format!("[line {}] in {}", t.line, t.function));
                }
                let names: Vec<&str> = trace[i..i + p]
                    .iter()
                    .map(|t| t.function.as_str())
                    .collect();
                out.push(format!(
                    "... {} {} more times",
                    names.join(", "),
                    thousands((reps - 1) as u64)
                ));
                i += p * reps;
            }
            None => {
                out.push(format!("[line {}] in {}", trace[i].line, trace[i].function));
                i += 1;
            }
        }
    }
    out
}

/// `9998` as `9,998`.
fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(f: &str, line: u32) -> TraceEntry {
        TraceEntry {
            function: f.into(),
            line,
        }
    }

    #[test]
    fn recursion_is_folded() {
        let mut t = vec![e("fib", 2); 9_999];
        t.push(e("<main>", 5));
        assert_eq!(
            fold_trace(&t),
            [
                "[line 2] in fib",
                "... fib 9,998 more times",
                "[line 5] in <main>"
            ]
        );
    }

    #[test]
    fn mutual_recursion_is_folded_and_short_traces_are_kept() {
        let mut t = Vec::new();
        for _ in 0..100 {
            t.push(e("a", 1));
            t.push(e("b", 2));
        }
        assert_eq!(
            fold_trace(&t),
            ["[line 1] in a", "[line 2] in b", "... a, b 99 more times"]
        );
        let short = [e("f", 1), e("f", 1), e("<main>", 3)];
        assert_eq!(
            fold_trace(&short),
            ["[line 1] in f", "[line 1] in f", "[line 3] in <main>"]
        );
    }
}
