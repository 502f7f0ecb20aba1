"""Class vote mode, driven by key presses through Textual's Pilot.

The whole class plays one run of The Special Train on a projector (100x30): at each
decision the scene, then the discussion stage (`v`), then the vote panel (Enter) where the
teacher counts hands. Each test checks real state: the screen on top, the counts, the
session, and the split as the autosave on disk records it. As in test_ui.py, each test is an
`async def` that pytest-asyncio runs.

The choices at the first scene, `decree`, are 1 raise_steam, 2 bank_fires, 3 walk_train;
after bank_fires, at `sixteenth`, choice 3 (move_train) is locked: the engine is cold.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar, TypeVar

import pytest
from helpers import flat, notes, on, press, shown
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static

import game.cli.entry
import game.ui.classroom
from game.saves.files import SaveFile, SaveFolder, autosave_slot, read_save
from game.story.catalog import Catalog
from game.ui.app import DivergenceApp
from game.ui.chooser import ChooserScreen
from game.ui.classroom import CountScreen, DiscussScreen, TieScreen, VoteRow, VoteScreen
from game.ui.play import PlayScreen
from game.ui.projector import CONTRAST_PAIRS, PROJECTOR

ROOT = Path(__file__).parent.parent
SPECIAL_TRAIN = ROOT / "stories" / "special_train.toml"
STORY = "special_train"
SIZE = (100, 30)  # a projector: readable from the back of the room at this size
SEED = 7
PLAYER = "Class 9B"

S = TypeVar("S", bound=Screen[Any])


@pytest.fixture(autouse=True)
def _player_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIVERGENCE_PLAYER", "Tester")


@pytest.fixture
def stories(tmp_path: Path) -> Path:
    folder = tmp_path / "stories"
    folder.mkdir()
    shutil.copy(SPECIAL_TRAIN, folder / SPECIAL_TRAIN.name)
    return folder


@pytest.fixture
def saves(tmp_path: Path) -> Path:
    return tmp_path / "saves"


def make_app(stories: Path, saves: Path, **options: Any) -> DivergenceApp:
    return DivergenceApp(Catalog([stories], include_bundled=False), SaveFolder(saves), **options)


def class_run(stories: Path, saves: Path, vote_seconds: int | None = None) -> DivergenceApp:
    """A class run of The Special Train, as `divergence play --classroom` starts it."""
    return make_app(
        stories,
        saves,
        player=PLAYER,
        story=STORY,
        seed=SEED,
        classroom=True,
        vote_seconds=vote_seconds,
    )


async def until(pilot: Pilot[Any], done: Callable[[], bool], seconds: float = 5.0) -> None:
    """Wait in short steps, at most `seconds`, for `done()`."""
    for _ in range(int(seconds / 0.1)):
        if done():
            return
        await pilot.pause(0.1)
    assert done(), "waited in vain"


async def open_vote(pilot: Pilot[Any]) -> VoteScreen:
    """From the scene: the discussion (`v`), then the vote panel (Enter)."""
    await press(pilot, "v")
    on(pilot.app, DiscussScreen)
    await press(pilot, "enter")
    return on(pilot.app, VoteScreen)


def autosave(saves: Path) -> SaveFile:
    return read_save(saves / f"{autosave_slot(STORY, PLAYER)}.toml")


def votes_of(save: SaveFile) -> list[tuple[int, dict[str, int], str]]:
    return [(vote.step, vote.counts, vote.decided_by) for vote in save.votes]


# -- the discussion stage --


async def test_the_scene_comes_first_then_the_discussion_prompt_and_on_h_the_history(
    stories: Path, saves: Path
) -> None:
    app = class_run(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        screen = on(app, PlayScreen)
        assert app.theme == PROJECTOR  # put on by itself for a class run
        assert screen.has_class("-classroom")
        assert "Class vote" in shown(app)  # the v key, in the footer
        assert "The order came down the telephone" in flat(shown(app))

        await press(pilot, "1")  # a choice key opens the class's turn, it takes nothing
        discussion = on(app, DiscussScreen)
        assert not screen.session.state.path
        text = flat(shown(app))
        assert "The decree fixed a day for everyone except Stalin" in text
        assert "Bank the fires and save the coal" in text
        assert "Kuibyshev (now Samara)" not in text  # the history waits for its key

        await press(pilot, "h")
        await pilot.pause()
        assert discussion.query_one("#context").display
        assert "Kuibyshev (now Samara)" in flat(shown(app))
        await press(pilot, "escape")  # back to the scene: nothing decided
        on(app, PlayScreen)
        assert not list(saves.glob("*.toml"))


# -- counting --


async def test_number_keys_count_and_the_majority_is_taken_with_the_split_in_the_autosave(
    stories: Path, saves: Path
) -> None:
    app = class_run(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        session = on(app, PlayScreen).session
        vote = await open_vote(pilot)
        assert "No votes yet" in shown(app)
        await press(pilot, "1", "1", "2", "1", "2", "2", "2")
        assert vote.tally.counts == {"raise_steam": 3, "bank_fires": 4, "walk_train": 0}
        await press(pilot, "minus")  # takes one from the row last counted: choice 2
        assert vote.tally.counts["bank_fires"] == 3
        await press(pilot, "backspace", "backspace")
        assert vote.tally.counts["bank_fires"] == 1
        await press(pilot, "3", "3")
        assert "6 votes · choice 1 leads" in shown(app)

        await press(pilot, "enter")  # close the vote now
        play = on(app, PlayScreen)
        assert play.session is session
        assert session.state.path[-1].choice == "raise_steam"
        assert any("The class chose 1." in note and "3 of 6 votes" in note for note in notes(app))
        save = autosave(saves)
        assert save.classroom is True
        assert votes_of(save) == [
            (0, {"raise_steam": 3, "bank_fires": 1, "walk_train": 2}, "majority")
        ]

        await press(pilot, "u")  # undo takes the decision back, and its vote with it
        assert not session.state.path
        assert autosave(saves).votes == []


async def test_a_typed_count_sets_the_votes_of_the_selected_row(stories: Path, saves: Path) -> None:
    app = class_run(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        vote = await open_vote(pilot)
        assert vote.selected == "raise_steam"  # the first open choice
        await press(pilot, "equals_sign")
        dialog = on(app, CountScreen)
        assert dialog.query_one("#count", Input).value == "0"
        await press(pilot, "1", "7", "enter")  # the 0 is selected: typing replaces it
        on(app, VoteScreen)
        assert vote.tally.counts["raise_steam"] == 17

        await press(pilot, "down", "equals_sign", "9", "enter")
        assert vote.selected == "bank_fires"
        assert vote.tally.counts == {"raise_steam": 17, "bank_fires": 9, "walk_train": 0}
        await press(pilot, "equals_sign", "escape")  # cancelled: nothing changes
        assert vote.tally.counts["bank_fires"] == 9
        assert "26 votes · choice 1 leads" in shown(app)

        await press(pilot, "enter")
        on(app, PlayScreen)
        assert votes_of(autosave(saves)) == [
            (0, {"raise_steam": 17, "bank_fires": 9, "walk_train": 0}, "majority")
        ]


# -- ties --


async def test_a_tie_asks_the_teacher_who_picks_among_the_tied_and_is_recorded(
    stories: Path, saves: Path
) -> None:
    app = class_run(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        session = on(app, PlayScreen).session
        vote = await open_vote(pilot)
        await press(pilot, "1", "1", "2", "2", "3")
        await press(pilot, "enter")
        tie = on(app, TieScreen)
        assert [option.key for option in tie.tied] == ["raise_steam", "bank_fires"]
        assert tie.query_one("#tied", OptionList).option_count == 2
        assert "2 votes each. The teacher decides" in flat(shown(app))

        await press(pilot, "escape")  # back to the vote, counts kept
        assert on(app, VoteScreen) is vote
        assert vote.tally.counts["raise_steam"] == 2
        await press(pilot, "enter")
        on(app, TieScreen)
        await press(pilot, "3")  # not among the tied: ignored
        on(app, TieScreen)
        await press(pilot, "2")
        on(app, PlayScreen)
        assert session.state.path[-1].choice == "bank_fires"
        assert votes_of(autosave(saves)) == [
            (0, {"raise_steam": 2, "bank_fires": 2, "walk_train": 1}, "teacher")
        ]
        assert any("settled by the teacher" in note for note in notes(app))


async def test_no_votes_at_all_is_a_tie_of_every_open_choice(stories: Path, saves: Path) -> None:
    app = class_run(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        await open_vote(pilot)
        await press(pilot, "enter")
        tie = on(app, TieScreen)
        assert len(tie.tied) == 3
        assert "No votes were counted" in flat(shown(app))
        await press(pilot, "enter")  # the highlighted one, the first
        on(app, PlayScreen)
        assert votes_of(autosave(saves)) == [
            (0, {"raise_steam": 0, "bank_fires": 0, "walk_train": 0}, "teacher")
        ]


# -- the countdown --


class Clock:
    """A clock for the countdown that stands still until the test moves it on."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def __call__(self) -> float:
        return self.seconds

    def advance(self, seconds: float) -> None:
        self.seconds += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """The vote panel's clock, which the test advances: no test waits for a real second."""
    fake = Clock()
    monkeypatch.setattr(game.ui.classroom, "clock", fake)
    return fake


