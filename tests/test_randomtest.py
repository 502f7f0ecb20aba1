"""`divergence randomtest`: random playthroughs, coverage, failures and their replay."""

from __future__ import annotations

import dataclasses
import io
import json
import shlex
import sys
from pathlib import Path

import pytest
from helpers import run_cli

from game.cli.commands import randomtest as command
from game.story.catalog import Catalog
from game.story.compiled import Story
from game.story.loader import load_story
from game.writer.randomtest import (
    DEAD_END,
    DEFAULT_MAX_DECISIONS,
    ENGINE_ERROR,
    LOOP,
    Report,
    count_bar,
    format_report,
    replay_command,
    report_to_dict,
    run_randomtest,
)

TESTS = Path(__file__).parent
CROSSROADS = TESTS / "stories" / "crossroads.toml"

HEADER = """\
[story]
id = "{id}"
title = "A {id} story"
summary = "For the random tests."
start = "{start}"
era = "1941"

"""

# Nodes a, b and orphan (which nothing leads to); endings one, two and three (never reached).
KNOWN = (
    HEADER.format(id="known", start="a")
    + """\
[[node]]
id = "a"
title = "A"
text = "The first node."

[[node.choice]]
id = "left"
label = "Go left"
goto = "b"

[[node.choice]]
id = "right"
label = "Go right"
goto = "two"

[[node]]
id = "b"
title = "B"
text = "Passed through without a decision."

[[node.route]]
goto = "one"

[[node]]
id = "orphan"
title = "Orphan"
text = "Nothing leads here."

[[node.choice]]
id = "back"
label = "Back"
goto = "three"

[[ending]]
id = "one"
title = "One"
tone = "triumph"
epilogue = "One."

[[ending]]
id = "two"
title = "Two"
tone = "grim"
epilogue = "Two."

[[ending]]
id = "three"
title = "Three"
tone = "grim"
epilogue = "Three."
"""
)

# At `trap` the only choice needs x > 5, and x stays 0: a dead end.
DEAD_END_STORY = (
    HEADER.format(id="dead", start="a")
    + """\
[variable.x]
label = "X"
default = 0

[[node]]
id = "a"
title = "A"
text = "Two ways."

[[node.choice]]
id = "safe"
label = "The safe way"
goto = "win"

[[node.choice]]
id = "risky"
label = "The risky way"
goto = "trap"

[[node]]
id = "trap"
title = "Trap"
text = "Nowhere to go."

[[node.choice]]
id = "never"
label = "Climb out"
if = "x > 5"
goto = "win"

[[ending]]
id = "win"
title = "Win"
tone = "triumph"
epilogue = "Out."
"""
)

# "round" leads into routes c -> d -> c that never stop.
ROUTE_LOOP = (
    HEADER.format(id="routes", start="a")
    + """\
[[node]]
id = "a"
title = "A"
text = "Two ways."

[[node.choice]]
id = "out"
label = "Out"
goto = "win"

[[node.choice]]
id = "round"
label = "Round and round"
goto = "c"

[[node]]
id = "c"
title = "C"
text = "c"

[[node.route]]
goto = "d"

[[node]]
id = "d"
title = "D"
text = "d"

[[node.route]]
goto = "c"

[[ending]]
id = "win"
title = "Win"
tone = "triumph"
epilogue = "Out."
"""
)

# The only way out opens after a hundred thousand visits: the choices loop.
CHOICE_LOOP = (
    HEADER.format(id="choices", start="a")
    + """\
[[node]]
id = "a"
title = "A"
text = "Again?"

[[node.choice]]
id = "again"
label = "Again"
goto = "a"

[[node.choice]]
id = "stop"
label = "Stop"
if = "visits(a) > 100000"
goto = "win"

[[ending]]
id = "win"
title = "Win"
tone = "triumph"
epilogue = "Out."
"""
)


