"""Shown instead of the game while the terminal is too small for it."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static


class TooSmallScreen(ModalScreen[None]):
    CSS_PATH = "toosmall.tcss"

    def __init__(self, width: int, height: int) -> None:
        super().__init__()
        self.need = (width, height)

    def compose(self) -> ComposeResult:
        width, height = self.need
        yield Static(
            f"Enlarge the terminal to at least {width}x{height}.\n"
            f"It is {self.app.size.width}x{self.app.size.height} now.",
            id="too-small",
        )

    def on_resize(self) -> None:
        width, height = self.need
        self.query_one("#too-small", Static).update(
            f"Enlarge the terminal to at least {width}x{height}.\n"
            f"It is {self.app.size.width}x{self.app.size.height} now."
        )
