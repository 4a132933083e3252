"""``from zexus.vm.profiler import InstructionProfiler, ProfilingLevel`` (the guide's import path)."""

from .. import HotLoop, InstructionProfiler, ProfilingLevel

__all__ = ["HotLoop", "InstructionProfiler", "ProfilingLevel"]
