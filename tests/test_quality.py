"""The checks that keep the code base honest: lint, format, types, layering, README and CI."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_ruff_lint() -> None:
    result = run(sys.executable, "-m", "ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format() -> None:
    result = run(sys.executable, "-m", "ruff", "format", "--check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = run(sys.executable, "-m", "mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_import_contracts_hold() -> None:
    """The layers and the Textual-free domain, as pyproject.toml's import-linter contracts say."""
    code = "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports(no_cache=True))"
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


# The command line starts with the title screen's process: what it does not need yet, it must
# not import yet (the contracts cannot see when an import runs, only that it exists).
DEFERRED = [
    "textual",
    "rich",
    "pydantic",
    "wcwidth",
    "game.ui",
    "game.story.loader",
    "game.play.engine",
    "game.saves.files",
    "game.session",
    "game.check",
    "game.writer",
    "game.classroom",
    "game.cli.plain",
]


def test_the_start_up_path_defers_its_heavy_imports() -> None:
    code = (
        "import sys, game.cli\n"
        "from game.cli.commands import command_modules\n"
        "command_modules()\n"
        f"deferred = {DEFERRED!r}\n"
        "print(sorted(m for m in sys.modules if any(m == d or m.startswith(d + '.') for d in deferred)))"
    )
    result = run(sys.executable, "-c", code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def quick_start() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", section, re.DOTALL)
    assert block, "the Quick start has a code block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_readme_opens_with_a_quick_start_of_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    headings = re.findall(r"^## (.+)$", readme, re.MULTILINE)
    assert headings[0] == "Quick start"
    commands = quick_start()
    assert len(commands) == 2
    assert "pip install" in commands[0] and "game" in commands[0]
    assert "pip install" in commands[1] and "pytest" in commands[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert quick_start()[1] in ci
