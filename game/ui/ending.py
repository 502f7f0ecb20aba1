"""The ending: its title as a banner, the epilogue, history's version, your decisions
against history's, the final dossier, and whether the ending is new."""

from __future__ import annotations

from collections.abc import Iterable

from rich.markup import escape
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Footer, Markdown, Static

from game.session import GameSession
from game.ui.banner import banner
from game.ui.base import GameScreen
from game.ui.quotes import Quotations


def decisions_table(session: GameSession) -> str:
    rows = ["| # | Date | Your decision | History | |", "|---|---|---|---|---|"]
    for decision in session.decisions():
        history = decision.history or "—"
        cells = [str(decision.number), decision.date, decision.taken, history, decision.verdict]
        rows.append("| " + " | ".join(cell.replace("|", "/") for cell in cells) + " |")
    return "\n".join(rows)


class EndingScreen(GameScreen):
    CSS_PATH = "ending.tcss"
    BINDINGS = [
        Binding("r", "rewind", "Rewind"),
        Binding("n", "new_game", "New game"),
        Binding("m", "menu", "Main menu"),
        Binding("x", "transcript", "Transcript"),
        Binding("escape", "menu", "Main menu", show=False),
        Binding("q", "app.quit", "Quit"),
    ]

    def __init__(self, session: GameSession) -> None:
        super().__init__()
        self.session = session
        self.unlocked = session.unlock()

    def compose(self) -> ComposeResult:
        ending = self.session.ending()
        assert ending is not None
        with VerticalScroll(id="ending"):
            yield Static(id="ending-banner")
            details = " · ".join(part for part in (ending.date, ending.place) if part)
            yield Static(f"[dim]{escape(details)}[/dim]" if details else "", id="ending-where")
            if self.unlocked.new:
                yield Static(
                    f"Ending unlocked: {self.unlocked.found} of {self.unlocked.total}",
                    id="unlocked",
                )
            else:
                yield Static(
                    f"Endings found: {self.unlocked.found} of {self.unlocked.total}",
                    id="unlocked",
                    classes="hint",
                )
            if ending.content_warnings:
                yield Static(
                    "Content warnings: " + escape(", ".join(ending.content_warnings)), id="warnings"
                )
            yield Quotations(self.session.quotes(), id="quotes")
            yield Markdown(self.session.text(), id="epilogue")
            if ending.history:
                yield Static("What really happened", classes="panel-title")
                yield Markdown(ending.history, id="history")
            yield Static("Your decisions and history's", classes="panel-title")
            yield Markdown(decisions_table(self.session), id="decisions")
            yield Static("The final dossier", classes="panel-title")
            yield Static(self.final_dossier(), id="final-dossier")
            yield Static(
                "r rewind the last decision · n new game · m main menu · "
                "x write the transcript (Markdown and HTML)",
                classes="hint",
            )
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.show_banner()

    def on_resize(self) -> None:
        self.show_banner()

    def show_banner(self) -> None:
        ending = self.session.ending()
        if ending is not None:
            self.query_one("#ending-banner", Static).update(
                banner(ending.title, self.size.width - 4)
            )

    def final_dossier(self) -> str:
        return "\n".join(f"{escape(r.label)}: {escape(r.value)}" for r in self.session.dossier())

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Rewind", "Take back the last decision", self.action_rewind)
        yield SystemCommand("Map", "The story's places, and the way you came", self.action_map)
        yield SystemCommand(
            "Transcript",
            "Write this run's transcript, Markdown and HTML, to the save folder",
            self.action_transcript,
        )

    def action_rewind(self) -> None:
        from game.ui.play import PlayScreen

        if self.session.undo():
            self.app.switch_screen(PlayScreen(self.session))

    def action_transcript(self) -> None:
        """Write the run's transcript beside the saves: transcripts/<autosave slot>.md, .html."""
        from game.classroom.transcript import build_transcript, write_transcripts

        session = self.session
        try:
            transcript = build_transcript(session.story, session.save_file())
            markdown, page = write_transcripts(
                transcript, session.folder.folder, session.autosave_slot
            )
        except OSError as error:
            self.notify(
                f"Could not write the transcript: {error.strerror or error}",
                severity="error",
                markup=False,
            )
            return
        self.notify(
            f"Transcript written to {page} (and {markdown.name} beside it)",
            title="Transcript",
            markup=False,
            timeout=10,
        )

    def action_map(self) -> None:
        from game.ui.map import MapScreen

        self.app.push_screen(MapScreen(self.session))

    def action_new_game(self) -> None:
        self.game.action_main_menu()
        self.game.action_new_game()

    def action_menu(self) -> None:
        self.game.action_main_menu()
