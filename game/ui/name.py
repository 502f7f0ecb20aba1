"""Asking the player's name once, before the first run (it goes into the saves)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class NameScreen(ModalScreen[str | None]):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, suggestion: str) -> None:
        super().__init__()
        self.suggestion = suggestion

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("What is your name?", classes="panel-title")
            yield Static(
                "It is written into your saves and your list of endings found.", classes="hint"
            )
            yield Input(value=self.suggestion, placeholder="your name", max_length=40, id="name")
            yield Static("Enter to start · Esc to go back", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if name:
            self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
