"""Figlet banners that fit the space they are given: a big font, a smaller one, then text."""

from __future__ import annotations

from functools import lru_cache

import pyfiglet

FONTS = ("standard", "small", "mini")


@lru_cache(maxsize=256)
def banner(text: str, width: int, fonts: tuple[str, ...] = FONTS) -> str:
    """The text in the largest font whose every line fits `width`; plain text otherwise."""
    for font in fonts:
        rendered = pyfiglet.figlet_format(text, font=font, width=10_000).rstrip("\n")
        lines = [line.rstrip() for line in rendered.splitlines()]
        while lines and not lines[0].strip():
            lines.pop(0)
        if lines and max(len(line) for line in lines) <= width:
            return "\n".join(lines)
    return text.upper() if len(text) <= width else text[: max(width - 1, 1)] + "…"
