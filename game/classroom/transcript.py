"""Transcripts: a run, replayed from its save, written out for a lesson.

`build_transcript(story, save)` replays the save's path on the story and gathers,
decision by decision, what a teacher needs: when and where it happened, the choice
taken beside history's, how the class voted, what changed in the dossier, the
"what really happened" note and the discussion prompt; then the ending, or where an
unfinished run stands. `to_markdown` and `to_html` write it out; the HTML is one
self-contained page that prints on A4 and Letter alike.

If the story changed since the run and its path no longer fits, the transcript keeps
the decisions that still fit and says where, and why, the record breaks.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from game.classroom import view
from game.play.engine import Engine, GameState
from game.play.replay import replay
from game.presentation import date_and_place, plural
from game.saves.files import SaveFile, atomic_write
from game.session import decisions, describe_change
from game.story.compiled import Story
from game.story.text import format_value

TRANSCRIPTS = "transcripts"  # the folder, inside the save folder, the game writes them to
TEACHER_TIE = "decided by the teacher after a tie"
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@dataclass(frozen=True)
class VoteSplit:
    """How the class voted at one decision: counts by choice label, most votes first."""

    counts: tuple[tuple[str, int], ...]
    decided_by: str = "majority"

    @property
    def by_teacher(self) -> bool:
        return self.decided_by == "teacher"

    @property
    def total(self) -> int:
        return sum(count for _label, count in self.counts)

    def text(self) -> str:
        """e.g. `14 Send trains, 9 Wait` or `12 Send trains, 12 Wait; decided by the teacher
        after a tie`."""
        split = ", ".join(f"{count} {label}" for label, count in self.counts) or "no votes"
        return f"{split}; {TEACHER_TIE}" if self.by_teacher else split


@dataclass(frozen=True)
class Decision:
    """One decision of the run, with everything a lesson needs about it."""

    number: int
    date: str
    place: str
    scene: str
    viewpoint: str
    choice: str  # the label of the choice taken
    historical: bool | None  # history's choice? None where the scene has none
    history_choice: str | None  # the label of history's choice, where there is one
    vote: VoteSplit | None
    changes: tuple[str, ...]  # what changed in the visible dossier, e.g. "Supply +2"
    history: str  # the "what really happened" note
    discuss: str  # the discussion prompt
    sources: tuple[str, ...]
    quotes: tuple[tuple[str, str], ...] = ()  # quotations from the record: (words, attribution)

    @property
    def where(self) -> str:
        return date_and_place(self.date, self.place)

    @property
    def verdict(self) -> str:
        if self.historical is None:
            return ""
        if self.historical:
            return "history's choice"
        return f"not history's choice; history chose: {self.history_choice}"


@dataclass(frozen=True)
class EndingNote:
    """The ending reached, its epilogue rendered with the run's final state."""

    title: str
    tone: str
    date: str
    place: str
    epilogue: str
    history: str
    quotes: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Break:
    """Where a save's path stops fitting the story as it is now."""

    decision: int  # the number (from 1) of the first decision that no longer fits
    reason: str
    recorded: int  # how many decisions the save recorded
    recorded_ending: str  # the title of the ending the save reached, or ""


@dataclass(frozen=True)
class Transcript:
    story_id: str
    story_title: str
    subtitle: str
    player: str
    created: datetime
    saved: datetime
    seed: int
    classroom: bool
    decisions: tuple[Decision, ...]
    ending: EndingNote | None  # None: the run has not ended (or its record broke first)
    stands_at: str  # for a run not ended: the scene it stands at, with its date
    dossier: tuple[tuple[str, str], ...]  # the final visible dossier, (label, value)
    broken: Break | None = None
    revised: bool = False  # the story's files changed since the save was made

    @property
    def finished(self) -> bool:
        return self.ending is not None

    @property
    def played(self) -> str:
        return played_text(self.created, self.saved)


# -- building --


def _quotes(engine: Engine, state: GameState) -> tuple[tuple[str, str], ...]:
    return tuple((quote.text, quote.attribution) for quote in engine.quotes(state))


def build_transcript(story: Story, save: SaveFile) -> Transcript:
    """Replay `save` on `story` and gather its transcript; a path that no longer fits is
    transcribed as far as it fits. Raises ValueError if the save is of another story."""
    if save.story != story.id:
        raise ValueError(f"this save belongs to the story '{save.story}', not '{story.id}'")
    engine = Engine(story)
    broken: Break | None = None
    recorded_ending = save.node_title if save.ending else ""
    replayed = replay(engine, save.seed, save.steps())
    states = replayed.states
    if not replayed.fits:
        reason = (
            replayed.reason if replayed.started else f"the story cannot start: {replayed.reason}"
        )
        decision = (replayed.broken_at or 0) + 1
        broken = Break(decision, reason, len(save.path), recorded_ending)
    votes = {record.step: record for record in save.vote_records()}
    found: list[Decision] = []
    if states:
        final = states[-1]
        for index, summary in enumerate(decisions(story, final)):
            step = final.path[index]
            node = story.nodes.get(step.node)
            record = votes.get(index)
            vote = None
            if record is not None:
                labels = {c.key: c.label for c in node.choices} if node else {}
                vote = _split(record.counts, labels, record.decided_by)
            changes = engine.changes(states[index], states[index + 1])
            found.append(
                Decision(
                    number=summary.number,
                    date=summary.date,
                    place=node.place if node else "",
                    scene=engine.title(states[index]) if node else summary.scene,
                    viewpoint=engine.viewpoint(states[index]) if node else "",
                    choice=summary.taken,
                    historical=summary.as_in_history,
                    history_choice=summary.history,
                    vote=vote,
                    changes=tuple(describe_change(story, change) for change in changes),
                    history=node.history if node else "",
                    discuss=node.discuss if node else "",
                    sources=node.sources if node else (),
                    quotes=_quotes(engine, states[index]) if node else (),
                )
            )
    ending_note: EndingNote | None = None
    stands_at = ""
    dossier: tuple[tuple[str, str], ...] = ()
    if states:
        final = states[-1]
        dossier = _dossier(story, final)
        ending = engine.ending(final)
        if ending is not None and broken is None:
            ending_note = EndingNote(
                ending.title,
                ending.tone,
                ending.date,
                ending.place,
                engine.text(final),
                ending.history,
                _quotes(engine, final),
            )
        elif ending is None:
            node = story.nodes[final.node]
            stands_at = f"{node.title} ({node.date})" if node.date else node.title
    return Transcript(
        story_id=story.id,
        story_title=story.title,
        subtitle=story.subtitle,
        player=save.player,
        created=save.created,
        saved=save.saved,
        seed=save.seed,
        classroom=save.classroom or bool(save.votes),
        decisions=tuple(found),
        ending=ending_note,
        stands_at=stands_at,
        dossier=dossier,
        broken=broken,
        revised=save.fingerprint != story.fingerprint,
    )


