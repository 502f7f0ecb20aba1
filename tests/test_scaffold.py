"""`divergence new` and `divergence schema`: a starter story that passes every check."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import pytest
from helpers import run_cli

from game.check.analysis import analyse
from game.story.loader import load_story
from game.story.locations import CHECKOUT
from game.story.schema import schema_text
from game.writer.randomtest import run_randomtest
from game.writer.scaffold import SCHEMA_FILE, ScaffoldError, create_story


def test_new_writes_a_story_that_check_passes_strictly_and_every_ending_is_reachable(
    tmp_path: Path,
) -> None:
    code, out = run_cli("new", "frontier_post", "--dir", str(tmp_path))
    assert code == 0
    folder = tmp_path / "frontier_post"
    assert f"Created {folder}" in out
    assert sorted(p.name for p in folder.iterdir()) == [
        "endings.toml",
        "scenes.toml",
        "story.schema.json",
        "story.toml",
    ]
    story = load_story(folder)
    assert story.id == "frontier_post" and story.title == "Frontier Post"
    analysis = analyse(story)
    assert analysis.complete and analysis.problems == []
    assert set(analysis.paths) == set(story.endings)
    report = run_randomtest(story, 300, seed=0)
    assert report.nodes_reached == report.nodes_total
    assert report.endings_reached == report.endings_total
    assert run_cli("check", "--strict", str(folder))[0] == 0


def test_the_starter_plays_to_an_ending_line_by_line(tmp_path: Path) -> None:
    create_story("post", tmp_path)
    code, out = run_cli(
        "play",
        str(tmp_path / "post"),
        "--plain",
        "--seed",
        "1",
        "--saves",
        str(tmp_path / "s"),
        stdin="3\n",
    )
    assert code == 0
    assert "Overrun" in out


def test_files_are_plain_toml_pointing_at_a_schema(tmp_path: Path) -> None:
    folder = create_story("post", tmp_path)
    for name in ("story.toml", "scenes.toml", "endings.toml"):
        text = (folder / name).read_text()
        assert text.startswith(f"#:schema {SCHEMA_FILE}\n")
        tomllib.loads(text)
    assert json.loads((folder / SCHEMA_FILE).read_text()) == json.loads(schema_text())


def test_inside_the_checkout_the_story_points_at_the_shipped_schema(tmp_path: Path) -> None:
    parent = CHECKOUT / "stories"
    folder = create_story("zz_scaffold_test", parent)
    try:
        first = (folder / "story.toml").read_text().splitlines()[0]
        assert first == "#:schema ../../docs/story.schema.json"
        assert not (folder / SCHEMA_FILE).exists()
    finally:
        for item in folder.iterdir():
            item.unlink()
        folder.rmdir()


@pytest.mark.parametrize(
    "bad", ["9lives", "two words", "dash-ed", "", "x" * 65, "_x", "nl\n", "Москва"]
)
def test_bad_ids_are_refused_and_nothing_is_written(tmp_path: Path, bad: str) -> None:
    with pytest.raises(ScaffoldError, match="not a valid story id"):
        create_story(bad, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_folder_is_never_overwritten(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "post").mkdir()
    (tmp_path / "post" / "mine.toml").write_text("keep me")
    code, _out = run_cli("new", "post", "--dir", str(tmp_path))
    assert code == 2
    assert "already exists" in capsys.readouterr().err
    assert (tmp_path / "post" / "mine.toml").read_text() == "keep me"


def test_schema_prints_or_writes_the_schema(tmp_path: Path) -> None:
    code, out = run_cli("schema")
    assert code == 0 and out == schema_text()
    target = tmp_path / "deep" / "story.schema.json"
    code, out = run_cli("schema", "-o", str(target))
    assert code == 0 and f"Wrote the story schema to {target}" in out
    schema = json.loads(target.read_text())
    assert "clamp" in json.dumps(schema)  # the newest field is in it


def test_the_shipped_schema_is_what_the_command_writes() -> None:
    assert (CHECKOUT / "docs" / "story.schema.json").read_text() == run_cli("schema")[1]
