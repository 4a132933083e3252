//! Ground truth for profile times (issue 11, item 3): programs whose parts have relative costs
//! measured with the profiler off; the profile's shares must match the measured shares within
//! 20%. Shares, not absolute times, medians of several runs, and the thread's CPU time rather
//! than wall time: on a loaded machine a run of a few ms is preempted, a run of half a ms
//! mostly is not, and wall time would make the longer part look several times slower per
//! iteration than it is.

use zexus::{compile, Level, VM};

/// Two functions with the same body (a counted loop of int additions), whose work per
/// iteration does not depend on how many iterations ran (`s = s + i * 3` would reach
/// numbers past 2^31 only in the longer run).
const SAME_BODY: &str = "\
action light(n) { let s = 0\n let i = 0\n while (i < n) { s = s + i % 7 * 3\n i = i + 1 }\n return s }\n\
action heavy(n) { let s = 0\n let i = 0\n while (i < n) { s = s + i % 7 * 3\n i = i + 1 }\n return s }\n";

/// A loop building new strings, and a loop of int additions.
const STRINGS_AND_INTS: &str = "\
action strs(n) { let a = \"abcdefgh\"\n let t = \"\"\n let i = 0\n while (i < n) { t = a + \"ijklmnop\" + a\n i = i + 1 }\n return t }\n\
action ints(n) { let s = 0\n let i = 0\n while (i < n) { s = s + i\n i = i + 1 }\n return s }\n";

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// CPU time of this thread, in seconds.
fn cpu_now() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `clock_gettime` writes the timespec it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// Median CPU time (s) of `body` run after `defs` with the profiler off and no JIT.
fn measured(defs: &str, body: &str) -> f64 {
    let bc = compile(&format!("{defs}{body}\n"), "truth").expect("compiles");
    let times = (0..7)
        .map(|_| {
            let mut vm = VM::builder().profiling(Level::None).jit(false).build();
            let t = cpu_now();
            vm.execute(&bc).expect("runs");
            cpu_now() - t
        })
        .collect();
    median(times)
}

/// Median over runs of `a`'s share of `a` + `b` (function total times) in a profile of
/// `body` at `level`; an error if a run attributed no time at all.
fn profiled_share(defs: &str, body: &str, a: &str, b: &str, level: Level) -> Result<f64, String> {
    let bc = compile(&format!("{defs}{body}\n"), "truth").expect("compiles");
    let mut shares = Vec::new();
    for _ in 0..5 {
        let mut vm = VM::builder().profiling(level).jit(false).build();
        vm.execute(&bc).expect("runs");
        let fns = vm.profiler().functions();
        let t = |name: &str| {
            fns.iter()
                .find(|f| f.name == name)
                .map(|f| f.total_time_ms)
                .unwrap_or_else(|| panic!("{name} not in {fns:?}"))
        };
        let share = t(a) / (t(a) + t(b));
        if !share.is_finite() {
            let s = vm.profiler().summary();
            return Err(format!(
                "no time attributed: run {} s, overhead {} ms, hook costs {:?}",
                s.total_time_sec, s.profiling_overhead_ms, s.hook_costs_ns
            ));
        }
        shares.push(share);
    }
    Ok(median(shares))
}

/// Compares `a`'s share of the profile with its share of the measured times.
fn compare(defs: &str, call_a: &str, call_b: &str, a: &str, b: &str) -> Result<(), String> {
    let (ta, tb) = (measured(defs, call_a), measured(defs, call_b));
    let truth = ta / (ta + tb);
    for level in [Level::Detailed, Level::Full] {
        let got = profiled_share(defs, &format!("{call_a}\n{call_b}"), a, b, level)?;
        if (got - truth).abs() > 0.20 * truth {
            return Err(format!(
                "{level:?}: {a}'s share of the profile is {got:.3}, measured {truth:.3} \
                 ({a} {:.2} ms, {b} {:.2} ms alone)",
                ta * 1e3,
                tb * 1e3
            ));
        }
    }
    Ok(())
}

/// Runs the profiler's one-time calibration (a fifth of a second of work) before anything is
/// measured. The tests run in parallel, and the first profiled run in the process calibrates
/// while the other test may be measuring its ground truth: on a 2-core machine with another
/// process running, that moved the truth itself: with the longer calibration of commit
/// 4d72fb5 (reverted because this test then failed 2 runs of 4), light's measured share was
/// 0.072 against 0.100 in the first comparison of 2 runs of 3. Every later profiled run
/// waits for the calibration to finish.
fn calibrate_first() {
    let bc = compile("print(1)\n", "calibrate").expect("compiles");
    let mut vm = VM::builder()
        .profiling(Level::Basic)
        .capture_output(true)
        .build();
    vm.execute(&bc).expect("runs");
}

/// The comparison, measured again up to twice more when it fails: these machines are shared,
/// and another process's burst during one measurement moves one share. A profiler whose
/// shares are wrong fails all three.
fn check(defs: &str, call_a: &str, call_b: &str, a: &str, b: &str) {
    // One comparison at a time: the test threads would otherwise share the two cores with
    // each other, and a profiled run preempted by its neighbour charges the wait to whatever
    // function was running (function times are measured in wall time).
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _turn = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    calibrate_first();
    let mut errors = Vec::new();
    for _ in 0..3 {
        match compare(defs, call_a, call_b, a, b) {
            Ok(()) => return,
            Err(e) => errors.push(e),
        }
    }
    panic!("three measurements disagree:\n{}", errors.join("\n"));
}

#[test]
fn same_body_with_one_and_nine_times_the_iterations() {
    check(
        SAME_BODY,
        "light(100000)",
        "heavy(900000)",
        "light",
        "heavy",
    );
}

#[test]
fn string_building_against_int_additions() {
    check(
        STRINGS_AND_INTS,
        "strs(100000)",
        "ints(300000)",
        "strs",
        "ints",
    );
}
