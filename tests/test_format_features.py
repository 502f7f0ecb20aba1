"""The format features of the stories' second edition: text variations, conditional
expressions and flag weights, templated titles and viewpoints, and quotations from the record
(in the engine, plain mode, transcripts, the class report and the play screen)."""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.classroom.report import build_report, render_html, render_markdown, render_text
from game.classroom.transcript import build_transcript
from game.classroom.transcript import to_html as transcript_html
from game.classroom.transcript import to_markdown as transcript_markdown
from game.cli.entry import main
from game.play.engine import Engine
from game.saves.files import SaveFolder, read_save
from game.story.catalog import Catalog
from game.story.compiled import Story
from game.story.expr import ExprError, Scope, VarSpec, compile_expression
from game.story.loader import load_story
from game.story.problems import StoryError
from game.story.text import TemplateError, compile_template
from game.ui.app import DivergenceApp
from game.ui.play import PlayScreen
from game.ui.quotes import Quotations

SCOPE = Scope(
    {"n": VarSpec("int"), "flag": VarSpec("bool"), "side": VarSpec("str", frozenset({"a", "b"}))},
    frozenset({"hall"}),
)

STORY = '''\
[story]
id = "features"
title = "Features"
summary = "The second edition's format, in one small story."
start = "hall"
era = "1941"

[variable.ruler]
default = "Stalin"
values = ["Stalin", "Trotsky"]
label = "Ruler"

[variable.promised]
default = false
label = "Promised"

[[node]]
id = "hall"
title = "{if ruler == 'Trotsky'}The Old Man's Hall{else}The Hall{end}"
viewpoint = "{ruler}'s secretary"
text = """
{sequence}You come in for the first time.{or}You come back.{or}The hall, again.{end}
It is {cycle}raining{or}snowing{end}.
"""

[[node.quote]]
text = "Our cause is just. [b]Not bold[/b] <i>nor HTML</i>"
speaker = "Vyacheslav Molotov"
source = "radio address, 22 June 1941"

[[node.quote]]
if = "promised"
text = "A promise was made."
speaker = "Nobody"
source = "the test"

[[node.choice]]
id = "wait"
label = "Wait"
goto = "hall"
effects = 'ruler = "Trotsky" if ruler == "Stalin" else "Stalin"; promised = true'

[[node.choice]]
id = "go"
label = "Go"

[[node.choice.outcome]]
weight = "promised"
goto = "kept"

[[node.choice.outcome]]
weight = "0 if promised else 1"
goto = "broken"

[[ending]]
id = "kept"
title = "Kept"
tone = "hopeful"
epilogue = "Kept."

[[ending.quote]]
text = "Victory will be ours."
speaker = "Vyacheslav Molotov"
source = "radio address, 22 June 1941"

[[ending]]
id = "broken"
title = "Broken"
tone = "grim"
epilogue = "Broken."
'''


@pytest.fixture
def story_file(tmp_path: Path) -> Path:
    path = tmp_path / "stories" / "features.toml"
    path.parent.mkdir()
    path.write_text(STORY, encoding="utf-8")
    return path


@pytest.fixture
def story(story_file: Path) -> Story:
    return load_story(story_file)


def visit_text(source: str, visit: int, seed: int = 0) -> str:
    return compile_template(source, SCOPE, owner="hall").render({}, {"hall": visit}, seed)


# -- text variations --


def test_a_sequence_stops_at_its_last_alternative() -> None:
    source = "{sequence}one{or}two{or}three{end}"
    assert [visit_text(source, visit) for visit in range(1, 6)] == [
        "one",
        "two",
        "three",
        "three",
        "three",
    ]


def test_a_cycle_goes_round() -> None:
    source = "{cycle}one{or}two{or}three{end}"
    assert [visit_text(source, visit) for visit in range(1, 8)] == [
        "one",
        "two",
        "three",
        "one",
        "two",
        "three",
        "one",
    ]


