"""`divergence new STORY_ID`: create a valid starter story to write from."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.cli import exitcodes
from game.cli.commands.base import Context, add_command

if TYPE_CHECKING:
    pass

NAME = "new"
ORDER = 50


def register(commands: Any) -> None:
    parser = add_command(
        commands,
        NAME,
        "create a new story from a starter",
        "Create DIR/STORY_ID/ with a small, valid story (story.toml, scenes.toml, "
        "endings.toml) that check passes and play plays.",
    )
    parser.add_argument("story_id", metavar="STORY_ID", help="the new story's id, e.g. my_story")
    parser.add_argument(
        "--dir",
        metavar="DIR",
        default=None,
        help="folder to create it in (default: the bundled stories folder)",
    )


def run(context: Context, args: argparse.Namespace) -> int:
    from game.story.locations import bundled_stories
    from game.writer.scaffold import ScaffoldError, create_story

    out = context.stdout
    parent = Path(args.dir).expanduser() if args.dir else bundled_stories()
    try:
        folder = create_story(args.story_id, parent)
    except ScaffoldError as error:
        context.stderr.write(f"divergence: {error}\n")
        return exitcodes.USAGE
    out.write(f"Created {folder}\n\nNext:\n")
    out.write(f"  divergence check {folder}\n")
    out.write(f"  divergence play {folder} --watch\n")
    out.write("The guide is docs/writing.md.\n")
    return exitcodes.OK
