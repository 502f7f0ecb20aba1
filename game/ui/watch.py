"""Live reload on the play screen (`divergence play STORY --watch`), for writers.

`StoryWatch` sits under the scene's heading. Twice a second it asks a `StoryWatcher`
whether the story's files changed (a few `stat` calls); when they did, it reloads the
story and replays the path in a worker thread, so a big story never freezes the screen.
A new version that fits the path is handed to the play screen in a `StoryWatch.Revised`
message, which the screen adopts and redraws in place. A version that does not load, or
that the path no longer fits, is not used: the widget shows why as a banner, over the
last good version, which keeps playing, and hides again at the next good reload. After a
path break the writer may restart the edited version from the last point that still fits
(`refit`, the play screen's `r` key and a command in the palette).
"""

from __future__ import annotations

from functools import partial
from weakref import WeakKeyDictionary

from rich.text import Text
from textual.message import Message
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from game.play.engine import Engine, GameState
from game.session import GameSession
from game.story.compiled import Story
from game.writer.reload import LiveReload, Reloaded, StoryWatcher, fit_point

POLL_SECONDS = 0.5
MAX_PROBLEMS = 6  # problems listed in the banner; `divergence check` lists them all

# One watcher per session, not per screen: edits made while the ending screen is up are
# seen by the play screen that a rewind opens on the same session.
_watchers: WeakKeyDictionary[GameSession, StoryWatcher] = WeakKeyDictionary()


def watcher_for(session: GameSession) -> StoryWatcher:
    watcher = _watchers.get(session)
    if watcher is None or str(watcher.path) != session.story.root:
        watcher = _watchers[session] = StoryWatcher(session.story.root)
    return watcher


class StoryWatch(Static):
    """Watches the story's files; a banner saying why, when an edit cannot be used."""

    DEFAULT_CSS = """
    StoryWatch {
        display: none;
        height: auto;
        padding: 0 1;
        background: $error 20%;
        border-left: outer $error;
        color: $text;
    }
    """

    class Revised(Message):
        """A version of the story to carry on in, with the run's states replayed on it."""

        def __init__(
            self, story: Story, states: list[GameState], engine: Engine | None, note: str
        ) -> None:
            super().__init__()
            self.story = story
            self.states = states
            self.engine = engine
            self.note = note  # what to tell the writer, plain text

    def __init__(self, session: GameSession) -> None:
        super().__init__(id="reload-banner", markup=False)  # story text is never markup
        self.session = session
        self.live = LiveReload(watcher_for(session))  # the rules; this widget shows them
        self.reloading = False
        self.again = False  # reload at the next look even if no file changed

    def on_mount(self) -> None:
        self.set_interval(POLL_SECONDS, self.poll)

    # -- looking --

    def poll(self) -> None:
        """Reload when the files changed, or when the path moved on under a path break."""
        if self.reloading or not self.screen.is_active:
            return  # a dialog or the palette is open: look again when the screen is back
        state = self.session.state
        if not self.live.due(state.path) and not self.again:
            return
        self.again = False
        self.reloading = True
        work = partial(self.live.reload, self.session.story.root, state.seed, state.path)
        self.run_worker(work, group="reload", thread=True, exit_on_error=False)

    @property
    def pending(self) -> Reloaded | None:
        """The path break on offer for a restart (the play screen's `r`)."""
        return self.live.pending

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "reload" or not event.worker.is_finished:
            return
        self.reloading = False
        if event.state == WorkerState.SUCCESS and isinstance(event.worker.result, Reloaded):
            self.settle(event.worker.result)
        elif event.state == WorkerState.ERROR:  # a bug of ours: said, never a traceback
            error = event.worker.error
            self.live.pending = None
            self.show(
                "The edited story could not be reloaded; still playing the last good version.",
                [f"{type(error).__name__}: {error}"],
            )

    def settle(self, result: Reloaded) -> None:
        state = self.session.state
        if (result.seed, result.path) != (state.seed, state.path) or not self.screen.is_active:
            self.again = True  # the player moved on meanwhile: replay the path as it is now
            return
        self.live.settle(result)
        if result.ok:
            assert result.story is not None
            self.display = False
            self.post_message(
                self.Revised(result.story, result.states, result.engine, result.summary())
            )
        elif result.problems:
            shown = list(result.problems[:MAX_PROBLEMS])
            if len(result.problems) > MAX_PROBLEMS:
                more = len(result.problems) - MAX_PROBLEMS
                shown.append(f"... and {more} more: run 'divergence check' to see them all")
            self.show(result.summary(), shown)
        else:
            self.show(
                result.summary(),
                [
                    f"Press r to restart the edited version from {fit_point(result.fitting)}, "
                    "the last point that still fits, or go back (u) to a point before it."
                ],
            )
        self.screen.refresh_bindings()

    def show(self, headline: str, lines: list[str]) -> None:
        self.update(Text.assemble((headline, "bold"), *(("\n" + line) for line in lines)))
        self.display = True

    # -- restarting after a path break --

    def refit(self) -> bool:
        """Restart the edited version from the last point that fits; False if none is offered."""
        result = self.live.refit()
        if result is None or result.story is None:
            return False
        self.display = False
        note = f"Restarted the edited story from {fit_point(result.fitting)}."
        self.post_message(self.Revised(result.story, result.states, result.engine, note))
        self.screen.refresh_bindings()
        return True
