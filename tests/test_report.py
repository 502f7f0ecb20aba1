"""The class report: reading a class's saves (files, folders, zips), what it counts, what it
skips and why, every format, the command's exit codes, and the map's class percentages.

Two classes are made with the engine. A scripted one on The Special Train, small enough to
count by hand (the expectations below are worked out in the comments), with every kind of
file a teacher's folder may hold beside the saves. And random seeded play on The Special
Train and The Twin Vipers, checked against a count made here independently of the report.
"""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli as divergence

from game.classroom import report as report_module
from game.classroom.report import (
    DUPLICATE,
    MISSING,
    NO_STORY,
    OTHER_STORY,
    ClassReport,
    build_report,
    class_shares,
    collect,
    render_csv,
    render_html,
    render_markdown,
    render_text,
)
from game.cli.entry import EXIT_OK, EXIT_SAVE, EXIT_STORY, EXIT_USAGE
from game.play.engine import Engine, GameState
from game.play.vote import VoteRecord
from game.presentation import cells
from game.saves.files import (
    DAMAGED,
    MAX_SAVE_BYTES,
    NOT_A_SAVE,
    UNREADABLE,
    SaveFile,
    SaveFolder,
    _to_toml,
    autosave_slot,
    snapshot,
)
from game.story.catalog import Catalog
from game.story.compiled import Story
from game.story.loader import load_story

ROOT = Path(__file__).resolve().parent.parent
STORIES = ROOT / "stories"
START = datetime(2025, 10, 6, 9, 0, tzinfo=UTC)

# The scripted class on The Special Train. Every run banks the fires (so the engine stays
# cold and the night on the platform is routed straight to the State of Siege, with no
# chance in it) except Katya's, who keeps steam up, holds the platform and takes the NKVD
# digest: calm falls 4 -> 3 -> 1 -> 0 on the platform, and Black Snow ends her run there.
SCRIPTS: dict[str, list[str]] = {
    "Anna": ["walk_train", "bank_fires", "clear_highway", "zhukov_first", "his_name"],
    "Boris": ["bank_fires", "clear_highway", "digest_first", "soviet_name"],
    "Vera": ["bank_fires", "hold_platform", "zhukov_first", "his_name"],
    "Dmitri": ["bank_fires", "hold_platform", "digest_first"],  # stops at the State of Siege
    "Galina": ["bank_fires"],  # stops at the Sixteenth
    "Ivan": [],  # opened the story and stopped
    "Katya": ["raise_steam", "hold_platform", "digest_first"],  # Black Snow
}


@pytest.fixture(scope="module")
def special_train() -> Story:
    return load_story(STORIES / "special_train.toml")


@pytest.fixture(scope="module")
def twin_vipers() -> Story:
    return load_story(STORIES / "twin_vipers")


def lookup_in(*stories: Story) -> Any:
    by_id = {story.id: story for story in stories}

    def lookup(story_id: str) -> Story:
        if story_id not in by_id:
            raise LookupError(f"the story '{story_id}' is not installed")
        return by_id[story_id]

    return lookup


def played(story: Story, keys: list[str], seed: int = 0) -> GameState:
    engine = Engine(story)
    state = engine.start(seed)
    for key in keys:
        assert key in {choice.key for choice in engine.available(state)}, (state.node, key)
        state = engine.choose(state, key)
    return state


def save_of(
    story: Story, state: GameState, player: str, minute: int, saved_after: int = 30, **extra: Any
) -> SaveFile:
    created = START + timedelta(minutes=minute)
    save = snapshot(story, state, player, created=created, **extra)
    return save.model_copy(update={"saved": created + timedelta(minutes=saved_after)})


def write(path: Path, save: SaveFile) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(_to_toml(save), encoding="utf-8")
    return path


def scripted_class(story: Story, folder: Path) -> dict[str, Path]:
    """The seven scripted runs, one autosave each, in `folder`."""
    files = {}
    for minute, (player, keys) in enumerate(SCRIPTS.items()):
        save = save_of(story, played(story, keys), player, minute)
        files[player] = SaveFolder(folder).write(autosave_slot(story.id, player), save)
    return files


