"""What goes wrong with save files and slot names."""

from __future__ import annotations

from pathlib import Path


class SaveError(Exception):
    """A save file could not be read or written. The file is never changed by the failure."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class SlotNameError(ValueError):
    """A save slot name that could escape the save folder or is otherwise unusable."""
