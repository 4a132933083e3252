//! The cache simulation (issue 15, item 4): a set-associative data cache fed with the addresses
//! the VM's memory operations touch, its misses per instruction and per loop checked against
//! what the geometry implies for known access patterns, in every report format and on the
//! command line.

use std::process::{Command, Stdio};

use zexus::profile::{CacheConfig, CacheReport, Level};
use zexus::report::Format;
use zexus::VM;

/// Reads a list of `n` ints `passes` times in order (line 6), then once with a stride that
/// visits every element in a scattered order (line 12).
fn program(n: usize, passes: usize) -> String {
    format!(
        "let xs = []
for each i in range({n}) {{ xs.push(i) }}
let total = 0
for each p in range({passes}) {{
    let i = 0
    while (i < {n}) {{ total = total + xs[i]; i = i + 1 }}
}}
let j = 0
let s2 = 0
let n = {n}
while (j < n) {{
    s2 = s2 + xs[(j * 4099) % n]
    j = j + 1
}}
print(total, s2)
"
    )
}

fn simulate(src: &str, cfg: CacheConfig, jit: bool) -> VM {
    let mut vm = VM::builder()
        .profiling(Level::Full)
        .jit(jit)
        .cache_simulation(Some(cfg))
        .capture_output(true)
        .build();
    vm.eval(src).expect("the program runs");
    vm
}

/// Accesses and misses of the `INDEX` on `line`.
fn index_at(r: &CacheReport, line: u32) -> (u64, u64) {
    r.instructions
        .iter()
        .filter(|i| i.line == line && i.opcode == "INDEX")
        .fold((0, 0), |(a, m), i| {
            (a + i.count.accesses, m + i.count.misses)
        })
}

#[test]
fn sequential_and_scattered_reads_miss_as_the_geometry_says() {
    // 20,000 values of 16 bytes (320 KB) through a 32 KiB cache: an in-order pass misses once
    // per 64-byte line (1 in 4 reads) on every pass, as the list does not fit; the scattered
    // pass misses almost every time.
    let n = 20_000u64;
    let mut vm = simulate(&program(n as usize, 3), CacheConfig::default(), false);
    let sum = n * (n - 1) / 2;
    assert_eq!(vm.take_output(), format!("{} {sum}\n", 3 * sum));
    let r = vm.profiler().cache_report();
    assert_eq!(r.config, Some(CacheConfig::default()));
    let (acc, miss) = index_at(&r, 6);
    assert_eq!(acc, 3 * n);
    let lines = n / 4;
    assert!(
        (3 * lines..=3 * (lines + 1)).contains(&miss),
        "in order: {miss} misses of {acc}"
    );
    let (acc, miss) = index_at(&r, 12);
    assert_eq!(acc, n);
    assert!(miss > n * 95 / 100, "scattered: {miss} misses of {acc}");
    // Every loop's accesses are its instructions' accesses.
    let passes = r
        .loops
        .iter()
        .find(|l| l.line == 6)
        .expect("the inner loop");
    assert_eq!(passes.iterations, 3 * n);
    assert!(passes.count.misses >= 3 * lines);
}

#[test]
fn a_list_that_fits_misses_only_on_its_first_pass() {
    // 1,000 values (16 KB) in 32 KiB: the first pass brings them in, later passes hit.
    let vm = simulate(&program(1000, 5), CacheConfig::default(), false);
    let (acc, miss) = index_at(&vm.profiler().cache_report(), 6);
    assert_eq!(acc, 5000);
    assert!((250..=251).contains(&miss), "{miss}");
    // The same 320 KB list through a 1 MiB cache: only the first pass misses.
    let big = CacheConfig::new(1 << 20, 64, 8).unwrap();
    let vm = simulate(&program(20_000, 3), big, false);
    let (_, miss) = index_at(&vm.profiler().cache_report(), 6);
    assert!((5000..=5001).contains(&miss), "{miss}");
}

