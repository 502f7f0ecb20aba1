"""The story map screen, driven by key presses through Textual's Pilot.

Like tests/test_ui.py: the real app, headless, on a copy of The Special Train with a save
folder under `tmp_path` and a fixed seed, each test an `async def` run by pytest-asyncio. The path
taken: 2 (bank the fires) -> The Sixteenth, 1 (keep the men on it) -> The Order of the
Papers, where the map is opened.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import press, shown
from textual.app import App
from textual.widgets import Static

from game.play.storymap import LEGEND
from game.saves.files import SaveFolder
from game.story.catalog import Catalog
from game.ui.app import DivergenceApp
from game.ui.ending import EndingScreen
from game.ui.help import HelpScreen
from game.ui.map import MapScreen, MapTree
from game.ui.play import PlayScreen

ROOT = Path(__file__).parent.parent
SPECIAL_TRAIN = ROOT / "stories" / "special_train.toml"
SIZE = (100, 30)
PLAYER = "Anna"

MARKUP_STORY = """\
[story]
id = "markup"
title = "[b]Not bold[/b]"
summary = "Titles that look like markup."
start = "first"
era = "1941"

[[node]]
id = "first"
title = "The [b]first[/b] room"
text = "Two doors."

[[node.choice]]
label = "Open [red]the red door[/red]"
goto = "second"

[[node.choice]]
label = "Open the door marked [$var] and [/]"
goto = "third"

[[node]]
id = "second"
title = "A room called [bold]Bold[/bold]"
text = "Quiet."

[[node.choice]]
label = "Leave"
goto = "out"

[[node]]
id = "third"
title = "Third [i]room[/i]"
text = "Dark."

[[node.choice]]
label = "Leave"
goto = "out"

