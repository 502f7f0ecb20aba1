"""The TOML line scanner: key paths to line numbers, kept in step with tomllib."""

from __future__ import annotations

import tomllib

import pytest

from game.story.tomlpos import LineMap


def line(source: str, needle: str) -> int:
    """The 1-based line of the only line containing `needle`."""
    found = [number for number, text in enumerate(source.split("\n"), 1) if needle in text]
    assert len(found) == 1, f"{needle!r} is on lines {found}"
    return found[0]


def scan(source: str) -> LineMap:
    tomllib.loads(source)  # every document here is valid TOML
    return LineMap(source)


NESTED = """\
# a comment line
[story]
id = "x"

[[node]]
id = "first"

[[node.choice]]
goto = "a"

[[node.choice.outcome]]
weight = 1

[[node.choice.outcome]]
weight = 2

[[node.choice]]
goto = "b"

[[node.route]]
goto = "c"

[[node]]
id = "second"
  [[node.choice]]   # indented, with a comment
  goto = "d"

[[ending]]
id = "end"
"""


@pytest.mark.parametrize(
    ("path", "needle"),
    [
        (("story",), "[story]"),
        (("story", "id"), 'id = "x"'),
        (("node", 0), 'id = "first"'),  # checked below: the header line, not the id
        (("node", 0, "id"), 'id = "first"'),
        (("node", 0, "choice", 0, "goto"), 'goto = "a"'),
        (("node", 0, "choice", 0, "outcome", 0, "weight"), "weight = 1"),
        (("node", 0, "choice", 0, "outcome", 1, "weight"), "weight = 2"),
        (("node", 0, "choice", 1, "goto"), 'goto = "b"'),
        (("node", 0, "route", 0, "goto"), 'goto = "c"'),
        (("node", 1, "id"), 'id = "second"'),
        (("node", 1, "choice", 0), "indented"),
        (("node", 1, "choice", 0, "goto"), 'goto = "d"'),
        (("ending", 0, "id"), 'id = "end"'),
    ],
)
def test_nested_arrays_of_tables(path: tuple[str | int, ...], needle: str) -> None:
    expected = line(NESTED, needle)
    if path == ("node", 0):
        expected -= 1  # the [[node]] header just above
    assert scan(NESTED).line_of(path) == expected


def test_array_headers_and_elements() -> None:
    lines = scan(NESTED)
    assert lines.line_of(("node",)) == 5  # the first [[node]]
    assert lines.line_of(("node", 1)) == 23
    assert lines.line_of(("node", 0, "choice", 0)) == 8
    assert lines.line_of(("node", 0, "choice", 1)) == 17
    assert lines.line_of(("node", 0, "choice", 0, "outcome", 1)) == 14
    assert lines.line_of(("node", 0, "route", 0)) == 20
    assert lines.line_of(("ending", 0)) == 28


def test_longest_known_prefix_and_unknown_paths() -> None:
    lines = scan(NESTED)
    # a key that is not written (a missing field) falls back to its table
    assert lines.line_of(("node", 1, "title")) == 23
    assert lines.line_of(("node", 0, "choice", 1, "outcome", 0, "weight")) == 17
    assert lines.line_of(("nothing", "here")) == 1
    assert lines.line_of(()) == 1


def test_dotted_and_quoted_keys() -> None:
    source = """\
[story]
a.b.c = 1
"quoted key" = 2
'literal key' = 3
"dotted.inside" = 4
site . "name" . x = 5

[variable."odd name"]
default = 1

[variable.'single']
default = 2

[variable . spaced]
default = 3
"""
    lines = scan(source)
    assert lines.line_of(("story", "a", "b", "c")) == 2
    assert lines.line_of(("story", "quoted key")) == 3
    assert lines.line_of(("story", "literal key")) == 4
    assert lines.line_of(("story", "dotted.inside")) == 5
    assert lines.line_of(("story", "site", "name", "x")) == 6
    assert lines.line_of(("variable", "odd name")) == 8
    assert lines.line_of(("variable", "odd name", "default")) == 9
    assert lines.line_of(("variable", "single", "default")) == 12
    assert lines.line_of(("variable", "spaced", "default")) == 15


def test_dotted_keys_at_the_top_level() -> None:
    source = 'variable.supply.default = 3\nvariable.supply.label = "S"\n'
    lines = scan(source)
    assert lines.line_of(("variable", "supply", "default")) == 1
    assert lines.line_of(("variable", "supply", "label")) == 2
    assert lines.line_of(("variable", "supply")) == 1  # nothing recorded: falls back to 1


