"""Reproducible chance: a number that depends only on a seed and a counter.

The engine draws chance outcomes with it and the templates draw `{shuffle}` passages with
it, so a run replays exactly from its seed and path.
"""

from __future__ import annotations

MASK64 = (1 << 64) - 1


def chance(seed: int, draw: int) -> float:
    """A number in [0, 1) that depends only on the seed and the draw count (splitmix64)."""
    z = (seed + (draw + 1) * 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    z ^= z >> 31
    return (z >> 11) / float(1 << 53)
