"""`divergence check`: every problem in a story as file:line: code: message.

First the loader's errors (E001-E010); on a story that loads, the deep checks of
`game.check.analysis` (dead ends, places never reached, conditions that never or always
hold, variables never read or changed, values pushed past their bounds, missing
history notes). The codes are listed in docs/writing.md.
"""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

from game.cli import exitcodes
from game.cli.commands.base import Context, add_command, positive
from game.presentation import plural

if TYPE_CHECKING:
    from game.story.catalog import Entry
    from game.story.problems import Problem

NAME = "check"
ORDER = 10


def register(commands: Any) -> None:
    parser = add_command(
        commands,
        NAME,
        "check stories for errors and warnings",
        "Load stories, explore every state a player can reach, and print each finding as "
        "file:line: code: message (the codes are listed in docs/writing.md). With no STORY, "
        "checks every story found. Exits 1 when there are errors (or, with --strict, warnings).",
    )
    parser.add_argument("story", metavar="STORY", nargs="*", help="story ids or paths")
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text for people (default), json for editors and CI",
    )
    parser.add_argument("--strict", action="store_true", help="warnings fail the check too")
    parser.add_argument(
        "--paths",
        action="store_true",
        help="also print, for every ending, the shortest run of decisions that reaches it",
    )
    parser.add_argument(
        "--max-states",
        type=positive,
        default=None,
        metavar="N",
        help="explore at most N states per story (default: 50,000)",
    )


def run(context: Context, args: argparse.Namespace) -> int:
    from game.check.analysis import DEFAULT_MAX_STATES, Analysis, analyse

    catalog, out = context.catalog, context.stdout
    names: list[str] = args.story
    entries = [catalog.find(name) for name in names] if names else catalog.entries()
    max_states: int = args.max_states or DEFAULT_MAX_STATES
    results: list[tuple[Entry, list[Problem], Analysis | None]] = []
    for entry in entries:
        if entry.error is not None:
            results.append((entry, list(entry.error.problems), None))
            continue
        assert entry.story is not None
        analysis = analyse(entry.story, max_states)
        results.append((entry, analysis.problems, analysis))
    errors = sum(1 for _e, problems, _a in results for p in problems if p.severity == "error")
    warnings = sum(1 for _e, problems, _a in results for p in problems if p.severity == "warning")
    if args.format == "json":
        out.write(json.dumps(_as_json(results, args.paths), indent=2, ensure_ascii=False) + "\n")
    else:
        _write_text(results, args.paths, out)
    failed = errors > 0 or (args.strict and warnings > 0)
    return exitcodes.STORY if failed else exitcodes.OK


def _write_text(results: list[tuple[Entry, list[Problem], Any]], paths: bool, out: TextIO) -> None:
    from game.check.analysis import shortest_paths_text

    for entry, problems, analysis in results:
        for problem in problems:
            out.write(f"{problem}\n")
        errors = sum(1 for p in problems if p.severity == "error")
        warnings = len(problems) - errors
        if analysis is None:
            out.write(f"{entry.path}: {plural(errors, 'error')}; the story does not load\n")
            continue
        story = analysis.story
        size = f"{plural(len(story.nodes), 'node')}, {plural(len(story.endings), 'ending')}"
        explored = (
            f"{plural(analysis.states, 'state')} explored"
            if analysis.complete
            else f"stopped after {plural(analysis.states, 'state')}"
        )
        verdict = (
            "ok" if not problems else f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"
        )
        out.write(f"{entry.path}: {verdict} ({size}; {explored})\n")
        if paths:
            out.write(f"\nShortest paths to the endings of '{story.id}':\n")
            for line in shortest_paths_text(analysis):
                out.write(f"  {line}\n")
            out.write("\n")
    if len(results) > 1:
        broken = sum(
            1 for _e, problems, _a in results if any(p.severity == "error" for p in problems)
        )
        out.write(f"{plural(len(results), 'story', 'stories')} checked: {broken} with errors\n")


def _as_json(results: list[tuple[Entry, list[Problem], Any]], paths: bool) -> dict[str, Any]:
    from game.check.analysis import findings_dicts

    stories = []
    for entry, problems, analysis in results:
        item: dict[str, Any] = {
            "path": str(entry.path),
            "id": entry.id,
            "loads": analysis is not None,
            "findings": findings_dicts(problems),
        }
        if analysis is not None:
            item["states"] = analysis.states
            item["complete"] = analysis.complete
            if paths:
                item["paths"] = {
                    ending: [
                        {
                            "node": s.node,
                            "choice": s.choice,
                            "label": s.label,
                            "chance": list(s.chance),
                        }
                        for s in steps
                    ]
                    for ending, steps in analysis.paths.items()
                }
        stories.append(item)
    count = {"error": 0, "warning": 0}
    for _e, problems, _a in results:
        for problem in problems:
            count[problem.severity] += 1
    return {"stories": stories, "errors": count["error"], "warnings": count["warning"]}
