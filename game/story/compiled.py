"""The loaded story: immutable, cross-checked, with every expression compiled.

The loader builds these from the raw `game.story.format` models; the engine, the
interface and the tools only ever see these.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol

from game.story.expr import Compiled, Effect, Value
from game.story.text import Template

Type = Literal["int", "bool", "str"]


class LineSource(Protocol):
    def line_of(self, path: Sequence[str | int]) -> int: ...


@dataclass(frozen=True)
class Where:
    """Where something was written, for messages and tools.

    Either a known line, or a key path whose line is looked up on first use: scanning a
    big file for line numbers costs as much as parsing it, and a story that loads
    cleanly may never need one.
    """

    file: str
    known_line: int = 0
    path: tuple[str | int, ...] = ()
    source: LineSource | None = field(default=None, compare=False, repr=False)

    @property
    def line(self) -> int:
        if self.source is None:
            return self.known_line
        return self.source.line_of(self.path)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Variable:
    name: str
    type: Type
    default: Value
    label: str
    description: str
    visible: bool
    minimum: int | None = None
    maximum: int | None = None
    values: tuple[str, ...] = ()
    where: Where = Where("", 0)
    expects_clamping: bool = False  # effects may push it past its bounds on purpose: no W007

    def clamp(self, value: int) -> int:
        if self.minimum is not None and value < self.minimum:
            return self.minimum
        if self.maximum is not None and value > self.maximum:
            return self.maximum
        return value


@dataclass(frozen=True)
class Outcome:
    weight: Compiled
    target: str
    effects: tuple[Effect, ...]
    where: Where


@dataclass(frozen=True)
class Route:
    condition: Compiled | None
    target: str
    effects: tuple[Effect, ...]
    where: Where


@dataclass(frozen=True)
class Choice:
    key: str
    label: str
    target: str | None
    outcomes: tuple[Outcome, ...]
    condition: Compiled | None
    locked: str | None
    effects: tuple[Effect, ...]
    once: bool
    historical: bool
    where: Where

    @property
    def targets(self) -> tuple[str, ...]:
        if self.target is not None:
            return (self.target,)
        return tuple(outcome.target for outcome in self.outcomes)


@dataclass(frozen=True)
class Quote:
    """A real line from the record, shown apart from the narrative as an epigraph."""

    text: str
    speaker: str
    source: str
    condition: Compiled | None
    where: Where

    @property
    def attribution(self) -> str:
        """Who said it and where, as one line: `Vyacheslav Molotov, radio address, 22 June 1941`."""
        return f"{self.speaker}, {self.source}"


@dataclass(frozen=True)
class Node:
    id: str
    title: str
    date: str
    place: str
    viewpoint: str
    chapter: str
    text: Template
    effects: tuple[Effect, ...]
    choices: tuple[Choice, ...]
    routes: tuple[Route, ...]
    outcomes: tuple[Outcome, ...]
    history: str
    discuss: str
    sources: tuple[str, ...]
    content_warnings: tuple[str, ...]
    where: Where
    quotes: tuple[Quote, ...] = ()
    # set when the title or viewpoint has `{...}`: `title` and `viewpoint` then hold the
    # text as it reads at the start of the story, for tools that show a node without a state
    title_template: Template | None = None
    viewpoint_template: Template | None = None

    def choice(self, key: str) -> Choice | None:
        for choice in self.choices:
            if choice.key == key:
                return choice
        return None


@dataclass(frozen=True)
class Ending:
    id: str
    title: str
    date: str
    place: str
    tone: str
    epilogue: Template
    history: str
    hint: str
    condition: Compiled | None
    content_warnings: tuple[str, ...]
    where: Where
    quotes: tuple[Quote, ...] = ()


@dataclass(frozen=True)
class Story:
    id: str
    title: str
    subtitle: str
    summary: str
    authors: tuple[str, ...]
    version: str
    start: str
    era: str
    content_warnings: tuple[str, ...]
    variables: Mapping[str, Variable]
    nodes: Mapping[str, Node]
    endings: Mapping[str, Ending]
    fingerprint: str
    files: tuple[str, ...]
    root: str
    auto_endings: tuple[Ending, ...] = field(default=())

    def place(self, place_id: str) -> Node | Ending:
        node = self.nodes.get(place_id)
        return node if node is not None else self.endings[place_id]

    def defaults(self) -> dict[str, Value]:
        return {name: variable.default for name, variable in self.variables.items()}
