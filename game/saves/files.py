"""Saves and player profiles: TOML files written atomically in the save folder.

A save holds what is needed to replay the run exactly (story id and version, a
fingerprint of the story's files, the seed and the path) plus a snapshot of the
state, so a save can be listed and described without loading its story. A
damaged or foreign file is reported and never overwritten or deleted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from game.play.engine import Engine, GameState, Step
from game.play.replay import Replay, replay
from game.play.vote import VoteRecord
from game.saves.errors import SaveError, SlotNameError
from game.story.compiled import Story

SAVE_KIND = "divergence-save"
PROFILE_KIND = "divergence-profile"
SAVE_FORMAT = 1
SUFFIX = ".toml"
PROFILES = "profiles"
LAST_PLAYER = "last-player.txt"
MAX_SAVE_BYTES = 4 * 1024 * 1024

_SLOT = re.compile(r"^[^\W_][\w .-]{0,63}$")
_RESERVED = {
    "con",
    "prn",
    "aux",
    "nul",
    *(f"com{i}" for i in range(10)),
    *(f"lpt{i}" for i in range(10)),
}


def check_slot(name: str) -> str:
    """Return the slot name if it is safe as a file name in the save folder, else raise."""
    name = unicodedata.normalize("NFC", name.strip())
    if not name:
        raise SlotNameError("a save needs a name")
    if "/" in name or "\\" in name or "\0" in name:
        raise SlotNameError(
            f"'{name}' contains a path separator; use letters, digits, spaces, - _ ."
        )
    if ".." in name:
        raise SlotNameError(f"'{name}' contains '..'; use letters, digits, spaces, - _ .")
    if name.lower().endswith(SUFFIX):
        raise SlotNameError(f"'{name}': leave out '{SUFFIX}'; the game adds it")
    if not _SLOT.match(name) or name.endswith((".", " ")):
        raise SlotNameError(
            f"'{name}' is not a usable save name: up to 64 letters, digits, spaces, - _ and ., "
            "starting with a letter or digit"
        )
    if name.split(".")[0].lower() in _RESERVED:
        raise SlotNameError(f"'{name}' is a reserved device name on Windows; choose another")
    return name


def check_named_slot(name: str) -> str:
    """A slot the player names: a safe name that is not one of the autosaves'."""
    name = check_slot(name)
    if name.lower().startswith("auto-"):
        raise SlotNameError("names starting with 'auto-' are kept for the autosaves")
    return name


def slug(text: str, length: int = 40) -> str:
    """A file-name-safe form of a player's name or story id, at most `length` characters."""
    text = unicodedata.normalize("NFC", text.strip())
    cleaned = re.sub(r"[^\w-]+", "-", text).strip("-_").lower()
    return cleaned[:length].strip("-_") or "player"


def name_key(text: str) -> str:
    """The slug plus a short hash of the exact name, so 'Anna' and 'anna' stay apart."""
    exact = unicodedata.normalize("NFC", text.strip())
    digest = hashlib.sha256(exact.encode()).hexdigest()[:6]
    return f"{slug(exact, 24)}-{digest}"


def autosave_slot(story_id: str, player: str) -> str:
    """The autosave of one player in one story; always a valid slot name (under 64)."""
    return f"auto-{slug(story_id, 24)}-{name_key(player)}"


class SavedVote(BaseModel):
    """A class vote at one decision: the counts per choice key, and who decided."""

    model_config = ConfigDict(extra="ignore")

    step: int = Field(ge=0)
    counts: dict[str, int] = Field(default_factory=dict)
    decided_by: Literal["majority", "teacher"] = "majority"


class SaveFile(BaseModel):
    """The contents of a save file."""

    model_config = ConfigDict(extra="ignore")

    kind: Literal["divergence-save"]
    format: int = Field(ge=1, le=SAVE_FORMAT)
    story: str
    story_version: str
    fingerprint: str
    story_title: str = ""
    player: str
    seed: int
    created: datetime
    saved: datetime
    path: list[tuple[str, str]]
    node: str
    node_title: str = ""
    date: str = ""
    ending: str | None = None
    variables: dict[str, int | bool | str] = Field(default_factory=dict)
    visits: dict[str, int] = Field(default_factory=dict)
    draws: int = 0
    used: list[str] = Field(default_factory=list)
    classroom: bool = False  # played as a class vote
    votes: list[SavedVote] = Field(default_factory=list)

    @field_validator("created", "saved")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        # a hand-edited time without a zone is taken as UTC, so saves always sort together
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    def steps(self) -> list[Step]:
        return [Step(node, choice) for node, choice in self.path]

    def vote_records(self) -> list[VoteRecord]:
        return [
            VoteRecord(vote.step, dict(vote.counts), vote.decided_by)
            for vote in self.votes
            if vote.step < len(self.path)
        ]


