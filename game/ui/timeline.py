"""The timeline: the decisions taken so far, with their dates."""

from __future__ import annotations

from rich.markup import escape
from textual.widgets import Static

from game.session import GameSession


class Timeline(Static):
    def show(self, session: GameSession) -> None:
        lines = ["[b]Timeline[/b]"]
        decisions = session.decisions()
        if not decisions:
            lines.append("[dim]No decisions yet.[/dim]")
        for decision in decisions:
            when = f"[dim]{escape(decision.date)}[/dim]\n" if decision.date else ""
            lines.append(f"{when}{decision.number}. {escape(decision.taken)}")
        self.update("\n".join(lines))
