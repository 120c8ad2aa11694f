"""What a document is made of: plain frozen dataclasses, no rendering."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Control characters other than tab and line feed: XML (Word) refuses them and PDF shows them as boxes.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean_text(text: str) -> str:
    """Text as both renderers take it: CRLF and CR (from browsers' text areas) as LF, no control characters."""
    return _CONTROL.sub("", (text or "").replace("\r\n", "\n").replace("\r", "\n"))


@dataclass(frozen=True)
class Heading:
    """A section heading; level 1 or 2."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """Body text; line breaks in `text` are kept. `align` is "left" or "right"."""

    text: str
    align: str = "left"


@dataclass(frozen=True)
class Notice:
    """A boxed warning the reader must not miss (e.g. an item still to be filled in)."""

    text: str


@dataclass(frozen=True)
class KeyValues:
    """A two-column table: a label and its value on each row."""

    rows: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Table:
    """A grid with a header row; `widths` are fractions of the text width (default: equal)."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    widths: tuple[float, ...] = ()


Block = Heading | Paragraph | Notice | KeyValues | Table


@dataclass(frozen=True)
class Document:
    """A titled A4 document: blocks in reading order, and a short footer on every PDF page."""

    title: str
    blocks: tuple[Block, ...] = field(default_factory=tuple)
    author: str = "Renkei"
    footer: str = ""
