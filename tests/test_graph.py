"""`divergence graph`: Mermaid and DOT diagrams of a story, read back and checked."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import run_cli

from game.cli.entry import EXIT_OK, EXIT_STORY, EXIT_USAGE
from game.story.catalog import Catalog
from game.story.compiled import Story
from game.story.loader import load_story
from game.writer.graph import MAX_LABEL, shorten, to_dot, to_mermaid

TESTS = Path(__file__).parent
CROSSROADS = TESTS / "stories" / "crossroads.toml"
ROOT = TESTS.parent
DOT = shutil.which("dot")


def bundled() -> list[Story]:
    stories = [entry.story for entry in Catalog().entries() if entry.story is not None]
    assert stories, "the bundled stories load"
    return stories


def every_story() -> list[Story]:
    return [load_story(CROSSROADS), *bundled()]


@pytest.fixture(scope="module")
def crossroads() -> Story:
    return load_story(CROSSROADS)


# --- reading Mermaid back -----------------------------------------------------------

_SHAPES = {"((": "circle", "([": "stadium", "[": "box", "{": "diamond"}
_VERTEX = re.compile(r'^    (\w+)(\(\(|\(\[|\[|\{)"([^"]*)"(\)\)|\]\)|\]|\})(?::::(\w+))?$')
_EDGE = re.compile(r'^    (\w+) (-->|==>|-\.->)(?:\|"([^"]*)"\|)? (\w+)$')
_HEADER = re.compile(r"^(---|title: .*|%% .*|flowchart TD|    classDef \w+ [\w:#,.-]+)$")
_ENTITY = re.compile(r"#(\w+);")
_UNSAFE = set('"[]{}|;#<>:`&')


@dataclass
class MVertex:
    shape: str
    lines: list[str]
    style: str | None


@dataclass
class MEdge:
    source: str
    arrow: str
    lines: list[str]
    target: str


def decode(label: str) -> list[str]:
    """A Mermaid label as shown: split at `<br>`, entity codes turned back into characters."""
    if not label:
        return []
    raw = label.replace("<br>", "\n")
    remainder = _ENTITY.sub("", raw).replace("\n", "")
    assert not (set(remainder) & _UNSAFE), f"unescaped special character in {label!r}"

    def entity(match: re.Match[str]) -> str:
        name = match.group(1)
        return chr(int(name)) if name.isdigit() else html.unescape(f"&{name};")

    return _ENTITY.sub(entity, raw).split("\n")


def parse_mermaid(text: str) -> tuple[dict[str, MVertex], list[MEdge]]:
    """Every line is a header, a vertex or an edge, and every edge joins declared vertices."""
    vertices: dict[str, MVertex] = {}
    edges: list[MEdge] = []
    for line in text.splitlines():
        if found := _VERTEX.match(line):
            ident, opening, label, _closing, style = found.groups()
            assert ident not in vertices, f"{ident} declared twice"
            assert ident not in ("end", "graph", "subgraph", "style", "class", "click")
            vertices[ident] = MVertex(_SHAPES[opening], decode(label), style)
        elif found := _EDGE.match(line):
            source, arrow, label, target = found.groups()
            edges.append(MEdge(source, arrow, decode(label or ""), target))
        else:
            assert _HEADER.match(line), f"not a Mermaid line this tool writes: {line!r}"
    for edge in edges:
        assert edge.source in vertices, f"edge from undeclared {edge.source}"
        assert edge.target in vertices, f"edge to undeclared {edge.target}"
    return vertices, edges


def out_of(edges: list[MEdge], source: str) -> list[MEdge]:
    return [edge for edge in edges if edge.source == source]


# --- reading DOT back ---------------------------------------------------------------

_DOT_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')


def dot_unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), text)


def dot_strings(line: str) -> list[str]:
    return [dot_unescape(found) for found in _DOT_STRING.findall(line)]


def dot_json(text: str) -> dict[str, object]:
    assert DOT is not None
    result = subprocess.run(
        [DOT, "-Tjson"], input=text, capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr and "Error" not in result.stderr, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


# --- Mermaid ------------------------------------------------------------------------


def test_mermaid_shows_every_node_ending_and_choice_of_every_story() -> None:
    for story in every_story():
        vertices, edges = parse_mermaid(to_mermaid(story))
        for node in story.nodes.values():
            vertex = vertices[f"n_{node.id}"]
            assert vertex.shape == "box"
            assert vertex.lines[:2] == [shorten(node.title, 60), node.id]
            labels = [edge.lines[0] for edge in out_of(edges, f"n_{node.id}") if edge.lines]
            for choice in node.choices:
                assert any(label.startswith(shorten(choice.label)) for label in labels), (
                    story.id,
                    node.id,
                    choice.label,
                )
            expected = len(node.choices) + len(node.routes) + (1 if node.outcomes else 0)
            assert len(out_of(edges, f"n_{node.id}")) == expected
        for ending in story.endings.values():
            vertex = vertices[f"n_{ending.id}"]
            assert vertex.lines[:2] == [shorten(ending.title, 60), ending.id]
            assert not out_of(edges, f"n_{ending.id}")
        declared = {ident for ident in vertices if ident.startswith("n_")}
        assert declared == {f"n_{place}" for place in [*story.nodes, *story.endings]}


def test_mermaid_styles_endings_chance_and_the_start_apart(crossroads: Story) -> None:
    vertices, edges = parse_mermaid(to_mermaid(crossroads))
    for ident in ("n_victory", "n_defeat", "n_starved"):
        assert (vertices[ident].shape, vertices[ident].style) == ("stadium", "finish")
    for ident in ("n_front", "n_rear"):
        assert (vertices[ident].shape, vertices[ident].style) == ("box", None)
    assert vertices["n_hq"].style == "startnode"
    assert [(e.source, e.target) for e in edges if e.source == "entry"] == [("entry", "n_hq")]
    assert vertices["n_starved"].lines[-1] == "[whenever supply == 0]"
    chances = [ident for ident, vertex in vertices.items() if vertex.shape == "diamond"]
    assert len(chances) == 2 and all(vertices[c].style == "chance" for c in chances)


def test_mermaid_choice_edges_carry_conditions_locks_and_history(crossroads: Story) -> None:
    _vertices, edges = parse_mermaid(to_mermaid(crossroads))
    shown = {(e.source, e.target, tuple(e.lines), e.arrow) for e in edges}
    assert ("n_hq", "n_hq", ("Send trains (once)",), "-->") in shown
    assert ("n_hq", "n_hq", ("Heed the warning", "[if not warned]"), "-->") in shown
    assert ("n_hq", "n_front", ("Attack", "[locked unless supply >= 3]"), "==>") in shown
    assert ("n_hq", "n_front", ("Retreat", "[if visits(hq) >= 2]"), "-->") in shown
    assert ("n_front", "n_front", ("Dig in",), "-->") in shown
    assert ("n_front", "n_rear", ("if stance == 'retreat'",), "-.->") in shown


def test_mermaid_marks_chance_with_a_diamond_and_weighted_dashed_edges(crossroads: Story) -> None:
    vertices, edges = parse_mermaid(to_mermaid(crossroads))
    (push,) = [e for e in edges if e.lines == ["Push on"]]
    assert push.source == "n_front" and vertices[push.target].shape == "diamond"
    assert [(e.arrow, e.lines, e.target) for e in out_of(edges, push.target)] == [
        ("-.->", ["weight supply"], "n_victory"),
        ("-.->", ["weight 3"], "n_defeat"),
    ]
    (rear,) = out_of(edges, "n_rear")
    assert rear.arrow == "-.->" and vertices[rear.target].shape == "diamond"
    assert [(e.lines, e.target) for e in out_of(edges, rear.target)] == [
        (["weight 1 (50%)"], "n_victory"),
        (["weight 1 (50%)"], "n_defeat"),
    ]


def test_output_is_deterministic_and_in_story_order(crossroads: Story) -> None:
    again = load_story(CROSSROADS)
    assert to_mermaid(crossroads) == to_mermaid(again)
    assert to_dot(crossroads) == to_dot(again)
    text = to_mermaid(crossroads)
    positions = [text.index(f"n_{ident}[") for ident in ("hq", "front", "rear")]
    assert positions == sorted(positions)
    edges = [line for line in text.splitlines() if "-->" in line or "==>" in line]
    assert edges.index('    n_hq -->|"Send trains (once)"| n_hq') < edges.index(
        '    n_front -->|"Dig in"| n_front'
    )


# --- a story written to break the escaping ------------------------------------------

NASTY_TITLE = 'Штаб "Запад" [1941] {x} | a;b #quot; `c` style:#fff; \\ back'
NASTY_LABEL = '"Нет" [now] | or ; # 1 <br> & done'
NASTY_CONDITION = "supply > 2 and 'a;b' != \"[x]\""


def nasty_story(folder: Path) -> Path:
    def toml(text: str) -> str:
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a TOML basic string

    path = folder / "nasty.toml"
    path.write_text(
        f"""\
