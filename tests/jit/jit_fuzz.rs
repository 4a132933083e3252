//! Random loops (a fixed seed, so runs are reproducible): ints near overflow, floats, bools,
//! strings, lists, division and modulo by values that reach zero, type changes, nested loops
//! and prints; and loops over lists of bools (stored one byte each) that widen now and then.
//! Each program runs with the JIT off and on (loops compiled after 1 to 7 back
//! edges), at every profiling level: output, errors and every count must be identical.

use crate::common;

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

/// Runs `src` with the JIT off and on: a description of any difference in output, errors,
/// per-ip counts and branch stats (and calls, with `calls`), and the JIT run's stats.
fn differ(
    src: &str,
    level: Level,
    threshold: u32,
    superinstructions: bool,
    calls: bool,
) -> (Option<String>, zexus::jit::JitStats) {
    let run = |jit: bool| {
        let b = VM::builder()
            .profiling(level)
            .jit(jit)
            .hot_threshold(threshold)
            .superinstructions(superinstructions)
            .skip_calibration(true);
        let (o, vm) = common::run_source(src, "<fuzz>", b);
        let counts: Vec<_> = vm
            .as_ref()
            .map(|vm| {
                vm.profiler()
                    .codes
                    .iter()
                    .map(|c| {
                        (
                            c.counts.clone(),
                            c.branches.clone(),
                            calls.then_some(c.calls),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        (o, counts, vm.map(|vm| vm.jit_stats()).unwrap_or_default())
    };
    let (off, off_counts, _) = run(false);
    let (on, on_counts, stats) = run(true);
    let failure = (on != off || on_counts != off_counts).then(|| {
        format!(
            "({level:?}, threshold {threshold}):\n{src}\noff: {off:?}\non:  {on:?}\ncounts equal: {}",
            on_counts == off_counts
        )
    });
    (failure, stats)
}

/// How one seed's program runs: (level, hot threshold, superinstructions).
type Setup = fn(u64) -> (Level, u32, bool);

/// Runs the programs of `seeds` with the JIT off and on, each as `setup` says, and requires
/// no difference and more than `min` compiled loops or functions (`compiled` counts them).
fn all_agree(
    seeds: std::ops::Range<u64>,
    program: fn(u64) -> String,
    setup: Setup,
    calls: bool,
    compiled: fn(&zexus::jit::JitStats) -> u64,
    min: u64,
) {
    let mut total = 0;
    let mut failures = Vec::new();
    for seed in seeds {
        let src = program(seed);
        let (level, threshold, superinstructions) = setup(seed);
        let (failure, stats) = differ(&src, level, threshold, superinstructions, calls);
        total += compiled(&stats);
        failures.extend(failure.map(|f| format!("seed {seed}: {f}")));
    }
    assert!(
        failures.is_empty(),
        "{} programs differ; first:\n{}",
        failures.len(),
        failures[0]
    );
    assert!(total > min, "only {total} compiled");
}

#[test]
fn random_loops_agree_with_the_interpreter() {
    all_agree(
        0..1500,
        program,
        |seed| {
            let level = [Level::Full, Level::Basic, Level::None, Level::Detailed];
            let threshold = [1, 1, 2, 7][(seed as usize % 4) ^ ((seed as usize / 4) % 4)];
            (level[seed as usize % 4], threshold, seed % 5 != 0)
        },
        false,
        |s| s.loops_compiled,
        300,
    );
}

/// An int expression over `vars` (and calls of `callees`, each `(name, arity)`).
fn int_expr(r: &mut Rng, depth: u32, vars: &[&str], callees: &[(&str, usize)]) -> String {
    if depth == 0 || r.below(3) == 0 {
        return match r.below(6) {
            0 => format!("{}", r.below(9) as i64 - 4),
            1 => "3037000499".to_string(),
            2 => "g".to_string(),
            _ => r.pick(vars).to_string(),
        };
    }
    if !callees.is_empty() && r.below(5) == 0 {
        let (name, arity) = callees[r.below(callees.len() as u64) as usize];
        let args: Vec<String> = (0..arity)
            .map(|_| int_expr(r, depth - 1, vars, &[]))
            .collect();
        return format!("{name}({})", args.join(", "));
    }
    let op = r.pick(&["+", "-", "*", "/", "%", "+", "-"]);
    let left = int_expr(r, depth - 1, vars, callees);
    // Divisors are mostly nonzero constants, so that most programs run to the end (and
    // some still divide by zero, or with a remainder).
    let right = if matches!(op, "/" | "%") && r.below(4) != 0 {
        r.pick(&["2", "3", "7", "-4", "1000"]).to_string()
    } else {
        int_expr(r, depth - 1, vars, callees)
    };
    format!("({left} {op} {right})")
}

/// A program of random int functions (recursive ones guarded by `x > 0`, some returning
/// bools, some using a float and so never compiled) called from a loop.
fn function_program(seed: u64) -> String {
    let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut src = format!("let g = {};\n", r.below(20) as i64 - 5);
    let mut callees: Vec<(String, usize)> = Vec::new();
    for k in 0..3 {
        let name = format!("f{k}");
        let arity = 1 + r.below(2) as usize;
        let params: Vec<&str> = ["x", "y"][..arity].to_vec();
        let known: Vec<(&str, usize)> = callees.iter().map(|(n, a)| (n.as_str(), *a)).collect();
        let mut body = String::new();
        body.push_str(&format!(
            "  let t = {};\n",
            int_expr(&mut r, 2, &params, &known)
        ));
        let mut vars = params.clone();
        vars.push("t");
        if r.below(2) == 0 {
            // Recursion on x, guarded.
            let rec_args: Vec<String> = (0..arity)
                .map(|j| {
                    if j == 0 {
                        "x - 1".to_string()
                    } else {
                        int_expr(&mut r, 1, &vars, &[])
                    }
                })
                .collect();
            body.push_str(&format!(
                "  if (x > 0 && x < 60) {{ t = t + {name}({}) % 1000; }}\n",
                rec_args.join(", ")
            ));
        }
        if r.below(3) == 0 {
            body.push_str(&format!(
                "  if ({} > {}) {{ return t; }}\n",
                r.pick(&vars),
                int_expr(&mut r, 1, &vars, &known)
            ));
        }
        if r.below(8) == 0 {
            body.push_str("  t = t + 0.5;\n");
        }
        let ret = if r.below(5) == 0 {
            format!("t > {}", int_expr(&mut r, 1, &vars, &[]))
        } else {
            int_expr(&mut r, 2, &vars, &known)
        };
        body.push_str(&format!("  return {ret};\n"));
        src.push_str(&format!(
            "action {name}({}) {{\n{body}}}\n",
            params.join(", ")
        ));
        callees.push((name, arity));
    }
    src.push_str(&format!(
        "let i = 0;\nlet s = 0;\nwhile (i < {}) {{\n",
        10 + r.below(40)
    ));
    for (name, arity) in &callees {
        let args: Vec<String> = (0..*arity)
            .map(|j| {
                if j == 0 {
                    "i % 9".to_string()
                } else {
                    format!("i - {}", r.below(5))
                }
            })
            .collect();
        src.push_str(&format!("  print({name}({}));\n", args.join(", ")));
    }
    src.push_str("  i = i + 1;\n}\n");
    src
}

#[test]
fn random_functions_agree_with_the_interpreter() {
    all_agree(
        0..400,
        function_program,
        |seed| {
            let level = [Level::None, Level::Basic, Level::Full, Level::Detailed];
            (level[seed as usize % 4], [1, 2, 7][seed as usize % 3], true)
        },
        true,
        |s| s.functions_compiled,
        200,
    );
}

/// A loop over a list that starts as bools (stored one byte each) or empty: stores, appends
/// and pops of bools, with now and then an int or a string that widens it, reads that drive
/// branches, and prints of elements and of the whole list.
fn bool_list_program(seed: u64) -> String {
    let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let start = r.pick(&["[true, false, true, false]", "[]", "[false]", "[1, true]"]);
    let mut src = format!("let fl = {start};\nlet n = 0;\nlet i = 0;\n");
    src.push_str(&format!("while (i < {}) {{\n", 20 + r.below(80)));
    let value = |r: &mut Rng| -> String {
        match r.below(12) {
            0 => "i".to_string(),
            1 => "\"s\"".to_string(),
            2 | 3 => "(i % 3 == 0)".to_string(),
            4 => "fl[0]".to_string(),
            _ => r
                .pick(&["true", "false", "(n > 2)", "!(i < 5)"])
                .to_string(),
        }
    };
    for _ in 0..r.below(5) + 2 {
        let line = match r.below(7) {
            0 => format!("  append(fl, {});\n", value(&mut r)),
            1 => format!(
                "  if (len(fl) > 0) {{\n    fl[i % len(fl)] = {};\n  }}\n",
                value(&mut r)
            ),
            2 => "  if (len(fl) > 2) {\n    fl.pop();\n  }\n".to_string(),
            3 => "  if (len(fl) > 0) {\n    if (fl[i % len(fl)]) {\n      n = n + 1;\n    }\n  }\n"
                .to_string(),
            4 if r.below(3) == 0 => "  if (len(fl) > 1) {\n    print(fl[1]);\n  }\n".to_string(),
            5 => format!("  append(fl, {});\n  append(fl, true);\n", value(&mut r)),
            _ => "  if (len(fl) > 0) {\n    fl[len(fl) - 1] = !fl[0];\n  }\n".to_string(),
        };
        src.push_str(&line);
    }
    src.push_str("  i = i + 1;\n}\nprint(n, len(fl), fl == fl + [], fl);\n");
    src
}

#[test]
fn random_bool_lists_agree_with_the_interpreter() {
    all_agree(
        0..600,
        bool_list_program,
        |seed| {
            let level = [Level::None, Level::Basic, Level::Detailed, Level::Full];
            (
                level[seed as usize % 4],
                [1, 2, 7][seed as usize % 3],
                seed % 3 != 0,
            )
        },
        false,
        |s| s.loops_compiled,
        300,
    );
}
