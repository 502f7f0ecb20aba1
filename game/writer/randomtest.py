"""Random testing of a story: play it many times at random and report what was never reached.

Like ChoiceScript's randomtest, with more to show for it: run `i` of a test from seed `S`
uses seed `S + i` both for the engine's chance draws and for the `random.Random` that
picks among the available choices, so any failing run replays on its own from its seed.
A run fails when it reaches a dead end (not over, nothing available), when the engine
gives up (routes that loop), or when it takes more than `max_decisions` decisions (a loop
through choices). The report counts the nodes, choices and endings reached, how the
endings were distributed, what was never reached and where it is written, and how fast
it went.

With `avoid_used`, each decision prefers the available choices taken least often so far
over all the runs (ties broken by the run's own random draws), which walks a story's
rare branches much sooner than plain random play; it is still deterministic from the
seed, but a run then depends on the runs before it.

Pure domain code: no interface library is imported here.
"""

from __future__ import annotations

import random
import shlex
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any

from game.play.engine import Engine, EngineError, GameState
from game.presentation import bar
from game.story.compiled import Choice, Story
from game.story.gcpause import gc_paused

DEFAULT_MAX_DECISIONS = 1000
DEAD_END = "dead end"
ENGINE_ERROR = "engine error"
LOOP = "loop"

Progress = Callable[[int, int], None]  # (runs done, runs in all), called after every run


@dataclass(frozen=True)
class Failure:
    """One failed run: how to replay it, why it failed, and the decisions that led there."""

    run: int  # 0-based index of the run in its test
    seed: int
    kind: str  # DEAD_END, ENGINE_ERROR or LOOP
    reason: str
    node: str  # where it failed
    path: tuple[tuple[str, str], ...]  # (node id, choice label) for each decision


@dataclass(frozen=True)
class Unreached:
    """A node, choice or ending that no run reached, and where it is written."""

    kind: str  # "node", "choice" or "ending"
    id: str  # for a choice, "node/key"
    label: str
    file: str
    line: int
    node_reached: bool = True  # for a choice: whether its node was reached at all

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Report:
    """What a random test found. Equal for equal arguments, except `elapsed` and `rate`."""

    story: str
    title: str
    runs: int
    seed: int
    avoid_used: bool
    max_decisions: int
    failures: tuple[Failure, ...]
    nodes_reached: int
    nodes_total: int
    choices_taken: int
    choices_total: int
    endings_reached: int
    endings_total: int
    endings: dict[str, int]  # ending id -> runs that ended there, in story order
    unreached_nodes: tuple[Unreached, ...]
    unreached_choices: tuple[Unreached, ...]
    unreached_endings: tuple[Unreached, ...]
    complete_after: int | None  # runs until every node and ending had been reached
    total_choices: int  # decisions made over all runs
    average_decisions: float
    longest_decisions: int
    longest_seed: int
    elapsed: float  # seconds
    rate: float  # decisions per second

    @property
    def failed(self) -> bool:
        return bool(self.failures)


def _choice_tags(story: Story) -> dict[str, tuple[str, Choice]]:
    """Every choice by its visit tag "node/key" (as the engine counts it), in story order."""
    return {
        f"{node_id}/{choice.key}": (node_id, choice)
        for node_id, node in story.nodes.items()
        for choice in node.choices
    }


def _labelled(story: Story, state: GameState) -> list[tuple[str, str]]:
    steps = []
    for node_id, key in state.path:
        choice = story.nodes[node_id].choice(key)
        steps.append((node_id, choice.label if choice is not None else key))
    return steps


