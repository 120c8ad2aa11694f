"""The user guide's Markdown as safe HTML: markdown-it-py without raw HTML, then nh3 (Ammonia)."""

from __future__ import annotations

import functools
import re
from pathlib import Path

import nh3
from markdown_it import MarkdownIt

GUIDE_DIR = Path(__file__).resolve().parent
LANGUAGES = ("ja", "en")
_SECTION_NUMBER = re.compile(r"^(\d+)\.")


def guide_path(language: str) -> Path:
    return GUIDE_DIR / f"user-guide.{language if language in LANGUAGES else 'ja'}.md"


@functools.cache
def render_guide(language: str) -> tuple[str, tuple[tuple[str, str], ...]]:
    """The guide as HTML and its table of contents [(anchor, title)]; `## N. Title` gets the anchor sN.

    The anchors are the section numbers so that one page→section mapping (core/context_processors.py)
    serves both languages. Raw HTML in the Markdown is escaped, and the output is sanitised again.
    """
    md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
    tokens = md.parse(guide_path(language).read_text(encoding="utf-8"))
    contents = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open" and token.tag == "h2":
            title = tokens[index + 1].content
            number = _SECTION_NUMBER.match(title)
            if number:
                anchor = f"s{number.group(1)}"
                token.attrSet("id", anchor)
                contents.append((anchor, title))
    html = md.renderer.render(tokens, md.options, {})
    attributes = {tag: set(names) for tag, names in nh3.ALLOWED_ATTRIBUTES.items()}
    attributes.setdefault("h2", set()).add("id")
    safe = nh3.clean(html, attributes=attributes, url_schemes={"http", "https", "mailto"})
    return safe, tuple(contents)
