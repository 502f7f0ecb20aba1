"""`divergence schema`: the JSON Schema of story files, for editors to validate and complete."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any, TextIO

from game.cli.commands.base import add_command, add_output, emit

if TYPE_CHECKING:
    from game.story.catalog import Catalog

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
    add_output(parser)


def run(catalog: Catalog, args: argparse.Namespace, stdin: TextIO, out: TextIO) -> int:
    from game.story.schema import schema_text

    return emit(schema_text(), args.output, out, "the story schema")
