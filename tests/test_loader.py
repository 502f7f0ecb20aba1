"""Loading stories: the valid case, folders, and every problem pinned to its file and line."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest

from game.story.compiled import Story
from game.story.loader import MAX_FILE_BYTES, MAX_FILES, load_story
from game.story.problems import Problem, StoryError

WriteStory = Callable[..., Path]  # the conftest fixture `write_story`
OPENING_ID = 'id = "opening"'
HOLD_LABEL = 'label = "Hold the line"'

# --- helpers ----------------------------------------------------------------------


def line(text: str, needle: str) -> int:
    """The 1-based line of the only line of `text` containing `needle`."""
    found = [number for number, content in enumerate(text.split("\n"), 1) if needle in content]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


def edit(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of `old` in `text` (failing loudly if it is not there once)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def problems(path: Path) -> tuple[Problem, ...]:
    with pytest.raises(StoryError) as caught:
        load_story(path)
    assert caught.value.problems, "a StoryError must carry problems"
    return caught.value.problems


def only_problem(path: Path) -> Problem:
    found = problems(path)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]


def assert_problem(found: Problem, path: Path, number: int, *fragments: str) -> None:
    assert found.file == str(path), found
    assert found.line == number, found
    for fragment in fragments:
        assert fragment in found.message, found


@pytest.fixture
def broken(tmp_path: Path, story_text: str, write_story: WriteStory) -> Any:
    """`broken(old, new)` writes the valid story with one edit and returns (path, text)."""

    def make(old: str, new: str) -> tuple[Path, str]:
        text = edit(story_text, old, new)
        return write_story(tmp_path, text), text

    return make


# --- the valid story -----------------------------------------------------------------


def test_valid_story_loads(story_path: Path) -> None:
    story = load_story(story_path)
    assert isinstance(story, Story)
    assert (story.id, story.title, story.start, story.era) == (
        "test_story",
        "A Test Story",
        "opening",
        "June 1941",
    )
    assert story.summary == "A small story for the tests."
    assert list(story.variables) == ["supply", "alarmed", "faction"]
    assert list(story.nodes) == ["opening", "hold"]
    assert list(story.endings) == ["victory", "defeat", "retreat"]
    assert story.files == (str(story_path),)
    assert len(story.fingerprint) == 64


def test_valid_story_contents(story: Story, story_text: str, story_path: Path) -> None:
    supply = story.variables["supply"]
    assert (supply.type, supply.default, supply.minimum, supply.maximum) == ("int", 3, 0, 10)
    assert story.variables["alarmed"].type == "bool"
    assert story.variables["faction"].values == ("soviets", "allies", "neutral")
    assert story.defaults() == {"supply": 3, "alarmed": False, "faction": "soviets"}

    opening = story.nodes["opening"]
    assert [choice.key for choice in opening.choices] == ["hold", "retreat"]
    assert [choice.target for choice in opening.choices] == ["hold", "retreat"]
    assert [effect.source for effect in opening.choices[0].effects] == ["supply -= 1"]
    rendered = opening.text.render({"supply": 3, "alarmed": True, "faction": "allies"}, {})
    assert rendered == "You have 3 trains of shells.\nThe staff are alarmed.\n"
    assert opening.where.line == line(story_text, 'id = "opening"') - 1
    assert opening.where.file == str(story_path)

    hold = story.nodes["hold"]
    assert [route.target for route in hold.routes] == ["victory", "defeat"]
    assert hold.routes[0].condition is not None
    assert hold.routes[0].condition.evaluate({"supply": 3}, {}) is True
    assert hold.routes[1].condition is None

    assert story.endings["defeat"].tone == "grim"
    assert story.place("victory") is story.endings["victory"]
    assert story.place("hold") is hold


def test_a_byte_order_mark_is_accepted(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    path = write_story(tmp_path, "\ufeff".encode() + story_text.encode())
    assert load_story(path).id == "test_story"


def test_windows_line_endings_are_accepted(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    path = write_story(tmp_path, story_text.replace("\n", "\r\n"))
    assert load_story(path).title == "A Test Story"


def test_outcomes_and_locked_choices_load(broken: Any) -> None:
    path, _text = broken(
        'label = "Fall back"\ngoto = "retreat"\n',
        'label = "Fall back"\nif = "supply > 1"\nlocked = "Not enough supply"\n'
        '[[node.choice.outcome]]\nweight = "supply * 2"\ngoto = "retreat"\n'
        '[[node.choice.outcome]]\nweight = 1\ngoto = "defeat"\n',
    )
    choice = load_story(path).nodes["opening"].choices[1]
    assert choice.target is None
    assert choice.targets == ("retreat", "defeat")
    assert choice.locked == "Not enough supply"
    assert [outcome.weight.evaluate({"supply": 4}, {}) for outcome in choice.outcomes] == [8, 1]


# --- immutability ------------------------------------------------------------------


def test_story_mappings_cannot_be_changed(story: Story) -> None:
    for mapping in (story.nodes, story.endings, story.variables):
        assert isinstance(mapping, MappingProxyType)
        with pytest.raises(TypeError):
            mapping["new"] = None  # type: ignore[index]
        with pytest.raises(TypeError):
            del mapping[next(iter(mapping))]  # type: ignore[attr-defined]
    assert isinstance(story.files, tuple)
    assert isinstance(story.nodes["opening"].choices, tuple)


def test_story_dataclasses_are_frozen(story: Story) -> None:
    opening = story.nodes["opening"]
    things: list[tuple[object, str]] = [
        (story, "title"),
        (opening, "title"),
        (opening.choices[0], "target"),
        (opening.choices[0].effects[0], "target"),
        (story.nodes["hold"].routes[0], "target"),
        (story.endings["victory"], "tone"),
        (story.variables["supply"], "default"),
        (opening.where, "line"),
        (opening.text, "parts"),
    ]
    for thing, attribute in things:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(thing, attribute, "changed")
    assert story.title == "A Test Story"


def _reachable(value: object, seen: set[int]) -> Iterator[object]:
    if id(value) in seen or isinstance(value, str | int | bool | type(None)):
        return
    seen.add(id(value))
    yield value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _reachable(getattr(value, item.name), seen)
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _reachable(key, seen)
            yield from _reachable(item, seen)
    elif isinstance(value, tuple | list | set | frozenset):
        for item in value:
            yield from _reachable(item, seen)


def test_no_mutable_containers_are_reachable(story: Story) -> None:
    for value in _reachable(story, set()):
        assert not isinstance(value, list | dict | set), value


def test_every_reachable_dataclass_is_frozen(story: Story) -> None:
    unfrozen = {
        type(value).__name__
        for value in _reachable(story, set())
        if dataclasses.is_dataclass(value)
        and not getattr(type(value), "__dataclass_params__").frozen  # noqa: B009
    }
    assert unfrozen == set()


# --- folder stories -------------------------------------------------------------------


def split_story(story_text: str) -> tuple[str, str]:
    """The valid story as a main file (up to node `hold`) and a chapter file (the rest)."""
    head, tail = story_text.split('[[node]]\nid = "hold"')
    return head, '# chapter two\n\n[[node]]\nid = "hold"' + tail


def test_folder_story_merges(tmp_path: Path, story_text: str, write_story: WriteStory) -> None:
    main, chapter = split_story(story_text)
    main_path = write_story(tmp_path, main)
    chapter_path = write_story(tmp_path, chapter, "chapters/two.toml")
    write_story(tmp_path, "this is not [valid toml", ".drafts/broken.toml")  # hidden: ignored
    write_story(tmp_path, "also not toml [", "notes.txt")  # not .toml: ignored
    story = load_story(tmp_path)
    assert list(story.nodes) == ["opening", "hold"]
    assert list(story.endings) == ["victory", "defeat", "retreat"]
    assert story.files == (str(main_path), str(chapter_path))
    assert story.nodes["hold"].where.file == str(chapter_path)
    assert story.nodes["hold"].where.line == 3
    assert story.endings["retreat"].where.file == str(chapter_path)
    assert story.root == str(tmp_path)


def test_folder_fingerprint_changes_with_any_file(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    main, chapter = split_story(story_text)
    write_story(tmp_path, main)
    chapter_path = write_story(tmp_path, chapter, "two.toml")
    first = load_story(tmp_path).fingerprint
    assert load_story(tmp_path).fingerprint == first
    chapter_path.write_text(chapter + "\n# an edit\n", encoding="utf-8")
    assert load_story(tmp_path).fingerprint != first


def test_duplicate_ids_across_files_name_both_places(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    main, chapter = split_story(story_text)
    main_path = write_story(tmp_path, main)
    write_story(tmp_path, chapter, "chapters/two.toml")
    extra = '\n\n[[ending]]\nid = "opening"\ntitle = "Again"\ntone = "grim"\nepilogue = "x"\n'
    extra_path = write_story(tmp_path, extra, "chapters/three.toml")
    found = only_problem(tmp_path)
    assert_problem(
        found,
        extra_path,
        4,
        "duplicate id 'opening'",
        f"a node at {main_path}:{line(main, OPENING_ID)}",
    )


def test_second_story_table_in_a_chapter(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    main, chapter = split_story(story_text)
    main_path = write_story(tmp_path, main)
    chapter = (
        '[story]\nid = "again"\ntitle = "T"\nsummary = "S"\nstart = "hold"\nera = "E"\n\n' + chapter
    )
    chapter_path = write_story(tmp_path, chapter, "two.toml")
    found = only_problem(tmp_path)
    assert_problem(
        found, chapter_path, 1, "a second [story] table", f"already described at {main_path}:1"
    )


def test_story_table_outside_the_main_file(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    main, chapter = split_story(story_text)
    header, rest = main.split("[variable.supply]")
    write_story(tmp_path, "[variable.supply]" + rest)
    chapter_path = write_story(tmp_path, header + chapter, "two.toml")
    found = only_problem(tmp_path)
    assert_problem(found, chapter_path, 1, "the [story] table belongs in", "story.toml")


def test_folder_without_a_main_file(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    write_story(tmp_path, story_text, "chapter.toml")
    found = only_problem(tmp_path)
    assert (found.file, found.line) == (str(tmp_path), 0)
    assert "needs a story.toml" in found.message


def test_missing_path(tmp_path: Path) -> None:
    found = only_problem(tmp_path / "nowhere.toml")
    assert (found.file, found.line, found.message) == (
        str(tmp_path / "nowhere.toml"),
        0,
        "no such file or folder",
    )


def test_too_many_files_in_a_folder(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    write_story(tmp_path, story_text)
    for number in range(MAX_FILES):
        write_story(tmp_path, f"# chapter {number}\n", f"chapters/c{number:03}.toml")
    found = only_problem(tmp_path)
    assert (found.file, found.line) == (str(tmp_path), 0)
    assert f"more than {MAX_FILES} files" in found.message


def test_problems_in_several_files_are_all_reported(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    main, chapter = split_story(story_text)
    main_path = write_story(tmp_path, edit(main, 'title = "The Opening"', 'titel = "The Opening"'))
    chapter_path = write_story(
        tmp_path, edit(chapter, 'tone = "grim"', 'tone = "gloomy"'), "two.toml"
    )
    found = problems(tmp_path)
    assert [(p.file, p.line) for p in found] == [
        (str(main_path), line(main, OPENING_ID) - 1),  # 'title' is missing: the [[node]] header
        (str(main_path), line(main, 'title = "The Opening"')),  # unknown field 'titel'
        (str(chapter_path), line(chapter, 'tone = "grim"')),
    ]
    assert "'title' is missing" in found[0].message
    assert "unknown field 'titel'" in found[1].message
    assert "'tone' should be one of" in found[2].message


# --- syntax and encoding errors --------------------------------------------------------


def test_toml_syntax_error(broken: Any) -> None:
    path, text = broken('title = "Holding"', 'title = "Holding')
    assert_problem(only_problem(path), path, line(text, 'title = "Holding'), "TOML syntax error")


def test_toml_duplicate_key_gets_a_hint(broken: Any) -> None:
    path, text = broken('title = "Holding"', 'title = "Holding"\ntitle = "Again"')
    assert_problem(
        only_problem(path),
        path,
        line(text, 'title = "Again"'),
        "TOML syntax error",
        "a key is set twice in the same table",
    )


def test_toml_unquoted_text_gets_a_hint(broken: Any) -> None:
    path, text = broken('era = "June 1941"', "era = June 1941")
    assert_problem(
        only_problem(path), path, line(text, "era = June"), "text needs quotes", "(column 7)"
    )


def test_toml_error_at_the_end_of_the_file(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    path = write_story(tmp_path, story_text + '\n[[ending]]\nepilogue = """\nnever closed\n')
    found = only_problem(path)
    assert found.file == str(path)
    assert "at the end of the file" in found.message
    assert "unterminated string" in found.message.lower()


