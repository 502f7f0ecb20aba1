"""Replaying a recorded path on a story: the one way a save, a live reload and a transcript
find out how much of a run still fits the story as it is now."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from game.play.engine import Engine, EngineError, GameState, PathBreak, Step


@dataclass(frozen=True)
class Replay:
    """A path replayed on a story: the states that still fit, and where and why it stopped."""

    states: list[GameState]  # from the start: all of them, or those that fit; none if unstarted
    broken_at: int | None = None  # the index of the first step that no longer fits
    reason: str = ""  # why it stopped: the step's reason, or why the story cannot start
    changed: bool = False  # the story's files differ from when the path was recorded

    @property
    def fits(self) -> bool:
        return self.broken_at is None

    @property
    def started(self) -> bool:
        """False when the story cannot even start from the recorded seed."""
        return bool(self.states)

    @property
    def fitting(self) -> int:
        """How many decisions of the path still fit."""
        return max(len(self.states) - 1, 0)


def replay(engine: Engine, seed: int, steps: Sequence[Step], *, changed: bool = False) -> Replay:
    """Replay `steps` from `seed`; a path that breaks keeps the part that still fits."""
    try:
        states = engine.replay(seed, steps)
    except PathBreak as broken:
        return Replay(broken.states, broken.index, broken.reason, changed)
    except EngineError as error:  # the story cannot even start with this seed
        return Replay([], 0, str(error), changed)
    return Replay(states, None, "", changed)
