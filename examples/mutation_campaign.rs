//! The source-mutation campaign: random valid programs with a few random edits, compiled and,
//! when they compile, run in the interpreter and the JIT with limits
//! (`zexus::robustness::mutation`). A case fails on a panic, a hang, or a rejection without
//! an error message.
//!
//! ```sh
//! cargo run --release --example mutation_campaign -- --programs 1000000 --seed 1
//! ```
//!
//! Case `i` is `mutation::case(seed + i)`. The last line is `N passed, M failed` (with the
//! number that compiled and ran); the exit status is 1 if any case failed.

use std::time::Instant;

use zexus::robustness::mutation;

fn usage() -> ! {
    eprintln!("usage: mutation_campaign [--programs N] [--seed S]");
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
    let (passed, failed, _) =
        zexus::robustness::campaign(seed, programs, |s| mutation::check(s).map(|()| false));
    println!(
        "seeds {seed}..{}, {:.1} s",
        seed.wrapping_add(programs),
        start.elapsed().as_secs_f64()
    );
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