def test_toml_error_at_the_end_of_the_file_points_near_the_problem(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    text = story_text + '\n[[ending]]\nepilogue = """\nnever closed\n'
    path = write_story(tmp_path, text)
    found = only_problem(path)
    last_line = len(text.split("\n"))
    assert line(text, 'epilogue = """') <= found.line <= last_line


def test_second_story_table_in_one_file_is_a_toml_error(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    text = story_text + '\n[story]\nid = "again"\n'
    path = write_story(tmp_path, text)
    second_header = len(text.split("\n")) - 2  # the text ends "[story]", 'id = "again"', ""
    assert_problem(only_problem(path), path, second_header, "a table is declared twice")


def test_non_utf8_bytes(tmp_path: Path, story_text: str, write_story: WriteStory) -> None:
    raw = edit(story_text, "The line holds", "The line \0 holds").encode().replace(b"\0", b"\xff")
    path = write_story(tmp_path, raw)
    assert_problem(
        only_problem(path),
        path,
        line(story_text, "The line holds"),
        "not UTF-8",
        "save it as UTF-8",
    )


def test_latin1_file(tmp_path: Path, story_text: str, write_story: WriteStory) -> None:
    text = edit(story_text, 'title = "Victory"', 'title = "Victoire \u00e0 Moscou"')
    path = write_story(tmp_path, text.encode("latin-1"))
    assert_problem(only_problem(path), path, line(text, "Victoire"), "not UTF-8")


def test_file_too_large(tmp_path: Path, story_text: str, write_story: WriteStory) -> None:
    path = write_story(tmp_path, story_text + "#" * (MAX_FILE_BYTES + 1) + "\n")
    found = only_problem(path)
    assert (found.file, found.line) == (str(path), 0)
    assert f"the limit is {MAX_FILE_BYTES}" in found.message


# --- validation errors (one file) -----------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragments"),
    [
        (
            'title = "Holding"',
            'title = "Holding"\ntitel = "x"',
            "titel",
            ["node \"hold\": unknown field 'titel'", "did you mean 'title'?"],
        ),
        (
            'label = "Fall back"',
            'label = "Fall back"\ngotoo = "x"',
            "gotoo",
            ["node \"opening\", choice 2: unknown field 'gotoo'", "did you mean 'goto'?"],
        ),
        (
            'era = "June 1941"',
            'era = "June 1941"\nauthor = "me"',
            "author =",
            ["[story]: unknown field 'author'", "did you mean 'authors'?"],
        ),
        (
            'label = "Supply"',
            'label = "Supply"\nmaximum = 3',
            "maximum",
            ["[variable.supply]: unknown field 'maximum'", "did you mean 'max'?"],
        ),
        (
            'tone = "grim"',
            'tone = "grim"\nepilog = "x"',
            "epilog =",
            ["ending \"defeat\": unknown field 'epilog'", "did you mean 'epilogue'?"],
        ),
        (
            '[[node.route]]\nif = "supply > 2"',
            '[[node.rout]]\nif = "supply > 2"',
            "[[node.rout]]",
            ["node \"hold\": unknown field 'rout'", "did you mean 'route'?"],
        ),
    ],
)
def test_unknown_fields(broken: Any, old: str, new: str, needle: str, fragments: list[str]) -> None:
    path, text = broken(old, new)
    assert_problem(only_problem(path), path, line(text, needle), *fragments)


def test_unknown_top_level_table(broken: Any) -> None:
    path, text = broken('[[node]]\nid = "hold"', '[[nodes]]\nid = "hold"')
    assert_problem(
        only_problem(path),
        path,
        line(text, "[[nodes]]"),
        "unknown field 'nodes'",
        "[variable.NAME]",
    )


def test_unknown_top_level_table_in_a_dotted_header(broken: Any) -> None:
    path, text = broken("[variable.supply]", "[variables.supply]")
    assert_problem(only_problem(path), path, line(text, "[variables.supply]"), "'variables'")


def test_unknown_field_without_a_close_name_lists_the_fields(broken: Any) -> None:
    path, text = broken('title = "Holding"', 'title = "Holding"\nzzzzzz = 1')
    assert_problem(only_problem(path), path, line(text, "zzzzzz"), "known fields: id, title")


@pytest.mark.parametrize(
    ("old", "new", "table_line", "fragments"),
    [
        ('title = "Holding"\n', "", '[[node]]\nid = "hold"', ["node \"hold\": 'title' is missing"]),
        ('tone = "grim"\n', "", 'id = "defeat"', ["ending \"defeat\": 'tone' is missing"]),
        ('era = "June 1941"\n', "", "[story]", ["[story]: 'era' is missing"]),
        (
            'label = "Alarmed"\n',
            "",
            "[variable.alarmed]",
            ["[variable.alarmed]: 'label' is missing"],
        ),
        (
            'label = "Hold the line"\n',
            "",
            'goto = "hold"',
            ["node \"opening\", choice 1: 'label' is missing"],
        ),
    ],
)
def test_missing_required_fields(
    broken: Any, old: str, new: str, table_line: str, fragments: list[str]
) -> None:
    path, text = broken(old, new)
    expected = {
        '[[node]]\nid = "hold"': line(text, 'id = "hold"') - 1,
        'id = "defeat"': line(text, 'id = "defeat"') - 1,
        'goto = "hold"': line(text, 'goto = "hold"') - 1,
    }.get(table_line) or line(text, table_line)
    assert_problem(only_problem(path), path, expected, *fragments)


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        ('title = "Holding"', "title = 5", ["'title' should be text in quotes"]),
        ("default = 3", "default = 3.5", ["[variable.supply]: 'default'"]),
        ("min = 0", 'min = "zero"', ["'min' should be a whole number"]),
        (
            'label = "Fall back"',
            'label = "Fall back"\nonce = "perhaps"',
            ["'once' should be true or false"],
        ),
        ('summary = "A small story for the tests."', "summary = []", ["'summary' should be text"]),
        (
            'tone = "grim"',
            'tone = "grim"\ncontent_warnings = "war"',
            ["'content_warnings' should be a list"],
        ),
        (
            'text = "The line holds, for now."',
            'text = "The line holds, for now."\nchoice = 3',
            ["'choice'"],
        ),
        (
            'summary = "A small story for the tests."',
            'summary = ""',
            ["'summary' must not be empty"],
        ),
        ('title = "Holding"', f'title = "{"H" * 81}"', ["'title' is longer than 80 characters"]),
    ],
)
def test_wrong_types(broken: Any, old: str, new: str, fragments: list[str]) -> None:
    path, text = broken(old, new)
    needle = new.split("\n")[-1]
    assert_problem(only_problem(path), path, line(text, needle), *fragments)


