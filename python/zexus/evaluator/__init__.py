"""The guide's ``evaluator`` package."""
