//! A fixed-seed batch of the differential campaign (`examples/differential.rs`): 2,000 random
//! programs (`zexus::reference::gen`) run in the reference evaluator and in every VM
//! configuration (`zexus::reference::diff`); each disagreement is shrunk and reported.

use zexus::reference::{diff, gen, run, shrink};

/// Checks programs `seeds`. Failures are not shrunk here (a shrink reruns every check
/// hundreds of times): the campaign command shrinks one with `--seed S --programs 1`.
fn failures(seeds: std::ops::Range<u64>) -> Vec<String> {
    let mut out = Vec::new();
    for seed in seeds {
        let src = gen::program(seed);
        if let Err(problem) = diff::check(&src) {
            out.push(format!(
                "seed {seed} (shrink it: cargo run --release --example differential -- \
                 --seed {seed} --programs 1):\n{problem}\n{src}"
            ));
        }
    }
    out
}

#[test]
fn two_thousand_random_programs_agree_with_the_reference() {
    // Two halves on two threads (the VM and its values stay on the thread that made them).
    let half = std::thread::spawn(|| failures(1000..2000));
    let mut all = failures(0..1000);
    all.extend(half.join().expect("the second half runs"));
    assert!(
        all.is_empty(),
        "{} of 2000 programs disagree; the first:\n{}",
        all.len(),
        all[0]
    );
}

/// Whether a loop header of `src` runs at least 57 times (the generator's outer loops run 60
/// to 200 times, `range(-3, n - 3)` included; nested ones fewer than 6).
fn has_long_loop(src: &str) -> bool {
    src.lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("for each") || l.starts_with("while"))
        .any(|l| {
            l.split(|c: char| !c.is_ascii_digit())
                .filter_map(|d| d.parse::<u64>().ok())
                .any(|n| n >= 57)
        })
}

#[test]
fn the_programs_cover_errors_and_long_loops() {
    let (mut errors, mut long, mut modules) = (0, 0, 0);
    for seed in 0..200u64 {
        let src = gen::program(seed);
        assert!(zexus::compile(&src, "<gen>").is_ok(), "seed {seed}:\n{src}");
        let out = run(&src);
        errors += usize::from(out.error.is_some());
        long += usize::from(has_long_loop(&src));
        modules += usize::from(src.contains("module m") && src.contains(".mf"));
    }
    // A third of the programs have a module block, and about 9% call its function (91 of
    // seeds 0-999): 19 of these 200.
    assert!(
        modules >= 10,
        "only {modules} of 200 programs use a module block"
    );
    assert!(
        (20..=120).contains(&errors),
        "{errors} of 200 programs fail"
    );
    assert!(long > 100, "only {long} of 200 programs have a long loop");
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
