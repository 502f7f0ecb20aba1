"""The Textual interface, driven by key presses through Textual's Pilot.

Every test runs the real `DivergenceApp` headless at 100x30 on a copy of The Special
Train (six scenes, three endings) with a save folder under `tmp_path` and a fixed seed,
and checks real state: the screen on top, the session's state, the files in the save
folder, and the text the player would see. Each test is an `async def` that pytest-asyncio
runs on its own event loop.

The path through The Special Train that the tests take, key by key (no chance on it):
  2  bank the fires          -> The Sixteenth (the train cannot move: choice 3 is locked)
  1  keep the men on it      -> The Order of the Papers (Beria's note is hidden)
  1  Zhukov's report on top  -> (the platform; the cold engine routes on) State of Siege
  1  his own signature       -> the ending "Snow on Red Square", one of three
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any, TypeVar

import pytest
from helpers import flat, notes, on, press, shown
from textual.app import App, SystemCommand
from textual.command import CommandList, CommandPalette
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input, Markdown, OptionList, Static

from game.saves.files import SaveFolder, autosave_slot, read_save
from game.saves.locations import default_player
from game.story.catalog import Catalog
from game.ui.app import MIN_HEIGHT, MIN_WIDTH, DivergenceApp
from game.ui.chooser import ChooserScreen
from game.ui.ending import EndingScreen
from game.ui.errors import StoryErrorScreen
from game.ui.gallery import GalleryScreen
from game.ui.help import HelpScreen
from game.ui.name import NameScreen
from game.ui.play import PlayScreen
from game.ui.saves import LoadScreen, SaveScreen
from game.ui.title import TitleScreen
from game.ui.toosmall import TooSmallScreen

ROOT = Path(__file__).parent.parent
SPECIAL_TRAIN = ROOT / "stories" / "special_train.toml"
STORY = "special_train"
SIZE = (100, 30)
SEED = 7
PLAYER = "Anna"
DEFAULT_PLAYER = "Tester"  # what the name prompt suggests (DIVERGENCE_PLAYER, set below)
TO_THE_ENDING = ("2", "1", "1", "1")

S = TypeVar("S", bound=Screen[Any])


# -- helpers --


@pytest.fixture(autouse=True)
def _player_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A known default player, so nothing depends on the user running the tests."""
    monkeypatch.setenv("DIVERGENCE_PLAYER", DEFAULT_PLAYER)


@pytest.fixture
def stories(tmp_path: Path) -> Path:
    """A stories folder holding only The Special Train (the bundled folder has five)."""
    folder = tmp_path / "stories"
    folder.mkdir()
    shutil.copy(SPECIAL_TRAIN, folder / SPECIAL_TRAIN.name)
    return folder


@pytest.fixture
def saves(tmp_path: Path) -> Path:
    return tmp_path / "saves"


def make_app(stories: Path, saves: Path, **options: Any) -> DivergenceApp:
    return DivergenceApp(Catalog([stories], include_bundled=False), SaveFolder(saves), **options)


def playing(stories: Path, saves: Path) -> DivergenceApp:
    """The app started straight into The Special Train, as `divergence play` does."""
    return make_app(stories, saves, player=PLAYER, story=STORY, seed=SEED)


def commands_on(app: DivergenceApp, screen: Screen[Any]) -> dict[str, SystemCommand]:
    """The command palette's system commands on `screen`, by title."""
    return {command.title: command for command in app.get_system_commands(screen)}


def text_of(static: Static) -> str:
    return str(static.content)


async def pick(pilot: Pilot[Any], menu: OptionList, option_id: str) -> None:
    """Move the highlight with the arrow keys to the option `option_id`, then press Enter."""
    target = menu.get_option_index(option_id)
    for _ in range(menu.option_count + 1):
        if menu.highlighted == target:
            break
        await pilot.press("down" if menu.highlighted is None or menu.highlighted < target else "up")
    assert menu.highlighted == target, f"could not reach '{option_id}' with the arrow keys"
    await press(pilot, "enter")


def shown_in(app: App[Any], widget: Widget) -> str:
    """The text the player sees in the part of the screen that `widget` covers."""
    region = widget.region
    lines = shown(app).splitlines()[region.y : region.bottom]
    return "\n".join(line[region.x : region.right] for line in lines)


