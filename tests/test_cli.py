"""The divergence command: plain play end to end, check, stories, exit codes."""

from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli

from game.cli.entry import EXIT_OK, EXIT_SAVE, EXIT_STORY, EXIT_USAGE, main
from game.saves.files import SaveFolder, autosave_slot

TESTS = Path(__file__).parent
CROSSROADS = TESTS / "stories" / "crossroads.toml"
ROOT = TESTS.parent


def auto(player: str) -> str:
    return autosave_slot("crossroads", player)


def test_plain_play_end_to_end_in_a_subprocess_with_saving_and_loading(tmp_path: Path) -> None:
    saves = tmp_path / "saves"
    # 1: send trains (back at hq); save; 2: attack; load the save (back at hq); 2: attack; 1: push
    script = "1\nsave before the attack\n2\nload before the attack\nstatus\nhistory\n2\n1\n"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "game",
            "play",
            str(CROSSROADS),
            "--plain",
            "--seed",
            "2",
            "--saves",
            str(saves),
            "--player",
            "Anna",
        ],
        input=script,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert "Saved as 'before the attack'" in out
    assert "Loaded 'before the attack'." in out
    assert "Supply: 10/10" in out  # as the dossier reads in the TUI and transcripts
    assert "1. 22 June 1941: Send trains" in out
    assert "=== THE END:" in out
    assert "Ending unlocked: 1 of 3." in out
    assert out.index("Loaded") < out.index("THE END")
    folder = SaveFolder(saves)
    slots = {entry.slot for entry in folder.entries()}
    assert slots == {"before the attack", auto("Anna")}
    autosave = folder.read(auto("Anna"))
    assert autosave.ending in ("victory", "defeat")
    assert autosave.path == [("hq", "choice1"), ("hq", "attack"), ("front", "push")]
    assert folder.profile("Anna").endings["crossroads"] == [autosave.ending]


def test_same_seed_same_story(tmp_path: Path) -> None:
    outputs = {
        run_cli(
            "play",
            str(CROSSROADS),
            "--plain",
            "--seed",
            str(seed),
            "--saves",
            str(tmp_path),
            "--player",
            "p",
            stdin="3\n1\n",
        )[1]
        .split("=== THE END: ")[1]
        .splitlines()[0]
        for seed in (5, 5, 5)
    }
    assert len(outputs) == 1


def test_input_ending_early_autosaves_and_exits_zero(tmp_path: Path) -> None:
    code, out = run_cli(
        "play",
        str(CROSSROADS),
        "--plain",
        "--seed",
        "1",
        "--saves",
        str(tmp_path),
        "--player",
        "Boris",
        stdin="1\n",
    )
    assert code == EXIT_OK
    assert f"Input ended; the game was saved automatically as '{auto('Boris')}'." in out
    assert "To carry on: divergence play crossroads --plain --continue --player Boris" in out
    save = SaveFolder(tmp_path).read(auto("Boris"))
    assert save.path == [("hq", "choice1")]


def test_quit_autosaves(tmp_path: Path) -> None:
    code, out = run_cli(
        "play",
        str(CROSSROADS),
        "--plain",
        "--saves",
        str(tmp_path),
        "--player",
        "C",
        stdin="3\nquit\n2\n",
    )
    assert code == EXIT_OK
    assert f"Goodbye; the game was saved automatically as '{auto('C')}'." in out
    assert SaveFolder(tmp_path).read(auto("C")).node == "front"


def test_bad_input_and_locked_choices_get_clear_answers(tmp_path: Path) -> None:
    code, out = run_cli(
        "play",
        str(CROSSROADS),
        "--plain",
        "--saves",
        str(tmp_path),
        "--player",
        "D",
        stdin="9\nfly\nsave ../../etc/x\nundo\nload nothing\nhelp\n",
    )
    assert code == EXIT_OK
    assert "There is no choice 9. Type a number from 1 to 3, or 'help'." in out
    assert "'fly' is not a choice or a command." in out
    assert "Not saved: '../../etc/x' contains a path separator" in out
    assert "Nothing to undo: this is the start of the story." in out
    assert "Cannot load 'nothing': there is no such save" in out
    assert "save NAME" in out and "quit" in out