@pytest.mark.parametrize("value", ['"yes"', '"true"', "1"])
def test_booleans_are_not_coerced(broken: Any, value: str) -> None:
    path, text = broken('label = "Fall back"', f'label = "Fall back"\nonce = {value}')
    assert_problem(only_problem(path), path, line(text, "once ="), "'once' should be true or false")


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        ('id = "hold"', 'id = "9hold"', ["'id' = '9hold' is not a valid id"]),
        (
            'id = "test_story"',
            'id = "test story"',
            ["[story]: 'id' = 'test story' is not a valid id"],
        ),
        ('id = "victory"', 'id = "vic-tory"', ["'id' = 'vic-tory' is not a valid id"]),
        ('goto = "hold"', 'goto = "hold!"', ["'goto' = 'hold!' is not a valid id"]),
        ('start = "opening"', 'start = ""', ["'start' = '' is not a valid id"]),
    ],
)
def test_bad_id_pattern(broken: Any, old: str, new: str, fragments: list[str]) -> None:
    path, text = broken(old, new)
    # Renaming an id also leaves references to the old id dangling, which is reported too.
    found = [p for p in problems(path) if "is not a valid id" in p.message]
    assert len(found) == 1, found
    assert_problem(found[0], path, line(text, new), *fragments)


def test_one_bad_field_does_not_hide_other_problems(broken: Any) -> None:
    path, text = broken('tone = "grim"', 'tone = "gloomy"')
    text = edit(text, 'goto = "hold"', 'goto = "hodl"')
    path.write_text(text, encoding="utf-8")
    messages = [p.message for p in problems(path)]
    assert any("'tone' should be one of" in m for m in messages)
    assert any("'goto' names 'hodl'" in m and "did you mean 'hold'?" in m for m in messages)


