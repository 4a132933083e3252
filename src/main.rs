//! `zx`: run, profile and disassemble Zexus programs.

use std::fs;
use std::io::{self, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;
use cli::color::ColorWhen;
use cli::options::{self as opts, EXIT_USAGE};
use zexus::diagnostic::Diagnostics;
use zexus::report::Format;
use zexus::{Bytecode, Level, VM};

/// Exit code for a compile error (as sysexits' EX_DATAERR).
const EXIT_COMPILE: u8 = 65;
/// Exit code for an unreadable input file (EX_NOINPUT).
const EXIT_NO_INPUT: u8 = 66;
/// Exit code for a runtime error (EX_SOFTWARE).
const EXIT_RUNTIME: u8 = 70;
/// Exit code for a failure to write output (EX_IOERR).
const EXIT_IO: u8 = 74;

#[derive(Parser)]
#[command(
    name = "zx",
    version,
    about = "The Zexus VM: run, profile and disassemble .zx programs",
    long_about = "The Zexus VM: a bytecode interpreter with a Cranelift JIT tier and an \
instruction-level profiler.\n\nExamples:\n  \
zx run examples/primes.zx                   run a program\n  \
zx profile                                  profile the built-in demo (every section filled)\n  \
zx profile prog.zx --level full             counts, timings, branches, memory, hot loops\n  \
zx profile prog.zx --format html -o r.html  an HTML report\n  \
zx diff before.json after.json              compare two runs (speedup, deltas)\n  \
zx disasm prog.zx                           show the bytecode\n  \
zx eval 'print(6 * 7)'                      run a snippet\n  \
zx bench                                    measure the profiler's overhead per level and tier\n\n\
A FILE of '-' reads standard input. Exit codes: 0 ok, 65 compile error, 66 unreadable file, \
70 runtime error."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Colour error diagnostics: auto (when standard error is a terminal and NO_COLOR is not
    /// set), always or never
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorWhen::Auto)]
    color: ColorWhen,
}

#[derive(clap::Args, Clone)]
struct TierArgs {
    /// Compile hot loops to native code with Cranelift
    #[arg(long)]
    jit: bool,
    /// Interpret only (no JIT)
    #[arg(long = "no-jit")]
    no_jit: bool,
    /// Back edges a loop takes before it is compiled
    #[arg(long, value_name = "N", allow_hyphen_values = true, default_value_t = zexus::vm::DEFAULT_HOT_THRESHOLD as i64)]
    hot_threshold: i64,
    /// Append a line per compiled loop to /tmp/perf-<pid>.map, so `perf report` names JIT code,
    /// and a record with its machine code to /tmp/jit-<pid>.dump for `perf inject --jit`
    #[arg(long)]
    perf_map: bool,
    /// Print the machine code of each loop or function the JIT compiles to standard error
    #[arg(long)]
    jit_disasm: bool,
    /// Print how long each JIT compile took, per step (translate, define, finalize), to
    /// standard error
    #[arg(long)]
    jit_timing: bool,
    #[command(flatten)]
    limits: opts::LimitArgs,
}

impl TierArgs {
    /// The checked options, before anything runs.
    fn check(&self) -> Result<(u32, opts::Checked), Failure> {
        let usage = |m: String| Failure(EXIT_USAGE, m);
        opts::check_tier_flags(self.jit, self.no_jit).map_err(usage)?;
        let hot = opts::positive_u32("--hot-threshold", self.hot_threshold).map_err(usage)?;
        Ok((hot, self.limits.check().map_err(usage)?))
    }

