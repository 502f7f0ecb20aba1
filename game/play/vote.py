"""Class votes: the counts a teacher enters for each choice, and what they decide.

Pure rules, no interface: the vote panel counts with a `Tally`, and the session
records the result (`VoteRecord`) beside the decision in the save, so transcripts
and the class report can show how the room split.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MAX_COUNT = 9999  # more hands than any classroom has; keeps a typo from reading 10^9


@dataclass(frozen=True)
class Outcome:
    """What a closed vote decided: one winner, or the tied choices the teacher settles."""

    winner: str | None
    tied: tuple[str, ...] = ()

    @property
    def is_tie(self) -> bool:
        return self.winner is None


@dataclass
class Tally:
    """The running count of one vote, over the keys of the choices open to it."""

    keys: tuple[str, ...]
    counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValueError("a vote needs at least one choice")
        self.counts = {key: max(0, min(MAX_COUNT, self.counts.get(key, 0))) for key in self.keys}

    def add(self, key: str, amount: int = 1) -> int:
        """Add (or, with a negative amount, take away) votes; never below 0."""
        self.counts[key] = max(0, min(MAX_COUNT, self.counts[key] + amount))
        return self.counts[key]

    def set(self, key: str, count: int) -> int:
        self.counts[key] = max(0, min(MAX_COUNT, count))
        return self.counts[key]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def share(self, key: str) -> float:
        return self.counts[key] / self.total if self.total else 0.0

    def result(self) -> Outcome:
        """The majority (most votes); a tie, including no votes at all, goes to the teacher."""
        best = max(self.counts.values())
        leaders = tuple(key for key in self.keys if self.counts[key] == best)
        if len(leaders) == 1 and best > 0:
            return Outcome(leaders[0])
        return Outcome(None, leaders if best > 0 else self.keys)


@dataclass(frozen=True)
class VoteRecord:
    """A decided vote as the save keeps it: at which decision, the counts, who decided."""

    step: int  # index of the decision in the run's path (0 = the first decision)
    counts: Mapping[str, int]
    decided_by: str = "majority"  # "majority", or "teacher" after a tie

    def split(self, labels: Mapping[str, str] | None = None) -> str:
        """e.g. `14 Send trains, 9 Wait` (labels by key when given)."""
        parts = [
            f"{count} {labels.get(key, key) if labels else key}"
            for key, count in sorted(self.counts.items(), key=lambda item: -item[1])
        ]
        return ", ".join(parts)


def records_up_to(records: Iterable[VoteRecord], steps: int) -> list[VoteRecord]:
    """The votes that still belong to a path of `steps` decisions (after an undo)."""
    return [record for record in records if record.step < steps]
