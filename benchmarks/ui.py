"""UI benchmark: how fast the game starts, answers a choice, and how much memory it takes.

    python benchmarks/ui.py              # full run, well under a minute
    python benchmarks/ui.py --strict     # exit 1 when a target is missed
    python benchmarks/ui.py --quick      # fewer runs and presses, for a quick look

1. Start-up: from process start to the interactive title screen of `divergence`, next to
   a minimal Textual app that shows one widget, both in a pseudo-terminal, in the same
   run (best of N each); target: at most 1.3 times the minimal app.
2. Choice latency: from a number key press on the play screen to the frame that shows
   the next node, through `App.run_test`; target: median under 50 ms.
3. Peak memory: a fresh process plays each bundled story to an ending by key presses;
   target: under 100 MB.

See benchmarks/README.md for what exactly is measured. It is a benchmark, not a test:
without --strict it always exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
import fcntl
import json
import os
import pty
import random
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script from anywhere: make `benchmarks` (and `game`, if not installed) importable.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.core import Report, table, verdict  # noqa: E402

RUNNER = Path(__file__).resolve().with_name("_startup.py")
TARGET_STARTUP_RATIO = 1.3
TARGET_LATENCY_MS = 50.0
TARGET_MEMORY_BYTES = 100 * 1024 * 1024  # 100 MB, counted as MiB to be strict
TERMINAL_SIZE = (100, 30)  # columns, rows: the size the game is designed around and above
CHILD_TIMEOUT = 30.0


# --- running a child in a pseudo-terminal -------------------------------------------------


@dataclass
class ChildRun:
    started: float  # time.monotonic() just before the process was started
    exited: float  # time.monotonic() when it had exited and closed the terminal
    returncode: int
    figures: dict[str, Any]  # what the child wrote
    output: bytes  # what it drew, for diagnosis


def child_env() -> dict[str, str]:
    env = dict(os.environ, TERM="xterm-256color")
    for name in ("COLUMNS", "LINES", "TEXTUAL", "TEXTUAL_DRIVER"):
        env.pop(name, None)
    return env


def run_child(args: list[str], terminal: bool) -> ChildRun:
    """Run `_startup.py ARGS RESULT ...`, in a pseudo-terminal when `terminal`."""
    with tempfile.TemporaryDirectory(prefix="divergence-ui-bench-") as folder:
        result = Path(folder) / "result.json"
        mode, *rest = args
        command = [sys.executable, str(RUNNER), mode, str(result), *rest]
        if terminal:
            started, exited, code, output = _in_pty(command)
        else:
            started = time.monotonic()
            done = subprocess.run(
                command, env=child_env(), capture_output=True, timeout=CHILD_TIMEOUT * 4
            )
            exited, code, output = time.monotonic(), done.returncode, done.stdout + done.stderr
        figures = json.loads(result.read_text()) if result.exists() else {}
    return ChildRun(started, exited, code, figures, output)


def _in_pty(command: list[str]) -> tuple[float, float, int, bytes]:
    master, slave = pty.openpty()
    columns, rows = TERMINAL_SIZE
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    output = bytearray()
    started = time.monotonic()
    process = subprocess.Popen(
        command,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=child_env(),
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    deadline = started + CHILD_TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                output += chunk
            elif process.poll() is not None:
                break
        else:
            process.kill()
        code = process.wait(timeout=10)
    finally:
        os.close(master)
    return started, time.monotonic(), code, bytes(output)


def child_failed(run: ChildRun, what: str) -> str:
    tail = run.output[-1500:].decode("utf-8", "replace")
    return f"{what} failed (exit {run.returncode}); its last output:\n{tail}"


# --- 1. start-up --------------------------------------------------------------------------


@dataclass
class Startup:
    ready: list[float] = field(default_factory=list)  # process start to first screen
    imported: list[float] = field(default_factory=list)  # process start to imports done
    total: list[float] = field(default_factory=list)  # process start to process gone
    rss: int = 0


def bench_startup(runs: int, report: Report) -> None:
    columns, rows = TERMINAL_SIZE
    print(
        f"\nStart-up: process start to the first interactive screen, in a {columns}x{rows} "
        f"pseudo-terminal\n(best of {runs} after a warm-up, alternating; target: the game "
        f"at most {TARGET_STARTUP_RATIO}x the minimal app)\n"
    )
    results = {"minimal": Startup(), "game": Startup()}
    with tempfile.TemporaryDirectory(prefix="divergence-ui-saves-") as saves:
        for round_number in range(runs + 1):
            for name, args in (("minimal", ["minimal"]), ("game", ["game", saves])):
                run = run_child(args, terminal=True)
                if run.returncode != 0 or "ready" not in run.figures:
                    raise SystemExit(child_failed(run, f"start-up of {name}"))
                if round_number == 0:
                    continue  # warm-up: byte-code caches, the disk cache
                figures = results[name]
                figures.ready.append(run.figures["ready"] - run.started)
                figures.imported.append(run.figures["imported"] - run.started)
                figures.total.append(run.exited - run.started)
                figures.rss = max(figures.rss, int(run.figures["rss"]))
    rows_out = []
    for name, label in (
        ("minimal", "minimal Textual app (one Static)"),
        ("game", "divergence, to the title menu"),
    ):
        figures = results[name]
        rows_out.append(
            [
                label,
                ms(min(figures.ready)),
                ms(statistics.median(figures.ready)),
                ms(min(figures.imported)),
                ms(min(figures.total)),
                f"{figures.rss / 2**20:.0f} MiB",
            ]
        )
    table(
        rows_out,
        ["app", "ready (best)", "median", "imports done", "process gone", "peak RSS"],
    )
    game, minimal = min(results["game"].ready), min(results["minimal"].ready)
    ratio = game / minimal
    extra_imports = min(results["game"].imported) - min(results["minimal"].imported)
    ok = ratio <= TARGET_STARTUP_RATIO
    print(
        f"\n  ratio: {ratio:.2f}x the minimal app (target <= {TARGET_STARTUP_RATIO}x): "
        f"{verdict(ok)}; the game's own imports take {ms(extra_imports)} of the "
        f"{ms(game - minimal)} difference"
    )
    report.add(
        "start-up to title screen",
        f"{ms(game)}, {ratio:.2f}x minimal ({ms(minimal)})",
        f"<= {TARGET_STARTUP_RATIO}x",
        ok,
    )


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


# --- 2. choice latency --------------------------------------------------------------------


@dataclass
class Frame:
    at: float  # perf_counter() once the frame was rendered (and encoded for the terminal)
    screen: str  # "play", "ending" or another screen's class name
    title: str  # the play screen's scene title, or the ending's title
    narrative: bool  # whether the frame shows the new scene's narrative (or the epilogue)


@dataclass
class Press:
    story: str
    to_ending: bool
    title_ms: float  # key sent to the first frame showing the new node's title
    scene_ms: float  # key sent to the first frame showing its title and its narrative
    settled_ms: float  # key sent to the last frame the press caused


def make_clocked_app() -> type[Any]:
    """DivergenceApp with a clock on every frame it draws (imported late: Textual is heavy)."""
    from rich.console import RenderableType
    from textual._compositor import CompositorUpdate
    from textual.screen import Screen
    from textual.widget import Widget
    from textual.widgets import Static

    import game.ui.app
    from game.ui.ending import EndingScreen
    from game.ui.play import PlayScreen

    def first_block(screen: Screen[Any], selector: str) -> Widget | None:
        found = screen.query(selector)  # absent before the screen is composed
        if not found or not found.first().children:
            return None
        return found.first().children[0]

    class ClockedApp(game.ui.app.DivergenceApp):
        # Textual resolves CSS_PATH beside the module of the class that sets it: keep the game's.
        CSS_PATH = [
            str(Path(game.ui.app.__file__).with_name(str(name)))
            for name in game.ui.app.DivergenceApp.CSS_PATH
        ]

        frames: list[Frame]
        old_blocks: set[Widget]  # the narrative's blocks before the press

        def _display(self, screen: Screen[Any], renderable: RenderableType | None) -> None:
            super()._display(screen, renderable)
            if renderable is None:
                return
            if isinstance(renderable, CompositorUpdate):
                # Headless mode skips turning the frame into terminal codes; do it here, so
                # that the figure includes what a real terminal would have cost.
                renderable.render_segments(self.console)
            at = time.perf_counter()
            if isinstance(screen, PlayScreen):
                titles = screen.query("#scene-title").results(Static)
                title = next((str(found.content) for found in titles), "")
                block = first_block(screen, "#text")
                # New blocks of the Markdown, laid out in this frame: the new narrative is shown.
                shown = (
                    block is not None
                    and block not in self.old_blocks
                    and block in screen._compositor
                )
                self.frames.append(Frame(at, "play", title, shown))
            elif isinstance(screen, EndingScreen):
                ending = screen.session.ending()
                block = first_block(screen, "#epilogue")
                shown = block is not None and block in screen._compositor
                self.frames.append(Frame(at, "ending", ending.title if ending else "", shown))
            else:
                self.frames.append(Frame(at, type(screen).__name__, "", False))

    return ClockedApp


async def play_and_time(story: str, presses: int, seed: int) -> list[Press]:
    from textual import events

    from game.saves.files import SaveFolder
    from game.story.catalog import Catalog
    from game.ui.ending import EndingScreen
    from game.ui.play import PlayScreen

    rng = random.Random(seed)
    results: list[Press] = []
    with tempfile.TemporaryDirectory(prefix="divergence-ui-saves-") as saves:
        app = make_clocked_app()(
            Catalog(), SaveFolder(Path(saves)), player="bench", story=story, seed=seed
        )
        app.frames = []
        app.old_blocks = set()
        columns, rows = TERMINAL_SIZE
        async with app.run_test(size=(columns, rows)) as pilot:
            await pilot.pause()
            while sum(not press.to_ending for press in results) < presses:
                screen = app.screen
                if isinstance(screen, EndingScreen):
                    await restart(pilot, rng)
                    if isinstance(app.screen, EndingScreen):
                        raise SystemExit(f"{story}: rewinding from the ending did not work")
                    continue
                if not isinstance(screen, PlayScreen):
                    raise SystemExit(f"{story}: expected the play screen, found {screen!r}")
                available = [option for option in screen.session.options() if option.available]
                if not available:
                    raise SystemExit(f"{story}: no choice available at {screen.session.node().id}")
                key = str(rng.choice(available).number)
                app.frames.clear()
                app.old_blocks = set(screen.query_one("#text").children)
                sent = time.perf_counter()
                assert app._driver is not None
                app._driver.send_message(events.Key(key, key))
                await settle(pilot)
                session = screen.session
                ending = session.ending() if session.over else None
                kind, title = ("ending", ending.title) if ending else ("play", session.node().title)
                mine = [f for f in app.frames if f.screen == kind and title in f.title]
                with_text = [frame for frame in mine if frame.narrative]
                if not with_text:
                    raise SystemExit(f"{story}: no frame showed the {kind} {title!r}")
                results.append(
                    Press(
                        story,
                        ending is not None,
                        (mine[0].at - sent) * 1000,
                        (with_text[0].at - sent) * 1000,
                        (app.frames[-1].at - sent) * 1000,
                    )
                )
    return results


async def settle(pilot: Any, quiet: float = 0.1, limit: float = 3.0) -> None:
    """Let the app run undisturbed until no frame has come for `quiet` seconds.

    Nothing here forces a refresh (as `pilot.pause()` does), so frames come when the app
    would draw them anyway; the figures are read from the frames' clocks, not from this.
    """
    app = pilot.app
    began = time.perf_counter()
    seen, since = len(app.frames), time.perf_counter()
    while time.perf_counter() - began < limit:
        await asyncio.sleep(0.02)
        if len(app.frames) != seen:
            seen, since = len(app.frames), time.perf_counter()
        elif time.perf_counter() - since >= quiet:
            break
    await pilot.pause()  # then everything queued is surely processed


async def restart(pilot: Any, rng: random.Random) -> None:
    """From an ending: rewind (r), then undo a random number of decisions, not timed."""
    from game.ui.play import PlayScreen

    await pilot.press("r")
    await settle(pilot)
    screen = pilot.app.screen
    if isinstance(screen, PlayScreen):
        for _ in range(rng.randint(0, len(screen.session.decisions()))):
            await pilot.press("u")
        await settle(pilot)


def bench_latency(presses: int, seed: int, report: Report) -> None:
    from game.story.catalog import Catalog

    stories = [entry.id for entry in Catalog().entries() if entry.story is not None]
    per_story = max(1, -(-presses // len(stories)))
    columns, rows = TERMINAL_SIZE
    print(
        f"\nChoice latency: number key to the frame showing the next node, "
        f"App.run_test at {columns}x{rows}\n({per_story} random choices leading to a scene "
        f"in each of {len(stories)} bundled stories, plus those that end it;\n"
        f"target: median under {TARGET_LATENCY_MS:.0f} ms)\n"
    )
    results: list[Press] = []
    for number, story in enumerate(stories):
        results += asyncio.run(play_and_time(story, per_story, seed + number))

    def median(values: list[float]) -> str:
        return f"{statistics.median(values):.1f}" if values else "-"

    rows_out = []
    for story in [*stories, "all"]:
        mine = [press for press in results if story in ("all", press.story)]
        nodes = [press for press in mine if not press.to_ending]
        endings = [press for press in mine if press.to_ending]
        rows_out.append(
            [
                story,
                str(len(nodes)),
                median([press.title_ms for press in nodes]),
                median([press.scene_ms for press in nodes]),
                f"{max(press.scene_ms for press in nodes):.1f}" if nodes else "-",
                median([press.settled_ms for press in nodes]),
                median([press.scene_ms for press in endings]),
            ]
        )
    table(
        rows_out,
        ["story", "presses", "title", "scene", "scene max", "settled", "to ending"],
    )
    nodes = [press for press in results if not press.to_ending]
    scene = statistics.median(press.scene_ms for press in nodes)
    title = statistics.median(press.title_ms for press in nodes)
    settled = statistics.median(press.settled_ms for press in nodes)
    print(
        "\n  Milliseconds, medians over presses that lead to a scene (to ending: presses that "
        "end the story).\n  title: first frame with the new scene's title; scene: first "
        "frame with its title and its\n  narrative; settled: the last frame the press caused."
    )
    report.add(
        "choice to next scene shown (median)",
        f"{scene:.1f} ms ({len(nodes)} presses)",
        f"< {TARGET_LATENCY_MS:.0f} ms",
        scene < TARGET_LATENCY_MS,
    )
    report.add("  of which: new title shown", f"{title:.1f} ms", "", None)
    report.add("  of which: last frame drawn", f"{settled:.1f} ms", "", None)


# --- 3. memory ----------------------------------------------------------------------------


def bench_memory(report: Report) -> None:
    from game.story.catalog import Catalog

    stories = [entry.id for entry in Catalog().entries() if entry.story is not None]
    print(
        f"\nPeak memory: a fresh process plays each bundled story to an ending through the UI\n"
        f"(headless, the first available choice each time, the stories side by side;\n"
        f"target: under {TARGET_MEMORY_BYTES / 2**20:.0f} MiB peak resident memory)\n"
    )
    rows_out = []
    peak = 0
    with (
        tempfile.TemporaryDirectory(prefix="divergence-ui-saves-") as saves,
        ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool,
    ):
        # Side by side, one process per story: each counts only its own memory.
        runs = pool.map(
            lambda story: run_child(["memory", str(Path(saves) / story), story], terminal=False),
            stories,
        )
        for story, run in zip(stories, runs, strict=True):
            if run.returncode != 0 or not run.figures.get("ok"):
                raise SystemExit(child_failed(run, f"playing {story} for memory"))
            rss = int(run.figures["rss"])
            peak = max(peak, rss)
            rows_out.append(
                [
                    story,
                    str(run.figures["presses"]),
                    str(run.figures["ending"]),
                    f"{rss / 2**20:.1f} MiB",
                ]
            )
    table(rows_out, ["story", "choices", "ending screen", "peak RSS"], right={1, 3})
    report.add(
        "peak memory, a story to an ending",
        f"{peak / 2**20:.1f} MiB (largest of {len(stories)})",
        f"< {TARGET_MEMORY_BYTES / 2**20:.0f} MiB",
        peak < TARGET_MEMORY_BYTES,
    )


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument("--quick", action="store_true", help="fewer runs and presses")
    parser.add_argument(
        "--runs", type=int, default=None, help="start-up runs of each app (7; --quick 3)"
    )
    parser.add_argument(
        "--presses", type=int, default=None, help="timed choice presses (50; --quick 15)"
    )
    parser.add_argument("--seed", type=int, default=1941, help="seed for the random choices")
    parser.add_argument(
        "--only",
        choices=["startup", "latency", "memory"],
        action="append",
        help="run only this part (may be given more than once)",
    )
    args = parser.parse_args(argv)
    args.runs = args.runs or (3 if args.quick else 7)
    args.presses = args.presses or (15 if args.quick else 50)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    parts = args.only or ["startup", "latency", "memory"]
    report = Report()
    began = time.perf_counter()
    print(f"Divergence UI benchmark · Python {sys.version.split()[0]} · {sys.platform}")
    if "startup" in parts:
        bench_startup(args.runs, report)
    if "latency" in parts:
        bench_latency(args.presses, args.seed, report)
    if "memory" in parts:
        bench_memory(report)
    print("\nSummary\n")
    table(
        [[r.name, r.value, r.target, verdict(r.ok)] for r in report.results],
        ["measure", "figure", "target", ""],
        right=set(),
    )
    print(f"\n  ({time.perf_counter() - began:.0f} s)")
    if report.missed:
        names = ", ".join(result.name for result in report.missed)
        print(f"  missed: {names}" + ("" if args.strict else " (exit 0; --strict exits 1)"))
        return 1 if args.strict else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