async def run_out(pilot: Pilot[Any], vote: VoteScreen, clock: Clock, seconds: float) -> None:
    """Let `seconds` pass on the countdown's clock, then the timer's next tick."""
    clock.advance(seconds)
    vote.tick()
    await pilot.pause()


async def test_the_countdown_closes_the_vote_by_itself(
    stories: Path, saves: Path, clock: Clock
) -> None:
    app = class_run(stories, saves, vote_seconds=20)
    async with app.run_test(size=SIZE) as pilot:
        session = on(app, PlayScreen).session
        vote = await open_vote(pilot)
        assert vote.query_one("#countdown", Static).display
        assert "0:20" not in shown(app)  # drawn as a banner, not as text
        await press(pilot, "2", "2", "1")
        await run_out(pilot, vote, clock, 19.5)
        assert on(app, VoteScreen) is vote and vote.remaining() == 1
        await run_out(pilot, vote, clock, 0.5)
        await until(pilot, lambda: len(session.state.path) == 1)
        on(app, PlayScreen)
        assert session.state.path[-1].choice == "bank_fires"
        assert votes_of(autosave(saves)) == [
            (0, {"raise_steam": 1, "bank_fires": 2, "walk_train": 0}, "majority")
        ]
        assert any("Time's up" in note for note in notes(app))


