"""Saving under a name, and loading any save (damaged ones listed, never crashing)."""

from __future__ import annotations

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from game.saves.errors import SaveError, SlotNameError
from game.saves.files import SaveEntry
from game.session import GameSession
from game.ui.base import GameModal, GameScreen


def describe(entry: SaveEntry) -> str:
    if entry.save is None:
        return f"[b]{escape(entry.slot)}[/b]  [$error]{escape(entry.problem)}[/]"
    save = entry.save
    when = save.saved.astimezone().strftime("%Y-%m-%d %H:%M")
    date = f", {escape(save.date)}" if save.date else ""
    name = "Autosave" if entry.slot.startswith("auto-") else entry.slot
    return (
        f"[b]{escape(name)}[/b] · {escape(save.story_title or save.story)}\n"
        f"   {escape(save.node_title)}{date}\n"
        f"   [dim]{escape(save.player)} · saved {when}[/dim]"
    )


class SaveScreen(GameModal):
    CSS_PATH = "dialogs.tcss"
    BINDINGS = [("escape", "app.pop_screen", "Cancel")]

    def __init__(self, session: GameSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Save the game", classes="panel-title")
            yield Static(
                "A name of letters, digits, spaces, - _ and . (the game also saves "
                "automatically after every decision).",
                classes="hint",
            )
            yield Input(placeholder="slot name", max_length=64, id="slot")
            yield Static(id="save-error")
            yield Static("Enter to save · Esc to cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        try:
            self.session.save(event.value)
        except (SlotNameError, SaveError) as error:
            self.query_one("#save-error", Static).update(f"[$error]{escape(str(error))}[/]")
            return
        self.app.notify(f"Saved as '{event.value.strip()}'.", markup=False)
        self.dismiss()


class LoadScreen(GameScreen):
    CSS_PATH = "saves.tcss"
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("delete,x", "delete", "Delete"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("Load a saved game", classes="panel-title", id="load-title")
        yield OptionList(id="slots")
        yield Static("Enter to load · x or Delete to delete · Esc to go back", classes="hint")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.fill()

    def fill(self) -> None:
        slots = self.query_one("#slots", OptionList)
        slots.clear_options()
        self.entries = self.game.visible_saves()
        if not self.entries:
            slots.add_option(Option("[dim]No saves yet.[/dim]", disabled=True))
        for index, entry in enumerate(self.entries):
            slots.add_option(Option(describe(entry), id=str(index)))
        if self.entries:
            slots.highlighted = 0  # the newest save, ready for Enter
        slots.focus()

    def chosen(self) -> SaveEntry | None:
        slots = self.query_one("#slots", OptionList)
        if slots.highlighted is None or not self.entries:
            return None
        option = slots.get_option_at_index(slots.highlighted)
        return self.entries[int(option.id)] if option.id is not None else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is None:
            return
        entry = self.entries[int(event.option.id)]
        if entry.save is None:
            self.notify(
                f"'{entry.slot}' cannot be loaded: {entry.problem}", severity="error", markup=False
            )
            return
        self.app.pop_screen()
        self.game.load_entry(entry)

    def action_delete(self) -> None:
        from game.ui.dialogs import ConfirmScreen

        entry = self.chosen()
        if entry is None:
            return

        def answer(yes: bool | None) -> None:
            if yes:
                try:
                    entry.path.unlink()
                except OSError as error:
                    self.notify(f"Could not delete it: {error}", severity="error", markup=False)
                self.fill()

        self.app.push_screen(
            ConfirmScreen(f"Delete the save '{entry.slot}'? This cannot be undone."), answer
        )