def add_clutter(story: Story, other: Story, folder: Path, files: dict[str, Path]) -> None:
    """Everything else a shared folder may hold (see `test_the_scripted_class_...`)."""
    anna = files["Anna"].read_bytes()
    (folder / "copies").mkdir()
    (folder / "copies" / "anna-again.toml").write_bytes(anna)  # an exact copy
    boris_earlier = save_of(story, played(story, SCRIPTS["Boris"][:2]), "Boris", 1, 10)
    write(folder / "boris before the papers.toml", boris_earlier)  # the same run, earlier
    text = files["Vera"].read_text(encoding="utf-8")
    (folder / "truncated.toml").write_text(text[: text.index("path = [") + 30], encoding="utf-8")
    noise = random.Random(1)
    (folder / "junk.toml").write_bytes(bytes(noise.randrange(256) for _ in range(999)))
    (folder / "empty.toml").write_bytes(b"")
    (folder / "profiles").mkdir()  # a save folder's own profiles are passed over in silence
    (folder / "profiles" / "anna.toml").write_text(
        'kind = "divergence-profile"\nplayer = "Anna"\n[endings]\nspecial_train = ["parade"]\n'
    )
    (folder / "stray").mkdir()  # a profile copied in among the saves is listed
    (folder / "stray" / "anna.toml").write_text(
        'kind = "divergence-profile"\nplayer = "Anna"\n[endings]\nspecial_train = ["parade"]\n'
    )
    (folder / "story.toml").write_bytes((STORIES / "special_train.toml").read_bytes())
    (folder / "pyproject.toml").write_text("[tool.something]\nvalue = 1\n")
    (folder / "notes.txt").write_text("not a .toml file: never looked at in a folder\n")
    (folder / ".hidden.toml").write_bytes(anna)  # hidden: never looked at
    other_save = save_of(other, played(other, []), "Lev", 20)
    write(folder / "lev-other-story.toml", other_save)
    lost = save_of(story, played(story, ["bank_fires"]), "Masha", 21)
    write(folder / "masha-lost-story.toml", lost.model_copy(update={"story": "lost_story"}))
    newer = text.replace("format = 1", "format = 99")
    (folder / "from-the-future.toml").write_text(newer, encoding="utf-8")
    no_player = "\n".join(line for line in text.splitlines() if not line.startswith("player ="))
    (folder / "no-player.toml").write_text(no_player, encoding="utf-8")


# What the clutter comes to, by the kind the report gives it.
EXPECTED_SKIPS = {
    "copies/anna-again.toml": DUPLICATE,
    "boris before the papers.toml": DUPLICATE,
    "truncated.toml": DAMAGED,
    "no-player.toml": DAMAGED,
    "junk.toml": NOT_A_SAVE,
    "empty.toml": NOT_A_SAVE,
    "stray/anna.toml": NOT_A_SAVE,
    "story.toml": NOT_A_SAVE,
    "pyproject.toml": NOT_A_SAVE,
    "from-the-future.toml": UNREADABLE,
    "masha-lost-story.toml": NO_STORY,
}


# With --story special_train: the save of the other story, and the one of a story not
# installed, are both saves of another story.
ANOTHER_STORY = {"lev-other-story.toml": OTHER_STORY, "masha-lost-story.toml": OTHER_STORY}


@pytest.fixture
def class_folder(tmp_path: Path, special_train: Story, twin_vipers: Story) -> Path:
    folder = tmp_path / "class"
    files = scripted_class(special_train, folder)
    add_clutter(special_train, twin_vipers, folder, files)
    return folder


def skipped_by_name(report: ClassReport, prefix: str) -> dict[str, str]:
    return {item.source.removeprefix(prefix): item.kind for item in report.skipped}


