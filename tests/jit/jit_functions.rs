//! Whole functions in native code (`jit::func`): pure int functions run natively with native
//! recursion; anything native code cannot finish is run again by the interpreter, so results,
//! errors and BASIC counts are the interpreter's.

use zexus::{compile, Level, VM};

fn vm(jit: bool, level: Level, threshold: u32) -> VM {
    VM::builder()
        .jit(jit)
        .hot_threshold(threshold)
        .profiling(level)
        .capture_output(true)
        .skip_calibration(true)
        .build()
}

/// (output or error, per-code counts, functions compiled, refusal reasons).
fn run(
    src: &str,
    jit: bool,
    level: Level,
    threshold: u32,
) -> (String, Vec<Vec<u64>>, u64, Vec<String>) {
    let bc = compile(src, "t.zx").expect("compiles");
    let mut vm = vm(jit, level, threshold);
    let out = match vm.execute(&bc) {
        Ok(_) => vm.take_output(),
        Err(e) => format!("{}error: {e}", vm.take_output()),
    };
    let counts = vm
        .profiler()
        .codes
        .iter()
        .map(|c| c.counts.clone())
        .collect();
    let st = vm.jit_stats();
    let reasons = st
        .events
        .refusals
        .iter()
        .map(|r| r.reason.clone())
        .collect();
    (out, counts, st.functions_compiled, reasons)
}

/// The same program with the JIT off and on (threshold 1 and 3), at every level: same output
/// or error, same counts, same branch outcomes and predictor misses. Returns the last JIT
/// run's (functions compiled, refusals).
fn same_both_ways(src: &str) -> (u64, Vec<String>) {
    let mut last = (0, Vec::new());
    for level in [Level::None, Level::Basic, Level::Detailed, Level::Full] {
        let (o0, c0, _, _) = run(src, false, level, 1000);
        for threshold in [1, 3] {
            let (o1, c1, f, r) = run(src, true, level, threshold);
            assert_eq!(o1, o0, "output at {level:?}, threshold {threshold}");
            assert_eq!(c1, c0, "counts at {level:?}, threshold {threshold}");
            last = (f, r);
        }
    }
    last
}

#[test]
fn recursive_int_functions_run_natively() {
    let (f, _) = same_both_ways(
        "action fib(n) { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }\n\
         print(fib(20));",
    );
    assert_eq!(f, 1);
}

#[test]
fn functions_calling_compiled_functions_and_returning_bools() {
    let (f, _) = same_both_ways(
        "action even(n) { if (n == 0) { return true; } return odd(n - 1); }\n\
         action odd(n) { if (n == 0) { return false; } return even(n - 1); }\n\
         action sq(x) { return x * x; }\n\
         action sum_sq(n) { let s = 0; let i = 0; while (i < n) { s = s + sq(i); i = i + 1; } return s; }\n\
         let k = 0; let t = 0;\n\
         while (k < 30) { if (odd(k)) { t = t + sum_sq(k); } k = k + 1; }\n\
         print(t, even(10), odd(7));",
    );
    assert!(f >= 2, "{f} functions compiled");
}

#[test]
fn an_overflow_in_native_code_is_raised_by_the_interpreter() {
    let (_, refusals) = same_both_ways(
        "action fact(n) { if (n < 2) { return 1; } return n * fact(n - 1); }\n\
         let i = 1; let s = 0;\n\
         while (i < 30) { s = s + fact(i) % 1000; i = i + 1; }\n\
         print(s);",
    );
    // The first overflow ends the program; the native tree gave up once, silently. (The
    // loop itself, which calls `fact` on every iteration, is not compiled: with counters on,
    // loops do not call compiled functions directly.)
    let functions: Vec<_> = refusals
        .iter()
        .filter(|r| !r.starts_with("every iteration would leave native code"))
        .collect();
    assert!(functions.is_empty(), "{refusals:?}");
}

#[test]
fn functions_that_keep_giving_up_go_back_to_the_interpreter() {
    let (_, refusals) = same_both_ways(
        "action half(n) { return n / 2; }\n\
         let i = 0; let s = 0.0;\n\
         while (i < 20) { s = s + half(2 * i + 1); i = i + 1; }\n\
         print(s);",
    );
    assert!(
        refusals.iter().any(|r| r.contains("gave up")),
        "{refusals:?}"
    );
}

