"""Choosing a story: every story found, its summary, warnings, and endings found so far."""

from __future__ import annotations

import re

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from game.catalog import Entry
from game.locations import default_player
from game.ui.base import GameScreen


def reflow(text: str) -> str:
    """Join the lines of each paragraph: summaries are wrapped by hand in their files."""
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()))


class ChooserScreen(GameScreen):
    CSS_PATH = "chooser.tcss"
    BINDINGS = [("escape", "app.pop_screen", "Back")]

    def compose(self) -> ComposeResult:
        yield Static("Choose a story", classes="panel-title", id="chooser-title")
        with Horizontal():
            yield OptionList(id="stories")
            with VerticalScroll(id="details"):
                yield Static(id="about")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        stories = self.query_one("#stories", OptionList)
        self.entries: list[Entry] = self.game.catalog.entries()
        for index, entry in enumerate(self.entries):
            title = entry.story.title if entry.story else f"{entry.id} (cannot be played)"
            stories.add_option(Option(escape(title), id=str(index)))
        if self.entries:
            stories.highlighted = 0
            self.show(self.entries[0])
        stories.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id is not None:
            self.show(self.entries[int(event.option.id)])

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.game.begin(self.entries[int(event.option.id)])

    def show(self, entry: Entry) -> None:
        about = self.query_one("#about", Static)
        story = entry.story
        if story is None:
            count = len(entry.error.problems) if entry.error else 0
            about.update(
                f"[b]{escape(entry.id)}[/b]\n\nThis story has {count} "
                f"error{'s' if count != 1 else ''} and cannot be played yet. Choose it to see "
                f"{'them' if count != 1 else 'it'}."
            )
            return
        player = self.game.player or default_player()
        profile = self.game.folder.profile(player)
        found = len([e for e in profile.endings.get(story.id, []) if e in story.endings])
        lines = [f"[b]{escape(story.title)}[/b]"]
        if story.subtitle:
            lines.append(f"[i]{escape(story.subtitle)}[/i]")
        lines.append(f"[dim]{escape(story.era)}[/dim]")
        lines.append("")
        lines.append(escape(reflow(story.summary)))
        lines.append("")
        if story.content_warnings:
            lines.append(
                "[b $warning]Content warnings:[/] " + escape(", ".join(story.content_warnings))
            )
            lines.append("")
        lines.append(f"Endings found: {found} of {len(story.endings)}")
        lines.append(
            f"[dim]{len(story.nodes)} scenes · by {escape(', '.join(story.authors) or 'anonymous')}[/dim]"
        )
        lines.append("")
        lines.append("[dim]Enter to begin · Esc to go back[/dim]")
        about.update("\n".join(lines))