def help_text(app: App[Any]) -> str:
    """What the help screen shows in its own widgets (the screen under it shows through)."""
    screen = on(app, HelpScreen)
    return "\n".join(shown_in(app, static) for static in screen.query(Static))


def play(app: App[Any]) -> PlayScreen:
    return on(app, PlayScreen)


# -- starting a game --


async def test_new_game_from_the_title_asks_the_name_and_saves_under_it(
    stories: Path, saves: Path
) -> None:
    app = make_app(stories, saves)  # a seed is only for a story named at start
    async with app.run_test(size=SIZE) as pilot:
        title = on(app, TitleScreen)
        menu = title.query_one("#menu", OptionList)
        assert menu.get_option("continue").disabled  # no save yet
        await pick(pilot, menu, "new")

        chooser = on(app, ChooserScreen)
        about = text_of(chooser.query_one("#about", Static))
        assert "The Special Train" in about
        assert "Endings found: 0 of 3" in about
        assert "mob violence" in about  # content warnings before the story starts
        await press(pilot, "enter")

        name = on(app, NameScreen)
        assert name.query_one("#name", Input).value == DEFAULT_PLAYER
        await press(pilot, "escape")  # not yet: back to the chooser, still nameless
        on(app, ChooserScreen)
        assert app.player is None
        await press(pilot, "enter")
        on(app, NameScreen)
        await press(pilot, *PLAYER)  # the suggestion is selected, so typing replaces it
        await press(pilot, "enter")

        screen = play(app)
        assert app.player == PLAYER
        assert screen.session.player == PLAYER
        assert screen.session.state.node == "decree"
        assert "Tomorrow or Later" in shown(app)
        assert not list(saves.glob("*.toml"))  # nothing saved before the first decision

        await press(pilot, "2")
        assert screen.session.state.node == "sixteenth"
        save = read_save(saves / f"{autosave_slot(STORY, PLAYER)}.toml")
        assert save.player == PLAYER
        assert save.node == "sixteenth" and save.path == [("decree", "bank_fires")]


# -- playing to an ending --


async def test_number_keys_play_to_an_ending_which_is_unlocked_once_and_shown_in_the_gallery(
    stories: Path, saves: Path
) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        screen = play(app)
        session = screen.session
        dossier = screen.query_one("#dossier", Static)
        await press(pilot, "2")
        assert "Districts reporting calm" in text_of(dossier)
        assert "4/10" in text_of(dossier) and "Stalin's doubt" not in text_of(dossier)
        await press(pilot, "1")
        assert "Districts reporting calm -2" in text_of(dossier)  # what the choice changed
        assert "2/10" in text_of(dossier)
        await press(pilot, *TO_THE_ENDING[2:])

        ending = on(app, EndingScreen)
        assert ending.session is session
        assert session.state.ending == "parade"
        assert text_of(ending.query_one("#unlocked", Static)) == "Ending unlocked: 1 of 3"
        assert SaveFolder(saves).profile(PLAYER).endings == {STORY: ["parade"]}
        table = flat(ending.query_one("#decisions", Markdown).source)
        assert "Bank the fires and save the coal" in table
        assert "diverged" in table and "as in history" in table
        final = text_of(ending.query_one("#final-dossier", Static))
        assert "Districts reporting calm: 4/10" in final
        assert "Stalin's doubt" not in final  # hidden variables stay hidden

        await press(pilot, "r")  # rewind the last decision, and take it again
        rewound = play(app)
        assert rewound.session is session
        assert session.state.node == "siege" and not session.over
        await press(pilot, "1")
        again = on(app, EndingScreen)
        assert text_of(again.query_one("#unlocked", Static)) == "Endings found: 1 of 3"
        assert SaveFolder(saves).profile(PLAYER).endings == {STORY: ["parade"]}

        await press(pilot, "m")
        title = on(app, TitleScreen)
        await pick(pilot, title.query_one("#menu", OptionList), "endings")
        gallery = on(app, GalleryScreen)
        found = [text_of(card) for card in gallery.query(".card.found").results(Static)]
        locked = [text_of(card) for card in gallery.query(".card.locked").results(Static)]
        assert len(found) == 1 and "Snow on Red Square" in found[0]
        assert "???" not in found[0]
        assert len(locked) == 2 and all("???" in card for card in locked)
        assert any("Let the train run east." in card for card in locked)  # a writer's hint
        assert "Snow on Red Square" in shown(app)
        assert "1 of 3" in shown(app)


