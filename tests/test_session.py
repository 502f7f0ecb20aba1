"""GameSession, the run logic the Textual screens drive: no Textual here.

Most tests use The Special Train. Its plainest path, with no chance on it, is
bank_fires, hold_platform, zhukov_first, his_name: the ending "Snow on Red Square".
Raising steam instead opens the locked choice at The Sixteenth and sends the run
through a chance draw on the night platform.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from game.play.engine import Change, ChoiceUnavailable
from game.saves.errors import SaveError, SlotNameError
from game.saves.files import SaveFolder, autosave_slot, read_save
from game.session import Decision, GameSession, Reading, Unlock, describe_change
from game.story.compiled import Story
from game.story.loader import load_story

ROOT = Path(__file__).parent.parent
SPECIAL_TRAIN = ROOT / "stories" / "special_train.toml"
CROSSROADS = Path(__file__).parent / "stories" / "crossroads.toml"
PLAYER = "Anna"
SEED = 7
EASTBOUND_SEED = 0  # with steam up and a calm city, this seed's draw puts Stalin on the train
PLAIN_PATH = ("bank_fires", "hold_platform", "zhukov_first", "his_name")


@pytest.fixture(scope="module")
def train() -> Story:
    return load_story(SPECIAL_TRAIN)


@pytest.fixture
def folder(tmp_path: Path) -> SaveFolder:
    return SaveFolder(tmp_path / "saves")


@pytest.fixture
def session(train: Story, folder: SaveFolder) -> GameSession:
    return GameSession(train, folder, PLAYER, SEED)


def autosave_path(session: GameSession) -> Path:
    return session.folder.folder / f"{session.autosave_slot}.toml"


# -- starting --


def test_a_new_session_is_at_the_start_and_saves_nothing_yet(session: GameSession) -> None:
    assert session.state == session.engine.start(SEED)
    assert session.node().id == "decree" and session.node().title == "Tomorrow or Later"
    assert not session.over and session.ending() is None
    assert session.first_visit()
    assert [option.key for option in session.options()] == [
        "raise_steam",
        "bank_fires",
        "walk_train",
    ]
    assert "The order came down the telephone at six" in session.text()
    assert session.autosave() is None
    assert not session.folder.folder.exists()
    assert session.autosave_slot == autosave_slot("special_train", PLAYER)


# -- choosing and undoing --


def test_choose_moves_on_records_the_changes_and_autosaves(session: GameSession) -> None:
    assert session.choose("bank_fires") == []  # no visible variable changed
    assert session.state.node == "sixteenth"
    save = read_save(autosave_path(session))
    assert save.player == PLAYER and save.seed == SEED
    assert save.path == [("decree", "bank_fires")] and save.node == "sixteenth"

    changes = session.choose("hold_platform")
    assert changes == [Change("calm", 4, 2)]
    assert session.last_changes == changes
    assert session.change_notes() == ["Districts reporting calm -2"]
    assert read_save(autosave_path(session)).node == "kremlin"


def test_a_locked_choice_is_listed_with_its_reason_and_refused(session: GameSession) -> None:
    session.choose("bank_fires")
    options = session.options()
    assert [(o.number, o.key, o.available) for o in options] == [
        (1, "hold_platform", True),
        (2, "clear_highway", True),
        (3, "move_train", False),
    ]
    assert options[2].reason == "The engine is cold, and it needs three hours to raise steam."
    before = session.state
    with pytest.raises(ChoiceUnavailable, match="The engine is cold"):
        session.choose("move_train")
    assert session.state == before
    assert len(session.run.states) == 2


def test_hidden_choices_are_not_listed(session: GameSession) -> None:
    session.choose("bank_fires")
    session.choose("hold_platform")
    assert [option.key for option in session.options()] == ["zhukov_first", "digest_first"]


def test_a_once_only_choice_loops_back_and_then_is_gone(session: GameSession) -> None:
    session.choose("walk_train")
    assert session.state.node == "decree"
    assert not session.first_visit()
    assert "walk_train" not in [option.key for option in session.options()]
    assert "You have walked the train from buffer to buffer" in session.text()


def test_undo_steps_back_to_the_start_and_autosaves_each_step(session: GameSession) -> None:
    for key in PLAIN_PATH[:3]:
        session.choose(key)
    assert session.state.node == "siege"
    for expected in ("kremlin", "sixteenth", "decree"):
        assert session.undo()
        assert session.state.node == expected
        assert session.last_changes == [] and session.change_notes() == []
        assert read_save(autosave_path(session)).node == expected
    assert session.state == session.engine.start(SEED)
    assert read_save(autosave_path(session)).path == []

    autosave_path(session).unlink()
    assert not session.undo()  # nothing left to undo, and nothing saved for it
    assert not autosave_path(session).exists()
    assert session.state == session.engine.start(SEED)


def test_undo_after_an_ending_reopens_the_last_decision(session: GameSession) -> None:
    for key in PLAIN_PATH:
        session.choose(key)
    assert session.over and session.state.ending == "parade"
    assert session.options() == []
    assert session.undo()
    assert not session.over and session.state.node == "siege"


def test_changes_of_every_kind_are_described(train: Story, session: GameSession) -> None:
    assert describe_change(train, Change("calm", 2, 5)) == "Districts reporting calm +3"
    assert describe_change(train, Change("calm", 5, 2)) == "Districts reporting calm -3"
    assert describe_change(train, Change("steam", False, True)) == "Engine under steam: yes"
    assert describe_change(train, Change("word", "silence", "gone")) == "Word on the street: gone"

    session.choose("raise_steam")  # steam = true; calm -= 1
    assert session.change_notes() == ["Districts reporting calm -1", "Engine under steam: yes"]


def test_autosave_reports_a_failure_instead_of_raising(train: Story, tmp_path: Path) -> None:
    blocked = tmp_path / "not a folder"
    blocked.write_text("a file where the save folder should be", encoding="utf-8")
    session = GameSession(train, SaveFolder(blocked), PLAYER, SEED)
    session.choose("bank_fires")  # the autosave fails quietly here...
    assert session.state.node == "sixteenth"
    problem = session.autosave()  # ...and says why when asked
    assert isinstance(problem, str) and problem


def test_save_under_a_name(session: GameSession) -> None:
    session.choose("bank_fires")
    path = session.save("  before the riot ")
    assert path.name == "before the riot.toml"
    assert session.folder.read("before the riot").node == "sixteenth"
    with pytest.raises(SlotNameError):
        session.save("../outside")
    with pytest.raises(SlotNameError):
        session.save("")


# -- decisions against history --


def test_decisions_are_set_against_history(session: GameSession) -> None:
    assert session.decisions() == []
    for key in PLAIN_PATH:
        session.choose(key)
    decisions = session.decisions()
    assert decisions == [
        Decision(
            1,
            "15 October 1941, evening",
            "Tomorrow or Later",
            "Bank the fires and save the coal",
            "Keep the engine under steam through the night",
            False,
        ),
        Decision(
            2,
            "16 October 1941",
            "The Sixteenth",
            "Keep every man on the platform: the train is your order",
            None,
            None,
        ),
        Decision(
            3,
            "17 October 1941, night",
            "The Order of the Papers",
            "Put Zhukov's report on top",
            None,
            None,
        ),
        Decision(
            4,
            "19 October 1941, evening",
            "State of Siege",
            "Type it for his own signature, as Chairman",
            "Type it for his own signature, as Chairman",
            True,
        ),
    ]
    assert [d.verdict for d in decisions] == ["diverged", "", "", "as in history"]


def test_following_history_is_as_in_history(session: GameSession) -> None:
    session.choose("raise_steam")
    (decision,) = session.decisions()
    assert decision.as_in_history is True
    assert decision.verdict == "as in history"
    assert decision.taken == decision.history


# -- endings --


def test_unlock_counts_new_endings_once(train: Story, folder: SaveFolder) -> None:
    first = GameSession(train, folder, PLAYER, SEED)
    assert first.unlock() == Unlock(new=False, found=0, total=3)  # not at an ending yet
    assert not folder.profile_path(PLAYER).exists()

    for key in PLAIN_PATH:
        first.choose(key)
    ending = first.ending()
    assert ending is not None and ending.title == "Snow on Red Square"
    assert first.unlock() == Unlock(new=True, found=1, total=3)
    assert folder.profile(PLAYER).endings == {"special_train": ["parade"]}
    assert first.unlock() == Unlock(new=False, found=1, total=3)

    second = GameSession(train, folder, PLAYER, EASTBOUND_SEED)
    for key in ("raise_steam", "clear_highway", "zhukov_first", "report_ready"):
        second.choose(key)
    assert second.state.node == "departure"  # the chance draw on the platform went east
    second.choose("ride_on")
    assert second.state.ending == "kuibyshev"
    assert second.unlock() == Unlock(new=True, found=2, total=3)
    assert folder.profile(PLAYER).endings == {"special_train": ["parade", "kuibyshev"]}

    other = GameSession(train, folder, "Boris", SEED)  # profiles are per player
    for key in PLAIN_PATH:
        other.choose(key)
    assert other.unlock() == Unlock(new=True, found=1, total=3)


def test_unlock_counts_only_endings_the_story_still_has(train: Story, folder: SaveFolder) -> None:
    profile = folder.profile(PLAYER)
    profile.endings["special_train"] = ["an_ending_since_removed"]
    profile.endings["another_story"] = ["parade"]
    folder.save_profile(profile)
    session = GameSession(train, folder, PLAYER, SEED)
    for key in PLAIN_PATH:
        session.choose(key)
    assert session.unlock() == Unlock(new=True, found=1, total=3)


def test_an_automatic_ending_is_unlocked_too(train: Story, folder: SaveFolder) -> None:
    session = GameSession(train, folder, PLAYER, SEED)
    # calm: 4, raise steam -1, keep the men on the platform -2, the platform -1: 0
    for key in ("raise_steam", "hold_platform", "zhukov_first"):
        session.choose(key)
    assert session.state.ending == "black_snow"
    assert session.unlock() == Unlock(new=True, found=1, total=3)


# -- the dossier --


def test_the_dossier_reads_visible_variables_with_fractions(session: GameSession) -> None:
    assert session.dossier() == [
        Reading("calm", "Districts reporting calm", "4/10", 0.4),
        Reading("steam", "Engine under steam", "no", None),
        Reading("word", "Word on the street", "silence", None),
    ]  # Stalin's doubt is hidden
    session.choose("raise_steam")
    session.choose("hold_platform")
    calm, steam, _word = session.dossier()
    assert calm.value == "1/10"
    assert calm.fraction == pytest.approx(0.1)
    assert steam.value == "yes"


def test_dossier_fractions_follow_each_variables_own_bounds(
    tmp_path: Path, folder: SaveFolder, story_text: str
) -> None:
    crossroads = load_story(CROSSROADS)
    readings = {r.name: r for r in GameSession(crossroads, folder, PLAYER, SEED).dossier()}
    assert "secret" not in readings
    assert readings["supply"] == Reading("supply", "Supply", "5/10", 0.5)
    assert readings["nerve"].value == "2/3"
    assert readings["nerve"].fraction == pytest.approx(2 / 3)
    assert readings["stance"] == Reading("stance", "Stance", "wait", None)

    unbounded = story_text.replace(
        "[variable.alarmed]", '[variable.count]\nlabel = "Count"\ndefault = 7\n\n[variable.alarmed]'
    )
    path = tmp_path / "unbounded.toml"
    path.write_text(unbounded, encoding="utf-8")
    story = load_story(path)
    counted = {r.name: r for r in GameSession(story, folder, PLAYER, SEED).dossier()}
    assert counted["count"] == Reading("count", "Count", "7", None)  # no bounds, no bar
    assert counted["supply"] == Reading("supply", "Supply", "3/10", 0.3)


# -- resuming a save --


def test_from_save_resumes_the_exact_run(train: Story, folder: SaveFolder) -> None:
    session = GameSession(train, folder, PLAYER, SEED)
    for key in ("raise_steam", "clear_highway", "digest_first", "report_ready"):
        session.choose(key)  # through a chance draw on the platform
    assert session.state.draws == 1
    session.save("mine")

    resumed, how = GameSession.from_save(train, folder, "Someone else", folder.read("mine"))
    assert how.fits and not how.changed
    assert resumed.state == session.state
    assert resumed.run.states == session.run.states
    assert resumed.player == PLAYER  # the save's player, not the caller's default
    assert resumed.created == session.created
    assert resumed.touched
    assert resumed.undo()  # the whole path is there to undo
    assert resumed.state == session.run.states[-2]


def test_from_save_on_a_broken_path_keeps_the_part_that_fits(
    train: Story, folder: SaveFolder
) -> None:
    session = GameSession(train, folder, PLAYER, SEED)
    session.choose("bank_fires")
    session.choose("hold_platform")
    save = session.save_file()
    broken = save.model_copy(
        update={"path": [("decree", "bank_fires"), ("sixteenth", "no_such_choice")]}
    )
    resumed, how = GameSession.from_save(train, folder, PLAYER, broken)
    assert not how.fits
    assert how.broken_at == 1
    assert "no_such_choice" in how.reason
    assert len(how.states) == 2
    assert resumed.state.node == "sixteenth"
    assert resumed.state.path == (("decree", "bank_fires"),)


def test_from_save_of_another_story_is_refused(train: Story, folder: SaveFolder) -> None:
    crossroads = load_story(CROSSROADS)
    save = GameSession(crossroads, folder, PLAYER, SEED).save_file()
    with pytest.raises(SaveError, match="belongs to the story 'crossroads'"):
        GameSession.from_save(train, folder, PLAYER, save)


# -- plain mode is a front-end over the same session --


def _without_times(path: Path) -> str:
    """A save file's text without the two timestamps, which differ from run to run."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return "\n".join(line for line in lines if not line.startswith(("created", "saved")))


