"""The guide's Fibonacci example through the `zexus` module vs the same work as a CPython
loop, and the per-call overhead of `VM.execute`.

Run: python python/bench/bench_fib.py   (after `pip install ./python`)

Every figure is the median of REPEATS timed batches; the machine may be shared, so compare
ratios rather than absolute times.
"""

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from conftest import counting_loop_bytecode, fibonacci_bytecode  # noqa: E402
from zexus import VM, BytecodeBuilder  # noqa: E402

REPEATS = 7


def per_call(fn, calls):
    """Median time of one call of fn, in seconds, over REPEATS batches of `calls` calls."""
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        for _ in range(calls):
            fn()
        times.append((time.perf_counter() - t0) / calls)
    return statistics.median(times)


def fib_python():
    """The guide's program, as a CPython loop."""
    n = 20
    a = 0
    b = 1
    i = 0
    while i < n:
        temp = a + b
        a = b
        b = temp
        i = i + 1
    return a


def sum_python(n):
    """counting_loop_bytecode(n), as a CPython loop."""
    i = 0
    s = 0
    while i < n:
        s = s + i
        i = i + 1
    return s


def main():
    rows = []
    fib = fibonacci_bytecode()
    interp = VM(use_jit=False)
    jit = VM(use_jit=True)
    profiled = VM(enable_profiling=True, profiling_level="DETAILED", use_jit=False)
    assert interp.execute(fib) == jit.execute(fib) == fib_python() == 6765

    t_py = per_call(fib_python, 20000)
    rows.append(("Fibonacci(20), CPython loop", t_py, 1.0))
    for name, vm in (("zexus, interpreter", interp), ("zexus, JIT on", jit), ("zexus, DETAILED profiling", profiled)):
        t = per_call(lambda vm=vm: vm.execute(fib), 20000)
        rows.append((f"Fibonacci(20), {name}", t, t_py / t))

    n = 1_000_000
    big = counting_loop_bytecode(n)
    assert interp.execute(big) == sum_python(n)
    t_py = per_call(lambda: sum_python(n), 1)
    rows.append((f"sum loop {n:,} iterations, CPython loop", t_py, 1.0))
    for name, vm in (("zexus, interpreter", interp), ("zexus, JIT on", jit)):
        t = per_call(lambda vm=vm: vm.execute(big), 1)
        rows.append((f"sum loop {n:,} iterations, {name}", t, t_py / t))

    b = BytecodeBuilder()
    b.emit_load_const(1)
    b.emit_return()
    trivial = b.build()
    t_call = per_call(lambda: interp.execute(trivial), 100000)
    t_noop = per_call(lambda: None, 100000)
    rows.append(("execute() of LOAD_CONST; RETURN (per call)", t_call, None))
    rows.append(("a Python call of a no-op lambda (per call)", t_noop, None))

    print(f"| {'what':<52} | {'time per run':>14} | {'speed vs CPython':>16} |")
    print(f"|{'-' * 54}|{'-' * 16}:|{'-' * 18}:|")
    for what, t, ratio in rows:
        shown = f"{t * 1e6:,.2f} µs" if t < 1e-2 else f"{t * 1e3:,.1f} ms"
        r = "" if ratio is None else f"{ratio:.1f}x"
        print(f"| {what:<52} | {shown:>14} | {r:>16} |")


if __name__ == "__main__":
    main()
