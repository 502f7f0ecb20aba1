"""The JSON Schema of the story format, for writers' editors (Taplo, Even Better TOML).

Generated from the pydantic models in `game.story.format`, so it can never disagree with the
loader. `python -m game.story.schema > docs/story.schema.json` rewrites the shipped copy; a test
fails when that copy is out of date.
"""

from __future__ import annotations

import json
from typing import Any

from game.story.format import StoryFile

SCHEMA_URL = "https://json-schema.org/draft/2020-12/schema"


def story_schema() -> dict[str, Any]:
    schema = StoryFile.model_json_schema(by_alias=True)
    return {
        "$schema": SCHEMA_URL,
        "title": "Divergence story file",
        "description": "One .toml file of a Divergence story. See docs/writing.md.",
        **{key: value for key, value in schema.items() if key not in ("title", "description")},
    }


def schema_text() -> str:
    return json.dumps(story_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover
    print(schema_text(), end="")