# -- choices --


async def test_locked_choices_show_their_reason_and_cannot_be_taken(
    stories: Path, saves: Path
) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        screen = play(app)
        await press(pilot, "2")  # bank the fires: the engine is cold
        choices = screen.query_one("#choices", OptionList)
        assert choices.option_count == 3
        locked = choices.get_option_at_index(2)
        assert locked.disabled
        assert "locked: The engine is cold" in str(locked.prompt)
        assert not choices.get_option_at_index(0).disabled
        assert "locked: The engine is cold" in flat(shown(app))

        before = screen.session.state
        await press(pilot, "3")
        assert screen.session.state == before  # nothing taken
        assert any(note.startswith("Locked: The engine is cold") for note in notes(app))
        await press(pilot, "9")  # beyond the list: ignored
        assert screen.session.state == before

        await press(pilot, "1")  # on to the papers: Beria's note is hidden, not locked
        assert screen.session.state.node == "kremlin"
        assert choices.option_count == 2


async def test_arrows_and_enter_take_choices_that_open_up_when_their_condition_holds(
    stories: Path, saves: Path
) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        screen = play(app)
        choices = screen.query_one("#choices", OptionList)
        assert choices.highlighted == 0
        await press(pilot, "enter")  # the first choice: raise steam
        assert screen.session.state.path[-1].choice == "raise_steam"
        assert [choices.get_option_at_index(i).disabled for i in range(3)] == [False] * 3
        await press(pilot, "down", "down", "enter")  # draw the train back, now possible
        assert screen.session.state.path[-1].choice == "move_train"
        assert screen.session.state.node == "kremlin"
        assert screen.session.state.variables["word"] == "gone"
        assert choices.option_count == 3  # Beria's note now shows
        assert "Word on the street: gone" in screen.session.change_notes()


# -- undo --


async def test_undo_goes_back_to_the_start_and_no_further(stories: Path, saves: Path) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        screen = play(app)
        session = screen.session
        await press(pilot, "2", "1", "1")
        assert session.state.node == "siege" and len(session.state.path) == 3
        for expected in ("kremlin", "sixteenth", "decree"):
            await press(pilot, "u")
            assert session.state.node == expected
        assert "Taken back." in notes(app)
        assert not any("nothing to undo" in note for note in notes(app))

        await press(pilot, "u")
        assert any("nothing to undo" in note for note in notes(app))
        play(app)
        assert session.state == session.engine.start(SEED)
        assert list(session.state.path) == []
        timeline = text_of(screen.query_one("#timeline", Static))
        assert "No decisions yet." in timeline
        autosave = read_save(saves / f"{autosave_slot(STORY, PLAYER)}.toml")
        assert autosave.path == [] and autosave.node == "decree"


# -- saving and loading --


