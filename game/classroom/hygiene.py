"""The one cleaning every player- or story-supplied string gets on its way out of the tools.

A save is a file anyone can edit, and a story is text anyone can write, so a player's name
or a scene's title may hold terminal escapes, control characters or bidirectional overrides
that would recolour a terminal, hide text or reverse a line in a printed page. The class
report and the transcripts, in every format, pass such strings through `clean` (or `clean_line`,
for one line), so that the same name prints the same everywhere.
"""

from __future__ import annotations

import re

# An ESC (or CSI) sequence is dropped whole, not only its ESC, so that no `[31m` is left over:
# CSI ... final byte; OSC ... BEL or ST; any other two-character escape.
_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"
    r"|\x1b[ -~]?"
)
# C0 controls but tab and newline, DEL, C1 controls, and the bidirectional marks, embeddings,
# overrides and isolates (U+200E-U+200F, U+202A-U+202E, U+2066-U+2069).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean(text: str) -> str:
    """`text` with escape sequences, control characters (but newline and tab) and
    bidirectional controls taken out."""
    return _UNSAFE.sub("", _SEQUENCE.sub("", text))


def clean_line(text: str) -> str:
    """`clean(text)` on one line: newlines, tabs and runs of spaces made one space, trimmed."""
    return " ".join(clean(text).split())


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")


def md(text: str) -> str:
    """`clean_line(text)` for Markdown: its metacharacters escaped, so that nothing in it becomes a
    link, emphasis, raw HTML or a table cell; safe in a table cell too."""
    return _MD_SPECIAL.sub(r"\\\1", clean_line(text))