def check_scripted(report: ClassReport) -> None:
    """The scripted class, counted by hand."""
    part = report.story("special_train")
    assert part is not None
    # 7 runs; Anna, Boris and Vera reach Snow on Red Square, Katya Black Snow
    assert [run.player for run in part.runs] == [
        "Anna",
        "Boris",
        "Dmitri",
        "Galina",
        "Ivan",
        "Katya",
        "Vera",
    ]
    assert [run.decisions for run in part.runs] == [5, 4, 3, 1, 0, 3, 4]
    assert part.decisions == 20
    assert (part.finished, part.unfinished, part.players) == (4, 3, 7)
    endings = {ending.ending: (ending.runs, ending.share) for ending in part.endings}
    assert endings == {"parade": (3, 3 / 7), "black_snow": (1, 1 / 7), "kuibyshev": (0, 0.0)}
    assert [ending.ending for ending in part.endings] == ["parade", "black_snow", "kuibyshev"]
    nodes = {stat.node: stat for stat in part.nodes}
    # Tomorrow or Later: six runs chose (Anna twice: she walked the train first), Ivan
    # stands there; history kept steam up, which only Katya did
    decree = nodes["decree"]
    assert (decree.reached, decree.decided, decree.followed) == (7, 6, 1)
    assert {c.key: (c.runs, c.share) for c in decree.choices} == {
        "raise_steam": (1, 1 / 6),
        "bank_fires": (5, 5 / 6),
        "walk_train": (1, 1 / 6),
    }
    assert [c.key for c in decree.choices if c.historical] == ["raise_steam"]
    assert decree.diverged == 5 / 6
    sixteenth = nodes["sixteenth"]  # Galina stands there; three held the platform, two cleared
    assert (sixteenth.reached, sixteenth.decided) == (6, 5)
    assert {c.key: c.runs for c in sixteenth.choices} == {
        "hold_platform": 3,
        "clear_highway": 2,
        "move_train": 0,
    }
    assert sixteenth.diverged is None  # no historical choice there
    kremlin = nodes["kremlin"]
    assert (kremlin.reached, kremlin.decided) == (5, 5)
    assert {c.key: c.share for c in kremlin.choices} == {
        "zhukov_first": 2 / 5,
        "digest_first": 3 / 5,
        "read_note": 0.0,
    }
    # the platform: every run was routed past it (cold engine) or ended there (Katya)
    assert (nodes["night_platform"].reached, nodes["night_platform"].decided) == (0, 0)
    assert nodes["departure"].reached == 0
    siege = nodes["siege"]  # Dmitri stands there; Anna and Vera signed as history did
    assert (siege.reached, siege.decided, siege.followed) == (4, 3, 2)
    assert siege.diverged == 1 / 3
    # both decisions with history's choice had at least 3 runs: the decree diverged most
    assert part.min_runs == 3
    assert [stat.node for stat in part.divergences] == ["decree", "siege"]
    # four finished runs, four different paths, in the order of the runs
    assert [(path.runs, path.share) for path in part.paths] == [(1, 0.25)] * 4
    assert [[step.key for step in path.steps] for path in part.paths] == [
        SCRIPTS["Anna"],
        SCRIPTS["Boris"],
        SCRIPTS["Katya"],
        SCRIPTS["Vera"],
    ]
    assert part.loops  # Anna chose twice at the decree
    assert class_shares(report) == {
        ("decree", "raise_steam"): 1 / 6,
        ("decree", "bank_fires"): 5 / 6,
        ("decree", "walk_train"): 1 / 6,
        ("sixteenth", "hold_platform"): 3 / 5,
        ("sixteenth", "clear_highway"): 2 / 5,
        ("sixteenth", "move_train"): 0.0,
        ("kremlin", "zhukov_first"): 2 / 5,
        ("kremlin", "digest_first"): 3 / 5,
        ("kremlin", "read_note"): 0.0,
        ("siege", "his_name"): 2 / 3,
        ("siege", "soviet_name"): 1 / 3,
    }


