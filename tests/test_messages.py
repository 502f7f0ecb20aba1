"""Messages writers and players read: no cascades, exact lines, tidy plain-mode text."""

from __future__ import annotations

import io
from pathlib import Path

from game.cli.entry import main
from game.cli.plain import wrap
from game.story.loader import load_story
from game.story.problems import StoryError

HEADER = '[story]\nid = "m"\ntitle = "M"\nsummary = "m"\nstart = "a"\nera = "1941"\n'
ENDING = '\n[[ending]]\nid = "end"\ntitle = "End"\ntone = "grim"\nepilogue = "Over."\n'


def problems(tmp_path: Path, body: str) -> list[str]:
    path = tmp_path / "m.toml"
    path.write_text(HEADER + body + ENDING)
    try:
        load_story(path)
    except StoryError as error:
        return [f"{p.line}: {p.message}" for p in error.problems]
    return []


def test_a_broken_variable_is_reported_once_not_at_every_use(tmp_path: Path) -> None:
    body = """
[variable.supply]
default = 50
min = 0
max = 10
label = "Supply"

[[node]]
id = "a"
title = "A"
text = "You have {supply}."
[[node.choice]]
label = "Go"
goto = "end"
if = "supply > 2"
effects = "supply -= 1"
"""
    found = problems(tmp_path, body)
    assert found == ["9: variable 'supply': default 50 is outside 0..10"]


def test_an_effect_in_a_list_is_reported_at_its_own_line(tmp_path: Path) -> None:
    body = """
[variable.supply]
default = 5
label = "Supply"

[[node]]
id = "a"
title = "A"
text = "a"
effects = [
    "supply += 1",
    "suply += 1",
]
[[node.choice]]
label = "Go"
goto = "end"
"""
    found = problems(tmp_path, body)
    assert len(found) == 1
    assert found[0].startswith("18: node \"a\": in effects 'suply += 1': unknown variable 'suply'")


def test_a_weight_that_is_not_a_whole_number_explains_what_is_allowed(tmp_path: Path) -> None:
    body = """
[[node]]
id = "a"
title = "A"
text = "a"
[[node.outcome]]
weight = 1.5
goto = "end"
"""
    assert problems(tmp_path, body) == [
        "13: node \"a\", outcome 1: 'weight' should be a whole number or an expression in "
        'quotes, e.g. "supply * 2"'
    ]


def test_choices_beside_node_outcomes_are_refused(tmp_path: Path) -> None:
    body = """
[[node]]
id = "a"
title = "A"
text = "a"
[[node.choice]]
label = "Never seen"
goto = "end"
[[node.outcome]]
weight = 1
goto = "end"
"""
    found = problems(tmp_path, body)
    assert len(found) == 1 and "its choices could never be taken" in found[0]


def test_wrap_drops_blank_lines_left_by_empty_passages() -> None:
    assert wrap("A.\n\n\n\n C.\n\n") == "A.\n\nC."
    assert wrap("one\ntwo\n\n- a\n- b") == "one two\n\n- a\n- b"


def play(path: Path, saves: Path, stdin: str) -> str:
    out = io.StringIO()
    main(["play", str(path), "--plain", "--saves", str(saves)], io.StringIO(stdin), out)
    return out.getvalue()


def test_plain_mode_shows_a_chapter_heading_on_the_first_visit_only(tmp_path: Path) -> None:
    path = tmp_path / "c.toml"
    path.write_text(
        HEADER
        + """
[[node]]
id = "a"
title = "A"
chapter = "Part One"
text = "a"
[[node.choice]]
label = "Again"
goto = "a"
[[node.choice]]
label = "End"
goto = "end"
"""
        + ENDING.replace('epilogue = "Over."', 'epilogue = "Over."\ncontent_warnings = ["war"]')
    )
    out = play(path, tmp_path / "s", "1\n2\n")
    assert out.count("*** Part One ***") == 1
    assert "=== THE END: End ===\nContent warnings: war" in out


def test_stories_warns_about_two_stories_with_one_id(tmp_path: Path) -> None:
    story = (
        HEADER
        + '\n[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n[[node.route]]\ngoto = "end"\n'
        + ENDING
    )
    (tmp_path / "one.toml").write_text(story)
    (tmp_path / "two.toml").write_text(story)
    out = io.StringIO()
    assert main(["stories", "--stories", str(tmp_path)], io.StringIO(), out) == 0
    assert f"(same id as {tmp_path / 'one.toml'}; 'play m' takes that one)" in out.getvalue()
