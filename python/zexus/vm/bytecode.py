"""``from zexus.vm.bytecode import BytecodeBuilder`` (the guide's import path)."""

from .. import Bytecode, BytecodeBuilder

__all__ = ["Bytecode", "BytecodeBuilder"]
