//! Kinds of code rather than programs (issue 13): each shape the "fast on programs it was not
//! tuned for" issue names, small enough to see what it measures, in both tiers. Compare the
//! two tiers of one shape, and a shape before and after a change, never absolute times:
//! `cargo bench --bench shapes -- float_loop` (criterion's filter), or
//! `cargo bench --bench shapes -- --test` to run each once as a check.
//!
//! Sizes are such that each runs 20-400 ms interpreted, so the JIT's compile time (about 1-2 ms
//! a loop) is a small part of its time, as in real programs.
//!
//! - `float_loop` / `int_loop`: the same recurrence over floats and over ints;
//! - `call_float` / `call_int`: a loop calling a two-argument function that returns a float,
//!   and the same over ints;
//! - `alloc_list`: a list allocated in every iteration;
//! - `float_lists`: n-body style float arithmetic on list elements read and written;
//! - `string_build`: `s = s + x` appending to a string nobody else holds;
//! - `fields`: field reads and writes on a contract's instances, and a method call;
//! - `map_keys`: map reads and writes with string keys.

use criterion::{criterion_group, criterion_main, Criterion};
use zexus::{compile, Bytecode, VM};

/// (name, source): each prints one line, checked against the interpreter's on the first run.
const SHAPES: &[(&str, &str)] = &[
    (
        "float_loop",
        "let x = 1.0\nlet y = 0.0\nlet i = 0\n\
         while (i < 2000000) { x = x * 0.5 + 1.0; y = y + x * x; i = i + 1 }\nprint(y)\n",
    ),
    (
        "int_loop",
        "let x = 1\nlet y = 0\nlet i = 0\n\
         while (i < 2000000) { x = (x * 3 + 1) % 1000; y = y + x; i = i + 1 }\nprint(y)\n",
    ),
    (
        "call_float",
        "action f(a, b) { return a * 0.5 + b }\nlet s = 0.0\nlet i = 0\n\
         while (i < 1000000) { s = f(s, 1.0); i = i + 1 }\nprint(s)\n",
    ),
    (
        "call_int",
        "action f(a, b) { return (a + b) % 1000 }\nlet s = 0\nlet i = 0\n\
         while (i < 1000000) { s = f(s, i); i = i + 1 }\nprint(s)\n",
    ),
    (
        "alloc_list",
        "let n = 0\nlet i = 0\n\
         while (i < 500000) { let v = [i, i + 1, i + 2]; n = n + v[1]; i = i + 1 }\nprint(n)\n",
    ),
    (
        "float_lists",
        "let px = [0.0, 1.0, 2.0, 3.0, 4.0]\nlet vx = [0.1, 0.2, 0.3, 0.4, 0.5]\nlet step = 0\n\
         while (step < 50000) {\n let i = 0\n while (i < 5) {\n  let j = i + 1\n  while (j < 5) {\n   \
         let d = px[i] - px[j]\n   let m = 0.001 / (d * d + 0.01)\n   vx[i] = vx[i] - d * m\n   \
         vx[j] = vx[j] + d * m\n   j = j + 1\n  }\n  i = i + 1\n }\n i = 0\n \
         while (i < 5) { px[i] = px[i] + 0.01 * vx[i]; i = i + 1 }\n step = step + 1\n}\n\
         print(px[0])\n",
    ),
    (
        "string_build",
        "let s = \"\"\nlet i = 0\nwhile (i < 500000) { s = s + \"ab\"; i = i + 1 }\nprint(len(s))\n",
    ),
    (
        "fields",
        "contract P {\n state x = 0\n state y = 0\n action move(d) { this.x = this.x + d\n \
         this.y = this.y + this.x % 7 }\n}\nlet p = P()\nlet i = 0\n\
         while (i < 500000) { p.move(1); p.x = p.x + 1; i = i + 1 }\nprint(p.y)\n",
    ),
    (
        "map_keys",
        "let m = {\"a\": 1, \"b\": 2, \"c\": 3}\nlet i = 0\n\
         while (i < 1000000) { m[\"a\"] = m[\"b\"] + m[\"c\"] % 7; m[\"b\"] = m[\"a\"] % 11; i = i + 1 }\n\
         print(m[\"a\"])\n",
    ),
];

/// Runs `bc` once in a fresh VM of the given tier; returns its output.
fn run(bc: &Bytecode, jit: bool) -> String {
    let mut vm = VM::builder().jit(jit).capture_output(true).build();
    vm.execute(bc).expect("the shape runs");
    vm.take_output()
}

fn shapes(c: &mut Criterion) {
    let mut g = c.benchmark_group("shapes");
    g.sample_size(10);
    for (name, src) in SHAPES {
        let bc = compile(src, name).expect("the shape compiles");
        let expected = run(&bc, false);
        assert_eq!(run(&bc, true), expected, "{name}: the tiers differ");
        for (tier, jit) in [("interp", false), ("jit", true)] {
            g.bench_function(format!("{name}/{tier}"), |b| {
                b.iter(|| run(&bc, jit));
            });
        }
    }
    g.finish();
}

criterion_group!(benches, shapes);
criterion_main!(benches);
