"""The guide's four use cases, as written (imports adapted)."""

import json

from conftest import counting_loop_bytecode, fibonacci_bytecode
from zexus import VM
from zexus.evaluator.core import Evaluator


def test_finding_performance_bottlenecks(capsys):
    bytecode = fibonacci_bytecode()
    vm = VM(enable_profiling=True, profiling_level="DETAILED")

    # Run your code
    vm.execute(bytecode)

    # Get slowest instructions
    summary = vm.get_profiling_summary()
    report = vm.get_profiling_report(format="text", top_n=10)

    # Focus optimization on slowest instructions
    print(report)

    out = capsys.readouterr().out
    assert "TOP 10 HOTTEST INSTRUCTIONS" in out
    assert "SLOWEST" in out
    assert summary["total_instructions"] > 0
    slowest = json.loads(vm.get_profiling_report(format="json", top_n=10))["slowest_instructions"]
    assert 0 < len(slowest) <= 10
    # Largest total time first (compared to the µs, as the report does).
    times = [round(r["total_time_ms"] * 1e3) for r in slowest]
    assert times == sorted(times, reverse=True)


def test_detecting_hot_loops(capsys):
    loop_bytecode = counting_loop_bytecode(5000)
    vm = VM(enable_profiling=True, profiling_level="FULL")

    # Run code with loops
    vm.execute(loop_bytecode)

    # Get hot loop report
    report_data = json.loads(vm.get_profiling_report(format="json"))

    for loop in report_data["hot_loops"]:
        print(f"Hot loop: IP {loop['start_ip']}-{loop['end_ip']}")
        print(f"  Iterations: {loop['iterations']}")
        print(f"  Avg time/iter: {loop['avg_iteration_us']:.2f}μs")

    out = capsys.readouterr().out
    assert "Hot loop: IP 4-16\n" in out
    assert "  Iterations: 5000\n" in out
    assert "  Avg time/iter: " in out


def test_comparing_optimizations(capsys):
    # v1 counts to 20000 one by one; v2 in steps of 2: half the iterations.
    bytecode_v1 = counting_loop_bytecode(20000, step=1)
    bytecode_v2 = counting_loop_bytecode(20000, step=2)

    # Before optimization
    vm1 = VM(enable_profiling=True, profiling_level="DETAILED")
    vm1.execute(bytecode_v1)
    stats1 = vm1.get_profiling_summary()

    # After optimization
    vm2 = VM(enable_profiling=True, profiling_level="DETAILED")
    vm2.execute(bytecode_v2)
    stats2 = vm2.get_profiling_summary()

    # Compare
    speedup = stats1["total_time_sec"] / stats2["total_time_sec"]
    print(f"Speedup: {speedup:.2f}x")
    print(f"Instruction reduction: {stats1['total_instructions'] - stats2['total_instructions']}")

    out = capsys.readouterr().out
    # 13 instructions per iteration, 10000 iterations fewer.
    assert "Instruction reduction: 130000\n" in out
    assert speedup > 0


def test_profiling_zexus_programs(capsys):
    code = """
let sum = 0
let i = 0
while (i < 1000) {
    sum = sum + i
    i = i + 1
}
sum
"""

    evaluator = Evaluator()

    # Enable VM with profiling
    evaluator.use_vm = True
    evaluator.vm_instance = VM(enable_profiling=True, profiling_level="FULL")

    result = evaluator.eval(code)

    # Get profiling report
    report = evaluator.vm_instance.get_profiling_report(format="text")
    print(report)

    assert result == 499500
    out = capsys.readouterr().out
    assert "Profiling Level:       FULL" in out
    assert "HOT LOOPS" in out
    summary = evaluator.vm_instance.get_profiling_summary()
    assert summary["hot_loops_detected"] == 1
