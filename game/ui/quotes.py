"""Quotations from the record, set above a scene or an epilogue as epigraphs.

They are built as `Text` objects, never parsed as markup: a quotation is the record's words,
and a bracket in it is a bracket.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Static

from game.story.compiled import Quote


class Quotations(Vertical):
    """Each quotation in italics beside a rule, with who said it and where beneath it."""

    DEFAULT_CSS = """
    Quotations {
        height: auto;
        display: none;
    }
    Quotations > .quote {
        border-left: outer $secondary;
        padding: 0 1;
        margin-bottom: 1;
        height: auto;
    }
    """

    def __init__(self, quotes: Sequence[Quote] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.quotes = tuple(quotes)

    def compose(self) -> ComposeResult:
        self.display = bool(self.quotes)
        for quote in self.quotes:
            yield Static(_epigraph(quote), classes="quote")

    def show(self, quotes: Sequence[Quote]) -> None:
        """Replace the quotations (the play screen keeps one widget from scene to scene)."""
        quotes = tuple(quotes)
        if quotes == self.quotes:
            return
        self.quotes = quotes
        self.remove_children()
        self.display = bool(quotes)
        self.mount_all(Static(_epigraph(quote), classes="quote") for quote in quotes)


def _epigraph(quote: Quote) -> Text:
    body = Text(f"“{quote.text}”", style="italic")
    body.append(f"\n— {quote.attribution}", style="not italic dim")
    return body
