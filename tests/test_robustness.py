"""Inputs that players and writers really produce: long names, odd numbers, edited saves."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest

from game.cli.entry import main
from game.play.engine import Engine
from game.saves.errors import SaveError, SlotNameError
from game.saves.files import SaveFolder, autosave_slot, check_slot, resume
from game.story.catalog import Catalog
from game.story.draws import chance
from game.story.expr import MAX_INT, ExprError, Scope, VarSpec, compile_effects, compile_expression
from game.story.loader import load_story
from game.story.problems import StoryError

TESTS = Path(__file__).parent
CROSSROADS = TESTS / "stories" / "crossroads.toml"


def play(*args: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    return main(["play", *args], io.StringIO(stdin), out), out.getvalue()


# --- the random draw is part of the save format ----------------------------------------


def test_chance_values_are_pinned_because_saves_depend_on_them() -> None:
    # Changing chance() would silently change where every existing save leads.
    assert chance(1, 0) == 0.5665615751722809
    assert chance(1941, 7) == 0.18396279199266974
    engine = Engine(load_story(CROSSROADS))
    endings = [
        engine.choose(engine.choose(engine.start(s), "attack"), "push").ending for s in range(8)
    ]
    assert endings == [
        "defeat",
        "victory",
        "defeat",
        "victory",
        "victory",
        "victory",
        "defeat",
        "victory",
    ]


# --- autosaves ---------------------------------------------------------------------------


def test_autosave_slots_fit_for_long_ids_and_names_and_keep_names_apart() -> None:
    slot = autosave_slot(
        "the_special_train_of_october_nineteen_forty_one",
        "Alexander Nikolaevich Poskrebyshev the Secretary",
    )
    assert check_slot(slot) == slot
    assert autosave_slot("june22", "Anna") != autosave_slot("june22", "anna")


def test_a_long_story_id_and_player_name_still_autosave(tmp_path: Path) -> None:
    story = tmp_path / "long.toml"
    story.write_text(
        CROSSROADS.read_text().replace(
            'id = "crossroads"', 'id = "the_crossroads_of_october_nineteen_forty_one"'
        )
    )
    code, out = play(
        str(story),
        "--plain",
        "--saves",
        str(tmp_path / "s"),
        "--player",
        "Alexander Nikolaevich Poskrebyshev the Secretary",
        stdin="1\n",
    )
    assert code == 0
    assert "saved automatically as 'auto-the_crossroads_of_oct" in out


def test_opening_and_leaving_at_once_keeps_the_earlier_autosave(tmp_path: Path) -> None:
    saves = str(tmp_path)
    play(str(CROSSROADS), "--plain", "--saves", saves, "--player", "A", stdin="1\n2\n")
    code, out = play(str(CROSSROADS), "--plain", "--saves", saves, "--player", "A", stdin="quit\n")
    assert code == 0
    assert "nothing was decided, so no save was made" in out
    kept = SaveFolder(tmp_path).read(autosave_slot("crossroads", "A"))
    assert kept.path == [("hq", "choice1"), ("hq", "attack")]


def test_continue_resumes_the_autosave(tmp_path: Path) -> None:
    saves = str(tmp_path)
    play(str(CROSSROADS), "--plain", "--saves", saves, "--player", "A", stdin="1\n")
    code, out = play(
        str(CROSSROADS),
        "--plain",
        "--saves",
        saves,
        "--player",
        "A",
        "--continue",
        stdin="history\n",
    )
    assert code == 0
    assert f"Loaded the autosave '{autosave_slot('crossroads', 'A')}'." in out
    assert "1. 22 June 1941: Send trains" in out


def test_continue_without_an_autosave_starts_a_new_game(tmp_path: Path) -> None:
    code, out = play(
        str(CROSSROADS), "--plain", "--saves", str(tmp_path), "--player", "Z", "--continue"
    )
    assert code == 0
    assert "No autosave of 'crossroads' for Z yet; starting a new game." in out


def test_a_save_that_cannot_be_written_is_not_reported_as_saved(tmp_path: Path) -> None:
    blocker = tmp_path / "afile"
    blocker.write_text("not a folder")
    code, out = play(
        str(CROSSROADS), "--plain", "--saves", str(blocker), "--player", "A", stdin="1\n"
    )
    assert code == 3
    assert "Could not save automatically" in out
    assert "the game could NOT be saved" in out
    assert "was saved automatically" not in out


def test_the_creation_time_survives_saving_and_loading(tmp_path: Path) -> None:
    saves = str(tmp_path)
    play(str(CROSSROADS), "--plain", "--saves", saves, "--player", "A", stdin="1\nsave first\n")
    first = SaveFolder(tmp_path).read("first")
    os.utime(tmp_path)  # nothing to wait for: created must be copied, not re-stamped
    play(
        str(CROSSROADS),
        "--plain",
        "--saves",
        saves,
        "--player",
        "A",
        "--load",
        "first",
        stdin="2\nsave second\n",
    )
    second = SaveFolder(tmp_path).read("second")
    assert second.created == first.created
    assert second.saved >= first.saved


# --- typed input -------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["²", "١", "9" * 5000, "-1", "+2", "1.0", " 1 1"])
def test_odd_numbers_are_answered_not_crashed_on(typed: str, tmp_path: Path) -> None:
    code, out = play(str(CROSSROADS), "--plain", "--saves", str(tmp_path), stdin=f"{typed}\n")
    assert code == 0
    assert "is not a choice or a command" in out or "There is no choice" in out


@pytest.mark.parametrize(
    ("command", "message"),
    [
        ("save my.toml", "leave out '.toml'"),
        ("load /etc/passwd", "path separator"),
        ("load ../x", "path separator"),
    ],
)
def test_plain_save_and_load_stay_inside_the_save_folder(
    command: str, message: str, tmp_path: Path
) -> None:
    code, out = play(str(CROSSROADS), "--plain", "--saves", str(tmp_path), stdin=f"{command}\n")
    assert code == 0
    assert message in out


def test_load_takes_a_file_path_on_the_command_line(tmp_path: Path) -> None:
    play(
        str(CROSSROADS),
        "--plain",
        "--saves",
        str(tmp_path),
        "--player",
        "A",
        stdin="1\nsave mine\n",
    )
    code, out = play(
        str(CROSSROADS),
        "--plain",
        "--saves",
        str(tmp_path / "other"),
        "--load",
        str(tmp_path / "mine.toml"),
        stdin="",
    )
    assert code == 0
    assert f"Loaded '{tmp_path / 'mine.toml'}'." in out


# --- edited saves ---------------------------------------------------------------------------


def test_a_hand_edited_time_without_a_zone_still_sorts(tmp_path: Path) -> None:
    play(str(CROSSROADS), "--plain", "--saves", str(tmp_path), stdin="1\nsave a\nsave b\n")
    path = tmp_path / "a.toml"
    text = path.read_text()
    start = text.index("saved = ")
    end = text.index("\n", start)
    path.write_text(text[:start] + "saved = 2024-01-01T10:00:00" + text[end:])
    assert [entry.slot for entry in SaveFolder(tmp_path).entries()][-1] == "a"
    code, out = play(str(CROSSROADS), "--plain", "--saves", str(tmp_path), stdin="saves\n")
    assert code == 0 and "a: Crossroads" in out


def test_a_save_whose_seed_makes_the_start_loop_is_reported(tmp_path: Path) -> None:
    story_path = tmp_path / "s.toml"
    story_path.write_text(
        '[story]\nid = "s"\ntitle = "S"\nsummary = "s"\nstart = "a"\nera = "1941"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n'
        '[[node.outcome]]\nweight = 1\ngoto = "spin"\n[[node.outcome]]\nweight = 1\ngoto = "b"\n'
        '[[node]]\nid = "spin"\ntitle = "Spin"\ntext = "s"\n[[node.route]]\ngoto = "spin"\n'
        '[[node]]\nid = "b"\ntitle = "B"\ntext = "b"\n[[node.choice]]\nlabel = "x"\ngoto = "end"\n'
        '[[ending]]\nid = "end"\ntitle = "E"\ntone = "grim"\nepilogue = "e"\n'
    )
    story = load_story(story_path)
    engine = Engine(story)
    from game.saves.files import snapshot

    fine = next(seed for seed in range(100) if not _loops(engine, seed))
    save = snapshot(story, engine.start(fine), "A")
    looping = next(seed for seed in range(100) if _loops(engine, seed))
    broken = save.model_copy(update={"seed": looping})
    with pytest.raises(SaveError, match="cannot be replayed from this save"):
        resume(story, broken, engine)


def _loops(engine: Engine, seed: int) -> bool:
    from game.play.engine import EngineError

    try:
        engine.start(seed)
    except EngineError:
        return True
    return False


# --- the catalog --------------------------------------------------------------------------


def test_a_stray_folder_named_like_a_story_does_not_hide_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "crossroads").mkdir()
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "c.toml").write_text(CROSSROADS.read_text())
    monkeypatch.chdir(tmp_path)
    entry = Catalog([extra], include_bundled=False).find("crossroads")
    assert entry.story is not None


def test_a_playable_story_wins_over_a_broken_one_with_the_same_id(tmp_path: Path) -> None:
    (tmp_path / "a_broken.toml").write_text(
        CROSSROADS.read_text().replace('start = "hq"', 'start = "nowhere"')
    )
    (tmp_path / "b_good.toml").write_text(CROSSROADS.read_text())
    entry = Catalog([tmp_path], include_bundled=False).find("crossroads")
    assert entry.story is not None and entry.path.name == "b_good.toml"


def test_a_missing_stories_folder_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stories", "--stories", str(tmp_path / "nope")], io.StringIO(), io.StringIO()) == 2
    assert "no such folder" in capsys.readouterr().err


def test_a_folder_without_story_toml_is_not_walked(tmp_path: Path) -> None:
    with pytest.raises(StoryError, match=r"needs a story\.toml"):
        load_story(tmp_path)


# --- the expression language's edges -------------------------------------------------------


SIDES = Scope(
    {
        "side": VarSpec("str", frozenset({"red", "white"})),
        "city": VarSpec("str", frozenset({"moscow", "red"})),
    }
)


def test_a_text_variable_cannot_be_given_another_variables_foreign_value() -> None:
    with pytest.raises(ExprError, match="'side' cannot be \"moscow\""):
        compile_effects("side = city", SIDES)
    compile_effects("side = 'white'", SIDES)


def test_unicode_digits_are_not_numbers() -> None:
    with pytest.raises(ExprError, match="unexpected character"):
        compile_expression("١ + 1", Scope({}))


def test_unbounded_numbers_stop_at_the_saturation_limit(tmp_path: Path) -> None:
    path = tmp_path / "big.toml"
    path.write_text(
        '[story]\nid = "b"\ntitle = "B"\nsummary = "b"\nstart = "a"\nera = "1941"\n'
        f'[variable.x]\ndefault = {MAX_INT}\nlabel = "X"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n[[node.choice]]\nlabel = "Double"\ngoto = "a"\n'
        'effects = "x += x"\n'
    )
    engine = Engine(load_story(path))
    assert engine.choose(engine.start(), "a").variables["x"] == MAX_INT


def test_a_default_beyond_one_bound_names_that_bound(tmp_path: Path) -> None:
    path = tmp_path / "d.toml"
    path.write_text(
        '[story]\nid = "d"\ntitle = "D"\nsummary = "d"\nstart = "a"\nera = "1941"\n'
        '[variable.x]\ndefault = 20\nmax = 10\nlabel = "X"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n[[node.route]]\ngoto = "a"\n'
    )
    with pytest.raises(StoryError, match="default 20 is above the max 10"):
        load_story(path)


def test_slot_names_start_with_a_letter_or_digit() -> None:
    with pytest.raises(SlotNameError):
        check_slot("_hidden")
