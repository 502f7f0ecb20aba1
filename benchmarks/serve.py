"""Browser-play benchmark: what each student's browser tab costs the machine serving it.

    python benchmarks/serve.py                # 5 sessions, about 15 s
    python benchmarks/serve.py --sessions 30  # a whole class

Starts `divergence serve` on loopback (any free port, a temporary save folder), opens
N websocket sessions as N browser tabs would (textual-serve starts one game process for
each), waits until every game shows its title screen, and measures the memory of the
server and of each game process from /proc/PID/smaps_rollup:

- RSS: resident memory, counting shared pages (the Python binary, libraries) in full;
- PSS: the same with each shared page divided among the processes sharing it, so the
  PSS of all processes adds up to the memory they really take together;
- USS: the process's private pages only: what ending it would give back.

Then every session plays on (a name, the first story, one decision) and the games are
measured again, since a game in play holds its story, session and save code as well.
The figure to plan with is "per student": the growth of the total PSS (server and
games) over the idle server's, divided by N.

Linux only (it reads /proc). It is a benchmark, not a test: it always exits 0 unless
the server or a session fails to start.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
ESCAPES = re.compile(r"\x1b\[[0-9;?<>=$]*[ -/]*[@-~]|\x1b[=>]|\x1b\][^\x07]*\x07")
TIMEOUT = 60.0
MiB = 2**20


@dataclass
class Memory:
    rss: int = 0
    pss: int = 0
    uss: int = 0

    def __add__(self, other: Memory) -> Memory:
        return Memory(self.rss + other.rss, self.pss + other.pss, self.uss + other.uss)


def memory(pid: int) -> Memory:
    """RSS, PSS and USS of one process, in bytes, from /proc/PID/smaps_rollup."""
    fields: dict[str, int] = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            fields[name] = int(rest.split()[0]) * 1024
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return Memory(fields.get("Rss", 0), fields.get("Pss", 0), private)


def children(pid: int) -> list[int]:
    """The game processes: the server's children (the shell `exec`s into the game)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return sorted(found)


class Tab:
    """One browser tab's websocket, reading what the game draws as plain text."""

    def __init__(self, websocket: aiohttp.ClientWebSocketResponse) -> None:
        self.websocket = websocket
        self.screen = ""

    async def see(self, text: str) -> None:
        deadline = time.monotonic() + TIMEOUT
        while text not in ESCAPES.sub("", self.screen):
            message = await self.websocket.receive(timeout=deadline - time.monotonic())
            if message.type == aiohttp.WSMsgType.BINARY:
                self.screen += message.data.decode("utf-8", "replace")
            elif message.type != aiohttp.WSMsgType.TEXT:
                raise RuntimeError(f"the session closed before showing {text!r}")

    async def type(self, keys: str, then: str) -> None:
        self.screen = ""
        await self.websocket.send_str(json.dumps(["stdin", keys]))
        await self.see(then)

    async def drain(self) -> None:
        """Keep reading, as a browser does, so the game never waits on a full pipe."""
        while True:
            message = await self.websocket.receive()
            if message.type not in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT):
                return


def row(label: str, values: list[Memory]) -> str:
    count = len(values)
    mean = sum(values, Memory())
    return (
        f"  {label:<24} {mean.rss / count / MiB:7.1f} {mean.pss / count / MiB:7.1f} "
        f"{mean.uss / count / MiB:7.1f}"
    )


def report(server_pid: int, idle: Memory, sessions: int, phase: str) -> None:
    games = children(server_pid)
    figures = [memory(pid) for pid in games]
    server = memory(server_pid)
    total = sum(figures, Memory()) + server
    print(f"\n{phase}: {len(games)} game processes")
    print(f"  {'':<24} {'RSS':>7} {'PSS':>7} {'USS':>7}   (MiB)")
    print(row("server, idle", [idle]))
    print(row("server, now", [server]))
    print(row("each game (mean)", figures))
    if figures:
        largest = max(figures, key=lambda figure: figure.pss)
        print(row("largest game", [largest]))
    print(f"  total PSS, server and games: {total.pss / MiB:.1f} MiB")
    print(f"  per student: {(total.pss - idle.pss) / sessions / MiB:.1f} MiB (PSS growth / N)")


async def measure(url: str, server_pid: int, sessions: int, saves: Path) -> None:
    idle = memory(server_pid)
    async with aiohttp.ClientSession() as client:
        started = time.monotonic()
        sockets = [
            await client.ws_connect(f"{url}/ws?width=100&height=30") for _ in range(sessions)
        ]
        tabs = [Tab(websocket) for websocket in sockets]
        await asyncio.gather(*(tab.see("New game") for tab in tabs))
        print(f"{sessions} sessions showed their title in {time.monotonic() - started:.1f} s")
        readers = [asyncio.create_task(tab.drain()) for tab in tabs]
        await asyncio.sleep(1.0)  # the title's worker threads settle
        report(server_pid, idle, sessions, "At the title screen")
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)

        async def play(tab: Tab, number: int) -> None:
            await tab.type("\r", "Choose a story")
            await tab.type("\r", "What is your name?")
            await tab.type(f"Student {number}", f"Student {number}")
            await tab.type("\r", "Dossier")
            await tab.type("1", "")

        started = time.monotonic()
        await asyncio.gather(*(play(tab, number) for number, tab in enumerate(tabs, 1)))
        readers = [asyncio.create_task(tab.drain()) for tab in tabs]
        deadline = time.monotonic() + TIMEOUT
        while len(list(saves.glob("auto-*.toml"))) < sessions and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        print(
            f"\n{sessions} sessions played a decision and saved in {time.monotonic() - started:.1f} s"
        )
        await asyncio.sleep(1.0)
        report(server_pid, idle, sessions, "Playing (a name, a story, one decision)")
        for task in readers:
            task.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
        for websocket in sockets:
            await websocket.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sessions", type=int, default=5, help="browser tabs to open (5)")
    args = parser.parse_args()
    if not Path("/proc/self/smaps_rollup").exists():
        print("This benchmark reads /proc/PID/smaps_rollup: it runs on Linux only.")
        return 0
    with tempfile.TemporaryDirectory() as saves:
        server = subprocess.Popen(
            [sys.executable, "-m", "game", "serve", "--port", "0", "--saves", saves],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            url = None
            deadline = time.monotonic() + TIMEOUT
            while url is None and time.monotonic() < deadline:
                line = server.stdout.readline()
                if not line:
                    break
                found = re.search(r"http://\S+", line)
                url = found.group(0) if found else None
            if url is None:
                print("The server did not start.")
                return 1
            time.sleep(0.5)
            print(f"Python {sys.version.split()[0]}, server at {url}, pid {server.pid}")
            asyncio.run(measure(url, server.pid, args.sessions, Path(saves)))
            saved = sorted(path.name for path in Path(saves).glob("auto-*.toml"))
            print(f"\nAutosaves written: {len(saved)} (one per student expected)")
        finally:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