async def test_save_a_named_slot_load_it_back_and_delete_it(stories: Path, saves: Path) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        first = play(app)
        await press(pilot, "2")
        saved_state = first.session.state
        await press(pilot, "s")
        dialog = on(app, SaveScreen)
        await press(pilot, *"a/b", "enter")  # refused, with the reason, in the dialog
        assert on(app, SaveScreen) is dialog
        assert "path separator" in text_of(dialog.query_one("#save-error", Static))
        assert not (saves / "a").exists()
        assert [path.name for path in saves.glob("*.toml")] == [
            f"{autosave_slot(STORY, PLAYER)}.toml"
        ]
        await press(pilot, "escape", "s")  # a fresh dialog, an empty field
        on(app, SaveScreen)
        await press(pilot, *"my save", "enter")
        play(app)
        assert "Saved as 'my save'." in notes(app)
        save = read_save(saves / "my save.toml")
        assert save.node == "sixteenth" and save.player == PLAYER
        assert save.node_title == "The Sixteenth"

        await press(pilot, "1")
        assert first.session.state.node == "kremlin"

        await press(pilot, "l")
        load = on(app, LoadScreen)
        slots = [entry.slot for entry in load.entries]
        assert "my save" in slots
        assert "The Sixteenth" in shown(app) and PLAYER in shown(app)
        await pick(pilot, load.query_one("#slots", OptionList), str(slots.index("my save")))

        loaded = play(app)
        assert loaded.session.state.node == "sixteenth"
        assert loaded.session.state == saved_state
        assert loaded.session.player == PLAYER
        assert "The Sixteenth" in shown(app)

        await press(pilot, "l")  # and delete it, after saying yes
        load = on(app, LoadScreen)
        slots_list = load.query_one("#slots", OptionList)
        index = [entry.slot for entry in load.entries].index("my save")
        assert slots_list.highlighted == 0  # the newest save is ready for Enter
        await press(pilot, *["down"] * index)
        assert slots_list.highlighted == index
        await press(pilot, "x", "n")  # asked, and refused
        on(app, LoadScreen)
        assert (saves / "my save.toml").exists()
        await press(pilot, "x", "y")
        on(app, LoadScreen)
        assert not (saves / "my save.toml").exists()
        assert "my save" not in [entry.slot for entry in load.entries]


async def test_continue_on_the_title_resumes_the_latest_save(stories: Path, saves: Path) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2", "1")
        await press(pilot, "escape")  # to the main menu
        title = on(app, TitleScreen)
        menu = title.query_one("#menu", OptionList)
        assert not menu.get_option("continue").disabled
        assert menu.highlighted == 0
        assert "The Order of the Papers" in str(menu.get_option("continue").prompt)
        await press(pilot, "enter")
        screen = play(app)
        assert screen.session.state.node == "kremlin"
        assert [step.choice for step in screen.session.state.path] == [
            "bank_fires",
            "hold_platform",
        ]


async def test_a_damaged_save_is_listed_as_damaged_and_cannot_crash_loading(
    stories: Path, saves: Path
) -> None:
    saves.mkdir()
    damaged = saves / "broken.toml"
    damaged.write_text("this is not [ a save\n", encoding="utf-8")

    app = make_app(stories, saves, player=PLAYER, seed=SEED)
    async with app.run_test(size=SIZE) as pilot:
        title = on(app, TitleScreen)
        menu = title.query_one("#menu", OptionList)
        assert menu.get_option("continue").disabled  # a damaged save is never "latest"
        await pick(pilot, menu, "load")

        load = on(app, LoadScreen)
        assert [entry.slot for entry in load.entries] == ["broken"]
        assert load.entries[0].save is None
        assert "broken" in shown(app) and "not a Divergence save" in shown(app)
        await pick(pilot, load.query_one("#slots", OptionList), "0")
        on(app, LoadScreen)  # still here, not crashed, nothing loaded
        assert any("broken" in note and "not a Divergence save" in note for note in notes(app))
        assert damaged.read_text(encoding="utf-8") == "this is not [ a save\n"
        await press(pilot, "escape")
        on(app, TitleScreen)


async def test_enter_on_a_fresh_load_screen_loads_the_newest_save(
    stories: Path, saves: Path
) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2", "1", "l")  # the autosave is the only save
        load = on(app, LoadScreen)
        assert load.query_one("#slots", OptionList).highlighted == 0
        await press(pilot, "enter")
        assert play(app).session.state.node == "kremlin"


# -- stories that do not load --


async def test_a_broken_story_shows_its_problems_and_escape_goes_back(
    stories: Path, saves: Path, story_text: str
) -> None:
    broken = stories / "broken.toml"
    broken.write_text(
        story_text.replace('goto = "hold"', 'goto = "nowhere"'), encoding="utf-8", newline=""
    )

    app = make_app(stories, saves, player=PLAYER, seed=SEED)
    async with app.run_test(size=SIZE) as pilot:
        await pick(pilot, on(app, TitleScreen).query_one("#menu", OptionList), "new")
        chooser = on(app, ChooserScreen)
        index = next(i for i, entry in enumerate(chooser.entries) if entry.story is None)
        await pick(pilot, chooser.query_one("#stories", OptionList), str(index))

        errors = on(app, StoryErrorScreen)
        problems = [text_of(problem) for problem in errors.query(".problem").results(Static)]
        assert problems
        assert all(re.match(rf"{re.escape(str(broken))}:\d+: ", p) for p in problems)
        assert any("'nowhere'" in p for p in problems)
        assert "broken.toml:" in flat(shown(app))
        assert "cannot be played" in text_of(errors.query_one("#error-title", Static))
        await press(pilot, "escape")
        on(app, ChooserScreen)
        await press(pilot, "escape")
        on(app, TitleScreen)


