"""The expression language: parsing, checking, evaluation, effects, hostile input."""

from __future__ import annotations

import ast
import builtins
import difflib  # noqa: F401  # loaded before eval/exec/compile are disabled: the error path needs it
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import game.story.expr as expr_module
from game.story.expr import (
    MAX_DEPTH,
    MAX_INT,
    MAX_LENGTH,
    ExprError,
    Scope,
    Value,
    VarSpec,
    compile_effects,
    compile_expression,
)

SCOPE = Scope(
    {
        "supply": VarSpec("int", minimum=0, maximum=10),
        "big": VarSpec("int"),
        "alarmed": VarSpec("bool"),
        "trusted": VarSpec("bool"),
        "faction": VarSpec("str", frozenset({"soviets", "allies", "neutral"})),
        "motto": VarSpec("str", frozenset({"x;y", "z"})),
        "note": VarSpec("str"),  # no declared values: any text is fine
    },
    frozenset({"opening", "hold", "victory"}),
)

VARS: dict[str, Value] = {
    "supply": 3,
    "big": 0,
    "alarmed": False,
    "trusted": True,
    "faction": "soviets",
    "motto": "z",
    "note": "",
}


def run(
    source: str,
    variables: Mapping[str, Value] | None = None,
    visits: Mapping[str, int] | None = None,
    want: Any = None,
) -> Value:
    compiled = compile_expression(source, SCOPE, want)
    values = dict(VARS)
    values.update(variables or {})
    return compiled.evaluate(values, visits or {})


def error(source: str, want: Any = None) -> ExprError:
    with pytest.raises(ExprError) as caught:
        compile_expression(source, SCOPE, want)
    return caught.value


def effect_error(source: str) -> ExprError:
    with pytest.raises(ExprError) as caught:
        compile_effects(source, SCOPE)
    return caught.value


# --- arithmetic --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1 + 2 * 3", 7),
        ("(1 + 2) * 3", 9),
        ("10 - 3 - 2", 5),  # left-associative
        ("100 / 10 / 5", 2),
        ("2 * 3 % 4", 2),  # * and % bind equally, left to right
        ("2 + 3 % 4", 5),
        ("-3 * -3", 9),
        ("- -1", 1),
        ("-(2 + 3)", -5),
        ("1 - -1", 2),
        ("supply * 2 + 1", 7),
        ("0", 0),
        ("007", 7),
    ],
)
def test_arithmetic_and_precedence(source: str, expected: int) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("7 / 2", 3),
        ("-7 / 2", -3),  # toward zero, not floor (-4)
        ("7 / -2", -3),
        ("-7 / -2", 3),
        ("1 / 3", 0),
        ("-1 / 3", 0),
        ("6 / 3", 2),
    ],
)
def test_integer_division_truncates_toward_zero(source: str, expected: int) -> None:
    assert run(source) == expected


@pytest.mark.parametrize("source", ["7 / 0", "-7 / 0", "0 / 0", "7 % 0", "supply / (supply - 3)"])
def test_division_and_modulo_by_zero_give_zero(source: str) -> None:
    assert run(source) == 0


@pytest.mark.parametrize(("source", "expected"), [("7 % 3", 1), ("9 % 3", 0), ("2 % 5", 2)])
def test_modulo(source: str, expected: int) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("a", "b"), [(-7, 3), (7, -3), (-7, -3), (7, 3), (-6, 3), (0, -5), (-1, 999999999999999999)]
)
def test_modulo_is_consistent_with_truncating_division(a: int, b: int) -> None:
    # the remainder takes the sign of the dividend, as '/' rounds toward zero
    quotient = run(f"{a} / {b}")
    remainder = run(f"{a} % {b}")
    assert quotient * b + remainder == a  # type: ignore[operator]


def test_saturation_of_huge_numbers() -> None:
    nine = "999999999999999999"  # the longest literal allowed: 18 digits
    assert run(f"{nine} * {nine}") == MAX_INT
    assert run(f"-{nine} * {nine}") == -MAX_INT
    assert run(f"{nine} * {nine} * {nine} * {nine}") == MAX_INT
    assert run(f"{nine} * {nine} + {nine}") == MAX_INT
    assert run(f"-{nine} * {nine} - {nine}") == -MAX_INT
    assert run(f"abs(-{nine} * {nine})") == MAX_INT
    assert run(f"{nine} + {nine}") == 2 * int(nine)  # below the limit: exact


