"""Pictures of the main screens at 80x24 and 120x40, compared with reviewed baselines.

Everything that could make a picture drift is pinned: the seed, an empty save folder, a
catalog holding only the example story, the player's name, and the Textual version
(pyproject.toml). Review snapshot_report.html before accepting a change with
`pytest tests/test_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from game.saves.files import SaveFolder
from game.story.catalog import Catalog
from game.ui.app import DivergenceApp

EXAMPLE = Path(__file__).resolve().parent.parent / "stories" / "special_train.toml"
SIZES = [(80, 24), (120, 40)]
SnapCompare = Callable[..., bool]


def make_app(tmp_path: Path, story: str | None = None, **options: Any) -> DivergenceApp:
    stories = tmp_path / "stories"
    stories.mkdir()
    shutil.copy(EXAMPLE, stories / EXAMPLE.name)
    catalog = Catalog([stories], include_bundled=False)
    return DivergenceApp(catalog, SaveFolder(tmp_path / "saves"), "Vera", story, seed=1, **options)


async def settled(pilot: Any) -> None:
    """Wait for the background reads (saves for Continue, the theme) to land."""
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_title(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(tmp_path), terminal_size=size, run_before=settled)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_play(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    assert snap_compare(make_app(tmp_path, "special_train"), press=["1"], terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_ending(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    # seed 1, always the first choice: the ending 'Black Snow'
    assert snap_compare(make_app(tmp_path, "special_train"), press=["1"] * 8, terminal_size=size)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_gallery(snap_compare: SnapCompare, tmp_path: Path, size: tuple[int, int]) -> None:
    async def reach_an_ending_then_open_the_gallery(pilot: Any) -> None:
        for _ in range(8):
            await pilot.press("1")
        await pilot.press("m")
        await pilot.pause()
        pilot.app.action_gallery()
        await pilot.pause()

    app = make_app(tmp_path, "special_train")
    assert snap_compare(app, run_before=reach_an_ending_then_open_the_gallery, terminal_size=size)


def test_map(snap_compare: SnapCompare, tmp_path: Path) -> None:
    async def two_decisions_then_the_map(pilot: Any) -> None:
        await pilot.press("2", "1", "m")
        await pilot.pause()
        await pilot.pause()  # the cursor goes to the current scene after the first refresh

    app = make_app(tmp_path, "special_train")
    assert snap_compare(app, run_before=two_decisions_then_the_map, terminal_size=(80, 24))


def test_vote_panel(
    snap_compare: SnapCompare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A class vote on a projector, at 100x30: seven hands counted, the clock stopped at 0:20."""
    monkeypatch.setattr("game.ui.classroom.clock", lambda: 1000.0)

    async def count_seven_hands(pilot: Any) -> None:
        await pilot.press("v")  # the discussion stage
        await pilot.pause()
        await pilot.press("enter")  # the vote panel
        await pilot.pause()
        await pilot.press("1", "1", "2", "1", "2", "2", "2")
        await settled(pilot)

    app = make_app(tmp_path, "special_train", classroom=True, vote_seconds=20)
    assert snap_compare(app, run_before=count_seven_hands, terminal_size=(100, 30))