[story]
id = "nasty"
title = {toml('Кавычки "и" [скобки] | #1; <b>')}
summary = "Labels that break naive escaping."
start = "end"
era = "1941"

[variable.supply]
label = "Supply"
default = 5

[[node]]
id = "end"
title = {toml(NASTY_TITLE.replace("{x}", "{{x}}"))}  # braces doubled: titles are templates
text = "t"

[[node.choice]]
label = {toml(NASTY_LABEL)}
goto = "graph"
if = {toml(NASTY_CONDITION)}
locked = "No."

[[node.choice]]
label = "Line\\nbreak"
goto = "subgraph"

[[node]]
id = "graph"
title = "Граф"
text = "t"

[[node.choice]]
label = {toml("Дальше " * 20)}
goto = "subgraph"

[[ending]]
id = "subgraph"
title = "Конец"
tone = "grim"
epilogue = "e"
""",
        encoding="utf-8",
    )
    return path


def test_mermaid_escapes_quotes_brackets_pipes_and_keeps_cyrillic(tmp_path: Path) -> None:
    story = load_story(nasty_story(tmp_path))
    text = to_mermaid(story)
    vertices, edges = parse_mermaid(text)  # also: no special character is left unescaped
    assert vertices["n_end"].lines == [NASTY_TITLE, "end"]
    assert vertices["n_graph"].lines == ["Граф", "graph"]
    assert vertices["n_subgraph"].lines == ["Конец", "subgraph"]
    first, second = out_of(edges, "n_end")
    assert first.lines == [NASTY_LABEL, f"[locked unless {NASTY_CONDITION}]"]
    assert second.lines == ["Line break"]
    (long,) = out_of(edges, "n_graph")
    assert long.lines[0].startswith("Дальше Дальше") and long.lines[0].endswith("…")
    assert len(long.lines[0]) <= MAX_LABEL
    assert 'title: "Кавычки \\"и\\" [скобки] | #1; <b>"' in text


def test_dot_escapes_quotes_and_backslashes_and_keeps_cyrillic(tmp_path: Path) -> None:
    story = load_story(nasty_story(tmp_path))
    lines = to_dot(story).splitlines()
    (end,) = [line for line in lines if line.startswith('    "end" [')]
    assert dot_strings(end)[:2] == ["end", f"{NASTY_TITLE}\nend"]
    (edge,) = [line for line in lines if line.startswith('    "end" -> "graph"')]
    assert dot_strings(edge) == [
        "end",
        "graph",
        f"{NASTY_LABEL}\n[locked unless {NASTY_CONDITION}]",
    ]


@pytest.mark.skipif(DOT is None, reason="Graphviz 'dot' is not installed")
def test_dot_output_parses_and_reads_back_the_same_labels(tmp_path: Path) -> None:
    story = load_story(nasty_story(tmp_path))
    data = dot_json(to_dot(story))
    objects = data["objects"]
    assert isinstance(objects, list)
    labels = {item["name"]: dot_unescape(item["label"]) for item in objects}
    assert labels["end"] == f"{NASTY_TITLE}\nend"
    assert labels["subgraph"] == "Конец\nsubgraph"
    edges = data["edges"]
    assert isinstance(edges, list)
    names = [item["name"] for item in objects]
    found = {(names[e["tail"]], names[e["head"]]): dot_unescape(e.get("label", "")) for e in edges}
    assert found[("end", "graph")] == f"{NASTY_LABEL}\n[locked unless {NASTY_CONDITION}]"


@pytest.mark.skipif(DOT is None, reason="Graphviz 'dot' is not installed")
def test_dot_output_of_every_story_parses_with_every_place_and_choice() -> None:
    for story in every_story():
        data = dot_json(to_dot(story))
        objects = data["objects"]
        edges = data["edges"]
        assert isinstance(objects, list) and isinstance(edges, list)
        names = [item["name"] for item in objects]
        assert set(story.nodes) | set(story.endings) <= set(names)
        choices = sum(len(node.choices) for node in story.nodes.values())
        labels = [dot_unescape(edge.get("label", "")) for edge in edges]
        assert len([label for label in labels if not label.startswith(("if ", "weight "))]) >= (
            choices
        )


def test_dot_styles_endings_chance_routes_and_the_start(crossroads: Story) -> None:
    lines = to_dot(crossroads).splitlines()
    assert lines[0] == 'digraph "crossroads" {'
    assert lines[-1] == "}"

    def declaration(ident: str) -> str:
        (line,) = [line for line in lines if line.startswith(f'    "{ident}" [')]
        return line

    for ending in ("victory", "defeat", "starved"):
        assert 'fillcolor="#f6e0b5"' in declaration(ending)
    for node in ("hq", "front", "rear"):
        assert "fillcolor" not in declaration(node)
    assert "penwidth=3" in declaration("hq") and "penwidth" not in declaration("front")
    assert '    "#start" -> "hq";' in lines
    assert '    "front" -> "rear" [label="if stance == \'retreat\'", style=dashed];' in lines
    chances = [line for line in lines if "shape=diamond" in line]
    assert len(chances) == 2
    assert '    "#chance1" -> "victory" [label="weight supply", style=dashed];' in lines
    assert '    "hq" -> "front" [label="Attack\\n[locked unless supply >= 3]", penwidth=2.5];' in (
        lines
    )


def test_shorten_cuts_long_text_at_a_word_and_flattens_line_breaks() -> None:
    assert shorten("a\n b\t\x00c") == "a b c"
    long = "Keep the engine under steam through the night, whatever it costs"
    short = shorten(long)
    assert len(short) <= MAX_LABEL and short.endswith("…")
    assert long.startswith(short[:-1])
    assert shorten("x" * 100, 10) == "x" * 9 + "…"


# --- the command --------------------------------------------------------------------


def test_cli_writes_mermaid_by_default_and_dot_on_request(crossroads: Story) -> None:
    code, out = run_cli("graph", str(CROSSROADS))
    assert code == EXIT_OK and out == to_mermaid(crossroads)
    code, out = run_cli(
        "--stories", str(TESTS / "stories"), "graph", "crossroads", "--format", "dot"
    )
    assert code == EXIT_OK and out == to_dot(crossroads)


def test_cli_writes_a_file_with_o(tmp_path: Path, crossroads: Story) -> None:
    target = tmp_path / "maps" / "crossroads.dot"
    code, out = run_cli("graph", str(CROSSROADS), "--format", "dot", "-o", str(target))
    assert code == EXIT_OK
    assert target.read_text(encoding="utf-8") == to_dot(crossroads)
    assert str(target) in out


def test_cli_unknown_story_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run_cli("graph", "no_such_story")
    assert code == EXIT_USAGE and out == ""
    assert "no story called 'no_such_story'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        run_cli("graph", str(CROSSROADS), "--format", "png")
    assert exit_info.value.code == EXIT_USAGE


def test_cli_broken_story_shows_its_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(CROSSROADS.read_text().replace('goto = "rear"', 'goto = "reer"'))
    target = tmp_path / "out.mmd"
    code, out = run_cli("graph", str(broken), "-o", str(target))
    assert code == EXIT_STORY and out == ""
    assert "'reer'" in capsys.readouterr().err
    assert not target.exists()