def test_bad_tone(broken: Any) -> None:
    path, text = broken('tone = "grim"', 'tone = "gloomy"')
    assert_problem(
        only_problem(path),
        path,
        line(text, "gloomy"),
        "ending \"defeat\": 'tone' should be one of",
        "'triumph'",
        "'catastrophe'",
    )


def test_bad_variable_type_name(broken: Any) -> None:
    path, text = broken('label = "Supply"', 'label = "Supply"\ntype = "float"')
    assert_problem(only_problem(path), path, line(text, "float"), "'type' should be one of 'int'")


# --- cross-reference errors ----------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        (
            'goto = "defeat"',
            'goto = "defaet"',
            ["node \"hold\", route 2: 'goto' names 'defaet'", "did you mean 'defeat'?"],
        ),
        (
            'goto = "retreat"',
            'goto = "retreet"',
            ["node \"opening\", choice 2: 'goto' names 'retreet'", "did you mean 'retreat'?"],
        ),
        (
            'goto = "victory"',
            'goto = "zzzzzz"',
            ["'goto' names 'zzzzzz', which is neither a node nor an ending"],
        ),
    ],
)
def test_unknown_goto_target(broken: Any, old: str, new: str, fragments: list[str]) -> None:
    path, text = broken(old, new)
    assert_problem(only_problem(path), path, line(text, new), *fragments)


