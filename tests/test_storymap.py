"""The story map's model (game.play.storymap): statuses, references, spoilers, shares and counts.

Runs are played with the real engine on tests/stories/crossroads.toml, whose start,
Headquarters (hq), loops back to itself twice and leads to The front, which routes to
The rear, forks by chance to Victory or Defeat, or loops on itself; the ending Starved
can happen anywhere (an automatic ending).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from game.play.engine import Engine, GameState
from game.play.storymap import HIDDEN, HIDDEN_ENDING, MapNode, build_map, progress
from game.story.compiled import Story
from game.story.loader import load_story

CROSSROADS = Path(__file__).parent / "stories" / "crossroads.toml"
WriteStory = Callable[..., Path]  # the conftest fixture `write_story`

LOOP = """\
[story]
id = "loop"
title = "The Loop"
summary = "Round and round."
start = "a"
era = "1941"

[[node]]
id = "a"
title = "Alpha"
text = "A."

[[node.choice]]
label = "To Beta"
goto = "b"

[[node.choice]]
label = "Stay"
goto = "a"

[[node]]
id = "b"
title = "Beta"
text = "B."

[[node.choice]]
label = "Back to Alpha"
goto = "a"

[[node.choice]]
label = "On to Gamma"
goto = "c"

[[node]]
id = "c"
title = "Gamma [b]bold[/b]"
text = "C."

[[node.route]]
if = "visits(a) > 2"
goto = "out"

[[node.route]]
goto = "b"