def test_saturation_applies_to_variable_values() -> None:
    assert run("big * big", {"big": MAX_INT}) == MAX_INT
    assert run("big + big", {"big": -MAX_INT}) == -MAX_INT


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("999999999999999999 / 1", 999999999999999999),
        ("999999999999999999 / 3", 333333333333333333),
        ("-999999999999999999 / 7", -142857142857142857),
        ("999999999999999999 * 999999999999999999 / 999999999999999999", MAX_INT // int("9" * 18)),
        ("999999999999999999 % 1000", 999),
        ("-999999999999999999 % 1000", -999),
    ],
)
def test_division_of_large_numbers_is_exact(source: str, expected: int) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    "source",
    ["9999999999999999999", "123456789012345678901", "4611686018427387905", "1" + "0" * 900],
)
def test_too_large_literals_are_refused(source: str) -> None:
    problem = error(source)
    assert "too large" in problem.message
    assert problem.column == 0


def test_largest_literal_is_accepted() -> None:
    assert run("999999999999999999") == 999999999999999999


# --- comparisons and logic -------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("supply == 3", True),
        ("supply != 3", False),
        ("supply < 4", True),
        ("supply <= 3", True),
        ("supply > 3", False),
        ("supply >= 4", False),
        ("1 + 1 == 2", True),  # arithmetic binds tighter than comparison
        ("alarmed == false", True),
        ("alarmed != trusted", True),
        ('faction == "soviets"', True),
        ('faction != "allies"', True),
        ('"allies" == faction', False),
        ("'soviets' == faction", True),  # single quotes work too
        ('note == "anything"', False),  # no declared values: no spelling check
        ('"x" == "x"', True),
    ],
)
def test_comparisons(source: str, expected: bool) -> None:
    assert run(source) is expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("true and false", False),
        ("true or false", True),
        ("not true", False),
        ("not not true", True),
        ("not alarmed and trusted", True),  # not binds tighter than and
        ("true or false and false", True),  # and binds tighter than or
        ("(true or false) and false", False),
        ("not supply > 5", True),  # not applies to the whole comparison
        ("supply > 1 and supply < 5", True),
    ],
)
def test_boolean_logic(source: str, expected: bool) -> None:
    assert run(source) is expected


class Watching(Mapping[str, Value]):
    """Variables that record which names were read."""

    def __init__(self, values: dict[str, Value]) -> None:
        self.stored = values
        self.read: list[str] = []

    def __getitem__(self, key: str) -> Value:
        self.read.append(key)
        return self.stored[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.stored)

    def __len__(self) -> int:
        return len(self.stored)


@pytest.mark.parametrize(
    ("source", "alarmed", "expected", "reads_trusted"),
    [
        ("alarmed and trusted", False, False, False),
        ("alarmed and trusted", True, True, True),
        ("alarmed or trusted", True, True, False),
        ("alarmed or trusted", False, True, True),
    ],
)
def test_and_or_short_circuit(
    source: str, alarmed: bool, expected: bool, reads_trusted: bool
) -> None:
    compiled = compile_expression(source, SCOPE)
    variables = Watching({**VARS, "alarmed": alarmed})
    assert compiled.evaluate(variables, {}) is expected
    assert ("trusted" in variables.read) is reads_trusted


@pytest.mark.parametrize(
    ("source", "expected", "read"),
    [
        ("trusted and alarmed and supply > 1", False, ["trusted", "alarmed"]),
        ("alarmed or trusted or supply > 1", True, ["alarmed", "trusted"]),
        ("alarmed or not trusted or supply > 1", True, ["alarmed", "trusted", "supply"]),
    ],
)
def test_longer_chains_short_circuit(source: str, expected: bool, read: list[str]) -> None:
    variables = Watching(dict(VARS))
    assert compile_expression(source, SCOPE).evaluate(variables, {}) is expected
    assert variables.read == read


# --- visits and functions -------------------------------------------------------------


def test_visits_and_visited() -> None:
    visits = {"opening": 4, "hold": 0}
    assert run("visits(opening)", visits=visits) == 4
    assert run("visits(hold)", visits=visits) == 0
    assert run("visits(victory)", visits=visits) == 0  # missing counts as never
    assert run("visited(opening)", visits=visits) is True
    assert run("visited(hold)", visits=visits) is False
    assert run("visits(opening) > 2 and not visited(victory)", visits=visits) is True


