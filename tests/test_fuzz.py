"""Property-based fuzzing: whatever a stranger's story contains, the loader and the
expression language answer with a result or their own error, never a crash."""

from __future__ import annotations

import copy
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.control import currently_in_test_context, event

from game.story.compiled import Story
from game.story.expr import ExprError, Scope, VarSpec, compile_effects, compile_expression
from game.story.loader import load_story
from game.story.problems import Problem, StoryError
from game.story.text import compile_template

FUZZ = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FIELD_NAMES = [
    "story", "node", "choice", "ending", "variable", "id", "title", "goto", "if", "effects",
    "weight", "outcome", "route", "text", "default", "min", "max", "values", "label", "type",
    "start", "summary", "era", "tone", "epilogue", "locked", "once", "historical", "supply",
    "alarmed", "faction", "opening", "hold", "victory", "defeat", "retreat",
]  # fmt: skip

EXPRESSION_BITS = [
    "supply", "alarmed", "faction", "opening", "visits(", "visited(", "min(", "max(", "abs(",
    "and", "or", "not", "true", "false", "==", "!=", "<", "<=", ">", ">=", "+", "-", "*", "/",
    "%", "(", ")", ",", "=", "+=", "-=", ";", '"soviets"', "'allies'", '"', "'", "0", "1", "7",
    "999999999999999999", " ", "&&", "||", "!", ".", "__class__", "\\", "\n",
]  # fmt: skip

TEMPLATE_BITS = [
    *EXPRESSION_BITS, "{", "}", "{{", "}}", "{if ", "{elif ", "{else}", "{end}", "{supply}",
    "{if alarmed}", "text ", "\n", "  ",
]  # fmt: skip


def check_outcome(path: Path) -> Story | StoryError:
    """Load `path`; only a Story or a well-formed StoryError is acceptable."""
    try:
        story = load_story(path)
    except StoryError as error:
        assert error.problems
        for problem in error.problems:
            assert isinstance(problem, Problem)
            assert problem.file
            assert isinstance(problem.line, int) and problem.line >= 0
            assert problem.message
        assert str(error)  # the report renders
        note("StoryError at line 0 or 1" if error.problems[0].line <= 1 else "StoryError")
        return error
    note("Story")
    assert isinstance(story, Story)
    assert story.start in story.nodes
    return story


def note(what: str) -> None:
    """Count outcomes for `pytest --hypothesis-show-statistics`."""
    if currently_in_test_context():
        event(what)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


# --- (1) arbitrary bytes ---------------------------------------------------------------


def mutated_story_bytes(original: bytes) -> st.SearchStrategy[bytes]:
    """The valid story with a few bytes overwritten, inserted or removed."""

    @st.composite
    def build(draw: st.DrawFn) -> bytes:
        data = bytearray(original)
        for _ in range(draw(st.integers(1, 4))):
            position = draw(st.integers(0, len(data)))
            action = draw(st.sampled_from(["replace", "insert", "delete"]))
            chunk = draw(st.binary(min_size=1, max_size=4))
            if action == "replace":
                data[position : position + len(chunk)] = chunk
            elif action == "insert":
                data[position:position] = chunk
            else:
                del data[position : position + len(chunk)]
        return bytes(data)

    return build()


@FUZZ
@given(st.data())
def test_arbitrary_bytes_give_a_story_or_a_story_error(
    workdir: Path, story_text: str, data: st.DataObject
) -> None:
    raw = data.draw(st.one_of(st.binary(max_size=2000), mutated_story_bytes(story_text.encode())))
    path = workdir / "bytes.toml"
    path.write_bytes(raw)
    check_outcome(path)


# --- (2) arbitrary TOML documents --------------------------------------------------------

keys = st.one_of(st.text(max_size=12), st.sampled_from(FIELD_NAMES))
scalars = st.one_of(
    st.text(max_size=40),
    st.sampled_from(EXPRESSION_BITS),
    st.integers(-(2**63), 2**63 - 1),
    st.integers(-5, 20),
    st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(),
    st.dates(),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(keys, children, max_size=5),
        st.lists(st.dictionaries(keys, children, max_size=5), min_size=1, max_size=3),
    ),
    max_leaves=25,
)
documents = st.dictionaries(keys, values, max_size=6)


def dump(document: dict[str, Any]) -> str:
    try:
        return tomli_w.dumps(document)
    except (TypeError, ValueError):  # pragma: no cover - a value tomli_w cannot write
        assume(False)
        raise


@FUZZ
@given(documents)
def test_arbitrary_toml_documents_give_a_story_or_a_story_error(
    workdir: Path, document: dict[str, Any]
) -> None:
    path = workdir / "document.toml"
    path.write_text(dump(document), encoding="utf-8")
    check_outcome(path)


replacements = st.one_of(
    scalars,
    st.sampled_from(["opening", "hold", "victory", "nowhere", "supply", "", "supply > 2"]),
    st.lists(scalars, max_size=3),
    st.dictionaries(keys, scalars, max_size=3),
    st.lists(st.dictionaries(keys, scalars, max_size=4), min_size=1, max_size=2),
)


