#!/usr/bin/env python3
"""The speed table against the original implementation (issue 12, item 6).

Runs the six programs of `benches/programs` at sizes the original finishes in a few seconds
(its loop runs about 10^4-10^5 simple statements per second), in the original (`zx run`, its
default VM) and here (interpreter and JIT), checks that both print the same output, and prints
a Markdown table of CPU times (user + system of the child process, median of `--runs`), with
the ratio original / ours. CPU time rather than wall time: these machines are shared, and the
original is a single-threaded Python process.

    scripts/vs_original.py --original-zx /path/to/venv/bin/zx --zx target/release/zx

Sizes are substituted for the full-size constants in each program's source (the size table
below); the original's output is compared after its banner (everything up to the line
`Executing on VM...`).
"""

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = os.path.join(HERE, "..", "benches", "programs")

# program -> (full-size text in the source, the same at the size the original finishes, label)
SIZES = {
    "loop_sum": ("let n = 100000000;", "let n = 50000;", "n = 50,000"),
    "fib_iter": ("let reps = 1000000;", "let reps = 100;", "reps = 100"),
    "fib_rec": ("print(fib(32));", "print(fib(18));", "fib(18)"),
    "nested_loops": ("let n = 3000;", "let n = 150;", "n = 150"),
    "sieve": ("let n = 10000000;", "let n = 20000;", "n = 20,000"),
    "collatz": ("let limit = 1000000;", "let limit = 1000;", "limit = 1,000"),
}


def cpu_run(cmd):
    """Runs `cmd`; returns (CPU seconds of the child, its standard output)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600).stdout
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, out


def after_banner(out):
    lines = out.splitlines()
    for i, line in enumerate(lines):
        if line.strip().startswith("Executing on VM"):
            return lines[i + 1 :]
    return lines


def median_cpu(cmd, runs):
    times, out = [], None
    for _ in range(runs):
        t, out = cpu_run(cmd)
        times.append(t)
    return statistics.median(times), out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--original-zx", required=True, help="the original's zx command")
    ap.add_argument("--zx", default=os.path.join(HERE, "..", "target", "release", "zx"))
    ap.add_argument("--runs", type=int, default=3, help="runs per cell (median)")
    ap.add_argument("--only", help="run only programs whose name contains this")
    a = ap.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        # Start-up: a program that prints one number, in each.
        empty = os.path.join(tmp, "empty.zx")
        with open(empty, "w") as f:
            f.write("print(1)\n")
        start = (
            median_cpu([a.original_zx, "run", empty], a.runs)[0],
            median_cpu([a.zx, "run", "--no-jit", empty], a.runs)[0],
            median_cpu([a.zx, "run", empty], a.runs)[0],
        )
        for name, (full, small, label) in SIZES.items():
            if a.only and a.only not in name:
                continue
            src = open(os.path.join(PROGRAMS, name + ".zx")).read()
            if full not in src:
                sys.exit(f"{name}: '{full}' not in the program: update the size table")
            path = os.path.join(tmp, name + ".zx")
            with open(path, "w") as f:
                f.write(src.replace(full, small))
            orig_t, orig_out = median_cpu([a.original_zx, "run", path], a.runs)
            interp_t, interp_out = median_cpu([a.zx, "run", "--no-jit", path], a.runs)
            jit_t, jit_out = median_cpu([a.zx, "run", path], a.runs)
            want = after_banner(orig_out)
            same = want == interp_out.splitlines() == jit_out.splitlines()
            rows.append((name, label, (orig_t, interp_t, jit_t), same))
            print(f"{name}: done", file=sys.stderr)

    def net(t, k):
        """Time less the start-up of an empty program (at least 0.1 ms)."""
        return max(t - start[k], 1e-4)

    print(
        "| program | size | original `zx run` | ours, interpreter | ours, JIT "
        "| original / ours, less start-up (interp, JIT) | same output |"
    )
    print("|---|---|---:|---:|---:|---:|---|")
    print(
        f"| (start-up: `print(1)`) | | {start[0]:.2f} s | {start[1] * 1e3:.1f} ms "
        f"| {start[2] * 1e3:.1f} ms | | |"
    )
    for name, label, (o, i, j), same in rows:
        print(
            f"| {name} | {label} | {o:.2f} s | {i * 1e3:.1f} ms | {j * 1e3:.1f} ms "
            f"| {net(o, 0) / net(i, 1):,.0f}x, {net(o, 0) / net(j, 2):,.0f}x "
            f"| {'yes' if same else 'NO'} |"
        )
    if not all(r[3] for r in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
