"""Live reload for writers (`divergence play STORY --watch`).

The domain part (`game.writer.reload`): a watcher that notices edited, added and removed story
files, and `reload`, which loads the story again and replays the path, reporting errors
as `file:line: message` or where the path stopped fitting. Then the same in plain mode,
and in the Textual interface through Pilot: an edit shows on screen, a broken edit
shows a banner over the last good version, a fix clears it, and after a path break `r`
restarts the edited version from the last point that fits.
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import flat, shown
from textual.pilot import Pilot

from game.cli.entry import main
from game.play.engine import Engine, Step
from game.saves.files import SaveFolder, autosave_slot, read_save
from game.session import GameSession
from game.story.catalog import Catalog
from game.story.loader import load_story
from game.ui import watch as watch_module
from game.ui.app import DivergenceApp
from game.ui.ending import EndingScreen
from game.ui.play import PlayScreen
from game.ui.watch import StoryWatch
from game.writer.reload import LiveReload, StoryWatcher, reload

STORY = """\
[story]
id = "river"
title = "The River"
summary = "Two scenes by a river, for the reload tests."
start = "bank"
era = "1941"

[variable.nerve]
label = "Nerve"
default = 2

[[node]]
id = "bank"
title = "The Bank"
text = "The river is wide and brown."

[[node.choice]]
label = "Cross it"
goto = "ford"
effects = "nerve += 1"

[[node.choice]]
label = "Turn back"
goto = "home"

[[node]]
id = "ford"
title = "The Ford"
text = "Cold water to the knees."

[[node.choice]]
label = "Go on"
goto = "far_side"

[[ending]]
id = "far_side"
title = "The Far Side"
tone = "triumph"
epilogue = "You crossed with nerve {nerve}."

[[ending]]
id = "home"
title = "Home"
tone = "ambiguous"
epilogue = "You went home."
"""

CROSS = Step("bank", "ford")  # the first decision: "Cross it"
SEED = 11


def write(path: Path, text: str) -> None:
    """Write a story file and move its modification time on, so no clock granularity
    can hide the edit from the watcher."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    later = max(path.stat().st_mtime_ns, before) + 1_000_000_000
    os.utime(path, ns=(later, later))


@pytest.fixture
def river(tmp_path: Path) -> Path:
    path = tmp_path / "river.toml"
    write(path, STORY)
    return path


# -- the watcher --


def test_the_watcher_notices_an_edit_once(river: Path) -> None:
    watcher = StoryWatcher(river)
    assert not watcher.changed()
    write(river, STORY.replace("wide and brown", "frozen"))
    assert watcher.changed()
    assert watcher.changes == ("river.toml",)
    assert not watcher.changed()  # reported once


def test_the_watcher_notices_files_added_to_and_removed_from_a_folder(tmp_path: Path) -> None:
    folder = tmp_path / "river"
    folder.mkdir()
    write(folder / "story.toml", STORY)
    watcher = StoryWatcher(folder)

    (folder / "notes.txt").write_text("not part of the story")
    assert not watcher.changed()

    (folder / "chapters").mkdir()
    write(folder / "chapters" / "two.toml", "")
    assert watcher.changed()
    assert watcher.changes == ("chapters/two.toml",)

    (folder / "chapters" / "two.toml").unlink()
    assert watcher.changed()
    assert watcher.changes == ("chapters/two.toml",)

    (folder / "story.toml").unlink()
    assert watcher.changed()
    assert watcher.changes == ("story.toml",)
    assert not watcher.changed()


# -- reloading --


def test_a_good_edit_reloads_and_replays_the_path(river: Path) -> None:
    write(river, STORY.replace("Cold water to the knees.", "Cold water to the waist."))
    result = reload(river, SEED, [CROSS], changed=["river.toml"])
    assert result.ok and result.story is not None and result.engine is not None
    assert result.changed == ("river.toml",)
    assert [state.node for state in result.states] == ["bank", "ford"]
    assert result.states[-1].variables["nerve"] == 3
    assert result.engine.text(result.states[-1]).strip() == "Cold water to the waist."
    assert result.summary() == "Reloaded story (files: river.toml)."


def test_an_edit_with_an_error_reports_file_and_line(river: Path) -> None:
    broken = STORY.replace('goto = "far_side"', 'goto = "far_sid"')
    write(river, broken)
    line = broken.splitlines().index('goto = "far_sid"') + 1
    result = reload(river, SEED, [CROSS])
    assert not result.ok
    assert result.story is None and result.states == []
    assert any(problem.startswith(f"{river}:{line}:") for problem in result.problems), (
        result.problems
    )
    assert "far_sid" in "\n".join(result.problems)
    assert "1 error" in result.summary() and "last good version" in result.summary()


