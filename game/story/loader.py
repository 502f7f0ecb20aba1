"""Loading a story: one file or a folder of files in, an immutable `Story` out.

Every problem is collected with its file and line and raised together as one
`StoryError`, so a writer fixes them in one pass, as with a compiler.
"""

from __future__ import annotations

import difflib
import hashlib
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, ValidationError

from game.presentation import did_you_mean
from game.story import format as fmt
from game.story.compiled import (
    Choice,
    Ending,
    Node,
    Outcome,
    Quote,
    Route,
    Story,
    Type,
    Variable,
    Where,
)
from game.story.expr import (
    RESERVED,
    Compiled,
    Effect,
    ExprError,
    Scope,
    Value,
    VarSpec,
    compile_effects,
    compile_expression,
)
from game.story.gcpause import gc_paused
from game.story.locations import MAIN_FILE
from game.story.problems import Problem, StoryError
from game.story.text import Template, compile_template
from game.story.tomlpos import LineMap

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_FILES = 200


class _Lines:
    """A file's line numbers, scanned on the first question and kept."""

    __slots__ = ("_map", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._map: LineMap | None = None

    @property
    def map(self) -> LineMap:
        if self._map is None:
            self._map = LineMap(self._text)
        return self._map

    def line_of(self, path: Sequence[str | int]) -> int:
        return self.map.line_of(path)


@dataclass
class _Source:
    """One parsed file of a story."""

    name: str  # as shown in messages
    text: str
    data: dict[str, Any]
    # What validated, each item with its index in the file (for line numbers). When a file
    # has errors, the items that are fine are still cross-checked, so that one bad field
    # does not hide every other problem until it is fixed.
    meta: fmt.StoryMeta | None = None
    meta_failed: bool = False
    variables: dict[str, fmt.Variable] = field(default_factory=dict)
    nodes: list[tuple[int, fmt.Node]] = field(default_factory=list)
    endings: list[tuple[int, fmt.Ending]] = field(default_factory=list)
    failed_places: list[tuple[str, int, str]] = field(default_factory=list)
    failed_variables: dict[str, Any] = field(default_factory=dict)
    lines: _Lines = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.lines = _Lines(self.text)

    def where(self, path: Sequence[str | int]) -> Where:
        return Where(self.name, 0, tuple(path), self.lines)


def story_files(path: Path) -> list[Path]:
    """The files that make up the story at `path`: the main file first.

    A folder without a story.toml yields just that (missing) file, without walking the
    folder; a folder with too many files stops being walked past the limit.
    """
    if not path.is_dir():
        return [path]
    main = path / MAIN_FILE
    if not main.is_file():
        return [main]
    others: list[Path] = []
    for item in path.rglob("*.toml"):
        if item == main or any(part.startswith(".") for part in item.relative_to(path).parts):
            continue
        others.append(item)
        if len(others) >= MAX_FILES:
            break
    return [main, *sorted(others)]


def load_story(path: str | Path) -> Story:
    """Load and cross-check a story file or folder; raise StoryError listing every problem."""
    # Loading builds a large graph of objects that all stay alive; the cyclic collector
    # would walk it again and again for nothing (a third of the load time on big stories).
    with gc_paused():
        return _load_story(Path(path))


def _load_story(path: Path) -> Story:
    if not path.exists():
        raise StoryError([Problem(str(path), 0, "no such file or folder", code="E001")])
    files = story_files(path)
    if path.is_dir() and not files[0].is_file():
        raise StoryError(
            [
                Problem(
                    str(path),
                    0,
                    f"a story folder needs a {MAIN_FILE} with the [story] table",
                    code="E001",
                )
            ]
        )
    if len(files) > MAX_FILES:  # story_files stops one past the limit
        raise StoryError(
            [Problem(str(path), 0, f"more than {MAX_FILES} files in a story folder", code="E001")]
        )
    problems: list[Problem] = []
    sources: list[_Source] = []
    digest = hashlib.sha256()
    for file in files:
        source = _read(file, problems)
        if source is None:
            continue
        relative = file.name if not path.is_dir() else file.relative_to(path).as_posix()
        digest.update(relative.encode() + b"\0" + source.text.encode() + b"\0")
        sources.append(source)
    if problems:  # a file that cannot be read or parsed: its contents are unknown
        raise StoryError(problems)
    for source in sources:
        _validate(source, problems)
    story = _Builder(sources, problems).build(
        digest.hexdigest(), str(path), [str(f) for f in files]
    )
    if problems or story is None:
        raise StoryError(problems)
    return story


def _read(file: Path, problems: list[Problem]) -> _Source | None:
    name = str(file)
    try:
        size = file.stat().st_size
        if size > MAX_FILE_BYTES:
            problems.append(
                Problem(
                    name, 0, f"file is {size} bytes; the limit is {MAX_FILE_BYTES}", code="E001"
                )
            )
            return None
        raw = file.read_bytes()
    except OSError as error:
        problems.append(
            Problem(name, 0, f"cannot read the file: {error.strerror or error}", code="E001")
        )
        return None
    return parse_source(name, raw, problems)


def parse_source(name: str, raw: bytes, problems: list[Problem]) -> _Source | None:
    """Decode and parse one file's bytes as TOML; on failure, record why and where."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        problems.append(
            Problem(name, line, "the file is not UTF-8 text; save it as UTF-8", code="E001")
        )
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        problems.append(_toml_problem(name, str(error), text))
        return None
    except (RecursionError, MemoryError):
        problems.append(Problem(name, 1, "the TOML is nested too deeply to read", code="E002"))
        return None
    return _Source(name, text, data)


_TOML_AT = re.compile(r"^(.*?)\s*\(at line (\d+), column (\d+)\)$")
_TOML_END = re.compile(r"^(.*?)\s*\(at end of document\)$")


def _toml_problem(name: str, message: str, text: str) -> Problem:
    match = _TOML_AT.match(message)
    if match:
        text, line, column = match.group(1), int(match.group(2)), match.group(3)
        return Problem(
            name, line, f"TOML syntax error: {_toml_hint(text)} (column {column})", code="E002"
        )
    match = _TOML_END.match(message)
    if match:
        try:
            opened = LineMap(text).unterminated
        except RecursionError:  # pragma: no cover - the scanner does not recurse
            opened = None
        last = text.count("\n") + (0 if text.endswith("\n") else 1)
        where = f"; it starts at line {opened}" if opened else ""
        return Problem(
            name,
            opened or max(last, 1),
            f"TOML syntax error at the end of the file: {_toml_hint(match.group(1))}{where}",
            code="E002",
        )
    return Problem(name, 1, f"TOML syntax error: {message}", code="E002")


def _toml_hint(text: str) -> str:
    hints = {
        "Cannot overwrite a value": "a key is set twice in the same table",
        "Cannot declare": "a table is declared twice",
        "Invalid value": "this value is not valid TOML (text needs quotes)",
        "Unclosed": "a string or array is not closed",
    }
    for start, hint in hints.items():
        if text.startswith(start):
            return f"{text[0].lower()}{text[1:]}: {hint}"
    return text[0].lower() + text[1:] if text else text


# --- validation of one file ------------------------------------------------------

_TABLES: dict[str, type[BaseModel]] = {
    "story": fmt.StoryMeta,
    "variable": fmt.Variable,
    "node": fmt.Node,
    "choice": fmt.Choice,
    "outcome": fmt.Outcome,
    "route": fmt.Route,
    "ending": fmt.Ending,
}


def _fields_of(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _table_at(loc: Sequence[str | int], data: Any) -> tuple[str, type[BaseModel]]:
    """Describe the table that `loc` points into, e.g. `node "dacha", choice 2`."""
    parts: list[str] = []
    model: type[BaseModel] = fmt.StoryFile
    node: Any = data
    index = 0
    while index < len(loc):
        key = loc[index]
        child = node.get(key) if isinstance(node, dict) else None
        if (
            isinstance(key, str)
            and key in _TABLES
            and (key != "variable" or model is fmt.StoryFile)
        ):
            model = _TABLES[key]
            if key == "variable" and index + 1 < len(loc):
                parts.append(f"[variable.{loc[index + 1]}]")
                node = child.get(loc[index + 1]) if isinstance(child, dict) else None
                index += 2
                continue
            if key == "story":
                parts.append("[story]")
                node = child
                index += 1
                continue
            if index + 1 < len(loc) and isinstance(loc[index + 1], int):
                position = loc[index + 1]
                assert isinstance(position, int)
                item = (
                    child[position] if isinstance(child, list) and position < len(child) else None
                )
                ident = item.get("id") if isinstance(item, dict) else None
                label = f'{key} "{ident}"' if isinstance(ident, str) else f"{key} {position + 1}"
                parts.append(label)
                node = item
                index += 2
                continue
        if isinstance(node, dict):
            node = child
        index += 1
        if index >= len(loc) or not isinstance(key, str) or key not in _TABLES:
            break
    return ", ".join(parts), model


_PLAIN_TYPES = {
    "string_type": "text in quotes",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": 'a list, e.g. ["a", "b"]',
    "dict_type": "a table",
    "model_type": "a table",
    "model_attributes_type": "a table",
}


def _validate(source: _Source, problems: list[Problem]) -> None:
    try:
        model = fmt.StoryFile.model_validate(source.data)
    except ValidationError as error:
        _report(source, error, problems, ())
        _validate_items(source)
        return
    source.meta = model.story
    source.variables = dict(model.variable)
    source.nodes = list(enumerate(model.node))
    source.endings = list(enumerate(model.ending))


def _report(
    source: _Source, error: ValidationError, problems: list[Problem], prefix: tuple[str | int, ...]
) -> None:
    seen: set[tuple[str | int, ...]] = set()
    for item in error.errors():
        loc = prefix + tuple(part for part in item["loc"] if not _is_union_tag(part))
        if loc in seen:
            continue
        seen.add(loc)
        problems.append(_pydantic_problem(source, loc, item))


def _remember_variable(source: _Source, name: str, raw: Any) -> None:
    """A variable whose declaration failed: keep its name (and a type) so uses don't cascade."""
    if isinstance(raw, dict) and "default" in raw:
        default = raw["default"]
        source.failed_variables[name] = default if isinstance(default, bool | int | str) else 0


def _validate_items(source: _Source) -> None:
    """After a file failed as a whole, keep each item that is fine on its own (errors are
    already reported) and remember the ids of the rest, so that no cascade follows."""
    data = source.data
    raw_meta = data.get("story")
    if raw_meta is not None:
        try:
            source.meta = fmt.StoryMeta.model_validate(raw_meta)
        except ValidationError:
            source.meta_failed = True
    raw_variables = data.get("variable")
    if isinstance(raw_variables, dict):
        for name, raw in raw_variables.items():
            try:
                source.variables[name] = fmt.Variable.model_validate(raw)
            except ValidationError:
                _remember_variable(source, name, raw)
    for key, items in data.items():  # a misspelt [[nodes]]: its ids still count as known
        if key not in ("story", "variable", "node", "ending") and isinstance(items, dict):
            for name, raw in items.items():  # a misspelt [variables.NAME]
                _remember_variable(source, name, raw)
        if key not in ("story", "variable", "node", "ending") and isinstance(items, list):
            kind = "ending" if key.startswith("end") else "node"
            for index, raw in enumerate(items):
                if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                    source.failed_places.append((kind, index, raw["id"]))
    for kind, model, found in (
        ("node", fmt.Node, source.nodes),
        ("ending", fmt.Ending, source.endings),
    ):
        items = data.get(kind)
        if not isinstance(items, list):
            continue
        for index, raw in enumerate(items):
            try:
                found.append((index, model.model_validate(raw)))  # type: ignore[arg-type]
            except ValidationError:
                ident = raw.get("id") if isinstance(raw, dict) else None
                if isinstance(ident, str):
                    source.failed_places.append((kind, index, ident))


def _is_union_tag(part: str | int) -> bool:
    # pydantic adds the member type's name to the location of union errors
    return isinstance(part, str) and part in {
        "str",
        "int",
        "bool",
        "list[str]",
        "literal['int','bool','str']",
    }


def _pydantic_problem(source: _Source, loc: tuple[str | int, ...], item: Any) -> Problem:
    kind = item["type"]
    where = source.where(loc)
    table, model = _table_at(loc, source.data)
    prefix = f"{table}: " if table else ""
    key = loc[-1] if loc else ""
    if kind == "extra_forbidden":
        known = _fields_of(model)
        close = difflib.get_close_matches(str(key), known, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else f" (known fields: {', '.join(known)})"
        if model is fmt.StoryFile:
            hint = " (a story file has [story], [variable.NAME], [[node]] and [[ending]] tables)"
        return Problem(where.file, where.line, f"{prefix}unknown field '{key}'{hint}", code="E003")
    if kind == "missing":
        return Problem(where.file, where.line, f"{prefix}'{key}' is missing", code="E003")
    if key == "weight" and kind in _PLAIN_TYPES:
        return Problem(
            where.file,
            where.line,
            f"{prefix}'weight' should be a whole number or an expression in quotes, e.g. \"supply * 2\"",
            code="E003",
        )
    if kind in _PLAIN_TYPES:
        return Problem(
            where.file, where.line, f"{prefix}'{key}' should be {_PLAIN_TYPES[kind]}", code="E003"
        )
    if kind == "string_pattern_mismatch":
        return Problem(
            where.file,
            where.line,
            f"{prefix}'{key}' = {item['input']!r} is not a valid id: use letters, digits and "
            "underscores, starting with a letter",
            code="E003",
        )
    if kind == "string_too_short":
        return Problem(where.file, where.line, f"{prefix}'{key}' must not be empty", code="E003")
    if kind == "string_too_long":
        limit = item.get("ctx", {}).get("max_length")
        return Problem(
            where.file,
            where.line,
            f"{prefix}'{key}' is longer than {limit} characters",
            code="E003",
        )
    if kind == "literal_error":
        expected = item.get("ctx", {}).get("expected", "")
        return Problem(
            where.file, where.line, f"{prefix}'{key}' should be one of {expected}", code="E003"
        )
    if key == "default" and kind in ("int_type", "int_from_float", "float_type"):
        return Problem(
            where.file,
            where.line,
            f"{prefix}'default' should be a whole number, true/false or text",
            code="E003",
        )
    message = item["msg"]
    return Problem(
        where.file, where.line, f"{prefix}'{key}': {message[0].lower()}{message[1:]}", code="E003"
    )


# --- cross-checking and compiling -----------------------------------------------------


def _as_list(effects: str | list[str]) -> list[str]:
    return [effects] if isinstance(effects, str) else list(effects)


class _Builder:
    def __init__(self, sources: list[_Source], problems: list[Problem]) -> None:
        self.sources = sources
        self.problems = problems
        self.scope = Scope({})
        self.broken: dict[str, VarSpec] = {}
        self.defaults: dict[str, Value] = {}  # the variables at the start, for static headings
        self.cache: dict[tuple[str, str | None], Compiled | ExprError] = {}
        self.effect_cache: dict[str, list[Effect] | ExprError] = {}

    def error(self, where: Where, message: str, code: str) -> None:
        self.problems.append(Problem(where.file, where.line, message, code))

    def located(
        self, source: _Source, path: tuple[str | int, ...], message: str, code: str
    ) -> None:
        """Record a problem prefixed with the table it is in, e.g. `node "dacha", choice 2: ...`."""
        table, _model = _table_at(path, source.data)
        self.error(source.where(path), f"{table}: {message}" if table else message, code)

    def build(self, fingerprint: str, root: str, files: list[str]) -> Story | None:
        meta, meta_source = self.find_meta()
        variables = self.build_variables()
        places = self.collect_places()
        if meta is None or meta_source is None:
            return None
        if meta.start not in places:
            self.error(
                meta_source.where(("story", "start")),
                f"start node '{meta.start}' does not exist{did_you_mean(meta.start, places)}",
                code="E004",
            )
        elif places[meta.start][0] != "node":
            self.error(
                meta_source.where(("story", "start")),
                f"start '{meta.start}' is an ending, not a node",
                code="E004",
            )
        specs = dict(self.broken)
        specs.update(
            (name, VarSpec(var.type, frozenset(var.values), var.minimum, var.maximum))
            for name, var in variables.items()
        )
        choices = {
            node.id: frozenset(choice_keys(node))
            for source in self.sources
            for _i, node in source.nodes
        }
        self.scope = Scope(MappingProxyType(specs), frozenset(places), MappingProxyType(choices))
        self.place_kinds = {key: kind for key, (kind, _where) in places.items()}
        self.defaults = {name: var.default for name, var in variables.items()}
        nodes: dict[str, Node] = {}
        endings: dict[str, Ending] = {}
        for source in self.sources:
            for index, node in source.nodes:
                built = self.build_node(source, index, node)
                if built is not None:
                    nodes.setdefault(built.id, built)
            for index, ending in source.endings:
                built_ending = self.build_ending(source, index, ending)
                if built_ending is not None:
                    endings.setdefault(built_ending.id, built_ending)
        if self.problems:
            return None
        return Story(
            id=meta.id,
            title=meta.title,
            subtitle=meta.subtitle,
            summary=meta.summary.strip(),
            authors=tuple(meta.authors),
            version=meta.version,
            start=meta.start,
            era=meta.era,
            content_warnings=tuple(meta.content_warnings),
            variables=MappingProxyType(variables),
            nodes=MappingProxyType(nodes),
            endings=MappingProxyType(endings),
            fingerprint=fingerprint,
            files=tuple(files),
            root=root,
            auto_endings=tuple(e for e in endings.values() if e.condition is not None),
        )

    def find_meta(self) -> tuple[fmt.StoryMeta | None, _Source | None]:
        found: list[tuple[fmt.StoryMeta, _Source]] = []
        for source in self.sources:
            if source.meta is not None:
                found.append((source.meta, source))
        if not found:
            if any(source.meta_failed for source in self.sources):
                return None, None  # its problems are reported already
            first = self.sources[0].name if self.sources else "story"
            self.error(
                Where(first, 1),
                "no [story] table: a story needs one, with id, title, summary, start and era",
                code="E004",
            )
            return None, None
        main_meta, main_source = found[0]
        for _meta, source in found[1:]:
            self.error(
                source.where(("story",)),
                f"a second [story] table; the story is already described at "
                f"{main_source.where(('story',))}",
                code="E004",
            )
        if main_source is not self.sources[0]:
            self.error(
                main_source.where(("story",)),
                f"the [story] table belongs in {self.sources[0].name}, the story's main file",
                code="E004",
            )
        return main_meta, main_source

    def build_variables(self) -> dict[str, Variable]:
        variables: dict[str, Variable] = {}
        first_seen: dict[str, Where] = {}
        for source in self.sources:
            for name, default in source.failed_variables.items():
                self.broken[name] = VarSpec(_type_of(default))
            for name, raw in source.variables.items():
                where = source.where(("variable", name))
                if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or len(name) > 64:
                    self.error(
                        where,
                        f"variable name '{name}' must use letters, digits and underscores",
                        code="E005",
                    )
                    continue
                if name in RESERVED:
                    self.error(
                        where,
                        f"'{name}' is a word of the expression or text language; "
                        "choose another name",
                        code="E005",
                    )
                    continue
                if name in first_seen:
                    self.error(
                        where,
                        f"variable '{name}' is declared twice; first at {first_seen[name]}",
                        code="E005",
                    )
                    continue
                first_seen[name] = where
                built = self.build_variable(source, name, raw, where)
                if built is not None:
                    variables[name] = built
                else:  # reported already; keep it in scope so its uses raise no further errors
                    kind = raw.type or _type_of(raw.default)
                    self.broken[name] = VarSpec(kind, frozenset(raw.values or ()))
        return variables

    def build_variable(
        self, source: _Source, name: str, raw: fmt.Variable, where: Where
    ) -> Variable | None:
        default = raw.default
        inferred = _type_of(default)
        kind: Type = raw.type or inferred
        at = source.where(("variable", name, "default"))
        if kind != inferred:
            self.error(
                at,
                f"variable '{name}' is declared {kind}, but its default {default!r} is {inferred}",
                code="E005",
            )
            return None
        if kind != "int" and (raw.min is not None or raw.max is not None):
            self.error(where, f"variable '{name}': min and max only apply to numbers", code="E005")
            return None
        if raw.clamp and (kind != "int" or (raw.min is None and raw.max is None)):
            self.error(
                where,
                f"variable '{name}': 'clamp' only applies to numbers with a min or max",
                code="E005",
            )
            return None
        if kind != "str" and raw.values is not None:
            self.error(
                where, f"variable '{name}': 'values' only applies to text variables", code="E005"
            )
            return None
        values: tuple[str, ...] = ()
        if kind == "int":
            assert isinstance(default, int)
            if raw.min is not None and raw.max is not None and raw.min > raw.max:
                self.error(
                    where,
                    f"variable '{name}': min {raw.min} is greater than max {raw.max}",
                    code="E005",
                )
                return None
            if (raw.min is not None and default < raw.min) or (
                raw.max is not None and default > raw.max
            ):
                self.error(
                    at,
                    f"variable '{name}': default {default} is {_bounds(raw.min, raw.max)}",
                    code="E005",
                )
                return None
        if kind == "str":
            if not raw.values:
                self.error(
                    where,
                    f"text variable '{name}' needs 'values', the list of values it may take",
                    code="E005",
                )
                return None
            values = tuple(raw.values)
            if default not in values:
                self.error(
                    at,
                    f"variable '{name}': default {default!r} is not one of its values",
                    code="E005",
                )
                return None
        return Variable(
            name=name,
            type=kind,
            default=default,
            label=raw.label,
            description=raw.description,
            visible=raw.visible,
            minimum=raw.min,
            maximum=raw.max,
            values=values,
            where=where,
            expects_clamping=raw.clamp,
        )

    def collect_places(self) -> dict[str, tuple[str, Where]]:
        places: dict[str, tuple[str, Where]] = {}
        for source in self.sources:
            ids = [("node", index, node.id) for index, node in source.nodes]
            ids += [("ending", index, end.id) for index, end in source.endings]
            ids += source.failed_places
            for kind, index, ident in ids:
                where = source.where((kind, index, "id"))
                if ident in places:
                    other_kind, other = places[ident]
                    self.error(
                        where,
                        f"duplicate id '{ident}': a {other_kind} at {other} has it already",
                        code="E006",
                    )
                    continue
                places[ident] = (kind, where)
        return places

    # -- compiling pieces --

    def compiled(self, text: str, want: str | None) -> Compiled:
        """Compile an expression once per load: stories repeat conditions like `supply > 2`."""
        key = (text, want)
        found = self.cache.get(key)
        if found is None:
            try:
                found = compile_expression(text, self.scope, want)  # type: ignore[arg-type]
            except ExprError as error:
                found = error
            self.cache[key] = found
        if isinstance(found, ExprError):
            raise found
        return found

    def compiled_effects(self, text: str) -> list[Effect]:
        found = self.effect_cache.get(text)
        if found is None:
            try:
                found = compile_effects(text, self.scope)
            except ExprError as error:
                found = error
            self.effect_cache[text] = found
        if isinstance(found, ExprError):
            raise found
        return found

    def expression(
        self, source: _Source, path: tuple[str | int, ...], text: str, want: str, what: str
    ) -> Compiled | None:
        try:
            return self.compiled(text, want)
        except ExprError as error:
            self.located(source, path, _expr_message(what, text, error), code="E008")
            return None

    def weight(self, source: _Source, path: tuple[str | int, ...], text: str) -> Compiled | None:
        """A chance weight: a number, or a condition that counts as 1 when true and 0 when
        false (`weight = "promised"`), so odds can follow a flag without a second outcome."""
        try:
            found = self.compiled(text, None)
            if found.type == "str":
                raise ExprError("expected a number or a condition, but this is text", 0)
        except ExprError as error:
            self.located(source, path, _expr_message("weight", text, error), code="E008")
            return None
        if found.type == "int":
            return found
        test = found.evaluate
        constant = None if found.constant is None else int(bool(found.constant))
        return replace(
            found, type="int", evaluate=lambda v, n: 1 if test(v, n) else 0, constant=constant
        )

    def effects(
        self, source: _Source, path: tuple[str | int, ...], raw: str | list[str]
    ) -> tuple[Effect, ...]:
        compiled: list[Effect] = []
        for index, text in enumerate(_as_list(raw)):
            at = (*path, index) if isinstance(raw, list) else path
            try:
                compiled.extend(self.compiled_effects(text))
            except ExprError as error:
                self.located(source, at, _expr_message("effects", text, error), code="E008")
        return tuple(compiled)

    def template(
        self, source: _Source, path: tuple[str | int, ...], text: str, owner: str = ""
    ) -> Template | None:
        try:
            return compile_template(text, self.scope, self.compiled, owner)
        except ExprError as error:
            line = source.lines.map.text_line(path, error.column)
            table, _model = _table_at(path, source.data)
            self.error(
                Where(source.name, line), f"{table}: in '{path[-1]}': {error.message}", code="E009"
            )
            return None

    def target(self, source: _Source, path: tuple[str | int, ...], target: str) -> bool:
        if target in self.place_kinds:
            return True
        self.located(
            source,
            path,
            f"'goto' names '{target}', which is neither a node nor an ending"
            f"{did_you_mean(target, self.place_kinds)}",
            code="E007",
        )
        return False

    def outcomes(
        self, source: _Source, path: tuple[str | int, ...], raw: list[fmt.Outcome]
    ) -> tuple[Outcome, ...]:
        built = []
        for index, outcome in enumerate(raw):
            at = (*path, index)
            weight_text = str(outcome.weight)
            weight = self.weight(source, (*at, "weight"), weight_text)
            self.target(source, (*at, "goto"), outcome.goto)
            effects = self.effects(source, (*at, "effects"), outcome.effects)
            if weight is not None:
                built.append(Outcome(weight, outcome.goto, effects, source.where(at)))
        return tuple(built)

    def build_node(self, source: _Source, index: int, raw: fmt.Node) -> Node | None:
        path: tuple[str | int, ...] = ("node", index)
        where = source.where(path)
        text = self.template(source, (*path, "text"), raw.text, raw.id)
        title, title_template = self.heading(source, (*path, "title"), raw.title, raw.id)
        viewpoint, viewpoint_template = self.heading(
            source, (*path, "viewpoint"), raw.viewpoint, raw.id
        )
        quotes = self.quotes(source, path, raw.quote)
        effects = self.effects(source, (*path, "effects"), raw.effects)
        choices = self.build_choices(source, path, raw)
        routes = []
        for number, route in enumerate(raw.route):
            at = (*path, "route", number)
            condition = None
            if route.condition is not None:
                condition = self.expression(
                    source, (*at, "if"), route.condition, "bool", "condition"
                )
            self.target(source, (*at, "goto"), route.goto)
            routes.append(
                Route(
                    condition,
                    route.goto,
                    self.effects(source, (*at, "effects"), route.effects),
                    source.where(at),
                )
            )
        outcomes = self.outcomes(source, (*path, "outcome"), raw.outcome)
        if raw.outcome and raw.choice:
            self.located(
                source,
                (*path, "outcome"),
                "this node draws a chance outcome whenever no route matches, so its choices "
                "could never be taken; move the outcomes into a choice, or the choices elsewhere",
                code="E010",
            )
        if not raw.choice and not raw.route and not raw.outcome:
            self.error(
                where,
                f"node '{raw.id}' has no choices, routes or outcomes, so the player would be stuck; "
                "add a [[node.choice]] or send it on to an [[ending]] with a [[node.route]]",
                code="E010",
            )
        if text is None:
            return None
        return Node(
            id=raw.id,
            title=title,
            date=raw.date,
            place=raw.place,
            viewpoint=viewpoint,
            chapter=raw.chapter,
            text=text,
            effects=effects,
            choices=choices,
            routes=tuple(routes),
            outcomes=outcomes,
            history=raw.history.strip(),
            discuss=raw.discuss.strip(),
            sources=tuple(raw.sources),
            content_warnings=tuple(raw.content_warnings),
            where=where,
            quotes=quotes,
            title_template=title_template,
            viewpoint_template=viewpoint_template,
        )

    def heading(
        self, source: _Source, path: tuple[str | int, ...], raw: str, owner: str
    ) -> tuple[str, Template | None]:
        """A title or viewpoint: as written, or a template with the text it shows at the start
        (for tools that show a node without a state, such as the map and the report)."""
        if "{" not in raw and "}" not in raw:
            return raw, None
        template = self.template(source, path, raw, owner)
        if template is None:
            return raw, None
        try:
            shown = template.render(self.defaults, {}).strip()
        except (ArithmeticError, LookupError):  # reads a visit count: not known without a state
            shown = raw
        if path[-1] == "title" and not 1 <= len(shown) <= fmt.TITLE_LENGTH:
            self.located(
                source,
                path,
                f"the title shows as {len(shown)} characters at the start of the story; "
                f"a title shows 1 to {fmt.TITLE_LENGTH}",
                code="E003",
            )
        return shown, template

    def quotes(
        self, source: _Source, path: tuple[str | int, ...], raw: list[fmt.Quote]
    ) -> tuple[Quote, ...]:
        built = []
        for number, quote in enumerate(raw):
            at = (*path, "quote", number)
            condition = None
            if quote.condition is not None:
                condition = self.expression(
                    source, (*at, "if"), quote.condition, "bool", "condition"
                )
            built.append(
                Quote(quote.text.strip(), quote.speaker, quote.source, condition, source.where(at))
            )
        return tuple(built)

    def build_choices(
        self, source: _Source, path: tuple[str | int, ...], raw: fmt.Node
    ) -> tuple[Choice, ...]:
        keys: dict[str, Where] = {}
        built = []
        for number, (choice, key) in enumerate(zip(raw.choice, choice_keys(raw), strict=True)):
            at = (*path, "choice", number)
            where = source.where(at)
            if choice.goto is None and not choice.outcome:
                self.error(
                    where,
                    f"choice '{choice.label}' needs a 'goto' or [[node.choice.outcome]] tables",
                    code="E010",
                )
                continue
            if choice.goto is not None and choice.outcome:
                self.error(
                    where,
                    f"choice '{choice.label}' has both 'goto' and outcomes; keep one",
                    code="E010",
                )
                continue
            if key in keys:
                self.error(
                    where,
                    f"two choices of node '{raw.id}' are both called '{key}' (the other at {keys[key]}); give them different 'id's",
                    code="E010",
                )
                continue
            keys[key] = where
            if choice.goto is not None:
                self.target(source, (*at, "goto"), choice.goto)
            condition = None
            if choice.condition is not None:
                condition = self.expression(
                    source, (*at, "if"), choice.condition, "bool", "condition"
                )
            elif choice.locked is not None:
                self.located(
                    source,
                    (*at, "locked"),
                    "'locked' is the reason shown when the choice's 'if' is false, but this choice has no 'if'",
                    code="E010",
                )
            built.append(
                Choice(
                    key=key,
                    label=choice.label,
                    target=choice.goto,
                    outcomes=self.outcomes(source, (*at, "outcome"), choice.outcome),
                    condition=condition,
                    locked=choice.locked,
                    effects=self.effects(source, (*at, "effects"), choice.effects),
                    once=choice.once,
                    historical=choice.historical,
                    where=where,
                )
            )
        return tuple(built)

    def build_ending(self, source: _Source, index: int, raw: fmt.Ending) -> Ending | None:
        path: tuple[str | int, ...] = ("ending", index)
        epilogue = self.template(source, (*path, "epilogue"), raw.epilogue, raw.id)
        quotes = self.quotes(source, path, raw.quote)
        condition = None
        if raw.condition is not None:
            condition = self.expression(source, (*path, "if"), raw.condition, "bool", "condition")
        if epilogue is None:
            return None
        return Ending(
            id=raw.id,
            title=raw.title,
            date=raw.date,
            place=raw.place,
            tone=raw.tone,
            epilogue=epilogue,
            history=raw.history.strip(),
            hint=raw.hint,
            condition=condition,
            content_warnings=tuple(raw.content_warnings),
            where=source.where(path),
            quotes=quotes,
        )


def _bounds(low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return f"outside {low}..{high}"
    return f"below the min {low}" if low is not None else f"above the max {high}"


def choice_keys(node: fmt.Node) -> list[str]:
    """The key of each choice, as saves record it: its `id`, else its `goto` when no other
    choice of the node shares it, else `choiceN` by position."""
    targets = [choice.goto for choice in node.choice if choice.id is None and choice.goto]
    keys = []
    for number, choice in enumerate(node.choice):
        if choice.id is not None:
            keys.append(choice.id)
        elif choice.goto is not None and targets.count(choice.goto) == 1:
            keys.append(choice.goto)
        else:
            keys.append(f"choice{number + 1}")
    return keys


def _type_of(value: int | bool | str) -> Type:
    return "bool" if isinstance(value, bool) else "int" if isinstance(value, int) else "str"


def _expr_message(what: str, text: str, error: ExprError) -> str:
    shown = text if len(text) <= 60 else text[:57] + "..."
    return f"in {what} '{shown}': {error.message} (column {error.column + 1})"
