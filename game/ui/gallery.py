"""The endings gallery: every ending of every story, found or still a question mark."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Grid, VerticalScroll
from textual.widgets import Footer, Static

from game.saves.locations import default_player
from game.ui.base import GameScreen

TONE_MARK = {
    "triumph": "★",
    "hopeful": "☀",
    "bittersweet": "◐",
    "ambiguous": "≈",
    "grim": "▼",
    "catastrophe": "✖",
}


class GalleryScreen(GameScreen):
    CSS_PATH = "gallery.tcss"
    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        player = self.game.player or default_player()
        profile = self.game.folder.profile(player)
        with VerticalScroll(id="gallery"):
            yield Static(
                f"Endings found by {escape(player)}", classes="panel-title", id="gallery-title"
            )
            for entry in self.game.catalog.entries():
                story = entry.story
                if story is None:
                    continue
                found = profile.found(story)
                count = len(found)
                yield Static(
                    f"[b]{escape(story.title)}[/b]  [dim]{count} of {len(story.endings)}[/dim]",
                    classes="story-name",
                )
                with Grid(classes="cards"):
                    for ending in story.endings.values():
                        if ending.id in found:
                            mark = TONE_MARK.get(ending.tone, "")
                            yield Static(
                                f"[b]{escape(ending.title)}[/b]\n[dim]{mark} {escape(ending.tone)}[/dim]",
                                classes="card found",
                            )
                        else:
                            hint = f"\n[dim]{escape(ending.hint)}[/dim]" if ending.hint else ""
                            yield Static(f"[b]???[/b]{hint}", classes="card locked")
        yield Footer(compact=True)
