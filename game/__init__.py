"""Divergence: a terminal game of alternate Soviet history, 1939-1949.

The package is layered, each layer importing only those below it: `story` (the
format, expressions, loader and compiled story) <- `play` (the engine, votes, the
map's model) <- `saves` <- `session` (one player's run) <- the tools (`check`,
`writer`, `classroom`) <- the fronts (`cli`, `ui`). Only `ui` imports Textual;
the import-linter contracts in `pyproject.toml` check all of it.
"""

__version__ = "0.1.0"
