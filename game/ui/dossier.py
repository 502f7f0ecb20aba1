"""The dossier: what the story tracks in the open, as bars and values, and what just changed."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static

from game.session import GameSession

BAR = 10


class Dossier(Static):
    """Visible variables, with the latest decision's changes marked under them."""

    def show(self, session: GameSession) -> None:
        lines = ["[b]Dossier[/b]"]
        for reading in session.dossier():
            lines.append(escape(reading.label))
            if reading.fraction is not None:
                filled = round(reading.fraction * BAR)
                bar = "█" * filled + "░" * (BAR - filled)
                lines.append(f" [$accent]{bar}[/] {escape(reading.value)}")
            else:
                lines.append(f" {escape(reading.value)}")
        notes = session.change_notes()
        if notes:
            lines.append("")
            lines.append("[b]Last decision[/b]")
            lines.extend(f" [$warning]{escape(note)}[/]" for note in notes)
        self.update("\n".join(lines))
