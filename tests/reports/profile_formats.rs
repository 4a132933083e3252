//! The standard formats (issue 15, item 5): Chrome trace events, speedscope and pprof, each
//! checked against its format's rules, and pprof read back by `go tool pprof` where Go is
//! installed (Debian `golang-go`; skipped with a message elsewhere) and by a decoder here.

use std::io::Read;
use std::process::Command;

use prost::Message;
use serde_json::Value;
use zexus::report::pprof::Profile;
use zexus::{Format, Level, VM};

const PROGRAM: &str = "\
action sq(x) { return x * x }
action sumsq(n) {
    let s = 0
    for each i in range(n) { s = s + sq(i) }
    return s
}
action fib(n) { if (n < 2) { return n }
 return fib(n - 1) + fib(n - 2) }
let t = 0
let i = 0
while (i < 3000) { t = t + i
  i = i + 1 }
print(sumsq(300))
print(fib(15))
";

fn profiled(level: Level, jit: bool) -> VM {
    let mut vm = VM::builder()
        .profiling(level)
        .jit(jit)
        .hot_threshold(100)
        .sample_rate(1)
        .call_paths(true)
        .capture_output(true)
        .build();
    vm.eval(PROGRAM).expect("runs");
    vm
}

fn report(vm: &VM, f: Format) -> Vec<u8> {
    let mut out = Vec::new();
    vm.profiler().write_report(f, 20, &mut out).expect("writes");
    out
}

/// The trace event format's rules for the events written: every event has a name, a phase,
/// pid and tid; complete events (`X`) have finite non-negative `ts` and `dur` in µs;
/// metadata events (`M`) name a process or thread in `args.name`; spans on one track nest
/// (a span that starts inside another ends inside it), as the viewers require of `X` events.
fn check_trace(doc: &Value) -> Vec<Value> {
    let events = doc["traceEvents"].as_array().expect("traceEvents array");
    assert!(
        ["ms", "ns"].contains(&doc["displayTimeUnit"].as_str().unwrap_or("ms")),
        "displayTimeUnit is ms or ns"
    );
    for e in events {
        assert!(e["name"].is_string(), "{e}");
        assert!(e["pid"].is_u64() && e["tid"].is_u64(), "{e}");
        match e["ph"].as_str().expect("ph") {
            "X" => {
                let ts = e["ts"].as_f64().expect("ts");
                let dur = e["dur"].as_f64().expect("dur");
                assert!(
                    ts.is_finite() && ts >= 0.0 && dur.is_finite() && dur >= 0.0,
                    "{e}"
                );
            }
            "M" => {
                assert!(
                    ["process_name", "thread_name"].contains(&e["name"].as_str().unwrap()),
                    "{e}"
                );
                assert!(e["args"]["name"].is_string(), "{e}");
            }
            other => panic!("unexpected phase {other}"),
        }
    }
    let spans: Vec<&Value> = events.iter().filter(|e| e["ph"] == "X").collect();
    let eps = 1e-6;
    for a in &spans {
        for b in &spans {
            if a["tid"] != b["tid"] || std::ptr::eq(*a, *b) {
                continue;
            }
            let (a0, a1) = (
                a["ts"].as_f64().unwrap(),
                a["ts"].as_f64().unwrap() + a["dur"].as_f64().unwrap(),
            );
            let (b0, b1) = (
                b["ts"].as_f64().unwrap(),
                b["ts"].as_f64().unwrap() + b["dur"].as_f64().unwrap(),
            );
            if b0 > a0 + eps && b0 < a1 - eps {
                assert!(b1 <= a1 + eps, "{b} starts inside {a} but ends after it");
            }
        }
    }
    spans.into_iter().cloned().collect()
}