def test_a_shuffle_is_drawn_from_the_seed_and_replays_exactly() -> None:
    source = "{shuffle}a{or}b{or}c{end}"
    first = [visit_text(source, visit, seed=11) for visit in range(1, 40)]
    assert first == [visit_text(source, visit, seed=11) for visit in range(1, 40)]
    assert set(first) == {"a", "b", "c"}  # every alternative comes up
    other = [visit_text(source, visit, seed=12) for visit in range(1, 40)]
    assert other != first  # another seed, another order


def test_two_shuffles_in_one_text_are_drawn_apart() -> None:
    source = "{shuffle}a{or}b{end}{shuffle}a{or}b{end}"
    pairs = Counter(visit_text(source, visit, seed=5) for visit in range(1, 200))
    assert {"aa", "bb"} & set(pairs) and {"ab", "ba"} & set(pairs)


def test_variations_hold_values_and_passages_and_sit_in_passages() -> None:
    source = "{if flag}{sequence}x{n}{or}{if n > 1}big{else}small{end}{end}{end}"
    template = compile_template(source, SCOPE, owner="hall")
    assert template.render({"flag": True, "n": 2}, {"hall": 1}) == "x2"
    assert template.render({"flag": True, "n": 2}, {"hall": 2}) == "big"
    assert template.render({"flag": False, "n": 2}, {"hall": 2}) == ""


def test_a_variation_on_its_own_line_takes_the_line_with_it() -> None:
    source = "Before.\n{sequence}\nFirst.\n{or}\nLater.\n{end}\nAfter."
    assert visit_text(source, 1) == "Before.\nFirst.\nAfter."
    assert visit_text(source, 2) == "Before.\nLater.\nAfter."


@pytest.mark.parametrize(
    ("source", "fragment", "column"),
    [
        ("{if flag}a{or}b{end}", "in an '{if}' use '{elif ...}'", 10),
        ("{sequence}a{else}b{end}", "split its alternatives with '{or}'", 11),
        ("{cycle}a{elif flag}b{end}", "split its alternatives with '{or}'", 8),
        ("a{or}b", "without an '{sequence}', '{cycle}' or '{shuffle}'", 1),
        ("{shuffle}a{or}b", "'{shuffle}' is never closed", 0),
        ("{sequence n}a{end}", "takes nothing after it", 1),
        ("{sequence}a{or x}b{end}", "'{or}' takes nothing after it", 12),
    ],
)
def test_variation_mistakes_are_named_where_they_are(
    source: str, fragment: str, column: int
) -> None:
    with pytest.raises(TemplateError) as caught:
        compile_template(source, SCOPE)
    assert fragment in caught.value.message
    assert caught.value.column == column


@pytest.mark.parametrize("word", ["sequence", "cycle", "shuffle", "or"])
def test_variation_words_cannot_name_variables(word: str, tmp_path: Path, story_text: str) -> None:
    path = tmp_path / "story.toml"
    path.write_text(
        story_text.replace(
            "[variable.alarmed]",
            f"[variable.{word}]\nlabel = 'x'\ndefault = 1\n\n[variable.alarmed]",
        ),
        encoding="utf-8",
    )
    with pytest.raises(StoryError) as caught:
        load_story(path)
    assert word in str(caught.value)


# -- conditional expressions --


@pytest.mark.parametrize(
    ("source", "variables", "expected"),
    [
        ("3 if flag else 1", {"flag": True}, 3),
        ("3 if flag else 1", {"flag": False}, 1),
        ("2 + (4 if n > 1 else 0)", {"n": 2}, 6),
        ("'a' if flag else 'b'", {"flag": False}, "b"),
        ("1 if n == 1 else 2 if n == 2 else 3", {"n": 2}, 2),  # chains to the right
        ("n if n > 0 or flag else 0 - n", {"n": -4, "flag": False}, 4),
        ("flag if n > 0 else not flag", {"n": 0, "flag": False}, True),
    ],
)
def test_conditional_expressions(
    source: str, variables: dict[str, object], expected: object
) -> None:
    compiled = compile_expression(source, SCOPE)
    assert compiled.evaluate(variables, {}) == expected  # type: ignore[arg-type]


