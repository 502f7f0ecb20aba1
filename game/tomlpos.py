"""Line numbers for TOML keys.

`tomllib` returns plain dicts without positions, so this scanner walks the
source once and records the line where every table header and key starts,
keyed by the same path a validator reports (`("node", 3, "choice", 0, "goto")`).
It understands enough TOML to stay in step: table and array-of-table headers,
dotted keys, and multi-line strings and arrays (whose contents it skips).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Path = tuple[str | int, ...]

_BARE_KEY = r"[A-Za-z0-9_-]+"
_KEY_PART = rf'(?:{_BARE_KEY}|"(?:[^"\\]|\\.)*"|\'[^\']*\')'
_DOTTED_KEY = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER = re.compile(rf"^\s*(\[\[?)\s*({_DOTTED_KEY})\s*\]\]?")
_KEY_LINE = re.compile(rf"^\s*({_DOTTED_KEY})\s*=\s*(.*)$")
_PART = re.compile(_KEY_PART)


def _split_key(dotted: str) -> list[str]:
    parts = []
    for match in _PART.finditer(dotted):
        text = match.group(0)
        if text[0] in "\"'":
            text = text[1:-1]
        parts.append(text)
    return parts


class LineMap:
    """Maps key paths in one TOML document to 1-based line numbers."""

    def __init__(self, source: str) -> None:
        self.lines: dict[Path, int] = {}
        self.next_line_values: set[Path] = set()
        self._array_counts: dict[Path, int] = {}
        self._scan(source)

    def line_of(self, path: Sequence[str | int]) -> int:
        """The line of the longest known prefix of `path` (1 when nothing matches)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1

    def text_offset(self, path: Sequence[str | int]) -> int:
        """1 when a multi-line string's text starts on the line after its key, else 0."""
        return 1 if tuple(path) in self.next_line_values else 0

    def _resolve_table(self, keys: list[str]) -> Path:
        # Each key of a header that names an array of tables refers to its latest element.
        resolved: list[str | int] = []
        for key in keys:
            resolved.append(key)
            count = self._array_counts.get(tuple(resolved))
            if count is not None:
                resolved.append(count - 1)
        return tuple(resolved)

    def _scan(self, source: str) -> None:
        table: Path = ()
        lines = source.splitlines()
        index = 0
        while index < len(lines):
            raw = lines[index]
            number = index + 1
            index += 1
            stripped = raw.strip()
            if not stripped or stripped.startswith("#"):
                continue
            header = _HEADER.match(raw)
            if header and not _KEY_LINE.match(raw):
                keys = _split_key(header.group(2))
                if header.group(1) == "[[":
                    parent = self._resolve_table(keys[:-1])
                    array_path = (*parent, keys[-1])
                    count = self._array_counts.get(array_path, 0)
                    self._array_counts[array_path] = count + 1
                    self.lines.setdefault(array_path, number)
                    table = (*array_path, count)
                else:
                    table = self._resolve_table(keys)
                self.lines.setdefault(table, number)
                continue
            key_line = _KEY_LINE.match(raw)
            if not key_line:
                continue
            path = (*table, *_split_key(key_line.group(1)))
            self.lines.setdefault(path, number)
            value = key_line.group(2)
            if value[:3] in ('"""', "'''") and not value[3:].strip():
                self.next_line_values.add(path)
            index = self._skip_value(key_line.group(2), lines, index)

    @staticmethod
    def _skip_value(value: str, lines: list[str], index: int) -> int:
        """Advance past the lines a multi-line string or array value occupies."""
        for quote in ('"""', "'''"):
            if value.startswith(quote):
                rest = value[3:]
                if _closes(rest, quote):
                    return index
                while index < len(lines):
                    line = lines[index]
                    index += 1
                    if _closes(line, quote):
                        return index
                return index
        if value.startswith("[") or value.startswith("{"):
            depth = _bracket_depth(value)
            while depth > 0 and index < len(lines):
                depth += _bracket_depth(lines[index])
                index += 1
        return index


def _closes(text: str, quote: str) -> bool:
    position = 0
    while True:
        found = text.find(quote, position)
        if found < 0:
            return False
        if quote == '"""':
            backslashes = len(text[:found]) - len(text[:found].rstrip("\\"))
            if backslashes % 2:
                position = found + 1
                continue
        return True


def _bracket_depth(text: str) -> int:
    """Net count of opening brackets on a line, ignoring those inside strings and comments."""
    depth = 0
    quote: str | None = None
    escaped = False
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote == '"':
                escaped = True
            elif char == quote:
                quote = None
            continue
        if char in "\"'":
            quote = char
        elif char == "#":
            break
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
    return depth
