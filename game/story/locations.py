"""Where stories live: the bundled ones, in a checkout or inside the installed package.

Where saves live is `game.saves.locations`, a layer up: the loader needs only this.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent
CHECKOUT = PACKAGE.parent
MAIN_FILE = "story.toml"  # the file of a story folder that holds its [story] table


def is_checkout() -> bool:
    return (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "stories").is_dir()


def bundled_stories() -> Path:
    installed = PACKAGE / "_bundled_stories"
    if installed.is_dir():
        return installed
    return CHECKOUT / "stories"
