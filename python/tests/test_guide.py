"""The Python code blocks of the original profiler's usage guide, run as written (only the
import path adapted: ``from zexus import VM, BytecodeBuilder``), asserting what the guide
says each prints or returns."""

import json

import pytest

from conftest import FIB_INSTRUCTIONS, counting_loop_bytecode, fibonacci_bytecode
from zexus import VM, BytecodeBuilder, InstructionProfiler, ProfilingLevel


def quick_start_bytecode():
    builder = BytecodeBuilder()
    builder.emit_load_const(10)
    builder.emit_load_const(20)
    builder.emit_add()
    builder.emit_return()
    return builder.build()


def test_quick_start(capsys):
    # Create VM with profiling enabled
    vm = VM(
        enable_profiling=True,
        profiling_level="DETAILED",
        use_jit=False,  # Disable JIT for clearer profiling
    )

    # Create and execute bytecode
    builder = BytecodeBuilder()
    builder.emit_load_const(10)
    builder.emit_load_const(20)
    builder.emit_add()
    builder.emit_return()

    bytecode = builder.build()
    result = vm.execute(bytecode)

    # Get profiling report
    report = vm.get_profiling_report(format="text", top_n=20)
    print(report)

    assert result == 30
    out = capsys.readouterr().out
    assert "ZEXUS VM INSTRUCTION PROFILING REPORT" in out
    assert "Profiling Level:       DETAILED" in out
    assert "Total Instructions:    4" in out
    assert "MOST COMMON OPCODES" in out
    assert "LOAD_CONST" in out and "ADD" in out and "RETURN" in out


@pytest.mark.parametrize("level", ["NONE", "BASIC", "DETAILED", "FULL"])
def test_profiling_levels(level):
    vm = VM(enable_profiling=True, profiling_level=level, use_jit=False)
    assert vm.execute(quick_start_bytecode()) == 30
    assert vm.profiling_level == level
    if level == "NONE":
        # "Profiling completely disabled"
        assert vm.get_profiling_report(format="text") == "Profiling not enabled"
        assert vm.get_profiling_summary() == {"error": "Profiling not enabled"}
        return
    summary = vm.get_profiling_summary()
    assert summary["profiling_level"] == level
    # Every level from BASIC up counts exactly.
    assert summary["total_instructions"] == 4
    assert summary["most_common_opcodes"] == {"LOAD_CONST": 2, "ADD": 1, "RETURN": 1}
    report = json.loads(vm.get_profiling_report(format="json"))
    row = report["hottest_instructions"][0]
    if level == "BASIC":
        assert summary["samples"] == 0
    else:
        # DETAILED and FULL time instructions, with percentiles.
        assert summary["samples"] > 0
        for key in ("avg_time_us", "p50_us", "p95_us", "p99_us"):
            assert key in row


def test_creating_a_profiled_vm():
    vm = VM(
        enable_profiling=True,  # Enable profiling
        profiling_level="DETAILED",  # NONE|BASIC|DETAILED|FULL
        use_jit=False,  # Recommended: disable JIT for clearer profiling
    )
    assert vm.profiling_level == "DETAILED"
    assert vm.jit is False


def test_profiler_control():
    vm = VM(enable_profiling=True, profiling_level="DETAILED", use_jit=False)
    bytecode = quick_start_bytecode()

    # Start profiling
    vm.start_profiling()

    # Execute code
    vm.execute(bytecode)

    # Stop profiling
    vm.stop_profiling()

    assert vm.get_profiling_summary()["total_instructions"] == 4
    vm.execute(bytecode)  # not recorded while stopped
    assert vm.get_profiling_summary()["total_instructions"] == 4
    vm.start_profiling()
    vm.execute(bytecode)  # recorded again: counts accumulate
    assert vm.get_profiling_summary()["total_instructions"] == 8

    # Reset profiler statistics
    vm.reset_profiler()
    assert vm.get_profiling_summary()["total_instructions"] == 0


def test_getting_results(tmp_path, monkeypatch, capsys, fib_bytecode):
    monkeypatch.chdir(tmp_path)
    vm = VM(enable_profiling=True, profiling_level="DETAILED", use_jit=False)
    vm.execute(fib_bytecode)

    # Get summary statistics
    summary = vm.get_profiling_summary()
    print(f"Total instructions: {summary['total_instructions']}")
    print(f"Instructions/sec: {summary['instructions_per_sec']:.0f}")
    print(f"Profiling overhead: {summary['overhead_percentage']:.1f}%")

    # Get detailed report (text format)
    report_text = vm.get_profiling_report(format="text", top_n=20)
    print(report_text)

    # Get report in JSON format
    report_json = vm.get_profiling_report(format="json", top_n=20)
    data = json.loads(report_json)

    # Get report in HTML format
    report_html = vm.get_profiling_report(format="html", top_n=20)
    with open("profile_report.html", "w") as f:
        f.write(report_html)

    out = capsys.readouterr().out
    assert f"Total instructions: {FIB_INSTRUCTIONS}\n" in out
    assert summary["instructions_per_sec"] > 0
    assert 0 <= summary["overhead_percentage"] <= 100
    assert "TOP 20 HOTTEST INSTRUCTIONS" in report_text
    assert data["summary"]["total_instructions"] == FIB_INSTRUCTIONS
    html = (tmp_path / "profile_report.html").read_text()
    assert html.lstrip().lower().startswith("<!doctype html")
    assert "LOAD_NAME" in html


