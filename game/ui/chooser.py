"""Choosing a story: every story found, its summary, warnings, and endings found so far."""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich.markup import escape
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from game.saves.locations import default_player
from game.story.catalog import Entry
from game.ui.base import GameScreen


def reflow(text: str) -> str:
    """Join the lines of each paragraph: summaries are wrapped by hand in their files."""
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text.strip()))


class ChooserScreen(GameScreen):
    CSS_PATH = "chooser.tcss"
    BINDINGS = [
        ("escape", "app.pop_screen", "Back"),
        # one key, its label the state: see check_action (class vote mode, game.ui.classroom)
        Binding("c", "classroom(True)", "Class vote: off"),
        Binding("c", "classroom(False)", "Class vote: on"),
    ]

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
        from game.play.reading import estimate  # plays the story: only once a story is looked at

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
        found = len(profile.found(story))
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
        lines.append(f"Reading time: {estimate(story).label} in a typical run")
        lines.append(
            f"[dim]{len(story.nodes)} scenes · by {escape(', '.join(story.authors) or 'anonymous')}[/dim]"
        )
        lines.append("")
        if self.game.classroom:
            lines.append("[b]Class vote: on[/b] — the class discusses and votes at each decision")
        lines.append("[dim]Enter to begin · c class vote on/off · Esc to go back[/dim]")
        about.update("\n".join(lines))

    # -- class vote mode --

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "classroom":
            return parameters[0] != self.game.classroom
        return True

    def action_classroom(self, on: bool) -> None:
        """Class vote on or off for the runs started here (and with it the projector theme)."""
        self.game.classroom = on
        self.refresh_bindings()
        title = "Choose a story for a class vote" if on else "Choose a story"
        self.query_one("#chooser-title", Static).update(title)
        stories = self.query_one("#stories", OptionList)
        if stories.highlighted is not None and self.entries:
            self.show(self.entries[stories.highlighted])
        self.notify(
            "Class vote on: the class discusses and votes at each decision."
            if on
            else "Class vote off.",
            timeout=3,
        )

    def commands(self) -> Iterable[SystemCommand]:
        on = self.game.classroom
        yield SystemCommand(
            "Class vote: turn off" if on else "Class vote: turn on",
            "The whole class plays one run on a projector and votes at each decision",
            lambda: self.action_classroom(not on),
        )