def _split(counts: Mapping[str, int], labels: Mapping[str, str], decided_by: str) -> VoteSplit:
    ordered = sorted(counts.items(), key=lambda item: -item[1])  # stable: ties keep their order
    return VoteSplit(tuple((labels.get(key, key), count) for key, count in ordered), decided_by)


def _dossier(story: Story, state: GameState) -> tuple[tuple[str, str], ...]:
    shown = []
    for name, variable in story.variables.items():
        if not variable.visible or name not in state.variables:
            continue
        value = format_value(state.variables[name])
        if variable.type == "int" and variable.maximum is not None:
            value = f"{value}/{variable.maximum}"
        shown.append((variable.label, value))
    return tuple(shown)


def day_text(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


def played_text(created: datetime, saved: datetime) -> str:
    """When the run was played, e.g. `3 March 2025, 10:02–10:40 UTC`."""
    start, end = created.astimezone(UTC), saved.astimezone(UTC)
    if start.date() == end.date():
        if start.strftime("%H:%M") == end.strftime("%H:%M"):
            return f"{day_text(start)}, {start:%H:%M} UTC"
        return f"{day_text(start)}, {start:%H:%M}–{end:%H:%M} UTC"
    return f"{day_text(start)}, {start:%H:%M} – {day_text(end)}, {end:%H:%M} UTC"


def break_text(t: Transcript) -> str:
    """Why the record stops short, in one paragraph (for a broken run only)."""
    broken = t.broken
    assert broken is not None
    fits = len(t.decisions)
    text = (
        f"The story has changed since this run was played. Decision {broken.decision} of the "
        f"{broken.recorded} recorded no longer fits: {broken.reason}. "
    )
    text += (
        f"This transcript shows the {plural(fits, 'decision')} that still "
        f"{'fits' if fits == 1 else 'fit'}"
        if fits
        else "No decision of the run can be shown"
    )
    if broken.recorded_ending:
        text += f"; the save had reached the ending '{broken.recorded_ending}'."
    else:
        text += "."
    return text


def outcome_text(t: Transcript) -> str:
    if t.ending is not None:
        return f"{t.ending.title} ({t.ending.tone})" if t.ending.tone else t.ending.title
    if t.broken is not None:
        return "cannot be replayed on this version of the story"
    return "unfinished"


def _facts(t: Transcript) -> list[tuple[str, str]]:
    facts = [
        ("Player", t.player),
        ("Played", t.played),
        ("Seed", str(t.seed)),
        ("Class vote", "yes" if t.classroom else "no"),
        ("Decisions", str(len(t.decisions))),
        ("Ending", outcome_text(t)),
    ]
    if t.revised and t.broken is None:
        facts.append(("Note", "the story was revised since this run; its path still fits"))
    return facts


# -- Markdown --


def to_markdown(t: Transcript) -> str:
    """The transcript in Markdown (templates/transcript.md)."""
    ending_where = ""
    if t.ending is not None:
        where = [part for part in (t.ending.date, t.ending.place) if part]
        if t.ending.tone:
            where.append(f"tone: {t.ending.tone}")
        ending_where = " · ".join(where)
    text = view.render(
        "transcript.md",
        t=t,
        facts=_facts(t),
        broken=break_text(t) if t.broken is not None else "",
        ending_where=ending_where,
        after=plural(len(t.decisions), "decision"),
    )
    return text.rstrip("\n") + "\n"


# -- HTML --


def to_html(t: Transcript) -> str:
    """The transcript as one self-contained page (templates/transcript.html)."""
    return view.render(
        "transcript.html",
        t=t,
        facts=_facts(t),
        broken=break_text(t) if t.broken is not None else "",
        ending_where=date_and_place(t.ending.date, t.ending.place) if t.ending else "",
        after=plural(len(t.decisions), "decision"),
    )


# -- files --


def transcript_paths(folder: Path, slot: str) -> tuple[Path, Path]:
    """Where the game keeps a run's transcripts: `<save folder>/transcripts/<slot>.{md,html}`."""
    base = folder / TRANSCRIPTS
    return base / f"{slot}.md", base / f"{slot}.html"


def write_transcripts(t: Transcript, folder: Path, slot: str) -> tuple[Path, Path]:
    """Write both forms atomically into the save folder's transcripts/; their paths."""
    markdown, page = transcript_paths(folder, slot)
    atomic_write(markdown, to_markdown(t))
    atomic_write(page, to_html(t))
    return markdown, page