def test_visits_records_places_and_reads() -> None:
    compiled = compile_expression("visits(opening) + supply > 1 and visited(hold)", SCOPE)
    assert compiled.places == frozenset({"opening", "hold"})
    assert compiled.reads == frozenset({"supply"})
    assert compiled.constant is None


def test_constant_expressions_are_folded() -> None:
    assert compile_expression("2 * 3 + 1", SCOPE).constant == 7
    assert compile_expression("supply + 1", SCOPE).constant is None


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("visits(nowhere)", "unknown node or ending 'nowhere'", 7),
        ("visits(opennig)", "did you mean 'opening'?", 7),
        ("visits()", "visits() takes one node or ending id", 0),
        ("visits(opening, hold)", "visits() takes one node or ending id", 0),
        ("visited(1)", "visited() takes one node or ending id", 0),
        ("opening", "'opening' is a node, not a variable; use visits(opening)", 0),
    ],
)
def test_visits_errors(source: str, message: str, column: int) -> None:
    problem = error(source)
    assert message in problem.message
    assert problem.column == column


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("min(5, 2, 9)", 2),
        ("max(5, 2, 9)", 9),
        ("min(4)", 4),
        ("max(supply, 5)", 5),
        ("min(supply, 5)", 3),
        ("abs(-4)", 4),
        ("abs(4)", 4),
        ("abs(supply - 10)", 7),
        ("max(-1, -2) + min(1, 2)", 0),
    ],
)
def test_min_max_abs(source: str, expected: int) -> None:
    assert run(source) == expected


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("min()", "min() needs at least one number"),
        ("max()", "max() needs at least one number"),
        ("abs(1, 2)", "abs() takes one number"),
        ("abs()", "abs() takes one number"),
        ("min(alarmed)", "min() works on numbers, but this is true/false"),
        ('abs("x")', "abs() works on numbers, but this is text"),
        ("foo(1)", "unknown function 'foo' (known: visits, visited, chose, min, max, abs)"),
    ],
)
def test_function_errors(source: str, message: str) -> None:
    assert message in error(source).message


# --- type errors ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("supply and true", "'and' joins true/false conditions, but this is a number", 0),
        ("true or supply", "'or' joins true/false conditions, but this is a number", 8),
        ('"a" < "b"', "'<' works on numbers, but this is text", 0),
        ('faction >= "allies"', "'>=' works on numbers, but this is text", 0),
        ("supply == true", "cannot compare a number with true/false", 7),
        ("true != 1", "cannot compare true/false with a number", 5),
        ('supply == "3"', "cannot compare a number with text", 7),
        ("supply + alarmed", "'+' works on numbers, but this is true/false", 9),
        ("not supply", "'not' needs a true/false value, but this is a number", 0),
        ("-alarmed", "'-' needs a number, but this is true/false", 0),
        ('"a" * 3', "'*' works on numbers, but this is text", 0),
    ],
)
def test_type_errors(source: str, message: str, column: int) -> None:
    problem = error(source)
    assert problem.message == message
    assert problem.column == column


@pytest.mark.parametrize(
    ("source", "fragment", "column"),
    [
        ("true or false or supply", "'or' joins true/false conditions, but this is a number", 17),
        (
            "alarmed and 1 and trusted",
            "'and' joins true/false conditions, but this is a number",
            12,
        ),
        ("1 + 2 + alarmed", "works on numbers, but this is true/false", 8),
        ('supply * 2 % "x"', "works on numbers, but this is text", 13),
        ("1 - trusted - 2", "works on numbers, but this is true/false", 4),
    ],
)
def test_type_errors_in_longer_chains(source: str, fragment: str, column: int) -> None:
    problem = error(source)
    assert fragment in problem.message
    assert problem.column == column


@pytest.mark.parametrize(
    ("source", "want", "message"),
    [
        ("supply", "bool", "expected a condition (true or false), but this is a number"),
        ("alarmed", "int", "expected a number, but this is true/false"),
        ("faction", "bool", "expected a condition (true or false), but this is text"),
    ],
)
def test_wanted_type(source: str, want: str, message: str) -> None:
    assert error(source, want).message == message
    assert compile_expression("supply > 1", SCOPE, "bool").type == "bool"