#[test]
fn object_fields_are_simulated_at_their_slots() {
    // 3,000 objects of two fields (each object's 32 bytes of slots in a heap block of its
    // own, 144 KB in all): reading `p.a` of each misses, and `p.b`, next to it, then hits
    // unless the pair straddles a line (a 16-byte aligned pair does in 1 of 4 positions).
    let src = "entity P { a: int = 0, b: int = 0 }
let ps = []
for each i in range(3000) { ps.push(P(i, i)) }
let t = 0
for each p in ps { t = t + p.a + p.b }
print(t)
";
    let vm = simulate(src, CacheConfig::default(), false);
    let r = vm.profiler().cache_report();
    let attr: Vec<_> = r
        .instructions
        .iter()
        .filter(|i| i.opcode == "GET_ATTR" && i.line == 5)
        .collect();
    assert_eq!(attr.len(), 2, "{attr:?}");
    let (a, b) = (&attr[0].count, &attr[1].count);
    assert_eq!((a.accesses, b.accesses), (3000, 3000));
    assert!(a.misses > 2900, "{a:?}");
    assert!(b.misses < a.misses / 2, "{b:?}");
}

#[test]
fn simulation_interprets_with_the_same_counts_and_output() {
    let src = program(3000, 2);
    let plain = {
        let mut vm = VM::builder()
            .profiling(Level::Full)
            .capture_output(true)
            .build();
        vm.eval(&src).unwrap();
        vm
    };
    // Asked for the JIT too: the simulation needs every access, so nothing is compiled.
    let sim = simulate(&src, CacheConfig::default(), true);
    assert!(sim.profiler().jit.compiled.is_empty());
    let counts = |vm: &VM| -> Vec<Vec<u64>> {
        vm.profiler()
            .codes
            .iter()
            .map(|c| c.counts.clone())
            .collect()
    };
    assert_eq!(counts(&plain), counts(&sim));
    assert!(plain.profiler().cache_report().config.is_none());
}

#[test]
fn every_report_format_shows_the_simulation() {
    let vm = simulate(&program(5000, 2), CacheConfig::default(), false);
    let report = |f: Format| {
        let mut out = Vec::new();
        vm.profiler().write_report(f, 10, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    let text = report(Format::Text);
    assert!(text.contains("CACHE SIMULATION"), "{text}");
    assert!(text.contains("32 KiB, 64-byte lines, 8-way (64 sets)"));
    let json: serde_json::Value = serde_json::from_str(&report(Format::Json)).unwrap();
    let c = &json["cache"];
    assert_eq!(c["config"]["line"], 64);
    assert!(c["total"]["misses"].as_u64().unwrap() > 0);
    assert!(c["instructions"][0]["misses"].as_u64().unwrap() > 0);
    assert!(c["loops"].as_array().is_some_and(|l| !l.is_empty()));
    let html = report(Format::Html);
    assert!(html.contains("<h2 id=\"cache\">Cache Simulation</h2>"));
    assert!(html.contains("href=\"#cache\""), "the contents link it");
    // Without the simulation, no section and no JSON field.
    let mut vm = VM::builder()
        .profiling(Level::Full)
        .capture_output(true)
        .build();
    vm.eval("print(1)").unwrap();
    let mut out = Vec::new();
    vm.profiler()
        .write_report(Format::Json, 10, &mut out)
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(json.get("cache").is_none());
}

fn zx(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_zx"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .expect("zx runs")
}

#[test]
fn the_command_line_simulates_and_checks_its_options() {
    let dir = std::env::temp_dir().join(format!("zx-cache-sim-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("stride.zx");
    std::fs::write(&path, program(4000, 2)).unwrap();
    let file = path.to_str().unwrap();
    let out = zx(&[
        "profile",
        "--level",
        "full",
        "--cache-sim",
        "--cache-size",
        "4K",
        "--cache-ways",
        "2",
        file,
    ]);
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Cache: 4 KiB, 64-byte lines, 2-way (32 sets)"),
        "{text}"
    );
    for (args, says) in [
        (vec!["--cache-sim"], "--level full"),
        (vec!["--level", "full", "--cache-sim", "--jit"], "--jit"),
        (
            vec!["--level", "full", "--cache-ways", "3"],
            "needs --cache-sim",
        ),
        (
            vec!["--level", "full", "--cache-sim", "--cache-line", "100"],
            "line size 100",
        ),
        (
            vec!["--level", "full", "--cache-sim", "--cache-size", "3K"],
            "cache size 3072",
        ),
    ] {
        let mut a = vec!["profile"];
        a.extend(args.iter().copied());
        a.push(file);
        let out = zx(&a);
        assert_eq!(out.status.code(), Some(64), "{a:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{a:?}: {err}");
        assert!(out.stdout.is_empty(), "nothing ran: {a:?}");
    }
}
