"""Finding stories: the bundled ones plus any folders the player names."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from game.story.locations import MAIN_FILE, bundled_stories
from game.story.problems import StoryError

if TYPE_CHECKING:
    from game.story.compiled import Story


class UnknownStory(LookupError):
    """No story has the id or path the player gave."""

    def __str__(self) -> str:
        return str(self.args[0])


@dataclass
class Entry:
    """A story found on disk: loaded, or with the errors that stop it loading."""

    path: Path
    id: str
    story: Story | None = None
    error: StoryError | None = None

    @property
    def title(self) -> str:
        return self.story.title if self.story else self.id


def _candidates(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = []
    for item in sorted(folder.iterdir()):
        if item.name.startswith((".", "_")):
            continue
        if (item.is_dir() and (item / MAIN_FILE).is_file()) or (
            item.is_file() and item.suffix == ".toml"
        ):
            found.append(item)
    return found


def _declared_id(path: Path) -> str:
    """The id in the [story] table, read cheaply; the file name when it cannot be read."""
    main = path / MAIN_FILE if path.is_dir() else path
    try:
        with main.open("rb") as stream:
            story_id = tomllib.load(stream).get("story", {}).get("id")
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError, AttributeError, RecursionError):
        story_id = None
    return story_id if isinstance(story_id, str) else path.stem


class Catalog:
    """Every story in the bundled folder and the extra folders, loaded on first use."""

    def __init__(self, extra: Iterable[Path] = (), include_bundled: bool = True) -> None:
        folders = [bundled_stories()] if include_bundled else []
        folders.extend(Path(folder) for folder in extra)
        self.folders = folders
        self._entries: list[Entry] | None = None

    def entries(self) -> list[Entry]:
        if self._entries is None:
            entries = []
            for folder in self.folders:
                for path in _candidates(folder):
                    entries.append(self._load(path))
            self._entries = entries
        return self._entries

    @staticmethod
    def _load(path: Path) -> Entry:
        # imported here: the loader (and pydantic) are not needed to draw the title screen
        from game.story.loader import load_story

        try:
            story = load_story(path)
        except StoryError as error:
            return Entry(path, _declared_id(path), None, error)
        return Entry(path, story.id, story)

    def find_id(self, story_id: str) -> Entry | None:
        """The story whose [story] table declares `story_id`, never taken as a path (for ids
        read from saves). Loads only the files that declare it, unless all are loaded."""
        if self._entries is not None:
            matches = [entry for entry in self._entries if entry.id == story_id]
        else:
            matches = [
                self._load(path)
                for folder in self.folders
                for path in _candidates(folder)
                if _declared_id(path) == story_id
            ]
        playable = [entry for entry in matches if entry.story is not None]
        return (playable or matches)[0] if matches else None

    def find(self, name: str) -> Entry:
        """A story by id, or by the path of its file or folder. Raises UnknownStory if missing.

        A name is taken as a path only when it looks like one (a separator, a .toml ending, or
        a folder with a story.toml), so a stray folder called `june22` cannot hide the story.
        """
        path = Path(name).expanduser()
        looks_like_path = (
            "/" in name
            or os.sep in name
            or name.endswith(".toml")
            or (path.is_dir() and (path / MAIN_FILE).is_file())
        )
        if looks_like_path and path.exists():
            return self._load(path)
        matches = [entry for entry in self.entries() if entry.id == name]
        playable = [entry for entry in matches if entry.story is not None]
        if playable or matches:
            return (playable or matches)[0]
        known = ", ".join(entry.id for entry in self.entries()) or "none"
        raise UnknownStory(f"no story called '{name}' and no such file (stories found: {known})")
