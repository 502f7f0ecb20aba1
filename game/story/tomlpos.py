"""Line numbers for TOML keys, array items and the text inside strings.

`tomllib` returns plain dicts without positions, so this scanner walks the
source once and records the line where every table header, key and array item
starts, keyed by the path a validator reports (`("node", 3, "choice", 0, "goto")`).
It keeps each string value's raw text too, so an offset into the parsed string
(a template error, say) maps back to the line it came from, escapes and
line-ending backslashes included.

It runs only on documents tomllib has accepted, except to locate an
unterminated string for an "end of document" error; on any input it returns
without raising and always advances.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

Path = tuple[str | int, ...]

_BARE_KEY = r"[A-Za-z0-9_-]+"
_KEY_PART = rf'(?:{_BARE_KEY}|"(?:[^"\\\n]|\\.)*"|\'[^\'\n]*\')'
_DOTTED_KEY = rf"{_KEY_PART}(?:[ \t]*\.[ \t]*{_KEY_PART})*"
_HEADER = re.compile(rf"(\[\[?)[ \t]*({_DOTTED_KEY})[ \t]*\]")
_KEY = re.compile(rf"({_DOTTED_KEY})[ \t]*=[ \t]*")
_PART = re.compile(_KEY_PART)
_ESCAPE_LENGTH = {"u": 6, "U": 10}
_STRING_BODY = {  # what ends a stretch of plain text inside each kind of string
    '"""': re.compile(r'\\.|"""', re.DOTALL),  # an escape (a line-ending backslash too) or the end
    "'''": re.compile(r"'''"),
    '"': re.compile(r'\\.|"|\n'),
    "'": re.compile(r"'|\n"),
}


def _split_key(dotted: str) -> list[str]:
    parts = []
    for match in _PART.finditer(dotted):
        text = match.group(0)
        if text[0] in "\"'":
            text = text[1:-1]
        parts.append(text)
    return parts


@dataclass(frozen=True)
class StringValue:
    """A string as written: its delimiter, the line its text starts on, and the raw text."""

    delimiter: str
    line: int
    raw: str

    def line_at(self, offset: int) -> int:
        """The source line of character `offset` of the parsed string."""
        line = self.line
        if self.delimiter in ("'", "'''"):
            return line + self.raw.count("\n", 0, max(offset, 0))
        raw = self.raw
        parsed = 0
        index = 0
        while index < len(raw) and parsed < offset:
            char = raw[index]
            if char == "\\" and index + 1 < len(raw):
                following = raw[index + 1]
                if following in " \t\n":
                    # a line-ending backslash: swallow all whitespace, newlines included
                    index += 1
                    while index < len(raw) and raw[index] in " \t\n":
                        line += raw[index] == "\n"
                        index += 1
                    continue
                index += _ESCAPE_LENGTH.get(following, 2)
                parsed += 1
                continue
            line += char == "\n"
            parsed += 1
            index += 1
        return line


class LineMap:
    """Maps key paths in one TOML document to 1-based line numbers."""

    def __init__(self, source: str) -> None:
        self.lines: dict[Path, int] = {}
        self.strings: dict[Path, StringValue] = {}
        self.unterminated: int | None = None  # line where an unclosed string or array opens
        self._array_counts: dict[Path, int] = {}
        self._source = source.replace("\r\n", "\n")  # as tomllib reads it
        self._pos = 0
        self._line = 1
        self._scan()

    def line_of(self, path: Sequence[str | int]) -> int:
        """The line of the longest known prefix of `path` (1 when nothing matches)."""
        path = tuple(path)
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return 1

    def text_line(self, path: Sequence[str | int], offset: int) -> int:
        """The line of character `offset` of the string value at `path`."""
        value = self.strings.get(tuple(path))
        if value is None:
            return self.line_of(path)
        return value.line_at(offset)

    def text_offset(self, path: Sequence[str | int]) -> int:
        """How many lines below its key a string's text starts (1 after a trimmed newline)."""
        value = self.strings.get(tuple(path))
        return value.line - self.line_of(path) if value else 0

    # -- scanning --

    def _resolve_table(self, keys: list[str]) -> Path:
        # Each key of a header that names an array of tables refers to its latest element.
        resolved: list[str | int] = []
        for key in keys:
            resolved.append(key)
            count = self._array_counts.get(tuple(resolved))
            if count is not None:
                resolved.append(count - 1)
            self.lines.setdefault(tuple(resolved), self._line)
        return tuple(resolved)

    def _skip_blank(self) -> None:
        source = self._source
        while self._pos < len(source) and source[self._pos] in " \t":
            self._pos += 1

    def _skip_line(self) -> None:
        end = self._source.find("\n", self._pos)
        self._pos = len(self._source) if end < 0 else end

    def _scan(self) -> None:
        source = self._source
        table: Path = ()
        while self._pos < len(source):
            self._skip_blank()
            if self._pos >= len(source):
                break
            char = source[self._pos]
            if char == "\n":
                self._line += 1
                self._pos += 1
                continue
            if char == "#":
                self._skip_line()
                continue
            if char == "[":
                header = _HEADER.match(source, self._pos)
                if header:
                    table = self._header(header.group(1) == "[[", _split_key(header.group(2)))
                    self._pos = header.end()
                self._skip_line()
                continue
            key = _KEY.match(source, self._pos)
            if not key:
                self._skip_line()
                continue
            path = (*table, *_split_key(key.group(1)))
            self.lines.setdefault(path, self._line)
            self._pos = key.end()
            self._value(path)
            self._skip_line()

    def _header(self, is_array: bool, keys: list[str]) -> Path:
        if not is_array:
            table = self._resolve_table(keys)
            self.lines.setdefault(table, self._line)
            return table
        parent = self._resolve_table(keys[:-1])
        array_path = (*parent, keys[-1])
        count = self._array_counts.get(array_path, 0)
        self._array_counts[array_path] = count + 1
        self.lines.setdefault(array_path, self._line)
        table = (*array_path, count)
        self.lines.setdefault(table, self._line)
        return table

    def _value(self, path: Path) -> None:
        source = self._source
        if self._pos >= len(source):
            return
        char = source[self._pos]
        if char in "\"'":
            self._string(path)
        elif char in "[{":
            self._container(path)

    def _string(self, path: Path | None) -> None:
        """Consume a string starting at the cursor; record it under `path`."""
        source = self._source
        start_line = self._line
        for delimiter in ('"""', "'''", '"', "'"):
            if source.startswith(delimiter, self._pos):
                break
        self._pos += len(delimiter)
        multi = len(delimiter) == 3
        if multi and source.startswith("\n", self._pos):
            self._pos += 1  # TOML trims a newline right after the opening quotes
            self._line += 1
        text_line = self._line
        begin = position = self._pos
        pattern = _STRING_BODY[delimiter]
        while True:  # jump from one escape or quote to the next, not char by char
            match = pattern.search(source, position)
            if match is None:
                if multi:
                    self._line += source.count("\n", begin)
                    if self.unterminated is None:
                        self.unterminated = start_line
                self._pos = len(source)
                return
            token = match.group(0)
            if token[0] == "\\":
                position = match.end()
                continue
            if token == "\n":  # a one-line string cannot continue; tomllib has said so already
                self._pos = match.start()
                return
            end = match.start()
            if multi:  # up to two quotes just before the closing ones belong to the text
                extra = 0
                while extra < 2 and source.startswith(delimiter[0], end + 3):
                    end += 1
                    extra += 1
            self._line += source.count("\n", begin, end)
            if path is not None:
                self.strings[path] = StringValue(delimiter, text_line, source[begin:end])
            self._pos = end + len(delimiter)
            return

    def _container(self, path: Path) -> None:
        """Consume an array or inline table, recording the line of each array item."""
        source = self._source
        opened_at = self._line
        depth = 0
        item = 0
        expecting_item = False
        while self._pos < len(source):
            char = source[self._pos]
            if char == "\n":
                self._line += 1
                self._pos += 1
                continue
            if char in " \t,":
                if char == "," and depth == 1:
                    item += 1
                self._pos += 1
                continue
            if char == "#":
                self._skip_line()
                continue
            top_item = depth == 1 and expecting_item
            if top_item and char != "]":
                self.lines.setdefault((*path, item), self._line)
            if char in "\"'":
                self._string((*path, item) if top_item else None)
                continue
            if char in "[{":
                if depth == 0:
                    expecting_item = char == "["
                depth += 1
            elif char in "]}":
                depth -= 1
                if depth == 0:
                    self._pos += 1
                    return
            self._pos += 1
        if self.unterminated is None:
            self.unterminated = opened_at
