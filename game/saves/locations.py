"""Where saves live, and whose they are.

Run from a checkout, saves go to the checkout's `saves/`. Installed as a
package, they go to the user's data folder (`~/.local/share/divergence/saves`
on Linux, `~/Library/Application Support/divergence/saves` on macOS,
`%LOCALAPPDATA%\\divergence\\saves` on Windows). `--saves DIR` or the
`DIVERGENCE_SAVES` environment variable override both.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path

from game.story.locations import CHECKOUT, is_checkout

SAVES_ENV = "DIVERGENCE_SAVES"


def saves_folder(override: str | os.PathLike[str] | None = None) -> Path:
    if override:
        return Path(override).expanduser()
    from_env = os.environ.get(SAVES_ENV)
    if from_env:
        return Path(from_env).expanduser()
    if is_checkout():
        return CHECKOUT / "saves"
    import platformdirs  # only needed for installed copies

    return Path(platformdirs.user_data_dir("divergence", appauthor=False)) / "saves"


def default_player() -> str:
    name = os.environ.get("DIVERGENCE_PLAYER")
    if name:
        return name
    try:
        return getpass.getuser() or "player"
    except Exception:  # no user database entry, e.g. in a container
        return "player"
