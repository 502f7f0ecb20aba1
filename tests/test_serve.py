"""`divergence serve`: the real server in a subprocess, driven over HTTP and its websocket.

The websocket speaks textual-serve's protocol, as its page's script (textual.js) does:
text frames from the browser are JSON lists (["stdin", keys], ["resize", {...}], ...),
binary frames from the server are what the game draws, terminal escapes and all.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from game.classroom.serve import SESSION_OPTION, session_command, urls
from game.saves.files import name_key

ROOT = Path(__file__).resolve().parent.parent
START_SECONDS = 30  # a cold CI machine: Python, then Textual, for the server and each game
ESCAPES = re.compile(r"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b[=>]|\x1b\][^\x07]*\x07")
POSIX = os.name == "posix"


class Served:
    """A `divergence serve` subprocess on loopback and what it printed."""

    def __init__(self, saves: Path, *options: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "game", "serve", "--saves", str(saves), *options],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.printed: list[str] = []
        threading.Thread(target=self.read, daemon=True).start()

    def read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for_url(self) -> str:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.2)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.printed.append(line)
            found = re.search(r"http://\S+", line)
            if found:
                return found.group(0)
        assert self.process.stderr is not None
        pytest.fail(f"the server did not start: {''.join(self.printed)}")

    def stop(self) -> tuple[int, str, str]:
        """Stop it as Ctrl-C does; (exit code, rest of stdout, stderr)."""
        self.process.send_signal(signal.SIGINT)
        self.process.wait(timeout=15)
        time.sleep(0.1)  # the reader thread takes the last lines
        while not self.lines.empty():
            self.printed.append(self.lines.get())
        assert self.process.stderr is not None
        return self.process.returncode, "".join(self.printed), self.process.stderr.read()

    def games(self) -> list[int]:
        """The game processes: the server's children (Linux; empty elsewhere)."""
        pid = self.process.pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        return [int(game) for game in children.read_text().split()] if children.exists() else []

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT if POSIX else signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Served, str]]:
    server = Served(tmp_path / "saves", "--port", "0")  # any free port: it prints which
    try:
        yield server, server.wait_for_url()
    finally:
        server.kill()


