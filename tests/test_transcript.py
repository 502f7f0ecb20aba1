"""Transcripts: a saved run replayed and written out for a lesson, as Markdown and HTML.

The known run is the one tests/test_ui.py plays through The Special Train (seed 7, no
chance on the way), with a class vote at decisions 1 (14 to 9) and 3 (a 12-12 tie the
teacher settled):
  1  bank the fires           (no change; history kept the engine under steam)
  2  keep the men on it       Districts reporting calm -2
  3  Zhukov's report on top   calm +2 (the platform routes on to the siege, calm -1 +3)
  4  his own signature        Word on the street: here -> "Snow on Red Square"
"""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli
from textual.app import App

from game.classroom.transcript import build_transcript, to_html, to_markdown, transcript_paths
from game.cli.entry import EXIT_OK, EXIT_SAVE, EXIT_STORY, EXIT_USAGE
from game.play.engine import Engine, EngineError, Step
from game.play.vote import VoteRecord
from game.saves.files import SaveFile, SaveFolder, autosave_slot, snapshot
from game.story.catalog import Catalog
from game.story.compiled import Story
from game.story.loader import load_story
from game.ui.app import DivergenceApp
from game.ui.ending import EndingScreen

TESTS = Path(__file__).parent
ROOT = TESTS.parent
SPECIAL_TRAIN = ROOT / "stories" / "special_train.toml"
CROSSROADS = TESTS / "stories" / "crossroads.toml"
CREATED = datetime(2025, 3, 3, 10, 2, tzinfo=UTC)
SAVED = datetime(2025, 3, 3, 10, 40, tzinfo=UTC)
KNOWN_RUN = [
    Step("decree", "bank_fires"),
    Step("sixteenth", "hold_platform"),
    Step("kremlin", "zhukov_first"),
    Step("siege", "his_name"),
]
VOTES = [
    VoteRecord(0, {"raise_steam": 9, "bank_fires": 14}),
    VoteRecord(2, {"zhukov_first": 12, "digest_first": 12}, "teacher"),
]


def saved_run(
    story: Story,
    steps: list[Step],
    seed: int,
    votes: list[VoteRecord] | None = None,
    player: str = "Anna",
) -> SaveFile:
    """A save of `steps` played on `story`, at fixed times."""
    state = Engine(story).replay(seed, steps)[-1]
    save = snapshot(story, state, player, created=CREATED, votes=votes or [], classroom=bool(votes))
    return save.model_copy(update={"saved": SAVED})


@pytest.fixture(scope="module")
def special_train() -> Story:
    return load_story(SPECIAL_TRAIN)


@pytest.fixture(scope="module")
def crossroads() -> Story:
    return load_story(CROSSROADS)


@pytest.fixture
def known_save(special_train: Story) -> SaveFile:
    return saved_run(special_train, KNOWN_RUN, 7, VOTES)


# -- the known run --


def test_every_decision_of_the_known_run_in_order(
    special_train: Story, known_save: SaveFile
) -> None:
    t = build_transcript(special_train, known_save)
    assert [(d.number, d.date, d.scene, d.choice, d.historical) for d in t.decisions] == [
        (
            1,
            "15 October 1941, evening",
            "Tomorrow or Later",
            "Bank the fires and save the coal",
            False,
        ),
        (
            2,
            "16 October 1941",
            "The Sixteenth",
            "Keep every man on the platform: the train is your order",
            None,  # the scene has no historical choice
        ),
        (
            3,
            "17 October 1941, night",
            "The Order of the Papers",
            "Put Zhukov's report on top",
            None,
        ),
        (
            4,
            "19 October 1941, evening",
            "State of Siege",
            "Type it for his own signature, as Chairman",
            True,
        ),
    ]
    first = t.decisions[0]
    assert first.place == "A goods siding near Ilyich Square, Moscow"
    assert first.history_choice == "Keep the engine under steam through the night"
    assert first.verdict == (
        "not history's choice; history chose: Keep the engine under steam through the night"
    )
    assert [d.changes for d in t.decisions] == [
        (),
        ("Districts reporting calm -2",),
        ("Districts reporting calm +2",),
        ("Word on the street: here",),
    ]
    assert [d.vote is not None for d in t.decisions] == [True, False, True, False]
    assert t.decisions[2].vote is not None and t.decisions[2].vote.by_teacher
    assert first.history == special_train.nodes["decree"].history
    assert first.discuss == special_train.nodes["decree"].discuss
    assert t.ending is not None and t.ending.title == "Snow on Red Square"
    assert t.finished and t.broken is None and not t.revised
    assert t.classroom and t.seed == 7 and t.player == "Anna"


