"""A generator of large, realistic Divergence stories for benchmarks and tests.

    from benchmarks.generate import generate_story, generate_story_files
    text = generate_story(5000, seed=1)          # one story.toml, as TOML text
    files = generate_story_files(5000, seed=1)   # {"story.toml": ..., "chapters/...": ...}

The story uses every part of the format a writer would: eight variables (ints
with min and max, a bool, a text variable with values, one hidden), nodes of
150-300 words with `{value}` interpolations and `{if}/{elif}/{else}` passages,
2-4 choices per decision with conditions (some `locked` with a reason), effects
as strings and as lists, once-only choices, `visits()`/`visited()` checks,
automatic `[[node.route]]` branches, chance `outcome` tables whose weights
depend on the state, twenty endings and one automatic ending with `if`.

Shape: the nodes form layers that widen from the start node (1, 2, 4, ...) up
to about sqrt(2 * nodes) and then stay that wide. Every node links to the next
layer; each node of a layer is the target of an unconditional choice (or the
fallback route or an always-possible outcome) of a node in the layer before,
so every node is reachable. The only backward links are once-only choices, so
every playthrough ends. With 5,000 nodes there are 56 layers; a random
playthrough makes about 48 choices on average, fewer when an early ending (an
arrest route, a bad draw) or the automatic ending strikes first.

The generated TOML is about 1.8 kB per node: 5,000 nodes make about 9 MB, over
the loader's 8 MiB limit for one file (`game.story.loader.MAX_FILE_BYTES`); the
folder form keeps every file well under it.

Output is deterministic for a given (nodes, seed).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from typing import Any

import tomli_w

__all__ = [
    "ENDINGS",
    "build_story_data",
    "dump_story",
    "generate_story",
    "generate_story_files",
    "layer_widths",
    "reachable_places",
    "split_story",
]

# --- vocabulary -------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    """One item per line; blank lines are dropped."""
    return [line.strip() for line in text.strip().splitlines() if line.strip()]


_SUBJECTS = _lines(
    """
The commissar
Beria
Molotov
Zhukov
The old Bolshevik
Your driver
A clerk from the Lubyanka
The general staff
The typist
Poskrebyshev
The delegate from Leningrad
Khrushchev
The sentry
Malenkov
Vasilevsky
A railway engineer
The foreign minister
Kaganovich
The head of the NKVD
Your aide
The interpreter
A colonel of the tank corps
Voroshilov
"""
)
_VERBS = _lines(
    """
reads
signs
folds
burns
studies
hides
questions
forgets
repeats
copies
weighs
doubts
answers
sends
watches
carries
counts
refuses
files
underlines
returns
doubles
cancels
"""
)
_OBJECTS = _lines(
    """
the telegram from Berlin
the list of names
the map of the western front
the grain figures
the order for the Urals
a letter from the front
the report on the rail yards
the draft of the speech
the file on Tukhachevsky
the ration cards
the minutes of the Politburo
a warning from Tokyo
the tally of tanks
the plan for the evacuation
the note from London
the census of the camps
the timetable of the trains
the cipher book
"""
)
_ADVERBIALS = _lines(
    """
without a word
in the small hours
by the green lamp
twice over
while the stove ticks
as the snow comes down
before the meeting
with a steady hand
under the portrait of Lenin
as if it were nothing
while the telephones ring
long after midnight
in front of the others
with great care
and says nothing
for the third time
behind a closed door
"""
)
_OPENERS = _lines(
    """
Outside, the city waits.
Nobody in the room moves.
The clock strikes four.
A car idles in the yard.
The tea has gone cold.
Somewhere a door slams.
The wind rattles the frames.
Smoke hangs under the ceiling.
The corridor smells of wax and cabbage.
A train whistles far off.
"""
)
_PLACES = _lines(
    """
Kuntsevo dacha, near Moscow
The Kremlin, Moscow
Lubyanka, Moscow
Stavka headquarters
Smolny, Leningrad
Kuibyshev
Stalingrad
The Yalta conference
Sverdlovsk
Minsk
Kiev
Potsdam
Gorky
"""
)
_VIEWPOINTS = ["Beria", "Zhukov", "Molotov", "a typist", "Khrushchev", "a tank colonel", ""]
_MONTHS = _lines(
    """
January
February
March
April
May
June
July
August
September
October
November
December
"""
)
_LABELS = _lines(
    """