def test_the_scripted_class_is_counted_by_hand_and_the_rest_skipped_with_reasons(
    class_folder: Path, special_train: Story, twin_vipers: Story
) -> None:
    report = build_report([class_folder], lookup_in(special_train, twin_vipers))
    check_scripted(report)
    prefix = f"{class_folder}/"
    assert skipped_by_name(report, prefix) == EXPECTED_SKIPS
    # 7 saves, the clutter above, and Lev's save of the other story: no hidden file, no .txt
    assert report.files == 7 + len(EXPECTED_SKIPS) + 1
    reasons = {item.source.removeprefix(prefix): item.reason for item in report.skipped}
    assert reasons["copies/anna-again.toml"].startswith("a copy of ")
    assert "earlier save of the same run" in reasons["boris before the papers.toml"]
    assert "cut short" in reasons["truncated.toml"]
    assert "'player'" in reasons["no-player.toml"]
    assert reasons["junk.toml"] == "not a text file"
    assert reasons["empty.toml"] == "an empty file"
    assert "profile" in reasons["stray/anna.toml"]
    assert reasons["story.toml"] == "a story file, not a save"
    assert reasons["pyproject.toml"] == "not a Divergence save"
    assert "newer version" in reasons["from-the-future.toml"]
    assert "'lost_story' is not installed" in reasons["masha-lost-story.toml"]
    # without --story, the save of the other story is a story of its own in the report
    assert [part.story for part in report.stories] == ["special_train", "twin_vipers"]
    assert [len(part.runs) for part in report.stories] == [7, 1]
    assert [run.number for part in report.stories for run in part.runs] == list(range(1, 9))


def test_only_the_story_asked_for_is_reported_and_the_others_are_listed(
    class_folder: Path, special_train: Story, twin_vipers: Story
) -> None:
    report = build_report(
        [class_folder], lookup_in(special_train, twin_vipers), story="special_train"
    )
    check_scripted(report)
    assert [part.story for part in report.stories] == ["special_train"]
    skips = skipped_by_name(report, f"{class_folder}/")
    assert skips == {**EXPECTED_SKIPS, **ANOTHER_STORY}
    assert report.story("twin_vipers") is None
    assert class_shares(report, "twin_vipers") == {}


def test_a_zip_of_the_class_reads_the_same_in_memory(
    class_folder: Path, tmp_path: Path, special_train: Story, twin_vipers: Story
) -> None:
    archive = tmp_path / "collected.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in sorted(class_folder.rglob("*")):
            if path.is_file():
                bundle.write(path, f"class/{path.relative_to(class_folder)}")
        bundle.writestr("__MACOSX/class/._auto.toml", b"\0\1resource fork")
    before = sorted(tmp_path.rglob("*"))
    report = build_report([archive], lookup_in(special_train, twin_vipers), "special_train")
    assert sorted(tmp_path.rglob("*")) == before  # nothing extracted
    check_scripted(report)
    skips = skipped_by_name(report, f"{archive}:class/")
    assert skips == {**EXPECTED_SKIPS, **ANOTHER_STORY}
    assert report.story() is not None
    assert report.story().runs[0].source.startswith(f"{archive}:class/")  # type: ignore[union-attr]


def test_zip_bombs_and_broken_zips_are_skipped_not_read(
    tmp_path: Path, special_train: Story, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = _to_toml(save_of(special_train, played(special_train, ["bank_fires"]), "Anna", 0))
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr("anna.toml", good)
        bundle.writestr("bomb.toml", b"\0" * (MAX_SAVE_BYTES + 1))
    assert archive.stat().st_size < 20_000
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"PK\3\4 this is not really a zip")
    report = build_report([archive, broken], lookup_in(special_train))
    assert report.runs == 1
    kinds = {item.source: (item.kind, item.reason) for item in report.skipped}
    assert kinds[f"{archive}:bomb.toml"][0] == NOT_A_SAVE
    assert "too large to be a save" in kinds[f"{archive}:bomb.toml"][1]
    assert kinds[str(broken)][0] == DAMAGED
    assert "not a readable zip" in kinds[str(broken)][1]
    # the total read from zips is capped, and so is the number of members looked at
    monkeypatch.setattr(report_module, "MAX_ZIP_TOTAL", len(good) + 10)
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as bundle:
        for index in range(4):
            save = save_of(special_train, played(special_train, []), f"P{index}", index)
            bundle.writestr(f"p{index}.toml", _to_toml(save))
    report = build_report([many], lookup_in(special_train))
    assert report.runs == 1
    assert [item.kind for item in report.skipped] == [UNREADABLE] * 3
    assert "more than" in report.skipped[0].reason
    monkeypatch.setattr(report_module, "MAX_ZIP_TOTAL", 2**30)
    monkeypatch.setattr(report_module, "MAX_ZIP_MEMBERS", 2)
    report = build_report([many], lookup_in(special_train))
    assert report.runs == 2
    assert len(report.skipped) == 1 and "nor 1 more" in report.skipped[0].reason


