"""A story that does not load: its problems, readable, and a way back."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from game.story.catalog import Entry


class StoryErrorScreen(Screen[None]):
    CSS_PATH = "errors.tcss"
    BINDINGS = [("escape", "back", "Back"), ("enter", "back", "Back")]

    def __init__(self, entry: Entry) -> None:
        super().__init__()
        self.entry = entry

    def compose(self) -> ComposeResult:
        problems = self.entry.error.problems if self.entry.error else ()
        yield Static(
            f"The story '{self.entry.id}' cannot be played: {len(problems)} "
            f"problem{'s' if len(problems) != 1 else ''} in its files.",
            id="error-title",
            markup=False,  # ids and paths come from files: never markup
        )
        with VerticalScroll(id="problems"):
            for problem in problems:
                yield Static(str(problem), classes="problem", markup=False)
        yield Static(
            f"Writers: fix these and run 'divergence check {self.entry.path}'. Esc goes back.",
            classes="hint",
            markup=False,
        )
        yield Footer(compact=True)

    def action_back(self) -> None:
        self.dismiss()