Sign the order
Tear up the list
Call the general staff
Say nothing
Send for Beria
Wait for morning
Ask Molotov to stay
Take the night train
Burn the file
Order the evacuation
Trust the report
Demand the figures
Go to the front
Call a vote
Warn the delegation
Hold the line
"""
)
_LOCKED_REASONS = _lines(
    """
There are not enough trains left.
Nobody trusts you enough for this.
Your nerve fails you.
The army would not follow.
You have not seen the file yet.
Only the party can order this.
The purge has taken the men you would need.
"""
)
_TITLES = _lines(
    """
The night call
A list of names
The rail yards
Before the plenum
The western front
A letter from home
The cipher room
Grain and steel
The long table
Evacuation
A quiet dacha
Snow on the line
The delegation
"""
)

ENDINGS: list[tuple[str, str, str]] = [
    ("armistice_1942", "The early armistice", "ambiguous"),
    ("berlin_1945", "The red flag over Berlin", "bittersweet"),
    ("collapse_1941", "The front collapses", "catastrophe"),
    ("thaw_1946", "An early thaw", "hopeful"),
    ("coup_1943", "The generals' coup", "grim"),
    ("exile_1944", "Exile in Kuibyshev", "grim"),
    ("reform_1947", "The reform congress", "triumph"),
    ("famine_1946", "The second famine", "catastrophe"),
    ("lend_lease", "The grand alliance holds", "hopeful"),
    ("show_trial", "The last show trial", "grim"),
    ("partisan_war", "The partisan republic", "ambiguous"),
    ("urals_fortress", "Fortress Urals", "bittersweet"),
    ("neutral_peace", "The neutral peace", "ambiguous"),
    ("iron_curtain", "The curtain falls early", "grim"),
    ("new_course", "The new course", "triumph"),
    ("quiet_retirement", "A quiet retirement", "bittersweet"),
    ("camp_return", "The return from the camps", "hopeful"),
    ("blockade_lifted", "The blockade lifted", "triumph"),
    ("divided_moscow", "Moscow divided", "catastrophe"),
]
AUTO_ENDING = ("disappeared", "Taken in the night", "catastrophe")
"""The one automatic ending: reached as soon as its `if` holds, wherever the player is."""

AUTO_CONDITION = "fear >= 10 and trust <= 2"

_EARLY_ENDINGS = ["collapse_1941", "show_trial", "coup_1943", "exile_1944", "famine_1946"]

_FACTIONS = ["party", "army", "nkvd", "reformers"]

VARIABLES: dict[str, dict[str, Any]] = {
    "supply": {
        "type": "int",
        "default": 5,
        "min": 0,
        "max": 10,
        "label": "Supply",
        "description": "Trains of shells and grain that still reach the front.",
    },
    "trust": {
        "type": "int",
        "default": 5,
        "min": 0,
        "max": 10,
        "label": "Trust",
        "description": "How far the Politburo believes you.",
    },
    "fear": {
        "type": "int",
        "default": 2,
        "min": 0,
        "max": 10,
        "label": "Fear",
        "description": "How afraid the apparatus is of you, and you of it.",
    },
    "army": {
        "type": "int",
        "default": 10,
        "min": 0,
        "max": 20,
        "label": "Divisions",
        "description": "Divisions at full strength, in tens.",
    },
    "morale": {
        "type": "int",
        "default": 0,
        "min": -5,
        "max": 5,
        "label": "Morale",
        "description": "The mood in the factories.",
        "visible": False,
    },
    "year": {
        "type": "int",
        "default": 1939,
        "min": 1939,
        "max": 1949,
        "label": "Year",
        "description": "The year of the story.",
    },
    "purged": {
        "type": "bool",
        "default": False,
        "label": "Purge under way",
        "description": "Whether a new purge has begun.",
    },
    "faction": {
        "type": "str",
        "default": "party",
        "values": _FACTIONS,
        "label": "Faction",
        "description": "Whose side you are seen to be on.",
    },
}

# --- expressions ------------------------------------------------------------------------


# Templates: `{n}` is a number drawn from the range, `{f}` a faction, `{place}` an earlier node.
_CONDITIONS: list[tuple[str, int, int]] = [
    ("supply >= {n}", 2, 7),
    ("trust > {n}", 2, 6),
    ("fear < {n}", 4, 9),
    ("army >= {n}", 5, 14),
    ("not purged", 0, 0),
    ("purged", 0, 0),
    ('faction == "{f}"', 0, 0),
    ('faction != "{f}"', 0, 0),
    ("morale + trust >= {n}", 3, 10),
    ("year >= {n}", 1940, 1946),
    ("supply * 2 > fear + {n}", 0, 6),
]
_VISIT_CONDITIONS: list[tuple[str, int, int]] = [
    ("visited({place})", 0, 0),
    ("visits({place}) == 0", 0, 0),
]
_STATEMENTS: list[tuple[str, int, int]] = [
    ("supply -= {n}", 1, 3),
    ("supply += {n}", 1, 2),
    ("trust += {n}", 1, 2),
    ("trust -= {n}", 1, 3),
    ("fear += {n}", 1, 2),
    ("fear -= {n}", 1, 2),
    ("army -= {n}", 1, 4),
    ("army += 2", 0, 0),
    ("morale = morale + supply / 4 - 1", 0, 0),
    ("purged = true", 0, 0),
    ("purged = not purged", 0, 0),
    ('faction = "{f}"', 0, 0),
    ("supply = max(0, supply - fear / 3)", 0, 0),
    ("trust = min(10, trust + abs(morale))", 0, 0),
]
_WEIGHTS: list[tuple[str, int, int]] = [
    ("{n}", 1, 5),  # a plain number
    ("supply * 2 + 1", 0, 0),
    ("max(1, 10 - fear)", 0, 0),
    ("trust", 0, 0),
    ("army / 2", 0, 0),
    ("fear - 2", 0, 0),
    ("min(supply, trust) + 1", 0, 0),
]


def _fill(
    rng: random.Random, templates: list[tuple[str, int, int]], earlier: Sequence[str] = ()
) -> str:
    template, low, high = rng.choice(templates)
    place = rng.choice(earlier) if earlier else ""
    return template.format(n=rng.randint(low, high), f=rng.choice(_FACTIONS), place=place)


def _condition(rng: random.Random, earlier: list[str]) -> str:
    """A condition over the variables, sometimes over the visits of an earlier node."""
    templates = _CONDITIONS + _VISIT_CONDITIONS if earlier else _CONDITIONS
    first = _fill(rng, templates, earlier)
    roll = rng.random()
    if roll < 0.35:
        return f"{first} and {_fill(rng, templates, earlier)}"
    if roll < 0.5:
        return f"({first}) or {_fill(rng, templates, earlier)}"
    return first


def _effects(rng: random.Random, low: int = 1, high: int = 3) -> str | list[str]:
    statements = [_fill(rng, _STATEMENTS) for _ in range(rng.randint(low, high))]
    if len(statements) > 1 and rng.random() < 0.3:
        return statements  # the list form
    return "; ".join(statements)


def _weight(rng: random.Random) -> int | str:
    weight = _fill(rng, _WEIGHTS)
    return int(weight) if weight.isdigit() else weight


# --- prose ------------------------------------------------------------------------------


def _sentence(rng: random.Random) -> str:
    if rng.random() < 0.12:
        return rng.choice(_OPENERS)
    return f"{rng.choice(_SUBJECTS)} {rng.choice(_VERBS)} {rng.choice(_OBJECTS)} {rng.choice(_ADVERBIALS)}."


def _prose(rng: random.Random, words: int) -> str:
    """Whole sentences adding up to about `words` words (at least one sentence)."""
    out: list[str] = []
    count = 0
    while True:
        sentence = _sentence(rng)
        size = sentence.count(" ") + 1
        if out and count + size > words:
            break
        out.append(sentence)
        count += size
    return " ".join(out)


def _node_text(rng: random.Random, earlier: list[str], words: tuple[int, int]) -> str:
    """About `words` words (150-300 by default, counting every branch) in three paragraphs,
    with `{value}` interpolations and `{if}` passages, one inline and one on lines of its own."""
    total = max(rng.randint(*words), 40)
    value = rng.choice(
        [
            "You have {supply} trains of shells left.",
            "It is {year}, and the faction that matters is the {faction}.",
            "Of the divisions, {army * 10} remain at strength.",
            "Your standing: trust {trust}, fear {fear}.",
            "A purge under way: {purged}.",
        ]
    )
    inline = rng.choice(
        [
            "The room is {if fear > 5}silent{else}loud with argument{end}.",
            "{if purged}Two chairs stand empty.{end}",
            "The {if supply >= 5}full{elif supply > 0}thin{else}empty{end} depots are on the map.",
        ]
    )
    # the fixed sentences and the condition keywords take about 15 words
    budget = total - 15
    passage = (
        f"{{if {_condition(rng, earlier)}}}\n{_prose(rng, budget // 5)}\n"
        f"{{elif {_condition(rng, earlier)}}}\n{_prose(rng, budget // 10)}\n"
        f"{{else}}\n{_prose(rng, budget // 10)}\n"
        "{end}\n"
    )
    head = _prose(rng, budget * 3 // 10)
    tail = _prose(rng, budget * 3 // 10)
    return f"{head} {value}\n\n{passage}\n{inline} {tail}\n"


# --- structure ---------------------------------------------------------------------------


def layer_widths(nodes: int) -> list[int]:
    """How many nodes each layer has: 1, 2, 4, ... up to about sqrt(2 * nodes)."""
    if nodes < 1:
        raise ValueError("a story needs at least one node")
    widest = max(2, round(math.sqrt(2 * nodes)))
    widths: list[int] = []
    width = 1
    left = nodes
    while left > 0:
        take = min(width, left)
        widths.append(take)
        left -= take
        width = min(width * 2, widest)
    return widths


def _node_id(index: int) -> str:
    return f"n{index:05d}"


def build_story_data(nodes: int, seed: int, words: tuple[int, int] = (150, 300)) -> dict[str, Any]:
    """The story as the dict a TOML file would parse to (story, variable, node, ending)."""
    rng = random.Random(seed)
    widths = layer_widths(nodes)
    starts = [sum(widths[:layer]) for layer in range(len(widths))]
    layers = len(widths)
    ending_ids = [ending[0] for ending in ENDINGS]
    next_ending = 0

    def cycle_ending() -> str:
        nonlocal next_ending
        ending = ending_ids[next_ending % len(ending_ids)]
        next_ending += 1
        return ending

    def in_layer(layer: int, position: int | None = None) -> str:
        layer = min(layer, layers - 1)
        if position is None:
            position = rng.randrange(widths[layer])
        return _node_id(starts[layer] + position)

    node_tables: list[dict[str, Any]] = []
    for layer, width in enumerate(widths):
        year = 1939 + (10 * layer) // max(1, layers)
        last = layer == layers - 1
        next_width = widths[layer + 1] if not last else 0
        earlier = [_node_id(rng.randrange(starts[layer])) for _ in range(3)] if layer > 0 else []
        for position in range(width):
            index = starts[layer] + position
            # the nodes of the next layer this one guarantees to reach
            if last:
                owned: list[str] = []
            elif next_width >= width:
                owned = [in_layer(layer + 1, q) for q in range(position, next_width, width)]
            else:
                owned = [in_layer(layer + 1, position % next_width)]
            node: dict[str, Any] = {
                "id": _node_id(index),
                "title": rng.choice(_TITLES),
                "date": f"{rng.randint(1, 28)} {rng.choice(_MONTHS)} {year}",
                "place": rng.choice(_PLACES),
            }
            viewpoint = rng.choice(_VIEWPOINTS)
            if viewpoint:
                node["viewpoint"] = viewpoint
            if position == 0:
                node["chapter"] = f"Chapter {layer + 1}: {year}"
            node["text"] = _node_text(rng, earlier, words)
            if position == 0 or rng.random() < 0.25:
                node["effects"] = (
                    f"year = max(year, {year})" if position == 0 else _effects(rng, 1, 2)
                )
            if rng.random() < 0.1:
                node["history"] = _prose(rng, 30)
                node["discuss"] = "What else could have been done here, and at what cost?"
                node["sources"] = ["Montefiore, *Stalin: The Court of the Red Tsar* (2003)"]
            kind = rng.random()
            automatic = not last and len(owned) == 1 and index > 0
            if automatic and kind < 0.08:
                _automatic_routes(rng, node, owned[0], layer, in_layer, earlier)
            elif automatic and kind < 0.15:
                _automatic_outcomes(rng, node, owned[0], layer, in_layer)
            else:
                _decision(rng, node, owned, layer, last, in_layer, earlier, cycle_ending)
            node_tables.append(node)

    endings: list[dict[str, Any]] = []
    for ending_id, title, tone in [*ENDINGS, AUTO_ENDING]:
        ending: dict[str, Any] = {
            "id": ending_id,
            "title": title,
            "date": f"{rng.randint(1, 28)} {rng.choice(_MONTHS)} {rng.randint(1941, 1949)}",
            "place": rng.choice(_PLACES),
            "tone": tone,
            "epilogue": (
                f"{_prose(rng, 80)}\n\n{{if trust > 5}}\nThey remember you kindly.\n"
                "{else}\nThey do not speak of you.\n{end}\n"
                "You finished with {supply} trains of shells and the {faction} behind you.\n"
            ),
            "history": _prose(rng, 25),
            "hint": "Reach the end of the war with the right friends.",
        }
        if ending_id == AUTO_ENDING[0]:
            ending["if"] = AUTO_CONDITION
            ending["content_warnings"] = ["execution"]
        endings.append(ending)

    return {
        "story": {
            "id": f"generated_{nodes}",
            "title": f"Generated story of {nodes} nodes",
            "subtitle": "A benchmark, not a history",
            "summary": "A machine-written story that uses every part of the format, for benchmarks.",
            "authors": ["benchmarks/generate.py"],
            "version": f"{seed}",
            "start": _node_id(0),
            "era": "1939 - 1949",
            "content_warnings": ["political violence"],
        },
        "variable": VARIABLES,
        "node": node_tables,
        "ending": endings,
    }


def _decision(
    rng: random.Random,
    node: dict[str, Any],
    owned: list[str],
    layer: int,
    last: bool,
    in_layer: Callable[..., str],
    earlier: list[str],
    cycle_ending: Callable[[], str],
) -> None:
    """2-4 choices: to the owned targets, plus conditional, locked, chance and once-only ones."""
    choices: list[dict[str, Any]] = []
    count = rng.randint(2, 4)
    if last:
        # The last layer decides the ending; the endings are dealt out in turn so all are used.
        targets = [cycle_ending() for _ in range(count)]
        for number, target in enumerate(targets):
            choice: dict[str, Any] = {
                "id": f"c{number + 1}",
                "label": rng.choice(_LABELS),
                "goto": target,
            }
            if number > 0 and rng.random() < 0.3:
                choice["if"] = _condition(rng, earlier)
                if rng.random() < 0.5:
                    choice["locked"] = rng.choice(_LOCKED_REASONS)
            choices.append(choice)
        choices[0].pop("if", None)
        choices[0].pop("locked", None)
        node["choice"] = choices
        return
    # Unconditional choices to the owned targets keep every node reachable.
    for target in owned:
        choice = {"label": rng.choice(_LABELS), "goto": target}
        if rng.random() < 0.6:
            choice["effects"] = _effects(rng)
        if rng.random() < 0.05:
            choice["historical"] = True
        choices.append(choice)
    while len(choices) < count:
        roll = rng.random()
        choice = {"label": rng.choice(_LABELS)}
        if roll < 0.3:  # conditional, shown locked with a reason when false
            choice["goto"] = in_layer(layer + rng.randint(1, 2))
            choice["if"] = _condition(rng, earlier)
            choice["locked"] = rng.choice(_LOCKED_REASONS)
            choice["effects"] = _effects(rng)
        elif roll < 0.5:  # conditional, hidden when false
            choice["goto"] = in_layer(layer + 1)
            choice["if"] = _condition(rng, earlier)
            choice["effects"] = _effects(rng)
        elif roll < 0.7:  # a gamble: chance outcomes with weights that depend on the state
            choice["effects"] = _effects(rng, 1, 1)
            outcomes = []
            for _ in range(rng.randint(2, 3)):
                outcome: dict[str, Any] = {"weight": _weight(rng), "goto": in_layer(layer + 1)}
                if rng.random() < 0.5:
                    outcome["effects"] = _effects(rng, 1, 2)
                outcomes.append(outcome)
            if rng.random() < 0.3:
                outcomes.append({"weight": "fear - 5", "goto": rng.choice(_EARLY_ENDINGS)})
            choice["outcome"] = outcomes
        elif roll < 0.85 and layer >= 2:  # once only: go back a layer to look again
            choice["goto"] = in_layer(layer - 1)
            choice["once"] = True
            choice["effects"] = "fear += 1"
        else:  # once only, forward, with a price
            choice["goto"] = in_layer(layer + 1)
            choice["once"] = True
            choice["if"] = "supply > 0"
            choice["locked"] = "There is nothing left to trade."
            choice["effects"] = ["supply -= 1", "trust += 1"]
        choices.append(choice)
    # Give the choices ids sometimes, as writers do; otherwise the key comes from goto.
    gotos = [choice.get("goto") for choice in choices]
    for number, choice in enumerate(choices):
        if "goto" not in choice or gotos.count(choice["goto"]) > 1 or rng.random() < 0.3:
            choice["id"] = f"c{number + 1}"
    node["choice"] = [_choice_order(choice) for choice in choices]
    if rng.random() < 0.15:  # a route tried before the choices: arrest when fear runs high
        node["route"] = [
            {"if": f"fear >= 9 and trust < {rng.randint(3, 6)}", "goto": rng.choice(_EARLY_ENDINGS)}
        ]


def _choice_order(choice: dict[str, Any]) -> dict[str, Any]:
    order = ["id", "label", "if", "locked", "goto", "once", "historical", "effects", "outcome"]
    return {key: choice[key] for key in order if key in choice}


def _automatic_routes(
    rng: random.Random,
    node: dict[str, Any],
    fallback: str,
    layer: int,
    in_layer: Callable[..., str],
    earlier: list[str],
) -> None:
    """Conditional routes, then one that always matches so the node can always be left."""
    routes: list[dict[str, Any]] = []
    for _ in range(rng.randint(1, 3)):
        route: dict[str, Any] = {"if": _condition(rng, earlier), "goto": in_layer(layer + 1)}
        if rng.random() < 0.5:
            route["effects"] = _effects(rng, 1, 2)
        routes.append(route)
    if rng.random() < 0.3:
        routes.insert(0, {"if": "army <= 1 and supply <= 1", "goto": "collapse_1941"})
    routes.append({"goto": fallback, "effects": "morale -= 1"})
    node["route"] = routes


def _automatic_outcomes(
    rng: random.Random,
    node: dict[str, Any],
    fallback: str,
    layer: int,
    in_layer: Callable[..., str],
) -> None:
    """A chance table drawn on arrival, its weights depending on the state."""
    # `supply + 1` is never below 1, so the fallback can always be drawn.
    outcomes: list[dict[str, Any]] = [{"weight": "supply + 1", "goto": fallback}]
    for _ in range(rng.randint(1, 2)):
        outcome: dict[str, Any] = {"weight": _weight(rng), "goto": in_layer(layer + 1)}
        if rng.random() < 0.6:
            outcome["effects"] = _effects(rng, 1, 2)
        outcomes.append(outcome)
    node["outcome"] = outcomes


# --- TOML ----------------------------------------------------------------------------------


def dump_story(data: dict[str, Any]) -> str:
    """TOML text for story data, with narrative in multi-line strings as a writer would."""
    return tomli_w.dumps(data, multiline_strings=True)


def split_story(data: dict[str, Any], chapters: int = 10) -> dict[str, str]:
    """Story data as a folder: `story.toml`, `chapters/partNN.toml` and `endings.toml`.

    Keys are paths relative to the story folder; the node order is kept.
    """
    node_tables = data["node"]
    files = {"story.toml": dump_story({"story": data["story"], "variable": data["variable"]})}
    size = max(1, math.ceil(len(node_tables) / chapters))
    for part, begin in enumerate(range(0, len(node_tables), size)):
        files[f"chapters/part{part + 1:02d}.toml"] = dump_story(
            {"node": node_tables[begin : begin + size]}
        )
    files["endings.toml"] = dump_story({"ending": data["ending"]})
    return files


def generate_story(nodes: int, seed: int) -> str:
    """A story of `nodes` nodes as the text of one `.toml` file."""
    return dump_story(build_story_data(nodes, seed))


def generate_story_files(nodes: int, seed: int, chapters: int = 10) -> dict[str, str]:
    """The same story as the files of a story folder (see `split_story`)."""
    return split_story(build_story_data(nodes, seed), chapters)


def reachable_places(story: Any) -> set[str]:
    """Ids of the nodes and endings a loaded `game.story.compiled.Story` can reach from its start,
    following every choice, route and outcome whatever its condition or weight, plus
    the automatic endings (which can strike anywhere): what `divergence check` uses."""
    from game.check.analysis import structurally_reachable

    return structurally_reachable(story)
