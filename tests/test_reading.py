"""The reading time: measured by playing a story at random, scene by scene."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from game.cli.entry import main
from game.play.reading import WORDS_PER_MINUTE, Reading, estimate, measure, words
from game.story.loader import load_story

WriteStory = Callable[..., Path]  # the conftest fixture `write_story`

LINEAR = """\
[story]
id = "linear"
title = "Linear"
summary = "One way through."
start = "one"
era = "1941"

[variable.count]
label = "Count"
default = 2

[[node]]
id = "one"
title = "One"
text = "Three words here."

[[node.choice]]
label = "On"
goto = "two"

[[node]]
id = "two"
title = "Two"
text = "{count} more words {if count > 1}and five more{end}."

[[node.choice]]
label = "Stay"
goto = "ending"

[[ending]]
id = "ending"
title = "End"
tone = "hopeful"
epilogue = "The end."
"""


def test_a_run_counts_every_scene_shown_and_the_epilogue(
    tmp_path: Path, write_story: WriteStory
) -> None:
    story = load_story(write_story(tmp_path, LINEAR))
    reading = measure(story, runs=5)
    # "Three words here." + "2 more words and five more." (as rendered) + "The end."
    assert reading.runs == (3 + 6 + 2,) * 5
    assert reading.median == 11


def test_branches_give_runs_of_different_lengths(tmp_path: Path, story_text: str) -> None:
    path = tmp_path / "story.toml"
    path.write_text(story_text, encoding="utf-8")
    reading = measure(load_story(path), runs=200)
    assert len(set(reading.runs)) > 1  # holding and falling back read differently
    assert min(reading.runs) <= reading.median <= max(reading.runs)
    assert reading.runs == measure(load_story(path), runs=200).runs  # seeded: the same again


def test_minutes_and_label() -> None:
    reading = Reading((WORDS_PER_MINUTE * 10, WORDS_PER_MINUTE * 12, WORDS_PER_MINUTE * 40))
    assert reading.minutes == 12
    assert reading.label == f"about 12 minutes ({WORDS_PER_MINUTE * 12:,} words)"
    assert Reading((10,)).label == "about 1 minute (10 words)"
    assert reading.percentile(0.0) == WORDS_PER_MINUTE * 10
    assert reading.percentile(0.99) == WORDS_PER_MINUTE * 40


def test_words_are_counted_as_a_reader_sees_them() -> None:
    assert words("One  two\nthree —\n\nfour") == 5


def test_the_estimate_is_kept_per_version_of_the_files(
    tmp_path: Path, write_story: WriteStory
) -> None:
    path = write_story(tmp_path, LINEAR)
    first = estimate(load_story(path))
    assert estimate(load_story(path)) is first
    path.write_text(LINEAR.replace("Three words here.", "Now four words here."), encoding="utf-8")
    assert estimate(load_story(path)).median == first.median + 1


def test_the_story_list_gives_the_reading_time(tmp_path: Path, write_story: WriteStory) -> None:
    write_story(tmp_path / "stories", LINEAR, "linear.toml")
    out = io.StringIO()
    assert main(["stories", "--stories", str(tmp_path / "stories")], stdout=out) == 0
    assert "linear         Linear (1941), about 1 minute (11 words)\n" in out.getvalue()
