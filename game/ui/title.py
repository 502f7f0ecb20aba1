"""The title screen: the game's name as a banner that fits, and the main menu."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.markup import escape
from textual import work
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from game.ui.banner import banner
from game.ui.base import GameScreen

if TYPE_CHECKING:
    from game.saves.files import SaveEntry

SUBTITLE = "Turning points of Soviet history, 1939-1949. You decide."


class TitleScreen(GameScreen):
    # styled by title.tcss beside this file, loaded through the app (see DivergenceApp.CSS_PATH)
    BINDINGS = [("q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            with Center():
                yield Static(id="banner")
            yield Static(SUBTITLE, id="subtitle")
            with Center():
                yield OptionList(id="menu")
        yield Footer(compact=True)

    def on_screen_resume(self) -> None:
        # also runs when the screen is first shown, so the menu is built once at start-up
        self.refresh_menu()

    def on_resize(self) -> None:
        self.query_one("#banner", Static).update(banner("Divergence", self.size.width - 4))

    def refresh_menu(self) -> None:
        self.query_one("#banner", Static).update(banner("Divergence", self.size.width - 4))
        menu = self.query_one("#menu", OptionList)
        menu.clear_options()
        menu.add_option(Option("Continue", id="continue", disabled=True))
        for ident, label in (
            ("new", "New game"),
            ("load", "Load"),
            ("endings", "Endings"),
            ("help", "Help"),
            ("quit", "Quit"),
        ):
            menu.add_option(Option(label, id=ident))
        menu.highlighted = 1
        menu.focus()
        # Reading the saves (and importing pydantic for it) is the slowest part of start-up:
        # a thread does it while the menu already answers keys.
        self.find_continue()

    @work(thread=True, exclusive=True, group="continue")
    def find_continue(self) -> None:
        latest = self.game.latest_save()
        self.app.call_from_thread(self.show_continue, latest)

    def show_continue(self, latest: SaveEntry | None) -> None:
        menu = self.query_one("#menu", OptionList)
        if latest is not None and latest.save is not None:
            where = latest.save.story_title or latest.save.story
            label = f"Continue   [dim]{escape(where)}: {escape(latest.save.node_title)}[/]"
            menu.replace_option_prompt("continue", label)
            menu.enable_option("continue")
            if menu.highlighted == 1:
                menu.highlighted = 0
        else:
            menu.replace_option_prompt("continue", "Continue   [dim]no saved game yet[/]")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        app = self.game
        choice = event.option.id
        if choice == "continue":
            latest = app.latest_save()
            if latest is not None:
                app.load_entry(latest)
        elif choice == "new":
            app.action_new_game()
        elif choice == "load":
            app.action_load()
        elif choice == "endings":
            app.action_gallery()
        elif choice == "help":
            app.action_help()
        elif choice == "quit":
            app.exit(0)