def test_the_markdown_of_the_known_run(special_train: Story, known_save: SaveFile) -> None:
    md = to_markdown(build_transcript(special_train, known_save))
    lines = md.splitlines()
    assert lines[0] == "# The Special Train"
    for fact in (
        "- **Player:** Anna",
        "- **Played:** 3 March 2025, 10:02–10:40 UTC",
        "- **Seed:** 7",
        "- **Class vote:** yes",
        "- **Decisions:** 4",
        "- **Ending:** Snow on Red Square (hopeful)",
    ):
        assert fact in lines
    headings = [line for line in lines if line.startswith("## ")]
    assert headings == [
        "## 1. Tomorrow or Later",
        "## 2. The Sixteenth",
        "## 3. The Order of the Papers",
        "## 4. State of Siege",
        "## Ending: Snow on Red Square",
        "## The final dossier",
    ]
    assert "*15 October 1941, evening · A goods siding near Ilyich Square, Moscow*" in lines
    assert (
        "- **Choice:** Bank the fires and save the coal — not history's choice; "
        "history chose: Keep the engine under steam through the night"
    ) in lines
    assert "- **Choice:** Type it for his own signature, as Chairman — history's choice" in lines
    assert (
        "- **Class vote:** 14 Bank the fires and save the coal, "
        "9 Keep the engine under steam through the night"
    ) in lines
    assert (
        "- **Class vote:** 12 Put Zhukov's report on top, 12 Put the NKVD digest on top; "
        "decided by the teacher after a tie"
    ) in lines
    assert [line for line in lines if line.startswith("- **Dossier:**")] == [
        "- **Dossier:** no change",
        "- **Dossier:** Districts reporting calm -2",
        "- **Dossier:** Districts reporting calm +2",
        "- **Dossier:** Word on the street: here",
    ]
    assert lines.count("### What really happened") == 5  # four scenes and the ending
    assert lines.count("### For discussion") == 4
    assert special_train.nodes["decree"].history.strip() in md
    assert special_train.nodes["kremlin"].discuss in md
    assert "- Rodric Braithwaite, Moscow 1941: A City and Its People at War (2006)" in lines
    # the epilogue rendered with the final state: his name was on the siege order
    assert "*7 November 1941 · Red Square, Moscow · tone: hopeful*" in lines
    assert "Nobody in the crowd is surprised to see him." in md
    assert "Until this morning half of Moscow" not in md
    assert "{if" not in md
    assert special_train.endings["parade"].history.strip() in md
    assert md.endswith("- Word on the street: here\n")
    assert "Stalin's doubt" not in md  # hidden variables stay hidden


def test_a_run_without_votes_says_so_and_shows_no_split(special_train: Story) -> None:
    save = saved_run(special_train, KNOWN_RUN, 7)
    md = to_markdown(build_transcript(special_train, save))
    assert "- **Class vote:** no" in md.splitlines()
    assert "Class vote:** 14" not in md


def test_chance_and_clamped_changes_on_crossroads(crossroads: Story) -> None:
    steps = [Step("hq", "choice1"), Step("hq", "attack"), Step("front", "push")]
    won = build_transcript(crossroads, saved_run(crossroads, steps, 2))
    assert [d.changes for d in won.decisions] == [
        ("Supply +5",),  # 5 + 20, kept to the maximum of 10; the hidden secret not shown
        ("Supply -1", "Stance: attack"),  # the front's own effect counts too
        (),
    ]
    assert won.ending is not None and won.ending.epilogue == "You won with 9 supply left."
    assert won.ending.history == "History went otherwise."
    lost = build_transcript(crossroads, saved_run(crossroads, steps, 0))
    assert lost.ending is not None and lost.ending.title == "Defeat"
    md = to_markdown(lost)
    assert "## Ending: Defeat" in md and "You lost." in md
    assert "- **Dossier:** Nerve -2" in md.splitlines()


# -- unfinished and broken runs --


