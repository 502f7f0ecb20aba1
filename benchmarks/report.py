"""Class-report benchmark: `divergence report` over a class's worth of saves, in every format.

    python benchmarks/report.py              # 200 saves of twin_vipers, about 15 s
    python benchmarks/report.py --saves 500 --story june22
    python benchmarks/report.py --strict     # exit 1 when a target is missed

Builds the saves by random play on a bundled story (one autosave per player, four in five
played to an ending, the rest stopped part-way) in a temporary folder, zips them too, and
times the command, best of 3, for each format:

- `command`: the whole `divergence report` in a fresh process, from start-up to exit, as
  a teacher runs it. Target: under 2 s.
- `in process`: `game.cli.entry.main` called again in this process (a new catalog each time, so
  the story is loaded again, but Python and the libraries are warm): what the report
  itself costs, without the interpreter's start.

It is a benchmark, not a test: without --strict it always exits 0.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from game.cli.entry import main as cli_main  # noqa: E402
from game.play.engine import Engine  # noqa: E402
from game.saves.files import SaveFolder, autosave_slot, snapshot  # noqa: E402
from game.story.catalog import Catalog  # noqa: E402
from game.story.compiled import Story  # noqa: E402

TARGET_SECONDS = 2.0
FORMATS = ("text", "md", "html", "csv")
RUNS = 3


def build_class(story: Story, folder: Path, count: int, seed: int) -> int:
    """`count` autosaves of random runs of `story` in `folder`; the decisions made in all."""
    engine = Engine(story)
    rng = random.Random(seed)
    saves = SaveFolder(folder)
    start = datetime(2025, 10, 6, 9, 0, tzinfo=UTC)
    decisions = 0
    for index in range(count):
        state = engine.start(rng.randrange(2**32))
        limit = 10_000 if rng.random() < 0.8 else rng.randrange(0, 6)
        while not state.over and len(state.path) < limit:
            options = engine.available(state)
            if not options:
                break
            state = engine.choose(state, rng.choice(options).key)
        decisions += len(state.path)
        created = start + timedelta(minutes=index)
        player = f"Student {index + 1:03d}"
        save = snapshot(story, state, player, created=created)
        saves.write(autosave_slot(story.id, player), save)
    return decisions


def best_of(runs: int, function: Callable[[list[str]], None], arguments: list[str]) -> float:
    best = float("inf")
    for _ in range(runs):
        began = time.perf_counter()
        function(arguments)
        best = min(best, time.perf_counter() - began)
    return best


def in_process(arguments: list[str]) -> None:
    out = io.StringIO()
    code = cli_main(arguments, stdin=io.StringIO(), stdout=out)
    if code != 0:
        raise SystemExit(f"divergence {' '.join(arguments)} exited {code}")


def command(arguments: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "game", *arguments],
        capture_output=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        timeout=120,
    )
    if result.returncode != 0:
        raise SystemExit(f"divergence {' '.join(arguments)} exited {result.returncode}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--saves", type=int, default=200, help="how many saves (200)")
    parser.add_argument("--story", default="twin_vipers", help="a bundled story (twin_vipers)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)

    story = Catalog().find(args.story).story
    if story is None:
        raise SystemExit(f"the story '{args.story}' does not load")
    print(f"Class-report benchmark: Python {sys.version.split()[0]}, best of {RUNS}")
    missed = []
    with tempfile.TemporaryDirectory(prefix="divergence-report-") as temp:
        folder = Path(temp) / "class"
        began = time.perf_counter()
        decisions = build_class(story, folder, args.saves, args.seed)
        built = time.perf_counter() - began
        archive = Path(temp) / "class.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for path in sorted(folder.glob("*.toml")):
                bundle.write(path, f"class/{path.name}")
        size = sum(path.stat().st_size for path in folder.glob("*.toml"))
        print(
            f"{args.saves} saves of {story.id} ({decisions:,} decisions, {size / 1024:,.0f} KB) "
            f"built in {built:.2f} s; zipped: {archive.stat().st_size / 1024:,.0f} KB\n"
        )
        print(f"{'input':<8} {'format':<6} {'command':>9} {'in process':>11}  target < 2 s")
        for label, source in (("folder", folder), ("zip", archive)):
            for format in FORMATS:
                arguments = ["report", str(source), "--format", format, "-o", f"{temp}/r.{format}"]
                whole = best_of(RUNS, command, arguments)
                inside = best_of(RUNS, in_process, arguments)
                ok = whole < TARGET_SECONDS
                if not ok:
                    missed.append(f"{label} {format}")
                print(
                    f"{label:<8} {format:<6} {whole:>8.3f}s {inside:>10.3f}s  "
                    f"{'ok' if ok else 'MISSED'}"
                )
        start_up = best_of(RUNS, command, ["--version"])
        print(f"\n(the interpreter and `divergence --version` alone: {start_up:.3f} s)")
    if missed:
        print(f"Missed: {', '.join(missed)}")
    return 1 if missed and args.strict else 0


if __name__ == "__main__":
    raise SystemExit(main())
