"""Divergence: a terminal game of alternate Soviet history, 1939-1949.

The package is split in two: the domain modules here (format, expressions,
loader, engine, saves, tools) import nothing from Textual; `game.ui` holds the
interface.
"""

__version__ = "0.1.0"
