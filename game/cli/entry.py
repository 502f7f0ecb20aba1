"""The `divergence` command line.

Its exit codes, and their one wording, are in `game.cli.exitcodes`.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from game import __version__
from game.cli import exitcodes
from game.cli.commands import base, command_modules, play
from game.saves.locations import saves_folder
from game.story.catalog import Catalog, UnknownStory

if TYPE_CHECKING:  # the saves need pydantic; the title screen is drawn before they are read
    from game.ui.app import DivergenceApp

EXIT_OK = exitcodes.OK
EXIT_STORY = exitcodes.STORY
EXIT_USAGE = exitcodes.USAGE
EXIT_SAVE = exitcodes.SAVE
EXIT_INTERRUPTED = exitcodes.INTERRUPTED
EXIT_BUG = exitcodes.BUG

EPILOG = base.EPILOG
_Parser = base.Parser
_common = base.add_common


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="divergence",
        description="Divergence: decide at the turning points of Soviet history, 1939-1949.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"divergence {__version__}")
    _common(parser, top=True)
    # what `divergence serve` runs for each browser tab: the title screen in Textual's web
    # driver (stdin and stdout are pipes, not a terminal), asking every student's name
    parser.add_argument("--browser-session", action="store_true", help=argparse.SUPPRESS)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    for module in command_modules():
        module.register(commands)
    return parser


def _tolerant_streams() -> None:
    """Undecodable input or an output encoding without a character must not crash play."""
    for stream in (sys.stdin, sys.stdout):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def main(
    argv: Sequence[str] | None = None, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    if stdin is None or stdout is None:
        _tolerant_streams()
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    args = build_parser().parse_args(argv)
    missing = [folder for folder in args.stories if not Path(folder).is_dir()]
    if missing:
        sys.stderr.write(f"divergence: --stories {missing[0]}: no such folder\n")
        return EXIT_USAGE
    catalog = Catalog(Path(folder) for folder in args.stories)
    commands = {module.NAME: module for module in command_modules()}
    context = base.Context(catalog, stdin, stdout, sys.stderr)
    try:
        if args.command in commands:
            return int(commands[args.command].run(context, args))
        return cmd_menu(context, args)
    except KeyboardInterrupt:
        stdout.write("\nInterrupted.\n")
        return EXIT_INTERRUPTED
    except UnknownStory as error:
        sys.stderr.write(f"divergence: {error}\n")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # a bug of ours: one clear line, the traceback only on request
        if os.environ.get("DIVERGENCE_DEBUG"):
            raise
        sys.stderr.write(
            f"divergence: unexpected error ({type(error).__name__}: {error}). This is a bug in "
            "Divergence; run again with DIVERGENCE_DEBUG=1 to see where it happened.\n"
        )
        return EXIT_BUG


def _end_with_server(app: DivergenceApp) -> None:
    """A browser session quits when its server is gone, even one killed without warning.

    The server tells its games to quit when it stops; killed, it cannot, and Textual's web
    driver only stops reading at the end of its input. The game then belongs to another
    parent: a thread that notices ends it (its progress was saved at the last decision).
    """
    import threading
    import time

    server = os.getppid()

    def watch() -> None:
        while os.getppid() == server:
            time.sleep(1)
        with contextlib.suppress(RuntimeError):  # the game had already ended
            app.call_from_thread(app.exit)

    threading.Thread(target=watch, name="end-with-server", daemon=True).start()


def cmd_menu(context: base.Context, args: argparse.Namespace) -> int:
    """No command given: the game's title screen, or a numbered list when there is no terminal."""
    catalog, stdin, stdout = context.catalog, context.stdin, context.stdout
    browser = bool(getattr(args, "browser_session", False))
    if browser or play.interactive(stdin, stdout):
        from game.ui.app import DivergenceApp

        app = DivergenceApp(catalog, saves_folder(args.saves), ask_name=browser)
        if browser:
            _end_with_server(app)
        app.run()
        return app.return_code or EXIT_OK
    playable = [entry for entry in catalog.entries() if entry.story is not None]
    if not playable:
        stdout.write("No playable stories found. Run 'divergence check' to see why.\n")
        return EXIT_STORY
    stdout.write("DIVERGENCE — turning points of Soviet history, 1939-1949\n\n")
    for number, entry in enumerate(playable, start=1):
        assert entry.story is not None
        stdout.write(f"  {number}. {entry.story.title} ({entry.story.era})\n")
    stdout.write("\nWhich story? ")
    stdout.flush()
    answer = stdin.readline().strip()
    if not answer.isdigit() or not 1 <= int(answer) <= len(playable):
        stdout.write("No story chosen.\n")
        return EXIT_OK
    args.story = str(playable[int(answer) - 1].path)
    args.seed = None
    args.player = None
    args.load = None
    args.resume = False
    args.plain = True
    args.watch = False
    return play.run(context, args)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
