"""The state machine: options, effects, clamping, routes, chance, replay and undo."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from game.play.engine import (
    Apply,
    ChoiceUnavailable,
    Compiler,
    Engine,
    EngineError,
    OutcomePlan,
    PathBreak,
    Playthrough,
    Step,
    weighted_draw,
)
from game.story.compiled import Node, Outcome, Story, Where
from game.story.draws import chance
from game.story.expr import Effect, Evaluator, Value
from game.story.loader import load_story

STORIES = Path(__file__).parent / "stories"


@pytest.fixture(scope="module")
def story() -> Story:
    return load_story(STORIES / "crossroads.toml")


@pytest.fixture(scope="module")
def engine(story: Story) -> Engine:
    return Engine(story)


def keys(engine: Engine, state) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    return [(option.key, option.available) for option in engine.options(state)]


def test_start_state_has_defaults_and_counts_the_first_visit(engine: Engine) -> None:
    state = engine.start(seed=7)
    assert state.node == "hq"
    assert state.ending is None
    assert state.variables == {
        "supply": 5,
        "nerve": 2,
        "warned": False,
        "stance": "wait",
        "secret": 0,
    }
    assert state.visits == {"hq": 1}
    assert state.path == ()
    assert state.seed == 7


def test_locked_choices_are_shown_with_reason_and_hidden_ones_are_not(engine: Engine) -> None:
    state = engine.start()
    # retreat needs a second visit to hq and has no 'locked' reason: hidden
    assert keys(engine, state) == [("choice1", True), ("choice2", True), ("attack", True)]
    warned = engine.choose(engine.choose(state, "choice1"), "choice2")
    # supply 10 after trains; now drain it through the front to lock the attack
    low = engine.start()
    low = engine.choose(low, "attack")  # front: supply 4
    low = engine.choose(low, "dig_in")  # supply 0 -> automatic ending
    assert low.ending == "starved"
    assert warned.variables["warned"] is True


def test_locked_option_carries_its_reason(story: Story) -> None:
    engine = Engine(story)
    state = engine.start()
    state = engine.choose(state, "choice2")  # heed: warned, nerve clamps at 0
    # force supply low by replaying a state with supply 2
    low = state._replace(variables={**state.variables, "supply": 2})
    options = {option.key: option for option in engine.options(low)}
    assert options["attack"].available is False
    assert options["attack"].reason == "Not enough supply."
    with pytest.raises(ChoiceUnavailable, match="Not enough supply"):
        engine.choose(low, "attack")


def test_effects_clamp_to_bounds(engine: Engine) -> None:
    state = engine.choose(engine.start(), "choice1")  # supply += 20
    assert state.variables["supply"] == 10
    state = engine.choose(state, "choice2")  # nerve -= 5
    assert state.variables["nerve"] == 0
    assert state.variables["warned"] is True


def test_once_only_choice_disappears_after_use(engine: Engine) -> None:
    state = engine.choose(engine.start(), "choice1")
    assert "choice1" not in [key for key, _ in keys(engine, state)]
    with pytest.raises(ChoiceUnavailable, match="only be taken once"):
        engine.choose(state, "choice1")


def test_visit_counts_open_a_hidden_choice(engine: Engine) -> None:
    state = engine.choose(engine.start(), "choice1")
    assert state.visits["hq"] == 2
    assert ("retreat", True) in keys(engine, state)


def test_route_branches_without_asking_and_chance_reaches_an_ending(engine: Engine) -> None:
    state = engine.choose(engine.choose(engine.start(3), "choice1"), "retreat")
    assert state.over
    assert state.ending in ("victory", "defeat")
    assert state.visits["front"] == 1 and state.visits["rear"] == 1
    assert state.draws == 1
    assert state.path == (Step("hq", "choice1"), Step("hq", "retreat"))


def test_automatic_ending_fires_when_its_condition_holds(engine: Engine) -> None:
    state = engine.choose(engine.start(), "attack")
    assert state.variables["supply"] == 4  # the front's entry effect took one
    state = engine.choose(state, "dig_in")
    assert state.ending == "starved"
    assert engine.options(state) == []


def test_chance_is_reproducible_with_a_seed(engine: Engine) -> None:
    def ending(seed: int) -> str | None:
        state = engine.choose(engine.choose(engine.start(seed), "attack"), "push")
        return state.ending

    assert [ending(seed) for seed in range(50)] == [ending(seed) for seed in range(50)]
    assert {ending(seed) for seed in range(50)} == {"victory", "defeat"}


def test_chance_follows_the_weights(engine: Engine) -> None:
    # supply 4 at the front: victory weight 4 against defeat weight 3
    wins = sum(
        engine.choose(engine.choose(engine.start(seed), "attack"), "push").ending == "victory"
        for seed in range(4000)
    )
    assert 0.53 < wins / 4000 < 0.62


def test_outcome_effects_apply(engine: Engine) -> None:
    for seed in range(100):
        state = engine.choose(engine.choose(engine.start(seed), "attack"), "push")
        if state.ending == "defeat":
            assert state.variables["nerve"] == 0
            return
    pytest.fail("no defeat in 100 seeds")


def test_chance_values_are_uniform_floats() -> None:
    values = [chance(12345, draw) for draw in range(10000)]
    assert all(0.0 <= value < 1.0 for value in values)
    assert 0.45 < sum(values) / len(values) < 0.55
    assert chance(1, 0) != chance(2, 0)
    assert chance(1, 0) != chance(1, 1)


def play_randomly(engine: Engine, seed: int, picks: list[int]) -> Playthrough:
    run = Playthrough.begin(engine, seed)
    for pick in picks:
        choices = engine.available(run.state)
        if not choices:
            break
        run.choose(choices[pick % len(choices)].key)
    return run


@settings(max_examples=200, deadline=None)
@given(seed=st.integers(0, 2**63 - 1), picks=st.lists(st.integers(0, 10), max_size=12))
def test_replay_equals_the_original_run(engine: Engine, seed: int, picks: list[int]) -> None:
    run = play_randomly(engine, seed, picks)
    replayed = engine.replay(seed, run.state.path)
    assert replayed == run.states


def test_undo_goes_back_one_decision_at_a_time_to_the_start(engine: Engine) -> None:
    run = play_randomly(engine, 11, [0, 1, 0, 0, 0])
    history = list(run.states)
    assert len(history) >= 3
    for expected in reversed(history[:-1]):
        assert run.undo() is True
        assert run.state == expected
    assert run.undo() is False
    assert run.state == engine.start(11)


def test_replay_reports_where_a_path_breaks(engine: Engine) -> None:
    path = [Step("hq", "attack"), Step("front", "no_such_choice")]
    with pytest.raises(PathBreak) as broken:
        engine.replay(0, path)
    assert broken.value.index == 1
    assert "no choice 'no_such_choice'" in broken.value.reason
    assert [state.node for state in broken.value.states] == ["hq", "front"]

    with pytest.raises(PathBreak) as wrong_node:
        engine.replay(0, [Step("front", "push")])
    assert wrong_node.value.index == 0
    assert "'hq'" in wrong_node.value.reason


def test_changes_list_visible_variables_only(engine: Engine) -> None:
    before = engine.start()
    after = engine.choose(before, "choice1")  # supply and the invisible secret change
    changes = engine.changes(before, after)
    assert [(c.variable, c.before, c.after) for c in changes] == [("supply", 5, 10)]


def test_text_is_rendered_with_state(engine: Engine) -> None:
    state = engine.start()
    assert engine.text(state) == "Supply stands at 5."
    warned = engine.choose(state, "choice2")
    assert engine.text(warned) == "Supply stands at 5. You were warned."
    front = engine.choose(engine.start(), "attack")
    assert engine.text(front) == "Visits to headquarters: 1."


def test_states_are_not_shared_between_steps(engine: Engine) -> None:
    start = engine.start()
    engine.choose(start, "choice1")
    assert start.variables["supply"] == 5
    assert start.visits == {"hq": 1}


def write(tmp_path: Path, body: str) -> Story:
    path = tmp_path / "s.toml"
    path.write_text(
        '[story]\nid = "s"\ntitle = "S"\nsummary = "s"\nstart = "a"\nera = "1941"\n' + body
    )
    return load_story(path)


def test_routes_that_loop_forever_raise_an_engine_error(tmp_path: Path) -> None:
    story = write(
        tmp_path,
        """