def test_an_unfinished_run(crossroads: Story) -> None:
    t = build_transcript(crossroads, saved_run(crossroads, [Step("hq", "choice1")], 2))
    assert not t.finished and t.ending is None and t.broken is None
    assert t.stands_at == "Headquarters (22 June 1941)"
    md = to_markdown(t)
    assert "- **Ending:** unfinished" in md.splitlines()
    assert "## Unfinished" in md
    assert (
        "The run has not ended: it stands at Headquarters (22 June 1941), after 1 decision." in md
    )
    assert "## Ending" not in md
    page = to_html(t)
    assert "<h2>Unfinished</h2>" in page and "after 1 decision." in page
    assert_well_formed(page)


def test_a_run_just_begun_has_no_decisions(crossroads: Story) -> None:
    t = build_transcript(crossroads, saved_run(crossroads, [], 2))
    assert t.decisions == () and t.stands_at == "Headquarters (22 June 1941)"
    assert "after 0 decisions" in to_markdown(t)


def test_a_save_whose_story_changed_is_transcribed_as_far_as_it_fits(
    crossroads: Story, tmp_path: Path
) -> None:
    steps = [Step("hq", "choice1"), Step("hq", "attack"), Step("front", "push")]
    save = saved_run(crossroads, steps, 2)
    revised_path = tmp_path / "crossroads.toml"
    revised_path.write_text(CROSSROADS.read_text().replace('id = "attack"', 'id = "charge"'))
    revised = load_story(revised_path)
    t = build_transcript(revised, save)
    assert [d.choice for d in t.decisions] == ["Send trains"]
    assert t.broken is not None and t.broken.decision == 2 and t.broken.recorded == 3
    assert "no choice 'attack'" in t.broken.reason
    assert t.broken.recorded_ending == "Victory"
    assert t.ending is None and t.revised
    md = to_markdown(t)
    assert "## The record breaks here" in md
    assert "Decision 2 of the 3 recorded no longer fits: node 'hq' has no choice 'attack'." in md
    assert "the 1 decision that still fits; the save had reached the ending 'Victory'." in md
    assert "- **Ending:** cannot be replayed on this version of the story" in md.splitlines()
    assert "## Ending" not in md and "## Unfinished" not in md
    page = to_html(t)
    assert "The record breaks here" in page and "node &#39;hq&#39; has no choice" in page
    assert_well_formed(page)


def test_a_revised_story_whose_path_still_fits_says_so(crossroads: Story, tmp_path: Path) -> None:
    save = saved_run(crossroads, [Step("hq", "choice1")], 2)
    revised_path = tmp_path / "crossroads.toml"
    revised_path.write_text(CROSSROADS.read_text().replace("Quiet.", "Very quiet."))
    t = build_transcript(load_story(revised_path), save)
    assert t.revised and t.broken is None
    assert "its path still fits" in to_markdown(t)


LOOPING = """
[story]
id = "loop"
title = "Round and Round"
summary = "A revision whose first two scenes route into each other."
start = "a"
era = "1941"

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

[[node.choice]]
label = "Leave"
goto = "end"

[[ending]]
id = "end"
title = "The End"
tone = "grim"
epilogue = "Over."
"""


def test_a_story_that_can_no_longer_start_is_no_crash(tmp_path: Path) -> None:
    path = tmp_path / "loop.toml"
    path.write_text(LOOPING)
    looping = load_story(path)
    with pytest.raises(EngineError):
        Engine(looping).start(3)
    save = SaveFile(
        kind="divergence-save",
        format=1,
        story="loop",
        story_version="1",
        fingerprint="an older version",
        player="Anna",
        seed=3,
        created=CREATED,
        saved=SAVED,
        path=[("b", "choice1")],
        node="end",
        ending="end",
        node_title="The End",
    )
    t = build_transcript(looping, save)
    assert t.broken is not None and t.broken.decision == 1
    assert t.broken.reason.startswith("the story cannot start: more than 1000 automatic steps")
    assert t.decisions == () and t.dossier == ()
    md = to_markdown(t)
    assert "## The record breaks here" in md
    assert "No decision of the run can be shown; the save had reached the ending 'The End'." in md
    assert_well_formed(to_html(t))


def test_a_save_of_another_story_is_refused(crossroads: Story, special_train: Story) -> None:
    save = saved_run(crossroads, [], 2)
    with pytest.raises(ValueError, match="crossroads"):
        build_transcript(special_train, save)


# -- HTML --


VOID = {"meta", "br", "hr", "img", "link", "input", "col", "area", "base", "wbr", "source"}