async def test_a_story_with_a_toml_syntax_error_given_by_path_shows_the_line(
    stories: Path, saves: Path, story_text: str
) -> None:
    broken = stories / "syntax.toml"
    broken.write_text(
        story_text.replace('[[node]]\nid = "hold"', '[[node]\nid = "hold"'), encoding="utf-8"
    )

    app = make_app(stories, saves, player=PLAYER, story_path=str(broken), seed=SEED)
    async with app.run_test(size=SIZE) as pilot:
        errors = on(app, StoryErrorScreen)
        problems = [text_of(problem) for problem in errors.query(".problem").results(Static)]
        assert len(problems) == 1
        assert re.match(rf"{re.escape(str(broken))}:\d+: E002: TOML syntax error", problems[0])
        await press(pilot, "escape")
        on(app, TitleScreen)
    assert app.return_code in (None, 0)


@pytest.mark.parametrize("story_id", ["draft [v2]", "bad[/]id"])
async def test_a_broken_story_whose_id_looks_like_markup_is_shown_literally(
    stories: Path, saves: Path, story_text: str, story_id: str
) -> None:
    # an id with brackets is itself invalid, so the story fails to load under that id
    odd = stories / "odd.toml"
    odd.write_text(story_text.replace('id = "test_story"', f'id = "{story_id}"'), encoding="utf-8")

    app = make_app(stories, saves, player=PLAYER, story_path=str(odd), seed=SEED)
    async with app.run_test(size=SIZE) as pilot:
        errors = on(app, StoryErrorScreen)
        assert errors.entry.id == story_id
        assert f"The story '{story_id}' cannot be played" in flat(shown(app))
        await press(pilot, "escape")
        on(app, TitleScreen)


async def test_continue_shows_a_story_title_with_brackets_literally(
    stories: Path, saves: Path
) -> None:
    text = SPECIAL_TRAIN.read_text(encoding="utf-8")
    retitled = text.replace('title = "The Special Train"', 'title = "The Special Train [draft]"')
    assert retitled != text
    (stories / SPECIAL_TRAIN.name).write_text(retitled, encoding="utf-8")

    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2", "escape")
        menu = on(app, TitleScreen).query_one("#menu", OptionList)
        seen = flat(shown_in(app, menu).replace("│", " "))  # the menu, wrapped or not
        assert "Continue" in seen and "The Sixteenth" in seen
        assert "The Special Train [draft]: The Sixteenth" in seen


# -- size --


async def test_too_small_a_terminal_names_the_size_needed_until_it_grows(
    stories: Path, saves: Path
) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        screen = play(app)
        await pilot.resize_terminal(50, 15)
        small = on(app, TooSmallScreen)
        message = text_of(small.query_one("#too-small", Static))
        assert (MIN_WIDTH, MIN_HEIGHT) == (60, 20)
        assert "at least 60x20" in message
        assert "50x15" in message
        assert "60x20" in shown(app)

        await pilot.resize_terminal(55, 18)  # still too small: one message, updated
        assert sum(isinstance(s, TooSmallScreen) for s in app.screen_stack) == 1
        assert "55x18" in text_of(on(app, TooSmallScreen).query_one("#too-small", Static))

        await pilot.resize_terminal(MIN_WIDTH, MIN_HEIGHT)  # exactly enough
        assert app.screen is screen
        assert not any(isinstance(s, TooSmallScreen) for s in app.screen_stack)
        await press(pilot, "2")  # and the game goes on
        assert screen.session.state.node == "sixteenth"


async def test_starting_in_a_small_terminal_shows_the_message_at_once(
    stories: Path, saves: Path
) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=(40, 12)) as pilot:
        on(app, TooSmallScreen)
        await pilot.resize_terminal(*SIZE)
        play(app)


