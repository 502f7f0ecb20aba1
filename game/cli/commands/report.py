"""`divergence report`: a class report from the saves students made (see game.classroom.report)."""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from game.cli import exitcodes
from game.cli.commands.base import Context, add_command, add_output, emit, playable_story
from game.presentation import plural

if TYPE_CHECKING:
    from collections.abc import Callable

    from game.classroom.report import ClassReport, Skipped
    from game.story.catalog import Catalog
    from game.story.compiled import Story

NAME = "report"
ORDER = 36  # beside transcript: the tools for a class
FORMATS = ("text", "md", "html", "csv")
TEXT_WIDTH = 72  # the text report's width in a file or a pipe; a terminal's own, up to 100


def register(commands: Any) -> None:
    parser = add_command(
        commands,
        NAME,
        "a class report from the saves students made",
        "Read the saves of a class, replay each on its story and report what the class\n"
        "chose: the endings reached, the share of runs that took each choice at every\n"
        "decision (history's choice marked), where the class diverged from history most,\n"
        "the most common paths, and every run. PATH is a save file, a folder (searched\n"
        "recursively for .toml files) or a .zip of saves, read without extracting it; give\n"
        "as many as you like. Damaged files, files that are not saves and duplicates are\n"
        "skipped and listed with the reason. Saves of several stories are reported story\n"
        "by story unless --story picks one.\n\n"
        "Formats: text (for the terminal), md (Markdown), html (one self-contained page\n"
        "with charts, to open in a browser or print) and csv (a row per decision of every\n"
        "run, for a spreadsheet).\n\n"
        "Exits 0 with a report (even when some files were skipped), 2 when no PATH exists,\n"
        "and 3 when no readable save was found.",
    )
    parser.add_argument(
        "paths",
        metavar="PATH",
        nargs="+",
        help="a save file, a folder of saves, or a .zip of them",
    )
    parser.add_argument(
        "--story",
        metavar="ID",
        default=None,
        help="report only on this story (id or path); saves of others are listed as skipped",
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="text",
        help="text (the default), md, html or csv",
    )
    add_output(parser)


def _width(out: TextIO, output: str | None) -> int:
    if output is None and out is sys.stdout and sys.stdout.isatty():
        return max(60, min(100, shutil.get_terminal_size((TEXT_WIDTH, 24)).columns))
    return TEXT_WIDTH


def _lookup(catalog: Catalog, chosen: Story | None = None) -> Callable[[str], Story]:
    """A story by the id a save names, each looked up once. Never by path: a save must not
    make the report load whatever file it names."""
    found: dict[str, Story] = {chosen.id: chosen} if chosen is not None else {}

    def lookup(story_id: str) -> Story:
        if story_id not in found:
            entry = catalog.find_id(story_id)
            if entry is None:
                raise LookupError(
                    f"the story '{story_id}' is not installed; give --stories DIR to say where "
                    "it is"
                )
            if entry.story is None:
                raise LookupError(
                    f"the story '{story_id}' has errors; run 'divergence check {entry.path}'"
                )
            found[story_id] = entry.story
        return found[story_id]

    return lookup


def _list(skipped: tuple[Skipped, ...], stream: TextIO) -> None:
    for item in skipped:
        stream.write(f"  {item.source}: {item.reason}\n")


def _nothing_found(report: ClassReport, paths: list[Path], story: str | None, err: TextIO) -> None:
    where = ", ".join(str(path) for path in paths)
    what = f"of '{story}' " if story else ""
    err.write(
        f"divergence report: no readable saves {what}in {where} "
        f"({plural(report.files, 'file')} looked at).\n"
    )
    if report.skipped:
        err.write(f"Skipped ({len(report.skipped)}):\n")
        _list(report.skipped, err)
    err.write(
        "Saves are the .toml files in the game's save folder (see 'divergence --help'); "
        "collect one per student, or the whole folder, or a zip of them.\n"
    )


def run(context: Context, args: argparse.Namespace) -> int:
    from game.classroom.report import build_report, render

    catalog, out = context.catalog, context.stdout
    paths = [Path(name).expanduser() for name in args.paths]
    if not any(path.exists() for path in paths):
        names = ", ".join(args.paths)
        context.stderr.write(f"divergence report: no such file or folder: {names}\n")
        return exitcodes.USAGE
    chosen: Story | None = None
    if args.story is not None:
        chosen = playable_story(context, args.story, "reported on")
        if chosen is None:
            return exitcodes.STORY
    only = chosen.id if chosen is not None else None
    report = build_report(paths, _lookup(catalog, chosen), story=only)
    if not report.stories:
        _nothing_found(report, paths, only, context.stderr)
        return exitcodes.SAVE
    text = render(report, args.format, _width(out, args.output))
    if report.skipped and args.format == "csv":  # a CSV has no place to list them
        context.stderr.write(f"divergence report: {plural(len(report.skipped), 'file')} skipped:\n")
        _list(report.skipped, context.stderr)
    skipped = ""
    if report.skipped:
        where = "listed above" if args.format == "csv" else "listed in it"
        skipped = f"; {plural(len(report.skipped), 'file')} skipped, {where}"
    return emit(
        context, text, args.output, f"the class report ({plural(report.runs, 'run')}{skipped})"
    )