def test_a_path_that_no_longer_fits_counts_the_part_that_does(
    tmp_path: Path, special_train: Story
) -> None:
    state = played(special_train, ["bank_fires", "hold_platform", "zhukov_first"])
    save = save_of(special_train, state, "Oleg", 0)
    changed = [*save.path[:2], ("kremlin", "burn_the_papers")]  # a choice since removed
    write(tmp_path / "oleg.toml", save.model_copy(update={"path": changed}))
    report = build_report([tmp_path], lookup_in(special_train))
    part = report.story()
    assert part is not None and len(part.runs) == 1
    run = part.runs[0]
    assert run.decisions == 2 and not run.finished and run.node == "kremlin"
    assert "decision 3 of 3 no longer fits" in run.note and "first 2 are counted" in run.note
    assert any("no longer fits" in note for note in part.notes)
    assert "no longer fits" in render_text(report)


def test_a_class_vote_is_one_run_and_its_split_is_shown(
    tmp_path: Path, special_train: Story
) -> None:
    state = played(special_train, ["raise_steam", "clear_highway"])
    votes = [
        VoteRecord(0, {"raise_steam": 14, "bank_fires": 9}),
        VoteRecord(1, {"clear_highway": 12, "hold_platform": 12}, "teacher"),
    ]
    write(
        tmp_path / "class-vote.toml",
        save_of(special_train, state, "Class 9B", 0, votes=votes, classroom=True),
    )
    report = build_report([tmp_path], lookup_in(special_train))
    part = report.story()
    assert part is not None and len(part.runs) == 1 and part.runs[0].classroom
    decree = part.nodes[0]
    assert decree.votes == 1
    assert {c.key: c.hands for c in decree.choices} == {
        "raise_steam": 14,
        "bank_fires": 9,
        "walk_train": 0,
    }
    text = " ".join(render_text(report, width=100).split())
    assert (
        "Class votes: 1 vote, 23 hands: 14 Keep the engine under steam through the night, "
        "9 Bank the fires and save the coal" in text
    )
    assert "(class vote)" in text
    assert "Class votes: 1 vote, 24 hands" in render_markdown(report)


def random_class(story: Story, folder: Path, count: int, seed: int) -> list[GameState]:
    """`count` runs of random play (one in five stopped part-way), saved in `folder`."""
    engine = Engine(story)
    rng = random.Random(seed)
    states = []
    for index in range(count):
        state = engine.start(rng.randrange(2**32))
        limit = 1000 if rng.random() < 0.8 else rng.randrange(0, 4)
        while not state.over and len(state.path) < limit and engine.available(state):
            state = engine.choose(state, rng.choice(engine.available(state)).key)
        states.append(state)
        player = f"Student {seed}-{index:02d}"
        SaveFolder(folder).write(
            autosave_slot(story.id, player), save_of(story, state, player, index)
        )
    return states