async def test_growing_the_terminal_under_the_command_palette_removes_the_message(
    stories: Path, saves: Path
) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.resize_terminal(50, 15)
        on(app, TooSmallScreen)
        await press(pilot, "ctrl+p")
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        play(app)  # the palette opened over the message closed with it
        assert not any(isinstance(s, TooSmallScreen) for s in app.screen_stack)


# -- help, command palette, themes --


async def test_help_lists_the_play_screens_bindings(stories: Path, saves: Path) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "question_mark")
        lines = help_text(app).splitlines()
        for key, description in (
            ("u", "Undo"),
            ("s", "Save"),
            ("l", "Load"),
            ("d", "Dossier"),
            ("t", "Timeline"),
            ("h", "History"),
            ("q", "Quit"),
        ):
            assert any(re.search(rf"\b{key}\b", line) and description in line for line in lines), (
                description
            )
        assert any("1-9" in line and "take that choice" in line for line in lines)
        await press(pilot, "escape")
        play(app)


async def test_help_on_the_title_lists_only_the_titles_keys(stories: Path, saves: Path) -> None:
    app = make_app(stories, saves, player=PLAYER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "question_mark")
        text = help_text(app)
        assert "Quit" in text
        assert "Undo" not in text and "1-9" not in text
        await press(pilot, "question_mark")  # ? closes it again
        on(app, TitleScreen)


async def test_the_play_screens_actions_are_system_commands_and_run_from_the_palette(
    stories: Path, saves: Path
) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        screen = play(app)
        commands = commands_on(app, screen)
        for title in (
            "Undo",
            "Save",
            "Toggle dossier",
            "Toggle timeline",
            "Toggle history note",
            "New game",
            "Load",
            "Endings",
            "Help",
        ):
            assert title in commands, title
        assert "Theme" in " ".join(commands)  # Textual's own theme picker is kept

        dossier = screen.query_one("#dossier")
        shown_before = dossier.display
        commands["Toggle dossier"].callback()
        assert dossier.display is not shown_before
        commands["Toggle history note"].callback()
        await pilot.pause()
        assert screen.query_one("#note").display

        await press(pilot, "2")
        commands["Undo"].callback()
        await pilot.pause()
        assert screen.session.state.node == "decree"

        below = app.screen_stack[-2]  # the title screen, under the play screen
        assert isinstance(below, TitleScreen)
        on_title = commands_on(app, below)
        assert "New game" in on_title and "Undo" not in on_title

        # and through the palette itself, by keys
        await press(pilot, "2")
        await press(pilot, "ctrl+p", *"undo")
        palette = on(app, CommandPalette)
        results = palette.query_one(CommandList)
        for _ in range(50):  # the palette searches in the background
            if results.highlighted is not None:
                break
            await pilot.pause()
        option = results.get_option_at_index(results.highlighted or 0)
        assert "Undo" in str(option.prompt)
        await press(pilot, "enter")
        assert app.screen is screen
        assert screen.session.state.node == "decree"


async def test_the_theme_is_remembered_in_the_profile(stories: Path, saves: Path) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        assert SaveFolder(saves).profile(PLAYER).theme == ""
        app.theme = "nord"
        await pilot.pause()
        assert SaveFolder(saves).profile(PLAYER).theme == "nord"

    again = playing(stories, saves)
    async with again.run_test(size=SIZE):
        assert again.theme == "nord"


async def test_the_default_players_profile_is_used_when_no_name_is_given(
    stories: Path, saves: Path
) -> None:
    app = make_app(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        app.theme = "gruvbox"
        await pilot.pause()
    assert default_player() == DEFAULT_PLAYER
    assert SaveFolder(saves).profile(DEFAULT_PLAYER).theme == "gruvbox"


async def test_the_title_offers_to_continue_when_started_with_a_save_folder_path(
    stories: Path, saves: Path
) -> None:
    """As the command line starts it: with a path to the save folder, opened on first use."""
    from game.play.engine import Engine
    from game.saves.files import SaveFolder, snapshot
    from game.story.catalog import Catalog
    from game.story.loader import load_story
    from game.ui.app import DivergenceApp

    story = load_story(stories / "special_train.toml")
    state = Engine(story).start(3)
    SaveFolder(saves).write("kept", snapshot(story, state, "Tester"))

    app = DivergenceApp(Catalog([stories], include_bundled=False), saves)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.folder, SaveFolder) and app.folder.folder == saves
        assert "Continue" in shown(app) and "The Special Train" in shown(app)


