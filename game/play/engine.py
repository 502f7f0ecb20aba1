"""The state machine: a pure engine over a loaded `Story`, with no interface in it.

A `GameState` is plain data (current place, variables, visit counts, the path
of choices taken, the seed and how many chance draws were made). The engine
lists the options a state offers, applies a choice, and runs everything that
happens without the player (entry effects, automatic endings, routes, chance
outcomes) until the next decision or an ending. Because chance draws are a pure
function of the seed and the draw count, any run replays exactly from its seed
and path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple, cast

from game.story.compiled import Choice, Ending, Node, Outcome, Quote, Story, Where
from game.story.draws import chance
from game.story.expr import MAX_INT, Effect, Evaluator, IntEvaluator, Value
from game.story.gcpause import gc_paused

MAX_AUTOMATIC_STEPS = 1000
UNBOUNDED = MAX_INT  # where the arithmetic saturates; a number without bounds stops there

# Records on the hot path are built with tuple.__new__: the same named tuple as calling the
# class, without the Python-level constructor (half the cost, measured by benchmarks/core.py).
_new_tuple = tuple.__new__


class EngineError(Exception):
    """The story did something the engine cannot follow (e.g. routes that loop forever)."""


class ChoiceUnavailable(Exception):
    """The player asked for a choice this state does not offer."""


class Step(NamedTuple):
    """One decision on the path: at `node`, the choice called `choice`."""

    node: str
    choice: str


class GameState(NamedTuple):
    """Everything about a run at one moment, as plain data that can be saved and compared.

    A named tuple rather than a dataclass: the engine makes one per choice, and this is
    the cheapest immutable record Python has.
    """

    story: str
    node: str
    ending: str | None
    variables: Mapping[str, Value]
    visits: Mapping[str, int]
    path: tuple[Step, ...] = ()
    seed: int = 0
    draws: int = 0
    used: frozenset[str] = frozenset()

    @property
    def over(self) -> bool:
        return self.ending is not None

    @property
    def place(self) -> str:
        return self.ending if self.ending is not None else self.node


@dataclass(frozen=True)
class Option:
    """A choice as the player sees it: numbered, and available or locked with a reason."""

    number: int
    choice: Choice
    available: bool
    reason: str | None = None

    @property
    def key(self) -> str:
        return self.choice.key


@dataclass(frozen=True)
class Change:
    variable: str
    before: Value
    after: Value


class PathBreak(Exception):
    """A recorded path no longer fits the story: it breaks at step `index`."""

    def __init__(self, index: int, reason: str, states: list[GameState]) -> None:
        super().__init__(f"step {index + 1}: {reason}")
        self.index = index
        self.reason = reason
        self.states = states  # the states up to the break, which still fit


Apply = Callable[[dict[str, Value], Mapping[str, int]], None]


def compile_effect(effect: Effect, story: Story) -> Apply:
    """One effect as one function: bounds looked up once, constants not evaluated at all."""
    target = effect.target
    variable = story.variables[target]
    evaluate: Callable[..., Any] = effect.value.evaluate
    if variable.type != "int":
        constant = effect.value.constant
        if constant is not None:

            def assign_constant(variables: dict[str, Value], visits: Mapping[str, int]) -> None:
                variables[target] = constant

            return assign_constant

        def assign(variables: dict[str, Value], visits: Mapping[str, int]) -> None:
            variables[target] = evaluate(variables, visits)

        return assign
    # Bounds that no stored number passes stand for "none", so no None checks are needed;
    # they are ints because int-to-int comparison is faster than int-to-float.
    low = variable.minimum if variable.minimum is not None else -UNBOUNDED
    high = variable.maximum if variable.maximum is not None else UNBOUNDED
    sign = {"=": 0, "+=": 1, "-=": -1}[effect.op]
    amount = effect.value.constant
    if sign and isinstance(amount, int):
        step = sign * amount

        def shift(variables: dict[str, Any], visits: Mapping[str, int]) -> None:
            value = variables[target] + step
            variables[target] = low if value < low else high if value > high else value

        return shift

    def update(variables: dict[str, Any], visits: Mapping[str, int]) -> None:
        value = evaluate(variables, visits)
        if sign:
            value = variables[target] + sign * value
        variables[target] = low if value < low else high if value > high else value

    return update


def compile_effects(effects: Sequence[Effect], story: Story) -> Apply | None:
    """Turn a list of effects into one function, or None when there is nothing to do."""
    if not effects:
        return None
    steps = tuple(compile_effect(effect, story) for effect in effects)
    if len(steps) == 1:
        return steps[0]

    def apply(variables: dict[str, Value], visits: Mapping[str, int]) -> None:
        for step in steps:
            step(variables, visits)

    return apply


class ChoicePlan(NamedTuple):
    """A choice compiled for play: what `choose` unpacks."""

    choice: Choice
    key: str
    condition: Evaluator | None
    once: str | None  # the entry in GameState.used once taken
    tag: str  # "node/choice", counted in the visits for chose(node, choice)
    apply: Apply | None
    target: str | None
    outcomes: tuple[OutcomePlan, ...]


class OutcomePlan(NamedTuple):
    """A chance outcome compiled for play: what a `Draw` picks from."""

    weight: IntEvaluator
    target: str
    apply: Apply | None


class NodePlan(NamedTuple):
    """A node compiled for play: entry effects, routes, outcomes and choices."""

    apply: Apply | None
    routes: tuple[tuple[Evaluator | None, Apply | None, str], ...]
    outcomes: tuple[OutcomePlan, ...]
    choices: tuple[ChoicePlan, ...]
    by_key: dict[str, ChoicePlan]


Draw = Callable[
    [Sequence[OutcomePlan], Mapping[str, Value], Mapping[str, int], int, int], OutcomePlan
]
"""How a chance outcome is drawn: (outcomes, variables, visits, seed, draws) -> the outcome."""


def weighted_draw(
    outcomes: Sequence[OutcomePlan],
    variables: Mapping[str, Value],
    visits: Mapping[str, int],
    seed: int,
    draws: int,
) -> OutcomePlan:
    """The game's draw: by weight, from the seed and the number of draws so far."""
    weights = [max(0, outcome.weight(variables, visits)) for outcome in outcomes]
    total = sum(weights)
    if total == 0:
        # No outcome has any odds: the first is taken, so the story still moves on.
        return outcomes[0]
    point = chance(seed, draws) * total
    for outcome, weight in zip(outcomes, weights, strict=True):
        if point < weight:
            return outcome
        point -= weight
    return outcomes[-1]  # pragma: no cover - floating point edge


