//! The random-bytecode campaign: random code objects through the verifier and, when it accepts
//! them, run at several profiling levels and in the JIT with limits
//! (`zexus::robustness::bytecode`). A case fails on a panic or a hang.
//!
//! ```sh
//! cargo run --release --example bytecode_campaign -- --programs 1000000 --seed 1
//! ```
//!
//! Case `i` is `bytecode::case(seed + i)`. The last line is `N passed, M failed` (with the
//! number the verifier accepted and ran); the exit status is 1 if any case failed.

use std::time::Instant;

use zexus::robustness::bytecode::{self, Outcome};

fn usage() -> ! {
    eprintln!("usage: bytecode_campaign [--programs N] [--seed S]");
    std::process::exit(2)
}

fn main() {
    let (mut programs, mut seed) = (1000u64, 0u64);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--programs" => programs = value().parse().unwrap_or_else(|_| usage()),
            "--seed" => seed = value().parse().unwrap_or_else(|_| usage()),
            _ => usage(),
        }
    }
    // Panics are caught and counted as failures; keep their messages out of the output.
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let (passed, failed, ran) = zexus::robustness::campaign(seed, programs, |s| {
        bytecode::check(s).map(|o| o == Outcome::Ran)
    });
    println!(
        "seeds {seed}..{}: {ran} accepted and run, {:.1} s",
        seed.wrapping_add(programs),
        start.elapsed().as_secs_f64()
    );
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