class Checker(HTMLParser):
    """Every tag closed in order; every attribute, tag and style gathered."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str | None]] = []
        self.errors: list[str] = []
        self.styles: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes.extend(attrs)
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if self.stack and self.stack[-1] == "style":
            self.styles.append(data)
        self.text.append(data)


def assert_well_formed(page: str) -> Checker:
    assert page.startswith("<!DOCTYPE html>\n")
    checker = Checker()
    checker.feed(page)
    checker.close()
    assert checker.errors == []
    assert checker.stack == []
    return checker


def test_the_html_is_one_well_formed_self_contained_printable_page(
    special_train: Story, known_save: SaveFile
) -> None:
    page = to_html(build_transcript(special_train, known_save))
    checker = assert_well_formed(page)
    assert checker.tags.count("html") == 1 and checker.tags.count("style") == 1
    assert checker.tags.count("article") == 4
    assert "script" not in checker.tags
    for tag in ("link", "img", "iframe", "object", "embed", "svg"):
        assert tag not in checker.tags
    for name, value in checker.attributes:
        assert name not in ("src", "href", "srcset") and not name.startswith("on")
        assert "http" not in (value or "")
    style = "".join(checker.styles)
    assert "url(" not in style and "@import" not in style and "@font-face" not in style
    pages = re.findall(r"@page\s*\{([^}]*)\}", style)
    assert [rule.strip() for rule in pages] == ["margin: 18mm;"]  # no size: A4 and Letter alike
    print_rules = style.split("@media print", 1)[1]
    assert "break-inside: avoid" in print_rules
    assert "background: none" in print_rules
    assert "11pt" in print_rules and "serif" in print_rules
    assert '<meta charset="utf-8">' in page
    text = " ".join(" ".join(checker.text).split())
    assert "14 Bank the fires and save the coal, 9 Keep the engine under steam" in text
    assert "decided by the teacher after a tie" in text
    assert "Nobody in the crowd is surprised to see him." in text
    assert "Districts reporting calm -2" in text


MARKUP = """
[story]
id = "markup"
title = "<script>alert('title')</script> & Sons"
summary = "Text that looks like HTML."
start = "door"
era = "1941"

[variable.mood]
default = 1
label = "<b>Mood</b>"

[[node]]
id = "door"
title = "The <script>door</script>"
date = "1 <i>May</i> 1941"
place = "A & B"
text = "x"
history = \"\"\"
It was *not* like this, and **never** <script>alert(1)</script>.

<img src=x onerror=alert(2)> A second paragraph.

Crossed: **a *b** c*. Nested: **bold *and* more**. Sums: 2*3*4 and a lone *.
\"\"\"
discuss = "Was it \\"so\\"? <a href='http://example.com'>link</a>"
sources = ["<em>Author</em>, Book"]

[[node.choice]]
id = "go"
label = "Open <script>it</script>"
goto = "end"
effects = "mood += 1"