async def test_a_paused_countdown_does_not_close_the_vote(
    stories: Path, saves: Path, clock: Clock
) -> None:
    app = class_run(stories, saves, vote_seconds=20)
    async with app.run_test(size=SIZE) as pilot:
        session = on(app, PlayScreen).session
        vote = await open_vote(pilot)
        clock.advance(5)
        await press(pilot, "p")
        assert vote.timer is None and "paused" in shown(app)
        await run_out(pilot, vote, clock, 60)  # longer than the vote had
        assert on(app, VoteScreen) is vote and not session.state.path
        assert vote.remaining() == 15
        await press(pilot, "1", "p")  # resumed: the 15 seconds left run out and close it
        await run_out(pilot, vote, clock, 15)
        await until(pilot, lambda: len(session.state.path) == 1)
        assert session.state.path[-1].choice == "raise_steam"


async def test_without_a_countdown_there_is_no_clock_and_no_pause_key(
    stories: Path, saves: Path
) -> None:
    app = class_run(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        vote = await open_vote(pilot)
        assert not vote.query_one("#countdown").display
        assert "Pause timer" not in shown(app)
        assert "Close vote" in shown(app)


# -- locked choices --


async def test_locked_choices_are_shown_but_get_no_votes(stories: Path, saves: Path) -> None:
    app = class_run(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        session = on(app, PlayScreen).session
        await open_vote(pilot)
        await press(pilot, "2", "enter")  # bank the fires: the engine is cold
        assert session.state.node == "sixteenth"

        vote = await open_vote(pilot)
        rows = list(vote.query(VoteRow))
        assert [row.has_class("-locked") for row in rows] == [False, False, True]
        assert "locked: The engine is cold" in flat(shown(app))
        await press(pilot, "3", "3")
        assert "move_train" not in vote.tally.counts
        assert vote.tally.total == 0
        assert any(note.startswith("Locked: The engine is cold") for note in notes(app))
        await press(pilot, "down")
        assert vote.selected == "clear_highway"
        await press(pilot, "down")  # the selection skips the locked row
        assert vote.selected == "hold_platform"
        await press(pilot, "1", "enter")
        on(app, PlayScreen)
        counts = autosave(saves).votes[1].counts
        assert "move_train" not in counts and sum(counts.values()) == 1


# -- starting a class run --


async def test_the_chooser_toggle_starts_a_class_run(stories: Path, saves: Path) -> None:
    app = make_app(stories, saves, player=PLAYER)
    async with app.run_test(size=SIZE) as pilot:
        app.action_new_game()
        await pilot.pause()
        chooser = on(app, ChooserScreen)
        assert "Class vote: off" in shown(app)
        commands = {c.title: c for c in app.get_system_commands(chooser)}
        assert "Class vote: turn on" in commands

        await press(pilot, "c")
        assert app.classroom
        await pilot.pause()
        assert "Class vote: on" in shown(app)
        assert "Class vote: on" in str(chooser.query_one("#about", Static).content)
        assert "Class vote: turn off" in {c.title for c in app.get_system_commands(chooser)}

        await press(pilot, "enter")
        screen = on(app, PlayScreen)
        assert screen.session.classroom
        assert app.theme == PROJECTOR
        await open_vote(pilot)
        await press(pilot, "2", "enter")
        on(app, PlayScreen)
        save = autosave(saves)
        assert save.classroom and votes_of(save)[0][2] == "majority"


async def test_the_chooser_toggle_goes_off_again_from_the_palette(
    stories: Path, saves: Path
) -> None:
    app = make_app(stories, saves, player=PLAYER)
    async with app.run_test(size=SIZE) as pilot:
        app.action_new_game()
        await pilot.pause()
        chooser = on(app, ChooserScreen)
        await press(pilot, "c")
        commands = {c.title: c for c in app.get_system_commands(chooser)}
        commands["Class vote: turn off"].callback()
        await pilot.pause()
        assert not app.classroom
        await press(pilot, "enter")
        screen = on(app, PlayScreen)
        assert not screen.session.classroom
        await press(pilot, "1")  # an ordinary run: the key takes the choice
        assert screen.session.state.path[-1].choice == "raise_steam"


async def test_the_projector_theme_is_not_remembered_as_the_players_own(
    stories: Path, saves: Path
) -> None:
    app = class_run(stories, saves)
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.theme == PROJECTOR
        assert SaveFolder(saves).profile(PLAYER).theme != PROJECTOR


def test_the_projector_theme_has_at_least_seven_to_one_contrast() -> None:
    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for text, background in CONTRAST_PAIRS:
        light, dark = sorted((luminance(text), luminance(background)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 7, (text, background)


# -- the command line --


class FakeApp:
    """Stands in for DivergenceApp: records how `divergence play` would start it."""

    made: ClassVar[dict[str, Any]] = {}

    def __init__(self, *args: Any, **options: Any) -> None:
        FakeApp.made = options
        self.return_code = 0

    def run(self) -> None:
        pass


def test_the_cli_flag_starts_a_class_run_with_its_countdown(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("game.cli.commands.play.interactive", lambda stdin, stdout: True)
    monkeypatch.setattr("game.ui.app.DivergenceApp", FakeApp)
    argv = ["play", str(SPECIAL_TRAIN), "--saves", str(tmp_path), "--player", PLAYER]
    assert game.cli.entry.main([*argv, "--classroom", "--vote-seconds", "45"]) == 0
    assert FakeApp.made["classroom"] is True and FakeApp.made["vote_seconds"] == 45
    assert game.cli.entry.main(argv) == 0
    assert FakeApp.made["classroom"] is False and FakeApp.made["vote_seconds"] is None


def test_the_cli_refuses_a_countdown_without_a_class_and_a_class_without_a_screen(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["play", str(SPECIAL_TRAIN), "--saves", str(tmp_path)]
    assert game.cli.entry.main([*argv, "--vote-seconds", "30"]) == game.cli.entry.EXIT_USAGE
    assert "add --classroom" in capsys.readouterr().err
    assert game.cli.entry.main([*argv, "--classroom", "--plain"]) == game.cli.entry.EXIT_USAGE
    assert "--classroom needs a terminal" in capsys.readouterr().err
    for bad in ("0", "soon", "3601"):
        with pytest.raises(SystemExit) as stopped:
            game.cli.entry.main([*argv, "--classroom", "--vote-seconds", bad])
        assert stopped.value.code == game.cli.entry.EXIT_USAGE
    assert "--vote-seconds" in capsys.readouterr().err
