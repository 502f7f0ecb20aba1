"""Plain play: the story as lines of text over standard input and output.

For screen-reader users, scripts and tests. It prints the scene and numbered
choices, reads a line, and understands a few typed commands. It needs no
terminal: `printf '1\\n2\\n' | divergence play STORY --plain` works.

It is only a front-end: the run itself (choosing, undo, autosave, saves, resume, the
dossier, the endings unlocked) is a `GameSession`, the same one the Textual screens drive.
"""

from __future__ import annotations

import re
import shlex
import textwrap
from dataclasses import dataclass, field
from typing import TextIO

from game.cli import exitcodes
from game.play.engine import ChoiceUnavailable, Engine, EngineError, GameState
from game.saves.errors import SaveError, SlotNameError
from game.saves.files import SaveFile, SaveFolder
from game.saves.locations import default_player
from game.session import GameSession
from game.story.compiled import Story
from game.writer.reload import LiveReload, StoryWatcher, fit_point

WIDTH = 78

HELP = """\
Type the number of a choice, or one of these commands:
  save NAME   save the game in the slot NAME
  load NAME   load the save NAME
  saves       list the saves in the save folder
  undo        take back the last decision
  status      show the dossier (what the story tracks)
  history     list the decisions taken so far
  notes       what really happened here, and a question to discuss
  help        show this help
  quit        save automatically and stop"""

WATCH_HELP = """\
With --watch, the story is reloaded before each prompt when its files have changed
(press Enter after saving an edit). An edit with errors, or one that your path no
longer fits, is reported and the last good version plays on.
  refit       after such a path break: restart the edited version from the last
              point that still fits"""


def wrap(text: str, width: int = WIDTH) -> str:
    """Wrap prose paragraphs; leave Markdown structure (lists, quotes, headings) alone."""
    out = []
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        paragraph = paragraph.strip("\n")
        if not paragraph.strip():
            continue  # an empty conditional passage leaves only blank lines behind
        lines = paragraph.splitlines()
        if any(line.lstrip().startswith(("-", "*", ">", "#", "|", "1.")) for line in lines):
            out.append(paragraph)
        else:
            out.append(textwrap.fill(" ".join(line.strip() for line in lines), width))
    return "\n\n".join(out)


