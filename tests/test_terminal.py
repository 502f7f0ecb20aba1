"""The game in a real terminal: tmux runs `python -m game play`, the test types and reads.

Pilot tests drive Textual in-process; this one runs the real command in a real (if
virtual) terminal, so it also covers the command line, the terminal driver and the
autosave on disk. It needs tmux: `.ci/run` installs it, and under CI (the `CI`
environment variable set) a missing tmux fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from game.saves.files import SaveFolder, autosave_slot

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "stories" / "special_train.toml"
WIDTH, HEIGHT = 100, 30
TIMEOUT = 20.0  # seconds to wait for any one thing to appear
POLL = 0.2
EXITED = "[the game exited with status"  # printed by the shell that runs it


class Terminal:
    """One tmux server on its own socket, with one session running one command."""

    def __init__(self, name: str) -> None:
        self.name = name

    def tmux(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {key: value for key, value in os.environ.items() if key != "TMUX"}
        return subprocess.run(
            ["tmux", "-L", self.name, "-f", os.devnull, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=check,
            env=env,
        )

    def start(self, command: list[str], cwd: Path) -> None:
        # The pane's TERM comes from tmux's `default-terminal` option, which overrides the
        # session environment (`new-session -e`, tmux 3.2 and later only, is ignored for
        # it), so the command sets TERM for the game itself. A shell runs the game and then
        # prints its exit status, and stays (tmux may miss a pane's last output when the
        # process ends at once, and does not always record the status itself: 3.3a
        # sometimes leaves the finished game a zombie). kill() ends it all.
        game = shlex.join(["env", "TERM=xterm-256color", *command])
        line = f'{game}; echo "{EXITED} $?]"; sleep 600'
        self.tmux(
            "new-session",
            "-d",
            "-s",
            self.name,
            "-x",
            str(WIDTH),
            "-y",
            str(HEIGHT),
            "-c",
            str(cwd),
            line,
        )

    def screen(self) -> str:
        result = self.tmux("capture-pane", "-p", "-t", self.name, check=False)
        return result.stdout

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys)

    def exit_status(self, screen: str | None = None) -> int | None:
        """The game's exit status once it has exited, else None."""
        found = re.search(
            re.escape(EXITED) + r" (\d+)\]", self.screen() if screen is None else screen
        )
        return int(found.group(1)) if found else None

    def wait_for(self, *texts: str, timeout: float = TIMEOUT) -> str:
        """Poll the screen until all `texts` are on it; fail with the last screen if never."""
        return self.wait_until(
            lambda screen: all(text in screen for text in texts),
            " and ".join(repr(text) for text in texts) + " on screen",
            timeout,
        )

    def wait_until(self, test: Callable[[str], bool], what: str, timeout: float = TIMEOUT) -> str:
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            if test(screen):
                return screen
            status = self.exit_status(screen)
            if status is not None:
                pytest.fail(f"the game exited ({status}) before {what}; the screen:\n{screen}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {what} after {timeout:.0f} s; the screen was:\n{screen}")
            time.sleep(POLL)

    def wait_for_exit(self, timeout: float = TIMEOUT) -> int:
        deadline = time.monotonic() + timeout
        while (status := self.exit_status()) is None:
            if time.monotonic() > deadline:
                pytest.fail(f"the game did not exit; the screen was:\n{self.screen()}")
            time.sleep(POLL)
        return status

    def kill(self) -> None:
        """Stop this test's tmux server and remove its socket (tmux leaves the file behind)."""
        if shutil.which("tmux") is None:
            return
        self.tmux("kill-server", check=False)
        base = Path(os.environ.get("TMUX_TMPDIR") or "/tmp")
        (base / f"tmux-{os.getuid()}" / self.name).unlink(missing_ok=True)


def require_tmux() -> None:
    """Skip without tmux, except under CI, where the test must run and so fails instead."""
    if shutil.which("tmux") is not None:
        return
    if os.environ.get("CI"):
        pytest.fail("tmux is not installed; under CI this test must run (.ci/run installs tmux)")
    pytest.skip("tmux is not installed (e.g. apt-get install tmux); this test runs the game in it")


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    term = Terminal(f"divergence-test-{os.getpid()}-{uuid.uuid4().hex[:8]}")
    try:
        yield term
    finally:
        term.kill()


# special_train with seed 1: choice 1 three times is the shortest road to an ending.
PATH = [
    ("Tomorrow or Later", "1. Keep the engine under steam through the night"),
    ("The Sixteenth", "1. Keep every man on the platform"),
    ("The Order of the Papers", "1. Put Zhukov's report on top"),
]


def test_play_to_an_ending_in_a_real_terminal(terminal: Terminal, tmp_path: Path) -> None:
    require_tmux()  # in the test, not the fixture: under CI a missing tmux is a failure
    saves = tmp_path / "saves"
    terminal.start(
        [
            sys.executable,
            "-m",
            "game",
            "play",
            str(STORY),
            "--seed",
            "1",
            "--player",
            "T",
            "--saves",
            str(saves),
        ],
        cwd=ROOT,
    )
    for title, choice in PATH:
        screen = terminal.wait_for(title, choice)
        assert "Traceback" not in screen
        terminal.keys("1")

    # the ending's date under its banner, the news, and the ending's keys in the footer
    screen = terminal.wait_for(
        "Ending unlocked: 1 of 3", "18 October 1941, night", "r Rewind", "m Main menu"
    )
    assert "Traceback" not in screen

    autosave = SaveFolder(saves).slot_path(autosave_slot("special_train", "T"))
    assert autosave.is_file(), sorted(p.name for p in saves.rglob("*"))
    assert 'story = "special_train"' in autosave.read_text(encoding="utf-8")

    terminal.keys("q")
    assert terminal.wait_for_exit() == 0, terminal.screen()
