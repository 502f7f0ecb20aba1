"""`divergence transcript SAVE`: a run, decision by decision, as Markdown or HTML for a lesson."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from game.cli import exitcodes
from game.cli.commands.base import Context, add_command, add_output, emit, playable_story

if TYPE_CHECKING:
    from game.saves.files import SaveFile

NAME = "transcript"
ORDER = 35
FORMATS = ("md", "html")


def register(commands: Any) -> None:
    parser = add_command(
        commands,
        NAME,
        "write the transcript of a run, for a lesson",
        "Replay a saved run and write it out decision by decision: the date and place, the\n"
        "choice taken and whether it was history's, how the class voted, what changed in the\n"
        "dossier, what really happened and the question for discussion; then the ending, or\n"
        "where an unfinished run stands. SAVE is a save file, or the name of a slot in the save\n"
        "folder (autosaves included). The HTML is one self-contained page that prints on A4 or\n"
        "Letter. If the story changed since the run, the transcript goes as far as the run\n"
        "still fits and says where it breaks. A save that cannot be read exits 3.",
    )
    parser.add_argument(
        "save", metavar="SAVE", help="a save file, or the name of a slot in the save folder"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="md",
        help="md for Markdown (the default) or html for a page to print or share",
    )
    add_output(parser)


def _read(name: str, saves: str | None) -> SaveFile:
    """The save named on the command line: a file when it looks like a path, else a slot
    (and a file of that name in the current folder when there is no such slot)."""
    from game.saves.files import SaveFolder, read_save
    from game.saves.locations import saves_folder

    if os.sep in name or "/" in name or name.endswith(".toml"):
        return read_save(Path(name).expanduser())
    folder = SaveFolder(saves_folder(saves))
    slot = folder.slot_path(name)
    if not slot.exists() and Path(name).is_file():
        return read_save(Path(name))
    return read_save(slot)


def run(context: Context, args: argparse.Namespace) -> int:
    from game.classroom.transcript import build_transcript, to_html, to_markdown
    from game.saves.errors import SaveError, SlotNameError
    from game.story.catalog import UnknownStory

    catalog = context.catalog
    name: str = args.save
    try:
        save = _read(name, args.saves)
    except SaveError as error:
        context.stderr.write(f"divergence: cannot read the save '{name}': {error.reason}\n")
        return exitcodes.SAVE
    except SlotNameError as error:
        context.stderr.write(f"divergence: '{name}' is no save file or slot: {error}\n")
        return exitcodes.SAVE
    try:
        entry = catalog.find(save.story)
    except UnknownStory:
        entry = None
    if entry is None or entry.id != save.story:
        known = ", ".join(sorted({e.id for e in catalog.entries()})) or "none"
        context.stderr.write(
            f"divergence: the save '{name}' is a run of the story '{save.story}', which is not "
            f"installed (stories found: {known}); add its folder with --stories DIR\n"
        )
        return exitcodes.USAGE
    story = playable_story(context, save.story, "replayed")
    if story is None:
        return exitcodes.STORY
    transcript = build_transcript(story, save)
    text = to_html(transcript) if args.format == "html" else to_markdown(transcript)
    return emit(context, text, args.output, f"the transcript of '{name}'")