#[test]
fn chrome_trace_has_function_loop_and_jit_spans() {
    for jit in [false, true] {
        let vm = profiled(Level::Full, jit);
        let doc: Value = serde_json::from_slice(&report(&vm, Format::ChromeTrace)).expect("JSON");
        let spans = check_trace(&doc);
        let names = |cat: &str| -> Vec<String> {
            spans
                .iter()
                .filter(|e| e["cat"] == cat)
                .map(|e| e["name"].as_str().unwrap().to_string())
                .collect()
        };
        let functions = names("function");
        for f in ["<main>", "sumsq", "sq", "fib"] {
            assert!(functions.iter().any(|n| n == f), "{f} in {functions:?}");
        }
        // A callee's span lies inside its caller's: sq's inside sumsq's.
        let span = |n: &str| spans.iter().find(|e| e["name"] == n).unwrap();
        let (s, q) = (span("sumsq"), span("sq"));
        let start = |e: &Value| e["ts"].as_f64().unwrap();
        let end = |e: &Value| start(e) + e["dur"].as_f64().unwrap();
        assert!(start(q) >= start(s) && end(q) <= end(s) + 1e-6);
        // The main span covers all sampled time: its duration is the sum of the paths' own.
        let main = span("<main>");
        let own: f64 = spans
            .iter()
            .filter(|e| e["cat"] == "function")
            .map(|e| e["args"]["self"].as_f64().unwrap() * 1e-3)
            .sum();
        assert!((main["dur"].as_f64().unwrap() - own).abs() < 1e-3 * own.max(1.0));
        assert!(
            names("loop").iter().any(|n| n.starts_with("loop <main>")),
            "{:?}",
            names("loop")
        );
        let compiles = names("jit");
        assert_eq!(!compiles.is_empty(), jit, "{compiles:?}");
    }
}

#[test]
fn chrome_trace_without_call_paths_says_why() {
    let mut vm = VM::builder()
        .profiling(Level::Detailed)
        .capture_output(true)
        .build();
    vm.eval(PROGRAM).expect("runs");
    let doc: Value = serde_json::from_slice(&report(&vm, Format::ChromeTrace)).unwrap();
    check_trace(&doc);
    assert!(doc["otherData"]["call_paths"]
        .as_str()
        .unwrap()
        .contains("call_paths(true)"));
}

/// speedscope's `file-format-schema.json`: `$schema`, `shared.frames` (each with a `name`),
/// `profiles` of type `sampled` with a unit among the schema's, `startValue`, `endValue`,
/// `samples` (arrays of frame indices) and `weights` of the same length.
#[test]
fn speedscope_follows_the_schema() {
    for level in [Level::Basic, Level::Detailed, Level::Full] {
        let vm = profiled(level, false);
        let doc: Value = serde_json::from_slice(&report(&vm, Format::Speedscope)).unwrap();
        assert_eq!(doc["$schema"], zexus::report::speedscope::SCHEMA);
        let frames = doc["shared"]["frames"].as_array().unwrap();
        assert!(frames.iter().all(|f| f["name"].is_string()));
        let prof = &doc["profiles"][0];
        assert_eq!(prof["type"], "sampled");
        let unit = prof["unit"].as_str().unwrap();
        assert_eq!(
            unit,
            if level == Level::Basic {
                "none"
            } else {
                "nanoseconds"
            }
        );
        let samples = prof["samples"].as_array().unwrap();
        let weights = prof["weights"].as_array().unwrap();
        assert_eq!(samples.len(), weights.len());
        assert!(!samples.is_empty());
        for s in samples {
            for i in s.as_array().unwrap() {
                assert!((i.as_u64().unwrap() as usize) < frames.len());
            }
        }
        let total: u64 = weights.iter().map(|w| w.as_u64().unwrap()).sum();
        assert_eq!(prof["endValue"].as_u64(), Some(total));
        assert_eq!(prof["startValue"].as_u64(), Some(0));
        let name = |s: &Value| {
            s.as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    frames[i.as_u64().unwrap() as usize]["name"]
                        .as_str()
                        .unwrap()
                })
                .collect::<Vec<_>>()
                .join(";")
        };
        let stacks: Vec<String> = samples.iter().map(name).collect();
        assert!(
            stacks.contains(&"<main>;sumsq;sq".to_string()),
            "{stacks:?}"
        );
        assert!(
            stacks.contains(&"<main>;fib;fib;fib".to_string()),
            "{stacks:?}"
        );
        if level == Level::Basic {
            // Exact instruction counts: the weights add up to the run's instructions.
            assert_eq!(
                total,
                vm.profiler().summary().total_instructions,
                "BASIC weights are the exact counts"
            );
        }
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("gzip");
    out
}