def test_only_the_branch_chosen_is_worked_out() -> None:
    both = compile_expression("1 if flag else n", SCOPE)
    assert both.evaluate({"flag": True}, {}) == 1  # 'n' is not even looked up
    assert both.reads == frozenset({"flag", "n"})  # but the checker knows it may be


def test_a_conditional_of_texts_knows_its_values() -> None:
    compiled = compile_expression("side if flag else 'a'", SCOPE)
    assert compiled.values == frozenset({"a", "b"})


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("1 if flag", "needs 'else ...' after it"),
        ("1 if n else 2", "the condition after 'if' must be true or false"),
        ("1 if flag else 'a'", "must be of one type"),
    ],
)
def test_conditional_mistakes(source: str, fragment: str) -> None:
    with pytest.raises(ExprError) as caught:
        compile_expression(source, SCOPE)
    assert fragment in caught.value.message


# -- weights that follow a flag --


def test_a_true_or_false_weight_counts_as_one_or_zero(story: Story) -> None:
    engine = Engine(story)
    for seed in range(30):
        at_once = engine.choose(engine.start(seed), "go")
        assert at_once.ending == "broken"  # not promised: "promised" weighs 0
        after = engine.choose(engine.choose(engine.start(seed), "wait"), "go")
        assert after.ending == "kept"  # promised: the other weighs "0 if promised else 1"


def test_a_text_weight_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "story.toml"
    path.write_text(STORY.replace('weight = "promised"', "weight = 'ruler'"), encoding="utf-8")
    with pytest.raises(StoryError) as caught:
        load_story(path)
    assert "expected a number or a condition, but this is text" in str(caught.value)


# -- titles and viewpoints that change --


def test_title_and_viewpoint_follow_the_state(story: Story) -> None:
    engine = Engine(story)
    state = engine.start(1)
    assert (engine.title(state), engine.viewpoint(state)) == ("The Hall", "Stalin's secretary")
    state = engine.choose(state, "wait")
    assert engine.title(state) == "The Old Man's Hall"
    assert engine.viewpoint(state) == "Trotsky's secretary"
    # tools without a state (map, graph, report) see the title at the story's start
    assert story.nodes["hall"].title == "The Hall"


def test_a_title_that_shows_too_long_is_refused_at_its_line(tmp_path: Path) -> None:
    path = tmp_path / "story.toml"
    long = "x" * 90
    path.write_text(
        STORY.replace("{else}The Hall{end}", "{else}" + long + "{end}"), encoding="utf-8"
    )
    with pytest.raises(StoryError) as caught:
        load_story(path)
    problem = caught.value.problems[0]
    assert problem.code == "E003"
    assert "shows as 90 characters" in problem.message
    lines = STORY.splitlines()
    assert problem.line == 1 + lines.index(next(x for x in lines if x.startswith('title = "{if')))


def test_a_plain_title_is_still_limited_to_80_characters(tmp_path: Path) -> None:
    path = tmp_path / "story.toml"
    heading = next(line for line in STORY.splitlines() if line.startswith('title = "{if'))
    path.write_text(STORY.replace(heading, f'title = "{"h" * 81}"'), encoding="utf-8")
    with pytest.raises(StoryError) as caught:
        load_story(path)
    assert "'title' is longer than 80 characters" in str(caught.value)


# -- quotations --


