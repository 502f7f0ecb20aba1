"""`divergence schema`: the JSON Schema of story files, for editors to validate and complete."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from game.cli.commands.base import Context, add_command, add_output, emit

if TYPE_CHECKING:
    pass

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


def run(context: Context, args: argparse.Namespace) -> int:
    from game.story.schema import schema_text

    return emit(context, schema_text(), args.output, "the story schema")
