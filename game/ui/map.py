"""The story map: every place of the story as a tree, opened at the scene the player is in.

What it shows comes from `game.play.storymap`; this screen only draws it. A player sees the
places visited and the ways seen open, with "???" for the rest; a writer running with
--watch sees everything, with conditions and odds. Story text is only ever put in
`rich.text.Text`, so nothing in it is read as markup.

`p` (or "Class percentages" in the palette) reads every save of the story in the save
folder, in a thread, through `game.classroom.report`, and writes after each choice the share of
those runs that took it, the way narrative games show what other players chose.
"""

from __future__ import annotations

from collections.abc import Iterable

from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult, SystemCommand
from textual.binding import Binding
from textual.widgets import Footer, Static, Tree
from textual.widgets.tree import TreeNode

from game.play.storymap import LEGEND, MapNode, build_map, progress
from game.session import GameSession
from game.story.compiled import Story
from game.ui.base import GameScreen

STATUS_STYLES = {
    "current": "map--current",
    "visited": "map--visited",
    "known": "map--known",
    "unknown": "map--unknown",
}


class MapTree(Tree[MapNode]):
    """The tree of places: arrows move, right and left open and close, Enter toggles."""

    # not the default ▶, which the map's legend keeps for "you are here"
    ICON_NODE = "▸ "
    ICON_NODE_EXPANDED = "▾ "
    BINDINGS = [
        Binding("right", "open", "Open", show=False),
        Binding("left", "close", "Close", show=False),
    ]
    COMPONENT_CLASSES = {
        "map--current",
        "map--visited",
        "map--known",
        "map--unknown",
        "map--found",
        "map--hidden",
        "map--reference",
        "map--taken",
    }

    def action_open(self) -> None:
        """Open the line under the cursor, or step into it when it is open already."""
        node = self.cursor_node
        if node is None or not node.allow_expand:
            return
        if not node.is_expanded:
            node.expand()
        elif node.children:
            self.move_cursor(node.children[0])

    def action_close(self) -> None:
        """Close the line under the cursor, or step out to the line it hangs from."""
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None:
            self.move_cursor(node.parent)

    def render_label(self, node: TreeNode[MapNode], base_style: Style, style: Style) -> Text:
        """The label, its place coloured by status (with the theme's colours, at draw time)."""
        text = super().render_label(node, base_style, style)
        line = node.data
        if line is None or line.kind in ("story", "fork"):
            return text
        end = len(text)
        start = end - len(line.place_text())
        if line.hidden:
            names = ["map--hidden"]
        elif line.reference:
            names = ["map--reference"]
        else:
            names = [STATUS_STYLES[line.status]]
            if line.found:
                names.append("map--found")
        text.stylize(self.get_component_rich_style(*names, partial=True), start, end)
        if line.via is not None and line.via.taken:
            text.stylize(self.get_component_rich_style("map--taken", partial=True), 0, start)
        return text