def test_quotations_are_shown_when_their_condition_holds(story: Story) -> None:
    engine = Engine(story)
    state = engine.start(0)
    assert [q.speaker for q in engine.quotes(state)] == ["Vyacheslav Molotov"]
    state = engine.choose(state, "wait")
    assert [q.speaker for q in engine.quotes(state)] == ["Vyacheslav Molotov", "Nobody"]
    ending = engine.choose(state, "go")
    assert [q.text for q in engine.quotes(ending)] == ["Victory will be ours."]


def test_plain_mode_sets_quotations_apart_with_their_source(
    story_file: Path, tmp_path: Path
) -> None:
    out = io.StringIO()
    code = main(
        ["play", str(story_file), "--plain", "--seed", "1", "--saves", str(tmp_path / "saves")],
        stdin=io.StringIO("1\n2\n"),
        stdout=out,
    )
    shown = out.getvalue()
    assert code == 0
    assert "    “Our cause is just." in shown
    assert "      (Vyacheslav Molotov, radio address, 22 June 1941)" in shown
    assert "== The Old Man's Hall ==" in shown and "You are Trotsky's secretary." in shown
    assert "You come back." in shown  # the second visit's alternative
    assert shown.index("“Victory will be ours.”") > shown.index("THE END: Kept")


def test_transcripts_and_the_report_carry_quotations_escaped(
    story_file: Path, story: Story, tmp_path: Path
) -> None:
    saves = tmp_path / "saves"
    main(
        ["play", str(story_file), "--plain", "--seed", "1", "--saves", str(saves)],
        stdin=io.StringIO("1\n2\n"),
        stdout=io.StringIO(),
    )
    save = read_save(next(saves.glob("auto-*.toml")))
    transcript = build_transcript(story, save)
    assert transcript.decisions[1].scene == "The Old Man's Hall"  # as the player saw it
    markdown = transcript_markdown(transcript)
    assert "> “Our cause is just. [b]Not bold[/b] \\<i>nor HTML\\</i>”" in markdown
    assert "> — Vyacheslav Molotov, radio address, 22 June 1941" in markdown
    page = transcript_html(transcript)
    assert '<blockquote class="record"><p>“Our cause is just. [b]Not bold[/b] &lt;i&gt;' in page
    assert "<i>nor HTML</i>" not in page
    report = build_report([saves], lambda story_id: {story.id: story}[story_id])
    assert "“Our cause is just." in render_text(report)
    assert "> — Vyacheslav Molotov" in render_markdown(report)
    assert "&lt;i&gt;nor HTML" in render_html(report)


async def test_the_play_screen_shows_quotations_as_written_never_as_markup(
    story_file: Path, tmp_path: Path
) -> None:
    app = DivergenceApp(
        Catalog([story_file.parent], include_bundled=False),
        SaveFolder(tmp_path / "saves"),
        player="Tester",
        story="features",
        seed=1,
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PlayScreen)
        quotes = screen.query_one(Quotations)
        assert quotes.display and len(quotes.quotes) == 1
        text = str(quotes.query(".quote").first().render())
        assert "[b]Not bold[/b] <i>nor HTML</i>" in text
        assert "— Vyacheslav Molotov, radio address, 22 June 1941" in text
        await pilot.press("1")
        await pilot.pause()
        assert len(screen.query_one(Quotations).quotes) == 2
        assert "The Old Man's Hall" in str(screen.query_one("#scene-title").render())


# -- properties --


@settings(max_examples=200, deadline=None)
@given(
    kind=st.sampled_from(["sequence", "cycle", "shuffle"]),
    alternatives=st.lists(st.text("xyz ", max_size=4), min_size=1, max_size=5),
    visit=st.integers(min_value=0, max_value=10_000),
    seed=st.integers(min_value=0, max_value=2**63),
)
def test_a_variation_always_shows_one_of_its_alternatives(
    kind: str, alternatives: list[str], visit: int, seed: int
) -> None:
    source = "{" + kind + "}" + "{or}".join(alternatives) + "{end}"
    assert visit_text(source, visit, seed) in alternatives