[[ending]]
id = "end"
title = "</h2><script>x()</script>"
tone = "grim"
epilogue = "Mood {mood}. <style>body{{display:none}}</style>"
history = "<!-- comment --> done"
"""


def test_story_text_and_names_are_escaped_never_passed_through(tmp_path: Path) -> None:
    path = tmp_path / "markup.toml"
    path.write_text(MARKUP)
    story = load_story(path)
    save = saved_run(story, [Step("door", "go")], 1, [VoteRecord(0, {"go": 3})], "<b>Ann</b>")
    t = build_transcript(story, save)
    page = to_html(t)
    checker = assert_well_formed(page)
    assert "<script" not in page.lower()
    assert "script" not in checker.tags and "img" not in checker.tags and "a" not in checker.tags
    assert checker.tags.count("style") == 1 and "<!--" not in page
    assert all(name != "onerror" and name != "href" for name, _value in checker.attributes)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "&lt;b&gt;Ann&lt;/b&gt;" in page and "&lt;b&gt;Mood&lt;/b&gt; +1" in page
    assert "3 Open &lt;script&gt;it&lt;/script&gt;" in page
    assert "&lt;style&gt;body{display:none}&lt;/style&gt;" in page
    # simple emphasis is rendered, and paragraphs are kept
    assert "It was <em>not</em> like this, and <strong>never</strong>" in page
    assert "<p>&lt;img src=x" in page
    # story prose is CommonMark (markdown-it-py): crossed and intraword stars read as it says
    assert "Crossed: <em><em>a <em>b</em></em> c</em>." in page
    assert "Nested: <strong>bold <em>and</em> more</strong>." in page
    assert "Sums: 2<em>3</em>4 and a lone *." in page
    md = to_markdown(t)
    assert re.search(r"(?<!\\)<", md) is None  # every < made inert with a backslash
    assert "\\<script>alert(1)\\</script>" in md
    assert "# \\<script>alert('title')\\</script> & Sons" in md
    assert "- **Player:** \\<b\\>Ann\\</b\\>" in md  # a name is escaped as the report does


# -- the command --


@pytest.fixture
def saves(tmp_path: Path, known_save: SaveFile) -> Path:
    folder = tmp_path / "saves"
    SaveFolder(folder).write("lesson one", known_save)
    return folder


def test_the_command_by_slot_and_by_path(saves: Path, known_save: SaveFile) -> None:
    code, by_slot = run_cli("transcript", "lesson one", "--saves", str(saves))
    assert code == EXIT_OK
    assert by_slot.startswith("# The Special Train\n")
    assert "- **Class vote:** 14 Bank the fires and save the coal" in by_slot
    code, by_path = run_cli("transcript", str(saves / "lesson one.toml"))
    assert code == EXIT_OK and by_path == by_slot
    code, page = run_cli("transcript", "lesson one", "--saves", str(saves), "--format", "html")
    assert code == EXIT_OK and page.startswith("<!DOCTYPE html>")
    assert_well_formed(page)


def test_the_command_reads_an_autosave_and_a_story_from_stories(
    tmp_path: Path, crossroads: Story
) -> None:
    folder = tmp_path / "saves"
    slot = autosave_slot("crossroads", "Anna")
    SaveFolder(folder).write(slot, saved_run(crossroads, [Step("hq", "choice1")], 2))
    code, md = run_cli(
        "transcript", slot, "--saves", str(folder), "--stories", str(TESTS / "stories")
    )
    assert code == EXIT_OK and "## Unfinished" in md


def test_the_command_writes_a_file_with_o(saves: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "lesson.html"
    code, said = run_cli(
        "transcript", "lesson one", "--saves", str(saves), "--format", "html", "-o", str(target)
    )
    assert code == EXIT_OK
    assert said == f"Wrote the transcript of 'lesson one' to {target}\n"
    assert_well_formed(target.read_text(encoding="utf-8"))


def test_a_damaged_save_exits_3_with_one_line_and_is_left_alone(
    saves: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damaged = saves / "broken.toml"
    damaged.write_bytes(b'kind = "divergence-save"\nformat = [oops\n')
    before = damaged.read_bytes()
    code, out = run_cli("transcript", "broken", "--saves", str(saves))
    assert code == EXIT_SAVE and out == ""
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("divergence: cannot read the save 'broken': ")
    assert "damaged" in err
    assert damaged.read_bytes() == before
    code, _out = run_cli("transcript", str(damaged))
    assert code == EXIT_SAVE and damaged.read_bytes() == before
    code, _out = run_cli("transcript", "nothing here", "--saves", str(saves))
    assert code == EXIT_SAVE
    assert "there is no such save" in capsys.readouterr().err


def test_a_save_of_an_unknown_story_exits_2_naming_it(
    saves: Path, known_save: SaveFile, capsys: pytest.CaptureFixture[str]
) -> None:
    SaveFolder(saves).write("lost", known_save.model_copy(update={"story": "vanished_story"}))
    code, out = run_cli("transcript", "lost", "--saves", str(saves))
    assert code == EXIT_USAGE and out == ""
    err = capsys.readouterr().err
    assert "'vanished_story'" in err and err.count("\n") == 1


def test_a_save_of_a_story_with_errors_exits_1(
    tmp_path: Path, crossroads: Story, capsys: pytest.CaptureFixture[str]
) -> None:
    stories = tmp_path / "stories"
    stories.mkdir()
    (stories / "crossroads.toml").write_text(
        CROSSROADS.read_text().replace('goto = "rear"', 'goto = "nowhere"')
    )
    folder = tmp_path / "saves"
    SaveFolder(folder).write("run", saved_run(crossroads, [], 2))
    code, _out = run_cli("transcript", "run", "--saves", str(folder), "--stories", str(stories))
    assert code == EXIT_STORY
    assert "cannot be replayed" in capsys.readouterr().err


# -- the ending screen --


async def test_x_on_the_ending_screen_writes_both_transcripts(tmp_path: Path) -> None:
    stories = tmp_path / "stories"
    stories.mkdir()
    shutil.copy(SPECIAL_TRAIN, stories / SPECIAL_TRAIN.name)
    saves = tmp_path / "saves [bold]x[/bold]"  # a path that reads as Rich markup
    app = DivergenceApp(
        Catalog([stories], include_bundled=False),
        SaveFolder(saves),
        player="Anna",
        story="special_train",
        seed=7,
    )

    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("2", "1", "1", "1")
        await pilot.pause()
        screen = on_ending(app)
        assert "Transcript" in {c.title for c in app.get_system_commands(screen)}
        await pilot.press("x")
        await pilot.pause()
        markdown, page = transcript_paths(saves, autosave_slot("special_train", "Anna"))
        assert markdown.parent == saves / "transcripts"
        md = markdown.read_text(encoding="utf-8")
        assert "## Ending: Snow on Red Square" in md
        assert "- **Player:** Anna" in md
        assert "## 1. Tomorrow or Later" in md and "## 4. State of Siege" in md
        assert_well_formed(page.read_text(encoding="utf-8"))
        notification = list(app._notifications)[-1]
        assert str(page) in notification.message and not notification.markup
        # no temporary files left behind
        assert sorted((saves / "transcripts").iterdir()) == sorted([markdown, page])
        await pilot.press("x")  # again: the files are rewritten, nothing else appears
        await pilot.pause()
        assert sorted((saves / "transcripts").iterdir()) == sorted([markdown, page])


def on_ending(app: App[Any]) -> EndingScreen:
    screen = app.screen
    assert isinstance(screen, EndingScreen), type(screen).__name__
    return screen


# -- one hygiene for the report and the transcripts --

HOSTILE_NAME = (
    "Ann\x1b[31m\u202e [x](http://evil.example) <b>*&*</b>\x07\x85\u2066 |ok|\x1b]0;t\x07"
)
CLEANED_NAME = "Ann [x](http://evil.example) <b>*&*</b> |ok|"


def test_a_hostile_name_prints_identically_cleaned_in_the_report_and_the_transcript(
    tmp_path: Path, special_train: Story
) -> None:
    import html

    from markdown_it import MarkdownIt

    from game.classroom.hygiene import clean_line, md
    from game.classroom.report import build_report, render_html, render_markdown

    assert clean_line(HOSTILE_NAME) == CLEANED_NAME
    save = saved_run(special_train, KNOWN_RUN, 7, VOTES, HOSTILE_NAME)
    SaveFolder(tmp_path / "class").write("hostile", save)
    report = build_report([tmp_path / "class"], lambda _id: special_train)
    t = build_transcript(special_train, save)
    pages = {"transcript": to_html(t), "report": render_html(report)}
    texts = {"transcript": to_markdown(t), "report": render_markdown(report)}
    for kind, page in pages.items():
        assert html.escape(CLEANED_NAME, quote=True) in page, kind
    for kind, text in texts.items():
        assert md(CLEANED_NAME) in text, kind
        assert "\\[x\\](http://evil.example)" in text, kind
        rendered = MarkdownIt("commonmark").render(text)
        assert "<a " not in rendered and "<b>" not in rendered, kind  # the link is not live
    for out in (*pages.values(), *texts.values()):
        assert not any(char in out for char in "\x1b\x07\x85\u202e\u2066")


def test_raw_html_in_a_history_note_is_escaped_and_the_templates_ship_in_the_package(
    tmp_path: Path,
) -> None:
    from importlib.resources import files

    from game.classroom import view

    page = view.prose_html("<b>bold</b> *yes*\n\n<script>x()</script>\n\n![pic](http://x/y.png)")
    assert "<b>" not in page and "<script" not in page and "<img" not in page
    assert "&lt;b&gt;bold&lt;/b&gt; <em>yes</em>" in page
    # found as package data, as an installed wheel holds them (hatch ships every file of game/)
    templates = files("game.classroom") / view.TEMPLATES
    for name in (
        "transcript.html",
        "transcript.css",
        "transcript.md",
        "report.html",
        "report.css",
        "report.md",
    ):
        assert (templates / name).is_file(), name
