//! `zx` limits (exit 70, the limit named, the profile still reported), options checked before
//! anything runs (exit 64, the option named), and folded traces.

use std::process::{Command, Output, Stdio};

fn zx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_zx"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("zx runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn script(name: &str, src: &str) -> String {
    let dir = std::env::temp_dir().join(format!("zx-cli-limits-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let p = dir.join(name);
    std::fs::write(&p, src).unwrap();
    p.display().to_string()
}

#[test]
fn each_limit_ends_the_run_with_exit_70_naming_it() {
    let spin = script("spin.zx", "let i = 0\nwhile (true) { i = i + 1 }\n");
    let grow = script(
        "grow.zx",
        "let l = []\nwhile (true) { l.push(\"ab\" + \"cd\") }\n",
    );
    let deep = script("deep.zx", "action f(n) { return f(n + 1) }\nf(0)\n");
    for tier in ["--jit", "--no-jit"] {
        for (args, file, needle) in [
            (
                &["--max-instructions", "100000"][..],
                &spin,
                "--max-instructions",
            ),
            (&["--timeout", "0.2"][..], &spin, "--timeout"),
            (&["--max-heap", "4M"][..], &grow, "--max-heap"),
            (
                &["--max-call-depth", "50"][..],
                &deep,
                "maximum call depth exceeded",
            ),
        ] {
            let mut all = vec!["run", tier];
            all.extend_from_slice(args);
            all.push(file);
            let out = zx(&all);
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(70), "{all:?}: {err}");
            assert!(err.contains(needle), "{all:?}: {err}");
        }
    }
}

#[test]
fn a_limited_profile_still_reports_what_ran() {
    let spin = script("spin2.zx", "let i = 0\nwhile (true) { i = i + 1 }\n");
    for tier in ["--jit", "--no-jit"] {
        let out = zx(&[
            "profile",
            tier,
            "--level",
            "basic",
            "--format",
            "json",
            "--max-instructions",
            "50000",
            &spin,
        ]);
        assert_eq!(out.status.code(), Some(70));
        assert!(text(&out.stderr).contains("instruction limit"));
        let report = text(&out.stdout);
        assert!(report.contains("total_instructions"), "{report}");
        assert!(
            report.contains("instruction limit"),
            "the run's error is in the report"
        );
    }
}

#[test]
fn bad_options_exit_64_naming_the_option_before_anything_runs() {
    let marker = std::env::temp_dir().join(format!("zx-cli-ran-{}", std::process::id()));
    let _ = std::fs::remove_file(&marker);
    // The program would print if it ran: nothing may be printed.
    let prog = script("hello.zx", "print(\"ran\")\n");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["bench", "--runs", "0", &prog], "--runs"),
        (vec!["bench", "--runs", "-3", &prog], "--runs"),
        (vec!["bench", "--sample-rate", "0", &prog], "--sample-rate"),
        (
            vec!["profile", "--sample-rate", "0", &prog],
            "--sample-rate",
        ),
        (
            vec!["profile", "--sample-rate", "-1", &prog],
            "--sample-rate",
        ),
        (vec!["profile", "--top", "0", &prog], "--top"),
        (vec!["run", "--jit", "--no-jit", &prog], "--jit"),
        (vec!["profile", "--no-jit", "--jit", &prog], "--jit"),
        (
            vec!["profile", "-o", "/nonexistent-dir/r.html", &prog],
            "-o /nonexistent-dir/r.html",
        ),
        (
            vec!["run", "--hot-threshold", "0", &prog],
            "--hot-threshold",
        ),
        (
            vec!["run", "--max-instructions", "0", &prog],
            "--max-instructions",
        ),
        (
            vec!["run", "--max-instructions", "-7", &prog],
            "--max-instructions",
        ),
        (vec!["run", "--timeout", "0", &prog], "--timeout"),
        (vec!["run", "--timeout", "-2", &prog], "--timeout"),
        (vec!["run", "--max-heap", "0", &prog], "--max-heap"),
        (vec!["run", "--max-heap", "12Q", &prog], "--max-heap"),
        (
            vec!["run", "--max-call-depth", "0", &prog],
            "--max-call-depth",
        ),
        (
            vec!["eval", "--max-call-depth", "-1", "print(1)"],
            "--max-call-depth",
        ),
    ];
    for (args, needle) in cases {
        let out = zx(&args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(64), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
        assert_eq!(text(&out.stdout), "", "{args:?}: nothing ran");
        assert!(!err.contains("ran\n"), "{args:?}: nothing ran");
    }
}

#[test]
fn a_runaway_recursion_trace_is_folded() {
    let deep = script("deep2.zx", "action f(n) { return f(n + 1) }\nf(0)\n");
    for tier in ["--jit", "--no-jit"] {
        let out = zx(&["run", tier, &deep]);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(70));
        assert!(err.lines().count() < 10, "{err}");
        assert!(err.contains("... f 9,999 more times"), "{err}");
    }
}

/// A repetition or concatenation larger than the memory the process may have is a runtime
/// error (exit 70), not an allocation failure that aborts the process. The differential
/// campaign found it: under its 4 GB address-space limit, `xs * 25000000` aborted.
#[test]
fn a_value_too_large_to_allocate_is_a_runtime_error() {
    let big = script(
        "big.zx",
        "let xs = [1, 2, 3, 4, 5, 6, 7, 8]\nprint(len(xs * 3))\nlet s = \"ab\" * 400000000\n",
    );
    let big_list = script(
        "big_list.zx",
        "let xs = [1, 2, 3, 4, 5, 6, 7, 8]\nlet ys = xs * 25000000\nprint(len(ys + ys))\n",
    );
    for (file, what) in [(&big, "a string"), (&big_list, "a list")] {
        for tier in ["--jit", "--no-jit"] {
            // 600 MB of address space: the binary, its JIT and heap fit; the value does not.
            let out = Command::new("sh")
                .arg("-c")
                .arg(format!(
                    "ulimit -v 600000 && exec '{}' run {tier} '{file}'",
                    env!("CARGO_BIN_EXE_zx")
                ))
                .stdin(Stdio::null())
                .output()
                .expect("sh runs");
            let err = text(&out.stderr);
            assert_eq!(out.status.code(), Some(70), "{file} {tier}: {err}");
            assert!(
                err.contains(&format!("out of memory: {what} of")),
                "{file} {tier}: {err}"
            );
        }
    }
}
