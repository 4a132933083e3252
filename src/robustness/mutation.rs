//! Mutated sources: a random valid program with a few random edits must compile or be
//! rejected with errors, and a program that compiles must run (with limits) without panicking.

use std::panic::{catch_unwind, AssertUnwindSafe};

use super::Rng;

/// Tokens a mutation may insert.
const TOKENS: &[&str] = &[
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ",",
    ".",
    ";",
    "=",
    "==",
    "+",
    "-",
    "*",
    "/",
    "%",
    "**",
    "<",
    ">",
    "!",
    "&&",
    "||",
    "?",
    ":",
    "\"",
    "'",
    "let ",
    "action ",
    "return ",
    "while ",
    "for each ",
    " in ",
    "if ",
    "else ",
    "try ",
    "catch ",
    "throw ",
    "break",
    "continue",
    "print(",
    "len(",
    "range(",
    "null",
    "true",
    "0",
    "-1",
    "9223372036854775807",
    "1.5",
    "x",
    "f(",
    ".push(",
    "\n",
    " ",
];

/// Case `seed`: the generated program and its mutated form.
pub fn case(seed: u64) -> (String, String) {
    let base = crate::reference::gen::program(seed);
    let mut rng = Rng::new(seed);
    let mut s: Vec<char> = base.chars().collect();
    for _ in 0..1 + rng.below(4) {
        mutate(&mut rng, &mut s);
    }
    (base, s.into_iter().collect())
}

fn mutate(rng: &mut Rng, s: &mut Vec<char>) {
    let n = s.len() as u64;
    let at = rng.below(n + 1) as usize;
    let len = (1 + rng.below(8) as usize).min(s.len() - at.min(s.len()));
    match rng.below(6) {
        // Delete a span.
        0 => {
            s.drain(at..at + len);
        }
        // Duplicate a span.
        1 => {
            let span: Vec<char> = s[at..at + len].to_vec();
            let to = rng.below(n + 1) as usize;
            s.splice(to..to, span);
        }
        // Insert a token.
        2 | 3 => {
            let t = TOKENS[rng.below(TOKENS.len() as u64) as usize];
            s.splice(at..at, t.chars());
        }
        // Swap two characters.
        4 => {
            if !s.is_empty() {
                let b = rng.below(n) as usize;
                let a = at.min(s.len() - 1);
                s.swap(a, b);
            }
        }
        // Replace a character with a random printable or odd one.
        _ => {
            if at < s.len() {
                let odd = ['\0', '\u{feff}', 'é', '\t', '\r', '#', '@', '$', '`', '\\'];
                s[at] = if rng.below(2) == 0 {
                    odd[rng.below(odd.len() as u64) as usize]
                } else {
                    (b' ' + rng.below(95) as u8) as char
                };
            }
        }
    }
}

/// Checks case `seed`: compiling never panics (a rejected program has at least one error),
/// and a program that compiles runs everywhere without panic or hang.
pub fn check(seed: u64) -> Result<(), String> {
    let (_, src) = case(seed);
    let compiled = catch_unwind(AssertUnwindSafe(|| crate::compile(&src, "<mutant>")));
    let bc = match compiled {
        Err(_) => return Err(format!("the compiler panicked on:\n{src}")),
        Ok(Err(errors)) if errors.is_empty() => {
            return Err(format!("rejected without an error:\n{src}"))
        }
        Ok(Err(_)) => return Ok(()),
        Ok(Ok(bc)) => bc,
    };
    super::run_everywhere(&bc).map_err(|e| format!("{e} on:\n{src}"))
}
