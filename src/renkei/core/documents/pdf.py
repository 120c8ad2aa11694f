"""A4 PDF from a `Document`, with the Japanese font embedded (subset) by reportlab."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from renkei.core.documents import fonts
from renkei.core.documents.model import Document, Heading, KeyValues, Notice, Paragraph, Table, clean_text

MARGIN_MM = 20


def _markup(text: str) -> str:
    """reportlab's mini-markup escaped, so text from users cannot inject tags; line breaks kept."""
    return escape(clean_text(text)).replace("\n", "<br/>")


def _styles(font: str) -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    # wordWrap="CJK" lets lines break between any two Japanese characters.
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=17, wordWrap="CJK")
    return {
        "body": body,
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        "label": ParagraphStyle("label", parent=body, fontSize=10, leading=15),
        "h1": ParagraphStyle("h1", parent=body, fontSize=12.5, leading=19, spaceBefore=10, spaceAfter=3),
        "h2": ParagraphStyle("h2", parent=body, fontSize=11, leading=17, spaceBefore=6, spaceAfter=2),
        "title": ParagraphStyle("title", parent=body, fontSize=16, leading=24, alignment=TA_CENTER, spaceAfter=12),
        "notice": ParagraphStyle(
            "notice", parent=body, textColor=colors.HexColor("#8a1c1c"), backColor=colors.HexColor("#fdecea"),
            borderColor=colors.HexColor("#c62828"), borderWidth=0.8, borderPadding=5, spaceBefore=8, spaceAfter=12,
        ),
    }


def _table(rows: list[list[Any]], widths: list[float], *, header: bool, font: str) -> Any:
    from reportlab.lib import colors
    from reportlab.platypus import Table as RLTable
    from reportlab.platypus import TableStyle

    table = RLTable(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands: list[Any] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("FONTNAME", (0, 0), (-1, -1), font),  # else the table names Helvetica, which is not embedded
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    else:
        commands.append(("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f5f5f5")))
    table.setStyle(TableStyle(commands))
    return table


def _story(document: Document, styles: dict[str, Any], width: float, font: str) -> list[Any]:
    from reportlab.platypus import Paragraph as RLParagraph
    from reportlab.platypus import Spacer

    def para(text: str, style: str) -> Any:
        return RLParagraph(_markup(text), styles[style])

    story: list[Any] = [para(document.title, "title")]
    for block in document.blocks:
        if isinstance(block, Heading):
            story.append(para(block.text, "h1" if block.level <= 1 else "h2"))
        elif isinstance(block, Paragraph):
            story.append(para(block.text, "right" if block.align == "right" else "body"))
        elif isinstance(block, Notice):
            story.append(para(block.text, "notice"))
        elif isinstance(block, KeyValues):
            rows = [[para(k, "label"), para(v, "body")] for k, v in block.rows]
            story += [_table(rows, [width * 0.28, width * 0.72], header=False, font=font), Spacer(1, 4)]
        elif isinstance(block, Table):
            columns = len(block.header)
            fractions = block.widths or tuple(1 / columns for _ in range(columns))
            rows = [[para(c, "label") for c in block.header]]
            rows += [[para(c, "body") for c in row] for row in block.rows]
            story += [_table(rows, [width * f for f in fractions], header=True, font=font), Spacer(1, 4)]
    return story


def render_pdf(document: Document) -> bytes:
    """The document on A4 paper, Japanese font embedded, page numbers and `footer` on every page."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import SimpleDocTemplate

    font = fonts.register()
    styles = _styles(font)

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(font, 8)
        text = f"{clean_text(document.footer)}　{doc.page}" if document.footer else str(doc.page)
        canvas.drawCentredString(A4[0] / 2, 10 * mm, text)
        canvas.restoreState()

    out = io.BytesIO()
    pdf = SimpleDocTemplate(
        # initialFontName: pages start in our font, not Helvetica, so every font the PDF names is embedded.
        out, pagesize=A4, title=document.title, initialFontName=font, author=document.author, lang="ja-JP",
        leftMargin=MARGIN_MM * mm, rightMargin=MARGIN_MM * mm, topMargin=MARGIN_MM * mm, bottomMargin=MARGIN_MM * mm,
    )
    story = _story(document, styles, A4[0] - 2 * MARGIN_MM * mm, font)
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()