[[node]]
id = "a"
title = "A"
text = "a"
[[node.route]]
goto = "b"

[[node]]
id = "b"
title = "B"
text = "b"
[[node.route]]
goto = "a"
""",
    )
    with pytest.raises(EngineError, match="routes loop"):
        Engine(story).start()


def test_outcomes_with_no_odds_take_the_first(tmp_path: Path) -> None:
    story = write(
        tmp_path,
        """
[variable.x]
default = 0
label = "X"

[[node]]
id = "a"
title = "A"
text = "a"
[[node.outcome]]
weight = "x"
goto = "first"
[[node.outcome]]
weight = "x - 5"
goto = "second"

[[ending]]
id = "first"
title = "First"
tone = "grim"
epilogue = "1"

[[ending]]
id = "second"
title = "Second"
tone = "grim"
epilogue = "2"
""",
    )
    engine = Engine(story)
    assert {engine.start(seed).ending for seed in range(20)} == {"first"}


def test_random_play_of_the_test_story_reaches_every_ending(engine: Engine) -> None:
    rng = random.Random(5)
    endings = set()
    for seed in range(300):
        run = play_randomly(engine, seed, [rng.randrange(10) for _ in range(20)])
        if run.state.ending:
            endings.add(run.state.ending)
    assert endings == {"victory", "defeat", "starved"}


def test_chose_remembers_which_choice_was_taken(tmp_path: Path) -> None:
    story = write(
        tmp_path,
        """
