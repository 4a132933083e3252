"""``from zexus.evaluator.core import Evaluator`` (the guide's import path)."""

from .. import Evaluator

__all__ = ["Evaluator"]
