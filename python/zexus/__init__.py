"""The Zexus VM from Python: the original Zexus profiler guide's API, running on the Rust VM.

    from zexus import VM, BytecodeBuilder

    vm = VM(enable_profiling=True, profiling_level="DETAILED", use_jit=False)
    builder = BytecodeBuilder()
    builder.emit_load_const(10)
    builder.emit_load_const(20)
    builder.emit_add()
    builder.emit_return()
    result = vm.execute(builder.build())          # 30
    print(vm.get_profiling_report(format='text', top_n=20))

The guide's other import paths work too: ``zexus.vm.vm``, ``zexus.vm.bytecode``,
``zexus.vm.profiler``.
"""

import enum as _enum

from ._zexus import (
    VM,
    Bytecode,
    BytecodeBuilder,
    HotLoop,
    InstructionProfiler,
    ZexusCompileError,
    ZexusError,
    ZexusRuntimeError,
    ZexusVerificationError,
    compile,
    eval,
)


class ProfilingLevel(_enum.Enum):
    """What the profiler records: NONE, BASIC (counts), DETAILED (+ timings), FULL (+ memory,
    branches, hot loops). ``ProfilingLevel("detailed")`` accepts the guide's strings in any
    case; ``VM(profiling_level=...)`` and ``InstructionProfiler(level=...)`` take either."""

    NONE = 0
    BASIC = 1
    DETAILED = 2
    FULL = 3

    @classmethod
    def _missing_(cls, value):
        if isinstance(value, str):
            return cls.__members__.get(value.strip().upper())
        return None


__all__ = [
    "VM",
    "Bytecode",
    "BytecodeBuilder",
    "HotLoop",
    "InstructionProfiler",
    "ProfilingLevel",
    "ZexusCompileError",
    "ZexusError",
    "ZexusRuntimeError",
    "ZexusVerificationError",
    "compile",
    "eval",
]


class Evaluator:
    """The guide's use case 4, "Profiling Zexus Programs": ``evaluator.use_vm = True``,
    ``evaluator.vm_instance = VM(...)``, then ``evaluator.eval(code)`` runs the source on that
    VM (so its profiler sees it). Without ``use_vm`` (or without a VM) it runs on a fresh VM
    with default settings."""

    def __init__(self):
        self.use_vm = False
        self.vm_instance = None

    def eval(self, code):
        """Compiles and runs Zexus source; returns the value of its last expression."""
        if self.use_vm and self.vm_instance is not None:
            return self.vm_instance.eval(code)
        return eval(code)


__all__.append("Evaluator")