[[ending]]
id = "out"
title = "Out [u]at last[/u]"
tone = "hopeful"
epilogue = "Done."
"""


@pytest.fixture
def stories(tmp_path: Path) -> Path:
    folder = tmp_path / "stories"
    folder.mkdir()
    shutil.copy(SPECIAL_TRAIN, folder / SPECIAL_TRAIN.name)
    return folder


def app_for(
    stories: Path, tmp_path: Path, story: str = "special_train", **options: Any
) -> DivergenceApp:
    catalog = Catalog([stories], include_bundled=False)
    return DivergenceApp(
        catalog, SaveFolder(tmp_path / "saves"), player=PLAYER, story=story, seed=7, **options
    )


def the_map(app: App[Any]) -> MapScreen:
    screen = app.screen
    assert isinstance(screen, MapScreen), f"on {type(screen).__name__}"
    return screen


def cursor_place(app: App[Any]) -> str:
    node = the_map(app).query_one(MapTree).cursor_node
    assert node is not None and node.data is not None
    return node.data.place


async def test_m_opens_the_map_at_the_current_scene_and_escape_or_m_closes_it(
    stories: Path, tmp_path: Path
) -> None:
    app = app_for(stories, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2", "1")
        screen = app.screen
        assert isinstance(screen, PlayScreen)
        assert screen.session.state.node == "kremlin"
        await press(pilot, "m")
        assert cursor_place(app) == "kremlin"  # the cursor is on where the player is
        text = shown(app)
        assert "▶ The Order of the Papers" in text
        assert "⇒ ✓ The Sixteenth" in text  # the way taken, and a place visited
        assert "Places visited 3 of 6 · endings found 0 of 3" in text
        assert LEGEND in text
        # not yet seen: the scenes after the next decision, and every ending
        assert "Ryazan at First Light" not in text and "Snow on Red Square" not in text
        assert "Beria's note" not in text  # a choice its condition hides from this run
        await press(pilot, "escape")
        assert app.screen is screen and screen.session.state.node == "kremlin"
        await press(pilot, "m")
        the_map(app)
        await press(pilot, "m")
        assert app.screen is screen


async def test_arrows_and_enter_move_open_and_close_the_tree(stories: Path, tmp_path: Path) -> None:
    app = app_for(stories, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2", "1", "m")
        tree = the_map(app).query_one(MapTree)
        here = tree.cursor_node
        assert here is not None and here.is_expanded and here.children
        await press(pilot, "left")
        assert not here.is_expanded
        await press(pilot, "left")  # closed already: up to the line it hangs from
        assert tree.cursor_node is here.parent
        await press(pilot, "left", "left", "left")  # close the lines above it too
        assert not tree.root.children[0].is_expanded
        await press(pilot, "c")  # back to where the player is, opening the way there
        await pilot.pause()
        assert tree.cursor_node is here
        await press(pilot, "right")
        assert here.is_expanded
        await press(pilot, "right")  # open already: into its first line
        assert tree.cursor_node is here.children[0]
        await press(pilot, "up", "enter")
        assert tree.cursor_node is here and not here.is_expanded
        await press(pilot, "enter")
        assert here.is_expanded
        detail = the_map(app).query_one("#map-detail", Static)
        assert "The Order of the Papers" in str(detail.content)  # the line in full


async def test_the_map_is_in_the_palette_and_in_help(stories: Path, tmp_path: Path) -> None:
    app = app_for(stories, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2")
        screen = app.screen
        commands = {command.title: command for command in app.get_system_commands(screen)}
        assert "Map" in commands
        commands["Map"].callback()
        await pilot.pause()
        await pilot.pause()
        assert cursor_place(app) == "sixteenth"
        await press(pilot, "escape", "question_mark")
        assert isinstance(app.screen, HelpScreen)
        assert any("m" in line.split() and "Map" in line for line in shown(app).splitlines())


async def test_the_map_from_the_ending_shows_the_ending_found(
    stories: Path, tmp_path: Path
) -> None:
    app = app_for(stories, tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2", "1", "1", "1")
        ending = app.screen
        assert isinstance(ending, EndingScreen)
        commands = {command.title: command for command in app.get_system_commands(ending)}
        commands["Map"].callback()
        await pilot.pause()
        await pilot.pause()
        assert cursor_place(app) == "parade"
        text = shown(app)
        assert "▶ ★ Snow on Red Square" in text
        assert "endings found 1 of 3" in text
        await press(pilot, "escape")
        assert app.screen is ending


async def test_a_writer_watching_the_story_sees_every_place_and_condition(
    stories: Path, tmp_path: Path
) -> None:
    app = app_for(stories, tmp_path, watch=True)
    async with app.run_test(size=(140, 60)) as pilot:
        await press(pilot, "m")
        assert cursor_place(app) == "decree"
        tree = the_map(app).query_one(MapTree)
        for node in list(tree.root.children):
            node.expand_all()
        await pilot.pause()
        text = shown(app)
        assert "everything shown" in text
        assert "Ryazan at First Light" in text and "Snow on Red Square" in text
        assert "(if " in text  # conditions, for the writer


async def test_story_text_that_looks_like_markup_is_shown_as_written(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "stories"
    folder.mkdir()
    (folder / "markup.toml").write_text(MARKUP_STORY, encoding="utf-8")

    app = app_for(folder, tmp_path, story="markup")
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "1", "m")
        assert cursor_place(app) == "second"
        text = shown(app)
        for literal in (
            "Map of [b]Not bold[/b]",
            "✓ The [b]first[/b] room",
            "Open [red]the red door[/red] ⇒ ▶ A room called [bold]Bold[/bold]",
            "Open the door marked [$var] and [/] → · Third [i]room[/i]",
        ):
            assert literal in text, literal


async def test_the_play_screens_footer_still_fits_at_80_columns(
    stories: Path, tmp_path: Path
) -> None:
    app = app_for(stories, tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        footer = shown(app).splitlines()[-1]
        assert "m Map" in footer and "? Help" in footer and "q Quit" in footer
