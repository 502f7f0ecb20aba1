"""How long a story takes to read, measured by playing it: seeded random runs, every scene
shown and the epilogue counted, as a player would read them (history notes left out).

A story's length on disk says little about a playthrough: a branching story is read one
path at a time. So the estimate plays the story the way `divergence randomtest` does (run
*i* uses seed *i* for chance and for its picks; a lone choice is taken without a draw) and
takes the median run.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Iterator
from dataclasses import dataclass

from game.play.engine import Engine, EngineError, GameState
from game.story.compiled import Story

WORDS_PER_MINUTE = 238
"""Average silent reading rate of adults in English (Brysbaert, "How many words do we read
per minute?", Journal of Memory and Language 109, 2019)."""

ESTIMATE_RUNS = 200
"""Runs behind the estimate shown to players: the median moves by a few words past this."""

MAX_DECISIONS = 400  # a run longer than this is cut short: it counts what it read so far


@dataclass(frozen=True)
class Reading:
    """Words read in seeded random runs of one story."""

    runs: tuple[int, ...]  # the words of each run, in seed order

    @property
    def median(self) -> int:
        return round(statistics.median(self.runs)) if self.runs else 0

    @property
    def minutes(self) -> int:
        """The median run's reading time, in whole minutes (at least 1)."""
        return max(1, round(self.median / WORDS_PER_MINUTE))

    def percentile(self, share: float) -> int:
        ordered = sorted(self.runs)
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0

    @property
    def label(self) -> str:
        """For a story list: `about 40 minutes (9,500 words)`."""
        minutes = self.minutes
        unit = "minute" if minutes == 1 else "minutes"
        return f"about {minutes} {unit} ({self.median:,} words)"


def words(text: str) -> int:
    return len(text.split())


def random_runs(story: Story, runs: int, seed: int = 0) -> Iterator[tuple[GameState, int]]:
    """Each seeded random run's last state and the words it showed, run by run (a run that
    cannot start is left out)."""
    engine = Engine(story)
    for run in range(runs):
        run_seed = seed + run
        pick = random.Random(run_seed).random
        try:
            state = engine.start(run_seed)
        except EngineError:  # the story cannot even start with this seed: nothing is read
            continue
        read = words(engine.text(state))
        try:
            for _ in range(MAX_DECISIONS):
                if state.ending is not None:
                    break
                options = engine.available(state)
                if not options:
                    break
                choice = options[0] if len(options) == 1 else options[int(pick() * len(options))]
                state = engine.choose(state, choice.key)
                read += words(engine.text(state))
        except EngineError:  # routes that loop: what was read so far still counts
            pass
        yield state, read


def measure(story: Story, runs: int = ESTIMATE_RUNS, seed: int = 0) -> Reading:
    """Play `story` `runs` times at random and count the words each run shows."""
    return Reading(tuple(read for _state, read in random_runs(story, runs, seed)))


_estimates: dict[tuple[str, str], Reading] = {}


def estimate(story: Story) -> Reading:
    """The reading time shown to players, measured once per version of a story's files."""
    key = (story.id, story.fingerprint)
    found = _estimates.get(key)
    if found is None:
        found = _estimates[key] = measure(story)
    return found
