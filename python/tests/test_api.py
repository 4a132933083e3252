"""The module beyond the guide's snippets: errors as exceptions, values both ways, the GIL,
the JIT and its events, ProfilingLevel's strings."""

import threading
import time

import pytest

import zexus
from conftest import FIB_INSTRUCTIONS, counting_loop_bytecode, fibonacci_bytecode
from zexus import (
    VM,
    BytecodeBuilder,
    InstructionProfiler,
    ProfilingLevel,
    ZexusCompileError,
    ZexusError,
    ZexusRuntimeError,
    ZexusVerificationError,
)


def test_error_hierarchy():
    for cls in (ZexusCompileError, ZexusRuntimeError, ZexusVerificationError):
        assert issubclass(cls, ZexusError)
    assert issubclass(ZexusError, Exception)


def test_compile_error():
    with pytest.raises(ZexusCompileError) as e:
        VM().eval("let x = ")
    assert str(e.value) == "[line 1] Error at end: expected expression"
    assert e.value.errors == ["[line 1] Error at end: expected expression"]
    # Just after the last token.
    assert e.value.positions == [(1, 8)]


def test_runtime_error_and_the_vm_goes_on():
    vm = VM(enable_profiling=True, profiling_level="BASIC")
    with pytest.raises(ZexusRuntimeError) as e:
        vm.eval("let y = 1\nfunction f(v) { return v + null }\nf(y)")
    assert str(e.value).startswith("attempt to add int and null")
    assert e.value.line == 2
    assert e.value.column == 26  # the '+'
    assert e.value.trace == [("f", 2), ("<main>", 3)]
    # The same VM still runs programs.
    assert vm.eval("6 * 7") == 42


def test_runtime_error_from_bytecode():
    b = BytecodeBuilder()
    b.emit_load_const(1).emit_load_const(0).emit_div().emit_return()
    with pytest.raises(ZexusRuntimeError, match="division by zero"):
        VM().execute(b.build())


def test_verification_errors():
    b = BytecodeBuilder()
    b.emit_jump("nowhere")
    with pytest.raises(ZexusVerificationError, match="nowhere"):
        b.build()
    b = BytecodeBuilder()
    b.emit_add().emit_return()  # pops from an empty stack
    with pytest.raises(ZexusVerificationError):
        b.build()
    b = BytecodeBuilder()
    b.emit_load_const(1)  # falls off the end
    with pytest.raises(ZexusVerificationError):
        b.build()
    b = BytecodeBuilder()
    b.emit_call_builtin("no_such_builtin", 0).emit_return()
    with pytest.raises(ZexusVerificationError, match="no_such_builtin"):
        b.build()


def test_builder_is_used_up_by_build():
    b = BytecodeBuilder()
    b.emit_load_const(1).emit_return()
    b.build()
    with pytest.raises(ZexusError, match="already built"):
        b.emit_return()


def test_bad_arguments_are_python_errors():
    with pytest.raises(ValueError, match="unknown profiling level"):
        VM(enable_profiling=True, profiling_level="LOUD")
    with pytest.raises(ValueError, match="unknown report format"):
        VM(enable_profiling=True).get_profiling_report(format="pdf")
    with pytest.raises(ValueError, match="disagree"):
        VM(jit=True, use_jit=False)
    with pytest.raises(ValueError):
        InstructionProfiler().measure_instruction(0, -1.0)
    with pytest.raises(OverflowError):
        BytecodeBuilder().emit_load_const(2**70)
    with pytest.raises(TypeError):
        BytecodeBuilder().emit_load_const(object())
    with pytest.raises(TypeError):
        VM().execute("not bytecode")


def test_values_both_ways():
    b = BytecodeBuilder()
    b.emit_load_const([1, 2.5, "three", None, True, {"k": [False]}]).emit_return()
    assert VM().execute(b.build()) == [1, 2.5, "three", None, True, {"k": [False]}]
    assert zexus.eval('let m = {"a": 1}\nm["b"] = [1, 2]\nm') == {"a": 1, "b": [1, 2]}
    assert zexus.eval("1.5 * 2") == 3.0
    assert zexus.eval('"a" + "b"') == "ab"
    assert zexus.eval("let x = 1") is None


def test_profiling_level_accepts_the_guides_strings():
    assert ProfilingLevel("DETAILED") is ProfilingLevel.DETAILED
    assert ProfilingLevel("full") is ProfilingLevel.FULL
    assert ProfilingLevel["BASIC"] is ProfilingLevel.BASIC
    assert ProfilingLevel(0) is ProfilingLevel.NONE
    with pytest.raises(ValueError):
        ProfilingLevel("LOUD")
    for level in ProfilingLevel:
        vm = VM(enable_profiling=True, profiling_level=level)
        assert vm.profiling_level == level.name
        assert InstructionProfiler(level=level).level == level.name
    assert VM(enable_profiling=True, profiling_level="basic").profiling_level == "BASIC"
    # enable_profiling=False wins over the level.
    assert VM(profiling_level="FULL").profiling_level == "NONE"