def run_randomtest(
    story: Story,
    runs: int,
    seed: int = 0,
    avoid_used: bool = False,
    max_decisions: int = DEFAULT_MAX_DECISIONS,
    progress: Progress | None = None,
) -> Report:
    """Play `story` `runs` times at random from seeds `seed`, `seed + 1`, ... and report."""
    engine = Engine(story)
    start = engine.start
    available = engine.available
    choose = engine.choose
    places = frozenset(story.nodes) | frozenset(story.endings)

    seen: set[str] = set()  # every visits key of every run: nodes, endings and choice tags
    places_seen = 0
    complete_after: int | None = None
    ending_counts: dict[str, int] = dict.fromkeys(story.endings, 0)
    failures: list[Failure] = []
    taken: dict[int, int] = {}  # id(choice) -> times taken over all runs (avoid_used only)
    total = 0
    longest = -1
    longest_seed = seed

    began = time.perf_counter()
    with gc_paused():  # no cycles made here; full collections would rescan the story for nothing
        for run in range(runs):
            run_seed = seed + run
            pick = random.Random(run_seed).random  # int(pick() * n) is uniform, and cheap
            decisions = 0
            state: GameState | None = None
            failure: tuple[str, str, tuple[str, str] | None] | None = None
            try:
                state = start(run_seed)
                if avoid_used:
                    get = taken.get
                    zeros = repeat(0)
                    while state.ending is None:
                        options = available(state)
                        count = len(options)
                        if count == 0 or decisions >= max_decisions:
                            break
                        if count == 1:
                            choice = options[0]
                            ident = id(choice)
                            taken[ident] = get(ident, 0) + 1
                        else:
                            idents = [*map(id, options)]
                            counts = [*map(get, idents, zeros)]
                            least = min(counts)
                            ties = counts.count(least)
                            if ties == 1:
                                index = counts.index(least)
                            else:  # the tied choices, in order; the run's draw picks one
                                nth = int(pick() * ties)
                                index = [i for i, c in enumerate(counts) if c == least][nth]
                            choice = options[index]
                            taken[idents[index]] = least + 1
                        state = choose(state, choice.key)
                        decisions += 1
                else:
                    while state.ending is None:
                        options = available(state)
                        count = len(options)
                        if count == 0 or decisions >= max_decisions:
                            break
                        choice = options[0] if count == 1 else options[int(pick() * count)]
                        state = choose(state, choice.key)
                        decisions += 1
            except EngineError as error:
                # from the start (no state yet), or from the choice being made at `state`
                attempted = None
                if state is not None:
                    attempted = (state.node, choice.label)
                    # the choice was taken, and its target reached, before the routes looped
                    seen.add(f"{state.node}/{choice.key}")
                    if choice.target is not None and choice.target not in seen:
                        seen.add(choice.target)
                        places_seen += 1
                failure = (ENGINE_ERROR, str(error), attempted)
            if state is not None:
                new = state.visits.keys() - seen
                if new:
                    seen |= new
                    places_seen += len(new & places)
                ending = state.ending
                if ending is not None:
                    ending_counts[ending] += 1
                elif failure is None:
                    if decisions >= max_decisions and available(state):
                        failure = (
                            LOOP,
                            f"more than {max_decisions} decisions without an ending "
                            f"(the last at node '{state.node}'): the choices loop",
                            None,
                        )
                    else:
                        failure = (
                            DEAD_END,
                            f"dead end at node '{state.node}': no choice is available",
                            None,
                        )
            total += decisions
            if decisions > longest:
                longest, longest_seed = decisions, run_seed
            if failure is not None:
                kind, reason, attempted = failure
                steps = _labelled(story, state) if state is not None else []
                if attempted is not None:
                    steps.append(attempted)
                node = state.node if state is not None else story.start
                failures.append(Failure(run, run_seed, kind, reason, node, tuple(steps)))
            if complete_after is None and places_seen == len(places):
                complete_after = run + 1
            if progress is not None:
                progress(run + 1, runs)
    elapsed = time.perf_counter() - began

    return _report(
        story,
        runs,
        seed,
        avoid_used,
        max_decisions,
        seen,
        ending_counts,
        failures,
        complete_after,
        total,
        max(longest, 0),
        longest_seed,
        elapsed,
    )


