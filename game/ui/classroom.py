"""Class vote mode: the whole class plays one run on a projector and votes at each decision.

A classroom run (`divergence play STORY --classroom`, or `c` on the story chooser) shows
each scene as usual, in the projector theme and a large layout. `v` (or a choice key)
opens the discussion stage: the scene's discussion prompt, large, and on `h` what really
happened. Enter opens the vote panel, where the teacher counts the hands: number keys add
one to a choice, `-` takes one away, `=` types a count. Enter (or the end of the
`--vote-seconds` countdown) closes the vote; the majority choice is taken, and a tie goes
to the teacher. The counting rules are game.play.vote's; these screens only show them.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from rich.markup import escape
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.events import Key
from textual.timer import Timer
from textual.widgets import Footer, Input, Markdown, OptionList, Static
from textual.widgets.option_list import Option as ListOption

from game.play.engine import Option
from game.play.vote import Tally, VoteRecord
from game.presentation import bar
from game.ui.banner import banner
from game.ui.base import GameModal, GameScreen
from game.ui.projector import PROJECTOR

if TYPE_CHECKING:
    from game.ui.play import PlayScreen

BIG = ("standard", "small", "mini")  # headings: the largest figlet font that fits
BAR = 16  # cells of the vote bar at 100% of the votes
COUNT_WIDTH = 12  # cells for a count drawn as a banner (up to three digits)
ROW_LINES = 5  # a row with a banner count, with the gap below it
clock: Callable[[], float] = time.monotonic  # the countdown's default clock, in seconds
NO_PROMPT = "Which would you choose here, and why? What do you know, and what can you not know?"


def dress(play: PlayScreen) -> None:
    """Make a play screen a classroom one: the large layout and the projector theme."""
    play.add_class("-classroom")
    if play.app.theme != PROJECTOR:
        play.app.theme = PROJECTOR


def scene_banner(title: str, width: int) -> str:
    """A scene's title as a banner for the projector (small fonts: the text needs the room)."""
    return escape(banner(title, max(width, 20), ("small", "mini")))


def open_vote(play: PlayScreen) -> None:
    """The class's turn at this decision: the discussion stage, then the vote."""
    if not any(option.available for option in play.session.options()):
        play.notify("No choice is open here.", severity="warning")
        return
    play.app.push_screen(DiscussScreen(play))


def count_label(count: int) -> str:
    return f"{count} vote{'s' if count != 1 else ''}"


# -- the discussion stage --


class DiscussScreen(GameScreen):
    """The scene's discussion prompt, large, the choices, and on `h` what really happened."""

    CSS_PATH = "classroom.tcss"
    BINDINGS = [
        Binding("enter,v", "vote", "Open the vote", key_display="Enter"),
        Binding("h", "context", "What really happened"),
        Binding("escape", "back", "Back to the scene"),
    ]

    def __init__(self, play: PlayScreen) -> None:
        super().__init__()
        self.play = play
        self.session = play.session
        self.options = self.session.options()
        # the count lives here, so going back from the vote to the discussion keeps it
        self.tally = Tally(tuple(option.key for option in self.options if option.available))

    def compose(self) -> ComposeResult:
        node = self.session.node()
        with VerticalScroll(id="discuss-body"):
            yield Static(id="discuss-title", classes="big")
            where = " · ".join(part for part in (node.date, node.place) if part)
            yield Static(escape(where), id="discuss-where")
            with Vertical(id="prompt") as prompt:
                prompt.border_title = "Discuss"
                yield Static(escape(node.discuss or NO_PROMPT), id="prompt-text")
            yield Static(self.choice_list(), id="discuss-choices")
            with Vertical(id="context") as context:
                context.border_title = "What really happened"
                yield Markdown(id="context-text")
        yield Footer()

    def choice_list(self) -> str:
        lines = []
        for option in self.options:
            label = f"[b]{option.number}[/b]   {escape(option.choice.label)}"
            if option.available:
                lines.append(label)
            else:
                lines.append(f"[$text-disabled]{label} — locked: {escape(option.reason or '')}[/]")
        return "\n\n".join(lines)

    def on_mount(self) -> None:
        self.query_one("#context").display = False
        self.draw_title()

    def on_resize(self) -> None:
        self.draw_title()

    def draw_title(self) -> None:
        title = self.session.title()
        self.query_one("#discuss-title", Static).update(
            escape(banner(title, max(self.app.size.width - 8, 20), BIG).rstrip())
        )

    async def action_context(self) -> None:
        """Show or hide the historical note: the teacher decides whether before the vote."""
        context = self.query_one("#context")
        context.display = not context.display
        if context.display:
            node = self.session.node()
            note = node.history or "_No historical note for this scene._"
            if node.sources:
                note += "\n\n**Sources:** " + "; ".join(node.sources)
            await self.query_one("#context-text", Markdown).update(note)
            self.call_after_refresh(context.scroll_visible, top=True)

    def action_vote(self) -> None:
        self.app.push_screen(VoteScreen(self))

    def action_back(self) -> None:
        self.app.pop_screen()

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Open the vote", "Count the class's votes", self.action_vote)
        yield SystemCommand(
            "What really happened", "Show or hide the historical note", self.action_context
        )


