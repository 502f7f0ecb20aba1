"""The class report: what a class chose, read from the saves its students made.

A teacher collects the saves (one file per student, the shared save folder, or a zip of
them) and `divergence report` reads them all: every run is replayed on the current story
to know how far it got, and the report gives the endings reached, the share of runs that
took each choice at every decision (history's choice marked), where the class diverged
from history most, and the most common paths. It renders as text for the terminal,
Markdown, one self-contained HTML page with SVG charts, or CSV for a spreadsheet.

Nothing in the input is fatal. Damaged files, files that are not saves, saves of a story
that is not installed and duplicates (the same run copied twice) are skipped and listed
with the reason. Saves of several stories are reported story by story, most runs first,
unless one story is asked for. Zip files are read in memory, member by member, and never
extracted; a member larger than a save can be, or more than `MAX_ZIP_TOTAL` bytes read
from zips in all, is skipped (a zip bomb costs a few megabytes, not the disk).

Pure domain code: no interface library is imported here.
"""

from __future__ import annotations

import csv
import io
import math
import os
import textwrap
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from stat import S_ISREG

from game.classroom import view
from game.classroom.hygiene import clean_line
from game.play.engine import Engine
from game.play.vote import VoteRecord
from game.presentation import bar, cells, fit, fit_left, percent, plural
from game.saves.errors import SaveError
from game.saves.files import (
    DAMAGED,
    MAX_SAVE_BYTES,
    NOT_A_SAVE,
    PROFILES,
    UNREADABLE,
    NotASave,
    SaveFile,
    decode_save,
    resume,
    too_large,
)
from game.story.compiled import Story

MAX_ZIP_TOTAL = 64 * 1024 * 1024  # bytes read out of zips in one report: ~20,000 saves
MAX_ZIP_MEMBERS = 20_000  # members of one zip looked at
MIN_RUNS = 3  # runs deciding at a node before it is ranked among the divergences
MIN_SHARE_OF_RUNS = 0.1  # ... and at least this share of the runs, in a big class
TOP_PATHS = 5
TOP_DIVERGENCES = 10
FORMATS = ("text", "md", "html", "csv")

# Why a file was skipped, in the order the report lists them, with a heading for each.
MISSING = "missing"
OTHER_STORY = "other-story"
NO_STORY = "no-story"
DUPLICATE = "duplicate"
SKIP_HEADINGS = {
    MISSING: "Not found",
    UNREADABLE: "Could not be read",
    DAMAGED: "Damaged saves",
    NOT_A_SAVE: "Not saves",
    OTHER_STORY: "Saves of another story",
    NO_STORY: "Saves whose story is not available",
    DUPLICATE: "Duplicates: the same run saved twice, of which the newest is counted",
}
SKIP_LABELS = {  # one file's kind, in a table
    MISSING: "not found",
    UNREADABLE: "unreadable",
    DAMAGED: "damaged",
    NOT_A_SAVE: "not a save",
    OTHER_STORY: "another story",
    NO_STORY: "story not available",
    DUPLICATE: "duplicate",
}

HISTORY_MARK = "◆"
StoryLookup = Callable[[str], Story]  # a story by id; raises LookupError saying why not


# -- what the report holds --


@dataclass(frozen=True)
class Skipped:
    """A file (or zip member) that is not counted, and why."""

    source: str
    kind: str  # one of the keys of SKIP_HEADINGS
    reason: str


@dataclass(frozen=True)
class Found:
    """A readable save and where it came from."""

    source: str
    save: SaveFile