def test_unknown_variable_suggests_a_close_name() -> None:
    problem = error("supply > 1 and alramed")
    assert problem.message == "unknown variable 'alramed'; did you mean 'alarmed'?"
    assert problem.column == 15


def test_unknown_variable_without_a_close_name() -> None:
    problem = error("zzzzzz > 1")
    assert problem.message == "unknown variable 'zzzzzz'"
    assert problem.column == 0


@pytest.mark.parametrize(
    ("source", "column"),
    [('faction == "sofiets"', 11), ('"sofiets" == faction', 0), ('faction != "Soviets"', 11)],
)
def test_misspelt_string_values(source: str, column: int) -> None:
    problem = error(source)
    wrong = source.split('"')[1]
    assert problem.message == (
        f'\'faction\' is never "{wrong}"; its values are "allies", "neutral", "soviets"'
    )
    assert problem.column == column


# --- syntax errors and advice --------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "message", "column"),
    [
        ("supply = 3", "use '==' to compare; a single '=' sets a value and belongs in effects", 7),
        ("alarmed && trusted", "write 'and' instead of '&&'", 8),
        ("alarmed || trusted", "write 'or' instead of '||'", 8),
        ("!alarmed", "write 'not' instead of '!'", 0),
        ("1 < supply < 5", "comparisons cannot be chained; join them with 'and'", 11),
        ("1 == 1 == 1", "comparisons cannot be chained; join them with 'and'", 7),
        ("", "expression is empty", 0),
        ("   ", "expression is empty", 0),
        ("1 +", "expression ends too soon", 3),
        ("(1", "expected ')' but found 'the end'", 2),
        (")", "unexpected ')'", 0),
        ("1 2", "unexpected '2'", 2),
        ("min(1,)", "unexpected ')'", 6),
        ("2 ** 3", "unexpected '*'", 3),
        ("supply ; 1", "unexpected ';'", 7),
        ("1.5", "unexpected character '.'", 1),
        ("1 if true", "'... if condition' needs 'else ...' after it, but found 'the end'", 9),
    ],
)
def test_syntax_errors(source: str, message: str, column: int) -> None:
    problem = error(source)
    assert problem.message == message
    assert problem.column == column


@pytest.mark.parametrize(
    "source", ["'unclosed", '"unclosed', '"with \\ backslash"', '"two\nlines"']
)
def test_bad_strings_get_a_hint(source: str) -> None:
    problem = error(source)
    assert "a string is not closed, or contains a backslash or line break" in problem.message
    assert problem.column == 0


# --- effects -------------------------------------------------------------------------------


def apply(source: str, variables: dict[str, Value]) -> dict[str, Value]:
    """Apply effects the way the engine does (without clamping)."""
    state = dict(variables)
    for effect in compile_effects(source, SCOPE):
        value = effect.value.evaluate(state, {})
        if effect.op == "=":
            state[effect.target] = value
        elif effect.op == "+=":
            state[effect.target] = state[effect.target] + value  # type: ignore[operator]
        else:
            state[effect.target] = state[effect.target] - value  # type: ignore[operator]
    return state


def test_single_effects() -> None:
    (effect,) = compile_effects("supply += 2", SCOPE)
    assert (effect.target, effect.op, effect.source, effect.column) == (
        "supply",
        "+=",
        "supply += 2",
        0,
    )
    assert effect.value.type == "int"
    assert effect.value.constant == 2
    assert apply("supply = 7", VARS)["supply"] == 7
    assert apply("supply -= 2", VARS)["supply"] == 1
    assert apply("alarmed = not alarmed", VARS)["alarmed"] is True
    assert apply('faction = "allies"', VARS)["faction"] == "allies"


def test_several_effects_separated_by_semicolons() -> None:
    effects = compile_effects("supply += 1; alarmed = true;  faction = 'neutral' ;", SCOPE)
    assert [(e.target, e.op) for e in effects] == [
        ("supply", "+="),
        ("alarmed", "="),
        ("faction", "="),
    ]
    source = "supply += 1; alarmed = true;  faction = 'neutral' ;"
    for effect in effects:  # each column points at (or at the spaces before) its statement
        assert source[effect.column :].lstrip().startswith(effect.source)
    assert apply("supply += 1; supply = supply * 2", VARS)["supply"] == 8  # applied in order


def test_effects_may_be_empty() -> None:
    assert compile_effects("", SCOPE) == []
    assert compile_effects(" ; ;", SCOPE) == []