# -- the vote panel --


class VoteRow(Horizontal):
    """One choice on the vote panel: its number, its label, a bar and its count."""

    def __init__(self, option: Option) -> None:
        super().__init__(classes="vote-row" if option.available else "vote-row -locked")
        self.option = option

    def compose(self) -> ComposeResult:
        yield Static(classes="vote-key")
        yield Static(classes="vote-label")
        yield Static(classes="vote-bar")
        yield Static(classes="vote-count")

    def show(self, count: int, total: int, leading: bool, big: bool) -> None:
        """Draw the row; `big`: the count as a banner, four lines high, the rest beside it."""
        option = self.option
        top = "\n" if big else ""  # the label and bar face the middle of a big count
        label = escape(option.choice.label)
        if not option.available:
            label += f"\nlocked: {escape(option.reason or '')}"
        self.query_one(".vote-key", Static).update(f"{top}{option.number}")
        self.query_one(".vote-label", Static).update(top + label)
        self.set_class(leading, "-leading")
        self.set_class(big, "-big")
        if not option.available:
            self.query_one(".vote-count", Static).update(f"{top}{'no votes':>{COUNT_WIDTH}}")
            return
        drawn = bar(count / total if total else 0.0, BAR, track="·", eighths=False)
        share = f"{round(100 * count / total):4d}%" if total else ""
        self.query_one(".vote-bar", Static).update(f"{top}{drawn}{share}")
        # set flush right by hand: aligning each line of a banner on its own would break it
        lines = [str(count)]
        if big:
            lines = banner(lines[0], COUNT_WIDTH, ("small",)).rstrip().splitlines()
        indent = " " * max(0, COUNT_WIDTH - max(map(len, lines)))
        shown = "\n".join(indent + line for line in lines)
        self.query_one(".vote-count", Static).update(escape(shown))


