"""Writer-tools benchmark: `divergence check` and `divergence randomtest` on big stories.

    python benchmarks/tools.py            # about half a minute
    python benchmarks/tools.py --quick    # a 1,000-node story instead of 5,000
    python benchmarks/tools.py --strict   # exit 1 when a target is missed

Targets (issue 5): `check` on the 5,000-node generated story in under two seconds,
reachability analysis included; `randomtest` at the core benchmark's 100,000
choices per second. The generated story is the core benchmark's, given what a
finished story has (a history note and a discussion prompt at every decision,
`clamp = true` on its gauges) so that the check measures its analysis rather than
thousands of missing-note warnings. See benchmarks/README.md for the figures.
"""

from __future__ import annotations

import argparse
import io
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.generate import build_story_data, split_story  # noqa: E402
from game.check.analysis import DEFAULT_MAX_STATES, analyse  # noqa: E402
from game.cli.entry import main as cli_main  # noqa: E402
from game.story.catalog import Catalog  # noqa: E402
from game.story.loader import load_story  # noqa: E402
from game.writer.randomtest import run_randomtest  # noqa: E402

TARGET_CHECK_SECONDS = 2.0
TARGET_CHOICES_PER_SECOND = 100_000


def finished(data: dict[str, Any]) -> dict[str, Any]:
    """The generated story as a writer would leave it: notes everywhere, gauges marked."""
    for node in data["node"]:
        if node.get("choice"):
            node.setdefault("history", "What really happened here.")
            node.setdefault("discuss", "What would you have done?")
    for variable in data["variable"].values():
        if "min" in variable or "max" in variable:
            variable["clamp"] = True
    return data


def best_of(runs: int, function: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(runs):
        begin = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - begin)
    return best, result


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a 1,000-node story")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    nodes = 1000 if args.quick else 5000
    missed = []
    print(f"Writer-tools benchmark: Python {sys.version.split()[0]}")

    with tempfile.TemporaryDirectory(prefix="divergence-tools-") as temp:
        folder = Path(temp) / "generated"
        for relative, text in split_story(finished(build_story_data(nodes, 1))).items():
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")

        load_time, story = best_of(3, lambda: load_story(folder))
        analyse_time, analysis = best_of(3, lambda: analyse(story))

        def command() -> int:
            return cli_main(["check", str(folder)], io.StringIO(), io.StringIO())

        command_time, code = best_of(3, command)
        codes = Counter(problem.code for problem in analysis.problems)
        print(f"\ncheck on the generated {nodes:,}-node story (best of 3)")
        print(f"  load_story                    {load_time:6.2f} s")
        print(
            f"  analysis (walk and findings)  {analyse_time:6.2f} s   "
            f"{analysis.states:,} states, "
            + (
                "complete"
                if analysis.complete
                else f"stopped at the bound ({DEFAULT_MAX_STATES:,})"
            )
        )
        ok = command_time < TARGET_CHECK_SECONDS
        print(
            f"  divergence check, in process  {command_time:6.2f} s   "
            f"target < {TARGET_CHECK_SECONDS:g} s: {verdict(ok)} (exit {code})"
        )
        print(f"  findings: {dict(sorted(codes.items())) or 'none'}")
        if not ok:
            missed.append("check")

        print("\nrandomtest, 2,000 runs (best of 3)")
        for name, target_story in [
            (f"generated-{nodes}", story),
            *[(e.id, e.story) for e in Catalog().entries() if e.story is not None],
        ]:
            seconds, report = best_of(3, lambda s=target_story: run_randomtest(s, 2000, seed=0))
            rate = report.total_choices / seconds
            good = rate >= TARGET_CHOICES_PER_SECOND
            print(
                f"  {name:<16} {rate:>10,.0f} choices/s  "
                f"nodes {report.nodes_reached}/{report.nodes_total}  "
                f"endings {report.endings_reached}/{report.endings_total}  {verdict(good)}"
            )
            if not good:
                missed.append(f"randomtest {name}")

    print("\ncheck on the bundled stories (best of 3)")
    for entry in Catalog().entries():
        if entry.story is None:
            continue
        seconds, result = best_of(3, lambda s=entry.story: analyse(s))
        print(f"  {entry.id:<16} {seconds:6.2f} s   {result.states:>7,} states")

    if missed:
        print(f"\nMissed: {', '.join(missed)}")
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