def test_set_profiling_level():
    vm = VM(enable_profiling=True, profiling_level="BASIC")
    vm.set_profiling_level("FULL")
    vm.execute(counting_loop_bytecode(1500))
    assert vm.get_profiling_summary()["hot_loops_detected"] == 1


def test_jit_gives_the_interpreters_results_and_counts():
    interp = VM(enable_profiling=True, profiling_level="BASIC", jit=False)
    jit = VM(enable_profiling=True, profiling_level="BASIC", jit=True, hot_threshold=50)
    bc = counting_loop_bytecode(100_000)
    assert interp.execute(bc) == jit.execute(bc) == sum(range(100_000))
    assert (
        interp.get_profiling_summary()["total_instructions"]
        == jit.get_profiling_summary()["total_instructions"]
    )
    stats = jit.get_jit_stats()
    assert stats["loops_compiled"] >= 1
    assert stats["entries"] >= 1
    events = jit.get_jit_events()
    assert events["compiled"][0]["function"] == "<main>"
    assert interp.get_jit_stats()["loops_compiled"] == 0


def test_jit_default_is_on_as_in_the_original():
    assert VM().jit is True
    assert VM(use_jit=False).jit is False


def test_emitted_events():
    vm = VM()
    vm.eval('emit Transfer("alice", 5)\nemit Done()')
    assert vm.get_events() == [("Transfer", ["alice", 5]), ("Done", [])]


def test_captured_output():
    vm = VM(capture_output=True)
    vm.eval('print("hello", 42)')
    assert vm.take_output() == "hello 42\n"


def test_functions_and_handlers_in_the_builder():
    b = BytecodeBuilder()
    f = b.begin_function("double", ["x"])
    b.emit_load_name("x").emit_load_const(2).emit_mul().emit_return()
    b.end_function()
    b.emit_load_function(f).emit_store_name("double")
    b.emit_load_const(21).emit_call_name("double", 1)
    b.emit_return()
    assert VM().execute(b.build()) == 42

    b = BytecodeBuilder()
    b.emit_label("try")
    b.emit_load_const("boom")
    b.emit_throw()
    b.emit_label("end")
    b.emit_label("catch")
    b.emit_return()
    b.add_handler("try", "end", "catch", 0)
    assert VM().execute(b.build()) == "boom"


def test_compile_and_disassemble():
    bc = zexus.compile("let x = 2\nx * 21", "prog.zx")
    assert bc.source_name == "prog.zx"
    assert "x" in bc.globals
    assert "LOAD_CONST" in bc.disassemble()
    assert VM().execute(bc) == 42


def test_execute_releases_the_gil():
    """While one thread runs a long program, another Python thread keeps running."""
    vm = VM(jit=False)
    bc = counting_loop_bytecode(20_000_000)
    ticks = []
    done = threading.Event()

    def ticker():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=ticker)
    t.start()
    time.sleep(0.01)
    start = time.perf_counter()
    result = vm.execute(bc)
    end = time.perf_counter()
    done.set()
    t.join()
    assert result == 20_000_000 * (20_000_000 - 1) // 2
    during = [x for x in ticks if start < x < end]
    # The run takes 0.1 s or more; with the GIL held the ticker could not tick at all.
    assert end - start > 0.02
    assert len(during) >= 3


def test_vm_is_confined_to_its_thread():
    vm = VM()
    errors = []

    def other():
        try:
            vm.eval("1 + 1")
        except BaseException as e:  # PyO3 refuses the unsendable VM on another thread
            errors.append(e)

    t = threading.Thread(target=other)
    t.start()
    t.join()
    assert len(errors) == 1
    assert "unsendable" in str(errors[0])
    # Not an `Exception`: PyO3 raises its PanicException, a BaseException.
    assert not isinstance(errors[0], Exception)
    assert vm.eval("1 + 1") == 2


def test_summary_of_the_fibonacci_program():
    vm = VM(enable_profiling=True, profiling_level="BASIC", use_jit=False)
    assert vm.execute(fibonacci_bytecode()) == 6765
    s = vm.get_profiling_summary()
    assert s["total_instructions"] == FIB_INSTRUCTIONS
    assert list(s["most_common_opcodes"])[0] == "LOAD_NAME"
