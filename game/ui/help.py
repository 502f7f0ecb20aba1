"""Help: every key binding of the screen you came from and of the whole game, generated from
the bindings themselves so it cannot fall out of date."""

from __future__ import annotations

from rich.table import Table
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

HELP_TEXT = (
    "Number keys take a choice; arrows and Enter, or the mouse, do too. Locked choices are "
    "shown dimmed with the reason. The game saves automatically after every decision. "
    "Ctrl+P opens the command palette, where every action, and the colour themes, can be found."
)
KEY_NAMES = {"escape": "Esc", "question_mark": "?", "ctrl+q": "Ctrl+Q", "delete": "Delete"}


def binding_rows(screen: Screen[object]) -> list[tuple[str, str]]:
    rows: dict[str, str] = {}
    for source in (screen, screen.app):
        for binding in getattr(source, "BINDINGS", []):
            key, _action, description = (
                (binding.key, binding.action, binding.description)
                if hasattr(binding, "key")
                else (binding[0], binding[1], binding[2] if len(binding) > 2 else "")
            )
            shown = getattr(binding, "key_display", None) or ", ".join(
                KEY_NAMES.get(part, part) for part in key.split(",")
            )
            if description and shown not in rows:
                rows[shown] = description
    return sorted(rows.items())


class HelpScreen(ModalScreen[None]):
    CSS_PATH = "help.tcss"
    BINDINGS = [("escape", "app.pop_screen", "Close"), ("question_mark", "app.pop_screen", "Close")]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        table = Table(box=None, show_header=False, pad_edge=False, padding=(0, 2, 0, 0))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        if type(self.under).__name__ == "PlayScreen":
            table.add_row("1-9", "take that choice")
        for key, text in binding_rows(self.under):
            table.add_row(key, text)
        table.add_row("Ctrl+P", "command palette: every action, and the colour themes")
        with VerticalScroll(id="help"):
            yield Static("Keys", classes="panel-title")
            yield Static(table)
            yield Static("")
            yield Static(HELP_TEXT, classes="hint")
            yield Static("Esc closes this help.", classes="hint")