async def test_the_last_player_is_remembered_between_launches(stories: Path, saves: Path) -> None:
    from game.ui.gallery import GalleryScreen

    async def first_launch() -> None:
        app = DivergenceApp(
            Catalog([stories], include_bundled=False), saves, "Tester", "special_train", seed=7
        )
        async with app.run_test(size=SIZE) as pilot:
            await press(pilot, "2", "1", "1", "1")  # to an ending, as the other tests do
            on(app, EndingScreen)

    async def second_launch() -> None:
        app = DivergenceApp(Catalog([stories], include_bundled=False), saves)
        async with app.run_test(size=SIZE) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.player == "Tester"
            app.action_gallery()
            await pilot.pause()
            on(app, GalleryScreen)
            assert "Endings found by Tester" in shown(app)
            assert "1 of 3" in shown(app)

    await first_launch()
    await second_launch()


async def test_nothing_opens_over_the_too_small_notice(stories: Path, saves: Path) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.resize_terminal(50, 15)
        await press(pilot, "ctrl+p")
        on(app, TooSmallScreen)
        await press(pilot, "question_mark")
        on(app, TooSmallScreen)


async def test_rewind_and_continue_are_in_the_command_palette(stories: Path, saves: Path) -> None:
    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2", "1", "1", "1")
        ending = on(app, EndingScreen)
        commands = commands_on(app, ending)
        assert "Rewind" in commands and "Continue" in commands
        commands["Rewind"].callback()
        await pilot.pause()
        assert play(app).session.state.ending is None


async def test_a_named_save_cannot_take_an_autosave_name(stories: Path, saves: Path) -> None:
    from game.saves.errors import SlotNameError

    app = playing(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "2")
        with pytest.raises(SlotNameError, match="kept for the autosaves"):
            play(app).session.save("auto-mine")


RACE = """
import asyncio, importlib.abc, importlib.machinery, sys, time
from pathlib import Path

class SlowSaves(importlib.abc.MetaPathFinder):
    # the first import of game.saves.files is slow in real life (pydantic): make it slower
    def find_spec(self, name, path, target=None):
        if name != "game.saves.files":
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        real = spec.loader.exec_module
        def slow(module):
            time.sleep(0.3)
            real(module)
        spec.loader.exec_module = slow
        return spec

sys.meta_path.insert(0, SlowSaves())
from game.story.catalog import Catalog
from game.ui.app import DivergenceApp

async def main():
    app = DivergenceApp(Catalog([Path(sys.argv[1])], include_bundled=False), Path(sys.argv[2]))
    async with app.run_test(size=(100, 30)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        folder = app.folder.folder
        assert isinstance(folder, Path), type(folder)
        print("title:", type(app.screen).__name__)

asyncio.run(main())
"""


def test_the_start_up_threads_open_the_save_folder_safely(stories: Path, saves: Path) -> None:
    """Both start-up threads (theme, Continue) open the save folder while its module is
    still importing; neither may wrap the other's folder (this crashed the title once)."""
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-c", RACE, str(stories), str(saves)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "title: TitleScreen" in result.stdout


async def test_a_browser_session_loads_only_its_own_students_saves(
    stories: Path, saves: Path
) -> None:
    from game.session import GameSession
    from game.story.loader import load_story

    story = load_story(stories / "special_train.toml")
    for student in ("Anna", "Boris"):
        session = GameSession(story, SaveFolder(saves), student, seed=1)
        session.choose(session.engine.available(session.state)[0].key)

    app = make_app(stories, saves, ask_name=True)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.action_load()
        await pilot.pause()
        assert on(app, LoadScreen).entries == []  # no name given yet: nobody's saves
        await press(pilot, "escape")
        app.player = "Anna"
        app.action_load()
        await pilot.pause()
        assert [entry.save.player for entry in on(app, LoadScreen).entries if entry.save] == [
            "Anna"
        ]
