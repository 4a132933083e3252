//! The allocation profile (issue 15, item 3): objects made and bytes allocated by site
//! (function and line) and by kind, and the peak of live heap, recorded at DETAILED and FULL,
//! the same with the JIT on and off, in the text, JSON and HTML reports.

use zexus::profile::{AllocReport, Level};
use zexus::report::Format;
use zexus::VM;

/// A loop of 3,000 iterations (the JIT compiles it) that makes per iteration: two strings on
/// line 6 (`str(i)` and the concatenation), a list on line 7, a map on line 8, an object on
/// line 9, and grows one list on line 10.
const WORK: &str = "\
entity Point { x: int = 0, y: int = 0 }
action work(n) {
  let keep = []
  let i = 0
  while (i < n) {
    let name = \"p\" + str(i)
    let pair = [i, i + 1]
    let m = {\"k\": i}
    let p = Point(i, i)
    append(keep, name)
    i = i + 1
  }
  return len(keep)
}
print(work(3000))
";

/// `WORK` as a loop the JIT compiles: the object once in 100 iterations (native code exits at
/// the constructor's call, and a loop that would exit on every iteration is not compiled);
/// the string, the list and the map are made natively on every iteration.
const JIT_WORK: &str = "\
entity Point { x: int = 0, y: int = 0 }
action work(n) {
  let keep = []
  let i = 0
  while (i < n) {
    let name = \"p\" + str(i)
    let pair = [i, i + 1]
    let m = {\"k\": i}
    if (i % 100 == 0) { let p = Point(i, i) }
    append(keep, name)
    i = i + 1
  }
  return len(keep)
}
print(work(3000))
";

fn profiled(src: &str, level: Level, jit: bool) -> VM {
    let mut vm = VM::builder()
        .profiling(level)
        .jit(jit)
        .capture_output(true)
        .build();
    vm.eval(src).expect("the program runs");
    vm
}

fn site<'a>(r: &'a AllocReport, function: &str, line: u32) -> &'a zexus::profile::AllocSite {
    r.sites
        .iter()
        .find(|s| s.function == function && s.line == line)
        .unwrap_or_else(|| panic!("no site {function}:{line} in {r:#?}"))
}

fn kind(s: &zexus::profile::AllocSite, kind: &str) -> (u64, u64) {
    s.by_kind
        .iter()
        .find(|k| k.kind == kind)
        .map_or((0, 0), |k| (k.allocations, k.bytes))
}

#[test]
fn sites_and_kinds_are_exact_and_the_same_with_the_jit_on_and_off() {
    for level in [Level::Detailed, Level::Full] {
        let interp = profiled(JIT_WORK, level, false);
        let jit = profiled(JIT_WORK, level, true);
        assert!(
            !jit.profiler().jit.compiled.is_empty(),
            "the loop was compiled"
        );
        let a = interp.profiler().allocation_report();
        let b = jit.profiler().allocation_report();
        assert!(a.recorded);
        assert_eq!(a.sites, b.sites, "{level}: interpreter vs JIT");
        assert_eq!(a.by_kind, b.by_kind);
        assert_eq!(a.total_allocations, b.total_allocations);

        let n = 3000;
        assert_eq!(kind(site(&a, "work", 6), "string").0, 2 * n);
        assert_eq!(kind(site(&a, "work", 7), "list"), (n, n * 2 * 16));
        assert_eq!(kind(site(&a, "work", 8), "map").0, n);
        // `Point(i, i)` runs the entity's constructor, which makes the object.
        let objects: u64 = a.sites.iter().map(|s| kind(s, "object").0).sum();
        assert_eq!(objects, n / 100, "one object per Point(...)");
        assert!(a
            .sites
            .iter()
            .any(|s| s.function == "Point" && kind(s, "object").0 == n / 100));
        // Appending grows one list: bytes, no new object.
        let (made, grown) = kind(site(&a, "work", 10), "list");
        assert_eq!(made, 0);
        assert!(grown >= n * 16, "{grown}");
        assert_eq!(kind(site(&a, "work", 3), "list"), (1, 0));
        // Totals are the sums of the sites.
        assert_eq!(
            a.total_allocations,
            a.sites.iter().map(|s| s.allocations).sum::<u64>()
        );
        assert_eq!(a.total_bytes, a.sites.iter().map(|s| s.bytes).sum::<u64>());
        // `keep` holds 3,000 strings at the end: the peak is at least their buffers.
        assert!(
            a.peak_live_bytes >= n * 16 + 3000 * 2,
            "{}",
            a.peak_live_bytes
        );
    }
}

#[test]
fn the_peak_sees_a_list_that_is_gone_by_the_end() {
    let src = "\
action big() {
  let l = []
  let i = 0
  while (i < 100000) { append(l, i)
    i = i + 1 }
  return len(l)
}
print(big())
";
    for jit in [false, true] {
        let vm = profiled(src, Level::Detailed, jit);
        let r = vm.profiler().allocation_report();
        assert!(
            r.peak_live_bytes >= 100_000 * 16,
            "jit {jit}: {}",
            r.peak_live_bytes
        );
        let grown = kind(site(&r, "big", 4), "list").1;
        assert!(grown >= 100_000 * 16, "{grown}");
    }
}

