"""docs/writing.md cannot drift from the code: its examples load, and the shipped example matches."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from game.play.engine import Engine
from game.story.loader import load_story

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "writing.md"
EXAMPLE = ROOT / "stories" / "special_train.toml"

FENCE = re.compile(r"^```toml([^\n]*)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks() -> list[tuple[str, str, int]]:
    text = GUIDE.read_text()
    return [
        (match.group(1).strip(), match.group(2), text.count("\n", 0, match.start()) + 1)
        for match in FENCE.finditer(text)
    ]


def test_the_guide_has_examples() -> None:
    infos = [info for info, _body, _line in blocks()]
    assert infos.count("") >= 2
    assert 'title="stories/special_train.toml"' in infos


@pytest.mark.parametrize(
    ("body", "line"),
    [(body, line) for info, body, line in blocks() if info == ""],
    ids=lambda value: f"line{value}" if isinstance(value, int) else "",
)
def test_every_complete_toml_example_in_the_guide_loads(
    body: str, line: int, tmp_path: Path
) -> None:
    path = tmp_path / f"example_at_line_{line}.toml"
    path.write_text(body)
    story = load_story(path)
    assert Engine(story).start().node == story.start


def test_the_guide_shows_the_shipped_example_exactly() -> None:
    titled = [
        body for info, body, _line in blocks() if 'title="stories/special_train.toml"' in info
    ]
    assert titled == [EXAMPLE.read_text()]


def test_the_example_plays_to_an_ending_in_plain_mode(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "game",
            "play",
            str(EXAMPLE),
            "--plain",
            "--seed",
            "1",
            "--saves",
            str(tmp_path),
            "--player",
            "Reader",
        ],
        input="1\n" * 40,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "=== THE END: " in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_the_shipped_json_schema_is_up_to_date() -> None:
    from game.story.schema import schema_text

    shipped = ROOT / "docs" / "story.schema.json"
    assert shipped.read_text() == schema_text(), (
        "run: python -m game.story.schema > docs/story.schema.json"
    )


def test_the_bundled_stories_validate_against_the_json_schema() -> None:
    import json
    import tomllib

    import jsonschema

    schema = json.loads((ROOT / "docs" / "story.schema.json").read_text())
    for path in (ROOT / "stories").rglob("*.toml"):
        jsonschema.validate(tomllib.loads(path.read_text()), schema)


def test_the_guide_lists_every_check_code_and_no_other() -> None:
    from game.check.analysis import CODES

    text = GUIDE.read_text()
    section = text[text.index("### Check codes") :]
    section = section[: section.index("\n### ", 1)]
    listed = re.findall(r"^\| ([EW]\d{3}) \|", section, re.MULTILINE)
    assert listed == sorted(CODES), "docs/writing.md's table of check codes must match CODES"