class VoteScreen(GameScreen):
    """The teacher counts hands for each choice; the majority decides, a tie the teacher."""

    CSS_PATH = "classroom.tcss"
    BINDINGS = [
        Binding("1", "add(1)", "Vote +1", key_display="1-9"),
        *(Binding(str(n), f"add({n})", show=False) for n in range(2, 10)),
        Binding("minus,backspace", "take_one", "Vote -1", key_display="-"),
        Binding("equals_sign,e", "type_count", "Type count", key_display="="),
        Binding("plus,space", "add_selected", show=False),
        Binding("up", "move(-1)", "Row up", show=False),
        Binding("down", "move(1)", "Row down", show=False),
        Binding("enter", "close", "Close vote", key_display="Enter"),
        Binding("p", "pause", "Pause timer"),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, discussion: DiscussScreen, now: Callable[[], float] | None = None) -> None:
        super().__init__()
        self.now = now or clock  # the countdown's clock, which a test can replace and advance
        self.discussion = discussion
        self.play = discussion.play
        self.tally = discussion.tally
        self.options = discussion.options
        self.open = [option for option in self.options if option.available]
        self.selected = self.open[0].key
        self.seconds = discussion.game.vote_seconds
        self.deadline: float | None = None  # while the countdown runs
        self.left: float | None = None  # seconds left while it is paused or over
        self.timer: Timer | None = None
        self.closed = False  # between closing the vote and the tie being settled

    def compose(self) -> ComposeResult:
        with Horizontal(id="vote-head"):
            yield Static(id="vote-banner", classes="big")
            yield Static(id="countdown", classes="big")
        step = len(self.play.session.state.path) + 1
        with Horizontal(id="vote-info"):
            yield Static(f"Decision {step} · {escape(self.play.session.title())}", id="vote-scene")
            yield Static(id="vote-total")
        with Vertical(id="vote-rows"):
            for option in self.options:
                yield VoteRow(option)
        yield Footer()

    def on_mount(self) -> None:
        self.draw_heading()
        if self.seconds:
            self.deadline = self.now() + self.seconds
            self.timer = self.set_interval(0.2, self.tick)
        else:
            self.query_one("#countdown").display = False
        self.show_counts()

    def on_unmount(self) -> None:
        self.stop_timer()

    def on_resize(self) -> None:
        self.draw_heading()
        self.show_counts()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pause":  # only with a countdown (--vote-seconds)
            return bool(self.seconds)
        return True

    # -- showing --

    def draw_heading(self) -> None:
        room = self.app.size.width - 6 - (30 if self.seconds else 0)
        heading = banner("Class vote", room, BIG).rstrip()
        self.query_one("#vote-banner", Static).update(escape(heading))
        self.draw_countdown()

    def remaining(self) -> int:
        if self.deadline is not None:
            return max(0, math.ceil(self.deadline - self.now()))
        return max(0, math.ceil(self.left or 0))

    def draw_countdown(self) -> None:
        if not self.seconds:
            return
        left = self.remaining()
        face = banner(f"{left // 60}:{left % 60:02d}", 28, BIG).rstrip()
        state = (
            "time's up"
            if left == 0
            else "closed"
            if self.closed
            else "paused"
            if self.deadline is None
            else "left"
        )
        countdown = self.query_one("#countdown", Static)
        countdown.update(escape(face) + f"\n[b]{state}[/b]")
        countdown.set_class(left <= 10, "-urgent")

    def show_counts(self) -> None:
        total = self.tally.total
        best = max(self.tally.counts.values())
        # big counts while every row has room for one (the heading takes about 14 lines)
        big = self.app.size.height - 14 >= ROW_LINES * len(self.options)
        for row in self.query(VoteRow):
            option = row.option
            row.set_class(option.key == self.selected, "-selected")
            count = self.tally.counts.get(option.key, 0)
            row.show(count, total, leading=option.available and count == best > 0, big=big)
        outcome = self.tally.result()
        if not total:
            summary = "No votes yet"
        elif outcome.winner is not None:
            winner = next(o for o in self.open if o.key == outcome.winner)
            summary = f"{count_label(total)} · choice {winner.number} leads"
        else:
            numbers = [str(o.number) for o in self.open if o.key in outcome.tied]
            summary = f"{count_label(total)} · a tie between {', '.join(numbers)}"
        self.query_one("#vote-total", Static).update(summary)

    # -- the countdown --

    def tick(self) -> None:
        self.draw_countdown()
        if self.deadline is not None and self.now() >= self.deadline:
            self.stop_timer()
            self.notify("Time's up: the vote is closed.", timeout=3)
            self.action_close()

    def stop_timer(self) -> None:
        if self.deadline is not None:
            self.left = max(0.0, self.deadline - self.now())
            self.deadline = None
        if self.timer is not None:
            self.timer.stop()
            self.timer = None

    def action_pause(self) -> None:
        if self.timer is not None:
            self.stop_timer()
        elif self.left:
            self.deadline = self.now() + self.left
            self.timer = self.set_interval(0.2, self.tick)
        self.draw_countdown()

    # -- counting --

    def option_numbered(self, number: int) -> Option | None:
        return next((option for option in self.options if option.number == number), None)

    def action_add(self, number: int) -> None:
        option = self.option_numbered(number)
        if option is None:
            return
        if not option.available:
            self.notify(f"Locked: {option.reason}", severity="warning", markup=False)
            return
        self.selected = option.key
        self.tally.add(option.key)
        self.show_counts()

    def action_add_selected(self) -> None:
        self.tally.add(self.selected)
        self.show_counts()

    def action_take_one(self) -> None:
        self.tally.add(self.selected, -1)
        self.show_counts()

    def action_move(self, step: int) -> None:
        keys = [option.key for option in self.open]
        self.selected = keys[(keys.index(self.selected) + step) % len(keys)]
        self.show_counts()

    def action_type_count(self) -> None:
        option = next(o for o in self.open if o.key == self.selected)
        current = self.tally.counts[option.key]

        def typed(count: int | None) -> None:
            if count is not None:
                self.tally.set(option.key, count)
                self.show_counts()

        self.app.push_screen(CountScreen(option, current), typed)

    # -- deciding --

    def action_close(self) -> None:
        """Close the vote: the majority's choice is taken; a tie asks the teacher."""
        self.stop_timer()
        self.closed = True
        self.draw_countdown()
        outcome = self.tally.result()
        if outcome.winner is not None:
            self.decide(outcome.winner, "majority")
            return
        tied = [option for option in self.open if option.key in outcome.tied]

        def settled(key: str | None) -> None:
            if key is not None:
                self.decide(key, "teacher")
            else:
                self.closed = False
                self.draw_countdown()
                self.notify("The vote is open again: Enter closes it.", markup=False)

        self.app.push_screen(TieScreen(tied, self.tally.counts[tied[0].key]), settled)

    def decide(self, key: str, decided_by: str) -> None:
        play = self.play
        session = play.session
        record = VoteRecord(len(session.state.path), dict(self.tally.counts), decided_by)
        option = next(o for o in self.open if o.key == key)
        label = f"{option.number}. {option.choice.label}"
        if decided_by == "majority":
            count = self.tally.counts[key]
            message = f"The class chose {label} ({count} of {count_label(self.tally.total)})."
        else:
            message = f"A tie, settled by the teacher: {label}."
        app = self.app
        while len(app.screen_stack) > 1 and app.screen is not play:
            app.pop_screen()
        app.notify(message, markup=False)
        play.call_later(play.take, key, record)

    def action_back(self) -> None:
        self.app.pop_screen()

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand("Close the vote", "Take the majority's choice now", self.action_close)
        yield SystemCommand(
            "Type a count", "Type the votes for the selected choice", self.action_type_count
        )