class Profile(BaseModel):
    """What a player has found across playthroughs, and their preferences."""

    model_config = ConfigDict(extra="ignore")

    kind: Literal["divergence-profile"] = "divergence-profile"
    player: str
    endings: dict[str, list[str]] = Field(default_factory=dict)
    theme: str = ""

    def unlock(self, story_id: str, ending_id: str) -> bool:
        """Record an ending; True when it is new for this player."""
        found = self.endings.setdefault(story_id, [])
        if ending_id in found:
            return False
        found.append(ending_id)
        return True

    def found(self, story: Story) -> frozenset[str]:
        """The endings of `story` this player has found (ones since removed left out)."""
        return frozenset(self.endings.get(story.id, ())) & story.endings.keys()


def snapshot(
    story: Story,
    state: GameState,
    player: str,
    created: datetime | None = None,
    votes: Iterable[VoteRecord] = (),
    classroom: bool = False,
) -> SaveFile:
    """Describe a state as a save, ready to write."""
    now = datetime.now(UTC).replace(microsecond=0)
    node = story.nodes.get(state.node)
    ending = story.endings.get(state.ending) if state.ending else None
    return SaveFile(
        kind=SAVE_KIND,
        format=SAVE_FORMAT,
        story=story.id,
        story_version=story.version,
        fingerprint=story.fingerprint,
        story_title=story.title,
        player=player,
        seed=state.seed,
        created=created or now,
        saved=now,
        path=[(step.node, step.choice) for step in state.path],
        node=state.node,
        node_title=ending.title if ending else node.title if node else state.node,
        date=ending.date if ending and ending.date else node.date if node else "",
        ending=state.ending,
        variables=dict(state.variables),
        visits=dict(state.visits),
        draws=state.draws,
        used=sorted(state.used),
        classroom=classroom,
        votes=[
            SavedVote(step=vote.step, counts=dict(vote.counts), decided_by=vote.decided_by)
            for vote in votes
            if vote.step < len(state.path)
        ],
    )


def resume(story: Story, save: SaveFile, engine: Engine | None = None) -> Replay:
    """Replay a save's path on `story`. If the path breaks, keep the part that still fits."""
    if save.story != story.id:
        raise SaveError("", f"this save belongs to the story '{save.story}', not '{story.id}'")
    replayed = replay(
        engine or Engine(story),
        save.seed,
        save.steps(),
        changed=save.fingerprint != story.fingerprint,
    )
    if not replayed.started:
        reason = f"the story cannot be replayed from this save: {replayed.reason}"
        raise SaveError("", reason)
    return replayed


@dataclass(frozen=True)
class SaveEntry:
    """One file in the save folder: a readable save, or the reason it is not."""

    slot: str
    path: Path
    save: SaveFile | None
    problem: str = ""


def atomic_write(path: Path, text: str) -> None:
    """Write `text` to `path` so that a crash leaves either the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable where the OS allows
        directory = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def _to_toml(model: BaseModel) -> str:
    data: dict[str, Any] = model.model_dump(mode="python", exclude_none=True)
    if "path" in data:
        data["path"] = [list(step) for step in data["path"]]
    return tomli_w.dumps(data)


class SaveFolder:
    """The save folder: named slots, autosaves and player profiles."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def slot_path(self, slot: str) -> Path:
        return self.folder / f"{check_slot(slot)}{SUFFIX}"

    def write(self, slot: str, save: SaveFile) -> Path:
        path = self.slot_path(slot)
        if path.exists():
            self._refuse_foreign(path)
        atomic_write(path, _to_toml(save))
        return path

    def _refuse_foreign(self, path: Path) -> None:
        """Never overwrite a file that is not one of our saves (a damaged save is kept)."""
        try:
            read_save(path)
        except SaveError as error:
            raise SaveError(
                path,
                f"will not overwrite it, because it is not a readable save ({error.reason}); "
                "choose another name or move the file away",
            ) from None

    def read(self, slot: str) -> SaveFile:
        """Read the save in a slot of this folder (never a path elsewhere)."""
        return read_save(self.slot_path(slot))

    def entries(self) -> list[SaveEntry]:
        """Every save in the folder, newest first; damaged ones listed with their reason."""
        if not self.folder.is_dir():
            return []
        found: list[SaveEntry] = []
        for path in self.folder.glob(f"*{SUFFIX}"):
            if path.name.startswith("."):
                continue
            slot = path.name[: -len(SUFFIX)]
            try:
                found.append(SaveEntry(slot, path, read_save(path)))
            except SaveError as error:
                found.append(SaveEntry(slot, path, None, error.reason))
        epoch = datetime.min.replace(tzinfo=UTC)
        found.sort(
            key=lambda entry: (entry.save.saved if entry.save else epoch, entry.slot), reverse=True
        )
        return found

    def latest(self) -> SaveEntry | None:
        for entry in self.entries():
            if entry.save is not None:
                return entry
        return None

    def delete(self, slot: str) -> None:
        path = self.slot_path(slot)
        path.unlink()

    # -- profiles --

    def last_player(self) -> str | None:
        """The name of whoever played last from this folder, so they need not retype it."""
        try:
            name = (self.folder / PROFILES / LAST_PLAYER).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return name[:40] or None

    def remember_player(self, name: str) -> None:
        with contextlib.suppress(OSError):  # a read-only folder only costs the convenience
            atomic_write(self.folder / PROFILES / LAST_PLAYER, name.strip()[:40] + "\n")

    def profile_path(self, player: str) -> Path:
        return self.folder / PROFILES / f"{name_key(player)}{SUFFIX}"

    def profile(self, player: str) -> Profile:
        """The player's profile; a new one when none exists or it cannot be read."""
        path = self.profile_path(player)
        if not path.exists():
            return Profile(player=player)
        try:
            with path.open("rb") as stream:
                return Profile.model_validate(tomllib.load(stream))
        except (OSError, tomllib.TOMLDecodeError, ValidationError, UnicodeDecodeError):
            return Profile(player=player)

    def save_profile(self, profile: Profile) -> Path | None:
        path = self.profile_path(profile.player)
        if path.exists():
            try:
                with path.open("rb") as stream:
                    Profile.model_validate(tomllib.load(stream))
            except (OSError, tomllib.TOMLDecodeError, ValidationError, UnicodeDecodeError):
                return None  # a damaged profile is left for the player to look at
        atomic_write(path, _to_toml(profile))
        return path


