"""Class votes: tallies, majorities and ties, and the split kept in the save."""

from __future__ import annotations

from pathlib import Path

import pytest

from game.play.vote import MAX_COUNT, Tally, VoteRecord
from game.saves.files import SaveFolder, read_save
from game.session import GameSession
from game.story.loader import load_story

CROSSROADS = Path(__file__).parent / "stories" / "crossroads.toml"


def test_the_majority_wins_and_counts_never_go_below_zero() -> None:
    tally = Tally(("a", "b", "c"))
    for _ in range(3):
        tally.add("b")
    tally.add("a")
    tally.add("c", -5)
    assert tally.counts == {"a": 1, "b": 3, "c": 0}
    assert tally.total == 4 and tally.share("b") == 0.75
    assert tally.result().winner == "b"


def test_a_tie_and_an_empty_vote_go_to_the_teacher() -> None:
    tally = Tally(("a", "b", "c"), {"a": 4, "b": 4, "c": 1})
    outcome = tally.result()
    assert outcome.is_tie and outcome.tied == ("a", "b")
    empty = Tally(("a", "b")).result()
    assert empty.is_tie and empty.tied == ("a", "b")


def test_a_typed_count_is_kept_within_reason() -> None:
    tally = Tally(("a",))
    assert tally.set("a", 10**9) == MAX_COUNT
    assert tally.set("a", -3) == 0
    with pytest.raises(ValueError):
        Tally(())


def test_the_split_is_recorded_in_the_save_and_trimmed_by_undo(tmp_path: Path) -> None:
    story = load_story(CROSSROADS)
    folder = SaveFolder(tmp_path)
    session = GameSession(story, folder, "Class 9B", seed=1)
    session.classroom = True
    first = session.engine.available(session.state)[0].key
    session.choose(first, VoteRecord(0, {first: 17, "other": 9}, "majority"))
    save = read_save(folder.slot_path(session.autosave_slot))
    assert save.classroom is True
    assert [(v.step, v.counts, v.decided_by) for v in save.votes] == [
        (0, {first: 17, "other": 9}, "majority")
    ]
    resumed, _ = GameSession.from_save(story, folder, "x", save)
    assert resumed.classroom and resumed.votes == save.vote_records()
    assert session.undo()
    save = read_save(folder.slot_path(session.autosave_slot))
    assert save.votes == []