def test_undo_in_plain_mode(tmp_path: Path) -> None:
    code, out = run_cli(
        "play",
        str(CROSSROADS),
        "--plain",
        "--saves",
        str(tmp_path),
        "--player",
        "E",
        stdin="3\nundo\nhistory\n",
    )
    assert code == EXIT_OK
    assert "Taken back." in out
    assert out.endswith(
        f"> No decisions taken yet.\n> \nInput ended; the game was saved automatically as "
        f"'{auto('E')}'.\nTo carry on: divergence play crossroads --plain --continue --player E\n"
    )
    assert SaveFolder(tmp_path).read(auto("E")).path == []


def test_notes_show_history_and_discussion(tmp_path: Path) -> None:
    _, out = run_cli("play", str(CROSSROADS), "--plain", "--saves", str(tmp_path), stdin="notes\n")
    assert "What really happened:\nIt was not like this." in out
    assert "To discuss: Was it?" in out


def test_loading_a_damaged_save_at_start_exits_3_and_keeps_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "bad.toml").write_text("kind = 'divergence-save'\nformat = [")
    code, out = run_cli(
        "play", str(CROSSROADS), "--plain", "--saves", str(tmp_path), "--load", "bad"
    )
    assert code == EXIT_SAVE
    assert out == ""
    assert "divergence: cannot load 'bad': a damaged save" in capsys.readouterr().err
    assert (tmp_path / "bad.toml").read_text() == "kind = 'divergence-save'\nformat = ["


def test_loading_a_save_whose_story_changed_offers_the_last_fitting_point(tmp_path: Path) -> None:
    story = tmp_path / "crossroads.toml"
    story.write_text(CROSSROADS.read_text())
    saves = tmp_path / "saves"
    run_cli("play", str(story), "--plain", "--saves", str(saves), "--player", "F", stdin="1\n2\n")
    story.write_text(CROSSROADS.read_text().replace('id = "attack"', 'id = "assault"'))
    code, out = run_cli(
        "play",
        str(story),
        "--plain",
        "--saves",
        str(saves),
        "--player",
        "F",
        "--load",
        auto("F"),
        stdin="y\nhistory\n",
    )
    assert code == EXIT_OK
    assert "decision 2 no longer fits" in out
    assert "Replay from decision 1." in out
    assert "1. 22 June 1941: Send trains" in out