# What a file that is not a usable save is instead; the class report sorts skipped files by it.
UNREADABLE = "unreadable"
DAMAGED = "damaged"
NOT_A_SAVE = "not-a-save"


@dataclass(frozen=True)
class NotASave:
    """Why some bytes are not a save that can be used, worded for the player or the teacher."""

    kind: str  # UNREADABLE, DAMAGED or NOT_A_SAVE
    reason: str


def too_large(size: int) -> str:
    return f"{size:,} bytes: too large to be a save (at most {MAX_SAVE_BYTES:,})"


def decode_save(raw: bytes) -> SaveFile | NotASave:
    """A save from a file's bytes, or what the file is instead: the one save reader."""
    if len(raw) > MAX_SAVE_BYTES:
        return NotASave(NOT_A_SAVE, too_large(len(raw)))
    if not raw.strip():
        return NotASave(NOT_A_SAVE, "an empty file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = "\0"
    if "\0" in text:
        if SAVE_KIND.encode() in raw:
            return NotASave(DAMAGED, "a damaged save: it is not text any more")
        return NotASave(NOT_A_SAVE, "not a text file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        if SAVE_KIND in text:
            return NotASave(DAMAGED, f"a damaged save, cut short or edited by hand ({error})")
        return NotASave(NOT_A_SAVE, f"not a Divergence save (not valid TOML: {error})")
    except RecursionError:
        return NotASave(NOT_A_SAVE, "not a Divergence save (nested too deeply)")
    kind = data.get("kind")
    if kind == PROFILE_KIND:
        return NotASave(NOT_A_SAVE, "a player profile (the endings a player found), not a save")
    if kind != SAVE_KIND:
        if isinstance(data.get("story"), dict) or "node" in data or "ending" in data:
            return NotASave(NOT_A_SAVE, "a story file, not a save")
        return NotASave(NOT_A_SAVE, "not a Divergence save")
    version = data.get("format")
    if isinstance(version, int) and version > SAVE_FORMAT:
        reason = "made by a newer version of Divergence; update the game to read it"
        return NotASave(UNREADABLE, reason)
    try:
        return SaveFile.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        return NotASave(DAMAGED, f"a damaged save: '{where}': {first['msg'].lower()}")


def read_save(path: Path) -> SaveFile:
    """Read one save file, or raise SaveError saying plainly what is wrong with it."""
    try:
        size = path.stat().st_size
        if size > MAX_SAVE_BYTES:
            raise SaveError(path, too_large(size))
        with path.open("rb") as stream:
            raw = stream.read(MAX_SAVE_BYTES + 1)  # a file that grew since is still capped
    except FileNotFoundError:
        raise SaveError(path, "there is no such save") from None
    except OSError as error:
        raise SaveError(path, f"cannot read it: {error.strerror or error}") from None
    decoded = decode_save(raw)
    if isinstance(decoded, NotASave):
        raise SaveError(path, decoded.reason)
    return decoded
