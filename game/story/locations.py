"""Where things live: the bundled stories and the save folder.

Run from a checkout, saves go to the checkout's `saves/`. Installed as a
package, they go to the user's data folder (`~/.local/share/divergence/saves`
on Linux, `~/Library/Application Support/divergence/saves` on macOS,
`%LOCALAPPDATA%\\divergence\\saves` on Windows). `--saves DIR` or the
`DIVERGENCE_SAVES` environment variable override both.
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
