//! The differential campaign: random programs (`zexus::reference::gen`) run in the reference
//! evaluator and in every configuration of the VM (`zexus::reference::diff`); each failing
//! program is shrunk and written to `target/differential-failures/`.
//!
//! ```sh
//! cargo run --release --example differential -- --programs 10000 --seed 1
//! ```
//!
//! Program `i` of a campaign is `gen::program(seed + i)`. The last line is
//! `N passed, M failed`; the exit status is 1 if any program failed.

use std::path::PathBuf;
use std::time::Instant;

use zexus::reference::{diff, gen, shrink};

fn usage() -> ! {
    eprintln!("usage: differential [--programs N] [--seed S] [--out DIR] [--print]");
    std::process::exit(2)
}

fn main() {
    let mut programs: u64 = 1000;
    let mut seed: u64 = 0;
    let mut out = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/differential-failures");
    let mut print = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--programs" => programs = value().parse().unwrap_or_else(|_| usage()),
            "--seed" => seed = value().parse().unwrap_or_else(|_| usage()),
            "--out" => out = PathBuf::from(value()),
            "--print" => print = true,
            _ => usage(),
        }
    }
    // A VM panic is caught and reported as a failure; keep the shrinker's retries quiet.
    std::panic::set_hook(Box::new(|_| {}));
    let start = Instant::now();
    let (mut passed, mut failed) = (0u64, 0u64);
    for i in 0..programs {
        let s = seed.wrapping_add(i);
        let src = gen::program(s);
        if print {
            println!("// program {s}\n{src}");
        }
        match diff::check(&src) {
            Ok(()) => passed += 1,
            Err(problem) => {
                failed += 1;
                let small = shrink::shrink(&src, |p| diff::check(p).is_err());
                let why = diff::check(&small).err().unwrap_or(problem);
                std::fs::create_dir_all(&out).expect("the failures directory can be created");
                let path = out.join(format!("seed-{s}.zx"));
                let commented: String = why.lines().map(|l| format!("// {l}\n")).collect();
                std::fs::write(&path, format!("{commented}{small}"))
                    .expect("the failing program can be written");
                eprintln!("program {s} fails ({}):\n{why}\n{small}", path.display());
            }
        }
        if (i + 1) % 1000 == 0 {
            let rate = (i + 1) as f64 / start.elapsed().as_secs_f64();
            eprintln!("{} programs, {failed} failed, {rate:.0} programs/s", i + 1);
        }
    }
    eprintln!(
        "{:.1} s, {:.0} programs/s",
        start.elapsed().as_secs_f64(),
        programs as f64 / start.elapsed().as_secs_f64().max(1e-9)
    );
    println!("{passed} passed, {failed} failed");
    if failed > 0 {
        std::process::exit(1);
    }
}
