"""Narrative templates: `{expr}` interpolation and `{if}` conditional passages.

    The cellar is {if guards > 2}crowded{else}nearly empty{end}.
    You have {supply} trains of shells left.

`{{` and `}}` stand for literal braces. A tag alone on its line takes the line
with it, so writers can put `{if ...}` and `{end}` on lines of their own.
Templates are parsed and checked once, at load time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from game.expr import Compiled, ExprError, Scope, Value, Vars, Visits, compile_expression

MAX_NESTING = 16


class TemplateError(ExprError):
    """A problem in a template; `column` is the offset into the whole text."""


@dataclass(frozen=True)
class Text:
    text: str


@dataclass(frozen=True)
class Show:
    value: Compiled


@dataclass(frozen=True)
class Passage:
    branches: tuple[tuple[Compiled | None, tuple[Part, ...]], ...]


Part = Text | Show | Passage

_TAG = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|\{|\}")
_KEYWORD = re.compile(r"^\s*(if|elif|else|end)\b\s*(.*?)\s*$", re.DOTALL)


def format_value(value: Value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@dataclass(frozen=True)
class Template:
    parts: tuple[Part, ...]
    reads: frozenset[str]
    places: frozenset[str]

    def render(self, variables: Vars, visits: Visits) -> str:
        out: list[str] = []
        _render(self.parts, variables, visits, out)
        return "".join(out)


def _render(parts: tuple[Part, ...], variables: Vars, visits: Visits, out: list[str]) -> None:
    for part in parts:
        if isinstance(part, Text):
            out.append(part.text)
        elif isinstance(part, Show):
            out.append(format_value(part.value.evaluate(variables, visits)))
        else:
            for condition, body in part.branches:
                if condition is None or condition.evaluate(variables, visits):
                    _render(body, variables, visits, out)
                    break


def _standalone(source: str, start: int, end: int) -> tuple[int, int] | None:
    """When a tag stands alone on its line, the span to remove with it."""
    line_start = source.rfind("\n", 0, start) + 1
    if source[line_start:start].strip():
        return None
    line_end = source.find("\n", end)
    if line_end < 0:
        line_end = len(source)
    if source[end:line_end].strip():
        return None
    return line_start, min(line_end + 1, len(source))


Compiler = Callable[[str, str | None], Compiled]


def compile_template(source: str, scope: Scope, compiler: Compiler | None = None) -> Template:
    """Parse and check a template, or raise TemplateError with an offset.

    `compiler` compiles the expressions in its tags; the loader passes one that caches.
    """
    if compiler is None:
        compiler = lambda text, want: compile_expression(text, scope, want)  # type: ignore[arg-type]  # noqa: E731
    reads: set[str] = set()
    places: set[str] = set()
    # stack of (branches so far, current condition, current parts, offset of the {if})
    root: list[Part] = []
    stack: list[
        tuple[list[tuple[Compiled | None, tuple[Part, ...]]], Compiled | None, list[Part], int]
    ] = []
    current = root
    text_start = 0
    skip_until = 0

    def compile_at(expression: str, offset: int, want: str | None) -> Compiled:
        try:
            compiled = compiler(expression, want)
        except ExprError as error:
            raise TemplateError(error.message, offset + error.column) from None
        reads.update(compiled.reads)
        places.update(compiled.places)
        return compiled

    def flush(upto: int) -> None:
        start = max(text_start, skip_until)
        if upto > start:
            current.append(Text(source[start:upto].replace("{{", "{").replace("}}", "}")))

    for match in _TAG.finditer(source):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        if token == "{":
            raise TemplateError("'{' is not closed; write '{{' for a literal brace", match.start())
        if token == "}":
            raise TemplateError(
                "'}' has no opening '{'; write '}}' for a literal brace", match.start()
            )
        inner = match.group(1)
        offset = match.start(1)
        keyword = _KEYWORD.match(inner)
        span = (match.start(), match.end())
        if keyword:
            standalone = _standalone(source, match.start(), match.end())
            if standalone:
                span = standalone
        flush(span[0])
        text_start = span[1]
        if not keyword:
            if not inner.strip():
                raise TemplateError("empty '{}'; write '{{}}' for literal braces", match.start())
            current.append(Show(compile_at(inner, offset, None)))
            continue
        word, rest = keyword.group(1), keyword.group(2)
        rest_offset = offset + keyword.start(2)
        if word == "if":
            if not rest:
                raise TemplateError("'{if}' needs a condition, e.g. {if supply > 3}", offset)
            if len(stack) >= MAX_NESTING:
                raise TemplateError(f"passages are nested too deeply (limit {MAX_NESTING})", offset)
            stack.append(([], compile_at(rest, rest_offset, "bool"), [], match.start()))
            current = stack[-1][2]
            continue
        if not stack:
            raise TemplateError(f"'{{{word}}}' without an '{{if}}' before it", match.start())
        branches, condition, parts, if_offset = stack[-1]
        if condition is None and word in ("elif", "else"):
            raise TemplateError(f"'{{{word}}}' after '{{else}}'", match.start())
        branches.append((condition, tuple(parts)))
        if word == "elif":
            if not rest:
                raise TemplateError("'{elif}' needs a condition", offset)
            stack[-1] = (branches, compile_at(rest, rest_offset, "bool"), [], if_offset)
            current = stack[-1][2]
        elif word == "else":
            if rest:
                raise TemplateError("'{else}' takes no condition; use '{elif ...}'", offset)
            stack[-1] = (branches, None, [], if_offset)
            current = stack[-1][2]
        else:
            if rest:
                raise TemplateError("'{end}' takes nothing after it", offset)
            stack.pop()
            current = stack[-1][2] if stack else root
            current.append(Passage(tuple(branches)))
    if stack:
        raise TemplateError("'{if}' is never closed with '{end}'", stack[-1][3])
    flush(len(source))
    return Template(tuple(root), frozenset(reads), frozenset(places))
