"""``from zexus.vm.vm import VM`` (the guide's import path)."""

from .. import VM

__all__ = ["VM"]