def test_check_reports_file_and_line_and_exits_1(tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text(CROSSROADS.read_text().replace('goto = "rear"', 'goto = "reer"'))
    code, out = run_cli("check", str(broken))
    assert code == EXIT_STORY
    line = CROSSROADS.read_text().splitlines().index('goto = "rear"') + 1
    assert f"{broken}:{line}: E007: node \"front\", route 1: 'goto' names 'reer'" in out
    assert "did you mean 'rear'?" in out


def test_check_passes_a_good_story(tmp_path: Path) -> None:
    code, out = run_cli("check", "--strict", str(TESTS / "stories" / "platform.toml"))
    assert code == EXIT_OK, out
    assert "platform.toml: ok (2 nodes, 2 endings;" in out


def test_warnings_pass_the_check_unless_strict() -> None:
    code, out = run_cli("check", str(CROSSROADS))
    assert code == EXIT_OK
    assert "0 errors, " in out and " W00" in out
    code, _out = run_cli("check", "--strict", str(CROSSROADS))
    assert code == EXIT_STORY


def test_check_with_no_argument_checks_every_story_found(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(CROSSROADS.read_text())
    (tmp_path / "bad.toml").write_text("[story\n")
    code, out = run_cli("--stories", str(tmp_path), "check")
    assert code == EXIT_STORY
    assert f"{tmp_path / 'bad.toml'}:1: E002: TOML syntax error" in out
    assert f"{tmp_path / 'good.toml'}: 0 errors" in out
    assert "stories checked: 1 with errors" in out


def test_stories_lists_bundled_and_extra_folders(tmp_path: Path) -> None:
    (tmp_path / "good.toml").write_text(CROSSROADS.read_text())
    folder = tmp_path / "broken_folder"
    folder.mkdir()
    (folder / "story.toml").write_text('[story]\nid = "half"\n')
    code, out = run_cli("stories", "--stories", str(tmp_path))
    assert code == EXIT_OK
    assert re.search(
        r"^crossroads +Crossroads \(1941\), about \d+ minutes? \([\d,]+ words\)$", out, re.M
    )
    assert "half" in out and "[broken: " in out


def test_story_by_id_from_an_extra_folder(tmp_path: Path) -> None:
    (tmp_path / "x.toml").write_text(CROSSROADS.read_text())
    code, out = run_cli(
        "play",
        "crossroads",
        "--plain",
        "--stories",
        str(tmp_path),
        "--saves",
        str(tmp_path / "s"),
        stdin="",
    )
    assert code == EXIT_OK
    assert "CROSSROADS" in out


def test_unknown_story_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run_cli("play", "no_such_story", "--plain")
    assert code == EXIT_USAGE
    assert "no story called 'no_such_story'" in capsys.readouterr().err


def test_playing_a_broken_story_shows_its_errors_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "b.toml"
    broken.write_text(CROSSROADS.read_text().replace('start = "hq"', 'start = "hqq"'))
    code, out = run_cli("play", str(broken), "--plain")
    assert code == EXIT_STORY
    err = capsys.readouterr().err
    assert out == ""
    assert "cannot be played because it has errors" in err
    assert f"{broken}:6: E004: start node 'hqq' does not exist; did you mean 'hq'?" in err


@pytest.mark.parametrize("command", [[], ["stories"], ["play"], ["check"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "game", *command, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0
    assert "usage: divergence" in result.stdout
    assert "exit codes:" in result.stdout


def test_bad_arguments_exit_2() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "game", "play", "x", "--seed", "many"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == EXIT_USAGE
    assert "invalid int value" in result.stderr
    assert "Traceback" not in result.stderr


def test_options_before_the_subcommand_are_kept(tmp_path: Path) -> None:
    code, _ = run_cli(
        "--saves",
        str(tmp_path / "here"),
        "play",
        str(CROSSROADS),
        "--plain",
        "--player",
        "G",
        stdin="1\n",
    )
    assert code == EXIT_OK
    assert (tmp_path / "here" / f"{auto('G')}.toml").is_file()


def test_undecodable_input_bytes_do_not_crash_plain_play(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "game",
            "play",
            str(CROSSROADS),
            "--plain",
            "--saves",
            str(tmp_path),
            "--player",
            "H",
        ],
        input=b"\xff\xfe\xfa\n3\n",
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == EXIT_OK
    assert b"Traceback" not in result.stderr
    assert b"is not a choice or a command" in result.stdout
    assert SaveFolder(tmp_path).read(auto("H")).node == "front"


def test_a_story_whose_routes_loop_at_the_start_is_reported(tmp_path: Path) -> None:
    story = tmp_path / "loop.toml"
    story.write_text(
        '[story]\nid = "loop"\ntitle = "Loop"\nsummary = "s"\nstart = "a"\nera = "1941"\n'
        '[[node]]\nid = "a"\ntitle = "A"\ntext = "a"\n[[node.route]]\ngoto = "b"\n'
        '[[node]]\nid = "b"\ntitle = "B"\ntext = "b"\n[[node.route]]\ngoto = "a"\n'
    )
    code, out = run_cli("play", str(story), "--plain", "--saves", str(tmp_path / "s"))
    assert code == EXIT_STORY
    assert "The story 'loop' cannot start: more than 1000 automatic steps" in out


def test_an_unexpected_error_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from game.cli.commands import stories

    def broken(*args: object) -> int:
        raise RuntimeError("the printer is on fire")

    monkeypatch.delenv("DIVERGENCE_DEBUG", raising=False)
    monkeypatch.setattr(stories, "run", broken)
    assert main(["stories"], io.StringIO(), io.StringIO()) == 70
    err = capsys.readouterr().err
    assert "unexpected error (RuntimeError: the printer is on fire)" in err
    assert "DIVERGENCE_DEBUG=1" in err


def test_the_readme_lists_the_exit_codes_as_the_command_does() -> None:
    from game.cli.exitcodes import MEANINGS

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    table = readme.split("### Exit codes", 1)[1].split("\n\n", 2)[1]
    rows = [line.strip("|").split("|") for line in table.splitlines()[2:]]
    assert {int(code): meaning.strip() for code, meaning in rows} == MEANINGS
    guide = (Path(__file__).resolve().parent.parent / "docs" / "writing.md").read_text()
    table = guide.split("### Exit status", 1)[1].split("### ", 1)[0]
    listed = [line.split("|")[1].strip() for line in table.splitlines() if line.startswith("| ")]
    assert [int(code) for code in listed[2:]] == list(MEANINGS)  # the guide says more, of the same
