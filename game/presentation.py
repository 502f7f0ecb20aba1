"""How numbers, places and suggestions read on the page: one wording for the game and the tools.

The lowest layer of the package: it imports nothing else from `game` (and wcwidth only when
measuring, since the command's start-up path uses `plural`), so the loader's
messages, the map, the dossier, the reports and the command line can all use it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

_EIGHTHS = " ▏▎▍▌▋▊▉"


def plural(count: int, word: str, many: str | None = None) -> str:
    """`1 run`, `2 runs`, `1,204 runs`; `many` for plurals that are not `word` + s."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def percent(share: float) -> int:
    """A share from 0 to 1 as a whole percentage, halves rounded up (62.5 -> 63)."""
    return math.floor(min(max(share, 0.0), 1.0) * 100 + 0.5)


def bar(share: float, width: int, *, track: str = "", eighths: bool = True) -> str:
    """A horizontal bar of block characters `width` cells long at most, the one every text bar
    uses (reports, randomtest, the dossier, the vote panel).

    With `eighths` it is drawn to an eighth of a cell and shows a sliver when `share` is not 0;
    without, to whole cells. `track` (one character) fills the cells the bar leaves empty."""
    share = min(max(share, 0.0), 1.0)
    if eighths:
        count = round(share * width * 8)
        if share > 0 and count == 0:
            count = 1
        full, part = divmod(count, 8)
        drawn = "█" * full + (_EIGHTHS[part] if part else "")
    else:
        drawn = "█" * round(share * width)
    return drawn + track * (width - len(drawn)) if track else drawn


def date_and_place(date: str | None, place: str | None) -> str:
    """`date · place`, either left out when empty."""
    return " · ".join(part for part in (date, place) if part)


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`; did you mean 'x'?` for the closest known name, or nothing."""
    import difflib  # only needed on the error path

    close = difflib.get_close_matches(name, list(known), n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def cells(text: str) -> int:
    """How many terminal columns `text` takes (a control character takes none)."""
    import wcwidth  # emoji, joiners and wide characters as terminals draw them; 60 ms to import

    width = wcwidth.wcswidth(text)
    if width >= 0:
        return width
    return sum(max(wcwidth.wcwidth(char), 0) for char in text)


def _cut(text: str, width: int, *, keep_end: bool = False) -> str:
    """As much of `text` as fits in `width` columns, from the start or from the end."""
    import wcwidth

    chars = reversed(text) if keep_end else iter(text)
    kept: list[str] = []
    used = 0
    for char in chars:
        size = max(wcwidth.wcwidth(char), 0)
        if used + size > width:
            break
        kept.append(char)
        used += size
    return "".join(reversed(kept)) if keep_end else "".join(kept)


def fit(text: str, width: int) -> str:
    """`text` cut to `width` columns with an ellipsis, then padded to exactly `width`."""
    if cells(text) > width:
        text = _cut(text, width - 1) + "…"
    return text + " " * (width - cells(text))


def fit_left(text: str, width: int) -> str:
    """Like `fit` without the padding, keeping the end: for file paths, whose names end them."""
    if cells(text) <= width:
        return text
    return "…" + _cut(text, width - 1, keep_end=True)
