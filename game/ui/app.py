"""The Divergence application: screens, global keys, command palette, theme memory."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.events import Resize
from textual.screen import Screen

from game.saves.locations import default_player
from game.story.catalog import Catalog
from game.ui.projector import PROJECTOR, PROJECTOR_THEME

if TYPE_CHECKING:  # imported when first used: the title screen is drawn before pydantic loads
    from game.saves.files import SaveEntry, SaveFolder
    from game.story.catalog import Entry

MIN_WIDTH, MIN_HEIGHT = 60, 20


class DivergenceApp(App[int]):
    """Title, chooser, play, saves, endings: the game as players meet it."""

    TITLE = "Divergence"
    # title.tcss is the title screen's own; it is listed here because that screen is the app's
    # default screen, whose CSS_PATH Textual does not load
    CSS_PATH = ["app.tcss", "title.tcss"]
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (80, "-medium"), (120, "-wide")]
    BINDINGS = [
        Binding("question_mark", "help", "Help", key_display="?"),
        Binding("ctrl+q", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        catalog: Catalog,
        folder: SaveFolder | Path,
        player: str | None = None,
        story: str | None = None,
        seed: int | None = None,
        resume: SaveEntry | None = None,
        story_path: str | None = None,
        watch: bool = False,
        classroom: bool = False,
        vote_seconds: int | None = None,
        ask_name: bool = False,
    ) -> None:
        super().__init__()
        # --watch: a writer at work. The story is reloaded when its files change, and the
        # map shows every node, not only those the player has come to know. (Not `self.watch`:
        # that would hide Textual's DOMNode.watch() method.)
        self.watching = watch
        self.catalog = catalog
        self._folder = folder
        self.player = player  # asked for before the first run when not given
        self.start_story = story_path or story
        self.seed = seed
        self.resume = resume
        self._theme_loaded = False
        self._initial_theme = self.theme
        self._mounted = False  # resizes before on_mount would put the notice under the screens
        # class vote mode (game.ui.classroom): new runs are class runs; an optional countdown
        self.classroom = classroom
        self.vote_seconds = vote_seconds
        # a browser session of `divergence serve`: one of many students sharing the save
        # folder, so never the folder's last player or the server's user name; own saves only
        self.ask_name = ask_name
        self.register_theme(PROJECTOR_THEME)

    @property
    def folder(self) -> SaveFolder:
        """The save folder, opened on first use."""
        folder = self._folder
        if isinstance(folder, Path):
            from game.saves.files import SaveFolder

            # threads at start-up may both get here; each builds an equal folder from the path
            folder = SaveFolder(folder)
            self._folder = folder
        return folder

    # -- starting --

    def get_default_screen(self) -> Screen[Any]:
        # the title is the bottom screen itself: no empty default screen to lay out first
        from game.ui.title import TitleScreen

        return TitleScreen()

    def on_mount(self) -> None:
        self.load_theme()
        if self.resume is not None:
            self.load_entry(self.resume)
        elif self.start_story is not None:
            entry = self.catalog.find(self.start_story)
            self.begin(entry, seed=self.seed)
        self._mounted = True
        self.check_size(self.size.width, self.size.height)

    @work(thread=True, exclusive=True, group="theme")
    def load_theme(self) -> None:
        """Who played last and their theme, read in a thread while the first screen draws."""
        if self.player:
            self.folder.remember_player(self.player)
        player = self.player or (None if self.ask_name else self.folder.last_player())
        profile = self.folder.profile(player or default_player())
        self.call_from_thread(self.apply_theme, profile.theme, player)

    def apply_theme(self, theme: str, player: str | None = None) -> None:
        if player and not self.player:
            self.player = player
        # a theme the player chose while the profile was being read wins over the stored one
        if theme and theme in self.available_themes and self.theme == self._initial_theme:
            self.theme = theme
        self._theme_loaded = True

    def watch_theme(self, theme: str) -> None:
        if theme == PROJECTOR:  # put on by a class run: not the player's own choice
            return
        if self._theme_loaded or theme != self._initial_theme:
            profile = self.folder.profile(self.player or default_player())
            profile.theme = theme
            self.folder.save_profile(profile)

    # -- size --

    def on_resize(self, event: Resize) -> None:
        if self._mounted:
            self.check_size(event.size.width, event.size.height)

    def check_size(self, width: int, height: int) -> None:
        from game.ui.toosmall import TooSmallScreen

        small = width < MIN_WIDTH or height < MIN_HEIGHT
        showing = any(isinstance(screen, TooSmallScreen) for screen in self.screen_stack)
        if small and not showing:
            self.push_screen(TooSmallScreen(MIN_WIDTH, MIN_HEIGHT))
        elif not small and showing:
            # anything opened over the message (the command palette) closes with it
            while not isinstance(self.screen, TooSmallScreen):
                self.pop_screen()
            self.pop_screen()

    # -- what screens ask of the app --

    def ask_player(self, then: Callable[[], None]) -> None:
        """Make sure a player name is known, asking once, then call `then()`."""
        from game.ui.name import NameScreen

        if self.player:
            then()
            return

        def named(name: str | None) -> None:
            if name:
                self.player = name
                if not self.ask_name:
                    self.folder.remember_player(name)
                then()

        self.push_screen(NameScreen("" if self.ask_name else default_player()), named)

    def begin(self, entry: Entry, seed: int | None = None) -> None:
        """Start a new run of a story (after asking the player's name once)."""
        from game.ui.errors import StoryErrorScreen

        if entry.story is None:
            assert entry.error is not None
            self.push_screen(StoryErrorScreen(entry))
            return
        story = entry.story

        def start() -> None:
            import os

            from game.session import GameSession
            from game.ui.play import PlayScreen

            assert self.player is not None
            chosen = seed if seed is not None else int.from_bytes(os.urandom(6), "big")
            session = GameSession(story, self.folder, self.player, chosen)
            session.classroom = self.classroom
            self.push_screen(PlayScreen(session))

        self.ask_player(start)

    def load_entry(self, entry: SaveEntry) -> None:
        """Resume a save of any story, asking before resuming from a point that still fits."""
        from game.saves.errors import SaveError
        from game.session import GameSession
        from game.ui.dialogs import ConfirmScreen
        from game.ui.play import PlayScreen

        save = entry.save
        if save is None:
            self.notify(
                f"{entry.slot} cannot be loaded: {entry.problem}", severity="error", markup=False
            )
            return
        try:
            story_entry = self.catalog.find(save.story)
        except LookupError:
            self.notify(
                f"The story '{save.story}' of this save is not installed.",
                severity="error",
                markup=False,
            )
            return
        if story_entry.story is None:
            self.begin(story_entry)
            return
        try:
            session, resumed = GameSession.from_save(
                story_entry.story, self.folder, self.player or save.player, save
            )
        except SaveError as error:
            self.notify(f"Cannot load {entry.slot}: {error.reason}", severity="error", markup=False)
            return
        self.player = self.player or save.player
        session.classroom = session.classroom or self.classroom
        if resumed.fits:
            self.push_screen(PlayScreen(session))
            if resumed.changed:
                self.notify("The story was revised since this save; your path still fits.")
            return
        fitting = len(resumed.states) - 1
        point = f"decision {fitting}" if fitting else "the start"
        question = (
            f"The story has changed since '{entry.slot}' was saved: decision "
            f"{(resumed.broken_at or 0) + 1} no longer fits ({resumed.reason}).\n\n"
            f"Resume from {point}, the last point that still fits?"
        )

        def answer(yes: bool | None) -> None:
            if yes:
                self.push_screen(PlayScreen(session))

        self.push_screen(ConfirmScreen(question, "Resume", "Cancel"), answer)

    def visible_saves(self) -> list[SaveEntry]:
        """The saves this player may load: in a browser session only their own (the save
        folder is the whole class's), and none before they have given their name."""
        entries = self.folder.entries()
        if not self.ask_name:
            return entries
        return [e for e in entries if e.save is not None and e.save.player == self.player]

    def latest_save(self) -> SaveEntry | None:
        if self.ask_name:  # another student's save is not this one's to continue
            return next(iter(self.visible_saves()), None)
        return self.folder.latest()

    # -- actions and commands --

    def too_small(self) -> bool:
        from game.ui.toosmall import TooSmallScreen

        return any(isinstance(screen, TooSmallScreen) for screen in self.screen_stack)

    def action_command_palette(self) -> None:
        if not self.too_small():  # nothing opens over the "enlarge the terminal" notice
            super().action_command_palette()

    def action_help(self) -> None:
        from game.ui.help import HelpScreen

        if self.too_small():
            return
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_continue(self) -> None:
        latest = self.latest_save()
        if latest is None:
            self.notify("There is no saved game yet.")
        else:
            self.load_entry(latest)

    def action_gallery(self) -> None:
        from game.ui.gallery import GalleryScreen

        self.push_screen(GalleryScreen())

    def action_load(self) -> None:
        from game.ui.saves import LoadScreen

        self.push_screen(LoadScreen())

    def action_new_game(self) -> None:
        from game.ui.chooser import ChooserScreen

        self.push_screen(ChooserScreen())

    def action_main_menu(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Continue", "Carry on from the latest save", self.action_continue)
        yield SystemCommand("New game", "Choose a story and start it", self.action_new_game)
        yield SystemCommand("Load", "Load a saved game", self.action_load)
        yield SystemCommand("Endings", "The endings you have found", self.action_gallery)
        yield SystemCommand("Main menu", "Back to the title screen", self.action_main_menu)
        yield SystemCommand("Help", "Every key and what it does", self.action_help)
        extra = getattr(screen, "commands", None)
        if callable(extra):
            yield from extra()
