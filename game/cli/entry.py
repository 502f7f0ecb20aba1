"""The `divergence` command line.

Its exit codes, and their one wording, are in `game.cli.exitcodes`.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from game import __version__
from game.cli import exitcodes
from game.cli.commands import base, command_modules
from game.presentation import plural
from game.saves.errors import SaveError, SlotNameError
from game.saves.locations import default_player, saves_folder
from game.story.catalog import Catalog, UnknownStory

if TYPE_CHECKING:  # the saves need pydantic; the title screen is drawn before they are read
    from game.saves.files import SaveFile, SaveFolder
    from game.story.compiled import Story
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

    stories = commands.add_parser(
        "stories",
        help="list the stories found",
        description="List the stories found.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _common(stories)

    play = commands.add_parser(
        "play",
        help="play a story",
        description="Play a story. STORY is a story id or the path of a story file or folder.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    play.add_argument("story", metavar="STORY", help="story id, or path of a story file or folder")
    play.add_argument(
        "--plain", action="store_true", help="line-by-line play over standard input and output"
    )
    play.add_argument(
        "--seed", type=int, default=None, help="seed for chance outcomes (default: random)"
    )
    play.add_argument(
        "--player",
        default=None,
        help="player's name, recorded in saves (default: $DIVERGENCE_PLAYER, else your user name)",
    )
    resume_from = play.add_mutually_exclusive_group()
    resume_from.add_argument(
        "--load", metavar="SAVE", default=None, help="start from this save: a slot name or a file"
    )
    resume_from.add_argument(
        "--continue",
        dest="resume",
        action="store_true",
        help="carry on from this player's autosave of the story",
    )
    play.add_argument(
        "--watch",
        action="store_true",
        help="for writers: reload the story whenever its files change, keeping your place",
    )
    play.add_argument(
        "--classroom",
        action="store_true",
        help="class vote: the class discusses and votes at each decision, on a projector",
    )
    play.add_argument(
        "--vote-seconds",
        type=base.bounded_int(1, 3600, "seconds"),
        default=None,
        metavar="N",
        help="with --classroom: each vote closes by itself after N seconds (default: no limit)",
    )
    _common(play)

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
    tools = {module.NAME: module for module in command_modules()}
    try:
        if args.command == "stories":
            return cmd_stories(catalog, stdout)
        if args.command in tools:
            return int(tools[args.command].run(catalog, args, stdin, stdout))
        if args.command == "play":
            return cmd_play(catalog, args, stdin, stdout)
        return cmd_menu(catalog, args, stdin, stdout)
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


def cmd_stories(catalog: Catalog, out: TextIO) -> int:
    from game.play.reading import estimate

    entries = catalog.entries()
    if not entries:
        out.write("No stories found.\n")
        return EXIT_OK
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
    return EXIT_OK


def _load_for_play(catalog: Catalog, name: str) -> Story | None:
    entry = catalog.find(name)
    if entry.error is not None:
        sys.stderr.write(f"The story '{entry.id}' cannot be played because it has errors:\n")
        sys.stderr.write(entry.error.report() + "\n")
        return None
    return entry.story


def _save_to_resume(
    args: argparse.Namespace, folder: SaveFolder, story: Story, player: str, out: TextIO
) -> tuple[SaveFile | None, str, int]:
    """The save named by --load or --continue: (save, label, exit code if it cannot be read)."""
    from game.saves.files import autosave_slot, read_save

    if args.resume:
        slot = autosave_slot(story.id, player)
        try:
            return folder.read(slot), f"the autosave '{slot}'", EXIT_OK
        except SaveError as error:
            if not folder.slot_path(slot).exists():
                out.write(f"No autosave of '{story.id}' for {player} yet; starting a new game.\n")
                return None, "", EXIT_OK
            sys.stderr.write(f"divergence: cannot continue: {error}\n")
            return None, "", EXIT_SAVE
    if args.load is None:
        return None, "", EXIT_OK
    name: str = args.load
    try:
        if os.sep in name or "/" in name or name.endswith(".toml"):
            return read_save(Path(name)), f"'{name}'", EXIT_OK
        return folder.read(name), f"'{name}'", EXIT_OK
    except (SaveError, SlotNameError) as error:
        sys.stderr.write(f"divergence: cannot load '{name}': {getattr(error, 'reason', error)}\n")
        return None, "", EXIT_SAVE


def cmd_play(catalog: Catalog, args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    from game.cli.plain import PlainGame
    from game.saves.files import SaveEntry, SaveFolder

    classroom = getattr(args, "classroom", False)
    vote_seconds = getattr(args, "vote_seconds", None)
    if vote_seconds is not None and not classroom:
        sys.stderr.write("divergence: --vote-seconds is for a class vote: add --classroom\n")
        return EXIT_USAGE
    if classroom and (args.plain or not _interactive(stdin, stdout)):
        sys.stderr.write("divergence: --classroom needs a terminal (it cannot play --plain)\n")
        return EXIT_USAGE
    story = _load_for_play(catalog, args.story)
    if story is None:
        return EXIT_STORY
    gc.freeze()  # the story lives as long as the game: keep the collector from rescanning it
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(6), "big")
    if not 0 <= seed < 2**63:
        sys.stderr.write("divergence: --seed must be between 0 and 2**63 - 1\n")
        return EXIT_USAGE
    folder = SaveFolder(saves_folder(args.saves))
    player = args.player or default_player()
    save, label, code = _save_to_resume(args, folder, story, player, stdout)
    if code != EXIT_OK:
        return code
    if not args.plain:
        if _interactive(stdin, stdout):
            from game.ui.app import DivergenceApp

            resume_entry = SaveEntry(label, Path(label), save) if save is not None else None
            app = DivergenceApp(
                catalog,
                folder,
                args.player,
                story.id,
                args.seed,
                resume_entry,
                story_path=args.story,
                watch=args.watch,
                classroom=classroom,
                vote_seconds=vote_seconds,
            )
            app.run()
            return app.return_code or EXIT_OK
        stdout.write("(No terminal to draw the game in, so it plays line by line.)\n\n")
    game = PlainGame(story, folder, player, stdout, stdin, watch=args.watch)
    try:
        return game.play(seed, save, label)
    except KeyboardInterrupt:
        saved = game.autosave()
        stdout.write(
            "\nInterrupted; the game was saved automatically.\n"
            if saved
            else "\nInterrupted; the game could not be saved.\n"
        )
        return EXIT_INTERRUPTED


def _interactive(stdin: TextIO, stdout: TextIO) -> bool:
    """Whether there is a terminal to draw the Textual interface in."""
    return stdin is sys.stdin and stdout is sys.stdout and stdin.isatty() and stdout.isatty()


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


def cmd_menu(catalog: Catalog, args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """No command given: the game's title screen, or a numbered list when there is no terminal."""
    browser = bool(getattr(args, "browser_session", False))
    if browser or _interactive(stdin, stdout):
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
    return cmd_play(catalog, args, stdin, stdout)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