class Browser:
    """One browser tab's websocket: keys in, the game's screen out (as plain text)."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self.screen = ""

    async def see(self, text: str, seconds: float = START_SECONDS) -> bool:
        """Read what the game draws until `text` appears in it (escapes removed)."""
        deadline = time.monotonic() + seconds
        while text not in ESCAPES.sub("", self.screen):
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            try:
                message = await self.websocket.receive(timeout=left)
            except TimeoutError:
                return False
            if message.type == aiohttp.WSMsgType.BINARY:
                self.screen += message.data.decode("utf-8", "replace")
            elif message.type != aiohttp.WSMsgType.TEXT:
                return False  # closed
        return True

    async def type(self, keys: str, then: str) -> None:
        self.screen = ""
        await self.websocket.send_str(json.dumps(["stdin", keys]))
        assert await self.see(then), (
            f"after {keys!r}, no {then!r} in:\n{ESCAPES.sub('', self.screen)}"
        )


def test_the_page_is_textual_serves_and_loads_nothing_from_outside(
    served: tuple[Served, str],
) -> None:
    _server, url = served
    with urllib.request.urlopen(url + "/", timeout=10) as response:
        page = response.read().decode()
    port = url.rsplit(":", 1)[1]
    assert 'class="textual-terminal"' in page
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page
    assert "<title>Divergence</title>" in page
    # every file the page asks for is this server's: no fonts or scripts from a CDN
    assets = re.findall(r'(?:src|href)="([^"]*)"', page) + re.findall(r'url\("([^"]*)"', page)
    assert assets and all(asset.startswith("/static/") for asset in assets), assets
    for asset in assets:
        with urllib.request.urlopen(url + asset, timeout=10) as response:
            assert response.status == 200 and response.read()
    assert "googleapis" not in page and "https://" not in page

    async def from_another_site() -> int:
        async with aiohttp.ClientSession() as session:
            try:
                await session.ws_connect(url + "/ws", origin="http://elsewhere.example")
            except aiohttp.WSServerHandshakeError as refused:
                return refused.status
            return 101

    assert asyncio.run(from_another_site()) == 403


def test_a_browser_tab_is_a_game_that_asks_the_name_and_saves_under_it(
    served: tuple[Served, str], tmp_path: Path
) -> None:
    _server, url = served
    saves = tmp_path / "saves"
    # someone played from this folder before: a browser session must not reuse their name
    (saves / "profiles").mkdir(parents=True, exist_ok=True)
    (saves / "profiles" / "last-player").write_text("Teacher\n")
    name = "Anna Petrova"

    async def play() -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(url + "/ws?width=100&height=30") as websocket,
        ):
            tab = Browser(websocket)
            await websocket.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
            assert await tab.see("New game"), ESCAPES.sub("", tab.screen)
            await tab.type("\r", "Choose a story")
            await tab.type("\r", "What is your name?")
            assert "Teacher" not in ESCAPES.sub("", tab.screen)
            await tab.type(name, name)
            await tab.type("\r", "Dossier")  # the play screen
            await tab.type("1", "")
            key = name_key(name)
            deadline = time.monotonic() + START_SECONDS
            while not list(saves.glob(f"auto-*-{key}.toml")) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)

    asyncio.run(play())
    [autosave] = saves.glob(f"auto-*-{name_key(name)}.toml")
    assert f'player = "{name}"' in autosave.read_text()


@pytest.mark.skipif(not POSIX, reason="stops the server with SIGINT, as Ctrl-C does")
def test_ctrl_c_stops_the_server_and_its_games_cleanly(served: tuple[Served, str]) -> None:
    server, url = served
    games: list[int] = []

    async def open_a_game_then_stop() -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(url + "/ws?width=80&height=24") as websocket,
        ):
            assert await Browser(websocket).see("New game")
            games.extend(server.games())
            code, out, err = await asyncio.to_thread(server.stop)
            assert code == 0, err
            assert "Server stopped." in out
            assert "Traceback" not in out + err
            assert (await websocket.receive(timeout=10)).type in (
                aiohttp.WSMsgType.CLOSE,
                aiohttp.WSMsgType.CLOSING,
                aiohttp.WSMsgType.CLOSED,
            )

    asyncio.run(open_a_game_then_stop())
    assert_ended(games)


def assert_ended(games: list[int]) -> None:
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in games) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in games if Path(f"/proc/{pid}").exists()], "a game outlived the server"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the games in /proc")
def test_a_game_ends_when_its_server_is_killed(served: tuple[Served, str]) -> None:
    """Killed, the server cannot tell its games to quit: they notice and end themselves."""
    server, url = served
    games: list[int] = []

    async def open_a_game_then_kill() -> None:
        async with (
            aiohttp.ClientSession() as session,
            session.ws_connect(url + "/ws?width=80&height=24") as websocket,
        ):
            assert await Browser(websocket).see("New game")
            games.extend(server.games())
            server.process.kill()
            server.process.wait(timeout=10)

    asyncio.run(open_a_game_then_kill())
    assert games, "no game process started for the tab"
    assert_ended(games)


def test_the_start_up_text_says_where_to_go_what_is_saved_and_how_to_stop(
    served: tuple[Served, str], tmp_path: Path
) -> None:
    server, url = served
    assert url.startswith("http://127.0.0.1:")
    deadline = time.monotonic() + 10
    while "Ctrl-C" not in "".join(server.printed) and time.monotonic() < deadline:
        with contextlib.suppress(queue.Empty):
            server.printed.append(server.lines.get(timeout=0.2))
    printed = "".join(server.printed)
    assert str((tmp_path / "saves").resolve()) in printed
    assert "--host 0.0.0.0" in printed and "Ctrl-C" in printed


def test_a_port_in_use_is_one_clear_line_and_exit_code_2(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "game", "serve", "--port", str(port), "--saves", str(tmp_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=START_SECONDS,
        )
    assert result.returncode == 2
    assert f"port {port} is already in use" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_each_tab_runs_this_python_on_this_save_folder_asking_every_name(tmp_path: Path) -> None:
    command = session_command(tmp_path / "saves", [tmp_path / "more stories"])
    assert sys.executable in command and "-m game" in command
    assert str(tmp_path / "saves") in command and SESSION_OPTION in command
    assert "--stories" in command


def test_listening_on_every_address_lists_this_machine_first() -> None:
    here, _others = urls("0.0.0.0", 8000)
    assert here == ["http://localhost:8000"]
    assert urls("127.0.0.1", 8001) == (["http://127.0.0.1:8001"], [])
    assert urls("::1", 8002) == (["http://[::1]:8002"], [])
