"""The `divergence` command: its parser and commands, and plain play over standard input and
output.
"""

from game.cli.entry import main

__all__ = ["main"]
