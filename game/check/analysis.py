"""Deep checks of a loaded story: what `divergence check` finds beyond the loader's errors.

The loader proves a story is well formed. This module proves things about how it
plays, by exploring every state a player can reach from the start, with the same
engine the game uses:

- every way each chance outcome can fall is followed, not one seeded draw;
- two states that differ only in what the rules can never look at (a number shown
  only in the prose, the count of visits nobody tests) are one state, so a story's
  state space stays small enough to walk;
- the walk is breadth first, so the first time an ending turns up is along a
  shortest sequence of decisions (`--paths` prints it);
- it stops at a bound (`--max-states`). Then what holds for every state (a node
  never reached, a condition that never holds) is not claimed; what was seen in a
  state (a dead end, a loop, a value pushed past its bounds) is still reported.

Findings are `Problem`s with stable codes, declared once in game/check/rules.py
(`RULES`, and `CODES` from it) and listed in docs/writing.md.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from operator import itemgetter
from typing import Any

from game.check.rules import CODES as CODES  # re-exported: the codes used to live here
from game.play.engine import (
    UNBOUNDED,
    Apply,
    Compiler,
    Engine,
    EngineError,
    GameState,
    OutcomePlan,
    compile_effect,
)
from game.story.compiled import Choice, Node, Outcome, Story, Where
from game.story.expr import Compiled, Effect, Evaluator, ExprError, Value, tokenize
from game.story.problems import Problem

DEFAULT_MAX_STATES = 50_000
MAX_LABEL = 70  # characters; longer choice labels wrap badly at 80 columns


@dataclass(frozen=True)
class PathStep:
    """One decision on a path found by the check, and where chance took it."""

    node: str
    choice: str
    label: str
    chance: tuple[str, ...] = ()  # the places chance outcomes went to on the way


@dataclass
class Analysis:
    """Everything `check` learned about one story."""

    story: Story
    problems: list[Problem]
    states: int
    complete: bool
    paths: dict[str, list[PathStep]] = field(default_factory=dict)  # ending id -> decisions

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


Key = tuple[Any, ...]


@dataclass
class _Seen:
    """How often something was tried in the walk, and how often it held."""

    tried: int = 0
    held: int = 0


class _Explorer(Compiler):
    """The game's engine, made to follow every chance outcome and to keep notes.

    It is the engine the game plays with, given two things of its own through the
    engine's extension points: how a chance outcome is drawn (here, from a script, so
    each possibility can be taken in turn) and how conditions and effects are compiled
    (here, wrapped to count what they do).
    """

    def __init__(self, story: Story) -> None:
        self.story = story
        self.routes: dict[tuple[str, int], _Seen] = {}
        self.outcome_seen: dict[int, _Seen] = {}
        self.outcome_where: dict[int, Where] = {}
        self.overflows: dict[tuple[Where, str], str] = {}
        self.script: list[int] = []
        self.taken: list[int] = []
        self.sizes: list[int] = []
        self.drawn: list[str] = []
        self.engine = Engine(story, draw=self.draw, compiler=self)

    @staticmethod
    def _watch(condition: Evaluator | None, seen: _Seen) -> Evaluator:
        if condition is None:

            def always(variables: Mapping[str, Value], visits: Mapping[str, int]) -> bool:
                seen.tried += 1
                seen.held += 1
                return True

            return always

        def watched(variables: Mapping[str, Value], visits: Mapping[str, int]) -> Value:
            result = condition(variables, visits)
            seen.tried += 1
            if result:
                seen.held += 1
            return result

        return watched

    def route(self, node: Node, index: int, condition: Evaluator | None) -> Evaluator:
        return self._watch(condition, self.routes.setdefault((node.id, index), _Seen()))

    def outcome(self, outcome: Outcome, plan: OutcomePlan) -> OutcomePlan:
        self.outcome_where[id(plan)] = outcome.where
        self.outcome_seen[id(plan)] = _Seen()
        return plan

    def effects(self, story: Story, effects: Sequence[Effect], where: Where) -> Apply | None:
        if not effects:
            return None
        steps = [
            (self._bounds_check(effect, where), compile_effect(effect, story)) for effect in effects
        ]

        def apply(variables: dict[str, Value], visits: Mapping[str, int]) -> None:
            for check, step in steps:
                if check is not None:
                    check(variables, visits)
                step(variables, visits)

        return apply

    def _bounds_check(self, effect: Effect, where: Where) -> Apply | None:
        variable = self.story.variables[effect.target]
        if variable.type != "int" or variable.expects_clamping:
            return None
        if variable.minimum is None and variable.maximum is None:
            return None
        low = variable.minimum if variable.minimum is not None else -UNBOUNDED
        high = variable.maximum if variable.maximum is not None else UNBOUNDED
        sign = {"=": 0, "+=": 1, "-=": -1}[effect.op]
        evaluate = effect.value.evaluate
        key = (where, effect.source)
        target = effect.target

        def check(variables: dict[str, Value], visits: Mapping[str, int]) -> None:
            value = int(evaluate(variables, visits))
            if sign:
                value = int(variables[target]) + sign * value
            if (value < low or value > high) and key not in self.overflows:
                side = f"below its min {low}" if value < low else f"above its max {high}"
                clamped = low if value < low else high
                self.overflows[key] = (
                    f"'{effect.source}' can take '{target}' to {value}, {side}; "
                    f"it is clamped to {clamped}"
                )

        return check

    def draw(
        self,
        outcomes: Sequence[OutcomePlan],
        variables: Mapping[str, Value],
        visits: Mapping[str, int],
        seed: int,
        draws: int,
    ) -> OutcomePlan:
        weights = [max(0, outcome.weight(variables, visits)) for outcome in outcomes]
        for outcome, weight in zip(outcomes, weights, strict=True):
            seen = self.outcome_seen[id(outcome)]
            seen.tried += 1
            if weight > 0:
                seen.held += 1
        if not any(weights):  # the engine then takes the first, so it is drawn after all
            self.outcome_seen[id(outcomes[0])].held += 1
        candidates = [index for index, weight in enumerate(weights) if weight > 0] or [0]
        depth = len(self.taken)
        pick = self.script[depth] if depth < len(self.script) else 0
        self.taken.append(pick)
        self.sizes.append(len(candidates))
        chosen = outcomes[candidates[pick]]
        self.drawn.append(chosen.target)
        return chosen

    def branches(
        self, act: Callable[[], GameState]
    ) -> Iterator[tuple[GameState | EngineError, tuple[str, ...]]]:
        """Every result of `act` over every way its chance outcomes can fall."""
        script: list[int] = []
        while True:
            self.script, self.taken, self.sizes, self.drawn = script, [], [], []
            result: GameState | EngineError
            try:
                result = act()
            except EngineError as error:
                result = error
            taken, sizes = self.taken, self.sizes
            yield result, tuple(self.drawn)
            index = len(taken) - 1
            while index >= 0 and taken[index] + 1 >= sizes[index]:
                index -= 1
            if index < 0:
                return
            script = [*taken[:index], taken[index] + 1]


def _compiled_parts(story: Story) -> Iterator[Compiled]:
    """Every expression in the story that decides something (not the prose)."""
    for node in story.nodes.values():
        for effect in node.effects:
            yield effect.value
        for choice in node.choices:
            if choice.condition is not None:
                yield choice.condition
            for effect in choice.effects:
                yield effect.value
            for outcome in choice.outcomes:
                yield outcome.weight
                yield from (effect.value for effect in outcome.effects)
        for route in node.routes:
            if route.condition is not None:
                yield route.condition
            yield from (effect.value for effect in route.effects)
        for outcome in node.outcomes:
            yield outcome.weight
            yield from (effect.value for effect in outcome.effects)
    for ending in story.endings.values():
        if ending.condition is not None:
            yield ending.condition


def _all_effects(story: Story) -> Iterator[Effect]:
    for node in story.nodes.values():
        yield from node.effects
        for choice in node.choices:
            yield from choice.effects
            for outcome in choice.outcomes:
                yield from outcome.effects
        for route in node.routes:
            yield from route.effects
        for outcome in node.outcomes:
            yield from outcome.effects


def _successors(node: Node) -> list[str]:
    targets = [target for choice in node.choices for target in choice.targets]
    targets += [route.target for route in node.routes]
    targets += [outcome.target for outcome in node.outcomes]
    return targets


def _node_effects(node: Node) -> list[Effect]:
    effects = list(node.effects)
    for choice in node.choices:
        effects += choice.effects
        for outcome in choice.outcomes:
            effects += outcome.effects
    for route in node.routes:
        effects += route.effects
    for outcome in node.outcomes:
        effects += outcome.effects
    return effects


def _node_tests(node: Node) -> Iterator[Compiled]:
    """The expressions at a node that decide where the story goes."""
    for choice in node.choices:
        if choice.condition is not None:
            yield choice.condition
        yield from (outcome.weight for outcome in choice.outcomes)
    for route in node.routes:
        if route.condition is not None:
            yield route.condition
    yield from (outcome.weight for outcome in node.outcomes)


def _normal(source: str) -> str:
    """An expression as its tokens, so that `a+1` and `a + 1` compare equal."""
    try:
        return " ".join(token.text for token in tokenize(source))
    except ExprError:  # pragma: no cover - the loader compiled it already
        return source.strip()


def _effects_key(effects: Sequence[Effect]) -> tuple[Any, ...] | frozenset[Any]:
    """What a list of effects does, for comparing two of them.

    In order, as written; but effects on distinct variables that read none of the
    variables the list changes give the same result in any order, so those compare as a
    set (`a += 1; b -= 1` is `b -= 1; a += 1`, while `a = 1; b = a` is not `b = a; a = 1`).
    """
    items = tuple((e.target, e.op, _normal(e.value.source)) for e in effects)
    written = {e.target for e in effects}
    if len(written) == len(items) and not any(e.value.reads & written for e in effects):
        return frozenset(items)
    return items


def _destination_key(choice: Choice) -> tuple[Any, ...]:
    """Where a choice leads: its goto, or its chance outcomes with their weights and effects."""
    if choice.target is not None:
        return ("goto", choice.target)
    return (
        "outcomes",
        tuple(
            (_normal(o.weight.source), o.target, _effects_key(o.effects)) for o in choice.outcomes
        ),
    )


def _twin_candidates(story: Story) -> dict[str, list[tuple[str, str]]]:
    """For each node, the pairs of its choices (earlier, later) that lead to the same place
    the same way: the only choices W014 and W015 can be about."""
    found: dict[str, list[tuple[str, str]]] = {}
    for node in story.nodes.values():
        if len(node.choices) < 2:
            continue
        by_targets: dict[tuple[str, ...], list[Choice]] = {}
        for choice in node.choices:
            by_targets.setdefault(choice.targets, []).append(choice)
        pairs = []
        for group in by_targets.values():
            if len(group) < 2:
                continue
            keys = [_destination_key(choice) for choice in group]
            for later in range(1, len(group)):
                for earlier in range(later):
                    if keys[earlier] == keys[later]:
                        pairs.append((group[earlier].key, group[later].key))
        if pairs:
            found[node.id] = pairs
    return found


def _differing(a: Sequence[Effect], b: Sequence[Effect]) -> set[str]:
    """The variables two lists of effects may leave different (more, never fewer)."""
    written = {e.target for e in (*a, *b)}
    for side in (a, b):
        changed = {e.target for e in side}
        if any(e.value.reads & changed for e in side):
            return written  # one effect reads what another sets: the order decides
    steps: dict[str, list[list[tuple[str, str]]]] = {t: [[], []] for t in written}
    for index, side in enumerate((a, b)):
        for e in side:
            steps[e.target][index].append((e.op, _normal(e.value.source)))
    return {target for target, (first, second) in steps.items() if first != second}


@dataclass(frozen=True)
class _Live:
    """What can still matter at a node: the rest of the state is forgotten there."""

    values: Callable[[Mapping[str, Value]], Any] | None  # the live variables' values
    places: tuple[str, ...]  # visit counts (and "node/choice" tags) a later test reads
    once: int  # bit mask over the once-only choices still ahead (see _Liveness.once_bits)


class _Liveness:
    """For every node, the variables, visit counts and once-only choices that anything
    from that node on can test.

    Two states at the same node that agree on these play the same from there on, so the
    walk keeps one of them. This is what makes the state space of a real story small
    enough to walk: a number that decided something in chapter one is forgotten in
    chapter two if nothing there looks at it. A backward fixpoint over the node graph,
    with each node's set as the bits of one integer (thousands of nodes, few passes);
    effects count as reads only where their target is still live.
    """

    def __init__(self, story: Story, prose: bool = False) -> None:
        # prose=True: which variables anything later *reads*, for W015. The texts and
        # epilogues count as reads too, and the W007 bookkeeping below does not; visit
        # counts and once-only choices are left out. The walk never uses this form: a
        # number only the prose shows must not split its states.
        self.names = list(story.variables)
        bits: dict[str, int] = {}

        def bit(item: str) -> int:
            found = bits.get(item)
            if found is None:
                found = bits[item] = 1 << len(bits)
            return found

        def mask(items: Iterable[str], prefix: str) -> int:
            if prose and prefix != "v:":
                return 0  # W015 asks only about variables: small masks, a fast fixpoint
            total = 0
            for item in items:
                total |= bit(prefix + item)
            return total

        for name in self.names:
            bit("v:" + name)
        always = 0
        for ending in story.auto_endings:  # tested on arrival at every node
            if ending.condition is not None:
                always |= mask(ending.condition.reads, "v:") | mask(ending.condition.places, "p:")
            if prose:
                always |= mask(ending.epilogue.reads, "v:")
        # A bounded number the writer has not marked `clamp = true` is kept wherever an
        # effect may still push it, so that W007 sees every value it can take there.
        watched_bounds = (
            set()
            if prose
            else {
                e.target
                for e in _all_effects(story)
                if (v := story.variables[e.target]).type == "int"
                and not v.expects_clamping
                and (v.minimum is not None or v.maximum is not None)
                and not (e.op == "=" and e.value.constant is not None)
            }
        )
        local: dict[str, int] = {}
        effects: dict[str, list[tuple[int, int]]] = {}
        for node in story.nodes.values():
            here = always
            for test in _node_tests(node):
                here |= mask(test.reads, "v:") | mask(test.places, "p:")
            here |= mask((f"{node.id}/{c.key}" for c in node.choices if c.once), "o:")
            here |= mask(
                (e.target for e in _node_effects(node) if e.target in watched_bounds), "v:"
            )
            if prose:
                here |= mask(node.text.reads, "v:")
                for target in _successors(node):
                    if target in story.endings:
                        here |= mask(story.endings[target].epilogue.reads, "v:")
            local[node.id] = here
            effects[node.id] = [
                (bit("v:" + e.target), mask(e.value.reads, "v:") | mask(e.value.places, "p:"))
                for e in _node_effects(node)
                if e.value.reads or e.value.places
            ]
        successors = {
            node.id: [t for t in _successors(node) if t in story.nodes]
            for node in story.nodes.values()
        }
        live = dict(local)
        order = list(reversed(list(story.nodes)))  # stories mostly run forward: fewer passes
        changed = True
        while changed:
            changed = False
            for node_id in order:
                value = before = live[node_id]
                for target in successors[node_id]:
                    value |= live[target]
                for target_bit, reads in effects[node_id]:
                    if value & target_bit:
                        value |= reads
                if value != before:
                    live[node_id] = value
                    changed = True
        self.masks = live
        self.bits = bits
        self.once_bits = {item[2:]: b for item, b in bits.items() if item.startswith("o:")}
        self.variable_bits = [(index, bits["v:" + name]) for index, name in enumerate(self.names)]
        self.place_bits = sorted((item[2:], b) for item, b in bits.items() if item.startswith("p:"))
        self.once_mask = 0
        for b in self.once_bits.values():
            self.once_mask |= b
        self._cache: dict[str, _Live] = {}

    def variables_at(self, node_id: str) -> set[str]:
        """The variables live on arrival at a node."""
        value = self.masks[node_id]
        return {self.names[index] for index, b in self.variable_bits if value & b}

    def __getitem__(self, node_id: str) -> _Live:
        found = self._cache.get(node_id)
        if found is None:
            value = self.masks[node_id]
            names = [self.names[index] for index, b in self.variable_bits if value & b]
            found = self._cache[node_id] = _Live(
                itemgetter(*names) if names else None,
                tuple(place for place, b in self.place_bits if value & b),
                value & self.once_mask,
            )
        return found


def structurally_reachable(story: Story) -> set[str]:
    """Places some chain of gotos leads to from the start, whatever the conditions say,
    plus the automatic endings (which can strike anywhere)."""
    reached = {story.start}
    todo = [story.start]
    while todo:
        node = story.nodes.get(todo.pop())
        if node is None:
            continue
        for target in _successors(node):
            if target not in reached:
                reached.add(target)
                todo.append(target)
    if any(place in story.nodes for place in reached):
        reached.update(ending.id for ending in story.auto_endings)
    return reached


def _describe_path(story: Story, steps: Sequence[PathStep]) -> str:
    if not steps:
        return "right at the start"
    parts = []
    for step in steps[-4:]:
        parts.append(f"'{step.label}' at '{step.node}'")
    more = f"{len(steps) - 4} earlier decisions, then " if len(steps) > 4 else ""
    return "after " + more + ", ".join(parts)


class _Walk:
    """The breadth-first walk over reachable states and what it saw."""

    def __init__(self, story: Story, max_states: int) -> None:
        self.story = story
        self.max_states = max_states
        self.explorer = _Explorer(story)
        self.engine = self.explorer.engine
        self.live = _Liveness(story)
        self.parents: dict[Key, tuple[Key | None, PathStep | None]] = {}
        self.reached: set[str] = set()
        self.decisions: set[str] = set()
        self.choices: dict[tuple[str, str], _Seen] = {}
        self.endings: dict[str, Key] = {}
        self.dead_ends: dict[str, Key] = {}
        self.edges: list[tuple[Key, Key]] = []  # every move between states, for traps
        self.reported: set[Key] = set()  # states already found stuck (dead ends, loops)
        self.loops: dict[tuple[str, str], tuple[Key | None, str]] = {}
        self.complete = True
        # choices leading to the same place (W014, W015), until seen open at once
        self.twins = _twin_candidates(story)
        self.together: set[tuple[str, str, str]] = set()  # (node, earlier, later) seen open

    def key(self, state: GameState) -> Key:
        if state.ending is not None:
            return (state.ending,)
        live = self.live[state.node]
        used = state.used
        return (
            state.node,
            live.values(state.variables) if live.values else (),
            # a place never visited gives None: as good as 0 for telling states apart
            tuple(map(state.visits.get, live.places)),
            frozenset([tag for tag in used if self.live.once_bits[tag] & live.once])
            if used
            else used,
        )

    def run(self) -> None:
        queue: deque[tuple[Key, GameState]] = deque()

        def arrive(
            result: GameState | EngineError,
            parent: Key | None,
            step: tuple[str, str, str] | None,
            drawn: tuple[str, ...],
        ) -> None:
            if isinstance(result, EngineError):
                where = step[:2] if step else ("", "")
                self.loops.setdefault((where[0], where[1]), (parent, str(result)))
                if parent is not None:
                    self.reported.add(parent)
                return
            key = self.key(result)
            # what this run passed through on the way, even if its state is one seen before
            self.reached.update(result.visits)
            if key not in self.parents and len(self.parents) >= self.max_states:
                self.complete = False  # a new state beyond the bound: not explored
                return
            if parent is not None:
                self.edges.append((parent, key))
            if key in self.parents:
                return
            path_step = PathStep(step[0], step[1], step[2], drawn) if step else None
            if path_step is None and drawn:
                path_step = PathStep("", "", "", drawn)
            self.parents[key] = (parent, path_step)
            if result.ending is not None:
                self.endings.setdefault(result.ending, key)
            else:
                queue.append((key, result))

        start = self.engine.start
        branches = self.explorer.branches
        for result, drawn in branches(lambda: start(0)):
            arrive(result, None, None, drawn)
        plans = self.engine.plans
        choose = self.engine.choose
        twins = self.twins
        while queue:
            key, state = queue.popleft()
            node_id = state.node
            self.decisions.add(node_id)
            variables, visits, used = state.variables, state.visits, state.used
            open_choices = []
            for plan in plans[node_id].choices:
                if plan.once is not None and plan.once in used:
                    continue
                seen = self.choices.setdefault((node_id, plan.key), _Seen())
                seen.tried += 1
                if plan.condition is None or plan.condition(variables, visits):
                    seen.held += 1
                    open_choices.append(plan)
            if not open_choices:
                self.dead_ends.setdefault(node_id, key)
                self.reported.add(key)
                continue
            if node_id in twins:
                self._see_together(node_id, open_choices)
            for plan in open_choices:
                step = (node_id, plan.key, plan.choice.label)
                for result, drawn in branches(partial(choose, state, plan.key)):
                    arrive(result, key, step, drawn)

    def _see_together(self, node_id: str, open_choices: Sequence[Any]) -> None:
        pairs = self.twins[node_id]
        open_keys = {plan.key for plan in open_choices}
        left = []
        for earlier, later in pairs:
            if earlier in open_keys and later in open_keys:
                self.together.add((node_id, earlier, later))
            else:
                left.append((earlier, later))
        if left:
            self.twins[node_id] = left
        else:
            del self.twins[node_id]

    def traps(self) -> dict[str, Key]:
        """Decision states from which no ending can be reached any more, by node.

        Only meaningful on a complete walk: a state left unexplored at the bound might
        lead out. Dead ends are reported on their own, so they are left out here.
        """
        back: dict[Key, list[Key]] = {}
        for parent, child in self.edges:
            back.setdefault(child, []).append(parent)
        # alive: can still reach an ending, or a dead end or loop reported on its own
        alive = {key for key in self.parents if len(key) == 1} | self.reported
        todo = list(alive)
        while todo:
            for parent in back.get(todo.pop(), ()):
                if parent not in alive:
                    alive.add(parent)
                    todo.append(parent)
        found: dict[str, Key] = {}
        for key, (came_from, _step) in self.parents.items():
            # where the player is caught: a trapped state entered from a free one
            if key not in alive and len(key) > 1 and (came_from is None or came_from in alive):
                found.setdefault(key[0], key)
        return found

    def path(self, key: Key | None) -> list[PathStep]:
        steps: list[PathStep] = []
        while key is not None:
            parent, step = self.parents[key]
            if step is not None and step.node:
                steps.append(step)
            key = parent
        steps.reverse()
        return steps


def analyse(story: Story, max_states: int = DEFAULT_MAX_STATES) -> Analysis:
    """Explore the story and return every finding, sorted by file and line."""
    walk = _Walk(story, max_states)
    walk.run()
    found: list[Problem] = []

    def add(where: Where, code: str, message: str) -> None:
        found.append(Problem(where.file, where.line, message, code))

    _static_checks(story, add)
    _walk_findings(story, walk, add)
    _twin_findings(story, walk, add)
    paths = {ending: walk.path(key) for ending, key in walk.endings.items()}
    return Analysis(story, sorted(set(found)), len(walk.parents), walk.complete, paths)


def _static_checks(story: Story, add: Callable[[Where, str, str], None]) -> None:
    read: set[str] = set()
    for compiled in _compiled_parts(story):
        read |= compiled.reads
    for node in story.nodes.values():
        read |= node.text.reads
    for ending in story.endings.values():
        read |= ending.epilogue.reads
    written = {effect.target for effect in _all_effects(story)}
    for name, variable in story.variables.items():
        if name not in read:
            if variable.visible:
                add(
                    variable.where,
                    "W005",
                    f"variable '{name}' is never read: no condition, weight, effect or text "
                    "uses it, so it only shows in the dossier",
                )
            else:
                add(
                    variable.where,
                    "W005",
                    f"variable '{name}' is hidden and never read, so it changes nothing",
                )
        if name not in written:
            add(
                variable.where,
                "W006",
                f"variable '{name}' is never changed by any effect; it stays "
                f"{variable.default!r}" + (" (a constant could say that)" if name in read else ""),
            )
    for node in story.nodes.values():
        if not node.choices:
            continue
        if not node.history:
            add(
                node.where,
                "W008",
                f"decision node '{node.id}' has no 'history' note (what really happened)",
            )
        if not node.discuss:
            add(node.where, "W009", f"decision node '{node.id}' has no 'discuss' prompt")
        for choice in node.choices:
            if len(choice.label) > MAX_LABEL:
                add(
                    choice.where,
                    "W010",
                    f"choice label is {len(choice.label)} characters long; keep labels under "
                    f"{MAX_LABEL + 1} so they fit on one line",
                )


def _walk_findings(story: Story, walk: _Walk, add: Callable[[Where, str, str], None]) -> None:
    explorer = walk.explorer
    for node_id, key in walk.dead_ends.items():
        node = story.nodes[node_id]
        add(
            node.where,
            "E020",
            f"dead end: node '{node_id}' can offer no choice to take, "
            f"{_describe_path(story, walk.path(key))}",
        )
    for (node_id, choice_key), (parent, message) in walk.loops.items():
        looping = story.nodes.get(node_id)
        choice = looping.choice(choice_key) if looping else None
        where = choice.where if choice else story.nodes[story.start].where
        steps = walk.path(parent)
        if choice is not None:
            steps.append(PathStep(node_id, choice_key, choice.label))
        add(where, "E021", f"{message} ({_describe_path(story, steps)})")
    for (where, _source), message in explorer.overflows.items():
        add(where, "W007", message)
    if not walk.complete:
        add(
            Where(story.files[0] if story.files else story.root, 0),
            "W011",
            f"the story has more than {walk.max_states:,} reachable states; the check explored "
            f"the first {len(walk.parents):,} (use --max-states to go further). Places never "
            "reached and conditions that never or always hold are only reported where the "
            "files alone prove it",
        )
        structural = structurally_reachable(story)
        for node in story.nodes.values():
            if node.id not in structural:
                add(node.where, "W001", f"node '{node.id}' is never reached: nothing leads to it")
        for ending in story.endings.values():
            if ending.id not in structural:
                add(
                    ending.where,
                    "W002",
                    f"ending '{ending.id}' is never reached: nothing leads to it",
                )
        return
    dead_end_nodes = set(walk.dead_ends)
    for node_id, key in walk.traps().items():
        if node_id in dead_end_nodes:
            continue
        add(
            story.nodes[node_id].where,
            "E022",
            f"trap: from node '{node_id}' no ending can be reached any more; the choices "
            f"only lead round in a loop ({_describe_path(story, walk.path(key))})",
        )
    # a choice that loops (E021) passes through its routes before the engine gives up:
    # those places are reached, though no state records it
    for node_id, choice_key in walk.loops:
        looping = story.nodes.get(node_id)
        chosen = looping.choice(choice_key) if looping else None
        todo = list(chosen.targets) if chosen else []
        while todo:
            place = todo.pop()
            if place in walk.reached:
                continue
            walk.reached.add(place)
            passed = story.nodes.get(place)
            if passed is not None and not passed.choices:
                todo.extend(_successors(passed))
    for node in story.nodes.values():
        if node.id not in walk.reached:
            add(node.where, "W001", f"node '{node.id}' is never reached in any playthrough")
    for ending in story.endings.values():
        if ending.id not in walk.endings:
            how = " (its 'if' never holds)" if ending.condition is not None else ""
            add(
                ending.where,
                "W002",
                f"ending '{ending.id}' is never reached in any playthrough{how}",
            )
    _condition_findings(story, walk, add)


def _condition_findings(story: Story, walk: _Walk, add: Callable[[Where, str, str], None]) -> None:
    explorer = walk.explorer
    for node in story.nodes.values():
        if node.id in walk.decisions:
            for choice in node.choices:
                seen = walk.choices.get((node.id, choice.key))
                if seen is None or choice.condition is None:
                    continue
                if seen.held == 0:
                    add(
                        choice.where,
                        "W003",
                        f"the 'if' of choice '{choice.label}' never holds, so the choice "
                        "is never available",
                    )
                elif seen.held == seen.tried:
                    add(
                        choice.where,
                        "W004",
                        f"the 'if' of choice '{choice.label}' always holds; "
                        + (
                            "its 'locked' reason is never shown"
                            if choice.locked
                            else "the choice might as well have no 'if'"
                        ),
                    )
        if node.id in walk.reached:
            for index, route in enumerate(node.routes):
                seen = explorer.routes[(node.id, index)]
                if seen.tried == 0 and index == 0:
                    break  # never tried at all: an automatic ending always strikes first
                if seen.tried == 0:
                    add(
                        route.where,
                        "W013",
                        f"route {index + 1} of node '{node.id}' is never tried: an earlier "
                        "route always matches",
                    )
                elif route.condition is not None and seen.held == 0:
                    add(route.where, "W003", f"the 'if' of route {index + 1} never holds")
                elif route.condition is not None and seen.held == seen.tried:
                    add(
                        route.where,
                        "W004",
                        f"the 'if' of route {index + 1} always holds"
                        + (
                            ", so the routes after it are never tried"
                            if index + 1 < len(node.routes)
                            else ""
                        ),
                    )
    for plan_id, seen in explorer.outcome_seen.items():
        if seen.tried and not seen.held:
            add(
                explorer.outcome_where[plan_id],
                "W012",
                "this chance outcome's weight is never above 0, so it is never drawn",
            )


def _quoted(names: Iterable[str]) -> str:
    items = [f"'{name}'" for name in sorted(names)]
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _twin_findings(story: Story, walk: _Walk, add: Callable[[Where, str, str], None]) -> None:
    """W014 and W015: a choice that does what another one open beside it does.

    Only pairs the walk saw open in one state are compared, so the findings hold on an
    incomplete walk too. Two such choices still differ if a later `chose()` tells them
    apart, or if one is `once` and its node can come round again.
    """
    if not walk.together:
        return
    tested: set[str] = set()  # "node/choice" tags some chose() reads
    for compiled in _compiled_parts(story):
        tested |= compiled.places
    for node in story.nodes.values():
        tested |= node.text.places
    for ending in story.endings.values():
        tested |= ending.epilogue.places
    auto_reads: set[str] = set()  # read on arrival anywhere, by the automatic endings
    for ending in story.auto_endings:
        auto_reads |= ending.epilogue.reads | (
            ending.condition.reads if ending.condition else set()
        )
    prose: _Liveness | None = None

    def read_on_arrival(place: str) -> set[str]:
        """What the place itself reads for sure, without the fixpoint (a quick answer)."""
        if place not in story.nodes:
            return set(story.endings[place].epilogue.reads)
        arrived = story.nodes[place]
        reads = set(arrived.text.reads) | auto_reads
        for test in _node_tests(arrived):
            reads |= test.reads
        return reads

    def read_later(choice: Choice, differ: set[str]) -> bool:
        """Whether something after the choice's own effects may read one of `differ`."""
        nonlocal prose
        weights: set[str] = set()
        for outcome in choice.outcomes:
            weights |= outcome.weight.reads
        if differ & weights or any(differ & read_on_arrival(t) for t in choice.targets):
            return True
        if prose is None:
            prose = _Liveness(story, prose=True)
        live_at = prose.variables_at

        def at(place: str) -> set[str]:
            if place in story.nodes:
                return live_at(place)
            return set(story.endings[place].epilogue.reads)

        if choice.target is not None:
            return bool(differ & at(choice.target))
        for outcome in choice.outcomes:
            live = at(outcome.target)
            for effect in reversed(outcome.effects):
                if effect.target in live:
                    live |= effect.value.reads
            if differ & live:
                return True
        return False

    def told_apart(node: Node, choice: Choice) -> bool:
        tag = f"{node.id}/{choice.key}"
        if tag in tested:
            return True
        once_bit = walk.live.once_bits.get(tag, 0) if choice.once else 0
        return bool(once_bit) and any(
            walk.live.masks[target] & once_bit for target in choice.targets if target in story.nodes
        )

    pairs: dict[str, dict[str, list[str]]] = {}  # node -> later choice -> earlier ones
    for node_id, first_key, second_key in walk.together:
        pairs.setdefault(node_id, {}).setdefault(second_key, []).append(first_key)
    for node in story.nodes.values():
        earlier_of = pairs.get(node.id)
        if not earlier_of:
            continue
        index = {choice.key: number for number, choice in enumerate(node.choices)}
        for later_key, earlier_keys in earlier_of.items():
            later = node.choices[index[later_key]]
            if told_apart(node, later):
                continue
            same: Choice | None = None
            idle: tuple[Choice, set[str]] | None = None
            for earlier_key in sorted(earlier_keys, key=index.__getitem__):
                earlier = node.choices[index[earlier_key]]
                if told_apart(node, earlier):
                    continue
                if _effects_key(earlier.effects) == _effects_key(later.effects):
                    same = earlier
                    break
                differ = _differing(earlier.effects, later.effects)
                if idle is None and differ and not read_later(later, differ):
                    idle = (earlier, differ)
            if same is not None:
                add(
                    later.where,
                    "W014",
                    f"choice '{later.key}' does the same as '{same.key}' "
                    f"(line {same.where.line}): same destination, same effects",
                )
            elif idle is not None:
                earlier, differ = idle
                what = (
                    f"changes only {_quoted(differ)}"
                    if not earlier.effects
                    else f"differs from it only in {_quoted(differ)}"
                )
                add(
                    later.where,
                    "W015",
                    f"choice '{later.key}' makes no difference: it leads where "
                    f"'{earlier.key}' (line {earlier.where.line}) does and {what}, which "
                    "nothing reads later",
                )


def shortest_paths_text(analysis: Analysis) -> list[str]:
    """`--paths`: for every ending, the decisions that reach it soonest, one per line."""
    story = analysis.story
    lines = []
    for ending in story.endings.values():
        steps = analysis.paths.get(ending.id)
        if steps is None:
            lines.append(f"ending '{ending.id}' ({ending.title}): no path found")
            continue
        count = len(steps)
        lines.append(
            f"ending '{ending.id}' ({ending.title}): {count} decision{'s' if count != 1 else ''}"
        )
        for number, step in enumerate(steps, start=1):
            luck = f"  [chance: {', '.join(step.chance)}]" if step.chance else ""
            lines.append(f"  {number}. at '{step.node}': {step.label}{luck}")
    return lines


def findings_dicts(problems: Iterable[Problem]) -> list[dict[str, Any]]:
    return [
        {
            "file": p.file,
            "line": p.line,
            "code": p.code,
            "severity": p.severity,
            "message": p.message,
        }
        for p in problems
    ]