def _report(
    story: Story,
    runs: int,
    seed: int,
    avoid_used: bool,
    max_decisions: int,
    seen: set[str],
    ending_counts: dict[str, int],
    failures: list[Failure],
    complete_after: int | None,
    total: int,
    longest: int,
    longest_seed: int,
    elapsed: float,
) -> Report:
    tags = _choice_tags(story)
    unreached_nodes = tuple(
        Unreached("node", node.id, node.title, node.where.file, node.where.line)
        for node in story.nodes.values()
        if node.id not in seen
    )
    unreached_choices = tuple(
        Unreached(
            "choice",
            tag,
            choice.label,
            choice.where.file,
            choice.where.line,
            node_id in seen,
        )
        for tag, (node_id, choice) in tags.items()
        if tag not in seen
    )
    unreached_endings = tuple(
        Unreached("ending", ending.id, ending.title, ending.where.file, ending.where.line)
        for ending in story.endings.values()
        if ending.id not in seen
    )
    return Report(
        story=story.id,
        title=story.title,
        runs=runs,
        seed=seed,
        avoid_used=avoid_used,
        max_decisions=max_decisions,
        failures=tuple(failures),
        nodes_reached=len(story.nodes) - len(unreached_nodes),
        nodes_total=len(story.nodes),
        choices_taken=len(tags) - len(unreached_choices),
        choices_total=len(tags),
        endings_reached=len(story.endings) - len(unreached_endings),
        endings_total=len(story.endings),
        endings=ending_counts,
        unreached_nodes=unreached_nodes,
        unreached_choices=unreached_choices,
        unreached_endings=unreached_endings,
        complete_after=complete_after,
        total_choices=total,
        average_decisions=total / runs if runs else 0.0,
        longest_decisions=longest,
        longest_seed=longest_seed,
        elapsed=elapsed,
        rate=total / elapsed if elapsed > 0 else 0.0,
    )


# -- output ------------------------------------------------------------------------------

BAR_WIDTH = 30
_PATH_HEAD = 3  # a long failing path shows its first and last steps only
_PATH_TAIL = 8
_GROUPS_SHOWN = 10  # distinct failure reasons shown in full
_SEEDS_SHOWN = 10


def _percent(part: int, whole: int) -> str:
    if whole == 0:
        return "    -"
    value = 100 * part / whole
    if part < whole:
        value = min(value, 99.9)  # never round an incomplete figure up to 100
    return f"{value:5.1f}%"


def count_bar(count: int, most: int, width: int = BAR_WIDTH) -> str:
    """A bar `width` cells long for `most`, at least a sliver when not 0."""
    return bar(count / most, width) if most > 0 and count > 0 else ""


def replay_command(report: Report, failure: Failure, story_arg: str | None = None) -> str:
    """The command that plays the failing run again (and, with avoid-used, the ones before)."""
    words = ["divergence", "randomtest", story_arg or report.story]
    if report.avoid_used:  # each run depends on the runs before it: replay them all
        words += ["--runs", str(failure.run + 1), "--seed", str(report.seed), "--avoid-used"]
    else:
        words += ["--runs", "1", "--seed", str(failure.seed)]
    if report.max_decisions != DEFAULT_MAX_DECISIONS:
        words += ["--max-decisions", str(report.max_decisions)]
    return shlex.join(words)


def _path_lines(path: Sequence[tuple[str, str]]) -> list[str]:
    numbered = [f"{number}. {node}: {label}" for number, (node, label) in enumerate(path, 1)]
    if len(numbered) > _PATH_HEAD + _PATH_TAIL + 1:
        skipped = len(numbered) - _PATH_HEAD - _PATH_TAIL
        numbered = [
            *numbered[:_PATH_HEAD],
            f"... {skipped} more decisions ...",
            *numbered[-_PATH_TAIL:],
        ]
    return numbered or ["(before the first decision)"]


def _seed_list(seeds: Sequence[int]) -> str:
    shown = ", ".join(str(seed) for seed in seeds[:_SEEDS_SHOWN])
    return shown + (", ..." if len(seeds) > _SEEDS_SHOWN else "")