[[ending]]
id = "out"
title = "Out"
tone = "hopeful"
epilogue = "Out at last."
"""


@pytest.fixture(scope="module")
def crossroads() -> Story:
    return load_story(CROSSROADS)


@pytest.fixture
def loop(tmp_path: Path, write_story: WriteStory) -> Story:
    return load_story(write_story(tmp_path, LOOP))


def lines(root: MapNode) -> list[str]:
    return [line.text() for line in root.walk()]


def drawn(root: MapNode, place: str) -> MapNode:
    line = root.find(place)
    assert line is not None, f"{place} is not drawn in full on the map"
    return line


def mapped(
    story: Story, state: GameState, found: set[str] | None = None, reveal_all: bool = False
) -> MapNode:
    """The map as the screen builds it, with the choices the current node offers."""
    offered = [option.key for option in Engine(story).options(state)]
    return build_map(story, state.visits, state.place, found or set(), reveal_all, offered=offered)


def play(story: Story, *keys: str, seed: int = 1) -> GameState:
    engine = Engine(story)
    state = engine.start(seed)
    for key in keys:
        state = engine.choose(state, key)
    return state


# -- statuses --


def test_at_the_start_only_the_start_is_current_and_its_exits_are_known(
    crossroads: Story,
) -> None:
    root = mapped(crossroads, play(crossroads))
    assert root.kind == "story" and root.title == "Crossroads"
    start = root.children[0]
    assert (start.place, start.status, start.via) == ("hq", "current", None)
    assert start.text() == "▶ Headquarters"
    front = drawn(root, "front")
    assert front.status == "known"  # the player saw the way to it open
    assert front.text() == "Attack → · The front"
    assert front.children == []  # not visited: what lies beyond is not shown
    # the two loops back to headquarters are references, not a second copy
    loops = [line for line in start.children if line.place == "hq"]
    assert [line.text() for line in loops] == [
        "Send trains (once) → ↪ see Headquarters",
        "Heed the warning → ↪ see Headquarters",
    ]
    assert all(line.reference and not line.children for line in loops)


def test_visited_current_known_and_taken_choices_after_two_decisions(crossroads: Story) -> None:
    state = play(crossroads, "choice2", "attack")  # heed the warning (loops), then attack
    root = mapped(crossroads, state)
    start = drawn(root, "hq")
    assert start.status == "visited" and start.text() == "✓ Headquarters"
    front = drawn(root, "front")
    assert front.status == "current"
    assert front.text() == "Attack ⇒ ▶ The front"  # ⇒: the way this run went
    assert front.via is not None and front.via.taken
    heed = next(line for line in start.children if line.via and "warning" in line.via.label)
    assert heed.via is not None and heed.via.taken and heed.text().startswith("Heed the warning ⇒")
    send = start.children[0]
    assert send.via is not None and not send.via.taken
    # the front's exits: the route to the rear (known), the chance fork, the loop
    assert [line.text() for line in front.children] == [
        "if … → · The rear",
        "Push on → chance decides",
        "Dig in → ↪ see The front",
    ]
    fork = front.children[1]
    assert fork.kind == "fork"
    assert [line.text() for line in fork.children] == [
        f"by chance → · {HIDDEN_ENDING}",
        f"by chance → · {HIDDEN_ENDING}",
    ]
    assert [line.status for line in fork.children] == ["known", "known"]
    assert progress(crossroads, state.visits, state.place, set()).text() == (
        "Places visited 2 of 3 · endings found 0 of 3"
    )


def test_an_ending_reached_is_current_and_found(crossroads: Story) -> None:
    state = play(crossroads, "attack", "push", seed=1)
    assert state.ending is not None
    root = mapped(crossroads, state, {state.ending})
    ending = drawn(root, state.ending)
    assert ending.kind == "ending" and ending.found and ending.status == "current"
    title = crossroads.endings[state.ending].title
    assert ending.text() == f"by chance → ▶ ★ {title}"
    assert drawn(root, "front").status == "visited"
    counts = progress(crossroads, state.visits, state.place, set())
    assert (counts.found, counts.endings) == (1, 3)


def test_endings_found_in_earlier_runs_are_named_with_a_star(crossroads: Story) -> None:
    root = mapped(crossroads, play(crossroads, "attack"), {"defeat", "starved"})
    defeat = next(line for line in root.walk() if line.place == "defeat")
    assert defeat.text() == "by chance → ★ Defeat"
    assert root.children[-1].text() == "at any point → ★ Starved"  # the automatic ending
    victory = next(line for line in root.walk() if line.place == "victory")
    assert victory.hidden and victory.title == HIDDEN_ENDING
    counts = progress(crossroads, play(crossroads).visits, "hq", {"defeat", "starved", "gone"})
    assert (counts.found, counts.endings) == (2, 3)  # an ending no longer in the story: not counted


# -- spoilers --


def test_a_players_map_hides_unknown_places_conditions_and_odds(crossroads: Story) -> None:
    text = "\n".join(lines(mapped(crossroads, play(crossroads))))
    for secret in ("The rear", "Victory", "Defeat", "Starved", "supply", "warned", "%"):
        assert secret not in text
    # the rear is unknown until the front is visited: "???" and nothing under it
    root = mapped(crossroads, play(crossroads, "attack"))
    rear = drawn(root, "front").children[0]
    assert (rear.title, rear.status, rear.children) == ("The rear", "known", [])
    fresh = build_map(crossroads, {"hq": 1}, "hq", set(), False)
    assert all(line.place != "rear" for line in fresh.walk())  # beyond a place not yet seen


def test_a_player_sees_past_a_place_only_once_it_is_visited(loop: Story) -> None:
    root = build_map(loop, {"a": 1}, "a", set(), reveal_all=False)
    beta = drawn(root, "b")
    assert beta.text() == "To Beta → · Beta"
    assert beta.children == []
    # visit Beta: Gamma becomes known, its way out still unknown
    root = build_map(loop, {"a": 1, "b": 1, "a/choice1": 1}, "b", set(), reveal_all=False)
    gamma = drawn(root, "c")
    assert gamma.status == "known" and gamma.children == []
    # visit Gamma: its routes show, to an ending not found
    visits = {"a": 1, "b": 2, "c": 1, "a/choice1": 1, "b/choice2": 1}
    root = build_map(loop, visits, "b", set(), reveal_all=False)
    gamma = drawn(root, "c")
    assert [line.text() for line in gamma.children] == [
        f"if … → · {HIDDEN_ENDING}",
        "otherwise → ↪ see Beta",
    ]
    assert HIDDEN not in "\n".join(lines(root)).replace(HIDDEN_ENDING, "")


def test_a_place_nobody_saw_open_is_question_marks(story: Story) -> None:
    # the shared test story: opening -> hold -> victory/defeat, or -> retreat
    root = build_map(story, {"opening": 1}, "opening", set(), reveal_all=False)
    hold = drawn(root, "hold")
    assert hold.status == "known"
    # from a state that never visited opening, hold is unknown: a question mark
    root = build_map(story, {}, None, set(), reveal_all=False)
    start = root.children[0]
    assert (start.title, start.status, start.hidden, start.children) == (
        HIDDEN,
        "unknown",
        True,
        [],
    )


def test_a_writers_map_shows_everything_with_conditions_and_odds(crossroads: Story) -> None:
    root = mapped(crossroads, play(crossroads), reveal_all=True)
    assert lines(root) == [
        "Crossroads",
        "▶ Headquarters",
        "Send trains (once) → ↪ see Headquarters",
        "Heed the warning (if not warned) → ↪ see Headquarters",
        "Attack (if supply >= 3) → · The front",
        "if stance == 'retreat' → The rear",
        "by chance (50%) → Victory",
        "by chance (50%) → Defeat",
        "Push on → chance decides",
        "by chance (weight supply) → Victory",
        "by chance (weight 3) → Defeat",
        "Dig in → ↪ see The front",
        "Retreat (if visits(hq) >= 2) → ↪ see The front",
        "at any point (if supply == 0) → Starved",
    ]


# -- loops and references --


def test_loops_end_in_references_so_the_tree_is_finite(loop: Story) -> None:
    root = build_map(loop, {}, None, set(), reveal_all=True)
    assert lines(root) == [
        "The Loop",
        "Alpha",
        "To Beta → Beta",
        "Back to Alpha → ↪ see Alpha",
        "On to Gamma → Gamma [b]bold[/b]",  # story text is kept as written
        "if visits(a) > 2 → Out",
        "otherwise → ↪ see Beta",
        "Stay → ↪ see Alpha",
    ]
    full = [line.place for line in root.walk() if line.kind == "node" and not line.reference]
    assert sorted(full) == ["a", "b", "c"]  # each place drawn in full exactly once
    assert all(not line.children for line in root.walk() if line.reference)


def test_a_long_chain_is_walked_without_recursion(tmp_path: Path, write_story: WriteStory) -> None:
    count = 1500  # deeper than Python's recursion limit
    nodes = "".join(
        f'[[node]]\nid = "n{i}"\ntitle = "N{i}"\ntext = "."\n'
        f'[[node.choice]]\nlabel = "on"\ngoto = "{f"n{i + 1}" if i + 1 < count else "end"}"\n'
        for i in range(count)
    )
    text = (
        '[story]\nid = "chain"\ntitle = "Chain"\nsummary = "Long."\nstart = "n0"\nera = "1941"\n\n'
        + nodes
        + '[[ending]]\nid = "end"\ntitle = "End"\ntone = "grim"\nepilogue = "."\n'
    )
    story = load_story(write_story(tmp_path, text))
    root = build_map(story, {}, None, set(), reveal_all=True)
    assert sum(1 for _ in root.walk()) == count + 2
    assert root.find("end") is not None


# -- a class's choices --


def test_shares_of_a_class_are_shown_on_choices(crossroads: Story) -> None:
    state = play(crossroads, "attack")
    shares = {("hq", "attack"): 0.625, ("hq", "retreat"): 0.0, ("front", "push"): 1.0}
    root = build_map(crossroads, state.visits, state.place, set(), False, shares)
    texts = lines(root)
    assert "Attack (63%) ⇒ ▶ The front" not in texts  # the share is named for what it is
    assert "Attack (63% chose this) ⇒ ▶ The front" in texts
    assert "Retreat (0% chose this)" not in "\n".join(texts)  # hidden from this player
    assert "Push on (100% chose this) → chance decides" in texts
    assert "Send trains (once) → ↪ see Headquarters" in texts  # no share given: none shown
    assert drawn(root, "front").via is not None
    assert build_map(crossroads, state.visits, state.place, set(), False).find("front") is not None


def test_a_place_two_choices_lead_to_is_drawn_under_the_one_taken(crossroads: Story) -> None:
    state = play(crossroads, "choice2", "retreat")  # the second way to the front
    start = drawn(mapped(crossroads, state), "hq")
    attack, retreat = (line for line in start.children if line.place == "front")
    assert attack.text() == "Attack → ↪ see The front"
    assert attack.reference and not attack.children
    assert retreat.text() == "Retreat ⇒ ✓ The front"
    assert not retreat.reference and retreat.children


def test_choices_a_condition_may_have_hidden_are_left_off_a_players_map(
    crossroads: Story,
) -> None:
    # Retreat is hidden (no locked text) until headquarters has been visited twice
    def choices(root: MapNode) -> list[str]:
        return [line.via.label for line in drawn(root, "hq").children if line.via]

    start = play(crossroads)
    assert "Retreat" not in choices(mapped(crossroads, start))
    assert "Retreat" in choices(mapped(crossroads, start, reveal_all=True))
    again = play(crossroads, "choice2")  # back at headquarters: now it is offered
    assert "Retreat" in choices(mapped(crossroads, again))
    # Heed the warning is hidden now (warned), but this run took it: it stays
    assert "Heed the warning ⇒ ↪ see Headquarters" in lines(mapped(crossroads, again))