def _containers(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """The paths of every table and array in a parsed document."""
    if not isinstance(value, dict | list):
        return []
    items = value.items() if isinstance(value, dict) else enumerate(value)
    found = [path]
    for key, item in items:
        found.extend(_containers(item, (*path, key)))
    return found


def _get(value: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        value = value[part]
    return value


@st.composite
def mutated_stories(draw: st.DrawFn, valid: dict[str, Any]) -> dict[str, Any]:
    """The valid story with a few values replaced, deleted or added: deep into the builder."""
    document = copy.deepcopy(valid)
    for _ in range(draw(st.integers(1, 3))):
        target = _get(document, draw(st.sampled_from(_containers(document))))
        if isinstance(target, dict):
            key = draw(st.one_of(st.sampled_from(sorted(target) or ["id"]), keys))
            delete: bool = draw(st.booleans())
            if target and delete and key in target:
                del target[key]
            else:
                target[key] = draw(replacements)
        elif target:
            index = draw(st.integers(0, len(target) - 1))
            if draw(st.booleans()):
                del target[index]
            else:
                target[index] = draw(replacements)
    return document


@FUZZ
@given(st.data(), st.booleans())
def test_mutated_stories_give_a_story_or_a_story_error(
    workdir: Path, story_text: str, data: st.DataObject, as_folder: bool
) -> None:
    document = data.draw(mutated_stories(tomllib.loads(story_text)))
    text = dump(document)
    if as_folder:
        # the same content split over a folder: [story] and variables in story.toml, the rest
        # in a chapter file
        folder = workdir / "folder"
        folder.mkdir(exist_ok=True)
        main = {key: value for key, value in document.items() if key in ("story", "variable")}
        rest = {key: value for key, value in document.items() if key not in main}
        (folder / "story.toml").write_text(dump(main), encoding="utf-8")
        (folder / "chapter.toml").write_text(dump(rest), encoding="utf-8")
        check_outcome(folder)
    else:
        path = workdir / "mutated.toml"
        path.write_text(text, encoding="utf-8")
        check_outcome(path)


def test_the_unmutated_story_loads(workdir: Path, story_text: str) -> None:
    # guards the fuzzers above: they start from a story that is valid, even rewritten by tomli_w
    path = workdir / "valid.toml"
    path.write_text(dump(tomllib.loads(story_text)), encoding="utf-8")
    assert isinstance(check_outcome(path), Story)


# --- (3) arbitrary expressions and templates --------------------------------------------

SCOPE = Scope(
    {
        "supply": VarSpec("int", minimum=0, maximum=10),
        "alarmed": VarSpec("bool"),
        "faction": VarSpec("str", frozenset({"soviets", "allies"})),
    },
    frozenset({"opening", "victory"}),
)
variables = st.fixed_dictionaries(
    {
        "supply": st.integers(-(2**62), 2**62),
        "alarmed": st.booleans(),
        "faction": st.sampled_from(["soviets", "allies"]),
    }
)
visits = st.dictionaries(st.sampled_from(["opening", "victory"]), st.integers(0, 1000))

expression_texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(EXPRESSION_BITS), max_size=40).map(" ".join),
    st.lists(st.sampled_from(EXPRESSION_BITS), max_size=60).map("".join),
)
template_texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(TEMPLATE_BITS), max_size=60).map("".join),
)

PYTHON_TYPE = {"int": int, "bool": bool, "str": str}


@FUZZ
@given(expression_texts, variables, visits, st.sampled_from([None, "int", "bool", "str"]))
def test_arbitrary_expressions_compile_or_raise_expr_error(
    source: str, values: dict[str, Any], seen: dict[str, int], want: Any
) -> None:
    try:
        compiled = compile_expression(source, SCOPE, want)
    except ExprError as error:
        assert isinstance(error.message, str) and error.message
        assert 0 <= error.column <= len(source)
        return
    assert want is None or compiled.type == want
    result = compiled.evaluate(values, seen)
    assert type(result) is PYTHON_TYPE[compiled.type]


@FUZZ
@given(expression_texts, variables)
def test_arbitrary_effects_compile_or_raise_expr_error(source: str, values: dict[str, Any]) -> None:
    try:
        effects = compile_effects(source, SCOPE)
    except ExprError as error:
        assert error.message
        assert 0 <= error.column <= len(source)
        return
    for effect in effects:
        assert effect.target in SCOPE.variables
        assert effect.op in ("=", "+=", "-=")
        result = effect.value.evaluate(values, {})
        assert type(result) is PYTHON_TYPE[SCOPE.variables[effect.target].type]


@FUZZ
@given(template_texts, variables, visits)
def test_arbitrary_templates_compile_or_raise_expr_error(
    source: str, values: dict[str, Any], seen: dict[str, int]
) -> None:
    try:
        template = compile_template(source, SCOPE)
    except ExprError as error:
        assert error.message
        assert 0 <= error.column <= len(source)
        return
    assert isinstance(template.render(values, seen), str)
