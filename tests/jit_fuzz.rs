//! Random loops (a fixed seed, so runs are reproducible): ints near overflow, floats, bools,
//! strings, lists, division and modulo by values that reach zero, type changes, nested loops
//! and prints. Each program runs with the JIT off and on (loops compiled after 1 to 7 back
//! edges), at every profiling level: output, errors and every count must be identical.

mod common;

use zexus::{Level, VM};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

const VARS: &[&str] = &["a", "b", "c", "f", "s", "xs", "i"];

fn expr(r: &mut Rng, depth: u32) -> String {
    if depth == 0 || r.below(3) == 0 {
        return match r.below(9) {
            0 => format!("{}", r.below(7) as i64 - 3),
            1 => format!("{}.5", r.below(5)),
            2 if r.below(4) == 0 => r.pick(&["true", "false"]).to_string(),
            3 => "9223372036854775000".to_string(),
            4 => "xs[i % 4]".to_string(),
            5 => "len(xs)".to_string(),
            _ => r.pick(&["a", "b", "c", "f", "i", "i", "a"]).to_string(),
        };
    }
    let op = r.pick(&[
        "+", "-", "*", "/", "%", "<", ">", "<=", ">=", "==", "!=", "&&", "||", "+", "+", "*",
    ]);
    format!("({} {op} {})", expr(r, depth - 1), expr(r, depth - 1))
}

fn stmt(r: &mut Rng, depth: u32, out: &mut String, indent: &str) {
    match r.below(12) {
        0 if depth > 0 => {
            let v = format!("j{depth}");
            out.push_str(&format!(
                "{indent}let {v} = 0;\n{indent}while ({v} < {}) {{\n",
                r.below(6)
            ));
            let inner = format!("{indent}  ");
            for _ in 0..r.below(3) + 1 {
                stmt(r, depth - 1, out, &inner);
            }
            out.push_str(&format!("{inner}{v} = {v} + 1;\n{indent}}}\n"));
        }
        1 if depth > 0 => {
            out.push_str(&format!("{indent}if ({}) {{\n", expr(r, 2)));
            stmt(r, depth - 1, out, &format!("{indent}  "));
            out.push_str(&format!("{indent}}} else {{\n"));
            stmt(r, depth - 1, out, &format!("{indent}  "));
            out.push_str(&format!("{indent}}}\n"));
        }
        2 => out.push_str(&format!("{indent}xs[i % 4] = {};\n", expr(r, 1))),
        3 => out.push_str(&format!(
            "{indent}s = s + {};\n",
            r.pick(&["\"x\"", "str(a)", "i"])
        )),
        4 if r.below(4) == 0 => out.push_str(&format!("{indent}print({});\n", expr(r, 1))),
        5 => out.push_str(&format!("{indent}append(xs, {});\n", expr(r, 1))),
        _ => {
            let v = r.pick(&VARS[..4]);
            out.push_str(&format!("{indent}{v} = {};\n", expr(r, 2)));
        }
    }
}

fn program(seed: u64) -> String {
    let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut src = String::from("let a = 1;\nlet b = 2;\nlet c = 3;\nlet f = 0.5;\nlet s = \"\";\nlet xs = [1, 2, 3, 4];\nlet i = 0;\n");
    src.push_str(&format!("while (i < {}) {{\n", 20 + r.below(60)));
    for _ in 0..r.below(5) + 2 {
        stmt(&mut r, 2, &mut src, "  ");
    }
    src.push_str("  i = i + 1;\n}\nprint(a, b, c, f, len(s), len(xs), xs[0]);\n");
    src
}

#[test]
fn random_loops_agree_with_the_interpreter() {
    let mut compiled = 0;
    let mut failures = Vec::new();
    for seed in 0..1500 {
        let src = program(seed);
        let level = [Level::Full, Level::Basic, Level::None, Level::Detailed][seed as usize % 4];
        let threshold = [1, 1, 2, 7][(seed as usize % 4) ^ ((seed as usize / 4) % 4)];
        let run = |jit: bool| {
            let b = VM::builder()
                .profiling(level)
                .jit(jit)
                .hot_threshold(threshold)
                .superinstructions(seed % 5 != 0)
                .skip_calibration(true);
            let (o, vm) = common::run_source(&src, "<fuzz>", b);
            let counts: Vec<_> = vm
                .as_ref()
                .map(|vm| {
                    vm.profiler()
                        .codes
                        .iter()
                        .map(|c| (c.counts.clone(), c.branches.clone()))
                        .collect()
                })
                .unwrap_or_default();
            let n = vm.map_or(0, |vm| vm.jit_stats().loops_compiled);
            (o, counts, n)
        };
        let (off, off_counts, _) = run(false);
        let (on, on_counts, n) = run(true);
        compiled += n;
        if on != off || on_counts != off_counts {
            failures.push(format!("seed {seed} ({level:?}, threshold {threshold}):\n{src}\noff: {off:?}\non:  {on:?}\ncounts equal: {}", on_counts == off_counts));
        }
    }
    assert!(
        failures.is_empty(),
        "{} programs differ; first:\n{}",
        failures.len(),
        failures[0]
    );
    assert!(compiled > 300, "only {compiled} loops compiled");
}
