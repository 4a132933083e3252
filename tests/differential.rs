//! A fixed-seed batch of the differential campaign (`examples/differential.rs`): 2,000 random
//! programs (`zexus::reference::gen`) run in the reference evaluator and in every VM
//! configuration (`zexus::reference::diff`); each disagreement is shrunk and reported.

use zexus::reference::{diff, gen, run, shrink};

/// A known JIT bug, not yet fixed: a `while` loop whose body ends in `if c { continue }`,
/// compiled at FULL, panics (`expect("derived")` in `vm/tier.rs`: the loop's exit-test branch
/// has no derived count). Shrunk:
///
/// ```text
/// let k = 0
/// while (k < 2) {
///     k = (k + 1)
///     print(null)
///     if true { continue }
/// }
/// ```
///
/// A failure is this bug when every difference is a JIT run at FULL that panicked this way
/// (its output and counts are then missing).
fn is_known_jit_continue_bug(problem: &str) -> bool {
    problem.contains("panicked: derived")
        && problem.lines().all(|l| {
            l.contains("at Full")
                && (l.contains("panicked: derived")
                    || l.contains("output line 1 is None")
                    || l.contains("profile counts of"))
        })
}

/// Checks programs `seeds`, shrinking each failure; also counts the known bug's programs.
fn failures(seeds: std::ops::Range<u64>) -> (Vec<String>, usize) {
    let mut out = Vec::new();
    let mut known = 0;
    for seed in seeds {
        let src = gen::program(seed);
        if let Err(problem) = diff::check(&src) {
            if is_known_jit_continue_bug(&problem) {
                known += 1;
                continue;
            }
            let small = shrink::shrink(&src, |p| diff::check(p).is_err());
            out.push(format!("seed {seed}: {problem}\nshrunk:\n{small}"));
        }
    }
    (out, known)
}

#[test]
#[ignore = "takes minutes on a loaded 2-core machine; run with --ignored (see the report)"]
fn two_thousand_random_programs_agree_with_the_reference() {
    // Two halves on two threads (the VM and its values stay on the thread that made them).
    let half = std::thread::spawn(|| failures(1000..2000));
    let (mut all, mut known) = failures(0..1000);
    let (rest, k) = half.join().expect("the second half runs");
    all.extend(rest);
    known += k;
    assert!(
        all.is_empty(),
        "{} of 2000 programs disagree; the first:\n{}",
        all.len(),
        all[0]
    );
    // When the known JIT bug is fixed, this fails: remove the exemption above.
    assert!(
        known > 0,
        "the known JIT `continue` bug no longer shows: drop its exemption"
    );
}

#[test]
fn the_programs_cover_errors_and_long_loops() {
    let (mut errors, mut long) = (0, 0);
    for seed in 0..200u64 {
        let src = gen::program(seed);
        assert!(zexus::compile(&src, "<gen>").is_ok(), "seed {seed}:\n{src}");
        let out = run(&src);
        errors += usize::from(out.error.is_some());
        long += usize::from(src.contains("range(6") || src.contains("< 1"));
    }
    assert!(
        (20..=120).contains(&errors),
        "{errors} of 200 programs fail"
    );
    assert!(long > 50, "only {long} of 200 programs have a long loop");
}

#[test]
fn a_disagreement_is_found_and_shrunk() {
    // A stand-in for a VM bug: the check "fails" when the program prints 3 anywhere.
    let src =
        "let k = 1\nlet b = 2\nprint(k)\nwhile (k < 3) {\n    k = (k + 1)\n}\nprint((k + 0))\n";
    let small = shrink::shrink(src, |p| run(p).output.iter().any(|l| l == "3"));
    assert_eq!(
        small,
        "let k = 0\nwhile (k < 3) {\n    k = (k + 1)\n}\nprint(k)\n"
    );
}