@pytest.mark.parametrize("story_name", ["special_train", "twin_vipers"])
def test_random_classes_match_a_count_made_independently(
    story_name: str, tmp_path: Path, special_train: Story, twin_vipers: Story
) -> None:
    story = special_train if story_name == "special_train" else twin_vipers
    states = random_class(story, tmp_path / "class", 40, seed=len(story_name))
    report = build_report([tmp_path / "class"], lookup_in(story))
    part = report.story()
    assert part is not None and not report.skipped and report.files == 40
    assert len(part.runs) == 40
    assert part.decisions == sum(len(state.path) for state in states)
    assert part.finished == sum(1 for state in states if state.over)
    ends = Counter(state.ending for state in states if state.ending)
    assert {e.ending: e.runs for e in part.endings} == {e: ends[e] for e in story.endings}
    for stat in part.nodes:
        runs_choosing = [s for s in states if any(step.node == stat.node for step in s.path)]
        assert stat.decided == len(runs_choosing)
        for choice in stat.choices:
            took = sum(1 for s in runs_choosing if (stat.node, choice.key) in s.path)
            assert choice.runs == took
            assert choice.share == (took / len(runs_choosing) if runs_choosing else 0.0)
    finished_paths = Counter(tuple(s.path) for s in states if s.over)
    top = [path.runs for path in part.paths]
    assert top == sorted(finished_paths.values(), reverse=True)[: len(top)]
    rows = list(csv.DictReader(io.StringIO(render_csv(report))))
    assert len(rows) == part.decisions + sum(1 for s in states if not s.path)


@pytest.fixture
def full_report(class_folder: Path, special_train: Story, twin_vipers: Story) -> ClassReport:
    hostile = save_of(
        special_train,
        played(special_train, ["bank_fires"]),
        "<script>alert('x')</script> =HYPERLINK(\"x\") \x1b[31m|red|",
        40,
    )
    write(class_folder / "hostile.toml", hostile)
    return build_report([class_folder], lookup_in(special_train, twin_vipers))


def test_the_text_report_has_bars_and_fits_72_columns(full_report: ClassReport) -> None:
    text = render_text(full_report)
    assert "CLASS REPORT" in text
    assert "█" in text and "◆" in text
    for heading in (
        "Endings",
        "Where the class diverged from history most",
        "Decisions, in story order",
        "Most common paths",
        "Runs",
        "Skipped (11)",
    ):
        assert heading in text
    assert "These saves are of 2 stories" in text
    assert all(cells(line) <= 72 for line in text.splitlines()), max(text.splitlines(), key=cells)
    assert "\x1b" not in text
    assert "No run chose at: Three Lengths of the Train, Ryazan at First Light." in " ".join(
        text.split()
    )
    wide = render_text(full_report, width=100)
    assert max(cells(line) for line in wide.splitlines()) > 72


def test_the_markdown_report_has_tables(full_report: ClassReport) -> None:
    text = render_markdown(full_report)
    assert text.startswith("# Class report\n")
    assert "| Choice | Runs | Share | |" in text and "|---|--:|--:|---|" in text
    assert "| Ending | Runs | Share | |" in text
    # with the hostile run, seven runs chose at the decree: one kept steam up
    assert "Keep the engine under steam through the night **◆ history** | 1 | 14% |" in text
    assert "\\|red\\|" in text  # a | in a name does not break the table
    assert "\x1b" not in text
    for line in text.splitlines():
        if line.startswith("| ") and "|---" not in line:
            assert line.endswith(" |"), line


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []
        self.open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attributes.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_html_report_is_one_self_contained_page_with_svg_charts(
    full_report: ClassReport,
) -> None:
    page = render_html(full_report)
    parser = Page()
    parser.feed(page)
    parser.close()
    assert page.startswith("<!DOCTYPE html>")
    # The Special Train: endings, divergences, four decisions; The Twin Vipers (one run,
    # standing at its first decision): endings, that decision
    assert parser.tags["svg"] == 8 and parser.tags["rect"] == 2 * parser.tags["g"]
    assert parser.tags["style"] == 1 and parser.tags["table"] >= 3
    assert parser.tags["script"] == 0
    names = {name for name, _value in parser.attributes}
    assert not any(name.startswith("on") for name in names)
    assert not names & {"src", "href", "srcset", "action"}
    assert "url(" not in page and "@import" not in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")
    text = "".join(parser.text)
    assert "<script>alert('x')</script>" in text  # shown as text, escaped in the source
    assert "&lt;script&gt;" in page and "<script>" not in page
    assert "◆ Keep the engine under steam" in text and "14% · 1" in text
    assert "@media print" in page


