"""`divergence play`: a story in the Textual interface, or line by line with --plain."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from game.cli.commands.base import EPILOG, Context, add_common, bounded_int, playable_story
from game.cli.exitcodes import INTERRUPTED, OK, SAVE, STORY, USAGE
from game.saves.errors import SaveError, SlotNameError
from game.saves.locations import default_player, saves_folder

if TYPE_CHECKING:  # the saves need pydantic; the title screen is drawn before they are read
    from game.saves.files import SaveFile, SaveFolder
    from game.story.compiled import Story

NAME = "play"
ORDER = 2  # after stories, before the writers' and teachers' tools


def register(commands: Any) -> None:
    play = commands.add_parser(
        NAME,
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
        type=bounded_int(1, 3600, "seconds"),
        default=None,
        metavar="N",
        help="with --classroom: each vote closes by itself after N seconds (default: no limit)",
    )
    add_common(play)


def _save_to_resume(
    context: Context, args: argparse.Namespace, folder: SaveFolder, story: Story, player: str
) -> tuple[SaveFile | None, str, int]:
    """The save named by --load or --continue: (save, label, exit code if it cannot be read)."""
    from game.saves.files import autosave_slot, read_save

    if args.resume:
        slot = autosave_slot(story.id, player)
        try:
            return folder.read(slot), f"the autosave '{slot}'", OK
        except SaveError as error:
            if not folder.slot_path(slot).exists():
                context.stdout.write(
                    f"No autosave of '{story.id}' for {player} yet; starting a new game.\n"
                )
                return None, "", OK
            context.stderr.write(f"divergence: cannot continue: {error}\n")
            return None, "", SAVE
    if args.load is None:
        return None, "", OK
    name: str = args.load
    try:
        if os.sep in name or "/" in name or name.endswith(".toml"):
            return read_save(Path(name)), f"'{name}'", OK
        return folder.read(name), f"'{name}'", OK
    except (SaveError, SlotNameError) as error:
        context.stderr.write(
            f"divergence: cannot load '{name}': {getattr(error, 'reason', error)}\n"
        )
        return None, "", SAVE


def run(context: Context, args: argparse.Namespace) -> int:
    from game.cli.plain import PlainGame
    from game.saves.files import SaveEntry, SaveFolder

    catalog, stdin, stdout = context.catalog, context.stdin, context.stdout
    classroom = getattr(args, "classroom", False)
    vote_seconds = getattr(args, "vote_seconds", None)
    if vote_seconds is not None and not classroom:
        context.stderr.write("divergence: --vote-seconds is for a class vote: add --classroom\n")
        return USAGE
    if classroom and (args.plain or not interactive(stdin, stdout)):
        context.stderr.write("divergence: --classroom needs a terminal (it cannot play --plain)\n")
        return USAGE
    story = playable_story(context, args.story, "played")
    if story is None:
        return STORY
    gc.freeze()  # the story lives as long as the game: keep the collector from rescanning it
    seed = args.seed if args.seed is not None else int.from_bytes(os.urandom(6), "big")
    if not 0 <= seed < 2**63:
        context.stderr.write("divergence: --seed must be between 0 and 2**63 - 1\n")
        return USAGE
    folder = SaveFolder(saves_folder(args.saves))
    player = args.player or default_player()
    save, label, code = _save_to_resume(context, args, folder, story, player)
    if code != OK:
        return code
    if not args.plain:
        if interactive(stdin, stdout):
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
            return app.return_code or OK
        stdout.write("(No terminal to draw the game in, so it plays line by line.)\n\n")
    game = PlainGame(story, folder, player, stdout, stdin, watch=args.watch)
    try:
        return game.play(seed, save, label)
    except KeyboardInterrupt:
        if not game.touched:  # as when the input ends: never clobber an earlier autosave
            stdout.write("\nInterrupted; nothing was decided, so no save was made.\n")
        elif game.autosave():
            stdout.write("\nInterrupted; the game was saved automatically.\n")
        else:
            stdout.write("\nInterrupted; the game could not be saved.\n")
        return INTERRUPTED


def interactive(stdin: TextIO, stdout: TextIO) -> bool:
    """Whether there is a terminal to draw the Textual interface in."""
    return stdin is sys.stdin and stdout is sys.stdout and stdin.isatty() and stdout.isatty()
