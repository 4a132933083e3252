//! Whatever the input, `compile` returns bytecode or errors: never a panic, never a stack
//! overflow. Everything here runs on the default test thread (2 MiB of stack), in debug and
//! release builds alike.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use zexus::compile;

/// Compiles `src`; fails the test (showing the input) if compiling panics.
fn compiles_without_panic(src: &str) -> bool {
    match catch_unwind(AssertUnwindSafe(|| compile(src, "<robustness>").is_ok())) {
        Ok(ok) => ok,
        Err(_) => {
            let shown: String = src.chars().take(300).collect();
            panic!("compile panicked on input ({} bytes): {shown:?}", src.len());
        }
    }
}

fn rejected(src: &str) {
    assert!(
        !compiles_without_panic(src),
        "expected errors for a {}-byte input",
        src.len()
    );
}

fn accepted(src: &str) {
    if let Err(e) = compile(src, "<robustness>") {
        panic!(
            "expected {}-byte input to compile, got {:?}",
            src.len(),
            &e[..e.len().min(3)]
        );
    }
}

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for _ in 0..3000 {
        let len = rng.below(300);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        compiles_without_panic(&String::from_utf8_lossy(&bytes));
    }
}

#[test]
fn random_token_soup_never_panics() {
    const WORDS: &[&str] = &[
        "let",
        "const",
        "x",
        "y",
        "f",
        "range",
        "len",
        "=",
        "+=",
        "-",
        "+",
        "*",
        "/",
        "%",
        "**",
        "==",
        "<",
        ">=",
        "&&",
        "||",
        "and",
        "or",
        "not",
        "!",
        "?",
        ":",
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        ",",
        ";",
        "\n",
        ".",
        "push",
        "if",
        "elif",
        "else",
        "while",
        "for",
        "each",
        "in",
        "break",
        "continue",
        "action",
        "function",
        "return",
        "print",
        "1",
        "-9223372036854775808",
        "2.5",
        "\"s\"",
        "true",
        "null",
        "// c\n",
        "/*",
        "*/",
    ];
    let mut rng = Rng(42);
    for _ in 0..5000 {
        let n = rng.below(60);
        let src: Vec<&str> = (0..n).map(|_| WORDS[rng.below(WORDS.len())]).collect();
        compiles_without_panic(&src.join(" "));
    }
}

#[test]
fn every_prefix_of_every_bench_program() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("benches")
        .join("programs");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("benches/programs exists") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|e| e != "zx") {
            continue;
        }
        let src = std::fs::read_to_string(&path).expect("readable");
        accepted(&src);
        for (i, _) in src.char_indices() {
            compiles_without_panic(&src[..i]);
        }
        n += 1;
    }
    assert!(n >= 5, "only {n} bench programs found");
}

const DEEP: usize = 100_000;

#[test]
fn hundred_thousand_levels_of_nesting_are_errors() {
    let nest = |open: &str, middle: &str, close: &str| {
        format!("{}{middle}{}", open.repeat(DEEP), close.repeat(DEEP))
    };
    rejected(&nest("(", "1", ")"));
    rejected(&nest("[", "1", "]"));
    rejected(&nest("{", "", "}"));
    rejected(&nest("if (x) {", "", "}"));
    rejected(&nest("while x {", "", "}"));
    rejected(&nest("for each i in range(2) {", "", "}"));
    rejected(&nest("action f() {", "", "}"));
    rejected(&nest("f(", "", ")"));
    rejected(&nest("1 + (", "1", ")"));
    rejected(&nest("{\"k\": ", "1", "}"));
    rejected(&format!("x = {}1", "-".repeat(DEEP)));
    rejected(&format!("{}x", "!".repeat(DEEP)));
    rejected(&format!("{}x", "not ".repeat(DEEP)));
    rejected(&format!("2{}", " ** 2".repeat(DEEP)));
    rejected(&format!("1{}", " + 1".repeat(DEEP)));
    rejected(&format!("x{}", " && x".repeat(DEEP)));
    rejected(&format!("x{}", "[0]".repeat(DEEP)));
    rejected(&format!("x{}", ".m()".repeat(DEEP)));
    rejected(&format!("f{}", "()".repeat(DEEP)));
    rejected(&format!("c{} : 1", " ? 1 : c".repeat(DEEP)));
    rejected(&nest("(", "", ""));
    rejected(&nest("", "1", ")"));
}

#[test]
fn the_deepest_accepted_programs_compile() {
    // Just inside the parser's limits (see `syntax::ast::MAX_NESTING` and `MAX_EXPR_HEIGHT`).
    accepted(&format!(
        "let x = 1\n{}x = 2{}",
        "if (x) {\n".repeat(150),
        "\n}".repeat(150)
    ));
    accepted(&format!("let x = {}1{}", "(".repeat(300), ")".repeat(300)));
    accepted(&format!(
        "let x = {}1{}",
        "1 + (".repeat(150),
        ")".repeat(150)
    ));
    accepted(&format!("let x = 1{}", " + 1".repeat(990)));
    accepted(&format!("let x = [0]\nx{} = 1", "[0]".repeat(990)));
    accepted(&format!("let x = 1\nx{}", " || x".repeat(990)));
    accepted(&format!("let x = [].pop{}", "().m".repeat(400) + "()"));
}

/// Random programs that mostly parse, to reach the compiler itself: whatever it emits must
/// pass the verifier (a "cannot build" error would be a compiler bug).
struct Gen {
    rng: Rng,
    out: String,
}

