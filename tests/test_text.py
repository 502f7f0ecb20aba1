"""Narrative templates: interpolation, conditional passages, literal braces and errors."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from game.story.expr import ExprError, Scope, Value, VarSpec
from game.story.text import MAX_NESTING, Template, TemplateError, compile_template, format_value

SCOPE = Scope(
    {
        "supply": VarSpec("int", minimum=0, maximum=10),
        "alarmed": VarSpec("bool"),
        "faction": VarSpec("str", frozenset({"soviets", "allies"})),
    },
    frozenset({"opening", "victory"}),
)

VARS: dict[str, Value] = {"supply": 3, "alarmed": True, "faction": "soviets"}


def render(
    source: str,
    variables: Mapping[str, Value] | None = None,
    visits: Mapping[str, int] | None = None,
) -> str:
    return compile_template(source, SCOPE).render({**VARS, **(variables or {})}, visits or {})


def error(source: str) -> TemplateError:
    with pytest.raises(TemplateError) as caught:
        compile_template(source, SCOPE)
    return caught.value


# --- interpolation ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("", ""),
        ("plain text, no tags", "plain text, no tags"),
        ("You have {supply} trains.", "You have 3 trains."),
        ("{supply * 2 + 1}", "7"),
        ("{ supply }", "3"),
        ("{faction}", "soviets"),
        ("{supply}{supply}", "33"),
        ("{visits(opening)} {visited(victory)}", "2 no"),
        ("{-supply}", "-3"),
    ],
)
def test_interpolation(source: str, expected: str) -> None:
    assert render(source, visits={"opening": 2}) == expected


def test_booleans_show_as_yes_and_no() -> None:
    assert render("{alarmed} / {not alarmed}") == "yes / no"
    assert render("{supply > 5}") == "no"
    assert format_value(True) == "yes"
    assert format_value(False) == "no"
    assert format_value(0) == "0"
    assert format_value("text") == "text"


def test_interpolation_follows_the_variables() -> None:
    template = compile_template("{supply} and {alarmed}", SCOPE)
    assert template.render({"supply": 9, "alarmed": False}, {}) == "9 and no"
    assert template.render({"supply": 0, "alarmed": True}, {}) == "0 and yes"


def test_reads_and_places_are_collected() -> None:
    template = compile_template(
        "{supply} {if alarmed}x{elif visited(victory)}y{end} {visits(opening)}", SCOPE
    )
    assert isinstance(template, Template)
    assert template.reads == frozenset({"supply", "alarmed"})
    assert template.places == frozenset({"victory", "opening"})


# --- conditional passages ------------------------------------------------------------


@pytest.mark.parametrize(
    ("supply", "alarmed", "expected"),
    [(9, False, "big"), (3, False, "middling"), (1, True, "small but alarmed"), (1, False, "tiny")],
)
def test_if_elif_else(supply: int, alarmed: bool, expected: str) -> None:
    source = (
        "{if supply > 5}big{elif supply > 2}middling{elif alarmed}small but alarmed{else}tiny{end}"
    )
    assert render(source, {"supply": supply, "alarmed": alarmed}) == expected


def test_if_without_else_shows_nothing_when_false() -> None:
    assert render("a{if supply > 5}B{end}c") == "ac"
    assert render("a{if supply > 1}B{end}c") == "aBc"
    assert render("a{if supply > 5}B{elif false}C{end}c") == "ac"


def test_first_true_branch_wins() -> None:
    assert render("{if supply > 1}one{elif supply > 2}two{else}three{end}") == "one"


@pytest.mark.parametrize(
    ("alarmed", "supply", "expected"),
    [(True, 3, "[alarmed, well supplied]"), (True, 0, "[alarmed, short]"), (False, 3, "[calm]")],
)
def test_nesting(alarmed: bool, supply: int, expected: str) -> None:
    source = "[{if alarmed}alarmed, {if supply > 2}well supplied{else}short{end}{else}calm{end}]"
    assert render(source, {"alarmed": alarmed, "supply": supply}) == expected


def test_standalone_tag_lines_are_removed() -> None:
    source = "Before.\n{if alarmed}\nAlarmed.\n{else}\nCalm.\n{end}\nAfter.\n"
    assert render(source) == "Before.\nAlarmed.\nAfter.\n"
    assert render(source, {"alarmed": False}) == "Before.\nCalm.\nAfter.\n"


def test_standalone_tags_may_be_indented_and_nested() -> None:
    source = "Start\n  {if alarmed}  \n\t{if supply > 1}\nDeep\n    {end}\n{end}\nEnd"
    assert render(source) == "Start\nDeep\nEnd"
    assert render(source, {"alarmed": False}) == "Start\nEnd"


def test_standalone_tag_on_the_last_line() -> None:
    assert render("Text\n{if alarmed}\nshown\n{end}") == "Text\nshown\n"


def test_standalone_tag_with_windows_line_endings() -> None:
    assert render("a\r\n{if alarmed}\r\nb\r\n{end}\r\nc") == "a\r\nb\r\nc"


def test_tags_sharing_a_line_with_text_keep_the_line() -> None:
    assert render("x {if alarmed}\ny\n{end} z") == "x \ny\n z"
    assert render("Supply:\n{supply}\n") == "Supply:\n3\n"  # interpolations are never removed


def test_blank_lines_around_passages_are_kept() -> None:
    source = "One.\n\n{if alarmed}\nTwo.\n{end}\n\nThree."
    assert render(source) == "One.\n\nTwo.\n\nThree."
    assert render(source, {"alarmed": False}) == "One.\n\n\nThree."


def test_keywords_allow_spaces_and_parentheses() -> None:
    assert render("{ if alarmed }x{ else }y{ end }") == "x"
    assert render("{if(alarmed)}x{end}") == "x"


# --- literal braces ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("{{literal}}", "{literal}"),
        ("a {{ b", "a { b"),
        ("a }} b", "a } b"),
        ("{{supply}}", "{supply}"),
        ("{{{supply}}}", "{3}"),
        ("{{}}", "{}"),
        ("{if alarmed}{{yes}}{end}", "{yes}"),
    ],
)
def test_literal_braces(source: str, expected: str) -> None:
    assert render(source) == expected


# --- errors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        ("ab {if alarmed}never closed", "'{if}' is never closed with '{end}'", 3),
        ("{if alarmed}{if supply > 1}x{end}", "'{if}' is never closed with '{end}'", 0),
        ("stray {end}", "'{end}' without an '{if}' before it", 6),
        ("{else}", "'{else}' without an '{if}' before it", 0),
        ("x {elif alarmed}", "'{elif}' without an '{if}' before it", 2),
        ("{if alarmed}x{end}{end}", "'{end}' without an '{if}' before it", 18),
        ("{if alarmed}a{else}b{else}c{end}", "'{else}' after '{else}'", 20),
        ("{if alarmed}a{else}b{elif alarmed}c{end}", "'{elif}' after '{else}'", 20),
        ("empty {} here", "empty '{}'; write '{{}}' for literal braces", 6),
        ("empty {   } here", "empty '{}'; write '{{}}' for literal braces", 6),
        ("a { b", "'{' is not closed; write '{{' for a literal brace", 2),
        ("a } b", "'}' has no opening '{'; write '}}' for a literal brace", 2),
        ("{{{", "'{' is not closed; write '{{' for a literal brace", 2),
        ("{if}x{end}", "'{if}' needs a condition, e.g. {if supply > 3}", 1),
        ("{if alarmed}{elif}{end}", "'{elif}' needs a condition", 13),
        ("{if alarmed}x{else alarmed}y{end}", "'{else}' takes no condition; use '{elif ...}'", 14),
        ("{if alarmed}x{end now}", "'{end}' takes nothing after it", 14),
    ],
)
def test_structure_errors(source: str, message: str, offset: int) -> None:
    problem = error(source)
    assert problem.message == message
    assert problem.column == offset


@pytest.mark.parametrize(
    ("source", "message", "offset"),
    [
        ("bad {suply} var", "unknown variable 'suply'; did you mean 'supply'?", 5),
        ("ok\n{if suply > 1}x{end}", "unknown variable 'suply'; did you mean 'supply'?", 7),
        ("{if alarmed}x{elif supply > alarmd}y{end}", "unknown variable 'alarmd'", 28),
        ("{supply + alarmed}", "'+' works on numbers, but this is true/false", 10),
        ("{if supply}x{end}", "expected a condition (true or false), but this is a number", 4),
        ('{if faction == "sofiets"}x{end}', "'faction' is never \"sofiets\"", 15),
        ("{supply = 3}", "use '=='", 8),
        ("{visits(nowhere)}", "unknown node or ending 'nowhere'", 8),
        ("{If alarmed}x{End}", "unexpected 'alarmed'", 4),  # keywords are lower case
    ],
)
def test_expression_errors_inside_tags(source: str, message: str, offset: int) -> None:
    problem = error(source)
    assert message in problem.message
    assert problem.column == offset


def test_template_error_is_an_expr_error() -> None:
    with pytest.raises(ExprError):
        compile_template("{nope}", SCOPE)


def test_error_offsets_count_from_the_start_of_the_text() -> None:
    source = "Line one.\nLine two {{ with braces }}.\n{if alarmed}\n{supply + faction}\n{end}\n"
    problem = error(source)
    assert source[problem.column :].startswith("faction")
    assert source.count("\n", 0, problem.column) == 3  # on the fourth line


def test_nesting_limit() -> None:
    inside = "{if true}" * MAX_NESTING + "deep" + "{end}" * MAX_NESTING
    assert render(inside) == "deep"
    too_deep = "{if true}" * (MAX_NESTING + 1) + "deep" + "{end}" * (MAX_NESTING + 1)
    problem = error(too_deep)
    assert problem.message == f"passages are nested too deeply (limit {MAX_NESTING})"
    assert problem.column == len("{if true}") * MAX_NESTING + 1


def test_many_literal_braces() -> None:
    assert render("{" * 10000 + "}" * 10000) == "{" * 5000 + "}" * 5000


def test_nesting_limit_counts_open_passages_not_total_passages() -> None:
    many = "{if true}x{end}" * (MAX_NESTING * 4)
    assert render(many) == "x" * (MAX_NESTING * 4)


@pytest.mark.parametrize(
    "source",
    [
        "{" * 10001,
        "}" * 10001,
        "{if true}" * 5000,
        "{end}" * 5000,
        "{" + "(" * 5000 + "}",
        "{" + "x" * 100_000 + "}",
        "{__import__('os').system('true')}",
        "{().__class__}",
        "{supply.real}",
        "{lambda: 1}",
    ],
    ids=lambda source: repr(source[:20]),
)
def test_hostile_templates_are_refused_cleanly(source: str) -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template(source, SCOPE)
    assert 0 <= caught.value.column <= len(source)