def test_plain_mode_and_the_session_write_the_same_saves_and_count_the_same_endings(
    tmp_path: Path,
) -> None:
    import io

    from game.cli.plain import PlainGame

    story = load_story(CROSSROADS)
    by_plain, by_session = SaveFolder(tmp_path / "plain"), SaveFolder(tmp_path / "session")
    out = io.StringIO()
    game = PlainGame(story, by_plain, PLAYER, out, io.StringIO("1\n2\nsave mid\n1\n"))
    assert game.play(2) == 0

    session = GameSession(story, by_session, PLAYER, 2)
    for number in (1, 2):
        session.choose(session.options()[number - 1].key)
    session.save("mid")
    session.choose(session.options()[0].key)
    assert session.over
    unlock = session.unlock()

    assert session.state == game.session.state
    for slot in ("mid", session.autosave_slot):
        plain_file, session_file = by_plain.slot_path(slot), by_session.slot_path(slot)
        assert _without_times(plain_file) == _without_times(session_file), slot
    assert unlock == Unlock(True, 1, len(story.endings))
    assert f"Ending unlocked: {unlock.found} of {unlock.total}." in out.getvalue()
    assert by_plain.profile(PLAYER).endings == by_session.profile(PLAYER).endings

    # The same ending again, now in one folder: both count it once and call it found.
    again = io.StringIO()
    PlainGame(story, by_session, PLAYER, again, io.StringIO("1\n2\n1\n")).play(2)
    assert f"Endings found: 1 of {unlock.total}." in again.getvalue()
    resumed, _ = GameSession.from_save(
        story, by_session, PLAYER, by_session.read(session.autosave_slot)
    )
    assert resumed.unlock() == Unlock(False, 1, len(story.endings))


def test_plain_mode_carries_a_class_vote_on_as_the_session_does(
    train: Story, folder: SaveFolder
) -> None:
    """A classroom save loaded in plain mode keeps its class flag and votes when re-saved."""
    import io

    from game.cli.plain import PlainGame
    from game.play.vote import VoteRecord

    session = GameSession(train, folder, PLAYER, SEED)
    session.classroom = True
    session.choose(PLAIN_PATH[0], VoteRecord(0, {PLAIN_PATH[0]: 3}, "majority"))
    session.save("class")
    game = PlainGame(train, folder, PLAYER, io.StringIO(), io.StringIO("save again\n"))
    game.play(SEED, folder.read("class"), "'class'")
    resaved = folder.read("again")
    assert resaved.classroom and resaved.vote_records() == session.votes


def test_plain_mode_has_no_run_logic_of_its_own() -> None:
    """No engine run, snapshot, replay or profile in the plain front-end: the session has them."""
    from game.cli import plain

    for name in ("Playthrough", "snapshot", "resume", "autosave_slot", "check_named_slot"):
        assert not hasattr(plain, name), name
    assert "Profile" not in vars(plain) and "datetime" not in vars(plain)