impl Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.below(xs.len())]
    }

    fn expr(&mut self, depth: u32) {
        let choice = if depth == 0 {
            self.rng.below(3)
        } else {
            self.rng.below(12)
        };
        match choice {
            0 => {
                let lit = self.pick(&[
                    "1",
                    "-2",
                    "2.5",
                    "\"s\"",
                    "true",
                    "null",
                    "-9223372036854775808",
                ]);
                self.out.push_str(lit);
            }
            1 | 2 => {
                let name = self.pick(&["a", "b", "i", "x", "n", "len", "range", "f", "g"]);
                self.out.push_str(name);
            }
            3 | 4 => {
                self.out.push('(');
                self.expr(depth - 1);
                let op = self.pick(&[
                    " + ", " - ", " * ", " / ", " % ", " ** ", " == ", " < ", " >= ", " && ",
                    " || ",
                ]);
                self.out.push_str(op);
                self.expr(depth - 1);
                self.out.push(')');
            }
            5 => {
                let op = self.pick(&["-", "!", "not "]);
                self.out.push_str(op);
                self.expr(depth - 1);
            }
            6 => {
                self.expr(depth - 1);
                self.out.push_str(" ? ");
                self.expr(depth - 1);
                self.out.push_str(" : ");
                self.expr(depth - 1);
            }
            7 | 8 => {
                let callee = self.pick(&["f", "g", "len", "range", "max", "x", "(f)"]);
                self.out.push_str(callee);
                self.out.push('(');
                for k in 0..self.rng.below(3) {
                    if k > 0 {
                        self.out.push_str(", ");
                    }
                    self.expr(depth - 1);
                }
                self.out.push(')');
            }
            9 => {
                self.out.push('[');
                self.expr(depth - 1);
                self.out.push_str(", ");
                self.expr(depth - 1);
                self.out.push_str("][0]");
            }
            10 => {
                self.out.push_str("{\"k\": ");
                self.expr(depth - 1);
                self.out.push_str("}.get(\"k\", 0)");
            }
            _ => {
                self.out.push_str("[1].pop()");
            }
        }
    }

    fn block(&mut self, depth: u32, in_loop: bool, in_func: bool) {
        self.out.push_str("{\n");
        for _ in 0..self.rng.below(4) {
            self.stmt(depth, in_loop, in_func);
        }
        self.out.push_str("}\n");
    }

    fn stmt(&mut self, depth: u32, in_loop: bool, in_func: bool) {
        let n = if depth == 0 { 6 } else { 14 };
        match self.rng.below(n) {
            0 => {
                let kw = self.pick(&["let ", "const "]);
                let name = self.pick(&["a", "b", "x", "n", "len", "f"]);
                self.out.push_str(kw);
                self.out.push_str(name);
                self.out.push_str(" = ");
                self.expr(2);
            }
            1 => {
                let name = self.pick(&["a", "b", "x", "i"]);
                let op = self.pick(&[" = ", " += ", " *= "]);
                self.out.push_str(name);
                self.out.push_str(op);
                self.expr(2);
            }
            2 => {
                self.out.push_str("print(");
                self.expr(2);
                self.out.push(')');
            }
            3 => self.expr(2),
            4 if in_loop => {
                let kw = self.pick(&["break", "continue"]);
                self.out.push_str(kw);
            }
            5 if in_func => {
                self.out.push_str("return ");
                self.expr(1);
            }
            4 | 5 => {
                self.out.push_str("x[0] += ");
                self.expr(1);
            }
            6 | 7 => {
                self.out.push_str("if ");
                self.expr(2);
                self.block(depth - 1, in_loop, in_func);
                if self.rng.below(2) == 0 {
                    self.out.push_str("elif ");
                    self.expr(1);
                    self.block(depth - 1, in_loop, in_func);
                }
                if self.rng.below(2) == 0 {
                    self.out.push_str("else ");
                    self.block(depth - 1, in_loop, in_func);
                }
            }
            8 => {
                self.out.push_str("while ");
                self.expr(2);
                self.block(depth - 1, true, in_func);
            }
            9 | 10 => {
                let head = self.pick(&[
                    "for each i in range(",
                    "for each i, x in range(",
                    "for each x in [",
                    "for each i, x in {\"a\": ",
                ]);
                let close = match head.as_bytes()[head.len() - 1] {
                    b'(' => ")",
                    b'[' => "]",
                    _ => "}",
                };
                self.out.push_str(head);
                self.expr(1);
                self.out.push_str(close);
                self.block(depth - 1, true, in_func);
            }
            11 => {
                let name = self.pick(&["f", "g", "h"]);
                let params = self.pick(&["()", "(a)", "(a, n)", "(x)"]);
                self.out.push_str("action ");
                self.out.push_str(name);
                self.out.push_str(params);
                self.block(depth - 1, false, true);
            }
            _ => self.block(depth - 1, in_loop, in_func),
        }
        self.out.push('\n');
    }
}

#[test]
fn generated_programs_compile_to_verified_bytecode_or_report_errors() {
    let mut compiled = 0;
    for seed in 1..4000u64 {
        let mut g = Gen {
            rng: Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)),
            out: String::new(),
        };
        for _ in 0..1 + g.rng.below(6) {
            g.stmt(4, false, false);
        }
        let src = g.out;
        match catch_unwind(AssertUnwindSafe(|| compile(&src, "<gen>"))) {
            Ok(Ok(_)) => compiled += 1,
            Ok(Err(errors)) => {
                for e in &errors {
                    assert!(
                        !e.message.contains("cannot build"),
                        "compiler emitted bad bytecode: {e}\n{src}"
                    );
                }
            }
            Err(_) => panic!("compile panicked on:\n{src}"),
        }
    }
    assert!(
        compiled > 1000,
        "only {compiled} generated programs compiled"
    );
}
