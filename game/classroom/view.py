"""The Jinja2 environments the class report and the transcripts are written through.

Every `{{ value }}` in a template passes through the one hygiene (game.classroom.hygiene)
on its way out, then, for HTML, through autoescape, or, for Markdown, through Markdown
escaping; so no template can forget either. Story prose (history notes, epilogues,
discussion prompts) is rendered to HTML by markdown-it-py's CommonMark preset with raw HTML
disabled, so that a story's `<script>` stays text; it is marked safe only after that.
The templates are package data in game/classroom/templates/.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from game.classroom.hygiene import clean, clean_line, md

TEMPLATES = "templates"  # the folder, inside game.classroom, the templates are in


def paragraphs(text: str) -> list[str]:
    """A story text's paragraphs (blank-line separated), each stripped, empty ones dropped."""
    return [part.strip() for part in re.split(r"\n[ \t]*\n", text) if part.strip()]


def _finalize_html(value: Any) -> Any:
    from markupsafe import Markup

    if isinstance(value, str) and not isinstance(value, Markup):
        return clean_line(value)
    return value


def _finalize_markdown(value: Any) -> Any:
    from markupsafe import Markup

    if isinstance(value, Markup):
        return str(value)
    if isinstance(value, str):
        return md(value)
    return value


@functools.cache
def _markdown_it() -> Any:
    from markdown_it import MarkdownIt

    # no raw HTML, and no images: the page is self-contained and fetches nothing
    return MarkdownIt("commonmark", {"html": False}).disable("image")


def prose_html(text: str) -> Any:
    """A story text as HTML paragraphs and emphasis; raw HTML in it stays escaped text."""
    from markupsafe import Markup

    return Markup(_markdown_it().render(clean(text)).strip())


def prose_markdown(text: str) -> Any:
    """A story text as Markdown paragraphs, raw HTML made inert (`<` escaped)."""
    from markupsafe import Markup

    parts = (p.replace("\\", "\\\\").replace("<", "\\<") for p in paragraphs(clean(text)))
    return Markup("\n\n".join(parts))


def inline_markdown(text: str) -> Any:
    """A story text on one Markdown line: cleaned, raw HTML made inert (`<` escaped), its own
    Markdown (emphasis, links) left to work; unlike a player's name, which is escaped whole."""
    from markupsafe import Markup

    return Markup(clean_line(text).replace("\\", "\\\\").replace("<", "\\<"))


def raw(text: str) -> Any:
    """Text the program wrote itself (e.g. Markdown syntax around values): passed as it is."""
    from markupsafe import Markup

    return Markup(text)


@functools.cache
def environment(kind: str) -> Any:
    """The environment for `html` or `md` templates (built once: jinja2 takes ~30 ms)."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("game.classroom", TEMPLATES),
        autoescape=kind == "html",
        finalize=_finalize_html if kind == "html" else _finalize_markdown,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["prose"] = prose_html if kind == "html" else prose_markdown
    env.filters["inline"] = clean_line if kind == "html" else inline_markdown
    env.filters["raw"] = raw
    return env


def render(template: str, **context: Any) -> str:
    """`template` (e.g. `transcript.html`) rendered with `context`."""
    kind = "html" if template.endswith(".html") else "md"
    return str(environment(kind).get_template(template).render(**context))