def test_semicolons_inside_strings_do_not_split() -> None:
    effects = compile_effects('motto = "x;y"; supply += 1', SCOPE)
    assert [e.target for e in effects] == ["motto", "supply"]
    assert effects[0].value.constant == "x;y"
    assert compile_effects("motto = 'x;y'", SCOPE)[0].value.constant == "x;y"


def test_effect_type_mismatch() -> None:
    problem = effect_error("supply = true")
    assert problem.message == "'supply' holds a number, but this value is true/false"
    assert problem.column == 9
    problem = effect_error("supply += 1; alarmed = 3")
    assert problem.message == "'alarmed' holds true/false, but this value is a number"
    assert problem.column == 23


def test_plus_equals_on_a_bool() -> None:
    problem = effect_error("alarmed += 1")
    assert problem.message == "'+=' works on numbers, but 'alarmed' is true/false"
    assert problem.column == 11
    assert "'-=' works on numbers, but 'faction' is text" in effect_error('faction -= "a"').message


def test_effect_unknown_target() -> None:
    problem = effect_error("supply += 1; alramed = true")
    assert problem.message == "unknown variable 'alramed'; did you mean 'alarmed'?"
    assert problem.column == 13


def test_effect_value_errors_are_offset_to_the_whole_text() -> None:
    problem = effect_error("supply += 1; supply = suply + 1")
    assert problem.message == "unknown variable 'suply'; did you mean 'supply'?"
    assert problem.column == 22


def test_effect_misspelt_value() -> None:
    problem = effect_error('faction = "sofiets"')
    assert problem.message == (
        '\'faction\' cannot be "sofiets"; its values are "allies", "neutral", "soviets"'
    )
    assert problem.column == 10


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("supply == 3", "expected an assignment such as 'supply += 1', found 'supply == 3'"),
        ("supply", "expected an assignment such as 'supply += 1', found 'supply'"),
        ("3 = supply", "expected an assignment such as 'supply += 1', found '3 = supply'"),
        ("supply *= 2", "expected an assignment such as 'supply += 1', found 'supply *= 2'"),
        ("supply =", "'supply =' needs a value after it"),
        ("supply = 1 = 2", "use '==' to compare"),
    ],
)
def test_effect_syntax_errors(source: str, message: str) -> None:
    assert message in effect_error(source).message


def test_effect_length_limit() -> None:
    long = "; ".join(["supply += 1"] * 400)
    assert len(long) > MAX_LENGTH * 4
    assert "the limit is" in effect_error(long).message
    assert len(compile_effects("; ".join(["supply += 1"] * 300), SCOPE)) == 300


# --- hostile input ------------------------------------------------------------------------


HOSTILE = [
    "(" * 10000,
    "(" * 500,
    "(" * 999,
    "(" * 40 + "1" + ")" * 40,
    "not " * 5000 + "true",
    "not " * 100 + "true",
    "-" * 5000 + "1",
    "-" * 500 + "1",
    "min(" * 100 + "1" + ")" * 100,
    "1" + " + 1" * 25000,
    "x" * 100_000,
    "9" * 10_000,
    "__import__('os')",
    "__import__('os').system('true')",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "supply.real",
    "lambda: 1",
    "lambda x: x",
    "[x for x in (1, 2)]",
    "{}",
    "[1]",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('1')",
    "globals()",
    "supply if true",
    "f'{supply}'",
    "\\x41",
    "\x00",
    "1 @ 2",
    "a := 1",
    "🙂",
    "é == 1",
    "`ls`",
    "$supply",
    "supply[0]",
    "supply()",
    "true()",
    "(1,2)",
    "visits(visits(opening))",
]


@pytest.mark.parametrize("source", HOSTILE, ids=lambda source: repr(source[:30]))
def test_hostile_input_is_refused_cleanly(source: str) -> None:
    with pytest.raises(ExprError) as caught:
        compile_expression(source, SCOPE)
    assert isinstance(caught.value.message, str) and caught.value.message
    assert isinstance(caught.value.column, int)
    assert 0 <= caught.value.column <= len(source)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("(" * 10000, f"the limit is {MAX_LENGTH}"),
        ("x" * 100_000, "expression is 100000 characters long"),
        ("9" * 10_000, f"the limit is {MAX_LENGTH}"),
        ("(" * 500, f"nested too deeply (limit {MAX_DEPTH})"),
        ("not " * 100 + "true", f"nested too deeply (limit {MAX_DEPTH})"),
        ("-" * 500 + "1", f"nested too deeply (limit {MAX_DEPTH})"),
        ("min(" * 100 + "1" + ")" * 100, f"nested too deeply (limit {MAX_DEPTH})"),
        ("9" * 900, "too large"),
    ],
)
def test_hostile_input_gets_the_right_reason(source: str, message: str) -> None:
    assert message in error(source).message


