"""Child process of benchmarks/ui.py: one app, started from nothing, measured from inside.

    python benchmarks/_startup.py minimal RESULT.json                  # a one-widget Textual app
    python benchmarks/_startup.py game RESULT.json SAVES_DIR           # `divergence`, to the title
    python benchmarks/_startup.py memory RESULT.json SAVES_DIR STORY   # play STORY to an ending

`minimal` and `game` need a terminal (ui.py gives them a pseudo-terminal). Each exits as
soon as its first screen is ready and painted, and writes the `time.monotonic()` of that
moment; the clock is system-wide, so ui.py compares it with its own reading taken just
before starting the process. `game` runs the real command line, `game.cli.entry.main`, with
the application class swapped for a subclass that only adds the exit: nothing in
`game/` is changed. `memory` plays headless (`App.run_test`) by key presses, choosing
the first available choice, and reports the process's peak resident memory.
Not meant to be run by hand.
"""

from __future__ import annotations

import sys
import time

STARTED = time.monotonic()

import json  # noqa: E402
import resource  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def peak_rss_bytes() -> int:
    """This process's peak resident memory.

    On Linux, VmHWM of /proc/self/status: `ru_maxrss` would not do, since Linux carries the
    parent's peak across fork and exec into the child's (a benchmark process that has
    grown to 80 MB would make every child report at least 80 MB).
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak if sys.platform == "darwin" else peak * 1024  # Linux reports KiB


def write(path: str, **figures: Any) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump({"started": STARTED, **figures}, out)


def run_minimal(result: str) -> int:
    from textual.app import App, ComposeResult
    from textual.widgets import Static

    imported = time.monotonic()

    class Minimal(App[None]):
        def compose(self) -> ComposeResult:
            yield Static("Hello from a minimal Textual app.")

        def on_ready(self) -> None:
            self.call_after_refresh(self.done)

        def done(self) -> None:
            write(result, imported=imported, ready=time.monotonic(), rss=peak_rss_bytes())
            self.exit()

    Minimal().run()
    return 0


def run_game(result: str, saves: str) -> int:
    import game.cli.entry
    import game.ui.app
    from game.ui.title import TitleScreen

    imported = time.monotonic()

    class ReadyGame(game.ui.app.DivergenceApp):
        """The game, which leaves as soon as the title screen's menu is up and painted."""

        # Textual resolves CSS_PATH beside the module of the class that sets it: keep the game's.
        CSS_PATH = [
            str(Path(game.ui.app.__file__).with_name(str(name)))
            for name in game.ui.app.DivergenceApp.CSS_PATH
        ]

        def on_ready(self) -> None:
            self.call_after_refresh(self.check)

        def check(self) -> None:
            screen = self.screen
            if isinstance(screen, TitleScreen):
                menu = screen.query_one("#menu")
                if menu.has_focus and getattr(menu, "option_count", 0) > 0:
                    self.call_after_refresh(self.done)
                    return
            self.call_after_refresh(self.check)

        def done(self) -> None:
            write(result, imported=imported, ready=time.monotonic(), rss=peak_rss_bytes())
            self.exit(0)

    game.ui.app.DivergenceApp = ReadyGame  # type: ignore[misc]  # cmd_menu imports it late
    return game.cli.entry.main(["--saves", saves])


def run_memory(result: str, saves: str, story: str) -> int:
    import asyncio

    from textual.widgets import Static

    from game.saves.files import SaveFolder
    from game.story.catalog import Catalog
    from game.ui.app import DivergenceApp
    from game.ui.ending import EndingScreen
    from game.ui.play import PlayScreen

    async def play() -> dict[str, Any]:
        app = DivergenceApp(Catalog(), SaveFolder(Path(saves)), player="bench", story=story, seed=1)
        presses = 0
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            while presses < 300:
                screen = app.screen
                if isinstance(screen, EndingScreen):
                    unlocked = str(screen.query_one("#unlocked", Static).content)
                    return {"presses": presses, "ending": unlocked, "ok": True}
                if not isinstance(screen, PlayScreen):
                    return {"presses": presses, "ok": False, "why": type(screen).__name__}
                available = [option for option in screen.session.options() if option.available]
                if not available:
                    return {"presses": presses, "ok": False, "why": "no choice available"}
                await pilot.press(str(available[0].number))
                await pilot.pause()
                presses += 1
        return {"presses": presses, "ok": False, "why": "no ending in 300 presses"}

    outcome = asyncio.run(play())
    write(result, rss=peak_rss_bytes(), **outcome)
    return 0 if outcome["ok"] else 1


def main(argv: list[str]) -> int:
    mode, result, *rest = argv
    if mode == "minimal":
        return run_minimal(result)
    if mode == "game":
        return run_game(result, *rest)
    if mode == "memory":
        return run_memory(result, *rest)
    raise SystemExit(f"unknown mode {mode!r}")


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
