"""Live reload for writers (`divergence play STORY --watch`), with no interface in it.

`StoryWatcher` notices when a story's files change: it keeps the size and modification
time of each file `story_files` lists (so a file added to or removed from a story folder
counts too), and each check is a handful of `stat` calls. `reload` then loads the story
again and replays the run's path on it. Its answer is one of three:

* ok: the new story and the states of the path replayed on it, to carry on from;
* errors: the new version does not load (the `file:line: message` problems); the game
  keeps playing the last good version;
* a path break: the new version loads, but the path taken so far no longer fits it (at
  decision `broken_at + 1`, for `reason`). The game keeps playing the last good version,
  and the states that still fit are kept in the answer, so that the writer can choose to
  restart the new version from the last point that fits (the `r` key on the play screen,
  or "Restart revised story" in the command palette). This is offered, not done: a writer
  who removed a choice by mistake should not lose their place for it.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from game.play.engine import Engine, GameState, Step
from game.play.replay import Replay, replay
from game.story.compiled import Story
from game.story.loader import load_story, story_files
from game.story.problems import StoryError

Stamp = tuple[int, int] | None  # (mtime_ns, size), or None for a listed file that is missing


def stamps(path: Path) -> dict[Path, Stamp]:
    """The files of the story at `path` with their modification time and size."""
    found: dict[Path, Stamp] = {}
    for file in story_files(path):
        try:
            info = os.stat(file)
        except OSError:  # gone, or not readable: the loader will say which
            found[file] = None
        else:
            found[file] = (info.st_mtime_ns, info.st_size)
    return found


class StoryWatcher:
    """Tells whether the files of a story have changed since it last looked."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._stamps = stamps(self.path)
        self.changes: tuple[str, ...] = ()  # the files found changed by the last `changed()`

    def changed(self) -> bool:
        """Whether any file changed, appeared or went since the last look (each change is
        reported once); the names of those files are left in `changes`."""
        now = stamps(self.path)
        if now == self._stamps:
            return False
        before = self._stamps
        self._stamps = now
        differ = {file for file in before.keys() | now.keys() if before.get(file) != now.get(file)}
        self.changes = tuple(sorted(self.name(file) for file in differ))
        return True

    def name(self, file: Path) -> str:
        """A file as a writer calls it: relative to the story folder, or its own name."""
        if self.path.is_dir():
            try:
                return file.relative_to(self.path).as_posix()
            except ValueError:
                pass
        return file.name


@dataclass(frozen=True)
class Reloaded:
    """What came of reloading a story and replaying a path on it."""

    seed: int
    path: tuple[Step, ...]  # the path that was replayed
    changed: tuple[str, ...] = ()  # the files that changed, as the watcher named them
    story: Story | None = None  # the new version, when it loaded
    engine: Engine | None = None
    replayed: Replay = field(default_factory=lambda: Replay([]))  # the path on the new version
    problems: tuple[str, ...] = ()  # why the new version does not load, `file:line: message`

    @property
    def states(self) -> list[GameState]:
        return self.replayed.states

    @property
    def broken_at(self) -> int | None:
        return self.replayed.broken_at

    @property
    def reason(self) -> str:
        return self.replayed.reason

    @property
    def ok(self) -> bool:
        return self.story is not None and not self.problems and self.replayed.fits

    @property
    def fitting(self) -> int:
        """How many decisions of the path still fit the new version."""
        return self.replayed.fitting

    def summary(self) -> str:
        """One plain line saying what happened, for a notification or plain mode."""
        files = ", ".join(self.changed) or "none"
        if self.ok:
            return f"Reloaded story (files: {files})."
        if self.problems:
            count = len(self.problems)
            return (
                f"The edited story has {count} error{'s' if count != 1 else ''}; "
                "still playing the last good version."
            )
        assert self.broken_at is not None
        return (
            f"The edited story no longer fits your path at decision {self.broken_at + 1} "
            f"({self.reason}); still playing the last good version."
        )


def reload(
    path: str | Path, seed: int, path_steps: Sequence[Step], changed: Sequence[str] = ()
) -> Reloaded:
    """Load the story at `path` again and replay `path_steps` from `seed` on it."""
    steps = tuple(path_steps)
    files = tuple(changed)
    try:
        story = load_story(path)
    except StoryError as error:
        return Reloaded(seed, steps, files, problems=tuple(str(p) for p in error.problems))
    engine = Engine(story)
    replayed = replay(engine, seed, steps, changed=True)
    if not replayed.started:  # not even the start can be reached with this seed
        cannot = f"{path}: the story cannot start: {replayed.reason}"
        return Reloaded(seed, steps, files, problems=(cannot,))
    return Reloaded(seed, steps, files, story, engine, replayed)


def fit_point(fitting: int) -> str:
    """Where a restart after a path break begins, in words."""
    return f"decision {fitting}" if fitting else "the start"


class LiveReload:
    """Live reload over one run, for every front: which changed files are not yet applied,
    the path break on offer for a restart, and when to reload again."""

    def __init__(self, watcher: StoryWatcher) -> None:
        self.watcher = watcher
        self.pending: Reloaded | None = None  # a path break, offering a restart where it fits
        self.unapplied: set[str] = set()  # files changed since the last version adopted

    def due(self, path: Sequence[Step]) -> bool:
        """Whether to reload now: the files changed, or, after a path break, the player has
        gone back or elsewhere since, so that the path now taken may fit the edited version."""
        if self.watcher.changed():
            self.unapplied.update(self.watcher.changes)
            return True
        return self.pending is not None and self.pending.path != tuple(path)

    def reload(self, root: str | Path, seed: int, path: Sequence[Step]) -> Reloaded:
        """Reload and replay (safe in a worker thread: it changes nothing here)."""
        return reload(root, seed, path, sorted(self.unapplied))

    def settle(self, result: Reloaded) -> None:
        """Take in what a reload came to; a result that fits is the front's to adopt."""
        if result.ok or result.problems:
            self.pending = None
        else:
            self.pending = result
        if result.ok:
            self.unapplied.clear()

    def refit(self) -> Reloaded | None:
        """The path break on offer, to restart the edited version from; None if there is none."""
        result = self.pending
        if result is None or result.story is None:
            return None
        self.adopted()
        return result

    def adopted(self) -> None:
        """A new version is in play: nothing is pending or unapplied any more."""
        self.pending = None
        self.unapplied.clear()
