"""What every subcommand shares: the parser class, the common options, the epilog."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from game.cli import exitcodes

if TYPE_CHECKING:
    from game.story.catalog import Catalog
    from game.story.compiled import Story

EPILOG = (
    exitcodes.help_text()
    + """
Saves go to ./saves when run from a checkout, otherwise to the user's data
folder (e.g. ~/.local/share/divergence/saves); --saves DIR or the
DIVERGENCE_SAVES environment variable choose another folder.
"""
)


@dataclass(frozen=True)
class Context:
    """What every command runs with: the stories found and the three standard streams."""

    catalog: Catalog
    stdin: TextIO
    stdout: TextIO
    stderr: TextIO


class Parser(argparse.ArgumentParser):
    """Exits with the usage code (2) and one line on a bad command line."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(exitcodes.USAGE, f"{self.prog}: error: {message}\n")


def add_common(parser: argparse.ArgumentParser, top: bool = False) -> None:
    # On subcommands the defaults are suppressed so that they never clobber the same
    # option given before the subcommand (`divergence --saves X play ...`).
    parser.add_argument(
        "--stories",
        metavar="DIR",
        action="append",
        default=[] if top else argparse.SUPPRESS,
        help="also look for stories in DIR (may be given more than once)",
    )
    parser.add_argument(
        "--saves",
        metavar="DIR",
        default=None if top else argparse.SUPPRESS,
        help="save folder (default: ./saves in a checkout, else the user data folder; "
        "or set DIVERGENCE_SAVES)",
    )


def add_command(
    commands: Any, name: str, summary: str, description: str
) -> argparse.ArgumentParser:
    """A subcommand with the shared epilog and options."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        description=description,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_common(parser)
    return parser


def bounded_int(low: int, high: int | None = None, unit: str = "") -> Callable[[str], int]:
    """An argparse type: a whole number from `low` to `high` (no upper bound if None)."""
    what = f" {unit}" if unit else ""

    def convert(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a whole number{what}") from None
        if high is None and value < low:
            raise argparse.ArgumentTypeError(f"must be at least {low}{what}, not {value}")
        if high is not None and not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be between {low} and {high:,}{what}, not {value}"
            )
        return value

    return convert


positive = bounded_int(1)
seed = bounded_int(0, 2**63 - 1)


def add_output(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-o", "--output", metavar="FILE", default=None, help="write to FILE instead of the screen"
    )


def emit(context: Context, text: str, output: str | None, what: str) -> int:
    """Print `text`, or write it atomically to `output` and say so; the exit code."""
    if output is None:
        context.stdout.write(text)
        return exitcodes.OK
    from game.saves.files import atomic_write

    target = Path(output).expanduser()
    try:
        atomic_write(target, text)
    except OSError as error:
        context.stderr.write(f"divergence: cannot write {target}: {error.strerror or error}\n")
        return exitcodes.USAGE
    context.stdout.write(f"Wrote {what} to {target}\n")
    return exitcodes.OK


def playable_story(context: Context, name: str, purpose: str) -> Story | None:
    """The story called `name`, or None after its errors went to stderr."""
    entry = context.catalog.find(name)
    if entry.error is not None or entry.story is None:
        context.stderr.write(f"The story '{entry.id}' cannot be {purpose} because it has errors:\n")
        if entry.error is not None:
            context.stderr.write(entry.error.report() + "\n")
        return None
    return entry.story