def test_nesting_just_inside_the_limit_works() -> None:
    depth = MAX_DEPTH - 1
    assert run("(" * depth + "1" + ")" * depth) == 1
    assert run("not " * depth + "true") is (depth % 2 == 0)
    assert run("-" * depth + "1") == (-1) ** depth


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("true" + " or true" * 124, True),
        ("1" + "*1" * 400, 1),
        ("1" + "+1" * 400, 401),
    ],
    ids=["or-chain", "product-chain", "sum-chain-400"],
)
def test_long_flat_expressions_work(source: str, expected: Value) -> None:
    assert len(source) <= MAX_LENGTH
    assert run(source) == expected


def _nested_call(levels: int, function: Any) -> Any:
    """Call `function` with `levels` extra frames on the stack, as a deep caller would."""
    if levels == 0:
        return function()
    return _nested_call(levels - 1, function)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("1" + "+1" * 499, 500),
        ("1" + "-1" * 499, -498),
        ("2" + "*1" * 499, 2),
        ("9" + "/1" * 499, 9),
        ("1" + "+1*1" * 249, 250),
        ("true" + " or false" * 110, True),
        ("true" + " and true" * 110, True),
    ],
    ids=["sum", "difference", "product", "quotient", "sum-of-products", "or", "and"],
)
def test_longest_flat_expressions_do_not_overflow_the_stack(source: str, expected: Value) -> None:
    # no nesting at all, so MAX_DEPTH does not apply; the tree must stay shallow regardless
    assert len(source) <= MAX_LENGTH
    compiled = _nested_call(600, lambda: compile_expression(source, SCOPE))
    assert _nested_call(600, lambda: compiled.evaluate(VARS, {})) == expected


def test_flat_chains_of_variables_do_not_overflow_the_stack() -> None:
    scope = Scope({"n": VarSpec("int"), "b": VarSpec("bool")})
    for source, expected in [("n" + "+n" * 499, 1000), ("b" + " or b" * 198, True)]:
        assert len(source) <= MAX_LENGTH
        compiled = _nested_call(600, lambda source=source: compile_expression(source, scope))
        assert _nested_call(600, lambda c=compiled: c.evaluate({"n": 2, "b": True}, {})) == expected


def test_hostile_effects_are_refused_cleanly() -> None:
    for source in [
        "supply = " + "(" * 3000,
        "supply = " + "-" * 900 + "1",
        "x" * 100_000,
        "supply = ().__class__",
    ]:
        with pytest.raises(ExprError):
            compile_effects(source, SCOPE)


# --- no eval ------------------------------------------------------------------------------


def test_never_uses_eval_exec_or_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("eval, exec or compile was called")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(builtins, "compile", forbidden)
    monkeypatch.setattr(builtins, "__import__", _imports_only_what_is_loaded(builtins.__import__))
    visits = {"opening": 2}
    assert run("1 + 2 * 3 - 4 / 2 % 3") == 5
    assert run("supply > 2 and not alarmed or visited(victory)", visits=visits) is True
    assert run("max(supply, visits(opening), abs(-9)) - min(1, 2)", visits=visits) == 8
    assert run('faction == "soviets"') is True
    assert apply("supply += 2; alarmed = supply > 4", VARS) == {
        **VARS,
        "supply": 5,
        "alarmed": True,
    }
    with pytest.raises(ExprError, match="did you mean"):
        compile_expression("suply", SCOPE)


def _imports_only_what_is_loaded(real_import: Any) -> Any:
    import sys

    def guarded(name: str, *args: Any, **kwargs: Any) -> Any:
        if name not in sys.modules:
            raise AssertionError(f"unexpected import of {name}")
        return real_import(name, *args, **kwargs)

    return guarded