@dataclass
class Collected:
    """What reading the inputs gave: the saves, the files skipped, how many were looked at."""

    found: list[Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    files: int = 0
    zip_bytes: int = 0  # read out of zips so far, against MAX_ZIP_TOTAL


@dataclass(frozen=True)
class Step:
    """One decision of a run."""

    number: int  # from 1
    node: str
    node_title: str
    key: str
    label: str
    historical: bool  # the choice history made at this node


@dataclass(frozen=True)
class Run:
    """One student's run (or one class's, when it was played as a vote)."""

    number: int  # the run's id in the report, from 1
    player: str
    source: str
    story: str
    created: datetime
    saved: datetime
    steps: tuple[Step, ...]  # the decisions that still fit the story
    node: str  # where the run stands (the last node before its ending)
    ending: str | None
    ending_title: str
    classroom: bool = False
    votes: tuple[VoteRecord, ...] = ()
    note: str = ""  # why part of the path was not counted

    @property
    def decisions(self) -> int:
        return len(self.steps)

    @property
    def finished(self) -> bool:
        return self.ending is not None


@dataclass(frozen=True)
class ChoiceStat:
    key: str
    label: str
    runs: int  # runs that took it (at least once)
    share: float  # of the runs that decided at its node
    historical: bool
    hands: int = 0  # votes cast for it in class votes


@dataclass(frozen=True)
class NodeStat:
    """One decision node: how many runs came to it and what they chose there."""

    node: str
    title: str
    date: str
    reached: int  # runs that chose here or stand here now
    decided: int  # runs that made at least one choice here
    followed: int  # runs that took history's choice here
    choices: tuple[ChoiceStat, ...]
    votes: int = 0  # class votes held here
    quotes: tuple[tuple[str, str], ...] = ()  # the scene's quotations: (words, attribution)

    @property
    def has_history(self) -> bool:
        return any(choice.historical for choice in self.choices)

    @property
    def history_label(self) -> str:
        return next((choice.label for choice in self.choices if choice.historical), "")

    @property
    def diverged_runs(self) -> int:
        return self.decided - self.followed

    @property
    def diverged(self) -> float | None:
        """The share of the runs deciding here that did not take history's choice."""
        if not self.has_history or not self.decided:
            return None
        return self.diverged_runs / self.decided


@dataclass(frozen=True)
class EndingStat:
    ending: str
    title: str
    tone: str
    runs: int
    share: float  # of all runs


@dataclass(frozen=True)
class PathStat:
    steps: tuple[Step, ...]
    runs: int
    share: float  # of the finished runs
    ending_title: str


@dataclass(frozen=True)
class StoryReport:
    """The report on the runs of one story."""

    story: str
    title: str
    version: str
    runs: tuple[Run, ...]
    endings: tuple[EndingStat, ...]
    nodes: tuple[NodeStat, ...]  # every decision node, in story order
    divergences: tuple[NodeStat, ...]  # ranked: the most diverged first
    paths: tuple[PathStat, ...]
    min_runs: int
    notes: tuple[str, ...] = ()

    @property
    def finished(self) -> int:
        return sum(1 for run in self.runs if run.finished)

    @property
    def unfinished(self) -> int:
        return len(self.runs) - self.finished

    @property
    def players(self) -> int:
        return len({run.player for run in self.runs})

    @property
    def decisions(self) -> int:
        return sum(run.decisions for run in self.runs)

    @property
    def loops(self) -> bool:
        """Whether some run chose more than once at one node (shares then add up past 100%)."""
        return any(len({s.node for s in run.steps}) < len(run.steps) for run in self.runs)


@dataclass(frozen=True)
class ClassReport:
    """The whole report: one part per story, and the files skipped."""

    stories: tuple[StoryReport, ...]
    skipped: tuple[Skipped, ...]
    files: int  # files and zip members looked at
    story_filter: str | None = None

    @property
    def runs(self) -> int:
        return sum(len(story.runs) for story in self.stories)

    def story(self, story_id: str | None = None) -> StoryReport | None:
        """The part on `story_id`, or on the story with the most runs."""
        for part in self.stories:
            if story_id is None or part.story == story_id:
                return part
        return None


# -- reading the inputs --


def _take(collected: Collected, source: str, raw: bytes) -> None:
    collected.files += 1
    decoded = decode_save(raw)
    if isinstance(decoded, NotASave):
        collected.skipped.append(Skipped(source, decoded.kind, decoded.reason))
    else:
        collected.found.append(Found(source, decoded))


def _read_file(collected: Collected, path: Path, source: str) -> None:
    try:
        status = path.stat()
        if not S_ISREG(status.st_mode):  # a pipe or a device would never end
            collected.files += 1
            collected.skipped.append(Skipped(source, UNREADABLE, "not a regular file"))
            return
        if status.st_size > MAX_SAVE_BYTES:
            collected.files += 1
            collected.skipped.append(Skipped(source, NOT_A_SAVE, too_large(status.st_size)))
            return
        with path.open("rb") as stream:
            raw = stream.read(MAX_SAVE_BYTES + 1)  # a file that grew since is still capped
    except OSError as error:
        collected.files += 1
        reason = f"cannot read it: {error.strerror or error}"
        collected.skipped.append(Skipped(source, UNREADABLE, reason))
        return
    if len(raw) > MAX_SAVE_BYTES:
        collected.files += 1
        collected.skipped.append(Skipped(source, NOT_A_SAVE, too_large(len(raw))))
        return
    _take(collected, source, raw)


def _hidden(name: str) -> bool:
    """Dot files, editors' temporary files, macOS's resource forks: never a student's save."""
    return name.startswith(".") or name == "__MACOSX" or name.endswith("~")


def _read_zip(collected: Collected, path: Path, label: str) -> None:
    """Every .toml member of a zip, read in memory with its size capped; nothing extracted."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                info
                for info in archive.infolist()
                if not info.is_dir()
                and info.filename.lower().endswith(".toml")
                and not any(_hidden(part) for part in info.filename.split("/"))
                and PROFILES not in info.filename.split("/")[:-1]
            ]
            for index, info in enumerate(members):
                source = f"{label}:{info.filename}"
                if index >= MAX_ZIP_MEMBERS:
                    left = len(members) - index
                    reason = (
                        f"not read, nor {left - 1} more after it: a zip of more than "
                        f"{MAX_ZIP_MEMBERS:,} saves"
                    )
                    collected.skipped.append(Skipped(source, UNREADABLE, reason))
                    return
                if info.file_size > MAX_SAVE_BYTES:
                    collected.files += 1
                    collected.skipped.append(Skipped(source, NOT_A_SAVE, too_large(info.file_size)))
                    continue
                if collected.zip_bytes + info.file_size > MAX_ZIP_TOTAL:
                    collected.files += 1
                    reason = (
                        f"not read: the zips hold more than {MAX_ZIP_TOTAL // 2**20} MB of saves"
                    )
                    collected.skipped.append(Skipped(source, UNREADABLE, reason))
                    continue
                try:
                    with archive.open(info) as stream:
                        raw = stream.read(MAX_SAVE_BYTES + 1)  # never more, whatever it claims
                except (RuntimeError, NotImplementedError) as error:  # encrypted, or unknown
                    collected.files += 1
                    reason = f"cannot be read from the zip ({error})"
                    collected.skipped.append(Skipped(source, UNREADABLE, reason))
                    continue
                except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as error:
                    collected.files += 1
                    reason = f"damaged inside the zip ({error})"
                    collected.skipped.append(Skipped(source, DAMAGED, reason))
                    continue
                collected.zip_bytes += len(raw)
                if len(raw) > MAX_SAVE_BYTES:
                    collected.files += 1
                    collected.skipped.append(Skipped(source, NOT_A_SAVE, too_large(len(raw))))
                    continue
                _take(collected, source, raw)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as error:
        collected.files += 1
        reason = f"not a readable zip file ({error})"
        collected.skipped.append(Skipped(label, DAMAGED, reason))


def _walk(folder: Path) -> Iterator[Path]:
    """The .toml files under `folder`, in a stable order, hidden folders and files left out."""
    for root, folders, files in os.walk(folder):
        # a save folder's own profiles (endings found, themes) are not runs: not worth a
        # "skipped" line for every student
        folders[:] = sorted(name for name in folders if not _hidden(name) and name != PROFILES)
        for name in sorted(files):
            if name.lower().endswith(".toml") and not _hidden(name):
                yield Path(root) / name


def collect(paths: Iterable[Path]) -> Collected:
    """Read every save file, folder (recursively: its .toml files) and .zip given.

    A file named on its own is always read, whatever its name; in folders and zips only
    .toml files are looked at, so a teacher's notes beside the saves are left alone.
    """
    collected = Collected()
    for path in paths:
        label = str(path)
        if path.is_dir():
            for file in _walk(path):
                _read_file(collected, file, str(file))
        elif path.is_file():
            if path.suffix.lower() == ".zip" or (
                path.suffix.lower() != ".toml" and zipfile.is_zipfile(path)
            ):
                _read_zip(collected, path, label)
            else:
                _read_file(collected, path, label)
        elif path.exists():
            _read_file(collected, path, label)  # says what it is instead
        else:
            collected.skipped.append(Skipped(label, MISSING, "no such file or folder"))
    return collected


# -- building the report --


def _deduplicated(found: Sequence[Found], skipped: list[Skipped]) -> list[Found]:
    """One save per run: the same player, story and start time is the same run (an autosave
    copied twice, or an autosave and a named save); the newest copy is kept."""
    by_run: dict[tuple[str, str, datetime], list[Found]] = {}
    for item in found:
        save = item.save
        by_run.setdefault((save.story, save.player, save.created), []).append(item)
    kept: list[Found] = []
    for copies in by_run.values():
        copies.sort(key=lambda item: (item.save.saved, len(item.save.path)), reverse=True)
        newest = copies[0]
        kept.append(newest)
        for copy in copies[1:]:
            same = copy.save.saved == newest.save.saved and copy.save.path == newest.save.path
            reason = (
                f"a copy of {newest.source}"
                if same
                else f"an earlier save of the same run as {newest.source} "
                f"({copy.save.player}, {plural(len(copy.save.path), 'decision')}, "
                f"saved {_when(copy.save.saved)})"
            )
            skipped.append(Skipped(copy.source, DUPLICATE, reason))
    return kept


def _when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M}"


def _run(number: int, item: Found, story: Story, engine: Engine) -> Run:
    """A save replayed on the story: the decisions that still fit, and where it stands."""
    save = item.save
    resumed = resume(story, save, engine)  # SaveError when the story cannot even start
    state = resumed.states[-1]
    steps = []
    for index, (node_id, key) in enumerate(save.path[: len(resumed.states) - 1], start=1):
        node = story.nodes[node_id]
        choice = node.choice(key)
        assert choice is not None  # the replay took it
        steps.append(Step(index, node_id, node.title, key, choice.label, choice.historical))
    note = ""
    if not resumed.fits:
        fitting = len(steps)
        counted = f"the first {fitting} are counted" if fitting else "none are counted"
        note = (
            f"decision {(resumed.broken_at or 0) + 1} of {len(save.path)} no longer fits the "
            f"story ({resumed.reason}); {counted}"
        )
    ending = story.endings.get(state.ending) if state.ending else None
    return Run(
        number=number,
        player=save.player,
        source=item.source,
        story=story.id,
        created=save.created,
        saved=save.saved,
        steps=tuple(steps),
        node=state.node,
        ending=state.ending,
        ending_title=ending.title if ending else "",
        classroom=save.classroom,
        votes=tuple(vote for vote in save.vote_records() if vote.step < len(steps)),
        note=note,
    )


def _story_report(story: Story, runs: list[Run], changed: int) -> StoryReport:
    total = len(runs)
    decided: Counter[str] = Counter()
    followed: Counter[str] = Counter()
    reached: Counter[str] = Counter()
    taken: Counter[tuple[str, str]] = Counter()
    hands: Counter[tuple[str, str]] = Counter()
    votes_at: Counter[str] = Counter()
    for run in runs:
        keys_at: dict[str, set[str]] = {}
        for step in run.steps:
            keys_at.setdefault(step.node, set()).add(step.key)
        here = {run.node} if not run.finished else set()
        reached.update(keys_at.keys() | here)
        decided.update(keys_at.keys())
        for node_id, keys in keys_at.items():
            taken.update((node_id, key) for key in keys)
            node = story.nodes[node_id]
            if any((c := node.choice(key)) is not None and c.historical for key in keys):
                followed[node_id] += 1
        for vote in run.votes:
            node_id = run.steps[vote.step].node
            votes_at[node_id] += 1
            hands.update({(node_id, key): count for key, count in vote.counts.items()})
    nodes = []
    for node in story.nodes.values():
        if not node.choices:
            continue
        deciders = decided[node.id]
        nodes.append(
            NodeStat(
                node=node.id,
                title=node.title,
                date=node.date,
                reached=reached[node.id],
                decided=deciders,
                followed=followed[node.id],
                choices=tuple(
                    ChoiceStat(
                        choice.key,
                        choice.label,
                        taken[node.id, choice.key],
                        taken[node.id, choice.key] / deciders if deciders else 0.0,
                        choice.historical,
                        hands[node.id, choice.key],
                    )
                    for choice in node.choices
                ),
                votes=votes_at[node.id],
                quotes=tuple((q.text, q.attribution) for q in node.quotes),
            )
        )
    min_runs = max(MIN_RUNS, math.ceil(MIN_SHARE_OF_RUNS * total))
    order = {stat.node: index for index, stat in enumerate(nodes)}
    divergences = sorted(
        (stat for stat in nodes if stat.has_history and stat.decided >= min_runs),
        key=lambda stat: (-(stat.diverged or 0.0), -stat.decided, order[stat.node]),
    )
    ending_counts = Counter(run.ending for run in runs if run.ending)
    endings = sorted(
        (
            EndingStat(e.id, e.title, e.tone, ending_counts[e.id], ending_counts[e.id] / total)
            for e in story.endings.values()
        ),
        key=lambda stat: -stat.runs,
    )
    finished = [run for run in runs if run.finished]
    path_counts: Counter[tuple[tuple[str, str], ...]] = Counter()
    examples: dict[tuple[tuple[str, str], ...], Run] = {}
    for run in finished:
        key = tuple((step.node, step.key) for step in run.steps)
        path_counts[key] += 1
        examples.setdefault(key, run)
    ranked = sorted(path_counts.items(), key=lambda item: -item[1])[:TOP_PATHS]  # stable
    paths = tuple(
        PathStat(examples[key].steps, count, count / len(finished), examples[key].ending_title)
        for key, count in ranked
    )
    notes = [f"{run.player} ({run.source}): {run.note}" for run in runs if run.note]
    if changed:
        notes.append(
            f"{plural(changed, 'run was', 'runs were')} saved with another version of the "
            "story; their paths still fit it and are counted."
        )
    return StoryReport(
        story=story.id,
        title=story.title,
        version=story.version,
        runs=tuple(runs),
        endings=tuple(endings),
        nodes=tuple(nodes),
        divergences=tuple(divergences),
        paths=paths,
        min_runs=min_runs,
        notes=tuple(notes),
    )


def report_from(collected: Collected, lookup: StoryLookup, story: str | None = None) -> ClassReport:
    """The report on saves already read. `lookup` finds a story by id (raising LookupError
    with the reason when it cannot); `story` keeps only the saves of that story."""
    skipped = list(collected.skipped)
    wanted: list[Found] = []
    for item in collected.found:
        if story is not None and item.save.story != story:
            reason = f"a save of '{item.save.story}', not of '{story}'"
            skipped.append(Skipped(item.source, OTHER_STORY, reason))
        else:
            wanted.append(item)
    kept = _deduplicated(wanted, skipped)
    by_story: dict[str, list[Found]] = {}
    for item in kept:
        by_story.setdefault(item.save.story, []).append(item)
    parts: list[tuple[Story, list[Found]]] = []
    for story_id, items in by_story.items():
        try:
            found_story = lookup(story_id)
        except LookupError as error:
            reason = str(error.args[0]) if error.args else f"the story '{story_id}' is not found"
            skipped.extend(Skipped(item.source, NO_STORY, reason) for item in items)
            continue
        parts.append((found_story, items))
    # the story most runs are of first; then by id, so the order never depends on the disk
    parts.sort(key=lambda part: (-len(part[1]), part[0].id))
    reports = []
    number = 0
    for found_story, items in parts:
        engine = Engine(found_story)
        items.sort(key=lambda item: (item.save.player.casefold(), item.save.created, item.source))
        runs: list[Run] = []
        changed = 0
        for item in items:
            try:
                run = _run(number + 1, item, found_story, engine)
            except SaveError as error:
                skipped.append(Skipped(item.source, DAMAGED, error.reason))
                continue
            number += 1
            runs.append(run)
            if not run.note and item.save.fingerprint != found_story.fingerprint:
                changed += 1
        if runs:
            reports.append(_story_report(found_story, runs, changed))
    order = list(SKIP_HEADINGS)
    skipped.sort(key=lambda item: order.index(item.kind))  # stable: in reading order within
    return ClassReport(tuple(reports), tuple(skipped), collected.files, story)


def build_report(
    paths: Iterable[Path], lookup: StoryLookup, story: str | None = None
) -> ClassReport:
    """Read the saves under `paths` and report on them (see `report_from`)."""
    return report_from(collect(paths), lookup, story)


def class_shares(
    report: ClassReport | StoryReport, story: str | None = None
) -> dict[tuple[str, str], float]:
    """The share of runs that took each choice, by (node, choice key), for the story map:
    every choice of every node some run decided at (0.0 for those no one took)."""
    part = report.story(story) if isinstance(report, ClassReport) else report
    if part is None:
        return {}
    return {
        (stat.node, choice.key): choice.share
        for stat in part.nodes
        if stat.decided
        for choice in stat.choices
    }


# -- shared by the renderers --


def _summary(part: StoryReport) -> str:
    return (
        f"{plural(len(part.runs), 'run')} by {plural(part.players, 'player')}: "
        f"{part.finished} finished, {part.unfinished} unfinished; "
        f"{plural(part.decisions, 'decision')} in all"
    )


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def _span(part: StoryReport) -> str:
    first = min(run.created for run in part.runs)
    last = max(run.saved for run in part.runs)
    if first.date() == last.date():
        return f"Played on {_day(first)}"
    return f"Played between {_day(first)} and {_day(last)}"


def _status(run: Run) -> str:
    return run.ending_title if run.finished else "(unfinished)"


def _mixed_note(report: ClassReport) -> str:
    if len(report.stories) < 2:
        return ""
    names = ", ".join(f"{part.title} ({len(part.runs)})" for part in report.stories)
    return (
        f"These saves are of {len(report.stories)} stories: {names}. Each is reported on "
        "its own below; give --story ID to report on one."
    )


def _loop_note(part: StoryReport) -> str:
    return (
        "A run that came back to a decision and chose again counts once for each choice it "
        "took, so the shares at that decision add up to more than 100%."
        if part.loops
        else ""
    )


def _divergence_note(part: StoryReport) -> str:
    return (
        f"Decisions where history's choice is known and at least {part.min_runs} runs chose, "
        "ranked by the share of runs that did not take history's choice."
    )


def _files_line(report: ClassReport) -> str:
    skipped = len(report.skipped)
    tail = f", {skipped} skipped (listed at the end)" if skipped else ""
    return f"{plural(report.files, 'file')} read: {plural(report.runs, 'run')} counted{tail}."


def _vote_split(stat: NodeStat) -> str:
    cast = [(c.hands, c.label) for c in stat.choices if c.hands]
    total = sum(hands for hands, _label in cast)
    parts = ", ".join(f"{hands} {label}" for hands, label in sorted(cast, key=lambda x: -x[0]))
    return (
        f"Class votes: {plural(stat.votes, 'vote')}, {plural(total, 'hand')}: {parts}"
        if stat.votes
        else ""
    )


# -- text --


class _Text:
    """Text report lines at a given width."""

    def __init__(self, width: int) -> None:
        self.width = max(50, width)
        self.lines: list[str] = []
        self.bar_width = min(30, max(10, self.width // 3 - 4))

    def add(self, line: str = "") -> None:
        self.lines.append(line.rstrip())

    def wrap(self, text: str, indent: int = 0, first: str = "") -> None:
        prefix = " " * indent
        for line in textwrap.wrap(
            clean_line(text),
            self.width,
            initial_indent=prefix + first,
            subsequent_indent=prefix + " " * len(first),
            break_on_hyphens=False,
        ) or [prefix + first]:
            self.add(line)

    def heading(self, text: str, underline: str = "─") -> None:
        text = clean_line(text)
        self.add(text)
        self.add(underline * min(self.width, cells(text)))

    def bar_row(
        self, indent: int, mark: str, label: str, share: float, count: int, count_width: int
    ) -> None:
        label_width = (
            self.width - indent - 2 - 1 - self.bar_width - 1 - 4 - 1 - count_width
        )  # mark, space, bar, space, "100%", space, count
        self.add(
            f"{' ' * indent}{mark:<1} {fit(clean_line(label), label_width)} "
            f"{fit(bar(share, self.bar_width), self.bar_width)} "
            f"{percent(share):>3}% {count:>{count_width}}"
        )


def render_text(report: ClassReport, width: int = 72) -> str:
    """The report for a terminal: charts of block characters, about `width` columns wide."""
    out = _Text(width)
    out.add("CLASS REPORT")
    out.wrap(_files_line(report))
    if mixed := _mixed_note(report):
        out.wrap(mixed)
    for part in report.stories:
        _text_story(out, part)
    if report.skipped:
        out.add()
        out.add()
        out.heading(f"Skipped ({len(report.skipped)})", "═")
        kind = ""
        for item in report.skipped:
            if item.kind != kind:
                kind = item.kind
                count = sum(1 for other in report.skipped if other.kind == kind)
                out.add()
                out.wrap(f"{SKIP_HEADINGS[kind]} ({count})")
            out.wrap(f"{item.source}: {item.reason}", 2, "· ")
    return "\n".join(out.lines) + "\n"


def _text_story(out: _Text, part: StoryReport) -> None:
    runs = len(part.runs)
    digits = max(3, len(str(runs)))
    out.add()
    out.add()
    out.heading(f"{part.title} ({part.story}, version {part.version})", "═")
    out.wrap(_summary(part) + ".")
    out.wrap(_span(part) + ".")

    out.add()
    out.heading("Endings")
    for ending in part.endings:
        out.bar_row(0, "", ending.title, ending.share, ending.runs, digits)
    if part.unfinished:
        out.bar_row(0, "", "(unfinished)", part.unfinished / runs, part.unfinished, digits)

    out.add()
    out.heading("Where the class diverged from history most")
    out.wrap(_divergence_note(part))
    if not part.divergences:
        out.wrap("(no decision with history's choice had enough runs)", 2)
    for rank, stat in enumerate(part.divergences[:TOP_DIVERGENCES], start=1):
        out.bar_row(
            0, "", f"{rank}. {stat.title}", stat.diverged or 0.0, stat.diverged_runs, digits
        )
        out.wrap(
            f"{stat.diverged_runs} of {stat.decided} did not take history's choice: "
            f"{stat.history_label}",
            5,
        )

    out.add()
    out.heading("Decisions, in story order")
    out.wrap(
        f"Share of the runs that chose at each decision; {HISTORY_MARK} marks history's choice."
    )
    if note := _loop_note(part):
        out.wrap(note)
    unreached = []
    for stat in part.nodes:
        if not stat.reached:
            unreached.append(stat.title)
            continue
        out.add()
        date = f" ({stat.date})" if stat.date else ""
        out.wrap(f"{stat.title}{date}")
        for words, attribution in stat.quotes:
            out.wrap(f"“{words}” ({attribution})", 4)
        waiting = stat.reached - stat.decided
        tail = f"; {waiting} stopped here" if waiting else ""
        out.wrap(f"reached by {stat.reached}, {stat.decided} chose{tail}", 2)
        for choice in stat.choices:
            mark = HISTORY_MARK if choice.historical else ""
            out.bar_row(2, mark, choice.label, choice.share, choice.runs, digits)
        if split := _vote_split(stat):
            out.wrap(split, 2)
    if unreached:
        out.add()
        out.wrap(f"No run chose at: {', '.join(unreached)}.")

    out.add()
    out.heading("Most common paths")
    if not part.paths:
        out.wrap("(no run has reached an ending yet)")
    else:
        out.wrap(f"Among the {plural(part.finished, 'finished run')}:")
    for rank, path in enumerate(part.paths, start=1):
        out.add()
        out.wrap(
            f"{plural(path.runs, 'run')} ({percent(path.share)}%) to {path.ending_title}",
            0,
            f"{rank}. ",
        )
        out.wrap(" › ".join(step.label for step in path.steps) or "(no decision)", 3)

    out.add()
    out.heading("Runs")
    player_width = min(18, max(6, *(cells(clean_line(run.player)) for run in part.runs)))
    status_width = min(26, max(6, *(cells(_status(run)) for run in part.runs)))
    number_width = len(str(part.runs[-1].number))
    file_width = out.width - number_width - player_width - status_width - 4 - 5
    out.add(
        f"{'#':>{number_width}} {fit('Player', player_width)} {'Dec.':>4} "
        f"{fit('Ending', status_width)} File"
    )
    for run in part.runs:
        vote = " (class vote)" if run.classroom else ""
        source = fit_left(clean_line(run.source), max(10, file_width - len(vote)))
        out.add(
            f"{run.number:>{number_width}} {fit(clean_line(run.player), player_width)} "
            f"{run.decisions:>4} {fit(_status(run), status_width)} {source}{vote}"
        )
    if part.notes:
        out.add()
        out.heading("Notes")
        for note in part.notes:
            out.wrap(note, 2, "· ")


# -- Markdown --


def render_markdown(report: ClassReport) -> str:
    """The report as Markdown (templates/report.md): a table for every chart, with a bar of
    block characters."""
    text = view.render("report.md", **_view(report), bar=_md_bar, percent=percent)
    return text.rstrip("\n") + "\n"


def _md_bar(share: float) -> object:
    return view.raw(bar(share, 20) or " ")  # the program's own characters, kept as they are


# -- HTML --


@dataclass(frozen=True)
class _Bar:
    label: str
    share: float
    value: str  # shown after the bar
    history: bool = False


@dataclass(frozen=True)
class _ChartRow:
    """One bar of an SVG chart, laid out: the `chart` macro of templates/report.html draws it."""

    label: str
    value: str
    lines: tuple[tuple[str, str], ...]  # the label's lines, (baseline y, text)
    top: str  # y of the bar
    baseline: str  # y of the value's text
    width: str  # of the bar
    history: bool


@dataclass(frozen=True)
class _Chart:
    title: str
    height: int
    rows: tuple[_ChartRow, ...]


_SVG_WIDTH, _LABEL_WIDTH, _BAR_X, _BAR_WIDTH = 720, 296, 308, 300
_LABEL_CHARS, _LINE, _MAX_LINES = 40, 16, 3
_SVG = {
    "width": _SVG_WIDTH,
    "label_width": _LABEL_WIDTH,
    "bar_x": _BAR_X,
    "bar_width": _BAR_WIDTH,
    "value_x": _BAR_X + _BAR_WIDTH + 8,
}


def _svg_chart(bars: Sequence[_Bar], title: str) -> _Chart:
    """Horizontal bars with their labels (wrapped, up to three lines) and values, laid out
    for the template's `chart` macro, which draws them as SVG."""
    rows: list[_ChartRow] = []
    y = 4
    for row in bars:
        lines = textwrap.wrap(clean_line(row.label), _LABEL_CHARS, break_on_hyphens=False) or [""]
        if len(lines) > _MAX_LINES:
            lines = [*lines[: _MAX_LINES - 1], fit(" ".join(lines[_MAX_LINES - 1 :]), _LABEL_CHARS)]
        height = len(lines) * _LINE + 8
        middle = y + height / 2
        first = middle - (len(lines) - 1) * _LINE / 2 + 4.5
        share = min(max(row.share, 0.0), 1.0)
        width = share * _BAR_WIDTH
        if share > 0:
            width = max(width, 1.5)
        rows.append(
            _ChartRow(
                label=row.label,
                value=row.value,
                lines=tuple(
                    (f"{first + index * _LINE:.1f}", line.strip())
                    for index, line in enumerate(lines)
                ),
                top=f"{middle - 7:.1f}",
                baseline=f"{middle + 4.5:.1f}",
                width=f"{width:.1f}",
                history=row.history,
            )
        )
        y += height
    return _Chart(title, y + 4, tuple(rows))


def _value(share: float, count: int) -> str:
    return f"{percent(share)}% · {count}"


def render_html(report: ClassReport) -> str:
    """The report as one self-contained HTML page (templates/report.html): inline CSS and
    SVG, no scripts, nothing fetched from elsewhere, laid out to print well."""
    return view.render("report.html", **_view(report), svg=_SVG)


def _view(report: ClassReport) -> dict[str, object]:
    """What templates/report.html and report.md show, worked out."""
    return {
        "title": report.stories[0].title if len(report.stories) == 1 else "Divergence",
        "files_line": _files_line(report),
        "mixed": _mixed_note(report),
        "stories": [_story_view(part) for part in report.stories],
        "skipped": report.skipped,
        "skip_labels": SKIP_LABELS,
        "history_mark": HISTORY_MARK,
    }


def _story_view(part: StoryReport) -> dict[str, object]:
    """What the templates show of one story, worked out."""
    runs = len(part.runs)
    endings = [_Bar(e.title, e.share, _value(e.share, e.runs)) for e in part.endings]
    if part.unfinished:
        share = part.unfinished / runs
        endings.append(_Bar("(unfinished)", share, _value(share, part.unfinished)))
    top = part.divergences[:TOP_DIVERGENCES]
    divergences = [
        _Bar(
            f"{rank}. {stat.title}",
            stat.diverged or 0.0,
            f"{percent(stat.diverged or 0.0)}% · {stat.diverged_runs} of {stat.decided}",
        )
        for rank, stat in enumerate(top, start=1)
    ]
    nodes = [
        {
            "stat": stat,
            "waiting": stat.reached - stat.decided,
            "split": _vote_split(stat),
            "chart": _svg_chart(
                [
                    _Bar(
                        f"{HISTORY_MARK} {c.label}" if c.historical else c.label,
                        c.share,
                        _value(c.share, c.runs),
                        c.historical,
                    )
                    for c in stat.choices
                ],
                f"Choices at {stat.title}",
            ),
        }
        for stat in part.nodes
        if stat.reached
    ]
    return {
        "part": part,
        "summary": _summary(part),
        "span": _span(part),
        "endings": _svg_chart(endings, f"Endings of {part.title}"),
        "divergence_note": _divergence_note(part),
        "top": top,
        "divergences": _svg_chart(divergences, "Share of runs that did not take history's choice"),
        "loop_note": _loop_note(part),
        "nodes": nodes,
        "unreached": [stat.title for stat in part.nodes if not stat.reached],
        "finished": plural(part.finished, "finished run"),
        "unfinished": part.unfinished / runs if runs else 0.0,
        "paths": [(path, plural(path.runs, "run"), percent(path.share)) for path in part.paths],
    }


# -- CSV --

CSV_COLUMNS = (
    "player",
    "file",
    "story",
    "run",
    "decision",
    "node",
    "node_title",
    "choice",
    "choice_label",
    "historical",
    "ending",
)


def _cell_safe(value: str) -> str:
    """A cell a spreadsheet will not run as a formula (a player may be called '=cmd|...')."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def render_csv(report: ClassReport) -> str:
    """One row per decision of every run (a run with none gets one row with those cells
    empty): for a spreadsheet's own tables and charts."""
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for part in report.stories:
        for run in part.runs:
            head = [run.player, run.source, run.story, str(run.number)]
            rows: list[list[str]] = [
                [
                    str(step.number),
                    step.node,
                    step.node_title,
                    step.key,
                    step.label,
                    "yes" if step.historical else "no",
                ]
                for step in run.steps
            ] or [[""] * 6]
            for row in rows:
                writer.writerow([_cell_safe(value) for value in (*head, *row, run.ending_title)])
    return stream.getvalue()


def render(report: ClassReport, format: str = "text", width: int = 72) -> str:
    """The report in one of FORMATS."""
    if format == "md":
        return render_markdown(report)
    if format == "html":
        return render_html(report)
    if format == "csv":
        return render_csv(report)
    if format == "text":
        return render_text(report, width)
    raise ValueError(f"unknown report format '{format}'")
