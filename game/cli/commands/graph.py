"""`divergence graph`: draw a story's nodes, choices and endings as a Mermaid or DOT diagram."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from game.cli import exitcodes
from game.cli.commands.base import Context, add_command, add_output, emit, playable_story

if TYPE_CHECKING:
    pass

NAME = "graph"
ORDER = 30
FORMATS = ("mermaid", "dot")


def register(commands: Any) -> None:
    parser = add_command(
        commands,
        NAME,
        "draw a story as a Mermaid or Graphviz diagram",
        "Write a diagram of a story: every node and ending, every choice as a labelled arrow "
        "with its condition, chance as a diamond with dashed weighted arrows, automatic routes "
        "dashed. Mermaid text can be pasted into mermaid.live or a ```mermaid block in GitHub "
        "Markdown; DOT text is drawn by Graphviz, e.g. 'dot -Tsvg story.dot -o story.svg'.",
    )
    parser.add_argument(
        "story", metavar="STORY", help="story id, or path of a story file or folder"
    )
    parser.add_argument(
        "--format",
        choices=FORMATS,
        default="mermaid",
        help="mermaid (the default) or dot (Graphviz)",
    )
    add_output(parser)


def run(context: Context, args: argparse.Namespace) -> int:
    from game.writer.graph import to_dot, to_mermaid

    story = playable_story(context, args.story, "drawn")
    if story is None:
        return exitcodes.STORY
    text = to_dot(story) if args.format == "dot" else to_mermaid(story)
    return emit(context, text, args.output, f"the {args.format} graph of '{story.id}'")