def test_source_does_not_mention_eval_exec_or_compile() -> None:
    for module in ("expr.py", "text.py"):
        tree = ast.parse((Path(expr_module.__file__).parent / module).read_text(encoding="utf-8"))
        names = {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}
        attributes = {node.attr for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
        assert not {"eval", "exec", "compile", "__import__"} & names, module
        assert not {"eval", "exec", "__import__"} & attributes, module


# --- a differential check against a reference evaluator -----------------------------------


def _ref_clip(value: int) -> int:
    return max(-MAX_INT, min(MAX_INT, value))


def _ref_div(a: int, b: int) -> int:
    if b == 0:
        return 0
    quotient = abs(a) // abs(b)
    return quotient if (a >= 0) == (b >= 0) else -quotient


def _ref_mod(a: int, b: int) -> int:
    return 0 if b == 0 else a - b * _ref_div(a, b)


_REF_OPS: dict[str, Any] = {
    "+": lambda a, b: _ref_clip(a + b),
    "-": lambda a, b: _ref_clip(a - b),
    "*": lambda a, b: _ref_clip(a * b),
    "/": _ref_div,
    "%": _ref_mod,
}

Generated = tuple[str, Any]  # source text and a reference evaluator of the variables


def _fold(first: Generated, rest: list[tuple[str, Generated]]) -> Generated:
    """`a op b op c` without parentheses, evaluated left to right."""
    source = first[0] + "".join(f" {op} {operand[0]}" for op, operand in rest)

    def evaluate(v: Mapping[str, int]) -> int:
        total = first[1](v)
        for op, operand in rest:
            total = _REF_OPS[op](total, operand[1](v))
        return int(total)

    return source, evaluate


def int_expressions() -> st.SearchStrategy[Generated]:
    leaves: st.SearchStrategy[Generated] = st.one_of(
        st.integers(0, 60).map(lambda n: (str(n), lambda v: n)),
        st.integers(0, int("9" * 18)).map(lambda n: (str(n), lambda v: n)),
        st.sampled_from(["supply", "big"]).map(lambda name: (name, lambda v: v[name])),
    )

    def extend(children: st.SearchStrategy[Generated]) -> st.SearchStrategy[Generated]:
        atoms = st.one_of(
            children.map(lambda c: (f"({c[0]})", c[1])),
            children.map(lambda c: (f"-({c[0]})", lambda v, f=c[1]: -f(v))),
            children.map(lambda c: (f"abs({c[0]})", lambda v, f=c[1]: abs(f(v)))),
            st.lists(children, min_size=1, max_size=3).map(
                lambda cs: (
                    f"min({', '.join(c[0] for c in cs)})",
                    lambda v, fs=[c[1] for c in cs]: min(f(v) for f in fs),
                )
            ),
            st.lists(children, min_size=1, max_size=3).map(
                lambda cs: (
                    f"max({', '.join(c[0] for c in cs)})",
                    lambda v, fs=[c[1] for c in cs]: max(f(v) for f in fs),
                )
            ),
            leaves,
        )
        products = st.tuples(
            atoms, st.lists(st.tuples(st.sampled_from("*/%"), atoms), max_size=3)
        ).map(lambda pair: _fold(*pair))
        return st.tuples(
            products, st.lists(st.tuples(st.sampled_from("+-"), products), max_size=3)
        ).map(lambda pair: _fold(*pair))

    return st.recursive(leaves, extend, max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(
    int_expressions(),
    st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
    st.integers(0, 10),
    st.integers(-MAX_INT, MAX_INT),
)
def test_evaluation_matches_a_reference(
    expression: Generated, op: str, supply: int, big: int
) -> None:
    source, reference = expression
    variables = {**VARS, "supply": supply, "big": big}
    expected = reference(variables)
    assume(len(source) + 5 <= MAX_LENGTH)
    try:
        compiled = compile_expression(source, SCOPE, "int")
    except ExprError as problem:
        assert "nested too deeply" in problem.message
        assume(False)
        raise
    assert compiled.type == "int"
    assert compiled.evaluate(variables, {}) == expected
    assert -MAX_INT <= expected <= MAX_INT  # saturation keeps every result in range
    comparison = compile_expression(f"{source} {op} 7", SCOPE, "bool")
    outcomes = {
        "==": expected == 7,
        "!=": expected != 7,
        "<": expected < 7,
        "<=": expected <= 7,
        ">": expected > 7,
        ">=": expected >= 7,
    }
    assert comparison.evaluate(variables, {}) is outcomes[op]
