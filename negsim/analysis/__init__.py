"""Analysis as pure functions over arrays and tables: intervals, and later bargaining points."""

from negsim.analysis.intervals import wilson_interval

__all__ = ["wilson_interval"]
