"""Shared programs for the guide's snippets."""

import pytest

from zexus import BytecodeBuilder


def fibonacci_bytecode():
    """The guide's "Real-World Profiling Session" program, emitted call for call."""
    builder = BytecodeBuilder()

    # n = 20
    builder.emit_load_const(20)
    builder.emit_store_name("n")

    # a = 0, b = 1
    builder.emit_load_const(0)
    builder.emit_store_name("a")
    builder.emit_load_const(1)
    builder.emit_store_name("b")

    # i = 0
    builder.emit_load_const(0)
    builder.emit_store_name("i")

    # while i < n:
    builder.emit_label("loop")
    builder.emit_load_name("i")
    builder.emit_load_name("n")
    builder.emit_lt()
    builder.emit_jump_if_false("end")

    #   temp = a + b
    builder.emit_load_name("a")
    builder.emit_load_name("b")
    builder.emit_add()
    builder.emit_store_name("temp")

    #   a = b
    builder.emit_load_name("b")
    builder.emit_store_name("a")

    #   b = temp
    builder.emit_load_name("temp")
    builder.emit_store_name("b")

    #   i = i + 1
    builder.emit_load_name("i")
    builder.emit_load_const(1)
    builder.emit_add()
    builder.emit_store_name("i")

    builder.emit_jump("loop")

    # return a
    builder.emit_label("end")
    builder.emit_load_name("a")
    builder.emit_return()

    return builder.build()


def counting_loop_bytecode(n, step=1):
    """``i = 0; s = 0; while i < n: s = s + i; i = i + step``; returns s."""
    b = BytecodeBuilder()
    b.emit_load_const(0)
    b.emit_store_name("i")
    b.emit_load_const(0)
    b.emit_store_name("s")
    b.emit_label("loop")
    b.emit_load_name("i")
    b.emit_load_const(n)
    b.emit_lt()
    b.emit_jump_if_false("end")
    b.emit_load_name("s")
    b.emit_load_name("i")
    b.emit_add()
    b.emit_store_name("s")
    b.emit_load_name("i")
    b.emit_load_const(step)
    b.emit_add()
    b.emit_store_name("i")
    b.emit_jump("loop")
    b.emit_label("end")
    b.emit_load_name("s")
    b.emit_return()
    return b.build()


# Instructions the guide's Fibonacci program executes: 8 of set-up, 17 per iteration (20
# iterations), the final failing test (4) and the return (2).
FIB_INSTRUCTIONS = 8 + 17 * 20 + 4 + 2


@pytest.fixture
def fib_bytecode():
    return fibonacci_bytecode()