    fn jit_enabled(&self, default: bool) -> bool {
        if self.no_jit {
            false
        } else {
            self.jit || default
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Run a program (JIT on by default; --no-jit to interpret only)
    Run {
        /// The .zx file, or - for standard input
        file: PathBuf,
        /// Arguments for the program (its `__ARGS__`)
        #[arg(trailing_var_arg = true)]
        args: Vec<String>,
        #[command(flatten)]
        tier: TierArgs,
    },
    /// Run a program under the instruction profiler and print a report (JIT off by default,
    /// so timings are per instruction; --jit to profile JIT code with its inline counters)
    Profile {
        /// The .zx file, or - for standard input; without it, the built-in demo (the guide's
        /// Fibonacci, a hot loop the JIT compiles, calls, branches, allocations), profiled at
        /// FULL with the JIT on and call paths recorded
        file: Option<PathBuf>,
        /// What to record: basic (counts), detailed (+ sampled timings), full (+ memory,
        /// branches, hot loops). Default: detailed; full for the built-in demo
        #[arg(long)]
        level: Option<Level>,
        /// Report format: text, json, html, folded (stacks for flame-graph tools), flamegraph
        /// (SVG), dot (the call graph for Graphviz), chrome-trace (chrome://tracing,
        /// Perfetto), speedscope, or pprof (gzipped profile.proto, binary)
        #[arg(long, default_value = "text")]
        format: Format,
        /// Rows in each table of the report
        #[arg(long, allow_hyphen_values = true, default_value_t = 20)]
        top: i64,
        /// Write the report here instead of standard output
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// Time 1 in N executions (1 times every execution)
        #[arg(long, value_name = "N", allow_hyphen_values = true, default_value_t = zexus::vm::DEFAULT_SAMPLE_RATE as i64)]
        sample_rate: i64,
        /// What the text report leads with: instruction (the guide's order), line (source
        /// lines and the annotated source) or function
        #[arg(long, value_name = "VIEW", default_value = "instruction")]
        by: zexus::report::Lead,
        /// Record call paths (on for folded, flamegraph, chrome-trace, speedscope and pprof):
        /// the JSON report then has `folded_stacks`, which `zx diff --flame` draws. Costs a
        /// lookup per call
        #[arg(long)]
        call_paths: bool,
        #[command(flatten)]
        cache: opts::CacheArgs,
        #[command(flatten)]
        tier: TierArgs,
    },
    /// Compare two runs (JSON reports of `zx profile --format json`): speedup, instruction
    /// reduction, and per-function, per-line, per-loop and per-opcode deltas by impact
    Diff {
        /// The report of the run before the change
        before: PathBuf,
        /// The report of the run after it
        after: PathBuf,
        /// Rows in each table
        #[arg(long, default_value_t = 20)]
        top: usize,
        /// Also write a differential flame graph (SVG) here; both reports need call paths
        /// (`zx profile --format json --call-paths`)
        #[arg(long, value_name = "OUT.svg")]
        flame: Option<PathBuf>,
    },
    /// Print the bytecode of every code object
    Disasm {
        /// The .zx file, or - for standard input
        file: PathBuf,
    },
    /// Measure the profiler's overhead: every level, interpreted and with the JIT, as ratios to
    /// level NONE (the guide's overhead table, measured)
    Bench {
        /// Programs to measure (default: loop_sum, fib_rec and sieve, scaled down)
        files: Vec<PathBuf>,
        /// Timed runs per cell (the median is reported)
        #[arg(long, allow_hyphen_values = true, default_value_t = 5)]
        runs: i64,
        /// Only the interpreter
        #[arg(long = "no-jit")]
        no_jit: bool,
        /// Sampling rate of the DETAILED and FULL cells (1 in N executions timed)
        #[arg(long, value_name = "N", allow_hyphen_values = true, default_value_t = zexus::vm::DEFAULT_SAMPLE_RATE as i64)]
        sample_rate: i64,
        /// Compare wall times instead of the thread's CPU time (which leaves out the time
        /// other processes held the CPU)
        #[arg(long)]
        wall: bool,
    },
    /// An interactive prompt: statements run as they are entered, variables and functions
    /// stay defined; :profile, :level, :jit, :disasm, :help, :quit (JIT on by default).
    /// Reads plain lines when standard input is not a terminal.
    Repl {
        #[command(flatten)]
        tier: TierArgs,
    },
    /// Run a snippet of Zexus given on the command line
    Eval {
        /// The source code
        code: String,
        #[command(flatten)]
        tier: TierArgs,
    },
}

/// A failure with the exit code it maps to.
struct Failure(u8, String);

/// Reads a program. Bytes that are not UTF-8 become U+FFFD, so malformed source is reported
/// by the compiler (exit 65) rather than as an unreadable file.
fn read_source(path: &PathBuf) -> Result<(String, String), Failure> {
    let name = path.display().to_string();
    let bytes = if name == "-" {
        let mut b = Vec::new();
        io::stdin().read_to_end(&mut b).map_err(|e| {
            Failure(
                EXIT_NO_INPUT,
                format!("zx: cannot read standard input: {e}"),
            )
        })?;
        b
    } else {
        fs::read(path)
            .map_err(|e| Failure(EXIT_NO_INPUT, format!("zx: cannot read {name}: {e}")))?
    };
    Ok((String::from_utf8_lossy(&bytes).into_owned(), name))
}

/// The program's name in diagnostics: `<stdin>` for `-`, as compilers write it.
fn shown_name(name: &str) -> &str {
    if name == "-" {
        "<stdin>"
    } else {
        name
    }
}

fn compile(source: &str, name: &str, color: bool) -> Result<Bytecode, Failure> {
    compile_file(source, name, None, color)
}

/// Compiles the program read from `path` (`-`: standard input, whose modules are found from
/// the working directory); errors as diagnostics (`name:line:col: error: ...`).
fn compile_file(
    source: &str,
    name: &str,
    path: Option<&PathBuf>,
    color: bool,
) -> Result<Bytecode, Failure> {
    let path = path.filter(|p| p.as_os_str() != "-").map(PathBuf::as_path);
    zexus::compile_source(source, name, path).map_err(|errors| {
        let text = Diagnostics::new(shown_name(name), source)
            .color(color)
            .compile_errors(&errors);
        Failure(EXIT_COMPILE, text)
    })
}

fn vm_for(
    tier: &TierArgs,
    jit_default: bool,
    level: Level,
    sample_rate: u32,
) -> Result<VM, Failure> {
    Ok(vm_builder(tier, jit_default, level, sample_rate)?.build())
}

/// The VM the tier and limit options ask for (checked first: exit 64 naming a bad option).
fn vm_builder(
    tier: &TierArgs,
    jit_default: bool,
    level: Level,
    sample_rate: u32,
) -> Result<zexus::VmBuilder, Failure> {
    let (hot, checked) = tier.check()?;
    let mut b = VM::builder()
        .jit(tier.jit_enabled(jit_default))
        .hot_threshold(hot)
        .perf_map(tier.perf_map)
        .jit_disasm(tier.jit_disasm)
        .jit_timing(tier.jit_timing)
        .profiling(level)
        .sample_rate(sample_rate)
        .limits(checked.limits);
    if let Some(d) = checked.max_call_depth {
        b = b.max_call_depth(d);
    }
    Ok(b)
}

/// Runs `bc`; a runtime error as a diagnostic against the program's source.
fn execute(vm: &mut VM, bc: &Bytecode, diag: Diagnostics) -> Result<zexus::Value, Failure> {
    vm.execute(bc)
        .map_err(|e| Failure(EXIT_RUNTIME, diag.runtime_error(&e)))
}

fn run(cli: Cli) -> Result<(), Failure> {
    let color = cli.color.enabled();
    match cli.command {
        Command::Run { file, args, tier } => {
            tier.check()?;
            zexus::vm::set_script_args(args);
            let (src, name) = read_source(&file)?;
            let bc = compile_file(&src, &name, Some(&file), color)?;
            let mut vm = vm_for(&tier, true, Level::None, 1)?;
            execute(
                &mut vm,
                &bc,
                Diagnostics::new(shown_name(&name), &src).color(color),
            )?;
        }
        Command::Repl { tier } => {
            let (hot, _) = tier.check()?;
            repl(tier.jit_enabled(true), hot, color)?;
        }
        Command::Eval { code, tier } => {
            tier.check()?;
            let bc = compile(&code, "<eval>", color)?;
            let mut vm = vm_for(&tier, true, Level::None, 1)?;
            let v = execute(&mut vm, &bc, Diagnostics::new("<eval>", &code).color(color))?;
            if v != zexus::Value::NULL {
                println!("{}", v.repr());
            }
        }
        Command::Bench {
            files,
            runs,
            no_jit,
            sample_rate,
            wall,
        } => {
            let usage = |m: String| Failure(EXIT_USAGE, m);
            let runs = opts::positive("--runs", runs).map_err(usage)? as usize;
            let sample_rate = opts::positive_u32("--sample-rate", sample_rate).map_err(usage)?;
            let programs = if files.is_empty() {
                cli::bench::default_programs().map_err(|e| Failure(EXIT_COMPILE, e.to_string()))?
            } else {
                let mut v = Vec::new();
                for f in &files {
                    let (src, name) = read_source(f)?;
                    v.push(cli::bench::BenchProgram {
                        name,
                        bytecode: compile_file(&src, &f.display().to_string(), Some(f), color)?,
                    });
                }
                v
            };
            let tiers: &[bool] = if no_jit { &[false] } else { &[false, true] };
            let rows = cli::bench::measure(&programs, tiers, runs, sample_rate)
                .map_err(|e| Failure(EXIT_RUNTIME, e.to_string()))?;
            print!("{}", cli::bench::render(&rows, runs, wall));
        }
        Command::Diff {
            before,
            after,
            top,
            flame,
        } => {
            use zexus::report::diff::{RunDiff, RunFigures};
            let load = |p: &PathBuf| -> Result<RunFigures, Failure> {
                let (text, name) = read_source(p)?;
                RunFigures::from_json(&text, &name)
                    .map_err(|m| Failure(EXIT_COMPILE, format!("zx: {m}")))
            };
            let d = RunDiff::new(load(&before)?, load(&after)?);
            print!("{}", d.text(top));
            if let Some(path) = flame {
                let mut svg = Vec::new();
                d.flame_graph(&mut svg)
                    .map_err(|m| Failure(EXIT_COMPILE, format!("zx: {m}")))?;
                fs::write(&path, svg).map_err(|e| {
                    Failure(EXIT_IO, format!("zx: cannot write {}: {e}", path.display()))
                })?;
                eprintln!("zx: differential flame graph written to {}", path.display());
            }
        }
        Command::Disasm { file } => {
            let (src, name) = read_source(&file)?;
            let bc = compile_file(&src, &name, Some(&file), color)?;
            print!("{}", bc.disassemble());
        }
        Command::Profile {
            file,
            level,
            format,
            top,
            output,
            sample_rate,
            by,
            call_paths,
            cache,
            tier,
        } => {
            let usage = |m: String| Failure(EXIT_USAGE, m);
            tier.check()?;
            let top = opts::positive("--top", top).map_err(usage)? as usize;
            let sample_rate = opts::positive_u32("--sample-rate", sample_rate).map_err(usage)?;
            if let Some(path) = &output {
                opts::check_writable("-o", path).map_err(usage)?;
            }
            let (bc, source) = match &file {
                Some(path) => {
                    let (src, name) = read_source(path)?;
                    (
                        compile_file(&src, &name, Some(path), color)?,
                        Some((name, src)),
                    )
                }
                None => (
                    cli::demo::showcase(),
                    Some((
                        cli::demo::SHOWCASE_NAME.to_string(),
                        cli::demo::SHOWCASE_SOURCE.to_string(),
                    )),
                ),
            };
            let demo = file.is_none();
            let level = level.unwrap_or(if demo { Level::Full } else { Level::Detailed });
            if level == Level::None {
                return Err(usage(
                    "zx: level none records nothing; use basic, detailed or full".into(),
                ));
            }
            let cache = cache.check(level, tier.jit).map_err(usage)?;
            // With the report on standard output, the program's own output goes to standard
            // error, so that `zx profile x.zx --format json | jq` gets valid JSON.
            let sink = if output.is_some() {
                zexus::vm::Sink::Stdout
            } else {
                zexus::vm::Sink::Stderr
            };
            let paths = call_paths || demo || format.needs_call_paths();
            let mut vm = vm_builder(&tier, demo, level, sample_rate)?
                .output(sink)
                .call_paths(paths)
                .cache_simulation(cache)
                .build();
            if let Some((name, src)) = &source {
                vm.profiler_mut().add_source(name.clone(), src.clone());
            }
            signals::install();
            let result = vm.execute(&bc);
            let mut report = Vec::new();
            vm.profiler()
                .write_report_by(format, top, by, &mut report)
                .map_err(|e| Failure(EXIT_IO, format!("zx: {e}")))?;
            let written = match &output {
                Some(path) => fs::write(path, &report)
                    .map_err(|e| format!("zx: cannot write {}: {e}", path.display())),
                None => io::stdout()
                    .write_all(&report)
                    .map_err(|e| format!("zx: {e}")),
            };
            if let Some(path) = &output {
                if written.is_ok() {
                    eprintln!("zx: {format} report written to {}", path.display());
                }
            }
            if demo && result.is_ok() {
                eprintln!(
                    "zx: profiled the built-in demo (src/cli/demo.zx: the guide's Fibonacci, a hot \
                     loop the JIT compiles, calls, branches, allocations) at {level}{}; \
                     `zx profile FILE` profiles yours",
                    if tier.jit_enabled(true) && cache.is_none() {
                        " with the JIT on"
                    } else {
                        ""
                    }
                );
            }
            if vm.profiler().interrupted {
                let sig = zexus::vm::interrupt::signal();
                eprintln!("zx: interrupted by signal {sig}; the report covers what ran so far");
                written.map_err(|m| Failure(EXIT_IO, m))?;
                return Err(Failure((128 + sig).clamp(1, 255) as u8, String::new()));
            }
            result.map_err(|e| {
                let (name, src) = source.as_ref().map_or(("", ""), |(n, s)| (n, s));
                let diag = Diagnostics::new(shown_name(name), src).color(color);
                Failure(EXIT_RUNTIME, diag.runtime_error(&e))
            })?;
            written.map_err(|m| Failure(EXIT_IO, m))?;
        }
    }
    Ok(())
}

/// SIGINT and SIGTERM during `zx profile`: the first asks the run to stop (the report of
/// what ran so far is written, marked incomplete, and `zx` exits 128 + the signal: 130, 143);
/// a second one, or one while native code that never polls runs, ends the process as usual.
mod signals {
    #[cfg(unix)]
    extern "C" fn on_signal(sig: libc::c_int) {
        if zexus::vm::interrupt::pending() {
            // SAFETY: `signal` and `raise` are async-signal-safe; restoring the default
            // action and re-raising ends the process as the signal normally would.
            unsafe {
                libc::signal(sig, libc::SIG_DFL);
                libc::raise(sig);
            }
        }
        zexus::vm::interrupt::request(sig);
    }

    /// Installs the handlers (nothing on platforms without signals).
    pub fn install() {
        #[cfg(unix)]
        for sig in [libc::SIGINT, libc::SIGTERM] {
            let handler: extern "C" fn(libc::c_int) = on_signal;
            // SAFETY: the handler only performs an atomic store (and, the second time,
            // async-signal-safe calls).
            unsafe {
                libc::signal(sig, handler as libc::sighandler_t);
            }
        }
    }
}

/// `zx repl`: lines from a terminal (with line editing and history, kept in
/// `~/.zx_history`), or plain lines from standard input otherwise (for scripts and tests).
fn repl(jit: bool, hot_threshold: u32, color: bool) -> Result<(), Failure> {
    use std::io::{BufRead, IsTerminal};
    use zexus::repl::{Repl, Step};

    let io_failure = |e: io::Error| Failure(EXIT_IO, format!("zx repl: {e}"));
    let mut r = Repl::new(jit, hot_threshold);
    r.set_color(color);
    let (mut out, mut err) = (io::stdout(), io::stderr());
    if !io::stdin().is_terminal() {
        for line in io::stdin().lock().lines() {
            let line = line.map_err(io_failure)?;
            if r.feed(&line, &mut out, &mut err).map_err(io_failure)? == Step::Quit {
                break;
            }
        }
        return Ok(());
    }
    use rustyline::error::ReadlineError;
    let mut editor = rustyline::DefaultEditor::new()
        .map_err(|e| Failure(EXIT_IO, format!("zx repl: cannot open the terminal: {e}")))?;
    let history = std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".zx_history"));
    if let Some(h) = &history {
        // A missing history file is normal on the first run.
        let _ = editor.load_history(h);
    }
    println!(
        "Zexus {} — :help for commands, :quit or Ctrl-D to leave",
        env!("CARGO_PKG_VERSION")
    );
    loop {
        match editor.readline(r.prompt()) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                if r.feed(&line, &mut out, &mut err).map_err(io_failure)? == Step::Quit {
                    break;
                }
            }
            // Ctrl-C drops the unfinished input, as in Python's prompt.
            Err(ReadlineError::Interrupted) => r.cancel(),
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(Failure(EXIT_IO, format!("zx repl: {e}"))),
        }
    }
    if let Some(h) = &history {
        let _ = editor.save_history(h);
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(code, msg)) => {
            if !msg.is_empty() {
                eprintln!("{msg}");
            }
            ExitCode::from(code)
        }
    }
}