# -- dialogs over the vote --


class CountScreen(GameModal):
    """Type the number of votes for one choice (a show of hands counted at once)."""

    CSS_PATH = "classroom.tcss"
    BINDINGS = [("escape", "cancel", "Cancel")]

    def __init__(self, option: Option, current: int) -> None:
        super().__init__()
        self.option = option
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                f"Votes for {self.option.number}. {escape(self.option.choice.label)}",
                classes="panel-title",
            )
            yield Input(
                value=str(self.current),
                type="integer",
                max_length=4,
                id="count",
                select_on_focus=True,
            )
            yield Static("Type the number, then Enter · Esc to cancel", classes="hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value.isdigit():
            self.dismiss(int(value))
        elif not value:
            self.dismiss(0)
        else:
            self.notify("A count is a whole number, 0 or more.", severity="warning")

    def action_cancel(self) -> None:
        self.dismiss(None)


class TieScreen(GameModal):
    """A tie, or no votes at all: the teacher picks among the tied choices."""

    CSS_PATH = "classroom.tcss"
    BINDINGS = [("escape", "cancel", "Back to the vote")]

    def __init__(self, tied: list[Option], count: int) -> None:
        super().__init__()
        self.tied = tied
        self.count = count

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="tie"):
            yield Static(escape(banner("Tie", 40, BIG)), classes="big")
            if self.count:
                yield Static(f"{count_label(self.count)} each. The teacher decides:", id="tie-what")
            else:
                yield Static("No votes were counted. The teacher decides:", id="tie-what")
            yield OptionList(
                *(
                    ListOption(f"{option.number}. {escape(option.choice.label)}", id=option.key)
                    for option in self.tied
                ),
                id="tied",
            )
            yield Static("A number or Enter to choose · Esc: back to the vote", classes="hint")

    def on_mount(self) -> None:
        self.query_one("#tied", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id is not None:
            self.dismiss(event.option.id)

    def on_key(self, event: Key) -> None:
        if event.character and event.character.isdigit():
            chosen = [option for option in self.tied if str(option.number) == event.character]
            event.stop()
            if chosen:
                self.dismiss(chosen[0].key)

    def action_cancel(self) -> None:
        self.dismiss(None)
