"""The dossier: what the story tracks in the open, as bars and values, and what just changed."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static

from game.presentation import bar
from game.session import GameSession

BAR = 10


class Dossier(Static):
    """Visible variables, with the latest decision's changes marked under them."""

    def show(self, session: GameSession) -> None:
        lines = ["[b]Dossier[/b]"]
        notes = session.change_notes()
        if notes:  # first, so that they are seen even when the bars run below the panel
            lines.extend(f"[$warning]{escape(note)}[/]" for note in notes)
            lines.append("")
        for reading in session.dossier():
            lines.append(escape(reading.label))
            if reading.fraction is not None:
                drawn = bar(reading.fraction, BAR, track="░", eighths=False)
                lines.append(f" [$accent]{drawn}[/] {escape(reading.value)}")
            else:
                lines.append(f" {escape(reading.value)}")
        self.update("\n".join(lines))
