//! Every superinstruction's fallback, checked against the unfused instructions.
//!
//! A superinstruction runs only its fast case (ints that do not overflow, lists indexed in
//! range, ...) and otherwise hands over to the original instructions. A fallback that reads the
//! wrong operand, or a fast path that fires for a type it cannot handle, gives an answer the
//! interpreter and the JIT may well share, so it is checked here against the same program run
//! without superinstructions: for each shape (a snippet that compiles to it, asserted below),
//! each operand in turn holds each type that can send the shape to its fallback, from the
//! first iteration of a loop or from the second (after the fast path has run), and the output,
//! the error and the exact profile counts must be those of the unfused run. The JIT at hot
//! threshold 1 must agree too.

use std::collections::BTreeSet;

use crate::{compile, Level, VM};

use super::prepared::{Prepared, F_BEFORE};

/// A shape: the statements that compile to it, and the variables it reads as operands.
struct Shape {
    /// The statements, using `a`, `b`, `c` (operands), `xs` (a list), `r` (a result).
    code: &'static str,
    /// The operands to vary, in turn.
    operands: &'static [&'static str],
}

const fn shape(code: &'static str, operands: &'static [&'static str]) -> Shape {
    Shape { code, operands }
}

const AB: &[&str] = &["a", "b"];
const A: &[&str] = &["a"];
const ABC: &[&str] = &["a", "b", "c"];
const AXS: &[&str] = &["a", "xs"];

/// The shapes. Together they compile to every superinstruction (checked by
/// `the_shapes_cover_every_superinstruction`).
const SHAPES: &[Shape] = &[
    // `x = y OP z`, and the specialised copies for + and -.
    shape("r = a + b", AB),
    shape("r = a - b", AB),
    shape("r = a * b", AB),
    shape("r = a % b", AB),
    shape("r = a / b", AB),
    // `x = y OP k`.
    shape("r = a + 3", A),
    shape("r = a - 3", A),
    shape("r = a * 3", A),
    shape("r = a % 4", A),
    shape("r = a / 2", A),
    // In place: `s = s + t`, `s = s + k` (the in-place string append).
    shape("a = a + b", AB),
    shape("a = a + 1", A),
    shape("a = a - 1", A),
    // Pushing `y OP z` and `y OP k`.
    shape("print(a + b)", AB),
    shape("print(a - b)", AB),
    shape("print(a % b)", AB),
    shape("print(a + 3)", A),
    shape("print(a - 3)", A),
    shape("print(a * 3)", A),
    shape("print(a / 4)", A),
    // top OP k.
    shape("print((a + b) * 2)", AB),
    // With a float constant: `y OP f` pushed, and top OP f.
    shape("print(a * 0.5)", A),
    shape("print(a / 2.5)", A),
    shape("r = (a + b) - 1.5\nprint(r)", AB),
    shape("print((a - b) / 0.25)", AB),
    // Two loads.
    shape("print(a, b)", AB),
    // Compare two slots or a slot and a constant, and branch.
    shape("if (a < b) { print(1) } else { print(2) }", AB),
    shape("if (a > b) { print(1) }", AB),
    shape("if (a <= b) { print(1) }", AB),
    shape("if (a >= b) { print(1) }", AB),
    shape("if (a == b) { print(1) }", AB),
    shape("if (a != b) { print(1) }", AB),
    shape("if (a < 5) { print(1) } else { print(2) }", A),
    // Compare with null and branch; a property of a slot.
    shape("if (a == null) { print(1) } else { print(2) }", A),
    shape("if (a != null) { print(1) }", A),
    shape("print(a.x)", A),
    shape("if (a >= 5) { print(1) }", A),
    shape("if (a == 5) { print(1) }", A),
    // Compare the two top values and branch.
    shape("if (a + b < c * 2) { print(1) }", ABC),
    // `LOAD z; OP` on the top; with a store.
    shape("print(-a + b)", AB),
    shape("r = -a * b", AB),
    // `LOAD_CONST k; OP; STORE`.
    shape("r = -a + 3", A),
    // `LOAD_CONST k; LOAD y; OP`.
    shape("print(3 - a)", A),
    shape("print(10 % a)", A),
    // `LOAD_CONST k; CMP; JUMP_IF_FALSE` on the top.
    shape("if (-a < 3) { print(1) }", A),
    // Moves: one, and two in a row.
    shape("r = a\nprint(r)", A),
    shape("r = a\nc = b\nprint(r, c)", AB),
    // top OP2 (y OP z).
    shape("print(c + a * b)", ABC),
    shape("print(c - a % b)", ABC),
    // Indexing: push, branch on, store a constant.
    shape("print(xs[a])", AXS),
    shape("if (xs[a]) { print(1) } else { print(2) }", AXS),
    shape("xs[a] = 5\nprint(xs)", AXS),
    shape("xs[a] = true\nprint(xs)", AXS),
    // `append` statements: of a name, of a constant, of any value.
    shape("append(xs, a)\nprint(len(xs))", AXS),
    shape("append(xs, 7)\nprint(len(xs))", &["xs"]),
    shape("append(xs, a * 2)\nprint(len(xs))", AXS),
    // `t = (y OP z) OP2 w`.
    shape("r = (a + b) % c", ABC),
    shape("r = a * b + c", ABC),
    // `if (y OP k CMP k2)`.
    shape("if (a % 2 == 0) { print(1) }", A),
    shape("if (a + 1 < 7) { print(1) }", A),
    // Loops: the back edge to a compare-and-branch header (slot or constant bound), with the
    // counter's step fused into it or not, for `<` and another comparison.
    shape(LOOP_LT_SLOT, AB),
    shape(LOOP_LT_CONST, A),
    shape(LOOP_LTE_SLOT, AB),
    shape(LOOP_NEQ_CONST, A),
    shape(LOOP_LT_SLOT_PRINT, AB),
    shape(LOOP_LT_CONST_PRINT, A),
    shape(LOOP_GT_SLOT_DOWN, AB),
    shape(LOOP_GT_CONST_DOWN, A),
];

// The loop shapes stop after 20 iterations whatever the operands (`g`), so that a bound of
// `i64::MAX` or a counter that never meets `!= 9` ends; the step stays the body's last
// statement where the step is to fuse with the back edge.
const LOOP_LT_SLOT: &str =
    "let j = a\nlet g = 0\nwhile (j < b) { g = g + 1\nif (g > 20) { break }\nj = j + 1 }\nprint(j)";
const LOOP_LT_CONST: &str =
    "let j = a\nlet g = 0\nwhile (j < 9) { g = g + 1\nif (g > 20) { break }\nj = j + 1 }\nprint(j)";
const LOOP_LTE_SLOT: &str =
    "let j = a\nlet g = 0\nwhile (j <= b) { g = g + 1\nif (g > 20) { break }\nj = j + 1 }\nprint(j)";
const LOOP_NEQ_CONST: &str =
    "let j = a\nlet g = 0\nwhile (j != 9) { g = g + 1\nif (g > 20) { break }\nj = j + 1 }\nprint(j)";
const LOOP_LT_SLOT_PRINT: &str =
    "let j = a\nlet g = 0\nwhile (j < b) { g = g + 1\nif (g > 20) { break }\nj = j + 1\nprint(j) }";
const LOOP_LT_CONST_PRINT: &str =
    "let j = a\nlet g = 0\nwhile (j < 9) { g = g + 1\nif (g > 20) { break }\nj = j + 1\nprint(j) }";
const LOOP_GT_SLOT_DOWN: &str =
    "let j = a\nlet g = 0\nwhile (j > b) { g = g + 1\nif (g > 20) { break }\nj = j - 1\nprint(j) }";
const LOOP_GT_CONST_DOWN: &str =
    "let j = a\nlet g = 0\nwhile (j > 0) { g = g + 1\nif (g > 20) { break }\nj = j - 1\nprint(j) }";

/// The values each operand takes in turn: every type, and the ints that send an int fast
/// path to its fallback (overflow, zero, negative operands).
const VALUES: &[&str] = &[
    "9223372036854775807",
    "-9223372036854775807 - 1",
    "0",
    "-7",
    "2.5",
    "-0.0",
    "\"s\"",
    "\"\"",
    "true",
    "false",
    "null",
    "[1, 2]",
    "[true, false]",
    "{\"k\": 1}",
];

/// The program: `operand` takes `value` at loop iteration `at` (0: before the fast path ever
/// ran; 1: after it ran on ints).
fn program(s: &Shape, operand: &str, value: &str, at: u32) -> String {
    format!(
        "let a = 6\nlet b = 4\nlet c = 3\nlet xs = [1, 0, 1, 0, 1, 0, 1, 0]\nlet r = 0\n\
         let i = 0\nwhile (i < 3) {{\nif (i == {at}) {{ {operand} = {value} }}\n{}\nprint(r)\n\
         i = i + 1\n}}\nprint(a, b, c, r)\n",
        s.code
    )
}

/// Output, error and exact BASIC counts of one run.
fn run(src: &str, fuse: bool, jit: bool) -> (String, Option<String>, Vec<String>) {
    let bc = compile(src, "<shape>").expect("the shape compiles");
    let mut vm = VM::builder()
        .superinstructions(fuse)
        .jit(jit)
        .hot_threshold(1)
        .profiling(Level::Basic)
        .skip_calibration(true)
        .capture_output(true)
        .build();
    let err = vm.execute(&bc).err().map(|e| e.to_string());
    (
        vm.take_output(),
        err,
        crate::reference::diff::profile_counts(vm.profiler()).0,
    )
}

/// The superinstructions `src` compiles to.
fn superinstructions_of(src: &str) -> BTreeSet<u8> {
    let bc = compile(src, "<shape>").expect("the shape compiles");
    let p = Prepared::new(&bc, true);
    p.codes
        .iter()
        .flat_map(|c| c.code[..c.half].iter().map(|x| x.op))
        .filter(|&op| op > F_BEFORE)
        .collect()
}

#[test]
fn the_shapes_cover_every_superinstruction() {
    let mut seen = BTreeSet::new();
    for s in SHAPES {
        let ops = superinstructions_of(&program(s, s.operands[0], "6", 1));
        assert!(!ops.is_empty(), "{:?} fuses to nothing", s.code);
        seen.extend(ops);
    }
    let missing: Vec<u8> = (F_BEFORE + 1..=u8::MAX)
        .filter(|op| !seen.contains(op))
        .collect();
    assert!(
        missing.is_empty(),
        "no shape compiles to superinstructions {missing:?}: add one to SHAPES"
    );
}

#[test]
fn every_fallback_matches_the_unfused_instructions() {
    let mut failures = Vec::new();
    let mut runs = 0;
    for s in SHAPES {
        for &operand in s.operands {
            for &value in VALUES {
                for at in [0, 1] {
                    let src = program(s, operand, value, at);
                    let want = run(&src, false, false);
                    for (fuse, jit) in [(true, false), (true, true)] {
                        runs += 1;
                        let got = run(&src, fuse, jit);
                        if got != want {
                            failures.push(format!(
                                "--- {} = {value} at iteration {at}, jit {jit}\n{src}\n\
                                 unfused: {want:?}\ngot:     {got:?}",
                                operand
                            ));
                        }
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {runs} runs differ from the unfused instructions:\n{}",
        failures.len(),
        failures
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