[[node]]
id = "a"
title = "A"
text = "a"
[[node.choice]]
id = "left"
label = "Left"
goto = "b"
[[node.choice]]
id = "right"
label = "Right"
goto = "b"

[[node]]
id = "b"
title = "B"
text = "{if chose(a, left)}You went left.{else}You went right.{end}"
[[node.choice]]
label = "Only for those who went left"
goto = "end"
if = "chose(a, left)"
locked = "You went right."
[[node.choice]]
label = "On"
goto = "end"

[[ending]]
id = "end"
title = "End"
tone = "grim"
epilogue = "e"
""",
    )
    engine = Engine(story)
    left = engine.choose(engine.start(), "left")
    right = engine.choose(engine.start(), "right")
    assert engine.text(left) == "You went left."
    assert engine.text(right) == "You went right."
    assert [o.available for o in engine.options(left)] == [True, True]
    assert [o.available for o in engine.options(right)] == [False, True]
    assert engine.replay(0, right.path)[-1] == right


def test_chose_names_are_checked_at_load_time(tmp_path: Path) -> None:
    from game.story.problems import StoryError

    body = """
[[node]]
id = "a"
title = "A"
text = "{if chose(a, lefft)}x{end}"
[[node.choice]]
id = "left"
label = "Left"
goto = "a"
"""
    with pytest.raises(StoryError, match="node 'a' has no choice 'lefft'; did you mean 'left'"):
        write(tmp_path, body)


def test_a_draw_strategy_picks_the_chance_outcome(story: Story) -> None:
    def last(
        outcomes: Sequence[OutcomePlan],
        variables: Mapping[str, Value],
        visits: Mapping[str, int],
        seed: int,
        draws: int,
    ) -> OutcomePlan:
        return outcomes[-1]

    engine = Engine(story, draw=last)
    state = engine.choose(engine.choose(engine.start(), "attack"), "push")
    assert state.ending == "defeat"  # the last outcome, whatever the seed
    assert state.draws == 1
    played = Engine(story, draw=weighted_draw)
    assert [played.choose(played.choose(played.start(s), "attack"), "push") for s in range(20)] == [
        Engine(story).choose(Engine(story).choose(Engine(story).start(s), "attack"), "push")
        for s in range(20)
    ]


def test_a_compiler_sees_every_effect_route_and_outcome_once(story: Story) -> None:
    class Counting(Compiler):
        def __init__(self) -> None:
            self.effects_at: list[Where] = []
            self.routes: list[tuple[str, int]] = []
            self.outcomes: list[str] = []
            self.applied = 0

        def effects(self, story: Story, effects: Sequence[Effect], where: Where) -> Apply | None:
            self.effects_at.append(where)
            inner = super().effects(story, effects, where)
            if inner is None:
                return None

            def counted(variables: dict[str, Value], visits: Mapping[str, int]) -> None:
                self.applied += 1
                inner(variables, visits)

            return counted

        def route(self, node: Node, index: int, condition: Evaluator | None) -> Evaluator | None:
            self.routes.append((node.id, index))
            return condition

        def outcome(self, outcome: Outcome, plan: OutcomePlan) -> OutcomePlan:
            self.outcomes.append(outcome.target)
            return plan

    compiler = Counting()
    engine = Engine(story, compiler=compiler)
    routes = [(n.id, i) for n in story.nodes.values() for i in range(len(n.routes))]
    assert compiler.routes == routes
    assert sorted(compiler.outcomes) == sorted(
        o.target
        for n in story.nodes.values()
        for o in [*n.outcomes, *(o for c in n.choices for o in c.outcomes)]
    )
    built = len(compiler.effects_at)
    state = engine.choose(engine.start(), "attack")
    assert state == Engine(story).choose(Engine(story).start(), "attack")
    assert compiler.applied > 0  # the functions it returned are the ones the engine runs
    assert len(compiler.effects_at) == built  # asked only while the engine was built
