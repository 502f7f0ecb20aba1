"""A new story to start from: a small, valid story folder written with tomli-w.

`divergence new STORY_ID` calls `create_story`. The starter uses the format's main
parts (a shown and a hidden variable, a locked choice, a chance outcome, a route,
a history note and a discussion prompt) so that a writer can learn by changing it.
`divergence check` passes it with no warnings and `divergence play` plays it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import tomli_w

from game.story.locations import CHECKOUT, MAIN_FILE

ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
SCHEMA_FILE = "story.schema.json"


class ScaffoldError(Exception):
    """The story could not be created; nothing was written."""


def _title(story_id: str) -> str:
    return " ".join(part.capitalize() for part in story_id.split("_") if part) or story_id


def starter_files(story_id: str) -> dict[str, dict[str, Any]]:
    """The TOML tables of each file of the starter story, by file name."""
    story: dict[str, Any] = {
        "story": {
            "id": story_id,
            "title": _title(story_id),
            "subtitle": "A new branch of history",
            "summary": (
                "A starter story made by 'divergence new'. Change every line of it: "
                "it is here to show the format, not to be played for long."
            ),
            "authors": ["Your name"],
            "version": "0.1",
            "start": "opening",
            "era": "1941",
        },
        "variable": {
            "resolve": {
                "type": "int",
                "default": 3,
                "min": 0,
                "max": 5,
                "label": "Resolve",
                "description": "How firmly you hold your course. Shown in the dossier.",
            },
            "warned": {
                "type": "bool",
                "default": False,
                "label": "Warned",
                "description": "Whether you passed the warning on. Hidden from the player.",
                "visible": False,
            },
        },
    }
    scenes: dict[str, Any] = {
        "node": [
            {
                "id": "opening",
                "chapter": "Chapter one",
                "title": "The Warning",
                "date": "21 June 1941, night",
                "place": "A frontier post on the Bug",
                "viewpoint": "You are the duty officer of a frontier post.",
                "text": (
                    "A deserter has crossed the river with a warning: the attack comes at "
                    "dawn. Your resolve stands at {resolve} of 5.\n\n"
                    "{if warned}You have already sent word once.{else}Nobody above you "
                    "knows yet.{end}"
                ),
                "history": (
                    "Write here what really happened at this point, for the player's history note."
                ),
                "discuss": "Write a question for a class to discuss here.",
                "sources": ["Name a book or archive the note rests on."],
                "choice": [
                    {
                        "label": "Telephone the warning to district headquarters",
                        "goto": "the_call",
                        "effects": ["warned = true", "resolve += 1"],
                        "historical": True,
                    },
                    {
                        "label": "Pass it on as a rumour, without your name",
                        "goto": "the_call",
                        "effects": "warned = true",
                    },
                    {
                        "label": "Wait for dawn and see",
                        "goto": "dawn",
                        "effects": "resolve -= 1",
                    },
                ],
            },
            {
                "id": "the_call",
                "title": "The Line to Headquarters",
                "date": "22 June 1941, 01:00",
                "place": "The same post",
                "viewpoint": "You are still the duty officer.",
                "text": "The line crackles. Whether anyone listens is a matter of luck.",
                "history": "What really happened to such warnings goes here.",
                "discuss": "Why might a warning go unheeded?",
                "choice": [
                    {
                        "label": "Insist until someone answers",
                        "outcome": [
                            {"weight": "resolve * 10", "goto": "heard"},
                            {"weight": 30, "goto": "dawn"},
                        ],
                    },
                    {
                        "label": "Order the guns loaded without asking anyone",
                        "if": "resolve >= 4",
                        "locked": "You need more resolve (4) to act alone.",
                        "goto": "dawn",
                    },
                ],
            },
            {
                "id": "dawn",
                "title": "Dawn",
                "date": "22 June 1941, 03:15",
                "place": "The same post",
                "text": "The guns open up across the river.",
                "route": [
                    {"if": "warned and resolve >= 4", "goto": "held"},
                    {"goto": "overrun"},
                ],
            },
        ]
    }
    endings: dict[str, Any] = {
        "ending": [
            {
                "id": "heard",
                "title": "Heard in Time",
                "tone": "hopeful",
                "epilogue": "Someone listened. The post falls back in order.",
                "history": "Compare this ending with the record here.",
                "hint": "Make the call and keep insisting.",
            },
            {
                "id": "held",
                "title": "The Post Holds",
                "tone": "bittersweet",
                "epilogue": "Warned and ready, the post holds until noon.",
                "history": "Compare this ending with the record here.",
                "hint": "Be warned, and resolute, when the guns begin.",
            },
            {
                "id": "overrun",
                "title": "Overrun",
                "tone": "grim",
                "epilogue": "The post is overrun in the first hour, as so many were.",
                "history": "Compare this ending with the record here.",
                "hint": "Wait for dawn.",
            },
        ]
    }
    return {MAIN_FILE: story, "scenes.toml": scenes, "endings.toml": endings}


def _schema_reference(folder: Path) -> tuple[str, bool]:
    """The `#:schema` path for files in `folder`; True when the schema must be written there."""
    shipped = CHECKOUT / "docs" / SCHEMA_FILE
    if shipped.is_file() and folder.resolve().is_relative_to(CHECKOUT):
        return Path(os.path.relpath(shipped, folder.resolve())).as_posix(), False
    return SCHEMA_FILE, True  # outside the checkout: a copy beside the story


def create_story(story_id: str, parent: Path) -> Path:
    """Write the starter story to `parent/story_id/` and return that folder."""
    if not ID_PATTERN.fullmatch(story_id) or len(story_id) > 64:
        raise ScaffoldError(
            f"{story_id!r} is not a valid story id: use the letters a-z and A-Z, digits and "
            "underscores, starting with a letter (at most 64 characters)"
        )
    folder = parent / story_id
    if folder.exists():
        raise ScaffoldError(f"{folder} already exists; choose another id or --dir")
    if parent.exists() and not parent.is_dir():
        raise ScaffoldError(f"{parent} is not a folder")
    reference, write_schema = _schema_reference(folder)
    header = f"#:schema {reference}\n"
    texts = {
        name: header + f"# {comment}\n\n" + tomli_w.dumps(tables, multiline_strings=True)
        for (name, tables), comment in zip(
            starter_files(story_id).items(),
            (
                "The story's [story] table and its variables.",
                "The scenes. Add more files like this one; every .toml file in the folder is read.",
                "The endings.",
            ),
            strict=True,
        )
    }
    try:
        folder.mkdir(parents=True)
        for name, text in texts.items():
            (folder / name).write_text(text, encoding="utf-8")
        if write_schema:
            from game.story.schema import schema_text

            (folder / SCHEMA_FILE).write_text(schema_text(), encoding="utf-8")
    except OSError as error:
        raise ScaffoldError(f"cannot create {folder}: {error.strerror or error}") from None
    return folder
