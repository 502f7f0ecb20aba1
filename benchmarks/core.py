"""Core benchmark: how fast the engine plays and how fast the loader loads.

    python benchmarks/core.py             # full run, about a minute at most
    python benchmarks/core.py --quick     # smaller run, for a quick look
    python benchmarks/core.py --strict    # exit 1 when a target is missed
    python benchmarks/core.py --profile   # add cProfile summaries of play and load

It prints figures and whether each meets its target; see benchmarks/README.md for
what is measured and why the targets are what they are. It is a benchmark, not a
test: without --strict it always exits 0.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import os
import pstats
import random
import statistics
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# Run as a script from anywhere: make `benchmarks` (and `game`, if not installed) importable.
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import game.story.loader  # noqa: E402
from benchmarks.generate import build_story_data, dump_story, reachable_places, split_story  # noqa: E402
from game.play.engine import Engine, EngineError, GameState  # noqa: E402
from game.story.catalog import Catalog  # noqa: E402
from game.story.compiled import Story  # noqa: E402
from game.story.loader import load_story  # noqa: E402

TARGET_CHOICES_PER_SECOND = 100_000
TARGET_LOAD_SECONDS = 1.0
TARGET_LOAD_RATIO = 3.0
MAX_RUN_LENGTH = 10_000  # choices in one playthrough before it is abandoned as a loop


# --- helpers ---------------------------------------------------------------------------


@dataclass
class Result:
    """One figure and whether it meets its target (None: informational only)."""

    name: str
    value: str
    target: str
    ok: bool | None


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)

    def add(self, name: str, value: str, target: str = "", ok: bool | None = None) -> None:
        self.results.append(Result(name, value, target, ok))

    @property
    def missed(self) -> list[Result]:
        return [result for result in self.results if result.ok is False]


def verdict(ok: bool | None) -> str:
    return "" if ok is None else "ok" if ok else "MISSED"


def table(rows: list[list[str]], header: list[str], right: set[int] | None = None) -> None:
    right = right if right is not None else set(range(1, len(header)))
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(row: list[str]) -> str:
        cells = [
            str(cell).rjust(widths[i]) if i in right else str(cell).ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        return "  " + "  ".join(cells).rstrip()

    print(line(header))
    print("  " + "  ".join("-" * width for width in widths))
    for row in rows:
        print(line(row))


def timed_runs(
    function: Callable[[], Any], min_runs: int, max_runs: int, budget: float
) -> tuple[list[float], Any]:
    """Run `function` at least `min_runs` times, and again while under `max_runs` and the
    time budget; return the wall times and the last result."""
    times: list[float] = []
    result: Any = None
    started = time.perf_counter()
    while len(times) < max_runs:
        result = None
        gc.collect()  # each run starts from a clean heap, not the garbage of the last
        begin = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - begin)
        if len(times) >= min_runs and time.perf_counter() - started + min(times) > budget:
            break
    return times, result


@contextlib.contextmanager
def file_limit_lifted(size: int) -> Iterator[bool]:
    """Let the loader read a file over its size limit, for measuring; yields whether it had to."""
    original = game.story.loader.MAX_FILE_BYTES
    lifted = size > original
    if lifted:
        game.story.loader.MAX_FILE_BYTES = size
    try:
        yield lifted
    finally:
        game.story.loader.MAX_FILE_BYTES = original


def pin_to_one_core(cpu: int | None) -> str:
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    allowed = sorted(os.sched_getaffinity(0))
    chosen = cpu if cpu is not None else allowed[-1]
    try:
        os.sched_setaffinity(0, {chosen})
    except OSError as error:
        return f"not pinned ({error})"
    return f"pinned to CPU {chosen} of {len(allowed)}"


def megabytes(size: int) -> str:
    return f"{size / 1e6:.1f} MB"


# --- play --------------------------------------------------------------------------------


@dataclass
class PlayStats:
    choices: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    runs: int = 0  # playthroughs finished (ending, stuck or abandoned)
    stuck: int = 0  # ended because nothing was available
    abandoned: int = 0  # longer than MAX_RUN_LENGTH, or the engine gave up on looping routes
    lengths: int = 0  # choices in finished playthroughs
    endings: Counter[str] = field(default_factory=Counter)
    places: set[str] = field(default_factory=set)

    @property
    def rate(self) -> float:
        return self.choices / self.seconds if self.seconds else 0.0


def play(
    engine: Engine, seconds: float, seed: int, render: bool = False, track: bool = False
) -> PlayStats:
    """Random playthroughs for about `seconds` of wall time; counts the choices made.

    Timed: `engine.start` at each restart, `engine.available`, the random pick and
    `engine.choose` (and `engine.text` when `render`). The clock is read every 256 steps.
    """
    rng = random.Random(seed)
    pick = rng.random  # options[int(pick() * n)] is uniform like rng.choice, at a fifth of its cost
    available = engine.available
    choose = engine.choose
    start = engine.start
    text = engine.text
    stats = PlayStats()
    choices = 0
    state = start(rng.getrandbits(32))
    run_start = 0
    cpu_begin = time.process_time()
    begin = time.perf_counter()
    deadline = begin + seconds
    while True:
        for _ in range(256):
            if state.over:
                stats.endings[state.ending or ""] += 1
                if track:
                    stats.places.update(state.visits)
                stats.runs += 1
                stats.lengths += choices - run_start
                state = start(rng.getrandbits(32))
                run_start = choices
                continue
            if render:
                text(state)
            options = available(state)
            if not options or choices - run_start >= MAX_RUN_LENGTH:
                if options:
                    stats.abandoned += 1
                else:
                    stats.stuck += 1
                stats.runs += 1
                stats.lengths += choices - run_start
                state = start(rng.getrandbits(32))
                run_start = choices
                continue
            try:
                state = choose(state, options[int(pick() * len(options))].key)
            except EngineError:
                stats.abandoned += 1
                stats.runs += 1
                state = start(rng.getrandbits(32))
                run_start = choices
                continue
            choices += 1
        if time.perf_counter() >= deadline:
            break
    stats.seconds = time.perf_counter() - begin
    stats.cpu_seconds = time.process_time() - cpu_begin
    stats.choices = choices
    return stats


def sample_steps(engine: Engine, count: int, seed: int) -> list[tuple[GameState, str]]:
    """(state, key) pairs from random play, to time `available` and `choose` apart."""
    rng = random.Random(seed)
    steps: list[tuple[GameState, str]] = []
    state = engine.start(rng.getrandbits(32))
    guard = 0
    while len(steps) < count and guard < count * 20:
        guard += 1
        options = [] if state.over else engine.available(state)
        if not options or len(state.path) >= MAX_RUN_LENGTH:
            state = engine.start(rng.getrandbits(32))
            continue
        key = rng.choice(options).key
        steps.append((state, key))
        try:
            state = engine.choose(state, key)
        except EngineError:
            steps.pop()
            state = engine.start(rng.getrandbits(32))
    return steps


def per_call(engine: Engine, steps: list[tuple[GameState, str]]) -> tuple[float, float]:
    """Microseconds per `available(state)` and per `choose(state, key)`, best of 3."""
    available = engine.available
    choose = engine.choose
    best_available = best_choose = float("inf")
    for _ in range(3):
        begin = time.perf_counter()
        for state, _key in steps:
            available(state)
        best_available = min(best_available, time.perf_counter() - begin)
        begin = time.perf_counter()
        for state, key in steps:
            choose(state, key)
        best_choose = min(best_choose, time.perf_counter() - begin)
    return best_available / len(steps) * 1e6, best_choose / len(steps) * 1e6


def bench_play(stories: list[tuple[str, Story]], args: argparse.Namespace, report: Report) -> None:
    print(
        f"\nPlay: random playthroughs, choices per second on one core "
        f"(target >= {TARGET_CHOICES_PER_SECOND:,})"
    )
    rows = []
    details = []
    for name, story in stories:
        engine = Engine(story)
        gc.freeze()  # as `divergence play` does once its story is loaded
        try:
            play(engine, 0.1, args.seed)  # warm-up
            runs = [
                play(engine, args.play_seconds, args.seed + i, track=i == 0)
                for i in range(args.play_repeats)
            ]
        except Exception as error:  # a bundled story the engine cannot play is skipped, not fatal
            print(f"  {name}: skipped, play failed: {type(error).__name__}: {error}")
            continue
        rates = sorted(run.rate for run in runs)
        best = rates[-1]
        first = runs[0]
        total = sum(run.choices for run in runs)
        finished = sum(run.runs for run in runs)
        lengths = sum(run.lengths for run in runs)
        endings: Counter[str] = Counter()
        for run in runs:
            endings.update(run.endings)
        cpu = sum(run.cpu_seconds for run in runs) / max(1e-9, sum(run.seconds for run in runs))
        steps = sample_steps(engine, args.sample_steps, args.seed)
        us_available, us_choose = per_call(engine, steps) if steps else (0.0, 0.0)
        ok = best >= TARGET_CHOICES_PER_SECOND
        rows.append(
            [
                name,
                f"{len(story.nodes):,}",
                f"{total:,}",
                f"{best:,.0f}",
                f"{statistics.median(rates):,.0f}",
                f"{us_available:.1f}",
                f"{us_choose:.1f}",
                f"{cpu:.0%}",
                verdict(ok),
            ]
        )
        reached = len(first.places & set(story.nodes))
        details.append(
            f"  {name}: {finished:,} playthroughs, {lengths / max(1, finished):.1f} choices each on average; "
            f"{len(endings)}/{len(story.endings)} endings reached; "
            f"{reached:,}/{len(story.nodes):,} nodes visited in the first run"
            + (f"; {sum(r.stuck for r in runs)} stuck" if any(r.stuck for r in runs) else "")
            + (
                f"; {sum(r.abandoned for r in runs)} abandoned"
                if any(r.abandoned for r in runs)
                else ""
            )
        )
        report.add(
            f"play {name}", f"{best:,.0f} choices/s", f">= {TARGET_CHOICES_PER_SECOND:,}", ok
        )
    if rows:
        table(
            rows,
            [
                "story",
                "nodes",
                "choices made",
                "best/s",
                "median/s",
                "avail us",
                "choose us",
                "cpu",
                "target",
            ],
        )
        print("\n".join(details))
        print(
            f"  best and median of {args.play_repeats} runs of {args.play_seconds:g} s; "
            "'avail us'/'choose us': microseconds per available()/choose() call timed apart; "
            "'cpu': process CPU time / wall time (well under 100% means another process took the core)"
        )
    if stories and args.render:
        name, story = stories[0]
        engine = Engine(story)
        run = play(engine, args.play_seconds, args.seed, render=True)
        print(
            f"  with engine.text(state) rendered before every choice ({name}): {run.rate:,.0f} choices/s "
            "(informational)"
        )
        report.add(f"play {name} + text", f"{run.rate:,.0f} choices/s")


# --- load ---------------------------------------------------------------------------------


def parse_only(files: list[Path]) -> None:
    for file in files:
        tomllib.loads(file.read_bytes().decode("utf-8"))


@dataclass
class LoadResult:
    row: list[str]
    note: str | None
    story: Story | None


def bench_load(
    name: str, path: Path, files: list[Path], budget: float, report: Report
) -> LoadResult:
    """Best wall time of `load_story(path)` and of `tomllib.loads` alone on the same files.

    Each is run once, then again (up to 5 times) while another run fits in `budget` seconds.
    """
    size = sum(file.stat().st_size for file in files)
    largest = max(file.stat().st_size for file in files)
    with file_limit_lifted(largest) as lifted:
        parse_times, _ = timed_runs(lambda: parse_only(files), 1, 5, budget / 2)
        load_times, story = timed_runs(lambda: load_story(path), 1, 5, budget)
    parse, load = min(parse_times), min(load_times)
    ratio = load / parse
    ok_time, ok_ratio = load < TARGET_LOAD_SECONDS, ratio < TARGET_LOAD_RATIO
    report.add(f"load {name}", f"{load:.2f} s", f"< {TARGET_LOAD_SECONDS:g} s", ok_time)
    report.add(f"load {name} / tomllib", f"{ratio:.1f}x", f"< {TARGET_LOAD_RATIO:g}x", ok_ratio)
    row = [
        f"{name} ({len(files)} file{'s' if len(files) > 1 else ''}, {megabytes(size)})",
        f"{parse:.2f} s ({len(parse_times)})",
        f"{load:.2f} s ({len(load_times)})",
        f"{ratio:.1f}x",
        verdict(ok_time),
        verdict(ok_ratio),
    ]
    note = None
    if lifted:
        note = (
            f"{name}: {megabytes(largest)} is over the loader's limit of "
            f"{megabytes(game.story.loader.MAX_FILE_BYTES)} per file (MAX_FILE_BYTES); the limit was "
            "lifted for this measurement only: a player's load_story() refuses the file"
        )
    return LoadResult(row, note, story)


# --- profiles --------------------------------------------------------------------------------


def profile(title: str, function: Callable[[], Any], top: int = 15) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    function()
    profiler.disable()
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out)
        stats.strip_dirs().sort_stats(order).print_stats(top)
        lines = [line for line in out.getvalue().splitlines() if line.strip()]
        start = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ncalls")), 0)
        print(f"\n{title}: top {top} by {order} time")
        print("\n".join(lines[start - 1 if start else 0 :]))


def profile_play(engine: Engine, choices: int, seed: int) -> None:
    rng = random.Random(seed)

    def run() -> None:
        state = engine.start(rng.getrandbits(32))
        made = 0
        while made < choices:
            options = [] if state.over else engine.available(state)
            if not options:
                state = engine.start(rng.getrandbits(32))
                continue
            state = engine.choose(state, rng.choice(options).key)
            made += 1

    profile(f"Play profile ({choices:,} choices)", run)


# --- main ----------------------------------------------------------------------------------------


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="a smaller, faster run")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--profile", action="store_true", help="print cProfile summaries of play and load"
    )
    parser.add_argument(
        "--nodes", type=int, default=5000, help="size of the generated story (5000)"
    )
    parser.add_argument(
        "--seed", type=int, default=1941, help="seed for the story and the playthroughs"
    )
    parser.add_argument(
        "--cpu", type=int, default=None, help="the CPU to pin to (default: the last allowed)"
    )
    parser.add_argument(
        "--no-folder", action="store_true", help="skip loading the story as a folder"
    )
    parser.add_argument(
        "--no-render",
        dest="render",
        action="store_false",
        help="skip the informational play run that renders text",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.play_seconds, args.play_repeats, args.sample_steps = 0.5, 2, 5_000
        args.load_budget = 0.0  # one run each
        args.no_folder = True
    else:
        args.play_seconds, args.play_repeats, args.sample_steps = 1.5, 3, 20_000
        args.load_budget = 12.0
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    report = Report()
    overall = time.perf_counter()
    print(
        f"Divergence core benchmark{' (quick)' if args.quick else ''}: Python {sys.version.split()[0]}, "
        f"{pin_to_one_core(args.cpu)}, load average {os.getloadavg()[0]:.2f}"
    )

    # -- the generated story
    begin = time.perf_counter()
    data = build_story_data(args.nodes, args.seed)
    single_text = dump_story(data)
    folder_files = split_story(data) if not args.no_folder else {}
    del data
    print(
        f"Generated a {args.nodes:,}-node story (seed {args.seed}) in {time.perf_counter() - begin:.1f} s: "
        f"{megabytes(len(single_text.encode()))} of TOML"
    )

    stories: list[tuple[str, Story]] = []
    with tempfile.TemporaryDirectory(prefix="divergence-bench-") as temp:
        folder = Path(temp)
        single = folder / "generated.toml"
        single.write_text(single_text, encoding="utf-8")
        del single_text
        story_folder = folder / "generated"
        for relative, text in folder_files.items():
            target = story_folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")

        print(
            f"\nLoad: load_story() against tomllib.loads() alone on the same files, best of the runs "
            f"(target < {TARGET_LOAD_SECONDS:g} s and < {TARGET_LOAD_RATIO:g}x the parse)"
        )
        results = [bench_load("single file", single, [single], args.load_budget, report)]
        # The same structure with short scenes (40-60 words): how the loader does when the
        # prose, which only tomllib has to read, is not most of the file.
        short = folder / "generated-short.toml"
        short.write_text(dump_story(build_story_data(args.nodes, args.seed, (40, 60))), "utf-8")
        results.append(
            bench_load("single file, short scenes", short, [short], args.load_budget, report)
        )
        if folder_files:
            files = game.story.loader.story_files(story_folder)
            results.append(
                bench_load("folder", story_folder, files, args.load_budget * 2 / 3, report)
            )
        table(
            [result.row for result in results],
            [
                "story",
                "tomllib (runs)",
                "load_story (runs)",
                "ratio",
                f"< {TARGET_LOAD_SECONDS:g} s",
                f"< {TARGET_LOAD_RATIO:g}x",
            ],
        )
        for result in results:
            if result.note:
                print(f"  note: {result.note}")
        generated = results[0].story

        if generated is not None:
            places = reachable_places(generated)
            nodes = len(places & set(generated.nodes))
            endings = len(places & set(generated.endings))
            print(
                f"  the generated story loads without errors; reachable from the start: "
                f"{nodes:,}/{len(generated.nodes):,} nodes, {endings}/{len(generated.endings)} endings"
            )
            stories.append((f"generated-{args.nodes}", generated))

        if args.profile:
            largest = single.stat().st_size
            with file_limit_lifted(largest):
                gc.collect()
                gc.disable()
                try:
                    begin = time.perf_counter()
                    load_story(single)
                    no_gc = time.perf_counter() - begin
                finally:
                    gc.enable()
                print(
                    f"  single file with the garbage collector off: {no_gc:.2f} s (informational)"
                )
                profile("Load profile (single file)", lambda: load_story(single))

    # -- the bundled stories
    entries = Catalog().entries()
    if not entries:
        print("\nNo bundled stories found in the catalog.")
    for entry in entries:
        if entry.story is None:
            first = (
                entry.error.problems[0] if entry.error and entry.error.problems else "unknown error"
            )
            print(
                f"\nSkipping bundled story '{entry.id}' ({entry.path}): it does not load: {first}"
            )
        else:
            stories.append((entry.story.id, entry.story))

    bench_play(stories, args, report)

    if args.profile and stories:
        profile_play(Engine(stories[0][1]), 20_000 if args.quick else 50_000, args.seed)

    # -- summary
    print("\nSummary")
    table(
        [[r.name, r.value, r.target, verdict(r.ok)] for r in report.results],
        ["measure", "figure", "target", "result"],
        right={1},
    )
    missed = report.missed
    print(
        f"\n{len(missed)} target{'s' if len(missed) != 1 else ''} missed; "
        f"run took {time.perf_counter() - overall:.0f} s"
    )
    return 1 if args.strict and missed else 0


if __name__ == "__main__":
    sys.exit(main())