def test_a_toml_syntax_error_is_reported_too(river: Path) -> None:
    write(river, STORY.replace('title = "The Ford"', 'title = "The Ford'))
    result = reload(river, SEED, [CROSS])
    assert not result.ok and result.problems
    assert result.problems[0].startswith(f"{river}:")


def test_an_edit_that_removes_the_choice_on_the_path_reports_the_break(river: Path) -> None:
    removed = STORY.replace(
        '[[node.choice]]\nlabel = "Cross it"\ngoto = "ford"\neffects = "nerve += 1"\n\n', ""
    )
    assert removed != STORY
    write(river, removed)
    result = reload(river, SEED, [CROSS, Step("ford", "far_side")])
    assert not result.ok and not result.problems
    assert result.broken_at == 0
    assert "ford" in result.reason
    assert result.story is not None  # the new version loaded: it can be restarted from the fit
    assert [state.node for state in result.states] == ["bank"]
    assert result.fitting == 0
    assert "at decision 1" in result.summary()


def test_live_reload_offers_a_break_until_the_path_moves_on(river: Path) -> None:
    live = LiveReload(StoryWatcher(river))
    path = [CROSS, Step("ford", "far_side")]
    assert not live.due(path)  # nothing changed, nothing pending
    write(
        river,
        STORY.replace(
            '[[node.choice]]\nlabel = "Cross it"\ngoto = "ford"\neffects = "nerve += 1"\n\n', ""
        ),
    )
    assert live.due(path) and live.unapplied
    live.settle(live.reload(river, SEED, path))
    assert live.pending is not None and live.pending.broken_at == 0
    assert not live.due(path)  # the same path breaks the same way: no point reloading
    assert live.due(path[:0])  # gone back before the break: it may fit now
    restart = live.refit()
    assert restart is not None and restart.fitting == 0
    assert live.pending is None and not live.unapplied and live.refit() is None


def test_a_session_adopts_the_new_version_and_autosaves_it(river: Path, tmp_path: Path) -> None:
    folder = SaveFolder(tmp_path / "saves")
    session = GameSession(load_story(river), folder, "Writer", SEED)
    session.choose("ford")
    old = session.story
    write(river, STORY.replace("Cold water to the knees.", "Ice at the edges."))
    result = reload(river, session.state.seed, session.state.path)
    assert result.ok and result.story is not None
    session.adopt(result.story, result.states, result.engine)
    assert session.story is result.story and session.engine is result.engine
    assert session.state.node == "ford" and session.text().strip() == "Ice at the edges."
    assert session.undo() and session.state.node == "bank"  # the history came along
    save = read_save(folder.slot_path(autosave_slot("river", "Writer")))
    assert save.fingerprint == result.story.fingerprint != old.fingerprint
    # without an engine, the session builds its own
    session.adopt(result.story, [Engine(result.story).start(SEED)])
    assert session.state.node == "bank"


# -- plain mode --


class Editing(io.StringIO):
    """Standard input that runs `edits[n]` before handing over its n-th line."""

    def __init__(self, lines: list[str], edits: dict[int, Callable[[], None]]) -> None:
        super().__init__("".join(line + "\n" for line in lines))
        self.edits = edits
        self.count = 0

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        edit = self.edits.get(self.count)
        if edit is not None:
            edit()
        self.count += 1
        return super().readline(-1 if size is None else size)


def test_plain_mode_reloads_before_each_prompt(river: Path, tmp_path: Path) -> None:
    broken = STORY.replace('goto = "far_side"', 'goto = "nowhere"')
    stdin = Editing(
        ["1", "", "", "", "refit", "quit"],
        {
            1: lambda: write(river, STORY.replace("to the knees", "to the chest")),
            2: lambda: write(river, broken),
            3: lambda: write(river, STORY.replace('goto = "ford"', 'goto = "home"')),
        },
    )
    stdout = io.StringIO()
    argv = ["play", str(river), "--watch", "--seed", "1", "--player", "Writer"]
    code = main([*argv, "--saves", str(tmp_path / "saves")], stdin, stdout)
    out = stdout.getvalue()
    assert code == 0, out
    assert "Reloaded story (files: river.toml)." in out
    assert "Cold water to the chest." in out
    line = broken.splitlines().index('goto = "nowhere"') + 1
    assert f"{river}:{line}:" in out  # the error, and the old version plays on
    assert "1 error; still playing the last good version" in out
    assert "no longer fits your path at decision 1" in out
    assert "Type 'refit'" in out
    assert "Restarted the edited story from the start." in out
    assert out.count("== The Bank ==") == 2  # at the start, and after the restart
    assert "saved automatically" in out


