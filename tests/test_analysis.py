"""`divergence check`: every finding code, triggered by a story written for it, at its line."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from helpers import run_cli

import game.check
import game.story.loader
from game.check.analysis import CODES, analyse, shortest_paths_text
from game.check.rules import RULES
from game.story.catalog import Catalog
from game.story.loader import load_story
from game.story.problems import Problem, StoryError

HEADER = '[story]\nid = "t"\ntitle = "T"\nsummary = "t"\nstart = "a"\nera = "1941"\n'
NOTES = 'history = "h"\ndiscuss = "d"\n'
END = '\n[[ending]]\nid = "end"\ntitle = "End"\ntone = "grim"\nepilogue = "Over."\n'


def findings(tmp_path: Path, body: str, max_states: int = 50_000) -> list[Problem]:
    path = tmp_path / "t.toml"
    path.write_text(HEADER + body)
    try:
        story = load_story(path)
    except StoryError as error:
        return list(error.problems)
    return analyse(story, max_states).problems


def line_of(body: str, marker: str) -> int:
    """The line of `marker` in the file written by `findings` (header included)."""
    text = HEADER + body
    index = text.index(marker)
    return text.count("\n", 0, index) + 1


def toll_story(
    publish: str = "",
    b_text: str = "b",
    a_text: str = "{toll}",
    goto: str = "b",
    b_choices: str = "",
    end: str = END,
) -> str:
    """Two ways from 'a' to 'b'; the later one, 'publish', also lowers 'toll'."""
    return (
        '[variable.toll]\ndefault = 5\nmin = 0\nmax = 9\nlabel = "Toll"\nclamp = true\n'
        f'[[node]]\nid = "a"\ntitle = "A"\ntext = "{a_text}"\n' + NOTES + "[[node.choice]]\n"
        'id = "leave"\nlabel = "Leave"\ngoto = "b"\n[[node.choice]]\nid = "publish"\n'
        f'label = "Publish"\ngoto = "{goto}"\neffects = "toll -= 2"\n{publish}'
        f'[[node]]\nid = "b"\ntitle = "B"\ntext = "{b_text}"\n'
        + NOTES
        + b_choices
        + "[[node.choice]]\n"
        'label = "On"\ngoto = "end"\n' + end
    )


# Each case: the code, a story body written to trigger it, and the text on the line
# the finding must point at.
CASES: list[tuple[str, str, str]] = [
    ("E002", '[[node]\nid = "a"\n', "[[node]"),
    (
        "E003",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\ncolour = "red"\n'
        '[[node.choice]]\nlabel = "Go"\ngoto = "end"\n' + END,
        'colour = "red"',
    ),
    (
        "E005",
        '[variable.supply]\ndefault = 50\nmin = 0\nmax = 10\nlabel = "Supply"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n[[node.choice]]\nlabel = "Go"\n'
        'goto = "end"\n' + END,
        "default = 50",
    ),
    (
        "E006",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n[[node.choice]]\nlabel = "Go"\n'
        'goto = "end"\n[[node]]\nid = "end"\ntitle = "B"\ntext = "b"\n'
        '[[node.choice]]\nlabel = "Go"\ngoto = "a"\n' + END,
        'id = "end"\ntitle = "End"',
    ),
    (
        "E007",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n[[node.choice]]\nlabel = "Go"\n'
        'goto = "nowhere"\n' + END,
        'goto = "nowhere"',
    ),
    (
        "E008",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n[[node.choice]]\nlabel = "Go"\n'
        'if = "supply >"\ngoto = "end"\n' + END,
        'if = "supply >"',
    ),
    (
        "E009",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "One {if} two"\n[[node.choice]]\n'
        'label = "Go"\ngoto = "end"\n' + END,
        'text = "One {if}',
    ),
    (
        "E010",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n[[node.choice]]\nlabel = "Both"\n'
        'goto = "end"\n[[node.choice.outcome]]\nweight = 1\ngoto = "end"\n' + END,
        'label = "Both"',
    ),
    (
        "E020",
        '[variable.ready]\ndefault = false\nlabel = "Ready"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n' + NOTES + '[[node.choice]]\nlabel = "Go"\n'
        'goto = "b"\neffects = "ready = true"\n[[node.choice]]\nlabel = "Stay"\ngoto = "b"\n'
        '[[node]]\nid = "b"\ntitle = "B"\ntext = "b"\n' + NOTES + "[[node.choice]]\n"
        'label = "Leave"\nif = "ready"\ngoto = "end"\n' + END,
        'id = "b"',
    ),
    (
        "E021",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n'
        + NOTES
        + '[[node.choice]]\nlabel = "Loop"\n'
        'goto = "b"\n[[node.choice]]\nlabel = "Out"\ngoto = "end"\n'
        '[[node]]\nid = "b"\ntitle = "B"\ntext = "b"\n[[node.route]]\ngoto = "c"\n'
        '[[node]]\nid = "c"\ntitle = "C"\ntext = "c"\n[[node.route]]\ngoto = "b"\n' + END,
        'label = "Loop"',
    ),
    (
        "E022",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n' + NOTES + "[[node.choice]]\n"
        'label = "Cellar"\ngoto = "cellar"\n[[node.choice]]\nlabel = "Out"\ngoto = "end"\n'
        '[[node]]\nid = "cellar"\ntitle = "C"\ntext = "c"\n' + NOTES + "[[node.choice]]\n"
        'label = "Wait"\ngoto = "cellar"\n' + END,
        'id = "cellar"',
    ),
    (
        "W001",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n' + NOTES + '[[node.choice]]\nlabel = "Go"\n'
        'goto = "end"\n[[node]]\nid = "lost"\ntitle = "Lost"\ntext = "l"\n'
        + NOTES
        + '[[node.choice]]\nlabel = "Go"\ngoto = "end"\n'
        + END,
        'id = "lost"',
    ),
    (
        "W002",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n' + NOTES + '[[node.choice]]\nlabel = "Go"\n'
        'goto = "end"\n' + END + '\n[[ending]]\nid = "never"\ntitle = "Never"\ntone = "grim"\n'
        'epilogue = "No."\n',
        'id = "never"',
    ),
    (
        "W003",
        '[variable.count]\ndefault = 0\nmin = 0\nmax = 3\nlabel = "Count"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "{count}"\n' + NOTES + "[[node.choice]]\n"
        'label = "Go"\ngoto = "end"\neffects = "count += 1"\n[[node.choice]]\n'
        'label = "Impossible"\nif = "count > 5"\ngoto = "end"\n' + END,
        'label = "Impossible"',
    ),
    (
        "W004",
        '[variable.count]\ndefault = 0\nmin = 0\nmax = 3\nlabel = "Count"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "{count}"\n' + NOTES + "[[node.choice]]\n"
        'label = "Go"\ngoto = "end"\neffects = "count += 1"\n[[node.choice]]\n'
        'label = "Always"\nif = "count < 5"\ngoto = "end"\n' + END,
        'label = "Always"',
    ),
    (
        "W005",
        '[variable.secret]\ndefault = 0\nlabel = "Secret"\nvisible = false\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n' + NOTES + '[[node.choice]]\nlabel = "Go"\n'
        'goto = "end"\neffects = "secret = 2"\n' + END,
        "[variable.secret]",
    ),
    (
        "W006",
        '[variable.fixed]\ndefault = 3\nlabel = "Fixed"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "{fixed}"\n' + NOTES + "[[node.choice]]\n"
        'label = "Go"\ngoto = "end"\n' + END,
        "[variable.fixed]",
    ),
    (
        "W007",
        '[variable.supply]\ndefault = 9\nmin = 0\nmax = 10\nlabel = "Supply"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "{supply}"\n' + NOTES + "[[node.choice]]\n"
        'label = "Hoard"\ngoto = "end"\neffects = "supply += 5"\n' + END,
        'label = "Hoard"',
    ),
    (
        "W008",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\ndiscuss = "d"\n[[node.choice]]\n'
        'label = "Go"\ngoto = "end"\n' + END,
        'id = "a"',
    ),
    (
        "W009",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\nhistory = "h"\n[[node.choice]]\n'
        'label = "Go"\ngoto = "end"\n' + END,
        'id = "a"',
    ),
    (
        "W010",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n' + NOTES + "[[node.choice]]\n"
        f'label = "{"Wait " * 16}and see"\ngoto = "end"\n' + END,
        'label = "Wait',
    ),
    (
        "W012",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n' + NOTES + '[[node.choice]]\nlabel = "Try"\n'
        '[[node.choice.outcome]]\nweight = 3\ngoto = "end"\n[[node.choice.outcome]]\n'
        'weight = 0\ngoto = "end"\n' + END,
        "weight = 0",
    ),
    (
        "W013",
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n' + NOTES + '[[node.choice]]\nlabel = "Go"\n'
        'goto = "b"\n[[node]]\nid = "b"\ntitle = "B"\ntext = "b"\n[[node.route]]\ngoto = "end"\n'
        '[[node.route]]\nif = "visited(a)"\ngoto = "end"\n' + END,
        'if = "visited(a)"',
    ),
    (
        "W014",
        '[variable.x]\ndefault = 0\nlabel = "X"\n[variable.y]\ndefault = 0\nlabel = "Y"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n' + NOTES + "[[node.choice]]\n"
        'label = "March"\ngoto = "b"\neffects = "x += 1; y -= 1"\n[[node.choice]]\n'
        'label = "Advance"\ngoto = "b"\neffects = "y-=1; x += 1"\n'
        '[[node]]\nid = "b"\ntitle = "B"\ntext = "{x} {y}"\n' + NOTES + "[[node.choice]]\n"
        'label = "On"\ngoto = "end"\n' + END,
        'label = "Advance"',
    ),
    (
        "W015",
        toll_story(),
        'id = "publish"',
    ),
]


@pytest.mark.parametrize(("code", "body", "marker"), CASES, ids=[case[0] for case in CASES])
def test_each_code_is_reported_at_its_line(
    tmp_path: Path, code: str, body: str, marker: str
) -> None:
    found = findings(tmp_path, body)
    at = [(p.code, p.line) for p in found]
    line = line_of(body, marker)
    # a route's or outcome's table starts the line before its field
    assert (code, line) in at or (code, line - 1) in at, (code, line, [str(p) for p in found])


def test_a_loop_with_a_way_out_is_no_trap(tmp_path: Path) -> None:
    body = CASES[[c[0] for c in CASES].index("E022")][1]
    escape = body.replace(
        'label = "Wait"\ngoto = "cellar"\n',
        'label = "Wait"\ngoto = "cellar"\n[[node.choice]]\nlabel = "Climb out"\ngoto = "end"\n',
    )
    assert "E022" not in {p.code for p in findings(tmp_path, escape)}


def test_every_code_the_loader_or_the_checker_reports_is_a_registered_rule() -> None:
    sources = [Path(game.story.loader.__file__), *Path(game.check.__file__).parent.glob("*.py")]
    used = {
        code
        for source in sources
        if source.name != "rules.py"
        for code in re.findall(r"[\"']([EW]\d{3})[\"']", source.read_text())
    }
    assert used == set(CODES)
    assert [rule.code for rule in RULES] == sorted(CODES)  # one entry each, in order
    for rule in RULES:
        assert rule.severity == Problem("f", 1, "m", rule.code).severity
        assert rule.description and "\n" not in rule.description


def test_every_code_has_a_case_or_a_test_of_its_own() -> None:
    own_tests = {"E001", "E004", "W011"}  # below: they need a missing file or a big story
    assert {case[0] for case in CASES} | own_tests == set(CODES)


def test_e001_and_e004(tmp_path: Path) -> None:
    with pytest.raises(StoryError) as missing:
        load_story(tmp_path / "nothing.toml")
    assert missing.value.problems[0].code == "E001"
    path = tmp_path / "s.toml"
    path.write_text(HEADER.replace('start = "a"', 'start = "b"') + NOTES_NODE + END)
    with pytest.raises(StoryError) as bad_start:
        load_story(path)
    assert [(p.code, p.line) for p in bad_start.value.problems] == [("E004", 5)]


NOTES_NODE = (
    '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n[[node.choice]]\nlabel = "Go"\ngoto = "end"\n'
)


def test_every_loader_problem_has_a_documented_code(tmp_path: Path) -> None:
    bodies = [case[1] for case in CASES if case[0].startswith("E0")]
    for body in bodies:
        for problem in findings(tmp_path, body):
            assert problem.code in CODES, problem
            assert re.fullmatch(r"[EW]\d{3}", problem.code)


def test_the_bound_is_reported_and_then_nothing_is_claimed_unproven(tmp_path: Path) -> None:
    body = (
        '[variable.n]\ndefault = 0\nmin = 0\nmax = 1000\nlabel = "N"\nclamp = true\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "{n}"\n' + NOTES + "[[node.choice]]\n"
        'label = "More"\ngoto = "a"\neffects = "n += 1"\n[[node.choice]]\nlabel = "Stop"\n'
        'if = "n > 500"\ngoto = "end"\n' + END
    )
    small = findings(tmp_path, body, max_states=50)
    assert [p.code for p in small] == ["W011"]
    assert "more than 50 reachable states" in small[0].message
    complete = findings(tmp_path, body, max_states=5000)
    assert complete == []


def test_clamp_true_silences_w007_and_only_applies_to_bounded_numbers(tmp_path: Path) -> None:
    body = CASES[[c[0] for c in CASES].index("W007")][1]
    quiet = body.replace('label = "Supply"\n', 'label = "Supply"\nclamp = true\n')
    assert "W007" not in {p.code for p in findings(tmp_path, quiet)}
    wrong = '[variable.flag]\ndefault = false\nlabel = "F"\nclamp = true\n' + NOTES_NODE + END
    assert [p.code for p in findings(tmp_path, wrong)] == ["E005"]


def test_unreachable_through_conditions_not_just_through_gotos(tmp_path: Path) -> None:
    body = (
        '[variable.n]\ndefault = 0\nmin = 0\nmax = 2\nlabel = "N"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "{n}"\n' + NOTES + "[[node.choice]]\n"
        'label = "Up"\ngoto = "end"\neffects = "n += 1"\n[[node.choice]]\nlabel = "Secret"\n'
        'if = "n == 2"\ngoto = "hidden"\n'
        '[[node]]\nid = "hidden"\ntitle = "H"\ntext = "h"\n' + NOTES + "[[node.choice]]\n"
        'label = "Go"\ngoto = "end"\n' + END
    )
    codes = {(p.code, p.line) for p in findings(tmp_path, body)}
    assert ("W001", line_of(body, 'id = "hidden"') - 1) in codes  # its [[node]] line
    assert ("W003", line_of(body, 'label = "Secret"') - 1) in codes


def test_shortest_paths_take_the_fewest_decisions_and_name_the_luck(tmp_path: Path) -> None:
    body = (
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n'
        + NOTES
        + '[[node.choice]]\nlabel = "Long"\n'
        'goto = "b"\n[[node.choice]]\nlabel = "Gamble"\n[[node.choice.outcome]]\nweight = 1\n'
        'goto = "win"\n[[node.choice.outcome]]\nweight = 9\ngoto = "end"\n'
        '[[node]]\nid = "b"\ntitle = "B"\ntext = "b"\n' + NOTES + '[[node.choice]]\nlabel = "On"\n'
        'goto = "win"\n' + END + '\n[[ending]]\nid = "win"\ntitle = "Win"\ntone = "hopeful"\n'
        'epilogue = "Yes."\n'
    )
    (tmp_path / "t.toml").write_text(HEADER + body)
    analysis = analyse(load_story(tmp_path / "t.toml"))
    win = analysis.paths["win"]
    assert [(s.node, s.label, s.chance) for s in win] == [("a", "Gamble", ("win",))]
    text = "\n".join(shortest_paths_text(analysis))
    assert "ending 'win' (Win): 1 decision" in text
    assert "1. at 'a': Gamble  [chance: win]" in text


def test_bundled_stories_pass_strict_and_explore_completely() -> None:
    for entry in Catalog().entries():
        assert entry.story is not None, entry.error
        analysis = analyse(entry.story)
        assert analysis.complete, entry.id
        assert analysis.problems == [], [str(p) for p in analysis.problems]
        assert set(analysis.paths) == set(entry.story.endings)


def test_json_format_for_editors(tmp_path: Path) -> None:
    body = CASES[[c[0] for c in CASES].index("W003")][1]
    path = tmp_path / "t.toml"
    path.write_text(HEADER + body)
    code, out = run_cli("check", "--format", "json", "--paths", str(path))
    assert code == 0
    report = json.loads(out)
    assert report["errors"] == 0 and report["warnings"] >= 1
    [story] = report["stories"]
    assert story["complete"] is True and story["loads"] is True
    finding = next(f for f in story["findings"] if f["code"] == "W003")
    assert finding["line"] == line_of(body, 'label = "Impossible"') - 1
    assert finding["severity"] == "warning" and finding["file"] == str(path)
    assert story["paths"]["end"][0]["node"] == "a"


def test_exit_codes_errors_warnings_and_strict(tmp_path: Path) -> None:
    dead = tmp_path / "dead.toml"
    dead.write_text(HEADER + CASES[[c[0] for c in CASES].index("E020")][1])
    code, out = run_cli("check", str(dead))
    assert code == 1 and ": E020: dead end: node 'b'" in out
    assert "after 'Stay' at 'a'" in out  # the way into the dead end
    warned = tmp_path / "warned.toml"
    warned.write_text(HEADER + CASES[[c[0] for c in CASES].index("W009")][1])
    assert run_cli("check", str(warned))[0] == 0
    assert run_cli("check", "--strict", str(warned))[0] == 1
    with pytest.raises(SystemExit) as usage:
        run_cli("check", "--max-states", "0", str(warned))
    assert usage.value.code == 2


def test_w007_sees_every_value_of_a_number_only_the_text_shows(tmp_path: Path) -> None:
    # 'supply' decides nothing, so the walk could forget it at 'b'; the state reached
    # first (after 'Rest') would then hide the one that overflows (after 'Hoard').
    body = (
        '[variable.supply]\ndefault = 9\nmin = 0\nmax = 10\nlabel = "Supply"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "{supply}"\n' + NOTES + "[[node.choice]]\n"
        'label = "Rest"\ngoto = "b"\n[[node.choice]]\nlabel = "Hoard"\ngoto = "b"\n'
        'effects = "supply += 1"\n'
        '[[node]]\nid = "b"\ntitle = "B"\ntext = "{supply}"\n' + NOTES + "[[node.choice]]\n"
        'label = "More"\ngoto = "end"\neffects = "supply += 1"\n' + END
    )
    found = [(p.code, p.line) for p in findings(tmp_path, body)]
    assert ("W007", line_of(body, 'label = "More"') - 1) in found


# Found by a review that fuzzed small stories against a walk over concrete states.


def test_a_node_passed_on_the_way_to_a_state_seen_before_is_reached(tmp_path: Path) -> None:
    # two ways into 'b': the second passes through 't', a node with routes only, and
    # arrives in a state the first way already found
    body = (
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n'
        + NOTES
        + '[[node.choice]]\nlabel = "Direct"\n'
        'goto = "b"\n[[node.choice]]\nlabel = "Round"\ngoto = "t"\n'
        '[[node]]\nid = "t"\ntitle = "T"\ntext = "t"\n[[node.route]]\ngoto = "b"\n'
        '[[node]]\nid = "b"\ntitle = "B"\ntext = "b"\n' + NOTES + '[[node.choice]]\nlabel = "End"\n'
        'goto = "end"\n' + END
    )
    assert "W001" not in {p.code for p in findings(tmp_path, body)}


def test_routes_never_tried_because_an_automatic_ending_strikes_are_no_w013(tmp_path: Path) -> None:
    body = (
        '[variable.n]\ndefault = 0\nmin = 0\nmax = 3\nlabel = "N"\nclamp = true\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "{n}"\n'
        + NOTES
        + '[[node.choice]]\nlabel = "Up"\n'
        'goto = "b"\neffects = "n += 3"\n[[node.choice]]\nlabel = "Stay"\ngoto = "end"\n'
        '[[node]]\nid = "b"\ntitle = "B"\ntext = "b"\n[[node.route]]\ngoto = "end"\n'
        + END
        + '\n[[ending]]\nid = "caught"\ntitle = "Caught"\ntone = "grim"\nepilogue = "No."\n'
        'if = "n >= 3"\n'
    )
    assert "W013" not in {p.code for p in findings(tmp_path, body)}


def test_when_every_weight_is_zero_the_first_outcome_is_drawn(tmp_path: Path) -> None:
    body = (
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n' + NOTES + '[[node.choice]]\nlabel = "Try"\n'
        '[[node.choice.outcome]]\nweight = 0\ngoto = "end"\n[[node.choice.outcome]]\n'
        'weight = 0\ngoto = "end"\n' + END
    )
    lines = {p.line for p in findings(tmp_path, body) if p.code == "W012"}
    text = HEADER + body
    second = text.index("[[node.choice.outcome]]", text.index("[[node.choice.outcome]]") + 1)
    assert lines == {text.count("\n", 0, second) + 1}  # only the second, never the first


def test_a_way_into_a_dead_end_is_not_also_a_trap(tmp_path: Path) -> None:
    body = (
        '[variable.ready]\ndefault = false\nlabel = "Ready"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n' + NOTES + '[[node.choice]]\nlabel = "Go"\n'
        'goto = "corridor"\n[[node.choice]]\nlabel = "Out"\ngoto = "end"\n'
        '[[node]]\nid = "corridor"\ntitle = "C"\ntext = "c"\n' + NOTES + "[[node.choice]]\n"
        'label = "On"\ngoto = "b"\n'
        '[[node]]\nid = "b"\ntitle = "B"\ntext = "b"\n' + NOTES + "[[node.choice]]\n"
        'label = "Leave"\nif = "ready"\ngoto = "end"\n' + END
    )
    codes = [p.code for p in findings(tmp_path, body)]
    assert "E020" in codes and "E022" not in codes


def test_a_story_of_exactly_the_bound_is_complete() -> None:
    story = game.story.loader.load_story(Path(__file__).parent / "stories" / "crossroads.toml")
    size = analyse(story).states
    assert analyse(story, size).complete
    assert not analyse(story, size - 1).complete


# W014 and W015: choices that do what another one open beside them does.


def twin_codes(tmp_path: Path, body: str) -> list[tuple[str, int, str]]:
    return [(p.code, p.line, p.message) for p in findings(tmp_path, body) if p.code in TWINS]


TWINS = {"W014", "W015"}


def test_w015_names_the_sibling_and_what_nobody_reads(tmp_path: Path) -> None:
    body = toll_story()
    leave = line_of(body, 'id = "leave"') - 1
    [(code, line, message)] = twin_codes(tmp_path, body)
    assert (code, line) == ("W015", line_of(body, 'id = "publish"') - 1)
    assert message == (
        f"choice 'publish' makes no difference: it leads where 'leave' (line {leave}) does "
        "and changes only 'toll', which nothing reads later"
    )


def test_w015_is_not_reported_when_the_choices_differ_in_a_way_read_later(
    tmp_path: Path,
) -> None:
    told = '\n[[ending]]\nid = "end"\ntitle = "End"\ntone = "grim"\nepilogue = "Toll {toll}."\n'
    for body in [
        toll_story(goto="end"),  # another destination
        toll_story(b_text="{toll}"),  # the text at the destination shows it
        toll_story(end=told),  # an epilogue after it shows it
        toll_story(  # a condition after it tests it
            b_choices='[[node.choice]]\nlabel = "Calm"\nif = "toll < 4"\ngoto = "calm"\n',
            end=END + '\n[[ending]]\nid = "calm"\ntitle = "Calm"\ntone = "grim"\nepilogue = "C."\n',
        ),
        toll_story(b_text="{if chose(a, publish)}You published.{end}"),  # chose() of it
        toll_story(b_text="{if chose(a, leave)}You kept quiet.{end}"),  # chose() of the other
        toll_story(  # a later effect copies it into a number that is read
            b_choices='[[node.choice]]\nlabel = "Count"\ngoto = "c"\neffects = "kept = toll"\n'
            '[[node]]\nid = "c"\ntitle = "C"\ntext = "{kept}"\n' + NOTES  # 'On' is c's
        ).replace("[[node]]", '[variable.kept]\ndefault = 0\nlabel = "Kept"\n[[node]]', 1),
    ]:
        assert twin_codes(tmp_path, body) == [], body


def test_w015_needs_both_choices_open_at_once(tmp_path: Path) -> None:
    body = toll_story(publish='if = "toll > 5"\n').replace(
        'goto = "b"\n[[node.choice]]\nid = "publish"',
        'goto = "b"\nif = "toll <= 5"\n[[node.choice]]\nid = "publish"',
    )
    assert twin_codes(tmp_path, body) == []


def test_a_once_choice_differs_when_its_node_comes_round_again(tmp_path: Path) -> None:
    back = '[[node.choice]]\nlabel = "Back"\ngoto = "a"\n'
    looping = toll_story(a_text="a", b_choices=back)
    assert [code for code, _line, _message in twin_codes(tmp_path, looping)] == ["W015"]
    once = toll_story(a_text="a", b_choices=back, publish="once = true\n")
    assert twin_codes(tmp_path, once) == []
    assert twin_codes(tmp_path, toll_story(publish="once = true\n"))  # never comes round


def test_w015_when_both_change_the_same_number_differently(tmp_path: Path) -> None:
    body = toll_story().replace(
        'label = "Leave"\ngoto = "b"\n', 'label = "Leave"\ngoto = "b"\neffects = "toll += 1"\n'
    )
    [(code, _line, message)] = twin_codes(tmp_path, body)
    assert code == "W015" and "differs from it only in 'toll'" in message


def test_w014_names_the_earlier_choice(tmp_path: Path) -> None:
    body = CASES[[c[0] for c in CASES].index("W014")][1]
    march = line_of(body, 'label = "March"') - 1
    [(code, line, message)] = twin_codes(tmp_path, body)
    assert (code, line) == ("W014", line_of(body, 'label = "Advance"') - 1)
    assert message == (
        f"choice 'choice2' does the same as 'choice1' (line {march}): "
        "same destination, same effects"
    )


def test_w014_only_where_order_provably_does_not_matter(tmp_path: Path) -> None:
    body = CASES[[c[0] for c in CASES].index("W014")][1]
    ordered = body.replace('"x += 1; y -= 1"', '"x += 1; y = x"').replace(
        '"y-=1; x += 1"', '"y = x; x += 1"'
    )
    assert "W014" not in {code for code, _line, _message in twin_codes(tmp_path, ordered)}
    # read later: they differ in 'y', so this is no W015 either
    assert twin_codes(tmp_path, ordered) == []
    elsewhere = body.replace('label = "Advance"\ngoto = "b"', 'label = "Advance"\ngoto = "end"')
    assert twin_codes(tmp_path, elsewhere) == []
    told = body.replace('text = "{x} {y}"', 'text = "{x} {y} {if chose(a, choice2)}!{end}"')
    assert twin_codes(tmp_path, told) == []


def test_w014_compares_chance_outcomes_weight_target_and_effects(tmp_path: Path) -> None:
    def gamble(label: str, weight: str) -> str:
        return (
            f'[[node.choice]]\nlabel = "{label}"\n[[node.choice.outcome]]\nweight = {weight}\n'
            'goto = "end"\n[[node.choice.outcome]]\nweight = 1\ngoto = "win"\n'
            'effects = "n += 1"\n'
        )

    def story(second_weight: str) -> str:
        return (
            '[variable.n]\ndefault = 0\nlabel = "N"\n'
            '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n'
            + NOTES
            + gamble("Bet", "2")
            + gamble("Wager", second_weight)
            + END
            + '\n[[ending]]\nid = "win"\ntitle = "Win"\ntone = "hopeful"\nepilogue = "{n}"\n'
        )

    same = story("2")
    assert [(c, line) for c, line, _m in twin_codes(tmp_path, same)] == [
        ("W014", line_of(same, 'label = "Wager"') - 1)
    ]
    assert twin_codes(tmp_path, story("3")) == []


def test_w014_and_w015_hold_on_an_incomplete_walk(tmp_path: Path) -> None:
    body = toll_story()
    assert [code for code, _line, _message in twin_codes(tmp_path, body)] == ["W015"]
    small = findings(tmp_path, body, max_states=1)
    assert "W011" in {p.code for p in small} and "W015" in {p.code for p in small}
