"""`divergence stories`: the stories found, each with how long it takes to read."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.cli import exitcodes
from game.cli.commands.base import Context, add_command
from game.presentation import plural

if TYPE_CHECKING:
    pass

NAME = "stories"
ORDER = 1  # first in `divergence --help`, then play


def register(commands: Any) -> None:
    add_command(commands, NAME, "list the stories found", "List the stories found.")


def run(context: Context, args: argparse.Namespace) -> int:
    from game.play.reading import estimate

    catalog, out = context.catalog, context.stdout
    entries = catalog.entries()
    if not entries:
        out.write("No stories found.\n")
        return exitcodes.OK
    width = max(len(entry.id) for entry in entries)
    seen: dict[str, Path] = {}
    for entry in entries:
        if entry.story is not None:
            story = entry.story
            reading = estimate(story).label
            out.write(f"{entry.id:<{width}}  {story.title} ({story.era}), {reading}\n")
        else:
            count = len(entry.error.problems) if entry.error else 0
            out.write(
                f"{entry.id:<{width}}  [broken: {plural(count, 'error')}; "
                f"run 'divergence check {entry.path}']\n"
            )
        if entry.id in seen:
            out.write(
                f"{'':<{width}}  (same id as {seen[entry.id]}; 'play {entry.id}' takes that one)\n"
            )
        seen.setdefault(entry.id, entry.path)
    return exitcodes.OK