def test_json_report_structure(fib_bytecode):
    vm = VM(enable_profiling=True, profiling_level="FULL", use_jit=False)
    vm.execute(counting_loop_bytecode(2500))
    data = json.loads(vm.get_profiling_report(format="json", top_n=20))
    summary = data["summary"]
    for key in (
        "profiling_level",
        "total_instructions",
        "unique_instructions",
        "total_time_sec",
        "instructions_per_sec",
        "profiling_overhead_ms",
        "overhead_percentage",
        "hot_loops_detected",
        "most_common_opcodes",
    ):
        assert key in summary, key
    assert summary["profiling_level"] == "FULL"
    assert summary["hot_loops_detected"] == 1
    hottest = data["hottest_instructions"]
    assert len(hottest) <= 20
    for key in ("opcode", "ip", "count", "avg_time_us", "total_time_ms", "p50_us", "p95_us", "p99_us"):
        assert key in hottest[0], key
    # Most executed first.
    assert [r["count"] for r in hottest] == sorted((r["count"] for r in hottest), reverse=True)
    (loop,) = data["hot_loops"]
    for key in ("start_ip", "end_ip", "iterations", "total_time_ms", "avg_iteration_us"):
        assert key in loop, key
    assert loop["iterations"] == 2500
    assert loop["start_ip"] < loop["end_ip"]


def test_real_world_profiling_session(capsys):
    # Create profiled VM
    vm = VM(enable_profiling=True, profiling_level="DETAILED", use_jit=False)

    # Build fibonacci bytecode (the guide's calls, in conftest.fibonacci_bytecode)
    bytecode = fibonacci_bytecode()

    # Execute
    result = vm.execute(bytecode)
    print(f"Fibonacci(20) = {result}")

    # Get detailed profiling report
    print("\n" + vm.get_profiling_report(format="text", top_n=15))

    # Get summary
    summary = vm.get_profiling_summary()
    print("\n📊 Performance Summary:")
    print(f"   Total Instructions: {summary['total_instructions']:,}")
    print(f"   Execution Time: {summary['total_time_sec']*1000:.2f}ms")
    print(f"   Instructions/sec: {summary['instructions_per_sec']:,.0f}")

    out = capsys.readouterr().out
    assert "Fibonacci(20) = 6765\n" in out
    assert "TOP 15 HOTTEST INSTRUCTIONS" in out
    assert f"   Total Instructions: {FIB_INSTRUCTIONS:,}\n" in out
    assert "   Execution Time: " in out and "ms\n" in out


def test_direct_profiler_access():
    # Create profiler directly
    profiler = InstructionProfiler(level=ProfilingLevel.FULL)

    # Use in custom scenarios
    profiler.start()

    # ... your code ...
    profiler.record_instruction(0, "LOAD_CONST", 42)
    profiler.measure_instruction(0, 0.001)  # 1ms

    profiler.stop()

    # Get results
    summary = profiler.get_summary()
    report = profiler.generate_report(format="json")

    assert summary["total_instructions"] == 1
    assert summary["profiling_level"] == "FULL"
    data = json.loads(report)
    (row,) = data["hottest_instructions"]
    assert row["opcode"] == "LOAD_CONST"
    assert row["ip"] == 0
    assert row["count"] == 1
    # The one measurement: 1 ms.
    assert row["total_time_ms"] == pytest.approx(1.0, rel=1e-6)
    assert row["avg_time_us"] == pytest.approx(1000.0, rel=1e-6)


def test_hot_loop_analysis(capsys):
    vm = VM(enable_profiling=True, profiling_level="FULL", use_jit=False)
    vm.execute(counting_loop_bytecode(3000))

    profiler = vm.profiler
    hot_loops = profiler.get_hot_loops(min_iterations=1000)

    for loop in hot_loops:
        print(f"\nHot Loop: IP {loop.start_ip} -> {loop.end_ip}")
        print(f"  Iterations: {loop.iterations:,}")
        print(f"  Total Time: {loop.total_time*1000:.2f}ms")
        print(f"  Avg/Iteration: {(loop.total_time/loop.iterations)*1_000_000:.2f}μs")
        print(f"  Instructions: {', '.join(loop.instructions[:5])}")

    out = capsys.readouterr().out
    assert len(hot_loops) == 1
    loop = hot_loops[0]
    assert f"Hot Loop: IP {loop.start_ip} -> {loop.end_ip}" in out
    assert "  Iterations: 3,000\n" in out
    assert "  Instructions: LOAD_NAME, LOAD_CONST, LT, JUMP_IF_FALSE, LOAD_NAME\n" in out
    assert loop.total_time >= 0
    assert loop.avg_iteration_us == pytest.approx(loop.total_time * 1e6 / 3000)
    # A loop under the threshold is not hot.
    assert profiler.get_hot_loops(min_iterations=3001) == []
