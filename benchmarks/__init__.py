"""Benchmarks for Divergence: `python benchmarks/core.py` (see README.md here)."""