#[test]
fn basic_records_no_allocations_and_every_report_says_so() {
    let vm = profiled(WORK, Level::Basic, false);
    let r = vm.profiler().allocation_report();
    assert!(!r.recorded && r.sites.is_empty() && r.total_allocations == 0);
    let text = vm.profiling_report(Format::Text, 20);
    assert!(
        text.contains("not recorded at BASIC: allocations are recorded at DETAILED and FULL"),
        "{text}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&vm.profiling_report(Format::Json, 20)).unwrap();
    assert_eq!(json["allocations"]["recorded"], false);
}

#[test]
fn text_json_and_html_show_the_sites() {
    let vm = profiled(WORK, Level::Full, false);
    let text = vm.profiling_report(Format::Text, 20);
    let section = &text[text.find("ALLOCATIONS").expect("a section")..];
    assert!(section.contains("Objects made: "), "{section}");
    assert!(section.contains("Peak live heap: "), "{section}");
    assert!(
        section.contains("<program>:8") || section.contains(":8 work"),
        "{section}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&vm.profiling_report(Format::Json, 20)).unwrap();
    let a = &json["allocations"];
    assert_eq!(a["recorded"], true);
    let r = vm.profiler().allocation_report();
    assert_eq!(a["total_allocations"], r.total_allocations);
    assert_eq!(a["peak_live_bytes"], r.peak_live_bytes);
    let kinds: Vec<&str> = a["by_kind"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["string", "list", "map", "object"]);
    let map_site = a["sites"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["line"] == 8 && s["function"] == "work")
        .expect("line 8's site");
    assert_eq!(map_site["by_kind"][0]["kind"], "map");
    assert_eq!(map_site["by_kind"][0]["allocations"], 3000);
    let html = vm.profiling_report(Format::Html, 20);
    assert!(html.contains("<h2 id=\"allocations\">"), "{html}");
    assert!(html.contains("<a href=\"#allocations\">"));
}

#[test]
fn pprof_carries_alloc_objects_and_alloc_space_per_site() {
    let vm = profiled(WORK, Level::Detailed, false);
    let r = vm.profiler().allocation_report();
    let p = zexus::report::pprof::profile(vm.profiler());
    let types: Vec<&str> = p
        .sample_type
        .iter()
        .map(|t| p.string_table[t.r#type as usize].as_str())
        .collect();
    assert_eq!(
        types,
        ["samples", "cpu", "calls", "alloc_objects", "alloc_space"]
    );
    let sum = |i: usize| p.sample.iter().map(|s| s.value[i]).sum::<i64>() as u64;
    assert_eq!(sum(3), r.total_allocations);
    assert_eq!(sum(4), r.total_bytes);
    // The map site: a location at line 8 of `work`.
    let map = p
        .sample
        .iter()
        .find(|s| {
            let loc = &p.location[s.location_id[0] as usize - 1];
            let f = &p.function[loc.line[0].function_id as usize - 1];
            loc.line[0].line == 8 && p.string_table[f.name as usize] == "work"
        })
        .expect("a sample for line 8");
    assert_eq!(map.value[3], 3000);
    // At BASIC there are no allocation values.
    let basic = profiled(WORK, Level::Basic, false);
    assert_eq!(
        zexus::report::pprof::profile(basic.profiler())
            .sample_type
            .len(),
        2
    );
}

/// `s = s + x` builds one string in place in both tiers, whatever `x` is (a constant string,
/// an expression, a variable) and however the interpreter runs it: fused, or unfused when the
/// sampler times an execution (every one, at sample rate 1) or a limit turns fusion off.
#[test]
fn string_building_appends_in_place_in_both_tiers() {
    let src = "\
let s = \"\"
let t = \"x\"
let i = 0
while (i < 2000) {
  s = s + \"ab\"
  s = s + (i % 10)
  s = s + t
  i = i + 1
}
print(len(s))
";
    let strings_on = |vm: &VM, line: u32| {
        let r = vm.profiler().allocation_report();
        r.sites
            .iter()
            .filter(|s| s.line == line)
            .map(|s| kind(s, "string").0)
            .sum::<u64>()
    };
    for jit in [false, true] {
        for rate in [1, 1000] {
            let mut vm = VM::builder()
                .profiling(Level::Detailed)
                .sample_rate(rate)
                .jit(jit)
                .capture_output(true)
                .build();
            vm.eval(src).expect("runs");
            assert_eq!(vm.take_output(), "8000\n");
            // The first append copies the empty constant; every later one grows the string.
            assert_eq!(strings_on(&vm, 5), 1, "jit {jit}, rate {rate}");
            assert_eq!(strings_on(&vm, 6), 0, "jit {jit}, rate {rate}");
            assert_eq!(strings_on(&vm, 7), 0, "jit {jit}, rate {rate}");
        }
    }
}
