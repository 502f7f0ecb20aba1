"""One player's run of one story: the rules the interface drives, with no interface in it.

The Textual screens call this and only show what it returns: options, the text, the
changes a decision made, the decisions set against history, the endings unlocked. It
autosaves after every decision and undo, as plain mode does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from game.play.engine import Change, Engine, GameState, Option, Playthrough
from game.play.replay import Replay
from game.play.vote import VoteRecord, records_up_to
from game.saves.errors import SaveError, SlotNameError
from game.saves.files import (
    SaveFile,
    SaveFolder,
    autosave_slot,
    check_named_slot,
    resume,
    snapshot,
)
from game.story.compiled import Ending, Node, Quote, Story
from game.story.text import format_value


@dataclass(frozen=True)
class Decision:
    """One decision of the run, set beside what history did at the same point."""

    number: int
    date: str
    scene: str
    taken: str
    history: str | None  # the label of the historical choice at that node, if any
    as_in_history: bool | None  # None where the scene has no historical choice

    @property
    def verdict(self) -> str:
        if self.as_in_history is None:
            return ""
        return "as in history" if self.as_in_history else "diverged"


@dataclass(frozen=True)
class Unlock:
    new: bool
    found: int
    total: int


@dataclass(frozen=True)
class Reading:
    """A visible variable as the dossier shows it."""

    name: str
    label: str
    value: str
    fraction: float | None  # position between min and max, for a bar


def describe_change(story: Story, change: Change) -> str:
    label = story.variables[change.variable].label
    before, after = change.before, change.after
    if isinstance(before, int) and isinstance(after, int) and not isinstance(before, bool):
        delta = after - before
        return f"{label} {'+' if delta > 0 else ''}{delta}"
    return f"{label}: {format_value(after)}"


def dossier(story: Story, state: GameState) -> list[Reading]:
    """The visible variables as every front shows them: `3/10`, with a fraction for a bar."""
    readings = []
    for name, variable in story.variables.items():
        if not variable.visible:
            continue
        value = state.variables[name]
        fraction = None
        if (
            variable.type == "int"
            and variable.minimum is not None
            and variable.maximum is not None
            and variable.maximum > variable.minimum
        ):
            span = variable.maximum - variable.minimum
            fraction = (int(value) - variable.minimum) / span
        shown = format_value(value)
        if variable.type == "int" and variable.maximum is not None:
            shown = f"{shown}/{variable.maximum}"
        readings.append(Reading(name, variable.label, shown, fraction))
    return readings


def decisions(story: Story, state: GameState) -> list[Decision]:
    """The decisions of a run, each beside the choice history made at the same scene."""
    found = []
    for number, step in enumerate(state.path, start=1):
        node = story.nodes.get(step.node)
        choice = node.choice(step.choice) if node else None
        historical = [c for c in node.choices if c.historical] if node else []
        verdict = None if not historical or choice is None else choice.historical
        found.append(
            Decision(
                number=number,
                date=node.date if node else "",
                scene=node.title if node else step.node,
                taken=choice.label if choice else step.choice,
                history=historical[0].label if historical else None,
                as_in_history=verdict,
            )
        )
    return found


class GameSession:
    """A run in progress: choose, undo, save; the state lives in the engine's records."""

    def __init__(self, story: Story, folder: SaveFolder, player: str, seed: int) -> None:
        self.story = story
        self.engine = Engine(story)
        self.folder = folder
        self.player = player
        self.run = Playthrough.begin(self.engine, seed)
        self.created = datetime.now(UTC).replace(microsecond=0)
        self.touched = False  # nothing autosaved until something happened (see plain mode)
        self.last_changes: list[Change] = []
        self.classroom = False  # a class votes at each decision (see game.play.vote)
        self.votes: list[VoteRecord] = []
        self.autosave_error: str | None = None  # why the last autosave failed, if it did

    @classmethod
    def from_save(
        cls, story: Story, folder: SaveFolder, player: str, save: SaveFile
    ) -> tuple[GameSession, Replay]:
        """A session resumed from a save; the caller decides what to do if it no longer fits."""
        session = cls(story, folder, save.player or player, save.seed)
        resumed = session.replay(save)
        session.take_over(save, resumed.states)
        return session, resumed

    def replay(self, save: SaveFile) -> Replay:
        """Replay a save's path on this session's story, without adopting it yet; raises
        SaveError (with a reason for the player) when it is another story's or cannot start."""
        return resume(self.story, save, self.engine)

    def take_over(self, save: SaveFile, states: list[GameState]) -> None:
        """Carry on from a save, at `states` (its replay, or the part of it that still fits):
        the save's creation time, class vote and vote records go on with it."""
        self.run = Playthrough(self.engine, list(states))
        self.created = save.created
        self.touched = True
        self.classroom = save.classroom
        self.votes = records_up_to(save.vote_records(), len(self.state.path))
        self.last_changes = []

    # -- reading --

    @property
    def state(self) -> GameState:
        return self.run.state

    @property
    def over(self) -> bool:
        return self.run.state.over

    def node(self) -> Node:
        return self.engine.node(self.state)

    def ending(self) -> Ending | None:
        return self.engine.ending(self.state)

    def options(self) -> list[Option]:
        return self.engine.options(self.state)

    def text(self) -> str:
        return self.engine.text(self.state)

    def title(self) -> str:
        return self.engine.title(self.state)

    def viewpoint(self) -> str:
        return self.engine.viewpoint(self.state)

    def quotes(self) -> list[Quote]:
        return self.engine.quotes(self.state)

    def first_visit(self) -> bool:
        return self.state.visits.get(self.state.node, 0) == 1

    def dossier(self) -> list[Reading]:
        return dossier(self.story, self.state)

    def decisions(self) -> list[Decision]:
        return decisions(self.story, self.state)

    def change_notes(self) -> list[str]:
        return [describe_change(self.story, change) for change in self.last_changes]

    # -- acting --

    def choose(self, key: str, vote: VoteRecord | None = None) -> list[Change]:
        """Take a choice; `vote` is the class's vote that decided it, recorded in the save."""
        before = self.state
        after = self.run.choose(key)
        self.votes = records_up_to(self.votes, len(before.path))
        if vote is not None:
            self.votes.append(VoteRecord(len(before.path), dict(vote.counts), vote.decided_by))
        self.touched = True
        self.last_changes = self.engine.changes(before, after)
        self.autosave()
        return self.last_changes

    def undo(self) -> bool:
        if not self.run.undo():
            return False
        self.votes = records_up_to(self.votes, len(self.state.path))
        self.last_changes = []
        self.autosave()
        return True

    def adopt(self, story: Story, states: list[GameState], engine: Engine | None = None) -> None:
        """Carry on in a revised version of the story (live reload), from `states` replayed
        on it; `engine` is the one they were replayed with, if there is one to reuse."""
        self.story = story
        self.engine = engine or Engine(story)
        self.run = Playthrough(self.engine, list(states))
        self.votes = records_up_to(self.votes, len(self.state.path))
        self.last_changes = []
        self.autosave()  # a later --continue resumes on the revised version

    def save_file(self) -> SaveFile:
        return snapshot(
            self.story,
            self.state,
            self.player,
            created=self.created,
            votes=self.votes,
            classroom=self.classroom,
        )

    @property
    def autosave_slot(self) -> str:
        return autosave_slot(self.story.id, self.player)

    def autosave(self) -> str | None:
        """Save to the autosave slot; the reason it failed, or None (also kept in
        `autosave_error`, for the autosaves that choose, undo and adopt make)."""
        self.autosave_error = None
        if not self.touched:
            return None
        try:
            self.folder.write(self.autosave_slot, self.save_file())
        except (SaveError, SlotNameError, OSError) as error:
            self.autosave_error = str(error)
        return self.autosave_error

    def save(self, slot: str) -> Path:
        """Save under a name; raises SlotNameError or SaveError with a message for the player."""
        return self.folder.write(check_named_slot(slot), self.save_file())

    def unlock(self) -> Unlock:
        """Record the ending reached in the player's profile."""
        profile = self.folder.profile(self.player)
        ending = self.state.ending
        new = profile.unlock(self.story.id, ending) if ending else False
        if new:
            self.folder.save_profile(profile)
        found = len(profile.found(self.story))
        return Unlock(new, found, len(self.story.endings))
