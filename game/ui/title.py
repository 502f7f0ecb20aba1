"""The title screen: the game's name as a banner that fits, and the main menu."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.containers import Center, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from game.ui.banner import banner

SUBTITLE = "Turning points of Soviet history, 1939-1949. You decide."


class TitleScreen(Screen[None]):
    CSS_PATH = "title.tcss"
    BINDINGS = [("q", "app.quit", "Quit")]

    def compose(self) -> ComposeResult:
        with Vertical(id="title-box"):
            with Center():
                yield Static(id="banner")
            yield Static(SUBTITLE, id="subtitle")
            with Center():
                yield OptionList(id="menu")
        yield Footer()

    def on_screen_resume(self) -> None:
        # also runs when the screen is first shown, so the menu is built once at start-up
        self.refresh_menu()

    def on_resize(self) -> None:
        self.query_one("#banner", Static).update(banner("Divergence", self.size.width - 4))

    def refresh_menu(self) -> None:
        self.query_one("#banner", Static).update(banner("Divergence", self.size.width - 4))
        menu = self.query_one("#menu", OptionList)
        menu.clear_options()
        latest = self.app.latest_save()  # type: ignore[attr-defined]
        if latest is not None and latest.save is not None:
            where = latest.save.story_title or latest.save.story
            menu.add_option(
                Option(
                    f"Continue   [dim]{escape(where)}: {escape(latest.save.node_title)}[/]",
                    id="continue",
                )
            )
        else:
            menu.add_option(
                Option("Continue   [dim]no saved game yet[/]", id="continue", disabled=True)
            )
        for ident, label in (
            ("new", "New game"),
            ("load", "Load"),
            ("endings", "Endings"),
            ("help", "Help"),
            ("quit", "Quit"),
        ):
            menu.add_option(Option(label, id=ident))
        menu.highlighted = 0 if latest is not None and latest.save is not None else 1
        menu.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        app = self.app
        choice = event.option.id
        if choice == "continue":
            latest = app.latest_save()  # type: ignore[attr-defined]
            if latest is not None:
                app.load_entry(latest)  # type: ignore[attr-defined]
        elif choice == "new":
            app.action_new_game()  # type: ignore[attr-defined]
        elif choice == "load":
            app.action_load()  # type: ignore[attr-defined]
        elif choice == "endings":
            app.action_gallery()  # type: ignore[attr-defined]
        elif choice == "help":
            app.action_help()  # type: ignore[attr-defined]
        elif choice == "quit":
            app.exit(0)
