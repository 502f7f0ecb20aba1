"""The story map: a story's places as a tree, seen from one run, with no interface in it.

The tree starts at the story's first place and follows every exit depth-first, in the
order the story gives them: routes (taken by themselves when their condition holds),
chance outcomes, then the player's choices. Each place is drawn with its exits once, and
comes back elsewhere only as a reference ("↪ see ..."), so loops end and the tree has a
line per exit. Where several choices of a place lead to one other, it is drawn under the
choice this run took.

Each place has a status for the run: current, visited, known (not visited, but an exit
of a visited place leads there: the player saw that way open) or unknown. A player's map
shows unknown places as "???" and endings not yet found as "??? (an ending)", opens only
the places visited, and leaves out the choices whose condition may have hidden them; a
writer's map (`reveal_all`) shows everything, with conditions and odds.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from game.presentation import percent
from game.story.compiled import Choice, Ending, Node, Outcome, Story

Status = Literal["current", "visited", "known", "unknown"]
Kind = Literal["story", "node", "ending", "fork"]
ExitKind = Literal["choice", "route", "chance", "automatic"]

HIDDEN = "???"
HIDDEN_ENDING = "??? (an ending)"
MARKS: dict[Status, str] = {"current": "▶", "visited": "✓", "known": "·", "unknown": ""}
FOUND = "★"
TAKEN_ARROW, ARROW = "⇒", "→"  # the arrow after a choice the player took, and any other
LEGEND = "▶ current  ✓ visited  · known  ??? unknown  ★ ending found  ⇒ your choice"


@dataclass(frozen=True)
class Exit:
    """How the place above leads to this line: a choice, a route, chance, or an automatic ending."""

    kind: ExitKind
    label: str  # the choice's label, "if …", "otherwise", "by chance"...
    condition: str = ""  # the condition as written: on a writer's map only
    odds: str = ""  # a chance outcome's odds, "25%" or "weight supply": a writer's map only
    taken: bool = False  # a choice this run has taken
    share: float | None = None  # the share of a class who took this choice (0..1)

    def text(self) -> str:
        parts = [self.label]
        if self.condition and self.kind == "route":
            parts = [f"if {self.condition}"]  # in place of the player's "if …"
        elif self.condition:
            parts.append(f"(if {self.condition})")
        if self.odds:
            parts.append(f"({self.odds})")
        if self.share is not None:
            parts.append(f"({percent(self.share)}% chose this)")
        return " ".join(parts)

    def for_players(self) -> Exit:
        """The exit without what only a writer should see: conditions and odds."""
        return Exit(self.kind, self.label, taken=self.taken, share=self.share)


@dataclass
class MapNode:
    """One line of the map: a place (or a choice that forks by chance) and what lies beyond."""

    kind: Kind
    place: str  # the node or ending id; for a fork, the id of the node it leaves
    title: str  # as the map shows it: "???" for what the player must not see yet
    status: Status
    via: Exit | None = None
    found: bool = False  # an ending this player has reached, in this run or before
    hidden: bool = False
    reference: bool = False  # drawn with its exits earlier in the tree
    children: list[MapNode] = field(default_factory=list)

    @property
    def mark(self) -> str:
        """▶ ✓ · by status (the story and a fork have none), ★ for an ending found."""
        if self.kind in ("story", "fork"):
            return ""
        if self.found:
            return f"{MARKS['current']} {FOUND}" if self.status == "current" else FOUND
        return MARKS[self.status]

    def place_text(self) -> str:
        """The place half of the line: its marks and its title, or the reference."""
        if self.reference:
            return f"↪ see {self.title}"
        return " ".join(part for part in (self.mark, self.title) if part)

    def text(self) -> str:
        """The whole line as plain text: how one gets here, then where."""
        if self.via is None:
            return self.place_text()
        arrow = TAKEN_ARROW if self.via.taken else ARROW
        return f"{self.via.text()} {arrow} {self.place_text()}"

    def walk(self) -> Iterator[MapNode]:
        """This line and every line under it, top to bottom."""
        stack: list[MapNode] = [self]
        while stack:
            line = stack.pop()
            yield line
            stack.extend(reversed(line.children))

    def find(self, place: str) -> MapNode | None:
        """The line where `place` is drawn in full (not a reference), if it is on the map."""
        for line in self.walk():
            if line.place == place and line.kind in ("node", "ending") and not line.reference:
                return line
        return None


@dataclass(frozen=True)
class Progress:
    visited: int
    places: int
    found: int
    endings: int

    def text(self) -> str:
        return (
            f"Places visited {self.visited} of {self.places} · "
            f"endings found {self.found} of {self.endings}"
        )


def progress(
    story: Story, visits: Mapping[str, int], current: str | None, found_endings: set[str]
) -> Progress:
    """How much of the story this run has seen, and how many endings this player has found."""
    visited = sum(1 for node_id in story.nodes if visits.get(node_id, 0) > 0)
    found = {
        ending_id
        for ending_id in story.endings
        if ending_id in found_endings or ending_id == current or visits.get(ending_id, 0) > 0
    }
    return Progress(visited, len(story.nodes), len(found), len(story.endings))


def _exits(
    node: Node, shown: Callable[[Node, Choice], bool]
) -> Iterator[tuple[Exit, str | Choice]]:
    """A node's exits in the order the engine tries them, each with its target or its choice
    (the choices `shown` allows only)."""
    for index, route in enumerate(node.routes):
        condition = route.condition.source if route.condition is not None else ""
        label = "if …" if route.condition is not None else "otherwise" if index else "then"
        yield Exit("route", label, condition), route.target
    for outcome in node.outcomes:
        yield _chance(node.outcomes, outcome), outcome.target
    for choice in node.choices:
        if not shown(node, choice):
            continue
        condition = choice.condition.source if choice.condition is not None else ""
        label = f"{choice.label} (once)" if choice.once else choice.label
        yield Exit("choice", label, condition), choice


def _chance(outcomes: tuple[Outcome, ...], outcome: Outcome) -> Exit:
    """A chance outcome, with its odds (which only a writer's map keeps)."""
    weights = [o.weight.constant for o in outcomes]
    if all(isinstance(w, int) and not isinstance(w, bool) for w in weights):
        total = sum(max(0, int(w)) for w in weights if isinstance(w, int))
        weight = outcome.weight.constant
        assert isinstance(weight, int)
        odds = f"{percent(max(0, weight) / total)}%" if total else "0%"
    else:
        odds = f"weight {outcome.weight.source}"
    return Exit("chance", "by chance", odds=odds)


def build_map(
    story: Story,
    visits: Mapping[str, int],
    current: str | None,
    found_endings: set[str],
    reveal_all: bool,
    shares: Mapping[tuple[str, str], float] | None = None,
    *,
    offered: Collection[str] = (),
) -> MapNode:
    """The map of `story` for a run that made `visits`, standing at `current`.

    `visits` is the run's visit counts, which also count each choice taken as
    "node/choice". `found_endings` are the endings the player found in earlier runs.
    `shares`, by (node, choice), is the share of a class who took each choice.
    `offered` are the keys of the choices the current node offers now, locked or not.

    A player's map leaves out the choices a player may never have seen: those with a
    condition and no `locked` text (hidden while the condition fails), unless this run
    took them or they are offered now.
    """

    def seen(node: Node, choice: Choice) -> bool:
        if reveal_all or choice.condition is None or choice.locked is not None:
            return True
        if visits.get(f"{node.id}/{choice.key}", 0) > 0:
            return True
        return node.id == current and choice.key in offered

    known: set[str] = set()
    for node_id, node in story.nodes.items():
        if visits.get(node_id, 0) > 0:
            for _exit, target in _exits(node, seen):
                known.update(target.targets if isinstance(target, Choice) else (target,))

    def status(place: str) -> Status:
        if place == current:
            return "current"
        if visits.get(place, 0) > 0:
            return "visited"
        return "known" if place in known else "unknown"

    def is_found(ending_id: str) -> bool:
        return ending_id in found_endings or ending_id == current or visits.get(ending_id, 0) > 0

    def place_line(place: str, via: Exit | None) -> MapNode:
        place_status = status(place)
        if place in story.endings:
            ending: Ending = story.endings[place]
            found = is_found(place)
            hidden = not reveal_all and not found
            title = HIDDEN_ENDING if hidden else ending.title
            return MapNode("ending", place, title, place_status, via, found, hidden)
        hidden = not reveal_all and place_status == "unknown"
        title = HIDDEN if hidden else story.nodes[place].title
        return MapNode("node", place, title, place_status, via, hidden=hidden)

    def shown(exit_: Exit) -> Exit:
        return exit_ if reveal_all else exit_.for_players()

    root = MapNode("story", "", story.title, "visited")
    drawn: set[str] = set()  # places already drawn with their exits
    # depth-first with a stack of (parent, how it leads on, where, whether a sibling further
    # down draws it instead): no recursion to run out of
    stack: list[tuple[MapNode, Exit | None, str | Choice, bool]] = [
        (root, None, story.start, False)
    ]
    while stack:
        parent, via, target, elsewhere = stack.pop()
        if isinstance(target, Choice):  # a choice that forks by chance
            assert via is not None
            fork = MapNode("fork", parent.place, "chance decides", parent.status, via)
            parent.children.append(fork)
            stack.extend(
                (fork, shown(_chance(target.outcomes, outcome)), outcome.target, False)
                for outcome in reversed(target.outcomes)
            )
            continue
        line = place_line(target, via)
        parent.children.append(line)
        if line.kind != "node" or line.hidden:
            continue
        if target in drawn or elsewhere:
            line.reference = True
            continue
        if not reveal_all and line.status not in ("current", "visited"):
            continue  # a way seen open, not yet taken: what lies beyond stays unseen
        drawn.add(target)
        node = story.nodes[target]
        exits: list[tuple[Exit, str | Choice]] = []
        for exit_, leads_to in _exits(node, seen):
            if isinstance(leads_to, Choice):
                taken = visits.get(f"{node.id}/{leads_to.key}", 0) > 0
                share = shares.get((node.id, leads_to.key)) if shares is not None else None
                exit_ = replace(exit_, taken=taken, share=share)
                if leads_to.target is not None:
                    leads_to = leads_to.target
            exits.append((shown(exit_), leads_to))
        # Where several exits lead to one place, it is drawn in full under the one the run
        # took, so the way the player went reads straight down the tree.
        taken_to: dict[str, int] = {}
        for index, (exit_, leads_to) in enumerate(exits):
            if exit_.taken and isinstance(leads_to, str):
                taken_to.setdefault(leads_to, index)
        stack.extend(
            (
                line,
                exit_,
                leads_to,
                isinstance(leads_to, str) and taken_to.get(leads_to, index) != index,
            )
            for index, (exit_, leads_to) in reversed(list(enumerate(exits)))
        )
    for ending in story.auto_endings:
        assert ending.condition is not None
        automatic = shown(Exit("automatic", "at any point", ending.condition.source))
        root.children.append(place_line(ending.id, automatic))
    return root