def test_unknown_outcome_target(broken: Any) -> None:
    path, text = broken(
        'goto = "retreat"\n',
        '[[node.choice.outcome]]\nweight = 1\ngoto = "retreet"\n',
    )
    assert_problem(
        only_problem(path),
        path,
        line(text, "retreet"),
        'node "opening", choice 2, outcome 1',
        "did you mean 'retreat'?",
    )


@pytest.mark.parametrize(
    ("old", "new", "fragments"),
    [
        (
            'if = "supply > 2"',
            'if = "suply > 2"',
            [
                "node \"hold\", route 1: in condition 'suply > 2': unknown variable 'suply'",
                "did you mean 'supply'?",
                "(column 1)",
            ],
        ),
        (
            'label = "Fall back"',
            'label = "Fall back"\nif = "alarmed or suply > 2"',
            ["choice 2: in condition", "unknown variable 'suply'", "(column 12)"],
        ),
        (
            'tone = "grim"',
            'tone = "grim"\nif = "not alarmd"',
            ['ending "defeat": in condition', "unknown variable 'alarmd'", "(column 5)"],
        ),
    ],
)
def test_unknown_variable_in_a_condition(
    broken: Any, old: str, new: str, fragments: list[str]
) -> None:
    path, text = broken(old, new)
    assert_problem(only_problem(path), path, line(text, new.split("\n")[-1]), *fragments)


@pytest.mark.parametrize(
    ("old", "new", "needle", "fragments"),
    [
        (
            'effects = "alarmed = true"',
            'effects = "alarmed = true; suply += 1"',
            "suply += 1",
            [
                "choice 2: in effects",
                "unknown variable 'suply'",
                "did you mean 'supply'?",
                "(column 17)",
            ],
        ),
        (
            'title = "Holding"',
            'title = "Holding"\neffects = "alarmd = true"',
            "alarmd = true",
            ['node "hold": in effects', "unknown variable 'alarmd'"],
        ),
        (
            'goto = "victory"',
            'goto = "victory"\neffects = "supply += alarmed"',
            "supply += alarmed",
            ["route 1: in effects", "'supply' holds a number, but this value is true/false"],
        ),
        (
            'effects = "supply -= 1"',
            'effects = "faction = \\"sofiets\\""',
            "sofiets",
            ["'faction' cannot be \"sofiets\"", "(column 11)"],
        ),
    ],
)
def test_unknown_variable_in_effects(
    broken: Any, old: str, new: str, needle: str, fragments: list[str]
) -> None:
    path, text = broken(old, new)
    assert_problem(only_problem(path), path, line(text, needle), *fragments)


