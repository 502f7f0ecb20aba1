"""Helpers the tests share: the command line in-process, and what a Textual screen shows.

Imported as `helpers` (pytest puts `tests/` on the path for its conftest). The screen
helpers import Textual only when called with an app, so domain tests stay light.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from textual.app import App
    from textual.pilot import Pilot
    from textual.screen import Screen

S = TypeVar("S", bound="Screen[Any]")


def run_cli(*args: str, stdin: str = "") -> tuple[int, str]:
    """`divergence ARGS` in this process: its exit code and what it wrote to standard output."""
    from game.cli.entry import main

    out = io.StringIO()
    code = main(list(args), stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def on(app: App[Any], kind: type[S]) -> S:
    """The screen on top, which must be a `kind`."""
    screen = app.screen
    assert isinstance(screen, kind), f"expected {kind.__name__}, on {type(screen).__name__}"
    return screen


def shown(app: App[Any]) -> str:
    """The text of the screen on top as the player sees it, line by line."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces folded, to find phrases that wrap."""
    return " ".join(text.split())


def notes(app: App[Any]) -> list[str]:
    """The messages of the notifications raised so far."""
    return [notification.message for notification in app._notifications]


async def press(pilot: Pilot[Any], *keys: str) -> None:
    """Press keys; Pilot waits until each is handled. A new screen is left to mount and draw
    (the second pause: the map puts its cursor on the current place after a refresh)."""
    before = pilot.app.screen
    await pilot.press(*keys)
    if pilot.app.screen is not before:
        await pilot.pause()
        await pilot.pause()
