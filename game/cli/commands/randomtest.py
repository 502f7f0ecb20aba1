"""`divergence randomtest`: play a story many times at random and report coverage and failures."""

from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING, Any, TextIO

from game.cli import exitcodes
from game.cli.commands.base import Context, add_command, playable_story, positive, seed

if TYPE_CHECKING:
    pass

NAME = "randomtest"
ORDER = 20

DEFAULT_RUNS = 1000
DEFAULT_MAX_DECISIONS = 1000  # game.writer.randomtest's default too (a test holds them together)
PROGRESS_DELAY = 0.5  # seconds before a progress bar appears: short tests show none
PROGRESS_INTERVAL = 0.1  # at most ten redraws a second
PROGRESS_WIDTH = 30


def register(commands: Any) -> None:
    parser = add_command(
        commands,
        NAME,
        "play a story many times at random and report coverage",
        "Play STORY many times, picking among the available choices at random, and report\n"
        "the nodes, choices and endings reached (and where those never reached are written),\n"
        "how the endings were distributed, and every run that failed: a dead end (nothing\n"
        "available), routes that loop, or more than --max-decisions decisions. Run i uses\n"
        "seed S+i for chance and for its picks, so a failing run replays on its own.\n"
        "Exits 1 when any run failed.",
    )
    parser.add_argument(
        "story", metavar="STORY", help="story id, or path of a story file or folder"
    )
    parser.add_argument(
        "--runs",
        type=positive,
        default=DEFAULT_RUNS,
        metavar="N",
        help=f"how many playthroughs (default: {DEFAULT_RUNS})",
    )
    parser.add_argument(
        "--seed",
        type=seed,
        default=0,
        metavar="S",
        help="seed of the first run; run i uses S+i (default: 0)",
    )
    parser.add_argument(
        "--avoid-used",
        action="store_true",
        help="prefer the choices taken least often so far, to reach rare branches sooner",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="output format (default: text)",
    )
    parser.add_argument(
        "--max-decisions",
        type=positive,
        default=DEFAULT_MAX_DECISIONS,
        metavar="N",
        help=f"decisions in one run before it counts as a loop (default: {DEFAULT_MAX_DECISIONS})",
    )


class ProgressBar:
    """A one-line bar on a terminal, redrawn with \\r at most ten times a second."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.began = time.monotonic()
        self.next_draw = self.began + PROGRESS_DELAY
        self.drawn = 0  # width of the line on screen, to clear it

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now < self.next_draw:
            return
        self.next_draw = now + PROGRESS_INTERVAL
        filled = PROGRESS_WIDTH * done // total
        line = (
            f"randomtest [{'█' * filled}{' ' * (PROGRESS_WIDTH - filled)}] {done:,}/{total:,} runs"
        )
        self.stream.write("\r" + line.ljust(self.drawn))
        self.stream.flush()
        self.drawn = len(line)

    def clear(self) -> None:
        if self.drawn:
            self.stream.write("\r" + " " * self.drawn + "\r")
            self.stream.flush()
            self.drawn = 0


def run(context: Context, args: argparse.Namespace) -> int:
    from game.writer.randomtest import format_report, report_to_dict, run_randomtest

    out = context.stdout
    story = playable_story(context, args.story, "tested")
    if story is None:
        return exitcodes.STORY
    progress = ProgressBar(context.stderr) if context.stderr.isatty() else None
    try:
        report = run_randomtest(
            story,
            args.runs,
            args.seed,
            avoid_used=args.avoid_used,
            max_decisions=args.max_decisions,
            progress=progress,
        )
    finally:
        if progress is not None:
            progress.clear()
    if args.format == "json":
        out.write(json.dumps(report_to_dict(report, args.story), indent=2, ensure_ascii=False))
        out.write("\n")
    else:
        out.write(format_report(report, args.story))
    return exitcodes.STORY if report.failures else exitcodes.OK