#[test]
fn deep_recursion_fails_the_same_way() {
    let src = "action down(n) { if (n == 0) { return 0; } return down(n - 1) + 1; }\n\
               print(down(500));\nprint(down(50000));";
    same_both_ways(src);
    let (out, _, _, _) = run(src, true, Level::None, 1);
    assert!(
        out.contains("500\n") && out.contains("maximum call depth exceeded"),
        "{out}"
    );
}

#[test]
fn division_by_zero_and_modulo_follow_the_language() {
    same_both_ways(
        "action f(a, b) { return a % b + a / 1 - (-a) % 7; }\n\
         let i = -20; let s = 0;\n\
         while (i < 20) { s = s + f(i, 7) + f(i, -3); i = i + 1; }\n\
         print(s);\nprint(f(3, 0));",
    );
}

#[test]
fn functions_with_effects_or_other_types_are_refused_with_reasons() {
    let (f, refusals) = same_both_ways(
        "action shout(n) { print(n); return n; }\n\
         action name(n) { return \"x\" + n; }\n\
         action mix(n) { if (n > 0) { return 1; } return false; }\n\
         let i = 0;\n\
         while (i < 4) { shout(i); print(name(i), mix(i)); i = i + 1; }",
    );
    assert_eq!(f, 0);
    let all = refusals.join("\n");
    assert!(all.contains("PRINT is not compiled"), "{all}");
    assert!(
        all.contains("constant that is not an int or a bool"),
        "{all}"
    );
    assert!(all.contains("returns both ints and bools"), "{all}");
}

#[test]
fn non_int_arguments_run_interpreted() {
    same_both_ways(
        "action twice(x) { return x + x; }\n\
         let i = 0;\n\
         while (i < 10) { print(twice(i), twice(1.5)); i = i + 1; }",
    );
}

#[test]
fn functions_read_int_globals() {
    same_both_ways(
        "let m = 1000;\n\
         action f(x) { return (x * 37) % m; }\n\
         let i = 0; let s = 0;\n\
         while (i < 100) { s = s + f(i); i = i + 1; }\n\
         m = 7;\n\
         print(s, f(100));",
    );
}

#[test]
fn deep_native_recursion_stays_within_a_small_thread_stack() {
    let out = std::thread::Builder::new()
        .stack_size(512 << 10)
        .spawn(|| {
            let src = "action down(n) { if (n == 0) { return 0; } return down(n - 1) + 1; }\n\
                       print(down(100000));";
            let bc = compile(src, "t.zx").expect("compiles");
            let mut vm = VM::builder()
                .jit(true)
                .hot_threshold(1)
                .max_call_depth(1_000_000)
                .capture_output(true)
                .build();
            vm.execute(&bc).expect("runs");
            vm.take_output()
        })
        .expect("thread")
        .join()
        .expect("no stack overflow");
    assert_eq!(out, "100000\n");
}

#[test]
fn detailed_profiles_time_native_calls_and_call_paths_keep_every_call() {
    let src = "action fib(n) { if (n < 2) { return n; } return fib(n - 1) + fib(n - 2); }\n\
               print(fib(22));";
    let bc = compile(src, "t.zx").expect("compiles");
    let mut counts = Vec::new();
    for paths in [false, true] {
        let mut vm = VM::builder()
            .jit(true)
            .hot_threshold(1)
            .profiling(Level::Detailed)
            .call_paths(paths)
            .skip_calibration(true)
            .capture_output(true)
            .build();
        vm.execute(&bc).expect("runs");
        let fib = vm
            .profiler()
            .codes
            .iter()
            .find(|c| c.name == "fib")
            .unwrap();
        let native: u64 = fib.jit_counts.iter().sum();
        if paths {
            // Flame graphs need every call: nothing ran natively.
            assert_eq!((fib.jit_ticks, native), (0, 0));
        } else {
            assert!(
                fib.jit_ticks > 0 && native > 0,
                "{} {native}",
                fib.jit_ticks
            );
            assert!(native <= fib.counts.iter().sum::<u64>());
        }
        counts.push(fib.counts.clone());
    }
    assert_eq!(counts[0], counts[1]);
}
