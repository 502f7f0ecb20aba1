"""Help: every key binding of the screen you came from and of the whole game, generated from
the bindings themselves so it cannot fall out of date."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

HELP_TEXT = """\
Number keys take a choice; arrows and Enter, or the mouse, do too. Locked choices are
shown dimmed with the reason. The game saves automatically after every decision.
Ctrl+P opens the command palette, where every action (and the colour themes) can be found."""


def binding_rows(screen: Screen[object]) -> list[tuple[str, str]]:
    rows: dict[str, str] = {}
    for source in (screen, screen.app):
        for binding in getattr(source, "BINDINGS", []):
            key, _action, description = (
                (binding.key, binding.action, binding.description)
                if hasattr(binding, "key")
                else (binding[0], binding[1], binding[2] if len(binding) > 2 else "")
            )
            shown = getattr(binding, "key_display", None) or key
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
        rows = binding_rows(self.under)
        width = max((len(key) for key, _ in rows), default=4)
        keys = "\n".join(f"[b]{escape(key):<{width}}[/b]  {escape(text)}" for key, text in rows)
        with VerticalScroll(id="help"):
            yield Static("Keys", classes="panel-title")
            if isinstance(self.under, Screen) and type(self.under).__name__ == "PlayScreen":
                yield Static("[b]1-9[/b]  take that choice")
            yield Static(keys)
            yield Static("")
            yield Static(HELP_TEXT, classes="hint")
            yield Static("Esc closes this help.", classes="hint")