def test_watch_is_an_option_of_play_only(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["play", "--help"])
    assert "--watch" in capsys.readouterr().out


# -- the interface --

SIZE = (100, 30)


async def until(pilot: Pilot[Any], condition: Callable[[], bool], what: str) -> None:
    """Wait for `condition`, a tenth of a second at a time, for ten seconds at most."""
    for _ in range(100):
        if condition():
            return
        await pilot.pause(0.1)
    raise AssertionError(f"timed out waiting for {what}; the screen shows: {shown(pilot.app)}")


async def test_the_play_screen_reloads_an_edited_story(
    river: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watch_module, "POLL_SECONDS", 0.1)

    app = DivergenceApp(
        Catalog([], include_bundled=False),
        SaveFolder(tmp_path / "saves"),
        player="Writer",
        story=str(river),
        seed=SEED,
        watch=True,
    )
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlayScreen), "the play screen")
        screen = app.screen
        assert isinstance(screen, PlayScreen)
        banner = screen.query_one(StoryWatch)
        assert not banner.display
        await pilot.press("1")
        assert "Cold water to the knees." in flat(shown(app))

        # a good edit: the new text on screen, in the same place of the story
        write(river, STORY.replace("to the knees", "to the chest"))
        await until(pilot, lambda: "Cold water to the chest." in flat(shown(app)), "the edit")
        assert screen.session.state.node == "ford"
        assert screen.session.state.variables["nerve"] == 3
        messages = [n.message for n in app._notifications]
        assert "Reloaded story (files: river.toml)." in messages

        # a broken edit: a banner with file:line, and the last good version plays on
        broken = STORY.replace("to the knees", "[b]to the neck[/b]").replace(
            'goto = "far_side"', 'goto = "[red]nowhere"'
        )
        write(river, broken)
        await until(pilot, lambda: banner.display, "the error banner")
        line = broken.splitlines().index('goto = "[red]nowhere"') + 1
        text = str(banner.content)
        assert f"{river.name}:{line}:" in text and "[red]nowhere" in text  # not markup
        assert "last good version" in text
        assert "Cold water to the chest." in flat(shown(app))

        # fixed: the banner goes, the new text shows
        write(river, STORY.replace("to the knees", "to the hips"))
        await until(pilot, lambda: not banner.display, "the banner to go")
        await until(pilot, lambda: "Cold water to the hips." in flat(shown(app)), "the fix")

        # the choice on the path removed: the old version plays on until r
        write(
            river,
            STORY.replace('label = "Cross it"\ngoto = "ford"', 'label = "Cross it"\ngoto = "home"'),
        )
        await until(pilot, lambda: banner.display, "the path break banner")
        assert "no longer fits your path at decision 1" in str(banner.content)
        assert "Press r" in str(banner.content)
        assert screen.session.state.node == "ford"
        assert "Restart revised story" in {
            command.title for command in app.get_system_commands(screen)
        }
        await pilot.press("r")
        await until(pilot, lambda: screen.session.state.node == "bank", "the restart")
        assert not banner.display
        assert screen.session.story.nodes["bank"].choices[0].target == "home"
        await pilot.press("r")  # nothing pending: the key does nothing
        assert screen.session.state.node == "bank"


async def test_an_edit_made_at_an_ending_is_picked_up_after_rewinding(
    river: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(watch_module, "POLL_SECONDS", 0.1)

    app = DivergenceApp(
        Catalog([], include_bundled=False),
        SaveFolder(tmp_path / "saves"),
        player="Writer",
        story=str(river),
        seed=SEED,
        watch=True,
    )
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlayScreen), "the play screen")
        await pilot.press("1")
        await pilot.press("1")
        await until(pilot, lambda: isinstance(app.screen, EndingScreen), "the ending")
        write(river, STORY.replace("to the knees", "to the shoulders"))
        await pilot.pause(0.3)  # no watcher runs on the ending screen, and nothing breaks
        await pilot.press("r")
        await until(pilot, lambda: "to the shoulders" in flat(shown(app)), "the edit after rewind")
        assert isinstance(app.screen, PlayScreen)


async def test_without_watch_there_is_no_banner(river: Path, tmp_path: Path) -> None:
    app = DivergenceApp(
        Catalog([], include_bundled=False),
        SaveFolder(tmp_path / "saves"),
        player="Writer",
        story=str(river),
        seed=SEED,
    )
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PlayScreen), "the play screen")
        screen = app.screen
        assert not list(screen.query(StoryWatch)) and not list(screen.query("#reload-banner"))
        await pilot.press("1", "r")  # r means nothing here
        assert isinstance(screen, PlayScreen) and screen.session.state.node == "ford"