class MapScreen(GameScreen):
    CSS_PATH = "map.tcss"
    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("m", "close", "Back", show=False),
        Binding("c", "current", "Where I am"),
        Binding("p", "class_shares", "Class percentages", show=False),
    ]

    def __init__(self, session: GameSession) -> None:
        super().__init__()
        self.session = session
        self.story = session.story  # as it was when the map was drawn (--watch reloads it)
        self.current: TreeNode[MapNode] | None = None
        self.found: set[str] = set()
        self.offered: list[str] = []
        self.shares: dict[tuple[str, str], float] | None = None  # shown when not None

    @property
    def reveal_all(self) -> bool:
        """Whether a writer runs the game with --watch: then the map shows everything."""
        return self.game.watching

    def compose(self) -> ComposeResult:
        session = self.session
        story, state = self.story, session.state
        reveal_all = self.reveal_all
        profile = session.folder.profile(session.player)
        found = set(profile.found(story))
        if state.ending is not None:
            found.add(state.ending)
        self.found = found
        self.offered = [option.key for option in session.options()]  # none once it is over
        root = self.map_root()
        counts = progress(story, state.visits, state.place, found)
        heading = Text.assemble(
            (f"Map of {story.title}", "bold"),
            "  ",
            (counts.text(), ""),
            ("  (everything shown: --watch)" if reveal_all else "", "italic"),
        )
        yield Static(heading, id="map-heading")
        yield Static(Text(LEGEND), id="map-legend", classes="hint")
        yield self.build_tree(root, state.place)
        yield Static(id="map-detail")
        yield Footer(compact=True)

    def map_root(self) -> MapNode:
        state = self.session.state
        return build_map(
            self.story,
            state.visits,
            state.place,
            self.found,
            self.reveal_all,
            self.shares,
            offered=self.offered,
        )

    def build_tree(self, root: MapNode, current: str) -> MapTree:
        """The map as a Tree: the places seen (and the way to the current one) open."""
        tree = MapTree(Text(root.text()), root, id="map")
        tree.guide_depth = 3
        here = root.find(current)
        above: dict[int, MapNode] = {}
        for line in root.walk():
            above.update((id(child), line) for child in line.children)
        on_the_way: set[int] = set()  # the lines from the top down to where the player is
        line_up = here
        while line_up is not None:
            on_the_way.add(id(line_up))
            line_up = above.get(id(line_up))
        stack: list[tuple[TreeNode[MapNode], MapNode]] = [(tree.root, root)]
        while stack:
            branch, line = stack.pop()
            if (
                line.kind in ("story", "fork")
                or line.status in ("current", "visited")
                or id(line) in on_the_way
            ):
                branch.expand()
            for child in line.children:
                label = Text(child.text())
                if child.children:
                    node = branch.add(label, child)
                    stack.append((node, child))
                else:
                    node = branch.add_leaf(label, child)
                if child is here:
                    self.current = node
        return tree

    def on_mount(self) -> None:
        self.action_current()

    def action_current(self) -> None:
        """Open the way to the place the player is at; the cursor goes there once drawn."""
        self.query_one(MapTree).focus()
        if self.current is None:
            return
        node: TreeNode[MapNode] | None = self.current
        while node is not None:
            node.expand()
            node = node.parent
        self.call_after_refresh(self.cursor_to_current)

    def cursor_to_current(self) -> None:
        """The cursor on the current place, in the middle of the view (the tree's lines
        are counted when it is drawn, so this waits for a refresh)."""
        tree = self.query_one(MapTree)
        if self.current is not None:
            tree.center_scroll = True
            tree.move_cursor(self.current)
            tree.center_scroll = False

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[MapNode]) -> None:
        """The highlighted line in full below the tree, since long ones run off the side."""
        self.show_detail(event.node.data)

    def show_detail(self, line: MapNode | None) -> None:
        detail = self.query_one("#map-detail", Static)
        if line is None:
            detail.update("")
            return
        text = Text(line.text())
        if self.reveal_all and line.kind in ("node", "ending"):
            where = self.story.place(line.place).where
            text.append(f"  [{line.place} · {where}]", style="dim")
        detail.update(text)

    def action_close(self) -> None:
        self.dismiss()

    # -- class percentages --

    def commands(self) -> Iterable[SystemCommand]:
        yield SystemCommand(
            "Class percentages",
            "Show or hide the share of the saves in the save folder that took each choice",
            self.action_class_shares,
        )

    def action_class_shares(self) -> None:
        if self.shares is not None:
            self.shares = None
            self.relabel()
            self.notify("Class percentages hidden.")
            return
        self.read_class_shares()

    @work(thread=True, exclusive=True, group="class-shares")
    def read_class_shares(self) -> None:
        """Every save of this story in the save folder, replayed in a thread."""
        from game.classroom.report import build_report, class_shares

        story = self.story

        def lookup(story_id: str) -> Story:
            if story_id != story.id:
                raise LookupError(f"not the story '{story.id}'")
            return story

        try:
            report = build_report([self.session.folder.folder], lookup, story=story.id)
        except Exception as error:  # the map must not fall over for an overlay
            self.app.call_from_thread(
                self.notify, f"Cannot read the saves: {error}", severity="error", markup=False
            )
            return
        part = report.story(story.id)
        runs = len(part.runs) if part is not None else 0
        self.app.call_from_thread(self.show_class_shares, class_shares(report, story.id), runs)

    def show_class_shares(self, shares: dict[tuple[str, str], float], runs: int) -> None:
        if not self.is_attached:  # closed while the saves were read
            return
        if not runs:
            self.notify("There are no saves of this story in the save folder yet.")
            return
        self.shares = shares
        self.relabel(runs)
        self.notify(f"What the {runs} runs in the save folder chose (p hides it).", markup=False)

    def relabel(self, runs: int = 0) -> None:
        """Redraw every line with or without the shares, keeping what is open and the cursor
        (the shares change no line of the tree, only what the lines say)."""
        tree = self.query_one(MapTree)
        stack: list[tuple[TreeNode[MapNode], MapNode]] = [(tree.root, self.map_root())]
        while stack:
            branch, line = stack.pop()
            for node, child in zip(branch.children, line.children, strict=False):
                node.data = child
                node.set_label(Text(child.text()))
                stack.append((node, child))
        legend = LEGEND + (f"  % of {runs} runs in the save folder" if runs else "")
        self.query_one("#map-legend", Static).update(Text(legend))
        if tree.cursor_node is not None:
            self.show_detail(tree.cursor_node.data)
