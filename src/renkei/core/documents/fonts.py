"""The Japanese font embedded in PDFs: IPAexGothic, a TrueType font shipped by a PyPI package.

Why this font and package (see docs/documents.md): reportlab embeds (and subsets) TrueType-outline
fonts only — not CFF-based OpenType such as the Noto Sans CJK .otf files — and its built-in CID
fonts (HeiseiMin-W3 …) are not embedded at all, so a reader without Japanese fonts would see
blanks. IPAexGothic (IPA Font License v1.0, OSI-approved) has TrueType outlines and covers JIS X
0213; `japanize-matplotlib` ships it as package data. We only read the file: the package is never
imported (its import pulls in matplotlib's font manager).

`RENKEI_PDF_FONT` (a path to another .ttf, e.g. Debian's fonts-ipaexfont or BIZ UDGothic) overrides it.
"""

from __future__ import annotations

import importlib.util
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

FONT_NAME = "RenkeiJapanese"
PACKAGE = "japanize_matplotlib"
PACKAGE_FONT = "fonts/ipaexg.ttf"


def font_path() -> Path:
    """The TrueType file to embed: the setting if given, else the one shipped by the package."""
    configured = getattr(settings, "RENKEI_PDF_FONT", "")
    if configured:
        path = Path(configured)
    else:
        spec = importlib.util.find_spec(PACKAGE)  # locates without importing
        locations = list(spec.submodule_search_locations or []) if spec else []
        path = Path(locations[0]) / PACKAGE_FONT if locations else Path()
    if not path.is_file():
        raise ImproperlyConfigured(
            f"Japanese PDF font not found ({path}): install japanize-matplotlib or set RENKEI_PDF_FONT to a .ttf file."
        )
    return path


@cache
def register() -> str:
    """Register the font with reportlab once per process; the name to use in paragraph styles."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, str(font_path())))
    return FONT_NAME