def test_unknown_variable_in_weight(broken: Any) -> None:
    path, text = broken(
        'goto = "retreat"\n',
        '[[node.choice.outcome]]\nweight = "suply * 2"\ngoto = "retreat"\n',
    )
    assert_problem(
        only_problem(path), path, line(text, "suply * 2"), "outcome 1: in weight", "'suply'"
    )


def test_unknown_variable_in_multi_line_text_points_inside_the_string(broken: Any) -> None:
    path, text = broken("{if alarmed}", "{if alarmd}")
    found = only_problem(path)
    assert_problem(
        found,
        path,
        line(text, "{if alarmd}"),
        "node \"opening\": in 'text': unknown variable 'alarmd'",
        "did you mean 'alarmed'?",
    )
    assert found.line == line(text, 'text = """') + 2  # the second line of the text


def test_error_deep_in_a_long_multi_line_text(broken: Any) -> None:
    body = "\n".join(f"Paragraph {n}." for n in range(1, 40))
    path, text = broken(
        'text = "The line holds, for now."',
        f'text = """\n{body}\n\nAnd then {{supply + faction}}.\n"""',
    )
    assert_problem(
        only_problem(path), path, line(text, "And then"), "in 'text'", "'+' works on numbers"
    )


def test_error_in_text_that_starts_on_the_key_line(broken: Any) -> None:
    path, text = broken('text = """\nYou have', 'text = """You have')
    text = edit(text, "{if alarmed}", "{if alarmd}")
    path.write_text(text, encoding="utf-8")
    assert_problem(only_problem(path), path, line(text, "{if alarmd}"), "'alarmd'")


def test_error_in_literal_multi_line_text(broken: Any) -> None:
    path, text = broken('text = """\nYou have', "text = '''\nYou have")
    text = edit(edit(text, '{end}\n"""', "{end}\n'''"), "{if alarmed}", "{if alarmd}")
    path.write_text(text, encoding="utf-8")
    assert_problem(only_problem(path), path, line(text, "{if alarmd}"), "'alarmd'")


def test_unknown_variable_in_an_epilogue(broken: Any) -> None:
    path, text = broken(
        'epilogue = "The line broke."',
        'epilogue = """\nThe line\nbroke.\n\nWith {suply} trains left.\n"""',
    )
    assert_problem(
        only_problem(path),
        path,
        line(text, "{suply}"),
        "ending \"defeat\": in 'epilogue': unknown variable 'suply'",
    )


def test_unclosed_if_in_text_points_at_the_if(broken: Any) -> None:
    path, text = broken("{end}\n", "")
    assert_problem(only_problem(path), path, line(text, "{if alarmed}"), "never closed")


def test_text_error_in_a_single_line_string_with_escaped_newlines(broken: Any) -> None:
    path, text = broken(
        'text = "The line holds, for now."', 'text = "The line holds.\\n\\n{suply}"'
    )
    assert_problem(only_problem(path), path, line(text, "{suply}"), "'suply'")


def test_text_error_after_a_line_ending_backslash(broken: Any) -> None:
    path, text = broken(
        'text = "The line holds, for now."',
        'text = """\\\n    The line holds,\\\n    for now.\n    {suply}\n"""',
    )
    assert_problem(only_problem(path), path, line(text, "{suply}"), "'suply'")


def test_text_error_with_spaces_after_the_opening_quotes(broken: Any) -> None:
    path, text = broken('text = """\nYou have', 'text = """  \nYou have')
    text = edit(text, "{if alarmed}", "{if alarmd}")
    path.write_text(text, encoding="utf-8")
    assert_problem(only_problem(path), path, line(text, "{if alarmd}"), "'alarmd'")


def test_line_separator_in_prose_does_not_shift_later_lines(broken: Any) -> None:
    path, text = broken("You have {supply} trains", "You have\u2028{supply} trains")
    text = edit(text, 'tone = "grim"', 'tone = "gloomy"')
    path.write_text(text, encoding="utf-8")
    assert_problem(only_problem(path), path, line(text, "gloomy"), "'tone' should be one of")


# --- story-level errors ----------------------------------------------------------------


def test_missing_start_node(broken: Any) -> None:
    path, text = broken('start = "opening"', 'start = "openin"')
    assert_problem(
        only_problem(path),
        path,
        line(text, 'start = "openin"'),
        "start node 'openin' does not exist",
        "did you mean 'opening'?",
    )


