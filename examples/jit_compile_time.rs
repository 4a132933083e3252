//! Compile time of the JIT on the loops of the bench programs, warm (each loop compiled 20
//! times by one `Jit`): `cargo run --release --example jit_compile_time`.

use std::collections::HashSet;
use std::time::Instant;

use zexus::bytecode::Op;
use zexus::jit::{Jit, LoopRequest};

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/programs");
    let mut jit = Jit::new().expect("host supported");
    let mut all = Vec::new();
    for name in [
        "loop_sum",
        "fib_iter",
        "nested_loops",
        "collatz",
        "sieve",
        "bubble_sort",
        "strings",
    ] {
        let src = std::fs::read_to_string(format!("{dir}/{name}.zx")).expect("program");
        let bc = zexus::compile(&src, name).expect("compiles");
        let code = &bc.code()[0];
        let depths = bc.stack_depths(0);
        // Every slot an int (what the loops see when they go hot), lists as lists.
        let tags: Vec<u64> = vec![0; code.slot_names.len()];
        let general = HashSet::new();
        for (ip, ins) in code.instrs.iter().enumerate() {
            if ins.op != Op::JUMP || ins.a as usize > ip {
                continue;
            }
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
                counters: true,
                branch_stats: false,
                natives: &[],
                fuel: None,
                alloc_site: None,
            };
            let mut times = Vec::new();
            for _ in 0..20 {
                let t = Instant::now();
                let c = jit.compile(&req).expect("compiles");
                times.push(t.elapsed().as_secs_f64() * 1e6);
                std::hint::black_box(c.code_bytes);
            }
            times.sort_by(f64::total_cmp);
            println!(
                "{name:>12} loop {}..{}: median {:.0} µs, first {:.0} µs",
                ins.a, ip, times[10], times[0]
            );
            all.push(times[10]);
        }
    }
    all.sort_by(f64::total_cmp);
    println!("median over loops: {:.0} µs", all[all.len() / 2]);
}
