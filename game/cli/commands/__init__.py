"""The tool commands of `divergence` (check, randomtest, graph, ...), one module each.

Every module here other than `base` is a command: it has `NAME`, `ORDER` (its
place in `divergence --help`), `register(commands)`, which adds its subparser,
and `run(context, args) -> int`, its `base.Context` holding the catalog and the three
standard streams. `game.cli.entry` finds them by listing this package, so a new command
is a new file. A module must import
nothing heavy at the top: the title screen is drawn by the same process.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType


def command_modules() -> list[ModuleType]:
    found = [
        importlib.import_module(f"{__name__}.{info.name}")
        for info in pkgutil.iter_modules(__path__)
        if info.name != "base" and not info.name.startswith("_")
    ]
    return sorted(found, key=lambda module: (getattr(module, "ORDER", 100), module.NAME))
