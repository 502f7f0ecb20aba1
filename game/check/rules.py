"""Every rule a story is checked against, declared once: its code, severity and summary.

The loader reports E001-E010 (a story that cannot be played), the checker the rest
(what exploring its states finds). Both use these codes; `CODES` is derived from
here, docs/writing.md's table is tested against it, and tests/test_analysis.py has
a case for each rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Rule:
    """One check: a stable code (E... an error, W... a warning) and a one-line summary."""

    code: str
    description: str

    @property
    def severity(self) -> Literal["error", "warning"]:
        return "warning" if self.code.startswith("W") else "error"


RULES: tuple[Rule, ...] = (
    Rule("E001", "a story file or folder cannot be read"),
    Rule("E002", "TOML syntax error"),
    Rule("E003", "a field is unknown, missing, or has a value of the wrong kind"),
    Rule("E004", "the [story] table is missing, repeated, or names a start that does not exist"),
    Rule("E005", "a variable's declaration is wrong"),
    Rule("E006", "two nodes or endings share an id"),
    Rule("E007", "a goto names a place that does not exist"),
    Rule("E008", "an expression (condition, weight or effect) is wrong"),
    Rule("E009", "a {...} passage in a text is wrong"),
    Rule("E010", "a node or choice is put together wrongly"),
    Rule("E020", "dead end: a node can leave the player with no choice to take"),
    Rule("E021", "a choice leads into routes that loop forever"),
    Rule("E022", "trap: from some state of a node, no ending can be reached any more"),
    Rule("W001", "a node is never reached"),
    Rule("W002", "an ending is never reached"),
    Rule("W003", "a condition never holds"),
    Rule("W004", "a condition always holds"),
    Rule("W005", "a variable is never read"),
    Rule("W006", "a variable is never changed"),
    Rule("W007", "an effect pushes a number past its bounds (it is clamped)"),
    Rule("W008", "a decision node has no 'history' note"),
    Rule("W009", "a decision node has no 'discuss' prompt"),
    Rule("W010", "a choice label is too long"),
    Rule("W011", "the story has more states than the check explores"),
    Rule("W012", "a chance outcome can never be drawn"),
    Rule("W013", "a route is never tried: an earlier route always matches"),
    Rule("W014", "two choices open at once do the same: same destination, same effects"),
    Rule(
        "W015",
        "a choice makes no difference: it leads where another does, changing nothing read later",
    ),
)

CODES: dict[str, str] = {rule.code: rule.description for rule in RULES}
BY_CODE: dict[str, Rule] = {rule.code: rule for rule in RULES}
