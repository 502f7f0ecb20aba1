"""Narrative templates: `{expr}` interpolation, `{if}` conditional passages and variations.

    The cellar is {if guards > 2}crowded{else}nearly empty{end}.
    You have {supply} trains of shells left.
    {sequence}The door is shut.{or}The door is shut again.{or}The door.{end}

A variation (`{sequence}`, `{cycle}`, `{shuffle}`, alternatives split by `{or}`) picks by how
many times the player has been at the template's node, like ink's sequences: a sequence stops
at its last alternative, a cycle goes round, a shuffle draws from the run's seed.

`{{` and `}}` stand for literal braces. A tag alone on its line takes the line
with it, so writers can put `{if ...}` and `{end}` on lines of their own.
Templates are parsed and checked once, at load time.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

from game.story.draws import chance
from game.story.expr import Compiled, ExprError, Scope, Value, Vars, Visits, compile_expression

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


@dataclass(frozen=True)
class Variation:
    kind: str  # "sequence", "cycle" or "shuffle"
    alternatives: tuple[tuple[Part, ...], ...]
    salt: int  # tells a shuffle's draws from another's in the same run

    def pick(self, count: int, seed: int) -> tuple[Part, ...]:
        """The alternative shown on visit number `count` (1 for the first visit)."""
        many = len(self.alternatives)
        visit = max(count - 1, 0)
        if self.kind == "sequence":
            return self.alternatives[min(visit, many - 1)]
        if self.kind == "cycle":
            return self.alternatives[visit % many]
        return self.alternatives[int(chance(seed ^ self.salt, visit) * many) % many]


Part = Text | Show | Passage | Variation

VARIATIONS = ("sequence", "cycle", "shuffle")
_TAG = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|\{|\}")
_KEYWORD = re.compile(r"^\s*(if|elif|else|end|or|sequence|cycle|shuffle)\b\s*(.*?)\s*$", re.DOTALL)


def format_value(value: Value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


@dataclass(frozen=True)
class Template:
    parts: tuple[Part, ...]
    reads: frozenset[str]
    places: frozenset[str]
    owner: str = ""  # whose visits pick the variations' alternatives; "" when it has none

    def render(self, variables: Vars, visits: Visits, seed: int = 0) -> str:
        out: list[str] = []
        count = visits.get(self.owner, 0) if self.owner else 0  # no lookup without variations
        _render(self.parts, variables, visits, out, count, seed)
        return "".join(out)


def _render(
    parts: tuple[Part, ...], variables: Vars, visits: Visits, out: list[str], count: int, seed: int
) -> None:
    for part in parts:
        if isinstance(part, Text):
            out.append(part.text)
        elif isinstance(part, Show):
            out.append(format_value(part.value.evaluate(variables, visits)))
        elif isinstance(part, Variation):
            _render(part.pick(count, seed), variables, visits, out, count, seed)
        else:
            for condition, body in part.branches:
                if condition is None or condition.evaluate(variables, visits):
                    _render(body, variables, visits, out, count, seed)
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


@dataclass
class _Open:
    """A passage or variation being parsed: its finished branches and the one being filled."""

    kind: str  # "if" or one of VARIATIONS
    offset: int  # where it was opened, for the message when it is never closed
    branches: list[tuple[Compiled | None, tuple[Part, ...]]] = field(default_factory=list)
    condition: Compiled | None = None
    parts: list[Part] = field(default_factory=list)
    after_else: bool = False


def compile_template(
    source: str, scope: Scope, compiler: Compiler | None = None, owner: str = ""
) -> Template:
    """Parse and check a template, or raise TemplateError with an offset.

    `compiler` compiles the expressions in its tags; the loader passes one that caches.
    `owner` is the node or ending the text belongs to: its visits pick a variation's
    alternative.
    """
    if compiler is None:
        compiler = lambda text, want: compile_expression(text, scope, want)  # type: ignore[arg-type]  # noqa: E731
    reads: set[str] = set()
    places: set[str] = set()
    root: list[Part] = []
    stack: list[_Open] = []
    current = root
    text_start = 0
    skip_until = 0
    varied = False  # whether any variation needs the owner's visit count

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
        if word == "if" or word in VARIATIONS:
            if len(stack) >= MAX_NESTING:
                raise TemplateError(f"passages are nested too deeply (limit {MAX_NESTING})", offset)
            if word == "if":
                if not rest:
                    raise TemplateError("'{if}' needs a condition, e.g. {if supply > 3}", offset)
                stack.append(
                    _Open("if", match.start(), condition=compile_at(rest, rest_offset, "bool"))
                )
            else:
                if rest:
                    raise TemplateError(
                        f"'{{{word}}}' takes nothing after it; put the alternatives after "
                        f"it, split by '{{or}}'",
                        offset,
                    )
                stack.append(_Open(word, match.start()))
            current = stack[-1].parts
            continue
        if not stack:
            opener = "'{sequence}', '{cycle}' or '{shuffle}'" if word == "or" else "'{if}'"
            raise TemplateError(f"'{{{word}}}' without an {opener} before it", match.start())
        block = stack[-1]
        if word == "or":
            if block.kind == "if":
                raise TemplateError(
                    "'{or}' splits the alternatives of a '{sequence}', '{cycle}' or "
                    "'{shuffle}'; in an '{if}' use '{elif ...}' or '{else}'",
                    match.start(),
                )
            if rest:
                raise TemplateError("'{or}' takes nothing after it", offset)
            block.branches.append((None, tuple(block.parts)))
            block.parts = []
            current = block.parts
            continue
        if word in ("elif", "else") and block.kind != "if":
            raise TemplateError(
                f"'{{{word}}}' inside a '{{{block.kind}}}': split its alternatives with '{{or}}'",
                match.start(),
            )
        if block.after_else and word in ("elif", "else"):
            raise TemplateError(f"'{{{word}}}' after '{{else}}'", match.start())
        block.branches.append((block.condition, tuple(block.parts)))
        block.parts = []
        if word == "elif":
            if not rest:
                raise TemplateError("'{elif}' needs a condition", offset)
            block.condition = compile_at(rest, rest_offset, "bool")
            current = block.parts
        elif word == "else":
            if rest:
                raise TemplateError("'{else}' takes no condition; use '{elif ...}'", offset)
            block.condition = None
            block.after_else = True
            current = block.parts
        else:
            if rest:
                raise TemplateError("'{end}' takes nothing after it", offset)
            stack.pop()
            current = stack[-1].parts if stack else root
            if block.kind == "if":
                current.append(Passage(tuple(block.branches)))
            else:
                alternatives = tuple(body for _condition, body in block.branches)
                salt = zlib.crc32(f"{owner}:{block.offset}".encode())
                current.append(Variation(block.kind, alternatives, salt))
                varied = True
    if stack:
        kind = stack[-1].kind
        raise TemplateError(f"'{{{kind}}}' is never closed with '{{end}}'", stack[-1].offset)
    flush(len(source))
    return Template(tuple(root), frozenset(reads), frozenset(places), owner if varied else "")