def format_report(report: Report, story_arg: str | None = None) -> str:
    """The report as text for the terminal. `story_arg` is the STORY to put in commands."""
    lines: list[str] = []
    add = lines.append
    mode = ", avoiding used choices" if report.avoid_used else ""
    runs = f"{report.runs:,} run" + ("" if report.runs == 1 else "s")
    add(f"Random test of {report.story} ({report.title}): {runs} from seed {report.seed}{mode}")
    add("")
    add("Coverage")
    rows = [
        ("nodes", report.nodes_reached, report.nodes_total),
        ("choices", report.choices_taken, report.choices_total),
        ("endings", report.endings_reached, report.endings_total),
    ]
    digits = max(len(str(total)) for _name, _part, total in rows)
    for name, part, whole in rows:
        add(f"  {name:<8} {part:>{digits}} / {whole:<{digits}}  {_percent(part, whole)}")
    if report.complete_after is not None:
        add(f"  every node and ending reached after {report.complete_after:,} runs")

    finished = sum(report.endings.values())
    add("")
    add(f"Endings ({finished:,} of {runs})")
    rows_end = [*report.endings.items()]
    if report.failures:
        rows_end.append(("(failed)", len(report.failures)))
    name_width = max((len(name) for name, _count in rows_end), default=0)
    most = max((count for _name, count in rows_end), default=0)
    count_width = len(f"{most:,}")
    for name, count in rows_end:
        add(
            f"  {name:<{name_width}}  {count_bar(count, most):<{BAR_WIDTH}}  "
            f"{count:>{count_width},}  {_percent(count, report.runs)}"
        )

    add("")
    add("Runs")
    add(
        f"  decisions per run: {report.average_decisions:.1f} on average, "
        f"longest {report.longest_decisions:,} (seed {report.longest_seed})"
    )
    add(
        f"  {report.total_choices:,} decisions in {report.elapsed:.2f} s: "
        f"{report.rate:,.0f} per second"
    )

    unreached_choices = [item for item in report.unreached_choices if item.node_reached]
    hidden = len(report.unreached_choices) - len(unreached_choices)
    if report.unreached_nodes or unreached_choices or report.unreached_endings:
        add("")
        add("Never reached")
        for item in report.unreached_nodes:
            add(f"  {item.where}: node '{item.id}' never reached")
        for item in unreached_choices:
            node, _slash, key = item.id.partition("/")
            add(f"  {item.where}: choice '{key}' ({item.label}) at node '{node}' never taken")
        for item in report.unreached_endings:
            add(f"  {item.where}: ending '{item.id}' never reached")
    if hidden:
        add(f"  (and {hidden} {'choice' if hidden == 1 else 'choices'} at nodes never reached)")

    add("")
    if not report.failures:
        add(f"No failures: all {runs} ended.")
        return "\n".join(lines) + "\n"
    groups: dict[str, list[Failure]] = {}
    for failure in report.failures:
        groups.setdefault(failure.reason, []).append(failure)
    failed = len(report.failures)
    ways = "1 way" if len(groups) == 1 else f"{len(groups)} ways"
    add(f"Failures: {failed:,} of {runs} failed, in {ways}")
    for index, (reason, members) in enumerate(groups.items()):
        if index == _GROUPS_SHOWN:
            add(f"  ... and {len(groups) - index} more ways")
            break
        first = members[0]
        add(f"  seed {first.seed}: {reason}")
        for step in _path_lines(first.path):
            add(f"    {step}")
        add(f"    replay: {replay_command(report, first, story_arg)}")
        if len(members) > 1:
            seeds = [member.seed for member in members[1:]]
            add(f"    ({len(seeds):,} more the same way: seeds {_seed_list(seeds)})")
    return "\n".join(lines) + "\n"


def report_to_dict(report: Report, story_arg: str | None = None) -> dict[str, Any]:
    """The report as plain data, for `--format json`."""

    def unreached(items: Sequence[Unreached]) -> list[dict[str, Any]]:
        return [
            {
                "id": item.id,
                "label": item.label,
                "where": item.where,
                "file": item.file,
                "line": item.line,
            }
            for item in items
        ]

    return {
        "story": report.story,
        "title": report.title,
        "runs": report.runs,
        "seed": report.seed,
        "avoid_used": report.avoid_used,
        "max_decisions": report.max_decisions,
        "failed": len(report.failures),
        "coverage": {
            "nodes": {"reached": report.nodes_reached, "total": report.nodes_total},
            "choices": {"reached": report.choices_taken, "total": report.choices_total},
            "endings": {"reached": report.endings_reached, "total": report.endings_total},
        },
        "complete_after": report.complete_after,
        "endings": dict(report.endings),
        "never_reached": {
            "nodes": unreached(report.unreached_nodes),
            "choices": unreached(report.unreached_choices),
            "endings": unreached(report.unreached_endings),
        },
        "decisions": {
            "total": report.total_choices,
            "average": report.average_decisions,
            "longest": report.longest_decisions,
            "longest_seed": report.longest_seed,
        },
        "failures": [
            {
                "seed": failure.seed,
                "run": failure.run,
                "kind": failure.kind,
                "reason": failure.reason,
                "node": failure.node,
                "path": [{"node": node, "choice": label} for node, label in failure.path],
                "replay": replay_command(report, failure, story_arg),
            }
            for failure in report.failures
        ],
        "elapsed": report.elapsed,
        "choices_per_second": report.rate,
    }