def test_start_that_is_an_ending(broken: Any) -> None:
    path, text = broken('start = "opening"', 'start = "victory"')
    assert_problem(
        only_problem(path), path, line(text, 'start = "victory"'), "start 'victory' is an ending"
    )


def test_duplicate_ids_in_one_file(broken: Any) -> None:
    path, text = broken('id = "retreat"', 'id = "hold"')
    lines = [
        number for number, content in enumerate(text.split("\n"), 1) if content == 'id = "hold"'
    ]
    assert len(lines) == 2
    duplicate = [p for p in problems(path) if "duplicate id" in p.message]
    assert len(duplicate) == 1
    assert_problem(
        duplicate[0],
        path,
        lines[1],
        "duplicate id 'hold'",
        f"a node at {path}:{lines[0]} has it already",
    )


def test_duplicate_variable_across_files(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    main, chapter = split_story(story_text)
    main_path = write_story(tmp_path, main)
    chapter = '[variable.supply]\nlabel = "Again"\ndefault = 1\n\n' + chapter
    chapter_path = write_story(tmp_path, chapter, "two.toml")
    assert_problem(
        only_problem(tmp_path),
        chapter_path,
        1,
        "variable 'supply' is declared twice",
        f"first at {main_path}:{line(main, '[variable.supply]')}",
    )


# --- variable errors ----------------------------------------------------------------------


def test_default_outside_min_max(broken: Any) -> None:
    path, text = broken("default = 3", "default = 30")
    found = problems(path)
    assert_problem(
        found[0], path, line(text, "default = 30"), "variable 'supply': default 30 is outside 0..10"
    )


def test_default_below_min(broken: Any) -> None:
    path, text = broken("default = 3", "default = -1")
    found = problems(path)
    assert_problem(found[0], path, line(text, "default = -1"), "default -1 is outside 0..10")


def test_min_greater_than_max(broken: Any) -> None:
    path, text = broken("min = 0\nmax = 10", "min = 10\nmax = 0")
    found = problems(path)
    assert_problem(found[0], path, line(text, "[variable.supply]"), "min 10 is greater than max 0")


def test_str_variable_without_values(broken: Any) -> None:
    path, text = broken('values = ["soviets", "allies", "neutral"]\n', "")
    found = problems(path)
    assert_problem(
        found[0], path, line(text, "[variable.faction]"), "text variable 'faction' needs 'values'"
    )


def test_str_variable_default_not_in_values(broken: Any) -> None:
    path, text = broken('default = "soviets"', 'default = "nazis"')
    found = problems(path)
    assert_problem(
        found[0], path, line(text, 'default = "nazis"'), "default 'nazis' is not one of its values"
    )


def test_declared_type_disagrees_with_default(broken: Any) -> None:
    path, text = broken("default = false", 'default = false\ntype = "int"')
    found = problems(path)
    assert_problem(found[0], path, line(text, "default = false"), "declared int, but its default")


def test_min_on_a_bool(broken: Any) -> None:
    path, text = broken("default = false", "default = false\nmin = 0")
    found = problems(path)
    assert_problem(
        found[0], path, line(text, "[variable.alarmed]"), "min and max only apply to numbers"
    )


def test_values_on_an_int(broken: Any) -> None:
    path, text = broken("max = 10", 'max = 10\nvalues = ["a"]')
    found = problems(path)
    assert_problem(found[0], path, line(text, "[variable.supply]"), "'values' only applies to text")


@pytest.mark.parametrize("name", ["not", "visits", "true", "min", "end", "elif"])
def test_variable_named_like_a_keyword(broken: Any, name: str) -> None:
    path, text = broken("[variable.alarmed]", f"[variable.{name}]")
    found = problems(path)
    assert_problem(
        found[0], path, line(text, f"[variable.{name}]"), "a word of the expression or text"
    )


def test_variable_with_a_bad_name(broken: Any) -> None:
    path, text = broken("[variable.alarmed]", '[variable."bad name"]')
    found = problems(path)
    assert_problem(
        found[0], path, line(text, "bad name"), "must use letters, digits and underscores"
    )


# --- choice and node errors ----------------------------------------------------------------


def test_locked_without_if(broken: Any) -> None:
    path, text = broken('goto = "retreat"', 'goto = "retreat"\nlocked = "Not yet"')
    assert_problem(only_problem(path), path, line(text, "locked ="), "'locked'", "has no 'if'")


def test_choice_with_both_goto_and_outcomes(broken: Any) -> None:
    path, text = broken(
        'goto = "retreat"\n',
        'goto = "retreat"\n[[node.choice.outcome]]\nweight = 1\ngoto = "defeat"\n',
    )
    assert_problem(
        only_problem(path),
        path,
        line(text, 'label = "Fall back"') - 1,
        "choice 'Fall back' has both 'goto' and outcomes",
    )


def test_choice_with_neither_goto_nor_outcomes(broken: Any) -> None:
    path, text = broken('goto = "retreat"\n', "")
    assert_problem(
        only_problem(path),
        path,
        line(text, 'label = "Fall back"') - 1,
        "choice 'Fall back' needs a 'goto' or [[node.choice.outcome]] tables",
    )


def test_duplicate_choice_keys(broken: Any) -> None:
    path, text = broken('label = "Fall back"', 'id = "hold"\nlabel = "Fall back"')
    assert_problem(
        only_problem(path),
        path,
        line(text, 'label = "Fall back"') - 2,
        "two choices of node 'opening' are both called 'hold'",
        f"the other at {path}:{line(text, HOLD_LABEL) - 1}",
    )


def test_choices_to_the_same_target_get_numbered_keys(broken: Any) -> None:
    path, _text = broken('goto = "retreat"', 'goto = "hold"')
    choices = load_story(path).nodes["opening"].choices
    assert [choice.key for choice in choices] == ["choice1", "choice2"]


def test_node_without_choices_routes_or_outcomes(broken: Any) -> None:
    path, text = broken(
        '[[node.route]]\nif = "supply > 2"\ngoto = "victory"\n\n[[node.route]]\ngoto = "defeat"\n',
        "",
    )
    assert_problem(
        only_problem(path),
        path,
        line(text, 'id = "hold"') - 1,
        "node 'hold' has no choices, routes or outcomes",
    )


def test_choices_beside_node_level_outcomes(broken: Any) -> None:
    path, text = broken(
        'effects = "alarmed = true"\n',
        'effects = "alarmed = true"\n\n[[node.outcome]]\nweight = 1\ngoto = "defeat"\n',
    )
    assert_problem(
        only_problem(path), path, line(text, "[[node.outcome]]"), "its choices could never be taken"
    )


def test_missing_story_table(tmp_path: Path, story_text: str, write_story: WriteStory) -> None:
    path = write_story(tmp_path, "\n\n" + story_text[story_text.index("[variable.supply]") :])
    assert_problem(
        only_problem(path), path, 1, "no [story] table", "id, title, summary, start and era"
    )


# --- several problems at once --------------------------------------------------------


def test_several_validation_errors_are_reported_together(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    text = edit(story_text, 'title = "Holding"', 'titel = "Holding"')
    text = edit(text, 'tone = "grim"', 'tone = "gloomy"')
    text = edit(text, 'id = "victory"', 'id = "9victory"')
    text = edit(text, "min = 0", 'min = "zero"')
    path = write_story(tmp_path, text)
    found = problems(path)
    assert [p.line for p in found] == sorted(
        [
            line(text, 'min = "zero"'),
            line(text, 'id = "hold"') - 1,  # title missing: the [[node]] header
            line(text, "titel"),
            line(text, "9victory"),
            line(text, "gloomy"),
        ]
    )
    assert all(p.file == str(path) for p in found)


def test_several_cross_reference_errors_are_reported_together(
    tmp_path: Path, story_text: str, write_story: WriteStory
) -> None:
    text = edit(story_text, 'goto = "defeat"', 'goto = "defaet"')
    text = edit(text, 'if = "supply > 2"', 'if = "suply > 2"')
    text = edit(text, "{if alarmed}", "{if alarmd}")
    text = edit(text, 'effects = "supply -= 1"', 'effects = "suply -= 1"')
    text = edit(text, 'start = "opening"', 'start = "openin"')
    text = edit(text, 'goto = "retreat"', 'goto = "retreat"\nlocked = "x"')
    path = write_story(tmp_path, text)
    found = problems(path)
    assert [p.line for p in found] == sorted(
        [
            line(text, 'start = "openin"'),
            line(text, "{if alarmd}"),
            line(text, "suply -= 1"),
            line(text, "locked"),
            line(text, "suply > 2"),
            line(text, "defaet"),
        ]
    )
    assert "6 errors" in str(StoryError(found))


def test_story_error_report_format(broken: Any) -> None:
    path, text = broken('tone = "grim"', 'tone = "gloomy"')
    with pytest.raises(StoryError) as caught:
        load_story(path)
    report = str(caught.value).split("\n")
    assert report[0].startswith(f"{path}:{line(text, 'gloomy')}: E003: ending ")
    assert '"defeat"' in report[0]
    assert report[-1] == "1 error"


# --- robustness ------------------------------------------------------------------------


def test_long_flat_condition_does_not_crash_the_loader(broken: Any) -> None:
    # 498 terms and no parentheses: nothing for MAX_DEPTH to refuse, so it must simply work
    condition = "n" + "+n" * 497 + " > 2"
    assert len(condition) < 1000
    path, text = broken(
        "[variable.alarmed]", '[variable.n]\nlabel = "N"\ndefault = 1\n\n[variable.alarmed]'
    )
    path.write_text(edit(text, 'if = "supply > 2"', f'if = "{condition}"'), encoding="utf-8")
    condition_of_hold = load_story(path).nodes["hold"].routes[0].condition
    assert condition_of_hold is not None
    assert condition_of_hold.evaluate({"n": 1}, {}) is True
