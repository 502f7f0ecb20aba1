"""A story drawn as a diagram: Mermaid or Graphviz DOT text, for writers to see its shape.

Every node is a box showing its title and id, the start node has a thick border and an
arrow from a `start` marker, and endings are rounded and coloured. A choice is an arrow
labelled with its text and, when it has one, its condition: `[if supply > 2]` for a choice
hidden while the condition is false, `[locked unless supply > 2]` for one shown locked.
Historical choices are drawn thick. A choice decided by chance goes to a small `chance`
diamond, whose dashed arrows carry the weights. Automatic routes are dashed arrows
labelled with their condition, or `otherwise`; a node's own chance outcomes hang from a
diamond the same way. An ending that can happen anywhere shows its condition.

The output follows the order of the story, so the same story always gives the same text.
Both formats are built from one list of boxes and arrows (`Diagram`), so they cannot
disagree about what the story contains.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal
from unicodedata import category

from game.story.compiled import Choice, Node, Outcome, Story
from game.story.expr import Compiled

MAX_LABEL = 40
"""Choice labels longer than this are cut at a word and end in an ellipsis."""
MAX_CONDITION = 60
"""The same for titles, conditions and weights."""

VertexKind = Literal["node", "ending", "chance", "entry"]
EdgeKind = Literal["choice", "historical", "automatic"]

ENTRY = "#start"
"""The key of the `start` marker: `#` is never part of a story id."""


@dataclass(frozen=True)
class Vertex:
    key: str  # a node or ending id, or ENTRY, or "#chanceN"
    lines: tuple[str, ...]
    kind: VertexKind
    start: bool = False


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    lines: tuple[str, ...]
    kind: EdgeKind


@dataclass(frozen=True)
class Diagram:
    title: str
    story_id: str
    vertices: tuple[Vertex, ...]
    edges: tuple[Edge, ...]


def shorten(text: str, limit: int = MAX_LABEL) -> str:
    """One line of at most `limit` characters: white space collapsed, long text cut at a word."""
    text = " ".join("".join(" " if category(char) == "Cc" else char for char in text).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


def _source(expression: Compiled) -> str:
    if expression.source:
        return shorten(expression.source, MAX_CONDITION)
    return "?" if expression.constant is None else str(expression.constant).lower()


def _choice_lines(choice: Choice) -> tuple[str, ...]:
    label = shorten(choice.label) or choice.key
    lines = [f"{label} (once)" if choice.once else label]
    if choice.condition is not None:
        condition = _source(choice.condition)
        if choice.locked is not None:
            lines.append(f"[locked unless {condition}]")
        else:
            lines.append(f"[if {condition}]")
    return tuple(lines)


def _weight_lines(outcome: Outcome, outcomes: Sequence[Outcome]) -> tuple[str, ...]:
    """`weight supply`, or with constant weights their share as well: `weight 1 (50%)`."""
    constants = [o.weight.constant for o in outcomes]
    text = f"weight {_source(outcome.weight)}"
    if all(isinstance(c, int) and not isinstance(c, bool) for c in constants):
        total = sum(max(0, int(c or 0)) for c in constants)
        if total > 0:
            share = max(0, int(outcome.weight.constant or 0)) * 100 / total
            text += f" ({share:.0f}%)"
    return (text,)


class _Builder:
    def __init__(self, story: Story) -> None:
        self.story = story
        self.vertices: list[Vertex] = []
        self.chances: list[Vertex] = []
        self.edges: list[Edge] = []

    def chance(self, source: str, lines: tuple[str, ...], kind: EdgeKind) -> str:
        key = f"#chance{len(self.chances) + 1}"
        self.chances.append(Vertex(key, ("chance",), "chance"))
        self.edges.append(Edge(source, key, lines, kind))
        return key

    def outcomes(self, source: str, outcomes: Sequence[Outcome]) -> None:
        for outcome in outcomes:
            lines = _weight_lines(outcome, outcomes)
            self.edges.append(Edge(source, outcome.target, lines, "automatic"))

    def node(self, node: Node) -> None:
        title = shorten(node.title, MAX_CONDITION) or node.id
        start = node.id == self.story.start
        self.vertices.append(Vertex(node.id, (title, node.id), "node", start))
        for choice in node.choices:
            lines = _choice_lines(choice)
            kind: EdgeKind = "historical" if choice.historical else "choice"
            if choice.target is not None:
                self.edges.append(Edge(node.id, choice.target, lines, kind))
            else:
                self.outcomes(self.chance(node.id, lines, kind), choice.outcomes)
        conditional = False
        for route in node.routes:
            if route.condition is not None:
                label = f"if {_source(route.condition)}"
                conditional = True
            else:
                label = "otherwise" if conditional else "always"
            self.edges.append(Edge(node.id, route.target, (label,), "automatic"))
        if node.outcomes:
            lines = ("otherwise",) if node.routes else ()
            self.outcomes(self.chance(node.id, lines, "automatic"), node.outcomes)

    def build(self) -> Diagram:
        story = self.story
        self.vertices.append(Vertex(ENTRY, ("start",), "entry"))
        self.edges.append(Edge(ENTRY, story.start, (), "choice"))
        for node in story.nodes.values():
            self.node(node)
        for ending in story.endings.values():
            lines = [shorten(ending.title, MAX_CONDITION) or ending.id, ending.id]
            if ending.condition is not None:
                lines.append(f"[whenever {_source(ending.condition)}]")
            self.vertices.append(Vertex(ending.id, tuple(lines), "ending"))
        return Diagram(
            story.title, story.id, tuple(self.vertices + self.chances), tuple(self.edges)
        )


def diagram(story: Story) -> Diagram:
    """The boxes and arrows of `story`, in story order."""
    return _Builder(story).build()


# --- Mermaid ------------------------------------------------------------------------

# Inside a quoted Mermaid label these would end the string, open a shape or an edge
# label, start an entity or be read as HTML: each becomes an entity code (`#quot;`).
# The colon goes too, because Mermaid treats `style...:...#...;` on a line specially.
_MERMAID_ENTITIES = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "[": "#91;",
    "]": "#93;",
    "{": "#123;",
    "}": "#125;",
    "|": "#124;",
    ";": "#59;",
    ":": "#58;",
    "`": "#96;",
}
_MERMAID_TABLE = str.maketrans(_MERMAID_ENTITIES)


def mermaid_text(lines: Sequence[str]) -> str:
    """A quoted Mermaid label: each line escaped, the lines joined with `<br>`."""
    return '"' + "<br>".join(line.translate(_MERMAID_TABLE) for line in lines) + '"'


def mermaid_id(key: str) -> str:
    """Safe Mermaid ids: `n_` before story ids keeps clear of keywords such as `end`."""
    if key == ENTRY:
        return "entry"
    if key.startswith("#chance"):
        return "chance" + key.removeprefix("#chance")
    return f"n_{key}"


_MERMAID_SHAPES: dict[VertexKind, tuple[str, str]] = {
    "node": ("[", "]"),
    "ending": ("([", "])"),
    "chance": ("{", "}"),
    "entry": ("((", "))"),
}
_MERMAID_CLASSES: dict[VertexKind, str] = {"ending": "finish", "chance": "chance", "entry": "entry"}
_MERMAID_ARROWS: dict[EdgeKind, str] = {"choice": "-->", "historical": "==>", "automatic": "-.->"}


def to_mermaid(story: Story) -> str:
    """The story as a Mermaid flowchart (for mermaid.live or a ```mermaid block on GitHub)."""
    graph = diagram(story)
    out = [
        "---",
        f"title: {json.dumps(graph.title, ensure_ascii=False)}",
        "---",
        f"%% {graph.story_id}: drawn by `divergence graph`",
        "flowchart TD",
        "    classDef startnode stroke-width:4px",
        "    classDef finish fill:#f6e0b5,stroke:#8a5a00,color:#3b2600",
        "    classDef chance fill:#eeeeee,stroke:#888888,color:#333333",
        "    classDef entry fill:#333333,stroke:#333333,color:#ffffff",
    ]
    for vertex in graph.vertices:
        opening, closing = _MERMAID_SHAPES[vertex.kind]
        style = "startnode" if vertex.start else _MERMAID_CLASSES.get(vertex.kind)
        suffix = f":::{style}" if style else ""
        out.append(
            f"    {mermaid_id(vertex.key)}{opening}{mermaid_text(vertex.lines)}{closing}{suffix}"
        )
    for edge in graph.edges:
        arrow = _MERMAID_ARROWS[edge.kind]
        label = f"|{mermaid_text(edge.lines)}|" if edge.lines else ""
        out.append(f"    {mermaid_id(edge.source)} {arrow}{label} {mermaid_id(edge.target)}")
    return "\n".join(out) + "\n"


# --- Graphviz DOT -------------------------------------------------------------------


def dot_string(text: str) -> str:
    """A quoted DOT string: backslashes and quotes escaped, line breaks as `\\n`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + escaped.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n") + '"'


def _dot_label(lines: Sequence[str]) -> str:
    return dot_string("\n".join(lines))


_DOT_VERTICES: dict[VertexKind, str] = {
    "node": "",
    "ending": 'shape=box, style="rounded,filled", fillcolor="#f6e0b5", color="#8a5a00"',
    "chance": 'shape=diamond, style=filled, fillcolor="#eeeeee", color="#888888", fontsize=9',
    "entry": 'shape=circle, style=filled, fillcolor="#333333", fontcolor="#ffffff", fontsize=9',
}
_DOT_EDGES: dict[EdgeKind, str] = {
    "choice": "",
    "historical": "penwidth=2.5",
    "automatic": "style=dashed",
}


def _attributes(*parts: str) -> str:
    present = [part for part in parts if part]
    return f" [{', '.join(present)}]" if present else ""


def to_dot(story: Story) -> str:
    """The story as a Graphviz digraph (`dot -Tsvg story.dot -o story.svg`)."""
    graph = diagram(story)
    out = [
        f"digraph {dot_string(graph.story_id)} {{",
        f"    graph [label={dot_string(graph.title)}, labelloc=t, fontsize=20];",
        "    node [shape=box, style=rounded];",
        "    edge [fontsize=10];",
    ]
    for vertex in graph.vertices:
        label = f"label={_dot_label(vertex.lines)}"
        start = "penwidth=3" if vertex.start else ""
        attributes = _attributes(label, _DOT_VERTICES[vertex.kind], start)
        out.append(f"    {dot_string(vertex.key)}{attributes};")
    for edge in graph.edges:
        label = f"label={_dot_label(edge.lines)}" if edge.lines else ""
        attributes = _attributes(label, _DOT_EDGES[edge.kind])
        out.append(f"    {dot_string(edge.source)} -> {dot_string(edge.target)}{attributes};")
    out.append("}")
    return "\n".join(out) + "\n"