@dataclass
class PlainGame:
    story: Story
    saves: SaveFolder
    player: str
    out: TextIO
    input: TextIO
    watch: bool = False  # --watch: reload the story when its files change (for writers)
    session: GameSession = field(init=False)

    def __post_init__(self) -> None:
        self.live = LiveReload(StoryWatcher(self.story.root)) if self.watch else None

    def say(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    @property
    def touched(self) -> bool:
        """Whether something happened (a decision or a load) that an autosave should keep."""
        return hasattr(self, "session") and self.session.touched

    # -- the loop --

    def play(self, seed: int, save: SaveFile | None = None, label: str = "") -> int:
        """Play until the story ends, the input ends or the player quits; return the exit code."""
        try:
            self.session = GameSession(self.story, self.saves, self.player, seed)
        except EngineError as error:
            self.say(f"The story '{self.story.id}' cannot start: {error}")
            return exitcodes.STORY
        if save is not None and not self.resume(save, label or "the save", at_start=True):
            return exitcodes.SAVE
        self.say(self.story.title.upper())
        if self.story.subtitle:
            self.say(self.story.subtitle)
        if self.story.content_warnings:
            self.say("Content warnings: " + ", ".join(self.story.content_warnings))
        self.say()
        self.show()
        while True:
            if self.session.over:
                return exitcodes.OK if self.autosave() else exitcodes.SAVE
            if self.live is not None and self.look_for_edits():
                continue  # the edited version may have led to an ending
            self.out.write("> ")
            self.out.flush()
            line = self.input.readline()
            if not line:
                self.say()
                return self.stop("Input ended")
            if not self.command(line.strip()):
                return self.stop("Goodbye")

    def stop(self, why: str) -> int:
        if not self.touched:
            self.say(f"{why}; nothing was decided, so no save was made.")
            return exitcodes.OK
        if not self.autosave():
            self.say(f"{why}; the game could NOT be saved (see above).")
            return exitcodes.SAVE
        self.say(f"{why}; the game was saved automatically as '{self.session.autosave_slot}'.")
        player = self.session.player
        who = "" if player == default_player() else f" --player {shlex.quote(player)}"
        self.say(f"To carry on: divergence play {self.story.id} --plain --continue{who}")
        return exitcodes.OK

    def command(self, line: str) -> bool:
        """Handle one line of input; False means stop."""
        if not line:
            return True
        word, _, rest = line.partition(" ")
        word = word.lower()
        rest = rest.strip()
        if re.fullmatch(r"[0-9]{1,6}", line):
            self.take(int(line))
        elif word in ("quit", "exit", "q"):
            return False
        elif word == "help" or word == "?":
            self.say(HELP)
            if self.live is not None:
                self.say(WATCH_HELP)
        elif word == "refit" and self.live is not None:
            self.refit()
        elif word == "save":
            self.save(rest)
        elif word == "load":
            if not rest:
                self.say("Load which save? Type 'saves' to list them, then 'load NAME'.")
            elif self.load(rest):
                self.show()
        elif word == "saves":
            self.list_saves()
        elif word == "undo":
            if self.session.undo():
                self.report_autosave()
                self.say("Taken back.")
                self.say()
                self.show()
            else:
                self.say("Nothing to undo: this is the start of the story.")
        elif word == "status":
            self.status()
        elif word == "history":
            self.history()
        elif word == "notes":
            self.notes()
        else:
            self.say(f"'{line}' is not a choice or a command. {self.prompt_hint()}")
        return True

    def prompt_hint(self) -> str:
        count = len(self.session.options())
        if count == 0:
            return "No choice is open here; type 'undo' to go back, or 'help'."
        return f"Type a number from 1 to {count}, or 'help'."

    def take(self, number: int) -> None:
        options = self.session.options()
        if not 1 <= number <= len(options):
            self.say(f"There is no choice {number}. {self.prompt_hint()}")
            return
        option = options[number - 1]
        if not option.available:
            self.say(f"That choice is locked: {option.reason}")
            return
        try:
            self.session.choose(option.key)
        except (ChoiceUnavailable, EngineError) as error:
            self.say(f"That cannot be done: {error}")
            return
        self.say()
        self.say(f"You chose: {option.choice.label}")
        notes = self.session.change_notes()
        if notes:
            self.say("  " + "; ".join(notes))
        self.report_autosave()
        self.say()
        self.show()

    # -- showing --

    def show(self) -> None:
        session = self.session
        if session.over:
            self.show_ending()
            return
        node = session.node()
        if node.chapter and session.first_visit():
            self.say(f"*** {node.chapter} ***")
            self.say()
        self.say(f"== {session.title()} ==")
        details = [part for part in (node.date, node.place) if part]
        if details:
            self.say(" · ".join(details))
        viewpoint = session.viewpoint()
        if viewpoint:
            self.say(f"You are {viewpoint}.")
        if node.content_warnings:
            self.say("Content warnings: " + ", ".join(node.content_warnings))
        self.say()
        self.show_quotes()
        self.say(wrap(session.text()))
        self.say()
        options = session.options()
        for option in options:
            if option.available:
                self.say(f"  {option.number}. {option.choice.label}")
            else:
                self.say(f"  {option.number}. [locked] {option.choice.label} — {option.reason}")
        if not options:
            self.say("  (No choice is open here. Type 'undo' to go back.)")

    def show_quotes(self) -> None:
        """Quotations from the record, indented apart from the story, each with its source."""
        for quote in self.session.quotes():
            self.say(textwrap.indent(wrap(f"“{quote.text}”", WIDTH - 4), "    "))
            self.say(textwrap.indent(wrap(f"({quote.attribution})", WIDTH - 6), "      "))
            self.say()

    def show_ending(self) -> None:
        ending = self.session.ending()
        assert ending is not None
        self.say(f"=== THE END: {ending.title} ===")
        details = [part for part in (ending.date, ending.place) if part]
        if details:
            self.say(" · ".join(details))
        if ending.content_warnings:
            self.say("Content warnings: " + ", ".join(ending.content_warnings))
        self.say()
        self.show_quotes()
        self.say(wrap(self.session.text()))
        if ending.history:
            self.say()
            self.say("What really happened:")
            self.say(wrap(ending.history))
        self.say()
        self.history()
        unlock = self.session.unlock()
        self.say()
        if unlock.new:
            self.say(f"Ending unlocked: {unlock.found} of {unlock.total}.")
        else:
            self.say(f"Endings found: {unlock.found} of {unlock.total}.")

    def status(self) -> None:
        self.say("Dossier:")
        readings = self.session.dossier()
        for reading in readings:
            self.say(f"  {reading.label}: {reading.value}")
        if not readings:
            self.say("  (nothing is tracked in the open in this story)")

    def history(self) -> None:
        taken = self.session.decisions()
        if not taken:
            self.say("No decisions taken yet.")
            return
        self.say("Your decisions:")
        for decision in taken:
            date = f"{decision.date}: " if decision.date else ""
            mark = f"  ({decision.verdict})" if decision.verdict else ""
            self.say(f"  {decision.number}. {date}{decision.taken}{mark}")

    def notes(self) -> None:
        if self.session.over:
            ending = self.session.ending()
            assert ending is not None
            self.say(wrap(ending.history) if ending.history else "No note for this ending.")
            return
        node = self.session.node()
        if node.history:
            self.say("What really happened:")
            self.say(wrap(node.history))
        if node.discuss:
            self.say()
            self.say(wrap("To discuss: " + node.discuss))
        if node.sources:
            self.say()
            self.say("Sources:")
            for source in node.sources:
                self.say(
                    textwrap.fill(source, WIDTH, initial_indent="  - ", subsequent_indent="    ")
                )
        if not (node.history or node.discuss or node.sources):
            self.say("There is no historical note for this scene.")

    # -- saving and loading --

    def report_autosave(self) -> bool:
        """Say why the session's last autosave failed, if it did; False when it failed."""
        if self.session.autosave_error is None:
            return True
        self.say(f"Could not save automatically: {self.session.autosave_error}")
        return False

    def autosave(self) -> bool:
        """Save to this player's autosave slot; False (after saying why) when it failed."""
        self.session.autosave()
        return self.report_autosave()

    def save(self, name: str) -> None:
        if not name:
            self.say("Save under which name? Type 'save NAME'.")
            return
        try:
            path = self.session.save(name)
        except (SaveError, SlotNameError, OSError) as error:
            self.say(f"Not saved: {error}")
        else:
            self.say(f"Saved as '{name}' ({path}).")

    def list_saves(self) -> None:
        entries = self.saves.entries()
        if not entries:
            self.say(f"No saves yet in {self.saves.folder}.")
            return
        for entry in entries:
            if entry.save is None:
                self.say(f"  {entry.slot}: DAMAGED — {entry.problem}")
            else:
                save = entry.save
                when = save.saved.astimezone().strftime("%Y-%m-%d %H:%M")
                self.say(
                    f"  {entry.slot}: {save.story_title or save.story} — {save.node_title}"
                    f"{', ' + save.date if save.date else ''} — {save.player}, {when}"
                )

    def load(self, name: str) -> bool:
        """The `load NAME` command: a slot in the save folder, never a path elsewhere."""
        try:
            save = self.saves.read(name)
        except (SaveError, SlotNameError) as error:
            self.say(f"Cannot load '{name}': {getattr(error, 'reason', error)}")
            return False
        return self.resume(save, f"'{name}'")

    def resume(self, save: SaveFile, label: str, at_start: bool = False) -> bool:
        if save.story != self.story.id:
            self.say(
                f"{label} is a save of the story '{save.story}'. "
                f"Play it with: divergence play {save.story} --plain --load SAVE"
            )
            return False
        try:
            resumed = self.session.replay(save)
        except SaveError as error:
            self.say(f"Cannot load {label}: {error.reason}")
            return False
        if resumed.fits:
            self.session.take_over(save, resumed.states)
            note = (
                " (the story has been revised since; your path still fits)"
                if resumed.changed
                else ""
            )
            self.say(f"Loaded {label}{note}.")
            return True
        assert resumed.broken_at is not None
        cause = (
            "The story has changed since"
            if resumed.changed
            else "This save does not fit the story; perhaps it was edited after"
        )
        self.say(
            f"{cause} {label} was saved: decision {resumed.broken_at + 1} "
            f"no longer fits ({resumed.reason})."
        )
        point = f"decision {resumed.fitting}" if resumed.fitting else "the start"
        self.out.write(f"Resume from {point}, the last point that still fits? [y/n] ")
        self.out.flush()
        answer = self.input.readline().strip().lower()
        self.say()
        if answer.startswith("y"):
            self.session.take_over(save, resumed.states)
            self.say(f"Replay from {point}.")
            return True
        self.say("Not loaded." if not at_start else "Starting a new game instead.")
        return at_start

    # -- live reload (--watch) --

    def look_for_edits(self) -> bool:
        """Reload the story if its files changed, or if the path moved on after a path
        break (it may fit the edited version now); True when the scene was shown anew."""
        assert self.live is not None
        state = self.session.state
        if not self.live.due(state.path):
            return False
        result = self.live.reload(self.story.root, state.seed, state.path)
        self.live.settle(result)
        if result.ok:
            assert result.story is not None
            self.adopt_revised(result.story, result.states, result.engine)
            self.say(result.summary())
            self.say()
            self.show()
            return True
        self.say(result.summary())
        if result.problems:
            for problem in result.problems:
                self.say(f"  {problem}")
        else:
            self.say(
                f"Type 'refit' to restart the edited version from {fit_point(result.fitting)}, "
                "the last point that still fits, or 'undo' to go back before it."
            )
        return False

    def refit(self) -> None:
        result = self.live.refit() if self.live is not None else None
        if result is None or result.story is None:
            self.say("Nothing to refit: the story plays its latest good version.")
            return
        self.adopt_revised(result.story, result.states, result.engine)
        self.say(f"Restarted the edited story from {fit_point(result.fitting)}.")
        self.say()
        self.show()

    def adopt_revised(
        self, story: Story, states: list[GameState], engine: Engine | None = None
    ) -> None:
        self.story = story
        self.session.adopt(story, states, engine)
        if self.live is not None:
            self.live.adopted()
        self.report_autosave()
