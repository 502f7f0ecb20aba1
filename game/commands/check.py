"""`divergence check`: load stories and report every problem as file:line: code: message."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from game import exitcodes
from game.commands.base import add_command, plural

if TYPE_CHECKING:
    from game.catalog import Catalog

NAME = "check"
ORDER = 10


def register(commands: Any) -> None:
    parser = add_command(
        commands,
        NAME,
        "check stories for errors",
        "Load stories and print every error as file:line: code: message. "
        "With no STORY, checks every story found.",
    )
    parser.add_argument("story", metavar="STORY", nargs="*", help="story ids or paths")


def run(catalog: Catalog, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    names: list[str] = args.story
    entries = [catalog.find(name) for name in names] if names else catalog.entries()
    failed = 0
    for entry in entries:
        if entry.error is not None:
            failed += 1
            for problem in entry.error.problems:
                out.write(f"{problem}\n")
        else:
            assert entry.story is not None
            nodes, endings = len(entry.story.nodes), len(entry.story.endings)
            out.write(f"{entry.path}: ok ({plural(nodes, 'node')}, {plural(endings, 'ending')})\n")
    if failed:
        out.write(f"{failed} of {plural(len(entries), 'story', 'stories')} with errors\n")
        return exitcodes.STORY
    return exitcodes.OK
