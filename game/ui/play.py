"""The play screen: the scene, the choices, the dossier, the timeline, and history's note."""

from __future__ import annotations

from collections.abc import Iterable

from rich.markup import escape
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Key
from textual.widgets import Footer, Markdown, OptionList, Static
from textual.widgets.option_list import Option

from game.play.engine import ChoiceUnavailable, EngineError
from game.play.vote import VoteRecord
from game.session import GameSession
from game.ui.banner import banner
from game.ui.base import GameScreen
from game.ui.classroom import dress, open_vote, scene_banner
from game.ui.dossier import Dossier
from game.ui.quotes import Quotations
from game.ui.timeline import Timeline
from game.ui.watch import StoryWatch


class PlayScreen(GameScreen):
    CSS_PATH = ["play.tcss", "classroom.tcss"]  # the large layout of a class vote run
    BINDINGS = [
        Binding("u", "undo", "Undo"),
        Binding("s", "save", "Save"),
        Binding("l", "load", "Load", show=False),  # in ? Help and the palette: room for m Map
        Binding("d", "panel('dossier')", "Dossier"),
        Binding("t", "panel('timeline')", "Timeline"),
        Binding("h", "panel('note')", "History"),
        Binding("m", "map", "Map"),
        Binding("v", "vote", "Class vote"),  # classroom runs only: see check_action
        Binding("q", "quit", "Quit"),
        Binding("escape", "menu", "Menu", show=False),
        Binding("r", "refit", show=False),  # --watch, after a path break: see StoryWatch
    ]

    def __init__(self, session: GameSession) -> None:
        super().__init__()
        self.session = session

    def compose(self) -> ComposeResult:
        with Vertical(id="scene-head"):
            yield Static(id="scene-title")
            yield Static(id="scene-where")
        if self.game.watching:
            yield StoryWatch(self.session)
        with Horizontal(id="middle"):
            yield Timeline(id="timeline")
            with VerticalScroll(id="narrative"):
                yield Static(id="chapter")
                yield Static(id="warnings")
                yield Quotations(id="quotes")
                yield Markdown(id="text")
                with Vertical(id="note"):
                    yield Static("What really happened", classes="panel-title")
                    yield Markdown(id="note-text")
            yield Dossier(id="dossier")
        yield OptionList(id="choices")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        self.query_one("#note").display = False
        if self.session.classroom:
            dress(self)
        await self.refresh_scene()

    # -- showing --

    async def refresh_scene(self) -> None:
        """Show the current scene in one frame: the Markdown is parsed before anything shows."""
        session = self.session
        if session.over:
            self.show_ending()
            return
        with self.app.batch_update():
            await self._draw_scene()

    async def _draw_scene(self) -> None:
        session = self.session
        node = session.node()
        heading = session.title()
        title = f"[b]{escape(heading)}[/b]"
        if session.classroom:
            title = scene_banner(heading, self.app.size.width - 4)
        self.query_one("#scene-title", Static).update(title)
        where = " · ".join(part for part in (node.date, node.place) if part)
        viewpoint = session.viewpoint()
        who = f"You are {viewpoint}." if viewpoint else ""
        self.query_one("#scene-where", Static).update(
            escape(where) + ("\n" if where and who else "") + escape(who)
        )
        chapter = self.query_one("#chapter", Static)
        if node.chapter and session.first_visit():
            # measured from the screen: on the first scene the pane has no width yet
            width = self.app.size.width - (30 if self.query_one("#dossier").display else 4)
            chapter.update(banner(node.chapter, max(width, 20), ("small", "mini")))
            chapter.display = True
        else:
            chapter.display = False
        warnings = self.query_one("#warnings", Static)
        warnings.display = bool(node.content_warnings)
        warnings.update("Content warnings: " + escape(", ".join(node.content_warnings)))
        self.query_one(Quotations).show(session.quotes())
        await self.query_one("#text", Markdown).update(session.text())
        if self.query_one("#note").display:
            await self.show_note()
        choices = self.query_one("#choices", OptionList)
        choices.clear_options()
        for option in session.options():
            label = f"{option.number}. {escape(option.choice.label)}"
            if option.available:
                choices.add_option(Option(label, id=option.key))
            else:
                choices.add_option(
                    Option(
                        f"[dim]{label} — locked: {escape(option.reason or '')}[/dim]",
                        id=option.key,
                        disabled=True,
                    )
                )
        first = next((i for i, o in enumerate(session.options()) if o.available), None)
        choices.highlighted = first
        choices.focus()
        self.query_one("#narrative", VerticalScroll).scroll_home(animate=False)
        self.query_one(Dossier).show(session)
        self.query_one(Timeline).show(session)

    async def show_note(self) -> None:
        """The history note, built only when it is shown: most players keep it closed."""
        node = self.session.node()
        note = "\n\n".join(
            part
            for part in (
                node.history,
                f"**To discuss:** {node.discuss}" if node.discuss else "",
                ("**Sources:** " + "; ".join(node.sources)) if node.sources else "",
            )
            if part
        )
        await self.query_one("#note-text", Markdown).update(note or "_No note for this scene._")

    def show_ending(self) -> None:
        from game.ui.ending import EndingScreen

        self.app.clear_notifications()
        self.app.switch_screen(EndingScreen(self.session))

    # -- acting --

    async def take(self, key: str, vote: VoteRecord | None = None) -> None:
        if self.session.classroom and vote is None:
            self.action_vote()  # the class decides: discussion, then the vote
            return
        try:
            self.session.choose(key, vote)
        except (ChoiceUnavailable, EngineError) as error:
            self.notify(str(error), severity="error", markup=False)
            return
        notes = self.session.change_notes()
        if notes and not self.query_one("#dossier").display:
            # the dossier shows what changed at its top; when it is folded away, say it briefly
            self.notify("; ".join(notes), timeout=3, markup=False)
        await self.refresh_scene()

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            await self.take(event.option.id)

    async def on_key(self, event: Key) -> None:
        if event.character and event.character.isdigit() and event.character != "0":
            number = int(event.character)
            options = self.session.options()
            if number <= len(options):
                event.stop()
                option = options[number - 1]
                if option.available:
                    await self.take(option.key)
                else:
                    self.notify(f"Locked: {option.reason}", severity="warning", markup=False)

    def action_undo(self) -> None:
        # acts at once (the palette calls actions synchronously); the redraw follows
        if self.session.undo():
            self.notify("Taken back.")
            self.call_later(self.refresh_scene)
        else:
            self.notify("This is the start of the story: nothing to undo.")

    def action_save(self) -> None:
        from game.ui.saves import SaveScreen

        self.app.push_screen(SaveScreen(self.session))

    def action_load(self) -> None:
        self.game.action_load()

    def action_map(self) -> None:
        from game.ui.map import MapScreen

        self.app.push_screen(MapScreen(self.session))

    def action_panel(self, panel: str) -> None:
        widget = self.query_one(f"#{panel}")
        widget.display = not widget.display
        if panel == "note" and widget.display:
            self.call_later(self.show_note)
            self.call_after_refresh(widget.scroll_visible)

    def action_vote(self) -> None:
        open_vote(self)

    def action_menu(self) -> None:
        self.game.action_main_menu()

    def action_quit(self) -> None:
        self.app.exit(0)

    # -- live reload (--watch) --

    async def on_story_watch_revised(self, message: StoryWatch.Revised) -> None:
        """The story was edited: carry on in the new version, redrawn where the reader was."""
        narrative = self.query_one("#narrative", VerticalScroll)
        scrolled = narrative.scroll_y
        self.session.adopt(message.story, message.states, message.engine)
        await self.refresh_scene()
        if not self.session.over:
            self.call_after_refresh(narrative.scroll_to, y=scrolled, animate=False)
            self.notify(message.note, markup=False)

    def action_refit(self) -> None:
        for watch in self.query(StoryWatch):
            watch.refit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "vote":
            return self.session.classroom
        if action == "refit":  # only when a path break offers a restart
            return any(watch.pending is not None for watch in self.query(StoryWatch))
        return True

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Undo", "Take back the last decision", self.action_undo)
        yield SystemCommand("Save", "Save the game under a name", self.action_save)
        yield SystemCommand(
            "Toggle dossier", "Show or hide the dossier", lambda: self.action_panel("dossier")
        )
        yield SystemCommand(
            "Toggle timeline",
            "Show or hide the decisions so far",
            lambda: self.action_panel("timeline"),
        )
        yield SystemCommand(
            "Toggle history note", "What really happened here", lambda: self.action_panel("note")
        )
        yield SystemCommand(
            "Map", "The story's places: where you are and where you have been", self.action_map
        )
        if self.check_action("refit", ()):
            yield SystemCommand(
                "Restart revised story",
                "Restart the edited story from the last point your path still fits",
                self.action_refit,
            )
