"""The one error type a writer sees, and the problems it carries."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong with a story, pinned to a file and line like a compiler error."""

    file: str
    line: int
    message: str
    code: str = "E000"  # stable, documented in docs/writing.md: E... errors, W... warnings

    @property
    def severity(self) -> str:
        return "warning" if self.code.startswith("W") else "error"

    def __str__(self) -> str:
        if self.line <= 0:  # a problem with the file as a whole
            return f"{self.file}: {self.code}: {self.message}"
        return f"{self.file}:{self.line}: {self.code}: {self.message}"


class StoryError(Exception):
    """A story could not be loaded. Carries every problem found, not just the first."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(sorted(set(problems)))
        super().__init__(self.report())

    def report(self) -> str:
        count = len(self.problems)
        lines = [str(p) for p in self.problems]
        lines.append(f"{count} error{'s' if count != 1 else ''}")
        return "\n".join(lines)
