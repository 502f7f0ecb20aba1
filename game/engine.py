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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from game.expr import Effect, Value
from game.story import Choice, Ending, Node, Outcome, Story

MAX_AUTOMATIC_STEPS = 1000
MASK64 = (1 << 64) - 1


class EngineError(Exception):
    """The story did something the engine cannot follow (e.g. routes that loop forever)."""


class ChoiceUnavailable(Exception):
    """The player asked for a choice this state does not offer."""


@dataclass(frozen=True)
class Step:
    """One decision on the path: at `node`, the choice called `choice`."""

    node: str
    choice: str


@dataclass(frozen=True)
class GameState:
    story: str
    node: str
    ending: str | None
    variables: Mapping[str, Value]
    visits: Mapping[str, int]
    path: tuple[Step, ...] = ()
    seed: int = 0
    draws: int = 0
    used: frozenset[str] = field(default_factory=frozenset)

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


def chance(seed: int, draw: int) -> float:
    """A number in [0, 1) that depends only on the seed and the draw count (splitmix64)."""
    z = (seed + (draw + 1) * 0x9E3779B97F4A7C15) & MASK64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK64
    z ^= z >> 31
    return (z >> 11) / float(1 << 53)


class Engine:
    """Applies a story's rules to game states. Holds no state of its own."""

    def __init__(self, story: Story) -> None:
        self.story = story

    # -- starting and moving --

    def start(self, seed: int = 0) -> GameState:
        state = GameState(
            story=self.story.id,
            node=self.story.start,
            ending=None,
            variables=self.story.defaults(),
            visits={},
            seed=seed,
        )
        variables = dict(state.variables)
        visits: dict[str, int] = {}
        return self._arrive(state, self.story.start, variables, visits, state.draws, (), state.used)

    def options(self, state: GameState) -> list[Option]:
        """The choices shown at `state`: available ones and locked ones, numbered from 1."""
        if state.over:
            return []
        node = self.story.nodes[state.node]
        shown: list[Option] = []
        for choice in node.choices:
            if choice.once and f"{node.id}/{choice.key}" in state.used:
                continue
            available = choice.condition is None or bool(
                choice.condition.evaluate(state.variables, state.visits)
            )
            if available:
                shown.append(Option(len(shown) + 1, choice, True))
            elif choice.locked is not None:
                shown.append(Option(len(shown) + 1, choice, False, choice.locked))
        return shown

    def available(self, state: GameState) -> list[Choice]:
        return [option.choice for option in self.options(state) if option.available]

    def choose(self, state: GameState, key: str) -> GameState:
        """Take the choice called `key` and run on to the next decision or ending."""
        if state.over:
            raise ChoiceUnavailable("the story has ended")
        node = self.story.nodes[state.node]
        choice = node.choice(key)
        if choice is None:
            raise ChoiceUnavailable(f"node '{node.id}' has no choice '{key}'")
        if choice.once and f"{node.id}/{key}" in state.used:
            raise ChoiceUnavailable(f"'{choice.label}' can only be taken once")
        if choice.condition is not None and not choice.condition.evaluate(
            state.variables, state.visits
        ):
            raise ChoiceUnavailable(choice.locked or f"'{choice.label}' is not available")
        variables = dict(state.variables)
        visits = dict(state.visits)
        self._apply(choice.effects, variables, visits)
        draws = state.draws
        target = choice.target
        if target is None:
            outcome, draws = self._draw(choice.outcomes, variables, visits, state.seed, draws)
            self._apply(outcome.effects, variables, visits)
            target = outcome.target
        used = state.used | {f"{node.id}/{key}"} if choice.once else state.used
        path = (*state.path, Step(node.id, key))
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
            except ChoiceUnavailable as error:
                raise PathBreak(index, str(error), states) from None
            except EngineError as error:
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
            return self.story.endings[state.ending].epilogue.render(state.variables, state.visits)
        return self.story.nodes[state.node].text.render(state.variables, state.visits)

    # -- internals --

    def _apply(
        self, effects: Sequence[Effect], variables: dict[str, Value], visits: Mapping[str, int]
    ) -> None:
        declared = self.story.variables
        for effect in effects:
            value = effect.value.evaluate(variables, visits)
            if effect.op == "+=":
                value = variables[effect.target] + value  # type: ignore[operator]
            elif effect.op == "-=":
                value = variables[effect.target] - value  # type: ignore[operator]
            variable = declared[effect.target]
            if variable.type == "int":
                value = variable.clamp(value)  # type: ignore[arg-type]
            variables[effect.target] = value

    def _draw(
        self,
        outcomes: Sequence[Outcome],
        variables: Mapping[str, Value],
        visits: Mapping[str, int],
        seed: int,
        draws: int,
    ) -> tuple[Outcome, int]:
        weights = [max(0, int(outcome.weight.evaluate(variables, visits))) for outcome in outcomes]
        total = sum(weights)
        if total == 0:
            # No outcome has any odds: the first is taken, so the story still moves on.
            return outcomes[0], draws + 1
        point = chance(seed, draws) * total
        for outcome, weight in zip(outcomes, weights, strict=True):
            if point < weight:
                return outcome, draws + 1
            point -= weight
        return outcomes[-1], draws + 1  # pragma: no cover - floating point edge

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
        story = self.story
        node_id = state.node
        for _ in range(MAX_AUTOMATIC_STEPS):
            visits[target] = visits.get(target, 0) + 1
            if target in story.endings:
                return GameState(
                    story.id, node_id, target, variables, visits, path, state.seed, draws, used
                )
            node = story.nodes[target]
            node_id = target
            self._apply(node.effects, variables, visits)
            for ending in story.auto_endings:
                assert ending.condition is not None
                if ending.condition.evaluate(variables, visits):
                    visits[ending.id] = visits.get(ending.id, 0) + 1
                    return GameState(
                        story.id,
                        node_id,
                        ending.id,
                        variables,
                        visits,
                        path,
                        state.seed,
                        draws,
                        used,
                    )
            moved = False
            for route in node.routes:
                if route.condition is None or route.condition.evaluate(variables, visits):
                    self._apply(route.effects, variables, visits)
                    target = route.target
                    moved = True
                    break
            if not moved and node.outcomes:
                outcome, draws = self._draw(node.outcomes, variables, visits, state.seed, draws)
                self._apply(outcome.effects, variables, visits)
                target = outcome.target
                moved = True
            if not moved:
                return GameState(
                    story.id, node_id, None, variables, visits, path, state.seed, draws, used
                )
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
