"""The story file format: what a writer may put in a `.toml` story file.

These pydantic models describe the raw file. The loader validates each file
against `StoryFile`, then cross-checks ids and compiles expressions into the
immutable `game.story.compiled.Story`. Every field carries a description, which is also
what the JSON Schema (and so a writer's editor) shows.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=64),
]
"""Ids and variable names: letters, digits and underscores, not starting with a digit."""

Effects = Annotated[
    str | list[str],
    Field(
        description=(
            "Changes to variables, e.g. `supply += 2; trust -= 1` or a list of such statements. "
            "Numbers are clamped to the variable's min and max."
        )
    ),
]

Tone = Literal["triumph", "hopeful", "bittersweet", "ambiguous", "grim", "catastrophe"]


class _Model(BaseModel):
    # strict: TOML already has types, so "yes" for a boolean is a mistake to report, not coerce
    model_config = ConfigDict(extra="forbid", populate_by_name=True, frozen=True, strict=True)


class StoryMeta(_Model):
    """The `[story]` table: what the story is, shown in the story chooser."""

    id: Identifier = Field(description="Unique id, used on the command line: `divergence play ID`.")
    title: str = Field(min_length=1, max_length=80, description="Title shown to the player.")
    subtitle: str = Field("", max_length=120, description="One line under the title.")
    summary: str = Field(min_length=1, description="A paragraph for the story chooser.")
    authors: list[str] = Field(default_factory=list, description="Who wrote it.")
    version: str = Field("1.0", description="The story's own version, recorded in saves.")
    start: Identifier = Field(description="Id of the node the story starts at.")
    era: str = Field(description="When it is set, e.g. `June 1941 - May 1945`.")
    content_warnings: list[str] = Field(
        default_factory=list,
        description="Shown before the story starts, e.g. `the Holocaust`, `execution`.",
    )


class Variable(_Model):
    """A `[variable.NAME]` table: one piece of state the story tracks."""

    type: Literal["int", "bool", "str"] | None = Field(
        None, description="`int`, `bool` or `str`. Optional: taken from `default` when left out."
    )
    default: int | bool | str = Field(description="Starting value.")
    min: int | None = Field(None, description="Lowest value of an `int`; changes clamp to it.")
    max: int | None = Field(None, description="Highest value of an `int`; changes clamp to it.")
    values: list[str] | None = Field(
        None, description="The values a `str` variable may take. Required for `str`."
    )
    label: str = Field(min_length=1, max_length=40, description="Name shown in the dossier.")
    description: str = Field("", description="What it means, for the player and the teacher.")
    visible: bool = Field(True, description="Whether the player sees it in the dossier.")
    clamp: bool = Field(
        False,
        description="For an `int` with `min`/`max`: effects may push it past a bound on purpose "
        "(it stops there), so `divergence check` does not warn about it (W007).",
    )


class Outcome(_Model):
    """A chance outcome: one of several, drawn with odds set by `weight`."""

    weight: int | str = Field(
        description="Relative odds: a number or an expression, e.g. `supply * 2`. Zero or less "
        "means the outcome cannot happen."
    )
    goto: Identifier = Field(description="Node or ending this outcome leads to.")
    effects: Effects = ""


class Route(_Model):
    """An automatic branch: the first route whose condition holds is taken."""

    condition: str | None = Field(
        None, alias="if", description="Condition; a route without one always matches."
    )
    goto: Identifier = Field(description="Node or ending this route leads to.")
    effects: Effects = ""


class Quote(_Model):
    """A `[[node.quote]]` or `[[ending.quote]]` table: a real line from the record, shown as an
    epigraph above the text, set apart from the narrative, with who said it and where."""

    text: str = Field(
        min_length=1, max_length=600, description="The words quoted, as in the source."
    )
    speaker: str = Field(
        min_length=1, max_length=120, description="Who said or wrote it, e.g. `Vyacheslav Molotov`."
    )
    source: str = Field(
        min_length=1,
        max_length=200,
        description="Where it comes from, e.g. `Radio address to the Soviet people, 22 June 1941`.",
    )
    condition: str | None = Field(
        None, alias="if", description="Show the quotation only when this condition holds."
    )


TITLE_LENGTH = 80
"""The longest title a player sees; a templated title's source may be longer."""


def _title_length(title: str) -> str:
    if "{" not in title and len(title) > TITLE_LENGTH:
        # the same error as a plain `max_length`, so the loader words it the same way
        raise PydanticCustomError(
            "string_too_long",
            "String should have at most {max_length} characters",
            {"max_length": TITLE_LENGTH},
        )
    return title