def test_the_csv_has_a_row_per_decision_and_one_for_a_run_without(
    full_report: ClassReport,
) -> None:
    rows = list(csv.reader(io.StringIO(render_csv(full_report))))
    assert rows[0] == [
        "player",
        "file",
        "story",
        "run",
        "decision",
        "node",
        "node_title",
        "choice",
        "choice_label",
        "historical",
        "ending",
    ]
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    decisions = sum(part.decisions for part in full_report.stories)
    empty_runs = sum(1 for p in full_report.stories for run in p.runs if not run.decisions)
    assert len(body) == decisions + empty_runs == 20 + 1 + 1 + 1  # Ivan, the hostile one, Lev
    ivan = [row for row in body if row["player"] == "Ivan"]
    assert len(ivan) == 1 and ivan[0]["decision"] == "" and ivan[0]["ending"] == ""
    katya = [row for row in body if row["player"] == "Katya"]
    assert [row["choice"] for row in katya] == SCRIPTS["Katya"]
    assert [row["historical"] for row in katya] == ["yes", "no", "no"]
    assert {row["ending"] for row in katya} == {"Black Snow"}
    assert katya[0]["node_title"] == "Tomorrow or Later"
    assert katya[0]["choice_label"] == "Keep the engine under steam through the night"
    hostile = [row for row in body if "HYPERLINK" in row["player"]]
    assert hostile and all(row["player"].startswith("<script>") for row in hostile)
    assert {row["story"] for row in body} == {"special_train", "twin_vipers"}


# -- the command --


def run_cli(*args: str) -> tuple[int, str]:
    return divergence("report", *args)


