"""`divergence schema`: the JSON Schema of story files, for editors to validate and complete."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from game import exitcodes
from game.commands.base import add_command

if TYPE_CHECKING:
    from game.catalog import Catalog

NAME = "schema"
ORDER = 40


def register(commands: Any) -> None:
    parser = add_command(
        commands,
        NAME,
        "write the JSON Schema of story files",
        "Write the JSON Schema of the story format, generated from the loader's own models, "
        "for TOML editors (Taplo, VS Code's Even Better TOML). Point a story file at it with "
        "a first line '#:schema PATH'.",
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", default=None, help="write to FILE instead of the screen"
    )


def run(catalog: Catalog, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    from game.saves import atomic_write
    from game.schema import schema_text

    text = schema_text()
    if args.output is None:
        out.write(text)
        return exitcodes.OK
    target = Path(args.output).expanduser()
    try:
        atomic_write(target, text)
    except OSError as error:
        sys.stderr.write(f"divergence: cannot write {target}: {error.strerror or error}\n")
        return exitcodes.USAGE
    out.write(f"Wrote the story schema to {target}\n")
    return exitcodes.OK
