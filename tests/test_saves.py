"""Saves: round trip, atomic writes under SIGKILL, slot names, damaged files, changed stories."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from game.play.engine import Engine, Playthrough
from game.saves.errors import SaveError, SlotNameError
from game.saves.files import SaveFolder, autosave_slot, check_slot, read_save, resume, snapshot
from game.saves.locations import SAVES_ENV, saves_folder
from game.story.compiled import Story
from game.story.loader import load_story

STORIES = Path(__file__).parent / "stories"


@pytest.fixture
def story() -> Story:
    return load_story(STORIES / "crossroads.toml")


@pytest.fixture
def folder(tmp_path: Path) -> SaveFolder:
    return SaveFolder(tmp_path / "saves")


def played(story: Story, seed: int = 4) -> Playthrough:
    run = Playthrough.begin(Engine(story), seed)
    run.choose("choice1")
    run.choose("attack")
    return run


def test_round_trip_restores_the_exact_run(story: Story, folder: SaveFolder) -> None:
    run = played(story)
    path = folder.write("first try", snapshot(story, run.state, "Anna"))
    assert path == folder.folder / "first try.toml"
    save = folder.read("first try")
    assert save.player == "Anna"
    assert save.story == "crossroads" and save.story_version == story.version
    assert save.fingerprint == story.fingerprint
    assert save.node == "front" and save.node_title == "The front"
    assert save.seed == 4
    assert save.path == [("hq", "choice1"), ("hq", "attack")]
    resumed = resume(story, save)
    assert resumed.fits and not resumed.changed
    assert resumed.states == run.states


def test_save_keeps_its_creation_time_and_updates_saved(story: Story, folder: SaveFolder) -> None:
    run = played(story)
    first = snapshot(story, run.state, "Anna")
    later = snapshot(story, run.state, "Anna", created=first.created)
    assert later.created == first.created
    assert later.saved >= first.saved


@pytest.mark.parametrize(
    "name",
    [
        "../escape",
        "a/b",
        "a\\b",
        "..",
        "/etc/passwd",
        "",
        "   ",
        ".hidden",
        "x" * 65,
        "con",
        "nul.txt",
        "a\0b",
    ],
)
def test_unsafe_slot_names_are_refused(name: str, story: Story, folder: SaveFolder) -> None:
    with pytest.raises(SlotNameError):
        check_slot(name)
    with pytest.raises(SlotNameError):
        folder.write(name, snapshot(story, played(story).state, "Anna"))
    outside = list(folder.folder.parent.rglob("*.toml"))
    assert outside == []


@pytest.mark.parametrize("name", ["slot1", "Annas run", "class 9-b", "Ünter_den.Linden", "1941"])
def test_ordinary_slot_names_are_accepted(name: str) -> None:
    assert check_slot(name) == name


def test_autosave_slots_are_safe_for_any_player_name() -> None:
    slot = autosave_slot("june22", "../../Ivan Petrovich/")
    assert check_slot(slot) == slot
    assert slot.startswith("auto-june22-")


def test_damaged_save_is_reported_and_left_untouched(story: Story, folder: SaveFolder) -> None:
    folder.folder.mkdir(parents=True)
    damaged = folder.folder / "broken.toml"
    damaged.write_bytes(b'kind = "divergence-save"\nstory = "crossroads\n\x00\xff')
    before = damaged.read_bytes()
    with pytest.raises(SaveError, match="damaged"):
        folder.read("broken")
    entries = {entry.slot: entry for entry in folder.entries()}
    assert entries["broken"].save is None
    assert "damaged" in entries["broken"].problem
    with pytest.raises(SaveError, match="will not overwrite"):
        folder.write("broken", snapshot(story, played(story).state, "Anna"))
    assert damaged.read_bytes() == before


def test_foreign_and_incomplete_files_are_named_as_such(folder: SaveFolder) -> None:
    folder.folder.mkdir(parents=True)
    (folder.folder / "notes.toml").write_text('title = "my shopping list"\n')
    (folder.folder / "half.toml").write_text('kind = "divergence-save"\nformat = 1\nstory = "x"\n')
    (folder.folder / "future.toml").write_text('kind = "divergence-save"\nformat = 99\n')
    with pytest.raises(SaveError, match="not a Divergence save"):
        folder.read("notes")
    with pytest.raises(SaveError, match="a damaged save: 'story_version'"):
        folder.read("half")
    with pytest.raises(SaveError, match="newer version"):
        folder.read("future")
    assert {entry.slot for entry in folder.entries() if entry.save is None} == {
        "notes",
        "half",
        "future",
    }


def test_missing_save_is_a_clear_error(folder: SaveFolder) -> None:
    with pytest.raises(SaveError, match="no such save"):
        folder.read("nothing-here")


def test_entries_are_newest_first_and_skip_temporary_files(
    story: Story, folder: SaveFolder
) -> None:
    run = played(story)
    folder.write("older", snapshot(story, run.state, "Anna"))
    time.sleep(1.1)  # saved times have one-second resolution
    folder.write("newer", snapshot(story, run.state, "Anna"))
    (folder.folder / ".newer.toml.abc.tmp").write_text("half a save")
    assert [entry.slot for entry in folder.entries()] == ["newer", "older"]
    latest = folder.latest()
    assert latest is not None and latest.slot == "newer"


def test_delete_removes_the_slot(story: Story, folder: SaveFolder) -> None:
    folder.write("gone", snapshot(story, played(story).state, "Anna"))
    folder.delete("gone")
    assert folder.entries() == []


KILLER = textwrap.dedent(
    """
    import os, sys, time
    from pathlib import Path
    from game.saves.files import atomic_write

    real_fsync = os.fsync
    def slow_fsync(fd):
        sys.stdout.write("writing\\n"); sys.stdout.flush()
        time.sleep(60)  # killed here: the new text is written but not yet renamed
    os.fsync = slow_fsync
    atomic_write(Path(sys.argv[1]), "new = " + repr("x" * 100000) + "\\n")
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_a_process_killed_mid_save_leaves_the_previous_save_intact(
    story: Story, folder: SaveFolder
) -> None:
    path = folder.write("precious", snapshot(story, played(story).state, "Anna"))
    before = path.read_bytes()
    child = subprocess.Popen(
        [sys.executable, "-c", KILLER, str(path)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline().strip() == "writing"
    os.kill(child.pid, signal.SIGKILL)
    child.wait(timeout=10)
    assert path.read_bytes() == before
    assert read_save(path).player == "Anna"
    assert [entry.slot for entry in folder.entries()] == ["precious"]


def test_a_failed_write_removes_its_temporary_file(
    story: Story, folder: SaveFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = folder.write("slot", snapshot(story, played(story).state, "Anna"))
    before = path.read_bytes()

    def refuse(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        folder.write("slot", snapshot(story, Engine(story).start(), "Anna"))
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.folder.iterdir()) == ["slot.toml"]


def edited(tmp_path: Path, old: str, new: str) -> Story:
    text = (STORIES / "crossroads.toml").read_text().replace(old, new)
    copy = tmp_path / "crossroads.toml"
    copy.write_text(text)
    return load_story(copy)


def test_a_save_replays_on_a_revised_story_when_its_path_still_fits(
    story: Story, folder: SaveFolder, tmp_path: Path
) -> None:
    run = played(story)
    folder.write("s", snapshot(story, run.state, "Anna"))
    revised = edited(tmp_path, 'text = "Quiet."', 'text = "Very quiet."')
    resumed = resume(revised, folder.read("s"))
    assert resumed.changed and resumed.fits
    assert resumed.states[-1].node == "front"


def test_a_save_whose_path_broke_resumes_from_the_last_fitting_point(
    story: Story, folder: SaveFolder, tmp_path: Path
) -> None:
    run = played(story)
    folder.write("s", snapshot(story, run.state, "Anna"))
    revised = edited(tmp_path, 'id = "attack"', 'id = "assault"')
    resumed = resume(revised, folder.read("s"))
    assert resumed.changed and not resumed.fits
    assert resumed.broken_at == 1
    assert "no choice 'attack'" in resumed.reason
    assert resumed.states[-1].path == run.states[1].path


def test_a_save_of_another_story_is_refused(
    story: Story, folder: SaveFolder, tmp_path: Path
) -> None:
    folder.write("s", snapshot(story, played(story).state, "Anna"))
    other = edited(tmp_path, 'id = "crossroads"', 'id = "elsewhere"')
    with pytest.raises(SaveError, match="belongs to the story 'crossroads'"):
        resume(other, folder.read("s"))


def test_profile_remembers_unlocked_endings_across_sessions(folder: SaveFolder) -> None:
    profile = folder.profile("Anna")
    assert profile.unlock("crossroads", "victory") is True
    assert profile.unlock("crossroads", "victory") is False
    folder.save_profile(profile)
    again = SaveFolder(folder.folder).profile("Anna")
    assert again.endings == {"crossroads": ["victory"]}
    assert SaveFolder(folder.folder).profile("Boris").endings == {}
    assert [entry.slot for entry in folder.entries()] == []  # profiles are not saves


def test_the_endings_found_are_those_the_story_still_has(story: Story, folder: SaveFolder) -> None:
    profile = folder.profile("Anna")
    ending = next(iter(story.endings))
    profile.unlock(story.id, ending)
    profile.unlock(story.id, "cut_in_an_edit")  # an ending the story no longer has
    profile.unlock("elsewhere", ending)
    assert profile.found(story) == {ending}


def test_a_damaged_profile_is_not_overwritten(folder: SaveFolder) -> None:
    path = folder.profile_path("Anna")
    path.parent.mkdir(parents=True)
    path.write_text("this is [not toml")
    profile = folder.profile("Anna")
    assert profile.endings == {}
    profile.unlock("crossroads", "victory")
    assert folder.save_profile(profile) is None
    assert path.read_text() == "this is [not toml"


def test_save_folder_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(SAVES_ENV, raising=False)
    checkout = Path(__file__).resolve().parent.parent
    assert saves_folder() == checkout / "saves"
    monkeypatch.setenv(SAVES_ENV, str(tmp_path / "env"))
    assert saves_folder() == tmp_path / "env"
    assert saves_folder(tmp_path / "flag") == tmp_path / "flag"