#[test]
fn pprof_decodes_with_the_paths_and_their_values() {
    for (level, jit) in [
        (Level::Basic, false),
        (Level::Detailed, false),
        (Level::Full, true),
    ] {
        let vm = profiled(level, jit);
        let bytes = report(&vm, Format::Pprof);
        assert_eq!(&bytes[..2], &[0x1f, 0x8b], "gzip magic");
        let p = Profile::decode(gunzip(&bytes).as_slice()).expect("profile.proto");
        assert_eq!(p.string_table[0], "");
        let s = |i: i64| p.string_table[i as usize].as_str();
        let types: Vec<&str> = p.sample_type.iter().map(|t| s(t.r#type)).collect();
        if level == Level::Basic {
            assert_eq!(types, ["instructions", "calls"]);
            let total: i64 = p.sample.iter().map(|x| x.value[0]).sum();
            assert_eq!(total as u64, vm.profiler().summary().total_instructions);
        } else {
            // Allocations recorded at DETAILED and FULL add two types (one sample per site).
            assert_eq!(
                types,
                ["samples", "cpu", "calls", "alloc_objects", "alloc_space"]
            );
            assert_eq!(s(p.default_sample_type), "cpu");
        }
        let calls_at = types.iter().position(|t| *t == "calls").unwrap();
        // Calls per function: the calls of the samples whose leaf is it.
        let name_of_loc = |id: u64| {
            let l = p.location.iter().find(|l| l.id == id).unwrap();
            let f = p
                .function
                .iter()
                .find(|f| f.id == l.line[0].function_id)
                .unwrap();
            s(f.name)
        };
        let calls = |f: &str| -> i64 {
            p.sample
                .iter()
                .filter(|x| name_of_loc(x.location_id[0]) == f)
                .map(|x| x.value[calls_at])
                .sum()
        };
        assert_eq!(calls("sq"), 300);
        assert_eq!(calls("fib"), 1973, "fib(15) makes 1973 calls");
        // Leaf first: sq's stack is sq, sumsq, main.
        let sq = p
            .sample
            .iter()
            .find(|x| name_of_loc(x.location_id[0]) == "sq")
            .unwrap();
        let stack: Vec<&str> = sq.location_id.iter().map(|&i| name_of_loc(i)).collect();
        assert_eq!(stack, ["sq", "sumsq", "main"]);
    }
}

/// `go tool pprof` (Debian `golang-go`) reads the file `zx profile --format pprof` writes.
#[test]
fn go_tool_pprof_reads_it() {
    if Command::new("go").arg("version").output().is_err() {
        eprintln!("SKIPPED: go is not installed (apt-get install golang-go), so `go tool pprof` cannot read the profile here");
        return;
    }
    let dir = std::env::temp_dir().join(format!("zx-pprof-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let prog = dir.join("p.zx");
    std::fs::write(&prog, PROGRAM).unwrap();
    let out = dir.join("p.pb.gz");
    let st = Command::new(env!("CARGO_BIN_EXE_zx"))
        .args(["profile", "--format", "pprof", "--sample-rate", "1", "-o"])
        .arg(&out)
        .arg(&prog)
        .output()
        .unwrap();
    assert!(
        st.status.success(),
        "{}",
        String::from_utf8_lossy(&st.stderr)
    );
    let top = Command::new("go")
        .args(["tool", "pprof", "-top", "-sample_index=calls"])
        .arg(&out)
        .env("HOME", &dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&top.stdout);
    assert!(
        top.status.success(),
        "{}",
        String::from_utf8_lossy(&top.stderr)
    );
    assert!(text.contains("Type: calls"), "{text}");
    // fib's own calls (1973) as its flat value.
    assert!(
        text.lines()
            .any(|l| l.trim_start().starts_with("1973") && l.ends_with(" fib")),
        "{text}"
    );
    assert!(text.lines().any(|l| l.ends_with(" sq")), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
