//! Snapshots of the Cranelift IR the JIT generates for two key loops: `loop_sum`'s loop (ints,
//! BASIC counters) and the sieve's marking loop (a list, inline element stores, FULL). A change
//! in code generation shows up as a diff here; after checking it, refresh the files with
//! `UPDATE_SNAPSHOTS=1 cargo test --release --test main jit_clif`.

use std::collections::HashSet;
use std::path::PathBuf;

use zexus::bytecode::Op;
use zexus::jit::{clif_of, LoopRequest};
use zexus_runtime::value::{TAG_INT, TAG_LIST};

/// True if any instruction of the CLIF can trap (`trap`, `trapz`, `trapnz`, `*_trap`).
fn has_trap(text: &str) -> bool {
    text.lines().any(|l| {
        l.split_whitespace()
            .any(|w| w.starts_with("trap") || w.ends_with("_trap"))
    })
}

fn snapshot(name: &str, text: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() || !path.exists() {
        std::fs::create_dir_all(path.parent().expect("dir")).expect("snapshot dir");
        std::fs::write(&path, text).expect("snapshot written");
        return;
    }
    let want = std::fs::read_to_string(&path).expect("snapshot readable");
    assert!(
        want == text,
        "CLIF of {name} changed (UPDATE_SNAPSHOTS=1 to accept):\n{text}"
    );
}

/// The CLIF of loop number `nth` (in back-edge order) of a script's top level, with every slot
/// an int except `lists`.
fn clif(script: &str, nth: usize, lists: &[&str], counters: bool, branch_stats: bool) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/scripts/bench")
        .join(script);
    let src = std::fs::read_to_string(path).expect("script");
    let bc = zexus::compile(&src, script).expect("compiles");
    let code = &bc.code()[0];
    let depths = bc.stack_depths(0);
    let tags: Vec<u64> = code
        .slot_names
        .iter()
        .map(|n| {
            if lists.contains(&n.as_str()) {
                TAG_LIST
            } else {
                TAG_INT
            }
        })
        .collect();
    let (ip, ins) = code
        .instrs
        .iter()
        .enumerate()
        .filter(|(ip, i)| i.op == Op::JUMP && i.a as usize <= *ip)
        .nth(nth)
        .expect("the loop exists");
    let general = HashSet::new();
    let req = LoopRequest {
        code,
        is_main: true,
        global_names: bc.globals(),
        header: ins.a,
        back_edge: ip as u32,
        depths,
        local_tags: &tags,
        global_tags: &tags,
        general: &general,
        counters,
        branch_stats,
        natives: &[],
        fuel: None,
        alloc_site: None,
    };
    clif_of(&req).expect("compiles")
}

#[test]
fn loop_sum_clif() {
    let text = clif("loop_sum.zx", 0, &[], true, false);
    assert!(text.contains("sadd_overflow"), "checked adds:\n{text}");
    assert!(!has_trap(&text), "no traps:\n{text}");
    snapshot("jit_loop_sum.clif", &text);
}

#[test]
fn sieve_marking_loop_clif() {
    // The sieve's loops: filling, the outer `i * i < n` loop, its inner marking loop, counting.
    let text = clif("sieve.zx", 1, &["is_prime"], true, true);
    assert!(
        text.contains("call fn"),
        "helper calls for the slow paths:\n{text}"
    );
    assert!(!has_trap(&text), "no traps:\n{text}");
    snapshot("jit_sieve_marking.clif", &text);
}