def test_the_command_reports_in_every_format_and_exits_0_despite_skips(
    class_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run_cli(str(class_folder), "--story", "special_train")
    assert code == EXIT_OK
    assert "The Special Train" in out and "Skipped (12)" in out
    assert capsys.readouterr().err == ""
    for format, marker in (("md", "# Class report"), ("html", "<svg"), ("csv", "player,file")):
        target = tmp_path / f"report.{format}"
        code, out = run_cli(str(class_folder), "--format", format, "-o", str(target))
        assert code == EXIT_OK, capsys.readouterr().err
        assert "Wrote the class report (8 runs; 11 files skipped" in out
        assert marker in target.read_text(encoding="utf-8")
    err = capsys.readouterr().err
    assert "truncated.toml: a damaged save" in err  # a CSV cannot list them: stderr does


def test_the_command_exit_codes(
    class_folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run_cli(str(tmp_path / "nothing-here"))[0] == EXIT_USAGE
    assert "no such file or folder" in capsys.readouterr().err
    # a missing path beside one that exists is listed, not fatal
    code, out = run_cli(str(class_folder), str(tmp_path / "typo"))
    assert code == EXIT_OK and "typo: no such file or folder" in " ".join(out.split())
    empty = tmp_path / "empty"
    empty.mkdir()
    assert run_cli(str(empty))[0] == EXIT_SAVE
    err = capsys.readouterr().err
    assert "no readable saves in" in err and "Traceback" not in err
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "notes.toml").write_text("[x]\ny = 1\n")
    assert run_cli(str(junk))[0] == EXIT_SAVE
    assert "notes.toml: not a Divergence save" in capsys.readouterr().err
    assert run_cli(str(class_folder), "--story", "fourth_power")[0] == EXIT_SAVE
    assert "no readable saves of 'fourth_power'" in capsys.readouterr().err
    assert run_cli(str(class_folder), "--story", "no_such_story")[0] == EXIT_USAGE
    broken = tmp_path / "broken.toml"
    broken.write_text('[story]\nid = "broken"\n')
    assert run_cli(str(class_folder), "--story", str(broken))[0] == EXIT_STORY
    with pytest.raises(SystemExit) as usage:
        run_cli(str(class_folder), "--format", "pdf")
    assert usage.value.code == EXIT_USAGE


def test_the_command_finds_only_the_stories_the_saves_name(
    class_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    loaded: list[str] = []
    load = Catalog._load

    def counting(path: Path) -> Any:
        loaded.append(path.name)
        return load(path)

    monkeypatch.setattr(Catalog, "_load", staticmethod(counting))
    code, _out = run_cli(str(class_folder))
    assert code == EXIT_OK
    assert sorted(loaded) == ["special_train.toml", "twin_vipers"]  # not every story


def test_collect_on_no_paths_is_empty() -> None:
    collected = collect([])
    assert collected.found == [] and collected.skipped == [] and collected.files == 0
    report = build_report([], lookup_in())
    assert report.stories == () and report.runs == 0
    assert MISSING in report_module.SKIP_HEADINGS


# -- the map's class percentages --


async def test_the_map_shows_the_class_percentages_with_p(
    tmp_path: Path, special_train: Story
) -> None:
    from textual.widgets import Static

    from game.ui.app import DivergenceApp
    from game.ui.map import MapScreen, MapTree

    stories = tmp_path / "stories"
    stories.mkdir()
    (stories / "special_train.toml").write_bytes((STORIES / "special_train.toml").read_bytes())
    saves = tmp_path / "saves"
    for minute, player in enumerate(("Anna", "Boris", "Vera")):
        state = played(special_train, SCRIPTS[player])
        SaveFolder(saves).write(f"{player}", save_of(special_train, state, player, minute))
    (saves / "damaged.toml").write_text("kind = 'divergence-save'\npath = [")
    # with Zed's own run (banked the fires, held the platform): four runs in the folder.
    # The decree: all four banked the fires, Anna walked the train first; the Sixteenth:
    # Anna and Boris cleared the highway, Vera and Zed held the platform; the papers:
    # Anna and Vera put Zhukov's report on top, Boris the digest, Zed has not chosen yet.
    expected = [
        "Keep the engine under steam through the night (0% chose this)",
        "Bank the fires and save the coal (100% chose this)",
        "Walk the length of the train before you decide (once) (25% chose this)",
        "Keep every man on the platform: the train is your order (50% chose this)",
        "Take half your men out to clear the highway (50% chose this)",
        "Put Zhukov's report on top (67% chose this)",
        "Put the NKVD digest on top (33% chose this)",
    ]

    def labels(app: Any) -> list[str]:
        tree = app.screen.query_one(MapTree)
        found = []
        stack = [tree.root]
        while stack:
            node = stack.pop()
            found.append(str(node.label))
            stack.extend(node.children)
        return found

    catalog = Catalog([stories], include_bundled=False)
    app = DivergenceApp(catalog, SaveFolder(saves), player="Zed", story="special_train", seed=7)
    async with app.run_test(size=(160, 50)) as pilot:
        await pilot.press("2", "1")
        await pilot.pause()
        await pilot.press("m")
        await pilot.pause()
        await pilot.pause()
        assert isinstance(app.screen, MapScreen)
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        assert "Class percentages" in commands
        assert not any("chose this" in label for label in labels(app))
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        shown = labels(app)
        for text in expected:
            assert any(label.startswith(text) for label in shown), (text, shown)
        legend = app.screen.query_one("#map-legend", Static)
        assert "% of 4 runs in the save folder" in str(legend.content)
        strips = app.screen._compositor.render_strips()
        screen = "\n".join("".join(s.text for s in strip) for strip in strips)
        assert "Bank the fires and save the coal (100% chose this)" in screen
        await pilot.press("p")  # and hidden again
        await pilot.pause()
        assert not any("chose this" in label for label in labels(app))
        commands["Class percentages"].callback()  # the palette's command does the same
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert any("(50% chose this)" in label for label in labels(app))


async def test_the_map_says_so_when_no_saves_of_the_story_are_there(tmp_path: Path) -> None:
    from game.ui.app import DivergenceApp
    from game.ui.map import MapScreen

    stories = tmp_path / "stories"
    stories.mkdir()
    (stories / "special_train.toml").write_bytes((STORIES / "special_train.toml").read_bytes())

    catalog = Catalog([stories], include_bundled=False)
    app = DivergenceApp(catalog, tmp_path / "saves", player="Zed", story="special_train", seed=7)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("m")  # nothing chosen yet: nothing autosaved
        await pilot.pause()
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MapScreen) and screen.shares is None
        notices = [notification.message for notification in app._notifications]
        assert any("no saves of this story" in message for message in notices)
