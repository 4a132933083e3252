//! Source lines (issue 15, item 1): per-line counts and times add up to the instructions', the
//! annotated source carries them, and `zx profile --by line` leads with them.

use std::process::Command;

use zexus::profile::LineStats;
use zexus::{Level, VM};

const PROGRAM: &str = "\
action work(n) {
    let s = 0
    let i = 0
    while (i < n) {
        s = s + i * 2
        i = i + 1
    }
    return s
}
let total = 0
for each k in range(20) {
    total = total + work(500)
}
print(total)
";

fn profiled(level: Level) -> VM {
    let mut vm = VM::builder()
        .profiling(level)
        .jit(false)
        .capture_output(true)
        .build();
    vm.eval(PROGRAM).expect("runs");
    vm
}

fn line(lines: &[LineStats], n: u32) -> &LineStats {
    lines
        .iter()
        .find(|l| l.line == n)
        .unwrap_or_else(|| panic!("line {n} not in {lines:?}"))
}

#[test]
fn lines_add_up_to_the_instructions() {
    for level in [Level::Basic, Level::Detailed, Level::Full] {
        let vm = profiled(level);
        let p = vm.profiler();
        let lines = p.lines();
        let instrs = p.instructions();
        let count: u64 = lines.iter().map(|l| l.count).sum();
        let want: u64 = instrs.iter().filter(|i| i.line > 0).map(|i| i.count).sum();
        assert_eq!(count, want, "{level:?}");
        // The loop body's line runs 20 x 500 times, in `work`.
        let body = line(&lines, 5);
        assert_eq!(body.functions, ["work"], "{level:?}");
        assert_eq!(body.file, "<eval>");
        let body_instrs: u64 = instrs.iter().filter(|i| i.line == 5).map(|i| i.count).sum();
        assert_eq!(body.count, body_instrs);
        assert!(body.count >= 20 * 500 * 5, "{body:?}");
        if level >= Level::Detailed {
            let t: f64 = lines.iter().map(|l| l.total_time_ms).sum();
            let ti: f64 = instrs
                .iter()
                .filter(|i| i.line > 0)
                .map(|i| i.total_time_ms)
                .sum();
            assert!((t - ti).abs() <= 1e-9 + 1e-9 * ti, "{t} != {ti}");
            // Hottest first (by time: which line that is depends on the machine's load, as
            // times are wall time).
            assert!(
                lines
                    .windows(2)
                    .all(|w| w[0].total_time_ms >= w[1].total_time_ms),
                "{lines:?}"
            );
        } else {
            assert!(lines.iter().all(|l| l.total_time_ms == 0.0));
            assert_eq!(lines[0].count, lines.iter().map(|l| l.count).max().unwrap());
        }
    }
}

#[test]
fn the_annotated_source_is_the_program_with_its_lines_figures() {
    let vm = profiled(Level::Detailed);
    let files = vm.profiler().annotated_sources();
    assert_eq!(files.len(), 1);
    let f = &files[0];
    assert_eq!(f.file, "<eval>");
    assert_eq!(f.lines.len(), PROGRAM.lines().count());
    assert_eq!(f.lines[4].text.trim(), "s = s + i * 2");
    let lines = vm.profiler().lines();
    let s = f.lines[4].stats.expect("line 5 ran");
    assert_eq!(s.count, line(&lines, 5).count);
    // A line that compiles to nothing (a closing brace) has no figures.
    assert_eq!(f.lines[6].text.trim(), "}");
    assert!(f.lines[6].stats.is_none());
    let json = vm.profiling_report(zexus::Format::Json, 10);
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert!(v["lines"].as_array().is_some_and(|a| !a.is_empty()));
    assert_eq!(
        v["annotated_source"][0]["lines"][4]["stats"]["count"],
        serde_json::json!(s.count)
    );
    let html = vm.profiling_report(zexus::Format::Html, 10);
    assert!(
        html.contains("<h2 id=\"lines\">Source Lines</h2>") && html.contains("Annotated Source")
    );
}

#[test]
fn zx_profile_by_line_leads_with_the_source() {
    let path = std::env::temp_dir().join(format!("zx-lines-{}.zx", std::process::id()));
    std::fs::write(&path, PROGRAM).unwrap();
    let p = path.display().to_string();
    let run = |by: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_zx"))
            .args(["profile", &p, "--by", by])
            .output()
            .expect("zx runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let at = |r: &str, s: &str| r.find(s).unwrap_or_else(|| panic!("no {s} in {r}"));
    let by_line = run("line");
    assert!(at(&by_line, "SOURCE LINES") < at(&by_line, "MOST COMMON OPCODES"));
    assert!(by_line.contains(&format!("ANNOTATED SOURCE: {p}")));
    assert!(by_line.contains("s = s + i * 2"));
    let by_instr = run("instruction");
    assert!(at(&by_instr, "MOST COMMON OPCODES") < at(&by_instr, "SOURCE LINES"));
    let by_fn = run("function");
    assert!(at(&by_fn, "FUNCTIONS") < at(&by_fn, "MOST COMMON OPCODES"));
    let bad = Command::new(env!("CARGO_BIN_EXE_zx"))
        .args(["profile", &p, "--by", "file"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("unknown view 'file'"));
    let _ = std::fs::remove_file(path);
}
