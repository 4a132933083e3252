//! Errors in functions that builtins call (`map` and the like run them in a nested run of the
//! VM's loop): a try inside the function catches there, a try around the builtin's call catches
//! what the function lets through, and the profile stays exact either way: each function's
//! counts are those of calling it directly, the caller's stop at the builtin's call, and the
//! call paths return to the catching function.

use zexus::{compile, Format, Level, VM};

/// A function that throws for 2 and returns `x + 1` otherwise.
const F: &str = "action f(x) {\n let y = x + 1\n if (x == 2) {\n  throw \"no\"\n }\n return y\n}\n";

/// `f` caught inside a callback: `g` calls it in a try.
const G: &str = "action g(x) {\n try {\n  return f(x)\n } catch (e) {\n  return 0\n }\n}\n";

/// Runs `src` at `level` (JIT on or off) and gives its output, every code object's counts
/// by name, and its folded stacks.
fn profile(src: &str, level: Level, jit: bool) -> (String, Vec<(String, Vec<u64>)>, String) {
    let bc = compile(src, "<t>").unwrap();
    let mut vm = VM::builder()
        .profiling(level)
        .jit(jit)
        .hot_threshold(5)
        .call_paths(true)
        .capture_output(true)
        .skip_calibration(true)
        .build();
    vm.execute(&bc).unwrap();
    let counts = vm
        .profiler()
        .codes
        .iter()
        .map(|c| (c.name.clone(), c.counts.clone()))
        .collect();
    let folded = vm.profiling_report(Format::Folded, 20);
    (vm.take_output(), counts, folded)
}

fn counts_of<'a>(counts: &'a [(String, Vec<u64>)], name: &str) -> &'a [u64] {
    &counts.iter().find(|c| c.0 == name).expect("profiled").1
}

#[test]
fn an_error_caught_around_map_leaves_exact_counts_and_call_paths() {
    let body = |call: &str| {
        format!("{F}let n = 0\ntry {{\n n = n + 1\n {call}\n n = n + 100\n}} catch (e) {{\n n = n + 10\n}}\nprint(n)\n")
    };
    let via_map = body("let r = map([1, 2, 3], f)");
    let direct = body("f(1)\n f(2)");
    for level in [Level::Basic, Level::Full] {
        for jit in [false, true] {
            let (out, counts, folded) = profile(&via_map, level, jit);
            assert_eq!(out, "11\n");
            let (_, want, _) = profile(&direct, level, jit);
            assert_eq!(counts_of(&counts, "f"), counts_of(&want, "f"), "{level:?}");
            // The program ran once up to the map call and from the handler on.
            let bc = compile(&via_map, "<t>").unwrap();
            let main = bc.main();
            let call = main
                .instrs
                .iter()
                .position(|i| i.op == zexus::bytecode::Op::CALL_BUILTIN)
                .unwrap();
            let handler = main.handlers[0].target as usize;
            let expected: Vec<u64> = (0..main.instrs.len())
                .map(|ip| u64::from(!(call < ip && ip < handler)))
                .collect();
            assert_eq!(counts_of(&counts, "<main>"), &expected[..], "{level:?}");
            if level == Level::Basic {
                // Executed instructions per call path: after the catch, the program's own.
                let ran: u64 = expected.iter().sum();
                assert_eq!(folded, format!("<main> {ran}\n<main>;f 20\n"));
            }
        }
    }
}

#[test]
fn an_error_caught_inside_the_callback_lets_map_go_on() {
    let via_map = format!("{F}{G}print(map([1, 2, 3], g))\n");
    let direct = format!("{F}{G}print([g(1), g(2), g(3)])\n");
    for level in [Level::Basic, Level::Full] {
        for jit in [false, true] {
            let (out, counts, _) = profile(&via_map, level, jit);
            assert_eq!(out, "[2, 0, 4]\n");
            let (_, want, _) = profile(&direct, level, jit);
            for name in ["f", "g"] {
                assert_eq!(counts_of(&counts, name), counts_of(&want, name), "{name}");
            }
        }
    }
}

#[test]
fn an_error_leaves_nested_maps_in_hot_loops_with_the_counts_of_direct_calls() {
    // `h` maps `f` itself; the error passes through two nested runs to the loop's try.
    let h = "action h(xs) {\n return map(xs, f)\n}\n";
    let body = |call: &str| {
        format!("{F}{h}let n = 0\nlet i = 0\nwhile (i < 40) {{\n i = i + 1\n try {{\n  {call}\n }} catch (e) {{\n  n = n + 1\n }}\n}}\nprint(n)\n")
    };
    let via_map = body("map([[1], [i % 3]], h)");
    let direct = body("h([1])\n  h([i % 3])");
    for level in [Level::Basic, Level::Full] {
        for jit in [false, true] {
            let (out, counts, _) = profile(&via_map, level, jit);
            assert_eq!(out, "13\n");
            let (_, want, _) = profile(&direct, level, jit);
            for name in ["f", "h"] {
                assert_eq!(counts_of(&counts, name), counts_of(&want, name), "{name}");
            }
        }
    }
}