class Choice(_Model):
    """A `[[node.choice]]` table: one decision the player may take."""

    id: Identifier | None = Field(
        None,
        description="Stable name of the choice, recorded in saves. Defaults to `goto` when "
        "that is unique within the node.",
    )
    label: str = Field(min_length=1, description="What the player reads, e.g. `Pull the trigger`.")
    goto: Identifier | None = Field(
        None, description="Node or ending the choice leads to. Leave out when using `outcome`."
    )
    outcome: list[Outcome] = Field(
        default_factory=list, description="Chance outcomes instead of a single `goto`."
    )
    condition: str | None = Field(
        None, alias="if", description="Condition for the choice to be available."
    )
    locked: str | None = Field(
        None,
        description="When the condition is false, show the choice dimmed with this reason. "
        "Without it, the choice is hidden.",
    )
    effects: Effects = ""
    once: bool = Field(False, description="Once taken, the choice never appears again.")
    historical: bool = Field(False, description="This is what really happened.")


class Node(_Model):
    """A `[[node]]` table: one scene, usually ending in a decision."""

    id: Identifier = Field(description="Unique id across the whole story.")
    title: str = Field(
        min_length=1,
        max_length=400,
        description="Heading of the scene (at most 80 characters as shown). May use `{...}` and "
        "`{if}` like `text`, so that it can change with the state.",
    )
    date: str = Field("", description="In-story date, e.g. `22 June 1941`.")
    place: str = Field("", description="Where it happens, e.g. `Kuntsevo dacha, near Moscow`.")
    viewpoint: str = Field(
        "",
        max_length=1000,
        description="Whose eyes the player sees through, e.g. `Beria`. May use `{...}` and "
        "`{if}` like `text`, so that whoever commands can change with the state.",
    )
    chapter: str = Field("", description="When set, this node opens a chapter with this heading.")
    text: str = Field(
        min_length=1,
        description="The narrative, in Markdown. `{name}` shows a value; "
        "`{if cond}...{elif cond}...{else}...{end}` shows text only when a condition holds.",
    )
    quote: list[Quote] = Field(
        default_factory=list, description="Real quotations shown as epigraphs above the text."
    )
    effects: Effects = ""
    choice: list[Choice] = Field(default_factory=list, description="The player's options.")
    route: list[Route] = Field(
        default_factory=list, description="Automatic branches, tried in order before choices."
    )
    outcome: list[Outcome] = Field(
        default_factory=list, description="Automatic chance outcomes, drawn when no route matches."
    )
    history: str = Field("", description="What really happened: the teacher's note.")
    discuss: str = Field("", description="A discussion prompt for a class.")
    sources: list[str] = Field(default_factory=list, description="Works a teacher can cite.")
    content_warnings: list[str] = Field(
        default_factory=list, description="Warnings for this scene."
    )

    _title = field_validator("title")(_title_length)


class Ending(_Model):
    """An `[[ending]]` table: one way the story can end."""

    id: Identifier = Field(description="Unique id across the whole story.")
    title: str = Field(min_length=1, max_length=80, description="Title of the ending.")
    date: str = Field("", description="In-story date of the epilogue.")
    place: str = Field("", description="Where the epilogue is set.")
    tone: Tone = Field(description="How the ending feels: shown on the endings gallery.")
    epilogue: str = Field(min_length=1, description="The closing text, in Markdown, like `text`.")
    quote: list[Quote] = Field(
        default_factory=list, description="Real quotations shown as epigraphs above the epilogue."
    )
    history: str = Field("", description="What really happened, compared with this ending.")
    hint: str = Field("", description="Shown in the gallery while the ending is still locked.")
    condition: str | None = Field(
        None,
        alias="if",
        description="When set, the story ends here as soon as this condition holds.",
    )
    content_warnings: list[str] = Field(default_factory=list, description="Warnings.")


class StoryFile(_Model):
    """One `.toml` file of a story. The `[story]` table belongs in the main file only."""

    story: StoryMeta | None = None
    variable: dict[str, Variable] = Field(
        default_factory=dict, description="Variables, one `[variable.NAME]` table each."
    )
    node: list[Node] = Field(default_factory=list, description="Scenes, one `[[node]]` each.")
    ending: list[Ending] = Field(
        default_factory=list, description="Endings, one `[[ending]]` each."
    )