def hub_story() -> str:
    """Nineteen doors to the common ending, one to a rare branch."""
    doors = "".join(
        f'[[node.choice]]\nid = "door{i}"\nlabel = "Door {i}"\ngoto = "common"\n\n'
        for i in range(19)
    )
    return (
        HEADER.format(id="hub", start="hub")
        + '[[node]]\nid = "hub"\ntitle = "Hub"\ntext = "Twenty doors."\n\n'
        + doors
        + '[[node.choice]]\nid = "secret"\nlabel = "The secret door"\ngoto = "rare"\n\n'
        + '[[node]]\nid = "rare"\ntitle = "Rare"\ntext = "Found."\n\n'
        + '[[node.choice]]\nid = "on"\nlabel = "On"\ngoto = "rare_end"\n\n'
        + '[[ending]]\nid = "common"\ntitle = "Common"\ntone = "grim"\nepilogue = "c"\n\n'
        + '[[ending]]\nid = "rare_end"\ntitle = "Rare"\ntone = "triumph"\nepilogue = "r"\n'
    )


def write(tmp_path: Path, text: str, name: str = "story.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str) -> tuple[Path, Story]:
    path = write(tmp_path, text)
    return path, load_story(path)


def line_of(text: str, needle: str) -> int:
    """The 1-based number of the line that is exactly `needle`."""
    return text.splitlines().index(needle) + 1


def untimed(report: Report) -> Report:
    return dataclasses.replace(report, elapsed=0.0, rate=0.0)


@pytest.mark.parametrize("avoid_used", [False, True])
def test_the_same_seed_gives_the_same_report(avoid_used: bool) -> None:
    story = load_story(CROSSROADS)
    first = run_randomtest(story, 300, seed=7, avoid_used=avoid_used)
    second = run_randomtest(story, 300, seed=7, avoid_used=avoid_used)
    assert untimed(first) == untimed(second)
    assert first.total_choices > 300
    assert first.elapsed > 0 and first.rate > 0


def test_different_seeds_differ_on_a_story_with_chance() -> None:
    story = load_story(CROSSROADS)
    reports = [run_randomtest(story, 100, seed=seed) for seed in (0, 1000)]
    assert reports[0].endings != reports[1].endings
    assert sum(reports[0].endings.values()) == 100


def test_exact_coverage_of_a_known_story(tmp_path: Path) -> None:
    path, story = load(tmp_path, KNOWN)
    report = run_randomtest(story, 50, seed=0)
    assert (report.runs, report.failures) == (50, ())
    # b is reached without a decision (by its route); orphan never
    assert (report.nodes_reached, report.nodes_total) == (2, 3)
    assert (report.choices_taken, report.choices_total) == (2, 3)
    assert (report.endings_reached, report.endings_total) == (2, 3)
    assert list(report.endings) == ["one", "two", "three"]
    assert report.endings["one"] + report.endings["two"] == 50
    assert report.endings["three"] == 0
    assert report.total_choices == 50
    assert report.average_decisions == 1.0 and report.longest_decisions == 1
    assert report.complete_after is None  # orphan and three are never reached

    [orphan] = report.unreached_nodes
    orphan_line = line_of(KNOWN, 'id = "orphan"') - 1  # its [[node]] header
    assert (orphan.id, orphan.file, orphan.line) == ("orphan", str(path), orphan_line)
    [back] = report.unreached_choices
    assert (back.id, back.label, back.node_reached) == ("orphan/back", "Back", False)
    [three] = report.unreached_endings
    three_line = line_of(KNOWN, 'id = "three"') - 1  # its [[ending]] header
    assert (three.id, three.where) == ("three", f"{path}:{three_line}")

    text = format_report(report)
    assert f"{path}:{orphan_line}: node 'orphan' never reached" in text
    assert f"{three.where}: ending 'three' never reached" in text
    assert "(and 1 choice at nodes never reached)" in text
    assert "nodes    2 / 3   66.7%" in text
    assert "No failures" in text


def test_unreached_choices_at_reached_nodes_are_listed(tmp_path: Path) -> None:
    _path, story = load(tmp_path, DEAD_END_STORY)
    report = run_randomtest(story, 20, seed=0)
    [never] = report.unreached_choices
    assert never.node_reached
    assert f"{never.where}: choice 'never' (Climb out) at node 'trap' never taken" in (
        format_report(report)
    )


def test_a_dead_end_fails_with_its_seed_and_path_and_replays(tmp_path: Path) -> None:
    path, story = load(tmp_path, DEAD_END_STORY)
    report = run_randomtest(story, 20, seed=100)
    assert report.failures
    assert len(report.failures) + report.endings["win"] == 20
    failure = report.failures[0]
    assert failure.kind == DEAD_END
    assert failure.node == "trap"
    assert failure.reason == "dead end at node 'trap': no choice is available"
    assert failure.path == (("a", "The risky way"),)
    assert 100 <= failure.seed < 120 and failure.seed == 100 + failure.run

    again = run_randomtest(story, 1, seed=failure.seed)
    assert [(f.seed, f.kind, f.reason, f.path) for f in again.failures] == [
        (failure.seed, failure.kind, failure.reason, failure.path)
    ]

    text = format_report(report, str(path))
    command_line = f"divergence randomtest {path} --runs 1 --seed {failure.seed}"
    assert f"seed {failure.seed}: {failure.reason}" in text
    assert "1. a: The risky way" in text
    assert f"replay: {command_line}" in text
    code, out = run_cli(*shlex.split(command_line)[1:])
    assert code == 1
    assert f"seed {failure.seed}: {failure.reason}" in out


def test_a_failure_found_avoiding_used_choices_replays_with_the_runs_before_it(
    tmp_path: Path,
) -> None:
    _path, story = load(tmp_path, DEAD_END_STORY)
    report = run_randomtest(story, 10, seed=3, avoid_used=True)
    last = report.failures[-1]
    command_line = replay_command(report, last, "dead")
    assert command_line == f"divergence randomtest dead --runs {last.run + 1} --seed 3 --avoid-used"
    again = run_randomtest(story, last.run + 1, seed=3, avoid_used=True)
    assert again.failures[-1] == last


def test_routes_that_loop_are_reported_not_raised(tmp_path: Path) -> None:
    _path, story = load(tmp_path, ROUTE_LOOP)
    report = run_randomtest(story, 20, seed=0)
    assert report.failures and len(report.failures) < 20
    failure = report.failures[0]
    assert failure.kind == ENGINE_ERROR
    assert "loop" in failure.reason
    assert failure.path == (("a", "Round and round"),)  # the choice that set the routes going
    assert report.choices_taken == 2  # the fatal choice was taken, and reached c
    assert "c" not in {item.id for item in report.unreached_nodes}


def test_routes_that_loop_from_the_start_fail_every_run(tmp_path: Path) -> None:
    _path, story = load(tmp_path, ROUTE_LOOP.replace('start = "a"', 'start = "c"'))
    report = run_randomtest(story, 5, seed=0)
    assert [failure.kind for failure in report.failures] == [ENGINE_ERROR] * 5
    assert report.failures[0].path == ()
    assert report.failures[0].node == "c"
    assert "(before the first decision)" in format_report(report)


def test_choices_that_loop_stop_at_max_decisions(tmp_path: Path) -> None:
    _path, story = load(tmp_path, CHOICE_LOOP)
    report = run_randomtest(story, 3, seed=0, max_decisions=40)
    assert [failure.kind for failure in report.failures] == [LOOP] * 3
    failure = report.failures[0]
    assert len(failure.path) == 40
    assert report.longest_decisions == 40 and report.total_choices == 120
    text = format_report(report, "x.toml")
    assert "more than 40 decisions without an ending" in text
    assert "... 29 more decisions ..." in text  # a long path shows its ends only
    assert "replay: divergence randomtest x.toml --runs 1 --seed 0 --max-decisions 40" in text
    assert "(2 more the same way: seeds 1, 2)" in text


def test_avoiding_used_choices_finds_a_rare_branch_sooner(tmp_path: Path) -> None:
    _path, story = load(tmp_path, hub_story())
    seeds = [seed * 1000 for seed in range(20)]

    def runs_to_cover(seed: int, avoid_used: bool) -> int:
        report = run_randomtest(story, 100, seed, avoid_used=avoid_used)
        assert report.complete_after is not None
        return report.complete_after

    avoiding = [runs_to_cover(seed, True) for seed in seeds]
    plain = [runs_to_cover(seed, False) for seed in seeds]
    assert max(avoiding) <= 20  # a door is never taken twice before every door was taken once
    assert max(plain) > 20
    assert sum(plain) > 1.5 * sum(avoiding)


def test_the_bundled_stories_reach_every_node_and_ending() -> None:
    missed = []
    for entry in Catalog().entries():
        assert entry.story is not None, entry.error
        report = run_randomtest(entry.story, 2000, seed=0, avoid_used=True)
        if report.failures or report.unreached_nodes or report.unreached_endings:
            missed.append(format_report(report))
    assert not missed, "\n".join(missed)


def test_progress_is_reported_after_every_run() -> None:
    calls: list[tuple[int, int]] = []
    run_randomtest(
        load_story(CROSSROADS), 5, progress=lambda done, total: calls.append((done, total))
    )
    assert calls == [(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]


def test_the_text_report_has_coverage_bars_and_speed() -> None:
    report = run_randomtest(load_story(CROSSROADS), 200, seed=0)
    text = format_report(report)
    assert text.startswith("Random test of crossroads (Crossroads): 200 runs from seed 0\n")
    assert "nodes    3 / 3  100.0%" in text
    assert "every node and ending reached after" in text
    assert "█" in text
    assert "per second" in text


def test_bars_scale_to_the_most_common_and_never_vanish() -> None:
    assert count_bar(10, 10, width=4) == "████"
    assert count_bar(5, 10, width=4) == "██"
    assert count_bar(1, 80, width=4) == "▏"
    assert count_bar(0, 10) == "" and count_bar(3, 0) == ""


def test_the_command_default_matches_the_domain_default() -> None:
    assert command.DEFAULT_MAX_DECISIONS == DEFAULT_MAX_DECISIONS


# -- the command --------------------------------------------------------------------------


def test_command_exits_0_when_every_run_ends(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli("randomtest", str(CROSSROADS), "--runs", "50", "--seed", "3")
    assert code == 0
    assert "50 runs from seed 3" in out
    assert capsys.readouterr().err == ""  # no progress bar when stderr is not a terminal


def test_command_exits_1_when_a_run_fails(tmp_path: Path) -> None:
    path = write(tmp_path, DEAD_END_STORY)
    code, out = run_cli("randomtest", str(path), "--runs", "20")
    assert code == 1
    assert "Failures:" in out


def test_command_json(tmp_path: Path) -> None:
    path = write(tmp_path, KNOWN)
    code, out = run_cli("randomtest", str(path), "--runs", "30", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["runs"] == 30 and data["failed"] == 0
    assert data["coverage"]["nodes"] == {"reached": 2, "total": 3}
    assert data["coverage"]["choices"] == {"reached": 2, "total": 3}
    assert data["coverage"]["endings"] == {"reached": 2, "total": 3}
    orphan_line = line_of(KNOWN, 'id = "orphan"') - 1
    assert data["never_reached"]["nodes"][0]["where"] == f"{path}:{orphan_line}"
    assert sum(data["endings"].values()) == 30
    assert data["decisions"]["total"] == 30


def test_command_json_lists_failures_with_their_replay(tmp_path: Path) -> None:
    path = write(tmp_path, DEAD_END_STORY)
    code, out = run_cli("randomtest", str(path), "--runs", "5", "--seed", "9", "--format", "json")
    assert code == 1
    failure = json.loads(out)["failures"][0]
    assert failure["kind"] == DEAD_END
    assert failure["path"] == [{"node": "a", "choice": "The risky way"}]
    assert failure["replay"] == f"divergence randomtest {path} --runs 1 --seed {failure['seed']}"


def test_command_with_a_broken_story_prints_its_problems(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, KNOWN.replace('goto = "b"', 'goto = "nowhere"'))
    code, out = run_cli("randomtest", str(path))
    assert code == 1
    assert out == ""
    assert f"{path}:" in capsys.readouterr().err


@pytest.mark.parametrize(
    "option", [["--runs", "0"], ["--seed", "-1"], ["--max-decisions", "x"], ["--format", "xml"]]
)
def test_command_rejects_bad_options(option: list[str]) -> None:
    with pytest.raises(SystemExit) as raised:
        run_cli("randomtest", str(CROSSROADS), *option)
    assert raised.value.code == 2


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_command_draws_a_progress_bar_on_a_terminal_and_clears_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    monkeypatch.setattr(command, "PROGRESS_DELAY", 0.0)
    monkeypatch.setattr(command, "PROGRESS_INTERVAL", 0.0)
    code, _out = run_cli("randomtest", str(CROSSROADS), "--runs", "20")
    assert code == 0
    drawn = terminal.getvalue()
    assert "\r" in drawn and "20/20 runs" in drawn
    assert drawn.endswith("\r") and drawn.rsplit("\r", 2)[1].strip() == ""  # cleared


def test_report_to_dict_is_plain_data() -> None:
    report = run_randomtest(load_story(CROSSROADS), 10)
    data = report_to_dict(report)
    assert json.loads(json.dumps(data)) == data
