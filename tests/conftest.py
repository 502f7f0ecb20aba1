"""Shared fixtures: a small valid story and a helper to write stories to disk.

`story_text` is a complete, loadable story that tests extend or break with
`str.replace`. Keep it stable: tests in several files locate lines in it by
searching for its text, but some also rely on its shape (three variables, the
nodes `opening` and `hold`, the endings `victory`, `defeat` and `retreat`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

import pytest

from game.story.compiled import Story
from game.story.loader import load_story

STORY_TEXT = '''\
[story]
id = "test_story"
title = "A Test Story"
summary = "A small story for the tests."
start = "opening"
era = "June 1941"

[variable.supply]
label = "Supply"
default = 3
min = 0
max = 10

[variable.alarmed]
label = "Alarmed"
default = false

[variable.faction]
label = "Faction"
default = "soviets"
values = ["soviets", "allies", "neutral"]

[[node]]
id = "opening"
title = "The Opening"
text = """
You have {supply} trains of shells.
{if alarmed}
The staff are alarmed.
{end}
"""

[[node.choice]]
label = "Hold the line"
goto = "hold"
effects = "supply -= 1"

[[node.choice]]
label = "Fall back"
goto = "retreat"
effects = "alarmed = true"

[[node]]
id = "hold"
title = "Holding"
text = "The line holds, for now."

[[node.route]]
if = "supply > 2"
goto = "victory"

[[node.route]]
goto = "defeat"

[[ending]]
id = "victory"
title = "Victory"
tone = "triumph"
epilogue = "You won with {supply} trains to spare."

[[ending]]
id = "defeat"
title = "Defeat"
tone = "grim"
epilogue = "The line broke."

[[ending]]
id = "retreat"
title = "Retreat"
tone = "ambiguous"
epilogue = "You fell back. Faction: {faction}."
'''

WriteStory = Callable[..., Path]


def _write_story(tmp_path: Path, text: str | bytes, name: str = "story.toml") -> Path:
    """Write `text` (or raw bytes) to `tmp_path / name`, creating folders; return the path."""
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


@pytest.fixture
def write_story() -> WriteStory:
    """The helper `write_story(tmp_path, text, name="story.toml") -> Path`."""
    return _write_story


@pytest.fixture(scope="session")
def story_text() -> str:
    """The text of a small valid story, to extend or break."""
    return STORY_TEXT


@pytest.fixture
def story_path(tmp_path: Path) -> Path:
    """The small valid story written to `tmp_path / "story.toml"`."""
    return _write_story(tmp_path, STORY_TEXT)


@pytest.fixture
def story(story_path: Path) -> Story:
    """The small valid story, loaded."""
    return load_story(story_path)


# Modules that only drive the interface; elsewhere a test that starts the app is marked alone.
TUI_MODULES = {"test_ui", "test_classroom", "test_map_ui", "test_snapshots", "test_terminal"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of the interface `tui`, so that `pytest -m "not tui"` runs the domain."""
    for item in items:
        function = getattr(item, "function", None)
        in_module = (
            item.module.__name__ in TUI_MODULES if isinstance(item, pytest.Function) else False
        )
        if in_module or (function is not None and "run_test(" in inspect.getsource(function)):
            item.add_marker(pytest.mark.tui)
