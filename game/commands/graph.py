"""`divergence graph`: draw a story's nodes, choices and endings as a Mermaid or DOT diagram."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from game import exitcodes
from game.commands.base import add_command

if TYPE_CHECKING:
    from game.catalog import Catalog

NAME = "graph"
ORDER = 30
FORMATS = ("mermaid", "dot")


def register(commands: Any) -> None:
    parser = add_command(
        commands,
        NAME,
        "draw a story as a Mermaid or Graphviz diagram",
        "Write a diagram of a story: every node and ending, every choice as a labelled arrow "
        "with its condition, chance as a diamond with dashed weighted arrows, automatic routes "
        "dashed. Mermaid text can be pasted into mermaid.live or a ```mermaid block in GitHub "
        "Markdown; DOT text is drawn by Graphviz, e.g. 'dot -Tsvg story.dot -o story.svg'.",
    )
    parser.add_argument(
        "story", metavar="STORY", help="story id, or path of a story file or folder"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="mermaid",
        help="mermaid (the default) or dot (Graphviz)",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", default=None, help="write to FILE instead of the screen"
    )


def run(catalog: Catalog, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    from game.graph import to_dot, to_mermaid
    from game.saves import atomic_write

    entry = catalog.find(args.story)
    if entry.error is not None or entry.story is None:
        sys.stderr.write(f"The story '{entry.id}' cannot be drawn because it has errors:\n")
        if entry.error is not None:
            sys.stderr.write(entry.error.report() + "\n")
        return exitcodes.STORY
    text = to_dot(entry.story) if args.format == "dot" else to_mermaid(entry.story)
    if args.output is None:
        out.write(text)
        return exitcodes.OK
    target = Path(args.output).expanduser()
    try:
        atomic_write(target, text)
    except OSError as error:
        sys.stderr.write(f"divergence: cannot write {target}: {error.strerror or error}\n")
        return exitcodes.USAGE
    out.write(f"Wrote the {args.format} graph of '{entry.id}' to {target}\n")
    return exitcodes.OK
