"""A4 Word document from a `Document` (python-docx), with the East Asian font set on every style."""

from __future__ import annotations

import io
from typing import Any

from renkei.core.documents.model import Document, Heading, KeyValues, Notice, Paragraph, Table, clean_text

# Word does not embed fonts by default; these ship with Word on Windows and macOS (others substitute).
FONT_BODY = "MS Mincho"
FONT_HEADING = "MS Gothic"


def _set_font(style: Any, font: str) -> None:
    from docx.oxml.ns import qn

    style.font.name = font
    r_pr = style.element.get_or_add_rPr()
    r_pr.get_or_add_rFonts().set(qn("w:eastAsia"), font)
    lang = r_pr.find(qn("w:lang"))
    if lang is None:
        lang = r_pr.makeelement(qn("w:lang"), {})
        r_pr.append(lang)
    lang.set(qn("w:eastAsia"), "ja-JP")


def _grid(doc: Any, rows: list[tuple[str, ...]], *, header: bool) -> None:
    table = doc.add_table(rows=0, cols=len(rows[0]))
    table.style = "Table Grid"
    for index, values in enumerate(rows):
        cells = table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            cell.text = ""
            _fill(cell.paragraphs[0], value, bold=header and index == 0)
    doc.add_paragraph()


def _fill(paragraph: Any, text: str, *, bold: bool = False) -> None:
    """Text into a paragraph; its line breaks become Word line breaks inside the paragraph."""
    lines = clean_text(text).split("\n")
    for i, line in enumerate(lines):
        run = paragraph.add_run(line)
        run.bold = bold
        if i < len(lines) - 1:
            run.add_break()


def render_docx(document: Document) -> bytes:
    """The document on A4 paper (Word's default is US Letter), Japanese fonts on every style."""
    from docx import Document as WordDocument
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt, RGBColor

    doc = WordDocument()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    for style_name, font in (("Normal", FONT_BODY), ("Title", FONT_HEADING), ("Heading 1", FONT_HEADING),
                             ("Heading 2", FONT_HEADING)):
        _set_font(doc.styles[style_name], font)
    doc.styles["Normal"].font.size = Pt(10.5)
    doc.core_properties.title = clean_text(document.title)
    doc.core_properties.author = document.author
    doc.core_properties.language = "ja-JP"
    if document.footer:
        _fill(section.footer.paragraphs[0], document.footer)

    doc.add_heading(clean_text(document.title), level=0)
    for block in document.blocks:
        if isinstance(block, Heading):
            doc.add_heading(clean_text(block.text), level=min(max(block.level, 1), 2))
        elif isinstance(block, Paragraph):
            paragraph = doc.add_paragraph()
            _fill(paragraph, block.text)
            if block.align == "right":
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif isinstance(block, Notice):
            paragraph = doc.add_paragraph()
            _fill(paragraph, block.text, bold=True)
            for run in paragraph.runs:
                run.font.color.rgb = RGBColor(0xC6, 0x28, 0x28)
        elif isinstance(block, KeyValues):
            if block.rows:
                _grid(doc, list(block.rows), header=False)
        elif isinstance(block, Table):
            _grid(doc, [block.header, *block.rows], header=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