def test_multi_line_strings_are_skipped() -> None:
    source = '''\
[[node]]
id = "real"
text = """
[[node]]
id = "fake"
key = value
[story]
"""
title = "after basic"
history = \'\'\'
[[ending]]
goto = "fake"
\'\'\'
discuss = "after literal"

[[node]]
id = "second"
'''
    data = tomllib.loads(source)
    assert len(data["node"]) == 2
    lines = LineMap(source)
    assert lines.line_of(("node", 0, "text")) == 3
    assert lines.line_of(("node", 0, "title")) == 9
    assert lines.line_of(("node", 0, "history")) == 10
    assert lines.line_of(("node", 0, "discuss")) == 14
    assert lines.line_of(("node", 1)) == 16
    assert lines.line_of(("node", 1, "id")) == 17
    assert ("node", 0, "id") in lines.lines
    assert ("story",) not in lines.lines
    assert ("ending",) not in lines.lines
    assert ("node", 2) not in lines.lines


def test_multi_line_string_quotes_and_escapes() -> None:
    source = '''\
[[node]]
one = """closes on the same line"""
two = """escaped \\""" is not the end
[[node]]
still = "inside"
"""
three = """ends with a quote in the text""""
four = """
even backslashes \\\\"""
five = \'\'\'a "literal" with """ inside
[[node]]
\'\'\'
six = 6
'''
    data = tomllib.loads(source)
    assert len(data["node"]) == 1
    lines = LineMap(source)
    assert lines.line_of(("node", 0, "one")) == 2
    assert lines.line_of(("node", 0, "two")) == 3
    assert lines.line_of(("node", 0, "three")) == 7
    assert lines.line_of(("node", 0, "four")) == 8
    assert lines.line_of(("node", 0, "five")) == 10
    assert lines.line_of(("node", 0, "six")) == 13
    assert ("node", 1) not in lines.lines


def test_text_offset_for_multi_line_strings() -> None:
    source = '''\
[[node]]
a = """
starts on the next line
"""
b = """starts on the key line
"""
c = \'\'\'
literal, next line
\'\'\'
d = "single line"
'''
    lines = scan(source)
    assert lines.text_offset(("node", 0, "a")) == 1
    assert lines.text_offset(("node", 0, "b")) == 0
    assert lines.text_offset(("node", 0, "c")) == 1
    assert lines.text_offset(("node", 0, "d")) == 0
    assert lines.text_offset(("node", 0, "missing")) == 0


def test_multi_line_arrays() -> None:
    source = """\
[[node]]
sources = [
  "one ] with a bracket",
  'two [ with another',
  "three # not a comment ]",  # a comment with ] and [[
  [1, [2, 3]],
]
effects = [
  "supply += 1",
  "alarmed = true"]
title = "after"
inline = { a = 1, b = [
  2, 3] }
after_inline = 1

[[node]]
id = "second"
"""
    lines = scan(source)
    assert lines.line_of(("node", 0, "sources")) == 2
    assert lines.line_of(("node", 0, "effects")) == 8
    assert lines.line_of(("node", 0, "title")) == 11
    assert lines.line_of(("node", 0, "inline")) == 12
    assert lines.line_of(("node", 0, "after_inline")) == 14
    assert lines.line_of(("node", 1, "id")) == 17


def test_comments_blank_lines_and_windows_line_endings() -> None:
    source = "# top\r\n\r\n[story]  # the story\r\nid = 'x' # id\r\n\r\n[[node]]\r\nid = 'n'\r\n"
    lines = scan(source)
    assert lines.line_of(("story",)) == 3
    assert lines.line_of(("story", "id")) == 4
    assert lines.line_of(("node", 0, "id")) == 7


def test_sub_tables_of_array_elements() -> None:
    # a [node.extra] sub-table belongs to the latest [[node]]
    source = "[[node]]\nid = 'a'\n[node.extra]\nx = 1\n[[node]]\nid = 'b'\n[node.extra]\nx = 2\n"
    lines = scan(source)
    assert lines.line_of(("node", 0, "extra", "x")) == 4
    assert lines.line_of(("node", 1, "extra")) == 7
    assert lines.line_of(("node", 1, "extra", "x")) == 8


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_inside_strings_and_comments(separator: str) -> None:
    source = f'[[node]]\nid = "a{separator}b"\n# note{separator}here\ntitle = "x"\n'
    lines = scan(source)
    assert lines.line_of(("node", 0, "title")) == 4


@pytest.mark.parametrize(
    "value",
    [
        '[\n  """\nSmith (1990) [see\n""",\n]',
        "[\n'''\n]\n[[node]]\n''',\n]",
        '{ a = """\n[[fake]]\n""" }',
    ],
    ids=["bracket-in-basic", "bracket-in-literal", "inline-table"],
)
def test_multi_line_strings_inside_arrays_and_inline_tables(value: str) -> None:
    source = f'[[node]]\nid = "a"\nsources = {value}\ntitle = "x"\n\n[[node]]\nid = "b"\n'
    lines = scan(source)
    assert lines.line_of(("node", 0, "title")) == line(source, 'title = "x"')
    assert lines.line_of(("node", 1, "id")) == line(source, 'id = "b"')


def test_text_offset_with_spaces_after_the_opening_quotes() -> None:
    source = '[[node]]\ntext = """  \nsecond line of the text\n"""\n'
    assert tomllib.loads(source)["node"][0]["text"].startswith("  \n")
    assert LineMap(source).text_offset(("node", 0, "text")) == 0