class Compiler:
    """How the engine turns a story's rules into the functions it calls: as the game plays.

    Asked only while an `Engine` is built, never while it runs, so whatever a subclass
    does here costs nothing per choice beyond the functions it returns. The checker
    subclasses it to wrap conditions and effects with its own notes.
    """

    def effects(self, story: Story, effects: Sequence[Effect], where: Where) -> Apply | None:
        """The effects written at `where` as one function, or None when there are none."""
        return compile_effects(effects, story)

    def route(self, node: Node, index: int, condition: Evaluator | None) -> Evaluator | None:
        """The condition of route `index` of `node` (None: it always holds)."""
        return condition

    def outcome(self, outcome: Outcome, plan: OutcomePlan) -> OutcomePlan:
        """The plan for one chance outcome, as `Draw`s will see it."""
        return plan


PLAY = Compiler()


class Engine:
    """Applies a story's rules to game states. Holds no state of its own.

    On creation it compiles each node into a plan (effects as single functions,
    conditions as bare evaluators), so that choosing does no lookups it can avoid.

    Two things can be put in its place without touching the hot path: how chance
    outcomes are drawn (`draw`, kept as a plain attribute, so a call costs what a
    method call did) and how the rules are compiled (`compiler`, used only here).
    """

    def __init__(
        self, story: Story, *, draw: Draw = weighted_draw, compiler: Compiler = PLAY
    ) -> None:
        self.story = story
        self._draw = draw
        self._compiler = compiler
        with gc_paused():  # thousands of long-lived closures: nothing for the collector to find
            self._plans = {node_id: self._plan(node) for node_id, node in story.nodes.items()}
        self._by_key = {node_id: plan.by_key for node_id, plan in self._plans.items()}
        self._ending_ids = frozenset(story.endings)
        self._auto_endings = tuple(
            (ending.id, ending.condition.evaluate)
            for ending in story.auto_endings
            if ending.condition is not None
        )

    @property
    def plans(self) -> Mapping[str, NodePlan]:
        """Each node as compiled for play, by id (what the checker walks)."""
        return self._plans

    def _effects(self, effects: Sequence[Effect], where: Where) -> Apply | None:
        return self._compiler.effects(self.story, effects, where)

    def _outcomes(self, outcomes: Sequence[Outcome]) -> tuple[OutcomePlan, ...]:
        outcome_plan = self._compiler.outcome
        return tuple(
            outcome_plan(
                o,
                OutcomePlan(
                    cast(IntEvaluator, o.weight.evaluate),  # the loader proved weights are numbers
                    o.target,
                    self._effects(o.effects, o.where),
                ),
            )
            for o in outcomes
        )

    def _plan(self, node: Node) -> NodePlan:
        choices = tuple(
            ChoicePlan(
                choice,
                choice.key,
                choice.condition.evaluate if choice.condition else None,
                f"{node.id}/{choice.key}" if choice.once else None,
                f"{node.id}/{choice.key}",
                self._effects(choice.effects, choice.where),
                choice.target,
                self._outcomes(choice.outcomes),
            )
            for choice in node.choices
        )
        route_condition = self._compiler.route
        routes = tuple(
            (
                route_condition(node, index, route.condition.evaluate if route.condition else None),
                self._effects(route.effects, route.where),
                route.target,
            )
            for index, route in enumerate(node.routes)
        )
        return NodePlan(
            self._effects(node.effects, node.where),
            routes,
            self._outcomes(node.outcomes),
            choices,
            {plan.key: plan for plan in choices},
        )

    # -- starting and moving --

    def start(self, seed: int = 0) -> GameState:
        state = GameState(self.story.id, self.story.start, None, {}, {}, (), seed, 0, frozenset())
        return self._arrive(state, self.story.start, self.story.defaults(), {}, 0, (), state.used)

    def options(self, state: GameState) -> list[Option]:
        """The choices shown at `state`: available ones and locked ones, numbered from 1."""
        if state.ending is not None:
            return []
        shown: list[Option] = []
        variables, visits, used = state.variables, state.visits, state.used
        for plan in self._plans[state.node].choices:
            if plan.once is not None and plan.once in used:
                continue
            if plan.condition is None or plan.condition(variables, visits):
                shown.append(Option(len(shown) + 1, plan.choice, True))
            elif plan.choice.locked is not None:
                shown.append(Option(len(shown) + 1, plan.choice, False, plan.choice.locked))
        return shown

    def available(self, state: GameState) -> list[Choice]:
        """The choices the player may take now (locked and hidden ones left out)."""
        if state.ending is not None:
            return []
        variables, visits, used = state.variables, state.visits, state.used
        return [
            choice
            for choice, _key, condition, once, _tag, _apply, _target, _outcomes in self._plans[
                state.node
            ].choices
            if (once is None or once not in used)
            and (condition is None or condition(variables, visits))
        ]

    def choose(self, state: GameState, key: str) -> GameState:
        """Take the choice called `key` and run on to the next decision or ending."""
        if state.ending is not None:
            raise ChoiceUnavailable("the story has ended")
        node_id = state.node
        plan = self._by_key[node_id].get(key)
        if plan is None:
            raise ChoiceUnavailable(f"node '{node_id}' has no choice '{key}'")
        choice, _key, condition, once, tag, apply, target, outcomes = plan
        used = state.used
        if once is not None:
            if once in used:
                raise ChoiceUnavailable(f"'{choice.label}' can only be taken once")
            used = used | {once}
        if condition is not None and not condition(state.variables, state.visits):
            raise ChoiceUnavailable(choice.locked or f"'{choice.label}' is not available")
        variables = dict(state.variables)
        visits = dict(state.visits)
        if apply is not None:
            apply(variables, visits)
        draws = state.draws
        if target is None:
            outcome = self._draw(outcomes, variables, visits, state.seed, draws)
            draws += 1
            if outcome.apply is not None:
                outcome.apply(variables, visits)
            target = outcome.target
        visits[tag] = visits.get(tag, 0) + 1  # counted beside the visits, for chose()
        path = (*state.path, _new_tuple(Step, (node_id, key)))
        return self._arrive(state, target, variables, visits, draws, path, used)

    def replay(self, seed: int, path: Sequence[Step]) -> list[GameState]:
        """Every state of a run from its seed and path; raises PathBreak where it no longer fits."""
        states = [self.start(seed)]
        for index, step in enumerate(path):
            state = states[-1]
            if state.over:
                raise PathBreak(index, "the story had already ended here", states)
            if state.node != step.node:
                raise PathBreak(
                    index,
                    f"the story now leads to '{state.node}', where the save was at '{step.node}'",
                    states,
                )
            try:
                states.append(self.choose(state, step.choice))
            except (ChoiceUnavailable, EngineError) as error:
                raise PathBreak(index, str(error), states) from None
        return states

    def changes(self, before: GameState, after: GameState) -> list[Change]:
        """What changed in the visible variables, in declaration order."""
        return [
            Change(name, before.variables[name], after.variables[name])
            for name, variable in self.story.variables.items()
            if variable.visible and before.variables.get(name) != after.variables.get(name)
        ]

    def node(self, state: GameState) -> Node:
        return self.story.nodes[state.node]

    def ending(self, state: GameState) -> Ending | None:
        return self.story.endings[state.ending] if state.ending is not None else None

    def text(self, state: GameState) -> str:
        """The narrative at `state`, with its passages and values filled in."""
        if state.ending is not None:
            epilogue = self.story.endings[state.ending].epilogue
            return epilogue.render(state.variables, state.visits, state.seed)
        return self.story.nodes[state.node].text.render(state.variables, state.visits, state.seed)

    def title(self, state: GameState) -> str:
        """The heading at `state`: a node's title may change with the state."""
        if state.ending is not None:
            return self.story.endings[state.ending].title
        node = self.story.nodes[state.node]
        if node.title_template is None:
            return node.title
        return node.title_template.render(state.variables, state.visits, state.seed).strip()

    def viewpoint(self, state: GameState) -> str:
        """Whose eyes the player sees through at `state` ("" at an ending)."""
        if state.ending is not None:
            return ""
        node = self.story.nodes[state.node]
        if node.viewpoint_template is None:
            return node.viewpoint
        return node.viewpoint_template.render(state.variables, state.visits, state.seed).strip()

    def quotes(self, state: GameState) -> list[Quote]:
        """The quotations shown above the text at `state`, those whose condition holds."""
        place = self.story.place(state.place)
        return [
            quote
            for quote in place.quotes
            if quote.condition is None or quote.condition.evaluate(state.variables, state.visits)
        ]

    # -- internals --

    def _arrive(
        self,
        state: GameState,
        target: str,
        variables: dict[str, Value],
        visits: dict[str, int],
        draws: int,
        path: tuple[Step, ...],
        used: frozenset[str],
    ) -> GameState:
        story_id, seed = state.story, state.seed
        endings = self._ending_ids
        plans = self._plans
        auto_endings = self._auto_endings
        node_id = state.node
        for _ in range(MAX_AUTOMATIC_STEPS):
            visits[target] = visits.get(target, 0) + 1
            if target in endings:
                return _new_tuple(
                    GameState,
                    (story_id, node_id, target, variables, visits, path, seed, draws, used),
                )
            apply, routes, outcomes, _choices, _by_key = plans[target]
            node_id = target
            if apply is not None:
                apply(variables, visits)
            for ending_id, condition in auto_endings:
                if condition(variables, visits):
                    visits[ending_id] = visits.get(ending_id, 0) + 1
                    return _new_tuple(
                        GameState,
                        (story_id, node_id, ending_id, variables, visits, path, seed, draws, used),
                    )
            for route_condition, route_apply, route_target in routes:
                if route_condition is None or route_condition(variables, visits):
                    if route_apply is not None:
                        route_apply(variables, visits)
                    target = route_target
                    break
            else:
                if not outcomes:
                    return _new_tuple(
                        GameState,
                        (story_id, node_id, None, variables, visits, path, seed, draws, used),
                    )
                outcome = self._draw(outcomes, variables, visits, seed, draws)
                draws += 1
                if outcome.apply is not None:
                    outcome.apply(variables, visits)
                target = outcome.target
        raise EngineError(
            f"more than {MAX_AUTOMATIC_STEPS} automatic steps without a decision, "
            f"last at node '{node_id}': the routes loop"
        )


class Playthrough:
    """One run with its history, for undo: the list of states since the start."""

    def __init__(self, engine: Engine, states: list[GameState]) -> None:
        if not states:
            raise ValueError("a playthrough needs at least its first state")
        self.engine = engine
        self.states = states

    @classmethod
    def begin(cls, engine: Engine, seed: int) -> Playthrough:
        return cls(engine, [engine.start(seed)])

    @property
    def state(self) -> GameState:
        return self.states[-1]

    def choose(self, key: str) -> GameState:
        self.states.append(self.engine.choose(self.state, key))
        return self.state

    def undo(self) -> bool:
        """Go back one decision; False at the start."""
        if len(self.states) <= 1:
            return False
        self.states.pop()
        return True
